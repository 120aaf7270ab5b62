"""Prevalence-rate tables (CSV): parse and validate the whole file before anything is written.

Pure: no Django. Errors name the file, the row (as a spreadsheet shows it: the header is row 1)
and the column, so an analyst can find and fix them.

A rate is applied only to a denominator the tool can supply: the population (by sex and single
year of age), or maternities, which until births are loaded are approximated by the population
aged 0 of both sexes, so a per-maternity rate must be written for sex P and ages 0 to 0. Any other
denominator is refused here, never applied to another population. Rows whose `role` is
`reference` (a published all-ages figure kept beside the bands) are stored but never applied.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from needs.importers.tables import MAX_ERRORS, read_csv
from needs.prevalence.estimation import PERSONS, SEXES, RateTableError, rates_by_single_year

REQUIRED = [
    "condition_code",
    "condition_name",
    "sex",
    "age_min",
    "age_max",
    "rate",
    "lower",
    "upper",
    "source",
    "source_year",
]
OPTIONAL = [
    "condition_description",
    "condition_group",
    "denominator",
    "source_table",
    "source_url",
    "notes",
    "source_cell",
    "status",
    "interval_method",
    "role",
]
DENOMINATORS = ("population", "maternities")
MATERNITIES = "maternities"
STATUSES = ("CONFIRMED", "SECONDARY")
APPLIED, REFERENCE = "applied", "reference"
NUMBERS = {
    "age_min": True,
    "age_max": False,
    "rate": True,
    "lower": False,
    "upper": False,
    "source_year": True,
}


@dataclass(frozen=True)
class ParseResult:
    rates: pd.DataFrame
    errors: list[str]
    total_errors: int


def parse(path: Path, *, max_age: int, name: str | None = None) -> ParseResult:
    """Read a rates CSV (UTF-8, with or without BOM, or Windows-1252) and check every row."""
    label = name or path.name
    raw, errors = read_csv(path, label, REQUIRED)
    if errors:
        return ParseResult(raw, errors, len(errors))
    rates, errors = _typed(raw, label, max_age=max_age)
    errors += _provenance_errors(rates, label)
    if not errors:
        applied = rates[rates["role"] == APPLIED]
        errors = _band_errors(applied, label, max_age=max_age)
    return ParseResult(rates, errors[:MAX_ERRORS], len(errors))


def _typed(raw: pd.DataFrame, label: str, *, max_age: int) -> tuple[pd.DataFrame, list[str]]:
    frame = raw.reindex(columns=REQUIRED + OPTIONAL, fill_value="")
    errors: list[str] = []
    for column, required in NUMBERS.items():
        text = frame[column].str.strip()
        values = pd.to_numeric(text, errors="coerce")
        bad = (values.isna() & (text != "")) | (required & (text == ""))
        errors += [
            f"{label}, row {i + 2}, column {column}: {frame.loc[i, column]!r} is not a number."
            for i in frame.index[bad]
        ]
        frame[column] = values
    sexes = set(SEXES) | {PERSONS}
    for column in ("rate", "lower", "upper"):
        outside = (frame[column] < 0) | (frame[column] > 1)
        errors += [
            f"{label}, row {i + 2}, column {column}: {frame.loc[i, column]:g} is not a proportion "
            "between 0 and 1 (write 17% as 0.17)."
            for i in frame.index[outside]
        ]
    errors += [
        f"{label}, row {i + 2}, column sex: {frame.loc[i, 'sex']!r} must be F, M or P."
        for i in frame.index[~frame["sex"].isin(sexes)]
    ]
    ages = frame["age_min"].between(0, max_age) & (
        frame["age_max"].isna() | (frame["age_max"] >= frame["age_min"])
    )
    errors += [
        f"{label}, row {i + 2}, column age_max: the band {frame.loc[i, 'age_min']:g} to "
        f"{frame.loc[i, 'age_max']:g} is empty or outside ages 0 to {max_age}."
        for i in frame.index[~ages & frame["age_min"].notna()]
    ]
    return frame, errors


def _provenance_errors(frame: pd.DataFrame, label: str) -> list[str]:
    """Denominators the tool can supply, maternity rows it can apply, known status and role.

    Normalises those three columns in place (lower-case denominator and role, upper-case status);
    messages quote the cells as written.
    """
    written = frame[["denominator", "role", "status"]].apply(lambda column: column.str.strip())
    frame["denominator"] = written["denominator"].str.lower().replace("", "population")
    frame["role"] = written["role"].str.lower().replace("", APPLIED)
    frame["status"] = written["status"].str.upper()
    unknown = ~frame["denominator"].isin(DENOMINATORS)
    errors = [
        f"{label}, row {i + 2}, column denominator: {written.loc[i, 'denominator']!r} is not a "
        "denominator this tool can supply (population or maternities): the rate would be "
        "applied to the wrong people."
        for i in frame.index[unknown]
    ]
    maternity = frame["denominator"] == MATERNITIES
    proxy = (frame["sex"] == "P") & (frame["age_min"] == 0) & (frame["age_max"] == 0)
    errors += [
        f"{label}, row {i + 2}, column age_max: a rate per maternity is applied to the "
        "population aged 0 of both sexes (the stand-in for maternities until births are "
        "loaded): write sex P, age_min 0 and age_max 0."
        for i in frame.index[maternity & ~proxy & (frame["role"] == APPLIED)]
    ]
    known = frame[~unknown]
    kinds = known.groupby("condition_code")["denominator"].nunique()
    for code in kinds.index[kinds > 1]:
        first = known.index[known["condition_code"] == code][0]
        errors.append(
            f"{label}, row {first + 2}, column denominator: condition {code!r} mixes "
            "denominators; one condition's rates share one denominator."
        )
    errors += [
        f"{label}, row {i + 2}, column status: {written.loc[i, 'status']!r} must be CONFIRMED, "
        "SECONDARY or empty."
        for i in frame.index[~frame["status"].isin(["", *STATUSES])]
    ]
    errors += [
        f"{label}, row {i + 2}, column role: {written.loc[i, 'role']!r} must be applied, "
        "reference or empty."
        for i in frame.index[~frame["role"].isin([APPLIED, REFERENCE])]
    ]
    return errors


def _band_errors(rates: pd.DataFrame, label: str, *, max_age: int) -> list[str]:
    try:
        # In the file the header is row 1, so the first rate is on row 2.
        single = rates_by_single_year(rates, max_age=max_age, first_row=2, rows_word="rows")
    except RateTableError as error:
        return [f"{label}: {error}"]
    return [f"{label}: {message}" for message in _gaps(single)]


def _gaps(single: pd.DataFrame) -> list[str]:
    """Each hole between a condition × sex's bands (e.g. 16-24 and 35+ leave 25-34 missing)."""
    messages = []
    for (code, sex), ages in single.groupby(["condition_code", "sex"])["age"]:
        present = np.sort(ages.to_numpy())
        holes = np.setdiff1d(np.arange(present[0], present[-1] + 1), present)
        # Split the missing ages into runs of consecutive years: one message per missing band.
        for run in np.split(holes, np.flatnonzero(np.diff(holes) > 1) + 1) if len(holes) else []:
            messages.append(
                f"condition {code!r}, sex {sex}: no rate for ages {run[0]} to {run[-1]} "
                "between its bands (a missing age band)."
            )
    return messages
