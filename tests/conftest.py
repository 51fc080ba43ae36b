import pytest


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
