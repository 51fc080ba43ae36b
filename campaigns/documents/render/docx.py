"""An editable DOCX of a document (python-docx), from the same rendered parts as the PDF.

Same layout rules: A4, margins 20/20/30/15 mm, Times New Roman 14 pt, the two-column header, the
type name and subject, justified body with a 1,27 cm first-line indent, landscape sections for wide
tables, page numbers centred at the top from page 2, recipients and signature at the end.
What Word needs told that a browser works out: the table grid's widths (equal to the cells'), header
rows that repeat on each page, headings kept with what follows, the language (vi-VN) and who made
the file.
"""

import datetime
import io
from html.parser import HTMLParser

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from .document import RenderedDocument

FONT = "Times New Roman"
INDENT = Cm(1.27)


def _set_margins(section, *, landscape: bool) -> None:
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        section.top_margin, section.bottom_margin = Mm(30), Mm(15)
        section.left_margin, section.right_margin = Mm(20), Mm(20)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(20), Mm(20)
        section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = Mm(10)


def _page_number(section) -> None:
    """Page numbers from page 2: the first page of the document has none (a later section, a
    landscape table, starts on a numbered page and shares this header)."""
    section.different_first_page_header_footer = True
    header = section.header
    header.is_linked_to_previous = False
    paragraph = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    run.font.size = Pt(13)


# Word's own watermark: a VML text path anchored in the header, centred on the page behind the text,
# light grey and turned 45°; LibreOffice shows it too. The namespaces are those of the header part.
WATERMARK = (
    '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">'
    '<w:pict><v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" '
    'path="m@7,l@8,m@5,21600l@6,21600e"><v:path textpathok="t" o:connecttype="custom"/>'
    '<v:textpath on="t" fitshape="t"/><o:lock v:ext="edit" text="t" shapetype="t"/></v:shapetype>'
    '<v:shape id="BhxhDuThao{index}" o:spid="_x0000_s{spid}" type="#_x0000_t136" style="position:absolute;'
    'margin-left:0;margin-top:0;width:420pt;height:105pt;rotation:315;z-index:-251654144;'
    'mso-position-horizontal:center;mso-position-horizontal-relative:margin;'
    'mso-position-vertical:center;mso-position-vertical-relative:margin" o:allowincell="f" '
    'fillcolor="#d9d9d9" stroked="f"><v:fill opacity=".5"/>'
    '<v:textpath style="font-family:&quot;Times New Roman&quot;;font-size:1pt;font-weight:bold" '
    'string="DỰ THẢO"/></v:shape></w:pict></w:r>'
)


def _watermark(header, index: int) -> None:
    from docx.oxml import parse_xml

    paragraph = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
    paragraph._p.append(parse_xml(WATERMARK.format(index=index, spid=2049 + index)))


def _draft_mark(word, section) -> None:
    """A text not yet issued: DỰ THẢO as a watermark on every page, in the header of every page but
    the first (whose header stays empty: the mark is the first line of the text there)."""
    header = section.header
    header.is_linked_to_previous = False
    paragraph = header.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = paragraph.add_run("DỰ THẢO")
    run.bold, run.font.size = True, Pt(13)
    _watermark(header, 0)
    _watermark(section.first_page_header, 1)
    _para(word, "DỰ THẢO", size=13, bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=0)


def _no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _rule_below(container, width_cm: float, column_cm: float) -> None:
    """A short rule under a centred line: the bottom border of an empty 2 pt paragraph of its own,
    indented from both sides (on the text's paragraph the indents would squeeze the text)."""
    paragraph = _para(container, "", size=2, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=0)
    paragraph.paragraph_format.line_spacing = Pt(2)
    run = paragraph.add_run(" ")
    run.font.size = Pt(2)
    side = Cm(max(0.0, (column_cm - width_cm) / 2))
    paragraph.paragraph_format.left_indent = side
    paragraph.paragraph_format.right_indent = side
    ppr = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    ppr.append(border)
    return paragraph


def _widths(table, widths_cm: list[float]) -> None:
    """Column widths Word keeps: a fixed layout, the grid and every cell of the same width."""
    table.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    for grid_col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_cm):
        grid_col.set(qn("w:w"), str(int(Cm(width).twips)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm):
            cell.width = Cm(width)


def _column_widths(columns, total_cm: float) -> list[float]:
    """STT narrow, a name column wide, the figures sharing the rest."""
    fixed = {"stt": 1.3}
    names = [c for c in columns if c.kind == "text" and c.key not in fixed]
    others = [c for c in columns if c.kind != "text"]
    name_cm = 4.5 if names else 0
    rest = total_cm - sum(fixed.get(c.key, 0) for c in columns) - name_cm * len(names)
    figure_cm = rest / len(others) if others else 0
    if others and figure_cm < 1.4:  # many figure columns: the names give way
        figure_cm = 1.4
        name_cm = max(2.5, (total_cm - sum(fixed.get(c.key, 0) for c in columns) - figure_cm * len(others))
                      / max(1, len(names)))
    return [fixed.get(c.key) or (name_cm if c in names else figure_cm) for c in columns]


def _repeat_header(row) -> None:
    """The row is printed again at the top of each page the table runs onto."""
    trpr = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    trpr.append(element)


def _language(word, code: str = "vi-VN") -> None:
    """Spelling and hyphenation in Vietnamese: the default run language of the styles."""
    rpr = word.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for old in rpr.findall(qn("w:lang")):
        rpr.remove(old)
    lang = OxmlElement("w:lang")
    for key in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(key), code)
    rpr.append(lang)


def _para(container, text: str = "", *, size: float = 14, bold: bool = False, italic: bool = False,
          align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent: bool = False, space_after: float = 6):
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(space_after)
    paragraph.paragraph_format.space_before = Pt(0)
    if indent:
        paragraph.paragraph_format.first_line_indent = INDENT
    if text:
        run = paragraph.add_run(text)
        run.font.size, run.bold, run.italic = Pt(size), bold, italic
    return paragraph


def _lines(container, text: str, **kwargs):
    first = None
    for index, line in enumerate(text.splitlines() or [""]):
        paragraph = _para(container, line, space_after=0, **kwargs)
        first = first or paragraph
    return first


class _HtmlToDocx(HTMLParser):
    """The light-markup subset (p, h1–h6, ul, ol, li, strong, em, br) into paragraphs."""

    def __init__(self, container):
        super().__init__(convert_charrefs=True)
        self.container = container
        self.paragraph = None
        self.bold = self.italic = 0
        self.heading = ""
        self.lists: list[list] = []  # [tag, counter]
        self.note = False

    def _start_paragraph(self):
        self.paragraph = _para(self.container, indent=True, size=12 if self.note else 14)
        if self.lists:
            tag, _ = self.lists[-1]
            self.lists[-1][1] += 1
            prefix = "- " if tag == "ul" else f"{self.lists[-1][1]}. "
            self._run(prefix)

    def _run(self, text: str):
        run = self.paragraph.add_run(text)
        run.font.size = Pt(12 if self.note else 14)
        run.bold = bool(self.bold) or bool(self.heading)
        run.italic = bool(self.italic) or self.heading in ("h4", "h5", "h6")

    def handle_starttag(self, tag, attrs):
        if tag in ("ul", "ol"):
            self.lists.append([tag, 0])
        elif tag == "li" or (tag == "p" and not (self.lists and self.paragraph is not None)):
            if tag == "p":
                self.note = ("class", "note") in attrs
            self._start_paragraph()
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.heading = tag
            self._start_paragraph()
            self.paragraph.paragraph_format.keep_with_next = True  # never alone at the foot of a page
        elif tag in ("strong", "b"):
            self.bold += 1
        elif tag in ("em", "i"):
            self.italic += 1
        elif tag == "br" and self.paragraph is not None:
            self.paragraph.add_run().add_break()

    def handle_endtag(self, tag):
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self.paragraph = None
        elif tag in ("li", "h1", "h2", "h3", "h4", "h5", "h6") or (tag == "p" and not self.lists):
            self.paragraph = None
            self.heading = ""
            self.note = False
        elif tag in ("strong", "b"):
            self.bold = max(0, self.bold - 1)
        elif tag in ("em", "i"):
            self.italic = max(0, self.italic - 1)

    def handle_data(self, data):
        if not data.strip() and self.paragraph is None:
            return
        if self.paragraph is None:
            self._start_paragraph()
        self._run(data.replace("\n", " "))


def _cell_text(cell, text: str, *, size: float, bold: bool = False, italic: bool = False, align=None):
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    if align is not None:
        paragraph.alignment = align
    run = paragraph.add_run(text)
    run.font.size, run.bold, run.italic = Pt(size), bold, italic


def _table(container, part: dict, *, size: float, width_cm: float) -> None:
    table_obj = part["table"]
    columns = table_obj.columns
    has_groups = bool(part["head2"])
    header_rows = 3 if has_groups else 2
    table = container.add_table(rows=header_rows + len(part["rows"]), cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, _column_widths(columns, width_cm))  # before the merges, which add up their cells' widths
    center = WD_ALIGN_PARAGRAPH.CENTER
    index = 0
    second = iter(part["head2"])
    for cell in part["head1"]:
        top = table.cell(0, index)
        if cell["colspan"] > 1:
            top = top.merge(table.cell(0, index + cell["colspan"] - 1))
            for offset in range(cell["colspan"]):
                _cell_text(table.cell(1, index + offset), next(second), size=size, bold=True, align=center)
        elif cell["rowspan"] > 1:
            top = top.merge(table.cell(1, index))
        _cell_text(top, cell["label"], size=size, bold=True, align=center)
        index += cell["colspan"]
    formula_row = header_rows - 1
    for row in table.rows[:header_rows]:
        _repeat_header(row)
    for i, column in enumerate(columns):
        _cell_text(table.cell(formula_row, i), column.formula, size=size, italic=True, align=center)
    for r, row in enumerate(part["rows"], start=header_rows):
        for c, printed in enumerate(row["cells"]):
            align = WD_ALIGN_PARAGRAPH.LEFT if printed["kind"] == "text" else WD_ALIGN_PARAGRAPH.RIGHT
            _cell_text(table.cell(r, c), printed["text"], size=size, bold=row["is_total"], align=align)
    if part["note"]:
        _para(container, part["note"], size=12, italic=True, indent=True)


def _properties(word, rendered: RenderedDocument) -> None:
    """File properties: the issuing body and the portal wrote it now (not python-docx in 2013)."""
    doc = rendered.document
    core = word.core_properties
    core.author = core.last_modified_by = f"{doc.issuing_body_line} (BHXH Portal)"
    core.created = core.modified = datetime.datetime.now(datetime.UTC).replace(microsecond=0, tzinfo=None)
    core.title = " ".join(f"{doc.type_title} {doc.subject}".split())
    core.language = "vi-VN"
    core.comments = core.keywords = ""
    core.revision = 1


def document_docx(rendered: RenderedDocument) -> bytes:
    doc = rendered.document
    word = Document()
    normal = word.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(14)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    _language(word)
    _properties(word, rendered)
    section = word.sections[0]
    _set_margins(section, landscape=False)
    _page_number(section)
    if rendered.draft_mark:
        _draft_mark(word, section)

    header = word.add_table(rows=1, cols=2)
    _no_borders(header)
    _widths(header, [7, 9.5])
    left, right = header.rows[0].cells
    left.paragraphs[0].paragraph_format.space_after = Pt(0)
    center = WD_ALIGN_PARAGRAPH.CENTER
    if doc.parent_body:
        _cell_text(left, doc.parent_body.replace("\n", " "), size=13, align=center)
    _lines(left, doc.issuing_body, size=13, bold=True, align=center)
    if not doc.parent_body:
        left._tc.remove(left.paragraphs[0]._p)  # the cell's empty first paragraph
    _rule_below(left, 2.2, 7)
    _para(left, f"Số: {doc.number_symbol}", size=13, align=center, space_after=0).paragraph_format.space_before = Pt(6)
    _cell_text(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12, bold=True, align=center)
    motto = _para(right, "", align=center, space_after=0)
    run = motto.add_run("Độc lập - Tự do - Hạnh phúc")
    run.font.size, run.bold, run.underline = Pt(13), True, True
    date = _para(right, doc.date_line, size=14, italic=True, align=center, space_after=0)
    date.paragraph_format.space_before = Pt(6)

    title = _para(word, doc.type_title, size=14, bold=True, align=center, space_after=0)
    title.paragraph_format.space_before = Pt(18)
    _lines(word, doc.subject, size=14, bold=True, align=center)
    _rule_below(word, 4, 16.5)
    _para(word, "", space_after=6)
    for basis in doc.legal_bases:
        _para(word, basis, italic=True, indent=True)

    landscape = False
    for part_section in rendered.sections:
        if part_section.landscape != landscape:
            landscape = part_section.landscape
            new = word.add_section(WD_SECTION.NEW_PAGE)
            _set_margins(new, landscape=landscape)
            new.different_first_page_header_footer = False  # its first page is numbered too
        for part in part_section.parts:
            if part["type"] == "html":
                parser = _HtmlToDocx(word)
                parser.feed(str(part["html"]))
                parser.close()
            else:
                _table(word, part, size=11 if landscape else 12, width_cm=25.7 if landscape else 16.5)
    if landscape:
        last = word.add_section(WD_SECTION.NEW_PAGE)
        _set_margins(last, landscape=False)
        last.different_first_page_header_footer = False

    closing = word.add_table(rows=1, cols=2)
    _no_borders(closing)
    _widths(closing, [7.5, 9])
    left, right = closing.rows[0].cells
    if rendered.recipients:
        _cell_text(left, "Nơi nhận:", size=12, bold=True, italic=True)
        for line in rendered.recipients:
            _para(left, line, size=11, align=WD_ALIGN_PARAGRAPH.LEFT, space_after=0)
    lines = doc.signature_lines or [""]
    _cell_text(right, lines[0], size=14, bold=True, align=center)
    for line in lines[1:]:
        _para(right, line, size=14, bold=True, align=center, space_after=0)
    for _ in range(4):
        _para(right, "", space_after=0)
    _para(right, doc.signer_name, size=14, bold=True, align=center, space_after=0)

    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()
