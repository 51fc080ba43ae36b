"""Thin tasks. Both are idempotent (a delivery is claimed once in the database), hence acks_late."""

import datetime

from celery import shared_task

from . import services


@shared_task(name="notices.send_due_notices", acks_late=True, ignore_result=True)
def send_due_notices() -> dict:
    return services.notices_send_due()


@shared_task(name="notices.send_unit_notices", acks_late=True, ignore_result=True)
def send_unit_notices(unit_id: int, kind: str, day: str) -> dict:
    from units.models import Unit

    unit = Unit.objects.get(pk=unit_id)
    outcomes = services.notices_send_for_unit(unit=unit, kind=kind, on=datetime.date.fromisoformat(day))
    return {"outcomes": [[o.recipient.address, o.status] for o in outcomes]}
