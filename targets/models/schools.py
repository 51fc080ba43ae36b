"""Schools and their pupils' health insurance (BHYT học sinh), per school year.

A school belongs to a commune (xã, phường, thị trấn); the table "Danh sách học sinh các trường
tham gia BHYT học sinh" (appendix of the Càng Long 2023 plan, reports.tables.students) lists the
schools of a unit's subtree with, for one school year, the pupils, those insured at school and
those insured through another group (household, poor or near-poor card ...).
"""

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from units.models import DatedQuerySet


class SchoolLevel(models.TextChoices):
    PRESCHOOL = "mam_non", "Mầm non"
    PRIMARY = "tieu_hoc", "Tiểu học"
    LOWER_SECONDARY = "thcs", "Trung học cơ sở"
    UPPER_SECONDARY = "thpt", "Trung học phổ thông"
    MULTI_LEVEL = "lien_cap", "Liên cấp"
    CONTINUING = "gdtx", "Giáo dục thường xuyên, nghề nghiệp"
    HIGHER = "dai_hoc", "Cao đẳng, đại học"
    OTHER = "khac", "Khác"


class SchoolQuerySet(DatedQuerySet):
    def in_subtree_of(self, unit):
        return self.filter(commune__path__startswith=unit.path)


class School(models.Model):
    code = models.CharField("mã trường", max_length=30, db_index=True)
    name = models.CharField("tên trường", max_length=200)
    level = models.CharField("cấp học", max_length=12, choices=SchoolLevel.choices, blank=True)
    commune = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="schools",
                                verbose_name="xã, phường, thị trấn")
    valid_from = models.DateField("hoạt động từ", null=True, blank=True)
    valid_to = models.DateField("hoạt động đến", null=True, blank=True,
                                help_text="Ngày giải thể, sáp nhập; trống nếu đang hoạt động")

    objects = SchoolQuerySet.as_manager()

    history = HistoricalRecords(verbose_name="lịch sử trường học")

    class Meta:
        ordering = ["code"]
        verbose_name = "trường học"
        verbose_name_plural = "trường học"
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(valid_to__isnull=True), name="school_code_unique_current",
                violation_error_message="Đã có trường đang hoạt động mang mã này.",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="school_validity_ordered",
                violation_error_message="Ngày ngừng hoạt động phải sau ngày bắt đầu hoạt động.",
            ),
        ]

    def __str__(self):
        return self.name


def school_year_label(start_year: int) -> str:
    """2022 -> '2022-2023'."""
    return f"{start_year}-{start_year + 1}"


def school_year_of(day) -> int:
    """The school year (by its first calendar year) a day falls in: it starts in September."""
    return day.year if day.month >= 9 else day.year - 1


class SchoolFigures(models.Model):
    """One school's pupils and their BHYT for one school year (2022 = năm học 2022-2023)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="figures", verbose_name="trường")
    school_year = models.PositiveSmallIntegerField("năm học (năm bắt đầu)", help_text="2022 cho năm học 2022-2023")
    pupils = models.PositiveIntegerField("tổng số học sinh")
    insured_other_group = models.PositiveIntegerField(
        "học sinh tham gia theo nhóm người khác", default=0,
        help_text="Có thẻ BHYT theo nhóm khác: hộ gia đình, hộ nghèo, cận nghèo, con của người có thẻ ...")
    insured_at_school = models.PositiveIntegerField("học sinh tham gia tại trường", default=0)
    source = models.CharField("nguồn số liệu", max_length=300, blank=True)

    history = HistoricalRecords(verbose_name="lịch sử số liệu học sinh")

    class Meta:
        ordering = ["-school_year", "school__code"]
        verbose_name = "số liệu BHYT học sinh"
        verbose_name_plural = "số liệu BHYT học sinh"
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year"], name="school_figures_unique"),
            models.CheckConstraint(
                condition=Q(pupils__gte=F("insured_other_group") + F("insured_at_school")),
                name="school_figures_insured_within_pupils",
                violation_error_message="Số học sinh đã tham gia BHYT vượt quá tổng số học sinh.",
            ),
        ]

    def __str__(self):
        return f"{self.school} — năm học {school_year_label(self.school_year)}"

    @property
    def insured(self) -> int:
        return self.insured_other_group + self.insured_at_school

    @property
    def school_year_label(self) -> str:
        return school_year_label(self.school_year)
