"""Forms of the targets pages: they parse (Vietnamese numbers, decisions, periods) and nothing more;
the rules live in targets.services and units.access."""

from django import forms
from django.core.exceptions import ValidationError

from bhxh_portal.imports import max_upload_bytes
from bhxh_portal.numbers import INT_MAX, format_number, parse_number, parse_whole_number
from targets.decisions import parse_decision
from targets.models import Demographics, EnteredAs, Indicator, TargetKind
from units.periods import Period, periods_of_year

from .services import DEMOGRAPHIC_FIELDS


class NumberInput(forms.TextInput):
    """Text, not type=number: officials type 148.806 and 95,00."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})


def _whole(value, label: str) -> int | None:
    try:
        number = parse_whole_number(value)
    except ValueError as exc:
        raise ValidationError(f"{label}: {exc}.") from exc
    if number is not None and number < 0:
        raise ValidationError(f"{label} không được âm.")
    if number is not None and number > INT_MAX:
        raise ValidationError(f"{label}: {format_number(number)} quá lớn (tối đa {format_number(INT_MAX)}).")
    return number


class DecisionField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Văn bản giao")
        kwargs.setdefault("help_text", "Vd: Quyết định 324/QĐ-UBND ngày 15/3/2021")
        kwargs.setdefault("max_length", 300)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        try:
            return parse_decision(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc


class TargetForm(forms.Form):
    indicator = forms.ModelChoiceField(Indicator.objects.filter(is_active=True), to_field_name="code",
                                       label="Chỉ tiêu", empty_label=None)
    period = forms.ChoiceField(label="Kỳ")
    kind = forms.ChoiceField(label="Loại", choices=TargetKind.choices)
    entered_as = forms.ChoiceField(label="Nhập theo", choices=EnteredAs.choices, widget=forms.RadioSelect,
                                   initial=EnteredAs.RATE)
    value = forms.CharField(label="Giá trị", widget=NumberInput(), max_length=30,
                            help_text="Tỷ lệ (vd: 95 hoặc 95,00) hoặc số người (vd: 13.050)")
    decision = DecisionField()
    note = forms.CharField(label="Ghi chú", required=False, max_length=300)

    def __init__(self, *args, year: int, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year
        self.fields["period"].choices = [(p.key, p.label) for p in periods_of_year(year)]
        self.fields["kind"].choices = [(k, TargetKind(k).label) for k in kinds]

    def clean_period(self):
        try:
            return Period.parse(self.cleaned_data["period"])
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc

    def clean(self):
        data = super().clean()
        raw = data.get("value")
        if raw in (None, ""):
            return data
        try:
            number = parse_number(raw)
        except ValueError as exc:
            self.add_error("value", f"{exc}.")
            return data
        if data.get("entered_as") == EnteredAs.COUNT:
            if number != number.to_integral_value():
                self.add_error("value", "Số người phải là số nguyên.")
                return data
            data["count"], data["rate_pct"] = int(number), None
        else:
            data["rate_pct"], data["count"] = number, None
        return data


class AllocationForm(forms.Form):
    """One field per recipient (u<unit id>, a<agent id>): a count of people, empty for none."""

    decision = DecisionField(label="Văn bản phân bổ", help_text="Vd: Kế hoạch 162/KH-UBND ngày 19/3/2021")

    def __init__(self, *args, recipients, **kwargs):
        super().__init__(*args, **kwargs)
        self.recipients = recipients
        for r in recipients:
            self.fields[r.key] = forms.CharField(
                label=r.name, required=False, max_length=20,
                widget=NumberInput({"class": "share", "aria-label": f"Số người phân bổ cho {r.name}"}),
            )

    def clean(self):
        data = super().clean()
        for r in self.recipients:
            try:
                data[r.key] = _whole(data.get(r.key), "Số người")
            except ValidationError as exc:
                self.add_error(r.key, exc)
        return data

    def shares(self) -> dict[str, int | None]:
        return {r.key: self.cleaned_data.get(r.key) for r in self.recipients}


class DemographicsForm(forms.Form):
    """The denominators of a unit and its children: one row per unit, fields '<unit id>-<name>'."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            if not row.editable:
                continue
            for name in DEMOGRAPHIC_FIELDS:
                label = Demographics._meta.get_field(name).verbose_name
                self.fields[f"{row.unit.pk}-{name}"] = forms.CharField(
                    label=f"{label} — {row.unit.name}", required=False, max_length=20,
                    initial=getattr(row.record, name) if row.record else None,
                    widget=NumberInput({"aria-label": f"{label} của {row.unit.name}"}),
                )
            self.fields[f"{row.unit.pk}-source"] = forms.CharField(
                label=f"Nguồn số liệu — {row.unit.name}", required=False, max_length=300,
                initial=row.record.source if row.record else "",
            )

    def clean(self):
        data = super().clean()
        for row in self.rows:
            if not row.editable:
                continue
            for name in DEMOGRAPHIC_FIELDS:
                key = f"{row.unit.pk}-{name}"
                label = Demographics._meta.get_field(name).verbose_name.capitalize()
                try:
                    data[key] = _whole(data.get(key), label)
                except ValidationError as exc:
                    self.add_error(key, exc)
        return data

    def values_of(self, row) -> tuple[dict[str, int | None], str]:
        values = {name: self.cleaned_data.get(f"{row.unit.pk}-{name}") for name in DEMOGRAPHIC_FIELDS}
        return values, self.cleaned_data.get(f"{row.unit.pk}-source") or ""

    def field_rows(self):
        """For the template: (row, [bound fields], source field)."""
        for row in self.rows:
            if row.editable:
                yield row, [self[f"{row.unit.pk}-{n}"] for n in DEMOGRAPHIC_FIELDS], self[f"{row.unit.pk}-source"]
            else:
                yield row, None, None


IMPORT_KINDS = {"targets": "Chỉ tiêu", "demographics": "Dân số, lực lượng lao động"}
IMPORT_KINDS.update({"schools": "Danh sách trường học", "school_figures": "Số liệu BHYT học sinh theo trường"})


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label="Loại dữ liệu", choices=list(IMPORT_KINDS.items()))
    file = forms.FileField(label="Tệp (.xlsx, .xls, .ods hoặc .csv)")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_upload_bytes():
            raise ValidationError(f"Tệp quá lớn ({upload.size / 1048576:.1f} MB).")
        return upload
