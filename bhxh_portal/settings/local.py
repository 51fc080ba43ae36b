"""Development and the embedded demo: SQLite and eager Celery unless the environment says otherwise."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)

# runserver with eager Celery is one process: its memory is the cache, unless CACHE_URL names a
# shared one. With a broker the worker writes from another process: nothing is remembered then
# (base's dummy cache) unless CACHE_URL is set.
if not env.str("CACHE_URL", default="") and CELERY_TASK_ALWAYS_EAGER:  # noqa: F405
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "bhxh-local"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
