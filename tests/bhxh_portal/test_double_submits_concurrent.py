"""Two identical requests at the same moment, each in its own thread and PostgreSQL connection, both
past every check in Python before either writes (a barrier holds them there): the database lets one
write, and the other answers calmly with what the first wrote. The beneficiary list (programme row
lock, then the file's unique SHA-256), the participant import's «Ghi» (the commit job's unique key),
the activity plan import (the lines' unique natural key). The same writes sent one after the other:
tests/*/test_double_submits.py."""

import datetime
import threading

import pytest
import tablib
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.test import Client
from django.urls import reverse

from tests.factories import make_member, make_unit
from tests.services import require_postgresql

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.services,
]


def hold_both_at(monkeypatch, module, name: str):
    """Make `module.name` wait, on its first call in each thread, until the other thread has called it
    too: both requests have then done their reads, and neither has written."""
    barrier = threading.Barrier(2, timeout=20)
    real = getattr(module, name)
    seen = threading.local()

    def wait_then_call(*args, **kwargs):
        result = real(*args, **kwargs)
        if not getattr(seen, "done", False):
            seen.done = True
            barrier.wait()
        return result

    monkeypatch.setattr(module, name, wait_then_call)


def at_once(users: list, send) -> list:
    """`send(client)` for each user, in two threads started together; the responses, or the exception."""
    clients = []
    for user in users:
        client = Client()
        client.force_login(user)
        clients.append(client)
    responses: list = [None, None]

    def run(index):
        try:
            responses[index] = send(clients[index])
        except Exception as exc:  # noqa: BLE001 - an error page would be the failure this test looks for
            responses[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return responses


def messages_of(response) -> list[str]:
    return [m.message for m in get_messages(response.wsgi_request)]


def xlsx(headers, lines) -> bytes:
    dataset = tablib.Dataset(headers=headers)
    for line in lines:
        dataset.append(line)
    return dataset.export("xlsx")


def test_two_confirmations_of_the_same_beneficiary_list_at_once_make_one_list(monkeypatch):
    require_postgresql()
    from campaigns.programmes import importers as importers_programmes
    from campaigns.programmes.demo import load_programmes_demo
    from campaigns.models import Beneficiary, BeneficiaryList, SupportProgramme
    from units.models import Role
    from tests.campaigns.test_programmes import HEADERS_01, soldiers

    province = make_unit("Tỉnh Bắc Ninh", level_code="tinh", code="27")
    district = make_unit("Huyện Yên Phong", level_code="huyen", parent=province, code="BN-YP")
    make_unit("Xã Đông Phong", level_code="xa", parent=district, code="BN-YP01")
    load_programmes_demo()
    programme = SupportProgramme.objects.get(province=province)
    group = programme.groups.get(form="01/NQ-03")
    data = xlsx(HEADERS_01, soldiers(3))  # the same bytes in both, as a double click sends them
    hold_both_at(monkeypatch, importers_programmes, "deadline_after")

    def send(client):
        return client.post(reverse("programmes:list_import", args=[programme.pk]), {
            "group": group.pk, "unit": district.pk, "received_on": "29/08/2024", "write": "on",
            "file": SimpleUploadedFile("mau-01.xlsx", data)})

    first, second = at_once([make_member(district, Role.BHXH_STAFF), make_member(district, Role.BHXH_STAFF)], send)
    batch = BeneficiaryList.objects.get()
    assert [getattr(r, "status_code", r) for r in (first, second)] == [302, 302]
    assert first.url == second.url == reverse("programmes:list_detail", args=[batch.pk])
    assert Beneficiary.objects.count() == 3
    said = messages_of(first) + messages_of(second)
    assert sum("đã được nhập lúc" in m for m in said) == 1


def test_two_participant_import_commits_at_once_start_one_job(monkeypatch):
    require_postgresql()
    from agents import importers
    from agents.importers import PARTICIPANT_IMPORT
    from jobs.models import Job, JobState
    from units.models import Role

    province = make_unit("Tỉnh Thử", level_code="tinh", code="01")
    district = make_unit("Huyện Một", level_code="huyen", parent=province, code="001")
    staff = make_member(district, Role.BHXH_STAFF)
    preview = Job.objects.create(kind=PARTICIPANT_IMPORT, requested_by=staff, unit=district, state=JobState.SUCCEEDED,
                                 params={"dry_run": True, "mapping": {}, "filename": "ds.xlsx"},
                                 result={"total": 2, "new": 2, "invalid": 0}, input_file="jobs/in/ds.xlsx")
    # Only the creation is under test: the job is not sent to a queue.
    monkeypatch.setattr(importers, "job_enqueue", lambda *, job: job)
    hold_both_at(monkeypatch, importers, "commit_of")

    first, second = at_once([staff, staff], lambda client: client.post(f"/nguoi-tham-gia/nhap/{preview.pk}/ghi/"))
    commit = Job.objects.get(kind=PARTICIPANT_IMPORT, params__dry_run=False)
    assert [getattr(r, "status_code", r) for r in (first, second)] == [302, 302]
    assert first.url == second.url == f"/nguoi-tham-gia/nhap/{commit.pk}/"
    said = messages_of(first) + messages_of(second)
    assert sum("Tệp này đã được gửi ghi lúc" in m for m in said) == 1


def test_two_imports_of_the_same_activity_plan_at_once_add_its_lines_once(monkeypatch):
    require_postgresql()
    from campaigns.activities import importers as importers_activities
    from campaigns.activities.demo import binh_dinh_rows, plan_file_rows
    from campaigns.models import DriveActivity
    from units.models import Role
    from tests.campaigns.test_activities import DISTRICT_NAMES

    province = make_unit("Tỉnh Bình Định", level_code="tinh", code="52")
    for code, name in DISTRICT_NAMES.items():
        make_unit(name, level_code="huyen", parent=province, code=code)
    data = xlsx(*plan_file_rows(binh_dinh_rows(2024, 10)))
    hold_both_at(monkeypatch, importers_activities, "stored_lines")

    def send(client):
        return client.post(reverse("activities:activity_import"),
                           {"file": SimpleUploadedFile("ke-hoach.xlsx", data), "write": "on"})

    users = [make_member(province, Role.BHXH_STAFF), make_member(province, Role.BHXH_STAFF)]
    responses = at_once(users, send)
    assert [getattr(r, "status_code", r) for r in responses] == [200, 200]
    # (The pages' text, not response.context: the test client's template signal is shared by the threads.)
    said = sorted(r.content.decode().split("ke-hoach.xlsx: 50 dòng; ")[1].split("</p>")[0] for r in responses)
    assert said == ["đã thêm 0, đã cập nhật 0, không đổi 50.", "đã thêm 50, đã cập nhật 0, không đổi 0."]
    assert DriveActivity.objects.count() == 50
    assert DriveActivity.objects.filter(planned_start=datetime.date(2024, 10, 25)).count() == 1


def test_the_same_filled_round_uploaded_twice_at_once_records_each_visit_once(monkeypatch):
    """Two uploads of one filled round (two tabs, two confirmations): both check the file and find
    nothing recorded; the first to lock the round's people writes, the second finds its contacts."""
    require_postgresql()
    from agents.models import Enrolment, Participant, Product
    from drive import rounds
    from drive.models import Contact, ListKind, WorkItem
    from units.models import Role

    province = make_unit("Tỉnh Bắc Ninh", level_code="tinh", code="27")
    district = make_unit("Huyện Yên Phong", level_code="huyen", parent=province, code="BN-YP")
    commune = make_unit("Xã Đông Phong", level_code="xa", parent=district, code="BN-YP01")
    person = Participant.objects.create(bhxh_code="2700000001", personal_id="027100000001", full_name="Nguyễn Văn A",
                                        birth_date=datetime.date(1972, 3, 3), commune=commune)
    Enrolment.objects.create(participant=person, product=Product.objects.get(code="bhyt_hgd"),
                             valid_from=datetime.date(2023, 7, 1), valid_to=datetime.date(2024, 6, 30))
    item = WorkItem.objects.create(month=datetime.date(2024, 6, 1), kind=ListKind.DUE, commune=commune,
                                   participant=person)
    data = f"Mã dòng,Ngày gặp,Kết quả\n{rounds.row_key(item.pk)},10/06/2024,Hẹn đóng\n".encode()
    hold_both_at(monkeypatch, rounds, "_recorded")
    users = [make_member(commune, Role.COMMUNE_OFFICIAL), make_member(commune, Role.COMMUNE_OFFICIAL)]
    reports: list = [None, None]

    def run(index):
        try:
            reports[index] = rounds.import_round_contacts(data, filename="k.csv", unit=commune,
                                                          month=datetime.date(2024, 6, 1), kind=ListKind.DUE,
                                                          user=users[index])
        except Exception as exc:  # noqa: BLE001 - a database error would be the failure looked for
            reports[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted((r.created, r.unchanged) for r in reports) == [(0, 1), (1, 0)]
    assert Contact.objects.filter(item=item).count() == 1
    item.refresh_from_db()
    assert item.contacted and item.promised
