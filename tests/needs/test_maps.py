"""Choropleth documents: offline, escaped, classed and described in words."""

import re

import geopandas as gpd
import numpy as np
from shapely.geometry import box

from needs.maps import BLUES_5, MapAssets, ambition_classes, choropleth, quantile_classes

ASSETS = MapAssets(
    scripts=(("leaflet", "/static/vendor/leaflet/leaflet.js"),),
    stylesheets=(("leaflet_css", "/static/vendor/leaflet/leaflet.css"),),
)
EXTERNAL = re.compile(r"""(src|href)\s*=\s*["'](https?:)?//""", re.IGNORECASE)


def units() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "unit_name": ["North <script>alert(1)</script>", "South", "East"],
            "value": [0.3, 0.9, 1.4],
        },
        geometry=[
            box(-2.0, 52.0, -1.9, 52.1),
            box(-2.0, 51.9, -1.9, 52.0),
            box(-1.9, 52.0, -1.8, 52.1),
        ],
        crs="EPSG:4326",
    )


def render() -> str:
    return choropleth(
        units(),
        value_column="value",
        classes=ambition_classes(),
        title="Coverage & ambition",
        tooltip=[("unit_name", "Locality")],
        assets=ASSETS,
        caption="Synthetic.",
    )


def test_the_map_loads_only_the_assets_it_is_given():
    document = render().html
    assert "/static/vendor/leaflet/leaflet.js" in document
    assert not EXTERNAL.findall(document), EXTERNAL.findall(document)
    assert "cdn.jsdelivr" not in document and "code.jquery" not in document


def test_user_supplied_names_are_escaped_in_the_map():
    document = render().html
    assert "<script>alert(1)</script>" not in document
    # The GeoJSON carries the HTML-escaped name (its "&" JSON-escaped as \u0026), so the tooltip,
    # which Leaflet inserts as HTML, shows the text rather than running it.
    assert "North \\u0026lt;script\\u0026gt;" in document


def test_each_unit_takes_its_class_colour_and_the_legend_names_every_class():
    document = render().html
    # 0.3 → under half (orange), 0.9 → 80–99%, 1.4 → meets the ambition (purple).
    for colour in ("#e66101", "#b2abd2", "#5e3c99"):
        assert colour in document
    for label in ambition_classes().labels:
        assert label in document


def test_the_text_alternative_lists_units_by_class():
    alt = render().alt_text
    assert "Under half of the ambition: North <script>alert(1)</script>" in alt
    assert "Meets or exceeds the ambition: East" in alt


def test_quantile_classes_cover_the_range_with_colour_blind_safe_colours():
    classes = quantile_classes(np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]), unit="per 1,000")
    assert set(classes.colours) <= set(BLUES_5)
    assert classes.labels[0].startswith("1.0 to") and classes.labels[-1].endswith("6.0 per 1,000")
    assert classes.colour_of(np.array([1.0, 6.0, np.nan])) == [
        classes.colours[0],
        classes.colours[-1],
        "#bdbdbd",
    ]
