"""Job kinds for the fault tests (tests/jobs/test_faults_*.py): registered in the test process
when imported, and in a worker started with `include=["tests.jobs.fault_kinds"]`.

- SLOW: steps of `delay` seconds with progress after each; appends the worker's pid to
  params["runs_log"] when it starts, so a test sees how many runs there were and where.
- IMPORT_PAUSE: the participant import (agents.importers.participant_import_job), which pauses inside
  its write transaction, after the participants are written and before the enrolments, while
  params["pause_marker"] does not exist yet: it writes its database backend pid into that file,
  then waits (at most params["pause_s"]) for params["release"] to exist. A second run finds the
  marker and does not pause.
"""

import os
import time
from pathlib import Path
from unittest import mock

from django.db import connection

from agents import bulk
from agents.importers import participant_import_job
from jobs.services import JobOutcome, register_job_kind

SLOW = "test.fault_slow"
IMPORT_PAUSE = "test.fault_import_pause"


def slow_job(*, job, progress):
    steps, delay = int(job.params.get("steps", 30)), float(job.params.get("delay", 0.2))
    with open(job.params["runs_log"], "a", encoding="utf-8") as log:
        log.write(f"{os.getpid()}\n")
    for step in range(1, steps + 1):
        time.sleep(delay)
        progress(min(99, int(100 * step / steps)), f"Bước {step}/{steps}")
    return JobOutcome(message=f"Xong {steps} bước", result={"steps": steps, "pid": os.getpid()})


def import_pause_job(*, job, progress):
    marker, release = Path(job.params["pause_marker"]), Path(job.params["release"])
    pause_s = float(job.params.get("pause_s", 30))
    pausing = not marker.exists()
    original = bulk.bulk_insert
    calls = []

    def insert_then_pause(model, *args, **kwargs):
        result = original(model, *args, **kwargs)
        calls.append(model)
        if pausing and len(calls) == 1:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                marker.write_text(str(cursor.fetchone()[0]))
            deadline = time.monotonic() + pause_s
            while not release.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
        return result

    with mock.patch.object(bulk, "bulk_insert", insert_then_pause):
        return participant_import_job(job=job, progress=progress)


register_job_kind(SLOW, label="Thử: công việc chậm", handler="tests.jobs.fault_kinds.slow_job")
register_job_kind(IMPORT_PAUSE, label="Thử: nhập danh sách dừng giữa chừng",
                  handler="tests.jobs.fault_kinds.import_pause_job")
