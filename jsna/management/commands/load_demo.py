from django.core.management.base import BaseCommand, CommandParser

from jsna.demo_area import DEMO_SEED
from jsna.services import demo_load
from needs.labels import SYNTHETIC_LABEL


class Command(BaseCommand):
    help = "Load the synthetic demo county (areas, population, deprivation, services). Rerunnable."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEMO_SEED)

    def handle(self, *args: object, seed: int, **options: object) -> None:
        summary = demo_load(seed=seed)
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded the demo area ({SYNTHETIC_LABEL}): {summary.areas} areas, "
                f"{summary.small_areas} small areas in {summary.localities} localities, "
                f"population {summary.population_total:,.0f} ({summary.population_rows:,} rows), "
                f"{summary.services} services."
            )
        )
