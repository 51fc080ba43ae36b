"""Contribution rules as dated reference data (DOMAIN.md section 5): never constants in code.

Every row has a validity range; the calculator takes the row valid on the day asked, so an
old plan recomputes with the figures of its time (700.000 đ rural poverty line in 2021,
lương cơ sở 2.340.000 đ from 1/7/2024, ...).
"""

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from .participants import SupportGroup


class DatedQuerySet(models.QuerySet):
    def valid_on(self, day):
        return self.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))


class DatedRow(models.Model):
    valid_from = models.DateField("hiệu lực từ")
    valid_to = models.DateField("hiệu lực đến", null=True, blank=True)
    legal_basis = models.CharField("căn cứ", max_length=300, blank=True)

    objects = DatedQuerySet.as_manager()

    class Meta:
        abstract = True


def _ordered_dates(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")), name=name,
        violation_error_message="Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.",
    )


class ReferenceKind(models.TextChoices):
    RURAL_POVERTY_LINE = "rural_poverty_line", "Chuẩn hộ nghèo khu vực nông thôn"
    BASE_SALARY = "base_salary", "Lương cơ sở"
    REFERENCE_LEVEL = "reference_level", "Mức tham chiếu"


class ReferenceAmount(DatedRow):
    kind = models.CharField("loại mức", max_length=30, choices=ReferenceKind.choices)
    amount = models.PositiveBigIntegerField("số tiền (đồng/tháng)")

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "valid_from"]
        verbose_name = "mức chuẩn (chuẩn nghèo, lương cơ sở)"
        verbose_name_plural = "mức chuẩn (chuẩn nghèo, lương cơ sở)"
        constraints = [
            models.UniqueConstraint(fields=["kind", "valid_from"], name="reference_amount_unique_start"),
            _ordered_dates("reference_amount_dates_ordered"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} từ {self.valid_from:%d/%m/%Y}"


class IncomeBase(models.TextChoices):
    CHOSEN_INCOME = "chosen_income", "Mức thu nhập người tham gia lựa chọn"
    BASE_SALARY = "base_salary", "Lương cơ sở"
    REFERENCE_LEVEL = "reference_level", "Mức tham chiếu"


class ContributionRate(DatedRow):
    """Rate × base: 22% × chosen income (BHXH TN), 4,5% × lương cơ sở (BHYT)."""

    product = models.ForeignKey("agents.Product", on_delete=models.PROTECT, related_name="rates",
                                verbose_name="loại hình")
    rate_pct = models.DecimalField("tỷ lệ đóng (%)", max_digits=5, decimal_places=2)
    base = models.CharField("căn cứ đóng", max_length=20, choices=IncomeBase.choices)
    min_income_kind = models.CharField(
        "thu nhập thấp nhất bằng", max_length=30, choices=ReferenceKind.choices, blank=True,
        help_text="Chỉ với căn cứ là thu nhập lựa chọn (BHXH TN: chuẩn hộ nghèo nông thôn)",
    )
    max_income_multiple = models.PositiveSmallIntegerField("thu nhập cao nhất: số lần", null=True, blank=True)
    max_income_kind = models.CharField("thu nhập cao nhất: của mức", max_length=30, choices=ReferenceKind.choices,
                                       blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["product", "valid_from"]
        verbose_name = "tỷ lệ đóng"
        verbose_name_plural = "tỷ lệ đóng"
        constraints = [
            models.UniqueConstraint(fields=["product", "valid_from"], name="contribution_rate_unique_start"),
            _ordered_dates("contribution_rate_dates_ordered"),
        ]

    def __str__(self):
        return f"{self.product}: {self.rate_pct}% từ {self.valid_from:%d/%m/%Y}"


class SupportBasis(models.TextChoices):
    POVERTY_LINE_CONTRIBUTION = "poverty_line_contribution", "% của mức đóng theo chuẩn hộ nghèo nông thôn"
    CONTRIBUTION = "contribution", "% của mức đóng"


class StateSupportLevel(DatedRow):
    """State support by product and group; a blank group applies to every participant of the product.

    Where several rows apply, the highest one is used (never the sum).
    """

    product = models.ForeignKey("agents.Product", on_delete=models.PROTECT, related_name="support_levels",
                                verbose_name="loại hình")
    group = models.CharField("nhóm đối tượng", max_length=20, choices=SupportGroup.choices, blank=True,
                             help_text="Để trống: áp dụng cho mọi người tham gia loại hình này")
    percent = models.DecimalField("mức hỗ trợ (%)", max_digits=5, decimal_places=2)
    basis = models.CharField("tính trên", max_length=30, choices=SupportBasis.choices)
    max_years = models.PositiveSmallIntegerField("tối đa (năm)", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["product", "valid_from", "group"]
        verbose_name = "mức Nhà nước hỗ trợ"
        verbose_name_plural = "mức Nhà nước hỗ trợ"
        constraints = [
            models.UniqueConstraint(fields=["product", "group", "valid_from"], name="state_support_unique_start"),
            _ordered_dates("state_support_dates_ordered"),
        ]

    def __str__(self):
        group = self.get_group_display() if self.group else "mọi đối tượng"
        return f"{self.product} — {group}: {self.percent}% từ {self.valid_from:%d/%m/%Y}"


class HouseholdDiscount(DatedRow):
    """BHYT by household: member 1 pays 100%, members 2, 3, 4 pay 70%, 60%, 50%, from the 5th 40%."""

    product = models.ForeignKey("agents.Product", on_delete=models.PROTECT, related_name="household_discounts",
                                verbose_name="loại hình")
    member_order = models.PositiveSmallIntegerField("thành viên thứ", help_text="Dòng của số lớn nhất áp dụng "
                                                                                "cho mọi thành viên sau đó")
    ratio_pct = models.DecimalField("đóng bằng (% người thứ nhất)", max_digits=5, decimal_places=2)

    history = HistoricalRecords()

    class Meta:
        ordering = ["product", "valid_from", "member_order"]
        verbose_name = "mức giảm trừ theo thành viên hộ"
        verbose_name_plural = "mức giảm trừ theo thành viên hộ"
        constraints = [
            models.UniqueConstraint(fields=["product", "member_order", "valid_from"],
                                    name="household_discount_unique_start"),
            _ordered_dates("household_discount_dates_ordered"),
        ]

    def __str__(self):
        return f"{self.product} — thành viên thứ {self.member_order}: {self.ratio_pct}%"


class LocalTopUp(DatedRow):
    """A province's own support on top of the state's (e.g. Bắc Ninh 2021–2025: +30%, 46.200 đ/tháng)."""

    programme = models.CharField("chương trình", max_length=300)
    province = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="local_top_ups",
                                 verbose_name="tỉnh")
    product = models.ForeignKey("agents.Product", on_delete=models.PROTECT, related_name="local_top_ups",
                                verbose_name="loại hình")
    group = models.CharField("nhóm đối tượng", max_length=20, choices=SupportGroup.choices, blank=True,
                             help_text="Để trống: mọi người tham gia loại hình này trong tỉnh")
    percent = models.DecimalField("mức hỗ trợ (%)", max_digits=5, decimal_places=2, null=True, blank=True)
    basis = models.CharField("tính trên", max_length=30, choices=SupportBasis.choices,
                             default=SupportBasis.POVERTY_LINE_CONTRIBUTION)
    amount = models.PositiveBigIntegerField("hoặc số tiền (đồng/tháng)", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["province", "valid_from"]
        verbose_name = "hỗ trợ thêm của địa phương"
        verbose_name_plural = "hỗ trợ thêm của địa phương"
        constraints = [
            models.CheckConstraint(
                condition=(Q(percent__isnull=False, amount__isnull=True) | Q(percent__isnull=True, amount__isnull=False)),
                name="local_top_up_percent_or_amount",
                violation_error_message="Ghi mức hỗ trợ theo phần trăm hoặc theo số tiền, không cả hai.",  # no bare %: the message is %-formatted
            ),
            _ordered_dates("local_top_up_dates_ordered"),
        ]

    def __str__(self):
        return f"{self.programme} ({self.province})"


class FundReturnRate(models.Model):
    """The BHXH fund's average monthly investment return of a year, announced by BHXH Việt Nam.

    Paying several years ahead is discounted, and paying for missing months is compounded, at the
    rate of the year before the payment (Decree 134/2015 art. 10; Decree 159/2025 art. 6–7): a
    payment in 2026 uses the rate of 2025. A year without a row has no rate: the calculator says so.
    """

    year = models.PositiveSmallIntegerField("năm", unique=True,
                                            help_text="Năm của lãi suất; áp dụng cho các khoản đóng trong năm sau")
    monthly_rate_pct = models.DecimalField("lãi suất bình quân tháng (%)", max_digits=7, decimal_places=4,
                                           help_text="vd 0,5000 nghĩa là 0,5%/tháng")
    source = models.CharField("văn bản công bố", max_length=300,
                              help_text="Số, ngày văn bản của BHXH Việt Nam công bố lãi suất")
    note = models.CharField("ghi chú", max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["year"]
        verbose_name = "lãi suất đầu tư quỹ BHXH bình quân tháng"
        verbose_name_plural = "lãi suất đầu tư quỹ BHXH bình quân tháng"
        constraints = [
            models.CheckConstraint(condition=Q(monthly_rate_pct__gte=0) & Q(monthly_rate_pct__lt=10),
                                   name="fund_return_rate_plausible",
                                   violation_error_message="Lãi suất tháng phải từ 0% đến dưới 10%."),
        ]

    def __str__(self):
        return f"Lãi suất đầu tư quỹ năm {self.year}: {self.monthly_rate_pct}%/tháng"


class LumpSumRule(DatedRow):
    """Who may pay several years ahead or make up missing years at once, and how many months.

    Decree 134/2015 art. 9: ahead at most 5 years; missing years only for people of pension age
    missing at most 10 years of the 20 needed. From 1/7/2025 (Law 41/2024, Decree 159/2025
    art. 6–7): ahead at most 60 months; missing at most 60 months of the 15 years needed.
    """

    product = models.ForeignKey("agents.Product", on_delete=models.PROTECT, related_name="lump_sum_rules",
                                verbose_name="loại hình")
    ahead_min_months = models.PositiveSmallIntegerField(
        "đóng trước: ít nhất (tháng)", default=24,
        help_text="Đóng trước 12 tháng là phương thức 12 tháng một lần, không chiết khấu")
    ahead_max_months = models.PositiveSmallIntegerField("đóng trước: nhiều nhất (tháng)", default=60)
    missing_max_months = models.PositiveSmallIntegerField("đóng bù: còn thiếu nhiều nhất (tháng)")
    pension_months = models.PositiveSmallIntegerField("số tháng đóng cần để hưởng lương hưu")
    missing_needs_pension_age = models.BooleanField("đóng bù: chỉ người đã đủ tuổi nghỉ hưu", default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["product", "valid_from"]
        verbose_name = "quy định đóng một lần (trước nhiều năm, bù thời gian còn thiếu)"
        verbose_name_plural = "quy định đóng một lần (trước nhiều năm, bù thời gian còn thiếu)"
        constraints = [
            models.UniqueConstraint(fields=["product", "valid_from"], name="lump_sum_rule_unique_start"),
            _ordered_dates("lump_sum_rule_dates_ordered"),
            models.CheckConstraint(condition=Q(ahead_max_months__gte=F("ahead_min_months")),
                                   name="lump_sum_rule_ahead_ordered",
                                   violation_error_message="Số tháng đóng trước nhiều nhất phải ≥ ít nhất."),
        ]

    def __str__(self):
        return f"{self.product}: đóng một lần từ {self.valid_from:%d/%m/%Y}"
