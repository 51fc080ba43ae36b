"""A participant list's «Ghi» pressed twice starts one import; a receipt sent twice is one receipt.
The second answer is a calm message and the page of what was written. (Two requests at once, on
PostgreSQL: tests/campaigns/test_double_submits_concurrent.py.)"""

import pytest
from django.contrib.messages import get_messages

from agents.importers import PARTICIPANT_IMPORT, participant_import_start
from agents.models import Collection, Participant, Product
from jobs.models import Job
from tests.agents.test_collections import collector_user, registry  # noqa: F401 - the fixtures
from tests.agents.test_import_participants import person, xlsx

pytestmark = pytest.mark.django_db


def infos(response) -> list[str]:
    return [m.message for m in get_messages(response.wsgi_request) if m.level_tag == "info"]


def test_the_commit_posted_again_starts_no_second_job(client, district, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        preview = participant_import_start(user=staff, unit=district, filename="ds.xlsx",
                                           data=xlsx([person(), person(code="0112345679", cccd="001090012346")]))
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"/nguoi-tham-gia/nhap/{preview.pk}/ghi/")
    commit = Job.objects.get(kind=PARTICIPANT_IMPORT, params__dry_run=False)
    assert commit.state == "succeeded" and Participant.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(f"/nguoi-tham-gia/nhap/{preview.pk}/ghi/")
    assert first.url == second.url == f"/nguoi-tham-gia/nhap/{commit.pk}/"
    assert Job.objects.filter(kind=PARTICIPANT_IMPORT, params__dry_run=False).count() == 1
    assert "Tệp này đã được gửi ghi lúc" in infos(second)[-1]
    assert commit.once_key == f"{PARTICIPANT_IMPORT}.commit:{preview.pk}"
    page = client.get(second.url)
    assert page.status_code == 200 and "đã được gửi ghi" in page.content.decode()


def test_a_receipt_sent_twice_is_one_receipt(client, agent, registry, collector_user):  # noqa: F811
    client.force_login(collector_user)
    data = {"participant_code": "0100000001", "product": Product.objects.get(code="bhxh_tn").pk,
            "receipt_number": "BL-077", "collected_on": "05/09/2021", "months": "3", "amount": "415.800"}
    first = client.post(f"/dai-ly/{agent.pk}/thu-tien/", data)
    second = client.post(f"/dai-ly/{agent.pk}/thu-tien/", data)
    assert first.status_code == second.status_code == 302 and first.url == second.url
    assert Collection.objects.count() == 1 and Collection.history.count() == 1
    assert "Biên lai BL-077 đã được ghi lúc" in infos(second)[-1]
    # Another receipt under the same number is still refused, with the field's message.
    other = client.post(f"/dai-ly/{agent.pk}/thu-tien/", {**data, "amount": "138.600", "months": "1"})
    assert other.status_code == 200 and "Số biên lai BL-077 đã được dùng" in other.content.decode()


def test_the_column_choice_sent_twice_is_one_check(client, district, staff, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.agents.test_import_participants import BASIC

    client.force_login(staff)
    upload = SimpleUploadedFile("ds.xlsx", xlsx([person()], headers=[*BASIC[:2], "Tên khai sinh", *BASIC[3:]]))
    with django_capture_on_commit_callbacks(execute=True):
        preview = Job.objects.get(pk=int(client.post("/nguoi-tham-gia/nhap/", {"unit": district.pk, "file": upload})
                                         .url.strip("/").split("/")[-1]))
        first = client.post(f"/nguoi-tham-gia/nhap/{preview.pk}/cot/", {"col_0": "full_name"})
        second = client.post(f"/nguoi-tham-gia/nhap/{preview.pk}/cot/", {"col_0": "full_name"})
    assert first.url == second.url
    assert Job.objects.filter(kind=PARTICIPANT_IMPORT).count() == 2  # the first check and one with the choice
