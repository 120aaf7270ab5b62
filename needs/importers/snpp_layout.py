"""The ONS SNPP single-year-of-age file (see needs.importers.snpp for what was verified): its
columns and words, reading it (CSV, or the sheets of a workbook) into text cells that know their
spreadsheet row, its header, and the rows to keep (Population only; persons refused or dropped).

Pure: pandas and numpy (openpyxl through `tables`), no Django.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from needs.columns import AGE, AREA_CODE, COUNT, SEX, YEAR
from needs.importers.tables import XLSX_SUFFIXES, TableError, read_csv, read_sheet, workbook_sheets

AREA_NAME = "area_name"
OUTPUT = [AREA_CODE, AREA_NAME, YEAR, SEX, AGE, COUNT]
HEADERS = ("AREA_CODE", "AREA_NAME", "COMPONENT", "SEX", "AGE_GROUP")
REQUIRED = ("AREA_CODE", "AREA_NAME", "SEX", "AGE_GROUP")
YEAR_HEADER = re.compile(r"\d{4}")
REPEATED_YEAR = re.compile(r"(\d{4})\.\d+")  # pandas renames a second "2020" to "2020.1"
SEX_WORDS = {"F": "females", "M": "males"}
NEEDS = (
    "an ONS SNPP single-year-of-age file has the columns AREA_CODE, AREA_NAME, COMPONENT, SEX, "
    "AGE_GROUP and one column per year (2018, 2019, …)"
)


@dataclass(frozen=True)
class Table:
    """An SNPP table as read, before any cell is typed."""

    frame: pd.DataFrame  # every cell as text, the file's own headers, index 0..n-1
    places: np.ndarray  # each row as a spreadsheet shows it: "row 7" or "sheet 'Males', row 7"
    layout: str


def empty_frame() -> pd.DataFrame:
    """No rows, with the columns a parse returns."""
    return pd.DataFrame(columns=OUTPUT)


def read_table(path: Path, label: str) -> tuple[Table | None, list[str]]:
    """The file's cells as text (a zip is refused: its CSVs are to be uploaded)."""
    if path.suffix.lower() == ".zip":
        return None, [
            f"{label}: is a zip archive; unzip it and upload the males and females CSV files "
            'inside (e.g. "2018 SNPP Population males.csv" and "2018 SNPP Population '
            'females.csv").'
        ]
    if path.suffix.lower() in XLSX_SUFFIXES:
        return _read_workbook(path, label)
    frame, errors = read_csv(path, label, [])
    if errors:
        return None, errors
    places = np.char.add("row ", (np.arange(len(frame)) + 2).astype(str))
    return Table(frame, places, "ONS SNPP single-year-of-age CSV"), []


def _is_header(cells: list[str]) -> bool:
    return {"area_code", "age_group"} <= {cell.casefold() for cell in cells}


def _read_workbook(path: Path, label: str) -> tuple[Table | None, list[str]]:
    try:
        names = workbook_sheets(path, label)
    except TableError as error:
        return None, [str(error)]
    frames, places, used, errors = [], [], [], []
    for sheet_name in names:
        sheet, found = read_sheet(path, label, sheet=sheet_name, is_header=_is_header)
        if sheet is None:
            continue  # a cover, contents or notes sheet: no SNPP header on it
        errors += found
        frames.append(sheet.frame.reset_index(drop=True))
        places.append([f"sheet {sheet_name!r}, row {row}" for row in sheet.frame.index])
        used.append(repr(sheet_name))
    if not frames:
        return None, [
            f"{label}: no sheet has an SNPP header row (AREA_CODE … AGE_GROUP and the years) in "
            'its first 30 rows; ONS publish single years of age as CSV files (e.g. "2018 SNPP '
            'Population females.csv"): upload those (five-year age group tables cannot be used).'
        ]
    frame = pd.concat(frames, ignore_index=True).fillna("")
    layout = f"ONS SNPP single-year-of-age table, sheet(s) {', '.join(used)} of an Excel workbook"
    return Table(frame, np.concatenate(places), layout), errors


def header_layout(
    frame: pd.DataFrame, label: str
) -> tuple[dict[str, str], list[tuple[int, str]], list[str]]:
    """The file's header for each SNPP column, and its (year, header) pairs in file order."""
    by_name = {str(column).strip().casefold(): column for column in frame.columns}
    headers = {role: by_name[role.casefold()] for role in HEADERS if role.casefold() in by_name}
    missing = [role for role in REQUIRED if role not in headers]
    year_columns = [
        (int(column), column) for column in frame.columns if YEAR_HEADER.fullmatch(str(column))
    ]
    errors = [
        f"{label}: column {match[1]} appears more than once; keep one column per year."
        for match in (REPEATED_YEAR.fullmatch(str(column)) for column in frame.columns)
        if match
    ]
    if missing:
        errors.append(f"{label}: missing column(s) {', '.join(missing)}; {NEEDS}.")
    if not year_columns:
        errors.append(f"{label}: no year columns (four-digit headers such as 2018); {NEEDS}.")
    return headers, year_columns, errors


def limit_years(
    year_columns: list[tuple[int, str]], years: tuple[int, int] | None
) -> tuple[list[tuple[int, str]], list[int]]:
    """The (year, header) pairs from first to last of `years` (all if None), and the years left
    out."""
    if years is None:
        return year_columns, []
    first, last = years
    if first > last:
        raise ValueError(f"years=({first}, {last}): the first year comes after the last.")
    kept = [(year, column) for year, column in year_columns if first <= year <= last]
    return kept, [year for year, _ in year_columns if not first <= year <= last]


def _subset(table: Table, keep: np.ndarray) -> Table:
    return Table(table.frame[keep].reset_index(drop=True), table.places[keep], table.layout)


def population_rows(
    table: Table, headers: dict[str, str], label: str
) -> tuple[Table, list[str], list[str]]:
    """Only rows whose COMPONENT is "Population" (when the file has that column)."""
    if "COMPONENT" not in headers:
        return table, [], []
    components = table.frame[headers["COMPONENT"]]
    keep = (components.str.casefold() == "population").to_numpy()
    if keep.all():
        return table, [], []
    others = ", ".join(f'"{value}"' for value in sorted(set(components[~keep]))[:5])
    if not keep.any():
        return (
            table,
            [],
            [
                f'{label}: no row has COMPONENT "Population" (found {others}); upload the '
                'population projections ("… SNPP Population …" files), not births, deaths or '
                "migration."
            ],
        )
    warning = (
        f"{label}: {int((~keep).sum())} row(s) skipped because their COMPONENT is {others}, "
        'not "Population"; only the projected population is imported.'
    )
    return _subset(table, keep), [warning], []


def by_sex(
    table: Table, sexes: pd.Series, label: str
) -> tuple[Table, pd.Series, list[str], list[str]]:
    """Refuse persons-only files; drop persons rows when males and females are there too."""
    persons = (sexes == "P").to_numpy()
    by_sex = sexes.isin(["F", "M"]).to_numpy()
    if persons.any() and not by_sex.any():
        return (
            table,
            sexes,
            [],
            [
                f'{label}: holds persons only (SEX is "persons"); projections are needed by sex. '
                'Upload the males and females files together (e.g. "2018 SNPP Population '
                'males.csv" and "2018 SNPP Population females.csv"), or one file holding both.'
            ],
        )
    if not persons.any():
        return table, sexes, [], []
    warning = (
        f"{label}: {int(persons.sum())} persons row(s) ignored: the file also holds males and "
        "females, of which persons are the sum."
    )
    keep = ~persons
    return _subset(table, keep), sexes[keep].reset_index(drop=True), [warning], []
