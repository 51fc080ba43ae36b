"""Writes to the denominators (population, labour force, ...) of a unit and year.

A change is recorded with who and when (django-simple-history), and the unit's targets of that
year are re-derived: a rate keeps its rate and gets a new count, a count gets a new rate.
"""

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from bhxh_portal.numbers import format_number
from units import access
from targets.models import Demographics
from units.models import Unit

from .targets import targets_rederive

DEMOGRAPHIC_FIELDS = ("population", "labour_force", "pupils", "required_to_join", "voluntary_eligible",
                      "bhtn_required")
_TRACKED = (*DEMOGRAPHIC_FIELDS, "source")


def demographics_prepare(*, record: Demographics | None, unit: Unit, year: int,
                         values: Mapping[str, int | None], source: str | None = None, by=None) -> Demographics:
    """Validate and fill (not save). Only the fields present in `values` change."""
    if by is not None and not access.can(by, "demographics.enter", unit):
        raise PermissionDenied(f"Bạn không có quyền sửa dân số, lao động của {unit.name}.")
    errors = {}
    if not 1900 <= int(year) <= 2200:
        errors["year"] = f"Năm {year} không hợp lệ."
    for name, value in values.items():
        if name not in DEMOGRAPHIC_FIELDS:
            raise ValueError(f"unknown demographic field {name}")
        if value is not None and value < 0:
            label = Demographics._meta.get_field(name).verbose_name
            errors[name] = f"{label.capitalize()} {format_number(value)} không được âm."
    if errors:
        raise ValidationError(errors)
    record = record if record is not None else Demographics(unit=unit, year=year)
    record.unit, record.year = unit, year
    for name, value in values.items():
        setattr(record, name, value)
    if source is not None:
        record.source = source
    return record


def _snapshot(record: Demographics) -> tuple:
    return tuple(getattr(record, f) for f in _TRACKED)


def demographics_store(*, record: Demographics, by=None, reason: str = "") -> Demographics:
    """Save a prepared record and re-derive the unit's targets of that year."""
    record._history_user = by
    record._change_reason = reason or None
    with transaction.atomic():
        record.save()
        targets_rederive(unit=record.unit, year=record.year, by=by)
    return record


@transaction.atomic
def demographics_save(*, unit: Unit, year: int, values: Mapping[str, int | None], source: str | None = None,
                      by=None, reason: str = "") -> Demographics:
    existing = Demographics.objects.filter(unit=unit, year=year).first()
    before = _snapshot(existing) if existing else None
    record = demographics_prepare(record=existing, unit=unit, year=year, values=values, source=source, by=by)
    if before is None or _snapshot(record) != before:
        demographics_store(record=record, by=by, reason=reason)
    return record
