"""The printed text of the demo plans reads as written: no doubled full stop ('khi có yêu cầu /..')."""

import io
import re

import docx

from campaigns.models import PlanDocument
from campaigns.documents.render.document import render_document
from campaigns.documents.render.docx import document_docx
from campaigns.documents.render.pdf import document_pdf
from tests.campaigns.pdfcheck import text_of

DOUBLED_STOP = re.compile(r"\w\s*/?\.\.(?!\.)")


def docx_text(content: bytes) -> str:
    word = docx.Document(io.BytesIO(content))
    cells = [c.text for t in word.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in word.paragraphs] + cells)


def test_no_demo_plan_prints_a_doubled_full_stop(demo):
    documents = list(PlanDocument.objects.all())
    assert len(documents) >= 5
    for document in documents:
        rendered = render_document(document)
        assert not DOUBLED_STOP.findall(docx_text(document_docx(rendered))), document.subject
    half_year = next(d for d in documents if d.starter == "district-half-year")
    text = text_of(document_pdf(render_document(half_year)).content)
    assert "khi có yêu cầu." in text and not DOUBLED_STOP.findall(text)


def test_a_draft_says_du_thao_on_every_page_and_the_issued_text_does_not(demo):
    from campaigns.models import DocumentStatus
    from tests.campaigns.pdfcheck import reader

    document = PlanDocument.objects.get(unit__code="HDUONG", starter="commune-drive")
    assert document.status == DocumentStatus.DRAFT
    pdf = reader(document_pdf(render_document(document)).content)
    assert len(pdf.pages) > 1
    assert all("DỰ THẢO" in page.extract_text() for page in pdf.pages)
    word = docx.Document(io.BytesIO(document_docx(render_document(document))))
    assert word.paragraphs[0].text == "DỰ THẢO"
    assert "DỰ THẢO" in word.sections[0].header.paragraphs[-1].text
    assert all("DỰ THẢO" in section.header.paragraphs[-1].text for section in word.sections)

    document.status = DocumentStatus.APPROVED  # not yet issued: still marked, except the text frozen to sign
    assert "DỰ THẢO" in docx_text(document_docx(render_document(document)))
    assert "DỰ THẢO" not in text_of(document_pdf(render_document(document, for_issue=True)).content)
    document.status = DocumentStatus.ISSUED
    assert "DỰ THẢO" not in text_of(document_pdf(render_document(document)).content)
    assert "DỰ THẢO" not in docx_text(document_docx(render_document(document)))
