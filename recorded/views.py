"""The "Outcomes and recorded activity" page: for everyone who may see the need pages."""

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from recorded import pages

PERMISSION = "needs.view_prevalencerate"  # the need pages' permission: the same readers


@require_GET
@permission_required(PERMISSION, raise_exception=True)
def outcomes(request: HttpRequest) -> HttpResponse:
    return render(request, "recorded/outcomes.html", pages.page_context(locality_code=None))


@require_GET
@permission_required(PERMISSION, raise_exception=True)
def outcomes_locality(request: HttpRequest, code: str) -> HttpResponse:
    try:
        context = pages.page_context(locality_code=code)
    except pages.NoSuchLocality as missing:
        raise Http404("No such locality in the current scheme.") from missing
    return render(request, "recorded/outcomes.html", context)
