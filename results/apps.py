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
        from results.models import RESULTS, MonthlyReport, MonthlyResult, results_month, results_month_written
        from units.access import unit_by_pk
        from units.models import Unit

        def path_of(instance) -> str | None:
            unit = instance._state.fields_cache.get("unit") or unit_by_pk(instance.unit_id)
            return unit.path if unit is not None else None

        def result_moved(sender, instance, **kwargs):  # one row saved or deleted: its unit's and ancestors' month
            path = path_of(instance)
            if path is None:  # its unit gone with it (a cascade): any month of any unit
                memo.bump(RESULTS)
            else:
                memo.bump(*results_month_written(instance.year, instance.month, path))

        def report_moved(sender, instance, **kwargs):
            # Its state is part of the figures of every row it holds: those of the reporting unit's
            # subtree (its villages), whose months move on with their ancestors'.
            path = path_of(instance)
            if path is None:
                memo.bump(RESULTS)
                return
            scopes = results_month_written(instance.year, instance.month, path)
            below = Unit.objects.filter(path__startswith=path).exclude(path=path).values_list("pk", flat=True)
            memo.bump(*scopes, *(results_month(instance.year, instance.month, pk) for pk in below))

        for model, moved in ((MonthlyResult, result_moved), (MonthlyReport, report_moved)):
            for signal in (post_save, post_delete):
                signal.connect(moved, sender=model, weak=False, dispatch_uid=f"memo:{model._meta.label}:{signal}")
