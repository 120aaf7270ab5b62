"""A valid projections file end to end: the ZIP as ONS publishes it (a males and a females CSV in
the 2022-based layout, plus the persons file it holds), through the upload page and through
`import_projections`; stored for every local authority, sex, age and year, and used by the need
page for a projected year. Until now only refusals of projection files were tested.
"""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.urls import reverse

from needs.models import Area, DatasetVersion, PopulationProjection
from tests.uploads.conftest import confirm, text, upload_file
from uploads.models import UploadStatus

pytestmark = pytest.mark.django_db
YEARS = [2022, 2023, 2047]  # 2047: a year the demo's own projections do not reach
AGE_GROUPS = [*(str(age) for age in range(90)), "90 and over"]


def count(authority: int, sex: str, age: int, year: int) -> float:
    """Every cell different, growing 1% a year from 2022, with three decimals as ONS print."""
    base = 300 + 7 * authority + age + (40 if sex == "females" else 0)
    return round(base * 1.01 ** (year - 2022), 3)


def sex_csv(authorities: list[Area], sex: str) -> str:
    header = ",".join(
        f'"{h}"'
        for h in ["AREA_CODE", "AREA_NAME", "COMPONENT", "SEX", "AGE_GROUP", *map(str, YEARS)]
    )
    lines = [header]
    for number, area in enumerate(authorities):
        totals = [0.0] * len(YEARS)
        for label in AGE_GROUPS:
            age = 90 if label == "90 and over" else int(label)
            cells = [count(number, sex, age, year) for year in YEARS]
            totals = [t + c for t, c in zip(totals, cells, strict=True)]
            lines.append(
                ",".join(
                    [area.code, area.name, "Population", sex, label, *(f"{c:.3f}" for c in cells)]
                )
            )
        lines.append(
            ",".join(
                [area.code, area.name, "Population", sex, "All ages", *(f"{t:.3f}" for t in totals)]
            )
        )
    return "\n".join(lines) + "\n"


def published_zip(folder: Path, authorities: list[Area]) -> Path:
    path = folder / "2022 SNPP Population.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("2022 SNPP Population males.csv", sex_csv(authorities, "males"))
        archive.writestr("2022 SNPP Population females.csv", sex_csv(authorities, "females"))
        archive.writestr("2022 SNPP Population persons.csv", "left out: persons are not read\n")
    path.write_bytes(buffer.getvalue())
    return path


def authorities() -> list[Area]:
    return list(Area.objects.filter(level="lad").order_by("code"))


def expected_total(areas: list[Area], year: int) -> float:
    return sum(
        count(number, sex, age, year)
        for number, _ in enumerate(areas)
        for sex in ("males", "females")
        for age in range(91)
    )


def test_the_published_zip_is_uploaded_confirmed_stored_and_used(client, analyst, tmp_path):
    areas = authorities()
    assert areas, "the session's geography has local authorities"
    client.force_login(analyst)
    upload = upload_file(client, kind="projections", path=published_zip(tmp_path, areas))
    assert upload.status == UploadStatus.CHECKED, upload.plan.get("errors")
    confirm(client, upload)
    assert upload.status == UploadStatus.IMPORTED, upload.error
    rows = PopulationProjection.objects.filter(area__in=areas)
    assert rows.count() == len(areas) * 2 * 91 * len(YEARS)
    total_2047 = rows.filter(year=2047).aggregate(n=Sum("count"))["n"]
    assert total_2047 == pytest.approx(expected_total(areas, 2047), rel=1e-9)
    women_40 = rows.get(area=areas[0], year=2023, sex="F", age=40).count
    assert women_40 == pytest.approx(count(0, "females", 40, 2023))
    assert DatasetVersion.objects.filter(kind="projections").exists()
    page = text(client.get(reverse("needs:need")))
    assert "2047 (projected)" in page  # the need page offers the projected year


def test_the_command_imports_the_same_zip_and_replaces_what_it_held(tmp_path):
    areas = authorities()
    path = published_zip(tmp_path, areas)
    for _ in range(2):  # a second import replaces, never duplicates
        stdout = io.StringIO()
        call_command("import_projections", str(path), stdout=stdout)
        rows = len(areas) * 2 * 91 * len(YEARS)
        assert stdout.getvalue().splitlines()[-1].startswith(f"Imported {rows:,} rows")
    assert PopulationProjection.objects.filter(area__in=areas).count() == rows
    total = PopulationProjection.objects.filter(area__in=areas, year=2022).aggregate(
        n=Sum("count")
    )["n"]
    assert total == pytest.approx(expected_total(areas, 2022), rel=1e-9)
