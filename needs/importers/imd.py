"""English Indices of Deprivation (IoD2019, IoD2025) per LSOA, as published: parse and validate.

Pure: no Django. Reads the IMD rank, decile and (when the file has it) score of every LSOA from
either MHCLG's own headers (File 1/2/7: "LSOA code (2011)", "Index of Multiple Deprivation (IMD)
Rank (where 1 is most deprived)", ...) or the snake-case republication ("lsoa21_code",
"IMD_rank", "IMD_decile", "IMD_score"). Headers match case-insensitively and by prefix, so the
"(where 1 is most deprived ...)" suffixes do not matter. The LSOA code column decides the
edition: 2011 LSOAs are IoD2019, 2021 LSOAs are IoD2025.

Errors name the file, the row (as a spreadsheet shows it: the header is row 1) and the column.
"""

import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from needs.importers.tables import TableError, decode

MAX_ERRORS = 100
CODE = re.compile(r"E01\d{6}")
OUTPUT = ["area_code", "edition", "vintage", "score", "rank", "decile"]


@dataclass(frozen=True)
class Edition:
    edition: str
    vintage: str
    lsoas: int  # LSOAs in England, so ranks run 1..lsoas
    code_headers: tuple[str, ...]


EDITIONS = (
    Edition("IMD2019", "lsoa11", 32_844, ("lsoa code (2011)", "lsoa11_code", "lsoa11cd")),
    Edition("IMD2025", "lsoa21", 33_755, ("lsoa code (2021)", "lsoa21_code", "lsoa21cd")),
)
RANK_HEADERS = ("index of multiple deprivation (imd) rank", "imd_rank")
DECILE_HEADERS = ("index of multiple deprivation (imd) decile", "imd_decile")
SCORE_HEADERS = ("index of multiple deprivation (imd) score", "imd_score")
NEEDS = (
    'an LSOA code column ("LSOA code (2011)" or "lsoa11_code" for IoD2019, "LSOA code (2021)" '
    'or "lsoa21_code" for IoD2025), an IMD rank column ("Index of Multiple Deprivation (IMD) '
    'Rank" or "IMD_rank") and an IMD decile column ("Index of Multiple Deprivation (IMD) '
    'Decile" or "IMD_decile"); an IMD score column ("Index of Multiple Deprivation (IMD) Score" '
    'or "IMD_score") is optional'
)


@dataclass(frozen=True)
class ParseResult:
    deprivation: pd.DataFrame
    errors: list[str]
    total_errors: int


def parse(path: Path, *, name: str | None = None) -> ParseResult:
    """Read an IoD file (UTF-8 with or without BOM, or Windows-1252) and check every row."""
    label = name or path.name
    raw, errors = _read(path, label)
    if not errors:
        edition, columns, errors = _layout(raw, label)
    if errors:
        return ParseResult(pd.DataFrame(columns=OUTPUT), errors[:MAX_ERRORS], len(errors))
    frame, found = _typed(raw, label, edition, columns)
    errors = [message for _, message in sorted(found, key=lambda item: item[0])]
    if errors:
        frame = pd.DataFrame(columns=OUTPUT)
    return ParseResult(frame, errors[:MAX_ERRORS], len(errors))


def _read(path: Path, label: str) -> tuple[pd.DataFrame, list[str]]:
    """Every cell as text. UTF-8 first (Excel's BOM removed), then Windows-1252; UTF-16 and
    binary files are refused by needs.importers.tables.decode with what to do instead."""
    try:
        text = decode(path.read_bytes(), label)
    except TableError as error:
        return pd.DataFrame(), [str(error)]
    try:
        raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        return pd.DataFrame(), [f"{label}: is empty (no header row, no data); it needs {NEEDS}."]
    except pd.errors.ParserError as error:
        return pd.DataFrame(), [f"{label}: cannot be read as CSV ({error})."]
    if raw.empty:
        return raw, [f"{label}: has a header row but no data rows."]
    return raw, []


def _find(columns: list[str], prefixes: tuple[str, ...]) -> list[str]:
    """Columns whose normalised header equals, or failing that starts with, one of `prefixes`."""
    normal = {column: " ".join(str(column).split()).lower() for column in columns}
    exact = [column for column in columns if normal[column] in prefixes]
    return exact or [column for column in columns if normal[column].startswith(prefixes)]


def _layout(raw: pd.DataFrame, label: str) -> tuple[Edition | None, dict[str, str], list[str]]:
    columns = list(raw.columns)
    codes = [(edition, _find(columns, edition.code_headers)) for edition in EDITIONS]
    codes = [(edition, found) for edition, found in codes if found]
    if not codes:
        return (
            None,
            {},
            [f"{label}: not a recognised Indices of Deprivation file; it needs {NEEDS}."],
        )
    if len(codes) > 1 or len(codes[0][1]) > 1:
        both = ", ".join(repr(column) for _, found in codes for column in found)
        return None, {}, [f"{label}: more than one LSOA code column ({both}); keep exactly one."]
    edition, (code,) = codes[0]
    chosen, errors = {"code": code}, []
    for role, prefixes, required in (
        ("rank", RANK_HEADERS, True),
        ("decile", DECILE_HEADERS, True),
        ("score", SCORE_HEADERS, False),
    ):
        found = _find(columns, prefixes)
        if len(found) > 1:
            listed = ", ".join(repr(column) for column in found)
            errors.append(f"{label}: more than one IMD {role} column ({listed}); keep exactly one.")
        elif found:
            chosen[role] = found[0]
        elif required:
            errors.append(
                f"{label}: missing the IMD {role} column ({prefixes[0]!r} or {prefixes[1]!r}, "
                f"any capitalisation); it needs {NEEDS}."
            )
    return edition, chosen, errors


def _numbers(
    raw: pd.DataFrame, label: str, column: str, *, whole: bool, low: float, high: float, what: str
) -> tuple[pd.Series, list[tuple[int, str]]]:
    """Typed values (NaN where wrong) and (row, message) for each blank, text or out-of-range."""
    text = raw[column].str.strip()
    values = pd.to_numeric(text, errors="coerce").astype(float)
    errors = []
    for i in raw.index:
        where = f"{label}, row {i + 2}, column {column!r}"
        value = values[i]
        if text[i] == "":
            errors.append((i, f"{where}: is empty; every LSOA needs its {what}."))
        elif np.isnan(value):
            errors.append((i, f"{where}: {raw.loc[i, column]!r} is not a number."))
        elif whole and value != np.floor(value):
            errors.append((i, f"{where}: {raw.loc[i, column]!r} is not a whole number."))
        elif not low <= value <= high:
            errors.append((i, f"{where}: {value:g} is outside {low:,g} to {high:,g} ({what})."))
        else:
            continue
        values[i] = np.nan
    return values, errors


def _typed(
    raw: pd.DataFrame, label: str, edition: Edition, columns: dict[str, str]
) -> tuple[pd.DataFrame, list[tuple[int, str]]]:
    errors: list[tuple[int, str]] = []
    code_column = columns["code"]
    codes = raw[code_column].str.strip()
    errors += [
        (
            i,
            f"{label}, row {i + 2}, column {code_column!r}: {raw.loc[i, code_column]!r} is not "
            "an English LSOA code (E01 and six digits).",
        )
        for i in raw.index[~codes.map(lambda code: bool(CODE.fullmatch(code)))]
    ]
    first_row: dict[str, int] = {}
    for i, code in codes.items():
        if code in first_row:
            errors.append(
                (
                    i,
                    f"{label}, row {i + 2}, column {code_column!r}: {code} appears twice, on rows "
                    f"{first_row[code] + 2} and {i + 2}; each LSOA must appear once.",
                )
            )
        else:
            first_row[code] = i
    n = edition.lsoas
    rank, found = _numbers(
        raw,
        label,
        columns["rank"],
        whole=True,
        low=1,
        high=n,
        what=f"{edition.edition} ranks run 1 to {n:,}, one per {edition.vintage} LSOA in England",
    )
    errors += found
    decile, found = _numbers(
        raw, label, columns["decile"], whole=True, low=1, high=10, what="deciles run 1 to 10"
    )
    errors += found
    # decile = ceil(rank / (N / 10)), in whole numbers ceil(10 * rank / N). Checked on the real
    # Worcestershire files: it holds for all 364 (IoD2019) and 374 (IoD2025) LSOAs, for the IMD
    # and every domain. None of those ranks lies next to a cut point, so how MHCLG rounds there
    # (N is not a multiple of 10) is unverified: a decile one rank either side is also accepted.
    both = rank.notna() & decile.notna()
    for i in raw.index[both]:
        r, d = int(rank[i]), int(decile[i])
        allowed = {-(-10 * k // n) for k in (r - 1, r, r + 1)}
        if d not in allowed:
            errors.append(
                (
                    i,
                    f"{label}, row {i + 2}, column {columns['decile']!r}: decile {d} does not "
                    f"match rank {r:,} (of {n:,} LSOAs that is decile {-(-10 * r // n)}).",
                )
            )
    if "score" in columns:
        score, found = _numbers(
            raw,
            label,
            columns["score"],
            whole=False,
            low=0,
            high=100,
            what="IMD scores run from 0 upwards (below 100)",
        )
        errors += found
    else:
        score = pd.Series(np.nan, index=raw.index)
    frame = pd.DataFrame(
        {
            "area_code": codes,
            "edition": edition.edition,
            "vintage": edition.vintage,
            "score": score.astype(float),
            "rank": rank.fillna(0).astype("int64"),
            "decile": decile.fillna(0).astype("int64"),
        },
        columns=OUTPUT,
    )
    return frame, errors
