"""Admin for support programmes, beneficiary lists and beneficiaries (a full personal id shown is
logged, as on the pages)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from agents.models import AccessOutcome
from bhxh_portal.numbers import parse_id
from agents.personal_data import mask_personal_id
from agents.services import personal_data_access_record

from ..models import (
    Beneficiary,
    BeneficiaryChange,
    BeneficiaryGroup,
    BeneficiaryList,
    ProgrammeYearReport,
    SupportProgramme,
    SupportRule,
)


class RuleInline(admin.TabularInline):
    model = SupportRule
    extra = 0


@admin.register(BeneficiaryGroup)
class BeneficiaryGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "programme", "form", "product", "issues_cards"]
    list_filter = ["programme", "form"]
    inlines = [RuleInline]


class GroupInline(admin.TabularInline):
    model = BeneficiaryGroup
    extra = 0
    show_change_link = True


@admin.register(SupportProgramme)
class SupportProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "province", "valid_from", "valid_to", "card_issue_working_days"]
    raw_id_fields = ["province"]
    inlines = [GroupInline]


@admin.register(BeneficiaryList)
class BeneficiaryListAdmin(admin.ModelAdmin):
    list_display = ["__str__", "programme", "group", "unit", "received_on", "created_by"]
    list_filter = ["programme", "group"]
    raw_id_fields = ["unit", "created_by"]


class ChangeInline(admin.TabularInline):
    model = BeneficiaryChange
    extra = 0
    readonly_fields = ["recorded_by", "recorded_at"]


@admin.register(Beneficiary)
class BeneficiaryAdmin(SimpleHistoryAdmin):
    list_display = ["full_name", "masked_personal_id", "bhxh_code", "state", "due_on", "card_issued_on"]
    list_filter = ["state", "beneficiary_list__group"]
    search_fields = ["full_name", "personal_id", "bhxh_code"]
    raw_id_fields = ["beneficiary_list", "commune"]
    inlines = [ChangeInline]

    @admin.display(description="số định danh cá nhân", ordering="personal_id")
    def masked_personal_id(self, beneficiary):
        return mask_personal_id(beneficiary.personal_id)

    def _log_full_view(self, request, object_id):
        """A page that shows the số định danh in full (the person, a past version of it) is logged like
        a participant's page; a row that does not exist is logged as refused."""
        requested = parse_id(object_id) or 0
        beneficiary = self.get_queryset(request).filter(pk=requested).first()
        personal_data_access_record(
            user=request.user, requested_id=requested, participant=None, beneficiary=beneficiary,
            outcome=AccessOutcome.SHOWN_FULL if beneficiary else AccessOutcome.REFUSED, meta=request.META,
            path=request.get_full_path(),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._log_full_view(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._log_full_view(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(ProgrammeYearReport)
class ProgrammeYearReportAdmin(admin.ModelAdmin):
    pass
