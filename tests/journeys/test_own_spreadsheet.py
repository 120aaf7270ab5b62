"""An analyst brings their own services list: upload it, match its columns and then its values
to the template's on the upload's page, check and import it. Keyboard only, no script needed
by the forms, no other host, axe on every page."""

import pytest

from provision.models import Service
from tests.journeys.conftest import Journey
from tests.uploads.test_column_mapping import SOURCE, own_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_own_spreadsheet(journey: Journey, analyst, demo, tasks_in_process, tmp_path):
    from playwright.sync_api import expect

    page = journey.page
    journey.sign_in(analyst.username)
    page.goto(f"{journey.base}/uploads/new/")
    journey.choose(page.get_by_label("What the file holds"), "services")
    journey.attach(page.get_by_label("File", exact=True), own_file(tmp_path, "xlsx"))
    journey.press(page.get_by_role("button", name="Upload and check"))
    page.wait_for_url("**/uploads/*/")
    expect(page.get_by_role("heading", name="Match your columns to the template")).to_be_visible()
    # the guesses: "Places" for capacity, "Funder" for the funder
    expect(page.get_by_label("Your column for Capacity (how many)")).to_have_value("Places")
    expect(page.get_by_label("Your column for Funder (one funder pays all")).to_have_value("Funder")
    journey.visit("own-columns")

    journey.type(page.get_by_label("One value for every row of Source of the figures"), SOURCE)
    journey.press(page.get_by_role("button", name="Use these columns"))
    expect(page.get_by_role("heading", name="Match your values to the template's")).to_be_visible()
    places = page.get_by_label("“places” means")
    expect(places).to_have_value("caseload_places")
    expect(places.locator("option:checked")).to_have_text("caseload places")
    journey.visit("own-values")

    journey.choose(page.get_by_label("“sessions” means"), "hours_per_week")
    journey.press(page.get_by_role("button", name="Use these values and check the file"))
    expect(page.locator("[data-upload-errors]")).to_have_count(0)
    journey.visit("own-checked")

    journey.press(page.get_by_role("button", name="Import 3 rows"))
    expect(page.locator("[data-run-status]")).to_have_text("Imported")
    journey.visit("own-imported")
    day = Service.objects.get(code="WCC-DAY", financial_year="2024/25")
    assert day.capacity_unit == "hours_per_week" and day.source == SOURCE
    assert [(f.funder, int(f.share_percent)) for f in day.funding.all()] == [("other", 100)]
