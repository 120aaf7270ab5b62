"""The compose file's nginx, run for real in front of gunicorn serving this app: clients that send
their headers a line every second do not starve gunicorn's sync workers. (The app here has no
database, so the page asked for is one of its static files, served by WhiteNoise.)"""

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import IN_CI, REPO_ROOT

TEMPLATE = REPO_ROOT / "deploy" / "nginx" / "default.conf.template"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
WORKERS = 2
PAGE = "/static/css/jsna.css"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing listening on {port} after {seconds} s")


def nginx_conf(folder: Path, *, listen: int, upstream: int) -> Path:
    """The template as the nginx image renders it, with the ports of this test."""
    server = TEMPLATE.read_text().replace("${NGINX_CLIENT_MAX_BODY_MB}", "201")
    server = server.replace("server web:8000;", f"server 127.0.0.1:{upstream};")
    server = server.replace("listen 80 default_server;", f"listen 127.0.0.1:{listen};")
    assert "${" not in server
    (folder / "server.conf").write_text(server)
    main = folder / "nginx.conf"
    main.write_text(
        f"daemon off; pid {folder}/nginx.pid; error_log {folder}/error.log;\n"
        "events { worker_connections 256; }\n"
        f"http {{ access_log off; client_body_temp_path {folder}/body; "
        f"proxy_temp_path {folder}/proxy; fastcgi_temp_path {folder}/f; "
        f"uwsgi_temp_path {folder}/u; scgi_temp_path {folder}/s; "
        f"include {folder}/server.conf; }}\n"
    )
    return main


@pytest.fixture
def proxied(tmp_path: Path) -> Iterator[dict[str, int]]:
    if not Path(NGINX).exists():
        if IN_CI:
            pytest.fail("nginx is missing: `make test` installs it (scripts/system_deps.sh)")
        pytest.skip("Debian's nginx is not installed")
    web, edge = free_port(), free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "",
        "JSNA_IGNORE_DOTENV": "1",
        "JSNA_TRUSTED_PROXY_COUNT": "1",
        "ALLOWED_HOSTS": "localhost",
    }
    gunicorn = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "jsna.wsgi", "--bind",
         f"127.0.0.1:{web}", "--workers", str(WORKERS), "--timeout", "120"],
        cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    conf = nginx_conf(tmp_path, listen=edge, upstream=web)
    nginx = subprocess.Popen(
        [NGINX, "-c", str(conf), "-p", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(web)
        wait_for(edge)
        ready(edge)
        yield {"web": web, "edge": edge}
    finally:
        for process in (nginx, gunicorn):
            process.terminate()
            process.wait(timeout=20)


def ready(port: int, seconds: float = 90) -> None:
    """Wait until the app answers through nginx (gunicorn's workers import the app lazily)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if get(port, PAGE, timeout=20).startswith("HTTP/1.1 200"):
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"the app did not answer through nginx within {seconds} s")


def test_the_template_passes_nginx_own_check(tmp_path):
    if not Path(NGINX).exists():
        pytest.skip("Debian's nginx is not installed")
    conf = nginx_conf(tmp_path, listen=free_port(), upstream=free_port())
    result = subprocess.run(
        [NGINX, "-t", "-c", str(conf), "-p", str(tmp_path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def get(port: int, path: str = "/nginx-health", timeout: float = 10) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode("latin-1")


def test_slow_clients_do_not_starve_the_workers(proxied):
    """Twice as many slow clients as workers, each sending a header line now and then: through
    nginx, an ordinary request is still answered by the app at once."""
    slow = []
    for _ in range(WORKERS * 2):
        s = socket.create_connection(("127.0.0.1", proxied["edge"]), timeout=5)
        s.sendall(f"GET {PAGE} HTTP/1.1\r\nHost: localhost\r\n".encode())
        slow.append(s)
    try:
        for _ in range(3):
            time.sleep(1)
            for s in slow:
                s.sendall(b"X-Slow: 1\r\n")
        started = time.monotonic()
        answer = get(proxied["edge"], PAGE, timeout=10)
        took = time.monotonic() - started
    finally:
        for s in slow:
            s.close()
    assert answer.startswith("HTTP/1.1 200"), answer[:200]
    assert (REPO_ROOT / "static" / "css" / "jsna.css").read_text()[:200] in answer
    assert took < 5, f"an ordinary request waited {took:.1f} s"
