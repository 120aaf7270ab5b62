"""Shared fixtures: the demo area loaded once per session, and one persona per role."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.test import TestCase

from gapanalysis.models import AnalysisRun
from gapanalysis.services import analysis_claim, analysis_execute, analysis_start
from jsna.celery import app as celery_app
from jsna.roles import ANALYST, COMMISSIONER, JSNA_MANAGER
from jsna.services import demo_load
from uploads.models import Upload, UploadStatus

REPO_ROOT = Path(__file__).resolve().parent.parent
# JSNA_SHARED_DATA: where the real files are, for a checkout that is not beside them (a worktree).
SHARED_DATA = Path(os.environ.get("JSNA_SHARED_DATA") or REPO_ROOT.parent / "shared" / "data")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = Path("/usr/bin/chromium")  # Debian's; Playwright's own download fails here
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "a-long-test-password-4821"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The demo area, loaded once into the test database for the non-transactional tests."""
    with django_db_blocker.unblock():
        demo_load()


def _persona(username: str, *roles: str) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD)
    user.groups.set(Group.objects.filter(name__in=roles))
    return user


@contextmanager
def tasks_here() -> Iterator[None]:
    """Tasks sent in this block run in this process, even where a broker is configured (the
    PostgreSQL + Redis pass); tests/test_worker.py covers the real worker."""
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = saved


def run_in_process(**options: object) -> AnalysisRun:
    """An analysis started as the web and the command start one, then run in this process (its
    task is not sent). `options`: analysis_start's (scheme, year, norm_codes…)."""
    with TestCase.captureOnCommitCallbacks(execute=False):
        run = analysis_start(user=None, **options)
    analysis_claim(run_id=run.pk)
    analysis_execute(run_id=run.pk)
    run.refresh_from_db()
    return run


@pytest.fixture
def finished_run(db) -> AnalysisRun:
    """The demo county's analysis, run in this process."""
    return run_in_process()


@pytest.fixture
def checked_upload(analyst) -> Upload:
    """An upload whose checks passed, waiting for confirmation (no file behind it)."""
    return Upload.objects.create(
        kind="rates",
        original_name="rates.csv",
        size=1,
        sha256="0" * 64,
        status=UploadStatus.CHECKED,
        created_by=analyst,
    )


@pytest.fixture
def analyst(db) -> User:
    return _persona("ana", ANALYST)


@pytest.fixture
def commissioner(db) -> User:
    return _persona("cam", COMMISSIONER)


@pytest.fixture
def jsna_manager(db) -> User:
    return _persona("jim", JSNA_MANAGER)


@pytest.fixture
def outsider(db) -> User:
    """Signed in, but holding no role."""
    return _persona("olly")


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """Headless Debian Chromium through Playwright, for every browser test."""
    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail("Debian's chromium is missing: `make test` installs it")
        pytest.skip("no /usr/bin/chromium: install Debian's chromium to run browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()
