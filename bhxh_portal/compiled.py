"""The first row of a hot query, its SQL compiled once per shape.

The ORM compiles a queryset's SQL on every call: for the few-row reads of a grid save, ~1 ms each,
more than the query takes in the database. Where the SQL depends only on the query's shape (which
filters, which are NULL) and the values are plain ids and numbers, `first_row` compiles it once per
shape, in this process, and runs it with each call's values, the rows made by the model as the ORM
makes them. The parameters' places are found by compiling with marker values, so a shape whose
values the ORM would rewrite (or drop) fails at once instead of running the wrong query.
"""

from collections.abc import Callable
from functools import lru_cache

from django.db.models import Model, QuerySet

# Markers: distinct, and within the range of every integer column (a smallint's 32.767 included).
_FIRST_MARKER = 30_001


@lru_cache(maxsize=256)
def _compiled(build: Callable[..., QuerySet], shape: tuple, names: tuple[str, ...]):
    markers = {name: _FIRST_MARKER + i for i, name in enumerate(names)}
    queryset = build(*shape, **markers)[:1]
    sql, params = queryset.query.sql_with_params()
    by_marker = {value: name for name, value in markers.items()}
    places = tuple(by_marker.get(p, None) if isinstance(p, int) else None for p in params)
    if sorted(n for n in places if n) != sorted(names):
        raise ValueError(f"{build.__qualname__}: each value must be a parameter of the SQL once, as given")
    constants = tuple(p if n is None else None for p, n in zip(params, places))
    return queryset.model, sql, places, constants


def first_row(build: Callable[..., QuerySet], *shape, **values) -> Model | None:
    """The first row of `build(*shape, **values)` (a queryset, ordered), or None. `shape`: what
    decides the SQL's text (hashable); `values`: ints only, each one parameter of the SQL."""
    model, sql, places, constants = _compiled(build, shape, tuple(values))
    params = [values[n] if n is not None else c for n, c in zip(places, constants)]
    return next(iter(model._default_manager.raw(sql, params)), None)
