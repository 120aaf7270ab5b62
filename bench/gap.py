"""Times one full gap-analysis run on an England-sized synthetic input, on PostgreSQL.

What is measured ("end to end"): `analysis_start` (with every shipped norm, the Celery dispatch
patched out), `analysis_claim` and `analysis_execute`, as a worker would call them. Each step is
the time between consecutive `on_progress(pct, step)` calls of `compute_run` (recorded by wrapping
`gapanalysis.services.analysis_progress`); "Storing" is `_store`, which writes results, maps and
statements in one transaction. Generating and loading the input are timed and printed apart.

The input is SYNTHETIC (not a real place): one top area, 300 districts, 33,755 LSOAs as small
squares, a single-year-of-age population for 2023 (~1,700 people an LSOA, 6.1 million rows,
written with COPY), each district a locality, and a Talking Therapies, a CAMHS and a memory
assessment service per district for 2024/25 (catchment: the district); the shipped rates and norms.

Printed: the time of each step and the total, peak RSS (after the load, and at the end: the run's
peak if larger), the input's size, the results written and whether the 60 s target holds.

Run from the repository root: .venv/bin/python bench/gap.py [--keep] [--profile]
It drops and recreates the database jsna_bench (BENCH_DATABASE_URL overrides it); --keep keeps
it afterwards, --profile also prints a cProfile summary of analysis_execute (slowing the run).
"""

import argparse
import cProfile
import io
import itertools
import json
import os
import pstats
import resource
import sys
import time
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import psycopg2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jsna_bench")
os.environ.update(
    DJANGO_SETTINGS_MODULE="jsna.settings",
    DATABASE_URL=DATABASE_URL,
    SECRET_KEY="bench-only-not-a-deployment-secret-key-0123456789",
    REDIS_URL="",
    JSNA_IGNORE_DOTENV="1",
)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402

from gapanalysis import services as gap  # noqa: E402
from gapanalysis.models import AnalysisRun, GapResult, RunStatus  # noqa: E402
from jsna.demo_area import _MALE_KNOTS, _MALE_SHARE, _england_like_profile  # noqa: E402
from jsna.services import catalogue_load  # noqa: E402
from needs import services as needs_services  # noqa: E402
from needs.labels import SYNTHETIC_LABEL  # noqa: E402
from needs.models import Area, Condition, PopulationEstimate  # noqa: E402
from provision.services import services_upsert  # noqa: E402

SEED, YEAR, FINANCIAL_YEAR, TARGET_SECONDS = 20250601, 2023, "2024/25", 60.0
LSOAS, DISTRICTS, GRID = 33_755, 300, 11  # each district a block of up to 11 × 11 LSOAs
AGES = np.arange(91)
STEP_DEGREES = 0.0336  # 20 × 15 districts of 11 × 11 squares: about England's extent
SPECS = (  # type, category, title, conditions, ages, unit, capacity per 1,000 eligible, £/unit
    ("talking_therapies", "therapy", "NHS Talking Therapies", ["cmd"], (16, None),
     "courses_per_year", (18, 45), (250, 400)),
    ("camhs", "clinical", "CAMHS", ["cyp_any"], (0, 17), "caseload_places", (8, 14),
     (2_500, 4_000)),
    ("memory_assessment", "clinical", "Memory Assessment Service", ["dementia"], (18, None),
     "referrals_per_year", (2.5, 4.5), (700, 1_100)),
)  # fmt: skip


def generate() -> dict[str, object]:
    """Every table of the synthetic England, as numpy arrays and frames (no database)."""
    rng = np.random.default_rng(SEED)
    district = np.arange(LSOAS) * DISTRICTS // LSOAS  # ~112.5 LSOAs each, in order
    within = np.arange(LSOAS) - np.searchsorted(district, np.arange(DISTRICTS))[district]
    x = (district % 20) * GRID + within % GRID
    y = (district // 20) * GRID + within // GRID
    lon, lat = -5.7 + x * STEP_DEGREES, 50.0 + y * STEP_DEGREES
    profile = _england_like_profile() * np.exp(rng.normal(0, 0.1, (LSOAS, AGES.size)))
    profile /= profile.sum(axis=1, keepdims=True)
    totals = rng.lognormal(np.log(1_700), 0.2, LSOAS)
    male = np.interp(AGES, _MALE_KNOTS, _MALE_SHARE)
    counts = np.rint((totals[:, None] * profile)[:, None, :] * np.stack([1 - male, male]))
    by_district = np.zeros((DISTRICTS, AGES.size))
    np.add.at(by_district, district, counts.sum(axis=1))
    lsoa_codes = [f"E019{i + 1:05d}" for i in range(LSOAS)]
    district_codes = [f"E079{d + 1:05d}" for d in range(DISTRICTS)]
    services = []
    for d, code in enumerate(district_codes):
        site = int(np.searchsorted(district, d))  # the district's first LSOA
        for stype, category, title, conditions, (low, high), unit, per_1000, cost in SPECS:
            eligible = by_district[d, low : (high or AGES[-1]) + 1].sum()
            capacity = round(eligible / 1_000 * rng.uniform(*per_1000))
            name = f"{title}, Synthetic District {d + 1:03d} (synthetic)"
            services.append(
                {
                    "service_code": f"BENCH-{stype}-{d + 1:03d}", "name": name,
                    "provider": "Synthetic NHS Trust (synthetic)", "provider_type": "nhs_trust",
                    "category": category, "service_type": stype, "conditions": conditions,
                    "age_min": low, "age_max": high, "capacity": capacity,
                    "capacity_unit": unit, "annual_spend": round(capacity * rng.uniform(*cost)),
                    "financial_year": FINANCIAL_YEAR, "source": SYNTHETIC_LABEL,
                    "catchment_codes": [code], "funding": (("nhs", 100),),
                    "sites": ((f"{name} base", "", lon[site] + 0.01, lat[site] + 0.01,
                               lsoa_codes[site]),),
                }
            )  # fmt: skip
    return {
        "district": district, "lon": lon, "lat": lat, "counts": counts,
        "lsoa_codes": lsoa_codes, "district_codes": district_codes,
        "services": pd.DataFrame(services, dtype=object),
    }  # fmt: skip


def copy(table: str, columns: str, frame: pd.DataFrame) -> None:
    buffer = io.StringIO()
    frame.to_csv(buffer, header=False, index=False)
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)", buffer)


@transaction.atomic
def load(data: dict) -> None:
    """Catalogue and areas, population by COPY, the locality scheme and the services."""
    catalogue_load()
    top = Area.objects.create(
        code="E92900001", name="Synthetic England (synthetic)", level="region", is_synthetic=True
    )
    districts = Area.objects.bulk_create(
        Area(code=code, name=f"Synthetic District {i + 1:03d} (synthetic)", level="lad",
             parent=top, is_synthetic=True)
        for i, code in enumerate(data["district_codes"])
    )  # fmt: skip
    lon, lat, step = data["lon"].round(5), data["lat"].round(5), STEP_DEGREES
    squares = [
        json.dumps({"type": "Polygon", "coordinates": [[[x, y], [round(x + step, 5), y],
                    [round(x + step, 5), round(y + step, 5)], [x, round(y + step, 5)], [x, y]]]})
        for x, y in zip(lon.tolist(), lat.tolist(), strict=True)
    ]  # fmt: skip
    lsoas = pd.DataFrame(
        {
            "code": data["lsoa_codes"],
            "name": [f"Synthetic LSOA {i + 1:05d} (synthetic)" for i in range(LSOAS)],
            "level": "lsoa21",
            "parent_id": np.array([a.pk for a in districts])[data["district"]],
            "geometry": squares,
            "is_synthetic": True,
        }
    )
    copy("needs_area", ", ".join(lsoas.columns), lsoas)
    ids = dict(Area.objects.filter(level="lsoa21").values_list("code", "id"))
    area_ids = np.array([ids[code] for code in data["lsoa_codes"]])
    cells = 2 * AGES.size
    for chunk in np.array_split(np.arange(LSOAS), 20):  # ~300,000 rows a COPY
        rows = pd.DataFrame(
            {
                "area_id": np.repeat(area_ids[chunk], cells),
                "year": YEAR,
                "sex": np.tile(np.repeat(["F", "M"], AGES.size), len(chunk)),
                "age": np.tile(AGES, 2 * len(chunk)),
                "count": data["counts"][chunk].ravel().astype(np.int64),
                "is_modelled": False,
            }
        )
        copy("needs_populationestimate", "area_id, year, sex, age, count, is_modelled", rows)
    names = {a.code: a.name for a in districts}
    codes = np.array(data["district_codes"])[data["district"]]
    membership = pd.DataFrame(
        {"area_code": data["lsoa_codes"], "locality_code": codes,
         "locality_name": [names[code] for code in codes]}
    )  # fmt: skip
    all_ids = ids | {a.code: a.pk for a in districts}
    needs_services.locality_scheme_replace(
        name="Synthetic England districts (synthetic)",
        description=f"{SYNTHETIC_LABEL}. Bench input: each district is a locality.",
        membership=membership,
        area_ids=all_ids,
        is_synthetic=True,
    )
    services_upsert(services=data["services"], area_ids=all_ids, is_synthetic=True)


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
    if profiler:
        for order in ("cumulative", "tottime"):
            pstats.Stats(profiler, stream=sys.stdout).sort_stats(order).print_stats(25)
    steps = [(label, later - t) for (t, label), (later, _) in itertools.pairwise(marks)]
    return AnalysisRun.objects.get(pk=run.pk), steps


def admin(sql: str) -> None:
    """Run one statement on the server's `postgres` database, outside any transaction."""
    conn = psycopg2.connect(urlsplit(DATABASE_URL)._replace(path="/postgres").geturl())
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(sql)
    conn.close()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--profile", action="store_true", help="profile analysis_execute")
    args = parser.parse_args()
    name = urlsplit(DATABASE_URL).path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"Refusing to drop and recreate {name!r}: its name must contain 'bench'.")
    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{name}"')
    try:
        start = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"{'migrate (PostgreSQL ' + name + ')':<58} {time.perf_counter() - start:8.2f} s")
        start = time.perf_counter()
        data = generate()
        print(f"{'generate the synthetic input (not in the total)':<58} "
              f"{time.perf_counter() - start:8.2f} s")  # fmt: skip
        start = time.perf_counter()
        load(data)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"{'load it: COPY, ORM, ANALYZE (not in the total)':<58} "
              f"{time.perf_counter() - start:8.2f} s")  # fmt: skip
        del data
        loaded_peak = peak_mb()
        run, steps = timed_run(args.profile)
        for label, seconds in steps:
            print(f"  {label:<56} {seconds:8.2f} s")
        total = sum(seconds for _, seconds in steps)
        print(f"{'end to end (start + claim + execute)':<58} {total:8.2f} s")
        print(f"peak RSS: {loaded_peak:,.0f} MB after the load, {peak_mb():,.0f} MB at the end")
        print(
            f"small areas {Area.objects.filter(level='lsoa21').count():,}; population rows "
            f"{PopulationEstimate.objects.count():,}; conditions {Condition.objects.count()} "
            f"loaded, {run.norms.values('condition').distinct().count()} in the run's norms; "
            f"norms {run.norms.count()}; GapResult rows "
            f"{GapResult.objects.filter(run=run).count():,}"
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
