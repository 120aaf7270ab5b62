"""The rate catalogue against its primary tables: every APMS cell as NHS Digital's workbook prints
it, every interval published or derived as its row says, the all-ages rows equal to the published
headlines, and the derivation script failing on any difference.

The workbooks are read here with xlrd directly, not through the script, so a wrong row or column
in the script's table of measures shows up as a difference.
"""

import csv
import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest
import xlrd

from needs.prevalence.intervals import wilson
from needs.services import CATALOGUE_PATH

ROOT = Path(__file__).resolve().parents[2]
WORKBOOKS = ROOT / "fixtures" / "apms2014"
NORMS = ROOT / "fixtures" / "norms.csv"
APMS = "Adult Psychiatric Morbidity Survey 2014 (NHS Digital)"
CELL = re.compile(r"(apms-2014-ch-\d\d-tabs\.xls) ([\d.]+)!([A-Z]+)(\d+)$")
PUBLISHED_14 = re.compile(r"published 95% CI: (apms-2014-ch-14-tabs\.xls) ([\d.]+)!H(\d+):I(\d+)$")
PUBLISHED_CELLS = re.compile(r"published 95% CI: ([\d.]+)!([A-Z]+)(\d+) and [\d.]+!([A-Z]+)(\d+)$")
DERIVED = re.compile(
    r"derived: unweighted base (\d+) \(([\d.]+)!([A-Z]+)(\d+)\), "
    r"(?:design factor ([\d.]+) \(([\d.]+)!G(\d+)\)|no design factor)"
)


def load_script():
    spec = importlib.util.spec_from_file_location(
        "derive_apms_catalogue", ROOT / "scripts" / "derive_apms_catalogue.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def catalogue() -> list[dict[str, str]]:
    with CATALOGUE_PATH.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


BOOKS: dict[str, xlrd.book.Book] = {}


def cell(book: str, sheet: str, column: str, row: int) -> float:
    """A workbook cell as printed: '-' (no observations) is 0."""
    if book not in BOOKS:
        BOOKS[book] = xlrd.open_workbook(str(WORKBOOKS / book))
    names = {name.strip(): name for name in BOOKS[book].sheet_names()}
    value = BOOKS[book].sheet_by_name(names[sheet]).cell_value(row - 1, _column(column))
    return 0.0 if value == "-" else float(value)


def _column(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number - 1


def chapter_book(row: dict[str, str]) -> str:
    return CELL.search(row["source_cell"]).group(1)


APMS_ROWS = [row for row in catalogue() if row["source"] == APMS]


def test_the_script_finds_the_catalogue_equal_to_the_workbooks(capsys):
    assert load_script().main([]) == 0
    assert "match the workbooks" in capsys.readouterr().out


def test_the_script_fails_on_a_cell_that_differs_from_its_workbook(tmp_path, capsys):
    text = CATALOGUE_PATH.read_text(encoding="utf-8")
    changed = tmp_path / "prevalence_rates.csv"
    # Any CMD, women 16-24 (table 2.3 B22 prints 28.2): one digit changed.
    assert text.count(",F,16,24,0.282,") == 1
    changed.write_text(text.replace(",F,16,24,0.282,", ",F,16,24,0.283,"), "utf-8")
    assert load_script().main(["--catalogue", str(changed)]) == 1
    out = capsys.readouterr().out
    assert "column rate" in out and "'0.283'" in out and "'0.282'" in out


@pytest.mark.parametrize(
    "row", APMS_ROWS, ids=lambda r: f"{r['condition_code']}-{r['sex']}-{r['age_min']}-{r['role']}"
)
def test_every_shipped_apms_rate_is_its_workbook_cell(row):
    book, sheet, column, number = CELL.search(row["source_cell"]).groups()
    assert float(row["rate"]) == pytest.approx(
        cell(book, sheet, column, int(number)) / 100, abs=5e-7
    )
    assert row["status"] == "CONFIRMED" and row["source_year"] == "2016"
    assert row["source_table"].startswith(f"Table {sheet} ")


@pytest.mark.parametrize(
    "row", APMS_ROWS, ids=lambda r: f"{r['condition_code']}-{r['sex']}-{r['age_min']}-{r['role']}"
)
def test_every_apms_interval_is_published_or_derived_as_its_row_says(row):
    lower, upper, method = float(row["lower"]), float(row["upper"]), row["interval_method"]
    assert lower <= float(row["rate"]) <= upper
    if published := PUBLISHED_14.match(method):
        book, sheet, low_row, high_row = published.groups()
        assert lower == pytest.approx(cell(book, sheet, "H", int(low_row)), abs=5e-7)
        assert upper == pytest.approx(cell(book, sheet, "I", int(high_row)), abs=5e-7)
    elif published := PUBLISHED_CELLS.match(method):
        sheet, low_col, low_row, high_col, high_row = published.groups()
        book = chapter_book(row)
        assert lower == pytest.approx(cell(book, sheet, low_col, int(low_row)) / 100, abs=5e-7)
        assert upper == pytest.approx(cell(book, sheet, high_col, int(high_row)) / 100, abs=5e-7)
    else:
        derived = DERIVED.match(method)
        assert derived, method
        base, sheet, column, base_row, deft, deft_sheet, deft_row = derived.groups()
        assert float(base) == pytest.approx(
            cell(chapter_book(row), sheet, column, int(base_row)), abs=0.5
        )
        design = 1.0
        if deft is not None:
            design = cell("apms-2014-ch-14-tabs.xls", deft_sheet, "G", int(deft_row))
            assert float(deft) == pytest.approx(design, abs=5e-5)
        effective = cell(chapter_book(row), sheet, column, int(base_row)) / design**2
        expected = wilson(numerator=float(row["rate"]) * effective, denominator=effective)
        assert (lower, upper) == pytest.approx(tuple(np.ravel(expected)), abs=2e-6)
        assert "Wilson" in method


HEADLINES = [  # NHS Digital's published all-ages figures, APMS 2014 (percent, one decimal)
    ("cmd", "P", 17.0), ("cmd", "M", 13.2), ("cmd", "F", 20.7),
    ("cmd_severe", "M", 6.4), ("cmd_severe", "F", 9.8),
    ("ptsd_screen", "P", 4.4), ("bipolar_screen", "P", 2.0), ("adhd_screen", "P", 9.7),
    ("psychosis", "P", 0.7), ("autism", "P", 0.8),
]  # fmt: skip


@pytest.mark.parametrize(("code", "sex", "percent"), HEADLINES)
def test_the_all_ages_rows_equal_the_published_headlines(code, sex, percent):
    (row,) = [
        r
        for r in APMS_ROWS
        if (r["condition_code"], r["sex"], r["role"]) == (code, sex, "reference")
    ]
    assert round(float(row["rate"]) * 100, 1) == percent
    assert row["age_min"] == "16" and row["age_max"] == ""


def test_every_row_keeps_publication_table_cell_year_and_status():
    for number, row in enumerate(catalogue(), start=2):
        for column in ("source", "source_table", "source_cell", "source_year", "status"):
            assert row[column], f"row {number}: {column} is empty"
        assert row["status"] in {"CONFIRMED", "SECONDARY"}


def test_the_old_headline_rows_are_gone_and_the_continuing_codes_kept():
    rows = catalogue()
    sources = {row["source"] for row in rows}
    assert not any("Dementia UK" in source for source in sources)
    assert not any("News release" in row["source_table"] for row in rows)
    codes = {row["condition_code"] for row in rows}
    with NORMS.open(newline="", encoding="utf-8") as handle:
        assert {norm["condition_code"] for norm in csv.DictReader(handle)} <= codes
    assert {"cmd", "cmd_severe", "autism", "dementia", "dementia_early_onset"} <= codes


def test_dementia_is_cfas_ii_by_sex_and_five_year_band_marked_secondary():
    rows = [row for row in catalogue() if row["condition_code"] == "dementia"]
    bands = sorted({(row["age_min"], row["age_max"]) for row in rows})
    assert bands == [
        ("65", "69"),
        ("70", "74"),
        ("75", "79"),
        ("80", "84"),
        ("85", "89"),
        ("90", ""),
    ]
    assert {row["sex"] for row in rows} == {"F", "M"} and len(rows) == 12
    assert {row["status"] for row in rows} == {"SECONDARY"}
    assert all(row["lower"] and row["upper"] for row in rows)


def test_perinatal_rates_are_per_maternity_applied_to_the_stated_proxy():
    rows = [row for row in catalogue() if row["condition_group"] == "perinatal"]
    assert len(rows) == 6
    for row in rows:
        assert row["denominator"] == "maternities"
        assert (row["sex"], row["age_min"], row["age_max"]) == ("P", "0", "0")
        assert "population aged 0" in row["notes"]


def test_at_least_thirty_measures_carry_an_interval_in_every_applied_row():
    rows = [row for row in catalogue() if row["role"] == "applied"]
    codes = {row["condition_code"] for row in rows}
    with_intervals = {
        code
        for code in codes
        if all(r["lower"] and r["upper"] for r in rows if r["condition_code"] == code)
    }
    assert len(with_intervals) >= 30, sorted(codes - with_intervals)
