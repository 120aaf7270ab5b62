"""ONS small-area population (SAPE, persons by single year of age): real Worcestershire files.

The real-data checks need ../shared/data/worcestershire (not shipped with the project) and are
skipped without it; the checks on small made-up files always run.
"""

import csv
from pathlib import Path

import pandas as pd
import pytest

from needs.importers.ons_population import AGE_COLUMNS, parse, parse_wide_persons, year_in_name
from tests.conftest import SHARED_DATA

WORCESTERSHIRE = SHARED_DATA / "worcestershire"
# County totals as published in ../shared/data/README.md.
PUBLISHED = {
    "mid2019": ("population_mid2019_lsoa11_single_year_of_age_persons.csv", 595_786, 2019),
    "mid2020": ("population_mid2020_lsoa11_single_year_of_age_persons.csv", 598_070, 2020),
}
LSOAS = 364
AGES = list(range(91))

needs_real_data = pytest.mark.skipif(
    not WORCESTERSHIRE.is_dir(),
    reason=f"real ONS population files not found: {WORCESTERSHIRE} is absent",
)


def real_file(edition: str) -> Path:
    return WORCESTERSHIRE / PUBLISHED[edition][0]


def population(path: Path, year: int = 2020) -> pd.DataFrame:
    """The rows of a file that must be accepted."""
    parsed = parse_wide_persons(path, year=year)
    assert parsed.errors == [] and parsed.total_errors == 0
    return parsed.frame


def refusal(path: Path) -> str:
    """The errors of a file that must be refused, one a line."""
    parsed = parse_wide_persons(path, year=2020)
    assert parsed.frame.empty and parsed.errors
    return "\n".join(parsed.errors)


def totals_column(path: Path) -> dict[str, int]:
    """lsoa11_code → total_population, read with the csv module (independent of the parser)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {row["lsoa11_code"]: int(row["total_population"]) for row in csv.DictReader(handle)}


@needs_real_data
@pytest.mark.parametrize("edition", list(PUBLISHED))
def test_the_county_total_is_the_published_one(edition):
    _, total, year = PUBLISHED[edition]
    parsed = parse_wide_persons(real_file(edition), year=year)
    assert parsed.errors == []
    assert int(parsed.frame["count"].sum()) == total
    assert parsed.facts["year"] == year
    assert parsed.facts["sexes"] == "persons" and parsed.facts["vintage"] == "lsoa11"


@needs_real_data
@pytest.mark.parametrize("edition", list(PUBLISHED))
def test_every_lsoa_has_every_single_year_of_age_once(edition):
    rows = population(real_file(edition), PUBLISHED[edition][2])
    assert list(rows.columns) == ["area_code", "area_name", "year", "sex", "age", "count"]
    assert rows["area_code"].nunique() == LSOAS
    assert len(rows) == LSOAS * len(AGES)
    ages = rows.groupby("area_code")["age"].apply(lambda a: sorted(a.tolist()))
    assert all(each == AGES for each in ages)
    assert rows["area_code"].str.match(r"^E01\d{6}$").all()
    assert (rows["count"] >= 0).all()
    assert set(rows["sex"]) == {"P"} and set(rows["year"]) == {PUBLISHED[edition][2]}


@needs_real_data
@pytest.mark.parametrize("edition", list(PUBLISHED))
def test_every_lsoas_ages_add_up_to_its_published_total(edition):
    path = real_file(edition)
    summed = population(path, PUBLISHED[edition][2]).groupby("area_code")["count"].sum()
    assert summed.to_dict() == totals_column(path)


@needs_real_data
def test_the_open_band_90_and_over_becomes_age_90():
    path = real_file("mid2020")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        first = next(csv.DictReader(handle))
    rows = population(path)
    row = rows[(rows["area_code"] == first["lsoa11_code"]) & (rows["age"] == 90)]
    assert row["count"].tolist() == [int(first["90+"])]
    assert row["area_name"].tolist() == [first["lsoa11_name"]]


@needs_real_data
def test_a_copy_with_one_count_altered_is_refused_naming_the_row(tmp_path):
    lines = real_file("mid2020").read_text(encoding="utf-8").splitlines(keepends=True)
    cells = lines[4].split(",")  # spreadsheet row 5
    cells[3 + 40] = str(int(cells[3 + 40]) + 1)  # the count at age 40
    lines[4] = ",".join(cells)
    altered = tmp_path / "altered.csv"
    altered.write_text("".join(lines), encoding="utf-8")
    parsed = parse_wide_persons(altered, year=2020)
    assert parsed.total_errors == 1  # only the altered row
    assert parsed.errors[0].startswith("altered.csv, row 5, column 'total_population': the ages")


# Small made-up files: always run.

HEADER = ["lsoa11_code", "lsoa11_name", "total_population", *AGE_COLUMNS]


def write(tmp_path: Path, rows: list[list[object]], header: list[str] = HEADER) -> Path:
    path = tmp_path / "sape.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def area(code: str, name: str, counts: list[object], total: object = None) -> list[object]:
    if total is None:
        total = sum(int(c) for c in counts)
    return [code, name, total, *counts]


def test_the_header_is_the_ons_layout_closing_with_90_and_over():
    assert AGE_COLUMNS[0] == "0" and AGE_COLUMNS[89] == "89" and AGE_COLUMNS[-1] == "90+"
    assert len(AGE_COLUMNS) == 91


def test_a_small_file_becomes_long_rows_in_file_order(tmp_path):
    counts_b = [1] * 91
    counts_a = [0] * 90 + [7]
    path = write(
        tmp_path, [area("E01000002", "B 001A", counts_b), area("E01000001", "A 001A", counts_a)]
    )
    rows = population(path)
    assert rows["area_code"].iloc[0] == "E01000002"
    assert rows["age"].tolist() == AGES * 2
    assert rows["count"].tolist() == counts_b + counts_a
    assert str(rows["age"].dtype) == "int64" and str(rows["count"].dtype) == "int64"


def test_a_utf8_file_with_a_byte_order_mark_is_read(tmp_path):
    path = write(tmp_path, [area("E01000001", "Ystradgynlais – east", [2] * 91)])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    rows = population(path)
    assert rows["count"].sum() == 182
    assert rows["area_name"].iloc[0] == "Ystradgynlais – east"


def test_a_windows_1252_file_is_read(tmp_path):
    path = write(tmp_path, [area("E01000001", "A", [1] * 91)])
    name = "Ystrad – é".encode("cp1252")
    path.write_bytes(path.read_bytes().replace(b",A,", b"," + name + b","))
    assert population(path)["area_name"].iloc[0] == "Ystrad – é"


@pytest.mark.parametrize(
    ("bad", "shown"), [("-1", "'-1'"), ("2.5", "'2.5'"), ("", "''"), ("lots", "'lots'")]
)
def test_a_count_that_is_not_a_whole_number_of_people_names_its_row_and_column(
    tmp_path, bad, shown
):
    counts = [3] * 91
    rows = [area("E01000001", "A", counts), area("E01000002", "B", counts)]
    rows[1][3 + 17] = bad
    assert refusal(write(tmp_path, rows)) == (
        f"sape.csv, row 3, column '17': {shown} is not a whole number of people (0 or more)."
    )


def test_a_total_that_is_not_a_whole_number_is_named(tmp_path):
    path = write(tmp_path, [area("E01000001", "A", [3] * 91, total="273.5")])
    assert refusal(path).startswith("sape.csv, row 2, column 'total_population': '273.5'")


def test_ages_that_do_not_add_up_to_the_total_are_refused_with_both_figures(tmp_path):
    rows = [area("E01000001", "A", [3] * 91), area("E01000002", "B", [3] * 91, total=270)]
    assert refusal(write(tmp_path, rows)) == (
        "sape.csv, row 3, column 'total_population': the ages add up to 273, not 270."
    )


def test_a_missing_age_column_is_named(tmp_path):
    header = [h for h in HEADER if h != "90+"]
    path = write(tmp_path, [["E01000001", "A", 90, *([1] * 90)]], header=header)
    assert refusal(path) == "sape.csv: missing age column(s) 90+."


def test_the_same_area_twice_is_refused_naming_both_rows(tmp_path):
    rows = [area("E01000001", "A", [1] * 91), area("E01000001", "A", [1] * 91)]
    assert refusal(write(tmp_path, rows)) == (
        "sape.csv, row 3, column 'lsoa11_code': E01000001 is also on row 2."
    )


def test_an_empty_file_or_one_with_no_rows_is_refused(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert refusal(empty) == "empty.csv: is empty (no header row and no data)."
    assert refusal(write(tmp_path, [])) == "sape.csv: has a header row but no data rows."


def test_the_year_must_be_given_because_the_file_does_not_say_it(tmp_path):
    parsed = parse_wide_persons(write(tmp_path, [area("E01000001", "A", [1] * 91)]))
    assert parsed.errors == [
        "sape.csv: does not say which year it is for; give the year (e.g. 2020)."
    ]


def test_many_bad_cells_are_all_counted_but_only_the_first_hundred_are_spelled_out(tmp_path):
    rows = [area(f"E0100000{i}", "A", ["x"] * 91, total=0) for i in range(3)]
    parsed = parse_wide_persons(write(tmp_path, rows), year=2020)
    assert parsed.total_errors == 3 * 91
    assert len(parsed.errors) == 100
    assert parsed.errors[-1].startswith("sape.csv, row 3, column '8': 'x'")


@needs_real_data
@pytest.mark.parametrize("edition, year", [("mid2019", 2019), ("mid2020", 2020)])
def test_the_year_comes_from_the_ons_file_name_when_not_given(edition, year):
    result = parse(real_file(edition))
    assert result.errors == []
    assert set(result.frame["year"]) == {year}
    assert result.facts["year"] == year


@pytest.mark.parametrize(
    "label, year",
    [
        ("population_mid2020_lsoa11.csv", 2020),
        ("SAPE23DT2-Mid-2020-lsoa.csv", 2020),
        ("Mid 2019 persons.csv", 2019),
        ("population.csv", None),
        ("mid20201.csv", None),
    ],
)
def test_year_in_name_reads_only_a_mid_year(label, year):
    assert year_in_name(label) == year
