"""Patients registered at each GP practice by the LSOA they live in: NHS Digital's quarterly
"Patients registered at a GP practice" LSOA file (gp-reg-pat-prac-lsoa-all.csv), as published.
Pure.

Columns (any case): PRACTICE_CODE, LSOA_CODE (or LSOA_2011_CODE / LSOA_2021_CODE),
NUMBER_OF_PATIENTS and EXTRACT_DATE (e.g. 01OCT2023, 01-Oct-2023 or 2023-10-01); optionally SEX
(ALL, MALE, FEMALE), PUBLICATION and PRACTICE_NAME, which are not kept.
"""

from pathlib import Path

import pandas as pd

from needs.importers.tables import Parsed
from recorded.importers.cells import Table, columns, table

OUTPUT = ["practice_code", "lsoa_code", "extract_date", "sex", "patients"]
WANTED = {
    "practice": ("PRACTICE_CODE", "practice_code"),
    "lsoa": ("LSOA_CODE", "LSOA_2011_CODE", "LSOA_2021_CODE", "LSOA11CD", "LSOA21CD"),
    "patients": ("NUMBER_OF_PATIENTS", "patients"),
    "date": ("EXTRACT_DATE", "extract_date"),
}
SEXES = {"ALL": "ALL", "PERSONS": "ALL", "MALE": "M", "M": "M", "FEMALE": "F", "F": "F"}
DATE_FORMATS = ("%d%b%Y", "%d-%b-%Y", "%d-%b-%y", "%Y-%m-%d", "%d/%m/%Y", "%d %b %Y", "%Y%m%d")


def parse(path: Path, *, name: str | None = None) -> Parsed:
    label = name or path.name
    cells, refused = table(path, label)
    if refused:
        return refused
    found = columns(cells, WANTED, "NHS Digital's patients registered at a GP practice by LSOA")
    if found is None:
        return cells.result(pd.DataFrame(columns=OUTPUT), warnings=[], facts={})
    cells.required(found.values())
    frame = pd.DataFrame(
        {
            "practice_code": cells.practice_codes(found["practice"]),
            "lsoa_code": cells.text(found["lsoa"]).str.upper(),
            "extract_date": cells.dates(
                found["date"], DATE_FORMATS, what="a date", example="01OCT2023 or 2023-10-01"
            ),
            "sex": _sexes(cells),
            "patients": cells.whole(found["patients"]),
        }
    )
    keys = frame[["practice_code", "lsoa_code", "extract_date", "sex"]]
    cells.duplicates(keys, found["lsoa"], "practice, LSOA, extract date and sex")
    header = found["lsoa"].upper()
    stated = (
        "lsoa11"
        if "2011" in header or "11CD" in header
        else ("lsoa21" if "2021" in header or "21CD" in header else "")
    )
    facts: dict[str, object] = {"layout": "Patients registered at a GP practice, by LSOA"}
    if not cells.total:
        facts |= {
            "practices": int(frame["practice_code"].nunique()),
            "extract dates": ", ".join(
                f"{day:%d %B %Y}" for day in sorted(frame["extract_date"].unique())
            ),
            "stated vintage": stated,
        }
    return cells.result(frame[OUTPUT], warnings=[], facts=facts)


def _sexes(cells: Table) -> pd.Series:
    column = cells.find("SEX", "sex")
    if column is None:
        return pd.Series("ALL", index=cells.frame.index)
    texts = cells.text(column).str.upper()
    for row, text in texts[~texts.isin(SEXES)].items():
        cells.cell_error(row, column, f"{text!r} is not ALL, MALE or FEMALE.")
    return texts.map(SEXES)
