"""ONS geography lookups: the LSOA → MSOA → LAD hierarchy, the 2011 → 2021 best fit, conversion.

The real-data checks need ../shared/data/worcestershire (not shipped with the project) and are
skipped without it; the checks on small made-up files always run. No database.
"""

import csv
from pathlib import Path

import pandas as pd
import pytest

from needs.importers.lookups import convert, parse_best_fit, parse_hierarchy
from needs.importers.ons_population import parse_wide_persons
from tests.conftest import SHARED_DATA

WORCESTERSHIRE = SHARED_DATA / "worcestershire"
HIERARCHY_2011 = "lookup_lsoa11_msoa11_lad_icb.csv"
HIERARCHY_2021 = "lookup_lsoa21_msoa21_ward24_lad_icb.csv"
BEST_FIT = "lookup_lsoa11_to_lsoa21.csv"
POPULATION_2020 = "population_mid2020_lsoa11_single_year_of_age_persons.csv"
CENSUS_TS008 = "census2021_ts008_sex_lsoa21.csv"
COUNTY_2020 = 598_070

needs_real_data = pytest.mark.skipif(
    not WORCESTERSHIRE.is_dir(),
    reason=f"real ONS lookup files not found: {WORCESTERSHIRE} is absent",
)


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def census_weights() -> pd.DataFrame:
    census = pd.read_csv(WORCESTERSHIRE / CENSUS_TS008, dtype={"geography code": str})
    return census.rename(
        columns={"geography code": "area_code", "Sex: All persons; measures: Value": "weight"}
    )[["area_code", "weight"]]


def best_fit(*rows: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["lsoa11_code", "lsoa21_code", "change"])


# --- the real Worcestershire lookups ----------------------------------------------------------


@needs_real_data
def test_the_real_2011_hierarchy_has_364_lsoas_85_msoas_6_districts_and_the_county():
    result = parse_hierarchy(WORCESTERSHIRE / HIERARCHY_2011)
    assert result.errors == []
    edges = result.rates
    assert edges["level"].value_counts().to_dict() == {
        "lsoa11": 364,
        "msoa11": 85,
        "lad": 6,
        "county": 1,
    }
    counties = edges[edges["level"] == "county"]
    assert counties[["area_code", "area_name"]].values.tolist() == [["E10000034", "Worcestershire"]]
    assert set(edges.loc[edges["level"] == "lad", "parent_code"]) == {"E10000034"}
    assert set(edges["vintage"]) == {2011}
    msoas = set(edges.loc[edges["level"] == "msoa11", "area_code"])
    lads = set(edges.loc[edges["level"] == "lad", "area_code"])
    assert set(edges.loc[edges["level"] == "lsoa11", "parent_code"]) == msoas
    assert set(edges.loc[edges["level"] == "msoa11", "parent_code"]) == lads
    assert lads == {f"E0700023{i}" for i in range(4, 10)}
    assert set(edges.loc[edges["level"] == "lad", "parent_code"]) == {"E10000034"}


@needs_real_data
def test_the_real_2021_hierarchy_has_374_lsoas_85_msoas_wards_and_6_districts():
    result = parse_hierarchy(WORCESTERSHIRE / HIERARCHY_2021)
    assert result.errors == []
    edges = result.rates
    counts = edges["level"].value_counts().to_dict()
    assert counts["lsoa21"] == 374
    assert counts["msoa21"] == 85
    assert counts["lad"] == 6
    assert counts["ward"] == 112
    assert set(edges["vintage"]) == {2021}
    lads = set(edges.loc[edges["level"] == "lad", "area_code"])
    assert set(edges.loc[edges["level"] == "ward", "parent_code"]) <= lads
    bromsgrove = edges[(edges["area_code"] == "E01032122")].iloc[0]
    assert (bromsgrove["area_name"], bromsgrove["parent_code"]) == ("Bromsgrove 009A", "E02006704")


@needs_real_data
def test_the_real_best_fit_lookup_has_355_unchanged_and_19_split_rows():
    result = parse_best_fit(WORCESTERSHIRE / BEST_FIT)
    assert result.errors == []
    lookup = result.rates
    assert list(lookup.columns) == ["lsoa11_code", "lsoa21_code", "change"]
    assert lookup["change"].value_counts().to_dict() == {"U": 355, "S": 19}
    assert lookup["lsoa11_code"].nunique() == 364
    assert lookup["lsoa21_code"].nunique() == 374
    # The best fit's 2021 LSOAs are exactly the 2021 hierarchy's.
    edges = parse_hierarchy(WORCESTERSHIRE / HIERARCHY_2021).rates
    assert set(lookup["lsoa21_code"]) == set(edges.loc[edges["level"] == "lsoa21", "area_code"])


@needs_real_data
def test_converting_the_real_mid_2020_population_to_2021_lsoas_keeps_every_total():
    population = parse_wide_persons(WORCESTERSHIRE / POPULATION_2020, year=2020).frame
    population = population[["area_code", "age", "count"]]
    lookup = parse_best_fit(WORCESTERSHIRE / BEST_FIT).rates
    weights = census_weights()

    converted = convert(population, lookup, to="lsoa21", weights=weights)

    assert list(converted.columns) == ["area_code", "age", "count", "conversion"]
    assert converted["area_code"].nunique() == 374
    assert converted["count"].sum() == pytest.approx(COUNTY_2020, abs=1e-6)
    before = population.groupby("age")["count"].sum()
    after = converted.groupby("age")["count"].sum()
    pd.testing.assert_series_equal(after, before.astype(float), check_exact=False, rtol=1e-12)
    rules = converted.drop_duplicates("area_code")["conversion"].value_counts().to_dict()
    assert rules == {"unchanged": 355, "split by weight": 19}

    # A split old area's count is shared by the new areas' Census 2021 populations.
    split = lookup[lookup["change"] == "S"]
    old = split["lsoa11_code"].iloc[0]
    new = split.loc[split["lsoa11_code"] == old, "lsoa21_code"].tolist()
    census = weights.set_index("area_code")["weight"]
    old_total = population.loc[population["area_code"] == old, "count"].sum()
    new_totals = converted[converted["area_code"].isin(new)].groupby("area_code")["count"].sum()
    for code in new:
        expected = old_total * census[code] / census[new].sum()
        assert new_totals[code] == pytest.approx(expected)


@needs_real_data
def test_converting_the_real_population_without_weights_splits_equally_and_says_so():
    population = parse_wide_persons(WORCESTERSHIRE / POPULATION_2020, year=2020).frame
    population = population[["area_code", "age", "count"]]
    lookup = parse_best_fit(WORCESTERSHIRE / BEST_FIT).rates

    converted = convert(population, lookup, to="lsoa21")

    assert converted["count"].sum() == pytest.approx(COUNTY_2020, abs=1e-6)
    rules = converted.drop_duplicates("area_code")["conversion"].value_counts().to_dict()
    assert rules == {"unchanged": 355, "split equally": 19}
    # And back again: the split areas merge into their 2011 LSOA, with the same counts.
    back = convert(converted, lookup, to="lsoa11")
    assert back["area_code"].nunique() == 364
    assert back.drop_duplicates("area_code")["conversion"].value_counts().to_dict() == {
        "unchanged": 355,
        "merged": 9,
    }
    merged = back.merge(population, on=["area_code", "age"], suffixes=("", "_2011"))
    assert len(merged) == len(population)
    assert (merged["count"] - merged["count_2011"]).abs().max() < 1e-9


# --- hand-worked conversions ------------------------------------------------------------------

LOOKUP = best_fit(
    ("E01000001", "E01000001", "U"),  # unchanged
    ("E01000002", "E01000011", "S"),  # one old area split in two
    ("E01000002", "E01000012", "S"),
    ("E01000003", "E01000013", "M"),  # two old areas merged into one
    ("E01000004", "E01000013", "M"),
)


def test_an_unchanged_area_passes_its_counts_through():
    values = pd.DataFrame({"area_code": ["E01000001"], "sex": ["F"], "count": [7]})
    converted = convert(values, LOOKUP, to="lsoa21")
    assert converted.to_dict("records") == [
        {"area_code": "E01000001", "sex": "F", "count": 7.0, "conversion": "unchanged"}
    ]


def test_a_split_area_shares_its_count_by_the_new_areas_weights():
    values = pd.DataFrame(
        {"area_code": ["E01000002", "E01000002"], "age": [0, 1], "count": [10, 4]}
    )
    weights = pd.DataFrame({"area_code": ["E01000011", "E01000012"], "weight": [300, 100]})
    converted = convert(values, LOOKUP, to="lsoa21", weights=weights)
    assert converted.to_dict("records") == [
        {"area_code": "E01000011", "age": 0, "count": 7.5, "conversion": "split by weight"},
        {"area_code": "E01000011", "age": 1, "count": 3.0, "conversion": "split by weight"},
        {"area_code": "E01000012", "age": 0, "count": 2.5, "conversion": "split by weight"},
        {"area_code": "E01000012", "age": 1, "count": 1.0, "conversion": "split by weight"},
    ]


def test_a_split_area_without_weights_shares_equally_and_says_so():
    values = pd.DataFrame({"area_code": ["E01000002"], "count": [9]})
    converted = convert(values, LOOKUP, to="lsoa21")
    assert converted["count"].tolist() == [4.5, 4.5]
    assert set(converted["conversion"]) == {"split equally"}


def test_a_split_with_a_new_area_missing_from_the_weights_shares_equally():
    values = pd.DataFrame({"area_code": ["E01000002"], "count": [9]})
    weights = pd.DataFrame({"area_code": ["E01000011"], "weight": [5]})
    converted = convert(values, LOOKUP, to="lsoa21", weights=weights)
    assert converted["count"].tolist() == [4.5, 4.5]
    assert set(converted["conversion"]) == {"split equally"}


def test_merged_areas_add_up_for_each_combination_of_the_other_keys():
    values = pd.DataFrame(
        {
            "area_code": ["E01000003", "E01000004", "E01000003", "E01000004"],
            "area_name": ["Old 3", "Old 4", "Old 3", "Old 4"],
            "sex": ["F", "F", "M", "M"],
            "count": [2, 3, 5, 7],
        }
    )
    converted = convert(values, LOOKUP, to="lsoa21")
    assert converted.to_dict("records") == [
        {"area_code": "E01000013", "sex": "F", "count": 5.0, "conversion": "merged"},
        {"area_code": "E01000013", "sex": "M", "count": 12.0, "conversion": "merged"},
    ]


def test_converting_back_to_2011_merges_a_split_and_splits_a_merge_by_weight():
    values = pd.DataFrame(
        {"area_code": ["E01000011", "E01000012", "E01000013"], "count": [1.5, 2.5, 10]}
    )
    weights = pd.DataFrame({"area_code": ["E01000003", "E01000004"], "weight": [1, 4]})
    converted = convert(values, LOOKUP, to="lsoa11", weights=weights)
    assert converted.to_dict("records") == [
        {"area_code": "E01000002", "count": 4.0, "conversion": "merged"},
        {"area_code": "E01000003", "count": 2.0, "conversion": "split by weight"},
        {"area_code": "E01000004", "count": 8.0, "conversion": "split by weight"},
    ]


def test_a_complex_change_is_split_by_weight_and_added_up():
    lookup = best_fit(
        ("E01000005", "E01000015", "X"),
        ("E01000005", "E01000016", "X"),
        ("E01000006", "E01000016", "X"),
    )
    values = pd.DataFrame({"area_code": ["E01000005", "E01000006"], "count": [12, 4]})
    weights = pd.DataFrame({"area_code": ["E01000015", "E01000016"], "weight": [1, 2]})
    converted = convert(values, lookup, to="lsoa21", weights=weights)
    assert converted["count"].tolist() == [4.0, 12.0]
    assert converted["conversion"].tolist() == ["split by weight", "split by weight and merged"]
    assert converted["count"].sum() == 16


def test_totals_are_kept_for_every_year_sex_and_age_through_a_mixed_lookup():
    codes = ["E01000001", "E01000002", "E01000003", "E01000004"]
    values = pd.DataFrame(
        [
            {"area_code": code, "year": year, "sex": sex, "age": age, "count": 1 + i * 7 % 13}
            for i, (code, year, sex, age) in enumerate(
                (c, y, s, a) for c in codes for y in (2020, 2021) for s in "FM" for a in range(3)
            )
        ]
    )
    weights = pd.DataFrame({"area_code": ["E01000011", "E01000012"], "weight": [1 / 3, 2 / 3]})
    converted = convert(values, LOOKUP, to="lsoa21", weights=weights)
    keys = ["year", "sex", "age"]
    before = values.groupby(keys)["count"].sum().astype(float)
    after = converted.groupby(keys)["count"].sum()
    pd.testing.assert_series_equal(after, before, check_exact=False, rtol=1e-12)


def test_a_code_missing_from_the_lookup_is_named():
    values = pd.DataFrame({"area_code": ["E01000001", "E01999999"], "count": [1, 2]})
    with pytest.raises(ValueError, match=r"1 area code.*not 2011 LSOAs.*E01999999"):
        convert(values, LOOKUP, to="lsoa21")


def test_many_missing_codes_name_the_first_twenty_and_the_count():
    codes = [f"E01{900000 + i}" for i in range(25)]
    values = pd.DataFrame({"area_code": codes, "count": 1})
    with pytest.raises(ValueError, match=r"25 area code.*first 20 shown") as raised:
        convert(values, LOOKUP, to="lsoa21")
    assert "E01900019" in str(raised.value)
    assert "E01900020" not in str(raised.value)


def test_converting_to_an_unknown_vintage_is_refused():
    values = pd.DataFrame({"area_code": ["E01000001"], "count": [1]})
    with pytest.raises(ValueError, match="to must be"):
        convert(values, LOOKUP, to="msoa21")


# --- headers as ONS publishes them ------------------------------------------------------------


WARD = ["W05000001", "Ward"]


def test_ons_official_headers_are_read_case_insensitively(tmp_path):
    header = ["LSOA21CD", "LSOA21NM", "msoa21cd", "MSOA21NM", "WD24CD", "WD24NM"]
    header += ["LAD22CD", "LAD22NM"]
    rows = [
        [lsoa, f"Cardiff 001{letter}", "W02000001", "Cardiff 001", *WARD, "W06000015", "Cardiff"]
        for lsoa, letter in (("W01000001", "A"), ("W01000002", "B"))
    ]
    path = write_csv(tmp_path / "ons.csv", header, rows)
    result = parse_hierarchy(path)
    assert result.errors == []
    edges = result.rates
    assert edges[["area_code", "level", "parent_code"]].to_dict("records") == [
        {"area_code": "W01000001", "level": "lsoa21", "parent_code": "W02000001"},
        {"area_code": "W01000002", "level": "lsoa21", "parent_code": "W02000001"},
        {"area_code": "W02000001", "level": "msoa21", "parent_code": "W06000015"},
        {"area_code": "W05000001", "level": "ward", "parent_code": "W06000015"},
        {"area_code": "W06000015", "level": "lad", "parent_code": None},
    ]
    assert set(edges["vintage"]) == {2021}


def test_the_ons_best_fit_headers_are_read(tmp_path):
    path = write_csv(
        tmp_path / "ons.csv",
        ["LSOA11CD", "LSOA11NM", "LSOA21CD", "LSOA21NM", "CHGIND"],
        [["E01000001", "A", "E01000001", "A", "U"], ["E01000002", "B", "E01000011", "B", "S"]],
    )
    result = parse_best_fit(path)
    assert result.errors == []
    assert result.rates["change"].tolist() == ["U", "S"]


# --- bad lookup files -------------------------------------------------------------------------

HEADER_2011 = ["lsoa11_code", "lsoa11_name", "msoa11_code", "msoa11_name"]
HEADER_2011 += ["ltla22_code", "ltla22_name"]


def lsoa_row(lsoa: str, msoa: str = "E02000001", lad: str = "E07000234") -> list[str]:
    return [lsoa, f"LSOA {lsoa}", msoa, f"MSOA {msoa}", lad, f"LAD {lad}"]


def test_a_duplicated_lsoa_names_both_rows_and_the_column(tmp_path):
    path = write_csv(
        tmp_path / "lookup.csv",
        HEADER_2011,
        [lsoa_row("E01000001"), lsoa_row("E01000002"), lsoa_row("E01000001")],
    )
    result = parse_hierarchy(path)
    assert result.total_errors == 1
    assert result.errors[0].startswith("lookup.csv, row 4, column lsoa11_code: E01000001")
    assert "row 2" in result.errors[0]
    assert result.rates.empty


def test_an_msoa_under_two_districts_names_the_rows(tmp_path):
    path = write_csv(
        tmp_path / "lookup.csv",
        HEADER_2011,
        [
            lsoa_row("E01000001"),
            lsoa_row("E01000002"),
            lsoa_row("E01000003", lad="E07000235"),
        ],
    )
    result = parse_hierarchy(path, name="Worcestershire lookup")
    assert result.total_errors == 1
    message = result.errors[0]
    assert message.startswith("Worcestershire lookup, column ltla22_code: MSOA E02000001")
    assert "E07000234 on row(s) 2, 3" in message
    assert "E07000235 on row(s) 4" in message


def test_a_code_that_is_not_a_gss_code_names_row_and_column(tmp_path):
    path = write_csv(
        tmp_path / "lookup.csv",
        HEADER_2011,
        [lsoa_row("E01000001"), lsoa_row("E02000002"), lsoa_row("E01000003", lad="E10000034")],
    )
    result = parse_hierarchy(path)
    assert result.errors == [
        "lookup.csv, row 3, column lsoa11_code: 'E02000002' is not an LSOA code (E01 or W01 and 6 "
        "digits).",
        "lookup.csv, row 4, column ltla22_code: 'E10000034' is not a local authority district "
        "code (E06, E07, E08, E09 or W06 and 6 digits).",
        "lookup.csv, column ltla22_code: MSOA E02000001 is under more than one LAD (E07000234 on "
        "row(s) 2, 3; E10000034 on row(s) 4); each MSOA must sit in one LAD.",
    ]


def test_a_missing_column_lists_what_is_needed(tmp_path):
    header = ["lsoa21_code", "lsoa21_name", "ltla24_code", "ltla24_name"]
    path = write_csv(tmp_path / "lookup.csv", header, [["E01000001", "A", "E07000234", "B"]])
    result = parse_hierarchy(path)
    assert result.total_errors == 1
    message = result.errors[0]
    assert message.startswith("lookup.csv: missing column(s) for a 2021 lookup:")
    assert "msoa code (msoa21_code or MSOA21CD)" in message
    assert "msoa name (msoa21_name or MSOA21NM)" in message


def test_a_file_without_lsoa_columns_says_which_are_needed(tmp_path):
    path = write_csv(tmp_path / "lookup.csv", ["code", "name"], [["E01000001", "A"]])
    result = parse_hierarchy(path)
    assert "cannot tell the LSOA vintage" in result.errors[0]
    assert "lsoa21_code/LSOA21CD" in result.errors[0]


def test_a_bad_change_code_names_row_and_column(tmp_path):
    path = write_csv(
        tmp_path / "best_fit.csv",
        ["lsoa11_code", "change_code", "lsoa21_code"],
        [["E01000001", "U", "E01000001"], ["E01000002", "Z", "E01000002"]],
    )
    result = parse_best_fit(path)
    assert result.errors == [
        "best_fit.csv, row 3, column change_code: 'Z' is not a change code (U unchanged, S split, "
        "M merged or X complex)."
    ]
    assert result.rates.empty


def test_a_change_code_that_contradicts_the_rows_is_an_error(tmp_path):
    path = write_csv(
        tmp_path / "best_fit.csv",
        ["lsoa11_code", "change_code", "lsoa21_code"],
        [["E01000001", "U", "E01000011"], ["E01000002", "S", "E01000012"]],
    )
    result = parse_best_fit(path)
    assert result.total_errors == 1
    assert result.errors[0].startswith("best_fit.csv, row 2, column change_code: E01000001")


def test_a_best_fit_file_missing_its_change_column_says_so(tmp_path):
    path = write_csv(
        tmp_path / "best_fit.csv", ["lsoa11_code", "lsoa21_code"], [["E01000001", "E01000001"]]
    )
    result = parse_best_fit(path)
    assert result.errors == [
        "best_fit.csv: missing column(s) for the best-fit lookup: change (change_code or CHGIND)."
    ]
