"""The sweep's part for runs and exports: fail those whose worker died, send again or fail those
left queued. Called by `manage.py sweep_tasks` (jsna.sweep), a long-running sweeper process."""

from datetime import datetime

from django.conf import settings

from gapanalysis.models import AnalysisRun, ChapterExport, RunStatus
from gapanalysis.services import STALE
from taskqueue.dispatch import task_send
from taskqueue.sweep import queued_give_up, queued_resend, stale_fail

EXPORT_STALE = (
    "The worker making this export stopped without finishing (no sign of life for "
    "{seconds} seconds); nothing was kept. Start the export again."
)
NEVER_TAKEN = (
    "No worker took this {what} within {minutes} minutes of it being queued, so nothing ran. "
    "Start it again; if this goes on, tell whoever runs this service (are the workers running?)."
)


def runs_sweep(*, now: datetime) -> dict[str, int]:
    from gapanalysis.tasks import run_gap_analysis  # tasks import services: avoid a cycle

    return _sweep(AnalysisRun, run_gap_analysis, "run", STALE, now=now)


def exports_sweep(*, now: datetime) -> dict[str, int]:
    from gapanalysis.tasks import export_chapter  # tasks import exports: avoid a cycle

    return _sweep(ChapterExport, export_chapter, "export", EXPORT_STALE, now=now)


def _sweep(model: type, task: object, what: str, stale: str, *, now: datetime) -> dict[str, int]:
    """Runs and exports share their statuses: fail the stale, give up or send the queued."""
    queued = model.objects.filter(status=RunStatus.QUEUED)
    return {
        f"{what}s failed (worker gone)": stale_fail(
            rows=model.objects.filter(status=RunStatus.RUNNING),
            now=now,
            failed=RunStatus.FAILED,
            reason=stale.format(seconds=settings.TASK_STALE_AFTER_SECONDS),
        ),
        f"{what}s failed (never taken)": queued_give_up(
            rows=queued, now=now, failed=RunStatus.FAILED, reason=_never_taken(what)
        ),
        f"{what}s sent again": queued_resend(
            rows=queued, now=now, send=lambda pk: task_send(task, pk)
        ),
    }


def _never_taken(what: str) -> str:
    return NEVER_TAKEN.format(what=what, minutes=settings.TASK_QUEUED_GIVE_UP_SECONDS // 60)
