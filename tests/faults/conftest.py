"""A broker that is down: the app pointed at a Redis port where nothing listens."""

import socket
from collections.abc import Iterator

import pytest

from jsna.celery import app as celery_app


def free_port() -> int:
    """A local port nothing listens on (bound, read, released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def broker_down(settings) -> Iterator[str]:
    """Celery's broker and Django's cache both at a dead Redis, as when Redis has stopped."""
    dead = f"redis://127.0.0.1:{free_port()}/0"
    saved = {key: celery_app.conf[key] for key in ("broker_url", "task_always_eager")}
    celery_app.conf.update(broker_url=dead, task_always_eager=False)
    settings.CACHES = {
        "default": {
            "BACKEND": "jsna.cache.TolerantRedisCache",  # what settings use with REDIS_URL
            "LOCATION": dead,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    yield dead
    celery_app.conf.update(saved)


@pytest.fixture
def tasks_in_process() -> Iterator[None]:
    """Tasks run in this process when sent, in both passes (as without REDIS_URL)."""
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved
