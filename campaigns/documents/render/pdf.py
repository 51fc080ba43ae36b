"""The PDF of a document with WeasyPrint, per Decree 30/2020/NĐ-CP (see campaigns/document_pdf.html):
A4 portrait, wide tables on landscape pages, Liberation Serif 2.1 embedded from static/fonts.

Besides the bytes it returns where the signature space lies (page, rectangle in PDF points, origin
bottom left), so that the digital signature's visible stamp lands where the signer would sign.
"""

import functools
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from .document import SIGNATURE_ANCHOR, RenderedDocument, document_html

FONTS_DIR = Path(settings.BASE_DIR) / "static" / "fonts"
PX_TO_PT = 0.75  # WeasyPrint works in CSS pixels (1/96 in); PDF in points (1/72 in)


@dataclass(frozen=True)
class SignatureBox:
    page: int  # 0-based
    x1: float
    y1: float
    x2: float
    y2: float

    def as_dict(self) -> dict:
        return {"page": self.page, "box": [round(v, 2) for v in (self.x1, self.y1, self.x2, self.y2)]}

    @classmethod
    def from_dict(cls, data: dict) -> "SignatureBox":
        return cls(data["page"], *data["box"])


@dataclass(frozen=True)
class PdfOutput:
    content: bytes
    signature_box: SignatureBox | None
    pages: int


def css_fonts_uri() -> str:
    return FONTS_DIR.as_uri()


def full_html(rendered: RenderedDocument) -> str:
    return render_to_string("campaigns/document_pdf.html", {
        "doc": rendered.document, "body": document_html(rendered, for_pdf=True), "fonts": css_fonts_uri(),
        "draft_mark": rendered.draft_mark,
    })


def document_pdf(rendered: RenderedDocument) -> PdfOutput:
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    document = HTML(string=full_html(rendered), base_url=str(settings.BASE_DIR)).render(font_config=font_config)
    box = None
    for index, page in enumerate(document.pages):
        anchor = page.anchors.get(SIGNATURE_ANCHOR)
        if anchor is None:
            continue
        x1, y1, x2, y2 = anchor
        height_pt = page.height * PX_TO_PT
        # The stamp takes the middle of the signature space, a little narrower than the column.
        left, right = x1 * PX_TO_PT, x2 * PX_TO_PT
        inset = max(0.0, (right - left - 200) / 2)
        box = SignatureBox(index, left + inset, height_pt - y2 * PX_TO_PT + 4, right - inset,
                           height_pt - y1 * PX_TO_PT - 4)
    return PdfOutput(document.write_pdf(), box, len(document.pages))


@functools.lru_cache(maxsize=8)  # one per page size met (portrait, landscape): made once per process
def _overlay_pdf(width: float, height: float) -> bytes:
    from weasyprint import HTML

    html = render_to_string("campaigns/draft_overlay.html", {
        "width": f"{width:.2f}", "height": f"{height:.2f}", "fonts": css_fonts_uri(),
    })
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def draft_marked(pdf: bytes) -> bytes:
    """A frozen PDF (approved or signed, not yet issued) with DỰ THẢO laid over every page.

    The mark is an incremental update: the frozen bytes stay the first part of the copy, unchanged,
    and a signature in them still covers its own revision (the verification page then says, rightly,
    that something was added after signing: this copy is not the issued document)."""
    import io

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    forms: dict[tuple[float, float], tuple[generic.NameObject, generic.IndirectObject]] = {}
    for index in range(int(writer.root["/Pages"]["/Count"])):
        page_ref, resources = writer.find_page_for_modification(index)
        x1, y1, x2, y2 = (float(v) for v in page_ref.get_object()["/MediaBox"])
        size = (round(x2 - x1, 2), round(y2 - y1, 2))
        if size not in forms:  # one overlay per page size (portrait, landscape), each its own name
            overlay = PdfFileReader(io.BytesIO(_overlay_pdf(*size)))
            forms[size] = (generic.pdf_name(f"/BhxhDuThao{len(forms)}"), writer.import_page_as_xobject(overlay))
        name, form = forms[size]
        # The page's own drawing may leave the graphics state changed (WeasyPrint flips the y axis):
        # it is wrapped in q … Q so that the mark is drawn in the page's default space.
        before = writer.add_object(generic.StreamObject(stream_data=b"q"))
        after = writer.add_object(generic.StreamObject(
            stream_data=f"Q q 1 0 0 1 {x1:g} {y1:g} cm {name} Do Q".encode()))
        writer.add_stream_to_page(index, before, prepend=True)
        xobjects = resources.get_object().get("/XObject", generic.DictionaryObject())
        shared = name in xobjects.get_object()  # pages may share one resource dictionary
        writer.add_stream_to_page(index, after, resources=None if shared else generic.DictionaryObject({
            generic.pdf_name("/XObject"): generic.DictionaryObject({name: form}),
        }))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
