"""The JSNA chapter: Word, HTML and PDF, from the command line, the task and the pages."""

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from docx import Document

from gapanalysis.chapter import SECTIONS
from gapanalysis.exports import ExportRefused, chapter_template_save, export_execute, render_chapter
from gapanalysis.models import ChapterExport
from gapanalysis.selectors import run_norms
from tests.conftest import IN_CI

pytestmark = pytest.mark.django_db
ALL = [key for key, _ in SECTIONS]


@pytest.fixture
def run(finished_run):
    return finished_run


def docx_of(run) -> Document:
    content = render_chapter(run=run, fmt="docx", sections=ALL, introduction="Hello.", author="T")
    return Document(io.BytesIO(content))


def test_the_word_chapter_has_every_section_as_a_real_heading(run):
    document = docx_of(run)
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["Introduction", *[title for _, title in SECTIONS]]


def test_the_word_chapter_carries_the_runs_statements_tables_and_maps(run):
    document = docx_of(run)
    text = "\n".join(p.text for p in document.paragraphs)
    for statement in run.statements.all():
        assert statement.text in text
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    for result in run.results.filter(level="locality", norm_code="talking_therapies_access"):
        assert result.unit_name in cells
        assert result.get_classification_display() in cells
    # A need map and a need-against-provision map for each of the run's ambitions.
    assert len(document.inline_shapes) == 2 * len(run_norms(run=run))
    assert "Draft for the author to edit" in text
    assert "Synthetic demo data" in text


def test_sections_follow_the_saved_template_in_its_order(
    run, django_capture_on_commit_callbacks, tmp_path
):
    chapter_template_save(run=run, sections=["methods", "summary"], introduction="", user=None)
    call_command(
        "export_jsna_chapter", run.pk, "--format", "docx", "--output", str(tmp_path / "t.docx")
    )
    document = Document(tmp_path / "t.docx")
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["Methods", "Summary of key findings"]


def test_an_unknown_section_is_refused():
    with pytest.raises(ExportRefused, match="Unknown chapter section"):
        from gapanalysis.exports import _check_sections

        _check_sections(["summary", "gossip"])


def test_the_html_chapter_refers_to_nothing_outside_itself(run, tmp_path):
    output = tmp_path / "chapter.html"
    call_command("export_jsna_chapter", run.pk, "--format", "html", "--output", str(output))
    html = output.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["'](https?:)?//""", html)
    assert html.count('src="data:image/png;base64,') == 2 * len(run_norms(run=run))
    assert "Summary of key findings" in html


def test_user_text_is_escaped_in_the_html_chapter(run):
    run.results.filter(level="locality").update(unit_name="<script>alert(1)</script>")
    html = render_chapter(run=run, fmt="html", sections=["gap"], introduction="", author="T")
    assert b"<script>alert" not in html and b"&lt;script&gt;" in html


def test_the_pdf_chapter_has_pages_that_are_not_blank(run, tmp_path):
    if shutil.which("pdftoppm") is None:
        if IN_CI:
            pytest.fail("pdftoppm is missing: `make test` installs poppler-utils")
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    from PIL import Image

    pdf = tmp_path / "chapter.pdf"
    pdf.write_bytes(render_chapter(run=run, fmt="pdf", sections=ALL, introduction="", author="T"))
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(Path(tmp_path).glob("page-*.png"))
    assert len(pages) >= 5
    for page in pages:
        colours = Image.open(page).convert("L").getextrema()
        assert colours[0] < 200, f"{page.name} looks blank"


def test_a_jsna_manager_exports_from_the_site_and_downloads_the_file(
    client, jsna_manager, run, django_capture_on_commit_callbacks
):
    client.force_login(jsna_manager)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("gapanalysis:chapter", args=[run.pk]), {"fmt": "docx"})
    assert response.status_code == 302 and len(callbacks) == 1
    export = ChapterExport.objects.get()
    export_execute(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == "succeeded" and export.file.name.endswith(".docx")
    download = client.get(reverse("gapanalysis:export_download", args=[export.pk]))
    assert download.status_code == 200
    assert Document(io.BytesIO(b"".join(download.streaming_content))).paragraphs


def test_only_jsna_managers_export(client, commissioner, analyst, run):
    for user in (commissioner, analyst):
        client.force_login(user)
        assert client.get(reverse("gapanalysis:chapter", args=[run.pk])).status_code == 403
