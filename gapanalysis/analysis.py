"""One run's computation: read its inputs through selectors, compute with the pure modules.

Nothing here writes to the database; `services.analysis_execute` stores what this returns. Every
norm of the run is computed at once: need for all their conditions in one estimation, provision
for all their service types in one attribution, and the gap table for every unit × norm.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.conf import settings

from gapanalysis import compute, run_maps, statements
from gapanalysis.models import AnalysisRun, Norm, ResultLevel
from needs import columns as c
from needs import map_documents, maps
from needs import selectors as needs_selectors
from needs.demography import conservation, localities
from needs.labels import data_label
from needs.models import MAX_AGE
from needs.prevalence import estimates, estimation
from provision import attribution, baseline
from provision import selectors as provision_selectors
from provision.models import CapacityUnit

UNIT_NAME = maps.NAME_COLUMN
WHOLE_AREA_CODE = "whole_area"


class AnalysisInputError(ValueError):
    """The run's inputs are missing or unusable; the message says which and what to do."""


@dataclass
class RunOutput:
    results: list[dict] = field(default_factory=list)
    maps: list[dict] = field(default_factory=list)
    statements: list[dict] = field(default_factory=list)
    groups: list[dict] = field(default_factory=list)
    inputs: dict = field(default_factory=dict)


def compute_run(*, run: AnalysisRun, on_progress: Callable[[int, str], None]) -> RunOutput:
    norms = list(run.norms.select_related("condition").order_by("code"))
    on_progress(10, "Loading population, rates and localities")
    area_codes, population, rates, membership = _need_inputs(run, norms)
    residents = _residents(run, area_codes, population, membership)
    on_progress(25, "Estimating need")
    small, deprivation_note = _estimate(run, norms, population, rates)
    on_progress(45, "Attributing provision to small areas")
    financial_year = run.inputs.get("financial_year") or provision_selectors.latest_financial_year()
    services, service_norms, attributed = _provision(norms, population, financial_year or "")
    on_progress(60, "Setting need against provision")
    tables = _gap_tables(run, norms, small, membership, attributed, service_norms)
    _check_levels_agree(tables)
    on_progress(70, "Writing the unmet-need statements and equality breakdowns")
    texts, wording = _statements(
        run, norms, tables[ResultLevel.LOCALITY], tables[ResultLevel.WHOLE_AREA]
    )
    groups = _equality(norms, population, rates, services, tables[ResultLevel.WHOLE_AREA])
    on_progress(80, "Drawing maps")
    illustrative = provision_selectors.any_illustrative(
        service_codes=list(services[c.SERVICE_CODE]) if not services.empty else [],
        financial_year=financial_year or "",
    )
    label = data_label(synthetic=run.is_synthetic, illustrative=illustrative)
    documents = _maps(run, norms, tables[ResultLevel.LOCALITY], membership, label)
    on_progress(90, "Saving results")
    return RunOutput(
        results=[row for table in tables.values() for row in _result_rows(table)],
        maps=documents,
        statements=texts,
        groups=groups,
        inputs=_pinned_inputs(run, norms, population, rates, services, financial_year)
        | {
            "deprivation_adjustment": deprivation_note or "not adjusted for deprivation",
            "residents": residents,
            "illustrative_services": illustrative,
        }
        | wording,
    )


def _residents(
    run: AnalysisRun, area_codes: list[str], population: pd.DataFrame, membership: pd.DataFrame
) -> dict:
    """Residents in small areas, localities and the whole area agree, or the run stops; and
    whether the year leaves any of the area's 2021 LSOAs out (read from the rows already here)."""
    try:
        counted = conservation.residents_check(
            population, membership, scheme=run.locality_scheme.name
        )
    except conservation.ResidentsLost as error:
        raise AnalysisInputError(str(error)) from error
    missing = len(set(area_codes) - set(population[c.AREA_CODE]))
    incomplete = (
        f"Incomplete population year: mid-{run.year} leaves {missing:,} of the area's 2021 "
        "LSOAs out (imported at the analyst's word), so these figures do not cover the whole "
        "area."
        if missing
        else ""
    )
    return counted.as_dict() | {"incomplete": incomplete}


def _check_levels_agree(tables: dict[str, pd.DataFrame]) -> None:
    """People at risk summed over small areas, localities and the whole area agree per norm."""
    sums = {
        level: table.groupby(compute.NORM_CODE)[c.POPULATION].sum()
        for level, table in tables.items()
    }
    for norm_code, small in sums[ResultLevel.SMALL_AREA].items():
        locality = float(sums[ResultLevel.LOCALITY].get(norm_code, 0.0))
        whole = float(sums[ResultLevel.WHOLE_AREA].get(norm_code, 0.0))
        if not conservation.totals_agree(float(small), locality, whole):
            raise AnalysisInputError(
                f"People counted for {norm_code} disagree between levels: {small:,.1f} in small "
                f"areas, {locality:,.1f} in localities, {whole:,.1f} in the whole area."
            )


def _estimate(
    run: AnalysisRun, norms: list[Norm], population: pd.DataFrame, rates: pd.DataFrame
) -> tuple[pd.DataFrame, str]:
    """Small-area need for every condition, re-weighted for deprivation if the run asks."""
    codes, _, people = estimation.population_array(population, max_age=MAX_AGE)
    arrays = estimation.rate_arrays(rates, max_age=MAX_AGE)
    measures = estimation.expected_cases_array(people, arrays)
    note = ""
    if run.adjust_for_deprivation:
        try:
            note = estimates.apply_deprivation_adjustment(
                measures, codes, [n.condition for n in norms], arrays.conditions
            )
        except estimates.NeedUnavailable as error:
            raise AnalysisInputError(str(error)) from error
    frame = estimation.measures_frame(
        codes, arrays.conditions, np.array([0]), measures, rates=arrays
    )
    return frame.drop(columns=[c.YEAR]), note


def _need_inputs(
    run: AnalysisRun, norms: list[Norm]
) -> tuple[list[str], pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The 2021 LSOAs of the scheme's whole area, their population, the rates, the membership."""
    if not norms:
        raise AnalysisInputError("The run has no norms to set need against: choose at least one.")
    # The whole area the scheme's localities lie in: its residents must all be in a locality.
    area_codes = needs_selectors.scheme_area_codes(scheme=run.locality_scheme)
    population = needs_selectors.population_frame(year=run.year, codes=area_codes)
    if population.empty:
        raise AnalysisInputError(
            f"No population estimates are loaded for {run.year} in the area of "
            f"{run.locality_scheme.name!r}."
        )
    conditions = [norm.condition for norm in norms]
    rates = needs_selectors.rates_frame_for(conditions=conditions)
    missing = sorted({x.name for x in conditions} - _names_with_rates(rates, conditions))
    if missing:
        raise AnalysisInputError(f"No prevalence rates are loaded for {', '.join(missing)}.")
    membership = needs_selectors.locality_membership_frame(scheme=run.locality_scheme)
    if membership.empty:
        raise AnalysisInputError(f"Locality scheme {run.locality_scheme.name!r} has no areas.")
    return area_codes, population, rates, membership


def _names_with_rates(rates: pd.DataFrame, conditions: list) -> set[str]:
    codes = set(rates[c.CONDITION_CODE])
    return {x.name for x in conditions if x.code in codes}


def _provision(
    norms: list[Norm], population: pd.DataFrame, financial_year: str
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Services counting towards any norm, which norms each counts for, and their attribution."""
    frames = [
        provision_selectors.services_frame(
            financial_year=financial_year,
            service_type=service_type,
            capacity_unit=norm.capacity_unit,
        ).assign(**{compute.NORM_CODE: norm.code})
        for norm in norms
        for service_type in norm.service_types
    ]
    tagged = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if tagged.empty:
        empty = pd.DataFrame(columns=[c.SERVICE_CODE, c.AREA_CODE, c.CAPACITY, c.SPEND, c.RULE])
        return tagged, pd.DataFrame(columns=[c.SERVICE_CODE, compute.NORM_CODE]), empty
    service_norms = tagged[[c.SERVICE_CODE, compute.NORM_CODE]].drop_duplicates()
    services = tagged.drop(columns=[compute.NORM_CODE]).drop_duplicates(c.SERVICE_CODE)
    try:
        attributed = baseline.attribute(
            services, financial_year=financial_year, population=population
        )
    except attribution.AttributionError as error:
        raise AnalysisInputError(str(error)) from error
    counted = services[c.SERVICE_CODE].isin(attributed[c.SERVICE_CODE])  # not another area's
    return services[counted], service_norms, attributed


def _gap_tables(
    run: AnalysisRun,
    norms: list[Norm],
    small: pd.DataFrame,
    membership: pd.DataFrame,
    attributed: pd.DataFrame,
    service_norms: pd.DataFrame,
) -> dict[str, pd.DataFrame]:
    norm_table = pd.DataFrame(
        {
            compute.NORM_CODE: [n.code for n in norms],
            c.CONDITION_CODE: [n.condition.code for n in norms],
            compute.NORM_SHARE: [n.share for n in norms],
        }
    )
    names = needs_selectors.area_names_frame(codes=list(small[c.AREA_CODE].unique()))
    levels = {
        ResultLevel.SMALL_AREA: (
            small.rename(columns={c.AREA_CODE: compute.UNIT_CODE}).merge(
                names, on=compute.UNIT_CODE
            ),
            membership.assign(**{compute.UNIT_CODE: membership[c.AREA_CODE]}),
        ),
        ResultLevel.LOCALITY: (
            estimation.aggregate_to_localities(small, membership).rename(
                columns={c.LOCALITY_CODE: compute.UNIT_CODE, c.LOCALITY_NAME: UNIT_NAME}
            ),
            membership.rename(columns={c.LOCALITY_CODE: compute.UNIT_CODE}),
        ),
        ResultLevel.WHOLE_AREA: (
            estimation.aggregate_to_whole_area(small).assign(
                **{
                    compute.UNIT_CODE: WHOLE_AREA_CODE,
                    UNIT_NAME: localities.place_name(scheme=run.locality_scheme),
                }
            ),
            membership.assign(**{compute.UNIT_CODE: WHOLE_AREA_CODE}),
        ),
    }
    tables = {}
    for level, (need, units) in levels.items():
        unit_of_area = units[[c.AREA_CODE, compute.UNIT_CODE]]
        provision = compute.provision_by_unit(attributed, service_norms, unit_of_area)
        table = compute.need_against_provision(need, norm_table, provision)
        rules = _rules(attributed, service_norms, unit_of_area, table)
        tables[level] = table.assign(level=level, provision_rule=rules)
    return tables


def _rules(
    attributed: pd.DataFrame,
    service_norms: pd.DataFrame,
    unit_of_area: pd.DataFrame,
    table: pd.DataFrame,
) -> list[str]:
    joined = attributed.merge(service_norms, on=c.SERVICE_CODE).merge(unit_of_area, on=c.AREA_CODE)
    keys = [compute.UNIT_CODE, compute.NORM_CODE]
    rules = joined.groupby(keys)[c.RULE].agg(lambda s: "; ".join(sorted(set(s)))).to_dict()
    pairs = zip(table[compute.UNIT_CODE], table[compute.NORM_CODE], strict=True)
    return [rules.get(pair, "no service reaches this unit") for pair in pairs]


def _words(norms: list[Norm]) -> dict[str, statements.NormWords]:
    units = dict(CapacityUnit.choices)
    return {
        norm.code: statements.NormWords(
            condition_name=norm.condition.name,
            people_label=norm.people_label,
            capacity_label=norm.capacity_label,
            unit_label=units.get(norm.capacity_unit, norm.capacity_unit),
            action=norm.action,
            share=norm.share,
            name=norm.name,
            sources="; ".join(needs_selectors.rate_publications(condition=norm.condition))
            + f"; ambition: {norm.source.split(':')[0]}",
        )
        for norm in norms
    }


def _statements(
    run: AnalysisRun, norms: list[Norm], by_locality: pd.DataFrame, whole: pd.DataFrame
) -> tuple[list[dict], dict]:
    """The statements, and what goes with them on every output: the numbered references, one
    headline per ambition and the summary (kept in the run's inputs, so pages and the chapter
    print the same words)."""
    words = _words(norms)
    numbered = statements.references(words)
    suppress = settings.STATEMENT_SUPPRESS_BELOW
    frame = statements.unmet_need_statements(
        by_locality, words, suppress_below=suppress, numbered=numbered
    )
    wording = {
        "references": numbered,
        "statement_headlines": statements.headlines(by_locality, words, suppress_below=suppress),
        "summary": statements.summary(
            by_locality,
            whole,
            words,
            place=localities.place_name(scheme=run.locality_scheme),
            suppress_below=suppress,
        ),
    }
    return frame.to_dict("records"), wording


RESULT_COLUMNS = {
    "level": "level",
    compute.UNIT_CODE: "unit_code",
    UNIT_NAME: "unit_name",
    c.CONDITION_CODE: "condition_code",
    compute.NORM_CODE: "norm_code",
    c.POPULATION: "population",
    c.EXPECTED_CASES: "expected_cases",
    c.EXPECTED_LOWER: "expected_lower",
    c.EXPECTED_UPPER: "expected_upper",
    c.RATE_PER_1000: "rate_per_1000",
    c.CAPACITY: "capacity",
    compute.SERVICES_COUNT: "services_count",
    c.SPEND: "spend",
    compute.EXPECTED_PROVISION: "expected_provision",
    compute.COVERAGE_RATIO: "coverage_ratio",
    compute.AMBITION_RATIO: "ambition_ratio",
    compute.GAP_PEOPLE: "gap_people",
    compute.CLASSIFICATION: "classification",
    compute.CLASS_RULE: "class_rule",
    compute.PEER_COMPARISON: "peer_comparison",
    "provision_rule": "provision_rule",
}


def _result_rows(table: pd.DataFrame) -> list[dict]:
    records = table[list(RESULT_COLUMNS)].rename(columns=RESULT_COLUMNS).astype(object)
    return records.where(records.notna(), None).to_dict("records")


def _pinned_inputs(
    run: AnalysisRun,
    norms: list[Norm],
    population: pd.DataFrame,
    rates: pd.DataFrame,
    services: pd.DataFrame,
    financial_year: str | None,
) -> dict:
    return {
        "population_year": run.year,
        "population_rows": len(population),
        "population_total": round(float(population[c.COUNT].sum()), 1),
        "rate_sources": sorted(
            {s for n in norms for s in needs_selectors.rate_sources(condition=n.condition)}
        ),
        "norms": [
            {"code": n.code, "name": n.name, "share": n.share, "source": n.source} for n in norms
        ],
        "service_codes": sorted(services[c.SERVICE_CODE]) if not services.empty else [],
        "financial_year": financial_year,
        "locality_scheme": run.locality_scheme.name,
        "statement_suppress_below": settings.STATEMENT_SUPPRESS_BELOW,
        "dataset_versions": run.inputs.get("dataset_versions", []),
    }


def _maps(
    run: AnalysisRun,
    norms: list[Norm],
    table: pd.DataFrame,
    membership: pd.DataFrame,
    label: str,
) -> list[dict]:
    outlines = needs_selectors.locality_outlines(membership=membership).rename(
        columns={c.LOCALITY_CODE: compute.UNIT_CODE}
    )
    assets = map_documents.map_assets()
    sites = provision_selectors.sites_frame(financial_year=run.inputs.get("financial_year") or "")
    documents = []
    for norm in norms:  # a handful of norms, each with its own three map documents
        units = outlines.drop(columns=[c.LOCALITY_NAME]).merge(
            table[table[compute.NORM_CODE] == norm.code], on=compute.UNIT_CODE
        )
        context = run_maps.MapContext(
            condition_name=norm.condition.name,
            year=run.year,
            norm_name=norm.name,
            norm_share=norm.share,
            sources="; ".join(needs_selectors.rate_publications(condition=norm.condition)),
            synthetic_label=label,
            sites=_norm_sites(sites, norm),
        )
        for kind, render in run_maps.RENDERERS.items():
            documents.append(
                {
                    "kind": kind,
                    "norm_code": norm.code,
                    **render(units, context=context, assets=assets),
                }
            )
    return documents


def _norm_sites(sites: pd.DataFrame, norm: Norm) -> pd.DataFrame:
    chosen = sites[sites["service_type"].isin(norm.service_types)]
    return chosen.assign(label=chosen["service_name"] + " (" + chosen["provider"] + ")")


def _equality(
    norms: list[Norm],
    population: pd.DataFrame,
    rates: pd.DataFrame,
    services: pd.DataFrame,
    whole: pd.DataFrame,
) -> list[dict]:
    """Need, provision and coverage by sex and age band for each norm, across the whole area."""
    _, _, people = estimation.population_array(population, max_age=MAX_AGE)
    people = people.sum(axis=(0, 3))  # (sex, age) for the whole area
    arrays = estimation.rate_arrays(rates, max_age=MAX_AGE)
    ages = np.arange(MAX_AGE + 1)
    rows = []
    for norm in norms:  # a handful: each has its own condition and service ages
        condition = arrays.conditions.index(norm.condition.code)
        rate = np.nan_to_num(arrays.rate[condition])
        capacity = whole.loc[whole[compute.NORM_CODE] == norm.code, c.CAPACITY].sum()
        served = _served_ages(services, norm, ages)
        table = compute.equality_by_group(people, rate, served[None, :], float(capacity))
        rows += table.assign(norm_code=norm.code).to_dict("records")
    return rows


def _served_ages(services: pd.DataFrame, norm: Norm, ages: np.ndarray) -> np.ndarray:
    if services.empty or "service_type" not in services:
        return np.zeros(len(ages), dtype=bool)
    own = services[services["service_type"].isin(norm.service_types)]
    top = own[c.AGE_MAX].astype(float).fillna(np.inf).to_numpy()
    bottom = own[c.AGE_MIN].astype(float).to_numpy()
    return ((ages[None, :] >= bottom[:, None]) & (ages[None, :] <= top[:, None])).any(axis=0)
