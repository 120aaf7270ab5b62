"""ONS subnational population projections (SNPP): every problem named by file, row and column.

Pure, no database. Files are built in the published layouts: the 2022-based CSVs (quoted header,
plural lower-case SEX, three decimals, "90 and over" then "All ages" closing each area) and the
2018-based CSVs (same columns; written here with an unquoted header).
"""

from pathlib import Path

import pytest
from openpyxl import Workbook

from needs.importers.snpp import combine, parse

HEADER = ["AREA_CODE", "AREA_NAME", "COMPONENT", "SEX", "AGE_GROUP"]
AGE_GROUPS = [*(str(age) for age in range(90)), "90 and over"]
YEARS_2022 = [2022, 2023, 2024]
YEARS_2018 = [2018, 2019]


def value(age: int, year_index: int, scale: float = 1.0) -> float:
    """A count with three decimals, different for every age and year."""
    return round(scale * (100 + age) + 0.125 * year_index, 3)


def block(
    code: str,
    name: str,
    sex: str,
    years: list[int],
    *,
    scale: float = 1.0,
    component: str = "Population",
    ages: list[str] = AGE_GROUPS,
) -> list[list[str]]:
    """One area's rows for one sex: each age group, then All ages (their sum), as ONS lay them."""
    rows = []
    totals = [0.0] * len(years)
    for label in ages:
        age = 90 if label == "90 and over" else int(label)
        counts = [value(age, y, scale) for y in range(len(years))]
        totals = [total + count for total, count in zip(totals, counts, strict=True)]
        rows.append([code, name, component, sex, label, *(f"{c:.3f}" for c in counts)])
    rows.append([code, name, component, sex, "All ages", *(f"{t:.3f}" for t in totals)])
    return rows


def csv_text(rows: list[list[str]], years: list[int], *, quoted: bool = True) -> str:
    header = [*HEADER, *map(str, years)]
    first = ",".join(f'"{h}"' if quoted else h for h in header)
    return "\n".join([first, *(",".join(row) for row in rows)]) + "\n"


def write(
    tmp_path: Path, name: str, rows: list[list[str]], years: list[int], **options: object
) -> Path:
    path = tmp_path / name
    path.write_text(csv_text(rows, years, **options), encoding="utf-8")
    return path


def females_2022(tmp_path: Path, rows: list[list[str]] | None = None) -> Path:
    rows = rows or [
        *block("E06000047", "County Durham", "females", YEARS_2022),
        *block("E06000005", "Darlington", "females", YEARS_2022, scale=0.5),
    ]
    return write(tmp_path, "2022 SNPP Population females.csv", rows, YEARS_2022)


def errors_of(path: Path, **options: object) -> list[str]:
    result = parse(path, **options)
    assert result.frame.empty
    return result.errors


# Happy paths


def test_a_2022_based_females_file_parses_into_long_rows(tmp_path):
    result = parse(females_2022(tmp_path))
    assert result.errors == [] and result.total_errors == 0 and result.warnings == []
    frame = result.frame
    assert list(frame.columns) == ["area_code", "area_name", "year", "sex", "age", "count"]
    assert len(frame) == 2 * 91 * 3
    assert sorted(frame["age"].unique()) == list(range(91))
    assert set(frame["sex"]) == {"F"} and sorted(frame["year"].unique()) == YEARS_2022
    durham = frame.set_index(["area_code", "year", "age"])["count"]
    assert durham[("E06000047", 2022, 0)] == 100.0
    assert durham[("E06000047", 2024, 89)] == 189.25
    assert durham[("E06000047", 2023, 90)] == 190.125  # "90 and over" is age 90
    assert durham[("E06000005", 2022, 90)] == 95.0
    assert frame["count"].dtype == float and frame["year"].dtype == "int64"
    assert result.facts == {
        "file": "2022 SNPP Population females.csv",
        "layout": "ONS SNPP single-year-of-age CSV (AREA_CODE, AREA_NAME, COMPONENT, SEX, "
        "AGE_GROUP, 2022–2024)",
        "base_year": 2022,
        "years": [2022, 2024],
        "areas": 2,
        "sexes": ["F"],
        "source_hint": "ONS 2022-based subnational population projections",
    }


def test_a_2018_based_file_holding_both_sexes_parses_and_takes_its_base_from_the_first_year(
    tmp_path,
):
    rows = [
        *block("E06000001", "Hartlepool", "males", YEARS_2018),
        *block("E06000001", "Hartlepool", "females", YEARS_2018, scale=1.1),
        *block("E12000001", "North East", "males", YEARS_2018, scale=30),
        *block("E12000001", "North East", "females", YEARS_2018, scale=31),
    ]
    path = write(tmp_path, "projections.csv", rows, YEARS_2018, quoted=False)
    result = parse(path)
    assert result.errors == []
    assert len(result.frame) == 2 * 2 * 91 * 2
    assert set(result.frame["sex"]) == {"F", "M"}
    assert result.facts["base_year"] == 2018 and result.facts["years"] == [2018, 2019]
    assert result.facts["source_hint"] == "ONS 2018-based subnational population projections"
    counts = result.frame.set_index(["area_code", "sex", "year", "age"])["count"]
    assert counts[("E06000001", "F", 2019, 7)] == round(1.1 * 107 + 0.125, 3)
    assert counts[("E12000001", "M", 2018, 90)] == 30 * 190


def test_singular_and_capitalised_sex_values_and_lower_case_headers_are_accepted(tmp_path):
    rows = [
        *block("E07000083", "Tewkesbury", "Male", YEARS_2018),
        *block("E07000083", "Tewkesbury", "female", YEARS_2018),
    ]
    text = csv_text(rows, YEARS_2018, quoted=False).replace("AREA_CODE", "area_code", 1)
    path = tmp_path / "2018 SNPP Population.csv"
    path.write_text(text.replace("AGE_GROUP", "age_group", 1), encoding="utf-8")
    result = parse(path)
    assert result.errors == [] and set(result.frame["sex"]) == {"F", "M"}


def test_area_names_in_windows_1252_are_read(tmp_path):
    rows = block("W06000001", "Ynys Môn", "females", YEARS_2018)
    path = tmp_path / "2018 SNPP Population females.csv"
    path.write_bytes(csv_text(rows, YEARS_2018).encode("cp1252"))
    result = parse(path)
    assert result.errors == [] and set(result.frame["area_name"]) == {"Ynys Môn"}


def test_the_years_limit_keeps_only_those_years_and_reports_the_rest(tmp_path):
    result = parse(females_2022(tmp_path), years=(2023, 2030))
    assert result.errors == []
    assert sorted(result.frame["year"].unique()) == [2023, 2024]
    assert result.facts["years"] == [2023, 2024] and result.facts["years_dropped"] == [2022]
    assert result.facts["base_year"] == 2022


def test_a_years_limit_outside_the_file_is_an_error(tmp_path):
    assert errors_of(females_2022(tmp_path), years=(2050, 2060)) == [
        "2022 SNPP Population females.csv: has no year columns from 2050 to 2060 (its years "
        "run 2022 to 2024)."
    ]


def test_a_base_year_named_in_the_file_name_wins_over_the_first_year_column_with_a_warning(
    tmp_path,
):
    rows = block("E06000047", "County Durham", "females", [2020, 2021])
    path = write(tmp_path, "2018 SNPP Population females.csv", rows, [2020, 2021])
    result = parse(path)
    assert result.errors == [] and result.facts["base_year"] == 2018
    assert result.warnings == [
        "2018 SNPP Population females.csv: its name says 2018-based but its first year column "
        "is 2020; taken as 2018-based (rename the file if that is wrong)."
    ]


def test_a_sheet_in_an_excel_workbook_is_read_and_rows_are_named_by_sheet(tmp_path):
    book = Workbook()
    notes = book.active
    notes.title = "Notes"
    notes["A1"] = "2022-based subnational population projections"
    for sheet_name, sex in (("Males", "males"), ("Females", "females")):
        sheet = book.create_sheet(sheet_name)
        sheet.append(["Projected population, mid-2022 to mid-2024"])
        sheet.append([*HEADER, *YEARS_2022])
        for row in block("E06000047", "County Durham", sex, YEARS_2022):
            sheet.append([*row[:5], *(float(cell) for cell in row[5:])])
    book["Females"]["F5"] = "n/a"  # age 2 in 2022
    path = tmp_path / "2022 SNPP Population.xlsx"
    book.save(path)
    assert errors_of(path) == [
        "2022 SNPP Population.xlsx, sheet 'Females', row 5, column '2022': 'n/a' is not a number."
    ]


# Refusals and warnings


def test_all_ages_that_differ_from_the_sum_of_the_ages_are_named_by_row_and_column(tmp_path):
    rows = block("E06000047", "County Durham", "females", YEARS_2022)
    rows[-1][6] = f"{float(rows[-1][6]) + 0.3:.3f}"  # within rounding: accepted
    rows[-1][7] = f"{float(rows[-1][7]) + 2:.3f}"
    assert errors_of(females_2022(tmp_path, rows)) == [
        "2022 SNPP Population females.csv, row 93, column '2024': All ages is 13,219.750 but "
        "ages 0 to 90 and over add up to 13,217.750; they must agree to within 0.5 (ONS round "
        "each figure to three decimals)."
    ]


def test_a_persons_only_file_is_refused_with_what_to_upload_instead(tmp_path):
    path = write(
        tmp_path,
        "2018 SNPP Population persons.csv",
        block("E06000001", "Hartlepool", "persons", YEARS_2018),
        YEARS_2018,
    )
    assert errors_of(path) == [
        '2018 SNPP Population persons.csv: holds persons only (SEX is "persons"); projections '
        'are needed by sex. Upload the males and females files together (e.g. "2018 SNPP '
        'Population males.csv" and "2018 SNPP Population females.csv"), or one file holding '
        "both."
    ]


def test_persons_rows_are_ignored_with_a_warning_when_males_and_females_are_there(tmp_path):
    rows = [
        *block("E06000001", "Hartlepool", "persons", YEARS_2018, scale=2),
        *block("E06000001", "Hartlepool", "males", YEARS_2018),
        *block("E06000001", "Hartlepool", "females", YEARS_2018),
    ]
    result = parse(write(tmp_path, "all.csv", rows, YEARS_2018))
    assert result.errors == [] and set(result.frame["sex"]) == {"F", "M"}
    assert result.warnings == [
        "all.csv: 92 persons row(s) ignored: the file also holds males and females, of which "
        "persons are the sum."
    ]


def test_rows_of_other_components_are_skipped_with_a_warning(tmp_path):
    rows = [
        *block("E06000047", "County Durham", "females", YEARS_2022),
        *block("E06000047", "County Durham", "females", YEARS_2022, component="Births"),
    ]
    result = parse(females_2022(tmp_path, rows))
    assert result.errors == [] and len(result.frame) == 91 * 3
    assert result.warnings == [
        '2022 SNPP Population females.csv: 92 row(s) skipped because their COMPONENT is "Births",'
        ' not "Population"; only the projected population is imported.'
    ]


def test_missing_ages_are_listed_for_each_area_and_sex(tmp_path):
    ages = [label for label in AGE_GROUPS if label not in {"5", "6", "7", "90 and over"}]
    rows = [
        *block("E06000047", "County Durham", "females", YEARS_2022, ages=ages),
        *block("E06000005", "Darlington", "females", YEARS_2022, ages=AGE_GROUPS[1:]),
    ]
    assert errors_of(females_2022(tmp_path, rows)) == [
        "2022 SNPP Population females.csv: E06000047 (County Durham) females has no row for age "
        '5–7, 90 and over; each area needs one row per age 0 to 89 and "90 and over" (with '
        "every year filled in) for each sex.",
        "2022 SNPP Population females.csv: E06000005 (Darlington) females has no row for age 0; "
        'each area needs one row per age 0 to 89 and "90 and over" (with every year filled '
        "in) for each sex.",
    ]


def test_a_repeated_row_is_reported_naming_both_rows(tmp_path):
    rows = block("E06000047", "County Durham", "females", YEARS_2022)
    rows.insert(50, list(rows[10]))  # age 10 again, on row 52
    assert errors_of(females_2022(tmp_path, rows)) == [
        "2022 SNPP Population females.csv, row 52: E06000047 females age 10 is also on row 12; "
        "keep one of the two rows."
    ]


def test_text_blank_and_negative_counts_are_named_by_row_and_column(tmp_path):
    rows = block("E06000047", "County Durham", "females", YEARS_2022)
    rows[0][5] = '"1,234"'  # as a spreadsheet saves a formatted number
    rows[3][6] = ""
    rows[4][7] = "-2.000"
    assert errors_of(females_2022(tmp_path, rows)) == [
        "2022 SNPP Population females.csv, row 2, column '2022': '1,234' is not a number.",
        "2022 SNPP Population females.csv, row 5, column '2023': is empty; every year needs a "
        "count of people.",
        "2022 SNPP Population females.csv, row 6, column '2024': -2 is negative; a count of "
        "people is 0 or more.",
    ]


def test_blank_and_non_gss_codes_and_unknown_sexes_and_ages_are_named(tmp_path):
    rows = block("E06000047", "County Durham", "females", YEARS_2022)
    rows[0][0] = ""
    rows[1][0] = "Durham"
    rows[2][3] = "women"
    rows[3][4] = "0-4"
    result = parse(females_2022(tmp_path, rows))
    assert result.errors[:4] == [
        "2022 SNPP Population females.csv, row 2, column 'AREA_CODE': is empty; every row needs "
        "its area's ONS code.",
        "2022 SNPP Population females.csv, row 3, column 'AREA_CODE': 'Durham' is not an ONS "
        "area code (a capital letter and 8 digits, e.g. E06000001 or E92000001).",
        "2022 SNPP Population females.csv, row 4, column 'SEX': 'women' is not a sex ONS use "
        '("males", "females" or "persons").',
        "2022 SNPP Population females.csv, row 5, column 'AGE_GROUP': '0-4' is not a single year "
        'of age (0 to 89, "90 and over" or "All ages"); five-year age groups cannot be used: '
        "upload the ONS single-year-of-age files.",
    ]
    # the four unusable rows leave ages 0 to 3 missing for the area
    assert result.errors[4].startswith(
        "2022 SNPP Population females.csv: E06000047 (County Durham) females has no row for age "
        "0–3;"
    )


def test_errors_stop_at_one_hundred_but_are_all_counted(tmp_path):
    rows = block("E06000047", "County Durham", "females", YEARS_2022)
    for row in rows:
        row[5:] = ["x", "x", "x"]
    result = parse(females_2022(tmp_path, rows))
    assert len(result.errors) == 100 and result.total_errors == 92 * 3


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "2018 SNPP Population males.csv"
    path.write_bytes(b"")
    assert errors_of(path) == [
        "2018 SNPP Population males.csv: is empty (no header row and no data)."
    ]


def test_a_file_without_the_snpp_columns_is_refused_saying_what_they_are(tmp_path):
    path = tmp_path / "population.csv"
    path.write_text("code,name,2020\nE06000001,Hartlepool,5\n", encoding="utf-8")
    assert errors_of(path) == [
        "population.csv: missing column(s) AREA_CODE, AREA_NAME, SEX, AGE_GROUP; an ONS SNPP "
        "single-year-of-age file has the columns AREA_CODE, AREA_NAME, COMPONENT, SEX, "
        "AGE_GROUP and one column per year (2018, 2019, …)."
    ]


def test_the_zip_as_downloaded_is_refused_with_what_to_upload(tmp_path):
    path = tmp_path / "2018snpppopulation.zip"
    path.write_bytes(b"PK\x03\x04")
    assert errors_of(path)[0].startswith("2018snpppopulation.zip: is a zip archive; unzip it")


# Combining the males and females files


def parsed_pair(tmp_path: Path) -> tuple:
    males = write(
        tmp_path,
        "2018 SNPP Population males.csv",
        [
            *block("E06000001", "Hartlepool", "males", YEARS_2018),
            *block("E06000002", "Middlesbrough", "males", YEARS_2018),
        ],
        YEARS_2018,
    )
    females = write(
        tmp_path,
        "2018 SNPP Population females.csv",
        [
            *block("E06000001", "Hartlepool", "females", YEARS_2018, scale=1.1),
            *block("E06000002", "Middlesbrough", "females", YEARS_2018, scale=1.2),
        ],
        YEARS_2018,
    )
    return parse(males), parse(females)


def test_the_males_and_females_files_combine_into_one_frame(tmp_path):
    males, females = parsed_pair(tmp_path)
    result = combine([males, females])
    assert result.errors == []
    assert len(result.frame) == 2 * 2 * 91 * 2
    assert result.frame.groupby("sex").size().to_dict() == {"F": 364, "M": 364}
    assert result.facts["files"] == [
        "2018 SNPP Population males.csv",
        "2018 SNPP Population females.csv",
    ]
    assert result.facts["areas"] == 2 and result.facts["sexes"] == ["F", "M"]
    assert result.facts["base_year"] == 2018 and result.facts["years"] == [2018, 2019]


def test_the_same_file_twice_is_an_overlap(tmp_path):
    males, females = parsed_pair(tmp_path)
    result = combine([males, females, males])
    assert result.frame.empty
    assert result.errors == [
        "2018 SNPP Population males.csv and 2018 SNPP Population males.csv both hold males for 2 "
        "area(s) (E06000001, E06000002), 2018–2019; each area, sex, age and year must come from "
        "one file only (upload the males file and the females file once each)."
    ]


def test_one_sex_alone_is_refused_when_combined(tmp_path):
    males, _ = parsed_pair(tmp_path)
    assert combine([males]).errors == [
        "2018 SNPP Population males.csv: 2 area(s) have males but no females (E06000001, "
        'E06000002); upload the females file too (e.g. "2018 SNPP Population females.csv").'
    ]


def test_files_from_different_projections_are_not_combined(tmp_path):
    males, _ = parsed_pair(tmp_path)
    females = parse(females_2022(tmp_path))
    assert combine([males, females]).errors == [
        "2018 SNPP Population males.csv is 2018-based but 2022 SNPP Population females.csv is "
        "2022-based; upload files from one projection."
    ]


def test_errors_in_any_file_are_passed_on_by_combine(tmp_path):
    males, _ = parsed_pair(tmp_path)
    empty = tmp_path / "2018 SNPP Population females.csv"
    empty.write_bytes(b"")
    result = combine([males, parse(empty)])
    assert result.errors == [
        "2018 SNPP Population females.csv: is empty (no header row and no data)."
    ]
    assert result.total_errors == 1 and result.frame.empty


def test_an_empty_list_cannot_be_combined():
    with pytest.raises(ValueError, match="at least one"):
        combine([])
