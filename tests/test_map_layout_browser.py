"""Maps on a laptop and a phone, in headless Chromium: the key and the controls never cover the
area, every locality is named on the map, and a cluster of sites shows its mix of categories.

Pages come from the Django test client through tests.test_hostile_map_browser's `Visit` (a
made-up origin, nothing else reachable); map documents carry their real Content-Security-Policy,
so a script or style the policy refuses shows up as a console error.
"""

import html
import re
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import geopandas as gpd
import pandas as pd
import pytest
from django.urls import reverse
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from shapely.geometry import box

from gapanalysis.models import RunMap
from needs import maps
from needs import selectors as needs_selectors
from needs.map_documents import map_assets, map_response
from needs.models import Locality
from tests.journeys.conftest import AXE, BLOCKING
from tests.test_hostile_map_browser import Visit


def settled(condition, seconds: float = 15.0) -> None:
    """Wait until `condition()` is true (checked every 100 ms), at most `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the map did not settle"
        time.sleep(0.1)


pytestmark = [pytest.mark.django_db, pytest.mark.browser]
WIDTHS = {"laptop": (1280, 900), "phone": (390, 844)}

# What a map document shows, in its own pixels: the area's bounding box (the bounds the map was
# fitted to), every box drawn over the map, the key, the place names and the clusters.
LAYOUT = """
() => {
  const name = Object.keys(window).find(k => /^map_[0-9a-f]{32}$/.test(k));
  const map = window[name];
  const frame = map.getContainer().getBoundingClientRect();
  const local = r => ({left: r.left - frame.left, top: r.top - frame.top,
                       right: r.right - frame.left, bottom: r.bottom - frame.top});
  const bounds = JSON.parse(document.getElementById('jsna-map-layout').textContent).bounds;
  const a = map.latLngToContainerPoint(bounds[0]);
  const b = map.latLngToContainerPoint(bounds[1]);
  const area = {left: Math.min(a.x, b.x), right: Math.max(a.x, b.x),
                top: Math.min(a.y, b.y), bottom: Math.max(a.y, b.y)};
  const key = document.querySelector('[data-jsna-legend]');
  const covers = Array.from(document.querySelectorAll('.leaflet-control, [data-jsna-legend]'))
    .map(e => ({what: e.className, box: local(e.getBoundingClientRect())}));
  const labels = Array.from(document.querySelectorAll('.jsna-map-label')).map(e => ({
    text: e.textContent, box: local(e.getBoundingClientRect()),
    shown: getComputedStyle(e).visibility === 'visible'}));
  const clusters = Array.from(document.querySelectorAll('.jsna-cluster-icon')).map(e => ({
    label: e.getAttribute('aria-label'), title: e.getAttribute('title'),
    count: e.textContent, image: getComputedStyle(e.firstChild).backgroundImage}));
  return {size: {x: frame.width, y: frame.height}, area, covers, labels, clusters,
          keyOpen: key ? key.open : null, layersOpen:
            !!document.querySelector('.leaflet-control-layers-expanded')};
}
"""
RGB = re.compile(r"rgb\(\d+, \d+, \d+\)")


def overlaps(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and b["top"] < a["bottom"]
    )


def locality_names(scheme: object) -> set[str]:
    return set(Locality.objects.filter(scheme=scheme).values_list("name", flat=True))


def rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


@pytest.fixture
def browse(chromium, client, commissioner) -> Iterator[object]:
    client.force_login(commissioner)
    opened: list[Visit] = []

    def start(width: str) -> Visit:
        visit = Visit(chromium, client)
        visit.page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
        opened.append(visit)
        return visit

    yield start
    for each in opened:
        each.close()


def framed_layout(visit: Visit, page_path: str, document_path: str) -> dict:
    """Open the page, wait for its map document to draw, and measure it."""
    visit.open(page_path)
    visit.page.locator("iframe.jsna-map-frame").first.scroll_into_view_if_needed()
    try:
        visit.page.frame_locator("iframe.jsna-map-frame").first.locator(
            ".leaflet-container"
        ).wait_for(timeout=15_000)
    except PlaywrightTimeout:
        pytest.fail(f"{document_path}: the map never drew: {visit.problems}")
    frame = next(f for f in visit.page.frames if urlsplit(f.url).path == document_path)
    frame.wait_for_load_state("load")
    return frame.evaluate(LAYOUT)


def assert_clear_of_the_area(found: dict, width: str) -> None:
    area = found["area"]
    assert area["right"] - area["left"] > 60 and area["bottom"] - area["top"] > 60, found
    # The key starts open on a laptop, closed on a phone; either way nothing covers the area.
    assert found["keyOpen"] is (width == "laptop"), found
    assert not found["layersOpen"], "the layer control starts collapsed"
    for cover in found["covers"]:
        assert not overlaps(cover["box"], area), (width, cover, area)


def assert_every_place_named(found: dict, names: set[str]) -> None:
    labelled = {label["text"] for label in found["labels"]}
    assert labelled == names, (labelled, names)
    shown = [label for label in found["labels"] if label["shown"]]
    for label in shown:  # a shown name sits on the map and covers no other shown name
        assert label["box"]["left"] >= 0 and label["box"]["right"] <= found["size"]["x"], label
        assert not any(overlaps(label["box"], o["box"]) for o in shown if o is not label)
    assert len(shown) >= min(len(names), 3), found["labels"]


@pytest.mark.parametrize("width", sorted(WIDTHS))
@pytest.mark.parametrize("kind", ["need", "coverage", "bivariate"])
def test_a_run_map_keeps_its_key_off_the_county_and_names_each_locality(
    browse, finished_run, width, kind
):
    run_map = RunMap.objects.filter(run=finished_run, kind=kind).first()
    visit = browse(width)
    page = reverse("gapanalysis:latest_map") + f"?norm={run_map.norm_code}&map={kind}"
    document = reverse(
        "gapanalysis:run_map_document",
        kwargs={"pk": finished_run.pk, "norm": run_map.norm_code, "kind": kind},
    )
    visit.fetch(document)
    found = framed_layout(visit, page, document)
    assert_clear_of_the_area(found, width)
    assert_every_place_named(found, locality_names(finished_run.locality_scheme))
    if width == "laptop":  # room for every name beside a key that is open
        assert all(label["shown"] for label in found["labels"]), found["labels"]
    assert visit.problems == []


def test_a_frame_sized_after_its_map_has_drawn_opens_the_key_and_fits_clear_of_it(
    browse, finished_run
):
    """A frame drawn at the browser's default size (300 × 150) until the page's styles arrive:
    the key starts closed, then opens and the county is fitted again once the frame is wide."""
    run_map = RunMap.objects.filter(run=finished_run, kind="coverage").first()
    document = reverse(
        "gapanalysis:run_map_document",
        kwargs={"pk": finished_run.pk, "norm": run_map.norm_code, "kind": "coverage"},
    )
    visit = browse("laptop")
    visit.fetch(document)
    visit.provide(
        "/unstyled/", f'<!DOCTYPE html><title>t</title><iframe src="{document}"></iframe>'
    )
    visit.open("/unstyled/")
    frame = next(f for f in visit.page.frames if urlsplit(f.url).path == document)
    frame.wait_for_selector(".leaflet-container")
    assert frame.evaluate(LAYOUT)["keyOpen"] is False
    visit.page.locator("iframe").evaluate("f => { f.width = 960; f.height = 620; }")
    # Polled from here: waiting inside the page (wait_for_function) needs eval, which the map
    # document's policy refuses.
    settled(lambda: frame.evaluate("document.querySelector('[data-jsna-legend]').open"))
    frame.wait_for_timeout(100)  # Leaflet refits on the next animation frame after a resize
    assert_clear_of_the_area(frame.evaluate(LAYOUT), "laptop")
    assert visit.problems == []


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_the_need_and_sites_maps_keep_their_keys_off_the_county(browse, width):
    visit = browse(width)
    for page in (reverse("needs:need"), reverse("provision:service_mapping")):
        body = visit.fetch(page)
        src = html.unescape(re.search(r'<iframe[^>]* src="([^"]+)"', body)[1])
        visit.fetch(src)
        found = framed_layout(visit, page, urlsplit(src).path)
        assert_clear_of_the_area(found, width)
        assert_every_place_named(found, locality_names(needs_selectors.default_locality_scheme()))
        for cluster in found["clusters"]:  # the sites map's: one colour per category it names
            counts = [int(n) for n in re.findall(r": (\d+)", cluster["label"])]
            assert sum(counts) == int(cluster["count"]), cluster
            assert len(set(RGB.findall(cluster["image"]))) == len(counts), cluster
    assert any(len(RGB.findall(c["image"])) > 1 for c in found["clusters"]), found["clusters"]
    assert visit.problems == []


def test_a_cluster_shows_and_names_its_mix_of_categories(browse):
    """Three sites of two categories on one spot, one far off: the cluster's ring carries both
    categories' colours, its name counts them, and a lone site keeps its own colour."""
    colours = {"Therapy": maps.CATEGORY_COLOURS[11], "Secure": maps.CATEGORY_COLOURS[9]}
    points = pd.DataFrame(
        {
            "lon": [-1.95, -1.95001, -1.95002, -1.75],
            "lat": [52.05, 52.05001, 52.05002, 52.15],
            "group": ["Therapy", "Therapy", "Secure", "Secure"],
            "popup": ["A", "B", "C", "D"],
        }
    )
    outline = gpd.GeoDataFrame(
        {maps.NAME_COLUMN: ["West <b>end</b>", "East"]},
        geometry=[box(-2.0, 52.0, -1.85, 52.2), box(-1.85, 52.0, -1.7, 52.2)],
        crs="EPSG:4326",
    )
    document = maps.points_map(
        points, outline=outline, colours=colours, title="Sites", caption="Test sites.",
        assets=map_assets(), place_names=True,
    )  # fmt: skip
    visit = browse("laptop")
    response = map_response(document.html)
    visit.responses["/clusters/"] = (200, dict(response.items()), response.content)
    visit.open("/clusters/")
    visit.page.wait_for_selector(".jsna-cluster-icon")
    # While the map refits, markercluster animates the old and new icons side by side: wait
    # until one icon stands for the three sites.
    settled(
        lambda: sum("Therapy" in c["label"] for c in visit.page.evaluate(LAYOUT)["clusters"]) == 1
    )
    found = visit.page.evaluate(LAYOUT)
    mixed = [c for c in found["clusters"] if "Therapy" in c["label"]]
    assert len(mixed) == 1, found["clusters"]
    cluster = mixed[0]
    assert cluster["count"] == "3"
    assert (
        cluster["label"]
        == cluster["title"]
        == (
            "3 service sites (Therapy: 2, Secure: 1). Select to zoom in."  # the legend's order
        )
    )
    assert set(RGB.findall(cluster["image"])) == {rgb(colours["Secure"]), rgb(colours["Therapy"])}
    assert {label["text"] for label in found["labels"]} == {"West <b>end</b>", "East"}
    lone = visit.page.locator(f"path.leaflet-interactive[fill='{colours['Secure']}']")
    assert lone.count() == 1  # the far site, unclustered, in its category's colour
    assert visit.problems == []


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_the_sites_map_with_its_clusters_names_and_key_passes_axe(browse, width):
    """Run in the document as Playwright evaluates it (its policy refuses a script tag)."""
    visit = browse(width)
    page = reverse("provision:service_mapping")
    src = html.unescape(re.search(r'<iframe[^>]* src="([^"]+)"', visit.fetch(page))[1])
    visit.fetch(src)
    framed_layout(visit, page, urlsplit(src).path)
    frame = next(f for f in visit.page.frames if urlsplit(f.url).path == urlsplit(src).path)
    assert frame.locator(".jsna-cluster-icon").count() > 0  # the clusters are checked too
    assert visit.problems == []  # (axe's own requests for stylesheets break the policy)
    frame.evaluate(AXE.read_text())
    found = frame.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.html)}))"
    )
    assert [v for v in found if v["impact"] in BLOCKING] == []
