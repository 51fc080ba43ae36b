"""The tally's triggers (agents/migrations/0023) plan each statement with its transition tables' real sizes,
whatever the session ran before: a plan kept from a first one-row edit joined the old and new rows of a
later large statement pair by pair. PostgreSQL's auto_explain shows the plan each trigger query ran."""

import datetime

import pytest
from django.db import connection

from agents.models import Enrolment, Participant, Product
from agents.registry_tally import registry_count_direct, registry_tally
from tests import services
from tests.factories import make_unit

D = datetime.date
pytestmark = [pytest.mark.services, pytest.mark.django_db]
PEOPLE = 400


@pytest.fixture
def commune(district):
    services.require_postgresql()
    return district.children.order_by("code").first()


@pytest.fixture
def people(commune):
    product = Product.objects.get(code="bhyt_hgd")
    participants = Participant.objects.bulk_create(
        Participant(bhxh_code=f"{i:010d}", full_name=f"Người {i}", birth_date=D(1980, 1, 1), commune=commune)
        for i in range(1, PEOPLE + 1))
    Enrolment.objects.bulk_create(Enrolment(participant=p, product=product, valid_from=D(2024, 1, 1))
                                  for p in participants)
    return participants


def counted(unit, month) -> dict:
    return {key: people for key, people in registry_tally(unit=unit, month=month).items() if people}


def _plans_of(statement: str) -> list[str]:
    """The plans of the trigger queries `statement` ran (auto_explain's notices, nested statements included)."""
    raw = connection.connection
    with connection.cursor() as cursor:
        cursor.execute("LOAD 'auto_explain'")
        cursor.execute("SET LOCAL auto_explain.log_min_duration = 0")
        cursor.execute("SET LOCAL auto_explain.log_nested_statements = on")
        cursor.execute("SET LOCAL auto_explain.log_analyze = on")
        cursor.execute("SET LOCAL auto_explain.log_level = notice")
        del raw.notices[:]
        cursor.execute(statement)
        plans = [notice for notice in raw.notices if "FROM old_rows o JOIN new_rows n" in notice]
        cursor.execute("SET LOCAL auto_explain.log_min_duration = -1")
    return plans


def _forget_plans() -> None:
    """The session's kept plans dropped: the one-row edits below are the first runs of the triggers, whatever
    the tests before ran on this connection."""
    with connection.cursor() as cursor:
        cursor.execute("DISCARD PLANS")


def test_a_large_move_after_one_row_edits_joins_its_rows_by_hash_and_is_tallied(commune, people):
    other = make_unit("Xã Mới", parent=commune.parent)
    _forget_plans()
    for participant in people[:3]:  # the session's first runs of the trigger: one row each
        Participant.objects.filter(pk=participant.pk).update(household_code=f"HGD-{participant.pk}")
    assert counted(other, D(2024, 6, 1)) == {}

    [plan] = _plans_of(f"UPDATE agents_participant SET commune_id = {other.pk} WHERE commune_id = {commune.pk}")

    assert "Hash Join" in plan and "Nested Loop" not in plan
    assert "Rows Removed by Join Filter" not in plan  # no pair of rows compared one by one
    product = Product.objects.get(code="bhyt_hgd").pk
    assert counted(other, D(2024, 6, 1)) == {(product, True): PEOPLE}
    assert registry_count_direct(unit=other, month=D(2024, 6, 1)) == {(product, True): PEOPLE}


def test_a_large_change_of_enrolments_after_one_row_edits_joins_its_rows_by_hash_and_is_tallied(commune, people):
    enrolments = list(Enrolment.objects.order_by("pk").values_list("pk", flat=True))
    _forget_plans()
    for pk in enrolments[:3]:
        Enrolment.objects.filter(pk=pk).update(months=3)
    month = D(2024, 6, 1)
    product = Product.objects.get(code="bhyt_hgd").pk
    assert counted(commune, month) == {(product, True): PEOPLE}

    [plan] = _plans_of(f"UPDATE agents_enrolment SET valid_to = '2024-03-31' WHERE participant_id IN "
                       f"(SELECT id FROM agents_participant WHERE commune_id = {commune.pk})")

    assert "Hash Join" in plan
    assert "Rows Removed by Join Filter" not in plan  # no pair of rows compared one by one
    assert counted(commune, month) == {}
    assert registry_count_direct(unit=commune, month=month) == {}
