"""Files that must be refused, each through the upload page and through its import command.

Every refusal names the file (and, where there is one, the row and column), offers nothing to
confirm, and leaves every table an import writes exactly as it was.
"""

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from openpyxl import Workbook
from shapely.geometry import box, mapping

from needs import bulk
from needs.models import Deprivation, LsoaBestFit, PopulationEstimate
from tests.uploads.conftest import (
    COMMANDS,
    WORCESTERSHIRE,
    confirm,
    confirm_button,
    csv_bytes,
    demo_lsoa_codes,
    detail,
    imd2025_rows,
    needs_real_data,
    population_long_rows,
    snapshot,
    text,
    upload_file,
    upload_post,
    wide_persons_rows,
)
from uploads.models import Upload, UploadStatus

pytestmark = pytest.mark.django_db

UNKNOWN = ["E01999998", "E01999999"]  # well-formed LSOA codes for no area loaded here
BOMB_BYTES = 200 * 1024 * 1024
CHUNK = 1024 * 1024
CSV_KINDS = [
    "lookup",
    "population",
    "sex_totals",
    "projections",
    "deprivation",
    "rates",
    "services",
]
Built = tuple[Path, list[str]]  # the file, and the messages (or parts) its refusal must show


@dataclass(frozen=True)
class Bad:
    """A file that must be refused: `build(folder, demo_codes)` writes it and says what the
    refusal must show."""

    id: str
    kind: str
    build: Callable[[Path, list[str]], Built]
    options: dict = field(default_factory=dict)

    def argv(self) -> list[str]:
        year = self.options.get("year")
        return ["--year", str(year)] if year else []


# --- the corpus --------------------------------------------------------------------------------


def truncated_real_csv(folder: Path, codes: list[str]) -> Built:
    """The first half of the real IoD2019 file: its last line stops part-way through a row."""
    data = (WORCESTERSHIRE / "imd2019_lsoa11_ranks_deciles_denominators.csv").read_bytes()
    path = folder / "imd2019_first_half.csv"
    path.write_bytes(data[: len(data) // 2])
    last_row = path.read_bytes().count(b"\n") + 1  # the header is row 1
    return path, [f"{path.name}, row {last_row}, column "]


def sape_workbook(codes: list[str], sheets: list[str]) -> Workbook:
    """An ONS SAPE-style workbook: title rows, then the header on row 5, one sheet per name."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet_name in sheets:
        sheet = workbook.create_sheet(sheet_name)
        sheet.append([f"{sheet_name}: small area population estimates (made up for a test)"])
        sheet.append([])
        sheet.append([])
        sheet.append([])
        sheet.append(["LSOA Code", "LSOA Name", "All Ages", *range(90), "90+"])
        for code in codes:
            sheet.append([code, f"Area {code}", 91 * 5, *([5] * 91)])
    return workbook


def truncated_xlsx(folder: Path, codes: list[str]) -> Built:
    whole = io.BytesIO()
    sape_workbook(codes, ["Mid-2020 Females", "Mid-2020 Males"]).save(whole)
    path = folder / "population_mid2020_truncated.xlsx"
    path.write_bytes(whole.getvalue()[: int(len(whole.getvalue()) * 0.6)])
    return path, [
        f"{path.name}: cannot be opened as an Excel .xlsx workbook (",
        "it may be truncated, password-protected or in the old .xls format (save it as .xlsx).",
    ]


def wrong_sheets(folder: Path, codes: list[str]) -> Built:
    path = folder / "population_wrong_sheets.xlsx"
    sape_workbook(codes, ["Notes", "Data"]).save(path)
    return path, [
        f"{path.name}: has no sheet named like 'Mid-2020 Males', 'Mid-2020 Females', "
        "'Mid-2020 Persons' or 'Mid-2022 LSOA 2021' (its sheets are 'Notes', 'Data')."
    ]


UTF16 = (
    '{}: is UTF-16 text or a binary file, not CSV; save it as "CSV UTF-8" or '
    '"CSV (Comma delimited)".'
)


def utf16_population(folder: Path, codes: list[str]) -> Built:
    path = folder / "population_utf16.csv"
    path.write_bytes(csv_bytes(population_long_rows(codes, 2023), encoding="utf-16"))
    return path, [UTF16.format(path.name)]


def utf16_sex_totals(folder: Path, codes: list[str]) -> Built:
    header = ["date", "geography", "geography code", "Sex: All persons; measures: Value"]
    header += ["Sex: Female; measures: Value", "Sex: Male; measures: Value"]
    rows = [header] + [[2021, f"Area {code}", code, 300, 160, 140] for code in codes]
    path = folder / "ts008_utf16.csv"
    path.write_bytes(csv_bytes(rows, encoding="utf-16"))
    return path, [UTF16.format(path.name)]


def utf16_deprivation(folder: Path, codes: list[str]) -> Built:
    path = folder / "imd2025_utf16.csv"
    path.write_bytes(csv_bytes(imd2025_rows(codes), encoding="utf-16"))
    return path, [UTF16.format(path.name)]


def zip_bomb(folder: Path, codes: list[str]) -> Built:
    """200 MB of zeros in one member, streamed into the archive: about 200 KB on disk."""
    path = folder / "boundaries_bomb.zip"
    if not path.exists():
        with (
            zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
            archive.open("lsoa21.shp", "w", force_zip64=True) as member,
        ):
            zeros = bytes(CHUNK)
            for _ in range(BOMB_BYTES // CHUNK):
                member.write(zeros)
    with zipfile.ZipFile(path) as archive:
        (info,) = archive.infolist()
    assert info.file_size == BOMB_BYTES and path.stat().st_size < 1024 * 1024
    ratio = info.file_size / info.compress_size
    return path, [
        f"{path.name}: compressed {ratio:,.0f} to 1, which no boundary file is: refused as a "
        "possible zip bomb."
    ]


def zip_traversal(folder: Path, codes: list[str]) -> Built:
    path = folder / "boundaries_traversal.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("../evil.shp", b"not a shapefile")
        archive.writestr("lsoa21.dbf", b"")
    return path, [f"{path.name}: member '../evil.shp' would be written outside the folder."]


def coordinates_off_the_grid(folder: Path, codes: list[str]) -> Built:
    """Outlines for areas held here, in metres far beyond British National Grid, with no
    "crs" member: GeoJSON's default would have read them as degrees."""
    features = [
        {
            "type": "Feature",
            "properties": {"LSOA21CD": code},
            "geometry": mapping(box(5_000_000 + n, 174_500, 5_001_000 + n, 175_000)),
        }
        for n, code in enumerate(codes)
    ]
    path = folder / "boundaries_off_the_grid.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path, [
        f"{path.name}, feature 1 ({codes[0]}): coordinates such as (5,000,000, 174,500) are "
        "neither longitude/latitude nor British National Grid metres"
    ]


def text_in_count(folder: Path, codes: list[str]) -> Built:
    rows = population_long_rows(codes, 2023)
    rows[12][4] = "twelve"  # spreadsheet row 13
    path = folder / "population_text_count.csv"
    path.write_bytes(csv_bytes(rows))
    return path, [
        f"{path.name}, row 13, column 'count': 'twelve' is not a whole number of people "
        "(0 or more)."
    ]


def text_in_rank(folder: Path, codes: list[str]) -> Built:
    rows = imd2025_rows(codes)
    rows[2][2] = "n/a"  # spreadsheet row 3
    path = folder / "imd2025_text_rank.csv"
    path.write_bytes(csv_bytes(rows))
    return path, [f"{path.name}, row 3, column 'IMD_rank': 'n/a' is not a number."]


def duplicate_population_row(folder: Path, codes: list[str]) -> Built:
    rows = population_long_rows(codes, 2023)
    rows.append(list(rows[4]))  # row 5 again, as the last row
    path = folder / "population_duplicate_row.csv"
    path.write_bytes(csv_bytes(rows))
    return path, [
        f"{path.name}, row {len(rows)}: area {codes[0]}, sex F, age 3 is already on row 5; give "
        "each area, sex and age once."
    ]


def duplicate_lsoa(folder: Path, codes: list[str]) -> Built:
    rows = imd2025_rows(codes)
    rows.append([codes[0], 12.5, 20_000, 6])
    path = folder / "imd2025_duplicate_lsoa.csv"
    path.write_bytes(csv_bytes(rows))
    last = len(rows)
    return path, [
        f"{path.name}, row {last}, column 'lsoa21_code': {codes[0]} appears twice, on rows 2 and "
        f"{last}; each LSOA must appear once."
    ]


def unknown_codes(folder: Path, codes: list[str]) -> Built:
    path = folder / "imd2025_unknown_codes.csv"
    path.write_bytes(csv_bytes(imd2025_rows(codes + UNKNOWN)))
    return path, [
        f"{path.name}: 2 LSOA code(s) are not loaded here: {', '.join(UNKNOWN)}. Load their "
        "boundaries or lookup first, or, for a national file, choose to import only the areas "
        "loaded here."
    ]


def empty(kind: str) -> Callable[[Path, list[str]], Built]:
    def build(folder: Path, codes: list[str]) -> Built:
        path = folder / f"empty_{kind}.csv"
        path.write_bytes(b"")
        return path, [f"{path.name}: is empty ("]

    return build


CORPUS = [
    pytest.param(
        Bad("truncated-real-csv", "deprivation", truncated_real_csv), marks=needs_real_data
    ),
    Bad("truncated-xlsx", "population", truncated_xlsx),
    Bad("wrong-sheets", "population", wrong_sheets, {"year": 2020}),
    Bad("utf16-population", "population", utf16_population),
    Bad("utf16-sex-totals", "sex_totals", utf16_sex_totals),
    Bad("utf16-deprivation", "deprivation", utf16_deprivation),
    Bad("zip-bomb", "boundaries", zip_bomb),
    Bad("zip-traversal", "boundaries", zip_traversal),
    Bad("coordinates-off-the-grid", "boundaries", coordinates_off_the_grid),
    Bad("text-in-count", "population", text_in_count),
    Bad("text-in-rank", "deprivation", text_in_rank),
    Bad("duplicate-population-row", "population", duplicate_population_row),
    Bad("duplicate-lsoa", "deprivation", duplicate_lsoa),
    Bad("unknown-codes", "deprivation", unknown_codes),
]  # fmt: skip
EMPTY = [Bad(f"empty-{kind}", kind, empty(kind)) for kind in CSV_KINDS]


def case_id(case: object) -> str:
    return case.id


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """One folder for the module, so the zip bomb is built once."""
    return tmp_path_factory.mktemp("corpus")


def refusal_list(page: str) -> str:
    """The list of errors on a refused upload's page."""
    assert "data-upload-errors>" in page, page[:3000]
    return page.split("data-upload-errors>", 1)[1].split("</ul>", 1)[0]


# --- through the page -------------------------------------------------------------------------


@pytest.mark.parametrize("case", CORPUS, ids=case_id)
def test_the_upload_page_refuses_it_and_nothing_changes(client, analyst, corpus, case):
    client.force_login(analyst)
    path, messages = case.build(corpus, demo_lsoa_codes(3))
    before = snapshot()
    upload = upload_file(client, kind=case.kind, path=path, **case.options)
    page = detail(client, upload)
    assert upload.status == UploadStatus.REFUSED
    assert "Refused: the file has errors" in page
    assert "The file cannot be imported:" in page and "Nothing was written." in page
    listed = refusal_list(page)
    for message in messages:
        assert message in listed
    assert confirm_button(upload) not in page and "</button>" not in page.split("<h1>")[1]
    assert snapshot() == before

    confirm(client, upload)  # posting the confirmation anyway does nothing
    assert upload.status == UploadStatus.REFUSED and snapshot() == before


@pytest.mark.parametrize("case", EMPTY, ids=case_id)
def test_the_upload_form_refuses_an_empty_file(client, analyst, corpus, case):
    client.force_login(analyst)
    path, _ = case.build(corpus, [])
    before, uploads = snapshot(), Upload.objects.count()
    response = upload_post(client, kind=case.kind, content=b"", name=path.name)
    assert response.status_code == 200
    assert f"File: {path.name}: is empty (0 bytes); nothing was imported." in text(response)
    assert Upload.objects.count() == uploads and snapshot() == before


def test_the_upload_form_names_an_empty_file(client, analyst):
    client.force_login(analyst)
    response = upload_post(client, kind="population", content=b"", name="empty_population.csv")
    assert "empty_population.csv" in text(response).split("There is a problem")[1]


def test_the_workbook_before_it_was_truncated_is_accepted(client, analyst, tmp_path):
    """So the truncated workbook above is refused for its truncation, not its content."""
    client.force_login(analyst)
    path = tmp_path / "population_mid2020_whole.xlsx"
    sape_workbook(demo_lsoa_codes(3), ["Mid-2020 Females", "Mid-2020 Males"]).save(path)
    upload = upload_file(client, kind="population", path=path, allow_incomplete=True)
    assert upload.status == UploadStatus.CHECKED, upload.plan["errors"]
    assert upload.plan["checks"][0]["detail"] == (
        "546 rows read (ONS SAPE workbook (sheets 'Mid-2020 Females' and 'Mid-2020 Males'))"
    )


# --- through the command line -----------------------------------------------------------------


def refuse_on_command_line(case: Bad, path: Path, *argv: str) -> str:
    """Run the kind's import command on the file; it must refuse it. Returns standard error."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match=r"^1 file\(s\) refused; nothing was written from them"):
        call_command(
            COMMANDS[case.kind], str(path), *case.argv(), *argv, stdout=stdout, stderr=stderr
        )
    assert "Imported" not in stdout.getvalue()
    return stderr.getvalue()


@pytest.mark.parametrize("case", CORPUS + EMPTY, ids=case_id)
def test_the_import_command_refuses_it_and_nothing_changes(corpus, case):
    path, messages = case.build(corpus, demo_lsoa_codes(3))
    before = snapshot()
    errors = refuse_on_command_line(case, path)
    for message in messages:
        assert any(line.startswith("  ✗ ") and message in line for line in errors.splitlines())
    assert f"{path.name}: " in errors.splitlines()[-1]
    assert "problem(s)" in errors.splitlines()[-1]
    assert snapshot() == before


# --- the form's own checks --------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_by_the_form(client, analyst, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    client.force_login(analyst)
    before, uploads = snapshot(), Upload.objects.count()
    content = csv_bytes(imd2025_rows(demo_lsoa_codes(3))) + b"\n" * 3000
    response = upload_post(client, kind="deprivation", content=content, name="imd_big.csv")
    assert response.status_code == 200
    assert (
        f"imd_big.csv is larger than the limit of {filesizeformat(1024)} (set JSNA_UPLOAD_MAX_MB "
        "to change it); it was not kept."
    ) in text(response)
    assert Upload.objects.count() == uploads and snapshot() == before
    assert not (Path(settings.MEDIA_ROOT) / "uploads").exists()  # the file was not kept


@pytest.mark.parametrize(
    ("kind", "name", "message"),
    [
        ("boundaries", "lsoa21.csv",
         "lsoa21.csv: Boundaries must be a .geojson or .json or .gpkg or .zip file."),
        ("deprivation", "imd2025.xlsx",
         "imd2025.xlsx: Indices of Deprivation must be a .csv file."),
        ("population", "population.txt",
         "population.txt: Population estimates must be a .csv or .xlsx file."),
    ],
)  # fmt: skip
def test_a_file_with_the_wrong_extension_for_its_kind_is_refused(
    client, analyst, kind, name, message
):
    client.force_login(analyst)
    before, uploads = snapshot(), Upload.objects.count()
    content = csv_bytes(imd2025_rows(demo_lsoa_codes(3)))
    response = upload_post(client, kind=kind, content=content, name=name)
    assert response.status_code == 200
    assert f"File: {message}" in text(response)
    assert Upload.objects.count() == uploads and snapshot() == before


# --- national files: only the areas loaded here -----------------------------------------------


def imd_with_unknown_codes(folder: Path) -> tuple[Path, list[str]]:
    codes = demo_lsoa_codes(3)
    path = folder / "imd2025_national.csv"
    path.write_bytes(csv_bytes(imd2025_rows(codes + UNKNOWN)))
    return path, codes


SKIPPED = (
    "2 LSOA code(s) in the file are not loaded here and were skipped (e.g. E01999998, E01999999)."
)


def test_the_page_imports_only_the_loaded_areas_of_a_national_file_and_warns(
    client, analyst, tmp_path
):
    client.force_login(analyst)
    path, codes = imd_with_unknown_codes(tmp_path)
    before = snapshot()
    upload = upload_file(client, kind="deprivation", path=path, only_loaded_areas=True)
    page = detail(client, upload)
    assert upload.status == UploadStatus.CHECKED and upload.options["only_loaded_areas"] is True
    assert SKIPPED in page
    assert (
        "<td>Area codes</td><td>✓ Passed</td><td>3 LSOA(s) found among the areas loaded here"
        in page
    )
    assert "Import 3 rows</button>" in page

    confirm(client, upload)
    assert upload.status == UploadStatus.IMPORTED
    assert (
        sorted(Deprivation.objects.filter(edition="IMD2025").values_list("area__code", flat=True))
        == codes
    )
    assert snapshot() == before | {
        "Deprivation": before["Deprivation"] + 3,
        "DatasetVersion": before["DatasetVersion"] + 1,
    }
    assert SKIPPED in upload.dataset_version.warnings


def test_the_command_imports_only_the_loaded_areas_of_a_national_file_and_warns(tmp_path):
    path, _ = imd_with_unknown_codes(tmp_path)
    before = snapshot()
    stdout = io.StringIO()
    call_command("import_deprivation", str(path), "--only-loaded-areas", stdout=stdout)
    out = stdout.getvalue()
    assert f"  ! {SKIPPED}" in out
    assert "Imported 3 rows as dataset version" in out
    assert Deprivation.objects.filter(edition="IMD2025").count() == 3
    assert snapshot()["Deprivation"] == before["Deprivation"] + 3


# --- unknown codes when the other LSOA vintage is loaded -----------------------------------------

LSOA11_KNOWN = "E01000001"  # an lsoa11 code the best-fit pair below carries to a demo LSOA


def imd2019_file(folder: Path, codes: list[str]) -> Path:
    path = folder / f"imd2019_{len(codes)}_codes.csv"
    rows = [["lsoa11_code", "IMD_rank", "IMD_decile"]]
    rows += [[code, 1_000 + number, 1] for number, code in enumerate(codes)]
    path.write_bytes(csv_bytes(rows))
    return path


def test_unknown_2011_codes_are_refused_when_no_best_fit_lookup_is_loaded(
    client, analyst, tmp_path
):
    client.force_login(analyst)
    path = imd2019_file(tmp_path, [LSOA11_KNOWN, "E01999999"])
    before = snapshot()
    upload = upload_file(client, kind="deprivation", path=path)
    assert upload.status == UploadStatus.REFUSED
    assert (
        f"{path.name}: the file uses 2011 LSOA codes; analyses run on 2021 LSOAs, so its figures "
        "are converted through the ONS LSOA 2011 → 2021 best-fit lookup, which is not loaded here."
    ) in refusal_list(detail(client, upload))
    assert snapshot() == before


@pytest.mark.parametrize("codes", [["E01999999"], [LSOA11_KNOWN, "E01999999"]])
def test_unknown_codes_are_refused_even_when_the_other_vintage_is_loaded(
    client, analyst, tmp_path, codes
):
    LsoaBestFit.objects.create(
        lsoa11_code=LSOA11_KNOWN, lsoa21_code=demo_lsoa_codes(1)[0], change="U"
    )
    client.force_login(analyst)
    path = imd2019_file(tmp_path, codes)
    before = snapshot()
    upload = upload_file(client, kind="deprivation", path=path)
    if upload.status == UploadStatus.CHECKED:
        confirm(client, upload)  # as an analyst would: nothing on the page said anything was wrong
    assert upload.status == UploadStatus.REFUSED, (upload.status, upload.plan["warnings"])
    assert (
        "1 LSOA code(s) are neither loaded here nor in the LSOA 2011 → 2021 best-fit lookup: "
        "E01999999."
    ) in refusal_list(detail(client, upload))
    assert snapshot() == before


# --- 2011 figures when 2021 LSOAs are loaded, without the best-fit lookup ----------------------


def population_on_2011_lsoas(folder: Path) -> Path:
    path = folder / "population_lsoa11_persons.csv"
    rows = wide_persons_rows(["E01000001", "E01000002"], code_header="lsoa11_code")
    path.write_bytes(csv_bytes(rows))
    return path


def test_2011_figures_need_the_best_fit_lookup_when_2021_lsoas_are_loaded(tmp_path):
    path = population_on_2011_lsoas(tmp_path)
    before = snapshot()
    errors = refuse_on_command_line(Bad("lsoa11", "population", None), path, "--year", "2020")
    assert f"  ✗ {path.name}: the file uses " in errors
    assert ("Load it first (kind: Area lookup, e.g. lookup_lsoa11_to_lsoa21.csv).") in errors
    assert snapshot() == before


def test_the_vintage_message_names_the_census_years(tmp_path):
    path = population_on_2011_lsoas(tmp_path)
    errors = refuse_on_command_line(Bad("lsoa11", "population", None), path, "--year", "2020")
    assert "uses 2011 LSOA codes; analyses run on 2021 LSOAs" in errors


# --- dry run ----------------------------------------------------------------------------------


def test_a_dry_run_on_a_good_file_writes_nothing_and_succeeds(tmp_path):
    path = tmp_path / "imd2025_demo.csv"
    path.write_bytes(csv_bytes(imd2025_rows(demo_lsoa_codes(3))))
    before = snapshot()
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("import_deprivation", str(path), "--dry-run", stdout=stdout, stderr=stderr)
    out = stdout.getvalue()
    assert f"Indices of Deprivation: {path}" in out
    assert "  ✓ File layout and values: 3 rows read (English Indices of Deprivation)" in out
    assert "  → IMD2025 for 3 LSOAs, replacing any IMD2025 figures held for them." in out
    assert "Dry run: the file passed; nothing written." in out
    assert "Imported" not in out and stderr.getvalue() == ""
    assert snapshot() == before


def test_a_dry_run_on_a_bad_file_fails_listing_its_errors(corpus):
    case = Bad("text-in-rank", "deprivation", text_in_rank)
    path, messages = case.build(corpus, demo_lsoa_codes(3))
    errors = refuse_on_command_line(case, path, "--dry-run")
    assert f"  ✗ {messages[0]}" in errors


# --- a failure while writing --------------------------------------------------------------------


@pytest.fixture
def population_replacing_the_demo(tmp_path) -> tuple[Path, list[str]]:
    """A good population file for two demo areas in the demo's year: importing it replaces
    their rows."""
    codes = demo_lsoa_codes(2)
    path = tmp_path / "population_2023_two_areas.csv"
    path.write_bytes(csv_bytes(population_long_rows(codes, 2023)))
    return path, codes


def held_population(codes: list[str]) -> list[tuple]:
    rows = PopulationEstimate.objects.filter(area__code__in=codes).order_by("area", "sex", "age")
    return list(rows.values_list("area__code", "year", "sex", "age", "count", "is_modelled"))


@pytest.fixture
def write_fails_part_way(monkeypatch) -> list[int]:
    """needs.bulk.copy_frame writes the first 100 rows, then fails (as a full disk would)."""
    written: list[int] = []
    copy_frame = bulk.copy_frame

    def write_then_fail(model, frame, *, progress=None) -> int:
        written.append(copy_frame(model, frame.iloc[:100], progress=progress))
        raise RuntimeError("disk full")

    monkeypatch.setattr(bulk, "copy_frame", write_then_fail)
    return written


def test_a_failure_during_the_write_leaves_nothing_and_the_upload_failed(
    client, analyst, population_replacing_the_demo, write_fails_part_way
):
    client.force_login(analyst)
    path, codes = population_replacing_the_demo
    upload = upload_file(client, kind="population", path=path, allow_incomplete=True)
    assert upload.status == UploadStatus.CHECKED
    before, held = snapshot(), held_population(codes)
    assert len(held) == 2 * 2 * 91

    confirm(client, upload)  # in-process: the page shows the failure, not an error page
    upload.refresh_from_db()
    assert write_fails_part_way == [100]  # rows were written before the failure
    assert snapshot() == before and held_population(codes) == held
    assert upload.status == UploadStatus.FAILED and upload.dataset_version is None
    assert upload.error == "The import stopped unexpectedly: disk full"
    page = detail(client, upload)
    assert "Failed" in page and "The import stopped unexpectedly: disk full" in page
    assert confirm_button(upload) not in page
    response = client.get(reverse("uploads:progress", args=[upload.pk]))
    assert response.json() == {
        "status": "failed",
        "status_label": "Failed",
        "progress": 0,
        "step": "Failed",
        "finished": True,
    }


def test_a_failure_during_a_command_import_leaves_nothing(
    population_replacing_the_demo, write_fails_part_way
):
    path, codes = population_replacing_the_demo
    before, held = snapshot(), held_population(codes)
    total = PopulationEstimate.objects.aggregate(total=Sum("count"))["total"]
    stderr = io.StringIO()
    with pytest.raises(CommandError, match=r"^1 file\(s\) refused"):
        call_command(
            "import_population", str(path), "--incomplete", stdout=io.StringIO(), stderr=stderr
        )
    assert (
        f"{path.name}: the import stopped (RuntimeError: disk full); nothing was written from it."
    ) in stderr.getvalue()
    assert write_fails_part_way == [100]
    assert snapshot() == before and held_population(codes) == held
    assert PopulationEstimate.objects.aggregate(total=Sum("count"))["total"] == total
