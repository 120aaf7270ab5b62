"""A commissioner: the locality map, every map type for two ambitions, a locality's page, its
figures as CSV. Keyboard only, no other host, axe on every page and map."""

import pytest

from tests.downloads import csv_frame
from tests.journeys.conftest import Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MAP_TYPES = ("need", "provision", "coverage", "bivariate")


def test_commissioner(journey: Journey, commissioner, finished_run):
    from playwright.sync_api import expect

    page = journey.page
    journey.sign_in(commissioner.username)
    journey.press(page.get_by_role("link", name="Need against provision").first)
    page.wait_for_url("**/maps/")
    journey.visit("need-against-provision")
    norms = page.locator("#id_norm").evaluate("s => Array.from(s.options).map(o => o.value)")
    assert len(norms) == 2  # the computed ones; the dementia norms say why they are not
    for norm in norms:
        for kind in MAP_TYPES:
            journey.choose(page.locator("#id_norm"), norm)
            journey.choose(page.locator("#id_map"), kind)
            journey.press(page.get_by_role("button", name="Show"))
            page.wait_for_url(f"**/maps/?norm={norm}&map={kind}")
            # Scrolled to, as a reader would: Chromium does not draw a frame out of view
            # (below the fold on a phone).
            page.locator(f"iframe[src$='/{norm}/{kind}/']").scroll_into_view_if_needed()
            frame = page.frame_locator(f"iframe[src$='/{norm}/{kind}/']")
            polygons = frame.locator("path.leaflet-interactive[fill-opacity='0.85']")
            polygons.first.wait_for(timeout=20_000)
            assert polygons.count() == 5, f"{norm} {kind}: one polygon per locality"
            expect(frame.locator(".jsna-legend")).to_be_visible()
            journey.visit(f"{norm}-{kind}")

    table = page.get_by_role("region", name="Localities")
    first = table.get_by_role("link").first
    name = first.inner_text()
    journey.press(first)
    page.wait_for_url("**/localities/**")
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.get_by_role("heading", name="Need against provision")).to_be_visible()
    statements = finished_run.statements.filter(unit_name=name)
    for statement in statements:
        expect(page.get_by_text(statement.text)).to_be_visible()
    journey.visit("locality")

    saved = journey.download(page.get_by_role("link", name=f"Download {name}'s figures (CSV)"))
    figures = csv_frame(saved.read_bytes())
    mine = figures[figures["Level"] == "locality"]
    assert set(mine["Name"]) == {name} and len(mine) == 2
    stored = finished_run.results.filter(level="locality", unit_name=name)
    for result in stored:
        row = mine[mine["Ambition"] == result.norm_code]
        assert row["Estimated people in need"].iloc[0] == pytest.approx(result.expected_cases)
    assert (figures["Level"] == "small_area").sum() > 0
