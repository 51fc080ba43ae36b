import datetime

from django import forms

from bhxh_portal.numbers import parse_number
from bhxh_portal.personal_ids import mask_personal_id
from units import access
from units.models import Unit

from .importers import COLUMNS, IGNORE
from .models import Collector, PaymentMode, Product, SupportGroup

DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]
PENSION_AGE_CHOICES = [("", "— chưa rõ —"), ("yes", "Đã đủ tuổi nghỉ hưu"), ("no", "Chưa đủ tuổi nghỉ hưu")]


class MoneyField(forms.CharField):
    """A whole number of đồng typed the Vietnamese way: 1.500.000 or 1500000."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in (None, ""):
            return None
        try:
            number = parse_number(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        if number != number.to_integral_value() or number < 0:
            raise forms.ValidationError("Số tiền phải là số nguyên đồng, không âm.")
        return int(number)


def import_units(user):
    """Units the user may import participant lists for (above village level)."""
    units = Unit.objects.current().exclude(level__code="thon").select_related("level")
    return list(access.units_where(user, "participants.import", units).order_by("path")[:3000])


class ImportUploadForm(forms.Form):
    unit = forms.ChoiceField(label="Đơn vị (các dòng phải thuộc đơn vị này)")
    file = forms.FileField(label="Tệp danh sách (.xlsx, .xls, .ods hoặc .csv)")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {str(u.pk): u for u in import_units(user)}
        self.fields["unit"].choices = [(pk, f"{'— ' * (u.depth - 1)}{u.name} ({u.code})") for pk, u in self.units.items()]

    def clean_unit(self):
        return self.units[self.cleaned_data["unit"]]


class MappingForm(forms.Form):
    """One choice per header the importer did not recognise."""

    def __init__(self, *args, unknown: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "— chọn —"), (IGNORE, "Bỏ qua cột này")] + [(c.name, c.label) for c in COLUMNS]
        self.headers = {}
        for index, header in enumerate(unknown):
            name = f"col_{index}"
            self.headers[name] = header
            self.fields[name] = forms.ChoiceField(label=f"Cột “{header}”", choices=choices)

    def mapping(self) -> dict[str, str]:
        return {self.headers[name]: value for name, value in self.cleaned_data.items()}


class CollectionForm(forms.Form):
    participant_code = forms.CharField(label="Mã số BHXH hoặc số định danh", max_length=12)
    product = forms.ModelChoiceField(label="Loại hình", queryset=Product.objects.all(), empty_label=None)
    receipt_number = forms.CharField(label="Số biên lai", max_length=30)
    collected_on = forms.DateField(label="Ngày thu", input_formats=DATE_FORMATS, initial=datetime.date.today)
    months = forms.IntegerField(label="Số tháng", min_value=1, max_value=600, initial=1)
    payment_mode = forms.ChoiceField(label="Phương thức đóng", required=False,
                                     choices=[("", "— theo quá trình tham gia —"), *PaymentMode.choices])
    amount = MoneyField(label="Số tiền (đồng)")
    collector = forms.ModelChoiceField(label="Nhân viên thu", queryset=Collector.objects.none(), required=False)

    def __init__(self, *args, agent, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.participants = participants
        self.fields["collector"].queryset = agent.collectors.filter(is_active=True)

    def clean_participant_code(self):
        code = self.cleaned_data["participant_code"].strip()
        field = "bhxh_code" if len(code) == 10 else "personal_id" if len(code) == 12 else None
        if field is None or not code.isdigit():
            raise forms.ValidationError("Nhập mã số BHXH (10 chữ số) hoặc số định danh (12 chữ số).")
        participant = self.participants.filter(**{field: code}).first()
        if participant is None:
            raise forms.ValidationError(f"Không có người tham gia mã {mask_personal_id(code)} trong phạm vi của bạn.")
        self.cleaned_data["participant"] = participant
        return code


class CalculatorForm(forms.Form):
    product = forms.ModelChoiceField(label="Loại hình", queryset=Product.objects.all(), empty_label=None)
    on = forms.DateField(label="Ngày đóng", input_formats=DATE_FORMATS, initial=datetime.date.today)
    income = MoneyField(label="Mức thu nhập lựa chọn (BHXH tự nguyện)", required=False)
    payment_mode = forms.ChoiceField(label="Phương thức đóng", choices=PaymentMode.choices)
    months = forms.IntegerField(label="Số tháng (đóng trước nhiều năm, đóng một lần)", min_value=1, max_value=600,
                                required=False)
    group = forms.ChoiceField(label="Nhóm được hỗ trợ", choices=SupportGroup.choices, initial=SupportGroup.OTHER)
    member_order = forms.IntegerField(label="Thành viên thứ (BHYT hộ gia đình)", min_value=1, max_value=20,
                                      initial=1, required=False)
    province = forms.ModelChoiceField(
        label="Tỉnh (hỗ trợ thêm của địa phương)", required=False, queryset=Unit.objects.none(),
        empty_label="— không tính —",
        error_messages={"invalid_choice": "Tỉnh đã chọn không có vào ngày đóng (các tỉnh đổi từ 01/07/2025): "
                                          "hãy chọn lại tỉnh."})
    months_contributed = forms.IntegerField(label="Số tháng đã đóng BHXH (đóng một lần cho thời gian còn thiếu)",
                                            min_value=0, max_value=1200, required=False)
    reached_pension_age = forms.TypedChoiceField(
        label="Tuổi nghỉ hưu (đóng một lần cho thời gian còn thiếu)", required=False,
        choices=PENSION_AGE_CHOICES, coerce=lambda v: {"yes": True, "no": False}.get(v), empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The provinces of the payment date: today's 34, or before 1/7/2025 the 63 of then, whose
        # own support rules ran for their territory.
        try:
            day = self.fields["on"].clean(self.data.get("on")) if self.is_bound and self.data.get("on") else None
        except forms.ValidationError:
            day = None
        provinces = Unit.objects.filter(parent__isnull=True)
        self.fields["province"].queryset = (provinces.valid_on(day) if day else provinces.current()).order_by("name")

    def clean(self):
        data = super().clean()
        if data.get("payment_mode") == PaymentMode.LUMP_SUM:
            if data.get("months_contributed") is None:
                self.add_error("months_contributed", "Đóng bù thời gian còn thiếu: nhập số tháng đã đóng BHXH.")
            if data.get("reached_pension_age") is None:
                self.add_error("reached_pension_age", "Đóng bù thời gian còn thiếu: chọn đã đủ tuổi nghỉ hưu hay chưa.")
        return data
