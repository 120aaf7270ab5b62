"""Projected small-area population: ONS sub-national projections applied as growth factors.

Pure: no Django. For each local authority, sex and single year of age, the growth factor for a
year is the projected count in that year divided by the projected count in the base year (the year
of the small-area estimates). Each small area takes its local authority's factors, so the local
age-sex structure is kept and moves with the authority's projection. Where the base-year projected
count is zero the factor is 1 (nothing to scale from).
"""

import numpy as np
import pandas as pd

from needs.columns import AGE, AREA_CODE, COUNT, SEX, YEAR
from needs.prevalence.estimation import SEXES


class ProjectionError(ValueError):
    """Projections that cannot be applied (the message says which and why)."""


def growth_factors(
    projections: pd.DataFrame, *, base_year: int, years: list[int], max_age: int
) -> tuple[np.ndarray, np.ndarray]:
    """(authority codes, factors shaped (authority, sex, age, year)) relative to `base_year`.

    The factors' last axis follows `years` in the order given. Every authority must have
    projections for the base year and every year asked for.
    """
    wanted = sorted({base_year, *years})
    rows = projections[projections[YEAR].isin(wanted)]
    _check_coverage(rows, wanted)
    codes, la_index = np.unique(rows[AREA_CODE].to_numpy(dtype=str), return_inverse=True)
    slot = {year: i for i, year in enumerate(wanted)}
    year_index = rows[YEAR].map(slot).to_numpy(dtype=int)
    sex_index = rows[SEX].map({sex: i for i, sex in enumerate(SEXES)}).to_numpy(dtype=int)
    counts = np.zeros((len(codes), len(SEXES), max_age + 1, len(wanted)))
    ages = np.clip(rows[AGE].to_numpy(dtype=int), 0, max_age)
    np.add.at(counts, (la_index, sex_index, ages, year_index), rows[COUNT].to_numpy(float))
    base = counts[..., slot[base_year]][..., None]
    chosen = counts[..., [slot[year] for year in years]]
    with np.errstate(invalid="ignore", divide="ignore"):
        factors = np.where(base > 0, chosen / base, 1.0)
    return codes, factors


def _check_coverage(rows: pd.DataFrame, wanted: list[int]) -> None:
    """Refuse, naming them, authorities that lack the base year or a year asked for."""
    have = rows.groupby(AREA_CODE)[YEAR].agg(lambda y: set(y.unique()))
    if have.empty:
        raise ProjectionError(
            f"No projected population for {', '.join(map(str, wanted))}: load sub-national "
            "projections covering the base year and every year asked for."
        )
    gaps = {code: sorted(set(wanted) - years) for code, years in have.items()}
    gaps = {code: missing for code, missing in gaps.items() if missing}
    if gaps:
        years = sorted({year for missing in gaps.values() for year in missing})
        raise ProjectionError(
            f"No projected population for {', '.join(map(str, years))} for "
            f"{', '.join(list(gaps)[:10])}: load projections covering the base year and every "
            "year asked for."
        )


def project(base: np.ndarray, authority_of_area: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """Small-area base (area, sex, age[, 1]) × its authority's factors → (area, sex, age, year)."""
    if base.ndim == 4:
        base = base[..., 0]
    if (authority_of_area < 0).any():
        raise ProjectionError("Some small areas have no local authority to take growth from.")
    return base[..., None] * factors[authority_of_area]
