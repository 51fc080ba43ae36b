"""The header cells and row cells a template needs, shared by the HTML page and the PDF."""

import datetime

from bhxh_portal.fragments import fragment
from reports.tables.base import Table


def subtitle_for(table: Table, unit_name: str, as_of: datetime.date | None) -> str:
    """The unit, the table's subtitle and the date of the figures, each once: the coverage tables
    already name the date in their subtitle."""
    as_of_text = f"Số liệu đến ngày {as_of:%d/%m/%Y}" if as_of else ""
    parts = [unit_name, table.subtitle, as_of_text if as_of_text not in table.subtitle else ""]
    return " · ".join(p for p in parts if p)


def table_context(table: Table) -> dict:
    head1, head2 = [], []
    has_groups = any(c.group for c in table.columns)
    index = 0
    for label, span in table.header_groups():
        column = table.columns[index]
        if column.group:
            head1.append({"label": label, "colspan": span, "rowspan": 1})
            head2.extend(c.header for c in table.columns[index:index + span])
        else:
            head1.append({"label": label, "colspan": 1, "rowspan": 2 if has_groups else 1})
        index += span
    # Each row rendered by content (bhxh_portal.fragments): after a save a page's other rows print as
    # they did.
    # The cells stay for the renderers that lay them out themselves (docx).
    count = len(table.rows)
    rows = []
    for index, (row, printed, marker) in enumerate(zip(table.rows, table.formatted_rows(), table.markers())):
        cells = [(column.kind, text, marker if column.key == table.name_key else "")
                 for column, text in zip(table.columns, printed)]
        rows.append({
            "is_total": row.is_total, "note": row.note,
            "cells": [{"text": text, "kind": kind, "marker": mark} for kind, text, mark in cells],
            "html": fragment("reports/_table_row.html", is_total=row.is_total, last=count - index <= 3,
                             note=row.note, cells=tuple(cells)),
        })
    return {"table": table, "head1": head1, "head2": head2, "rows": rows, "notes": table.notes}
