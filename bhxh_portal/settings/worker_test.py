"""The Celery worker that the integration test starts: the test database, a real broker, no eager mode."""

from pathlib import Path

from .test import *  # noqa: F403
from .base import env

DATABASES = {"default": env.db("DATABASE_URL")}
CELERY_TASK_ALWAYS_EAGER = False

# The test passes its own media root, so the worker reads the files the test stored (job inputs).
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(MEDIA_ROOT)))  # noqa: F405
