"""What the `services` tests need, in one place: PostgreSQL, Redis and a Celery worker started by
the test run. Without them such a test skips with its reason; in CI (CI=true) it fails instead,
since CI's PostgreSQL leg must run every one of them. The SQLite leg of `.ci/run` deselects them
with `-m "not services"`."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
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


def start_worker(queue: str, *, extra_env: dict[str, str] | None = None, broker: str | None = None,
                 include: list[str] | None = None, log: Path | None = None, pool: str = "solo") -> subprocess.Popen:
    """A real Celery worker (solo pool, or `pool="prefork"` with one child) on its own queue, reading
    the test database.

    `broker`: another broker than CELERY_BROKER_URL (a private Redis, see start_redis); `include`:
    modules the worker imports at start (e.g. test-only job kinds); `log`: a file for its output
    (else a pipe nobody reads: keep such workers quiet)."""
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "bhxh_portal.settings.worker_test",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker or broker_url(),
        **(extra_env or {}),
    })
    command = [sys.executable, "-m", "celery", "-A", "bhxh_portal", "worker", f"--pool={pool}", "--concurrency=1",
               "-Q", queue,
               "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=WARNING",
               "-n", f"{queue}-{uuid.uuid4().hex[:6]}@%h"]
    if include:
        command += ["-I", ",".join(include)]
    output = open(log, "ab") if log else subprocess.PIPE  # noqa: SIM115 - closed with the process
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)


def kill_worker(process: subprocess.Popen) -> None:
    """kill -9: the worker dies at once, without acknowledging or cleaning up anything."""
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_redis(port: int | None = None) -> tuple[subprocess.Popen, str]:
    """A private redis-server on a free port (never the shared one), with its URL: a test may kill it
    (and start it again on the same port)."""
    port = port or free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    import redis

    client = redis.Redis(port=port, socket_connect_timeout=0.5)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("redis-server riêng cho kiểm thử không khởi động được")
            time.sleep(0.05)
    return process, f"redis://127.0.0.1:{port}/0"


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)


@contextlib.contextmanager
def celery_sends_to(url: str):
    """This process's Celery app sends tasks to `url` (not eagerly) while the block runs.

    Celery reads CELERY_BROKER_URL from the environment before its settings, so that is switched too."""
    from bhxh_portal.celery import app

    saved_env = {name: os.environ.get(name) for name in ("CELERY_BROKER_URL", "CELERY_BROKER_WRITE_URL")}
    saved = (app.conf.broker_url, app.conf.broker_write_url, app.conf.task_always_eager)

    def reset_pools():
        # The pools live in kombu's registries, one per broker URL: forget them (another URL gets its
        # own), do not close them (the same URL would get the closed one back).
        app._pool = None
        app.amqp._producer_pool = None

    reset_pools()
    os.environ["CELERY_BROKER_URL"] = url
    os.environ.pop("CELERY_BROKER_WRITE_URL", None)
    app.conf.broker_url, app.conf.broker_write_url, app.conf.task_always_eager = url, None, False
    try:
        assert app.conf.broker_write_url == url, app.conf.broker_write_url
        yield app
    finally:
        reset_pools()
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        app.conf.broker_url, app.conf.broker_write_url, app.conf.task_always_eager = saved


def wait_for(predicate, *, timeout: float, what: str, every: float = 0.05):
    """Poll until predicate() is true (returns its value) or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"chờ quá {timeout:.0f} giây: {what}")
        time.sleep(every)


def stop_worker(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def new_queue() -> str:
    return f"test-{uuid.uuid4().hex[:8]}"
