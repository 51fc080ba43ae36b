"""Reading a PDF back in tests: its text, where each piece of text starts, its fonts (pypdf)."""

import io
import re
import shutil
import subprocess
from dataclasses import dataclass

from pypdf import PdfReader

MM = 72 / 25.4
A4 = (595.28, 841.89)


@dataclass(frozen=True)
class Piece:
    text: str
    x: float
    y: float  # baseline, from the bottom
    size: float


def reader(content: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(content))


def text_of(content: bytes) -> str:
    """All the text, with runs of whitespace made single spaces (lines joined)."""
    raw = "\n".join(page.extract_text() or "" for page in reader(content).pages)
    return re.sub(r"\s+", " ", raw)


def pieces(page) -> list[Piece]:
    found: list[Piece] = []

    def visit(text, cm, tm, font_dict, font_size):
        if not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = (cm[0] ** 2 + cm[1] ** 2) ** 0.5 * (tm[0] ** 2 + tm[1] ** 2) ** 0.5
        found.append(Piece(text.strip(), x, y, font_size * scale))

    page.extract_text(visitor_text=visit)
    return found


def fonts_of(page) -> dict[str, bool]:
    """Base font name -> embedded (a FontFile, FontFile2 or FontFile3 in its descriptor)."""
    result = {}
    resources = page.get("/Resources") or {}
    fonts = resources.get("/Font") or {}
    for ref in fonts.values():
        font = ref.get_object()
        descriptors = []
        if "/FontDescriptor" in font:
            descriptors.append(font["/FontDescriptor"].get_object())
        for descendant in font.get("/DescendantFonts", []):
            descendant = descendant.get_object()
            if "/FontDescriptor" in descendant:
                descriptors.append(descendant["/FontDescriptor"].get_object())
        embedded = any(any(k in d for k in ("/FontFile", "/FontFile2", "/FontFile3")) for d in descriptors)
        result[str(font.get("/BaseFont"))] = embedded
    return result


def word_boxes(content: bytes, tmp_path) -> list[tuple[int, float, float, float, float, str]] | None:
    """(page, xMin, yMin, xMax, yMax, word) from Poppler's pdftotext -bbox (y from the top);
    None when Poppler is not installed."""
    if shutil.which("pdftotext") is None:
        return None
    source = tmp_path / "doc.pdf"
    source.write_bytes(content)
    html = subprocess.run(["pdftotext", "-bbox", str(source), "-"], capture_output=True, check=True,
                          text=True).stdout
    boxes = []
    for page_no, page in enumerate(html.split("<page ")[1:]):
        for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
                             page):
            boxes.append((page_no, *(float(v) for v in m.groups()[:4]), m.group(5)))
    return boxes
