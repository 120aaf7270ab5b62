"""Reading a services file (provision.importers): the CSV, or the "Services" sheet of an .xlsx,
as text cells indexed by the row the spreadsheet shows, with its header matched to the format's
columns in any case and spacing.

Pure: pandas and numpy, no Django.
"""

from pathlib import Path

import numpy as np
import pandas as pd

from needs.importers.tables import XLSX_SUFFIXES, read_csv, read_sheet
from provision.importer_messages import (
    COLUMN_NAMES,
    MISSING_COLUMNS,
    REPEATED,
    UNKNOWN_COLUMN,
    Report,
)
from provision.template import COLUMNS, SHEET

REQUIRED = [column for column, required, *_ in COLUMNS if required]


def _header(text: str) -> str:
    return "_".join(str(text).strip().lower().split())


def _is_header(cells: list[str]) -> bool:
    return len({_header(cell) for cell in cells} & set(COLUMN_NAMES)) >= 3


def read_cells(path: Path, label: str) -> tuple[pd.DataFrame | None, str, int, list[str]]:
    """The cells as text indexed by the row the spreadsheet shows, where, and the header row."""
    if path.suffix.lower() in XLSX_SUFFIXES:
        where = f"{label}, sheet {SHEET!r}"
        sheet, errors = read_sheet(path, label, sheet=SHEET, is_header=_is_header)
        if sheet is None or sheet.frame.empty:
            return None, where, 0, errors
        return sheet.frame, where, sheet.header_row, errors
    raw, errors = read_csv(path, label, [])
    if errors:
        return None, label, 1, errors
    raw.index = pd.Index(raw.index + 2, name="row")  # the header is row 1
    return raw, label, 1, []


def formula_cells(raw: pd.DataFrame) -> set[tuple[int, str]]:
    """(row, column) of the workbook cells holding a formula, which read_sheet has reported."""
    rows, columns = np.nonzero(raw.apply(lambda column: column.str.startswith("=")).to_numpy())
    return set(zip(raw.index[rows], raw.columns[columns], strict=True))


def known_columns(raw: pd.DataFrame, report: Report, header_row: int) -> pd.DataFrame | None:
    """The format's columns, in its order, with headers read in any case ("Service code");
    None if a required column is missing or one is repeated. Other columns are warned of."""
    raw = raw.set_axis([_header(column) for column in raw.columns], axis="columns")
    repeated = sorted(set(raw.columns[raw.columns.duplicated()]) & set(COLUMN_NAMES))
    for column in repeated:
        report.error(header_row, column, REPEATED)
    missing = [column for column in REQUIRED if column not in raw.columns]
    if missing:
        message = MISSING_COLUMNS.format(columns=", ".join(missing), row=header_row)
        report.errors.append((header_row, -1, f"{report.where}: {message}"))
    for position, column in enumerate(raw.columns):
        if column not in COLUMN_NAMES and raw.iloc[:, position].ne("").any():
            report.warnings.append(f"{report.at(header_row, column)}: {UNKNOWN_COLUMN}")
    if missing or repeated:
        return None
    return raw.reindex(columns=COLUMN_NAMES, fill_value="")
