"""The printed round's way back: its xlsx to fill in, and the upload of the filled file (checked first,
nothing written; then confirmed once, with the confirmation's token used up)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from bhxh_portal.files import file_download
from bhxh_portal.importing.pending import pending_confirm, pending_forget, pending_store

from . import exports, rounds, selectors, services
from .forms import RoundUploadForm
from .models import ListKind
from .views import OUTSIDE, _kind, _month, _unit

IMPORT_SESSION_KEY = "drive_round_import"


@login_required
def round_template(request, pk: int, month: str, kind: str):
    unit = _unit(request, pk)
    start, kind = _month(month), _kind(kind)
    rows = [r for r in selectors.work_rows(user=request.user, unit=unit, month=start, kind=kind) if r.item_id]
    services.person_rows_viewed(user=request.user, rows=rows, meta=request.META, path=request.get_full_path())
    return file_download(rounds.round_template(rows), filename=f"ket-qua-{kind}-{start:%Y-%m}-{unit.code}.xlsx")


def _check(request, pending, *, unit, start, kind, dry_run: bool):
    with default_storage.open(pending["path"], "rb") as f:
        data = f.read()
    try:
        return rounds.import_round_contacts(data, filename=pending["filename"], unit=unit, month=start, kind=kind,
                                            user=request.user, dry_run=dry_run)
    except PermissionDenied:
        raise PermissionDenied(OUTSIDE) from None


@login_required
@require_http_methods(["GET", "POST"])
def contact_import(request, pk: int, month: str, kind: str):
    """Upload the filled round, see what it would record, then confirm (or cancel)."""
    unit = _unit(request, pk)
    start, kind = _month(month), _kind(kind)
    here = reverse("drive:contact_import", kwargs={"pk": unit.pk, "month": f"{start:%Y-%m}", "kind": kind})
    back = reverse("drive:work_list", kwargs={"pk": unit.pk, "month": f"{start:%Y-%m}", "kind": kind})
    pending = request.session.get(IMPORT_SESSION_KEY)
    if pending and pending.get("round") != here:
        pending = None  # a file checked for another round is not confirmed from this one
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "confirm":
        report, answer = pending_confirm(
            request, key=IMPORT_SESSION_KEY, pending=pending, purpose="drive.round_import", page=here, after=back,
            run=lambda: _check(request, pending, unit=unit, start=start, kind=kind, dry_run=False))
        if answer is not None:
            return answer
        if report.ok:
            messages.success(request, report.summary())
            return redirect(back)
        return _page(request, unit=unit, start=start, kind=kind, form=RoundUploadForm(), report=report)
    if action == "cancel":
        pending_forget(request, key=IMPORT_SESSION_KEY)
        messages.info(request, "Đã hủy, không ghi gì.")
        return redirect(here)
    form = RoundUploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        pending = pending_store(request, key=IMPORT_SESSION_KEY, upload=form.cleaned_data["file"])
        pending["round"] = here
        request.session[IMPORT_SESSION_KEY] = pending
        report = _check(request, pending, unit=unit, start=start, kind=kind, dry_run=True)
        if not report.ok or not report.created:
            pending_forget(request, key=IMPORT_SESSION_KEY)
            pending = None
    return _page(request, unit=unit, start=start, kind=kind, form=form, report=report,
                 pending=pending if report is not None and report.ok else None)


def _page(request, *, unit, start, kind, form, report, pending=None):
    return render(request, "drive/contact_import.html", {
        "unit": unit, "month_text": f"{start:%Y-%m}", "kind": kind, "form": form, "report": report,
        "pending": pending, "title": exports.list_title(kind=kind, unit_name=unit.name, month=start),
        "kind_label": ListKind(kind).label, "guide": rounds.GUIDE,
    }, status=400 if report is not None and not report.ok else 200)
