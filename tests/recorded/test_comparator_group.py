"""A comparator group loaded in the generic indicator layout: England's row kept as England's
value, rows for areas not loaded here kept as the comparator group's (never as the area's own),
each local district compared with England and with the group's aggregate worked by hand; a
malformed row refuses the whole file, naming file, row and column, with nothing saved."""

import io
import re
from html import unescape
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from gapanalysis.chapter_compare import compare_section
from needs.models import DatasetVersion
from needs.selectors import default_locality_scheme
from recorded.comparator import group_value
from recorded.indicator_benchmarks import benchmarks_context
from recorded.models import IndicatorValue
from tests.uploads.conftest import csv_bytes

HEADER = ["area_code", "period", "indicator", "value", "lower", "upper", "numerator",
          "denominator"]  # fmt: skip
ADMISSIONS = "Self-harm admissions"  # per 100,000, crude: value = 100,000 × numerator ÷ denominator
STANDARDISED = "Standardised rate"  # no counts: the group cannot be aggregated
ROWS = [
    HEADER,
    # Worcestershire's own districts (loaded here)
    ["E07000237", "2022", ADMISSIONS, "200", "180", "222", "200", "100000"],  # Worcester
    ["E07000238", "2022", ADMISSIONS, "100", "85", "117", "130", "130000"],  # Wychavon
    ["E07000234", "2022", ADMISSIONS, "160", "148", "173", "160", "100000"],  # Bromsgrove
    ["E07000237", "2022", STANDARDISED, "130", "120", "140", "", ""],
    # England
    ["E92000001", "2022", ADMISSIONS, "150", "149", "151", "84000", "56000000"],
    ["E92000001", "2022", STANDARDISED, "100", "99", "101", "", ""],
    # the comparator group: Stratford-on-Avon and Warwick (not loaded here)
    ["E07000221", "2022", ADMISSIONS, "133.3", "", "", "180", "135000"],
    ["E07000222", "2022", ADMISSIONS, "160", "", "", "240", "150000"],
    ["E07000221", "2022", STANDARDISED, "90", "", "", "", ""],
    ["E07000222", "2022", STANDARDISED, "110", "", "", "", ""],
]
# By hand: (180 + 240) ÷ (135,000 + 150,000) × 100,000 = 420 ÷ 285,000 × 100,000 = 147.368…
GROUP = 147.368


def write(tmp_path: Path, name: str, rows: list[list[str]]) -> Path:
    path = tmp_path / name
    path.write_bytes(csv_bytes(rows))
    return path


def command(*args: object) -> str:
    out = io.StringIO()
    call_command("import_indicators", *(str(a) for a in args), stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def loaded(worcestershire, db, tmp_path):
    """The real county with the file imported (rolled back after each test)."""
    path = write(tmp_path, "neighbours.csv", ROWS)
    preview = command(path, "--dry-run")
    return SimpleNamespace(preview=preview, output=command(path))


def test_the_group_aggregate_is_the_counts_added_up():
    import pandas as pd

    rows = pd.DataFrame(
        {"area_code": ["B", "A"], "value": [160.0, 133.3], "numerator": [240.0, 180.0],
         "denominator": [150000.0, 135000.0]}
    )  # fmt: skip
    found = group_value(rows)
    assert found.value == pytest.approx(GROUP, abs=1e-3)
    assert found.areas == ("A", "B")
    no_counts = group_value(rows.assign(numerator=[240.0, None]))
    assert no_counts.value is None and (no_counts.lowest, no_counts.highest) == (133.3, 160.0)
    assert "cannot be aggregated" in no_counts.words
    assert "range from 133.3 to 160.0" in no_counts.words


def test_each_row_is_stored_as_england_the_group_or_the_areas_own(loaded):
    assert "comparator group, not as the area's own: E07000221, E07000222" in loaded.preview
    england = IndicatorValue.objects.get(indicator=ADMISSIONS, area_code="E92000001")
    assert (england.value, england.england_source, england.is_comparator) == (150, "file", False)
    group = IndicatorValue.objects.filter(indicator=ADMISSIONS, is_comparator=True)
    assert sorted(group.values_list("area_code", flat=True)) == ["E07000221", "E07000222"]
    assert all(row.area is None for row in group)
    own = IndicatorValue.objects.get(indicator=ADMISSIONS, area_code="E07000237")
    assert (own.is_comparator, own.area.name, own.value) == (False, "Worcester", 200)
    assert IndicatorValue.objects.filter(indicator__in=[ADMISSIONS, STANDARDISED]).count() == 10


def test_each_district_is_compared_with_england_and_the_groups_aggregate(loaded):
    context = benchmarks_context()
    groups = {group["indicator"]: group for group in context["indicator_groups"]}
    admissions = groups[ADMISSIONS]
    assert admissions["group"].value == pytest.approx(GROUP, abs=1e-3)
    rows = {row.area_name: row for row in admissions["rows"]}
    assert set(rows) == {"Worcester", "Wychavon", "Bromsgrove"}  # never the group's areas
    # Worcester 180–222 is wholly above both; Wychavon 85–117 wholly below both.
    assert (rows["Worcester"].england.at_95, rows["Worcester"].group.at_95) == ("higher", "higher")
    assert (rows["Wychavon"].england.at_95, rows["Wychavon"].group.at_95) == ("lower", "lower")
    # Bromsgrove 148–173 holds England's 150; above the group's 147.4 at 95% but not at 99.8%
    # (its 99.8% lower limit: 160 − 12 × 3.0902 ÷ 1.9600 = 141.1).
    bromsgrove = rows["Bromsgrove"]
    assert bromsgrove.england.at_95 == "similar"
    assert (bromsgrove.group.at_95, bromsgrove.group.at_998) == ("higher", "similar")
    assert "better" not in bromsgrove.group.words and "worse" not in bromsgrove.group.words
    standardised = groups[STANDARDISED]
    assert standardised["group"].value is None
    assert "range from 90.0 to 110.0" in standardised["comparator_words"]
    assert standardised["rows"][0].group is None  # nothing judged against a range


def test_the_outcomes_page_and_the_chapter_show_the_comparison(loaded, client, commissioner):
    client.force_login(commissioner)
    html = client.get(reverse("recorded:outcomes")).content.decode()
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    assert "Indicators against England and the comparator group" in text
    assert "Comparator group (2 areas: E07000221, E07000222): 147.4" in text
    assert "Higher than the comparator group: the value for the comparator group is outside" in text
    run = SimpleNamespace(locality_scheme=default_locality_scheme(), year=2020, pk=1, inputs={})
    section = compare_section(run)
    table = next(t for t in section.tables if t.caption.startswith(ADMISSIONS))
    worcester = next(row for row in table.rows if row[0] == "Worcester")
    assert worcester[1:3] == ["200.0 (180.0 to 222.0)", "150.0"]
    assert worcester[4].startswith("higher than the comparator group")


def test_a_malformed_comparator_row_refuses_the_file_and_saves_nothing(
    worcestershire, db, tmp_path
):
    bad = [row[:] for row in ROWS]
    bad[8][6] = "-5"  # Warwick's numerator, file row 9 (the header is row 1)
    before = (IndicatorValue.objects.count(), DatasetVersion.objects.count())
    err = io.StringIO()
    with pytest.raises(CommandError, match="refused; nothing was written"):
        call_command("import_indicators", str(write(tmp_path, "bad.csv", bad)),
                     stdout=io.StringIO(), stderr=err)  # fmt: skip
    assert "bad.csv, row 9, column 'numerator': -5 is below 0." in err.getvalue()
    assert (IndicatorValue.objects.count(), DatasetVersion.objects.count()) == before
