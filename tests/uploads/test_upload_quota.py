"""Each analyst's allowance: a new file that would take them past it is refused, by name and
with the allowance and what is used, before anything is stored."""

from pathlib import Path

import pytest
from django.conf import settings

from tests.uploads.conftest import (
    WORCESTERSHIRE,
    analyst_create,
    needs_real_data,
    text,
    upload_file,
    upload_post,
)
from uploads.models import Upload, UploadStatus

pytestmark = [pytest.mark.django_db, needs_real_data]

LOOKUP = WORCESTERSHIRE / "lookup_lsoa11_msoa11_lad_icb.csv"  # 83,869 bytes
IMD2025 = WORCESTERSHIRE / "imd2025_lsoa21_scores_ranks_deciles.csv"  # 92,973 bytes
KB = 1024


def media_files() -> list[Path]:
    return sorted(path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file())


def post(client, path: Path, kind: str = "deprivation") -> str:
    response = upload_post(client, kind=kind, content=path.read_bytes(), name=path.name)
    assert response.status_code == 200  # the form again, not a redirect to a stored upload
    return text(response).replace("\xa0", " ")  # sizes are written with no-break spaces


def test_a_file_past_the_allowance_for_uploads_not_imported_is_refused_and_not_kept(
    client, analyst, settings
):
    settings.UPLOAD_QUOTA_PENDING_BYTES = 150 * KB
    client.force_login(analyst)
    first = upload_file(client, kind="lookup", path=LOOKUP)
    files_before = media_files()
    page = post(client, IMD2025)
    assert (
        "imd2025_lsoa21_scores_ranks_deciles.csv (90.8 KB) was not kept: your uploads not yet "
        "imported (checked, refused or failed) already hold 81.9 KB of your 150.0 KB allowance "
        "(JSNA_UPLOAD_QUOTA_PENDING_MB)."
    ) in page
    assert list(Upload.objects.all()) == [first]
    assert media_files() == files_before  # nothing stored, nothing left in flight


def test_imported_files_count_only_towards_the_total_allowance(client, analyst, settings):
    settings.UPLOAD_QUOTA_PENDING_BYTES = 300 * KB
    settings.UPLOAD_QUOTA_TOTAL_BYTES = 200 * KB
    client.force_login(analyst)
    first = upload_file(client, kind="lookup", path=LOOKUP)
    Upload.objects.filter(pk=first.pk).update(status=UploadStatus.IMPORTED)
    settings.UPLOAD_QUOTA_PENDING_BYTES = 150 * KB
    upload_file(client, kind="deprivation", path=IMD2025)  # 90.8 KB not imported: allowed
    settings.UPLOAD_QUOTA_PENDING_BYTES = 300 * KB  # 172.7 KB with the next: allowed

    page = post(client, LOOKUP, kind="lookup")
    assert (
        "lookup_lsoa11_msoa11_lad_icb.csv (81.9 KB) was not kept: your stored uploads already "
        "hold 172.7 KB of your 200.0 KB allowance (JSNA_UPLOAD_QUOTA_TOTAL_MB)."
    ) in page
    assert Upload.objects.count() == 2


def test_another_analysts_uploads_do_not_count(client, analyst, settings):
    settings.UPLOAD_QUOTA_PENDING_BYTES = 150 * KB
    client.force_login(analyst_create("bea"))
    upload_file(client, kind="lookup", path=LOOKUP)
    client.force_login(analyst)
    upload_file(client, kind="deprivation", path=IMD2025)
    assert Upload.objects.count() == 2


def test_an_allowance_of_zero_means_no_limit(client, analyst, settings):
    settings.UPLOAD_QUOTA_PENDING_BYTES = settings.UPLOAD_QUOTA_TOTAL_BYTES = 0
    client.force_login(analyst)
    for _ in range(2):
        upload_file(client, kind="deprivation", path=IMD2025)
    assert Upload.objects.count() == 2
