"""A real Celery task through Redis to a worker started by this test, reading PostgreSQL.

Skips with a reason where no broker is configured; in CI (CI=true) it must run, never skip
(tests/services.py).
"""

import time

import pytest
from django.conf import settings

from targets.tasks import unit_subtree_size
from tests.factories import make_tree

pytestmark = pytest.mark.services


def test_a_task_runs_on_a_real_worker_through_redis(celery_worker_queue):
    province = make_tree(districts=1, communes=2, villages=3)
    result = unit_subtree_size.apply_async(args=[province.pk], queue=celery_worker_queue)
    deadline = time.monotonic() + 60
    while not result.ready() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert result.successful(), f"the worker did not answer: state {result.state}"
    assert result.get(timeout=5) == 1 + 1 + 2 + 6
    assert settings.CELERY_BROKER_URL.startswith("redis://")
