"""Expected against recorded: how many of the people estimated to have a condition are on a GP
register. Pure computation: numpy and the standard library, no Django.

The recorded figure is a register count (people, not an estimate: printed as counted); the expected
figure is the prevalence estimate for the same people (the same ages, the same places). Their
ratio is the diagnosis rate, e.g. NHS England's estimated dementia diagnosis rate: people aged 65
and over on GP dementia registers ÷ people aged 65 and over estimated to have dementia, against
the national ambition of two in three (66.7%).

Two uncertainties, reported separately and never blended:

- The 95% interval on the rate is Wilson's score interval (as Fingertips publishes the dementia
  diagnosis rate) with the register as numerator and the expected number as denominator. It covers
  the register's variation from chance only: it treats the expected number as if it were known.
  When more people are recorded than expected, a proportion has no interval; the rate is then an
  observed ÷ expected ratio with the register's Poisson interval (exact below 10, Byar's from 10).
- The estimate itself is uncertain: at its interval's ends (its lower and upper numbers of people)
  the same register gives the rate's range, register ÷ upper to register ÷ lower.

Against an ambition the rate is called, as ``benchmarking.compare`` calls it, "below" only if even
the interval's upper limit is below it, "above" only if even its lower limit is above it, else "in
line"; the same call is made on the range from the estimate's bounds, and the statement says when
the two differ.
"""

import math
from dataclasses import dataclass

from needs import benchmarking, rounding
from needs.prevalence import intervals

DEMENTIA_AMBITION = 0.667  # NHS England: two in three people aged 65+ with dementia diagnosed

BELOW, IN_LINE, ABOVE = "below", "in line", "above"
WILSON, POISSON = "Wilson", "Poisson"
_CALLS = {benchmarking.LOWER: BELOW, benchmarking.HIGHER: ABOVE, benchmarking.SIMILAR: IN_LINE}


@dataclass(frozen=True)
class RegisterWords:
    """How a register and its estimate are spoken of."""

    condition: str  # "have dementia"
    people: str  # "people aged 65 and over"
    register: str  # "are on GP dementia registers"
    ambition: str = ""  # "the national ambition of two in three"


DEMENTIA = RegisterWords(
    condition="have dementia",
    people="people aged 65 and over",
    register="are on GP dementia registers",
    ambition="the national ambition of two in three",
)
PSYCHOSIS = RegisterWords(
    condition="have a psychotic disorder",
    people="adults",
    register="are on GP registers of serious mental illness",
)
DEPRESSION = RegisterWords(
    condition="have depression",
    people="adults",
    register="are on GP depression registers",
)
LEARNING_DISABILITY = RegisterWords(
    condition="have a learning disability",
    people="people",
    register="are on GP learning disability registers",
)


@dataclass(frozen=True)
class RecordedAgainstExpected:
    recorded: float
    expected: float
    expected_lower: float  # NaN when the estimate has no interval
    expected_upper: float
    rate: float  # recorded ÷ expected
    lower: float  # the rate's 95% interval: the register's chance variation only
    upper: float
    method: str  # WILSON, or POISSON when more are recorded than expected
    rate_low: float  # recorded ÷ expected_upper: the rate at the estimate's upper bound
    rate_high: float  # recorded ÷ expected_lower (inf when the lower bound is 0)
    ambition: float | None
    verdict: str | None  # against the ambition on the interval: below / in line / above
    verdict_across_estimate: str | None  # the same on the range from the estimate's bounds

    @property
    def has_range(self) -> bool:
        return math.isfinite(self.rate_low) and not math.isnan(self.rate_high)


def recorded_against_expected(
    *,
    recorded: float,
    expected: float,
    expected_lower: float | None = None,
    expected_upper: float | None = None,
    ambition: float | None = None,
) -> RecordedAgainstExpected:
    """The register as a share of the expected number, its 95% interval, the range the estimate's
    own bounds give, and (when there is an ambition) the call against it on each."""
    if not (recorded >= 0 and expected > 0):
        raise ValueError(
            f"a register needs a count of at least 0 ({recorded}) and an expected number of "
            f"people above 0 ({expected})"
        )
    low_people = math.nan if expected_lower is None else float(expected_lower)
    high_people = math.nan if expected_upper is None else float(expected_upper)
    if low_people > expected or high_people < expected:
        raise ValueError(
            f"the expected number ({expected}) must lie within its interval "
            f"({low_people} to {high_people})"
        )
    if recorded <= expected:
        lower, upper = intervals.wilson(numerator=recorded, denominator=expected)
        method = WILSON
    else:
        counts = intervals.poisson(count=recorded)
        lower, upper = (limit / expected for limit in counts)
        method = POISSON
    rate_low = recorded / high_people
    rate_high = recorded / low_people if low_people != 0 else math.inf
    return RecordedAgainstExpected(
        recorded=float(recorded),
        expected=float(expected),
        expected_lower=low_people,
        expected_upper=high_people,
        rate=recorded / expected,
        lower=float(lower),
        upper=float(upper),
        method=method,
        rate_low=rate_low,
        rate_high=rate_high,
        ambition=ambition,
        verdict=_call(float(lower), float(upper), ambition),
        verdict_across_estimate=_call(rate_low, rate_high, ambition),
    )


def _call(lower: float, upper: float, ambition: float | None) -> str | None:
    direction = benchmarking.compare(lower=lower, upper=upper, comparator=ambition)
    return _CALLS.get(direction)


def _count(value: float) -> str:
    return f"{value:,.0f}"


def statement(result: RecordedAgainstExpected, words: RegisterWords, *, place: str = "") -> str:
    """The figures in plain English, rounded by the one rule (``needs.rounding``):

    "In Wyre Forest an estimated 1,800 people aged 65 and over have dementia (between about
    1,500 and 2,100); 1,150 are on GP dementia registers (64%, 95% CI 61% to 66%), against the
    national ambition of two in three (67%): below it. …"
    """
    opening = f"In {place} an estimated" if place else "An estimated"
    estimate = f"{opening} {rounding.people(result.expected)} {words.people} {words.condition}"
    between = rounding.between(result.expected_lower, result.expected_upper)
    if between:
        estimate += f" ({between})"
    rate = (
        f"{_count(result.recorded)} {words.register} ({rounding.share(result.rate)}, "
        f"95% CI {rounding.share(result.lower)} to {rounding.share(result.upper)})"
    )
    if result.method == POISSON:
        rate += ", more than the estimate expects"
    text = f"{estimate}; {rate}"
    if result.verdict is not None:
        target = words.ambition or "the ambition"
        text += f", against {target} ({rounding.share(result.ambition)}): {_verdict(result)}"
    return text + "." + _range_sentence(result)


def _verdict(result: RecordedAgainstExpected) -> str:
    if result.verdict == IN_LINE:
        return "in line with it, allowing for chance"
    return f"{result.verdict} it, allowing for chance"


def _range_sentence(result: RecordedAgainstExpected) -> str:
    if not result.has_range:
        return ""
    low = rounding.share(result.rate_low)
    span = (
        f"at least {low}"
        if math.isinf(result.rate_high)
        else f"{low} to {rounding.share(result.rate_high)}"
    )
    sentence = (
        " The estimate is itself uncertain: at its bounds the same register would be "
        f"{span} of the people expected"
    )
    if result.verdict is None or result.verdict_across_estimate == result.verdict:
        return sentence + "."
    if result.verdict_across_estimate == IN_LINE:
        return sentence + ", a range that includes the ambition."
    return sentence + f", a range wholly {result.verdict_across_estimate} the ambition."
