from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from needs.services import ImportRefused, relative_risks_load


class DryRun(Exception):
    """Raised inside the transaction to undo a dry run."""


class Command(BaseCommand):
    help = (
        "Load relative risks by IMD quintile from a CSV with columns condition_code, "
        "imd_quintile, relative_risk, source, source_year and optionally source_url."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")

    def handle(self, *args: object, file: Path, dry_run: bool, **options: object) -> None:
        if not file.exists():
            raise CommandError(f"{file}: no such file.")
        try:
            with transaction.atomic():
                rows = relative_risks_load(path=file)
                if dry_run:
                    raise DryRun
        except ImportRefused as error:
            raise CommandError(f"{file}: nothing was loaded.\n{error}") from error
        except DryRun:
            self.stdout.write(self.style.SUCCESS(f"{file}: {rows} rows are valid (dry run)."))
            return
        self.stdout.write(self.style.SUCCESS(f"{file}: loaded {rows} relative risks."))
