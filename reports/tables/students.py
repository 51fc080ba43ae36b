"""Students' BHYT by school: the appendix "Danh sách học sinh các trường tham gia BHYT học sinh"
of the Càng Long 2023 half-year plan (DOMAIN.md section 4, table 5).

STT | Tên trường | Tổng số học sinh (1) | Tổng số học sinh đã tham gia BHYT (2=3+4) | Trong đó: theo
nhóm người khác (3), tại trường (4) | còn lại phải tham gia (5=1-2) | Tỷ lệ % (6=2/1).

One row per school of the unit's subtree open at the end of the month, with its figures for the
school year that month falls in (September starts a school year: 2023-06 is 2022-2023). As in
the plan, the schools are ranked by their rate, highest first (those at 100% first, then the ones
with pupils still to insure), ties in school-code order; schools without figures come last, blank.
The total row (last, like the other tables) is computed from the totals, not from the schools'
percentages. A remaining count of 0 is printed "-", the rate without the % sign, as in the plan.
"""

from dataclasses import dataclass, field
from fractions import Fraction

from targets.models import Unit, school_year_label, school_year_of
from targets.periods import Period
from targets.selectors.schools import SchoolRow, school_figures_of_subtree

from .base import Column, Row, Table, percent

TITLE = "Danh sách học sinh các trường tham gia BHYT học sinh"


@dataclass
class StudentInputs:
    parent: Unit
    month: Period
    school_year: int
    schools: list[SchoolRow] = field(default_factory=list)


def load_student_inputs(*, parent: Unit, month: Period) -> StudentInputs:
    school_year = school_year_of(month.end)
    rows = school_figures_of_subtree(unit=parent, school_year=school_year, day=month.end)
    return StudentInputs(parent=parent, month=month, school_year=school_year, schools=rows)


def columns() -> list[Column]:
    within = "Trong đó"
    return [
        Column("stt", "STT", "A", kind="text"),
        Column("unit", "Tên trường", "B", kind="text"),
        Column("pupils", "Tổng số học sinh", "1"),
        Column("insured", "Tổng số học sinh đã tham gia BHYT", "2=3+4"),
        Column("insured_other_group", "Học sinh tham gia theo nhóm người khác", "3", group=within),
        Column("insured_at_school", "Học sinh tham gia tại trường", "4", group=within),
        Column("remaining", "Tổng số học sinh còn lại phải tham gia BHYT", "5=1-2", zero_text="-"),
        Column("rate", "Tỷ lệ % so với tổng số học sinh", "6=2/1", kind="decimal"),
    ]


def _figures(pupils, other, at_school) -> dict:
    if pupils is None:
        return {"pupils": None, "insured": None, "insured_other_group": None, "insured_at_school": None,
                "remaining": None, "rate": None}
    insured = other + at_school
    return {"pupils": pupils, "insured": insured, "insured_other_group": other, "insured_at_school": at_school,
            "remaining": pupils - insured, "rate": percent(insured, pupils)}


def students_table(inputs) -> Table:
    """Build from StudentInputs; given other inputs (a CoverageInputs), loads its own for the same
    parent and month, so the table works from the coverage tables' registry either way."""
    if not isinstance(inputs, StudentInputs):
        inputs = load_student_inputs(parent=inputs.parent, month=inputs.month)
    computed = []
    for entry in inputs.schools:
        f = entry.figures
        values = (_figures(f.pupils, f.insured_other_group, f.insured_at_school) if f is not None
                  else _figures(None, None, None))
        computed.append((entry.school, values))

    def rank(item):
        school, values = item
        rate = values["rate"]
        return (rate is None, -(rate if rate is not None else Fraction(0)), school.code, school.pk)

    computed.sort(key=rank)
    rows = [Row({"stt": str(i), "unit": school.name} | values) for i, (school, values) in enumerate(computed, 1)]
    reported = [e.figures for e in inputs.schools if e.figures is not None]
    total = (_figures(sum(f.pupils for f in reported), sum(f.insured_other_group for f in reported),
                      sum(f.insured_at_school for f in reported)) if reported else _figures(None, None, None))
    rows.append(Row({"stt": "", "unit": f"Tổng cộng ({inputs.parent.name})"} | total, is_total=True))
    label = school_year_label(inputs.school_year)
    return Table("students", f"{TITLE} năm học {label}", columns(), rows, subtitle=f"Năm học {label}")


students_table.load_inputs = load_student_inputs
