"""Bulk upload of monthly results: the web upload for BHXH staff and
`manage.py import_data results FILE`, with the same checks and history as the entry grid.

Columns: unit_code, period (YYYY-MM; also 06/2023 or a date cell), indicator, participants;
optional new (vận động mới), renewing (tái tục), agent (a collection agent of the unit, by name
or code), unit_name (ignored). Vietnamese headers are accepted (Mã đơn vị, Tháng, Chỉ tiêu, Số
người tham gia, Vận động mới, Tái tục, Đại lý thu). Numbers may be written 1.234.

Each problem names the line and the column; with any problem nothing is written
(bhxh_portal.imports.run_resource_import). Refused: a unit outside the uploader's subtree (as
unknown: nothing leaks), a month that is submitted or approved (locked), a month that has not
begun, a non-number, a duplicate row. A row equal to what is stored changes nothing and is not
re-recorded, so uploading the same file twice is harmless even once the month is locked.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from import_export import fields

from bhxh_portal.importing import ColumnSpec, spec_labels
from bhxh_portal.numbers import format_number, parse_whole_number
from targets.models import Indicator
from results.models import MonthlyResult
from units.models import Unit
from units.resources import UNIT_CODE_COLUMN, UNIT_NAME_COLUMN
from targets.resources import _RowResource, _text
from bhxh_portal.search import fold_text
from units import access
from units.periods import Period
from units.selectors.lineage import CodeLookup
from . import services
from .services import BREAKDOWNS, FIELD_LABELS, MonthLocked

# One declaration per column: the template's header, the other headers people write, whether the file
# must have it, the model field whose database limits it fills.
RESULT_COLUMNS = [
    UNIT_CODE_COLUMN,
    UNIT_NAME_COLUMN,
    ColumnSpec("period", "Tháng", ("kỳ", "kỳ báo cáo", "month"), required=True),
    ColumnSpec("indicator", "Chỉ tiêu", ("mã chỉ tiêu",), required=True),
    ColumnSpec("participants", "Số người tham gia",
               ("tổng số người tham gia", "số người", "người tham gia", "tham gia"), required=True,
               model=MonthlyResult),
    ColumnSpec("new", "Vận động mới", ("mới", "tăng mới", "new_participants"), model=MonthlyResult,
               model_field="new_participants"),
    ColumnSpec("renewing", "Tái tục", ("tiếp tục", "tái tục (tiếp tục)"), model=MonthlyResult),
    ColumnSpec("agent", "Đại lý thu", ("đại lý", "tên đại lý", "mã đại lý")),
]
RESULT_TEMPLATE_HEADERS = spec_labels(RESULT_COLUMNS)

TEMPLATE_HELP = [
    ("Mã đơn vị", "Mã của xã, thôn, huyện như trong danh mục đơn vị (bắt buộc)."),
    ("Tên đơn vị", "Để người đọc dễ theo dõi; khi nhập không dùng cột này."),
    ("Tháng", "Tháng của số liệu, dạng YYYY-MM (vd 2023-06) hoặc 06/2023 (bắt buộc); không nhập tháng chưa đến."),
    ("Chỉ tiêu", "Mã chỉ tiêu: bhyt, bhyt_hgd, bhyt_can_ngheo, bhyt_hoc_sinh, bhxh, bhxh_bb, bhxh_tn, bhtn (bắt buộc)."),
    ("Số người tham gia", "Số người tham gia đến cuối tháng, vd 12.787 (bắt buộc)."),
    ("Vận động mới", "Số người vận động mới lũy kế từ đầu năm; để trống nếu không rõ."),
    ("Tái tục", "Số người tái tục (tiếp tục) lũy kế từ đầu năm; để trống nếu không rõ."),
    ("Đại lý thu", "Tên hoặc mã đại lý thu của đơn vị nếu là kết quả của đại lý; để trống nếu là của đơn vị."),
]


def parse_month(value) -> Period:
    """'2023-06', '2023-6', '06/2023', '6/2023', 'T6/2023', or a date cell (Excel turns 2023-06 into
    1/6/2023)."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return Period.containing(value)
    text = _text(value)
    if not text:
        raise ValueError("Thiếu tháng (dạng YYYY-MM, vd 2023-06).")
    cleaned = fold_text(text).replace("thang", "").replace("t", "").strip()
    for separator in ("/", "-", "."):
        parts = [p.strip() for p in cleaned.split(separator)]
        if len(parts) == 2 and all(p.isdigit() for p in parts):
            first, second = parts
            year, number = (int(first), int(second)) if len(first) == 4 else (int(second), int(first))
            try:
                return Period.month(year, number)
            except ValueError:
                break
    raise ValueError(f"Tháng '{text}' không hợp lệ: ghi dạng YYYY-MM, vd 2023-06.")


class ResultResource(_RowResource):
    unit_code = fields.Field(column_name="unit_code")
    unit_name = fields.Field(column_name="unit_name")
    period = fields.Field(column_name="period")
    indicator = fields.Field(column_name="indicator")
    participants = fields.Field(attribute="participants", column_name="participants")
    new = fields.Field(attribute="new_participants", column_name="new")
    renewing = fields.Field(attribute="renewing", column_name="renewing")
    agent = fields.Field(column_name="agent")

    columns = RESULT_COLUMNS
    duplicate_hint = "cùng đơn vị, đại lý, tháng và chỉ tiêu"
    number_columns = ("participants", "new", "renewing")

    class Meta:
        model = MonthlyResult
        fields = ("unit_code", "unit_name", "period", "indicator", "participants", "new", "renewing", "agent")
        import_id_fields = ("unit_code", "period", "indicator")
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = False

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self._agents: dict[tuple, object] = {}

    # --- export (the same columns: a downloaded month can be corrected and uploaded again) ------
    def get_export_queryset(self, request=None, **kwargs):
        return MonthlyResult.objects.select_related("unit", "agent", "indicator").order_by(
            "year", "month", "unit__path", "agent__name", "indicator__display_order")

    def dehydrate_unit_code(self, result):
        return result.unit.code

    def dehydrate_unit_name(self, result):
        return result.agent.name if result.agent_id else result.unit.name

    def dehydrate_period(self, result):
        return result.period.key

    def dehydrate_indicator(self, result):
        return result.indicator.code

    def dehydrate_agent(self, result):
        return (result.agent.code or result.agent.name) if result.agent_id else ""

    # --- lookups ---------------------------------------------------------------------------
    def unit_refusal(self, found: CodeLookup, code: str) -> str:
        return found.error  # "... trong phạm vi của bạn" for an uploader: the scope is part of the reason

    def find_agent(self, unit: Unit, name: str):
        key = (unit.pk, fold_text(name))
        if key not in self._agents:
            from agents.models import Agent

            self._agents[key] = next(
                (a for a in Agent.objects.filter(unit=unit)
                 if fold_text(a.name) == fold_text(name) or (a.code and fold_text(a.code) == fold_text(name))), None)
        return self._agents[key]

    # --- import ----------------------------------------------------------------------------
    def _whole(self, row, column: str, errors: dict, *, required: bool = False) -> int | None:
        label = FIELD_LABELS["participants" if column == "participants" else
                             "new_participants" if column == "new" else "renewing"]
        try:
            value = parse_whole_number(row.get(column)) if column in row else None
        except ValueError as exc:
            errors[column] = f"{label.capitalize()}: {exc}."
            return None
        if value is None:
            if required:
                errors[column] = f"Thiếu {label}."
            return None
        if value < 0:
            errors[column] = f"{label.capitalize()} {format_number(value)} không được âm."
            return None
        return value

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, str] = {}
        month = None
        try:
            month = parse_month(row.get("period"))
        except ValueError as exc:
            errors["period"] = str(exc)
        unit = self.parse_unit(row, month, errors)
        if unit is not None and self.user is not None and not access.can(self.user, "results.import", unit):
            errors["unit_code"] = f"Bạn không có quyền nhập kết quả của {unit.name}."
        indicator = None
        if not _text(row.get("indicator")):
            errors["indicator"] = "Thiếu chỉ tiêu."
        else:
            indicator = self.find_indicator(row.get("indicator"))
            if indicator is None:
                known = ", ".join(sorted(i.code for i in Indicator.objects.all() if i.code not in BREAKDOWNS))
                errors["indicator"] = f"Không có chỉ tiêu '{_text(row.get('indicator'))}' (dùng mã: {known})."
            elif indicator.code in BREAKDOWNS:
                whole, field_name = BREAKDOWNS[indicator.code]
                column = "cột Vận động mới" if field_name == "new_participants" else "cột Tái tục"
                errors["indicator"] = f"Chỉ tiêu {indicator.code} ghi ở {column} của dòng chỉ tiêu {whole}."
        agent = None
        agent_name = _text(row.get("agent"))
        if agent_name and unit is not None:
            agent = self.find_agent(unit, agent_name)
            if agent is None:
                errors["agent"] = f"{unit.name} không có đại lý thu '{agent_name}'."
        participants = self._whole(row, "participants", errors, required=True)
        new = self._whole(row, "new", errors)
        renewing = self._whole(row, "renewing", errors)
        if unit is not None and month is not None and indicator is not None:
            self.note_duplicate((unit.pk, agent.pk if agent else None, indicator.pk, month), kwargs.get("row_number"),
                                errors, "indicator")
        if errors:
            raise self._errors(errors)

        existing = services.find_result(unit=unit, indicator=indicator, month=month, agent=agent)
        values = (participants, new, renewing)
        unchanged = existing is not None and existing.values() == values
        if not unchanged:
            try:
                services.check_result(unit=unit, indicator=indicator, month=month, agent=agent, by=self.user)
            except PermissionDenied as exc:
                raise self._errors({"unit_code": str(exc)}) from exc
            except MonthLocked as exc:
                raise self._errors({"period": exc.message}) from exc
            except ValidationError as exc:
                column_of = {"month": "period", "unit": "unit_code", "agent": "agent", "indicator": "indicator"}
                problems = {column_of.get(k, k): " ".join(v) for k, v in exc.message_dict.items()}
                raise self._errors(problems) from exc
        target = existing or MonthlyResult(unit=unit, agent=agent, indicator=indicator, year=month.year,
                                           month=month.number)
        for f in MonthlyResult._meta.concrete_fields:
            setattr(instance, f.attname, getattr(target, f.attname))
        instance.unit, instance.agent, instance.indicator = unit, agent, indicator
        instance.participants, instance.new_participants, instance.renewing = values
        instance._state.adding = existing is None
        instance._import_unchanged = unchanged
        instance._import_month = month
        self._row_existed = existing is not None

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors:
            return False
        return bool(getattr(instance, "_import_unchanged", False))

    def do_instance_save(self, instance, is_create):
        outcome = services.result_save(
            unit=instance.unit, indicator=instance.indicator, month=instance._import_month, agent=instance.agent,
            participants=instance.participants, new_participants=instance.new_participants,
            renewing=instance.renewing, expected_version=None, by=self.user,
            reason=f"Nhập từ tệp {self.filename}")
        if outcome.result is not None:
            instance.pk = outcome.result.pk

