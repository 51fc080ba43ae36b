"""Import and export of schools and of their pupils' BHYT per school year (admin, web upload,
`manage.py import_data schools|school_figures FILE`, `export_data`).

schools: Mã trường (code), Tên trường (name), Mã xã (commune_code); optional Cấp học (level:
Mầm non, Tiểu học/TH, THCS, THPT, Liên cấp, GDTX, Cao đẳng, đại học, Khác), Xã, phường
(commune_name, not read), Hoạt động từ / Hoạt động đến (valid_from, valid_to, dd/mm/yyyy).

school_figures: Mã trường (school_code), Năm học (school_year, 2022-2023), Tổng số học sinh
(pupils), Học sinh tham gia theo nhóm người khác (insured_other_group), Học sinh tham gia tại
trường (insured_at_school); optional Tên trường (not read), Tổng số học sinh đã tham gia BHYT
(insured, checked against the sum of the two parts), Nguồn số liệu (source). The columns of the
plan's appendix are accepted as they are; the computed ones (còn lại, tỷ lệ) are ignored.

Each problem names the line and the column as the file wrote it; with any problem nothing is
written. With a `user` (web upload, admin) a commune outside the user's subtree is answered as
unknown, and a commune the user may see but not edit is refused.
"""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from import_export import fields

from bhxh_portal.importing import ColumnSpec, spec_labels
from bhxh_portal.imports import parse_date
from bhxh_portal.numbers import format_number, parse_whole_number
from units import access
from targets import services
from targets.models import School, SchoolFigures, SchoolLevel, school_year_label
from units.models import Unit
from bhxh_portal.search import fold_text

from targets.resources import _RowResource, _text

# One declaration per column: the template's header, the other headers people write, whether the file
# must have it, the model field whose database limits it fills.
SCHOOL_COLUMNS = [
    ColumnSpec("code", "Mã trường", ("mã số trường", "mã"), required=True, model=School),
    ColumnSpec("name", "Tên trường", ("trường", "tên"), required=True, model=School),
    ColumnSpec("level", "Cấp học", ("cấp", "bậc học"), model=School),
    ColumnSpec("commune_code", "Mã xã", ("mã xã, phường", "mã xã, phường, thị trấn", "mã đơn vị"), required=True),
    ColumnSpec("commune_name", "Xã, phường", ("xã, phường, thị trấn", "xã", "tên xã")),
    ColumnSpec("valid_from", "Hoạt động từ", ("hiệu lực từ",), model=School),
    ColumnSpec("valid_to", "Hoạt động đến", ("hiệu lực đến",), model=School),
]
SCHOOL_TEMPLATE_HEADERS = spec_labels(SCHOOL_COLUMNS)

FIGURES_COLUMNS = [
    ColumnSpec("school_code", "Mã trường", ("mã số trường", "mã"), required=True),
    ColumnSpec("school_name", "Tên trường", ("trường",)),
    ColumnSpec("school_year", "Năm học", required=True),
    ColumnSpec("pupils", "Tổng số học sinh", ("số học sinh", "học sinh"), required=True, model=SchoolFigures),
    ColumnSpec("insured", "Tổng số học sinh đã tham gia BHYT", ("đã tham gia bhyt", "số học sinh đã tham gia bhyt")),
    ColumnSpec("insured_other_group", "Học sinh tham gia theo nhóm người khác",
               ("tham gia theo nhóm người khác", "theo nhóm khác", "nhóm khác"), model=SchoolFigures),
    ColumnSpec("insured_at_school", "Học sinh tham gia tại trường", ("tham gia tại trường", "tại trường"),
               required=True, model=SchoolFigures),
    ColumnSpec("source", "Nguồn số liệu", ("nguồn",), model=SchoolFigures),
]
FIGURES_TEMPLATE_HEADERS = spec_labels(FIGURES_COLUMNS)

_LEVELS = {fold_text(label): value for value, label in SchoolLevel.choices}
_LEVELS.update({value: value for value in SchoolLevel.values})
_LEVELS.update({"mn": SchoolLevel.PRESCHOOL, "th": SchoolLevel.PRIMARY, "tieu hoc": SchoolLevel.PRIMARY,
                "trung hoc co so": SchoolLevel.LOWER_SECONDARY, "trung hoc pho thong": SchoolLevel.UPPER_SECONDARY,
                "lien cap": SchoolLevel.MULTI_LEVEL, "gdtx": SchoolLevel.CONTINUING, "gdnn - gdtx": SchoolLevel.CONTINUING,
                "gdnn-gdtx": SchoolLevel.CONTINUING, "cao dang": SchoolLevel.HIGHER, "dai hoc": SchoolLevel.HIGHER})

_SCHOOL_YEAR = re.compile(r"^\s*(\d{4})\s*[-–/]\s*(\d{4})\s*$")


def parse_school_year(value) -> int:
    """'2022-2023' (also 2022 - 2023, 2022/2023) -> 2022. A lone year is ambiguous and refused."""
    text = _text(value)
    if not text:
        raise ValueError("Thiếu năm học.")
    match = _SCHOOL_YEAR.match(text)
    if not match:
        raise ValueError(f"Năm học '{text}' không hợp lệ: ghi dạng 2022-2023.")
    first, second = int(match.group(1)), int(match.group(2))
    if second != first + 1 or not 1900 <= first <= 2200:
        raise ValueError(f"Năm học '{text}' không hợp lệ: hai năm phải liền nhau, vd 2022-2023.")
    return first


def _count(value) -> int | None:
    """A count as written in the plans: 1.310, 1310, '-' for none."""
    text = _text(value)
    if text in ("-", "–"):
        return 0
    return parse_whole_number(value)


class _SchoolScopeMixin:
    """Commune and school look-ups with the user's scope: another branch is answered as unknown.
    `communes_on` reads commune codes as they were on that day (a list of a past school year, whose
    communes may have been merged since); without it, the communes in force today."""

    communes_on = None

    def find_commune(self, code: str) -> Unit | None:
        cache = self.__dict__.setdefault("_communes", {})
        if code not in cache:
            units = Unit.objects.valid_on(self.communes_on) if self.communes_on else Unit.objects.current()
            unit = units.select_related("level").filter(code=code).first()
            if unit is not None and self.user is not None and not access.can_view(self.user, unit):
                unit = None
            cache[code] = unit
        return cache[code]


class SchoolResource(_SchoolScopeMixin, _RowResource):
    code = fields.Field(attribute="code", column_name="code")
    name = fields.Field(attribute="name", column_name="name")
    level = fields.Field(column_name="level")
    commune_code = fields.Field(column_name="commune_code")
    commune_name = fields.Field(column_name="commune_name")
    valid_from = fields.Field(column_name="valid_from")
    valid_to = fields.Field(column_name="valid_to")

    columns = SCHOOL_COLUMNS
    duplicate_hint = "cùng mã trường"

    class Meta:
        model = School
        fields = ("code", "name", "level", "commune_code", "commune_name", "valid_from", "valid_to")
        import_id_fields = ("code",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = False

    def get_export_queryset(self, request=None, **kwargs):
        return School.objects.select_related("commune").order_by("commune__path", "code", "valid_from")

    def dehydrate_level(self, school):
        return school.get_level_display() if school.level else ""

    def dehydrate_commune_code(self, school):
        return school.commune.code

    def dehydrate_commune_name(self, school):
        return school.commune.name

    def dehydrate_valid_from(self, school):
        return school.valid_from.strftime("%d/%m/%Y") if school.valid_from else ""

    def dehydrate_valid_to(self, school):
        return school.valid_to.strftime("%d/%m/%Y") if school.valid_to else ""

    def snapshot(self, instance):
        return (instance.code, instance.name, instance.level, instance.commune_id, instance.valid_from,
                instance.valid_to)

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, str] = {}
        code, name = _text(row.get("code")), _text(row.get("name"))
        if not code:
            errors["code"] = "Thiếu mã trường."
        if not name:
            errors["name"] = "Thiếu tên trường."
        level = ""
        if _text(row.get("level")):
            level = _LEVELS.get(fold_text(_text(row.get("level"))), None)
            if level is None:
                errors["level"] = (f"Cấp học '{_text(row.get('level'))}' không hợp lệ (dùng: "
                                   f"{', '.join(SchoolLevel.labels)}).")
        dates = {}
        for key, label in (("valid_from", "Ngày bắt đầu hoạt động"), ("valid_to", "Ngày ngừng hoạt động")):
            try:
                dates[key] = parse_date(row.get(key), label=label)
            except ValueError as exc:
                errors[key] = f"{exc}."
        commune_code = _text(row.get("commune_code"))
        commune = None
        if not commune_code:
            errors["commune_code"] = "Thiếu mã xã."
        else:
            commune = self.find_commune(commune_code)
            if commune is None:
                errors["commune_code"] = f"Không có xã, phường mã '{commune_code}'."
        if code:
            self.note_duplicate((code, dates.get("valid_to")), kwargs.get("row_number"), errors, "code")
        if errors:
            raise self._errors(errors)
        existing = None
        if dates.get("valid_to"):
            existing = School.objects.filter(code=code, valid_to=dates["valid_to"]).select_related("commune").first()
        if existing is None:
            existing = School.objects.current().filter(code=code).select_related("commune").first()
        if existing is not None and self.user is not None and not access.can_view(self.user, existing.commune):
            raise self._errors({"code": f"Mã trường '{code}' đã được dùng cho một trường ngoài phạm vi của bạn; "
                                        "hãy dùng mã khác."})
        before = self.snapshot(existing) if existing is not None else None
        try:
            school = services.school_prepare(school=existing, code=code, name=name, commune=commune, level=level,
                                             valid_from=dates.get("valid_from"), valid_to=dates.get("valid_to"),
                                             by=self.user)
        except PermissionDenied as exc:
            raise self._errors({"commune_code": str(exc)}) from exc
        except ValidationError as exc:
            raise self._errors({{"commune": "commune_code"}.get(k, k): " ".join(v)
                                for k, v in exc.message_dict.items()}) from exc
        for f in School._meta.concrete_fields:
            setattr(instance, f.attname, getattr(school, f.attname))
        instance._state.adding = existing is None
        instance._import_snapshot = before
        self._row_existed = existing is not None

    def do_instance_save(self, instance, is_create):
        try:
            services.school_save(school=instance, by=self.user)
        except ValidationError as exc:
            raise self._errors({"code": " ".join(exc.messages)}) from exc


class SchoolFiguresResource(_SchoolScopeMixin, _RowResource):
    school_code = fields.Field(column_name="school_code")
    school_name = fields.Field(column_name="school_name")
    school_year = fields.Field(column_name="school_year")
    pupils = fields.Field(attribute="pupils", column_name="pupils")
    insured = fields.Field(column_name="insured")
    insured_other_group = fields.Field(attribute="insured_other_group", column_name="insured_other_group")
    insured_at_school = fields.Field(attribute="insured_at_school", column_name="insured_at_school")
    source = fields.Field(attribute="source", column_name="source")

    columns = FIGURES_COLUMNS
    number_columns = ("pupils", "insured", "insured_other_group", "insured_at_school")
    duplicate_hint = "cùng trường và năm học"

    class Meta:
        model = SchoolFigures
        fields = ("school_code", "school_name", "school_year", "pupils", "insured", "insured_other_group",
                  "insured_at_school", "source")
        import_id_fields = ("school_code", "school_year")
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = False

    def get_export_queryset(self, request=None, **kwargs):
        return SchoolFigures.objects.select_related("school__commune").order_by(
            "school_year", "school__commune__path", "school__code")

    def dehydrate_school_code(self, figures):
        return figures.school.code

    def dehydrate_school_name(self, figures):
        return figures.school.name

    def dehydrate_school_year(self, figures):
        return school_year_label(figures.school_year)

    def find_school(self, code: str, school_year: int | None) -> School | None:
        cache = self.__dict__.setdefault("_schools", {})
        key = (code, school_year)
        if key not in cache:
            candidates = list(School.objects.filter(code=code).select_related("commune__level"))
            school = None
            if school_year is not None:
                import datetime

                first, last = datetime.date(school_year, 9, 1), datetime.date(school_year + 1, 8, 31)
                school = next((s for s in candidates if (s.valid_from is None or s.valid_from <= last)
                               and (s.valid_to is None or s.valid_to >= first)), None)
            if school is None:
                school = next((s for s in candidates if s.valid_to is None), None)
            if school is not None and self.user is not None and not access.can_view(self.user, school.commune):
                school = None
            cache[key] = school
        return cache[key]

    def snapshot(self, instance):
        return (instance.school_id, instance.school_year, instance.pupils, instance.insured_other_group,
                instance.insured_at_school, instance.source)

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, str] = {}
        school_year = None
        try:
            school_year = parse_school_year(row.get("school_year"))
        except ValueError as exc:
            errors["school_year"] = str(exc)
        code = _text(row.get("school_code"))
        school = None
        if not code:
            errors["school_code"] = "Thiếu mã trường."
        else:
            school = self.find_school(code, school_year)
            if school is None:
                errors["school_code"] = f"Không có trường mã '{code}'."
        values: dict[str, int | None] = {}
        for name in ("pupils", "insured_other_group", "insured_at_school", "insured"):
            try:
                values[name] = _count(row.get(name)) if name in row else None
            except ValueError as exc:
                errors[name] = f"{exc}."
                continue
            if values[name] is not None and values[name] < 0:
                label = "tổng số học sinh đã tham gia BHYT" if name == "insured" else (
                    SchoolFigures._meta.get_field(name).verbose_name)
                errors[name] = f"{label.capitalize()} {format_number(values[name])} không được âm."
        if values.get("insured_at_school") is None and "insured_at_school" not in errors:
            errors["insured_at_school"] = "Thiếu số học sinh tham gia tại trường (ghi 0 nếu không có)."
        parts_ok = not ({"insured", "insured_other_group", "insured_at_school"} & errors.keys())
        if parts_ok and values.get("insured") is not None and values.get("insured_at_school") is not None:
            total = (values.get("insured_other_group") or 0) + values["insured_at_school"]
            if total != values["insured"]:
                errors["insured"] = (f"Tổng số đã tham gia BHYT {format_number(values['insured'])} khác tổng hai cột "
                                     f"theo nhóm người khác và tại trường ({format_number(total)}).")
        if school is not None and school_year is not None:
            self.note_duplicate((school.pk, school_year), kwargs.get("row_number"), errors, "school_code")
        if errors:
            raise self._errors(errors)
        existing = SchoolFigures.objects.filter(school=school, school_year=school_year).first()
        before = self.snapshot(existing) if existing is not None else None
        source = _text(row.get("source")) if row.get("source") not in (None, "") else None
        try:
            figures = services.school_figures_prepare(
                figures=existing, school=school, school_year=school_year, pupils=values.get("pupils"),
                insured_other_group=values.get("insured_other_group"), insured_at_school=values["insured_at_school"],
                source=source, by=self.user)
        except PermissionDenied as exc:
            raise self._errors({"school_code": str(exc)}) from exc
        except ValidationError as exc:
            raise self._errors({k: " ".join(v) for k, v in exc.message_dict.items()}) from exc
        for f in SchoolFigures._meta.concrete_fields:
            setattr(instance, f.attname, getattr(figures, f.attname))
        instance._state.adding = existing is None
        instance._import_snapshot = before
        self._row_existed = existing is not None

    def do_instance_save(self, instance, is_create):
        services.school_figures_save(figures=instance, by=self.user)


# The guide sheet of the blank templates (/don-vi/chi-tieu/mau/truong-hoc.xlsx, .../hoc-sinh-bhyt.xlsx).
SCHOOL_TEMPLATE_HELP = [
    ("Mã trường", "Mã của trường (bắt buộc, không trùng); nhập lại cùng mã là cập nhật trường đó."),
    ("Tên trường", "Tên đầy đủ, vd 'Trường TH Mỹ Cẩm' (bắt buộc)."),
    ("Cấp học", "Mầm non, Tiểu học (TH), THCS, THPT, Liên cấp, GDTX, Cao đẳng, đại học hoặc Khác; có thể để trống."),
    ("Mã xã", "Mã của xã, phường, thị trấn nơi trường đóng, như trong danh mục đơn vị (bắt buộc)."),
    ("Xã, phường", "Để người đọc dễ theo dõi; khi nhập không dùng cột này."),
    ("Hoạt động từ", "Ngày bắt đầu hoạt động (dd/mm/yyyy); có thể để trống."),
    ("Hoạt động đến", "Ngày giải thể, sáp nhập (dd/mm/yyyy); để trống nếu đang hoạt động."),
]
FIGURES_TEMPLATE_HELP = [
    ("Mã trường", "Mã của trường như trong danh sách trường học (bắt buộc)."),
    ("Tên trường", "Để người đọc dễ theo dõi; khi nhập không dùng cột này."),
    ("Năm học", "Dạng 2022-2023 (bắt buộc)."),
    ("Tổng số học sinh", "Số học sinh của trường, vd 1.310 (bắt buộc)."),
    ("Tổng số học sinh đã tham gia BHYT", "Có thể để trống; nếu ghi thì phải bằng tổng hai cột sau."),
    ("Học sinh tham gia theo nhóm người khác", "Có thẻ BHYT theo nhóm khác (hộ gia đình, hộ nghèo, cận nghèo...); "
                                               "để trống là 0."),
    ("Học sinh tham gia tại trường", "Tham gia BHYT học sinh tại trường (bắt buộc; ghi 0 hoặc '-' nếu không có)."),
    ("Nguồn số liệu", "Vd: Phòng GD&ĐT, số liệu 30/6/2023."),
]
