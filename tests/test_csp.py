"""Every response carries a Content-Security-Policy: application pages run script files from this
site only (no inline script, style or handler); map documents run folium's inline scripts by a
nonce made for each response, in a sandbox that cannot reach the page that frames them."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from jsna.csp import APP_POLICY
from tests import test_url_permissions
from tests.conftest import REPO_ROOT
from tests.test_url_permissions import ACCESS, url_of

pytestmark = pytest.mark.django_db
MAP_DOCUMENTS = {
    "gapanalysis:locality_map",
    "gapanalysis:run_map_document",
    "needs:need_map",
    "provision:sites_map",
}
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


# The fixture with one of everything a URL names (a finished run, an export, an upload…).
objects = test_url_permissions.objects


def policy(response) -> dict[str, list[str]]:
    """The response's policy as directive → sources."""
    directives = [d.split() for d in response["Content-Security-Policy"].split(";") if d.strip()]
    return {d[0]: d[1:] for d in directives}


def assert_application_policy(found: dict[str, list[str]], where: str) -> None:
    assert found["script-src"] == ["'self'"], where
    assert found["style-src"] == ["'self'"], where
    assert found["object-src"] == ["'none'"], where
    assert found["base-uri"] == ["'self'"], where
    assert found["form-action"] == ["'self'"], where
    assert found["frame-ancestors"] == ["'none'"], where


def test_the_sign_in_page_has_the_application_policy(client):
    response = client.get(reverse("login"))
    assert response["Content-Security-Policy"] == APP_POLICY
    assert_application_policy(policy(response), "login")


def test_every_page_of_every_role_has_the_application_policy(
    client, objects, analyst, commissioner, jsna_manager
):
    seen = 0
    for user in (analyst, commissioner, jsna_manager):
        client.force_login(user)
        for name, (method, allowed) in ACCESS.items():
            if name in MAP_DOCUMENTS or user.groups.get().name not in allowed:
                continue
            response = getattr(client, method)(url_of(name, objects))
            assert_application_policy(policy(response), f"{user} {name}")
            seen += 1
    assert seen > 50


def test_refusals_and_redirects_have_the_policy_too(client, commissioner):
    client.force_login(commissioner)
    refused = client.get(reverse("uploads:new"))
    assert refused.status_code == 403
    assert refused["Content-Security-Policy"] == APP_POLICY
    client.logout()
    assert client.get(reverse("home"))["Content-Security-Policy"] == APP_POLICY


def test_map_documents_run_only_their_own_scripts_in_a_sandbox(client, commissioner, objects):
    client.force_login(commissioner)
    for name in sorted(MAP_DOCUMENTS):
        url = url_of(name, objects)
        first, second = client.get(url), client.get(url)
        found = policy(first)
        nonce = next(s for s in found["script-src"] if s.startswith("'nonce-"))[7:-1]
        assert found["script-src"] == ["'self'", f"'nonce-{nonce}'"], name
        assert found["sandbox"] == ["allow-scripts"], name  # opaque: no allow-same-origin
        assert found["default-src"] == ["'none'"] and found["object-src"] == ["'none'"], name
        assert found["frame-ancestors"] == ["'self'"] and found["form-action"] == ["'none'"]
        tags = SCRIPT_TAG.findall(first.content.decode())
        assert tags and all(f'nonce="{nonce}"' in attributes for attributes in tags), name
        assert policy(second)["script-src"] != found["script-src"], name  # a nonce each time


def test_pages_frame_maps_in_a_sandbox(client, commissioner):
    client.force_login(commissioner)
    body = client.get(reverse("provision:service_mapping")).content.decode()
    frames = re.findall(r"<iframe\b[^>]*>", body)
    assert frames and all('sandbox="allow-scripts"' in frame for frame in frames)


# The project's own templates: not the virtual environment's, nor mutmut's copy (mutants/).
TEMPLATES = sorted(
    p
    for p in REPO_ROOT.glob("**/templates/**/*.html")
    if not {".venv", "mutants"} & set(p.relative_to(REPO_ROOT).parts)
)
# The exported chapter is a file of its own, with its own policy in a <meta> tag.
EXPORT_TEMPLATE = Path("gapanalysis/templates/gapanalysis/chapter.html")


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_no_template_has_inline_script_style_or_handlers(template):
    text = template.read_text()
    if template.relative_to(REPO_ROOT) == EXPORT_TEMPLATE:
        assert 'http-equiv="Content-Security-Policy" content="default-src \'none\';' in text
        return
    assert [a for a in SCRIPT_TAG.findall(text) if "src=" not in a] == []
    assert re.findall(r"<style\b|\sstyle=|\son[a-z]+=|javascript:", text, re.IGNORECASE) == []
