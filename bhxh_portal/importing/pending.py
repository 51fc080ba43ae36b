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
from bhxh_portal.idempotency import used

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
