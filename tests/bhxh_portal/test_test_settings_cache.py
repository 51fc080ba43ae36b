"""The test settings' cache under pytest-xdist: each worker process its own Redis database (one worker's
cache.clear() never empties the other's, and two workers' users of the same id never share a remembered
value), whatever the controlling process put in the environment they inherit; the Celery worker a test
starts keeps its process's, even when a fault test has switched its broker."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRINT_CACHE = ("import django; django.setup(); from django.conf import settings; import os; "
               "print(settings.CACHES['default']['LOCATION'], os.environ.get('BHXH_TEST_CACHE_FOR'))")


def cache_of(**environ) -> tuple[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in {"CACHE_URL", "BHXH_TEST_CACHE_FOR", "PYTEST_XDIST_WORKER", "CELERY_BROKER_URL"}}
    env.update(environ, DJANGO_SETTINGS_MODULE="bhxh_portal.settings.test")
    out = subprocess.run([sys.executable, "-c", PRINT_CACHE], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    return out[0], out[1] if len(out) > 1 else ""


@pytest.mark.parametrize("worker, database", [("", "1"), ("gw0", "1"), ("gw1", "2"), ("gw3", "4")])
def test_each_worker_its_own_database_after_the_broker_whatever_it_inherits(worker, database):
    broker = "redis://127.0.0.1:6379/0"
    controller_location, controller_for = cache_of(CELERY_BROKER_URL=broker)  # what the workers inherit
    assert (controller_location, controller_for) == ("redis://127.0.0.1:6379/1", "")
    location, derived_for = cache_of(CELERY_BROKER_URL=broker, PYTEST_XDIST_WORKER=worker,
                                     CACHE_URL=controller_location, BHXH_TEST_CACHE_FOR="")
    assert location == f"redis://127.0.0.1:6379/{database}"
    assert derived_for == worker


def test_the_celery_worker_of_a_test_keeps_its_process_cache_when_the_broker_is_switched():
    location, _ = cache_of(CELERY_BROKER_URL="redis://127.0.0.1:45678/0", PYTEST_XDIST_WORKER="gw1",
                           CACHE_URL="redis://127.0.0.1:6379/2", BHXH_TEST_CACHE_FOR="gw1")
    assert location == "redis://127.0.0.1:6379/2"


def test_a_cache_given_by_hand_is_kept():
    location, _ = cache_of(CELERY_BROKER_URL="redis://127.0.0.1:6379/0", CACHE_URL="redis://127.0.0.1:6379/9")
    assert location == "redis://127.0.0.1:6379/9"
