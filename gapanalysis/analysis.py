"""One run's computation: read its inputs through selectors, compute with the pure modules.

Nothing here writes to the database; `services.analysis_execute` stores what this returns.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from gapanalysis import compute, run_maps
from gapanalysis.models import AnalysisRun, MapKind, ResultLevel
from needs import columns as c
from needs import estimation, geography, map_documents, maps
from needs import selectors as needs_selectors
from needs.labels import SYNTHETIC_LABEL
from needs.models import MAX_AGE
from provision import attribution
from provision import selectors as provision_selectors

UNIT_NAME = maps.NAME_COLUMN
WHOLE_AREA_CODE = "whole_area"


class AnalysisInputError(ValueError):
    """The run's inputs are missing or unusable; the message says which and what to do."""


@dataclass
class RunOutput:
    results: list[dict] = field(default_factory=list)
    maps: list[dict] = field(default_factory=list)
    inputs: dict = field(default_factory=dict)


def compute_run(*, run: AnalysisRun, on_progress: Callable[[int, str], None]) -> RunOutput:
    on_progress(10, "Loading population, rates and localities")
    population, rates, membership = _need_inputs(run)
    on_progress(25, "Estimating need")
    small = estimation.expected_cases(population, rates, max_age=MAX_AGE)
    small = small[small[c.AREA_CODE].isin(membership[c.AREA_CODE])]
    on_progress(45, "Attributing provision to small areas")
    services, attributed = _attributed_provision(run, population)
    on_progress(60, "Setting need against provision")
    tables = _gap_tables(run, small, membership, attributed)
    on_progress(75, "Drawing maps")
    locality_table = tables[ResultLevel.LOCALITY]
    run_maps = _maps(run, locality_table, membership)
    on_progress(90, "Saving results")
    return RunOutput(
        results=[row for table in tables.values() for row in _result_rows(table)],
        maps=run_maps,
        inputs=_pinned_inputs(run, population, rates, services),
    )


def _need_inputs(run: AnalysisRun) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    population = needs_selectors.population_frame(year=run.year)
    if population.empty:
        raise AnalysisInputError(f"No population estimates are loaded for {run.year}.")
    rates = needs_selectors.rates_frame(condition=run.condition)
    if rates.empty:
        raise AnalysisInputError(f"No prevalence rates are loaded for {run.condition.name}.")
    membership = needs_selectors.locality_membership_frame(scheme=run.locality_scheme)
    if membership.empty:
        raise AnalysisInputError(f"Locality scheme {run.locality_scheme.name!r} has no areas.")
    return population, rates, membership


def _attributed_provision(
    run: AnalysisRun, population: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    norm = run.norm
    year = run.inputs.get("financial_year") or provision_selectors.latest_financial_year()
    services = provision_selectors.services_frame(
        financial_year=year or "", service_type=norm.service_type, capacity_unit=norm.capacity_unit
    )
    if services.empty:
        empty = pd.DataFrame(columns=[c.SERVICE_CODE, c.AREA_CODE, c.CAPACITY, c.SPEND, c.RULE])
        return services, empty
    codes = list(services[c.SERVICE_CODE])
    catchment = provision_selectors.catchment_frame(service_codes=codes, financial_year=year)
    sites = provision_selectors.site_areas_frame(service_codes=codes, financial_year=year)
    expansion = needs_selectors.small_area_expansion(codes=list(catchment[c.AREA_CODE].unique()))
    small_catchment = catchment.rename(columns={c.AREA_CODE: geography.ANCESTOR_CODE}).merge(
        expansion, on=geography.ANCESTOR_CODE
    )[[c.SERVICE_CODE, c.AREA_CODE]]
    served = attribution.served_population(population, services)
    try:
        attributed = attribution.attribute_services(services, small_catchment, served, sites)
    except attribution.AttributionError as error:
        raise AnalysisInputError(str(error)) from error
    return services, attributed


def _gap_tables(
    run: AnalysisRun, small: pd.DataFrame, membership: pd.DataFrame, attributed: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    share = run.norm.share
    locality_units = membership.rename(columns={c.LOCALITY_CODE: compute.UNIT_CODE})
    small_units = membership.assign(**{compute.UNIT_CODE: membership[c.AREA_CODE]})
    whole_units = membership.assign(**{compute.UNIT_CODE: WHOLE_AREA_CODE})
    localities = estimation.aggregate_to_localities(small, membership).rename(
        columns={c.LOCALITY_CODE: compute.UNIT_CODE, c.LOCALITY_NAME: UNIT_NAME}
    )
    small_need = small.rename(columns={c.AREA_CODE: compute.UNIT_CODE}).merge(
        needs_selectors.area_names_frame(codes=list(small[c.AREA_CODE])), on=compute.UNIT_CODE
    )
    whole = estimation.aggregate_to_whole_area(small).assign(
        **{compute.UNIT_CODE: WHOLE_AREA_CODE, UNIT_NAME: run.locality_scheme.name}
    )
    tables = {}
    for level, need, units in (
        (ResultLevel.SMALL_AREA, small_need, small_units),
        (ResultLevel.LOCALITY, localities, locality_units),
        (ResultLevel.WHOLE_AREA, whole, whole_units),
    ):
        provision = compute.provision_by_unit(attributed, units[[c.AREA_CODE, compute.UNIT_CODE]])
        table = compute.need_against_provision(need, provision, norm_share=share)
        tables[level] = table.assign(level=level, provision_rule=_rules(attributed, units, table))
    return tables


def _rules(attributed: pd.DataFrame, units: pd.DataFrame, table: pd.DataFrame) -> pd.Series:
    joined = attributed.merge(units[[c.AREA_CODE, compute.UNIT_CODE]], on=c.AREA_CODE)
    rules = joined.groupby(compute.UNIT_CODE)[c.RULE].agg(lambda s: "; ".join(sorted(set(s))))
    return table[compute.UNIT_CODE].map(rules).fillna("no service reaches this unit")


def _result_rows(table: pd.DataFrame) -> list[dict]:
    columns = {
        "level": "level",
        compute.UNIT_CODE: "unit_code",
        UNIT_NAME: "unit_name",
        c.CONDITION_CODE: "condition_code",
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
        "provision_rule": "provision_rule",
    }
    records = table[list(columns)].rename(columns=columns).astype(object)
    return records.where(records.notna(), None).to_dict("records")


def _pinned_inputs(
    run: AnalysisRun, population: pd.DataFrame, rates: pd.DataFrame, services: pd.DataFrame
) -> dict:
    return {
        "population_year": run.year,
        "population_rows": len(population),
        "population_total": round(float(population[c.COUNT].sum()), 1),
        "rate_ids": sorted(int(i) for i in rates["rate_id"]),
        "rate_sources": needs_selectors.rate_sources(condition=run.condition),
        "norm": {"code": run.norm.code, "share": run.norm.share, "source": run.norm.source},
        "service_codes": sorted(services[c.SERVICE_CODE]) if not services.empty else [],
        "financial_year": run.inputs.get("financial_year")
        or provision_selectors.latest_financial_year(),
        "locality_scheme": run.locality_scheme.name,
    }


def _maps(run: AnalysisRun, table: pd.DataFrame, membership: pd.DataFrame) -> list[dict]:
    geometries = needs_selectors.geometry_frame(codes=list(membership[c.AREA_CODE]))
    shapes = geography.to_geodataframe(geometries[c.AREA_CODE], geometries["geometry"])
    outlines = geography.dissolve_to_localities(shapes, membership).rename(
        columns={c.LOCALITY_CODE: compute.UNIT_CODE}
    )
    units = outlines.drop(columns=[c.LOCALITY_NAME]).merge(table, on=compute.UNIT_CODE)
    assets = map_documents.map_assets()
    context = run_maps.MapContext(
        condition_name=run.condition.name,
        year=run.year,
        norm_name=run.norm.name,
        norm_share=run.norm.share,
        sources="; ".join(needs_selectors.rate_publications(condition=run.condition)),
        synthetic_label=SYNTHETIC_LABEL if run.is_synthetic else "",
    )
    return [
        {"kind": MapKind.NEED, **run_maps.need_map(units, context=context, assets=assets)},
        {"kind": MapKind.COVERAGE, **run_maps.coverage_map(units, context=context, assets=assets)},
    ]
