"""Statement wording, rounding and suppression on hand-made rows."""

import numpy as np
import pandas as pd
import pytest

from gapanalysis.statements import (
    NormWords,
    headlines,
    references,
    statement,
    summary,
    unmet_need_statements,
)
from needs import rounding

WORDS = NormWords(
    condition_name="Common mental disorder",
    people_label="adults",
    capacity_label="NHS Talking Therapies capacity",
    unit_label="courses of treatment a year",
    action="would need to be seen",
    share=0.25,
    sources="APMS 2014",
)


def row(**values: object) -> pd.Series:
    base = {
        "unit_name": "Redditch", "norm_code": "tt", "expected_cases": 9_812.0,
        "expected_lower": 9_310.0, "expected_upper": 10_390.0, "capacity": 1_400.0,
        "coverage_ratio": 1_400 / 9_812, "gap_people": 1_053.0, "ambition_ratio": 0.57,
        "classification": "below",
    }  # fmt: skip
    return pd.Series(base | values)


def test_the_example_statement_reads_as_the_jsna_needs_it():
    assert statement(row(), WORDS, suppress_below=10) == (
        "In Redditch an estimated 9,800 adults (95% interval: between about 9,300 and 10,400) "
        "have a common mental disorder. NHS Talking Therapies capacity of 1,400 courses of "
        "treatment a year reaches 14% of them against an ambition of 25%: about 1,050 more a "
        "year would need to be seen. [1]"
    )


@pytest.mark.parametrize(
    ("value", "text"), [(7.0, "10"), (994.0, "990"), (1_053.0, "1,050"), (12_345.0, "12,300")]
)
def test_numbers_are_rounded_to_what_an_estimate_can_bear(value, text):
    assert rounding.people(value) == text


def test_small_numbers_are_suppressed():
    text = statement(row(gap_people=6.0, capacity=4.0), WORDS, suppress_below=10)
    assert "about fewer than 10 more a year" in text and "capacity of fewer than 10" in text


def test_no_provision_and_no_interval_are_said_plainly():
    text = statement(
        row(capacity=0.0, coverage_ratio=0.0, expected_lower=np.nan, expected_upper=np.nan),
        WORDS,
        suppress_below=10,
    )
    assert "reaches none of them" in text
    assert "no interval could be given for the rates used" in text


def test_only_unmet_need_is_stated_sharpest_first():
    table = pd.DataFrame(
        [
            row(unit_name="A", unit_code="A", ambition_ratio=0.8, gap_people=100.0),
            row(unit_name="B", unit_code="B", ambition_ratio=0.3, classification="well_below"),
            row(unit_name="C", unit_code="C", classification="in_line"),
        ]
    )
    result = unmet_need_statements(table, {"tt": WORDS}, suppress_below=10)
    assert list(result["unit_name"]) == ["B", "A"] and list(result["rank"]) == [1, 2]


TT = NormWords(
    condition_name="Common mental disorder", people_label="adults",
    capacity_label="NHS Talking Therapies capacity", unit_label="courses a year",
    action="would need to be seen", share=0.25, sources="APMS 2014; FYFV 2016",
    name="NHS Talking Therapies access",
)  # fmt: skip
DEMENTIA = NormWords(
    condition_name="Dementia", people_label="people aged 65 and over",
    capacity_label="Memory assessment capacity", unit_label="assessments a year",
    action="would need to be assessed", share=0.667, sources="CFAS II; FYFV 2016",
    name="Dementia diagnosis",
)  # fmt: skip
WORDS_BY_NORM = {"tt": TT, "dem": DEMENTIA}


def test_each_source_is_one_numbered_reference_cited_by_number():
    numbered = references(WORDS_BY_NORM)
    assert numbered == ["APMS 2014", "FYFV 2016", "CFAS II"]
    table = pd.DataFrame(
        [
            row(unit_code="A", unit_name="A", norm_code="tt"),
            row(unit_code="A", unit_name="A", norm_code="dem"),
        ]
    )
    texts = unmet_need_statements(table, WORDS_BY_NORM, suppress_below=10)["text"].tolist()
    assert texts[0].endswith("[1, 2]") and texts[1].endswith("[2, 3]")
    assert not any("APMS" in text or "Sources" in text for text in texts)


def test_statements_are_grouped_by_ambition_and_ties_share_a_rank():
    table = pd.DataFrame(
        [
            row(unit_code="D", unit_name="D", norm_code="dem", ambition_ratio=0.2),
            row(unit_code="B", unit_name="B", norm_code="tt", ambition_ratio=0.4, gap_people=500),
            row(unit_code="A", unit_name="A", norm_code="tt", ambition_ratio=0.4, gap_people=502),
            row(unit_code="C", unit_name="C", norm_code="tt", ambition_ratio=0.3, gap_people=90),
        ]
    )
    result = unmet_need_statements(table, WORDS_BY_NORM, suppress_below=10)
    # tt first (the order of the ambitions), sharpest first; A and B show the same 40% and the
    # same gap of 500 once rounded, so neither is ranked above the other.
    assert list(zip(result["norm_code"], result["unit_name"], result["rank"], strict=True)) == [
        ("tt", "C", 1), ("tt", "A", 2), ("tt", "B", 2), ("dem", "D", 1),
    ]  # fmt: skip


def test_each_ambition_has_a_one_line_headline():
    table = pd.DataFrame(
        [
            row(unit_code="A", unit_name="Alpha", norm_code="tt", gap_people=300.0),
            row(unit_code="B", unit_name="Beta", norm_code="tt", gap_people=1_260.0),
            row(unit_code="C", unit_name="Gamma", norm_code="tt", classification="in_line"),
            row(unit_code="A", unit_name="Alpha", norm_code="dem", classification="above"),
        ]
    )
    lines = headlines(table, WORDS_BY_NORM, suppress_below=10)
    assert lines["tt"] == (
        "NHS Talking Therapies access: provision is below the ambition in 2 of 3 localities; "
        "the largest gap is about 1,250 adults a year, in Beta."
    )
    assert lines["dem"] == "Dementia diagnosis: no locality is below the ambition."


def test_the_summary_leads_with_the_whole_area_then_the_largest_and_sharpest_gaps():
    localities = pd.DataFrame(
        [
            row(unit_code="A", unit_name="Big", gap_people=2_000.0, ambition_ratio=0.7),
            row(unit_code="B", unit_name="Sharp", gap_people=40.0, ambition_ratio=0.1),
            row(unit_code="C", unit_name="Fine", classification="in_line"),
        ]
    )
    whole = pd.DataFrame(
        [row(unit_name="Shire", expected_cases=52_340.0, capacity=9_000.0,
             coverage_ratio=9_000 / 52_340, gap_people=4_085.0)]
    )  # fmt: skip
    lines = summary(localities, whole, {"tt": TT}, place="Shire", suppress_below=10)
    assert lines[0] == (
        "NHS Talking Therapies access: across Shire, an estimated 52,300 adults have a common "
        "mental disorder; provision reaches 17% of them against an ambition of 25%, about 4,100 "
        "a year short."
    )
    assert lines[1] == (
        "Largest gaps in people: Big, NHS Talking Therapies access: about 2,000 a year; "
        "Sharp, NHS Talking Therapies access: about 40 a year."
    )
    assert lines[2].startswith("Sharpest gaps in share of the ambition: Sharp, ")
    assert "10% of it; Big" in lines[2]


@pytest.mark.parametrize(
    ("name", "spoken"),
    [
        ("Common mental disorder", "a common mental disorder"),
        ("Depressive episode (CIS-R, past week)", "a depressive episode"),
        ("Any common mental disorder", "any common mental disorder"),
        ("Dementia (65 and over)", "dementia"),
        ("Early-onset dementia", "early-onset dementia"),
    ],
)
def test_conditions_are_spoken_with_an_article_only_where_english_wants_one(name, spoken):
    words = NormWords(
        condition_name=name, people_label="people", capacity_label="Capacity",
        unit_label="places", action="would need a place", share=0.5, sources="S",
    )  # fmt: skip
    assert f" have {spoken}. Capacity" in statement(row(), words, suppress_below=10)


def test_the_summary_says_plainly_when_nothing_is_short_or_nothing_reaches():
    whole = pd.DataFrame(
        [row(unit_name="Shire", expected_cases=5_000.0, capacity=0.0, coverage_ratio=0.0,
             gap_people=0.0)]
    )  # fmt: skip
    localities = pd.DataFrame([row(unit_code="A", unit_name="A", classification="in_line")])
    lines = summary(localities, whole, {"tt": TT}, place="Shire", suppress_below=10)
    assert lines == [
        "NHS Talking Therapies access: across Shire, an estimated 5,000 adults have a common "
        "mental disorder; provision reaches none of them against an ambition of 25%.",
        "No locality has provision below need for any ambition.",
    ]


def test_the_summary_names_at_most_three_gaps_of_each_kind():
    localities = pd.DataFrame(
        [row(unit_code=u, unit_name=u, gap_people=g, ambition_ratio=r)
         for u, g, r in (("A", 900.0, 0.8), ("B", 700.0, 0.1), ("C", 500.0, 0.2),
                         ("D", 300.0, 0.3))]
    )  # fmt: skip
    lines = summary(localities, localities.iloc[0:0], {"tt": TT}, place="X", suppress_below=10)
    assert (
        lines[0].count("; ") == 2
        and "D," not in lines[0]
        and lines[0].startswith("Largest gaps in people: A,")
    )
    assert (
        lines[1].count("; ") == 2
        and "A," not in lines[1]
        and lines[1].startswith("Sharpest gaps in share of the ambition: B,")
    )


def test_ranks_follow_the_shown_share_then_the_larger_gap():
    table = pd.DataFrame(
        [
            row(unit_code="A", unit_name="A", ambition_ratio=0.401, gap_people=500.0),
            row(unit_code="B", unit_name="B", ambition_ratio=0.404, gap_people=500.0),
            row(unit_code="C", unit_name="C", ambition_ratio=0.409, gap_people=500.0),
            row(unit_code="D", unit_name="D", ambition_ratio=0.409, gap_people=900.0),
        ]
    )
    result = unmet_need_statements(table, {"tt": WORDS}, suppress_below=10)
    # 40% for A and B (a tie); 41% for C and D, where D's larger gap comes first.
    assert list(zip(result["unit_name"], result["rank"], strict=True)) == [
        ("A", 1), ("B", 1), ("D", 3), ("C", 4),
    ]  # fmt: skip


def test_one_locality_is_spoken_of_in_the_singular_and_each_ambition_gets_its_line():
    # The first ambition has nothing short; the second still gets its own line after it.
    table = pd.DataFrame(
        [
            row(unit_code="A", unit_name="Alpha", norm_code="dem", classification="above"),
            row(unit_code="A", unit_name="Alpha", norm_code="tt", gap_people=300.0),
        ]
    )
    lines = headlines(table, {"dem": DEMENTIA, "tt": TT}, suppress_below=10)
    assert lines == {
        "dem": "Dementia diagnosis: no locality is below the ambition.",
        "tt": "NHS Talking Therapies access: provision is below the ambition in 1 of 1 "
        "locality; the largest gap is about 300 adults a year, in Alpha.",
    }


def test_a_statement_without_sources_ends_at_its_full_stop():
    bare = NormWords(**{**WORDS.__dict__, "sources": ""})
    text = statement(row(), bare, suppress_below=10)
    assert text.endswith("a year would need to be seen.")


def test_the_interval_is_said_in_words_suppressed_alike():
    missing = statement(row(expected_lower=np.nan), WORDS, suppress_below=10)
    assert "adults (no interval could be given for the rates used) have" in missing
    small = statement(
        row(expected_cases=8.0, expected_lower=4.0, expected_upper=12.0), WORDS, suppress_below=10
    )
    assert "adults (95% interval: up to about 10) have" in small


def test_a_capacity_of_one_reaches_some_of_them():
    text = statement(row(capacity=1.0, coverage_ratio=0.1), WORDS, suppress_below=0)
    assert "capacity of 0 courses of treatment a year reaches 10% of them" in text


def test_the_summary_counts_a_fraction_short_and_skips_an_ambition_with_no_whole_area_row():
    whole = pd.DataFrame([row(unit_name="Shire", norm_code="tt", capacity=1.0, gap_people=0.5)])
    localities = pd.DataFrame(
        [row(unit_code="A", unit_name="Alpha", norm_code="tt", ambition_ratio=0.5)]
    )
    lines = summary(
        localities, whole, {"dem": DEMENTIA, "tt": TT}, place="the shire", suppress_below=10
    )
    assert lines[0] == (
        "NHS Talking Therapies access: across the shire, an estimated 9,800 adults have a common "
        "mental disorder; provision reaches 14% of them against an ambition of 25%, about fewer "
        "than 10 a year short."
    )
    assert lines[-1] == (
        "Sharpest gaps in share of the ambition: Alpha, NHS Talking Therapies access: 50% of it."
    )


def test_a_short_name_is_the_capacity_label_before_its_colon():
    unnamed = NormWords(**{**TT.__dict__, "name": "", "capacity_label": "Talking: adults 18+"})
    localities = pd.DataFrame([row(unit_code="A", unit_name="Alpha", norm_code="tt")])
    lines = summary(localities, localities.head(0), {"tt": unnamed}, place="x", suppress_below=10)
    assert lines[0] == "Largest gaps in people: Alpha, Talking: about 1,050 a year."
