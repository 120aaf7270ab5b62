"""Area hierarchy and boundary geometry. Pure: no Django, no I/O."""

import geopandas as gpd
import pandas as pd
from shapely.geometry import shape

from needs.columns import AREA_CODE, LOCALITY_CODE, LOCALITY_NAME

PARENT_CODE = "parent_code"
ANCESTOR_CODE = "ancestor_code"
GEOMETRY = "geometry"
WGS84 = "EPSG:4326"
# About 50 m at English latitudes: keeps locality outlines recognisable and map pages light.
MAP_SIMPLIFY_DEGREES = 0.0005


def small_area_ancestors(areas: pd.DataFrame, small_area_codes: pd.Series) -> pd.DataFrame:
    """Each small area paired with itself and every area above it in the hierarchy.

    `areas`: area_code, parent_code for every level. Lets a catchment given at any level
    (a district, an MSOA, single LSOAs) be expanded to the small areas it covers.
    """
    parent_of = areas.set_index(AREA_CODE)[PARENT_CODE]
    current = pd.DataFrame(
        {AREA_CODE: small_area_codes.to_numpy(), ANCESTOR_CODE: small_area_codes}
    )
    pairs = [current]
    while True:
        up = current.assign(**{ANCESTOR_CODE: current[ANCESTOR_CODE].map(parent_of)}).dropna()
        if up.empty:
            break
        pairs.append(up)
        current = up
    return pd.concat(pairs, ignore_index=True)


def to_geodataframe(codes: pd.Series, geojson: pd.Series) -> gpd.GeoDataFrame:
    geometries = [shape(g) for g in geojson]
    return gpd.GeoDataFrame({AREA_CODE: codes.to_numpy()}, geometry=geometries, crs=WGS84)


def dissolve_to_localities(
    small_areas: gpd.GeoDataFrame, membership: pd.DataFrame
) -> gpd.GeoDataFrame:
    """One outline per locality, the union of its small areas, simplified for web maps."""
    joined = small_areas.merge(membership, on=AREA_CODE, how="inner")
    dissolved = joined.dissolve(by=[LOCALITY_CODE, LOCALITY_NAME], as_index=False)
    return simplified(dissolved[[LOCALITY_CODE, LOCALITY_NAME, GEOMETRY]])


def simplified(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return frame.set_geometry(frame.geometry.simplify(MAP_SIMPLIFY_DEGREES, preserve_topology=True))
