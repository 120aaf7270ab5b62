"""Bulk writes: binary COPY on PostgreSQL (indexes dropped and rebuilt for large loads), batched
inserts elsewhere; either way all rows or none."""

import numpy as np
import pandas as pd
import pytest
from django.db import IntegrityError, connection, transaction

from needs import bulk
from needs.models import Area, PopulationEstimate

pytestmark = pytest.mark.django_db
on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="binary COPY and index rebuilds are PostgreSQL's"
)


def population(area_ids: list[int], *, year: int = 2031) -> pd.DataFrame:
    ages = np.arange(91)
    rows = [(a, year, sex, age) for a in area_ids for sex in ("F", "M") for age in ages]
    frame = pd.DataFrame(rows, columns=["area_id", "year", "sex", "age"])
    frame["count"] = (frame["age"] % 7 + 0.5).astype(float)
    frame["is_modelled"] = frame["sex"] == "F"
    return frame


def table_definitions() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'needs_populationestimate'::regclass"
        )
        constraints = set(cursor.fetchall())
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename = 'needs_populationestimate'"
        )
        return constraints | set(cursor.fetchall())


def test_rows_arrive_exactly_as_given():
    ids = list(Area.objects.filter(level="lsoa21").values_list("id", flat=True)[:3])
    frame = population(ids)
    with transaction.atomic():
        assert bulk.copy_frame(PopulationEstimate, frame) == len(frame) == 3 * 182
    stored = pd.DataFrame(
        PopulationEstimate.objects.filter(year=2031)
        .order_by("area_id", "sex", "age")
        .values("area_id", "year", "sex", "age", "count", "is_modelled")
    )
    expected = frame.sort_values(["area_id", "sex", "age"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(stored, expected, check_dtype=False)


@on_postgres
def test_a_large_load_rebuilds_every_index_and_constraint_as_it_was(monkeypatch):
    monkeypatch.setattr(bulk, "REBUILD_FROM", 10)
    before = table_definitions()
    ids = list(Area.objects.filter(level="lsoa21").values_list("id", flat=True)[:5])
    with transaction.atomic():
        bulk.copy_frame(PopulationEstimate, population(ids))
    assert table_definitions() == before
    assert PopulationEstimate.objects.filter(year=2031).count() == 5 * 182


@on_postgres
def test_a_large_load_that_breaks_a_constraint_leaves_nothing_and_the_indexes_intact(monkeypatch):
    monkeypatch.setattr(bulk, "REBUILD_FROM", 10)
    before = table_definitions()
    ids = list(Area.objects.filter(level="lsoa21").values_list("id", flat=True)[:2])
    frame = pd.concat([population(ids), population(ids[:1])])  # the first area twice
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.copy_frame(PopulationEstimate, frame)
    assert PopulationEstimate.objects.filter(year=2031).count() == 0
    assert table_definitions() == before


@on_postgres
def test_a_large_load_naming_an_area_that_does_not_exist_is_refused_by_the_foreign_key(
    monkeypatch,
):
    monkeypatch.setattr(bulk, "REBUILD_FROM", 10)
    missing = Area.objects.order_by("-id").values_list("id", flat=True).first() + 1000
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.copy_frame(PopulationEstimate, population([missing]))
    assert PopulationEstimate.objects.filter(year=2031).count() == 0
