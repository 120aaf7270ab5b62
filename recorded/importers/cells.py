"""Reading a published CSV's cells with messages that name the file, the row and the column.

Pure: pandas, no Django. Rows are numbered as a spreadsheet shows them (the header is row 1).
"""

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from needs.importers.checks import normal, read_csv_rows
from needs.importers.tables import MAX_ERRORS, Parsed

PRACTICE_CODE = re.compile(r"[A-Z][A-Z0-9]{5}")
SUPPRESSED = ("*", "-", "..", ":", "")


@dataclass
class Table:
    """One file's text cells (index: spreadsheet row) and the problems found in them."""

    label: str
    frame: pd.DataFrame
    errors: list[str] = field(default_factory=list)
    total: int = 0

    def headers(self) -> dict[str, str]:
        """Normalised header → the header as written."""
        return {normal(column): column for column in self.frame.columns}

    def find(self, *names: str) -> str | None:
        """The first of these headers the file has (any case, spaces or underscores)."""
        have = self.headers()
        return next((have[normal(name)] for name in names if normal(name) in have), None)

    def error(self, message: str) -> None:
        self.total += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(message)

    def cell_error(self, row: int, column: str, message: str) -> None:
        self.error(f"{self.label}, row {row}, column {column!r}: {message}")

    def text(self, column: str) -> pd.Series:
        return self.frame[column].astype(str).str.strip()

    def whole(self, column: str, *, blank_ok: bool = False) -> pd.Series:
        """Whole numbers of 0 or more (commas allowed); blank is None where allowed."""
        texts = self.text(column)
        values = pd.to_numeric(texts.str.replace(",", "", regex=False), errors="coerce")
        bad = values.isna() | (values < 0) | (values % 1 != 0)
        if blank_ok:
            bad &= texts != ""
        for row, text in texts[bad].items():
            self.cell_error(row, column, f"{text!r} is not a whole number (0 or more).")
        return values.astype("float64")

    def number(self, column: str, *, suppressed_ok: bool = False) -> pd.Series:
        """Finite numbers; blank (and, where allowed, a suppression mark such as *) is NaN."""
        texts = self.text(column)
        values = pd.to_numeric(texts.str.replace(",", "", regex=False), errors="coerce")
        allowed = texts.isin(SUPPRESSED) if suppressed_ok else texts == ""
        bad = (values.isna() & ~allowed) | values.map(
            lambda v: isinstance(v, float) and math.isinf(v)
        )
        for row, text in texts[bad].items():
            self.cell_error(row, column, f"{text!r} is not a number.")
        return values.where(~bad)

    def dates(
        self, column: str, formats: Iterable[str], *, what: str, example: str, monthly: bool = False
    ) -> pd.Series:
        """Dates written in any of these strptime formats (month names in any case), each distinct
        text read once; monthly: the first of the month. A blank cell is None without a message
        (`required` names it where a date must be there)."""
        texts, patterns = self.text(column), tuple(formats)
        known = {text: _date(text, patterns, monthly) for text in texts.unique()}
        for row, text in texts[texts.map(known).isna()].items():
            if text:
                self.cell_error(row, column, f"{text!r} is not {what} (e.g. {example}).")
        return texts.map(known)

    def required(self, columns: Iterable[str]) -> None:
        for column in columns:
            for row, _ in self.text(column)[self.text(column) == ""].items():
                self.cell_error(row, column, "is empty.")

    def practice_codes(self, column: str) -> pd.Series:
        codes = self.text(column).str.upper()
        for row, code in codes[~codes.str.fullmatch(PRACTICE_CODE.pattern)].items():
            self.cell_error(row, column, f"{code!r} is not a GP practice code (e.g. M81001).")
        return codes

    def duplicates(self, keys: pd.DataFrame, column: str, what: str) -> None:
        """Every row repeating an earlier row's key, naming the earlier row."""
        repeated = keys.duplicated(keep=False)
        first: dict[tuple, int] = {}
        for row, key in zip(
            keys.index[repeated], keys[repeated].itertuples(index=False), strict=True
        ):
            key = tuple(key)
            if key in first:
                shown = ", ".join(str(part) for part in key)
                self.cell_error(
                    row, column, f"{what} {shown} appears twice (also row {first[key]})."
                )
            else:
                first[key] = row

    def result(self, frame: pd.DataFrame, *, warnings: list[str], facts: dict) -> Parsed:
        if self.total:
            return Parsed(frame.iloc[0:0], self.errors, self.total, warnings, facts)
        return Parsed(frame, [], 0, warnings, facts)


def table(path: Path, label: str) -> tuple[Table | None, Parsed | None]:
    """The file's cells, or a refusal (unreadable, empty, no rows)."""
    frame, errors = read_csv_rows(path, label)
    if errors:
        return None, Parsed.of(pd.DataFrame(), errors)
    return Table(label, frame), None


def columns(table: Table, wanted: dict[str, tuple[str, ...]], what: str) -> dict[str, str] | None:
    """The file's header for each role (the first of its accepted names it has), or None with
    an error naming each missing column and what the file was taken for."""
    found = {role: table.find(*names) for role, names in wanted.items()}
    missing = [names for role, names in wanted.items() if found[role] is None]
    for names in missing:
        accepted = " or ".join(repr(name) for name in names[:3])
        table.error(f"{table.label}: missing column {accepted} ({what}).")
    return None if missing else found


def refuse(label: str, message: str) -> Parsed:
    return Parsed.of(pd.DataFrame(), [f"{label}: {message}"])


def year_in_name(name: str) -> int | None:
    """A financial year written in a file's name: 2019_20, 2019-20, 201920 or 1920 → 2019."""
    match = re.search(r"(20\d\d)[-_ ]?(\d\d)(?!\d)", name)
    if match and (int(match.group(1)) + 1) % 100 == int(match.group(2)):
        return int(match.group(1))
    match = re.search(r"(?<!\d)(\d\d)(\d\d)(?!\d)", name)
    if match and (int(match.group(1)) + 1) % 100 == int(match.group(2)):
        return 2000 + int(match.group(1))
    return None


def _date(text: str, formats: tuple[str, ...], monthly: bool) -> date | None:
    for pattern in formats:
        try:
            read = datetime.strptime(text.title(), pattern).date()
        except ValueError:
            continue
        return read.replace(day=1) if monthly else read
    return None
