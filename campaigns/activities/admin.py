"""Admin for drive activities and employers."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from ..models import ActivityAttachment, ActivitySignUp, DirectWorkRecord, DriveActivity, Employer


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):
    list_display = ["name", "tax_code", "unit", "employees"]
    search_fields = ["name", "tax_code"]
    raw_id_fields = ["unit"]


class SignUpInline(admin.TabularInline):
    model = ActivitySignUp
    extra = 0


class AttachmentInline(admin.TabularInline):
    """Read only: attachments are added on the activity's page, which checks their type; stored files
    have no URL, so each is linked to the page's download, which checks access."""

    model = ActivityAttachment
    extra = 0
    fields = ["download", "description", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="tệp")
    def download(self, attachment):
        url = reverse("activities:attachment_download", args=[attachment.activity_id, attachment.pk])
        return format_html('<a href="{}">{}</a>', url, attachment.download_name)


class DirectWorkInline(admin.StackedInline):
    model = DirectWorkRecord
    extra = 0


@admin.register(DriveActivity)
class DriveActivityAdmin(SimpleHistoryAdmin):
    list_display = ["planned_start", "kind", "organiser", "organiser_detail", "planned_count", "status", "held_count"]
    list_filter = ["kind", "status"]
    date_hierarchy = "planned_start"
    search_fields = ["organiser__name", "organiser__code", "place", "title"]
    raw_id_fields = ["organiser", "employer", "invited_employers", "participants", "created_by"]
    inlines = [SignUpInline, DirectWorkInline, AttachmentInline]
