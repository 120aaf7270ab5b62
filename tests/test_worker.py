"""The analysis task on a real Celery worker process, through Redis, against PostgreSQL."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from gapanalysis.models import AnalysisRun, GapResult, RunMap, RunStatus
from gapanalysis.services import analysis_start
from gapanalysis.tasks import run_gap_analysis
from jsna.celery import app as celery_app
from jsna.services import demo_load
from jsna.sweep import tasks_sweep
from tests.conftest import REPO_ROOT

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def computed_norms(run: AnalysisRun) -> int:
    """The run's norms that the data loaded can measure (the others say why they are not)."""
    return run.norms.count() - len(run.inputs.get("norms_not_computed", []))


def _skip_reason() -> str:
    if not settings.REDIS_URL:
        return "needs REDIS_URL: runs in the PostgreSQL + Redis pass of `make test`"
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        return "a worker process needs a shared database: runs in the PostgreSQL pass"
    return ""


@pytest.fixture
def start_worker(tmp_path: Path):
    """Start a real `celery worker` process (one pool child) against the test database."""
    if reason := _skip_reason():
        pytest.skip(reason)
    redis.Redis.from_url(settings.REDIS_URL).flushdb()  # no stale messages from earlier runs
    started: list[subprocess.Popen] = []

    def start(**env: str) -> subprocess.Popen:
        db = settings.DATABASES["default"]
        full_env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "JSNA_IGNORE_DOTENV": "1",
            **env,
        }
        log = (tmp_path / f"worker-{len(started)}.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "jsna", "worker", "--concurrency=1",
             "--loglevel=INFO", "--without-gossip", "--without-mingle"],
            cwd=REPO_ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        started.append(process)
        _wait_until(lambda: celery_app.control.ping(timeout=0.5), seconds=60, what="worker")
        return process

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture
def start_sweeper(start_worker, tmp_path: Path):
    """Start `manage.py sweep_tasks --every 1`, the periodic sweep, against the test database."""
    started: list[subprocess.Popen] = []

    def start(**env: str) -> subprocess.Popen:
        db = settings.DATABASES["default"]
        full_env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "JSNA_IGNORE_DOTENV": "1",
            **env,
        }
        log = (tmp_path / "sweeper.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "manage.py", "sweep_tasks", "--every", "1"],
            cwd=REPO_ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()
        process.wait(timeout=20)


@pytest.fixture
def worker(start_worker):
    return start_worker()


def _children(pid: int) -> list[int]:
    """Process ids whose parent is `pid` (the worker's pool children), read from /proc."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def _wait_until(check, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def _finished(run_id: int) -> bool:
    status = AnalysisRun.objects.values_list("status", flat=True).get(pk=run_id)
    return status in (RunStatus.SUCCEEDED, RunStatus.FAILED)


def test_a_worker_runs_the_analysis_dispatched_after_commit(worker):
    demo_load()
    run = analysis_start(user=None)  # autocommit here: the task is sent on commit, to Redis
    _wait_until(lambda: _finished(run.pk), seconds=120, what=f"run {run.pk}")
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error
    norms = computed_norms(run)
    assert norms >= 1
    assert GapResult.objects.filter(run=run, level="locality").count() == 5 * norms
    assert RunMap.objects.filter(run=run).count() == 4 * norms


def test_sending_the_same_run_twice_gives_one_set_of_results(worker):
    demo_load()
    run = analysis_start(user=None)
    _wait_until(lambda: _finished(run.pk), seconds=120, what=f"run {run.pk}")
    results = GapResult.objects.filter(run=run).count()
    assert run_gap_analysis.delay(run.pk).get(timeout=60) == "skipped"
    assert GapResult.objects.filter(run=run).count() == results


def _progress(run_id: int) -> int:
    return AnalysisRun.objects.values_list("progress", flat=True).get(pk=run_id)


def test_killing_the_worker_child_mid_run_retries_to_one_set_of_results(start_worker):
    worker = start_worker(ANALYSIS_STEP_PAUSE_SECONDS="1.5")
    demo_load()
    run = analysis_start(user=None)
    _wait_until(lambda: _progress(run.pk) >= 25, seconds=90, what="the run to get going")
    (child,) = _children(worker.pid)
    os.kill(child, signal.SIGKILL)  # the pool process dies mid-run, as on an out-of-memory kill
    _wait_until(lambda: _finished(run.pk), seconds=180, what=f"run {run.pk} after the kill")
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.attempts == 2, "the task was redelivered and the same task took the run back"
    norms = computed_norms(run)
    small_areas = GapResult.objects.filter(run=run, level="small_area").count()
    assert small_areas == 304 * norms
    assert GapResult.objects.filter(run=run).count() == (304 + 5 + 1) * norms


def test_a_worker_killed_outright_has_its_run_failed_by_the_sweeper_within_the_limit(
    start_worker, start_sweeper
):
    # Steps slower than the stale limit: only the task's heartbeat thread keeps the run alive.
    limits = {"TASK_HEARTBEAT_SECONDS": "0.5", "TASK_STALE_AFTER_SECONDS": "4"}
    worker = start_worker(ANALYSIS_STEP_PAUSE_SECONDS="6", **limits)
    start_sweeper(**limits)
    demo_load()
    run = analysis_start(user=None)
    _wait_until(lambda: _progress(run.pk) >= 25, seconds=120, what="the run to get going")
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING, "a slow step is not a dead worker"
    os.killpg(worker.pid, signal.SIGKILL)  # the whole worker, as when its machine goes away
    killed_at = time.monotonic()
    worker.wait(timeout=30)
    _wait_until(lambda: _finished(run.pk), seconds=60, what=f"run {run.pk} after the kill")
    failed_after = time.monotonic() - killed_at
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "stopped without finishing" in run.error
    assert failed_after < 4 + 1 + 5, f"failed {failed_after:.1f} s after the kill"
    assert not GapResult.objects.filter(run=run).exists(), "no half results are visible"


def test_a_run_whose_message_was_lost_is_sent_again_by_the_sweep(start_worker, settings):
    """The broker lost the message (Redis restarted without it): the run waits, queued, until
    the sweep sends it again; then a worker runs it."""
    demo_load()
    run = analysis_start(user=None)  # sent to Redis; no worker yet
    redis.Redis.from_url(settings.REDIS_URL).delete("celery")  # ...and lost there
    start_worker()
    AnalysisRun.objects.filter(pk=run.pk).update(
        created_at=timezone.now() - timedelta(seconds=settings.TASK_RESEND_AFTER_SECONDS + 1)
    )
    assert AnalysisRun.objects.get(pk=run.pk).status == RunStatus.QUEUED
    assert tasks_sweep()["runs sent again"] == 1
    _wait_until(lambda: _finished(run.pk), seconds=120, what=f"run {run.pk} sent again")
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error


def test_a_worker_imports_a_confirmed_upload_in_one_transaction(worker, analyst, tmp_path):
    """The web flow's import, on the worker: queued on commit, progress through the cache
    (Redis), rows and dataset version written together."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from needs.models import DatasetVersion, PopulationEstimate
    from uploads.models import Upload, UploadStatus
    from uploads.services import upload_confirm, upload_create, upload_progress

    demo_load()
    rows = PopulationEstimate.objects.filter(year=2023).values_list(
        "area__code", "sex", "age", "count"
    )
    lines = ["area_code,year,sex,age,count"] + [
        f"{code},2031,{sex},{age},{round(count)}" for code, sex, age, count in rows
    ]
    content = ("\n".join(lines) + "\n").encode()
    upload = upload_create(
        kind="population",
        uploaded=SimpleUploadedFile("population_mid2031_demo.csv", content),
        options={},
        user=analyst,
    )
    assert upload.status == UploadStatus.CHECKED, upload.plan["errors"]
    assert upload_confirm(upload=upload)  # autocommit: sent to Redis at once

    def imported() -> bool:
        return Upload.objects.get(pk=upload.pk).status in (
            UploadStatus.IMPORTED,
            UploadStatus.FAILED,
            UploadStatus.REFUSED,
        )

    _wait_until(imported, seconds=120, what=f"upload {upload.pk}")
    upload.refresh_from_db()
    assert upload.status == UploadStatus.IMPORTED, upload.error
    assert upload.task_id, "taken by a worker's task"
    assert PopulationEstimate.objects.filter(year=2031).count() == len(lines) - 1
    version = DatasetVersion.objects.get(pk=upload.dataset_version_id)
    assert version.rows == len(lines) - 1 and version.created_by_id == analyst.pk
    assert upload_progress(upload=upload) | {"step": ""} == {
        "status": "imported",
        "status_label": "Imported",
        "progress": 100,
        "step": "",
        "finished": True,
    }
