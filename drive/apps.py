from importlib import import_module

from django.apps import AppConfig


class DriveConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "drive"
    verbose_name = "Vận động theo danh sách"

    def ready(self):
        # reports sits below drive: its dashboard shows the drive's funnel through this panel.
        from drive.selectors import dashboard_funnel
        from reports.views_dashboard import register_dashboard_panel

        register_dashboard_panel("drive_funnel", dashboard_funnel)
        # The funnel's facts kept on the work items follow the ORM writes (drive.signals).
        import_module("drive.signals")
