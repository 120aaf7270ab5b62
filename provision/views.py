"""Provision pages: service mapping, financial mapping, and service editing for analysts."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods

from needs.map_documents import map_response
from provision import pages
from provision.baseline import Filters
from provision.forms import ServiceFilterForm, ServiceForm, SpendingForm
from provision.models import Service
from provision.services import ServiceInvalid, service_save, service_snapshot

VIEW = "provision.view_service"


def _filters(request: HttpRequest) -> tuple[ServiceFilterForm, Filters | None]:
    form = ServiceFilterForm(request.GET.dict())
    return form, Filters(**form.cleaned_data) if form.is_valid() else None


@require_GET
@permission_required(VIEW, raise_exception=True)
def service_mapping(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    context = {"form": form, "querystring": request.GET.urlencode()}
    if filters is not None:
        context |= pages.service_mapping_context(filters)
    return render(request, "provision/service_mapping.html", context)


@require_GET
@xframe_options_sameorigin
@permission_required(VIEW, raise_exception=True)
def sites_map_document(request: HttpRequest) -> HttpResponse:
    _, filters = _filters(request)
    if filters is None:
        raise Http404("No such map.")
    return map_response(pages.sites_map(filters).html)


@require_GET
@permission_required(VIEW, raise_exception=True)
def financial_mapping(request: HttpRequest) -> HttpResponse:
    form = SpendingForm(request.GET.dict())
    context = {"form": form}
    if form.is_valid():
        context |= pages.financial_mapping_context(year=form.cleaned_data["financial_year"])
    return render(request, "provision/financial_mapping.html", context)


@require_http_methods(["GET", "POST"])
@permission_required("provision.change_service", raise_exception=True)
def service_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    service = get_object_or_404(Service, pk=pk) if pk else Service()
    before = service_snapshot(service) if pk else {}
    form = ServiceForm(request.POST or None, instance=service)
    if request.method == "POST" and form.is_valid():
        try:
            saved = _save(form, request, before)
        except ServiceInvalid as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Saved {saved.name} ({saved.financial_year}).")
            return redirect("provision:service_mapping")
    return render(request, "provision/service_form.html", {"form": form, "service": service})


def _save(form: ServiceForm, request: HttpRequest, before: dict) -> Service:
    service = form.save(commit=False)
    service.conditions = form.cleaned_data["conditions"]
    data = form.cleaned_data
    site = None
    if data.get("site_lon") is not None:
        site = {
            "name": data["site_name"], "postcode": data["site_postcode"],
            "lon": data["site_lon"], "lat": data["site_lat"], "area": data["site_area"],
        }  # fmt: skip
    return service_save(
        service=service,
        funding=form.funding(),
        user=request.user,
        catchment=list(data["catchment"]),
        site=site,
        before=before,
    )
