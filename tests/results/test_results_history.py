"""Every change is kept (who, when, old, new) and shown as a history, with the workflow steps."""

import pytest
from django.urls import reverse

from results.selectors import results_history
from results import services as services
from tests.factories import make_collection_agent

from .results_fixtures import JUNE, MAY, build_district, enter

pytestmark = pytest.mark.django_db


def test_the_history_lists_who_changed_which_cell_when_from_what_to_what(client):
    tree = build_district(communes=2, villages=2)
    commune = tree.communes[0]
    village = tree.villages[commune.pk][0]
    agent = make_collection_agent(commune, "Đại lý thu xã 1")
    official, staff = tree.users["official"], tree.users["district_staff"]
    enter(village, 1200, by=official)
    enter(village, 1234, by=tree.users["official2"])
    enter(commune, 10, code="bhxh_tn", agent=agent, new=10, by=official)
    enter(commune, 5000, by=staff)
    enter(commune, None, by=staff)  # cleared: the commune takes its thôn's sum again
    enter(tree.communes[1], 77, by=staff)  # another commune: not in this history
    enter(village, 1100, month=MAY, by=official)  # another month: not in it either
    services.report_submit(unit=commune, month=JUNE, by=official)
    services.report_return(report=services.find_report(unit=commune, month=JUNE), reason="Thiếu đại lý", by=staff)

    entries = results_history(unit=village, month=JUNE)  # a thôn shows its commune's history

    rows = [(e.who, e.action, e.row, e.indicator, e.changes) for e in entries]
    assert rows == [
        ("Hoa", "Trả lại", commune.name, "", [("trạng thái", "Đã nộp, chờ duyệt", "Đang nhập")]),
        ("Lan", "Nộp", commune.name, "", [("trạng thái", "Đang nhập", "Đã nộp, chờ duyệt")]),
        ("Hoa", "Xóa", commune.name, "BHYT", [("số người tham gia", "5.000", "")]),
        ("Hoa", "Nhập", commune.name, "BHYT", [("số người tham gia", "", "5.000")]),
        ("Lan", "Nhập", agent.name, "BHXH tự nguyện", [("số người tham gia", "", "10"), ("vận động mới", "", "10")]),
        ("Minh", "Sửa", village.name, "BHYT", [("số người tham gia", "1.200", "1.234")]),
        ("Lan", "Nhập", village.name, "BHYT", [("số người tham gia", "", "1.200")]),
    ]
    assert entries[0].reason == "Thiếu đại lý"
    assert all(e.when for e in entries)

    client.force_login(official)
    page = client.get(reverse("results:results_history", args=[commune.pk, JUNE.key])).content.decode()
    assert "số người tham gia: 1.200 → 1.234" in page and "Minh" in page
    assert "Thiếu đại lý" in page and "(xóa)" in page
    client.force_login(tree.users["other_official"])
    assert client.get(reverse("results:results_history", args=[commune.pk, JUNE.key])).status_code == 404


def test_an_unchanged_save_is_not_recorded():
    tree = build_district(communes=2, villages=0, with_users=False)
    commune = tree.communes[0]
    result = enter(commune, 100)
    enter(commune, 100)
    assert result.history.count() == 1
    result.refresh_from_db()
    assert result.version == 1
