"""ONS small-area population by single year of age and sex: recognise the layout, parse, check.

Pure: pandas, numpy and (through needs.importers.tables) openpyxl; no Django. parse(path) reads
any of the layouts below and returns one row per area, sex and age: area_code, area_name, year,
sex ("F", "M" or "P" for persons), age (0 to 90, where 90 is the open band "90 and over") and
count. Every problem is collected, naming the file, the sheet (for workbooks), the row as a
spreadsheet shows it and the column; at most MAX_ERRORS messages are formatted, all are counted.

Layouts (Office for National Statistics, small area population estimates (SAPE) by single year
of age, Open Government Licence v3):

* SAPE workbook on 2011 LSOAs, as published for mid-2019 (SAPE22DT2) and mid-2020 (SAPE23DT2),
  "unformatted": sheets "Mid-2020 Males", "Mid-2020 Females" and "Mid-2020 Persons"; title and
  notes above the header, which is on row 5; header "LSOA Code", "LSOA Name",
  LA code and name columns for two boundary years ("LA Code (2018 boundaries)", "LA name (2018
  boundaries)", "LA Code (2021 boundaries)", ... for mid-2020; 2019 and 2020 for mid-2019), "All
  Ages", 0 ... 89, "90+". Verified from public scripts that read the published files: the sheet
  names, read_excel(..., range="A5:CT34758") with the ages in columns 8 to 98, and the LA column
  names of both editions. The Males and Females sheets are used when both exist, else Persons.
  Earlier editions headed "Area Codes", "Area Names" (mid-2018 and before; the formatted ones
  put local authority rows among the LSOAs) are not read.
* SAPE workbook on 2021 LSOAs (mid-2021 and mid-2022 "sapelsoasyoatablefinal.xlsx"; the series
  rebased to 2021 LSOAs, "sapelsoasyoa20112014.xlsx" ... "sapelsoasyoa20222024.xlsx"): one sheet
  per year, "Mid-2022 LSOA 2021"; header on row 4: "LAD 2021 Code" (or 2023), "LAD 2021 Name",
  "LSOA 2021 Code", "LSOA 2021 Name", "Total", F0 ... F90, M0 ... M90, where F90 and M90 are 90
  and over. Verified the same way (read_excel(..., range="C4:GE35676") with 182 columns split
  into a sex letter and an age; a data manifest noting "F90/M90 is the open-ended 90+ group").
  No published sheet with a Sex column was found, so that layout is not read.
* Wide CSV, one row per area: an LSOA code column (lsoa11_code, "LSOA Code", ...), optionally a
  name and a total (total_population, "All Ages", "Total"), then 0 ... 89 and 90+ (persons) or
  F0 ... F90 and M0 ... M90; e.g. the shared files population_mid20xx_lsoa11_... .
* Long CSV, one row per area, sex and age: area_code (or lsoa11_code, lsoa21_code), area_name
  (optional), year (optional), sex (F, M, P, Female, Male, Persons, ... any case), age (0 to 90,
  "90+" or "90 and over"), count. Each area has persons, or females and males, with every age
  once; every area the same. Built for England: 6.1 million rows parse in about 10 seconds, most
  of it reading the text.

Headers match whatever their case and spacing ("_" counts as a space). The year comes from the
sheet name or a year column, else from the `year` argument. The LSOA vintage comes from the
header ("lsoa11_code", "LSOA 2021 Code") or the sheet ("... LSOA 2021"); otherwise from the
year: every SAPE edition for mid-2021 onwards is on 2021 LSOAs, and the Males/Females/Persons
workbooks (mid-2020 and earlier) are on 2011 LSOAs. A long or wide CSV for mid-2020 or earlier
with neither says nothing, because ONS also publishes those years rebased to 2021 LSOAs: its
vintage is left blank with a warning. Assumed, not verified: no footnote rows below the table
(such a row would be reported as a row without numbers).

facts: layout (in words), year, sexes ("persons" or "female and male"), vintage ("lsoa11",
"lsoa21" or ""), areas (how many).
"""

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from needs.importers.checks import (
    Problems,
    check_codes,
    normal,
    read_csv_rows,
    refused,
    whole_numbers,
)
from needs.importers.population_long import long_csv
from needs.importers.population_output import (
    AGE_COLUMNS,
    AGES,
    CODE_HEADERS,
    FIRST_2021_LSOA_YEAR,
    LAYOUTS_NEEDED,
    OLDEST,
    OUTPUT,
    finish,
)
from needs.importers.tables import XLSX_SUFFIXES, Parsed, TableError, read_sheet, workbook_sheets

__all__ = ["AGE_COLUMNS", "OLDEST", "OUTPUT", "parse", "parse_wide_persons", "year_in_name"]

NAME_HEADERS = ("lsoa name", "area name", "lsoa11 name", "lsoa11nm", "lsoa 2011 name")
NAME_HEADERS += ("lsoa21 name", "lsoa21nm", "lsoa 2021 name")
TOTAL_HEADERS = ("all ages", "total population", "total")
AGE_HEADER = re.compile(r"([fm]?)(\d{1,2})(\+| and over)?")
SEX_SHEET = re.compile(r"mid-? ?(\d{4}) (males|females|persons)")
LSOA21_SHEET = re.compile(r"mid-? ?(\d{4}) lsoa 2021")
SHEET_SEXES = {"males": "M", "females": "F", "persons": "P"}


def parse(path: Path, *, name: str | None = None, year: int | None = None) -> Parsed:
    """Read a population file of any layout above (chosen by its name's suffix and header)."""
    label = name or path.name
    suffix = Path(label).suffix.lower()
    if suffix == ".xls":
        return refused(
            [f"{label}: is an old-style .xls workbook; save it as .xlsx (Excel)."], OUTPUT
        )
    if suffix in XLSX_SUFFIXES:
        return _workbook(path, label, year)
    raw, errors = read_csv_rows(path, label)
    if errors:
        return refused(errors, OUTPUT)
    year = year or year_in_name(label)
    headers = {normal(column) for column in raw.columns}
    if {"age", "count"} <= headers:
        return long_csv(raw, label, year)
    return _wide_csv(raw, label, year)


def year_in_name(label: str) -> int | None:
    """The year of a file named like ONS's extracts: "..._mid2020_..." or "Mid-2020 ...". A
    CSV has no sheet name to say it; a year given by the analyst always wins."""
    found = re.search(r"mid[-_ ]?((?:19|20)\d\d)(?!\d)", label, flags=re.IGNORECASE)
    return int(found.group(1)) if found else None


def parse_wide_persons(path: Path, *, name: str | None = None, year: int | None = None) -> Parsed:
    """Read a wide CSV (one row per area, one column per age), e.g. the shared SAPE extracts."""
    label = name or path.name
    raw, errors = read_csv_rows(path, label)
    return refused(errors, OUTPUT) if errors else _wide_csv(raw, label, year)


# --- wide: one row per area, one column per (sex and) age ----------------------------------------


@dataclass(frozen=True)
class Wide:
    """Which of a wide table's columns hold what. sexes is "P" where the sex is not in the header
    (it then comes from the sheet, else it is persons)."""

    code: str
    name: str | None
    total: str | None
    counts: list[str]
    sexes: np.ndarray
    ages: np.ndarray
    vintage: str


def wide_layout(columns: list[str]) -> tuple[Wide | None, str]:
    """The layout of a wide header, or None and what is missing from it."""
    normals = {normal(column): column for column in reversed(columns)}  # first one wins
    code = next((normals[h] for h in CODE_HEADERS if h in normals), None)
    if code is None:
        return None, f"not a recognised population table; it needs {LAYOUTS_NEEDED}"
    found = {}
    for text, column in normals.items():
        match = AGE_HEADER.fullmatch(text)
        if match and (int(match[2]) == OLDEST or (int(match[2]) < OLDEST and not match[3])):
            found[(match[1].upper() or "P", int(match[2]))] = column
    sexes = ["F", "M"] if any(sex != "P" for sex, _ in found) else ["P"]
    missing = [
        f"{'' if sex == 'P' else sex}{age}{'+' if sex == 'P' and age == OLDEST else ''}"
        for sex in sexes
        for age in AGES
        if (sex, age) not in found
    ]
    if missing:
        return None, f"missing age column(s) {', '.join(missing)}"
    keys = [(sex, age) for sex in sexes for age in AGES]
    return Wide(
        code=code,
        name=next((normals[h] for h in NAME_HEADERS if h in normals), None),
        total=next((normals[h] for h in TOTAL_HEADERS if h in normals), None),
        counts=[found[key] for key in keys],
        sexes=np.array([sex for sex, _ in keys], dtype=object),
        ages=np.array([age for _, age in keys], dtype="int64"),
        vintage=CODE_HEADERS[normal(code)],
    ), ""


def wide_rows(
    raw: pd.DataFrame, wide: Wide, *, where: str, sex: str, year: int, problems: Problems
) -> pd.DataFrame:
    """Long rows from a wide table: whole numbers, codes present and once, ages add up to total."""
    counts, bad = whole_numbers(raw[wide.counts], where, problems)
    check_codes(raw[wide.code], wide.code, where, problems)
    if wide.total is not None:
        totals, bad_total = whole_numbers(raw[[wide.total]], where, problems)
        summed = counts.sum(axis=1)
        wrong = (summed != totals[:, 0]) & ~bad.any(axis=1) & ~bad_total[:, 0]
        problems.cells(
            wrong,
            lambda i: (
                f"{where}, row {raw.index[i]}, column {wide.total!r}: the ages add up to "
                f"{summed[i]}, not {totals[i, 0]}."
            ),
        )
    n, k = counts.shape
    names = raw[wide.name].to_numpy(dtype=object) if wide.name else np.full(n, "", dtype=object)
    return pd.DataFrame(
        {
            "area_code": np.repeat(raw[wide.code].to_numpy(dtype=object), k),
            "area_name": np.repeat(names, k),
            "year": np.full(n * k, year, dtype="int64"),
            "sex": np.tile(np.where(wide.sexes == "P", sex, wide.sexes), n),
            "age": np.tile(wide.ages, n),
            "count": counts.ravel(),
        }
    )


def _wide_csv(raw: pd.DataFrame, label: str, year: int | None) -> Parsed:
    wide, missing = wide_layout(list(raw.columns))
    if wide is None:
        return refused([f"{label}: {missing}."], OUTPUT)
    if year is None:
        return refused(
            [f"{label}: does not say which year it is for; give the year (e.g. 2020)."], OUTPUT
        )
    problems = Problems()
    frame = wide_rows(raw, wide, where=label, sex="P", year=year, problems=problems)
    what = "persons" if (wide.sexes == "P").all() else "females and males"
    return finish(
        frame,
        problems,
        f"wide CSV, one row per area, {what} by single year of age",
        wide.vintage,
        year,
    )


# --- the ONS workbook ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetChoice:
    name: str
    year: int | None
    sex: str  # "F", "M", "P", or "" when the sheet holds both sexes (or says nothing)
    vintage: str


def _workbook(path: Path, label: str, year: int | None) -> Parsed:
    try:
        sheets = workbook_sheets(path, label)
    except TableError as error:
        return refused([str(error)], OUTPUT)
    chosen, problem = choose_sheets(sheets, label, year)
    if problem:
        return refused([problem], OUTPUT)
    year = chosen[0].year or year
    if year is None:
        return refused([f"{label}: its sheet name does not say the year; give the year."], OUTPUT)
    problems, frames = Problems(), []
    vintage = ""
    for choice in chosen:
        where = f"{label}, sheet {choice.name!r}"
        sheet, errors = read_sheet(path, label, sheet=choice.name, is_header=_is_header)
        problems.add(len(errors), errors)
        if sheet is None:
            continue
        wide, missing = wide_layout(list(sheet.frame.columns))
        if wide is None:
            problems.add(1, [f"{where}, row {sheet.header_row}: {missing}."])
            continue
        frames.append(
            wide_rows(
                sheet.frame, wide, where=where, sex=choice.sex or "P", year=year, problems=problems
            )
        )
        vintage = wide.vintage or choice.vintage
    if len(frames) != len(chosen):
        return problems.result(pd.DataFrame(columns=OUTPUT))
    if len(frames) == 2:
        _same_areas(frames, [choice.name for choice in chosen], label, problems)
    frame = pd.concat(frames, ignore_index=True)
    layout = f"ONS SAPE workbook (sheet{'s' if len(chosen) > 1 else ''} "
    layout += " and ".join(repr(choice.name) for choice in chosen) + ")"
    return finish(frame, problems, layout, vintage, year)


def _is_header(cells: list[str]) -> bool:
    return any(normal(cell) in CODE_HEADERS for cell in cells)


def choose_sheets(sheets: list[str], label: str, year: int | None) -> tuple[list[SheetChoice], str]:
    """The sheets to read: Females and Males, else Persons, else "LSOA 2021", for one year."""
    listed = f"its sheets are {', '.join(repr(sheet) for sheet in sheets)}"
    named = []
    for sheet in sheets:
        if match := SEX_SHEET.fullmatch(normal(sheet)):
            found = int(match[1])
            vintage = "lsoa21" if found >= FIRST_2021_LSOA_YEAR else "lsoa11"
            named.append(SheetChoice(sheet, found, SHEET_SEXES[match[2]], vintage))
        elif match := LSOA21_SHEET.fullmatch(normal(sheet)):
            named.append(SheetChoice(sheet, int(match[1]), "", "lsoa21"))
    if not named:
        if len(sheets) == 1:
            return [SheetChoice(sheets[0], None, "", "")], ""
        return [], (
            f"{label}: has no sheet named like 'Mid-2020 Males', 'Mid-2020 Females', "
            f"'Mid-2020 Persons' or 'Mid-2022 LSOA 2021' ({listed})."
        )
    years = sorted({choice.year for choice in named})
    if year is None and len(years) > 1:
        shown = ", ".join(str(each) for each in years)
        return [], f"{label}: has sheets for several years ({shown}); give the year to import."
    year = years[0] if year is None else year
    mine = [choice for choice in named if choice.year == year]
    by_sex = {choice.sex: choice for choice in mine}
    if "F" in by_sex and "M" in by_sex:
        return [by_sex["F"], by_sex["M"]], ""
    for sex in ("P", ""):
        if sex in by_sex:
            return [by_sex[sex]], ""
    if mine:
        return [], (
            f"{label}: for mid-{year} it needs both the Males and Females sheets, or the Persons "
            f"sheet ({listed})."
        )
    return [], f"{label}: has no sheet for mid-{year} ({listed})."


def _same_areas(
    frames: list[pd.DataFrame], sheets: list[str], label: str, problems: Problems
) -> None:
    """The Females and Males sheets list the same areas."""
    codes = [pd.Index(frame["area_code"].unique()) for frame in frames]
    for mine, theirs, here, there in ((0, 1, *sheets), (1, 0, *reversed(sheets))):
        only = codes[mine].difference(codes[theirs]).difference([""])
        problems.add(
            len(only),
            (
                f"{label}: area {code} is on sheet {here!r} but not on sheet {there!r}."
                for code in only
            ),
        )
