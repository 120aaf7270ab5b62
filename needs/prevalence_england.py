"""An estimated prevalence against England's published all-ages value. Pure: no Django.

The local prevalence is the estimate's expected cases ÷ the people the rates apply to, and its
95% interval is the estimate's interval ÷ the same people. Fingertips compares England's value
against the local 95% and 99.8% intervals (needs.benchmarking); an estimate publishes only its
95% interval, so the 99.8% one is derived from it, each side widened by z(99.8%) ÷ z(95%)
(3.090 ÷ 1.960 = 1.58), as a normal interval would be.

A prevalence estimate is England's own survey rates by age and sex (and deprivation, when
adjusted) applied to the local population, so it is never judged better or worse, and a
difference from England reflects the area's make-up, not illness observed in it.
"""

import math
from dataclasses import dataclass
from statistics import NormalDist

from needs import benchmarking as b

WIDENING = NormalDist().inv_cdf(0.999) / NormalDist().inv_cdf(0.975)  # z 99.8% ÷ z 95%
NO_ENGLAND = "no England figure is published for this measure"
WHAT_IT_MEANS = (
    "The local figure applies England's own survey rates by age and sex{deprivation} to the "
    "local population, so a difference from England reflects the area's age and sex"
    "{deprivation_short} make-up, not illness observed here."
)


@dataclass(frozen=True)
class PrevalenceAgainstEngland:
    """One measure's local prevalence (shares of 1) against England's, in words only."""

    prevalence: float
    lower_95: float | None
    upper_95: float | None
    england: float | None
    benchmark: b.Benchmark | None
    adjusted_for_deprivation: bool

    @property
    def figure(self) -> str:
        """The local prevalence with its 95% interval: "16.4% (95% CI 15.5% to 17.4%)"."""
        shown = _percent(self.prevalence)
        if self.lower_95 is None or self.upper_95 is None:
            return f"{shown} (no interval)"
        return f"{shown} (95% CI {_percent(self.lower_95)} to {_percent(self.upper_95)})"

    @property
    def england_figure(self) -> str:
        return _percent(self.england) if self.england is not None else "none published"

    @property
    def direction(self) -> str:
        """lower / similar / higher (95%), "not compared", or "no England figure"."""
        return self.benchmark.at_95 if self.benchmark else "no England figure"

    @property
    def short(self) -> str:
        """ "lower than England", "similar to England", "higher than England", or why not."""
        if self.benchmark is None:
            return NO_ENGLAND
        return {
            b.LOWER: "lower than England",
            b.HIGHER: "higher than England",
            b.SIMILAR: "similar to England",
        }.get(self.benchmark.at_95, "not compared: the estimate has no interval")

    @property
    def words(self) -> str:
        """Lower / similar / higher than England, with the level, and what it can mean."""
        if self.benchmark is None:
            return f"Not compared: {NO_ENGLAND}."
        called = self.benchmark.words
        return f"{called[:1].upper()}{called[1:]}. {self.caveat}"

    @property
    def caveat(self) -> str:
        adjusted = self.adjusted_for_deprivation
        return WHAT_IT_MEANS.format(
            deprivation=" (and by deprivation, as adjusted here)" if adjusted else "",
            deprivation_short=" (and deprivation)" if adjusted else "",
        )


def prevalence_against_england(
    *,
    expected: float,
    lower: float | None,
    upper: float | None,
    population: float,
    england: float | None,
    adjusted_for_deprivation: bool = False,
) -> PrevalenceAgainstEngland:
    """The local prevalence and its intervals against England's value (a share of 1, or None
    where none is published). No polarity: the words are lower / similar / higher only."""
    if not population > 0:
        raise ValueError("the population the rates apply to must be above zero")
    prevalence = expected / population
    low = lower / population if _finite(lower) else None
    high = upper / population if _finite(upper) else None
    called = None
    if _finite(england):
        called = against_from_95(
            value=prevalence, lower=low, upper=high, comparator=float(england), floor=0.0
        )
    return PrevalenceAgainstEngland(
        prevalence=prevalence,
        lower_95=low,
        upper_95=high,
        england=float(england) if _finite(england) else None,
        benchmark=called,
        adjusted_for_deprivation=adjusted_for_deprivation,
    )


def against_from_95(
    *,
    value: float | None,
    lower: float | None,
    upper: float | None,
    comparator: float | None,
    comparator_name: str = "England",
    floor: float | None = None,
) -> b.Benchmark:
    """A value with only its 95% interval against a comparator, with no judgement (lower /
    similar / higher): the 99.8% interval derived from the 95% one (`interval_998`), its lower
    end kept at or above `floor` where one is given (a prevalence is never below 0)."""
    low_998, high_998 = (
        interval_998(value=value, lower=lower, upper=upper) if value is not None else (None, None)
    )
    if floor is not None and low_998 is not None:
        low_998 = max(low_998, floor)
    return b.benchmark(
        lower_95=lower,
        upper_95=upper,
        lower_998=low_998,
        upper_998=high_998,
        comparator=comparator,
        polarity=b.NO_JUDGEMENT,
        comparator_name=comparator_name,
    )


def interval_998(
    *, value: float, lower: float | None, upper: float | None
) -> tuple[float | None, float | None]:
    """A 99.8% interval from a 95% one: each side widened by z(99.8%) ÷ z(95%)."""
    low = min(value - (value - lower) * WIDENING, lower) if _finite(lower) else None
    high = max(value + (upper - value) * WIDENING, upper) if _finite(upper) else None
    return low, high


def _percent(share: float) -> str:
    return f"{100 * share:.1f}%"


def _finite(value: object) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False
