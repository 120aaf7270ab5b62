"""With the broker down, starting work is refused at once with a message, nothing is left
queued, and the reading pages still work (the issue: 19 s then a 500, rows queued for ever)."""

import time

import pytest
from django.test import TestCase
from django.urls import reverse

from gapanalysis.exports import export_dispatch, export_start
from gapanalysis.models import AnalysisRun, ChapterExport, RunStatus
from gapanalysis.services import analysis_dispatch, analysis_start
from uploads.models import Upload, UploadStatus
from uploads.services import NOT_SENT, upload_confirm, upload_dispatch

pytestmark = pytest.mark.django_db
REFUSED_WITHIN_SECONDS = 3


def _timed_post(client, url: str, data: dict | None = None) -> tuple[str, float]:
    """The POST's own time (the answer), then the page it leads to, with its message."""
    started = time.monotonic()
    response = client.post(url, data or {})
    elapsed = time.monotonic() - started
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    return page.content.decode(), elapsed


def test_starting_a_run_is_refused_at_once_and_nothing_is_queued(client, analyst, broker_down):
    client.force_login(analyst)
    runs_before = AnalysisRun.objects.count()
    page, elapsed = _timed_post(client, reverse("gapanalysis:run_start"))
    assert elapsed < REFUSED_WITHIN_SECONDS
    assert "Runs cannot start now: the task queue is not answering" in page
    assert AnalysisRun.objects.count() == runs_before
    assert not AnalysisRun.objects.filter(status=RunStatus.QUEUED).exists()


def test_an_export_is_refused_at_once_and_nothing_is_queued(
    client, jsna_manager, finished_run, broker_down
):
    client.force_login(jsna_manager)
    url = reverse("gapanalysis:chapter", args=[finished_run.pk])
    page, elapsed = _timed_post(client, url, {"action": "export", "fmt": "docx"})
    assert elapsed < REFUSED_WITHIN_SECONDS
    assert "Exports cannot start now: the task queue is not answering" in page
    assert not ChapterExport.objects.exists()


def test_confirming_an_upload_is_refused_at_once_and_it_still_waits(
    client, analyst, checked_upload, broker_down
):
    client.force_login(analyst)
    url = reverse("uploads:confirm", args=[checked_upload.pk])
    page, elapsed = _timed_post(client, url)
    assert elapsed < REFUSED_WITHIN_SECONDS
    assert "Imports cannot start now: the task queue is not answering" in page
    checked_upload.refresh_from_db()
    assert checked_upload.status == UploadStatus.CHECKED, "can be confirmed once Redis is back"
    assert not Upload.objects.filter(status=UploadStatus.QUEUED).exists()


def test_reading_pages_work_while_the_broker_and_cache_are_down(
    client, jsna_manager, analyst, finished_run, checked_upload, broker_down
):
    client.force_login(analyst)
    for url in (
        reverse("home"),
        reverse("gapanalysis:latest_map"),
        reverse("gapanalysis:run_detail", args=[finished_run.pk]),
        reverse("gapanalysis:run_progress", args=[finished_run.pk]),
        reverse("uploads:list"),
        reverse("uploads:detail", args=[checked_upload.pk]),  # reads progress from the cache
        reverse("uploads:progress", args=[checked_upload.pk]),
    ):
        assert client.get(url).status_code == 200, url
    client.force_login(jsna_manager)
    assert client.get(reverse("gapanalysis:chapter", args=[finished_run.pk])).status_code == 200


def test_if_the_broker_goes_after_the_check_the_row_is_not_left_queued(
    request, finished_run, checked_upload
):
    """The send on commit finds the broker gone (it answered the check a moment before): the
    run and the export are failed with the reason, the upload waits for confirmation again."""
    with TestCase.captureOnCommitCallbacks(execute=False):  # checked while the broker was up
        run = analysis_start(user=None)
        export = export_start(run=finished_run, fmt="docx", user=None)
        assert upload_confirm(upload=checked_upload)
    request.getfixturevalue("broker_down")
    analysis_dispatch(run_id=run.pk)
    export_dispatch(export_id=export.pk)
    upload_dispatch(upload_id=checked_upload.pk)
    run.refresh_from_db()
    export.refresh_from_db()
    checked_upload.refresh_from_db()
    assert run.status == export.status == RunStatus.FAILED
    assert "could not be sent to the workers" in run.error and "Start it again" in run.error
    assert "could not be sent to the workers" in export.error
    assert checked_upload.status == UploadStatus.CHECKED and checked_upload.step == NOT_SENT
