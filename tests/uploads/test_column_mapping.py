"""Bring your own spreadsheet: a services list with its own column names and its own words for
units and funders is matched to the template on the upload's page, checked and imported.

The analyst's list is modelled on the services template and on real Worcestershire services
(NHS Talking Therapies from the county's NHS trust, carers' support from the county's carers'
charity, a day centre run by the county council): their columns are named as a team would name
them ("Ref", "Places", "Unit", "Funder", "Postcode"), their units are words ("people a year",
"places", "sessions") and their funders are organisations ("NHS Herefordshire and Worcestershire
ICB", "Worcestershire County Council"). Imported, the list gives exactly the Service rows that
the same services typed into the template give.
"""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from needs.column_mapping import columns_guess, value_guess
from needs.models import LocalityScheme
from provision.importer_mapping import service_targets
from provision.imports import service_choices
from provision.models import Service
from provision.template import COLUMNS
from tests.uploads.conftest import (
    confirm,
    confirm_button,
    csv_bytes,
    demo_lsoa_codes,
    detail,
    snapshot,
    text,
    upload_file,
)
from uploads.cleanup import uploads_clean
from uploads.mapping_services import mapping_context
from uploads.models import ColumnMapping, Upload, UploadStatus

pytestmark = pytest.mark.django_db

SOURCE = "HWICB and Worcestershire County Council contracts register 2024/25"
OWN_HEADER = [
    "Ref", "Service", "Organisation", "Sector", "Category", "Type", "Conditions", "Age from",
    "Places", "Unit", "Budget", "Year", "Funder", "Venue", "Postcode", "Latitude", "Longitude",
    "Notes",
]  # fmt: skip
OWN_ROWS = [
    [
        "HW-TT", "Worcestershire Talking Therapies",
        "Herefordshire and Worcestershire Health and Care NHS Trust", "NHS trust", "Therapy",
        "NHS Talking Therapies", "cmd", 16, 5200, "people a year", "£4,100,000", "2024/25",
        "NHS Herefordshire and Worcestershire ICB", "Isaac Maddox House", "WR4 9RW", 52.2071,
        -2.1897, "Self-referral online",
    ],
    [
        "HW-TT", "", "", "", "", "", "", "", "", "", "", "2024/25", "",
        "Kidderminster Treatment Centre", "DY11 6RJ", 52.3806, -2.2478, "",
    ],
    [
        "WAC-CARERS", "Carers' support", "Worcestershire Association of Carers", "Charity",
        "Carers", "Carers' support", "", 18, 300, "places", "180000", "2024/25",
        "Worcestershire County Council", "Worcester office", "WR1 2EL", 52.1936, -2.2216, "",
    ],
    [
        "WCC-DAY", "Redditch day opportunities", "Worcestershire County Council", "Council",
        "Day services", "Day centre", "", 18, 1200, "sessions", "£95,000", "2024/25",
        "The National Lottery Community Fund", "", "", "", "", "",
    ],
]  # fmt: skip
# The same services typed into the template, as an analyst following it would.
TEMPLATE_ROWS = [
    {
        "service_code": "HW-TT", "name": "Worcestershire Talking Therapies",
        "provider": "Herefordshire and Worcestershire Health and Care NHS Trust",
        "provider_type": "nhs_trust", "category": "therapy", "service_type": "talking_therapies",
        "conditions": "cmd", "age_min": "16", "capacity": "5200",
        "capacity_unit": "courses_per_year", "annual_spend": "£4,100,000",
        "financial_year": "2024/25", "source": SOURCE, "funding_nhs_percent": "100",
        "site_name": "Isaac Maddox House", "site_postcode": "WR4 9RW", "site_lon": "-2.1897",
        "site_lat": "52.2071",
    },
    {
        "service_code": "HW-TT", "financial_year": "2024/25",
        "site_name": "Kidderminster Treatment Centre", "site_postcode": "DY11 6RJ",
        "site_lon": "-2.2478", "site_lat": "52.3806",
    },
    {
        "service_code": "WAC-CARERS", "name": "Carers' support",
        "provider": "Worcestershire Association of Carers", "provider_type": "third_sector",
        "category": "carers", "service_type": "carers_support", "age_min": "18",
        "capacity": "300", "capacity_unit": "caseload_places", "annual_spend": "180000",
        "financial_year": "2024/25", "source": SOURCE,
        "funding_local_authority_percent": "100", "site_name": "Worcester office",
        "site_postcode": "WR1 2EL", "site_lon": "-2.2216", "site_lat": "52.1936",
    },
    {
        "service_code": "WCC-DAY", "name": "Redditch day opportunities",
        "provider": "Worcestershire County Council", "provider_type": "local_authority",
        "category": "day_services", "service_type": "day_centre", "age_min": "18",
        "capacity": "1200", "capacity_unit": "hours_per_week", "annual_spend": "£95,000",
        "financial_year": "2024/25", "source": SOURCE, "funding_other_percent": "100",
    },
]  # fmt: skip
# What the page guesses from the names, and what the analyst keeps.
GUESSED_COLUMNS = {
    "service_code": "Ref", "name": "Service", "provider": "Organisation",
    "provider_type": "Sector", "category": "Category", "service_type": "Type",
    "conditions": "Conditions", "age_min": "Age from", "capacity": "Places",
    "capacity_unit": "Unit", "annual_spend": "Budget", "financial_year": "Year",
    "funder": "Funder", "site_name": "Venue", "site_postcode": "Postcode",
    "site_lat": "Latitude", "site_lon": "Longitude",
}  # fmt: skip
GUESSED_VALUES = {
    "provider_type": {"Charity": "third_sector", "Council": "local_authority"},
    "capacity_unit": {
        "people a year": "courses_per_year", "places": "caseload_places", "sessions": "",
    },
    "funder": {
        "NHS Herefordshire and Worcestershire ICB": "nhs",
        "Worcestershire County Council": "local_authority",
        "The National Lottery Community Fund": "other",
    },
}  # fmt: skip
ANSWERED_VALUES = {**GUESSED_VALUES, "capacity_unit": {
    **GUESSED_VALUES["capacity_unit"], "sessions": "hours_per_week"}}  # fmt: skip


def own_file(tmp_path: Path, fmt: str, header: list[str] = OWN_HEADER, rows=OWN_ROWS) -> Path:
    """The analyst's list: a CSV, or a workbook whose sheet has a title above its header."""
    path = tmp_path / f"our-mh-services.{fmt}"
    if fmt == "csv":
        path.write_bytes(csv_bytes([header, *rows]))
        return path
    book = Workbook()
    sheet = book.active
    sheet.title = "Our services"
    sheet.append(["Mental health services in Worcestershire, 2024/25"])
    sheet.append(header)
    for row in rows:
        sheet.append([None if cell == "" else cell for cell in row])
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def template_file(tmp_path: Path) -> Path:
    header = [column for column, *_ in COLUMNS]
    path = tmp_path / "services-in-the-template.csv"
    path.write_bytes(
        csv_bytes([header, *[[row.get(c, "") for c in header] for row in TEMPLATE_ROWS]])
    )
    return path


def ours():
    return Service.objects.filter(code__in=["HW-TT", "WAC-CARERS", "WCC-DAY"])


def services_as_rows() -> list[tuple]:
    """Every service with its funding and sites, as comparable values."""
    rows = []
    for service in ours().order_by("code", "financial_year"):
        fields = [
            getattr(service, field.attname)
            for field in Service._meta.concrete_fields
            if field.name != "id"
        ]
        funding = sorted(service.funding.values_list("funder", "share_percent"))
        sites = sorted(service.sites.values_list("name", "postcode", "lon", "lat", "area_id"))
        catchment = sorted(service.catchment.values_list("code", flat=True))
        rows.append((*fields, funding, sites, catchment))
    return rows


def columns_post(client: Client, upload: Upload, columns: dict, fixed: dict | None = None):
    data = {f"column__{target}": source for target, source in columns.items()}
    data |= {f"fixed__{target}": value for target, value in (fixed or {}).items()}
    return client.post(reverse("uploads:map_columns", args=[upload.pk]), data)


def values_post(client: Client, upload: Upload, values: dict):
    questions = upload.options["mapping"]["questions"]
    data = {
        f"value__{target}__{questions[target].index(value)}": code
        for target, table in values.items()
        for value, code in table.items()
    }
    return client.post(reverse("uploads:map_values", args=[upload.pk]), data)


def offered(upload: Upload) -> tuple[dict, dict, dict]:
    """What the page offers: (columns, fixed values, values) as its forms are pre-filled."""
    upload.refresh_from_db()
    context = mapping_context(upload)
    columns, values = {}, {}
    if context["columns_form"] is not None:
        initial = context["columns_form"].initial
        columns = {k.split("__")[1]: v for k, v in initial.items() if k.startswith("column__")}
        fixed = {k.split("__")[1]: v for k, v in initial.items() if k.startswith("fixed__")}
        return columns, fixed, values
    form = context["values_form"]
    for target, fields in form.groups():
        values[target.column] = {field.label: form.initial.get(field.name, "") for field in fields}
    return columns, {}, values


def matched_and_checked(client: Client, upload: Upload) -> Upload:
    """The analyst keeps the page's guesses, adds the source and says what "sessions" are."""
    assert columns_post(client, upload, GUESSED_COLUMNS, {"source": SOURCE}).status_code == 302
    upload.refresh_from_db()
    assert upload.status == UploadStatus.MAPPING
    assert values_post(client, upload, ANSWERED_VALUES).status_code == 302
    upload.refresh_from_db()
    return upload


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_own_layout_list_imports_as_the_same_services_as_the_template(
    client, analyst, tmp_path, fmt
):
    client.force_login(analyst)
    reference = upload_file(client, kind="services", path=template_file(tmp_path))
    assert reference.status == UploadStatus.CHECKED, reference.plan["errors"]
    confirm(client, reference)
    assert reference.status == UploadStatus.IMPORTED, reference.error
    expected = services_as_rows()
    assert len(expected) == 3
    ours().delete()

    upload = upload_file(client, kind="services", path=own_file(tmp_path, fmt))
    assert upload.status == UploadStatus.MAPPING
    page = detail(client, upload)
    assert "Match your columns to the template" in page and confirm_button(upload) not in page
    columns, fixed, _ = offered(upload)
    assert columns == GUESSED_COLUMNS and fixed == {}

    assert columns_post(client, upload, GUESSED_COLUMNS, {"source": SOURCE}).status_code == 302
    upload.refresh_from_db()
    assert upload.status == UploadStatus.MAPPING
    page = detail(client, upload)
    assert "Match your values to the template's" in page
    # plain names, not codes, for the template's values
    assert ">courses of treatment a year</option>" in page and ">Third sector</option>" in page
    assert offered(upload)[2] == GUESSED_VALUES

    assert values_post(client, upload, ANSWERED_VALUES).status_code == 302
    upload.refresh_from_db()
    assert upload.status == UploadStatus.CHECKED, upload.plan["errors"]
    page = detail(client, upload)
    assert confirm_button(upload) in page
    assert "column 'Notes': is not matched to any template column" in page
    confirm(client, upload)
    assert upload.status == UploadStatus.IMPORTED, upload.error
    assert services_as_rows() == expected
    assert upload.dataset_version.original_name == f"our-mh-services.{fmt}"


def test_the_matching_is_remembered_for_the_next_file_with_the_same_columns(
    client, analyst, tmp_path
):
    client.force_login(analyst)
    first = upload_file(client, kind="services", path=own_file(tmp_path, "xlsx"))
    assert offered(first)[0] == GUESSED_COLUMNS
    matched_and_checked(client, first)
    assert first.status == UploadStatus.CHECKED, first.plan["errors"]
    remembered = ColumnMapping.objects.get()
    assert remembered.kind == "services" and remembered.updated_by == analyst
    assert remembered.values["capacity_unit"]["sessions"] == "hours_per_week"

    # next year's list, as a CSV with its columns in another order: the same set of columns
    order = list(reversed(range(len(OWN_HEADER))))
    header = [OWN_HEADER[i] for i in order]
    rows = [[row[i] for i in order] for row in OWN_ROWS]
    second = upload_file(client, kind="services", path=own_file(tmp_path, "csv", header, rows))
    assert second.status == UploadStatus.MAPPING
    assert "The choices below are the ones made for the last file" in detail(client, second)
    columns, fixed, _ = offered(second)
    assert columns == GUESSED_COLUMNS and fixed == {"source": SOURCE}

    assert columns_post(client, second, columns, fixed).status_code == 302
    assert "Values matched for the last file" in detail(client, second)
    assert offered(second)[2] == ANSWERED_VALUES  # "sessions" as answered the first time
    values_post(client, second, offered(second)[2])
    second.refresh_from_db()
    assert second.status == UploadStatus.CHECKED, second.plan["errors"]
    assert ColumnMapping.objects.count() == 1

    # other columns: a guess again, not the remembered matching
    third = upload_file(
        client, kind="services", path=own_file(tmp_path, "csv", [*OWN_HEADER[:-1], "Comments"])
    )
    assert "The choices below are a guess" in detail(client, third)


def test_an_unmatched_required_column_is_named_and_nothing_moves_on(client, analyst, tmp_path):
    client.force_login(analyst)
    upload = upload_file(client, kind="services", path=own_file(tmp_path, "csv"))
    columns = {k: v for k, v in GUESSED_COLUMNS.items() if k != "capacity"}
    response = columns_post(client, upload, columns, {"source": SOURCE})
    assert response.status_code == 200
    page = text(response)
    assert (
        "Capacity (how many) (capacity) is required: choose the column of your file that holds "
        "it, or give one value for every row."
    ) in page
    upload.refresh_from_db()
    assert upload.status == UploadStatus.MAPPING and "mapping" not in upload.options
    assert not ColumnMapping.objects.exists()


def test_a_value_without_a_match_is_reported_by_row_and_column_and_nothing_is_saved(
    client, analyst, tmp_path
):
    client.force_login(analyst)
    before = snapshot()
    rows = [list(row) for row in OWN_ROWS]
    rows[2][12] = "Kempsey Parish Fund"  # a funder no guess can place
    upload = upload_file(client, kind="services", path=own_file(tmp_path, "xlsx", rows=rows))
    columns_post(client, upload, GUESSED_COLUMNS, {"source": SOURCE})
    upload.refresh_from_db()
    _, _, values = offered(upload)
    assert values["funder"]["Kempsey Parish Fund"] == ""
    assert values["capacity_unit"]["sessions"] == ""
    values_post(client, upload, values)  # both left without a match
    upload.refresh_from_db()
    assert upload.status == UploadStatus.REFUSED
    where = "our-mh-services.xlsx, sheet 'Our services'"
    errors = upload.plan["errors"]
    assert any(
        error.startswith(
            f"{where}, row 5, column 'Funder' (the template's 'funder'): 'Kempsey "
            "Parish Fund' is not matched to a funder"
        )
        for error in errors
    ), errors
    assert any(
        error.startswith(
            f"{where}, row 6, column 'Unit' (the template's 'capacity_unit'): 'sessions' is not "
            "allowed here"
        )
        for error in errors
    ), errors
    page = detail(client, upload)
    assert confirm_button(upload) not in page
    assert "Change how your columns and values are matched" in page
    assert snapshot() == before
    assert confirm(client, upload).status_code == 302
    assert upload.status == UploadStatus.REFUSED and snapshot() == before

    # the analyst matches again from the refused upload's page, and answers both this time
    again = client.get(reverse("uploads:detail", args=[upload.pk]) + "?match=columns")
    assert "Match your columns to the template" in text(again)
    assert "The choices below are the ones you made for this file." in text(again)
    columns_post(client, upload, GUESSED_COLUMNS, {"source": SOURCE})
    upload.refresh_from_db()
    assert upload.status == UploadStatus.MAPPING
    assert offered(upload)[2]["capacity_unit"]["sessions"] == ""  # as answered before
    answers = {
        **ANSWERED_VALUES,
        "funder": {**GUESSED_VALUES["funder"], "Kempsey Parish Fund": "other"},
    }
    del answers["funder"]["Worcestershire County Council"]  # no longer in the file
    values_post(client, upload, answers)
    upload.refresh_from_db()
    assert upload.status == UploadStatus.CHECKED, upload.plan["errors"]
    assert snapshot() == before


def test_a_bad_number_names_the_analysts_column_and_the_templates(client, analyst, tmp_path):
    client.force_login(analyst)
    rows = [list(row) for row in OWN_ROWS]
    rows[0][8] = "lots"
    upload = upload_file(client, kind="services", path=own_file(tmp_path, "csv", rows=rows))
    matched_and_checked(client, upload)
    assert upload.status == UploadStatus.REFUSED
    assert upload.plan["errors"] == [
        "our-mh-services.csv, row 2, column 'Places' (the template's 'capacity'): 'lots' is not "
        "a number."
    ]
    assert not Service.objects.filter(code="HW-TT").exists()


def test_a_file_in_the_template_layout_is_checked_at_once(client, analyst, tmp_path):
    client.force_login(analyst)
    upload = upload_file(client, kind="services", path=template_file(tmp_path))
    assert upload.status == UploadStatus.CHECKED and "source_columns" not in upload.options
    assert "data-upload-mapping" not in detail(client, upload)
    response = columns_post(client, upload, GUESSED_COLUMNS)
    assert response.status_code == 302  # refused with a message: it has nothing to match
    upload.refresh_from_db()
    assert upload.status == UploadStatus.CHECKED and "mapping" not in upload.options


HOSTILE_COLUMN = '<script>alert("column")</script>'
HOSTILE_VALUE = '<img src=x onerror=alert("value")>'


def test_hostile_column_names_and_values_are_escaped(client, analyst, tmp_path):
    client.force_login(analyst)
    header = [*OWN_HEADER[:-1], HOSTILE_COLUMN]
    rows = [list(row) for row in OWN_ROWS]
    rows[2][9] = HOSTILE_VALUE
    rows[0][-1] = "anything"
    upload = upload_file(client, kind="services", path=own_file(tmp_path, "csv", header, rows))
    raw = client.get(reverse("uploads:detail", args=[upload.pk])).content.decode()
    assert HOSTILE_COLUMN not in raw and "&lt;script&gt;alert(&quot;column&quot;)" in raw
    columns_post(client, upload, GUESSED_COLUMNS, {"source": SOURCE})
    raw = client.get(reverse("uploads:detail", args=[upload.pk])).content.decode()
    assert HOSTILE_VALUE not in raw and "&lt;img src=x onerror=alert(&quot;value&quot;)&gt;" in raw
    assert not re.search(r"<(script|img)[^>]*alert", raw)
    values_post(client, upload, offered(upload)[2])
    raw = client.get(reverse("uploads:detail", args=[upload.pk])).content.decode()
    assert not re.search(r"<(script|img)[^>]*alert", raw)
    assert "&lt;script&gt;" in raw  # named in the warning about the column left unmatched


def test_only_analysts_match_columns(client, commissioner, analyst, tmp_path):
    client.force_login(analyst)
    upload = upload_file(client, kind="services", path=own_file(tmp_path, "csv"))
    client.force_login(commissioner)
    assert columns_post(client, upload, GUESSED_COLUMNS).status_code == 403
    assert client.post(reverse("uploads:map_values", args=[upload.pk])).status_code == 403
    client.logout()
    response = columns_post(client, upload, GUESSED_COLUMNS)
    assert response.status_code == 302 and "login" in response["Location"]
    upload.refresh_from_db()
    assert "mapping" not in upload.options


def test_a_list_whose_columns_are_never_matched_is_cleaned_up_as_an_unconfirmed_one(
    client, analyst, tmp_path, settings
):
    settings.UPLOAD_STALE_DAYS = 30
    client.force_login(analyst)
    old = upload_file(client, kind="services", path=own_file(tmp_path, "csv"))
    new = upload_file(client, kind="services", path=own_file(tmp_path, "xlsx"))
    Upload.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    assert "then this upload and its file are deleted" in detail(client, new)
    stored = Path(old.file.path)
    assert uploads_clean().stale_uploads == 1
    assert not Upload.objects.filter(pk=old.pk).exists() and not stored.exists()
    assert Upload.objects.filter(pk=new.pk, status=UploadStatus.MAPPING).exists()


def test_the_guesses_from_names_and_words():
    targets = service_targets(service_choices())
    sources = ["Type", "service_type", "Post code", "LONGITUDE", "lat", "Funded by", "Comments"]
    assert columns_guess(targets, sources) == {
        "service_type": "service_type",  # the template's own name wins over a synonym
        "site_postcode": "Post code",
        "site_lon": "LONGITUDE",
        "site_lat": "lat",
        "funder": "Funded by",
    }
    by_column = {target.column: target for target in targets}
    unit, funder = by_column["capacity_unit"], by_column["funder"]
    assert [value_guess(unit, v) for v in ("Places", "Beds", "hours a week", "sessions")] == [
        "caseload_places", "beds", "hours_per_week", "",
    ]  # fmt: skip
    assert [
        value_guess(funder, v)
        for v in ("NHS England", "Wyre Forest District Council", "Better Care Fund", "Charity X")
    ] == ["nhs", "local_authority", "pooled", "other"]
    service_type = by_column["service_type"]
    assert value_guess(service_type, "Talking therapies (NHS)") == "talking_therapies"
    assert value_guess(service_type, "Befriending") == ""  # no guess rather than a wild one
    assert value_guess(by_column["category"], "Day service") == "day_services"


def test_a_value_outside_the_templates_set_is_refused_on_the_form(client, analyst, tmp_path):
    """Only a crafted request can send one (the page offers a list): the form says so and the
    upload keeps waiting for its values."""
    client.force_login(analyst)
    upload = upload_file(client, kind="services", path=own_file(tmp_path, "csv"))
    columns_post(client, upload, GUESSED_COLUMNS, {"source": SOURCE})
    upload.refresh_from_db()
    answers = {**ANSWERED_VALUES, "capacity_unit": {"sessions": "<b>weeks</b>"}}
    response = values_post(client, upload, answers)
    assert response.status_code == 200
    raw = response.content.decode()
    assert "Select a valid choice. &lt;b&gt;weeks&lt;/b&gt; is not one of the available" in raw
    upload.refresh_from_db()
    assert upload.status == UploadStatus.MAPPING and upload.options["mapping"]["values"] == {}


# --- another kind: the analyst's own localities ------------------------------------------------


def pcn_file(tmp_path: Path, *, bad_row: int = 0) -> Path:
    """Every demo small area in one of two PCN neighbourhoods, as a team's own list names them:
    "LSOA" and "PCN", with a column of notes."""
    codes = demo_lsoa_codes(count=10_000)
    rows = [["LSOA", "PCN", "Notes"]]
    for number, code in enumerate(codes, start=2):
        pcn = "Wyvern North PCN" if number % 2 else "Wyvern South PCN"
        rows.append(["E01XXXX" if number == bad_row else code, pcn, ""])
    path = tmp_path / "pcn-neighbourhoods.csv"
    path.write_bytes(csv_bytes(rows))
    return path


def test_own_localities_are_matched_and_imported(client, analyst, tmp_path):
    client.force_login(analyst)
    upload = upload_file(
        client, kind="localities", path=pcn_file(tmp_path), scheme_name="PCN neighbourhoods"
    )
    assert upload.status == UploadStatus.MAPPING
    columns, fixed, _ = offered(upload)
    assert columns == {"lsoa_code": "LSOA", "locality_name": "PCN"} and fixed == {}
    page = detail(client, upload)
    assert "Not for this column" in page and "fixed__lsoa_code" not in page

    assert columns_post(client, upload, columns).status_code == 302
    upload.refresh_from_db()
    assert upload.status == UploadStatus.CHECKED, upload.plan["errors"]  # no values to match
    confirm(client, upload)
    assert upload.status == UploadStatus.IMPORTED, upload.error
    scheme = LocalityScheme.objects.get(name="PCN neighbourhoods")
    assert set(scheme.localities.values_list("name", flat=True)) == {
        "Wyvern North PCN",
        "Wyvern South PCN",
    }
    assert ColumnMapping.objects.get().kind == "localities"


def test_own_localities_errors_name_the_analysts_column(client, analyst, tmp_path):
    client.force_login(analyst)
    before = LocalityScheme.objects.count()
    upload = upload_file(client, kind="localities", path=pcn_file(tmp_path, bad_row=3))
    response = columns_post(client, upload, {"locality_name": "PCN"})
    assert "LSOA code (lsoa_code) is required: choose the column of your file that holds it." in (
        text(response)
    )
    columns_post(client, upload, {"lsoa_code": "LSOA", "locality_name": "PCN"})
    upload.refresh_from_db()
    assert upload.status == UploadStatus.REFUSED
    assert upload.plan["errors"] == [
        "pcn-neighbourhoods.csv, row 3, column 'LSOA': 'E01XXXX' is not an LSOA code (E01 or W01 "
        "and 6 digits)."
    ]
    assert LocalityScheme.objects.count() == before
