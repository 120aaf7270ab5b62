import time

from django.core.management.base import BaseCommand, CommandError

from jsna.county import COUNTY_FILES, CountyLoadRefused, FileImported, county_load
from jsna.county_services import SOURCE


class Command(BaseCommand):
    help = (
        "Load Worcestershire's published open data (fixtures/worcestershire) through the "
        "importers, the shipped catalogue and illustrative services. Rerunnable."
    )

    def handle(self, *args: object, **options: object) -> None:
        started = time.monotonic()
        self.step = 0
        try:
            summary = county_load(report=self._report)
        except CountyLoadRefused as refused:
            details = "\n".join(f"  ✗ {error}" for error in refused.errors)
            raise CommandError(f"{refused}\n{details}") from refused
        self.stdout.write(
            f"Catalogue: {summary.rates} prevalence rates and {summary.norms} norms.\n"
            f"Illustrative services: {summary.services} ({SOURCE})."
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded Worcestershire in {time.monotonic() - started:.0f} s: "
                f"{len(summary.files)} published files, {summary.services} illustrative services."
            )
        )

    def _report(self, imported: FileImported) -> None:
        self.step += 1
        self.stdout.write(
            f"[{self.step}/{len(COUNTY_FILES)}] {imported.label}: {imported.name} — "
            f"{imported.rows:,} rows (dataset version {imported.version_id})"
        )
        for line in [imported.same_file, *imported.warnings]:
            if line:
                self.stdout.write(f"  ! {line}")
