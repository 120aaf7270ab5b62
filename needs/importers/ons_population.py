"""ONS small-area population by single year of age (persons, wide layout): parse and check.

Pure: pandas only, no Django. Reads the ONS "Lower layer Super Output Area population estimates"
(the small area population estimates, SAPE; e.g. SAPE22DT2 for mid-2019 and SAPE23DT2 for
mid-2020, Office for National Statistics, Open Government Licence v3) saved as CSV with one row
per 2011 LSOA and one column per single year of age, persons only:

    lsoa11_code, lsoa11_name, total_population, 0, 1, …, 89, 90+

and returns one long row per area and age: area_code, area_name, age (0 to 90, where 90 stands
for the open band "90+"), count. Every count must be a whole number, not negative, and each row's
ages must add up to its total_population; otherwise ValueError names the file, the row (as a
spreadsheet shows it: the header is row 1) and the column.
"""

from pathlib import Path

import pandas as pd

CODE = "lsoa11_code"
NAME = "lsoa11_name"
TOTAL = "total_population"
OLDEST = 90
AGE_COLUMNS = [*(str(age) for age in range(OLDEST)), f"{OLDEST}+"]
REQUIRED = [CODE, NAME, TOTAL, *AGE_COLUMNS]
MAX_REPORTED = 20


def parse_wide_persons(path: Path, *, name: str | None = None) -> pd.DataFrame:
    """Read a SAPE persons file (UTF-8, with or without BOM) into long rows, checking every row.

    Returns columns area_code, area_name, age (int, 90 = 90 and over) and count (int), ordered by
    the file's rows and then by age. Raises ValueError naming the row and column of each problem
    (the first few, if there are many).
    """
    label = name or path.name
    raw = _read(path, label)
    missing = [column for column in REQUIRED if column not in raw.columns]
    if missing:
        raise ValueError(f"{label}: missing column(s) {', '.join(missing)}.")
    if raw.empty:
        raise ValueError(f"{label}: no rows of population.")
    counts = _whole_numbers(raw, label)
    _check_codes(raw, label)
    _check_totals(raw, counts, label)
    return _long(raw, counts)


def _read(path: Path, label: str) -> pd.DataFrame:
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise ValueError(f"{label}: cannot be read as CSV ({error}).") from error
    raw.columns = [str(column).strip() for column in raw.columns]
    return raw.reset_index(drop=True)


def _row(index: int) -> int:
    return index + 2  # the header is row 1


def _fail(label: str, problems: list[str]) -> None:
    if problems:
        more = (
            f" (first {MAX_REPORTED} of {len(problems)} shown)"
            if len(problems) > MAX_REPORTED
            else ""
        )
        raise ValueError(
            f"{label}: {len(problems)} problem(s){more}:\n" + "\n".join(problems[:MAX_REPORTED])
        )


def _whole_numbers(raw: pd.DataFrame, label: str) -> pd.DataFrame:
    """total_population and every age column as int64, or ValueError naming each bad cell."""
    problems = []
    counts = {}
    for column in [TOTAL, *AGE_COLUMNS]:
        text = raw[column].str.strip()
        values = pd.to_numeric(text, errors="coerce")
        bad = values.isna() | (values < 0) | (values % 1 != 0)
        problems += [
            f"row {_row(i)} ({raw.loc[i, CODE]}), column {column}: {raw.loc[i, column]!r} is not "
            "a whole number of people (0 or more)."
            for i in raw.index[bad.to_numpy()]
        ]
        counts[column] = values.where(~bad, 0).astype("int64")
    _fail(label, problems)
    return pd.DataFrame(counts, index=raw.index)


def _check_codes(raw: pd.DataFrame, label: str) -> None:
    codes = raw[CODE].str.strip()
    problems = [
        f"row {_row(i)}, column {CODE}: no area code." for i in raw.index[(codes == "").to_numpy()]
    ]
    repeated = codes.duplicated(keep="first") & (codes != "")
    problems += [
        f"row {_row(i)}, column {CODE}: {codes[i]} appears on an earlier row too."
        for i in raw.index[repeated.to_numpy()]
    ]
    _fail(label, problems)


def _check_totals(raw: pd.DataFrame, counts: pd.DataFrame, label: str) -> None:
    summed = counts[AGE_COLUMNS].sum(axis=1)
    wrong = summed != counts[TOTAL]
    _fail(
        label,
        [
            f"row {_row(i)} ({raw.loc[i, CODE]}), column {TOTAL}: the ages 0 to {OLDEST}+ add "
            f"up to {summed[i]}, not {counts.loc[i, TOTAL]}."
            for i in raw.index[wrong.to_numpy()]
        ],
    )


def _long(raw: pd.DataFrame, counts: pd.DataFrame) -> pd.DataFrame:
    wide = counts[AGE_COLUMNS].set_axis(range(OLDEST + 1), axis=1)
    wide.insert(0, "area_name", raw[NAME].str.strip())
    wide.insert(0, "area_code", raw[CODE].str.strip())
    wide["row"] = raw.index
    long = wide.melt(id_vars=["row", "area_code", "area_name"], var_name="age", value_name="count")
    long = long.sort_values(["row", "age"], kind="stable").drop(columns="row")
    return long.astype({"age": "int64", "count": "int64"}).reset_index(drop=True)
