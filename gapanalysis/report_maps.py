"""Static maps for the exported chapter: PNG at print resolution. Pure: no Django.

The same classes and colours as the web maps (`needs.maps`), drawn with matplotlib's Agg canvas
directly — no pyplot, so no global figure registry to leak and nothing shared between threads.
Every map carries its title, legend, source and the copyright lines of its boundaries (none for
invented ones). Drawn at its printed size (16 cm wide), so the legend's 8 pt is 8 pt on paper.
Names come from users' uploads: they are drawn as plain text, with mathtext parsing switched off.
"""

import geopandas as gpd
import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as MplFigure
from matplotlib.patches import Patch, Rectangle

from gapanalysis.chapter import Figure
from gapanalysis.report_figures import png, wrap
from needs import maps
from needs.maps import AXIS_NAMES, BIVARIATE_3X3, FILL_COLUMN, NAME_COLUMN, NO_DATA, Classes

SIZE_IN = (6.3, 5.5)  # 16 cm × 14 cm: printed at this size inside an A4 page's margins
LEGEND_PT = 8  # legend text at print size: legible on paper
LABEL_PT = 7  # place names on the map and the source lines
MAP_AREA = (0.02, 0.16, 0.62, 0.72)  # left, bottom, width, height as fractions of the figure
BRITISH_NATIONAL_GRID = "EPSG:27700"
OUTLINE = "#212b32"
MAX_LABELS = 40
HALO = [patheffects.withStroke(linewidth=2, foreground="white")]


def choropleth_png(
    units: gpd.GeoDataFrame,
    *,
    value_column: str,
    classes: Classes,
    title: str,
    source: str,
    synthetic_label: str = "",
    attributions: tuple[str, ...] = (),
    dpi: int = 200,
) -> Figure:
    """Each unit filled with its class colour, with one legend entry per class."""
    shown = units.assign(**{FILL_COLUMN: classes.colour_of(units[value_column].to_numpy(float))})
    figure = _figure(
        shown, title=title, source=source, synthetic_label=synthetic_label, notes=attributions
    )
    handles = [
        Patch(facecolor=colour, edgecolor=OUTLINE, linewidth=0.4, label=wrap(label, 24))
        for colour, label in zip(classes.colours, classes.labels, strict=True)
    ]
    if (shown[FILL_COLUMN] == NO_DATA).any():
        handles.append(Patch(facecolor=NO_DATA, edgecolor=OUTLINE, linewidth=0.4, label="No data"))
    legend = figure.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.66, 0.88),
        frameon=False,
        fontsize=LEGEND_PT,
    )
    for text in legend.get_texts():
        text.set_parse_math(False)
    return Figure(
        caption=title, png=png(figure, dpi), alt_text=_choropleth_alt(shown, title, classes)
    )


def bivariate_png(
    units: gpd.GeoDataFrame,
    *,
    need_column: str,
    provision_column: str,
    title: str,
    source: str,
    synthetic_label: str = "",
    attributions: tuple[str, ...] = (),
    dpi: int = 200,
) -> Figure:
    """Need against provision: each unit coloured lower / similar / higher on each, classed by
    meaningful steps as the web map is (`needs.maps.bivariate_axes`)."""
    need, provision, note = maps.bivariate_axes(
        units, need_column=need_column, provision_column=provision_column
    )
    shown = units.assign(**{FILL_COLUMN: maps.bivariate_colours(need, provision)})
    figure = _figure(
        shown, title=title, source=source, synthetic_label=synthetic_label, notes=attributions
    )
    _bivariate_legend(figure)
    alt = _bivariate_alt(shown[NAME_COLUMN].astype(str).tolist(), need, provision, title)
    alt = f"{alt} {note}".strip()
    return Figure(caption=title, png=png(figure, dpi), alt_text=alt)


def _figure(
    units: gpd.GeoDataFrame,
    *,
    title: str,
    source: str,
    synthetic_label: str,
    notes: tuple[str, ...],
) -> MplFigure:
    figure = MplFigure(figsize=SIZE_IN)
    FigureCanvasAgg(figure)
    figure.text(
        0.02, 0.975, wrap(title, 65), ha="left", va="top", fontsize=11, fontweight="bold",
        parse_math=False,
    )  # fmt: skip
    lines = [synthetic_label, f"Source: {source}", *notes]
    caption = "\n".join(wrap(line, 105) for line in lines if line)
    figure.text(0.02, 0.015, caption, ha="left", va="bottom", fontsize=LABEL_PT, parse_math=False)
    _draw_units(figure.add_axes(MAP_AREA), units)
    return figure


def _draw_units(ax: Axes, units: gpd.GeoDataFrame) -> None:
    ax.set_axis_off()
    ax.set_aspect("equal")
    if units.empty:
        return
    projected = (units if units.crs else units.set_crs(4326)).to_crs(BRITISH_NATIONAL_GRID)
    projected.plot(ax=ax, color=projected[FILL_COLUMN], edgecolor=OUTLINE, linewidth=0.4)
    if len(projected) > MAX_LABELS:
        return
    for point, name in zip(projected.representative_point(), projected[NAME_COLUMN], strict=True):
        ax.text(
            point.x, point.y, wrap(str(name), 18), ha="center", va="center", fontsize=LABEL_PT,
            color=OUTLINE, multialignment="center", path_effects=HALO, parse_math=False,
        )  # fmt: skip


def _bivariate_legend(figure: MplFigure) -> None:
    inset = figure.add_axes((0.74, 0.56, 0.17, 0.17 * SIZE_IN[0] / SIZE_IN[1]))
    for n in range(3):
        for p in range(3):
            inset.add_patch(
                Rectangle((p, n), 1, 1, facecolor=BIVARIATE_3X3[n][p], edgecolor="white")
            )
    inset.set(xlim=(0, 3), ylim=(0, 3), xticks=[], yticks=[], aspect="equal")
    for spine in inset.spines.values():
        spine.set_visible(False)
    inset.set_xlabel("Provision per person\nin need →", fontsize=LEGEND_PT)
    inset.set_ylabel("Need →", fontsize=LEGEND_PT)
    figure.text(0.7, 0.48, "Pink: high need,\nlow provision", fontsize=LEGEND_PT, va="top")


def _choropleth_alt(units: gpd.GeoDataFrame, title: str, classes: Classes) -> str:
    alt = maps._alt_text(units, title, classes)
    missing = sorted(units.loc[units[FILL_COLUMN] == NO_DATA, NAME_COLUMN].astype(str))
    return f"{alt} No data: {', '.join(missing)}." if missing else alt


def _bivariate_alt(names: list[str], need: np.ndarray, provision: np.ndarray, title: str) -> str:
    parts = []
    for n in (2, 1, 0):  # the high-need classes first: they matter most
        for p in range(3):
            members = sorted(
                name for name, a, b in zip(names, need, provision, strict=True) if (a, b) == (n, p)
            )
            if members:
                label = f"{AXIS_NAMES[n].capitalize()} need, {AXIS_NAMES[p]} provision"
                parts.append(f"{label}: {', '.join(members)}")
    intro = (
        f"Map: {title}. Localities as lower, similar or higher on need and on provision per "
        "person in need, by differences larger than their uncertainty"
    )
    return f"{intro}. " + "; ".join(parts) + "."
