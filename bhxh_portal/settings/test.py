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
# Under pytest-xdist each worker process (gw0, gw1, …) empties the cache between its tests: one database
# number each, so that one never empties, nor reads, what the other's test wrote (both number their users
# from 1). The controlling process loads these settings first and its environment is inherited, so a
# number derived for another process is derived again; the Celery worker a test starts inherits its
# process's, and keeps it.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
_derived_for = os.environ.get("BHXH_TEST_CACHE_FOR")
if env("CELERY_BROKER_URL", default="").startswith("redis://") and (
        not env("CACHE_URL", default="") or (_derived_for is not None and _derived_for != _worker)):
    _broker = urlsplit(env("CELERY_BROKER_URL"))
    _db = int(_broker.path.strip("/") or 0)
    _number = int(_worker.removeprefix("gw") or 0)
    os.environ["CACHE_URL"] = urlunsplit((_broker.scheme, _broker.netloc, f"/{(_db + 1 + _number) % 16}", "", ""))
    os.environ["BHXH_TEST_CACHE_FOR"] = _worker
if env("CACHE_URL", default=""):
    CACHES = {"default": {**env.cache_url("CACHE_URL"), "KEY_PREFIX": "bhxh-test"}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "bhxh-test"}}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
