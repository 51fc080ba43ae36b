import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from agents.models import PersonalDataAccess
from drive import selectors, services
from drive.models import Outcome

from .conftest import D, MONTH


def list_url(unit, kind="due"):
    return reverse("drive:work_list", kwargs={"pk": unit.pk, "month": "2024-06", "kind": kind})


def test_official_sees_the_list_and_each_row_is_logged(client, registry, official):
    client.force_login(official)
    response = client.get(list_url(registry["xa1"]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Trần Thị Đến Hạn" in text and "Lê Văn Tự Nguyện" in text
    assert registry["people"]["not_renewed"].personal_id not in text
    assert PersonalDataAccess.objects.filter(user=official).count() == 3  # with Bùi Chuyển Đi, not yet closed


def test_another_communes_list_is_refused(client, registry, official):
    client.force_login(official)
    assert client.get(list_url(registry["xa2"])).status_code == 404


def test_an_agent_sees_only_the_people_given_to_them(client, registry, agents, drawn):
    client.force_login(agents["a"]["user"])
    text = client.get(list_url(registry["xa1"])).content.decode()
    assert "Trần Thị Đến Hạn" in text and "Lê Văn Tự Nguyện" not in text
    assert client.get(reverse("drive:item_detail", args=[drawn["b"].pk])).status_code == 404
    assert client.get(reverse("drive:item_detail", args=[drawn["a"].pk])).status_code == 200


def test_agent_cannot_assign(client, registry, agents, drawn):
    client.force_login(agents["a"]["user"])
    response = client.post(reverse("drive:item_assign", args=[drawn["a"].pk]), {"agent": agents["b"]["agent"].pk})
    assert response.status_code == 403
    drawn["a"].refresh_from_db()
    assert drawn["a"].collector == agents["a"]["collector"]


def test_assignment_to_a_village_of_another_commune_is_refused(registry, official, drawn):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.work_item_assign(item=drawn["a"], by=official, village=registry["bac"])


def test_recording_a_contact_from_the_phone_page_moves_the_funnel(client, registry, agents, drawn):
    before = selectors.funnel(user=agents["a"]["user"], unit=registry["xa1"], month=MONTH, by="agent")[-1]
    assert (before.listed, before.contacted, before.promised) == (1, 0, 0)
    client.force_login(agents["a"]["user"])
    url = reverse("drive:item_detail", args=[drawn["a"].pk])
    response = client.post(url, {"contacted_on": "2024-06-10", "outcome": "promised", "next_date": "2024-06-20"})
    assert response.status_code == 302
    after = selectors.funnel(user=agents["a"]["user"], unit=registry["xa1"], month=MONTH, by="agent")[-1]
    assert (after.listed, after.contacted, after.promised, after.enrolled) == (1, 1, 1, 0)


def test_a_refusal_needs_a_reason_and_counts_it(client, registry, official, drawn):
    client.force_login(official)
    url = reverse("drive:item_detail", args=[drawn["a"].pk])
    response = client.post(url, {"contacted_on": "2024-06-10", "outcome": "refused"})
    assert response.status_code == 200 and "Hãy chọn lý do từ chối" in response.content.decode()
    client.post(url, {"contacted_on": "2024-06-10", "outcome": "refused", "refusal_reason": "cannot_afford"})
    total = selectors.funnel(user=official, unit=registry["xa1"], month=MONTH)[-1]
    assert total.refusals["cannot_afford"] == 1


def test_paid_is_matched_when_the_registry_receives_the_enrolment(registry, official, drawn):
    from .conftest import enrol

    contact = services.contact_record(item=drawn["a"], by=official, contacted_on=D(2024, 6, 12), outcome=Outcome.PAID)
    assert selectors.paid_contact_enrolment(contact=contact) is None
    enrolment = enrol(registry["people"]["not_renewed"], "bhyt_hgd", D(2024, 6, 16), D(2025, 6, 15))
    assert selectors.paid_contact_enrolment(contact=contact) == enrolment
    total = selectors.funnel(user=official, unit=registry["xa1"], month=MONTH)[-1]
    assert total.enrolled == 1 and total.renewed == 1 and total.due == 3
    assert total.retention_pct * 3 == 100


def test_funnel_page_and_downloads(client, registry, official, drawn):
    client.force_login(official)
    url = reverse("drive:funnel", kwargs={"pk": registry["xa1"].pk, "month": "2024-06"})
    assert "Tỷ lệ duy trì" in client.get(url).content.decode()
    assert client.get(url + "?theo=agent&dinh_dang=xlsx").content[:2] == b"PK"
    assert "Trong danh sách" in client.get(url + "?dinh_dang=csv").content.decode("utf-8-sig")
    assert client.get(url + "?theo=commune").status_code == 200


def test_bad_month_or_list_is_a_message_not_a_500(client, registry, official):
    client.force_login(official)
    url = reverse("drive:work_list", kwargs={"pk": registry["xa1"].pk, "month": "2024-13", "kind": "due"})
    assert client.get(url).status_code == 404
    url = reverse("drive:work_list", kwargs={"pk": registry["xa1"].pk, "month": "2024-06", "kind": "khac"})
    assert client.get(url).status_code == 404


def test_printed_list_is_an_a4_pdf(client, registry, official, drawn):
    from pypdf import PdfReader

    client.force_login(official)
    response = client.get(list_url(registry["xa1"]) + "?dinh_dang=pdf")
    assert response.status_code == 200 and response.content[:4] == b"%PDF"
    reader = PdfReader(io.BytesIO(response.content))
    text = reader.pages[0].extract_text()
    assert "Trần Thị Đến Hạn" in text and "Ngày gặp" in text
    box = reader.pages[0].mediabox
    assert round(float(box.width)) == 842 and round(float(box.height)) == 595  # A4 landscape


def test_command_writes_the_same_list_masked(registry, tmp_path, drawn):
    out = io.StringIO()
    call_command("work_list", unit="00001", month="2024-06", kind="due", format="csv", stdout=out)
    lines = list(csv.reader(io.StringIO(out.getvalue())))
    assert lines[0][:4] == ["STT", "Mã số BHXH", "Số định danh", "Họ và tên"]
    assert {line[3] for line in lines[1:]} == {"Trần Thị Đến Hạn", "Lê Văn Tự Nguyện", "Bùi Chuyển Đi"}
    assert all("****" in line[2] for line in lines[1:])
    assert any("Nhân viên A" in line[9] for line in lines[1:])
    target = tmp_path / "ds.xlsx"
    call_command("work_list", unit="00001", month="2024-06", kind="lapsed", format="xlsx", output=str(target))
    assert target.read_bytes()[:2] == b"PK"


def test_command_refuses_an_unknown_unit(registry):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Không có đơn vị"):
        call_command("work_list", unit="99999", month="2024-06", kind="due")


def test_menu_offers_the_drive_to_agents_not_to_strangers(client, registry, agents):
    from portal.navigation import menu_for
    from tests.factories import UserFactory

    assert any(e["label"] == "Vận động theo danh sách" for e in menu_for(agents["a"]["user"]))
    assert not any(e["label"] == "Vận động theo danh sách" for e in menu_for(UserFactory()))


def test_phone_page_has_large_targets(client, registry, official, drawn):
    client.force_login(official)
    text = client.get(reverse("drive:item_detail", args=[drawn["a"].pk])).content.decode()
    assert 'name="viewport"' in text and "drive.css" in text and 'type="radio"' in text


def test_the_visit_date_is_filled_in_for_the_date_picker(client, registry, official, drawn):
    import datetime

    client.force_login(official)
    text = client.get(reverse("drive:item_detail", args=[drawn["a"].pk])).content.decode()
    assert f'type="date" name="contacted_on" value="{datetime.date.today():%Y-%m-%d}"' in text
