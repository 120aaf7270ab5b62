"""`manage.py load_county`: Worcestershire's published files through the importers, the catalogue
and illustrative services; loaded again without duplicates; the footer says what is loaded.

The county is loaded once for the module (about 30 s on SQLite, twice: the second load is the
rerun), into a database from which the session's synthetic demo was removed, as `make run`
starts from an empty one. Everything is rolled back when the module is done.
"""

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Sum
from django.test import Client, TestCase
from django.urls import reverse

from jsna import county_services
from jsna.county import COUNTY_FILES, COUNTY_FOLDER, SITES_FILE, CountyLoadRefused, county_load
from jsna.services import demo_load
from needs.models import (
    Area,
    AreaIndicator,
    AreaLevel,
    DatasetVersion,
    Deprivation,
    Locality,
    LocalityArea,
    LocalityScheme,
    LsoaBestFit,
    PopulationEstimate,
    SexTotal,
)
from provision.models import Service, ServiceFunding, ServiceSite
from tests.conftest import SHARED_DATA, run_in_process

pytestmark = pytest.mark.django_db  # one group for pytest-django: the county is loaded once
WORCESTERSHIRE = SHARED_DATA / "worcestershire"
SHIPPED = sorted([county_file.name for county_file in COUNTY_FILES] + [SITES_FILE])
MIDYEAR_2020_TOTAL = 598_070  # ONS mid-2020 SAPE, Worcestershire's 364 LSOAs (shared README)
TABLES = (
    Area, PopulationEstimate, Deprivation, SexTotal, LsoaBestFit, LocalityScheme, Locality,
    LocalityArea, Service, ServiceFunding, ServiceSite,
)  # fmt: skip
DEMO_LEVELS_BOTTOM_UP = ("lsoa21", "lsoa11", "msoa21", "msoa11", "ward", "lad", "county", "region")


@dataclass(frozen=True)
class Loaded:
    output: str
    seconds: float
    first: dict[str, int]
    second: dict[str, int]


def counts() -> dict[str, int]:
    tables = {model.__name__: model.objects.count() for model in TABLES}
    active = DatasetVersion.objects.filter(retired_at__isnull=True).count()
    return tables | {"active dataset versions": active}


def demo_remove() -> None:
    """The synthetic demo out of the database (children before their parents: PROTECT)."""
    Service.objects.filter(is_synthetic=True).delete()
    LocalityScheme.objects.filter(is_synthetic=True).delete()
    DatasetVersion.objects.filter(is_synthetic=True).delete()
    for level in DEMO_LEVELS_BOTTOM_UP:
        Area.objects.filter(is_synthetic=True, level=level).delete()


@pytest.fixture(scope="module")
def county(django_db_setup, django_db_blocker) -> Iterator[Loaded]:
    with django_db_blocker.unblock(), transaction.atomic():
        demo_remove()
        output = StringIO()
        started = time.monotonic()
        call_command("load_county", stdout=output)
        seconds = time.monotonic() - started
        first = counts()
        call_command("load_county", stdout=StringIO())
        yield Loaded(output.getvalue(), seconds, first, counts())
        transaction.set_rollback(True)


def footer(client: Client, user: object) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return re.search(r"<footer.*?</footer>", response.content.decode(), re.S).group(0)


# --- the files -------------------------------------------------------------------------------


def test_the_shipped_files_are_the_ones_listed_with_a_readme():
    present = sorted(path.name for path in COUNTY_FOLDER.iterdir())
    assert present == sorted([*SHIPPED, "README.md"])
    readme = (COUNTY_FOLDER / "README.md").read_text()
    assert "Open Government Licence v3.0" in readme
    assert "Contains OS data © Crown copyright and database right" in readme
    for name in SHIPPED:
        assert f"`{name}`" in readme


@pytest.mark.skipif(not WORCESTERSHIRE.is_dir(), reason=f"{WORCESTERSHIRE} is absent")
@pytest.mark.parametrize("name", SHIPPED)
def test_each_shipped_file_is_byte_identical_to_the_shared_data(name):
    assert (COUNTY_FOLDER / name).read_bytes() == (WORCESTERSHIRE / name).read_bytes()


# --- the load --------------------------------------------------------------------------------


def test_it_loads_every_area_level_of_the_county(county, db):
    real = Area.objects.filter(is_synthetic=False)
    levels = dict(real.values_list("level").annotate(n=Count("id")).values_list("level", "n"))
    assert {level: levels.get(level) for level in ("lsoa21", "lsoa11", "msoa21", "msoa11")} == {
        "lsoa21": 374,
        "lsoa11": 364,
        "msoa21": 85,
        "msoa11": 85,
    }
    assert real.filter(level=AreaLevel.LAD, geometry__isnull=False).count() == 6
    assert real.filter(level=AreaLevel.WARD, geometry__isnull=False).count() == 112


def test_it_loads_mid_2019_and_mid_2020_population(county, db):
    years = PopulationEstimate.objects.values_list("year", flat=True).distinct()
    assert sorted(set(years)) == [2019, 2020]
    total = PopulationEstimate.objects.filter(year=2020, area__level=AreaLevel.LSOA21).aggregate(
        total=Sum("count")
    )["total"]
    assert total == pytest.approx(MIDYEAR_2020_TOTAL, abs=0.5)


def test_it_loads_census_sex_totals_deprivation_and_the_best_fit_lookup(county, db):
    assert SexTotal.objects.count() == 374
    assert LsoaBestFit.objects.count() == 374
    editions = set(Deprivation.objects.values_list("edition", flat=True))
    assert len(editions) == 2


def test_it_loads_the_iod_mental_health_indicators_onto_2021_lsoas(county, db):
    held = dict(AreaIndicator.objects.values_list("indicator").annotate(n=Count("id")).order_by())
    # IoD2025 is on 2021 LSOAs already: all 374. IoD2019's 364 2011 LSOAs reach 355 unchanged
    # and 19 split 2021 LSOAs (the best fit: no merges here), so every 2021 LSOA has one too.
    assert held == {"iod2025_mental_health": 374, "iod2019_mood_anxiety": 374}
    values = dict(
        AreaIndicator.objects.filter(area__code="E01032122").values_list("indicator", "value")
    )
    # Bromsgrove 009A in the shared files: mental_health_indicator 0.083 (IoD2025),
    # mood_and_anxiety_disorders_indicator -0.179 (IoD2019).
    assert values == {"iod2025_mental_health": 0.083, "iod2019_mood_anxiety": -0.179}


def test_the_need_page_shows_the_observed_indicators_beside_need(county, client, analyst):
    client.force_login(analyst)
    query = {"condition": "cmd", "year": 2020, "level": "small_area"}
    page = client.get(reverse("needs:need"), query).content.decode()
    assert "Observed: Mental health indicator (IoD2025)" in page
    assert "Observed: Mood and anxiety disorders indicator (IoD2019)" in page
    assert "They are not prevalence and do not enter the estimates." in page
    tooltip = client.get(reverse("needs:need_map"), query).content.decode()
    assert "Observed: Mental health indicator (IoD2025)" in tooltip and "+0.08" in tooltip


def test_it_prints_progress_for_each_file_in_order(county):
    lines = county.output.splitlines()
    for number, county_file in enumerate(COUNTY_FILES, start=1):
        step = next(line for line in lines if line.startswith(f"[{number}/{len(COUNTY_FILES)}]"))
        assert county_file.name in step
    assert "Illustrative services: 29" in county.output
    print(f"load_county took {county.seconds:.1f} s")  # shown with -s: the timing asked for


def test_loading_it_again_duplicates_nothing(county):
    assert county.second == county.first


def test_the_county_and_its_data_are_not_synthetic(county, db):
    assert not Area.objects.filter(is_synthetic=True).exists()
    assert not DatasetVersion.objects.filter(is_synthetic=True).exists()
    assert not LocalityScheme.objects.filter(is_synthetic=True).exists()


# --- illustrative services -------------------------------------------------------------------


def test_the_only_services_are_illustrative_and_say_so(county, db):
    services = Service.objects.all()
    assert services.values("code").distinct().count() == len(county_services.PLACEMENTS)
    assert set(services.values_list("financial_year", flat=True)) == {"2023/24", "2024/25"}
    for service in services:
        assert service.is_synthetic
        assert service.name.startswith("Illustrative: ")
        assert service.provider.startswith("Illustrative ")
        assert service.source.startswith("Illustrative figures, not real provision data")
    norm_types = {"talking_therapies", "camhs", "memory_assessment"}
    assert norm_types <= set(services.values_list("service_type", flat=True))


def test_illustrative_sites_are_real_ods_sites_in_their_2021_lsoa(county, db):
    ods = pd.read_csv(COUNTY_FOLDER / SITES_FILE, dtype=str).set_index("org_code")
    sites = ServiceSite.objects.select_related("area")
    assert sites.exists()
    for site in sites:
        code = re.search(r"\(NHS ODS (Y\d{5})\)$", site.name).group(1)
        assert site.name.startswith(ods.loc[code, "name"])
        assert site.lat == pytest.approx(float(ods.loc[code, "latitude"]))
        assert site.area.code == ods.loc[code, "lsoa21_code_pip"]
        assert site.area.level == AreaLevel.LSOA21


def test_illustrative_records_are_the_same_for_the_same_seed():
    sites = county_services.read_sites(COUNTY_FOLDER / SITES_FILE)
    people = pd.DataFrame(
        {
            "district_code": list(county_services.DISTRICT_NAMES) * 2,
            "sex": ["F"] * 6 + ["M"] * 6,
            "age": [30] * 12,
            "count": [50_000.0] * 12,
        }
    )
    first = county_services.illustrative_service_records(sites, people)
    again = county_services.illustrative_service_records(sites, people)
    pd.testing.assert_frame_equal(first, again)
    assert (first["capacity"] > 0).all() and (first["annual_spend"] > 0).all()


def test_a_refused_file_stops_the_load_and_writes_nothing(county, db, tmp_path: Path):
    (tmp_path / COUNTY_FILES[0].name).write_text('{"type": "FeatureCollection", "features": []}')
    before = counts()
    with pytest.raises(CountyLoadRefused) as refused:
        county_load(folder=tmp_path)
    assert COUNTY_FILES[0].name in str(refused.value) and refused.value.errors
    assert counts() == before


# --- the footer ------------------------------------------------------------------------------


def test_the_footer_says_illustrative_services_and_not_synthetic(county, client, analyst):
    text = footer(client, analyst)
    assert "illustrative services" in text
    assert "synthetic" not in text.lower()
    assert "Open Government Licence v3.0" in text


def test_the_footer_says_synthetic_once_the_demo_is_loaded(county, client, analyst):
    demo_load()
    text = footer(client, analyst)
    assert "synthetic demo data" in text
    assert "illustrative services" in text  # Worcestershire's are still there


def test_the_footer_says_neither_without_the_illustrative_services(county, client, analyst):
    Service.objects.all().delete()
    text = footer(client, analyst)
    assert "synthetic" not in text.lower()
    assert "illustrative" not in text.lower()


# --- the need page: every measure, its interval and its cells --------------------------------

# CFAS II dementia prevalence by sex and five-year band (Matthews et al. 2013), typed here from
# the shared reference table (other_sources.csv, rows DEMENTIA_CFAS2, read in Birmingham City
# Council's data/dementia-reference-rates.xlsx): the catalogue is not consulted.
CFAS_II = {
    ("M", 65, 69): 0.012, ("F", 65, 69): 0.018, ("M", 70, 74): 0.030, ("F", 70, 74): 0.025,
    ("M", 75, 79): 0.052, ("F", 75, 79): 0.062, ("M", 80, 84): 0.106, ("F", 80, 84): 0.095,
    ("M", 85, 89): 0.128, ("F", 85, 89): 0.181, ("M", 90, 200): 0.171, ("F", 90, 200): 0.350,
}  # fmt: skip
REFERENCE_RATES = SHARED_DATA.parent / "reference" / "rates" / "other_sources.csv"
MEASURE_ROW = re.compile(r'<tr class="nhsuk-table__row" data-measure="([\w-]+)">(.*?)</tr>', re.S)


def measure_rows(client: Client, user: object) -> dict[str, str]:
    """The need page's all-measures table: condition code → its row's HTML."""
    client.force_login(user)
    response = client.get(
        reverse("needs:need"), {"condition": "cmd", "year": 2020, "level": "locality"}
    )
    assert response.status_code == 200
    return dict(MEASURE_ROW.findall(response.content.decode()))


def estimated_people(row: str) -> float:
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    return float(cells[1].replace(",", ""))


def test_the_need_page_shows_thirty_measures_each_with_an_interval_and_its_cells(
    county, client, commissioner
):
    rows = measure_rows(client, commissioner)
    traced = {
        code
        for code, row in rows.items()
        if re.search(r"data-interval>[\d,]+ to [\d,]+<", row)
        and "published range" not in row  # a range of published rates is not an interval
        and re.search(r"data-cells>[^<]*(![A-Z]+\d+|Abstract|per 1,000)", row)
    }
    assert len(traced) >= 30, sorted(set(rows) - traced)
    assert "apms-2014-ch-02-tabs.xls 2.3!B13:H13" in rows["cmd"]
    assert "SECONDARY" in rows["dementia"] and "CONFIRMED" in rows["cmd"]


@pytest.mark.skipif(not REFERENCE_RATES.is_file(), reason=f"{REFERENCE_RATES} is absent")
def test_the_cfas_ii_rates_typed_here_are_the_shared_reference_rows():
    rates = pd.read_csv(REFERENCE_RATES)
    rates = rates[rates["condition_code"] == "DEMENTIA_CFAS2"].fillna({"age_max": 200})
    typed = {(r.sex, int(r.age_min), int(r.age_max)): r.rate for r in rates.itertuples()}
    assert typed == CFAS_II


def test_dementia_65_plus_equals_an_independent_calculation_from_the_cfas_ii_rows(
    county, client, commissioner
):
    people = pd.DataFrame.from_records(
        list(
            PopulationEstimate.objects.filter(
                year=2020, area__level=AreaLevel.LSOA21, age__gte=65
            ).values_list("sex", "age", "count")
        ),
        columns=["sex", "age", "count"],
    )
    expected = sum(
        rate * people.loc[(people["sex"] == sex) & people["age"].between(low, high), "count"].sum()
        for (sex, low, high), rate in CFAS_II.items()
    )
    assert expected > 5_000  # a county's worth of people aged 65+
    shown = estimated_people(measure_rows(client, commissioner)["dementia"])
    assert shown == pytest.approx(expected, rel=0.005)
    print(f"Worcestershire dementia 65+, 2020: page {shown:,.0f}, independent {expected:,.1f}")


def test_perinatal_rates_apply_to_the_population_aged_0_as_a_stated_proxy(
    county, client, commissioner
):
    infants = PopulationEstimate.objects.filter(
        year=2020, area__level=AreaLevel.LSOA21, age=0
    ).aggregate(n=Sum("count"))["n"]
    row = measure_rows(client, commissioner)["perinatal_severe_depression"]
    assert estimated_people(row) == pytest.approx(0.03 * infants, abs=0.5)
    assert "stand-in for maternities" in row


# --- a run on the default county says its services are illustrative ------------------------


@pytest.fixture
def county_run(county, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return run_in_process()


def test_a_run_on_the_county_labels_its_page_maps_and_chapter_illustrative(
    county_run, client, jsna_manager
):
    from gapanalysis.exports import export_execute, export_start
    from gapanalysis.models import RunStatus
    from needs.labels import ILLUSTRATIVE_LABEL

    run = county_run
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.inputs["illustrative_services"] is True and not run.is_synthetic
    assert run.inputs["residents"]["total"] == pytest.approx(MIDYEAR_2020_TOTAL, abs=0.5)
    assert run.data_label == ILLUSTRATIVE_LABEL
    documents = list(run.maps.values_list("html", flat=True))
    assert documents and all(ILLUSTRATIVE_LABEL in html for html in documents)
    client.force_login(jsna_manager)
    page = client.get(reverse("gapanalysis:run_detail", args=[run.pk])).content.decode()
    assert ILLUSTRATIVE_LABEL in page and "Synthetic data." not in page
    with TestCase.captureOnCommitCallbacks(execute=False):
        export = export_start(run=run, fmt="html", user=jsna_manager)
    export_execute(export_id=export.pk)
    export.refresh_from_db()
    with export.file.open("rb") as handle:
        chapter = handle.read().decode()
    assert ILLUSTRATIVE_LABEL in chapter and "Worcestershire" in chapter


def test_it_loads_the_recorded_activity(county, db):
    """GP registers, practice sites, Talking Therapies and the Health Index come with the county."""
    from recorded.models import IndicatorValue, Practice, QofRegister, TalkingTherapiesActivity

    assert QofRegister.objects.count() == 1323  # the wide file replaces 4 × 63 of them
    assert QofRegister.objects.get(practice_code="M81001", group_code="DEP").list_type == "18OV"
    assert Practice.objects.filter(area__level="lsoa21").count() == 65
    assert TalkingTherapiesActivity.objects.count() == 121
    assert IndicatorValue.objects.count() == 2352 + 774
    assert IndicatorValue.objects.filter(area_code="E92000001", value=100).count() == 18
