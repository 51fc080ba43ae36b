"""The import's questions to the registry asked on a connection of their own (agents/importing/run.py,
_AskBeside) while the run's connection writes the batch before, on PostgreSQL when the run's transaction is
the outermost (as in a job). That connection does not see the run's uncommitted rows: the register answers
for every person the run has named, so the batch tests of test_import_batches pass here unchanged, their
data committed as a job's would be."""

import threading
import time

import pytest
from django.db import OperationalError, connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from agents.importers import ParticipantImport
from agents.importing import run as import_run
from agents.importing.reconcile import Reconciler
from agents.models import Enrolment, Participant
from tests import services
from tests.agents.test_import_batches import (  # noqa: F401 - the same tests, run here with committed data
    other,
    test_a_code_a_new_person_gains_in_a_later_batch_is_written,
    test_a_code_a_person_of_an_earlier_batch_gains_later_is_accepted_when_the_registry_has_it_for_them,
    test_a_code_a_person_of_an_earlier_batch_gains_later_is_checked_against_the_registry,
    test_a_code_a_registered_person_gains_in_a_later_batch_is_checked_against_the_registry,
    test_a_code_a_registered_person_gains_in_a_later_batch_is_written_and_nothing_else_is,
    test_a_commit_in_batches_writes_what_one_batch_writes_and_a_second_run_writes_nothing,
    test_a_failure_while_writing_a_later_batch_undoes_the_batches_already_written,
    test_a_later_row_naming_a_registered_person_by_their_other_code_is_compared_with_their_first,
    test_a_problem_in_the_last_batch_undoes_the_batches_already_written,
    test_a_registered_person_named_by_each_code_in_turn_is_one_person,
    test_one_person_on_rows_of_two_batches_is_one_participant_with_two_enrolments,
    test_the_same_enrolment_in_two_batches_is_a_duplicate_naming_the_first_line,
)
from tests.agents.test_import_participants import person, xlsx

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _every_written_run_asks_beside(monkeypatch):
    """Each test here that writes does so with its questions asked beside (else it would test nothing new)."""
    services.require_postgresql()
    asked, written = [], []
    call, write = import_run._AskBeside.call, Reconciler.write

    def asking(self, function, *args):
        # The registry's questions (Reconciler.match_registry as the test may have wrapped it), not only
        # the connection's opening.
        asked.append(getattr(function, "__func__", None) is Reconciler.match_registry)
        return call(self, function, *args)

    def writing(self, *args, **kwargs):
        written.append(1)
        return write(self, *args, **kwargs)

    monkeypatch.setattr(import_run._AskBeside, "call", asking)
    monkeypatch.setattr(Reconciler, "write", writing)
    yield written
    if written:
        assert any(asked)


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _import(staff, district, rows):
    return ParticipantImport(user=staff, scope=district, dry_run=False, batch_size=2).run(
        xlsx(rows), filename="ds.xlsx")[0]


def test_the_registry_is_asked_on_another_connection_while_the_run_writes_on_its_own(district, staff,
                                                                                      monkeypatch):
    _import(staff, district, [person(code="0112345699", cccd=None, name="Người Đã Có")])
    seen = {"ask": set(), "write": set()}
    match_registry, write = Reconciler.match_registry, Reconciler.write

    def matching(self, header):
        seen["ask"].add((threading.current_thread().name, _backend_pid()))
        return match_registry(self, header)

    def writing(self, rows, header, outcome, **batch):
        seen["write"].add((threading.current_thread().name, _backend_pid()))
        return write(self, rows, header, outcome, **batch)

    monkeypatch.setattr(Reconciler, "match_registry", matching)
    monkeypatch.setattr(Reconciler, "write", writing)
    run_pid = _backend_pid()
    outcome = _import(staff, district, [
        person(), other(1), other(2), person(start="01/10/2021"), other(3),
        person(code="0112345699", cccd="001090012399", name="Người Đã Có")])

    assert (outcome.committed, outcome.invalid, outcome.new, outcome.updated) == (True, 0, 5, 1)
    assert (outcome.participants_created, outcome.participants_updated) == (4, 1)
    (ask_thread, ask_pid), = seen["ask"]
    (write_thread, write_pid), = seen["write"]
    assert ask_thread.startswith("import-ask") and write_thread == "import-write"
    assert write_pid == run_pid != ask_pid  # the run's connection writes, another asks
    assert Participant.objects.get(bhxh_code="0112345699").personal_id == "001090012399"
    assert Enrolment.objects.filter(participant__bhxh_code="0112345678").count() == 2
    assert not [t for t in threading.enumerate() if t.name.startswith("import-ask")]
    assert _gone(ask_pid)  # the asking connection is closed with the run


def _gone(pid: int) -> bool:
    """The backend has left (it ends a moment after its client closes the connection)."""
    for _ in range(50):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone()[0] == 0:
                return True
        time.sleep(0.05)
    return False


def test_inside_a_callers_transaction_the_run_asks_on_its_own_connection(district, staff, monkeypatch,
                                                                         _every_written_run_asks_beside):
    """A caller's uncommitted rows are invisible to another connection: there the run asks on its own."""
    pids = set()
    match_registry = Reconciler.match_registry

    def matching(self, header):
        pids.add(_backend_pid())
        return match_registry(self, header)

    monkeypatch.setattr(Reconciler, "match_registry", matching)
    with transaction.atomic():
        _import(staff, district, [person(code="0112345699", cccd=None, name="Người Chưa Lưu")])
        outcome = _import(staff, district, [
            other(1), other(2), person(code="0112345699", cccd="001090012399", name="Người Chưa Lưu")])
        assert pids == {_backend_pid()}
        assert (outcome.invalid, outcome.participants_created, outcome.participants_updated) == (0, 2, 1)
        assert Participant.objects.get(bhxh_code="0112345699").personal_id == "001090012399"
        transaction.set_rollback(True)
    _every_written_run_asks_beside.clear()  # written without asking beside, as it must be here


def test_without_a_second_connection_the_run_asks_on_its_own(district, staff, monkeypatch, caplog,
                                                            _every_written_run_asks_beside):
    """All the server's connections taken: the import goes on, asking on the run's connection."""
    ensure_connection = BaseDatabaseWrapper.ensure_connection

    def refused_beside(self):
        if threading.current_thread().name.startswith("import-ask"):
            raise OperationalError("FATAL: sorry, too many clients already")
        return ensure_connection(self)

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refused_beside)
    pids = set()
    match_registry = Reconciler.match_registry

    def matching(self, header):
        pids.add((threading.current_thread().name, _backend_pid()))
        return match_registry(self, header)

    monkeypatch.setattr(Reconciler, "match_registry", matching)
    outcome = _import(staff, district, [person(), other(1), other(2)])
    assert (outcome.committed, outcome.invalid, outcome.participants_created) == (True, 0, 3)
    assert pids == {(threading.main_thread().name, _backend_pid())}
    assert "không mở được kết nối thứ hai" in caplog.text
    assert not [t for t in threading.enumerate() if t.name.startswith("import-ask")]
    _every_written_run_asks_beside.clear()
