"""Trends: a local series against England's, as chart data, an accessible SVG and one line of words.

Pure: the standard library and the project's rounding and classing rules, no Django. The SVG is
inline markup for pages (and for print): a <title> and <desc> for screen readers, no script, no
style attributes (the site's Content-Security-Policy forbids them), colours as SVG presentation
attributes that the stylesheet may override through the class names, and the two series told
apart by line pattern and marker shape as well as colour (Okabe & Ito's colour-blind-safe blue
for the area, near-black dashes for England), so the chart reads in greyscale too. Every name
and period is escaped: they come from users' uploads.

A change over time is called only when it is larger than chance: a rise when the last period's
95% interval lies wholly above the first's, a fall when wholly below; without intervals the words
say the change is not tested.
"""

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from needs import benchmarking, rounding
from needs.classing import decimals_for, nice_width

LOCAL_COLOUR = "#0072B2"  # Okabe & Ito (2008) blue
ENGLAND_COLOUR = "#231F20"  # near-black, dashed
GRID_COLOUR = "#AEB7BD"
TEXT_COLOUR = "#212B32"
WIDTH, HEIGHT = 560, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 72  # plot margins: axis labels left, legend below
TICKS = 5
PAD = 24  # room either side of the first and last periods for their markers and labels
MARKER = 4  # half the side of a square marker; circles have radius 4.5
SWATCH = 28  # the legend's line sample
CHARACTER = 8  # a generous width of one 12-px character, to space the legend's entries
CIRCLE, SQUARE = "circle", "square"


@dataclass(frozen=True)
class _Style:
    css: str
    colour: str
    dash: str  # SVG stroke-dasharray, "" for a solid line
    marker: str


LOCAL_STYLE = _Style("trend-local", LOCAL_COLOUR, "", CIRCLE)
ENGLAND_STYLE = _Style("trend-england", ENGLAND_COLOUR, "6 4", SQUARE)


@dataclass(frozen=True)
class Point:
    period: str
    value: float
    lower: float = math.nan  # the 95% interval, when published
    upper: float = math.nan

    @property
    def has_interval(self) -> bool:
        return math.isfinite(self.lower) and math.isfinite(self.upper)


@dataclass(frozen=True)
class Series:
    name: str
    points: tuple[Point, ...]

    def at(self, period: str) -> Point | None:
        return next((point for point in self.points if point.period == period), None)


@dataclass(frozen=True)
class Chart:
    """What the chart draws, in data units: periods along x, ticks up y, the two series."""

    title: str
    periods: tuple[str, ...]
    ticks: tuple[float, ...]
    local: Series
    england: Series | None
    description: str


def _finite_points(series: Series) -> tuple[Point, ...]:
    return tuple(point for point in series.points if math.isfinite(point.value))


def periods_of(local: Series, england: Series | None) -> tuple[str, ...]:
    """Every period either series has, in text order ("2019", "2019-20", "2023-04" sort right)."""
    every = {point.period for point in local.points}
    if england is not None:
        every |= {point.period for point in england.points}
    return tuple(sorted(every))


def ticks_for(values: list[float], *, step: float = rounding.PER_1000_STEP) -> tuple[float, ...]:
    """Round y-axis ticks covering the (finite) values, about ``TICKS`` of them, one round width
    apart. The width is a whole number of display steps (``step``: 0.1 for figures shown to one
    decimal, 0.01 for whole per cents), so no two labels print the same and none is rounded."""
    values = [value for value in values if math.isfinite(value)]
    if not values:
        return (0.0, 1.0)
    low, high = min(values), max(values)
    if high == low:  # one value: a band of 10% either side of it (0 to 1 for zero)
        pad = abs(high) * 0.1
        low, high = (low - pad, high + pad) if pad else (0.0, 1.0)
    width = nice_width(max((high - low) / (TICKS - 1), step))
    while abs(width / step - round(width / step)) > 1e-9:  # 2.5 steps: on to 5
        width = nice_width(width * (1 + 1e-6))
    start = math.floor(low / width + 1e-9) * width
    count = math.ceil((high - start) / width - 1e-9)
    places = decimals_for(width)
    return tuple(round(start + width * i, places) for i in range(count + 1))


def chart_data(
    *,
    local: Series,
    england: Series | None,
    title: str,
    fmt: Callable[[float], str] = rounding.per_1000,
    step: float = rounding.PER_1000_STEP,
) -> Chart:
    """The chart's periods, y ticks and description, from the two series; ``fmt`` and ``step``
    are how figures are shown (``rounding.share`` and ``rounding.SHARE_STEP`` for shares)."""
    values = []
    for series in (local, england):
        for point in _finite_points(series) if series is not None else ():
            values += [point.value, point.lower, point.upper]
    return Chart(
        title=title,
        periods=periods_of(local, england),
        ticks=ticks_for(values, step=step),
        local=local,
        england=england,
        description=describe(local, england, fmt=fmt),
    )


# --- words --------------------------------------------------------------------------------------


def describe(
    local: Series, england: Series | None, *, fmt: Callable[[float], str] = rounding.per_1000
) -> str:
    """The trend in one line: the first and last values, whether the change is beyond chance,
    England's movement, and how the latest period compares with England."""
    points = _finite_points(local)
    if not points:
        return f"No figures for {local.name} are loaded."
    if len(points) == 1:
        only = points[0]
        text = (
            f"Only one period is loaded for {local.name} ({only.period}: {fmt(only.value)}), "
            "so there is no trend yet"
        )
        return text + f"{_against_england(local, england, only)}."
    first, last = points[0], points[-1]
    if fmt(first.value) == fmt(last.value):  # a change the rounding hides is not a rise or fall
        rounded = ", as rounded" if first.value != last.value else ""
        text = (
            f"{local.name} was {fmt(last.value)} in both {first.period} and {last.period}"
            f"{rounded}{_chance(first, last)}"
        )
    else:
        text = (
            f"{local.name} {_movement(first, last)} from {fmt(first.value)} in {first.period} to "
            f"{fmt(last.value)} in {last.period}{_chance(first, last)}"
        )
    text += _england_movement(england, first.period, last.period, fmt)
    return text + f"{_against_england(local, england, last)}."


def _movement(first: Point, last: Point) -> str:
    if last.value > first.value:
        return "rose"
    if last.value < first.value:
        return "fell"
    return "stayed level"


def _chance(first: Point, last: Point) -> str:
    if not (first.has_interval and last.has_interval):
        return " (no intervals are loaded, so chance is not ruled out)"
    change = benchmarking.compare(lower=last.lower, upper=last.upper, comparator=first.upper)
    if change == benchmarking.HIGHER:
        return ", a rise larger than chance would explain"
    change = benchmarking.compare(lower=last.lower, upper=last.upper, comparator=first.lower)
    if change == benchmarking.LOWER:
        return ", a fall larger than chance would explain"
    return ", within what chance alone could explain"


def _england_movement(
    england: Series | None, first: str, last: str, fmt: Callable[[float], str]
) -> str:
    start = england.at(first) if england is not None else None
    end = england.at(last) if england is not None else None
    if start is None or end is None:
        return ""
    return f"; England {_movement(start, end)} from {fmt(start.value)} to {fmt(end.value)}"


def _against_england(local: Series, england: Series | None, point: Point) -> str:
    comparator = england.at(point.period) if england is not None else None
    if comparator is None or not point.has_interval:
        return ""
    direction = benchmarking.compare(
        lower=point.lower, upper=point.upper, comparator=comparator.value
    )
    if direction == benchmarking.SIMILAR:
        return f". In {point.period} {local.name} was similar to England"
    return f". In {point.period} {local.name} was {direction} than England"


# --- SVG ----------------------------------------------------------------------------------------


def _identifier(text: str) -> str:
    cleaned = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    return cleaned or "trend"


def _number(value: float) -> str:
    return f"{value:.1f}"


class _Scale:
    def __init__(self, chart: Chart) -> None:
        self.periods = chart.periods
        self.low, self.high = chart.ticks[0], chart.ticks[-1]
        self.plot_width = WIDTH - LEFT - RIGHT - 2 * PAD
        self.plot_height = HEIGHT - TOP - BOTTOM

    def x(self, period: str) -> float:
        if len(self.periods) == 1:
            return LEFT + PAD + self.plot_width / 2
        share = self.periods.index(period) / (len(self.periods) - 1)
        return LEFT + PAD + self.plot_width * share

    def y(self, value: float) -> float:
        return TOP + self.plot_height * (self.high - value) / (self.high - self.low)


def svg(chart: Chart, *, chart_id: str, fmt: Callable[[float], str] = rounding.per_1000) -> str:
    """The chart as inline SVG markup (a string for a template's ``|safe`` after this escaping).

    ``chart_id`` makes the title and description ids unique on the page.
    """
    scale = _Scale(chart)
    ident = _identifier(chart_id)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'class="trend-chart" role="img" aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{escape(chart.title)}</title>',
        f'<desc id="{ident}-desc">{escape(chart.description)}</desc>',
        _axes(chart, scale, fmt),
    ]
    if chart.england is not None:
        parts.append(_series(chart.england, scale, ENGLAND_STYLE))
    parts.append(_series(chart.local, scale, LOCAL_STYLE))
    parts.append(_legend(chart))
    parts.append("</svg>")
    return "\n".join(parts)


def _text(x: float, y: float, text: str, anchor: str, css: str) -> str:
    return (
        f'<text x="{_number(x)}" y="{_number(y)}" text-anchor="{anchor}" class="{css}" '
        f'fill="{TEXT_COLOUR}" font-size="12">{escape(text)}</text>'
    )


def _axes(chart: Chart, scale: _Scale, fmt: Callable[[float], str]) -> str:
    lines = ['<g class="trend-axes">']
    right = WIDTH - RIGHT
    for tick in chart.ticks:
        y = scale.y(tick)
        lines.append(
            f'<line x1="{LEFT}" x2="{right}" y1="{_number(y)}" y2="{_number(y)}" '
            f'stroke="{GRID_COLOUR}" stroke-width="1"/>'
        )
        lines.append(_text(LEFT - 6, y + 4, fmt(tick), "end", "trend-tick"))
    base = HEIGHT - BOTTOM
    for period in chart.periods:
        lines.append(_text(scale.x(period), base + 18, period, "middle", "trend-period"))
    lines.append("</g>")
    return "\n".join(lines)


def _series(series: Series, scale: _Scale, style: _Style) -> str:
    points = _finite_points(series)
    colour = style.colour
    parts = [f'<g class="trend-series {style.css}">']
    for point in points:
        if point.has_interval:
            x = _number(scale.x(point.period))
            parts.append(
                f'<line x1="{x}" x2="{x}" y1="{_number(scale.y(point.lower))}" '
                f'y2="{_number(scale.y(point.upper))}" stroke="{colour}" stroke-width="1.5"/>'
            )
    coordinates = " ".join(
        f"{_number(scale.x(p.period))},{_number(scale.y(p.value))}" for p in points
    )
    dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
    if len(points) > 1:
        parts.append(
            f'<polyline points="{coordinates}" fill="none" stroke="{colour}" '
            f'stroke-width="2"{dash}/>'
        )
    parts += [_marker(style, scale.x(p.period), scale.y(p.value)) for p in points]
    parts.append("</g>")
    return "\n".join(parts)


def _marker(style: _Style, x: float, y: float) -> str:
    """A square (England) or a circle (the area) centred on (x, y)."""
    if style.marker == SQUARE:
        return (
            f'<rect x="{_number(x - MARKER)}" y="{_number(y - MARKER)}" width="{2 * MARKER}" '
            f'height="{2 * MARKER}" fill="{style.colour}"/>'
        )
    return f'<circle cx="{_number(x)}" cy="{_number(y)}" r="{MARKER + 0.5}" fill="{style.colour}"/>'


def _legend(chart: Chart) -> str:
    """Below the plot: a swatch of each series' line and marker, then its name."""
    y = HEIGHT - 22
    entries = [(chart.local.name, LOCAL_STYLE)]
    if chart.england is not None:
        entries.append((chart.england.name, ENGLAND_STYLE))
    parts = ['<g class="trend-legend">']
    x = LEFT
    for name, style in entries:
        dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
        parts.append(
            f'<line x1="{x}" x2="{x + SWATCH}" y1="{y}" y2="{y}" stroke="{style.colour}" '
            f'stroke-width="2"{dash}/>'
        )
        parts.append(_marker(style, x + SWATCH / 2, y))
        parts.append(_text(x + SWATCH + 6, y + 4, name, "start", "trend-legend-label"))
        x += SWATCH + 6 + CHARACTER * len(name) + 24
    if any(point.has_interval for point in chart.local.points):
        note = "Vertical lines: 95% confidence intervals"
        parts.append(_text(LEFT, y + 18, note, "start", "trend-note"))
    parts.append("</g>")
    return "\n".join(parts)
