"""Clean the upload folders: what an interrupted request left, and files no analyst can use.

Deleted: temporary files older than UPLOAD_TEMP_MINUTES; stored files that no Upload row names
(a process killed between storing and committing), once as old; refused uploads (row and file)
UPLOAD_REFUSED_DAYS after they were refused; checked uploads (and those whose columns are being
matched) never confirmed UPLOAD_STALE_DAYS after they were uploaded. Kept: every upload confirmed
for import (queued, importing, imported or failed), whatever its age, so an analyst's data is
never lost. A row whose file has gone is marked `file_missing` (and, if it was waiting for
confirmation, failed with the reason).
"""

import logging
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Q
from django.utils import timezone

from uploads.models import Upload, UploadStatus
from uploads.storage import PART_PREFIX, STORED, incoming_dirs

log = logging.getLogger(__name__)
TEMPORARY_NAMES = (f"{PART_PREFIX}*", "tmp*.upload*")  # uploads.storage's, Django's (while read)
FILE_MISSING = (
    "The stored file was not found by the clean-up on {date:%d %B %Y}; upload it again to "
    "import it."
)


@dataclass
class Cleaned:
    temporary_files: int = 0
    orphan_files: int = 0
    refused_uploads: int = 0
    stale_uploads: int = 0
    missing_files_marked: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _age_start(path: Path) -> datetime:
    """When a file last changed, or was linked to its name (a link keeps the old mtime)."""
    stat = path.stat()
    return datetime.fromtimestamp(max(stat.st_mtime, stat.st_ctime), tz=UTC)


def _remove_old_files(files: list[Path], *, before: datetime) -> int:
    removed = 0
    for path in files:
        try:
            if _age_start(path) < before:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue  # removed meanwhile (its request finished, or another sweep)
    return removed


def _delete_uploads(uploads: object, *, status: str) -> int:
    """Delete each upload still in `status` (a conditional delete, so one confirmed meanwhile is
    kept), then its file; a file left by a kill here is an orphan for the next sweep."""
    deleted = 0
    for pk, name in uploads.values_list("pk", "file"):
        gone, _ = Upload.objects.filter(pk=pk, status=status).delete()
        if gone:
            deleted += 1
            if name:
                default_storage.delete(name)
    return deleted


def upload_deleted_after(*, upload: Upload) -> datetime | None:
    """When the clean-up will delete this upload (refused, or never confirmed); None: never."""
    if upload.status == UploadStatus.REFUSED:
        return (upload.finished_at or upload.created_at) + timedelta(
            days=settings.UPLOAD_REFUSED_DAYS
        )
    if upload.status in (UploadStatus.CHECKED, UploadStatus.MAPPING):
        return upload.created_at + timedelta(days=settings.UPLOAD_STALE_DAYS)
    return None


def uploads_clean(*, now: datetime | None = None) -> Cleaned:
    now = now or timezone.now()
    cleaned = Cleaned()
    temp_before = now - timedelta(minutes=settings.UPLOAD_TEMP_MINUTES)
    for folder in incoming_dirs():
        # Only files named as ours and Django's are (FILE_UPLOAD_TEMP_DIR may be a shared folder).
        files = [
            path for pattern in TEMPORARY_NAMES for path in folder.glob(pattern) if path.is_file()
        ]
        cleaned.temporary_files += _remove_old_files(files, before=temp_before)

    refused_before = now - timedelta(days=settings.UPLOAD_REFUSED_DAYS)
    refused = Upload.objects.filter(status=UploadStatus.REFUSED).filter(
        Q(finished_at__lt=refused_before)
        | Q(finished_at__isnull=True, created_at__lt=refused_before)
    )
    cleaned.refused_uploads = _delete_uploads(refused, status=UploadStatus.REFUSED)
    for waiting in (UploadStatus.CHECKED, UploadStatus.MAPPING):  # never confirmed
        stale = Upload.objects.filter(
            status=waiting, created_at__lt=now - timedelta(days=settings.UPLOAD_STALE_DAYS)
        )
        cleaned.stale_uploads += _delete_uploads(stale, status=waiting)

    # Orphans: read the names after listing the files, so a row committed meanwhile is seen.
    stored_root = Path(settings.MEDIA_ROOT) / STORED
    files = [path for path in stored_root.rglob("*") if path.is_file()]
    named = set(Upload.objects.values_list("file", flat=True))
    orphans = [
        path for path in files if path.relative_to(settings.MEDIA_ROOT).as_posix() not in named
    ]
    cleaned.orphan_files = _remove_old_files(orphans, before=temp_before)

    for upload in Upload.objects.filter(file_missing=False).only("pk", "file", "status"):
        if upload.file.name and default_storage.exists(upload.file.name):
            continue
        cleaned.missing_files_marked += Upload.objects.filter(pk=upload.pk).update(
            file_missing=True
        )
        Upload.objects.filter(pk=upload.pk, status=UploadStatus.CHECKED).update(
            status=UploadStatus.FAILED, error=FILE_MISSING.format(date=now), finished_at=now
        )
    log.info("Uploads cleaned: %s", cleaned.as_dict())
    return cleaned
