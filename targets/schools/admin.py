"""Admin screens for schools and their pupils' BHYT figures (superusers only), with
xlsx/csv import and export (targets.schools.resources)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from units import access
from targets import services
from targets.admin import _UserAwareAdmin
from targets.models import School, SchoolFigures
from units.models import Unit
from targets.schools.resources import SchoolFiguresResource, SchoolResource



class SchoolAdminForm(forms.ModelForm):
    current_user = None

    class Meta:
        model = School
        fields = ["code", "name", "level", "commune", "valid_from", "valid_to"]

    def clean(self):
        data = super().clean()
        if data.get("commune") is None or not data.get("code") or not data.get("name"):
            return data
        try:
            services.school_prepare(school=self.instance if self.instance.pk else None, code=data["code"],
                                    name=data["name"], commune=data["commune"], level=data.get("level") or "",
                                    valid_from=data.get("valid_from"), valid_to=data.get("valid_to"),
                                    by=self.current_user)
        except PermissionDenied as exc:
            raise ValidationError(str(exc)) from exc
        return data


@admin.register(School)
class SchoolAdmin(_UserAwareAdmin, ImportExportMixin, SimpleHistoryAdmin):
    form = SchoolAdminForm
    resource_classes = [SchoolResource]
    list_display = ["code", "name", "level", "commune", "valid_from", "valid_to"]
    list_filter = ["level"]
    search_fields = ["code", "name", "commune__name", "commune__code"]
    autocomplete_fields = ["commune"]
    list_select_related = ["commune"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "commune":
            kwargs["queryset"] = access.visible_units(request.user, Unit.objects.filter(level__code="xa"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class SchoolFiguresAdminForm(forms.ModelForm):
    current_user = None

    class Meta:
        model = SchoolFigures
        fields = ["school", "school_year", "pupils", "insured_other_group", "insured_at_school", "source"]

    def clean(self):
        data = super().clean()
        if data.get("school") is None or data.get("school_year") is None or data.get("pupils") is None:
            return data
        try:
            services.school_figures_prepare(
                figures=None, school=data["school"], school_year=data["school_year"], pupils=data["pupils"],
                insured_other_group=data.get("insured_other_group"), insured_at_school=data.get("insured_at_school"),
                by=self.current_user)
        except PermissionDenied as exc:
            raise ValidationError(str(exc)) from exc
        return data


@admin.register(SchoolFigures)
class SchoolFiguresAdmin(_UserAwareAdmin, ImportExportMixin, SimpleHistoryAdmin):
    form = SchoolFiguresAdminForm
    resource_classes = [SchoolFiguresResource]
    list_display = ["school", "school_year_label", "pupils", "insured_other_group", "insured_at_school"]
    list_filter = ["school_year"]
    search_fields = ["school__code", "school__name", "school__commune__name"]
    autocomplete_fields = ["school"]
    list_select_related = ["school"]

    @admin.display(description="năm học", ordering="school_year")
    def school_year_label(self, obj):
        return obj.school_year_label

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "school":
            kwargs["queryset"] = access.scope_by_unit(request.user, School.objects.all(), "commune")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
