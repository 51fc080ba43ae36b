"""Forms of the plan pages: thin, they parse; the services decide and write."""

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from units.models import Role, Unit

from . import selectors
from ..models import BlockKind, PlanDocument
from .render.blocks import spec_for
from .starters import STARTERS

MAX_CERTIFICATE_BYTES = 64 * 1024
MAX_VERIFY_BYTES = 30 * 1024 * 1024


class StartForm(forms.Form):
    starter = forms.ChoiceField(label="Mẫu văn bản", choices=[(k, s.label) for k, s in STARTERS.items()])
    unit = forms.ModelChoiceField(label="Đơn vị ban hành", queryset=Unit.objects.none())
    year = forms.IntegerField(label="Năm", min_value=2000, max_value=2100,
                              initial=lambda: datetime.date.today().year)
    month = forms.IntegerField(label="Tháng (kế hoạch tháng, báo cáo tháng, số liệu của kế hoạch 6 tháng)",
                               min_value=1, max_value=12, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = selectors.draftable_units(user=user)
        self.fields["unit"].queryset = units
        self.fields["unit"].initial = units.first()
        self.fields["unit"].label_from_instance = lambda u: f"{u.name} ({u.code})"

    def clean(self):
        data = super().clean()
        starter = STARTERS.get(data.get("starter"))
        if starter and starter.key in ("province-monthly", "monthly-report") and not data.get("month"):
            self.add_error("month", "Mẫu này cần tháng.")
        return data


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


class LinesField(forms.CharField):
    """A list of strings edited one per line."""

    widget = forms.Textarea(attrs={"rows": 5})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        return _lines(super().to_python(value) or "")


class HeaderForm(forms.ModelForm):
    legal_bases = LinesField(label="Căn cứ (mỗi dòng một căn cứ, in nghiêng)", required=False)
    recipients = LinesField(label="Nơi nhận (mỗi dòng một nơi; dòng cuối: Lưu: VT, ...)", required=False)

    class Meta:
        model = PlanDocument
        fields = ["doc_type", "parent_body", "issuing_body", "number", "symbol", "place", "issued_on", "subject",
                  "legal_bases", "year", "period_key", "recipients", "sign_on_behalf", "sign_authority",
                  "sign_authority_title", "signer_title", "signer_name", "signer"]
        widgets = {
            "parent_body": forms.Textarea(attrs={"rows": 2}),
            "issuing_body": forms.Textarea(attrs={"rows": 2}),
            "subject": forms.Textarea(attrs={"rows": 2}),
            "issued_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        unit = self.instance.unit
        leaders = get_user_model().objects.filter(
            memberships__role=Role.LEADER, memberships__unit__in=[unit.pk, *unit.ancestor_ids]
        ).distinct().order_by("first_name", "username")
        self.fields["signer"].queryset = leaders
        self.fields["signer"].label_from_instance = lambda u: u.get_full_name() or u.username

    def clean_period_key(self):
        value = self.cleaned_data["period_key"].strip()
        if value:
            from units.periods import Period

            try:
                return Period.parse(value).key
            except ValueError as exc:
                raise ValidationError(str(exc)) from exc
        return value


class BlockForm(forms.Form):
    kind = forms.ChoiceField(label="Loại khối", choices=BlockKind.choices)
    text = forms.CharField(label="Nội dung / lời dẫn", required=False, widget=forms.Textarea(attrs={"rows": 8}))
    params_text = forms.CharField(label="Tham số", required=False, widget=forms.Textarea(attrs={"rows": 6}))

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if not kind:
            return data
        if kind == BlockKind.TEXT:
            if not data.get("text", "").strip():
                self.add_error("text", "Đoạn văn cần có nội dung.")
            data["params"] = {}
            return data
        try:
            data["params"] = spec_for(kind).params_from_text(data.get("params_text", ""))
        except ValidationError as exc:
            self.add_error("params_text", exc)
        return data


class SignForm(forms.Form):
    certificate = forms.FileField(label="Tệp chứng thư số (.p12, .pfx)")
    password = forms.CharField(label="Mật khẩu của tệp chứng thư số", strip=False,
                               widget=forms.PasswordInput(render_value=False), required=False)

    def clean_certificate(self):
        upload = self.cleaned_data["certificate"]
        if upload.size > MAX_CERTIFICATE_BYTES:
            raise ValidationError("Tệp chứng thư số quá lớn (tối đa 64 KB).")
        return upload


class VerifyForm(forms.Form):
    pdf = forms.FileField(label="Tệp PDF cần kiểm tra")

    def clean_pdf(self):
        upload = self.cleaned_data["pdf"]
        if upload.size > MAX_VERIFY_BYTES:
            raise ValidationError("Tệp quá lớn (tối đa 30 MB).")
        return upload
