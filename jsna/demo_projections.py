"""Synthetic population projections for the demo county's districts. Pure: no Django.

A simple cohort model, clearly synthetic: each year every single-year cohort ages by one year and
loses deaths at a smooth Gompertz-shaped rate, births stay at the base year's level, and young
adults gain a little net migration. The result ages the way English projections do (more people
over 75, slightly fewer children), which is what the need pages need to show; it is not a forecast.
"""

import numpy as np
import pandas as pd

from needs.labels import SYNTHETIC_LABEL

PROJECTION_YEARS = range(2023, 2041)
SOURCE = f"{SYNTHETIC_LABEL} (cohort model in jsna/demo_projections.py)"
# Annual death probability by age: Gompertz shape, women's a little lower than men's.
_MORTALITY_AT_30 = {"F": 0.00035, "M": 0.0006}
_GOMPERTZ_SLOPE = 0.095
_NET_MIGRATION = 0.004  # a year, ages 18 to 40


def district_projections(areas: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """District × year × sex × age counts from the demo's small-area base population."""
    lsoa_to_district = _district_of_small_area(areas)
    base = population.assign(district=population["area_code"].map(lsoa_to_district))
    base = base.groupby(["district", "sex", "age"], as_index=False)["count"].sum()
    frames = [_project_one(group, code) for code, group in base.groupby("district")]
    return pd.concat(frames, ignore_index=True)


def _district_of_small_area(areas: pd.DataFrame) -> pd.Series:
    parent = areas.set_index("area_code")["parent_code"]
    small = areas.loc[areas["level"] == "lsoa21", "area_code"]
    return pd.Series(small.map(parent).map(parent).to_numpy(), index=small.to_numpy())


def _project_one(base: pd.DataFrame, district: str) -> pd.DataFrame:
    counts = base.pivot_table(index="sex", columns="age", values="count", aggfunc="sum")
    counts = counts.to_numpy(dtype=float)
    sexes = base["sex"].drop_duplicates().sort_values().to_list()
    ages = np.arange(counts.shape[1])
    death = np.array(
        [
            np.clip(_MORTALITY_AT_30[s] * np.exp(_GOMPERTZ_SLOPE * (ages - 30)), 0, 0.6)
            for s in sexes
        ]
    )
    migration = np.where((ages >= 18) & (ages <= 40), _NET_MIGRATION, 0.0)
    years = [counts]
    for _ in PROJECTION_YEARS[1:]:
        years.append(_age_one_year(years[-1], death, migration, births=counts[:, 0]))
    stacked = np.stack(years)  # (year, sex, age)
    index = pd.MultiIndex.from_product(
        [list(PROJECTION_YEARS), sexes, ages], names=["year", "sex", "age"]
    )
    frame = pd.DataFrame({"count": stacked.ravel()}, index=index).reset_index()
    return frame.assign(area_code=district)


def _age_one_year(
    counts: np.ndarray, death: np.ndarray, migration: np.ndarray, births: np.ndarray
) -> np.ndarray:
    survivors = counts * (1 - death) * (1 + migration)
    aged = np.zeros_like(counts)
    aged[:, 1:] = survivors[:, :-1]
    aged[:, -1] += survivors[:, -1]  # the open 90+ group keeps its survivors
    aged[:, 0] = births
    return aged
