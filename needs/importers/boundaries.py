"""Boundaries as published: GeoJSON, zipped shapefile or GeoPackage, in any coordinate system.

Pure: no Django. Every file is reprojected to WGS84 and given a simplified copy for web maps.
Coordinates are never stored as degrees unless they are degrees: a file that names no coordinate
system, or says longitude/latitude (as every GeoJSON without a "crs" member does), but holds
metres within British National Grid's extent is read as EPSG:27700 with a warning; any other
coordinates outside longitude/latitude are refused, as is a file whose every area lies outside
the United Kingdom.
Zip archives are checked before anything is extracted: their total size, their compression
ratio (a "zip bomb") and every member's path (no absolute paths, no "..").
"""

import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import geopandas as gpd
import pandas as pd
from shapely.geometry import mapping

from needs.demography.geography import MAP_SIMPLIFY_DEGREES, WGS84

MAX_UNZIPPED_BYTES = 500 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
CODE_COLUMN = re.compile(r"^(LSOA|MSOA|WD|LAD|LTLA|UTLA|CTY|ICB|SICBL)\d{0,2}CD$|^LADCD$", re.I)
LEVELS = {"LSOA": "lsoa", "MSOA": "msoa", "WD": "ward", "LAD": "lad", "LTLA": "lad",
          "UTLA": "county", "CTY": "county", "ICB": "icb", "SICBL": "sub_icb"}  # fmt: skip
VINTAGED = {"lsoa", "msoa"}  # LSOA11CD → lsoa11, MSOA21CD → msoa21; wards and LADs keep one level
GSS = re.compile(r"^[EWSN]\d{8}$")
BRITISH_NATIONAL_GRID = "EPSG:27700"
BNG_EXTENT = (0, 0, 700_000, 1_300_000)  # min easting, min northing, max easting, max northing
DEGREES = (-180, -90, 180, 90)
# Longitude and latitude around the United Kingdom, Channel Islands and Scilly included.
UK_DEGREES = (-9.0, 49.0, 2.5, 61.0)


class BoundaryFileError(ValueError):
    """A boundary file that cannot be used; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Boundaries:
    areas: pd.DataFrame  # area_code, name, level, geometry, geometry_simplified (GeoJSON dicts)
    code_column: str
    source_crs: str
    warnings: tuple[str, ...] = ()


def read(path: Path, *, name: str | None = None) -> Boundaries:
    """Read a GeoJSON, GeoPackage or zipped shapefile; refuse unsafe archives before unzipping."""
    label = name or path.name
    if path.suffix.lower() == ".zip":
        with tempfile.TemporaryDirectory() as folder:
            return _from_frame(_read_zip(path, Path(folder), label), label)
    try:
        frame = gpd.read_file(path)
    except Exception as error:  # pyogrio raises its own types for every unreadable file
        raise BoundaryFileError(f"{label}: cannot be read as boundaries ({error}).") from error
    return _from_frame(frame, label)


def _read_zip(path: Path, folder: Path, label: str) -> gpd.GeoDataFrame:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        raise BoundaryFileError(f"{label}: is not a valid zip archive.") from error
    with archive:
        check_archive(archive, label)
        archive.extractall(folder)
    shapes = sorted(folder.rglob("*.shp")) + sorted(folder.rglob("*.gpkg"))
    if not shapes:
        raise BoundaryFileError(f"{label}: the archive holds no .shp or .gpkg file.")
    return gpd.read_file(shapes[0])


def check_archive(archive: zipfile.ZipFile, label: str) -> None:
    """Refuse path traversal, oversized contents and implausible compression ratios."""
    members = archive.infolist()
    for member in members:
        parts = PurePosixPath(member.filename.replace("\\", "/")).parts
        absolute = member.filename.startswith(("/", "\\")) or re.match(
            r"^[A-Za-z]:", member.filename
        )
        if absolute or ".." in parts:
            raise BoundaryFileError(
                f"{label}: member {member.filename!r} would be written outside the folder."
            )
    unzipped = sum(member.file_size for member in members)
    packed = max(sum(member.compress_size for member in members), 1)
    if unzipped > MAX_UNZIPPED_BYTES:
        raise BoundaryFileError(
            f"{label}: unzips to {unzipped:,} bytes, over the limit of {MAX_UNZIPPED_BYTES:,}."
        )
    if unzipped / packed > MAX_COMPRESSION_RATIO:
        raise BoundaryFileError(
            f"{label}: compressed {unzipped / packed:,.0f} to 1, which no boundary file is: "
            "refused as a possible zip bomb."
        )


def _from_frame(frame: gpd.GeoDataFrame, label: str) -> Boundaries:
    code = _code_column(frame, label)
    _check_codes(frame, code, label)
    frame, warnings = _placed(frame, code, label)
    source = frame.crs.to_string()
    frame = frame.to_crs(WGS84)
    warnings += _outside_the_uk(frame, code, label)
    # Coordinates to 6 decimals (about 10 cm): more precision is noise in a boundary file.
    precise = frame.geometry.set_precision(1e-6)
    simplified = precise.simplify(MAP_SIMPLIFY_DEGREES, preserve_topology=True)
    areas = pd.DataFrame(
        {
            "area_code": frame[code].astype(str).to_numpy(),
            "name": frame[_name_column(frame, code)].astype(str).to_numpy(),
            "level": _level(code),
            "geometry": [mapping(g) for g in precise],
            "geometry_simplified": [mapping(g) for g in simplified],
        }
    )
    return Boundaries(areas=areas, code_column=code, source_crs=source, warnings=tuple(warnings))


def _within(bounds: pd.DataFrame, extent: tuple[float, float, float, float]) -> pd.Series:
    """Which features' bounding boxes lie inside `extent` (min x, min y, max x, max y)."""
    west, south, east, north = extent
    return (
        (bounds["minx"] >= west)
        & (bounds["miny"] >= south)
        & (bounds["maxx"] <= east)
        & (bounds["maxy"] <= north)
    )


def _feature(frame: gpd.GeoDataFrame, code: str, position: int) -> str:
    return f"feature {position + 1} ({frame[code].iloc[position]})"


def _number(value: float) -> str:
    """Metres whole, with thousands separators; degrees to 6 significant figures."""
    return f"{value:,.0f}" if abs(value) >= 1_000 else f"{value:.6g}"


def _corner(bounds: pd.DataFrame, position: int) -> str:
    row = bounds.iloc[position]
    return f"({_number(row['minx'])}, {_number(row['miny'])})"


def _placed(frame: gpd.GeoDataFrame, code: str, label: str) -> tuple[gpd.GeoDataFrame, list[str]]:
    """The frame with the coordinate system its coordinates are in, and any warning.

    Coordinates outside longitude/latitude in a file that names no system or says
    longitude/latitude: British National Grid when every feature fits its extent, else refused.
    """
    declared = frame.crs
    bounds = frame.geometry.bounds
    in_degrees = _within(bounds, DEGREES)
    if declared is not None and not declared.is_geographic:
        in_metres = bool(declared.axis_info) and declared.axis_info[0].unit_name == "metre"
        if in_degrees.all() and in_metres:
            raise BoundaryFileError(
                f"{label}: says its coordinates are {declared.name} metres, but every one lies "
                f"within 180 m of that system's origin, e.g. {_feature(frame, code, 0)} at "
                f"{_corner(bounds, 0)}: longitude/latitude? Nothing was imported."
            )
        return frame, []
    if declared is not None and in_degrees.all():
        return frame, []
    if declared is None and in_degrees.all():
        raise BoundaryFileError(
            f"{label}: has no coordinate reference system; cannot place it (add a .prj file, or "
            "save it as GeoJSON in longitude/latitude)."
        )
    says = (
        "names no coordinate system"
        if declared is None
        else f"says its coordinates are longitude/latitude ({declared.name})"
    )
    if declared is not None and label.lower().endswith((".geojson", ".json")):
        says += ', as a GeoJSON without a "crs" member does'

    metres = ~in_degrees & _within(bounds, BNG_EXTENT)
    if metres.all():
        warning = (
            f"{label}: {says}, but its coordinates are metres, e.g. {_feature(frame, code, 0)} "
            f"at {_corner(bounds, 0)}: read as British National Grid ({BRITISH_NATIONAL_GRID}) "
            "and reprojected to longitude/latitude. Check the outlines on the map."
        )
        return frame.set_crs(BRITISH_NATIONAL_GRID, allow_override=True), [warning]
    garbage = ~in_degrees & ~metres
    if garbage.any():
        position = int(garbage.to_numpy().argmax())
        raise BoundaryFileError(
            f"{label}, {_feature(frame, code, position)}: coordinates such as "
            f"{_corner(bounds, position)} are neither longitude/latitude nor British National "
            f"Grid metres, and the file {says}; nothing was imported."
        )
    position, degrees = int(metres.to_numpy().argmax()), int(in_degrees.to_numpy().argmax())
    raise BoundaryFileError(
        f"{label}: mixes longitude/latitude ({_feature(frame, code, degrees)} at "
        f"{_corner(bounds, degrees)}) with metres ({_feature(frame, code, position)} at "
        f"{_corner(bounds, position)}); nothing was imported."
    )


def _outside_the_uk(frame: gpd.GeoDataFrame, code: str, label: str) -> list[str]:
    """Refuse a file whose every area lies outside the United Kingdom; warn when some do."""
    bounds = frame.geometry.bounds
    outside = ~_within(bounds, UK_DEGREES)
    if not outside.any():
        return []
    position = int(outside.to_numpy().argmax())
    row = bounds.iloc[position]
    where = (
        f"{_feature(frame, code, position)} lies around longitude {_number(row['minx'])}, "
        f"latitude {_number(row['miny'])}"
    )
    if outside.all():
        raise BoundaryFileError(
            f"{label}: every area lies outside the United Kingdom ({where}): is the coordinate "
            "system right, or are longitude and latitude swapped? Nothing was imported."
        )
    return [
        f"{label}: {int(outside.sum()):,} of {len(frame):,} areas lie outside the United Kingdom "
        f"({where}); check them on the map."
    ]


def _level(code_column: str) -> str:
    """The area level a code column names: LSOA21CD → lsoa21, WD25CD → ward, LADCD → lad."""
    match = re.match(r"^([A-Z]+?)(\d{0,2})CD$", code_column.upper())
    prefix, year = (match.group(1), match.group(2)) if match else (code_column.upper(), "")
    level = LEVELS.get(prefix, "other")
    if level in VINTAGED:
        return f"{level}{year}" if year in {"11", "21"} else f"{level}21"
    return level


def _code_column(frame: gpd.GeoDataFrame, label: str) -> str:
    found = [column for column in frame.columns if CODE_COLUMN.match(str(column))]
    if not found:
        raise BoundaryFileError(
            f"{label}: no area code column (such as LSOA21CD, MSOA21CD, WD25CD or LAD24CD) "
            f"among {', '.join(map(str, frame.columns[:20]))}."
        )
    return found[0]


def _name_column(frame: gpd.GeoDataFrame, code: str) -> str:
    name = code[:-2] + "NM"
    return name if name in frame.columns else code


def _check_codes(frame: gpd.GeoDataFrame, code: str, label: str) -> None:
    codes = frame[code].astype(str)
    bad = codes[~codes.str.match(GSS.pattern)]
    if not bad.empty:
        first = bad.index[0]
        raise BoundaryFileError(
            f"{label}, feature {first + 1}, column {code}: {bad.iloc[0]!r} is not a GSS code "
            f"({len(bad)} such)."
        )
    repeated = codes[codes.duplicated()]
    if not repeated.empty:
        raise BoundaryFileError(
            f"{label}, column {code}: {repeated.iloc[0]!r} appears more than once."
        )
    empty = frame.geometry.isna() | frame.geometry.is_empty
    if empty.any():
        raise BoundaryFileError(
            f"{label}, feature {int(empty.to_numpy().argmax()) + 1}: has no geometry."
        )
