"""An upload interrupted inside the request leaves neither a row nor a file.

The request fails at a real point of the work: after the real file was received and checked, or
after it took its stored name but before its row committed. What a killed process leaves (no
chance to tidy up) is in test_killed_server.py.
"""

from pathlib import Path

import pytest
from django.conf import settings

from tests.uploads.conftest import WORCESTERSHIRE, needs_real_data, upload_file, upload_post
from uploads import services
from uploads.models import Upload, UploadStatus

pytestmark = [pytest.mark.django_db, needs_real_data]

IMD2025 = WORCESTERSHIRE / "imd2025_lsoa21_scores_ranks_deciles.csv"


class WorkerStopped(Exception):
    """Stands for whatever ends a request early: a timeout, a lost database, a deploy."""


def files_under(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.exists() else []


def media() -> Path:
    return Path(settings.MEDIA_ROOT)


def stop_after_check(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Let the real check run, then stop the request; returns the plans it made."""
    real, plans = services.dataset_check, []

    def check_then_stop(**kwargs: object) -> object:
        plans.append(real(**kwargs))
        raise WorkerStopped("stopped after the check")

    monkeypatch.setattr(services, "dataset_check", check_then_stop)
    return plans


def test_an_upload_stopped_after_its_check_leaves_no_file_and_no_row(client, analyst, monkeypatch):
    client.force_login(analyst)
    checked = stop_after_check(monkeypatch)
    with pytest.raises(WorkerStopped):
        upload_post(client, kind="deprivation", content=IMD2025.read_bytes(), name=IMD2025.name)
    assert checked and checked[0].rows > 0  # the real file was received and checked
    assert Upload.objects.count() == 0
    assert files_under(media()) == []


def test_an_upload_stopped_after_its_row_was_written_but_not_committed_leaves_neither(
    client, analyst, monkeypatch
):
    client.force_login(analyst)
    real_save, stored_when_saved = Upload.save, []

    def save_then_stop(upload: Upload, *args: object, **kwargs: object) -> None:
        real_save(upload, *args, **kwargs)
        stored_when_saved.append((media() / upload.file.name).is_file())
        raise WorkerStopped("stopped after the row was written")

    monkeypatch.setattr(Upload, "save", save_then_stop)
    with pytest.raises(WorkerStopped):
        upload_post(client, kind="deprivation", content=IMD2025.read_bytes(), name=IMD2025.name)
    assert stored_when_saved == [True]
    assert Upload.objects.count() == 0  # the row's transaction was rolled back
    assert files_under(media()) == []  # and the file it named, stored by then, is gone


def test_a_checked_file_is_stored_under_its_own_name_and_nothing_is_left_in_flight(client, analyst):
    client.force_login(analyst)
    upload = upload_file(client, kind="deprivation", path=IMD2025)
    stored = media() / upload.file.name
    assert upload.file.name.startswith("uploads/") and stored.name == IMD2025.name
    assert stored.read_bytes() == IMD2025.read_bytes()
    assert files_under(media()) == [stored]  # no temporary file beside it


def test_a_second_file_of_the_same_name_never_replaces_the_first(client, analyst):
    client.force_login(analyst)
    first = upload_file(client, kind="deprivation", path=IMD2025)
    second = upload_file(client, kind="deprivation", path=IMD2025)
    assert first.file.name != second.file.name
    assert (media() / first.file.name).read_bytes() == IMD2025.read_bytes()
    assert (media() / second.file.name).read_bytes() == IMD2025.read_bytes()
    assert {first.status, second.status} <= {UploadStatus.CHECKED, UploadStatus.REFUSED}


def test_a_long_file_name_is_shortened_to_fit_its_column(client, analyst, tmp_path):
    client.force_login(analyst)
    long_name = tmp_path / ("imd2025_" + "x" * 150 + ".csv")
    long_name.write_bytes(IMD2025.read_bytes())
    upload = upload_file(client, kind="deprivation", path=long_name)
    assert len(upload.file.name) <= Upload._meta.get_field("file").max_length
    assert upload.file.name.endswith(".csv") and upload.original_name == long_name.name
    assert (media() / upload.file.name).read_bytes() == IMD2025.read_bytes()
