"""GP registers, practice sites, registered patients by LSOA, NHS Talking Therapies and
local-authority indicators: imported from the real Worcestershire files through the commands and
the upload page, checked against the files read independently with the csv module."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from needs.models import DatasetVersion
from recorded.models import (
    IndicatorValue,
    Practice,
    PracticeLsoaPatients,
    QofRegister,
    TalkingTherapiesActivity,
)
from tests.uploads.conftest import (
    WORCESTERSHIRE,
    analyst_create,
    confirm,
    csv_bytes,
    detail,
    needs_real_data,
    rolled_back_shared_state,
    upload_file,
)
from uploads.models import UploadStatus

QOF_LONG = "qof_prevalence_2019_20_practice_long.csv"
QOF_WIDE = "qof_mental_health_registers_2019_20_practice_wide.csv"
PRACTICES = "gp_practices_ods_epraccur_geocoded.csv"
TALKING = "nhs_talking_therapies_iapt_monthly_sub_icb.csv"
HI_LONG = "ons_health_index_ltla_indicators_long.csv"
HI_SCORES = "ons_health_index_ltla_scores_subdomains.csv"
RECORDED = (Practice, QofRegister, PracticeLsoaPatients, TalkingTherapiesActivity, IndicatorValue)
LSOA_HEADER = [
    "PUBLICATION",
    "EXTRACT_DATE",
    "PRACTICE_CODE",
    "PRACTICE_NAME",
    "LSOA_CODE",
    "SEX",
    "NUMBER_OF_PATIENTS",
]


def rows_of(name: str) -> list[dict[str, str]]:
    with (WORCESTERSHIRE / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (*RECORDED, DatasetVersion)}


def run(command: str, *args: object) -> str:
    out = io.StringIO()
    call_command(command, *(str(arg) for arg in args), stdout=out, stderr=io.StringIO())
    return out.getvalue()


def refused(command: str, *args: object) -> str:
    err = io.StringIO()
    with pytest.raises(CommandError, match="refused; nothing was written"):
        call_command(command, *(str(arg) for arg in args), stdout=io.StringIO(), stderr=err)
    return err.getvalue()


def practice_lsoa_file(path: Path, practices: list[str], lsoas: list[str]) -> Path:
    """A file in NHS Digital's published layout (gp-reg-pat-prac-lsoa-all.csv)."""
    rows: list[list[object]] = [LSOA_HEADER]
    for p, practice in enumerate(practices):
        for n, lsoa in enumerate(lsoas):
            rows.append(
                [
                    "Patients Registered at a GP Practice",
                    "01OCT2023",
                    practice,
                    f"PRACTICE {practice}",
                    lsoa,
                    "ALL",
                    100 + 7 * p + n,
                ]
            )
    path.write_bytes(csv_bytes(rows))
    return path


def load_geography() -> None:
    run("import_boundaries", WORCESTERSHIRE / "lsoa21_boundaries_bgc.geojson")
    run("import_boundaries", WORCESTERSHIRE / "lad_boundaries_from_lsoa21_bgc.geojson")


# --- the real files through the commands ---------------------------------------------------------


@needs_real_data
def test_real_files_import_through_the_commands(
    django_db_setup, django_db_blocker, tmp_path_factory
):
    tmp = tmp_path_factory.mktemp("files")
    with rolled_back_shared_state(django_db_blocker, tmp_path_factory.mktemp("media")):
        load_geography()
        _practices_placed()
        _qof_both_layouts()
        _patients_by_lsoa(tmp)
        _talking_therapies_reimport()
        _health_index()


def _practices_placed() -> None:
    published = rows_of(PRACTICES)
    assert "Imported 65 rows" in run("import_gp_practices", WORCESTERSHIRE / PRACTICES)
    assert Practice.objects.count() == len(published) == 65
    for row in published:
        practice = Practice.objects.get(code=row["org_code"])
        assert practice.name == row["name"] and practice.postcode == row["postcode"]
        assert practice.status == row["status_code"]
        assert practice.latitude == pytest.approx(float(row["latitude"]))
        # Placed by point in polygon here, against the publisher's own placement.
        assert practice.area.code == row["lsoa21_code_pip"], row["org_code"]
    assert Practice.objects.filter(status="A", close_date__isnull=True).count() == 60
    assert Practice.objects.get(code="M81001").pcn_code == "U96198"


def _qof_both_layouts() -> None:
    published = rows_of(QOF_LONG)
    assert f"Imported {len(published):,} rows" in run("import_qof", WORCESTERSHIRE / QOF_LONG)
    assert QofRegister.objects.filter(year=2019).count() == 1323
    for row in published[::97]:
        register = QofRegister.objects.get(
            practice_code=row["PRACTICE_CODE"], group_code=row["GROUP_CODE"], year=2019
        )
        assert register.register == int(row["REGISTER"])
        assert register.list_size == int(row["PATIENT_LIST_SIZE"])
        assert register.list_type == row["PATIENT_LIST_TYPE"]
    dementia = QofRegister.objects.get(practice_code="M81001", group_code="DEM")
    assert (dementia.condition, dementia.list_type, dementia.age_min) == ("dementia", "TOTAL", 0)
    depression = QofRegister.objects.get(practice_code="M81001", group_code="DEP")
    assert (depression.condition, depression.age_min) == ("depression", 18)
    assert depression.age_max is None
    assert QofRegister.objects.get(practice_code="M81001", group_code="MH").condition == "smi"
    # The wide file replaces the four mental-health registers; it does not say which ages its
    # lists cover, so what the long file said about the same lists is kept.
    wide = rows_of(QOF_WIDE)
    assert "Imported 252 rows" in run("import_qof", WORCESTERSHIRE / QOF_WIDE)
    version = DatasetVersion.objects.latest("pk")
    for row in wide:
        for group in ("dem", "dep", "ld", "mh"):
            register = QofRegister.objects.get(
                practice_code=row["practice_code"], group_code=group.upper()
            )
            assert register.register == int(row[f"{group}_register"])
            assert register.list_size == int(row[f"{group}_patient_list_size"])
            assert register.dataset_version == version
    assert QofRegister.objects.get(practice_code="M81001", group_code="DEP").list_type == "18OV"
    assert QofRegister.objects.count() == 1323


def _patients_by_lsoa(tmp: Path) -> None:
    path = practice_lsoa_file(
        tmp / "gp-reg-pat-prac-lsoa-all.csv", ["M81001", "M81002"], ["E01032224", "E01009999"]
    )
    assert "Imported 4 rows" in run("import_practice_lsoa", path)
    inside = PracticeLsoaPatients.objects.get(practice_code="M81001", lsoa_code="E01032224")
    assert (inside.patients, inside.area.code, inside.vintage) == (100, "E01032224", "lsoa21")
    outside = PracticeLsoaPatients.objects.get(practice_code="M81002", lsoa_code="E01009999")
    assert outside.area is None and outside.patients == 108
    assert str(inside.extract_date) == "2023-10-01"


def _talking_therapies_reimport() -> None:
    published = rows_of(TALKING)
    path = WORCESTERSHIRE / TALKING
    assert "Imported 121 rows" in run("import_talking_therapies", path)
    first = DatasetVersion.objects.latest("pk")
    recovery = TalkingTherapiesActivity.objects.get(
        measure="recovery_rate", month="2022-07-01", area_code="E38000236"
    )
    assert recovery.value == 50 and recovery.unit == "percent"
    july = {r["name"]: float(r["value"]) for r in published if r["date"] == "July 2022"}
    stored = dict(
        TalkingTherapiesActivity.objects.filter(month="2022-07-01").values_list(
            "published_name", "value"
        )
    )
    assert stored == july
    assert not TalkingTherapiesActivity.objects.filter(is_england=True).exists()
    # A second import of the same file is a new version; the rows are replaced, not doubled.
    assert "Imported 121 rows" in run("import_talking_therapies", path)
    second = DatasetVersion.objects.latest("pk")
    assert second.pk != first.pk and DatasetVersion.objects.get(pk=first.pk).retired_at
    assert TalkingTherapiesActivity.objects.count() == 121
    assert set(TalkingTherapiesActivity.objects.values_list("dataset_version", flat=True)) == {
        second.pk
    }


def _health_index() -> None:
    published = rows_of(HI_LONG)
    assert "Imported 2,352 rows" in run("import_indicators", WORCESTERSHIRE / HI_LONG)
    suicides = {
        (r["ltla21_code"], r["year"]): float(r["value"])
        for r in published
        if r["indicator"] == "Suicides"
    }
    stored = {
        (v.area_code, v.period): v.value
        for v in IndicatorValue.objects.filter(indicator="Suicides")
    }
    assert stored == pytest.approx(suicides) and len(stored) == 42
    assert IndicatorValue.objects.filter(indicator="Suicides").first().area.level == "lad"
    scores = rows_of(HI_SCORES)
    # 42 rows × 18 scores, and England 2015 = 100 for each score (ONS's definition of the index).
    assert "Imported 774 rows" in run("import_indicators", WORCESTERSHIRE / HI_SCORES)
    mental = IndicatorValue.objects.get(
        indicator="Mental health", area_code="E07000234", period="2015"
    )
    first = next(r for r in scores if r["ltla21_code"] == "E07000234" and r["year"] == "2015")
    assert mental.value == float(first["Mental health"]) == 103.8
    england = IndicatorValue.objects.get(indicator="Mental health", area_code="E92000001")
    assert (england.value, england.period, england.england_source) == (100.0, "2015", "definition")


# --- the real files through the upload page ------------------------------------------------------


@needs_real_data
def test_real_files_import_through_the_upload_page(
    django_db_setup, django_db_blocker, tmp_path_factory
):
    with rolled_back_shared_state(django_db_blocker, tmp_path_factory.mktemp("media")):
        load_geography()
        client = Client()
        client.force_login(analyst_create("rita"))
        expected = [
            ("gp_practices", PRACTICES, 65, Practice, {}),
            ("qof", QOF_LONG, 1323, QofRegister, {}),
            ("talking_therapies", TALKING, 121, TalkingTherapiesActivity, {}),
            ("indicators", HI_LONG, 2352, IndicatorValue, {}),
        ]
        for kind, name, rows, model, options in expected:
            before = model.objects.count()
            upload = upload_file(client, kind=kind, path=WORCESTERSHIRE / name, **options)
            page = detail(client, upload)
            assert upload.status == UploadStatus.CHECKED, page[:3000]
            assert f"{rows:,} rows read" in page
            assert model.objects.count() == before  # nothing written before confirmation
            confirm(client, upload)
            assert upload.status == UploadStatus.IMPORTED, upload.error
            assert upload.dataset_version.rows == rows
            assert model.objects.count() == before + rows
        # The wide QOF file over the long one, with the year given on the form.
        upload = upload_file(client, kind="qof", path=WORCESTERSHIRE / QOF_WIDE, year=2019)
        assert "QOF registers, wide" in detail(client, upload)
        confirm(client, upload)
        assert upload.status == UploadStatus.IMPORTED and upload.dataset_version.rows == 252
        row = rows_of(QOF_WIDE)[5]
        stored = QofRegister.objects.get(practice_code=row["practice_code"], group_code="MH")
        assert stored.register == int(row["mh_register"])


# --- bad input: a clear message naming the file, row and column; nothing saved ----------------


QOF_HEADER = ["PRACTICE_CODE", "GROUP_CODE", "REGISTER", "PATIENT_LIST_TYPE", "PATIENT_LIST_SIZE"]


def write(tmp_path: Path, name: str, rows: list[list[object]]) -> Path:
    path = tmp_path / name
    path.write_bytes(csv_bytes(rows))
    return path


@pytest.mark.django_db
def test_qof_missing_column_names_it(tmp_path):
    path = write(tmp_path, "qof_2019_20.csv", [QOF_HEADER[:4], ["M81001", "DEM", "44", "TOTAL"]])
    before = counts()
    errors = refused("import_qof", path)
    assert "qof_2019_20.csv: missing column 'PATIENT_LIST_SIZE'" in errors
    assert counts() == before


@pytest.mark.django_db
def test_qof_non_numeric_count_and_duplicate_name_row_and_column(tmp_path):
    rows = [
        QOF_HEADER,
        ["M81001", "DEM", "44", "TOTAL", "10545"],
        ["M81002", "DEM", "forty", "TOTAL", "14763"],
        ["M81001", "DEM", "44", "TOTAL", "10545"],
    ]
    path = write(tmp_path, "qof_2019_20.csv", rows)
    before = counts()
    errors = refused("import_qof", path)
    assert "qof_2019_20.csv, row 3, column 'REGISTER': 'forty' is not a whole number" in errors
    assert (
        "qof_2019_20.csv, row 4, column 'PRACTICE_CODE': practice and group M81001, DEM appears "
        "twice (also row 2)." in errors
    )
    assert counts() == before


@pytest.mark.django_db
def test_qof_without_a_year_is_refused_until_given(tmp_path):
    path = write(tmp_path, "registers.csv", [QOF_HEADER, ["M81001", "DEM", "44", "TOTAL", "100"]])
    assert "does not say which QOF year" in refused("import_qof", path)
    assert "Imported 1 rows" in run("import_qof", path, "--year", "2021")
    assert QofRegister.objects.get().period == "2021-22"


@pytest.mark.django_db
def test_talking_therapies_non_numeric_count(tmp_path):
    rows = [
        ["sicbl22_code", "date", "name", "value"],
        ["E38000236", "July 2022", "Count_ReferralsReceived", "1200"],
        ["E38000236", "July 2022", "Count_AccessingServices", "lots"],
        ["E92000001", "July 2022", "Percentage_Recovery", "*"],
    ]
    before = counts()
    errors = refused("import_talking_therapies", write(tmp_path, "tt.csv", rows))
    assert "tt.csv, row 3, column 'value': 'lots' is not a number." in errors
    assert counts() == before
    rows[2][3] = "900"
    assert "Imported 3 rows" in run("import_talking_therapies", write(tmp_path, "tt.csv", rows))
    england = TalkingTherapiesActivity.objects.get(is_england=True)
    assert england.value is None and england.measure == "recovery_rate"  # suppressed, kept


def _two_practices(tmp_path: Path) -> None:
    rows = [
        ["org_code", "name", "postcode", "status_code", "open_date", "close_date"],
        ["M81001", "ST STEPHEN'S", "B97 4AL", "A", "19740401", ""],
        ["M81002", "ELGAR HOUSE", "B97 4AB", "C", "19740401", "20200331"],
    ]
    run("import_gp_practices", write(tmp_path, "practices.csv", rows))


@pytest.mark.django_db
def test_practice_lsoa_unknown_practice_and_duplicate_row(tmp_path):
    _two_practices(tmp_path)
    assert Practice.objects.get(code="M81002").close_date.year == 2020
    path = practice_lsoa_file(tmp_path / "lsoa.csv", ["M81001", "Z99999"], ["E01032224"])
    before = counts()
    errors = refused("import_practice_lsoa", path)
    assert (
        "lsoa.csv, row 3, column 'PRACTICE_CODE': 1 practice code(s) are not among the GP "
        "practices loaded here: Z99999." in errors
    )
    assert counts() == before
    # With the national-file option the unknown practice is skipped, and said so.
    out = run("import_practice_lsoa", path, "--only-loaded-areas")
    assert "1 practice(s) in the file are not loaded here and were skipped" in out
    assert PracticeLsoaPatients.objects.count() == 1
    duplicated = write(
        tmp_path,
        "dup.csv",
        [
            LSOA_HEADER,
            ["P", "01OCT2023", "M81001", "X", "E01032224", "ALL", "5"],
            ["P", "01OCT2023", "M81001", "X", "E01032224", "ALL", "6"],
            ["P", "01OCT2023", "M81001", "X", "E01032225", "ALL", "n/a"],
        ],
    )
    before = counts()
    errors = refused("import_practice_lsoa", duplicated)
    assert "dup.csv, row 3, column 'LSOA_CODE': practice, LSOA, extract date and sex" in errors
    assert "dup.csv, row 4, column 'NUMBER_OF_PATIENTS': 'n/a' is not a whole number" in errors
    assert counts() == before


@pytest.mark.django_db
def test_a_national_indicator_file_keeps_englands_value(tmp_path):
    """England is read from its row where the file has one, and otherwise computed from every
    area's counts before the file is cut to the areas loaded here (a crude rate only)."""
    from needs.models import Area

    Area.objects.create(code="E07000234", name="Bromsgrove", level="lad")
    Area.objects.create(code="E07000235", name="Malvern Hills", level="lad")
    header = ["area_code", "period", "indicator", "value", "lower", "upper", "numerator",
              "denominator"]  # fmt: skip
    rows = [
        header,
        ["E07000234", "2021", "Crude rate", "10", "8", "12", "10", "100000"],
        ["E07000235", "2021", "Crude rate", "20", "15", "25", "16", "80000"],
        ["E06000001", "2021", "Crude rate", "30", "20", "40", "6", "20000"],
        ["E07000234", "2021", "Standardised", "11.5", "9", "14", "10", "100000"],
        ["E07000235", "2021", "Standardised", "13.1", "9", "14", "16", "80000"],
        ["E92000001", "2021", "Standardised", "12.2", "12.1", "12.3", "5000", "50000000"],
    ]
    path = write(tmp_path, "national.csv", rows)
    # Not cut to the areas loaded here, E06000001 would be kept as the comparator group's.
    assert "comparator group, not as the area's own: E06000001" in run(
        "import_indicators", path, "--dry-run"
    )
    run("import_indicators", path, "--only-loaded-areas")
    computed = IndicatorValue.objects.get(indicator="Crude rate", area_code="E92000001")
    # (10 + 16 + 6) / (100,000 + 80,000 + 20,000) per 100,000, before E06000001 was dropped.
    assert computed.value == pytest.approx(16.0)
    assert computed.england_source == "computed" and computed.numerator == 32
    read = IndicatorValue.objects.get(indicator="Standardised", area_code="E92000001")
    assert (read.value, read.lower, read.england_source) == (12.2, 12.1, "file")
    assert not IndicatorValue.objects.filter(area_code="E06000001").exists()
    assert IndicatorValue.objects.get(area_code="E07000235", indicator="Crude rate").area.name == (
        "Malvern Hills"
    )


@pytest.mark.django_db
def test_indicator_file_bad_value_names_row_and_column(tmp_path):
    rows = [
        ["area_code", "period", "indicator", "value"],
        ["E07000234", "2021", "Suicide rate", "9.1"],
        ["E07000234", "2022", "Suicide rate", "high"],
    ]
    before = counts()
    errors = refused("import_indicators", write(tmp_path, "ind.csv", rows))
    assert "ind.csv, row 3, column 'value': 'high' is not a number." in errors
    assert counts() == before
