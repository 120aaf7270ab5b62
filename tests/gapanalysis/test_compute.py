"""Need set against provision: expected provision, coverage, ambition ratio and gap."""

import numpy as np
import pandas as pd
import pytest

from gapanalysis.compute import need_against_provision, provision_by_unit


def test_coverage_and_gap_follow_the_norm_share():
    need = pd.DataFrame({"unit_code": ["L1", "L2"], "expected_cases": [9800.0, 1000.0]})
    provision = pd.DataFrame(
        {"unit_code": ["L1"], "capacity": [1400.0], "spend": [1.0], "services_count": [1]}
    )
    result = need_against_provision(need, provision, norm_share=0.25).set_index("unit_code")
    # 25% of 9,800 = 2,450 expected; 1,400 seen reaches 14.3%; 1,050 more a year needed.
    assert result.loc["L1", "expected_provision"] == pytest.approx(2450.0)
    assert result.loc["L1", "coverage_ratio"] == pytest.approx(1400 / 9800)
    assert result.loc["L1", "ambition_ratio"] == pytest.approx(1400 / 2450)
    assert result.loc["L1", "gap_people"] == pytest.approx(1050.0)
    # No service at all: zero capacity, the whole expected provision is the gap.
    assert result.loc["L2", "capacity"] == 0
    assert result.loc["L2", "services_count"] == 0
    assert result.loc["L2", "gap_people"] == pytest.approx(250.0)


def test_provision_above_the_norm_leaves_no_gap():
    need = pd.DataFrame({"unit_code": ["L1"], "expected_cases": [100.0]})
    provision = pd.DataFrame(
        {"unit_code": ["L1"], "capacity": [40.0], "spend": [0.0], "services_count": [2]}
    )
    result = need_against_provision(need, provision, norm_share=0.25)
    assert result["gap_people"].iloc[0] == 0
    assert result["ambition_ratio"].iloc[0] == pytest.approx(1.6)


def test_no_need_gives_no_coverage_figure_rather_than_infinity():
    need = pd.DataFrame({"unit_code": ["L1"], "expected_cases": [0.0]})
    empty = pd.DataFrame(columns=["unit_code", "capacity", "spend", "services_count"])
    result = need_against_provision(need, empty, norm_share=0.25)
    assert np.isnan(result["coverage_ratio"].iloc[0])


def test_provision_by_unit_sums_shares_and_counts_distinct_services():
    attributed = pd.DataFrame(
        {
            "service_code": ["S1", "S1", "S2"],
            "area_code": ["A", "B", "B"],
            "capacity": [30.0, 70.0, 5.0],
            "spend": [3.0, 7.0, 1.0],
        }
    )
    units = pd.DataFrame({"area_code": ["A", "B"], "unit_code": ["L1", "L1"]})
    result = provision_by_unit(attributed, units).set_index("unit_code")
    assert result.loc["L1", "capacity"] == pytest.approx(105.0)
    assert result.loc["L1", "services_count"] == 2
