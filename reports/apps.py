from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Báo cáo, bảng số liệu"

    def ready(self):
        from .jobs import register_job_kind

        register_job_kind("reports.coverage_export", label="Xuất bảng số liệu bao phủ",
                          handler="reports.exports.coverage_export_job")

        # Jobs whose worker died are run again or marked failed (with the reason), and jobs the queue
        # did not take are sent again, by Celery beat every JOBS_SWEEP_EVERY_SECONDS (reports.jobs).
        from django.conf import settings

        from bhxh_portal.celery import app as celery_app

        celery_app.conf.beat_schedule = {
            **(celery_app.conf.beat_schedule or {}),
            "reports.sweep_stale_jobs": {"task": "reports.sweep_stale_jobs",
                                         "schedule": float(getattr(settings, "JOBS_SWEEP_EVERY_SECONDS", 60))},
        }
