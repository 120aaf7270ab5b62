"""Rate files: every problem is named before anything is written, and loading is all or nothing."""

import csv
import io
from pathlib import Path

import pytest

from needs.importers.rates import parse
from needs.models import MAX_AGE, Condition, PrevalenceRate
from needs.prevalence.estimation import rates_by_single_year
from needs.selectors import rates_frame
from needs.services import CATALOGUE_PATH, ImportRefused, rates_load

HEADER = CATALOGUE_PATH.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
SOURCE = "Local survey of wellbeing 2024 (Wyvern Vale public health)"


def row(**values: object) -> dict[str, object]:
    """One catalogue row for a made-up condition; keyword arguments override the defaults."""
    defaults = {
        "condition_code": "loneliness",
        "condition_name": "Chronic loneliness",
        "condition_description": "Feels lonely often or always",
        "condition_group": "adults",
        "denominator": "population",
        "sex": "F",
        "age_min": 16,
        "age_max": "",
        "rate": 0.07,
        "lower": "",
        "upper": "",
        "source": SOURCE,
        "source_table": "Table 1",
        "source_year": 2024,
        "source_url": "https://example.org/wellbeing-2024",
        "notes": "",
    }
    return defaults | values


def csv_text(rows: list[dict[str, object]], header: list[str] = HEADER) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write(tmp_path: Path, rows: list[dict[str, object]], name: str = "rates.csv") -> Path:
    path = tmp_path / name
    path.write_text(csv_text(rows), encoding="utf-8")
    return path


def errors_of(path: Path) -> list[str]:
    result = parse(path, max_age=MAX_AGE)
    assert result.total_errors == len(result.errors)
    return result.errors


def both_sexes(**values: object) -> list[dict[str, object]]:
    return [row(sex="F", **values), row(sex="M", **values)]


# Parsing: pure, no database.


def test_the_shipped_catalogue_header_is_the_one_these_tests_write():
    assert HEADER[:2] == ["condition_code", "condition_name"] and "rate" in HEADER


def test_a_valid_file_parses_with_no_errors_and_keeps_every_row(tmp_path):
    path = write(tmp_path, [row(sex="F", age_max=24), row(sex="F", age_min=25), row(sex="M")])
    result = parse(path, max_age=MAX_AGE)
    assert result.errors == [] and result.total_errors == 0
    assert len(result.rates) == 3
    assert sorted(result.rates["rate"]) == [0.07, 0.07, 0.07]
    assert list(result.rates.loc[result.rates["sex"] == "F", "age_max"].fillna(-1)) == [24, -1]


def test_the_shipped_catalogue_parses_with_no_errors():
    assert parse(CATALOGUE_PATH, max_age=MAX_AGE).errors == []


@pytest.mark.parametrize("bad_rate", ["1.2", "-0.01"])
def test_a_rate_outside_zero_to_one_is_refused_naming_the_file(tmp_path, bad_rate):
    path = write(tmp_path, [row(rate=bad_rate), row(sex="M")], name="local-rates.csv")
    errors = errors_of(path)
    assert len(errors) == 1
    assert errors[0].startswith("local-rates.csv")
    assert "between 0 and 1" in errors[0]


@pytest.mark.parametrize("bad_rate", ["1.2", "-0.01"])
def test_a_rate_outside_zero_to_one_names_the_spreadsheet_row_and_the_rate_column(
    tmp_path, bad_rate
):
    path = write(tmp_path, [row(rate=bad_rate), row(sex="M")], name="local-rates.csv")
    (message,) = errors_of(path)
    assert "row 2" in message and "column rate" in message


def test_text_in_a_number_column_names_the_file_row_and_column(tmp_path):
    path = write(tmp_path, [row(sex="M"), row(rate="abc")], name="local-rates.csv")
    assert errors_of(path) == ["local-rates.csv, row 3, column rate: 'abc' is not a number."]


def test_an_empty_required_number_is_refused_naming_its_column(tmp_path):
    (message,) = errors_of(write(tmp_path, [row(source_year="")]))
    assert "row 2, column source_year" in message


def test_a_missing_required_column_is_named(tmp_path):
    path = tmp_path / "no-rate.csv"
    path.write_text(csv_text([row()], header=[h for h in HEADER if h != "rate"]), "utf-8")
    assert errors_of(path) == ["no-rate.csv: missing column(s) rate."]


def test_a_missing_age_band_names_the_ages_left_without_a_rate(tmp_path):
    rows = [row(age_min=16, age_max=24), row(age_min=35), row(sex="M")]
    (message,) = errors_of(write(tmp_path, rows, name="gap.csv"))
    assert message.startswith("gap.csv")
    assert "'loneliness'" in message and "sex F" in message
    assert "ages 25 to 34" in message


def test_two_missing_age_bands_are_each_named_without_the_band_between_them(tmp_path):
    rows = [row(age_min=16, age_max=24), row(age_min=35, age_max=49), row(age_min=60)]
    text = " ".join(errors_of(write(tmp_path, rows)))
    assert "25 to 34" in text and "50 to 59" in text
    assert "25 to 59" not in text


def test_overlapping_bands_are_refused_naming_the_condition_sex_and_first_shared_age(tmp_path):
    rows = [row(age_min=16, age_max=30), row(age_min=25), row(sex="M")]
    (message,) = errors_of(write(tmp_path, rows, name="overlap.csv"))
    assert message.startswith("overlap.csv")
    assert "Overlapping age bands" in message
    assert "'loneliness'" in message and "sex F" in message and "age 25" in message


def test_overlapping_bands_name_the_spreadsheet_rows(tmp_path):
    rows = [row(age_min=16, age_max=30), row(age_min=25), row(sex="M")]
    (message,) = errors_of(write(tmp_path, rows))
    assert "rows 2, 3" in message


def test_a_persons_rate_overlapping_a_sex_rate_is_refused(tmp_path):
    rows = [row(sex="P", age_min=16), row(sex="F", age_min=65)]
    (message,) = errors_of(write(tmp_path, rows))
    assert "Overlapping age bands" in message and "age 65" in message


def test_an_unknown_sex_names_the_row_and_the_sex_column(tmp_path):
    path = write(tmp_path, [row(sex="M"), row(sex="X")], name="sex.csv")
    assert errors_of(path) == ["sex.csv, row 3, column sex: 'X' must be F, M or P."]


def test_a_band_ending_before_it_starts_names_the_row(tmp_path):
    (message,) = errors_of(write(tmp_path, [row(age_min=30, age_max=20)]))
    assert "row 2, column age_max" in message and "30 to 20" in message


def test_every_bad_row_is_reported_not_only_the_first(tmp_path):
    rows = [row(rate="abc"), row(sex="M", rate="n/a"), row(sex="P", age_min=40, rate="x")]
    errors = errors_of(write(tmp_path, rows))
    assert [e.split(", ")[1] for e in errors] == ["row 2", "row 3", "row 4"]


def test_an_empty_file_is_refused_with_one_clear_error(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    result = parse(path, max_age=MAX_AGE)
    assert result.total_errors == 1
    assert result.errors == ["empty.csv: is empty (no header row and no data)."]


def test_a_windows_1252_file_is_read_as_windows_1252(tmp_path):
    path = tmp_path / "excel-export.csv"
    text = csv_text([row(condition_name="Solitude – café users"), row(sex="M")])
    path.write_bytes(text.encode("cp1252"))
    assert b"\x96" in path.read_bytes()  # the en dash, not valid UTF-8 on its own
    result = parse(path, max_age=MAX_AGE)
    assert result.errors == []
    assert result.rates["condition_name"].iloc[0] == "Solitude – café users"


def test_a_utf16_file_is_refused_with_a_clear_error_naming_the_encoding(tmp_path):
    path = tmp_path / "unicode-text.csv"
    path.write_bytes(csv_text([row()]).encode("utf-16"))
    result = parse(path, max_age=MAX_AGE)
    assert result.total_errors == 1
    (message,) = result.errors
    assert message.startswith("unicode-text.csv: is UTF-16 text or a binary file, not CSV")


def test_a_utf8_file_with_a_byte_order_mark_parses_and_keeps_the_first_column_name(tmp_path):
    path = tmp_path / "bom.csv"
    text = csv_text([row(condition_name="Solitude – café users"), row(sex="M")])
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    result = parse(path, max_age=MAX_AGE)
    assert result.errors == []
    assert list(result.rates["condition_code"]) == ["loneliness", "loneliness"]
    assert result.rates["condition_name"].iloc[0] == "Solitude – café users"


def test_the_file_can_be_named_for_the_analyst(tmp_path):
    path = write(tmp_path, [row(sex="X")], name="tmp1234.csv")
    (message,) = parse(path, max_age=MAX_AGE, name="upload.csv").errors
    assert message.startswith("upload.csv, row 2") and "tmp1234" not in message


# Loading: database.


def catalogue_state() -> tuple[list[tuple], list[tuple]]:
    rates = PrevalenceRate.objects.order_by("pk").values_list(
        "pk",
        "condition__code",
        "sex",
        "age_min",
        "age_max",
        "rate",
        "lower",
        "upper",
        "source",
        "source_table",
        "source_year",
        "source_url",
        "notes",
    )
    conditions = Condition.objects.order_by("pk").values_list(
        "pk", "code", "name", "description", "group", "denominator"
    )
    return list(rates), list(conditions)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bad_rows",
    [
        pytest.param([row(sex="F"), row(sex="M", rate="abc")], id="text-rate"),
        pytest.param([row(sex="F"), row(sex="M", rate="1.5")], id="rate-above-1"),
        pytest.param([row(age_max=24), row(age_min=35), row(sex="M")], id="missing-band"),
        # A file that would replace the shipped cmd rates, with one bad row at the end.
        pytest.param(
            [
                row(condition_code="cmd", condition_name="Replaced", sex="F", rate=0.5),
                row(condition_code="cmd", condition_name="Replaced", sex="M", rate="x"),
            ],
            id="touches-shipped-condition",
        ),
    ],
)
def test_loading_a_bad_file_is_refused_and_leaves_the_catalogue_exactly_as_it_was(
    tmp_path, bad_rows
):
    before = catalogue_state()
    assert before[0], "the demo catalogue should be loaded"
    with pytest.raises(ImportRefused) as refused:
        rates_load(path=write(tmp_path, bad_rows, name="bad.csv"))
    assert refused.value.errors and all(e.startswith("bad.csv") for e in refused.value.errors)
    assert refused.value.total == len(refused.value.errors)
    assert catalogue_state() == before


@pytest.mark.django_db
def test_loading_the_shipped_catalogue_twice_leaves_the_same_rows():
    first = rates_load(path=CATALOGUE_PATH)
    after_first = PrevalenceRate.objects.count(), Condition.objects.count()
    second = rates_load(path=CATALOGUE_PATH)
    assert first == second == after_first[0]
    assert (PrevalenceRate.objects.count(), Condition.objects.count()) == after_first
    with CATALOGUE_PATH.open(encoding="utf-8-sig", newline="") as catalogue:
        assert first == len(list(csv.DictReader(catalogue)))


@pytest.mark.django_db
def test_loading_a_valid_file_for_a_new_condition_adds_it_and_its_rates(tmp_path):
    rates_before = PrevalenceRate.objects.count()
    assert not Condition.objects.filter(code="loneliness").exists()
    rows = [row(sex="F", rate=0.09, lower=0.08, upper=0.1), row(sex="M", rate=0.06)]
    written = rates_load(path=write(tmp_path, rows))
    assert written == 2
    condition = Condition.objects.get(code="loneliness")
    assert (condition.name, condition.group) == ("Chronic loneliness", "adults")
    stored = condition.rates.order_by("sex").values_list("sex", "age_min", "age_max", "rate")
    assert list(stored) == [("F", 16, None, 0.09), ("M", 16, None, 0.06)]
    assert condition.rates.get(sex="F").lower == 0.08
    assert PrevalenceRate.objects.count() == rates_before + 2


@pytest.mark.django_db
def test_loading_a_corrected_file_from_the_same_source_replaces_the_rates(tmp_path):
    rates_load(path=write(tmp_path, both_sexes(rate=0.05), name="first.csv"))
    rates_load(path=write(tmp_path, both_sexes(rate=0.08), name="second.csv"))
    rates = Condition.objects.get(code="loneliness").rates.values_list("rate", flat=True)
    assert sorted(rates) == [0.08, 0.08]


@pytest.mark.django_db
def test_loading_a_condition_again_under_a_new_source_leaves_its_bands_usable(tmp_path):
    rates_load(path=write(tmp_path, both_sexes(source="Survey 2019"), name="first.csv"))
    rates_load(path=write(tmp_path, both_sexes(source="Survey 2024"), name="second.csv"))
    stored = rates_frame(condition=Condition.objects.get(code="loneliness"))
    rates_by_single_year(stored, max_age=MAX_AGE)


def test_a_header_without_rates_is_refused(tmp_path):
    path = write(tmp_path, [], name="empty-rows.csv")
    assert errors_of(path) == ["empty-rows.csv: has a header row but no data rows."]


@pytest.mark.django_db
def test_each_load_is_a_dataset_version_and_the_same_file_again_is_recognised(tmp_path):
    from needs.models import DatasetVersion

    path = write(tmp_path, both_sexes(source="Survey 2019"), name="local.csv")
    rates_load(path=path)
    rates_load(path=path)
    versions = list(DatasetVersion.objects.filter(kind="rates", original_name="local.csv"))
    assert len(versions) == 2 and versions[0].sha256 == versions[1].sha256
    newest, earlier = versions
    assert earlier.retired_at is not None and newest.retired_at is None
    assert f"loaded before as version {earlier.pk}" in newest.warnings[0]


# Denominators, reference rows and provenance.


def test_a_denominator_the_tool_cannot_supply_is_refused_naming_file_row_and_column(tmp_path):
    rows = [row(sex="F"), row(sex="M", denominator="GP list size")]
    path = write(tmp_path, rows, name="registers.csv")
    (message,) = errors_of(path)
    assert message.startswith("registers.csv, row 3, column denominator: 'GP list size'")
    assert "population or maternities" in message


def test_a_rate_per_maternity_must_be_written_for_the_population_aged_0(tmp_path):
    rows = [row(sex="F", age_min=15, age_max=44, denominator="maternities")]
    (message,) = errors_of(write(tmp_path, rows, name="perinatal.csv"))
    assert message.startswith("perinatal.csv, row 2, column age_max")
    assert "population aged 0" in message and "sex P, age_min 0 and age_max 0" in message


def test_a_rate_per_maternity_for_the_population_aged_0_is_accepted(tmp_path):
    rows = [row(sex="P", age_min=0, age_max=0, rate=0.002, denominator="Maternities")]
    result = parse(write(tmp_path, rows), max_age=MAX_AGE)
    assert result.errors == []
    assert list(result.rates["denominator"]) == ["maternities"]


def test_one_condition_may_not_mix_denominators(tmp_path):
    rows = [
        row(sex="P", age_min=0, age_max=0, denominator="maternities"),
        row(sex="P", age_min=16, denominator="population"),
    ]
    (message,) = errors_of(write(tmp_path, rows))
    assert "row 2, column denominator" in message and "mixes denominators" in message


def test_an_unknown_status_or_role_names_its_row_and_column(tmp_path):
    rows = [row(sex="F", status="checked"), row(sex="M", role="headline")]
    errors = errors_of(write(tmp_path, rows, name="bad.csv"))
    assert errors == [
        "bad.csv, row 2, column status: 'checked' must be CONFIRMED, SECONDARY or empty.",
        "bad.csv, row 3, column role: 'headline' must be applied, reference or empty.",
    ]


def test_a_reference_row_may_span_the_bands_it_summarises(tmp_path):
    rows = [row(age_max=24), row(age_min=25), row(sex="M"), row(role="reference", sex="F")]
    assert errors_of(write(tmp_path, rows)) == []


@pytest.mark.django_db
def test_reference_rows_are_stored_with_their_provenance_but_never_applied(tmp_path):
    rows = [
        row(sex="F", rate=0.09, source_cell="Table 1!B4", status="CONFIRMED"),
        row(sex="M", rate=0.06, interval_method="derived: base 300"),
        row(sex="P", rate=0.075, role="reference", lower=0.07, upper=0.08),
    ]
    assert rates_load(path=write(tmp_path, rows)) == 3
    condition = Condition.objects.get(code="loneliness")
    female = condition.rates.get(sex="F")
    assert (female.source_cell, female.status, female.role) == (
        "Table 1!B4",
        "CONFIRMED",
        "applied",
    )
    assert condition.rates.get(sex="M").interval_method == "derived: base 300"
    assert condition.rates.get(sex="P").role == "reference"
    assert sorted(rates_frame(condition=condition)["sex"]) == ["F", "M"]
