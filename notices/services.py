"""Every write of the notices: claim a delivery, send it, record the outcome; the beat's run.

Claiming is an INSERT on the unique (unit, kind, period, recipient): whoever inserts the row sends
the message, anyone else (a retried task, a second beat, the command run by hand) finds the row and
sends nothing. A failed delivery is claimed again by a later run (an UPDATE that only one run can
win), up to NOTICES_MAX_ATTEMPTS sends in all; one left 'sending' by a worker that died is claimed
again after NOTICES_STALE_AFTER_SECONDS."""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from units.models import Unit

from .models import DeliveryState, NoticeDelivery, NoticeIssue, NoticeKind, NoticeOptOut, UnitNoticeSettings
from .selectors import Notice, Recipient, is_due, notices_for, reported_month, week_key

logger = logging.getLogger(__name__)

SENT, FAILED, ALREADY, OPTED_OUT, DRY_RUN = "sent", "failed", "already", "opted-out", "dry-run"
NO_ADDRESS = "no-address"
OUTCOME_LABELS = {SENT: "đã gửi", FAILED: "gửi lỗi", ALREADY: "đã gửi trước đó, bỏ qua", OPTED_OUT: "đã hủy nhận",
                  DRY_RUN: "sẽ gửi", NO_ADDRESS: "bỏ qua, tài khoản chưa có địa chỉ e-mail"}


@dataclass
class Outcome:
    notice: Notice
    recipient: Recipient
    status: str
    error: str = ""

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self.status]


def max_attempts() -> int:
    return int(getattr(settings, "NOTICES_MAX_ATTEMPTS", 5))


def stale_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=int(getattr(settings, "NOTICES_STALE_AFTER_SECONDS", 1800)))


def opted_out(addresses: list[str], kind: str) -> set[str]:
    return set(NoticeOptOut.objects.filter(address__in=addresses, kind=kind).values_list("address", flat=True))


def _issue_for(notice: Notice) -> NoticeIssue:
    issue, _ = NoticeIssue.objects.get_or_create(
        unit=notice.unit, kind=notice.kind, period=notice.period,
        defaults={"origin": notice.origin, "as_of": notice.as_of, "subject": notice.subject[:250],
                  "figures": notice.figures})
    return issue


def _claim(notice: Notice, issue: NoticeIssue, recipient: Recipient) -> NoticeDelivery | None:
    now = timezone.now()
    try:
        with transaction.atomic():
            return NoticeDelivery.objects.create(
                unit=notice.unit, kind=notice.kind, period=notice.period, recipient=recipient.address, issue=issue,
                user_id=recipient.user_id, state=DeliveryState.SENDING, attempts=1, claimed_at=now)
    except IntegrityError:
        pass
    mine = NoticeDelivery.objects.filter(unit=notice.unit, kind=notice.kind, period=notice.period,
                                         recipient=recipient.address, attempts__lt=max_attempts()).filter(
        Q(state=DeliveryState.FAILED) | Q(state=DeliveryState.SENDING, claimed_at__lt=now - stale_after()))
    if mine.update(state=DeliveryState.SENDING, attempts=F("attempts") + 1, claimed_at=now):
        return NoticeDelivery.objects.get(unit=notice.unit, kind=notice.kind, period=notice.period,
                                          recipient=recipient.address)
    return None


def _message(notice: Notice, recipient: Recipient, connection) -> EmailMultiAlternatives:
    from .selectors import unsubscribe_url

    text, html = notice.render(recipient)
    link = unsubscribe_url(address=recipient.address, kind=notice.kind)
    message = EmailMultiAlternatives(
        subject=notice.subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[recipient.address],
        connection=connection,
        headers={"List-Unsubscribe": f"<{link}>", "X-BHXH-Notice": f"{notice.kind} {notice.unit.code} {notice.period}"})
    message.attach_alternative(html, "text/html")
    for name, content, mimetype in notice.attachments:
        message.attach(name, content, mimetype)
    return message


def notice_send(*, notice: Notice, dry_run: bool = False, only: set[str] | None = None) -> list[Outcome]:
    """Send the notice to each of its recipients that has not had it (nor opted out of its kind).
    The people it is meant for who have no address come first in the outcomes, as skipped."""
    recipients = [r for r in notice.recipients if only is None or r.address in only]
    refused = opted_out([r.address for r in recipients], notice.kind)
    outcomes: list[Outcome] = [Outcome(notice, r, NO_ADDRESS) for r in notice.skipped] if only is None else []
    if dry_run:
        done = set(NoticeDelivery.objects.filter(unit=notice.unit, kind=notice.kind, period=notice.period,
                                                 state=DeliveryState.SENT).values_list("recipient", flat=True))
        return outcomes + [
            Outcome(notice, r, OPTED_OUT if r.address in refused else ALREADY if r.address in done else DRY_RUN)
            for r in recipients]
    issue = _issue_for(notice)
    connection = get_connection(fail_silently=False)
    for recipient in recipients:
        if recipient.address in refused:
            outcomes.append(Outcome(notice, recipient, OPTED_OUT))
            continue
        delivery = _claim(notice, issue, recipient)
        if delivery is None:
            outcomes.append(Outcome(notice, recipient, ALREADY))
            continue
        try:
            _message(notice, recipient, connection).send()
        except Exception as exc:  # noqa: BLE001 - any failure of the mail server is recorded and retried
            error = f"{type(exc).__name__}: {exc}"[:2000]
            NoticeDelivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.FAILED, error=error)
            logger.warning("notice %s %s %s to %s failed: %s", notice.kind, notice.unit.code, notice.period,
                           recipient.address, error)
            outcomes.append(Outcome(notice, recipient, FAILED, error))
            try:
                connection.close()
            except Exception:  # noqa: BLE001 - a broken connection is opened afresh for the next message
                pass
            continue
        NoticeDelivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.SENT, sent_at=timezone.now(),
                                                             error="")
        outcomes.append(Outcome(notice, recipient, SENT))
    try:
        connection.close()
    except Exception:  # noqa: BLE001
        pass
    return outcomes


def notices_send_for_unit(*, unit: Unit, kind: str, on: datetime.date, dry_run: bool = False) -> list[Outcome]:
    outcomes = []
    for notice in notices_for(unit=unit, kind=kind, on=on):
        outcomes += notice_send(notice=notice, dry_run=dry_run)
    return outcomes


def notices_send_due(*, now: datetime.datetime | None = None) -> dict:
    """What beat runs: for each unit with a configuration, each kind whose moment has come and that
    has not gone out for the period yet; then the failed deliveries once more."""
    now = timezone.localtime(now or timezone.now())
    summary = {SENT: 0, FAILED: 0, "retried": 0}
    for config in UnitNoticeSettings.objects.select_related("unit", "unit__level"):
        for kind in NoticeKind.values:
            if not is_due(config, kind, now) or _issued(config.unit, kind, now.date()):
                continue
            try:
                outcomes = notices_send_for_unit(unit=config.unit, kind=kind, on=now.date())
            except Exception:  # one unit's broken data must not stop the others' notices
                logger.exception("notices %s of unit %s could not be built", kind, config.unit.code)
                continue
            for outcome in outcomes:
                if outcome.status in summary:
                    summary[outcome.status] += 1
    summary["retried"] = notices_retry_failed()
    return summary


def _issued(unit: Unit, kind: str, on: datetime.date) -> bool:
    """The weekly and monthly notices of the period already built (their PDFs are not built again
    every hour); reminders are cheap to look at and depend on who has submitted since."""
    if kind == NoticeKind.WEEKLY_PROGRESS:
        period = week_key(on)
    elif kind == NoticeKind.MONTHLY_PACK:
        period = reported_month(on).key
    else:
        return False
    return NoticeIssue.objects.filter(unit=unit, kind=kind, period=period).exists()


def notices_retry_failed() -> int:
    """Build again the notices with failed deliveries (as of their day) and send them to those
    recipients only."""
    failed = NoticeDelivery.objects.filter(state=DeliveryState.FAILED, attempts__lt=max_attempts())
    groups = failed.values_list("issue__origin_id", "kind", "issue__as_of").distinct()
    sent = 0
    for origin_id, kind, as_of in groups:
        origin = Unit.objects.filter(pk=origin_id).first()
        if origin is None:
            continue
        for notice in notices_for(unit=origin, kind=kind, on=as_of):
            waiting = set(failed.filter(unit=notice.unit, kind=kind, period=notice.period)
                          .values_list("recipient", flat=True))
            if waiting:
                sent += sum(o.status == SENT for o in notice_send(notice=notice, only=waiting))
    return sent


# --- preferences and configuration -----------------------------------------------------------------


def preferences_set(*, address: str, wanted: set[str]) -> None:
    """The kinds an address receives: opt out of the others."""
    address = address.strip().lower()
    with transaction.atomic():
        NoticeOptOut.objects.filter(address=address, kind__in=wanted).delete()
        for kind in set(NoticeKind.values) - set(wanted):
            NoticeOptOut.objects.get_or_create(address=address, kind=kind)


def notice_unsubscribe(*, address: str, kind: str) -> None:
    NoticeOptOut.objects.get_or_create(address=address.strip().lower(), kind=kind)
