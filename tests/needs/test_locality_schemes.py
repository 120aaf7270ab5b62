"""Locality schemes: the districts, MSOAs and wards of the LSOA 2021 lookup, the analyst's own
localities (import_localities and the Data page), and the scheme a run is given.

The real Worcestershire lookups are imported once for one test class (and rolled back after
it), with a population row on each LSOA 2021 area so that the check that nobody is left out of
the localities has residents to check; each test runs in its own transaction inside it. The
tests after the class start from the demo county alone.
"""

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from gapanalysis.models import AnalysisRun
from jsna.demo_geography import COUNTY_NAME
from jsna.services import DEMO_SCHEME
from needs.demography.localities import (
    ALL_AREAS,
    DISTRICTS,
    MSOAS,
    default_scheme,
    locality_schemes,
    place_name,
)
from needs.importers import localities as parser
from needs.models import (
    Area,
    DatasetVersion,
    Locality,
    LocalityArea,
    LocalityScheme,
    LsoaBestFit,
    PopulationEstimate,
)
from tests.uploads.conftest import (
    NO_REAL_DATA,
    WORCESTERSHIRE,
    analyst_create,
    confirm,
    csv_bytes,
    detail,
    rolled_back_shared_state,
    text,
    upload_file,
)
from uploads.models import UploadStatus

pytestmark = pytest.mark.django_db

LOOKUP_2021 = "lookup_lsoa21_msoa21_ward24_lad_icb.csv"
LOOKUP_2011 = "lookup_lsoa11_msoa11_lad_icb.csv"
BEST_FIT = "lookup_lsoa11_to_lsoa21.csv"
WARDS_2024 = "Electoral wards (2024)"
LSOAS_2021 = 374
NORTH = {"E07000234", "E07000236", "E07000239"}  # Bromsgrove, Redditch, Wyre Forest


def real_rows(name: str) -> list[dict[str, str]]:
    with (WORCESTERSHIRE / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def half_of(district: str) -> str:
    return "North" if district in NORTH else "South"


def halves(header: tuple[str, ...] = ("lsoa21_code", "locality_name")) -> list[list[str]]:
    """Every real LSOA 2021 area in "North" or "South" by its district (header first)."""
    return [list(header)] + [
        [row["lsoa21_code"], half_of(row["ltla24_code"])] for row in real_rows(LOOKUP_2021)
    ]


def halves_2011() -> list[list[str]]:
    """The same halves on 2011 LSOAs: each 2011 LSOA in the half of its 2021 successors."""
    district = {row["lsoa21_code"]: row["ltla24_code"] for row in real_rows(LOOKUP_2021)}
    half = {
        row["lsoa11_code"]: half_of(district[row["lsoa21_code"]]) for row in real_rows(BEST_FIT)
    }
    return [["lsoa11_code", "locality_name"]] + [[code, name] for code, name in half.items()]


def written(path: Path, rows: list[list[str]]) -> Path:
    path.write_bytes(csv_bytes(rows))
    return path


def scheme_tables() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (LocalityScheme, Locality, LocalityArea, DatasetVersion)
    }


def imported(*argv: str) -> str:
    stdout = io.StringIO()
    call_command("import_localities", *argv, stdout=stdout)
    return stdout.getvalue()


def refused(path: Path, *argv: str) -> str:
    """The file is refused by import_localities, nothing written; returns what it printed to
    standard error (one line per problem)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    before = scheme_tables()
    with pytest.raises(CommandError, match=r"1 file\(s\) refused; nothing was written"):
        call_command("import_localities", str(path), *argv, stdout=stdout, stderr=stderr)
    assert scheme_tables() == before
    return stderr.getvalue()


def members(scheme: LocalityScheme) -> LocalityArea:
    return LocalityArea.objects.filter(locality__scheme=scheme)


@pytest.fixture(scope="class")
def worcestershire(django_db_setup, django_db_blocker, tmp_path_factory) -> dict[str, str]:
    """The real 2021 lookup and best fit imported (what import_lookup printed, by file), and a
    resident on each real LSOA 2021 area."""
    if not WORCESTERSHIRE.is_dir():
        pytest.skip(NO_REAL_DATA)
    with rolled_back_shared_state(django_db_blocker, tmp_path_factory.mktemp("media")):
        printed = {}
        for name in (LOOKUP_2021, BEST_FIT):
            stdout = io.StringIO()
            call_command("import_lookup", str(WORCESTERSHIRE / name), stdout=stdout)
            printed[name] = stdout.getvalue()
        PopulationEstimate.objects.bulk_create(
            PopulationEstimate(area=area, year=2020, sex="F", age=30, count=10)
            for area in Area.objects.filter(level="lsoa21", is_synthetic=False)
        )
        yield printed


class TestTheRealLookupAndLocalities:
    """The real lookups imported once for the class (see the worcestershire fixture)."""

    def test_the_2021_lookup_makes_districts_msoas_and_wards(self, worcestershire):
        schemes = {s.name: s for s in LocalityScheme.objects.filter(kind="lookup")}
        assert set(schemes) == {DISTRICTS, MSOAS, WARDS_2024}
        rows = real_rows(LOOKUP_2021)
        for name, column, count in (
            (DISTRICTS, "ltla24", 6),
            (MSOAS, "msoa21", 85),
            (WARDS_2024, "ward24", len({row["ward24_code"] for row in rows})),
        ):
            scheme = schemes[name]
            assert scheme.source == LOOKUP_2021 and not scheme.is_synthetic
            published = {(row[f"{column}_code"], row[f"{column}_name"]) for row in rows}
            assert set(scheme.localities.values_list("code", "name")) == published, name
            assert len(published) == count, name
            assert members(scheme).count() == LSOAS_2021, name
            assert members(scheme).values("area").distinct().count() == LSOAS_2021, name
            assert set(members(scheme).values_list("area__level", flat=True)) == {"lsoa21"}
            in_file = {(row["lsoa21_code"], row[f"{column}_code"]) for row in rows}
            assert set(members(scheme).values_list("area__code", "locality__code")) == in_file

    def test_the_lookup_preview_lists_the_schemes_it_makes(self, worcestershire):
        out = worcestershire[LOOKUP_2021]
        for name, count in ((DISTRICTS, 6), (MSOAS, 85), (WARDS_2024, 112)):
            assert (
                f"  → The locality scheme {name!r}: {count} localities over 374 LSOA 2021 "
                "areas, replacing any scheme of that name."
            ) in out

    def test_importing_the_lookup_again_replaces_its_schemes(self, worcestershire):
        before = dict(LocalityScheme.objects.values_list("name", "pk"))
        tables = scheme_tables()
        call_command("import_lookup", str(WORCESTERSHIRE / LOOKUP_2021), stdout=io.StringIO())
        assert dict(LocalityScheme.objects.values_list("name", "pk")) == before
        after = scheme_tables()
        assert after["DatasetVersion"] == tables["DatasetVersion"] + 1
        assert {k: v for k, v in after.items() if k != "DatasetVersion"} == {
            k: v for k, v in tables.items() if k != "DatasetVersion"
        }

    def test_a_2011_lookup_makes_no_schemes_and_says_so(self, worcestershire):
        stdout = io.StringIO()
        schemes = list(LocalityScheme.objects.values_list("name", flat=True))
        call_command("import_lookup", str(WORCESTERSHIRE / LOOKUP_2011), stdout=stdout)
        assert (
            "  → No locality schemes are made from a 2011 lookup: analyses run on LSOA 2021 "
            "areas, so districts, MSOAs and wards come from the LSOA 2021 lookup."
        ) in stdout.getvalue()
        assert list(LocalityScheme.objects.values_list("name", flat=True)) == schemes
        assert not LocalityArea.objects.filter(area__level="lsoa11").exists()

    def test_the_place_is_named_after_its_county(self, worcestershire):
        for name in (DISTRICTS, MSOAS, WARDS_2024):
            assert place_name(scheme=LocalityScheme.objects.get(name=name)) == "Worcestershire"
        assert place_name(scheme=LocalityScheme.objects.get(name=DEMO_SCHEME)) == COUNTY_NAME
        assert place_name() == ALL_AREAS  # the demo county is loaded too: two places

    def test_districts_are_the_default_scheme(self, worcestershire):
        assert default_scheme().name == DISTRICTS
        assert [s.name for s in locality_schemes()][:1] == [DEMO_SCHEME]

    def test_the_run_form_lists_the_schemes_with_the_districts_chosen(self, worcestershire):
        client = Client()
        client.force_login(analyst_create("runner"))
        body = text(client.get(reverse("gapanalysis:latest_map")))
        select = re.search(r'<select name="scheme"[^>]*>(.*?)</select>', body, re.S)
        assert (
            select
            and 'id="run-scheme"' in body
            and '<label class="nhsuk-label" for="run-scheme">' in body
        )
        options = re.findall(r'<option value="(\d+)"( selected)?>([^<]*)</option>', select.group(1))
        assert [name for _, _, name in options] == [s.name for s in locality_schemes()]
        chosen = [name for _, selected, name in options if selected]
        assert chosen == [DISTRICTS]

    # --- the analyst's own localities --------------------------------------------------------

    def test_own_localities_import_from_the_command_line(self, worcestershire, tmp_path):
        path = written(tmp_path / "halves.csv", halves())
        out = imported(str(path), "--name", "North and South")
        assert "  → The locality scheme 'North and South': 2 localities over 374 LSOA 2021 " in out
        assert out.splitlines()[-1].startswith("Imported 374 rows as dataset version ")
        scheme = LocalityScheme.objects.get(name="North and South")
        assert (scheme.kind, scheme.source) == ("custom", "halves.csv")
        assert set(scheme.localities.values_list("code", "name")) == {
            ("north", "North"),
            ("south", "South"),
        }
        assert members(scheme).values("area").distinct().count() == LSOAS_2021
        north = members(scheme).filter(locality__name="North")
        assert set(north.values_list("area__parent__parent__code", flat=True)) == NORTH
        assert DatasetVersion.objects.latest("pk").kind == "localities"

    def test_importing_own_localities_again_replaces_them(self, worcestershire, tmp_path):
        path = written(tmp_path / "halves.csv", halves())
        imported(str(path), "--name", "Halves")
        first = LocalityScheme.objects.get(name="Halves")
        out = imported(str(path), "--name", "Halves")
        assert "replacing its 2 localities." in out
        assert LocalityScheme.objects.get(name="Halves").pk == first.pk
        assert members(first).count() == LSOAS_2021

    def test_a_dry_run_writes_nothing(self, worcestershire, tmp_path):
        path = written(tmp_path / "halves.csv", halves())
        before = scheme_tables()
        out = imported(str(path), "--dry-run")
        assert "  ✓ Scheme name: 'halves'" in out and "Dry run: the file passed" in out
        assert scheme_tables() == before

    def test_ons_headers_and_locality_codes_are_read(self, worcestershire, tmp_path):
        rows = halves(("LSOA21CD", "Locality", "Locality_Code"))
        rows = [rows[0]] + [[code, name, f"{name[0]}01"] for code, name in rows[1:]]
        imported(str(written(tmp_path / "coded.csv", rows)), "--name", "Coded")
        scheme = LocalityScheme.objects.get(name="Coded")
        assert set(scheme.localities.values_list("code", flat=True)) == {"N01", "S01"}

    def test_2011_codes_are_carried_to_2021_through_the_best_fit(self, worcestershire, tmp_path):
        out = imported(str(written(tmp_path / "old.csv", halves_2011())), "--name", "Old halves")
        assert (
            "  ✓ LSOA vintage: 364 LSOA 2011 codes carried to 374 LSOA 2021 areas through the "
            "best-fit lookup"
        ) in out
        scheme = LocalityScheme.objects.get(name="Old halves")
        expected = {(row[1], row[0]) for row in halves()[1:]}
        assert set(members(scheme).values_list("locality__name", "area__code")) == expected

    def test_own_localities_import_through_the_data_page(self, worcestershire, tmp_path):
        client = Client()
        client.force_login(analyst_create("uploader"))
        path = written(tmp_path / "Two halves.csv", halves())
        upload = upload_file(client, kind="localities", path=path)
        page = detail(client, upload)
        assert "The locality scheme 'Two halves': 2 localities over 374 LSOA 2021 areas" in page
        confirm(client, upload)
        assert upload.status == UploadStatus.IMPORTED, upload.error
        scheme = LocalityScheme.objects.get(name="Two halves")
        assert members(scheme).count() == LSOAS_2021

    def test_a_bad_file_is_refused_on_the_data_page(self, worcestershire, tmp_path):
        client = Client()
        client.force_login(analyst_create("uploader"))
        rows = halves()
        rows[6][1] = ""
        before = scheme_tables()
        upload = upload_file(client, kind="localities", path=written(tmp_path / "gap.csv", rows))
        assert upload.status == UploadStatus.REFUSED
        page = detail(client, upload)
        assert "gap.csv, row 7, column 'locality_name': no locality name" in page
        assert scheme_tables() == before

    # --- bad files ------------------------------------------------------------------------------

    def test_an_unknown_code_is_refused_by_row_and_column(self, worcestershire, tmp_path):
        rows = [*halves(), ["E01999999", "North"]]
        errors = refused(written(tmp_path / "unknown.csv", rows))
        assert (
            "  ✗ unknown.csv, row 376, column 'lsoa21_code': E01999999 is not an LSOA 2021 area "
            "loaded here; load the LSOA 2021 boundaries or lookup first, or correct the code."
        ) in errors

    def test_a_malformed_code_is_refused(self, worcestershire, tmp_path):
        rows = halves()
        rows[3][0] = "E1234"
        errors = refused(written(tmp_path / "typo.csv", rows))
        assert (
            "  ✗ typo.csv, row 4, column 'lsoa21_code': 'E1234' is not an LSOA code (E01 or W01 "
            "and 6 digits)."
        ) in errors

    def test_an_lsoa_in_two_localities_is_refused_naming_both_rows(self, worcestershire, tmp_path):
        rows = halves()
        code, half = rows[1]
        other = "South" if half == "North" else "North"
        errors = refused(written(tmp_path / "twice.csv", [*rows, [code, other]]))
        assert (
            f"  ✗ twice.csv, rows 2, 376, column 'lsoa21_code': {code} is in more than one "
            f"locality ('{half}' on row(s) 2; '{other}' on row(s) 376); each LSOA must be in "
            "exactly one."
        ) in errors

    def test_an_exact_repeat_is_read_once_with_a_warning(self, worcestershire, tmp_path):
        rows = halves()
        out = imported(str(written(tmp_path / "repeat.csv", [*rows, rows[1]])), "--name", "R")
        assert "  ! 1 row(s) repeat an LSOA and its locality from an earlier row" in out
        assert members(LocalityScheme.objects.get(name="R")).count() == LSOAS_2021

    def test_leaving_residents_out_is_refused_listing_their_lsoas(self, worcestershire, tmp_path):
        rows = halves()
        left_out = sorted(row[0] for row in rows[1:4])
        errors = refused(written(tmp_path / "partial.csv", [rows[0], *rows[4:]]))
        assert (
            f"  ✗ partial.csv, column 'lsoa21_code': 3 LSOA 2021 area(s) with population are in "
            f"no locality: {', '.join(left_out)}. Add a row for each: nobody may be left out of "
            "the localities."
        ) in errors

    def test_a_blank_locality_name_is_refused(self, worcestershire, tmp_path):
        rows = halves()
        rows[6][1] = ""
        errors = refused(written(tmp_path / "blank.csv", rows))
        assert errors.splitlines()[0] == (
            "  ✗ blank.csv, row 7, column 'locality_name': no locality name: every LSOA needs "
            "the name of its locality."
        )

    def test_2011_lsoas_of_one_2021_lsoa_in_two_localities_are_refused(
        self, worcestershire, tmp_path
    ):
        rows = halves_2011()
        first = next(i for i, row in enumerate(rows) if row[1] == "North")
        second = next(i for i, row in enumerate(rows) if row[1] == "South")
        kept, merged = rows[first][0], rows[second][0]
        # As if the two had merged into one 2021 LSOA (the real best fit has no merges).
        LsoaBestFit.objects.filter(lsoa11_code__in=[kept, merged]).delete()
        LsoaBestFit.objects.bulk_create(
            [LsoaBestFit(lsoa11_code=old, lsoa21_code=kept, change="M") for old in (kept, merged)]
        )
        errors = refused(written(tmp_path / "merged.csv", rows), "--name", "Merged")
        assert (
            f"  ✗ merged.csv, rows {first + 1}, {second + 1}, column 'lsoa11_code': the 2021 "
            f"LSOA {kept} is made from 2011 LSOAs in different localities ({kept} (row "
            f"{first + 1}) in 'North'; {merged} (row {second + 1}) in 'South'); put them in the "
            "same locality, or give 2021 LSOA codes."
        ) in errors

    def test_a_split_2011_lsoa_cannot_be_shared_between_localities(self, worcestershire, tmp_path):
        split = next(row["lsoa11_code"] for row in real_rows(BEST_FIT) if row["change_code"] == "S")
        rows = halves_2011()
        at = next(i for i, row in enumerate(rows) if row[0] == split)
        other = "South" if rows[at][1] == "North" else "North"
        errors = refused(written(tmp_path / "shared.csv", [*rows, [split, other]]))
        assert f"column 'lsoa11_code': {split} is in more than one locality" in errors

    def test_a_lookup_schemes_name_is_not_taken(self, worcestershire, tmp_path):
        errors = refused(written(tmp_path / "halves.csv", halves()), "--name", DISTRICTS)
        assert (
            f"  ✗ halves.csv: {DISTRICTS!r} is the name of a scheme made from the ONS lookup; "
            "give your localities another name."
        ) in errors


# --- the parser alone ----------------------------------------------------------------------------


def test_a_file_without_the_columns_says_what_to_call_them(tmp_path):
    path = written(tmp_path / "wrong.csv", [["code", "area"], ["E01000001", "North"]])
    result = parser.parse(path)
    assert result.errors == [
        "wrong.csv: no LSOA code column; name it lsoa21_code (or LSOA21CD) for 2021 LSOAs, "
        "lsoa11_code (or LSOA11CD) for 2011 LSOAs.",
        "wrong.csv: no locality name column; name it locality_name (or locality).",
    ]


def test_the_header_says_the_vintage_or_leaves_it_to_the_database(tmp_path):
    for header, vintage in (("LSOA11CD", "lsoa11"), ("lsoa21_code", "lsoa21"), ("lsoa_code", "")):
        path = written(tmp_path / "v.csv", [[header, "locality"], ["E01000001", "North"]])
        assert parser.parse(path).facts["vintage"] == vintage, header


def test_codes_made_from_names_are_short_and_distinct():
    import pandas as pd

    names = pd.Series(["North Worcs", "North  worcs!", "Évesham & Vale", "North Worcs", "?"])
    assert parser.codes_from_names(names).tolist() == [
        "north-worcs",
        "north-worcs-2",
        "vesham-vale",
        "north-worcs",
        "locality",
    ]


def test_a_locality_code_with_two_names_is_refused(tmp_path):
    rows = [
        ["lsoa21_code", "locality_name", "locality_code"],
        ["E01000001", "North", "N"],
        ["E01000002", "Nort", "N"],
    ]
    result = parser.parse(written(tmp_path / "codes.csv", rows))
    assert result.errors == [
        "codes.csv, column 'locality_name': the locality code 'N' has more than one: 'North' on "
        "row(s) 2; 'Nort' on row(s) 3."
    ]


# --- the demo county alone -----------------------------------------------------------------------


def test_run_gap_analysis_refuses_an_unknown_scheme_listing_the_schemes():
    with pytest.raises(CommandError) as refused_run:
        call_command("run_gap_analysis", "--scheme", "Nowhere", stdout=io.StringIO())
    assert str(refused_run.value) == (
        f"No locality scheme is called 'Nowhere'. The schemes are: {DEMO_SCHEME!r}."
    )
    assert not AnalysisRun.objects.exists()


def test_run_gap_analysis_uses_the_scheme_named(django_capture_on_commit_callbacks):
    other = LocalityScheme.objects.create(name="Another scheme")
    with django_capture_on_commit_callbacks(execute=False):
        call_command("run_gap_analysis", "--scheme", DEMO_SCHEME, stdout=io.StringIO())
    assert AnalysisRun.objects.get().locality_scheme.name == DEMO_SCHEME
    assert other.pk  # there was a choice to make


def test_the_run_form_starts_a_run_on_the_chosen_scheme(
    client, analyst, django_capture_on_commit_callbacks
):
    demo = LocalityScheme.objects.get(name=DEMO_SCHEME)
    client.force_login(analyst)
    body = text(client.get(reverse("gapanalysis:latest_map")))
    assert f'<option value="{demo.pk}" selected>{DEMO_SCHEME}</option>' in body
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("gapanalysis:run_start"), {"scheme": demo.pk})
    assert AnalysisRun.objects.get().locality_scheme == demo


def test_the_run_form_refuses_a_scheme_that_is_not_there(client, analyst):
    client.force_login(analyst)
    response = client.post(reverse("gapanalysis:run_start"), {"scheme": 999_999}, follow=True)
    assert f"Choose the localities from the list: {DEMO_SCHEME}" in text(response)
    assert not AnalysisRun.objects.exists()


def test_the_districts_are_preferred_as_the_default_scheme():
    assert default_scheme().name == DEMO_SCHEME
    districts = LocalityScheme.objects.create(name=DISTRICTS, kind="lookup")
    assert default_scheme() == districts


def test_the_demo_place_is_named_after_its_county():
    assert place_name() == COUNTY_NAME


def test_without_a_county_one_district_names_the_place_else_all_areas():
    Area.objects.filter(level="lad").update(parent=None)
    assert place_name() == ALL_AREAS
    district = Area.objects.filter(level="lad").order_by("code").first()
    Area.objects.filter(level="msoa21").update(parent=district)
    assert place_name() == district.name
