"""The review side of the monthly results: the change history of a month, the completeness of the
reports under a unit (Tiến độ nộp) and the approval queue."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from bhxh_portal.history import history_changes, history_pairs
from bhxh_portal.numbers import format_number
from units import access
from results.models import MonthlyReport, MonthlyReportEvent, MonthlyResult, ReportState
from units.models import Membership, Role, Unit
from results.models import display_name
from units.periods import Period
from results.services import FIELD_LABELS, FIELDS, VILLAGE_LEVELS, reporting_unit

from .figures import due_date


# --- history ---------------------------------------------------------------------------------------

_ACTIONS = {"+": "Nhập", "~": "Sửa", "-": "Xóa"}


@dataclass
class HistoryEntry:
    when: datetime.datetime
    who: str
    action: str
    row: str
    indicator: str
    changes: list[tuple[str, str, str]]
    reason: str
    workflow: bool = False


def _shown(value) -> str:
    return "" if value is None else format_number(value)


def results_history(*, unit: Unit, month: Period, limit: int = 500) -> list[HistoryEntry]:
    """Every change to the figures of a reporting unit's month (who, when, old → new) and every
    step of its workflow, newest first. Two queries."""
    owner = reporting_unit(unit)
    records = list(MonthlyResult.history.filter(report__unit=owner, year=month.year, month=month.number)
                   .select_related("history_user", "unit", "agent", "indicator")
                   .order_by("id", "history_date", "history_id"))
    entries: list[HistoryEntry] = []
    for record, previous in history_pairs(records):
        changes = history_changes(record, previous, [(name, FIELD_LABELS[name]) for name in FIELDS],
                                  shown=lambda name, value: _shown(value))
        entries.append(HistoryEntry(
            when=record.history_date, who=display_name(record.history_user),
            action=_ACTIONS.get(record.history_type, record.history_type),
            row=record.agent.name if record.agent_id and record.agent else record.unit.name,
            indicator=str(record.indicator), changes=changes, reason=record.history_change_reason or "",
        ))
    for event in MonthlyReportEvent.objects.filter(report__unit=owner, report__year=month.year,
                                                   report__month=month.number).select_related("by"):
        entries.append(HistoryEntry(
            when=event.at, who=display_name(event.by), action=event.get_action_display(), row=owner.name,
            indicator="", changes=[("trạng thái", ReportState(event.from_state).label,
                                    ReportState(event.to_state).label)],
            reason=event.reason, workflow=True,
        ))
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]


# --- completeness ----------------------------------------------------------------------------------


@dataclass
class CompletenessRow:
    unit: Unit
    report: MonthlyReport | None
    results: int
    late: bool
    submitted_late: bool
    officials: list

    @property
    def state(self) -> str:
        return self.report.state if self.report else "none"

    @property
    def state_label(self) -> str:
        if self.report is None:
            return "Chưa nhập"
        if self.report.was_returned:
            return "Bị trả lại, đang sửa"
        return self.report.get_state_display()


@dataclass
class Completeness:
    unit: Unit
    month: Period
    due: datetime.date
    rows: list[CompletenessRow]

    @property
    def submitted(self) -> list[CompletenessRow]:
        return [r for r in self.rows if r.state in (ReportState.SUBMITTED, ReportState.APPROVED)]

    @property
    def approved(self) -> list[CompletenessRow]:
        return [r for r in self.rows if r.state == ReportState.APPROVED]

    @property
    def waiting(self) -> list[CompletenessRow]:
        return [r for r in self.rows if r.state == ReportState.SUBMITTED]

    @property
    def missing(self) -> list[CompletenessRow]:
        return [r for r in self.rows if r.state not in (ReportState.SUBMITTED, ReportState.APPROVED)]

    @property
    def late(self) -> list[CompletenessRow]:
        return [r for r in self.rows if r.late]

    def reminder_text(self) -> str:
        names = ", ".join(r.unit.name for r in self.late)
        return (f"Đề nghị {names} nhập và nộp kết quả vận động tham gia BHXH, BHYT tháng "
                f"{self.month.number:02d}/{self.month.year} trên BHXH Portal (hạn nộp {self.due:%d/%m/%Y}, "
                "đã quá hạn).") if self.late else ""


def completeness(*, unit: Unit, month: Period, today: datetime.date | None = None) -> Completeness:
    """Which of the unit's reporting children (the communes of a district) have submitted their
    month, which are late, and whom to remind. Four queries whatever the number of children."""
    today = today or timezone.localdate()
    due = due_date(month)
    children = list(Unit.objects.filter(parent=unit).exclude(level__code__in=VILLAGE_LEVELS)
                    .valid_on(month.end).select_related("level").order_by("code"))
    units = children or [reporting_unit(unit)]
    reports = {r.unit_id: r for r in MonthlyReport.objects.filter(
        unit__in=units, year=month.year, month=month.number).select_related(
        "submitted_by", "approved_by").annotate(result_count=Count("results"))}
    officials: dict[int, list] = defaultdict(list)
    for membership in Membership.objects.filter(unit__in=units, role=Role.COMMUNE_OFFICIAL).select_related(
            "user").order_by("user__username"):
        officials[membership.unit_id].append(membership.user)
    past_due = today > due
    rows = []
    for child in units:
        report = reports.get(child.pk)
        done = report is not None and report.state in (ReportState.SUBMITTED, ReportState.APPROVED)
        submitted_late = bool(done and report.submitted_at and timezone.localtime(report.submitted_at).date() > due)
        rows.append(CompletenessRow(unit=child, report=report, results=getattr(report, "result_count", 0) or 0,
                                    late=past_due and not done, submitted_late=submitted_late,
                                    officials=officials.get(child.pk, [])))
    return Completeness(unit=unit, month=month, due=due, rows=rows)


def approved_above(*, user) -> list[Unit]:
    """The units where the user holds an approving role but whose monthly results the level above
    approves, because nothing below them reports on its own (a commune: its thôn are entered on its
    grid). Empty when the user approves somewhere. One query (grants cached)."""
    if user.is_superuser:
        return []
    approvers = access.ACTIONS["results.approve"].roles
    paths = {g.path for g in access.grants_of(user) if g.role in approvers}
    if not paths:
        return []
    units = list(Unit.objects.filter(path__in=paths).select_related("parent").annotate(
        reporting_children=Count("children", filter=~Q(children__level__code__in=VILLAGE_LEVELS))))
    if any(u.reporting_children for u in units):
        return []
    return units


def reports_to_review(*, user, limit: int = 200) -> list[MonthlyReport]:
    """Submitted reports the user may approve or return, oldest first. One query (grants cached)."""
    qs = access.scope_by_unit(user, MonthlyReport.objects.filter(state=ReportState.SUBMITTED), "unit")
    reports = qs.select_related("unit__level", "unit__parent", "submitted_by").annotate(
        result_count=Count("results")).order_by("submitted_at", "id")[:limit]
    return [r for r in reports if access.can(user, "results.approve", r.unit)]
