"""The monthly report workflow: draft → submitted → approved (locked); returned with a reason;
reopened (recorded). Each transition, who may make it, and the refusals, by service and by URL."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from results.models import MonthlyReport, MonthlyReportEvent, MonthlyResult, ReportAction, ReportState
from units.periods import Period
from results import services as services
from units import access

from .results_fixtures import JUNE, build_district, enter, indicator

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return build_district(communes=2, villages=2)


def _can(user, action, unit) -> bool:
    """Results are acted on for the reporting unit: a village's through its commune."""
    return access.can(user, action, services.reporting_unit(unit))


def transition_url(unit, month=JUNE):
    return reverse("results:results_transition", args=[unit.pk, month.key])


def grid_url(unit, month=JUNE):
    return reverse("results:results_grid", args=[unit.pk, month.key])


def post(client, user, unit, action, reason="", month=JUNE):
    client.force_login(user)
    return client.post(transition_url(unit, month), {"action": action, "reason": reason})


def report_of(unit, month=JUNE) -> MonthlyReport:
    return MonthlyReport.objects.get(unit=unit, year=month.year, month=month.number)


def test_the_commune_official_submits_and_the_district_approves_which_locks_the_month(client, tree):
    commune = tree.communes[0]
    official, staff = tree.users["official"], tree.users["district_staff"]
    enter(tree.villages[commune.pk][0], 120, by=official)

    response = post(client, official, commune, "submit")
    assert response.status_code == 302
    report = report_of(commune)
    assert report.state == ReportState.SUBMITTED and report.submitted_by == official
    # Submitted: the figures cannot be changed any more, by the grid or the service.
    with pytest.raises(services.MonthLocked, match="đã nộp, đang chờ cấp trên duyệt"):
        enter(tree.villages[commune.pk][0], 121, by=official)

    response = post(client, staff, commune, "approve")
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.APPROVED and report.approved_by == staff and report.approved_at
    with pytest.raises(services.MonthLocked, match="đã được .* duyệt .* bị khóa"):
        enter(commune, 999, by=staff)
    assert [(e.action, e.from_state, e.to_state, e.by) for e in report.events.all()] == [
        (ReportAction.SUBMIT, ReportState.DRAFT, ReportState.SUBMITTED, official),
        (ReportAction.APPROVE, ReportState.SUBMITTED, ReportState.APPROVED, staff),
    ]


def test_a_commune_official_cannot_approve_their_own_submission(client, tree):
    commune = tree.communes[0]
    official = tree.users["official"]
    enter(commune, 50, by=official)
    post(client, official, commune, "submit")
    response = post(client, official, commune, "approve")
    assert response.status_code == 403
    assert "cấp trên" in response.content.decode()
    assert report_of(commune).state == ReportState.SUBMITTED
    # Nor can the commune's own leader: approval comes from strictly above.
    assert post(client, tree.users["commune_leader"], commune, "approve").status_code == 403
    assert report_of(commune).state == ReportState.SUBMITTED


def test_nobody_approves_a_report_they_submitted_themselves(client, tree):
    commune = tree.communes[1]
    staff = tree.users["district_staff"]
    enter(commune, 70, by=staff)
    post(client, staff, commune, "submit")
    response = post(client, staff, commune, "approve")
    assert response.status_code == 403
    assert "không tự duyệt" in response.content.decode()
    assert post(client, tree.users["district_leader"], commune, "approve").status_code == 302
    assert report_of(commune).state == ReportState.APPROVED


def test_the_approver_sends_it_back_with_a_reason_and_the_commune_corrects_and_submits_again(client, tree):
    commune = tree.communes[0]
    official, staff = tree.users["official"], tree.users["district_staff"]
    enter(commune, 50, by=official)
    post(client, official, commune, "submit")

    response = post(client, staff, commune, "return", reason="")
    assert response.status_code == 302
    assert report_of(commune).state == ReportState.SUBMITTED  # a return needs a reason
    post(client, staff, commune, "return", reason="Số BHYT thôn 1 thấp hơn danh sách thẻ.")
    report = report_of(commune)
    assert report.state == ReportState.DRAFT and report.was_returned
    client.force_login(official)
    page = client.get(grid_url(commune)).content.decode()
    assert "Bị trả lại" in page and "Số BHYT thôn 1 thấp hơn danh sách thẻ." in page

    enter(commune, 55, by=official)  # editable again
    post(client, official, commune, "submit")
    report = report_of(commune)
    assert report.state == ReportState.SUBMITTED and not report.was_returned
    assert [e.action for e in report.events.all()] == [ReportAction.SUBMIT, ReportAction.RETURN, ReportAction.SUBMIT]
    assert report.events.get(action=ReportAction.RETURN).reason == "Số BHYT thôn 1 thấp hơn danh sách thẻ."


def test_a_locked_month_is_changed_only_by_reopening_it_which_is_recorded(client, tree):
    commune = tree.communes[0]
    official, staff = tree.users["official"], tree.users["district_staff"]
    enter(commune, 50, by=official)
    post(client, official, commune, "submit")
    post(client, staff, commune, "approve")

    assert post(client, official, commune, "reopen", reason="Sai số").status_code == 403
    post(client, staff, commune, "reopen", reason="")
    assert report_of(commune).state == ReportState.APPROVED  # a reopening needs a reason
    post(client, staff, commune, "reopen", reason="Xã báo nhập nhầm số thôn 2")
    report = report_of(commune)
    assert report.state == ReportState.DRAFT and report.reopened_by == staff
    assert report.reopen_reason == "Xã báo nhập nhầm số thôn 2"
    event = report.events.get(action=ReportAction.REOPEN)
    assert (event.by, event.from_state, event.to_state, event.reason) == (
        staff, ReportState.APPROVED, ReportState.DRAFT, "Xã báo nhập nhầm số thôn 2")
    enter(commune, 52, by=official)
    assert MonthlyResult.objects.get(unit=commune).participants == 52


def test_two_approvers_at_once_one_wins_and_the_other_is_told(tree):
    commune = tree.communes[0]
    enter(commune, 50, by=tree.users["official"])
    services.report_submit(unit=commune, month=JUNE, by=tree.users["official"])
    seen_by_first = services.find_report(unit=commune, month=JUNE)
    seen_by_second = services.find_report(unit=commune, month=JUNE)
    services.report_approve(report=seen_by_first, by=tree.users["district_staff"])
    with pytest.raises(services.TransitionConflict, match="Hoa vừa duyệt lúc .*Đã duyệt"):
        services.report_approve(report=seen_by_second, by=tree.users["district_staff2"])
    with pytest.raises(services.TransitionConflict):
        services.report_return(report=seen_by_second, reason="muộn", by=tree.users["district_staff2"])
    assert MonthlyReportEvent.objects.filter(action=ReportAction.APPROVE).count() == 1
    assert report_of(commune).approved_by == tree.users["district_staff"]


def test_the_second_approver_on_the_page_sees_a_message_not_an_error(client, tree):
    commune = tree.communes[0]
    enter(commune, 50, by=tree.users["official"])
    services.report_submit(unit=commune, month=JUNE, by=tree.users["official"])
    post(client, tree.users["district_staff"], commune, "approve")
    response = post(client, tree.users["district_staff2"], commune, "approve")
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("Không duyệt được" in m and "Hoa vừa duyệt" in m for m in messages)


def test_submitting_nothing_or_submitting_twice_is_refused(tree):
    commune, official = tree.communes[0], tree.users["official"]
    with pytest.raises(ValidationError, match="Chưa có số liệu nào"):
        services.report_submit(unit=commune, month=JUNE, by=official)
    assert not MonthlyReport.objects.exists()
    enter(commune, 1, by=official)
    services.report_submit(unit=commune, month=JUNE, by=official)
    with pytest.raises(services.TransitionConflict):
        services.report_submit(unit=commune, month=JUNE, by=official)


def test_who_may_do_what(tree):
    commune, other = tree.communes[0], tree.communes[1]
    users = tree.users
    assert _can(users["official"], "results.enter", commune)
    assert _can(users["official"], "results.enter", tree.villages[commune.pk][0])  # its thôn
    assert not _can(users["official"], "results.enter", other)
    assert not _can(users["agent_user"], "results.enter", commune)
    assert not _can(users["commune_leader"], "results.enter", commune)
    assert _can(users["district_staff"], "results.enter", other)
    assert not _can(users["other_staff"], "results.enter", commune)
    assert _can(users["district_staff"], "results.approve", commune)
    assert _can(users["district_leader"], "results.approve", tree.villages[commune.pk][0])  # via its xã
    assert not _can(users["official"], "results.approve", commune)
    assert not _can(users["district_staff"], "results.approve", tree.district)  # not its own unit
    assert not _can(users["other_staff"], "results.approve", commune)
    with pytest.raises(PermissionDenied):
        enter(other, 5, by=users["official"])
    with pytest.raises(PermissionDenied):
        services.report_submit(unit=other, month=JUNE, by=users["official"])


def test_another_communes_grid_answers_404_and_a_village_opens_its_communes_grid(client, tree):
    client.force_login(tree.users["official"])
    assert client.get(grid_url(tree.communes[1])).status_code == 404
    assert client.get(grid_url(tree.other_commune)).status_code == 404
    assert client.post(transition_url(tree.communes[1]), {"action": "submit"}).status_code == 404
    village = tree.villages[tree.communes[0].pk][0]
    response = client.get(grid_url(village))
    assert response.status_code == 302 and response["Location"] == grid_url(tree.communes[0])
    assert client.get(reverse("results:results_grid", args=[tree.communes[0].pk, "2023"])).status_code == 404


def test_a_future_month_cannot_be_entered_or_submitted(tree):
    commune, official = tree.communes[0], tree.users["official"]
    future = Period.month(2200, 1)
    with pytest.raises(ValidationError, match="chưa đến"):
        services.result_save(unit=commune, indicator=indicator("bhyt"), month=future, participants=1, by=official)
    with pytest.raises(ValidationError, match="chưa đến"):
        services.report_submit(unit=commune, month=future, by=official)


def test_after_an_action_the_page_goes_back_only_within_the_site(client, tree):
    commune, official = tree.communes[0], tree.users["official"]
    enter(commune, 5, by=official)
    client.force_login(official)
    response = client.post(transition_url(commune), {"action": "submit", "next": "//evil.example/"})
    assert response.status_code == 302 and response["Location"] == grid_url(commune)


def test_submit_and_approve_buttons_ask_for_confirmation(client, tree):
    commune = tree.communes[0]
    official, staff = tree.users["official"], tree.users["district_staff"]
    enter(tree.villages[commune.pk][0], 120, by=official)

    client.force_login(official)
    html = client.get(grid_url(commune)).content.decode()
    assert 'value="submit" data-confirm="Nộp kết quả' in html
    assert "js/confirm.js" in html

    post(client, official, commune, "submit")
    client.force_login(staff)
    html = client.get(grid_url(commune)).content.decode()
    assert 'value="approve" data-confirm="Duyệt và khóa kết quả' in html
