"""What the database can store: each value checked against the model field it goes to, with the row."""

import datetime
import functools
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations

from bhxh_portal.numbers import format_number

# --- what the database can store --------------------------------------------------------------------
# Every importer checks each value it will write against the model field it goes to, while checking
# the rows: a name longer than the column, a count past the integer column, a date in year 1 or
# 9999 is refused there with the row, the column and the reason, instead of being cut (SQLite keeps
# any length), overflowing at write time (OverflowError on SQLite, DataError on PostgreSQL: a 500),
# or passing as a date nobody meant. The limits are read from the model, never typed again; the
# integer ranges are PostgreSQL's, enforced on SQLite too, so a file that checks on one checks on both.

DATE_RANGE = (datetime.date(1900, 1, 1), datetime.date(2100, 12, 31))
_INTEGER_RANGES = BaseDatabaseOperations.integer_field_ranges


@dataclass(frozen=True)
class FieldLimits:
    label: str
    kind: str  # "text", "integer", "decimal", "date" or "" (nothing to check)
    max_length: int | None = None
    low: int | None = None
    high: int | None = None
    whole_digits: int | None = None
    decimal_places: int | None = None


@functools.cache
def field_limits(model, field_name: str) -> FieldLimits:
    field = model._meta.get_field(field_name)
    label = str(getattr(field, "verbose_name", field_name) or field_name)
    label = label[:1].upper() + label[1:]
    if isinstance(field, models.ForeignKey):
        return FieldLimits(label, "")
    internal = field.get_internal_type()
    if internal in _INTEGER_RANGES:
        low, high = _INTEGER_RANGES[internal]
        return FieldLimits(label, "integer", low=low, high=high)
    if isinstance(field, models.DecimalField):
        return FieldLimits(label, "decimal", whole_digits=field.max_digits - field.decimal_places,
                           decimal_places=field.decimal_places)
    if isinstance(field, (models.DateField, models.DateTimeField)):
        return FieldLimits(label, "date")
    if isinstance(field, (models.CharField, models.TextField)):
        return FieldLimits(label, "text", max_length=field.max_length)
    return FieldLimits(label, "")


def _day(value: datetime.date) -> str:
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def check_fits(model, field_name: str, value) -> str | None:
    """Why `value` cannot be stored in `model.field_name` (Vietnamese), or None if it can.

    Empty values pass: whether a value is required is the importer's own check.
    """
    if value is None or value == "":
        return None
    limits = field_limits(model, field_name)
    kind = limits.kind
    if kind == "text":
        if not isinstance(value, str):
            return None
        if limits.max_length is not None and len(value) > limits.max_length:
            return (f"{limits.label} dài {format_number(len(value))} ký tự, vượt quá "
                    f"{format_number(limits.max_length)} ký tự được phép; hãy rút gọn.")
        if "\x00" in value:  # PostgreSQL text cannot hold it
            return f"{limits.label} có ký tự không hợp lệ (ký tự rỗng NUL); hãy gõ lại ô này."
        return None
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            return None
        if value < limits.low:
            if limits.low == 0:
                return f"{limits.label} {format_number(value)} không được âm."
            return f"{limits.label} {format_number(value)} nhỏ hơn mức nhỏ nhất lưu được ({format_number(limits.low)})."
        if value > limits.high:
            return f"{limits.label} {format_number(value)} quá lớn (tối đa {format_number(limits.high)})."
        return None
    if kind == "decimal":
        if isinstance(value, bool) or not isinstance(value, (int, Decimal, float)):
            return None
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not number.is_finite():
            return f"{limits.label} '{value}' không phải là số hợp lệ."
        if number.copy_abs() >= 10 ** limits.whole_digits:
            return (f"{limits.label} {format_number(number, limits.decimal_places)} quá lớn (tối đa "
                    f"{limits.whole_digits} chữ số phần nguyên).")
        _, digits, exponent = number.as_tuple()
        places = -exponent
        while places > limits.decimal_places and digits and digits[-1] == 0:
            digits, places = digits[:-1], places - 1
        if places > limits.decimal_places:
            return f"{limits.label} {value} có quá {limits.decimal_places} chữ số thập phân."
        return None
    if kind == "date":
        day = value.date() if isinstance(value, datetime.datetime) else value
        if isinstance(day, datetime.date) and not DATE_RANGE[0] <= day <= DATE_RANGE[1]:
            return (f"{limits.label} {_day(day)} ngoài khoảng cho phép ({_day(DATE_RANGE[0])}–"
                    f"{_day(DATE_RANGE[1])}).")
        return None
    return None


def instance_limit_errors(instance, *, fields=None) -> dict[str, str]:
    """{field name: reason} for each concrete field of `instance` whose value cannot be stored."""
    errors = {}
    meta = instance._meta
    for model_field in meta.concrete_fields:
        if model_field.primary_key or (fields is not None and model_field.name not in fields):
            continue
        problem = check_fits(type(instance), model_field.name, getattr(instance, model_field.attname, None))
        if problem:
            errors[model_field.name] = problem
    return errors
