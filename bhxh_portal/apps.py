from django.apps import AppConfig


class BhxhPortalConfig(AppConfig):
    name = "bhxh_portal"

    def ready(self):
        from .history import history_managers_built_once

        history_managers_built_once()
