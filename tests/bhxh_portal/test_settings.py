"""The settings modules as a fresh process sees them: production is deploy-clean and refuses to start
without its secrets; local (the embedded demo) is SQLite + eager Celery unless the environment says
otherwise.

Every case runs in a subprocess with a clean environment (and DJANGO_ENV_FILE="" so that a developer's
.env cannot leak in), because settings are read once per process.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = "bhxh_portal.settings.production"
LOCAL = "bhxh_portal.settings.local"

SHOW_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
from bhxh_portal.celery import app
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "app_eager": app.conf.task_always_eager,
    "broker": settings.CELERY_BROKER_URL,
    "debug": settings.DEBUG,
}))
"""


def clean_env(**variables):
    """Only what a process needs to run, plus `variables`: no settings leak in from the caller or .env."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "SYSTEMROOT", "TMPDIR") if key in os.environ}
    env.update({"DJANGO_ENV_FILE": "", "PYTHONIOENCODING": "utf-8", "LC_ALL": "C.UTF-8"})
    env.update(variables)
    return env


def run(args, **variables):
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean_env(**variables),
        capture_output=True, text=True, timeout=120,
    )


@pytest.fixture
def production_env(tmp_path):
    return {
        "DJANGO_SETTINGS_MODULE": PRODUCTION,
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "bhxh.example.vn",
        "CSRF_TRUSTED_ORIGINS": "https://bhxh.example.vn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
    }


def test_production_passes_check_deploy_without_warnings(production_env):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **production_env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output
    assert "no issues" in output


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_refuses_to_start_without_required_variable(production_env, missing):
    del production_env[missing]
    result = run(["manage.py", "check", "--deploy"], **production_env)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "ImproperlyConfigured" in output
    assert missing in output.splitlines()[-1], output  # the last line, the error itself, names it


@pytest.mark.parametrize("value", ["", "   ", "insecure-dev-key-change-me"])
def test_production_refuses_empty_or_placeholder_secret_key(production_env, value):
    result = run(["manage.py", "check"], **{**production_env, "SECRET_KEY": value})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr.splitlines()[-1], result.stderr


def test_production_reads_the_env_file(production_env, tmp_path):
    """docker-compose passes .env as the environment; outside Docker the same file is read by base.py
    (DJANGO_SETTINGS_MODULE itself must come from the environment: it chooses the settings that read the file)."""
    settings_module = production_env.pop("DJANGO_SETTINGS_MODULE")
    env_file = tmp_path / "prod.env"
    env_file.write_text("".join(f"{key}={value}\n" for key, value in production_env.items()))
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_SETTINGS_MODULE=settings_module, DJANGO_ENV_FILE=str(env_file),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_local_defaults_to_sqlite_and_eager_celery():
    result = run(["-c", SHOW_SETTINGS], DJANGO_SETTINGS_MODULE=LOCAL)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.splitlines()[-1])
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["eager"] is True
    assert values["app_eager"] is True
    assert values["broker"] == ""
    assert values["debug"] is True


def test_local_with_services_uses_postgresql_and_a_real_broker():
    result = run(
        ["-c", SHOW_SETTINGS],
        DJANGO_SETTINGS_MODULE=LOCAL,
        DATABASE_URL="postgres://bhxh:secret@db.example:5432/bhxh",
        CELERY_BROKER_URL="redis://redis.example:6379/0",
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.splitlines()[-1])
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["eager"] is False
    assert values["app_eager"] is False
    assert values["broker"] == "redis://redis.example:6379/0"
