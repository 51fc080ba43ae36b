"""Faults: the Celery worker killed (kill -9) in the middle of a job, on the real stack (a private
Redis started by the test, PostgreSQL, real workers). The job is run again by another worker (the
broker hands the unacknowledged message over: acks_late), or sent again by the sweep, or marked
failed with its reason once it has had its runs; never left "running". An import killed in the
middle of its write transaction leaves nothing behind, and its second run writes each row once.

Each test starts its own redis-server (never the shared one) and its own workers on a queue of
its own, and waits with bounded waits only.
"""

import datetime
import os
import signal

import pytest
from django.db import connection
from django.utils import timezone

from agents.models import Enrolment, Participant
from agents.samples import participant_rows, write_csv
from jobs.services import job_create, job_sweep_stale
from jobs.models import Job
from jobs.tasks import run_job, sweep_stale_jobs
from units.models import Role
from tests import services
from tests.factories import make_member, make_unit

from . import fault_kinds

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

@pytest.fixture
def staff():
    return make_member(make_unit("Tỉnh Thử", level_code="tinh", code="01"), Role.BHXH_STAFF)


def _job(job_id) -> Job:
    return Job.objects.get(pk=job_id)


def _wait_running_with_progress(stack, job, timeout=30) -> Job:
    return services.wait_for(lambda: (j := _job(job.pk)).state == "running" and j.progress_pct > 0 and j,
                             timeout=timeout, what=f"công việc #{job.pk} chạy và có tiến độ\n{stack.worker_output()}")


def _wait_heartbeat_older_than(job, seconds: float) -> None:
    services.wait_for(lambda: _job(job.pk).heartbeat_at < timezone.now() - datetime.timedelta(seconds=seconds),
                      timeout=seconds + 10, what="tín hiệu của công việc cũ đi")


def test_a_worker_killed_mid_job_hands_it_to_another_worker_which_runs_it_again(stack, staff, tmp_path):
    runs = tmp_path / "runs.log"
    job = job_create(kind=fault_kinds.SLOW, requested_by=staff,
                     params={"steps": 25, "delay": 0.2, "runs_log": str(runs)})
    first = stack.worker()
    stack.send(run_job, job.pk)
    _wait_running_with_progress(stack, job)

    services.kill_worker(first)
    killed = _job(job.pk)
    assert (killed.state, killed.attempts) == ("running", 1) and 0 < killed.progress_pct < 100
    # The heartbeat stopped with the worker; once it is stale the job is free to be taken over.
    _wait_heartbeat_older_than(job, 3)

    # A second worker: the broker gives it the message the dead worker never acknowledged
    # (visibility timeout shortened for the test; 1 hour in production).
    stack.worker(CELERY_VISIBILITY_TIMEOUT=1, CELERY_UNACKED_RESTORE_INTERVAL=1, CELERY_UNACKED_RESTORE_THROTTLE=1)
    done = stack.wait_finished(job)

    assert (done.state, done.progress_pct, done.message, done.attempts) == ("succeeded", 100, "Xong 25 bước", 2)
    pids = runs.read_text().split()
    assert len(pids) == 2 and pids[0] != pids[1] and done.result["pid"] == int(pids[1])


def test_a_job_killed_twice_is_failed_with_its_reason_and_not_run_again(stack, staff, tmp_path, settings):
    runs = tmp_path / "runs.log"
    job = job_create(kind=fault_kinds.SLOW, requested_by=staff,
                     params={"steps": 25, "delay": 0.2, "runs_log": str(runs)})
    Job.objects.filter(pk=job.pk).update(attempts=1)  # its first run already died once
    first = stack.worker()
    stack.send(run_job, job.pk)
    _wait_running_with_progress(stack, job)
    services.kill_worker(first)
    _wait_heartbeat_older_than(job, 2)

    # The sweep (Celery beat in production) with a short staleness: no runs left, so failed.
    settings.JOBS_STALE_AFTER_SECONDS = 2
    outcome = job_sweep_stale()
    assert (outcome.failed, outcome.retried) == (1, 0)
    failed = _job(job.pk)
    assert failed.state == "failed" and failed.finished_at is not None
    assert failed.message.startswith("Công việc bị gián đoạn 2 lần: máy chủ xử lý dừng giữa chừng")
    assert "không có tín hiệu từ máy chủ xử lý trong 2 giây" in failed.message

    # The message the dead worker held comes back to a new worker: the job is not run again.
    stack.worker(CELERY_VISIBILITY_TIMEOUT=1, CELERY_UNACKED_RESTORE_INTERVAL=1, CELERY_UNACKED_RESTORE_THROTTLE=1)
    services.wait_for(lambda: _broker_holds_nothing(stack), timeout=20,
                      what=f"tin nhắn của worker đã chết được giao lại và xử lý\n{stack.worker_output()}")
    assert len(runs.read_text().split()) == 1
    assert _job(job.pk).state == "failed"

    # The user reads the reason on the job's page.
    from django.test import Client

    client = Client()
    client.force_login(staff)
    page = client.get(f"/cong-viec/{job.pk}/").content.decode()
    assert "Thất bại" in page and "bị gián đoạn 2 lần" in page


def _broker_holds_nothing(stack) -> bool:
    """No message left unacknowledged or waiting in the private Redis."""
    import redis

    client = redis.Redis.from_url(stack.broker)
    return client.hlen("unacked") == 0 and not any(client.llen(key) for key in client.keys("test-*"))


def test_a_worker_process_killed_by_the_system_is_noticed_by_the_sweep_and_run_again(stack, staff, tmp_path,
                                                                                     settings):
    """Production runs prefork workers: the out-of-memory killer ends the child running the job, the
    main process acknowledges the message as lost (WorkerLostError) and starts a new child. The job's
    heartbeat stopped: the sweep sends it again and the new child runs it."""
    runs = tmp_path / "runs.log"
    job = job_create(kind=fault_kinds.SLOW, requested_by=staff,
                     params={"steps": 20, "delay": 0.2, "runs_log": str(runs)})
    stack.worker(pool="prefork", JOBS_STALE_AFTER_SECONDS=2)
    stack.send(run_job, job.pk)
    _wait_running_with_progress(stack, job)
    child = int(runs.read_text().split()[0])  # the job runs in the child process
    os.kill(child, signal.SIGKILL)
    _wait_heartbeat_older_than(job, 2)
    assert _job(job.pk).state == "running"  # nothing else would ever change it

    stack.send(sweep_stale_jobs)  # as Celery beat does every JOBS_SWEEP_EVERY_SECONDS
    done = stack.wait_finished(job)
    assert (done.state, done.attempts, done.message) == ("succeeded", 2, "Xong 20 bước"), done.message
    pids = [int(pid) for pid in runs.read_text().split()]
    assert len(pids) == 2 and pids[1] != child


def test_an_import_killed_inside_its_write_leaves_nothing_and_the_sweep_runs_it_again_once(stack, tmp_path,
                                                                                          import_area):
    district, areas = import_area
    staff = make_member(district, Role.BHXH_STAFF)
    data = write_csv(participant_rows(count=400, areas=areas, province_code="02"))
    marker, release = tmp_path / "paused", tmp_path / "release"
    job = job_create(kind=fault_kinds.IMPORT_PAUSE, requested_by=staff, unit=district, input_name="ds.csv",
                     input_bytes=data, params={"dry_run": False, "pause_marker": str(marker),
                                               "release": str(release), "pause_s": 40})
    first = stack.worker()
    stack.send(run_job, job.pk)
    services.wait_for(marker.exists, timeout=40, what=f"nhập dừng giữa lúc ghi\n{stack.worker_output()}")
    backend = int(marker.read_text())
    assert _job(job.pk).state == "running"

    services.kill_worker(first)  # in the middle of the transaction: participants written, not committed
    services.wait_for(lambda: not _backend_alive(backend), timeout=10, what="PostgreSQL hủy giao dịch dở")
    assert (Participant.objects.count(), Enrolment.objects.count()) == (0, 0)
    assert _job(job.pk).state == "running"

    # The sweep, run by a worker as beat would send it, with a short staleness: it sends the job again
    # (one run left) and the worker runs it to the end.
    stack.worker(JOBS_STALE_AFTER_SECONDS=2)
    _wait_heartbeat_older_than(job, 2)
    stack.send(sweep_stale_jobs)
    done = stack.wait_finished(job)
    assert (done.state, done.attempts) == ("succeeded", 2), done.message
    assert done.result["new"] == 400 and done.result["invalid"] == 0
    assert Enrolment.objects.count() == 400
    assert Enrolment.objects.filter(last_import=done).count() == 400
    assert Participant.objects.count() == done.result["participants_created"]


def _backend_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0] > 0
