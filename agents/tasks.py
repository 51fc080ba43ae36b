"""Thin tasks."""

from celery import shared_task

from .registry_tally import registry_tally_months, registry_tally_refresh


@shared_task(name="agents.registry_tally_prepare", ignore_result=True)
def registry_tally_prepare() -> int:
    """Celery beat: the sheets of the months kept ready, for every commune that has none current (the
    next month's are built before it starts, so that its first reader reads sheets). Idempotent: a run
    that finds them all current costs two small queries per month."""
    return registry_tally_refresh(months=registry_tally_months())
