"""Every URL pattern × every role: allowed roles get through, the others get 403, and a visitor
who is not signed in is sent to the login page. The table below is the specification: a new URL
pattern fails `test_every_url_pattern_is_in_the_table` until someone decides who may use it.

Pages also hide what a role may not do: the buttons and links to those URLs are not shown.
"""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from gapanalysis.exports import export_execute, export_start
from gapanalysis.models import AnalysisRun
from gapanalysis.services import analysis_claim, analysis_execute, analysis_start
from needs.models import DatasetVersion
from provision.models import Service
from uploads.services import upload_create

pytestmark = pytest.mark.django_db
TT = "talking_therapies_access"
EVERYONE = {"analyst", "commissioner", "jsna_manager"}
ANALYST = {"analyst"}
MANAGER = {"jsna_manager"}
PUBLIC = {"login", "logout", "healthz"}  # healthz: for probes, no data (tests/faults)

# url name → (method, roles allowed). Everyone signed in may see the home page.
ACCESS: dict[str, tuple[str, set[str]]] = {
    "home": ("get", EVERYONE | {"outsider"}),
    "gapanalysis:latest_map": ("get", EVERYONE),
    "gapanalysis:run_start": ("post", ANALYST),
    "gapanalysis:run_detail": ("get", EVERYONE),
    "gapanalysis:run_progress": ("get", EVERYONE),
    "gapanalysis:run_cancel": ("post", ANALYST),
    "gapanalysis:run_compare": ("get", EVERYONE),
    "gapanalysis:chapter": ("get", MANAGER),
    "gapanalysis:export_download": ("get", MANAGER),
    "gapanalysis:norms": ("get", EVERYONE),
    "gapanalysis:norm_new": ("get", ANALYST),
    "gapanalysis:turnover": ("get", EVERYONE),
    "gapanalysis:locality": ("get", EVERYONE),
    "gapanalysis:locality_download": ("get", EVERYONE),
    "gapanalysis:locality_map": ("get", EVERYONE),
    "gapanalysis:run_map_document": ("get", EVERYONE),
    "needs:need": ("get", EVERYONE),
    "needs:need_map": ("get", EVERYONE),
    "needs:need_download": ("get", EVERYONE),
    "recorded:outcomes": ("get", EVERYONE),
    "recorded:outcomes_locality": ("get", EVERYONE),
    "provision:service_mapping": ("get", EVERYONE),
    "provision:sites_map": ("get", EVERYONE),
    "provision:service_new": ("get", ANALYST),
    "provision:service_edit": ("get", ANALYST),
    "provision:financial_mapping": ("get", EVERYONE),
    "uploads:list": ("get", EVERYONE),
    "uploads:new": ("get", ANALYST),
    "uploads:detail": ("get", EVERYONE),
    "uploads:confirm": ("post", ANALYST),
    "uploads:map_columns": ("post", ANALYST),
    "uploads:map_values": ("post", ANALYST),
    "uploads:progress": ("get", EVERYONE),
    "uploads:services_template": ("get", ANALYST),
    "uploads:version_retire": ("post", ANALYST),
}


def url_names() -> set[str]:
    def walk(patterns: list, namespace: str | None) -> set[str]:
        names = set()
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace != "admin":  # Django's own, staff only
                    names |= walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
        return names

    return walk(get_resolver().url_patterns, None)


@pytest.fixture
def objects(analyst, jsna_manager, django_capture_on_commit_callbacks) -> dict[str, object]:
    """One of everything a URL can name, so every pattern can be reversed and answered."""
    with django_capture_on_commit_callbacks(execute=False):
        run = analysis_start(user=None)
    analysis_claim(run_id=run.pk)
    analysis_execute(run_id=run.pk)
    run = AnalysisRun.objects.get(pk=run.pk)
    with django_capture_on_commit_callbacks(execute=False):
        export = export_start(run=run, fmt="html", user=jsna_manager)
    export_execute(export_id=export.pk)
    locality = run.results.filter(level="locality").first().unit_code
    upload = upload_create(
        kind="rates",
        uploaded=SimpleUploadedFile("rates.csv", b"not,a,rates,file\n1,2,3,4\n"),
        options={},
        user=analyst,
    )
    return {
        "run": run,
        "export": export,
        "locality": locality,
        "service": Service.objects.first(),
        "upload": upload,
        "version": DatasetVersion.objects.first(),
    }


def url_args(name: str, o: dict) -> list:
    """The arguments that reverse `name` to a page about the objects `o` (none for most)."""
    run, locality = o["run"].pk, o["locality"]
    return {
        "gapanalysis:run_detail": [run],
        "gapanalysis:run_progress": [run],
        "gapanalysis:run_cancel": [run],
        "gapanalysis:chapter": [run],
        "gapanalysis:export_download": [o["export"].pk],
        "gapanalysis:locality": [run, locality],
        "gapanalysis:locality_download": [run, locality],
        "gapanalysis:locality_map": [run, locality, TT, "need"],
        "gapanalysis:run_map_document": [run, TT, "need"],
        "needs:need_download": ["csv"],
        "recorded:outcomes_locality": [locality],
        "provision:service_edit": [o["service"].pk],
        "uploads:detail": [o["upload"].pk],
        "uploads:confirm": [o["upload"].pk],
        "uploads:map_columns": [o["upload"].pk],
        "uploads:map_values": [o["upload"].pk],
        "uploads:progress": [o["upload"].pk],
        "uploads:services_template": ["csv"],
        "uploads:version_retire": [o["version"].pk],
    }.get(name, [])


def url_of(name: str, o: dict) -> str:
    return reverse(name, args=url_args(name, o))


def test_every_url_pattern_is_in_the_table():
    assert url_names() - PUBLIC == set(ACCESS)


def test_each_role_is_let_in_or_refused_at_every_url(
    client, objects, analyst, commissioner, jsna_manager, outsider
):
    """One test over the whole table (the fixture builds a finished run once), listing every
    mismatch rather than stopping at the first."""
    users = {
        "analyst": analyst,
        "commissioner": commissioner,
        "jsna_manager": jsna_manager,
        "outsider": outsider,
    }
    problems = []
    for name, (method, allowed) in sorted(ACCESS.items()):
        url = url_of(name, objects)
        for role, user in users.items():
            client.force_login(user)
            status = getattr(client, method)(url).status_code
            expected = (200, 302) if role in allowed else (403,)
            if status not in expected:
                problems.append(f"{role} {method.upper()} {url} ({name}): {status}")
        client.logout()
        if name != "home":
            response = getattr(client, method)(url)
            if response.status_code != 302 or "/accounts/login/" not in response["Location"]:
                problems.append(f"signed out {method.upper()} {url}: {response.status_code}")
    assert problems == []


BUTTONS = [  # (page, text of a control only some roles may use, roles who see it)
    ("uploads:list", "Upload a file", ANALYST),
    ("home", "Load data", ANALYST),
    ("gapanalysis:latest_map", "Run a new analysis", ANALYST),
    ("gapanalysis:latest_map", "Export the JSNA chapter", MANAGER),
    ("gapanalysis:norms", "Add a local norm", ANALYST),
    ("gapanalysis:turnover", "Set the turnover for", ANALYST),
    ("provision:service_mapping", "Add a service", ANALYST),
]


def test_a_role_does_not_see_what_it_may_not_do(
    client, objects, analyst, commissioner, jsna_manager
):
    users = {"analyst": analyst, "commissioner": commissioner, "jsna_manager": jsna_manager}
    problems = []
    for page, text, allowed in BUTTONS:
        for role, user in users.items():
            client.force_login(user)
            body = client.get(reverse(page)).content.decode()
            if (text in body) != (role in allowed):
                problems.append(
                    f"{role} on {page}: {text!r} {'shown' if text in body else 'hidden'}"
                )
    assert problems == []


def test_a_service_edit_by_a_commissioner_changes_nothing(client, commissioner, objects):
    service = objects["service"]
    client.force_login(commissioner)
    url = reverse("provision:service_edit", args=[service.pk])
    assert client.post(url, {"annual_spend": "1"}).status_code == 403
    service.refresh_from_db()
    assert service.annual_spend != Decimal("1")
