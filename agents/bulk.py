"""Bulk writes for the participant import: COPY on PostgreSQL, bulk_create/bulk_update elsewhere.

Both take plain rows (tuples in the order of `fields`), never model instances per row on the
PostgreSQL path. Inserts return the new primary keys in row order: on PostgreSQL they are
drawn from the table's sequence first, then written with COPY in one stream.
"""

import datetime
import io
from collections.abc import Sequence

from django.db import connection, models


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        return value
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value)


def copy_rows_text(rows) -> io.StringIO:
    """Rows as PostgreSQL COPY text format (tab separated, \\N for NULL)."""
    buffer = io.StringIO()
    write = buffer.write
    for row in rows:
        write("\t".join([_copy_text(v) for v in row]))
        write("\n")
    buffer.seek(0)
    return buffer


def copy_into(table: str, columns: Sequence[str], rows) -> None:
    """COPY rows into a table on PostgreSQL (psycopg2 or psycopg 3)."""
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN"
    data = copy_rows_text(rows)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if hasattr(raw, "copy_expert"):  # psycopg2
            raw.copy_expert(sql, data, size=1 << 20)
        else:  # psycopg 3
            with raw.copy(sql) as copy:
                copy.write(data.getvalue())


def _column(model, field_name: str) -> str:
    return model._meta.get_field(field_name).column


def bulk_insert(model: type[models.Model], fields: Sequence[str], rows: list[tuple]) -> list[int]:
    """Insert rows (values in the order of `fields`); returns the new ids in the same order."""
    if not rows:
        return []
    if connection.vendor == "postgresql":
        table = model._meta.db_table
        pk_column = model._meta.pk.column
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk_column, len(rows)],
            )
            ids = [r[0] for r in cursor.fetchall()]
        copy_into(table, [pk_column, *(_column(model, f) for f in fields)],
                  ((pk, *row) for pk, row in zip(ids, rows)))
        return ids
    objects = [model(**dict(zip(fields, row))) for row in rows]
    created = model.objects.bulk_create(objects, batch_size=2000)
    if created and created[0].pk is None:  # backends that cannot return ids: none we run on, but be clear
        raise RuntimeError("Cơ sở dữ liệu không trả về mã của các dòng vừa thêm.")
    return [obj.pk for obj in created]


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
        copy_into(temp, [pk_column, *columns], rows)
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
    `= ANY(array)` parameter instead of 100.000 placeholders; elsewhere in batches."""
    if not keys:
        return []
    if connection.vendor == "postgresql":
        qs = queryset.filter(**{f"{column}__in": [keys[0]]}).values(*fields)
        sql, params = qs.query.sql_with_params()
        # The one-element IN built by the ORM becomes = ANY(%s) with the whole list as one array.
        marker = " IN (%s)"
        position = sql.rfind(marker)
        if position < 0:
            raise RuntimeError("Không dựng được truy vấn tra cứu hàng loạt.")
        sql = sql[:position] + " = ANY(%s)" + sql[position + len(marker):]
        index = sql[:position].count("%s")
        params = list(params)
        params[index] = list(keys)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [dict(zip(fields, row)) for row in cursor.fetchall()]
    found = []
    for start in range(0, len(keys), batch_size):
        found.extend(queryset.filter(**{f"{column}__in": keys[start:start + batch_size]}).values(*fields))
    return found
