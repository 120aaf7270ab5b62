"""Reads: the only place where needs' database rows become DataFrames."""

import geopandas as gpd
import numpy as np
import pandas as pd
from django.db.models import Max
from shapely.geometry import Point, shape

from needs import columns as c
from needs.geography import (
    ANCESTOR_CODE,
    PARENT_CODE,
    dissolve_to_localities,
    small_area_ancestors,
    to_geodataframe,
)
from needs.models import (
    SMALL_AREA_LEVELS,
    Area,
    AreaLevel,
    Condition,
    DatasetVersion,
    Deprivation,
    LocalityArea,
    LocalityScheme,
    PopulationEstimate,
    PopulationProjection,
    PrevalenceRate,
    RelativeRisk,
)


def latest_population_year() -> int | None:
    return PopulationEstimate.objects.aggregate(year=Max("year"))["year"]


def population_frame(*, year: int) -> pd.DataFrame:
    """Small-area population for one year: area_code, sex, age, count."""
    rows = PopulationEstimate.objects.filter(year=year).values_list(
        "area__code", "sex", "age", "count"
    )
    return pd.DataFrame.from_records(rows, columns=[c.AREA_CODE, c.SEX, c.AGE, c.COUNT])


def rates_frame(*, condition: Condition) -> pd.DataFrame:
    rows = PrevalenceRate.objects.filter(condition=condition).values_list(
        "id", "sex", "age_min", "age_max", "rate", "lower", "upper"
    )
    frame = pd.DataFrame.from_records(
        rows, columns=["rate_id", c.SEX, c.AGE_MIN, c.AGE_MAX, c.RATE, c.LOWER, c.UPPER]
    )
    return frame.assign(**{c.CONDITION_CODE: condition.code}).astype(
        {c.AGE_MAX: float, c.LOWER: float, c.UPPER: float}
    )


def rate_sources(*, condition: Condition) -> list[str]:
    sources = PrevalenceRate.objects.filter(condition=condition).values_list(
        "source", "source_table", "source_year"
    )
    return sorted({f"{s}{', ' + t if t else ''} ({y})" for s, t, y in sources})


def locality_membership_frame(*, scheme: LocalityScheme) -> pd.DataFrame:
    rows = LocalityArea.objects.filter(locality__scheme=scheme).values_list(
        "area__code", "locality__code", "locality__name"
    )
    return pd.DataFrame.from_records(rows, columns=[c.AREA_CODE, c.LOCALITY_CODE, c.LOCALITY_NAME])


def small_area_expansion(*, codes: list[str]) -> pd.DataFrame:
    """Pairs (small area, ancestor) for every small area under any of `codes`."""
    hierarchy = pd.DataFrame.from_records(
        Area.objects.values_list("code", "parent__code"), columns=[c.AREA_CODE, PARENT_CODE]
    )
    small = Area.objects.filter(level__in=SMALL_AREA_LEVELS).values_list("code", flat=True)
    pairs = small_area_ancestors(hierarchy, pd.Series(list(small), dtype=object))
    return pairs[pairs[ANCESTOR_CODE].isin(codes)]


def geometry_frame(*, codes: list[str]) -> pd.DataFrame:
    rows = Area.objects.filter(code__in=codes, level__in=SMALL_AREA_LEVELS).values_list(
        "code", "geometry"
    )
    return pd.DataFrame.from_records(rows, columns=[c.AREA_CODE, "geometry"])


def default_locality_scheme() -> LocalityScheme | None:
    return LocalityScheme.objects.order_by("pk").first()


def area_names_frame(*, codes: list[str]) -> pd.DataFrame:
    rows = Area.objects.filter(code__in=codes, level__in=SMALL_AREA_LEVELS).values_list(
        "code", "name"
    )
    return pd.DataFrame.from_records(list(rows), columns=["unit_code", "unit_name"])


def rate_publications(*, condition: Condition) -> list[str]:
    """The publications a condition's rates come from, each once (for captions)."""
    rows = PrevalenceRate.objects.filter(condition=condition).values_list("source", flat=True)
    return sorted(set(rows))


def projections_frame(*, years: list[int]) -> pd.DataFrame:
    rows = PopulationProjection.objects.filter(year__in=years).values_list(
        "area__code", "year", "sex", "age", "count"
    )
    return pd.DataFrame.from_records(
        list(rows), columns=[c.AREA_CODE, c.YEAR, c.SEX, c.AGE, c.COUNT]
    )


def projection_years() -> list[int]:
    return sorted(PopulationProjection.objects.values_list("year", flat=True).distinct())


def authority_of_small_areas(*, codes: list[str]) -> pd.Series:
    """Small-area code → the code of the local authority district above it."""
    districts = Area.objects.filter(level=AreaLevel.LAD).values_list("code", flat=True)
    pairs = small_area_expansion(codes=list(districts))
    pairs = pairs[pairs[c.AREA_CODE].isin(codes)]
    return pairs.set_index(c.AREA_CODE)[ANCESTOR_CODE]


def rates_frame_for(*, conditions: list[Condition]) -> pd.DataFrame:
    """The rates of several conditions in one table (condition_code, sex, ages, rate, bounds)."""
    rows = PrevalenceRate.objects.filter(condition__in=conditions).values_list(
        "condition__code", "sex", "age_min", "age_max", "rate", "lower", "upper"
    )
    frame = pd.DataFrame.from_records(
        list(rows),
        columns=[c.CONDITION_CODE, c.SEX, c.AGE_MIN, c.AGE_MAX, c.RATE, c.LOWER, c.UPPER],
    )
    return frame.astype({c.AGE_MAX: float, c.LOWER: float, c.UPPER: float})


def conditions_with_rates() -> list[Condition]:
    return list(Condition.objects.filter(rates__isnull=False).distinct().order_by("group", "name"))


def relative_risk_matrix(*, conditions: list[Condition]) -> tuple[np.ndarray, list[str]]:
    """(condition, quintile 1..5) relative risks, NaN where none are loaded; and their sources."""
    order = {condition.pk: i for i, condition in enumerate(conditions)}
    matrix = np.full((len(conditions), 5), np.nan)
    sources = set()
    for risk in RelativeRisk.objects.filter(condition__in=conditions):
        matrix[order[risk.condition_id], risk.imd_quintile - 1] = risk.relative_risk
        sources.add(f"{risk.source} ({risk.source_year})")
    return matrix, sorted(sources)


def imd_deciles(*, codes: list[str]) -> pd.Series:
    """Small-area code → IMD decile from the most recent edition loaded for it."""
    rows = Deprivation.objects.filter(area__code__in=codes).order_by("area__code", "-edition")
    frame = pd.DataFrame.from_records(
        list(rows.values_list("area__code", "decile")), columns=[c.AREA_CODE, "decile"]
    )
    return frame.drop_duplicates(c.AREA_CODE).set_index(c.AREA_CODE)["decile"]


def small_area_at(*, lon: float, lat: float) -> Area | None:
    """The small area whose boundary contains the point (point in polygon), if any. Where
    several do (both LSOA vintages, or real areas over the synthetic demo county), real areas
    come before synthetic ones and 2021 LSOAs before 2011 ones."""
    point = Point(lon, lat)
    candidates = Area.objects.filter(level__in=SMALL_AREA_LEVELS, geometry__isnull=False).order_by(
        "is_synthetic", "-level", "code"
    )
    for area_id, geometry in candidates.values_list("id", "geometry").iterator():
        if shape(geometry).covers(point):
            return Area.objects.get(pk=area_id)
    return None


def active_dataset_versions() -> list[dict]:
    """The dataset versions in use (not retired): what a run started now rests on."""
    rows = DatasetVersion.objects.filter(retired_at__isnull=True).order_by("kind", "-created_at")
    return [
        {"id": v.pk, "kind": v.kind, "name": v.original_name, "sha256": v.sha256, "rows": v.rows}
        for v in rows
    ]


def small_area_shapes(*, codes: list[str]) -> gpd.GeoDataFrame:
    """Small-area boundaries as a GeoDataFrame (area_code, geometry) in WGS84."""
    rows = geometry_frame(codes=codes)
    return to_geodataframe(rows[c.AREA_CODE], rows["geometry"])


def locality_outlines(*, membership: pd.DataFrame) -> gpd.GeoDataFrame:
    """One simplified outline per locality (locality_code, locality_name, geometry).

    `membership`: area_code, locality_code, locality_name, as `locality_membership_frame`.
    """
    shapes = small_area_shapes(codes=list(membership[c.AREA_CODE]))
    return dissolve_to_localities(shapes, membership)
