"""django-import-export resources for the unit tree (admin and `manage.py import_data units`)."""

import datetime

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets

from bhxh_portal.imports import parse_date, rename_headers

from . import services
from .models import Unit, UnitLevel, fold_text

UNIT_HEADER_ALIASES = {
    "code": ["mã", "mã đơn vị", "ma don vi", "mã số"],
    "name": ["tên", "tên đơn vị"],
    "level": ["cấp", "cấp hành chính"],
    "parent_code": ["mã cấp trên", "mã đơn vị cấp trên", "parent"],
    "official": ["mã chính thức"],
    "valid_from": ["hiệu lực từ"],
    "valid_to": ["hiệu lực đến"],
}


class LevelWidget(widgets.Widget):
    """Accepts the level code (tinh, huyen, xa, thon) or its Vietnamese names (Tỉnh, Huyện, Thị xã...)."""

    def __init__(self):
        super().__init__()
        self._by_name = None

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            raise ValueError("Thiếu cấp hành chính.")
        if self._by_name is None:
            self._by_name = {}
            for level in UnitLevel.objects.prefetch_related("parent_levels"):
                for name in level.accepted_names():
                    self._by_name.setdefault(name, level)
        level = self._by_name.get(fold_text(str(value)))
        if level is None:
            raise ValueError(f"Không có cấp hành chính '{value}' (dùng tinh, huyen, xa, thon hoặc Tỉnh, Huyện, Xã, Thôn).")
        return level

    def render(self, value, obj=None, **kwargs):
        return value.code if value else ""


class ParentWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        code = _code_text(value)
        parent = Unit.objects.current().select_related("level").filter(code=code).first()
        if parent is None:
            raise ValueError(f"Không có đơn vị cấp trên mã '{code}' (trong hệ thống hoặc ở các dòng trên).")
        return parent

    def render(self, value, obj=None, **kwargs):
        return value.code if value else ""


class YesNoWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return True
        text = fold_text(str(value))
        if text in {"1", "co", "x", "true", "yes"}:
            return True
        if text in {"0", "khong", "false", "no"}:
            return False
        raise ValueError(f"'{value}' không hợp lệ: ghi 'có' hoặc 'không'.")

    def render(self, value, obj=None, **kwargs):
        return "có" if value else "không"


class DateWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return parse_date(value)

    def render(self, value, obj=None, **kwargs):
        return value.strftime("%d/%m/%Y") if isinstance(value, datetime.date) else ""


def _code_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class UnitResource(resources.ModelResource):
    code = fields.Field(attribute="code", column_name="code")
    name = fields.Field(attribute="name", column_name="name")
    level = fields.Field(attribute="level", column_name="level", widget=LevelWidget())
    parent_code = fields.Field(attribute="parent", column_name="parent_code", widget=ParentWidget())
    official = fields.Field(attribute="code_is_official", column_name="official", widget=YesNoWidget())
    valid_from = fields.Field(attribute="valid_from", column_name="valid_from", widget=DateWidget())
    valid_to = fields.Field(attribute="valid_to", column_name="valid_to", widget=DateWidget())

    class Meta:
        model = Unit
        fields = ("code", "name", "level", "parent_code", "official", "valid_from", "valid_to")
        import_id_fields = ("code",)
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        skip_diff = False

    required_columns = ["code", "name", "level", "parent_code"]
    header_aliases = UNIT_HEADER_ALIASES

    def get_queryset(self):
        return Unit.objects.current().select_related("level", "parent")

    def get_export_queryset(self, request=None, **kwargs):
        return Unit.objects.select_related("level", "parent").order_by("path")

    def before_import(self, dataset, **kwargs):
        """Parents first (by level rank), so a file may list units in any order; codes as text."""
        rename_headers(dataset, self.header_aliases, required=self.required_columns,
                       filename=kwargs.get("filename") or kwargs.get("file_name") or "tệp tải lên")
        ranks = {}
        for level in UnitLevel.objects.all():
            for name in level.accepted_names():
                ranks.setdefault(name, (level.rank, level.code_digits))
        headers = dataset.headers
        code_i, level_i = headers.index("code"), headers.index("level")
        parent_i = headers.index("parent_code") if "parent_code" in headers else None
        original = [list(row) for row in dataset]
        keyed = []
        for position, row in enumerate(original, start=1):
            rank, digits = ranks.get(fold_text(str(row[level_i] or "")), (99, None))
            row[code_i] = _restore_code(row[code_i], digits)
            if parent_i is not None and isinstance(row[parent_i], (int, float)):
                row[parent_i] = _code_text(row[parent_i])
            keyed.append((rank, position, row))
        keyed.sort(key=lambda item: (item[0], item[1]))
        dataset.wipe()
        dataset.headers = headers
        self.line_numbers = {}
        for new_position, (_, position, row) in enumerate(keyed, start=1):
            dataset.append(row)
            self.line_numbers[new_position] = position + 1  # the header is line 1
        self._codes_seen = {}

    def before_import_row(self, row, **kwargs):
        code = row.get("code")
        if code in (None, ""):
            raise ValidationError({"code": "Thiếu mã đơn vị."})
        line = self.line_numbers.get(kwargs.get("row_number"), None)
        if code in self._codes_seen:
            raise ValidationError({"code": f"Mã '{code}' trùng với dòng {self._codes_seen[code]}."})
        self._codes_seen[code] = line

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        errors = {}
        if not (instance.name or "").strip():
            errors["name"] = "Tên đơn vị không được để trống."
        elif instance.level_id:
            errors.update(services.unit_placement_errors(unit=instance))
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # Path and search fields are derived on save; uniqueness of current codes is checked in before_import_row.
        super().validate_instance(instance, import_validation_errors, validate_unique=False)

    def do_instance_save(self, instance, is_create):
        services.unit_save(unit=instance)

    def save_m2m(self, instance, row, **kwargs):
        return None


def _restore_code(value, digits: int | None) -> str:
    """A code Excel turned into a number (1 for '01') gets its leading zeros back from the level's length."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = _code_text(value)
        return text.zfill(digits) if digits and len(text) < digits else text
    return str(value).strip()
