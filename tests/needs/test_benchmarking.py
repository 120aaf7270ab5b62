"""Benchmarking as Fingertips does it: against England, in a funnel, against a standard.

The funnel reference values are PHEindicatormethods' published test data (Public Health England,
now UKHSA; github.com/ukhsa-collaboration/PHEindicatormethods at commit
093fd288d8f8949dbcfbed70049dbbf385b6141d, tests/testthat/testdata_funnel_*.csv, used by
tests/testthat/testFunnels.R), kept in tests/needs/data/phe_funnels/ (see its README). The CSVs
are printed to 7-10 significant figures, and the ratio and rate funnels were computed there by
bisection to a tolerance of 1e-7 on a transformed scale, so those limits agree to 1e-4 relative
(the exact limits, e.g. 0.0010005003 for one event at 99.8%, are in test_intervals.py).
The other expected values are worked by hand in the comments.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from needs import benchmarking as b
from needs.prevalence import intervals

DATA = Path(__file__).parent / "data" / "phe_funnels"
PHE_SIGNIFICANCE = {
    "High (0.001)": b.HIGH_998,
    "High (0.025)": b.HIGH_95,
    "Low (0.001)": b.LOW_998,
    "Low (0.025)": b.LOW_95,
    "Not significant": b.NOT_SIGNIFICANT,
    "Not applicable for events less than 10 for dsrs": b.NOT_APPLICABLE,
}
LIMITS = ("lower_95", "upper_95", "lower_998", "upper_998")
EVERY_AREA = "^numerators and denominators must be given for every area, zeros too$"
AT_LEAST_ZERO = "^numerators must be at least zero and denominators above zero$"


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / f"{name}.csv")


def assert_limits(funnel: b.Funnel, expected: pd.DataFrame, columns: list[str], rel: float):
    for attribute, column in zip(LIMITS, columns, strict=True):
        np.testing.assert_allclose(
            getattr(funnel, attribute), expected[column], rtol=rel, err_msg=column
        )


# --- compare, judge, benchmark ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lower", "upper", "comparator", "expected"),
    [
        (10.0, 12.0, 9.99, b.HIGHER),
        (10.0, 12.0, 10.0, b.SIMILAR),  # on the lower end: within the interval
        (10.0, 12.0, 11.0, b.SIMILAR),
        (10.0, 12.0, 12.0, b.SIMILAR),  # on the upper end
        (10.0, 12.0, 12.01, b.LOWER),
        (None, 12.0, 11.0, b.NOT_COMPARED),
        (10.0, float("nan"), 11.0, b.NOT_COMPARED),
        (10.0, 12.0, None, b.NOT_COMPARED),
        (10.0, 12.0, "n/a", b.NOT_COMPARED),
    ],
)
def test_compare_places_the_comparator_against_the_interval(lower, upper, comparator, expected):
    assert b.compare(lower=lower, upper=upper, comparator=comparator) == expected


def test_a_point_interval_is_compared_too():
    assert b.compare(lower=5.0, upper=5.0, comparator=5.0) == b.SIMILAR
    assert b.compare(lower=5.0, upper=5.0, comparator=4.0) == b.HIGHER


def test_compare_refuses_an_interval_upside_down():
    with pytest.raises(ValueError, match=r"lower limit \(3.0\) is above its upper limit \(2.0\)"):
        b.compare(lower=3.0, upper=2.0, comparator=1.0)


@pytest.mark.parametrize(
    ("direction", "polarity", "expected"),
    [
        (b.HIGHER, b.HIGHER_IS_BETTER, b.BETTER),
        (b.LOWER, b.HIGHER_IS_BETTER, b.WORSE),
        (b.HIGHER, b.LOWER_IS_BETTER, b.WORSE),
        (b.LOWER, b.LOWER_IS_BETTER, b.BETTER),
        (b.HIGHER, b.NO_JUDGEMENT, b.HIGHER),
        (b.LOWER, b.NO_JUDGEMENT, b.LOWER),
        (b.SIMILAR, b.HIGHER_IS_BETTER, b.SIMILAR),
        (b.NOT_COMPARED, b.LOWER_IS_BETTER, b.NOT_COMPARED),
    ],
)
def test_polarity_turns_higher_and_lower_into_better_and_worse(direction, polarity, expected):
    assert b.judge(direction, polarity) == expected


def test_an_unknown_polarity_is_refused_by_name():
    with pytest.raises(
        ValueError,
        match=r"^polarity must be one of no judgement, higher is better, lower is better, "
        r"not 'up is good'$",
    ):
        b.judge(b.HIGHER, "up is good")


def test_a_recovery_rate_above_england_at_both_levels_is_better():
    # Local 52% (95%: 50.5 to 53.5; 99.8%: 49.6 to 54.4) against England's 48%.
    result = b.benchmark(
        lower_95=50.5, upper_95=53.5, lower_998=49.6, upper_998=54.4, comparator=48.0,
        polarity=b.HIGHER_IS_BETTER,
    )  # fmt: skip
    assert (result.at_95, result.at_998, result.outcome) == (b.BETTER, b.BETTER, b.BETTER)
    assert result.token == "cmp-better"
    assert result.words == (
        "better than England: the value for England is outside both the 95% and 99.8% intervals"
    )


def test_a_prevalence_above_england_at_95_only_is_higher_without_judgement():
    result = b.benchmark(
        lower_95=7.1, upper_95=8.0, lower_998=6.8, upper_998=8.3, comparator=7.0,
        polarity=b.NO_JUDGEMENT, comparator_name="the West Midlands",
    )  # fmt: skip
    assert (result.at_95, result.at_998) == (b.HIGHER, b.SIMILAR)
    assert result.token == "cmp-higher"
    assert result.words == (
        "higher than the West Midlands at 95% confidence, though not at 99.8% "
        "(the value for the West Midlands is within the 99.8% interval)"
    )


def test_a_suicide_rate_similar_to_england_and_one_not_compared():
    similar = b.benchmark(
        lower_95=8.0, upper_95=12.0, lower_998=7.0, upper_998=13.5, comparator=10.4,
        polarity=b.LOWER_IS_BETTER,
    )  # fmt: skip
    assert (similar.at_95, similar.at_998) == (b.SIMILAR, b.SIMILAR)
    assert similar.words == "similar to England: the value for England is within the 95% interval"
    missing = b.benchmark(
        lower_95=None, upper_95=None, lower_998=None, upper_998=None, comparator=10.4,
        polarity=b.LOWER_IS_BETTER,
    )  # fmt: skip
    assert missing.token == "cmp-not-compared"
    assert missing.words == "not compared with England: a figure or its interval is missing"


def test_a_lower_is_better_rate_below_england_is_better():
    result = b.benchmark(
        lower_95=5.0, upper_95=6.0, lower_998=4.5, upper_998=6.5, comparator=7.0,
        polarity=b.LOWER_IS_BETTER,
    )  # fmt: skip
    assert (result.at_95, result.at_998) == (b.BETTER, b.BETTER)


def test_a_99_8_interval_narrower_than_the_95_is_refused():
    with pytest.raises(ValueError, match=r"^the 99.8% interval must contain the 95% interval$"):
        b.benchmark(
            lower_95=5.0, upper_95=9.0, lower_998=7.5, upper_998=8.0, comparator=7.0,
            polarity=b.NO_JUDGEMENT,
        )  # fmt: skip


# --- funnel limits against PHEindicatormethods' test data ---------------------------------------


def test_proportion_funnel_matches_phe_for_all_areas():
    inputs, expected = read("prop_inputs"), read("prop_outputs")
    funnel = b.proportion_funnel(numerators=inputs.numerator, denominators=inputs.denominator)
    np.testing.assert_array_equal(funnel.points, expected.Population)
    assert_limits(funnel, expected, list(expected.columns[1:5]), rel=1e-6)
    assert funnel.baseline == pytest.approx(expected.Baseline[0], rel=1e-8)


def test_proportion_funnel_matches_phe_when_the_axis_does_not_start_at_zero():
    # Denominators under 31,000 span less than a doubling: the axis starts at a neat 95% of the
    # smallest (10,000), not at 0.
    inputs = read("prop_inputs").query("denominator < 31000")
    expected = read("prop_outputs_with_axis_variation")
    funnel = b.proportion_funnel(numerators=inputs.numerator, denominators=inputs.denominator)
    assert funnel.points[0] == 10_000
    np.testing.assert_array_equal(funnel.points, expected.Population)
    assert_limits(funnel, expected, list(expected.columns[1:5]), rel=1e-6)


@pytest.mark.parametrize(("ratio_type", "baseline"), [("isr", 100.0), ("count", 0.0)])
def test_ratio_funnel_matches_phe(ratio_type, baseline):
    inputs, expected = read("ratio_inputs"), read("ratio_outputs")
    funnel = b.ratio_funnel(observed=inputs.obs, expected=inputs.expected, ratio_type=ratio_type)
    np.testing.assert_array_equal(funnel.points, expected.Observed_events)
    columns = [f"{side}_{level}s_{ratio_type}" for level in (2, 3) for side in ("lower", "upper")]
    assert_limits(funnel, expected, columns, rel=1e-4)
    assert funnel.baseline == baseline


def test_rate_funnel_matches_phe_for_standardised_rates_over_three_years():
    inputs, expected = read("rate_input_funnels"), read("rate_outputs")
    funnel = b.rate_funnel(
        events=inputs.ev, rates=inputs.rate, multiplier=1e5, years_of_data=3, rate_type="dsr"
    )
    np.testing.assert_array_equal(funnel.points, expected.Events)
    columns = [f"{side}_{level}s_limit" for level in (2, 3) for side in ("lower", "upper")]
    assert_limits(funnel, expected, columns, rel=1e-4)
    assert funnel.baseline == pytest.approx(expected.baseline[0], rel=1e-8)


def test_proportion_limits_by_hand():
    # p̄ = 0.2, n = 100: sqrt(0.2 × 0.8 / 100) = 0.04; × 1.959964 = 0.0783986 either side.
    lower, upper = b.proportion_limits(average=0.2, population=100, confidence=0.95)
    assert (lower, upper) == (
        pytest.approx(0.1216014, abs=1e-7),
        pytest.approx(0.2783986, abs=1e-7),
    )
    # n = 1 at 99.8%: 0.2 ± 3.090232 × 0.4 runs past both ends, so 0 and 1 (× 100).
    lower, upper = b.proportion_limits(average=0.2, population=1, confidence=0.998, multiplier=100)
    assert (lower, upper) == (0.0, 100.0)


def test_funnel_points_rise_by_at_least_one_and_reach_the_neat_end():
    # 8 to 61,921 spans more than a doubling: from 1; the end is 1.05 × 61,921 = 65,017.05
    # rounded up on its two leading digits: 66,000.
    points = b.funnel_points(min_denominator=8, max_denominator=61_921, statistic=b.PROPORTION)
    assert points[0] == 1 and points[-1] == 66_000 and len(points) == 100
    assert np.all(np.diff(points) >= 1)
    assert list(points[:4]) == [1, 2, 3, 4]


def test_funnel_points_of_a_rate_are_events_at_the_average_rate():
    # Denominators 9,000 to 12,000 a year over 2 years (18,000 to 24,000): start at a neat 95% of
    # 9,000 (8,550 → 8,000) × 2 = 16,000 people, × 0.01 = 160 events; end at 1.05 × 12,000 =
    # 12,600 → 13,000 × 2 × 0.01 = 260 events.
    points = b.funnel_points(
        min_denominator=18_000, max_denominator=24_000, statistic=b.RATE, years_of_data=2,
        average=0.01,
    )  # fmt: skip
    assert (points[0], points[-1]) == (160, 260)


def test_funnel_points_refuse_an_unknown_statistic():
    with pytest.raises(ValueError, match="not 'mean'"):
        b.funnel_points(min_denominator=1, max_denominator=2, statistic="mean")


# --- significance against the funnel ------------------------------------------------------------


def test_proportion_significance_matches_phe_for_303_areas():
    inputs = read("prop_inputs")
    called = b.proportion_significance(numerators=inputs.numerator, denominators=inputs.denominator)
    assert called == [PHE_SIGNIFICANCE[label] for label in inputs.significance]


def test_ratio_significance_matches_phe_for_300_areas():
    inputs = read("ratio_inputs")
    called = b.ratio_significance(observed=inputs.obs, expected=inputs.expected)
    assert called == [PHE_SIGNIFICANCE[label] for label in inputs.significance]


@pytest.mark.parametrize(
    ("column", "rate_type", "rate", "multiplier", "without_zero"),
    [
        ("dsr_per_100000_with_0", "dsr", "rate_dsr", 1e5, False),
        ("dsr_per_100_without_0", "dsr", "rate_dsr", 100, True),
        ("crude_per_100000_with_0", "crude", "rate_crude_per_100000", 1e5, False),
        ("crude_per_100_without_0", "crude", "rate_crude_per_100", 100, True),
    ],
)
def test_rate_significance_matches_phe(column, rate_type, rate, multiplier, without_zero):
    inputs = read("rate_dsr_inputs")
    if without_zero:
        inputs = inputs[inputs["count"] != 0]
    called = b.rate_significance(
        events=inputs["count"], rates=inputs[rate], multiplier=multiplier, rate_type=rate_type,
        denominators=inputs["pop"],
    )  # fmt: skip
    assert called == [PHE_SIGNIFICANCE[label] for label in inputs[column]]


def test_significance_can_be_centred_on_england():
    # 30 of 100 against England's 20%: 0.2 + 1.96 × 0.04 = 0.278 < 0.30 < 0.2 + 3.09 × 0.04 =
    # 0.3236, so high at 95% only; against the areas' own pooled 25% (50 of 200) it is within.
    numerators, denominators = [30, 20], [100, 100]
    assert b.proportion_significance(numerators=numerators, denominators=denominators) == [
        b.NOT_SIGNIFICANT, b.NOT_SIGNIFICANT
    ]  # fmt: skip
    assert b.proportion_significance(
        numerators=numerators, denominators=denominators, average=0.2
    ) == [b.HIGH_95, b.NOT_SIGNIFICANT]
    # A rate of 30 per 1,000 (30 events in 1,000) against England's 20 per 1,000: Byar's 99.8%
    # lower limit of 30 is 17.3, 95% is 20.24 (> 20), so high at 95% only.
    assert b.rate_significance(
        events=[30], rates=[30], multiplier=1000, rate_type="crude", average=20
    ) == [b.HIGH_95]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: b.proportion_significance(numerators=[5], denominators=[4]),
            "^numerators must not be greater than their denominators$",
        ),
        (lambda: b.proportion_funnel(numerators=[1, np.nan], denominators=[2, 3]), EVERY_AREA),
        (lambda: b.proportion_funnel(numerators=[], denominators=[]), EVERY_AREA),
        (lambda: b.ratio_funnel(observed=[-1], expected=[2]), AT_LEAST_ZERO),
        (lambda: b.ratio_funnel(observed=[1], expected=[0]), AT_LEAST_ZERO),
        (
            lambda: b.funnel_points(min_denominator=1, max_denominator=9, statistic=b.RATE),
            "^a rate's funnel points need the average rate$",
        ),
        (lambda: b.ratio_funnel(observed=[1], expected=[2], ratio_type="smr"), "not 'smr'"),
        (
            lambda: b.derived_denominators(
                events=[0, 3], rates=[0, 1], multiplier=100, rate_type="crude"
            ),
            "^an area with no events needs its denominator for a crude rate$",
        ),
        (
            lambda: b.derived_denominators(
                events=[0, 3], rates=[0, 1], multiplier=100, rate_type="crude", denominators=[0, 5]
            ),
            "needs its denominator",
        ),
        (
            lambda: b.derived_denominators(events=[1], rates=[1], multiplier=1, rate_type="isr"),
            "not 'isr'",
        ),
    ],
)
def test_bad_funnel_inputs_are_refused_with_a_clear_message(call, message):
    # (EVERY_AREA and AT_LEAST_ZERO are the whole messages, anchored.)
    with pytest.raises(ValueError, match=message):
        call()


def test_derived_denominators_by_hand():
    # 50 events at 25 per 1,000 imply 2,000 people; a DSR with no events implies none; a crude
    # rate with no events keeps its own denominator.
    dsr = b.derived_denominators(events=[50, 0], rates=[25, 0], multiplier=1000, rate_type="dsr")
    assert dsr[0] == 2000 and np.isnan(dsr[1])
    crude = b.derived_denominators(
        events=[50, 0], rates=[25, 0], multiplier=1000, rate_type="crude", denominators=[9, 700]
    )
    assert list(crude) == [2000, 700]


# --- against a national standard ----------------------------------------------------------------


def test_recovery_comfortably_above_half_meets_the_standard():
    # 600 of 1,000: Wilson 95% 0.5693 to 0.6299, all above 0.5.
    result = b.against_standard(
        numerator=600, denominator=1000, standard=b.TALKING_THERAPIES_RECOVERY
    )
    assert result.verdict == b.MEETS and result.point_meets
    assert (result.lower, result.upper) == (pytest.approx(0.5693, abs=1e-4), pytest.approx(
        0.6299, abs=1e-4))  # fmt: skip
    assert result.words == (
        "60% of people finishing a course of treatment move to recovery (95% CI 57% to 63%): "
        "this meets the standard of 50%, allowing for chance."
    )


def test_waits_clearly_under_the_standard_do_not_meet_it():
    # 650 of 1,000 within 6 weeks: upper limit 0.6789 < 0.75.
    result = b.against_standard(
        numerator=650, denominator=1000, standard=b.TALKING_THERAPIES_6_WEEKS
    )
    assert result.verdict == b.DOES_NOT_MEET and not result.point_meets
    assert result.words.endswith("this does not meet the standard of 75%, allowing for chance.")


@pytest.mark.parametrize(
    ("numerator", "side"), [(96, "at or above"), (94, "below"), (95, "at or above")]
)
def test_a_small_service_near_the_standard_cannot_tell(numerator, side):
    # 94, 95 or 96 of 100 within 18 weeks: the interval (about ±4 points) includes 95%.
    result = b.against_standard(
        numerator=numerator, denominator=100, standard=b.TALKING_THERAPIES_18_WEEKS
    )
    assert result.verdict == b.CANNOT_TELL
    assert result.point_meets == (numerator >= 95)
    assert result.words.endswith(
        f"the figure is {side} the standard of 95%, but the interval includes it, so chance "
        "alone could explain the difference."
    )


def test_the_talking_therapies_standards_are_the_national_ones():
    assert [s.share for s in b.TALKING_THERAPIES_STANDARDS] == [0.50, 0.75, 0.95]


def test_a_whole_numerator_is_a_proportion_of_one():
    # 10 of 10 and 5 of 10: pooled 0.75; sqrt(0.75 × 0.25 / 10) = 0.1369 → 95% limits 0.482 to
    # 1.018, 99.8% 0.327 to 1.173: both areas are within.
    called = b.proportion_significance(numerators=[10, 5], denominators=[10, 10])
    assert called == [b.NOT_SIGNIFICANT, b.NOT_SIGNIFICANT]


def test_a_zero_denominator_range_gives_a_funnel_from_zero():
    # Only when max ≤ 2 × min does the axis not start at 0; 0 and 0 are such a case.
    assert b._neat_floor(0) == 0 and b._neat_ceiling(0) == 0
    assert b._neat_floor(31_824) == 30_000 and b._neat_ceiling(61_921) == 66_000
    assert b._neat_floor(7) == 6 and b._neat_ceiling(7) == 7.4  # 6.65 → 6; 7.35 → 7.4


def test_a_standard_can_be_judged_at_99_8_percent():
    # 540 of 1,000: Wilson 95% lower 0.509 (meets 50%); 99.8%: z = 3.090232,
    # (1,080 + 9.5495 − 3.090232 × sqrt(9.5495 + 4 × 540 × 0.46)) ÷ 2,019.099 = 0.49115:
    # cannot tell.
    at_95 = b.against_standard(
        numerator=540, denominator=1000, standard=b.TALKING_THERAPIES_RECOVERY
    )
    at_998 = b.against_standard(
        numerator=540, denominator=1000, standard=b.TALKING_THERAPIES_RECOVERY, confidence=0.998
    )
    assert (at_95.verdict, at_998.verdict) == (b.MEETS, b.CANNOT_TELL)
    assert at_998.lower == pytest.approx(0.49115, abs=1e-5)


def test_the_funnel_axis_starts_above_zero_only_within_a_doubling():
    # 10,000 to 20,000 is exactly a doubling: from a neat 95% of 10,000 (9,500 → 9,000).
    doubling = b.funnel_points(min_denominator=10_000, max_denominator=20_000, statistic=b.RATIO)
    assert doubling[0] == 9_000
    wider = b.funnel_points(min_denominator=10_000, max_denominator=25_000, statistic=b.RATIO)
    assert wider[0] == 1


def test_expected_numbers_below_one_are_allowed():
    # Half an expected event: a ratio funnel and significance still work (2 ÷ 0.5 = 4 times).
    assert b.ratio_significance(observed=[2], expected=[0.5]) == [b.NOT_SIGNIFICANT]
    assert b.ratio_significance(observed=[9], expected=[0.5]) == [b.HIGH_998]
    crude = b.derived_denominators(
        events=[0], rates=[0], multiplier=100, rate_type="crude", denominators=[0.5]
    )
    assert list(crude) == [0.5]


def test_a_standardised_rate_needs_ten_events_to_be_assessed():
    # 10 events in 1,000 and 9 in 1,000 against 50 per 1,000: both far below, but only the
    # first is assessed; a single event's implied denominator is kept (1 ÷ 5 × 1,000 = 200).
    called = b.rate_significance(
        events=[10, 9, 1], rates=[10, 9, 5], multiplier=1000, rate_type="dsr", average=50
    )
    assert called == [b.LOW_998, b.NOT_APPLICABLE, b.NOT_APPLICABLE]
    derived = b.derived_denominators(events=[1], rates=[5], multiplier=1000, rate_type="dsr")
    assert list(derived) == [200]


def test_a_crude_rate_funnel_counts_an_area_with_no_events_by_its_own_denominator():
    # 30 events at 15 per 1,000 (2,000 people) and none in 1,000: baseline 30 ÷ 3,000 = 10 per
    # 1,000. Without the zero area's denominator the baseline would be 15.
    funnel = b.rate_funnel(
        events=[30, 0], rates=[15, 0], multiplier=1000, years_of_data=1, rate_type="crude",
        denominators=[2000, 1000],
    )  # fmt: skip
    assert funnel.baseline == pytest.approx(10.0)
    # Axis: 1,000 to 2,000 people is a doubling: 950 → 900 people × 0.01 = 9 events; the end
    # 2,100 × 0.01 = 21 events. With so few events between, each of the 100 points is one more
    # than the last and they run on past the end to 108, as PHEindicatormethods draws them.
    assert list(funnel.points) == list(range(9, 109))


@pytest.mark.parametrize(
    ("limit", "confidence", "expected"),
    [
        # Expected set to a limit of 20 events makes that limit of observed ÷ expected exactly 1:
        # on the line is within it, as ``compare`` treats an interval's ends.
        (0, 0.998, b.HIGH_95),  # on the 99.8% lower limit: high at 95% only
        (0, 0.95, b.NOT_SIGNIFICANT),  # on the 95% lower limit
        (1, 0.998, b.LOW_95),  # on the 99.8% upper limit: low at 95% only
        (1, 0.95, b.NOT_SIGNIFICANT),  # on the 95% upper limit
    ],
)
def test_a_ratio_exactly_on_a_funnel_limit_is_within_it(limit, confidence, expected):
    expected_events = intervals.poisson(count=20, confidence=confidence)[limit]
    assert b.ratio_significance(observed=[20], expected=[float(expected_events)]) == [expected]


@pytest.mark.parametrize(
    ("limit", "confidence", "expected"),
    [
        (0, 0.998, b.HIGH_95),
        (0, 0.95, b.NOT_SIGNIFICANT),
        (1, 0.998, b.LOW_95),
        (1, 0.95, b.NOT_SIGNIFICANT),
    ],
)
def test_a_rate_exactly_on_a_funnel_limit_is_within_it(limit, confidence, expected):
    # 30 events at a crude rate of 30 per 1: a denominator of 1, so the limits are the count's.
    average = float(intervals.poisson(count=30, confidence=confidence)[limit])
    called = b.rate_significance(
        events=[30], rates=[30], multiplier=1, rate_type="crude", average=average
    )
    assert called == [expected]


def test_a_standardised_rate_with_no_events_implies_no_denominator():
    # DSR: events ÷ rate × multiplier; with no events there is nothing to imply (NaN, not 0).
    derived = b.derived_denominators(
        events=[0, 20], rates=[5.0, 40.0], multiplier=100_000, rate_type="dsr"
    )
    assert np.isnan(derived[0])
    assert derived[1] == pytest.approx(50_000.0)
    crude = b.derived_denominators(
        events=[0, 20], rates=[5.0, 40.0], multiplier=100_000, rate_type="crude",
        denominators=[7_000, 1],
    )  # fmt: skip
    assert crude.tolist() == pytest.approx([7_000.0, 50_000.0])
