"""The enrolment's unique (participant, product, start): the same enrolment twice is refused on every
database; on PostgreSQL its index also carries the end date and the "new" flag (migration 0022), so the
registry's count of people in force reads the index alone."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction

from agents.models import Enrolment, Participant, Product
from tests import services

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolment(district):
    commune = district.children.order_by("code").first()
    person = Participant.objects.create(bhxh_code="0100000001", full_name="Người Một", birth_date=D(1980, 1, 1),
                                        commune=commune)
    return Enrolment.objects.create(participant=person, product=Product.objects.get(code="bhyt_hgd"),
                                    valid_from=D(2024, 1, 1), valid_to=D(2024, 12, 31))


def _copy(enrolment: Enrolment) -> Enrolment:
    enrolment.pk = None
    return enrolment


def test_the_same_enrolment_twice_is_refused(enrolment):
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.bulk_create([_copy(enrolment)])
    assert Enrolment.objects.filter(participant=enrolment.participant).count() == 1


@pytest.mark.services
def test_on_postgresql_the_count_reads_the_index_alone(enrolment):
    services.require_postgresql()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'enrolment_unique_start'")
        assert cursor.fetchone()[0] == ("UNIQUE (participant_id, product_id, valid_from) "
                                        "INCLUDE (valid_to, is_new)")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN SELECT product_id, is_new, count(DISTINCT participant_id) FROM agents_enrolment "
                       "WHERE participant_id = %s AND valid_from <= %s AND (valid_to IS NULL OR valid_to >= %s) "
                       "GROUP BY 1, 2", [enrolment.participant_id, D(2024, 6, 30), D(2024, 6, 30)])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using enrolment_unique_start" in plan
