"""Every page fits at a desktop width (1,280 px) and a phone width (390 px), in Chromium.

Each role signs in and opens every page it may see, on the demo county with two finished runs,
a chapter export and a checked services upload (the services template, whose spend and blank
cells the preview must show as people read them). On each page: the document never scrolls
sideways, and every visible table shows its last column (the last header cell and the last cell
of every row lie inside the viewport, drawn, not display:none); only a raw file preview may
scroll sideways, inside its own box, under a hint that says so. A table whose rows are stacked
(a phone) must label every cell with its column's header. A full-page screenshot of each page at
each width goes to test-artifacts/screenshots/widths/ (the journeys' folder), and its path is
printed.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from gapanalysis import exports as gap_exports
from gapanalysis import services as gap_services
from gapanalysis.models import AnalysisRun
from needs.models import DatasetVersion
from provision.models import Service
from tests.journeys import conftest as journeys
from tests.not_pages import NOT_PAGES
from tests.test_url_permissions import ACCESS, url_of
from uploads.models import Upload, UploadStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# The journeys' fixtures: the demo county loaded afresh, tasks run here, a finished run.
demo = journeys.demo
tasks_in_process = journeys.tasks_in_process
finished_run = journeys.finished_run
WIDTHS = (1280, 390)
ROLES = ("analyst", "jsna_manager", "commissioner")
SHOTS = journeys.ARTIFACTS / "screenshots" / "widths"

# What stops a page fitting: sideways scroll, and tables whose last column is out of view.
MEASURE = """
() => {
  const width = window.innerWidth;
  const problems = [];
  const scroll = document.documentElement.scrollWidth;
  if (scroll > width) problems.push(`the page scrolls sideways: ${scroll} px in ${width} px`);
  const shown = el => el.getClientRects().length > 0 && getComputedStyle(el).display !== 'none';
  const outside = el => {
    const box = el.getBoundingClientRect();
    if (getComputedStyle(el).display === 'none' || box.width <= 0) return 'not drawn';
    if (box.right > width + 0.5 || box.left < -0.5) {
      return `out of view (${Math.round(box.left)} to ${Math.round(box.right)} px)`;
    }
    return '';
  };
  if (document.body.innerText.includes('{#')) problems.push('a template comment is printed');
  let tables = 0;
  document.querySelectorAll('table').forEach((table, t) => {
    if (!shown(table) || table.closest('details:not([open])')) return;
    tables += 1;
    const scroller = table.closest('.jsna-table-scroll');
    if (scroller) {  // a raw file preview: its box fits, its hint is shown, it scrolls inside
      const wrong = outside(scroller);
      const hint = scroller.previousElementSibling;
      if (wrong) problems.push(`a preview's scrolling box is ${wrong}`);
      if (!hint || !hint.matches('.jsna-table-scroll-hint') || !shown(hint)) {
        problems.push('a preview that scrolls sideways has no hint saying so');
      }
      if (getComputedStyle(scroller).overflowX !== 'auto') problems.push('a preview cannot scroll');
      return;
    }
    const caption = (table.caption ? table.caption.textContent : '').trim().slice(0, 50);
    const name = `table ${t + 1} (${caption})`;
    const head = table.tHead && table.tHead.rows[0];
    const headers = head ? Array.from(head.cells).map(c => c.textContent.trim()) : [];
    const columns = head ? Array.from(head.cells).map(c => Math.round(c.offsetWidth)) : [];
    if (head) {
      const wrong = outside(head.cells[head.cells.length - 1]);
      if (wrong) problems.push(`${name}: the last header cell is ${wrong}; columns ${columns}`);
    }
    const rows = Array.from(table.tBodies).flatMap(body => Array.from(body.rows));
    const stacked = rows.length > 0 && getComputedStyle(rows[0]).display !== 'table-row';
    const cut = rows.map(row => outside(row.cells[row.cells.length - 1]));
    const bad = cut.filter(Boolean);
    if (bad.length) {
      const which = cut.findIndex(Boolean) + 1;
      problems.push(`${name}: in ${bad.length} of ${rows.length} rows the last cell is ${bad[0]}`
        + ` (first: row ${which})`);
    }
    if (!stacked) return;
    const unlabelled = [];
    rows.filter(row => row.cells.length === headers.length).forEach((row, r) => {
      Array.from(row.cells).forEach((cell, c) => {
        const label = cell.getAttribute('data-label');
        if (c > 0 && label !== headers[c]) unlabelled.push(`row ${r + 1} cell ${c + 1}: ${label}`);
      });
    });
    if (unlabelled.length) {
      problems.push(`${name}: ${unlabelled.length} stacked cells not labelled with their header,`
        + ` first ${unlabelled[0]}`);
    }
  });
  return {problems, tables};
}
"""


def services_upload(client: Client) -> Upload:
    """The services template, uploaded and checked: its preview has money and blank cells."""
    template = client.get(reverse("uploads:services_template", args=["csv"])).content
    response = client.post(
        reverse("uploads:new"),
        {"kind": "services", "file": SimpleUploadedFile("services-template.csv", template)},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    upload = Upload.objects.latest("pk")
    assert upload.status == UploadStatus.CHECKED, upload.plan["errors"]
    return upload


@pytest.fixture
def site(finished_run, analyst, jsna_manager) -> dict:
    """What the pages show: a second finished run (so runs can be compared), a chapter export
    and a checked upload."""
    second = gap_services.analysis_start(user=None)
    gap_services.analysis_claim(run_id=second.pk)
    gap_services.analysis_execute(run_id=second.pk)
    run = AnalysisRun.objects.get(pk=finished_run.pk)
    export = gap_exports.export_start(run=run, fmt="html", user=jsna_manager)
    client = Client()
    client.force_login(analyst)
    return {
        "run": run,
        "second": AnalysisRun.objects.get(pk=second.pk),
        "export": export,
        "locality": run.results.filter(level="locality").first().unit_code,
        "service": Service.objects.order_by("code").first(),
        "upload": services_upload(client),
        "version": DatasetVersion.objects.first(),
    }


def pages_for(role: str, objects: dict) -> list[tuple[str, str]]:
    """(label, path) of every page `role` may open; compare with both runs chosen."""
    pages = []
    for url_name, (method, allowed) in sorted(ACCESS.items()):
        if method == "get" and url_name not in NOT_PAGES and role in allowed:
            label = url_name.replace(":", "-").replace("_", "-")
            pages.append((label, url_of(url_name, objects)))
    run, second = objects["run"].pk, objects["second"].pk
    compare = reverse("gapanalysis:run_compare") + f"?a={run}&b={second}"
    return [(label, compare if label.endswith("run-compare") else path) for label, path in pages]


def session_cookie(live_server, user) -> dict:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    return {"name": "sessionid", "value": cookie.value, "url": live_server.url}


def test_every_page_fits_at_desktop_and_phone_width(
    chromium, live_server, site, analyst, jsna_manager, commissioner
):
    users = {"analyst": analyst, "jsna_manager": jsna_manager, "commissioner": commissioner}
    problems, shot, tables = [], set(), 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    for role in ROLES:
        pages = pages_for(role, site)
        for width in WIDTHS:
            context = chromium.new_context(viewport={"width": width, "height": 900})
            context.add_cookies([session_cookie(live_server, users[role])])
            page = context.new_page()
            for label, path in pages:
                response = page.goto(live_server.url + path)
                assert response.status == 200, (role, path, response.status)
                page.wait_for_load_state("networkidle")
                found = page.evaluate(MEASURE)
                tables += found["tables"]
                problems += [f"{role}, {label} at {width} px: {p}" for p in found["problems"]]
                if (label, width) not in shot:
                    target = SHOTS / f"{label}-{width}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(target)
                    shot.add((label, width))
            context.close()
    assert problems == [], "\n".join(problems)
    assert tables > 40  # the run's, locality, need, services, spending, compare, norms, upload…
    assert {label for label, _ in shot} >= {
        "home", "gapanalysis-latest-map", "gapanalysis-run-detail", "gapanalysis-locality",
        "needs-need", "provision-service-mapping", "provision-financial-mapping",
        "gapanalysis-run-compare", "gapanalysis-norms", "uploads-list", "uploads-detail",
        "uploads-new", "gapanalysis-chapter",
    }  # fmt: skip


def test_sorting_a_table_still_works_on_a_phone(chromium, live_server, demo, commissioner):
    context = chromium.new_context(viewport={"width": 390, "height": 900})
    context.add_cookies([session_cookie(live_server, commissioner)])
    page = context.new_page()
    page.goto(live_server.url + reverse("needs:need"))
    page.wait_for_load_state("networkidle")
    table = page.locator("table[data-sortable]").first
    column = table.locator("thead th").nth(3)  # estimated people
    column.get_by_role("button").click()
    assert column.get_attribute("aria-sort") == "ascending"
    values = table.locator("tbody tr td:nth-child(4)").evaluate_all(
        "cells => cells.map(c => Number(c.getAttribute('data-sort-value')))"
    )
    assert len(values) > 1 and values == sorted(values)
    context.close()
