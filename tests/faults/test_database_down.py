"""With the database down, every page is a plain "service unavailable" page (503) and /healthz
says so: the site served by gunicorn, as deployed, with DATABASE_URL at a database that is not
there (a closed PostgreSQL port, an SQLite file that cannot be opened)."""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from tests.conftest import REPO_ROOT
from tests.faults.conftest import free_port

DEAD_DATABASES = {
    "postgresql": f"postgres://postgres@127.0.0.1:{free_port()}/jsna",
    "sqlite": "sqlite:////nonexistent-directory/jsna/db.sqlite3",
}


@pytest.fixture(params=sorted(DEAD_DATABASES))
def site_without_database(request, tmp_path) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": DEAD_DATABASES[request.param],
        "REDIS_URL": "",
        "ALLOWED_HOSTS": "127.0.0.1",
        "JSNA_IGNORE_DOTENV": "1",
    }
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "jsna.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--timeout", "60", "--no-control-socket"],
        cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


def _wait_for(base: str) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:  # the first request loads Django: slow on a busy machine
            urllib.request.urlopen(f"{base}/static/css/jsna.css", timeout=30)
            return
        except OSError:  # refused until gunicorn listens
            time.sleep(0.3)
    raise AssertionError("gunicorn did not start")


def _get(url: str, cookie: str = "") -> tuple[int, str, dict]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def test_every_page_is_a_plain_service_unavailable_page(site_without_database):
    for path, cookie in (
        ("/accounts/login/", ""),  # no session: fails drawing the page (its footer's labels)
        ("/", "sessionid=abc123def456"),  # a signed-in browser: fails reading the session
        ("/maps/", "sessionid=abc123def456"),
    ):
        status, body, headers = _get(site_without_database + path, cookie)
        assert status == 503, (path, body[:300])
        assert "Sorry, the service is unavailable" in body
        assert "Server Error (500)" not in body and "Traceback" not in body
        assert headers["Retry-After"] == "60"


def test_the_health_check_says_the_database_is_down(site_without_database):
    status, body, _ = _get(site_without_database + "/healthz")
    assert status == 503
    assert json.loads(body) == {"database": "down", "broker": "not configured"}
