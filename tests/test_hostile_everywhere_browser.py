"""Hostile text in every field a user can set, then every page, map and export in Chromium.

The corpus (tests/hostile_text.py: script tags, `${…}`, back-ticks, `javascript:`, a formula,
control characters, a very long string) goes in through the real forms and uploads where a user
types or uploads it: a localities upload (the scheme's and every locality's name, the file's
name), a norm (name, labels, source), services (name, provider, source, site name) and the
chapter's introduction. Fields that only a larger upload sets (area names from boundary files,
condition names and rate sources from a rates file, the dataset's file name) are written on the
rows directly, as those imports would leave them; a rates file that fails its checks brings its
hostile name and cells back in the reasons shown. Then an analysis runs on the hostile
localities, and Chromium opens every page (each once, as the first of analyst, JSNA manager and
commissioner allowed to see it) with every map in its frame drawn and every tooltip open, every
stored map of the run on its own, and the chapter exports. Any dialog, page error, console error
(a Content-Security-Policy refusal is one), blank map or request to another host fails the test.
"""

import io
import re
import subprocess
import zipfile

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from docx import Document
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from gapanalysis.models import ChapterExport, Norm
from needs import selectors as needs_selectors
from needs.models import Area, Condition, DatasetVersion, LocalityScheme, PrevalenceRate
from provision import selectors as provision_selectors
from provision.forms import ServiceForm
from provision.models import Service, ServiceSite
from tests.conftest import run_in_process, tasks_here
from tests.hostile_text import HOSTILE, STORABLE
from tests.not_pages import NOT_PAGES
from tests.test_hostile_map_browser import ORIGIN, PROBE, Visit, _key, words
from tests.test_url_permissions import ACCESS, url_of
from uploads.models import Upload

pytestmark = [pytest.mark.django_db, pytest.mark.browser]

INTRODUCTION = "\n".join(HOSTILE).replace("\x00", "")
# The hostile text as it must read in a document once control characters are gone.
SHOWN = ("<script>alert(1)</script>", "${alert(1)}", "`;alert(1);`", "javascript:alert(1)")


def name(i: int, limit: int = 200) -> str:
    return STORABLE[i % len(STORABLE)][-limit:]


class Browse(Visit):
    """A Visit that also fails on a Content-Security-Policy refusal logged as a warning, and
    fetches the documents of a page's frames before Chromium asks for them."""

    def console(self, message: object) -> None:
        if message.type == "error" or "Refused to" in message.text:
            self.problems.append(f"console {message.type}: {message.text}")

    def open(self, path: str) -> None:
        """As Visit.open, without waiting for the network to be idle: the map frames are
        waited for one by one."""
        if _key(path) not in self.responses:
            self.fetch(path)
        self.page.goto(ORIGIN + path, wait_until="load")

    def page_with_maps(self, path: str) -> list[dict]:
        """Open a page, draw each of its map frames and open every tooltip in each (a map
        document opened on its own is its own only map)."""
        body = self.fetch(path)
        if "leaflet.js" in body:
            self.open(path)
            found = [self.probe()]
            if not found[-1]["shapes"] and not found[-1]["clustered"]:
                self.problems.append(f"{path}: a blank map")
            return found
        for src in re.findall(r'<iframe[^>]* src="([^"]+)"', body):
            self.fetch(src.replace("&amp;", "&"))
        for src in re.findall(r'<script[^>]* src="(/[^"]+)"', body):  # the admin's jsi18n
            if not src.startswith(settings.STATIC_URL):
                self.fetch(src)
        self.open(path)
        found = []
        frames = self.page.locator("iframe.jsna-map-frame")
        for i in range(frames.count()):
            frames.nth(i).scroll_into_view_if_needed()  # lazy loaded
            try:
                self.page.frame_locator("iframe.jsna-map-frame").nth(i).locator(
                    ".leaflet-container"
                ).wait_for(timeout=10_000)
            except PlaywrightTimeout:
                self.problems.append(f"{path}: map {i} never drew")
                continue
            frame = frames.nth(i).element_handle().content_frame()
            found.append(frame.evaluate(PROBE))
            if not found[-1]["shapes"] and not found[-1]["clustered"]:
                self.problems.append(f"{path}: map {i} is blank")
        return found


def upload_and_import(client, kind: str, filename: str, content: bytes, **options) -> Upload:
    response = client.post(
        reverse("uploads:new"),
        {"kind": kind, "file": SimpleUploadedFile(filename, content), **options},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    upload = Upload.objects.latest("pk")
    with tasks_here(), TestCase.captureOnCommitCallbacks(execute=True):  # the import, here
        client.post(reverse("uploads:confirm", args=[upload.pk]))
    upload.refresh_from_db()
    return upload


def hostile_localities(client) -> LocalityScheme:
    """The default scheme's localities again, uploaded under hostile names."""
    scheme = needs_selectors.default_locality_scheme()
    rows = ["lsoa21_code,locality_code,locality_name"]
    for i, locality in enumerate(scheme.localities.order_by("code")):
        unique = name(i) if i < len(STORABLE) else f"{i} {name(i)}"[:200]
        quoted = '"' + unique.replace('"', '""') + '"'
        for area_code in locality.areas.values_list("code", flat=True):
            rows.append(f"{area_code},hostile-{i},{quoted}")
    upload = upload_and_import(
        client,
        "localities",
        "<script>alert(1)<\\script>${alert(1)}`.csv",
        "\r\n".join(rows).encode(),
        scheme_name=name(0),
    )
    assert upload.status == "imported", upload.error
    return LocalityScheme.objects.latest("pk")


def hostile_norm(client) -> Norm:
    model = Norm.objects.get(code="talking_therapies_access")  # a norm the demo can compute
    response = client.post(
        reverse("gapanalysis:norm_new"),
        {
            "code": "hostile",
            "name": name(1, 300),
            "condition": model.condition_id,
            "service_types": model.service_types,
            "measure": model.measure,
            "age_min": model.age_min,
            "age_max": model.age_max if model.age_max is not None else "",
            "capacity_units": model.capacity_units,
            "measure_source": name(6),
            "people_label": name(2, 100),
            "capacity_label": name(3),
            "action": name(4, 100),
            "source": name(5),
            "share_percent": "10",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return Norm.objects.get(code="hostile")


def hostile_services(client) -> None:
    """Every service the norms count, renamed through the service form."""
    year = provision_selectors.latest_financial_year()
    counted = {t for norm in Norm.objects.all() for t in norm.service_types}
    services = Service.objects.filter(financial_year=year, service_type__in=counted)
    for i, service in enumerate(services.order_by("code")):
        form = ServiceForm(instance=service)
        data = {field: form[field].value() for field in form.fields}
        data = {k: v for k, v in data.items() if v is not None}
        data |= {"name": name(i, 300), "provider": name(i + 1, 300), "source": name(i + 2, 300)}
        if data.get("site_lon") is not None:
            data["site_name"] = name(i + 3, 300)
        response = client.post(reverse("provision:service_edit", args=[service.pk]), data)
        assert response.status_code == 302, (service.code, response.context["form"].errors)


def hostile_rows() -> None:
    """What only a larger upload sets, written as that import would leave it."""
    for i, area in enumerate(Area.objects.order_by("pk")):
        area.name = name(i)
        area.save(update_fields=["name"])
    for i, condition in enumerate(Condition.objects.order_by("pk")):
        condition.name, condition.description, condition.group = name(i), name(i + 1), name(i, 40)
        condition.save(update_fields=["name", "description", "group"])
    PrevalenceRate.objects.update(source=name(6, 300), source_table=name(7), notes=name(8))
    DatasetVersion.objects.update(original_name=name(0, 300))
    ServiceSite.objects.filter(name="").update(name=name(3, 300))
    Norm.objects.filter(code="hostile").update(source_url="javascript:alert(1)")


def hostile_county(client, analyst) -> dict:
    client.force_login(analyst)
    scheme = hostile_localities(client)
    hostile_norm(client)
    hostile_services(client)
    hostile_rows()
    # A file refused by its checks: its name and cells come back in the reasons.
    upload_and_import(client, "rates", f"{name(0, 60)}.csv", INTRODUCTION.encode() + b"\n1,2,3")
    run = run_in_process(scheme=scheme)
    assert run.status == "succeeded", run.error
    return run


def chapter_exports(client, run, jsna_manager) -> dict[str, ChapterExport]:
    """The chapter with a hostile introduction, exported in every format (the sections that
    show names: statements, the gap tables and the sources)."""
    client.force_login(jsna_manager)
    url = reverse("gapanalysis:chapter", args=[run.pk])
    sections = ["summary", "gap", "sources"]
    client.post(url, {"action": "save", "sections": sections, "introduction": INTRODUCTION})
    with tasks_here(), TestCase.captureOnCommitCallbacks(execute=True):  # the exports, here
        for fmt in ("html", "docx", "pdf"):
            client.post(url, {"fmt": fmt})
    done = {e.fmt: e for e in ChapterExport.objects.filter(run=run)}
    assert {fmt: e.status for fmt, e in done.items()} == dict.fromkeys(
        ("html", "docx", "pdf"), "succeeded"
    ), {e.fmt: e.error for e in done.values()}
    return done


def pages_of(objects: dict) -> list[tuple[str, str]]:
    """(role, page) for every page, each once, as the first role that may see it."""
    pages = []
    for url_name, (method, allowed) in sorted(ACCESS.items()):
        if method == "get" and url_name not in NOT_PAGES:
            role = next(r for r in ("analyst", "jsna_manager", "commissioner") if r in allowed)
            if url_name == "recorded:outcomes_locality":
                # The outcomes pages are the default scheme's (the districts), not the hostile
                # scheme's: a locality of that scheme (its hostile names are escaped in
                # tests/recorded/test_outcomes_page.py).
                scheme = needs_selectors.default_locality_scheme()
                code = scheme.localities.order_by("code").first().code
                pages.append((role, reverse(url_name, args=[code])))
                continue
            pages.append((role, url_of(url_name, objects)))
    return pages


def browse_everything(chromium, client, users: dict, objects: dict) -> tuple[list, set, int]:
    """Every page, each map in its frame, and every stored map of the run opened on its own:
    the problems seen, every tooltip's text, and how many maps drew."""
    run = objects["run"]
    pages = pages_of(objects)
    pages += [
        ("commissioner", reverse("gapanalysis:run_map_document", args=[run.pk, norm, kind]))
        for norm, kind in run.maps.values_list("norm_code", "kind")
    ]
    service = objects["service"].pk
    pages += [  # Django's admin, staff only, shows the same names
        ("admin", reverse("admin:index")),
        ("admin", reverse("admin:provision_service_changelist")),
        ("admin", reverse("admin:provision_service_change", args=[service])),
        ("admin", reverse("admin:needs_locality_changelist")),
    ]
    problems, tooltips, maps = [], set(), 0
    for role in ("analyst", "jsna_manager", "commissioner", "admin"):
        client.force_login(users[role])
        browse = Browse(chromium, client)
        for path in (path for r, path in pages if r == role):
            for found in browse.page_with_maps(path):
                maps += 1
                tooltips |= {words(t) for t in found["texts"]}
            problems += [f"{role} {path}: {p}" for p in browse.problems]
            browse.problems.clear()
        browse.close()
    return problems, tooltips, maps


def check_exports(chromium, client, exports: dict[str, ChapterExport]) -> None:
    html = exports["html"].file.open("rb").read().decode()
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    browse = Browse(chromium, client)
    browse.provide("/chapter.html", html)
    browse.open("/chapter.html")
    text = browse.page.inner_text("body")
    browse.close()
    assert browse.problems == []
    assert all(s in text for s in SHOWN), text[:2000]

    with exports["docx"].file.open("rb") as file:
        content = file.read()
    text = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
    assert all(s in text for s in SHOWN)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:  # nothing that runs: no macros
        assert not [n for n in archive.namelist() if "vbaProject" in n or n.endswith(".bin")]

    pdf = exports["pdf"].file.path
    text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, check=True).stdout.decode()
    assert all(words(s) in words(text) for s in SHOWN), text[:2000]


def check_downloads(client, run) -> None:
    unit = run.results.filter(level="locality").first().unit_code
    for url in (
        reverse("gapanalysis:locality_download", args=[run.pk, unit]),
        reverse("needs:need_download", args=["csv"]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Disposition"].startswith("attachment"), url
        assert not response["Content-Type"].startswith("text/html"), url


def test_hostile_text_everywhere_runs_no_script_and_every_map_draws(
    chromium, client, analyst, commissioner, jsna_manager, admin_user
):
    run = hostile_county(client, analyst)
    exports = chapter_exports(client, run, jsna_manager)
    objects = {
        "run": run,
        "export": exports["html"],
        "locality": run.results.filter(level="locality").first().unit_code,
        "service": Service.objects.order_by("code").first(),
        "upload": Upload.objects.latest("pk"),
        "version": DatasetVersion.objects.first(),
    }
    users = {
        "analyst": analyst,
        "commissioner": commissioner,
        "jsna_manager": jsna_manager,
        "admin": admin_user,
    }
    problems, tooltips, maps = browse_everything(chromium, client, users, objects)
    assert problems == []
    norms = len(set(run.maps.values_list("norm_code", flat=True)))
    # The run's maps, and on the pages: the latest map, a locality's two maps of every norm,
    # the need map and the sites map.
    assert maps == run.maps.count() + 1 + 2 * norms + 2
    # Every locality's hostile name was shown, as text, in a tooltip.
    names = {words(n) for n in run.results.values_list("unit_name", flat=True)}
    assert {n for n in names if not any(n in t for t in tooltips)} == set()
    check_exports(chromium, client, exports)
    check_downloads(client, run)
