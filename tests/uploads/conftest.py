"""Shared by the upload tests: the real files, the tables an import may write, and the web flow.

Uploads go through the real views with the test client; the import task runs in this process
(Celery eager), started by the on-commit callback that confirming an upload registers.
"""

import csv
import html
import io
import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponse
from django.test import Client, TestCase, override_settings
from django.urls import reverse

from jsna.celery import app as celery_app
from jsna.roles import ANALYST
from needs.models import (
    Area,
    AreaIndicator,
    DatasetVersion,
    Deprivation,
    LsoaBestFit,
    PopulationEstimate,
    PrevalenceRate,
    SexTotal,
)
from provision.models import Service
from tests.conftest import PASSWORD, SHARED_DATA
from uploads.models import Upload

WORCESTERSHIRE = SHARED_DATA / "worcestershire"
NO_REAL_DATA = f"the real Worcestershire files are not here: {WORCESTERSHIRE} is absent"
needs_real_data = pytest.mark.skipif(not WORCESTERSHIRE.is_dir(), reason=NO_REAL_DATA)

# The real Worcestershire sequence, in load order: (kind, file, form options).
REAL_SEQUENCE = [
    ("boundaries", "lsoa11_boundaries_bgc.geojson", {}),
    ("lookup", "lookup_lsoa11_msoa11_lad_icb.csv", {}),
    ("lookup", "lookup_lsoa11_to_lsoa21.csv", {}),
    ("boundaries", "lsoa21_boundaries_bgc.geojson", {}),
    ("sex_totals", "census2021_ts008_sex_lsoa21.csv", {}),
    ("population", "population_mid2020_lsoa11_single_year_of_age_persons.csv", {"year": 2020}),
    ("deprivation", "imd2019_lsoa11_ranks_deciles_denominators.csv", {}),
    ("deprivation", "imd2025_lsoa21_scores_ranks_deciles.csv", {}),
]
COMMANDS = {
    "boundaries": "import_boundaries",
    "lookup": "import_lookup",
    "sex_totals": "import_sex_totals",
    "population": "import_population",
    "deprivation": "import_deprivation",
    "rates": "import_rates",
    "services": "import_services",
    "projections": "import_projections",
    "relative_risks": "import_relative_risks",
    "localities": "import_localities",
    "iod_indicators": "import_iod_indicators",
    "qof": "import_qof",
    "gp_practices": "import_gp_practices",
    "practice_lsoa": "import_practice_lsoa",
    "talking_therapies": "import_talking_therapies",
    "indicators": "import_indicators",
}
# Every table an import writes (and the record of the import): a refused or failed import
# leaves each of these counts as it was.
WRITTEN = (
    Area,
    AreaIndicator,
    PopulationEstimate,
    Deprivation,
    SexTotal,
    LsoaBestFit,
    PrevalenceRate,
    Service,
    DatasetVersion,
)
ENGLAND_LSOAS_2021 = 33_755  # IoD2025 ranks run 1..33,755


def snapshot() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in WRITTEN}


@pytest.fixture(autouse=True)
def plain_http_media_and_tasks(settings, tmp_path: Path) -> Iterator[None]:
    """Plain http (DEBUG=0 turns on the https redirect), uploaded files (and those in flight)
    under this test's folder, and the import task in this process even when REDIS_URL names a
    broker."""
    settings.SECURE_SSL_REDIRECT = False
    settings.MEDIA_ROOT = tmp_path / "media"
    incoming = tmp_path / "media" / "uploads-incoming"
    incoming.mkdir(parents=True)  # as settings.py makes it: Django's checks need it (files.E001)
    settings.FILE_UPLOAD_TEMP_DIR = str(incoming)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast personas
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager


def analyst_create(username: str) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD)
    user.groups.set(Group.objects.filter(name=ANALYST))
    return user


@contextmanager
def rolled_back_shared_state(django_db_blocker: object, media: Path) -> Iterator[None]:
    """Database work shared by a class of tests, rolled back when the class is done (each test
    still runs in its own transaction inside it)."""
    with (
        django_db_blocker.unblock(),
        override_settings(SECURE_SSL_REDIRECT=False, MEDIA_ROOT=media),
        transaction.atomic(),
    ):
        eager = celery_app.conf.task_always_eager
        celery_app.conf.task_always_eager = True
        try:
            yield
        finally:
            celery_app.conf.task_always_eager = eager
            transaction.set_rollback(True)


# --- the web flow ---------------------------------------------------------------------------


def text(response: HttpResponse) -> str:
    """A page's HTML with entities decoded, so messages can be matched as written."""
    return html.unescape(response.content.decode())


def upload_post(
    client: Client, *, kind: str, content: bytes, name: str, **options: object
) -> HttpResponse:
    data = {"kind": kind, "file": SimpleUploadedFile(name, content)}
    data |= {key: value for key, value in options.items() if value not in (None, False)}
    return client.post(reverse("uploads:new"), data)


def upload_file(client: Client, *, kind: str, path: Path, name: str = "", **options: object):
    """Upload a file through the form; returns the Upload it created (the page redirects)."""
    before = Upload.objects.count()
    response = upload_post(
        client, kind=kind, content=path.read_bytes(), name=name or path.name, **options
    )
    assert response.status_code == 302, text(response)[:2000]
    assert Upload.objects.count() == before + 1
    upload = Upload.objects.latest("pk")
    assert response["Location"] == reverse("uploads:detail", args=[upload.pk])
    return upload


def detail(client: Client, upload: Upload) -> str:
    response = client.get(reverse("uploads:detail", args=[upload.pk]))
    assert response.status_code == 200
    return text(response)


def confirm(client: Client, upload: Upload) -> HttpResponse:
    """Confirm, then run what was queued on commit (the import task, in this process)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("uploads:confirm", args=[upload.pk]))
    upload.refresh_from_db()
    return response


def confirm_button(upload: Upload) -> str:
    return f'action="{reverse("uploads:confirm", args=[upload.pk])}"'


# --- small files for the demo county --------------------------------------------------------


def demo_lsoa_codes(count: int = 3) -> list[str]:
    codes = Area.objects.filter(level="lsoa21", is_synthetic=True).order_by("code")
    return list(codes.values_list("code", flat=True)[:count])


def csv_bytes(rows: list[list[object]], *, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def population_long_rows(codes: list[str], year: int) -> list[list[object]]:
    """A long population CSV (header first): every area, F and M, ages 0 to 89 and 90+."""
    rows: list[list[object]] = [["area_code", "year", "sex", "age", "count"]]
    for number, code in enumerate(codes):
        for sex in ("F", "M"):
            for age in range(91):
                rows.append([code, year, sex, "90+" if age == 90 else age, 10 + number + age % 7])
    return rows


def imd2025_rows(codes: list[str]) -> list[list[object]]:
    """An IoD2025 file in the snake-case layout (header first), ranks consistent with deciles."""
    rows: list[list[object]] = [["lsoa21_code", "IMD_score", "IMD_rank", "IMD_decile"]]
    for number, code in enumerate(codes):
        rank = 1_000 + (7_919 * number) % 32_000
        decile = math.ceil(10 * rank / ENGLAND_LSOAS_2021)
        rows.append([code, round(40 - number * 3.5, 3), rank, decile])
    return rows


def wide_persons_rows(codes: list[str], *, code_header: str = "lsoa_code") -> list[list[object]]:
    """A persons-only population table (header first): one row per area, one column per age,
    as the shared SAPE extracts are laid out; no year in it."""
    ages = [str(age) for age in range(90)] + ["90+"]
    rows: list[list[object]] = [[code_header, "total_population", *ages]]
    rows += [[code, 91 * 4, *([4] * 91)] for code in codes]
    return rows
