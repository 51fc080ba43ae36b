"""django-import-export resources: agents, and small participant lists from the admin.

Large lists go through agents.importers (the bulk path); this row-by-row path is also the
"stock" comparison in `manage.py bench_import`.
"""

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets

from bhxh_portal.exports import SafeExportMixin
from bhxh_portal.imports import StorableImportMixin
from units.models import Unit
from units.resources import DateWidget

from .importers import Bad, bhxh_code, personal_id
from .models import Agent, AgentKind, Participant, Sex
from .personal_data import mask_personal_id


class UnitCodeWidget(widgets.ForeignKeyWidget):
    def __init__(self):
        super().__init__(Unit, field="code")

    def get_queryset(self, value, row, *args, **kwargs):
        return Unit.objects.current()

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, float) and value.is_integer():
            value = str(int(value))
        if value in (None, ""):
            return None
        try:
            return super().clean(str(value).strip(), row, **kwargs)
        except Unit.DoesNotExist:
            raise ValueError(f"Không có đơn vị mã '{value}'.") from None


class UnitCodesWidget(widgets.ManyToManyWidget):
    def __init__(self):
        super().__init__(Unit, field="code", separator=",")

    def clean(self, value, row=None, **kwargs):
        if not value:
            return Unit.objects.none()
        codes = [c.strip() for c in str(value).split(",") if c.strip()]
        units = Unit.objects.current().filter(code__in=codes)
        missing = set(codes) - set(units.values_list("code", flat=True))
        if missing:
            raise ValueError(f"Không có đơn vị mã {', '.join(sorted(missing))}.")
        return units


class ChoiceLabelWidget(widgets.Widget):
    """Accepts the stored value or its Vietnamese label (Bưu điện, Nam ...)."""

    def __init__(self, choices, *, required: bool = True):
        super().__init__()
        self.choices = choices
        self.required = required

    def clean(self, value, row=None, **kwargs):
        from .importers import normalise_header

        if value in (None, ""):
            if self.required:
                raise ValueError("Thiếu giá trị.")
            return ""
        wanted = normalise_header(value)
        for stored, label in self.choices.choices:
            if wanted in (normalise_header(stored), normalise_header(label)):
                return stored
        raise ValueError(f"'{value}' không hợp lệ (dùng: {', '.join(label for _, label in self.choices.choices)}).")

    def render(self, value, obj=None, **kwargs):
        return dict(self.choices.choices).get(value, value or "")


class CodeWidget(widgets.Widget):
    def __init__(self, convert):
        super().__init__()
        self.convert = convert

    def clean(self, value, row=None, **kwargs):
        try:
            return self.convert(value)
        except Bad as exc:
            raise ValueError(str(exc)) from None

    def render(self, value, obj=None, **kwargs):
        return value or ""


class AgentResource(SafeExportMixin, StorableImportMixin, resources.ModelResource):
    name = fields.Field(attribute="name", column_name="Tên đại lý")
    code = fields.Field(attribute="code", column_name="Mã đại lý")
    kind = fields.Field(attribute="kind", column_name="Loại", widget=ChoiceLabelWidget(AgentKind))
    unit = fields.Field(attribute="unit", column_name="Mã đơn vị", widget=UnitCodeWidget())
    communes = fields.Field(attribute="communes", column_name="Mã các xã phục vụ", widget=UnitCodesWidget())
    is_active = fields.Field(attribute="is_active", column_name="Đang hoạt động", widget=widgets.BooleanWidget())

    class Meta:
        model = Agent
        fields = ("name", "code", "kind", "unit", "communes", "is_active")
        import_id_fields = ("unit", "name")
        skip_unchanged = True
        report_skipped = True
        use_transactions = True


class ParticipantResource(SafeExportMixin, StorableImportMixin, resources.ModelResource):
    bhxh_code = fields.Field(attribute="bhxh_code", column_name="Mã số BHXH", widget=CodeWidget(bhxh_code))
    personal_id = fields.Field(attribute="personal_id", column_name="Số định danh cá nhân",
                               widget=CodeWidget(personal_id))
    full_name = fields.Field(attribute="full_name", column_name="Họ và tên")
    birth_date = fields.Field(attribute="birth_date", column_name="Ngày sinh", widget=DateWidget())
    sex = fields.Field(attribute="sex", column_name="Giới tính", widget=ChoiceLabelWidget(Sex, required=False))
    commune = fields.Field(attribute="commune", column_name="Mã xã", widget=UnitCodeWidget())
    village = fields.Field(attribute="village", column_name="Mã thôn", widget=UnitCodeWidget())
    household_code = fields.Field(attribute="household_code", column_name="Mã hộ gia đình")

    class Meta:
        model = Participant
        fields = ("bhxh_code", "personal_id", "full_name", "birth_date", "sex", "commune", "village",
                  "household_code")
        import_id_fields = ("bhxh_code",)
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        clean_model_instances = True

    # The admin takes small lists; a district's list (thousands of rows) goes through the bulk import.
    max_rows: int | None = 2000

    def dehydrate_personal_id(self, participant):
        """Every export masks the số định danh (0123****5678), the admin's included: the full number is
        shown only on the person's page, where each view is logged."""
        return mask_personal_id(participant.personal_id or "")

    def before_import(self, dataset, **kwargs):
        if self.max_rows is not None and len(dataset) > self.max_rows:
            raise ValidationError(
                f"Tệp có {len(dataset)} dòng: trang quản trị chỉ nhận danh sách tối đa {self.max_rows} dòng. "
                "Hãy dùng chức năng Nhập danh sách (nhanh, kiểm tra trước, ghi một lần).")
        return super().before_import(dataset, **kwargs)

    def get_instance(self, instance_loader, row):
        """Keyed by mã số BHXH, else by số định danh cá nhân."""
        code = self.fields["bhxh_code"].clean(row)
        if code:
            found = Participant.objects.filter(bhxh_code=code).first()
            if found is not None:
                return found
        pid = self.fields["personal_id"].clean(row)
        return Participant.objects.filter(personal_id=pid).first() if pid else None

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        if instance.household_code is None:
            instance.household_code = ""
        if not instance.bhxh_code and not instance.personal_id:
            raise ValidationError("Cần mã số BHXH hoặc số định danh cá nhân.")
