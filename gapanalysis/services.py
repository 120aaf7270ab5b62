"""Use cases of the gap analysis: start a run, claim it, execute it, record its outcome.

The web page, `manage.py run_gap_analysis` and the Celery task all come through here.
"""

import csv
import logging
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from audit.services import audit_record
from gapanalysis import norm_measures
from gapanalysis.analysis import AnalysisInputError, RunOutput, compute_run
from gapanalysis.models import (
    FINISHED,
    AnalysisRun,
    GapResult,
    GroupResult,
    Norm,
    RunMap,
    RunStatus,
    ServiceTurnover,
    UnmetNeedStatement,
)
from needs import selectors as needs_selectors
from needs.models import Condition, LocalityScheme
from provision import selectors as provision_selectors
from taskqueue.dispatch import BROKER_DOWN, BrokerUnavailable, broker_check, task_send

log = logging.getLogger(__name__)

NO_POPULATION = (
    "No population estimates are loaded: upload them on the Data page (Population estimates) first."
)
NO_SCHEME = (
    "No localities exist yet: upload the area lookup on the Data page (it makes the districts), "
    "or your own localities, first."
)
NO_NORMS = (
    "No ambitions (provision norms) exist yet: add a local norm on the Norms page, or ask "
    "whoever runs the site to load the published ones that come with it."
)
UNKNOWN_NORMS = (
    "No ambition exists with the code {codes}: choose the ambitions from the list on the Need "
    "against provision page."
)
NOT_SENT = (
    "This run could not be sent to the workers (the task queue stopped answering), so nothing "
    "ran. Start it again in a few minutes."
)
NORMS_PATH = Path(__file__).resolve().parent.parent / "fixtures" / "norms.csv"


class AnalysisStartError(ValueError):
    """The run cannot be started as asked; the message says what to do."""


BAD_NORM_UNITS = (
    "{path}: row {row}, column capacity_units: {units} cannot be read as {measure} (accepted: "
    "{accepted})."
)


def _listed(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


@transaction.atomic
def norm_catalogue_load(*, path: Path = NORMS_PATH) -> int:
    """Load the shipped norms (idempotent). `service_types` and `capacity_units` list values
    separated by ';'; a unit the norm's measure cannot read is refused, naming the row."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for number, row in enumerate(rows, start=2):
        units = _listed(row["capacity_units"])
        refused = norm_measures.units_refused(measure=row["measure"], units=units)
        if refused:
            raise ValueError(
                BAD_NORM_UNITS.format(
                    path=path.name,
                    row=number,
                    units=", ".join(refused),
                    measure=row["measure"],
                    accepted=", ".join(norm_measures.accepted_units(row["measure"])) or "none",
                )
            )
        Norm.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "condition": Condition.objects.get(code=row["condition_code"]),
                "service_types": _listed(row["service_types"]),
                "measure": row["measure"],
                "age_min": int(row["age_min"] or 0),
                "age_max": int(row["age_max"]) if row["age_max"] else None,
                "capacity_units": units,
                "measure_source": row["measure_source"],
                "share": float(row["share"]),
                "people_label": row["people_label"],
                "capacity_label": row["capacity_label"],
                "action": row["action"],
                "source": row["source"],
                "source_url": row["source_url"],
            },
        )
    return len(rows)


@transaction.atomic
def norm_add(*, norm: Norm, share_percent: float, user: AbstractBaseUser | None) -> Norm:
    """Save an analyst's local norm and record who added it."""
    norm.share = float(share_percent) / 100
    norm.is_local = True
    norm.save()
    audit_record(user=user, action="created", instance=norm, changes={"share": [None, norm.share]})
    return norm


@transaction.atomic
def turnover_set(
    *, service_type: str, people_per_place: float, source: str, user: AbstractBaseUser | None
) -> ServiceTurnover:
    """Set how many people a year one caseload place of a service type stands for, with its
    source and who set it, in the audit log. Runs already made keep the figure they used."""
    turnover = ServiceTurnover.objects.filter(service_type=service_type).first()
    before = None if turnover is None else [turnover.people_per_place, turnover.source]
    turnover = turnover or ServiceTurnover(service_type=service_type)
    turnover.people_per_place = float(people_per_place)
    turnover.source = source
    turnover.set_by = user if user is not None and user.is_authenticated else None
    turnover.full_clean()
    turnover.save()
    audit_record(
        user=user,
        action="created" if before is None else "changed",
        instance=turnover,
        changes={
            "people_per_place": [before and before[0], turnover.people_per_place],
            "source": [before and before[1], source],
        },
    )
    return turnover


def analysis_start(
    *,
    user: AbstractBaseUser | None,
    norm_codes: list[str] | None = None,
    scheme: LocalityScheme | None = None,
    year: int | None = None,
    adjust_for_deprivation: bool = False,
) -> AnalysisRun:
    """Create a queued run pinned to its inputs, and dispatch its task once the row commits.

    Refused at once, with nothing created, if the task queue is not answering."""
    norms = Norm.objects.filter(code__in=norm_codes) if norm_codes else Norm.objects.all()
    unknown = sorted(set(norm_codes or []) - set(norms.values_list("code", flat=True)))
    if unknown:
        raise AnalysisStartError(UNKNOWN_NORMS.format(codes=", ".join(unknown)))
    if not norms.exists():
        raise AnalysisStartError(NO_NORMS)
    scheme = scheme or needs_selectors.default_locality_scheme()
    if scheme is None:
        raise AnalysisStartError(NO_SCHEME)
    year = year or needs_selectors.latest_population_year(scheme=scheme)
    if year is None:
        raise AnalysisStartError(NO_POPULATION)
    try:
        broker_check()
    except BrokerUnavailable as error:
        raise AnalysisStartError(BROKER_DOWN.format(what="Runs")) from error
    with transaction.atomic():
        run = AnalysisRun.objects.create(
            created_by=user if user and user.is_authenticated else None,
            year=year,
            locality_scheme=scheme,
            is_synthetic=scheme.is_synthetic,
            adjust_for_deprivation=adjust_for_deprivation,
            inputs={
                "financial_year": provision_selectors.latest_financial_year(),
                "dataset_versions": needs_selectors.active_dataset_versions(),
            },
        )
        run.norms.set(norms)
        transaction.on_commit(lambda: analysis_dispatch(run_id=run.pk))
    return run


def analysis_dispatch(*, run_id: int) -> None:
    """Send a run's task. If the broker stopped answering since the check, the run is failed
    with the reason rather than left queued with no message behind it."""
    from gapanalysis.tasks import run_gap_analysis  # tasks import services: avoid a cycle

    try:
        task_send(run_gap_analysis, run_id)
    except BrokerUnavailable:
        log.warning("Run %s could not be sent: the broker is not answering.", run_id)
        analysis_fail(run_id=run_id, reason=NOT_SENT)


MAX_ATTEMPTS = 3
GAVE_UP = "The run was interrupted {n} times (its worker stopped each time); start it again."
STALE = (
    "The worker running this analysis stopped without finishing (no sign of life for "
    "{seconds:.0f} seconds); its partial work was discarded. Start the run again."
)


class RunCancelled(Exception):
    """The run was cancelled (or finished elsewhere) while this worker was computing it."""


def analysis_claim(*, run_id: int, task_id: str = "") -> bool:
    """Take a run for this task: a queued run, or one this same task had when its worker died.

    A conditional UPDATE, so two workers never both hold a run. A task redelivered after its
    worker was killed carries the same task id and may take the run back, up to MAX_ATTEMPTS.
    """
    now = timezone.now()
    mine = Q(status=RunStatus.QUEUED) | Q(status=RunStatus.RUNNING, task_id=task_id or "-")
    claimed = AnalysisRun.objects.filter(Q(pk=run_id) & mine).update(
        status=RunStatus.RUNNING,
        task_id=task_id,
        attempts=F("attempts") + 1,
        started_at=Coalesce(F("started_at"), Value(now)),
        heartbeat_at=now,
        progress=1,
        step="Starting",
    )
    if claimed and AnalysisRun.objects.filter(pk=run_id, attempts__gt=MAX_ATTEMPTS).exists():
        analysis_fail(run_id=run_id, reason=GAVE_UP.format(n=MAX_ATTEMPTS))
        return False
    return claimed == 1


def analysis_requeue(*, run_id: int) -> None:
    """Hand a running run back to the queue (before a retry after a transient error)."""
    AnalysisRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
        status=RunStatus.QUEUED, step="Waiting to retry"
    )


def analysis_fail(*, run_id: int, reason: str) -> None:
    AnalysisRun.objects.filter(pk=run_id).exclude(status__in=FINISHED).update(
        status=RunStatus.FAILED, error=reason, finished_at=timezone.now(), step="Failed"
    )


def analysis_cancel(*, run_id: int) -> bool:
    """Cancel a queued or running run. A running one stops at its next step, keeping nothing."""
    return bool(
        AnalysisRun.objects.filter(pk=run_id)
        .exclude(status__in=FINISHED)
        .update(status=RunStatus.CANCELLED, finished_at=timezone.now(), step="Cancelled")
    )


def analysis_progress(*, run_id: int, progress: int, step: str) -> None:
    """Record progress and a heartbeat; raise RunCancelled if the run is no longer ours."""
    updated = AnalysisRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
        progress=progress, step=step, heartbeat_at=timezone.now()
    )
    if not updated:
        raise RunCancelled(run_id)
    pause = settings.ANALYSIS_STEP_PAUSE_SECONDS
    if pause:  # slow motion for the worker-kill test only; 0 everywhere else
        time.sleep(pause)


def analysis_beat(*, run_id: int) -> None:
    """The running task's heartbeat (written by a thread beside it: taskqueue.heartbeat)."""
    AnalysisRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
        heartbeat_at=timezone.now()
    )


def runs_fail_stale(*, stale_after: float | None = None) -> int:
    """Fail runs whose worker has shown no sign of life for TASK_STALE_AFTER_SECONDS.

    Catches the case the broker cannot: a worker killed outright, whose task will not be
    redelivered before the broker's visibility timeout. Returns the number of runs failed.
    """
    seconds = stale_after if stale_after is not None else settings.TASK_STALE_AFTER_SECONDS
    cutoff = timezone.now() - timedelta(seconds=seconds)
    return AnalysisRun.objects.filter(status=RunStatus.RUNNING, heartbeat_at__lt=cutoff).update(
        status=RunStatus.FAILED,
        error=STALE.format(seconds=seconds),
        finished_at=timezone.now(),
        step="Failed",
    )


def analysis_execute(*, run_id: int) -> None:
    """Compute a claimed run and store its results and maps, all at once or not at all."""
    run = AnalysisRun.objects.select_related("locality_scheme").get(pk=run_id)
    try:
        output = compute_run(
            run=run,
            on_progress=lambda pct, step: analysis_progress(run_id=run_id, progress=pct, step=step),
        )
    except AnalysisInputError as error:
        analysis_fail(run_id=run_id, reason=str(error))
        return
    except RunCancelled:
        log.info("Run %s was cancelled; nothing was stored.", run_id)
        return
    _store(run=run, output=output)


@transaction.atomic
def _store(*, run: AnalysisRun, output: RunOutput) -> None:
    # Delete-then-create in one transaction: a rerun of the same run replaces, never duplicates.
    GapResult.objects.filter(run=run).delete()
    RunMap.objects.filter(run=run).delete()
    UnmetNeedStatement.objects.filter(run=run).delete()
    GapResult.objects.bulk_create(
        (GapResult(run=run, **fields) for fields in output.results), batch_size=2000
    )
    RunMap.objects.bulk_create(RunMap(run=run, **fields) for fields in output.maps)
    UnmetNeedStatement.objects.bulk_create(
        UnmetNeedStatement(run=run, **fields) for fields in output.statements
    )
    GroupResult.objects.filter(run=run).delete()
    GroupResult.objects.bulk_create(GroupResult(run=run, **fields) for fields in output.groups)
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
