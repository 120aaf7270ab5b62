"""The chapter's "How we compare" section: GP registers against expected need (with funnel plots
of the dementia diagnosis rate and of register prevalence by practice, and trends), NHS Talking
Therapies against the national standards and England, and the ONS Health Index's mental-health
score and indicators, from the same functions as the Outcomes and recorded activity page
(recorded.pages), for the run's locality scheme, naming the files every figure came from."""

from gapanalysis import report_charts, run_recorded
from gapanalysis.chapter import Section, Table
from gapanalysis.models import AnalysisRun
from needs import need_pages
from needs.models import DatasetVersion
from needs.prevalence.estimates import NeedUnavailable
from recorded import charts, indicator_benchmarks, pages

KEY, TITLE = "compare", "How we compare"
TALKING_COLUMNS = [
    "Measure", "Month", "Figure", "Standard", "Against the standard", "Against England",
]  # fmt: skip


def compare_section(run: AnalysisRun) -> Section:
    section = Section(key=KEY, title=TITLE)
    _prevalence_against_england(section, run)
    _run_register_rule(section, run)
    registers = pages.registers_context(run.locality_scheme, None)
    _registers(section, registers)
    _charts(section, charts.charts_context(run.locality_scheme, registers), registers)
    _talking_therapies(section, pages.talking_therapies_context())
    _health_index(section, pages.health_index_context(None))
    _indicator_benchmarks(section, indicator_benchmarks.benchmarks_context())
    section.paragraphs.append(_sources())
    return section


def _registers(section: Section, context: dict) -> None:
    if "registers_unavailable" in context:
        section.paragraphs.append(context["registers_unavailable"])
        return
    compared = context["registers"]
    section.paragraphs.append(
        f"GP registers (QOF {context['qof_period']}) against the people estimated to have each "
        f"condition in the mid-{compared.population_year} population. {compared.rule}"
    )
    for group in context["register_groups"]:
        pairing = group["pairing"]
        if pairing.caveat:
            section.paragraphs.append(pairing.caveat)
        section.tables.append(_register_table(group))
        section.bullets.extend([shown["row"].statement for shown in group["rows"]][-1:])
    section.bullets.extend([f"Not compared: {note}" for note in compared.not_compared])


def _register_table(group: dict) -> Table:
    columns = ["Place", "On GP registers", "Estimated people", "Share of expected", "95% CI"]
    if group["ambition"]:
        columns.append(f"Against the ambition of {group['ambition']}")
    rows = []
    for shown in group["rows"]:
        result = shown["row"].result
        cells = [
            shown["row"].unit_name,
            f"{result.recorded:,.0f}",
            f"{result.expected:,.0f}",
            shown["rate"],
            shown["interval"],
        ]
        rows.append(cells + ([shown["verdict"]] if group["ambition"] else []))
    return Table(
        caption=group["pairing"].title,
        columns=columns,
        rows=rows,
        numeric=[False, True, True, True, True] + ([False] if group["ambition"] else []),
    )


def _charts(section: Section, context: dict, registers: dict) -> None:
    """The funnel plots and the trends over QOF and population years, as figures with their
    words (or the words that say why a trend is not drawn)."""
    qof = f"NHS Digital, Quality and Outcomes Framework {registers.get('qof_period', '')}"
    for funnel in context["funnels"]:
        source = qof
        if funnel.key == "dementia-localities":
            year = registers["registers"].population_year
            source += f"; expected people from prevalence rates and ONS mid-{year} population"
        section.figures.append(
            report_charts.funnel_png(funnel.chart, fmt=funnel.fmt, source=source)
        )
        section.bullets.append(f"{funnel.chart.title}: {funnel.words}")
    if context["qof_trends_words"]:
        section.paragraphs.append(f"GP registers over time: {context['qof_trends_words']}")
    for trend in context["qof_trends"]:
        section.figures.append(report_charts.trend_png(trend.chart, fmt=trend.fmt, source=qof))
        section.bullets.append(f"{trend.chart.title}: {trend.words}")
    if context["population_trends_words"]:
        section.paragraphs.append(
            f"Expected people over time: {context['population_trends_words']}"
        )
    elif context.get("population_note"):
        section.paragraphs.append(context["population_note"])
    population = "ONS mid-year population estimates and the prevalence rates loaded"
    for trend in context["population_trends"]:
        section.figures.append(
            report_charts.trend_png(trend.chart, fmt=trend.fmt, source=population)
        )
        section.bullets.append(f"{trend.chart.title}: {trend.words}")


def _talking_therapies(section: Section, context: dict) -> None:
    if "talking_unavailable" in context:
        section.paragraphs.append(context["talking_unavailable"])
        return
    section.paragraphs.append(context["denominator_note"])
    for area in context["talking_areas"]:
        section.tables.append(
            Table(
                caption=f"NHS Talking Therapies against the national standards, {area['name']}",
                columns=TALKING_COLUMNS,
                rows=[
                    [
                        row.title,
                        row.month,
                        row.figure,
                        row.standard,
                        row.result.words,
                        _capital(row.england.words) if row.england else "England not loaded",
                    ]
                    for row in area["standards"]
                ],
                numeric=[False, False, True, True, False, False],
            )
        )
        section.bullets.extend([trend.words for trend in area["trends"]])


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _health_index(section: Section, context: dict) -> None:
    if "health_index_unavailable" in context:
        section.paragraphs.append(context["health_index_unavailable"])
        return
    section.paragraphs.append(context["health_index_note"])
    section.tables.append(
        Table(
            caption='ONS Health Index "Mental health" score by district (England 2015 = 100)',
            columns=["District", "Year", "Score", "Against England"],
            rows=[
                [row.area_name, str(row.year), f"{row.value:.1f}", row.words]
                for row in context["mental_health_scores"]
            ],
            numeric=[False, False, True, False],
        )
    )
    section.bullets.extend([row.trend.words for row in context["mental_health_scores"]])
    for group in context["health_index_indicators"]:
        name = group["indicator"]
        section.bullets.extend(f"{name}: {trend.words}" for trend in group["trends"])


def _sources() -> str:
    versions = DatasetVersion.objects.filter(
        kind__in=run_recorded.RECORDED_KINDS, retired_at__isnull=True
    ).order_by("kind", "pk")
    if not versions:
        return "Sources: no recorded-activity files are loaded."
    named = "; ".join(f"{v.original_name} (dataset version {v.pk})" for v in versions)
    return f"Sources: {named}."


# --- every need estimate against England; indicators against England and the comparator group ---

PREVALENCE_COLUMNS = ["Measure", "Local prevalence (95% CI)", "England, all ages", "Compared"]


def _prevalence_against_england(section: Section, run: AnalysisRun) -> None:
    """Each measure's estimated prevalence for the whole area against England's published
    all-ages value, in words only (an estimate is never better or worse)."""
    try:
        measures = need_pages.measures(year=run.year, scheme=run.locality_scheme)
    except NeedUnavailable as error:
        section.paragraphs.append(str(error))
        return
    if not measures:
        return
    section.tables.append(
        Table(
            caption=f"Estimated prevalence against England, whole area, {run.year}",
            columns=PREVALENCE_COLUMNS,
            rows=[
                [
                    m["condition"].name,
                    m["england"].figure,
                    m["england"].england_figure,
                    m["england"].short,
                ]
                for m in measures
            ],
            numeric=[False, True, True, False],
        )
    )
    section.paragraphs.append(measures[0]["england"].caveat + " " + PREVALENCE_METHOD)


PREVALENCE_METHOD = (
    "Similar when England's value lies within the local 95% interval, otherwise lower or "
    "higher (Fingertips' method); the 99.8% interval is derived from the 95% one."
)


def _run_register_rule(section: Section, run: AnalysisRun) -> None:
    """The practices-to-places rule and recorded files pinned on the run when it was made."""
    rule = run.inputs.get("register_rule")
    if not rule:
        section.paragraphs.append(
            "This run recorded no rule for placing GP registers (it was made before runs "
            "recorded one)."
        )
        return
    files = run.inputs.get("recorded_datasets") or []
    named = "; ".join(f"{item['name']} (dataset version {item['id']})" for item in files)
    section.paragraphs.append(
        f"GP registers, as recorded on analysis run {run.pk}: {rule}"
        + (f" Recorded-activity files pinned on the run: {named}." if named else "")
    )
    changed = run_recorded.changed_since(run.inputs)
    if changed:
        section.paragraphs.append(changed)


def _indicator_benchmarks(section: Section, context: dict) -> None:
    if "indicators_unavailable" in context:
        return
    for group in context["indicator_groups"]:
        section.tables.append(
            Table(
                caption=f"{group['indicator']} ({group['period']}), against England and "
                f"{context['comparator_label']}",
                columns=indicator_benchmarks.COLUMNS,
                rows=[row.cells for row in group["rows"]],
                numeric=[False, True, True, False, False],
            )
        )
        section.bullets.append(group["comparator_words"])
