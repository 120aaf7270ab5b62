"""The import task: id in, claim the upload, call the service, record the outcome."""

import logging

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from taskqueue.heartbeat import heartbeat
from uploads.cleanup import uploads_clean
from uploads.services import upload_beat, upload_claim, upload_execute, upload_fail

log = logging.getLogger(__name__)
TRANSIENT = (OperationalError, InterfaceError)


@shared_task(bind=True, acks_late=True, max_retries=3, soft_time_limit=1800, time_limit=1900)
def import_upload(self, upload_id: int) -> str:
    if not upload_claim(upload_id=upload_id, task_id=self.request.id or ""):
        log.info("Upload %s was not queued (taken or finished); nothing to do.", upload_id)
        return "skipped"
    # A worker's import beats; one run in-process (no broker) lives and dies with its caller.
    every = None if self.request.is_eager else settings.TASK_HEARTBEAT_SECONDS
    try:
        with heartbeat(lambda: upload_beat(upload_id=upload_id), every=every):
            upload_execute(upload_id=upload_id)
    except TRANSIENT as error:
        # Safe to repeat: the import is one transaction, rolled back when it failed.
        raise self.retry(exc=error, countdown=2 ** (self.request.retries + 1)) from error
    except Exception as error:
        upload_fail(upload_id=upload_id, reason=f"The import stopped unexpectedly: {error}")
        raise
    return "done"


@shared_task(soft_time_limit=600, time_limit=660)
def clean_uploads() -> dict[str, int]:
    """Scheduled by Celery beat (jsna.celery): see uploads.cleanup for what is deleted."""
    return uploads_clean().as_dict()
