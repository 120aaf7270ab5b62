"""What a check of a services file (provision.importers) says, and where: each message is a
constant (so tests can match it) with its blanks named, and the report places it at its row and
column and reads the errors down the sheet.

Pure: no Django.
"""

from dataclasses import dataclass, field

from provision.template import COLUMNS

COLUMN_NAMES = [column for column, *_ in COLUMNS]  # the format's columns, in its order

NOT_A_NUMBER = "{value!r} is not a number."
NEGATIVE = "{value!r} is negative: it must be 0 or more."
NOT_WHOLE = "{value!r} is not a whole number of years."
NOT_AN_AGE = "{value!r} is not an age from 0 to {oldest} (leave age_max blank for no upper limit)."
AGES_REVERSED = "{value!r} is below age_min ({age_min}): the oldest age served must be at least it."
BLANK = "is blank; this column is required on a service's main row."
BLANK_KEY = "is blank; every row, main or site, names its service and financial year."
NO_ROWS = "has a header row but no data rows."
MISSING_COLUMNS = (
    "missing column(s) {columns} in the header row (row {row}); the template lists every column."
)
REPEATED = "appears more than once in the header row."
UNKNOWN_COLUMN = (
    "is not a column of the services format and is ignored (check its spelling against the "
    "template)."
)
UNKNOWN_CHOICE = "{value!r} is not allowed here; use one of {allowed} (the code or its name)."
TYPE_OUTSIDE_CATEGORY = (
    "{value!r} is a service type of the category {expected!r}, not {given!r}: correct the "
    "category or the service type."
)
SHARES_DO_NOT_ADD_UP = (
    "the funding shares add up to {total}%, not 100% (a blank share counts as 0): correct them."
)
SHARE_OVER_100 = "{value!r} is more than 100%: a share is a percentage of the annual spend."
BAD_YEAR = "{value!r} is not a financial year: write it as 2024/25."
TOO_LONG = "is {length} characters long; at most {limit} fit."
UNKNOWN_CONDITIONS = "condition code(s) {codes} are not known; the known codes are {known}."
UNKNOWN_AREA = (
    "area code {code!r} (rows {rows}) is not among the areas loaded: correct it, or load the "
    "boundaries it belongs to first."
)
NO_COORDINATES = (
    "the site has no {missing}: the tool places each site on the map and in its small area by "
    "its longitude and latitude (WGS84 degrees, e.g. -2.2216 and 52.192), not by its postcode."
)
OFF_THE_GLOBE = "{value!r} is outside {low} to {high} degrees."
OUTSIDE_GB = (
    "the site at longitude {lon:g}, latitude {lat:g} lies outside Great Britain: check it, and "
    "that site_lon and site_lat are not swapped."
)
ONLY_THE_KEY = (
    "fills only service_code and financial_year: fill in the service's columns, or the site "
    "columns for a further site of the service."
)
NO_MAIN_ROW = (
    "is a further site of {code!r} in {year}, but no row gives that service's details for "
    "{year} (name, provider, …)."
)
DUPLICATE = (
    "service {code!r} in {year} is also on row {first}: a service has one main row a year; a "
    "further site fills only service_code, financial_year and the site columns."
)


@dataclass
class Report:
    """Errors sorted by row then column at the end, so they read down the sheet. Cells in
    `formulas` were already reported by read_sheet, so nothing more is said about them."""

    where: str
    errors: list[tuple[int, int, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    formulas: set[tuple[int, str]] = field(default_factory=set)
    # template column → the analyst's column it was read from (None: one value given for every
    # row), when the file is read through a matching of its columns (importer_mapping)
    sources: dict[str, str | None] = field(default_factory=dict)

    def at(self, row: int, column: str) -> str:
        return f"{self.where}, row {row}, {self.column(column)}"

    def column(self, column: str) -> str:
        """The column as the analyst knows it, with the template's name where they differ."""
        first = column.split()[0] if column else column
        if first not in self.sources:
            return f"column {column!r}"
        source = self.sources[first]
        if source is None:
            return f"the value you gave for every row of the template's column {column!r}"
        if source == column:
            return f"column {column!r}"
        return f"column {source!r} (the template's {column!r})"

    def error(self, row: int, column: str, message: str) -> None:
        if (row, column) in self.formulas:
            return
        first = column.split()[0]  # FUNDING_SPAN sorts as its first column
        position = COLUMN_NAMES.index(first) if first in COLUMN_NAMES else len(COLUMN_NAMES)
        self.errors.append((row, position, f"{self.at(row, column)}: {message}"))

    def sorted_errors(self) -> list[str]:
        return [message for *_, message in sorted(self.errors)]
