"""Import and export of denominators and targets (admin, web upload, `manage.py import_data`).

Files have one row per unit and year (demographics) or per unit, period, indicator and kind
(targets). Headers may be the canonical names (unit_code, year, ...) or the Vietnamese ones of
the blank templates (Mã đơn vị, Năm, ...). Numbers may be written the Vietnamese way (148.806;
95,00). Each problem names the line and the column as the file wrote it; with any problem
nothing is written (bhxh_portal.imports.run_resource_import). With a `user`, each row must be
one the user may write (units.access); without one (CLI, demo) the system writes.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from import_export import fields, resources

from bhxh_portal.exports import SafeExportMixin
from bhxh_portal.importing import ColumnSpec, cell_text, spec_labels
from bhxh_portal.imports import CheckedImportMixin, ImportFileError
from bhxh_portal.numbers import format_number, parse_number, parse_whole_number
from targets import services
from targets.decisions import parse_decision
from targets.models import Demographics, EnteredAs, Indicator, Target, TargetKind
from units.models import Agent, Unit
from units.resources import UNIT_CODE_COLUMN, UNIT_NAME_COLUMN
from bhxh_portal.search import fold_text
from units.periods import Period, parse_period_text
from units.selectors.lineage import CodeLookup, unit_for_code

# One declaration per column: the header of the blank template, the other headers people write, whether
# the file must have it, and the model fields whose database limits it fills (checked on the instance).
TARGET_COLUMNS = [
    UNIT_CODE_COLUMN,
    UNIT_NAME_COLUMN,
    ColumnSpec("year", "Năm", required=True, model=Target),
    ColumnSpec("period", "Kỳ", ("kỳ giao", "thời gian")),
    ColumnSpec("indicator", "Chỉ tiêu", ("mã chỉ tiêu",), required=True),
    ColumnSpec("agent", "Đại lý thu", ("đại lý", "tên đại lý")),
    ColumnSpec("rate_pct", "Tỷ lệ (%)", ("tỷ lệ", "tỷ lệ %", "tỉ lệ", "tỉ lệ (%)", "rate"), model=Target),
    ColumnSpec("count", "Số người", ("số lượng", "số người (người)"), model=Target, fills=("denominator",)),
    ColumnSpec("kind", "Loại (giao/phấn đấu)", ("loại", "loại chỉ tiêu", "giao/phấn đấu")),
    ColumnSpec("decision", "Quyết định giao", ("quyết định", "văn bản", "văn bản giao", "căn cứ"),
               fills=("decision_number", "decision_date", "decision_issuer")),
    ColumnSpec("note", "Ghi chú", model=Target),
    ColumnSpec("entered_as", "Nhập theo"),  # not in the template: an export says how each was entered
]
TARGET_TEMPLATE_HEADERS = spec_labels(TARGET_COLUMNS[:-1])

DEMOGRAPHICS_COLUMNS = [
    UNIT_CODE_COLUMN,
    UNIT_NAME_COLUMN,
    ColumnSpec("year", "Năm", required=True, model=Demographics),
    ColumnSpec("population", "Dân số", ("dân số (người)", "tổng dân số"), model=Demographics),
    ColumnSpec("labour_force", "Lực lượng lao động", ("lực lượng lao động trong độ tuổi", "lllđ", "lao động"),
               model=Demographics),
    ColumnSpec("pupils", "Học sinh, sinh viên", ("học sinh", "số học sinh", "tổng số học sinh"), model=Demographics),
    ColumnSpec("required_to_join", "Thuộc diện BHXH bắt buộc",
               ("thuộc diện tham gia bhxh bắt buộc", "đối tượng bắt buộc"), model=Demographics),
    ColumnSpec("voluntary_eligible", "Thuộc diện BHXH tự nguyện", ("thuộc diện tham gia bhxh tự nguyện",),
               model=Demographics),
    ColumnSpec("bhtn_required", "Thuộc diện tham gia BHTN",
               ("thuộc diện bhtn", "số người thuộc diện tham gia bhtn"), model=Demographics),
    ColumnSpec("source", "Nguồn số liệu", ("nguồn",), model=Demographics),
]
DEMOGRAPHICS_TEMPLATE_HEADERS = spec_labels(DEMOGRAPHICS_COLUMNS)

_KINDS = {
    "giao": TargetKind.ASSIGNED, "duoc giao": TargetKind.ASSIGNED, "assigned": TargetKind.ASSIGNED,
    "phan dau": TargetKind.SELF_SET, "phan_dau": TargetKind.SELF_SET, "pd": TargetKind.SELF_SET,
    "tu dat": TargetKind.SELF_SET, "self set": TargetKind.SELF_SET,
}
_ENTERED_AS = {
    "rate": EnteredAs.RATE, "ty le": EnteredAs.RATE, "ti le": EnteredAs.RATE, "%": EnteredAs.RATE,
    "count": EnteredAs.COUNT, "so nguoi": EnteredAs.COUNT,
}


def _text(value) -> str:
    """A cell as trimmed text, "" when empty (a whole number from Excel without its '.0')."""
    return cell_text(value) or ""


class _RowResource(SafeExportMixin, CheckedImportMixin, resources.ModelResource):
    """What the row importers (targets, denominators, schools, monthly results, holidays) share: their
    `columns` (ColumnSpec), column names as written, unit and indicator lookup with the user's scope,
    duplicate rows, rows that change nothing skipped (not re-recorded), numbers exported as numbers."""

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self._units: dict[str, CodeLookup] = {}
        self._seen: dict[tuple, int] = {}
        self._row_existed = False
        self._indicators: dict[str, Indicator] | None = None
        self.filename = "tệp tải lên"

    # --- file level ------------------------------------------------------------------------
    # CheckedImportMixin has renamed the headers to the canonical names and checked the required
    # ones before this runs; self.column_labels maps each back to the header as written.
    def before_import(self, dataset, **kwargs):
        self.filename = kwargs.get("filename") or kwargs.get("file_name") or self.filename
        if self.user is None and kwargs.get("user") is not None:
            self.user = kwargs["user"]
        self.check_headers(dataset.headers)
        self._seen = {}

    def check_headers(self, headers):
        return None

    def column(self, canonical: str) -> str:
        """The column as the file wrote it, for messages."""
        return (getattr(self, "column_labels", None) or {}).get(canonical, canonical)

    def _errors(self, errors: dict[str, str]) -> ValidationError:
        return ValidationError({self.column(k): v for k, v in errors.items()})

    # --- lookups ---------------------------------------------------------------------------
    def find_unit(self, code: str, period: Period | None) -> CodeLookup:
        """The unit the code names over the period (today without one), within the user's scope."""
        key = f"{code}|{period.key if period else ''}"
        if key not in self._units:
            self._units[key] = unit_for_code(code=code, start=period.start if period else datetime.date.today(),
                                             end=period.end if period else None, user=self.user)
        return self._units[key]

    def parse_unit(self, row, period: Period | None, errors: dict[str, str]) -> Unit | None:
        code = _text(row.get("unit_code"))
        if not code:
            errors["unit_code"] = "Thiếu mã đơn vị."
            return None
        found = self.find_unit(code, period)
        if found.unit is None:
            errors["unit_code"] = self.unit_refusal(found, code)
        return found.unit

    def unit_refusal(self, found: CodeLookup, code: str) -> str:
        return found.error if found.ended else f"Không có đơn vị mã '{code}'."

    def parse_unit_and_year(self, row, errors) -> tuple[Unit | None, int | None]:
        year = None
        try:
            year = parse_whole_number(row.get("year"))
            if year is None:
                errors["year"] = "Thiếu năm."
            elif not 1900 <= year <= 2200:
                errors["year"] = f"Năm {year} không hợp lệ."
                year = None
        except ValueError as exc:
            errors["year"] = f"Năm {exc}."
        return self.parse_unit(row, Period.of_year(year) if year is not None else None, errors), year

    def find_indicator(self, value) -> Indicator | None:
        if self._indicators is None:
            self._indicators = {}
            for indicator in Indicator.objects.all():
                for name in (indicator.code, indicator.short_name, indicator.name):
                    self._indicators.setdefault(fold_text(name), indicator)
        return self._indicators.get(fold_text(_text(value)))

    def note_duplicate(self, key: tuple, row_number: int | None, errors: dict[str, str], column: str) -> None:
        line = (row_number or 0) + 1
        if key in self._seen:
            errors[column] = f"Trùng với dòng {self._seen[key]} ({self.duplicate_hint})."
        else:
            self._seen[key] = line

    duplicate_hint = ""

    # --- import-export hooks ---------------------------------------------------------------
    # Columns exported as the attribute's own value, so numbers stay numbers in an exported xlsx.
    number_columns: tuple[str, ...] = ()

    def export_field(self, field, instance, **kwargs):
        if field.column_name in self.number_columns:
            return getattr(instance, field.attribute or field.column_name)
        return super().export_field(field, instance, **kwargs)

    def get_instance(self, instance_loader, row):
        return None  # looked up in import_instance, once the row is parsed

    def import_instance(self, instance, row, **kwargs):
        raise NotImplementedError

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        self.refuse_unstorable(instance, import_validation_errors)
        if import_validation_errors:
            raise ValidationError(import_validation_errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors:
            return False
        snapshot = getattr(instance, "_import_snapshot", None)
        return snapshot is not None and snapshot == self.snapshot(instance)

    def snapshot(self, instance) -> tuple:
        raise NotImplementedError

    def adopt(self, instance, *, record, existing, before) -> None:
        """import-export holds `instance`: give it the prepared values (and, for an update, the pk)."""
        for f in self._meta.model._meta.concrete_fields:
            setattr(instance, f.attname, getattr(record, f.attname))
        instance._state.adding = existing is None
        instance._import_snapshot = before
        self._row_existed = existing is not None

    def save_m2m(self, instance, row, **kwargs):
        return None

    def import_row(self, row, instance_loader, **kwargs):
        # The stored row is found in import_instance, once the row is parsed; import-export has
        # counted the row as new by then, so an existing one is reported as an update here.
        self._row_existed = False
        row_result = super().import_row(row, instance_loader, **kwargs)
        if row_result.import_type == row_result.IMPORT_TYPE_NEW and self._row_existed:
            row_result.import_type = row_result.IMPORT_TYPE_UPDATE
        return row_result


class DemographicsResource(_RowResource):
    """unit_code, year, population, labour_force (optional: pupils, required_to_join,
    voluntary_eligible, bhtn_required, source). A value column left empty keeps what is stored."""

    unit_code = fields.Field(column_name="unit_code")
    unit_name = fields.Field(column_name="unit_name")
    year = fields.Field(attribute="year", column_name="year")
    population = fields.Field(attribute="population", column_name="population")
    labour_force = fields.Field(attribute="labour_force", column_name="labour_force")
    pupils = fields.Field(attribute="pupils", column_name="pupils")
    required_to_join = fields.Field(attribute="required_to_join", column_name="required_to_join")
    voluntary_eligible = fields.Field(attribute="voluntary_eligible", column_name="voluntary_eligible")
    bhtn_required = fields.Field(attribute="bhtn_required", column_name="bhtn_required")
    source = fields.Field(attribute="source", column_name="source")

    columns = DEMOGRAPHICS_COLUMNS
    number_columns = ("year", *services.DEMOGRAPHIC_FIELDS)
    duplicate_hint = "cùng đơn vị và năm"

    class Meta:
        model = Demographics
        fields = ("unit_code", "unit_name", "year", "population", "labour_force", "pupils", "required_to_join",
                  "voluntary_eligible", "bhtn_required", "source")
        import_id_fields = ("unit_code", "year")
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = False

    def get_export_queryset(self, request=None, **kwargs):
        return Demographics.objects.select_related("unit").order_by("year", "unit__depth", "unit__code")

    def dehydrate_unit_code(self, record):
        return record.unit.code

    def dehydrate_unit_name(self, record):
        return record.unit.name

    def snapshot(self, instance):
        return (instance.unit_id, instance.year, *(getattr(instance, f) for f in services.DEMOGRAPHIC_FIELDS),
                instance.source)

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, str] = {}
        unit, year = self.parse_unit_and_year(row, errors)
        values = {}
        for name in services.DEMOGRAPHIC_FIELDS:
            if name not in row or row.get(name) in (None, ""):
                continue
            try:
                value = parse_whole_number(row.get(name))
            except ValueError as exc:
                errors[name] = f"{exc}."
                continue
            if value is not None and value < 0:
                label = Demographics._meta.get_field(name).verbose_name
                errors[name] = f"{label.capitalize()} {format_number(value)} không được âm."
                continue
            values[name] = value
        if unit is not None and year is not None:
            self.note_duplicate((unit.pk, year), kwargs.get("row_number"), errors, "unit_code")
        if errors:
            raise self._errors(errors)
        existing = Demographics.objects.filter(unit=unit, year=year).first()
        before = self.snapshot(existing) if existing is not None else None
        source = _text(row.get("source")) if row.get("source") not in (None, "") else None
        try:
            record = services.demographics_prepare(record=existing, unit=unit, year=year, values=values,
                                                   source=source, by=self.user)
        except PermissionDenied as exc:
            raise self._errors({"unit_code": str(exc)}) from exc
        except ValidationError as exc:
            raise self._errors({k: " ".join(v) for k, v in exc.message_dict.items()}) from exc
        self.adopt(instance, record=record, existing=existing, before=before)

    def do_instance_save(self, instance, is_create):
        services.demographics_store(record=instance, by=self.user, reason=f"Nhập từ tệp {self.filename}")


class TargetResource(_RowResource):
    """unit_code, year, indicator, rate_pct and/or count, kind (giao | phấn đấu), decision;
    optional: period (Năm, 6 tháng đầu, Quý 3, Tháng 6; default the year), agent (an agent of the
    unit), entered_as, note."""

    unit_code = fields.Field(column_name="unit_code")
    unit_name = fields.Field(column_name="unit_name")
    year = fields.Field(attribute="year", column_name="year")
    period = fields.Field(column_name="period")
    indicator = fields.Field(column_name="indicator")
    agent = fields.Field(column_name="agent")
    rate_pct = fields.Field(attribute="rate_pct", column_name="rate_pct")
    count = fields.Field(attribute="count", column_name="count")
    kind = fields.Field(column_name="kind")
    entered_as = fields.Field(column_name="entered_as")
    decision = fields.Field(column_name="decision")
    note = fields.Field(attribute="note", column_name="note")

    columns = TARGET_COLUMNS
    number_columns = ("year", "count")
    duplicate_hint = "cùng đơn vị, đại lý, năm, kỳ, chỉ tiêu và loại"

    class Meta:
        model = Target
        fields = ("unit_code", "unit_name", "year", "period", "indicator", "agent", "rate_pct", "count", "kind",
                  "entered_as", "decision", "note")
        import_id_fields = ("unit_code", "year", "indicator")
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = False

    def check_headers(self, headers):
        if "rate_pct" not in headers and "count" not in headers:
            raise ImportFileError("thiếu cột Tỷ lệ (%) (rate_pct) hoặc Số người (count): cần ít nhất một trong hai.",
                                  filename=self.filename, line=1)

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self._agents: dict[tuple, object] = {}

    def get_export_queryset(self, request=None, **kwargs):
        return Target.objects.select_related("unit", "agent", "indicator").order_by(
            "year", "period_type", "period_number", "unit__depth", "unit__code", "indicator__display_order", "kind")

    # export --------------------------------------------------------------------------------
    def dehydrate_unit_code(self, target):
        return target.unit.code

    def dehydrate_unit_name(self, target):
        return target.unit.name

    def dehydrate_period(self, target):
        return target.period.short_label

    def dehydrate_indicator(self, target):
        return target.indicator.code

    def dehydrate_agent(self, target):
        return target.agent.name if target.agent_id else ""

    def dehydrate_rate_pct(self, target):
        return format_number(target.rate_pct, 2) if target.rate_pct is not None else ""

    def dehydrate_kind(self, target):
        return target.get_kind_display().lower()

    def dehydrate_entered_as(self, target):
        return "tỷ lệ" if target.entered_as == EnteredAs.RATE else "số người"

    def dehydrate_decision(self, target):
        return target.decision_label

    # import --------------------------------------------------------------------------------
    def find_agent(self, unit: Unit, name: str):
        key = (unit.pk, fold_text(name))
        if key not in self._agents:
            self._agents[key] = next((candidate for candidate in Agent.objects.filter(unit=unit)
                                      if fold_text(candidate.name) == fold_text(name)), None)
        return self._agents[key]

    def snapshot(self, instance):
        return (instance.unit_id, instance.agent_id, instance.indicator_id, instance.period_type, instance.year,
                instance.period_number, *(getattr(instance, f) for f in services.targets.TRACKED_FIELDS))

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, str] = {}
        unit, year = self.parse_unit_and_year(row, errors)
        period = self.parse_period(row, year, errors)
        indicator = self.parse_indicator(row, errors)
        agent = self.parse_agent(row, unit, errors)
        kind = self.parse_kind(row, errors)
        entered_as = self.parse_entered_as(row, errors)
        rate_pct, count = self.parse_rate_and_count(row, errors)
        decision = None
        try:
            decision = parse_decision(row.get("decision"))
        except ValueError as exc:
            errors["decision"] = str(exc)
        if unit is not None and period is not None and indicator is not None and kind is not None:
            key = (unit.pk, agent.pk if agent else None, indicator.pk, period, kind)
            self.note_duplicate(key, kwargs.get("row_number"), errors, "indicator")
        if errors:
            raise self._errors(errors)

        existing = services.find_target(unit=unit, indicator=indicator, period=period, kind=kind, agent=agent)
        before = self.snapshot(existing) if existing else None
        note = _text(row.get("note")) if "note" in row else None
        try:
            target = services.target_prepare(
                target=existing, unit=unit, indicator=indicator, period=period, kind=kind, rate_pct=rate_pct,
                count=count, entered_as=entered_as, agent=agent, decision=decision, note=note, by=self.user)
        except PermissionDenied as exc:
            raise self._errors({"unit_code" if not agent else "agent": str(exc)}) from exc
        except ValidationError as exc:
            problems = {}
            for field_name, messages in exc.message_dict.items():
                column = {"unit": "unit_code", "agent": "agent", "indicator": "indicator", "kind": "kind",
                          "rate_pct": "rate_pct", "count": "count"}.get(field_name, field_name)
                problems[column] = " ".join(messages)
            raise self._errors(problems) from exc
        self.adopt(instance, record=target, existing=existing, before=before)

    # Each parse_* reads one column of the row; what is wrong goes to `errors` under that column.
    def parse_period(self, row, year: int | None, errors: dict[str, str]):
        if year is None:
            return None
        try:
            return parse_period_text(row.get("period"), year=year)
        except ValueError as exc:
            errors["period"] = str(exc)
            return None

    def parse_indicator(self, row, errors: dict[str, str]) -> Indicator | None:
        if _text(row.get("indicator")) == "":
            errors["indicator"] = "Thiếu chỉ tiêu."
            return None
        indicator = self.find_indicator(row.get("indicator"))
        if indicator is None:
            errors["indicator"] = (f"Không có chỉ tiêu '{_text(row.get('indicator'))}' (dùng mã: "
                                   f"{', '.join(sorted(i.code for i in Indicator.objects.all()))}).")
        return indicator

    def parse_agent(self, row, unit: Unit | None, errors: dict[str, str]):
        agent = None
        agent_name = _text(row.get("agent"))
        if agent_name and unit is not None:
            agent = self.find_agent(unit, agent_name)
            if agent is None:
                errors["agent"] = f"{unit.name} không có đại lý thu '{agent_name}'."
        return agent

    def parse_kind(self, row, errors: dict[str, str]):
        raw_kind = fold_text(_text(row.get("kind")))
        if not raw_kind:
            return TargetKind.ASSIGNED
        if raw_kind in _KINDS:
            return _KINDS[raw_kind]
        errors["kind"] = f"Loại '{_text(row.get('kind'))}' không hợp lệ: ghi 'giao' hoặc 'phấn đấu'."
        return None

    def parse_entered_as(self, row, errors: dict[str, str]):
        entered_as = None
        raw_entered = fold_text(_text(row.get("entered_as")))
        if raw_entered:
            entered_as = _ENTERED_AS.get(raw_entered)
            if entered_as is None:
                errors["entered_as"] = f"'{_text(row.get('entered_as'))}' không hợp lệ: ghi 'tỷ lệ' hoặc 'số người'."
        return entered_as

    def parse_rate_and_count(self, row, errors: dict[str, str]) -> tuple:
        rate_pct = count = None
        try:
            rate_pct = parse_number(row.get("rate_pct")) if "rate_pct" in row else None
        except ValueError as exc:
            errors["rate_pct"] = f"Tỷ lệ {exc}."
        try:
            count = parse_whole_number(row.get("count")) if "count" in row else None
        except ValueError as exc:
            errors["count"] = f"Số người {exc}."
        if rate_pct is not None and rate_pct > 100:
            errors["rate_pct"] = f"Tỷ lệ {format_number(rate_pct, 2)}% vượt quá 100%."
        elif rate_pct is not None and rate_pct < 0:
            errors["rate_pct"] = f"Tỷ lệ {format_number(rate_pct, 2)}% không được âm."
        if count is not None and count < 0:
            errors["count"] = f"Số người {format_number(count)} không được âm."
        if "rate_pct" not in errors and "count" not in errors and rate_pct is None and count is None:
            errors["count" if "count" in row else "rate_pct"] = "Cần ghi tỷ lệ (%) hoặc số người."
        return rate_pct, count

    def do_instance_save(self, instance, is_create):
        services.target_save(target=instance, by=self.user, reason=f"Nhập từ tệp {self.filename}")
