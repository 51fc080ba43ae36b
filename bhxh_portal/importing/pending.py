"""A file checked and waiting for its confirmation: stored privately under a name the portal makes,
its place kept in the user's session under the page's key; the confirmation's token is used once
(bhxh_portal.idempotency), so a second click or another tab writes nothing again."""

import uuid
from pathlib import Path

from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.shortcuts import redirect

from bhxh_portal.files import safe_extension
from bhxh_portal.idempotency import Repeated, once_key, used

from .problems import ImportFileError, ImportReport
from .reading import load_dataset
from .resources import run_resource_import

CONFIRMED = "Tệp này đã được ghi"


def pending_store(request, *, key: str, upload) -> dict:
    """Store the uploaded file until it is confirmed or dropped; forgets the file waiting before."""
    pending_forget(request, key=key)
    token = uuid.uuid4().hex
    filename = Path(upload.name).name
    stored = default_storage.save(f"imports/{token}{safe_extension(filename)}", ContentFile(upload.read()))
    pending = {"token": token, "path": stored, "filename": filename}
    request.session[key] = pending
    return pending


def pending_forget(request, *, key: str) -> None:
    pending = request.session.pop(key, None)
    if pending and pending.get("path"):
        default_storage.delete(pending["path"])


def stale_confirmation(request, token: str, page: str):
    """The answer to a confirmation whose file is no longer waiting: written already, or expired."""
    repeated = used(key=token, repeated=CONFIRMED)
    if repeated is not None:
        messages.info(request, repeated.message)
    else:
        messages.error(request, "Phiên nhập tệp đã hết hạn; hãy tải tệp lên lại.")
    return redirect(page)


def pending_confirm(request, *, key: str, pending: dict | None, purpose: str, page: str, run,
                    after: str | None = None):
    """Write the waiting file once, on its confirmation: `run()` inside a one-time claim of the token.
    Returns (report, None) when it ran, or (None, response) for a stale confirmation (back to `page`) or a
    repeated one (to `after`, else `page`). The waiting file is forgotten once it is confirmed."""
    token = request.POST.get("token", "")
    if not pending or token != pending.get("token"):
        return None, stale_confirmation(request, token, page)
    try:
        with once_key(key=token, user=request.user, purpose=purpose, repeated=CONFIRMED) as claim:
            report = run()
            if after is not None:
                claim.done(after)
    except Repeated as exc:
        pending_forget(request, key=key)
        messages.info(request, exc.message)
        return None, redirect(after or page)
    pending_forget(request, key=key)
    return report, None


def pending_dataset(pending: dict):
    """The waiting file, read again (its refusals raise ImportFileError)."""
    with default_storage.open(pending["path"], "rb") as f:
        return load_dataset(f.read(), filename=pending["filename"])


def pending_preview(pending: dict, *, limit: int = 20) -> dict:
    """The first rows of the waiting file as the page shows them before it is confirmed."""
    dataset = pending_dataset(pending)
    return {"headers": dataset.headers, "rows": [list(r) for r in dataset[:limit]], "total": len(dataset)}


def pending_resource_import(request, pending: dict, *, resource, dry_run: bool) -> ImportReport | None:
    """Check (dry_run) or import the waiting file with a django-import-export resource; a file that can no
    longer be read is told in a message and gives None."""
    try:
        dataset = pending_dataset(pending)
    except (ImportFileError, OSError) as exc:
        messages.error(request, str(exc))
        return None
    return run_resource_import(resource, dataset, filename=pending["filename"], dry_run=dry_run)
