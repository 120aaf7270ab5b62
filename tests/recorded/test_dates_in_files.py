"""Extract dates (patients by LSOA) and months (Talking Therapies) as NHS Digital writes them, and
the message, naming file, row and column, for a cell that is neither. Pure: the parsers alone."""

from datetime import date
from pathlib import Path

import pytest

from recorded.importers import practice_lsoa, talking_therapies

LSOA_HEADER = "PRACTICE_CODE,LSOA_CODE,NUMBER_OF_PATIENTS,EXTRACT_DATE"
TALKING_HEADER = "sicbl22_code,date,name,value"


def write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "written",
    ["01OCT2023", "01oct2023", "01-Oct-2023", "01-Oct-23", "2023-10-01", "01/10/2023",
     "1 Oct 2023", "20231001"],
)  # fmt: skip
def test_an_extract_date_is_read_in_each_published_form(tmp_path, written):
    path = write(tmp_path, "lsoa.csv", [LSOA_HEADER, f"M81001,E01032231,120,{written}"])
    parsed = practice_lsoa.parse(path)
    assert parsed.errors == []
    assert list(parsed.frame["extract_date"]) == [date(2023, 10, 1)]


def test_an_unreadable_extract_date_names_file_row_and_column(tmp_path):
    path = write(
        tmp_path,
        "lsoa.csv",
        [LSOA_HEADER, "M81001,E01032231,120,01OCT2023", "M81001,E01032232,80,Octember 2023"],
    )
    parsed = practice_lsoa.parse(path)
    assert parsed.errors == [
        "lsoa.csv, row 3, column 'EXTRACT_DATE': 'Octember 2023' is not a date "
        "(e.g. 01OCT2023 or 2023-10-01)."
    ]


@pytest.mark.parametrize(
    "written", ["July 2022", "JULY 2022", "Jul 2022", "2022-07", "2022-07-19", "19/07/2022",
                "Jul-22", "July-22"],
)  # fmt: skip
def test_a_month_is_read_in_each_published_form_as_its_first_day(tmp_path, written):
    path = write(
        tmp_path, "tt.csv", [TALKING_HEADER, f"E38000236,{written},Count_AccessingServices,920"]
    )
    parsed = talking_therapies.parse(path)
    assert parsed.errors == []
    assert list(parsed.frame["month"]) == [date(2022, 7, 1)]


def test_an_unreadable_month_names_file_row_and_column(tmp_path):
    path = write(
        tmp_path,
        "tt.csv",
        [TALKING_HEADER, "E38000236,July 2022,Count_AccessingServices,920",
         "E38000236,Q3 2022,Count_AccessingServices,900"],
    )  # fmt: skip
    parsed = talking_therapies.parse(path)
    assert parsed.errors == [
        "tt.csv, row 3, column 'date': 'Q3 2022' is not a month (e.g. July 2022 or 2022-07)."
    ]
