"""docker-compose.yml is a valid compose file, and refuses to start without its secrets."""

import os
import re
import shutil
import subprocess

import pytest
import yaml

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
    for service in ("nginx:", "web:", "worker:", "sweeper:", "postgres:", "redis:"):
        assert service in result.stdout
    assert "healthcheck" in result.stdout and "volumes" in result.stdout
    assert "sweep_tasks --every 30" in result.stdout
    assert "http://127.0.0.1:8000/healthz" in result.stdout


def test_the_compose_file_refuses_to_run_without_a_secret_key():
    result = compose({k: v for k, v in SECRETS.items() if k != "SECRET_KEY"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def services(env: dict[str, str]) -> dict:
    result = compose(env)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)["services"]


def test_only_nginx_is_published_and_gunicorn_sits_behind_it():
    """Slow clients reach nginx, which buffers them; gunicorn's sync workers are not reachable
    from outside the compose network."""
    found = services(SECRETS)
    published = {name for name, service in found.items() if service.get("ports")}
    assert published == {"nginx"}
    assert [p["target"] for p in found["nginx"]["ports"]] == [80]
    assert found["web"]["environment"]["JSNA_TRUSTED_PROXY_COUNT"] == "1"
    template = found["nginx"]["volumes"][0]
    template = template["source"] if isinstance(template, dict) else template.split(":")[0]
    assert template.endswith("deploy/nginx/default.conf.template")


def test_nginx_accepts_bodies_as_large_as_the_upload_limit():
    found = services({**SECRETS, "JSNA_UPLOAD_MAX_MB": "50", "NGINX_CLIENT_MAX_BODY_MB": "51"})
    assert found["web"]["environment"]["JSNA_UPLOAD_MAX_MB"] == "50"
    assert found["nginx"]["environment"]["NGINX_CLIENT_MAX_BODY_MB"] == "51"
    defaults = services(SECRETS)
    limit = int(defaults["web"]["environment"]["JSNA_UPLOAD_MAX_MB"])
    assert int(defaults["nginx"]["environment"]["NGINX_CLIENT_MAX_BODY_MB"]) == limit + 1


def test_the_nginx_template_buffers_and_times_out_slow_clients():
    conf = (REPO_ROOT / "deploy" / "nginx" / "default.conf.template").read_text()
    settings = dict(re.findall(r"^\s*(\w+) ([^;]+);", conf, flags=re.MULTILINE))
    assert settings["client_header_timeout"] == "10s"
    assert settings["client_body_timeout"] == "20s"
    assert settings["proxy_buffering"] == "on" and settings["proxy_request_buffering"] == "on"
    assert settings["client_max_body_size"] == "${NGINX_CLIENT_MAX_BODY_MB}m"
