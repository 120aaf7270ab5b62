"""The "Outcomes and recorded activity" page, for the whole area or one locality: GP registers
against expected need (recorded.comparisons) with their funnel plots and trends (recorded.charts),
NHS Talking Therapies against the national standards and England, and the ONS Health Index's
mental-health score and indicators with their trends. Everything is computed once per change of
the data (needs.data_generation)."""

import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from needs import benchmarking as b
from needs import data_generation, rounding, trends
from needs import selectors as needs_selectors
from needs.models import Locality, LocalityScheme
from needs.prevalence.estimates import NeedUnavailable
from needs.prevalence.intervals import wilson
from recorded import charts, indicator_benchmarks, selectors
from recorded.comparisons import RecordedRow, expected_against_recorded
from recorded.importers.indicators import HEALTH_INDEX, HEALTH_INDEX_SCORES
from recorded.models import ENGLAND_CODE

MENTAL_HEALTH_SCORE = "Mental health"
HEALTH_INDEX_INDICATORS = (
    ("Suicides", b.LOWER_IS_BETTER),
    ("Self-harm", b.LOWER_IS_BETTER),
    ("Mental health conditions", b.LOWER_IS_BETTER),
)
# Talking Therapies standards: (standard, measure giving the share, how to find its denominator)
RECOVERY, SIX_WEEKS, EIGHTEEN_WEEKS = b.TALKING_THERAPIES_STANDARDS
STANDARD_MEASURES = (
    (RECOVERY, "recovery_rate"),
    (SIX_WEEKS, "waited_6_weeks"),
    (EIGHTEEN_WEEKS, "waited_18_weeks"),
)
STANDARD_TITLES = {
    "recovery_rate": "Recovery",
    "waited_6_weeks": "Started treatment within 6 weeks",
    "waited_18_weeks": "Started treatment within 18 weeks",
}
DENOMINATOR_NOTE = (
    "The file publishes percentages and counts but not the percentages' denominators. For waits "
    "the denominator is the number finishing a course of treatment. For recovery it is the "
    "number recovering ÷ the recovery rate when the file counts people recovering; otherwise "
    "(as in the NHS Talking Therapies monthly sub-ICB file) the number finishing a course of "
    "treatment, which is larger than the true denominator (those finishing who were unwell "
    "enough to count), so the interval is a little too narrow. The 95% interval is Wilson's on "
    "those counts; published counts are rounded to the nearest 5."
)
HEALTH_INDEX_NOTE = (
    "ONS scales the Health Index so that England in 2015 = 100; a higher score is better. ONS "
    "publishes no interval for it, so the comparison with England is of the figures alone, and "
    "chance is not tested."
)


@dataclass(frozen=True)
class StandardRow:
    """One Talking Therapies measure's latest month against its standard (and England's)."""

    area_name: str
    title: str
    month: str
    result: b.AgainstStandard
    england: b.Benchmark | None
    england_value: float | None

    @property
    def figure(self) -> str:
        return rounding.share(self.result.proportion)

    @property
    def standard(self) -> str:
        return rounding.share(self.result.standard.share)

    @property
    def token(self) -> str:
        return {b.MEETS: "cmp-better", b.DOES_NOT_MEET: "cmp-worse"}.get(
            self.result.verdict, "cmp-similar"
        )


@dataclass(frozen=True)
class Trend:
    title: str
    svg: str
    words: str


@dataclass(frozen=True)
class ScoreRow:
    area_code: str
    area_name: str
    year: int
    value: float
    direction: str  # higher / lower / similar (the figure alone against 100)
    words: str
    trend: Trend

    @property
    def token(self) -> str:
        return "cmp-" + b.judge(self.direction, b.HIGHER_IS_BETTER)


def page_context(*, locality_code: str | None) -> dict:
    return data_generation.cached(
        "outcomes", (locality_code or ""), lambda: _page_context(locality_code)
    )


def _page_context(locality_code: str | None) -> dict:
    scheme = needs_selectors.default_locality_scheme()
    locality = _locality(scheme, locality_code)
    registers = registers_context(scheme, locality)
    return {
        "scheme": scheme,
        "locality": locality,
        "localities": list(scheme.localities.order_by("name")) if scheme else [],
        **registers,
        **charts.charts_context(scheme, registers),
        **talking_therapies_context(),
        **health_index_context(districts_shown(scheme, locality)),
        **indicator_benchmarks.benchmarks_context(),
    }


class NoSuchLocality(LookupError):
    pass


def _locality(scheme: LocalityScheme | None, code: str | None) -> Locality | None:
    if code is None:
        return None
    found = scheme.localities.filter(code=code).first() if scheme else None
    if found is None:
        raise NoSuchLocality(code)
    return found


# --- GP registers against expected need -----------------------------------------------------------


def registers_context(scheme: LocalityScheme | None, locality: Locality | None) -> dict:
    """GP registers against expected need for the scheme's localities (one, with the whole
    area, when `locality` is given), grouped by register, with the practices-to-places rule."""
    if scheme is None:
        return {"registers_unavailable": "No locality scheme exists yet: load the boundaries."}
    try:
        compared = expected_against_recorded(scheme=scheme)
    except NeedUnavailable as error:
        return {"registers_unavailable": str(error)}
    if compared is None:
        return {"registers_unavailable": "No GP registers (QOF) are loaded yet."}
    rows = [
        row for row in compared.rows if locality is None or row.unit_code in ("", locality.code)
    ]
    return {
        "registers": compared,
        "register_groups": _grouped(rows),
        "qof_period": f"{compared.year}-{(compared.year + 1) % 100:02d}",
    }


VERDICT_TOKENS = {"above": "cmp-better", "below": "cmp-worse"}
VERDICT_WORDS = {
    "above": "Above the ambition",
    "below": "Below the ambition",
    "in line": "In line with the ambition",
}


def _grouped(rows: list[RecordedRow]) -> list[dict]:
    groups: dict[str, dict] = {}
    for row in rows:
        pairing = row.pairing
        group = groups.setdefault(
            pairing.register,
            {
                "pairing": pairing,
                "ambition": rounding.share(pairing.ambition) if pairing.ambition else "",
                "rows": [],
            },
        )
        result = row.result
        group["rows"].append(
            {
                "row": row,
                "rate": rounding.share(result.rate),
                "interval": f"{rounding.share(result.lower)} to {rounding.share(result.upper)}",
                "token": VERDICT_TOKENS.get(result.verdict or "", "cmp-similar"),
                "verdict": VERDICT_WORDS.get(result.verdict or "", ""),
            }
        )
    return list(groups.values())


# --- NHS Talking Therapies ------------------------------------------------------------------------


def talking_therapies_context() -> dict:
    """Each sub-ICB area's latest month against the three standards (and England's figure when
    loaded), with monthly trends."""
    frame = selectors.talking_therapies_frame()
    if frame.empty:
        return {"talking_unavailable": "No NHS Talking Therapies figures are loaded yet."}
    frame["period"] = pd.to_datetime(frame["month"]).dt.strftime("%Y-%m")
    wide = frame.pivot_table(
        index=["area_code", "area_name", "is_england", "period"],
        columns="measure",
        values="value",
        aggfunc="first",
    ).reset_index()
    england = wide[wide["is_england"]].set_index("period")
    local = wide[~wide["is_england"]]
    areas = []
    for (code, name), months in local.groupby(["area_code", "area_name"]):
        label = str(name) if name and name != code else f"Sub-ICB location {code}"
        areas.append(_talking_area(label, months.sort_values("period"), england))
    return {
        "talking_areas": areas,
        "talking_england": not england.empty,
        "denominator_note": DENOMINATOR_NOTE,
    }


def _shares(row: pd.Series, measure: str) -> tuple[float, float] | None:
    """(numerator, denominator) of a published percentage, or None if a figure is missing."""
    share = row.get(measure)
    denominator = row.get("finished_course", math.nan)
    recovered = row.get("recovery_count", math.nan)
    if measure == "recovery_rate" and _ok(recovered) and _ok(share) and share > 0:
        denominator = recovered / (share / 100)
    if not (_ok(share) and _ok(denominator) and denominator > 0):
        return None
    return share / 100 * denominator, denominator


def _ok(value: object) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _talking_area(name: str, months: pd.DataFrame, england: pd.DataFrame) -> dict:
    standards, trends_out = [], []
    for standard, measure in STANDARD_MEASURES:
        usable = [(row, _shares(row, measure)) for _, row in months.iterrows()]
        usable = [(row, counts) for row, counts in usable if counts is not None]
        if not usable:
            continue
        latest, (numerator, denominator) = usable[-1]
        england_value = _england_share(england, latest["period"], measure)
        standards.append(
            StandardRow(
                area_name=name,
                title=STANDARD_TITLES[measure],
                month=_month_name(latest["period"]),
                result=b.against_standard(
                    numerator=numerator, denominator=denominator, standard=standard
                ),
                england=_england_benchmark(numerator, denominator, england_value),
                england_value=england_value,
            )
        )
        trends_out.append(_share_trend(name, measure, usable, england))
    access = months.reindex(columns=["period", "entered_treatment"]).dropna()
    return {
        "name": name,
        "standards": standards,
        "trends": trends_out,
        "access": [
            {"month": _month_name(period), "count": rounding.people(value)}
            for period, value in access.itertuples(index=False)
        ],
        "access_trend": _count_trend(name, access) if len(access) > 1 else None,
    }


def _month_name(period: str) -> str:
    return pd.Timestamp(f"{period}-01").strftime("%B %Y")


def _england_share(england: pd.DataFrame, period: str, measure: str) -> float | None:
    if period not in england.index or measure not in england.columns:
        return None
    value = england.loc[period, measure]
    return float(value) / 100 if _ok(value) else None


def _england_benchmark(
    numerator: float, denominator: float, england_value: float | None
) -> b.Benchmark | None:
    if england_value is None:
        return None
    low95, high95 = wilson(numerator=numerator, denominator=denominator)
    low998, high998 = wilson(numerator=numerator, denominator=denominator, confidence=0.998)
    return b.benchmark(
        lower_95=float(low95),
        upper_95=float(high95),
        lower_998=float(low998),
        upper_998=float(high998),
        comparator=england_value,
        polarity=b.HIGHER_IS_BETTER,
    )


def _share_trend(name: str, measure: str, usable: list, england: pd.DataFrame) -> Trend:
    points = []
    for row, (numerator, denominator) in usable:
        low, high = wilson(numerator=numerator, denominator=denominator)
        points.append(trends.Point(row["period"], numerator / denominator, float(low), float(high)))
    local = trends.Series(name, tuple(points))
    england_points = tuple(
        trends.Point(period, float(value) / 100)
        for period, value in (england[measure].dropna().items() if measure in england else [])
    )
    title = f"{STANDARD_TITLES[measure]}, {name}, by month"
    return _trend(title, local, trends.Series("England", england_points), rounding.share)


def _count_trend(name: str, access: pd.DataFrame) -> Trend:
    points = tuple(trends.Point(p, float(v)) for p, v in access.itertuples(index=False))
    title = f"People entering treatment, {name}, by month"
    return _trend(title, trends.Series(name, points), None, rounding.people)


def _trend(
    title: str, local: trends.Series, england: trends.Series | None, fmt: Callable[[float], str]
) -> Trend:
    if england is not None and not england.points:
        england = None
    chart = trends.chart_data(local=local, england=england, title=title, fmt=fmt)
    markup = trends.svg(chart, chart_id=title, fmt=fmt)
    return Trend(title=title, svg=markup, words=chart.description)


# --- ONS Health Index -----------------------------------------------------------------------------


def districts_shown(scheme: LocalityScheme | None, locality: Locality | None) -> list[str] | None:
    """The districts whose Health Index is shown: the locality's own when it is one, else all."""
    if locality is not None and locality.code.startswith(("E06", "E07", "E08", "E09")):
        return [locality.code]
    return None


def _number(value: float) -> str:
    return f"{value:,.1f}"


def health_index_context(districts: list[str] | None) -> dict:
    """The Health Index mental health score per district against England 2015 = 100, and the
    suicides, self-harm and mental health conditions indicators with their trends."""
    scores = selectors.indicator_frame(source=HEALTH_INDEX_SCORES, indicators=[MENTAL_HEALTH_SCORE])
    values = selectors.indicator_frame(
        source=HEALTH_INDEX, indicators=[name for name, _ in HEALTH_INDEX_INDICATORS]
    )
    if scores.empty and values.empty:
        return {"health_index_unavailable": "No ONS Health Index figures are loaded yet."}
    if districts is not None:
        keep = lambda frame: frame[frame["area_code"].isin([*districts, ENGLAND_CODE])]  # noqa: E731
        scores, values = keep(scores), keep(values)
    return {
        "mental_health_scores": _score_rows(scores),
        "health_index_indicators": _indicator_trends(values),
        "health_index_note": HEALTH_INDEX_NOTE,
    }


def _series(frame: pd.DataFrame, name: str) -> trends.Series:
    frame = frame.dropna(subset=["value"]).sort_values("period")
    pairs = zip(frame["period"], frame["value"], strict=True)
    return trends.Series(name, tuple(trends.Point(str(p), float(v)) for p, v in pairs))


def _score_rows(scores: pd.DataFrame) -> list[ScoreRow]:
    england = _series(scores[scores["area_code"] == ENGLAND_CODE], "England")
    rows = []
    local = scores[scores["area_code"] != ENGLAND_CODE]
    for (code, name), frame in local.groupby(["area_code", "area_name"]):
        series = _series(frame, str(name))
        if not series.points:
            continue
        last = series.points[-1]
        direction = b.compare(lower=last.value, upper=last.value, comparator=100.0)
        title = f"Health Index mental health score, {name}"
        rows.append(
            ScoreRow(
                area_code=str(code),
                area_name=str(name),
                year=int(last.period),
                value=last.value,
                direction=direction,
                words=_score_words(str(name), last, direction),
                trend=_trend(title, series, england, _number),
            )
        )
    return sorted(rows, key=lambda row: row.area_name)


def _score_words(name: str, last: trends.Point, direction: str) -> str:
    where = {
        b.HIGHER: "above England's 2015 level of 100 (better)",
        b.LOWER: "below England's 2015 level of 100 (worse)",
    }.get(direction, "the same as England's 2015 level of 100")
    return f"{name} scored {_number(last.value)} in {last.period}, {where}."


def _indicator_trends(values: pd.DataFrame) -> list[dict]:
    out = []
    for indicator, _polarity in HEALTH_INDEX_INDICATORS:
        ours = values[values["indicator"] == indicator]
        england = _series(ours[ours["area_code"] == ENGLAND_CODE], "England")
        districts = []
        local = ours[ours["area_code"] != ENGLAND_CODE]
        for (_code, name), frame in local.groupby(["area_code", "area_name"]):
            title = f"{indicator}, {name} (ONS Health Index indicator)"
            comparator = england if england.points else None
            districts.append(_trend(title, _series(frame, str(name)), comparator, _number))
        if districts:
            out.append(
                {
                    "indicator": indicator,
                    "trends": districts,
                    "england_loaded": bool(england.points),
                }
            )
    return out
