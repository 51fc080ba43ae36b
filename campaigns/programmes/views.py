"""Support-programme pages: programmes, one programme (groups and dated support, lists, budget
estimate, yearly report status), list import and export on the forms, the overdue list, card issue.
"""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from bhxh_portal.files import file_download
from bhxh_portal.idempotency import Repeated
from units import access
from units.periods import year_param

from .importers import export_beneficiary_list, import_beneficiary_list, template_xlsx
from ..models.programmes import ListForm
from . import selectors, services
from ..holidays.workdays import working_deadline


def _year(request) -> int:
    return year_param(request.GET.get("nam"), default=datetime.date.today().year)


@login_required
def programme_list(request):
    return render(request, "campaigns/programmes_list.html", {"programmes": selectors.programmes_for(request.user)})


def _year_with_lists(user, programme, today: datetime.date) -> tuple[int, str]:
    """The current year, or (when the programme has received nothing this year) the latest year it
    received lists, or else its last year; with the sentence that says so."""
    latest = selectors.latest_programme_year(user=user, programme=programme, up_to=today.year)
    if latest == today.year:
        return today.year, ""
    if latest is not None:
        return latest, f"Đang xem năm {latest} — năm gần nhất có danh sách (năm {today.year} chưa có)."
    last = min(today.year, programme.valid_to.year)
    if last == today.year:
        return last, ""
    return last, f"Chương trình chưa nhận danh sách nào; đang xem năm {last} — năm cuối của chương trình."


@login_required
def programme_detail(request, pk: int):
    programme = selectors.get_programme_or_404(request.user, pk)
    today = datetime.date.today()
    year, opened_on = _year(request), ""
    if not request.GET.get("nam"):
        year, opened_on = _year_with_lists(request.user, programme, today)
    lists, calendar_warning = selectors.mark_calendar_gaps(
        selectors.lists_for(request.user, programme), received_on=lambda batch: batch.received_on,
        due_on=lambda batch: batch.due)
    return render(request, "campaigns/programmes_detail.html", {
        "programme": programme, "year": year, "today": today, "calendar_warning": calendar_warning,
        "groups": programme.groups.select_related("product").prefetch_related("rules"),
        "lists": lists,
        "budget": selectors.budget_estimate(programme=programme, year=year),
        "reports": selectors.yearly_report_status(user=request.user, programme=programme, year=year),
        "summary": selectors.yearly_summary(user=request.user, programme=programme, year=year),
        "due": programme.report_due(year), "opened_on": opened_on,
    })


class ListImportForm(forms.Form):
    group = forms.ModelChoiceField(label="Nhóm đối tượng (mẫu)", queryset=None)
    unit = forms.ModelChoiceField(label="Đơn vị lập danh sách", queryset=None)
    received_on = forms.DateField(label="Ngày nhận danh sách", input_formats=["%d/%m/%Y", "%Y-%m-%d"])
    file = forms.FileField(label="Tệp danh sách (xlsx, xls, ods, csv)")
    write = forms.BooleanField(label="Ghi vào hệ thống (bỏ chọn: chỉ kiểm tra tệp, chưa ghi gì)", required=False)

    def __init__(self, *args, programme, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = programme.groups.all()
        units = access.visible_units(user).filter(path__startswith=programme.province.path, depth__lte=2)
        self.fields["unit"].queryset = units.order_by("path")


@login_required
def list_import(request, pk: int):
    programme = selectors.get_programme_or_404(request.user, pk)
    form = ListImportForm(request.POST or None, request.FILES or None, programme=programme, user=request.user)
    report, deadline = None, None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        try:
            report = import_beneficiary_list(upload.read(), filename=upload.name, group=data["group"],
                                             unit=data["unit"], received_on=data["received_on"], user=request.user,
                                             dry_run=not data["write"])
        except Repeated as exc:
            messages.info(request, exc.message)
            return redirect("programmes:list_detail", pk=exc.obj.pk)
        deadline = working_deadline(data["received_on"], programme.card_issue_working_days)
        if report.ok and not report.dry_run:
            messages.success(request, report.summary())
            if deadline.warning:
                messages.warning(request, f"Hạn cấp thẻ {deadline.day:%d/%m/%Y}. {deadline.warning}")
            return redirect("programmes:list_detail", pk=report.list_id)
    return render(request, "campaigns/programmes_import.html", {
        "programme": programme, "form": form, "report": report, "deadline": deadline,
        "forms": [(value.replace("/", "-"), label) for value, label in ListForm.choices],
    }, status=200 if report is None or report.ok else 400)


@login_required
def list_template(request, form_code: str):
    form = {value.replace("/", "-"): value for value in ListForm.values}.get(form_code)
    if form is None:
        raise Http404("Không có mẫu này.")
    return file_download(template_xlsx(form), filename=f"mau-{form_code}.xlsx")


@login_required
def list_detail(request, pk: int):
    beneficiary_list = selectors.get_list_or_404(request.user, pk)
    beneficiaries, calendar_warning = selectors.mark_calendar_gaps(
        beneficiary_list.beneficiaries.select_related("commune"), received_on=lambda b: beneficiary_list.received_on)
    return render(request, "campaigns/programmes_list_detail.html", {
        "list": beneficiary_list, "today": datetime.date.today(), "calendar_warning": calendar_warning,
        "beneficiaries": beneficiaries,
        "can_manage": access.can(request.user, "programmes.manage", beneficiary_list.unit),
    })


@login_required
def list_export(request, pk: int):
    beneficiary_list = selectors.get_list_or_404(request.user, pk)
    name = beneficiary_list.group.form.replace("/", "-")
    return file_download(export_beneficiary_list(beneficiary_list), filename=f"danh-sach-{name}-{beneficiary_list.pk}.xlsx")


@login_required
def overdue_list(request, pk: int):
    programme = selectors.get_programme_or_404(request.user, pk)
    today = datetime.date.today()
    beneficiaries, calendar_warning = selectors.mark_calendar_gaps(
        selectors.overdue_beneficiaries(user=request.user, programme=programme, today=today))
    return render(request, "campaigns/programmes_overdue.html", {
        "programme": programme, "today": today, "beneficiaries": beneficiaries, "calendar_warning": calendar_warning,
    })


@login_required
@require_POST
def beneficiary_issue(request, pk: int):
    beneficiary = selectors.get_beneficiary_or_404(request.user, pk)
    try:
        issued_on = datetime.datetime.strptime(request.POST.get("issued_on", ""), "%Y-%m-%d").date()
    except ValueError:
        issued_on = datetime.date.today()
    try:
        services.beneficiary_issue_card(beneficiary=beneficiary, card_number=request.POST.get("card_number", ""),
                                        issued_on=issued_on, by=request.user)
        messages.success(request, f"Đã ghi cấp thẻ cho {beneficiary.full_name}.")
    except Repeated as exc:
        messages.info(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("programmes:list_detail", pk=beneficiary.beneficiary_list_id)


@login_required
@require_POST
def beneficiary_change(request, pk: int):
    beneficiary = selectors.get_beneficiary_or_404(request.user, pk)
    try:
        effective_on = datetime.datetime.strptime(request.POST.get("effective_on", ""), "%Y-%m-%d").date()
        services.beneficiary_change_record(beneficiary=beneficiary, kind=request.POST.get("kind", ""),
                                           effective_on=effective_on, notified_on=datetime.date.today(),
                                           note=request.POST.get("note", ""), by=request.user)
        messages.success(request, "Đã ghi biến động.")
    except Repeated as exc:
        messages.info(request, exc.message)
    except ValueError:
        messages.error(request, "Ngày có hiệu lực không hợp lệ.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied:
        raise
    return redirect("programmes:list_detail", pk=beneficiary.beneficiary_list_id)
