"""Choropleth documents: offline, escaped, classed and described in words."""

import re

import geopandas as gpd
import numpy as np
from shapely.geometry import box

from needs.maps import BLUES_5, PUOR_4, Classes, MapAssets, choropleth, step_classes

# Classes on a coverage ratio, for the rendering tests (the classing itself is tested below).
AMBITION = Classes(
    breaks=(0.5, 0.8, 1.0),
    colours=PUOR_4,
    labels=(
        "Under half of the ambition",
        "50% to 79% of the ambition",
        "80% to 99% of the ambition",
        "Meets or exceeds the ambition",
    ),
)

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
        classes=AMBITION,
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
    for label in AMBITION.labels:
        assert label in document


def test_the_text_alternative_lists_units_by_class():
    alt = render().alt_text
    assert "Under half of the ambition: North <script>alert(1)</script>" in alt
    assert "Meets or exceeds the ambition: East" in alt


def test_step_classes_cover_the_range_in_round_steps_with_colour_blind_safe_colours():
    classes = step_classes(np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]), unit="per 1,000", rounding=0.1)
    assert set(classes.colours) <= set(BLUES_5)
    # A span of 5 in at most five classes: width 2 from 0 (1 and 2.5 would need six classes).
    assert classes.breaks == (2.0, 4.0, 6.0)
    assert classes.labels[0] == "0.0 to under 2.0 per 1,000"
    assert classes.labels[-1] == "6.0 to under 8.0 per 1,000"
    assert classes.colour_of(np.array([1.0, 6.0, np.nan])) == [
        classes.colours[0],
        classes.colours[-1],
        "#bdbdbd",
    ]


def test_a_spread_narrower_than_the_uncertainty_is_one_colour_and_says_why():
    values = np.array([7.9, 7.95, 8.0, 8.3])
    classes = step_classes(
        values, unit="per 1,000", rounding=0.1, lower=values - 1.5, upper=values + 1.5
    )
    assert classes.breaks == () and len(classes.colours) == 1
    assert classes.labels == ("7.9 to 8.3 per 1,000 (all units)",)
    assert "less than the uncertainty of the estimates (±1.5)" in classes.note
    assert "need here differs only through age and sex" in classes.note


def test_without_intervals_classes_are_no_narrower_than_the_rounding():
    classes = step_classes(np.array([7.94, 7.96]), unit="per 1,000", rounding=0.1)
    assert classes.breaks == () and "less than the rounding" in classes.note
