"""A participant import through a real Celery worker (Redis, PostgreSQL): progress read from the job row.

Skips with a reason without services (CELERY_BROKER_URL and a PostgreSQL DATABASE_URL), like
tests/bhxh_portal/test_celery_worker.py (the worker fixture is in tests/conftest.py).
"""

import time

import pytest

from agents.importers import PARTICIPANT_IMPORT
from agents.models import Enrolment
from agents.samples import SampleArea, participant_rows, write_xlsx
from jobs.services import job_create
from jobs.tasks import run_job
from units.models import Role
from tests.factories import make_member, make_unit

pytestmark = pytest.mark.services


def _wait(job, seen, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        seen.append(job.progress_pct)
        if job.state in ("succeeded", "failed"):
            return job
        time.sleep(0.05)
    pytest.fail(f"the job did not finish: {job.state} {job.progress_pct}% {job.message}")


def test_a_participant_import_runs_on_the_worker_with_progress_on_the_job_row(celery_worker_queue):
    province = make_unit("Tỉnh Thử", level_code="tinh", code="01")
    district = make_unit("Huyện Thử", level_code="huyen", parent=province, code="001")
    areas = []
    for c in (1, 2):
        commune = make_unit(f"Xã {c}", level_code="xa", parent=district, code=f"0000{c}")
        villages = [make_unit(f"Thôn {c}.{v}", level_code="thon", parent=commune, code=f"X{c}-T{v}").code
                    for v in (1, 2)]
        areas.append(SampleArea(commune.code, villages, commune.path))
    staff = make_member(district, Role.BHXH_STAFF)
    data = write_xlsx(participant_rows(count=30_000, areas=areas, province_code="01"))

    seen: list[int] = []
    preview = job_create(kind=PARTICIPANT_IMPORT, requested_by=staff, unit=district,
                         params={"dry_run": True}, input_name="ds.xlsx", input_bytes=data)
    run_job.apply_async(args=[preview.pk], queue=celery_worker_queue)
    preview = _wait(preview, seen)
    assert preview.state == "succeeded", preview.message
    assert preview.result["new"] == 30_000 and Enrolment.objects.count() == 0

    seen.clear()
    commit = job_create(kind=PARTICIPANT_IMPORT, requested_by=staff, unit=district, params={"dry_run": False},
                        input_name="ds.xlsx", input_bytes=data)
    run_job.apply_async(args=[commit.pk], queue=celery_worker_queue)
    commit = _wait(commit, seen)
    assert (commit.state, commit.progress_pct) == ("succeeded", 100), commit.message
    assert any(0 < pct < 100 for pct in seen), seen  # the page saw the bar move
    assert commit.heartbeat_at is not None and commit.celery_task_id == ""  # sent directly, not via job_enqueue
    assert Enrolment.objects.filter(last_import=commit).count() == 30_000
