"""Hot queries with their SQL compiled once per shape.

The ORM compiles a queryset's SQL on every call: for the few-row reads and writes of a grid save,
~0,3–1 ms each, more than the query takes in the database.
Where the SQL depends only on the query's shape (which filters, which are NULL, how many ids in a
list) and the values are plain ids and numbers, the SQL is compiled once per shape, in this process,
and run with each call's values:

- `first_row`: the first row of a queryset, made by the model as the ORM makes it;
- `value_rows`: the rows of a `values_list` queryset, with the ORM's converters applied;
- `rows_updated`: an UPDATE of some rows, the number of rows it changed (no signal, no hook: what
  `QuerySet.update` does on its own — the caller keeps whatever its queryset adds, such as the
  scopes the write moves on).

A value is an int or a tuple of ints (an `IN` list: its length is part of the shape). The parameters'
places are found by compiling with marker values, so a shape whose values the ORM would rewrite (or
drop) fails at once instead of running the wrong query.
"""

from collections.abc import Callable
from functools import lru_cache

from django.db import connections, transaction
from django.db.models import Model, QuerySet
from django.db.models.sql.subqueries import UpdateQuery

# Markers: distinct, and within the range of every integer column (a smallint's 32.767 included).
_FIRST_MARKER = 30_001
_MAX_MARKERS = 2_700


def _markers(arity: tuple[tuple[str, int | None], ...]) -> tuple[dict, dict]:
    """Marker values for each name (an int, or a tuple of `length` ints), and where each marker goes."""
    markers, places, next_marker = {}, {}, _FIRST_MARKER
    for name, length in arity:
        if length is None:
            markers[name], places[next_marker] = next_marker, (name, None)
            next_marker += 1
        else:
            markers[name] = tuple(range(next_marker, next_marker + length))
            places.update({next_marker + i: (name, i) for i in range(length)})
            next_marker += length
    if next_marker - _FIRST_MARKER > _MAX_MARKERS:
        raise ValueError("too many values for marker places")
    return markers, places


def _places(build: Callable, sql_params, places: dict) -> tuple[tuple, tuple]:
    found = tuple(places.get(p) if type(p) is int else None for p in sql_params)
    if sorted(p for p in found if p) != sorted(places.values()):
        raise ValueError(f"{build.__qualname__}: each value must be a parameter of the SQL once, as given")
    return found, tuple(p if at is None else None for p, at in zip(sql_params, found))


def _arity(values: dict) -> tuple[tuple[str, int | None], ...]:
    return tuple((name, len(v) if type(v) is tuple else None) for name, v in values.items())


def _params(places: tuple, constants: tuple, values: dict) -> list:
    return [c if at is None else (values[at[0]] if at[1] is None else values[at[0]][at[1]])
            for at, c in zip(places, constants)]


def _compiled_select(queryset: QuerySet, build: Callable, where: dict):
    """A SELECT's compiler, SQL, parameter places and constants, and its selected columns."""
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    places, constants = _places(build, params, where)
    return compiler, sql, places, constants, [s[0] for s in compiler.select[:compiler.col_count]]


@lru_cache(maxsize=256)
def _compiled(build: Callable[..., QuerySet], shape: tuple, arity: tuple):
    markers, where = _markers(arity)
    queryset = build(*shape, **markers)[:1]
    compiler, sql, places, constants, columns = _compiled_select(queryset, build, where)
    info = compiler.klass_info
    if info is None or info.get("related_klass_infos") or compiler.annotation_col_map:
        raise ValueError(f"{build.__qualname__}: the model's own columns only")
    # What ModelIterable does with a row: the model's columns, converted, made into an instance.
    start, end = info["select_fields"][0], info["select_fields"][-1] + 1
    init_list = tuple(column.target.attname for column in columns[start:end])
    return queryset.model, queryset.db, sql, places, constants, init_list, (start, end), _converters(compiler, columns)


def first_row(build: Callable[..., QuerySet], *shape, **values) -> Model | None:
    """The first row of `build(*shape, **values)` (a queryset of the model's own columns, ordered),
    or None. `shape`: what decides the SQL's text (hashable); `values`: ints (or tuples of ints),
    each one parameter of the SQL."""
    model, alias, sql, places, constants, init_list, (start, end), converters = _compiled(
        build, shape, _arity(values))
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, _params(places, constants, values))
        row = cursor.fetchone()
    if row is None:
        return None
    return model.from_db(alias, init_list, _converted(row, converters, connection)[start:end])


def _converters(compiler, columns) -> list:
    return [(i, convs, expression) for i, (convs, expression) in compiler.get_converters(columns).items()]


def _converted(row, converters: list, connection) -> tuple:
    if not converters:
        return tuple(row)
    row = list(row)
    for i, convs, expression in converters:
        value = row[i]
        for convert in convs:
            value = convert(value, expression, connection)
        row[i] = value
    return tuple(row)


@lru_cache(maxsize=256)
def _compiled_values(build: Callable[..., QuerySet], shape: tuple, arity: tuple):
    markers, where = _markers(arity)
    queryset = build(*shape, **markers)
    compiler, sql, places, constants, columns = _compiled_select(queryset, build, where)
    return queryset.db, sql, places, constants, _converters(compiler, columns)


def value_rows(build: Callable[..., QuerySet], *shape, **values) -> list[tuple]:
    """The rows (tuples) of `build(*shape, **values)`, a `values_list` queryset (not flat, not
    named), with the values as the ORM returns them."""
    alias, sql, places, constants, converters = _compiled_values(build, shape, _arity(values))
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, _params(places, constants, values))
        rows = cursor.fetchall()
    return [_converted(row, converters, connection) for row in rows]


@lru_cache(maxsize=256)
def _compiled_update(build: Callable[..., tuple[QuerySet, dict]], shape: tuple, arity: tuple):
    markers, where = _markers(arity)
    queryset, changes = build(*shape, **markers)
    queryset._for_write = True  # the database a write goes to, as QuerySet.update asks for it
    query = queryset.query.chain(UpdateQuery)
    query.add_update_values(changes)
    compiler = query.get_compiler(using=queryset.db)
    compiler.pre_sql_setup()
    if query.related_updates:
        raise ValueError(f"{build.__qualname__}: one table's rows only")
    sql, params = compiler.as_sql()
    places, constants = _places(build, params, where)
    return queryset.db, sql, places, constants


def rows_updated(build: Callable[..., tuple[QuerySet, dict]], *shape, **values) -> int:
    """The number of rows changed by the UPDATE of `build(*shape, **values)`: (a queryset of one
    table, {field: new value}), as `QuerySet.update` would run it."""
    alias, sql, places, constants = _compiled_update(build, shape, _arity(values))
    with transaction.mark_for_rollback_on_error(using=alias), connections[alias].cursor() as cursor:
        cursor.execute(sql, _params(places, constants, values))
        return cursor.rowcount
