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

        from django.db.models.signals import post_delete, post_save

        from bhxh_portal import memo
        from results.models import MonthlyReport, MonthlyResult, results_month

        def moved(sender, instance, **kwargs):  # one row saved or deleted: its month's figures
            memo.bump(results_month(instance.year, instance.month))

        for model in (MonthlyResult, MonthlyReport):
            for signal in (post_save, post_delete):
                signal.connect(moved, sender=model, weak=False, dispatch_uid=f"memo:{model._meta.label}:{signal}")
