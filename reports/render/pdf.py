"""PDF with WeasyPrint: A4 landscape, Liberation Serif embedded (shipped in static/fonts),
header repeated on every page, page numbers, title, unit and date."""

import datetime
import functools
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from reports.tables.base import Table

from .layout import subtitle_for, table_context

FONTS_DIR = Path(settings.BASE_DIR) / "static" / "fonts"


# Relative widths by kind of column: the PDF lays the table out with fixed widths (table-layout:
# fixed), which WeasyPrint does without measuring every cell of every row twice; a long table
# (450 schools of a province, 18 pages) renders about twice as fast as with the automatic layout.
WIDTHS = {"stt": 1.2, "unit": 6.0, "text": 3.0, "number": 2.4}


def column_widths(table: Table) -> list[str]:
    weights = [WIDTHS["stt"] if c.key == "stt" else WIDTHS["unit"] if c.key == "unit"
               else WIDTHS["text"] if c.kind == "text" else WIDTHS["number"] for c in table.columns]
    total = sum(weights)
    return [f"{100 * w / total:.2f}" for w in weights]


# The browser defaults the table's page needs, instead of WeasyPrint's whole HTML stylesheet: its
# 250 rules (many with :is() and [dir] selectors) are matched against every cell, 40 % of the
# layout of a province's 130 communes. Same values as WeasyPrint's own for the elements used here.
UA_CSS = """
head, style, title, script, meta { display: none }
html, body, div, h1, p, ol { display: block }
li { display: list-item }
table { display: table; box-sizing: border-box; border-spacing: 2px; border-collapse: separate; text-indent: initial;
        border-color: gray }
colgroup { display: table-column-group }
col { display: table-column }
thead { display: table-header-group; vertical-align: middle; border-color: inherit }
tbody { display: table-row-group; vertical-align: middle; border-color: inherit }
tr { display: table-row; vertical-align: inherit; border-color: inherit }
td, th { display: table-cell; padding: 1px; vertical-align: inherit; border-color: gray }
th { font-weight: bold }
body { margin: 8px }
p, ol { margin-top: 1em; margin-bottom: 1em }
ol { padding-left: 40px; list-style-type: decimal; counter-reset: list-item; break-before: avoid }
h1 { font-size: 2em; font-weight: bold; margin-top: .67em; margin-bottom: .67em; bookmark-level: 1;
     bookmark-label: content(text); hyphens: manual; break-after: avoid; break-inside: avoid }
sup { vertical-align: super; font-size: smaller; line-height: normal }
svg { overflow: hidden }
br::before { content: "\\A"; white-space: pre-line }
"""


def _html_class():
    """WeasyPrint's HTML with UA_CSS as its browser defaults (an overridden hook of WeasyPrint 70;
    where the hook is gone, the full defaults apply and only the speed is lost)."""
    from weasyprint import CSS, HTML

    class TableHTML(HTML):
        def _ua_stylesheets(self, forms=False):
            return [_ua_stylesheet(CSS)]

    return TableHTML


@functools.cache
def _ua_stylesheet(css_class):
    return css_class(string=UA_CSS)


def as_pdf(table: Table, *, unit_name: str = "", as_of: datetime.date | None = None, chart_svg: str = "") -> bytes:
    return as_document(table, unit_name=unit_name, as_of=as_of, chart_svg=chart_svg).write_pdf()


def as_document(table: Table, *, unit_name: str = "", as_of: datetime.date | None = None, chart_svg: str = ""):
    """The laid-out WeasyPrint document, so that several tables can be bound into one PDF
    (`documents[0].copy([page for d in documents for page in d.pages]).write_pdf()`)."""
    from weasyprint.text.fonts import FontConfiguration

    html = render_to_string("reports/table_pdf.html", {
        **table_context(table),
        "col_widths": column_widths(table),
        "subtitle": subtitle_for(table, unit_name, as_of),
        "fonts": FONTS_DIR.as_uri(),
        "chart_svg": chart_svg,
    })
    font_config = FontConfiguration()
    return _html_class()(string=html, base_url=str(settings.BASE_DIR)).render(font_config=font_config)
