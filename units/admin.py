from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from . import services
from .models import Membership, Unit, UnitLevel
from .resources import UnitResource


@admin.register(UnitLevel)
class UnitLevelAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "rank", "code_digits"]
    filter_horizontal = ["parent_levels"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Unit)
class UnitAdmin(ImportExportModelAdmin):
    resource_classes = [UnitResource]
    list_display = ["code", "name", "level", "parent", "code_is_official", "valid_from", "valid_to"]
    list_filter = ["level", "code_is_official"]
    search_fields = ["code", "name", "search_name"]
    autocomplete_fields = ["parent", "predecessors"]
    readonly_fields = ["path", "depth"]
    list_select_related = ["level", "parent"]
    inlines = [MembershipInline]

    def save_model(self, request, obj, form, change):
        # The path of the unit and its whole subtree follows its parent.
        services.unit_save(unit=obj)

    def delete_queryset(self, request, queryset):
        for unit in queryset.order_by("-depth"):
            unit.delete()


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "unit__name", "unit__code"]
    autocomplete_fields = ["user", "unit"]
