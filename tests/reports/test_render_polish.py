"""Layout of the coverage outputs: the subtitle says each thing once; the total row never starts a
page alone."""

import datetime

from reports.render.layout import subtitle_for
from reports.render.pdf import as_pdf
from reports.tables.base import Column, Row, Table
from tests.campaigns.pdfcheck import reader


def table(rows: int, subtitle: str = "") -> Table:
    columns = [Column("stt", "STT", "A", kind="text"), Column("unit", "Đơn vị", "B", kind="text"),
               Column("n", "Số người", "1")]
    body = [Row({"stt": str(i), "unit": f"Xã {i}", "n": i}) for i in range(1, rows + 1)]
    return Table("bhyt", "Bảng thử", columns, [*body, Row({"unit": "Tổng", "n": 1}, is_total=True)],
                 subtitle=subtitle)


def test_the_date_of_the_figures_is_said_once():
    as_of = datetime.date(2023, 6, 30)
    assert (subtitle_for(table(1, "Số liệu đến ngày 30/06/2023"), "Huyện Càng Long", as_of)
            == "Huyện Càng Long · Số liệu đến ngày 30/06/2023")
    assert subtitle_for(table(1, "Năm học 2022-2023"), "", as_of) == "Năm học 2022-2023 · Số liệu đến ngày 30/06/2023"


def test_the_total_row_never_starts_a_page_alone():
    checked = 0
    for rows in range(20, 60):
        pdf = reader(as_pdf(table(rows)))
        if len(pdf.pages) < 2:
            continue
        last = pdf.pages[-1].extract_text()
        if "Tổng" in last:
            checked += 1
            assert f"Xã {rows}" in last, f"{rows} rows: the total row alone on the last page"
    assert checked
