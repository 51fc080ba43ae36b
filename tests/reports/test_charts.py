"""Server-side SVG charts: well-formed, escaped, Vietnamese numbers, gaps, no JavaScript."""

import xml.etree.ElementTree as ET
from fractions import Fraction

from bhxh_portal.numbers import format_percent
from reports.charts import Bar, Series, bar_chart, line_chart, nice_ticks

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert "<script" not in svg.lower()
    return root


def texts(root) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_a_line_chart_draws_each_series_with_gaps_and_a_legend():
    labels = [f"T{m}" for m in range(1, 13)]
    svg = line_chart(labels=labels, title="BHYT năm 2023", series=[
        Series("Số người tham gia", [None, None, None, None, 131647, 132600] + [None] * 6),
        Series("Lộ trình chỉ tiêu", [130000 + 1000 * m for m in range(1, 13)], color="#b3261e", dashed=True,
               markers=False),
    ])
    root = parse(svg)
    assert root.get("viewBox") == "0 0 640 260"
    polylines = list(root.iter(f"{SVG}polyline"))
    assert len(polylines) == 2  # the participants' two known months make one segment; the path one
    assert len(polylines[0].get("points").split()) == 2 and len(polylines[1].get("points").split()) == 12
    assert polylines[1].get("stroke-dasharray") == "6 4" and polylines[1].get("stroke") == "#b3261e"
    circles = list(root.iter(f"{SVG}circle"))
    assert len(circles) == 2
    assert "".join(circles[1].itertext()) == "Số người tham gia, T6: 132.600"
    labels_drawn = texts(root)
    assert "BHYT năm 2023" in labels_drawn and "T1" in labels_drawn and "Lộ trình chỉ tiêu" in labels_drawn
    assert any("." in t and t.replace(".", "").isdigit() for t in labels_drawn)  # 132.000-style axis ticks


def test_text_is_escaped_and_bad_colours_are_replaced():
    svg = line_chart(labels=["<T1>", "T2"], title='Xã "A" & <b>B</b>', series=[
        Series("</text><script>alert(1)</script>", [1, 2], color="red;fill:url(javascript:x)")])
    root = parse(svg)
    assert 'Xã "A" & <b>B</b>' in texts(root)
    assert "<script>" not in svg and "javascript" not in svg
    assert list(root.iter(f"{SVG}polyline"))[0].get("stroke") == "#0b5394"


def test_empty_charts_say_so():
    root = parse(line_chart(labels=["T1"], series=[Series("A", [None])]))
    assert "Chưa có số liệu" in texts(root)
    root = parse(bar_chart(bars=[]))
    assert "Chưa có số liệu" in texts(root)


def test_a_bar_chart_ranks_in_the_given_order_with_a_reference_line():
    bars = [Bar("Xã An Trường", Fraction(10141, 100), note="(13.510 người)"),
            Bar("Xã Huyền Hội với một cái tên rất dài để cắt bớt", Fraction(8395, 100)),
            Bar("Xã chưa có số", None)]
    svg = bar_chart(bars=bars, title="Tỷ lệ đạt", value_format=format_percent, reference=100,
                    reference_label="100%")
    root = parse(svg)
    rects = list(root.iter(f"{SVG}rect"))
    assert len(rects) == 2 and float(rects[0].get("width")) > float(rects[1].get("width"))
    drawn = texts(root)
    assert "101,41% (13.510 người)" in drawn and "83,95%" in drawn and "chưa có" in drawn and "100%" in drawn
    assert any(t.endswith("…") for t in drawn)  # a long name is shortened; its full text is the tooltip
    assert len(list(root.iter(f"{SVG}line"))) == 1


def test_nice_ticks_cover_the_range_with_round_steps():
    assert nice_ticks(0, 100) == [0, 20, 40, 60, 80, 100]
    ticks = nice_ticks(131000, 133000)
    assert ticks[0] <= 131000 and ticks[-1] >= 133000 and ticks[1] - ticks[0] in (250, 500, 1000)
    assert nice_ticks(5, 5)[0] <= 5 <= nice_ticks(5, 5)[-1]


def test_plain_pairs_are_accepted_and_decimals_shown_by_default():
    root = parse(bar_chart(bars=[("Xã Mỹ Cẩm", 98.04), ("Xã Tân An", 95)], reference=100.0))
    assert "98,04" in texts(root) and "95" in texts(root)
    root = parse(line_chart(labels=["T5", "T6"], series=[("BHYT", [131647, 132600])]))
    assert len(list(root.iter(f"{SVG}polyline"))) == 1


def test_the_same_svg_goes_into_a_pdf():
    import io

    import weasyprint
    from pypdf import PdfReader

    svg = line_chart(labels=["T5", "T6"], title="BHYT năm 2023", series=[("Số người tham gia", [131647, 132600])])
    pdf = weasyprint.HTML(string=f"<html><body>{svg}</body></html>").write_pdf()
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "BHYT năm 2023" in text and "Số người tham gia" in text
