"""Locality schemes from files: the analyst's own localities (a CSV of LSOA → locality), and
the districts, MSOAs and wards an LSOA 2021 hierarchy lookup brings.

plan_localities(path, name=..., options=...) returns a needs.plans.Plan (see there). Runs use
LSOA 2021 areas, so every scheme is over them: a file on 2011 LSOAs is carried to 2021 through
the stored ONS best-fit lookup, and every LSOA 2021 area with population must be in a locality,
so nobody is left out of the localities' figures.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from django.db.models import Exists, OuterRef

from needs import columns as c
from needs.column_mapping import MappingSupport, Target
from needs.demography.localities import DISTRICTS, MSOAS, WARDS
from needs.importers import localities as localities_parser
from needs.importers.tables import read_csv
from needs.models import (
    Area,
    AreaLevel,
    DatasetKind,
    LocalityScheme,
    LocalitySchemeKind,
    PopulationEstimate,
)
from needs.plans import ImportOptions, Plan, Progress, best_fit_frame, from_parsed, listed
from needs.services import locality_scheme_replace

MAX_NAME = 200  # LocalityScheme.name
LOCALITY_TARGETS = [
    Target(
        "lsoa_code",
        "LSOA code",
        True,
        help="The small area's ONS code, 2021 (E01…) or 2011; 2011 codes are carried to 2021.",
        synonyms=(
            "lsoa21_code", "lsoa11_code", "lsoa21cd", "lsoa11cd", "lsoa", "lsoa 2021 code",
            "lsoa code 2021", "lsoa 2011 code", "small area", "small area code", "lsoa21",
            "lsoa11",
        ),
        fixable=False,
    ),
    Target(
        "locality_name",
        "Locality name",
        True,
        help="The locality the small area is in.",
        synonyms=(
            "locality", "pcn", "pcn name", "neighbourhood", "neighbourhood name", "cluster",
            "patch", "area name",
        ),
        fixable=False,
    ),
    Target(
        "locality_code",
        "Locality code",
        False,
        help="Your code for the locality (else one is made from its name).",
        synonyms=("pcn code", "neighbourhood code", "cluster code", "patch code"),
        fixable=False,
    ),
]  # fmt: skip


def _header(path: Path, name: str) -> tuple[list[str], list[str]]:
    raw, errors = read_csv(path, name, [])
    return [str(column) for column in raw.columns if str(column).strip()], errors


LOCALITIES_MAPPING = MappingSupport(
    targets=lambda: LOCALITY_TARGETS,
    header=_header,
    values=lambda *_: {},  # no column with a fixed set of values
    matches_template=localities_parser.has_columns,
)


# --- the analyst's own localities ---------------------------------------------------------------


def plan_localities(path: Path, *, name: str, options: ImportOptions) -> Plan:
    parsed = localities_parser.parse(path, name=name, mapping=options.mapping)
    plan = from_parsed(DatasetKind.LOCALITIES, name, parsed, "File layout and values")
    if not plan.ok:
        return plan
    scheme_name = _scheme_name(plan, options.scheme_name or _from_file(name))
    column = str(parsed.facts["code_column"])
    frame = _on_2021_lsoas(plan, parsed.frame, str(parsed.facts["vintage"]), column)
    if not plan.ok:
        return plan
    area_ids = _loaded(plan, frame, column)
    if plan.ok:
        _everyone_in_a_locality(plan, set(area_ids.values()), column)
    if not plan.ok:
        return plan
    _describe(plan, frame, scheme_name)
    membership = frame[[c.AREA_CODE, c.LOCALITY_CODE, c.LOCALITY_NAME]]

    def write(progress: Progress) -> int:
        scheme = locality_scheme_replace(
            name=scheme_name,
            description=f"The analyst's own localities, from {name}.",
            membership=membership,
            area_ids=area_ids,
            is_synthetic=False,
        )
        LocalityScheme.objects.filter(pk=scheme.pk).update(
            kind=LocalitySchemeKind.CUSTOM, source=name
        )
        return len(membership)

    plan.write = write
    return plan


def _from_file(name: str) -> str:
    """The file's name without its suffix, underscores as spaces: "north_south.csv" → "north
    south"."""
    return " ".join(re.sub(r"[_]+", " ", Path(name).stem).split())


def _scheme_name(plan: Plan, scheme_name: str) -> str:
    scheme_name = " ".join(scheme_name.split())
    existing = LocalityScheme.objects.filter(name=scheme_name).first()
    if not scheme_name or len(scheme_name) > MAX_NAME:
        plan.fail(
            "Scheme name",
            [f"{plan.name}: give the scheme a name of 1 to {MAX_NAME} characters."],
        )
    elif existing is not None and (
        existing.kind != LocalitySchemeKind.CUSTOM or existing.is_synthetic
    ):
        plan.fail(
            "Scheme name",
            [
                f"{plan.name}: {scheme_name!r} is the name of a scheme made from "
                f"{'the demo data' if existing.is_synthetic else 'the ONS lookup'}; give your "
                "localities another name."
            ],
        )
    elif existing is not None:
        source = f" from {existing.source}" if existing.source else ""
        plan.passed("Scheme name", f"{scheme_name!r}, replacing the scheme of that name{source}")
    else:
        plan.passed("Scheme name", repr(scheme_name))
    plan.facts["scheme"] = scheme_name
    return scheme_name


def _on_2021_lsoas(plan: Plan, frame: pd.DataFrame, vintage: str, column: str) -> pd.DataFrame:
    """The rows on 2021 LSOAs: as they are, or carried from 2011 LSOAs through the best-fit
    lookup. A header that does not say (lsoa_code) is read as 2021 unless the codes are all
    2011 LSOAs of the lookup and some are not loaded 2021 areas."""
    if vintage == "":
        vintage = _vintage_of(frame["area_code"])
    plan.facts["vintage"] = vintage
    if vintage == AreaLevel.LSOA21:
        return frame
    return _from_2011(plan, frame, column)


def _vintage_of(codes: pd.Series) -> str:
    distinct = set(codes)
    loaded = Area.objects.filter(level=AreaLevel.LSOA21, code__in=list(distinct)).count()
    if loaded == len(distinct):
        return AreaLevel.LSOA21
    old = set(best_fit_frame()["lsoa11_code"])
    return AreaLevel.LSOA11 if old and distinct <= old else AreaLevel.LSOA21


def _from_2011(plan: Plan, frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """An unchanged or split 2011 LSOA passes its locality to each of its 2021 LSOAs; a 2021
    LSOA made from 2011 LSOAs in different localities is an error naming them."""
    lookup = best_fit_frame()
    unknown = frame[~frame["area_code"].isin(lookup["lsoa11_code"])]
    if len(unknown):
        plan.fail(
            "LSOA vintage",
            [
                f"{plan.name}, row {row}, column {column!r}: {code} is not a 2011 LSOA of the "
                "LSOA 2011 → 2021 best-fit lookup loaded here; upload that lookup on the Data "
                "page (Area lookup) or give 2021 LSOA codes."
                for row, code in unknown[["row", "area_code"]].itertuples(index=False)
            ],
        )
        return frame.iloc[0:0]
    pairs = frame.merge(lookup, left_on="area_code", right_on="lsoa11_code")
    spread = pairs.groupby("lsoa21_code")[c.LOCALITY_CODE].nunique()
    split = spread.index[spread > 1]
    if len(split):
        plan.fail("LSOA vintage", [_across(plan.name, pairs, code, column) for code in split])
        return frame.iloc[0:0]
    moved = pairs.drop_duplicates("lsoa21_code").drop(columns=["area_code"])
    plan.passed(
        "LSOA vintage",
        f"{frame['area_code'].nunique():,} LSOA 2011 codes carried to {len(moved):,} LSOA 2021 "
        "areas through the best-fit lookup",
    )
    return moved.rename(columns={"lsoa21_code": c.AREA_CODE})[
        ["row", c.AREA_CODE, "lsoa11_code", c.LOCALITY_CODE, c.LOCALITY_NAME]
    ]


def _across(label: str, pairs: pd.DataFrame, code: str, column: str) -> str:
    rows = pairs[pairs["lsoa21_code"] == code]
    parts = "; ".join(
        f"{old} (row {row}) in {locality!r}"
        for row, old, locality in rows[["row", "lsoa11_code", c.LOCALITY_NAME]].itertuples(
            index=False
        )
    )
    return (
        f"{label}, rows {', '.join(str(r) for r in rows['row'])}, column {column!r}: the 2021 "
        f"LSOA {code} is made from 2011 LSOAs in different localities ({parts}); put them in "
        "the same locality, or give 2021 LSOA codes."
    )


def _loaded(plan: Plan, frame: pd.DataFrame, column: str) -> dict[str, int]:
    """LSOA 2021 code → area id; codes not loaded at that level are errors, row by row."""
    codes = frame[c.AREA_CODE].unique().tolist()
    known = dict(
        Area.objects.filter(level=AreaLevel.LSOA21, code__in=codes).values_list("code", "id")
    )
    unknown = frame[~frame[c.AREA_CODE].isin(known)]
    if len(unknown):
        plan.fail(
            "Area codes",
            [
                f"{plan.name}, row {row}, column {column!r}: {code} is not an LSOA 2021 area "
                "loaded here; load the LSOA 2021 boundaries or lookup first, or correct the code."
                for row, code in unknown[["row", c.AREA_CODE]].itertuples(index=False)
            ],
        )
    else:
        plan.passed("Area codes", f"{len(known):,} LSOA 2021 area(s) found among those loaded")
    return known


def _everyone_in_a_locality(plan: Plan, covered: set[int], column: str) -> None:
    lsoas = pd.DataFrame.from_records(
        Area.objects.filter(level=AreaLevel.LSOA21)
        .annotate(populated=Exists(PopulationEstimate.objects.filter(area=OuterRef("pk"))))
        .values_list("id", "code", "is_synthetic", "populated"),
        columns=["id", "code", "is_synthetic", "populated"],
    )
    inside = lsoas["id"].isin(covered)
    # Real localities cover the real areas; the synthetic demo county, when it is loaded too,
    # is not theirs to cover (nor are real areas a demo scheme's).
    lsoas = lsoas[lsoas["is_synthetic"] == lsoas.loc[inside, "is_synthetic"].all()]
    inside = lsoas["id"].isin(covered)
    populated = lsoas["populated"].astype(bool)
    missing = sorted(lsoas.loc[populated & ~inside, "code"])
    if missing:
        plan.fail(
            "Everyone in a locality",
            [
                f"{plan.name}, column {column!r}: {len(missing):,} LSOA 2021 area(s) with "
                f"population are in no locality: {listed(missing)}. Add a row for each: nobody "
                "may be left out of the localities."
            ],
        )
        return
    if not populated.any():
        plan.warnings.append(
            "No population is loaded for LSOA 2021 areas yet, so it cannot be checked that "
            "everyone is in a locality; a run checks it again."
        )
    left = int((~populated & ~inside).sum())
    if left:
        plan.warnings.append(f"{left:,} LSOA 2021 area(s) without population are in no locality.")
    plan.passed(
        "Everyone in a locality",
        f"every LSOA 2021 area with population ({int(populated.sum()):,}) is in a locality",
    )


def _describe(plan: Plan, frame: pd.DataFrame, scheme_name: str) -> None:
    localities = frame[c.LOCALITY_CODE].nunique()
    existing = LocalityScheme.objects.filter(name=scheme_name).first()
    replaced = f", replacing its {existing.localities.count():,} localities" if existing else ""
    plan.changes.append(
        f"The locality scheme {scheme_name!r}: {localities:,} localities over "
        f"{len(frame):,} LSOA 2021 areas{replaced}."
    )
    plan.facts["localities"] = localities
    plan.rows = len(frame)
    plan.preview = frame.drop(columns=["row"])


# --- the schemes an LSOA 2021 hierarchy lookup brings ------------------------------------------


@dataclass(frozen=True)
class LookupScheme:
    name: str
    description: str
    membership: pd.DataFrame  # area_code, locality_code, locality_name


def lookup_schemes(*, edges: pd.DataFrame, path: Path, name: str) -> list[LookupScheme]:
    """Local authority districts, MSOAs (2021) and wards (when the file has them) over the LSOA
    2021 areas of a parsed 2021 hierarchy lookup (needs.importers.lookups.parse_hierarchy's
    edges): each locality is the parent area, by its GSS code and published name."""
    names = edges.drop_duplicates("area_code").set_index("area_code")["area_name"]
    lsoas = edges[edges["level"] == AreaLevel.LSOA21]
    msoa = lsoas["parent_code"]
    up = edges[edges["level"] == AreaLevel.MSOA21].set_index("area_code")["parent_code"]
    schemes = [
        _scheme(DISTRICTS, "local authority district", lsoas, msoa.map(up), names),
        _scheme(MSOAS, "middle layer super output area (2021)", lsoas, msoa, names),
    ]
    wards, year = _lsoa_wards(path, name)
    if not wards.empty:
        ward = lsoas["area_code"].map(wards.set_index("area_code")["ward_code"])
        schemes.append(
            _scheme(f"{WARDS} ({year})" if year else WARDS, "electoral ward", lsoas, ward, names)
        )
    return schemes


def _scheme(
    scheme: str, what: str, lsoas: pd.DataFrame, parents: pd.Series, names: pd.Series
) -> LookupScheme:
    membership = pd.DataFrame(
        {
            c.AREA_CODE: lsoas["area_code"].to_numpy(),
            c.LOCALITY_CODE: parents.to_numpy(),
            c.LOCALITY_NAME: parents.map(names).to_numpy(),
        }
    )
    return LookupScheme(
        scheme, f"Each LSOA 2021 area in its {what}, from the ONS LSOA 2021 lookup.", membership
    )


def _lsoa_wards(path: Path, name: str) -> tuple[pd.DataFrame, int | None]:
    """LSOA → ward pairs of a hierarchy lookup and the wards' year from their column
    (ward24_code or WD24CD → 2024), read with the lookup parser's column rules."""
    raw, _ = read_csv(path, name, [])
    lowered = {column.strip().lower(): column for column in raw.columns}
    lsoa = next((lowered[k] for k in lowered if re.fullmatch(r"lsoa21(?:_code|cd)", k)), None)
    ward = next((k for k in lowered if re.fullmatch(r"(?:wd|ward)\d{2}(?:_code|cd)", k)), None)
    if not lsoa or not ward:
        return pd.DataFrame(columns=["area_code", "ward_code"]), None
    pairs = pd.DataFrame(
        {"area_code": raw[lsoa].str.strip(), "ward_code": raw[lowered[ward]].str.strip()}
    )
    return pairs, 2000 + int(re.search(r"\d{2}", ward).group())


def lookup_schemes_changes(schemes: list[LookupScheme]) -> list[str]:
    return [
        f"The locality scheme {scheme.name!r}: "
        f"{scheme.membership[c.LOCALITY_CODE].nunique():,} localities over "
        f"{len(scheme.membership):,} LSOA 2021 areas, replacing any scheme of that name."
        for scheme in schemes
    ]


def lookup_schemes_write(*, schemes: list[LookupScheme], name: str) -> None:
    """Create or replace each scheme (by name: never a second copy) over the LSOA 2021 areas,
    which the hierarchy write has just created or updated."""
    codes = schemes[0].membership[c.AREA_CODE].tolist() if schemes else []
    area_ids = dict(
        Area.objects.filter(level=AreaLevel.LSOA21, code__in=codes).values_list("code", "id")
    )
    for scheme in schemes:
        made = locality_scheme_replace(
            name=scheme.name,
            description=scheme.description,
            membership=scheme.membership,
            area_ids=area_ids,
            is_synthetic=False,
        )
        LocalityScheme.objects.filter(pk=made.pk).update(
            kind=LocalitySchemeKind.LOOKUP, source=name
        )
