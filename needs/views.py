"""Need pages: map, table and downloads for one condition, year and level."""

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from needs import need_pages
from needs.forms import need_query
from needs.map_documents import map_response

PERMISSION = "needs.view_prevalencerate"


@require_GET
@permission_required(PERMISSION, raise_exception=True)
def need_overview(request: HttpRequest) -> HttpResponse:
    form = need_query(request.GET)
    context = {"form": form}
    if form.is_valid():
        context |= need_pages.page_context(query=form.cleaned_data, querystring=request.GET)
    return render(request, "needs/need.html", context)


@require_GET
@xframe_options_sameorigin
@permission_required(PERMISSION, raise_exception=True)
def need_map_document(request: HttpRequest) -> HttpResponse:
    form = need_query(request.GET)
    if not form.is_valid():
        raise Http404("No such need map.")
    return map_response(need_pages.map_document(query=form.cleaned_data).html)


@require_GET
@permission_required(PERMISSION, raise_exception=True)
def need_download(request: HttpRequest, fmt: str) -> HttpResponse:
    form = need_query(request.GET)
    if not form.is_valid() or fmt not in need_pages.DOWNLOAD_TYPES:
        raise Http404("No such download.")
    content, filename = need_pages.download(query=form.cleaned_data, fmt=fmt)
    response = HttpResponse(content, content_type=need_pages.DOWNLOAD_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
