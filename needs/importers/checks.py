"""Cell and row checks shared by the importers: typed counts, area codes and spreadsheet rows.

Pure: pandas and numpy, no Django. Every problem is collected in a Problems, naming the file (and
sheet), the row as a spreadsheet shows it and the column; at most MAX_ERRORS messages are
formatted, all are counted. Used by ons_population, population_long, census_sex and snpp.
"""

from collections.abc import Callable, Iterable
from itertools import islice
from pathlib import Path

import numpy as np
import pandas as pd

from needs.importers.tables import MAX_ERRORS, Parsed, read_csv

WHOLE = "is not a whole number of people (0 or more)."


class Problems:
    """Error messages, at most MAX_ERRORS formatted (lazily), and how many there were in all."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.total = 0

    def add(self, count: int, messages: Iterable[str]) -> None:
        self.total += count
        room = MAX_ERRORS - len(self.messages)
        if count and room > 0:
            self.messages.extend(islice(messages, min(room, count)))

    def result(
        self, frame: pd.DataFrame, *, warnings: list[str] | None = None, facts: dict | None = None
    ) -> Parsed:
        if not self.total:
            return Parsed.of(frame, [], warnings=warnings, facts=facts)
        return Parsed(
            frame.iloc[0:0], self.messages, self.total, list(warnings or []), dict(facts or {})
        )

    def cells(self, mask: np.ndarray, describe: Callable[..., str]) -> None:
        """One message per true cell (1-D: rows; 2-D: row, column), in row order."""
        hits = np.argwhere(mask)
        self.add(len(hits), (describe(*(int(i) for i in hit)) for hit in hits))


def refused(messages: list[str], columns: list[str]) -> Parsed:
    """A file that cannot be read at all: no rows, just the reasons."""
    return Parsed.of(pd.DataFrame(columns=columns), messages)


def read_csv_rows(path: Path, label: str) -> tuple[pd.DataFrame, list[str]]:
    """A CSV's cells as text, indexed by the row a spreadsheet shows (the header is row 1)."""
    raw, errors = read_csv(path, label, [])
    raw.index = raw.index + 2  # spreadsheet rows: the header is row 1
    return raw, errors


def normal(header: object) -> str:
    """A header compared whatever its case and spacing: "LSOA  Code" and "lsoa_code" agree."""
    return " ".join(str(header).replace("_", " ").split()).lower()


def whole_numbers(
    texts: pd.DataFrame, where: str, problems: Problems
) -> tuple[np.ndarray, np.ndarray]:
    """The cells as an int64 matrix (bad ones 0) and where they are bad, each bad cell reported.

    Each distinct text is read once (a table of millions of counts has a few thousand). A cell
    holding a formula is bad but not reported again (read_sheet has reported it).
    """
    cells = texts.to_numpy(dtype=object)
    codes, uniques = pd.factorize(cells.ravel())
    values = np.array([count_of(text) for text in uniques], dtype="int64")[codes]
    values = values.reshape(cells.shape)
    rows, columns = np.nonzero(values < 0)
    shown = cells[rows, columns]
    fresh = ~pd.Series(shown, dtype="object").astype(str).str.startswith("=").to_numpy()
    rows, columns, shown = rows[fresh], columns[fresh], shown[fresh]
    problems.add(
        len(rows),
        (
            f"{where}, row {texts.index[r]}, column {texts.columns[c]!r}: {v!r} {WHOLE}"
            for r, c, v in zip(rows, columns, shown, strict=True)
        ),
    )
    return np.maximum(values, 0), values < 0


def count_of(text: str) -> int:
    """A whole number of people written as text ("12", "12.0"), or -1."""
    try:
        value = float(text)
    except ValueError:
        return -1
    return int(value) if value >= 0 and value.is_integer() else -1


def check_codes(
    codes: pd.Series, column: str, where: str, problems: Problems, *, once: bool = True
) -> None:
    """Every row has an area code and (if `once`) none is on two rows, both rows named."""
    empty = (codes == "").to_numpy()
    problems.add(
        int(empty.sum()),
        (f"{where}, row {row}, column {column!r}: no area code." for row in codes.index[empty]),
    )
    later = codes.duplicated(keep="first").to_numpy() & ~empty
    if once and later.any():
        firsts = codes[~codes.duplicated(keep="first")]
        first_row = pd.Series(firsts.index, index=firsts.to_numpy())
        problems.add(
            int(later.sum()),
            (
                f"{where}, row {row}, column {column!r}: {code} is also on row {first_row[code]}."
                for row, code in zip(codes.index[later], codes[later], strict=True)
            ),
        )


def report_cells(
    raw: pd.DataFrame, column: str, bad: np.ndarray, what: str, where: str, problems: Problems
) -> None:
    """Each bad cell of the column, with its row and its text: "{where}, row 7, column 'sex':
    'X' {what}"."""
    positions = np.flatnonzero(bad)
    cells = raw[column].to_numpy()
    problems.add(
        len(positions),
        (f"{where}, row {raw.index[p]}, column {column!r}: {cells[p]!r} {what}" for p in positions),
    )


def runs(values: np.ndarray) -> list[np.ndarray]:
    """Sorted whole numbers in runs of consecutive ones: 0, 1, 2, 5 → [0, 1, 2], [5]."""
    return np.split(values, np.flatnonzero(np.diff(values) != 1) + 1)
