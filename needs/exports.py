"""Tables as CSV and XLSX downloads. Pure: no Django.

Any text cell that a spreadsheet would read as a formula (starting =, +, -, @, or a tab or
carriage return before one, also after leading spaces) is prefixed with an apostrophe, so a name
typed into an upload can never run as a formula in someone else's spreadsheet (OWASP "CSV
injection"); a plain signed number such as "-2.2216" stays a number. Control characters other
than tab and line breaks are dropped. Every CSV cell is quoted, so a comma or line break in a
name or a source stays in its cell, and a note is one quoted cell in the first column:
`"# Rates: survey, 2014"`.
"""

import csv
import io
import re
from collections.abc import Iterable, Sequence

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A signed number written as text ("-2.2216", a longitude) is a number to a spreadsheet, not a
# formula: it keeps its sign and no apostrophe ("-2+3" or "-1+cmd|…" do not match).
PLAIN_NUMBER = re.compile(r" *[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)? *")


def neutralise(value: object) -> object:
    if (
        isinstance(value, str)
        and value.lstrip(" ").startswith(FORMULA_STARTS)
        and not PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


# Control characters other than tab and line breaks: Gnumeric refuses a CSV holding one, and
# openpyxl cannot write one into a workbook.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _text_cell(value: object) -> object:
    """Text as a spreadsheet cell: control characters dropped, then neutralised."""
    return neutralise(CONTROL.sub("", value)) if isinstance(value, str) else value


def _one_line(text: str) -> str:
    """A note on one line: a line break in user text must not escape its comment line."""
    return " ".join(str(text).split())


def _safe(frame: pd.DataFrame) -> pd.DataFrame:
    text = frame.select_dtypes(include=["object", "string"]).columns
    return frame.assign(**{column: frame[column].map(_text_cell) for column in text})


def _csv_cell(value: object) -> object:
    """Missing values empty, text as `_text_cell`; numbers as Python writes them."""
    if isinstance(value, str):
        return _text_cell(value)
    if value is None or pd.isna(value):
        return ""
    return value


def csv_bytes(
    *, header: Sequence[object], rows: Iterable[Sequence[object]], notes: Sequence[str] = ()
) -> bytes:
    """The one CSV writer for every download: UTF-8 with BOM (so Excel reads it as UTF-8),
    every cell quoted and neutralised; notes first, each a single "# …" cell on its own line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    for note in notes:
        writer.writerow([f"# {_text_cell(_one_line(note))}"])
    writer.writerow([_csv_cell(str(column)) for column in header])
    writer.writerows([_csv_cell(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_csv_bytes(frame: pd.DataFrame, *, notes: Sequence[str]) -> bytes:
    """A table as a CSV download (see `csv_bytes`)."""
    return csv_bytes(
        header=list(frame.columns), rows=frame.itertuples(index=False, name=None), notes=notes
    )


def to_xlsx_bytes(frame: pd.DataFrame, *, title: str, notes: list[str]) -> bytes:
    """One sheet of data with a bold header row, and a second sheet of notes and sources."""
    workbook = Workbook()
    data = workbook.active
    data.title = "Data"
    data.append([_text_cell(str(column)) for column in frame.columns])
    for cell in data[1]:
        cell.font = Font(bold=True)
    for row in _safe(frame).itertuples(index=False):
        data.append([None if pd.isna(value) else value for value in row])
    about = workbook.create_sheet("Notes")
    for line in [title, *notes]:
        about.append([_text_cell(_one_line(line))])
    about["A1"].font = Font(bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
