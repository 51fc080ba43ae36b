"""agents.bulk.foreign_keys_checked_at_once on PostgreSQL: inside the block a row whose foreign key points
nowhere is refused by the statement that writes it, not at the commit; after the block the constraint is
deferred again (checked at the commit, as Django makes it)."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from agents.bulk import foreign_keys_checked_at_once
from agents.models import Participant
from tests import services

pytestmark = [pytest.mark.services, pytest.mark.django_db]

NOWHERE = 2_000_000_000


@pytest.fixture(autouse=True)
def _postgresql():
    services.require_postgresql()


def _orphan(n: int) -> list[Participant]:
    return [Participant(full_name="Người Không Xã", birth_date=datetime.date(1980, 1, 1), commune_id=NOWHERE,
                        bhxh_code=f"99{n:08d}", personal_id=f"0019{n:08d}")]


def test_inside_the_block_the_statement_that_writes_an_orphan_is_refused():
    with transaction.atomic():
        with foreign_keys_checked_at_once(Participant.commune.field):
            with pytest.raises(IntegrityError, match="commune"):
                with transaction.atomic():
                    Participant.objects.bulk_create(_orphan(1))
        assert not Participant.objects.filter(commune_id=NOWHERE).exists()


def test_after_the_block_the_check_waits_for_the_commit_again():
    with transaction.atomic():
        with foreign_keys_checked_at_once(Participant.commune.field):
            pass
        Participant.objects.bulk_create(_orphan(2))  # deferred: not refused by the statement
        assert Participant.objects.filter(commune_id=NOWHERE).count() == 1
        transaction.set_rollback(True)  # nothing is committed, so nothing is checked

