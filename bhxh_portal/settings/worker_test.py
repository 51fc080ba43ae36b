"""The Celery worker that the integration test starts: the test database, a real broker, no eager mode."""

from pathlib import Path

from .test import *  # noqa: F403
from .base import env

DATABASES = {"default": env.db("DATABASE_URL")}
CELERY_TASK_ALWAYS_EAGER = False

# The test passes its own media root, so the worker reads the files the test stored (job inputs).
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(MEDIA_ROOT)))  # noqa: F405

# A fault test may make the broker hand the message of a killed worker to another one sooner
# (kombu scans for such messages every interval × throttle seconds; 100 by default).
CELERY_BROKER_TRANSPORT_OPTIONS = {  # noqa: F405
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
}

# The worker sends mail where the test tells it (its own SMTP server), else keeps it in memory.
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
