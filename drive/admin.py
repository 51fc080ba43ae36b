"""The drive's records in the admin (superusers only, like the whole admin site): everyone else
works through the pages, which apply the scope and log who saw whom."""

from django.contrib import admin

from .models import Contact, Resident, WorkItem


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    list_display = ["full_name", "commune", "village", "household_code"]
    search_fields = ["full_name", "household_code"]
    list_select_related = ["commune", "village"]
    raw_id_fields = ["commune", "village"]


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    raw_id_fields = ["recorded_by"]


@admin.register(WorkItem)
class WorkItemAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "month", "commune", "village", "agent", "collector"]
    list_filter = ["kind", "month"]
    list_select_related = ["commune", "village", "agent", "collector", "participant", "resident"]
    raw_id_fields = ["commune", "participant", "resident", "village", "agent", "collector", "assigned_by", "product"]
    inlines = [ContactInline]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    unit_path_field = "item__commune"
    list_display = ["item", "contacted_on", "outcome", "refusal_reason", "next_date"]
    list_filter = ["outcome", "refusal_reason"]
    raw_id_fields = ["item", "recorded_by"]
