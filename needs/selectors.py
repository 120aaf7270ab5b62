"""Reads: the only place where needs' database rows become DataFrames."""

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
from django.db.models import Count
from shapely.geometry import Point, shape

from needs import columns as c
from needs.demography import localities
from needs.demography.geography import (
    ANCESTOR_CODE,
    PARENT_CODE,
    dissolve_to_localities,
    small_area_ancestors,
    to_geodataframe,
)
from needs.models import (
    ANALYSIS_LEVEL,
    SMALL_AREA_LEVELS,
    Area,
    AreaIndicator,
    AreaLevel,
    Condition,
    DatasetVersion,
    Deprivation,
    LocalityArea,
    LocalityScheme,
    LsoaBestFit,
    PopulationEstimate,
    PopulationProjection,
    PrevalenceRate,
    RateRole,
    RelativeRisk,
)
from needs.plans import missing_small_areas, small_areas_of_same_area


def population_years() -> list[int]:
    """Every year with population on the analysis geography (2021 LSOAs), newest first."""
    rows = PopulationEstimate.objects.filter(area__level=ANALYSIS_LEVEL).values_list("year")
    return sorted(set(rows.distinct().values_list("year", flat=True)), reverse=True)


def population_coverage(*, year: int) -> dict[str, int]:
    """How many of the area's 2021 LSOAs the year covers: small_areas, missing."""
    ids = list(
        PopulationEstimate.objects.filter(year=year, area__level=ANALYSIS_LEVEL)
        .values_list("area_id", flat=True)
        .distinct()
    )
    return {"small_areas": len(ids), "missing": len(missing_small_areas(ids)) if ids else 0}


def complete_population_years(*, scheme: LocalityScheme | None = None) -> list[int]:
    """Years that cover every 2021 LSOA of their area (of the scheme's area, if given), newest
    first."""
    if scheme is None:
        return [y for y in population_years() if not population_coverage(year=y)["missing"]]
    codes = set(scheme_area_codes(scheme=scheme))
    held = PopulationEstimate.objects.filter(area__level=ANALYSIS_LEVEL, area__code__in=codes)
    per_year = held.values_list("year").annotate(n=Count("area_id", distinct=True))
    counts = dict(per_year.values_list("year", "n"))
    return sorted((y for y, n in counts.items() if n == len(codes) and codes), reverse=True)


def latest_population_year(*, scheme: LocalityScheme | None = None) -> int | None:
    """The default year: the newest that covers the whole area (of the scheme's area, if
    given; an incomplete year, imported at the analyst's word, is never the default)."""
    return next(iter(complete_population_years(scheme=scheme)), None)


def latest_population_frame() -> pd.DataFrame:
    """Each 2021 LSOA's population in the newest year held for it (several areas loaded side
    by side may have different years): area_code, sex, age, count."""
    frames, seen = [], set()
    for year in population_years():  # a handful of years, newest first
        frame = population_frame(year=year)
        frame = frame[~frame[c.AREA_CODE].isin(seen)]
        seen |= set(frame[c.AREA_CODE])
        frames.append(frame)
    columns = [c.AREA_CODE, c.SEX, c.AGE, c.COUNT]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def scheme_area_codes(*, scheme: LocalityScheme) -> list[str]:
    """The 2021 LSOAs of the whole area a scheme's localities lie in (the county, or the
    district, above them), whether or not the scheme holds every one of them."""
    ids = LocalityArea.objects.filter(
        locality__scheme=scheme, area__level=ANALYSIS_LEVEL
    ).values_list("area_id", flat=True)
    return sorted(small_areas_of_same_area(list(ids)))


def population_frame(*, year: int, codes: list[str] | None = None) -> pd.DataFrame:
    """Small-area population for one year on 2021 LSOAs (all, or these): area_code, sex, age,
    count."""
    rows = PopulationEstimate.objects.filter(year=year, area__level=ANALYSIS_LEVEL).values_list(
        "area__code", "sex", "age", "count"
    )
    frame = pd.DataFrame.from_records(rows, columns=[c.AREA_CODE, c.SEX, c.AGE, c.COUNT])
    # Filtered here, not in SQL: an England-sized list of codes exceeds SQLite's parameters.
    return frame if codes is None else frame[frame[c.AREA_CODE].isin(codes)].reset_index(drop=True)


def rates_frame(*, condition: Condition) -> pd.DataFrame:
    """The rates applied for a condition (reference rows, the published all-ages figures, are
    stored beside them but never applied)."""
    rows = PrevalenceRate.objects.filter(condition=condition, role=RateRole.APPLIED).values_list(
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
    rows = LocalityArea.objects.filter(
        locality__scheme=scheme, area__level=ANALYSIS_LEVEL
    ).values_list("area__code", "locality__code", "locality__name")
    return pd.DataFrame.from_records(rows, columns=[c.AREA_CODE, c.LOCALITY_CODE, c.LOCALITY_NAME])


def small_area_expansion(*, area_ids: list[int]) -> pd.DataFrame:
    """Pairs (area_code of a 2021 LSOA, ancestor_id) for every 2021 LSOA under, or equal to, any
    of the areas `area_ids` (any level, either vintage). Areas are keyed by id here, never by
    code: most LSOA and MSOA codes are the same in 2011 and 2021. A 2011 area reaches the 2021
    LSOAs its 2011 LSOAs became, through the stored best-fit lookup."""
    hierarchy = pd.DataFrame.from_records(
        list(Area.objects.values_list("id", "parent_id", "level", "code")),
        columns=[c.AREA_CODE, PARENT_CODE, "level", "gss"],
    )
    small = hierarchy[hierarchy["level"].isin(SMALL_AREA_LEVELS)]
    pairs = small_area_ancestors(hierarchy[[c.AREA_CODE, PARENT_CODE]], small[c.AREA_CODE])
    pairs = pairs[pairs[ANCESTOR_CODE].isin(area_ids)].astype({ANCESTOR_CODE: "int64"})
    level = small.set_index(c.AREA_CODE)["level"]
    code = small.set_index(c.AREA_CODE)["gss"]
    pairs = pairs.assign(level=pairs[c.AREA_CODE].map(level), gss=pairs[c.AREA_CODE].map(code))
    current = pairs[pairs["level"] == ANALYSIS_LEVEL]
    old = pairs[pairs["level"] == AreaLevel.LSOA11].merge(
        pd.DataFrame(
            list(LsoaBestFit.objects.values_list("lsoa11_code", "lsoa21_code")),
            columns=["gss", "lsoa21_code"],
        ),
        on="gss",
    )
    loaded = set(code[level == ANALYSIS_LEVEL])
    old = old[old["lsoa21_code"].isin(loaded)]
    frames = [
        current[["gss", ANCESTOR_CODE]].rename(columns={"gss": c.AREA_CODE}),
        old[["lsoa21_code", ANCESTOR_CODE]].rename(columns={"lsoa21_code": c.AREA_CODE}),
    ]
    return pd.concat(frames, ignore_index=True).drop_duplicates().reset_index(drop=True)


def geometry_frame(*, codes: list[str]) -> pd.DataFrame:
    rows = Area.objects.filter(code__in=codes, level=ANALYSIS_LEVEL).values_list("code", "geometry")
    return pd.DataFrame.from_records(rows, columns=[c.AREA_CODE, "geometry"])


def default_locality_scheme() -> LocalityScheme | None:
    """The local authority districts when a lookup has made them, else the first scheme."""
    return localities.default_scheme()


def area_names_frame(*, codes: list[str]) -> pd.DataFrame:
    rows = Area.objects.filter(code__in=codes, level=ANALYSIS_LEVEL).values_list("code", "name")
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
    districts = dict(Area.objects.filter(level=AreaLevel.LAD).values_list("id", "code"))
    pairs = small_area_expansion(area_ids=list(districts))
    pairs = pairs[pairs[c.AREA_CODE].isin(codes)].drop_duplicates(c.AREA_CODE)
    return pairs.set_index(c.AREA_CODE)[ANCESTOR_CODE].map(districts)


def rates_frame_for(*, conditions: list[Condition]) -> pd.DataFrame:
    """The rates of several conditions in one table (condition_code, sex, ages, rate, bounds)."""
    rows = PrevalenceRate.objects.filter(
        condition__in=conditions, role=RateRole.APPLIED
    ).values_list("condition__code", "sex", "age_min", "age_max", "rate", "lower", "upper")
    frame = pd.DataFrame.from_records(
        list(rows),
        columns=[c.CONDITION_CODE, c.SEX, c.AGE_MIN, c.AGE_MAX, c.RATE, c.LOWER, c.UPPER],
    )
    return frame.astype({c.AGE_MAX: float, c.LOWER: float, c.UPPER: float})


# The condition the need pages open on and a run's headline ambition is chosen by: common mental
# disorder (depression and anxiety), the commonest mental disorder and the one the JSNA leads with.
HEADLINE_CONDITION = "cmd"


def headline_condition(conditions: Iterable[Condition]) -> Condition | None:
    """Common mental disorder when it is among `conditions`, else the first of them."""
    listed = list(conditions)
    return next((x for x in listed if x.code == HEADLINE_CONDITION), listed[0] if listed else None)


def conditions_with_rates() -> list[Condition]:
    """Conditions with rates the tool can apply (not only published all-ages figures)."""
    applied = Condition.objects.filter(rates__role=RateRole.APPLIED)
    return list(applied.distinct().order_by("group", "name"))


PROVENANCE_COLUMNS = [
    c.CONDITION_CODE, "role", c.SEX, c.AGE_MIN, c.AGE_MAX, c.RATE, c.LOWER, c.UPPER, "source",
    "source_table", "source_cell", "source_year", "status", "interval_method",
]  # fmt: skip


def rate_provenance_frame(*, conditions: list[Condition]) -> pd.DataFrame:
    """Every stored rate row of these conditions with where it was read and how its interval
    was made: the need page's traceability, one row per published cell."""
    rows = PrevalenceRate.objects.filter(condition__in=conditions).values_list(
        "condition__code", *PROVENANCE_COLUMNS[1:]
    )
    return pd.DataFrame.from_records(list(rows), columns=PROVENANCE_COLUMNS)


def relative_risk_matrix(*, conditions: list[Condition]) -> tuple[np.ndarray, list[str]]:
    """(condition, quintile 1..5) relative risks, NaN where none are loaded; and their sources.

    A condition may be listed more than once (two norms of one condition): each row gets it."""
    rows_of: dict[int, list[int]] = {}
    for i, condition in enumerate(conditions):
        rows_of.setdefault(condition.pk, []).append(i)
    matrix = np.full((len(conditions), 5), np.nan)
    sources = set()
    for risk in RelativeRisk.objects.filter(condition__in=conditions):
        matrix[rows_of[risk.condition_id], risk.imd_quintile - 1] = risk.relative_risk
        sources.add(f"{risk.source} ({risk.source_year})")
    return matrix, sorted(sources)


def imd_deciles(*, codes: list[str]) -> pd.Series:
    """Small-area code → IMD decile from the most recent edition loaded for it."""
    rows = Deprivation.objects.filter(area__code__in=codes, area__level=ANALYSIS_LEVEL).order_by(
        "area__code", "-edition"
    )
    frame = pd.DataFrame.from_records(
        list(rows.values_list("area__code", "decile")), columns=[c.AREA_CODE, "decile"]
    )
    return frame.drop_duplicates(c.AREA_CODE).set_index(c.AREA_CODE)["decile"]


def area_indicators(*, codes: list[str]) -> pd.DataFrame:
    """Observed indicators of the analysis geography's small areas: area_code, one column each."""
    rows = AreaIndicator.objects.filter(area__code__in=codes, area__level=ANALYSIS_LEVEL)
    frame = pd.DataFrame.from_records(
        list(rows.values_list("area__code", "indicator", "value")),
        columns=[c.AREA_CODE, "indicator", "value"],
    )
    if frame.empty:
        return pd.DataFrame(columns=[c.AREA_CODE])
    wide = frame.pivot_table(
        index=c.AREA_CODE, columns="indicator", values="value", aggfunc="first"
    )
    return wide.reset_index().rename_axis(columns=None)


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
