"""What map documents carry for their layout: a key that folds away, place names, the area's
bounds as JSON, a collapsed layer control, and one colour-blind-safe colour per category."""

import html
import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon, box

from needs import maps
from needs.map_documents import map_assets
from provision.models import ServiceCategory
from tests.needs.test_maps import AMBITION, ASSETS

# Paul Tol's discrete rainbow for 13 categories, as his note "Colour schemes" (SRON/EPS/TN/
# 09-002) and tol_colors.py list it: the colours he chose to stay distinct, in colour-blind
# vision too, at that number.
TOL_DISCRETE_RAINBOW_13 = {
    "#D1BBD7", "#AE76A3", "#882E72", "#1965B0", "#5289C7", "#7BAFDE", "#4EB265", "#90C987",
    "#CAE0AB", "#F7F056", "#F4A736", "#E8601C", "#DC050C",
}  # fmt: skip
ADD_DATA = re.compile(r"_add\((\{.*\})\);")
NAMES = ["North <script>alert(1)</script>", "South & Vale", "Crescent"]


def crescent() -> Polygon:
    """A C shape whose centroid lies outside it, in the gap."""
    return box(-1.9, 51.9, -1.7, 52.1).difference(box(-1.85, 51.95, -1.7, 52.05))


def units() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {maps.NAME_COLUMN: NAMES, "value": [0.3, 0.9, 1.4]},
        geometry=[box(-2.0, 52.0, -1.9, 52.1), box(-2.0, 51.9, -1.9, 52.0), crescent()],
        crs="EPSG:4326",
    )


def layers(document: str) -> list[dict]:
    """Every GeoJSON layer's data in the document, as folium adds it."""
    return [json.loads(data) for data in ADD_DATA.findall(document)]


def place_names(document: str) -> dict[str, Point]:
    return {
        feature["properties"][maps.PLACE_COLUMN]: Point(feature["geometry"]["coordinates"])
        for layer in layers(document)
        for feature in layer["features"]
        if maps.PLACE_COLUMN in feature["properties"]
    }


def choropleth(**options: object) -> str:
    return maps.choropleth(
        units(), value_column="value", classes=AMBITION, title="Coverage",
        tooltip=[(maps.NAME_COLUMN, "Locality")], assets=ASSETS, caption="Synthetic.", **options,
    ).html  # fmt: skip


def bivariate() -> str:
    shown = units().assign(need=[1.0, 5.0, 9.0], provision=[0.1, 0.5, 0.9])
    return maps.bivariate(
        shown, need_column="need", provision_column="provision", title="Need and provision",
        tooltip=[(maps.NAME_COLUMN, "Locality")], assets=ASSETS, caption="Synthetic.",
        place_names=True,
    ).html  # fmt: skip


def test_each_locality_is_named_at_a_point_inside_it_and_escaped():
    named = place_names(choropleth(place_names=True))
    assert set(named) == {html.escape(name) for name in NAMES}
    for name, shape in zip(NAMES, units().geometry, strict=True):
        assert shape.contains(named[html.escape(name)]), name
    assert not crescent().contains(crescent().centroid)  # why a representative point
    assert "<script>alert(1)" not in choropleth(place_names=True)


def test_names_are_drawn_larger_area_first_so_small_ones_give_way():
    order = [
        feature["properties"][maps.PLACE_COLUMN]
        for layer in layers(choropleth(place_names=True))
        for feature in layer["features"]
        if maps.PLACE_COLUMN in feature["properties"]
    ]
    areas = units().to_crs(3857).area
    expected = [html.escape(NAMES[i]) for i in np.argsort(-areas.to_numpy(), kind="stable")]
    assert order == expected


def test_the_bivariate_map_names_each_locality_too():
    assert set(place_names(bivariate())) == {html.escape(name) for name in NAMES}


def test_small_area_maps_are_not_labelled():
    assert place_names(choropleth()) == {}
    assert "jsna-map-label" not in choropleth()


@pytest.mark.parametrize("render", [choropleth, bivariate])
def test_the_key_is_a_disclosure_that_starts_closed_with_the_legend_inside(render):
    document = render()
    key = re.search(r"<details([^>]*)>(.*?)</details>", document, re.DOTALL)
    assert key and "data-jsna-legend" in key[1] and "open" not in key[1]
    assert "<summary" in key[2] and "Key</summary>" in key[2]
    assert 'role="region" aria-label="Key to the map"' in key[2]
    assert "jsna-legend__swatch" in key[2]  # the whole legend is inside it


def test_the_area_bounds_travel_as_json_for_the_layout_script():
    document = choropleth()
    layout = re.search(
        rf'<script type="application/json" id="{maps.LAYOUT_ID}">(.*?)</script>', document
    )
    west, south, east, north = units().total_bounds
    assert json.loads(layout[1]) == {"bounds": [[south, west], [north, east]]}
    # No fixed room for a legend: the layout script measures what covers the map.
    assert "paddingBottomRight" not in document


def test_the_layer_control_starts_collapsed():
    sites = pd.DataFrame({"lon": [-1.95], "lat": [52.05], "label": ["A site"]})
    document = choropleth(sites=sites)
    control = re.search(r"L\.control\.layers\((.*?)\)\.addTo", document, re.DOTALL)
    assert control and '"collapsed": true' in control[1]


def test_every_service_category_has_its_own_colour_from_tols_colour_blind_safe_set():
    assert len(maps.CATEGORY_COLOURS) == len(ServiceCategory.choices)
    assert len(set(maps.CATEGORY_COLOURS)) == len(maps.CATEGORY_COLOURS)
    assert set(maps.CATEGORY_COLOURS) == TOL_DISCRETE_RAINBOW_13
    assert set(maps.TOL_RAINBOW_13) == TOL_DISCRETE_RAINBOW_13
    colour = dict(zip(ServiceCategory.values, maps.CATEGORY_COLOURS, strict=True))
    assert colour["access"] != colour["secure"]


def test_each_site_carries_its_category_colour_and_legend_place_for_the_cluster_icon():
    colours = {"Therapy": maps.CATEGORY_COLOURS[11], "Access": maps.CATEGORY_COLOURS[0]}
    points = pd.DataFrame(
        {
            "lon": [-1.95, -1.94, -1.93],
            "lat": [52.05, 52.05, 52.05],
            "group": ["Access", "Therapy", "Access"],
            "popup": ["One", "Two <b>", "Three"],
        }
    )
    document = maps.points_map(
        points, outline=units(), colours=colours, title="Sites", caption="Synthetic.",
        assets=ASSETS, place_names=True,
    ).html  # fmt: skip
    sites = [
        feature["properties"]
        for layer in layers(document)
        for feature in layer["features"]
        if maps.CATEGORY_COLUMN in feature["properties"]
    ]
    assert [(s[maps.CATEGORY_COLUMN], s[maps.FILL_COLUMN], s[maps.RANK_COLUMN]) for s in sites] == [
        ("Access", colours["Access"], 1),
        ("Therapy", colours["Therapy"], 0),
        ("Access", colours["Access"], 1),
    ]
    assert set(place_names(document)) == {html.escape(name) for name in NAMES}


def test_the_layout_and_cluster_scripts_load_after_the_libraries_they_extend():
    assets = map_assets()
    scripts = [url for _, url in assets.scripts]
    clusters = [url for _, url in assets.cluster_scripts]
    assert scripts[-1].endswith("js/map-layout.js") and scripts[0].endswith("leaflet.js")
    assert clusters[-1].endswith("js/map-clusters.js")
    assert clusters[0].endswith("leaflet.markercluster.js")
