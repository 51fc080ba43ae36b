"""The administrative-unit tree and who belongs to which unit.

Levels are data (tỉnh/huyện/xã/thôn before 1/7/2025; tỉnh/xã since), units carry validity
dates and a materialised path of primary keys ("/12/345/6789/") so that a subtree is one
indexed prefix query whatever its size.

The collection agents (đại lý thu) are here too: targets are allocated to a unit or to one of its
agents, and the apps that allocate, report on and collect through agents all sit above units.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from bhxh_portal.memo import WritesBump
from bhxh_portal.search import fold_text


class UnitLevel(models.Model):
    code = models.SlugField("mã cấp", max_length=20, unique=True)
    name = models.CharField("tên cấp", max_length=50)
    rank = models.PositiveSmallIntegerField("thứ bậc", help_text="1 = tỉnh; số lớn hơn là cấp thấp hơn")
    parent_levels = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="child_levels", verbose_name="cấp trên được phép"
    )
    code_digits = models.PositiveSmallIntegerField(
        "số chữ số của mã", null=True, blank=True,
        help_text="Mã chính thức có bao nhiêu chữ số (tỉnh 2, huyện 3, xã 5); trống nếu không có mã quốc gia",
    )
    aliases = models.CharField(
        "tên gọi khác", max_length=300, blank=True,
        help_text="Các tên được chấp nhận khi nhập tệp, cách nhau bởi dấu phẩy (vd: Huyện, Quận, Thị xã)",
    )

    class Meta:
        db_table = "targets_unitlevel"  # the table from before the unit tree had an app of its own
        ordering = ["rank"]
        verbose_name = "cấp hành chính"
        verbose_name_plural = "cấp hành chính"

    def __str__(self):
        return self.name

    def accepted_names(self) -> set[str]:
        names = {self.code, self.name, *(a for a in self.aliases.split(","))}
        return {fold_text(n) for n in names if n.strip()}


class DatedQuerySet(models.QuerySet):
    """Rows with validity dates (valid_from, valid_to; empty means open): units, schools."""

    def valid_on(self, day):
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )

    def current(self):
        return self.filter(valid_to__isnull=True)


# The scopes of bhxh_portal.memo that the units and the memberships are remembered under.
UNITS, MEMBERSHIPS = "units", "memberships"


class UnitQuerySet(WritesBump, DatedQuerySet):
    memo_scopes = (UNITS,)

    def subtree_of(self, unit, *, include_self=True):
        qs = self.filter(path__startswith=unit.path)
        return qs if include_self else qs.exclude(pk=unit.pk)


class Unit(models.Model):
    code = models.CharField("mã đơn vị", max_length=20, db_index=True)
    code_is_official = models.BooleanField(
        "mã chính thức", default=True, help_text="Bỏ chọn khi mã do hệ thống tự đặt (thôn, dữ liệu mẫu)"
    )
    name = models.CharField("tên đơn vị", max_length=200)
    search_name = models.CharField(max_length=200, editable=False, blank=True, db_index=True)
    level = models.ForeignKey(UnitLevel, on_delete=models.PROTECT, related_name="units", verbose_name="cấp")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name="đơn vị cấp trên"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, blank=True)
    depth = models.PositiveSmallIntegerField(editable=False, default=1)
    valid_from = models.DateField("hiệu lực từ", null=True, blank=True)
    valid_to = models.DateField("hiệu lực đến", null=True, blank=True)
    predecessors = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="successors", verbose_name="đơn vị trước sáp nhập"
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        db_table = "targets_unit"  # the table from before the unit tree had an app of its own
        ordering = ["path"]
        verbose_name = "đơn vị hành chính"
        verbose_name_plural = "đơn vị hành chính"
        constraints = [
            # Codes are never reused, but a merged unit may keep its code in a new version.
            models.UniqueConstraint(
                fields=["code"], condition=Q(valid_to__isnull=True), name="unit_code_unique_current",
                violation_error_message="Đã có đơn vị đang hiệu lực mang mã này.",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="unit_validity_ordered",
                violation_error_message="Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.code_is_official and self.level_id and self.code:
            level = self.level
            if level.code_digits and not (self.code.isdigit() and len(self.code) == level.code_digits):
                raise ValidationError({"code": (
                    f"Mã chính thức của cấp {level.name} phải gồm {level.code_digits} chữ số, '{self.code}' thì không; "
                    "nếu là mã tự đặt, hãy ghi rõ đây không phải mã chính thức."
                )})

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/")[:-1] if p]

    def is_in_subtree_of(self, other: "Unit") -> bool:
        return self.path.startswith(other.path)


class Role(models.TextChoices):
    COMMUNE_OFFICIAL = "commune_official", "Cán bộ xã"
    BHXH_STAFF = "bhxh_staff", "Cán bộ BHXH"
    COLLECTION_AGENT = "collection_agent", "Nhân viên đại lý thu"
    LEADER = "leader", "Lãnh đạo"
    ADMINISTRATOR = "administrator", "Quản trị viên"


class MembershipQuerySet(WritesBump, models.QuerySet):
    memo_scopes = (MEMBERSHIPS,)


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name="người dùng"
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships", verbose_name="đơn vị")
    role = models.CharField("vai trò", max_length=30, choices=Role.choices)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        db_table = "targets_membership"  # the table from before the unit tree had an app of its own
        verbose_name = "phân quyền đơn vị"
        verbose_name_plural = "phân quyền đơn vị"
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique")]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} — {self.unit}"


class AgentKind(models.TextChoices):
    POST_OFFICE = "post_office", "Bưu điện"
    COMMUNE = "commune", "UBND xã"
    WOMENS_UNION = "womens_union", "Hội Liên hiệp Phụ nữ"
    FARMERS_UNION = "farmers_union", "Hội Nông dân"
    OTHER = "other", "Khác"


class Agent(models.Model):
    """Đại lý thu: the organisation that collects contributions household by household; its collectors
    and receipts are in agents. The tables keep the names from before it moved here from agents."""

    name = models.CharField("tên đại lý", max_length=200)
    kind = models.CharField("loại đại lý", max_length=20, choices=AgentKind.choices, default=AgentKind.OTHER)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="agents", verbose_name="đơn vị quản lý")
    communes = models.ManyToManyField(Unit, blank=True, related_name="served_by_agents", verbose_name="xã phục vụ",
                                      db_table="agents_agent_communes")
    is_active = models.BooleanField("đang hoạt động", default=True)
    code = models.CharField(
        "mã đại lý", max_length=30, blank=True, db_index=True,
        help_text="Mã do BHXH cấp; dùng để nhận ra đại lý trong tệp danh sách (có thể ghi tên thay mã)",
    )

    history = HistoricalRecords(table_name="agents_historicalagent")

    class Meta:
        db_table = "agents_agent"
        ordering = ["name"]
        verbose_name = "đại lý thu"
        verbose_name_plural = "đại lý thu"
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="agent_unique_name_per_unit")]

    def __str__(self):
        return self.name
