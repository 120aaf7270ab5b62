"""Build the JSNA chapter (plain data) from a succeeded run: every figure traces to the run."""

import geopandas as gpd
import pandas as pd
from django.utils import timezone

from gapanalysis import chapter_compare, report_maps, selectors
from gapanalysis.chapter import SECTIONS, Chapter, Section, Table
from gapanalysis.chapter_sources import RunSources, run_sources
from gapanalysis.models import AnalysisRun, GapResult, Norm, ResultLevel
from gapanalysis.pages import equality_tables, norm_measure
from gapanalysis.statements import UNMET
from needs import columns as c
from needs import maps, rounding
from needs import selectors as needs_selectors
from needs.demography import localities
from needs.labels import SYNTHETIC_LABEL
from needs.prevalence.estimates import NeedUnavailable, need_estimates
from needs.rounding import people
from provision import baseline, finance
from provision import selectors as provision_selectors
from provision.pages import CATEGORY_LABELS, FUNDER_LABELS

TITLES = dict(SECTIONS)


def build_chapter(
    *, run: AnalysisRun, sections: list[str], introduction: str, author: str
) -> Chapter:
    norms = selectors.run_norms(run=run)
    outlines = _outlines(run)
    sources = run_sources(run=run)
    on_maps = tuple(sources.map_attributions)
    builders = {
        "summary": lambda: _summary(run),
        "population": lambda: _population(run),
        "need": lambda: _need(run, norms, outlines, on_maps),
        "provision": lambda: _provision(run),
        "gap": lambda: _gap(run, norms, outlines, on_maps),
        "equality": lambda: _equality(run, norms),
        "projections": lambda: _projections(run, norms),
        "recommendations": lambda: _recommendations(run, norms),
        "methods": lambda: _methods(run, norms),
        "sources": lambda: _sources(run, sources),
        "limitations": lambda: _limitations(run),
        chapter_compare.KEY: lambda: chapter_compare.compare_section(run),
    }
    place = localities.place_name(scheme=run.locality_scheme)
    return Chapter(
        title=f"Mental health: need against provision — {place}",
        area=place,
        year=run.year,
        run_id=run.pk,
        author=author,
        date=timezone.localdate().strftime("%-d %B %Y"),
        synthetic_label=run.data_label,
        introduction=introduction,
        sections=[builders[key]() for key in sections if key in builders],
        attributions=sources.attributions,
    )


def _outlines(run: AnalysisRun) -> gpd.GeoDataFrame:
    membership = needs_selectors.locality_membership_frame(scheme=run.locality_scheme)
    outlines = needs_selectors.locality_outlines(membership=membership)
    return outlines.rename(columns={c.LOCALITY_CODE: "unit_code"})


def _localities(run: AnalysisRun, norm: Norm) -> list[GapResult]:
    return list(selectors.run_results(run=run, norm_code=norm.code))


def _frame(rows: list[GapResult]) -> pd.DataFrame:
    fields = ["unit_code", "unit_name", "expected_cases", "expected_lower", "expected_upper",
              "rate_per_1000", "capacity", "coverage_ratio", "ambition_ratio"]  # fmt: skip
    return pd.DataFrame([{f: getattr(row, f) for f in fields} for row in rows]).astype(
        {"expected_lower": float, "expected_upper": float}
    )


def _summary(run: AnalysisRun) -> Section:
    """The whole area first, then the largest gaps in people and the sharpest in share: lines the
    run wrote once (`statements.summary`); the statements themselves are printed once, below."""
    lines = run.inputs.get("summary")
    if lines is None:  # a run from before summaries were written: say what it holds
        count = selectors.run_statements(run=run).count()
        plural = "s" if count != 1 else ""
        lines = [
            f"The analysis found provision below need in {count} locality and ambition "
            f"combination{plural}; see 'Need against provision'."
        ]
    return Section("summary", TITLES["summary"], bullets=list(lines))


def _population(run: AnalysisRun) -> Section:
    population = needs_selectors.population_frame(
        year=run.year, codes=needs_selectors.scheme_area_codes(scheme=run.locality_scheme)
    )
    total = population[c.COUNT].sum()
    bands = [(0, 15), (16, 64), (65, 90)]
    shares = [population.loc[population[c.AGE].between(lo, hi), c.COUNT].sum() / total
              for lo, hi in bands]  # fmt: skip
    text = (
        f"{people(total)} people lived in "
        f"{localities.place_name(scheme=run.locality_scheme)} in {run.year}: "
        f"{shares[0]:.0%} aged under 16, {shares[1]:.0%} aged 16 to 64 and {shares[2]:.0%} aged "
        "65 and over."
    )
    deciles = needs_selectors.imd_deciles(codes=list(population[c.AREA_CODE].unique()))
    counts = deciles.value_counts().reindex(range(1, 11), fill_value=0)
    table = Table(
        caption="Small areas by national deprivation decile (1 = most deprived 10% of England)",
        columns=["IMD decile", "Small areas"],
        rows=[[str(d), str(int(n))] for d, n in counts.items()],
        numeric=[False, True],
    )
    return Section("population", TITLES["population"], [text], tables=[table])


def _need_table(norm: Norm, rows: list[GapResult]) -> Table:
    return Table(
        caption=f"Estimated {norm.condition.name.lower()} by locality",
        columns=["Locality", "Estimated people", "Interval", "Per 1,000 at risk"],
        rows=[
            [
                r.unit_name,
                people(r.expected_cases),
                _interval(r),
                rounding.per_1000(r.rate_per_1000),
            ]
            for r in rows
        ],
        numeric=[False, True, True, True],
    )


def _interval(row: GapResult) -> str:
    if row.expected_lower is None or row.expected_upper is None:
        return "not published"
    return f"{people(row.expected_lower)} to {people(row.expected_upper)}"


def _units(outlines: gpd.GeoDataFrame, rows: list[GapResult]) -> gpd.GeoDataFrame:
    return outlines.drop(columns=[c.LOCALITY_NAME]).merge(_frame(rows), on="unit_code")


def _need(
    run: AnalysisRun, norms: list[Norm], outlines: gpd.GeoDataFrame, on_maps: tuple[str, ...]
) -> Section:
    figures, tables = [], []
    for norm in norms:  # one table and one map per ambition's condition
        rows = _localities(run, norm)
        units = _units(outlines, rows)
        figures.append(
            report_maps.choropleth_png(
                units,
                value_column=c.RATE_PER_1000,
                classes=maps.step_classes(
                    units[c.RATE_PER_1000].to_numpy(float),
                    unit="per 1,000",
                    rounding=rounding.PER_1000_STEP,
                    **maps.value_bounds(units, c.RATE_PER_1000),
                ),
                title=f"Estimated {norm.condition.name.lower()} per 1,000 at risk, {run.year}",
                source="; ".join(needs_selectors.rate_publications(condition=norm.condition)),
                synthetic_label=run.data_label,
                attributions=on_maps,
            )
        )
        tables.append(_need_table(norm, rows))
    text = (
        "Need is estimated by applying published prevalence rates, by sex and single year of "
        "age, to the local population. Rates per 1,000 are per person in the age range the "
        "rates cover."
    )
    return Section("need", TITLES["need"], [text], figures=figures, tables=tables)


def _provision(run: AnalysisRun) -> Section:
    year = run.inputs.get("financial_year") or ""
    funding = provision_selectors.funding_frame(financial_years=[year])
    if funding.empty:
        return Section("provision", TITLES["provision"], ["No services were loaded."])
    spend = finance.spend_by_category_and_funder(funding, year=year)
    columns = [FUNDER_LABELS.get(f, f) for f in spend.columns]
    table = Table(
        caption=f"Spend by service category and funder, {year} (£)",
        columns=["Category", *columns],
        rows=[
            [CATEGORY_LABELS.get(k, k), *[rounding.pounds(v).removeprefix("£") for v in row]]
            for k, row in zip(spend.index, spend.to_numpy(), strict=True)
        ],
        numeric=[False, *[True] * len(columns)],
    )
    services = provision_selectors.service_list(financial_year=year)
    chosen = baseline.filtered_services(baseline.Filters(financial_year=year))
    mapping = baseline.locality_category_table(chosen, baseline.attributed(chosen, year))
    service_table = Table(
        caption=f"Services reaching each locality, by category, {year}",
        columns=["Locality", "Category", "Services", "Capacity", "Spend (£)"],
        rows=[
            [
                r["locality_name"],
                r["category"],
                str(r["services"]),
                r["capacity"],
                rounding.pounds(r["spend"]).removeprefix("£"),
            ]
            for r in mapping.to_dict("records")
        ],
        numeric=[False, False, True, False, True],
    )
    text = (
        f"{services.count()} services were mapped for {year}, funded by the NHS, the local "
        f"authority, pooled budgets and others, with a total spend of "
        f"{rounding.pounds(spend.loc['Total', 'Total'])}."
    )
    note = (
        "Each service is shared between the localities it reaches by the population it serves "
        "there (its catchment, else its sites, else the whole area), so none is counted twice."
    )
    return Section("provision", TITLES["provision"], [text, note], tables=[service_table, table])


def _gap(
    run: AnalysisRun, norms: list[Norm], outlines: gpd.GeoDataFrame, on_maps: tuple[str, ...]
) -> Section:
    figures, tables = [], []
    for norm in norms:
        rows = _localities(run, norm)
        units = _units(outlines, rows)
        figures.append(
            report_maps.bivariate_png(
                units,
                need_column=c.RATE_PER_1000,
                provision_column="coverage_ratio",
                title=f"Need against provision: {norm.condition.name.lower()}",
                source=norm.source.split(":")[0],
                synthetic_label=run.data_label,
                attributions=on_maps,
            )
        )
        tables.append(_coverage_table(norm, rows))
    groups = [
        (group["headline"], [s.text for s in group["statements"]])
        for group in selectors.statement_groups(run=run)
    ]
    text = (
        ["Where provision falls below need, grouped by ambition, sharpest first within each. "
         "Numbers in brackets are the sources listed at the end of this section."]
        if groups
        else ["No locality has provision below need for any ambition."]
    )  # fmt: skip
    return Section(
        "gap",
        TITLES["gap"],
        text + _not_computed(run),
        figures=figures,
        tables=tables,
        groups=groups,
        references=selectors.run_references(run=run),
    )


def _not_computed(run: AnalysisRun) -> list[str]:
    return [
        f"{item['name']}: {item['reason']}" for item in selectors.run_norms_not_computed(run=run)
    ]


def _coverage_table(norm: Norm, rows: list[GapResult]) -> Table:
    return Table(
        caption=f"{norm.name}: coverage by locality",
        columns=["Locality", "People in need", "Capacity", "Coverage", "Gap a year", "Class"],
        rows=[
            [
                r.unit_name,
                people(r.expected_cases),
                people(r.capacity),
                rounding.share(r.coverage_ratio) if r.coverage_ratio is not None else "—",
                people(r.gap_people),
                r.get_classification_display(),
            ]
            for r in rows
        ],
        numeric=[False, True, True, True, True, False],
    )


def _equality(run: AnalysisRun, norms: list[Norm]) -> Section:
    tables = []
    for norm in norms:
        for table in equality_tables(run=run, norm_code=norm.code):
            rows = [_group_cells(row) for row in [*table["rows"], table["total"]]]
            tables.append(
                Table(
                    caption=f"{norm.name}: estimated need {table['heading'].lower()}",
                    columns=[
                        "Group",
                        "People at risk",
                        "People in need",
                        "Per 1,000 at risk",
                        "Share of the need",
                    ],
                    rows=rows,
                    numeric=[False, True, True, True, True],
                )
            )
    text = [
        "Estimated need by sex, by age band and by deprivation fifth, in the ages each ambition "
        "counts. Each table adds up to the whole area.",
        NO_GROUP_COVERAGE,
    ]
    return Section("equality", TITLES["equality"], text, tables=tables)


NO_GROUP_COVERAGE = (
    "Coverage by group is not shown: it needs service-use data by group (people seen, by sex, "
    "age and deprivation), and none is loaded; sharing capacity between groups by population "
    "would make the groups with most need look least served by construction. Need by ethnic "
    "group is not shown: no population by ethnic group is loaded."
)


def _group_cells(row: dict) -> list[str]:
    per_1000 = row["per_1000"]
    return [
        row["name"],
        people(row["population"]),
        people(row["expected_cases"]),
        "—" if per_1000 is None else f"{per_1000:,.1f}",
        _pct(row["share"]),
    ]


def _pct(value: float | None) -> str:
    return "—" if value is None or value != value else rounding.share(value)


def _projections(run: AnalysisRun, norms: list[Norm]) -> Section:
    years = [y for y in needs_selectors.projection_years() if y > run.year]
    if not years:
        return Section("projections", TITLES["projections"], ["No projections are loaded."])
    shown = [run.year, *sorted({years[len(years) // 2], years[-1]})]
    conditions = [norm.condition for norm in norms]
    rows = []
    try:  # one estimate a year, every condition at once
        whole = [
            need_estimates(
                year=year, scheme=run.locality_scheme, conditions=conditions
            ).whole_area.set_index(c.CONDITION_CODE)[c.EXPECTED_CASES]
            for year in shown
        ]
    except NeedUnavailable as error:  # e.g. projections for another area only: say so
        return Section("projections", TITLES["projections"], [f"Not shown: {error}"])
    for condition in conditions:
        totals = [float(by_condition[condition.code]) for by_condition in whole]
        change = totals[-1] / totals[0] - 1 if totals[0] else float("nan")
        rows.append([condition.name, *[people(t) for t in totals], f"{change:+.0%}"])
    table = Table(
        caption=f"Estimated people in need, {shown[0]} and projected",
        columns=["Condition", *[str(y) for y in shown], "Change"],
        rows=rows,
        numeric=[False, *[True] * (len(shown) + 1)],
    )
    text = (
        "Each small area's population is scaled by its local authority's projected growth for "
        "each sex and single year of age; the same rates are then applied."
    )
    return Section("projections", TITLES["projections"], [text], tables=[table])


RECOMMENDATIONS_NOTE = (
    "Draft for the author to edit: suggestions drafted from the gaps this analysis found, one "
    "for each ambition below its norm. They are not decisions: check them with commissioners, "
    "then say who will act and by when."
)
RECOMMENDATION_LOCALITIES = 3  # the localities each suggestion names, largest gap first


def _recommendations(run: AnalysisRun, norms: list[Norm]) -> Section:
    """One draft suggestion per ambition whose provision is below its norm somewhere."""
    place = localities.place_name(scheme=run.locality_scheme)
    bullets = [text for norm in norms if (text := _recommendation(run, norm, place))]
    if not bullets:
        bullets = ["No ambition has provision below its norm in any locality: no action drafted."]
    return Section(
        "recommendations", TITLES["recommendations"], bullets=bullets, note=RECOMMENDATIONS_NOTE
    )


def _recommendation(run: AnalysisRun, norm: Norm, place: str) -> str:
    short = sorted(
        (r for r in _localities(run, norm) if r.classification in UNMET),
        key=lambda r: -r.gap_people,
    )
    if not short:
        return ""
    whole = selectors.run_results(run=run, norm_code=norm.code, level=ResultLevel.WHOLE_AREA)
    total = whole.first().gap_people if whole.exists() else sum(r.gap_people for r in short)
    named = [f"{r.unit_name} (about {people(r.gap_people)})" for r in short]
    shown = named[:RECOMMENDATION_LOCALITIES]
    more = len(named) - len(shown)
    where = _listing(shown) + (f" and {more} more" if more else "")
    return (
        f"{norm.name}: plan for about {people(total)} more {norm.people_label} a year across "
        f"{place} {_action(norm.action)}, starting where the gap is largest: {where}."
    )


def _action(action: str) -> str:
    """The statements' "would need to be seen" as a plan: "to be seen"."""
    if action.startswith("would need to "):
        return "to " + action.removeprefix("would need to ")
    if action.startswith("would need "):
        return "to have " + action.removeprefix("would need ")
    return f"({action})"


def _listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _methods(run: AnalysisRun, norms: list[Norm]) -> Section:
    bullets = [f"Rates: {s}" for s in run.inputs.get("rate_sources", [])]
    bullets += [_norm_method(run, n) for n in norms]
    if _not_computed(run):  # said once, under "Need against provision"
        bullets.append(
            "The ambitions the run could not compute, and why, are under 'Need against provision'."
        )
    paragraphs = [
        "Expected cases are the sum over sex and single year of age of population × rate; "
        "bounds use each rate's published interval where there is one.",
        "Services are attributed to small areas through their catchment, else the areas their "
        "sites lie in, else the whole area, always shared by the population they serve, so no "
        "service is counted twice.",
        "A shortfall is called only when it holds at the lower bound of need: under 50% of the "
        "ambition is well below, under 90% below, over 110% at the upper bound above. Localities "
        "are compared with the area's own average within 99.8% Poisson (Byar) limits.",
        f"Counts below {run.inputs.get('statement_suppress_below', 10)} are suppressed in "
        "statements. Every estimated count of people, on every page, table, map and statement, "
        "is rounded the same way: to the nearest 10 under 1,000, 50 under 10,000, else 100.",
        "Interval methods for observed figures follow PHE conventions: Wilson (proportions), "
        "Byar (counts and crude rates), Dobson (directly standardised rates).",
        _sentence(run.inputs.get("deprivation_adjustment", "not adjusted for deprivation")),
    ]
    return Section("methods", TITLES["methods"], paragraphs, bullets)


def _norm_method(run: AnalysisRun, norm: Norm) -> str:
    """The norm, what it measures in which ages, the capacity it read, and any conversion."""
    measured = norm_measure(run=run, norm_code=norm.code)
    parts = [
        f"Norm: {norm.name}. Measures {measured.get('measure', norm.measure_label)}, ages "
        f"{measured.get('ages', norm.ages_label)}; capacity counted: "
        f"{measured.get('units', '')}.",
        *[f"{sentence}." for sentence in measured.get("conversions", [])],
        f"Source: {norm.source}.",
        norm.measure_source,
    ]
    return " ".join(part for part in parts if part)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:].rstrip(".") + "."


def _sources(run: AnalysisRun, sources: RunSources) -> Section:
    inputs = run.inputs
    total = people(inputs.get("population_total", 0))
    bullets = [
        f"Population: {inputs.get('population_year')} mid-year estimates, "
        f"{inputs.get('population_rows', 0):,} rows, total {total}.",
        f"Services: financial year {inputs.get('financial_year')}, "
        f"{len(inputs.get('service_codes', []))} services counted towards the ambitions.",
        f"Localities: {inputs.get('locality_scheme')}.",
        *_residents_lines(inputs),
        f"Analysis run {run.pk}, finished {timezone.localtime(run.finished_at):%-d %B %Y %H:%M}.",
    ]
    paragraphs = sources.attributions or [
        "No copyright line applies: none of the data used carries one"
        + (" (the boundaries are invented)." if run.is_synthetic else ".")
    ]
    return Section(
        "sources", TITLES["sources"], paragraphs, bullets=bullets, tables=[sources.table]
    )


def _residents_lines(inputs: dict) -> list[str]:
    """Nobody is lost: the residents sentence the run checked, and any incompleteness."""
    residents = inputs.get("residents") or {}
    lines = [_sentence(residents["sentence"])] if residents.get("sentence") else []
    return lines + ([residents["incomplete"]] if residents.get("incomplete") else [])


def _limitations(run: AnalysisRun) -> Section:
    bullets = [
        "National survey rates describe people living in private households; people in "
        "hospitals, prisons, care homes and without a home are not covered.",
        "Survey rates are national: local prevalence may differ with deprivation, ethnicity and "
        "other factors the rates do not reflect.",
        "Capacity counts towards an ambition only in units that mean the same as its measure; "
        "a caseload counts as people seen a year only through the turnover an analyst set for "
        "its service type, and an ambition that cannot be measured from the capacity loaded is "
        "not computed.",
    ]
    if run.is_synthetic:
        bullets.insert(0, f"{SYNTHETIC_LABEL}: every figure in this chapter is illustrative.")
    elif run.data_label:
        bullets.insert(
            0,
            f"{run.data_label}: every provision figure, gap and statement in this "
            "chapter rests on them and is illustrative.",
        )
    return Section("limitations", TITLES["limitations"], bullets=bullets)
