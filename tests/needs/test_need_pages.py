"""The need pages: who may see them, what they show, and downloads that add up."""

import io
import re

import pytest
from django.db.models import F, Sum
from django.urls import reverse
from openpyxl import load_workbook

from needs.models import Condition, Locality, PopulationEstimate, PrevalenceRate
from needs.need_pages import COLUMNS
from needs.services import rates_load
from tests.downloads import csv_records, formulas, opened_in_a_spreadsheet
from tests.hostile_text import STORABLE

pytestmark = pytest.mark.django_db

DISTRICTS = ("Marlbridge", "Severnholt", "Ashwold", "Corvedon", "Hallowmere")
BASE_YEAR = 2023
SMALL_AREAS = 304
ROW = '<tr class="nhsuk-table__row">'
APMS_BANDS = ((16, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, 74), (75, None))
CMD_MEN = (10.0, 17.4, 16.3, 13.8, 15.6, 8.1, 5.6)
CMD_WOMEN = (28.2, 20.7, 22.3, 24.2, 20.2, 14.7, 11.0)


def need_url(name: str = "needs:need", *args: str, **query: object) -> str:
    url = reverse(name, args=list(args))
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def download_url(fmt: str, **query: object) -> str:
    return need_url("needs:need_download", fmt, **query)


def whole_area_estimate(client, condition: str, year: int) -> float:
    response = client.get(download_url("csv", condition=condition, year=year, level="locality"))
    assert response.status_code == 200
    _, rows = csv_records(response.content)
    return sum(float(row["Estimated people"]) for row in rows)


@pytest.fixture
def signed_in(client, commissioner):
    client.force_login(commissioner)
    return client


PAGES = [
    need_url(),
    need_url("needs:need_map"),
    download_url("csv"),
    download_url("xlsx", condition="cmd", year=BASE_YEAR, level="locality"),
]


@pytest.mark.parametrize("url", PAGES)
def test_an_anonymous_visitor_is_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("url", PAGES)
def test_someone_without_a_role_is_refused(client, outsider, url):
    client.force_login(outsider)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("persona", ["analyst", "commissioner", "jsna_manager"])
def test_every_role_may_see_the_need_page(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(need_url()).status_code == 200


def test_the_page_with_no_parameters_shows_common_mental_disorder_in_the_base_year(signed_in):
    response = signed_in.get(need_url())
    assert response.status_code == 200
    body = response.content.decode()
    headline = Condition.objects.get(code="cmd")  # the headline condition, not alphabetical
    assert f"<h2>{headline.name}, {BASE_YEAR}</h2>" in body
    assert "projected from" not in body
    assert body.count(ROW) == len(DISTRICTS)
    for name in DISTRICTS:
        assert name in body
    assert "Synthetic demo data" in body


def test_a_projected_year_at_small_area_level_says_so_and_lists_every_small_area(signed_in):
    response = signed_in.get(need_url(condition="dementia", year=2040, level="small_area"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "(projected from 2023)" in body
    assert "by small area, 2040" in body
    assert body.count(ROW) == SMALL_AREAS
    assert "nhsuk-error-summary" not in body


def test_the_page_links_to_a_map_and_downloads_for_the_same_question(signed_in):
    body = signed_in.get(need_url(condition="cmd", year=2030, level="small_area")).content.decode()
    query = "condition=cmd&amp;year=2030&amp;level=small_area"
    assert f'src="/need/map/?{query}"' in body
    assert f'href="/need/download.csv?{query}"' in body
    assert f'href="/need/download.xlsx?{query}"' in body


def test_the_map_document_loads_only_this_sites_leaflet_and_is_frameable_only_here(signed_in):
    response = signed_in.get(
        need_url("needs:need_map", condition="cmd", year=2023, level="locality")
    )
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'self'" in policy
    body = response.content.decode()
    assert "/static/vendor/leaflet/leaflet.js" in body
    assert not re.search(r"""(src|href)\s*=\s*["'](https?:)?//""", body, re.IGNORECASE)
    for name in DISTRICTS:
        assert name in body


def test_the_need_page_itself_may_not_be_framed(signed_in):
    assert signed_in.get(need_url())["X-Frame-Options"] == "DENY"


def test_the_csv_download_for_five_districts_adds_up_to_the_whole_area_from_the_database(
    signed_in,
):
    response = signed_in.get(download_url("csv", condition="cmd", year=2023, level="locality"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == ('attachment; filename="need-cmd-2023-locality.csv"')
    notes, rows = csv_records(response.content)
    assert any("Adult Psychiatric Morbidity Survey 2014" in note for note in notes)
    assert sorted(row["Name"] for row in rows) == sorted(DISTRICTS)
    assert list(rows[0]) == list(COLUMNS.values())
    # Any CMD, APMS 2014 table 2.3 (apms-2014-ch-02-tabs.xls, rows 13 and 22, columns B-H):
    # the published percentages by sex and age band, applied band by band.
    expected = 0.0
    for sex, percents in (("M", CMD_MEN), ("F", CMD_WOMEN)):
        for (age_min, age_max), percent in zip(APMS_BANDS, percents, strict=True):
            people = PopulationEstimate.objects.filter(year=2023, sex=sex, age__gte=age_min)
            if age_max is not None:
                people = people.filter(age__lte=age_max)
            expected += percent / 100 * (people.aggregate(n=Sum(F("count")))["n"] or 0)
    downloaded = sum(float(row["Estimated people"]) for row in rows)
    assert downloaded == pytest.approx(expected, rel=1e-6)
    assert expected > 10_000  # a real county's worth, not an empty sum


def test_the_xlsx_download_opens_with_the_same_districts(signed_in):
    response = signed_in.get(download_url("xlsx", condition="cmd", year=2023, level="locality"))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('need-cmd-2023-locality.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Data", "Notes"]
    data = list(book["Data"].iter_rows(values_only=True))
    assert list(data[0]) == list(COLUMNS.values())
    assert sorted(row[1] for row in data[1:]) == sorted(DISTRICTS)
    assert book["Notes"]["A1"].value.startswith("Synthetic demo data")


def test_an_unknown_condition_shows_a_form_error_and_no_table(signed_in):
    response = signed_in.get(need_url(condition="no-such-thing", year=2023, level="locality"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body and "Condition: Choose the condition from the list" in body
    assert "<table" not in body and ROW not in body


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_unknown_condition_has_no_download(signed_in, fmt):
    url = download_url(fmt, condition="no-such-thing", year=2023, level="locality")
    assert signed_in.get(url).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        {"condition": "cmd", "year": 2019, "level": "locality"},
        {"condition": "cmd", "year": 2023, "level": "region"},
        {"condition": "cmd", "year": "soon", "level": "locality"},
    ],
)
def test_a_year_or_level_not_offered_is_a_form_error_and_has_no_download(signed_in, query):
    body = signed_in.get(need_url(**query)).content.decode()
    assert "There is a problem" in body and ROW not in body
    assert signed_in.get(download_url("csv", **query)).status_code == 404


def test_an_unknown_download_format_is_not_found(signed_in):
    url = download_url("pdf", condition="cmd", year=2023, level="locality")
    assert signed_in.get(url).status_code == 404


def test_the_demo_county_ages_so_projected_dementia_exceeds_the_base_year(signed_in):
    base = whole_area_estimate(signed_in, "dementia", BASE_YEAR)
    later = whole_area_estimate(signed_in, "dementia", 2040)
    assert base > 0
    assert later > base


def test_the_small_area_download_adds_up_to_the_locality_download(signed_in):
    small = signed_in.get(download_url("csv", condition="dementia", year=2030, level="small_area"))
    _, rows = csv_records(small.content)
    assert len(rows) == SMALL_AREAS
    total = sum(float(row["Estimated people"]) for row in rows)
    # Each downloaded row is rounded to 2 decimals: the sums may differ by half a hundredth a row.
    rounding = 0.005 * (SMALL_AREAS + len(DISTRICTS))
    assert total == pytest.approx(whole_area_estimate(signed_in, "dementia", 2030), abs=rounding)


def test_a_question_asked_in_part_is_answered_with_the_defaults_for_the_rest(signed_in):
    body = signed_in.get(need_url(condition="dementia", adjust_for_deprivation="on")).content
    assert f"<h2>Dementia (65 and over), {BASE_YEAR}</h2>" in body.decode()
    assert "nhsuk-error-summary" not in body.decode()


def test_the_map_document_with_no_parameters_shows_the_default_question(signed_in):
    response = signed_in.get(need_url("needs:need_map"))
    assert response.status_code == 200
    assert f", {BASE_YEAR}" in response.content.decode()


def test_rates_for_a_condition_from_a_second_source_do_not_break_its_page(signed_in, tmp_path):
    path = tmp_path / "cmd-local.csv"
    path.write_text(
        "condition_code,condition_name,condition_group,sex,age_min,age_max,rate,lower,upper,"
        "source,source_year\n"
        "cmd,Common mental disorder,adults,F,16,,0.2,,,Local survey,2024\n"
        "cmd,Common mental disorder,adults,M,16,,0.1,,,Local survey,2024\n",
        encoding="utf-8",
    )
    rates_load(path=path)
    response = signed_in.get(need_url(condition="cmd", year=BASE_YEAR, level="locality"))
    assert response.status_code == 200


def test_the_csv_download_opens_in_a_spreadsheet_with_no_formula_and_every_name_in_one_cell(
    signed_in, tmp_path
):
    """Names typed into an upload and honest sources with commas: each stays in its cell and
    none runs as a formula when Gnumeric opens the download."""
    hostile = [*STORABLE[:4], "=1+1"]
    for locality, name in zip(Locality.objects.order_by("code")[:5], hostile, strict=True):
        locality.name = name
        locality.save(update_fields=["name"])
    cmd = Condition.objects.get(code="cmd")
    cmd.name = 'Anxiety, depression =HYPERLINK("http://x")'
    cmd.save(update_fields=["name"])
    source = "Adult Psychiatric Morbidity Survey, England, 2014"
    PrevalenceRate.objects.filter(condition=cmd).update(
        source=source, source_table="Table 2.1, =1+1"
    )
    response = signed_in.get(download_url("csv", condition="cmd", year=2023, level="locality"))
    sheet = opened_in_a_spreadsheet(response.content, tmp_path)
    assert formulas(sheet) == []
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    notes = [row[0] for row in cells if str(row[0]).startswith("# ")]
    assert f"# Rates: {source}, Table 2.1, =1+1 (2016)" in notes
    assert f"# {cmd.name}, 2023" in notes
    assert all(set(row[1:]) <= {None} for row in cells[: len(notes)])
    header = cells[len(notes)]
    assert header == list(COLUMNS.values())
    names = [row[header.index("Name")] for row in cells[len(notes) + 1 :]]
    wanted = [name.replace("\r\n", "\n") for name in hostile]
    assert sorted(name.replace("\r\n", "\n") for name in names) == sorted(wanted)
    people = [row[header.index("Estimated people")] for row in cells[len(notes) + 1 :]]
    assert all(isinstance(value, float) and value > 0 for value in people)
