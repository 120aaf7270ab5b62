"""Reading CSV as text: padding stripped wherever it is, blank lines skipped but counted."""

import pytest

from needs.importers.tables import read_csv


@pytest.mark.parametrize(
    "text",
    [
        "code,count\nE01000001, 5\nE01000002,7\n",
        "code,count\nE01000001 ,5\nE01000002,7\n",
        'code,count\n" E01000001",5\nE01000002,7\n',
        "code,count\nE01000001,5\nE01000002,7 \n",
        "code,count\nE01000001,5\nE01000002,7 ",
        "code,count\n\tE01000001,5\nE01000002,7\n",
    ],
)
def test_padding_is_stripped_wherever_it_is(tmp_path, text):
    path = tmp_path / "padded.csv"
    path.write_text(text, encoding="utf-8")
    frame, errors = read_csv(path, "padded.csv", ["code", "count"])
    assert errors == []
    assert frame["code"].tolist() == ["E01000001", "E01000002"]
    assert frame["count"].tolist() == ["5", "7"]


def test_names_with_inner_spaces_keep_them(tmp_path):
    path = tmp_path / "names.csv"
    path.write_text("code,name\nE01000001,Ynys Môn 001A\n", encoding="utf-8")
    frame, _ = read_csv(path, "names.csv", [])
    assert frame["name"].tolist() == ["Ynys Môn 001A"]


@pytest.mark.parametrize("blank", ["\n", ",\n", " , \n"])
def test_blank_lines_are_skipped_but_keep_their_row_number(tmp_path, blank):
    path = tmp_path / "gaps.csv"
    path.write_text(f"code,count\nE01000001,5\n{blank}E01000002,7\n{blank}", encoding="utf-8")
    frame, errors = read_csv(path, "gaps.csv", [])
    assert errors == []
    assert frame["code"].tolist() == ["E01000001", "E01000002"]
    assert [i + 2 for i in frame.index] == [2, 4]  # the spreadsheet rows they are on
