"""Malformed input never makes a server error: every URL pattern (Django's admin included), with
hostile values in each path segment and in every parameter a view or form reads, GET and POST,
signed out and as each role (and the admin's pages, GET, as a superuser). A refusal (400, 403,
404, 405, a redirect, a form with errors) is right; a 500 or an exception escaping a view is a bug.

The parameter names are found, not listed: every field of every form in the apps, and every
`request.GET/POST.get("…")` in their views — a new form field or parameter is fuzzed unasked.
"""

import importlib
import re
import time
from urllib.parse import quote

import pytest
from django import forms
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from tests.conftest import REPO_ROOT
from tests.test_url_permissions import ACCESS, objects, url_args  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db
APPS = ("jsna", "needs", "provision", "recorded", "gapanalysis", "uploads", "audit")

# Path segments, as they appear in the URL (percent-encoded where a browser would encode).
HOSTILE_SEGMENTS = [
    "abc",
    "-1",
    "0",
    "9" * 30,  # beyond any database integer
    "%00",
    "x" * 3000,
    quote("é漢字🙂\u202e"),
    "..%2F..%2Fetc%2Fpasswd",
    "%FF%FE",  # not UTF-8
    "1.5",
]
# The admin has ~100 path arguments: a sample (a word, a huge number, NUL, length, unicode).
ADMIN_SEGMENTS = [HOSTILE_SEGMENTS[i] for i in (0, 3, 4, 5, 6)]
# Parameter values, as the server decodes them.
HOSTILE_VALUES = [
    "abc",
    "-1",
    "0",
    "9" * 30,
    "\x00",
    "x" * 30_000,
    "é漢字🙂\u202e",
    "../../etc/passwd",
    "1e309",
    "",
]
READ = re.compile(r"request\.(?:GET|POST)\.(?:get|getlist)\(\s*\"([^\"{]+)\"")
SLOT = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>(?:[^()]|\([^()]*\))*\)")


def parameter_names() -> list[str]:
    names: set[str] = {"next", "page", "o", "q", "p", "e", "_changelist_filters"}
    for app in APPS:
        for source in (REPO_ROOT / app).rglob("*.py"):
            names |= set(READ.findall(source.read_text()))
        if (REPO_ROOT / app / "forms.py").exists():
            module = importlib.import_module(f"{app}.forms")
            for value in vars(module).values():
                if isinstance(value, type) and issubclass(value, forms.BaseForm):
                    names |= set(value.base_fields)
    return sorted(names)


def url_templates() -> list[tuple[str, str]]:
    """(url name, route with `{}` for each path argument), for every pattern."""

    def walk(patterns: list, prefix: str, namespace: str | None) -> list[tuple[str, str]]:
        found = []
        for pattern in patterns:
            route = str(pattern.pattern)
            if not isinstance(pattern.pattern, RoutePattern):  # a regex: its literal text
                route = route.removeprefix("^").removesuffix("$").replace("\\", "")
            route = SLOT.sub("{}", route)
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or namespace
                found += walk(pattern.url_patterns, prefix + route, inner)
            else:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                found.append((name or f"unnamed {prefix}{route}", prefix + route))
        return found

    return walk(get_resolver().url_patterns, "/", None)


def calls_for(
    name: str, template: str, role: str, names: list[str], made: dict
) -> list[tuple[str, str, dict[str, str]]]:
    """(method, url, data) to send. A role the page is open to gets every hostile segment and
    value; a role it refuses (and the signed-out visitor) gets a sample, enough to show the
    refusal comes before anything reads the input."""
    slots = template.count("{}")
    if name.startswith("admin:"):
        return admin_calls(template, slots, role, names)
    valid = [str(arg) for arg in url_args(name, made)] if slots else []
    valid = valid if len(valid) == slots else ["1"] * slots
    _, allowed = ACCESS.get(
        name, ("get", {"signed out", "outsider", "analyst", "commissioner", "jsna_manager"})
    )
    full = role in allowed or name in ("login", "logout")
    segments = HOSTILE_SEGMENTS if full else HOSTILE_SEGMENTS[:1]
    values = HOSTILE_VALUES if full else HOSTILE_VALUES[4:6]
    urls = [template.format(*valid)]
    for slot in range(slots):
        for segment in segments:
            urls.append(template.format(*valid[:slot], segment, *valid[slot + 1 :]))
    calls = [(method, url, {}) for url in urls for method in ("get", "post")]
    for value in values:
        data = {key: value for key in names}
        calls += [("get", urls[0], data), ("post", urls[0], data)]
        if full:  # again with the choices that open a view's other branches valid
            calls.append(("post", urls[0], data | companions(made)))
    return calls


def admin_calls(
    template: str, slots: int, role: str, names: list[str]
) -> list[tuple[str, str, dict[str, str]]]:
    """Django's admin: staff get hostile segments and a sample of values, read only (a
    POST there changes data, and Django tests its own forms); the roles, who are not staff,
    only show they are turned away."""
    base = template.format(*["1"] * slots)
    if role != "staff":
        return [("get", base, {})]
    calls = [("get", base, {})]
    for slot in range(slots):
        for segment in ADMIN_SEGMENTS:
            parts = ["1"] * slots
            parts[slot] = segment
            calls.append(("get", template.format(*parts), {}))
    for value in (HOSTILE_VALUES[0], HOSTILE_VALUES[3], HOSTILE_VALUES[5]):
        calls.append(("get", base, {key: value for key in names}))
    return calls


def companions(made: dict) -> dict[str, str]:
    """Valid values for the parameters a view branches on, so the hostile values in the rest
    reach the code behind the branch (saving a chapter template, starting a run…)."""
    return {"action": "save", "sections": "summary", "scheme": str(made["run"].locality_scheme_id)}


def test_the_walk_finds_every_pattern_and_the_parameters():
    names = {name for name, _ in url_templates()}
    assert {"gapanalysis:locality_map", "uploads:confirm", "login", "admin:index"} <= names
    assert dict(url_templates())["gapanalysis:locality_map"] == (
        "/runs/{}/localities/{}/map/{}/{}/"
    )
    assert {"a", "b", "fmt", "introduction", "name", "source_url"} <= set(parameter_names())


def test_no_malformed_input_makes_a_server_error(
    objects,  # noqa: F811
    analyst,
    commissioner,
    jsna_manager,
    outsider,
    django_user_model,
):
    started = time.process_time()
    staff = django_user_model.objects.create_superuser("fuzz-admin", password=None)
    personas: dict[str, User | None] = {
        "signed out": None,
        "outsider": outsider,
        "analyst": analyst,
        "commissioner": commissioner,
        "jsna_manager": jsna_manager,
        "staff": staff,
    }
    names = parameter_names()
    problems: list[str] = []
    requests = 0
    for role, user in personas.items():
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        for name, template in url_templates():
            if role == "staff" and not name.startswith("admin:"):
                continue  # a superuser holds every permission: the analyst's pages again
            for method, url, data in calls_for(name, template, role, names, objects):
                response = getattr(client, method)(url, data)
                requests += 1
                if response.status_code >= 500 or response.exc_info:
                    error = response.exc_info[1] if response.exc_info else ""
                    shown = (
                        f" ({next(iter(data.values()))[:20]!r} in every parameter)" if data else ""
                    )
                    problems.append(
                        f"{role} {method.upper()} {url[:100]}{shown}: "
                        f"{response.status_code} {error!r:.200}"
                    )
                if user is not None and name in ("login", "logout"):
                    client.force_login(user)  # a POST to the logout page signs out
    elapsed = time.process_time() - started
    assert not problems, f"{len(problems)} of {requests} requests failed:\n" + "\n".join(problems)
    # How long the walk takes is printed, not asserted: speed is measured in bench/, not here.
    print(f"{requests} requests in {elapsed:.1f} s of CPU")  # shown with pytest -rP


def test_a_forged_host_header_is_a_400_in_the_site_layout(client, analyst):
    client.force_login(analyst)
    response = client.get("/maps/", HTTP_HOST="evil.example.org")
    assert response.status_code == 400
    assert "There is a problem with the address" in response.content.decode()


def test_a_bad_comparison_says_what_to_choose(client, analyst):
    client.force_login(analyst)
    response = client.get("/runs/compare/", {"a": "abc", "b": "1"})
    assert response.status_code == 400
    assert "Choose two analysis runs" in response.content.decode()


def test_a_nul_byte_in_the_address_or_a_form_is_a_400(
    client,
    analyst,
    jsna_manager,
    objects,  # noqa: F811
):
    client.force_login(jsna_manager)
    run = objects["run"].pk
    response = client.get(f"/runs/{run}/localities/E07%0000234/")
    assert response.status_code == 400
    assert "The request contains a NUL character" in response.content.decode()
    assert client.get("/need/", {"condition": "c\x00md"}).status_code == 400
    chapter = f"/runs/{run}/chapter/"
    plain = "action=save&sections=summary&introduction=a%00b"  # as a browser's form sends it
    response = client.post(chapter, plain, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    multipart = client.post(
        chapter, {"action": "save", "sections": "summary", "introduction": "a\x00b"}
    )
    assert multipart.status_code == 400
    assert "The introduction contains a NUL character" in multipart.content.decode()
    client.force_login(analyst)
    start = client.post("/runs/start/", {"norms": ["cmd\x00"]})
    assert start.status_code == 400
    assert "Choose the ambitions from the list" in start.content.decode()
