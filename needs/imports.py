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
    ANALYSIS_LEVEL,
    MAX_AGE,
    AreaLevel,
    Condition,
    PopulationEstimate,
    PopulationProjection,
    PrevalenceRate,
    RelativeRisk,
    SexTotal,
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
    missing_small_areas,
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
    frame, level = _to_analysis_geography(plan, frame, str(parsed.facts.get("vintage") or ""))
    if not plan.ok:
        return plan
    persons = (frame["sex"] == "P").any()
    if persons:
        frame = _split_by_sex(plan, frame)
    frame = area_ids_for(plan, frame, levels=(level,), what="small area", options=options)
    if not plan.ok:
        return plan
    if "is_modelled" not in frame.columns:
        frame["is_modelled"] = False
    ids = frame["area_id"].unique().tolist()
    _check_coverage(plan, ids, year, options)
    if not plan.ok:
        return plan
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


INCOMPLETE_YEAR = (
    "{name}: mid-{year} covers {covered:,} of the area's {expected:,} 2021 LSOAs; {missing:,} "
    "are missing: {listed}. A year that leaves residents out cannot be set against provision. "
    "Import the complete file, or choose to import an incomplete year (on the upload page, tick "
    "“Import this population year even if it leaves some small areas out”; on the command line, "
    "--incomplete): it is then marked incomplete on every output and never used by default."
)


def _check_coverage(plan: Plan, ids: list[int], year: int, options: ImportOptions) -> None:
    """Every 2021 LSOA of the area in the year, or the analyst's word that it may be incomplete."""
    missing = missing_small_areas(ids)
    if not missing:
        plan.passed("Coverage", f"every one of the area's {len(ids):,} 2021 LSOAs is in the file")
        return
    words = INCOMPLETE_YEAR.format(
        name=plan.name,
        year=year,
        covered=len(ids),
        expected=len(ids) + len(missing),
        missing=len(missing),
        listed=listed(missing),
    )
    if not options.allow_incomplete:
        plan.fail("Coverage", [words])
        return
    plan.facts["incomplete"] = True
    plan.passed("Coverage", f"incomplete, as chosen: {len(missing):,} 2021 LSOAs missing")
    plan.warnings.append(words.split(" A year")[0] + ": imported as incomplete, as chosen.")


def _to_analysis_geography(
    plan: Plan, frame: pd.DataFrame, stated: str
) -> tuple[pd.DataFrame, str]:
    """Figures on 2021 LSOAs pass through; figures on 2011 LSOAs are converted to 2021 LSOAs (the
    one geography analyses run on) through the ONS best-fit lookup, by code: a split LSOA's
    figures are shared by its successors' Census 2021 population (equally where that is not
    loaded, and said), merged LSOAs add up, and every converted figure is flagged modelled.
    Returns the frame and the level."""
    vintage = file_vintage(frame["area_code"].unique().tolist(), stated)
    if vintage == ANALYSIS_LEVEL:
        return frame, ANALYSIS_LEVEL
    lookup = best_fit_frame()
    if lookup.empty:
        plan.fail("LSOA vintage", [NO_BEST_FIT.format(name=plan.name)])
        return frame, ANALYSIS_LEVEL
    weights = pd.DataFrame(
        [
            (code, female + male)
            for code, female, male in SexTotal.objects.filter(
                area__level=ANALYSIS_LEVEL
            ).values_list("area__code", "female", "male")
        ],
        columns=["area_code", "weight"],
    )
    keys = [column for column in ("year", "sex", "age") if column in frame.columns]
    values = frame[["area_code", *keys, "count"]]
    known = values["area_code"].isin(lookup["lsoa11_code"])
    if not known.all():
        # Left for area_ids_for to refuse (or, for a national file, skip) by their 2011 codes.
        plan.facts["not_in_best_fit"] = sorted(values.loc[~known, "area_code"].unique())
    try:
        converted = lookups.convert(
            values[known], lookup, to=ANALYSIS_LEVEL, weights=weights if len(weights) else None
        )
    except ValueError as error:
        plan.fail("LSOA vintage", [f"{plan.name}: {error}"])
        return frame, ANALYSIS_LEVEL
    rules = converted.drop_duplicates("area_code")["conversion"].value_counts().to_dict()
    plan.passed(
        "LSOA vintage",
        "2011 LSOAs converted to 2021 LSOAs through the best-fit lookup by code: "
        + ", ".join(f"{n:,} {rule}" for rule, n in sorted(rules.items())),
    )
    changed = converted["conversion"] != lookups.UNCHANGED
    converted["is_modelled"] = changed
    if changed.any():
        plan.warnings.append(
            f"{converted.loc[changed, 'area_code'].nunique():,} 2021 LSOAs' figures rest on a "
            "split or merged 2011 LSOA and are flagged as modelled."
        )
    equally = converted["conversion"].str.contains(lookups.SPLIT_EQUALLY)
    if equally.any():
        plan.warnings.append(
            f"{converted.loc[equally, 'area_code'].nunique():,} 2021 LSOAs received an equal "
            "share of a split 2011 LSOA, because no Census 2021 population (sex totals, TS008) "
            "is loaded for them; load TS008 first for shares by population."
        )
    unconverted = frame[~known.to_numpy()].assign(is_modelled=False)
    converted["area_name"] = ""
    merged = pd.concat([converted.drop(columns=["conversion"]), unconverted], ignore_index=True)
    return merged, ANALYSIS_LEVEL


def _split_by_sex(plan: Plan, frame: pd.DataFrame) -> pd.DataFrame:
    totals = _sex_totals_for(frame["area_code"].unique().tolist())
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


def _sex_totals_for(codes: list[str]) -> pd.DataFrame | None:
    """Female and male residents (Census 2021 TS008) of these 2021 LSOAs, if loaded."""
    rows = SexTotal.objects.filter(area__level=ANALYSIS_LEVEL, area__code__in=codes).values_list(
        "area__code", "female", "male"
    )
    totals = pd.DataFrame(list(rows), columns=["area_code", "female", "male"])
    return None if totals.empty else totals


# --- Census sex totals ------------------------------------------------------------------------


def plan_sex_totals(path: Path, *, name: str, options: ImportOptions) -> Plan:
    parsed = census_sex.parse(path, name=name)
    plan = from_parsed("sex_totals", name, parsed, "File layout and values")
    if not plan.ok:
        return plan
    year = int(parsed.facts.get("year") or options.year or 2021)
    # Census 2021 is published on 2021 LSOAs only.
    frame = area_ids_for(
        plan, parsed.frame, levels=(ANALYSIS_LEVEL,), what="2021 LSOA", options=options
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
