"""Forms of the management pages: they parse; the services decide (and check the scope again)."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db.models import Q

from agents.models import AgentKind
from bhxh_portal.imports import max_upload_bytes
from units.models import Role

from . import selectors

DATE_HELP = "dd/mm/yyyy"


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit):
        return f"{'— ' * max(unit.depth - 1, 0)}{unit.name} ({unit.code})"


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, unit):
        return f"{unit.name} ({unit.code})"


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        full = user.get_full_name()
        return f"{user.username} — {full}" if full else user.username


def _date_field(label: str, required: bool = False) -> forms.DateField:
    return forms.DateField(label=label, required=required, help_text=DATE_HELP,
                           widget=forms.TextInput(attrs={"placeholder": DATE_HELP}))


class MembershipForm(forms.Form):
    unit = UnitChoiceField(label="Đơn vị", queryset=None, empty_label="— chọn đơn vị —")
    role = forms.ChoiceField(label="Vai trò", choices=Role.choices)

    def __init__(self, *args, admin, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.current_units_in_scope(admin=admin)
        self.fields["unit"].error_messages["invalid_choice"] = (
            "Đơn vị này không có hoặc không thuộc phạm vi quản lý của bạn.")


class UserCreateForm(MembershipForm):
    username = forms.CharField(label="Tên đăng nhập", max_length=150, validators=[UnicodeUsernameValidator()],
                               help_text="Chữ không dấu, số và các dấu . @ + - _")
    full_name = forms.CharField(label="Họ và tên", max_length=150)
    email = forms.EmailField(label="Thư điện tử", required=False)
    password1 = forms.CharField(label="Mật khẩu ban đầu", strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label="Nhập lại mật khẩu", strip=False, widget=forms.PasswordInput)

    field_order = ["username", "full_name", "email", "password1", "password2", "unit", "role"]

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", "Hai lần nhập mật khẩu không khớp.")
        return data


class UnitEditForm(forms.Form):
    name = forms.CharField(label="Tên đơn vị", max_length=200)
    code = forms.CharField(label="Mã đơn vị", max_length=20)
    code_is_official = forms.BooleanField(label="Mã chính thức", required=False,
                                          help_text="Bỏ chọn khi mã do hệ thống tự đặt (thôn, dữ liệu mẫu)")
    valid_from = _date_field("Hiệu lực từ")
    valid_to = _date_field("Hiệu lực đến")


class UnitChildForm(forms.Form):
    level = forms.ModelChoiceField(label="Cấp", queryset=None, empty_label=None)
    name = forms.CharField(label="Tên đơn vị", max_length=200)
    code = forms.CharField(label="Mã đơn vị", max_length=20)
    code_is_official = forms.BooleanField(label="Mã chính thức", required=False, initial=True,
                                          help_text="Bỏ chọn khi mã do hệ thống tự đặt (thôn, dữ liệu mẫu)")
    valid_from = _date_field("Hiệu lực từ")

    def __init__(self, *args, parent, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].queryset = selectors.child_levels(parent)


class UnitEndForm(forms.Form):
    valid_to = _date_field("Ngày cuối cùng có hiệu lực", required=True)


class UnitImportForm(forms.Form):
    file = forms.FileField(label="Tệp danh sách đơn vị (.xlsx, .xls, .ods hoặc .csv)")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_upload_bytes():
            raise forms.ValidationError(f"Tệp quá lớn ({upload.size / 1048576:.1f} MB).")
        return upload


class AgentForm(forms.Form):
    name = forms.CharField(label="Tên đại lý", max_length=200)
    kind = forms.ChoiceField(label="Loại đại lý", choices=AgentKind.choices)
    code = forms.CharField(label="Mã đại lý", max_length=30, required=False,
                           help_text="Mã do BHXH cấp; dùng để nhận ra đại lý trong tệp danh sách")
    unit = UnitChoiceField(label="Đơn vị quản lý", queryset=None, empty_label="— chọn đơn vị —")
    communes = UnitMultipleChoiceField(label="Xã phục vụ", queryset=None, required=False,
                                       help_text="Để trống: cả đơn vị quản lý")
    is_active = forms.BooleanField(label="Đang hoạt động", required=False, initial=True)

    def __init__(self, *args, admin, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.current_units_in_scope(admin=admin).exclude(level__code="thon")
        self.fields["communes"].queryset = selectors.current_units_in_scope(admin=admin, level_code="xa")
        for name in ("unit", "communes"):
            self.fields[name].error_messages["invalid_choice"] = (
                "Đơn vị này không có hoặc không thuộc phạm vi quản lý của bạn.")


class CollectorForm(forms.Form):
    full_name = forms.CharField(label="Họ và tên", max_length=200)
    phone = forms.CharField(label="Điện thoại", max_length=20, required=False)
    user = UserChoiceField(label="Tài khoản trên cổng", queryset=None, required=False,
                           empty_label="— không có tài khoản —")
    is_active = forms.BooleanField(label="Đang làm", required=False, initial=True)

    def __init__(self, *args, admin, current_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        managed = selectors.memberships_in_scope(admin=admin).values("user_id")
        condition = Q(pk__in=managed) | Q(pk=current_user.pk) if current_user is not None else Q(pk__in=managed)
        self.fields["user"].queryset = get_user_model().objects.filter(condition).order_by("username")
