from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = "Công việc chạy nền"

    def ready(self):
        # Jobs whose worker died are run again or marked failed (with the reason), and jobs the queue
        # did not take are sent again, by Celery beat every JOBS_SWEEP_EVERY_SECONDS (jobs.services).
        from django.conf import settings

        from bhxh_portal.celery import app as celery_app

        celery_app.conf.beat_schedule = {
            **(celery_app.conf.beat_schedule or {}),
            "reports.sweep_stale_jobs": {"task": "reports.sweep_stale_jobs",
                                         "schedule": float(getattr(settings, "JOBS_SWEEP_EVERY_SECONDS", 60))},
        }
