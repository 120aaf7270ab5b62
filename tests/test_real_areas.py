"""A real area, as published, end to end: the README's load order on both LSOA vintages, a run
for every locality scheme, the chapter, the downloads, and every page for every role.

Reads ../shared/data/worcestershire in place (skips where it is absent). The synthetic demo
county stays loaded beside it (the session's fixture), as a second area would be: nothing of
one may leak into the other's figures. Runs on SQLite and, in the second pass, PostgreSQL.
"""

import csv
import io
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pandas as pd
import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.test import Client, TestCase
from django.urls import Resolver404, resolve
from shapely.geometry import shape

from gapanalysis.exports import export_execute, export_start
from gapanalysis.models import AnalysisRun, GapResult, ResultLevel, RunStatus
from jsna.roles import ANALYST, COMMISSIONER, JSNA_MANAGER
from needs import selectors as needs_selectors
from needs.demography.localities import DISTRICTS, MSOAS, WARDS
from needs.models import Deprivation, LocalityScheme, PopulationEstimate
from provision import baseline
from provision.models import Service
from provision.template import COLUMNS
from tests.conftest import PASSWORD, run_in_process
from tests.downloads import csv_records, csv_rows
from tests.uploads.conftest import WORCESTERSHIRE, needs_real_data, rolled_back_shared_state

pytestmark = [needs_real_data, pytest.mark.django_db]

PUBLISHED_2020 = 598_070  # ONS mid-2020 SAPE, the county's 364 LSOAs (2011), persons
PUBLISHED_2019 = 595_786
LSOAS_2021 = 374
# The README's load order: boundaries, lookups, Census sex totals, population, deprivation.
README_ORDER = [
    ("import_boundaries", "lsoa11_boundaries_bgc.geojson"),
    ("import_boundaries", "lsoa21_boundaries_bgc.geojson"),
    ("import_boundaries", "msoa11_boundaries_bgc.geojson"),
    ("import_boundaries", "msoa21_boundaries_bgc.geojson"),
    ("import_boundaries", "ward25_boundaries_bgc.geojson"),
    ("import_boundaries", "lad_boundaries_from_lsoa21_bgc.geojson"),
    ("import_lookup", "lookup_lsoa11_msoa11_lad_icb.csv"),
    ("import_lookup", "lookup_lsoa21_msoa21_ward24_lad_icb.csv"),
    ("import_lookup", "lookup_lsoa11_to_lsoa21.csv"),
    ("import_sex_totals", "census2021_ts008_sex_lsoa21.csv"),
    ("import_population", "population_mid2019_lsoa11_single_year_of_age_persons.csv"),
    ("import_population", "population_mid2020_lsoa11_single_year_of_age_persons.csv"),
    ("import_deprivation", "imd2019_lsoa11_ranks_deciles_denominators.csv"),
    ("import_deprivation", "imd2025_lsoa21_scores_ranks_deciles.csv"),
]
CUSTOM = "North and south (custom)"
SPLIT_2011 = "E01032130"  # Bromsgrove 013A, split into two 2021 LSOAs
ITS_2021_PARTS = {"E01034316", "E01034317"}
NEW_2021 = "E01034316"  # a 2021 LSOA whose code did not exist in 2011
WORCESTER = "E07000237"
FINANCIAL_YEAR = "2030/31"  # later than the demo's, so the runs count these services


def rows_of(name: str) -> list[dict[str, str]]:
    with (WORCESTERSHIRE / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def hierarchy_2021() -> list[dict[str, str]]:
    return rows_of("lookup_lsoa21_msoa21_ward24_lad_icb.csv")


def csv_file(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def inside(code: str) -> tuple[float, float]:
    """A point inside a 2021 LSOA's published outline."""
    import json

    features = json.loads((WORCESTERSHIRE / "lsoa21_boundaries_bgc.geojson").read_text())
    feature = next(f for f in features["features"] if f["properties"]["LSOA21CD"] == code)
    point = shape(feature["geometry"]).representative_point()
    return point.x, point.y


def service_row(code: str, **values: str) -> dict[str, str]:
    row = {column: example for column, _, _, example in COLUMNS}
    row |= {"site_name": "", "site_postcode": "", "site_lon": "", "site_lat": ""}
    return row | {"service_code": code, "financial_year": FINANCIAL_YEAR} | values


def services_file(folder: Path) -> Path:
    """Services sited or catchment-coded on either vintage (all invented, for the test)."""
    lon, lat = inside(NEW_2021)
    rows = [
        service_row("T-SITE-NEW", name="Test: site in a new 2021 LSOA", site_name="Hub",
                    site_lon=f"{lon:.6f}", site_lat=f"{lat:.6f}"),
        service_row("T-CATCH-2011", name="Test: catchment a split 2011 LSOA",
                    catchment_codes=SPLIT_2011),
        service_row("T-CATCH-LAD", name="Test: catchment Worcester", catchment_codes=WORCESTER),
        # Talking therapies: memory assessment counts towards no norm that can be computed yet.
        service_row("T-WHOLE", name="Test: whole area, talking therapies", age_min="18",
                    capacity="900", capacity_unit="courses_per_year"),
    ]  # fmt: skip
    return csv_file(folder / "services.csv", rows)


def custom_scheme_file(folder: Path) -> Path:
    north = {"E07000234", "E07000236", "E07000239"}  # Bromsgrove, Redditch, Wyre Forest
    rows = [
        {"lsoa21_code": row["lsoa21_code"],
         "locality_name": "North" if row["ltla24_code"] in north else "South"}
        for row in hierarchy_2021()
    ]  # fmt: skip
    return csv_file(folder / "north_south.csv", rows)


def run_for(scheme: LocalityScheme, year: int) -> AnalysisRun:
    return run_in_process(scheme=scheme, year=year)


@dataclass
class County:
    runs: dict[str, AnalysisRun] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="module")
def county(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[County]:
    folder = tmp_path_factory.mktemp("real-area")
    with rolled_back_shared_state(django_db_blocker, folder / "media"):
        loaded = County()
        for command, name in README_ORDER:
            out = io.StringIO()
            call_command(command, str(WORCESTERSHIRE / name), stdout=out)
            loaded.outputs[name] = out.getvalue()
        call_command("import_localities", str(custom_scheme_file(folder)), "--name", CUSTOM,
                     stdout=io.StringIO())  # fmt: skip
        call_command("import_services", str(services_file(folder)), stdout=io.StringIO())
        for name in (DISTRICTS, MSOAS, CUSTOM):
            loaded.runs[name] = run_for(LocalityScheme.objects.get(name=name), 2020)
        wards = LocalityScheme.objects.get(name__startswith=WARDS)
        loaded.runs[WARDS] = run_for(wards, 2020)
        loaded.runs["2019"] = run_for(LocalityScheme.objects.get(name=DISTRICTS), 2019)
        for role in (ANALYST, COMMISSIONER, JSNA_MANAGER):
            user = User.objects.create_user(username=f"real-{role}", password=PASSWORD)
            user.groups.set(Group.objects.filter(name=role))
            loaded.users[role] = user
        yield loaded


# --- import: both vintages, nobody lost ------------------------------------------------------


def test_population_published_on_2011_lsoas_lands_on_the_374_2021_lsoas(county):
    for year, published in ((2019, PUBLISHED_2019), (2020, PUBLISHED_2020)):
        rows = PopulationEstimate.objects.filter(year=year, area__is_synthetic=False)
        assert set(rows.values_list("area__level", flat=True).distinct()) == {"lsoa21"}
        assert rows.values("area").distinct().count() == LSOAS_2021
        total = rows.aggregate(total=Sum("count"))["total"]
        assert total == pytest.approx(published, abs=0.5), year


def test_the_population_import_says_how_it_converted_and_that_the_year_is_complete(county):
    out = county.outputs["population_mid2020_lsoa11_single_year_of_age_persons.csv"]
    assert "19 split by weight, 355 unchanged" in out
    assert "Coverage: every one of the area's 374 2021 LSOAs is in the file" in out


# --- runs: one per scheme, residents conserved at every level ----------------------------------


@pytest.mark.parametrize("scheme", [DISTRICTS, MSOAS, WARDS, CUSTOM])
def test_a_run_for_each_scheme_counts_every_published_resident_once(county, scheme):
    run = county.runs[scheme]
    assert run.status == RunStatus.SUCCEEDED, run.error
    residents = run.inputs["residents"]
    assert residents["total"] == pytest.approx(PUBLISHED_2020, abs=0.5)
    assert residents["in_localities"] == pytest.approx(PUBLISHED_2020, abs=0.5)
    assert residents["small_areas"] == LSOAS_2021 and residents["incomplete"] == ""
    expected_localities = {DISTRICTS: 6, MSOAS: 85, WARDS: 112, CUSTOM: 2}[scheme]
    assert residents["localities"] == expected_localities
    assert residents["sentence"] == (
        f"598,070 residents in 374 small areas, every one in a locality "
        f"({expected_localities} localities)"
    )


@pytest.mark.parametrize("scheme", [DISTRICTS, MSOAS, WARDS, CUSTOM])
def test_small_areas_sum_to_localities_sum_to_the_whole_area_for_every_measure(county, scheme):
    run = county.runs[scheme]
    results = GapResult.objects.filter(run=run)
    for norm in sorted(set(results.values_list("norm_code", flat=True))):
        own = results.filter(norm_code=norm)
        small = own.filter(level=ResultLevel.SMALL_AREA)
        assert small.count() == small.values("unit_code").distinct().count() == LSOAS_2021
        for measure in ("population", "expected_cases", "capacity", "spend"):
            sums = {
                level: own.filter(level=level).aggregate(total=Sum(measure))["total"] or 0.0
                for level in ResultLevel.values
            }
            assert sums[ResultLevel.LOCALITY] == pytest.approx(sums[ResultLevel.SMALL_AREA])
            assert sums[ResultLevel.WHOLE_AREA] == pytest.approx(sums[ResultLevel.SMALL_AREA])


def test_the_whole_area_carries_the_places_published_name(county):
    for run in county.runs.values():
        whole = GapResult.objects.filter(run=run, level=ResultLevel.WHOLE_AREA)
        assert set(whole.values_list("unit_name", flat=True)) == {"Worcestershire"}


def test_no_demo_small_area_reaches_a_run_of_the_real_county(county):
    codes = set(
        GapResult.objects.filter(
            run=county.runs[DISTRICTS], level=ResultLevel.SMALL_AREA
        ).values_list("unit_code", flat=True)
    )
    assert codes == {row["lsoa21_code"] for row in hierarchy_2021()}


def test_the_2019_run_uses_the_2019_population(county):
    run = county.runs["2019"]
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.inputs["residents"]["total"] == pytest.approx(PUBLISHED_2019, abs=0.5)


# --- services on either vintage -----------------------------------------------------------------


def test_each_service_reaches_the_2021_lsoas_its_site_or_catchment_gives(county):
    """As a run of the county attributes them: over the county's 2021 LSOAs and residents."""
    services = pd.DataFrame(
        Service.objects.filter(financial_year=FINANCIAL_YEAR, code__startswith="T-").values_list(
            "code", "capacity", "annual_spend", "age_min", "age_max"
        ),
        columns=["service_code", "capacity", "spend", "age_min", "age_max"],
    ).astype({"spend": float, "age_max": float})
    scheme = LocalityScheme.objects.get(name=DISTRICTS)
    population = needs_selectors.population_frame(
        year=2020, codes=needs_selectors.scheme_area_codes(scheme=scheme)
    )
    shares = baseline.attribute(services, financial_year=FINANCIAL_YEAR, population=population)
    reached = shares.groupby("service_code")["area_code"].apply(set).to_dict()
    worcester = {row["lsoa21_code"] for row in hierarchy_2021() if row["ltla24_code"] == WORCESTER}
    assert reached["T-SITE-NEW"] == {NEW_2021}
    assert reached["T-CATCH-2011"] == ITS_2021_PARTS
    assert reached["T-CATCH-LAD"] == worcester
    assert reached["T-WHOLE"] == {row["lsoa21_code"] for row in hierarchy_2021()}
    for code, share in shares.groupby("service_code")["share"].sum().items():
        assert share == pytest.approx(1.0), code
    rules = shares.groupby("service_code")["rule"].first().to_dict()
    assert rules["T-SITE-NEW"] != rules["T-CATCH-2011"]


def test_the_runs_count_the_real_areas_services_and_not_the_demos(county):
    codes = set(county.runs[DISTRICTS].inputs["service_codes"])
    assert {"T-SITE-NEW", "T-CATCH-2011", "T-CATCH-LAD", "T-WHOLE"} <= codes
    demo = set(Service.objects.filter(is_synthetic=True).values_list("code", flat=True))
    assert not codes & demo


# --- the chapter and the downloads ----------------------------------------------------------------


def test_the_chapter_states_that_nobody_was_lost(county):
    run = county.runs[WARDS]
    with TestCase.captureOnCommitCallbacks(execute=False):
        export = export_start(run=run, fmt="html", user=county.users[JSNA_MANAGER])
    export_execute(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == RunStatus.SUCCEEDED, export.error
    with export.file.open("rb") as handle:
        document = handle.read().decode()
    assert "598,070 residents in 374 small areas, every one in a locality" in document
    # Real ONS boundaries: their copyright line; the demo's invented files are not sources.
    assert "Contains OS data © Crown copyright and database right" in document
    assert "lsoa21_boundaries_bgc.geojson" in document and "Synthetic demo" not in document


def signed_in(county: County, role: str) -> Client:
    client = Client()
    client.force_login(county.users[role])
    return client


def csv_codes(content: bytes, column: str) -> Counter:
    _, rows = csv_records(content)
    return Counter(row[column] for row in rows)


def test_each_lsoa_appears_once_in_the_small_area_download(county):
    response = signed_in(county, COMMISSIONER).get(
        "/need/download.csv", {"condition": "dementia", "level": "small_area", "year": 2020}
    )
    assert response.status_code == 200
    _, rows = csv_rows(response.content)
    code_column = next(name for name in rows[0] if re.search("code", name, re.I))
    counts = csv_codes(response.content, code_column)
    assert set(counts) == {row["lsoa21_code"] for row in hierarchy_2021()}
    assert set(counts.values()) == {1}


def test_each_lsoa_appears_once_in_a_localitys_download(county):
    run = county.runs[DISTRICTS]
    client = signed_in(county, COMMISSIONER)
    seen: Counter = Counter()
    localities = GapResult.objects.filter(run=run, level=ResultLevel.LOCALITY)
    for unit in sorted(set(localities.values_list("unit_code", flat=True))):
        response = client.get(f"/runs/{run.pk}/localities/{unit}/figures.csv")
        assert response.status_code == 200
        text = response.content.decode("utf-8-sig")
        seen.update(set(re.findall(r"E01\d{6}", text)))
    assert set(seen) == {row["lsoa21_code"] for row in hierarchy_2021()}
    assert set(seen.values()) == {1}  # each LSOA under exactly one district


# --- every page, every role -----------------------------------------------------------------


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"a": "href", "iframe": "src"}.get(tag)
        for name, value in attrs:
            if name == wanted and value:
                self.found.append(value)


SKIP = re.compile(r"^/(admin|accounts/logout|static)/|/download/$")
PER_PATTERN = 3  # instances of one URL pattern (a locality page, a map) visited per role


def crawl(client: Client) -> dict[str, int]:
    """Follow every same-site link and frame from the home page (GET only), visiting at most
    PER_PATTERN instances of each URL pattern. Returns path → status."""
    queue, seen, per_pattern, status = ["/"], set(), defaultdict(int), {}
    while queue:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.netloc or url in seen or SKIP.search(parts.path):
            continue
        seen.add(url)
        try:
            name = resolve(parts.path).view_name
        except Resolver404:
            status[url] = 404
            continue
        key = (name, tuple(sorted(re.findall(r"(\w+)=", parts.query))))
        if per_pattern[key] >= PER_PATTERN:
            continue
        per_pattern[key] += 1
        response = client.get(url)
        status[url] = response.status_code
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            parser = Links()
            parser.feed(response.content.decode())
            queue += [urljoin(url, link).split("#")[0] for link in parser.found]
    return status


@pytest.mark.parametrize("role", [ANALYST, COMMISSIONER, JSNA_MANAGER])
def test_every_page_a_role_can_reach_answers_without_error(county, role):
    status = crawl(signed_in(county, role))
    broken = {url: code for url, code in status.items() if code not in (200, 302)}
    assert not broken, broken
    assert len(status) > 15  # the crawl reached the site, not just the home page
    assert any(re.match(r"/runs/\d+/localities/", url) for url in status)


# --- a year that leaves part of the area out ----------------------------------------------------


def half_of_mid_2020(folder: Path) -> Path:
    rows = rows_of("population_mid2020_lsoa11_single_year_of_age_persons.csv")
    return csv_file(folder / "population_half_persons.csv", rows[: len(rows) // 2])


def test_a_year_covering_half_the_area_is_refused_naming_what_is_missing(county, tmp_path):
    path = half_of_mid_2020(tmp_path)
    err = io.StringIO()
    with pytest.raises(CommandError, match="refused"):
        call_command("import_population", str(path), "--year", "2018", stdout=io.StringIO(),
                     stderr=err)  # fmt: skip
    assert "mid-2018 covers" in err.getvalue() and "of the area's 374 2021 LSOAs" in err.getvalue()
    assert "on the command line, --incomplete" in err.getvalue()
    assert not PopulationEstimate.objects.filter(year=2018).exists()


def test_an_incomplete_year_is_imported_only_when_asked_never_default_and_said(county, tmp_path):
    path = half_of_mid_2020(tmp_path)
    call_command("import_population", str(path), "--year", "2018", "--incomplete",
                 stdout=io.StringIO())  # fmt: skip
    districts = LocalityScheme.objects.get(name=DISTRICTS)
    assert PopulationEstimate.objects.filter(year=2018).exists()
    assert needs_selectors.latest_population_year(scheme=districts) == 2020
    run = run_for(districts, 2018)
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.inputs["residents"]["incomplete"].startswith("Incomplete population year: mid-2018")
    page = signed_in(county, COMMISSIONER).get(f"/runs/{run.pk}/").content.decode()
    assert "Incomplete" in page and "Incomplete population year: mid-2018" in page


# --- only the 2021 geography and the best fit: 2011 files are converted, nobody refused -------


def test_2011_files_are_converted_when_only_the_2021_geography_is_loaded(
    django_db_setup, django_db_blocker, tmp_path
):
    with rolled_back_shared_state(django_db_blocker, tmp_path / "media"):
        for command, name in [
            ("import_boundaries", "lsoa21_boundaries_bgc.geojson"),
            ("import_lookup", "lookup_lsoa21_msoa21_ward24_lad_icb.csv"),
            ("import_lookup", "lookup_lsoa11_to_lsoa21.csv"),
            ("import_sex_totals", "census2021_ts008_sex_lsoa21.csv"),
            ("import_population", "population_mid2020_lsoa11_single_year_of_age_persons.csv"),
            ("import_deprivation", "imd2019_lsoa11_ranks_deciles_denominators.csv"),
        ]:
            call_command(command, str(WORCESTERSHIRE / name), stdout=io.StringIO())
        population = PopulationEstimate.objects.filter(year=2020, area__is_synthetic=False)
        assert population.values("area").distinct().count() == LSOAS_2021
        total = population.aggregate(total=Sum("count"))["total"]
        assert total == pytest.approx(PUBLISHED_2020, abs=0.5)
        imd = Deprivation.objects.filter(edition="IMD2019", area__level="lsoa21")
        assert imd.count() == LSOAS_2021
        run = run_for(LocalityScheme.objects.get(name=DISTRICTS), 2020)
        assert run.status == RunStatus.SUCCEEDED, run.error
        assert run.inputs["residents"]["total"] == pytest.approx(PUBLISHED_2020, abs=0.5)
