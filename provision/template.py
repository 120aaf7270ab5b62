"""The services file format, column by column, and the template analysts download to fill in.

Pure: no Django. The allowed values of the choice columns come from provision.models and are
passed in (`ServiceChoices`), so the workbook lists exactly what the importer accepts.
"""

import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from needs.exports import csv_bytes

SHEET = "Services"
# (column, required?, what it means, example): the order of the template's columns.
COLUMNS: list[tuple[str, bool, str, str]] = [
    (
        "service_code",
        True,
        "Your code for the service: the same on each of its rows and in "
        "every year (at most 50 characters).",
        "TT-NORTH",
    ),
    ("name", True, "The service's name as commissioners know it.", "Northshire Talking Therapies"),
    ("provider", True, "The organisation that runs it.", "Northshire Healthcare NHS Trust"),
    ("provider_type", True, "The kind of provider (a code or its name, in any case).", "nhs_trust"),
    (
        "category",
        True,
        "One of the 12 mental-health service-mapping categories, or other.",
        "therapy",
    ),
    (
        "service_type",
        True,
        "The finer type; it must belong to the category (other fits any category).",
        "talking_therapies",
    ),
    (
        "conditions",
        False,
        "Condition codes served, separated by ';' (e.g. cmd;psychosis). "
        "Blank: not tied to a condition.",
        "cmd",
    ),
    ("age_min", False, "Youngest age served, in whole years. Blank means 0.", "16"),
    ("age_max", False, "Oldest age served, in whole years. Blank means no upper limit.", ""),
    ("capacity", True, "What the service can deliver, counted in capacity_unit.", "4200"),
    ("capacity_unit", True, "What capacity counts.", "courses_per_year"),
    (
        "annual_spend",
        True,
        "Spend on the service in the financial year, in pounds; '£' and thousands commas are fine.",
        "£1,250,000",
    ),
    (
        "financial_year",
        True,
        "April to March, written 2024/25 (2024-25 and 2024/2025 are read too).",
        "2024/25",
    ),
    ("source", True, "Where the figures come from.", "ICB contract schedule 2024/25"),
    (
        "funding_nhs_percent",
        False,
        "The NHS's share of the spend, in %. Blank means 0; the four shares add up to 100.",
        "100",
    ),
    ("funding_local_authority_percent", False, "The local authority's share, in %.", ""),
    ("funding_pooled_percent", False, "The share from a pooled budget (section 75), in %.", ""),
    ("funding_other_percent", False, "Any other funder's share, in %.", ""),
    (
        "catchment_codes",
        False,
        "The areas the service is for: ONS area codes (small areas, "
        "districts or the county) separated by ';'. Blank: the areas its sites are in, or else "
        "the whole area.",
        "",
    ),
    ("site_name", False, "Where the service is delivered from.", "Riverside Hub"),
    (
        "site_postcode",
        False,
        "The site's postcode (for reference; sites are placed by their coordinates).",
        "WR1 3AB",
    ),
    (
        "site_lon",
        False,
        "The site's longitude in degrees (WGS84; west of Greenwich is "
        "negative). Required for every site.",
        "-2.2216",
    ),
    (
        "site_lat",
        False,
        "The site's latitude in degrees (WGS84). Required for every site.",
        "52.192",
    ),
]
SITE_ROW = {  # the example service's second site: its key and the site columns only
    "service_code": "TT-NORTH",
    "financial_year": "2024/25",
    "site_name": "Market Street Clinic",
    "site_postcode": "B97 4AA",
    "site_lon": "-1.947",
    "site_lat": "52.307",
}
NUMBER_COLUMNS = {"age_min", "age_max", "capacity", "site_lon", "site_lat"} | {
    column for column, *_ in COLUMNS if column.startswith("funding_")
}
READ_ME = [
    "How to fill in the services file",
    "One row per service per financial year, on the Services sheet (or in a CSV file with the "
    "same header row). The Columns sheet explains every column and lists the allowed values.",
    "Several sites: the service's main row gives all its details and its first site. Each "
    "further site gets a row of its own that repeats service_code and financial_year and fills "
    "only the site columns (site_name, site_postcode, site_lon, site_lat); leave every other "
    "column of that row blank. The example rows are one service with two sites.",
    "A service without a site: leave the four site columns blank on its main row.",
    "Every site needs its longitude and latitude: the tool places sites on the map and in their "
    "small area by coordinates, not by postcode.",
    "Funding: give each funder's share of annual_spend as a percentage in the four funding "
    "columns; a blank share counts as 0 and the shares of a service add up to exactly 100. "
    "For example a day centre funded 70% by the council and 30% by the NHS has "
    "funding_local_authority_percent 70 and funding_nhs_percent 30.",
    "Choice columns (provider_type, category, service_type, capacity_unit) take the code or "
    "its name, in any case: 'nhs_trust' and 'NHS trust' are the same.",
    "Another year of the same service: a new main row with the same service_code and the other "
    "financial_year. Importing a file again updates its services in place.",
    "Type values, not formulas: cells holding a formula are refused.",
]


@dataclass(frozen=True)
class ServiceChoices:
    """The allowed codes of the choice columns, code → name (from provision.models)."""

    provider_types: dict[str, str]
    categories: dict[str, str]
    service_types: dict[str, tuple[str, str]]  # code → (name, category)
    capacity_units: dict[str, str]

    def of(self, column: str) -> dict[str, str]:
        """code → name for one choice column."""
        if column == "service_type":
            return {code: name for code, (name, _) in self.service_types.items()}
        return {
            "provider_type": self.provider_types,
            "category": self.categories,
            "capacity_unit": self.capacity_units,
        }[column]


CHOICE_COLUMNS = ["provider_type", "category", "service_type", "capacity_unit"]


def example_rows() -> list[dict[str, str]]:
    """The template's two rows: one service with two sites."""
    main = {column: example for column, _, _, example in COLUMNS}
    return [main, {column: SITE_ROW.get(column, "") for column, *_ in COLUMNS}]


def template_csv() -> bytes:
    """The header and the example rows, UTF-8 with a byte-order mark (so Excel reads it)."""
    header = [column for column, *_ in COLUMNS]
    rows = [[row[column] for column in header] for row in example_rows()]
    return csv_bytes(header=header, rows=rows)


def template_xlsx(*, choices: ServiceChoices, conditions: dict[str, str] | None = None) -> bytes:
    """A "Services" sheet to fill in, a "Columns" sheet and a "Read me" note.

    `conditions`: condition code → name, listed on the Columns sheet when given.
    """
    workbook = Workbook()
    services = workbook.active
    services.title = SHEET
    services.append([column for column, *_ in COLUMNS])
    for row in example_rows():
        services.append([_typed(column, value) for column, value in row.items()])
    _style_header(services, width=16)
    services.freeze_panes = "A2"
    _columns_sheet(workbook.create_sheet("Columns"), choices, conditions or {})
    read_me = workbook.create_sheet("Read me")
    for line in READ_ME:
        read_me.append([line])
    read_me["A1"].font = Font(bold=True)
    read_me.column_dimensions["A"].width = 120
    for (cell,) in read_me.iter_rows(min_row=2):
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    _dropdowns(services, workbook.create_sheet("Lists"), choices)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _typed(column: str, value: str) -> object:
    """Numbers as numbers, so the example cells look like what an analyst would type."""
    if value == "" or column not in NUMBER_COLUMNS:
        return value or None
    number = float(value)
    return int(number) if number.is_integer() else number


def _style_header(sheet: Worksheet, *, width: float) -> None:
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = width


def _allowed(column: str, choices: ServiceChoices, conditions: dict[str, str]) -> str:
    if column == "service_type":
        return "\n".join(
            f"{code}: {name} (category {category})"
            for code, (name, category) in choices.service_types.items()
        )
    if column in CHOICE_COLUMNS:
        return "\n".join(f"{code}: {name}" for code, name in choices.of(column).items())
    if column == "conditions":
        return "\n".join(f"{code}: {name}" for code, name in conditions.items())
    return ""


def _columns_sheet(sheet: Worksheet, choices: ServiceChoices, conditions: dict[str, str]) -> None:
    sheet.append(["column", "required", "what it means", "example", "allowed values"])
    for column, required, meaning, example in COLUMNS:
        allowed = _allowed(column, choices, conditions)
        sheet.append([column, "yes" if required else "no", meaning, example, allowed])
    _style_header(sheet, width=14)
    sheet.column_dimensions["C"].width = 70
    sheet.column_dimensions["E"].width = 60
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"


def _dropdowns(services: Worksheet, lists: Worksheet, choices: ServiceChoices) -> None:
    """Drop-down lists of codes on the choice columns; a name typed instead is only warned of
    by Excel, since the importer accepts names too."""
    headers = [column for column, *_ in COLUMNS]
    for position, column in enumerate(CHOICE_COLUMNS, start=1):
        codes = list(choices.of(column))
        lists.cell(row=1, column=position, value=column).font = Font(bold=True)
        for row, code in enumerate(codes, start=2):
            lists.cell(row=row, column=position, value=code)
        letter = lists.cell(row=1, column=position).column_letter
        rule = DataValidation(
            type="list",
            formula1=f"Lists!${letter}$2:${letter}${len(codes) + 1}",
            errorStyle="warning",
            showErrorMessage=True,
            error="Not one of the listed codes; the importer also accepts their names.",
        )
        target = services.cell(row=2, column=headers.index(column) + 1).column_letter
        rule.add(f"{target}2:{target}2000")
        services.add_data_validation(rule)
