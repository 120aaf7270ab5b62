"""The gap-analysis task: id in, claim the run, call the service, record the outcome."""

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from gapanalysis.exports import export_execute, export_fail
from gapanalysis.services import (
    analysis_claim,
    analysis_execute,
    analysis_fail,
    analysis_requeue,
)

log = logging.getLogger(__name__)
TRANSIENT = (OperationalError, InterfaceError)


@shared_task(bind=True, acks_late=True, max_retries=3, soft_time_limit=600, time_limit=660)
def run_gap_analysis(self, run_id: int) -> str:
    if not analysis_claim(run_id=run_id, task_id=self.request.id or ""):
        log.info("Run %s was not queued (taken or finished); nothing to do.", run_id)
        return "skipped"
    try:
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
        export_execute(export_id=export_id)
    except TRANSIENT as error:
        raise self.retry(exc=error, countdown=2 ** (self.request.retries + 1)) from error
    except Exception as error:
        export_fail(export_id=export_id, reason=f"The export stopped unexpectedly: {error}")
        raise
    return "done"
