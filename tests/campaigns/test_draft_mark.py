"""DỰ THẢO on every print of a document not yet issued (draft, submitted, approved, signed), in the PDF
(boxed mark and watermark, every page) and the DOCX (header); the issued document prints without it."""

import hashlib
import io

import docx
import pytest
from django.urls import reverse

from campaigns.documents import services
from campaigns.models import DocumentStatus, FilePurpose, PlanDocument
from tests.campaigns.conftest import PASSWORD, user
from tests.campaigns.pdfcheck import pieces, reader, text_of

pytestmark = pytest.mark.django_db

MARK = "DỰ THẢO"


def pdf_of(client, document) -> bytes:
    client.force_login(user("canbo.haiduong"))
    response = client.get(reverse("campaigns:document_pdf", args=[document.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return response.content


def docx_of(client, document):
    client.force_login(user("canbo.haiduong"))
    response = client.get(reverse("campaigns:document_docx", args=[document.pk]))
    assert response.status_code == 200
    return docx.Document(io.BytesIO(response.content))


def assert_marked(content: bytes, word) -> None:
    pdf = reader(content)
    assert len(pdf.pages) > 1
    for page in pdf.pages:
        marks = [p for p in pieces(page) if MARK in p.text]
        # the boxed mark and the watermark, both on the page
        assert len(marks) >= 2, page.extract_text()[:200]
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert all(0 <= p.x <= width and 0 <= p.y <= height for p in marks)
    assert MARK in word.sections[0].header.paragraphs[-1].text
    assert word.paragraphs[0].text == MARK
    # the watermark, in the header of the first page and of the others (later sections share it)
    for header in (word.sections[0].first_page_header, word.sections[0].header):
        assert watermarks(header) == [MARK]


def watermarks(header) -> list[str]:
    vml = "{urn:schemas-microsoft-com:vml}"
    return [path.get("string") for path in header._element.iter(f"{vml}textpath") if path.get("string")]


def assert_not_marked(content: bytes, word) -> None:
    assert MARK not in text_of(content)
    headers = " ".join(p.text for s in word.sections for p in s.header.paragraphs)
    assert MARK not in headers and MARK not in " ".join(p.text for p in word.paragraphs)
    assert not any(watermarks(h) for s in word.sections for h in (s.header, s.first_page_header))


@pytest.fixture
def document(hai_duong) -> PlanDocument:
    return PlanDocument.objects.get(unit=hai_duong, starter="commune-drive", year=2021)


def test_draft_and_submitted_print_du_thao(client, document):
    assert document.status == DocumentStatus.DRAFT and document.prints_as_draft
    assert_marked(pdf_of(client, document), docx_of(client, document))
    services.document_submit(document=document, by=user("canbo.haiduong"))
    assert document.status == DocumentStatus.SUBMITTED and document.prints_as_draft
    assert_marked(pdf_of(client, document), docx_of(client, document))


def test_approved_not_issued_prints_du_thao_over_the_frozen_text(client, document):
    services.document_submit(document=document, by=user("canbo.haiduong"))
    approved = services.document_approve(document=document, by=user("lanhdao.huongtra"))
    document.refresh_from_db()
    assert document.status == DocumentStatus.APPROVED and document.prints_as_draft
    frozen = services.frozen_bytes(approved)
    # the frozen text is the one to be signed and issued unchanged: it carries no mark itself …
    assert MARK not in text_of(frozen)
    # … every copy served until the issue has it laid over, the frozen bytes untouched underneath
    served = pdf_of(client, document)
    assert served.startswith(frozen) and served != frozen
    assert_marked(served, docx_of(client, document))
    for before, after in zip(reader(frozen).pages, reader(served).pages, strict=True):
        assert before.extract_text() in after.extract_text()
    detail = client.get(reverse("campaigns:document_detail", args=[document.pk])).content.decode()
    assert "có dấu DỰ THẢO đến khi ban hành" in detail
    marked = client.get(reverse("campaigns:document_pdf", args=[document.pk]) + "?ban=approved")
    assert MARK in text_of(marked.content)
    assert "du-thao" in marked["Content-Disposition"]


def test_signed_not_issued_is_marked_and_the_issued_one_is_not(client, document, trusted_ca):
    services.document_submit(document=document, by=user("canbo.haiduong"))
    services.document_approve(document=document, by=user("lanhdao.huongtra"))
    p12 = trusted_ca.issue_pkcs12("Nguyễn Hữu Danh", PASSWORD)
    services.document_sign(document=document, pkcs12=p12, password=PASSWORD, by=user("lanhdao.huongtra"))
    assert document.status == DocumentStatus.SIGNED and document.prints_as_draft
    signed = services.frozen_bytes(document.files.get(purpose=FilePurpose.SIGNED))
    served = pdf_of(client, document)
    assert served.startswith(signed)
    assert_marked(served, docx_of(client, document))

    services.document_issue(document=document, by=user("canbo.haiduong"))
    assert document.status == DocumentStatus.ISSUED and not document.prints_as_draft
    served = pdf_of(client, document)
    assert hashlib.sha256(served).hexdigest() == document.files.get(purpose=FilePurpose.ISSUED).sha256
    assert_not_marked(served, docx_of(client, document))
