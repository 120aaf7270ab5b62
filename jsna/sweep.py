"""The sweep over everything the workers do: runs, chapter exports and imports.

Run periodically by `manage.py sweep_tasks --every 30` (the compose `sweeper` service), a
process of its own so it works when every worker is dead. Each part fails rows whose worker
died (heartbeat older than TASK_STALE_AFTER_SECONDS), sends rows left queued once more, and
fails those no worker took within TASK_QUEUED_GIVE_UP_SECONDS.
"""

from django.utils import timezone

from gapanalysis.sweep import exports_sweep, runs_sweep
from uploads.services import uploads_sweep


def tasks_sweep() -> dict[str, int]:
    """One sweep; returns how many rows each move changed."""
    now = timezone.now()
    return runs_sweep(now=now) | exports_sweep(now=now) | uploads_sweep(now=now)
