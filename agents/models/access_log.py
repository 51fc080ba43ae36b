"""Who opened which person's page, when and from where (personal data: số định danh, mã số BHXH).

Written by `agents.services.personal_data_access_record` on every request for a participant's page
and for a programme beneficiary's admin page, refusals included; read-only in the admin. Kept when the
user or the person is deleted: the people are plain ids here, never foreign keys that a deletion would
set to null (the log would forget whose data was read). A programme beneficiary lives in campaigns,
above agents, so its name is read through agents.selectors.access_log_named.
"""

from django.conf import settings
from django.db import models


class AccessOutcome(models.TextChoices):
    SHOWN_FULL = "shown_full", "Xem, số định danh đầy đủ"
    SHOWN_MASKED = "shown_masked", "Xem, số định danh bị che"
    REFUSED = "refused", "Từ chối (ngoài phạm vi)"


class PersonalDataAccess(models.Model):
    at = models.DateTimeField("lúc", auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name="người dùng")
    username = models.CharField("tên đăng nhập", max_length=150)
    participant = models.ForeignKey("agents.Participant", null=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name="người tham gia", db_constraint=False)
    # The id of a campaigns.Beneficiary, kept after it is deleted (the column of the former foreign key).
    beneficiary_id = models.BigIntegerField("mã người hưởng hỗ trợ", null=True, blank=True, db_index=True)
    requested_id = models.PositiveBigIntegerField("mã bản ghi yêu cầu")
    outcome = models.CharField("kết quả", max_length=20, choices=AccessOutcome.choices)
    ip_address = models.GenericIPAddressField("địa chỉ IP", null=True, blank=True)
    forwarded_for = models.CharField("X-Forwarded-For", max_length=200, blank=True)
    user_agent = models.CharField("trình duyệt", max_length=300, blank=True)
    path = models.CharField("đường dẫn", max_length=300)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "lượt xem thông tin cá nhân"
        verbose_name_plural = "nhật ký xem thông tin cá nhân"
        indexes = [models.Index(fields=["requested_id", "at"], name="agents_pda_requested_at")]

    def __str__(self):
        return f"{self.username} → #{self.requested_id} ({self.get_outcome_display()})"
