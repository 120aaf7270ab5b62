"""The IoD mental-health indicators as published: read from the shared files, refused when wrong."""

from pathlib import Path

from needs.importers.iod_indicators import parse
from tests.conftest import SHARED_DATA

WORCESTERSHIRE = SHARED_DATA / "worcestershire"


def test_iod2025_mental_health_indicator_is_read_from_the_file_8_extract():
    result = parse(WORCESTERSHIRE / "imd2025_lsoa21_underlying_indicators.csv")
    assert result.errors == []
    frame = result.indicators.set_index("area_code")
    assert len(frame) == 374 and set(frame["indicator"]) == {"iod2025_mental_health"}
    assert set(frame["vintage"]) == {"lsoa21"}
    assert frame.loc["E01032122", "value"] == 0.083  # Bromsgrove 009A, as published


def test_iod2019_mood_and_anxiety_indicator_is_read_on_2011_lsoas():
    result = parse(WORCESTERSHIRE / "imd2019_lsoa11_underlying_indicators.csv")
    assert result.errors == []
    frame = result.indicators.set_index("area_code")
    assert len(frame) == 364 and set(frame["vintage"]) == {"lsoa11"}
    assert frame.loc["E01032122", "value"] == -0.179


def test_bad_rows_are_named_by_file_row_and_column(tmp_path: Path):
    path = tmp_path / "iod.csv"
    path.write_text(
        "lsoa21_code,mental_health_indicator\nE01032122,0.1\nX123,0.2\nE01032123,n/a\n"
        "E01032122,0.3\n",
        encoding="utf-8",
    )
    result = parse(path)
    assert result.errors == [
        "iod.csv, row 3, column 'lsoa21_code': 'X123' is not an LSOA code.",
        "iod.csv, row 4, column 'mental_health_indicator': 'n/a' is not a number.",
        "iod.csv, row 5, column 'lsoa21_code': E01032122 appears twice.",
    ]
    assert result.indicators.empty


def test_a_file_without_an_indicator_column_is_refused_saying_what_it_needs(tmp_path: Path):
    path = tmp_path / "imd.csv"
    path.write_text("lsoa21_code,IMD_rank\nE01032122,100\n", encoding="utf-8")
    (error,) = parse(path).errors
    assert error.startswith("imd.csv: not an IoD underlying-indicators file; it needs an LSOA code")
