"""Boundary files as published: real GeoJSON, other coordinate systems, and unsafe archives."""

import io
import json
import zipfile

import geopandas as gpd
import pytest
from shapely.geometry import box, mapping, shape

from needs.importers.boundaries import MAX_COMPRESSION_RATIO, BoundaryFileError, read
from tests.conftest import SHARED_DATA

WORCS = SHARED_DATA / "worcestershire"
needs_shared = pytest.mark.skipif(not WORCS.exists(), reason=f"{WORCS} is absent")


@needs_shared
@pytest.mark.parametrize(
    ("file", "count", "level", "column"),
    [
        ("lsoa21_boundaries_bgc.geojson", 374, "lsoa21", "LSOA21CD"),
        ("lsoa11_boundaries_bgc.geojson", 364, "lsoa11", "LSOA11CD"),
        ("msoa21_boundaries_bgc.geojson", 85, "msoa21", "MSOA21CD"),
        ("ward25_boundaries_bgc.geojson", 112, "ward", "WD25CD"),
        ("lad_boundaries_from_lsoa21_bgc.geojson", 6, "lad", "LADCD"),
    ],
)
def test_the_real_boundary_files_read_unchanged(file, count, level, column):
    result = read(WORCS / file)
    assert len(result.areas) == count and result.code_column == column
    assert set(result.areas["level"]) == {level}
    first = result.areas.iloc[0]
    assert shape(first["geometry"]).is_valid
    # The simplified copy is lighter but still the same place.
    assert len(json.dumps(first["geometry_simplified"])) <= len(json.dumps(first["geometry"]))
    assert shape(first["geometry_simplified"]).intersects(shape(first["geometry"]))


def write_british_grid_geopackage(tmp_path):
    frame = gpd.GeoDataFrame(
        {"LSOA21CD": ["E01000001"], "LSOA21NM": ["Somewhere 001A"]},
        geometry=[box(400_000, 270_000, 401_000, 271_000)],
        crs="EPSG:27700",
    )
    path = tmp_path / "lsoa.gpkg"
    frame.to_file(path, driver="GPKG")
    return frame, path


def test_a_geopackage_in_british_national_grid_is_reprojected_to_wgs84(tmp_path):
    _, path = write_british_grid_geopackage(tmp_path)
    result = read(path)
    lon, lat = shape(result.areas.iloc[0]["geometry"]).centroid.coords[0]
    assert -2.5 < lon < -1.5 and 52.0 < lat < 52.6  # the English Midlands, not metres
    assert "27700" in result.source_crs
    assert result.areas.iloc[0]["name"] == "Somewhere 001A"


def test_a_zipped_shapefile_is_read(tmp_path):
    frame, _ = write_british_grid_geopackage(tmp_path)
    folder = tmp_path / "shp"
    folder.mkdir()
    frame.to_file(folder / "lsoa.shp")
    archive = tmp_path / "lsoa.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for part in folder.iterdir():
            zipped.write(part, part.name)
    assert read(archive).areas["area_code"].tolist() == ["E01000001"]


def test_a_zip_with_a_path_outside_the_folder_is_refused_before_extraction(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("../../etc/evil.shp", b"x")
    with pytest.raises(BoundaryFileError, match="outside the folder"):
        read(archive)
    assert not (tmp_path.parent.parent / "etc" / "evil.shp").exists()


def test_a_zip_bomb_is_refused_before_extraction(tmp_path):
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("big.shp", b"\0" * (MAX_COMPRESSION_RATIO * 20_000))
    with pytest.raises(BoundaryFileError, match="zip bomb"):
        read(archive)


def test_a_file_without_area_codes_or_with_bad_codes_is_refused(tmp_path):
    frame = gpd.GeoDataFrame({"name": ["x"]}, geometry=[box(0, 0, 1, 1)], crs="EPSG:4326")
    path = tmp_path / "nocode.geojson"
    frame.to_file(path, driver="GeoJSON")
    with pytest.raises(BoundaryFileError, match="no area code column"):
        read(path)
    frame = gpd.GeoDataFrame({"LSOA21CD": ["banana"]}, geometry=[box(0, 0, 1, 1)], crs="EPSG:4326")
    frame.to_file(path, driver="GeoJSON")
    with pytest.raises(BoundaryFileError, match="feature 1, column LSOA21CD: 'banana'"):
        read(path)


def test_something_that_is_not_a_boundary_file_is_refused_plainly(tmp_path):
    path = tmp_path / "notes.geojson"
    path.write_bytes(io.BytesIO(b"this is not json").getvalue())
    with pytest.raises(BoundaryFileError, match="cannot be read as boundaries"):
        read(path)


# --- coordinates that are not what the file says --------------------------------------------

MIDLANDS_BNG = box(400_000, 270_000, 401_000, 271_000)  # near Worcester, in metres
CRS84 = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}


def geojson(path, geometries, *, crs=None, codes=None):
    """A FeatureCollection written by hand: with the given "crs" member, or none."""
    codes = codes or [f"E0100000{n}" for n in range(1, len(geometries) + 1)]
    document = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"LSOA21CD": code}, "geometry": mapping(geometry)}
            for code, geometry in zip(codes, geometries, strict=True)
        ],
    }
    if crs:
        document["crs"] = crs
    path.write_text(json.dumps(document))
    return path


def zipped_shapefile_without_prj(tmp_path, geometries):
    frame = gpd.GeoDataFrame(
        {"LSOA21CD": [f"E0100000{n}" for n in range(1, len(geometries) + 1)]},
        geometry=geometries,
    )
    folder = tmp_path / "shp"
    folder.mkdir()
    frame.to_file(folder / "lsoa.shp")
    assert not (folder / "lsoa.prj").exists()
    archive = tmp_path / "lsoa_noprj.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for part in folder.iterdir():
            zipped.write(part, part.name)
    return archive


def centre(result, row=0):
    return shape(result.areas.iloc[row]["geometry"]).centroid.coords[0]


@pytest.mark.parametrize("crs", [None, CRS84], ids=["no crs member", "says CRS84"])
def test_british_grid_metres_in_a_geojson_said_to_be_degrees_are_reprojected_with_a_warning(
    tmp_path, crs
):
    result = read(geojson(tmp_path / "lsoa.geojson", [MIDLANDS_BNG], crs=crs))
    lon, lat = centre(result)
    assert -2.5 < lon < -1.5 and 52.0 < lat < 52.6  # the English Midlands, not 400,500°
    assert result.source_crs == "EPSG:27700"
    (warning,) = result.warnings
    assert warning.startswith("lsoa.geojson: says its coordinates are longitude/latitude")
    assert "feature 1 (E01000001) at (400,000, 270,000)" in warning
    assert "read as British National Grid (EPSG:27700)" in warning


def test_a_shapefile_without_a_prj_in_british_grid_metres_is_reprojected_with_a_warning(
    tmp_path,
):
    result = read(zipped_shapefile_without_prj(tmp_path, [MIDLANDS_BNG]))
    assert -2.5 < centre(result)[0] < -1.5
    assert result.warnings[0].startswith("lsoa_noprj.zip: names no coordinate system, but")


def test_a_shapefile_without_a_prj_in_degrees_is_refused(tmp_path):
    with pytest.raises(BoundaryFileError, match="has no coordinate reference system"):
        read(zipped_shapefile_without_prj(tmp_path, [box(-2.2, 52.1, -2.1, 52.2)]))


@pytest.mark.parametrize(
    ("geometries", "message"),
    [
        (
            [box(359_000, 174_500, 360_000, 175_000), box(5_000_000, 174_500, 5_001_000, 175_000)],
            "lsoa.geojson, feature 2 (E01000002): coordinates such as (5,000,000, 174,500) are "
            "neither longitude/latitude nor British National Grid metres",
        ),
        (
            [box(-359_000, 174_500, -358_000, 175_000)],
            "lsoa.geojson, feature 1 (E01000001): coordinates such as (-359,000, 174,500) are "
            "neither",
        ),
        (
            [box(-2.2, 52.1, -2.1, 52.2), MIDLANDS_BNG],
            "lsoa.geojson: mixes longitude/latitude (feature 1 (E01000001) at (-2.2, 52.1)) with "
            "metres (feature 2 (E01000002) at (400,000, 270,000))",
        ),
        (
            [box(52.1, -2.2, 52.2, -2.1)],  # latitude first
            "lsoa.geojson: every area lies outside the United Kingdom (feature 1 (E01000001) lies "
            "around longitude 52.1, latitude -2.2)",
        ),
    ],
    ids=["metres beyond the grid", "negative easting", "degrees and metres", "swapped"],
)
def test_coordinates_that_cannot_be_placed_are_refused_naming_the_file_and_feature(
    tmp_path, geometries, message
):
    with pytest.raises(BoundaryFileError) as refused:
        read(geojson(tmp_path / "lsoa.geojson", geometries))
    assert message in str(refused.value)


def test_degrees_in_a_file_said_to_be_british_grid_are_refused(tmp_path):
    frame = gpd.GeoDataFrame(
        {"LSOA21CD": ["E01000001"]}, geometry=[box(-2.2, 52.1, -2.1, 52.2)], crs="EPSG:27700"
    )
    path = tmp_path / "lsoa.gpkg"
    frame.to_file(path, driver="GPKG")
    with pytest.raises(BoundaryFileError, match="within 180 m of that system's origin"):
        read(path)


def test_an_area_outside_the_united_kingdom_is_warned_about(tmp_path):
    path = geojson(tmp_path / "lsoa.geojson", [box(-2.2, 52.1, -2.1, 52.2), box(10, 45, 11, 46)])
    (warning,) = read(path).warnings
    assert warning == (
        "lsoa.geojson: 1 of 2 areas lie outside the United Kingdom (feature 2 (E01000002) lies "
        "around longitude 10, latitude 45); check them on the map."
    )


def test_a_geopackage_said_to_be_wgs84_holding_british_grid_metres_is_reprojected(tmp_path):
    frame = gpd.GeoDataFrame({"LSOA21CD": ["E01000001"]}, geometry=[MIDLANDS_BNG], crs="EPSG:4326")
    path = tmp_path / "lsoa.gpkg"
    frame.to_file(path, driver="GPKG")
    result = read(path)
    assert -2.5 < centre(result)[0] < -1.5
    assert result.warnings[0].startswith(
        "lsoa.gpkg: says its coordinates are longitude/latitude (WGS 84), but its coordinates "
        "are metres, e.g. feature 1 (E01000001) at (400,000, 270,000)"
    )
