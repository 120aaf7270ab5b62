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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import numpy as np
import pandas as pd

from needs.importers.tables import (
    MAX_ERRORS,
    XLSX_SUFFIXES,
    Parsed,
    TableError,
    read_csv,
    read_sheet,
    workbook_sheets,
)

OLDEST = 90
AGES = range(OLDEST + 1)
AGE_COLUMNS = [*(str(age) for age in range(OLDEST)), f"{OLDEST}+"]
OUTPUT = ["area_code", "area_name", "year", "sex", "age", "count"]
FIRST_2021_LSOA_YEAR = 2021  # SAPE for mid-2021 onwards are published on 2021 LSOAs only

CODE_HEADERS = {  # normalised header -> LSOA vintage it names ("" = does not say)
    "lsoa code": "",
    "area code": "",
    "lsoa11 code": "lsoa11",
    "lsoa11cd": "lsoa11",
    "lsoa 2011 code": "lsoa11",
    "lsoa21 code": "lsoa21",
    "lsoa21cd": "lsoa21",
    "lsoa 2021 code": "lsoa21",
}
NAME_HEADERS = ("lsoa name", "area name", "lsoa11 name", "lsoa11nm", "lsoa 2011 name")
NAME_HEADERS += ("lsoa21 name", "lsoa21nm", "lsoa 2021 name")
TOTAL_HEADERS = ("all ages", "total population", "total")
AGE_HEADER = re.compile(r"([fm]?)(\d{1,2})(\+| and over)?")
SEX_SHEET = re.compile(r"mid-? ?(\d{4}) (males|females|persons)")
LSOA21_SHEET = re.compile(r"mid-? ?(\d{4}) lsoa 2021")
SHEET_SEXES = {"males": "M", "females": "F", "persons": "P"}
SEX_ORDER = np.array(["F", "M", "P"])
SEX_IDS = {"f": 0, "female": 0, "females": 0, "m": 1, "male": 1, "males": 1}
SEX_IDS |= {"p": 2, "person": 2, "persons": 2, "all persons": 2}
SEX_WHAT = "is not F, M or P (Female, Male, Persons)."
WHOLE = "is not a whole number of people (0 or more)."
LAYOUTS_NEEDED = (
    "either columns area_code, sex, age and count (one row per area, sex and age; area_name "
    "and year optional) or an LSOA code column (lsoa11_code, 'LSOA Code', 'LSOA 2021 Code') "
    "with one column per age: 0 to 89 and 90+ (persons), or F0 to F90 and M0 to M90"
)


class Problems:
    """Error messages, at most MAX_ERRORS formatted (lazily), and how many there were in all."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.total = 0

    def add(self, count: int, messages: Iterable[str]) -> None:
        self.total += count
        room = MAX_ERRORS - len(self.messages)
        if count and room > 0:
            self.messages.extend(islice(messages, min(room, count)))

    def result(
        self, frame: pd.DataFrame, *, warnings: list[str] | None = None, facts: dict | None = None
    ) -> Parsed:
        if not self.total:
            return Parsed.of(frame, [], warnings=warnings, facts=facts)
        return Parsed(
            frame.iloc[0:0], self.messages, self.total, list(warnings or []), dict(facts or {})
        )


def refused(messages: list[str]) -> Parsed:
    """A file that cannot be read at all: no rows, just the reasons."""
    return Parsed.of(pd.DataFrame(columns=OUTPUT), messages)


def normal(header: object) -> str:
    """A header compared whatever its case and spacing: "LSOA  Code" and "lsoa_code" agree."""
    return " ".join(str(header).replace("_", " ").split()).lower()


def whole_numbers(
    texts: pd.DataFrame, where: str, problems: Problems
) -> tuple[np.ndarray, np.ndarray]:
    """The cells as an int64 matrix (bad ones 0) and where they are bad, each bad cell reported.

    Each distinct text is read once (a table of millions of counts has a few thousand). A cell
    holding a formula is bad but not reported again (read_sheet has reported it).
    """
    cells = texts.to_numpy(dtype=object)
    codes, uniques = pd.factorize(cells.ravel())
    values = np.array([count_of(text) for text in uniques], dtype="int64")[codes]
    values = values.reshape(cells.shape)
    rows, columns = np.nonzero(values < 0)
    shown = cells[rows, columns]
    fresh = ~pd.Series(shown, dtype="object").astype(str).str.startswith("=").to_numpy()
    rows, columns, shown = rows[fresh], columns[fresh], shown[fresh]
    problems.add(
        len(rows),
        (
            f"{where}, row {texts.index[r]}, column {texts.columns[c]!r}: {v!r} {WHOLE}"
            for r, c, v in zip(rows, columns, shown, strict=True)
        ),
    )
    return np.maximum(values, 0), values < 0


def count_of(text: str) -> int:
    """A whole number of people written as text ("12", "12.0"), or -1."""
    try:
        value = float(text)
    except ValueError:
        return -1
    return int(value) if value >= 0 and value.is_integer() else -1


def check_codes(
    codes: pd.Series, column: str, where: str, problems: Problems, *, once: bool = True
) -> None:
    """Every row has an area code and (if `once`) none is on two rows, both rows named."""
    empty = (codes == "").to_numpy()
    problems.add(
        int(empty.sum()),
        (f"{where}, row {row}, column {column!r}: no area code." for row in codes.index[empty]),
    )
    later = codes.duplicated(keep="first").to_numpy() & ~empty
    if once and later.any():
        firsts = codes[~codes.duplicated(keep="first")]
        first_row = pd.Series(firsts.index, index=firsts.to_numpy())
        problems.add(
            int(later.sum()),
            (
                f"{where}, row {row}, column {column!r}: {code} is also on row {first_row[code]}."
                for row, code in zip(codes.index[later], codes[later], strict=True)
            ),
        )


def parse(path: Path, *, name: str | None = None, year: int | None = None) -> Parsed:
    """Read a population file of any layout above (chosen by its name's suffix and header)."""
    label = name or path.name
    suffix = Path(label).suffix.lower()
    if suffix == ".xls":
        return refused([f"{label}: is an old-style .xls workbook; save it as .xlsx (Excel)."])
    if suffix in XLSX_SUFFIXES:
        return _workbook(path, label, year)
    raw, errors = _read_csv(path, label)
    if errors:
        return refused(errors)
    year = year or year_in_name(label)
    headers = {normal(column) for column in raw.columns}
    if {"age", "count"} <= headers:
        return _long_csv(raw, label, year)
    return _wide_csv(raw, label, year)


def year_in_name(label: str) -> int | None:
    """The year of a file named like ONS's extracts: "..._mid2020_..." or "Mid-2020 ...". A
    CSV has no sheet name to say it; a year given by the analyst always wins."""
    found = re.search(r"mid[-_ ]?((?:19|20)\d\d)(?!\d)", label, flags=re.IGNORECASE)
    return int(found.group(1)) if found else None


def parse_wide_persons(path: Path, *, name: str | None = None, year: int | None = None) -> Parsed:
    """Read a wide CSV (one row per area, one column per age), e.g. the shared SAPE extracts."""
    label = name or path.name
    raw, errors = _read_csv(path, label)
    return refused(errors) if errors else _wide_csv(raw, label, year)


def _read_csv(path: Path, label: str) -> tuple[pd.DataFrame, list[str]]:
    raw, errors = read_csv(path, label, [])
    raw.index = raw.index + 2  # spreadsheet rows: the header is row 1
    return raw, errors


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
        problems.add(
            int(wrong.sum()),
            (
                f"{where}, row {raw.index[i]}, column {wide.total!r}: the ages add up to "
                f"{summed[i]}, not {totals[i, 0]}."
                for i in np.flatnonzero(wrong)
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
        return refused([f"{label}: {missing}."])
    if year is None:
        return refused([f"{label}: does not say which year it is for; give the year (e.g. 2020)."])
    problems = Problems()
    frame = wide_rows(raw, wide, where=label, sex="P", year=year, problems=problems)
    what = "persons" if (wide.sexes == "P").all() else "females and males"
    return _finish(
        frame,
        problems,
        f"wide CSV, one row per area, {what} by single year of age",
        wide.vintage,
        year,
    )


def _finish(
    frame: pd.DataFrame, problems: Problems, layout: str, vintage: str, year: int
) -> Parsed:
    warnings = []
    if not vintage and year >= FIRST_2021_LSOA_YEAR:
        vintage = "lsoa21"
    elif not vintage:
        warnings.append(
            f"The file does not say whether its areas are 2011 or 2021 LSOAs (mid-{year} is "
            "published on both); name the code column lsoa11_code or lsoa21_code to say."
        )
    facts = {
        "layout": layout,
        "year": year,
        "sexes": "persons" if (frame["sex"] == "P").all() else "female and male",
        "vintage": vintage,
        "areas": int(frame["area_code"].nunique()),
    }
    return problems.result(frame, warnings=warnings, facts=facts)


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
        return refused([str(error)])
    chosen, problem = choose_sheets(sheets, label, year)
    if problem:
        return refused([problem])
    year = chosen[0].year or year
    if year is None:
        return refused([f"{label}: its sheet name does not say the year; give the year."])
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
    return _finish(frame, problems, layout, vintage, year)


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


# --- long CSV: one row per area, sex and age ------------------------------------------------------


LONG_ROLES = {"area code": "code", "lsoa11 code": "code", "lsoa21 code": "code"}
LONG_ROLES |= {"area name": "name", "year": "year", "sex": "sex", "age": "age", "count": "count"}
AGE_WHAT = "is not an age 0 to 89, or 90+ (90 and over)."


def _long_csv(raw: pd.DataFrame, label: str, year: int | None) -> Parsed:
    columns: dict[str, str] = {}
    for column in raw.columns:
        columns.setdefault(LONG_ROLES.get(normal(column), ""), column)
    missing = [role for role in ("code", "sex", "age", "count") if role not in columns]
    if missing:
        wanted = ", ".join("area_code" if role == "code" else role for role in missing)
        return refused([f"{label}: missing column(s) {wanted}; it needs {LAYOUTS_NEEDED}."])
    problems = Problems()
    year = _long_year(raw, columns.get("year"), label, year, problems)
    if year is None:
        return problems.result(pd.DataFrame(columns=OUTPUT))
    area_id, areas = pd.factorize(raw[columns["code"]])
    area_id = np.where(areas.to_numpy()[area_id] == "", -1, area_id)
    _report(raw, columns["code"], area_id < 0, "no area code.", label, problems)
    sex_id = _mapped(raw, columns["sex"], SEX_IDS.get, SEX_WHAT, label, problems)
    age = _mapped(raw, columns["age"], _age_of, AGE_WHAT, label, problems)
    count = _mapped(raw, columns["count"], count_of, WHOLE, label, problems)
    keyed = (area_id >= 0) & (sex_id >= 0) & (age >= 0)
    key = np.where(keyed, (area_id * len(SEX_ORDER) + sex_id) * len(AGES) + age, -1)
    shown = [raw[columns[role]].to_numpy() for role in ("code", "sex", "age")]
    _long_duplicates(raw.index, key, shown, label, problems)
    if not problems.total:  # gaps are only worth listing once every row is readable
        _long_completeness(areas, area_id, sex_id, age, label, problems)
    frame = pd.DataFrame(
        {
            "area_code": raw[columns["code"]].to_numpy(dtype=object),
            "area_name": raw[columns["name"]].to_numpy(dtype=object) if "name" in columns else "",
            "year": np.full(len(raw), year, dtype="int64"),
            "sex": SEX_ORDER.astype(object)[sex_id],
            "age": age,
            "count": count,
        }
    )
    layout = "long CSV, one row per area, sex and age"
    return _finish(frame, problems, layout, CODE_HEADERS.get(normal(columns["code"]), ""), year)


def _age_of(text: str) -> int:
    if text in ("90+", "90 and over", "90 plus"):
        return OLDEST
    return int(text) if text.isdigit() and int(text) <= OLDEST else -1


def _year_of(text: str) -> int:
    match = re.fullmatch(r"(?:mid-? ?)?(\d{4})", text)
    return int(match[1]) if match else -1


def _mapped(
    raw: pd.DataFrame,
    column: str,
    meaning: Callable[[str], int | None],
    what: str,
    where: str,
    problems: Problems,
) -> np.ndarray:
    """Each cell's meaning as an int64 (-1 where it has none, each such cell reported), looked
    up once per distinct value, so that millions of rows cost a few hundred calls."""
    codes, uniques = pd.factorize(raw[column])
    meanings = [meaning(normal(value)) for value in uniques]
    found = np.array([-1 if each is None else each for each in meanings], dtype="int64")[codes]
    _report(raw, column, found < 0, what, where, problems)
    return found


def _report(
    raw: pd.DataFrame, column: str, bad: np.ndarray, what: str, where: str, problems: Problems
) -> None:
    positions = np.flatnonzero(bad)
    cells = raw[column].to_numpy()
    problems.add(
        len(positions),
        (f"{where}, row {raw.index[p]}, column {column!r}: {cells[p]!r} {what}" for p in positions),
    )


def _long_year(
    raw: pd.DataFrame, column: str | None, label: str, year: int | None, problems: Problems
) -> int | None:
    """The file's one year: from its year column (which must agree with `year` if given), else
    `year`. None, with the reason reported, if there is no single year."""
    if column is None:
        if year is None:
            problems.add(1, [f"{label}: has no year column; give the year (e.g. 2020)."])
        return year
    years = _mapped(raw, column, _year_of, "is not a year such as 2020.", label, problems)
    found = sorted(int(each) for each in pd.unique(years[years >= 0]))
    if len(found) > 1:
        shown = ", ".join(str(each) for each in found)
        problems.add(1, [f"{label}: holds several years ({shown}); import one year per file."])
    elif found and year is not None and found[0] != year:
        problems.add(1, [f"{label}: column {column!r} says {found[0]}, but {year} was given."])
    return found[0] if len(found) == 1 else None


def _long_duplicates(
    rows: pd.Index, key: np.ndarray, shown: list[np.ndarray], label: str, problems: Problems
) -> None:
    """No area, sex and age on two rows (both rows named). key is -1 on rows without one."""
    later = pd.Series(key).duplicated(keep="first").to_numpy() & (key >= 0)
    if not later.any():
        return
    first = pd.Series(rows).groupby(key).transform("min").to_numpy()
    code, sex, age = shown
    problems.add(
        int(later.sum()),
        (
            f"{label}, row {rows[p]}: area {code[p]}, sex {sex[p]}, age {age[p]} is already on "
            f"row {first[p]}; give each area, sex and age once."
            for p in np.flatnonzero(later)
        ),
    )


def _long_completeness(
    areas: pd.Index,
    area_id: np.ndarray,
    sex_id: np.ndarray,
    age: np.ndarray,
    label: str,
    problems: Problems,
) -> None:
    """Every area has persons, or females and males (not both), each with every age 0 to 90;
    and every area the same of the two."""
    present = np.zeros((len(areas), len(SEX_ORDER), len(AGES)), dtype=bool)
    present[area_id, sex_id, age] = True
    has = present.any(axis=2)
    gaps = np.argwhere(has & ~present.all(axis=2))
    problems.add(
        len(gaps),
        (
            f"{label}: area {areas[a]}, sex {SEX_ORDER[s]} has no rows for "
            f"{_ages_text(np.flatnonzero(~present[a, s]))}."
            for a, s in gaps
        ),
    )
    female, male, persons = has[:, 0], has[:, 1], has[:, 2]
    both = persons & (female | male)
    one_sided = {
        "has persons (P) rows and female or male rows; give persons, or females and males": both,
        "has female rows but no male rows": female & ~male & ~persons,
        "has male rows but no female rows": male & ~female & ~persons,
    }
    for what, wrong in one_sided.items():
        problems.add(int(wrong.sum()), (f"{label}: area {code} {what}." for code in areas[wrong]))
    if persons.any() and (female | male).any() and not both.any():
        problems.add(
            1,
            [
                f"{label}: some areas have persons (e.g. {areas[persons][0]}) and others females "
                f"and males (e.g. {areas[female | male][0]}); give the same for every area."
            ],
        )


def _ages_text(ages: np.ndarray) -> str:
    """Ages as ranges: "ages 3, 10 to 12 and 90+"."""
    runs = np.split(ages, np.flatnonzero(np.diff(ages) != 1) + 1)
    parts = [f"{run[0]} to {run[-1]}" if len(run) > 1 else str(run[0]) for run in runs]
    parts = [part.replace(str(OLDEST), f"{OLDEST}+") for part in parts]
    joined = f"{', '.join(parts[:-1])} and {parts[-1]}" if len(parts) > 1 else parts[0]
    return f"{'age' if len(ages) == 1 else 'ages'} {joined}"
