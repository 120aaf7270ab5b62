"""Thin views: check the permission, call a selector or service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from needs.models import DatasetVersion
from needs.services import dataset_version_retire
from provision.template import template_csv, template_xlsx
from taskqueue.dispatch import BrokerUnavailable
from uploads.cleanup import upload_deleted_after
from uploads.forms import UploadForm
from uploads.handlers import SizeLimitHandler
from uploads.kinds import KINDS
from uploads.mapping_forms import ColumnsForm, ValuesForm
from uploads.mapping_services import (
    mapping_columns_choose,
    mapping_context,
    mapping_open,
    mapping_support,
    mapping_values_choose,
)
from uploads.models import Upload, UploadStatus
from uploads.selectors import services_template_choices
from uploads.services import (
    IMPORTS_CANNOT_START,
    NOT_SENT,
    UploadQuotaExceeded,
    upload_confirm,
    upload_create,
    upload_progress,
)
from uploads.storage import incoming_dirs

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_GET
@permission_required("uploads.view_upload", raise_exception=True)
def upload_list(request: HttpRequest) -> HttpResponse:
    context = {
        "uploads": Upload.objects.select_related("created_by", "dataset_version")[:50],
        "versions": DatasetVersion.objects.select_related("created_by")[:100],
        "kinds": KINDS.values(),
    }
    return render(request, "uploads/list.html", context)


@csrf_exempt  # only so the size limit can be installed before the body is read; see below
@require_http_methods(["GET", "POST"])
@permission_required("uploads.add_upload", raise_exception=True)
def upload_new(request: HttpRequest) -> HttpResponse:
    request.upload_handlers.insert(0, SizeLimitHandler(request))
    if request.method == "POST":
        incoming_dirs()  # a large file streams to FILE_UPLOAD_TEMP_DIR as it is read
    return _upload_new(request)


@csrf_protect
def _upload_new(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None, initial=request.GET)
    too_large = getattr(request, "upload_too_large", "")
    if too_large:
        form.is_valid()
        form.refuse_too_large(too_large)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            upload = upload_create(
                kind=data["kind"],
                uploaded=data["file"],
                options={
                    "year": data["year"],
                    "only_loaded_areas": data["only_loaded_areas"],
                    "allow_incomplete": data["allow_incomplete"],
                    "scheme_name": data["scheme_name"],
                },
                user=request.user,
            )
        except UploadQuotaExceeded as refused:
            form.add_error("file", str(refused))
        else:
            return redirect("uploads:detail", pk=upload.pk)
    return render(request, "uploads/new.html", {"form": form, "kinds": KINDS.values()})


@require_GET
@permission_required("uploads.view_upload", raise_exception=True)
def upload_detail(request: HttpRequest, pk: int) -> HttpResponse:
    upload = get_object_or_404(Upload.objects.select_related("created_by"), pk=pk)
    context = _detail_context(upload, match=request.GET.get("match", ""))
    return render(request, "uploads/detail.html", context)


def _detail_context(upload: Upload, **mapping: object) -> dict[str, object]:
    return {
        "upload": upload,
        "plan": upload.plan,
        "kind": KINDS.get(upload.kind),
        "live": upload_progress(upload=upload),
        "running": upload.status in (UploadStatus.QUEUED, UploadStatus.IMPORTING),
        "deleted_after": upload_deleted_after(upload=upload),
        "mapping": mapping_context(upload, **mapping),
    }


NOT_MATCHABLE = "This upload's columns cannot be matched now (it is not waiting for them)."


@require_POST
@permission_required("uploads.add_upload", raise_exception=True)
def upload_map_columns(request: HttpRequest, pk: int) -> HttpResponse:
    upload = get_object_or_404(Upload, pk=pk)
    if not mapping_open(upload):
        messages.warning(request, NOT_MATCHABLE)
        return redirect("uploads:detail", pk=upload.pk)
    form = ColumnsForm(
        request.POST,
        targets=mapping_support(upload).targets(),
        sources=upload.options["source_columns"],
    )
    if not form.is_valid():
        return render(request, "uploads/detail.html", _detail_context(upload, columns_form=form))
    mapping_columns_choose(
        upload=upload, columns=form.columns(), fixed=form.fixed(), user=request.user
    )
    return redirect("uploads:detail", pk=upload.pk)


@require_POST
@permission_required("uploads.add_upload", raise_exception=True)
def upload_map_values(request: HttpRequest, pk: int) -> HttpResponse:
    upload = get_object_or_404(Upload, pk=pk)
    questions = (upload.options.get("mapping") or {}).get("questions")
    if not mapping_open(upload) or upload.status != UploadStatus.MAPPING or not questions:
        messages.warning(request, NOT_MATCHABLE)
        return redirect("uploads:detail", pk=upload.pk)
    form = ValuesForm(request.POST, targets=mapping_support(upload).targets(), questions=questions)
    if not form.is_valid():
        return render(request, "uploads/detail.html", _detail_context(upload, values_form=form))
    mapping_values_choose(upload=upload, values=form.values(), user=request.user)
    return redirect("uploads:detail", pk=upload.pk)


@require_POST
@permission_required("uploads.add_upload", raise_exception=True)
def upload_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    upload = get_object_or_404(Upload, pk=pk)
    try:
        if not upload_confirm(upload=upload):
            messages.warning(request, "This upload is not waiting for confirmation.")
    except BrokerUnavailable:
        messages.error(request, IMPORTS_CANNOT_START)
    upload.refresh_from_db(fields=["status", "step"])
    if upload.status == UploadStatus.CHECKED and upload.step == NOT_SENT:
        messages.error(request, NOT_SENT)  # the broker stopped answering as it was sent
    return redirect("uploads:detail", pk=upload.pk)


@require_GET
@permission_required("uploads.view_upload", raise_exception=True)
def upload_progress_view(request: HttpRequest, pk: int) -> JsonResponse:
    return JsonResponse(upload_progress(upload=get_object_or_404(Upload, pk=pk)))


@require_GET
@permission_required("uploads.add_upload", raise_exception=True)
def services_template(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt == "csv":
        response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(template_xlsx(**services_template_choices()), content_type=XLSX)
    else:
        raise Http404("No such template format.")
    response["Content-Disposition"] = f'attachment; filename="services-template.{fmt}"'
    return response


@require_POST
@permission_required("needs.change_datasetversion", raise_exception=True)
def version_retire(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(DatasetVersion, pk=pk)
    dataset_version_retire(version=version)
    messages.success(request, f"Version {version.pk} ({version.original_name}) is retired.")
    return redirect("uploads:list")
