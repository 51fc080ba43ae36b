"""Reads for the targets pages: a fixed number of queries whatever the number of children.

- target_overview: each indicator's assigned and self-set target of a unit, what it has split
  to its children and agents, and progress once results exist.
- allocation_sheet: one parent target and its recipients (child units, then collection agents),
  with their denominators, current targets and participants; allocation_proposal fills a split.
- target_history: who changed which target when, old → new.
- demographics_sheet: the denominators of a unit and its children for a year.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from bhxh_portal.history import history_changes, history_pairs
from bhxh_portal.numbers import format_number
from targets import progress as progress_module
from targets.allocation import (
    AllocationError,
    SplitCheck,
    check_split,
    counts_at_rate,
    split_by_gap,
    split_by_weight,
    split_equal,
)
from targets.models import Demographics, DenominatorKind, EnteredAs, Indicator, Target, TargetKind
from units.models import Agent, Unit
from units.periods import Period

# --- recipients ----------------------------------------------------------------------------------


@dataclass
class Recipient:
    """A child unit or a collection agent of the unit whose target is split."""

    kind: str  # "unit" | "agent"
    obj: object
    code: str
    name: str
    population: int | None = None
    labour_force: int | None = None
    denominator: int | None = None
    target: Target | None = None
    participants: int | None = None

    @property
    def key(self) -> str:
        return f"{'u' if self.kind == 'unit' else 'a'}{self.obj.pk}"

    @property
    def sort_key(self) -> tuple:
        """Units by code, then agents by name: the tie-break of every split."""
        return (0, self.code, "") if self.kind == "unit" else (1, self.name, str(self.obj.pk))

    @property
    def is_agent(self) -> bool:
        return self.kind == "agent"


def agents_of(unit: Unit) -> QuerySet:
    return Agent.objects.filter(unit=unit, is_active=True).order_by("name", "pk")


def children_in_period(unit: Unit, period: Period) -> QuerySet:
    return Unit.objects.filter(parent=unit).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=period.end)
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=period.start)).select_related("level").order_by("code")


# --- allocation ----------------------------------------------------------------------------------


@dataclass
class AllocationSheet:
    unit: Unit
    indicator: Indicator
    period: Period
    own: dict[str, Target]  # kind -> the unit's own target
    basis: Target | None  # the target being split
    recipients: list[Recipient]
    demographics: Demographics | None
    has_results: bool

    @property
    def assigned(self) -> Target | None:
        return self.own.get(TargetKind.ASSIGNED)

    @property
    def self_set(self) -> Target | None:
        return self.own.get(TargetKind.SELF_SET)

    @property
    def check(self) -> SplitCheck:
        return check_split(self.basis.count if self.basis else None,
                           (r.target.count for r in self.recipients if r.target))

    def recipient(self, key: str) -> Recipient | None:
        return next((r for r in self.recipients if r.key == key), None)

    @property
    def unit_recipients(self) -> list[Recipient]:
        return [r for r in self.recipients if r.kind == "unit"]


def allocation_sheet(*, unit: Unit, indicator: Indicator, period: Period, basis_kind: str | None = None) -> AllocationSheet:
    own = {t.kind: t for t in Target.objects.for_period(period).filter(unit=unit, indicator=indicator, agent__isnull=True)}
    if basis_kind in own:
        basis = own[basis_kind]
    else:
        basis = own.get(TargetKind.SELF_SET) or own.get(TargetKind.ASSIGNED)
    children = list(children_in_period(unit, period))
    agents = list(agents_of(unit))
    targets = Target.objects.for_period(period).filter(indicator=indicator, kind=TargetKind.ASSIGNED).filter(
        Q(unit__in=children, agent__isnull=True) | Q(unit=unit, agent__in=agents)
    )
    by_unit, by_agent = {}, {}
    for target in targets:
        if target.agent_id:
            by_agent[target.agent_id] = target
        else:
            by_unit[target.unit_id] = target
    records = {d.unit_id: d for d in Demographics.objects.filter(unit__in=[unit, *children], year=period.year)}
    participants = progress_module.participants_for(
        unit_ids=[c.pk for c in children], indicator_ids=[indicator.pk], period=period)
    recipients = []
    for child in children:
        record = records.get(child.pk)
        recipients.append(Recipient(
            kind="unit", obj=child, code=child.code, name=child.name,
            population=record.population if record else None,
            labour_force=record.labour_force if record else None,
            denominator=record.value_of(indicator.denominator) if record else None,
            target=by_unit.get(child.pk), participants=participants.get((child.pk, indicator.pk)),
        ))
    for agent in agents:
        recipients.append(Recipient(kind="agent", obj=agent, code="", name=agent.name,
                                    target=by_agent.get(agent.pk)))
    return AllocationSheet(unit=unit, indicator=indicator, period=period, own=own, basis=basis,
                           recipients=recipients, demographics=records.get(unit.pk),
                           has_results=progress_module.has_participants_source())


FILL_METHODS = {
    "equal": "Chia đều",
    "population": "Theo dân số",
    "labour_force": "Theo lực lượng lao động",
    "gap": "Theo số còn phải vận động",
    "same_rate": "Cùng tỷ lệ với đơn vị",
}


def allocation_proposal(*, sheet: AllocationSheet, method: str,
                        current: Mapping[str, int | None]) -> tuple[dict[str, int | None], str]:
    """Fill a split with one of FILL_METHODS. Amounts already typed for agents are kept (agents have
    no population of their own); the rest of the parent's target is split across the child units.
    Returns the proposed shares by recipient key and a note. Raises AllocationError."""
    if method not in FILL_METHODS:
        raise AllocationError("Cách chia không hợp lệ.")
    basis = sheet.basis
    if basis is None:
        raise AllocationError("Đơn vị chưa có chỉ tiêu giao hoặc phấn đấu để chia.")
    units = sheet.unit_recipients
    if not units:
        raise AllocationError("Đơn vị không có đơn vị cấp dưới để chia; hãy ghi số cho đại lý thu.")
    proposal: dict[str, int | None] = {}
    kept = 0
    for r in sheet.recipients:
        if r.is_agent:
            proposal[r.key] = current.get(r.key)
            kept += current.get(r.key) or 0
    total = max(0, basis.count - kept)
    tie = {r.key: r.sort_key for r in units}.__getitem__
    note = ""
    if method == "equal":
        shares = split_equal(total, [r.key for r in units], tie_break=tie)
    elif method in ("population", "labour_force"):
        missing = [r.name for r in units if getattr(r, method) is None]
        if missing:
            label = DenominatorKind(method).label.lower()
            raise AllocationError(f"Chưa có {label} năm {sheet.period.year} của: {', '.join(missing)}.")
        shares = split_by_weight(total, {r.key: getattr(r, method) for r in units}, tie_break=tie)
    else:
        rate = basis.exact_rate
        missing = [r.name for r in units if r.denominator is None]
        label = DenominatorKind(sheet.indicator.denominator).label.lower()
        if missing:
            raise AllocationError(f"Chưa có {label} năm {sheet.period.year} của: {', '.join(missing)}.")
        if rate is None:
            raise AllocationError(f"Chỉ tiêu của {sheet.unit.name} chưa có tỷ lệ (chưa có {label}): "
                                  "không áp tỷ lệ cho đơn vị cấp dưới được.")
        benchmark = counts_at_rate(rate, {r.key: r.denominator for r in units})
        if method == "same_rate":
            shares = benchmark
            note = (f"Mỗi đơn vị nhận {format_number(rate, 2)}% {label} của mình; tổng không nhất thiết "
                    "bằng chỉ tiêu của đơn vị do làm tròn từng đơn vị.")
        else:
            participants = {r.key: r.participants for r in units if r.participants is not None}
            if not participants:
                note = ("Chưa có kết quả thực hiện: số còn phải vận động tính bằng "
                        f"{format_number(rate, 2)}% {label} của từng đơn vị.")
            shares = split_by_gap(total, benchmark=benchmark, participants=participants, tie_break=tie)
    proposal.update(shares)
    return proposal, note


# --- overview ------------------------------------------------------------------------------------


@dataclass
class OverviewRow:
    indicator: Indicator
    assigned: Target | None
    self_set: Target | None
    denominator: int | None
    allocated: int = 0
    allocated_recipients: int = 0
    participants: int | None = None

    @property
    def basis(self) -> Target | None:
        return self.self_set or self.assigned

    @property
    def check(self) -> SplitCheck:
        return check_split(self.basis.count if self.basis else None, [self.allocated])

    @property
    def progress(self):
        return progress_module.progress_against(self.assigned or self.self_set, participants=self.participants,
                                                denominator=self.denominator)

    @property
    def self_set_below_assigned(self) -> bool:
        return bool(self.assigned and self.self_set and self.self_set.count < self.assigned.count)


@dataclass
class TargetOverview:
    unit: Unit
    period: Period
    rows: list[OverviewRow]
    demographics: Demographics | None
    children: list[Unit]
    agent_count: int
    periods_with_targets: list[Period] = field(default_factory=list)
    has_results: bool = False

    @property
    def child_count(self) -> int:
        return len(self.children)

    @property
    def can_split(self) -> bool:
        return bool(self.children or self.agent_count)


def target_overview(*, unit: Unit, period: Period) -> TargetOverview:
    indicators = list(Indicator.objects.filter(is_active=True).select_related("part_of"))
    own = Target.objects.for_period(period).filter(unit=unit, agent__isnull=True).select_related("indicator")
    by_indicator: dict[int, dict[str, Target]] = {}
    for target in own:
        by_indicator.setdefault(target.indicator_id, {})[target.kind] = target
    allocated = {
        row["indicator_id"]: row
        for row in Target.objects.for_period(period).filter(kind=TargetKind.ASSIGNED).filter(
            Q(unit__parent=unit, agent__isnull=True) | Q(unit=unit, agent__isnull=False)
        ).values("indicator_id").annotate(total=Sum("count"), recipients=Count("id"))
    }
    record = Demographics.objects.filter(unit=unit, year=period.year).first()
    participants = progress_module.participants_for(
        unit_ids=[unit.pk], indicator_ids=[i.pk for i in indicators], period=period)
    rows = []
    for indicator in indicators:
        mine = by_indicator.get(indicator.pk, {})
        split = allocated.get(indicator.pk, {})
        rows.append(OverviewRow(
            indicator=indicator, assigned=mine.get(TargetKind.ASSIGNED), self_set=mine.get(TargetKind.SELF_SET),
            denominator=record.value_of(indicator.denominator) if record else None,
            allocated=split.get("total") or 0, allocated_recipients=split.get("recipients") or 0,
            participants=participants.get((unit.pk, indicator.pk)),
        ))
    periods = {
        Period.from_fields(*key)
        for key in Target.objects.filter(unit=unit, year=period.year).values_list(
            "period_type", "year", "period_number").distinct()
    }
    periods.add(Period.of_year(period.year))
    agent_count = agents_of(unit).count()
    return TargetOverview(
        unit=unit, period=period, rows=rows, demographics=record,
        children=list(children_in_period(unit, period)), agent_count=agent_count,
        periods_with_targets=sorted(periods, key=lambda p: p.sort_key),
        has_results=progress_module.has_participants_source(),
    )


# --- history -------------------------------------------------------------------------------------

HISTORY_LABELS = {
    "kind": "loại",
    "entered_as": "nhập theo",
    "rate_pct": "tỷ lệ",
    "count": "số người",
    "denominator": "mẫu số",
    "decision_number": "số văn bản",
    "decision_date": "ngày văn bản",
    "decision_issuer": "cơ quan ban hành",
    "note": "ghi chú",
}
_ACTIONS = {"+": "Tạo", "~": "Sửa", "-": "Xóa"}


@dataclass
class HistoryEntry:
    when: datetime.datetime
    who: str
    action: str
    indicator: str
    recipient: str
    period: str
    kind: str
    changes: list[tuple[str, str, str]]
    reason: str


def _shown(name: str, value) -> str:
    if value is None or value == "":
        return "—"
    if name == "kind":
        return TargetKind(value).label
    if name == "entered_as":
        return EnteredAs(value).label
    if name == "rate_pct":
        return f"{format_number(Decimal(value), 2)}%"
    if name in ("count", "denominator"):
        return format_number(value)
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def target_history(*, unit: Unit, year: int | None = None, limit: int = 300) -> list[HistoryEntry]:
    """Changes to the targets of a unit, of its agents and of its children, newest first.
    One query: the old values come from the previous history row of the same target."""
    qs = Target.history.filter(Q(unit=unit) | Q(unit__parent=unit))
    if year is not None:
        qs = qs.filter(year=year)
    records = list(qs.select_related("history_user", "unit", "agent", "indicator").order_by(
        "id", "history_date", "history_id"))
    entries = []
    for record, previous in history_pairs(records):
        # A creation shows its values (kind is a column of its own); a deletion the figures it removed.
        changes = history_changes(record, previous, HISTORY_LABELS.items(), shown=_shown,
                                  quiet_on_create=("kind", "entered_as", "decision_issuer"),
                                  shown_on_delete=("count", "rate_pct"))
        user = record.history_user
        entries.append(HistoryEntry(
            when=record.history_date,
            who=(user.get_full_name() or user.username) if user else "Hệ thống",
            action=_ACTIONS.get(record.history_type, record.history_type),
            indicator=str(record.indicator) if record.indicator_id else "",
            recipient=record.agent.name if record.agent_id and record.agent else record.unit.name,
            period=Period.from_fields(record.period_type, record.year, record.period_number).label,
            kind=TargetKind(record.kind).label,
            changes=changes,
            reason=record.history_change_reason or "",
        ))
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]


# --- demographics --------------------------------------------------------------------------------


@dataclass
class DemographicsRow:
    unit: Unit
    record: Demographics | None
    editable: bool = False


def demographics_sheet(*, unit: Unit, year: int) -> list[DemographicsRow]:
    period = Period.of_year(year)
    units = [unit, *children_in_period(unit, period)]
    records = {d.unit_id: d for d in Demographics.objects.filter(unit__in=units, year=year)}
    return [DemographicsRow(unit=u, record=records.get(u.pk)) for u in units]


# --- export --------------------------------------------------------------------------------------


def targets_of_subtree(*, unit: Unit, year: int | None = None) -> QuerySet:
    qs = Target.objects.filter(unit__path__startswith=unit.path)
    if year is not None:
        qs = qs.filter(year=year)
    return qs.select_related("unit", "agent", "indicator").order_by(
        "year", "period_type", "period_number", "unit__depth", "unit__code", "indicator__display_order", "kind",
        "agent__name")


def demographics_of_subtree(*, unit: Unit, year: int | None = None) -> QuerySet:
    qs = Demographics.objects.filter(unit__path__startswith=unit.path)
    if year is not None:
        qs = qs.filter(year=year)
    return qs.select_related("unit").order_by("year", "unit__depth", "unit__code")
