"""Send a task to the workers, or say at once that the broker cannot be reached.

Celery's `delay()` retries a down broker for about 6 s and, with the Redis result backend,
another 19 s subscribing to the result, holding a web worker and then raising a 500. Here a send
connects once (within the broker transport's `socket_connect_timeout`), publishes without
retrying and asks for no result (the rows hold every outcome), so a down broker is known in
well under a second and the caller can refuse with a message.
"""

from celery import current_app
from celery.app.task import Task
from kombu.exceptions import KombuError

# "{what}": "Runs", "Exports", "Imports".
BROKER_DOWN = (
    "{what} cannot start now: the task queue is not answering, so nothing was queued. "
    "Pages can still be read. Try again in a few minutes; if this goes on, tell whoever "
    "runs this service."
)
BROKER_ERRORS = (KombuError, OSError)


class BrokerUnavailable(Exception):
    """The broker could not be reached; nothing was sent."""


def tasks_in_process() -> bool:
    """True without a broker (no REDIS_URL): tasks run eagerly in the calling process."""
    return bool(current_app.conf.task_always_eager)


def broker_check() -> None:
    """Raise BrokerUnavailable unless the broker answers now (one attempt, no retries)."""
    if tasks_in_process():
        return
    try:
        with current_app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=0)
    except BROKER_ERRORS as error:
        raise BrokerUnavailable(str(error)) from error


def broker_status() -> str:
    """ "ok", "down", or "not configured" (tasks run in-process), for the health check."""
    if tasks_in_process():
        return "not configured"
    try:
        broker_check()
    except BrokerUnavailable:
        return "down"
    return "ok"


def task_send(task: Task, *args: int) -> str:
    """Send `task(*args)` and return its id; raise BrokerUnavailable if it could not be sent.

    In-process (no broker) the task runs here and now, and its own errors propagate."""
    if tasks_in_process():
        return task.delay(*args).id
    try:
        with current_app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=0)
            result = task.apply_async(args, connection=connection, retry=False, ignore_result=True)
    except BROKER_ERRORS as error:
        raise BrokerUnavailable(str(error)) from error
    return result.id
