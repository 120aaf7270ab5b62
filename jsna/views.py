"""The home page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from gapanalysis import selectors


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    roles = sorted(request.user.groups.values_list("name", flat=True))
    can_see_runs = request.user.has_perm("gapanalysis.view_analysisrun")
    context = {"roles": roles, "latest_run": selectors.latest_run() if can_see_runs else None}
    return render(request, "jsna/home.html", context)
