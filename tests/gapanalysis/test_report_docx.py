"""The chapter as Word: real styles, captions with SEQ fields, alt text, safe user text."""

import io

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from PIL import Image

from gapanalysis.chapter import Chapter, Figure, Section, Table
from gapanalysis.report_docx import PLACEHOLDER_PREFIX, chapter_docx, clean

HOSTILE = "Ward <script>&'\"\x07 Clinic"
SAFE = "Ward <script>&'\" Clinic"


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (30, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def make_chapter() -> Chapter:
    return Chapter(
        title="Mental health needs in Exampleshire",
        area=HOSTILE,
        year=2026,
        run_id=42,
        author="Public Health Intelligence",
        date="23 November 2026",
        synthetic_label="SYNTHETIC DATA — not for decisions",
        introduction="This chapter sets need against provision.",
        sections=[
            Section(
                key="need",
                title="Need by condition",
                paragraphs=["Need is highest in the east."],
                bullets=["Depression: 9,800 expected cases", f"Highest in {HOSTILE}"],
                figures=[Figure("Expected cases by ward", png(), "Map of expected cases")],
            ),
            Section(
                key="provision",
                title="Provision baseline",
                paragraphs=["Services as recorded."],
                tables=[
                    Table(
                        caption="Services by ward",
                        columns=["Service", "Capacity"],
                        rows=[[HOSTILE, "1,200"], ["Talking therapies", "300"]],
                        numeric=[False, True],
                    )
                ],
            ),
            Section(
                key="recommendations",
                title="Recommendations",
                paragraphs=["Set out what commissioners should do."],
                placeholder=True,
            ),
        ],
    )


@pytest.fixture(scope="module")
def document() -> docx.document.Document:
    return docx.Document(io.BytesIO(chapter_docx(make_chapter())))


def paragraphs_with(document, text: str) -> list:
    return [p for p in document.paragraphs if text in p.text]


def test_title_and_headings_use_built_in_styles(document):
    assert document.paragraphs[0].text == "Mental health needs in Exampleshire"
    assert document.paragraphs[0].style.name == "Title"
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    expected = ["Introduction", "Need by condition", "Provision baseline", "Recommendations"]
    assert headings == expected


def test_synthetic_label_is_bold_near_the_top(document):
    label = document.paragraphs[1]
    assert label.text == "SYNTHETIC DATA — not for decisions"
    assert all(run.bold for run in label.runs)


def test_title_details_table_and_page_break(document):
    details = document.tables[0]
    assert [cell.text for cell in details.columns[0].cells] == [
        "Area",
        "Population year",
        "Analysis run",
        "Prepared by",
        "Date",
    ]
    assert details.cell(0, 1).text == SAFE
    assert details.style.name in ("Light List Accent 1", "Table Grid")
    assert 'w:type="page"' in document.element.body.xml


def test_bullets_use_list_bullet_style(document):
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert bullets == ["Depression: 9,800 expected cases", f"Highest in {SAFE}"]


def test_figure_inserted_with_alt_text_and_numbered_caption(document):
    assert len(document.inline_shapes) == 1
    shape = document.inline_shapes[0]
    assert round(shape.width.cm) == 16
    doc_pr = shape._inline.docPr
    assert doc_pr.get("descr") == "Map of expected cases"
    assert doc_pr.get("title") == "Map of expected cases"
    (caption,) = paragraphs_with(document, "Expected cases by ward")
    assert caption.style.name == "Caption"
    assert "SEQ Figure" in caption._p.xml
    assert caption.text == "Figure 1. Expected cases by ward"  # 1: the SEQ field's cached result


def test_table_caption_above_and_header_repeats(document):
    (caption,) = paragraphs_with(document, "Services by ward")
    assert caption.style.name == "Caption"
    assert "SEQ Table" in caption._p.xml
    table = document.tables[1]
    assert caption._p.getnext() is table._tbl  # caption directly above the table
    assert table.style.name == "Table Grid"
    header = table.rows[0]
    assert [cell.text for cell in header.cells] == ["Service", "Capacity"]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(run.bold for cell in header.cells for run in cell.paragraphs[0].runs)
    assert [[cell.text for cell in row.cells] for row in table.rows[1:]] == [
        [SAFE, "1,200"],
        ["Talking therapies", "300"],
    ]
    for row in table.rows:
        assert row.cells[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
        assert row.cells[0].paragraphs[0].alignment is None


def test_placeholder_is_italic_and_prefixed(document):
    (paragraph,) = paragraphs_with(document, "Set out what commissioners")
    assert paragraph.text == PLACEHOLDER_PREFIX + "Set out what commissioners should do."
    assert paragraph.text.startswith("[For the author to complete] ")
    assert all(run.italic for run in paragraph.runs)


def test_user_text_round_trips_without_control_characters(document):
    body = document.element.body.xml
    assert "\x07" not in body
    assert "&lt;script&gt;&amp;" in body  # escaped, not markup
    assert len(paragraphs_with(document, SAFE)) == 1  # the bullet


def test_core_properties(document):
    properties = document.core_properties
    assert properties.title == "Mental health needs in Exampleshire"
    assert properties.author == "Public Health Intelligence"
    assert properties.subject == "JSNA mental health chapter"
    assert properties.comments == "Analysis run 42"


def test_clean_strips_only_xml_invalid_characters():
    assert clean("a\x00b\x08c\x0bd\x0ce\x1ff\tg\nh") == "abcdef\tg\nh"


def test_empty_introduction_and_no_synthetic_label():
    chapter = make_chapter()
    plain = Chapter(**{**chapter.__dict__, "introduction": " ", "synthetic_label": ""})
    document = docx.Document(io.BytesIO(chapter_docx(plain)))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert "Introduction" not in headings
    assert not paragraphs_with(document, "SYNTHETIC")
