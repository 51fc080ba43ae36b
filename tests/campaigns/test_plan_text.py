"""The printed text of the demo plans reads as written: no doubled full stop ('khi có yêu cầu /..')."""

import io
import re

import docx

from campaigns.models import PlanDocument
from campaigns.render.document import render_document
from campaigns.render.docx import document_docx
from campaigns.render.pdf import document_pdf
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
