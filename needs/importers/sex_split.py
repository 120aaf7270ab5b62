"""Split small-area persons by sex: England's female share at each age, raked to the area's sex.

Pure: pandas and numpy only, no Django. ONS small-area population estimates reach analysts as
persons by single year of age, but prevalence rates come by sex. Each area × age count P(a) is
split with England's female share at that age, s(a), from the ONS mid-year estimates. Where the
area's own sex totals are known (Census 2021 TS008, already on the population's area codes), the
female odds at every age are multiplied by one number θ for the area, chosen so that the area's
females add up to its census female share × its persons total:

    female(a) = P(a) · s(a)θ / (s(a)θ + 1 − s(a)),    male(a) = P(a) − female(a)

This is the fixed point of iterative proportional fitting with two margins (each age's persons
total, and the area's sex split), solved here directly: Newton's method on log θ, kept inside a
bracket that always holds the root, for all areas at once. Every output count is modelled, and
the `method` column says how. docs/methods/sex-split.md explains the method for analysts.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from needs.columns import AGE, AREA_CODE, COUNT, SEX

FEMALE = "F"
MALE = "M"
FEMALES = "female"  # count columns of the seed and of the sex totals
MALES = "male"
METHOD = "method"
PERSONS = "persons"
TARGET_SHARE = "target_female_share"
FEMALE_SHARE = "female_share"
ODDS_MULTIPLIER = "odds_multiplier"
OLDEST = 90  # the ONS open age band "90 and over"
AGE_COUNT = OLDEST + 1

RAKED = "raked to Census 2021 sex totals"
SEED_ONLY = "England ratio by age only (no sex totals for this area)"
UNIFORM = "Census 2021 female share at every age (no England ratio by age)"
METHODS = (RAKED, SEED_ONLY, UNIFORM)

SEED_PATH = Path(__file__).resolve().parents[2] / "fixtures" / "england_population_sex_age.csv"
# The counts in SEED_PATH, copied from the ONS workbook; their total is MYE1's England figure.
SEED_SOURCE = (
    "Office for National Statistics, Population estimates for the UK, England and Wales, "
    "Scotland and Northern Ireland: mid-2020 (released 25 June 2021), tables MYE2 - Females and "
    "MYE2 - Males, England (E92000001), single year of age 0 to 89 and 90+, "
    "Open Government Licence v3.0; England total 56,550,138 = 28,567,320 females + 27,982,818 "
    "males (MYE1). Copied to fixtures/england_population_sex_age.csv."
)

TOLERANCE = 1e-12  # relative error of each area's female (and male) total at convergence
MAX_ITERATIONS = 200  # bisection alone would need about 60 to reach double precision
MAX_REPORTED = 20


@dataclass(frozen=True)
class SplitResult:
    """The split and how it was made.

    frame: the persons' key columns, age, sex ("F" then "M"), count (float) and method.
    areas: one row per area: its key columns, persons, target_female_share (NaN where none),
        female_share achieved (NaN for an area with no people), odds_multiplier θ and method.
    summary: number of areas by method.
    """

    frame: pd.DataFrame
    areas: pd.DataFrame
    summary: dict[str, int]


def seed_from_fixture(path: Path | None = None) -> pd.DataFrame:
    """England's females and males by single year of age (0 to 90, 90 = 90 and over).

    Reads fixtures/england_population_sex_age.csv (SEED_SOURCE) unless another path is given, and
    checks it as split_persons would. Returns columns age, female, male.
    """
    seed = pd.read_csv(path or SEED_PATH, usecols=[AGE, FEMALES, MALES])
    _female_share_by_age(seed)
    return seed


def split_persons(
    persons: pd.DataFrame, *, seed: pd.DataFrame | None, sex_totals: pd.DataFrame | None = None
) -> SplitResult:
    """Split persons counts by sex, keeping every area × age total.

    persons: area_code, age (0 to 90), count, and any other key columns (year, area_name, …),
        which are kept; the rows sharing all key columns but age are one area.
    seed: England's counts by age (age, female, male), or None to split each area uniformly at
        its census female share (every area then needs sex totals).
    sex_totals: area_code, female, male, on the persons' area codes. Only the female share is
        used, because census day and the estimate's reference date differ.
    Raises ValueError naming the bad rows or areas.
    """
    keys, ages, counts = _check_persons(persons)
    codes, areas = _areas(persons, keys)
    population = _population_matrix(persons, codes, ages, counts, len(areas))
    target = _target_share(areas[AREA_CODE], sex_totals)
    if seed is None:
        share, log_theta = _uniform(areas, target)
    else:
        share, log_theta = _raked(population, _female_share_by_age(seed), target)
    female = counts * share[codes, ages]
    male = counts - female
    method = _methods(target, uniform=seed is None)
    areas = _area_table(areas, population, share, target, log_theta, method)
    frame = _frame(persons, keys, female, male, method[codes])
    return SplitResult(frame=frame, areas=areas, summary=_summary(method))


def _check_persons(persons: pd.DataFrame) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The key columns (all but age and count), the ages and the counts, once checked."""
    missing = [column for column in (AREA_CODE, AGE, COUNT) if column not in persons.columns]
    if missing:
        raise ValueError(f"persons: missing column(s) {', '.join(missing)}.")
    ages = pd.to_numeric(persons[AGE], errors="coerce")
    bad_age = ~ages.isin(range(AGE_COUNT))
    _fail_rows("persons", persons, bad_age, f"age is not a whole number from 0 to {OLDEST}")
    counts = pd.to_numeric(persons[COUNT], errors="coerce")
    bad_count = ~np.isfinite(counts) | (counts < 0)
    _fail_rows("persons", persons, bad_count, "count is missing, negative or not a number")
    keys = [column for column in persons.columns if column not in (AGE, COUNT)]
    return keys, ages.to_numpy(dtype=np.int64), counts.to_numpy(dtype=float)


def _fail_rows(label: str, frame: pd.DataFrame, bad: pd.Series, problem: str) -> None:
    if bad.any():
        rows = np.flatnonzero(bad.to_numpy())
        shown = ", ".join(str(row) for row in rows[:MAX_REPORTED])
        raise ValueError(
            f"{label}: {len(rows)} row(s) where {problem} (row positions from 0: {shown})."
        )


def _areas(persons: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Each row's area number (0, 1, … in order of first appearance) and the areas' keys.

    Population files list each area's ages together, so a new area starts wherever a key differs
    from the row above: far quicker than hashing millions of codes. Areas split across the file
    are numbered by grouping instead.
    """
    starts = np.ones(len(persons), dtype=bool)
    starts[1:] = False
    for key in keys:
        values = persons[key].to_numpy()
        starts[1:] |= values[1:] != values[:-1]
    codes = np.cumsum(starts) - 1
    areas = persons.iloc[np.flatnonzero(starts)][keys]
    if areas.duplicated().any():
        codes = persons.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
        _, first = np.unique(codes, return_index=True)
        areas = persons.iloc[first][keys]
    if areas[AREA_CODE].isna().any():
        raise ValueError("persons: some rows have no area_code.")
    return codes, areas.reset_index(drop=True)


def _population_matrix(
    persons: pd.DataFrame,
    codes: np.ndarray,
    ages: np.ndarray,
    counts: np.ndarray,
    area_count: int,
) -> np.ndarray:
    """Persons as an areas × ages matrix (zero where a row is absent); one row per cell."""
    cell = codes * AGE_COUNT + ages
    repeats = np.bincount(cell, minlength=area_count * AGE_COUNT) > 1
    if repeats.any():
        bad = pd.Series(repeats[cell])
        _fail_rows("persons", persons, bad, "the same area and age appear more than once")
    population = np.zeros(area_count * AGE_COUNT)
    population[cell] = counts
    return population.reshape(area_count, AGE_COUNT)


def _female_share_by_age(seed: pd.DataFrame) -> np.ndarray:
    """s(a) = female / (female + male) for ages 0 to 90, after checking the seed table."""
    missing = [column for column in (AGE, FEMALES, MALES) if column not in seed.columns]
    if missing:
        raise ValueError(f"seed: missing column(s) {', '.join(missing)}.")
    ages = pd.to_numeric(seed[AGE], errors="coerce")
    if sorted(ages.tolist()) != list(range(AGE_COUNT)):
        raise ValueError(f"seed: needs one row for each age 0 to {OLDEST} (90 = 90 and over).")
    counts = seed[[FEMALES, MALES]].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(counts).all() or (counts < 0).any():
        raise ValueError("seed: female and male must be numbers, not negative.")
    persons = counts.sum(axis=1)
    if (persons <= 0).any():
        empty = ", ".join(str(int(age)) for age in ages[persons <= 0])
        raise ValueError(f"seed: no people at age(s) {empty}, so no female share there.")
    share = np.empty(AGE_COUNT)
    share[ages.to_numpy(dtype=np.int64)] = counts[:, 0] / persons
    return share


def _target_share(area_codes: pd.Series, sex_totals: pd.DataFrame | None) -> np.ndarray:
    """Each area's census female share, NaN where the area has no (or all-zero) sex totals."""
    target = np.full(len(area_codes), np.nan)
    if sex_totals is None:
        return target
    missing = [column for column in (AREA_CODE, FEMALES, MALES) if column not in sex_totals]
    if missing:
        raise ValueError(f"sex_totals: missing column(s) {', '.join(missing)}.")
    if sex_totals[AREA_CODE].duplicated().any():
        repeated = sex_totals.loc[sex_totals[AREA_CODE].duplicated(), AREA_CODE].head(5)
        raise ValueError(f"sex_totals: area_code repeated ({', '.join(map(str, repeated))}).")
    counts = sex_totals[[FEMALES, MALES]].apply(pd.to_numeric, errors="coerce")
    bad = ~np.isfinite(counts).all(axis=1) | (counts < 0).any(axis=1)
    _fail_rows("sex_totals", sex_totals, bad, "female or male is missing or negative")
    total = counts.sum(axis=1).to_numpy()
    share = np.full(len(total), np.nan)
    np.divide(counts[FEMALES].to_numpy(), total, out=share, where=total > 0)
    found = pd.Index(sex_totals[AREA_CODE]).get_indexer(area_codes)
    target[found >= 0] = share[found[found >= 0]]
    return target


def _uniform(areas: pd.DataFrame, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The fallback without a seed: the area's census female share at every age."""
    unknown = np.isnan(target)
    if unknown.any():
        codes = ", ".join(map(str, areas.loc[unknown, AREA_CODE].head(MAX_REPORTED)))
        raise ValueError(
            f"{unknown.sum()} area(s) have neither an England ratio by age nor sex totals, so "
            f"cannot be split: {codes}. Give sex totals for them or an England seed."
        )
    share = np.repeat(target[:, np.newaxis], AGE_COUNT, axis=1)
    return share, np.full(len(target), np.nan)


def _raked(
    population: np.ndarray, seed_share: np.ndarray, target: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Female share of each area × age cell, and each area's log θ (0 where no target)."""
    with np.errstate(divide="ignore"):
        male_odds = (1.0 - seed_share) / seed_share  # inf where s(a) is 0, 0 where it is 1
    log_theta = np.zeros(len(target))
    known = ~np.isnan(target)
    log_theta[known] = _solve_log_theta(population[known], male_odds, target[known])
    with np.errstate(invalid="ignore", over="ignore"):
        share = 1.0 / (1.0 + male_odds[np.newaxis, :] * np.exp(-log_theta)[:, np.newaxis])
    limit = np.isinf(log_theta)  # θ = 0 or ∞: every age that can be is all male or all female
    share[limit] = np.where(log_theta[limit, np.newaxis] > 0, seed_share > 0, seed_share == 1)
    return share, log_theta


def _solve_log_theta(
    population: np.ndarray, male_odds: np.ndarray, target: np.ndarray
) -> np.ndarray:
    """log θ per area so that its females are target × its persons.

    Ages where s(a) is 0 or 1 are all male or all female whatever θ is, so only the other
    ("free") ages are fitted, to the females still wanted there. A target the free ages cannot
    reach (no females wanted there, or all of them) takes the limit θ = 0 or ∞.
    """
    free = (male_odds > 0) & np.isfinite(male_odds)
    fixed_female = population[:, male_odds == 0].sum(axis=1)
    free_persons = population[:, free].sum(axis=1)
    wanted = target * population.sum(axis=1) - fixed_female
    log_theta = np.where(wanted <= 0, -np.inf, np.where(wanted >= free_persons, np.inf, 0.0))
    log_theta[free_persons == 0] = 0.0  # nobody at the free ages: θ changes nothing
    solve = (wanted > 0) & (wanted < free_persons)
    if solve.any():
        log_theta[solve] = _newton(population[solve][:, free], male_odds[free], wanted[solve])
    return log_theta


def _newton(population: np.ndarray, male_odds: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Newton's method on x = log θ, falling back to bisection whenever a step leaves the bracket.

    The females g(x) = Σ P(a) / (1 + r(a)·e^−x), with r(a) the male odds at age a, rise with x.
    Were everyone at the age with the highest female share, x = logit(t) + log min r would give
    share t exactly; so the root lies between that and the same with the lowest share.
    """
    persons = population.sum(axis=1)
    wanted_logit = np.log(wanted) - np.log(persons - wanted)
    low = wanted_logit + np.log(male_odds.min())
    high = wanted_logit + np.log(male_odds.max())
    seed_female = population @ (1.0 / (1.0 + male_odds))
    x = np.clip(wanted_logit - np.log(seed_female / (persons - seed_female)), low, high)
    scale = np.minimum(wanted, persons - wanted)
    active = np.ones(len(x), dtype=bool)
    for _ in range(MAX_ITERATIONS):
        rows = np.flatnonzero(active)
        if rows.size == 0:
            break
        cells = population if rows.size == len(x) else population[rows]
        now = x[rows]
        share = male_odds[np.newaxis, :] * np.exp(-now)[:, np.newaxis]
        share += 1.0
        np.reciprocal(share, out=share)  # σ(log θ − log r(a)), the female share at each age
        female = cells * share
        residual = female.sum(axis=1) - wanted[rows]
        slope = female.sum(axis=1) - np.einsum("ij,ij->i", female, share)  # Σ P·q·(1 − q)
        low[rows] = np.where(residual < 0, now, low[rows])
        high[rows] = np.where(residual > 0, now, high[rows])
        with np.errstate(divide="ignore", invalid="ignore"):
            step = now - residual / slope
        inside = np.isfinite(step) & (step > low[rows]) & (step < high[rows])
        done = (np.abs(residual) <= TOLERANCE * scale[rows]) | (
            high[rows] - low[rows] <= 4 * np.finfo(float).eps * np.maximum(1.0, np.abs(now))
        )
        x[rows] = np.where(done, now, np.where(inside, step, 0.5 * (low[rows] + high[rows])))
        active[rows[done]] = False
    return x


def _methods(target: np.ndarray, *, uniform: bool) -> np.ndarray:
    """Each area's method, as its position in METHODS."""
    if uniform:
        return np.full(len(target), METHODS.index(UNIFORM))
    return np.where(np.isnan(target), METHODS.index(SEED_ONLY), METHODS.index(RAKED))


def _area_table(
    areas: pd.DataFrame,
    population: np.ndarray,
    share: np.ndarray,
    target: np.ndarray,
    log_theta: np.ndarray,
    method: np.ndarray,
) -> pd.DataFrame:
    """One row per area: what it was fitted to and what it got, for checking the split."""
    persons = population.sum(axis=1)
    female = (population * share).sum(axis=1)
    achieved = np.full(len(persons), np.nan)
    np.divide(female, persons, out=achieved, where=persons > 0)
    return areas.assign(
        **{
            PERSONS: persons,
            TARGET_SHARE: target,
            FEMALE_SHARE: achieved,
            ODDS_MULTIPLIER: np.exp(log_theta),  # 0 or inf for a share of 0 or 1
            METHOD: pd.Categorical.from_codes(method, METHODS),
        }
    )


def _frame(
    persons: pd.DataFrame, keys: list[str], female: np.ndarray, male: np.ndarray, method: np.ndarray
) -> pd.DataFrame:
    """Females (in the persons' row order), then males; sex and method as categories."""
    base = persons[[*keys, AGE]]
    frame = pd.concat([base, base], ignore_index=True)
    frame[SEX] = pd.Categorical.from_codes(np.repeat([0, 1], len(persons)), [FEMALE, MALE])
    frame[COUNT] = np.concatenate([female, male])
    frame[METHOD] = pd.Categorical.from_codes(np.tile(method, 2), METHODS)
    return frame


def _summary(method: np.ndarray) -> dict[str, int]:
    counts = np.bincount(method, minlength=len(METHODS))
    return {name: int(count) for name, count in zip(METHODS, counts, strict=True) if count}
