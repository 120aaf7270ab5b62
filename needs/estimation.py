"""Expected cases from population and published prevalence rates. Pure: no Django, no I/O.

Expected cases in an area = Σ over sex and single year of age of population × rate, where a rate
published for an age band (e.g. 16-24, or an open 75+) applies to every single year in the band.
Bounds are the same sum taken with the published lower and upper rates; where a rate has no
published bound, the area's bound is missing rather than guessed.
"""

import numpy as np
import pandas as pd

from needs.columns import (
    AGE,
    AGE_MAX,
    AGE_MIN,
    AREA_CODE,
    CONDITION_CODE,
    COUNT,
    EXPECTED_CASES,
    EXPECTED_LOWER,
    EXPECTED_UPPER,
    LOCALITY_CODE,
    LOCALITY_NAME,
    LOWER,
    POPULATION,
    RATE,
    RATE_PER_1000,
    SEX,
    UPPER,
)

PERSONS = "P"
SEXES = ("F", "M")
RATE_COLUMNS = [CONDITION_CODE, SEX, AGE_MIN, AGE_MAX, RATE, LOWER, UPPER]
_SUMMED = [POPULATION, EXPECTED_CASES, EXPECTED_LOWER, EXPECTED_UPPER]


class RateTableError(ValueError):
    """A rate table that cannot be applied as it stands (the message names the rows)."""


def rates_by_single_year(rates: pd.DataFrame, *, max_age: int) -> pd.DataFrame:
    """One row per condition × sex × single year of age; persons rates apply to both sexes."""
    rates = rates[RATE_COLUMNS].reset_index(drop=True)
    _check_rate_values(rates)
    top = rates[AGE_MAX].fillna(max_age).astype(int).to_numpy()
    bottom = rates[AGE_MIN].astype(int).to_numpy()
    lengths = np.clip(top - bottom + 1, 0, None)
    row = np.repeat(np.arange(len(rates)), lengths)
    offset = np.arange(len(row)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    single = rates.iloc[row].assign(**{AGE: bottom[row] + offset, "source_row": row})
    single = _persons_to_each_sex(single)
    _check_no_overlap(single)
    return single.drop(columns=[AGE_MIN, AGE_MAX]).reset_index(drop=True)


def _check_rate_values(rates: pd.DataFrame) -> None:
    bad = rates[(rates[RATE] < 0) | (rates[RATE] > 1) | rates[RATE].isna()]
    if not bad.empty:
        rows = ", ".join(str(i + 1) for i in bad.index[:20])
        raise RateTableError(f"Rates must be proportions between 0 and 1 (rate rows {rows}).")


def _persons_to_each_sex(single: pd.DataFrame) -> pd.DataFrame:
    persons = single[single[SEX] == PERSONS]
    by_sex = [persons.assign(**{SEX: sex}) for sex in SEXES]
    return pd.concat([single[single[SEX] != PERSONS], *by_sex], ignore_index=True)


def _check_no_overlap(single: pd.DataFrame) -> None:
    clash = single[single.duplicated([CONDITION_CODE, SEX, AGE], keep=False)]
    if not clash.empty:
        first = clash.iloc[0]
        rows = sorted({int(r) + 1 for r in clash["source_row"]})[:20]
        raise RateTableError(
            f"Overlapping age bands for condition {first[CONDITION_CODE]!r}, sex {first[SEX]}, "
            f"age {first[AGE]} (rate rows {', '.join(map(str, rows))})."
        )


def expected_cases(population: pd.DataFrame, rates: pd.DataFrame, *, max_age: int) -> pd.DataFrame:
    """Expected cases per area × condition, with bounds and the rate per 1,000.

    `population`: area_code, sex, age, count. `rates`: condition_code, sex (F/M/P), age_min,
    age_max (missing for an open band), rate, lower, upper. Population outside every band of a
    condition (e.g. children for an adult survey) does not count towards that condition.
    """
    single = rates_by_single_year(rates, max_age=max_age)
    cells = population[[AREA_CODE, SEX, AGE, COUNT]].merge(single, on=[SEX, AGE], how="inner")
    counts = cells[COUNT].to_numpy(dtype=float)
    cells = cells.assign(
        **{
            POPULATION: counts,
            EXPECTED_CASES: counts * cells[RATE].to_numpy(dtype=float),
            EXPECTED_LOWER: counts * cells[LOWER].to_numpy(dtype=float),
            EXPECTED_UPPER: counts * cells[UPPER].to_numpy(dtype=float),
        }
    )
    totals = cells.groupby([AREA_CODE, CONDITION_CODE], as_index=False)[_SUMMED].sum(min_count=1)
    missing = cells.groupby([AREA_CODE, CONDITION_CODE])[[LOWER, UPPER]].agg(
        lambda s: s.isna().any()
    )
    totals = _blank_partial_bounds(totals, missing.reset_index())
    return with_rate_per_1000(totals)


def _blank_partial_bounds(totals: pd.DataFrame, missing: pd.DataFrame) -> pd.DataFrame:
    # A bound summed over some bands only would understate the interval: leave it missing.
    merged = totals.merge(missing, on=[AREA_CODE, CONDITION_CODE], how="left")
    merged.loc[merged[LOWER].astype(bool), EXPECTED_LOWER] = np.nan
    merged.loc[merged[UPPER].astype(bool), EXPECTED_UPPER] = np.nan
    return merged.drop(columns=[LOWER, UPPER])


def with_rate_per_1000(frame: pd.DataFrame) -> pd.DataFrame:
    population = frame[POPULATION].to_numpy(dtype=float)
    cases = frame[EXPECTED_CASES].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_1000 = np.where(population > 0, cases / population * 1000.0, np.nan)
    return frame.assign(**{RATE_PER_1000: per_1000})


def aggregate_to_localities(estimates: pd.DataFrame, membership: pd.DataFrame) -> pd.DataFrame:
    """Sum small-area estimates to localities (`membership`: area_code, locality_code/name).

    Bounds add up because they come from one survey rate applied everywhere: the areas' errors
    move together, so the sum of lower bounds is the lower bound of the sum.
    """
    joined = estimates.merge(membership, on=AREA_CODE, how="inner")
    keys = [LOCALITY_CODE, LOCALITY_NAME, CONDITION_CODE]
    totals = joined.groupby(keys, as_index=False)[_SUMMED].sum(min_count=1)
    return with_rate_per_1000(totals)


def aggregate_to_whole_area(estimates: pd.DataFrame) -> pd.DataFrame:
    totals = estimates.groupby(CONDITION_CODE, as_index=False)[_SUMMED].sum(min_count=1)
    return with_rate_per_1000(totals)
