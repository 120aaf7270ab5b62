"""The Outcomes page's funnel plots and trends on the real county (Worcestershire: QOF 2019-20,
population mid-2019 and mid-2020), and the same charts as figures in the chapter's "How we
compare" section.

Worked by hand for the dementia funnel (target 0.667; limits p̄ ± z·sqrt(p̄(1 − p̄)/n)):
Worcester 782 on registers of 1,128 expected = 0.693; at n = 1,128 the 95% limits are 0.639 to
0.695, so Worcester is within them. Wychavon 936 of 2,155 = 0.434, far below the 99.8% lower
limit of 0.667 − 3.090232·sqrt(0.222111/2,155) = 0.636.
"""

import io
import math
import re
from types import SimpleNamespace

import docx
import pytest
from django.urls import reverse

from gapanalysis.chapter import Chapter
from gapanalysis.chapter_compare import compare_section
from gapanalysis.report_docx import chapter_docx
from gapanalysis.report_html import chapter_html, chapter_pdf
from needs import benchmarking as b
from needs.models import PopulationEstimate
from needs.selectors import default_locality_scheme
from recorded import charts, pages
from recorded.models import ENGLAND_CODE, IndicatorValue, Practice, QofRegister
from tests.recorded.test_outcomes_page import page, text_of

HOSTILE = "<script>alert(1)</script> Surgery"


@pytest.fixture
def context(worcestershire, db) -> dict:
    scheme = default_locality_scheme()
    return charts.charts_context(scheme, pages.registers_context(scheme, None))


def test_the_dementia_funnel_calls_each_district_against_the_ambition(context):
    dementia = context["funnels"][0]
    assert dementia.chart.title == "Dementia diagnosis rate by locality, QOF 2019-20"
    assert dementia.words == (
        "Against the national ambition of 66.7%: 5 of 6 localities lie below the lower 99.8% "
        "limit: Bromsgrove, Malvern Hills, Redditch, Wychavon, Wyre Forest; 1 within the 95% "
        "limits."
    )
    worcester = next(row for row in dementia.rows if row["name"] == "Worcester")
    assert worcester == {
        "name": "Worcester", "numerator": "782", "denominator": "1,128", "value": "69%",
        "call": "within the 95% limits", "css": "funnel-within",
    }  # fmt: skip


def test_a_practices_call_matches_the_wilson_limits_worked_from_its_own_counts(context):
    smi = next(f for f in context["funnels"] if f.key == "qof-smi-practices")
    rows = QofRegister.objects.filter(year=2019, condition="smi")
    register, size = (
        sum(rows.values_list(field, flat=True)) for field in ("register", "list_size")
    )
    centre = register / size
    assert smi.chart.target == pytest.approx(centre)
    for unit in smi.chart.units:
        lower = centre - 3.090232 * math.sqrt(centre * (1 - centre) / unit.denominator)
        assert (unit.flag == b.LOW_998) == (unit.value < lower - 1e-9), unit.name
    low = sorted(unit.name for unit in smi.chart.units if unit.flag == b.LOW_998)
    assert low == ["CHADDESLEY SURGERY", "NEW BARN CLOSE SURGERY"]
    assert len(smi.chart.units) == 63


def test_one_qof_year_is_said_in_words_and_two_population_years_are_drawn(context):
    assert context["qof_trends"] == []
    assert context["qof_trends_words"] == (
        "Only one QOF year is loaded (2019-20), so there is no trend to draw."
    )
    dementia = next(t for t in context["population_trends"] if "Dementia" in t.chart.title)
    assert dementia.chart.periods == ("mid-2019", "mid-2020")
    assert dementia.words.startswith("Whole area rose from 8,700 in mid-2019 to 8,850 in mid-2020")
    # mid-2020 is the need estimate the registers are set against (8,835 for the whole area)
    compared = pages.registers_context(default_locality_scheme(), None)["registers"]
    whole = next(
        row for row in compared.rows if row.pairing.register == "dementia" and not row.unit_code
    )
    assert dementia.chart.local.points[-1].value == pytest.approx(whole.result.expected)
    assert round(whole.result.expected) == 8835


def test_one_population_year_is_said_in_words(worcestershire, db):
    PopulationEstimate.objects.filter(year=2019).delete()
    shown = charts.population_trends(default_locality_scheme())
    assert shown["population_trends"] == []
    assert shown["population_trends_words"] == (
        "Only one population year is loaded (mid-2020), so there is no trend to draw."
    )


def test_the_page_shows_the_funnels_with_a_table_of_their_figures(client, worcestershire, analyst):
    html = page(client, analyst, reverse("recorded:outcomes"))
    assert html.count('class="funnel-chart"') == 5  # dementia by locality; four registers
    text = text_of(html)
    assert "5 of 6 localities lie below the lower 99.8% limit" in text
    assert "Worcester 782 1,128 69% Within the 95% limits" in text  # the text alternative
    assert "Only one QOF year is loaded (2019-20), so there is no trend to draw." in text
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert not re.search(r"\sstyle=", main) and "<script" not in main


def test_a_hostile_practice_name_is_escaped_on_the_page(client, worcestershire, analyst):
    code = QofRegister.objects.filter(condition="smi").values_list("practice_code", flat=True)[0]
    Practice.objects.filter(code=code).update(name=HOSTILE)
    html = page(client, analyst, reverse("recorded:outcomes"))
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Surgery" in html


def test_the_chapter_carries_the_funnels_and_trends_as_figures(worcestershire, db):
    # All the section reads of a run: its scheme, its year, what it recorded (nothing here).
    run = SimpleNamespace(locality_scheme=default_locality_scheme(), year=2020, inputs={}, pk=0)
    section = compare_section(run)
    captions = [figure.caption for figure in section.figures]
    assert captions[:2] == [
        "Dementia diagnosis rate by locality, QOF 2019-20",
        "Dementia register prevalence by GP practice, QOF 2019-20",
    ]
    assert len(section.figures) == 5 + 3  # five funnels, three conditions by population year
    dementia = section.figures[0]
    assert dementia.png.startswith(b"\x89PNG")
    assert "Worcester: 69% (782 of 1,128), within the 95% limits" in dementia.alt_text
    assert "GP registers over time: Only one QOF year is loaded (2019-20)" in " ".join(
        section.paragraphs
    )
    chapter = Chapter(
        title="Mental health", area="Worcestershire", year=2020, run_id=1, author="PHI",
        date="1 December 2026", synthetic_label="", introduction="", sections=[section],
    )  # fmt: skip
    document = docx.Document(io.BytesIO(chapter_docx(chapter)))
    descriptions = [shape._inline.docPr.get("descr") for shape in document.inline_shapes]
    assert descriptions[0] == dementia.alt_text
    html = chapter_html(chapter)
    assert html.count("<img") == 8
    assert "Worcester: 69% (782 of 1,128), within the 95% limits" in html
    assert chapter_pdf(chapter).startswith(b"%PDF")  # the same HTML, its figures tagged


def test_a_practice_funnel_is_centred_on_england_when_englands_value_is_loaded(worcestershire, db):
    # England's depression prevalence (18+) in 2019/20 as Fingertips publishes it: 11.6%
    IndicatorValue.objects.create(
        source="Local authority indicators", indicator="Depression: QOF prevalence (18+ yrs)",
        area_code=ENGLAND_CODE, period="2019/20", year=2019, value=11.6, england_source="file",
    )  # fmt: skip
    depression = next(
        f for f in charts.practice_funnels(2019) if f.key == "qof-depression-practices"
    )
    assert depression.chart.target == pytest.approx(0.116)
    assert depression.words.startswith("Against England's value of 11.6%: ")
    assert "the area's overall value is 13.9%" in depression.note
    for unit in depression.chart.units:
        upper = 0.116 + 3.090232 * math.sqrt(0.116 * 0.884 / unit.denominator)
        assert (unit.flag == b.HIGH_998) == (unit.value > upper + 1e-9), unit.name
    smi = next(f for f in charts.practice_funnels(2019) if f.key == "qof-smi-practices")
    assert "England's value for this register is not loaded" in smi.note  # no England SMI row
