"""Choropleth maps rendered with folium from plain data. Pure: no Django, no ORM.

Every script and stylesheet the map document loads is passed in (`MapAssets`), so the site serves
them from its own static files and the maps work with no internet access. Tiles are optional.
Palettes are ColorBrewer schemes marked colour-blind safe. Every string that reaches the map
(names come from users' uploads) is HTML-escaped before folium sees it.

No data string is ever written into the map's JavaScript source: folium writes a `tooltip=` text
into a template literal, where `${…}` runs and a back-tick ends it. Every name travels as a GeoJSON
feature property instead (JSON, escaped for a script by folium's `tojson`), and fixed code shows it.
"""

import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import Element
from folium.plugins import MarkerCluster
from folium.utilities import JsCode

from needs import classing
from needs import columns as c

# ColorBrewer (Brewer, Penn State) sequential Blues, 5 classes: colour-blind safe.
BLUES_5 = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
# ColorBrewer sequential Greens, 5 classes: colour-blind safe; used for provision, so need (blue)
# and provision (green) maps are never confused.
GREENS_5 = ("#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c")
# ColorBrewer diverging PuOr, 4 classes: colour-blind safe; orange = short of the ambition.
PUOR_4 = ("#e66101", "#fdb863", "#b2abd2", "#5e3c99")
NO_DATA = "#bdbdbd"
# Paul Tol's discrete rainbow (his note "Colour schemes", SRON/EPS/TN/09-002, and tol_colors.py):
# 29 colours and, for each number of categories up to 23, the ones he chose to stay apart, in
# colour-blind vision too, as far as that many colours can. His qualitative schemes hold at most
# 9 colours; there are 13 service categories.
TOL_RAINBOW = (
    "#E8ECFB", "#D9CCE3", "#D1BBD7", "#CAACCB", "#BA8DB4", "#AE76A3", "#AA6F9E", "#994F88",
    "#882E72", "#1965B0", "#437DBF", "#5289C7", "#6195CF", "#7BAFDE", "#4EB265", "#90C987",
    "#CAE0AB", "#F7F056", "#F7CB45", "#F6C141", "#F4A736", "#F1932D", "#EE8026", "#E8601C",
    "#E65518", "#DC050C", "#A5170E", "#72190E", "#42150A",
)  # fmt: skip
TOL_RAINBOW_13 = tuple(TOL_RAINBOW[i] for i in (2, 5, 8, 9, 11, 13, 14, 15, 16, 17, 20, 23, 25))
# One colour per service category (provision's ServiceCategory order), taken in a stride through
# the rainbow so that categories next to each other in the legend differ in hue and lightness.
# Tooltips, the legend and each cluster's label also name the category, so no reader relies on
# colour alone.
CATEGORY_COLOURS = tuple(TOL_RAINBOW_13[(5 * i) % 13] for i in range(13))
FILL_COLUMN = "_fill"
NAME_COLUMN = "unit_name"  # every map's units carry their display name here
TOOLTIP_COLUMN = "tooltip"  # a site's HTML-escaped hover text, as a GeoJSON property
PLACE_COLUMN = "place_name"  # a unit's HTML-escaped name, shown as a permanent label
CATEGORY_COLUMN = "category"  # a site's category name (text), read by static/js/map-clusters.js
RANK_COLUMN = "rank"  # the category's place in the legend: clusters list categories in its order
LABELS_PANE = "jsnaLabels"  # above the shapes, below the sites and the hover tooltips
LAYOUT_ID = "jsna-map-layout"  # the JSON static/js/map-layout.js reads: the area's bounds
# Binds each site's tooltip from its own feature's properties. Fixed code: it holds no data, so
# a name can never become script; Leaflet shows the (HTML-escaped) property as the tooltip.
BIND_SITE_TOOLTIP = JsCode(
    "function (feature, layer) {"
    f" layer.bindTooltip(feature.properties.{TOOLTIP_COLUMN}, {{sticky: true}}); }}"
)
# The same for place names: a permanent label, centred on the unit's representative point.
BIND_PLACE_NAME = JsCode(
    "function (feature, layer) {"
    f" layer.bindTooltip(feature.properties.{PLACE_COLUMN}, {{permanent: true,"
    f" direction: 'center', className: 'jsna-map-label', pane: '{LABELS_PANE}'}}); }}"
)


@dataclass(frozen=True)
class MapAssets:
    scripts: tuple[tuple[str, str], ...]
    stylesheets: tuple[tuple[str, str], ...]
    tiles_url: str = ""
    tiles_attribution: str = ""
    cluster_scripts: tuple[tuple[str, str], ...] = ()
    cluster_stylesheets: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Classes:
    """Class boundaries (lower edges after the first) with their colours and legend labels."""

    breaks: tuple[float, ...]
    colours: tuple[str, ...]
    labels: tuple[str, ...]
    note: str = ""  # why the map has the classes it has (e.g. one colour), shown with the legend

    def colour_of(self, values: np.ndarray) -> list[str]:
        index = np.searchsorted(np.asarray(self.breaks), values, side="right")
        return [
            NO_DATA if np.isnan(v) else self.colours[i] for v, i in zip(values, index, strict=True)
        ]


@dataclass(frozen=True)
class MapDocument:
    html: str
    alt_text: str


def step_classes(
    values: np.ndarray,
    *,
    unit: str,
    rounding: float,
    lower: np.ndarray | None = None,
    upper: np.ndarray | None = None,
    colours: Sequence[str] = BLUES_5,
    differs_through: str = "need here differs only through age and sex",
) -> Classes:
    """Classes at least one meaningful step wide (`needs.classing`), labelled with their ranges.

    `lower`/`upper`: each unit's 95% interval on the value's scale, when known. When every unit
    lies within one step the map is one colour, and the note says why (`differs_through`).
    """
    step = classing.meaningful_step(
        rounding=rounding,
        lower=lower if lower is not None else [],
        upper=upper if upper is not None else [],
    )
    edges = classing.step_edges(values, step=step.size, max_classes=len(colours))
    k = len(edges) - 1
    if k < 1:
        return Classes(breaks=(), colours=(colours[len(colours) // 2],), labels=("No data",))
    places = max(classing.decimals_for(rounding), 0)
    if k == 1:
        within = "the uncertainty of the estimates" if step.from_uncertainty else "the rounding"
        spread = edges[1] - edges[0]
        note = (
            f"The units differ by at most {spread:,.{places}f} {unit}, less than {within} "
            f"(±{step.size:,.{places}f}): one colour"
            + (f", since {differs_through}." if differs_through else ".")
        )
        label = f"{edges[0]:,.{places}f} to {edges[1]:,.{places}f} {unit} (all units)"
        return Classes(breaks=(), colours=(colours[len(colours) // 2],), labels=(label,), note=note)
    places = max(places, classing.decimals_for(edges[1] - edges[0]))
    palette = tuple(colours[round(i * (len(colours) - 1) / (k - 1))] for i in range(k))
    labels = tuple(
        f"{edges[i]:,.{places}f} to under {edges[i + 1]:,.{places}f} {unit}" for i in range(k)
    )
    why = "the uncertainty of the estimates" if step.from_uncertainty else "the rounding shown"
    note = f"Classes are at least {step.size:,.{places}f} {unit} wide: {why}."
    return Classes(breaks=tuple(edges[1:-1]), colours=palette, labels=labels, note=note)


GAP_CLASS_ORDER = ("well_below", "below", "in_line", "above", "uncertain")


def gap_classes() -> Classes:
    """The run's classes, called at the bounds of need's interval: the same words as the tables
    and statements, so a map never colours a difference the interval cannot support.
    Map each unit's class to its position in `GAP_CLASS_ORDER` (NaN for no need)."""
    return Classes(
        breaks=(1.0, 2.0, 3.0, 4.0),
        colours=(*PUOR_4, NO_DATA),  # too uncertain to class: grey, not a class colour
        labels=(
            "Well below the ambition, even at the lower bound of need",
            "Below the ambition, even at the lower bound of need",
            "In line with the ambition, within need's interval",
            "Above the ambition, even at the upper bound of need",
            "Too uncertain to class: need's interval spans the ambition",
        ),
    )


def choropleth(
    units: gpd.GeoDataFrame,
    *,
    value_column: str,
    classes: Classes,
    title: str,
    tooltip: Sequence[tuple[str, str]],
    assets: MapAssets,
    caption: str,
    sites: pd.DataFrame | None = None,
    place_names: bool = False,
) -> MapDocument:
    """A self-contained HTML map: one polygon per unit, coloured by class, with a legend.

    `units` has a `unit_name` column and `value_column`. `tooltip`: (column, label) pairs shown
    on hover; their values are text. `sites` (lon, lat, label): service sites drawn on top as a
    layer that can be switched off. `place_names`: label each unit with its name (for maps of a
    few localities; small areas are too many to name).
    """
    units = units.assign(**{FILL_COLUMN: classes.colour_of(units[value_column].to_numpy(float))})
    return _polygon_document(
        units,
        title=title,
        tooltip=tooltip,
        assets=assets,
        legend=_legend_html(title, classes, caption),
        alt_text=_alt_text(units, title, classes),
        sites=sites,
        place_names=place_names,
    )


def _polygon_document(
    units: gpd.GeoDataFrame,
    *,
    title: str,
    tooltip: Sequence[tuple[str, str]],
    assets: MapAssets,
    legend: str,
    alt_text: str,
    sites: pd.DataFrame | None = None,
    place_names: bool = False,
) -> MapDocument:
    """Units already coloured (FILL_COLUMN) drawn as one layer, with tooltips, sites and legend."""
    columns = [column for column, _ in tooltip]
    names = units[NAME_COLUMN] if place_names else None
    units = _escaped(units, columns)
    fmap = _base_map(units, assets)
    folium.GeoJson(
        units[[FILL_COLUMN, *columns, "geometry"]].to_json(),
        name=html.escape(title),
        style_function=_style,
        highlight_function=lambda _: {"weight": 3, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(
            fields=columns, aliases=[html.escape(label) for _, label in tooltip]
        ),
    ).add_to(fmap)
    if names is not None:
        _place_names_layer(fmap, units.assign(**{NAME_COLUMN: names}))
    if sites is not None and not sites.empty:
        _sites_layer(fmap, sites)
    fmap.get_root().html.add_child(Element(legend))
    return MapDocument(html=_document_html(fmap, title), alt_text=alt_text)


def _sites_layer(fmap: folium.Map, sites: pd.DataFrame) -> None:
    _points_layer(
        sites["lon"], sites["lat"], sites["label"],
        fills=["#ffffff"] * len(sites), name="Service sites", radius=5, color="#000000", weight=2,
    ).add_to(fmap)  # fmt: skip
    folium.LayerControl(collapsed=True).add_to(fmap)  # one small button, not a box on the area


def _place_names_layer(fmap: folium.Map, units: gpd.GeoDataFrame) -> None:
    """Each unit's name as a permanent label at its representative point (always inside the
    shape, which a centroid of a crescent is not). Larger units first: where labels collide,
    static/js/map-layout.js keeps the earlier one. Names are HTML-escaped (the label is HTML)."""
    folium.map.CustomPane(LABELS_PANE, z_index=450, pointer_events=False).add_to(fmap)
    order = units.to_crs(3857).area.sort_values(ascending=False).index
    ordered = units.loc[order]
    points = gpd.GeoDataFrame(
        {PLACE_COLUMN: [html.escape(str(name)) for name in ordered[NAME_COLUMN]]},
        geometry=ordered.geometry.representative_point().to_numpy(),
        crs=units.crs,
    )
    folium.GeoJson(
        points.to_json(),
        name="Place names",
        control=False,
        marker=folium.CircleMarker(radius=0, stroke=False, fill=False, interactive=False),
        on_each_feature=BIND_PLACE_NAME,
    ).add_to(fmap)


def _points_layer(
    lon: pd.Series,
    lat: pd.Series,
    text: pd.Series,
    *,
    fills: Sequence[str],
    name: str,
    radius: int,
    fill_opacity: float = 1.0,
    control: bool = True,
    properties: dict[str, Sequence] | None = None,
    **path: object,
) -> folium.GeoJson:
    """Circles as one GeoJSON layer: their hover text and fill colours are feature properties,
    with any other `properties` (plain values, one per point)."""
    features = gpd.GeoDataFrame(
        {
            FILL_COLUMN: list(fills),
            TOOLTIP_COLUMN: [html.escape(str(t)) for t in text],
            **{key: list(values) for key, values in (properties or {}).items()},
        },
        geometry=gpd.points_from_xy(lon.astype(float), lat.astype(float)),
        crs="EPSG:4326",
    )
    return folium.GeoJson(
        features.to_json(),
        name=name,
        control=control,
        marker=folium.CircleMarker(radius=radius, fill=True, fill_opacity=fill_opacity, **path),
        style_function=lambda feature: {"fillColor": feature["properties"][FILL_COLUMN]},
        on_each_feature=BIND_SITE_TOOLTIP,
    )


def _escaped(units: gpd.GeoDataFrame, columns: list[str]) -> gpd.GeoDataFrame:
    units = units.copy()
    for column in columns:
        units[column] = units[column].astype(str).map(html.escape)
    return units


def _style(feature: dict) -> dict:
    return {
        "fillColor": feature["properties"][FILL_COLUMN],
        "fillOpacity": 0.85,
        "color": "#212b32",
        "weight": 1,
    }


# A 3 × 3 bivariate scheme (Joshua Stevens' pink-teal, distinguishable with the common forms of
# colour blindness): rows are need (low → high), columns provision (low → high). High need with
# low provision is the saturated pink corner, so it stands out.
BIVARIATE_3X3 = (
    ("#e8e8e8", "#ace4e4", "#5ac8c8"),
    ("#dfb0d6", "#a5add3", "#5698b9"),
    ("#be64ac", "#8c62aa", "#3b4994"),
)
AXIS_NAMES = ("lower", "similar", "higher")  # a bivariate axis: step classes, never thirds
PROVISION_STEP = 0.01  # coverage is shown to a whole per cent


def value_bounds(
    units: pd.DataFrame, value_column: str, *, inverse: bool = False
) -> dict[str, np.ndarray]:
    """Each unit's 95% interval on the scale of `value_column`, from need's interval.

    A value proportional to expected cases (per 1,000 at risk or residents) has the cases'
    bounds × the same factor; a value inversely proportional (`inverse`: coverage = capacity ÷
    cases) has value × cases ÷ upper to value × cases ÷ lower. NaN where no interval is known.
    """
    missing = np.full(len(units), np.nan)
    if not {c.EXPECTED_CASES, c.EXPECTED_LOWER, c.EXPECTED_UPPER} <= set(units.columns):
        return {"lower": missing, "upper": missing}
    cases = units[c.EXPECTED_CASES].to_numpy(float)
    value = units[value_column].to_numpy(float)
    low = units[c.EXPECTED_LOWER].to_numpy(float)
    high = units[c.EXPECTED_UPPER].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        if inverse:
            return {
                "lower": np.where(high > 0, value * cases / high, np.nan),
                "upper": np.where(low > 0, value * cases / low, np.nan),
            }
        scale = np.where(cases > 0, value / cases, np.nan)
        return {"lower": low * scale, "upper": high * scale}


def bivariate_axes(
    units: pd.DataFrame, *, need_column: str, provision_column: str
) -> tuple[np.ndarray, np.ndarray, str]:
    """Lower / similar / higher (0, 1, 2) on need and on provision, classed the same way: steps
    at least the rounding or the interval half-width wide (`needs.classing`), at most three.
    Returns both axes and a note for the legend."""
    axes, notes = [], []
    for column, rounding, inverse, word in (
        (need_column, 0.1, False, "need"),
        (provision_column, PROVISION_STEP, True, "provision"),
    ):
        values = units[column].to_numpy(float)
        step = classing.meaningful_step(
            rounding=rounding, **value_bounds(units, column, inverse=inverse)
        )
        edges = classing.step_edges(values, step=step.size, max_classes=3)
        axes.append(classing.three_way(values, edges))
        if len(edges) == 2:
            notes.append(
                f"Every unit's {word} lies within its uncertainty of the others: all are shown "
                f"as similar {word}."
            )
    return axes[0], axes[1], " ".join(notes)


def bivariate_colours(need: np.ndarray, provision: np.ndarray) -> list[str]:
    """Each unit's 3 × 3 colour from its two axes (`bivariate_axes`); no data where either is."""
    return [
        NO_DATA if n < 0 or p < 0 else BIVARIATE_3X3[n][p]
        for n, p in zip(need, provision, strict=True)
    ]


def bivariate(
    units: gpd.GeoDataFrame,
    *,
    need_column: str,
    provision_column: str,
    title: str,
    tooltip: Sequence[tuple[str, str]],
    assets: MapAssets,
    caption: str,
    place_names: bool = False,
) -> MapDocument:
    """Need against provision on one map: each unit coloured by its need third × provision third."""
    need, provision, note = bivariate_axes(
        units, need_column=need_column, provision_column=provision_column
    )
    colours = bivariate_colours(need, provision)
    labels = [
        "no data" if n < 0 or p < 0 else f"{AXIS_NAMES[n]} need, {AXIS_NAMES[p]} provision"
        for n, p in zip(need, provision, strict=True)
    ]
    shown = units.assign(**{FILL_COLUMN: colours, "class_text": labels})
    alt = f"Map: {title}. " + "; ".join(
        f"{name}: {label}" for name, label in zip(shown[NAME_COLUMN], labels, strict=True)
    )
    return _polygon_document(
        shown,
        title=title,
        tooltip=[("class_text", "Class"), *tooltip],
        assets=assets,
        legend=_bivariate_legend(title, f"{note} {caption}".strip()),
        alt_text=alt + ".",
        place_names=place_names,
    )


def _bivariate_legend(title: str, caption: str) -> str:
    cells = "".join(
        "<tr><th scope='row'>"
        + AXIS_NAMES[n]
        + " need</th>"
        + "".join(
            f'<td><span class="jsna-legend__swatch" style="background:{BIVARIATE_3X3[n][p]}" '
            f'title="{AXIS_NAMES[n]} need, {AXIS_NAMES[p]} provision"></span></td>'
            for p in range(3)
        )
        + "</tr>"
        for n in (2, 1, 0)
    )
    header = "<tr><td></td>" + "".join(f"<th scope='col'>{t}</th>" for t in AXIS_NAMES) + "</tr>"
    return _legend_box(
        title,
        f"<table class='jsna-legend__grid'>{cells}{header}</table>"
        "<p class='jsna-legend__caption'>Columns: provision per person in need, lower to higher. "
        "Pink: high need with low provision.</p>"
        f'<p class="jsna-legend__caption">{html.escape(caption)}</p>',
    )


def _legend_box(title: str, body: str) -> str:
    """The legend as a disclosure (`body` is markup, already escaped). static/js/map-layout.js
    opens it where the map is wide enough to keep it beside the area, and leaves it closed, one
    small "Key" button, on a phone; the area is fitted clear of it either way."""
    return (
        '<details class="jsna-legend jsna-legend--map jsna-map-legend" data-jsna-legend>'
        '<summary class="jsna-map-legend__summary">Key</summary>'
        '<div class="jsna-map-legend__body" role="region" aria-label="Key to the map">'
        f'<p class="jsna-legend__title">{html.escape(title)}</p>{body}</div></details>'
    )


def points_map(
    points: pd.DataFrame,
    *,
    outline: gpd.GeoDataFrame,
    colours: dict[str, str],
    title: str,
    caption: str,
    assets: MapAssets,
    place_names: bool = False,
) -> MapDocument:
    """Sites as circles grouped into clusters when dense, over the area's outline.

    `points`: lon, lat, group (legend label, a key of `colours`), popup (plain text, shown on
    hover). Each site carries its group and colour, so a cluster's icon
    (static/js/map-clusters.js) shows and names the mix of groups inside it. `place_names`:
    label each unit of `outline` with its `unit_name`.
    """
    fmap = _base_map(outline, assets)
    folium.GeoJson(
        outline[["geometry"]].to_json(),
        style_function=lambda _: {"fillOpacity": 0.05, "color": "#425563", "weight": 1},
    ).add_to(fmap)
    if place_names:
        _place_names_layer(fmap, outline)
    cluster = MarkerCluster(name="Service sites")
    cluster.default_js = list(assets.cluster_scripts)
    cluster.default_css = list(assets.cluster_stylesheets)
    # Tooltips, not popups: folium's popups need jQuery, which these maps do not load.
    if not points.empty:
        _points_layer(
            points["lon"], points["lat"], points["popup"],
            fills=[colours[group] for group in points["group"]], name="Service sites", radius=8,
            color="#212b32", weight=1, fill_opacity=0.9, control=False,
            properties={
                CATEGORY_COLUMN: points["group"].astype(str),
                RANK_COLUMN: [list(colours).index(group) for group in points["group"]],
            },
        ).add_to(cluster)  # fmt: skip
    cluster.add_to(fmap)
    legend = Classes(breaks=(), colours=tuple(colours.values()), labels=tuple(colours))
    fmap.get_root().html.add_child(Element(_legend_html(title, legend, caption)))
    counts = points["group"].value_counts()
    alt = f"Map: {title}. " + "; ".join(f"{group}: {n} sites" for group, n in counts.items())
    return MapDocument(html=_document_html(fmap, title), alt_text=alt + ".")


def _document_html(fmap: folium.Map, title: str) -> str:
    """folium's page, made a proper document: a language, a title, and zoom left to the reader
    (folium's viewport forbids pinch zoom, which low-vision readers need)."""
    page = fmap.get_root().render()
    page = page.replace("<html>", '<html lang="en-GB">', 1)
    page = page.replace("<head>", f"<head>\n<title>{html.escape(title)}</title>", 1)
    return re.sub(
        r'<meta name="viewport"[^>]*>',
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">',
        page,
        count=1,
    )


def _base_map(units: gpd.GeoDataFrame, assets: MapAssets) -> folium.Map:
    west, south, east, north = (float(edge) for edge in units.total_bounds)
    centre = [(south + north) / 2, (west + east) / 2]
    # maxZoom as a map option (folium gives max_zoom to tile layers only): clustering needs it.
    # Quarter steps of zoom let the area fill the room the legend leaves it (clusters form at
    # the nearest whole zoom).
    fmap = folium.Map(location=centre, tiles=None, maxZoom=18, zoomSnap=0.25)
    # folium's defaults load Leaflet, jQuery and Bootstrap from CDNs: replace them with ours.
    fmap.default_js = list(assets.scripts)
    fmap.default_css = list(assets.stylesheets)
    if assets.tiles_url:
        folium.TileLayer(assets.tiles_url, attr=assets.tiles_attribution or "Map tiles").add_to(
            fmap
        )
    bounds = [[south, west], [north, east]]
    fmap.fit_bounds(bounds)
    # static/js/map-layout.js fits these bounds again clear of the legend and the controls.
    layout = json.dumps({"bounds": bounds})
    fmap.get_root().html.add_child(
        Element(f'<script type="application/json" id="{LAYOUT_ID}">{layout}</script>')
    )
    return fmap


def _legend_html(title: str, classes: Classes, caption: str) -> str:
    rows = "".join(
        f'<li class="jsna-legend__item"><span class="jsna-legend__swatch" '
        f'style="background:{colour}"></span>{html.escape(label)}</li>'
        for colour, label in zip(classes.colours, classes.labels, strict=True)
    )
    note = html.escape(classes.note)
    note = f'<p class="jsna-legend__caption">{note}</p>' if note else ""
    return _legend_box(
        title,
        f'<ul class="jsna-legend__list">{rows}</ul>{note}'
        f'<p class="jsna-legend__caption">{html.escape(caption)}</p>',
    )


def _alt_text(units: gpd.GeoDataFrame, title: str, classes: Classes) -> str:
    names = units[NAME_COLUMN].astype(str)
    parts = []
    for colour, label in zip(classes.colours, classes.labels, strict=True):
        members = sorted(names[units[FILL_COLUMN] == colour])
        if members:
            parts.append(f"{label}: {', '.join(members)}")
    note = f" {classes.note}" if classes.note else ""
    return f"Map: {title}. " + "; ".join(parts) + "." + note
