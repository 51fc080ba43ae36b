"""gunicorn's settings for the portal, one home for the image, docker-compose and `manage.py loadtest`:
`gunicorn -c python:bhxh_portal.gunicorn_conf bhxh_portal.wsgi:application`.

One process per core, several threads each (gthread): a request waits on PostgreSQL and Redis for much of
its time, which the threads overlap, and each process keeps its own copies of the values remembered lately
(bhxh_portal.memo), so fewer processes unpickle and compute each of them fewer times. Measured with
`loadtest --users 300` on 2 cores: 2 processes × 6 threads served 59 requests/s with p95 210 ms and 14,9 ms
of CPU a request; 3 × 4, 18 ms and p95 330 ms (README, Benchmarks). Every value can be set by the
environment of the deployment."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# The cores this process may run on (a cpuset), not the host's; a container limited by a CPU quota sees
# the host's, so the containers get WEB_CONCURRENCY from .env.
workers = int(os.environ.get("WEB_CONCURRENCY") or len(os.sched_getaffinity(0)) or 2)
threads = int(os.environ.get("GUNICORN_THREADS", 6))
worker_class = "gthread"
# A long export or PDF answers before a proxy's 130 s (docker/nginx-scale.conf).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
graceful_timeout = 30
# Idle connections kept longer than a user's pause between two clicks, as a proxy in front does.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 30))
# The application loaded once before the workers fork: they share its memory and start at once.
preload_app = True
# "-": standard output; empty: none.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
