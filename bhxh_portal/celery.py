import os

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bhxh_portal.settings.local")

app = Celery("bhxh_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@after_setup_logger.connect
@after_setup_task_logger.connect
def mask_personal_ids_in_worker_logs(logger, **kwargs):
    """The worker replaces the root logger's handlers with its own: they mask personal IDs too."""
    from bhxh_portal.personal_ids import MaskPersonalIds

    for handler in logger.handlers:
        if not any(isinstance(f, MaskPersonalIds) for f in handler.filters):
            handler.addFilter(MaskPersonalIds())
