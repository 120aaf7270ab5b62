"""The JSNA mental-health chapter as a Word document (.docx), built with python-docx.

Pure: no Django. Uses real Word structure — built-in styles (Title, Heading 1, List Bullet,
Caption, Table Grid), SEQ caption fields and repeating table header rows — rather than direct
formatting, so the JSNA team can restyle the chapter with their own template.
"""

import io
import re

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Cm
from docx.text.paragraph import Paragraph

from gapanalysis.chapter import Chapter, Figure, Section, Table

PLACEHOLDER_PREFIX = "[For the author to complete] "
SUBJECT = "JSNA mental health chapter"
FIGURE_WIDTH = Cm(16)
DETAILS_STYLES = ("Light List Accent 1", "Table Grid")

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
    _add_title_page(document, chapter)
    if chapter.introduction.strip():
        document.add_heading("Introduction", level=1)
        document.add_paragraph(clean(chapter.introduction), style="Normal")
    counters = {"Figure": 0, "Table": 0}
    for section in chapter.sections:
        _add_section(document, section, counters)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _set_properties(document: DocxDocument, chapter: Chapter) -> None:
    properties = document.core_properties
    properties.title = clean(chapter.title)
    properties.author = clean(chapter.author)
    properties.subject = SUBJECT
    properties.comments = f"Analysis run {chapter.run_id}"


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


def _first_style(document: DocxDocument, names: tuple[str, ...]) -> str | None:
    available = {style.name for style in document.styles}
    return next((name for name in names if name in available), None)


def _add_section(document: DocxDocument, section: Section, counters: dict[str, int]) -> None:
    document.add_heading(clean(section.title), level=1)
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
    for figure in section.figures:
        counters["Figure"] += 1
        _add_figure(document, figure, counters["Figure"])
    for table in section.tables:
        counters["Table"] += 1
        _add_table(document, table, counters["Table"])
    if section.references:
        document.add_heading("Sources", level=2)
        for number, source in enumerate(section.references, start=1):
            document.add_paragraph(clean(f"[{number}] {source}"), style="Normal")


def _add_caption(document: DocxDocument, label: str, number: int, text: str) -> Paragraph:
    """A "Caption" paragraph numbered by a SEQ field, so Word can build a table of figures."""
    paragraph = document.add_paragraph(style="Caption")
    paragraph.add_run(f"{label} ")
    field = parse_xml(
        f'<w:fldSimple {nsdecls("w")} w:instr=" SEQ {label} \\* ARABIC ">'
        f"<w:r><w:t>{number}</w:t></w:r></w:fldSimple>"
    )
    paragraph._p.append(field)
    paragraph.add_run(f": {clean(text)}")
    return paragraph


def _add_figure(document: DocxDocument, figure: Figure, number: int) -> None:
    shape = document.add_picture(io.BytesIO(figure.png), width=FIGURE_WIDTH)
    doc_pr = shape._inline.docPr
    doc_pr.set("descr", clean(figure.alt_text))
    doc_pr.set("title", clean(figure.alt_text))
    _add_caption(document, "Figure", number, figure.caption)


def _add_table(document: DocxDocument, table: Table, number: int) -> None:
    _add_caption(document, "Table", number, table.caption)
    width = len(table.columns)
    numeric = [*table.numeric, *([False] * width)][:width]
    grid = document.add_table(rows=1 + len(table.rows), cols=width)
    grid.style = _first_style(document, ("Table Grid",))
    header = grid.rows[0]
    header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for cell, name, is_number in zip(header.cells, table.columns, numeric, strict=True):
        cell.paragraphs[0].add_run(clean(name)).bold = True
        _align(cell.paragraphs[0], is_number)
    for row, values in zip(grid.rows[1:], table.rows, strict=True):
        for cell, value, is_number in zip(row.cells, values, numeric, strict=False):
            cell.text = clean(value)
            _align(cell.paragraphs[0], is_number)


def _align(paragraph: Paragraph, is_number: bool) -> None:
    if is_number:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
