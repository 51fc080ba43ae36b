"""The one model the shared layer keeps: the one-time form tokens already used (bhxh_portal.idempotency)."""

from django.conf import settings
from django.db import models


class FormSubmission(models.Model):
    """A form sent once. The unique key is what lets only one of two identical submissions (a double
    click, a form sent again from the browser's history) write: the second insert waits for the first
    transaction and then fails, and the second request reads what the first one wrote."""

    key = models.CharField("mã gửi một lần", max_length=64, unique=True)
    purpose = models.CharField("biểu mẫu", max_length=60)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name="người gửi")
    used_at = models.DateTimeField("gửi lúc", auto_now_add=True, db_index=True)
    result_url = models.CharField("trang kết quả", max_length=300, blank=True)

    class Meta:
        verbose_name = "biểu mẫu đã gửi"
        verbose_name_plural = "biểu mẫu đã gửi"

    def __str__(self):
        return f"{self.purpose} — {self.used_at:%d/%m/%Y %H:%M}"
