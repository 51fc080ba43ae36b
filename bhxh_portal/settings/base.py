"""Settings shared by every environment, read from the environment (django-environ).

With nothing set, the portal runs embedded: SQLite and Celery in eager mode.
With DATABASE_URL and CELERY_BROKER_URL it runs on PostgreSQL with a real worker.
"""

import os
import datetime
from pathlib import Path

import environ
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# A `.env` file next to manage.py is read if present; variables already in the environment win.
# DJANGO_ENV_FILE names another file, or disables the file when set to an empty string.
env = environ.Env()
env_file = os.environ.get("DJANGO_ENV_FILE", str(BASE_DIR / ".env"))
if env_file and Path(env_file).is_file():
    env.read_env(env_file)

SECRET_KEY = env("SECRET_KEY", default="insecure-dev-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "bhxh_portal.admin_apps.SuperuserAdminConfig",  # the admin is for superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "simple_history",
    "axes",
    "import_export",
    "bhxh_portal",
    "units",
    "jobs",
    "targets",
    "results",
    "agents",
    "campaigns",
    "reports",
    "administration",
    "drive",
    "notices",
    "portal",  # the project's wiring: urls, menu, home, load_demo and the commands that span every app
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "bhxh_portal.middleware.NoStoreWhenSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # A value a column cannot hold answers 400/404, never 500 (bhxh_portal/middleware.py).
    "bhxh_portal.middleware.BadInputMiddleware",
    # Last: locks out repeated failed logins (django-axes).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "bhxh_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.navigation",
            ],
            "builtins": ["bhxh_portal.templatetags.vn"],
        },
    }
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
# A connection pooler in transaction mode (PgBouncer) hands each transaction to any server
# connection, so a cursor declared WITH HOLD outside a transaction would be lost: no server-side cursors.
DATABASE_POOLERS = {"": False, "pgbouncer": True}
DATABASE_POOLER = env.str("DATABASE_POOLER", default="").strip().lower()
if DATABASE_POOLER not in DATABASE_POOLERS:
    raise ImproperlyConfigured(
        f"DATABASE_POOLER={DATABASE_POOLER!r} không được hỗ trợ / is not supported: để trống hoặc 'pgbouncer'.")
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = DATABASE_POOLERS[DATABASE_POOLER]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed logins are counted per user name and address; five in a row lock for 15 minutes.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Vietnamese interface: vi locale, Asia/Ho_Chi_Minh, 148.806 and 89,11; dd/mm/yyyy.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["bhxh_portal.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads and generated files live under MEDIA_ROOT and under no URL (there is no MEDIA_URL): the
# default storage has none (bhxh_portal/files.py), and each file is sent only by a view that checks
# the subtree rule first.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "bhxh_portal.files.PrivateStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Celery: with no broker configured the tasks run eagerly in-process (embedded default).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="bhxh")
CELERY_TASK_ACKS_LATE = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Sending a task while Redis is down must fail within a second or two (the page then says so and
# keeps the job to send again), not retry for minutes: bounded connect and publish retries.
# visibility_timeout: a message taken by a worker that died (acks_late) is handed to another worker
# after this many seconds; it must exceed the longest job (a job still running when its message is
# handed out again is left to its worker: jobs.services.job_start).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 3,
    "socket_timeout": 10,
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}

# Background jobs (jobs/services.py): the worker writes a heartbeat on the job row every
# JOBS_HEARTBEAT_SECONDS while a job runs; a running job without one for JOBS_STALE_AFTER_SECONDS
# lost its worker, and is run again (up to JOBS_MAX_ATTEMPTS runs in all) or marked failed with the
# reason by the sweep (Celery beat, every JOBS_SWEEP_EVERY_SECONDS).
JOBS_HEARTBEAT_SECONDS = env.int("JOBS_HEARTBEAT_SECONDS", default=15)
JOBS_STALE_AFTER_SECONDS = env.int("JOBS_STALE_AFTER_SECONDS", default=120)
JOBS_MAX_ATTEMPTS = env.int("JOBS_MAX_ATTEMPTS", default=2)
JOBS_SWEEP_EVERY_SECONDS = env.int("JOBS_SWEEP_EVERY_SECONDS", default=60)

# Content-Security-Policy (django-csp) on every page: scripts only from the portal's own static files
# (or an inline one carrying the request's nonce, `nonce="{{ request.csp_nonce }}"`); no plugins, no
# framing, forms post only here. Styles allow 'unsafe-inline': the pages, the admin and htmx's
# indicator style use <style> blocks and style attributes (computed column widths), which a nonce
# cannot cover for attributes, and CSS cannot run script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Activity attachments (PDF, DOCX, XLSX, JPG, PNG): the largest accepted.
ATTACHMENT_MAX_UPLOAD_MB = env.int("ATTACHMENT_MAX_UPLOAD_MB", default=20)

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_MAX_UPLOAD_MB = env.int("IMPORT_MAX_UPLOAD_MB", default=50)
# Hostile spreadsheets (bhxh_portal/imports.py): what a package may unpack to, how many cells a sheet may span.
IMPORT_MAX_UNPACKED_MB = env.int("IMPORT_MAX_UNPACKED_MB", default=1000)
IMPORT_MAX_CELLS = env.int("IMPORT_MAX_CELLS", default=20_000_000)
# .xls and .ods are read whole (bhxh_portal/importing/streaming.py): the largest sheet accepted in those formats
# (an .xls's size, an .ods's content.xml unpacked; an .xls holds at most 65.536 rows anyway). xlsx and csv are
# read as they stream, within IMPORT_MAX_UPLOAD_MB and IMPORT_MAX_CELLS.
IMPORT_MAX_WHOLE_SHEET_MB = env.int("IMPORT_MAX_WHOLE_SHEET_MB", default=40)
# A large list is read by a forked process beside the checks (bhxh_portal/importing/streaming.py, ReadAhead):
# the reading gets a core of its own. Off, or where fork or /proc is missing, a thread reads ahead instead.
IMPORT_READ_IN_PROCESS = env.bool("IMPORT_READ_IN_PROCESS", default=True)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# The cache (bhxh_portal.memo: the unit tree, memberships, indicators; the sessions): CACHE_URL, e.g.
# redis://redis:6379/1, shared by every web process. Without it nothing is kept between requests
# (dummycache://): a cache in each process's memory would keep one process's values past another's
# writes. local.py uses the process's memory (runserver is one process).
CACHES = {"default": env.cache_url("CACHE_URL", default="dummycache://")}
CACHES["default"].setdefault("KEY_PREFIX", env("CACHE_KEY_PREFIX", default="bhxh"))
# With a shared cache the session is read from it (written to both), not from the database each request.
SESSION_ENGINE = ("django.contrib.sessions.backends.db" if CACHES["default"]["BACKEND"].endswith("DummyCache")
                  else "django.contrib.sessions.backends.cached_db")
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Every log line goes out with personal IDs masked (a database error's DETAIL line names the key);
# the Celery worker puts the same filter on its own handlers (bhxh_portal.celery).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_ids": {"()": "bhxh_portal.personal_ids.MaskPersonalIds"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_personal_ids"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# The door-to-door drive (drive app): how far back a stopped contributor is still visited, and the
# products whose renewals the commune chases (voluntary BHXH, household and self-paid BHYT).
DRIVE_LAPSED_MONTHS = env.int("DRIVE_LAPSED_MONTHS", default=12)
DRIVE_PRODUCTS = env.list("DRIVE_PRODUCTS", default=["bhyt_hgd", "bhyt_tu_dong", "bhxh_tn"])
# Mail (notices/): django-environ's EMAIL_URL, e.g. smtp+tls://user:password@mail.example.vn:587,
# smtp://mailpit:1025 (the trial stack's catcher), filemail:///tmp/mail, consolemail:// (the default).
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="BHXH Portal <thongbao@bhxh.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# The address of the site in the links of a message (unsubscribe, the grid to fill in).
SITE_URL = env("SITE_URL", default="http://localhost:8000")
# Notices: how often beat looks for what is due, how many sends a failed delivery gets, and after how
# long a delivery left 'sending' (its worker died) is claimed again.
NOTICES_CHECK_EVERY_SECONDS = env.int("NOTICES_CHECK_EVERY_SECONDS", default=3600)
NOTICES_MAX_ATTEMPTS = env.int("NOTICES_MAX_ATTEMPTS", default=5)
NOTICES_STALE_AFTER_SECONDS = env.int("NOTICES_STALE_AFTER_SECONDS", default=1800)
# Celery beat builds the registry tally's sheets of the last, current and next month for the communes
# that have none current (agents.tasks.registry_tally_prepare): a run that finds them current costs a
# few small queries; the next month's are ready before it starts.
REGISTRY_TALLY_PREPARE_EVERY_SECONDS = env.int("REGISTRY_TALLY_PREPARE_EVERY_SECONDS", default=3600)
# Digital signatures (campaigns/documents/signing.py). SIGNING_TRUST_ROOTS: PEM/DER files of the roots
# the verification trusts (signers' CAs and time-stamp authorities). SIGNING_TSA_URL: an RFC 3161
# time-stamp authority; set, every signature gets its time-stamp (PAdES B-T) and signing fails
# cleanly when the authority does not answer; empty, signatures are PAdES B-B (no network).
SIGNING_TRUST_ROOTS = env.list("SIGNING_TRUST_ROOTS", default=[])
SIGNING_TSA_URL = env("SIGNING_TSA_URL", default="")
SIGNING_TSA_USERNAME = env("SIGNING_TSA_USERNAME", default="")
SIGNING_TSA_PASSWORD = env("SIGNING_TSA_PASSWORD", default="")
SIGNING_TSA_TIMEOUT = env.int("SIGNING_TSA_TIMEOUT", default=10)
