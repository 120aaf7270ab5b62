"""Times one full gap-analysis run on an England-sized synthetic input, on PostgreSQL.

Measured ("end to end"): `analysis_start` (every shipped norm; the Celery dispatch patched out),
`analysis_claim` and `analysis_execute`, as a worker calls them. A step is the time between two
`on_progress(pct, step)` calls of `compute_run` (recorded by wrapping `analysis_progress`); the
last is `_store`, writing results, maps and statements. Generating and loading the input are
timed apart. Printed too: peak RSS after the load and at the end, sizes, and the 60 s target.

The input is SYNTHETIC: 33,755 square LSOAs in 300 districts (each a locality) under one top
area; 2023 population by sex and single age (~1,700 an LSOA: 6.1 million rows, written by COPY);
per district a Talking Therapies, a CAMHS and a memory service (2024/25); the shipped catalogue.

Run from the repository root: .venv/bin/python bench/gap.py [--keep] [--profile]
It drops and recreates the database jsna_bench (BENCH_DATABASE_URL overrides the URL); --keep
keeps it afterwards; --profile prints a cProfile summary of analysis_execute (slowing it).
"""

import argparse
import cProfile
import io
import itertools
import json
import pstats
import sys
import time
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.common import peak_mb

DATABASE_URL = common.django_setup("jsna_bench")

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402

from gapanalysis import services as gap  # noqa: E402
from gapanalysis.models import AnalysisRun, GapResult, RunStatus  # noqa: E402
from jsna.demo_area import _MALE_KNOTS, _MALE_SHARE, _england_like_profile  # noqa: E402
from jsna.services import catalogue_load  # noqa: E402
from needs.labels import SYNTHETIC_LABEL  # noqa: E402
from needs.models import Area, Condition, PopulationEstimate  # noqa: E402
from needs.services import locality_scheme_replace  # noqa: E402
from provision.services import services_upsert  # noqa: E402

SEED, YEAR, FINANCIAL_YEAR, TARGET_SECONDS = 20250601, 2023, "2024/25", 60.0
LSOAS, DISTRICTS, GRID, SIDE = 33_755, 300, 11, 0.0336  # 20 × 15 districts of ≤ 11 × 11 squares
AGES = np.arange(91)
SPECS = (  # type, category, title, conditions, ages, unit, capacity per 1,000 eligible, £/unit
    ("talking_therapies", "therapy", "NHS Talking Therapies", ["cmd"], (16, None),
     "courses_per_year", (18, 45), (250, 400)),
    ("camhs", "clinical", "CAMHS", ["cyp_any"], (0, 17), "caseload_places", (8, 14),
     (2_500, 4_000)),
    ("memory_assessment", "clinical", "Memory Assessment Service", ["dementia"], (18, None),
     "referrals_per_year", (2.5, 4.5), (700, 1_100)),
)  # fmt: skip


def generate() -> dict:
    """The synthetic England as arrays and frames (no database); the same every time."""
    rng = np.random.default_rng(SEED)
    district = np.arange(LSOAS) * DISTRICTS // LSOAS  # ~112.5 LSOAs each, in order
    first = np.searchsorted(district, np.arange(DISTRICTS))  # each district's first LSOA
    within = np.arange(LSOAS) - first[district]
    lon = -5.7 + ((district % 20) * GRID + within % GRID) * SIDE
    lat = 50.0 + ((district // 20) * GRID + within // GRID) * SIDE
    profile = _england_like_profile() * np.exp(rng.normal(0, 0.1, (LSOAS, AGES.size)))
    profile /= profile.sum(axis=1, keepdims=True)
    people = rng.lognormal(np.log(1_700), 0.2, LSOAS)[:, None] * profile
    male = np.interp(AGES, _MALE_KNOTS, _MALE_SHARE)
    counts = np.rint(people[:, None, :] * np.stack([1 - male, male]))  # (LSOA, sex F/M, age)
    by_district = np.zeros((DISTRICTS, AGES.size))
    np.add.at(by_district, district, counts.sum(axis=1))
    codes = [f"E079{d + 1:05d}" for d in range(DISTRICTS)]
    lsoa_codes = [f"E019{i + 1:05d}" for i in range(LSOAS)]
    services = []
    for (d, code), spec in itertools.product(enumerate(codes), SPECS):
        stype, category, title, conditions, (low, high), unit, per_1000, cost = spec
        eligible = by_district[d, low : (high or 90) + 1].sum() / 1_000
        capacity = round(eligible * rng.uniform(*per_1000))
        name, site = f"{title}, district {d + 1:03d} (synthetic)", first[d]
        services.append(dict(
            service_code=f"BENCH-{stype}-{d + 1:03d}", name=name, category=category,
            provider="Synthetic NHS Trust (synthetic)", provider_type="nhs_trust",
            service_type=stype, conditions=conditions, age_min=low, age_max=high,
            capacity=capacity, capacity_unit=unit, financial_year=FINANCIAL_YEAR,
            annual_spend=round(capacity * rng.uniform(*cost)), source=SYNTHETIC_LABEL,
            catchment_codes=[code], funding=(("nhs", 100),),
            sites=((f"{name} base", "", lon[site] + 0.01, lat[site] + 0.01, lsoa_codes[site]),),
        ))  # fmt: skip
    return dict(
        district=district, lon=lon, lat=lat, counts=counts, lsoa_codes=lsoa_codes,
        district_codes=codes, services=pd.DataFrame(services, dtype=object),
    )  # fmt: skip


def copy(table: str, frame: pd.DataFrame) -> None:
    """Write a frame's rows with PostgreSQL COPY (CSV; an empty field is NULL)."""
    buffer = io.StringIO()
    frame.to_csv(buffer, header=False, index=False)
    buffer.seek(0)
    sql = f"COPY {table} ({', '.join(frame.columns)}) FROM STDIN WITH (FORMAT csv)"
    with connection.cursor() as cursor:
        cursor.copy_expert(sql, buffer)


@transaction.atomic
def load(data: dict) -> None:
    """The catalogue, the areas, the population (COPY), the localities and the services."""
    catalogue_load()
    top = Area.objects.create(
        code="E92900001", name="Synthetic England (synthetic)", level="region", is_synthetic=True
    )
    names = [f"Synthetic district {d + 1:03d} (synthetic)" for d in range(DISTRICTS)]
    districts = Area.objects.bulk_create(
        Area(code=code, name=name, level="lad", parent=top, is_synthetic=True)
        for code, name in zip(data["district_codes"], names, strict=True)
    )
    x0, y0 = data["lon"].round(5).tolist(), data["lat"].round(5).tolist()
    x1, y1 = (data["lon"] + SIDE).round(5).tolist(), (data["lat"] + SIDE).round(5).tolist()
    squares = [
        json.dumps({"type": "Polygon", "coordinates": [[[a, b], [c, b], [c, d], [a, d], [a, b]]]})
        for a, b, c, d in zip(x0, y0, x1, y1, strict=True)
    ]
    lsoa = dict(code=data["lsoa_codes"], level="lsoa21", geometry=squares, is_synthetic=True)
    lsoa |= dict(name=[f"Synthetic LSOA {i + 1:05d} (synthetic)" for i in range(LSOAS)])
    lsoa |= dict(parent_id=np.array([a.pk for a in districts])[data["district"]])
    copy("needs_area", pd.DataFrame(lsoa))
    ids = dict(Area.objects.filter(level="lsoa21").values_list("code", "id"))
    area_ids = np.array([ids[code] for code in data["lsoa_codes"]])
    for chunk in np.array_split(np.arange(LSOAS), 20):  # ~300,000 rows a COPY
        cells = dict(area_id=np.repeat(area_ids[chunk], 2 * AGES.size), year=YEAR)
        cells |= dict(sex=np.tile(np.repeat(["F", "M"], AGES.size), len(chunk)))
        cells |= dict(age=np.tile(AGES, 2 * len(chunk)), is_modelled=False)
        cells |= dict(count=data["counts"][chunk].ravel().astype(np.int64))
        copy("needs_populationestimate", pd.DataFrame(cells))
    locality = np.array(data["district_codes"])[data["district"]]
    membership = pd.DataFrame(
        dict(area_code=data["lsoa_codes"], locality_code=locality,
             locality_name=np.array(names)[data["district"]])
    )  # fmt: skip
    ids |= {a.code: a.pk for a in districts}
    description = f"{SYNTHETIC_LABEL}. Bench input: each district is a locality."
    locality_scheme_replace(
        name="Synthetic England districts (synthetic)", description=description,
        membership=membership, area_ids=ids, is_synthetic=True,
    )  # fmt: skip
    services_upsert(services=data["services"], area_ids=ids, is_synthetic=True)


def timed_run(profile: bool) -> tuple[AnalysisRun, list[tuple[str, float]]]:
    """Start, claim and execute a run with every norm; (label, seconds) for each step."""
    marks: list[tuple[float, str]] = [(time.perf_counter(), "Creating the run (analysis_start)")]
    original_progress, original_store = gap.analysis_progress, gap._store

    def recording_progress(*, run_id: int, progress: int, step: str) -> None:
        marks.append((time.perf_counter(), f"{step} ({progress}%)"))
        original_progress(run_id=run_id, progress=progress, step=step)

    def recording_store(**kwargs: object) -> None:
        marks.append((time.perf_counter(), "Storing results, maps, statements (_store)"))
        original_store(**kwargs)

    with mock.patch("gapanalysis.tasks.run_gap_analysis.delay") as dispatch:
        run = gap.analysis_start(user=None)
    assert dispatch.called, "the run's task was not dispatched"
    marks.append((time.perf_counter(), "Claiming the run (analysis_claim)"))
    assert gap.analysis_claim(run_id=run.pk, task_id="bench"), "the run could not be claimed"
    marks.append((time.perf_counter(), "Reading the run and its norms"))
    profiler = cProfile.Profile() if profile else None
    with (
        mock.patch.object(gap, "analysis_progress", recording_progress),
        mock.patch.object(gap, "_store", recording_store),
    ):
        if profiler:
            profiler.runcall(gap.analysis_execute, run_id=run.pk)
        else:
            gap.analysis_execute(run_id=run.pk)
    marks.append((time.perf_counter(), "end"))
    for order in ("cumulative", "tottime") if profiler else ():
        pstats.Stats(profiler, stream=sys.stdout).sort_stats(order).print_stats(25)
    steps = [(label, later - t) for (t, label), (later, _) in itertools.pairwise(marks)]
    return AnalysisRun.objects.get(pk=run.pk), steps


def admin(sql: str) -> None:
    common.admin(DATABASE_URL, sql)


def show(label: str, seconds: float) -> None:
    common.show(label, seconds, width=66)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--profile", action="store_true", help="profile analysis_execute")
    args = parser.parse_args()
    name = urlsplit(DATABASE_URL).path.lstrip("/")
    if "bench" not in name:  # it is dropped: never point this at a real or a test database
        sys.exit(f"Refusing to drop and recreate {name!r}: its name must contain 'bench'.")
    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{name}"')
    try:
        start = time.perf_counter()
        call_command("migrate", verbosity=0)
        show(f"migrate (PostgreSQL, {name})", time.perf_counter() - start)
        start = time.perf_counter()
        data = generate()
        show("generate the synthetic input (not in the total)", time.perf_counter() - start)
        start = time.perf_counter()
        load(data)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        show("load it: COPY, ORM, commit, ANALYZE (not in the total)", time.perf_counter() - start)
        del data
        loaded_peak = peak_mb()
        run, steps = timed_run(args.profile)
        for label, seconds in steps:
            show(f"  {label}", seconds)
        total = sum(seconds for _, seconds in steps)
        show("end to end (start + claim + execute)", total)
        print(f"peak RSS: {loaded_peak:,.0f} MB after the load, {peak_mb():,.0f} MB at the end")
        conditions = run.norms.values("condition").distinct().count()
        print(
            f"small areas {Area.objects.filter(level='lsoa21').count():,}; population rows "
            f"{PopulationEstimate.objects.count():,}; conditions {Condition.objects.count()} "
            f"loaded, {conditions} in the norms; norms {run.norms.count()}; "
            f"GapResult rows {GapResult.objects.filter(run=run).count():,}"
        )
        print(f"run {run.pk}: {run.status}" + (f": {run.error}" if run.error else ""))
        met = "met" if total < TARGET_SECONDS else "MISSED"
        print(f"target: under {TARGET_SECONDS:.0f} s end to end: {met}")
        assert run.status == RunStatus.SUCCEEDED, run.error
    finally:
        connections.close_all()
        if not args.keep:
            admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
