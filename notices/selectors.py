"""What each notice says, to whom, and when it is due: reads only.

Every figure comes from the engine behind the pages: the dashboard (`reports.dashboard.unit_dashboard`)
for the weekly progress, the Tiến độ nộp selector (`results.selectors.completeness`) for the reminders,
and the coverage table objects (`reports.coverage.coverage_table_build`) for the PDFs, laid out by the
reports' own PDF renderer. Nothing here computes a figure of its own; it only picks and lays out."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse

from reports.coverage import achievement_chart, coverage_table_build
from reports.dashboard import dashboard_charts, unit_dashboard
from units.models import Membership, Role, Unit
from results.models import MonthlyReport, ReportState
from units.periods import Period
from results.selectors import completeness, default_month, due_date, previous_month
from results.services import reporting_unit

from .models import NoticeIssue, NoticeKind, UnitNoticeSettings

UNSUBSCRIBE_SALT = "notices.unsubscribe"
WEEKLY_TABLES = ["bhyt", "bhxh", "bhtn"]
MONTHLY_TABLES = ["bhyt", "bhxh", "bhtn", "remaining"]
BEHIND_SHOWN = 3
BEFORE, AFTER, ABOVE = "truoc-han", "qua-han", "cap-tren"


@dataclass(frozen=True)
class Recipient:
    address: str
    user_id: int | None = None
    name: str = ""


@dataclass
class Notice:
    """One message of a unit, kind and period, before it is addressed to each recipient."""

    unit: Unit  # the unit the notice is about (a late commune for its officials' reminder)
    origin: Unit  # the unit whose configuration sends it
    kind: str
    period: str
    as_of: datetime.date
    subject: str
    template: str
    context: dict
    recipients: list[Recipient]
    # (file name, a function building its content, MIME type): built only when the message is sent,
    # so a preview or a dry run does not render PDFs.
    files: list[tuple[str, Callable[[], bytes], str]] = field(default_factory=list)
    figures: dict = field(default_factory=dict)
    skipped: list[Recipient] = field(default_factory=list)  # people it is meant for who have no address

    @property
    def kind_label(self) -> str:
        return NoticeKind(self.kind).label

    @property
    def attachment_names(self) -> list[str]:
        return [name for name, _, _ in self.files]

    @property
    def attachments(self) -> list[tuple[str, bytes, str]]:
        if not hasattr(self, "_attachments"):
            self._attachments = [(name, build(), mimetype) for name, build, mimetype in self.files]
        return self._attachments

    def render(self, recipient: Recipient) -> tuple[str, str]:
        """(plain text, HTML) for one recipient: each carries its own unsubscribe link."""
        context = {**self.context, "notice": self, "recipient": recipient,
                   "unsubscribe_url": unsubscribe_url(address=recipient.address, kind=self.kind),
                   "preferences_url": absolute_url(reverse("notices:preferences")),
                   "site_url": settings.SITE_URL}
        return (render_to_string(f"notices/{self.template}.txt", context),
                render_to_string(f"notices/{self.template}.html", context))


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def unsubscribe_token(*, address: str, kind: str) -> str:
    return signing.dumps({"a": address.lower(), "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[str, str] | None:
    """(address, kind) of a valid token, else None (altered, or signed with another key)."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") not in NoticeKind.values or not data.get("a"):
        return None
    return data["a"], data["k"]


def unsubscribe_url(*, address: str, kind: str) -> str:
    return absolute_url(reverse("notices:unsubscribe", args=[unsubscribe_token(address=address, kind=kind)]))


# --- who receives ----------------------------------------------------------------------------------


def members_of(unit: Unit, roles: list[str]) -> list:
    """The unit's own active users holding one of `roles`, by user name."""
    memberships = Membership.objects.filter(unit=unit, role__in=roles, user__is_active=True).select_related("user")
    return [m.user for m in memberships.order_by("user__username")]


def addressed(users) -> tuple[list[Recipient], list[Recipient]]:
    """(recipients, skipped): the active users with an e-mail address, and those without one (a
    dry run names them, so that an administrator can add the address)."""
    recipients, skipped = [], []
    for u in users:
        if not u.is_active:
            continue
        name = u.get_full_name() or u.username
        if u.email:
            recipients.append(Recipient(u.email.lower(), u.pk, name))
        else:
            skipped.append(Recipient("", u.pk, f"{name} ({u.username})" if name != u.username else name))
    return _unique(recipients), skipped


def _unique(recipients: list[Recipient]) -> list[Recipient]:
    seen, kept = set(), []
    for r in recipients:
        if r.address not in seen:
            seen.add(r.address)
            kept.append(r)
    return kept


def settings_of(unit: Unit) -> UnitNoticeSettings:
    found = UnitNoticeSettings.objects.filter(unit=unit).first()
    return found or UnitNoticeSettings(unit=unit)


# --- periods and schedule -------------------------------------------------------------------------


def week_key(day: datetime.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def reported_month(day: datetime.date) -> Period:
    """The month a notice on `day` is about: the month before (its figures are due in `day`'s month)."""
    return previous_month(Period.containing(day))


def is_due(config: UnitNoticeSettings, kind: str, now: datetime.datetime) -> bool:
    """Has the configured moment of this kind come in the current period (week, month)? Once it has,
    it stays due until the period ends, so a beat that was down catches up; sending is idempotent."""
    if kind == NoticeKind.WEEKLY_PROGRESS:
        return config.weekly_enabled and (now.weekday(), now.hour) >= (config.weekly_weekday, config.weekly_hour)
    if kind == NoticeKind.MONTHLY_PACK:
        return config.monthly_enabled and (now.day, now.hour) >= (config.monthly_day, config.monthly_hour)
    if kind == NoticeKind.DUE_REMINDER:
        return config.reminder_enabled and now.hour >= config.reminder_hour
    return False


def reminder_moment(*, day: datetime.date, days_before: int) -> tuple[Period, str] | None:
    """(month, phase) of the reminders on `day`: BEFORE from `days_before` days before the month's due
    day to the due day (each recipient gets it once, so a beat that was down still reminds), AFTER only
    on the day after the due day (a late commune is reminded once, not every day after). The month is
    the one before `day`'s, or `day`'s own when its window starts before the month ends (a due day
    earlier than `days_before`)."""
    for month in (reported_month(day), Period.containing(day)):
        due = due_date(month)
        if due - datetime.timedelta(days=days_before) <= day <= due:
            return month, BEFORE
        if day == due + datetime.timedelta(days=1):
            return month, AFTER
    return None


# --- the notices ----------------------------------------------------------------------------------


def notices_for(*, unit: Unit, kind: str, on: datetime.date) -> list[Notice]:
    """The notices `unit`'s configuration sends on `on` for `kind` (none when there is nothing to say)."""
    builders = {NoticeKind.WEEKLY_PROGRESS: weekly_progress, NoticeKind.DUE_REMINDER: due_reminders,
                NoticeKind.MONTHLY_PACK: monthly_pack}
    if kind not in builders:
        raise ValueError(f"Không có loại thông báo '{kind}' (có: {', '.join(NoticeKind.values)}).")
    return builders[kind](unit=unit, on=on)


def _tables_pdf(*, unit: Unit, month: Period, tables: list[str], extra_documents=()) -> bytes:
    from reports.render.pdf import as_document

    documents = []
    for key in tables:
        table = coverage_table_build(unit=unit, table=key, month=month)
        documents.append(as_document(table, unit_name=unit.name, as_of=month.end, chart_svg=achievement_chart(table)))
    documents.extend(extra_documents)
    return documents[0].copy([page for d in documents for page in d.pages]).write_pdf()


def _previous_figures(*, unit: Unit, kind: str, period: str, on: datetime.date) -> dict:
    issue = (NoticeIssue.objects.filter(unit=unit, kind=kind, as_of__lt=on).exclude(period=period)
             .order_by("-as_of", "-created_at").first())
    return issue.figures if issue else {}


@dataclass
class ProgressLine:
    row: object  # reports.dashboard.DashboardRow
    previous: int | None

    @property
    def change(self) -> int | None:
        if self.previous is None or self.row.figure.value is None:
            return None
        return self.row.figure.value - self.previous


def weekly_progress(*, unit: Unit, on: datetime.date) -> list[Notice]:
    period = week_key(on)
    month = default_month(on)
    dashboard = unit_dashboard(unit=unit, month=month)
    previous = _previous_figures(unit=unit, kind=NoticeKind.WEEKLY_PROGRESS, period=period, on=on)
    lines = [ProgressLine(row, previous.get(row.indicator.code)) for row in dashboard.rows]
    behind = [r for r in reversed(dashboard.ranking) if r.achievement is not None][:BEHIND_SHOWN]
    latest = max((r.latest_month for r in dashboard.rows if r.latest_month), key=lambda p: p.sort_key, default=month)
    config = settings_of(unit)
    members, skipped = addressed(members_of(unit, [Role.LEADER, Role.BHXH_STAFF]))
    recipients = _unique([*members, *[Recipient(a) for a in config.addresses]])
    subject = f"Tình hình thực hiện chỉ tiêu BHXH, BHYT, BHTN — {unit.name} — tuần {period[-2:]}/{on.isocalendar()[0]}"
    return [Notice(
        unit=unit, origin=unit, kind=NoticeKind.WEEKLY_PROGRESS, period=period, as_of=on, subject=subject,
        template="weekly_progress", recipients=recipients,
        context={"unit": unit, "dashboard": dashboard, "lines": lines, "behind": behind, "latest": latest,
                 "on": on, "has_previous": bool(previous)},
        files=[(f"bang-so-lieu-{unit.code}-{latest.key}.pdf",
                lambda: _tables_pdf(unit=unit, month=latest, tables=WEEKLY_TABLES), "application/pdf")],
        figures={r.indicator.code: r.figure.value for r in dashboard.rows}, skipped=skipped,
    )]


def due_reminders(*, unit: Unit, on: datetime.date) -> list[Notice]:
    """Before the due day, the officials of each commune that has not submitted; on the day after
    it, those of each late commune, and the level above them gets the list of late communes (the
    unit's own leaders and BHXH staff, or its parent's when the unit itself reports)."""
    config = settings_of(unit)
    moment = reminder_moment(day=on, days_before=config.reminder_days_before)
    if moment is None:
        return []
    month, phase = moment
    report = completeness(unit=unit, month=month, today=on)
    pending = report.late if phase == AFTER else report.missing
    notices = []
    for row in pending:
        subject = (f"Quá hạn nộp kết quả tháng {month.number:02d}/{month.year} — {row.unit.name}" if phase == AFTER
                   else f"Sắp đến hạn nộp kết quả tháng {month.number:02d}/{month.year} — {row.unit.name}")
        officials, skipped = addressed(row.officials)
        notices.append(Notice(
            unit=row.unit, origin=unit, kind=NoticeKind.DUE_REMINDER, period=f"{month.key}:{phase}", as_of=on,
            subject=subject, template="due_reminder", recipients=officials, skipped=skipped,
            context={"row": row, "report": report, "month": month, "phase": phase, "late": phase == AFTER},
        ))
    above = unit if report.rows and report.rows[0].unit != unit else unit.parent
    if phase == AFTER and report.late and above is not None:
        leaders, skipped = addressed(members_of(above, [Role.LEADER, Role.BHXH_STAFF]))
        notices.append(Notice(
            unit=unit, origin=unit, kind=NoticeKind.DUE_REMINDER, period=f"{month.key}:{ABOVE}", as_of=on,
            subject=f"Các đơn vị quá hạn nộp kết quả tháng {month.number:02d}/{month.year} — {unit.name}",
            template="due_reminder_above", recipients=leaders, skipped=skipped,
            context={"report": report, "month": month, "unit": unit, "above": above},
        ))
    return notices


def monthly_pack(*, unit: Unit, on: datetime.date) -> list[Notice]:
    """The month before `on`, once the unit's own report of it is approved."""

    month = reported_month(on)
    approved = MonthlyReport.objects.filter(unit=reporting_unit(unit), year=month.year, month=month.number,
                                            state=ReportState.APPROVED).exists()
    if not approved:
        return []
    dashboard = unit_dashboard(unit=unit, month=month)

    def pdf() -> bytes:
        charts = _charts_document(unit=unit, month=month, pictures=dashboard_charts(dashboard), dashboard=dashboard)
        return _tables_pdf(unit=unit, month=month, tables=MONTHLY_TABLES, extra_documents=[charts])

    leaders, skipped = addressed(members_of(unit, [Role.LEADER]))
    return [Notice(
        unit=unit, origin=unit, kind=NoticeKind.MONTHLY_PACK, period=month.key, as_of=on,
        subject=f"Số liệu tháng {month.number:02d}/{month.year} đã duyệt — {unit.name}",
        template="monthly_pack", recipients=leaders, skipped=skipped,
        context={"unit": unit, "month": month, "dashboard": dashboard, "tables": MONTHLY_TABLES},
        files=[(f"so-lieu-thang-{unit.code}-{month.key}.pdf", pdf, "application/pdf")],
        figures={r.indicator.code: r.figure.value for r in dashboard.rows},
    )]


def _charts_document(*, unit: Unit, month: Period, pictures: dict, dashboard):
    from weasyprint import HTML

    from reports.render.pdf import FONTS_DIR

    html = render_to_string("notices/charts_pdf.html", {
        "unit": unit, "month": month, "lines": [pictures["lines"][r.indicator.code] for r in dashboard.rows
                                                if r.indicator.code in pictures["lines"]],
        "ranking": pictures["ranking"], "fonts": FONTS_DIR.as_uri()})
    return HTML(string=html, base_url=str(settings.BASE_DIR)).render()


def deliveries_of_user(*, user, limit: int = 30):
    from .models import NoticeDelivery

    if not user.email:
        return NoticeDelivery.objects.none()
    return NoticeDelivery.objects.filter(recipient=user.email.lower()).select_related("unit")[:limit]


# --- preview on the unit's settings page -------------------------------------------------------------


@dataclass
class KindPreview:
    kind: str
    label: str
    notices: list[Notice]  # all the messages of that day
    shown: list[tuple[int, Notice]]  # (index in `notices`, notice): the first of each template

    @property
    def others(self) -> int:
        return len(self.notices) - len(self.shown)


def notice_previews(*, unit: Unit, on: datetime.date) -> list[KindPreview]:
    """What each kind would send for `unit` on `on`, built by the builders that send the messages
    (attachments are named, not built)."""
    previews = []
    for kind in NoticeKind:
        notices = notices_for(unit=unit, kind=kind, on=on)
        shown, templates = [], set()
        for index, notice in enumerate(notices):
            if notice.template not in templates:
                templates.add(notice.template)
                shown.append((index, notice))
        previews.append(KindPreview(kind=kind.value, label=kind.label, notices=notices, shown=shown))
    return previews


def preview_recipient(user) -> Recipient:
    """The preview is addressed to whoever looks at it: its unsubscribe link is their own."""
    return Recipient((user.email or "").lower(), user.pk, user.get_full_name() or user.username)
