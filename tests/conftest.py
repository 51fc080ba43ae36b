import pytest


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (bhxh_portal.memo, the sessions) and nothing of it kept in
    this process (a request the test left unfinished included): what a test left there, under ids the
    next test reuses, is not the next test's data."""
    from django.core.cache import cache

    from bhxh_portal import memo

    cache.clear()
    memo.forget_in_process()
    yield
    cache.clear()
    memo.forget_in_process()


@pytest.fixture
def province(db):
    from tests.factories import make_tree

    return make_tree(districts=2, communes=2, villages=2)


TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server", "django_db_reset_sequences"}


def pytest_collection_modifyitems(items):
    """A transactional test empties every table when it ends, including the reference data the
    migrations load (levels, indicators, products, rates, holidays). Restore it for each such test
    (serialized rollback), so the order in which tests run never matters."""
    for item in items:
        names = getattr(item, "fixturenames", None)
        if names is None:
            continue
        marker = item.get_closest_marker("django_db")
        transactional = bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
        if (transactional or TRANSACTIONAL_FIXTURES & set(names)) and "django_db_serialized_rollback" not in names:
            names.append("django_db_serialized_rollback")


@pytest.fixture
def celery_worker_queue(transactional_db, settings):
    """A real Celery worker on a queue of its own, reading the test database and media root; tasks
    are sent to it (not run eagerly) while the test runs. Needs PostgreSQL and Redis (see
    tests/services.py)."""
    from bhxh_portal.celery import app as celery_app
    from tests import services

    services.require_services()
    queue = services.new_queue()
    process = services.start_worker(queue, extra_env={"MEDIA_ROOT": str(settings.MEDIA_ROOT)})
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield queue
    finally:
        celery_app.conf.task_always_eager = previous
        services.stop_worker(process)
