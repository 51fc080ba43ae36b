"""agents.bulk.values_where_in: the rows of many keys in one query on PostgreSQL (in batches elsewhere),
unsorted whatever the model's ordering, since the import indexes the answers by key."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agents import bulk
from agents.models import Participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(district):
    commune = district.children.order_by("code").first()
    return Participant.objects.bulk_create(
        Participant(bhxh_code=f"{9 - i % 10}{i:09d}", full_name=f"Người {30 - i:02d}",
                    birth_date=datetime.date(1980, 1, 1), commune=commune) for i in range(30))


def test_the_rows_of_the_keys_and_none_other_in_a_query_that_sorts_nothing(people):
    wanted = [p.bhxh_code for p in people[::2]] + ["0000000000"]

    with CaptureQueriesContext(connection) as queries:
        found = bulk.values_where_in(Participant.objects.all(), "bhxh_code", wanted, ["id", "bhxh_code", "full_name"],
                                     batch_size=4)

    assert Participant._meta.ordering  # the model sorts by default; the import's lookups do not
    assert sorted((r["id"], r["bhxh_code"], r["full_name"]) for r in found) == sorted(
        (p.pk, p.bhxh_code, p.full_name) for p in people[::2])
    assert len(queries) == (1 if connection.vendor == "postgresql" else 4)
    assert not [q["sql"] for q in queries if "ORDER BY" in q["sql"]]


def test_no_keys_ask_nothing(people):
    with CaptureQueriesContext(connection) as queries:
        assert bulk.values_where_in(Participant.objects.all(), "bhxh_code", [], ["id"]) == []
    assert len(queries) == 0
