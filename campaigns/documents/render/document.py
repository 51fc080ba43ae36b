"""A document laid out once, for the page preview, the PDF and the DOCX alike."""

from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from reports.render.layout import table_context

from ...models import PlanBlock, PlanDocument
from .blocks import HtmlPart, RenderedBlock, TablePart, render_block

SIGNATURE_ANCHOR = "signature-space"


@dataclass
class Section:
    """Consecutive parts that share a page orientation."""

    landscape: bool
    parts: list[dict] = field(default_factory=list)


@dataclass
class RenderedDocument:
    document: PlanDocument
    blocks: list[RenderedBlock]
    # The text frozen at approval, to be signed and issued unchanged: printed without DỰ THẢO, which
    # is laid over each copy served until the document is issued.
    for_issue: bool = False

    @property
    def draft_mark(self) -> bool:
        return self.document.prints_as_draft and not self.for_issue

    @property
    def errors(self) -> list[str]:
        return [b.error for b in self.blocks if b.error]

    @property
    def sections(self) -> list[Section]:
        """A block with a landscape table goes on landscape pages whole (its heading and lead with
        it); consecutive such blocks share those pages."""
        sections: list[Section] = []
        for rendered in self.blocks:
            landscape = any(isinstance(p, TablePart) and p.landscape for p in rendered.parts)
            if not sections or sections[-1].landscape != landscape:
                sections.append(Section(landscape))
            sections[-1].parts += [_part_context(p) for p in rendered.parts]
        return sections

    @property
    def recipients(self) -> list[str]:
        """'- UBND thị xã;' ... '- Lưu: VT, BHXH.' as printed."""
        items = [r.strip().rstrip(";.") for r in self.document.recipients if r.strip()]
        return [f"- {r}{'.' if i == len(items) - 1 else ';'}" for i, r in enumerate(items)]


def _part_context(part) -> dict:
    if isinstance(part, HtmlPart):
        return {"type": "html", "html": part.html}
    assert isinstance(part, TablePart)
    return {"type": "table", "note": part.note, "landscape": part.landscape,
            "family": part.table.key.split("_")[0], **table_context(part.table)}


def render_document(document: PlanDocument, blocks: list[PlanBlock] | None = None, *,
                    for_issue: bool = False) -> RenderedDocument:
    """Every block rendered from the database now; `blocks` for a document not saved (the CLI)."""
    if blocks is None:
        blocks = list(document.blocks.all())
    return RenderedDocument(document, [render_block(b, document) for b in blocks], for_issue=for_issue)


def document_html(rendered: RenderedDocument, *, for_pdf: bool) -> SafeString:
    return render_to_string("campaigns/_document.html", {
        "doc": rendered.document, "rendered": rendered, "for_pdf": for_pdf,
        "signature_anchor": SIGNATURE_ANCHOR, "draft_mark": rendered.draft_mark,
    })
