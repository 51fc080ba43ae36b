from django.contrib import admin
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from bhxh_portal.numbers import parse_id

from .models import (
    AccessOutcome,
    Agent,
    Collection,
    Collector,
    ContributionRate,
    Enrolment,
    FundReturnRate,
    HouseholdDiscount,
    LocalTopUp,
    LumpSumRule,
    Participant,
    PersonalDataAccess,
    Product,
    ReferenceAmount,
    StateSupportLevel,
)
from .personal_data import mask_personal_id
from .resources import AgentResource, ParticipantResource
from .selectors import access_log_named
from .services import personal_data_access_record


class CollectorInline(admin.TabularInline):
    model = Collector
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Agent)
class AgentAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [AgentResource]
    list_display = ["name", "code", "kind", "unit", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code", "unit__name", "unit__code"]
    autocomplete_fields = ["unit", "communes"]
    list_select_related = ["unit"]
    inlines = [CollectorInline]


@admin.register(Collector)
class CollectorAdmin(admin.ModelAdmin):
    list_display = ["full_name", "agent", "user", "phone", "is_active"]
    search_fields = ["full_name", "agent__name", "user__username"]
    autocomplete_fields = ["agent", "user"]


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    extra = 0
    autocomplete_fields = ["agent"]
    readonly_fields = ["amount_expected", "last_import"]


@admin.register(Participant)
class ParticipantAdmin(ImportExportModelAdmin):
    """Small lists only; lists of thousands go through Nhập danh sách (the bulk import)."""

    resource_classes = [ParticipantResource]
    list_display = ["full_name", "bhxh_code", "masked_personal_id", "birth_date", "commune", "village",
                    "household_code"]
    search_fields = ["full_name", "bhxh_code", "personal_id", "household_code"]
    list_select_related = ["commune", "village"]
    autocomplete_fields = ["commune", "village"]
    readonly_fields = ["created_at", "updated_at", "last_import"]
    inlines = [EnrolmentInline]
    show_full_result_count = False

    @admin.display(description="số định danh cá nhân", ordering="personal_id")
    def masked_personal_id(self, participant):
        return mask_personal_id(participant.personal_id)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The admin's page of a person shows the số định danh in full: logged like the portal's page."""
        requested = parse_id(object_id) or 0
        participant = self.get_queryset(request).filter(pk=requested).first()  # outside the subtree: refused
        personal_data_access_record(
            user=request.user, requested_id=requested, participant=participant,
            outcome=AccessOutcome.SHOWN_FULL if participant else AccessOutcome.REFUSED, meta=request.META,
            path=request.get_full_path(),
        )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Collection)
class CollectionAdmin(SimpleHistoryAdmin):
    list_display = ["receipt_number", "agent", "collected_on", "participant", "product", "months", "amount",
                    "expected_amount"]
    list_filter = ["product", "agent"]
    search_fields = ["receipt_number", "participant__full_name", "participant__bhxh_code"]
    raw_id_fields = ["participant", "enrolment"]
    autocomplete_fields = ["agent", "collector"]
    readonly_fields = ["expected_amount", "recorded_by", "created_at"]
    date_hierarchy = "collected_on"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "short_name", "indicator", "display_order"]
    search_fields = ["code", "name"]


class DatedAdmin(SimpleHistoryAdmin):
    list_filter = ["valid_from"]
    date_hierarchy = "valid_from"


@admin.register(ReferenceAmount)
class ReferenceAmountAdmin(DatedAdmin):
    list_display = ["kind", "amount", "valid_from", "valid_to", "legal_basis"]
    list_filter = ["kind"]


@admin.register(ContributionRate)
class ContributionRateAdmin(DatedAdmin):
    list_display = ["product", "rate_pct", "base", "min_income_kind", "max_income_multiple", "max_income_kind",
                    "valid_from", "valid_to"]
    list_filter = ["product"]


@admin.register(StateSupportLevel)
class StateSupportLevelAdmin(DatedAdmin):
    list_display = ["product", "group", "percent", "basis", "max_years", "valid_from", "valid_to"]
    list_filter = ["product", "group"]


@admin.register(HouseholdDiscount)
class HouseholdDiscountAdmin(DatedAdmin):
    list_display = ["product", "member_order", "ratio_pct", "valid_from", "valid_to"]


@admin.register(LocalTopUp)
class LocalTopUpAdmin(DatedAdmin):
    list_display = ["programme", "province", "product", "group", "percent", "amount", "valid_from", "valid_to"]
    autocomplete_fields = ["province"]


@admin.register(LumpSumRule)
class LumpSumRuleAdmin(DatedAdmin):
    list_display = ["product", "ahead_min_months", "ahead_max_months", "missing_max_months", "pension_months",
                    "missing_needs_pension_age", "valid_from", "valid_to", "legal_basis"]
    list_filter = ["product"]


@admin.register(FundReturnRate)
class FundReturnRateAdmin(SimpleHistoryAdmin):
    list_display = ["year", "monthly_rate_pct", "source", "note"]
    search_fields = ["source"]


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    """Read-only: the log is written by the participant page, never by hand; superusers read it (it
    spans every unit, refusals of unknown records included)."""

    list_display = ["at", "username", "participant", "beneficiary", "requested_id", "outcome", "ip_address",
                    "forwarded_for"]
    list_filter = ["outcome"]
    search_fields = ["username", "participant__full_name", "beneficiary_name", "ip_address"]
    date_hierarchy = "at"
    list_select_related = ["participant"]

    def get_queryset(self, request):
        return access_log_named(super().get_queryset(request))

    @admin.display(description="người hưởng hỗ trợ", ordering="beneficiary_name")
    def beneficiary(self, entry):
        if entry.beneficiary_id is None:
            return "-"
        return entry.beneficiary_name or f"#{entry.beneficiary_id} (đã xoá)"

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
