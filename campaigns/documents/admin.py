"""Admin: read mostly. Documents change through the pages (and their services), which keep the log."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from ..models import DocumentFile, PlanBlock, PlanDocument, PlanEvent


class PlanBlockInline(admin.TabularInline):
    model = PlanBlock
    extra = 0
    fields = ["position", "kind", "text", "params"]
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


class DocumentFileInline(admin.TabularInline):
    model = DocumentFile
    extra = 0
    fields = ["purpose", "download", "sha256", "size", "created_by", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="tệp")
    def download(self, item):
        # Stored files have no URL: the document's page sends them after checking access and SHA-256.
        url = reverse("campaigns:document_pdf", args=[item.document_id])
        return format_html('<a href="{}?ban={}">{}</a>', url, item.purpose, item.get_purpose_display())


class PlanEventInline(admin.TabularInline):
    model = PlanEvent
    extra = 0
    fields = ["at", "by", "action", "note", "sha256"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PlanDocument)
class PlanDocumentAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "unit", "year", "version", "status", "created_at"]
    list_filter = ["doc_type", "status", "starter", "year"]
    search_fields = ["subject", "number", "unit__name", "unit__code"]
    raw_id_fields = ["unit", "signer", "previous_version", "created_by"]
    readonly_fields = ["status", "version", "previous_version", "created_by", "created_at", "updated_at"]
    inlines = [PlanBlockInline, DocumentFileInline, PlanEventInline]

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.status == "draft"


@admin.register(PlanEvent)
class PlanEventAdmin(admin.ModelAdmin):
    list_display = ["at", "document", "action", "by", "note"]
    list_filter = ["action"]
    readonly_fields = ["document", "action", "by", "at", "note", "sha256"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
