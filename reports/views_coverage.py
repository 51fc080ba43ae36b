"""The coverage tables as a page, and their downloads as background jobs."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from units import access
from units import selectors
from units.periods import Period
from results.selectors import previous_month

from .coverage import (FORMATS, TABLE_LABELS, CoverageRequestError, coverage_table_build, parse_boundaries,
                       parse_month)
from jobs.services import job_create, job_enqueue
from .render.layout import table_context


def _default_month() -> Period:
    return previous_month(Period.containing(datetime.date.today()))


def _boundaries(params, errors: list[str]) -> datetime.date | None:
    """The `ranh-gioi` option (boundaries as on a day); a bad one is said and dropped."""
    try:
        return parse_boundaries(params.get("ranh-gioi"))
    except CoverageRequestError as exc:
        errors.append(str(exc))
        return None


def _request_args(params, unit) -> tuple[str, Period, list[str]]:
    errors = []
    table = params.get("table", "bhyt")
    if table not in TABLE_LABELS:
        errors.append(f"Không có bảng '{table}'.")
        table = "bhyt"
    try:
        month = parse_month(params["period"]) if params.get("period") else _default_month()
    except CoverageRequestError as exc:
        errors.append(str(exc))
        month = _default_month()
    return table, month, errors


@login_required
def coverage_page(request, pk: int):
    unit = access.get_visible_unit_or_404(request.user, pk)
    table_key, month, errors = _request_args(request.GET, unit)
    boundaries = _boundaries(request.GET, errors)
    try:
        table = coverage_table_build(unit=unit, table=table_key, month=month, boundaries=boundaries)
    except CoverageRequestError as exc:
        errors.append(str(exc))
        boundaries = None
        table = coverage_table_build(unit=unit, table=table_key, month=month)
    for error in errors:
        messages.error(request, error)
    return render(request, "reports/coverage_page.html", {
        **table_context(table),
        "unit": unit,
        "breadcrumbs": selectors.unit_breadcrumbs(unit=unit, user=request.user),
        "table_key": table_key,
        "tables": TABLE_LABELS.items(),
        "month": month,
        "boundaries": boundaries,
        "formats": [f for f in FORMATS if f != "json"],
    })


@login_required
@require_POST
def coverage_download(request, pk: int):
    unit = access.get_visible_unit_or_404(request.user, pk)
    table_key, month, errors = _request_args(request.POST, unit)
    boundaries = _boundaries(request.POST, errors)
    fmt = request.POST.get("format", "xlsx")
    if fmt not in FORMATS:
        errors.append(f"Không có định dạng '{fmt}'.")
    if errors:
        for error in errors:
            messages.error(request, error)
        return redirect(f"{request.path.rsplit('tai-ve/', 1)[0]}?table={table_key}&period={month.key}")
    job = job_create(kind="reports.coverage_export", requested_by=request.user, unit=unit,
                     params={"unit_id": unit.pk, "table": table_key, "period": month.key, "format": fmt,
                             **({"boundaries": boundaries.isoformat()} if boundaries else {})})
    job_enqueue(job=job)
    if job.is_unsent:
        messages.warning(request, "Đã lưu yêu cầu tạo tệp nhưng máy chủ xử lý tạm thời chưa nhận được; yêu cầu sẽ "
                                  "được gửi lại tự động, hoặc bấm «Gửi lại» dưới đây.")
    else:
        # What happens next depends on the job's state when the page shows: the page says it.
        messages.success(request, "Đã nhận yêu cầu tạo tệp.")
    return redirect("jobs:job_detail", pk=job.pk)
