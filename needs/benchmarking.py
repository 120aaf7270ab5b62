"""How a local figure compares: with England, with a funnel of its peers, with a national standard.

Pure computation: numpy and the standard library, no Django. The methods are Fingertips' (Public
Health England, now OHID; "Public health profiles: technical guidance", the sections on
benchmarking and on funnel plots) as the R package PHEindicatormethods computes them
(github.com/ukhsa-collaboration/PHEindicatormethods, R/Funnels.R and R/utils.R), so a figure here
is called as Fingertips calls it:

- ``compare`` and ``benchmark``: the comparator's value (England's, or a group of areas') against
  the local value's 95% and 99.8% intervals. "Similar" when the comparator lies within the
  interval; otherwise higher or lower, which the indicator's polarity turns into better or worse.
  Prevalence estimates have no polarity: more people with a condition is neither good nor bad.
- Funnel limits for proportions (Wilson), ratios and rates (exact Poisson), at 95% and 99.8%,
  with the 100 points PHEindicatormethods draws them at, and each area's significance against
  the funnel's average.
- ``against_standard``: a proportion's Wilson interval against a national standard (NHS Talking
  Therapies: recovery 50%, 75% starting treatment within 6 weeks, 95% within 18 weeks).
"""

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
from numpy.typing import ArrayLike

from needs import rounding
from needs.prevalence import intervals

# --- Comparing with a benchmark (Fingertips' "compared with benchmark") -------------------------

NO_JUDGEMENT = "no judgement"
HIGHER_IS_BETTER = "higher is better"
LOWER_IS_BETTER = "lower is better"
POLARITIES = (NO_JUDGEMENT, HIGHER_IS_BETTER, LOWER_IS_BETTER)

HIGHER, LOWER, SIMILAR, NOT_COMPARED = "higher", "lower", "similar", "not compared"
BETTER, WORSE = "better", "worse"
LEVELS = (0.95, 0.998)


def compare(*, lower: float | None, upper: float | None, comparator: float | None) -> str:
    """Higher, lower or similar: where the comparator's value lies against the local interval.

    Higher when the whole interval is above the comparator, lower when it is below, similar when
    the comparator lies within it (its ends included); "not compared" when any figure is missing.
    """
    values = (lower, upper, comparator)
    if not all(_finite(value) for value in values):
        return NOT_COMPARED
    low, high, benchmark_value = (float(value) for value in values)
    if low > high:
        raise ValueError(f"an interval's lower limit ({low}) is above its upper limit ({high})")
    if low > benchmark_value:
        return HIGHER
    if high < benchmark_value:
        return LOWER
    return SIMILAR


def judge(direction: str, polarity: str) -> str:
    """Higher or lower turned into better or worse by the indicator's polarity (or left as is)."""
    if polarity not in POLARITIES:
        raise ValueError(f"polarity must be one of {', '.join(POLARITIES)}, not {polarity!r}")
    if polarity == NO_JUDGEMENT or direction not in (HIGHER, LOWER):
        return direction
    return BETTER if (direction == HIGHER) == (polarity == HIGHER_IS_BETTER) else WORSE


@dataclass(frozen=True)
class Benchmark:
    """A local value against a comparator at 95% and at 99.8%, and how to say it."""

    at_95: str  # better / similar / worse, or lower / similar / higher, or "not compared"
    at_998: str
    comparator_name: str

    @property
    def outcome(self) -> str:
        """The 95% call: the one Fingertips colours a three-tier (RAG) benchmark by."""
        return self.at_95

    @property
    def token(self) -> str:
        """A class name for colour (paired with words, never colour alone): "cmp-better", …"""
        return "cmp-" + self.at_95.replace(" ", "-")

    @property
    def words(self) -> str:
        """The comparison in plain English, saying at which level the difference holds."""
        name = self.comparator_name
        if self.at_95 == NOT_COMPARED:
            return f"not compared with {name}: a figure or its interval is missing"
        if self.at_95 == SIMILAR:
            return f"similar to {name}: the value for {name} is within the 95% interval"
        if self.at_998 == SIMILAR:
            return (
                f"{self.at_95} than {name} at 95% confidence, though not at 99.8% "
                f"(the value for {name} is within the 99.8% interval)"
            )
        return (
            f"{self.at_95} than {name}: the value for {name} is outside both the 95% and "
            "99.8% intervals"
        )


def benchmark(
    *,
    lower_95: float | None,
    upper_95: float | None,
    lower_998: float | None,
    upper_998: float | None,
    comparator: float | None,
    polarity: str,
    comparator_name: str = "England",
) -> Benchmark:
    """Fingertips' three-tier comparison with a benchmark, at 95% and at 99.8%.

    The 99.8% interval must contain the 95% one, so a difference at 99.8% is one at 95% too.
    """
    at_95 = judge(compare(lower=lower_95, upper=upper_95, comparator=comparator), polarity)
    at_998 = judge(compare(lower=lower_998, upper=upper_998, comparator=comparator), polarity)
    if at_998 not in (SIMILAR, NOT_COMPARED) and at_998 != at_95:
        raise ValueError("the 99.8% interval must contain the 95% interval")
    return Benchmark(at_95=at_95, at_998=at_998, comparator_name=comparator_name)


def _finite(value: object) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


# --- Funnel plots (PHEindicatormethods' calculate_funnel_limits / assign_funnel_significance) ---

PROPORTION, RATIO, RATE = "proportion", "ratio", "rate"
FUNNEL_POINTS = 100

HIGH_998, HIGH_95 = "high_998", "high_95"
LOW_998, LOW_95 = "low_998", "low_95"
NOT_SIGNIFICANT, NOT_APPLICABLE = "not_significant", "not_applicable"
SIGNIFICANCE_WORDS = {
    HIGH_998: "above the funnel's 99.8% limit",
    HIGH_95: "above the funnel's 95% limit (within 99.8%)",
    LOW_998: "below the funnel's 99.8% limit",
    LOW_95: "below the funnel's 95% limit (within 99.8%)",
    NOT_SIGNIFICANT: "within the funnel's 95% limits",
    NOT_APPLICABLE: "not assessed: fewer than 10 events for a standardised rate",
}
DSR_MIN_EVENTS = 10  # Fingertips does not assess directly standardised rates below 10 events


@dataclass(frozen=True)
class Funnel:
    """Control limits at each of the funnel's points, on the statistic's own scale.

    ``points`` are populations (proportions), observed events (ratios) or events (rates), as in
    PHEindicatormethods' output; ``baseline`` is the average the funnel is centred on.
    """

    points: np.ndarray
    lower_95: np.ndarray
    upper_95: np.ndarray
    lower_998: np.ndarray
    upper_998: np.ndarray
    baseline: float


def _z(confidence: float) -> float:
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def proportion_limits(
    *, average: float, population: ArrayLike, confidence: float, multiplier: float = 1
) -> tuple[np.ndarray, np.ndarray]:
    """The funnel's limits for proportions at each population size.

    A limit is the observed proportion whose Wilson interval just reaches the average p̄. The
    Wilson interval holds every p with (q − p)² ≤ z²·p(1 − p)/n, so its edge meets p̄ where
    q = p̄ ∓ z·sqrt(p̄(1 − p̄)/n): the normal limits around the average, kept within 0 and 1.
    """
    n = np.asarray(population, dtype=float)
    half_width = _z(confidence) * np.sqrt(average * (1 - average) / n)
    lower = np.maximum(average - half_width, 0.0)  # p̄ ≤ 1, so only these ends can overrun
    upper = np.minimum(average + half_width, 1.0)
    return lower * multiplier, upper * multiplier


def _neat_floor(value: float) -> float:
    """95% of the value rounded down to its leading digit: 31,824 → 30,000 (0 stays 0)."""
    scaled = value * 0.95
    power = 10.0 ** (len(str(math.floor(scaled))) - 1)
    return math.floor(scaled / power) * power


def _neat_ceiling(value: float) -> float:
    """105% of the value rounded up to its two leading digits: 61,921 → 66,000 (0 stays 0)."""
    scaled = value * 1.05
    power = 10.0 ** (len(str(math.ceil(scaled))) - 2)
    return math.ceil(scaled / power) * power


def funnel_points(
    *,
    min_denominator: float,
    max_denominator: float,
    statistic: str,
    years_of_data: float = 1,
    average: float | None = None,
) -> np.ndarray:
    """The 100 x-values PHEindicatormethods draws a funnel at, closer together where it curves.

    The axis runs from 0 when the largest denominator is more than twice the smallest (else
    from a neat value below the smallest) to a neat value above the largest; rates' axes are in
    events (the denominator per year × ``years_of_data`` × the ``average`` rate, both needed for
    rates only). From max(1, start), each point
    is the previous one times the ratio that would reach the end in the points left, rounded to a
    whole number and at least one more than the previous.
    """
    if statistic not in (PROPORTION, RATIO, RATE):
        raise ValueError(f"statistic must be proportion, ratio or rate, not {statistic!r}")
    years = years_of_data
    start = 0.0
    if max_denominator <= 2 * min_denominator:
        start = _neat_floor(min_denominator / years) * years
    end = _neat_ceiling(max_denominator / years) * years
    if statistic == RATE:
        if average is None:
            raise ValueError("a rate's funnel points need the average rate")
        start, end = math.floor(start * average), math.ceil(end * average)
    points = [max(1.0, start)]
    for j in range(2, FUNNEL_POINTS + 1):
        left = FUNNEL_POINTS + 1 - (j - 1 if statistic == RATIO else j)
        previous = points[-1]
        points.append(max(float(round((end / previous) ** (1 / left) * previous)), previous + 1))
    return np.array(points)


def proportion_funnel(
    *, numerators: ArrayLike, denominators: ArrayLike, multiplier: float = 100
) -> Funnel:
    """Funnel limits for proportions (Wilson), as ``calculate_funnel_limits(statistic =
    "proportion")``: centred on the areas' pooled proportion Σ numerators ÷ Σ denominators."""
    numerator, denominator = _counts(numerators, denominators)
    average = numerator.sum() / denominator.sum()
    points = funnel_points(
        min_denominator=denominator.min(), max_denominator=denominator.max(), statistic=PROPORTION
    )
    limits = [
        proportion_limits(
            average=average, population=points, confidence=level, multiplier=multiplier
        )
        for level in LEVELS
    ]
    return Funnel(points, *limits[0], *limits[1], baseline=average * multiplier)


def _counts(numerators: ArrayLike, denominators: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    numerator = np.asarray(numerators, dtype=float)
    denominator = np.asarray(denominators, dtype=float)
    if numerator.size == 0 or np.isnan(numerator).any() or np.isnan(denominator).any():
        raise ValueError("numerators and denominators must be given for every area, zeros too")
    if (numerator < 0).any() or (denominator <= 0).any():
        raise ValueError("numerators must be at least zero and denominators above zero")
    return numerator, denominator


def _poisson_ratio_limits(events: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Observed ÷ expected at the funnel's edges: O ÷ the exact upper and lower limits of O."""
    lower, upper = intervals.exact_poisson(count=events, confidence=confidence)
    return events / upper, events / lower  # events ≥ 1 at every point: no zero limits


def ratio_funnel(
    *, observed: ArrayLike, expected: ArrayLike, ratio_type: str = "isr", multiplier: float = 100
) -> Funnel:
    """Funnel limits for observed ÷ expected (exact Poisson), as ``statistic = "ratio"``.

    ``ratio_type`` "isr": the ratio × ``multiplier`` (an indirectly standardised ratio, 100 = as
    expected); "count": the ratio − 1 (the excess over expected as a fraction).
    """
    if ratio_type not in ("isr", "count"):
        raise ValueError(f"ratio_type must be isr or count, not {ratio_type!r}")
    _, expected_counts = _counts(observed, expected)
    points = funnel_points(
        min_denominator=expected_counts.min(),
        max_denominator=expected_counts.max(),
        statistic=RATIO,
    )
    limits = [_poisson_ratio_limits(points, level) for level in LEVELS]
    if ratio_type == "isr":
        scaled = [tuple(limit * multiplier for limit in pair) for pair in limits]
        return Funnel(points, *scaled[0], *scaled[1], baseline=float(multiplier))
    shifted = [tuple(limit - 1 for limit in pair) for pair in limits]
    return Funnel(points, *shifted[0], *shifted[1], baseline=0.0)


def derived_denominators(
    *,
    events: ArrayLike,
    rates: ArrayLike,
    multiplier: float,
    rate_type: str,
    denominators: ArrayLike | None = None,
) -> np.ndarray:
    """Each area's denominator as a rate implies it: events ÷ rate × multiplier.

    For a directly standardised rate (``rate_type`` "dsr") this is the population a crude rate
    would need; an area with no events has none (NaN). For a crude rate, an area with no events
    takes its own denominator, which must then be given.
    """
    if rate_type not in ("dsr", "crude"):
        raise ValueError(f"rate_type must be dsr or crude, not {rate_type!r}")
    count = np.asarray(events, dtype=float)
    rate = np.asarray(rates, dtype=float)
    has_events = count != 0
    implied = np.divide(
        multiplier * count, rate, out=np.full(count.shape, np.nan), where=has_events
    )
    if rate_type == "dsr":
        return implied
    own = np.asarray(np.nan if denominators is None else denominators, dtype=float)
    if np.any(~has_events & ~(own > 0)):
        raise ValueError("an area with no events needs its denominator for a crude rate")
    return np.where(has_events, implied, own)


def _pooled(
    events: ArrayLike,
    rates: ArrayLike,
    multiplier: float,
    rate_type: str,
    denominators: ArrayLike | None,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Events, each area's derived denominator, and the pooled rate Σ events ÷ Σ denominators
    (per one, not per ``multiplier``)."""
    count = np.asarray(events, dtype=float)
    derived = derived_denominators(
        events=count,
        rates=rates,
        multiplier=multiplier,
        rate_type=rate_type,
        denominators=denominators,
    )
    return count, derived, float(count.sum() / np.nansum(derived))


def rate_funnel(
    *,
    events: ArrayLike,
    rates: ArrayLike,
    multiplier: float,
    years_of_data: float,
    rate_type: str,
    denominators: ArrayLike | None = None,
) -> Funnel:
    """Funnel limits for crude or directly standardised rates (exact Poisson), as
    ``statistic = "rate"``: centred on Σ events ÷ Σ derived denominators; points are events."""
    _, derived, average = _pooled(events, rates, multiplier, rate_type, denominators)
    points = funnel_points(
        min_denominator=float(np.nanmin(derived)),
        max_denominator=float(np.nanmax(derived)),
        statistic=RATE,
        years_of_data=years_of_data,
        average=average,
    )
    limits = [
        tuple(limit * average * multiplier for limit in _poisson_ratio_limits(points, level))
        for level in LEVELS
    ]
    return Funnel(points, *limits[0], *limits[1], baseline=average * multiplier)


def _significance(
    high_998: np.ndarray, high_95: np.ndarray, low_998: np.ndarray, low_95: np.ndarray
) -> list[str]:
    # The order matters as PHEindicatormethods' case_when: the stronger call first.
    return list(
        np.select(
            [low_998, low_95, high_998, high_95],
            [LOW_998, LOW_95, HIGH_998, HIGH_95],
            default=NOT_SIGNIFICANT,
        )
    )


def proportion_significance(
    *, numerators: ArrayLike, denominators: ArrayLike, average: float | None = None
) -> list[str]:
    """Each area's proportion against the funnel limits for its denominator.

    ``average`` defaults to the areas' pooled proportion (as PHEindicatormethods); pass
    England's value to centre the funnel on England instead.
    """
    numerator, denominator = _counts(numerators, denominators)
    if np.any(numerator > denominator):
        raise ValueError("numerators must not be greater than their denominators")
    centre = numerator.sum() / denominator.sum() if average is None else average
    proportion = numerator / denominator
    (low_95, high_95), (low_998, high_998) = (
        proportion_limits(average=centre, population=denominator, confidence=level)
        for level in LEVELS
    )
    return _significance(
        proportion > high_998, proportion > high_95, proportion < low_998, proportion < low_95
    )


def _ratio_bounds(
    observed: np.ndarray, expected: np.ndarray
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Observed ÷ expected with Poisson limits (exact below 10 events, Byar's from 10)."""
    bounds = []
    for level in LEVELS:
        lower, upper = intervals.poisson(count=observed, confidence=level)
        bounds.append((lower / expected, upper / expected))
    return bounds[0], bounds[1]


def ratio_significance(*, observed: ArrayLike, expected: ArrayLike) -> list[str]:
    """Each area's observed ÷ expected against 1: high when even its lower limit is above 1."""
    count, expected_count = _counts(observed, expected)
    (low_95, high_95), (low_998, high_998) = _ratio_bounds(count, expected_count)
    return _significance(low_998 > 1, low_95 > 1, high_998 < 1, high_95 < 1)


def rate_significance(
    *,
    events: ArrayLike,
    rates: ArrayLike,
    multiplier: float,
    rate_type: str,
    denominators: ArrayLike | None = None,
    average: float | None = None,
) -> list[str]:
    """Each area's rate against the funnel's average rate (per ``multiplier``).

    ``average`` (per ``multiplier``) defaults to Σ events ÷ Σ derived denominators, as
    PHEindicatormethods; a standardised rate with fewer than 10 events is not assessed.
    """
    count, derived, pooled = _pooled(events, rates, multiplier, rate_type, denominators)
    centre = pooled if average is None else average / multiplier
    (low_95, high_95), (low_998, high_998) = _ratio_bounds(count, derived)
    called = _significance(centre < low_998, centre < low_95, centre > high_998, centre > high_95)
    if rate_type == "dsr":
        return list(np.where(count < DSR_MIN_EVENTS, NOT_APPLICABLE, called))
    return called


# --- Against a national standard ----------------------------------------------------------------

MEETS, DOES_NOT_MEET, CANNOT_TELL = "meets", "does not meet", "cannot tell"


@dataclass(frozen=True)
class Standard:
    name: str
    share: float  # the least share that meets it
    wording: str  # what the share is of, e.g. "of people finishing a course of treatment recover"


TALKING_THERAPIES_RECOVERY = Standard(
    "recovery", 0.50, "of people finishing a course of treatment move to recovery"
)
TALKING_THERAPIES_6_WEEKS = Standard(
    "waits: 6 weeks", 0.75, "of people start treatment within 6 weeks of referral"
)
TALKING_THERAPIES_18_WEEKS = Standard(
    "waits: 18 weeks", 0.95, "of people start treatment within 18 weeks of referral"
)
TALKING_THERAPIES_STANDARDS = (
    TALKING_THERAPIES_RECOVERY,
    TALKING_THERAPIES_6_WEEKS,
    TALKING_THERAPIES_18_WEEKS,
)


@dataclass(frozen=True)
class AgainstStandard:
    standard: Standard
    proportion: float
    lower: float
    upper: float
    verdict: str  # meets / does not meet / cannot tell, on the 95% interval
    point_meets: bool  # the published figure itself is at or above the standard

    @property
    def words(self) -> str:
        figure = (
            f"{rounding.share(self.proportion)} {self.standard.wording} "
            f"(95% CI {rounding.share(self.lower)} to {rounding.share(self.upper)})"
        )
        target = f"the standard of {rounding.share(self.standard.share)}"
        if self.verdict == MEETS:
            return f"{figure}: this meets {target}, allowing for chance."
        if self.verdict == DOES_NOT_MEET:
            return f"{figure}: this does not meet {target}, allowing for chance."
        side = "at or above" if self.point_meets else "below"
        return (
            f"{figure}: the figure is {side} {target}, but the interval includes it, so chance "
            "alone could explain the difference."
        )


def against_standard(
    *, numerator: float, denominator: float, standard: Standard, confidence: float = 0.95
) -> AgainstStandard:
    """A proportion against a standard: met when even the Wilson interval's lower limit is above
    it, not met when even the upper limit is below, otherwise "cannot tell" (the standard lies
    within the interval, its ends included, as ``compare`` treats a benchmark)."""
    lower, upper = intervals.wilson(
        numerator=numerator, denominator=denominator, confidence=confidence
    )
    direction = compare(lower=float(lower), upper=float(upper), comparator=standard.share)
    verdict = {HIGHER: MEETS, LOWER: DOES_NOT_MEET}.get(direction, CANNOT_TELL)
    proportion = numerator / denominator
    return AgainstStandard(
        standard=standard,
        proportion=proportion,
        lower=float(lower),
        upper=float(upper),
        verdict=verdict,
        point_meets=proportion >= standard.share,
    )
