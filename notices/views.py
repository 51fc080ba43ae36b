"""Thin views: each user's choice of notices, a unit's schedule (its administrator), unsubscribe."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from units import access
from units.models import Membership, Role, Unit

from . import selectors, services
from .forms import PreferencesForm, UnitNoticeSettingsForm
from .models import NoticeDelivery, NoticeKind, NoticeOptOut, UnitNoticeSettings


def _administered_units(user):
    if user.is_superuser:
        return Unit.objects.filter(notice_settings__isnull=False).select_related("level").order_by("path")
    ids = Membership.objects.filter(user=user, role=Role.ADMINISTRATOR).values("unit_id")
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


@login_required
@require_http_methods(["GET", "POST"])
def unit_settings(request, pk: int):
    unit = access.get_visible_unit_or_404(request.user, pk)
    if not access.can_administer(request.user, unit):
        raise PermissionDenied("Chỉ quản trị viên của đơn vị (hoặc cấp trên) được đặt lịch gửi thông báo.")
    config = UnitNoticeSettings.objects.filter(unit=unit).first() or UnitNoticeSettings(unit=unit)
    form = UnitNoticeSettingsForm(request.POST or None, instance=config)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.unit, saved.updated_by = unit, request.user
        saved.save()
        messages.success(request, "Đã lưu lịch gửi thông báo của đơn vị.")
        return redirect("notices:unit_settings", pk=unit.pk)
    deliveries = NoticeDelivery.objects.filter(issue__origin=unit).select_related("unit")[:50]
    return render(request, "notices/unit_settings.html", {"unit": unit, "form": form, "deliveries": deliveries})


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
