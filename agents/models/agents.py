"""The collectors of the collection agents (Đại lý thu: units.Agent, re-exported here) and the money
they collect (receipts)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

# The agents themselves live in units (a collection agent is a recipient in the unit tree, below the
# apps that allocate to it); imported here under their old address.
from units.models import Agent, AgentKind  # noqa: F401


class Collector(models.Model):
    """Nhân viên thu of an agent; a portal account is optional (many collect on paper)."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="collectors", verbose_name="đại lý")
    full_name = models.CharField("họ và tên", max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="collector_roles",
        verbose_name="tài khoản",
    )
    phone = models.CharField("điện thoại", max_length=20, blank=True)
    is_active = models.BooleanField("đang làm", default=True)

    class Meta:
        ordering = ["full_name"]
        verbose_name = "nhân viên thu"
        verbose_name_plural = "nhân viên thu"
        constraints = [models.UniqueConstraint(fields=["agent", "full_name"], name="collector_unique_per_agent")]

    def __str__(self):
        return self.full_name


class Collection(models.Model):
    """One receipt: money collected from a participant for a product and a number of months."""

    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="collections", verbose_name="đại lý")
    receipt_number = models.CharField("số biên lai", max_length=30)
    collected_on = models.DateField("ngày thu")
    participant = models.ForeignKey(
        "agents.Participant", on_delete=models.PROTECT, related_name="collections", verbose_name="người tham gia"
    )
    product = models.ForeignKey("agents.Product", on_delete=models.PROTECT, verbose_name="loại hình")
    months = models.PositiveSmallIntegerField("số tháng")
    amount = models.PositiveBigIntegerField("số tiền (đồng)")
    expected_amount = models.PositiveBigIntegerField(
        "số tiền theo quy định (đồng)", null=True, blank=True, help_text="Theo bảng mức đóng tại ngày thu"
    )
    collector = models.ForeignKey(
        Collector, null=True, blank=True, on_delete=models.SET_NULL, related_name="collections",
        verbose_name="nhân viên thu",
    )
    enrolment = models.ForeignKey(
        "agents.Enrolment", null=True, blank=True, on_delete=models.SET_NULL, related_name="collections",
        verbose_name="quá trình tham gia",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="người ghi"
    )
    created_at = models.DateTimeField("ghi lúc", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-collected_on", "-pk"]
        verbose_name = "biên lai thu"
        verbose_name_plural = "biên lai thu"
        constraints = [
            models.UniqueConstraint(
                fields=["agent", "receipt_number"], name="collection_receipt_unique_per_agent",
                violation_error_message="Số biên lai này đã được dùng ở đại lý này.",
            ),
            models.CheckConstraint(condition=Q(months__gte=1), name="collection_months_positive"),
        ]
        indexes = [models.Index(fields=["agent", "collected_on"], name="collection_agent_day")]

    def __str__(self):
        return f"{self.receipt_number} — {self.participant}"

    @property
    def differs_from_expected(self) -> bool:
        return self.expected_amount is not None and self.expected_amount != self.amount
