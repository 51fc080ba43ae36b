"""Participants (người tham gia) and their enrolments (quá trình tham gia) per product.

Identifiers are text: mã số BHXH has 10 digits, the personal ID (số định danh, CCCD) 12;
either may be missing in old lists, never both. Products are data, each mapped to the
indicator it counts for (bhxh_tn, bhyt_hgd, ...).
"""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone

from bhxh_portal.personal_ids import mask_personal_id
from bhxh_portal.search import fold_text


class Product(models.Model):
    code = models.SlugField("mã loại hình", max_length=30, unique=True)
    name = models.CharField("tên loại hình", max_length=200)
    short_name = models.CharField("tên ngắn", max_length=60)
    indicator = models.ForeignKey(
        "targets.Indicator", null=True, blank=True, on_delete=models.PROTECT, related_name="products",
        verbose_name="tính vào chỉ tiêu",
    )
    aliases = models.CharField(
        "tên gọi khác", max_length=500, blank=True,
        help_text="Các cách ghi trong tệp danh sách, cách nhau bởi dấu phẩy (vd: BHXH TN, BHXH tự nguyện)",
    )
    display_order = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        ordering = ["display_order", "code"]
        verbose_name = "loại hình tham gia"
        verbose_name_plural = "loại hình tham gia"

    def __str__(self):
        return self.short_name or self.name

    def accepted_names(self) -> set[str]:
        from bhxh_portal.search import fold_text

        names = {self.code, self.name, self.short_name, *self.aliases.split(",")}
        return {fold_text(n) for n in names if n and n.strip()}


class Sex(models.TextChoices):
    MALE = "M", "Nam"
    FEMALE = "F", "Nữ"


class PaymentMode(models.TextChoices):
    MONTHLY = "monthly", "Hằng tháng"
    QUARTERLY = "quarterly", "3 tháng một lần"
    HALF_YEAR = "half_year", "6 tháng một lần"
    YEARLY = "yearly", "12 tháng một lần"
    YEARS_AHEAD = "years_ahead", "Đóng trước nhiều năm"
    LUMP_SUM = "lump_sum", "Đóng một lần cho những năm còn thiếu"


MODE_MONTHS = {
    PaymentMode.MONTHLY: 1,
    PaymentMode.QUARTERLY: 3,
    PaymentMode.HALF_YEAR: 6,
    PaymentMode.YEARLY: 12,
}


class SupportGroup(models.TextChoices):
    POOR = "poor", "Hộ nghèo"
    NEAR_POOR = "near_poor", "Hộ cận nghèo"
    ETHNIC_MINORITY = "ethnic_minority", "Người dân tộc thiểu số"
    OTHER = "other", "Đối tượng khác"
    LOCAL = "local", "Đối tượng của chương trình địa phương"


class Participant(models.Model):
    bhxh_code = models.CharField("mã số BHXH", max_length=10, null=True, blank=True)
    personal_id = models.CharField("số định danh cá nhân", max_length=12, null=True, blank=True)
    full_name = models.CharField("họ và tên", max_length=200)
    # The name folded (bhxh_portal.search): 'nguyen van' finds 'Nguyễn Văn' on every database. Kept
    # in step by save() and by the import, which writes it with the name. Searched by prefix only
    # (LIKE 'x%'): one index for that in Meta, not db_index's two (the plain one serves no query).
    search_name = models.CharField(max_length=200, editable=False, blank=True)
    birth_date = models.DateField("ngày sinh")
    birth_year_only = models.BooleanField("chỉ có năm sinh", default=False)
    sex = models.CharField("giới tính", max_length=1, choices=Sex.choices, blank=True)
    commune = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="participants", verbose_name="xã"
    )
    # Reference links written 100.000 at a time (village here; product and agent on Enrolment) are
    # enforced by Django (PROTECT on delete, ids resolved from the database by the import), not by a
    # database constraint: each costs a check per row at commit (0,3 s per 100.000 rows). The core
    # links, participant → commune and enrolment → participant, keep theirs.
    village = models.ForeignKey(
        "units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="village_participants",
        verbose_name="thôn", db_constraint=False, db_index=False,
    )
    household_code = models.CharField("mã hộ gia đình", max_length=20, blank=True)
    created_at = models.DateTimeField("tạo lúc", default=timezone.now, db_default=Now(), editable=False)
    updated_at = models.DateTimeField("cập nhật lúc", default=timezone.now, db_default=Now(), editable=False)
    # The audit pointer to the import job; no database constraint or index, so that writing
    # 100.000 rows does not pay 100.000 foreign-key checks for it (Django still nulls it on delete).
    last_import = models.ForeignKey(
        "jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="lần nhập gần nhất", db_constraint=False, db_index=False,
    )

    class Meta:
        ordering = ["full_name", "pk"]
        verbose_name = "người tham gia"
        verbose_name_plural = "người tham gia"
        indexes = [models.Index(fields=["search_name"], name="participant_search_name_like",
                                opclasses=["varchar_pattern_ops"])]
        constraints = [
            models.UniqueConstraint(fields=["bhxh_code"], condition=Q(bhxh_code__isnull=False),
                                    name="participant_bhxh_code_unique",
                                    violation_error_message="Đã có người tham gia mang mã số BHXH này."),
            models.UniqueConstraint(fields=["personal_id"], condition=Q(personal_id__isnull=False),
                                    name="participant_personal_id_unique",
                                    violation_error_message="Đã có người tham gia mang số định danh này."),
            models.CheckConstraint(condition=Q(bhxh_code__isnull=False) | Q(personal_id__isnull=False),
                                   name="participant_has_an_identifier",
                                   violation_error_message="Cần mã số BHXH hoặc số định danh cá nhân."),
            models.CheckConstraint(condition=Q(bhxh_code__isnull=True) | Q(bhxh_code__regex=r"^[0-9]{10}$"),
                                   name="participant_bhxh_code_10_digits",
                                   violation_error_message="Mã số BHXH phải có đúng 10 chữ số."),
            models.CheckConstraint(condition=Q(personal_id__isnull=True) | Q(personal_id__regex=r"^[0-9]{12}$"),
                                   name="participant_personal_id_12_digits",
                                   violation_error_message="Số định danh cá nhân phải có đúng 12 chữ số."),
        ]

    def __str__(self):
        # Labels end up in lists, receipts, the admin's delete page and its log (LogEntry keeps them):
        # the số định danh masked there, as everywhere but the person's own page.
        return f"{self.full_name} ({mask_personal_id(self.key)})"

    def save(self, *args, **kwargs):
        self.search_name = fold_text(self.full_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "full_name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)

    @property
    def key(self) -> str:
        return self.bhxh_code or self.personal_id or ""


class Enrolment(models.Model):
    # Indexes are what a 100.000-row import pays for on every row: an enrolment has its primary key
    # and the unique (participant, product, valid_from), which serves the participant's enrolments
    # and the counts (they start from the participants of a subtree); no index for product, agent
    # or village, which no page filters on alone.
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="enrolments",
                                    verbose_name="người tham gia", db_index=False)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="enrolments",
                                verbose_name="loại hình", db_index=False, db_constraint=False)
    valid_from = models.DateField("từ ngày")
    valid_to = models.DateField("đến ngày", null=True, blank=True)
    chosen_income = models.PositiveBigIntegerField("mức thu nhập lựa chọn (đồng/tháng)", null=True, blank=True)
    payment_mode = models.CharField("phương thức đóng", max_length=20, choices=PaymentMode.choices,
                                    default=PaymentMode.MONTHLY)
    months = models.PositiveSmallIntegerField("số tháng mỗi lần đóng", default=1)
    support_group = models.CharField("nhóm được hỗ trợ", max_length=20, choices=SupportGroup.choices,
                                     default=SupportGroup.OTHER)
    is_new = models.BooleanField("tham gia mới", default=True, help_text="Bỏ chọn nếu là tái tục (tiếp tục)")
    household_member_order = models.PositiveSmallIntegerField("thành viên thứ (trong hộ)", null=True, blank=True)
    agent = models.ForeignKey("units.Agent", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="enrolments", verbose_name="đại lý thu", db_constraint=False,
                              db_index=False)
    amount_paid = models.PositiveBigIntegerField("số tiền đóng theo danh sách", null=True, blank=True)
    amount_expected = models.PositiveBigIntegerField("số tiền theo quy định", null=True, blank=True)
    created_at = models.DateTimeField("tạo lúc", default=timezone.now, db_default=Now(), editable=False)
    updated_at = models.DateTimeField("cập nhật lúc", default=timezone.now, db_default=Now(), editable=False)
    last_import = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="lần nhập gần nhất", db_constraint=False,
                                    db_index=False)

    class Meta:
        ordering = ["-valid_from", "pk"]
        verbose_name = "quá trình tham gia"
        verbose_name_plural = "quá trình tham gia"
        constraints = [
            # On PostgreSQL its index also carries valid_to and is_new (migration 0022), for the registry count.
            models.UniqueConstraint(fields=["participant", "product", "valid_from"], name="enrolment_unique_start",
                                    violation_error_message="Người này đã có quá trình tham gia loại hình này "
                                                            "bắt đầu cùng ngày."),
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                                   name="enrolment_dates_ordered",
                                   violation_error_message="Ngày kết thúc phải sau ngày bắt đầu."),
            models.CheckConstraint(condition=Q(months__gte=1), name="enrolment_months_positive"),
        ]

    def __str__(self):
        return f"{self.participant.full_name} — {self.product} từ {self.valid_from:%d/%m/%Y}"

    @property
    def amount_differs(self) -> bool:
        return None not in (self.amount_paid, self.amount_expected) and self.amount_paid != self.amount_expected
