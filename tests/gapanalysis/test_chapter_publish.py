"""A chapter to publish: A4 Word and PDF with header, page numbers, contents and numbered captions;
a tagged PDF with its fonts embedded; each statement once; data sources with edition, publisher,
licence and link; copyright lines only for the data that carry them; drafted recommendations."""

import hashlib
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Inches

from gapanalysis import report_maps
from gapanalysis.chapter import SECTIONS
from gapanalysis.chapter_builder import RECOMMENDATIONS_NOTE, build_chapter
from gapanalysis.chapter_sources import CATALOGUE, catalogue
from gapanalysis.exports import render_chapter
from gapanalysis.report_docx import usable_width
from gapanalysis.selectors import run_norms
from gapanalysis.statements import UNMET
from jsna.county import COUNTY_FILES, COUNTY_FOLDER
from needs.models import Area, DatasetKind, DatasetVersion
from tests.conftest import IN_CI

pytestmark = pytest.mark.django_db
ALL = [key for key, _ in SECTIONS]
OS_LINE = "Contains OS data © Crown copyright and database right"
A4_MM = (210, 297)


def poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        if IN_CI:
            pytest.fail(f"{tool} is missing: `make test` installs poppler-utils")
        pytest.skip(f"{tool} (poppler-utils) is not installed")
    return path


def render(run, fmt: str) -> bytes:
    return render_chapter(run=run, fmt=fmt, sections=ALL, introduction="Hello.", author="T")


def instructions(element) -> str:
    return " ".join(node.text or "" for node in element.iter(qn("w:instrText")))


def test_the_word_chapter_is_a4_with_header_footer_contents_and_numbered_captions(finished_run):
    document = Document(io.BytesIO(render(finished_run, "docx")))
    (section,) = document.sections
    assert (round(section.page_width.mm), round(section.page_height.mm)) == A4_MM
    printed = Inches(report_maps.SIZE_IN[0])
    assert len(document.inline_shapes) == 2 * len(run_norms(run=finished_run))
    for shape in document.inline_shapes:  # every map inside the margins, at its printed size
        assert shape.width <= usable_width(section)
        assert abs(shape.width - printed) < Inches(0.05)
    assert "Wyvern Vale" in section.header.paragraphs[0].text
    footer = instructions(section.footer._element)
    assert "PAGE" in footer.split() and "NUMPAGES" in footer.split()
    body = document.element.body
    assert "TOC " in instructions(body)
    captions = [p for p in document.paragraphs if p.style.name == "Caption"]
    for kind in ("Figure", "Table"):
        numbers = [
            int(re.match(rf"{kind} (\d+)\. ", p.text).group(1))
            for p in captions
            if p.text.startswith(f"{kind} ")
        ]
        assert numbers == list(range(1, len(numbers) + 1)) and numbers, kind
    for caption in captions:
        assert f"SEQ {caption.text.split()[0]}" in instructions(caption._p)
        if caption.text.startswith("Table "):  # above its table, kept on its page
            assert caption.paragraph_format.keep_with_next
            assert caption._p.getnext().tag == qn("w:tbl")
        else:  # below its map, which is kept with it
            picture = caption._p.getprevious()
            assert picture.find(".//" + qn("w:drawing")) is not None
            assert picture.find(".//" + qn("w:keepNext")) is not None


def test_the_pdf_chapter_is_tagged_a4_with_embedded_fonts_page_numbers_and_contents(
    finished_run, tmp_path
):
    pdf = tmp_path / "chapter.pdf"
    pdf.write_bytes(render(finished_run, "pdf"))
    info = subprocess.run([poppler("pdfinfo"), str(pdf)], capture_output=True, text=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M), info
    assert re.search(r"^Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)$", info, re.M), info
    pages = int(re.search(r"^Pages:\s+(\d+)$", info, re.M).group(1))
    fonts = subprocess.run([poppler("pdffonts"), str(pdf)], capture_output=True, text=True)
    rows = fonts.stdout.splitlines()[2:]
    assert rows and all(row.split()[-5] == "yes" for row in rows), fonts.stdout  # emb column
    text = subprocess.run(
        [poppler("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True
    ).stdout.split("\f")
    for number, page in enumerate(text[1:pages], start=2):
        assert f"Page {number} of {pages}" in page
        assert "Wyvern Vale" in page.splitlines()[0]  # the running header
    contents = text[0] + text[1]
    assert "Contents" in contents
    for _, title in SECTIONS:  # each with the page number it starts on
        assert re.search(rf"{re.escape(title)} ?\.+ ?\d+", contents), title
    joined = "\n".join(text)
    assert re.search(r"Figure 1\. Estimated", joined) and re.search(r"Table 1\. Small", joined)


def test_each_statement_and_each_reason_not_computed_is_printed_once(finished_run):
    html = render(finished_run, "html").decode()
    assert '<meta http-equiv="Content-Security-Policy"' in html and "<script" not in html
    statements = [s.text for s in finished_run.statements.all()]
    assert statements
    for statement in statements:
        assert html.count(escape(statement)) == 1, statement
    for item in finished_run.inputs["norms_not_computed"]:
        assert html.count(escape(item["reason"])) == 1, item["name"]


def escape(text: str) -> str:
    from django.utils.html import escape as django_escape

    return str(django_escape(text))


def test_the_summary_leads_with_the_whole_area_then_the_largest_gaps(finished_run):
    chapter = build_chapter(run=finished_run, sections=["summary"], introduction="", author="T")
    lines = chapter.sections[0].bullets
    assert "across Wyvern Vale" in lines[0]
    largest = finished_run.results.filter(level="locality", classification__in=UNMET).order_by(
        "-gap_people"
    )[0]
    gaps = next(line for line in lines if line.startswith("Largest gaps in people: "))
    assert gaps.startswith(f"Largest gaps in people: {largest.unit_name},")
    assert any(line.startswith("Sharpest gaps in share") for line in lines)


def test_recommendations_are_draft_suggestions_one_per_ambition_below_its_norm(finished_run):
    chapter = build_chapter(
        run=finished_run, sections=["recommendations"], introduction="", author="T"
    )
    (section,) = chapter.sections
    assert section.note == RECOMMENDATIONS_NOTE and "Draft for the author to edit" in section.note
    short = {
        r.norm_code for r in finished_run.results.filter(level="locality", classification__in=UNMET)
    }
    assert short and len(section.bullets) == len(short)
    for norm in run_norms(run=finished_run):
        if norm.code not in short:
            continue
        (line,) = [b for b in section.bullets if b.startswith(f"{norm.name}: ")]
        largest = finished_run.results.filter(
            level="locality", norm_code=norm.code, classification__in=UNMET
        ).order_by("-gap_people")[0]
        assert largest.unit_name in line
        assert re.search(r"about [\d,]+ more ", line)
    assert "[For the author to complete]" not in render(finished_run, "html").decode()


def sources_table(run):
    chapter = build_chapter(run=run, sections=["sources"], introduction="", author="T")
    (section,) = chapter.sections
    return section, section.tables[-1]


def test_data_sources_give_each_dataset_its_edition_publisher_licence_and_link(finished_run):
    section, table = sources_table(finished_run)
    assert table.columns == ["Dataset", "Edition or period", "Publisher", "Licence", "Link"]
    pinned = {v["kind"] for v in finished_run.inputs["dataset_versions"]}
    named = " ".join(row[0] for row in table.rows)
    for kind in pinned - {DatasetKind.RATES}:
        assert DatasetKind(kind).label in named, kind
    for row in table.rows:
        assert all(cell.strip() for cell in row), row
    (apms,) = [row for row in table.rows if "Adult Psychiatric Morbidity Survey 2014" in row[0]]
    assert apms[1:] == [
        "2016",
        "NHS Digital",
        "Open Government Licence v3.0",
        apms[4],
    ] and apms[4].startswith("https://digital.nhs.uk/")
    # The demo's boundaries are invented: no Ordnance Survey line, in the text or on the maps.
    assert not any("OS data" in p for p in section.paragraphs)
    assert OS_LINE not in render(finished_run, "html").decode()


def test_real_boundaries_bring_the_os_copyright_line_and_only_where_the_run_uses_them(
    finished_run,
):
    path = COUNTY_FOLDER / "lsoa21_boundaries_bgc.geojson"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    version = DatasetVersion.objects.create(
        kind=DatasetKind.BOUNDARIES, original_name=path.name, sha256=digest, rows=374
    )
    finished_run.inputs["dataset_versions"].append({"id": version.pk, "kind": version.kind})
    finished_run.save()
    section, table = sources_table(finished_run)  # loaded beside the invented area: not used
    assert not any(OS_LINE in p for p in section.paragraphs)
    assert path.name not in " ".join(row[0] for row in table.rows)

    Area.objects.update(is_synthetic=False)  # as if the run's area were the published one
    DatasetVersion.objects.exclude(pk=version.pk).update(is_synthetic=False)
    section, table = sources_table(finished_run)
    assert any(OS_LINE in p for p in section.paragraphs)
    (row,) = [row for row in table.rows if path.name in row[0]]
    assert row[1:4] == [
        "December 2021",
        "Office for National Statistics (Open Geography Portal); copied verbatim from "
        "drkane/geo-lookups",
        "Open Government Licence v3.0",
    ]
    assert row[4].startswith("https://github.com/drkane/geo-lookups/")


def test_the_source_catalogue_names_each_shipped_file_by_its_contents():
    entries = catalogue(CATALOGUE)
    by_name = {entry.file: sha for sha, entry in entries.items()}
    for county_file in COUNTY_FILES:
        content = Path(COUNTY_FOLDER / county_file.name).read_bytes()
        assert by_name[county_file.name] == hashlib.sha256(content).hexdigest(), county_file.name
    for entry in entries.values():
        assert entry.edition and entry.publisher and entry.licence and entry.copyright
        assert entry.link.startswith("https://")
        # OS data: the boundaries, and the sites placed by Code-Point Open postcode coordinates.
        carries_os = entry.file.endswith(".geojson") or "geocoded" in entry.file
        assert (OS_LINE in entry.copyright) == carries_os, entry.file


def legend_sizes(monkeypatch, draw) -> list[float]:
    """The font sizes of a map's legend text, read from the figure just before it is saved."""
    sizes = []
    original = report_maps.png

    def spy(figure, dpi):
        for legend in figure.legends:
            sizes.extend(text.get_fontsize() for text in legend.get_texts())
        for axes in figure.axes[1:]:  # the bivariate key
            sizes.extend([axes.xaxis.label.get_fontsize(), axes.yaxis.label.get_fontsize()])
        sizes.extend(t.get_fontsize() for t in figure.texts if "Pink" in t.get_text())
        return original(figure, dpi)

    with monkeypatch.context() as patch:
        patch.setattr(report_maps, "png", spy)
        draw()
    return sizes


def test_print_map_legends_are_at_least_8_point_at_their_printed_size(monkeypatch):
    from tests.gapanalysis.test_report_maps import coverage_map, gap_map

    assert report_maps.SIZE_IN[0] * 25.4 <= 170  # A4 less its 20 mm margins: printed unscaled
    choropleth = legend_sizes(monkeypatch, coverage_map)
    bivariate = legend_sizes(monkeypatch, lambda: gap_map([1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1]))
    assert len(choropleth) == 4 and len(bivariate) == 3
    assert min(choropleth + bivariate) >= 8
