"""The Outcomes page's charts, which the chapter draws again as pictures
(gapanalysis.report_charts): funnel plots of the dementia diagnosis rate per locality (against the
national ambition) and of GP register prevalence per practice (against the area's own value), and
trends over the QOF years and the population years loaded. Each is chart data (needs.funnels,
needs.trends) with its inline SVG, its words and, for funnels, the rows of its text alternative."""

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from needs import columns as c
from needs import funnels, rounding, trends
from needs import recorded as r
from needs.models import Condition, LocalityScheme
from needs.prevalence.estimates import NeedUnavailable, whole_area_by_population_year
from needs.prevalence.intervals import wilson
from recorded import attribution as a
from recorded import selectors
from recorded.comparisons import PAIRINGS, ExpectedAgainstRecorded

REGISTER_NAMES = {
    "dementia": "Dementia",
    "depression": "Depression",
    "smi": "Serious mental illness",
    "learning_disability": "Learning disability",
}
REGISTERS = tuple(REGISTER_NAMES)
# England's register prevalence (per cent) as OHID's Fingertips names it (indicators 247, 848,
# 90581 and 200 in the QOF profiles), loaded with import_indicators' generic layout.
ENGLAND_INDICATORS = {
    "dementia": "Dementia: QOF prevalence (all ages)",
    "depression": "Depression: QOF prevalence (18+ yrs)",
    "smi": "Mental Health: QOF prevalence (all ages)",
    "learning_disability": "Learning disability: QOF prevalence (all ages)",
}
LIST_NOTE = (
    "Each practice's register is divided by its list size as QOF publishes it (for depression "
    "and learning disability registers, QOF's list of the register's age group when given)."
)
AREA_CENTRE_NOTE = (
    "England's value for this register is not loaded (the indicator {indicator!r} for England, "
    "E92000001, from Fingertips), so the funnel is centred on the area's own value: it shows "
    "which practices differ from the area as a whole, not from England. " + LIST_NOTE
)
ENGLAND_CENTRE_NOTE = (
    "The funnel is centred on England's value ({indicator}, {period}); the area's overall value "
    "is {area}. " + LIST_NOTE
)
POPULATION_NOTE = (
    "The same prevalence rates are applied to each year's mid-year population, so the change is "
    "the population's alone; the rates' own uncertainty is the same in every year, so no "
    "interval is drawn."
)


@dataclass(frozen=True)
class FunnelShown:
    key: str
    chart: funnels.FunnelChart
    fmt: Callable[[float], str]
    svg: str
    rows: list[dict]
    note: str
    numerator_label: str

    @property
    def words(self) -> str:
        return self.chart.description


@dataclass(frozen=True)
class TrendShown:
    key: str
    chart: trends.Chart
    fmt: Callable[[float], str]
    svg: str

    @property
    def words(self) -> str:
        return self.chart.description


def _funnel(
    key: str, chart: funnels.FunnelChart, fmt: Callable[[float], str], *, counted: str, note: str
) -> FunnelShown:
    return FunnelShown(
        key=key,
        chart=chart,
        fmt=fmt,
        svg=funnels.svg(chart, chart_id=key, fmt=fmt),
        rows=funnels.table_rows(chart, fmt=fmt),
        note=note,
        numerator_label=counted,
    )


def qof_period(year: int) -> str:
    """A QOF year by its first year, as published: 2019 → "2019-20"."""
    return f"{year}-{(year + 1) % 100:02d}"


# --- funnels --------------------------------------------------------------------------------------


def dementia_funnel(compared: ExpectedAgainstRecorded) -> FunnelShown | None:
    """The dementia diagnosis rate of each locality (on registers ÷ expected aged 65 and over)
    against the national ambition of two in three."""
    rows = [
        row for row in compared.rows if row.pairing.register == "dementia" and row.unit_code != ""
    ]
    rows = [row for row in rows if row.result.expected > 0]
    if not rows:
        return None
    chart = funnels.funnel_chart(
        title=f"Dementia diagnosis rate by locality, QOF {qof_period(compared.year)}",
        names=[row.unit_name for row in rows],
        numerators=[row.result.recorded for row in rows],
        denominators=[row.result.expected for row in rows],
        target=r.DEMENTIA_AMBITION,
        target_name=f"the national ambition of {funnels.share_1dp(r.DEMENTIA_AMBITION)}",
        unit_plural="localities",
        x_label="People aged 65 and over estimated to have dementia",
        y_label="On GP dementia registers ÷ expected",
    )
    counted = "On GP dementia registers"
    return _funnel("dementia-localities", chart, rounding.share, counted=counted, note="")


def practice_funnels(year: int) -> list[FunnelShown]:
    """Each register's prevalence per practice (register ÷ list size) against the area's."""
    frame = selectors.registers_frame(year=year, conditions=list(REGISTERS))
    frame = frame[frame[a.LIST_SIZE] > 0]
    names = selectors.practice_names()
    england = selectors.england_values(indicators=list(ENGLAND_INDICATORS.values()), year=year)
    shown = []
    for register in REGISTERS:
        ours = frame[frame["condition"] == register].sort_values(a.PRACTICE_CODE)
        if ours.empty:
            continue
        area = float(ours[a.REGISTER].sum() / ours[a.LIST_SIZE].sum())
        centre, target_name, note = _centre(
            register, area, england.get(ENGLAND_INDICATORS[register]), year
        )
        chart = funnels.funnel_chart(
            title=(
                f"{REGISTER_NAMES[register]} register prevalence by GP practice, "
                f"QOF {qof_period(year)}"
            ),
            names=[names.get(code, code) for code in ours[a.PRACTICE_CODE]],
            numerators=ours[a.REGISTER].tolist(),
            denominators=ours[a.LIST_SIZE].tolist(),
            target=centre,
            target_name=target_name,
            unit_plural="practices",
            own_average=centre == area,
            x_label="Patients on the practice's list",
            y_label="On the register ÷ list size",
            step=funnels.SHARE_1DP_STEP,
        )
        key = f"qof-{register}-practices"
        shown.append(_funnel(key, chart, funnels.share_1dp, counted="On the register", note=note))
    return shown


def _centre(
    register: str, area: float, england_percent: float | None, year: int
) -> tuple[float, str, str]:
    """The funnel's centre, its name and the note under it: England's value when loaded (a
    per cent, as Fingertips publishes it), else the area's own."""
    indicator = ENGLAND_INDICATORS[register]
    area_words = funnels.share_1dp(area)
    if england_percent is None:
        note = AREA_CENTRE_NOTE.format(indicator=indicator)
        return area, f"the area's overall value of {area_words}", note
    england = england_percent / 100
    note = ENGLAND_CENTRE_NOTE.format(indicator=indicator, period=qof_period(year), area=area_words)
    return england, f"England's value of {funnels.share_1dp(england)}", note


# --- trends ---------------------------------------------------------------------------------------


def _trend(
    key: str, title: str, local: trends.Series, fmt: Callable[[float], str], step: float
) -> TrendShown:
    chart = trends.chart_data(local=local, england=None, title=title, fmt=fmt, step=step)
    return TrendShown(key=key, chart=chart, fmt=fmt, svg=trends.svg(chart, chart_id=key, fmt=fmt))


def one_period_words(what: str, period: str) -> str:
    return f"Only one {what} is loaded ({period}), so there is no trend to draw."


def qof_trends() -> dict:
    """Register prevalence of the whole area by QOF year, when two or more years are loaded."""
    totals = selectors.qof_totals_frame(conditions=list(REGISTERS))
    years = sorted(set(totals["year"]))
    if not years:
        return {"qof_trends": [], "qof_trends_words": "No GP registers (QOF) are loaded yet."}
    if len(years) < 2:
        words = one_period_words("QOF year", qof_period(years[0]))
        return {"qof_trends": [], "qof_trends_words": words}
    shown = []
    for register in REGISTERS:
        ours = totals[totals["condition"] == register]
        points = []
        for year, count, size in ours[["year", a.REGISTER, a.LIST_SIZE]].itertuples(index=False):
            low, high = wilson(numerator=count, denominator=size)
            points.append(trends.Point(qof_period(year), count / size, float(low), float(high)))
        if points:
            title = f"{REGISTER_NAMES[register]} register prevalence, whole area, by QOF year"
            series = trends.Series("Whole area", tuple(points))
            key = f"qof-{register}-years"
            shown.append(_trend(key, title, series, funnels.share_1dp, funnels.SHARE_1DP_STEP))
    return {"qof_trends": shown, "qof_trends_words": ""}


def population_trends(scheme: LocalityScheme | None) -> dict:
    """Expected people with each paired condition by population year, when two or more of the
    loaded years cover the whole area."""
    if scheme is None:
        return {"population_trends": [], "population_trends_words": ""}
    conditions = list(Condition.objects.filter(code__in=[p.condition_code for p in PAIRINGS]))
    try:
        frame = whole_area_by_population_year(scheme=scheme, conditions=conditions)
    except NeedUnavailable as error:
        return {"population_trends": [], "population_trends_words": str(error)}
    years = sorted(set(frame[c.YEAR]))
    if len(years) < 2:
        words = (
            one_period_words("population year", f"mid-{years[0]}")
            if years
            else "No population year covering the whole area is loaded yet."
        )
        return {"population_trends": [], "population_trends_words": words}
    return {
        "population_trends": _population_shown(frame, conditions),
        "population_trends_words": "",
        "population_note": POPULATION_NOTE,
    }


def _population_shown(frame: pd.DataFrame, conditions: list[Condition]) -> list[TrendShown]:
    shown = []
    for condition in sorted(conditions, key=lambda condition: condition.name):
        ours = frame[frame[c.CONDITION_CODE] == condition.code].sort_values(c.YEAR)
        points = tuple(
            trends.Point(f"mid-{year}", float(value))
            for year, value in ours[[c.YEAR, c.EXPECTED_CASES]].itertuples(index=False)
        )
        if points:
            title = f"Expected people: {condition.name}, whole area, by population year"
            series = trends.Series("Whole area", points)
            shown.append(
                _trend(f"expected-{condition.code}-years", title, series, rounding.people, 1)
            )
    return shown


def charts_context(scheme: LocalityScheme | None, registers: dict) -> dict:
    """The funnels and trends for the page (and the chapter), from the registers' context."""
    compared = registers.get("registers")
    dementia = dementia_funnel(compared) if compared is not None else None
    practices = practice_funnels(compared.year) if compared is not None else []
    return {
        "funnels": [shown for shown in (dementia, *practices) if shown is not None],
        **qof_trends(),
        **population_trends(scheme),
    }
