"""Expected against recorded: registers as a share of the expected number, worked by hand.

Wilson by hand for 1,150 on registers of 1,800 expected (z = 1.959964, z² = 3.841459):
centre 2x + z² = 2,303.8415; sqrt(z² + 4x(1 − x/n)) = sqrt(3.8415 + 1,661.1111) = 40.8038,
× z = 79.9740; scale 2(n + z²) = 3,607.6829; limits (2,303.8415 ∓ 79.9740) ÷ 3,607.6829 =
0.616425 and 0.660761. The estimate's bounds 1,500 and 2,100 give 1,150 ÷ 2,100 = 0.547619 and
1,150 ÷ 1,500 = 0.766667.
"""

import math

import pytest

from needs import recorded as r


def wyre_forest(**overrides) -> r.RecordedAgainstExpected:
    arguments = {
        "recorded": 1150,
        "expected": 1800,
        "expected_lower": 1500,
        "expected_upper": 2100,
        "ambition": r.DEMENTIA_AMBITION,
    } | overrides
    return r.recorded_against_expected(**arguments)


def test_the_dementia_diagnosis_rate_with_its_wilson_interval_and_the_estimates_range():
    result = wyre_forest()
    assert result.rate == pytest.approx(1150 / 1800)
    assert result.lower == pytest.approx(0.616425, abs=1e-6)
    assert result.upper == pytest.approx(0.660761, abs=1e-6)
    assert result.method == r.WILSON
    assert result.rate_low == pytest.approx(0.547619, abs=1e-6)
    assert result.rate_high == pytest.approx(0.766667, abs=1e-6)
    assert (result.expected_lower, result.expected_upper) == (1500, 2100)
    # 0.6608 < 0.667: below the ambition on the register's interval; the estimate's range
    # (0.548 to 0.767) includes it.
    assert (result.verdict, result.verdict_across_estimate) == (r.BELOW, r.IN_LINE)
    assert result.has_range


def test_the_statement_says_both_uncertainties_in_plain_english():
    assert r.statement(wyre_forest(), r.DEMENTIA, place="Wyre Forest") == (
        "In Wyre Forest an estimated 1,800 people aged 65 and over have dementia (between about "
        "1,500 and 2,100); 1,150 are on GP dementia registers (64%, 95% CI 62% to 66%), against "
        "the national ambition of two in three (67%): below it, allowing for chance. The "
        "estimate is itself uncertain: at its bounds the same register would be 55% to 77% of "
        "the people expected, a range that includes the ambition."
    )


def test_a_rate_above_the_ambition_on_both_readings():
    # 1,700 of 2,000 (1,900 to 2,100): Wilson lower ≈ 0.834 > 0.667; range 0.810 to 0.895.
    result = wyre_forest(recorded=1700, expected=2000, expected_lower=1900, expected_upper=2100)
    assert (result.verdict, result.verdict_across_estimate) == (r.ABOVE, r.ABOVE)
    assert r.statement(result, r.DEMENTIA).endswith(
        "(67%): above it, allowing for chance. The estimate is itself uncertain: at its bounds "
        "the same register would be 81% to 89% of the people expected."
    )


def test_a_rate_in_line_with_the_ambition():
    # 130 of 200: Wilson 0.582 to 0.713 includes 0.667.
    result = wyre_forest(recorded=130, expected=200, expected_lower=None, expected_upper=None)
    assert result.verdict == r.IN_LINE and result.verdict_across_estimate is None
    assert not result.has_range
    assert r.statement(result, r.DEMENTIA) == (
        "An estimated 200 people aged 65 and over have dementia; 130 are on GP dementia "
        "registers (65%, 95% CI 58% to 71%), against the national ambition of two in three "
        "(67%): in line with it, allowing for chance."
    )


def test_a_narrow_estimate_can_put_the_range_wholly_below_the_ambition():
    # 600 of 1,000 (990 to 1,010): Wilson upper 0.630 < 0.667 (below); range 0.594 to 0.606.
    result = wyre_forest(recorded=600, expected=1000, expected_lower=990, expected_upper=1010)
    assert (result.verdict, result.verdict_across_estimate) == (r.BELOW, r.BELOW)
    assert r.statement(result, r.DEMENTIA).endswith("59% to 61% of the people expected.")
    # The same register where the range, not the interval, settles it:
    in_line_interval = wyre_forest(
        recorded=60, expected=100, expected_lower=99, expected_upper=100.5
    )  # Wilson 0.502 to 0.691 includes 0.667; the range 0.597 to 0.606 does not.
    assert in_line_interval.verdict == r.IN_LINE
    assert in_line_interval.verdict_across_estimate == r.BELOW
    assert r.statement(in_line_interval, r.DEMENTIA).endswith(
        "60% to 61% of the people expected, a range wholly below the ambition."
    )


def test_more_recorded_than_expected_uses_the_registers_poisson_interval():
    # 4,100 on SMI registers of 3,900 expected psychosis: Byar's 95% limits of 4,100 are
    # 4,100 × (1 − 1/36,900 − 1.959964/(3 × 64.0312))³ = 3,975.45 and (by the upper formula)
    # 4,227.46; ÷ 3,900 = 1.01935 and 1.08396.
    result = r.recorded_against_expected(
        recorded=4100, expected=3900, expected_lower=3100, expected_upper=4800
    )
    assert result.method == r.POISSON
    assert result.lower == pytest.approx(1.01935, abs=1e-5)
    assert result.upper == pytest.approx(1.08396, abs=1e-5)
    assert result.verdict is None
    assert r.statement(result, r.PSYCHOSIS) == (
        "An estimated 3,900 adults have a psychotic disorder (between about 3,100 and 4,800); "
        "4,100 are on GP registers of serious mental illness (105%, 95% CI 102% to 108%), more "
        "than the estimate expects. The estimate is itself uncertain: at its bounds the same "
        "register would be 85% to 132% of the people expected."
    )


def test_a_register_equal_to_the_estimate_is_still_a_proportion():
    result = r.recorded_against_expected(recorded=50, expected=50)
    assert result.method == r.WILSON and result.upper == 1.0


def test_an_estimate_whose_lower_bound_is_zero_gives_an_open_range():
    result = r.recorded_against_expected(
        recorded=3, expected=5, expected_lower=0, expected_upper=12
    )
    assert math.isinf(result.rate_high) and result.has_range
    assert r.statement(result, r.LEARNING_DISABILITY).endswith(
        "the same register would be at least 25% of the people expected."
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"recorded": -1, "expected": 10}, "at least 0 \\(-1\\)"),
        ({"recorded": 5, "expected": 0}, "above 0 \\(0\\)"),
        ({"recorded": 5, "expected": 10, "expected_lower": 11}, "must lie within its interval"),
        ({"recorded": 5, "expected": 10, "expected_upper": 9}, "must lie within its interval"),
    ],
)
def test_impossible_figures_are_refused_with_a_clear_message(arguments, message):
    with pytest.raises(ValueError, match=message):
        r.recorded_against_expected(**arguments)


def test_the_dementia_ambition_is_two_in_three_as_published():
    assert r.DEMENTIA_AMBITION == 0.667
    assert r.DEMENTIA.ambition == "the national ambition of two in three"


def test_an_ambition_without_words_is_called_the_ambition():
    words = r.RegisterWords(
        condition="have depression", people="adults", register="are on GP depression registers"
    )
    result = r.recorded_against_expected(recorded=130, expected=200, ambition=0.5)
    assert r.statement(result, words).endswith(
        "(65%, 95% CI 58% to 71%), against the ambition (50%): above it, allowing for chance."
    )


def test_edge_figures_that_are_allowed():
    # No one recorded; an estimate with no spread; fewer than one person expected.
    nobody = r.recorded_against_expected(recorded=0, expected=40)
    assert (nobody.rate, nobody.lower) == (0.0, 0.0)
    exact = r.recorded_against_expected(
        recorded=20, expected=40, expected_lower=40, expected_upper=40
    )
    assert exact.rate_low == exact.rate_high == 0.5
    tiny = r.recorded_against_expected(recorded=0, expected=0.5)
    assert tiny.rate == 0.0
    fraction = r.recorded_against_expected(recorded=0.5, expected=2)
    assert fraction.rate == 0.25
