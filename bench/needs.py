"""Times the expected-cases estimation at England scale against a plain numpy reference.

What is measured: `needs.prevalence.estimation.expected_cases_array` on a seeded synthetic
population shaped like England's small areas (33,755 LSOAs × 2 sexes × 91 single years of age
× 16 projection years, float64) against every condition in the shipped rate catalogue. The
reference is the bare BLAS matrix product over the same arrays — the weights (a row per condition
for people at risk, a row per condition for expected cases, a row per distinct sex × age band of
the published cells), built before the clock starts, times the population viewed as (area, sex ·
age, year) — with nothing else: no weights to build, no bounds to combine, no results to label.
It is the floor the estimation cannot beat, so the ratio says how much the estimation adds to
the arithmetic (chiefly the 95% bounds, each cell's error combined in quadrature). The two agree
on everything the product gives (rtol 1e-9).

Printed: the first and best-of-3 wall times of each, their ratio, peak memory (process peak RSS,
and the tracemalloc peak of one estimation call alone — numpy reports its buffers to tracemalloc)
and whether the targets hold: estimation under 2 s, ratio to the bare product ≤ 1.5, peak
memory under 2 GB.

Run from the repository root: .venv/bin/python bench/needs.py   (no Django settings needed)
"""

import os
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from needs.importers.rates import parse  # noqa: E402
from needs.prevalence.estimation import (  # noqa: E402
    BAND_PEOPLE,
    expected_cases_array,
    rate_arrays,
)

MAX_AGE = 90  # needs.models.MAX_AGE, repeated here to keep Django out
AREAS, SEXES, AGES, YEARS = 33_755, 2, MAX_AGE + 1, 16
TARGET_SECONDS, TARGET_RATIO, TARGET_BYTES = 2.0, 1.5, 2 * 1024**3
Measures = dict[str, np.ndarray]


def synthetic_population(seed: int = 2024) -> np.ndarray:
    """(area, sex, age, year): ~1,600 people an area, an ageing profile, growing ~0.5% a year."""
    rng = np.random.default_rng(seed)
    age = np.arange(AGES)
    profile = np.exp(-(((age - 40) / 35.0) ** 2)) + 0.4 * (age < 18)
    profile[MAX_AGE] = 6 * profile[MAX_AGE - 1]  # the open 90+ band holds several years
    profile = np.stack([profile * 1.02, profile]) / (2.02 * profile.sum())  # (sex, age), sums 1
    sizes = rng.lognormal(np.log(1_600), 0.15, AREAS)
    cells = sizes[:, None, None] * profile * rng.gamma(20.0, 1 / 20.0, (AREAS, SEXES, AGES))
    growth = 1.005 ** np.arange(YEARS) * rng.normal(1.0, 0.002, YEARS)
    population = np.empty((AREAS, SEXES, AGES, YEARS))
    np.multiply(cells[..., None], growth, out=population)
    return population


def bare_product(weights: np.ndarray, population: np.ndarray) -> Callable[[], np.ndarray]:
    """The bare BLAS product: (2C + D, S·G) @ (A, S·G, Y), the weights built beforehand."""
    areas, sexes, ages, years = population.shape
    stacked = population.reshape(areas, sexes * ages, years)  # a view: no copy
    return lambda: weights @ stacked


T = TypeVar("T")


def timed(action: Callable[[], T], runs: int = 3) -> tuple[float, float, T]:
    """First and best wall time over `runs` calls, and the last result."""
    times: list[float] = []
    result = None
    for _ in range(runs):
        result = None  # free the previous result before the next call allocates its own
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return times[0], min(times), result  # type: ignore[return-value]


def traced_peak(action: Callable[[], Measures]) -> int:
    """Bytes at the tracemalloc peak of one call (allocations made during it only)."""
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def line(label: str, value: str) -> None:
    print(f"{label:<36} {value}")


def met(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main() -> None:
    line("machine", f"{os.cpu_count()} CPUs, numpy {np.__version__}, Python {sys.version[:6]}")
    population = synthetic_population()
    line(
        "population (area, sex, age, year)", f"{population.shape}, {population.nbytes / 1e6:.0f} MB"
    )
    parsed = parse(ROOT / "fixtures" / "prevalence_rates.csv", max_age=MAX_AGE)
    assert not parsed.errors, parsed.errors
    applied = parsed.rates[parsed.rates["role"] == "applied"]  # reference rows are never applied
    rates = rate_arrays(applied, max_age=MAX_AGE)
    line(
        "conditions",
        f"{len(rates.conditions)} (every one applied in fixtures/prevalence_rates.csv), "
        f"{len(rates.below)} published cells in {len(rates.bands)} distinct bands",
    )

    first, best, estimated = timed(lambda: expected_cases_array(population, rates))
    rss_estimation = peak_rss()
    traced = traced_peak(lambda: expected_cases_array(population, rates))
    bare = bare_product(rates.weights(), population)
    ref_first, ref_best, product = timed(bare)
    conditions = len(rates.conditions)
    expected = {
        "population": product[:, :conditions],
        "expected_cases": product[:, conditions : 2 * conditions],
        BAND_PEOPLE: product[:, 2 * conditions :],
    }
    for name, values in expected.items():
        np.testing.assert_allclose(estimated[name], values, rtol=1e-9, err_msg=name)
    ratio = best / ref_best

    line("estimation (first run)", f"{first:8.3f} s")
    line("estimation (best of 3)", f"{best:8.3f} s")
    line("bare BLAS product (first run)", f"{ref_first:8.3f} s")
    line("bare BLAS product (best of 3)", f"{ref_best:8.3f} s")
    line("ratio estimation / bare product", f"{ratio:8.2f}")
    line("results agree (rtol 1e-9)", "yes")
    line("tracemalloc peak, one estimation", f"{traced / 1e6:8.0f} MB")
    line("peak RSS, population + estimation", f"{rss_estimation / 1e6:8.0f} MB")
    line("peak RSS, whole run (with reference)", f"{peak_rss() / 1e6:8.0f} MB")
    line(f"target: estimation < {TARGET_SECONDS:g} s", met(best < TARGET_SECONDS))
    line(f"target: ratio <= {TARGET_RATIO:g}", met(ratio <= TARGET_RATIO))
    line("target: peak memory < 2 GB", met(rss_estimation < TARGET_BYTES))


if __name__ == "__main__":
    main()
