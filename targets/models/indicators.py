"""The indicator catalogue (DOMAIN.md section 4) and the denominators per unit and year."""

from django.db import models
from simple_history.models import HistoricalRecords

from bhxh_portal import memo

# The scopes of bhxh_portal.memo that the indicator catalogue, and the targets with the
# denominators (the reference figures a table or a grid sets beside the results), are remembered under.
INDICATORS, TARGETS = "indicators", "targets"


class DenominatorKind(models.TextChoices):
    POPULATION = "population", "Dân số"
    LABOUR_FORCE = "labour_force", "Lực lượng lao động trong độ tuổi"
    PUPILS = "pupils", "Học sinh, sinh viên"
    REQUIRED_TO_JOIN = "required_to_join", "Người thuộc diện tham gia BHXH bắt buộc"
    VOLUNTARY_ELIGIBLE = "voluntary_eligible", "Người thuộc diện tham gia BHXH tự nguyện"


class IndicatorQuerySet(memo.WritesBump, models.QuerySet):
    memo_scopes = (INDICATORS,)


class Indicator(models.Model):
    code = models.SlugField("mã chỉ tiêu", max_length=30, unique=True)
    name = models.CharField("tên chỉ tiêu", max_length=200)
    short_name = models.CharField("tên ngắn", max_length=60)
    denominator = models.CharField("mẫu số", max_length=30, choices=DenominatorKind.choices)
    part_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="parts",
        verbose_name="thuộc chỉ tiêu",
        help_text="bhxh_bb và bhxh_tn thuộc bhxh; vận động mới và tái tục thuộc bhxh_tn",
    )
    display_order = models.PositiveSmallIntegerField("thứ tự", default=0)
    is_active = models.BooleanField("đang dùng", default=True)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["display_order", "code"]
        verbose_name = "chỉ tiêu"
        verbose_name_plural = "danh mục chỉ tiêu"

    def __str__(self):
        return self.short_name or self.name


def indicators_by_code() -> dict[str, Indicator]:
    """Every indicator by its code (the active ones and the others), remembered like active_indicators."""
    return memo.remember("indicators:all", (INDICATORS,), lambda: {i.code: i for i in Indicator.objects.all()})


def active_indicators() -> list[Indicator]:
    """The indicators in use, in display order: read by every grid, dashboard and table, changed
    by an administrator now and then (remembered until then)."""
    return memo.remember("indicators:active", (INDICATORS,),
                         lambda: list(Indicator.objects.filter(is_active=True)))


class DemographicsQuerySet(memo.WritesBump, models.QuerySet):
    memo_scopes = (TARGETS,)


class Demographics(models.Model):
    """Denominators of a unit for a year: the bases of every coverage rate."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="demographics",
                             verbose_name="đơn vị")
    year = models.PositiveSmallIntegerField("năm")
    population = models.PositiveIntegerField("dân số", null=True, blank=True)
    labour_force = models.PositiveIntegerField("lực lượng lao động", null=True, blank=True)
    pupils = models.PositiveIntegerField("học sinh, sinh viên", null=True, blank=True)
    required_to_join = models.PositiveIntegerField("thuộc diện BHXH bắt buộc", null=True, blank=True)
    voluntary_eligible = models.PositiveIntegerField("thuộc diện BHXH tự nguyện", null=True, blank=True)
    bhtn_required = models.PositiveIntegerField("số người thuộc diện tham gia BHTN", null=True, blank=True)
    source = models.CharField("nguồn số liệu", max_length=300, blank=True)

    history = HistoricalRecords(verbose_name="lịch sử dân số, lao động")
    objects = DemographicsQuerySet.as_manager()

    class Meta:
        verbose_name = "dân số, lao động"
        verbose_name_plural = "dân số, lao động"
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="demographics_unit_year_unique")]

    def __str__(self):
        return f"{self.unit} — {self.year}"

    def value_of(self, kind: str) -> int | None:
        return getattr(self, kind)
