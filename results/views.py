"""The monthly results pages: the entry grid, the workflow, the history, completeness,
the upload. (The dashboard, whose figures are the coverage tables', is reports.views_dashboard.)

Thin: parse, call (results.services, results.selectors), render. A unit the user
may not see answers 404 (access.get_visible_unit_or_404); a write the user may not make answers
403 with a Vietnamese message. A grid cell is saved on its own (HTMX); its answer is the cell again,
with the reason when the save was refused: 409 somebody saved it first (the current value is
shown, nothing is overwritten), 422 not a number, 423 the month is locked, 403 not allowed.
"""


from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from bhxh_portal.files import dataset_download, file_download
from bhxh_portal.importing.pending import pending_confirm, pending_forget, pending_resource_import, pending_store
from bhxh_portal.idempotency import Repeated
from bhxh_portal.importing import template_csv, template_xlsx
from bhxh_portal.imports import max_upload_bytes
from bhxh_portal.numbers import parse_id, parse_whole_number

from units import access
from targets.models import Indicator, indicators_by_code
from .models import MonthlyResult, ReportAction
from units.models import Unit
from units.periods import InvalidPeriodParam, Period, month_param
from .resources import RESULT_TEMPLATE_HEADERS, TEMPLATE_HELP, ResultResource
from . import selectors
from units.selectors.tree import unit_breadcrumbs
from . import services


def forbidden(request, message: str):
    return render(request, "results/results_forbidden.html", {"message": message}, status=403)


def _month_or_404(key: str) -> Period:
    try:
        return month_param(key, name="tháng")
    except InvalidPeriodParam as exc:  # a month of the path: no such page
        raise Http404(f"{exc} Kết quả được xem theo tháng.") from exc


def grid_url(unit: Unit, month: Period, codes: list[str] | None = None) -> str:
    url = reverse("results:results_grid", args=[unit.pk, month.key])
    return url + (f"?chi-tieu={','.join(codes)}" if codes else "")


GRID_CODES_SESSION_KEY = "results_grid_codes"
DEFAULT_COLUMNS = "mac-dinh"


def _codes(request) -> list[str] | None:
    """The indicators chosen for the grid's columns. A choice in the address is remembered in the
    session, so that the grid keeps its columns after a save, a redirect or the next visit;
    ?chi-tieu=mac-dinh forgets it (back to the default columns)."""
    raw = (request.GET.get("chi-tieu") or request.POST.get("chi-tieu") or "").strip()
    if raw == DEFAULT_COLUMNS:
        request.session.pop(GRID_CODES_SESSION_KEY, None)
        return None
    if not raw:
        stored = request.session.get(GRID_CODES_SESSION_KEY)
        return list(stored) if isinstance(stored, list) and stored else None
    codes = list(dict.fromkeys(c.strip() for c in raw.split(",") if c.strip()))[:50]
    if codes:
        request.session[GRID_CODES_SESSION_KEY] = codes
    return codes or None


def _context(request, unit: Unit, month: Period | None = None) -> dict:
    return {"unit": unit, "month": month, "breadcrumbs": unit_breadcrumbs(unit=unit, user=request.user)}


# --- landing pages (the menu) ----------------------------------------------------------------------


@login_required
def results_entry_home(request):
    """'Nhập kết quả': straight to the grid when the user reports for one unit."""
    month = selectors.default_month()
    units = [u for u in access.top_units(request.user).order_by("code")
             if access.can(request.user, "results.enter", services.reporting_unit(u))]
    if len(units) == 1 and units[0].level.code not in services.VILLAGE_LEVELS:
        return redirect(grid_url(units[0], month))
    children = {}
    if units:
        for child in Unit.objects.filter(parent__in=units).exclude(level__code__in=services.VILLAGE_LEVELS).current() \
                .select_related("level").order_by("code"):
            children.setdefault(child.parent_id, []).append(child)
    return render(request, "results/results_home.html", {
        "month": month, "entries": [(u, children.get(u.pk, [])) for u in units],
        "title": "Nhập kết quả hằng tháng", "target": "grid",
    })


@login_required
def results_progress_home(request):
    """'Tiến độ nộp': the completeness of the user's top unit(s)."""
    month = selectors.default_month()
    units = list(access.top_units(request.user).order_by("code"))
    if len(units) == 1:
        month, opened_on = selectors.month_to_open(unit=units[0])
        if opened_on:
            messages.info(request, opened_on)
        return redirect("results:results_completeness", pk=units[0].pk, month=month.key)
    return render(request, "results/results_home.html", {
        "month": month, "entries": [(u, []) for u in units], "title": "Tiến độ nộp kết quả", "target": "completeness",
    })


@login_required
def results_dashboard_home(request):
    units = list(access.top_units(request.user).order_by("code"))
    if len(units) == 1:
        return redirect("dashboard:unit", pk=units[0].pk)
    return render(request, "results/results_home.html", {
        "month": selectors.default_month(), "entries": [(u, []) for u in units], "title": "Tổng quan kết quả",
        "target": "dashboard",
    })


@login_required
def results_review(request):
    """'Duyệt kết quả': the reports waiting for this user's approval."""
    reports = selectors.reports_to_review(user=request.user)
    return render(request, "results/results_review.html", {
        "reports": reports, "approved_above": [] if reports else selectors.approved_above(user=request.user),
        "month": selectors.default_month(),
        "top_units": access.top_units(request.user).order_by("code"),
        "can_import": access.can_any(request.user, "results.import"),
    })


# --- the grid --------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def results_grid(request, pk: int, month: str):
    unit = access.get_visible_unit_or_404(request.user, pk)
    period = _month_or_404(month)
    owner = services.reporting_unit(unit)
    if owner.pk != unit.pk:  # a village is entered on its commune's grid
        access.get_visible_unit_or_404(request.user, owner.pk)
        return redirect(grid_url(owner, period))
    codes = _codes(request)
    if request.method == "POST":
        return _save_whole_grid(request, owner, period, codes)
    grid = selectors.entry_grid(unit=owner, month=period, user=request.user, codes=codes)
    return render(request, "results/results_grid.html", {
        **_context(request, owner, period), "grid": grid, "codes": codes,
        "previous": selectors.previous_month(period), "next": selectors.next_month(period),
        "next_is_future": selectors.is_future(selectors.next_month(period)),
        "code_list": ",".join(grid.codes),
        "cell_url": reverse("results:results_cell", args=[owner.pk, period.key]),
    })


def _parse_cell_name(name: str) -> tuple[str, str, str] | None:
    parts = name.split("-")
    if len(parts) != 4 or parts[0] != "c" or parts[3] not in services.FIELDS:
        return None
    return parts[1], parts[2], parts[3]


def _row_target(owner: Unit, row_key: str):
    """(unit, agent) of a grid row: the reporting unit, one of its villages, or one of its agents."""
    from agents.models import Agent

    pk = parse_id(row_key[1:])
    if pk is None:
        raise Http404("Ô không hợp lệ.")
    if row_key[0] == "a":
        agent = Agent.objects.filter(pk=pk, unit=owner).first()
        if agent is None:
            raise Http404("Đại lý không thuộc đơn vị này.")
        return owner, agent
    if row_key[0] == "u":
        if pk == owner.pk:
            return owner, None
        unit = access.unit_by_pk(pk)
        if unit is None or unit.parent_id != owner.pk or unit.level.code not in services.VILLAGE_LEVELS:
            raise Http404("Đơn vị không thuộc bảng nhập này.")
        return unit, None
    raise Http404("Ô không hợp lệ.")


def _version(request, row_key: str, code: str) -> int | None:
    return parse_id(request.POST.get(f"v-{row_key}-{code}", ""))


def _read(raw: str | None) -> int | None:
    """A cell as typed: empty, or a whole number written the Vietnamese way (1.234)."""
    value = parse_whole_number((raw or "").strip() or None)
    if value is not None and value < 0:
        raise ValueError(f"'{raw}' là số âm")
    return value


@login_required
@require_POST
def results_cell(request, pk: int, month: str):
    """Save one cell (HTMX). The answer is the cell again, plus the new version of its row and the
    children's sums (out of band), or the cell with the reason it was refused."""
    unit = access.get_visible_unit_or_404(request.user, pk)
    period = _month_or_404(month)
    owner = services.reporting_unit(unit)
    names = [n for n in request.POST if n.startswith("c-")]
    parsed = _parse_cell_name(names[0]) if len(names) == 1 else None
    if parsed is None:
        return HttpResponse("Thiếu ô cần lưu.", status=400)
    row_key, code, field_name = parsed
    indicator = indicators_by_code().get(code)
    if indicator is None:
        raise Http404("Không có chỉ tiêu này.")
    row_unit, agent = _row_target(owner, row_key)
    if not request.htmx:
        messages.info(request, "Trang đã tải lại; hãy nhập lại ô vừa sửa.")
        return redirect(grid_url(owner, period))
    raw = request.POST.get(names[0], "")
    version = _version(request, row_key, code)
    status, error, keep_typed, saved, report = 200, "", False, False, None
    if version is None:
        status, error = 400, "Thiếu phiên bản của ô; hãy tải lại trang."
    else:
        try:
            value = _read(raw)
        except ValueError as exc:
            status, error, keep_typed = 422, f"Không đọc được số: {exc}. Ghi số nguyên, vd 1.234.", True
        else:
            try:
                outcome = services.result_set_field(
                    unit=row_unit, agent=agent, indicator=indicator, month=period, field=field_name, value=value,
                    expected_version=version, by=request.user, reason="Nhập trên bảng kết quả tháng")
                saved, report = outcome.changed, outcome.report
            except PermissionDenied as exc:
                status, error = 403, str(exc)
            except services.ResultRefused as exc:
                status, error = exc.status, exc.message
            except ValidationError as exc:
                status, error, keep_typed = 422, " ".join(exc.messages), True
    # The cell's own row and the unit's sums, not the whole grid.
    answer = selectors.entry_cell(unit=owner, month=period, user=request.user, row_key=row_key, code=code,
                                  field_name=field_name, row_unit=row_unit, agent=agent, report=report)
    if answer is None:
        raise Http404("Ô không có trong bảng.")
    cell = answer.cell
    cell.error = error
    if keep_typed:
        cell.attempted = raw
    return render(request, "results/_results_cell_response.html", {
        "grid": answer, "cell": cell, "row": answer.row, "saved": saved and not error, "code_list": code,
        "own_cell": answer.own_cell, "cell_url": reverse("results:results_cell", args=[owner.pk, period.key]),
        "foot": answer.foot,
    }, status=status)


def _save_whole_grid(request, owner: Unit, period: Period, codes):
    """Without JavaScript the grid is one form: each result the user changed is saved with the
    version they saw; the refused ones are listed, nothing is overwritten."""
    changed: dict[tuple[str, str], dict[str, str]] = {}
    for name, raw in request.POST.items():
        parsed = _parse_cell_name(name)
        if parsed is None:
            continue
        row_key, code, field_name = parsed
        if raw.strip() != request.POST.get(f"o-{row_key}-{code}-{field_name}", "").strip():
            changed.setdefault((row_key, code), {})[field_name] = raw
    indicators = {i.code: i for i in Indicator.objects.filter(code__in={code for _, code in changed})}
    saved, problems = 0, []
    for (row_key, code), fields in sorted(changed.items()):
        indicator = indicators.get(code)
        if indicator is None:
            continue
        row_unit, agent = _row_target(owner, row_key)
        who = agent.name if agent else row_unit.name
        values = {}
        try:
            for field_name in services.FIELDS:
                raw = fields[field_name] if field_name in fields else request.POST.get(
                    f"o-{row_key}-{code}-{field_name}", "")
                values[field_name] = _read(raw)
        except ValueError as exc:
            problems.append(f"{who}, {indicator.short_name}: không đọc được số ({exc}).")
            continue
        if values["participants"] is None:
            values = dict.fromkeys(services.FIELDS)
        try:
            outcome = services.result_save(
                unit=row_unit, agent=agent, indicator=indicator, month=period,
                expected_version=_version(request, row_key, code) or 0, by=request.user,
                reason="Nhập trên bảng kết quả tháng", **values)
        except PermissionDenied as exc:
            return forbidden(request, str(exc))
        except services.ResultRefused as exc:
            problems.append(f"{who}, {indicator.short_name}: {exc.message}")
        except ValidationError as exc:
            problems.append(f"{who}, {indicator.short_name}: {' '.join(exc.messages)}")
        else:
            saved += int(outcome.changed)
    if saved:
        messages.success(request, f"Đã lưu {saved} ô.")
    for problem in problems:
        messages.error(request, problem)
    if not saved and not problems:
        messages.info(request, "Không có ô nào thay đổi.")
    return redirect(grid_url(owner, period, codes))


# --- the workflow ----------------------------------------------------------------------------------


@login_required
@require_POST
def results_transition(request, pk: int, month: str):
    unit = access.get_visible_unit_or_404(request.user, pk)
    period = _month_or_404(month)
    owner = services.reporting_unit(unit)
    action = request.POST.get("action", "")
    reason = request.POST.get("reason", "")
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        back = grid_url(owner, period)
    try:
        if action == ReportAction.SUBMIT:
            services.report_submit(unit=owner, month=period, by=request.user)
            messages.success(request, f"Đã nộp kết quả {period.label.lower()} của {owner.name}; chờ cấp trên duyệt.")
        elif action in services.TRANSITIONS:
            if not access.can(request.user, services.TRANSITION_RULES[action], owner):
                raise PermissionDenied(
                    f"Bạn không có quyền duyệt, trả lại hoặc mở lại kết quả của {owner.name}: việc này do cơ quan "
                    "BHXH, lãnh đạo hoặc quản trị của cấp trên làm.")
            report = services.find_report(unit=owner, month=period)
            if report is None:
                raise services.TransitionConflict(f"{owner.name} chưa nộp kết quả {period.label.lower()}.")
            if action == ReportAction.APPROVE:
                services.report_approve(report=report, by=request.user)
                messages.success(request, f"Đã duyệt kết quả {period.label.lower()} của {owner.name}; số liệu đã khóa.")
            elif action == ReportAction.RETURN:
                services.report_return(report=report, reason=reason, by=request.user)
                messages.success(request, f"Đã trả lại kết quả {period.label.lower()} của {owner.name}.")
            else:
                services.report_reopen(report=report, reason=reason, by=request.user)
                messages.success(request, f"Đã mở lại kết quả {period.label.lower()} của {owner.name} để sửa.")
        else:
            return HttpResponse("Thao tác không hợp lệ.", status=400)
    except PermissionDenied as exc:
        return forbidden(request, str(exc))
    except Repeated as exc:
        messages.info(request, exc.message)
    except services.ResultRefused as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(back)


@login_required
def results_history(request, pk: int, month: str):
    unit = access.get_visible_unit_or_404(request.user, pk)
    period = _month_or_404(month)
    owner = services.reporting_unit(unit)
    return render(request, "results/results_history.html", {
        **_context(request, owner, period), "entries": selectors.results_history(unit=owner, month=period),
    })


# --- completeness ----------------------------------------------------------------------------------


@login_required
def results_completeness(request, pk: int, month: str):
    unit = access.get_visible_unit_or_404(request.user, pk)
    period = _month_or_404(month)
    return render(request, "results/results_completeness.html", {
        **_context(request, unit, period), "report": selectors.completeness(unit=unit, month=period),
        "previous": selectors.previous_month(period), "next": selectors.next_month(period),
        "may_approve": access.can(request.user, "results.approve", services.reporting_unit(unit)),
    })


# --- files -----------------------------------------------------------------------------------------


@login_required
def results_export(request, pk: int, month: str, fmt: str):
    unit = access.get_visible_unit_or_404(request.user, pk)
    period = _month_or_404(month)
    queryset = access.scope_by_unit(request.user, MonthlyResult.objects.filter(
        unit__path__startswith=unit.path, year=period.year, month=period.number), "unit")
    dataset = ResultResource().export(queryset=queryset.select_related("unit", "agent", "indicator").order_by(
        "unit__path", "agent__name", "indicator__display_order"))
    return dataset_download(dataset, fmt=fmt, filename=f"ket_qua_{unit.code}_{period.key}")


@login_required
def results_import_template(request, fmt: str):
    headers = list(RESULT_TEMPLATE_HEADERS)
    if fmt == "csv":
        content = template_csv(headers)
    elif fmt == "xlsx":
        # The month column as text, so that Excel does not turn 2023-06 into a date.
        content = template_xlsx(headers, title="Kết quả tháng", guide=TEMPLATE_HELP, guide_widths=(22, 100),
                                text_columns=[3], freeze=False)
    else:
        raise Http404("Chỉ có mẫu .csv hoặc .xlsx.")
    return file_download(content, filename=f"mau_ket_qua_thang.{fmt}")


class ResultUploadForm(forms.Form):
    file = forms.FileField(label="Tệp kết quả tháng (.xlsx, .xls, .ods hoặc .csv)")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_upload_bytes():
            raise ValidationError(f"Tệp quá lớn ({upload.size / 1048576:.1f} MB).")
        return upload


IMPORT_SESSION_KEY = "results_import"


@login_required
@require_http_methods(["GET", "POST"])
def results_import(request):
    """Upload, check (nothing written), then confirm; each row is checked against what the user
    may write, exactly as `manage.py import_data results FILE` and the grid check it."""
    if not access.can_any(request.user, "results.import"):
        return forbidden(request, "Chỉ cán bộ BHXH (hoặc quản trị) được tải tệp kết quả tháng; cán bộ xã nhập "
                                  "trên bảng nhập kết quả.")
    pending = request.session.get(IMPORT_SESSION_KEY)
    action = request.POST.get("action")
    if request.method == "POST" and action == "confirm":
        report, answer = pending_confirm(request, key=IMPORT_SESSION_KEY, pending=pending,
                                         purpose="targets.results_import", page="results:results_import",
                                         run=lambda: _run_import(request, pending, dry_run=False))
        if answer is not None:
            return answer
        if report is not None and report.ok:
            messages.success(request, report.summary())
            return redirect("results:results_import")
        return render(request, "results/results_import.html", {"form": ResultUploadForm(), "report": report})
    if request.method == "POST" and action == "cancel":
        pending_forget(request, key=IMPORT_SESSION_KEY)
        messages.info(request, "Đã hủy, không ghi gì.")
        return redirect("results:results_import")
    form = ResultUploadForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        pending = pending_store(request, key=IMPORT_SESSION_KEY, upload=form.cleaned_data["file"])
        report = _run_import(request, pending, dry_run=True)
        if report is None or not report.ok:
            pending_forget(request, key=IMPORT_SESSION_KEY)
        context.update({"report": report, "pending": pending if report and report.ok else None})
    return render(request, "results/results_import.html", context)


def _run_import(request, pending, *, dry_run: bool):
    return pending_resource_import(request, pending, resource=ResultResource(user=request.user), dry_run=dry_run)


