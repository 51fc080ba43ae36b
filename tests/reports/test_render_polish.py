"""Layout of the coverage outputs: the subtitle says each thing once; the total row never starts a
page alone; the achievement chart of the PDF fits on a page."""

import datetime
import re
from fractions import Fraction

from reports.coverage import CHART_BARS, achievement_chart
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


def achievement_table(rows: int) -> Table:
    columns = [Column("stt", "STT", "A", kind="text"), Column("unit", "Đơn vị", "B", kind="text"),
               Column("achievement", "Tỷ lệ đạt được so với giao (%)", "1", kind="percent")]
    body = [Row({"stt": str(i), "unit": f"Xã {i:03d}", "achievement": Fraction(200 - i)}) for i in range(1, rows + 1)]
    return Table("bhyt", "Bảng thử", columns, [*body, Row({"unit": "Tổng", "achievement": Fraction(150)},
                                                          is_total=True)])


def bar_names(chart: str) -> list[str]:
    return re.findall(r"<title>(Xã \d+)</title>", chart)


def test_the_achievement_chart_of_a_few_units_shows_each_in_the_table_order():
    chart = achievement_chart(achievement_table(5))

    assert bar_names(chart) == ["Xã 001", "Xã 002", "Xã 003", "Xã 004", "Xã 005"]
    assert "thấp nhất" not in chart


def test_the_achievement_chart_of_many_units_fits_a_page_with_those_furthest_behind():
    chart = achievement_chart(achievement_table(130))

    names = bar_names(chart)
    assert CHART_BARS == 24 and len(names) == 24
    assert names[0] == "Xã 130" and names[-1] == "Xã 107"  # 70 % then up to 93 %, lowest first
    assert "24 đơn vị đạt thấp nhất trong 130" in chart
    height = int(re.search(r'<svg[^>]* height="(\d+)"', chart).group(1))
    assert height < 680  # px: an A4 landscape page inside its margins is 180 mm, 680 px high
