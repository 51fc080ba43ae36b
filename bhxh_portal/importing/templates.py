"""The blank file an importer offers for download: its headers (bold, frozen, wide enough), and a
'Hướng dẫn' sheet saying how each column is written; or the header line as a csv Excel opens."""

import csv
import io
from collections.abc import Iterable, Sequence


def template_csv(headers: Sequence[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(headers)
    return buffer.getvalue().encode("utf-8-sig")  # BOM: Excel opens UTF-8 with the accents


def template_xlsx(headers: Sequence[str], *, title: str = "Mẫu", guide: Iterable[Sequence] = (),
                  guide_widths: tuple[int, int] = (26, 100), text_columns: Sequence[int] = (),
                  freeze: bool = True, styled: bool = True, rows: Iterable[Sequence] = ()) -> bytes:
    """An xlsx with the headers on its first sheet (`title`) and, if given, the guide rows on a second.

    `rows` prefill the sheet under the header (a list sent out to be completed and uploaded back);
    the caller makes them safe (bhxh_portal.exports.safe_cell).

    `text_columns` (1-based) are formatted as text so that Excel keeps codes and "2023-06" as typed.
    Without `styled`, only the header row is written (a plain sheet as a list export makes it)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(list(headers))
    count = 0
    for count, row in enumerate(rows, start=1):
        sheet.append(list(row))
    if styled:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            sheet.column_dimensions[cell.column_letter].width = max(14, len(str(cell.value)) + 4)
        if freeze:
            sheet.freeze_panes = "A2"
    for column in text_columns:
        for row in range(2, max(1000, count + 100)):
            sheet.cell(row=row, column=column).number_format = "@"
    guide = list(guide)
    if guide:
        help_sheet = workbook.create_sheet("Hướng dẫn")
        help_sheet.append(["Cột", "Cách ghi"])
        for line in guide:
            help_sheet.append(list(line))
        for cell in help_sheet[1]:
            cell.font = Font(bold=True)
        help_sheet.column_dimensions["A"].width = guide_widths[0]
        help_sheet.column_dimensions["B"].width = guide_widths[1]
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
