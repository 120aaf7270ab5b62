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

# ColorBrewer (Brewer, Penn State) sequential Blues, 5 classes: colour-blind safe.
BLUES_5 = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
# ColorBrewer sequential Greens, 5 classes: colour-blind safe; used for provision, so need (blue)
# and provision (green) maps are never confused.
GREENS_5 = ("#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c")
# ColorBrewer diverging PuOr, 4 classes: colour-blind safe; orange = short of the ambition.
PUOR_4 = ("#e66101", "#fdb863", "#b2abd2", "#5e3c99")
NO_DATA = "#bdbdbd"
# Paul Tol's colour-blind-safe qualitative schemes ("muted", then "dark" for the remainder):
# 13 service categories outnumber any safe palette, so popups and the legend name each category.
CATEGORY_COLOURS = (
    "#332288", "#88ccee", "#44aa99", "#117733", "#999933", "#ddcc77", "#cc6677",
    "#882255", "#aa4499", "#222255", "#225555", "#663333", "#555555",
)  # fmt: skip
FILL_COLUMN = "_fill"
NAME_COLUMN = "unit_name"  # every map's units carry their display name here
TOOLTIP_COLUMN = "tooltip"  # a site's HTML-escaped hover text, as a GeoJSON property
# Binds each site's tooltip from its own feature's properties. Fixed code: it holds no data, so
# a name can never become script; Leaflet shows the (HTML-escaped) property as the tooltip.
BIND_SITE_TOOLTIP = JsCode(
    "function (feature, layer) {"
    f" layer.bindTooltip(feature.properties.{TOOLTIP_COLUMN}, {{sticky: true}}); }}"
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

    def colour_of(self, values: np.ndarray) -> list[str]:
        index = np.searchsorted(np.asarray(self.breaks), values, side="right")
        return [
            NO_DATA if np.isnan(v) else self.colours[i] for v, i in zip(values, index, strict=True)
        ]


@dataclass(frozen=True)
class MapDocument:
    html: str
    alt_text: str


def quantile_classes(values: np.ndarray, *, unit: str, colours: Sequence[str] = BLUES_5) -> Classes:
    """Up to five classes holding similar numbers of units, labelled with their ranges."""
    finite = np.sort(values[np.isfinite(values)])
    k = max(1, min(len(colours), len(np.unique(finite))))
    edges = np.quantile(finite, np.linspace(0, 1, k + 1)) if len(finite) else np.zeros(2)
    palette = tuple(colours[round(i * (len(colours) - 1) / max(k - 1, 1))] for i in range(k))
    labels = tuple(f"{edges[i]:,.1f} to {edges[i + 1]:,.1f} {unit}" for i in range(k))
    return Classes(breaks=tuple(edges[1:-1]), colours=palette, labels=labels)


def ambition_classes() -> Classes:
    return Classes(
        breaks=(0.5, 0.8, 1.0),
        colours=PUOR_4,
        labels=(
            "Under half of the ambition",
            "50% to 79% of the ambition",
            "80% to 99% of the ambition",
            "Meets or exceeds the ambition",
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
) -> MapDocument:
    """A self-contained HTML map: one polygon per unit, coloured by class, with a legend.

    `units` has a `unit_name` column and `value_column`. `tooltip`: (column, label) pairs shown
    on hover; their values are text. `sites` (lon, lat, label): service sites drawn on top as a
    layer that can be switched off.
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
) -> MapDocument:
    """Units already coloured (FILL_COLUMN) drawn as one layer, with tooltips, sites and legend."""
    columns = [column for column, _ in tooltip]
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
    if sites is not None and not sites.empty:
        _sites_layer(fmap, sites)
    fmap.get_root().html.add_child(Element(legend))
    return MapDocument(html=_document_html(fmap, title), alt_text=alt_text)


def _sites_layer(fmap: folium.Map, sites: pd.DataFrame) -> None:
    _points_layer(
        sites["lon"], sites["lat"], sites["label"],
        fills=["#ffffff"] * len(sites), name="Service sites", radius=5, color="#000000", weight=2,
    ).add_to(fmap)  # fmt: skip
    folium.LayerControl(collapsed=False).add_to(fmap)


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
    **path: object,
) -> folium.GeoJson:
    """Circles as one GeoJSON layer: their hover text and fill colours are feature properties."""
    features = gpd.GeoDataFrame(
        {
            FILL_COLUMN: list(fills),
            TOOLTIP_COLUMN: [html.escape(str(t)) for t in text],
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
TERTILE_NAMES = ("low", "middle", "high")


def tertiles(values: np.ndarray) -> np.ndarray:
    """0, 1 or 2: which third of the units a value falls in (ties share a third)."""
    finite = values[np.isfinite(values)]
    if len(finite) == 0:
        return np.zeros(len(values), dtype=int)
    edges = np.quantile(finite, [1 / 3, 2 / 3])
    return np.searchsorted(edges, np.nan_to_num(values, nan=-np.inf), side="right")


def bivariate(
    units: gpd.GeoDataFrame,
    *,
    need_column: str,
    provision_column: str,
    title: str,
    tooltip: Sequence[tuple[str, str]],
    assets: MapAssets,
    caption: str,
) -> MapDocument:
    """Need against provision on one map: each unit coloured by its need third × provision third."""
    need = tertiles(units[need_column].to_numpy(float))
    provision = tertiles(units[provision_column].to_numpy(float))
    colours = [BIVARIATE_3X3[n][p] for n, p in zip(need, provision, strict=True)]
    labels = [
        f"{TERTILE_NAMES[n]} need, {TERTILE_NAMES[p]} provision"
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
        legend=_bivariate_legend(title, caption),
        alt_text=alt + ".",
    )


def _bivariate_legend(title: str, caption: str) -> str:
    cells = "".join(
        "<tr><th scope='row'>"
        + TERTILE_NAMES[n]
        + " need</th>"
        + "".join(
            f'<td><span class="jsna-legend__swatch" style="background:{BIVARIATE_3X3[n][p]}" '
            f'title="{TERTILE_NAMES[n]} need, {TERTILE_NAMES[p]} provision"></span></td>'
            for p in range(3)
        )
        + "</tr>"
        for n in (2, 1, 0)
    )
    header = "<tr><td></td>" + "".join(f"<th scope='col'>{t}</th>" for t in TERTILE_NAMES) + "</tr>"
    return (
        '<div class="jsna-legend jsna-legend--map" role="region" aria-label="Legend">'
        f'<p class="jsna-legend__title">{html.escape(title)}</p>'
        f"<table class='jsna-legend__grid'>{cells}{header}</table>"
        "<p class='jsna-legend__caption'>Columns: provision per person in need, low to high. "
        "Pink: high need with low provision.</p>"
        f'<p class="jsna-legend__caption">{html.escape(caption)}</p></div>'
    )


def points_map(
    points: pd.DataFrame,
    *,
    outline: gpd.GeoDataFrame,
    colours: dict[str, str],
    title: str,
    caption: str,
    assets: MapAssets,
) -> MapDocument:
    """Sites as circles grouped into clusters when dense, over the area's outline.

    `points`: lon, lat, group (legend label, a key of `colours`), popup (plain text, shown on
    hover).
    """
    fmap = _base_map(outline, assets)
    folium.GeoJson(
        outline[["geometry"]].to_json(),
        style_function=lambda _: {"fillOpacity": 0.05, "color": "#425563", "weight": 1},
    ).add_to(fmap)
    cluster = MarkerCluster(name="Service sites")
    cluster.default_js = list(assets.cluster_scripts)
    cluster.default_css = list(assets.cluster_stylesheets)
    # Tooltips, not popups: folium's popups need jQuery, which these maps do not load.
    if not points.empty:
        _points_layer(
            points["lon"], points["lat"], points["popup"],
            fills=[colours[group] for group in points["group"]], name="Service sites", radius=8,
            color="#212b32", weight=1, fill_opacity=0.9, control=False,
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
    west, south, east, north = units.total_bounds
    centre = [(south + north) / 2, (west + east) / 2]
    # maxZoom as a map option (folium gives max_zoom to tile layers only): clustering needs it.
    fmap = folium.Map(location=centre, tiles=None, maxZoom=18)
    # folium's defaults load Leaflet, jQuery and Bootstrap from CDNs: replace them with ours.
    fmap.default_js = list(assets.scripts)
    fmap.default_css = list(assets.stylesheets)
    if assets.tiles_url:
        folium.TileLayer(assets.tiles_url, attr=assets.tiles_attribution or "Map tiles").add_to(
            fmap
        )
    # Leave room on the right for the legend, so it never hides a locality.
    fmap.fit_bounds([[south, west], [north, east]], padding_bottom_right=(270, 10))
    return fmap


def _legend_html(title: str, classes: Classes, caption: str) -> str:
    rows = "".join(
        f'<li class="jsna-legend__item"><span class="jsna-legend__swatch" '
        f'style="background:{colour}"></span>{html.escape(label)}</li>'
        for colour, label in zip(classes.colours, classes.labels, strict=True)
    )
    return (
        f'<div class="jsna-legend jsna-legend--map" role="region" aria-label="Legend">'
        f'<p class="jsna-legend__title">{html.escape(title)}</p>'
        f'<ul class="jsna-legend__list">{rows}</ul>'
        f'<p class="jsna-legend__caption">{html.escape(caption)}</p></div>'
    )


def _alt_text(units: gpd.GeoDataFrame, title: str, classes: Classes) -> str:
    names = units[NAME_COLUMN].astype(str)
    parts = []
    for colour, label in zip(classes.colours, classes.labels, strict=True):
        members = sorted(names[units[FILL_COLUMN] == colour])
        if members:
            parts.append(f"{label}: {', '.join(members)}")
    return f"Map: {title}. " + "; ".join(parts) + "."
