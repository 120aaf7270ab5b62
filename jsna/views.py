"""The home page, the health check and the page shown when the database is down."""

import sys

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import BadRequest
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from gapanalysis import selectors
from gapanalysis.models import AnalysisRun, GapResult
from jsna.roles import ROLE_NAMES
from taskqueue.dispatch import broker_status

DATABASE_DOWN = (OperationalError, InterfaceError)

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
        "role_names": [ROLE_NAMES.get(role, role.replace("_", " ").capitalize()) for role in roles],
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


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For the deployment's probes: can this web process reach its database and its broker?
    200 if both answer (or tasks run in-process: no broker configured), 503 otherwise."""
    checks = {"database": _database_status(), "broker": broker_status()}
    healthy = checks["database"] == "ok" and checks["broker"] != "down"
    return JsonResponse(checks, status=200 if healthy else 503)


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return "down"
    return "ok"


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500. A database that cannot be reached is the service being unavailable (503,
    a page rendered without touching the database); anything else is Django's plain 500."""
    if isinstance(sys.exc_info()[1], DATABASE_DOWN):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "60"
        response["Cache-Control"] = "no-store"
        return response
    return defaults.server_error(request)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400 in the site's layout. Our own refusals (BadRequest) say what was wrong; Django's
    (a suspicious request, a disallowed host) are not repeated back."""
    reason = str(exception) if type(exception) is BadRequest else ""
    return render(request, "400.html", {"reason": reason}, status=400)
