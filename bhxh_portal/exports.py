"""Every spreadsheet and csv the portal writes goes through `safe_cell`: a text cell that Excel or
LibreOffice would run as a formula (=, +, -, @, tab, carriage return first) gets a leading apostrophe,
so a unit or person named "=HYPERLINK(...)" is shown as text (formula injection, OWASP "CSV injection").
Numbers stay numbers: non-text values pass unchanged, and so does a text that is only a number
("-5", "-1.234,5"), which cannot run anything.

`unescape_cell` undoes it when such a file is imported again (`bhxh_portal.imports.load_dataset`).
"""

import re

import tablib

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[-+]?[0-9][0-9.,]*(?:[eE][-+]?[0-9]+)?")


def safe_cell(value):
    """The value to write in a spreadsheet or csv cell: formula-like text with a leading apostrophe."""
    if not isinstance(value, str) or not value.startswith(FORMULA_PREFIXES) or _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def unescape_cell(value):
    """A cell read back from one of our files: "'=x" is "=x" again."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def safe_row(values) -> list:
    return [safe_cell(v) for v in values]


def safe_dataset(dataset: tablib.Dataset) -> tablib.Dataset:
    """A copy of a tablib Dataset with every cell through `safe_cell` (headers are the portal's own)."""
    safe = tablib.Dataset(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        safe.append(safe_row(row))
    return safe


class SafeExportMixin:
    """For django-import-export resources: every exported row through `safe_cell`, whichever path
    exports it (the admin's export, the pages' xlsx/csv downloads, `manage.py export_data`)."""

    def export_resource(self, instance, selected_fields=None, **kwargs):
        return safe_row(super().export_resource(instance, selected_fields, **kwargs))
