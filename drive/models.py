"""The door-to-door drive: who to visit this month (work items), by whom, and what came of it.

The lists themselves are read from the registry (drive.selectors); a work item is a person put on
a month's list and given to a thôn, an agent or a collector. A person is on one list of a month at
a time (database constraint), so two agents never knock on the same door for the same month.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from bhxh_portal import memo

# The scope of bhxh_portal.memo the funnel is remembered under: moved on by every write of a work
# item (its facts, its assignment, the lists drawn or removed) and of a collector (who sees which items).
DRIVE = "drive"


class ListKind(models.TextChoices):
    DUE = "due", "Đến hạn"
    LAPSED = "lapsed", "Dừng đóng"
    UNINSURED = "uninsured", "Chưa tham gia"


class Outcome(models.TextChoices):
    MET = "met", "Đã gặp"
    PROMISED = "promised", "Hẹn đóng"
    PAID = "paid", "Đã đóng"
    REFUSED = "refused", "Từ chối"
    MOVED = "moved", "Chuyển đi"
    DECEASED = "deceased", "Đã mất"
    DUPLICATE = "duplicate", "Trùng"
    NOT_MET = "not_met", "Không gặp"


class RefusalReason(models.TextChoices):
    CANNOT_AFFORD = "cannot_afford", "Không đủ khả năng đóng"
    HAS_OTHER_CARD = "has_other_card", "Đã có thẻ BHYT khác"
    NO_NEED = "no_need", "Chưa thấy cần thiết"
    DISTRUST = "distrust", "Chưa tin vào quyền lợi"
    AWAY = "away", "Đi làm ăn xa"
    OTHER = "other", "Lý do khác"


# A contact with one of these ends the person's place on every later list: nobody to visit.
CLOSING_OUTCOMES = (Outcome.MOVED, Outcome.DECEASED, Outcome.DUPLICATE)
# Counted as "promised" in the funnel (a payment is a kept promise).
PROMISED_OUTCOMES = (Outcome.PROMISED, Outcome.PAID)


class Resident(models.Model):
    """A person of the commune's household or population list (danh sách hộ, dân cư), imported."""

    commune = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="residents",
                                verbose_name="xã")
    village = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="village_residents", verbose_name="thôn")
    full_name = models.CharField("họ và tên", max_length=200)
    birth_date = models.DateField("ngày sinh", null=True, blank=True)
    personal_id = models.CharField("số định danh cá nhân", max_length=12)
    household_code = models.CharField("hộ", max_length=20, blank=True)
    updated_at = models.DateTimeField("cập nhật lúc", default=timezone.now)

    class Meta:
        ordering = ["full_name", "pk"]
        verbose_name = "người trong danh sách dân cư"
        verbose_name_plural = "danh sách dân cư"
        constraints = [
            models.UniqueConstraint(fields=["commune", "personal_id"], name="resident_unique_per_commune",
                                    violation_error_message="Xã đã có người mang số định danh này."),
            models.CheckConstraint(condition=Q(personal_id__regex=r"^[0-9]{12}$"),
                                   name="resident_personal_id_12_digits",
                                   violation_error_message="Số định danh cá nhân phải có đúng 12 chữ số."),
        ]

    def __str__(self):
        from bhxh_portal.personal_ids import mask_personal_id

        return f"{self.full_name} ({mask_personal_id(self.personal_id)})"


class WorkItemQuerySet(memo.WritesBump, models.QuerySet):
    memo_scopes = (DRIVE,)


class WorkItem(models.Model):
    """One person on one month's list, and who goes to see them."""

    month = models.DateField("tháng", help_text="Ngày đầu tháng")
    kind = models.CharField("danh sách", max_length=10, choices=ListKind.choices)
    commune = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="drive_items",
                                verbose_name="xã")
    participant = models.ForeignKey("agents.Participant", null=True, blank=True, on_delete=models.CASCADE,
                                    related_name="drive_items", verbose_name="người tham gia")
    resident = models.ForeignKey(Resident, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="drive_items", verbose_name="người trong danh sách dân cư")
    product = models.ForeignKey("agents.Product", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name="loại hình")
    last_valid_to = models.DateField("hạn thẻ/đóng cuối", null=True, blank=True)
    village = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="drive_village_items", verbose_name="thôn phụ trách")
    agent = models.ForeignKey("units.Agent", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="drive_items", verbose_name="đại lý thu")
    collector = models.ForeignKey("agents.Collector", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="drive_items", verbose_name="nhân viên thu")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="người phân công")
    created_at = models.DateTimeField("lập lúc", default=timezone.now)
    # What the funnel counts of this person, kept current by every write they depend on (drive.tally).
    contacted = models.BooleanField("đã tiếp xúc", default=False, db_default=False, editable=False)
    promised = models.BooleanField("đã hẹn đóng", default=False, db_default=False, editable=False)
    promised_at_activity = models.BooleanField("hẹn đóng tại hội nghị", default=False, db_default=False, editable=False)
    enrolled = models.BooleanField("đã tham gia", default=False, db_default=False, editable=False)

    objects = WorkItemQuerySet.as_manager()

    class Meta:
        ordering = ["village__name", "pk"]
        verbose_name = "người cần vận động"
        verbose_name_plural = "người cần vận động"
        constraints = [
            models.UniqueConstraint(fields=["month", "participant"], condition=Q(participant__isnull=False),
                                    name="workitem_participant_once_a_month",
                                    violation_error_message="Người này đã có trong một danh sách của tháng."),
            models.UniqueConstraint(fields=["month", "resident"], condition=Q(resident__isnull=False),
                                    name="workitem_resident_once_a_month",
                                    violation_error_message="Người này đã có trong một danh sách của tháng."),
            models.CheckConstraint(condition=Q(participant__isnull=False) | Q(resident__isnull=False),
                                   name="workitem_has_a_person"),
        ]
        indexes = [models.Index(fields=["commune", "month", "kind"], name="drive_item_commune_month")]

    def __str__(self):
        return f"{self.person_name} — {self.get_kind_display()} {self.month:%m/%Y}"

    @property
    def person_name(self) -> str:
        person = self.participant or self.resident
        return person.full_name if person else ""


class Contact(models.Model):
    """A visit, a call: what the agent found, and when to come back."""

    item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="contacts", verbose_name="người")
    contacted_on = models.DateField("ngày gặp")
    outcome = models.CharField("kết quả", max_length=12, choices=Outcome.choices)
    refusal_reason = models.CharField("lý do từ chối", max_length=20, choices=RefusalReason.choices, blank=True)
    note = models.CharField("ghi chú", max_length=500, blank=True)
    next_date = models.DateField("hẹn lần sau", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="người ghi")
    # Where the contact happened when not at the door: a sign-up at a conference or small-group
    # session (the activity's recorded participants) is a promise recorded from that activity.
    activity = models.ForeignKey("campaigns.DriveActivity", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="drive_contacts", verbose_name="ghi từ hoạt động")
    created_at = models.DateTimeField("ghi lúc", default=timezone.now)

    class Meta:
        ordering = ["-contacted_on", "-pk"]
        verbose_name = "lần tiếp xúc"
        verbose_name_plural = "lần tiếp xúc"
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="refused", refusal_reason__gt="") | (~Q(outcome="refused") & Q(refusal_reason="")),
                name="contact_reason_only_for_refusal",
                violation_error_message="Lý do từ chối chỉ ghi (và phải ghi) khi người dân từ chối."),
            models.UniqueConstraint(fields=["item", "activity"], condition=Q(activity__isnull=False),
                                    name="contact_once_per_activity",
                                    violation_error_message="Đăng ký tại hoạt động này đã được ghi."),
        ]

    def __str__(self):
        return f"{self.contacted_on:%d/%m/%Y} {self.get_outcome_display()}"
