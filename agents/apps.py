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
