"""Projected small-area population: authority growth factors, checked on hand-worked examples."""

import numpy as np
import pandas as pd
import pytest

from needs.demography.projection import ProjectionError, growth_factors, project

MAX_AGE = 90
F, M = 0, 1  # the sex axis follows estimation.SEXES: ("F", "M")


def projections(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["area_code", "year", "sex", "age", "count"])


def one_authority() -> pd.DataFrame:
    return projections(
        ("E07000001", 2023, "F", 70, 100.0),
        ("E07000001", 2030, "F", 70, 150.0),
        ("E07000001", 2040, "F", 70, 120.0),
        ("E07000001", 2023, "M", 70, 0.0),
        ("E07000001", 2030, "M", 70, 5.0),
        ("E07000001", 2040, "M", 70, 5.0),
        ("E07000001", 2023, "M", 30, 80.0),
        ("E07000001", 2030, "M", 30, 60.0),
        ("E07000001", 2040, "M", 30, 40.0),
    )


def test_the_factor_is_the_projected_count_over_the_base_year_count():
    codes, factors = growth_factors(one_authority(), base_year=2023, years=[2030], max_age=MAX_AGE)
    assert list(codes) == ["E07000001"]
    assert factors.shape == (1, 2, MAX_AGE + 1, 1)
    assert factors[0, F, 70, 0] == pytest.approx(1.5)
    assert factors[0, M, 30, 0] == pytest.approx(0.75)


def test_each_year_asked_for_gets_its_own_factor_in_the_order_asked():
    _, factors = growth_factors(
        one_authority(), base_year=2023, years=[2030, 2040], max_age=MAX_AGE
    )
    assert factors[0, F, 70].tolist() == pytest.approx([1.5, 1.2])
    assert factors[0, M, 30].tolist() == pytest.approx([0.75, 0.5])


def test_a_zero_base_gives_a_factor_of_one():
    _, factors = growth_factors(one_authority(), base_year=2023, years=[2030], max_age=MAX_AGE)
    assert factors[0, M, 70, 0] == 1.0


def test_an_age_with_no_projection_at_all_keeps_a_factor_of_one():
    _, factors = growth_factors(one_authority(), base_year=2023, years=[2030], max_age=MAX_AGE)
    assert factors[0, F, 10, 0] == 1.0


def test_ages_above_the_oldest_are_pooled_into_the_open_band():
    table = projections(
        ("E07000001", 2023, "F", 90, 10.0),
        ("E07000001", 2023, "F", 95, 10.0),
        ("E07000001", 2030, "F", 90, 15.0),
        ("E07000001", 2030, "F", 95, 25.0),
    )
    _, factors = growth_factors(table, base_year=2023, years=[2030], max_age=MAX_AGE)
    assert factors[0, F, 90, 0] == pytest.approx(2.0)  # (15 + 25) / (10 + 10)


def test_each_authority_has_its_own_factors_in_code_order():
    table = pd.concat(
        [
            projections(("E07000002", 2023, "F", 70, 50.0), ("E07000002", 2030, "F", 70, 40.0)),
            one_authority(),
        ]
    )
    codes, factors = growth_factors(table, base_year=2023, years=[2030], max_age=MAX_AGE)
    assert list(codes) == ["E07000001", "E07000002"]
    assert factors[:, F, 70, 0].tolist() == pytest.approx([1.5, 0.8])


def test_a_missing_projection_year_is_refused_naming_the_year():
    with pytest.raises(ProjectionError, match="2035"):
        growth_factors(one_authority(), base_year=2023, years=[2035], max_age=MAX_AGE)


def test_a_missing_base_year_is_refused_naming_the_year():
    with pytest.raises(ProjectionError, match="No projected population for 2021"):
        growth_factors(one_authority(), base_year=2021, years=[2030], max_age=MAX_AGE)


def test_an_authority_without_the_year_asked_for_is_refused_rather_than_projected_to_zero():
    table = pd.concat(
        [
            one_authority(),
            projections(("E07000002", 2023, "F", 70, 50.0), ("E07000002", 2030, "F", 70, 40.0)),
        ]
    )
    with pytest.raises(ProjectionError, match="2040"):
        growth_factors(table, base_year=2023, years=[2040], max_age=MAX_AGE)


def test_years_asked_for_in_any_order_get_their_own_factors():
    _, factors = growth_factors(
        one_authority(), base_year=2023, years=[2040, 2030], max_age=MAX_AGE
    )
    assert factors[0, F, 70].tolist() == pytest.approx([1.2, 1.5])


def test_the_base_year_projected_onto_itself_has_a_factor_of_one():
    _, factors = growth_factors(one_authority(), base_year=2023, years=[2023], max_age=MAX_AGE)
    assert factors[0, F, 70, 0] == pytest.approx(1.0)


def base_population() -> np.ndarray:
    """Three small areas × 2 sexes × ages 0..90, each cell distinct."""
    return np.arange(3 * 2 * (MAX_AGE + 1), dtype=float).reshape(3, 2, MAX_AGE + 1) + 1


def two_authorities_factors() -> np.ndarray:
    """Authority 0: ×2 then ×3 for everyone. Authority 1: women 65+ × 0.75 in the first year."""
    factors = np.ones((2, 2, MAX_AGE + 1, 2))
    factors[0, :, :, 0] = 2.0
    factors[0, :, :, 1] = 3.0
    factors[1, F, 65:, 0] = 0.75
    return factors


def test_project_multiplies_each_small_area_by_its_own_authoritys_factors():
    base = base_population()
    projected = project(base, np.array([1, 0, 1]), two_authorities_factors())
    assert projected.shape == (3, 2, MAX_AGE + 1, 2)
    np.testing.assert_allclose(projected[1, :, :, 0], base[1] * 2.0)
    np.testing.assert_allclose(projected[1, :, :, 1], base[1] * 3.0)
    for area in (0, 2):
        np.testing.assert_allclose(projected[area, M, :, 0], base[area, M])
        np.testing.assert_allclose(projected[area, F, :65, 0], base[area, F, :65])
        np.testing.assert_allclose(projected[area, F, 65:, 0], base[area, F, 65:] * 0.75)


def test_project_accepts_a_base_with_a_single_year_axis():
    base = base_population()
    with_year = project(base[..., None], np.array([0, 0, 1]), two_authorities_factors())
    np.testing.assert_allclose(
        with_year, project(base, np.array([0, 0, 1]), two_authorities_factors())
    )


def test_project_keeps_the_total_when_every_factor_is_one():
    base = base_population()
    projected = project(base, np.array([0, 1, 0]), np.ones((2, 2, MAX_AGE + 1, 1)))
    assert projected.sum() == pytest.approx(base.sum())


def test_an_area_without_an_authority_is_refused():
    with pytest.raises(ProjectionError, match="no local authority"):
        project(base_population(), np.array([0, -1, 1]), two_authorities_factors())


def test_factors_and_projection_together_on_one_hand_worked_area():
    _, factors = growth_factors(one_authority(), base_year=2023, years=[2030], max_age=MAX_AGE)
    base = np.zeros((1, 2, MAX_AGE + 1))
    base[0, F, 70] = 12.0
    base[0, M, 30] = 8.0
    base[0, M, 70] = 3.0
    projected = project(base, np.array([0]), factors)
    assert projected[0, F, 70, 0] == pytest.approx(18.0)
    assert projected[0, M, 30, 0] == pytest.approx(6.0)
    assert projected[0, M, 70, 0] == pytest.approx(3.0)  # zero base in the projection: kept
    assert projected.sum() == pytest.approx(27.0)
