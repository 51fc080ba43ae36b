"""Admin for drive activities, employers, support programmes and public holidays (issue #9)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from bhxh_portal.numbers import parse_id

from .importers_holidays import PublicHolidayResource
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
    HolidayYear,
    ProgrammeYearReport,
    PublicHoliday,
    SupportProgramme,
    SupportRule,
)
from .services.programmes import beneficiary_deadlines_recompute


class _RecomputesDeadlines:
    """A changed holiday moves the card deadlines counted through its year."""

    def _year_of(self, obj) -> int:
        return obj.year if isinstance(obj, HolidayYear) else obj.day.year

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        beneficiary_deadlines_recompute(years={self._year_of(obj)})

    def delete_model(self, request, obj):
        year = self._year_of(obj)
        super().delete_model(request, obj)
        beneficiary_deadlines_recompute(years={year})


@admin.register(PublicHoliday)
class PublicHolidayAdmin(_RecomputesDeadlines, ImportExportMixin, admin.ModelAdmin):
    """Import: one year's calendar (Ngày, Tên ngày nghỉ, Loại: Nghỉ/Làm bù, Căn cứ), checked first."""

    resource_classes = [PublicHolidayResource]
    list_display = ["day", "name", "is_working_day", "source"]
    list_filter = ["is_working_day"]
    date_hierarchy = "day"
    search_fields = ["name", "source"]


@admin.register(HolidayYear)
class HolidayYearAdmin(_RecomputesDeadlines, admin.ModelAdmin):
    """A year is listed here once its whole calendar has been entered; deadlines through a year
    missing here are shown with a warning."""

    list_display = ["year", "source", "entered_at"]


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
        from agents.personal_data import mask_personal_id

        return mask_personal_id(beneficiary.personal_id)

    def _log_full_view(self, request, object_id):
        """A page that shows the số định danh in full (the person, a past version of it) is logged like
        a participant's page; a row that does not exist is logged as refused."""
        from agents.models import AccessOutcome
        from agents.services import personal_data_access_record

        requested = parse_id(object_id) or 0
        beneficiary = self.get_queryset(request).filter(pk=requested).first()  # outside the subtree: refused
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
