"""Test settings: fast hashing, a throw-away media root, eager Celery unless a broker is given."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="bhxh-test-media-"))
# WhiteNoise warns about a missing STATIC_ROOT on every request; tests serve from the finders.
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="bhxh-test-static-"))
STORAGES = {
    "default": {"BACKEND": "bhxh_portal.files.PrivateStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}

# Tasks run in-process in tests; the integration test switches to the real worker itself.
CELERY_TASK_ALWAYS_EAGER = True

# Login lock-out is switched on by the tests that check it (override_settings(AXES_ENABLED=True)).
AXES_ENABLED = False

# Mail stays in memory (django.core.mail.outbox); the SMTP tests switch to a real server themselves.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# One process: its memory is the cache (tests/conftest.py empties it between tests).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "bhxh-test"}}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
