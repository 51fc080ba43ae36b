"""Production: every secret from the environment, no defaults; fails fast when one is missing.

Passes `manage.py check --deploy --fail-level WARNING` with the variables of `.env.example` set
(tests/bhxh_portal/test_settings.py). Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

REQUIRED_VARIABLES = ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL")
INSECURE_SECRET_KEYS = {"insecure-dev-key-change-me", "change-me"}

_missing = [name for name in REQUIRED_VARIABLES if not env.str(name, default="").strip(" ,")]
if _missing:
    raise ImproperlyConfigured(
        "Thiếu biến môi trường bắt buộc cho bhxh_portal.settings.production / "
        f"missing required environment variable(s): {', '.join(_missing)}. "
        "Đặt trong môi trường hoặc tệp .env (xem .env.example)."
    )

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY").strip()
if SECRET_KEY in INSECURE_SECRET_KEYS:
    raise ImproperlyConfigured(
        "SECRET_KEY đang là giá trị mẫu / SECRET_KEY is a placeholder: generate one with "
        "python -c \"import secrets; print(secrets.token_urlsafe(50))\""
    )
ALLOWED_HOSTS = [host for host in env.list("ALLOWED_HOSTS") if host]
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = DATABASE_POOLERS[DATABASE_POOLER]  # noqa: F405
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
