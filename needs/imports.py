"""Imports of population, Census sex totals, projections and prevalence rates.

Each plan_<kind>(path, name=..., options=...) returns a needs.plans.Plan: what the file holds,
the checks, and a `write` that replaces the rows (see needs.plans for the contract).
"""

import tempfile
import zipfile
from pathlib import Path, PurePosixPath

import pandas as pd

from needs import bulk
from needs.importers import boundaries as boundaries_parser
from needs.importers import census_sex, lookups, ons_population, sex_split
from needs.importers import rates as rates_parser
from needs.importers import relative_risks as risks_parser
from needs.importers import snpp as snpp_parser
from needs.importers.tables import Parsed
from needs.models import (
    MAX_AGE,
    SMALL_AREA_LEVELS,
    Area,
    AreaLevel,
    Condition,
    PopulationEstimate,
    PopulationProjection,
    PrevalenceRate,
    RelativeRisk,
    SexTotal,
)
from needs.plans import (
    ImportOptions,
    Plan,
    Progress,
    area_ids_for,
    best_fit_frame,
    from_parsed,
    from_result,
    loaded_small_area_level,
)
from needs.services import rates_write, relative_risks_write

__all__ = ["ImportOptions", "Plan", "Progress"]


# --- population -------------------------------------------------------------------------------


def plan_population(path: Path, *, name: str, options: ImportOptions) -> Plan:
    parsed = ons_population.parse(path, name=name, year=options.year)
    plan = from_parsed("population", name, parsed, "File layout and values")
    if not plan.ok:
        return plan
    frame = parsed.frame
    year = int(frame["year"].iloc[0])
    frame, level = _to_loaded_vintage(plan, frame, str(parsed.facts.get("vintage") or ""))
    if not plan.ok:
        return plan
    persons = (frame["sex"] == "P").any()
    if persons:
        frame = _split_by_sex(plan, frame, level)
    frame = area_ids_for(plan, frame, levels=(level,), what="small area", options=options)
    if not plan.ok:
        return plan
    if "is_modelled" not in frame.columns:
        frame["is_modelled"] = False
    ids = frame["area_id"].unique().tolist()
    existing = PopulationEstimate.objects.filter(year=year, area_id__in=ids).count()
    plan.preview = frame.drop(columns=["area_id"])
    plan.rows = len(frame)
    plan.facts |= {"year": year, "level": level, "areas": len(ids)}
    plan.changes.append(
        f"Population for mid-{year}: {len(frame):,} rows for {len(ids):,} {level} areas, "
        f"replacing the {existing:,} rows held for those areas and that year."
    )
    table = frame[["area_id", "year", "sex", "age", "count", "is_modelled"]].reset_index(drop=True)

    def write(progress: Progress) -> int:
        progress(0.05, "Removing the population being replaced")
        PopulationEstimate.objects.filter(year=year, area_id__in=ids).delete()
        return bulk.copy_frame(
            PopulationEstimate,
            table,
            progress=lambda share: progress(0.1 + 0.85 * share, "Writing population"),
        )

    plan.write = write
    return plan


def _to_loaded_vintage(plan: Plan, frame: pd.DataFrame, vintage: str) -> tuple[pd.DataFrame, str]:
    """Keep the file's LSOA vintage if its areas are loaded; else convert it through the ONS
    best-fit lookup to the vintage that is (splits share by Census 2021 population where loaded,
    else equally; merges add up). Returns the frame and the level."""
    codes = frame["area_code"].unique().tolist()
    level = loaded_small_area_level(codes)
    if level:
        return frame, level
    other = {"lsoa11": AreaLevel.LSOA21, "lsoa21": AreaLevel.LSOA11}.get(vintage)
    loaded_other = other and Area.objects.filter(level=other).exists()
    if not loaded_other:
        return frame, vintage or AreaLevel.LSOA21  # unknown codes are reported by area_ids_for
    lookup = best_fit_frame()
    if lookup.empty:
        plan.fail(
            "LSOA vintage",
            [
                f"{plan.name}: the file uses 20{vintage[-2:]} LSOA codes but the small areas "
                f"loaded here are 20{other[-2:]} LSOAs; load the ONS LSOA 2011 → 2021 best-fit "
                "lookup first so the figures can be converted by code."
            ],
        )
        return frame, other
    weights = None
    if other == AreaLevel.LSOA21:
        totals = SexTotal.objects.filter(area__level=other).values_list(
            "area__code", "female", "male"
        )
        weights = pd.DataFrame(
            [(code, female + male) for code, female, male in totals],
            columns=["area_code", "weight"],
        )
        weights = weights if not weights.empty else None
    keys = [column for column in ("year", "sex", "age") if column in frame.columns]
    try:
        converted = lookups.convert(
            frame[["area_code", *keys, "count"]], lookup, to=other, weights=weights
        )
    except ValueError as error:
        plan.fail("LSOA vintage", [f"{plan.name}: {error}"])
        return frame, other
    rules = converted.drop_duplicates("area_code")["conversion"].value_counts().to_dict()
    plan.passed(
        "LSOA vintage",
        f"converted from {vintage} to {other} through the best-fit lookup by code: "
        + ", ".join(f"{n:,} {rule}" for rule, n in sorted(rules.items())),
    )
    split = converted["conversion"].str.contains("split")
    converted["is_modelled"] = split
    if split.any():
        plan.warnings.append(
            f"{converted.loc[split, 'area_code'].nunique():,} areas' figures rest on shares of a "
            "split LSOA and are flagged as modelled."
        )
    converted["area_name"] = ""
    return converted.drop(columns=["conversion"]), other


def _split_by_sex(plan: Plan, frame: pd.DataFrame, level: str) -> pd.DataFrame:
    totals = _sex_totals_for(frame["area_code"].unique().tolist(), level)
    keys = [column for column in frame.columns if column not in {"sex", "count", "is_modelled"}]
    result = sex_split.split_persons(
        frame[[*keys, "count"]], seed=sex_split.seed_from_fixture(), sex_totals=totals
    )
    split = result.frame
    split["is_modelled"] = True
    summary = ", ".join(f"{n:,} {method}" for method, n in result.summary.items())
    plan.passed("Sex split", f"persons split by sex ({summary})")
    plan.warnings.append(
        "The file gives persons only: every figure was split by sex (England's female share at "
        "each age, ONS mid-2020 estimates MYE2, raked to each area's Census 2021 sex totals where "
        "loaded) and is flagged as modelled; see docs/methods/sex-split.md."
    )
    if totals is None or totals.empty:
        plan.warnings.append(
            "No Census 2021 sex totals are loaded for these areas: the split uses England's ratio "
            "by age only. Load TS008 (kind: Census sex totals) for a better split."
        )
    return split.drop(columns=["method"], errors="ignore")


def _sex_totals_for(codes: list[str], level: str) -> pd.DataFrame | None:
    """Female and male residents for these areas, converted from 2021 to 2011 LSOAs through
    the best fit when the totals are held for the other vintage (2011 splits add back up)."""
    rows = SexTotal.objects.filter(area__level__in=SMALL_AREA_LEVELS).values_list(
        "area__code", "area__level", "female", "male"
    )
    totals = pd.DataFrame(rows, columns=["area_code", "level", "female", "male"])
    if totals.empty:
        return None
    same = totals[totals["level"] == level]
    if not same.empty:
        return same[same["area_code"].isin(codes)][["area_code", "female", "male"]]
    lookup = best_fit_frame()
    if lookup.empty or level != AreaLevel.LSOA11:
        return None
    long = totals.melt(
        id_vars=["area_code"], value_vars=["female", "male"], var_name="sex", value_name="count"
    )
    converted = lookups.convert(long, lookup, to="lsoa11")
    wide = converted.pivot_table(index="area_code", columns="sex", values="count", aggfunc="sum")
    wide = wide.reset_index()
    return wide[wide["area_code"].isin(codes)][["area_code", "female", "male"]]


# --- Census sex totals ------------------------------------------------------------------------


def plan_sex_totals(path: Path, *, name: str, options: ImportOptions) -> Plan:
    parsed = census_sex.parse(path, name=name)
    plan = from_parsed("sex_totals", name, parsed, "File layout and values")
    if not plan.ok:
        return plan
    year = int(parsed.facts.get("year") or options.year or 2021)
    frame = area_ids_for(
        plan, parsed.frame, levels=SMALL_AREA_LEVELS, what="small area", options=options
    )
    if not plan.ok:
        return plan
    plan.changes.append(
        f"Census {year} sex totals for {len(frame):,} small areas "
        f"({int(frame['female'].sum()):,} female, {int(frame['male'].sum()):,} male), replacing "
        "any held for those areas."
    )
    plan.rows = len(frame)
    source = str(parsed.facts.get("source") or "ONS Census 2021, TS008 Sex")

    def write(progress: Progress) -> int:
        SexTotal.objects.filter(area_id__in=frame["area_id"].tolist(), year=year).delete()
        SexTotal.objects.bulk_create(
            SexTotal(area_id=area_id, year=year, female=int(f), male=int(m), source=source)
            for area_id, f, m in frame[["area_id", "female", "male"]].itertuples(index=False)
        )
        return len(frame)

    plan.write = write
    return plan


# --- projections ------------------------------------------------------------------------------


def _snpp(path: Path, name: str) -> Parsed:
    """One SNPP file, or the ZIP as ONS publishes it (its males and females CSVs; the persons
    file is left out), checked as a whole: every area needs both sexes."""
    if path.suffix.lower() != ".zip":
        return snpp_parser.combine([snpp_parser.parse(path, name=name)])
    with tempfile.TemporaryDirectory() as folder:
        try:
            with zipfile.ZipFile(path) as archive:
                boundaries_parser.check_archive(archive, name)
                members = [
                    member
                    for member in archive.namelist()
                    if member.lower().endswith((".csv", ".xlsx"))
                    and "persons" not in PurePosixPath(member).name.lower()
                ]
                archive.extractall(folder, members)
        except (zipfile.BadZipFile, boundaries_parser.BoundaryFileError) as error:
            return Parsed.of(
                pd.DataFrame(), [str(error) if str(error).startswith(name) else f"{name}: {error}"]
            )
        if not members:
            return Parsed.of(pd.DataFrame(), [f"{name}: holds no males or females CSV file."])
        return snpp_parser.combine(
            [
                snpp_parser.parse(Path(folder) / member, name=f"{name}: {member}")
                for member in sorted(members)
            ]
        )


def plan_projections(path: Path, *, name: str, options: ImportOptions) -> Plan:
    parsed = _snpp(path, name)
    plan = from_parsed("projections", name, parsed, "File layout and values")
    if not plan.ok:
        return plan
    frame = area_ids_for(
        plan,
        parsed.frame,
        levels=(AreaLevel.LAD, AreaLevel.COUNTY),
        what="local authority",
        options=options,
    )
    if not plan.ok:
        return plan
    source = str(parsed.facts.get("source_hint") or "ONS subnational population projections")
    ids = frame["area_id"].unique().tolist()
    first, last = int(frame["year"].min()), int(frame["year"].max())
    existing = PopulationProjection.objects.filter(area_id__in=ids).count()
    plan.rows = len(frame)
    plan.preview = frame.drop(columns=["area_id"])
    plan.changes.append(
        f"Projections {first}–{last} for {len(ids):,} authorities ({len(frame):,} rows), "
        f"replacing the {existing:,} rows held for them."
    )
    table = frame.assign(source=source)[["area_id", "year", "sex", "age", "count", "source"]]

    def write(progress: Progress) -> int:
        PopulationProjection.objects.filter(area_id__in=ids).delete()
        PopulationProjection.objects.bulk_create(
            (PopulationProjection(**row) for row in table.to_dict("records")), batch_size=5000
        )
        return len(table)

    plan.write = write
    return plan


# --- prevalence rates -------------------------------------------------------------------------


def plan_rates(path: Path, *, name: str, options: ImportOptions) -> Plan:
    parsed = rates_parser.parse(path, max_age=MAX_AGE, name=name)
    plan = from_result("rates", name, parsed, "rates table")
    if not plan.ok:
        return plan
    conditions = sorted(parsed.rates["condition_code"].unique())
    held = PrevalenceRate.objects.filter(condition__code__in=conditions).count()
    plan.changes.append(
        f"Rates for {len(conditions)} condition(s) ({', '.join(conditions)}): "
        f"{len(parsed.rates):,} rows replacing the {held:,} held for them."
    )

    def write(progress: Progress) -> int:
        return rates_write(rates=parsed.rates)

    plan.write = write
    return plan


# --- relative risks by deprivation ------------------------------------------------------------


def plan_relative_risks(path: Path, *, name: str, options: ImportOptions) -> Plan:
    parsed = risks_parser.parse(path, name=name)
    plan = from_result("relative_risks", name, parsed, "relative risks by IMD quintile")
    if not plan.ok:
        return plan
    known = dict(Condition.objects.values_list("code", "id"))
    unknown = [
        f"{name}: unknown condition {code!r}: load its prevalence rates first."
        for code in sorted(set(parsed.rates["condition_code"]) - set(known))
    ]
    if unknown:
        plan.fail("Conditions", unknown)
        return plan
    conditions = sorted(parsed.rates["condition_code"].unique())
    plan.passed("Conditions", f"{len(conditions)} condition(s) in the catalogue")
    held = RelativeRisk.objects.filter(condition__code__in=conditions).count()
    plan.changes.append(
        f"Relative risks for {', '.join(conditions)}: {len(parsed.rates):,} rows replacing the "
        f"{held:,} held; analyses adjusted for deprivation use them."
    )

    def write(progress: Progress) -> int:
        return relative_risks_write(risks=parsed.rates, condition_ids=known)

    plan.write = write
    return plan
