"""Need for any year: read the inputs through selectors, compute with the pure modules.

Used by the need pages and downloads; writes nothing.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from needs import columns as c
from needs import selectors as needs_selectors
from needs.demography import conservation, deprivation, projection
from needs.models import MAX_AGE, Condition, LocalityScheme
from needs.prevalence import estimation

UNIT_NAME = "unit_name"


class NeedUnavailable(ValueError):
    """The estimate cannot be made as asked; the message says what to load or choose."""


NOT_ADJUSTED = "Not adjusted for deprivation"


@dataclass(frozen=True)
class NeedEstimates:
    year: int
    base_year: int
    conditions: list[Condition]
    small_areas: pd.DataFrame
    localities: pd.DataFrame
    whole_area: pd.DataFrame
    deprivation_note: str = ""

    @property
    def projected(self) -> bool:
        return self.year != self.base_year

    @property
    def risks_missing(self) -> bool:
        """The adjustment for deprivation was asked for but not made: no relative risks."""
        return self.deprivation_note.startswith(NOT_ADJUSTED)


def need_estimates(
    *,
    year: int | None,
    scheme: LocalityScheme,
    conditions: list[Condition],
    adjust_for_deprivation: bool = False,
) -> NeedEstimates:
    base_year = needs_selectors.latest_population_year(scheme=scheme)
    if base_year is None:
        raise NeedUnavailable(
            f"No population year covers the whole area of {scheme.name!r} yet: load the "
            "population estimates (Data page)."
        )
    year = year or base_year
    population = needs_selectors.population_frame(
        year=base_year, codes=needs_selectors.scheme_area_codes(scheme=scheme)
    )
    membership = needs_selectors.locality_membership_frame(scheme=scheme)
    try:  # nobody is lost: every resident of the area is in a locality of the scheme
        conservation.residents_check(population, membership, scheme=scheme.name)
    except conservation.ResidentsLost as error:
        raise NeedUnavailable(str(error)) from error
    codes, _, people = estimation.population_array(population, max_age=MAX_AGE)
    people = _for_year(people, codes, base_year=base_year, year=year)
    rates = needs_selectors.rates_frame_for(conditions=conditions)
    try:
        arrays = estimation.rate_arrays(rates, max_age=MAX_AGE)
    except estimation.RateTableError as error:
        raise NeedUnavailable(f"The stored rates cannot be used: {error}") from error
    measures = estimation.expected_cases_array(people, arrays)
    note = ""
    if adjust_for_deprivation:
        note = apply_deprivation_adjustment(measures, codes, conditions, arrays.conditions)
    residents = people.sum(axis=(1, 2))  # (area, year): everyone, for "per 1,000 residents"
    measures[c.RESIDENTS] = np.repeat(residents[:, None, :], len(arrays.conditions), axis=1)
    small = estimation.measures_frame(
        codes, arrays.conditions, np.array([year]), measures, rates=arrays
    )
    names = needs_selectors.area_names_frame(codes=list(small[c.AREA_CODE].unique()))
    return NeedEstimates(
        year=year,
        base_year=base_year,
        conditions=conditions,
        small_areas=small.merge(names.rename(columns={"unit_code": c.AREA_CODE}), on=c.AREA_CODE),
        localities=estimation.aggregate_to_localities(small, membership),
        whole_area=estimation.aggregate_to_whole_area(small),
        deprivation_note=note,
    )


def apply_deprivation_adjustment(
    measures: dict[str, np.ndarray],
    codes: np.ndarray,
    conditions: list[Condition],
    order: tuple[str, ...],
) -> str:
    """Re-weight the estimates by IMD quintile in place; return the sentence that says so."""
    by_code = {condition.code: condition for condition in conditions}
    ordered = [by_code[code] for code in order]
    risks, sources = needs_selectors.relative_risk_matrix(conditions=ordered)
    lacking = [
        condition.name for condition, row in zip(ordered, risks, strict=True) if np.isnan(row).any()
    ]
    if lacking:  # no published risks: the adjustment stays off, and the note says why
        return (
            f"{NOT_ADJUSTED}: no published relative risks by deprivation are "
            f"loaded for {', '.join(lacking)}. An analyst can load them on the Data page "
            "(Relative risks by deprivation); until then need uses the national rates "
            "as they stand."
        )
    deciles = needs_selectors.imd_deciles(codes=list(codes)).reindex(codes).to_numpy(float)
    quintiles = deprivation.quintile_of_decile(deciles)
    weights = deprivation.weights(quintiles, risks)  # (area, condition)
    for name in (c.EXPECTED_CASES, c.EXPECTED_LOWER, c.EXPECTED_UPPER):
        measures[name] = measures[name] * weights[:, :, None]
    measures[estimation.CONDITION_WEIGHTS] = weights  # the bounds of sums of areas follow them
    unknown = int((quintiles == 0).sum())
    return (
        "Adjusted for deprivation: each small area's estimate is weighted by the relative risk "
        f"of its IMD quintile ({'; '.join(sources)}), normalised so that England as a whole "
        "keeps the survey's rate; the local total is not held fixed, so an area more deprived "
        "than England has more need than the national rates alone give."
        + (f" {unknown} small areas without an IMD decile were left unweighted." if unknown else "")
    )


def _for_year(people: np.ndarray, codes: np.ndarray, *, base_year: int, year: int) -> np.ndarray:
    if year == base_year:
        return people
    if year < base_year:
        raise NeedUnavailable(
            f"Population is loaded for {base_year}; choose {base_year} or a projected year."
        )
    frame = needs_selectors.projections_frame(years=[base_year, year])
    try:
        authorities, factors = projection.growth_factors(
            frame, base_year=base_year, years=[year], max_age=MAX_AGE
        )
        authority = needs_selectors.authority_of_small_areas(codes=list(codes))
        index = pd.Index(authorities).get_indexer(authority.reindex(codes).to_numpy())
        return projection.project(people, index, factors)
    except projection.ProjectionError as error:
        raise NeedUnavailable(str(error)) from error


def whole_area_by_population_year(
    *, scheme: LocalityScheme, conditions: list[Condition]
) -> pd.DataFrame:
    """Expected cases for the whole area in each loaded population year that covers it, the
    same rates applied to each year's mid-year estimates (so only the population changes):
    condition_code, year, expected_cases, expected_lower, expected_upper; empty when no rates."""
    years = sorted(needs_selectors.complete_population_years(scheme=scheme))
    columns = [c.CONDITION_CODE, c.YEAR, c.EXPECTED_CASES, c.EXPECTED_LOWER, c.EXPECTED_UPPER]
    rates = needs_selectors.rates_frame_for(conditions=conditions)
    if not years or rates.empty:
        return pd.DataFrame(columns=columns)
    codes = needs_selectors.scheme_area_codes(scheme=scheme)
    population = pd.concat(
        [
            needs_selectors.population_frame(year=year, codes=codes).assign(**{c.YEAR: year})
            for year in years  # a handful of years
        ],
        ignore_index=True,
    )
    try:
        small = estimation.expected_cases(population, rates, max_age=MAX_AGE)
    except estimation.RateTableError as error:
        raise NeedUnavailable(f"The stored rates cannot be used: {error}") from error
    return estimation.aggregate_to_whole_area(small)[columns]
