"""A server killed (SIGKILL) in the middle of an upload, then `clean_uploads`: no file, no row.

A real development server in its own process, on its own SQLite file and MEDIA_ROOT, receives a
real file over a socket; the test kills it at the moment the file is on disk (still arriving, or
being checked) and reads what is left, before and after the sweep.
"""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, REPO_ROOT
from tests.uploads.conftest import WORCESTERSHIRE, needs_real_data

pytestmark = needs_real_data

BOUNDARIES = WORCESTERSHIRE / "lsoa21_boundaries_bgc.geojson"
POSTCODES = WORCESTERSHIRE / "postcodes_codepoint_open_2018.csv"
BOUNDARY = "----killed-upload-boundary"
MIGRATE_AND_MAKE_ANALYST = f"""
from django.contrib.auth.models import Group, User
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from jsna.roles import ANALYST
user = User.objects.create_user(username="ana", password="{PASSWORD}")
user.groups.set(Group.objects.filter(name=ANALYST))
"""


@dataclass
class Site:
    folder: Path
    env: dict[str, str]

    @property
    def media(self) -> Path:
        return self.folder / "media"

    def manage(self, *args: str, **env: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO_ROOT,
            env=self.env | env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def uploads(self) -> int:
        with sqlite3.connect(self.folder / "db.sqlite3") as db:
            return db.execute("select count(*) from uploads_upload").fetchone()[0]

    def files(self) -> list[Path]:
        return sorted(path for path in self.media.rglob("*") if path.is_file())


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Site:
    folder = tmp_path_factory.mktemp("killed-server")
    env = os.environ | {
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "REDIS_URL": "",
        "MEDIA_ROOT": str(folder / "media"),
        "JSNA_IGNORE_DOTENV": "1",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    env.pop("FILE_UPLOAD_TEMP_DIR", None)  # the default: MEDIA_ROOT/uploads-incoming
    made = Site(folder, env)
    made.manage("shell", "-c", MIGRATE_AND_MAKE_ANALYST)  # one start-up of Django, not two
    return made


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(site) -> Iterator[tuple[subprocess.Popen, int]]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=REPO_ROOT,
        env=site.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, "no server"
            time.sleep(0.1)
    yield process, port
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)


def request(port: int, head: str, body: bytes = b"") -> tuple[str, bytes]:
    """One HTTP/1.0 request; returns the status line and headers, and the body."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(head.encode() + body)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    headers, _, content = answer.partition(b"\r\n\r\n")
    return headers.decode("latin-1"), content


def cookies(headers: str) -> dict[str, str]:
    jar = SimpleCookie()
    for line in headers.split("\r\n"):
        if line.lower().startswith("set-cookie:"):
            jar.load(line.split(":", 1)[1].strip())
    return {name: morsel.value for name, morsel in jar.items()}


def signed_in(port: int) -> dict[str, str]:
    headers, _ = request(port, "GET /accounts/login/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
    jar = cookies(headers)
    form = f"username=ana&password={PASSWORD}&csrfmiddlewaretoken={jar['csrftoken']}".encode()
    headers, _ = request(
        port,
        "POST /accounts/login/ HTTP/1.0\r\nHost: 127.0.0.1\r\n"
        f"Cookie: csrftoken={jar['csrftoken']}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(form)}\r\n\r\n",
        form,
    )
    assert " 302 " in headers.split("\r\n")[0], headers
    return jar | cookies(headers)


def upload_body(kind: str, name: str, content: bytes, token: str) -> bytes:
    disposition = '--{}\r\nContent-Disposition: form-data; name="{}"\r\n\r\n{}\r\n'
    parts = [
        disposition.format(BOUNDARY, field, value).encode()
        for field, value in (("csrfmiddlewaretoken", token), ("kind", kind))
    ]
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )
    return b"".join(parts)


def upload_head(jar: dict[str, str], length: int) -> str:
    return (
        "POST /uploads/new/ HTTP/1.0\r\nHost: 127.0.0.1\r\n"
        f"Cookie: csrftoken={jar['csrftoken']}; sessionid={jar['sessionid']}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {length}\r\n\r\n"
    )


def wait_for(found: callable, *, seconds: float = 30) -> list[Path]:
    deadline = time.monotonic() + seconds
    while not (paths := found()):
        assert time.monotonic() < deadline, "the file never appeared"
        time.sleep(0.002)
    return paths


def size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:  # its request finished between listing and reading
        return -1


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def swept(site: Site) -> str:
    return site.manage("clean_uploads", JSNA_UPLOAD_TEMP_MINUTES="0")


def test_a_server_killed_while_a_large_file_arrives_leaves_nothing_after_the_sweep(site, server):
    """Over 5 MB (FILE_UPLOAD_MAX_MEMORY_SIZE), Django streams the file to FILE_UPLOAD_TEMP_DIR
    as it arrives: that file is what a kill leaves (in /tmp, never cleaned, before this)."""
    process, port = server
    jar = signed_in(port)
    content = POSTCODES.read_bytes() * 4  # the real postcode file, four times: 7.6 MB
    body = upload_body("lookup", "postcodes_four_times.csv", content, jar["csrftoken"])
    incoming = site.media / "uploads-incoming"
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(upload_head(jar, len(body)).encode() + body[: len(body) * 3 // 4])
        wait_for(lambda: [path for path in incoming.glob("tmp*") if size_of(path) > 0])
        kill(process)
    left = site.files()
    assert left and all(path.parent == incoming for path in left), left
    assert site.uploads() == 0

    assert "     1  temporary files left by interrupted uploads" in swept(site)
    assert site.files() == [] and site.uploads() == 0


def test_a_server_killed_while_it_checks_a_received_file_leaves_nothing_after_the_sweep(
    site, server
):
    process, port = server
    jar = signed_in(port)
    body = upload_body("boundaries", BOUNDARIES.name, BOUNDARIES.read_bytes(), jar["csrftoken"])
    incoming = site.media / "uploads-incoming"
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(upload_head(jar, len(body)).encode() + body)
        size = BOUNDARIES.stat().st_size
        parts = wait_for(
            lambda: [path for path in incoming.glob("part-*.geojson") if size_of(path) == size]
        )
        kill(process)  # while the whole file, received, is checked
    assert parts[0].read_bytes() == BOUNDARIES.read_bytes()
    assert site.uploads() == 0
    assert [path.name for path in site.files()] == [parts[0].name]

    assert "     1  temporary files left by interrupted uploads" in swept(site)
    assert site.files() == [] and site.uploads() == 0
