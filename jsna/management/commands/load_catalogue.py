from django.core.management.base import BaseCommand

from jsna.services import catalogue_load


class Command(BaseCommand):
    help = "Load the published prevalence rates and provision norms shipped in fixtures/."

    def handle(self, *args: object, **options: object) -> None:
        rates, norms = catalogue_load()
        self.stdout.write(self.style.SUCCESS(f"Loaded {rates} prevalence rates and {norms} norms."))
