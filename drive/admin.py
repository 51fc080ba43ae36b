"""The drive's records in the admin, for superusers only: everyone else works through the pages,
which apply the scope and log who saw whom."""

from django.contrib import admin

from targets.admin_scoping import SubtreeScopedAdmin

from .models import Contact, Resident, WorkItem


class SuperuserOnly(SubtreeScopedAdmin, admin.ModelAdmin):
    unit_path_field = "commune"

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    has_change_permission = has_add_permission = has_delete_permission = has_view_permission


@admin.register(Resident)
class ResidentAdmin(SuperuserOnly):
    list_display = ["full_name", "commune", "village", "household_code"]
    search_fields = ["full_name", "household_code"]
    list_select_related = ["commune", "village"]
    raw_id_fields = ["commune", "village"]


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    raw_id_fields = ["recorded_by"]


@admin.register(WorkItem)
class WorkItemAdmin(SuperuserOnly):
    list_display = ["__str__", "kind", "month", "commune", "village", "agent", "collector"]
    list_filter = ["kind", "month"]
    list_select_related = ["commune", "village", "agent", "collector", "participant", "resident"]
    raw_id_fields = ["commune", "participant", "resident", "village", "agent", "collector", "assigned_by", "product"]
    inlines = [ContactInline]


@admin.register(Contact)
class ContactAdmin(SuperuserOnly):
    unit_path_field = "item__commune"
    list_display = ["item", "contacted_on", "outcome", "refusal_reason", "next_date"]
    list_filter = ["outcome", "refusal_reason"]
    raw_id_fields = ["item", "recorded_by"]
