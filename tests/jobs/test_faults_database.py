"""Faults: the PostgreSQL connection lost in the middle of a participant import's write.

The backend is terminated (pg_terminate_backend, from another connection) while the import's
write transaction is open, participants already written in it: PostgreSQL rolls it back, so the
counts and the stored values are those of before; the job is marked failed, on a new connection,
with a Vietnamese message saying that nothing was written; the worker carries on with the next job.
The shared PostgreSQL server is never restarted: only the import's own backend is ended.
"""

import threading

import psycopg2
import pytest
from django.db import connection
from django.test import Client

from agents import bulk
from agents.models import Enrolment, Participant
from agents.samples import participant_rows, write_csv
from jobs import services as jobs
from jobs.services import DATABASE_LOST_MESSAGE, job_create, job_execute
from jobs.models import Job
from jobs.tasks import run_job
from units.models import Role
from tests import services
from tests.factories import make_member

from . import fault_kinds

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _postgresql():
    services.require_postgresql()


def _terminate(pid: int) -> bool:
    """End one backend from a connection of our own (the superuser of the test database)."""
    db = connection.settings_dict
    other = psycopg2.connect(dbname=db["NAME"], user=db["USER"] or "postgres", host=db["HOST"] or "127.0.0.1",
                             port=db["PORT"] or 5432, password=db["PASSWORD"] or None)
    try:
        other.autocommit = True
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            return cursor.fetchone()[0]
    finally:
        other.close()


def _snapshot():
    return (Participant.objects.count(), Enrolment.objects.count(),
            list(Participant.objects.order_by("pk").values_list("pk", "bhxh_code", "full_name", "last_import_id")),
            list(Enrolment.objects.order_by("pk").values_list("pk", "chosen_income", "last_import_id")))


def _commit_job(kind, staff, district, data, **params):
    return job_create(kind=kind, requested_by=staff, unit=district, input_name="ds.csv", input_bytes=data,
                      params={"dry_run": False, **params})


def test_connection_lost_while_an_import_writes_leaves_nothing_and_the_job_says_so(import_area, monkeypatch):
    district, areas = import_area
    staff = make_member(district, Role.BHXH_STAFF)
    rows = participant_rows(count=200, areas=areas, province_code="02")
    done = _commit_job("agents.participant_import", staff, district, write_csv(rows[:120]))
    assert job_execute(job_id=done.pk) == "succeeded"
    done.refresh_from_db()
    before = _snapshot()
    assert before[:2] == (done.result["participants_created"], 120)

    # The same 120 people, their enrolments changed (new ↔ renewing), and 80 new people, in one file.
    changed = [[*row[:17], "Tái tục" if row[17] == "Mới" else "Mới", *row[18:]] for row in rows[:120]]
    job = _commit_job("agents.participant_import", staff, district, write_csv(changed + rows[120:]))

    real_insert = bulk.bulk_insert
    terminated = []

    def insert_then_lose_the_connection(model, *args, **kwargs):
        result = real_insert(model, *args, **kwargs)
        if not terminated:  # the new participants are written, inside the open transaction
            assert connection.in_atomic_block
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                terminated.append(_terminate(cursor.fetchone()[0]))
        return result

    monkeypatch.setattr(bulk, "bulk_insert", insert_then_lose_the_connection)
    assert job_execute(job_id=job.pk) == "failed"
    assert terminated == [True], Job.objects.get(pk=job.pk).message

    job = Job.objects.get(pk=job.pk)
    assert (job.state, job.message) == ("failed", DATABASE_LOST_MESSAGE)
    assert job.message.startswith("Mất kết nối tới cơ sở dữ liệu") and "không có dữ liệu nào được ghi dở" in job.message
    assert "OperationalError" in job.error and job.finished_at is not None
    assert _snapshot() == before  # nothing half-written: no new participant, no changed enrolment
    assert not Enrolment.objects.filter(last_import=job).exists()

    client = Client()
    client.force_login(staff)
    page = client.get(f"/nguoi-tham-gia/nhap/{job.pk}/").content.decode()
    assert "Thất bại" in page and "Mất kết nối tới cơ sở dữ liệu" in page


def test_connection_lost_between_two_steps_of_an_import_is_recorded_on_a_new_connection(import_area, monkeypatch):
    """Outside the write transaction (the job has started, the file is not read yet) nothing rolls the
    connection back or closes it: the job's outcome must still be written, on a new connection, not left
    running. (Once reading starts, checking and writing share one transaction, and progress is written by a
    thread on a connection of its own: the cut is made on the import's connection, in the import's thread.)"""
    district, areas = import_area
    staff = make_member(district, Role.BHXH_STAFF)
    job = _commit_job("agents.participant_import", staff, district,
                      write_csv(participant_rows(count=50, areas=areas, province_code="02")))
    real_progress = jobs.job_progress
    cut = []

    def progress_after_losing_the_connection(*, job, pct, message=""):
        if pct >= 2 and not cut and threading.current_thread() is threading.main_thread():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                cut.append(_terminate(cursor.fetchone()[0]))
        real_progress(job=job, pct=pct, message=message)

    monkeypatch.setattr(jobs, "job_progress", progress_after_losing_the_connection)
    assert job_execute(job_id=job.pk) == "failed"
    assert cut == [True]
    job.refresh_from_db()
    assert (job.state, job.message) == ("failed", DATABASE_LOST_MESSAGE)
    assert (Participant.objects.count(), Enrolment.objects.count()) == (0, 0)


def test_a_worker_whose_database_connection_is_cut_mid_import_fails_the_job_and_carries_on(stack, import_area,
                                                                                          tmp_path):
    district, areas = import_area
    staff = make_member(district, Role.BHXH_STAFF)
    data = write_csv(participant_rows(count=300, areas=areas, province_code="02"))
    marker, release = tmp_path / "paused", tmp_path / "release"
    job = _commit_job(fault_kinds.IMPORT_PAUSE, staff, district, data, pause_marker=str(marker),
                      release=str(release), pause_s=30)
    stack.worker()
    stack.send(run_job, job.pk)
    services.wait_for(marker.exists, timeout=40, what=f"nhập dừng giữa lúc ghi\n{stack.worker_output()}")

    assert _terminate(int(marker.read_text()))  # the worker's backend, inside the write transaction
    release.touch()
    failed = stack.wait_finished(job)

    assert (failed.state, failed.message) == ("failed", DATABASE_LOST_MESSAGE), failed.error
    assert (Participant.objects.count(), Enrolment.objects.count()) == (0, 0)

    # The same worker takes the next job on a new connection.
    runs = tmp_path / "runs.log"
    following = job_create(kind=fault_kinds.SLOW, requested_by=staff, params={"steps": 2, "delay": 0.05,
                                                                             "runs_log": str(runs)})
    stack.send(run_job, following.pk)
    assert stack.wait_finished(following).state == "succeeded"
