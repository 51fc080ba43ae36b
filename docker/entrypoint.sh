#!/bin/sh
# Entry point of the image (web, worker and beat). The web service sets DJANGO_MIGRATE_ON_START=1:
# it applies migrations and collects static files before gunicorn starts, so an upgrade is
# `docker compose up -d --build`. Worker and beat start directly.
set -eu

if [ "${DJANGO_MIGRATE_ON_START:-0}" = "1" ]; then
    python manage.py migrate --noinput
    python manage.py collectstatic --noinput --verbosity 0
fi

exec "$@"
