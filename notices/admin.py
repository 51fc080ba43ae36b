"""Notices in the admin (superusers only, like the whole admin site)."""

from django.contrib import admin

from .models import NoticeDelivery, NoticeIssue, NoticeOptOut, UnitNoticeSettings


@admin.register(UnitNoticeSettings)
class UnitNoticeSettingsAdmin(admin.ModelAdmin):
    list_display = ["unit", "weekly_enabled", "weekly_weekday", "weekly_hour", "reminder_enabled",
                    "reminder_days_before", "monthly_enabled", "monthly_day", "updated_at"]
    search_fields = ["unit__name", "unit__code"]
    readonly_fields = ["updated_at", "updated_by"]


@admin.register(NoticeIssue)
class NoticeIssueAdmin(admin.ModelAdmin):
    list_display = ["subject", "unit", "kind", "period", "as_of", "created_at"]
    list_filter = ["kind"]
    search_fields = ["unit__name", "unit__code", "subject"]
    readonly_fields = [f.name for f in NoticeIssue._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(NoticeDelivery)
class NoticeDeliveryAdmin(admin.ModelAdmin):
    """Who got what and when, or the mail server's error (read-only: the record of what went out)."""

    list_display = ["recipient", "unit", "kind", "period", "state", "attempts", "claimed_at", "sent_at"]
    list_filter = ["state", "kind"]
    search_fields = ["recipient", "unit__name", "unit__code", "period"]
    readonly_fields = [f.name for f in NoticeDelivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(NoticeOptOut)
class NoticeOptOutAdmin(admin.ModelAdmin):
    list_display = ["address", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["address"]
