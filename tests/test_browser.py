"""Headless Chromium: sign in, open the map page with every other host blocked, see the map."""

import os
from pathlib import Path

import pytest

from gapanalysis import tasks
from gapanalysis.services import analysis_claim, analysis_execute, analysis_start
from jsna.services import demo_load
from tests.conftest import IN_CI, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Playwright's sync API keeps an event loop in this thread; the ORM is only used before it starts.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def browser():
    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail(
                "Debian's chromium is missing: `make test` installs it (scripts/system_deps.sh)"
            )
        pytest.skip("no /usr/bin/chromium: install Debian's chromium to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def finished_demo_run(monkeypatch):
    demo_load()
    monkeypatch.setattr(tasks.run_gap_analysis, "delay", lambda *args: None)
    run = analysis_start(user=None)
    analysis_claim(run_id=run.pk)
    analysis_execute(run_id=run.pk)
    return run


def test_the_map_page_draws_polygons_and_legend_with_no_other_host(
    browser, live_server, commissioner, finished_demo_run
):
    from playwright.sync_api import expect

    context = browser.new_context()
    outside: list[str] = []

    def only_the_test_server(route) -> None:
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_test_server)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", commissioner.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/maps/")
    for kind in ("need", "provision", "coverage", "bivariate"):
        page.select_option("#id_map", kind)
        page.get_by_role("button", name="Show").click()
        page.locator(f"iframe[src$='/{kind}/']").scroll_into_view_if_needed()
        frame = page.frame_locator(f"iframe[src$='/{kind}/']")
        # Locality polygons (fill opacity 0.85), not the service-site circles drawn over them.
        polygons = frame.locator("path.leaflet-interactive[fill-opacity='0.85']")
        polygons.first.wait_for(timeout=20_000)
        assert polygons.count() == 5, f"{kind}: one polygon per locality"
        expect(frame.locator(".jsna-legend")).to_be_visible()
    expect(page.get_by_role("heading", name="Localities")).to_be_visible()
    assert outside == [], f"the page tried to reach other hosts: {outside}"
    page.wait_for_load_state("networkidle")  # no request left half-served at teardown
    context.close()


def test_a_signed_out_visitor_is_sent_to_the_login_page(browser, live_server, db):
    page = browser.new_page()
    page.goto(f"{live_server.url}/maps/")
    assert "/accounts/login/" in page.url
    assert page.get_by_label("Username").is_visible()
    page.wait_for_load_state("networkidle")
    page.close()
