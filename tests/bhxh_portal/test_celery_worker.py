"""A real Celery task through Redis to a worker started by this test, reading PostgreSQL.

Skips with a reason where no broker is configured; in CI (CI=true) it must run, never skip.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from bhxh_portal.celery import app as celery_app
from targets.tasks import unit_subtree_size
from tests.factories import make_tree

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("CELERY_BROKER_URL", "")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

pytestmark = pytest.mark.services


def _require_services():
    if not BROKER or connection.vendor != "postgresql":
        reason = "cần CELERY_BROKER_URL (Redis) và DATABASE_URL (PostgreSQL) để chạy với worker thật"
        if IN_CI:
            pytest.fail(f"CI phải chạy kiểm thử dịch vụ: {reason}")
        pytest.skip(reason)


@pytest.fixture
def celery_worker_process(transactional_db):
    _require_services()
    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "bhxh_portal.settings.worker_test",
        "DATABASE_URL": f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_BROKER_URL": BROKER,
    })
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "bhxh_portal", "worker", "--pool=solo", "-Q", queue,
         "--without-gossip", "--without-mingle", "--loglevel=WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield queue
    finally:
        celery_app.conf.task_always_eager = previous
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def test_a_task_runs_on_a_real_worker_through_redis(celery_worker_process):
    province = make_tree(districts=1, communes=2, villages=3)
    result = unit_subtree_size.apply_async(args=[province.pk], queue=celery_worker_process)
    deadline = time.monotonic() + 60
    while not result.ready() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert result.successful(), f"the worker did not answer: state {result.state}"
    assert result.get(timeout=5) == 1 + 1 + 2 + 6
    assert settings.CELERY_BROKER_URL.startswith("redis://")
