"""Need set against provision: expected provision, coverage, ambition ratio, gap and class."""

import numpy as np
import pandas as pd
import pytest

from gapanalysis.compute import classify, need_against_provision, provision_by_unit

NORMS = pd.DataFrame({"norm_code": ["tt"], "norm_share": [0.25]})


def need(*rows: tuple) -> pd.DataFrame:
    frame = pd.DataFrame(
        rows, columns=["unit_code", "expected_cases", "expected_lower", "expected_upper"]
    )
    return frame.assign(norm_code="tt", condition_code="cmd")


def provision(*rows: tuple) -> pd.DataFrame:
    columns = ["unit_code", "norm_code", "capacity", "spend", "services_count"]
    return pd.DataFrame(rows, columns=columns)


def test_coverage_and_gap_follow_the_norm_share():
    table = need_against_provision(
        need(("L1", 9800.0, np.nan, np.nan), ("L2", 1000.0, np.nan, np.nan)),
        NORMS,
        provision(("L1", "tt", 1400.0, 1.0, 1)),
    ).set_index("unit_code")
    # 25% of 9,800 = 2,450 expected; 1,400 seen reaches 14.3%; 1,050 more a year needed.
    assert table.loc["L1", "expected_provision"] == pytest.approx(2450.0)
    assert table.loc["L1", "coverage_ratio"] == pytest.approx(1400 / 9800)
    assert table.loc["L1", "ambition_ratio"] == pytest.approx(1400 / 2450)
    assert table.loc["L1", "gap_people"] == pytest.approx(1050.0)
    # No service at all: zero capacity, the whole expected provision is the gap.
    assert table.loc["L2", "capacity"] == 0 and table.loc["L2", "services_count"] == 0
    assert table.loc["L2", "gap_people"] == pytest.approx(250.0)
    assert table.loc["L2", "classification"] == "well_below"


def test_provision_above_the_norm_leaves_no_gap():
    table = need_against_provision(
        need(("L1", 100.0, np.nan, np.nan)), NORMS, provision(("L1", "tt", 40.0, 0.0, 2))
    )
    assert table["gap_people"].iloc[0] == 0
    assert table["ambition_ratio"].iloc[0] == pytest.approx(1.6)
    assert table["classification"].iloc[0] == "above"


def test_no_need_gives_no_coverage_figure_rather_than_infinity():
    table = need_against_provision(need(("L1", 0.0, np.nan, np.nan)), NORMS, provision())
    assert np.isnan(table["coverage_ratio"].iloc[0])
    assert table["classification"].iloc[0] == "no_need"


def _classed(capacity: float, cases: float, lower: float, upper: float) -> pd.Series:
    rows = pd.DataFrame(
        {
            "expected_cases": [cases],
            "expected_lower": [lower],
            "expected_upper": [upper],
            "capacity": [capacity],
            "norm_share": [0.25],
        }
    )
    return classify(rows).iloc[0]


@pytest.mark.parametrize(
    ("capacity", "lower", "upper", "expected"),
    [
        (49.0, 400.0, 400.0, "well_below"),  # 49 ÷ (0.25 × 400) = 0.49
        (50.0, 400.0, 400.0, "below"),  # exactly half: not "well below"
        (89.0, 400.0, 400.0, "below"),
        (90.0, 400.0, 400.0, "in_line"),  # exactly 90%: in line
        (110.0, 400.0, 400.0, "in_line"),  # exactly 110%: in line
        (111.0, 400.0, 400.0, "above"),
        # With an interval a shortfall must hold at the lower bound of need: 85 ÷ (0.25 × 380)
        # = 0.89 is below, but 85 ÷ (0.25 × 340) = 1.0 is not, so it stays in line.
        (85.0, 380.0, 420.0, "below"),
        (85.0, 340.0, 460.0, "in_line"),
        # An interval past both edges of the band: 100 ÷ (0.25 × 300) = 1.33 at the lower bound
        # of need, 100 ÷ (0.25 × 500) = 0.8 at the upper: too uncertain to class.
        (100.0, 300.0, 500.0, "uncertain"),
        # Past only one edge (1.33 and 100 ÷ 110 = 0.91): in line, not uncertain.
        (100.0, 300.0, 440.0, "in_line"),
    ],
)
def test_classes_at_their_boundaries_use_the_bound_of_need(capacity, lower, upper, expected):
    classed = _classed(capacity, 400.0, lower, upper)
    assert classed["classification"] == expected, classed["class_rule"]


def test_a_class_without_an_interval_says_it_rests_on_the_point_estimate():
    classed = _classed(10.0, 400.0, np.nan, np.nan)
    assert classed["classification"] == "well_below"
    assert "point estimate" in classed["class_rule"]


def test_provision_by_unit_sums_shares_and_counts_distinct_services_per_norm():
    attributed = pd.DataFrame(
        {
            "service_code": ["S1", "S1", "S2"],
            "area_code": ["A", "B", "B"],
            "capacity": [30.0, 70.0, 5.0],
            "spend": [3.0, 7.0, 1.0],
        }
    )
    service_norms = pd.DataFrame({"service_code": ["S1", "S2"], "norm_code": ["tt", "tt"]})
    units = pd.DataFrame({"area_code": ["A", "B"], "unit_code": ["L1", "L1"]})
    result = provision_by_unit(attributed, service_norms, units).set_index("unit_code")
    assert result.loc["L1", "capacity"] == pytest.approx(105.0)
    assert result.loc["L1", "services_count"] == 2


def test_only_a_unit_clearly_apart_from_the_area_average_is_called_higher_or_lower():
    rows = pd.DataFrame(
        {
            "norm_code": ["tt"] * 4,
            "expected_cases": [1000.0, 1000.0, 1000.0, 1000.0],
            "capacity": [100.0, 104.0, 60.0, 136.0],
        }
    )
    from gapanalysis.compute import compare_with_peers

    verdicts = list(compare_with_peers(rows)["peer_comparison"])
    # Area average 100 per 1,000: 104 is noise; 60 and 136 lie outside the 99.8% limits (~72-131).
    assert verdicts[0].startswith("within") and verdicts[1].startswith("within")
    assert verdicts[2].startswith("lower") and verdicts[3].startswith("higher")


def test_a_caseload_counts_in_the_norms_measure_through_its_factor():
    # 120 caseload places × a turnover of 2.0 = 240 people seen a year; a course is one person.
    attributed = pd.DataFrame(
        {
            "service_code": ["CAMHS", "CAMHS", "COUNSEL"],
            "area_code": ["A", "B", "B"],
            "capacity": [90.0, 30.0, 15.0],
            "spend": [9.0, 3.0, 1.0],
        }
    )
    service_norms = pd.DataFrame(
        {"service_code": ["CAMHS", "COUNSEL"], "norm_code": ["cyp", "cyp"],
         "capacity_factor": [2.0, 1.0]}
    )  # fmt: skip
    units = pd.DataFrame({"area_code": ["A", "B"], "unit_code": ["L1", "L2"]})
    result = provision_by_unit(attributed, service_norms, units).set_index("unit_code")
    assert result.loc["L1", "capacity"] == pytest.approx(180.0)
    assert result.loc["L2", "capacity"] == pytest.approx(75.0)  # 30 × 2 + 15 × 1
    assert result["spend"].sum() == pytest.approx(13.0)  # spend is not converted


def test_a_unit_without_provision_has_no_spend_and_an_integer_count_of_services():
    table = need_against_provision(
        need(("L1", 100.0, np.nan, np.nan)), NORMS, provision()
    ).set_index("unit_code")
    assert table.loc["L1", "spend"] == 0
    assert table["services_count"].dtype.kind == "i"


def test_capacity_without_need_has_no_coverage_and_warns_of_nothing():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no division-by-zero warning escapes
        table = need_against_provision(
            need(("L1", 0.0, np.nan, np.nan)), NORMS, provision(("L1", "tt", 50.0, 1.0, 1))
        )
    assert np.isnan(table["coverage_ratio"].iloc[0]) and np.isnan(table["ambition_ratio"].iloc[0])


def test_bounds_stored_as_none_are_no_interval():
    rows = pd.DataFrame(
        {
            "expected_cases": [400, 400],
            "expected_lower": pd.Series([None, 300], dtype=object),
            "expected_upper": pd.Series([None, 500], dtype=object),
            "capacity": [20, 20],
            "norm_share": [0.25, 0.25],
        }
    )
    classed = classify(rows)
    assert "point estimate" in classed["class_rule"].iloc[0]
    assert "bound" in classed["class_rule"].iloc[1]


def test_only_the_keys_join_services_norms_and_units():
    # Each frame carries a name of its own: a join on every shared column would match nothing.
    attributed = pd.DataFrame(
        {"service_code": ["S1"], "area_code": ["A"], "capacity": [10.0], "spend": [5.0],
         "name": ["Service"]}
    )  # fmt: skip
    service_norms = pd.DataFrame({"service_code": ["S1"], "norm_code": ["tt"], "name": ["Norm"]})
    units = pd.DataFrame({"area_code": ["A"], "unit_code": ["L1"], "name": ["Locality"]})
    result = provision_by_unit(attributed, service_norms, units)
    assert result["capacity"].tolist() == [10.0] and result["services_count"].tolist() == [1]


def test_a_fraction_of_a_place_reaches_a_unit_and_no_place_does_not():
    attributed = pd.DataFrame(
        {"service_code": ["S1", "S2"], "area_code": ["A", "B"], "capacity": [0.4, 0.0],
         "spend": [1.0, 1.0]}
    )  # fmt: skip
    service_norms = pd.DataFrame({"service_code": ["S1", "S2"], "norm_code": ["tt", "tt"]})
    units = pd.DataFrame({"area_code": ["A", "B"], "unit_code": ["L1", "L2"]})
    result = provision_by_unit(attributed, service_norms, units).set_index("unit_code")
    assert result.loc["L1", "services_count"] == 1
    assert result.loc["L2", "services_count"] == 0


def test_a_unit_with_no_need_and_no_capacity_is_within_its_peers():
    from gapanalysis.compute import compare_with_peers

    rows = pd.DataFrame(
        {"norm_code": ["tt"] * 3, "expected_cases": [0.0, 500.0, 500.0],
         "capacity": [0.0, 100.0, 100.0]}
    )  # fmt: skip
    assert compare_with_peers(rows)["peer_comparison"].iloc[0].startswith("within")
