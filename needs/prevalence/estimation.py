"""Expected cases from population and published prevalence rates. Pure: no Django, no I/O.

Expected cases in an area = Σ over sex and single year of age of population × rate, where a rate
published for an age band (e.g. 16-24, or an open 75+) applies to every single year in the band.

Each published cell (a condition's rate for one sex and age band) comes from its own respondents,
so the cells' errors are independent: the 95% bounds combine them in quadrature, E ∓ √Σ (people in
cell k × (rate_k − lower_k))², not by adding every cell's bound (which would assume every band is
wrong in the same direction, and make a county's interval several times too wide). Within one
cell the error is shared by every area, so an area's, a locality's and the whole area's bounds are
each taken from the people of that unit in each cell (`with_bounds`). Where any cell a condition
uses has no published or derived bound, that condition's bounds are missing rather than guessed.

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
BAND_PEOPLE = "band_people"  # (area, band, year): people in each distinct sex × age band
CONDITION_WEIGHTS = "condition_weights"  # (area, condition): e.g. the deprivation weights
DEV_BELOW, DEV_ABOVE = "_dev_below_", "_dev_above_"  # per-cell error columns, summed over areas


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
    # The published cells: each one's band (a distinct sex × age coverage, shared by every
    # condition published on the same bands) and its distance from rate to lower and upper bound.
    bands: np.ndarray  # (D, sex, age) bool: where each distinct band applies
    cell_condition: np.ndarray  # (K,) the condition of each cell
    cell_band: np.ndarray  # (K,) the band of each cell
    below: np.ndarray  # (K,) rate − lower (NaN where not published or derived)
    above: np.ndarray  # (K,) upper − rate

    def weights(self) -> np.ndarray:
        """(2·C + D, sex·age): rows for population at risk, expected cases and band people."""
        flat = [a.reshape(len(a), -1) for a in (self.covered, self.rate, self.bands)]
        return np.nan_to_num(np.concatenate(flat).astype(float), nan=0.0)

    def squared_deviations(self) -> tuple[np.ndarray, np.ndarray]:
        """(C, D) each: a condition's squared distance to its lower / upper bound in each band."""
        shape = (len(self.conditions), len(self.bands))
        below, above = np.zeros(shape), np.zeros(shape)
        below[self.cell_condition, self.cell_band] = self.below**2
        above[self.cell_condition, self.cell_band] = self.above**2
        return np.nan_to_num(below), np.nan_to_num(above)

    def cells_of(self, condition: int) -> np.ndarray:
        """Indices of a condition's cells, in a fixed order."""
        return np.flatnonzero(self.cell_condition == condition)

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
    """Scatter a banded rate table onto condition × sex × single-age arrays, with its cells."""
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
    return RateArrays(conditions=conditions, covered=covered, **arrays, **_cells(single, shape))


def _cells(single: pd.DataFrame, shape: tuple[int, int, int]) -> dict[str, np.ndarray]:
    """Each published row is one cell (a persons row is one cell over both sexes); cells that
    cover the same sexes and ages share a band, whatever their condition."""
    conditions = {code: i for i, code in enumerate(sorted(single[CONDITION_CODE].unique()))}
    sex_index = {sex: i for i, sex in enumerate(SEXES)}
    masks, band_of, cell_band, cell_condition, below, above = [], {}, [], [], [], []
    for _, cell in single.groupby("source_row", sort=True):
        mask = np.zeros(shape[1:], dtype=bool)
        mask[cell[SEX].map(sex_index).to_numpy(), cell[AGE].to_numpy(dtype=int)] = True
        key = mask.tobytes()
        if key not in band_of:
            band_of[key] = len(masks)
            masks.append(mask)
        first = cell.iloc[0]
        rate, low, high = pd.to_numeric(first[[RATE, LOWER, UPPER]], errors="coerce").astype(float)
        cell_band.append(band_of[key])
        cell_condition.append(conditions[first[CONDITION_CODE]])
        below.append(rate - low)  # NaN where no bound: the condition's bounds are then missing
        above.append(high - rate)
    return {
        "bands": np.array(masks, dtype=bool).reshape(-1, *shape[1:]),
        "cell_condition": np.array(cell_condition, dtype=int),
        "cell_band": np.array(cell_band, dtype=int),
        "below": np.array(below, dtype=float),
        "above": np.array(above, dtype=float),
    }


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
    return RateArrays(
        conditions=tuple(keys),
        covered=arrays.covered[index] & inside,
        **kept,
        **_cells_within(arrays, index, inside),
    )


def _cells_within(arrays: RateArrays, index: list[int], inside: np.ndarray) -> dict:
    """Each key's cells: its condition's cells cut to the key's ages (empty ones dropped), their
    bands shared where they cover the same sexes and ages."""
    masks: list[np.ndarray] = []
    band_of: dict[bytes, int] = {}
    cell_band, cell_condition, below, above = [], [], [], []
    for key, condition in enumerate(index):
        for cell in arrays.cells_of(condition):
            mask = arrays.bands[arrays.cell_band[cell]] & inside[key]
            if not mask.any():
                continue
            band = band_of.setdefault(mask.tobytes(), len(masks))
            if band == len(masks):
                masks.append(mask)
            cell_band.append(band)
            cell_condition.append(key)
            below.append(arrays.below[cell])
            above.append(arrays.above[cell])
    return {
        "bands": np.array(masks, dtype=bool).reshape(-1, *arrays.bands.shape[1:]),
        "cell_condition": np.array(cell_condition, dtype=int),
        "cell_band": np.array(cell_band, dtype=int),
        "below": np.array(below, dtype=float),
        "above": np.array(above, dtype=float),
    }


def expected_cases_array(population: np.ndarray, rates: RateArrays) -> dict[str, np.ndarray]:
    """Population (area, sex, age, year) × rates → measure → (area, condition, year) arrays.

    Measures: population at risk, expected cases, and the 95% bounds, the cells' errors combined
    in quadrature within each area; also the people in each band (`BAND_PEOPLE`, for the bounds
    of any sum of areas). A condition whose bounds are not known everywhere it applies gets NaN
    bounds.
    """
    areas, sexes, ages, years = population.shape
    conditions = len(rates.conditions)
    # (2·C + D, sex·age) @ (area, sex·age, year) → (area, 2·C + D, year): one matrix product,
    # the population in its own memory layout with no copy, the result area-first.
    summed = rates.weights() @ population.reshape(areas, sexes * ages, years)
    band_people = summed[:, 2 * conditions :]
    expected = summed[:, conditions : 2 * conditions]
    lower, upper = _bounds(expected, band_people, rates)
    result = {
        POPULATION: summed[:, :conditions],
        EXPECTED_CASES: expected,
        EXPECTED_LOWER: lower,
        EXPECTED_UPPER: upper,
        BAND_PEOPLE: band_people,
    }
    return result


_CHUNK_AREAS = 256  # areas per step of the bounds: a step's buffers (~3 MB) stay in cache


def _bounds(
    expected: np.ndarray, band_people: np.ndarray, rates: RateArrays
) -> tuple[np.ndarray, np.ndarray]:
    """expected ∓ √(Σ_band people² × distance²): (area, condition, year) lower and upper.

    Worked a chunk of areas at a time, each step writing into one (area, 2C, year) buffer in
    place, so no full-size temporary is made; the two bounds are views of it. A condition
    with a cell of unknown bounds gets NaN bounds.
    """
    conditions = expected.shape[1]
    below, above = rates.squared_deviations()
    distances = np.concatenate([below, above])  # (2C, D)
    areas, _, years = band_people.shape
    out = np.empty((areas, 2 * conditions, years))
    for start in range(0, areas, _CHUNK_AREAS):
        part = slice(start, start + _CHUNK_AREAS)
        spread = out[part]
        np.matmul(distances, np.square(band_people[part]), out=spread)  # variances
        np.sqrt(spread, out=spread)
        low, high = spread[:, :conditions], spread[:, conditions:]
        # No clip at 0 is needed: √Σ(P·d)² ≤ ΣP·d, so E − √Σ(P·d)² ≥ Σ P·lower ≥ 0.
        np.subtract(expected[part], low, out=low)
        np.add(expected[part], high, out=high)
    lower, upper = out[:, :conditions], out[:, conditions:]
    lower_ok, upper_ok = rates.bounds_published()
    lower[:, ~lower_ok] = np.nan
    upper[:, ~upper_ok] = np.nan
    return lower, upper


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
    measures = expected_cases_array(people, arrays)
    frame = measures_frame(codes, arrays.conditions, years, measures, rates=arrays)
    return frame if YEAR in population else frame.drop(columns=[YEAR])


def measures_frame(
    codes: np.ndarray,
    conditions: tuple[str, ...],
    years: np.ndarray,
    measures: dict[str, np.ndarray],
    rates: RateArrays | None = None,
) -> pd.DataFrame:
    """Arrays (area, condition, year) → one long row per area × condition × year.

    With `rates`, each row also carries its condition's per-cell errors (people in the cell ×
    distance to the bound, times any condition weight), which add up over areas: the bounds of
    a sum of areas come from them (`aggregate_to_localities`, `aggregate_to_whole_area`).
    """
    index = pd.MultiIndex.from_product(
        [codes, conditions, years], names=[AREA_CODE, CONDITION_CODE, YEAR]
    )
    columns = {
        name: values.ravel()
        for name, values in measures.items()
        if name not in (BAND_PEOPLE, CONDITION_WEIGHTS)
    }
    if rates is not None and BAND_PEOPLE in measures:
        columns |= _cell_errors(measures, rates)
    frame = pd.DataFrame(columns, index=index)
    return with_rate_per_1000(frame.reset_index())


def _cell_errors(measures: dict[str, np.ndarray], rates: RateArrays) -> dict[str, np.ndarray]:
    band_people = measures[BAND_PEOPLE]  # (area, band, year)
    areas, _, years = band_people.shape
    conditions = len(rates.conditions)
    weights = measures.get(CONDITION_WEIGHTS, np.ones((areas, conditions)))
    most = max((len(rates.cells_of(i)) for i in range(conditions)), default=0)
    errors = {}
    for prefix, distance in ((DEV_BELOW, rates.below), (DEV_ABOVE, rates.above)):
        for k in range(most):
            column = np.zeros((areas, conditions, years))
            for i in range(conditions):
                cells = rates.cells_of(i)
                if k < len(cells):
                    cell = cells[k]
                    people = band_people[:, rates.cell_band[cell]]
                    column[:, i] = people * distance[cell] * weights[:, i, None]
            errors[f"{prefix}{k}"] = column.ravel()
    return errors


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


def _error_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c.startswith((DEV_BELOW, DEV_ABOVE))]


def with_bounds(frame: pd.DataFrame) -> pd.DataFrame:
    """Bounds from the summed per-cell errors, in quadrature; the error columns dropped."""
    errors = _error_columns(frame)
    if not errors:
        return frame
    cases = frame[EXPECTED_CASES].to_numpy(float)
    for column, prefix, sign in ((EXPECTED_LOWER, DEV_BELOW, -1), (EXPECTED_UPPER, DEV_ABOVE, 1)):
        parts = frame[[c for c in errors if c.startswith(prefix)]].to_numpy(float)
        bound = cases + sign * np.sqrt((parts**2).sum(axis=1))
        known = frame[column].notna().to_numpy()
        frame[column] = np.where(known, np.clip(bound, 0.0, None), np.nan)
    return frame.drop(columns=errors)


def _sum_keeping_gaps(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    # A bound missing in any area leaves the total's bound missing: a partial one would mislead.
    grouped = frame.groupby(keys, as_index=False, sort=True)
    summed = [*_SUMMED, *([RESIDENTS] if RESIDENTS in frame else []), *_error_columns(frame)]
    totals = grouped[summed].sum(min_count=1)
    gaps = grouped[[EXPECTED_LOWER, EXPECTED_UPPER]].agg(lambda s: s.isna().any())
    for column in (EXPECTED_LOWER, EXPECTED_UPPER):
        totals.loc[gaps[column].to_numpy(dtype=bool), column] = np.nan
    return with_rate_per_1000(with_bounds(totals))


def aggregate_to_localities(estimates: pd.DataFrame, membership: pd.DataFrame) -> pd.DataFrame:
    """Sum small-area estimates to localities (`membership`: area_code, locality_code/name).

    A cell's error is shared by every area (one survey rate applied everywhere), so the per-cell
    errors add up over areas; the locality's bounds then combine its cells in quadrature. Without
    per-cell errors (a frame from elsewhere) the bounds are summed as they are.
    """
    joined = estimates.merge(membership, on=AREA_CODE, how="inner")
    keys = [LOCALITY_CODE, LOCALITY_NAME, CONDITION_CODE]
    return _sum_keeping_gaps(joined, keys + ([YEAR] if YEAR in joined else []))


def aggregate_to_whole_area(estimates: pd.DataFrame) -> pd.DataFrame:
    keys = [CONDITION_CODE] + ([YEAR] if YEAR in estimates else [])
    return _sum_keeping_gaps(estimates, keys)
