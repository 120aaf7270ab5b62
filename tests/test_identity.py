"""Whose site this is: its own name and the organisation's, and the NHS logo only for an NHS
body (settings.SITE_NAME, ORGANISATION_NAME, NHS_ORGANISATION)."""

import pytest
from django.template.loader import render_to_string
from django.test import override_settings
from django.urls import reverse

from tests.test_settings import PRODUCTION, run_python

pytestmark = pytest.mark.django_db
NHS_LOGO = 'aria-label="NHS"'
NHS_FAVICON = "nhsuk-frontend/assets/images/favicon"
PAGES = ["home", "needs:need", "provision:financial_mapping", "gapanalysis:norms"]


def _header(body: str) -> str:
    return body.split('<header class="nhsuk-header"')[1].split("</header>")[0]


def test_by_default_no_page_carries_the_nhs_logo(client, commissioner):
    client.force_login(commissioner)
    for name in PAGES:
        body = client.get(reverse(name)).content.decode()
        assert NHS_LOGO not in body and "<title>NHS</title>" not in body, name
        assert NHS_FAVICON not in body and "/static/img/favicon.svg" in body, name
        assert ">Mental health needs mapping</span>" in _header(body), name
    assert NHS_LOGO not in client.get(reverse("login")).content.decode()  # signed out too


@override_settings(
    SITE_NAME="Mental health needs and provision", ORGANISATION_NAME="Worcestershire County Council"
)
def test_the_site_and_organisation_names_are_shown(client, commissioner):
    client.force_login(commissioner)
    body = client.get(reverse("provision:financial_mapping")).content.decode()
    header = _header(body)
    assert ">Mental health needs and provision</span>" in header
    assert ">Worcestershire County Council</span>" in header
    assert "<title>Financial mapping – Mental health needs and provision</title>" in body
    assert "Mental health needs mapping" not in body
    assert NHS_LOGO not in body


@override_settings(NHS_ORGANISATION=True, ORGANISATION_NAME="Herefordshire and Worcestershire ICB")
def test_an_nhs_organisation_carries_the_nhs_logo(client, commissioner):
    client.force_login(commissioner)
    for name in PAGES:
        header = _header(client.get(reverse(name)).content.decode())
        assert NHS_LOGO in header and "<title>NHS</title>" in header, name
        assert 'aria-label="NHS Mental health needs mapping, Herefordshire and Worcestershire' in (
            header
        )


@override_settings(
    SITE_NAME='Needs <script>alert("x")</script>', ORGANISATION_NAME="Smith & Jones <b>Council</b>"
)
def test_names_are_escaped(client, commissioner):
    client.force_login(commissioner)
    body = client.get(reverse("home")).content.decode()
    assert "<script>alert" not in body and "<b>Council</b>" not in body
    assert "Needs &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in _header(body)
    assert "Smith &amp; Jones &lt;b&gt;Council&lt;/b&gt;" in _header(body)


@override_settings(SITE_NAME="Mental health needs and provision", ORGANISATION_NAME="Wyvern")
def test_the_unavailable_page_names_the_site_without_a_request():
    body = render_to_string("503.html")  # no request or context processors: the database is down
    assert "Mental health needs and provision cannot reach its database" in body
    assert ">Wyvern</span>" in body and NHS_LOGO not in body


def _settings_from(env: dict[str, str]) -> list[str]:
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'jsna.settings'; "
        "from django.conf import settings as s; "
        "print(repr(s.SITE_NAME)); print(repr(s.ORGANISATION_NAME)); print(s.NHS_ORGANISATION)"
    )
    result = run_python(["-c", code], {**PRODUCTION, **env})
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_the_settings_come_from_the_environment():
    assert _settings_from({}) == ["'Mental health needs mapping'", "''", "False"]
    assert _settings_from(
        {"SITE_NAME": "  ", "ORGANISATION_NAME": " Wyvern Council ", "NHS_ORGANISATION": "1"}
    ) == ["'Mental health needs mapping'", "'Wyvern Council'", "True"]  # blank name: the default
