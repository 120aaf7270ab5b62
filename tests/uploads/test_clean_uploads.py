"""`clean_uploads`: refused and never-confirmed uploads go, with their files, after their time;
confirmed ones stay whatever their age; what interrupted uploads left is swept.

The uploads are the real Worcestershire files, through the upload page; age is given to them by
moving their dates back.
"""

import os
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.uploads.conftest import WORCESTERSHIRE, confirm, needs_real_data, upload_file
from uploads.cleanup import uploads_clean
from uploads.models import Upload, UploadStatus
from uploads.tasks import clean_uploads

pytestmark = [pytest.mark.django_db, needs_real_data]

REFUSED = ("deprivation", "imd2025_lsoa21_scores_ranks_deciles.csv")  # its areas are not loaded
IMPORTABLE = ("lookup", "lookup_lsoa11_to_lsoa21.csv")
CHECKED = ("boundaries", "msoa21_boundaries_bgc.geojson")


def upload(client, kind_and_name: tuple[str, str]) -> Upload:
    kind, name = kind_and_name
    return upload_file(client, kind=kind, path=WORCESTERSHIRE / name)


def age(upload: Upload, *, days: int) -> None:
    then = timezone.now() - timedelta(days=days)
    Upload.objects.filter(pk=upload.pk).update(
        created_at=then, finished_at=then if upload.finished_at else None
    )


def stored(upload: Upload) -> Path:
    return Path(settings.MEDIA_ROOT) / upload.file.name


@pytest.fixture
def aged(client, analyst, settings) -> dict[str, Upload]:
    """One upload in each state the clean-up decides about, all older than every limit."""
    settings.UPLOAD_REFUSED_DAYS, settings.UPLOAD_STALE_DAYS = 7, 30
    client.force_login(analyst)
    uploads = {
        "refused": upload(client, REFUSED),
        "checked": upload(client, CHECKED),
        "imported": upload(client, IMPORTABLE),
    }
    confirm(client, uploads["imported"])
    failed = upload(client, IMPORTABLE)
    Upload.objects.filter(pk=failed.pk).update(
        status=UploadStatus.FAILED, error="The import stopped unexpectedly: the worker was lost"
    )
    uploads["failed"] = failed
    assert [uploads[key].status for key in ("refused", "checked", "imported")] == [
        UploadStatus.REFUSED,
        UploadStatus.CHECKED,
        UploadStatus.IMPORTED,
    ]
    for each in uploads.values():
        age(each, days=31)
        each.refresh_from_db()
        assert stored(each).is_file()
    return uploads


def test_refused_and_never_confirmed_uploads_are_deleted_with_their_files(aged):
    cleaned = uploads_clean()
    assert (cleaned.refused_uploads, cleaned.stale_uploads) == (1, 1)
    for key in ("refused", "checked"):
        assert not Upload.objects.filter(pk=aged[key].pk).exists(), key
        assert not stored(aged[key]).exists(), key


def test_imported_and_failed_uploads_are_kept_with_their_files_however_old(aged):
    uploads_clean()
    for key in ("imported", "failed"):
        kept = Upload.objects.get(pk=aged[key].pk)
        assert kept.status == aged[key].status and not kept.file_missing, key
        assert stored(aged[key]).read_bytes() == (WORCESTERSHIRE / IMPORTABLE[1]).read_bytes()


def test_uploads_younger_than_their_limit_are_kept(aged):
    age(aged["refused"], days=6)
    age(aged["checked"], days=29)
    cleaned = uploads_clean()
    assert (cleaned.refused_uploads, cleaned.stale_uploads) == (0, 0)
    assert Upload.objects.count() == 4 and all(stored(each).is_file() for each in aged.values())


def test_the_limits_come_from_the_settings(aged, settings):
    age(aged["refused"], days=3)
    settings.UPLOAD_REFUSED_DAYS = 2
    assert uploads_clean().refused_uploads == 1


def test_a_stored_file_no_row_names_and_old_temporary_files_are_swept(aged, settings):
    orphan = stored(aged["imported"]).with_name("left-by-a-killed-request.csv")
    orphan.write_bytes(b"lsoa11_code\n")
    incoming = Path(settings.MEDIA_ROOT) / "uploads-incoming"
    part = incoming / "part-abc123.csv"
    part.write_bytes(b"half a file")
    django_temp = Path(settings.FILE_UPLOAD_TEMP_DIR) / "tmpq1w2e3.upload.csv"
    django_temp.write_bytes(b"half a file")
    someone_elses = Path(settings.FILE_UPLOAD_TEMP_DIR) / "notes.txt"  # if the folder is shared
    someone_elses.write_bytes(b"not an upload")

    settings.UPLOAD_TEMP_MINUTES = 120  # just written: an upload may still be in flight
    young = uploads_clean()
    assert (young.orphan_files, young.temporary_files) == (0, 0)
    assert orphan.exists() and part.exists() and django_temp.exists()

    settings.UPLOAD_TEMP_MINUTES = 0
    old = uploads_clean()
    assert (old.orphan_files, old.temporary_files) == (1, 2)
    assert not orphan.exists() and not part.exists() and not django_temp.exists()
    assert someone_elses.exists()
    assert stored(aged["imported"]).is_file()  # a file its row names is never an orphan


def test_a_row_whose_file_is_gone_is_marked_and_can_no_longer_be_confirmed(client, aged, settings):
    settings.UPLOAD_STALE_DAYS = 90  # the checked upload is not stale yet
    stored(aged["checked"]).unlink()
    assert uploads_clean().missing_files_marked == 1
    checked = Upload.objects.get(pk=aged["checked"].pk)
    assert checked.file_missing and checked.status == UploadStatus.FAILED
    assert "The stored file was not found by the clean-up" in checked.error
    page = client.get(reverse("uploads:detail", args=[checked.pk])).content.decode()
    assert "The stored file was not found by the clean-up" in page
    assert uploads_clean().missing_files_marked == 0  # marked once


def test_the_command_and_the_scheduled_task_say_what_they_deleted(aged):
    out = StringIO()
    call_command("clean_uploads", stdout=out)
    assert "     1  refused uploads (record and file)" in out.getvalue()
    assert "     1  uploads never confirmed (record and file)" in out.getvalue()
    assert clean_uploads.delay().get() == {
        "temporary_files": 0,
        "orphan_files": 0,
        "refused_uploads": 0,
        "stale_uploads": 0,
        "missing_files_marked": 0,
    }
    assert Upload.objects.count() == 2


def test_the_clean_up_is_on_the_beat_schedule(settings):
    from jsna.celery import app

    entry = app.conf.beat_schedule["clean-uploads"]
    assert entry["task"] == clean_uploads.name
    assert entry["schedule"] == 60.0 * settings.UPLOAD_CLEAN_EVERY_MINUTES


def test_a_file_given_its_name_just_now_is_kept_though_its_contents_are_older(settings):
    settings.UPLOAD_TEMP_MINUTES = 1
    incoming = Path(settings.FILE_UPLOAD_TEMP_DIR)
    incoming.mkdir(parents=True, exist_ok=True)
    part = incoming / "tmpstill.upload.csv"
    part.write_bytes(b"x")
    long_ago = (timezone.now() - timedelta(hours=3)).timestamp()
    os.utime(part, (long_ago, long_ago))  # as a link or rename keeps the contents' time
    assert uploads_clean().temporary_files == 0 and part.exists()


def test_the_page_of_an_upload_says_when_it_will_be_deleted_and_a_kept_one_does_not(client, aged):
    age(aged["refused"], days=2)
    age(aged["checked"], days=2)
    pages = {
        key: client.get(reverse("uploads:detail", args=[aged[key].pk])).content.decode()
        for key in aged
    }
    in_5_days = (timezone.localtime() + timedelta(days=5)).strftime("%-d %B %Y")
    in_28_days = (timezone.localtime() + timedelta(days=28)).strftime("%-d %B %Y")
    assert f"{in_5_days}; then this upload and its file are deleted" in pages["refused"]
    assert (
        f"{in_28_days}, unless you confirm the import; then this upload and its file are deleted"
    ) in pages["checked"]
    assert "Kept until" not in pages["imported"] and "Kept until" not in pages["failed"]
