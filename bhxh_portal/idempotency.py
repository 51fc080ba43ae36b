"""Writes that a double click, a second tab or the browser sending a form again must not repeat.

Every such write is guarded by the database, never by a check in Python alone:

- what has a natural key gets a unique constraint on it (a receipt number per agent, an activity's
  organiser, kind, dates and title, a beneficiary list's content), or a conditional transition on its
  row (`UPDATE ... WHERE state = 'submitted'`, `select_for_update` then a status check);
- what has none (a new plan draft, a new block, an activity recorded as held) carries a one-time form
  token: `{% once_field "purpose" %}` in the form, `once(...)` around the write in the view. The
  token's nonce is inserted into `FormSubmission` (unique) in the same transaction as the write: of two
  requests with the same token, the second insert waits for the first transaction, then fails, and the
  second request is told what the first one wrote. A write that fails (a refused value) rolls the
  token back with it, so the corrected form can be sent again.

Either way the second request gets `Repeated` (a calm Vietnamese message and the page of what was
written), which views show with `messages.info` and a redirect, never an error page.
"""

import datetime
import re
import secrets
from contextlib import contextmanager
from dataclasses import dataclass

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

TOKEN_FIELD = "once_token"
MAX_AGE = datetime.timedelta(days=7)
_SALT = "bhxh_portal.idempotency"
_NONCE = re.compile(r"^[0-9a-f]{32}$")


class WriteRefused(Exception):
    """Nothing was written, for a reason that is not an error: `message` (Vietnamese) says why,
    `url` (may be empty) is the page to go to."""

    def __init__(self, message: str, *, url: str = "", obj=None):
        super().__init__(message)
        self.message, self.url, self.obj = message, url, obj


class Repeated(WriteRefused):
    """The same write was already made (by the first of two clicks, or another tab); `obj` or `url`
    names what it wrote."""


def when(moment: datetime.datetime | None) -> str:
    """'09:41 ngày 06/12/2026' in local time, for the messages."""
    if moment is None:
        return ""
    return timezone.localtime(moment).strftime("%H:%M ngày %d/%m/%Y")


def once_token(*, user, purpose: str) -> str:
    """A signed token for one form of one user: sent back in the hidden field TOKEN_FIELD."""
    return signing.dumps([user.pk, purpose, secrets.token_hex(16)], salt=_SALT, compress=False)


def _nonce(token: str, *, user, purpose: str) -> str:
    try:
        user_pk, token_purpose, nonce = signing.loads(token, salt=_SALT, max_age=MAX_AGE)
    except signing.SignatureExpired:
        raise WriteRefused("Biểu mẫu này đã mở quá lâu (hơn 7 ngày) nên chưa được ghi; hãy tải lại trang rồi gửi "
                           "lại.") from None
    except (signing.BadSignature, ValueError, TypeError):
        raise WriteRefused("Biểu mẫu gửi lên không hợp lệ nên chưa được ghi; hãy tải lại trang rồi gửi lại.") from None
    if user_pk != user.pk or token_purpose != purpose or not isinstance(nonce, str) or not _NONCE.match(nonce):
        raise WriteRefused("Biểu mẫu gửi lên không hợp lệ nên chưa được ghi; hãy tải lại trang rồi gửi lại.")
    return nonce


@dataclass
class Claim:
    """What the block inside `once` tells it: the page of what it wrote (shown to a repeat)."""

    url: str = ""

    def done(self, url: str) -> None:
        self.url = url


@contextmanager
def once(*, token: str | None, user, purpose: str, repeated: str):
    """Run the block in one transaction that also uses the form's token up (`once_token`).

    `repeated`: what a second submission is told ("Bản dự thảo này đã được tạo"), completed with when.
    Without a token (a script, not the page's form) the block runs unguarded, in a transaction."""
    if not token:
        with transaction.atomic():
            yield Claim()
        return
    nonce = _nonce(token, user=user, purpose=purpose)
    with once_key(key=nonce, user=user, purpose=purpose, repeated=repeated) as claim:
        yield claim


@contextmanager
def once_key(*, key: str, user, purpose: str, repeated: str):
    """Run the block in one transaction that also records `key` (a random token the server issued,
    such as a checked file's confirmation token) as used; raise Repeated if it already was."""
    from .models import FormSubmission

    with transaction.atomic():
        try:
            with transaction.atomic():
                submission = FormSubmission.objects.create(key=key, purpose=purpose, user=user)
        except IntegrityError:
            # The insert waited for the transaction that used the key first; it committed.
            raise _repeated(FormSubmission.objects.filter(key=key).first(), repeated) from None
        claim = Claim()
        yield claim
        if claim.url:
            FormSubmission.objects.filter(pk=submission.pk).update(result_url=claim.url[:300])
        FormSubmission.objects.filter(used_at__lt=timezone.now() - MAX_AGE - datetime.timedelta(days=1)).delete()


def used(*, key: str, repeated: str) -> Repeated | None:
    """Repeated if `key` was already used (e.g. a confirmation sent again after its session ended)."""
    from .models import FormSubmission

    earlier = FormSubmission.objects.filter(key=key).first() if key else None
    return _repeated(earlier, repeated) if earlier else None


def _repeated(earlier, repeated: str) -> Repeated:
    at = f" lúc {when(earlier.used_at)}" if earlier else ""
    return Repeated(f"{repeated}{at} (lần gửi trước); không ghi lại lần nữa.",
                    url=earlier.result_url if earlier else "")
