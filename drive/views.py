"""Pages of the drive: thin (parse, call a selector or a service, render)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from agents.models import Agent, Collector
from agents.models.access_log import AccessOutcome
from agents.services import personal_data_access_record
from bhxh_portal.files import file_download
from bhxh_portal.imports import ImportFileError
from reports.render.layout import table_context
from reports.render.pdf import as_pdf
from reports.render.text import as_csv
from reports.render.xlsx import as_xlsx
from units import access
from units.models import Unit

from . import exports, selectors, services
from .forms import ContactForm, ResidentUploadForm
from .importers import TEMPLATE_HEADERS, import_residents
from .models import ListKind, WorkItem

OUTSIDE = "Đơn vị này nằm ngoài phạm vi của bạn."


def _month(text: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise Http404(f"Tháng '{text[:20]}' không đúng dạng NNNN-TT (vd: 2024-06).") from None


def _kind(text: str) -> str:
    if text not in ListKind.values:
        raise Http404("Không có danh sách này (chỉ có: due, lapsed, uninsured).")
    return text


def _unit(request, pk: int) -> Unit:
    unit = access.get_visible_unit_or_404(request.user, pk)
    if not access.can(request.user, "drive.open", unit):
        raise PermissionDenied(OUTSIDE)
    return unit


@login_required
def home(request):
    """Pick a commune (or thôn), a month and a list."""
    units = (access.visible_units(request.user, Unit.objects.current().filter(level__code__in=["xa", "thon"]))
             .select_related("level").order_by("path")[:500])
    today = datetime.date.today()
    if request.GET.get("don_vi"):
        try:
            pk = int(request.GET["don_vi"])
        except ValueError:
            raise Http404("Mã đơn vị không hợp lệ.") from None
        month = _month(request.GET.get("thang") or f"{today:%Y-%m}")
        kind = _kind(request.GET.get("danh_sach") or ListKind.DUE)
        return redirect("drive:work_list", pk=pk, month=f"{month:%Y-%m}", kind=kind)
    return render(request, "drive/home.html", {"units": units, "month": f"{today:%Y-%m}", "kinds": ListKind.choices})


@login_required
def work_list(request, pk: int, month: str, kind: str):
    unit = _unit(request, pk)
    start, kind = _month(month), _kind(kind)
    if request.method == "POST":
        try:
            added = services.work_list_draw(unit=unit, month=start, kind=kind, by=request.user)
        except PermissionDenied:
            raise PermissionDenied(OUTSIDE) from None
        messages.success(request, f"Đã đưa {added} người vào danh sách, giao cho thôn nơi cư trú.")
        return redirect(request.path)
    rows = selectors.work_rows(user=request.user, unit=unit, month=start, kind=kind)
    services.person_rows_viewed(user=request.user, rows=rows, meta=request.META, path=request.get_full_path())
    fmt = request.GET.get("dinh_dang", "")
    title = exports.list_title(kind=kind, unit_name=unit.name, month=start)
    stem = f"danh-sach-{kind}-{start:%Y-%m}-{unit.code}"
    if fmt == "csv":
        return file_download(exports.list_csv(rows), filename=f"{stem}.csv")
    if fmt == "xlsx":
        return file_download(exports.list_xlsx(rows, title=title), filename=f"{stem}.xlsx")
    if fmt == "pdf":
        return file_download(exports.list_pdf(rows, title=title), filename=f"{stem}.pdf")
    return render(request, "drive/work_list.html", {
        "unit": unit, "month": start, "month_text": f"{start:%Y-%m}", "kind": kind, "kinds": ListKind.choices,
        "title": title, "rows": rows, "can_manage": access.can(request.user, "drive.manage", unit),
        "undrawn": sum(1 for r in rows if r.item_id is None),
    })


def _item_or_404(request, pk: int) -> WorkItem:
    item = selectors.item_for_user_or_none(user=request.user, pk=pk)
    if item is None:
        # A refused look is logged too: an audit wants to see who tried.
        other = WorkItem.objects.filter(pk=pk).only("participant_id").first()
        if other is not None and other.participant_id:
            personal_data_access_record(user=request.user, requested_id=other.participant_id,
                                        participant=other.participant, outcome=AccessOutcome.REFUSED,
                                        meta=request.META, path=request.get_full_path())
        raise Http404("Không tìm thấy người này hoặc người này nằm ngoài phạm vi của bạn.")
    return item


@login_required
def item_detail(request, pk: int):
    """The person's card on the phone: who, where, until when, the contacts so far, and the form."""
    item = _item_or_404(request, pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_record(item=item, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"Đã ghi kết quả gặp {item.person_name}.")
            return redirect("drive:item_detail", pk=item.pk)
    person = item.participant or item.resident
    full_ids = item.participant is not None and access.can(
        request.user, "participants.view_full_id", item.participant.commune)
    if item.participant is not None:
        personal_data_access_record(user=request.user, requested_id=item.participant_id, participant=item.participant,
                                    outcome=AccessOutcome.SHOWN_FULL if full_ids else AccessOutcome.SHOWN_MASKED,
                                    meta=request.META, path=request.get_full_path())
    else:
        services.person_rows_viewed(user=request.user, rows=[item], meta=request.META, path=request.get_full_path())
    contacts = list(item.contacts.all())
    paid = next((c for c in contacts if c.outcome == "paid"), None)
    return render(request, "drive/item_detail.html", {
        "item": item, "person": person, "full_ids": full_ids, "form": form, "contacts": contacts,
        "paid_enrolment": selectors.paid_contact_enrolment(contact=paid) if paid else None, "paid": paid,
        "can_manage": access.can(request.user, "drive.manage", item.commune),
        "villages": item.commune.children.order_by("name"),
        "agents": Agent.objects.filter(unit=item.commune, is_active=True) | Agent.objects.filter(
            communes=item.commune, is_active=True),
        "collectors": Collector.objects.filter(agent__unit=item.commune, is_active=True).select_related("agent"),
        "back": reverse("drive:work_list", kwargs={"pk": item.commune_id, "month": f"{item.month:%Y-%m}",
                                                   "kind": item.kind}),
    })


def _pick(model, value, queryset=None):
    if not value:
        return None
    try:
        return (queryset if queryset is not None else model.objects).get(pk=int(value))
    except (ValueError, model.DoesNotExist):
        raise ValidationError("Lựa chọn không hợp lệ.") from None


@login_required
@require_POST
def item_assign(request, pk: int):
    item = _item_or_404(request, pk)
    try:
        services.work_item_assign(
            item=item, by=request.user, village=_pick(Unit, request.POST.get("village")),
            agent=_pick(Agent, request.POST.get("agent")), collector=_pick(Collector, request.POST.get("collector")))
    except PermissionDenied:
        raise PermissionDenied("Người này nằm ngoài phạm vi của bạn.") from None
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.success(request, f"Đã phân công {item.person_name}.")
    return redirect("drive:item_detail", pk=item.pk)


BY_CHOICES = [("village", "Thôn"), ("agent", "Đại lý thu"), ("commune", "Xã")]


@login_required
def funnel(request, pk: int, month: str):
    unit = _unit(request, pk)
    start = _month(month)
    by = request.GET.get("theo", "village")
    if by not in exports.BY_LABELS:
        by = "village"
    lines = selectors.funnel(user=request.user, unit=unit, month=start, by=by)
    title = f"Kết quả vận động tháng {start:%m/%Y}"
    table = exports.funnel_table(lines, by=by, title=title)
    fmt = request.GET.get("dinh_dang", "")
    stem = f"ket-qua-van-dong-{start:%Y-%m}-{unit.code}"
    if fmt == "xlsx":
        return file_download(as_xlsx(table, unit_name=unit.name), filename=f"{stem}.xlsx")
    if fmt == "csv":
        return file_download(("\ufeff" + as_csv(table)).encode("utf-8"), filename=f"{stem}.csv")
    if fmt == "pdf":
        return file_download(as_pdf(table, unit_name=unit.name, as_of=datetime.date.today()), filename=f"{stem}.pdf")
    return render(request, "drive/funnel.html", {
        "unit": unit, "month": start, "month_text": f"{start:%Y-%m}", "by": by, "by_choices": BY_CHOICES,
        **table_context(table),
    })


@login_required
def resident_import(request, pk: int):
    commune = _unit(request, pk)
    if not access.can(request.user, "drive.manage", commune) or commune.level.code != "xa":
        raise PermissionDenied("Chỉ cán bộ xã, cán bộ BHXH nhập danh sách dân cư của xã trong phạm vi của mình.")
    form = ResidentUploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = import_residents(upload, filename=upload.name, commune=commune, user=request.user)
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            if report.ok:
                messages.success(request, report.summary())
                return redirect("drive:resident_import", pk=commune.pk)
    return render(request, "drive/resident_import.html", {
        "unit": commune, "form": form, "report": report, "headers": TEMPLATE_HEADERS,
    })
