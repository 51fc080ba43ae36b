"""The import's writing thread (agents/importing/run.py, _WriteBeside) on PostgreSQL: it writes on the run's
own connection, inside the run's transaction; while it writes, a query from the run's thread is refused
rather than interleaved with its COPY; its error is raised by wait()."""

import threading

import pytest
from django.db import connection, transaction

from agents.importing.rows import ImportOutcome
from agents.importing.run import _WriteBeside
from tests import services
from units.models import UnitLevel

pytestmark = [pytest.mark.services, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _postgresql():
    services.require_postgresql()


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_the_thread_writes_in_the_runs_transaction_and_other_queries_wait_for_it():
    writing, release, seen = threading.Event(), threading.Event(), {}
    writer = _WriteBeside(ImportOutcome(filename="ds.xlsx", dry_run=False))

    def write():
        seen["pid"] = _backend_pid()
        UnitLevel.objects.create(code="thu", name="Cấp thử", rank=99)
        writing.set()
        release.wait(10)

    with transaction.atomic():
        mine = _backend_pid()
        writer.start(write, then=lambda: seen.setdefault("then", threading.current_thread().name))
        try:
            assert writing.wait(10)
            with pytest.raises(RuntimeError, match="luồng ghi đang ghi"):
                UnitLevel.objects.count()
        finally:
            release.set()
            writer.wait()
        assert seen == {"pid": mine, "then": threading.main_thread().name}
        assert UnitLevel.objects.filter(code="thu").exists()  # the same transaction sees it
        transaction.set_rollback(True)
    assert not UnitLevel.objects.filter(code="thu").exists()  # undone with the run
    assert connection.execute_wrappers == []


def test_an_error_of_the_thread_is_raised_by_wait():
    writer = _WriteBeside(ImportOutcome(filename="ds.xlsx", dry_run=False))

    def write():
        raise ValueError("hỏng khi ghi")

    with transaction.atomic():
        writer.start(write, then=lambda: None)
        with pytest.raises(ValueError, match="hỏng khi ghi"):
            writer.wait()
        assert UnitLevel.objects.count() >= 0  # the connection is the run's own again
