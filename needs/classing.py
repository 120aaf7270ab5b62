"""Map classes from meaningful steps, never from quantiles. Pure: numpy only.

A quantile map always shows five shades, however small the spread: 0.4 per 1,000 across a county
became "7.9 to 7.9 … 8.0 to 8.0". Here a class is at least one *meaningful step* wide — the larger
of the figure's display rounding and its uncertainty (the typical half-width of the units' 95%
intervals) — so two units share a colour unless they differ by more than that. Edges sit on round
numbers (1, 2, 2.5 or 5 × a power of ten) and every unit with the same value has the same class:
ties are never ranked. When every unit lies within one step, there is one class and the caller
says why.
"""

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

NICE = (1.0, 2.0, 2.5, 5.0, 10.0)


@dataclass(frozen=True)
class Step:
    """The smallest difference worth a colour, and where it came from."""

    size: float
    from_uncertainty: bool  # True: the intervals' half-width; False: the display rounding


def nice_width(at_least: float) -> float:
    """The smallest of 1, 2, 2.5 or 5 × 10^k that is at least `at_least` (> 0)."""
    if not at_least > 0 or not math.isfinite(at_least):
        raise ValueError(f"a class width must be a positive number, not {at_least}")
    power = 10.0 ** math.floor(math.log10(at_least))
    # Tolerate binary rounding: 0.3 / 0.1 must not become 3.0000000000000004 steps. The last
    # multiple, 10 × power, is always at least the value, so one is always found.
    return next(m * power for m in NICE if m * power >= at_least * (1 - 1e-9))


def meaningful_step(*, rounding: float, lower: ArrayLike = (), upper: ArrayLike = ()) -> Step:
    """The display rounding, or the median half-width of the units' known intervals if larger.

    `lower` and `upper` are each unit's 95% interval on the scale of the mapped value.
    """
    if not rounding > 0:
        raise ValueError(f"rounding must be positive, not {rounding}")
    widths = (np.asarray(upper, dtype=float) - np.asarray(lower, dtype=float)) / 2.0
    known = widths[np.isfinite(widths)]
    uncertainty = float(np.median(known)) if known.size else float("nan")
    if math.isfinite(uncertainty) and uncertainty > rounding:
        return Step(size=uncertainty, from_uncertainty=True)
    return Step(size=rounding, from_uncertainty=False)


def step_edges(values: ArrayLike, *, step: float, max_classes: int) -> tuple[float, ...]:
    """Class edges, first to last, on round numbers at least `step` apart.

    One class (two edges) when the finite values span less than one step; no edges when no value
    is finite. Otherwise classes of one round width from a multiple of that width below the
    least value, as few as the span needs and never more than `max_classes`.
    """
    if max_classes < 1:
        raise ValueError("at least one class is needed")
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if not len(finite):
        return ()
    low, high = float(finite.min()), float(finite.max())
    if high - low < step:
        return (low, high)
    width = nice_width(max(step, (high - low) / max_classes))
    while True:
        start = math.floor(low / width + 1e-9) * width
        count = math.floor((high - start) / width + 1e-9) + 1
        if count <= max_classes:
            places = decimals_for(width)
            return tuple(round(start + width * i, places) for i in range(count + 1))
        width = nice_width(width * (1 + 1e-6))  # the next round width up


def class_of(values: ArrayLike, edges: tuple[float, ...]) -> np.ndarray:
    """0-based class of each value (−1 where the value is missing or there are no classes)."""
    values = np.asarray(values, dtype=float)
    if len(edges) < 2:
        return np.full(values.shape, -1)
    inner = np.asarray(edges[1:-1])
    index = np.searchsorted(inner, values, side="right")
    return np.where(np.isfinite(values), index, -1)


def three_way(values: ArrayLike, edges: tuple[float, ...]) -> np.ndarray:
    """Lower (0), similar (1) or higher (2) for a bivariate map, from at most three step classes.

    One class: every unit is "similar" (1). Two: the lower and the higher. Three: as they come.
    Missing values are −1.
    """
    index = class_of(values, edges)
    classes = len(edges) - 1
    if classes > 3:
        raise ValueError("a bivariate axis has at most three classes")
    if classes < 1:
        return index  # no classes: every unit is missing (−1)
    lookup = np.array([*{1: [1], 2: [0, 2], 3: [0, 1, 2]}[classes], -1])
    return lookup[np.where(index >= 0, index, classes)]


def decimals_for(width: float) -> int:
    """Decimals that show a class width exactly (2.5 → 1, 0.05 → 2, 20 → 0), at most 6."""
    return len(f"{width:.6f}".rstrip("0").partition(".")[2])
