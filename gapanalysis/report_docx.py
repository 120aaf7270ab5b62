"""The JSNA mental-health chapter as a Word document (.docx), built with python-docx.

Pure: no Django. Uses real Word structure — built-in styles (Title, Heading 1, List Bullet,
Caption, Table Grid), an A4 page whose header names the chapter and area and whose footer counts
"Page X of Y" (PAGE and NUMPAGES fields), a contents list (a TOC field over the Heading 1
paragraphs), captions numbered by SEQ fields and kept on the page of their table or figure, and
repeating table header rows — rather than direct formatting, so the JSNA team can restyle the
chapter with their own template.
"""

import io
import re

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section as DocxSection
from docx.shared import Emu, Mm
from docx.text.paragraph import Paragraph

from gapanalysis.chapter import Chapter, Figure, Numbered, Table, numbered

PLACEHOLDER_PREFIX = "[For the author to complete] "
SUBJECT = "JSNA mental health chapter"
FIGURE_WIDTH = Mm(160)  # the maps' printed width (report_maps.SIZE_IN): their 8 pt stays 8 pt
A4 = (Mm(210), Mm(297))
MARGINS = {"left": Mm(20), "right": Mm(20), "top": Mm(22), "bottom": Mm(22)}
DETAILS_STYLES = ("Light List Accent 1", "Table Grid")
CONTENTS_NOTE = (
    "Word fills in the page numbers when it updates the fields: it offers to when the file is "
    "opened; otherwise right-click the list and choose Update Field."
)
TOC_INSTRUCTION = 'TOC \\o "1-1" \\h \\z \\u'

# Characters XML 1.0 forbids (lxml refuses them): C0 controls other than tab, newline and
# carriage return; lone surrogates; and the two non-characters U+FFFE and U+FFFF.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    """Text safe to write into the document: characters invalid in XML removed."""
    return _INVALID_XML.sub("", str(text))


def chapter_docx(chapter: Chapter) -> bytes:
    """The chapter as the bytes of a .docx file."""
    document = Document()
    _set_properties(document, chapter)
    _set_page(document, document.sections[0], chapter)
    _update_fields_on_open(document)
    _add_title_page(document, chapter)
    _add_contents(document, chapter)
    if chapter.introduction.strip():
        document.add_heading("Introduction", level=1)
        document.add_paragraph(clean(chapter.introduction), style="Normal")
    for item in numbered(chapter):
        _add_section(document, item)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def usable_width(section: DocxSection) -> Emu:
    """The width between a section's margins: what a figure may fill."""
    return Emu(section.page_width - section.left_margin - section.right_margin)


def _set_properties(document: DocxDocument, chapter: Chapter) -> None:
    properties = document.core_properties
    properties.title = clean(chapter.title)
    properties.author = clean(chapter.author)
    properties.subject = SUBJECT
    properties.comments = f"Analysis run {chapter.run_id}"


def _set_page(document: DocxDocument, section: DocxSection, chapter: Chapter) -> None:
    """A4 with margins that hold every figure; the running header and the page-count footer."""
    section.page_width, section.page_height = A4
    for side, length in MARGINS.items():
        setattr(section, f"{side}_margin", length)
    header = section.header.paragraphs[0]
    header.style = _first_style(document, ("Header",))
    header.add_run(clean(chapter.running_title))
    footer = section.footer.paragraphs[0]
    footer.style = _first_style(document, ("Footer",))
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Page ")
    _add_field(footer, "PAGE", "1")
    footer.add_run(" of ")
    _add_field(footer, "NUMPAGES", "1")


def _update_fields_on_open(document: DocxDocument) -> None:
    """Ask Word to update the fields (contents, page numbers) when the file is opened."""
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    document.settings.element.append(update)


def _field_char(paragraph: Paragraph, kind: str) -> None:
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    paragraph.add_run()._r.append(char)


def _field_start(paragraph: Paragraph, instruction: str) -> None:
    _field_char(paragraph, "begin")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    paragraph.add_run()._r.append(text)
    _field_char(paragraph, "separate")


def _add_field(paragraph: Paragraph, instruction: str, result: str) -> None:
    """A complex field whose cached result reads as the paragraph's text until Word updates it."""
    _field_start(paragraph, instruction)
    paragraph.add_run(result)
    _field_char(paragraph, "end")


def _add_title_page(document: DocxDocument, chapter: Chapter) -> None:
    document.add_paragraph(clean(chapter.title), style="Title")
    if chapter.synthetic_label:
        document.add_paragraph().add_run(clean(chapter.synthetic_label)).bold = True
    details = chapter.title_details()
    table = document.add_table(rows=len(details), cols=2)
    table.style = _first_style(document, DETAILS_STYLES)
    for row, (label, value) in zip(table.rows, details, strict=True):
        row.cells[0].text = clean(label)
        row.cells[1].text = clean(value)
    document.add_page_break()


def _add_contents(document: DocxDocument, chapter: Chapter) -> None:
    """The contents: a TOC field over the Heading 1 paragraphs, its entries written in already
    (so it reads before Word updates it and adds the page numbers), then a new page."""
    document.add_paragraph("Contents", style="TOC Heading")
    titles = ["Introduction"] if chapter.introduction.strip() else []
    titles += [section.title for section in chapter.sections]
    for index, title in enumerate(titles):
        paragraph = document.add_paragraph(style="Normal")
        if index == 0:
            _field_start(paragraph, TOC_INSTRUCTION)
        paragraph.add_run(clean(title))
        if index == len(titles) - 1:
            _field_char(paragraph, "end")
    document.add_paragraph(style="Normal").add_run(CONTENTS_NOTE).italic = True
    document.add_page_break()


def _first_style(document: DocxDocument, names: tuple[str, ...]) -> str | None:
    available = {style.name for style in document.styles}
    return next((name for name in names if name in available), None)


def _add_section(document: DocxDocument, item: Numbered) -> None:
    section = item.section
    document.add_heading(clean(section.title), level=1)
    if section.note:
        note = document.add_paragraph(style=_first_style(document, ("Intense Quote", "Normal")))
        note.add_run(clean(section.note)).bold = True
    for text in section.paragraphs:
        if section.placeholder:
            run = document.add_paragraph(style="Normal").add_run(clean(PLACEHOLDER_PREFIX + text))
            run.italic = True
        else:
            document.add_paragraph(clean(text), style="Normal")
    for text in section.bullets:
        document.add_paragraph(clean(text), style="List Bullet")
    for headline, items in section.groups:
        document.add_heading(clean(headline), level=2)
        for text in items:
            document.add_paragraph(clean(text), style="List Bullet")
    for label, figure in item.figures:
        _add_figure(document, figure, label)
    for label, table in item.tables:
        _add_table(document, table, label)
    if section.references:
        document.add_heading("Sources", level=2)
        for number, source in enumerate(section.references, start=1):
            document.add_paragraph(clean(f"[{number}] {source}"), style="Normal")


def _add_caption(document: DocxDocument, label: str, text: str) -> Paragraph:
    """A "Caption" paragraph, "Table 2. …": its number a SEQ field (Word builds a table of
    figures from it) whose cached result is the number every format prints."""
    kind, number = label.split(" ")
    paragraph = document.add_paragraph(style="Caption")
    paragraph.add_run(f"{kind} ")
    _add_field(paragraph, f"SEQ {kind} \\* ARABIC", number)
    paragraph.add_run(f". {clean(text)}")
    return paragraph


def _add_figure(document: DocxDocument, figure: Figure, label: str) -> None:
    width = min(FIGURE_WIDTH, usable_width(document.sections[-1]))
    shape = document.add_picture(io.BytesIO(figure.png), width=width)
    doc_pr = shape._inline.docPr
    doc_pr.set("descr", clean(figure.alt_text))
    doc_pr.set("title", clean(figure.alt_text))
    document.paragraphs[-1].paragraph_format.keep_with_next = True  # the map with its caption
    _add_caption(document, label, figure.caption)


def _add_table(document: DocxDocument, table: Table, label: str) -> None:
    caption = _add_caption(document, label, table.caption)
    caption.paragraph_format.keep_with_next = True  # never a caption alone at a page's foot
    width = len(table.columns)
    numeric = [*table.numeric, *([False] * width)][:width]
    grid = document.add_table(rows=1 + len(table.rows), cols=width)
    grid.style = _first_style(document, ("Table Grid",))
    header = grid.rows[0]
    header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for cell, name, is_number in zip(header.cells, table.columns, numeric, strict=True):
        cell.paragraphs[0].add_run(clean(name)).bold = True
        cell.paragraphs[0].paragraph_format.keep_with_next = True  # the header with a first row
        _align(cell.paragraphs[0], is_number)
    for row, values in zip(grid.rows[1:], table.rows, strict=True):
        for cell, value, is_number in zip(row.cells, values, numeric, strict=False):
            cell.text = clean(value)
            _align(cell.paragraphs[0], is_number)


def _align(paragraph: Paragraph, is_number: bool) -> None:
    if is_number:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
