"""Census 2021 TS008 "Sex": usual residents per area, female and male, as ONS publishes it.

Pure: pandas and numpy only, no Django. Office for National Statistics, Census 2021, table TS008,
Open Government Licence v3. Two layouts are read (headers match whatever their case and spacing):

* The bulk download (census2021-ts008.zip, served by Nomis for ONS; one CSV per geography, e.g.
  census2021-ts008-lsoa.csv): date, geography, geography code, "Sex: All persons; measures:
  Value", "Sex: Female; measures: Value", "Sex: Male; measures: Value". Verified on the shared
  Worcestershire extract and on the bulk file's published column list (ts008-2021-2 metadata).
  Each row's female and male must add up to its all persons.
* ONS "create a custom dataset" (long): "<geography> Code", "<geography>", "Sex (2 categories)
  Code" (1 female, 2 male), "Sex (2 categories)", "Observation", e.g. "Lower layer Super Output
  Areas Code". Verified from public scripts that read these downloads. Each area needs exactly
  one female and one male row.

Not read: the Nomis query-tool CSV ("2021 super output area - lower layer", "mnemonic", with
title rows above the header), whose TS008 column names could not be verified.

Returns area_code, area_name, female, male (int64). facts: year 2021 (a date column, where there
is one, must say 2021), vintage "lsoa21" when every code is an LSOA (E01 or W01: Census 2021 is
published on 2021 LSOAs), else "" (another geography).
"""

import re
from pathlib import Path

import pandas as pd

from needs.importers.checks import (
    Problems,
    check_codes,
    normal,
    read_csv_rows,
    refused,
    report_cells,
    whole_numbers,
)
from needs.importers.tables import Parsed

CENSUS_YEAR = 2021
OUTPUT = ["area_code", "area_name", "female", "male"]
BULK = {
    "geography code": "code",
    "geography": "name",
    "date": "date",
    "sex: all persons; measures: value": "total",
    "sex: female; measures: value": "female",
    "sex: male; measures: value": "male",
}
LONG_SEX = "sex (2 categories) code"
LONG_SEXES = {"1": "female", "2": "male"}  # ONS Census 2021 classification "Sex (2 categories)"
LSOA = re.compile(r"[EW]01\d{6}")
NEEDS = (
    "it needs the TS008 bulk-download columns (geography code, geography, 'Sex: All persons; "
    "measures: Value', 'Sex: Female; measures: Value', 'Sex: Male; measures: Value') or an ONS "
    "custom-dataset download ('... Code', 'Sex (2 categories) Code', 'Observation')"
)


def parse(path: Path, *, name: str | None = None) -> Parsed:
    """Read a TS008 file (UTF-8, UTF-8 with BOM or Windows-1252) and check every row."""
    label = name or path.name
    raw, errors = read_csv_rows(path, label)
    if errors:
        return refused(errors, OUTPUT)
    normals = {normal(column): column for column in reversed(raw.columns)}
    problems = Problems()
    if {"geography code", "sex: female; measures: value"} <= normals.keys():
        frame, layout = _bulk(raw, normals, label, problems), "Census 2021 TS008 bulk download"
    elif {LONG_SEX, "observation"} <= normals.keys():
        frame, layout = _long(raw, normals, label, problems), "Census 2021 custom dataset (long)"
    else:
        return refused([f"{label}: not a TS008 file; {NEEDS}."], OUTPUT)
    lsoas = frame["area_code"].str.fullmatch(LSOA.pattern).all()
    facts = {"layout": layout, "year": CENSUS_YEAR, "vintage": "lsoa21" if lsoas else ""}
    facts["areas"] = len(frame)
    return problems.result(frame, facts=facts)


def _bulk(
    raw: pd.DataFrame, normals: dict[str, str], label: str, problems: Problems
) -> pd.DataFrame:
    columns = {role: normals[header] for header, role in BULK.items() if header in normals}
    missing = [header for header, role in BULK.items() if role not in columns and role != "date"]
    if missing:
        problems.add(1, [f"{label}: missing column(s) {', '.join(missing)}; {NEEDS}."])
        return pd.DataFrame(columns=OUTPUT)
    if "date" in columns:
        wrong = (raw[columns["date"]] != str(CENSUS_YEAR)).to_numpy()
        what = f"is not {CENSUS_YEAR}; this must be the Census 2021 table."
        report_cells(raw, columns["date"], wrong, what, label, problems)
    check_codes(raw[columns["code"]], columns["code"], label, problems)
    people = [columns[role] for role in ("total", "female", "male")]
    counts, bad = whole_numbers(raw[people], label, problems)
    wrong = (counts[:, 1] + counts[:, 2] != counts[:, 0]) & ~bad.any(axis=1)
    problems.cells(
        wrong,
        lambda i: (
            f"{label}, row {raw.index[i]}, column {columns['total']!r}: female {counts[i, 1]} "
            f"and male {counts[i, 2]} add up to {counts[i, 1] + counts[i, 2]}, not {counts[i, 0]}."
        ),
    )
    return pd.DataFrame(
        {
            "area_code": raw[columns["code"]].to_numpy(dtype=object),
            "area_name": raw[columns["name"]].to_numpy(dtype=object),
            "female": counts[:, 1],
            "male": counts[:, 2],
        }
    )


def _long(
    raw: pd.DataFrame, normals: dict[str, str], label: str, problems: Problems
) -> pd.DataFrame:
    sex_column, count_column = normals[LONG_SEX], normals["observation"]
    code_headers = [h for h in normals if h.endswith(" code") and h != LONG_SEX]
    if not code_headers:
        problems.add(1, [f"{label}: has no area code column ('... Code'); {NEEDS}."])
        return pd.DataFrame(columns=OUTPUT)
    code_column = normals[code_headers[0]]
    name_column = normals.get(code_headers[0].removesuffix(" code"))
    codes = raw[code_column]
    check_codes(codes, code_column, label, problems, once=False)
    sex = raw[sex_column].map(LONG_SEXES)
    bad_sex = sex.isna().to_numpy()
    report_cells(raw, sex_column, bad_sex, "is not 1 (female) or 2 (male).", label, problems)
    counts, _ = whole_numbers(raw[[count_column]], label, problems)
    keyed = ~bad_sex & (codes != "").to_numpy()
    pairs = pd.DataFrame({"code": codes, "sex": sex})[keyed]
    repeated = pairs.duplicated(keep="first").to_numpy()
    first = pd.Series(pairs.index, index=pairs.index).groupby([pairs["code"], pairs["sex"]])
    first = first.transform("min")
    problems.add(
        int(repeated.sum()),
        (
            f"{label}, row {row}: area {code} has a second {sex} row (the first is row "
            f"{first[row]}); give one row per area and sex."
            for row, code, sex in pairs[repeated].itertuples()
        ),
    )
    names = raw[name_column] if name_column else pd.Series("", index=raw.index)
    rows = pd.DataFrame({"area_code": codes, "area_name": names, "sex": sex, "n": counts[:, 0]})
    wide = (
        rows[keyed]
        .pivot_table(index=["area_code", "area_name"], columns="sex", values="n", aggfunc="first")
        .reindex(columns=["female", "male"])
    )
    for sex_name in ("female", "male"):
        lacking = wide.index[wide[sex_name].isna().to_numpy()]
        problems.add(
            len(lacking),
            (f"{label}: area {code} has no {sex_name} row." for code, _ in lacking),
        )
    return wide.fillna(0).astype("int64").reset_index().rename_axis(columns=None)[OUTPUT]
