import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gapanalysis.models import FINISHED, AnalysisRun, RunStatus
from gapanalysis.services import AnalysisStartError, analysis_start
from needs.demography.localities import UnknownScheme, default_scheme, scheme_by_name


class Command(BaseCommand):
    help = "Start a gap analysis run (in-process without REDIS_URL, else on a Celery worker)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--norm",
            action="append",
            dest="norms",
            metavar="CODE",
            help="A norm to include (repeat for several; default: every norm)",
        )
        parser.add_argument("--year", type=int, help="Population year (default: latest loaded)")
        parser.add_argument(
            "--scheme",
            metavar="NAME",
            help="The locality scheme, by name (default: the local authority districts, else "
            "the first scheme made)",
        )
        parser.add_argument(
            "--adjust-for-deprivation",
            action="store_true",
            help="Re-weight small areas by relative risk for their IMD quintile.",
        )
        parser.add_argument(
            "--wait",
            type=int,
            default=0,
            metavar="SECONDS",
            help="With a worker, wait up to this long for the run to finish.",
        )

    def handle(
        self, *args: object, norms: list[str] | None, year: int | None, wait: int, **opts: object
    ) -> None:
        try:
            scheme = scheme_by_name(name=opts["scheme"]) if opts.get("scheme") else default_scheme()
            run = analysis_start(
                user=None,
                norm_codes=norms,
                scheme=scheme,
                year=year,
                adjust_for_deprivation=bool(opts.get("adjust_for_deprivation")),
            )
        except (AnalysisStartError, UnknownScheme) as error:
            raise CommandError(str(error)) from error
        run = self._wait(run.pk, wait)
        if run.status == RunStatus.FAILED:
            raise CommandError(f"Run {run.pk} failed: {run.error}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Run {run.pk}: {run.get_status_display()} ({run.step or 'queued'})."
            )
        )
        for result in run.results.filter(level="locality").order_by("norm_code", "unit_name"):
            self.stdout.write(
                f"  {result.norm_code} · {result.unit_name}: need {result.expected_cases:,.0f}, "
                f"capacity {result.capacity:,.0f}, coverage {result.coverage_ratio:.1%}, "
                f"gap {result.gap_people:,.0f} a year — {result.get_classification_display()}"
            )
        for statement in run.statements.order_by("rank")[:3]:
            self.stdout.write(f"  {statement.rank}. {statement.text}")

    def _wait(self, run_id: int, seconds: int) -> AnalysisRun:
        deadline = time.monotonic() + seconds
        run = AnalysisRun.objects.get(pk=run_id)
        while run.status not in FINISHED and time.monotonic() < deadline:
            time.sleep(0.5)
            run.refresh_from_db()
        return run
