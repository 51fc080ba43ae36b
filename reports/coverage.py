"""Build a coverage table for a unit and month: the one entry point used by the page, the
downloads (Celery jobs), the PDF and `manage.py coverage_table`, so the figures cannot disagree."""

import datetime

from reports.render import as_csv, as_json
from reports.tables.base import Table
from reports.tables.coverage_tables import TABLE_LABELS, TABLES
from reports.tables.inputs import load_inputs
from units.models import Unit
from units.selectors.lineage import unit_counterpart_on
from units.periods import InvalidPeriodParam, Period, month_param

FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "json": ("application/json", "json"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "pdf": ("application/pdf", "pdf"),
}


class CoverageRequestError(ValueError):
    """A table, period or format that does not exist; the message is Vietnamese."""


def parse_month(text: str) -> Period:
    try:
        return month_param(text, name="period")
    except InvalidPeriodParam as exc:
        raise CoverageRequestError(str(exc)) from exc


def parse_boundaries(text: str | None) -> datetime.date | None:
    """The `ranh-gioi` option: a day as YYYY-MM-DD, or nothing (the boundaries of the month)."""
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise CoverageRequestError(
            f"Ranh giới '{text}' không phải một ngày dạng NNNN-TT-NN (vd 2026-01-01).") from exc


def coverage_table_inputs(*, unit: Unit, table: str, month: Period, boundaries: datetime.date | None = None):
    """What the table is built from: the coverage inputs, or the table's own (`load_inputs` of a
    builder that reads other data: schools, a year's evaluation). With `boundaries`, the rows are the
    units in force on that day under the unit's counterpart then, each month's figures mapped onto
    them through their lineage (reports.tables.inputs)."""
    if table not in TABLES:
        raise CoverageRequestError(f"Không có bảng '{table}' (có: {', '.join(TABLES)}).")
    own_loader = getattr(TABLES[table], "load_inputs", None)
    if boundaries is None:
        return (own_loader or load_inputs)(parent=unit, month=month)
    if own_loader is not None:
        raise CoverageRequestError(f"Bảng '{TABLE_LABELS[table]}' không xem được theo ranh giới của ngày khác.")
    parent = unit_counterpart_on(unit=unit, on=boundaries)
    if parent is None:
        raise CoverageRequestError(
            f"Ngày {boundaries:%d/%m/%Y} không có một đơn vị nào tương ứng với {unit.name} (địa bàn bị chia "
            "hoặc ghép từ nhiều đơn vị); hãy xem bảng của đơn vị cấp trên hoặc chọn ngày khác.")
    return load_inputs(parent=parent, month=month, boundaries=boundaries)


def coverage_table_build(*, unit: Unit, table: str, month: Period, boundaries: datetime.date | None = None) -> Table:
    return TABLES[table](coverage_table_inputs(unit=unit, table=table, month=month, boundaries=boundaries))


def coverage_table_render(*, table: Table, unit: Unit, month: Period, fmt: str) -> bytes:
    if fmt == "csv":
        return as_csv(table).encode("utf-8-sig")  # the BOM tells Excel the file is UTF-8
    if fmt == "json":
        return as_json(table).encode("utf-8")
    if fmt == "xlsx":
        from reports.render.xlsx import as_xlsx

        return as_xlsx(table, unit_name=unit.name, as_of=month.end)
    if fmt == "pdf":
        from reports.render.pdf import as_pdf

        return as_pdf(table, unit_name=unit.name, as_of=month.end, chart_svg=achievement_chart(table))
    raise CoverageRequestError(f"Không có định dạng '{fmt}' (có: {', '.join(FORMATS)}).")


CHART_BARS = 24  # the bars one A4 landscape page holds under the chart's title


def achievement_chart(table: Table) -> str:
    """The children's achievement as an SVG bar chart for the PDF, when the table has that column."""
    if not any(c.key == "achievement" for c in table.columns):
        return ""
    try:
        from reports.charts import bar_chart
    except ImportError:
        return ""
    bars = [(r.values["unit"], float(r.values["achievement"])) for r in table.rows
            if not r.is_total and r.values.get("achievement") is not None]
    title = "Tỷ lệ đạt so với chỉ tiêu giao (%)"
    if len(bars) > CHART_BARS:
        # A chart is one picture and never breaks across pages: past a page of bars it was cut off
        # at the page's foot. The units furthest behind are those the reader looks for.
        title = f"{title}: {CHART_BARS} đơn vị đạt thấp nhất trong {len(bars)}"
        bars = sorted(bars, key=lambda bar: bar[1])[:CHART_BARS]
    return bar_chart(title=title, bars=bars, reference=100.0)


def output_name(*, unit: Unit, table: str, month: Period, fmt: str, boundaries: datetime.date | None = None) -> str:
    suffix = f"-ranh-gioi-{boundaries:%Y%m%d}" if boundaries else ""
    return f"bang-{table}-{unit.code}-{month.key}{suffix}.{FORMATS[fmt][1]}"


__all__ = ["FORMATS", "TABLE_LABELS", "TABLES", "CoverageRequestError", "coverage_table_build",
           "coverage_table_inputs", "coverage_table_render", "output_name", "parse_boundaries", "parse_month"]
