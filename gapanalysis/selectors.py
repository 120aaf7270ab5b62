"""Reads for runs, their results and maps."""

from django.db.models import QuerySet

from gapanalysis.models import (
    AnalysisRun,
    GapResult,
    MapKind,
    Norm,
    ResultLevel,
    RunMap,
    RunStatus,
    ServiceTurnover,
    UnmetNeedStatement,
)
from needs.selectors import HEADLINE_CONDITION


def latest_run() -> AnalysisRun | None:
    return AnalysisRun.objects.first()


def latest_succeeded_run() -> AnalysisRun | None:
    runs = AnalysisRun.objects.filter(status=RunStatus.SUCCEEDED).select_related("locality_scheme")
    return runs.order_by("-finished_at", "-pk").first()


def run_norms(*, run: AnalysisRun) -> list[Norm]:
    """The run's norms that it computed (those it could not compute have no results)."""
    skipped = {n.get("code") for n in (run.inputs or {}).get("norms_not_computed", [])}
    norms = run.norms.select_related("condition").order_by("name")
    return [norm for norm in norms if norm.code not in skipped]


def headline_norm(*, run: AnalysisRun, norms: list[Norm]) -> Norm | None:
    """The ambition a run's page opens on: the one for the headline condition (common mental
    disorder, `needs.selectors.HEADLINE_CONDITION`: NHS Talking Therapies access); where there
    is none, or several, the one of them with the most people in need in the whole area."""
    headline = [norm for norm in norms if norm.condition.code == HEADLINE_CONDITION]
    candidates = headline or norms
    if len(candidates) < 2:
        return candidates[0] if candidates else None
    need = dict(
        run.results.filter(level=ResultLevel.WHOLE_AREA).values_list("norm_code", "expected_cases")
    )
    return max(candidates, key=lambda norm: need.get(norm.code) or 0)


def run_norms_not_computed(*, run: AnalysisRun) -> list[dict]:
    """code, name and reason of each chosen norm the run could not compute."""
    return list((run.inputs or {}).get("norms_not_computed", []))


def turnovers() -> dict[str, ServiceTurnover]:
    """Service type → its turnover (people seen a year per caseload place), where one is set."""
    rows = ServiceTurnover.objects.select_related("set_by")
    return {turnover.service_type: turnover for turnover in rows}


def run_results(
    *, run: AnalysisRun, norm_code: str, level: str = ResultLevel.LOCALITY
) -> QuerySet[GapResult]:
    return run.results.filter(level=level, norm_code=norm_code).order_by("unit_name")


def run_maps(*, run: AnalysisRun, norm_code: str) -> list[RunMap]:
    """The norm's maps in reading order: need, provision, coverage, need against provision."""
    order = {kind: index for index, kind in enumerate(MapKind.values)}
    maps = run.maps.filter(norm_code=norm_code).defer("html")
    return sorted(maps, key=lambda run_map: order.get(run_map.kind, len(order)))


def run_map(*, run_id: int, kind: str, norm_code: str) -> RunMap | None:
    return RunMap.objects.filter(run_id=run_id, kind=kind, norm_code=norm_code).first()


def run_statements(*, run: AnalysisRun) -> QuerySet[UnmetNeedStatement]:
    """Grouped by ambition (the order the run wrote them in), sharpest first within each."""
    return run.statements.order_by("norm_code", "rank", "pk")


def statement_groups(*, run: AnalysisRun, unit_code: str | None = None) -> list[dict]:
    """Each ambition's headline with its statements (of one locality, if given).

    Runs from before headlines were written fall back to the ambition's name.
    """
    statements = run_statements(run=run)
    if unit_code is not None:
        statements = statements.filter(unit_code=unit_code)
    names = {norm["code"]: norm["name"] for norm in run.inputs.get("norms", [])}
    headlines = run.inputs.get("statement_headlines", {})
    groups: dict[str, dict] = {}
    for statement in statements:
        code = statement.norm_code
        group = groups.setdefault(
            code,
            {"norm_code": code, "headline": headlines.get(code) or names.get(code, code)},
        )
        group.setdefault("statements", []).append(statement)
    return list(groups.values())


def run_references(*, run: AnalysisRun) -> list[str]:
    """The numbered sources the statements cite as [1], [2], … (in that order)."""
    return list(run.inputs.get("references", []))


def all_norms() -> list[Norm]:
    return list(Norm.objects.select_related("condition").order_by("name"))
