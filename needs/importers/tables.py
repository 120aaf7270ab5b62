"""Reading analysts' tables as published: CSV in any of the usual encodings, and Excel sheets.

Pure: no Django. Every cell comes back as text (stripped of surrounding spaces); each importer
types its own columns, so a code such as "E01000001" or a postcode is never turned into a number
and a number column holding text is reported, not guessed at.

CSV: UTF-8, UTF-8 with a byte-order mark (Excel's "CSV UTF-8") and Windows-1252 (Excel's plain
"CSV" on a British PC) are accepted. Files that are not text at all (a spreadsheet or zip saved
with a .csv name, UTF-16 "Unicode text") are refused with a message that says what to do.

Excel (.xlsx): read with openpyxl in read-only mode. Formulas are never evaluated: a cell holding
a formula is reported (the analyst pastes values instead), so what is imported is exactly what
the sheet shows as typed data. Rows in the returned frame are indexed by their row number in the
sheet, so messages can name the row as Excel shows it.
"""

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

MAX_ERRORS = 100
ENCODINGS = ("utf-8-sig", "cp1252")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
# A space or tab next to a separator, a quote or a line end: a cell with padding to strip.
PADDING = (" ,", ", ", "\t,", ",\t", " \n", "\n ", "\t\n", "\n\t", ' "', '" ', " \r", "\t\r")
# A line holding nothing but separators (Excel writes ",,,," for an empty row).
BLANK_LINE = re.compile(r"\n[ \t,]*\r?\n")


@dataclass(frozen=True)
class Parsed:
    """What a parser found in one file: the typed rows, or the reasons it cannot be imported.

    `errors` holds at most MAX_ERRORS messages, each naming the file, sheet (for workbooks), row
    and column; `total_errors` counts them all. `warnings` do not stop an import (they are kept
    with the dataset version). `facts` says what the parser worked out about the file, e.g.
    {"year": 2020, "vintage": "lsoa11", "layout": "ONS SAPE workbook"}.
    """

    frame: pd.DataFrame
    errors: list[str]
    total_errors: int
    warnings: list[str] = field(default_factory=list)
    facts: dict[str, object] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        frame: pd.DataFrame,
        errors: list[str],
        *,
        warnings: list[str] | None = None,
        facts: dict[str, object] | None = None,
    ) -> "Parsed":
        """The first MAX_ERRORS errors and their total; an empty frame when there are errors."""
        return cls(
            frame.iloc[0:0] if errors else frame,
            errors[:MAX_ERRORS],
            len(errors),
            list(warnings or []),
            dict(facts or {}),
        )


class TableError(ValueError):
    """A file that cannot be read as a table at all; the message names the file."""


def decode(data: bytes, label: str) -> str:
    """Text of a CSV file: UTF-8 (with or without BOM), else Windows-1252."""
    if data.startswith(b"PK\x03\x04"):
        raise TableError(
            f"{label}: is a zip archive or an Excel workbook, not a CSV file; upload the .xlsx "
            "under its own name or save the sheet as CSV."
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        raise TableError(
            f'{label}: is UTF-16 text or a binary file, not CSV; save it as "CSV UTF-8" or '
            '"CSV (Comma delimited)".'
        )
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError(f'{label}: is neither UTF-8 nor Windows-1252 text; save it as "CSV UTF-8".')


def read_csv(path: Path, label: str, required: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """Every cell as stripped text; index i is spreadsheet row i + 2 (the header is row 1),
    blank lines skipped but counted.

    Returns (frame, errors): errors if the file is unreadable, has no header, lacks a required
    column or has no data rows.
    """
    try:
        text = decode(path.read_bytes(), label)
    except TableError as error:
        return pd.DataFrame(), [str(error)]
    if not text.strip():
        return pd.DataFrame(), [f"{label}: is empty (no header row and no data)."]
    try:
        raw = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            index_col=False,  # a row with an extra field is an error, never a shifted index
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        return pd.DataFrame(), [f"{label}: cannot be read as CSV ({error})."]
    raw.columns = [str(column).strip() for column in raw.columns]
    if _padded(text):  # stripping 30 million cells one by one costs seconds: only if needed
        raw = raw.apply(lambda column: column.str.strip())
    # Blank lines are dropped but keep their place in the numbering: index i is row i + 2.
    if _blank_line(text):
        raw = raw[(raw != "").any(axis=1)]
    missing = [column for column in required if column not in raw.columns]
    if missing:
        return raw, [f"{label}: missing column(s) {', '.join(missing)}."]
    if raw.empty:
        return raw, [f"{label}: has a header row but no data rows."]
    return raw, []


def _padded(text: str) -> bool:
    """Whether any cell may start or end with a space or tab (cheap string searches first)."""
    if " " not in text and "\t" not in text:
        return False
    return (
        text[:1] in " \t"
        or text.rstrip("\r\n")[-1:] in " \t"
        or any(pair in text for pair in PADDING)
    )


def _blank_line(text: str) -> bool:
    last = text.rstrip("\r\n").rsplit("\n", 1)[-1]
    return bool(BLANK_LINE.search(text)) or not last.strip(" \t,")


@dataclass(frozen=True)
class Sheet:
    """One worksheet as text. `frame` is indexed by the sheet's row numbers (Excel's numbering);
    `header_row` is the row the column names came from."""

    name: str
    frame: pd.DataFrame
    header_row: int


def workbook_sheets(path: Path, label: str) -> list[str]:
    """The sheet names of an .xlsx workbook, or TableError if it is not one."""
    return list(_open_workbook(path, label).sheetnames)


def read_sheet(
    path: Path,
    label: str,
    *,
    sheet: str | None = None,
    is_header: Callable[[list[str]], bool] | None = None,
    max_header_row: int = 30,
) -> tuple[Sheet | None, list[str]]:
    """Read one sheet (the first if `sheet` is None) as text.

    The header is the first row for which `is_header(cells)` is true, searched in the first
    `max_header_row` rows (published ONS sheets put titles and notes above the table); without
    `is_header` it is the first non-empty row. Returns (sheet, errors); formula cells are errors.
    """
    try:
        book = _open_workbook(path, label)
    except TableError as error:
        return None, [str(error)]
    try:
        if sheet is None:
            worksheet = book.worksheets[0]
        elif sheet in book.sheetnames:
            worksheet = book[sheet]
        else:
            listed = ", ".join(repr(name) for name in book.sheetnames)
            return None, [f"{label}: has no sheet called {sheet!r} (its sheets are {listed})."]
        return _sheet_frame(worksheet, label, is_header, max_header_row)
    finally:
        book.close()


def _open_workbook(path: Path, label: str):  # returns an openpyxl Workbook
    from openpyxl import load_workbook  # imported here: only spreadsheet uploads need it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # An open file, not a path: openpyxl judges a path by its suffix, and a stored upload's
        # name need not end in .xlsx.
        return load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
        raise TableError(
            f"{label}: cannot be opened as an Excel .xlsx workbook ({error}); it may be "
            "truncated, password-protected or in the old .xls format (save it as .xlsx)."
        ) from error


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _sheet_frame(
    worksheet: object,
    label: str,
    is_header: Callable[[list[str]], bool] | None,
    max_header_row: int,
) -> tuple[Sheet | None, list[str]]:
    where = f"{label}, sheet {worksheet.title!r}"
    header: list[str] | None = None
    header_row = 0
    rows: list[list[str]] = []
    numbers: list[int] = []
    errors: list[str] = []
    for number, cells in enumerate(worksheet.iter_rows(values_only=True), start=1):
        texts = [_text(cell) for cell in cells]
        if header is None:
            if number > max_header_row:
                break
            if any(texts) and (is_header is None or is_header(texts)):
                header, header_row = texts, number
            continue
        if not any(texts):
            continue
        for position, value in enumerate(texts):
            if value.startswith("=") and len(errors) < MAX_ERRORS:
                column = header[position] if position < len(header) else f"#{position + 1}"
                errors.append(
                    f"{where}, row {number}, column {column!r}: holds a formula ({value[:40]}); "
                    "formulas are never evaluated here: paste the values instead."
                )
        rows.append(texts)
        numbers.append(number)
    if header is None:
        return None, [f"{where}: no header row found in its first {max_header_row} rows."]
    width = len(header)
    while width and not header[width - 1]:
        width -= 1
    header = header[:width]
    frame = pd.DataFrame(
        [(row + [""] * width)[:width] for row in rows],
        columns=header,
        index=pd.Index(numbers, name="row"),
        dtype=object,
    )
    if frame.empty:
        errors.append(f"{where}: has a header row (row {header_row}) but no data rows.")
    return Sheet(worksheet.title, frame.astype(str), header_row), errors
