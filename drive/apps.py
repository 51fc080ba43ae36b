from django.apps import AppConfig


class DriveConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "drive"
    verbose_name = "Vận động theo danh sách"
