"""Times importing an England-sized population file through the real import path, on PostgreSQL.

Measured ("import", end to end): `uploads.services.dataset_import(kind="population", ...)` with
`ImportOptions(year=None)` and the file's name, exactly as `manage.py import_population FILE`
calls it: parse (needs.importers.ons_population), check the codes against the loaded areas,
sort, then in one transaction delete the rows replaced, write with `needs.bulk.copy_frame`
(binary COPY, the table's indexes and constraints dropped and rebuilt) and record the
DatasetVersion. Its steps are timed by wrapping the `progress` callback (a step lasts from its
first report to the first report of the next step); a finer breakdown comes from wrapping
`ons_population.parse`, `needs.bulk.copy_frame`, `needs.bulk._without_indexes` and
`needs.bulk.pack_binary`, and timing every SQL statement (connection.execute_wrapper).

Baseline ("raw COPY"): the same file into `bare (area_code text, year int, sex text, age int,
count double precision)`, no indexes or constraints, with `COPY ... (FORMAT csv, HEADER true)`
through psycopg2's copy_expert, committed. It runs first; a CHECKPOINT precedes each of the two.

The input is SYNTHETIC: 33,755 2021 LSOAs (codes E01000001 ..., no geometry) and a long CSV
(area_code, year, sex, age, count) of their mid-2023 population by sex (F, M) and single age
0..90 (~1,700 people an LSOA, seeded numpy): 6.1 million rows. Writing it is timed apart.

Printed: the rows, both times, import/raw and write-phase/raw, the targets (import under 60 s,
import/raw at most 2) and whether each is met, peak RSS, and the checks (rows and the sum of the
counts in the table against the file's; the table's indexes and constraints as before).

Run from the repository root: .venv/bin/python bench/imports.py [--keep] [--profile]
It drops and recreates the database jsna_bench_imports (BENCH_DATABASE_URL overrides the URL);
--keep keeps it afterwards; --profile prints a cProfile summary of the import (slowing it).
"""

import argparse
import cProfile
import itertools
import os
import pstats
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.common import peak_mb

DATABASE_URL = common.django_setup("jsna_bench_imports")

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.db.models import Sum  # noqa: E402

from jsna.demo_area import _MALE_KNOTS, _MALE_SHARE, _england_like_profile  # noqa: E402
from needs import bulk  # noqa: E402
from needs.importers import ons_population  # noqa: E402
from needs.imports import ImportOptions  # noqa: E402
from needs.models import Area, DatasetVersion, PopulationEstimate  # noqa: E402
from uploads.services import dataset_import  # noqa: E402

SEED, YEAR, LSOAS, AGES = 20250602, 2023, 33_755, np.arange(91)
TARGET_SECONDS, TARGET_RATIO = 60.0, 2.0
FILE_NAME = f"population_mid{YEAR}_lsoa21_long.csv"
CHUNK_LSOAS = 2_000  # the file is written this many LSOAs (364,000 rows) at a time
SLOW_SQL = 0.05  # statements at least this slow are listed
DELETE = "delete the rows replaced (plan.write starts)"
RECORD = "record the DatasetVersion, commit"


def lsoa_codes() -> list[str]:
    return [f"E01{i + 1:06d}" for i in range(LSOAS)]


def counts() -> np.ndarray:
    """Whole-number counts shaped (LSOA, sex F/M, age 0..90); the same every time."""
    rng = np.random.default_rng(SEED)
    profile = _england_like_profile() * np.exp(rng.normal(0, 0.1, (LSOAS, AGES.size)))
    profile /= profile.sum(axis=1, keepdims=True)
    people = rng.lognormal(np.log(1_700), 0.2, LSOAS)[:, None] * profile
    male = np.interp(AGES, _MALE_KNOTS, _MALE_SHARE)
    return np.rint(people[:, None, :] * np.stack([1 - male, male])).astype(np.int64)


def write_file(path: Path, cells: np.ndarray, codes: list[str]) -> None:
    """The long CSV (area_code, year, sex, age, count), one row per LSOA, sex and age."""
    sexes = np.repeat(np.array(["F", "M"], dtype=object), AGES.size)
    with path.open("w", newline="") as handle:
        for start in range(0, LSOAS, CHUNK_LSOAS):
            part = cells[start : start + CHUNK_LSOAS]
            n = len(part)
            frame = pd.DataFrame(
                dict(
                    area_code=np.repeat(np.array(codes[start : start + n], dtype=object), 182),
                    year=YEAR,
                    sex=np.tile(sexes, n),
                    age=np.tile(AGES, 2 * n),
                    count=part.ravel(),
                )
            )
            frame.to_csv(handle, header=start == 0, index=False)


def create_areas(codes: list[str]) -> None:
    Area.objects.bulk_create(
        (
            Area(code=code, name=f"Synthetic LSOA {i + 1:05d} (synthetic)", level="lsoa21",
                 is_synthetic=True)
            for i, code in enumerate(codes)
        ),
        batch_size=5_000,
    )  # fmt: skip


def raw_copy(path: Path) -> float:
    """Seconds to COPY the CSV into a bare table (created and committed beforehand)."""
    conn = psycopg2.connect(DATABASE_URL)
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE bare (area_code text, year int, sex text, age int, "
                "count double precision)"
            )
            conn.commit()
            conn.autocommit = True
            cursor.execute("CHECKPOINT")
            conn.autocommit = False
            start = time.perf_counter()
            with path.open("rb") as handle:
                cursor.copy_expert("COPY bare FROM STDIN WITH (FORMAT csv, HEADER true)", handle)
            conn.commit()
            return time.perf_counter() - start
    finally:
        conn.close()


def table_shape() -> list[tuple[str, str]]:
    """The population table's indexes and constraints (name, definition), sorted."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s UNION ALL "
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass ORDER BY 1",
            [PopulationEstimate._meta.db_table] * 2,
        )
        return sorted(cursor.fetchall())  # an index and its constraint share a name


class Recorder:
    """Marks in time from the progress callback (steps) and from wrapped internals (detail)."""

    def __init__(self) -> None:
        self.steps: list[tuple[float, str]] = []
        self.detail: list[tuple[float, str]] = []
        self.sql: list[tuple[float, str]] = []
        self.packing = 0.0

    def progress(self, share: float, step: str) -> None:
        if not self.steps or self.steps[-1][1] != step:
            self.steps.append((time.perf_counter(), step))
            if step.startswith("Removing"):  # plan.write starts
                self.mark(DELETE)

    def mark(self, label: str) -> None:
        self.detail.append((time.perf_counter(), label))

    def statement(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.sql.append((time.perf_counter() - start, " ".join(str(sql).split())))

    @contextmanager
    def patched(self):
        parse, copy_frame = ons_population.parse, bulk.copy_frame
        without_indexes, pack_binary = bulk._without_indexes, bulk.pack_binary

        def timed_parse(*args: object, **kwargs: object) -> object:
            self.mark("parse the CSV (ons_population.parse)")
            try:
                return parse(*args, **kwargs)
            finally:
                self.mark("check codes, plan; file SHA-256 (plan_population, dataset_import)")

        def timed_copy_frame(*args: object, **kwargs: object) -> int:
            self.mark("copy_frame: set-up")
            try:
                return copy_frame(*args, **kwargs)
            finally:
                self.mark(RECORD)

        @contextmanager
        def timed_without_indexes(*args: object, **kwargs: object):
            self.mark("drop indexes and constraints (needs.bulk)")
            with without_indexes(*args, **kwargs):
                self.mark("pack and COPY in binary, chunk by chunk (needs.bulk)")
                yield
                self.mark("re-create indexes and constraints (needs.bulk)")
            self.mark("copy_frame: finishing")

        def timed_pack(*args: object, **kwargs: object) -> bytes:
            start = time.perf_counter()
            try:
                return pack_binary(*args, **kwargs)
            finally:
                self.packing += time.perf_counter() - start

        with (
            mock.patch.object(ons_population, "parse", timed_parse),
            mock.patch.object(bulk, "copy_frame", timed_copy_frame),
            mock.patch.object(bulk, "_without_indexes", timed_without_indexes),
            mock.patch.object(bulk, "pack_binary", timed_pack),
            connection.execute_wrapper(self.statement),
        ):
            yield


def timed_import(path: Path, profile: bool) -> tuple[float, Recorder, object]:
    recorder = Recorder()
    call = dict(
        kind="population", path=path, name=path.name, options=ImportOptions(year=None),
        progress=recorder.progress,
    )  # fmt: skip
    profiler = cProfile.Profile() if profile else None
    with recorder.patched():
        start = time.perf_counter()
        recorder.mark("start, until parsing")
        if profiler:
            _, version = profiler.runcall(dataset_import, **call)
        else:
            _, version = dataset_import(**call)
        end = time.perf_counter()
        recorder.mark("end")
    recorder.steps.append((end, "end"))
    for order in ("cumulative", "tottime") if profiler else ():
        pstats.Stats(profiler, stream=sys.stdout).sort_stats(order).print_stats(25)
    return end - start, recorder, version


def admin(sql: str) -> None:
    common.admin(DATABASE_URL, sql)


def show(label: str, seconds: float) -> None:
    common.show(label, seconds, width=72)


def server() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        parts = [f"PostgreSQL {cursor.fetchone()[0]}"]
        for setting in ("shared_buffers", "maintenance_work_mem", "max_wal_size", "wal_level"):
            cursor.execute(f"SHOW {setting}")
            parts.append(f"{setting} {cursor.fetchone()[0]}")
    return ", ".join(parts) + f"; {os.cpu_count()} CPUs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--profile", action="store_true", help="profile the import")
    args = parser.parse_args()
    name = urlsplit(DATABASE_URL).path.lstrip("/")
    if "bench" not in name:  # it is dropped: never point this at a real or a test database
        sys.exit(f"Refusing to drop and recreate {name!r}: its name must contain 'bench'.")
    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory(prefix="jsna_bench_imports_") as folder:
            start = time.perf_counter()
            call_command("migrate", verbosity=0)
            show(f"migrate (PostgreSQL, {name})", time.perf_counter() - start)
            print(server())
            codes = lsoa_codes()
            start = time.perf_counter()
            create_areas(codes)
            show(
                f"create {LSOAS:,} synthetic lsoa21 areas (bulk_create)",
                time.perf_counter() - start,
            )
            start = time.perf_counter()
            cells = counts()
            path = Path(folder) / FILE_NAME
            write_file(path, cells, codes)
            rows, total = cells.size, int(cells.sum())
            del cells
            show(
                f"write the synthetic file ({rows:,} rows, {path.stat().st_size / 2**20:,.0f} MiB;"
                " not timed below)",
                time.perf_counter() - start,
            )
            before_mb = peak_mb()
            raw = raw_copy(path)
            show("raw COPY: CSV into a bare table (psycopg2 copy_expert, commit)", raw)
            shape = table_shape()
            with connection.cursor() as cursor:
                cursor.execute("CHECKPOINT")
            seconds, recorder, version = timed_import(path, args.profile)
            print("import steps, as reported to the progress callback:")
            for (t, label), (later, _) in itertools.pairwise(recorder.steps):
                show(f"  {label}", later - t)
            print("import in detail (wrapped internals):")
            for (t, label), (later, _) in itertools.pairwise(recorder.detail):
                show(f"  {label}", later - t)
                if label.startswith("pack and COPY"):
                    show("    of which packing rows (needs.bulk.pack_binary)", recorder.packing)
            print(f"SQL statements of the import taking {SLOW_SQL} s or more:")
            for took, sql in recorder.sql:
                if took >= SLOW_SQL:
                    show(f"  {sql[:68]}", took)
            show("import, end to end (dataset_import)", seconds)
            marks = {label: t for t, label in recorder.detail}
            write = marks[RECORD] - marks[DELETE]
            show("  of which the write phase (delete, drop, COPY, rebuild indexes)", write)
            print(f"rows: {rows:,}")
            print(
                f"import / raw COPY: {seconds / raw:.2f}; write phase / raw COPY: {write / raw:.2f}"
            )
            met = "met" if seconds < TARGET_SECONDS else "MISSED"
            print(f"target: import under {TARGET_SECONDS:.0f} s: {met} ({seconds:.1f} s)")
            met = "met" if seconds / raw <= TARGET_RATIO else "MISSED"
            print(
                f"target: import / raw COPY at most {TARGET_RATIO:g}: {met} ({seconds / raw:.2f})"
            )
            met = "within" if write / raw <= TARGET_RATIO else "over"
            print(f"  (the write phase alone is {met} {TARGET_RATIO:g}× raw: {write / raw:.2f})")
            print(
                f"peak RSS: {before_mb:,.0f} MB before the import, {peak_mb():,.0f} MB at the end"
            )
            stored = PopulationEstimate.objects.count()
            summed = PopulationEstimate.objects.aggregate(total=Sum("count"))["total"]
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*), sum(count) FROM bare")
                bare_rows, bare_sum = cursor.fetchone()
            checks = {
                f"PopulationEstimate rows {stored:,} = file rows {rows:,}": stored == rows,
                f"sum of counts {summed:,.0f} = file's sum {total:,}": summed == total,
                f"bare rows {bare_rows:,}, sum {bare_sum:,.0f} = the file's": (bare_rows, bare_sum)
                == (rows, total),
                f"DatasetVersion {version.pk} records {version.rows:,} rows": version.rows == rows
                and DatasetVersion.objects.filter(pk=version.pk).exists(),
                f"indexes and constraints as before ({len(shape)})": table_shape() == shape,
            }
            for label, passed in checks.items():
                print(f"check: {label}: {'ok' if passed else 'FAILED'}")
            assert all(checks.values()), "a correctness check failed"
    finally:
        connections.close_all()
        if not args.keep:
            admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
