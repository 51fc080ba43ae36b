"""Reads for drive activities: who may see and edit them, the monthly plan and report (planned vs
held by kind and organiser, one grouped query per figure set), the calendar, the classification
totals of direct work."""

import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.http import Http404

from units import access
from units.models import Unit

from ..models.activities import (
    CATEGORY_FIELDS,
    KIND_ORDER,
    WORKER_CATEGORIES,
    ActivityKind,
    ActivitySignUp,
    ActivityStatus,
    DirectWorkRecord,
    DriveActivity,
)

# --- access: who edits and imports is units.access.ACTIONS["activities.plan"], ["activities.import"] --


def activities_for(user) -> QuerySet:
    """The activities whose organiser is in the user's subtrees."""
    return access.scope_by_unit(user, DriveActivity.objects.all(), "organiser")


def get_activity_or_404(user, pk: int) -> DriveActivity:
    activity = (activities_for(user).select_related("organiser", "employer").filter(pk=pk).first())
    if activity is None:
        raise Http404("Không tìm thấy hoạt động hoặc bạn không có quyền xem hoạt động này.")
    return activity


# --- the monthly plan and report -------------------------------------------------------------------


def latest_activity_month(*, user, up_to: datetime.date) -> tuple[int, int] | None:
    """(year, month) of the latest activity the user sees planned on or before `up_to` (one query)."""
    latest = activities_for(user).filter(planned_start__lte=up_to).aggregate(latest=Max("planned_start"))["latest"]
    return (latest.year, latest.month) if latest else None


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, month, 1), datetime.date(year, month, calendar.monthrange(year, month)[1])


@dataclass
class PlanLine:
    kind: str
    kind_label: str
    organiser_id: int
    organiser_name: str
    is_office: bool  # the office itself (e.g. BHXH tỉnh) rather than a unit below it
    planned: int = 0
    held: int = 0
    invited: int = 0
    expected_attendance: int = 0
    attendance: int = 0
    expected: dict[str, int] = field(default_factory=dict)  # product code -> expected sign-ups
    actual: dict[str, int] = field(default_factory=dict)
    start: datetime.date | None = None  # the earliest planned start of the line's activities
    end: datetime.date | None = None  # the latest planned end


@dataclass
class KindTotal:
    kind: str
    kind_label: str
    lines: list[PlanLine]
    planned_by_office: int = 0
    planned_below: int = 0
    planned: int = 0
    held: int = 0
    invited: int = 0
    expected_attendance: int = 0
    attendance: int = 0
    expected: dict[str, int] = field(default_factory=dict)
    actual: dict[str, int] = field(default_factory=dict)

    @property
    def expected_total(self) -> int:
        return sum(self.expected.values())

    @property
    def actual_total(self) -> int:
        return sum(self.actual.values())


@dataclass
class MonthlyPlan:
    office: Unit
    year: int
    month: int
    kinds: list[KindTotal]
    products: list[tuple[str, str]]  # (code, short name) of the products that appear

    def kind(self, kind: str) -> KindTotal:
        for total in self.kinds:
            if total.kind == kind:
                return total
        return KindTotal(kind, ActivityKind(kind).label, [])


def _in_month(office: Unit, year: int, month: int, prefix: str = "") -> Q:
    first, last = month_bounds(year, month)
    return Q(**{f"{prefix}planned_start__gte": first, f"{prefix}planned_start__lte": last,
                f"{prefix}organiser__path__startswith": office.path}) & ~Q(
        **{f"{prefix}status": ActivityStatus.CANCELLED})


def monthly_plan(*, office: Unit, year: int, month: int) -> MonthlyPlan:
    """Planned vs held per kind and organiser for the activities of the office's subtree starting in
    the month (cancelled ones left out). Two grouped queries whatever the number of activities: one
    over activities, one over their sign-ups."""
    rows = (
        DriveActivity.objects.filter(_in_month(office, year, month))
        .values("kind", "organiser_id", "organiser__name", "organiser__path")
        .annotate(planned=Sum("planned_count"), held=Sum("held_count"), invited=Sum("invited_count"),
                  expected_attendance=Sum("expected_attendance"), attendance=Sum("attendance"),
                  start=Min("planned_start"), end=Max("planned_end"))
        .order_by("kind", "organiser__path")
    )
    lines: dict[tuple[str, int], PlanLine] = {}
    for row in rows:
        lines[(row["kind"], row["organiser_id"])] = PlanLine(
            kind=row["kind"], kind_label=ActivityKind(row["kind"]).label, organiser_id=row["organiser_id"],
            organiser_name=row["organiser__name"], is_office=row["organiser_id"] == office.pk,
            planned=row["planned"] or 0, held=row["held"] or 0, invited=row["invited"] or 0,
            expected_attendance=row["expected_attendance"] or 0, attendance=row["attendance"] or 0,
            start=row["start"], end=row["end"],
        )
    sign_ups = (
        ActivitySignUp.objects.filter(_in_month(office, year, month, prefix="activity__"))
        .values("activity__kind", "activity__organiser_id", "product__code", "product__short_name",
                "product__display_order")
        .annotate(expected=Sum("expected"), actual=Sum("actual"))
    )
    products: dict[str, tuple[int, str]] = {}
    for row in sign_ups:
        line = lines.get((row["activity__kind"], row["activity__organiser_id"]))
        if line is None:
            continue
        code = row["product__code"]
        products[code] = (row["product__display_order"], row["product__short_name"])
        line.expected[code] = line.expected.get(code, 0) + (row["expected"] or 0)
        line.actual[code] = line.actual.get(code, 0) + (row["actual"] or 0)
    by_kind: dict[str, list[PlanLine]] = defaultdict(list)
    for line in lines.values():
        by_kind[line.kind].append(line)
    kinds = []
    for kind in KIND_ORDER:
        kind_lines = sorted(by_kind.get(kind, []), key=lambda ln: (not ln.is_office, ln.organiser_name))
        if not kind_lines:
            continue
        total = KindTotal(kind, ActivityKind(kind).label, kind_lines)
        for line in kind_lines:
            total.planned += line.planned
            total.held += line.held
            total.invited += line.invited
            total.expected_attendance += line.expected_attendance
            total.attendance += line.attendance
            if line.is_office:
                total.planned_by_office += line.planned
            else:
                total.planned_below += line.planned
            for code, value in line.expected.items():
                total.expected[code] = total.expected.get(code, 0) + value
            for code, value in line.actual.items():
                total.actual[code] = total.actual.get(code, 0) + value
        kinds.append(total)
    ordered = sorted(products.items(), key=lambda item: item[1][0])
    return MonthlyPlan(office, year, month, kinds, [(code, name) for code, (_, name) in ordered])


# --- calendar ------------------------------------------------------------------------------------


def calendar_weeks(*, user, office: Unit, year: int, month: int) -> list[list[dict]]:
    """Weeks (Monday first) of the month; each day with the activities in progress that day."""
    first, last = month_bounds(year, month)
    activities = list(
        activities_for(user).filter(organiser__path__startswith=office.path, planned_start__lte=last,
                                    planned_end__gte=first)
        .select_related("organiser").order_by("planned_start", "kind")
    )
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        days = []
        for day in week:
            days.append({
                "day": day, "in_month": day.month == month,
                "activities": [a for a in activities if a.planned_start <= day <= a.planned_end
                               and (a.planned_start == day or day.weekday() == 0 or day == first)],
            })
        weeks.append(days)
    return weeks


# --- direct work ---------------------------------------------------------------------------------


def classification_totals(*, unit: Unit, start: datetime.date, end: datetime.date) -> dict:
    """Sum of the seven categories (and workers registered) over the direct-work records of the
    unit's subtree for activities starting in [start, end]: one query."""
    sums = {f: Sum(f) for f in [*CATEGORY_FIELDS, "workers_registered"]}
    row = DirectWorkRecord.objects.filter(
        activity__organiser__path__startswith=unit.path, activity__planned_start__gte=start,
        activity__planned_start__lte=end,
    ).aggregate(employers=Count("pk"), **sums)
    categories = [(code, label, row[code] or 0) for code, label in WORKER_CATEGORIES]
    total = sum(v for _, _, v in categories)
    already = row["already_participating"] or 0
    return {"employers": row["employers"], "categories": categories, "total": total,
            "not_participating": total - already, "workers_registered": row["workers_registered"] or 0}


def plan_schedule_rows(*, unit: Unit, start: datetime.date, end: datetime.date) -> list[dict]:
    """Activities of the unit's subtree starting in [start, end] as rows of a plan document's
    schedule block (keys: activity, organiser, count, place, start, end, invitees, attendance,
    expected) — for campaigns.documents.selectors.activity_rows."""
    sign_ups = defaultdict(list)
    activities = list(
        DriveActivity.objects.filter(organiser__path__startswith=unit.path, planned_start__gte=start,
                                     planned_start__lte=end).exclude(status=ActivityStatus.CANCELLED)
        .select_related("organiser").order_by("kind", "organiser__path", "planned_start")
    )
    for s in ActivitySignUp.objects.filter(activity__in=activities).select_related("product"):
        sign_ups[s.activity_id].append(f"{s.expected} {s.product}")
    return [{
        "activity": a.get_kind_display(), "organiser": a.organiser_detail or a.organiser.name,
        "count": a.planned_count, "place": a.place, "start": a.planned_start.isoformat(),
        "end": a.planned_end.isoformat(),
        "invitees": a.invitees_note or (f"{a.invited_count} đơn vị" if a.invited_count else ""),
        "attendance": a.expected_attendance, "expected": "; ".join(sign_ups[a.pk]),
    } for a in activities]
