"""ONS subnational population projections for England (SNPP), single year of age: parse and check.

Pure: pandas and numpy (openpyxl through `tables`), no Django. Returns one long row per local
authority, sex, single year of age and year: area_code, area_name, year, sex ("F"/"M"), age (0 to
90, where 90 stands for ONS's open band "90 and over") and count (float, people, 0 or more).

Verified layout (what was read, and where):
- 2022-based (published 24 June 2025): the published file "2022 SNPP Population females.csv"
  (migration-category variant on 2023 boundaries), stored in github.com/MastodonC/
  witan.population under resources/2022snpppopulationsyoa/. Its first line is
  "AREA_CODE","AREA_NAME","COMPONENT","SEX","AGE_GROUP","2022",…,"2047" (the header is quoted,
  the data are not); rows read `E06000047,County Durham,Population,females,0,2220.000,…`. So
  COMPONENT is "Population", SEX is plural lower case ("females"), AGE_GROUP runs "0" … "89",
  "90 and over", then "All ages" as the last row of each area, every figure has three decimals
  and areas are not in code order. All ages equals the sum of the 91 ages to within 0.001
  (County Durham, 2022 and 2023 columns, added up by hand). The five-year migration variant's
  persons file is the same shape with SEX "persons": 28,428 rows = 309 areas × 92, every code a
  local authority district (EDA notes in that repo's src/witan/population/england/
  snpp_2022.clj). Its read-me (5yr_mig_var.txt) still says the tables cover "local authorities
  and higher administrative areas" and warns that E12000005 (West Midlands region) and E11000005
  (the metropolitan county) differ, so any GSS code is accepted and kept.
  The ZIPs (2022snpppopulationsyoa{5yr,migcat,migcat23,lowmig,highmig,10yr,zeronet}.zip) each
  hold "2022 SNPP Population males.csv" and "… females.csv" (github.com/The-Strategy-Unit/
  nhp_data, src/nhp/data/population_projections/get_ons_files_2022.py); the read-me calls them
  "2022-based SNPP population males.csv", so both spellings of the name give the base year.
- 2018-based (published 24 March 2020): the read-me in 2018snpppopulation.zip ("SNPP Z1
  Population_read me.txt", same witan repo, resources/2018snpppopulation/) names "2018 SNPP
  Population males.csv", "… females.csv", "… persons.csv", mid-2018 to mid-2043, "Units
  (rounded to three decimal places)" and "Because of rounding, figures may not sum". The headers
  AREA_CODE, AREA_NAME, COMPONENT, SEX, AGE_GROUP, the AGE_GROUP labels "90 and over" and "All
  ages", and regions (E12) among the areas come from code that reads those files (nhp_data's
  snpp.py; an R script lower-casing the same headers and selecting "^E12" areas).

Assumed, not seen:
- The SEX values of the 2018-based files (no data row was found): taken to be as in 2022
  ("males", "females", "persons"); "male", "Female", "M" and "F" are accepted too.
- Header case: matched case-insensitively, in case a file was re-saved with lower-case names.
  Quoting of the header does not matter. "90+" and a bare "90" are read as the open band too.
- ONS did not publish 2021-based SNPP for England (none found); GLA's 2021-based projections have
  a different layout and are not read here. The ONS "Table 2" workbooks use five-year age groups
  (not verified); they are refused with a message asking for the single-year CSVs.
- Excel: an .xlsx is read when a sheet holds the same table (header row found in its first 30
  rows), e.g. the CSV pasted into a workbook; several such sheets (say Males, Females) are read
  together.

Errors name the file, the row as a spreadsheet shows it (the header is row 1; in a workbook the
sheet's own row number) and the column.
"""

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from needs.columns import AGE, AREA_CODE, COUNT, SEX, YEAR
from needs.importers.checks import Problems, runs
from needs.importers.snpp_combine import combine
from needs.importers.snpp_layout import (
    AREA_NAME,
    OUTPUT,
    SEX_WORDS,
    Table,
    by_sex,
    empty_frame,
    header_layout,
    limit_years,
    population_rows,
    read_table,
)
from needs.importers.tables import Parsed

__all__ = ["OUTPUT", "combine", "parse"]

OLDEST = 90  # ONS SNPP close the age range with "90 and over"
AGES = OLDEST + 1
TOTAL = -1  # the age given to "All ages" rows while checking
GSS_CODE = re.compile(r"[A-Z]\d{8}")
BASE_IN_NAME = re.compile(r"((?:19|20)\d{2})(?:-based)?\s*snpp", re.IGNORECASE)
SEX_CODES = {
    **dict.fromkeys(("females", "female", "f"), "F"),
    **dict.fromkeys(("males", "male", "m"), "M"),
    **dict.fromkeys(("persons", "person", "all persons"), "P"),
}
OPEN_AGE = {"90 and over", "90+", "90 plus"}
# ONS publish every figure to three decimals ("Units (rounded to three decimal places)", 2018
# read-me), so 91 ages can drift from All ages by at most 0.05; 0.5 leaves room for that and
# for figures re-saved with fewer decimals, while still catching a changed cell.
TOTAL_TOLERANCE = 0.5


def parse(path: Path, *, name: str | None = None, years: tuple[int, int] | None = None) -> Parsed:
    """Read one SNPP file (.csv or .xlsx) and check every row; `years` keeps first..last only.

    A file may hold one sex (the ONS males or females file) or both; put separate files together
    with `combine`, which also checks that every area has both sexes.
    """
    label = name or path.name
    table, errors = read_table(path, label)
    if table is None or errors:
        return Parsed.of(empty_frame(), errors)
    headers, year_columns, errors = header_layout(table.frame, label)
    if errors:
        return Parsed.of(empty_frame(), errors)
    kept, dropped = limit_years(year_columns, years)
    if not kept:
        first, last = years or (0, 0)
        return Parsed.of(
            empty_frame(),
            [
                f"{label}: has no year columns from {first} to {last} (its years run "
                f"{year_columns[0][0]} to {year_columns[-1][0]})."
            ],
        )
    table, warnings, errors = population_rows(table, headers, label)
    if errors:
        return Parsed.of(empty_frame(), errors, warnings=warnings)
    sexes = table.frame[headers["SEX"]].str.casefold().map(SEX_CODES)
    table, sexes, note, errors = by_sex(table, sexes, label)
    warnings += note
    if errors:
        return Parsed.of(empty_frame(), errors, warnings=warnings)
    problems = Problems()
    rows = _typed(table, headers, sexes, [column for _, column in kept], label, problems)
    facts = _facts(label, table.layout, year_columns, kept, dropped, rows)
    warnings += _base_warning(label, year_columns)
    rows, values = _checked(rows, label, problems)
    if problems.total:
        return Parsed(empty_frame(), problems.messages, problems.total, warnings, facts)
    frame = _long(rows, values, [year for year, _ in kept])
    return Parsed.of(frame, [], warnings=warnings, facts=facts)


def _typed(
    table: Table,
    headers: dict[str, str],
    sexes: pd.Series,
    year_columns: list[str],
    label: str,
    problems: Problems,
) -> pd.DataFrame:
    """code, name, sex, age (TOTAL for All ages, NaN if unreadable), place, then one float column
    per year (NaN if unreadable); every unreadable cell is reported."""
    frame, places = table.frame, table.places
    codes = frame[headers["AREA_CODE"]]

    def where(i: int, column: str) -> str:
        return f"{label}, {places[i]}, column {column!r}"

    column = headers["AREA_CODE"]
    problems.cells(
        (codes == "").to_numpy(),
        lambda i: f"{where(i, column)}: is empty; every row needs its area's ONS code.",
    )
    bad_code = (codes != "") & ~codes.str.fullmatch(GSS_CODE.pattern)
    problems.cells(
        bad_code.to_numpy(),
        lambda i: (
            f"{where(i, column)}: {codes[i]!r} is not an ONS area code (a capital letter "
            "and 8 digits, e.g. E06000001 or E92000001)."
        ),
    )
    sex_column, sex_text = headers["SEX"], frame[headers["SEX"]]
    problems.cells(
        sexes.isna().to_numpy(),
        lambda i: (
            f'{where(i, sex_column)}: {sex_text[i]!r} is not a sex ONS use ("males", '
            '"females" or "persons").'
        ),
    )
    ages = _ages(frame[headers["AGE_GROUP"]], headers["AGE_GROUP"], where, problems)
    values = _numbers(frame[year_columns], year_columns, where, problems)
    usable = (codes != "") & ~bad_code & sexes.notna() & ages.notna()
    typed = pd.DataFrame(
        {
            "code": codes.where(usable),
            "name": frame[headers["AREA_NAME"]],
            "sex": sexes.where(usable),
            "age": ages.where(usable),
            "place": places,
        }
    )
    return pd.concat([typed, pd.DataFrame(values, columns=year_columns)], axis=1)


def _ages(
    text: pd.Series, column: str, where: Callable[[int, str], str], problems: Problems
) -> pd.Series:
    label = text.str.casefold()
    whole = pd.to_numeric(label.where(label.str.fullmatch(r"\d{1,3}")), errors="coerce")
    ages = whole.where(whole <= OLDEST)
    ages = ages.mask(label.isin(OPEN_AGE), OLDEST).mask(label == "all ages", TOTAL)
    problems.cells(
        ages.isna().to_numpy(),
        lambda i: (
            f"{where(i, column)}: {text[i]!r} is not a single year of age (0 to 89, "
            '"90 and over" or "All ages"); five-year age groups cannot be used: upload the ONS '
            "single-year-of-age files."
        ),
    )
    return ages


def _numbers(
    text: pd.DataFrame, columns: list[str], where: Callable[[int, str], str], problems: Problems
) -> np.ndarray:
    values = text.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float, copy=True)
    values[~np.isfinite(values)] = np.nan
    cells = text.to_numpy()
    problems.cells(
        np.isnan(values),
        lambda i, j: (
            f"{where(i, columns[j])}: "
            + (
                "is empty; every year needs a count of people."
                if cells[i, j] == ""
                else f"{cells[i, j]!r} is not a number."
            )
        ),
    )
    negative = values < 0
    problems.cells(
        negative,
        lambda i, j: (
            f"{where(i, columns[j])}: {values[i, j]:g} is negative; a count of people is 0 or more."
        ),
    )
    values[negative] = np.nan
    return values


def _age_label(age: int) -> str:
    return {TOTAL: "All ages", OLDEST: "age 90 and over"}.get(age, f"age {age}")


def _checked(rows: pd.DataFrame, label: str, problems: Problems) -> tuple[pd.DataFrame, np.ndarray]:
    """Report duplicates, missing ages and All-ages totals that do not add up; return the age
    rows (not All ages) and their values by year."""
    keys = ["code", "sex", "age"]
    rows = rows[rows["code"].notna()].reset_index(drop=True)
    repeated = rows.duplicated(keys, keep="first").to_numpy()
    first_place = rows.groupby(keys)["place"].transform("first").to_numpy()
    place, code, sex, age = (rows[column].to_numpy() for column in ("place", *keys))
    problems.cells(
        repeated,
        lambda i: (
            f"{label}, {place[i]}: {code[i]} {SEX_WORDS[sex[i]]} {_age_label(int(age[i]))} is "
            f"also on {first_place[i]}; keep one of the two rows."
        ),
    )
    rows = rows[~repeated].reset_index(drop=True)
    pair = rows.groupby(["code", "sex"], sort=False).ngroup().to_numpy()
    heads = rows.drop_duplicates(["code", "sex"])
    ages = rows["age"].to_numpy(dtype=int)
    values = rows[rows.columns[5:]].to_numpy(dtype=float)
    data = ages >= 0
    have = np.zeros((len(heads), AGES), dtype=bool)
    have[pair[data], ages[data]] = True
    _report_missing(have, heads, label, problems)
    _check_totals(rows, pair, values, have.all(axis=1), label, problems)
    return rows[data].reset_index(drop=True), values[data]


def _age_ranges(ages: np.ndarray) -> str:
    """0, 1, 2, 5, 90 → "0–2, 5, 90 and over"."""
    text = [f"{run[0]}–{run[-1]}" if len(run) > 1 else f"{run[0]}" for run in runs(ages)]
    return ", ".join(text).replace(f"{OLDEST}", f"{OLDEST} and over")


def _report_missing(have: np.ndarray, heads: pd.DataFrame, label: str, problems: Problems) -> None:
    codes, names, sexes = (heads[column].to_numpy() for column in ("code", "name", "sex"))
    problems.cells(
        ~have.all(axis=1),
        lambda p: (
            f"{label}: {codes[p]} ({names[p]}) {SEX_WORDS[sexes[p]]} has no row for "
            f"age {_age_ranges(np.flatnonzero(~have[p]))}; each area needs one row per age 0 to 89 "
            'and "90 and over" (with every year filled in) for each sex.'
        ),
    )


def _check_totals(
    rows: pd.DataFrame,
    pair: np.ndarray,
    values: np.ndarray,
    complete: np.ndarray,
    label: str,
    problems: Problems,
) -> None:
    """Each All ages cell must equal its area and sex's ages 0 to 90+ added up (to rounding)."""
    data = rows["age"].to_numpy() >= 0
    sums = np.zeros((complete.size, values.shape[1]))
    np.add.at(sums, pair[data], values[data])
    totals = ~data & complete[pair]
    given, added = values[totals], sums[pair[totals]]
    places, columns = rows["place"].to_numpy()[totals], rows.columns[5:]
    problems.cells(
        np.abs(given - added) > TOTAL_TOLERANCE,
        lambda i, j: (
            f"{label}, {places[i]}, column {columns[j]!r}: All ages is "
            f"{given[i, j]:,.3f} but ages 0 to 90 and over add up to {added[i, j]:,.3f}; they must "
            f"agree to within {TOTAL_TOLERANCE} (ONS round each figure to three decimals)."
        ),
    )


def _long(rows: pd.DataFrame, values: np.ndarray, years: list[int]) -> pd.DataFrame:
    """Long rows in area, sex, year, age order. Called only when there are no errors, so every
    area and sex has exactly one row per age."""
    if rows.empty:
        return empty_frame()
    order = rows.sort_values(["code", "sex", "age"], kind="stable").index.to_numpy()
    rows, values = rows.iloc[order], values[order]
    heads = rows.iloc[::AGES]
    cube = values.reshape(len(heads), AGES, len(years)).transpose(0, 2, 1)
    per_pair = AGES * len(years)
    return pd.DataFrame(
        {
            AREA_CODE: np.repeat(heads["code"].to_numpy(dtype=object), per_pair),
            AREA_NAME: np.repeat(heads["name"].to_numpy(dtype=object), per_pair),
            YEAR: np.tile(np.repeat(np.array(years, dtype="int64"), AGES), len(heads)),
            SEX: np.repeat(heads["sex"].to_numpy(dtype=object), per_pair),
            AGE: np.tile(np.arange(AGES, dtype="int64"), len(heads) * len(years)),
            COUNT: cube.ravel(),
        }
    )


def _base_year(label: str, year_columns: list[tuple[int, str]]) -> int:
    """The year named in the file name ("2018 SNPP …", "2022-based SNPP …"), else the first
    year column (a projection starts at its base year)."""
    named = BASE_IN_NAME.search(label)
    return int(named.group(1)) if named else year_columns[0][0]


def _base_warning(label: str, year_columns: list[tuple[int, str]]) -> list[str]:
    base, first = _base_year(label, year_columns), year_columns[0][0]
    if base == first:
        return []
    return [
        f"{label}: its name says {base}-based but its first year column is {first}; taken as "
        f"{base}-based (rename the file if that is wrong)."
    ]


def _facts(
    label: str,
    layout: str,
    year_columns: list[tuple[int, str]],
    kept: list[tuple[int, str]],
    dropped: list[int],
    rows: pd.DataFrame,
) -> dict[str, object]:
    base = _base_year(label, year_columns)
    headers = f"{year_columns[0][0]}–{year_columns[-1][0]}"
    facts: dict[str, object] = {
        "file": label,
        "layout": f"{layout} (AREA_CODE, AREA_NAME, COMPONENT, SEX, AGE_GROUP, {headers})",
        "base_year": base,
        "years": [kept[0][0], kept[-1][0]],
        "areas": int(rows["code"].nunique()),
        "sexes": sorted(rows["sex"].dropna().unique().tolist()),
        "source_hint": f"ONS {base}-based subnational population projections",
    }
    if dropped:
        facts["years_dropped"] = dropped
    return facts
