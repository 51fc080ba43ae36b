"""gunicorn's settings (bhxh_portal/gunicorn_conf.py): one process per core with threads by default, each
value from the deployment's environment, and the same file used by the image, compose and loadtest."""

import importlib
import os
from pathlib import Path

from bhxh_portal import gunicorn_conf

ROOT = Path(__file__).resolve().parents[2]


def _loaded(monkeypatch, **env):
    for name in ("WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_ACCESS_LOG", "GUNICORN_BIND"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return importlib.reload(gunicorn_conf)


def test_one_process_per_core_with_six_threads_by_default(monkeypatch):
    conf = _loaded(monkeypatch)
    assert (conf.workers, conf.threads, conf.worker_class) == (len(os.sched_getaffinity(0)), 6, "gthread")
    assert (conf.bind, conf.accesslog, conf.preload_app, conf.timeout) == ("0.0.0.0:8000", "-", True, 120)


def test_the_deployment_sets_each_value(monkeypatch):
    conf = _loaded(monkeypatch, WEB_CONCURRENCY="5", GUNICORN_THREADS="3", GUNICORN_ACCESS_LOG="",
                   GUNICORN_BIND="127.0.0.1:9000")
    assert (conf.workers, conf.threads, conf.accesslog, conf.bind) == (5, 3, None, "127.0.0.1:9000")
    _loaded(monkeypatch)


def test_the_cores_it_may_run_on_not_the_hosts(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2})
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    assert _loaded(monkeypatch).workers == 3
    monkeypatch.undo()
    importlib.reload(gunicorn_conf)


def test_the_image_compose_and_loadtest_start_gunicorn_with_it():
    for path in ("Dockerfile", "docker-compose.yml", "portal/management/commands/loadtest.py"):
        assert "python:bhxh_portal.gunicorn_conf" in (ROOT / path).read_text(encoding="utf-8"), path
