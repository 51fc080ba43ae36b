"""Two people at the same moment, in two real database connections (PostgreSQL: row locks and a
conditional UPDATE decide; SQLite serialises writers and is covered by the stale-version tests):
of two saves of one cell from the same version exactly one lands; of two approvals one wins."""

import threading

import pytest
from django.db import connections

from results.models import MonthlyReportEvent, MonthlyResult, ReportAction, ReportState
from results import services as services
from tests.services import require_postgresql

from .results_fixtures import JUNE, build_district, enter, indicator

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.services,
]


@pytest.fixture(autouse=True)
def _postgresql():
    require_postgresql()


def race(*calls):
    """Run the calls at the same moment, each in its own thread (its own connection)."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = ("ok", call())
        except Exception as exc:  # noqa: BLE001 — the outcome is what the test looks at
            outcomes[index] = ("refused", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


def test_two_saves_of_the_same_cell_from_the_same_version_one_lands_the_other_is_told():
    tree = build_district(communes=2, villages=1)
    commune = tree.communes[0]
    result = enter(commune, 100)
    bhyt = indicator("bhyt")

    def save(value, user):
        return lambda: services.result_save(unit=commune, indicator=bhyt, month=JUNE, participants=value,
                                            expected_version=result.version, by=user)

    outcomes = race(save(110, tree.users["official"]), save(120, tree.users["official2"]))

    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["ok", "refused"], outcomes
    refusal = next(o for kind, o in outcomes if kind == "refused")
    assert isinstance(refusal, services.StaleResult)
    stored = MonthlyResult.objects.get(pk=result.pk)
    assert stored.version == 2 and stored.participants in (110, 120)
    assert refusal.current.participants == stored.participants
    assert stored.history.count() == 2


def test_two_approvers_at_once_one_wins():
    tree = build_district(communes=2, villages=1)
    commune = tree.communes[0]
    enter(commune, 100)
    services.report_submit(unit=commune, month=JUNE, by=tree.users["official"])
    report = services.find_report(unit=commune, month=JUNE)

    outcomes = race(lambda: services.report_approve(report=services.find_report(unit=commune, month=JUNE),
                                                    by=tree.users["district_staff"]),
                    lambda: services.report_approve(report=services.find_report(unit=commune, month=JUNE),
                                                    by=tree.users["district_staff2"]))

    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    assert isinstance(next(o for kind, o in outcomes if kind == "refused"), services.TransitionConflict)
    report.refresh_from_db()
    assert report.state == ReportState.APPROVED
    assert MonthlyReportEvent.objects.filter(report=report, action=ReportAction.APPROVE).count() == 1
