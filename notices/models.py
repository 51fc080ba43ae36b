"""Notices sent without anyone asking: each unit's schedule, who opted out, and every delivery.

A delivery row is claimed (inserted, unique on unit, kind, period and recipient) before its message
goes out, so a notice reaches each recipient once whatever the retries and the concurrent runs."""

from django.conf import settings
from django.db import models

from units.models import Unit


class NoticeKind(models.TextChoices):
    WEEKLY_PROGRESS = "weekly-progress", "Tình hình thực hiện chỉ tiêu hằng tuần"
    DUE_REMINDER = "due-reminder", "Nhắc nộp kết quả tháng"
    MONTHLY_PACK = "monthly-pack", "Bộ số liệu tháng đã duyệt"


WEEKDAYS = [(0, "Thứ Hai"), (1, "Thứ Ba"), (2, "Thứ Tư"), (3, "Thứ Năm"), (4, "Thứ Sáu"), (5, "Thứ Bảy"),
            (6, "Chủ nhật")]


class UnitNoticeSettings(models.Model):
    """When a unit's notices go out and to which addresses besides its members (the party
    committee's and People's Committee's offices). Set by the unit's administrator."""

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="notice_settings",
                                verbose_name="đơn vị")
    weekly_enabled = models.BooleanField("gửi tình hình hằng tuần", default=True)
    weekly_weekday = models.PositiveSmallIntegerField("ngày gửi trong tuần", choices=WEEKDAYS, default=0)
    weekly_hour = models.PositiveSmallIntegerField("giờ gửi hằng tuần", default=7)
    reminder_enabled = models.BooleanField("nhắc nộp kết quả", default=True)
    reminder_days_before = models.PositiveSmallIntegerField("nhắc trước hạn (ngày)", default=2)
    reminder_hour = models.PositiveSmallIntegerField("giờ gửi nhắc", default=8)
    monthly_enabled = models.BooleanField("gửi bộ số liệu tháng", default=True)
    monthly_day = models.PositiveSmallIntegerField("ngày gửi bộ số liệu tháng", default=10)
    monthly_hour = models.PositiveSmallIntegerField("giờ gửi bộ số liệu tháng", default=7)
    extra_addresses = models.TextField(
        "địa chỉ nhận thêm", blank=True,
        help_text="Mỗi dòng một địa chỉ e-mail (văn phòng cấp ủy, văn phòng UBND...)")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = "lịch gửi thông báo của đơn vị"
        verbose_name_plural = "lịch gửi thông báo của đơn vị"
        constraints = [
            models.CheckConstraint(condition=models.Q(weekly_hour__lte=23, reminder_hour__lte=23, monthly_hour__lte=23,
                                                      weekly_weekday__lte=6, monthly_day__gte=1, monthly_day__lte=28),
                                   name="notice_settings_in_range"),
        ]

    def __str__(self):
        return f"Lịch thông báo — {self.unit}"

    @property
    def addresses(self) -> list[str]:
        return [a.strip().lower() for a in self.extra_addresses.replace(",", "\n").splitlines() if a.strip()]


class NoticeOptOut(models.Model):
    """An address that no longer wants a kind of notice (from the preferences page or the
    unsubscribe link of a message)."""

    address = models.EmailField("địa chỉ")
    kind = models.CharField("loại thông báo", max_length=20, choices=NoticeKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "hủy nhận thông báo"
        verbose_name_plural = "hủy nhận thông báo"
        constraints = [models.UniqueConstraint(fields=["address", "kind"], name="notice_optout_unique")]

    def __str__(self):
        return f"{self.address} — {self.get_kind_display()}"


class NoticeIssue(models.Model):
    """One notice of a unit, kind and period as it was built: the figures it showed (the next weekly
    notice prints the change since this one)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="notice_issues", verbose_name="đơn vị")
    origin = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", verbose_name="đơn vị gửi",
                               help_text="đơn vị có lịch gửi thông báo này (cấp huyện cho lời nhắc của xã)")
    kind = models.CharField("loại thông báo", max_length=20, choices=NoticeKind.choices)
    period = models.CharField("kỳ", max_length=40)
    as_of = models.DateField("ngày lập")
    subject = models.CharField("tiêu đề", max_length=250)
    figures = models.JSONField("số liệu", default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "thông báo đã lập"
        verbose_name_plural = "thông báo đã lập"
        constraints = [models.UniqueConstraint(fields=["unit", "kind", "period"], name="notice_issue_unique")]
        ordering = ["-created_at"]

    def __str__(self):
        return self.subject


class DeliveryState(models.TextChoices):
    SENDING = "sending", "Đang gửi"
    SENT = "sent", "Đã gửi"
    FAILED = "failed", "Gửi lỗi"


class NoticeDelivery(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="notice_deliveries",
                             verbose_name="đơn vị")
    kind = models.CharField("loại thông báo", max_length=20, choices=NoticeKind.choices)
    period = models.CharField("kỳ", max_length=40)
    recipient = models.EmailField("người nhận")
    issue = models.ForeignKey(NoticeIssue, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="notice_deliveries", verbose_name="người dùng")
    state = models.CharField("trạng thái", max_length=10, choices=DeliveryState.choices,
                             default=DeliveryState.SENDING)
    attempts = models.PositiveSmallIntegerField("số lần gửi", default=0)
    error = models.TextField("lỗi", blank=True)
    claimed_at = models.DateTimeField("bắt đầu gửi lúc")
    sent_at = models.DateTimeField("gửi xong lúc", null=True, blank=True)

    class Meta:
        verbose_name = "lần gửi thông báo"
        verbose_name_plural = "lần gửi thông báo"
        constraints = [models.UniqueConstraint(fields=["unit", "kind", "period", "recipient"],
                                               name="notice_delivery_once")]
        indexes = [models.Index(fields=["state", "claimed_at"], name="notice_delivery_state")]
        ordering = ["-claimed_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period} → {self.recipient} ({self.get_state_display()})"
