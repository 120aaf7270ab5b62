"""One rounding rule for every page, table, statement, map and export. Pure: no Django.

An estimate of people is not precise to the person, and a figure printed three ways (2,185 on a
page, 2,190 in a table, 2,200 in a statement) looks like three figures. Every estimated count of
people is therefore shown through `people`: to the nearest 10 under 1,000, 50 under 10,000 and 100
from there. Rates per 1,000 show one decimal; shares a whole per cent, and "<1%" for a share that
is not zero but would round to it.

Money is shown in whole pounds everywhere ("£1,234", half a pound rounded away from zero). The
parts of a whole (each category's or funder's share of all spend) are rounded together by the
largest remainder, so the whole per cents shown add up to exactly 100%: each part is first rounded
down, then the points still missing go, one each, to the parts that lost the most. A part above
zero that ends at 0% is shown "<1%", and one short of the whole that ends at 100% ">99%".
"""

import math
from collections.abc import Sequence

PER_1000_STEP = 0.1  # rates per 1,000 are shown to one decimal place
SHARE_STEP = 0.01  # shares are shown to a whole per cent
NOT_AVAILABLE = "not available"


def _finite(value: object) -> bool:
    try:
        return math.isfinite(float(value))  # numpy numbers and Decimals too
    except (TypeError, ValueError):
        return False


def people_step(value: float) -> int:
    """The rounding step for a count of people of this size: 10, 50 or 100."""
    size = abs(value)
    return 10 if size < 1_000 else 50 if size < 10_000 else 100


def people_value(value: float) -> float:
    """The count as shown, as a number (for totals that must add up to what is printed)."""
    step = people_step(value)
    # Half away from zero, as people expect: 2,175 → 2,200, never banker's 2,150.
    return math.copysign(math.floor(abs(value) / step + 0.5) * step, value)


def people(value: float | None) -> str:
    """An estimated number of people, rounded as every output rounds it."""
    if not _finite(value):
        return NOT_AVAILABLE
    return f"{people_value(float(value)):,.0f}"


def people_or_fewer(value: float | None, *, suppress_below: int) -> str:
    """As `people`, but "fewer than N" for a small count (suppressed to protect individuals)."""
    if not _finite(value):
        return "an unknown number of"
    if float(value) < suppress_below:
        return f"fewer than {suppress_below}"
    return people(value)


def between(lower: float | None, upper: float | None, *, suppress_below: int = 0) -> str:
    """An interval in words: "between about 1,900 and 2,500"."""
    if not (_finite(lower) and _finite(upper)):
        return ""
    if suppress_below and float(upper) < suppress_below:
        return f"fewer than {suppress_below}"
    low = people_or_fewer(
        lower, suppress_below=suppress_below
    )  # people() when nothing is suppressed
    if low.startswith("fewer"):
        return f"up to about {people(upper)}"
    return f"between about {low} and {people(upper)}"


def per_1000(value: float | None) -> str:
    return f"{float(value):,.1f}" if _finite(value) else NOT_AVAILABLE


def share(value: float | None) -> str:
    """A share as a whole per cent; "<1%" when it is above zero but rounds to 0%."""
    if not _finite(value):
        return NOT_AVAILABLE
    value = float(value)
    if 0 < value < 0.005:
        return "<1%"
    return f"{math.copysign(math.floor(abs(value) * 100 + 0.5), value):.0f}%"


def _half_away(value: float) -> float:
    return math.copysign(math.floor(abs(value) + 0.5), value)


def pounds(value: float | None, *, signed: bool = False) -> str:
    """Money in whole pounds: "£1,234"; "−£46" below zero; signed: "+£1,234" above it too."""
    if not _finite(value):
        return NOT_AVAILABLE
    whole = _half_away(float(value))
    text = f"£{abs(whole):,.0f}"
    if whole < 0:
        return f"\u2212{text}"
    return f"+{text}" if signed and whole > 0 else text


def signed_share(value: float | None) -> str:
    """A change as a share of what it was: "+17%", "−6%", "+<1%" for a small rise, "0%"."""
    if not _finite(value):
        return NOT_AVAILABLE
    value = float(value)
    text = share(abs(value))
    if value == 0:
        return text
    return ("+" if value > 0 else "\u2212") + text


def whole_percents(amounts: Sequence[float]) -> list[int]:
    """Each amount's share of their sum in whole per cents that add up to exactly 100 (largest
    remainder; ties go to the earlier amount). An amount of zero stays 0."""
    values = [float(a) for a in amounts]
    if any(not math.isfinite(v) or v < 0 for v in values):
        raise ValueError("Shares need amounts that are numbers of zero or more.")
    total = sum(values)
    if total <= 0:
        raise ValueError("Shares of nothing cannot be shown.")
    exact = [100 * v / total for v in values]
    whole = [math.floor(e) for e in exact]
    by_loss = sorted(range(len(exact)), key=lambda i: (-(exact[i] - whole[i]), i))
    for i in by_loss[: 100 - sum(whole)]:
        whole[i] += 1
    return whole


def shares_adding_up(amounts: Sequence[float]) -> list[str]:
    """`whole_percents` as text: "<1%" for a part above zero shown as 0, ">99%" for a part
    short of the whole shown as 100. Amounts that sum to nothing: "not available" each."""
    values = [float(a) if _finite(a) else math.nan for a in amounts]
    if not values or any(not math.isfinite(v) or v < 0 for v in values) or sum(values) <= 0:
        return [NOT_AVAILABLE] * len(values)
    total = sum(values)
    texts = []
    for value, percent in zip(values, whole_percents(values), strict=True):
        if percent == 0 and value > 0:
            texts.append("<1%")
        elif percent == 100 and value < total:
            texts.append(">99%")
        else:
            texts.append(f"{percent}%")
    return texts
