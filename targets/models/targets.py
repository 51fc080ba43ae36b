"""Targets (chỉ tiêu): for a unit or one of its collection agents, a period and an indicator.

A target is entered as a rate of the indicator's denominator or as a count of people; both are
stored, with which one was entered and the denominator used (targets.rates derives the other).
`giao` is assigned by the level above, `phấn đấu` is the unit's own, usually higher.
A split of a unit's target across its children and agents is the children's `giao` targets
(and the agents' targets, whose `unit` is the allocating unit) for the same indicator and period.
Every change is kept by django-simple-history: who, when, the old and the new values.
"""

from fractions import Fraction

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from targets.decisions import Decision
from units.periods import COUNT_IN_YEAR, Period, PeriodType
from targets.rates import exact_rate
from bhxh_portal import memo

from .indicators import TARGETS


class TargetKind(models.TextChoices):
    ASSIGNED = "giao", "Giao"
    SELF_SET = "phan_dau", "Phấn đấu"


class EnteredAs(models.TextChoices):
    RATE = "rate", "Tỷ lệ (%)"
    COUNT = "count", "Số người"


def _period_numbers_valid() -> Q:
    condition = Q(pk__in=[])
    for period_type, count in COUNT_IN_YEAR.items():
        condition |= Q(period_type=period_type, period_number__gte=1, period_number__lte=count)
    return condition


class TargetQuerySet(memo.WritesBump, models.QuerySet):
    memo_scopes = (TARGETS,)

    def for_period(self, period: Period):
        return self.filter(period_type=period.type, year=period.year, period_number=period.number)

    def of_units(self):
        """Targets of units themselves (not of their collection agents)."""
        return self.filter(agent__isnull=True)


class Target(models.Model):
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="targets", verbose_name="đơn vị",
        help_text="Đơn vị của cuộc vận động; với chỉ tiêu của đại lý thu: đơn vị phân bổ cho đại lý",
    )
    # The one model-level edge from targets up to agents (agents.Product points down to Indicator): removing
    # it without moving data means moving the Agent model down to units (README, "How the code is laid out").
    agent = models.ForeignKey(
        "units.Agent", null=True, blank=True, on_delete=models.PROTECT, related_name="targets",
        verbose_name="đại lý thu",
    )
    indicator = models.ForeignKey(
        "targets.Indicator", on_delete=models.PROTECT, related_name="targets", verbose_name="chỉ tiêu"
    )
    period_type = models.CharField("loại kỳ", max_length=10, choices=PeriodType.choices, default=PeriodType.YEAR)
    year = models.PositiveSmallIntegerField("năm")
    period_number = models.PositiveSmallIntegerField(
        "kỳ thứ", default=1, help_text="Năm: 1; 6 tháng: 1–2; quý: 1–4; tháng: 1–12"
    )
    kind = models.CharField("loại chỉ tiêu", max_length=10, choices=TargetKind.choices)
    entered_as = models.CharField("nhập theo", max_length=10, choices=EnteredAs.choices)
    rate_pct = models.DecimalField(
        "tỷ lệ (%)", max_digits=7, decimal_places=4, null=True, blank=True,
        help_text="Tỷ lệ đã nhập, hoặc tỷ lệ suy ra từ số người (2 chữ số thập phân)",
    )
    count = models.PositiveIntegerField("số người")
    denominator = models.PositiveIntegerField(
        "mẫu số đã dùng", null=True, blank=True,
        help_text="Dân số / lực lượng lao động... của đơn vị trong năm khi tính chỉ tiêu",
    )
    decision_number = models.CharField("số văn bản", max_length=60, blank=True)
    decision_date = models.DateField("ngày văn bản", null=True, blank=True)
    decision_issuer = models.CharField("cơ quan ban hành", max_length=200, blank=True)
    note = models.CharField("ghi chú", max_length=300, blank=True)

    history = HistoricalRecords(verbose_name="lịch sử chỉ tiêu")
    objects = TargetQuerySet.as_manager()

    class Meta:
        ordering = ["year", "period_type", "period_number", "id"]
        verbose_name = "chỉ tiêu giao"
        verbose_name_plural = "chỉ tiêu giao"
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "indicator", "period_type", "year", "period_number", "kind"],
                condition=Q(agent__isnull=True), name="target_unique_per_unit",
                violation_error_message="Đơn vị đã có chỉ tiêu loại này cho chỉ tiêu và kỳ này.",
            ),
            models.UniqueConstraint(
                fields=["unit", "agent", "indicator", "period_type", "year", "period_number", "kind"],
                condition=Q(agent__isnull=False), name="target_unique_per_agent",
                violation_error_message="Đại lý đã có chỉ tiêu này cho kỳ này.",
            ),
            models.CheckConstraint(
                condition=Q(rate_pct__isnull=True) | Q(rate_pct__gte=0, rate_pct__lte=100),
                name="target_rate_between_0_and_100",
                violation_error_message="Tỷ lệ phải từ 0 đến 100 phần trăm.",  # no bare %: the message is %-formatted
            ),
            models.CheckConstraint(
                condition=_period_numbers_valid(), name="target_period_number_valid",
                violation_error_message="Kỳ không hợp lệ.",
            ),
            models.CheckConstraint(
                condition=Q(agent__isnull=True) | Q(kind=TargetKind.ASSIGNED),
                name="target_agent_is_assigned",
                violation_error_message="Chỉ tiêu của đại lý thu là chỉ tiêu được giao.",
            ),
            models.CheckConstraint(
                condition=~Q(entered_as=EnteredAs.RATE) | Q(rate_pct__isnull=False, denominator__isnull=False),
                name="target_rate_has_denominator",
                violation_error_message="Chỉ tiêu nhập theo tỷ lệ cần có tỷ lệ và mẫu số.",
            ),
        ]
        indexes = [models.Index(fields=["year", "period_type", "period_number", "indicator"])]

    def __str__(self):
        who = self.agent.name if self.agent_id else self.unit.name
        return f"{self.indicator} — {who} — {self.period.label} — {self.get_kind_display()}"

    @property
    def period(self) -> Period:
        return Period.from_fields(self.period_type, self.year, self.period_number)

    @period.setter
    def period(self, value: Period) -> None:
        self.period_type, self.year, self.period_number = value.type, value.year, value.number

    @property
    def decision(self) -> Decision | None:
        if not self.decision_number:
            return None
        return Decision(number=self.decision_number, date=self.decision_date, issuer=self.decision_issuer)

    @property
    def decision_label(self) -> str:
        decision = self.decision
        return decision.label if decision else ""

    @property
    def exact_rate(self) -> Fraction | None:
        return exact_rate(entered_as=self.entered_as, rate_pct=self.rate_pct, count=self.count,
                          denominator=self.denominator)

    @property
    def recipient_name(self) -> str:
        return self.agent.name if self.agent_id else self.unit.name
