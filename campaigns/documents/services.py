"""Every write to plan documents: create (from a starter), edit, blocks, the workflow, signing.

`by` is the user acting (None for the system: the demo loader). With a user, the rules of
campaigns.documents.selectors apply (on top of units.access) and a refusal raises PermissionDenied with a
Vietnamese message; a step out of order raises ValidationError. Each write records a PlanEvent
(who, what, when) and django-simple-history keeps the old values.
"""

import hashlib
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Max

from bhxh_portal.idempotency import Repeated, when
from units import access
from units.models import Unit
from bhxh_portal.search import fold_text

from . import selectors, signing
from ..models import (
    BlockKind,
    DocumentFile,
    DocumentStatus,
    EventAction,
    FilePurpose,
    PlanBlock,
    PlanDocument,
    PlanEvent,
)
from .render.blocks import spec_for
from .render.document import render_document
from .render.pdf import SignatureBox, document_pdf
from .starters import Draft, build_draft

HEADER_FIELDS = ("doc_type", "parent_body", "issuing_body", "number", "symbol", "place", "issued_on", "subject",
                 "legal_bases", "recipients", "sign_on_behalf", "sign_authority", "sign_authority_title",
                 "signer_title", "signer_name", "signer", "year", "period_key")


class IntegrityError(Exception):
    """A frozen file no longer matches its SHA-256."""


def _event(document: PlanDocument, action: str, by, note: str = "", sha256: str = "") -> PlanEvent:
    return PlanEvent.objects.create(document=document, action=action, by=by, note=note[:500], sha256=sha256)


def _refuse_unless(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


DONE = {EventAction.SUBMITTED: "trình duyệt", EventAction.RETURNED: "trả lại", EventAction.APPROVED: "duyệt",
        EventAction.SIGNED: "ký số", EventAction.ISSUED: "ban hành"}


def _require_status(document: PlanDocument, *statuses: str, doing: str, repeat: str | None = None,
                    by=None) -> None:
    """`repeat`: the event of the step being made; when the document is not in `statuses` because
    this same user has just made that step (a double click, a second tab), Repeated says so calmly."""
    if document.status not in statuses:
        if repeat is not None and by is not None:
            last = document.events.order_by("-at", "-pk").first()
            if last is not None and last.action == repeat and last.by_id == by.pk:
                raise Repeated(f"Bạn đã {DONE[repeat]} văn bản này lúc {when(last.at)}; "
                               "không ghi lại lần nữa.", obj=document)
        raise ValidationError(f"Văn bản đang ở trạng thái '{document.get_status_display()}': không thể {doing}.")


def _locked(document: PlanDocument) -> PlanDocument:
    """Re-read the row under a lock (into the caller's object), so two clicks cannot both move it."""
    document.refresh_from_db(from_queryset=PlanDocument.objects.select_for_update())
    return document


def _save(document: PlanDocument, by, reason: str) -> None:
    document._history_user = by
    document._change_reason = reason[:100] if reason else None
    document.full_clean(exclude=["unit", "created_by", "previous_version", "signer"])
    document.save()


# --- create ------------------------------------------------------------------------------------------
@transaction.atomic
def document_create_from_draft(*, unit: Unit, draft: Draft, by=None) -> PlanDocument:
    if by is not None:
        _refuse_unless(access.can(by, "documents.create", unit), f"Bạn không có quyền soạn văn bản của {unit.name}.")
    document = PlanDocument(unit=unit, created_by=by, **draft.fields)
    _save(document, by, "Tạo dự thảo")
    PlanBlock.objects.bulk_create([
        PlanBlock(document=document, position=index, kind=b.kind, text=b.text, params=b.params)
        for index, b in enumerate(draft.blocks, start=1)
    ])
    _event(document, EventAction.CREATED, by,
           f"Từ mẫu '{draft.fields.get('starter') or 'trống'}', {len(draft.blocks)} khối nội dung")
    return document


def document_create_from_starter(*, kind: str, unit: Unit, year: int, month: int | None = None,
                                 by=None) -> PlanDocument:
    """A complete draft of the kind, prefilled from the unit's data (campaigns.documents.starters)."""
    if by is not None:
        _refuse_unless(access.can(by, "documents.create", unit), f"Bạn không có quyền soạn văn bản của {unit.name}.")
    draft = build_draft(kind=kind, unit=unit, year=year, month=month)
    return document_create_from_draft(unit=unit, draft=draft, by=by)


# --- edit (draft only) -------------------------------------------------------------------------------
def _check_editable(document: PlanDocument, by) -> None:
    _require_status(document, DocumentStatus.DRAFT, doing="sửa (hãy tạo phiên bản mới)")
    if by is not None:
        _refuse_unless(access.can(by, "documents.edit", document.unit),
                       f"Bạn không có quyền sửa văn bản của {document.unit.name}.")


@transaction.atomic
def document_update(*, document: PlanDocument, values: dict, by=None) -> PlanDocument:
    document = _locked(document)
    _check_editable(document, by)
    unknown = set(values) - set(HEADER_FIELDS)
    if unknown:
        raise ValidationError(f"Không sửa được các trường: {', '.join(sorted(unknown))}.")
    changed = [k for k, v in values.items() if getattr(document, k) != v]
    if not changed:
        return document
    for key in changed:
        setattr(document, key, values[key])
    _save(document, by, "Sửa phần đầu văn bản")
    labels = ", ".join(str(PlanDocument._meta.get_field(k).verbose_name) for k in changed)
    _event(document, EventAction.EDITED, by, f"Sửa: {labels}")
    return document


def block_params_from_text(kind: str, text: str) -> dict:
    """The block's parameters from the editor's text (ValidationError with the line at fault)."""
    return spec_for(kind).params_from_text(text)


@transaction.atomic
def block_add(*, document: PlanDocument, kind: str, text: str = "", params: dict | None = None,
              after: PlanBlock | None = None, by=None) -> PlanBlock:
    document = _locked(document)
    _check_editable(document, by)
    if kind not in BlockKind.values:
        raise ValidationError(f"Loại khối '{kind}' không có.")
    if after is not None:
        position = after.position + 1
        document.blocks.filter(position__gte=position).update(position=F("position") + 1)
    else:
        position = (document.blocks.aggregate(m=Max("position"))["m"] or 0) + 1
    block = PlanBlock(document=document, position=position, kind=kind, text=text, params=params or {})
    block._history_user = by
    block.save()
    _event(document, EventAction.BLOCK_ADDED, by, f"Khối {position}: {block.get_kind_display()}")
    return block


@transaction.atomic
def block_update(*, block: PlanBlock, text: str, params: dict, by=None) -> PlanBlock:
    _locked(block.document)
    _check_editable(block.document, by)
    if block.text == text and block.params == params:
        return block
    block.text, block.params = text, params
    block._history_user = by
    block.save()
    _event(block.document, EventAction.BLOCK_CHANGED, by, f"Khối {block.position}: {block.get_kind_display()}")
    return block


@transaction.atomic
def block_move(*, block: PlanBlock, up: bool, by=None) -> None:
    _locked(block.document)
    _check_editable(block.document, by)
    siblings = list(block.document.blocks.order_by("position", "pk"))
    index = next(i for i, b in enumerate(siblings) if b.pk == block.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    _renumber(siblings, by)
    _event(block.document, EventAction.BLOCK_MOVED, by,
           f"{block.get_kind_display()} lên vị trí {other + 1}" if up else
           f"{block.get_kind_display()} xuống vị trí {other + 1}")


def _renumber(blocks: Iterable[PlanBlock], by) -> None:
    for position, item in enumerate(blocks, start=1):
        if item.position != position:
            item.position = position
            item._history_user = by
            item.save(update_fields=["position"])


@transaction.atomic
def block_delete(*, block: PlanBlock, by=None) -> None:
    document = block.document
    _locked(document)
    if not PlanBlock.objects.filter(pk=block.pk).exists():
        raise Repeated("Khối nội dung này đã được xóa.", obj=document)  # by the first of two clicks
    _check_editable(document, by)
    label = f"Khối {block.position}: {block.get_kind_display()}"
    block._history_user = by
    block.delete()
    _renumber(document.blocks.order_by("position", "pk"), by)
    _event(document, EventAction.BLOCK_REMOVED, by, label)


# --- workflow ----------------------------------------------------------------------------------------
@transaction.atomic
def document_submit(*, document: PlanDocument, by=None) -> PlanDocument:
    document = _locked(document)
    _require_status(document, DocumentStatus.DRAFT, doing="trình duyệt", repeat=EventAction.SUBMITTED, by=by)
    if by is not None:
        _refuse_unless(access.can(by, "documents.submit", document.unit),
                       f"Bạn không có quyền trình văn bản của {document.unit.name}.")
    missing = [label for label, value in (("họ tên người ký", document.signer_name),
                                          ("chức vụ người ký", document.signer_title),
                                          ("trích yếu", document.subject)) if not value.strip()]
    if missing:
        raise ValidationError(f"Chưa ghi {', '.join(missing)}: chưa trình được.")
    errors = render_document(document).errors
    if errors:
        raise ValidationError(["Văn bản còn khối nội dung lỗi, hãy sửa trước khi trình:", *errors])
    document.status = DocumentStatus.SUBMITTED
    _save(document, by, "Trình duyệt")
    _event(document, EventAction.SUBMITTED, by)
    return document


@transaction.atomic
def document_return(*, document: PlanDocument, by=None, note: str = "") -> PlanDocument:
    """Back to draft for changes: from submitted, or from approved before anyone has signed."""
    document = _locked(document)
    _require_status(document, DocumentStatus.SUBMITTED, DocumentStatus.APPROVED, doing="trả lại để sửa",
                    repeat=EventAction.RETURNED, by=by)
    if by is not None:
        _refuse_unless(selectors.can_return(by, document), "Chỉ lãnh đạo đơn vị hoặc cấp trên được trả lại văn bản.")
    approved = document.files.filter(purpose=FilePurpose.APPROVED).first()
    if approved is not None:
        # The approved file was never signed: it is superseded, the record stays in the log.
        _event(document, EventAction.RETURNED, by, f"Bản đã duyệt bị hủy. {note}".strip(), approved.sha256)
        approved.file.delete(save=False)
        approved.delete()
    else:
        _event(document, EventAction.RETURNED, by, note)
    document.status = DocumentStatus.DRAFT
    _save(document, by, "Trả lại để sửa")
    return document


def _freeze(document: PlanDocument, purpose: str, content: bytes, *, by, meta: dict | None = None) -> DocumentFile:
    digest = hashlib.sha256(content).hexdigest()
    stem = f"{document.doc_type}-{document.number or 'chua-so'}-{document.symbol}-v{document.version}".replace("/", "-")
    item = DocumentFile(document=document, purpose=purpose, sha256=digest, size=len(content), meta=meta or {},
                        created_by=by)
    item.file.save(f"{stem}-{purpose}-{digest[:12]}.pdf", ContentFile(content), save=False)
    item.save()
    return item


def frozen_bytes(item: DocumentFile) -> bytes:
    """The frozen file's bytes, after checking them against the SHA-256 recorded when it was frozen."""
    with item.file.open("rb") as handle:
        content = handle.read()
    if hashlib.sha256(content).hexdigest() != item.sha256:
        raise IntegrityError(f"Tệp {item.filename} không còn khớp mã SHA-256 đã lưu: tệp đã bị thay đổi trên máy chủ.")
    return content


@transaction.atomic
def document_approve(*, document: PlanDocument, by=None) -> DocumentFile:
    """Approve: render the PDF from the data of now, once, and freeze it with its SHA-256."""
    document = _locked(document)
    _require_status(document, DocumentStatus.SUBMITTED, doing="duyệt", repeat=EventAction.APPROVED, by=by)
    if by is not None:
        _refuse_unless(selectors.can_approve(by, document),
                       "Chỉ lãnh đạo đơn vị hoặc cấp trên được duyệt văn bản.")
    rendered = render_document(document, for_issue=True)
    if rendered.errors:
        raise ValidationError(["Văn bản còn khối nội dung lỗi:", *rendered.errors])
    output = document_pdf(rendered)
    meta = {"pages": output.pages}
    if output.signature_box is not None:
        meta["signature_box"] = output.signature_box.as_dict()
    item = _freeze(document, FilePurpose.APPROVED, output.content, by=by, meta=meta)
    document.status = DocumentStatus.APPROVED
    _save(document, by, "Duyệt")
    _event(document, EventAction.APPROVED, by, f"Bản PDF {output.pages} trang", item.sha256)
    return item


def document_sign(*, document: PlanDocument, pkcs12: bytes, password: str, by=None) -> DocumentFile:
    """The signer signs the approved PDF with their certificate. The PKCS#12 file and its password
    serve this one signature and are not stored; a wrong password, or a time-stamp authority that does
    not answer, changes nothing. The approved file never changes, so it is signed before the row is
    locked: the lock is not held while the time-stamp authority is asked."""
    if by is not None:
        _refuse_unless(selectors.may_sign(by, document),
                       "Chỉ lãnh đạo được giao ký văn bản này mới được ký số.")
    document.refresh_from_db(fields=["status"])
    _require_status(document, DocumentStatus.APPROVED, doing="ký số", repeat=EventAction.SIGNED, by=by)
    loaded = signing.load_signer(pkcs12, password)  # refuses before anything is written
    if document.signer_name and fold_text(document.signer_name) not in fold_text(loaded.holder):
        raise signing.SigningError(
            f"Chứng thư số cấp cho '{loaded.holder}', không phải người ký văn bản '{document.signer_name}'. "
            "Văn bản chưa được ký."
        )
    approved = document.files.filter(purpose=FilePurpose.APPROVED).first()
    if approved is None:  # returned for changes between the page and the click
        raise ValidationError("Văn bản không còn bản đã duyệt để ký.")
    box_data = approved.meta.get("signature_box")
    signed = signing.sign_pdf(
        pdf=frozen_bytes(approved), loaded=loaded,
        box=SignatureBox.from_dict(box_data) if box_data else None,
        signer_title=document.signer_title, body=document.issuing_body_line,
        reason=f"Ký ban hành {document.get_doc_type_display().lower()} {document.number_symbol.strip()}",
        location=document.place,
    )
    with transaction.atomic():
        document = _locked(document)
        # Under the lock: still approved (not signed by a second click, not returned meanwhile), and
        # the approved file is still the one just signed.
        _require_status(document, DocumentStatus.APPROVED, doing="ký số", repeat=EventAction.SIGNED, by=by)
        if not document.files.filter(pk=approved.pk, sha256=approved.sha256).exists():
            raise ValidationError("Bản đã duyệt vừa thay đổi trong lúc ký: văn bản chưa được ký, hãy ký lại.")
        item = _freeze(document, FilePurpose.SIGNED, signed, by=by, meta={
            "holder": loaded.holder, "subject": loaded.subject, "serial": loaded.serial,
            "approved_sha256": approved.sha256,
        })
        document.status = DocumentStatus.SIGNED
        _save(document, by, "Ký số")
        _event(document, EventAction.SIGNED, by, f"Chứng thư số: {loaded.holder} (số hiệu {loaded.serial})",
               item.sha256)
    return item


@transaction.atomic
def document_issue(*, document: PlanDocument, by=None) -> DocumentFile:
    """Issue the signed PDF unchanged; the issued copy is kept with its SHA-256."""
    document = _locked(document)
    _require_status(document, DocumentStatus.SIGNED, doing="ban hành", repeat=EventAction.ISSUED, by=by)
    if by is not None:
        _refuse_unless(selectors.can_issue(by, document), f"Bạn không có quyền ban hành văn bản của {document.unit.name}.")
    signed = document.files.get(purpose=FilePurpose.SIGNED)
    content = frozen_bytes(signed)
    item = _freeze(document, FilePurpose.ISSUED, content, by=by, meta={"signed_sha256": signed.sha256})
    document.status = DocumentStatus.ISSUED
    _save(document, by, "Ban hành")
    _event(document, EventAction.ISSUED, by, "Bản phát hành là bản đã ký số, không thay đổi", item.sha256)
    return item


@transaction.atomic
def document_new_version(*, document: PlanDocument, by=None) -> PlanDocument:
    """A change after approval is a new document (version + 1) that starts as a draft; the old one
    and its files stay as they are."""
    document = _locked(document)
    if document.status == DocumentStatus.DRAFT:
        raise ValidationError("Văn bản đang là dự thảo: sửa trực tiếp, không cần phiên bản mới.")
    newer = document.next_versions.order_by("-version", "-pk").first()
    if newer is not None:
        # Under the row lock: of two clicks the second finds the first one's version and goes there.
        raise Repeated(f"Văn bản này đã có phiên bản mới (phiên bản {newer.version}, tạo lúc "
                       f"{when(newer.created_at)}); không tạo thêm.", obj=newer)
    if by is not None:
        _refuse_unless(access.can(by, "documents.create", document.unit),
                       f"Bạn không có quyền soạn văn bản của {document.unit.name}.")
    values = {f: getattr(document, f) for f in HEADER_FIELDS}
    values["number"] = ""
    copy = PlanDocument(unit=document.unit, starter=document.starter, created_by=by, version=document.version + 1,
                        previous_version=document, **values)
    _save(copy, by, f"Phiên bản {copy.version}")
    PlanBlock.objects.bulk_create([
        PlanBlock(document=copy, position=b.position, kind=b.kind, text=b.text, params=b.params)
        for b in document.blocks.all()
    ])
    _event(copy, EventAction.NEW_VERSION, by, f"Từ phiên bản {document.version} ({document.get_status_display()})")
    _event(document, EventAction.NEW_VERSION, by, f"Đã tạo phiên bản {copy.version}")
    return copy
