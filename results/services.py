"""Every write to monthly results: one cell of the entry grid, one row of an uploaded
file, and the workflow of a unit's monthly report (draft → submitted → approved; returned with a
reason; reopened, recorded).

Who may do what (on top of units.access, the one permission module; these predicates only
name which roles count, and every view and importer asks them):
- enter and submit: a commune official, BHXH staff or an administrator of the reporting unit or
  of a unit above it (a commune official enters for the xã, its thôn and its collection agents);
- approve, return, reopen: BHXH staff, a leader or an administrator of a unit strictly above the
  reporting unit; nobody approves a report they submitted themselves;
- upload a file: BHXH staff or administrators, for the units of their subtree.

`by` is the user acting; None is the system (the CLI import, the demo), which the rules do not
stop. A refusal raises PermissionDenied, ResultRefused (a locked month, a stale cell, a
transition somebody else made first) or ValidationError, each with a Vietnamese message.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from bhxh_portal.compiled import first_row, rows_updated
from bhxh_portal.idempotency import Repeated, when
from bhxh_portal.numbers import format_number
from units import access
from targets.models import Indicator
from results.models import MonthlyReport, MonthlyReportEvent, MonthlyResult, ReportAction, ReportState
from units.models import Role, Unit
from units.periods import Period, PeriodType

# A village reports inside its commune's report (levels as data: the codes of village levels).
VILLAGE_LEVELS = frozenset({"thon"})


FIELDS = ("participants", "new_participants", "renewing")
FIELD_LABELS = {"participants": "số người tham gia", "new_participants": "vận động mới", "renewing": "tái tục"}

# Indicators that are a breakdown of another one: their figure is a field of the other's result
# (agents.selectors counts them the same way from the registry).
BREAKDOWNS = {"bhxh_tn_moi": ("bhxh_tn", "new_participants"), "bhxh_tn_tai_tuc": ("bhxh_tn", "renewing")}


class ResultRefused(Exception):
    """A write refused for a reason the user can act on; `message` is Vietnamese."""

    status = 409

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class MonthLocked(ResultRefused):
    status = 423


class StaleResult(ResultRefused):
    """The cell changed since the user read it: the save is refused, never silently applied."""

    def __init__(self, *, current: MonthlyResult | None, attempted: int | None, label: str):
        self.current = current
        self.attempted = attempted
        if current is None:
            now = "ô này vừa bị xóa (để trống)"
        else:
            who = _who(current.updated_by)
            when = timezone.localtime(current.updated_at).strftime("%H:%M ngày %d/%m/%Y")
            now = f"giá trị hiện tại là {_number(current, label)} do {who} lưu lúc {when}"
        yours = "để trống" if attempted is None else format_number(attempted)
        super().__init__(f"Có người đã sửa ô này sau khi bạn mở trang: {now}. "
                         f"Số bạn nhập ({yours}) chưa được lưu; hãy xem lại rồi nhập lại nếu vẫn cần sửa.")


class TransitionConflict(ResultRefused):
    pass


class TransitionRepeated(TransitionConflict, Repeated):
    """The step was already made by the same user (a double click, a second tab): nothing written,
    said calmly (views catch Repeated first)."""

    def __init__(self, message: str, *, obj=None):
        Repeated.__init__(self, message, obj=obj)


def _who(user) -> str:
    if user is None:
        return "hệ thống"
    return user.get_full_name() or user.username


def _number(result: MonthlyResult, field: str) -> str:
    value = getattr(result, field)
    return "trống" if value is None else format_number(value)


# --- who reports (who may act is units.access.ACTIONS["results.*"], on the reporting unit) --------


def reporting_unit(unit: Unit) -> Unit:
    """The unit whose monthly report holds this unit's figures: a village's commune, else itself."""
    if unit.parent_id and unit.level.code in VILLAGE_LEVELS:
        return unit.parent
    return unit


# --- months ---------------------------------------------------------------------------------------


def check_month(month: Period, *, today=None) -> None:
    """A result is for a month that has begun: the month in progress or an earlier one."""
    if month.type != PeriodType.MONTH:
        raise ValidationError({"month": "Kết quả được nhập theo tháng."})
    today = today or timezone.localdate()
    if month.start > today:
        raise ValidationError({"month": (
            f"Tháng {month.number:02d}/{month.year} chưa đến (hôm nay {today:%d/%m/%Y}): "
            "không nhập kết quả cho tháng sau.")})


def locked_message(report: MonthlyReport) -> str:
    label = f"Kết quả tháng {report.month:02d}/{report.year} của {report.unit.name}"
    if report.state == ReportState.APPROVED:
        who = _who(report.approved_by)
        when = f" ngày {timezone.localtime(report.approved_at):%d/%m/%Y}" if report.approved_at else ""
        return (f"{label} đã được {who} duyệt{when} và bị khóa: muốn sửa, cấp trên phải mở lại "
                "(việc mở lại được ghi lại).")
    return (f"{label} đã nộp, đang chờ cấp trên duyệt: không sửa được. Nếu cần sửa, đề nghị cấp trên "
            "trả lại báo cáo.")


def find_report(*, unit: Unit, month: Period) -> MonthlyReport | None:
    # One row at most (unique): ordered by its key, not by the model's ordering, which joins the unit.
    return MonthlyReport.objects.select_related("unit__level", "unit__parent", "submitted_by", "approved_by").filter(
        unit=reporting_unit(unit), year=month.year, month=month.number).order_by("pk").first()


def _report_locked(*, unit: int, year: int, month: int):
    return MonthlyReport.objects.select_for_update().filter(
        unit_id=unit, year=year, month=month).order_by("pk")


def _report_for_update(unit: Unit, month: Period) -> MonthlyReport:
    """The reporting unit's report for the month, created as a draft on the first write, and
    locked (select_for_update) until the end of the caller's transaction."""
    owner = reporting_unit(unit)
    lookup = {"unit": owner, "year": month.year, "month": month.number}
    # Ordered by its key: the model's ordering joins the unit, whose row FOR UPDATE would lock too.
    report = first_row(_report_locked, unit=owner.pk, year=month.year, month=month.number)
    if report is None:
        try:
            with transaction.atomic():
                report = MonthlyReport.objects.create(**lookup)
        except IntegrityError:  # created by someone else meanwhile
            report = MonthlyReport.objects.select_for_update().get(**lookup)
    report.unit = owner
    return report


# --- one result -----------------------------------------------------------------------------------


def _whole(value, label: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or int(value) != value:
        raise ValidationError(f"{label.capitalize()} phải là số nguyên.")
    value = int(value)
    if value < 0:
        raise ValidationError(f"{label.capitalize()} {format_number(value)} không được âm.")
    return value


def check_result(*, unit: Unit, indicator: Indicator, month: Period, agent=None, by=None,
                 today=None, report_read: bool = True) -> MonthlyReport | None:
    """Everything but the values and the version: who, which month, which unit. Returns the
    existing report (None while nothing is entered). Raises PermissionDenied, ValidationError,
    MonthLocked. `report_read=False`: the caller checks the report itself, under its lock (result_save)."""
    if by is not None and not access.can(by, "results.enter", reporting_unit(unit)):
        raise PermissionDenied(f"Bạn không có quyền nhập kết quả của {unit.name}.")
    check_month(month, today=today)
    if not month.overlaps(unit.valid_from, unit.valid_to):
        raise ValidationError({"unit": f"{unit.name} không còn hiệu lực trong {month.label.lower()}."})
    if indicator.code in BREAKDOWNS:
        whole, field = BREAKDOWNS[indicator.code]
        raise ValidationError({"indicator": (
            f"Chỉ tiêu {indicator.code} được ghi ở cột {FIELD_LABELS[field]} của chỉ tiêu {whole}.")})
    if agent is not None and agent.unit_id != unit.pk:
        raise ValidationError({"agent": f"Đại lý {agent.name} không thuộc {unit.name}."})
    if not report_read:
        return None
    report = find_report(unit=unit, month=month)
    if report is not None and not report.is_editable:
        raise MonthLocked(locked_message(report))
    return report


def find_result(*, unit: Unit, indicator: Indicator, month: Period, agent=None) -> MonthlyResult | None:
    # Without its author: only a refusal names who saved last (one more query then, none on a save).
    # One row at most: ordered by its key, not by the model's ordering (two joins to sort one row).
    # Compiled once per shape (bhxh_portal.compiled): every grid save reads it.
    if agent is None:
        return first_row(_result_of, False, unit=unit.pk, indicator=indicator.pk, year=month.year,
                         month=month.number)
    return first_row(_result_of, True, unit=unit.pk, agent=agent.pk, indicator=indicator.pk, year=month.year,
                     month=month.number)


def _result_of(with_agent: bool, *, unit: int, indicator: int, year: int, month: int, agent: int | None = None):
    return MonthlyResult.objects.filter(unit_id=unit, agent_id=agent if with_agent else None,
                                        indicator_id=indicator, year=year, month=month).order_by("pk")


def _version_claim(*, row: int, version: int, claimed: int):
    return MonthlyResult.objects.filter(pk=row, version=version), {"version": claimed}


@dataclass
class SaveOutcome:
    result: MonthlyResult | None  # None once the cell is cleared
    created: bool = False
    changed: bool = False
    deleted: bool = False
    # The month's report as read under its lock by the save (None where the save did not read it):
    # the grid's answer knows the month is still open without reading it again.
    report: MonthlyReport | None = None


_UNREAD = object()


def result_save(*, unit: Unit, indicator: Indicator, month: Period, participants: int | None,
                new_participants: int | None = None, renewing: int | None = None, agent=None,
                expected_version: int | None = None, by=None, reason: str = "", today=None,
                existing=_UNREAD) -> SaveOutcome:
    """Write one result (all three values). `participants` None clears the row: the unit then takes
    its children's sum. `expected_version` is the version the user saw (0: no row); None does not
    check (a file upload, the system). A stale save raises StaleResult with the current value.
    `existing`: the stored row (or None) as the caller has just read it; a change made since is
    still refused by the version claim (or the unique constraint) below."""
    # The report (locked month) is read below under its lock, where a refusal is decided for good.
    check_result(unit=unit, indicator=indicator, month=month, agent=agent, by=by, today=today, report_read=False)
    participants = _whole(participants, FIELD_LABELS["participants"])
    new_participants = _whole(new_participants, FIELD_LABELS["new_participants"])
    renewing = _whole(renewing, FIELD_LABELS["renewing"])
    if participants is None and (new_participants is not None or renewing is not None):
        raise ValidationError({"participants": "Cần ghi số người tham gia trước khi ghi số vận động mới, tái tục."})
    values = (participants, new_participants, renewing)
    with transaction.atomic():
        report = _report_for_update(unit, month)
        if not report.is_editable:
            raise MonthLocked(locked_message(report))
        # The caller's row is trusted only where a write follows, which the version claim or the
        # unique constraint guards; an answer without a write is decided on the row read under the lock.
        if existing is _UNREAD or (existing is None and participants is None) or (
                existing is not None and existing.values() == values):
            existing = find_result(unit=unit, indicator=indicator, month=month, agent=agent)
        if existing is None:
            if expected_version not in (None, 0):
                raise StaleResult(current=None, attempted=participants, label="participants")
            if participants is None:
                return SaveOutcome(result=None, report=report)
            row = MonthlyResult(report=report, unit=unit, agent=agent, indicator=indicator, year=month.year,
                                month=month.number, participants=participants, new_participants=new_participants,
                                renewing=renewing, version=1, updated_by=by)
            row._history_user = by
            row._change_reason = reason or None
            try:
                with transaction.atomic():
                    row.save()
            except IntegrityError:
                current = find_result(unit=unit, indicator=indicator, month=month, agent=agent)
                if current is not None and current.values() == values:
                    return SaveOutcome(result=current, report=report)  # the same save, sent twice at once
                raise StaleResult(current=current, attempted=participants, label="participants") from None
            return SaveOutcome(result=row, created=True, changed=True, report=report)
        # Already what is asked (the same save sent again, from a double click or a second tab):
        # nothing to write and nothing lost, whatever version the request saw.
        if existing.values() == values:
            return SaveOutcome(result=existing, report=report)
        if expected_version is not None and expected_version != existing.version:
            raise StaleResult(current=existing, attempted=participants, label="participants")
        # Claim the version: of two saves that read the same version, exactly one passes here.
        # Compiled once (bhxh_portal.compiled); the version alone changes no figure, so it moves no
        # scope on (as ResultsQuerySet.update): the row's save below does.
        claimed = rows_updated(_version_claim, row=existing.pk, version=existing.version,
                               claimed=existing.version + 1)
        if not claimed:
            current = find_result(unit=unit, indicator=indicator, month=month, agent=agent)
            if current is not None and current.values() == values:
                return SaveOutcome(result=current, report=report)
            raise StaleResult(current=current, attempted=participants, label="participants")
        existing._history_user = by
        existing._change_reason = reason or None
        if participants is None:
            existing.delete()
            return SaveOutcome(result=None, changed=True, deleted=True, report=report)
        existing.participants, existing.new_participants, existing.renewing = values
        existing.version += 1
        existing.updated_by = by
        existing.save()
        return SaveOutcome(result=existing, changed=True, report=report)


def result_set_field(*, unit: Unit, indicator: Indicator, month: Period, field: str, value: int | None,
                     expected_version: int | None, agent=None, by=None, reason: str = "") -> SaveOutcome:
    """One cell of the grid: one of FIELDS, the other two kept as the user saw them (the version
    check guarantees they are what is stored)."""
    if field not in FIELDS:
        raise ValidationError({"field": "Ô không hợp lệ."})
    existing = find_result(unit=unit, indicator=indicator, month=month, agent=agent)
    if existing is not None and expected_version is not None and expected_version != existing.version:
        check_result(unit=unit, indicator=indicator, month=month, agent=agent, by=by)
        if getattr(existing, field) == value:
            return SaveOutcome(result=existing)  # the same cell saved again: already so
        raise StaleResult(current=existing, attempted=value, label=field)
    current = dict(zip(FIELDS, existing.values())) if existing else dict.fromkeys(FIELDS)
    if existing is None and field != "participants" and value is not None:
        check_result(unit=unit, indicator=indicator, month=month, agent=agent, by=by)
        raise ValidationError({field: "Cần ghi số người tham gia trước khi ghi số vận động mới, tái tục."})
    current[field] = value
    if field == "participants" and value is None:
        current = dict.fromkeys(FIELDS)  # clearing the participants clears the row
    try:
        return result_save(unit=unit, indicator=indicator, month=month, agent=agent, by=by, reason=reason,
                           expected_version=expected_version, existing=existing, **current)
    except StaleResult as exc:
        raise StaleResult(current=exc.current, attempted=value, label=field) from None


# --- the workflow ---------------------------------------------------------------------------------


def _transition(*, report: MonthlyReport, action: str, from_state: str, to_state: str, by, reason: str = "",
                **updates) -> MonthlyReport:
    """A conditional UPDATE ... WHERE state = from_state: of two people acting at once, one wins and
    the other is told what happened."""
    with transaction.atomic():
        changed = MonthlyReport.objects.filter(pk=report.pk, state=from_state).update(state=to_state, **updates)
        if not changed:
            current = MonthlyReport.objects.select_related("unit", "approved_by", "submitted_by",
                                                          "returned_by").get(pk=report.pk)
            _raise_if_repeated(current, action, to_state, by)
            raise TransitionConflict(_conflict_message(current, action))
        MonthlyReportEvent.objects.create(report=report, action=action, from_state=from_state, to_state=to_state,
                                          by=by, reason=reason)
    report.refresh_from_db()
    return report


def _raise_if_repeated(current: MonthlyReport, action: str, to_state: str, by) -> None:
    """The same user's same step, already made (a double click, a second tab): said calmly, not as a conflict."""
    last = current.events.order_by("-at", "-id").first()
    if (by is not None and last is not None and current.state == to_state and last.action == action
            and last.by_id == by.pk):
        verb = ReportAction(action).label.lower()
        raise TransitionRepeated(f"Bạn đã {verb} kết quả {current.unit.name} lúc {when(last.at)}; "
                                 "không ghi lại lần nữa.", obj=current)


def _conflict_message(current: MonthlyReport, action: str) -> str:
    verb = ReportAction(action).label.lower()
    last = current.events.select_related("by").order_by("-at", "-id").first()
    if last is not None:
        when = timezone.localtime(last.at).strftime("%H:%M ngày %d/%m/%Y")
        done = f"{_who(last.by)} vừa {last.get_action_display().lower()} lúc {when}"
    else:
        done = "báo cáo đã thay đổi"
    return (f"Không {verb} được: {done}; báo cáo hiện ở trạng thái «{current.get_state_display()}». "
            "Hãy tải lại trang.")


def report_submit(*, unit: Unit, month: Period, by=None) -> MonthlyReport:
    owner = reporting_unit(unit)
    if by is not None and not access.can(by, "results.submit", owner):
        raise PermissionDenied(f"Bạn không có quyền nộp kết quả của {owner.name}.")
    check_month(month)
    with transaction.atomic():
        report = _report_for_update(owner, month)
        if not report.results.exists():
            raise ValidationError(f"Chưa có số liệu nào của {owner.name} trong {month.label.lower()} để nộp.")
        if report.state != ReportState.DRAFT:
            _raise_if_repeated(report, ReportAction.SUBMIT, ReportState.SUBMITTED, by)
            raise TransitionConflict(locked_message(report))
        return _transition(report=report, action=ReportAction.SUBMIT, from_state=ReportState.DRAFT,
                           to_state=ReportState.SUBMITTED, by=by, submitted_by=by, submitted_at=timezone.now(),
                           return_reason="")


def _existing_report(unit: Unit, month: Period) -> MonthlyReport:
    report = find_report(unit=unit, month=month)
    if report is None:
        raise TransitionConflict(f"{reporting_unit(unit).name} chưa nộp kết quả {month.label.lower()}.")
    return report


def _check_approver(by, report: MonthlyReport, action: str, verb: str) -> None:
    if by is None:
        return
    if not access.can(by, action, reporting_unit(report.unit)):
        raise PermissionDenied(
            f"Bạn không có quyền {verb} kết quả của {report.unit.name}: việc này do cơ quan BHXH, lãnh đạo "
            "hoặc quản trị của cấp trên làm.")


def report_approve(*, report: MonthlyReport, by=None) -> MonthlyReport:
    _check_approver(by, report, "results.approve", "duyệt")
    if by is not None and report.submitted_by_id == by.pk:
        raise PermissionDenied("Bạn đã nộp báo cáo này nên không tự duyệt được: người khác ở cấp trên duyệt.")
    return _transition(report=report, action=ReportAction.APPROVE, from_state=ReportState.SUBMITTED,
                       to_state=ReportState.APPROVED, by=by, approved_by=by, approved_at=timezone.now())


def _reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": f"Cần ghi lý do {what}."})
    if len(reason) > 500:
        raise ValidationError({"reason": "Lý do dài quá 500 ký tự."})
    return reason


def report_return(*, report: MonthlyReport, reason: str, by=None) -> MonthlyReport:
    _check_approver(by, report, "results.return", "trả lại")
    reason = _reason(reason, "trả lại")
    return _transition(report=report, action=ReportAction.RETURN, from_state=ReportState.SUBMITTED,
                       to_state=ReportState.DRAFT, by=by, reason=reason, returned_by=by, returned_at=timezone.now(),
                       return_reason=reason)


def report_reopen(*, report: MonthlyReport, reason: str, by=None) -> MonthlyReport:
    _check_approver(by, report, "results.reopen", "mở lại")
    reason = _reason(reason, "mở lại")
    return _transition(report=report, action=ReportAction.REOPEN, from_state=ReportState.APPROVED,
                       to_state=ReportState.DRAFT, by=by, reason=reason, reopened_by=by, reopened_at=timezone.now(),
                       reopen_reason=reason, return_reason="")


TRANSITIONS = {
    ReportAction.APPROVE: report_approve,
    ReportAction.RETURN: report_return,
    ReportAction.REOPEN: report_reopen,
}
# The action of units.access.ACTIONS each transition needs (on the reporting unit).
TRANSITION_RULES = {
    ReportAction.APPROVE: "results.approve",
    ReportAction.RETURN: "results.return",
    ReportAction.REOPEN: "results.reopen",
}
