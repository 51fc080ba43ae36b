"""Faults: two approvers press «Duyệt» on the same month at the same moment, through the web view,
each in its own request and database connection (PostgreSQL). Both requests have read the report
as submitted before either writes (a barrier holds them there): the conditional UPDATE lets one
win; the other gets the page back with a message naming who approved and when, not an error page.
The services-level race is in test_results_concurrency.py."""

import threading

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from results.models import MonthlyReportEvent, ReportAction, ReportState
from results import services as services
from tests.services import require_postgresql

from .results_fixtures import JUNE, build_district, enter

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.services,
]


def test_two_approvers_on_the_page_at_once_one_wins_and_the_other_reads_why(monkeypatch):
    require_postgresql()
    tree = build_district(communes=2, villages=1)
    commune = tree.communes[0]
    enter(commune, 100)
    services.report_submit(unit=commune, month=JUNE, by=tree.users["official"])

    # Each request reads the report (submitted) and waits for the other before acting on it.
    barrier = threading.Barrier(2, timeout=20)
    real_find = services.find_report
    waited = threading.local()

    def find_then_wait(**kwargs):
        report = real_find(**kwargs)
        if not getattr(waited, "done", False):
            waited.done = True
            barrier.wait()
        return report

    monkeypatch.setattr(services, "find_report", find_then_wait)
    url = reverse("results:results_transition", args=[commune.pk, JUNE.key])
    grid = reverse("results:results_grid", args=[commune.pk, JUNE.key])
    clients = {}
    for key in ("district_staff", "district_staff2"):
        clients[key] = Client()
        clients[key].force_login(tree.users[key])
    responses: dict = {}

    def approve(key):
        try:
            responses[key] = clients[key].post(url, {"action": "approve", "next": grid})
        except Exception as exc:  # noqa: BLE001 - an error page would be the failure this test looks for
            responses[key] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(key,)) for key in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    monkeypatch.setattr(services, "find_report", real_find)

    assert {key: getattr(r, "status_code", r) for key, r in responses.items()} == {
        "district_staff": 302, "district_staff2": 302}
    report = real_find(unit=commune, month=JUNE)
    assert report.state == ReportState.APPROVED
    assert MonthlyReportEvent.objects.filter(report=report, action=ReportAction.APPROVE).count() == 1
    winner = "district_staff" if report.approved_by == tree.users["district_staff"] else "district_staff2"
    loser = "district_staff2" if winner == "district_staff" else "district_staff"

    # What each sees on the page they are sent back to.
    won = clients[winner].get(responses[winner].url)
    lost = clients[loser].get(responses[loser].url)
    assert won.status_code == lost.status_code == 200
    assert "Đã duyệt kết quả" in won.content.decode() and "số liệu đã khóa" in won.content.decode()
    text = lost.content.decode()
    name = tree.users[winner].first_name
    assert "Không duyệt được" in text and f"{name} vừa duyệt lúc" in text and "Hãy tải lại trang" in text
    assert "Đã duyệt kết quả" not in text
