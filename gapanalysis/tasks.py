"""The gap-analysis task: id in, claim the run, call the service, record the outcome."""

import logging

from celery import Task, shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from gapanalysis.exports import export_beat, export_execute, export_fail, export_requeue
from gapanalysis.services import (
    analysis_beat,
    analysis_claim,
    analysis_execute,
    analysis_fail,
    analysis_requeue,
)
from taskqueue.heartbeat import heartbeat

log = logging.getLogger(__name__)
TRANSIENT = (OperationalError, InterfaceError)


def _beat_every(task: Task) -> float | None:
    """A worker's task beats; one run in-process (no broker) lives and dies with its caller."""
    return None if task.request.is_eager else settings.TASK_HEARTBEAT_SECONDS


@shared_task(bind=True, acks_late=True, max_retries=3, soft_time_limit=600, time_limit=660)
def run_gap_analysis(self, run_id: int) -> str:
    if not analysis_claim(run_id=run_id, task_id=self.request.id or ""):
        log.info("Run %s was not queued (taken or finished); nothing to do.", run_id)
        return "skipped"
    try:
        with heartbeat(lambda: analysis_beat(run_id=run_id), every=_beat_every(self)):
            analysis_execute(run_id=run_id)
    except TRANSIENT as error:
        # Safe to repeat: results are replaced as a whole, so hand the run back and retry.
        analysis_requeue(run_id=run_id)
        raise self.retry(exc=error, countdown=2 ** (self.request.retries + 1)) from error
    except Exception as error:
        analysis_fail(run_id=run_id, reason=f"The analysis stopped unexpectedly: {error}")
        raise
    return "done"


@shared_task(bind=True, acks_late=True, max_retries=3, soft_time_limit=600, time_limit=660)
def export_chapter(self, export_id: int) -> str:
    """Render a chapter export; a failure is recorded on the export with its reason."""
    try:
        with heartbeat(lambda: export_beat(export_id=export_id), every=_beat_every(self)):
            export_execute(export_id=export_id)
    except TRANSIENT as error:
        # Without this the retry would find the export "running" and never claim it again.
        export_requeue(export_id=export_id)
        raise self.retry(exc=error, countdown=2 ** (self.request.retries + 1)) from error
    except Exception as error:
        export_fail(export_id=export_id, reason=f"The export stopped unexpectedly: {error}")
        raise
    return "done"
