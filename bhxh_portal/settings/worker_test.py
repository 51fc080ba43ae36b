"""The Celery worker that the integration test starts: the test database, a real broker, no eager mode."""

from .test import *  # noqa: F403
from .base import env

DATABASES = {"default": env.db("DATABASE_URL")}
CELERY_TASK_ALWAYS_EAGER = False
