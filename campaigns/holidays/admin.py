"""Admin for the public holidays calendar: a changed day or year recomputes the card deadlines
counted through it."""

from django.contrib import admin
from import_export.admin import ImportExportMixin

from ..models import HolidayYear, PublicHoliday
from ..programmes.services import beneficiary_deadlines_recompute
from .importers import PublicHolidayResource


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
