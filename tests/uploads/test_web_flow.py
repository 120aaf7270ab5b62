"""An analyst's uploads through the pages: check and preview, confirm, import, dataset version.

The real Worcestershire sequence (boundaries, lookups, census sex totals, population, both
editions of deprivation) is uploaded once for one test class and rolled back after it; each of
its tests reads what the sequence left. The other tests start from the demo county alone.
"""

import csv
import hashlib
import io
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from needs import bulk
from needs.models import Area, DatasetVersion, Deprivation, PopulationEstimate
from provision.models import Service
from provision.template import COLUMNS, template_csv
from tests.downloads import csv_rows, formulas, opened_in_a_spreadsheet
from tests.uploads.conftest import (
    NO_REAL_DATA,
    REAL_SEQUENCE,
    WORCESTERSHIRE,
    analyst_create,
    confirm,
    confirm_button,
    csv_bytes,
    demo_lsoa_codes,
    detail,
    population_long_rows,
    rolled_back_shared_state,
    text,
    upload_file,
)
from uploads.models import Upload, UploadStatus

pytestmark = pytest.mark.django_db

POPULATION_2020 = "population_mid2020_lsoa11_single_year_of_age_persons.csv"
TS008 = "census2021_ts008_sex_lsoa21.csv"
BEST_FIT = "lookup_lsoa11_to_lsoa21.csv"
HIERARCHY_2011 = "lookup_lsoa11_msoa11_lad_icb.csv"
IMD2019 = "imd2019_lsoa11_ranks_deciles_denominators.csv"
IMD2025 = "imd2025_lsoa21_scores_ranks_deciles.csv"
# What each real file becomes: its rows and what the preview says will change
# (counts from ../shared/data/README.md: 364 LSOAs 2011, 374 LSOAs 2021, 85 MSOAs, 6 districts).
EXPECTED = {
    "lsoa11_boundaries_bgc.geojson": (
        364, "lsoa11 boundaries: 0 areas get new outlines, 364 are added."),
    HIERARCHY_2011: (456, "The 2011 hierarchy: 364 lsoa11, 85 msoa11, 6 lad, 1 county;"),
    BEST_FIT: (374, "The LSOA 2011 → 2021 best-fit lookup: 374 pairs (19 split, 355 unchanged)"),
    "lsoa21_boundaries_bgc.geojson": (
        374, "lsoa21 boundaries: 0 areas get new outlines, 374 are added."),
    TS008: (374, "Census 2021 sex totals for 374 small areas (307,918 female, 295,759 male)"),
    POPULATION_2020: (
        68_068, "Population for mid-2020: 68,068 rows for 374 lsoa21 areas, replacing the 0 rows"),
    IMD2019: (374, "IMD2019 for 374 LSOAs, replacing any IMD2019 figures held for them."),
    IMD2025: (374, "IMD2025 for 374 LSOAs, replacing any IMD2025 figures held for them."),
}  # fmt: skip
PUBLISHED_TOTAL_2020 = 598_070
PROGRESS_KEYS = {"status", "status_label", "progress", "step", "finished"}


@dataclass
class Step:
    kind: str
    name: str
    upload_id: int
    plan: dict  # what the checks found, shown before confirming
    preview: str  # the upload's page before confirming
    page: str  # the upload's page after the import
    progress: dict  # progress.json after the import


@dataclass
class Loaded:
    user: User
    steps: dict[str, Step]


@pytest.fixture(scope="class")
def worcestershire(django_db_setup, django_db_blocker, tmp_path_factory) -> Loaded:
    """The real files uploaded, previewed and confirmed in load order, as an analyst would."""
    if not WORCESTERSHIRE.is_dir():
        pytest.skip(NO_REAL_DATA)
    with rolled_back_shared_state(django_db_blocker, tmp_path_factory.mktemp("media")):
        user = analyst_create("worcs-analyst")
        client = Client()
        client.force_login(user)
        steps = {}
        for kind, name, options in REAL_SEQUENCE:
            upload = upload_file(client, kind=kind, path=WORCESTERSHIRE / name, **options)
            plan, preview = upload.plan, detail(client, upload)
            confirm(client, upload)
            progress = client.get(reverse("uploads:progress", args=[upload.pk])).json()
            page = detail(client, upload)
            steps[name] = Step(kind, name, upload.pk, plan, preview, page, progress)
        yield Loaded(user, steps)


def real_rows(name: str) -> list[dict[str, str]]:
    with (WORCESTERSHIRE / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


# --- the real sequence through the pages ------------------------------------------------------


def female_shares_2020() -> dict[str, float]:
    rows = (
        PopulationEstimate.objects.filter(year=2020)
        .values("area__code", "sex")
        .annotate(total=Sum("count"))
    )
    by_area: dict[str, dict[str, float]] = defaultdict(dict)
    for row in rows:
        by_area[row["area__code"]][row["sex"]] = row["total"]
    return {code: sexes["F"] / (sexes["F"] + sexes["M"]) for code, sexes in by_area.items()}


def census() -> dict[str, tuple[int, int]]:
    return {
        row["geography code"]: (
            int(row["Sex: Female; measures: Value"]),
            int(row["Sex: Male; measures: Value"]),
        )
        for row in real_rows(TS008)
    }


class TestTheRealWorcestershireSequence:
    """Uploaded once for the class (see the worcestershire fixture), rolled back after it."""

    def test_each_real_file_is_checked_and_previewed_before_it_is_imported(self, worcestershire):
        for name, step in worcestershire.steps.items():
            rows, change = EXPECTED[name]
            assert step.plan["errors"] == [], name
            assert "Checked: waiting for confirmation" in step.preview, name
            assert step.plan["checks"] and all(check["passed"] for check in step.plan["checks"])
            for check in step.plan["checks"]:
                assert f"<td>{check['name']}</td><td>✓ Passed</td><td>{check['detail']}</td>" in (
                    step.preview
                ), name
            assert "What will change" in step.preview and change in step.preview, name
            shown = step.plan["preview_rows"]
            assert len(shown) == 10 and step.plan["rows"] == rows, name
            assert f"The first 10 of {rows:,} rows, after the checks" in step.preview, name
            for column, cell in zip(step.plan["preview_columns"], shown[0], strict=True):
                assert f'data-label="{column}">{cell or "—"}</td>' in step.preview, (name, cell)
            first_code = shown[0][0]
            assert first_code.startswith("E0") and first_code in (WORCESTERSHIRE / name).read_text()
            assert f"Import {rows:,} rows</button>" in step.preview, name

    def test_the_population_preview_says_it_was_split_by_sex_and_raked_to_the_census(
        self,
        worcestershire,
    ):
        step = worcestershire.steps[POPULATION_2020]
        assert "<td>Sex split</td><td>✓ Passed</td>" in step.preview
        assert "persons split by sex (374 raked to Census 2021 sex totals)" in step.preview
        assert (
            "2011 LSOAs converted to 2021 LSOAs through the best-fit lookup by code: "
            "19 split by weight, 355 unchanged" in step.preview
        )
        assert "The file gives persons only: every figure was split by sex" in step.preview
        assert set(step.plan["preview_columns"]) == {
            "area_code", "area_name", "year", "sex", "age", "count", "is_modelled",
        }  # fmt: skip

    def test_confirming_imports_each_file_as_a_dataset_version(self, worcestershire):
        for name, step in worcestershire.steps.items():
            upload = Upload.objects.get(pk=step.upload_id)
            version = upload.dataset_version
            assert upload.status == UploadStatus.IMPORTED, (name, upload.error)
            assert version is not None and version.retired_at is None
            assert version.kind == step.kind
            assert version.original_name == name
            assert (
                version.sha256 == hashlib.sha256((WORCESTERSHIRE / name).read_bytes()).hexdigest()
            )
            assert upload.sha256 == version.sha256
            assert version.rows == EXPECTED[name][0]
            assert version.created_by == worcestershire.user
            assert (
                '<dd class="nhsuk-summary-list__value" data-run-status>Imported</dd>' in step.page
            )
            assert f"Version {version.pk}: {version.rows:,} rows written" in step.page
            assert f"Imported: {version.rows:,} rows from {name} are now version {version.pk}." in (
                step.page
            )
            assert confirm_button(upload) not in step.page  # nothing left to confirm

    def test_progress_of_a_finished_import_is_complete(self, worcestershire):
        for step in worcestershire.steps.values():
            assert step.progress == {
                "status": "imported",
                "status_label": "Imported",
                "progress": 100,
                "step": "Imported",
                "finished": True,
            }

    def test_the_county_has_374_lsoa21_areas_with_the_published_mid_2020_population(
        self,
        worcestershire,
    ):
        """Figures published on 2011 LSOAs are converted to the 2021 LSOAs analyses run on."""
        population = PopulationEstimate.objects.filter(year=2020)
        assert Area.objects.filter(level="lsoa11").count() == 364
        assert population.values("area").distinct().count() == 374
        assert set(population.values_list("area__level", flat=True).distinct()) == {"lsoa21"}
        assert population.count() == 374 * 91 * 2
        total = population.aggregate(total=Sum("count"))["total"]
        assert total == pytest.approx(PUBLISHED_TOTAL_2020, rel=1e-6)
        assert set(population.values_list("sex", flat=True).distinct()) == {"F", "M"}
        assert not population.filter(is_modelled=False).exists()  # every row rests on the split

    def test_each_2011_lsoa_keeps_its_published_persons_total_in_its_2021_successors(
        self, worcestershire
    ):
        published = {
            row["lsoa11_code"]: int(row["total_population"]) for row in real_rows(POPULATION_2020)
        }
        totals = dict(
            PopulationEstimate.objects.filter(year=2020)
            .values("area__code")
            .annotate(total=Sum("count"))
            .values_list("area__code", "total")
        )
        successors: dict[str, list[str]] = defaultdict(list)
        for row in real_rows(BEST_FIT):
            successors[row["lsoa11_code"]].append(row["lsoa21_code"])
        assert successors.keys() == published.keys()
        assert sorted(totals) == sorted(code for codes in successors.values() for code in codes)
        for code, total in published.items():
            assert sum(totals[new] for new in successors[code]) == pytest.approx(total, rel=1e-9)

    def test_a_split_lsoa_is_shared_by_its_parts_census_2021_population(self, worcestershire):
        counts = census()
        totals = dict(
            PopulationEstimate.objects.filter(year=2020)
            .values("area__code")
            .annotate(total=Sum("count"))
            .values_list("area__code", "total")
        )
        parts: dict[str, list[str]] = defaultdict(list)
        for row in real_rows(BEST_FIT):
            if row["change_code"] == "S":
                parts[row["lsoa11_code"]].append(row["lsoa21_code"])
        for children in parts.values():
            whole = sum(totals[child] for child in children)
            residents = {child: sum(counts[child]) for child in children}
            for child in children:
                share = residents[child] / sum(residents.values())
                assert totals[child] == pytest.approx(whole * share, rel=1e-9), child
        split = PopulationEstimate.objects.filter(
            year=2020, area__code__in=[c for cs in parts.values() for c in cs]
        )
        assert split.exists() and not split.filter(is_modelled=False).exists()

    def test_each_unchanged_lsoa_has_its_census_female_share(self, worcestershire):
        shares, counts = female_shares_2020(), census()
        unchanged = [row["lsoa11_code"] for row in real_rows(BEST_FIT) if row["change_code"] == "U"]
        assert len(unchanged) == 355
        for code in unchanged:
            female, male = counts[code]
            assert shares[code] == pytest.approx(female / (female + male), rel=1e-9), code

    def test_each_part_of_a_split_lsoa_has_its_own_census_female_share(self, worcestershire):
        shares, counts = female_shares_2020(), census()
        parts: dict[str, list[str]] = defaultdict(list)
        for row in real_rows(BEST_FIT):
            if row["change_code"] == "S":
                parts[row["lsoa11_code"]].append(row["lsoa21_code"])
        assert len(parts) == 9 and sum(map(len, parts.values())) == 19
        for children in parts.values():
            for child in children:
                female, male = counts[child]
                assert shares[child] == pytest.approx(female / (female + male), rel=1e-9), child

    def test_each_lsoa11_sits_in_the_msoa_its_lookup_gives(self, worcestershire):
        parents = dict(Area.objects.filter(level="lsoa11").values_list("code", "parent__code"))
        assert parents == {
            row["lsoa11_code"]: row["msoa11_code"] for row in real_rows(HIERARCHY_2011)
        }

    def test_both_editions_of_deprivation_are_imported(self, worcestershire):
        imd2019 = Deprivation.objects.filter(edition="IMD2019")
        imd2025 = Deprivation.objects.filter(edition="IMD2025")
        assert imd2019.count() == 374 and set(imd2019.values_list("area__level", flat=True)) == {
            "lsoa21"
        }
        assert imd2025.count() == 374 and set(imd2025.values_list("area__level", flat=True)) == {
            "lsoa21"
        }
        assert not imd2019.filter(score__isnull=False).exists()  # the 2019 file has no scores
        rank_2019 = "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)"
        published = {row["LSOA code (2011)"]: int(row[rank_2019]) for row in real_rows(IMD2019)}
        # Each 2021 LSOA carries the rank of the 2011 LSOA it is (unchanged) or was split from.
        assert dict(imd2019.values_list("area__code", "rank")) == {
            row["lsoa21_code"]: published[row["lsoa11_code"]] for row in real_rows(BEST_FIT)
        }
        assert dict(imd2025.values_list("area__code", "score")) == {
            row["lsoa21_code"]: pytest.approx(float(row["IMD_score"])) for row in real_rows(IMD2025)
        }

    def test_uploading_the_same_file_again_says_it_was_imported_before(
        self, client, worcestershire
    ):
        client.force_login(worcestershire.user)
        first = Upload.objects.get(pk=worcestershire.steps[IMD2025].upload_id).dataset_version
        again = upload_file(client, kind="deprivation", path=WORCESTERSHIRE / IMD2025)
        page = detail(client, again)
        assert again.status == UploadStatus.CHECKED
        assert (
            f"This exact file (SHA-256 {first.sha256[:12]}…) was imported before, as version "
            f"{first.pk} on {first.created_at:%d %B %Y}; importing it again replaces that version."
        ) in page
        assert confirm_button(again) in page  # it may still be imported again

        confirm(client, again)
        first.refresh_from_db()
        assert again.status == UploadStatus.IMPORTED
        assert first.retired_at is not None
        assert f"The same file was loaded before as version {first.pk}." in (
            again.dataset_version.warnings
        )
        assert Deprivation.objects.filter(edition="IMD2025").count() == 374  # replaced, not doubled


def test_the_real_sequence_is_rolled_back_after_its_class():
    """The tests below (and in the other modules) start from the demo county alone."""
    assert not Area.objects.filter(level="lsoa11").exists()
    assert not User.objects.filter(username="worcs-analyst").exists()
    assert not DatasetVersion.objects.filter(original_name=IMD2025).exists()


# --- progress ----------------------------------------------------------------------------------


def demo_population_upload(client: Client, tmp_path: Path) -> Upload:
    path = tmp_path / "demo_population_2031.csv"
    path.write_bytes(csv_bytes(population_long_rows(demo_lsoa_codes(2), 2031)))
    return upload_file(client, kind="population", path=path, allow_incomplete=True)


def progress(client: Client, upload: Upload) -> dict:
    response = client.get(reverse("uploads:progress", args=[upload.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return response.json()


def test_progress_follows_an_upload_from_checked_to_imported(
    client, analyst, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    client.force_login(analyst)
    upload = demo_population_upload(client, tmp_path)
    assert progress(client, upload) == {
        "status": "checked",
        "status_label": "Checked: waiting for confirmation",
        "progress": 0,
        "step": "",
        "finished": False,
    }

    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.post(reverse("uploads:confirm", args=[upload.pk]))
    assert len(queued) == 1  # the task is queued only once the confirmation commits
    assert progress(client, upload) == {
        "status": "queued",
        "status_label": "Queued",
        "progress": 0,
        "step": "Waiting for a worker",
        "finished": False,
    }
    page = detail(client, upload)
    assert f'data-run-progress="{reverse("uploads:progress", args=[upload.pk])}"' in page

    seen = []
    copy_frame = bulk.copy_frame

    def copy_and_look(*args, **kwargs) -> int:
        written = copy_frame(*args, **kwargs)
        seen.append(progress(client, upload))  # another request while the import runs
        return written

    monkeypatch.setattr(bulk, "copy_frame", copy_and_look)
    queued[0]()
    assert len(seen) == 1 and seen[0].keys() == PROGRESS_KEYS
    assert seen[0]["status"] == "importing" and not seen[0]["finished"]
    assert 30 < seen[0]["progress"] < 100 and seen[0]["step"] == "Writing population"
    assert progress(client, upload)["progress"] == 100


# --- the services template --------------------------------------------------------------------


def test_an_analyst_downloads_the_services_template_as_csv(client, analyst):
    client.force_login(analyst)
    response = client.get(reverse("uploads:services_template", args=["csv"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="services-template.csv"'
    assert response.content == template_csv()
    notes, rows = csv_rows(response.content)
    assert notes == []
    assert rows[0] == [column for column, *_ in COLUMNS]
    assert response.content.decode("utf-8-sig").startswith('"service_code","name",')


def test_the_csv_services_template_opens_in_a_spreadsheet_with_no_formula(
    client, analyst, tmp_path
):
    client.force_login(analyst)
    response = client.get(reverse("uploads:services_template", args=["csv"]))
    sheet = opened_in_a_spreadsheet(response.content, tmp_path)
    assert formulas(sheet) == []
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = [column for column, *_ in COLUMNS]
    assert rows[0] == header
    # "£1,250,000": one cell, commas and all, which the spreadsheet reads as an amount
    assert rows[1][header.index("annual_spend")] == 1_250_000
    assert rows[1][header.index("site_lon")] == -2.2216  # a longitude, not text


def test_an_analyst_downloads_the_services_template_as_xlsx(client, analyst):
    client.force_login(analyst)
    response = client.get(reverse("uploads:services_template", args=["xlsx"]))
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == 'attachment; filename="services-template.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Services", "Columns", "Read me", "Lists"]
    header = [cell.value for cell in workbook["Services"][1]]
    assert header == [column for column, *_ in COLUMNS]
    listed = [row[0] for row in workbook["Columns"].iter_rows(min_row=2, values_only=True)]
    assert "cmd" in str(list(workbook["Columns"].iter_rows(values_only=True)))  # conditions
    assert listed == header


def test_an_unknown_template_format_is_not_found(client, analyst):
    client.force_login(analyst)
    assert client.get(reverse("uploads:services_template", args=["ods"])).status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_downloaded_services_template_imports_as_it_is(client, analyst, tmp_path, fmt):
    """The example rows: one service (TT-NORTH, 2024/25) with two sites; its condition (cmd)
    is in the shipped catalogue and its catchment is blank, so it needs no particular area."""
    client.force_login(analyst)
    path = tmp_path / f"services-template.{fmt}"
    path.write_bytes(client.get(reverse("uploads:services_template", args=[fmt])).content)
    upload = upload_file(client, kind="services", path=path)
    assert upload.status == UploadStatus.CHECKED, upload.plan["errors"]
    assert Service.objects.filter(code="TT-NORTH").count() == 0

    confirm(client, upload)
    assert upload.status == UploadStatus.IMPORTED, upload.error
    service = Service.objects.get(code="TT-NORTH", financial_year="2024/25")
    assert service.name == "Northshire Talking Therapies" and service.provider_type == "nhs_trust"
    assert service.conditions == ["cmd"] and service.age_min == 16 and service.age_max is None
    assert service.annual_spend == Decimal("1250000.00") and service.capacity == 4200
    assert [(f.funder, f.share_percent) for f in service.funding.all()] == [
        ("nhs", Decimal("100.00"))
    ]
    sites = sorted(service.sites.values_list("name", "postcode", "lon", "lat"))
    assert sites == [
        ("Market Street Clinic", "B97 4AA", -1.947, 52.307),
        ("Riverside Hub", "WR1 3AB", -2.2216, 52.192),
    ]
    assert not service.catchment.exists() and not service.is_synthetic
    version = upload.dataset_version
    assert version.kind == "services" and version.rows == 1
    assert version.original_name == f"services-template.{fmt}"


# --- roles ----------------------------------------------------------------------------------------


def analyst_only(upload: Upload, version: DatasetVersion) -> list[tuple[str, str]]:
    return [
        ("get", reverse("uploads:new")),
        ("post", reverse("uploads:new")),
        ("post", reverse("uploads:confirm", args=[upload.pk])),
        ("post", reverse("uploads:version_retire", args=[version.pk])),
        ("get", reverse("uploads:services_template", args=["csv"])),
        ("get", reverse("uploads:services_template", args=["xlsx"])),
    ]


def readable(upload: Upload) -> list[tuple[str, str]]:
    return [
        ("get", reverse("uploads:list")),
        ("get", reverse("uploads:detail", args=[upload.pk])),
        ("get", reverse("uploads:progress", args=[upload.pk])),
    ]


@pytest.mark.parametrize("persona", ["commissioner", "jsna_manager", "outsider"])
def test_only_analysts_upload_confirm_retire_and_download_templates(
    client, request, persona, checked_upload
):
    client.force_login(request.getfixturevalue(persona))
    version = DatasetVersion.objects.filter(retired_at__isnull=True).first()
    for method, url in analyst_only(checked_upload, version):
        assert getattr(client, method)(url).status_code == 403, (method, url)
    checked_upload.refresh_from_db()
    version.refresh_from_db()
    assert checked_upload.status == UploadStatus.CHECKED and version.retired_at is None


@pytest.mark.parametrize("persona", ["commissioner", "jsna_manager"])
def test_readers_see_the_data_page_and_uploads_without_the_buttons(
    client, request, persona, checked_upload
):
    client.force_login(request.getfixturevalue(persona))
    for method, url in readable(checked_upload):
        assert getattr(client, method)(url).status_code == 200, url
    listing = text(client.get(reverse("uploads:list")))
    assert "Dataset versions" in listing and "rates.csv" in listing
    assert "Upload a file" not in listing and "Retire" not in listing
    assert confirm_button(checked_upload) not in text(
        client.get(reverse("uploads:detail", args=[checked_upload.pk]))
    )


def test_someone_without_a_role_sees_no_uploads(client, outsider, checked_upload):
    client.force_login(outsider)
    for method, url in readable(checked_upload):
        assert getattr(client, method)(url).status_code == 403, url


def test_signed_out_visitors_are_sent_to_sign_in(client, checked_upload):
    version = DatasetVersion.objects.first()
    for method, url in analyst_only(checked_upload, version) + readable(checked_upload):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login") + "?next="), url
    checked_upload.refresh_from_db()
    assert checked_upload.status == UploadStatus.CHECKED


def test_an_analyst_sees_the_upload_and_retire_buttons(client, analyst):
    client.force_login(analyst)
    listing = text(client.get(reverse("uploads:list")))
    assert "Upload a file" in listing and "Retire" in listing
    page = text(client.get(reverse("uploads:new")))
    assert 'enctype="multipart/form-data"' in page
    assert reverse("uploads:services_template", args=["xlsx"]) in page


# --- retiring a version ---------------------------------------------------------------------------


def test_an_analyst_retires_a_dataset_version(client, analyst):
    client.force_login(analyst)
    version = DatasetVersion.objects.filter(retired_at__isnull=True, kind="deprivation").first()
    response = client.post(reverse("uploads:version_retire", args=[version.pk]), follow=True)
    assert response.redirect_chain == [(reverse("uploads:list"), 302)]
    version.refresh_from_db()
    assert version.retired_at is not None
    page = text(response)
    assert f"Version {version.pk} ({version.original_name}) is retired." in page
    assert f"Retired {version.retired_at:%-d %B %Y}" in page
    assert f'Retire<span class="nhsuk-u-visually-hidden"> version {version.pk}</span>' not in page


def test_retiring_twice_keeps_the_first_date(client, analyst):
    client.force_login(analyst)
    version = DatasetVersion.objects.filter(retired_at__isnull=True).first()
    url = reverse("uploads:version_retire", args=[version.pk])
    client.post(url)
    version.refresh_from_db()
    first = version.retired_at
    client.post(url)
    version.refresh_from_db()
    assert version.retired_at == first


def test_retire_and_confirm_refuse_get(client, analyst, checked_upload):
    client.force_login(analyst)
    version = DatasetVersion.objects.first()
    assert client.get(reverse("uploads:version_retire", args=[version.pk])).status_code == 405
    assert client.get(reverse("uploads:confirm", args=[checked_upload.pk])).status_code == 405


def test_confirming_twice_imports_once(client, analyst, tmp_path):
    client.force_login(analyst)
    upload = demo_population_upload(client, tmp_path)
    confirm(client, upload)
    versions = DatasetVersion.objects.count()
    response = confirm(client, upload)
    assert response.status_code == 302 and upload.status == UploadStatus.IMPORTED
    assert DatasetVersion.objects.count() == versions
    page = text(client.get(response["Location"]))
    assert "This upload is not waiting for confirmation." in page
