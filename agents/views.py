"""Thin views: parse, check access (units.access via agents.selectors), call a service, render."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from bhxh_portal.files import file_download
from bhxh_portal.idempotency import Repeated
from bhxh_portal.imports import ImportFileError
from jobs.services import JobError
from jobs.models import Job
from jobs.selectors import job_for_user_or_404
from units import access
from targets.models import Indicator
from units.periods import Period, month_param, year_param

from . import selectors, services
from .contributions import ContributionError, RuleBook, months_for
from .forms import CalculatorForm, CollectionForm, ImportUploadForm, MappingForm, import_units
from .importers import (
    PARTICIPANT_IMPORT,
    participant_import_commit,
    participant_import_remap,
    participant_import_start,
    template_workbook,
)
from .models import AccessOutcome, Collection, Enrolment, Participant, PaymentMode


def _year(request) -> int:
    return year_param(request.GET.get("nam"), default=datetime.date.today().year)


# --- agents and collections ------------------------------------------------------------------

@login_required
def agent_list(request):
    agents = selectors.agents_visible_to(request.user).filter(is_active=True).prefetch_related("communes")
    return render(request, "agents/agent_list.html", {"agents": agents})


@login_required
def agent_detail(request, pk: int):
    agent = selectors.agent_for_user_or_404(user=request.user, pk=pk)
    if "nam" in request.GET:
        year = _year(request)
    else:  # the latest year with receipts, else this year
        latest = Collection.objects.filter(agent=agent).order_by("-collected_on").values_list("collected_on", flat=True).first()
        year = latest.year if latest else datetime.date.today().year
    return render(request, "agents/agent_detail.html", {
        "agent": agent,
        "year": year,
        "sheet": selectors.agent_year(agent=agent, year=year),
        "recent": Collection.objects.filter(agent=agent).select_related("participant", "product", "collector")[:20],
        "can_collect": access.can(request.user, "collections.record", agent.unit),
        "collectors": agent.collectors.filter(is_active=True),
    })


@login_required
def collection_create(request, pk: int):
    agent = selectors.agent_for_user_or_404(user=request.user, pk=pk)
    if not access.can(request.user, "collections.record", agent.unit):
        raise PermissionDenied("Bạn không có quyền ghi biên lai cho đại lý này.")
    participants = selectors.participants_visible_to(request.user)
    form = CollectionForm(request.POST or None, agent=agent, participants=participants,
                          initial={"participant_code": request.GET.get("ma", "")})
    quote, quote_error = None, ""
    if request.method == "POST" and "xem" in request.POST:
        # "Xem số phải đóng": the amount the rules give, month by month, without recording anything.
        form.is_valid()
        for name in ("receipt_number", "amount", "collector"):  # not needed to see the amount due
            form.errors.pop(name, None)
        data = form.cleaned_data
        if all(data.get(name) is not None for name in ("participant", "product", "collected_on", "months")):
            quote, quote_error = selectors.collection_quote(
                participant=data["participant"], product=data["product"], collected_on=data["collected_on"],
                months=data["months"], payment_mode=data.get("payment_mode") or None)
        return render(request, "agents/collection_form.html", {"agent": agent, "form": form, "quote": quote,
                                                               "error": quote_error, "previewed": True})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recorded = services.collection_record(
                agent=agent, participant=data["participant"], product=data["product"],
                receipt_number=data["receipt_number"], collected_on=data["collected_on"], months=data["months"],
                amount=data["amount"], collector=data["collector"], by=request.user,
                payment_mode=data["payment_mode"] or None)
        except Repeated as exc:
            messages.info(request, exc.message)
            return redirect("agents:agent_detail", pk=agent.pk)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"Đã ghi biên lai {recorded.collection.receipt_number}.")
            if recorded.warning:
                messages.warning(request, recorded.warning)
            return redirect("agents:agent_detail", pk=agent.pk)
    return render(request, "agents/collection_form.html", {"agent": agent, "form": form})


# --- the contribution calculator ---------------------------------------------------------------

@login_required
def calculator(request):
    form = CalculatorForm(request.GET or None)
    quote, error = None, ""
    if request.GET and form.is_valid():
        data = form.cleaned_data
        try:
            mode = data["payment_mode"]
            if mode == PaymentMode.LUMP_SUM and not data["months"]:
                months = 0  # the months still missing, from the months already contributed
            else:
                months = months_for(mode, data["months"])
            quote = RuleBook.load().quote(
                product=data["product"], on=data["on"], income=data["income"], months=months, group=data["group"],
                member_order=data["member_order"],
                unit_path=data["province"].path if data["province"] else None, mode=mode,
                months_contributed=data["months_contributed"], reached_pension_age=data["reached_pension_age"])
        except ContributionError as exc:
            error = str(exc)
    template = "agents/_quote.html" if request.htmx else "agents/calculator.html"
    return render(request, template, {"form": form, "quote": quote, "error": error,
                                      "can_see_rules": access.can_any(request.user, "rules.view")})


# --- participants --------------------------------------------------------------------------

@login_required
def participant_list(request):
    text = request.GET.get("q", "").strip()[:50]
    results = selectors.participant_search(user=request.user, text=text) if text else None
    return render(request, "agents/participant_list.html", {"q": text, "results": results})


@login_required
def participant_detail(request, pk: int):
    """Every request is logged, a refusal too (a look outside one's subtree is what an audit wants to see)."""
    participant = selectors.participants_visible_to(request.user).filter(pk=pk).first()
    full_ids = participant is not None and access.can(
        request.user, "participants.view_full_id", participant.commune)
    outcome = (AccessOutcome.REFUSED if participant is None
               else AccessOutcome.SHOWN_FULL if full_ids else AccessOutcome.SHOWN_MASKED)
    services.personal_data_access_record(
        user=request.user, requested_id=pk, participant=participant or Participant.objects.filter(pk=pk).first(),
        outcome=outcome, meta=request.META, path=request.get_full_path(),
    )
    if participant is None:
        raise Http404("Không tìm thấy người tham gia hoặc bạn không có quyền xem.")
    return render(request, "agents/participant_detail.html", {
        "participant": participant, "full_ids": full_ids,
        "enrolments": Enrolment.objects.filter(participant=participant).select_related("product", "agent"),
        "collections": participant.collections.select_related("agent", "product")[:50],
    })


@login_required
def registry_counts(request, pk: int):
    """The registry's count per indicator for a unit and month (offered beside the entered figures)."""
    unit = access.get_visible_unit_or_404(request.user, pk)
    month = month_param(request.GET.get("thang"), default=Period.containing(datetime.date.today())).start
    counts = selectors.active_enrolment_counts(unit=unit, month=month)
    names = dict(Indicator.objects.filter(code__in=counts).values_list("code", "name"))
    return render(request, "agents/registry_counts.html", {
        "unit": unit, "month": month, "rows": [(names.get(code, code), count) for code, count in counts.items()],
    })


# --- the participant list import -------------------------------------------------------------

@login_required
def import_template(request):
    if not import_units(request.user):
        raise PermissionDenied("Chỉ cán bộ BHXH được nhập danh sách người tham gia.")
    return file_download(template_workbook(), filename="mau_danh_sach_nguoi_tham_gia.xlsx")


@login_required
def import_upload(request):
    if not access.can_any(request.user, "participants.import"):
        raise PermissionDenied("Chỉ cán bộ BHXH được nhập danh sách người tham gia.")
    recent = Job.objects.filter(kind=PARTICIPANT_IMPORT, requested_by=request.user).select_related("unit")[:10]
    if not import_units(request.user):
        # the role is held on units that ended with the 2025 reorganisation: people are registered under
        # today's communes, so an import needs a grant on a unit in force; the page says so
        return render(request, "agents/import_upload.html", {"form": None, "recent": recent, "no_unit_in_force": True})
    form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = participant_import_start(user=request.user, unit=form.cleaned_data["unit"], filename=upload.name,
                                           upload=upload, size=upload.size)
        except (ImportFileError, JobError) as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("agents:import_detail", pk=job.pk)
    return render(request, "agents/import_upload.html", {"form": form, "recent": recent})


def _import_job(request, pk: int) -> Job:
    job = job_for_user_or_404(user=request.user, pk=pk)
    if job.kind != PARTICIPANT_IMPORT:
        raise Http404("Không phải công việc nhập danh sách.")
    return job


@login_required
def import_detail(request, pk: int):
    job = _import_job(request, pk)
    result = job.result or {}
    mapping_form = None
    if job.state == "succeeded" and result.get("needs_mapping"):
        mapping_form = MappingForm(unknown=result.get("unknown_headers", []))
    commit_job = None
    if job.params.get("dry_run"):
        commit_job = Job.objects.filter(kind=PARTICIPANT_IMPORT, params__preview_job=job.pk).order_by("-pk").first()
    return render(request, "agents/import_detail.html", {
        "job": job, "result": result, "mapping_form": mapping_form, "commit_job": commit_job,
        "can_commit": (job.params.get("dry_run") and job.state == "succeeded" and not result.get("needs_mapping")
                       and not result.get("invalid") and result.get("total") and commit_job is None),
    })


@login_required
@require_POST
def import_map(request, pk: int):
    job = _import_job(request, pk)
    form = MappingForm(request.POST, unknown=(job.result or {}).get("unknown_headers", []))
    if not form.is_valid():
        messages.error(request, "Hãy chọn ý nghĩa cho mọi cột chưa nhận ra.")
        return redirect("agents:import_detail", pk=job.pk)
    try:
        again = participant_import_remap(user=request.user, preview=job, mapping=form.mapping())
    except JobError as exc:
        messages.error(request, str(exc))
        return redirect("agents:import_detail", pk=job.pk)
    return redirect("agents:import_detail", pk=again.pk)


@login_required
@require_POST
def import_commit(request, pk: int):
    job = _import_job(request, pk)
    try:
        commit = participant_import_commit(user=request.user, preview=job)
    except Repeated as exc:
        messages.info(request, exc.message)
        return redirect("agents:import_detail", pk=exc.obj.pk)
    except JobError as exc:
        messages.error(request, str(exc))
        return redirect("agents:import_detail", pk=job.pk)
    return redirect("agents:import_detail", pk=commit.pk)
