"""The periodic sweep (`manage.py sweep_tasks`): work whose worker died is failed with a reason;
work left queued (its message lost with the broker) is sent again, or failed if nobody took it."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from gapanalysis.exports import export_start
from gapanalysis.models import AnalysisRun, ChapterExport, RunStatus
from gapanalysis.services import analysis_claim, analysis_start
from jsna.sweep import tasks_sweep
from taskqueue.sweep import RESENT
from uploads.models import UploadStatus

pytestmark = pytest.mark.django_db


def _ago(seconds: float):
    return timezone.now() - timedelta(seconds=seconds)


def _queued_run() -> AnalysisRun:
    """A run committed as queued whose message never reached a worker (not sent here)."""
    with TestCase.captureOnCommitCallbacks(execute=False):
        return analysis_start(user=None)


def test_a_run_silent_past_the_stale_limit_is_failed_and_a_live_one_is_not(settings):
    settings.TASK_STALE_AFTER_SECONDS = 90
    dead, alive = _queued_run(), _queued_run()
    for run in (dead, alive):
        assert analysis_claim(run_id=run.pk, task_id=f"task-{run.pk}")
    AnalysisRun.objects.filter(pk=dead.pk).update(heartbeat_at=_ago(91))
    AnalysisRun.objects.filter(pk=alive.pk).update(heartbeat_at=_ago(30))
    report = tasks_sweep()
    assert report["runs failed (worker gone)"] == 1
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == RunStatus.FAILED
    assert "stopped without finishing (no sign of life for 90 seconds)" in dead.error
    assert alive.status == RunStatus.RUNNING


def test_a_stale_export_and_a_stale_import_are_failed(finished_run, checked_upload):
    with TestCase.captureOnCommitCallbacks(execute=False):
        export = export_start(run=finished_run, fmt="docx", user=None)
    ChapterExport.objects.filter(pk=export.pk).update(status="running", heartbeat_at=_ago(600))
    checked_upload.status = UploadStatus.IMPORTING
    checked_upload.heartbeat_at = _ago(600)
    checked_upload.save()
    report = tasks_sweep()
    assert report["exports failed (worker gone)"] == report["imports failed (worker gone)"] == 1
    export.refresh_from_db()
    checked_upload.refresh_from_db()
    assert export.status == "failed" and "stopped without finishing" in export.error
    assert checked_upload.status == UploadStatus.FAILED
    assert "nothing was written" in checked_upload.error


def test_a_run_left_queued_is_sent_again_once_and_runs(settings, tasks_in_process):
    settings.TASK_RESEND_AFTER_SECONDS = 120
    run = _queued_run()
    assert tasks_sweep()["runs sent again"] == 0, "queued only just now: a worker may be busy"
    AnalysisRun.objects.filter(pk=run.pk).update(created_at=_ago(121))
    assert tasks_sweep()["runs sent again"] == 1
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error  # in-process: sent means run


def test_a_queued_row_is_sent_again_only_once(tasks_in_process):
    """Sent again, still nobody takes it: it is not sent a third time (the message is there)."""
    run = _queued_run()
    AnalysisRun.objects.filter(pk=run.pk).update(heartbeat_at=_ago(3000), step=RESENT)
    assert tasks_sweep()["runs sent again"] == 0
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED


def test_while_the_broker_is_down_queued_rows_wait_for_it(request):
    run = _queued_run()
    request.getfixturevalue("broker_down")
    AnalysisRun.objects.filter(pk=run.pk).update(created_at=_ago(300))
    assert tasks_sweep()["runs sent again"] == 0
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED and run.step != RESENT, "sent when the broker returns"


def test_a_row_no_worker_took_within_the_limit_is_failed(settings, request):
    settings.TASK_QUEUED_GIVE_UP_SECONDS = 3600
    run = _queued_run()
    request.getfixturevalue("broker_down")
    AnalysisRun.objects.filter(pk=run.pk).update(created_at=_ago(3601))
    call_command("sweep_tasks")
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.error.startswith("No worker took this run within 60 minutes")
