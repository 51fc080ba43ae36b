from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "targets"
    verbose_name = "Đơn vị hành chính và chỉ tiêu"

    def ready(self):
        # Monthly results are where targets.progress reads participant counts.
        from targets.progress import register_participants_source
        from targets.selectors.results import participants_at

        register_participants_source(participants_at)
