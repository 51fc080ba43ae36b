"""The PDF of a document with WeasyPrint, per Decree 30/2020/NĐ-CP (see campaigns/document_pdf.html):
A4 portrait, wide tables on landscape pages, Liberation Serif 2.1 embedded from static/fonts.

Besides the bytes it returns where the signature space lies (page, rectangle in PDF points, origin
bottom left), so that the digital signature's visible stamp lands where the signer would sign.
"""

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
