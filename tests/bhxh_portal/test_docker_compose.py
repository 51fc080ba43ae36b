"""docker-compose.yml, Dockerfile, .env.example and .dockerignore, checked without a Docker engine.

The compose file is interpolated with the values of .env.example (as `docker compose config` would do
with a .env copied from it), validated against the Compose specification (compose-spec, the Python
binding of the compose_spec crate), and then checked for what the specification cannot see: the five
services and their health checks, start order on healthy dependencies, volumes, the environment, and
commands that point at this project's WSGI and Celery applications.
"""

import importlib.util
import json
import os
import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml
from celery.app.utils import find_app
from celery.bin.base import CLIContext
from celery.bin.beat import beat as celery_beat
from celery.bin.control import inspect as celery_inspect
from celery.bin.worker import worker as celery_worker
from django.test import override_settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "Dockerfile"
SERVICES = {"web", "worker", "beat", "db", "redis", "mailpit"}
APP_SERVICES = {"web", "worker", "beat"}

# $$ (a literal $), ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, $VAR
VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))"
)
ENV_LINE = re.compile(r"^(?P<comment>#\s*)?(?P<name>[A-Z][A-Z0-9_]*)=(?P<value>.*)$")


def load_compose():
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def env_example():
    """(values of the lines that set a variable, names of all listed variables, commented-out included)."""
    values, listed = {}, set()
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = ENV_LINE.match(line.strip())
        if match:
            listed.add(match["name"])
            if not match["comment"]:
                values[match["name"]] = match["value"]
    return values, listed


def strings_in(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings_in(value)


def references(compose):
    """{name: has a default} for every variable the compose file interpolates."""
    found = {}
    for text in strings_in(compose):
        for match in VARIABLE.finditer(text):
            name = match["braced"] or match["plain"]
            if name:
                has_default = bool(match["op"]) and match["op"].lstrip(":") == "-"
                found[name] = found.get(name, True) and has_default
    return found


def interpolate(node, values):
    def substitute(match):
        if match["escaped"]:
            return "$"
        name = match["braced"] or match["plain"]
        value = values.get(name)
        op, arg = match["op"] or "", match["arg"] or ""
        if op in (":-", "-") and (value is None or (op == ":-" and value == "")):
            return arg
        if op in (":?", "?") and (value is None or (op == ":?" and value == "")):
            raise AssertionError(f"{name}: {arg}")
        return value or ""

    if isinstance(node, str):
        return VARIABLE.sub(substitute, node)
    if isinstance(node, dict):
        return {key: interpolate(value, values) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate(value, values) for value in node]
    return node


def filled_env():
    """.env.example with the blanks filled in, as an operator would."""
    values, _ = env_example()
    password = secrets.token_hex(16)
    values.update({
        "SECRET_KEY": secrets.token_urlsafe(64),
        "POSTGRES_PASSWORD": password,
        "DATABASE_URL": f"postgres://{values['POSTGRES_USER']}:{password}@db:5432/{values['POSTGRES_DB']}",
    })
    return values


def command_of(service):
    command = load_compose()["services"][service]["command"]
    command = shlex.split(command) if isinstance(command, str) else list(command)
    return interpolate(command, filled_env())


def depends_on(service_definition):
    dependencies = service_definition.get("depends_on", {})
    if isinstance(dependencies, list):  # the short syntax has no condition
        return {name: {} for name in dependencies}
    return dependencies


def healthcheck_text(service):
    test = load_compose()["services"][service]["healthcheck"]["test"]
    return test if isinstance(test, str) else " ".join(test)


# --- the file itself --------------------------------------------------------------------------

def test_compose_file_is_valid_against_the_compose_specification():
    from compose_spec import PyCompose

    compose = interpolate(load_compose(), filled_env())  # YAML merge keys already resolved by PyYAML
    parsed = PyCompose.from_json(json.dumps(compose))
    parsed.validate()
    assert set(parsed.service_names()) == set(compose["services"])


def test_the_validator_catches_mistakes():
    """The validation above is not a rubber stamp."""
    from compose_spec import PyCompose

    for broken in (
        {"services": {"web": {"image": "x", "healthchek": {"test": ["CMD", "true"]}}}},
        {"services": {"web": {"image": "x", "depends_on": {"db": {"condition": "service_healty"}}},
                      "db": {"image": "y"}}},
        {"services": {"web": {"image": "x", "healthcheck": {"test": ["CMD", "true"], "start_period": "1 minute"}}}},
    ):
        with pytest.raises(ValueError):
            PyCompose.from_json(json.dumps(broken))


def test_the_app_services_send_mail_to_the_stacks_mail_catcher():
    """A trial stack's notices land in Mailpit (its web page on MAILPIT_BIND) unless .env says otherwise."""
    import environ

    compose = interpolate(load_compose(), filled_env())
    services = compose["services"]
    assert services["mailpit"]["image"].startswith("axllent/mailpit:")
    assert services["mailpit"]["ports"] == ["127.0.0.1:8025:8025"]
    for service in APP_SERVICES:
        url = services[service]["environment"]["EMAIL_URL"]
        config = environ.Env.email_url_config(url)
        assert (config["EMAIL_HOST"], config["EMAIL_PORT"]) == ("mailpit", 1025), service
    assert "mailpit" in depends_on(load_compose()["services"]["worker"])


def test_the_five_services_exist():
    assert SERVICES <= set(load_compose()["services"])


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_service_has_a_healthcheck(service):
    healthcheck = load_compose()["services"][service].get("healthcheck")
    assert healthcheck, f"{service} has no healthcheck"
    assert not healthcheck.get("disable")
    test = healthcheck["test"]
    assert test and test != ["NONE"]
    if isinstance(test, list):
        assert test[0] in {"CMD", "CMD-SHELL"}
    for key in ("interval", "timeout", "start_period"):
        assert re.fullmatch(r"(\d+(h|m|s|ms|us))+", healthcheck[key]), (service, key)
    assert int(healthcheck["retries"]) >= 1


@pytest.mark.parametrize(("service", "probe"), [
    ("web", "docker/healthcheck.py web"),
    ("db", "pg_isready"),
    ("redis", "redis-cli ping"),
    ("worker", "celery -A bhxh_portal inspect ping"),
    ("beat", "docker/healthcheck.py beat"),
    ("mailpit", "/mailpit readyz"),
])
def test_healthchecks_use_the_right_probe(service, probe):
    assert probe in healthcheck_text(service)


def test_dependencies_start_only_when_healthy():
    services = load_compose()["services"]
    for name, definition in services.items():
        for dependency, options in depends_on(definition).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            assert options.get("condition") == "service_healthy", f"{name} -> {dependency}"
            assert services[dependency].get("healthcheck"), f"{dependency} cannot become healthy"
    assert {"db", "redis"} <= set(depends_on(services["web"]))
    assert {"db", "redis"} <= set(depends_on(services["worker"]))
    assert "redis" in depends_on(services["beat"])


def test_dependencies_have_no_cycle():
    services = load_compose()["services"]
    visiting, done = set(), set()

    def visit(name):
        assert name not in visiting, f"depends_on cycle through {name}"
        if name not in done:
            visiting.add(name)
            for dependency in depends_on(services[name]):
                visit(dependency)
            visiting.discard(name)
            done.add(name)

    for name in services:
        visit(name)


def test_declared_volumes_are_the_used_ones():
    compose = load_compose()
    used = set()
    for definition in compose["services"].values():
        for volume in definition.get("volumes", []):
            source = volume.split(":", 1)[0] if isinstance(volume, str) else volume.get("source", "")
            if source and not source.startswith((".", "/", "~", "$")):
                used.add(source)
    assert set(compose.get("volumes") or {}) == used
    assert {"pgdata", "media"} <= used
    services = compose["services"]
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]
    assert "media:/app/media" in services["web"]["volumes"]
    assert "media:/app/media" in services["worker"]["volumes"]


@pytest.mark.parametrize("service", sorted(APP_SERVICES))
def test_app_services_read_dot_env(service):
    env_file = load_compose()["services"][service]["env_file"]
    paths = [env_file] if isinstance(env_file, str) else [
        item if isinstance(item, str) else item["path"] for item in env_file
    ]
    assert ".env" in paths


# --- .env.example -------------------------------------------------------------------------------

def test_env_example_defines_every_variable_the_compose_file_uses():
    values, listed = env_example()
    for name, has_default in references(load_compose()).items():
        assert name in listed, f"${{{name}}} is not in .env.example"
        if not has_default:
            assert name in values, f"${{{name}}} has no default: .env.example must set it"


# Settings modules only the test run uses: what they read is not for a deployment's .env.
TEST_ONLY_SETTINGS = {"test", "worker_test"}


def test_env_example_lists_every_variable_the_settings_read():
    read = set()
    for settings_file in (ROOT / "bhxh_portal" / "settings").glob("*.py"):
        if settings_file.stem in TEST_ONLY_SETTINGS:
            continue
        read |= set(re.findall(r"\benv(?:\.\w+)?\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']", settings_file.read_text()))
    _, listed = env_example()
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL"} <= read
    assert read - listed == set(), "add these to .env.example"


def test_env_example_is_for_production():
    values, listed = env_example()
    assert values["DJANGO_SETTINGS_MODULE"] == "bhxh_portal.settings.production"
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "DATABASE_URL", "CELERY_BROKER_URL",
            "POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD"} <= set(values)
    assert values["SECRET_KEY"] == "" and values["POSTGRES_PASSWORD"] == "", "no shipped secrets"
    assert "@db:5432/" in values["DATABASE_URL"]
    assert values["CELERY_BROKER_URL"].startswith("redis://redis:6379/")


def test_env_example_once_filled_passes_check_deploy():
    env = {key: os.environ[key] for key in ("PATH", "HOME") if key in os.environ}
    env.update(filled_env(), DJANGO_ENV_FILE="", PYTHONIOENCODING="utf-8")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr


# --- the commands point at this project ----------------------------------------------------------

def test_web_runs_gunicorn_on_the_project_wsgi_application(tmp_path):
    command = command_of("web")
    assert command[0] == "gunicorn"
    assert "bhxh_portal.wsgi:application" in command
    # gunicorn itself parses the options and loads the application, as in the container.
    env = {key: os.environ[key] for key in ("PATH", "HOME") if key in os.environ}
    env.update(filled_env(), DJANGO_ENV_FILE="", DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", *command[1:], "--check-config"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def celery_context():
    app = find_app("bhxh_portal")
    assert app.main == "bhxh_portal"
    return CLIContext(app=app, no_color=True, workdir=None, quiet=True)


def parse_celery(command, expected):
    """`celery -A bhxh_portal <subcommand> ...`: the app is this project's, the options parse."""
    assert command[:3] == ["celery", "-A", "bhxh_portal"], command
    subcommands = {"worker": celery_worker, "beat": celery_beat, "inspect": celery_inspect}
    assert command[3] == expected
    cli = subcommands[expected]
    try:
        return cli.make_context(cli.name, command[4:], obj=celery_context()).params
    except click.UsageError as exc:
        pytest.fail(f"{shlex.join(command)}: {exc}")


def test_worker_runs_the_project_celery_app():
    params = parse_celery(command_of("worker"), "worker")
    assert params["concurrency"] == int(filled_env()["CELERY_WORKER_CONCURRENCY"])


def test_beat_runs_the_project_celery_app():
    params = parse_celery(command_of("beat"), "beat")
    assert params["pidfile"] == "/tmp/celerybeat.pid"  # docker/healthcheck.py beat reads it
    assert params["schedule"].startswith("/tmp/")  # writable by the non-root user


def test_worker_healthcheck_pings_its_own_node():
    text = interpolate(healthcheck_text("worker"), filled_env())
    command = shlex.split(text.removeprefix("CMD-SHELL").strip())
    params = parse_celery(command, "inspect")
    assert params["destination"] == ["celery@$HOSTNAME"]  # $$ in the file: expanded by the container's shell
    assert command[4] == "ping"


def test_web_migrates_on_start_through_the_entrypoint():
    compose = load_compose()
    entrypoint = ROOT / "docker" / "entrypoint.sh"
    assert os.access(entrypoint, os.X_OK)
    script = entrypoint.read_text()
    assert "manage.py migrate --noinput" in script and "manage.py collectstatic --noinput" in script
    assert 'exec "$@"' in script
    assert str(compose["services"]["web"]["environment"]["DJANGO_MIGRATE_ON_START"]) == "1"
    for service in APP_SERVICES - {"web"}:
        assert "DJANGO_MIGRATE_ON_START" not in (compose["services"][service].get("environment") or {})


# --- Dockerfile and .dockerignore -----------------------------------------------------------------

def test_dockerfile():
    dockerfile = DOCKERFILE.read_text()
    assert re.search(r"^FROM python:3\.11-slim-bookworm\b", dockerfile, re.M)
    makefile_packages = re.search(r"^WEASYPRINT_APT := (.+)$", (ROOT / "Makefile").read_text(), re.M)[1].split()
    for package in ["libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-liberation2"]:
        assert package in dockerfile and package in makefile_packages
    assert re.search(r"pip install .*\.\s*\\?$", dockerfile, re.M), "the project is pip-installed"
    assert "manage.py collectstatic" in dockerfile and "SECRET_KEY=" in dockerfile
    users = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert users and users[-1] not in {"root", "0"}, "runs as a non-root user"
    entrypoint = json.loads(re.search(r"^ENTRYPOINT (.+)$", dockerfile, re.M)[1])
    assert entrypoint == ["/app/docker/entrypoint.sh"]
    assert "DJANGO_SETTINGS_MODULE=bhxh_portal.settings.production" in dockerfile


def test_dockerignore_keeps_secrets_and_local_state_out():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".env", ".git", ".venv", "db.sqlite3", "media", "staticfiles"} <= ignored


# --- docker/healthcheck.py ------------------------------------------------------------------------

def load_healthcheck():
    spec = importlib.util.spec_from_file_location("docker_healthcheck", ROOT / "docker" / "healthcheck.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_web_healthcheck_probes_the_health_view():
    assert load_healthcheck().HEALTH_URL.endswith(reverse("health"))


def test_web_healthcheck_against_a_running_server(live_server):
    env = {key: os.environ[key] for key in ("PATH", "HOME") if key in os.environ}
    env.update(HEALTHCHECK_URL=f"{live_server.url}{reverse('health')}", ALLOWED_HOSTS="localhost")
    ok = subprocess.run([sys.executable, "docker/healthcheck.py", "web"], cwd=ROOT, env=env,
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    env["HEALTHCHECK_URL"] = f"{live_server.url}/khong-co/"
    missing = subprocess.run([sys.executable, "docker/healthcheck.py", "web"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 1 and "404" in missing.stderr


@override_settings(
    ALLOWED_HOSTS=["bhxh.example.vn"], SECURE_SSL_REDIRECT=True,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)
def test_web_healthcheck_headers_get_past_production_security(client, db):
    """With production's ALLOWED_HOSTS and HTTPS redirect, the probe's headers still get a 200."""
    headers = load_healthcheck().request_headers({"ALLOWED_HOSTS": ".example.vn,bhxh.example.vn"})
    assert headers["Host"] == "example.vn"
    headers = load_healthcheck().request_headers({"ALLOWED_HOSTS": "bhxh.example.vn"})
    response = client.get(reverse("health"), headers=headers)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert client.get(reverse("health"), headers={"Host": "bhxh.example.vn"}).status_code == 301
