import pytest


@pytest.fixture
def province(db):
    from tests.factories import make_tree

    return make_tree(districts=2, communes=2, villages=2)
