"""Reads of the management pages, always inside the subtrees the user administers
(units.access.administered_units): what lies outside is answered as not found."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from agents.models import (
    Agent,
    Collector,
    ContributionRate,
    HouseholdDiscount,
    LocalTopUp,
    Product,
    ReferenceAmount,
    StateSupportLevel,
)
from campaigns.models import PublicHoliday
from units import access
from targets.models import Indicator
from units.models import Membership, Role, Unit, UnitLevel
from bhxh_portal.search import fold_text

NOT_FOUND = "Không tìm thấy, hoặc không thuộc phạm vi quản lý của bạn."
LIST_LIMIT = 300


def _or_404(obj):
    if obj is None:
        raise Http404(NOT_FOUND)
    return obj


# --- units ---------------------------------------------------------------------------------------

def administered_top_units(*, admin) -> QuerySet:
    """Where the administrator's subtrees start (the provinces for a superuser)."""
    if admin.is_superuser:
        return Unit.objects.filter(parent__isnull=True).select_related("level").order_by("code")
    return (Unit.objects.filter(memberships__user=admin, memberships__role=Role.ADMINISTRATOR)
            .select_related("level").distinct().order_by("path"))


def current_units_in_scope(*, admin, level_code: str | None = None) -> QuerySet:
    """The units in force an administrator may pick in a form (a membership, an agent's unit)."""
    qs = access.administered_units(admin, Unit.objects.current().select_related("level"))
    if level_code:
        qs = qs.filter(level__code=level_code)
    return qs.order_by("path")


def units_in_scope(*, admin, text: str = "", include_ended: bool = False) -> QuerySet:
    """Search by name (accents optional) or the start of the code."""
    qs = access.administered_units(admin, Unit.objects.select_related("level", "parent"))
    if not include_ended:
        qs = qs.filter(valid_to__isnull=True)
    folded = fold_text(text or "")
    if folded:
        words = Q()
        for word in folded.split():
            words &= Q(search_name__startswith=word) | Q(search_name__contains=f" {word}")
        qs = qs.filter(Q(code__istartswith=text.strip()) | words)
    return qs.order_by("path")


def unit_in_scope_or_404(*, admin, pk: int) -> Unit:
    return _or_404(access.administered_units(admin, Unit.objects.select_related("level", "parent"))
                   .filter(pk=pk).first())


def official_load_provinces(*, admin) -> QuerySet:
    """The provinces in force, with an official code, whose whole subtree the user administers: the
    only ones whose official unit list they may load (a district or commune administrator has none)."""
    qs = Unit.objects.current().filter(level__code="tinh", code_is_official=True).select_related("level")
    return access.administered_units(admin, qs).order_by("code")


def child_levels(unit: Unit) -> QuerySet:
    return UnitLevel.objects.filter(parent_levels=unit.level).order_by("rank")


# --- users and memberships -----------------------------------------------------------------------

def memberships_in_scope(*, admin) -> QuerySet:
    return access.scope_by_administered(admin, Membership.objects.select_related("unit", "unit__level"))


def is_managed_user(*, admin, user) -> bool:
    """Whether the user has a membership in the administrator's subtrees."""
    return memberships_in_scope(admin=admin).filter(user=user).exists()


def managed_users(*, admin, text: str = "") -> QuerySet:
    """Users with a membership in the administrator's subtrees, each with those memberships only
    (`scoped_memberships`); memberships elsewhere are not loaded."""
    users = get_user_model().objects.filter(pk__in=memberships_in_scope(admin=admin).values("user_id"))
    for word in (text or "").split():
        users = users.filter(Q(username__icontains=word) | Q(first_name__icontains=word)
                             | Q(last_name__icontains=word) | Q(email__icontains=word))
    return users.order_by("username").prefetch_related(Prefetch(
        "memberships", queryset=memberships_in_scope(admin=admin).order_by("unit__path", "role"),
        to_attr="scoped_memberships"))


def managed_user_or_404(*, admin, pk: int):
    return _or_404(managed_users(admin=admin).filter(pk=pk).first())


def membership_refusal(*, admin, user) -> str | None:
    """Why the administrator may not change this user's memberships (None: they may, in their subtrees)."""
    if user.pk == admin.pk:
        return "Bạn không tự sửa quyền của chính mình; hãy nhờ quản trị viên cấp trên."
    if user.is_superuser:
        return "Đây là tài khoản quản trị toàn hệ thống; bạn không sửa được tài khoản này."
    return None


def account_refusal(*, admin, user) -> str | None:
    """Why the administrator may not change the account itself (None: they may)."""
    refusal = membership_refusal(admin=admin, user=user)
    if refusal:
        return refusal
    if admin.is_superuser:
        return None
    outside = Membership.objects.filter(user=user).exclude(
        pk__in=memberships_in_scope(admin=admin).values("pk"))
    if outside.exists():
        return ("Tài khoản này còn được phân quyền ở đơn vị khác, nên bạn chỉ thêm hoặc gỡ được "
                "phân quyền trong phạm vi của mình.")
    return None


# --- agents and collectors -----------------------------------------------------------------------

def agents_in_scope(*, admin, text: str = "") -> QuerySet:
    qs = access.scope_by_administered(admin, Agent.objects.select_related("unit"), "unit")
    for word in (text or "").split():
        qs = qs.filter(Q(name__icontains=word) | Q(code__icontains=word) | Q(unit__name__icontains=word))
    return qs.prefetch_related("communes").order_by("unit__path", "name")


def agent_in_scope_or_404(*, admin, pk: int) -> Agent:
    return _or_404(agents_in_scope(admin=admin).filter(pk=pk).first())


def collector_in_scope_or_404(*, agent: Agent, pk: int) -> Collector:
    """Of an agent already found in scope."""
    return _or_404(Collector.objects.select_related("user").filter(agent=agent, pk=pk).first())


# --- reference data, read-only -------------------------------------------------------------------

@dataclass
class ReferenceTable:
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    note: str = ""


DATED_HEADERS = ["Hiệu lực từ", "Hiệu lực đến", "Căn cứ"]


def _dated(row) -> list:
    return [row.valid_from, row.valid_to or "đang áp dụng", row.legal_basis or "—"]


def _provinces_of(admin) -> Q:
    """Local top-ups that apply to the administrator's units: those of the provinces above them or in
    their subtrees."""
    if admin.is_superuser:
        return Q()
    above = {pid for unit in administered_top_units(admin=admin) for pid in [*unit.ancestor_ids, unit.pk]}
    return Q(province_id__in=above) | Q(province__in=access.administered_units(admin))


def reference_tables(*, admin) -> list[ReferenceTable]:
    """The dated rules the calculator and the reports read, with their validity and legal basis; the
    catalogues they refer to (products, indicators, levels) and the public holidays."""
    tables = [
        ReferenceTable("Mức chuẩn (chuẩn nghèo, lương cơ sở, mức tham chiếu)",
                       ["Loại mức", "Số tiền (đồng/tháng)", *DATED_HEADERS],
                       [[r.get_kind_display(), r.amount, *_dated(r)] for r in ReferenceAmount.objects.all()]),
        ReferenceTable("Tỷ lệ đóng", ["Loại hình", "Tỷ lệ (%)", "Căn cứ đóng", "Thu nhập thấp nhất",
                                      "Thu nhập cao nhất", *DATED_HEADERS],
                       [[r.product, r.rate_pct, r.get_base_display(), r.get_min_income_kind_display() or "—",
                         f"{r.max_income_multiple} lần {r.get_max_income_kind_display()}" if r.max_income_multiple
                         else "—", *_dated(r)]
                        for r in ContributionRate.objects.select_related("product")]),
        ReferenceTable("Mức Nhà nước hỗ trợ", ["Loại hình", "Nhóm đối tượng", "Mức hỗ trợ (%)", "Tính trên",
                                               "Tối đa (năm)", *DATED_HEADERS],
                       [[r.product, r.get_group_display() or "mọi đối tượng", r.percent, r.get_basis_display(),
                         r.max_years or "—", *_dated(r)]
                        for r in StateSupportLevel.objects.select_related("product")]),
        ReferenceTable("Mức giảm trừ theo thành viên hộ gia đình",
                       ["Loại hình", "Thành viên thứ", "Đóng bằng (% người thứ nhất)", *DATED_HEADERS],
                       [[r.product, r.member_order, r.ratio_pct, *_dated(r)]
                        for r in HouseholdDiscount.objects.select_related("product")]),
        ReferenceTable("Hỗ trợ thêm của địa phương",
                       ["Chương trình", "Tỉnh", "Loại hình", "Nhóm đối tượng", "Mức hỗ trợ", *DATED_HEADERS],
                       [[r.programme, r.province.name, r.product, r.get_group_display() or "mọi đối tượng",
                         f"{r.percent}% {r.get_basis_display()}" if r.percent is not None
                         else f"{r.amount} đồng/tháng", *_dated(r)]
                        for r in LocalTopUp.objects.filter(_provinces_of(admin)).select_related("province",
                                                                                              "product")],
                       note="Chỉ các chương trình của tỉnh có đơn vị bạn quản lý."),
        ReferenceTable("Loại hình tham gia", ["Mã", "Tên", "Tên ngắn", "Tính vào chỉ tiêu"],
                       [[p.code, p.name, p.short_name, p.indicator or "—"]
                        for p in Product.objects.select_related("indicator")]),
        ReferenceTable("Danh mục chỉ tiêu", ["Mã", "Tên", "Mẫu số", "Thuộc chỉ tiêu", "Đang dùng"],
                       [[i.code, i.name, i.get_denominator_display(), i.part_of or "—",
                         "có" if i.is_active else "không"] for i in Indicator.objects.select_related("part_of")]),
        ReferenceTable("Cấp hành chính", ["Mã", "Tên", "Thứ bậc", "Cấp trên được phép", "Số chữ số của mã"],
                       [[lv.code, lv.name, str(lv.rank), ", ".join(p.name for p in lv.parent_levels.all()) or "—",
                         str(lv.code_digits) if lv.code_digits else "—"]
                        for lv in UnitLevel.objects.prefetch_related("parent_levels")]),
        ReferenceTable("Ngày nghỉ lễ, Tết và ngày làm bù", ["Ngày", "Tên", "Loại"],
                       [[h.day, h.name, "ngày làm bù" if h.is_working_day else "ngày nghỉ"]
                        for h in PublicHoliday.objects.filter(day__year__gte=datetime.date.today().year - 2)],
                       note="Từ hai năm trước đến nay; dùng để tính hạn theo ngày làm việc."),
    ]
    return tables
