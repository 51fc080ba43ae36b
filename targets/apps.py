from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "targets"
    verbose_name = "Đơn vị hành chính và chỉ tiêu"

    def ready(self):
        from django.db.models.signals import post_migrate

        from bhxh_portal import memo

        from .models import INDICATORS, TARGETS, Demographics, Indicator, Target

        memo.watch(Indicator, INDICATORS)
        memo.watch(Target, TARGETS)
        memo.watch(Demographics, TARGETS)
        # The catalogue is loaded by a data migration (historical models send no signal here).
        post_migrate.connect(lambda **kwargs: memo.bump(INDICATORS, TARGETS), weak=False, dispatch_uid="memo:targets")
