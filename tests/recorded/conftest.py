"""The real county, loaded once per module through load_county's path (every file through the
importers, from JSNA_SHARED_DATA), rolled back when the module is done."""

from collections.abc import Iterator

import pytest
from django.db import transaction

from jsna.county import county_load
from tests.test_county import demo_remove
from tests.uploads.conftest import WORCESTERSHIRE


@pytest.fixture(scope="module")
def worcestershire(django_db_setup, django_db_blocker) -> Iterator[None]:
    if not WORCESTERSHIRE.is_dir():
        pytest.skip(f"{WORCESTERSHIRE} is absent")
    with django_db_blocker.unblock(), transaction.atomic():
        demo_remove()
        county_load(folder=WORCESTERSHIRE)
        yield
        transaction.set_rollback(True)
