"""The `scale` profile of docker-compose.yml: two web nodes behind a proxy, two more Celery workers and
PgBouncer (transaction pooling) in front of PostgreSQL; checked without a Docker engine, as
test_docker_compose.py checks the rest (whose checks of every service — health checks, start order,
volumes, .env.example — cover these services too). Compose's own `config` checks the file too, with
Compose v2 (`docker compose`) or v1 (Debian's `docker-compose`), whichever is installed; CI installs v1.
"""

import json
import os
import re
import shutil
import subprocess
from urllib.parse import urlsplit

import pytest

from tests.bhxh_portal.test_docker_compose import (
    ROOT,
    depends_on,
    env_example,
    filled_env,
    interpolate,
    load_compose,
    parse_celery,
)
from tests.bhxh_portal.test_settings import run

SCALE = {"proxy", "pgbouncer", "web-node", "worker-node"}
NGINX_CONF = ROOT / "docker" / "nginx-scale.conf"


def compose(values=None):
    return interpolate(load_compose(), values or filled_env())


def test_the_scale_services_start_only_with_their_profile():
    services = compose()["services"]
    assert SCALE <= set(services)
    for name, definition in services.items():
        assert definition.get("profiles", []) == (["scale"] if name in SCALE else []), name


def test_two_web_nodes_and_two_more_workers():
    services = compose()["services"]
    assert services["web-node"]["deploy"]["replicas"] == 2
    assert services["worker-node"]["deploy"]["replicas"] == 2
    assert "ports" not in services["web-node"], "only the proxy is published: the nodes are replicas"
    assert services["web-node"]["command"] == services["web"]["command"] == [
        "gunicorn", "-c", "python:bhxh_portal.gunicorn_conf", "bhxh_portal.wsgi:application"]
    assert services["web-node"]["image"] == services["web"]["image"]
    # a container sees the host's cores: its processes are set by the .env of every app container
    assert services["web"]["env_file"] == services["web-node"]["env_file"] and filled_env()["WEB_CONCURRENCY"] == "2"
    params = parse_celery(services["worker-node"]["command"], "worker")
    assert params["concurrency"] == int(filled_env()["CELERY_WORKER_CONCURRENCY"])


def test_the_nodes_go_through_pgbouncer_and_never_migrate():
    values = filled_env()  # a fresh password each call: the same one for the file and the checks
    services = compose(values)["services"]
    for name in ("web-node", "worker-node"):
        environment = services[name]["environment"]
        url = urlsplit(environment["DATABASE_URL"])
        assert (url.hostname, url.port, url.path) == ("pgbouncer", 5432, f"/{values['POSTGRES_DB']}"), name
        assert (url.username, url.password) == (values["POSTGRES_USER"], values["POSTGRES_PASSWORD"])
        assert environment["DATABASE_POOLER"] == "pgbouncer"
        assert "DJANGO_MIGRATE_ON_START" not in environment
        assert {"pgbouncer", "redis", "web"} <= set(depends_on(services[name])), "web migrates first"
    assert "pgbouncer" not in json.dumps(services["web"]), "migrations need a session: web goes straight to db"


def test_pgbouncer_pools_transactions_in_front_of_the_database():
    values = filled_env()
    pgbouncer = compose(values)["services"]["pgbouncer"]
    assert pgbouncer["image"].startswith("edoburu/pgbouncer:")
    environment = pgbouncer["environment"]
    assert environment["POOL_MODE"] == "transaction"
    assert (environment["DB_HOST"], environment["DB_PORT"]) == ("db", "5432")
    assert (environment["DB_USER"], environment["DB_PASSWORD"], environment["DB_NAME"]) == (
        values["POSTGRES_USER"], values["POSTGRES_PASSWORD"], values["POSTGRES_DB"])
    assert environment["AUTH_TYPE"] == "scram-sha-256"  # postgres:15's password encryption
    assert int(environment["DEFAULT_POOL_SIZE"]) < int(environment["MAX_CLIENT_CONN"])
    assert "db" in depends_on(pgbouncer)
    assert "pg_isready -h 127.0.0.1 -p 5432" in " ".join(pgbouncer["healthcheck"]["test"])


def test_the_proxy_balances_the_web_nodes_with_its_config_file():
    proxy = compose()["services"]["proxy"]
    assert proxy["image"].startswith("nginx:")
    assert proxy["ports"] == ["127.0.0.1:8080:8080"]
    assert proxy["volumes"] == ["./docker/nginx-scale.conf:/etc/nginx/conf.d/default.conf:ro"]
    assert "web-node" in depends_on(load_compose()["services"]["proxy"])
    conf = NGINX_CONF.read_text()
    assert conf.count("{") == conf.count("}")
    assert re.search(r"^\s*listen 8080;", conf, re.M), "the port the compose file publishes"
    assert re.search(r"upstream web_nodes \{[^}]*server web-node:8000\b", conf)
    assert "proxy_pass http://web_nodes;" in conf
    assert "X-Forwarded-Proto" in conf, "Django's HTTPS redirect reads it"
    health = proxy["healthcheck"]["test"][-1]
    assert health == "http://127.0.0.1:8080/proxy-health"
    assert "location = /proxy-health" in conf
    size = int(re.search(r"client_max_body_size (\d+)m;", conf)[1])
    assert size > 50, "bigger than the largest accepted upload (IMPORT_MAX_UPLOAD_MB, 50 by default)"


def test_env_example_lists_the_scale_profiles_variables():
    values, listed = env_example()
    assert {"PROXY_BIND", "PGBOUNCER_MAX_CLIENT_CONN", "PGBOUNCER_POOL_SIZE", "DATABASE_POOLER"} <= listed
    assert values["PROXY_BIND"].startswith("127.0.0.1:")


SHOW_DATABASE = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps(settings.DATABASES["default"].get("DISABLE_SERVER_SIDE_CURSORS")))
"""


@pytest.mark.parametrize(("settings_module", "pooler", "disabled"), [
    ("bhxh_portal.settings.production", "pgbouncer", True),
    ("bhxh_portal.settings.production", "", False),
    ("bhxh_portal.settings.local", "pgbouncer", True),
])
def test_pgbouncer_turns_off_server_side_cursors(tmp_path, settings_module, pooler, disabled):
    result = run(["-c", SHOW_DATABASE], **{**filled_env(), "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
                                          "DJANGO_SETTINGS_MODULE": settings_module, "DATABASE_POOLER": pooler})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) is disabled


def test_an_unknown_pooler_is_refused_at_start(tmp_path):
    result = run(["-c", SHOW_DATABASE], **{**filled_env(), "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
                                          "DATABASE_POOLER": "pgpool"})
    assert result.returncode != 0
    assert "DATABASE_POOLER='pgpool'" in result.stderr


def _docker_compose() -> list[str] | None:
    for command in (["docker", "compose"], ["docker-compose"]):
        if shutil.which(command[0]) and subprocess.run([*command, "version"], capture_output=True).returncode == 0:
            return command
    return None


def _compose_config(tmp_path, *args: str) -> subprocess.CompletedProcess:
    """`docker compose … config` as an operator runs it: in a directory holding the compose file and the
    .env filled from .env.example (Compose reads .env beside the file; `env_file: .env` must exist)."""
    command = _docker_compose()
    if command is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs a Compose CLI (Debian's docker-compose, installed by .ci/system-packages)")
        pytest.skip("no docker compose CLI on this machine")
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    (tmp_path / ".env").write_text("".join(f"{k}={v}\n" for k, v in filled_env().items()))
    return subprocess.run([*command, *args, "config", "--services"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)


def test_docker_compose_config_accepts_the_scale_profile(tmp_path):
    result = _compose_config(tmp_path, "--profile", "scale")
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) == {"db", "redis", "web", "worker", "beat", "mailpit"} | SCALE

