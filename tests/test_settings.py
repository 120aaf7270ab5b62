"""Settings from the environment: production values pass the deploy checks; no secret, no start."""

import os
import subprocess
import sys

from tests.conftest import REPO_ROOT

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k3J9-vQ2x_Lp8Rz4Wm7Tn1Yb5Hc6Dd0Fg2Ss9Aa3Ee8Uu4Ii7Oo1PpQq5Zz6Xx2Cc",
    "ALLOWED_HOSTS": "jsna.example.org",
    "DATABASE_URL": "sqlite:////tmp/jsna-deploy-check.sqlite3",
}
KEEP = ("PATH", "HOME", "LANG", "VIRTUAL_ENV", "SYSTEMROOT")


def run_python(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k in KEEP}
    # JSNA_IGNORE_DOTENV: a developer's local .env must not leak into these checks.
    full = {**base, **env, "JSNA_IGNORE_DOTENV": "1", "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run(
        [sys.executable, *args], env=full, capture_output=True, text=True, timeout=120
    )


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return run_python([str(REPO_ROOT / "manage.py"), *args], env)


def test_production_settings_pass_the_deploy_checks_at_warning_level():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_site_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_the_demo_login_is_never_created_with_debug_off():
    result = manage("create_demo_login", env=PRODUCTION)
    assert result.returncode != 0
    assert "never created with DEBUG off" in result.stderr


PROBE = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL)"
)


def test_without_redis_tasks_run_in_process():
    env = {**PRODUCTION, "DJANGO_SETTINGS_MODULE": "jsna.settings"}
    result = run_python(["-c", PROBE], env)
    assert result.stdout.split() == ["True", "memory://"], result.stderr


def test_with_redis_tasks_go_to_the_broker():
    env = {**PRODUCTION, "DJANGO_SETTINGS_MODULE": "jsna.settings"}
    result = run_python(["-c", PROBE], {**env, "REDIS_URL": "redis://127.0.0.1:6379/9"})
    assert result.stdout.split() == ["False", "redis://127.0.0.1:6379/9"], result.stderr
