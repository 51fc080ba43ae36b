"""The grid save's other statements with their SQL compiled once per shape (bhxh_portal.compiled): the
stored rows of the cell's answer (a list of ids) and the version claim read and write what the ORM's
querysets read and write, afresh on every call."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bhxh_portal.compiled import _compiled_update, _compiled_values, rows_updated, value_rows
from results import services
from results.models import MonthlyResult
from results.selectors.grid import _StoredResult, _stored_of

from .results_fixtures import JUNE, MAY, build_district, enter, indicator

pytestmark = pytest.mark.django_db


def _orm_rows(units, code="bhyt"):
    return sorted(MonthlyResult.objects.filter(unit_id__in=units, indicator=indicator(code), year=2023,
                                               month__in=[5, 6]).order_by().values_list(*_StoredResult._fields))


def _compiled_rows(units, code="bhyt"):
    return sorted(value_rows(_stored_of, units=tuple(units), indicator=indicator(code).pk, year=2023, month=6,
                             year_before=2023, month_before=5))


def test_the_stored_rows_are_the_orms_for_every_number_of_units_and_see_every_write():
    tree = build_district(communes=1, villages=3, with_users=False)
    commune = tree.communes[0]
    villages = tree.villages[commune.pk]
    enter(villages[0], 10, new=4, renewing=None)
    enter(villages[1], 20, month=MAY)
    enter(commune, 7)
    enter(villages[2], 5, code="bhxh_tn")

    for units in ([commune.pk], [commune.pk, villages[0].pk], [commune.pk, *(v.pk for v in villages)]):
        assert _compiled_rows(units) == _orm_rows(units)
    assert _compiled_rows([commune.pk, *(v.pk for v in villages)]) == [
        (commune.pk, None, indicator("bhyt").pk, 2023, 6, 7, None, None, 1),
        (villages[0].pk, None, indicator("bhyt").pk, 2023, 6, 10, 4, None, 1),
        (villages[1].pk, None, indicator("bhyt").pk, 2023, 5, 20, None, None, 1)]

    compiled = _compiled_values.cache_info().misses
    enter(villages[0], 11)  # a write between two reads: the second call reads it, with the SQL it has
    assert (villages[0].pk, None, indicator("bhyt").pk, 2023, 6, 11, None, None, 2) in _compiled_rows(
        [commune.pk, villages[0].pk])
    assert _compiled_values.cache_info().misses == compiled


def test_the_version_claim_passes_once_for_the_version_read_and_never_for_a_stale_one():
    tree = build_district(communes=1, villages=1, with_users=False)
    row = enter(tree.villages[tree.communes[0].pk][0], 10)
    assert row.version == 1

    assert services.rows_updated(services._version_claim, row=row.pk, version=1, claimed=2) == 1
    compiled = _compiled_update.cache_info().misses
    assert services.rows_updated(services._version_claim, row=row.pk, version=1, claimed=2) == 0  # taken
    assert _compiled_update.cache_info().misses == compiled
    row.refresh_from_db()
    assert (row.version, row.participants) == (2, 10)


def test_a_save_runs_the_same_statements_and_shows_its_figure_at_once():
    tree = build_district(communes=1, villages=1, with_users=False)
    village = tree.villages[tree.communes[0].pk][0]
    enter(village, 10)
    with CaptureQueriesContext(connection) as queries:
        outcome = services.result_set_field(unit=village, indicator=indicator("bhyt"), month=JUNE,
                                            field="participants", value=12, expected_version=1)
    claims = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE") and "SET \"version\"" in q["sql"]]
    assert len(claims) == 1
    assert outcome.changed and outcome.result.participants == 12 and outcome.result.version == 2
    assert MonthlyResult.objects.get(pk=outcome.result.pk).participants == 12
    with pytest.raises(services.StaleResult):  # the version the user saw is gone: refused, not applied
        services.result_set_field(unit=village, indicator=indicator("bhyt"), month=JUNE, field="participants",
                                  value=13, expected_version=1)
    assert MonthlyResult.objects.get(pk=outcome.result.pk).participants == 12


def test_a_list_value_must_be_parameters_of_the_sql_as_given():
    def drops_the_list(*, units: tuple[int, ...], year: int):
        return MonthlyResult.objects.filter(year=year).order_by().values_list("pk")

    with pytest.raises(ValueError):
        value_rows(drops_the_list, units=(1, 2), year=2023)

    def adds_to_the_value(*, row: int, version: int):
        return MonthlyResult.objects.filter(pk=row), {"version": version + 1}  # a value the SQL carries changed

    with pytest.raises(ValueError):
        rows_updated(adds_to_the_value, row=1, version=1)
