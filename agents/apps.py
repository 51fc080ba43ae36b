from django.apps import AppConfig


class AgentsConfig(AppConfig):
    name = "agents"
    verbose_name = "Người tham gia, đại lý thu"

    def ready(self):
        from jobs.services import register_job_kind

        register_job_kind(
            "agents.participant_import", label="Nhập danh sách người tham gia",
            handler="agents.importers.participant_import_job", detail_url_name="agents:import_detail",
        )

        # The registry tally's sheets of the months the pages open on, built ahead of their first reader
        # every REGISTRY_TALLY_PREPARE_EVERY_SECONDS (agents.tasks.registry_tally_prepare).
        from django.conf import settings

        from bhxh_portal.celery import app as celery_app

        celery_app.conf.beat_schedule = {
            **(celery_app.conf.beat_schedule or {}),
            "agents.registry_tally_prepare": {
                "task": "agents.registry_tally_prepare",
                "schedule": float(getattr(settings, "REGISTRY_TALLY_PREPARE_EVERY_SECONDS", 3600))},
        }
