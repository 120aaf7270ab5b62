"""The sweep's two moves on rows left queued, shared by runs, exports and imports.

Each row type has `status`, `step`, `error`, `heartbeat_at` (last sent, or last sign of life),
`created_at` and `finished_at`. Sending a row again is safe: its task claims it with a
conditional update (queued → running), so a second message for it does nothing.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet

from taskqueue.dispatch import BrokerUnavailable, broker_check

log = logging.getLogger(__name__)
RESENT = "Sent to the workers again"
FAILED_STEP = "Failed"


def _touched_before(cutoff: datetime) -> Q:
    return Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)


def stale_fail(*, rows: QuerySet, now: datetime, failed: str, reason: str) -> int:
    """Fail running `rows` silent for longer than TASK_STALE_AFTER_SECONDS: their worker died."""
    cutoff = now - timedelta(seconds=settings.TASK_STALE_AFTER_SECONDS)
    return rows.filter(_touched_before(cutoff)).update(
        status=failed, error=reason, finished_at=now, step=FAILED_STEP
    )


def queued_resend(*, rows: QuerySet, now: datetime, send: Callable[[int], object]) -> int:
    """Send once more each of the queued `rows` no worker has taken for TASK_RESEND_AFTER_SECONDS
    (its message may have been lost with the broker). Nothing is sent while the broker is down."""
    cutoff = now - timedelta(seconds=settings.TASK_RESEND_AFTER_SECONDS)
    due = rows.filter(_touched_before(cutoff)).exclude(step=RESENT)
    due = list(due.values_list("pk", flat=True))
    if not due:
        return 0
    try:
        broker_check()
    except BrokerUnavailable:
        log.warning("The broker is not answering: %s queued row(s) wait for it.", len(due))
        return 0
    sent = 0
    for pk in due:
        try:
            send(pk)
        except BrokerUnavailable:
            break
        except Exception:  # in-process only: the task has recorded its own failure on the row
            log.exception("Row %s failed when sent again in-process.", pk)
        rows.filter(pk=pk).update(step=RESENT, heartbeat_at=now)  # only if still queued
        sent += 1
    return sent


def queued_give_up(*, rows: QuerySet, now: datetime, failed: str, reason: str) -> int:
    """Fail queued `rows` no worker took within TASK_QUEUED_GIVE_UP_SECONDS."""
    cutoff = now - timedelta(seconds=settings.TASK_QUEUED_GIVE_UP_SECONDS)
    return rows.filter(_touched_before(cutoff)).update(
        status=failed, error=reason, finished_at=now, step=FAILED_STEP
    )
