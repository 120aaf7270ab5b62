"""An analyst: upload a population file with an error, read the error, upload the corrected
file, preview it, import it, start an analysis, watch its progress bar reach the end, open the
results. Keyboard only, no other host, axe on every page."""

import csv

import pytest

from gapanalysis.models import AnalysisRun
from needs.models import DatasetVersion, PopulationEstimate
from tests.journeys.conftest import Journey, run_queued_analyses

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
YEAR = 2024
BAD_ROW = 7  # the spreadsheet row (header = row 1) that holds the mistake
TT = "talking_therapies_access"  # the headline ambition: common mental disorder's


def population_file(folder, *, mistake: bool):
    """Mid-2024 for the demo county as a long CSV: the 2023 figures, grown by 1%."""
    path = folder / (
        "population_mid2024_demo_draft.csv" if mistake else "population_mid2024_demo.csv"
    )
    rows = PopulationEstimate.objects.filter(year=2023).order_by("area__code", "sex", "age")
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["area_code", "year", "sex", "age", "count"])
        for number, (code, sex, age, count) in enumerate(
            rows.values_list("area__code", "sex", "age", "count"), start=2
        ):
            value = "twelve" if mistake and number == BAD_ROW else str(round(count * 1.01))
            writer.writerow([code, YEAR, sex, age, value])
    return path


def test_analyst(journey: Journey, analyst, demo, tasks_in_process, tmp_path):
    from playwright.sync_api import expect

    page = journey.page
    draft = population_file(tmp_path, mistake=True)
    final = population_file(tmp_path, mistake=False)
    journey.sign_in(analyst.username)

    journey.press(page.get_by_role("link", name="Load data"))
    page.wait_for_url("**/uploads/new/")
    journey.visit("upload-form")
    journey.choose(page.get_by_label("What the file holds"), "population")
    journey.attach(page.get_by_label("File", exact=True), draft)
    journey.press(page.get_by_role("button", name="Upload and check"))
    page.wait_for_url("**/uploads/*/")
    errors = page.locator("[data-upload-errors]")
    expect(errors).to_contain_text(
        f"{draft.name}, row {BAD_ROW}, column 'count': 'twelve' is not a whole number"
    )
    expect(page.get_by_role("button", name="Import")).to_have_count(0)
    journey.visit("upload-refused")

    journey.press(page.get_by_role("link", name="upload it again"))
    page.wait_for_url("**/uploads/new/?kind=population")
    assert page.get_by_label("What the file holds").input_value() == "population"
    journey.attach(page.get_by_label("File", exact=True), final)
    journey.press(page.get_by_role("button", name="Upload and check"))
    page.wait_for_url("**/uploads/*/")
    expect(page.locator("[data-upload-errors]")).to_have_count(0)
    expect(page.get_by_role("cell", name="✓ Passed").first).to_be_visible()
    expect(page.locator("[data-upload-preview] tbody tr")).to_have_count(10)
    expect(page.locator("[data-upload-changes]")).to_contain_text(f"Population for mid-{YEAR}")
    journey.visit("upload-preview")

    rows = 304 * 2 * 91
    journey.press(page.get_by_role("button", name=f"Import {rows:,} rows"))
    # The import runs in the request (55,328 rows): seconds, more on a busy machine.
    expect(page.locator("[data-run-status]")).to_have_text("Imported", timeout=60_000)
    journey.visit("upload-imported")
    version = DatasetVersion.objects.get(kind="population", original_name=final.name)
    assert version.rows == rows and version.created_by_id == analyst.pk
    assert PopulationEstimate.objects.filter(year=YEAR).count() == rows

    journey.press(page.get_by_role("link", name="Go to need against provision"))
    page.wait_for_url("**/maps/")
    journey.press(page.get_by_role("button", name="Start the analysis"))
    page.wait_for_url("**/runs/*/")
    bar = page.locator("[data-run-progress] progress")
    expect(page.locator("[data-run-status]")).to_have_text("Queued")
    assert bar.get_attribute("value") == "0"
    journey.visit("run-queued")

    # The worker takes the run. Meanwhile the page's polls wait at the test's request router,
    # so they are answered (and the bar moves) once the run has been worked.
    run_queued_analyses(tasks_in_process)
    expect(page.locator("[data-run-status]")).to_have_text("Succeeded", timeout=30_000)
    assert page.locator("progress").get_attribute("value") == "100"
    journey.visit("run-finished")

    run = AnalysisRun.objects.get()
    assert run.status == "succeeded" and run.year == YEAR
    journey.press(page.get_by_role("link", name="See the maps"))
    page.wait_for_url("**/maps/")
    # The page opens on the headline ambition, its statements open; the others' are closed.
    first = run.statements.filter(norm_code=TT).order_by("rank").first()
    expect(page.get_by_text(first.text)).to_be_visible()
    journey.visit("results")
