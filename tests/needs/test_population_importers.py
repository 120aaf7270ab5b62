"""Population importers: ONS SAPE workbooks and CSVs (needs.importers.ons_population) and Census
2021 TS008 sex (needs.importers.census_sex).

Workbooks are built with openpyxl the way ONS lays them out: title and notes rows above the
header (row 5 for the Males/Females/Persons editions, row 4 for the 2021-LSOA editions). The
real-file checks need ../shared/data/worcestershire and are skipped without it.
"""

import csv
from pathlib import Path

import pytest
from openpyxl import Workbook

from needs.importers import census_sex, ons_population
from needs.importers.ons_population import OUTPUT, parse
from tests.conftest import SHARED_DATA

WORCESTERSHIRE = SHARED_DATA / "worcestershire"
AGES = list(range(91))
LSOA11_HEADER = [
    "LSOA Code",
    "LSOA Name",
    "LA Code (2018 boundaries)",
    "LA name (2018 boundaries)",
    "LA Code (2021 boundaries)",
    "LA name (2021 boundaries)",
    "All Ages",
    *range(90),  # Excel holds the single ages as numbers
    "90+",
]
LSOA21_HEADER = [
    "LAD 2021 Code",
    "LAD 2021 Name",
    "LSOA 2021 Code",
    "LSOA 2021 Name",
    "Total",
    *(f"F{age}" for age in AGES),
    *(f"M{age}" for age in AGES),
]
TITLES = ["Mid-2020 Population Estimates for Lower Layer Super Output Areas", "", "Source: ONS"]


def lsoa11_row(code: str, counts: list[object], total: object = None) -> list[object]:
    total = sum(counts) if total is None else total
    places = ["E07000234", "Bromsgrove", "E07000234", "Bromsgrove"]
    return [code, f"Area {code[-3:]}", *places, total, *counts]


def workbook(path: Path, sheets: dict[str, list[list[object]]], header: list | None = None) -> Path:
    """An ONS-style workbook: a contents sheet, then each sheet with titles above the header."""
    book = Workbook()
    book.active.title = "Contents"
    book.active["A1"] = "Contents"
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        this_header = header or (LSOA21_HEADER if "LSOA 2021" in title else LSOA11_HEADER)
        header_row = 4 if "LSOA 2021" in title else 5
        for number, text in enumerate(TITLES, start=1):
            sheet.cell(row=number, column=1, value=text or None)
        for column, value in enumerate(this_header, start=1):
            sheet.cell(row=header_row, column=column, value=value)
        for offset, row in enumerate(rows, start=1):
            for column, value in enumerate(row, start=1):
                sheet.cell(row=header_row + offset, column=column, value=value)
    book.save(path)
    return path


def sape_2020(tmp_path: Path, females=None, males=None, persons=None) -> Path:
    females = females or [lsoa11_row("E01000001", [2] * 91), lsoa11_row("E01000002", [1] * 91)]
    males = males or [lsoa11_row("E01000001", [3] * 91), lsoa11_row("E01000002", [0] * 91)]
    persons = persons or [lsoa11_row("E01000001", [5] * 91), lsoa11_row("E01000002", [1] * 91)]
    sheets = {"Mid-2020 Persons": persons, "Mid-2020 Males": males, "Mid-2020 Females": females}
    return workbook(tmp_path / "sape.xlsx", sheets)


def accepted(path: Path, **options: object) -> ons_population.Parsed:
    parsed = parse(path, **options)
    assert parsed.errors == [], parsed.errors[:5]
    assert list(parsed.frame.columns) == OUTPUT
    return parsed


def refused(path: Path, **options: object) -> list[str]:
    parsed = parse(path, **options)
    assert parsed.frame.empty and parsed.errors
    assert parsed.total_errors >= len(parsed.errors)
    return parsed.errors


# --- ONS SAPE workbooks -------------------------------------------------------------------------


def test_the_females_and_males_sheets_are_read_and_the_persons_sheet_left_alone(tmp_path):
    parsed = accepted(sape_2020(tmp_path))
    frame = parsed.frame
    assert len(frame) == 2 * 2 * 91
    assert frame.groupby("sex")["count"].sum().to_dict() == {"F": 182 + 91, "M": 273}
    assert set(frame["year"]) == {2020}
    assert frame["age"].tolist()[:91] == AGES
    first = frame.iloc[0]
    assert (first["area_code"], first["area_name"], first["sex"]) == ("E01000001", "Area 001", "F")
    assert parsed.facts == {
        "layout": "ONS SAPE workbook (sheets 'Mid-2020 Females' and 'Mid-2020 Males')",
        "year": 2020,
        "sexes": "female and male",
        "vintage": "lsoa11",
        "areas": 2,
    }
    assert str(frame["count"].dtype) == "int64" and str(frame["age"].dtype) == "int64"


def test_a_workbook_with_only_a_persons_sheet_gives_persons(tmp_path):
    header = [h.replace("2018", "2019").replace("2021", "2020") for h in map(str, LSOA11_HEADER)]
    path = workbook(
        tmp_path / "sape22dt2.xlsx",
        {"Mid-2019 Persons": [lsoa11_row("E01000001", [4] * 91)]},
        header=header,
    )
    parsed = accepted(path)
    assert set(parsed.frame["sex"]) == {"P"} and set(parsed.frame["year"]) == {2019}
    assert parsed.facts["sexes"] == "persons" and parsed.facts["vintage"] == "lsoa11"


def test_the_2021_lsoa_workbook_has_females_and_males_as_columns(tmp_path):
    counts = [1] * 91 + [2] * 91
    row = ["E07000234", "Bromsgrove", "E01032122", "Bromsgrove 009A", sum(counts), *counts]
    parsed = accepted(workbook(tmp_path / "sapelsoasyoa.xlsx", {"Mid-2022 LSOA 2021": [row]}))
    frame = parsed.frame
    assert frame["sex"].tolist() == ["F"] * 91 + ["M"] * 91
    assert frame["age"].tolist() == AGES * 2
    assert frame["count"].tolist() == counts
    assert parsed.facts["vintage"] == "lsoa21" and parsed.facts["year"] == 2022
    assert parsed.facts["sexes"] == "female and male"


def test_a_workbook_of_several_years_needs_the_year_and_then_reads_that_sheet(tmp_path):
    counts = [1] * 182
    row = ["E07000234", "Bromsgrove", "E01032122", "Bromsgrove 009A", 182, *counts]
    sheets = {"Mid-2022 LSOA 2021": [row], "Mid-2023 LSOA 2021": [row]}
    path = workbook(tmp_path / "sapelsoasyoa20222024.xlsx", sheets)
    assert refused(path) == [
        "sapelsoasyoa20222024.xlsx: has sheets for several years (2022, 2023); give the year "
        "to import."
    ]
    assert accepted(path, year=2023).facts["year"] == 2023


def test_headers_match_whatever_their_case_and_spacing(tmp_path):
    header = ["lsoa  code", "LSOA NAME", "all ages", *range(90), " 90+ "]
    row = ["E01000001", "A", 91, *([1] * 91)]
    parsed = accepted(workbook(tmp_path / "sape.xlsx", {"Mid-2020 Persons": [row]}, header))
    assert parsed.frame["count"].sum() == 91


def test_text_in_a_number_cell_is_named_by_file_sheet_row_and_column(tmp_path):
    females = [lsoa11_row("E01000001", [2] * 91), lsoa11_row("E01000002", [1] * 91)]
    females[1][7 + 45] = "abc"  # row 7 (header on 5), age 45
    assert refused(sape_2020(tmp_path, females=females)) == [
        "sape.xlsx, sheet 'Mid-2020 Females', row 7, column '45': 'abc' is not a whole number "
        "of people (0 or more)."
    ]


def test_a_negative_count_is_named(tmp_path):
    males = [lsoa11_row("E01000001", [3] * 91), lsoa11_row("E01000002", [0] * 91)]
    males[0][7 + 90] = -4
    males[0][6] = 3 * 90 - 4
    assert refused(sape_2020(tmp_path, males=males)) == [
        "sape.xlsx, sheet 'Mid-2020 Males', row 6, column '90+': '-4' is not a whole number "
        "of people (0 or more)."
    ]


def test_ages_that_do_not_add_up_to_all_ages_are_refused(tmp_path):
    females = [lsoa11_row("E01000001", [2] * 91, total=180), lsoa11_row("E01000002", [1] * 91)]
    assert refused(sape_2020(tmp_path, females=females)) == [
        "sape.xlsx, sheet 'Mid-2020 Females', row 6, column 'All Ages': the ages add up to "
        "182, not 180."
    ]


def test_an_area_twice_on_a_sheet_names_both_rows(tmp_path):
    males = [lsoa11_row("E01000001", [3] * 91), lsoa11_row("E01000001", [0] * 91)]
    errors = refused(sape_2020(tmp_path, males=males))
    assert errors[0] == (
        "sape.xlsx, sheet 'Mid-2020 Males', row 7, column 'LSOA Code': E01000001 is also on row 6."
    )
    assert errors[1] == (
        "sape.xlsx: area E01000002 is on sheet 'Mid-2020 Females' but not on sheet "
        "'Mid-2020 Males'."
    )


def test_a_formula_is_reported_once_and_never_evaluated(tmp_path):
    females = [lsoa11_row("E01000001", [2] * 91), lsoa11_row("E01000002", [1] * 91)]
    females[0][7 + 3] = "=1+1"
    assert refused(sape_2020(tmp_path, females=females)) == [
        "sape.xlsx, sheet 'Mid-2020 Females', row 6, column '3': holds a formula (=1+1); "
        "formulas are never evaluated here: paste the values instead."
    ]


def test_a_workbook_without_the_sheets_lists_the_sheets_it_has(tmp_path):
    path = workbook(tmp_path / "book.xlsx", {"Notes": [], "Data": []})
    assert refused(path) == [
        "book.xlsx: has no sheet named like 'Mid-2020 Males', 'Mid-2020 Females', 'Mid-2020 "
        "Persons' or 'Mid-2022 LSOA 2021' (its sheets are 'Contents', 'Notes', 'Data')."
    ]


def test_a_year_the_workbook_does_not_have_lists_its_sheets(tmp_path):
    errors = refused(sape_2020(tmp_path), year=2019)
    assert errors == [
        "sape.xlsx: has no sheet for mid-2019 (its sheets are 'Contents', 'Mid-2020 Persons', "
        "'Mid-2020 Males', 'Mid-2020 Females')."
    ]


def test_a_males_sheet_alone_is_not_enough(tmp_path):
    path = workbook(tmp_path / "sape.xlsx", {"Mid-2020 Males": [lsoa11_row("E01000001", [1] * 91)]})
    assert refused(path) == [
        "sape.xlsx: for mid-2020 it needs both the Males and Females sheets, or the Persons "
        "sheet (its sheets are 'Contents', 'Mid-2020 Males')."
    ]


def test_a_sheet_missing_an_age_column_names_its_header_row(tmp_path):
    header = LSOA11_HEADER[:-1]
    rows = [lsoa11_row("E01000001", [1] * 90)]
    path = workbook(tmp_path / "sape.xlsx", {"Mid-2020 Persons": rows}, header=header)
    assert refused(path) == [
        "sape.xlsx, sheet 'Mid-2020 Persons', row 5: missing age column(s) 90+."
    ]


def test_a_single_sheet_of_any_name_takes_the_year_given(tmp_path):
    book = Workbook()
    book.active.title = "Sheet1"
    book.active.append(LSOA11_HEADER)
    book.active.append(lsoa11_row("E01000001", [1] * 91))
    book.save(tmp_path / "mine.xlsx")
    assert refused(tmp_path / "mine.xlsx") == [
        "mine.xlsx: its sheet name does not say the year; give the year."
    ]
    parsed = accepted(tmp_path / "mine.xlsx", year=2018)
    assert parsed.facts["year"] == 2018 and parsed.facts["sexes"] == "persons"
    assert parsed.facts["vintage"] == ""
    assert "2011 or 2021 LSOAs" in parsed.warnings[0]


def test_a_truncated_workbook_is_refused_clearly(tmp_path):
    whole = sape_2020(tmp_path).read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(whole[: int(len(whole) * 0.6)])
    (error,) = refused(cut)
    assert error.startswith("cut.xlsx: cannot be opened as an Excel .xlsx workbook (")
    assert "truncated" in error


def test_a_csv_saved_with_an_xlsx_name_is_refused_clearly(tmp_path):
    path = tmp_path / "population.xlsx"
    path.write_text("area_code,sex,age,count\nE01000001,F,0,1\n", encoding="utf-8")
    (error,) = refused(path)
    assert error.startswith("population.xlsx: cannot be opened as an Excel .xlsx workbook")


def test_an_old_xls_workbook_is_refused(tmp_path):
    path = tmp_path / "sape20dt1.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    assert refused(path) == [
        "sape20dt1.xls: is an old-style .xls workbook; save it as .xlsx (Excel)."
    ]


# --- long CSV -----------------------------------------------------------------------------------


def long_csv(tmp_path: Path, rows: list[list[object]], header=None, encoding="utf-8") -> Path:
    path = tmp_path / "long.csv"
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header or ["area_code", "area_name", "year", "sex", "age", "count"])
        writer.writerows(rows)
    return path


def long_area(code: str, sex: str, count: int = 1, year: int = 2022, name: str = "A") -> list:
    return [[code, name, year, sex, "90+" if age == 90 else age, count] for age in AGES]


def test_a_long_csv_of_females_and_males_is_read(tmp_path):
    rows = long_area("E01000001", "Female", 2) + long_area("E01000001", "males", 3)
    rows[90][4] = "90 and over"
    parsed = accepted(long_csv(tmp_path, rows))
    frame = parsed.frame
    assert frame["sex"].tolist() == ["F"] * 91 + ["M"] * 91
    assert frame["age"].tolist() == AGES * 2
    assert frame["count"].sum() == 91 * 5
    assert parsed.facts == {
        "layout": "long CSV, one row per area, sex and age",
        "year": 2022,
        "sexes": "female and male",
        "vintage": "lsoa21",
        "areas": 1,
    }


def test_a_long_csv_without_a_year_column_takes_the_year_given(tmp_path):
    rows = [[code, sex, age, n] for code, _, _, sex, age, n in long_area("E01000001", "P")]
    path = long_csv(tmp_path, rows, header=["lsoa11_code", "sex", "age", "count"])
    assert refused(path) == ["long.csv: has no year column; give the year (e.g. 2020)."]
    parsed = accepted(path, year=2019)
    assert parsed.facts["year"] == 2019 and parsed.facts["vintage"] == "lsoa11"
    assert parsed.frame["area_name"].tolist() == [""] * 91


def test_a_year_column_that_disagrees_with_the_year_given_is_refused(tmp_path):
    path = long_csv(tmp_path, long_area("E01000001", "P"))
    assert refused(path, year=2020) == ["long.csv: column 'year' says 2022, but 2020 was given."]


def test_a_long_csv_of_several_years_is_refused(tmp_path):
    path = long_csv(tmp_path, long_area("E01000001", "P") + long_area("E01000002", "P", year=2021))
    assert refused(path) == [
        "long.csv: holds several years (2021, 2022); import one year per file."
    ]


def test_before_mid_2021_the_vintage_is_left_blank_with_a_warning(tmp_path):
    parsed = accepted(long_csv(tmp_path, long_area("E01000001", "P", year=2020)))
    assert parsed.facts["vintage"] == ""
    assert parsed.warnings == [
        "The file does not say whether its areas are 2011 or 2021 LSOAs (mid-2020 is published "
        "on both); name the code column lsoa11_code or lsoa21_code to say."
    ]


def test_the_same_area_sex_and_age_twice_names_both_rows(tmp_path):
    rows = long_area("E01000001", "F") + long_area("E01000001", "M")
    rows.append(["E01000001", "A", 2022, "f", 5, 9])
    assert refused(long_csv(tmp_path, rows)) == [
        "long.csv, row 184: area E01000001, sex f, age 5 is already on row 7; give each area, "
        "sex and age once."
    ]


@pytest.mark.parametrize(
    ("bad", "shown"), [("-2", "'-2'"), ("1.5", "'1.5'"), ("n/a", "'n/a'"), ("", "''")]
)
def test_a_count_that_is_not_a_whole_number_names_its_row_and_column(tmp_path, bad, shown):
    rows = long_area("E01000001", "P")
    rows[10][5] = bad
    assert refused(long_csv(tmp_path, rows)) == [
        f"long.csv, row 12, column 'count': {shown} is not a whole number of people (0 or more)."
    ]


def test_a_sex_or_age_it_does_not_know_is_named(tmp_path):
    rows = long_area("E01000001", "P")
    rows[0][3] = "X"
    rows[1][4] = "91"
    assert refused(long_csv(tmp_path, rows)) == [
        "long.csv, row 2, column 'sex': 'X' is not F, M or P (Female, Male, Persons).",
        "long.csv, row 3, column 'age': '91' is not an age 0 to 89, or 90+ (90 and over).",
    ]


def test_missing_ages_are_listed_for_each_area_and_sex(tmp_path):
    rows = long_area("E01000001", "F") + long_area("E01000001", "M")
    gone = {3, 10, 11, 12, 90}
    rows = [row for row in rows if not (row[3] == "F" and row[4] in gone | {"90+"})]
    assert refused(long_csv(tmp_path, rows)) == [
        "long.csv: area E01000001, sex F has no rows for ages 3, 10 to 12 and 90+."
    ]


def test_persons_mixed_with_females_and_males_in_one_area_is_refused(tmp_path):
    rows = long_area("E01000001", "P") + long_area("E01000001", "F") + long_area("E01000001", "M")
    assert refused(long_csv(tmp_path, rows)) == [
        "long.csv: area E01000001 has persons (P) rows and female or male rows; give persons, "
        "or females and males."
    ]


def test_females_without_males_is_refused(tmp_path):
    rows = long_area("E01000001", "F")
    assert refused(long_csv(tmp_path, rows)) == [
        "long.csv: area E01000001 has female rows but no male rows."
    ]


def test_some_areas_persons_and_others_by_sex_is_refused(tmp_path):
    rows = long_area("E01000001", "P") + long_area("E01000002", "F") + long_area("E01000002", "M")
    assert refused(long_csv(tmp_path, rows)) == [
        "long.csv: some areas have persons (e.g. E01000001) and others females and males (e.g. "
        "E01000002); give the same for every area."
    ]


def test_a_windows_1252_file_keeps_its_welsh_names(tmp_path):
    rows = long_area("W01000001", "P", name="Ynys Môn 001A")
    parsed = accepted(long_csv(tmp_path, rows, encoding="cp1252"))
    assert set(parsed.frame["area_name"]) == {"Ynys Môn 001A"}


def test_an_empty_csv_is_refused(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert refused(path) == ["empty.csv: is empty (no header row and no data)."]


def test_a_csv_of_another_layout_says_what_is_needed(tmp_path):
    path = long_csv(tmp_path, [["x", "1"]], header=["postcode", "people"])
    (error,) = refused(path)
    assert error.startswith("long.csv: not a recognised population table; it needs either")


def test_every_error_is_counted_though_only_a_hundred_are_spelled_out(tmp_path):
    rows = [[*row[:5], "lots"] for row in long_area("E01000001", "P") + long_area("E01000002", "P")]
    parsed = parse(long_csv(tmp_path, rows))
    assert parsed.total_errors == 182
    assert len(parsed.errors) == 100
    assert parsed.errors[-1].startswith("long.csv, row 101, column 'count'")


def test_a_wide_csv_of_females_and_males_is_read_too(tmp_path):
    path = tmp_path / "wide.csv"
    header = ["lsoa21_code", *(f"F{a}" for a in AGES), *(f"M{a}" for a in AGES)]
    path.write_text(",".join(header) + "\nE01000001," + ",".join(["1"] * 182) + "\n")
    parsed = accepted(path, year=2021)
    assert parsed.facts["sexes"] == "female and male" and parsed.facts["vintage"] == "lsoa21"
    assert parsed.frame["count"].sum() == 182


# --- Census 2021 TS008 sex ----------------------------------------------------------------------


TS008 = [
    "date",
    "geography",
    "geography code",
    "Sex: All persons; measures: Value",
    "Sex: Female; measures: Value",
    "Sex: Male; measures: Value",
]


def ts008(tmp_path: Path, rows: list[list[object]], header: list[str] = TS008) -> Path:
    path = tmp_path / "census2021-ts008-lsoa.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


def test_ts008_gives_female_and_male_per_area(tmp_path):
    rows = [[2021, "Bromsgrove 009A", "E01032122", 2310, 1176, 1134]]
    parsed = census_sex.parse(ts008(tmp_path, rows))
    assert parsed.errors == []
    assert parsed.frame.to_dict("records") == [
        {"area_code": "E01032122", "area_name": "Bromsgrove 009A", "female": 1176, "male": 1134}
    ]
    assert parsed.facts["year"] == 2021 and parsed.facts["vintage"] == "lsoa21"


def test_ts008_female_and_male_must_add_up_to_all_persons(tmp_path):
    rows = [[2021, "A", "E01000001", 10, 5, 5], [2021, "B", "E01000002", 10, 5, 4]]
    parsed = census_sex.parse(ts008(tmp_path, rows))
    assert parsed.errors == [
        "census2021-ts008-lsoa.csv, row 3, column 'Sex: All persons; measures: Value': female 5 "
        "and male 4 add up to 9, not 10."
    ]


def test_ts008_codes_must_be_present_and_once_and_numbers_whole(tmp_path):
    rows = [
        [2021, "A", "E01000001", 10, 5, 5],
        [2021, "A", "E01000001", 10, 5, 5],
        [2021, "C", "", 10, 5, 5],
        [2021, "D", "E01000004", 10, -5, 15],
        [2011, "E", "E01000005", 1, 1, 0],
    ]
    parsed = census_sex.parse(ts008(tmp_path, rows))
    label = "census2021-ts008-lsoa.csv"
    assert parsed.errors == [
        f"{label}, row 6, column 'date': '2011' is not 2021; this must be the Census 2021 table.",
        f"{label}, row 4, column 'geography code': no area code.",
        f"{label}, row 3, column 'geography code': E01000001 is also on row 2.",
        f"{label}, row 5, column 'Sex: Female; measures: Value': '-5' is not a whole number of "
        "people (0 or more).",
    ]
    assert parsed.frame.empty


def test_ts008_from_an_ons_custom_dataset_is_read(tmp_path):
    header = [
        "Lower layer Super Output Areas Code",
        "Lower layer Super Output Areas",
        "Sex (2 categories) Code",
        "Sex (2 categories)",
        "Observation",
    ]
    rows = [
        ["E01000001", "City of London 001A", 1, "Female", 800],
        ["E01000001", "City of London 001A", 2, "Male", 700],
    ]
    parsed = census_sex.parse(ts008(tmp_path, rows, header))
    assert parsed.errors == []
    assert parsed.frame[["female", "male"]].to_numpy().tolist() == [[800, 700]]
    assert parsed.frame["area_name"].tolist() == ["City of London 001A"]


def test_ts008_custom_dataset_areas_need_one_female_and_one_male_row(tmp_path):
    header = ["Output Areas Code", "Output Areas", "Sex (2 categories) Code", "Observation"]
    rows = [["E00000001", "E00000001", 1, 75], ["E00000001", "E00000001", 1, 76]]
    parsed = census_sex.parse(ts008(tmp_path, rows, header))
    assert parsed.errors == [
        "census2021-ts008-lsoa.csv, row 3: area E00000001 has a second female row (the first "
        "is row 2); give one row per area and sex.",
        "census2021-ts008-lsoa.csv: area E00000001 has no male row.",
    ]


def test_a_file_that_is_not_ts008_says_what_it_needs(tmp_path):
    parsed = census_sex.parse(ts008(tmp_path, [["E01000001", 3]], ["lsoa21_code", "people"]))
    assert parsed.errors[0].startswith("census2021-ts008-lsoa.csv: not a TS008 file; it needs")


@pytest.mark.skipif(
    not WORCESTERSHIRE.is_dir(), reason=f"real Census 2021 files not found: {WORCESTERSHIRE}"
)
def test_the_real_worcestershire_ts008_gives_the_published_county_totals():
    parsed = census_sex.parse(WORCESTERSHIRE / "census2021_ts008_sex_lsoa21.csv")
    assert parsed.errors == [] and parsed.total_errors == 0
    frame = parsed.frame
    assert len(frame) == 374 and frame["area_code"].is_unique
    assert int(frame["female"].sum()) == 307_918
    assert int(frame["male"].sum()) == 295_759
    assert int((frame["female"] + frame["male"]).sum()) == 603_677
    assert parsed.facts == {
        "layout": "Census 2021 TS008 bulk download",
        "year": 2021,
        "vintage": "lsoa21",
        "areas": 374,
    }
