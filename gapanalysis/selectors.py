"""Reads for runs, their results and maps."""

from django.db.models import QuerySet

from gapanalysis.models import AnalysisRun, GapResult, MapKind, ResultLevel, RunMap, RunStatus


def latest_run() -> AnalysisRun | None:
    return AnalysisRun.objects.select_related("condition", "norm").first()


def latest_succeeded_run() -> AnalysisRun | None:
    runs = AnalysisRun.objects.filter(status=RunStatus.SUCCEEDED).select_related(
        "condition", "norm", "locality_scheme"
    )
    return runs.order_by("-finished_at", "-pk").first()


def run_results(*, run: AnalysisRun, level: str = ResultLevel.LOCALITY) -> QuerySet[GapResult]:
    return run.results.filter(level=level).order_by("unit_name")


def run_maps(*, run: AnalysisRun) -> list[RunMap]:
    """The run's maps in reading order: need first, then coverage."""
    order = {kind: index for index, kind in enumerate(MapKind.values)}
    return sorted(run.maps.defer("html"), key=lambda run_map: order.get(run_map.kind, len(order)))


def run_map(*, run_id: int, kind: str) -> RunMap | None:
    return RunMap.objects.filter(run_id=run_id, kind=kind).first()
