"""The estimation's edges, each with a value worked by hand: the oldest age in an open band, years
kept or dropped, condition weights in the per-cell errors, conditions with different numbers of
cells, rates per 1,000 of one person or none, bounds clipped at zero, residents and years kept
through the sums, and the order of the rows."""

import warnings

import numpy as np
import pandas as pd
import pytest

from needs.prevalence.estimation import (
    BAND_PEOPLE,
    CONDITION_WEIGHTS,
    DEV_ABOVE,
    DEV_BELOW,
    RateTableError,
    aggregate_to_localities,
    aggregate_to_whole_area,
    expected_cases,
    expected_cases_array,
    measures_frame,
    population_array,
    rate_arrays,
    rates_by_single_year,
    rates_for_ages,
    with_bounds,
    with_rate_per_1000,
)
from tests.needs.test_estimation import MAX_AGE, rates


def population(rows: list[tuple], *, year: bool = False) -> pd.DataFrame:
    columns = ["area_code", "sex", "age", "count"] + (["year"] if year else [])
    return pd.DataFrame(rows, columns=columns)


def membership(*pairs: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area_code": [a for a, _ in pairs],
            "locality_code": [lo for _, lo in pairs],
            "locality_name": [lo for _, lo in pairs],
        }
    )


def test_an_open_band_of_a_norms_ages_includes_the_oldest_age():
    # 10 women at the oldest age, rate 0.5 for women 16+: a norm for 18 and over counts all 10.
    arrays = rate_arrays(rates(("cmd", "F", 16, None, 0.5, 0.4, 0.6)), max_age=MAX_AGE)
    cut = rates_for_ages(arrays, keys=["tt"], conditions=["cmd"], ages=[(18, None)])
    _, _, people = population_array(population([("A", "F", MAX_AGE, 10)]), max_age=MAX_AGE)
    measures = expected_cases_array(people, cut)
    assert measures["expected_cases"][0, 0, 0] == pytest.approx(5.0)
    assert measures["population"][0, 0, 0] == pytest.approx(10.0)
    assert measures["expected_lower"][0, 0, 0] == pytest.approx(4.0)


def test_a_population_with_years_keeps_them_and_one_without_has_none():
    table = rates(("cmd", "F", 16, None, 0.1, None, None))
    yearly = population([("A", "F", 30, 100, 2020), ("A", "F", 30, 200, 2021)], year=True)
    by_year = expected_cases(yearly, table, max_age=MAX_AGE).set_index("year")
    assert by_year.loc[2020, "expected_cases"] == pytest.approx(10.0)
    assert by_year.loc[2021, "expected_cases"] == pytest.approx(20.0)
    single = expected_cases(population([("A", "F", 30, 100)]), table, max_age=MAX_AGE)
    assert "year" not in single.columns
    assert single["expected_cases"].tolist() == pytest.approx([10.0])


def test_a_frame_without_the_rates_carries_no_cell_errors():
    arrays = rate_arrays(rates(("cmd", "F", 16, None, 0.1, 0.08, 0.12)), max_age=MAX_AGE)
    codes, years, people = population_array(population([("A", "F", 30, 100)]), max_age=MAX_AGE)
    measures = expected_cases_array(people, arrays)
    plain = measures_frame(codes, arrays.conditions, years, measures)
    assert not [c for c in plain.columns if c.startswith(("_dev", BAND_PEOPLE))]
    without_band_people = {k: v for k, v in measures.items() if k != BAND_PEOPLE}
    kept = measures_frame(codes, arrays.conditions, years, without_band_people, rates=arrays)
    assert not [c for c in kept.columns if c.startswith("_dev")]
    assert kept["expected_lower"].tolist() == pytest.approx([8.0])


def test_condition_weights_scale_each_cells_error():
    # Deprivation weights multiply a condition's people in each cell: 100 women × 0.02 × 2 = 4.
    arrays = rate_arrays(rates(("cmd", "F", 16, None, 0.1, 0.08, 0.13)), max_age=MAX_AGE)
    codes, years, people = population_array(population([("A", "F", 30, 100)]), max_age=MAX_AGE)
    measures = expected_cases_array(people, arrays)
    measures[CONDITION_WEIGHTS] = np.array([[2.0]])
    frame = measures_frame(codes, arrays.conditions, years, measures, rates=arrays)
    assert frame[f"{DEV_BELOW}0"].tolist() == pytest.approx([4.0])
    assert frame[f"{DEV_ABOVE}0"].tolist() == pytest.approx([6.0])
    assert CONDITION_WEIGHTS not in frame.columns


def test_conditions_with_different_numbers_of_cells_each_keep_their_own_errors():
    # "two" has a cell per sex, "one" a single persons cell: "one" has no second error column.
    table = rates(
        ("two", "F", 16, None, 0.2, 0.18, 0.22),
        ("two", "M", 16, None, 0.1, 0.07, 0.13),
        ("one", "P", 16, None, 0.05, 0.04, 0.06),
    )
    small = expected_cases(
        population([("A", "F", 30, 100), ("A", "M", 30, 100)]), table, max_age=MAX_AGE
    ).set_index("condition_code")
    # two: women 100 × 0.02 = 2, men 100 × 0.03 = 3; one: 200 × 0.01 = 2.
    assert small.loc["two", "expected_lower"] == pytest.approx(30 - 13**0.5)
    assert small.loc["one", "expected_lower"] == pytest.approx(10 - 2)
    whole = aggregate_to_whole_area(small.reset_index()).set_index("condition_code")
    assert whole.loc["two", "expected_upper"] == pytest.approx(30 + 13**0.5)
    assert whole.loc["one", "expected_upper"] == pytest.approx(10 + 2)


def test_one_person_has_a_rate_per_1000_and_nobody_has_none_without_warnings():
    table = rates(("cmd", "F", 16, None, 0.1, None, None))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        one = expected_cases(population([("A", "F", 30, 1)]), table, max_age=MAX_AGE)
        none = expected_cases(population([("A", "F", 30, 0)]), table, max_age=MAX_AGE)
        # Cases among residents counted as none (a frame from elsewhere): not a number, quietly.
        odd = with_rate_per_1000(
            pd.DataFrame({"expected_cases": [5.0], "population": [10.0], "residents": [0.0]})
        )
    assert one["rate_per_1000"].tolist() == pytest.approx([100.0])
    assert np.isnan(none["rate_per_1000"].iloc[0])
    assert np.isnan(odd["per_1000_residents"].iloc[0])
    assert odd["rate_per_1000"].tolist() == pytest.approx([500.0])


def test_bounds_from_errors_are_per_row_clipped_at_zero_and_stay_numbers():
    frame = pd.DataFrame(
        {
            "expected_cases": [1.0, 50.0, 20.0],
            "expected_lower": [0.5, 45.0, np.nan],
            "expected_upper": [1.5, 55.0, np.nan],
            f"{DEV_BELOW}0": [3.0, 3.0, 1.0],
            f"{DEV_BELOW}1": [0.0, 4.0, 1.0],
            f"{DEV_ABOVE}0": [3.0, 3.0, 1.0],
            f"{DEV_ABOVE}1": [0.0, 4.0, 1.0],
        }
    )
    bounded = with_bounds(frame)
    # Row 1: 1 − 3 < 0, so 0. Row 2: 50 ∓ √(3² + 4²) = 45, 55. Row 3: no bounds published.
    assert bounded["expected_lower"].tolist()[:2] == pytest.approx([0.0, 45.0])
    assert bounded["expected_upper"].tolist()[:2] == pytest.approx([4.0, 55.0])
    assert np.isnan(bounded["expected_lower"].iloc[2])
    assert bounded["expected_lower"].dtype == np.float64
    assert not [c for c in bounded.columns if c.startswith("_dev")]


def test_sums_keep_residents_and_years_and_come_in_order():
    table = rates(("b", "F", 16, None, 0.1, None, None), ("a", "F", 16, None, 0.2, None, None))
    yearly = population(
        [("A", "F", 30, 100, 2020), ("B", "F", 30, 300, 2020), ("A", "F", 30, 200, 2021)],
        year=True,
    )
    small = expected_cases(yearly, table, max_age=MAX_AGE)
    small["residents"] = small["population"] * 2
    small = small.sort_values(["condition_code", "year"], ascending=False)
    whole = aggregate_to_whole_area(small)
    assert whole[["condition_code", "year"]].values.tolist() == [
        ["a", 2020], ["a", 2021], ["b", 2020], ["b", 2021]
    ]  # fmt: skip
    first = whole.iloc[0]  # a, 2020: 400 people × 0.2 = 80; residents 800
    assert (first["expected_cases"], first["residents"]) == pytest.approx((80.0, 800.0))
    assert first["per_1000_residents"] == pytest.approx(100.0)
    localities = aggregate_to_localities(small, membership(("A", "L1"), ("B", "L2")))
    # Each locality in each year for each condition; B has nobody counted in 2021.
    assert len(localities) == 8
    by_key = localities.set_index(["locality_code", "condition_code", "year"])
    assert by_key.loc[("L1", "b", 2021), "expected_cases"] == pytest.approx(20.0)
    assert by_key.loc[("L1", "b", 2021), "residents"] == pytest.approx(400.0)
    assert by_key.loc[("L2", "a", 2020), "expected_cases"] == pytest.approx(60.0)
    assert by_key.loc[("L2", "a", 2021), "expected_cases"] == pytest.approx(0.0)


def test_rates_of_exactly_0_and_1_and_bounds_equal_to_their_rate_are_accepted():
    table = rates(
        ("a", "F", 16, 40, 1.0, 1.0, 1.0), ("a", "F", 41, None, 0.0, 0.0, 0.0),
        ("b", "F", 16, None, 0.2, 0.2, 0.2),
    )  # fmt: skip
    single = rates_by_single_year(table, max_age=MAX_AGE)
    assert len(single) == 2 * (MAX_AGE - 16 + 1)


@pytest.mark.parametrize(
    ("lower", "upper"), [(0.3, 0.4), (0.1, 0.15), (0.3, 0.1)], ids=["lower", "upper", "both"]
)
def test_a_bound_on_the_wrong_side_of_its_rate_is_refused_naming_its_rows(lower, upper):
    table = rates(
        ("a", "F", 16, 40, 0.2, 0.1, 0.3), ("a", "F", 41, None, 0.2, lower, upper),
    )  # fmt: skip
    message = r"^A bound lies on the wrong side of its rate \(rows of the file 3\)\.$"
    with pytest.raises(RateTableError, match=message):
        rates_by_single_year(table, max_age=MAX_AGE, first_row=2, rows_word="rows of the file")


def test_the_refusals_list_at_most_twenty_rows():
    wrong = [("a", "F", age, age, 0.2, 0.3, 0.4) for age in range(16, 40)]
    with pytest.raises(RateTableError) as refused:
        rates_by_single_year(rates(*wrong), max_age=MAX_AGE)
    assert str(refused.value).endswith(f"(rate rows {', '.join(map(str, range(1, 21)))}).")
    outside = [("a", "F", age, age, 1.5, None, None) for age in range(16, 40)]
    with pytest.raises(RateTableError) as refused:
        rates_by_single_year(rates(*outside), max_age=MAX_AGE)
    assert str(refused.value) == (
        "Rates must be proportions between 0 and 1 (rate rows "
        f"{', '.join(map(str, range(1, 21)))})."
    )


def test_a_population_sex_other_than_f_or_m_is_refused_in_words():
    with pytest.raises(RateTableError) as refused:
        population_array(population([("A", "P", 30, 10)]), max_age=MAX_AGE)
    assert str(refused.value) == "Population sex must be F or M (split persons counts first)."


def test_ages_beyond_the_oldest_count_at_it_and_age_0_stays_0():
    # 4 women aged 95 count at 90 (the open band's last single year); 70 babies stay at age 0.
    table = rates(("old", "F", 90, None, 0.5, None, None), ("baby", "F", 0, 0, 0.1, None, None))
    result = expected_cases(
        population([("A", "F", 95, 4), ("A", "F", 0, 70), ("A", "F", 1, 1_000)]),
        table,
        max_age=MAX_AGE,
    ).set_index("condition_code")
    assert result.loc["old", "expected_cases"] == pytest.approx(2.0)
    assert result.loc["baby", "expected_cases"] == pytest.approx(7.0)
    assert result.loc["baby", "population"] == pytest.approx(70.0)


def test_one_conditions_missing_bounds_leave_anothers_alone():
    table = rates(
        ("with", "F", 16, None, 0.1, 0.08, 0.12), ("without", "F", 16, None, 0.1, None, None)
    )
    result = expected_cases(population([("A", "F", 30, 100)]), table, max_age=MAX_AGE)
    by_code = result.set_index("condition_code")
    assert by_code.loc["with", "expected_lower"] == pytest.approx(8.0)
    assert by_code.loc["with", "expected_upper"] == pytest.approx(12.0)
    assert np.isnan(by_code.loc["without", "expected_lower"])


def test_bounds_are_right_for_every_area_beyond_the_first_chunk():
    # 600 areas (the bounds are worked 256 areas at a time): area i has i + 1 women aged 30, so
    # its bounds are (i + 1) × 0.08 and (i + 1) × 0.12.
    people = population([(f"A{i:03d}", "F", 30, i + 1) for i in range(600)])
    table = rates(("cmd", "F", 16, None, 0.1, 0.08, 0.12))
    result = expected_cases(people, table, max_age=MAX_AGE).sort_values("area_code")
    counts = np.arange(1, 601)
    np.testing.assert_allclose(result["expected_lower"], counts * 0.08)
    np.testing.assert_allclose(result["expected_upper"], counts * 0.12)
