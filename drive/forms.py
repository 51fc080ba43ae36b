import datetime

from django import forms

from .models import Outcome, RefusalReason

# A date input holds its value as YYYY-MM-DD whatever the language; a localised d/m/Y leaves it empty.
ISO_DAY = "%Y-%m-%d"


class ContactForm(forms.Form):
    contacted_on = forms.DateField(label="Ngày gặp", initial=datetime.date.today,
                                   widget=forms.DateInput(format=ISO_DAY, attrs={"type": "date"}),
                                   error_messages={"invalid": "Ngày không hợp lệ.", "required": "Hãy chọn ngày gặp."})
    outcome = forms.ChoiceField(label="Kết quả", choices=Outcome.choices, widget=forms.RadioSelect,
                                error_messages={"required": "Hãy chọn kết quả.",
                                                "invalid_choice": "Kết quả không có trong danh mục."})
    refusal_reason = forms.ChoiceField(label="Lý do từ chối", required=False,
                                       choices=[("", "—"), *RefusalReason.choices],
                                       error_messages={"invalid_choice": "Lý do không có trong danh mục."})
    note = forms.CharField(label="Ghi chú", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    next_date = forms.DateField(label="Hẹn lần sau", required=False,
                                widget=forms.DateInput(format=ISO_DAY, attrs={"type": "date"}),
                                error_messages={"invalid": "Ngày không hợp lệ."})


class ResidentUploadForm(forms.Form):
    file = forms.FileField(label="Tệp danh sách (xlsx, xls, ods, csv)",
                           error_messages={"required": "Hãy chọn tệp danh sách."})


class RoundUploadForm(forms.Form):
    file = forms.FileField(label="Tệp kết quả đã điền (xlsx, xls, ods, csv)",
                           error_messages={"required": "Hãy chọn tệp kết quả."})
