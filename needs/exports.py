"""Tables as CSV and XLSX downloads. Pure: no Django.

Any text cell that a spreadsheet would read as a formula (starting =, +, -, @, or a tab or
carriage return before one, also after leading spaces) is prefixed with an apostrophe, so a name
typed into an upload can never run as a formula in someone else's spreadsheet (OWASP "CSV
injection").
"""

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _one_line(text: str) -> str:
    """A note on one line: a line break in user text must not escape its comment line."""
    return " ".join(str(text).split())


def _safe(frame: pd.DataFrame) -> pd.DataFrame:
    text = frame.select_dtypes(include=["object", "string"]).columns
    return frame.assign(**{column: frame[column].map(neutralise) for column in text})


def to_csv_bytes(frame: pd.DataFrame, *, notes: list[str]) -> bytes:
    """UTF-8 with BOM (so Excel reads it as UTF-8); notes first, as comment lines."""
    buffer = io.StringIO()
    for note in notes:
        buffer.write(f"# {neutralise(_one_line(note))}\n")
    _safe(frame).rename(columns=lambda column: neutralise(str(column))).to_csv(buffer, index=False)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx_bytes(frame: pd.DataFrame, *, title: str, notes: list[str]) -> bytes:
    """One sheet of data with a bold header row, and a second sheet of notes and sources."""
    workbook = Workbook()
    data = workbook.active
    data.title = "Data"
    data.append([neutralise(str(column)) for column in frame.columns])
    for cell in data[1]:
        cell.font = Font(bold=True)
    for row in _safe(frame).itertuples(index=False):
        data.append([None if pd.isna(value) else value for value in row])
    about = workbook.create_sheet("Notes")
    for line in [title, *notes]:
        about.append([neutralise(_one_line(line))])
    about["A1"].font = Font(bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
