from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "results"
    verbose_name = "Kết quả tháng"

    def ready(self):
        # targets sits below results and cannot import it: progress against a target reads the
        # participant counts through the function registered here.
        from results.selectors import participants_at
        from targets.progress import register_participants_source

        register_participants_source(participants_at)
