"""Pages of plans and reports: thin — parse, call a selector or a service, render."""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from bhxh_portal.files import file_download
from bhxh_portal.idempotency import TOKEN_FIELD, Repeated, WriteRefused, once
from bhxh_portal.numbers import parse_id

from . import selectors, services, signing
from .forms import BlockForm, HeaderForm, SignForm, StartForm, VerifyForm
from ..models import BlockKind, DocumentFile, DocumentStatus, FilePurpose, PlanBlock
from .render.blocks import BLOCK_SPECS, spec_for
from .render.document import document_html, render_document
from .render.docx import document_docx
from .render.markup import to_plain_text
from .render.pdf import document_pdf, draft_marked
from .starters import StarterError

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _messages_of(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _stem(document) -> str:
    number = document.number.strip() or "du-thao"
    return f"{document.doc_type}-{number}-{document.symbol}-{document.year}-v{document.version}".replace("/", "-")


@login_required
def document_list(request):
    status = request.GET.get("trang_thai", "")
    text = request.GET.get("q", "").strip()[:100]
    documents = selectors.documents_for(user=request.user, status=status if status in DocumentStatus.values else "",
                                        text=text)[:200]
    form = StartForm(user=request.user)
    return render(request, "campaigns/document_list.html", {
        "documents": documents, "form": form, "statuses": DocumentStatus.choices, "status": status, "query": text,
        "can_start": form.fields["unit"].queryset.exists(),
    })


@login_required
@require_POST
def document_start(request):
    form = StartForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with once(token=request.POST.get(TOKEN_FIELD), user=request.user, purpose="campaigns.document_start",
                      repeated="Bản dự thảo này đã được tạo") as claim:
                document = services.document_create_from_starter(
                    kind=data["starter"], unit=data["unit"], year=data["year"], month=data.get("month"),
                    by=request.user)
                claim.done(document_url(document))
        except WriteRefused as exc:
            messages.info(request, exc.message)
            return redirect(exc.url or reverse("campaigns:document_list"))
        except StarterError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Đã tạo bản dự thảo từ số liệu của đơn vị. Hãy đọc lại và sửa trước khi trình.")
            return redirect("campaigns:document_detail", pk=document.pk)
    documents = selectors.documents_for(user=request.user)[:200]
    return render(request, "campaigns/document_list.html", {
        "documents": documents, "form": form, "statuses": DocumentStatus.choices, "can_start": True,
    }, status=400)


@login_required
def document_detail(request, pk: int):
    document = selectors.document_for_user_or_404(user=request.user, pk=pk)
    rendered = render_document(document)
    return render(request, "campaigns/document_detail.html", {
        "doc": document,
        "preview": document_html(rendered, for_pdf=False),
        "errors": rendered.errors,
        "fonts": static("fonts").rstrip("/"),
        "blocks": [(block, to_plain_text(block.text)) for block in document.blocks.all()],
        "can": selectors.allowed_actions(request.user, document),
        "files": list(document.files.select_related("created_by")),
        "events": list(document.events.select_related("by")),
        "versions": _versions(document),
        "block_kinds": BlockKind.choices,
    })


def _versions(document) -> list:
    chain = []
    current = document
    while current.previous_version_id:
        current = current.previous_version
        chain.append(current)
    nexts = list(document.next_versions.all())
    return [*reversed(chain), document, *nexts]


@login_required
def document_edit(request, pk: int):
    document = selectors.document_for_user_or_404(user=request.user, pk=pk)
    if not selectors.can_edit(request.user, document):
        raise PermissionDenied("Văn bản không ở trạng thái dự thảo hoặc bạn không có quyền sửa.")
    form = HeaderForm(request.POST or None, instance=document)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        document.refresh_from_db()
        try:
            services.document_update(document=document, values=values, by=request.user)
        except ValidationError as exc:
            form.add_error(None, _messages_of(exc))
        else:
            messages.success(request, "Đã lưu phần đầu và phần cuối văn bản.")
            return redirect("campaigns:document_detail", pk=document.pk)
    return render(request, "campaigns/document_form.html", {"doc": document, "form": form})


def _block_or_404(document, block_pk: int) -> PlanBlock:
    return get_object_or_404(PlanBlock, pk=block_pk, document=document)


@login_required
def block_edit(request, pk: int, block_pk: int | None = None):
    document = selectors.document_for_user_or_404(user=request.user, pk=pk)
    if not selectors.can_edit(request.user, document):
        raise PermissionDenied("Văn bản không ở trạng thái dự thảo hoặc bạn không có quyền sửa.")
    block = _block_or_404(document, block_pk) if block_pk else None
    if block is not None:
        initial = {"kind": block.kind, "text": block.text,
                   "params_text": spec_for(block.kind).params_to_text(block.params)}
    else:
        kind = request.GET.get("loai", BlockKind.TEXT)
        kind = kind if kind in BlockKind.values else BlockKind.TEXT
        initial = {"kind": kind, "params_text": BLOCK_SPECS[kind].example if kind != BlockKind.TEXT else ""}
    form = BlockForm(request.POST or None, initial=initial)
    if block is not None:
        form.fields["kind"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with once(token=request.POST.get(TOKEN_FIELD), user=request.user, purpose="campaigns.block",
                      repeated="Khối nội dung này đã được lưu"):
                if block is None:
                    after = None
                    if request.POST.get("sau"):
                        after_pk = parse_id(request.POST["sau"])
                        if after_pk is None:
                            raise Http404("Không có khối này.")
                        after = _block_or_404(document, after_pk)
                    services.block_add(document=document, kind=data["kind"], text=data["text"],
                                       params=data["params"], after=after, by=request.user)
                else:
                    services.block_update(block=block, text=data["text"], params=data["params"], by=request.user)
        except WriteRefused as exc:
            messages.info(request, exc.message)
            return redirect(f"{document_url(document)}#khoi")
        except ValidationError as exc:
            form.add_error(None, _messages_of(exc))
        else:
            messages.success(request, "Đã lưu khối nội dung.")
            return redirect(f"{document_url(document)}#khoi")
    kind = block.kind if block else form["kind"].value()
    return render(request, "campaigns/block_form.html", {
        "doc": document, "block": block, "form": form, "spec": BLOCK_SPECS.get(kind), "specs": BLOCK_SPECS.values(),
        "after": request.GET.get("sau", ""),
    })


def document_url(document) -> str:
    return reverse("campaigns:document_detail", args=[document.pk])


@login_required
@require_POST
def block_delete(request, pk: int, block_pk: int):
    document = selectors.document_for_user_or_404(user=request.user, pk=pk)
    block = PlanBlock.objects.filter(pk=block_pk, document=document).first()
    if block is None:  # removed by the first of two clicks (or from another tab)
        messages.info(request, "Khối nội dung này đã được xóa.")
        return redirect(f"{document_url(document)}#khoi")
    try:
        services.block_delete(block=block, by=request.user)
    except Repeated as exc:
        messages.info(request, exc.message)
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    else:
        messages.success(request, "Đã xóa khối nội dung.")
    return redirect(f"{document_url(document)}#khoi")


@login_required
@require_POST
def block_move(request, pk: int, block_pk: int, direction: str):
    document = selectors.document_for_user_or_404(user=request.user, pk=pk)
    try:
        services.block_move(block=_block_or_404(document, block_pk), up=direction == "len", by=request.user)
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    return redirect(f"{document_url(document)}#khoi")


TRANSITIONS = {
    "trinh": (services.document_submit, "Đã trình duyệt."),
    "tra-lai": (services.document_return, "Đã trả lại văn bản để sửa."),
    "duyet": (services.document_approve, "Đã duyệt: bản PDF đã được chốt, chờ ký số."),
    "ban-hanh": (services.document_issue, "Đã ban hành văn bản."),
    "phien-ban-moi": (services.document_new_version, "Đã tạo phiên bản mới (dự thảo)."),
}


@login_required
@require_POST
def document_transition(request, pk: int, action: str):
    document = selectors.document_for_user_or_404(user=request.user, pk=pk)
    if action not in TRANSITIONS:
        raise Http404("Không có thao tác này.")
    service, done = TRANSITIONS[action]
    kwargs = {"document": document, "by": request.user}
    if action == "tra-lai":
        kwargs["note"] = request.POST.get("ghi_chu", "")[:300]
    try:
        result = service(**kwargs)
    except Repeated as exc:
        messages.info(request, exc.message)
        return redirect("campaigns:document_detail", pk=exc.obj.pk)
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
        return redirect("campaigns:document_detail", pk=document.pk)
    messages.success(request, done)
    if action == "phien-ban-moi":
        return redirect("campaigns:document_detail", pk=result.pk)
    return redirect("campaigns:document_detail", pk=document.pk)


@sensitive_variables("password", "pkcs12")
@sensitive_post_parameters("password")
@login_required
def document_sign(request, pk: int):
    document = selectors.document_for_user_or_404(user=request.user, pk=pk)
    if not selectors.may_sign(request.user, document):
        raise PermissionDenied("Chỉ lãnh đạo được giao ký văn bản này mới được ký số.")
    form = SignForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        pkcs12 = form.cleaned_data["certificate"].read()
        password = form.cleaned_data["password"]
        try:
            services.document_sign(document=document, pkcs12=pkcs12, password=password, by=request.user)
        except Repeated as exc:
            messages.info(request, exc.message)
            return redirect("campaigns:document_detail", pk=document.pk)
        except signing.SigningError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form.add_error(None, _messages_of(exc))
        else:
            messages.success(request, "Đã ký số văn bản. Kiểm tra bản đã ký rồi ban hành.")
            return redirect("campaigns:document_detail", pk=document.pk)
    return render(request, "campaigns/sign_form.html", {"doc": document, "form": form},
                  status=400 if form.errors else 200)


@login_required
def document_pdf_view(request, pk: int):
    """The PDF: rendered from the data of now while a draft; the frozen file once approved, with
    DỰ THẢO laid over it until the document is issued."""
    document = selectors.document_for_user_or_404(user=request.user, pk=pk)
    purpose = request.GET.get("ban", "")
    files = {f.purpose: f for f in document.files.all()}
    if purpose or document.status not in (DocumentStatus.DRAFT, DocumentStatus.SUBMITTED):
        order = [purpose] if purpose else [FilePurpose.ISSUED, FilePurpose.SIGNED, FilePurpose.APPROVED]
        item = next((files[p] for p in order if p in files), None)
        if item is None:
            raise Http404("Văn bản chưa có bản này.")
        try:
            content = services.frozen_bytes(item)
        except services.IntegrityError as exc:
            return HttpResponse(str(exc), status=500, content_type="text/plain; charset=utf-8")
        if document.prints_as_draft:  # approved or signed, not yet issued: the frozen text, marked
            return file_download(draft_marked(content), filename=f"{_stem(document)}-{item.purpose}-du-thao.pdf",
                                 content_type=PDF)
        return file_download(content, filename=f"{_stem(document)}-{item.purpose}.pdf", content_type=PDF)
    output = document_pdf(render_document(document))
    return file_download(output.content, filename=f"{_stem(document)}-du-thao.pdf", content_type=PDF)


@login_required
def document_docx_view(request, pk: int):
    document = selectors.document_for_user_or_404(user=request.user, pk=pk)
    return file_download(document_docx(render_document(document)), filename=f"{_stem(document)}.docx",
                         content_type=DOCX)


@login_required
def verify(request):
    """Any PDF: are its signatures valid, who signed, when, was it changed after signing;
    and is it, byte for byte, a file frozen in the portal."""
    form = VerifyForm(request.POST or None, request.FILES or None)
    result = None
    matches = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["pdf"].read()
        result = signing.verify_pdf(data)
        digest = hashlib.sha256(data).hexdigest()
        for item in DocumentFile.objects.filter(sha256=digest).select_related("document", "document__unit"):
            visible = selectors.documents_for(user=request.user).filter(pk=item.document_id).exists()
            matches.append({"item": item, "visible": visible})
        result.sha256 = digest
    return render(request, "campaigns/verify.html", {"form": form, "result": result, "matches": matches})
