"""The mental-health indicators of the Indices of Deprivation per LSOA, as published. Pure.

The Health Deprivation and Disability domain of each edition holds a measure of mental ill health
observed in health records: IoD2019's "mood and anxiety disorders" indicator (on 2011 LSOAs) and
IoD2025's "mental health" indicator (on 2021 LSOAs). Both are standardised scores — higher means
more mental ill health than England's average — built from prescribing, hospital episodes,
suicides and benefit claims. They are observed context for the modelled need, not prevalence.

Read from MHCLG's File 8 ("Underlying indicators") headers or the snake-case republication
("lsoa11_code" + "mood_and_anxiety_disorders_indicator", "lsoa21_code" +
"mental_health_indicator"). Errors name the file, the row (the header is row 1) and the column.
"""

import io
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from needs.importers.imd import CODE, MAX_ERRORS, _find
from needs.importers.tables import TableError, decode

OUTPUT = ["area_code", "indicator", "edition", "vintage", "value"]


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    edition: str
    vintage: str
    code_headers: tuple[str, ...]
    value_headers: tuple[str, ...]


INDICATORS = (
    Indicator(
        "iod2019_mood_anxiety",
        "Mood and anxiety disorders indicator (IoD2019)",
        "IoD2019",
        "lsoa11",
        ("lsoa code (2011)", "lsoa11_code", "lsoa11cd"),
        ("mood and anxiety disorders indicator", "mood_and_anxiety_disorders_indicator"),
    ),
    Indicator(
        "iod2025_mental_health",
        "Mental health indicator (IoD2025)",
        "IoD2025",
        "lsoa21",
        ("lsoa code (2021)", "lsoa21_code", "lsoa21cd"),
        ("mental health indicator", "mental_health_indicator"),
    ),
)
BY_CODE = {indicator.code: indicator for indicator in INDICATORS}
NEEDS = (
    'an LSOA code column and a mental-health indicator column: "lsoa11_code" with '
    '"mood_and_anxiety_disorders_indicator" (IoD2019 File 8), or "lsoa21_code" with '
    '"mental_health_indicator" (IoD2025 File 8), or MHCLG\'s own headers for them'
)


@dataclass(frozen=True)
class ParseResult:
    indicators: pd.DataFrame
    errors: list[str]
    total_errors: int


def parse(path: Path, *, name: str | None = None) -> ParseResult:
    label = name or path.name
    empty = pd.DataFrame(columns=OUTPUT)
    try:
        text = decode(path.read_bytes(), label)
        raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except TableError as error:
        return ParseResult(empty, [str(error)], 1)
    except pd.errors.EmptyDataError:
        return ParseResult(empty, [f"{label}: is empty; it needs {NEEDS}."], 1)
    except pd.errors.ParserError as error:
        return ParseResult(empty, [f"{label}: cannot be read as CSV ({error})."], 1)
    found = [
        (
            indicator,
            _find(list(raw.columns), indicator.code_headers),
            _find(list(raw.columns), indicator.value_headers),
        )
        for indicator in INDICATORS
    ]
    usable = [(i, codes, values) for i, codes, values in found if codes and values]
    if not usable:
        return ParseResult(
            empty, [f"{label}: not an IoD underlying-indicators file; it needs {NEEDS}."], 1
        )
    if len(usable) > 1 or len(usable[0][1]) > 1 or len(usable[0][2]) > 1:
        return ParseResult(
            empty, [f"{label}: more than one LSOA code or indicator column; keep exactly one."], 1
        )
    indicator, (code_column,), (value_column,) = usable[0]
    if raw.empty:
        return ParseResult(empty, [f"{label}: has a header row but no data rows."], 1)
    errors = []
    codes = raw[code_column].str.strip()
    for row, code in zip(raw.index, codes, strict=True):
        if not CODE.fullmatch(code):
            errors.append(
                f"{label}, row {row + 2}, column {code_column!r}: {code!r} is not an LSOA code."
            )
    values = pd.to_numeric(raw[value_column].str.strip(), errors="coerce")
    for row, text, value in zip(raw.index, raw[value_column], values, strict=True):
        if pd.isna(value) or not math.isfinite(value):
            errors.append(
                f"{label}, row {row + 2}, column {value_column!r}: {text!r} is not a number."
            )
    duplicated = codes[codes.duplicated()]
    for row, code in duplicated.items():
        errors.append(f"{label}, row {row + 2}, column {code_column!r}: {code} appears twice.")
    if errors:
        return ParseResult(empty, errors[:MAX_ERRORS], len(errors))
    frame = pd.DataFrame(
        {
            "area_code": codes,
            "indicator": indicator.code,
            "edition": indicator.edition,
            "vintage": indicator.vintage,
            "value": values.astype(float),
        }
    )
    return ParseResult(frame[OUTPUT], [], 0)
