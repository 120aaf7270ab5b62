"""/healthz: for the deployment's probes, no login, no sensitive detail: 200 when the database
and the broker answer, 503 when either does not (the database-down case: test_database_down)."""

import json

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_health_check_reports_the_broker_down(client, broker_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content) == {"database": "ok", "broker": "down"}


def test_the_health_check_is_ok_when_everything_answers(client, settings):
    response = client.get("/healthz")  # no login needed
    assert response.status_code == 200
    expected_broker = "ok" if settings.REDIS_URL else "not configured"
    assert json.loads(response.content) == {"database": "ok", "broker": expected_broker}
    assert "no-cache" in response["Cache-Control"]


def test_the_health_check_answers_a_plain_http_probe_where_pages_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True  # as deployed: pages go to https
    assert client.get(reverse("login")).status_code == 301
    response = client.get("/healthz")  # the probe inside the deployment speaks plain HTTP
    assert response.status_code == 200
