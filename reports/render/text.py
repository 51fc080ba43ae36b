import csv
import io
import json

from decimal import Decimal
from fractions import Fraction

from bhxh_portal.exports import FORMULA_PREFIXES, safe_cell  # noqa: F401  (one helper for every export)
from bhxh_portal.numbers import round_half_up
from reports.tables.base import Column, Table, Value


HISTORY_HEADER = "Nguồn số liệu (lịch sử đơn vị)"


def _printed_rows(table: Table) -> list[list[str]]:
    rows = []
    for row in table.formatted_rows():
        rows.append([safe_cell(v) if c.kind == "text" else v for c, v in zip(table.columns, row)])
    return rows


def plain_value(column: Column, value: Value) -> str:
    """A figure as a program reads it: 13737, -75, and rates as a ratio (93,08% -> 0.9308); the
    printed form (13.737, (75), 93,08%) stays in Excel and PDF."""
    if value is None or value == "":
        return ""
    if column.kind == "text":
        return safe_cell(str(value))
    if isinstance(value, str):  # a note in a figure's place is kept as it is
        return safe_cell(value)
    if column.kind == "int":
        return f"{round_half_up(value, 0):f}"
    if column.kind in ("percent", "pp"):
        ratio = (value if isinstance(value, Fraction) else Fraction(Decimal(value))) / 100
        return f"{round_half_up(ratio, (column.places or 2) + 2):f}"
    if column.kind == "decimal":
        return f"{round_half_up(value, column.places or 2):f}"
    raise ValueError(column.kind)


def as_csv(table: Table) -> str:
    """One line per row of the table, the parent last, numbers plain (see plain_value). The caller
    adds the UTF-8 byte order mark so that Excel reads the accents."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    noted = any(r.note for r in table.rows)  # the column only where a row's figures are not its own
    writer.writerow([c.header if not c.group else f"{c.group} - {c.header}" for c in table.columns]
                    + ([HISTORY_HEADER] if noted else []))
    writer.writerows([plain_value(c, r.values.get(c.key)) for c in table.columns] + ([safe_cell(r.note)] if noted else [])
                     for r in table.rows)
    return out.getvalue()


def as_json(table: Table) -> str:
    keys = [c.key for c in table.columns]
    return json.dumps(
        {"table": table.key, "title": table.title, "subtitle": table.subtitle,
         "columns": [{"key": c.key, "header": c.header, "group": c.group, "formula": c.formula} for c in table.columns],
         "rows": [dict(zip(keys, r)) | {"is_total": row.is_total} | ({"note": row.note} if row.note else {})
                  for r, row in zip(_printed_rows(table), table.rows)]},
        ensure_ascii=False, indent=2,
    )
