"""Mutation testing of the method's pure core with mutmut, and its score per module.

What runs: `mutmut run` with the configuration in pyproject.toml ([tool.mutmut]): every mutant of
the pure modules listed there (estimation, rounding, map classing, deprivation, the gap and its
classes, statements, attribution, benchmarking, expected against recorded, trends) against the
tests selected there. Then the score: killed ÷ (killed + survived), overall and per module, where
a mutant that no selected test runs ("no tests") counts as survived, and the surviving mutants by
name (read them with `.venv/bin/mutmut show NAME`). The target is at least 90% killed.

Run from the repository root (takes minutes; mutmut remembers finished mutants between runs):
    .venv/bin/python bench/mutation.py [--max-children N]
"""

import argparse
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTMUT = ROOT / ".venv" / "bin" / "mutmut"
TARGET = 0.90
# The tests' settings, as `make test` sets them (no secrets, no external services).
ENV = {
    "SECRET_KEY": "test-only-mutation-run-not-a-secret-key-for-any-deployment-0123456789",
    "DEBUG": "0", "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0", "SECURE_HSTS_SECONDS": "0", "MAP_TILES_URL": "",
    "DATABASE_URL": "", "REDIS_URL": "", "MEDIA_ROOT": "/tmp/jsna-mutation-media",
}  # fmt: skip
KILLED = {"killed", "timeout"}  # a mutant that hangs the tests is caught too
ALIVE = {"survived", "no tests"}  # a mutant no selected test even runs is not caught either


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    env = os.environ | ENV
    subprocess.run(
        [str(MUTMUT), "run", "--max-children", str(args.max_children)],
        cwd=ROOT, env=env, check=False, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    listing = subprocess.run(
        [str(MUTMUT), "results", "--all", "true"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    status: dict[str, str] = {}
    for line in listing.splitlines():
        name, _, state = line.strip().rpartition(": ")
        if name:
            status[name] = state.strip()
    modules: dict[str, Counter] = {}
    for name, state in status.items():
        module = name.split(".x_")[0].split(".xǁ")[0]
        modules.setdefault(module, Counter())[state] += 1
    print(f"{'module':<40} {'killed':>7} {'survived':>9} {'other':>6} {'score':>7}")
    totals = Counter()
    for module, counts in sorted(modules.items()):
        killed = sum(counts[s] for s in KILLED)
        survived = sum(counts[s] for s in ALIVE)
        other = sum(counts.values()) - killed - survived
        totals.update({"killed": killed, "survived": survived, "other": other})
        score = killed / (killed + survived) if killed + survived else float("nan")
        print(f"{module:<40} {killed:>7} {survived:>9} {other:>6} {score:>7.1%}")
    score = totals["killed"] / max(totals["killed"] + totals["survived"], 1)
    print(
        f"{'all':<40} {totals['killed']:>7} {totals['survived']:>9} {totals['other']:>6} "
        f"{score:>7.1%}"
    )
    print(f"target: at least {TARGET:.0%} killed: {'met' if score >= TARGET else 'MISSED'}")
    survivors = sorted(name for name, state in status.items() if state in ALIVE)
    if survivors:
        print("survivors (see `.venv/bin/mutmut show NAME`):")
        print("\n".join(f"  {name}" for name in survivors))
    (ROOT / "mutants" / "score.json").write_text(
        json.dumps({"score": score, **totals}), encoding="utf-8"
    )
    sys.exit(0 if score >= TARGET else 1)


if __name__ == "__main__":
    main()
