"""Polygons for the synthetic demo county: outline, LSOA cells and their nesting.

Pure geometry (numpy, pandas, shapely). All shapes are built in a local kilometre
grid, so distances and Voronoi cells are isotropic, and only converted to WGS84
lon/lat at the end. ``jsna.demo_area`` wraps this into the public ``DemoArea``.
"""

from __future__ import annotations

import heapq
import math
import string
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import mapping

COUNTY_NAME = "Wyvern Vale (synthetic)"
COUNTY_CODE = "E10900001"
DISTRICT_NAMES = ("Marlbridge", "Severnholt", "Ashwold", "Corvedon", "Hallowmere")
CENTRE_LON, CENTRE_LAT = -2.1, 52.2
HALF_WIDTH_KM, HALF_HEIGHT_KM = 30.0, 25.0
KM_PER_DEG_LAT = 111.2
KM_PER_DEG_LON = KM_PER_DEG_LAT * math.cos(math.radians(CENTRE_LAT))
GRID_DEG = 1e-6  # the 6-decimal rounding of the GeoJSON output, applied before unions
LSOAS_PER_MSOA = 5
MIN_SPACING_KM = 0.5  # keeps town LSOAs from degenerating into slivers


@dataclass(frozen=True)
class DemoGeography:
    """The nested areas plus per-LSOA attributes the population and IMD models need."""

    areas: pd.DataFrame  # area_code, name, level, parent_code, geometry (GeoJSON dict)
    lsoa_codes: tuple[str, ...]
    lsoa_district: np.ndarray  # index into district_codes, per LSOA
    district_codes: tuple[str, ...]
    urbanity: np.ndarray  # 0 (open country) .. 1 (town centre), per LSOA
    town_core: np.ndarray  # like urbanity but tighter: the inner-town streets
    xy_km: np.ndarray  # LSOA representative points in the local km grid


def build_geography(rng: np.random.Generator) -> DemoGeography:
    """Lay out the county, its ~300 LSOA cells, 5 districts and ~60 MSOAs."""
    outline = _outline(rng)
    towns = _towns(rng, outline)
    cells = _cells(_seed_points(rng, outline, towns), outline)
    xy = shapely.get_coordinates(shapely.point_on_surface(cells))
    neighbours = _adjacency(cells)
    # Unequal shares give districts of clearly different size, as in a real county.
    shares = rng.uniform(0.7, 1.3, len(DISTRICT_NAMES))
    district = _group(xy, neighbours, np.arange(len(cells)), shares)
    district = _order_labels(district, xy)
    msoa = np.empty(len(cells), dtype=int)
    for d in range(len(DISTRICT_NAMES)):
        members = np.flatnonzero(district == d)
        k = max(1, round(len(members) / LSOAS_PER_MSOA))
        msoa[members] = _order_labels(_group(xy, neighbours, members, np.ones(k)), xy[members])
    order = np.lexsort((-xy[:, 1], msoa, district))  # ONS-style: numbered north to south
    lonlat = _to_lonlat(cells[order])
    areas = _areas_frame(lonlat, district[order], msoa[order])
    dist_to_towns = np.hypot(xy[order, :1] - towns[:, 0], xy[order, 1:] - towns[:, 1])
    return DemoGeography(
        areas=areas,
        lsoa_codes=tuple(areas.loc[areas["level"] == "lsoa21", "area_code"]),
        lsoa_district=district[order],
        district_codes=tuple(f"E079{d + 1:05d}" for d in range(len(DISTRICT_NAMES))),
        urbanity=np.exp(-0.5 * (dist_to_towns / (1.6 * towns[:, 2])) ** 2).max(axis=1),
        town_core=np.exp(-0.5 * (dist_to_towns / (0.8 * towns[:, 2])) ** 2).max(axis=1),
        xy_km=xy[order],
    )


def _outline(rng: np.random.Generator) -> shapely.Polygon:
    """A perturbed ellipse: low harmonics bend it, higher ones roughen the edge."""
    theta = np.linspace(0.0, 2 * np.pi, 360, endpoint=False)
    k = np.arange(2, 13)[:, None]
    # Amplitude falling with harmonic order keeps the radius positive, so the
    # outline stays a simple (star-shaped) polygon while looking organic.
    amplitude = rng.uniform(0.3, 1.0, (k.size, 1)) * 0.09 / k**0.9
    phase = rng.uniform(0.0, 2 * np.pi, (k.size, 1))
    radius = 1.0 + (amplitude * np.cos(k * theta + phase)).sum(axis=0)
    tilt = rng.uniform(-0.3, 0.3)
    x = HALF_WIDTH_KM * radius * np.cos(theta)
    y = HALF_HEIGHT_KM * radius * np.sin(theta)
    rotation = np.array([[np.cos(tilt), np.sin(tilt)], [-np.sin(tilt), np.cos(tilt)]])
    return shapely.Polygon(np.column_stack([x, y]) @ rotation)


def _towns(rng: np.random.Generator, outline: shapely.Polygon) -> np.ndarray:
    """2-3 towns as rows (x_km, y_km, spread_km, n_lsoas); the first is the county town."""
    n_towns = int(rng.integers(2, 4))
    spread = np.array([3.2, 2.4, 1.9])[:n_towns] * rng.uniform(0.9, 1.1, n_towns)
    n_lsoas = np.array([85, 50, 30])[:n_towns]
    inland = outline.buffer(-8.0)  # a town's spread of LSOAs should fit inside the county
    centres: list[np.ndarray] = []
    while len(centres) < n_towns:
        point = rng.uniform(-0.55, 0.55, 2) * (HALF_WIDTH_KM, HALF_HEIGHT_KM)
        far_apart = all(np.hypot(*(point - c)) > 15.0 for c in centres)
        if far_apart and inland.contains(shapely.Point(point)):
            centres.append(point)
    return np.column_stack([np.array(centres), spread, n_lsoas])


def _seed_points(
    rng: np.random.Generator, outline: shapely.Polygon, towns: np.ndarray
) -> np.ndarray:
    """Cell generators: Gaussian clusters in towns, uniform scatter in the countryside."""
    total = int(rng.integers(292, 309))
    minx, miny, maxx, maxy = outline.bounds
    accepted: list[np.ndarray] = []
    quota = towns[:, 3].astype(int).tolist()
    while len(accepted) < total:
        town = next((t for t, q in enumerate(quota) if q > 0), None)
        if town is None:
            point = rng.uniform((minx, miny), (maxx, maxy))
        else:
            point = rng.normal(towns[town, :2], towns[town, 2])
        if not shapely.contains_xy(outline, *point):
            continue
        if accepted and np.hypot(*(np.array(accepted) - point).T).min() < MIN_SPACING_KM:
            continue
        accepted.append(point)
        if town is not None:
            quota[town] -= 1
    return np.array(accepted)


def _cells(points: np.ndarray, outline: shapely.Polygon) -> np.ndarray:
    """Voronoi cells of the points clipped to the outline, one Polygon per point."""
    voronoi = shapely.voronoi_polygons(
        shapely.MultiPoint(points), extend_to=outline.buffer(20.0), ordered=True
    )
    return _absorb_fragments(shapely.intersection(np.array(voronoi.geoms), outline))


def _absorb_fragments(cells: np.ndarray) -> np.ndarray:
    """Where a concave bay cuts a cell in two, hand the stray piece to its main neighbour."""
    cells = cells.copy()
    for i, cell in enumerate(cells):
        if cell.geom_type == "Polygon":
            continue
        polygons = [p for p in shapely.get_parts(cell) if p.geom_type == "Polygon"]
        parts = sorted(polygons, key=lambda part: part.area, reverse=True)
        cells[i] = parts[0]
        for part in parts[1:]:
            touching = shapely.intersection(part.boundary, shapely.buffer(cells, 1e-6))
            shared = shapely.length(touching)
            shared[i] = -1.0
            host = int(shared.argmax())
            cells[host] = cells[host].union(part)
    return cells


def _adjacency(cells: np.ndarray) -> list[set[int]]:
    """Cells sharing a border of at least 10 m (corner-only contact does not count)."""
    left, right = shapely.STRtree(cells).query(cells, predicate="dwithin", distance=1e-6)
    keep = left < right
    left, right = left[keep], right[keep]
    # Buffering one side by a millimetre tolerates floating-point drift along the shared edge.
    shared = shapely.length(
        shapely.intersection(shapely.boundary(cells[left]), shapely.buffer(cells[right], 1e-6))
    )
    neighbours: list[set[int]] = [set() for _ in cells]
    for a, b in zip(left[shared > 0.01], right[shared > 0.01], strict=True):
        neighbours[a].add(int(b))
        neighbours[b].add(int(a))
    return neighbours


def _group(
    xy: np.ndarray, neighbours: list[set[int]], members: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """Split `members` into contiguous groups sized by `weights`; labels align with members."""
    points = xy[members]
    centres = _kmeans(points, len(weights))
    taken = np.zeros(len(members), dtype=bool)
    seeds: list[int] = []
    for centre in centres:  # the nearest not-yet-taken member cell to each k-means centre
        nearest = int(np.where(taken, np.inf, np.hypot(*(points - centre).T)).argmin())
        taken[nearest] = True
        seeds.append(int(members[nearest]))
    targets = weights / weights.sum() * len(members)
    label = _grow_weighted(seeds, xy, neighbours, set(members.tolist()), targets)
    return np.array([label[m] for m in members])


def _kmeans(points: np.ndarray, k: int, iterations: int = 30) -> np.ndarray:
    """Plain Lloyd iterations from a farthest-point start (deterministic, well spread)."""
    centres = [points[np.argmax(points[:, 1])]]
    while len(centres) < k:
        gap = np.min([np.hypot(*(points - c).T) for c in centres], axis=0)
        centres.append(points[gap.argmax()])
    centre_array = np.array(centres)
    for _ in range(iterations):
        distance = np.hypot(*(points[:, None, :] - centre_array[None, :, :]).transpose(2, 0, 1))
        nearest = distance.argmin(axis=1)
        for c in range(k):
            if (nearest == c).any():
                centre_array[c] = points[nearest == c].mean(axis=0)
    return centre_array


def _grow_weighted(
    seeds: list[int],
    xy: np.ndarray,
    neighbours: list[set[int]],
    members: set[int],
    targets: np.ndarray,
) -> dict[int, int]:
    """Contiguous regions of about `targets` cells: a weighted graph Voronoi, refined
    Lloyd-style (seeds move to their region's middle, reach grows where short)."""
    reach = np.ones(len(seeds))
    best: tuple[float, dict[int, int]] = (math.inf, {})
    for _ in range(40):
        label = _grow_nearest(seeds, xy, neighbours, members, reach)
        sizes = np.bincount(list(label.values()), minlength=len(seeds))
        misfit = float(np.abs(np.log(np.maximum(sizes, 0.5) / targets)).max())
        best = min(best, (misfit, label), key=lambda pair: pair[0])
        # A gentle exponent: bolder steps let one region swamp its neighbours and oscillate.
        reach *= (targets / np.maximum(sizes, 0.5)) ** 0.3
        seeds = _recentre(seeds, label, xy)
    return best[1]


def _recentre(seeds: list[int], label: dict[int, int], xy: np.ndarray) -> list[int]:
    """Move each seed to the cell of its region nearest the region's mean position."""
    moved = []
    for region, seed in enumerate(seeds):
        cells = np.array([cell for cell, r in label.items() if r == region])
        if cells.size == 0:
            moved.append(seed)
            continue
        middle = xy[cells].mean(axis=0)
        moved.append(int(cells[np.hypot(*(xy[cells] - middle).T).argmin()]))
    return moved


def _grow_nearest(
    seeds: list[int],
    xy: np.ndarray,
    neighbours: list[set[int]],
    members: set[int],
    reach: np.ndarray,
) -> dict[int, int]:
    """Each cell joins the region whose seed reaches it first (distance / reach).

    Cells join only through a neighbour already in the region, so regions are connected.
    """
    label: dict[int, int] = {}
    heap = [(0.0, seed, region) for region, seed in enumerate(seeds)]
    while heap:
        _, cell, region = heapq.heappop(heap)
        if cell in label:
            continue
        label[cell] = region
        for other in sorted(neighbours[cell] & members - label.keys()):
            distance = float(np.hypot(*(xy[other] - xy[seeds[region]]))) / reach[region]
            heapq.heappush(heap, (distance, other, region))
    return label


def _order_labels(labels: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """Renumber groups north to south by their mean position, as ONS numbers MSOAs."""
    groups = np.unique(labels)
    northing = np.array([xy[labels == g, 1].mean() for g in groups])
    rank = np.empty_like(groups)
    rank[np.argsort(-northing, kind="stable")] = np.arange(groups.size)
    return rank[np.searchsorted(groups, labels)]


def _to_lonlat(cells: np.ndarray) -> np.ndarray:
    """Local km to WGS84, snapped to the 1e-6 degree grid used in the output."""
    offset = np.array([CENTRE_LON, CENTRE_LAT])
    scale = 1.0 / np.array([KM_PER_DEG_LON, KM_PER_DEG_LAT])
    lonlat = shapely.transform(cells, lambda c: c * scale + offset)
    # Pointwise rounding maps a vertex shared by neighbouring cells to the same grid point in
    # each; GEOS's default snap-rounding works per polygon and can split shared edges apart.
    snapped = shapely.set_precision(lonlat, GRID_DEG, mode="pointwise")
    return shapely.remove_repeated_points(snapped)


def _areas_frame(lsoas: np.ndarray, district: np.ndarray, msoa: np.ndarray) -> pd.DataFrame:
    """One row per area, county first, with union geometries for the grouped levels."""
    rows: list[dict[str, Any]] = []
    msoa_keys = sorted(set(zip(district.tolist(), msoa.tolist(), strict=True)))
    msoa_code = {key: f"E029{n + 1:05d}" for n, key in enumerate(msoa_keys)}
    rows.append(
        _row(COUNTY_CODE, COUNTY_NAME, "county", None, shapely.union_all(lsoas, grid_size=GRID_DEG))
    )
    for d, name in enumerate(DISTRICT_NAMES):
        geometry = shapely.union_all(lsoas[district == d], grid_size=GRID_DEG)
        rows.append(_row(f"E079{d + 1:05d}", name, "lad", COUNTY_CODE, geometry))
    for (d, m), code in msoa_code.items():
        geometry = shapely.union_all(lsoas[(district == d) & (msoa == m)], grid_size=GRID_DEG)
        name = f"{DISTRICT_NAMES[d]} {m + 1:03d}"
        rows.append(_row(code, name, "msoa21", f"E079{d + 1:05d}", geometry))
    letter_of = _letters_within_msoa(district, msoa)
    for n, polygon in enumerate(lsoas):
        key = (int(district[n]), int(msoa[n]))
        name = f"{DISTRICT_NAMES[key[0]]} {key[1] + 1:03d}{letter_of[n]}"
        rows.append(_row(f"E019{n + 1:05d}", name, "lsoa21", msoa_code[key], polygon))
    frame = pd.DataFrame(rows)
    frame["parent_code"] = pd.Series([r["parent_code"] for r in rows], dtype=object)
    return frame


def _letters_within_msoa(district: np.ndarray, msoa: np.ndarray) -> list[str]:
    """A, B, C... in row order within each MSOA (rows are already sorted north to south)."""
    seen: dict[tuple[int, int], int] = {}
    letters = []
    for key in zip(district.tolist(), msoa.tolist(), strict=True):
        letters.append(string.ascii_uppercase[seen.get(key, 0)])
        seen[key] = seen.get(key, 0) + 1
    return letters


def _row(code: str, name: str, level: str, parent: str | None, geometry: Any) -> dict[str, Any]:
    return {
        "area_code": code,
        "name": name,
        "level": level,
        "parent_code": parent,
        "geometry": geojson(geometry),
    }


def geojson(geometry: shapely.Geometry) -> dict[str, Any]:
    """A GeoJSON geometry dict of plain lists with coordinates rounded to 6 decimals."""
    return _plain(mapping(geometry))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        if value and isinstance(value[0], float):
            return [round(coordinate, 6) for coordinate in value]
        return [_plain(item) for item in value]
    return value
