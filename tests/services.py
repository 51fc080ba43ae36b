"""What the `services` tests need, in one place: PostgreSQL, Redis and a Celery worker started by
the test run. Without them such a test skips with its reason; in CI (CI=true) it fails instead,
since CI's PostgreSQL leg must run every one of them. The SQLite leg of `.ci/run` deselects them
with `-m "not services"`."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def broker_url() -> str:
    return os.environ.get("CELERY_BROKER_URL", "")


def _missing(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI phải chạy kiểm thử dịch vụ: {reason}")
    pytest.skip(reason)


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        _missing("cần PostgreSQL (DATABASE_URL) cho hai kết nối thật")


def require_services() -> None:
    if not broker_url() or connection.vendor != "postgresql":
        _missing("cần CELERY_BROKER_URL (Redis) và DATABASE_URL (PostgreSQL) để chạy với worker thật")


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(queue: str, *, extra_env: dict[str, str] | None = None) -> subprocess.Popen:
    """A real Celery worker (solo pool) on its own queue, reading the test database."""
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "bhxh_portal.settings.worker_test",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker_url(),
        **(extra_env or {}),
    })
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "bhxh_portal", "worker", "--pool=solo", "-Q", queue,
         "--without-gossip", "--without-mingle", "--loglevel=WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )


def stop_worker(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def new_queue() -> str:
    return f"test-{uuid.uuid4().hex[:8]}"
