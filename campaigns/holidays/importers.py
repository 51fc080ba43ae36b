"""A year's calendar of public holidays and make-up working days from csv/xlsx (admin import,
`manage.py import_data holidays FILE`): Ngày (dd/mm/yyyy), Tên ngày nghỉ, Loại (Nghỉ or Làm bù,
empty: Nghỉ), Căn cứ (the article or notice deciding the day).

Every row is checked first (date, name, kind, a make-up day must be a Saturday or Sunday, the
source, duplicates), then every year in the file must hold its fixed holidays (1/1, 30/4, 1/5, 2/9);
with any problem nothing is written. A year imported is marked as entered (HolidayYear), and the
card deadlines counted through it are worked out again.
"""

import datetime

from import_export import fields

from bhxh_portal.importing import ColumnSpec
from bhxh_portal.imports import ImportFileError, parse_date
from bhxh_portal.search import fold_text
from targets.resources import _RowResource, _text

from .workdays import HolidayYear, PublicHoliday

HOLIDAY_COLUMNS = [
    ColumnSpec("day", "Ngày", ("ngày nghỉ", "ngày dương lịch", "ngày tháng"), required=True),
    ColumnSpec("name", "Tên ngày nghỉ", ("tên ngày", "tên", "nội dung", "ngày lễ"), required=True),
    ColumnSpec("kind", "Loại", ("loại ngày", "nghỉ hay làm bù")),
    ColumnSpec("source", "Căn cứ", ("văn bản", "nguồn", "văn bản quyết định"), required=True),
]
TEMPLATE_HEADERS = [column.label for column in HOLIDAY_COLUMNS]
KINDS = {"": False, "nghi": False, "ngay nghi": False, "nghi le": False, "nghi bu": False,
         "lam bu": True, "ngay lam bu": True, "di lam bu": True}
FIXED_DAYS = [((1, 1), "Tết Dương lịch"), ((4, 30), "Ngày Chiến thắng"), ((5, 1), "Ngày Quốc tế Lao động"),
              ((9, 2), "Quốc khánh")]
WEEKDAYS = ["thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật"]


class PublicHolidayResource(_RowResource):
    day = fields.Field(column_name="day")
    name = fields.Field(attribute="name", column_name="name")
    kind = fields.Field(column_name="kind")
    source = fields.Field(attribute="source", column_name="source")

    columns = HOLIDAY_COLUMNS
    duplicate_hint = "cùng ngày"

    class Meta:
        model = PublicHoliday
        fields = ("day", "name", "kind", "source")
        import_id_fields = ("day",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = False

    def get_export_queryset(self, request=None, **kwargs):
        return PublicHoliday.objects.order_by("day")

    def dehydrate_day(self, holiday):
        return holiday.day.strftime("%d/%m/%Y")

    def dehydrate_kind(self, holiday):
        return "Làm bù" if holiday.is_working_day else "Nghỉ"

    def snapshot(self, instance):
        return (instance.day, instance.name, instance.is_working_day, instance.source)

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._sources: dict[int, set[str]] = {}

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, str] = {}
        day = None
        try:
            day = parse_date(row.get("day"), label="Ngày")
            if day is None:
                errors["day"] = "Thiếu ngày."
            elif not 2000 <= day.year <= 2100:
                errors["day"] = f"Ngày {day:%d/%m/%Y} ngoài các năm 2000–2100."
                day = None
        except ValueError as exc:
            errors["day"] = f"{exc}."
        name = _text(row.get("name"))
        if not name:
            errors["name"] = "Thiếu tên ngày nghỉ."
        elif len(name) > 200:
            errors["name"] = "Tên ngày nghỉ dài quá 200 ký tự."
        kind = _text(row.get("kind"))
        working = KINDS.get(fold_text(kind))
        if working is None:
            errors["kind"] = f"Loại '{kind}' không hợp lệ: ghi Nghỉ hoặc Làm bù."
        elif working and day is not None and day.weekday() < 5:
            errors["kind"] = (f"Ngày làm bù {day:%d/%m/%Y} là {WEEKDAYS[day.weekday()]}: ngày làm bù phải là "
                              "thứ Bảy hoặc Chủ nhật.")
        source = _text(row.get("source"))
        if not source:
            errors["source"] = "Thiếu căn cứ (điều luật hoặc thông báo quyết định ngày này)."
        elif len(source) > 300:
            errors["source"] = "Căn cứ dài quá 300 ký tự."
        if day is not None:
            self.note_duplicate((day,), kwargs.get("row_number"), errors, "day")
        if errors:
            raise self._errors(errors)
        existing = PublicHoliday.objects.filter(day=day).first()
        instance.pk = existing.pk if existing is not None else None
        instance.day, instance.name, instance.is_working_day, instance.source = day, name, working, source
        instance._state.adding = existing is None
        instance._import_snapshot = self.snapshot(existing) if existing is not None else None
        self._row_existed = existing is not None
        self._sources.setdefault(day.year, set()).add(source)

    def do_instance_save(self, instance, is_create):
        instance.save()

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if result.has_errors() or result.has_validation_errors() or not self._sources:
            return
        years = sorted(self._sources)
        stored = set(PublicHoliday.objects.filter(day__year__in=years, is_working_day=False)
                     .values_list("day", flat=True))
        missing = [f"{datetime.date(y, m, d):%d/%m/%Y} ({label})" for y in years for (m, d), label in FIXED_DAYS
                   if datetime.date(y, m, d) not in stored]
        if missing:
            raise ImportFileError(
                f"lịch nghỉ của năm {', '.join(map(str, years))} chưa đủ: thiếu {', '.join(missing)}. Tệp lịch nghỉ "
                "của một năm phải có đủ các ngày lễ (Bộ luật Lao động 2019, Điều 112).", filename=self.filename)
        for year in years:
            HolidayYear.objects.update_or_create(year=year, defaults={
                "source": "; ".join(sorted(self._sources[year]))[:500]})
        if not kwargs.get("dry_run"):
            from ..programmes.services import beneficiary_deadlines_recompute

            beneficiary_deadlines_recompute(years=years)

