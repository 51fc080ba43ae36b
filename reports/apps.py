from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Báo cáo, bảng số liệu"

    def ready(self):
        from jobs.services import register_job_kind

        register_job_kind("reports.coverage_export", label="Xuất bảng số liệu bao phủ",
                          handler="reports.exports.coverage_export_job")
