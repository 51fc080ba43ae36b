"""The grid save's reads with their SQL compiled once per shape (bhxh_portal.compiled): the same rows
as the ORM's queryset, read afresh on every call, the report still locked."""

import pytest
from django.db import connection, transaction
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from bhxh_portal.compiled import _compiled, first_row
from results import services
from results.models import MonthlyResult
from tests.factories import make_collection_agent

from .results_fixtures import JUNE, MAY, build_district, enter, indicator

pytestmark = pytest.mark.django_db


def _orm(unit, month, agent=None, code="bhyt"):
    return MonthlyResult.objects.filter(unit=unit, agent=agent, indicator=indicator(code), year=month.year,
                                        month=month.number).order_by("pk").first()


def test_find_result_reads_the_rows_the_orm_reads_and_sees_every_write():
    tree = build_district(communes=1, villages=1, with_users=False)
    commune = tree.communes[0]
    village = tree.villages[commune.pk][0]
    agent = make_collection_agent(commune)
    enter(village, 10)
    enter(commune, 7, agent=agent)
    enter(commune, 3)

    for unit, agent_or_none in [(village, None), (commune, agent), (commune, None)]:
        found = services.find_result(unit=unit, indicator=indicator("bhyt"), month=JUNE, agent=agent_or_none)
        expected = _orm(unit, JUNE, agent_or_none)
        assert model_to_dict(found) == model_to_dict(expected) and found.pk == expected.pk
        assert found.updated_at == expected.updated_at and not found._state.adding
    assert services.find_result(unit=village, indicator=indicator("bhyt"), month=MAY) is None
    assert services.find_result(unit=village, indicator=indicator("bhxh_tn"), month=JUNE) is None

    compiled = _compiled.cache_info().misses
    enter(village, 11)  # a write between two reads: the second call reads it, with the SQL it has
    found = services.find_result(unit=village, indicator=indicator("bhyt"), month=JUNE)
    assert (found.participants, found.version) == (11, 2)
    assert _compiled.cache_info().misses == compiled


def test_the_report_is_still_read_under_its_lock():
    tree = build_district(communes=1, villages=1, with_users=False)
    commune = tree.communes[0]
    enter(tree.villages[commune.pk][0], 10)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        report = services._report_for_update(commune, JUNE)
    assert (report.unit, report.year, report.month) == (commune, 2023, 6)
    if connection.features.has_select_for_update:
        assert queries.captured_queries[-1]["sql"].endswith("FOR UPDATE")


def test_a_value_the_sql_does_not_carry_as_a_parameter_is_refused():
    def ignores_year(*, unit: int, year: int):
        return MonthlyResult.objects.filter(unit_id=unit).order_by("pk")

    with pytest.raises(ValueError):
        first_row(ignores_year, unit=1, year=2023)
