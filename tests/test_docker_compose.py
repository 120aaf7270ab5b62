"""docker-compose.yml is a valid compose file, and refuses to start without its secrets."""

import os
import shutil
import subprocess

import pytest

from tests.conftest import IN_CI, REPO_ROOT

SECRETS = {"SECRET_KEY": "x" * 60, "POSTGRES_PASSWORD": "pw", "ALLOWED_HOSTS": "jsna.example.org"}


def compose(env: dict[str, str]) -> subprocess.CompletedProcess:
    if shutil.which("docker-compose") is None:
        if IN_CI:
            pytest.fail(
                "docker-compose is missing: `make test` installs it (scripts/system_deps.sh)"
            )
        pytest.skip("Debian's docker-compose is not installed")
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME")}
    return subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", "config"],
        cwd=REPO_ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_compose_file_validates_with_its_five_services():
    result = compose(SECRETS)
    assert result.returncode == 0, result.stderr
    for service in ("web:", "worker:", "sweeper:", "postgres:", "redis:"):
        assert service in result.stdout
    assert "healthcheck" in result.stdout and "volumes" in result.stdout
    assert "sweep_tasks --every 30" in result.stdout
    assert "http://127.0.0.1:8000/healthz" in result.stdout


def test_the_compose_file_refuses_to_run_without_a_secret_key():
    result = compose({k: v for k, v in SECRETS.items() if k != "SECRET_KEY"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
