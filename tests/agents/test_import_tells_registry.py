"""The import tells the apps that keep figures on the registry (agents.signals.registry_changed) of every
participant it wrote, once, at its end. On PostgreSQL they are noted batch by batch in a temporary table
of the run's transaction, which the receivers read as a subquery and which goes with the transaction."""

import pytest
from django.db import connection, transaction

from agents.importers import ParticipantImport
from agents.models import Participant
from agents.signals import registry_changed
from tests import services
from tests.agents.test_import_batches import other
from tests.agents.test_import_participants import person, xlsx

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def told():
    services.require_postgresql()
    heard = []

    def receiver(sender, participant_ids=(), **kwargs):
        # Read in the run's transaction, as the drive's receiver reads them.
        heard.append(sorted(Participant.objects.filter(pk__in=participant_ids).values_list("bhxh_code", flat=True)))

    registry_changed.connect(receiver, weak=False)
    yield heard
    registry_changed.disconnect(receiver)


def _table_exists() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('pg_temp.import_written_participants') IS NOT NULL")
        return cursor.fetchone()[0]


def test_every_participant_written_in_every_batch_is_told_once_and_the_table_goes_with_the_run(district, staff,
                                                                                              told):
    rows = [person(), other(1), other(2), person(start="01/10/2021"), other(3)]

    outcome = ParticipantImport(user=staff, scope=district, dry_run=False, batch_size=2).run(
        xlsx(rows), filename="ds.xlsx")[0]

    assert (outcome.committed, outcome.invalid, outcome.participants_created) == (True, 0, 4)
    assert told == [["0112345601", "0112345602", "0112345603", "0112345678"]]
    assert not _table_exists()


def test_a_second_run_in_a_callers_transaction_tells_only_its_own(district, staff, told):
    with transaction.atomic():
        ParticipantImport(user=staff, scope=district, dry_run=False, batch_size=2).run(
            xlsx([person(), other(1)]), filename="a.xlsx")
        ParticipantImport(user=staff, scope=district, dry_run=False, batch_size=2).run(
            xlsx([other(2), other(3)]), filename="b.xlsx")
        assert _table_exists()  # until the caller's transaction ends
        transaction.set_rollback(True)

    assert told == [["0112345601", "0112345678"], ["0112345602", "0112345603"]]
    assert not _table_exists()
