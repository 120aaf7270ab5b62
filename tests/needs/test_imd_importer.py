"""English Indices of Deprivation files: read as published, every bad row named before loading.

The real-file checks need ../shared/data/worcestershire (not shipped with the project) and are
skipped without it; the checks on small files (rows copied from those real files) always run.
"""

import csv
import math
from pathlib import Path

import pytest

from needs.importers.imd import MAX_ERRORS, parse
from tests.conftest import SHARED_DATA

WORCESTERSHIRE = SHARED_DATA / "worcestershire"
IMD2019 = WORCESTERSHIRE / "imd2019_lsoa11_ranks_deciles_denominators.csv"
IMD2025 = WORCESTERSHIRE / "imd2025_lsoa21_scores_ranks_deciles.csv"

needs_real_data = pytest.mark.skipif(
    not WORCESTERSHIRE.is_dir(),
    reason=f"real IoD files not found: {WORCESTERSHIRE} is absent",
)

# MHCLG's own IoD2019 File 1/2 headers, and the first real Worcestershire rows.
HEADER_2019 = [
    "LSOA code (2011)",
    "LSOA name (2011)",
    "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",
    "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)",
]
ROWS_2019 = [
    ["E01032122", "Bromsgrove 009A", "21135", "7"],
    ["E01032123", "Bromsgrove 009B", "23090", "8"],
    ["E01032124", "Bromsgrove 009C", "20679", "7"],
]
RANK_2019, DECILE_2019 = HEADER_2019[2], HEADER_2019[3]
HEADER_2025 = ["lsoa21_code", "lsoa21_name", "IMD_decile", "IMD_rank", "IMD_score"]
ROWS_2025 = [
    ["E01032122", "Bromsgrove 009A", "7", "22518", "12.075"],
    ["E01032123", "Bromsgrove 009B", "7", "22620", "11.978"],
]


def write(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def file_2019(tmp_path: Path, rows: list[list[str]] | None = None) -> Path:
    return write(tmp_path / "imd2019.csv", HEADER_2019, ROWS_2019 if rows is None else rows)


@needs_real_data
def test_the_real_iod2019_file_parses_with_no_errors_as_2011_lsoas_without_scores():
    result = parse(IMD2019)
    assert result.errors == [] and result.total_errors == 0
    frame = result.deprivation
    assert len(frame) == 364
    assert list(frame.columns) == ["area_code", "edition", "vintage", "score", "rank", "decile"]
    assert set(frame["edition"]) == {"IMD2019"} and set(frame["vintage"]) == {"lsoa11"}
    assert sorted(frame["decile"].unique()) == list(range(1, 11))
    assert frame["score"].isna().all()
    assert frame["rank"].between(1, 32_844).all()
    assert frame["area_code"].is_unique


@needs_real_data
def test_the_real_iod2025_file_parses_with_no_errors_as_2021_lsoas_with_positive_scores():
    result = parse(IMD2025)
    assert result.errors == [] and result.total_errors == 0
    frame = result.deprivation
    assert len(frame) == 374
    assert set(frame["edition"]) == {"IMD2025"} and set(frame["vintage"]) == {"lsoa21"}
    assert sorted(frame["decile"].unique()) == list(range(1, 11))
    assert frame["score"].notna().all() and (frame["score"] > 0).all()
    assert frame["rank"].between(1, 33_755).all()


@needs_real_data
def test_the_real_values_are_read_unchanged():
    """Independent of the parser: the csv module reads the same ranks, deciles and scores."""
    with IMD2025.open(encoding="utf-8-sig", newline="") as handle:
        expected = {
            row["lsoa21_code"]: (int(row["IMD_rank"]), int(row["IMD_decile"]), row["IMD_score"])
            for row in csv.DictReader(handle)
        }
    frame = parse(IMD2025).deprivation
    got = {
        code: (rank, decile, f"{score:g}")
        for code, rank, decile, score in frame[["area_code", "rank", "decile", "score"]].itertuples(
            index=False
        )
    }
    assert got == {code: (r, d, f"{float(s):g}") for code, (r, d, s) in expected.items()}


@needs_real_data
def test_a_real_file_with_a_doubled_row_names_both_rows(tmp_path):
    lines = IMD2019.read_text(encoding="utf-8-sig").splitlines()
    copy = tmp_path / "imd2019_copy.csv"
    copy.write_text("\n".join([*lines, lines[5]]) + "\n", encoding="utf-8")
    result = parse(copy)
    code = lines[5].split(",")[0]
    assert result.errors == [
        f"imd2019_copy.csv, row 366, column 'LSOA code (2011)': {code} appears twice, on rows 6 "
        "and 366; each LSOA must appear once."
    ]


def test_official_headers_are_matched_whatever_their_case_and_suffix(tmp_path):
    header = ["lsoa CODE (2011)", "Index of Multiple Deprivation (IMD) RANK", "imd_DECILE"]
    result = parse(write(tmp_path / "f.csv", header, [["E01032122", "21135", "7"]]))
    assert result.errors == []
    row = result.deprivation.iloc[0].to_dict()
    assert math.isnan(row.pop("score"))
    assert row == {
        "area_code": "E01032122",
        "edition": "IMD2019",
        "vintage": "lsoa11",
        "rank": 21135,
        "decile": 7,
    }


def test_official_iod2025_file_7_headers_are_read_as_2021_lsoas_with_scores(tmp_path):
    header = [
        "LSOA code (2021)",
        "LSOA name (2021)",
        "Index of Multiple Deprivation (IMD) Score",
        "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",
        "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)",
    ]
    rows = [["E01032122", "Bromsgrove 009A", "12.075", "22518", "7"]]
    result = parse(write(tmp_path / "File_7.csv", header, rows))
    assert result.errors == []
    row = result.deprivation.iloc[0]
    assert (row["edition"], row["vintage"], row["score"], row["rank"]) == (
        "IMD2025",
        "lsoa21",
        12.075,
        22518,
    )


def test_a_code_that_is_not_an_english_lsoa_is_named_with_its_row_and_column(tmp_path):
    rows = [ROWS_2019[0], ["W01000001", *ROWS_2019[1][1:]], ROWS_2019[2]]
    result = parse(file_2019(tmp_path, rows))
    assert result.errors == [
        "imd2019.csv, row 3, column 'LSOA code (2011)': 'W01000001' is not an English LSOA code "
        "(E01 and six digits)."
    ]
    assert result.deprivation.empty


def test_text_in_the_rank_column_is_named_with_its_row_and_column(tmp_path):
    rows = [ROWS_2019[0], ["E01032123", "Bromsgrove 009B", "abc", "8"]]
    result = parse(file_2019(tmp_path, rows))
    assert result.errors == [f"imd2019.csv, row 3, column {RANK_2019!r}: 'abc' is not a number."]


def test_a_rank_beyond_the_editions_lsoas_is_refused(tmp_path):
    """IoD2019 ranks 32,844 LSOAs (2011); 33,000 is only possible in IoD2025."""
    rows = [["E01032122", "Bromsgrove 009A", "33000", "10"]]
    result = parse(file_2019(tmp_path, rows))
    assert len(result.errors) == 1
    assert "33000 is outside 1 to 32,844" in result.errors[0]
    assert result.errors[0].startswith(f"imd2019.csv, row 2, column {RANK_2019!r}")


def test_a_decile_of_eleven_is_refused(tmp_path):
    rows = [ROWS_2019[0], ["E01032123", "Bromsgrove 009B", "23090", "11"]]
    result = parse(file_2019(tmp_path, rows))
    assert result.errors == [
        f"imd2019.csv, row 3, column {DECILE_2019!r}: 11 is outside 1 to 10 (deciles run 1 to 10)."
    ]


def test_a_decile_that_does_not_match_the_rank_is_refused(tmp_path):
    rows = [["E01032122", "Bromsgrove 009A", "21135", "2"]]
    result = parse(file_2019(tmp_path, rows))
    assert result.errors == [
        f"imd2019.csv, row 2, column {DECILE_2019!r}: decile 2 does not match rank 21,135 "
        "(of 32,844 LSOAs that is decile 7)."
    ]


def test_a_duplicate_lsoa_names_both_rows(tmp_path):
    rows = [*ROWS_2019, ROWS_2019[0]]
    result = parse(file_2019(tmp_path, rows))
    assert result.errors == [
        "imd2019.csv, row 5, column 'LSOA code (2011)': E01032122 appears twice, on rows 2 and "
        "5; each LSOA must appear once."
    ]


def test_a_missing_rank_column_says_which_columns_are_needed(tmp_path):
    header = [HEADER_2019[0], HEADER_2019[1], HEADER_2019[3]]
    rows = [[row[0], row[1], row[3]] for row in ROWS_2019]
    result = parse(write(tmp_path / "no_rank.csv", header, rows), name="upload.csv")
    assert len(result.errors) == 1
    message = result.errors[0]
    assert message.startswith(
        "upload.csv: missing the IMD rank column ('index of multiple deprivation (imd) rank' or "
        "'imd_rank', any capitalisation)"
    )
    assert "LSOA code (2011)" in message and "IMD_decile" in message


def test_a_file_of_another_kind_is_refused_listing_the_columns_it_needs(tmp_path):
    result = parse(write(tmp_path / "pop.csv", ["lsoa11_cd", "total"], [["E01032122", "1"]]))
    assert len(result.errors) == 1
    message = result.errors[0]
    assert message.startswith("pop.csv: not a recognised Indices of Deprivation file; it needs")
    for column in ("LSOA code (2011)", "lsoa21_code", "IMD_rank", "IMD_decile", "IMD_score"):
        assert column in message


def test_a_windows_1252_file_with_a_pound_sign_in_a_name_is_read(tmp_path):
    rows = [["E01032122", "Bromsgrove £ 009A", "21135", "7"]]
    path = write(tmp_path / "excel.csv", HEADER_2019, rows, encoding="cp1252")
    assert "£".encode("cp1252") in path.read_bytes()
    result = parse(path)
    assert result.errors == []
    assert result.deprivation["area_code"].tolist() == ["E01032122"]


def test_a_utf8_file_with_a_byte_order_mark_is_read(tmp_path):
    path = write(tmp_path / "bom.csv", HEADER_2025, ROWS_2025, encoding="utf-8-sig")
    result = parse(path)
    assert result.errors == []
    assert result.deprivation["score"].tolist() == [12.075, 11.978]


def test_an_empty_file_is_refused_clearly(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    result = parse(path)
    assert len(result.errors) == 1
    assert result.errors[0].startswith("empty.csv: is empty (no header row, no data)")


def test_a_header_without_rows_is_refused(tmp_path):
    result = parse(file_2019(tmp_path, []))
    assert result.errors == ["imd2019.csv: has a header row but no data rows."]


def test_text_in_the_score_column_is_named(tmp_path):
    rows = [ROWS_2025[0], ["E01032123", "Bromsgrove 009B", "7", "22620", "n/a"]]
    result = parse(write(tmp_path / "imd2025.csv", HEADER_2025, rows))
    assert result.errors == ["imd2025.csv, row 3, column 'IMD_score': 'n/a' is not a number."]


def test_at_most_max_errors_are_listed_with_the_total_count(tmp_path):
    rows = [[f"X{i:08d}", "name", "abc", "7"] for i in range(MAX_ERRORS)]
    result = parse(file_2019(tmp_path, rows))
    assert result.total_errors == 2 * MAX_ERRORS
    assert len(result.errors) == MAX_ERRORS
    assert result.errors[0].startswith("imd2019.csv, row 2,")
