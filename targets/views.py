"""The targets pages: per unit and year, the split down the tree, history, denominators, import.

Thin: parse (forms), call (services, selectors), render. A unit the user may not see answers 404
(access.get_visible_unit_or_404); a write the user may not make answers 403 with a Vietnamese
message and no data.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from bhxh_portal.files import dataset_download, file_download
from bhxh_portal.importing.pending import (pending_confirm, pending_forget, pending_preview, pending_resource_import,
                                           pending_store)
from bhxh_portal.importing import template_csv, template_xlsx

from units import access
from . import selectors, services
from .allocation import AllocationError, check_split
from targets.forms import IMPORT_KINDS, AllocationForm, DemographicsForm, ImportUploadForm, TargetForm
from .models import EnteredAs, Indicator, TargetKind
from units.periods import InvalidPeriodParam, Period, period_param, periods_of_year, year_param
from units.selectors import unit_breadcrumbs
from .services.targets import refusal_message
from targets.resources import (
    DEMOGRAPHICS_TEMPLATE_HEADERS,
    TARGET_TEMPLATE_HEADERS,
    DemographicsResource,
    TargetResource,
)
from targets.schools.resources import (
    FIGURES_TEMPLATE_HEADERS,
    FIGURES_TEMPLATE_HELP,
    SCHOOL_TEMPLATE_HEADERS,
    SCHOOL_TEMPLATE_HELP,
    SchoolFiguresResource,
    SchoolResource,
)


def forbidden(request, message: str):
    return render(request, "targets/targets_forbidden.html", {"message": message}, status=403)


def _year_or_404(year: int) -> int:
    try:
        return year_param(year)
    except InvalidPeriodParam as exc:  # a year of the path: no such page
        raise Http404(str(exc)) from exc


def _period_of(request, year: int) -> Period:
    key = request.GET.get("ky") or request.POST.get("ky")
    period = period_param(key, default=Period.of_year(year))
    if period.year != year:
        raise InvalidPeriodParam(f"Kỳ {period.label.lower()} (ky={key}) không thuộc năm {year} đang xem.")
    return period


def _unit_context(request, unit, year: int | None) -> dict:
    return {"unit": unit, "breadcrumbs": unit_breadcrumbs(unit=unit, user=request.user),
            "crumb_year": year or datetime.date.today().year}


# --- landing and overview --------------------------------------------------------------------------


@login_required
def target_home(request):
    year = datetime.date.today().year
    return render(request, "targets/targets_home.html", {
        "top_units": access.top_units(request.user).order_by("code"),
        "year": year,
        "years": range(year - 4, year + 2),
        "can_import": _may_import(request.user),
    })


@login_required
def target_overview(request, pk: int, year: int):
    unit = access.get_visible_unit_or_404(request.user, pk)
    period = _period_of(request, _year_or_404(year))
    overview = selectors.target_overview(unit=unit, period=period)
    user = request.user
    return render(request, "targets/targets_overview.html", {
        **_unit_context(request, unit, year),
        "overview": overview,
        "period": period,
        "year": year,
        "all_periods": periods_of_year(year),
        "can_assign": services.can_edit_target(user, unit=unit, kind=TargetKind.ASSIGNED),
        "can_self_set": access.can(user, "targets.set_own", unit),
        "can_allocate": access.can(user, "targets.allocate", unit),
        "can_edit_demographics": access.can(user, "demographics.enter", unit),
    })


# --- one target ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def target_edit(request, pk: int, year: int):
    unit = access.get_visible_unit_or_404(request.user, pk)
    _year_or_404(year)
    kinds = [k for k in TargetKind.values if services.can_edit_target(request.user, unit=unit, kind=k)]
    requested_kind = request.POST.get("kind") or request.GET.get("kind")
    if not kinds or (requested_kind and requested_kind not in kinds):
        return forbidden(request, refusal_message(
            unit=unit, kind=requested_kind if requested_kind in TargetKind.values else TargetKind.ASSIGNED))
    indicator = Indicator.objects.filter(code=request.POST.get("indicator") or request.GET.get("indicator")).first()
    period = _period_of(request, year)
    kind = requested_kind or kinds[0]
    existing = (services.find_target(unit=unit, indicator=indicator, period=period, kind=kind)
                if indicator else None)
    back = reverse("targets:target_overview", args=[unit.pk, year]) + (f"?ky={period.key}" if period.type != "year" else "")
    if request.method == "POST" and request.POST.get("action") == "delete":
        if existing is None:
            raise Http404("Không có chỉ tiêu để xóa.")
        try:
            services.target_delete(target=existing, by=request.user, reason="Xóa trên trang chỉ tiêu")
        except PermissionDenied as exc:
            return forbidden(request, str(exc))
        messages.success(request, f"Đã xóa chỉ tiêu {existing.get_kind_display().lower()} {existing.indicator}.")
        return redirect(back)
    initial = {"period": period.key, "kind": kind, "indicator": indicator}
    if existing:
        initial.update({
            "entered_as": existing.entered_as,
            "value": (f"{existing.rate_pct:f}".rstrip("0").rstrip(".").replace(".", ",")
                      if existing.entered_as == EnteredAs.RATE else existing.count),
            "decision": existing.decision_label, "note": existing.note,
        })
    form = TargetForm(request.POST or None, initial=initial, year=year, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            target = services.target_set(
                unit=unit, indicator=data["indicator"], period=data["period"], kind=data["kind"],
                rate_pct=data.get("rate_pct"), count=data.get("count"), entered_as=data["entered_as"],
                decision=data["decision"], note=data["note"], by=request.user, reason="Sửa trên trang chỉ tiêu",
            )
        except PermissionDenied as exc:
            return forbidden(request, str(exc))
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field_name, problems in exc.message_dict.items():
                    form.add_error("value" if field_name in ("rate_pct", "count") else None, problems)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, f"Đã lưu chỉ tiêu {target.get_kind_display().lower()} {target.indicator}: "
                                      f"{target.count:,} người".replace(",", ".") + ".")
            return redirect(reverse("targets:target_overview", args=[unit.pk, year])
                            + (f"?ky={target.period.key}" if target.period.type != "year" else ""))
    return render(request, "targets/targets_edit.html", {
        **_unit_context(request, unit, year), "form": form, "year": year, "existing": existing, "back": back,
        "demographics": selectors.demographics_sheet(unit=unit, year=year)[0].record,
    })


# --- allocation ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def target_allocate(request, pk: int, year: int, indicator: str):
    unit = access.get_visible_unit_or_404(request.user, pk)
    _year_or_404(year)
    indicator_obj = get_object_or_404(Indicator, code=indicator)
    period = _period_of(request, year)
    basis_kind = request.POST.get("theo") or request.GET.get("theo")
    sheet = selectors.allocation_sheet(unit=unit, indicator=indicator_obj, period=period, basis_kind=basis_kind)
    may_allocate = access.can(request.user, "targets.allocate", unit)
    if request.method == "POST" and not may_allocate:
        return forbidden(request, f"Bạn không có quyền phân bổ chỉ tiêu của {unit.name}.")
    initial = {r.key: r.target.count if r.target else None for r in sheet.recipients}
    form = AllocationForm(request.POST or None, initial=initial, recipients=sheet.recipients)
    note = ""
    if request.method == "POST" and form.is_valid():
        fill = request.POST.get("fill")
        if fill:
            try:
                proposal, note = selectors.allocation_proposal(sheet=sheet, method=fill, current=form.shares())
            except AllocationError as exc:
                messages.error(request, str(exc))
            else:
                data = request.POST.copy()
                for key, value in proposal.items():
                    data[key] = "" if value is None else f"{value:,}".replace(",", ".")
                form = AllocationForm(data, recipients=sheet.recipients)
                form.is_valid()
                messages.info(request, f"Đã điền theo cách «{selectors.FILL_METHODS[fill]}». "
                                       "Kiểm tra rồi bấm Lưu phân bổ để ghi.")
        elif sheet.basis is None:
            messages.error(request, "Đơn vị chưa có chỉ tiêu giao hoặc phấn đấu cho chỉ tiêu này: "
                                    "hãy đặt chỉ tiêu trước khi phân bổ.")
        else:
            shares = {r.obj: form.cleaned_data[r.key] for r in sheet.recipients}
            try:
                outcome = services.target_allocate(parent=sheet.basis, shares=shares, by=request.user,
                                                   decision=form.cleaned_data["decision"])
            except PermissionDenied as exc:
                return forbidden(request, str(exc))
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                level = messages.WARNING if outcome.check.status == "under" else messages.SUCCESS
                messages.add_message(request, level, outcome.summary())
                url = reverse("targets:target_allocate", args=[unit.pk, year, indicator_obj.code])
                query = [f"ky={period.key}"] if period.type != "year" else []
                if basis_kind:
                    query.append(f"theo={basis_kind}")
                return redirect(url + ("?" + "&".join(query) if query else ""))
    cleaned = getattr(form, "cleaned_data", None)
    rows = [(r, form[r.key]) for r in sheet.recipients]
    typed = [cleaned.get(r.key) if cleaned is not None else initial[r.key] for r in sheet.recipients]
    return render(request, "targets/targets_allocate.html", {
        **_unit_context(request, unit, year),
        "sheet": sheet, "form": form, "rows": rows, "period": period, "year": year,
        "check": check_split(sheet.basis.count if sheet.basis else None, typed),
        "may_allocate": may_allocate, "fill_methods": selectors.FILL_METHODS, "fill_note": note,
        "basis_kind": sheet.basis.kind if sheet.basis else "",
    })


# --- history ---------------------------------------------------------------------------------------


@login_required
def target_history(request, pk: int):
    unit = access.get_visible_unit_or_404(request.user, pk)
    year = request.GET.get("nam")
    year = year_param(year) if year else None
    return render(request, "targets/targets_history.html", {
        **_unit_context(request, unit, year), "entries": selectors.target_history(unit=unit, year=year), "year": year,
    })


# --- denominators ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def demographics_edit(request, pk: int, year: int):
    unit = access.get_visible_unit_or_404(request.user, pk)
    _year_or_404(year)
    rows = selectors.demographics_sheet(unit=unit, year=year)
    for row in rows:
        row.editable = access.can(request.user, "demographics.enter", row.unit)
    if request.method == "POST" and not any(r.editable for r in rows):
        return forbidden(request, f"Bạn không có quyền sửa dân số, lao động của {unit.name} và đơn vị cấp dưới.")
    form = DemographicsForm(request.POST or None, rows=rows)
    if request.method == "POST" and form.is_valid():
        changed = 0
        try:
            with transaction.atomic():
                for row in rows:
                    if not row.editable:
                        continue
                    values, source = form.values_of(row)
                    stored = row.record
                    before = None if stored is None else (
                        tuple(getattr(stored, n) for n in services.DEMOGRAPHIC_FIELDS), stored.source)
                    if stored is None and not any(v is not None for v in values.values()) and not source:
                        continue
                    if before == (tuple(values.values()), source):
                        continue
                    services.demographics_save(unit=row.unit, year=year, values=values, source=source,
                                               by=request.user, reason="Sửa trên trang dân số, lao động")
                    changed += 1
        except PermissionDenied as exc:
            return forbidden(request, str(exc))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Đã lưu dân số, lao động năm {year}: {changed} đơn vị thay đổi.")
            return redirect("targets:demographics_edit", pk=unit.pk, year=year)
    return render(request, "targets/targets_demographics.html", {
        **_unit_context(request, unit, year), "form": form, "year": year,
        "any_editable": any(r.editable for r in rows), "field_names": services.DEMOGRAPHIC_FIELDS,
    })


# --- files -----------------------------------------------------------------------------------------


@login_required
def target_export(request, pk: int, year: int, fmt: str):
    unit = access.get_visible_unit_or_404(request.user, pk)
    resource = TargetResource()
    dataset = resource.export(queryset=selectors.targets_of_subtree(unit=unit, year=_year_or_404(year)))
    return dataset_download(dataset, fmt=fmt, filename=f"chi_tieu_{unit.code}_{year}")


@login_required
def demographics_export(request, pk: int, year: int, fmt: str):
    unit = access.get_visible_unit_or_404(request.user, pk)
    resource = DemographicsResource()
    dataset = resource.export(queryset=selectors.demographics_of_subtree(unit=unit, year=_year_or_404(year)))
    return dataset_download(dataset, fmt=fmt, filename=f"dan_so_{unit.code}_{year}")


TEMPLATE_HELP = {
    "schools": SCHOOL_TEMPLATE_HELP,
    "school_figures": FIGURES_TEMPLATE_HELP,
    "targets": [
        ("Mã đơn vị", "Mã của xã, huyện, thôn như trong danh mục đơn vị (bắt buộc)."),
        ("Tên đơn vị", "Để người đọc dễ theo dõi; khi nhập không dùng cột này."),
        ("Năm", "Năm của chỉ tiêu, vd 2023 (bắt buộc)."),
        ("Kỳ", "Để trống hoặc 'Năm' cho cả năm; '6 tháng đầu', '6 tháng cuối', 'Quý 1'…'Quý 4', 'Tháng 1'…'Tháng 12'."),
        ("Chỉ tiêu", "Mã chỉ tiêu (xem bên dưới), bắt buộc."),
        ("Đại lý thu", "Tên đại lý thu của đơn vị nếu chỉ tiêu giao cho đại lý; để trống nếu giao cho đơn vị."),
        ("Tỷ lệ (%)", "Tỷ lệ so với mẫu số (dân số, lực lượng lao động…), vd 95 hoặc 95,00; không quá 100."),
        ("Số người", "Số người, vd 13.050. Ghi tỷ lệ hoặc số người; ghi cả hai thì phải khớp nhau."),
        ("Loại (giao/phấn đấu)", "'giao' (cấp trên giao) hoặc 'phấn đấu' (đơn vị tự đặt); để trống là 'giao'."),
        ("Quyết định giao", "Văn bản giao, vd 'Quyết định 324/QĐ-UBND ngày 15/3/2021'."),
        ("Ghi chú", "Tùy ý."),
    ],
    "demographics": [
        ("Mã đơn vị", "Mã của đơn vị (bắt buộc)."),
        ("Tên đơn vị", "Để người đọc dễ theo dõi; khi nhập không dùng cột này."),
        ("Năm", "Năm của số liệu (bắt buộc)."),
        ("Dân số", "Số người, vd 148.806."),
        ("Lực lượng lao động", "Lực lượng lao động trong độ tuổi, vd 75.890."),
        ("Học sinh, sinh viên", "Số học sinh, sinh viên (mẫu số của BHYT học sinh)."),
        ("Thuộc diện BHXH bắt buộc", "Số người thuộc diện tham gia BHXH bắt buộc."),
        ("Thuộc diện BHXH tự nguyện", "Số người thuộc diện có thể tham gia BHXH tự nguyện."),
        ("Thuộc diện tham gia BHTN", "Số người thuộc diện tham gia bảo hiểm thất nghiệp (mẫu số của tỷ lệ "
                                     "tham gia BHTN so với đối tượng phải tham gia)."),
        ("Nguồn số liệu", "Vd: Cục Thống kê, số liệu 30/6/2023."),
    ],
}


@login_required
def import_template(request, kind: str, fmt: str):
    """Blank templates with Vietnamese headers (accepted as they are on import)."""
    if kind == "chi-tieu":
        headers, key, name = TARGET_TEMPLATE_HEADERS, "targets", "mau_chi_tieu"
    elif kind == "dan-so":
        headers, key, name = DEMOGRAPHICS_TEMPLATE_HEADERS, "demographics", "mau_dan_so"
    elif kind == "truong-hoc":
        headers, key, name = SCHOOL_TEMPLATE_HEADERS, "schools", "mau_truong_hoc"
    elif kind == "hoc-sinh-bhyt":
        headers, key, name = FIGURES_TEMPLATE_HEADERS, "school_figures", "mau_hoc_sinh_bhyt"
    else:
        raise Http404("Không có mẫu này.")
    if fmt == "csv":
        content = template_csv(headers)
    elif fmt == "xlsx":
        content = _template_workbook(headers, key)
    else:
        raise Http404("Chỉ có mẫu .csv hoặc .xlsx.")
    return file_download(content, filename=f"{name}.{fmt}")


def _template_workbook(headers: list[str], key: str) -> bytes:
    guide = list(TEMPLATE_HELP[key])
    if key == "targets":
        guide += [[], ["Mã chỉ tiêu", "Tên chỉ tiêu (mẫu số)"]]
        guide += [[indicator.code, f"{indicator.name} ({indicator.get_denominator_display().lower()})"]
                  for indicator in Indicator.objects.filter(is_active=True)]
    return template_xlsx(headers, guide=guide)


IMPORT_SESSION_KEY = "targets_import"
# Each kind of the targets upload page; schools and their pupils' BHYT take the same check-then-confirm
# upload and the same scope rules.
RESOURCES = {"targets": TargetResource, "demographics": DemographicsResource,
             "schools": SchoolResource, "school_figures": SchoolFiguresResource}


def _may_import(user) -> bool:
    return access.can_any(user, "targets.import")


@login_required
@require_http_methods(["GET", "POST"])
def target_import(request):
    """Upload, check (nothing written), then confirm. Every row is checked against what the user
    may write (units.access), exactly as in `manage.py import_data` otherwise."""
    if not _may_import(request.user):
        return forbidden(request, "Tài khoản của bạn không có quyền nhập chỉ tiêu hoặc dân số, lao động.")
    pending = request.session.get(IMPORT_SESSION_KEY)
    if request.method == "POST" and request.POST.get("action") == "confirm":
        report, answer = pending_confirm(request, key=IMPORT_SESSION_KEY, pending=pending, purpose="targets.import",
                                         page="targets:target_import",
                                         run=lambda: _run_import(request, pending, dry_run=False))
        if answer is not None:
            return answer
        if report is None:
            return redirect("targets:target_import")
        if report.ok:
            messages.success(request, report.summary())
            return redirect("targets:target_import")
        return render(request, "targets/targets_import.html", {
            "form": ImportUploadForm(initial={"kind": pending["kind"]}), "report": report,
            "kinds": IMPORT_KINDS})
    if request.method == "POST" and request.POST.get("action") == "cancel":
        pending_forget(request, key=IMPORT_SESSION_KEY)
        messages.info(request, "Đã hủy, không ghi gì.")
        return redirect("targets:target_import")
    form = ImportUploadForm(request.POST or None, request.FILES or None,
                            initial={"kind": request.GET.get("loai", "targets")})
    context = {"form": form, "kinds": IMPORT_KINDS}
    if request.method == "POST" and form.is_valid():
        pending = pending_store(request, key=IMPORT_SESSION_KEY, upload=form.cleaned_data["file"])
        pending["kind"] = form.cleaned_data["kind"]
        request.session[IMPORT_SESSION_KEY] = pending
        report = _run_import(request, pending, dry_run=True)
        if report is None or not report.ok:
            pending_forget(request, key=IMPORT_SESSION_KEY)
        context.update({"report": report, "pending": pending if report and report.ok else None,
                        "preview": pending_preview(pending) if report and report.ok else None})
    return render(request, "targets/targets_import.html", context)


def _run_import(request, pending, *, dry_run: bool):
    resource = RESOURCES[pending["kind"]](user=request.user)
    return pending_resource_import(request, pending, resource=resource, dry_run=dry_run)


