"""Health checks of the docker-compose services that have no ready-made probe.

    python docker/healthcheck.py web    # GET /suc-khoe/ on gunicorn: 200 and {"status": "ok"}
    python docker/healthcheck.py beat   # the beat process is alive and the broker answers

Exit 0 when healthy, 1 otherwise (with the reason on stderr). Standard library only for `web`.
"""

import http.client
import json
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

HEALTH_URL = os.environ.get("HEALTHCHECK_URL", "http://127.0.0.1:8000/suc-khoe/")
BEAT_PIDFILE = os.environ.get("CELERY_BEAT_PIDFILE", "/tmp/celerybeat.pid")


def request_headers(environ=os.environ):
    """Headers that get past ALLOWED_HOSTS and SECURE_SSL_REDIRECT, as the TLS proxy would send them."""
    hosts = [h.strip() for h in environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
    host = next((h.lstrip(".") for h in hosts if "*" not in h), "localhost")
    return {"Host": host, "X-Forwarded-Proto": "https", "Accept": "application/json"}


def check_web(url=HEALTH_URL, environ=os.environ, timeout=5):
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout)
    try:
        connection.request("GET", parts.path or "/", headers=request_headers(environ))
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if response.status != 200:
        return f"{url} answered HTTP {response.status}"
    try:
        status = json.loads(body).get("status")
    except ValueError:
        status = None
    if status != "ok":
        return f"{url} answered {body[:200]!r}"
    return None


def check_beat(pidfile=BEAT_PIDFILE):
    try:
        with open(pidfile) as handle:
            pid = int(handle.read().strip())
        os.kill(pid, 0)
    except (OSError, ValueError) as exc:
        return f"celery beat is not running ({pidfile}: {exc})"
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bhxh_portal.celery import app

    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1)
    return None


def main(argv):
    checks = {"web": check_web, "beat": check_beat}
    if len(argv) != 2 or argv[1] not in checks:
        print(f"usage: {argv[0]} {{{','.join(checks)}}}", file=sys.stderr)
        return 2
    try:
        problem = checks[argv[1]]()
    except Exception as exc:  # any failure means unhealthy; say why
        problem = f"{type(exc).__name__}: {exc}"
    if problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
