"""Each rule of the method pinned by a hand-worked case, so that changing the rule fails a test.

A mutation probe of the core (one-line changes, each run against the whole suite) left these
alive; every expected value here is worked out by hand in the comments, not by the code tested.
"""

import numpy as np
import pandas as pd
import pytest

from gapanalysis.compute import classify, compare_with_peers, provision_by_unit
from needs.prevalence.estimation import aggregate_to_localities, expected_cases, with_rate_per_1000


def _row(capacity: float, cases: float, lower: float, upper: float, share: float) -> pd.DataFrame:
    return pd.DataFrame(
        {"expected_cases": [cases], "expected_lower": [lower], "expected_upper": [upper],
         "capacity": [capacity], "norm_share": [share]}
    )  # fmt: skip


@pytest.mark.parametrize(
    ("capacity", "expected"),
    [
        # Need 100 (80 to 120), share 0.5. A surplus must hold at the UPPER bound: capacity ÷
        # (0.5 × 120 = 60) over 1.1, i.e. over 66. 62 ÷ 60 = 1.03: in line, although 62 ÷ 40
        # (the lower bound) would be 1.55.
        (62.0, "in_line"),
        (66.5, "above"),  # 66.5 ÷ 60 = 1.108
        # A shortfall must hold at the LOWER bound: capacity ÷ (0.5 × 80 = 40) under 0.9 → < 36;
        # under 0.5 → < 20. 38 ÷ 40 = 0.95: in line, although 38 ÷ 50 (the point) is 0.76.
        (38.0, "in_line"),
        (35.0, "below"),  # 35 ÷ 40 = 0.875
        (19.0, "well_below"),  # 19 ÷ 40 = 0.475
    ],
)
def test_a_class_is_called_at_the_bound_of_need_that_is_kindest_to_the_call(capacity, expected):
    assert classify(_row(capacity, 100.0, 80.0, 120.0, 0.5))["classification"][0] == expected


def test_peer_limits_are_99_8_percent_not_95():
    # Two localities with need 1,000 each and capacity 78 + 122: the area's rate is 0.1, so each
    # expects 100. Byar's 95% limits around 100 are 81.4 to 121.6, the 99.8% limits 71.9 to
    # 134.9 (z = 3.0902: 100 × (1 − 1/900 − 3.0902/30)³ and 101 × (1 − 1/909 + 3.0902/30.15)³).
    # 78 lies outside the first and inside the second: within the range expected.
    rows = pd.DataFrame(
        {"norm_code": ["n", "n"], "expected_cases": [1_000.0, 1_000.0], "capacity": [78.0, 122.0]}
    )
    verdicts = compare_with_peers(rows)["peer_comparison"].tolist()
    assert verdicts == ["within the range expected from the area's own average"] * 2
    rows["capacity"] = [70.0, 130.0]  # 70 < 71.9: now clearly lower (130 is still inside)
    verdicts = compare_with_peers(rows)["peer_comparison"].tolist()
    assert verdicts[0] == "lower than the area's own average"
    assert verdicts[1] == "within the range expected from the area's own average"


def test_a_half_published_interval_is_no_interval():
    # Ages 16-24 carry bounds, 25+ do not: the condition's bounds are missing, never a partial sum.
    rates = pd.DataFrame(
        {"condition_code": ["x", "x"], "sex": ["P", "P"], "age_min": [16, 25],
         "age_max": [24, None], "rate": [0.1, 0.2], "lower": [0.08, np.nan],
         "upper": [0.12, np.nan]}
    )  # fmt: skip
    population = pd.DataFrame(
        {"area_code": ["A"] * 2, "sex": ["F", "M"], "age": [20, 30], "count": [100.0, 100.0]}
    )
    result = expected_cases(population, rates, max_age=90)
    assert result["expected_cases"].iloc[0] == pytest.approx(100 * 0.1 + 100 * 0.2)
    assert np.isnan(result["expected_lower"].iloc[0]) and np.isnan(result["expected_upper"].iloc[0])
    classed = classify(_row(5.0, 30.0, np.nan, np.nan, 0.5))
    assert classed["class_rule"][0].endswith("on the point estimate (no interval) (33%)")


def test_a_service_with_no_capacity_does_not_count_as_reaching_a_unit():
    attributed = pd.DataFrame(
        {"service_code": ["s1", "s2"], "area_code": ["a", "a"], "capacity": [0.0, 5.0],
         "spend": [100.0, 50.0]}
    )  # fmt: skip
    norms = pd.DataFrame({"service_code": ["s1", "s2"], "norm_code": ["n", "n"]})
    units = pd.DataFrame({"area_code": ["a"], "unit_code": ["U"]})
    result = provision_by_unit(attributed, norms, units)
    assert result["services_count"].tolist() == [1]
    assert result["spend"].tolist() == [150.0]  # its spend still counts


def test_a_locality_bound_is_missing_when_any_of_its_areas_lacks_one():
    estimates = pd.DataFrame(
        {"area_code": ["a", "b"], "condition_code": ["x", "x"], "population": [10.0, 10.0],
         "expected_cases": [2.0, 3.0], "expected_lower": [1.0, np.nan],
         "expected_upper": [3.0, 4.0]}
    )  # fmt: skip
    membership = pd.DataFrame(
        {"area_code": ["a", "b"], "locality_code": ["L", "L"], "locality_name": ["L", "L"]}
    )
    result = aggregate_to_localities(estimates, membership)
    assert result["expected_cases"].tolist() == [5.0]
    assert np.isnan(result["expected_lower"].iloc[0]) and result["expected_upper"].iloc[0] == 7.0


def test_per_1000_residents_divides_by_residents_not_by_people_at_risk():
    # 30 cases among 400 people at risk in an area of 1,200 residents: 75 per 1,000 at risk,
    # 25 per 1,000 residents.
    frame = pd.DataFrame({"expected_cases": [30.0], "population": [400.0], "residents": [1_200.0]})
    result = with_rate_per_1000(frame)
    assert result["rate_per_1000"][0] == pytest.approx(75.0)
    assert result["per_1000_residents"][0] == pytest.approx(25.0)


@pytest.mark.parametrize(
    ("capacity", "lower", "upper", "rule"),
    [
        # Need 100 (80 to 120), share 0.5: capacity ÷ 40 at the lower bound, ÷ 60 at the upper.
        (19.0, 80.0, 120.0, "under 50% of the ambition at the bound of the need interval (48%)"),
        (35.0, 80.0, 120.0, "under 90% of the ambition at the bound of the need interval (88%)"),
        (70.0, 80.0, 120.0, "over 110% of the ambition at the bound of the need interval (117%)"),
        # 100 (95 to 105): 50 ÷ 47.5 = 105% and 50 ÷ 52.5 = 95%, inside the band.
        (50.0, 95.0, 105.0,
         "between 90% and 110% of the ambition at the bound of the need interval"),
        # 100 (50 to 200): 0.5 × 50 = 25 → 200%, 0.5 × 200 = 100 → 50% with capacity 50: past both
        # edges of the band.
        (50.0, 50.0, 200.0, "too uncertain to class: from 50% to 200% of the ambition across the "
                            "need interval, past both edges of the in-line band"),
        (19.0, np.nan, np.nan,
         "under 50% of the ambition on the point estimate (no interval) (38%)"),
    ],
)  # fmt: skip
def test_each_class_says_the_rule_that_decided_it(capacity, lower, upper, rule):
    assert classify(_row(capacity, 100.0, lower, upper, 0.5))["class_rule"][0] == rule


def test_no_need_is_said_and_a_fraction_of_a_person_is_still_need():
    assert classify(_row(5.0, 0.0, 0.0, 0.0, 0.5))["class_rule"][0] == "no estimated need"
    # 0.5 expected people is need (only zero is none): 0 capacity is well below it.
    assert classify(_row(0.0, 0.5, 0.4, 0.6, 0.5))["classification"][0] == "well_below"


def test_without_bound_columns_or_with_one_bound_the_point_estimate_decides():
    rows = pd.DataFrame({"expected_cases": [100.0], "capacity": [35.0], "norm_share": [0.5]})
    assert classify(rows)["classification"][0] == "below"  # 35 ÷ 50 = 0.7
    half = classify(_row(35.0, 100.0, 20.0, np.nan, 0.5))
    # Only a lower bound (20 would make 35 ÷ 10 = 350%): not an interval, the point decides.
    assert half["classification"][0] == "below"
    assert "on the point estimate (no interval)" in half["class_rule"][0]


@pytest.mark.parametrize(
    ("capacity", "lower", "upper", "expected"),
    [
        # Share 0.5. At the upper bound 100: 45 ÷ 50 = 0.9 exactly, not under 0.9 (45 ÷ 37.5 = 1.2
        # at the lower bound): in line.
        (45.0, 75.0, 100.0, "in_line"),
        # 44 ÷ 50 = 0.88 at the upper bound, 44 ÷ 40 = 1.1 exactly at the lower: not over 1.1.
        (44.0, 80.0, 100.0, "in_line"),
        (44.0, 79.0, 100.0, "uncertain"),  # 44 ÷ 39.5 = 1.114 and 0.88: past both edges
    ],
)
def test_too_uncertain_needs_the_interval_strictly_past_both_edges(
    capacity, lower, upper, expected
):
    result = classify(_row(capacity, (lower + upper) / 2, lower, upper, 0.5))["classification"][0]
    assert result == expected
