"""Text inputs have limits, and a value past one is a clear form error (never a server error or a
worker slot spent on it); a malformed choice is a 400 that leaves nothing behind."""

import pytest
from django.urls import reverse

from gapanalysis.exports import ExportRefused, chapter_template_for, export_start
from gapanalysis.models import INTRODUCTION_MAX_CHARS, ChapterExport
from provision.models import Service
from tests.provision.test_provision_pages import form_data

pytestmark = pytest.mark.django_db


def save_introduction(client, run, text: str):
    return client.post(
        reverse("gapanalysis:chapter", args=[run.pk]),
        {"action": "save", "sections": ["summary"], "introduction": text},
    )


def test_an_introduction_at_the_limit_is_saved(client, jsna_manager, finished_run):
    client.force_login(jsna_manager)
    response = save_introduction(client, finished_run, "a" * INTRODUCTION_MAX_CHARS)
    assert response.status_code == 302
    assert len(chapter_template_for(run=finished_run).introduction) == INTRODUCTION_MAX_CHARS


def test_a_longer_introduction_is_refused_and_kept_on_the_page(client, jsna_manager, finished_run):
    client.force_login(jsna_manager)
    before = chapter_template_for(run=finished_run).introduction
    typed = "b" * (INTRODUCTION_MAX_CHARS + 1)
    response = save_introduction(client, finished_run, typed)
    assert response.status_code == 400
    body = response.content.decode()
    assert "The introduction is 20,001 characters long; the limit is 20,000." in body
    assert 'class="nhsuk-error-message" id="id_introduction-error"' in body
    assert typed in body  # what was typed is not lost
    assert chapter_template_for(run=finished_run).introduction == before


def test_a_one_megabyte_introduction_never_reaches_an_export(client, jsna_manager, finished_run):
    client.force_login(jsna_manager)
    assert save_introduction(client, finished_run, "c" * 1_000_000).status_code == 400
    assert ChapterExport.objects.count() == 0


@pytest.mark.parametrize("fmt", ["docxx", "pdf-please", "xyz", ""])
def test_an_unknown_export_format_is_a_400_and_leaves_no_export(
    client, jsna_manager, finished_run, fmt
):
    client.force_login(jsna_manager)
    response = client.post(reverse("gapanalysis:chapter", args=[finished_run.pk]), {"fmt": fmt})
    assert response.status_code == 400
    assert "Choose the export&#x27;s format: docx, html or pdf." in response.content.decode()
    assert ChapterExport.objects.count() == 0


def test_the_export_service_refuses_an_unknown_format_before_making_a_row(finished_run):
    with pytest.raises(ExportRefused, match="docx, html or pdf"):
        export_start(run=finished_run, fmt="bogus", user=None)
    assert ChapterExport.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "length", "message"),
    [
        ("name", 301, "at most 300 characters (it has 301)"),
        ("provider", 301, "at most 300 characters (it has 301)"),
        ("source", 301, "at most 300 characters (it has 301)"),
        ("site_name", 301, "at most 300 characters (it has 301)"),
    ],
)
def test_a_service_text_past_its_limit_is_a_form_error(client, analyst, field, length, message):
    client.force_login(analyst)
    response = client.post(reverse("provision:service_new"), form_data(**{field: "x" * length}))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Service.objects.filter(code="LOCAL-001").exists()


@pytest.mark.parametrize(
    ("field", "length"), [("name", 301), ("source", 601), ("people_label", 101), ("code", 51)]
)
def test_a_norm_text_past_its_limit_is_a_form_error(client, analyst, field, length):
    client.force_login(analyst)
    data = {
        "code": "local-cmd", "name": "Local CMD norm", "condition": "cmd",
        "service_types": ["talking_therapies"], "capacity_unit": "people_per_year",
        "people_label": "adults", "capacity_label": "Capacity", "action": "would be seen",
        "source": "Local decision", "share_percent": "25",
    }  # fmt: skip
    response = client.post(reverse("gapanalysis:norm_new"), data | {field: "y" * length})
    assert response.status_code == 200
    assert "at most" in " ".join(response.context["form"].errors[field])


def test_the_sign_in_form_refuses_an_overlong_username(client):
    response = client.post(reverse("login"), {"username": "u" * 151, "password": "p"})
    assert response.status_code == 200
    assert "at most 150 characters" in " ".join(response.context["form"].errors["username"])
