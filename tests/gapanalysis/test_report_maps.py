"""Static maps for the exported chapter: print-resolution PNGs in the web maps' colours."""

import gc
import io
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import matplotlib.figure
import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image
from shapely.geometry import box

from gapanalysis import report_maps
from needs import maps

SCRIPT_NAME = "St Mary's <script>alert(1)</script>"
MATH_NAME = r"Odd $\frac$ name"  # mathtext would fail to parse this if it were switched on
NAMES = ["Ashwold", "Corvedon", "Severnholt", SCRIPT_NAME, MATH_NAME, "Brookley"]
PINK = "#be64ac"
REPO_ROOT = Path(__file__).resolve().parents[2]


def localities(**columns: list[float]) -> gpd.GeoDataFrame:
    """Six 0.05° squares in two rows near Worcester (lon -2.1, lat 52.2), in WGS84."""
    squares = [
        box(
            -2.2 + 0.06 * (i % 3),
            52.15 + 0.06 * (i // 3),
            -2.15 + 0.06 * (i % 3),
            52.2 + 0.06 * (i // 3),
        )
        for i in range(len(NAMES))
    ]
    return gpd.GeoDataFrame({"unit_name": NAMES, **columns}, geometry=squares, crs="EPSG:4326")


AMBITION = [0.3, 0.45, 0.6, 0.9, 1.2, 1.5]
AMBITION_CLASSES = maps.Classes(
    breaks=(0.5, 0.8, 1.0),
    colours=maps.PUOR_4,
    labels=(
        "Under half of the ambition",
        "50% to 79% of the ambition",
        "80% to 99% of the ambition",
        "Meets or exceeds the ambition",
    ),
)


def coverage_map(dpi: int = 200, values: list[float] = AMBITION) -> report_maps.Figure:
    return report_maps.choropleth_png(
        localities(ratio=values),
        value_column="ratio",
        classes=AMBITION_CLASSES,
        title="Provision against the ambition: talking therapies",
        source="NHS Talking Therapies activity; ONS mid-year estimates",
        synthetic_label="Synthetic data: for demonstration only",
        dpi=dpi,
    )


def gap_map(need: list[float], provision: list[float]) -> report_maps.Figure:
    return report_maps.bivariate_png(
        localities(need=need, provision=provision),
        need_column="need",
        provision_column="provision",
        title="Need against provision: common mental disorders",
        source="APMS 2014",
    )


def pixels(png: bytes, *, map_area_only: bool = False) -> np.ndarray:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    if map_area_only:  # the map itself, without the legend (which holds every colour anyway)
        width, height = image.size
        left, bottom, w, h = report_maps.MAP_AREA
        image = image.crop(
            (left * width, (1 - bottom - h) * height, (left + w) * width, (1 - bottom) * height)
        )
    return np.asarray(image, dtype=int)


def count_of(colour: str, image: np.ndarray) -> int:
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(image - rgb).max(axis=-1) <= 3).sum())


def test_the_map_is_a_png_about_16_cm_wide_at_the_requested_resolution():
    for dpi in (200, 100):
        png = coverage_map(dpi=dpi).png
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        width, height = Image.open(io.BytesIO(png)).size
        assert width == pytest.approx(6.3 * dpi, abs=2)
        assert height == pytest.approx(5.5 * dpi, abs=2)


def test_the_map_returns_its_title_as_the_caption():
    figure = coverage_map()
    assert figure.caption == "Provision against the ambition: talking therapies"


def test_each_unit_is_filled_with_its_class_colour_from_the_web_palette():
    image = pixels(coverage_map().png, map_area_only=True)
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 5  # not blank
    for colour in maps.PUOR_4:
        assert count_of(colour, image) > 1000, colour


def test_a_unit_without_a_value_is_grey_and_listed_as_no_data():
    figure = coverage_map(values=[0.3, 0.45, 0.6, 0.9, 1.2, np.nan])
    assert count_of(maps.NO_DATA, pixels(figure.png, map_area_only=True)) > 1000
    assert figure.alt_text.endswith("No data: Brookley.")


def test_step_classes_use_the_blues_of_the_need_map():
    values = np.array([1.0, 3.0, 5.0, 7.0, 9.0, 11.0])
    figure = report_maps.choropleth_png(
        localities(rate=list(values)),
        value_column="rate",
        classes=maps.step_classes(values, unit="per 1,000", rounding=0.1),
        title="Estimated depression per 1,000 at risk, 2026",
        source="APMS 2014",
    )
    image = pixels(figure.png, map_area_only=True)
    for colour in maps.BLUES_5:
        assert count_of(colour, image) > 1000, colour


def test_the_alt_text_names_every_unit_under_its_class():
    assert coverage_map().alt_text == (
        "Map: Provision against the ambition: talking therapies. "
        "Under half of the ambition: Ashwold, Corvedon; "
        "50% to 79% of the ambition: Severnholt; "
        f"80% to 99% of the ambition: {SCRIPT_NAME}; "
        f"Meets or exceeds the ambition: Brookley, {MATH_NAME}."
    )


def test_names_with_markup_quotes_and_dollar_signs_are_drawn_as_plain_text():
    # Matplotlib would read "$...$" as mathtext and fail on "\frac"; markup is just characters.
    figure = gap_map(need=[1, 2, 3, 4, 5, 6], provision=[6, 5, 4, 3, 2, 1])
    assert figure.png.startswith(b"\x89PNG")
    assert SCRIPT_NAME in figure.alt_text and MATH_NAME in figure.alt_text


def test_the_bivariate_map_shows_pink_where_need_is_high_and_provision_low():
    figure = gap_map(need=[1, 2, 3, 4, 5, 6], provision=[6, 5, 4, 3, 2, 1])
    assert count_of(PINK, pixels(figure.png, map_area_only=True)) > 1000
    assert "Higher need, lower provision: Brookley, " + MATH_NAME in figure.alt_text


def test_the_bivariate_map_has_no_pink_unit_when_provision_follows_need():
    figure = gap_map(need=[1, 2, 3, 4, 5, 6], provision=[1, 2, 3, 4, 5, 6])
    assert count_of(PINK, pixels(figure.png, map_area_only=True)) == 0
    assert count_of(PINK, pixels(figure.png)) > 100  # the legend still shows the pink corner
    assert "Higher need, higher provision: Brookley, " + MATH_NAME in figure.alt_text
    assert "Higher need, lower provision" not in figure.alt_text


def test_the_bivariate_alt_text_names_every_unit_under_its_class():
    figure = gap_map(need=[1, 2, 3, 4, 5, 6], provision=[6, 5, 4, 3, 2, 1])
    assert figure.alt_text == (
        "Map: Need against provision: common mental disorders. Localities as lower, similar or "
        "higher on need and on provision per person in need, by differences larger than their "
        "uncertainty. "
        f"Higher need, lower provision: Brookley, {MATH_NAME}; "
        f"Similar need, similar provision: Severnholt, {SCRIPT_NAME}; "
        "Lower need, higher provision: Ashwold, Corvedon."
    )


def test_need_within_its_uncertainty_is_similar_everywhere_on_the_bivariate_map():
    units = localities(provision=[6, 5, 4, 3, 2, 1]).assign(
        need=[8.0, 8.1, 8.2, 8.3, 8.4, 8.5],
        expected_cases=[800.0] * 6,
        expected_lower=[600.0] * 6,  # ±2.5 per 1,000 around 8: wider than the 0.5 spread
        expected_upper=[1_000.0] * 6,
    )
    figure = report_maps.bivariate_png(
        units, need_column="need", provision_column="provision", title="T", source="S"
    )
    assert count_of(PINK, pixels(figure.png, map_area_only=True)) == 0
    assert "Higher need" not in figure.alt_text and "Lower need" not in figure.alt_text
    assert "Similar need, lower provision: Brookley" in figure.alt_text
    assert "all are shown as similar need" in figure.alt_text


def test_rendering_many_maps_leaves_no_figure_open():
    open_before = len(plt.get_fignums())
    gc.collect()
    figures_before = sum(isinstance(o, matplotlib.figure.Figure) for o in gc.get_objects())
    for i in range(30):
        if i % 2:
            gap_map(need=[1, 2, 3, 4, 5, 6], provision=[6, 5, 4, 3, 2, 1])
        else:
            coverage_map(dpi=50)
    gc.collect()
    assert len(plt.get_fignums()) == open_before
    figures_after = sum(isinstance(o, matplotlib.figure.Figure) for o in gc.get_objects())
    assert figures_after <= figures_before


def test_the_module_imports_no_django():
    code = (
        "import sys, gapanalysis.report_maps; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'celery')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT
    )
    assert result.stdout.strip() == "[]"
