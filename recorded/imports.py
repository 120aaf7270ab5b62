"""The plans for the recorded-activity kinds: each file checked against what is loaded, and what
importing it would write (needs.plans). Rows point to the dataset version they came from.

Practices to places: a practice site is placed in the loaded 2021 LSOA whose boundary covers
it (point in polygon). Registered patients by LSOA are kept as published, on the LSOA vintage the
file uses, each row linked to its loaded LSOA where there is one.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from django.db.models import Model
from shapely.geometry import shape

from needs.models import ANALYSIS_LEVEL, Area, AreaLevel, DatasetVersion
from needs.plans import ImportOptions, Plan, Progress, file_vintage, from_parsed, listed
from recorded.importers import indicators, practice_lsoa, practices, qof, talking_therapies
from recorded.models import (
    ENGLAND_CODE,
    IndicatorValue,
    Practice,
    PracticeLsoaPatients,
    QofRegister,
    TalkingTherapiesActivity,
)

CHECK = "File layout and values"
BATCH = 5000
INDICATOR_LEVELS = (AreaLevel.LAD, AreaLevel.COUNTY, AreaLevel.REGION)
RATIO_TOLERANCE = 0.01  # value = multiplier × numerator ÷ denominator within 1% on every row


def _attach(model: type[Model], **filters: object):
    """Point the rows just written (those with no version yet) to their dataset version."""

    def attach(version: DatasetVersion) -> None:
        model.objects.filter(dataset_version__isnull=True, **filters).update(
            dataset_version=version
        )

    return attach


def _none(value: object) -> object:
    return None if pd.isna(value) else value


# --- QOF ---------------------------------------------------------------------------------------


def plan_qof(path: Path, *, name: str, options: ImportOptions) -> Plan:
    """QOF registers and list sizes by practice, long or wide layout."""
    parsed = qof.parse(path, name=name, year=options.year)
    plan = from_parsed("qof", name, parsed, CHECK)
    if not plan.ok:
        return plan
    frame = parsed.frame
    year = int(frame["year"].iloc[0])
    codes = sorted(frame["practice_code"].unique())
    groups = sorted(frame["group_code"].unique())
    sited = set(Practice.objects.filter(code__in=codes).values_list("code", flat=True))
    plan.passed(
        "Practices",
        f"{len(sited):,} of the file's {len(codes):,} practices have their sites loaded",
    )
    if sited and len(sited) < len(codes):
        plan.warnings.append(
            f"{len(codes) - len(sited):,} practice(s) have no site loaded (GP practices): "
            f"{listed(sorted(set(codes) - sited))}. Their registers cannot be placed until it is."
        )
    plan.changes.append(
        f"QOF {parsed.facts['year']} registers for {len(codes):,} practices ({', '.join(groups)}), "
        "replacing any held for them."
    )

    def write(progress: Progress) -> int:
        held = _stated_list_types(year, codes, groups)
        rows = frame.copy()
        if held is not None and not rows.empty:
            rows = _keep_stated(rows, held)
        QofRegister.objects.filter(
            year=year, practice_code__in=codes, group_code__in=groups
        ).delete()
        QofRegister.objects.bulk_create(
            (
                QofRegister(
                    practice_code=row.practice_code,
                    year=year,
                    group_code=row.group_code,
                    condition=row.condition,
                    register=int(row.register),
                    list_size=int(row.list_size),
                    list_type=row.list_type,
                    age_min=_none(row.age_min),
                    age_max=_none(row.age_max),
                )
                for row in rows.itertuples(index=False)
            ),
            batch_size=BATCH,
        )
        return len(rows)

    plan.write = write
    plan.version_attach = _attach(QofRegister, year=year, practice_code__in=codes)
    return plan


def _stated_list_types(year: int, codes: list[str], groups: list[str]) -> pd.DataFrame | None:
    held = QofRegister.objects.filter(
        year=year, practice_code__in=codes, group_code__in=groups
    ).exclude(list_type="")
    rows = list(
        held.values_list(
            "practice_code", "group_code", "list_size", "list_type", "age_min", "age_max"
        )
    )
    if not rows:
        return None
    return pd.DataFrame(
        rows,
        columns=["practice_code", "group_code", "list_size", "held_type", "held_min", "held_max"],
    )


def _keep_stated(rows: pd.DataFrame, held: pd.DataFrame) -> pd.DataFrame:
    """A file that does not say which ages a list covers keeps what an earlier file of the same
    year said about the same list (same practice, group and list size)."""
    merged = rows.merge(held, on=["practice_code", "group_code", "list_size"], how="left")
    unstated = (merged["list_type"] == "") & merged["held_type"].notna()
    merged.loc[unstated, "list_type"] = merged.loc[unstated, "held_type"]
    merged.loc[unstated, "age_min"] = merged.loc[unstated, "held_min"]
    merged.loc[unstated, "age_max"] = merged.loc[unstated, "held_max"]
    return merged[rows.columns]


# --- GP practice sites ---------------------------------------------------------------------------


def plan_gp_practices(path: Path, *, name: str, options: ImportOptions) -> Plan:
    """GP practice sites (ODS), placed in the loaded 2021 LSOAs by point in polygon."""
    parsed = practices.parse(path, name=name)
    plan = from_parsed("gp_practices", name, parsed, CHECK)
    if not plan.ok:
        return plan
    frame = parsed.frame.assign(area_id=_place(parsed.frame))
    placed = frame["area_id"].notna()
    if not Area.objects.filter(level=ANALYSIS_LEVEL, geometry__isnull=False).exists():
        plan.warnings.append(
            "No 2021 LSOA boundaries are loaded: the practices are not placed in small areas. "
            "Load the boundaries, then import this file again."
        )
    elif options.only_loaded_areas:
        if (~placed).any():
            plan.warnings.append(
                f"{int((~placed).sum()):,} practice(s) lie outside the small areas loaded here "
                "and were skipped."
            )
        frame = frame[placed]
    elif (~placed).any():
        plan.warnings.append(
            f"{int((~placed).sum()):,} practice(s) lie outside the small areas loaded here (or "
            f"have no coordinates): {listed(sorted(frame.loc[~placed, 'code']))}. They are kept, "
            "not placed."
        )
    plan.passed(
        "Practice sites", f"{int(frame['area_id'].notna().sum()):,} placed in a loaded LSOA"
    )
    plan.rows = len(frame)
    plan.preview = frame.drop(columns=["area_id"])
    codes = sorted(frame["code"])
    plan.changes.append(
        f"{len(frame):,} GP practice sites, replacing any held under the same codes."
    )

    def write(progress: Progress) -> int:
        Practice.objects.filter(code__in=codes).delete()
        Practice.objects.bulk_create(
            Practice(
                code=row.code,
                name=row.name[:200],
                postcode=row.postcode[:10],
                status=row.status,
                open_date=_none(row.open_date),
                close_date=_none(row.close_date),
                longitude=_none(row.longitude),
                latitude=_none(row.latitude),
                area_id=None if pd.isna(row.area_id) else int(row.area_id),
                commissioner=row.commissioner[:10],
                pcn_code=row.pcn_code[:10],
                pcn_name=row.pcn_name[:200],
            )
            for row in frame.itertuples(index=False)
        )
        return len(frame)

    plan.write = write
    plan.version_attach = _attach(Practice, code__in=codes)
    return plan


def _place(frame: pd.DataFrame) -> pd.Series:
    """The id of the loaded 2021 LSOA covering each site (real areas before synthetic ones)."""
    areas = list(
        Area.objects.filter(level=ANALYSIS_LEVEL, geometry__isnull=False)
        .order_by("is_synthetic", "code")
        .values_list("id", "geometry")
    )
    found = pd.Series(np.nan, index=frame.index, dtype="float64")
    located = frame["longitude"].notna() & frame["latitude"].notna()
    if not areas or not located.any():
        return found
    tree = shapely.STRtree([shape(geometry) for _, geometry in areas])
    points = shapely.points(frame.loc[located, "longitude"], frame.loc[located, "latitude"])
    point_at, area_at = tree.query(points, predicate="covered_by")
    best = pd.Series(area_at).groupby(point_at).min()  # the first in order: real before synthetic
    ids = np.array([area_id for area_id, _ in areas])
    positions = frame.index[located][best.index]
    found.loc[positions] = ids[best.to_numpy()]
    return found


# --- patients registered by LSOA -----------------------------------------------------------------


def plan_practice_lsoa(path: Path, *, name: str, options: ImportOptions) -> Plan:
    """Registered patients by practice and LSOA (NHS Digital's quarterly file)."""
    parsed = practice_lsoa.parse(path, name=name)
    plan = from_parsed("practice_lsoa", name, parsed, CHECK)
    if not plan.ok:
        return plan
    frame = parsed.frame
    codes = sorted(frame["practice_code"].unique())
    known = set(Practice.objects.values_list("code", flat=True))
    unknown = sorted(set(codes) - known)
    if unknown and not (options.only_loaded_areas and known & set(codes)):
        rows = frame.index[frame["practice_code"].isin(unknown)]
        plan.fail(
            "Practice codes",
            [
                f"{name}, row {rows[0]}, column 'PRACTICE_CODE': {len(unknown):,} practice code(s) "
                f"are not among the GP practices loaded here: {listed(unknown)}. Load the GP "
                "practice sites first, or, for a national file, choose to import only the "
                "practices loaded here."
            ],
        )
        return plan
    if unknown:
        plan.warnings.append(
            f"{len(unknown):,} practice(s) in the file are not loaded here and were skipped "
            f"(e.g. {listed(unknown[:5])})."
        )
        frame = frame[~frame["practice_code"].isin(unknown)]
    plan.passed(
        "Practice codes", f"{frame['practice_code'].nunique():,} practices, all loaded here"
    )
    lsoas = sorted(frame["lsoa_code"].unique())
    vintage = file_vintage(lsoas, str(parsed.facts.get("stated vintage", "")))
    ids = dict(Area.objects.filter(level=vintage, code__in=lsoas).values_list("code", "id"))
    frame = frame.assign(area_id=frame["lsoa_code"].map(ids), vintage=vintage)
    inside = frame["area_id"].notna()
    total = int(frame["patients"].sum())
    plan.passed(
        "Small areas",
        f"{int(frame.loc[inside, 'patients'].sum()):,} of {total:,} patients live in the "
        f"{vintage.replace('lsoa', 'LSOA 20')} areas loaded here",
    )
    plan.facts |= {"vintage": vintage, "patients": total}
    plan.rows = len(frame)
    plan.preview = frame.drop(columns=["area_id"])
    dates = sorted(frame["extract_date"].unique())
    practice_codes = sorted(frame["practice_code"].unique())
    plan.changes.append(
        f"Registered patients by LSOA for {len(practice_codes):,} practices, replacing any held "
        "for the same extract date."
    )

    def write(progress: Progress) -> int:
        PracticeLsoaPatients.objects.filter(
            practice_code__in=practice_codes, extract_date__in=dates
        ).delete()
        PracticeLsoaPatients.objects.bulk_create(
            (
                PracticeLsoaPatients(
                    practice_code=row.practice_code,
                    lsoa_code=row.lsoa_code,
                    vintage=vintage,
                    area_id=None if pd.isna(row.area_id) else int(row.area_id),
                    extract_date=row.extract_date,
                    sex=row.sex,
                    patients=int(row.patients),
                )
                for row in frame.itertuples(index=False)
            ),
            batch_size=BATCH,
        )
        return len(frame)

    plan.write = write
    plan.version_attach = _attach(PracticeLsoaPatients, extract_date__in=dates)
    return plan


# --- NHS Talking Therapies ---------------------------------------------------------------------


def plan_talking_therapies(path: Path, *, name: str, options: ImportOptions) -> Plan:
    """Monthly NHS Talking Therapies activity for sub-ICB areas (and England's, where given)."""
    parsed = talking_therapies.parse(path, name=name)
    plan = from_parsed("talking_therapies", name, parsed, CHECK)
    if not plan.ok:
        return plan
    frame = parsed.frame
    if not frame["is_england"].any():
        plan.warnings.append(
            "The file has no England rows (E92000001): the area's figures will be compared with "
            "the national standards only, until England's figures are loaded."
        )
    codes = sorted(frame["area_code"].unique())
    months = sorted(frame["month"].unique())
    names = sorted(frame["published_name"].unique())
    plan.changes.append(
        f"{len(frame):,} monthly figures for {', '.join(codes[:5])}"
        f"{' …' if len(codes) > 5 else ''}, replacing any held for the same months and measures."
    )

    def write(progress: Progress) -> int:
        TalkingTherapiesActivity.objects.filter(
            area_code__in=codes, month__in=months, published_name__in=names
        ).delete()
        TalkingTherapiesActivity.objects.bulk_create(
            (
                TalkingTherapiesActivity(
                    area_code=row.area_code,
                    area_name=row.area_name[:200],
                    is_england=bool(row.is_england),
                    month=row.month,
                    measure=row.measure,
                    label=row.label[:200],
                    published_name=row.published_name[:120],
                    unit=row.unit,
                    value=_none(row.value),
                )
                for row in frame.itertuples(index=False)
            ),
            batch_size=BATCH,
        )
        return len(frame)

    plan.write = write
    plan.version_attach = _attach(TalkingTherapiesActivity, area_code__in=codes, month__in=months)
    return plan


# --- local-authority indicators ------------------------------------------------------------------


def plan_indicators(path: Path, *, name: str, options: ImportOptions) -> Plan:
    """Indicators by local authority with England's own value (from its row, ONS's definition,
    or computed from every area's counts in a national file before it is cut to the areas
    loaded here)."""
    parsed = indicators.parse(path, name=name)
    plan = from_parsed("indicators", name, parsed, CHECK)
    if not plan.ok:
        return plan
    frame = parsed.frame
    if options.only_loaded_areas:
        frame = pd.concat([frame, _england_computed(frame)], ignore_index=True)
    others = frame[frame["area_code"] != ENGLAND_CODE]
    codes = sorted(others["area_code"].unique())
    known = dict(
        Area.objects.filter(level__in=INDICATOR_LEVELS, code__in=codes).values_list("code", "id")
    )
    unknown = sorted(set(codes) - set(known))
    comparators = unknown if _keeps_comparators(parsed.facts, options) else []
    if comparators:
        plan.passed(
            "Comparator group",
            f"{len(comparators):,} area(s) not loaded here kept as the comparator group, not as "
            f"the area's own: {', '.join(comparators)}",
        )
        unknown = []
    if unknown and not (options.only_loaded_areas and known):
        plan.fail(
            "Area codes",
            [
                f"{name}: {len(unknown):,} area code(s) are not local authorities or regions "
                f"loaded here: {listed(unknown)}. Load their boundaries or lookup first, or, for a "
                "national file, choose to import only the areas loaded here (England's own value "
                "is kept)."
            ],
        )
        return plan
    if unknown:
        plan.warnings.append(
            f"{len(unknown):,} area(s) in the file are not loaded here and were skipped "
            f"(e.g. {listed(unknown[:5])})."
        )
        frame = frame[~frame["area_code"].isin(unknown)]
    plan.passed("Area codes", f"{len(known):,} area(s) found among those loaded here")
    frame = frame.assign(
        area_id=frame["area_code"].map(known), is_comparator=frame["area_code"].isin(comparators)
    )
    england = frame[frame["area_code"] == ENGLAND_CODE]
    plan.passed(
        "England's value",
        f"{len(england):,} value(s) for England ("
        + (", ".join(sorted(set(england["england_source"]))) or "none: the file has no England row")
        + ")",
    )
    if england.empty:
        plan.warnings.append(
            "The file holds no value for England (E92000001) and none can be computed from it: "
            "these indicators cannot be compared with England until England's values are loaded."
        )
    plan.rows = len(frame)
    plan.preview = frame.drop(columns=["area_id"])
    keys = frame.groupby(["source", "indicator"])
    if comparators:
        plan.changes.append(
            f"{int(frame['is_comparator'].sum()):,} of them are the comparator group's "
            f"({', '.join(comparators)}), compared with, never counted as, the area's own."
        )
    plan.changes.append(
        f"{len(frame):,} values of {frame['indicator'].nunique():,} indicator(s), replacing those "
        "indicators' values held for the same areas and periods."
    )

    def write(progress: Progress) -> int:
        for (source, indicator), rows in keys:
            IndicatorValue.objects.filter(
                source=source,
                indicator=indicator,
                area_code__in=rows["area_code"].unique().tolist(),
                period__in=rows["period"].unique().tolist(),
            ).delete()
        IndicatorValue.objects.bulk_create(
            (
                IndicatorValue(
                    source=row.source[:120],
                    indicator=row.indicator[:200],
                    area_code=row.area_code,
                    area_id=None if pd.isna(row.area_id) else int(row.area_id),
                    period=row.period[:20],
                    year=None if pd.isna(row.year) else int(row.year),
                    value=_none(row.value),
                    lower=_none(row.lower),
                    upper=_none(row.upper),
                    numerator=_none(row.numerator),
                    denominator=_none(row.denominator),
                    england_source=row.england_source,
                    is_comparator=bool(row.is_comparator),
                )
                for row in frame.itertuples(index=False)
            ),
            batch_size=BATCH,
        )
        return len(frame)

    plan.write = write
    plan.version_attach = _attach(IndicatorValue, source__in=sorted(frame["source"].unique()))
    return plan


def _keeps_comparators(facts: dict, options: ImportOptions) -> bool:
    """A file in the generic layout that is not cut to the areas loaded here keeps its other
    areas' rows as the comparator group (a national file, cut, skips them as before)."""
    generic = str(facts.get("layout", "")).startswith("Indicators")
    return generic and not options.only_loaded_areas


def _england_computed(frame: pd.DataFrame) -> pd.DataFrame:
    """England's value for each indicator and period a national file has no England row for,
    where every area has a numerator and a denominator and every value is the same multiple of
    numerator ÷ denominator (a crude proportion or rate: what the publisher's definition allows
    to be summed). Age-standardised and modelled values are not: they get none."""
    areas = frame[frame["area_code"] != ENGLAND_CODE]
    held = set(
        map(
            tuple,
            frame.loc[
                frame["area_code"] == ENGLAND_CODE, ["source", "indicator", "period"]
            ].to_numpy(),
        )
    )
    rows = []
    for (source, indicator, period), group in areas.groupby(["source", "indicator", "period"]):
        if (source, indicator, period) in held:
            continue
        counts = group[["numerator", "denominator", "value"]]
        if counts.isna().any().any() or (counts["denominator"] <= 0).any():
            continue
        ratio = counts["value"] / (counts["numerator"] / counts["denominator"])
        ratio = ratio[counts["numerator"] > 0]
        if ratio.empty:
            continue
        multiplier = float(ratio.median())
        power = 10.0 ** round(np.log10(multiplier)) if multiplier > 0 else multiplier
        multiplier = power if np.allclose(ratio, power, rtol=RATIO_TOLERANCE) else multiplier
        if not np.allclose(ratio, multiplier, rtol=RATIO_TOLERANCE):
            continue
        numerator, denominator = counts["numerator"].sum(), counts["denominator"].sum()
        rows.append(
            {
                "source": source,
                "indicator": indicator,
                "area_code": ENGLAND_CODE,
                "period": period,
                "year": group["year"].iloc[0],
                "value": multiplier * numerator / denominator,
                "lower": np.nan,
                "upper": np.nan,
                "numerator": numerator,
                "denominator": denominator,
                "england_source": "computed",
            }
        )
    return pd.DataFrame(rows, columns=frame.columns)
