"""The participant's folded name has one index, for the prefix search (LIKE 'x%'), on every database; on
PostgreSQL a prefix search of the name uses it."""

import pytest
from django.db import connection

from agents.models import Participant
from tests import services

pytestmark = pytest.mark.django_db


def _search_name_indexes() -> dict[str, dict]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, Participant._meta.db_table)
    return {name: info for name, info in found.items() if info["columns"] == ["search_name"] and info["index"]}


def test_one_index_on_the_folded_name():
    assert list(_search_name_indexes()) == ["participant_search_name_like"]


@pytest.mark.services
def test_a_prefix_search_of_the_name_uses_it():
    services.require_postgresql()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN SELECT id FROM agents_participant WHERE search_name LIKE 'nguyen van%'")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "participant_search_name_like" in plan
