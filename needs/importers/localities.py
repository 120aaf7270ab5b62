"""An analyst's own localities (CSV): each LSOA and the locality it belongs to.

Pure: pandas only, no Django. Every cell is read as text (needs.importers.tables). The file has
an LSOA code column (lsoa21_code or LSOA21CD for 2021 LSOAs, lsoa11_code or LSOA11CD for 2011
ones, or lsoa_code when it does not say), a locality name column (locality_name or locality) and
optionally a locality_code column; headers match whatever their case and spacing. Without
locality codes, each locality's code is made from its name ("North Worcs" → "north-worcs").

Checked here: the columns, LSOA codes well formed, no blank names or codes, each LSOA in one
locality (a repeated row naming the same locality is dropped with a warning), and each locality
code with one name and each name with one code. Errors name the file, the row as a spreadsheet
shows it (the header is row 1) and the column. Whether the codes are loaded, cover everyone and
which vintage they are is checked against the database by needs.locality_imports.
"""

import re
from pathlib import Path

import numpy as np
import pandas as pd

from needs.importers.checks import Problems, normal, read_csv_rows, refused, report_cells
from needs.importers.tables import Parsed

COLUMNS = ["row", "area_code", "locality_code", "locality_name"]
LSOA_CODE = r"[EW]01\d{6}"  # GSS: E01/W01 and six digits
LOCALITY_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,49}")  # goes into page addresses
CODE_HEADER = re.compile(r"lsoa ?(11|21)? ?(?:code|cd)?")
NAME_HEADER = re.compile(r"locality(?: ?name| ?nm)?")
LOCALITY_CODE_HEADER = re.compile(r"locality ?(?:code|cd)")
VINTAGES = {"11": "lsoa11", "21": "lsoa21"}
LAYOUTS = {
    "lsoa11": "LSOA 2011 → locality",
    "lsoa21": "LSOA 2021 → locality",
    "": "LSOA → locality",
}
NOT_LSOA = "is not an LSOA code (E01 or W01 and 6 digits)."
NO_NAME = "no locality name: every LSOA needs the name of its locality."
NO_CODE = "no locality code (leave the whole column out to have codes made from the names)."
BAD_CODE = "is not a usable locality code (up to 50 letters, digits, '-', '_' or '.')."


def parse(path: Path, *, name: str | None = None, mapping: dict | None = None) -> Parsed:
    """The file's LSOA → locality rows (columns: row, area_code, locality_code, locality_name)
    and, in facts, code_column, name_column and vintage ("lsoa11", "lsoa21" or "" when the
    header does not say). `mapping`: which of the file's own columns holds each of the format's
    (needs.column_mapping: {"columns": {"lsoa_code": …, "locality_name": …, …}})."""
    label = name or path.name
    raw, errors = read_csv_rows(path, label)
    if errors:
        return refused(errors, COLUMNS)
    if mapping:
        found, errors = _mapped_columns(list(raw.columns), mapping.get("columns") or {}, label)
    else:
        found, errors = _columns(list(raw.columns), label)
    if errors:
        return refused(errors, COLUMNS)
    code_column, name_column, given_codes = found
    problems = Problems()
    frame = pd.DataFrame(
        {
            "row": raw.index,
            "area_code": raw[code_column].to_numpy(),
            "locality_code": raw[given_codes].to_numpy() if given_codes else "",
            "locality_name": raw[name_column].to_numpy(),
        },
        index=raw.index,
    )
    _cell_problems(raw, frame, found, label, problems)
    if not given_codes:
        frame["locality_code"] = codes_from_names(frame["locality_name"])
    if not problems.total and given_codes:
        _one_name_per_code(frame, given_codes, name_column, label, problems)
    frame, warnings = _repeats(frame, code_column, label, problems)
    said = CODE_HEADER.fullmatch(normal(code_column))
    vintage = VINTAGES.get(said.group(1) or "", "") if said else ""
    facts = {
        "code_column": code_column,
        "name_column": name_column,
        "vintage": vintage,
        "layout": LAYOUTS[vintage],
    }
    return problems.result(frame[COLUMNS], warnings=warnings, facts=facts)


def _columns(columns: list[str], label: str) -> tuple[tuple[str, str, str], list[str]]:
    """The LSOA code, locality name and (optional) locality code columns, or what is wrong."""
    codes = [c for c in columns if CODE_HEADER.fullmatch(normal(c))]
    names = [c for c in columns if NAME_HEADER.fullmatch(normal(c))]
    given = [c for c in columns if LOCALITY_CODE_HEADER.fullmatch(normal(c))]
    errors = []
    if not codes:
        errors.append(
            f"{label}: no LSOA code column; name it lsoa21_code (or LSOA21CD) for 2021 LSOAs, "
            "lsoa11_code (or LSOA11CD) for 2011 LSOAs."
        )
    if not names:
        errors.append(f"{label}: no locality name column; name it locality_name (or locality).")
    for what, found in (("LSOA code", codes), ("locality name", names), ("locality code", given)):
        if len(found) > 1:
            errors.append(
                f"{label}: more than one {what} column ({', '.join(found)}); keep one of them."
            )
    if errors:
        return ("", "", ""), errors
    return (codes[0], names[0], given[0] if given else ""), []


def has_columns(columns: list[str]) -> bool:
    """Whether a header names the format's columns (as `parse` reads them without a mapping)."""
    return not _columns(columns, "")[1]


MAPPED = {"lsoa_code": "LSOA code", "locality_name": "locality name"}
NOT_MATCHED = "{label}: no column of the file is matched to the {what} ({target})."
MATCHED_MISSING = "{label}: column {column!r}, matched to the {what}, is not in the header row."


def _mapped_columns(
    columns: list[str], chosen: dict[str, str], label: str
) -> tuple[tuple[str, str, str], list[str]]:
    """The columns the analyst matched to the LSOA code, locality name and locality code."""
    errors = []
    for target, what in (*MAPPED.items(), ("locality_code", "locality code")):
        column = chosen.get(target, "")
        if column and column not in columns:
            errors.append(MATCHED_MISSING.format(label=label, column=column, what=what))
        elif not column and target in MAPPED:
            errors.append(NOT_MATCHED.format(label=label, what=what, target=target))
    if errors:
        return ("", "", ""), errors
    found = (chosen["lsoa_code"], chosen["locality_name"], chosen.get("locality_code", ""))
    return found, []


def _cell_problems(
    raw: pd.DataFrame,
    frame: pd.DataFrame,
    found: tuple[str, str, str],
    label: str,
    problems: Problems,
) -> None:
    code_column, name_column, given_codes = found
    codes = frame["area_code"]
    blank = (codes == "").to_numpy()
    _blanks(raw, code_column, blank, "no LSOA code.", label, problems)
    malformed = ~blank & ~codes.str.fullmatch(LSOA_CODE).to_numpy()
    report_cells(raw, code_column, malformed, NOT_LSOA, label, problems)
    no_name = (frame["locality_name"] == "").to_numpy()
    _blanks(raw, name_column, no_name, NO_NAME, label, problems)
    if not given_codes:
        return
    localities = frame["locality_code"]
    _blanks(raw, given_codes, (localities == "").to_numpy(), NO_CODE, label, problems)
    bad = (localities != "") & ~localities.str.fullmatch(LOCALITY_CODE.pattern)
    report_cells(raw, given_codes, bad.to_numpy(), BAD_CODE, label, problems)


def _blanks(
    raw: pd.DataFrame, column: str, mask: np.ndarray, message: str, label: str, problems: Problems
) -> None:
    rows = raw.index[mask]
    problems.add(len(rows), (f"{label}, row {row}, column {column!r}: {message}" for row in rows))


def _one_name_per_code(
    frame: pd.DataFrame, code_column: str, name_column: str, label: str, problems: Problems
) -> None:
    """A locality code with two names, or a name with two codes, is a typing slip to fix."""
    for key, other, column in (
        ("locality_code", "locality_name", name_column),
        ("locality_name", "locality_code", code_column),
    ):
        counts = frame.groupby(key)[other].nunique()
        clashes = counts.index[counts > 1]
        problems.add(
            len(clashes),
            (_clash(frame, key, other, value, column, label) for value in clashes),
        )


def _clash(frame: pd.DataFrame, key: str, other: str, value: str, column: str, label: str) -> str:
    rows = frame[frame[key] == value]
    where = "; ".join(
        f"{found!r} on row(s) {', '.join(str(r) for r in group['row'])}"
        for found, group in rows.groupby(other, sort=False)
    )
    what = key.replace("_", " ")
    return f"{label}, column {column!r}: the {what} {value!r} has more than one: {where}."


def _repeats(
    frame: pd.DataFrame, code_column: str, label: str, problems: Problems
) -> tuple[pd.DataFrame, list[str]]:
    """An LSOA on two rows: an error naming both rows if the localities differ; the same row
    twice is dropped with a warning."""
    known = frame[frame["area_code"] != ""]
    counts = known.groupby("area_code")["locality_code"].nunique()
    clashes = counts.index[counts > 1]
    problems.add(
        len(clashes),
        (_in_two(known, code, code_column, label) for code in clashes),
    )
    repeated = (
        frame.duplicated(["area_code", "locality_code"], keep="first") & (frame["area_code"] != "")
    ).to_numpy()
    warnings = []
    if repeated.any():
        rows = ", ".join(str(row) for row in frame.index[repeated][:20])
        warnings.append(
            f"{int(repeated.sum()):,} row(s) repeat an LSOA and its locality from an earlier row "
            f"and were read once (rows {rows}{' …' if repeated.sum() > 20 else ''})."
        )
    return frame[~repeated], warnings


def _in_two(frame: pd.DataFrame, code: str, column: str, label: str) -> str:
    rows = frame[frame["area_code"] == code]
    where = "; ".join(
        f"{group['locality_name'].iloc[0]!r} on row(s) {', '.join(str(r) for r in group['row'])}"
        for _, group in rows.groupby("locality_code", sort=False)
    )
    return (
        f"{label}, rows {', '.join(str(r) for r in rows['row'])}, column {column!r}: {code} is "
        f"in more than one locality ({where}); each LSOA must be in exactly one."
    )


def codes_from_names(names: pd.Series) -> np.ndarray:
    """A code for each locality made from its name: lower case, words joined by '-', at most
    50 characters; names that come out the same are told apart by a number."""
    unique = pd.Series(names.unique())
    slugs = unique.str.lower().str.replace(r"[^a-z0-9]+", "-", regex=True).str.strip("-")
    slugs = slugs.str[:45].where(slugs != "", "locality")
    seen = slugs.groupby(slugs).cumcount()
    slugs = slugs.where(seen == 0, slugs + "-" + (seen + 1).astype(str))
    if slugs.duplicated().any():  # "North 2" next to two "North"s: number them all instead
        slugs = "locality-" + pd.Series(range(1, len(unique) + 1)).astype(str)
    return names.map(dict(zip(unique, slugs, strict=True))).to_numpy()
