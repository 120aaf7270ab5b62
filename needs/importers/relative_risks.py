"""Relative risks of conditions by IMD quintile (CSV): parse and check before anything is written.

Pure: no Django. Each condition needs all five quintiles (1 = most deprived 20% of England).
"""

from pathlib import Path

import pandas as pd

from needs.importers.rates import ParseResult
from needs.importers.tables import MAX_ERRORS, read_csv

REQUIRED = ["condition_code", "imd_quintile", "relative_risk", "source", "source_year"]


def parse(path: Path, *, name: str | None = None) -> ParseResult:
    label = name or path.name
    raw, errors = read_csv(path, label, REQUIRED)
    if errors:
        return ParseResult(raw, errors, len(errors))
    frame = raw.reindex(columns=[*REQUIRED, "source_url"], fill_value="")
    errors = []
    for column in ("imd_quintile", "relative_risk", "source_year"):
        values = pd.to_numeric(frame[column].str.strip(), errors="coerce")
        errors += [
            f"{label}, row {i + 2}, column {column}: {frame.loc[i, column]!r} is not a number."
            for i in frame.index[values.isna()]
        ]
        frame[column] = values
    errors += [
        f"{label}, row {i + 2}, column imd_quintile: must be a whole number from 1 to 5."
        for i in frame.index[
            frame["imd_quintile"].notna() & ~frame["imd_quintile"].isin(range(1, 6))
        ]
    ]
    errors += [
        f"{label}, row {i + 2}, column relative_risk: must not be negative."
        for i in frame.index[frame["relative_risk"] < 0]
    ]
    if not errors:
        errors = _complete(frame, label)
    return ParseResult(frame, errors[:MAX_ERRORS], len(errors))


def _complete(frame: pd.DataFrame, label: str) -> list[str]:
    errors = []
    for code, rows in frame.groupby("condition_code"):
        quintiles = sorted(rows["imd_quintile"].astype(int))
        if quintiles != [1, 2, 3, 4, 5]:
            errors.append(
                f"{label}: condition {code!r} needs exactly one relative risk for each IMD "
                f"quintile 1 to 5 (found {quintiles})."
            )
    return errors
