"""A run's life: claimed once, taken back only by its own task, cancelled, or failed when stale."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gapanalysis.models import AnalysisRun, GapResult, RunStatus
from gapanalysis.services import (
    MAX_ATTEMPTS,
    analysis_cancel,
    analysis_claim,
    analysis_execute,
    analysis_progress,
    analysis_start,
    runs_fail_stale,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(django_capture_on_commit_callbacks) -> AnalysisRun:
    with django_capture_on_commit_callbacks(execute=False):
        return analysis_start(user=None)


def test_only_one_task_can_claim_a_queued_run(run):
    assert analysis_claim(run_id=run.pk, task_id="task-a")
    assert not analysis_claim(run_id=run.pk, task_id="task-b")
    run.refresh_from_db()
    assert run.task_id == "task-a" and run.attempts == 1 and run.heartbeat_at is not None


def test_the_same_task_redelivered_after_its_worker_died_takes_the_run_back(run):
    assert analysis_claim(run_id=run.pk, task_id="task-a")
    assert analysis_claim(run_id=run.pk, task_id="task-a")
    run.refresh_from_db()
    assert run.attempts == 2 and run.status == RunStatus.RUNNING


def test_a_run_interrupted_too_often_fails_with_a_reason(run):
    for _ in range(MAX_ATTEMPTS):
        assert analysis_claim(run_id=run.pk, task_id="task-a")
    assert not analysis_claim(run_id=run.pk, task_id="task-a")
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "interrupted 3 times" in run.error


def test_cancelling_a_running_run_stops_it_and_keeps_nothing(run):
    analysis_claim(run_id=run.pk, task_id="t")
    assert analysis_cancel(run_id=run.pk)
    analysis_execute(run_id=run.pk)  # the worker notices at its first step
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED
    assert not GapResult.objects.filter(run=run).exists()


def test_a_finished_run_cannot_be_cancelled(run):
    analysis_claim(run_id=run.pk, task_id="t")
    analysis_execute(run_id=run.pk)
    assert not analysis_cancel(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED


def test_progress_on_a_cancelled_run_raises_so_the_worker_stops(run):
    from gapanalysis.services import RunCancelled

    analysis_claim(run_id=run.pk, task_id="t")
    analysis_cancel(run_id=run.pk)
    with pytest.raises(RunCancelled):
        analysis_progress(run_id=run.pk, progress=50, step="Estimating need")


def test_a_run_with_no_heartbeat_for_too_long_is_failed_not_left_running(run):
    analysis_claim(run_id=run.pk, task_id="t")
    AnalysisRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - timedelta(seconds=120)
    )
    assert runs_fail_stale(stale_after=60) == 1
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "stopped without finishing" in run.error


def test_the_progress_endpoint_reports_the_state(client, commissioner, run):
    client.force_login(commissioner)
    data = client.get(reverse("gapanalysis:run_progress", args=[run.pk])).json()
    assert data == {
        "status": "queued", "status_label": "Queued", "progress": 0, "step": "",
        "error": "", "finished": False,
    }  # fmt: skip


def test_only_analysts_cancel_runs(client, commissioner, analyst, run):
    client.force_login(commissioner)
    assert client.post(reverse("gapanalysis:run_cancel", args=[run.pk])).status_code == 403
    client.force_login(analyst)
    response = client.post(reverse("gapanalysis:run_cancel", args=[run.pk]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED
