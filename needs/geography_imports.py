"""Imports of boundaries, geography lookups and the Indices of Deprivation.

Each plan_<kind>(path, name=..., options=...) returns a needs.plans.Plan (see there).
"""

import re
from pathlib import Path

import pandas as pd

from needs.importers import boundaries as boundaries_parser
from needs.importers import imd, iod_indicators, lookups
from needs.importers.tables import Parsed
from needs.locality_imports import lookup_schemes, lookup_schemes_changes, lookup_schemes_write
from needs.models import (
    ANALYSIS_LEVEL,
    Area,
    AreaIndicator,
    AreaLevel,
    Deprivation,
    LsoaBestFit,
)
from needs.plans import (
    NO_BEST_FIT,
    ImportOptions,
    Plan,
    Progress,
    area_ids_for,
    best_fit_frame,
    file_vintage,
    from_parsed,
    from_result,
    listed,
)

# --- deprivation ------------------------------------------------------------------------------


def plan_deprivation(path: Path, *, name: str, options: ImportOptions) -> Plan:
    parsed_imd = imd.parse(path, name=name)
    parsed = Parsed(
        parsed_imd.deprivation,
        parsed_imd.errors,
        parsed_imd.total_errors,
        facts={"layout": "English Indices of Deprivation"},
    )
    plan = from_parsed("deprivation", name, parsed, "File layout and values")
    if not plan.ok:
        return plan
    frame = parsed.frame
    edition = str(frame["edition"].iloc[0])
    vintage = str(frame["vintage"].iloc[0])
    level = ANALYSIS_LEVEL
    frame = _on_analysis_lsoas(plan, frame, vintage, options)
    if not plan.ok:
        return plan
    plan.facts |= {"edition": edition, "vintage": vintage, "level": level}
    plan.rows = len(frame)
    plan.preview = frame.drop(columns=["area_id"])
    missing_scores = int(frame["score"].isna().sum())
    if missing_scores:
        plan.warnings.append(
            f"{missing_scores:,} LSOAs have no IMD score in this file (ranks and deciles only)."
        )
    plan.changes.append(
        f"{edition} for {len(frame):,} LSOAs, replacing any {edition} figures held for them."
    )

    def write(progress: Progress) -> int:
        ids = frame["area_id"].tolist()
        Deprivation.objects.filter(area_id__in=ids, edition=edition).delete()
        Deprivation.objects.bulk_create(
            Deprivation(
                area_id=area_id,
                edition=edition,
                score=None if pd.isna(score) else float(score),
                rank=int(rank),
                decile=int(decile),
            )
            for area_id, score, rank, decile in frame[
                ["area_id", "score", "rank", "decile"]
            ].itertuples(index=False)
        )
        return len(frame)

    plan.write = write
    return plan


def plan_iod_indicators(path: Path, *, name: str, options: ImportOptions) -> Plan:
    """IoD2019's mood and anxiety disorders or IoD2025's mental health indicator per LSOA."""
    parsed_file = iod_indicators.parse(path, name=name)
    parsed = Parsed(
        parsed_file.indicators,
        parsed_file.errors,
        parsed_file.total_errors,
        facts={"layout": "IoD underlying indicators (mental health)"},
    )
    plan = from_parsed("iod_indicators", name, parsed, "File layout and values")
    if not plan.ok:
        return plan
    frame = parsed.frame
    indicator = iod_indicators.BY_CODE[str(frame["indicator"].iloc[0])]
    frame = _on_analysis_lsoas(plan, frame, indicator.vintage, options)
    if not plan.ok:
        return plan
    plan.facts |= {"indicator": indicator.name, "level": ANALYSIS_LEVEL}
    plan.rows = len(frame)
    plan.preview = frame.drop(columns=["area_id"])
    plan.changes.append(f"{indicator.name} for {len(frame):,} LSOAs, replacing any held for them.")

    def write(progress: Progress) -> int:
        ids = frame["area_id"].tolist()
        AreaIndicator.objects.filter(area_id__in=ids, indicator=indicator.code).delete()
        AreaIndicator.objects.bulk_create(
            AreaIndicator(area_id=area_id, indicator=indicator.code, value=float(value))
            for area_id, value in frame[["area_id", "value"]].itertuples(index=False)
        )
        return len(frame)

    plan.write = write
    return plan


def _on_analysis_lsoas(
    plan: Plan, frame: pd.DataFrame, vintage: str, options: ImportOptions
) -> pd.DataFrame:
    """An index per LSOA carried to the analysis geography if need be, with its area ids."""
    if file_vintage(frame["area_code"].unique().tolist(), vintage) != ANALYSIS_LEVEL:
        frame = _deprivation_to_analysis_geography(plan, frame, options)
    if not plan.ok:
        return frame
    return area_ids_for(plan, frame, levels=(ANALYSIS_LEVEL,), what="LSOA", options=options)


def _deprivation_to_analysis_geography(
    plan: Plan, frame: pd.DataFrame, options: ImportOptions
) -> pd.DataFrame:
    """Indices on 2011 LSOAs carried to the 2021 LSOAs analyses run on. Ranks are not counts:
    an unchanged or split LSOA passes its rank and decile to its successors; merged and complex
    ones get none (listed as a warning; a later edition on 2021 LSOAs covers them). Codes the
    lookup does not know are refused (or, for national files, skipped with a warning)."""
    vintage, other = AreaLevel.LSOA11, ANALYSIS_LEVEL
    lookup = best_fit_frame()
    if lookup.empty:
        plan.fail("LSOA vintage", [NO_BEST_FIT.format(name=plan.name)])
        return frame
    source, target = "lsoa11_code", "lsoa21_code"
    unknown = sorted(set(frame["area_code"]) - set(lookup[source]))
    if unknown and not (options.only_loaded_areas and len(unknown) < frame["area_code"].nunique()):
        plan.fail(
            "Area codes",
            [
                f"{plan.name}: {len(unknown):,} LSOA code(s) are neither loaded here nor in the "
                f"LSOA 2011 → 2021 best-fit lookup: {listed(unknown)}. Load their boundaries or "
                "lookup first, or, for a national file, choose to import only the areas loaded "
                "here."
            ],
        )
        return frame.iloc[0:0]
    if unknown:
        plan.warnings.append(
            f"{len(unknown):,} LSOA code(s) in the file are not in the best-fit lookup and were "
            f"skipped (e.g. {listed(unknown[:5])})."
        )
    fans = lookup.groupby(target)[source].transform("size")
    single = lookup[fans == 1]
    moved = frame.merge(single[[source, target]], left_on="area_code", right_on=source)
    moved = moved.drop(columns=["area_code", source]).rename(columns={target: "area_code"})
    moved = moved[list(frame.columns)]  # the file's column order: the code first
    mine = lookup[source].isin(frame["area_code"])
    dropped = sorted(set(lookup.loc[mine & (fans > 1), target]))
    plan.passed(
        "LSOA vintage",
        f"carried from {vintage} to {other} through the best-fit lookup: {len(moved):,} areas",
    )
    if dropped:
        plan.warnings.append(
            f"{len(dropped):,} {other} LSOAs formed from several {vintage} LSOAs have no "
            f"deprivation from this file: {listed(dropped)}."
        )
    carried = moved["area_code"].isin(lookup.loc[lookup["change"] != "U", target])
    if carried.any():
        plan.warnings.append(
            f"{int(carried.sum()):,} 2021 LSOAs carry the indices of the 2011 LSOA they were "
            "split from (an approximation: the indices were not computed for them)."
        )
    return moved


# --- boundaries -------------------------------------------------------------------------------


def plan_boundaries(path: Path, *, name: str, options: ImportOptions) -> Plan:
    plan = Plan(kind="boundaries", name=name)
    try:
        read = boundaries_parser.read(path, name=name)
    except boundaries_parser.BoundaryFileError as error:
        plan.fail("File, archive and geometry", [str(error)])
        return plan
    areas = read.areas
    level = str(areas["level"].iloc[0])
    if level not in AreaLevel.values:
        plan.fail(
            "Area level",
            [f"{name}: the code column {read.code_column} is not a level this tool maps."],
        )
        return plan
    plan.passed(
        "File, archive and geometry",
        f"{len(areas):,} areas, reprojected from {read.source_crs} to WGS84 and simplified",
    )
    plan.warnings += read.warnings
    existing = dict(
        Area.objects.filter(level=level, code__in=areas["area_code"].tolist()).values_list(
            "code", "id"
        )
    )
    new = len(areas) - len(existing)
    plan.rows = len(areas)
    # The boundaries' vintage, from the code column: LSOA21CD → 2021, WD25CD → 2025.
    digits = re.search(r"(\d\d)CD$", read.code_column.upper())
    vintage = 2000 + int(digits.group(1)) if digits else None
    plan.facts |= {
        "level": level,
        "code_column": read.code_column,
        "crs": read.source_crs,
        "vintage": vintage,
    }
    plan.preview = areas[["area_code", "name", "level"]]
    plan.changes.append(
        f"{level} boundaries: {len(existing):,} areas get new outlines, {new:,} are added."
    )

    def write(progress: Progress) -> int:
        updated = [
            Area(
                id=existing[row.area_code],
                geometry=row.geometry,
                geometry_simplified=row.geometry_simplified,
                valid_from=vintage,
            )
            for row in areas.itertuples(index=False)
            if row.area_code in existing
        ]
        Area.objects.bulk_update(
            updated, ["geometry", "geometry_simplified", "valid_from"], batch_size=200
        )
        Area.objects.bulk_create(
            Area(
                code=row.area_code,
                name=row.name,
                level=level,
                geometry=row.geometry,
                geometry_simplified=row.geometry_simplified,
                valid_from=vintage,
            )
            for row in areas.itertuples(index=False)
            if row.area_code not in existing
        )
        return len(areas)

    plan.write = write
    return plan


# --- lookups ----------------------------------------------------------------------------------


def plan_lookup(path: Path, *, name: str, options: ImportOptions) -> Plan:
    columns = _header(path)
    if {"change_code", "chgind"} & columns:
        return _plan_best_fit(path, name)
    return _plan_hierarchy(path, name)


def _header(path: Path) -> set[str]:
    try:
        with path.open("rb") as handle:
            first = handle.readline().decode("utf-8-sig", errors="replace")
    except OSError:
        return set()
    return {column.strip().strip('"').lower() for column in first.split(",")}


def _plan_best_fit(path: Path, name: str) -> Plan:
    parsed = lookups.parse_best_fit(path, name=name)
    plan = from_result("lookup", name, parsed, "best fit")
    if not plan.ok:
        return plan
    frame = parsed.rates
    changes = frame["change"].value_counts().to_dict()
    plan.changes.append(
        f"The LSOA 2011 → 2021 best-fit lookup: {len(frame):,} pairs ("
        + ", ".join(f"{n:,} {lookups.CHANGES.get(k, k)}" for k, n in sorted(changes.items()))
        + "), replacing the pairs held for these LSOAs."
    )
    plan.facts["lookup"] = "best fit"

    def write(progress: Progress) -> int:
        LsoaBestFit.objects.filter(lsoa11_code__in=frame["lsoa11_code"].tolist()).delete()
        LsoaBestFit.objects.bulk_create(
            LsoaBestFit(lsoa11_code=a, lsoa21_code=b, change=change)
            for a, b, change in frame[["lsoa11_code", "lsoa21_code", "change"]].itertuples(
                index=False
            )
        )
        return len(frame)

    plan.write = write
    return plan


def _plan_hierarchy(path: Path, name: str) -> Plan:
    parsed = lookups.parse_hierarchy(path, name=name)
    plan = from_result("lookup", name, parsed, "hierarchy")
    if not plan.ok:
        return plan
    edges = parsed.rates
    vintage = int(edges["vintage"].iloc[0])
    counts = edges["level"].value_counts().to_dict()
    plan.facts |= {"vintage": vintage, "levels": counts}
    plan.changes.append(
        f"The {vintage} hierarchy: "
        + ", ".join(f"{n:,} {level}" for level, n in counts.items())
        + "; areas not yet loaded are created (without outlines until their boundaries are "
        "loaded) and every area's parent is set from the lookup."
    )
    schemes = []
    if vintage == 2021:
        schemes = lookup_schemes(edges=edges, path=path, name=name)
        plan.changes += lookup_schemes_changes(schemes)
    else:
        plan.changes.append(
            f"No locality schemes are made from a {vintage} lookup: analyses run on LSOA 2021 "
            "areas, so districts, MSOAs and wards come from the LSOA 2021 lookup."
        )

    def write(progress: Progress) -> int:
        _hierarchy_write(edges)
        if schemes:
            lookup_schemes_write(schemes=schemes, name=name)
        return len(edges)

    plan.write = write
    return plan


def _hierarchy_write(edges: pd.DataFrame) -> None:
    order = ["county", "lad", "ward", "msoa11", "msoa21", "lsoa11", "lsoa21"]
    ids: dict[tuple[str, str], int] = {}
    parent_level = {
        "lad": "county",
        "msoa11": "lad",
        "msoa21": "lad",
        "ward": "lad",
        "lsoa11": "msoa11",
        "lsoa21": "msoa21",
    }
    for level in order:
        rows = edges[edges["level"] == level]
        if rows.empty:
            continue
        existing = {
            a.code: a for a in Area.objects.filter(level=level, code__in=rows["area_code"].tolist())
        }
        parent_ids = {code: pk for (lvl, code), pk in ids.items() if lvl == parent_level.get(level)}
        to_create, to_update = [], []
        for row in rows.itertuples(index=False):
            parent = parent_ids.get(row.parent_code) if isinstance(row.parent_code, str) else None
            area = existing.get(row.area_code)
            if area is None:
                to_create.append(
                    Area(
                        code=row.area_code,
                        name=row.area_name,
                        level=level,
                        parent_id=parent,
                        valid_from=row.vintage if level.startswith(("lsoa", "msoa")) else None,
                    )
                )
            else:
                area.name = row.area_name or area.name
                area.parent_id = parent if parent is not None else area.parent_id
                to_update.append(area)
        Area.objects.bulk_create(to_create)
        Area.objects.bulk_update(to_update, ["name", "parent"], batch_size=500)
        ids |= {
            (level, code): pk
            for code, pk in Area.objects.filter(
                level=level, code__in=rows["area_code"].tolist()
            ).values_list("code", "id")
        }
