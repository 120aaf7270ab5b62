"""Uploads: store the file, check it (a plan for the preview), then import it in one transaction.

The command line calls `dataset_import` directly; the web flow stores the file as an Upload,
shows the plan, and on confirmation runs `upload_execute` in a Celery task. Either way the rows
and the dataset version that records them are written in one transaction: a refused or failed
import leaves the database exactly as it was. Progress goes to the cache, not the database, so
a page can follow an import whose rows are not yet committed.
"""

import logging
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from redis.exceptions import RedisError

from needs.models import DatasetVersion
from needs.plans import ImportOptions, Plan, Progress
from needs.services import ImportRefused, dataset_version_record, file_sha256
from taskqueue.dispatch import BROKER_DOWN, BrokerUnavailable, broker_check, task_send
from taskqueue.sweep import queued_give_up, queued_resend, stale_fail
from uploads.kinds import KINDS
from uploads.mapping_services import mapping_sources, mapping_waiting_plan
from uploads.models import UPLOAD_FINISHED, Upload, UploadStatus
from uploads.storage import part_publish, part_write

log = logging.getLogger(__name__)
PROGRESS_KEY = "upload-progress-{}"
PROGRESS_SECONDS = 3600
IMPORTS_CANNOT_START = BROKER_DOWN.format(what="Imports")
NOT_SENT = (
    "The import could not be sent to the workers (the task queue stopped answering); nothing "
    "was imported. Confirm it again in a few minutes."
)


def import_options(values: dict) -> ImportOptions:
    """The options stored with an upload, as the importers take them."""
    year = values.get("year")
    return ImportOptions(
        year=int(year) if year not in (None, "") else None,
        only_loaded_areas=bool(values.get("only_loaded_areas")),
        allow_incomplete=bool(values.get("allow_incomplete")),
        scheme_name=str(values.get("scheme_name") or "").strip(),
        mapping=values.get("mapping") or None,
    )


def _same_file_note(kind: str, sha256: str) -> str:
    earlier = DatasetVersion.objects.filter(kind=kind, sha256=sha256, retired_at__isnull=True)
    first = earlier.first()
    if first is None:
        return ""
    return (
        f"This exact file (SHA-256 {sha256[:12]}…) was imported before, as version {first.pk} "
        f"on {first.created_at:%d %B %Y}; importing it again replaces that version."
    )


def dataset_check(
    *, kind: str, path: Path, name: str, options: ImportOptions, sha256: str = ""
) -> Plan:
    """Parse and check a file against the database; nothing is written. `sha256`: the file's
    digest, where the caller has it already (a large file is hashed once)."""
    plan = KINDS[kind].plan(path, name=name, options=options)
    plan.same_file = _same_file_note(kind, sha256 or file_sha256(path))
    return plan


def dataset_import(
    *,
    kind: str,
    path: Path,
    name: str,
    options: ImportOptions,
    user: AbstractBaseUser | None = None,
    progress: Progress | None = None,
) -> tuple[Plan, DatasetVersion]:
    """Check, then write the rows and their dataset version in one transaction.

    Raises ImportRefused (nothing written) if the file has errors."""
    report = progress or (lambda share, step: None)
    report(0.0, "Reading and checking the file")
    digest = file_sha256(path)
    plan = dataset_check(kind=kind, path=path, name=name, options=options, sha256=digest)
    if not plan.ok:
        raise ImportRefused(plan.errors, plan.total_errors)
    with transaction.atomic():
        rows = plan.write(lambda share, step: report(0.3 + 0.65 * share, step))
        version = dataset_version_record(
            kind=kind,
            path=path,
            name=name,
            rows=rows,
            user=user,
            warnings=plan.warnings,
            sha256=digest,
        )
        if plan.version_attach is not None:
            plan.version_attach(version)
    report(1.0, "Imported")
    return plan, version


class UploadQuotaExceeded(Exception):
    """The analyst's stored uploads leave no room for this file; nothing was stored."""


QUOTA_PENDING = (
    "{name} ({size}) was not kept: your uploads not yet imported (checked, refused or failed) "
    "already hold {used} of your {limit} allowance (JSNA_UPLOAD_QUOTA_PENDING_MB). Import or "
    "wait for the clean-up of refused and unconfirmed uploads, or ask an administrator."
)
QUOTA_TOTAL = (
    "{name} ({size}) was not kept: your stored uploads already hold {used} of your {limit} "
    "allowance (JSNA_UPLOAD_QUOTA_TOTAL_MB). Ask an administrator to raise it."
)


def upload_quota_check(*, user: AbstractBaseUser, name: str, size: int) -> None:
    """Raise UploadQuotaExceeded, naming the allowance and what is used, if storing `size` more
    bytes would take the analyst past either allowance. 0 means no limit."""
    mine = Upload.objects.filter(created_by=user, file_missing=False)
    total = mine.aggregate(used=Sum("size"))["used"] or 0
    pending = mine.exclude(status=UploadStatus.IMPORTED).aggregate(used=Sum("size"))["used"] or 0
    for limit, used, message in (
        (settings.UPLOAD_QUOTA_PENDING_BYTES, pending, QUOTA_PENDING),
        (settings.UPLOAD_QUOTA_TOTAL_BYTES, total, QUOTA_TOTAL),
    ):
        if limit and used + size > limit:
            raise UploadQuotaExceeded(
                message.format(
                    name=name,
                    size=filesizeformat(size),
                    used=filesizeformat(used),
                    limit=filesizeformat(limit),
                )
            )


def upload_create(
    *, kind: str, uploaded: UploadedFile, options: dict, user: AbstractBaseUser
) -> Upload:
    """Keep the file, check it, and store what the checks found for the preview.

    Raises UploadQuotaExceeded (nothing stored) past the analyst's allowance. The file is checked
    under a temporary name and takes its stored name inside the transaction that writes its row
    (uploads.storage): an error or a killed process leaves no row without its file."""
    name = Path(uploaded.name).name
    upload_quota_check(user=user, name=name, size=uploaded.size)
    upload = Upload(
        kind=kind,
        original_name=name[:300],
        size=uploaded.size,
        sha256="",
        options=options,
        status=UploadStatus.CHECKED,
        created_by=user,
    )
    part = part_write(uploaded=uploaded)
    stored = ""
    try:
        upload.sha256 = file_sha256(part)
        sources = mapping_sources(kind=kind, path=part, name=upload.original_name)
        if sources:  # the analyst's own layout: its columns are matched before it is checked
            upload.options = {**options, "source_columns": sources}
            upload.plan = mapping_waiting_plan(
                kind=kind, name=upload.original_name, sources=sources
            )
            upload.status = UploadStatus.MAPPING
        else:
            _check_new(upload, part, options)
        with transaction.atomic():
            stored = part_publish(part=part, name=name, upload_to=Upload._meta.get_field("file"))
            upload.file.name = stored
            upload.save()
    except BaseException:
        part.unlink(missing_ok=True)
        if stored:  # published, but its row was rolled back or never committed
            default_storage.delete(stored)
        raise
    return upload


def _check_new(upload: Upload, part: Path, options: dict) -> None:
    plan = dataset_check(
        kind=upload.kind,
        path=part,
        name=upload.original_name,
        options=import_options(options),
        sha256=upload.sha256,
    )
    upload.plan = plan.as_dict()
    upload.status = UploadStatus.CHECKED if plan.ok else UploadStatus.REFUSED
    if not plan.ok:
        upload.finished_at = timezone.now()


def upload_confirm(*, upload: Upload) -> bool:
    """Queue a checked upload for import (once). Returns False if it was not waiting.

    Raises BrokerUnavailable (IMPORTS_CANNOT_START), leaving the upload waiting for
    confirmation, if the task queue is not answering."""
    broker_check()
    queued = Upload.objects.filter(pk=upload.pk, status=UploadStatus.CHECKED).update(
        status=UploadStatus.QUEUED, step="Waiting for a worker", heartbeat_at=timezone.now()
    )
    if queued:
        transaction.on_commit(lambda: upload_dispatch(upload_id=upload.pk))
    return bool(queued)


def upload_dispatch(*, upload_id: int) -> None:
    """Send the task. In-process (no Redis) it runs here and now: a failure is already recorded
    on the upload by the task, so the page shows it instead of an error page. If the broker
    stopped answering since the check, the upload goes back to waiting for confirmation."""
    from uploads.tasks import import_upload

    try:
        task_send(import_upload, upload_id)
    except BrokerUnavailable:
        log.warning("Upload %s could not be sent: the broker is not answering.", upload_id)
        Upload.objects.filter(pk=upload_id, status=UploadStatus.QUEUED).update(
            status=UploadStatus.CHECKED, step=NOT_SENT, heartbeat_at=None
        )
    except Exception:
        log.exception("Upload %s failed while importing in-process.", upload_id)


def upload_beat(*, upload_id: int) -> None:
    """The running import's heartbeat (written by a thread beside it: taskqueue.heartbeat)."""
    Upload.objects.filter(pk=upload_id, status=UploadStatus.IMPORTING).update(
        heartbeat_at=timezone.now()
    )


def upload_claim(*, upload_id: int, task_id: str) -> bool:
    """Take a queued upload (or one this task already took, when a worker redelivers it)."""
    taken = Upload.objects.filter(pk=upload_id, status=UploadStatus.QUEUED).update(
        status=UploadStatus.IMPORTING, task_id=task_id, heartbeat_at=timezone.now()
    )
    if taken:
        return True
    return (
        bool(task_id)
        and Upload.objects.filter(
            pk=upload_id, status=UploadStatus.IMPORTING, task_id=task_id
        ).exists()
    )


def upload_execute(*, upload_id: int) -> None:
    upload = Upload.objects.get(pk=upload_id)

    def progress(share: float, step: str) -> None:
        try:
            cache.set(
                PROGRESS_KEY.format(upload_id),
                {"progress": round(100 * share), "step": step},
                PROGRESS_SECONDS,
            )
        except RedisError:
            log.warning("Import progress not recorded: the cache (Redis) is not answering.")

    try:
        plan, version = dataset_import(
            kind=upload.kind,
            path=Path(upload.file.path),
            name=upload.original_name,
            options=import_options(upload.options),
            user=upload.created_by,
            progress=progress,
        )
    except ImportRefused as refused:
        _finish(upload, UploadStatus.REFUSED, error=str(refused))
        return
    upload.plan = plan.as_dict()
    upload.dataset_version = version
    _finish(upload, UploadStatus.IMPORTED, step="Imported")


def upload_fail(*, upload_id: int, reason: str) -> None:
    upload = Upload.objects.get(pk=upload_id)
    _finish(upload, UploadStatus.FAILED, error=reason)


def _finish(upload: Upload, status: str, *, error: str = "", step: str = "") -> None:
    upload.status = status
    upload.error = error
    upload.step = step or upload.get_status_display()
    upload.progress = 100 if status == UploadStatus.IMPORTED else upload.progress
    upload.finished_at = timezone.now()
    upload.save()
    try:
        cache.delete(PROGRESS_KEY.format(upload.pk))
    except RedisError:
        log.warning("Import progress not cleared: the cache (Redis) is not answering.")


def upload_progress(*, upload: Upload) -> dict[str, object]:
    """The import's state for the page. With the cache (Redis) down the page still shows the
    upload's own state, without the live percentage."""
    try:
        live = cache.get(PROGRESS_KEY.format(upload.pk)) or {}
    except RedisError:
        live = {}
    finished = upload.status in UPLOAD_FINISHED
    return {
        "status": upload.status,
        "status_label": upload.get_status_display(),
        "progress": 100 if upload.status == UploadStatus.IMPORTED else live.get("progress", 0),
        "step": live.get("step") or upload.step,
        "finished": finished,
    }


IMPORT_STALE = (
    "The worker importing this file stopped without finishing (no sign of life for {seconds} "
    "seconds); nothing was written. Upload the file again."
)
IMPORT_NEVER_TAKEN = (
    "No worker took this import within {minutes} minutes of it being confirmed, so nothing was "
    "imported. Upload the file again; if this goes on, tell whoever runs this service."
)


def uploads_sweep(*, now: datetime) -> dict[str, int]:
    """The sweep's part for imports: fail those whose worker died, send again or fail those left
    queued. Called by `manage.py sweep_tasks` (jsna.sweep)."""
    from uploads.tasks import import_upload  # tasks import services: avoid a cycle

    queued = Upload.objects.filter(status=UploadStatus.QUEUED)
    return {
        "imports failed (worker gone)": stale_fail(
            rows=Upload.objects.filter(status=UploadStatus.IMPORTING),
            now=now,
            failed=UploadStatus.FAILED,
            reason=IMPORT_STALE.format(seconds=settings.TASK_STALE_AFTER_SECONDS),
        ),
        "imports failed (never taken)": queued_give_up(
            rows=queued,
            now=now,
            failed=UploadStatus.FAILED,
            reason=IMPORT_NEVER_TAKEN.format(minutes=settings.TASK_QUEUED_GIVE_UP_SECONDS // 60),
        ),
        "imports sent again": queued_resend(
            rows=queued, now=now, send=lambda pk: task_send(import_upload, pk)
        ),
    }
