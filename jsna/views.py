"""The home page."""

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from gapanalysis import selectors
from gapanalysis.models import AnalysisRun, GapResult

# Any one of these means the user has been given a role (or the equivalent permissions).
ROLE_PERMISSIONS = (
    "gapanalysis.view_analysisrun",
    "needs.view_prevalencerate",
    "provision.view_service",
    "uploads.view_upload",
)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    roles = sorted(user.groups.values_list("name", flat=True))
    can_see_runs = user.has_perm("gapanalysis.view_analysisrun")
    finished = selectors.latest_succeeded_run() if can_see_runs else None
    context = {
        "roles": roles,
        "has_role": any(user.has_perm(permission) for permission in ROLE_PERMISSIONS),
        "latest_run": selectors.latest_run() if can_see_runs else None,
        "finished_run": finished,
        "localities": _localities(finished) if user.has_perm("gapanalysis.view_gapresult") else [],
    }
    return render(request, "jsna/home.html", context)


def _localities(run: AnalysisRun | None) -> list[GapResult]:
    """The localities of a finished run, each with a page of its own (one row per locality)."""
    if run is None:
        return []
    norms = selectors.run_norms(run=run)
    return list(selectors.run_results(run=run, norm_code=norms[0].code)) if norms else []


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400 in the site's layout. Our own refusals (BadRequest) say what was wrong; Django's
    (a suspicious request, a disallowed host) are not repeated back."""
    reason = str(exception) if type(exception) is BadRequest else ""
    return render(request, "400.html", {"reason": reason}, status=400)
