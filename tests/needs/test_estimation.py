"""Expected cases from population × rates, checked on hand-worked examples."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from needs.prevalence.estimation import (
    RateTableError,
    aggregate_to_localities,
    aggregate_to_whole_area,
    expected_cases,
    rates_by_single_year,
)

MAX_AGE = 90


def rates(*rows: tuple) -> pd.DataFrame:
    columns = ["condition_code", "sex", "age_min", "age_max", "rate", "lower", "upper"]
    return pd.DataFrame(rows, columns=columns).astype({"age_max": float})


def population(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["area_code", "sex", "age", "count"])


def test_a_band_rate_applies_to_every_single_year_in_it():
    single = rates_by_single_year(rates(("cmd", "F", 16, 24, 0.2, None, None)), max_age=MAX_AGE)
    assert sorted(single["age"]) == list(range(16, 25))


def test_an_open_band_runs_to_the_oldest_age():
    single = rates_by_single_year(rates(("cmd", "M", 75, None, 0.1, None, None)), max_age=MAX_AGE)
    assert single["age"].min() == 75 and single["age"].max() == MAX_AGE


def test_a_persons_rate_applies_to_both_sexes():
    single = rates_by_single_year(rates(("cmd", "P", 16, 17, 0.1, None, None)), max_age=MAX_AGE)
    assert sorted(single["sex"]) == ["F", "F", "M", "M"]


def test_overlapping_bands_are_refused_naming_the_rows():
    table = rates(("cmd", "F", 16, 24, 0.2, None, None), ("cmd", "F", 20, 30, 0.1, None, None))
    with pytest.raises(RateTableError, match=r"age 20 \(rate rows 1, 2\)"):
        rates_by_single_year(table, max_age=MAX_AGE)


@pytest.mark.parametrize("bad_rate", [1.2, -0.01])
def test_a_rate_outside_zero_to_one_is_refused(bad_rate):
    with pytest.raises(RateTableError, match="rate rows 1"):
        rates_by_single_year(rates(("cmd", "F", 16, None, bad_rate, None, None)), max_age=90)


def test_expected_cases_are_population_times_rate_summed_by_area():
    pop = population(
        [("A", "F", 16, 100), ("A", "M", 16, 200), ("A", "F", 15, 999), ("B", "F", 40, 50)]
    )
    table = rates(
        ("cmd", "F", 16, None, 0.19, 0.17, 0.21), ("cmd", "M", 16, None, 0.12, 0.10, 0.14)
    )
    result = expected_cases(pop, table, max_age=MAX_AGE).set_index("area_code")
    # A: 100 women × 0.19 + 200 men × 0.12 = 19 + 24 = 43; the 15-year-olds are outside the band.
    assert result.loc["A", "expected_cases"] == pytest.approx(43.0)
    assert result.loc["A", "population"] == 300
    # The two cells (women 16+, men 16+) come from different respondents: their errors combine in
    # quadrature. Women: 100 × (0.19 − 0.17) = 2; men: 200 × 0.02 = 4; √(2² + 4²) = √20 = 4.472.
    assert result.loc["A", "expected_lower"] == pytest.approx(43 - 20**0.5)
    assert result.loc["A", "expected_upper"] == pytest.approx(43 + 20**0.5)
    assert result.loc["A", "rate_per_1000"] == pytest.approx(43 / 300 * 1000)
    assert result.loc["B", "expected_cases"] == pytest.approx(9.5)


def test_a_sum_of_areas_takes_its_bounds_from_its_own_people_in_each_cell():
    pop = population([("A", "F", 16, 100), ("A", "M", 16, 200), ("B", "F", 40, 50)])
    table = rates(
        ("cmd", "F", 16, None, 0.19, 0.17, 0.21), ("cmd", "M", 16, None, 0.12, 0.10, 0.14)
    )
    small = expected_cases(pop, table, max_age=MAX_AGE)
    membership = pd.DataFrame(
        {"area_code": ["A", "B"], "locality_code": ["L", "L"], "locality_name": ["L", "L"]}
    )
    locality = aggregate_to_localities(small, membership).iloc[0]
    # One survey rate per cell is shared by both areas, so the cell's people add up first:
    # women 150 × 0.02 = 3, men 200 × 0.02 = 4, √(3² + 4²) = 5 around 43 + 9.5 = 52.5. (Adding
    # the areas' own bounds, 4.47 + 1, would give 5.47: too wide; 3 + 4 = 7 wider still.)
    assert locality["expected_cases"] == pytest.approx(52.5)
    assert locality["expected_lower"] == pytest.approx(47.5)
    assert locality["expected_upper"] == pytest.approx(57.5)
    whole = aggregate_to_whole_area(small).iloc[0]
    assert whole["expected_lower"] == pytest.approx(47.5)
    assert not any(column.startswith("_dev") for column in locality.index)


def test_a_persons_cell_is_one_cell_over_both_sexes():
    pop = population([("A", "F", 20, 100), ("A", "M", 20, 300)])
    table = rates(("x", "P", 16, None, 0.1, 0.08, 0.12))
    result = expected_cases(pop, table, max_age=MAX_AGE).iloc[0]
    # One published figure for persons: its error is the same for women and men, 400 × 0.02 = 8
    # (two independent cells would give √(2² + 6²) = 6.3).
    assert result["expected_lower"] == pytest.approx(40 - 8)


def test_a_bound_is_missing_when_any_band_has_none_published():
    pop = population([("A", "F", 20, 100), ("A", "F", 70, 100)])
    table = rates(("cmd", "F", 16, 64, 0.2, 0.18, 0.22), ("cmd", "F", 65, None, 0.1, None, None))
    result = expected_cases(pop, table, max_age=MAX_AGE)
    assert result["expected_cases"].iloc[0] == pytest.approx(30.0)
    assert np.isnan(result["expected_lower"].iloc[0])
    assert np.isnan(result["expected_upper"].iloc[0])


def test_localities_and_whole_area_add_up_the_small_areas():
    pop = population([("A", "F", 30, 100), ("B", "F", 30, 300), ("C", "F", 30, 600)])
    table = rates(("cmd", "F", 16, None, 0.1, None, None))
    small = expected_cases(pop, table, max_age=MAX_AGE)
    membership = pd.DataFrame(
        {
            "area_code": ["A", "B", "C"],
            "locality_code": ["L1", "L1", "L2"],
            "locality_name": ["North", "North", "South"],
        }
    )
    localities = aggregate_to_localities(small, membership).set_index("locality_code")
    assert localities.loc["L1", "expected_cases"] == pytest.approx(40.0)
    assert localities.loc["L2", "expected_cases"] == pytest.approx(60.0)
    whole = aggregate_to_whole_area(small)
    assert whole["expected_cases"].iloc[0] == pytest.approx(100.0)
    assert whole["rate_per_1000"].iloc[0] == pytest.approx(100.0)


counts = st.lists(st.integers(min_value=0, max_value=5000), min_size=1, max_size=30)


@settings(max_examples=50, deadline=None)
@given(counts=counts, factor=st.integers(min_value=1, max_value=7))
def test_estimates_add_up_across_areas_and_scale_with_population(counts, factor):
    pop = population([(f"E{i:08d}", "F", 30, n) for i, n in enumerate(counts)])
    table = rates(("cmd", "P", 16, None, 0.17, None, None))
    small = expected_cases(pop, table, max_age=MAX_AGE)
    assert small["expected_cases"].sum() == pytest.approx(0.17 * sum(counts))
    scaled = expected_cases(pop.assign(count=pop["count"] * factor), table, max_age=MAX_AGE)
    assert scaled["expected_cases"].to_numpy() == pytest.approx(
        small["expected_cases"].to_numpy() * factor
    )


def test_zero_population_gives_zero_cases_and_no_rate():
    result = expected_cases(
        population([("A", "F", 30, 0)]), rates(("cmd", "F", 16, None, 0.2, None, None)), max_age=90
    )
    assert result["expected_cases"].iloc[0] == 0
    assert np.isnan(result["rate_per_1000"].iloc[0])


def test_a_norms_ages_cut_the_rates_and_their_cells_exactly():
    from needs.prevalence.estimation import (
        expected_cases_array,
        population_array,
        rate_arrays,
        rates_for_ages,
    )

    pop = population([("A", "F", 16, 100), ("A", "F", 17, 100), ("A", "F", 18, 100),
                      ("A", "M", 30, 200), ("A", "F", 70, 50)])  # fmt: skip
    table = rates(
        ("cmd", "F", 16, 24, 0.2, 0.1, 0.3),
        ("cmd", "F", 25, None, 0.1, 0.08, 0.12),
        ("cmd", "M", 16, None, 0.1, 0.05, 0.15),
    )
    arrays = rate_arrays(table, max_age=MAX_AGE)
    cut = rates_for_ages(
        arrays, keys=["adults", "young", "old"], conditions=["cmd"] * 3,
        ages=[(18, None), (16, 17), (65, 74)],
    )  # fmt: skip
    assert cut.conditions == ("adults", "young", "old")
    _, _, people = population_array(pop, max_age=MAX_AGE)
    measures = expected_cases_array(people, cut)
    cases = measures["expected_cases"][0, :, 0]
    # 18+: 100 × 0.2 (age 18) + 200 × 0.1 (man of 30) + 50 × 0.1 (woman of 70) = 45.
    # 16-17: 200 × 0.2 = 40. 65-74: 50 × 0.1 = 5.
    assert cases.tolist() == pytest.approx([45.0, 40.0, 5.0])
    assert measures["population"][0, :, 0].tolist() == [350.0, 200.0, 50.0]
    # Bounds from the cells inside each norm's ages only, in quadrature. 18+: women 18-24
    # 100 × 0.1 = 10; women 25+ 50 × 0.02 = 1; men 200 × 0.05 = 10 → √201 = 14.18.
    lower = measures["expected_lower"][0, :, 0]
    upper = measures["expected_upper"][0, :, 0]
    assert lower[0] == pytest.approx(45 - 201**0.5) and upper[0] == pytest.approx(45 + 201**0.5)
    assert lower[1] == pytest.approx(40 - 20.0)  # 16-17: 200 × 0.1, one cell
    assert upper[2] == pytest.approx(5 + 1.0)  # 65-74: 50 × 0.02
    # A cell wholly outside a norm's ages is dropped: 16-17 keeps women 16-24 and men 16+,
    # 65-74 keeps women 25+ and men 16+ (women 16-24 is outside both).
    assert sorted(cut.cell_condition.tolist()) == [0, 0, 0, 1, 1, 2, 2]
    # Bands: F 18-24, F 25+, M 18+; F 16-17, M 16-17; F 65-74, M 65-74 (none the same here).
    assert len(cut.bands) == 7
