"""Hostile service, provider, locality and condition names, in headless Chromium: no script runs.

The pages and map documents come from the Django test client; Chromium fetches them from a
made-up origin that the test serves, so nothing else can be reached. Every map must draw, and
every tooltip open with the name as its text, without a dialog, a page error or a console error.
"""

import html
import importlib
import os
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from gapanalysis.models import Norm, RunMap
from gapanalysis.norm_measures import MEASURES
from gapanalysis.services import analysis_claim, analysis_execute, analysis_start, turnover_set
from needs import selectors as needs_selectors
from needs.models import Condition, Locality
from provision import selectors as provision_selectors
from provision.models import Service
from tests.hostile_text import STORABLE, leaks
from tests.test_hostile_map_text import legacy_document

pytestmark = [pytest.mark.django_db, pytest.mark.browser]
# Never contacted (every request is answered by the test); localhost, as browsers trust it.
ORIGIN = "http://localhost:8009"
MIGRATION = "0003_rerender_stored_maps"
migration = importlib.import_module(f"gapanalysis.migrations.{MIGRATION}")
# Playwright's sync API keeps an event loop in this thread; the test client is used from it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Opens every tooltip of a map document: hovers each drawn shape (polygons and sites not in a
# cluster), and opens the tooltip of each site inside a cluster; returns what the map drew and
# every tooltip's text.
PROBE = """
async () => {
  const shown = () => Array.from(document.querySelectorAll('.leaflet-tooltip'))
    .map(t => t.textContent);
  const texts = [];
  const shapes = Array.from(document.querySelectorAll('path.leaflet-interactive'));
  for (const shape of shapes) {
    shape.dispatchEvent(new MouseEvent('mouseover', {bubbles: true, clientX: 5, clientY: 5}));
    texts.push(...shown());
    shape.dispatchEvent(new MouseEvent('mouseout', {bubbles: true}));
  }
  const name = Object.keys(window).find(k => /^map_[0-9a-f]{32}$/.test(k));
  const map = window[name];
  let clustered = 0;
  for (const key of Object.keys(window).filter(k => /^marker_cluster_/.test(k))) {
    for (const site of window[key].getLayers()) {
      clustered += 1;
      const tooltip = site.getTooltip();
      map.openTooltip(tooltip, site.getLatLng());
      texts.push(tooltip.getElement().textContent);
      map.closeTooltip(tooltip);
    }
  }
  await new Promise(resolve => setTimeout(resolve, 50));
  return {shapes: shapes.length, clustered, texts};
}
"""


def words(text: str) -> str:
    return " ".join(text.replace("\r", "").split())


def _key(url: str) -> str:
    """A page's path and query, as the test client and Chromium both spell it."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class Visit:
    """Pages opened in Chromium; what went wrong on them.

    The test client answers in this test's database connection, so every page is fetched before
    Chromium asks for it (Playwright's callbacks run in another context, with another
    connection); static files are read from the static folders.
    """

    def __init__(self, chromium: object, client: object) -> None:
        self.client = client
        self.responses: dict[str, tuple[int, dict, bytes]] = {}
        self.problems: list[str] = []
        self.outside: list[str] = []
        self.context = chromium.new_context(viewport={"width": 1280, "height": 900})
        self.context.route("**/*", self.serve)
        self.page = self.context.new_page()
        self.page.on("dialog", self.dialog)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("console", self.console)

    def dialog(self, dialog: object) -> None:
        self.problems.append(f"{dialog.type} dialog: {dialog.message}")
        dialog.dismiss()

    def console(self, message: object) -> None:
        if message.type == "error":
            self.problems.append(f"console error: {message.text}")

    def fetch(self, path: str) -> str:
        """Ask the test client for `path` now, to hand to Chromium when it asks."""
        response = self.client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        self.responses[_key(path)] = (200, dict(response.items()), response.content)
        return response.content.decode()

    def provide(self, path: str, document: str) -> None:
        self.responses[_key(path)] = (200, {"content-type": "text/html; charset=utf-8"}, document)

    def serve(self, route: object) -> None:
        url = urlsplit(route.request.url)
        path = _key(route.request.url)
        if f"{url.scheme}://{url.netloc}" != ORIGIN:
            self.outside.append(route.request.url)
            route.abort()
        elif path in self.responses:
            status, headers, body = self.responses[path]
            route.fulfill(status=status, headers=headers, body=body)
        elif url.path.startswith(settings.STATIC_URL) and (
            found := finders.find(url.path.removeprefix(settings.STATIC_URL))
        ):
            route.fulfill(path=found)
        else:
            self.problems.append(f"not fetched beforehand: {path}")
            route.fulfill(status=404, body="")

    def open(self, path: str) -> None:
        if _key(path) not in self.responses:
            self.fetch(path)
        self.page.goto(ORIGIN + path)
        self.page.wait_for_load_state("networkidle")

    def probe(self, frame: object | None = None) -> dict:
        return (frame or self.page).evaluate(PROBE)

    def close(self) -> None:
        self.context.close()
        assert self.outside == [], f"the page tried to reach other hosts: {self.outside}"


@pytest.fixture
def visit(chromium, client, commissioner) -> Iterator[object]:
    client.force_login(commissioner)
    opened: list[Visit] = []

    def start() -> Visit:
        opened.append(Visit(chromium, client))
        return opened[-1]

    yield start
    for each in opened:
        each.close()


@pytest.fixture
def hostile_names(db) -> dict:
    """Hostile names given to the services with sites that the norms count, to the localities
    and to the norms' conditions; returns each site's tooltip as the maps should show it."""
    year = provision_selectors.latest_financial_year()
    # The services of the norms a run computes: the CAMHS caseload through a (test) turnover;
    # the dementia norms are not computed (no GP registers or incidence rates loaded).
    turnover_set(service_type="camhs", people_per_place=1.5, source="Test figure", user=None)
    counted = {
        t for norm in Norm.objects.all() if not MEASURES[norm.measure].missing
        for t in norm.service_types
    }  # fmt: skip
    services = list(
        Service.objects.filter(financial_year=year, service_type__in=counted, sites__isnull=False)
        .distinct()
        .order_by("code")[: len(STORABLE)]
    )
    assert len(services) >= 3, "the demo area has too few services with sites"
    for i, service in enumerate(services):
        service.name = STORABLE[i]
        service.provider = STORABLE[(i + 1) % len(STORABLE)]
        service.save(update_fields=["name", "provider"])
    scheme = needs_selectors.default_locality_scheme()
    for i, locality in enumerate(Locality.objects.filter(scheme=scheme).order_by("code")):
        locality.name = STORABLE[i % len(STORABLE)]
        locality.save(update_fields=["name"])
    codes = set(Norm.objects.values_list("condition_id", flat=True))
    conditions = Condition.objects.filter(pk__in=codes).order_by("pk")
    for i, condition in enumerate(conditions):
        condition.name = STORABLE[(i + 3) % len(STORABLE)]
        condition.save(update_fields=["name"])
    return {
        "year": year,
        "run_labels": {words(f"{s.name} ({s.provider})") for s in services},
        "sites_labels": {
            words(f"{s.name} — {s.provider} ({s.get_category_display()})") for s in services
        },
        "localities": {words(n) for n in Locality.objects.values_list("name", flat=True)},
    }


@pytest.fixture
def hostile_run(hostile_names, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        run = analysis_start(user=None)
    analysis_claim(run_id=run.pk)
    analysis_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "succeeded", run.error
    return run


def test_the_services_page_and_its_map_run_no_hostile_name(visit, hostile_names):
    page = visit()
    body = page.fetch(reverse("provision:service_mapping"))
    document = page.fetch(html.unescape(re.search(r'<iframe[^>]* src="([^"]+)"', body)[1]))
    assert leaks(document) == []
    page.open(reverse("provision:service_mapping"))
    assert STORABLE[0] not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    page.page.locator("iframe.jsna-map-frame").scroll_into_view_if_needed()  # lazy loaded
    drawn = page.page.frame_locator("iframe.jsna-map-frame").locator(".leaflet-container")
    try:
        drawn.wait_for(timeout=10_000)
    except PlaywrightTimeout:
        pytest.fail(f"the sites map never drew: {page.problems}")
    map_frame = next(f for f in page.page.frames if "/services/map/" in f.url)
    found = page.probe(map_frame)
    assert found["shapes"] > 0 and found["clustered"] > 0, found  # outline and sites drawn
    assert hostile_names["sites_labels"] <= {words(t) for t in found["texts"]}
    assert page.problems == []


@pytest.mark.parametrize("kind", ["need", "provision", "coverage", "bivariate"])
def test_every_map_of_a_run_with_hostile_names_draws_safely(
    visit, hostile_run, hostile_names, kind
):
    page = visit()
    labels, localities = set(), set()
    for run_map in RunMap.objects.filter(run=hostile_run, kind=kind):
        assert leaks(run_map.html) == [], run_map.norm_code
        page.open(
            reverse(
                "gapanalysis:run_map_document",
                kwargs={"pk": hostile_run.pk, "norm": run_map.norm_code, "kind": kind},
            )
        )
        found = page.probe()
        assert found["shapes"] > 0, f"{run_map.norm_code}: a blank map"
        texts = {words(t) for t in found["texts"]}
        labels |= texts
        localities |= {
            name for name in hostile_names["localities"] if any(name in t for t in texts)
        }
        assert page.problems == [], run_map.norm_code
    assert localities == hostile_names["localities"]  # every locality's tooltip shows its name
    if kind in ("provision", "coverage"):
        assert hostile_names["run_labels"] <= labels


def test_a_stored_map_from_before_the_fix_is_safe_after_the_migration(visit, finished_run):
    stored = RunMap.objects.filter(run=finished_run, kind="coverage").first()
    stored.html = legacy_document(STORABLE)
    stored.save(update_fields=["html"])
    untouched = {m.pk: m.html for m in RunMap.objects.exclude(pk=stored.pk)}
    old = visit()
    old.provide("/legacy/", stored.html)
    old.open("/legacy/")
    assert old.problems, "the stored map was expected to be broken before the migration"

    state_apps = MigrationLoader(None).project_state(("gapanalysis", MIGRATION)).apps
    migration.rewrite_stored_maps(state_apps, None)

    stored.refresh_from_db()
    assert leaks(stored.html) == []
    assert {m.pk: m.html for m in RunMap.objects.exclude(pk=stored.pk)} == untouched
    page = visit()
    page.provide("/repaired/", stored.html)
    page.open("/repaired/")
    found = page.probe()
    assert found["shapes"] == len(STORABLE), found  # every site drawn again
    assert {words(t) for t in found["texts"]} == {
        words(f"{n} ({p})") for n, p in zip(STORABLE, STORABLE[1:] + STORABLE[:1], strict=True)
    }
    assert page.problems == []
