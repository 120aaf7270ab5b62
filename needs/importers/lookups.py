"""ONS geography lookups (CSV): the LSOA → MSOA → LAD hierarchy and the LSOA 2011 → 2021 best fit.

Pure: pandas and numpy only, no Django. Errors name the file, the row (as a spreadsheet shows it:
the header is row 1) and the column, in the style of needs.importers.rates.

parse_hierarchy reads an ONS "LSOA to MSOA to LAD" lookup (2011 or 2021 LSOAs, optionally with
wards and ICBs) as published - either the snake_case headers of the shared files (lsoa21_code,
msoa21_name, ltla24_code, ward24_code, …) or ONS's official codes (LSOA21CD, MSOA21NM, LAD22CD,
LTLA22CD, WD24CD, …), matched case-insensitively - and returns one "edge" per area and its parent.

parse_best_fit reads the ONS LSOA 2011 → LSOA 2021 best-fit lookup (change indicator U unchanged,
S split, M merged, X complex) and convert moves additive counts between the two vintages through
it, by code only (never by name), keeping every total.

Office for National Statistics, Open Geography Portal, Open Government Licence v3.
"""

import re
from pathlib import Path

import numpy as np
import pandas as pd

from needs.importers.rates import ParseResult
from needs.importers.tables import MAX_ERRORS, read_csv

LEVELS = ("lsoa11", "lsoa21", "msoa11", "msoa21", "ward", "lad")
EDGE_COLUMNS = ["area_code", "area_name", "level", "parent_code", "vintage"]
BEST_FIT_COLUMNS = ["lsoa11_code", "lsoa21_code", "change"]
CHANGES = {"U": "unchanged", "S": "split", "M": "merged", "X": "complex"}
MAX_LISTED = 20

# GSS codes: a letter for the country (E England, W Wales), two digits for the entity, six digits.
GSS = {
    "lsoa": re.compile(r"[EW]01\d{6}"),
    "msoa": re.compile(r"[EW]02\d{6}"),
    "ward": re.compile(r"[EW]05\d{6}"),
    "lad": re.compile(r"(E0[6-9]|W06)\d{6}"),
}
KIND_WORDS = {
    "lsoa": "an LSOA code (E01 or W01 and 6 digits)",
    "msoa": "an MSOA code (E02 or W02 and 6 digits)",
    "ward": "a ward code (E05 or W05 and 6 digits)",
    "lad": "a local authority district code (E06, E07, E08, E09 or W06 and 6 digits)",
}

# Conversion rules, as written in convert's "conversion" column.
UNCHANGED = "unchanged"
SPLIT_BY_WEIGHT = "split by weight"
SPLIT_EQUALLY = "split equally"
MERGED = "merged"


# --- reading headers --------------------------------------------------------------------------


def _find(columns: list[str], pattern: str) -> str | None:
    """The first column whose (stripped, lower-case) name matches pattern in full."""
    for column in columns:
        if re.fullmatch(pattern, column.strip().lower()):
            return column
    return None


def _hierarchy_columns(columns: list[str], yy: str) -> tuple[dict[str, str], list[str]]:
    """Each role (lsoa_code, lsoa_name, …) → the file's column, and descriptions of any missing."""
    lad_prefix = r"(?:lad|ltla)(\d{2})?"
    wanted = {
        "lsoa_code": (rf"lsoa{yy}(?:_code|cd)", f"lsoa{yy}_code or LSOA{yy}CD"),
        "lsoa_name": (rf"lsoa{yy}(?:_name|nm)", f"lsoa{yy}_name or LSOA{yy}NM"),
        "msoa_code": (rf"msoa{yy}(?:_code|cd)", f"msoa{yy}_code or MSOA{yy}CD"),
        "msoa_name": (rf"msoa{yy}(?:_name|nm)", f"msoa{yy}_name or MSOA{yy}NM"),
        "lad_code": (rf"{lad_prefix}(?:_code|cd)", "ltlaYY_code, ladYY_code, LADYYCD or LTLAYYCD"),
    }
    found: dict[str, str] = {}
    missing: list[str] = []
    for role, (pattern, words) in wanted.items():
        column = _find(columns, pattern)
        if column is None:
            missing.append(f"{role.replace('_', ' ')} ({words})")
        else:
            found[role] = column
    if "lad_code" in found:
        # The LAD name must be the same vintage as the LAD code: ltla22_code goes with ltla22_name.
        stem = re.sub(r"(?:_code|cd)$", "", found["lad_code"].strip().lower())
        name = _find(columns, rf"{re.escape(stem)}(?:_name|nm)")
        if name is None:
            missing.append(f"lad name ({stem}_name or {stem.upper()}NM)")
        else:
            found["lad_name"] = name
    county = _find(columns, r"(?:utla|cty|cauth)\d{2}(?:_code|cd)")
    if county is not None:
        stem = re.sub(r"(?:_code|cd)$", "", county.strip().lower())
        name = _find(columns, rf"{re.escape(stem)}(?:_name|nm)")
        if name is not None:
            found["county_code"], found["county_name"] = county, name
    ward = _find(columns, r"(?:wd|ward)\d{2}(?:_code|cd)")
    if ward is not None:
        stem = re.sub(r"(?:_code|cd)$", "", ward.strip().lower())
        name = _find(columns, rf"{re.escape(stem)}(?:_name|nm)")
        if name is None:
            missing.append(f"ward name ({stem}_name or {stem.upper()}NM, to go with {ward})")
        else:
            found["ward_code"], found["ward_name"] = ward, name
    return found, missing


# --- the hierarchy ----------------------------------------------------------------------------


def parse_hierarchy(path: Path, *, name: str | None = None) -> ParseResult:
    """Read an ONS LSOA → MSOA (→ ward) → LAD lookup and check every row.

    The vintage comes from the headers: LSOA columns starting lsoa11 (e.g. lsoa11_code, LSOA11CD)
    mean 2011 LSOAs and MSOAs, lsoa21 mean 2021. Returns ParseResult whose frame (the .rates
    field of the shared dataclass) holds one row per area with columns area_code, area_name,
    level (lsoa11/lsoa21, msoa11/msoa21, ward, lad), parent_code (LSOA → MSOA, MSOA → LAD,
    ward → LAD; None for a LAD) and vintage (2011 or 2021). ICB and other columns are ignored.
    If there are errors the frame is empty; errors lists the first MAX_ERRORS, total_errors all.
    """
    label = name or path.name
    raw, errors = read_csv(path, label, [])
    if errors:
        return ParseResult(_empty_edges(), errors, len(errors))
    columns = list(raw.columns)
    lowered = [column.strip().lower() for column in columns]
    vintages = sorted(
        {2011 for c in lowered if c.startswith("lsoa11")}
        | {2021 for c in lowered if c.startswith("lsoa21")}
    )
    if len(vintages) != 1:
        found = "both 2011 and 2021 LSOA columns" if vintages else "no LSOA column"
        error = (
            f"{label}: cannot tell the LSOA vintage from the headers ({found}); a hierarchy "
            "lookup needs lsoa11_code/LSOA11CD (2011) or lsoa21_code/LSOA21CD (2021) columns, not "
            "both (for the 2011 → 2021 best-fit lookup use parse_best_fit)."
        )
        return ParseResult(_empty_edges(), [error], 1)
    vintage = vintages[0]
    yy = str(vintage)[2:]
    roles, missing = _hierarchy_columns(columns, yy)
    if missing:
        error = f"{label}: missing column(s) for a {vintage} lookup: " + "; ".join(missing) + "."
        return ParseResult(_empty_edges(), [error], 1)
    frame = pd.DataFrame({role: raw[column].str.strip() for role, column in roles.items()})
    errors = _code_errors(frame, roles, label)
    errors += _duplicate_lsoa_errors(frame, roles, label)
    errors += _nesting_errors(frame, roles, label, child="msoa", parent="lad")
    if "ward_code" in roles:
        errors += _nesting_errors(frame, roles, label, child="ward", parent="lad")
    for kind in ("msoa", "lad", "ward"):
        if f"{kind}_code" in roles:
            errors += _name_errors(frame, roles, label, kind)
    if errors:
        return ParseResult(_empty_edges(), errors[:MAX_ERRORS], len(errors))
    return ParseResult(_edges(frame, vintage), [], 0)


def _empty_edges() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=object) for column in EDGE_COLUMNS})


def _code_errors(frame: pd.DataFrame, roles: dict[str, str], label: str) -> list[str]:
    errors = []
    for kind, pattern in GSS.items():
        role = f"{kind}_code"
        if role not in roles:
            continue
        codes = frame[role]
        bad = ~codes.str.fullmatch(pattern.pattern)
        errors += [
            f"{label}, row {i + 2}, column {roles[role]}: {codes[i]!r} is not {KIND_WORDS[kind]}."
            for i in frame.index[bad.to_numpy()]
        ]
    for role, column in roles.items():
        if role.endswith("_name"):
            errors += [
                f"{label}, row {i + 2}, column {column}: no name."
                for i in frame.index[(frame[role] == "").to_numpy()]
            ]
    return errors


def _duplicate_lsoa_errors(frame: pd.DataFrame, roles: dict[str, str], label: str) -> list[str]:
    codes = frame["lsoa_code"]
    first = codes.reset_index().drop_duplicates("lsoa_code").set_index("lsoa_code")["index"]
    repeated = codes.duplicated(keep="first") & (codes != "")
    return [
        f"{label}, row {i + 2}, column {roles['lsoa_code']}: {codes[i]} appears on row "
        f"{first[codes[i]] + 2} too (every LSOA must appear exactly once)."
        for i in frame.index[repeated.to_numpy()]
    ]


def _nesting_errors(
    frame: pd.DataFrame, roles: dict[str, str], label: str, *, child: str, parent: str
) -> list[str]:
    """Each child area (e.g. an MSOA) must sit in one parent (one LAD) on every row."""
    pairs = frame[[f"{child}_code", f"{parent}_code"]]
    pairs = pairs.assign(row=frame.index + 2)
    counts = pairs.groupby(f"{child}_code")[f"{parent}_code"].nunique()
    errors = []
    for code in counts.index[counts > 1]:
        rows = pairs[pairs[f"{child}_code"] == code]
        where = "; ".join(
            f"{parent_code} on row(s) {', '.join(str(r) for r in group['row'])}"
            for parent_code, group in rows.groupby(f"{parent}_code", sort=False)
        )
        errors.append(
            f"{label}, column {roles[f'{parent}_code']}: {child.upper()} {code} is under more "
            f"than one {parent.upper()} ({where}); each {child.upper()} must sit in one "
            f"{parent.upper()}."
        )
    return errors


def _name_errors(frame: pd.DataFrame, roles: dict[str, str], label: str, kind: str) -> list[str]:
    """An area code must carry the same name on every row."""
    code, name = f"{kind}_code", f"{kind}_name"
    counts = frame.groupby(code)[name].nunique()
    errors = []
    for area in counts.index[counts > 1]:
        rows = frame.index[(frame[code] == area).to_numpy()]
        names = ", ".join(repr(n) for n in frame.loc[rows, name].unique())
        errors.append(
            f"{label}, rows {', '.join(str(i + 2) for i in rows)}, column {roles[name]}: "
            f"{kind.upper()} {area} has more than one name ({names})."
        )
    return errors


def _edges(frame: pd.DataFrame, vintage: int) -> pd.DataFrame:
    yy = str(vintage)[2:]
    parts = [
        (f"lsoa{yy}", "lsoa_code", "lsoa_name", "msoa_code"),
        (f"msoa{yy}", "msoa_code", "msoa_name", "lad_code"),
        ("ward", "ward_code", "ward_name", "lad_code"),
        ("lad", "lad_code", "lad_name", "county_code"),
        ("county", "county_code", "county_name", None),
    ]
    edges = []
    for level, code, name, parent in parts:
        if code not in frame.columns:
            continue
        part = (
            frame[[code, name]].drop_duplicates(code).set_axis(["area_code", "area_name"], axis=1)
        )
        part["level"] = level
        has_parent = parent is not None and parent in frame.columns
        part["parent_code"] = frame.loc[part.index, parent] if has_parent else None
        edges.append(part)
    result = pd.concat(edges, ignore_index=True)
    unitary = (result["level"] == "county") & result["area_code"].isin(frame["lad_code"])
    result = result[~unitary].reset_index(drop=True)
    result["parent_code"] = result["parent_code"].astype(object)
    # A unitary authority is its own upper tier: it has no county above it.
    result.loc[result["area_code"] == result["parent_code"], "parent_code"] = None
    result["vintage"] = vintage
    return result[EDGE_COLUMNS]


# --- the 2011 → 2021 best fit -----------------------------------------------------------------


def parse_best_fit(path: Path, *, name: str | None = None) -> ParseResult:
    """Read the ONS LSOA 2011 → LSOA 2021 best-fit lookup and check every row.

    Accepts lsoa11_code, lsoa21_code, change_code or ONS's LSOA11CD, LSOA21CD, CHGIND (any case;
    name columns are ignored). Returns ParseResult whose frame holds lsoa11_code, lsoa21_code and
    change (U unchanged, S split, M merged, X complex), one row per pair of areas.
    """
    label = name or path.name
    raw, errors = read_csv(path, label, [])
    empty = pd.DataFrame({column: pd.Series(dtype=object) for column in BEST_FIT_COLUMNS})
    if errors:
        return ParseResult(empty, errors, len(errors))
    columns = list(raw.columns)
    wanted = {
        "lsoa11_code": (r"lsoa11(?:_code|cd)", "lsoa11_code or LSOA11CD"),
        "lsoa21_code": (r"lsoa21(?:_code|cd)", "lsoa21_code or LSOA21CD"),
        "change": (r"change_code|chgind|change", "change_code or CHGIND"),
    }
    roles = {role: _find(columns, pattern) for role, (pattern, _) in wanted.items()}
    missing = [f"{role} ({wanted[role][1]})" for role, column in roles.items() if column is None]
    if missing:
        error = f"{label}: missing column(s) for the best-fit lookup: " + "; ".join(missing) + "."
        return ParseResult(empty, [error], 1)
    frame = pd.DataFrame({role: raw[column].str.strip() for role, column in roles.items()})
    errors = []
    for role in ("lsoa11_code", "lsoa21_code"):
        bad = ~frame[role].str.fullmatch(GSS["lsoa"].pattern)
        errors += [
            f"{label}, row {i + 2}, column {roles[role]}: {frame.loc[i, role]!r} is not "
            f"{KIND_WORDS['lsoa']}."
            for i in frame.index[bad.to_numpy()]
        ]
    errors += [
        f"{label}, row {i + 2}, column {roles['change']}: {frame.loc[i, 'change']!r} is not a "
        "change code (U unchanged, S split, M merged or X complex)."
        for i in frame.index[(~frame["change"].isin(list(CHANGES))).to_numpy()]
    ]
    repeated = frame.duplicated(["lsoa11_code", "lsoa21_code"], keep="first")
    errors += [
        f"{label}, row {i + 2}, column {roles['lsoa21_code']}: the pair "
        f"{frame.loc[i, 'lsoa11_code']} → {frame.loc[i, 'lsoa21_code']} appears on an earlier "
        "row too."
        for i in frame.index[repeated.to_numpy()]
    ]
    if not errors:
        errors = _change_errors(frame, roles, label)
    if errors:
        return ParseResult(empty, errors[:MAX_ERRORS], len(errors))
    return ParseResult(frame[BEST_FIT_COLUMNS], [], 0)


def _change_errors(frame: pd.DataFrame, roles: dict[str, str], label: str) -> list[str]:
    """The change code must agree with the shape of the rows: an unchanged LSOA keeps its code and
    appears once on each side; a split's new areas come from one old area each; a merge's old
    areas go to one new area each."""
    old_rows = frame.groupby("lsoa11_code")["lsoa21_code"].transform("size")
    new_rows = frame.groupby("lsoa21_code")["lsoa11_code"].transform("size")
    change = frame["change"]
    column = roles["change"]
    checks = [
        (
            (change == "U")
            & ((frame["lsoa11_code"] != frame["lsoa21_code"]) | (old_rows > 1) | (new_rows > 1)),
            "U (unchanged) but the code changes or the area appears on other rows too",
        ),
        ((change == "S") & (new_rows > 1), "S (split) but the 2021 LSOA comes from several"),
        ((change == "M") & (old_rows > 1), "M (merged) but the 2011 LSOA goes to several"),
    ]
    errors = []
    for bad, words in checks:
        errors += [
            f"{label}, row {i + 2}, column {column}: {frame.loc[i, 'lsoa11_code']} → "
            f"{frame.loc[i, 'lsoa21_code']} is {words}."
            for i in frame.index[bad.to_numpy()]
        ]
    return errors


# --- converting counts ------------------------------------------------------------------------


def convert(
    values: pd.DataFrame,
    lookup: pd.DataFrame,
    *,
    to: str,
    weights: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Move additive counts from 2011 to 2021 LSOAs (to="lsoa21") or back (to="lsoa11").

    values: area_code, a numeric count, and any other key columns (sex, age, year, …); an
    area_name column is dropped (names belong to the old areas; matching is by code only).
    lookup: parse_best_fit's frame (lsoa11_code, lsoa21_code, change).
    weights: area_code and weight for the areas converted *to* (e.g. the new LSOAs' Census 2021
    population). An old area going to several new ones (a split, or a complex change) shares
    its count among them in proportion to their weights; where weights are not given, or any of
    that old area's new areas has no weight, or they add up to 0, it shares equally. Several old
    areas going to one new area (a merge) are added up; one to one passes through.

    Returns area_code, the other key columns, count (float) and conversion: "unchanged",
    "split by weight", "split equally", "merged", or for complex changes both ("split by weight
    and merged"). Every combination of the other key columns keeps its total (to floating-point
    rounding). Raises ValueError for codes not in the lookup (naming the first 20 and the count).
    """
    targets = {"lsoa21": ("lsoa11_code", "lsoa21_code"), "lsoa11": ("lsoa21_code", "lsoa11_code")}
    if to not in targets:
        raise ValueError(f"to must be 'lsoa21' or 'lsoa11', not {to!r}.")
    source, target = targets[to]
    for frame, needed, what in (
        (values, ["area_code", "count"], "values"),
        (lookup, ["lsoa11_code", "lsoa21_code"], "lookup"),
    ):
        missing = [column for column in needed if column not in frame.columns]
        if missing:
            raise ValueError(f"{what}: missing column(s) {', '.join(missing)}.")
    if not pd.api.types.is_numeric_dtype(values["count"]):
        raise ValueError("values: the count column must be numeric.")
    keys = [c for c in values.columns if c not in {"area_code", "area_name", "count", "conversion"}]

    pairs = _shares(lookup[[source, target]].drop_duplicates(), source, target, weights)
    unknown = pd.Index(values["area_code"].unique()).difference(pd.Index(pairs[source].unique()))
    if len(unknown):
        listed = ", ".join(str(code) for code in list(unknown)[:MAX_LISTED])
        more = f" (first {MAX_LISTED} shown)" if len(unknown) > MAX_LISTED else ""
        vintage = "2011" if to == "lsoa21" else "2021"
        raise ValueError(
            f"{len(unknown)} area code(s) are not {vintage} LSOAs in the lookup{more}: {listed}."
        )

    moved = values[["area_code", *keys, "count"]].merge(
        pairs[[source, target, "share"]], left_on="area_code", right_on=source, how="inner"
    )
    moved["count"] = moved["count"].astype("float64") * moved["share"]
    result = (
        moved.drop(columns=["area_code", source, "share"])
        .rename(columns={target: "area_code"})
        .groupby(["area_code", *keys], dropna=False, sort=True)["count"]
        .sum()
        .reset_index()
    )
    rules = _rules(pairs, target).rename("conversion")
    result = result.merge(rules, left_on="area_code", right_index=True, how="left")
    return result[["area_code", *keys, "count", "conversion"]].reset_index(drop=True)


def _shares(
    pairs: pd.DataFrame, source: str, target: str, weights: pd.DataFrame | None
) -> pd.DataFrame:
    """Each (old area, new area) pair with the share of the old area's count the new one gets."""
    pairs = pairs.reset_index(drop=True)
    pairs["targets"] = pairs.groupby(source)[target].transform("size")
    pairs["sources"] = pairs.groupby(target)[source].transform("size")
    if weights is None:
        weighted = pd.Series(False, index=pairs.index)
        weight = pd.Series(np.nan, index=pairs.index)
    else:
        missing = [column for column in ("area_code", "weight") if column not in weights.columns]
        if missing:
            raise ValueError(f"weights: missing column(s) {', '.join(missing)}.")
        repeated = weights["area_code"][weights["area_code"].duplicated()]
        if len(repeated):
            raise ValueError(f"weights: area code(s) listed twice: {', '.join(repeated.unique())}.")
        numbers = pd.to_numeric(weights["weight"], errors="coerce")
        if (numbers < 0).any():
            raise ValueError("weights: a weight must not be negative.")
        lookup = pd.Series(numbers.to_numpy(), index=weights["area_code"].to_numpy())
        weight = pairs[target].map(lookup).astype("float64")
        usable = weight.notna() & np.isfinite(weight)
        all_usable = usable.groupby(pairs[source]).transform("all")
        total = weight.where(usable, 0.0).groupby(pairs[source]).transform("sum")
        weighted = all_usable & (total > 0)
        weight = weight / total.where(weighted)
    pairs["weighted"] = weighted
    pairs["share"] = np.where(weighted, weight, 1.0 / pairs["targets"])
    return pairs


def _rules(pairs: pd.DataFrame, target: str) -> pd.Series:
    """The conversion rule of each new area, from the pairs that feed it."""
    split = pairs["targets"] > 1
    flags = (
        pd.DataFrame(
            {
                "by_weight": split & pairs["weighted"],
                "equally": split & ~pairs["weighted"],
                "merged": pairs["sources"] > 1,
            }
        )
        .groupby(pairs[target])
        .any()
    )
    split_words = np.select(
        [flags["by_weight"] & flags["equally"], flags["by_weight"], flags["equally"]],
        [f"{SPLIT_BY_WEIGHT} and {SPLIT_EQUALLY}", SPLIT_BY_WEIGHT, SPLIT_EQUALLY],
        default="",
    )
    split_words = pd.Series(split_words, index=flags.index)
    rule = np.select(
        [(split_words != "") & flags["merged"], split_words != "", flags["merged"]],
        [split_words + f" and {MERGED}", split_words, MERGED],
        default=UNCHANGED,
    )
    return pd.Series(rule, index=flags.index)
