"""PDF with WeasyPrint: A4 landscape, Liberation Serif embedded (shipped in static/fonts),
header repeated on every page, page numbers, title, unit and date."""

import datetime
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


def as_pdf(table: Table, *, unit_name: str = "", as_of: datetime.date | None = None, chart_svg: str = "") -> bytes:
    return as_document(table, unit_name=unit_name, as_of=as_of, chart_svg=chart_svg).write_pdf()


def as_document(table: Table, *, unit_name: str = "", as_of: datetime.date | None = None, chart_svg: str = ""):
    """The laid-out WeasyPrint document, so that several tables can be bound into one PDF
    (`documents[0].copy([page for d in documents for page in d.pages]).write_pdf()`)."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    html = render_to_string("reports/table_pdf.html", {
        **table_context(table),
        "col_widths": column_widths(table),
        "subtitle": subtitle_for(table, unit_name, as_of),
        "fonts": FONTS_DIR.as_uri(),
        "chart_svg": chart_svg,
    })
    font_config = FontConfiguration()
    return HTML(string=html, base_url=str(settings.BASE_DIR)).render(font_config=font_config)
