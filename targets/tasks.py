from celery import shared_task

from units.models import Unit


@shared_task
def unit_subtree_size(unit_id: int) -> int:
    """How many units lie in a subtree; used by the health check of the worker (reads the database)."""
    unit = Unit.objects.get(pk=unit_id)
    return Unit.objects.subtree_of(unit).count()
