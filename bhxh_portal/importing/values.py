"""Converters for cells: each reads one value or raises ValueError with a Vietnamese reason."""

import datetime


def parse_date(value, *, label: str = "ngày") -> datetime.date | None:
    """dd/mm/yyyy, yyyy-mm-dd, an Excel date cell, or an Excel date serial number."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 2958466:
            return datetime.date(1899, 12, 30) + datetime.timedelta(days=int(value))
        raise ValueError(f"{label} '{value}' không hợp lệ")
    text = str(value).strip()
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{label} '{text}' không đúng dạng dd/mm/yyyy")
