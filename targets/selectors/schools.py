"""Reads of schools and their pupils' BHYT figures."""

import datetime
from dataclasses import dataclass

from targets.models import School, SchoolFigures
from units.models import Unit


@dataclass(frozen=True)
class SchoolRow:
    school: School
    figures: SchoolFigures | None


def school_figures_of_subtree(*, unit: Unit, school_year: int, day: datetime.date) -> list[SchoolRow]:
    """The schools of the unit's subtree open on `day`, each with its figures for the school year
    (None when not reported), in school-code order. Two queries whatever the size of the subtree."""
    schools = list(School.objects.in_subtree_of(unit).valid_on(day).select_related("commune").order_by("code", "pk"))
    figures = {f.school_id: f for f in SchoolFigures.objects.filter(
        school__commune__path__startswith=unit.path, school_year=school_year)}
    return [SchoolRow(school=s, figures=figures.get(s.pk)) for s in schools]
