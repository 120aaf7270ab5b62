"""Expected cases from population and published prevalence rates. Pure: no Django, no I/O.

Expected cases in an area = Σ over sex and single year of age of population × rate, where a rate
published for an age band (e.g. 16-24, or an open 75+) applies to every single year in the band.
Bounds are the same sum taken with the published lower and upper rates; where any band a condition
uses has no published bound, that condition's bounds are missing rather than guessed.

The arithmetic runs on arrays — population (area, sex, age, year) against rates (condition, sex,
age) — as one matrix product for every area, condition and year at once. The DataFrame functions
below are thin wrappers for callers that hold long tables.
"""

from dataclasses import dataclass

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
    PER_1000_RESIDENTS,
    POPULATION,
    RATE,
    RATE_PER_1000,
    RESIDENTS,
    SEX,
    UPPER,
    YEAR,
)

PERSONS = "P"
SEXES = ("F", "M")
RATE_COLUMNS = [CONDITION_CODE, SEX, AGE_MIN, AGE_MAX, RATE, LOWER, UPPER]
_SUMMED = [POPULATION, EXPECTED_CASES, EXPECTED_LOWER, EXPECTED_UPPER]
# The four quantities summed over sex × age, in this order, by one matrix product.
_MEASURES = (POPULATION, EXPECTED_CASES, EXPECTED_LOWER, EXPECTED_UPPER)


class RateTableError(ValueError):
    """A rate table that cannot be applied as it stands (the message names the rows)."""


@dataclass(frozen=True)
class RateArrays:
    """Rates by condition × sex × single year of age; `covered` marks where a band applies."""

    conditions: tuple[str, ...]
    rate: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    covered: np.ndarray

    def weights(self) -> np.ndarray:
        """(4·C, sex·age): rows for population at risk, expected, lower and upper."""
        flat = [
            a.reshape(len(self.conditions), -1)
            for a in (self.covered, self.rate, self.lower, self.upper)
        ]
        return np.nan_to_num(np.concatenate(flat).astype(float), nan=0.0)

    def bounds_published(self) -> tuple[np.ndarray, np.ndarray]:
        """Per condition: whether every covered cell has a published lower / upper bound."""
        lower = ~(self.covered & np.isnan(self.lower)).any(axis=(1, 2))
        upper = ~(self.covered & np.isnan(self.upper)).any(axis=(1, 2))
        return lower, upper


def rates_by_single_year(
    rates: pd.DataFrame, *, max_age: int, first_row: int = 1, rows_word: str = "rate rows"
) -> pd.DataFrame:
    """One row per condition × sex × single year of age; persons rates apply to both sexes.

    Errors number the rows from `first_row` (an importer passes 2: a spreadsheet's header is
    row 1) and call them `rows_word`.
    """
    # Rows keep their index, so a subset of a file (e.g. its applied rows) is reported by the
    # row numbers of the file; callers with a default index see positions as before.
    rates = rates[RATE_COLUMNS]
    _check_rate_values(rates, first_row, rows_word)
    top = rates[AGE_MAX].fillna(max_age).astype(int).to_numpy()
    bottom = rates[AGE_MIN].astype(int).to_numpy()
    lengths = np.clip(top - bottom + 1, 0, None)
    row = np.repeat(np.arange(len(rates)), lengths)
    offset = np.arange(len(row)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    single = rates.iloc[row].assign(
        **{AGE: bottom[row] + offset, "source_row": rates.index.to_numpy()[row]}
    )
    single = _persons_to_each_sex(single)
    _check_no_overlap(single, first_row, rows_word)
    return single.drop(columns=[AGE_MIN, AGE_MAX]).reset_index(drop=True)


def _check_rate_values(rates: pd.DataFrame, first_row: int, rows_word: str) -> None:
    values = rates[[RATE, LOWER, UPPER]].astype(float)
    outside = (values < 0) | (values > 1)
    bad = rates[outside.any(axis=1) | values[RATE].isna()]
    if not bad.empty:
        rows = ", ".join(str(i + first_row) for i in bad.index[:20])
        raise RateTableError(f"Rates must be proportions between 0 and 1 ({rows_word} {rows}).")
    above = rates[(values[LOWER] > values[RATE]) | (values[UPPER] < values[RATE])]
    if not above.empty:
        rows = ", ".join(str(i + first_row) for i in above.index[:20])
        raise RateTableError(f"A bound lies on the wrong side of its rate ({rows_word} {rows}).")


def _persons_to_each_sex(single: pd.DataFrame) -> pd.DataFrame:
    persons = single[single[SEX] == PERSONS]
    by_sex = [persons.assign(**{SEX: sex}) for sex in SEXES]
    return pd.concat([single[single[SEX] != PERSONS], *by_sex], ignore_index=True)


def _check_no_overlap(single: pd.DataFrame, first_row: int, rows_word: str) -> None:
    clash = single[single.duplicated([CONDITION_CODE, SEX, AGE], keep=False)]
    if not clash.empty:
        first = clash.iloc[0]
        rows = sorted({int(r) + first_row for r in clash["source_row"]})[:20]
        raise RateTableError(
            f"Overlapping age bands for condition {first[CONDITION_CODE]!r}, sex {first[SEX]}, "
            f"age {first[AGE]} ({rows_word} {', '.join(map(str, rows))})."
        )


def rate_arrays(rates: pd.DataFrame, *, max_age: int) -> RateArrays:
    """Scatter a banded rate table onto condition × sex × single-age arrays."""
    single = rates_by_single_year(rates, max_age=max_age)
    single = single[single[AGE] <= max_age]
    conditions = tuple(sorted(single[CONDITION_CODE].unique()))
    shape = (len(conditions), len(SEXES), max_age + 1)
    c = single[CONDITION_CODE].map({code: i for i, code in enumerate(conditions)}).to_numpy()
    s = single[SEX].map({sex: i for i, sex in enumerate(SEXES)}).to_numpy()
    a = single[AGE].to_numpy(dtype=int)
    arrays = {name: np.full(shape, np.nan) for name in (RATE, LOWER, UPPER)}
    for name, values in arrays.items():
        values[c, s, a] = single[name].to_numpy(dtype=float)
    covered = np.zeros(shape, dtype=bool)
    covered[c, s, a] = True
    return RateArrays(conditions=conditions, covered=covered, **arrays)


def rates_for_ages(
    arrays: RateArrays,
    *,
    keys: list[str],
    conditions: list[str],
    ages: list[tuple[int, int | None]],
) -> RateArrays:
    """One row per key: its condition's rates kept only in its ages (first, last or None: open).

    A norm counts people of its own ages (NHS Talking Therapies 18 and over, children's services
    under 18) whatever ages the survey rates cover; cutting the single-year arrays keeps the
    estimate exact, where scaling an all-ages total would not be.
    """
    index = [arrays.conditions.index(code) for code in conditions]
    single = np.arange(arrays.rate.shape[2])
    top = single[-1]
    inside = np.array(
        [(single >= lo) & (single <= (top if hi is None else hi)) for lo, hi in ages], dtype=bool
    ).reshape(len(keys), 1, len(single))
    kept = {
        name: np.where(inside, getattr(arrays, name)[index], np.nan)
        for name in ("rate", "lower", "upper")
    }
    return RateArrays(conditions=tuple(keys), covered=arrays.covered[index] & inside, **kept)


def expected_cases_array(population: np.ndarray, rates: RateArrays) -> dict[str, np.ndarray]:
    """Population (area, sex, age, year) × rates → measure → (area, condition, year) arrays.

    Measures: population at risk, expected cases, expected lower and upper. A condition whose
    bounds are not published everywhere it applies gets NaN bounds.
    """
    areas, sexes, ages, years = population.shape
    # (4·condition, sex·age) @ (area, sex·age, year) → (area, 4·condition, year): the population
    # is used in its own memory layout, with no copy, and the result comes out area-first.
    summed = rates.weights() @ population.reshape(areas, sexes * ages, years)
    summed = summed.reshape(areas, len(_MEASURES), -1, years)
    result = {name: summed[:, i] for i, name in enumerate(_MEASURES)}
    lower_ok, upper_ok = rates.bounds_published()
    result[EXPECTED_LOWER][:, ~lower_ok] = np.nan
    result[EXPECTED_UPPER][:, ~upper_ok] = np.nan
    return result


def population_array(
    population: pd.DataFrame, *, max_age: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Long population (area_code, sex, age, count[, year]) → codes, years, (A, 2, ages, Y)."""
    if YEAR not in population:
        population = population.assign(**{YEAR: 0})
    codes, area_index = np.unique(population[AREA_CODE].to_numpy(dtype=str), return_inverse=True)
    years, year_index = np.unique(population[YEAR].to_numpy(dtype=int), return_inverse=True)
    sex_index = population[SEX].map({sex: i for i, sex in enumerate(SEXES)}).to_numpy()
    if np.isnan(sex_index.astype(float)).any():
        raise RateTableError("Population sex must be F or M (split persons counts first).")
    ages = np.clip(population[AGE].to_numpy(dtype=int), 0, max_age)
    array = np.zeros((len(codes), len(SEXES), max_age + 1, len(years)))
    np.add.at(
        array,
        (area_index, sex_index.astype(int), ages, year_index),
        population[COUNT].to_numpy(dtype=float),
    )
    return codes, years, array


def expected_cases(population: pd.DataFrame, rates: pd.DataFrame, *, max_age: int) -> pd.DataFrame:
    """Expected cases per area × condition (× year), with bounds and the rate per 1,000.

    `population`: area_code, sex (F/M), age, count and optionally year. `rates`: condition_code,
    sex (F/M/P), age_min, age_max (missing for an open band), rate, lower, upper. Population
    outside every band of a condition (e.g. children for an adult survey) does not count towards
    that condition.
    """
    arrays = rate_arrays(rates, max_age=max_age)
    codes, years, people = population_array(population, max_age=max_age)
    frame = measures_frame(codes, arrays.conditions, years, expected_cases_array(people, arrays))
    return frame if YEAR in population else frame.drop(columns=[YEAR])


def measures_frame(
    codes: np.ndarray,
    conditions: tuple[str, ...],
    years: np.ndarray,
    measures: dict[str, np.ndarray],
) -> pd.DataFrame:
    """Arrays (area, condition, year) → one long row per area × condition × year."""
    index = pd.MultiIndex.from_product(
        [codes, conditions, years], names=[AREA_CODE, CONDITION_CODE, YEAR]
    )
    frame = pd.DataFrame({name: values.ravel() for name, values in measures.items()}, index=index)
    return with_rate_per_1000(frame.reset_index())


def _per_1000(cases: pd.Series, people: pd.Series) -> np.ndarray:
    people = people.to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(people > 0, cases.to_numpy(dtype=float) / people * 1000.0, np.nan)


def with_rate_per_1000(frame: pd.DataFrame) -> pd.DataFrame:
    """Per 1,000 people at risk and, where residents are known, per 1,000 residents."""
    frame = frame.assign(**{RATE_PER_1000: _per_1000(frame[EXPECTED_CASES], frame[POPULATION])})
    if RESIDENTS in frame:
        frame[PER_1000_RESIDENTS] = _per_1000(frame[EXPECTED_CASES], frame[RESIDENTS])
    return frame


def _sum_keeping_gaps(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    # A bound missing in any area leaves the total's bound missing: a partial sum would mislead.
    grouped = frame.groupby(keys, as_index=False, sort=True)
    totals = grouped[[*_SUMMED, *([RESIDENTS] if RESIDENTS in frame else [])]].sum(min_count=1)
    gaps = grouped[[EXPECTED_LOWER, EXPECTED_UPPER]].agg(lambda s: s.isna().any())
    for column in (EXPECTED_LOWER, EXPECTED_UPPER):
        totals.loc[gaps[column].to_numpy(dtype=bool), column] = np.nan
    return with_rate_per_1000(totals)


def aggregate_to_localities(estimates: pd.DataFrame, membership: pd.DataFrame) -> pd.DataFrame:
    """Sum small-area estimates to localities (`membership`: area_code, locality_code/name).

    Bounds add up because they come from one survey rate applied everywhere: the areas' errors
    move together, so the sum of lower bounds is the lower bound of the sum.
    """
    joined = estimates.merge(membership, on=AREA_CODE, how="inner")
    keys = [LOCALITY_CODE, LOCALITY_NAME, CONDITION_CODE]
    return _sum_keeping_gaps(joined, keys + ([YEAR] if YEAR in joined else []))


def aggregate_to_whole_area(estimates: pd.DataFrame) -> pd.DataFrame:
    keys = [CONDITION_CODE] + ([YEAR] if YEAR in estimates else [])
    return _sum_keeping_gaps(estimates, keys)
