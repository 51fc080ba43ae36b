import csv
import io
import json

from bhxh_portal.exports import FORMULA_PREFIXES, safe_cell  # noqa: F401  (one helper for every export)
from reports.tables.base import Table



def _printed_rows(table: Table) -> list[list[str]]:
    rows = []
    for row in table.formatted_rows():
        rows.append([safe_cell(v) if c.kind == "text" else v for c, v in zip(table.columns, row)])
    return rows


def as_csv(table: Table) -> str:
    """One line per row of the printed table, the parent last, numbers as printed."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.header if not c.group else f"{c.group} - {c.header}" for c in table.columns])
    writer.writerows(_printed_rows(table))
    return out.getvalue()


def as_json(table: Table) -> str:
    keys = [c.key for c in table.columns]
    return json.dumps(
        {"table": table.key, "title": table.title, "subtitle": table.subtitle,
         "columns": [{"key": c.key, "header": c.header, "group": c.group, "formula": c.formula} for c in table.columns],
         "rows": [dict(zip(keys, r)) | {"is_total": row.is_total}
                  for r, row in zip(_printed_rows(table), table.rows)]},
        ensure_ascii=False, indent=2,
    )
