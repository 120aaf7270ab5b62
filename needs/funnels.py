"""Funnel plots: each unit's proportion against its denominator, inside the 95% and 99.8% limits
around a target, as chart data, an accessible SVG and one line of words.

Pure: numpy, the standard library and the project's benchmarking, rounding and trends modules, no
Django. The limits are needs.benchmarking's (Fingertips' Wilson limits for proportions, as
PHEindicatormethods computes them), centred on the given target: a national ambition, the area's
own pooled value, or England's. A unit is flagged as benchmarking flags it: below the lower 99.8%
limit, below the lower 95% limit only, above the upper 95% limit only, above the upper 99.8%
limit, or within the 95% limits.

The SVG follows needs.trends: a <title> and <desc> for screen readers, no script, no style
attributes (the site's Content-Security-Policy forbids them), colours as presentation attributes
that the stylesheet may override through the class names, the limits told apart by line pattern
(95% dashed, 99.8% dotted) and the units' calls by marker shape as well as colour (Okabe & Ito's
colour-blind-safe palette): a circle within the 95% limits, a triangle pointing the way it lies
between the 95% and 99.8% limits, a diamond outside the 99.8% limits. Every name is escaped: names
come from users' uploads.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

import numpy as np
from numpy.typing import ArrayLike

from needs import benchmarking as b
from needs import rounding, trends

WITHIN_COLOUR = "#0072B2"  # Okabe & Ito (2008) blue
BETWEEN_COLOUR = "#E69F00"  # orange
OUTSIDE_COLOUR = "#D55E00"  # vermillion
LINE_COLOUR = "#231F20"  # near-black: the target and the limits, told apart by pattern
GRID_COLOUR, TEXT_COLOUR = trends.GRID_COLOUR, trends.TEXT_COLOUR
TARGET_DASH, DASH_95, DASH_998 = "", "6 4", "2 3"
WIDTH, HEIGHT = 560, 380
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 132  # room below for the x labels and a two-row legend
MARKER = 5
CIRCLE, TRIANGLE_UP, TRIANGLE_DOWN, DIAMOND = "circle", "triangle-up", "triangle-down", "diamond"
SHARE_1DP_STEP = 0.001  # small prevalences are shown to one decimal of a per cent


def share_1dp(value: float) -> str:
    """A proportion as a per cent to one decimal place: 0.0073 → "0.7%"."""
    return f"{value * 100:,.1f}%" if math.isfinite(value) else rounding.NOT_AVAILABLE


@dataclass(frozen=True)
class Call:
    """How a unit is drawn and said, by its flag (benchmarking's significance names)."""

    css: str
    colour: str
    marker: str
    words: str  # "below the lower 99.8% limit"


CALLS = {
    b.LOW_998: Call("funnel-low-998", OUTSIDE_COLOUR, DIAMOND, "below the lower 99.8% limit"),
    b.LOW_95: Call(
        "funnel-low-95", BETWEEN_COLOUR, TRIANGLE_DOWN, "below the lower 95% limit (within 99.8%)"
    ),
    b.HIGH_95: Call(
        "funnel-high-95", BETWEEN_COLOUR, TRIANGLE_UP, "above the upper 95% limit (within 99.8%)"
    ),
    b.HIGH_998: Call("funnel-high-998", OUTSIDE_COLOUR, DIAMOND, "above the upper 99.8% limit"),
    b.NOT_SIGNIFICANT: Call("funnel-within", WITHIN_COLOUR, CIRCLE, "within the 95% limits"),
}
CALL_ORDER = (b.LOW_998, b.LOW_95, b.HIGH_95, b.HIGH_998)  # the words' order; the rest within


@dataclass(frozen=True)
class Unit:
    name: str
    numerator: float
    denominator: float
    flag: str  # a key of CALLS

    @property
    def value(self) -> float:
        return self.numerator / self.denominator


@dataclass(frozen=True)
class FunnelChart:
    """What the funnel draws, in data units: the limits at the funnel's points, the units."""

    title: str
    units: tuple[Unit, ...]
    unit_plural: str  # "localities", "practices"
    target: float
    target_name: str  # "the national ambition of 66.7%"
    points: np.ndarray  # denominators the limits are drawn at
    lower_95: np.ndarray
    upper_95: np.ndarray
    lower_998: np.ndarray
    upper_998: np.ndarray
    x_label: str
    y_label: str
    x_ticks: tuple[float, ...]
    y_ticks: tuple[float, ...]
    description: str


def flags(*, numerators: ArrayLike, denominators: ArrayLike, target: float) -> list[str]:
    """Each unit's proportion against the limits around ``target`` at its own denominator.

    As benchmarking.proportion_significance, but a numerator may exceed its denominator (a
    register larger than the people expected): the limits are the target's, not the unit's.
    """
    denominator = np.asarray(denominators, dtype=float)
    proportion = np.asarray(numerators, dtype=float) / denominator
    (low_95, high_95), (low_998, high_998) = (
        b.proportion_limits(average=target, population=denominator, confidence=level)
        for level in b.LEVELS
    )
    conditions = [proportion < low_998, proportion < low_95, proportion > high_998]
    conditions.append(proportion > high_95)
    called = np.select(conditions, [b.LOW_998, b.LOW_95, b.HIGH_998, b.HIGH_95], b.NOT_SIGNIFICANT)
    return [str(flag) for flag in called]


def funnel_chart(
    *,
    title: str,
    names: list[str],
    numerators: list[float],
    denominators: list[float],
    target: float,
    target_name: str,
    unit_plural: str,
    x_label: str,
    y_label: str,
    step: float = rounding.SHARE_STEP,
    own_average: bool = False,
) -> FunnelChart:
    """The funnel's limits at PHEindicatormethods' 100 points, the units and their flags.

    `own_average`: the target is the units' own pooled value, so many units outside the 99.8%
    limits mean they vary more than chance allows (over-dispersion), which the words then say.
    Against an ambition or another area's value, being outside is a shift, not a spread."""
    numerator = np.asarray(numerators, dtype=float)
    denominator = np.asarray(denominators, dtype=float)
    if numerator.size == 0 or (denominator <= 0).any() or (numerator < 0).any():
        raise ValueError("a funnel needs at least one unit, each with a denominator above zero")
    called = flags(numerators=numerator, denominators=denominator, target=target)
    units = tuple(
        Unit(str(name), float(n), float(d), flag)
        for name, n, d, flag in zip(names, numerator, denominator, called, strict=True)
    )
    points = b.funnel_points(
        min_denominator=float(denominator.min()),
        max_denominator=float(denominator.max()),
        statistic=b.PROPORTION,
    )
    (low_95, high_95), (low_998, high_998) = (
        b.proportion_limits(average=target, population=points, confidence=level)
        for level in b.LEVELS
    )
    shown = np.concatenate([numerator / denominator, [target]])
    widest = [
        limit
        for pair in b.LEVELS
        for limit in b.proportion_limits(
            average=target, population=denominator.min(), confidence=pair
        )
    ]
    return FunnelChart(
        title=title,
        units=units,
        unit_plural=unit_plural,
        target=target,
        target_name=target_name,
        points=points,
        lower_95=low_95,
        upper_95=high_95,
        lower_998=low_998,
        upper_998=high_998,
        x_label=x_label,
        y_label=y_label,
        x_ticks=trends.ticks_for([0.0, float(points[-1])], step=1),
        y_ticks=trends.ticks_for([*shown.tolist(), *map(float, widest)], step=step),
        description=describe(
            units, unit_plural=unit_plural, target_name=target_name, own_average=own_average
        ),
    )


# --- words --------------------------------------------------------------------------------------


def describe(
    units: tuple[Unit, ...], *, unit_plural: str, target_name: str, own_average: bool = False
) -> str:
    """One line: how many units lie beyond each limit, and which, against the target; around
    the units' own average, a warning when far more lie outside the 99.8% limits than chance
    would put there."""
    total = len(units)
    parts = []
    for flag in CALL_ORDER:
        named = sorted(unit.name for unit in units if unit.flag == flag)
        if named:
            verb = "lies" if len(named) == 1 else "lie"
            parts.append(f"{len(named)} of {total} {unit_plural} {verb} {CALLS[flag].words}: ")
            parts[-1] += ", ".join(named)
    within = sum(unit.flag == b.NOT_SIGNIFICANT for unit in units)
    if not parts:
        return f"All {total} {unit_plural} lie within the 95% limits around {target_name}."
    rest = f"; {within} within the 95% limits" if within else ""
    outside = sum(unit.flag in (b.LOW_998, b.HIGH_998) for unit in units)
    spread = (
        f" {OVERDISPERSED.format(unit_plural=unit_plural)}"
        if own_average and overdispersed(outside, total)
        else ""
    )
    return f"Against {target_name}: " + "; ".join(parts) + rest + "." + spread


# Chance alone puts a unit outside the 99.8% limits 1 time in 500. When far more lie outside
# (fewer than 1 in 1,000 by chance: a binomial tail), the units differ by more than chance
# (over-dispersion), which limits drawn as Fingertips draws them do not allow for.
OUTSIDE_BY_CHANCE = 0.002
OVERDISPERSION_P = 0.001
OVERDISPERSED = (
    "That is far more outside the 99.8% limits than chance would put there (1 in 500): these "
    "{unit_plural} differ by more than chance alone (over-dispersion), which the limits do not "
    "allow for, so read each call as a prompt to look closer, not as a verdict."
)


def overdispersed(outside: int, total: int) -> bool:
    """True when `outside` of `total` units beyond the 99.8% limits would happen less than 1 time
    in 1,000 by chance alone: P(X ≥ outside) for X ~ Binomial(total, 0.002)."""
    if outside <= 0:
        return False
    below = sum(
        math.comb(total, k) * OUTSIDE_BY_CHANCE**k * (1 - OUTSIDE_BY_CHANCE) ** (total - k)
        for k in range(outside)
    )
    return 1.0 - below < OVERDISPERSION_P


def table_rows(chart: FunnelChart, *, fmt: Callable[[float], str]) -> list[dict]:
    """The text alternative: each unit's figures and call, in name order."""
    return [
        {
            "name": unit.name,
            "numerator": f"{unit.numerator:,.0f}",
            "denominator": f"{unit.denominator:,.0f}",
            "value": fmt(unit.value),
            "call": CALLS[unit.flag].words,
            "css": CALLS[unit.flag].css,
        }
        for unit in sorted(chart.units, key=lambda unit: unit.name)
    ]


# --- SVG ----------------------------------------------------------------------------------------


def _number(value: float) -> str:
    return f"{value:.1f}"


class _Scale:
    def __init__(self, chart: FunnelChart) -> None:
        self.x_low, self.x_high = chart.x_ticks[0], chart.x_ticks[-1]
        self.y_low, self.y_high = chart.y_ticks[0], chart.y_ticks[-1]
        self.plot_width = WIDTH - LEFT - RIGHT
        self.plot_height = HEIGHT - TOP - BOTTOM

    def x(self, value: float) -> float:
        return LEFT + self.plot_width * (value - self.x_low) / (self.x_high - self.x_low)

    def y(self, value: float) -> float:
        return TOP + self.plot_height * (self.y_high - value) / (self.y_high - self.y_low)


def svg(chart: FunnelChart, *, chart_id: str, fmt: Callable[[float], str] = rounding.share) -> str:
    """The funnel as inline SVG markup (a string for a template's ``|safe`` after this escaping).

    ``chart_id`` makes the ids (title, description, clipping rectangle) unique on the page.
    """
    scale = _Scale(chart)
    ident = "funnel-" + trends._identifier(chart_id)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'class="funnel-chart" role="img" aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{escape(chart.title)}</title>',
        f'<desc id="{ident}-desc">{escape(chart.description)}</desc>',
        f'<clipPath id="{ident}-plot"><rect x="{LEFT}" y="{TOP}" '
        f'width="{scale.plot_width}" height="{scale.plot_height}"/></clipPath>',
        _axes(chart, scale, fmt),
        f'<g class="funnel-limits" clip-path="url(#{ident}-plot)">',
        _line(
            chart.points, np.full(chart.points.shape, chart.target), scale, TARGET_DASH, "target"
        ),
        _line(chart.points, chart.lower_95, scale, DASH_95, "limit-95"),
        _line(chart.points, chart.upper_95, scale, DASH_95, "limit-95"),
        _line(chart.points, chart.lower_998, scale, DASH_998, "limit-998"),
        _line(chart.points, chart.upper_998, scale, DASH_998, "limit-998"),
        "</g>",
        _units(chart, scale),
        _legend(chart),
        "</svg>",
    ]
    return "\n".join(parts)


def _text(x: float, y: float, text: str, anchor: str, css: str, rotate: bool = False) -> str:
    turn = f' transform="rotate(-90 {_number(x)} {_number(y)})"' if rotate else ""
    return (
        f'<text x="{_number(x)}" y="{_number(y)}" text-anchor="{anchor}" class="{css}" '
        f'fill="{TEXT_COLOUR}" font-size="12"{turn}>{escape(text)}</text>'
    )


def _axes(chart: FunnelChart, scale: _Scale, fmt: Callable[[float], str]) -> str:
    lines = ['<g class="funnel-axes">']
    right, base = WIDTH - RIGHT, HEIGHT - BOTTOM
    for tick in chart.y_ticks:
        y = _number(scale.y(tick))
        lines.append(
            f'<line x1="{LEFT}" x2="{right}" y1="{y}" y2="{y}" stroke="{GRID_COLOUR}" '
            'stroke-width="1"/>'
        )
        lines.append(_text(LEFT - 6, scale.y(tick) + 4, fmt(tick), "end", "funnel-tick"))
    for tick in chart.x_ticks:
        lines.append(_text(scale.x(tick), base + 16, f"{tick:,.0f}", "middle", "funnel-tick"))
    lines.append(_text((LEFT + right) / 2, base + 34, chart.x_label, "middle", "funnel-axis"))
    lines.append(_text(14, (TOP + base) / 2, chart.y_label, "middle", "funnel-axis", rotate=True))
    lines.append("</g>")
    return "\n".join(lines)


def _line(x: np.ndarray, y: np.ndarray, scale: _Scale, dash: str, css: str) -> str:
    coordinates = " ".join(
        f"{_number(scale.x(a))},{_number(scale.y(b_))}" for a, b_ in zip(x, y, strict=True)
    )
    pattern = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<polyline class="funnel-{css}" points="{coordinates}" fill="none" '
        f'stroke="{LINE_COLOUR}" stroke-width="1.5"{pattern}/>'
    )


def marker(shape: str, x: float, y: float, colour: str, css: str) -> str:
    """A circle, a triangle pointing up or down, or a diamond centred on (x, y)."""
    size = MARKER
    outline = f'fill="{colour}" stroke="#FFFFFF" stroke-width="0.75" class="{css}"'
    if shape == CIRCLE:
        return f'<circle cx="{_number(x)}" cy="{_number(y)}" r="{size}" {outline}/>'
    if shape == DIAMOND:
        corners = [(x, y - size - 1), (x + size + 1, y), (x, y + size + 1), (x - size - 1, y)]
    elif shape == TRIANGLE_UP:
        corners = [(x, y - size - 1), (x + size + 1, y + size), (x - size - 1, y + size)]
    else:
        corners = [(x, y + size + 1), (x + size + 1, y - size), (x - size - 1, y - size)]
    points = " ".join(f"{_number(a)},{_number(b_)}" for a, b_ in corners)
    return f'<polygon points="{points}" {outline}/>'


def _units(chart: FunnelChart, scale: _Scale) -> str:
    parts = ['<g class="funnel-units">']
    for unit in chart.units:
        call = CALLS[unit.flag]
        y = min(max(unit.value, scale.y_low), scale.y_high)
        parts.append(f"<g><title>{escape(unit.name)}</title>")
        parts.append(
            marker(call.marker, scale.x(unit.denominator), scale.y(y), call.colour, call.css)
        )
        parts.append("</g>")
    parts.append("</g>")
    return "\n".join(parts)


LEGEND_LINES = (("Target", TARGET_DASH), ("95% limits", DASH_95), ("99.8% limits", DASH_998))
LEGEND_MARKERS = (
    ("Within 95%", CIRCLE, WITHIN_COLOUR),
    ("Between 95% and 99.8%", TRIANGLE_UP, BETWEEN_COLOUR),
    ("Outside 99.8%", DIAMOND, OUTSIDE_COLOUR),
)


def _legend(chart: FunnelChart) -> str:
    """Below the plot: the target and limit lines in one row, the three markers in the next."""
    y = HEIGHT - BOTTOM + 62
    parts = ['<g class="funnel-legend">']
    x = LEFT
    for name, dash in LEGEND_LINES:
        pattern = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line x1="{x}" x2="{x + 28}" y1="{y}" y2="{y}" stroke="{LINE_COLOUR}" '
            f'stroke-width="1.5"{pattern}/>'
        )
        parts.append(_text(x + 34, y + 4, name, "start", "funnel-legend-label"))
        x += 34 + 8 * len(name) + 20
    x, y = LEFT, y + 24
    for name, shape, colour in LEGEND_MARKERS:
        parts.append(marker(shape, x + 8, y, colour, "funnel-legend-marker"))
        parts.append(_text(x + 20, y + 4, name, "start", "funnel-legend-label"))
        x += 20 + 8 * len(name) + 20
    target = f"Target: {chart.target_name}"
    parts.append(_text(LEFT, y + 24, target, "start", "funnel-note"))
    parts.append("</g>")
    return "\n".join(parts)
