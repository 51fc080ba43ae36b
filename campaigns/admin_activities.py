"""Admin for drive activities, employers, support programmes and public holidays (issue #9)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from bhxh_portal.numbers import parse_id
from targets.admin_scoping import SubtreeScopedAdmin

from .models import (
    ActivityAttachment,
    ActivitySignUp,
    Beneficiary,
    BeneficiaryChange,
    BeneficiaryGroup,
    BeneficiaryList,
    DirectWorkRecord,
    DriveActivity,
    Employer,
    ProgrammeYearReport,
    PublicHoliday,
    SupportProgramme,
    SupportRule,
)


@admin.register(PublicHoliday)
class PublicHolidayAdmin(admin.ModelAdmin):
    list_display = ["day", "name", "is_working_day"]
    list_filter = ["is_working_day"]
    date_hierarchy = "day"
    search_fields = ["name"]


@admin.register(Employer)
class EmployerAdmin(SubtreeScopedAdmin, admin.ModelAdmin):
    list_display = ["name", "tax_code", "unit", "employees"]
    search_fields = ["name", "tax_code"]
    raw_id_fields = ["unit"]


class SignUpInline(admin.TabularInline):
    model = ActivitySignUp
    extra = 0


class AttachmentInline(admin.TabularInline):
    model = ActivityAttachment
    extra = 0
    readonly_fields = ["uploaded_by", "uploaded_at"]


class DirectWorkInline(admin.StackedInline):
    model = DirectWorkRecord
    extra = 0


@admin.register(DriveActivity)
class DriveActivityAdmin(SubtreeScopedAdmin, SimpleHistoryAdmin):
    unit_path_field = "organiser"
    list_display = ["planned_start", "kind", "organiser", "organiser_detail", "planned_count", "status", "held_count"]
    list_filter = ["kind", "status"]
    date_hierarchy = "planned_start"
    search_fields = ["organiser__name", "organiser__code", "place", "title"]
    raw_id_fields = ["organiser", "employer", "invited_employers", "participants", "created_by"]
    inlines = [SignUpInline, DirectWorkInline, AttachmentInline]


class RuleInline(admin.TabularInline):
    model = SupportRule
    extra = 0


@admin.register(BeneficiaryGroup)
class BeneficiaryGroupAdmin(SubtreeScopedAdmin, admin.ModelAdmin):
    unit_path_field = "programme__province"
    list_display = ["name", "programme", "form", "product", "issues_cards"]
    list_filter = ["programme", "form"]
    inlines = [RuleInline]


class GroupInline(admin.TabularInline):
    model = BeneficiaryGroup
    extra = 0
    show_change_link = True


@admin.register(SupportProgramme)
class SupportProgrammeAdmin(SubtreeScopedAdmin, admin.ModelAdmin):
    unit_path_field = "province"
    list_display = ["name", "province", "valid_from", "valid_to", "card_issue_working_days"]
    raw_id_fields = ["province"]
    inlines = [GroupInline]


@admin.register(BeneficiaryList)
class BeneficiaryListAdmin(SubtreeScopedAdmin, admin.ModelAdmin):
    list_display = ["__str__", "programme", "group", "unit", "received_on", "created_by"]
    list_filter = ["programme", "group"]
    raw_id_fields = ["unit", "created_by"]


class ChangeInline(admin.TabularInline):
    model = BeneficiaryChange
    extra = 0
    readonly_fields = ["recorded_by", "recorded_at"]


@admin.register(Beneficiary)
class BeneficiaryAdmin(SubtreeScopedAdmin, SimpleHistoryAdmin):
    unit_path_field = "beneficiary_list__unit"
    list_display = ["full_name", "masked_personal_id", "bhxh_code", "state", "due_on", "card_issued_on"]
    list_filter = ["state", "beneficiary_list__group"]
    search_fields = ["full_name", "personal_id", "bhxh_code"]
    raw_id_fields = ["beneficiary_list", "commune"]
    inlines = [ChangeInline]

    @admin.display(description="số định danh cá nhân", ordering="personal_id")
    def masked_personal_id(self, beneficiary):
        from agents.personal_data import mask_personal_id

        return mask_personal_id(beneficiary.personal_id)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The page of a person shows the số định danh in full: logged like a participant's page."""
        from agents.models import AccessOutcome
        from agents.services import personal_data_access_record

        requested = parse_id(object_id) or 0
        beneficiary = self.get_queryset(request).filter(pk=requested).first()  # outside the subtree: refused
        personal_data_access_record(
            user=request.user, requested_id=requested, participant=None, beneficiary=beneficiary,
            outcome=AccessOutcome.SHOWN_FULL if beneficiary else AccessOutcome.REFUSED, meta=request.META,
            path=request.get_full_path(),
        )
        return super().change_view(request, object_id, form_url, extra_context)



@admin.register(ProgrammeYearReport)
class ProgrammeYearReportAdmin(SubtreeScopedAdmin, admin.ModelAdmin):
    pass
