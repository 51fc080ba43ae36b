"""Drive activities (DOMAIN.md section 7, reference plan 2024 Bình Định): conferences, direct work
with employers, small-group sessions, inspections; what was planned and what was held.

A row is one activity line of a plan: `planned_count` sessions of one kind by one organiser in a
date range (one conference, or "88 small-group sessions by BHXH huyện Phù Cát"). Direct work with a
named employer is one row per employer, with its classification of the employer's workers.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from bhxh_portal.files import portal_name


class ActivityKind(models.TextChoices):
    EMPLOYER_CONFERENCE = "employer_conference", "Hội nghị với đơn vị sử dụng lao động"
    DIRECT_WORK = "direct_work", "Làm việc trực tiếp với đơn vị sử dụng lao động"
    PROSPECT_CONFERENCE = "prospect_conference", "Hội nghị khách hàng tiềm năng"
    SMALL_GROUP = "small_group", "Tuyên truyền theo nhóm nhỏ"
    INSPECTION = "inspection", "Thanh tra, kiểm tra đơn vị sử dụng lao động"
    COMMUNE_LAUNCH = "commune_launch", "Hội nghị phát động cấp xã"


KIND_ORDER = [k.value for k in ActivityKind]


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", "Kế hoạch"
    HELD = "held", "Đã tổ chức"
    CANCELLED = "cancelled", "Hủy"


class Employer(models.Model):
    """An employer (đơn vị sử dụng lao động); the tax code is text (10 digits, or 10-3 for a branch)."""

    name = models.CharField("tên đơn vị", max_length=300)
    tax_code = models.CharField("mã số thuế", max_length=14, unique=True)
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="employers",
                             verbose_name="địa bàn (xã hoặc huyện)")
    address = models.CharField("địa chỉ", max_length=300, blank=True)
    employees = models.PositiveIntegerField("số lao động", default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = "đơn vị sử dụng lao động"
        verbose_name_plural = "đơn vị sử dụng lao động"
        constraints = [
            models.CheckConstraint(condition=Q(tax_code__regex=r"^[0-9]{10}(-[0-9]{3})?$"),
                                   name="employer_tax_code_format",
                                   violation_error_message="Mã số thuế gồm 10 chữ số (chi nhánh: 10 chữ số-3 chữ số)."),
        ]

    def __str__(self):
        return f"{self.name} ({self.tax_code})"


# What makes two plan lines the same line (with the employer, for work with a named employer).
NATURAL_KEY = ["kind", "organiser", "organiser_detail", "planned_start", "planned_end", "title"]
DUPLICATE_LINE = ("Đã có hoạt động cùng loại, cùng đơn vị và bộ phận tổ chức, cùng ngày và cùng nội dung "
                  "(và cùng đơn vị làm việc).")


class DriveActivity(models.Model):
    kind = models.CharField("loại hoạt động", max_length=30, choices=ActivityKind.choices)
    organiser = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="drive_activities",
                                  verbose_name="đơn vị tổ chức",
                                  help_text="BHXH tỉnh = đơn vị tỉnh; BHXH huyện = đơn vị huyện; UBND xã = đơn vị xã")
    organiser_detail = models.CharField("bộ phận thực hiện", max_length=200, blank=True,
                                        help_text="vd: Phòng Truyền thông, Tổ chức dịch vụ thu")
    title = models.CharField("nội dung", max_length=300, blank=True)
    place = models.CharField("địa điểm", max_length=300, blank=True)
    planned_start = models.DateField("dự kiến từ ngày")
    planned_end = models.DateField("dự kiến đến ngày")
    planned_count = models.PositiveIntegerField("số cuộc (đơn vị) kế hoạch", default=1)
    invited_count = models.PositiveIntegerField("số đơn vị (người) được mời", null=True, blank=True)
    invitees_note = models.CharField("thành phần mời", max_length=500, blank=True)
    invited_employers = models.ManyToManyField(Employer, blank=True, related_name="invitations",
                                               verbose_name="đơn vị được mời")
    employer = models.ForeignKey(Employer, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="direct_work", verbose_name="đơn vị làm việc trực tiếp / thanh tra")
    expected_attendance = models.PositiveIntegerField("số người dự kiến tham dự", null=True, blank=True)

    status = models.CharField("tình trạng", max_length=20, choices=ActivityStatus.choices,
                              default=ActivityStatus.PLANNED)
    held_on = models.DateField("ngày tổ chức", null=True, blank=True)
    held_count = models.PositiveIntegerField("số cuộc đã tổ chức", default=0)
    attendance = models.PositiveIntegerField("số người tham dự", null=True, blank=True)
    minutes = models.TextField("biên bản, ghi chú", blank=True)
    participants = models.ManyToManyField("agents.Participant", blank=True, related_name="drive_activities",
                                          verbose_name="người đăng ký tham gia (theo danh sách)")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="người tạo")
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    history = HistoricalRecords(verbose_name="lịch sử hoạt động", excluded_fields=["created_at"])

    class Meta:
        ordering = ["planned_start", "kind", "organiser__path", "pk"]
        verbose_name = "hoạt động vận động"
        verbose_name_plural = "hoạt động vận động"
        indexes = [models.Index(fields=["planned_start", "kind"], name="activity_start_kind")]
        constraints = [
            models.CheckConstraint(condition=Q(planned_end__gte=F("planned_start")), name="activity_dates_ordered",
                                   violation_error_message="Ngày kết thúc dự kiến phải từ ngày bắt đầu trở đi."),
            models.CheckConstraint(condition=Q(employer__isnull=True) | Q(planned_count=1),
                                   name="activity_one_employer_one_session",
                                   violation_error_message="Làm việc với một đơn vị cụ thể là 01 cuộc."),
            # The natural key of a plan line: importing the same plan again finds its lines instead of
            # adding them twice. Two constraints because NULL employers would never clash in one.
            models.UniqueConstraint(fields=NATURAL_KEY, condition=Q(employer__isnull=True),
                                    name="activity_once_per_plan_line",
                                    violation_error_message=DUPLICATE_LINE),
            models.UniqueConstraint(fields=[*NATURAL_KEY, "employer"], condition=Q(employer__isnull=False),
                                    name="activity_once_per_employer_line",
                                    violation_error_message=DUPLICATE_LINE),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.organiser} ({self.planned_start:%d/%m/%Y})"

    @property
    def is_held(self) -> bool:
        return self.status == ActivityStatus.HELD


class ActivitySignUp(models.Model):
    """Expected and actual sign-ups (người đăng ký tham gia) of one activity for one product."""

    activity = models.ForeignKey(DriveActivity, on_delete=models.CASCADE, related_name="sign_ups",
                                 verbose_name="hoạt động")
    product = models.ForeignKey("agents.Product", on_delete=models.PROTECT, related_name="+",
                                verbose_name="loại hình")
    expected = models.PositiveIntegerField("dự kiến", default=0)
    actual = models.PositiveIntegerField("thực tế", null=True, blank=True)

    class Meta:
        ordering = ["product__display_order"]
        verbose_name = "số người đăng ký theo loại hình"
        verbose_name_plural = "số người đăng ký theo loại hình"
        constraints = [models.UniqueConstraint(fields=["activity", "product"], name="activity_signup_unique")]

    def __str__(self):
        return f"{self.activity}: {self.product} {self.expected}/{self.actual}"


def activity_upload_to(instance, filename):
    return portal_name("hoat-dong", filename)


class ActivityAttachment(models.Model):
    activity = models.ForeignKey(DriveActivity, on_delete=models.CASCADE, related_name="attachments",
                                 verbose_name="hoạt động")
    file = models.FileField("tệp", upload_to=activity_upload_to)
    # The uploader's file name, shown and offered as the download name; the stored name is the portal's.
    original_name = models.CharField("tên tệp gốc", max_length=200, blank=True)
    description = models.CharField("mô tả", max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="người tải lên")
    uploaded_at = models.DateTimeField("tải lên lúc", auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = "tệp đính kèm"
        verbose_name_plural = "tệp đính kèm"

    def __str__(self):
        return self.description or self.download_name

    @property
    def download_name(self) -> str:
        # Attachments stored before original_name existed were stored under the uploader's name.
        return self.original_name or self.file.name.rsplit("/", 1)[-1]


# The seven categories of the direct-work classification (DOMAIN.md section 7), in the plan's order.
WORKER_CATEGORIES = [
    ("under_1_month", "Hợp đồng dưới 01 tháng, thử việc"),
    ("from_1_to_3_months", "Hợp đồng lao động từ 01 tháng đến dưới 03 tháng"),
    ("from_3_months", "Hợp đồng lao động từ 03 tháng trở lên"),
    ("left_job", "Đã nghỉ việc, chấm dứt hợp đồng lao động"),
    ("pensioner", "Đang hưởng lương hưu, trợ cấp BHXH hằng tháng"),
    ("already_participating", "Đang tham gia BHXH, BHYT"),
    ("other", "Đối tượng khác (hợp đồng dịch vụ, hợp đồng vụ việc...)"),
]
CATEGORY_FIELDS = [code for code, _ in WORKER_CATEGORIES]


class DirectWorkRecord(models.Model):
    """The minutes of a direct-work session (biên bản làm việc): the employer's workers not
    (fully) enrolled, classified, and how many were registered as a result."""

    activity = models.OneToOneField(DriveActivity, on_delete=models.CASCADE, related_name="direct_work_record",
                                    verbose_name="hoạt động")
    under_1_month = models.PositiveIntegerField(WORKER_CATEGORIES[0][1], default=0)
    from_1_to_3_months = models.PositiveIntegerField(WORKER_CATEGORIES[1][1], default=0)
    from_3_months = models.PositiveIntegerField(WORKER_CATEGORIES[2][1], default=0)
    left_job = models.PositiveIntegerField(WORKER_CATEGORIES[3][1], default=0)
    pensioner = models.PositiveIntegerField(WORKER_CATEGORIES[4][1], default=0)
    already_participating = models.PositiveIntegerField(WORKER_CATEGORIES[5][1], default=0)
    other = models.PositiveIntegerField(WORKER_CATEGORIES[6][1], default=0)
    workers_registered = models.PositiveIntegerField("số lao động đã đăng ký tham gia (kết quả)", default=0)
    recorded_on = models.DateField("ngày lập biên bản", null=True, blank=True)
    history = HistoricalRecords(verbose_name="lịch sử biên bản")

    class Meta:
        verbose_name = "phân loại lao động (làm việc trực tiếp)"
        verbose_name_plural = "phân loại lao động (làm việc trực tiếp)"

    def __str__(self):
        return f"Phân loại lao động — {self.activity}"

    @property
    def total_classified(self) -> int:
        return sum(getattr(self, f) for f in CATEGORY_FIELDS)

    @property
    def not_participating(self) -> int:
        return self.total_classified - self.already_participating
