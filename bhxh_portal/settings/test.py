"""Test settings: fast hashing, a throw-away media root, eager Celery unless a broker is given."""

import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .base import *  # noqa: F403
from .base import DATABASES, env

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

# No test reaches a time-stamp authority of a developer's .env; the B-T tests start their own.
SIGNING_TSA_URL = ""

# The cache (bhxh_portal.memo, the sessions; tests/conftest.py empties it between tests). Eager Celery is
# one process: its memory. With a broker the services tests run a real worker, which writes from another
# process: both must see one cache, or the test would read stale what the worker changed. That is the
# broker's Redis, the next database number (per xdist worker), named in CACHE_URL so that the worker (started with this
# environment) takes the same one even when a fault test switches its broker.
if not env("CACHE_URL", default="") and env("CELERY_BROKER_URL", default="").startswith("redis://"):
    _broker = urlsplit(env("CELERY_BROKER_URL"))
    _db = int(_broker.path.strip("/") or 0)
    # Under pytest-xdist each worker process (gw0, gw1, …) empties the cache between its tests: one
    # database number each, so that one never empties what the other's test is reading.
    _worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    os.environ["CACHE_URL"] = urlunsplit((_broker.scheme, _broker.netloc, f"/{(_db + 1 + _worker) % 16}", "", ""))
if env("CACHE_URL", default=""):
    CACHES = {"default": {**env.cache_url("CACHE_URL"), "KEY_PREFIX": "bhxh-test"}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "bhxh-test"}}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
