"""Reading the app's CSV downloads as an analyst's tools do: the csv module, pandas, and a real
spreadsheet program (Gnumeric's ssconvert) converting to XLSX for openpyxl to inspect."""

import csv
import io
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet


def csv_rows(content: bytes) -> tuple[list[str], list[list[str]]]:
    """(notes without their "# ", rows of the table) of a CSV download, read with the csv
    module: the notes are the leading rows that are one cell starting "# "."""
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    notes = []
    while rows and len(rows[0]) == 1 and rows[0][0].startswith("# "):
        notes.append(rows.pop(0)[0][2:])
    return notes, rows


def csv_records(content: bytes) -> tuple[list[str], list[dict[str, str]]]:
    """(notes, one dict a row keyed by the header) of a CSV download."""
    notes, rows = csv_rows(content)
    return notes, [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def csv_frame(content: bytes) -> pd.DataFrame:
    """The table of a CSV download as pandas reads it, below its note lines."""
    notes, _ = csv_rows(content)
    return pd.read_csv(io.BytesIO(content), encoding="utf-8-sig", skiprows=len(notes))


def ssconvert() -> str:
    """Gnumeric's converter; scripts/system_deps.sh installs it for `make test`."""
    found = shutil.which("ssconvert")
    if found is None:
        pytest.skip("Gnumeric's ssconvert is not installed (apt-get install gnumeric)")
    return found


def opened_in_a_spreadsheet(content: bytes, folder: Path) -> Worksheet:
    """The CSV as Gnumeric opens it (separators guessed, formulas evaluated), saved as XLSX."""
    source, converted = folder / "download.csv", folder / "download.xlsx"
    source.write_bytes(content)
    subprocess.run(
        [ssconvert(), str(source), str(converted)], check=True, capture_output=True, timeout=60
    )
    return load_workbook(converted).active


def formulas(sheet: Worksheet) -> list[str]:
    """Coordinates and text of every cell the spreadsheet took as a formula."""
    return [
        f"{cell.coordinate}: {cell.value}"
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
