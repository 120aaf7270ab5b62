"""Times the thin path on the synthetic demo county, step by step, and prints the figures.

Run: .venv/bin/python bench/thin_path.py   (uses a throwaway SQLite database)
"""

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB = Path(tempfile.mkdtemp()) / "bench.sqlite3"
os.environ.update(
    DJANGO_SETTINGS_MODULE="jsna.settings",
    DATABASE_URL=f"sqlite:///{DB}",
    SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-not-a-deployment-secret-key-0123456789"),
    REDIS_URL="",
    JSNA_IGNORE_DOTENV="1",
)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from gapanalysis.models import AnalysisRun  # noqa: E402
from gapanalysis.services import analysis_start  # noqa: E402
from jsna.demo_area import generate_demo_area  # noqa: E402
from jsna.services import demo_load  # noqa: E402


def timed(label: str, action: Callable[[], T]) -> T:
    start = time.perf_counter()
    value = action()
    print(f"{label:<40} {time.perf_counter() - start:8.3f} s")
    return value


def main() -> None:
    timed("migrate (SQLite)", lambda: call_command("migrate", verbosity=0))
    timed("generate the demo county", generate_demo_area)
    timed("load the demo county", demo_load)
    run = timed("analysis run, in-process", lambda: analysis_start(user=None))
    run = AnalysisRun.objects.get(pk=run.pk)
    print(f"run {run.pk}: {run.status}; {run.results.count()} results, {run.maps.count()} maps")
    sizes = [len(m.html.encode()) for m in run.maps.all()]
    print(f"map documents: {', '.join(f'{s / 1024:.0f} KiB' for s in sizes)}")


if __name__ == "__main__":
    main()
