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

from gapanalysis import compute, equality, norm_plans, run_maps, statements
from gapanalysis.models import AnalysisRun, Norm, ResultLevel
from gapanalysis.run_recorded import recorded_inputs
from needs import columns as c
from needs import map_documents, maps
from needs import selectors as needs_selectors
from needs.demography import conservation, deprivation, localities
from needs.labels import data_label
from needs.models import MAX_AGE
from needs.prevalence import estimates, estimation
from provision import attribution, baseline
from provision import selectors as provision_selectors

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
    chosen = list(run.norms.select_related("condition").order_by("code"))
    on_progress(10, "Loading population, rates and localities")
    financial_year = run.inputs.get("financial_year") or provision_selectors.latest_financial_year()
    plans = norm_plans.norm_plans(chosen, financial_year or "")
    norms = [norm for norm in chosen if not plans[norm.code].reason]
    if chosen and not norms:
        raise AnalysisInputError(
            "None of the chosen norms can be computed. "
            + " ".join(f"{n.name}: {plans[n.code].reason}" for n in chosen)
        )
    area_codes, population, rates, membership = _need_inputs(run, norms)
    residents = _residents(run, area_codes, population, membership)
    on_progress(25, "Estimating need")
    small, deprivation_note, norm_rates, weights = _estimate(run, norms, population, rates)
    on_progress(45, "Attributing provision to small areas")
    services, service_norms, attributed = _provision(norms, plans, population, financial_year or "")
    on_progress(60, "Setting need against provision")
    tables = _gap_tables(run, norms, small, membership, attributed, service_norms)
    _check_levels_agree(tables)
    on_progress(70, "Writing the unmet-need statements and equality breakdowns")
    texts, wording = _statements(
        run, norms, tables[ResultLevel.LOCALITY], tables[ResultLevel.WHOLE_AREA]
    )
    groups = _equality(norms, population, norm_rates, weights, tables)
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
            "norm_measures": norm_plans.measures_pinned(chosen, plans, services),
            "norms_not_computed": [
                {"code": n.code, "name": n.name, "reason": plans[n.code].reason}
                for n in chosen
                if plans[n.code].reason
            ],
        }
        | recorded_inputs(dataset_versions=run.inputs.get("dataset_versions", []))
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
) -> tuple[pd.DataFrame, str, estimation.RateArrays, np.ndarray]:
    """Small-area need for every norm in its own ages, re-weighted for deprivation if asked;
    also each small area's weight for each norm (1 without the adjustment).

    The frame's condition_code column holds the norm's code: two norms of one condition (of
    different ages) stay apart through the sums to localities; `_by_norm` names it after them.
    """
    codes, _, people = estimation.population_array(population, max_age=MAX_AGE)
    norm_rates = estimation.rates_for_ages(
        estimation.rate_arrays(rates, max_age=MAX_AGE),
        keys=[n.code for n in norms],
        conditions=[n.condition.code for n in norms],
        ages=[(n.age_min, n.age_max) for n in norms],
    )
    measures = estimation.expected_cases_array(people, norm_rates)
    note = ""
    if run.adjust_for_deprivation:
        try:
            note = estimates.apply_deprivation_adjustment(
                measures,
                codes,
                [n.condition for n in norms],
                tuple(n.condition.code for n in norms),
            )
        except estimates.NeedUnavailable as error:
            raise AnalysisInputError(str(error)) from error
    frame = estimation.measures_frame(
        codes, norm_rates.conditions, np.array([0]), measures, rates=norm_rates
    )
    weights = measures.get(estimation.CONDITION_WEIGHTS, np.ones((len(codes), len(norms))))
    return frame.drop(columns=[c.YEAR]), note, norm_rates, weights


def _by_norm(frame: pd.DataFrame, norms: list[Norm]) -> pd.DataFrame:
    conditions = {n.code: n.condition.code for n in norms}
    keyed = frame.rename(columns={c.CONDITION_CODE: compute.NORM_CODE})
    return keyed.assign(**{c.CONDITION_CODE: keyed[compute.NORM_CODE].map(conditions)})


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
            f"{run.locality_scheme.name!r}: an analyst can upload them on the Data page "
            "(Population estimates)."
        )
    conditions = [norm.condition for norm in norms]
    rates = needs_selectors.rates_frame_for(conditions=conditions)
    missing = sorted({x.name for x in conditions} - _names_with_rates(rates, conditions))
    if missing:
        raise AnalysisInputError(
            f"No prevalence rates are loaded for {', '.join(missing)}: an analyst can upload "
            "them on the Data page (Prevalence rates)."
        )
    membership = needs_selectors.locality_membership_frame(scheme=run.locality_scheme)
    if membership.empty:
        raise AnalysisInputError(f"Locality scheme {run.locality_scheme.name!r} has no areas.")
    return area_codes, population, rates, membership


def _names_with_rates(rates: pd.DataFrame, conditions: list) -> set[str]:
    codes = set(rates[c.CONDITION_CODE])
    return {x.name for x in conditions if x.code in codes}


def _provision(
    norms: list[Norm],
    plans: dict[str, norm_plans.NormPlan],
    population: pd.DataFrame,
    financial_year: str,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Services counting towards any norm, which norms each counts for (with the factor that
    turns its capacity into the norm's measure), and their attribution."""
    frames = [
        plans[norm.code].tagged.assign(**{compute.NORM_CODE: norm.code})
        for norm in norms
        if not plans[norm.code].tagged.empty
    ]
    tagged = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if tagged.empty:
        empty = pd.DataFrame(columns=[c.SERVICE_CODE, c.AREA_CODE, c.CAPACITY, c.SPEND, c.RULE])
        keys = [c.SERVICE_CODE, compute.NORM_CODE, compute.CAPACITY_FACTOR]
        norms_of = pd.DataFrame(columns=keys)
        return tagged, norms_of, empty
    service_norms = tagged[[c.SERVICE_CODE, compute.NORM_CODE, compute.CAPACITY_FACTOR]]
    service_norms = service_norms.drop_duplicates([c.SERVICE_CODE, compute.NORM_CODE])
    services = tagged.drop(columns=[compute.NORM_CODE, compute.CAPACITY_FACTOR])
    services = services.drop_duplicates(c.SERVICE_CODE)
    try:
        attributed = baseline.attribute(
            services.drop(columns=["capacity_unit"]),
            financial_year=financial_year,
            population=population,
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
        {compute.NORM_CODE: [n.code for n in norms], compute.NORM_SHARE: [n.share for n in norms]}
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
        table = compute.need_against_provision(_by_norm(need, norms), norm_table, provision)
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
    return {
        norm.code: statements.NormWords(
            condition_name=norm.condition.name,
            people_label=norm.people_label,
            capacity_label=norm.capacity_label,
            unit_label=norm.counted_as,
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
        "norms": [_norm_pinned(n) for n in norms],
        "service_codes": sorted(services[c.SERVICE_CODE]) if not services.empty else [],
        "financial_year": financial_year,
        "locality_scheme": run.locality_scheme.name,
        "statement_suppress_below": settings.STATEMENT_SUPPRESS_BELOW,
        "dataset_versions": run.inputs.get("dataset_versions", []),
    }


def _norm_pinned(norm: Norm) -> dict:
    return {
        "code": norm.code,
        "name": norm.name,
        "share": norm.share,
        "source": norm.source,
        "measure": norm.measure,
        "ages": norm.ages_label,
        "capacity_units": norm.capacity_units,
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
    norm_rates: estimation.RateArrays,
    weights: np.ndarray,
    tables: dict[str, pd.DataFrame],
) -> list[dict]:
    """Need by sex, age band and deprivation fifth for each norm; each adds up to the whole.

    With the deprivation adjustment each small area's people count by its weight for the norm,
    as they do in its estimate, so the groups add up to the adjusted whole.
    """
    _, _, by_area = estimation.population_array(population, max_age=MAX_AGE)
    by_area = by_area.sum(axis=3)  # (area, sex, age), areas in the order `_estimate` used
    small = tables[ResultLevel.SMALL_AREA]
    deciles = needs_selectors.imd_deciles(codes=list(small[compute.UNIT_CODE].unique()))
    quintiles = pd.Series(deprivation.quintile_of_decile(deciles.to_numpy()), index=deciles.index)
    whole = tables[ResultLevel.WHOLE_AREA].set_index(compute.NORM_CODE)[c.EXPECTED_CASES]
    rows = []
    for index, norm in enumerate(norms):  # a handful: each has its own ages and condition
        groups = pd.concat(
            [
                equality.by_sex_and_age(
                    np.einsum("asg,a->sg", by_area, weights[:, index]),
                    norm_rates.rate[index],
                    norm_rates.covered[index],
                    age_min=norm.age_min,
                    age_max=norm.age_max,
                ),
                equality.by_deprivation_fifth(
                    small[small[compute.NORM_CODE] == norm.code], quintiles[quintiles > 0]
                ),
            ],
            ignore_index=True,
        )
        off = equality.breakdowns_not_adding_up(groups, whole=float(whole[norm.code]))
        if off:
            raise AnalysisInputError(
                f"Need for {norm.name} by group does not add up to the whole area's "
                f"{float(whole[norm.code]):,.1f}: "
                + "; ".join(f"by {kind} {total:,.1f}" for kind, total in off.items())
            )
        rows += groups.assign(norm_code=norm.code).to_dict("records")
    return rows
