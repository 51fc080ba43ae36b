"""Each coverage table costs a fixed number of queries, whatever the number of units below."""

import pytest

from reports.coverage import coverage_table_build
from reports.tables.coverage_tables import TABLES
from units.periods import Period
from tests.factories import make_tree

pytestmark = pytest.mark.django_db


def _queries(django_assert_max_num_queries, province, table):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        coverage_table_build(unit=province, table=table, month=Period.month(2023, 6))
    return len(captured)


@pytest.mark.parametrize("table", sorted(TABLES))
def test_query_count_is_the_same_for_10_and_1000_units(table, django_assert_max_num_queries):
    small = make_tree(districts=3, communes=1, villages=2)  # 10 units
    large = make_tree(districts=10, communes=10, villages=9)  # 1.111 units
    small_count = _queries(django_assert_max_num_queries, small, table)
    with django_assert_max_num_queries(small_count):
        coverage_table_build(unit=large, table=table, month=Period.month(2023, 6))
    assert small_count <= 12
