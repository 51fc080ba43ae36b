"""Excel that looks like the printed table: merged two-row headers, the formula row, number
formats, bold totals, frozen header, A4 landscape."""

import datetime
import io
from fractions import Fraction

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from bhxh_portal.numbers import round_half_up
from reports.tables.base import Table

from .layout import subtitle_for
from .text import safe_cell

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FORMATS = {"int": "#,##0;(#,##0)", "percent": "0.00%", "pp": "0.00%", "decimal": "#,##0.00"}
# The typeface of Vietnamese administrative documents, which every office PC has.
TYPEFACE = "Times New Roman"


def _font(**style) -> Font:
    return Font(name=TYPEFACE, **style)


def _is_stt(column) -> bool:
    """The row-number column: narrow, and its numbers stored as numbers so Excel sorts and sums them."""
    return column.key == "stt"


def _cell_value(column, value):
    """The value rounded as the page prints it (column.places; two decimals by default), so the cell
    shows the page's figure, not one more decimal of it."""
    kind = column.kind
    if value is None or value == "":
        return None
    if kind == "stt" or _is_stt(column):
        return int(value) if str(value).isdigit() else safe_cell(str(value))
    if kind == "text":
        return safe_cell(str(value))
    places = column.places or 2
    if kind in ("percent", "pp"):
        return float(round_half_up(Fraction(value), places)) / 100  # shown as 93,08% whatever Excel's locale
    if kind == "int":
        return int(value)
    return float(round_half_up(Fraction(value), places))


def _number_format(column) -> str:
    places = column.places or 2
    if column.kind in ("percent", "pp"):
        return f"0.{'0' * places}%"
    if column.kind == "decimal":
        return f"#,##0.{'0' * places}"
    return FORMATS[column.kind]


def as_xlsx(table: Table, *, unit_name: str = "", as_of: datetime.date | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = table.key[:31]
    width = len(table.columns)
    ws.cell(row=1, column=1, value=safe_cell(table.title)).font = _font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    subtitle = subtitle_for(table, unit_name, as_of)
    # safe_cell: the subtitle starts with the unit's name, which anyone with rights may type
    ws.cell(row=2, column=1, value=safe_cell(subtitle)).font = _font(italic=True)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws.cell(row=2, column=1).alignment = Alignment(horizontal="center")

    head1, head2, formula_row = 4, 5, 6
    col = 1
    for label, span in table.header_groups():
        column = table.columns[col - 1]
        if column.group:
            ws.cell(row=head1, column=col, value=label)
            ws.merge_cells(start_row=head1, start_column=col, end_row=head1, end_column=col + span - 1)
            for offset in range(span):
                ws.cell(row=head2, column=col + offset, value=table.columns[col - 1 + offset].header)
        else:
            ws.cell(row=head1, column=col, value=label)
            ws.merge_cells(start_row=head1, start_column=col, end_row=head2, end_column=col)
        col += span
    for index, column in enumerate(table.columns, start=1):
        ws.cell(row=formula_row, column=index, value=column.formula).font = _font(italic=True)
        for r in (head1, head2, formula_row):
            cell = ws.cell(row=r, column=index)
            cell.border = BOX
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            if r != formula_row:
                cell.font = _font(bold=True)
        ws.column_dimensions[get_column_letter(index)].width = (
            6 if _is_stt(column) else 28 if column.kind == "text" else 14)
    ws.row_dimensions[head1].height = 45
    ws.row_dimensions[head2].height = 45

    markers = table.markers()
    for r_index, (row, marker) in enumerate(zip(table.rows, markers), start=formula_row + 1):
        for c_index, column in enumerate(table.columns, start=1):
            value = _cell_value(column, row.values.get(column.key))
            if marker and column.key == table.name_key:
                value = f"{value} {marker}"
            cell = ws.cell(row=r_index, column=c_index, value=value)
            cell.border = BOX
            cell.font = _font(bold=row.is_total)
            if _is_stt(column):
                cell.alignment = Alignment(horizontal="center", vertical="center")
            elif column.kind in FORMATS:
                cell.number_format = _number_format(column) + (
                    f';"{column.zero_text}"' if column.zero_text and column.kind == "int" else "")
                cell.alignment = Alignment(horizontal="right", vertical="center")
            else:  # long school and commune names wrap inside their column instead of spilling over
                cell.alignment = Alignment(vertical="center", wrap_text=True)

    # the notes under the table: which rows read their predecessors' figures, which are left empty
    for n, (marker, name, note) in enumerate(table.notes, start=formula_row + len(table.rows) + 2):
        ws.cell(row=n, column=1, value=safe_cell(f"{marker} {name}: {note}")).font = _font(italic=True)
        ws.merge_cells(start_row=n, start_column=1, end_row=n, end_column=width)

    ws.freeze_panes = ws.cell(row=formula_row + 1, column=3 if width > 2 else 1)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{head1}:{formula_row}"
    ws.oddFooter.center.text = "Trang &P / &N"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
