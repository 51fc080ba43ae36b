from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from .models import NoticeKind, UnitNoticeSettings


class PreferencesForm(forms.Form):
    kinds = forms.MultipleChoiceField(label="Nhận các thông báo", choices=NoticeKind.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)


class UnitNoticeSettingsForm(forms.ModelForm):
    class Meta:
        model = UnitNoticeSettings
        fields = ["weekly_enabled", "weekly_weekday", "weekly_hour", "reminder_enabled", "reminder_days_before",
                  "reminder_hour", "monthly_enabled", "monthly_day", "monthly_hour", "extra_addresses"]
        widgets = {"extra_addresses": forms.Textarea(attrs={"rows": 4})}

    def _hour(self, name):
        value = self.cleaned_data[name]
        if value is None or value > 23:
            raise ValidationError("Giờ gửi phải từ 0 đến 23.")
        return value

    def clean_weekly_hour(self):
        return self._hour("weekly_hour")

    def clean_reminder_hour(self):
        return self._hour("reminder_hour")

    def clean_monthly_hour(self):
        return self._hour("monthly_hour")

    def clean_monthly_day(self):
        value = self.cleaned_data["monthly_day"]
        if value is None or not 1 <= value <= 28:
            raise ValidationError("Ngày gửi bộ số liệu tháng phải từ 1 đến 28 (có trong mọi tháng).")
        return value

    def clean_reminder_days_before(self):
        value = self.cleaned_data["reminder_days_before"]
        if value is None or value > 20:
            raise ValidationError("Số ngày nhắc trước hạn phải từ 0 đến 20.")
        return value

    def clean_extra_addresses(self):
        text = self.cleaned_data["extra_addresses"]
        lines = [a.strip() for a in text.replace(",", "\n").splitlines() if a.strip()]
        for number, address in enumerate(lines, start=1):
            try:
                validate_email(address)
            except ValidationError:
                raise ValidationError(f"Dòng {number}: '{address}' không phải là địa chỉ e-mail.") from None
        return "\n".join(lines)
