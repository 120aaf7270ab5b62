"""Statement wording, rounding and suppression on hand-made rows."""

import numpy as np
import pandas as pd
import pytest

from gapanalysis.statements import NormWords, rounded, statement, unmet_need_statements

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
        "In Redditch an estimated 9,800 adults (95% interval 9,300 to 10,400) have a common "
        "mental disorder. NHS Talking Therapies capacity of 1,400 courses of treatment a year "
        "reaches 14% of them against an ambition of 25%: about 1,050 more a year would need to "
        "be seen. (Sources: APMS 2014.)"
    )


@pytest.mark.parametrize(
    ("value", "text"), [(7.0, "10"), (994.0, "990"), (1_053.0, "1,050"), (12_345.0, "12,300")]
)
def test_numbers_are_rounded_to_what_an_estimate_can_bear(value, text):
    assert rounded(value) == text


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
    assert "no interval was published with the rates used" in text


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
