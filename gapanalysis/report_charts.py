"""Funnel plots and trend charts for the exported chapter: PNG at print resolution. Pure: no
Django.

The same chart data as the Outcomes page's SVGs (needs.funnels, needs.trends), drawn with
matplotlib's Agg canvas directly as gapanalysis.report_maps draws maps (no pyplot, so no global
figure registry), with the same colours, line patterns and marker shapes, on white, with a title,
axis labels, a legend and a source line. The alt text carries the chart's words and its figures.
Names come from users' uploads: they are drawn as plain text, with mathtext parsing switched off.
"""

from collections.abc import Callable

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as MplFigure
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, FuncFormatter

from gapanalysis.chapter import Figure
from gapanalysis.report_figures import png, wrap
from needs import funnels, trends

SIZE_IN = (6.3, 4.6)  # 16 cm wide, as the maps: printed at this size inside an A4 page's margins
TEXT_PT, TITLE_PT = 8, 11
# left, bottom, width, height as fractions of the figure; the top at 0.85 leaves room for a
# title of two lines
PLOT_AREA = (0.12, 0.3, 0.84, 0.55)
MARKERS = {
    funnels.CIRCLE: "o",
    funnels.TRIANGLE_UP: "^",
    funnels.TRIANGLE_DOWN: "v",
    funnels.DIAMOND: "D",
    trends.CIRCLE: "o",
    trends.SQUARE: "s",
}
DASHES = {"": (None, None), funnels.DASH_95: (0, (6, 4)), funnels.DASH_998: (0, (2, 3))}


def _linestyle(dash: str) -> str | tuple:
    return "-" if not dash else DASHES.get(dash, (0, tuple(float(n) for n in dash.split())))


def _figure(title: str, source: str) -> tuple[MplFigure, Axes]:
    figure = MplFigure(figsize=SIZE_IN)
    FigureCanvasAgg(figure)
    figure.text(
        0.02, 0.975, wrap(title, 62), ha="left", va="top", fontsize=TITLE_PT, fontweight="bold",
        parse_math=False,
    )  # fmt: skip
    figure.text(
        0.02, 0.015, wrap(f"Source: {source}", 110), ha="left", va="bottom", fontsize=TEXT_PT - 1,
        parse_math=False,
    )  # fmt: skip
    ax = figure.add_axes(PLOT_AREA)
    ax.set_facecolor("white")
    ax.grid(axis="y", color=funnels.GRID_COLOUR, linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=TEXT_PT)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    return figure, ax


def _labels(ax: Axes, x_label: str, y_label: str) -> None:
    ax.set_xlabel(x_label, fontsize=TEXT_PT, parse_math=False)
    ax.set_ylabel(y_label, fontsize=TEXT_PT, parse_math=False)


def _legend(figure: MplFigure, handles: list[Line2D]) -> None:
    legend = figure.legend(
        handles=handles, loc="lower left", bbox_to_anchor=(0.1, 0.1), ncol=3, frameon=False,
        fontsize=TEXT_PT,
    )  # fmt: skip
    for text in legend.get_texts():
        text.set_parse_math(False)


# --- funnels --------------------------------------------------------------------------------------


def funnel_png(
    chart: funnels.FunnelChart, *, fmt: Callable[[float], str], source: str, dpi: int = 200
) -> Figure:
    """The funnel with its target, its 95% (dashed) and 99.8% (dotted) limits and every unit
    marked by its call (circle, triangle up or down, diamond), as the page's SVG."""
    figure, ax = _figure(chart.title, source)
    colour = funnels.LINE_COLOUR
    ax.plot(chart.points, [chart.target] * len(chart.points), color=colour, linewidth=1.2)
    for lower, upper, dash in (
        (chart.lower_95, chart.upper_95, funnels.DASH_95),
        (chart.lower_998, chart.upper_998, funnels.DASH_998),
    ):
        for limit in (lower, upper):
            ax.plot(chart.points, limit, color=colour, linewidth=1.2, linestyle=_linestyle(dash))
    for flag, call in funnels.CALLS.items():
        units = [unit for unit in chart.units if unit.flag == flag]
        if units:
            ax.scatter(
                [unit.denominator for unit in units], [unit.value for unit in units],
                marker=MARKERS[call.marker], color=call.colour, edgecolors="white",
                linewidths=0.5, s=30, zorder=3, clip_on=False,
            )  # fmt: skip
    _axes(ax, chart.x_ticks, chart.y_ticks, fmt)
    _labels(ax, chart.x_label, chart.y_label)
    _legend(figure, _funnel_handles())
    figure.text(
        0.1, 0.075, f"Target: {chart.target_name}", fontsize=TEXT_PT, parse_math=False
    )  # under the legend
    return Figure(caption=chart.title, png=png(figure, dpi), alt_text=funnel_alt(chart, fmt=fmt))


def _axes(
    ax: Axes, x_ticks: tuple[float, ...], y_ticks: tuple[float, ...], fmt: Callable[[float], str]
) -> None:
    ax.set_xlim(x_ticks[0], x_ticks[-1])
    ax.set_ylim(y_ticks[0], y_ticks[-1])
    ax.xaxis.set_major_locator(FixedLocator(x_ticks))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    ax.yaxis.set_major_locator(FixedLocator(y_ticks))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: fmt(value)))


def _funnel_handles() -> list[Line2D]:
    lines = [
        Line2D([], [], color=funnels.LINE_COLOUR, linestyle=_linestyle(dash), label=name)
        for name, dash in funnels.LEGEND_LINES
    ]
    markers = [
        Line2D(
            [],
            [],
            linestyle="",
            marker=MARKERS[shape],
            color=colour,
            markeredgecolor="white",
            label=name,
        )
        for name, shape, colour in funnels.LEGEND_MARKERS
    ]
    return lines + markers


def funnel_alt(chart: funnels.FunnelChart, *, fmt: Callable[[float], str]) -> str:
    """The funnel in words, then every unit's figure and call, for readers who cannot see it."""
    figures = "; ".join(
        f"{row['name']}: {row['value']} ({row['numerator']} of {row['denominator']}), {row['call']}"
        for row in funnels.table_rows(chart, fmt=fmt)
    )
    return (
        f"Funnel plot: {chart.title}. Across: {chart.x_label}; up: {chart.y_label}; target "
        f"line at {chart.target_name} with 95% and 99.8% limits. {chart.description} "
        f"Each of the {chart.unit_plural}: {figures}."
    )


# --- trends ---------------------------------------------------------------------------------------


def trend_png(
    chart: trends.Chart, *, fmt: Callable[[float], str], source: str, dpi: int = 200
) -> Figure:
    """The local series (blue, solid, circles) and England's when given (near-black, dashed,
    squares), with 95% intervals as vertical lines where published, as the page's SVG."""
    figure, ax = _figure(chart.title, source)
    positions = {period: index for index, period in enumerate(chart.periods)}
    handles = []
    series_styles = ((chart.england, trends.ENGLAND_STYLE), (chart.local, trends.LOCAL_STYLE))
    for series, style in series_styles:
        if series is None:
            continue
        points = [point for point in series.points if point.period in positions]
        x = [positions[point.period] for point in points]
        line_style = dict(
            color=style.colour, linestyle=_linestyle(style.dash), marker=MARKERS[style.marker]
        )
        ax.plot(x, [point.value for point in points], linewidth=1.6, **line_style)
        for xi, point in zip(x, points, strict=True):
            if point.has_interval:
                ax.vlines(xi, point.lower, point.upper, color=style.colour, linewidth=1.2)
        handles.append(Line2D([], [], label=series.name, **line_style))
    ax.set_xticks(range(len(chart.periods)), list(chart.periods))
    ax.set_xlim(-0.5, len(chart.periods) - 0.5)
    ax.set_ylim(chart.ticks[0], chart.ticks[-1])
    ax.yaxis.set_major_locator(FixedLocator(chart.ticks))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: fmt(value)))
    for label in ax.get_xticklabels():
        label.set_parse_math(False)
    _legend(figure, handles[::-1])
    return Figure(caption=chart.title, png=png(figure, dpi), alt_text=trend_alt(chart, fmt=fmt))


def trend_alt(chart: trends.Chart, *, fmt: Callable[[float], str]) -> str:
    """The trend in words, then every period's figure."""
    values = "; ".join(f"{point.period}: {fmt(point.value)}" for point in chart.local.points)
    return f"Line chart: {chart.title}. {chart.description} {chart.local.name} by period: {values}."
