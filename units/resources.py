"""django-import-export resources for the unit tree (admin, `manage.py import_data units`, and the
administrators' unit import in the portal, which passes the user: see UnitResource.user)."""

import datetime

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets

from bhxh_portal.exports import SafeExportMixin
from bhxh_portal.importing import ColumnSpec
from bhxh_portal.imports import CheckedImportMixin, parse_date
from bhxh_portal.importing.codes import code_text as _code_text
from bhxh_portal.importing.codes import pad_code

from . import access
from . import services
from .models import Unit, UnitLevel
from bhxh_portal.search import fold_text

UNIT_COLUMNS = [
    ColumnSpec("code", "Mã đơn vị", ("mã", "mã số"), required=True, model=Unit),
    ColumnSpec("name", "Tên đơn vị", ("tên",), required=True, model=Unit),
    ColumnSpec("level", "Cấp", ("cấp hành chính",), required=True),
    ColumnSpec("parent_code", "Mã cấp trên", ("mã đơn vị cấp trên", "parent"), required=True),
    ColumnSpec("official", "Mã chính thức"),
    ColumnSpec("valid_from", "Hiệu lực từ", model=Unit),
    ColumnSpec("valid_to", "Hiệu lực đến", model=Unit),
    ColumnSpec("predecessors", "Đơn vị trước sắp xếp", ("mã đơn vị trước sắp xếp", "đơn vị cũ", "mã đơn vị cũ")),
]
# How the other imports (targets, denominators, monthly results) name the unit of a row.
UNIT_CODE_COLUMN = ColumnSpec("unit_code", "Mã đơn vị", ("mã", "mã số đơn vị", "mã đv"), required=True)
UNIT_NAME_COLUMN = ColumnSpec("unit_name", "Tên đơn vị", ("đơn vị", "xã, phường", "xã, thị trấn"))


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
    """The parent by its code: the current unit with that code, or for a closed unit (valid_to given)
    the unit with that code in force on its last day."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        code = _code_text(value)
        units = Unit.objects.select_related("level").filter(code=code)
        last_day = _date_or_none((row or {}).get("valid_to"))
        parent = (units.valid_on(last_day) if last_day else units.current()).first()
        if parent is None:
            raise ValueError(f"Không có đơn vị cấp trên mã '{code}' (trong hệ thống hoặc trong tệp).")
        return parent

    def render(self, value, obj=None, **kwargs):
        return value.code if value else ""


class YesNoWidget(widgets.Widget):
    """có/không; empty means 'decide from the code' (see UnitResource.import_instance)."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
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
        return parse_date(value, label="Ngày")

    def render(self, value, obj=None, **kwargs):
        return value.strftime("%d/%m/%Y") if isinstance(value, datetime.date) else ""


def _date_or_none(value):
    try:
        return parse_date(value)
    except ValueError:
        return None


class UnitResource(SafeExportMixin, CheckedImportMixin, resources.ModelResource):
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

    columns = UNIT_COLUMNS

    def __init__(self, user=None, **kwargs):
        """With a user, every row must lie in the subtrees the user administers (a new unit under
        one of their units, a change to a unit below their own); other rows are refused with a
        reason that names nothing outside. Without one (superusers' admin, CLI, demo) the system writes."""
        super().__init__(**kwargs)
        self.user = user

    def get_queryset(self):
        return Unit.objects.current().select_related("level", "parent")

    def get_export_queryset(self, request=None, **kwargs):
        return Unit.objects.select_related("level", "parent").order_by("path", "valid_from")

    def get_instance(self, instance_loader, row):
        """The unit with this code: the closed one whose last day is valid_to if the row gives one
        (so an exported history re-imports onto itself), otherwise the current one."""
        units = Unit.objects.select_related("level", "parent").filter(code=row.get("code"))
        last_day = _date_or_none(row.get("valid_to"))
        if last_day:
            closed = units.filter(valid_to=last_day).first()
            if closed is not None:
                return closed
        return units.current().first()

    def before_import(self, dataset, **kwargs):
        """Parents first (by level rank), so a file may list units in any order; codes as text,
        with the leading zeros Excel dropped put back (1 -> '01' for a province)."""
        by_name = {}
        for level in UnitLevel.objects.prefetch_related("parent_levels"):
            for name in level.accepted_names():
                by_name.setdefault(name, level)
        headers = dataset.headers
        code_i, level_i, parent_i = headers.index("code"), headers.index("level"), headers.index("parent_code")
        rows = [list(row) for row in dataset]
        row_levels = [by_name.get(fold_text(str(row[level_i] or ""))) for row in rows]
        for row, level in zip(rows, row_levels):
            row[code_i] = _restore_code(row[code_i], level.code_digits if level else None)
        file_codes = {row[code_i] for row in rows}
        self._ambiguous_parents = self._restore_parent_codes(rows, row_levels, parent_i, file_codes)
        keyed = sorted(
            ((level.rank if level else 99, position, row) for position, (row, level) in
             enumerate(zip(rows, row_levels), start=1)),
            key=lambda item: (item[0], item[1]),
        )
        dataset.wipe()
        dataset.headers = headers
        self.source_rows = {}
        self._file_lines, self._file_levels = {}, {}
        for new_position, (_, position, row) in enumerate(keyed, start=1):
            dataset.append(row)
            self.source_rows[new_position] = position
            self._file_lines.setdefault(row[code_i], position + 1)  # the header is line 1
        for row, level in zip(rows, row_levels):
            self._file_levels.setdefault(row[code_i], level)
        self._codes_seen = {}

    @staticmethod
    def _restore_parent_codes(rows, row_levels, parent_i, file_codes):
        """A parent code Excel turned into a number: try the lengths of the levels allowed above
        this row's level, and keep the one that exists (in the file or the system)."""
        candidates_by_row = {}
        for index, (row, level) in enumerate(zip(rows, row_levels)):
            value = row[parent_i]
            text = _code_text(value) if value not in (None, "") else ""
            row[parent_i] = text or None
            if not text.isdigit() or level is None:
                continue
            lengths = {p.code_digits for p in level.parent_levels.all() if p.code_digits}
            candidates = {text.zfill(n) for n in lengths if len(text) < n}
            if candidates:
                candidates_by_row[index] = candidates
        ambiguous = {}
        if candidates_by_row:
            wanted = set().union(*candidates_by_row.values())
            known = file_codes | set(Unit.objects.current().filter(code__in=wanted).values_list("code", flat=True))
            for index, candidates in candidates_by_row.items():
                if rows[index][parent_i] in known:
                    continue
                found = candidates & known
                if len(found) == 1:
                    rows[index][parent_i] = found.pop()
                elif found:
                    ambiguous[rows[index][parent_i]] = sorted(found)
        return ambiguous

    def before_import_row(self, row, **kwargs):
        code = row.get("code")
        if code in (None, ""):
            raise ValidationError({"code": "Thiếu mã đơn vị."})
        line = self.source_rows.get(kwargs.get("row_number"), 0) + 1
        key = (code, _date_or_none(row.get("valid_to")))
        if key in self._codes_seen:
            raise ValidationError({"code": f"Mã '{code}' trùng với dòng {self._codes_seen[key]}."})
        self._codes_seen[key] = line

    def import_instance(self, instance, row, **kwargs):
        try:
            super().import_instance(instance, row, **kwargs)
            errors = {}
        except ValidationError as exc:
            errors = exc.update_error_dict({})
        if self.user is not None and not self.user.is_superuser:
            refused = self._outside_scope(instance, row, errors)
            if refused:
                raise ValidationError(refused)  # before any message that could describe the unit
        if not (instance.name or "").strip():
            errors.setdefault("name", []).append("Tên đơn vị không được để trống.")
        if "parent" in errors:
            explained = self._explain_missing_parent(instance, row, errors["parent"][0])
            if self.user is not None and explained == errors["parent"][0]:
                explained = self._unknown_parent(row)
            errors["parent"] = [explained]
        if row.get("official") in (None, "") and ("official" in row or instance.pk is None):
            instance.code_is_official = None  # decided from the code below
        if instance.level_id and "level" not in errors:
            self._decide_official(instance)
            if "parent" not in errors:
                errors.update({k: [v] for k, v in services.unit_placement_errors(unit=instance).items()})
        if instance.code_is_official is None:  # only when the level is unknown; the row fails anyway
            instance.code_is_official = False
        instance._imported_predecessors, predecessor_errors = self._predecessors(instance, row)
        if predecessor_errors:
            errors["predecessors"] = predecessor_errors
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _predecessors(instance, row) -> tuple[list[Unit], list[str]]:
        """The units of the 'predecessors' column (codes separated by commas): each the unit with that
        code that ended the day before this one starts, else the latest ended one."""
        text = row.get("predecessors")
        if text in (None, ""):
            return [], []
        codes = [_code_text(c) for c in str(text).replace(";", ",").split(",") if str(c).strip()]
        found, errors = [], []
        for code in codes:
            units = Unit.objects.filter(code=code).exclude(pk=instance.pk).exclude(valid_to__isnull=True)
            day_before = instance.valid_from - datetime.timedelta(days=1) if instance.valid_from else None
            unit = (units.filter(valid_to=day_before).first() if day_before else None) or \
                units.order_by("-valid_to").first()
            if unit is None:
                errors.append(f"Không có đơn vị đã hết hiệu lực mang mã '{code}' để làm đơn vị trước sắp xếp "
                              "(hãy nhập đơn vị cũ, có ngày hết hiệu lực, trước).")
            else:
                found.append(unit)
        return found, errors

    @staticmethod
    def _unknown_parent(row) -> str:
        # One message for a code that exists nowhere and one outside the user's subtrees.
        return f"Không có đơn vị cấp trên mã '{_code_text(row.get('parent_code'))}' trong phạm vi quản lý của bạn."

    def _outside_scope(self, instance, row, errors) -> dict[str, list[str]]:
        """The refusals of a row for a user who administers only some subtrees."""
        if instance.pk is not None and not access.can(self.user, "units.change", instance):
            if not access.can(self.user, "administration.manage", instance):
                return {"code": [f"Mã đơn vị '{instance.code}' đã được dùng ngoài phạm vi quản lý của bạn; "
                                 "không nhập được dòng này."]}
            if self._changes_stored_unit(instance, row):
                return {"code": [f"{instance.name} là đơn vị bạn được giao quản trị: chỉ cấp trên sửa được "
                                 "đơn vị này; trong tệp chỉ để nguyên dòng của nó hoặc bỏ dòng đó đi."]}
            return {}
        if "parent" in errors:
            return {}  # unknown parent: explained with the file's own lines below
        if instance.parent_id is None:
            return {"parent": ["Thiếu mã cấp trên: bạn chỉ thêm được đơn vị thuộc phạm vi quản lý của mình."]}
        if not access.can(self.user, "administration.manage", instance.parent):
            return {"parent": [self._unknown_parent(row)]}
        return {}

    @staticmethod
    def _changes_stored_unit(instance, row) -> bool:
        stored = Unit.objects.get(pk=instance.pk)
        compared = ["code", "name", "level_id", "parent_id", "valid_from", "valid_to"]
        if row.get("official") not in (None, ""):
            compared.append("code_is_official")
        return any(getattr(stored, name) != getattr(instance, name) for name in compared)

    def _explain_missing_parent(self, instance, row, message) -> str:
        """Why the parent code found no unit, when the file itself tells more than 'not found'."""
        parent_code = _code_text(row.get("parent_code"))
        if parent_code in self._ambiguous_parents:
            choices = " hoặc ".join(f"'{c}'" for c in self._ambiguous_parents[parent_code])
            return (f"Mã cấp trên {parent_code} không rõ là {choices} (Excel đã bỏ số 0 ở đầu); "
                    "hãy ghi mã cấp trên dạng văn bản.")
        if parent_code not in self._file_lines or parent_code == row.get("code"):
            return message
        line, parent_level = self._file_lines[parent_code], self._file_levels.get(parent_code)
        if instance.level_id and parent_level and parent_level not in instance.level.parent_levels.all():
            return (f"Đơn vị cấp {instance.level.name} không thể trực thuộc đơn vị cấp {parent_level.name} "
                    f"(mã '{parent_code}', dòng {line}).")
        return f"Đơn vị cấp trên mã '{parent_code}' (dòng {line}) có lỗi nên chưa nhập được dòng này."

    @staticmethod
    def _decide_official(instance) -> None:
        """An empty 'official' cell is decided from the code: the level's number of digits means official.
        (A code marked official with the wrong length is refused by Unit.clean.)"""
        if instance.code_is_official is None:
            digits = instance.level.code_digits
            instance.code_is_official = bool(digits) and instance.code.isdigit() and len(instance.code) == digits

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # Path and search fields are derived on save; a code used twice in the file is caught in
        # before_import_row, a code used by another current unit by the constraint check here.
        super().validate_instance(instance, import_validation_errors, validate_unique=False)

    def do_instance_save(self, instance, is_create):
        services.unit_save(unit=instance)

    def save_m2m(self, instance, row, **kwargs):
        # links are only added: a file without the column leaves the recorded history alone
        if getattr(instance, "_imported_predecessors", None):
            instance.predecessors.add(*instance._imported_predecessors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        linked = set(instance.predecessors.values_list("pk", flat=True)) if instance.pk else set()
        if any(u.pk not in linked for u in getattr(instance, "_imported_predecessors", [])):
            return False
        return super().skip_row(instance, original, row, import_validation_errors)


def _restore_code(value, digits: int | None) -> str:
    """A code Excel turned into a number (1 for '01'), or a csv saved by Excel ("1"), gets its leading
    zeros back from the level's length: official codes keep their zeros."""
    return "" if value is None else pad_code(_code_text(value), digits)
