"""Thin views: each user's choice of notices, a unit's schedule (its administrator), unsubscribe."""

import datetime
import logging

from csp.constants import SELF
from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods

from units import access
from units.models import Membership, Unit

from . import selectors, services
from .forms import PreferencesForm, UnitNoticeSettingsForm
from .models import NoticeDelivery, NoticeKind, NoticeOptOut, UnitNoticeSettings

logger = logging.getLogger(__name__)


def _administered_units(user):
    if user.is_superuser:
        return Unit.objects.filter(notice_settings__isnull=False).select_related("level").order_by("path")
    ids = Membership.objects.filter(user=user, role__in=access.ACTIONS["notices.configure"].roles).values("unit_id")
    return Unit.objects.filter(pk__in=ids).select_related("level").order_by("path")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    address = (request.user.email or "").lower()
    refused = set(NoticeOptOut.objects.filter(address=address).values_list("kind", flat=True)) if address else set()
    form = PreferencesForm(request.POST or None,
                           initial={"kinds": [k for k in NoticeKind.values if k not in refused]})
    if request.method == "POST":
        if not address:
            messages.error(request, "Tài khoản của bạn chưa có địa chỉ e-mail: nhờ quản trị viên bổ sung.")
        elif form.is_valid():
            services.preferences_set(address=address, wanted=set(form.cleaned_data["kinds"]))
            messages.success(request, "Đã lưu lựa chọn nhận thông báo.")
            return redirect("notices:preferences")
    return render(request, "notices/preferences.html", {
        "form": form, "address": address, "units": _administered_units(request.user),
        "deliveries": selectors.deliveries_of_user(user=request.user),
    })


def _administered_unit(request, pk: int) -> Unit:
    unit = access.get_visible_unit_or_404(request.user, pk)
    if not access.can(request.user, "notices.configure", unit):
        raise PermissionDenied("Chỉ quản trị viên của đơn vị (hoặc cấp trên) được đặt lịch gửi thông báo.")
    return unit


def _preview_day(request) -> tuple[datetime.date, str]:
    """The day of the preview (?ngay=YYYY-MM-DD, today by default) and what is wrong with the one asked."""
    raw = (request.GET.get("ngay") or "").strip()
    today = timezone.localdate()
    if not raw:
        return today, ""
    try:
        day = datetime.date.fromisoformat(raw)
    except ValueError:
        return today, f"Ngày xem trước '{raw}' không hợp lệ: ghi theo dạng YYYY-MM-DD, vd 2023-07-03; đang xem hôm nay."
    if not 2000 <= day.year <= 2100:
        return today, f"Ngày xem trước '{raw}' phải trong các năm 2000-2100; đang xem hôm nay."
    return day, ""


@login_required
@require_http_methods(["GET", "POST"])
def unit_settings(request, pk: int):
    unit = _administered_unit(request, pk)
    config = UnitNoticeSettings.objects.filter(unit=unit).first() or UnitNoticeSettings(unit=unit)
    form = UnitNoticeSettingsForm(request.POST or None, instance=config)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.unit, saved.updated_by = unit, request.user
        saved.save()
        messages.success(request, "Đã lưu lịch gửi thông báo của đơn vị.")
        return redirect("notices:unit_settings", pk=unit.pk)
    deliveries = NoticeDelivery.objects.filter(issue__origin=unit).select_related("unit")[:50]
    day, day_error = _preview_day(request)
    try:
        previews, preview_error = selectors.notice_previews(unit=unit, on=day), ""
    except Exception:  # noqa: BLE001 - the schedule must stay editable whatever the preview meets
        logger.exception("notice preview of unit %s on %s failed", unit.code, day)
        previews, preview_error = [], "Không lập được bản xem trước cho ngày này (đã ghi lại lỗi)."
    return render(request, "notices/unit_settings.html", {
        "unit": unit, "form": form, "deliveries": deliveries, "previews": previews, "preview_day": day,
        "day_error": day_error, "preview_error": preview_error})


@login_required
@require_http_methods(["GET"])
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": [SELF]})
def notice_preview(request, pk: int, kind: str, index: int):
    """The HTML part of one message exactly as sent (addressed to the viewer), shown in a frame of
    the settings page."""
    unit = _administered_unit(request, pk)
    if kind not in NoticeKind.values:
        raise Http404("Không có loại thông báo này.")
    day, _ = _preview_day(request)
    notices = selectors.notices_for(unit=unit, kind=kind, on=day)
    if not 0 <= index < len(notices):
        raise Http404("Ngày này không có thư này.")
    _, html = notices[index].render(selectors.preview_recipient(request.user))
    return HttpResponse(html)


@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """Works without logging in: the signed token names the address and the kind. GET asks, POST
    does it (a mail scanner following the link changes nothing)."""
    found = selectors.unsubscribe_read(token)
    if found is None:
        return render(request, "notices/unsubscribe.html", {"invalid": True}, status=400)
    address, kind = found
    done = request.method == "POST"
    if done:
        services.notice_unsubscribe(address=address, kind=kind)
    return render(request, "notices/unsubscribe.html", {"address": address, "kind_label": NoticeKind(kind).label,
                                                        "done": done})
