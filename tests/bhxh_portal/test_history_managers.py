"""simple_history's managers with their class built once (bhxh_portal.history): the same history rows,
the same filtering by instance, for every tracked model."""

import pytest
from django.apps import apps
from simple_history.manager import HistoryDescriptor

from targets.models import Demographics
from tests.factories import make_demographics, make_unit

pytestmark = pytest.mark.django_db


def test_every_tracked_model_builds_its_history_manager_class_once():
    tracked = [m for m in apps.get_models(include_auto_created=True)
               if any(isinstance(v, HistoryDescriptor) for v in vars(m).values())]
    assert tracked
    for model in tracked:
        name = next(n for n, v in vars(model).items() if isinstance(v, HistoryDescriptor))
        assert type(getattr(model, name)) is type(getattr(model, name)), model


def test_history_rows_and_their_filtering_by_instance_are_unchanged():
    first = make_unit("Tỉnh A", level_code="tinh")
    second = make_unit("Tỉnh B", level_code="tinh")
    a = make_demographics(first, 2026, population=1000)
    make_demographics(second, 2026, population=2000)
    a.population = 1100
    a.save()  # a plain save writes its history row as before

    assert Demographics.history.count() == 3
    assert [r.population for r in a.history.order_by("history_id")] == [1000, 1100]
    assert [r.history_type for r in a.history.order_by("history_id")] == ["+", "~"]
    assert a.history.instance == a and Demographics.history.instance is None
    # the queryset's own methods are on the manager, as the library builds it
    assert a.history.as_of(a.history.latest().history_date).population == 1100
    assert a.history.latest().prev_record.population == 1000
