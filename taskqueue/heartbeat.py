"""A running task's sign of life, written by a thread beside it.

A task's progress steps can be minutes apart on a large area, so they cannot tell a slow worker
from a dead one. This thread writes a heartbeat every few seconds whatever the task is doing;
when the worker is killed the thread dies with it, and the sweep (`manage.py sweep_tasks`) fails
the row once its heartbeat is older than the stale limit.
"""

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import DatabaseError, connections

log = logging.getLogger(__name__)


@contextmanager
def heartbeat(beat: Callable[[], object], *, every: float | None) -> Iterator[None]:
    """Call `beat` every `every` seconds on a thread (its own database connection) while the
    block runs. A failed beat is logged and the next one tried: the task itself carries on.
    `every=None`: no thread (a task run in-process lives and dies with its caller)."""
    if every is None:
        yield
        return
    stop = threading.Event()

    def loop() -> None:
        try:
            while not stop.wait(every):
                try:
                    beat()
                except DatabaseError:
                    log.warning("A heartbeat could not be written; trying again.", exc_info=True)
        finally:
            connections.close_all()  # this thread's connections only

    thread = threading.Thread(target=loop, name="task-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 5)
