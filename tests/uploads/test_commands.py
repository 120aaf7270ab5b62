"""The import_* commands: the real files in load order, then bad input.

The real sequence is imported once for one test class (and rolled back after it); each of its
tests reads what the commands printed and wrote. The other tests start from the demo county.
"""

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command, execute_from_command_line
from django.db import connections
from django.db.models import Sum

from needs.models import Area, DatasetVersion, Deprivation, LocalityScheme, PopulationEstimate
from tests.uploads.conftest import (
    COMMANDS,
    NO_REAL_DATA,
    REAL_SEQUENCE,
    WORCESTERSHIRE,
    csv_bytes,
    demo_lsoa_codes,
    imd2025_rows,
    needs_real_data,
    population_long_rows,
    rolled_back_shared_state,
    snapshot,
    wide_persons_rows,
)
from uploads.kinds import KINDS

pytestmark = pytest.mark.django_db

ROWS = {
    "lsoa11_boundaries_bgc.geojson": 364,
    "lookup_lsoa11_msoa11_lad_icb.csv": 456,
    "lookup_lsoa11_to_lsoa21.csv": 374,
    "lsoa21_boundaries_bgc.geojson": 374,
    "census2021_ts008_sex_lsoa21.csv": 374,
    "population_mid2020_lsoa11_single_year_of_age_persons.csv": 68_068,
    "imd2019_lsoa11_ranks_deciles_denominators.csv": 374,
    "imd2025_lsoa21_scores_ranks_deciles.csv": 374,
}


@dataclass
class Run:
    kind: str
    path: Path
    stdout: str
    stderr: str
    version: DatasetVersion


def options_argv(options: dict) -> list[str]:
    return [f"--{key}={value}" for key, value in options.items()]


@pytest.fixture(scope="class")
def imported(django_db_setup, django_db_blocker, tmp_path_factory) -> dict[str, Run]:
    if not WORCESTERSHIRE.is_dir():
        pytest.skip(NO_REAL_DATA)
    with rolled_back_shared_state(django_db_blocker, tmp_path_factory.mktemp("media")):
        runs = {}
        for kind, name, options in REAL_SEQUENCE:
            stdout, stderr = io.StringIO(), io.StringIO()
            path = WORCESTERSHIRE / name
            call_command(
                COMMANDS[kind], str(path), *options_argv(options), stdout=stdout, stderr=stderr
            )
            version = DatasetVersion.objects.latest("pk")
            runs[name] = Run(kind, path, stdout.getvalue(), stderr.getvalue(), version)
        yield runs


class TestTheRealWorcestershireSequence:
    """Imported once for the class (see the imported fixture), rolled back after it."""

    def test_each_real_file_prints_its_checks_changes_and_the_version_it_became(self, imported):
        for name, run in imported.items():
            lines = run.stdout.splitlines()
            assert lines[0] == f"{KINDS[run.kind].label}: {run.path}", name
            checks = [line for line in lines if line.startswith("  ✓ ")]
            assert checks and not [line for line in lines if line.startswith("  ✗ ")], name
            assert any(line.startswith("  → ") for line in lines), name
            assert lines[-1] == (
                f"Imported {ROWS[name]:,} rows as dataset version {run.version.pk}."
            ), name
            assert run.stderr == "", name  # no bar: standard error is not a terminal

    def test_the_population_command_prints_the_split_and_the_conversion(self, imported):
        out = imported["population_mid2020_lsoa11_single_year_of_age_persons.csv"].stdout
        assert "  ✓ File layout and values: 33,124 rows read (wide CSV, one row per area, " in out
        assert (
            "  ✓ LSOA vintage: 2011 LSOAs converted to 2021 LSOAs through the best-fit lookup by "
            "code: 19 split by weight, 355 unchanged"
        ) in out
        assert "  ✓ Sex split: persons split by sex (374 raked to Census 2021 sex totals)" in out
        assert "  ✓ Area codes: 374 small area(s) found among the areas loaded here" in out
        assert "  ✓ Coverage: every one of the area's 374 2021 LSOAs is in the file" in out
        assert "  ! The file gives persons only: every figure was split by sex" in out
        assert "  → Population for mid-2020: 68,068 rows for 374 lsoa21 areas" in out

    def test_each_command_records_a_dataset_version_of_the_file(self, imported):
        for name, run in imported.items():
            version = run.version
            assert version.kind == run.kind and version.original_name == name
            assert version.sha256 == hashlib.sha256(run.path.read_bytes()).hexdigest()
            assert version.rows == ROWS[name] and version.created_by is None
            assert version.retired_at is None

    def test_each_area_records_its_vintage(self, imported):
        from needs.models import Area

        for level, year in (("lsoa11", 2011), ("lsoa21", 2021)):
            vintages = set(
                Area.objects.filter(level=level, is_synthetic=False).values_list(
                    "valid_from", flat=True
                )
            )
            assert vintages == {year}, level

    def test_the_commands_load_the_county_as_the_pages_do(self, imported):
        population = PopulationEstimate.objects.filter(year=2020, area__level="lsoa21")
        assert population.values("area").distinct().count() == 374
        assert population.aggregate(total=Sum("count"))["total"] == pytest.approx(598_070, rel=1e-6)
        assert not population.filter(is_modelled=False).exists()
        assert Deprivation.objects.filter(edition="IMD2019").count() == 374
        assert Deprivation.objects.filter(edition="IMD2025").count() == 374

    def test_importing_a_real_file_again_replaces_it_and_says_so(self, imported):
        run = imported["imd2025_lsoa21_scores_ranks_deciles.csv"]
        stdout = io.StringIO()
        call_command("import_deprivation", str(run.path), stdout=stdout)
        out = stdout.getvalue()
        assert (
            f"  ! This exact file (SHA-256 {run.version.sha256[:12]}…) was imported before, as "
            f"version {run.version.pk}"
        ) in out
        run.version.refresh_from_db()
        assert run.version.retired_at is not None
        assert Deprivation.objects.filter(edition="IMD2025").count() == 374


# --- bad input ----------------------------------------------------------------------------------


def refused(command: str, *argv: str) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    before = snapshot()
    with pytest.raises(CommandError, match=r"file\(s\) refused; nothing was written from them"):
        call_command(command, *argv, stdout=stdout, stderr=stderr)
    assert snapshot() == before
    return stdout.getvalue(), stderr.getvalue()


def wide_persons_csv(path: Path, codes: list[str]) -> Path:
    path.write_bytes(csv_bytes(wide_persons_rows(codes)))
    return path


def test_a_population_file_that_does_not_say_its_year_is_refused(tmp_path):
    path = wide_persons_csv(tmp_path / "population_persons.csv", demo_lsoa_codes(2))
    _, errors = refused("import_population", str(path))
    assert errors.splitlines() == [
        f"  ✗ {path.name}: does not say which year it is for; give the year (e.g. 2020).",
        f"{path.name}: 1 problem(s).",
    ]


def test_the_year_comes_from_an_ons_file_name_or_from_year(tmp_path):
    path = wide_persons_csv(tmp_path / "population_mid2031_persons.csv", demo_lsoa_codes(2))
    for argv, year in (([], 2031), (["--year", "2032"], 2032)):
        stdout = io.StringIO()
        call_command(
            "import_population", str(path), "--dry-run", "--incomplete", *argv, stdout=stdout
        )
        assert f"  → Population for mid-{year}: 364 rows for 2 lsoa21 areas" in stdout.getvalue()


def test_bad_input_lists_every_error_and_exits_non_zero(tmp_path):
    rows = population_long_rows(demo_lsoa_codes(1), 2023)
    for row in (3, 7, 11):
        rows[row - 1][4] = "lots"
    path = tmp_path / "population_three_errors.csv"
    path.write_bytes(csv_bytes(rows))
    _, errors = refused("import_population", str(path))
    assert errors.splitlines() == [
        *(
            f"  ✗ {path.name}, row {row}, column 'count': 'lots' is not a whole number of people "
            "(0 or more)."
            for row in (3, 7, 11)
        ),
        f"{path.name}: 3 problem(s).",
    ]


def test_a_file_with_very_many_errors_lists_the_first_hundred(tmp_path):
    rows = population_long_rows(demo_lsoa_codes(1), 2023)
    for row in rows[1:]:
        row[4] = "-1"
    path = tmp_path / "population_negative.csv"
    path.write_bytes(csv_bytes(rows))
    _, errors = refused("import_population", str(path))
    lines = errors.splitlines()
    assert len(lines) == 101 and all(line.startswith("  ✗ ") for line in lines[:100])
    assert lines[-1] == f"{path.name}: 182 problem(s) (the first 100 shown)."


def test_a_missing_file_is_an_error():
    with pytest.raises(CommandError, match=r"^no_such_file\.csv: no such file\.$"):
        call_command("import_deprivation", "no_such_file.csv", stdout=io.StringIO())


def test_good_files_are_imported_and_bad_ones_refused_in_one_run(tmp_path):
    codes = demo_lsoa_codes(3)
    good, bad = tmp_path / "imd2025_good.csv", tmp_path / "imd2025_bad.csv"
    good.write_bytes(csv_bytes(imd2025_rows(codes)))
    bad.write_bytes(csv_bytes(imd2025_rows(["E01999999"])))
    stdout, stderr = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match=r"^1 file\(s\) refused"):
        call_command("import_deprivation", str(good), str(bad), stdout=stdout, stderr=stderr)
    assert "Imported 3 rows as dataset version" in stdout.getvalue()
    assert f"  ✗ {bad.name}: 1 LSOA code(s) are not loaded here: E01999999." in stderr.getvalue()
    imported = Deprivation.objects.filter(edition="IMD2025")
    assert sorted(imported.values_list("area__code", flat=True)) == codes


def test_the_command_line_exits_with_status_1_on_bad_input(tmp_path, capsys, monkeypatch):
    # run_from_argv closes every connection when the command ends, as a process would; the
    # test database's connection must stay open for the rest of the test.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    path = tmp_path / "imd2025_unknown.csv"
    path.write_bytes(csv_bytes(imd2025_rows(["E01999999"])))
    before = snapshot()
    with pytest.raises(SystemExit) as exit_:
        execute_from_command_line(["manage.py", "import_deprivation", str(path)])
    assert exit_.value.code == 1
    errors = capsys.readouterr().err
    assert f"  ✗ {path.name}: 1 LSOA code(s) are not loaded here: E01999999." in errors
    assert "CommandError: 1 file(s) refused; nothing was written from them." in errors
    assert snapshot() == before


def test_every_kind_has_its_command_with_the_kinds_options():
    for key, kind in KINDS.items():
        assert COMMANDS[key] == kind.command
        with pytest.raises(CommandError, match="the following arguments are required: files"):
            call_command(kind.command)


EVERY_REAL_FILE = [  # (command, file, arguments, rows imported): every file the tool takes
    ("import_boundaries", "lsoa11_boundaries_bgc.geojson", [], 364),
    ("import_boundaries", "lsoa21_boundaries_bgc.geojson", [], 374),
    ("import_boundaries", "msoa11_boundaries_bgc.geojson", [], 85),
    ("import_boundaries", "msoa21_boundaries_bgc.geojson", [], 85),
    ("import_boundaries", "ward25_boundaries_bgc.geojson", [], 112),
    ("import_boundaries", "lad_boundaries_from_lsoa21_bgc.geojson", [], 6),
    ("import_lookup", "lookup_lsoa11_msoa11_lad_icb.csv", [], 456),
    ("import_lookup", "lookup_lsoa21_msoa21_ward24_lad_icb.csv", [], 578),
    ("import_lookup", "lookup_lsoa11_to_lsoa21.csv", [], 374),
    ("import_sex_totals", "census2021_ts008_sex_lsoa21.csv", [], 374),
    ("import_population", "population_mid2019_lsoa11_single_year_of_age_persons.csv", [], 68_068),
    ("import_population", "population_mid2020_lsoa11_single_year_of_age_persons.csv", [], 68_068),
    ("import_deprivation", "imd2019_lsoa11_ranks_deciles_denominators.csv", [], 374),
    ("import_deprivation", "imd2025_lsoa21_scores_ranks_deciles.csv", [], 374),
    ("import_iod_indicators", "imd2019_lsoa11_underlying_indicators.csv", [], 374),
    ("import_iod_indicators", "imd2025_lsoa21_underlying_indicators.csv", [], 374),
]


@needs_real_data
def test_every_real_file_imports_unchanged_from_the_command_line(
    django_db_blocker, tmp_path_factory
):
    with rolled_back_shared_state(django_db_blocker, tmp_path_factory.mktemp("media")):
        for command, name, argv, rows in EVERY_REAL_FILE:
            stdout = io.StringIO()
            call_command(command, str(WORCESTERSHIRE / name), *argv, stdout=stdout)
            last = stdout.getvalue().splitlines()[-1]
            assert last.startswith(f"Imported {rows:,} rows as dataset version "), (name, last)
        totals = {
            year: PopulationEstimate.objects.filter(year=year, area__level="lsoa21").aggregate(
                total=Sum("count")
            )["total"]
            for year in (2019, 2020)
        }
        assert totals == {
            2019: pytest.approx(595_786, rel=1e-9),
            2020: pytest.approx(598_070, rel=1e-9),
        }
        wards = LocalityScheme.objects.get(name__startswith="Electoral wards")
        assert wards.localities.count() == 112
        county = Area.objects.get(code="E10000034", level="county")
        assert county.name == "Worcestershire" and county.children.count() == 6
        assert Area.objects.filter(level="ward", valid_from=2025).count() == 112
