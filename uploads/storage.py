"""Where an uploaded file is written, so that an interrupted request leaves nothing behind.

A received file is first copied to a `part-…` file in MEDIA_ROOT/uploads-incoming (Django's own
temporary files for large uploads, FILE_UPLOAD_TEMP_DIR, sit there too by default). It is checked
there, then hard-linked under its final name in MEDIA_ROOT/uploads/ inside the transaction that
writes its Upload row, just before that transaction commits. So a process killed at any moment
leaves either the row and its file, or a file no row names: a temporary file, or a stored file
without a row. `clean_uploads` (uploads.cleanup) removes those once they are older than
UPLOAD_TEMP_MINUTES, so a request still in progress is never disturbed.
"""

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db.models import FileField

INCOMING = "uploads-incoming"
STORED = "uploads"  # Upload.file's upload_to starts here
PART_PREFIX = "part-"


def incoming_dirs() -> list[Path]:
    """The folders temporary upload files are written to (created if missing): the `.part`
    folder under MEDIA_ROOT, and Django's FILE_UPLOAD_TEMP_DIR if that is somewhere else."""
    folders = [Path(settings.MEDIA_ROOT) / INCOMING]
    if settings.FILE_UPLOAD_TEMP_DIR:
        folders.append(Path(settings.FILE_UPLOAD_TEMP_DIR))
    unique = list(dict.fromkeys(folder.resolve() for folder in folders))
    for folder in unique:
        folder.mkdir(parents=True, exist_ok=True)
    return unique


def part_write(*, uploaded: UploadedFile) -> Path:
    """Copy a received file to a new temporary file under MEDIA_ROOT (same file system as the
    stored uploads, so publishing it is a link, not a copy). Keeps the file's suffix: importers
    choose a reader by it."""
    incoming = incoming_dirs()[0]
    suffix = Path(uploaded.name or "").suffix.lower()[:10]
    handle, name = tempfile.mkstemp(prefix=PART_PREFIX, suffix=suffix, dir=incoming)
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in uploaded.chunks():
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def part_publish(*, part: Path, name: str, upload_to: FileField) -> str:
    """Give the checked file its stored name under MEDIA_ROOT/uploads/ (never over another file)
    and remove the temporary name. Returns the storage name for the Upload row. `upload_to`:
    the FileField whose naming rule applies."""
    wanted = upload_to.generate_filename(None, name)
    while True:
        stored = default_storage.get_available_name(wanted, max_length=upload_to.max_length)
        target = Path(default_storage.path(stored))
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(part, target)  # atomic, and fails rather than replace a file of that name
        except FileExistsError:
            continue  # another request took the name between choosing and linking
        break
    part.unlink()
    os.utime(target)  # its age, for the sweep of unrecorded files, starts now
    return stored
