"""A JSNA project manager: choose the chapter's sections, export it as Word and as PDF, and the
downloads arrive and open. Keyboard only, no other host, axe on every page."""

import re
import subprocess

import pytest
from docx import Document

from tests.journeys.conftest import Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
INTRODUCTION = "This chapter was prepared for the Wyvern Vale health and wellbeing board."


def test_jsna_manager(journey: Journey, jsna_manager, finished_run):
    from playwright.sync_api import expect

    page = journey.page
    journey.sign_in(jsna_manager.username)
    journey.press(page.get_by_role("link", name="Need against provision").first)
    page.wait_for_url("**/maps/")
    journey.visit("need-against-provision")
    journey.press(page.get_by_role("link", name="Export the JSNA chapter"))
    page.wait_for_url(f"**/runs/{finished_run.pk}/chapter/")
    journey.visit("chapter")

    equality = page.get_by_role("checkbox", name="Equality breakdowns")
    assert equality.is_checked()
    journey.press(equality, "Space")
    assert not equality.is_checked()
    journey.type(page.get_by_label("Position of Projections"), "2")
    journey.type(page.get_by_label("Introduction"), INTRODUCTION)
    journey.press(page.get_by_role("button", name="Save the template"))
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("checkbox", name="Equality breakdowns")).not_to_be_checked()
    journey.visit("chapter-template-saved")

    exported = {}
    for fmt, label in (("docx", "word"), ("pdf", "pdf")):
        journey.choose(page.get_by_label("Format"), fmt)
        journey.press(page.get_by_role("button", name="Export the chapter"))
        page.wait_for_load_state("networkidle")
        link = page.get_by_role("link", name="download").first
        expect(link).to_be_visible(timeout=60_000)  # the export runs in the request: seconds
        journey.visit(f"chapter-exported-{label}")
        exported[fmt] = journey.download(link)

    word = Document(str(exported["docx"]))
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert "Equality breakdowns" not in headings
    assert headings.index("Projections") < headings.index("Need by condition")
    assert any(INTRODUCTION in p.text for p in word.paragraphs)
    assert len(word.inline_shapes) > 0  # the maps are in it

    pdf = exported["pdf"].read_bytes()
    assert pdf.startswith(b"%PDF-")
    # WeasyPrint packs its objects into compressed streams: ask poppler for the page count.
    info = subprocess.run(
        ["pdfinfo", str(exported["pdf"])], capture_output=True, text=True, check=True
    ).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert pages >= 5, f"the PDF has {pages} pages"
