"""Funnel plots and trend charts as PNG figures for the chapter: print-sized pictures on white,
alt text that carries the chart's words and figures, and names from uploads that reach Word and
HTML as text, never as markup."""

import io
import re

import docx
from PIL import Image

from gapanalysis import report_charts
from gapanalysis.chapter import Chapter, Section
from gapanalysis.report_docx import chapter_docx
from gapanalysis.report_html import chapter_html
from needs import funnels, trends

HOSTILE = "<script>alert(1)</script> Surgery"


def practice_funnel(first_name: str = "Bridge Surgery") -> funnels.FunnelChart:
    # the area's value 1,000 ÷ 100,000 = 1.0%; at 4,000 patients the 99.8% limits are
    # 0.01 ± 3.090232·sqrt(0.01·0.99/4,000) = 0.0085 to 0.0115: 20 ÷ 4,000 = 0.5% is below them
    return funnels.funnel_chart(
        title="Dementia register prevalence by GP practice, QOF 2019-20",
        names=[first_name, "Hill Practice", "Vale Practice"],
        numerators=[20, 480, 500],
        denominators=[4000, 48000, 48000],
        target=0.01,
        target_name="the area's overall value of 1.0%",
        unit_plural="practices",
        x_label="Patients on the practice's list",
        y_label="On the register ÷ list size",
        step=funnels.SHARE_1DP_STEP,
    )


def test_a_funnel_is_a_print_sized_png_on_white():
    figure = report_charts.funnel_png(
        practice_funnel(), fmt=funnels.share_1dp, source="NHS Digital, QOF 2019-20", dpi=100
    )
    image = Image.open(io.BytesIO(figure.png))
    assert image.format == "PNG"
    assert image.size == (630, 460)  # 6.3 × 4.6 inches: 16 cm wide, as the maps
    assert image.convert("RGB").getpixel((2, 2)) == (255, 255, 255)
    assert figure.caption == "Dementia register prevalence by GP practice, QOF 2019-20"


def test_a_funnels_alt_text_carries_its_words_and_every_practices_figure():
    alt = report_charts.funnel_png(
        practice_funnel(), fmt=funnels.share_1dp, source="QOF", dpi=50
    ).alt_text
    assert alt.startswith("Funnel plot: Dementia register prevalence by GP practice")
    assert "1 of 3 practices lies below the lower 99.8% limit: Bridge Surgery" in alt
    assert "Bridge Surgery: 0.5% (20 of 4,000), below the lower 99.8% limit" in alt
    assert "Hill Practice: 1.0% (480 of 48,000), within the 95% limits" in alt
    assert "Across: Patients on the practice's list; up: On the register ÷ list size" in alt


def test_a_trend_png_and_its_alt_text():
    points = (trends.Point("2019-20", 0.0071), trends.Point("2020-21", 0.0068))
    chart = trends.chart_data(
        local=trends.Series("Whole area", points), england=None, title="Dementia register",
        fmt=funnels.share_1dp, step=funnels.SHARE_1DP_STEP,
    )  # fmt: skip
    figure = report_charts.trend_png(chart, fmt=funnels.share_1dp, source="QOF", dpi=50)
    assert Image.open(io.BytesIO(figure.png)).format == "PNG"
    assert figure.alt_text == (
        "Line chart: Dementia register. Whole area was 0.7% in both 2019-20 and 2020-21, as "
        "rounded (no intervals are loaded, so chance is not ruled out). Whole area by period: "
        "2019-20: 0.7%; 2020-21: 0.7%."
    )


def test_the_same_colours_as_the_page_are_drawn():
    figure = report_charts.funnel_png(practice_funnel(), fmt=funnels.share_1dp, source="s", dpi=80)
    colours = {rgb for _, rgb in Image.open(io.BytesIO(figure.png)).convert("RGB").getcolors(10**6)}
    for hex_colour in (funnels.WITHIN_COLOUR, funnels.OUTSIDE_COLOUR):
        rgb = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
        assert rgb in colours


def chapter_with(figure_chart: funnels.FunnelChart) -> Chapter:
    figure = report_charts.funnel_png(figure_chart, fmt=funnels.share_1dp, source="QOF", dpi=50)
    return Chapter(
        title="Mental health", area="Exampleshire", year=2026, run_id=1, author="PHI",
        date="1 December 2026", synthetic_label="", introduction="",
        sections=[Section(key="compare", title="How we compare", figures=[figure])],
    )  # fmt: skip


def test_a_hostile_practice_name_reaches_word_and_html_as_text():
    chapter = chapter_with(practice_funnel(first_name=HOSTILE))
    html = chapter_html(chapter)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Surgery: 0.5% (20 of 4,000)" in html
    document = docx.Document(io.BytesIO(chapter_docx(chapter)))
    (shape,) = document.inline_shapes
    description = shape._inline.docPr.get("descr")
    assert f"{HOSTILE}: 0.5% (20 of 4,000), below the lower 99.8% limit" in description
    assert re.search(r"<script>", document.element.body.xml) is None  # escaped in the XML
