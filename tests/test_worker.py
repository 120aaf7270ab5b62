"""The analysis task on a real Celery worker process, through Redis, against PostgreSQL."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings

from gapanalysis.models import AnalysisRun, GapResult, RunMap, RunStatus
from gapanalysis.services import analysis_start
from gapanalysis.tasks import run_gap_analysis
from jsna.celery import app as celery_app
from jsna.services import demo_load
from tests.conftest import REPO_ROOT

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _skip_reason() -> str:
    if not settings.REDIS_URL:
        return "needs REDIS_URL: runs in the PostgreSQL + Redis pass of `make test`"
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        return "a worker process needs a shared database: runs in the PostgreSQL pass"
    return ""


@pytest.fixture
def worker(tmp_path: Path):
    if reason := _skip_reason():
        pytest.skip(reason)
    redis.Redis.from_url(settings.REDIS_URL).flushdb()  # no stale messages from earlier runs
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "JSNA_IGNORE_DOTENV": "1",
    }
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "jsna",
            "worker",
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    _wait_until(lambda: celery_app.control.ping(timeout=0.5), seconds=60, what="worker start")
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


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
    assert GapResult.objects.filter(run=run, level="locality").count() == 5
    assert RunMap.objects.filter(run=run).count() == 2


def test_sending_the_same_run_twice_gives_one_set_of_results(worker):
    demo_load()
    run = analysis_start(user=None)
    _wait_until(lambda: _finished(run.pk), seconds=120, what=f"run {run.pk}")
    results = GapResult.objects.filter(run=run).count()
    assert run_gap_analysis.delay(run.pk).get(timeout=60) == "skipped"
    assert GapResult.objects.filter(run=run).count() == results
