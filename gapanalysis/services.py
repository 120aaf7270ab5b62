"""Use cases of the gap analysis: start a run, claim it, execute it, record its outcome.

The web page, `manage.py run_gap_analysis` and the Celery task all come through here.
"""

import csv
import logging
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from gapanalysis.analysis import AnalysisInputError, RunOutput, compute_run
from gapanalysis.models import AnalysisRun, GapResult, Norm, RunMap, RunStatus
from needs import selectors as needs_selectors
from needs.models import Condition, LocalityScheme

log = logging.getLogger(__name__)

NO_POPULATION = "No population estimates are loaded: load population (or the demo area) first."
NO_SCHEME = "No locality scheme exists: create one (the demo area brings one) first."
NO_NORM = "No provision norm {code!r} exists: load the norm catalogue (manage.py load_catalogue)."
NORMS_PATH = Path(__file__).resolve().parent.parent / "fixtures" / "norms.csv"
DEFAULT_NORM = "talking_therapies_access"


class AnalysisStartError(ValueError):
    """The run cannot be started as asked; the message says what to do."""


@transaction.atomic
def norm_catalogue_load(*, path: Path = NORMS_PATH) -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        Norm.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "condition": Condition.objects.get(code=row["condition_code"]),
                "service_type": row["service_type"],
                "capacity_unit": row["capacity_unit"],
                "share": float(row["share"]),
                "source": row["source"],
                "source_url": row["source_url"],
            },
        )
    return len(rows)


def analysis_start(
    *,
    user: AbstractBaseUser | None,
    norm_code: str = DEFAULT_NORM,
    scheme: LocalityScheme | None = None,
    year: int | None = None,
) -> AnalysisRun:
    """Create a queued run and dispatch its task once the transaction commits."""
    from gapanalysis.tasks import run_gap_analysis  # tasks import services: avoid a cycle

    norm = Norm.objects.filter(code=norm_code).select_related("condition").first()
    if norm is None:
        raise AnalysisStartError(NO_NORM.format(code=norm_code))
    scheme = scheme or needs_selectors.default_locality_scheme()
    if scheme is None:
        raise AnalysisStartError(NO_SCHEME)
    year = year or needs_selectors.latest_population_year()
    if year is None:
        raise AnalysisStartError(NO_POPULATION)
    with transaction.atomic():
        run = AnalysisRun.objects.create(
            created_by=user if user and user.is_authenticated else None,
            year=year,
            condition=norm.condition,
            norm=norm,
            locality_scheme=scheme,
            is_synthetic=scheme.is_synthetic,
        )
        transaction.on_commit(lambda: run_gap_analysis.delay(run.pk))
    return run


def analysis_claim(*, run_id: int) -> bool:
    """Move a queued run to running. False if another worker has it or it has finished."""
    claimed = AnalysisRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=timezone.now(), progress=1, step="Starting"
    )
    return claimed == 1


def analysis_requeue(*, run_id: int) -> None:
    """Hand a running run back to the queue (before a retry after a transient error)."""
    AnalysisRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
        status=RunStatus.QUEUED, step="Waiting to retry"
    )


def analysis_fail(*, run_id: int, reason: str) -> None:
    AnalysisRun.objects.filter(pk=run_id).exclude(status=RunStatus.SUCCEEDED).update(
        status=RunStatus.FAILED, error=reason, finished_at=timezone.now(), step="Failed"
    )


def analysis_progress(*, run_id: int, progress: int, step: str) -> None:
    AnalysisRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
        progress=progress, step=step
    )


def analysis_execute(*, run_id: int) -> None:
    """Compute a claimed run and store its results and maps, all at once or not at all."""
    run = AnalysisRun.objects.select_related("norm", "condition", "locality_scheme").get(pk=run_id)
    try:
        output = compute_run(
            run=run,
            on_progress=lambda pct, step: analysis_progress(run_id=run_id, progress=pct, step=step),
        )
    except AnalysisInputError as error:
        analysis_fail(run_id=run_id, reason=str(error))
        return
    _store(run=run, output=output)


@transaction.atomic
def _store(*, run: AnalysisRun, output: RunOutput) -> None:
    # Delete-then-create in one transaction: a rerun of the same run replaces, never duplicates.
    GapResult.objects.filter(run=run).delete()
    RunMap.objects.filter(run=run).delete()
    GapResult.objects.bulk_create(GapResult(run=run, **fields) for fields in output.results)
    RunMap.objects.bulk_create(RunMap(run=run, **fields) for fields in output.maps)
    updated = AnalysisRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
        status=RunStatus.SUCCEEDED,
        progress=100,
        step="Finished",
        finished_at=timezone.now(),
        inputs=output.inputs,
    )
    if updated != 1:
        # Cancelled or failed meanwhile: roll back rather than attach results to that run.
        transaction.set_rollback(True)
        log.warning("Run %s was no longer running; its results were discarded.", run.pk)
