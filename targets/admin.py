"""The indicator catalogue, denominators, targets with their history."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from units import access
from . import services
from .decisions import Decision
from .models import Demographics, EnteredAs, Indicator, Target
from units.periods import Period
from targets.resources import DemographicsResource, TargetResource


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    """The catalogue is data (migration 0003); codes are referenced by files and reports, so they
    are fixed once created, and an indicator in use is switched off rather than deleted."""

    list_display = ["code", "short_name", "name", "denominator", "part_of", "display_order", "is_active"]
    list_editable = ["display_order", "is_active"]
    list_filter = ["denominator", "is_active"]
    search_fields = ["code", "name", "short_name"]
    list_select_related = ["part_of"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj is not None else []


class _UserAwareAdmin:
    """The forms and resources of targets check what the user may write, as on the pages."""

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.current_user = request.user
        return form

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {"user": request.user}


class DemographicsAdminForm(forms.ModelForm):
    current_user = None

    class Meta:
        model = Demographics
        fields = ["unit", "year", "population", "labour_force", "pupils", "required_to_join", "voluntary_eligible",
                  "bhtn_required", "source"]

    def clean(self):
        data = super().clean()
        unit = data.get("unit")
        if unit is not None and self.current_user is not None and not access.can(
                self.current_user, "demographics.enter", unit):
            raise ValidationError(f"Bạn không có quyền sửa dân số, lao động của {unit.name}.")
        return data


@admin.register(Demographics)
class DemographicsAdmin(_UserAwareAdmin, ImportExportMixin, SimpleHistoryAdmin):
    form = DemographicsAdminForm
    resource_classes = [DemographicsResource]
    list_display = ["unit", "year", "population", "labour_force", "pupils", "required_to_join", "voluntary_eligible",
                    "bhtn_required"]
    list_filter = ["year"]
    search_fields = ["unit__code", "unit__name"]
    autocomplete_fields = ["unit"]
    list_select_related = ["unit"]

    def save_model(self, request, obj, form, change):
        # The unit's targets of that year re-derive (a rate keeps its rate and gets a new count).
        services.demographics_store(record=obj, by=request.user, reason="Sửa trong trang quản trị")


class TargetAdminForm(forms.ModelForm):
    """Validated by the same service as the pages: the entered value is kept, the other derived."""

    current_user = None

    class Meta:
        model = Target
        fields = ["unit", "agent", "indicator", "period_type", "year", "period_number", "kind", "entered_as",
                  "rate_pct", "count", "decision_number", "decision_date", "decision_issuer", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["count"].required = False

    def clean(self):
        data = super().clean()
        needed = ["unit", "indicator", "period_type", "year", "period_number", "kind", "entered_as"]
        if any(data.get(name) in (None, "") for name in needed):
            return data
        try:
            period = Period(data["period_type"], data["year"], data["period_number"])
        except ValueError as exc:
            raise ValidationError({"period_number": str(exc)}) from exc
        entered_as = data["entered_as"]
        decision = (Decision(data["decision_number"], data.get("decision_date"), data.get("decision_issuer") or "")
                    if data.get("decision_number") else None)
        try:
            target = services.target_prepare(
                target=self.instance, unit=data["unit"], indicator=data["indicator"], period=period,
                kind=data["kind"], entered_as=entered_as, agent=data.get("agent"), decision=decision,
                rate_pct=data.get("rate_pct") if entered_as == EnteredAs.RATE else None,
                count=data.get("count") if entered_as == EnteredAs.COUNT else None,
                note=data.get("note") or "", by=self.current_user,
            )
        except PermissionDenied as exc:
            raise ValidationError(str(exc)) from exc
        data.update(rate_pct=target.rate_pct, count=target.count, entered_as=target.entered_as)
        return data


@admin.register(Target)
class TargetAdmin(_UserAwareAdmin, ImportExportMixin, SimpleHistoryAdmin):
    form = TargetAdminForm
    resource_classes = [TargetResource]
    list_display = ["indicator", "unit", "agent", "period_label", "kind", "entered_as", "rate_pct", "count",
                    "decision_label"]
    list_filter = ["year", "period_type", "kind", "indicator"]
    search_fields = ["unit__code", "unit__name", "agent__name", "decision_number"]
    autocomplete_fields = ["unit"]
    list_select_related = ["unit", "agent", "indicator"]
    readonly_fields = ["denominator"]

    @admin.display(description="kỳ")
    def period_label(self, obj):
        return obj.period.label

    @admin.display(description="văn bản")
    def decision_label(self, obj):
        return obj.decision_label

    def save_model(self, request, obj, form, change):
        services.target_save(target=obj, by=request.user, reason="Sửa trong trang quản trị")

    def delete_model(self, request, obj):
        services.target_delete(target=obj, by=request.user, reason="Xóa trong trang quản trị")

    def delete_queryset(self, request, queryset):
        for target in queryset:
            self.delete_model(request, target)


# Schools and their pupils' BHYT.
from targets.schools import admin as admin_schools  # noqa: E402, F401
