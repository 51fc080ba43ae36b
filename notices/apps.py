from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = "Thông báo tự động"

    def ready(self):
        # Beat looks every NOTICES_CHECK_EVERY_SECONDS for what each unit's configuration makes due
        # (and for failed deliveries to retry); sending is idempotent, so a tighter beat costs nothing.
        from django.conf import settings

        from bhxh_portal.celery import app as celery_app

        celery_app.conf.beat_schedule = {
            **(celery_app.conf.beat_schedule or {}),
            "notices.send_due_notices": {"task": "notices.send_due_notices",
                                         "schedule": float(getattr(settings, "NOTICES_CHECK_EVERY_SECONDS", 3600))},
        }
