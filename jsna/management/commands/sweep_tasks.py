"""Fail work whose worker died and deal with work left queued: once, or every N seconds."""

import logging
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, close_old_connections, connections

from jsna.sweep import tasks_sweep
from uploads.cleanup import uploads_clean

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Fail analysis runs, chapter exports and imports whose worker died; send again, or "
        "fail, those left queued. With --every, repeat for ever (the compose `sweeper` service), "
        "cleaning refused and stale uploads every JSNA_UPLOAD_CLEAN_EVERY_MINUTES as well."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every", type=float, metavar="SECONDS", help="repeat every SECONDS (e.g. 30)"
        )

    def handle(self, *args: object, every: float | None = None, **options: object) -> None:
        if every is None:
            try:
                self._sweep()
            except DatabaseError as error:
                raise CommandError(f"The database is not reachable: {error}") from error
            return
        self.stdout.write(f"Sweeping every {every:g} seconds.")
        cleaned_at = float("-inf")
        while True:
            try:
                self._sweep()
                # Refused, stale and orphaned uploads too, every JSNA_UPLOAD_CLEAN_EVERY_MINUTES:
                # the sweeper runs where no Celery beat does.
                if time.monotonic() - cleaned_at >= 60 * settings.UPLOAD_CLEAN_EVERY_MINUTES:
                    cleaned = uploads_clean()
                    cleaned_at = time.monotonic()
                    self.stdout.write(f"Uploads cleaned: {cleaned.as_dict()}")
            except DatabaseError:
                log.warning("The database is not reachable; next sweep in %g s.", every)
                connections.close_all()
            close_old_connections()
            time.sleep(every)

    def _sweep(self) -> None:
        changed = {move: n for move, n in tasks_sweep().items() if n}
        if changed:
            self.stdout.write("; ".join(f"{n} {move}" for move, n in changed.items()), ending="\n")
            self.stdout.flush()
