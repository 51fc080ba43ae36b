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

A province prints one row per child unit (its districts, or its communes in the two-level tree),
each the sum of its schools, in code order like the other tables: hundreds of schools are the
districts' appendices, not the province's.
"""

from dataclasses import dataclass, field
from fractions import Fraction

from units.models import Unit
from targets.models import school_year_label, school_year_of
from units.periods import Period
from targets.selectors.schools import SchoolRow, school_figures_of_subtree

from .base import Column, Row, Table
from .figures import percent

TITLE = "Danh sách học sinh các trường tham gia BHYT học sinh"


@dataclass
class StudentInputs:
    parent: Unit
    month: Period
    school_year: int
    schools: list[SchoolRow] = field(default_factory=list)
    children: list[Unit] | None = None  # a province: one row per child unit


def load_student_inputs(*, parent: Unit, month: Period) -> StudentInputs:
    school_year = school_year_of(month.end)
    rows = school_figures_of_subtree(unit=parent, school_year=school_year, day=month.end)
    children = None
    if parent.level.code == "tinh":
        children = list(Unit.objects.filter(parent=parent).valid_on(month.end).select_related("level").order_by("code"))
    return StudentInputs(parent=parent, month=month, school_year=school_year, schools=rows, children=children)


def columns(*, by_unit: bool = False) -> list[Column]:
    within = "Trong đó"
    return [
        Column("stt", "STT", "A", kind="text"),
        Column("unit", "Đơn vị" if by_unit else "Tên trường", "B", kind="text"),
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
    label = school_year_label(inputs.school_year)
    if inputs.children is not None:
        rows = [Row({"stt": str(i), "unit": child.name} | _summed(e.figures for e in entries))
                for i, (child, entries) in enumerate(_by_child(inputs), 1)]
        rows.append(_total_row(inputs))
        return Table("students", f"{TITLE} năm học {label}", columns(by_unit=True), rows, subtitle=f"Năm học {label}")
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
    rows.append(_total_row(inputs))
    return Table("students", f"{TITLE} năm học {label}", columns(), rows, subtitle=f"Năm học {label}")


def _summed(figures) -> dict:
    """The figures of several schools added up; blank when none of them reported."""
    reported = [f for f in figures if f is not None]
    if not reported:
        return _figures(None, None, None)
    return _figures(sum(f.pupils for f in reported), sum(f.insured_other_group for f in reported),
                    sum(f.insured_at_school for f in reported))


def _total_row(inputs: StudentInputs) -> Row:
    return Row({"stt": "", "unit": f"Tổng cộng ({inputs.parent.name})"} | _summed(e.figures for e in inputs.schools),
               is_total=True)


def _by_child(inputs: StudentInputs) -> list[tuple[Unit, list[SchoolRow]]]:
    grouped: dict[int, list[SchoolRow]] = {child.pk: [] for child in inputs.children}
    for entry in inputs.schools:
        path = entry.school.commune.path
        child = next((c for c in inputs.children if path.startswith(c.path)), None)
        if child is not None:
            grouped[child.pk].append(entry)
    return [(child, grouped[child.pk]) for child in inputs.children]


students_table.load_inputs = load_student_inputs
