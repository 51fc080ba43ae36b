"""Lay a reports.tables Table out as csv, json, xlsx, html or pdf. No figure is computed here."""

from .text import as_csv, as_json, safe_cell  # noqa: F401
