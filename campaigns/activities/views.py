"""Drive-activity pages: list, monthly plan and report, calendar, one activity (record it held,
classify the employer's workers, attach minutes), import of planned activities.

Thin: parse, call (services, selectors), render. An activity or unit the user may not see answers
404; a write the user may not make answers 403.
"""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from agents.models import Product
from bhxh_portal.importing import template_xlsx
from bhxh_portal.files import file_download, validate_office_document
from bhxh_portal.idempotency import TOKEN_FIELD, WriteRefused, once
from bhxh_portal.numbers import INT_MAX
from units import access
from units.periods import Period, month_param
from results.selectors import next_month, previous_month

from .importers import TEMPLATE_HEADERS, import_activities
from ..models.activities import WORKER_CATEGORIES, ActivityKind
from . import selectors, services


def _month(request) -> tuple[int, int]:
    month = month_param(request.GET.get("thang"), default=Period.containing(datetime.date.today()))
    return month.year, month.number


def _neighbours(year: int, month: int) -> dict:
    current = Period.month(year, month)
    return {"previous": previous_month(current).key, "next": next_month(current).key, "key": current.key}


def _month_with_activities(request) -> tuple[int, int, str]:
    """The month asked, or the current month, or (when the user sees nothing in it) the latest month
    with activities, with the sentence that says so."""
    if request.GET.get("thang"):
        return (*_month(request), "")
    today = datetime.date.today()
    month_end = selectors.month_bounds(today.year, today.month)[1]
    latest = selectors.latest_activity_month(user=request.user, up_to=month_end)
    if latest is None or latest == (today.year, today.month):
        return today.year, today.month, ""
    return (*latest, f"Đang xem tháng {latest[1]:02d}/{latest[0]} — tháng gần nhất có hoạt động "
                     f"(tháng {today.month}/{today.year} chưa có).")


@login_required
def activity_list(request):
    year, month, opened_on = _month_with_activities(request)
    first, last = selectors.month_bounds(year, month)
    activities = (selectors.activities_for(request.user).filter(planned_start__range=(first, last))
                  .select_related("organiser"))
    kind = request.GET.get("loai")
    if kind in ActivityKind.values:
        activities = activities.filter(kind=kind)
    return render(request, "campaigns/activities_list.html", {
        "activities": activities, "year": year, "month": month, "nav": _neighbours(year, month),
        "top_units": access.top_units(request.user).order_by("code"), "kinds": ActivityKind.choices, "kind": kind,
        "opened_on": opened_on,
        "can_import": access.can_any(request.user, "activities.import"),
    })


@login_required
def monthly_plan(request, unit_pk: int):
    office = access.get_visible_unit_or_404(request.user, unit_pk)
    year, month = _month(request)
    first, last = selectors.month_bounds(year, month)
    return render(request, "campaigns/activities_monthly.html", {
        "office": office, "plan": selectors.monthly_plan(office=office, year=year, month=month),
        "classification": selectors.classification_totals(unit=office, start=first, end=last),
        "year": year, "month": month, "nav": _neighbours(year, month),
    })


@login_required
def activity_calendar(request, unit_pk: int):
    office = access.get_visible_unit_or_404(request.user, unit_pk)
    year, month = _month(request)
    return render(request, "campaigns/activities_calendar.html", {
        "office": office, "weeks": selectors.calendar_weeks(user=request.user, office=office, year=year, month=month),
        "year": year, "month": month, "nav": _neighbours(year, month),
        "weekdays": ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"],
    })


class HeldForm(forms.Form):
    held_on = forms.DateField(label="Ngày tổ chức", input_formats=["%d/%m/%Y", "%Y-%m-%d"])
    held_count = forms.IntegerField(label="Số cuộc đã tổ chức", min_value=0, max_value=INT_MAX, required=False)
    attendance = forms.IntegerField(label="Số người tham dự", min_value=0, max_value=INT_MAX, required=False)
    minutes = forms.CharField(label="Biên bản, ghi chú", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    attachment = forms.FileField(label="Tệp đính kèm (biên bản: PDF, DOCX, XLSX, JPG, PNG)", required=False)

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.products = list(products)
        for product in self.products:
            self.fields[f"signup_{product.code}"] = forms.IntegerField(
                label=f"Đăng ký {product.short_name}", min_value=0, max_value=INT_MAX, required=False)

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload:
            validate_office_document(upload)
        return upload


class ClassificationForm(forms.Form):
    workers_registered = forms.IntegerField(label="Số lao động đã đăng ký tham gia", min_value=0, max_value=INT_MAX, initial=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in WORKER_CATEGORIES:
            self.fields[code] = forms.IntegerField(label=label, min_value=0, max_value=INT_MAX, initial=0)


@login_required
def activity_detail(request, pk: int):
    activity = selectors.get_activity_or_404(request.user, pk)
    products = list(Product.objects.all())
    can_edit = access.can(request.user, "activities.plan", activity.organiser)
    held_form = HeldForm(products=products, initial={"held_on": activity.held_on or activity.planned_start,
                                                     "held_count": activity.held_count or activity.planned_count,
                                                     "attendance": activity.attendance, "minutes": activity.minutes})
    record = getattr(activity, "direct_work_record", None)
    classification_form = ClassificationForm(initial={f: getattr(record, f) for f, _ in WORKER_CATEGORIES}
                                             | {"workers_registered": record.workers_registered} if record else None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("Bạn không có quyền cập nhật kết quả hoạt động này.")
        try:
            if request.POST.get("action") == "held":
                held_form = HeldForm(request.POST, request.FILES, products=products)
                if held_form.is_valid():
                    data = held_form.cleaned_data
                    with once(token=request.POST.get(TOKEN_FIELD), user=request.user,
                              purpose="campaigns.activity_held", repeated="Kết quả hoạt động này đã được ghi"):
                        services.activity_record_held(
                            activity=activity, held_on=data["held_on"], held_count=data["held_count"],
                            attendance=data["attendance"], minutes=data["minutes"], by=request.user,
                            actual_sign_ups={p: data[f"signup_{p.code}"] for p in products
                                             if data.get(f"signup_{p.code}") is not None})
                        if data["attachment"]:
                            services.activity_attach(activity=activity, file=data["attachment"], by=request.user)
                    messages.success(request, "Đã ghi kết quả hoạt động.")
                    return redirect("activities:activity_detail", pk=activity.pk)
            elif request.POST.get("action") == "classify":
                classification_form = ClassificationForm(request.POST)
                if classification_form.is_valid():
                    data = classification_form.cleaned_data
                    with once(token=request.POST.get(TOKEN_FIELD), user=request.user,
                              purpose="campaigns.activity_classify", repeated="Phân loại lao động này đã được ghi"):
                        services.direct_work_record_save(
                            activity=activity, workers_registered=data["workers_registered"], by=request.user,
                            counts={f: data[f] for f, _ in WORKER_CATEGORIES})
                    messages.success(request, "Đã ghi phân loại lao động.")
                    return redirect("activities:activity_detail", pk=activity.pk)
        except WriteRefused as exc:
            messages.info(request, exc.message)
            return redirect("activities:activity_detail", pk=activity.pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return render(request, "campaigns/activities_detail.html", {
        "activity": activity, "sign_ups": activity.sign_ups.select_related("product"),
        "attachments": activity.attachments.all(), "record": record, "can_edit": can_edit,
        "held_form": held_form, "classification_form": classification_form,
        "categories": [(label, getattr(record, code)) for code, label in WORKER_CATEGORIES] if record else [],
        "is_direct_work": activity.employer_id is not None,
    })


@login_required
def attachment_download(request, pk: int, attachment_pk: int):
    """An attachment, to those who may see its activity (the organiser's subtree); any other: 404."""
    activity = selectors.get_activity_or_404(request.user, pk)
    attachment = activity.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404("Không tìm thấy tệp đính kèm.")
    try:
        handle = attachment.file.open("rb")
    except OSError as exc:
        raise Http404("Tệp đính kèm không còn trên máy chủ.") from exc
    return file_download(handle, filename=attachment.download_name)


class ImportForm(forms.Form):
    file = forms.FileField(label="Tệp kế hoạch (xlsx, xls, ods, csv)")
    write = forms.BooleanField(label="Ghi vào hệ thống (bỏ chọn: chỉ kiểm tra tệp, chưa ghi gì)", required=False)


@login_required
def activity_import(request):
    if not access.can_any(request.user, "activities.import"):
        raise PermissionDenied("Chỉ cán bộ BHXH được nhập kế hoạch hoạt động.")
    report = None
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = import_activities(upload.read(), filename=upload.name, user=request.user,
                                   dry_run=not form.cleaned_data["write"])
    return render(request, "campaigns/activities_import.html", {"form": form, "report": report},
                  status=200 if report is None or report.ok else 400)


@login_required
def activity_import_template(request):
    data = template_xlsx(TEMPLATE_HEADERS, title="ke-hoach")
    return file_download(data, filename="mau-ke-hoach-hoat-dong.xlsx")


@login_required
@require_POST
def activity_cancel(request, pk: int):
    activity = selectors.get_activity_or_404(request.user, pk)
    services.activity_cancel(activity=activity, reason=request.POST.get("reason", ""), by=request.user)
    return redirect("activities:activity_detail", pk=activity.pk)
