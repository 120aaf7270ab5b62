"""Every need estimate against England's published all-ages value: the local prevalence and its
intervals worked by hand, the 95% and 99.8% levels, the words (never better or worse, never a
colour), and the real county's need page and chapter section."""

import re
from html import unescape
from types import SimpleNamespace

import pytest
from django.urls import reverse

from gapanalysis.chapter_compare import compare_section
from needs.need_pages import measures
from needs.prevalence_england import NO_ENGLAND, prevalence_against_england
from needs.selectors import default_locality_scheme
from tests.recorded.conftest import worcestershire  # noqa: F401 (the real county, loaded once)

# z(0.999) ÷ z(0.975) = 3.090232 ÷ 1.959964 (normal tables)
WIDENING = 3.090232 / 1.959964


def local(england: float | None, *, adjusted: bool = False):
    # 170 people of 1,000, interval 160 to 180: 17.0% (16.0% to 18.0%)
    return prevalence_against_england(
        expected=170, lower=160, upper=180, population=1000, england=england,
        adjusted_for_deprivation=adjusted,
    )  # fmt: skip


def test_the_local_prevalence_is_expected_cases_over_the_people_the_rates_apply_to():
    result = local(0.15)
    assert result.prevalence == pytest.approx(0.17)
    assert (result.lower_95, result.upper_95) == (pytest.approx(0.16), pytest.approx(0.18))
    assert result.figure == "17.0% (95% CI 16.0% to 18.0%)"


def test_an_interval_wholly_above_englands_value_is_higher_at_both_levels():
    # 99.8% lower limit: 0.17 − 0.01 × 1.5767 = 0.1542, still above 0.15
    result = local(0.15)
    assert (result.benchmark.at_95, result.benchmark.at_998) == ("higher", "higher")
    assert result.short == "higher than England"
    assert "outside both the 95% and 99.8% intervals" in result.words


def test_a_difference_at_95_percent_only_says_so():
    # 0.158 is below the 95% lower limit 0.160 but above the 99.8% one, 0.1542
    assert 0.17 - 0.01 * WIDENING < 0.158 < 0.16
    result = local(0.158)
    assert (result.benchmark.at_95, result.benchmark.at_998) == ("higher", "similar")
    assert result.words.startswith("Higher than England at 95% confidence, though not at 99.8%")


def test_an_interval_wholly_below_is_lower_and_one_holding_england_is_similar():
    assert local(0.19).short == "lower than England"
    assert local(0.175).short == "similar to England"
    assert local(0.18).short == "similar to England"  # the interval's end counts as within


def test_prevalence_is_never_judged_better_or_worse():
    for england in (0.10, 0.158, 0.175, 0.25):
        result = local(england)
        assert result.benchmark.at_95 in ("lower", "similar", "higher")
        assert not re.search(r"\b(better|worse)\b", result.words)


def test_the_words_say_the_figure_applies_englands_rates_by_age_and_sex():
    words = local(0.15).words
    assert "applies England's own survey rates by age and sex to the local population" in words
    assert "reflects the area's age and sex make-up, not illness observed here" in words
    assert "deprivation" not in words
    adjusted = local(0.15, adjusted=True).words
    assert "(and by deprivation, as adjusted here)" in adjusted
    assert "age and sex (and deprivation) make-up" in adjusted


def test_a_measure_without_an_england_figure_says_so():
    result = local(None)
    assert result.benchmark is None
    assert result.short == NO_ENGLAND == "no England figure is published for this measure"
    assert result.words == "Not compared: no England figure is published for this measure."


# --- the real county ---------------------------------------------------------------------------


@pytest.fixture
def county(worcestershire, commissioner):  # noqa: F811
    return commissioner


def test_each_measure_on_the_real_county_is_compared_with_its_published_england_value(county):
    rows = {m["condition"].code: m for m in measures(year=None, scheme=default_locality_scheme())}
    cmd = rows["cmd"]
    # England: APMS 2014 any CMD, persons 16+, 17.0%; the local figure from the same row.
    assert cmd["england"].england == pytest.approx(0.17)
    assert cmd["england"].prevalence == pytest.approx(cmd["expected_cases"] / cmd["population"])
    assert cmd["england"].lower_95 == pytest.approx(cmd["expected_lower"] / cmd["population"])
    for code, england in (("ptsd_screen", 0.044), ("psychosis", 0.006845)):
        assert rows[code]["england"].england == pytest.approx(england, abs=5e-4)
    without = [m for m in rows.values() if m["reference"] is None]
    assert without and all(m["england"].short == NO_ENGLAND for m in without)


def test_the_need_page_says_it_in_words_without_a_colour(client, county):
    client.force_login(county)
    html = client.get(reverse("needs:need")).content.decode()
    cells = re.findall(r'<td[^>]*data-england="([^"]*)"[^>]*>(.*?)</td>', html, re.S)
    assert cells
    for direction, cell in cells:
        assert direction in ("lower", "similar", "higher", "no England figure")
        assert "cmp" not in cell  # no colour token: words only
        said = " ".join(re.findall(r"<p>(.*?)</p>", cell, re.S))  # (names may say "worse")
        assert direction == "no England figure" or "England" in said
        assert not re.search(r"\b(better|worse)\b", said)
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    assert "applies England's own rates by age and sex" in text
    assert "no England figure is published for this measure" in text


def test_the_chapter_section_compares_every_measure_with_england(county):
    run = SimpleNamespace(locality_scheme=default_locality_scheme(), year=2020, pk=1, inputs={})
    section = compare_section(run)
    table = next(t for t in section.tables if t.caption.startswith("Estimated prevalence"))
    cmd = next(row for row in table.rows if row[0] == "Common mental disorder (any)")
    assert cmd[2] == "17.0%"
    assert cmd[3] in ("lower than England", "similar to England", "higher than England")
    assert any("applies England's own survey rates by age and sex" in p for p in section.paragraphs)
