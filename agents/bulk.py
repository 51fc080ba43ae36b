"""Bulk writes for the participant import: COPY on PostgreSQL, bulk_create/bulk_update elsewhere.

Both take plain rows (tuples in the order of `fields`), never model instances per row on the
PostgreSQL path. Inserts return the new primary keys in row order: on PostgreSQL they are
drawn from the table's sequence first, then written with COPY in one stream.
"""

import contextlib
import csv
import io
import itertools
from collections.abc import Iterator, Sequence

from django.db import connection, models


def copy_into(table: str, columns: Sequence[str], rows, *, not_null_text: Sequence[str] = ()) -> None:
    """COPY rows into a table on PostgreSQL (psycopg2 or psycopg 3), as CSV written by the C csv module.

    None is written unquoted-empty, which CSV COPY reads as NULL; `not_null_text` names the text
    columns that are never NULL, so an empty string there stays an empty string (FORCE_NOT_NULL).
    """
    qn = connection.ops.quote_name
    options = "FORMAT csv"
    if not_null_text:
        options += f", FORCE_NOT_NULL ({', '.join(qn(c) for c in not_null_text)})"
    sql = f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN WITH ({options})"
    stream = _CsvStream(rows)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if hasattr(raw, "copy_expert"):  # psycopg2: reads the stream chunk by chunk
            raw.copy_expert(sql, stream)
        else:  # psycopg 3
            with raw.copy(sql) as copy:
                for chunk in stream.chunks:
                    copy.write(chunk)


class _CsvStream(io.TextIOBase):
    """Rows formatted as CSV as COPY reads them, ROWS_PER_CHUNK at a time: the server ingests one chunk
    (in its own process) while this one formats the next, instead of waiting for all of it.

    `read` gives the next chunk whole, whatever size is asked: psycopg2's copy_expert sends what read
    returns and asks again until it gets nothing, so the text is never cut to the size and glued
    to the next chunk again (a copy of every byte, twice)."""

    ROWS_PER_CHUNK = 5000

    def __init__(self, rows):
        self.chunks = self._formatted(iter(rows))

    def _formatted(self, rows) -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        while True:
            writer.writerows(itertools.islice(rows, self.ROWS_PER_CHUNK))
            text = buffer.getvalue()  # a row is at least its line's end: empty once the rows are done
            if not text:
                return
            yield text
            buffer.seek(0)
            buffer.truncate()

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        if size is None or size < 0:
            return "".join(self.chunks)
        return next(self.chunks, "")

    def readline(self, size: int = -1) -> str:  # psycopg2 only uses read(); kept for the io protocol
        return self.read(size)


def _not_null_text(model, columns: Sequence[str]) -> list[str]:
    by_column = {f.column: f for f in model._meta.concrete_fields}
    return [c for c in columns if c in by_column and not by_column[c].null
            and by_column[c].get_internal_type() in ("CharField", "TextField", "SlugField")]


def _column(model, field_name: str) -> str:
    return model._meta.get_field(field_name).column


class DateTexts(dict):
    """date (or timestamp) → its ISO text, each distinct one formatted once: str() of a date is most of what
    writing a row as CSV costs. `_text_dates` formats a row's dates with it; a writer that builds its rows
    with it (`dates_as_text=True`) spares that second pass over them."""

    def __missing__(self, value) -> str | None:
        text = self[value] = None if value is None else value.isoformat()
        return text


def _text_dates(model, columns: Sequence[str], rows):
    """Dates and timestamps as text once per distinct value (str() of a date is the slow part of
    writing CSV); the other values go to the C csv writer as they are."""
    by_column = {f.column: f for f in model._meta.concrete_fields}
    positions = [i for i, c in enumerate(columns)
                 if c in by_column and by_column[c].get_internal_type() in ("DateField", "DateTimeField")]
    if not positions:
        yield from rows
        return
    texts = DateTexts()
    for row in rows:
        row = list(row)
        for i in positions:
            row[i] = texts[row[i]]
        yield row


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` new ids from the table's sequence (PostgreSQL), taken now for rows written later: no other
    writer gets them, whether or not this transaction commits."""
    if not count:
        return []
    with connection.cursor() as cursor:
        # Resolve the sequence once: pg_get_serial_sequence per row costs 5× the nextval itself.
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, model._meta.pk.column])
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count])
        return [r[0] for r in cursor.fetchall()]


def bulk_insert(model: type[models.Model], fields: Sequence[str], rows: list[tuple], *,
                returning: bool = True, ids: list[int] | None = None, dates_as_text: bool = False) -> list[int]:
    """Insert rows (values in the order of `fields`); returns the new ids in the same order
    (with returning=False, on PostgreSQL, the table's default numbers them and nothing is returned;
    `ids`, on PostgreSQL, the ids `reserve_ids` gave them, one per row; `dates_as_text`, on PostgreSQL,
    the rows carry their dates as ISO text already, from `DateTexts`)."""
    if not rows:
        return []
    if connection.vendor == "postgresql":
        table = model._meta.db_table
        pk_column = model._meta.pk.column
        columns = [_column(model, f) for f in fields]

        def as_text(names, values):
            return values if dates_as_text else _text_dates(model, names, values)

        if not returning:
            copy_into(table, columns, as_text(columns, rows), not_null_text=_not_null_text(model, columns))
            return []
        if ids is None:
            ids = reserve_ids(model, len(rows))
        elif len(ids) != len(rows):
            raise ValueError(f"{len(ids)} ids given for {len(rows)} rows")
        columns = [pk_column, *columns]
        copy_into(table, columns, as_text(columns, ((pk, *row) for pk, row in zip(ids, rows))),
                  not_null_text=_not_null_text(model, columns))
        return ids
    objects = [model(**dict(zip(fields, row))) for row in rows]
    if ids is not None:
        for obj, pk in zip(objects, ids, strict=True):
            obj.pk = pk
    created = model.objects.bulk_create(objects, batch_size=2000)
    if returning and created and created[0].pk is None:
        raise RuntimeError("Cơ sở dữ liệu không trả về mã của các dòng vừa thêm.")
    return [obj.pk for obj in created] if returning else []


def bulk_change(model: type[models.Model], fields: Sequence[str], rows: list[tuple]) -> int:
    """Update rows given as (id, *values in the order of `fields`)."""
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        table = model._meta.db_table
        pk_column = model._meta.pk.column
        columns = [_column(model, f) for f in fields]
        qn = connection.ops.quote_name
        temp = f"_bulk_{table}"
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {qn(temp)}")
            cursor.execute(
                f"CREATE TEMP TABLE {qn(temp)} ON COMMIT DROP AS SELECT {qn(pk_column)}, "
                f"{', '.join(qn(c) for c in columns)} FROM {qn(table)} WITH NO DATA"
            )
        copy_into(temp, [pk_column, *columns], _text_dates(model, [pk_column, *columns], rows),
                  not_null_text=_not_null_text(model, columns))
        assignments = ", ".join(f"{qn(c)} = s.{qn(c)}" for c in columns)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {qn(table)} AS t SET {assignments} FROM {qn(temp)} AS s "
                f"WHERE t.{qn(pk_column)} = s.{qn(pk_column)}"
            )
            changed = cursor.rowcount
            cursor.execute(f"DROP TABLE {qn(temp)}")
            return changed
    objects = []
    for row in rows:
        obj = model(pk=row[0])
        for name, value in zip(fields, row[1:]):
            setattr(obj, name, value)
        objects.append(obj)
    model.objects.bulk_update(objects, list(fields), batch_size=500)
    return len(objects)


def values_where_in(queryset, column: str, keys: list, fields: Sequence[str], *, batch_size: int = 5000) -> list[dict]:
    """`queryset.filter(column__in=keys).values(*fields)` for 100.000 keys: on PostgreSQL one
    `= ANY(array)` parameter instead of 100.000 placeholders; elsewhere in batches. In no particular
    order: the model's ordering would sort every batch's answer (a third of the query's time), which the
    callers index by key anyway."""
    if not keys:
        return []
    queryset = queryset.order_by()
    if connection.vendor == "postgresql":
        qs = queryset.filter(**{f"{column}__in": [keys[0]]}).values(*fields)
        sql, params = qs.query.sql_with_params()
        # The one-element IN built by the ORM becomes = ANY(%s) with the whole list as one array.
        marker = " IN (%s)"
        position = sql.rfind(marker)
        if position < 0:
            raise RuntimeError("Không dựng được truy vấn tra cứu hàng loạt.")
        # 100.000 keys as one comma-joined string split by the server: 2–4× faster than an ARRAY
        # literal of 100.000 quoted elements, which psycopg2 builds and the server parses one by one.
        if all(type(k) is int for k in keys):
            condition, value = " = ANY(string_to_array(%s, ',')::bigint[])", ",".join(map(str, keys))
        elif all(type(k) is str and "," not in k for k in keys):
            condition, value = " = ANY(string_to_array(%s, ','))", ",".join(keys)
        else:
            condition, value = " = ANY(%s)", list(keys)
        sql = sql[:position] + condition + sql[position + len(marker):]
        index = sql[:position].count("%s")
        params = list(params)
        params[index] = value
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [dict(zip(fields, row)) for row in cursor.fetchall()]
    found = []
    for start in range(0, len(keys), batch_size):
        found.extend(queryset.filter(**{f"{column}__in": keys[start:start + batch_size]}).values(*fields))
    return found


@contextlib.contextmanager
def foreign_keys_checked_at_once(*fields) -> Iterator[None]:
    """Inside a transaction, on PostgreSQL: the foreign keys of these fields (`Model.field`, Django makes
    them DEFERRABLE INITIALLY DEFERRED) checked at the end of each statement instead of at the commit,
    and deferred again when the block ends without an error. The checks are the same and as many; they
    happen while the writer still has other work to overlap them with (the import's reading thread reads
    its next batch meanwhile), under its progress reports, instead of all at once at the commit, where
    nothing else runs and nothing is reported."""
    if connection.vendor != "postgresql":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("foreign_keys_checked_at_once needs a transaction.")
    names = []
    with connection.cursor() as cursor:
        for field in fields:
            table = field.model._meta.db_table
            found = [name for name, c in connection.introspection.get_constraints(cursor, table).items()
                     if c["foreign_key"] and c["columns"] == [field.column]]
            names.extend(found)
        if not names:
            yield
            return
        listed = ", ".join(connection.ops.quote_name(n) for n in names)
        cursor.execute(f"SET CONSTRAINTS {listed} IMMEDIATE")
    yield  # on an error the caller's transaction is undone: nothing is written whose check was skipped
    with connection.cursor() as cursor:
        cursor.execute(f"SET CONSTRAINTS {listed} DEFERRED")
