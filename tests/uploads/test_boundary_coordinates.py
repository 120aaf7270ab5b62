"""Boundary coordinates are stored as degrees only when they are degrees.

A British National Grid GeoJSON without a "crs" member reads as longitude/latitude (the GeoJSON
default); it once overwrote LSOA outlines with points at (359000°, 174500°). Real Worcestershire
outlines, reprojected to British National Grid and written without a coordinate system, go
through the import command and the upload page: they are read as British National Grid, with a
warning, and land where they were. Coordinates that are neither are refused with nothing saved.
"""

import io
import json
from pathlib import Path

import geopandas as gpd
import pytest
from django.core.management import CommandError, call_command
from shapely.affinity import translate
from shapely.geometry import shape

from needs.models import Area, DatasetVersion
from tests.uploads.conftest import (
    WORCESTERSHIRE,
    confirm,
    detail,
    needs_real_data,
    snapshot,
    upload_file,
)
from uploads.models import UploadStatus

pytestmark = [pytest.mark.django_db, needs_real_data]

SOURCE = "lsoa21_boundaries_bgc.geojson"
FEATURES = 25  # enough real outlines to cover several districts, few enough to be quick
WORCESTERSHIRE_DEGREES = (-2.7, 51.9, -1.7, 52.5)  # the county's lon/lat box, with a margin


def real_outlines() -> gpd.GeoDataFrame:
    return gpd.read_file(WORCESTERSHIRE / SOURCE).head(FEATURES)


def without_crs(frame: gpd.GeoDataFrame, path: Path) -> Path:
    """Write GeoJSON and drop its "crs" member, as many tools write British National Grid."""
    frame.to_file(path, driver="GeoJSON")
    document = json.loads(path.read_text())
    assert document.pop("crs", None) is not None  # the file did say; now it does not
    path.write_text(json.dumps(document))
    return path


@pytest.fixture
def degrees(tmp_path) -> Path:
    return without_crs(real_outlines(), tmp_path / "lsoa21_degrees.geojson")


@pytest.fixture
def grid(tmp_path) -> Path:
    return without_crs(real_outlines().to_crs("EPSG:27700"), tmp_path / "lsoa21_bng.geojson")


@pytest.fixture
def garbage(tmp_path) -> Path:
    """The real outlines moved 2,000 km east of British National Grid's extent."""
    frame = real_outlines().to_crs("EPSG:27700")
    frame["geometry"] = frame.geometry.map(lambda g: translate(g, xoff=2_000_000))
    return without_crs(frame, tmp_path / "lsoa21_garbage.geojson")


def stored_outlines() -> dict[str, dict]:
    codes = real_outlines()["LSOA21CD"].tolist()
    return dict(Area.objects.filter(level="lsoa21", code__in=codes).values_list("code", "geometry"))


def assert_where_they_were(outlines: dict[str, dict]) -> None:
    """Every stored outline is in degrees inside Worcestershire and matches the published one
    to within about a metre."""
    published = real_outlines().set_index("LSOA21CD").geometry
    assert sorted(outlines) == sorted(published.index)
    west, south, east, north = WORCESTERSHIRE_DEGREES
    for code, geometry in outlines.items():
        outline = shape(geometry)
        minx, miny, maxx, maxy = outline.bounds
        assert west < minx and maxx < east and south < miny and maxy < north, (code, outline.bounds)
        assert outline.hausdorff_distance(published[code]) < 1e-5, code


def import_command(path: Path) -> str:
    stdout = io.StringIO()
    call_command("import_boundaries", str(path), stdout=stdout, stderr=io.StringIO())
    return stdout.getvalue()


def test_a_british_grid_geojson_without_crs_is_reprojected_with_a_warning_by_the_command(grid):
    import_command_output = import_command(grid)
    assert (
        f"  ! {grid.name}: says its coordinates are longitude/latitude (WGS 84), as a GeoJSON "
        'without a "crs" member does, but its coordinates are metres'
    ) in import_command_output
    assert "read as British National Grid (EPSG:27700)" in import_command_output
    assert "reprojected from EPSG:27700 to WGS84" in import_command_output
    assert_where_they_were(stored_outlines())
    version = DatasetVersion.objects.latest("pk")
    assert any("British National Grid" in warning for warning in version.warnings)


def test_british_grid_outlines_replace_degree_outlines_in_the_same_place(degrees, grid):
    """The issue's case: outlines already held are overwritten by a BNG file without a CRS."""
    import_command(degrees)
    assert_where_they_were(stored_outlines())
    output = import_command(grid)
    assert f"{FEATURES} areas get new outlines, 0 are added" in output
    assert_where_they_were(stored_outlines())


def test_the_upload_page_warns_and_stores_degrees(client, analyst, grid):
    client.force_login(analyst)
    upload = upload_file(client, kind="boundaries", path=grid)
    assert upload.status == UploadStatus.CHECKED, upload.plan["errors"]
    page = detail(client, upload)
    warnings = page.split("data-upload-warnings>", 1)[1].split("</ul>", 1)[0]
    assert f"{grid.name}: says its coordinates are longitude/latitude" in warnings
    assert "read as British National Grid (EPSG:27700)" in warnings
    assert not stored_outlines()  # nothing is written before confirmation
    confirm(client, upload)
    assert upload.status == UploadStatus.IMPORTED
    assert_where_they_were(stored_outlines())


def test_coordinates_that_are_neither_degrees_nor_british_grid_are_refused(
    client, analyst, degrees, garbage
):
    import_command(degrees)
    before, outlines = snapshot(), stored_outlines()
    stderr = io.StringIO()
    with pytest.raises(CommandError, match=r"^1 file\(s\) refused"):
        call_command("import_boundaries", str(garbage), stdout=io.StringIO(), stderr=stderr)
    first = gpd.read_file(garbage).iloc[0]
    minx, miny, *_ = first.geometry.bounds
    message = (
        f"{garbage.name}, feature 1 ({first['LSOA21CD']}): coordinates such as "
        f"({minx:,.0f}, {miny:,.0f}) are neither longitude/latitude nor British National Grid "
        "metres"
    )
    assert message in stderr.getvalue()
    assert snapshot() == before and stored_outlines() == outlines

    client.force_login(analyst)
    upload = upload_file(client, kind="boundaries", path=garbage)
    assert upload.status == UploadStatus.REFUSED
    assert message in detail(client, upload)
    confirm(client, upload)
    assert snapshot() == before and stored_outlines() == outlines
