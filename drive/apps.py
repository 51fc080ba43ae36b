from importlib import import_module

from django.apps import AppConfig


class DriveConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "drive"
    verbose_name = "Vận động theo danh sách"

    def ready(self):
        # reports sits below drive: its dashboard shows the drive's funnel through this panel.
        from campaigns.activities.signals import participants_linked
        from drive.selectors import dashboard_funnel
        from drive.services import activity_sign_ups_received
        from reports.views_dashboard import register_dashboard_panel

        register_dashboard_panel("drive_funnel", dashboard_funnel)
        # The funnel's facts kept on the work items follow the ORM writes (drive.signals).
        import_module("drive.signals")
        # The remembered funnel (bhxh_portal.memo) follows the writes of one object (the querysets
        # of the work items move it on themselves).
        from django.db.models.signals import post_migrate

        from agents.models import Collector
        from bhxh_portal import memo
        from drive.models import DRIVE, WorkItem

        memo.watch(WorkItem, DRIVE)
        memo.watch(Collector, DRIVE)
        post_migrate.connect(lambda **kwargs: memo.bump(DRIVE), weak=False, dispatch_uid="memo:drive")
        # campaigns sits below drive: the people linked to an activity enter the month's lists.
        participants_linked.connect(activity_sign_ups_received, dispatch_uid="drive_activity_sign_ups")
