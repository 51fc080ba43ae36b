"""Reads for plan documents: which documents a user sees and may act on, and the figures the live
blocks print (targets and their allocation, coverage, remaining, last year's evaluation).

Who may do what (on top of units.access, the one permission module):
- draft, edit, submit and issue: a commune official, BHXH staff, a leader or an administrator of
  the document's unit or of a unit above it;
- approve, return for changes and sign: a leader of the unit or above (the signer, when the
  document names one, signs it himself);
- see: anyone who sees the unit (units.access.scope_by_unit); anything else answers 404.

The figures of the live tables are the reports app's (reports.tables: the coverage tables, the
indicator tables, the evaluation), so that the document, its PDF and its DOCX print the figures of
the coverage page and the dashboard.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404

from bhxh_portal.search import folded_words_q
from bhxh_portal.numbers import format_number
from reports.tables.base import Column, Row, Table
from units import access
from targets.allocation import SplitCheck, check_split
from targets.models import Indicator, Target, TargetKind
from units.models import Unit
from bhxh_portal.search import fold_text
from units.periods import Period, PeriodType

from ..models import DocumentStatus, PlanDocument

NOT_FOUND = "Không tìm thấy văn bản hoặc bạn không có quyền xem văn bản này."


# --- permissions: the document's state here, the roles in units.access.ACTIONS["documents.*"] ------
def can_edit(user, document: PlanDocument) -> bool:
    return document.status == DocumentStatus.DRAFT and access.can(user, "documents.edit", document.unit)


def can_submit(user, document: PlanDocument) -> bool:
    return document.status == DocumentStatus.DRAFT and access.can(user, "documents.submit", document.unit)


def can_approve(user, document: PlanDocument) -> bool:
    return document.status == DocumentStatus.SUBMITTED and access.can(user, "documents.approve", document.unit)


def can_return(user, document: PlanDocument) -> bool:
    return document.status in (DocumentStatus.SUBMITTED, DocumentStatus.APPROVED) and access.can(
        user, "documents.return", document.unit
    )


def may_sign(user, document: PlanDocument) -> bool:
    """Whoever may sign this document at all (status aside)."""
    if document.signer_id is not None and document.signer_id != user.pk and not user.is_superuser:
        return False
    return access.can(user, "documents.sign", document.unit)


def can_sign(user, document: PlanDocument) -> bool:
    return document.status == DocumentStatus.APPROVED and may_sign(user, document)


def can_issue(user, document: PlanDocument) -> bool:
    return document.status == DocumentStatus.SIGNED and access.can(user, "documents.issue", document.unit)


def can_new_version(user, document: PlanDocument) -> bool:
    return document.status != DocumentStatus.DRAFT and access.can(user, "documents.create", document.unit) and not (
        document.next_versions.exists()
    )


def allowed_actions(user, document: PlanDocument) -> dict[str, bool]:
    return {
        "edit": can_edit(user, document),
        "submit": can_submit(user, document),
        "approve": can_approve(user, document),
        "return": can_return(user, document),
        "sign": can_sign(user, document),
        "issue": can_issue(user, document),
        "new_version": can_new_version(user, document),
    }


# --- documents -----------------------------------------------------------------------------------
def documents_for(*, user, unit: Unit | None = None, status: str = "", text: str = "") -> QuerySet:
    qs = access.scope_by_unit(user, PlanDocument.objects.select_related("unit", "created_by"), "unit")
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if status:
        qs = qs.filter(status=status)
    if text:
        words = folded_words_q(text, "search_name", "unit__search_name")
        if words is not None:
            qs = qs.filter(words)
    return qs


def document_for_user_or_404(*, user, pk: int) -> PlanDocument:
    document = PlanDocument.objects.select_related("unit", "unit__parent", "unit__level", "signer").filter(
        pk=pk
    ).first()
    if document is None or not access.can_view(user, document.unit):
        raise Http404(NOT_FOUND)
    return document


def draftable_units(*, user) -> QuerySet:
    """Units the user may draft for: the subtrees where they hold a drafting role, down to communes."""
    qs = Unit.objects.exclude(level__code="thon").select_related("level").order_by("path")
    return access.units_where(user, "documents.create", qs)


def resolve_unit(text: str, *, on: datetime.date | None = None) -> Unit:
    """A unit by code, or by its full name when no other unit bears it (CLI): the units in force on
    `on` (a plan's year, whose units may have been merged since), else the current ones."""
    text = text.strip()
    for units in ([Unit.objects.valid_on(on)] if on else []) + [Unit.objects.current()]:
        by_code = units.filter(code=text).first()
        if by_code is not None:
            return by_code
        matches = [u for u in units.filter(search_name=fold_text(text))]
        if not matches:
            matches = [u for u in units if fold_text(u.name) == fold_text(text)]
        if matches:
            break
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise LookupError(f"Không có đơn vị nào có mã hoặc tên '{text}'.")
    codes = ", ".join(u.code for u in matches)
    raise LookupError(f"Có {len(matches)} đơn vị tên '{text}' (mã {codes}); hãy ghi mã đơn vị.")


# --- unit names ----------------------------------------------------------------------------------
LEVEL_WORDS = ("Thị trấn", "Thị xã", "Thành phố", "Tổ dân phố", "Khu phố", "Xã", "Phường", "Huyện", "Quận",
               "Tỉnh", "Thôn", "Ấp", "Khóm", "Bản", "Buôn", "Đặc khu")


def split_name(unit: Unit) -> tuple[str, str]:
    """('Xã', 'Hải Dương') for 'Xã Hải Dương'; ('', name) when the name has no level word."""
    for word in LEVEL_WORDS:
        if unit.name.startswith(word + " "):
            return word, unit.name[len(word) + 1:]
    return "", unit.name


def short_name(unit: Unit) -> str:
    return split_name(unit)[1]


def level_word(unit: Unit | None) -> str:
    """'thị xã' for Thị xã Hương Trà; the level's name when the unit's name has no level word."""
    if unit is None:
        return ""
    word = split_name(unit)[0]
    return (word or unit.level.name).lower()


def indicator_by_code(code: str) -> Indicator:
    indicator = Indicator.objects.filter(code=code).first()
    if indicator is None:
        raise LookupError(f"Không có chỉ tiêu mã '{code}'.")
    return indicator




# --- targets and their allocation ---------------------------------------------------------------
@dataclass(frozen=True)
class UnitTarget:
    indicator: Indicator
    assigned: Target | None
    self_set: Target | None
    parts: list["UnitTarget"] = field(default_factory=list)

    @property
    def main(self) -> Target | None:
        return self.assigned or self.self_set


def unit_targets(*, unit: Unit, indicator_codes: Iterable[str], period: Period) -> list[UnitTarget]:
    """The unit's own targets for the indicators, each with the targets of its parts
    (bhxh_tn → vận động mới, tái tục) when those are set; one query."""
    codes = list(indicator_codes)
    indicators = {i.code: i for i in Indicator.objects.filter(Q(code__in=codes) | Q(part_of__code__in=codes))}
    by_indicator: dict[int, dict[str, Target]] = {}
    for target in Target.objects.for_period(period).of_units().filter(unit=unit, indicator__in=indicators.values()):
        by_indicator.setdefault(target.indicator_id, {})[target.kind] = target

    def build(indicator: Indicator) -> UnitTarget:
        found = by_indicator.get(indicator.pk, {})
        parts = [build(p) for p in sorted(
            (i for i in indicators.values() if i.part_of_id == indicator.pk), key=lambda i: i.display_order
        )]
        return UnitTarget(indicator, found.get(TargetKind.ASSIGNED), found.get(TargetKind.SELF_SET),
                          [p for p in parts if p.main is not None])

    shown = [indicators[c] for c in codes if c in indicators]
    # An indicator asked for that is a part of another one asked for is printed as its part.
    shown_ids = {i.pk for i in shown}
    return [build(i) for i in shown if i.part_of_id not in shown_ids]


@dataclass(frozen=True)
class Share:
    name: str
    count: int
    is_agent: bool
    level: str = ""


@dataclass(frozen=True)
class Allocation:
    unit: Unit
    indicator: Indicator
    period: Period
    assigned: Target | None
    self_set: Target | None
    shares: list[Share]

    @property
    def total(self) -> int:
        return sum(s.count for s in self.shares)

    @property
    def basis(self) -> Target | None:
        """The target the split is measured against: the unit's own (phấn đấu) when set."""
        return self.self_set or self.assigned

    @property
    def check(self) -> SplitCheck:
        return check_split(self.basis.count if self.basis else None, (s.count for s in self.shares))

    @property
    def formula(self) -> str:
        """'6 × 5 + 10 = 40': equal shares of units grouped, then each agent."""
        terms: list[str] = []
        units = [s for s in self.shares if not s.is_agent]
        index = 0
        while index < len(units):
            run = 1
            while index + run < len(units) and units[index + run].count == units[index].count:
                run += 1
            count = format_number(units[index].count)
            terms.append(f"{run} × {count}" if run > 1 else count)
            index += run
        terms += [format_number(s.count) for s in self.shares if s.is_agent]
        return f"{' + '.join(terms)} = {format_number(self.total)}" if terms else ""


def allocation(*, unit: Unit, indicator: Indicator, period: Period) -> Allocation:
    """The unit's targets (giao, phấn đấu) and their split across its child units and its
    collection agents, as the targets app reads them (targets.selectors.allocation_sheet)."""
    from targets.selectors import allocation_sheet

    sheet = allocation_sheet(unit=unit, indicator=indicator, period=period)
    shares = [
        Share(r.name, r.target.count, r.is_agent, "" if r.is_agent else r.obj.level.name.lower())
        for r in sheet.recipients if r.target is not None
    ]
    return Allocation(unit, indicator, period, sheet.assigned, sheet.self_set, shares)


def allocation_table(alloc: Allocation) -> Table:
    recipients = "Thôn, tổ và đại lý thu" if alloc.unit.level.code == "xa" else "Đơn vị, đại lý thu"
    table = Table(
        key="allocation", title=f"Phân bổ chỉ tiêu {alloc.indicator.short_name} {alloc.period.label.lower()}",
        columns=[Column("stt", "STT", "A", "text"), Column("name", recipients, "B", "text"),
                 Column("count", "Chỉ tiêu (người)", "1")],
    )
    for index, share in enumerate(alloc.shares, start=1):
        table.rows.append(Row({"stt": str(index), "name": share.name, "count": share.count}))
    table.rows.append(Row({"stt": "", "name": "Tổng cộng", "count": alloc.total}, is_total=True))
    return table


# --- coverage ------------------------------------------------------------------------------------
# Every figure of these tables comes from reports.tables (the same inputs, rules and builders as the
# coverage page and its downloads): a block only chooses the table, the month and its layout.
@dataclass
class CoverageData:
    table: Table
    has_results: bool
    figures: dict = field(default_factory=dict)


def month_of(period: Period) -> Period:
    """The month a block's figures are read at: the month itself, or the last month of a longer period."""
    if period.type == PeriodType.MONTH:
        return period
    return Period.month(period.year, period.last_month)


def _has_results(inputs, codes: Iterable[str]) -> bool:
    codes = set(codes)
    return any(code in codes for _, code in inputs.participants)


def coverage_table(*, unit: Unit, indicator: Indicator, as_of: Period, target_period: Period | None = None,
                   with_change: bool = True) -> CoverageData:
    """Coverage of one indicator by child unit (reports.tables.indicator), the parent row from its own
    denominator, target and participants; `target_period`: the targets of that period instead of
    those that apply in the month (reports.tables.figures.applicable_targets)."""
    from reports.tables.indicator import indicator_table
    from reports.tables.inputs import load_inputs

    month = month_of(as_of)
    inputs = load_inputs(parent=unit, month=month, indicator_codes=[indicator.code], target_period=target_period,
                         change_codes=[indicator.code] if with_change else ())
    until = (target_period or Period.of_year(month.year)).label.lower()
    table = indicator_table(inputs, indicator, with_change=with_change, remaining_until=until)
    return CoverageData(table, _has_results(inputs, [indicator.code]))


def remaining_table(*, unit: Unit, indicators: list[Indicator], as_of: Period,
                    target_period: Period | None = None) -> CoverageData:
    """People still to mobilise per child unit and indicator until the end of the target period
    (reports.tables.indicator); the total row is the parent's own remaining."""
    from reports.tables.indicator import indicator_remaining_table
    from reports.tables.inputs import load_inputs

    month = month_of(as_of)
    codes = [i.code for i in indicators]
    inputs = load_inputs(parent=unit, month=month, indicator_codes=codes, target_period=target_period,
                         change_codes=())
    until = (target_period or Period.of_year(month.year)).label.lower()
    return CoverageData(indicator_remaining_table(inputs, indicators, until=until), _has_results(inputs, codes))


def evaluation_table(*, unit: Unit, indicators: list[Indicator], year: int) -> CoverageData:
    """The year's results against its plan and the year before, and next year's target (reference
    plan 2020): the inputs and the layout are reports.tables.evaluation's, as on the coverage page."""
    from reports.tables.evaluation import evaluation_table as build
    from reports.tables.evaluation import load_evaluation_items

    items = load_evaluation_items(unit=unit, indicators=indicators, year=year)
    has_results = any(i.participants is not None for i in items)
    return CoverageData(build(items=items, year=year), has_results)


# --- the coverage tables of the reports app ------------------------------------------------------
def report_table(*, unit: Unit, table: str, month: Period) -> CoverageData:
    """One of the coverage tables of reports.tables.coverage_tables (bhyt, bhxh, bhtn, remaining,
    students), the same figures as the coverage page and its downloads."""
    from reports.coverage import CoverageRequestError, coverage_table_inputs
    from reports.tables.coverage_tables import TABLES

    try:
        inputs = coverage_table_inputs(unit=unit, table=table, month=month)
    except CoverageRequestError as exc:
        raise LookupError(str(exc)) from exc
    # Tables with inputs of their own (schools) say whether they have figures themselves.
    return CoverageData(TABLES[table](inputs), bool(getattr(inputs, "participants", True)))


# --- drive activities ----------------------------------------------------------------------------
def activity_rows(*, unit: Unit, period: Period) -> list[dict]:
    """Planned drive activities of the unit's subtree in the period, as rows of the schedule block
    (keys: activity, organiser, count, place, start, end, invitees, attendance, expected).

    The activities model lands with its own issue (campaigns/models/activities.py); until then there
    is nothing to read and the block prints the rows written into it. Point this at that model."""
    return []
