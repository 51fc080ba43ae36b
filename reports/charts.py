"""Charts drawn on the server as SVG: no JavaScript, the same picture in the browser and in a PDF.

Pure functions: data in, an SVG string out (an <svg> element with a viewBox, ready to be placed
inline in HTML or in a WeasyPrint document). Every piece of text is escaped; colours are checked
against a small pattern; numbers on the chart are Vietnamese (148.806; 89,11%).

- line_chart: a few series over the same labels (months), with gaps where a value is missing,
  e.g. participants month by month against the target path.
- bar_chart: horizontal bars with their labels (long unit names fit), e.g. the communes ranked by
  achievement, with a reference line (100%).
"""

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from html import escape

from bhxh_portal.numbers import format_number

Number = int | float | Decimal | Fraction
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
INK = "#1d2733"
MUTED = "#5b6776"
GRID = "#d5dbe3"
PALETTE = ["#0b5394", "#b3261e", "#1e7b34", "#8e44ad", "#d35400", "#16a085"]
_COLOUR = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?|[a-z]{3,20}")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Number | None]
    color: str = ""
    dashed: bool = False
    markers: bool = True


@dataclass(frozen=True)
class Bar:
    label: str
    value: Number | None
    color: str = ""
    note: str = ""  # printed after the value, e.g. the participants behind a percentage


def auto_format(value: Number) -> str:
    """Whole numbers as 148.806, others with two decimals (89,11): the default of both charts."""
    if isinstance(value, int) or float(value).is_integer():
        return format_number(value)
    return format_number(value, 2)


def _text(value) -> str:
    return escape(str(value), quote=True)


def _colour(value: str, fallback: str) -> str:
    return value if value and _COLOUR.fullmatch(value) else fallback


def _n(value: float) -> str:
    """A coordinate: one decimal, no trailing zero."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _float(value) -> float | None:
    return None if value is None else float(value)


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]: 1, 2, 2.5 or 5 times a power of ten apart."""
    if high < low:
        low, high = high, low
    if high == low:
        high = low + (abs(low) * 0.1 or 1)
    raw = (high - low) / max(1, count)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value < high + step * 0.5 and len(ticks) < 50:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _open(width: int, height: int, title: str, font_family: str) -> list[str]:
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{_text(title)}" font-family="{_text(font_family)}" font-size="12" fill="{INK}">',
        f"<title>{_text(title)}</title>",
    ]
    if title:
        parts.append(f'<text x="{_n(width / 2)}" y="16" text-anchor="middle" font-size="13" '
                     f'font-weight="bold">{_text(title)}</text>')
    return parts


def line_chart(*, labels: Sequence[str], series: Sequence[Series | tuple], title: str = "", width: int = 640,
               height: int = 260, value_format: Callable[[Number], str] = auto_format,
               y_min: Number | None = None, empty_text: str = "Chưa có số liệu",
               font_family: str = FONT) -> str:
    """Series over the same labels; a None value leaves a gap in its line. A series may also be
    given as a (name, values) pair."""
    series = [s if isinstance(s, Series) else Series(*s) for s in series]
    left, right, top, bottom = 64, 16, 28 if title else 12, 48
    plot_w, plot_h = width - left - right, height - top - bottom
    parts = _open(width, height, title, font_family)
    values = [v for s in series for v in (_float(x) for x in s.values) if v is not None]
    if not values or not labels:
        parts.append(f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" stroke="{GRID}"/>')
        parts.append(f'<text x="{_n(left + plot_w / 2)}" y="{_n(top + plot_h / 2)}" text-anchor="middle" '
                     f'fill="{MUTED}">{_text(empty_text)}</text></svg>')
        return "".join(parts)
    low = min(values) if y_min is None else min(float(y_min), min(values))
    high = max(values)
    if y_min is None and low > 0:
        low = max(0.0, low - (high - low) * 0.1)
    ticks = nice_ticks(low, high)
    bottom_value, top_value = ticks[0], ticks[-1]
    span = (top_value - bottom_value) or 1
    count = len(labels)
    step_x = plot_w / max(1, count - 1) if count > 1 else 0

    def x(i: int) -> float:
        return left + (i * step_x if count > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h - (v - bottom_value) / span * plot_h

    for tick in ticks:
        parts.append(f'<line x1="{left}" y1="{_n(y(tick))}" x2="{left + plot_w}" y2="{_n(y(tick))}" '
                     f'stroke="{GRID}" stroke-width="1"/>')
        parts.append(f'<text x="{left - 6}" y="{_n(y(tick) + 4)}" text-anchor="end" fill="{MUTED}">'
                     f"{_text(value_format(tick))}</text>")
    for i, label in enumerate(labels):
        parts.append(f'<text x="{_n(x(i))}" y="{_n(top + plot_h + 16)}" text-anchor="middle" fill="{MUTED}">'
                     f"{_text(label)}</text>")
    for index, s in enumerate(series):
        colour = _colour(s.color, PALETTE[index % len(PALETTE)])
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        segment: list[str] = []
        segments: list[list[str]] = []
        for i, raw in enumerate(list(s.values)[:count]):
            v = _float(raw)
            if v is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            segment.append(f"{_n(x(i))},{_n(y(v))}")
        if segment:
            segments.append(segment)
        parts.append(f'<g class="series" data-series="{_text(s.name)}">')
        for points in segments:
            if len(points) > 1:
                parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" '
                             f'stroke-width="2"{dash}/>')
        if s.markers:
            for i, raw in enumerate(list(s.values)[:count]):
                v = _float(raw)
                if v is None:
                    continue
                parts.append(f'<circle cx="{_n(x(i))}" cy="{_n(y(v))}" r="3" fill="{colour}">'
                             f"<title>{_text(s.name)}, {_text(labels[i])}: {_text(value_format(raw))}</title></circle>")
        parts.append("</g>")
    legend_x = left
    legend_y = height - 10
    for index, s in enumerate(series):
        colour = _colour(s.color, PALETTE[index % len(PALETTE)])
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        parts.append(f'<line x1="{legend_x}" y1="{legend_y - 4}" x2="{legend_x + 22}" y2="{legend_y - 4}" '
                     f'stroke="{colour}" stroke-width="2"{dash}/>')
        parts.append(f'<text x="{legend_x + 28}" y="{legend_y}">{_text(s.name)}</text>')
        legend_x += 40 + 7 * len(s.name)
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(*, bars: Sequence[Bar | tuple], title: str = "", width: int = 640, bar_height: int = 18, gap: int = 6,
              label_width: int = 170, value_format: Callable[[Number], str] = auto_format,
              reference: Number | None = None, reference_label: str = "", max_value: Number | None = None,
              empty_text: str = "Chưa có số liệu", font_family: str = FONT, color: str = "") -> str:
    """Horizontal bars, one per label, in the order given; a None value shows 'chưa có'. A bar may
    also be given as a (label, value) pair."""
    bars = [b if isinstance(b, Bar) else Bar(*b) for b in bars]
    top = 28 if title else 8
    shown = [value_format(b.value) + (f" {b.note}" if b.note else "") for b in bars if b.value is not None]
    value_width = max([60, *(int(len(t) * 6.6) + 10 for t in shown)])  # room for the longest value text
    plot_w = max(60, width - label_width - value_width - 8)
    height = top + max(1, len(bars)) * (bar_height + gap) + (22 if reference is not None else 8)
    parts = _open(width, height, title, font_family)
    known = [float(b.value) for b in bars if b.value is not None]
    if not bars:
        parts.append(f'<text x="{_n(width / 2)}" y="{top + 14}" text-anchor="middle" fill="{MUTED}">'
                     f"{_text(empty_text)}</text></svg>")
        return "".join(parts)
    scale_max = max([*known, float(reference) if reference is not None else 0,
                     float(max_value) if max_value is not None else 0]) or 1
    default_colour = _colour(color, PALETTE[0])
    x0 = label_width
    for i, bar in enumerate(bars):
        y = top + i * (bar_height + gap)
        label = bar.label if len(bar.label) <= 28 else bar.label[:27] + "…"
        parts.append(f'<text x="{label_width - 6}" y="{_n(y + bar_height * 0.72)}" text-anchor="end">'
                     f"<title>{_text(bar.label)}</title>{_text(label)}</text>")
        if bar.value is None:
            parts.append(f'<text x="{x0 + 4}" y="{_n(y + bar_height * 0.72)}" fill="{MUTED}">chưa có</text>')
            continue
        length = max(0.0, float(bar.value)) / scale_max * plot_w
        parts.append(f'<rect x="{x0}" y="{_n(y)}" width="{_n(length)}" height="{bar_height}" '
                     f'fill="{_colour(bar.color, default_colour)}"><title>{_text(bar.label)}: '
                     f"{_text(value_format(bar.value))}</title></rect>")
        text = value_format(bar.value) + (f" {bar.note}" if bar.note else "")
        parts.append(f'<text x="{_n(x0 + length + 4)}" y="{_n(y + bar_height * 0.72)}">{_text(text)}</text>')
    if reference is not None:
        rx = x0 + float(reference) / scale_max * plot_w
        bottom = top + len(bars) * (bar_height + gap)
        parts.append(f'<line x1="{_n(rx)}" y1="{top - 2}" x2="{_n(rx)}" y2="{bottom}" stroke="{INK}" '
                     f'stroke-width="1" stroke-dasharray="4 3"/>')
        label = reference_label or value_format(reference)
        parts.append(f'<text x="{_n(rx)}" y="{bottom + 14}" text-anchor="middle" fill="{MUTED}">'
                     f"{_text(label)}</text>")
    parts.append("</svg>")
    return "".join(parts)
