"""Services files: the template parses cleanly, and every problem names file, sheet, row, column."""

import csv
import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from needs.importers.tables import MAX_ERRORS, Parsed
from provision.importers import FRAME_COLUMNS, FUNDING_COLUMNS, SERVICE_FIELDS, parse
from provision.models import SERVICE_TYPES, CapacityUnit, Funder, ProviderType, ServiceCategory
from provision.services import SERVICE_FIELDS as UPSERT_FIELDS
from provision.template import (
    COLUMNS,
    ServiceChoices,
    example_rows,
    template_csv,
    template_xlsx,
)

CHOICES = ServiceChoices(
    provider_types=dict(ProviderType.choices),
    categories=dict(ServiceCategory.choices),
    service_types=SERVICE_TYPES,
    capacity_units=dict(CapacityUnit.choices),
)
CONDITIONS = {"cmd": "Common mental disorders", "psychosis": "Psychosis", "any": "Any"}
AREAS = {"E06000019", "E07000234", "E01032150"}
HEADER = [column for column, *_ in COLUMNS]
MAIN, SITE = example_rows()


def service(**values: object) -> dict[str, object]:
    """A main row of the template's example service; keyword arguments override it."""
    return MAIN | values


def site(**values: object) -> dict[str, object]:
    """A further site row of the example service; keyword arguments override it."""
    return SITE | values


def write_csv(
    tmp_path: Path,
    rows: list[dict[str, object]],
    *,
    name: str = "services.csv",
    header: list[str] = HEADER,
    encoding: str = "utf-8",
) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / name
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(tmp_path: Path, rows: list[list[object]], *, sheet: str = "Services") -> Path:
    book = Workbook()
    book.active.title = sheet
    for cells in rows:
        book.active.append(cells)
    path = tmp_path / "services.xlsx"
    book.save(path)
    return path


def parsed(path: Path, *, areas: set[str] = AREAS) -> Parsed:
    result = parse(path, choices=CHOICES, known_conditions=set(CONDITIONS), known_areas=areas)
    assert result.total_errors >= len(result.errors)
    return result


def errors_of(path: Path) -> list[str]:
    return parsed(path).errors


def one_error(path: Path) -> str:
    errors = errors_of(path)
    assert len(errors) == 1, errors
    return errors[0]


# --- The template -------------------------------------------------------------------------


def test_the_columns_cover_the_format_and_the_upsert_fields() -> None:
    assert SERVICE_FIELDS == UPSERT_FIELDS
    assert set(FUNDING_COLUMNS.values()) == set(Funder.values)
    assert FRAME_COLUMNS[-3:] == ["catchment_codes", "funding", "sites"]
    assert all(meaning for _, _, meaning, _ in COLUMNS)
    assert [c for c, required, *_ in COLUMNS if required] == [
        "service_code",
        "name",
        "provider",
        "provider_type",
        "category",
        "service_type",
        "capacity",
        "capacity_unit",
        "annual_spend",
        "financial_year",
        "source",
    ]


def test_the_template_csv_parses_into_the_frame_services_upsert_takes(tmp_path: Path) -> None:
    path = tmp_path / "template.csv"
    path.write_bytes(template_csv())
    assert template_csv().startswith(b"\xef\xbb\xbf")
    result = parsed(path)
    assert result.errors == [] and result.warnings == []
    assert result.facts == {"services": 1, "financial_years": ["2024/25"], "sites": 2}
    assert list(result.frame.columns) == FRAME_COLUMNS
    record = result.frame.iloc[0].to_dict()
    assert record == {
        "service_code": "TT-NORTH",
        "name": "Northshire Talking Therapies",
        "provider": "Northshire Healthcare NHS Trust",
        "provider_type": "nhs_trust",
        "category": "therapy",
        "service_type": "talking_therapies",
        "conditions": ["cmd"],
        "age_min": 16,
        "age_max": None,
        "capacity": 4200.0,
        "capacity_unit": "courses_per_year",
        "annual_spend": 1250000.0,
        "financial_year": "2024/25",
        "source": "ICB contract schedule 2024/25",
        "catchment_codes": (),
        "funding": (("nhs", 100.0),),
        "sites": (
            ("Riverside Hub", "WR1 3AB", -2.2216, 52.192, None),
            ("Market Street Clinic", "B97 4AA", -1.947, 52.307, None),
        ),
    }


def test_the_template_xlsx_parses_to_the_same_frame(tmp_path: Path) -> None:
    csv_path, xlsx_path = tmp_path / "template.csv", tmp_path / "template.xlsx"
    csv_path.write_bytes(template_csv())
    xlsx_path.write_bytes(template_xlsx(choices=CHOICES, conditions=CONDITIONS))
    from_xlsx = parsed(xlsx_path)
    assert from_xlsx.errors == [] and from_xlsx.warnings == []
    assert from_xlsx.frame.to_dict("records") == parsed(csv_path).frame.to_dict("records")


def test_the_template_workbook_explains_every_column_and_its_allowed_values(
    tmp_path: Path,
) -> None:
    path = tmp_path / "template.xlsx"
    path.write_bytes(template_xlsx(choices=CHOICES, conditions=CONDITIONS))
    book = load_workbook(path)
    assert book.sheetnames[:3] == ["Services", "Columns", "Read me"]
    services = book["Services"]
    assert [cell.value for cell in services[1]] == HEADER
    assert all(cell.font.bold for cell in services[1])
    assert services.freeze_panes == "A2"
    dropdowns = {
        str(rule.sqref): rule.formula1 for rule in services.data_validations.dataValidation
    }
    assert dropdowns["D2:D2000"] == "Lists!$A$2:$A$6"  # provider_type: its five codes
    columns = {row[0]: row for row in book["Columns"].iter_rows(min_row=2, values_only=True)}
    assert list(columns) == HEADER
    assert "nhs_trust: NHS trust" in columns["provider_type"][4]
    assert (
        "talking_therapies: NHS Talking Therapies (category therapy)"
        in (columns["service_type"][4])
    )
    assert "courses_per_year" in columns["capacity_unit"][4]
    assert "cmd: Common mental disorders" in columns["conditions"][4]
    read_me = " ".join(row[0] for row in book["Read me"].iter_rows(values_only=True))
    assert "repeats service_code and financial_year" in read_me
    assert "add up to exactly 100" in read_me


# --- Reading the file ---------------------------------------------------------------------


def test_codes_and_names_of_choices_are_read_in_any_case(tmp_path: Path) -> None:
    row = service(
        provider_type="NHS TRUST",
        category="Therapy",
        service_type="nhs talking therapies",
        capacity_unit="Courses of treatment a year",
        conditions="CMD; psychosis",
        catchment_codes="e06000019;E07000234",
    )
    result = parsed(write_csv(tmp_path, [row]))
    assert result.errors == []
    record = result.frame.iloc[0]
    assert (record.provider_type, record.service_type) == ("nhs_trust", "talking_therapies")
    assert record.capacity_unit == "courses_per_year"
    assert record.conditions == ["cmd", "psychosis"]
    assert record.catchment_codes == ("E06000019", "E07000234")


@pytest.mark.parametrize("written", ["2024/25", "2024-25", "2024/2025", "2024 - 2025"])
def test_financial_years_are_stored_as_2024_25(tmp_path: Path, written: str) -> None:
    result = parsed(write_csv(tmp_path, [service(financial_year=written)]))
    assert result.errors == []
    assert list(result.frame["financial_year"]) == ["2024/25"]


def test_headers_are_read_in_any_case_and_unknown_columns_are_warned_of(tmp_path: Path) -> None:
    header = [column.replace("_", " ").title() for column in HEADER] + ["Notes"]
    rows = [{h: v for h, v in zip(header, MAIN.values(), strict=False)} | {"Notes": "check"}]
    result = parsed(write_csv(tmp_path, rows, header=header))
    assert result.errors == []
    assert result.warnings == [
        "services.csv, row 1, column 'notes': is not a column of the services format and is "
        "ignored (check its spelling against the template)."
    ]


def test_shares_spend_and_ages_are_read_with_their_symbols(tmp_path: Path) -> None:
    row = service(
        annual_spend="£ 98,500.50",
        funding_nhs_percent="33.33%",
        funding_local_authority_percent="33.33",
        funding_pooled_percent="33.34",
        age_min="",
        age_max="64",
    )
    record = parsed(write_csv(tmp_path, [row])).frame.iloc[0]
    assert record.annual_spend == 98500.5
    assert record.funding == (("nhs", 33.33), ("local_authority", 33.33), ("pooled", 33.34))
    assert (record.age_min, record.age_max) == (0, 64)


def test_a_service_in_two_years_and_one_without_a_site_are_two_and_one_records(
    tmp_path: Path,
) -> None:
    no_site = {column: "" for column in ("site_name", "site_postcode", "site_lon", "site_lat")}
    rows = [
        service(),
        site(),
        service(financial_year="2023/24", annual_spend="1,100,000"),
        service(service_code="CAFE", service_type="crisis_cafe", category="access", **no_site),
    ]
    result = parsed(write_csv(tmp_path, rows))
    assert result.errors == []
    assert result.facts == {
        "services": 3,
        "financial_years": ["2023/24", "2024/25"],
        "sites": 3,
    }
    assert [len(sites) for sites in result.frame["sites"]] == [2, 1, 0]
    assert list(result.frame.index) == [2, 4, 5]


def test_a_windows_1252_file_keeps_its_pound_signs_and_accents(tmp_path: Path) -> None:
    row = service(name="Café Haven", annual_spend="£45,000")
    result = parsed(write_csv(tmp_path, [row], encoding="cp1252"))
    assert result.errors == []
    assert result.frame.iloc[0]["name"] == "Café Haven"
    assert result.frame.iloc[0]["annual_spend"] == 45000.0


def test_a_csv_cell_starting_with_equals_stays_literal_text(tmp_path: Path) -> None:
    text = '=HYPERLINK("http://example.org","Talking Therapies")'
    result = parsed(write_csv(tmp_path, [service(name=text, source="=1+1")]))
    assert result.errors == []
    assert (result.frame.iloc[0]["name"], result.frame.iloc[0]["source"]) == (text, "=1+1")


# --- What is refused ----------------------------------------------------------------------


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "services.csv"
    path.write_bytes(b"")
    assert one_error(path) == "services.csv: is empty (no header row and no data)."


def test_a_header_without_rows_is_refused(tmp_path: Path) -> None:
    assert one_error(write_csv(tmp_path, [])) == "services.csv: has a header row but no data rows."


def test_missing_required_columns_are_named(tmp_path: Path) -> None:
    header = [column for column in HEADER if column not in ("source", "capacity_unit")]
    assert one_error(write_csv(tmp_path, [service()], header=header)) == (
        "services.csv: missing column(s) capacity_unit, source in the header row (row 1); the "
        "template lists every column."
    )


def test_an_unknown_choice_lists_the_allowed_values(tmp_path: Path) -> None:
    error = one_error(write_csv(tmp_path, [service(provider_type="charity")]))
    assert error == (
        "services.csv, row 2, column 'provider_type': 'charity' is not allowed here; use one of "
        "nhs_trust, primary_care, local_authority, third_sector, independent (the code or its "
        "name)."
    )


def test_a_service_type_outside_its_category_is_refused(tmp_path: Path) -> None:
    error = one_error(
        write_csv(tmp_path, [service(), site(), service(service_code="X", service_type="eip")])
    )
    assert error == (
        "services.csv, row 4, column 'service_type': 'eip' is a service type of the category "
        "'clinical', not 'therapy': correct the category or the service type."
    )


def test_text_and_negatives_in_number_columns_are_refused(tmp_path: Path) -> None:
    rows = [service(capacity="about 40", annual_spend="-£5,000", age_min="sixteen")]
    assert errors_of(write_csv(tmp_path, rows)) == [
        "services.csv, row 2, column 'age_min': 'sixteen' is not a number.",
        "services.csv, row 2, column 'capacity': 'about 40' is not a number.",
        "services.csv, row 2, column 'annual_spend': '-£5,000' is negative: it must be 0 or more.",
    ]


def test_ages_must_be_whole_and_in_order(tmp_path: Path) -> None:
    rows = [service(age_min="18", age_max="17"), service(service_code="B", age_max="16.5")]
    assert errors_of(write_csv(tmp_path, rows)) == [
        "services.csv, row 2, column 'age_max': '17' is below age_min (18): the oldest age served "
        "must be at least it.",
        "services.csv, row 3, column 'age_max': '16.5' is not a whole number of years.",
    ]


def test_funding_shares_that_do_not_add_up_to_100_say_what_they_add_up_to(
    tmp_path: Path,
) -> None:
    row = service(funding_nhs_percent="60", funding_local_authority_percent="30")
    assert one_error(write_csv(tmp_path, [row])) == (
        "services.csv, row 2, column 'funding_nhs_percent … funding_other_percent': the funding "
        "shares add up to 90%, not 100% (a blank share counts as 0): correct them."
    )


def test_a_service_without_funding_adds_up_to_0(tmp_path: Path) -> None:
    error = one_error(write_csv(tmp_path, [service(funding_nhs_percent="")]))
    assert "the funding shares add up to 0%, not 100%" in error


def test_unknown_condition_codes_are_named_with_the_known_ones(tmp_path: Path) -> None:
    error = one_error(write_csv(tmp_path, [service(conditions="cmd;ptsd")]))
    assert error == (
        "services.csv, row 2, column 'conditions': condition code(s) ptsd are not known; the "
        "known codes are any, cmd, psychosis."
    )


def test_unknown_catchment_codes_are_listed_once_each_with_their_rows(tmp_path: Path) -> None:
    rows = [
        service(catchment_codes="E06000019;E06099999"),
        service(service_code="B", catchment_codes="E06099999; E01999999"),
        service(service_code="C", catchment_codes="E06099999"),
    ]
    assert errors_of(write_csv(tmp_path, rows)) == [
        "services.csv, row 2, column 'catchment_codes': area code 'E06099999' (rows 2, 3, 4) is "
        "not among the areas loaded: correct it, or load the boundaries it belongs to first.",
        "services.csv, row 3, column 'catchment_codes': area code 'E01999999' (rows 3) is not "
        "among the areas loaded: correct it, or load the boundaries it belongs to first.",
    ]


def test_a_site_without_coordinates_is_refused_saying_why(tmp_path: Path) -> None:
    error = one_error(write_csv(tmp_path, [service(), site(site_lon="", site_lat="")]))
    assert error == (
        "services.csv, row 3, column 'site_lon': the site has no longitude (site_lon) or "
        "latitude (site_lat): the tool places each site on the map and in its small area by its "
        "longitude and latitude (WGS84 degrees, e.g. -2.2216 and 52.192), not by its postcode."
    )


def test_coordinates_off_the_globe_are_refused(tmp_path: Path) -> None:
    rows = [service(site_lon="-200", site_lat="52.1"), site(site_lat="95")]
    assert errors_of(write_csv(tmp_path, rows)) == [
        "services.csv, row 2, column 'site_lon': '-200' is outside -180 to 180 degrees.",
        "services.csv, row 3, column 'site_lat': '95' is outside -90 to 90 degrees.",
    ]


def test_a_site_outside_great_britain_is_warned_of_not_refused(tmp_path: Path) -> None:
    result = parsed(write_csv(tmp_path, [service(site_lon="52.192", site_lat="-2.2216")]))
    assert result.errors == []
    assert result.warnings == [
        "services.csv, row 2, column 'site_lon': the site at longitude 52.192, latitude -2.2216 "
        "lies outside Great Britain: check it, and that site_lon and site_lat are not swapped."
    ]


def test_two_main_rows_of_one_service_and_year_name_both_rows(tmp_path: Path) -> None:
    rows = [service(), site(), service(financial_year="2024-25")]
    assert one_error(write_csv(tmp_path, rows)) == (
        "services.csv, row 4, column 'service_code': service 'TT-NORTH' in 2024/25 is also on "
        "row 2: a service has one main row a year; a further site fills only service_code, "
        "financial_year and the site columns."
    )


def test_a_site_row_needs_a_main_row_and_a_site(tmp_path: Path) -> None:
    rows = [
        service(),
        site(financial_year="2023/24"),
        site(site_name="", site_postcode="", site_lon="", site_lat=""),
    ]
    assert errors_of(write_csv(tmp_path, rows)) == [
        "services.csv, row 3, column 'service_code': is a further site of 'TT-NORTH' in 2023/24, "
        "but no row gives that service's details for 2023/24 (name, provider, …).",
        "services.csv, row 4, column 'name': fills only service_code and financial_year: fill in "
        "the service's columns, or the site columns for a further site of the service.",
    ]


def test_blank_required_cells_and_bad_years_are_named(tmp_path: Path) -> None:
    rows = [service(name="", source=""), service(service_code="B", financial_year="2024/26")]
    assert errors_of(write_csv(tmp_path, rows)) == [
        "services.csv, row 2, column 'name': is blank; this column is required on a service's "
        "main row.",
        "services.csv, row 2, column 'source': is blank; this column is required on a service's "
        "main row.",
        "services.csv, row 3, column 'financial_year': '2024/26' is not a financial year: write "
        "it as 2024/25.",
    ]


def test_every_error_is_collected_up_to_the_limit_with_the_total(tmp_path: Path) -> None:
    rows = [service(service_code=f"S{i}", capacity="lots") for i in range(MAX_ERRORS + 20)]
    result = parsed(write_csv(tmp_path, rows))
    assert result.total_errors == MAX_ERRORS + 20
    assert len(result.errors) == MAX_ERRORS
    assert result.errors[0].startswith("services.csv, row 2, column 'capacity'")
    assert result.frame.empty


# --- Workbooks ----------------------------------------------------------------------------


def test_workbook_errors_name_the_sheet_and_the_row_excel_shows(tmp_path: Path) -> None:
    cells = [list(service(capacity="lots").values())]
    path = write_xlsx(tmp_path, [["Services for 2024/25"], [], HEADER, [], *cells])
    assert one_error(path) == (
        "services.xlsx, sheet 'Services', row 5, column 'capacity': 'lots' is not a number."
    )


def test_a_formula_cell_in_a_workbook_is_refused_once(tmp_path: Path) -> None:
    cells = list(service(annual_spend="=1000*12").values())
    path = write_xlsx(tmp_path, [HEADER, cells])
    assert one_error(path) == (
        "services.xlsx, sheet 'Services', row 2, column 'annual_spend': holds a formula "
        "(=1000*12); formulas are never evaluated here: paste the values instead."
    )


def test_a_workbook_without_a_services_sheet_lists_its_sheets(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path, [HEADER, list(MAIN.values())], sheet="Sheet1")
    assert one_error(path) == (
        "services.xlsx: has no sheet called 'Services' (its sheets are 'Sheet1')."
    )
