"""Support programmes (DOMAIN.md section 9, reference plan 2021 Bắc Ninh): a provincial resolution
supports named groups over a period; district bodies send beneficiary lists on the forms
01/NQ-03, 02/NQ-03, 03/NQ-03; BHXH issues the cards within a number of working days; changes are
notified; the yearly budget estimate is beneficiaries × support × months.

The support per group is dated data (SupportRule), never a constant in code.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from bhxh_portal.personal_ids import mask_personal_id


class SupportProgramme(models.Model):
    name = models.CharField("tên chương trình", max_length=300)
    province = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="support_programmes",
                                 verbose_name="tỉnh")
    legal_basis = models.CharField("căn cứ", max_length=500,
                                   help_text="vd: Nghị quyết số 03/2021/NQ-HĐND ngày 16/7/2021 của HĐND tỉnh Bắc Ninh")
    valid_from = models.DateField("hiệu lực từ")
    valid_to = models.DateField("hiệu lực đến")
    card_issue_working_days = models.PositiveSmallIntegerField("thời hạn cấp thẻ (ngày làm việc)", default=5)
    report_due_month = models.PositiveSmallIntegerField("báo cáo năm: trước ngày … tháng", default=11)
    report_due_day = models.PositiveSmallIntegerField("báo cáo năm: trước ngày", default=30)
    report_to = models.CharField("báo cáo gửi", max_length=200, blank=True,
                                 default="Sở Lao động - Thương binh và Xã hội")

    class Meta:
        ordering = ["-valid_from", "name"]
        verbose_name = "chương trình hỗ trợ"
        verbose_name_plural = "chương trình hỗ trợ"
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gte=F("valid_from")), name="programme_period_ordered",
                                   violation_error_message="Ngày hết hiệu lực phải sau ngày bắt đầu."),
        ]

    def __str__(self):
        return self.name

    def report_due(self, year: int) -> datetime.date:
        """The yearly report is due before this day."""
        return datetime.date(year, self.report_due_month, self.report_due_day)


class ListForm(models.TextChoices):
    FORM_01 = "01/NQ-03", "Mẫu 01/NQ-03 — cựu quân nhân"
    FORM_02 = "02/NQ-03", "Mẫu 02/NQ-03 — người thu gom rác thải sinh hoạt"
    FORM_03 = "03/NQ-03", "Mẫu 03/NQ-03 — chức sắc, chức việc, nhà tu hành"
    GENERAL = "chung", "Danh sách chung"


class BeneficiaryGroup(models.Model):
    programme = models.ForeignKey(SupportProgramme, on_delete=models.CASCADE, related_name="groups",
                                  verbose_name="chương trình")
    code = models.SlugField("mã nhóm", max_length=40)
    name = models.CharField("tên nhóm đối tượng", max_length=300)
    product = models.ForeignKey("agents.Product", on_delete=models.PROTECT, related_name="+",
                                verbose_name="loại hình được hỗ trợ")
    form = models.CharField("mẫu danh sách", max_length=20, choices=ListForm.choices, default=ListForm.GENERAL)
    compiled_by = models.CharField("cơ quan lập danh sách", max_length=200, blank=True,
                                   help_text="vd: Ban Chỉ huy Quân sự huyện")
    issues_cards = models.BooleanField("cơ quan BHXH cấp thẻ BHYT", default=True)
    display_order = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        ordering = ["programme", "display_order", "code"]
        verbose_name = "nhóm đối tượng hỗ trợ"
        verbose_name_plural = "nhóm đối tượng hỗ trợ"
        constraints = [models.UniqueConstraint(fields=["programme", "code"], name="beneficiary_group_unique")]

    def __str__(self):
        return self.name


class SupportRule(models.Model):
    """The support per beneficiary and month for a group, in force over a span of dates."""

    group = models.ForeignKey(BeneficiaryGroup, on_delete=models.CASCADE, related_name="rules",
                              verbose_name="nhóm đối tượng")
    valid_from = models.DateField("hiệu lực từ")
    valid_to = models.DateField("hiệu lực đến", null=True, blank=True)
    amount_per_month = models.PositiveBigIntegerField("mức hỗ trợ (đồng/người/tháng)")
    description = models.CharField("cách tính", max_length=300, blank=True,
                                   help_text="vd: 30% mức đóng BHXH tự nguyện theo chuẩn nghèo nông thôn")
    legal_basis = models.CharField("căn cứ", max_length=300, blank=True)

    class Meta:
        ordering = ["group", "valid_from"]
        verbose_name = "mức hỗ trợ"
        verbose_name_plural = "mức hỗ trợ"
        constraints = [
            models.UniqueConstraint(fields=["group", "valid_from"], name="support_rule_unique_start"),
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                                   name="support_rule_period_ordered",
                                   violation_error_message="Ngày hết hiệu lực phải sau ngày bắt đầu."),
        ]

    def __str__(self):
        return f"{self.group}: {self.amount_per_month} đ/tháng từ {self.valid_from:%d/%m/%Y}"


class BeneficiaryList(models.Model):
    """One list sent by a unit (district) on one form: the batch the deadline runs from."""

    programme = models.ForeignKey(SupportProgramme, on_delete=models.PROTECT, related_name="lists",
                                  verbose_name="chương trình")
    group = models.ForeignKey(BeneficiaryGroup, on_delete=models.PROTECT, related_name="lists",
                              verbose_name="nhóm đối tượng")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="beneficiary_lists",
                             verbose_name="đơn vị lập danh sách")
    received_on = models.DateField("ngày cơ quan BHXH nhận danh sách")
    source_filename = models.CharField("tệp gốc", max_length=255, blank=True)
    # SHA-256 of the file as sent: the same file for the same group, unit and day is one list
    # (a double click or a second tab finds the first list instead of making a second one).
    content_sha256 = models.CharField("mã SHA-256 của tệp", max_length=64, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name="người nhập")
    created_at = models.DateTimeField("nhập lúc", auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "pk"]
        verbose_name = "danh sách đối tượng"
        verbose_name_plural = "danh sách đối tượng"
        constraints = [
            models.UniqueConstraint(fields=["programme", "group", "unit", "received_on", "content_sha256"],
                                    condition=~Q(content_sha256=""), name="beneficiary_list_once_per_file",
                                    violation_error_message="Danh sách này (cùng tệp, nhóm, đơn vị và ngày nhận) "
                                                            "đã được nhập."),
        ]

    def __str__(self):
        return f"{self.group.form} — {self.unit} — {self.received_on:%d/%m/%Y}"


class BeneficiaryState(models.TextChoices):
    SUBMITTED = "submitted", "Đã gửi, chờ cấp thẻ"
    CARD_ISSUED = "card_issued", "Đã cấp thẻ"
    REJECTED = "rejected", "Không đủ điều kiện"
    REMOVED = "removed", "Đã giảm (thôi hưởng)"


class Beneficiary(models.Model):
    beneficiary_list = models.ForeignKey(BeneficiaryList, on_delete=models.CASCADE, related_name="beneficiaries",
                                         verbose_name="danh sách")
    line = models.PositiveIntegerField("dòng trong tệp", null=True, blank=True)
    full_name = models.CharField("họ và tên", max_length=200)
    birth_date = models.DateField("ngày sinh", null=True, blank=True)
    sex = models.CharField("giới tính", max_length=1, blank=True, choices=[("M", "Nam"), ("F", "Nữ")])
    personal_id = models.CharField("số định danh cá nhân", max_length=12, blank=True)
    bhxh_code = models.CharField("mã số BHXH", max_length=10, blank=True)
    commune = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name="xã nơi thường trú")
    address = models.CharField("nơi thường trú", max_length=300, blank=True)
    details = models.JSONField("thông tin theo mẫu", default=dict, blank=True,
                               help_text="Các cột riêng của mẫu: ngày nhập ngũ, tôn giáo, chức sắc, thôn thu gom...")
    support_from = models.DateField("hưởng hỗ trợ từ")
    support_to = models.DateField("hưởng hỗ trợ đến", null=True, blank=True)
    state = models.CharField("trạng thái", max_length=20, choices=BeneficiaryState.choices,
                             default=BeneficiaryState.SUBMITTED)
    due_on = models.DateField("hạn cấp thẻ")
    card_number = models.CharField("số thẻ BHYT", max_length=20, blank=True)
    card_issued_on = models.DateField("ngày cấp thẻ", null=True, blank=True)
    note = models.CharField("ghi chú", max_length=300, blank=True)
    history = HistoricalRecords(verbose_name="lịch sử đối tượng")

    class Meta:
        ordering = ["beneficiary_list", "line", "pk"]
        verbose_name = "đối tượng được hỗ trợ"
        verbose_name_plural = "đối tượng được hỗ trợ"
        indexes = [models.Index(fields=["state", "due_on"], name="beneficiary_state_due")]
        constraints = [
            models.CheckConstraint(condition=~Q(personal_id="") | ~Q(bhxh_code=""),
                                   name="beneficiary_has_an_identifier",
                                   violation_error_message="Cần số định danh cá nhân hoặc mã số BHXH."),
            models.CheckConstraint(condition=Q(support_to__isnull=True) | Q(support_to__gte=F("support_from")),
                                   name="beneficiary_support_ordered",
                                   violation_error_message="Ngày thôi hưởng phải sau ngày bắt đầu hưởng."),
        ]

    def __str__(self):
        return f"{self.full_name} ({mask_personal_id(self.identifier)})"

    @property
    def identifier(self) -> str:
        return self.personal_id or self.bhxh_code


class ChangeKind(models.TextChoices):
    ADDED = "added", "Tăng"
    REMOVED = "removed", "Giảm"
    CHANGED = "changed", "Thay đổi thông tin"


class BeneficiaryChange(models.Model):
    """A change notified by the compiling body (biến động tăng, giảm, thay đổi)."""

    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.CASCADE, related_name="changes",
                                    verbose_name="đối tượng")
    kind = models.CharField("loại biến động", max_length=20, choices=ChangeKind.choices)
    effective_on = models.DateField("có hiệu lực từ")
    notified_on = models.DateField("ngày được thông báo")
    note = models.CharField("nội dung", max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name="người ghi")
    recorded_at = models.DateTimeField("ghi lúc", auto_now_add=True)

    class Meta:
        ordering = ["-notified_on", "-pk"]
        verbose_name = "biến động danh sách"
        verbose_name_plural = "biến động danh sách"

    def __str__(self):
        return f"{self.get_kind_display()} — {self.beneficiary} ({self.effective_on:%d/%m/%Y})"


class ProgrammeYearReport(models.Model):
    """The yearly report of a unit on a programme (due before 30/11)."""

    programme = models.ForeignKey(SupportProgramme, on_delete=models.CASCADE, related_name="year_reports",
                                  verbose_name="chương trình")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="đơn vị")
    year = models.PositiveSmallIntegerField("năm")
    sent_on = models.DateField("ngày gửi")
    note = models.TextField("nội dung", blank=True)

    class Meta:
        ordering = ["-year", "unit__path"]
        verbose_name = "báo cáo năm chương trình hỗ trợ"
        verbose_name_plural = "báo cáo năm chương trình hỗ trợ"
        constraints = [models.UniqueConstraint(fields=["programme", "unit", "year"], name="programme_report_unique")]

    def __str__(self):
        return f"{self.programme} — {self.unit} — {self.year}"
