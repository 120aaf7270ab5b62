"""Headless Chromium journeys: every request outside the test server blocked, each page checked
with axe-core (served from tests/vendor, injected into the page), screenshots kept as artefacts,
and every step taken with the keyboard alone (Tab to a control, then Enter, Space or arrows).

Each journey is taken twice: at a desktop width (1,280 px) and a phone width (390 px); no page it
visits may scroll sideways at either.

Screenshots go to test-artifacts/screenshots/ (JSNA_TEST_ARTIFACTS overrides the folder).
"""

import contextlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from gapanalysis import services as gap_services
from gapanalysis import tasks as gap_tasks
from jsna.celery import app as celery_app
from jsna.services import demo_load
from tests.conftest import PASSWORD, REPO_ROOT
from uploads import tasks as upload_tasks

AXE = REPO_ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(os.environ.get("JSNA_TEST_ARTIFACTS", REPO_ROOT / "test-artifacts"))
BLOCKING = ("serious", "critical")
MAX_TABS = 400
WIDTHS = {"desktop": 1280, "phone": 390}  # viewport widths each journey is taken at
# The page's width, the window's, and the innermost elements that stick out to the right (or
# whose content does).
TOO_WIDE = """
() => {
  const width = window.innerWidth;
  const out = e => e.getBoundingClientRect().right > width + 0.5
    || e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible';
  const wide = Array.from(document.querySelectorAll('body *'))
    .filter(e => out(e) && !Array.from(e.children).some(out))
    .slice(0, 5)
    .map(e => `<${e.tagName.toLowerCase()} class="${e.className}">`
      + ` ${e.textContent.trim().slice(0, 60)}`);
  return [document.documentElement.scrollWidth, width, wide];
}
"""
# Playwright's sync API keeps an event loop in this thread; the ORM is only used outside it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@dataclass
class Journey:
    """One user's visit: a page, what it fetched from elsewhere, and what axe found."""

    name: str
    base: str
    page: object
    context: object
    outside: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    shots: list[Path] = field(default_factory=list)

    # --- moving with the keyboard -------------------------------------------------------------

    def focus(self, locator: object) -> None:
        """Tab from the top of the page until `locator` has the focus (as a keyboard user)."""
        self.page.evaluate("document.activeElement && document.activeElement.blur()")
        handle = locator.element_handle()
        for _ in range(MAX_TABS):
            self.page.keyboard.press("Tab")
            if handle.evaluate("e => e === document.activeElement"):
                return
        raise AssertionError(f"{self.name}: {locator} cannot be reached with the Tab key")

    def press(self, locator: object, key: str = "Enter") -> None:
        self.focus(locator)
        self.page.keyboard.press(key)

    def type(self, locator: object, text: str) -> None:
        self.focus(locator)
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(text)

    def choose(self, select: object, value: str) -> None:
        """Pick an option of a <select> with the arrow keys."""
        self.focus(select)
        values = select.evaluate("s => Array.from(s.options).map(o => o.value)")
        here = values.index(select.input_value())
        step = "ArrowDown" if values.index(value) > here else "ArrowUp"
        for _ in range(abs(values.index(value) - here)):
            self.page.keyboard.press(step)
        assert select.input_value() == value

    def attach(self, file_input: object, path: Path) -> None:
        """Open the file chooser from the keyboard (Space on the file control) and pick a file.

        The page must have finished loading first; on a busy machine a keypress made while a
        new page settles can be lost, so the keyboard user tries again (three times at most)."""
        self.page.wait_for_load_state("load")
        for _ in range(3):
            self.focus(file_input)
            try:
                with self.page.expect_file_chooser(timeout=10_000) as chooser:
                    self.page.keyboard.press("Space")
            except PlaywrightTimeoutError:
                continue
            chooser.value.set_files(str(path))
            return
        raise AssertionError(f"{self.name}: the file control does not open from the keyboard")

    def download(self, link: object) -> Path:
        with self.page.expect_download() as event:
            self.press(link)
        target = ARTIFACTS / "downloads" / f"{self.name}-{event.value.suggested_filename}"
        target.parent.mkdir(parents=True, exist_ok=True)
        event.value.save_as(target)
        return target

    # --- checking and recording ---------------------------------------------------------------

    def visit(self, label: str) -> None:
        """Wait for the page to settle, check it fits and with axe, and save a screenshot."""
        self.page.wait_for_load_state("networkidle")
        self.fits(label)
        self.axe(label)
        self.shot(label)

    def fits(self, label: str) -> None:
        """The page does not scroll sideways at this width (else: what sticks out)."""
        scroll, width, wide = self.page.evaluate(TOO_WIDE)
        assert scroll <= width, f"{self.name}, {label}: {scroll} px wide in {width} px: {wide}"

    def shot(self, label: str) -> None:
        path = ARTIFACTS / "screenshots" / f"{self.name}-{len(self.shots) + 1:02d}-{label}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=True)
        self.shots.append(path)

    def axe(self, label: str) -> None:
        """No serious or critical axe-core violations in the page or any of its frames."""
        problems = []
        for frame in self.page.frames:
            if not frame.url.startswith(self.base):
                continue
            frame.add_script_tag(path=str(AXE))
            result = frame.evaluate(
                "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
                " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"
            )
            problems += [
                f"{frame.url}: {v['id']} ({v['impact']}): {v['help']} at {v['nodes']}"
                for v in result
                if v["impact"] in BLOCKING
            ]
        self.checked.append(f"{label}: {self.page.url}")
        assert problems == [], f"{self.name}, {label}: axe found\n" + "\n".join(problems)

    def sign_in(self, username: str) -> None:
        self.page.goto(f"{self.base}/accounts/login/")
        self.visit("sign-in")
        self.type(self.page.get_by_label("Username"), username)
        self.type(self.page.get_by_role("textbox", name="Password"), PASSWORD)
        self.press(self.page.get_by_role("button", name="Sign in"))
        self.page.wait_for_url(f"{self.base}/")
        self.visit("home")


@pytest.fixture(params=list(WIDTHS.values()), ids=list(WIDTHS))
def journey(chromium, live_server, request) -> Iterator[Journey]:
    context = chromium.new_context(
        viewport={"width": request.param, "height": 900},
        accept_downloads=True,
        bypass_csp=True,  # so axe can be injected into the map documents (CSP default-src 'none')
    )
    name = f"{request.node.originalname.removeprefix('test_')}-{request.param}"
    journey = Journey(name=name, base=live_server.url, page=None, context=context)

    def only_the_test_server(route: object) -> None:
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            journey.outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_test_server)
    journey.page = context.new_page()
    yield journey
    # Let the last page's requests finish before closing, as far as they will: a page that
    # keeps polling (a run's progress) never falls quiet, and that is not the journey failing.
    with contextlib.suppress(PlaywrightTimeoutError):
        journey.page.wait_for_load_state("networkidle", timeout=10_000)
    context.close()
    assert journey.outside == [], f"the pages tried to reach other hosts: {journey.outside}"


@pytest.fixture
def demo(db) -> None:
    """The demo county (transactional tests start from an empty database)."""
    demo_load()


@pytest.fixture
def tasks_in_process(monkeypatch) -> list[int]:
    """Imports and exports run in the request that queues them (as without Redis). Analyses are
    left queued: the test runs them, as a worker would, while the page watches."""
    queued: list[int] = []
    # Tasks go through `.delay` in this process even where Redis is configured (the PostgreSQL
    # pass): the real worker is covered by tests/test_worker.py.
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    monkeypatch.setattr(
        upload_tasks.import_upload, "delay", lambda pk: upload_tasks.import_upload.apply(args=(pk,))
    )
    monkeypatch.setattr(
        gap_tasks.export_chapter, "delay", lambda pk: gap_tasks.export_chapter.apply(args=(pk,))
    )

    def leave_queued(pk: int) -> SimpleNamespace:  # as a broker would: an id, nothing run yet
        queued.append(pk)
        return SimpleNamespace(id=f"queued-{pk}")

    monkeypatch.setattr(gap_tasks.run_gap_analysis, "delay", leave_queued)
    return queued


@pytest.fixture
def finished_run(demo, tasks_in_process):
    """The demo county's analysis, run as a worker would, after an analyst set the CAMHS
    caseload turnover (a test figure) so that two ambitions are computed."""
    gap_services.turnover_set(
        service_type="camhs", people_per_place=1.5, source="Journey test figure", user=None
    )
    run = gap_services.analysis_start(user=None)
    gap_services.analysis_claim(run_id=run.pk)
    gap_services.analysis_execute(run_id=run.pk)
    return run


def run_queued_analyses(queued: list[int]) -> None:
    """What a worker does with each queued run."""
    time.sleep(1.5)  # the page has polled at least once while the run was queued
    for run_id in queued:
        gap_services.analysis_claim(run_id=run_id)
        gap_services.analysis_execute(run_id=run_id)
