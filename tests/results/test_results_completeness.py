"""Completeness: for a district and month, which communes have submitted, which are late, whom to
remind; and the review queue of the approvers."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from units.models import Role
from results.selectors import completeness, due_date, reports_to_review
from results import services as services
from tests.factories import make_member, make_unit

from .results_fixtures import JUNE, build_district, enter

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    tree = build_district(communes=3, villages=1)
    a, b, c = tree.communes
    official = tree.users["official"]
    enter(a, 100, by=official)
    services.report_submit(unit=a, month=JUNE, by=official)
    enter(b, 200)
    services.report_submit(unit=b, month=JUNE)
    services.report_approve(report=services.find_report(unit=b, month=JUNE), by=tree.users["district_staff"])
    enter(tree.villages[c.pk][0], 3)  # entered, not submitted
    return tree


def test_which_communes_have_submitted_which_are_late_and_whom_to_remind(tree):
    a, b, c = tree.communes
    d = make_unit("Xã 4", level_code="xa", parent=tree.district, code="CL04")  # nothing at all
    assert due_date(JUNE) == datetime.date(2023, 7, 5)

    before_due = completeness(unit=tree.district, month=JUNE, today=datetime.date(2023, 7, 5))
    assert [r.late for r in before_due.rows] == [False, False, False, False]

    report = completeness(unit=tree.district, month=JUNE, today=datetime.date(2023, 7, 6))
    assert [(r.unit.code, r.state, r.late) for r in report.rows] == [
        ("CL01", "submitted", False), ("CL02", "approved", False), ("CL03", "draft", True), ("CL04", "none", True)]
    assert [r.results for r in report.rows] == [1, 1, 1, 0]
    assert [r.unit for r in report.submitted] == [a, b] and [r.unit for r in report.late] == [c, d]
    assert [u.username for u in report.rows[0].officials] == ["canbo.xa1", "canbo2.xa1"]
    assert "Xã 3, Xã 4" in report.reminder_text() and "06/2023" in report.reminder_text()


def test_the_completeness_page_lists_the_late_communes_and_their_officials(client, tree):
    make_member(tree.communes[2], Role.COMMUNE_OFFICIAL, username="canbo.xa3", first_name="Tư")
    client.force_login(tree.users["district_leader"])
    url = reverse("results:results_completeness", args=[tree.district.pk, JUNE.key])
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Đã nộp 2/3" in page and "quá hạn 1" in page
    assert "Danh sách nhắc nộp" in page and "Xã 3: Tư" in page
    # the reminder box is written in the body font (a browser's monospace default mangles accents)
    assert '<textarea id="reminder-text" rows="3" readonly>' in page
    css = (settings.BASE_DIR / "static" / "css" / "portal.css").read_text(encoding="utf-8")
    assert any("textarea" in line and "font: inherit" in line for line in css.splitlines())
    for n in range(5):
        make_unit(f"Xã thêm {n}", level_code="xa", parent=tree.district)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
    client.force_login(tree.users["other_staff"])
    assert client.get(url).status_code == 404


def test_the_review_queue_shows_what_the_user_may_approve(client, tree):
    a = tree.communes[0]
    assert [r.unit for r in reports_to_review(user=tree.users["district_staff"])] == [a]
    assert reports_to_review(user=tree.users["official"]) == []
    assert reports_to_review(user=tree.users["other_staff"]) == []
    client.force_login(tree.users["district_leader"])
    page = client.get(reverse("results:results_review")).content.decode()
    assert a.name in page and "Xem và duyệt" in page
    sections = client.get(reverse("results:results_review")).context["menu"]
    menu = [entry["label"] for section in sections for entry in section["entries"]]
    assert "Duyệt kết quả" in menu and "Tiến độ nộp" in menu and "Nhập kết quả" not in menu
