"""Boundary files as published: real GeoJSON, other coordinate systems, and unsafe archives."""

import io
import json
import zipfile

import geopandas as gpd
import pytest
from shapely.geometry import box, shape

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
