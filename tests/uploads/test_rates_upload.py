"""A valid rates file end to end: through the upload page and through `import_rates`, stored with
its provenance and applied on the need page; and a denominator the tool cannot supply refused on
both paths, naming the file, row and column.
"""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.urls import reverse

from needs.models import Condition, DatasetVersion, PopulationEstimate, PrevalenceRate
from tests.uploads.conftest import confirm, csv_bytes, detail, snapshot, text, upload_file
from uploads.models import UploadStatus

pytestmark = pytest.mark.django_db
HEADER = [
    "condition_code", "condition_name", "condition_group", "denominator", "sex", "age_min",
    "age_max", "rate", "lower", "upper", "role", "source", "source_table", "source_cell",
    "source_year", "status", "interval_method",
]  # fmt: skip
SOURCE = "Local perinatal audit 2024 (Wyvern Vale)"


def rates_file(folder: Path, *, denominator: str = "maternities", name: str = "perinatal.csv"):
    rows = [
        HEADER,
        ["perinatal_anxiety_local", "Perinatal anxiety (local audit)", "perinatal", denominator,
         "P", 0, 0, 0.12, 0.1, 0.14, "applied", SOURCE, "Table 3", "Table 3!C7", 2024,
         "CONFIRMED", "published 95% CI: Table 3!D7:E7"],
        ["loneliness_local", "Chronic loneliness (local survey)", "adults", "population",
         "P", 16, "", 0.07, 0.06, 0.08, "applied", SOURCE, "Table 5", "Table 5!B2", 2024,
         "SECONDARY", "published 95% CI: Table 5!C2:D2"],
        ["loneliness_local", "Chronic loneliness (local survey)", "adults", "population",
         "P", 16, "", 0.07, 0.06, 0.08, "reference", SOURCE, "Table 5", "Table 5!B2", 2024,
         "SECONDARY", "published 95% CI: Table 5!C2:D2"],
    ]  # fmt: skip
    path = folder / name
    path.write_bytes(csv_bytes(rows))
    return path


def stored() -> list[tuple]:
    return list(
        PrevalenceRate.objects.filter(source=SOURCE)
        .order_by("condition__code", "role")
        .values_list("condition__code", "role", "sex", "age_min", "rate", "source_cell", "status")
    )


EXPECTED = [
    ("loneliness_local", "applied", "P", 16, 0.07, "Table 5!B2", "SECONDARY"),
    ("loneliness_local", "reference", "P", 16, 0.07, "Table 5!B2", "SECONDARY"),
    ("perinatal_anxiety_local", "applied", "P", 0, 0.12, "Table 3!C7", "CONFIRMED"),
]


def test_a_valid_rates_file_is_uploaded_confirmed_stored_and_applied(client, analyst, tmp_path):
    client.force_login(analyst)
    upload = upload_file(client, kind="rates", path=rates_file(tmp_path))
    assert upload.status == UploadStatus.CHECKED, upload.plan.get("errors")
    assert "perinatal_anxiety_local" in detail(client, upload)
    confirm(client, upload)
    assert upload.status == UploadStatus.IMPORTED
    assert stored() == EXPECTED
    assert Condition.objects.get(code="perinatal_anxiety_local").denominator == "maternities"
    assert DatasetVersion.objects.filter(kind="rates", original_name="perinatal.csv").exists()

    year = PopulationEstimate.objects.order_by("-year").values_list("year", flat=True).first()
    infants = PopulationEstimate.objects.filter(year=year, age=0).aggregate(n=Sum("count"))["n"]
    page = text(
        client.get(
            reverse("needs:need"),
            {"condition": "perinatal_anxiety_local", "year": year, "level": "locality"},
        )
    )
    assert "Table 3!C7" in page and "published 95% CI: Table 3!D7:E7" in page
    assert "population aged 0 (both sexes) stands in for them" in page
    row = page.split('data-measure="perinatal_anxiety_local">', 1)[1].split("</tr>", 1)[0]
    shown = float(row.split("<td", 3)[2].split(">", 1)[1].split("<", 1)[0].replace(",", ""))
    assert shown == pytest.approx(0.12 * infants, abs=0.5)
    assert "stand-in for maternities" in row


def test_the_import_command_loads_the_same_file_with_its_provenance(tmp_path):
    stdout = io.StringIO()
    call_command("import_rates", str(rates_file(tmp_path)), stdout=stdout)
    assert "Imported 3 rows as dataset version" in stdout.getvalue()
    assert stored() == EXPECTED


def test_a_denominator_the_tool_cannot_supply_is_refused_on_the_page(client, analyst, tmp_path):
    client.force_login(analyst)
    before = snapshot()
    path = rates_file(tmp_path, denominator="births", name="births.csv")
    upload = upload_file(client, kind="rates", path=path)
    page = detail(client, upload)
    assert "Refused: the file has errors" in page
    assert "births.csv, row 2, column denominator: 'births' is not a denominator" in page
    assert snapshot() == before


def test_a_denominator_the_tool_cannot_supply_is_refused_by_the_command(tmp_path):
    before = snapshot()
    stderr = io.StringIO()
    path = rates_file(tmp_path, denominator="births", name="births.csv")
    with pytest.raises(CommandError, match=r"file\(s\) refused; nothing was written from them"):
        call_command("import_rates", str(path), stdout=io.StringIO(), stderr=stderr)
    assert "births.csv, row 2, column denominator: 'births'" in stderr.getvalue()
    assert snapshot() == before
