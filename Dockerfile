# The BHXH Portal image: web (gunicorn), worker and beat (celery) of docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=bhxh_portal.settings.production

# WeasyPrint (PDF reports) needs Pango and HarfBuzz from the system, and fonts with Vietnamese glyphs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2 \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 1000 bhxh \
    && useradd --system --uid 1000 --gid bhxh --create-home --shell /usr/sbin/nologin bhxh

WORKDIR /app

# Dependencies first: this layer is rebuilt only when pyproject.toml changes.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
# The project itself; static files are collected at build time with throw-away settings
# (the real SECRET_KEY and database come from .env at run time).
RUN pip install --no-deps . \
    && rm -rf build ./*.egg-info \
    && SECRET_KEY=collectstatic-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz \
       ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:////tmp/build.sqlite3 \
       python manage.py collectstatic --noinput --verbosity 0 \
    && rm -f /tmp/build.sqlite3 \
    && mkdir -p /app/media \
    && chown -R bhxh:bhxh /app/media /app/staticfiles \
    && chmod 0755 docker/entrypoint.sh

USER bhxh
EXPOSE 8000
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["gunicorn", "-c", "python:bhxh_portal.gunicorn_conf", "bhxh_portal.wsgi:application"]
