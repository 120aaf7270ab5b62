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

    queued = AnalysisRun.objects.filter(status=RunStatus.QUEUED)
    return {
        "runs failed (worker gone)": stale_fail(
            rows=AnalysisRun.objects.filter(status=RunStatus.RUNNING),
            now=now,
            failed=RunStatus.FAILED,
            reason=STALE.format(seconds=settings.TASK_STALE_AFTER_SECONDS),
        ),
        "runs failed (never taken)": queued_give_up(
            rows=queued, now=now, failed=RunStatus.FAILED, reason=_never_taken("run")
        ),
        "runs sent again": queued_resend(
            rows=queued, now=now, send=lambda pk: task_send(run_gap_analysis, pk)
        ),
    }


def exports_sweep(*, now: datetime) -> dict[str, int]:
    from gapanalysis.tasks import export_chapter  # tasks import exports: avoid a cycle

    queued = ChapterExport.objects.filter(status=RunStatus.QUEUED)
    return {
        "exports failed (worker gone)": stale_fail(
            rows=ChapterExport.objects.filter(status=RunStatus.RUNNING),
            now=now,
            failed=RunStatus.FAILED,
            reason=EXPORT_STALE.format(seconds=settings.TASK_STALE_AFTER_SECONDS),
        ),
        "exports failed (never taken)": queued_give_up(
            rows=queued, now=now, failed=RunStatus.FAILED, reason=_never_taken("export")
        ),
        "exports sent again": queued_resend(
            rows=queued, now=now, send=lambda pk: task_send(export_chapter, pk)
        ),
    }


def _never_taken(what: str) -> str:
    return NEVER_TAKEN.format(what=what, minutes=settings.TASK_QUEUED_GIVE_UP_SECONDS // 60)
