from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "units"
    verbose_name = "Đơn vị hành chính"

    def ready(self):
        from django.db.models.signals import post_migrate

        from bhxh_portal import memo

        from .models import MEMBERSHIPS, UNITS, Membership, Unit, UnitLevel

        memo.watch(Unit, UNITS)
        memo.watch(UnitLevel, UNITS)
        memo.watch(Membership, MEMBERSHIPS)
        # Data migrations write through historical models, which send no signal to these receivers.
        post_migrate.connect(lambda **kwargs: memo.bump(UNITS, MEMBERSHIPS), weak=False, dispatch_uid="memo:units")
