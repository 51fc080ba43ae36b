"""Writes to schools and to their pupils' BHYT figures per school year.

`*_prepare` validates and fills an instance without saving (the importers check every row
before anything is written); `*_save` validates and saves. Messages are Vietnamese and keyed
by field, so the importers can name the column.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from bhxh_portal.numbers import format_number
from units import access
from targets.models import School, SchoolFigures, SchoolLevel, school_year_label
from units.models import Unit

COMMUNE_LEVEL = "xa"
FIGURE_FIELDS = ("pupils", "insured_other_group", "insured_at_school")


def school_prepare(*, school: School | None, code: str, name: str, commune: Unit, level: str = "",
                   valid_from: datetime.date | None = None, valid_to: datetime.date | None = None,
                   by=None) -> School:
    errors: dict[str, str] = {}
    if by is not None and not access.can(by, "schools.edit", commune):
        raise PermissionDenied(f"Bạn không có quyền sửa danh sách trường học của {commune.name}.")
    if school is not None and by is not None and school.commune_id != commune.pk and not access.can(
            by, "schools.edit", school.commune):
        raise PermissionDenied(f"Trường mã '{school.code}' thuộc {school.commune.name}, bạn không có quyền chuyển.")
    code, name = (code or "").strip(), (name or "").strip()
    if not code:
        errors["code"] = "Thiếu mã trường."
    if not name:
        errors["name"] = "Thiếu tên trường."
    if commune.level.code != COMMUNE_LEVEL:
        errors["commune"] = (f"{commune.name} là đơn vị cấp {commune.level.name}; trường học thuộc một xã, "
                             "phường hoặc thị trấn.")
    if level and level not in SchoolLevel.values:
        errors["level"] = f"Cấp học '{level}' không hợp lệ."
    if valid_from and valid_to and valid_to < valid_from:
        errors["valid_to"] = "Ngày ngừng hoạt động phải sau ngày bắt đầu hoạt động."
    if errors:
        raise ValidationError(errors)
    school = school if school is not None else School()
    school.code, school.name, school.commune, school.level = code, name, commune, level or ""
    school.valid_from, school.valid_to = valid_from, valid_to
    return school


@transaction.atomic
def school_save(*, school: School, by=None) -> School:
    school.full_clean(exclude=["commune"])
    if by is not None:  # the history's author; else the request's user (simple-history's middleware)
        school._history_user = by
    school.save()
    return school


def school_figures_prepare(*, figures: SchoolFigures | None, school: School, school_year: int,
                           pupils: int | None, insured_other_group: int | None, insured_at_school: int | None,
                           source: str | None = None, by=None) -> SchoolFigures:
    if by is not None and not access.can(by, "schools.edit", school.commune):
        raise PermissionDenied(f"Bạn không có quyền sửa số liệu học sinh của {school.commune.name}.")
    errors: dict[str, str] = {}
    if not 1900 <= int(school_year) <= 2200:
        errors["school_year"] = f"Năm học {school_year} không hợp lệ."
    values = {"pupils": pupils, "insured_other_group": insured_other_group, "insured_at_school": insured_at_school}
    for name, value in values.items():
        label = SchoolFigures._meta.get_field(name).verbose_name
        if value is None and name == "pupils":
            errors[name] = "Thiếu tổng số học sinh."
        elif value is not None and value < 0:
            errors[name] = f"{label.capitalize()} {format_number(value)} không được âm."
    if not errors:
        insured = (insured_other_group or 0) + (insured_at_school or 0)
        if insured > pupils:
            errors["insured_at_school" if insured_at_school else "insured_other_group"] = (
                f"Số học sinh đã tham gia BHYT ({format_number(insured)} = {format_number(insured_other_group or 0)} "
                f"theo nhóm khác + {format_number(insured_at_school or 0)} tại trường) vượt quá tổng số học sinh "
                f"({format_number(pupils)}).")
    if errors:
        raise ValidationError(errors)
    figures = figures if figures is not None else SchoolFigures()
    figures.school, figures.school_year, figures.pupils = school, school_year, pupils
    figures.insured_other_group, figures.insured_at_school = insured_other_group or 0, insured_at_school or 0
    if source is not None:
        figures.source = source
    return figures


@transaction.atomic
def school_figures_save(*, figures: SchoolFigures, by=None) -> SchoolFigures:
    figures.full_clean(exclude=["school"])
    if by is not None:
        figures._history_user = by
    figures.save()
    return figures


def school_figures_set(*, school: School, school_year: int, pupils: int, insured_other_group: int = 0,
                       insured_at_school: int = 0, source: str | None = None, by=None) -> SchoolFigures:
    """Create or update one school's figures for a school year (tests, demo, pages)."""
    existing = SchoolFigures.objects.filter(school=school, school_year=school_year).first()
    figures = school_figures_prepare(figures=existing, school=school, school_year=school_year, pupils=pupils,
                                     insured_other_group=insured_other_group, insured_at_school=insured_at_school,
                                     source=source, by=by)
    return school_figures_save(figures=figures)


__all__ = ["FIGURE_FIELDS", "school_figures_prepare", "school_figures_save", "school_figures_set", "school_prepare",
           "school_save", "school_year_label"]
