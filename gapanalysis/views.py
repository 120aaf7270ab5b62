"""Thin views: check the permission, call a selector or service, render."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gapanalysis import exports, pages, selectors
from gapanalysis.chapter import SECTIONS
from gapanalysis.forms import CompareForm, NormForm, RunStartForm, TurnoverForm
from gapanalysis.models import (
    FINISHED,
    AnalysisRun,
    ChapterExport,
    ExportFormat,
    MapKind,
    ResultLevel,
    RunStatus,
)
from gapanalysis.services import (
    AnalysisStartError,
    analysis_cancel,
    analysis_start,
    norm_add,
    runs_fail_stale,
    turnover_set,
)
from needs.map_documents import map_response

NOT_A_RUN = "Choose two analysis runs from the lists (a run is named by its number)."
NOT_A_NORM = "Choose the ambitions from the list on the maps page."
NORM_CODE = re.compile(r"[-a-zA-Z0-9_]{1,50}")  # Norm.code: a slug of at most 50 characters


@require_GET
@permission_required("gapanalysis.view_analysisrun", raise_exception=True)
def latest_map(request: HttpRequest) -> HttpResponse:
    runs_fail_stale()
    run = selectors.latest_succeeded_run()
    context = {
        "run": run,
        "latest": selectors.latest_run(),
        "all_norms": selectors.all_norms(),
        "run_form": RunStartForm(),
    }
    norms = selectors.run_norms(run=run) if run is not None else []
    if run is not None:
        context["not_computed"] = selectors.run_norms_not_computed(run=run)
    if norms:
        chosen = next(
            (n for n in norms if n.code == request.GET.get("norm")), None
        ) or selectors.headline_norm(run=run, norms=norms)
        maps = selectors.run_maps(run=run, norm_code=chosen.code)
        shown = next((m for m in maps if m.kind == request.GET.get("map")), None) or next(
            (m for m in maps if m.kind == MapKind.BIVARIATE), maps[0] if maps else None
        )
        context |= {
            "norms": norms,
            "norm": chosen,
            "maps": maps,
            "map": shown,
            # Read only when the template renders the figures, which it caches per run, norm
            # and change of the data (`fragment_key`).
            "localities": selectors.run_results(run=run, norm_code=chosen.code),
            "whole": lambda: selectors.run_results(
                run=run, norm_code=chosen.code, level=ResultLevel.WHOLE_AREA
            ).first(),
            "statements": selectors.run_statements(run=run),
            # The shown ambition's statements first (open), the others after it (closed).
            "statement_groups": sorted(
                selectors.statement_groups(run=run), key=lambda g: g["norm_code"] != chosen.code
            ),
            "references": selectors.run_references(run=run),
            "equality": lambda: pages.equality_tables(run=run, norm_code=chosen.code),
            "measure": pages.norm_measure(run=run, norm_code=chosen.code),
            "fragment_key": pages.run_fragment_key(run),
            "synthetic_label": run.data_label,
        }
    return render(request, "gapanalysis/latest_map.html", context)


@require_GET
@permission_required("gapanalysis.view_analysisrun", raise_exception=True)
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    runs_fail_stale()
    run = get_object_or_404(AnalysisRun.objects.select_related("created_by"), pk=pk)
    context = {"run": run, "synthetic_label": run.data_label}
    return render(request, "gapanalysis/run_detail.html", context)


@require_GET
@permission_required("gapanalysis.view_analysisrun", raise_exception=True)
def run_progress(request: HttpRequest, pk: int) -> JsonResponse:
    """The run's state for the progress bar, polled by static/js/run-progress.js."""
    runs_fail_stale()
    run = get_object_or_404(AnalysisRun, pk=pk)
    return JsonResponse(
        {
            "status": run.status,
            "status_label": run.get_status_display(),
            "progress": run.progress,
            "step": run.step,
            "error": run.error,
            "finished": run.status in FINISHED,
        }
    )


@require_POST
@permission_required("gapanalysis.add_analysisrun", raise_exception=True)
def run_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    if analysis_cancel(run_id=pk):
        messages.success(request, f"Analysis run {pk} was cancelled; nothing from it is kept.")
    else:
        messages.info(request, f"Analysis run {pk} had already finished.")
    return redirect("gapanalysis:run_detail", pk=pk)


@require_POST
@permission_required("gapanalysis.add_analysisrun", raise_exception=True)
def run_start(request: HttpRequest) -> HttpResponse:
    codes = request.POST.getlist("norms") or None
    if codes and not all(NORM_CODE.fullmatch(code) for code in codes):
        raise BadRequest(NOT_A_NORM)
    form = RunStartForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("scheme", ["Check the choices."])))
        return redirect("gapanalysis:latest_map")
    try:
        run = analysis_start(
            user=request.user,
            norm_codes=codes,
            scheme=form.cleaned_data["scheme"],
            adjust_for_deprivation=request.POST.get("adjust_for_deprivation") == "on",
        )
    except AnalysisStartError as error:
        messages.error(request, str(error))
        return redirect("gapanalysis:latest_map")
    run.refresh_from_db(fields=["status", "error"])
    if run.status == RunStatus.FAILED:  # e.g. the broker stopped answering as it was sent
        messages.error(request, run.error)
    else:
        messages.success(request, f"Analysis run {run.pk} started.")
    return redirect("gapanalysis:run_detail", pk=run.pk)


@require_GET
@xframe_options_sameorigin
@permission_required("gapanalysis.view_runmap", raise_exception=True)
def run_map_document(request: HttpRequest, pk: int, norm: str, kind: str) -> HttpResponse:
    run_map = selectors.run_map(run_id=pk, kind=kind, norm_code=norm)
    if run_map is None:
        raise Http404("No such map for this run.")
    return map_response(run_map.html)


@require_GET
@permission_required("gapanalysis.view_gapresult", raise_exception=True)
def locality_detail(request: HttpRequest, pk: int, unit_code: str) -> HttpResponse:
    run = get_object_or_404(AnalysisRun, pk=pk)
    context = pages.locality_context(run=run, unit_code=unit_code)
    if context is None:
        raise Http404("No such locality in this run.")
    context["synthetic_label"] = run.data_label
    return render(request, "gapanalysis/locality.html", context)


@require_GET
@permission_required("gapanalysis.view_gapresult", raise_exception=True)
def locality_download(request: HttpRequest, pk: int, unit_code: str) -> HttpResponse:
    run = get_object_or_404(AnalysisRun, pk=pk)
    found = pages.locality_download(run=run, unit_code=unit_code)
    if found is None:
        raise Http404("No such locality in this run.")
    content, filename = found
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@xframe_options_sameorigin
@permission_required("gapanalysis.view_gapresult", raise_exception=True)
def locality_map_document(
    request: HttpRequest, pk: int, unit_code: str, norm: str, kind: str
) -> HttpResponse:
    run = get_object_or_404(AnalysisRun, pk=pk)
    if kind not in ("need", "bivariate"):
        raise Http404("No such map.")
    document = pages.locality_map(run=run, unit_code=unit_code, norm_code=norm, kind=kind)
    if document is None:
        raise Http404("No such map.")
    return map_response(document.html)


@require_GET
@permission_required("gapanalysis.view_gapresult", raise_exception=True)
def run_compare(request: HttpRequest) -> HttpResponse:
    runs = AnalysisRun.objects.filter(status="succeeded").order_by("-finished_at")
    chosen = [request.GET.get("a"), request.GET.get("b")]
    if not CompareForm(request.GET).is_valid():
        raise BadRequest(NOT_A_RUN)
    context = {"runs": runs, "a": chosen[0], "b": chosen[1]}
    if all(chosen):
        first = get_object_or_404(runs, pk=chosen[0])
        second = get_object_or_404(runs, pk=chosen[1])
        context |= {"first": first, "second": second}
        context["rows"] = pages.comparison(first=first, second=second)
    return render(request, "gapanalysis/compare.html", context)


@require_GET
@permission_required("gapanalysis.view_norm", raise_exception=True)
def norm_list(request: HttpRequest) -> HttpResponse:
    return render(request, "gapanalysis/norms.html", {"norms": selectors.all_norms()})


@require_http_methods(["GET", "POST"])
@permission_required("gapanalysis.view_serviceturnover", raise_exception=True)
def turnover_list(request: HttpRequest) -> HttpResponse:
    """Each service type whose caseload a norm counts, with its turnover or a form to set it."""
    form = None
    if request.method == "POST":
        if not request.user.has_perm("gapanalysis.change_serviceturnover"):
            raise PermissionDenied
        form = TurnoverForm(request.POST)
        if form.is_valid():
            turnover = turnover_set(user=request.user, **form.cleaned_data)
            messages.success(request, f"Turnover set: {turnover}.")
            return redirect("gapanalysis:turnover")
    rows = pages.turnover_rows(posted=form)
    return render(request, "gapanalysis/turnover.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@permission_required("gapanalysis.add_norm", raise_exception=True)
def norm_new(request: HttpRequest) -> HttpResponse:
    form = NormForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        norm = norm_add(
            norm=form.save(commit=False),
            share_percent=form.cleaned_data["share_percent"],
            user=request.user,
        )
        messages.success(request, f"Added the local norm {norm.name}.")
        return redirect("gapanalysis:norms")
    return render(request, "gapanalysis/norm_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@permission_required("gapanalysis.export_chapter", raise_exception=True)
def chapter(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(AnalysisRun, pk=pk)
    if request.method == "POST":
        return _chapter_post(request, run)
    return _chapter_page(request, run)


def _chapter_page(
    request: HttpRequest, run: AnalysisRun, *, introduction_error: str = "", status: int = 200
) -> HttpResponse:
    template = exports.chapter_template_for(run=run)
    if introduction_error:  # show what was typed, unsaved, beside the error
        template.introduction = request.POST.get("introduction", "")
    context = {
        "run": run,
        "template": template,
        "all_sections": SECTIONS,
        "exports": run.exports.all(),
        "formats": ExportFormat.choices,
        "introduction_max": exports.INTRODUCTION_MAX_CHARS,
        "introduction_error": introduction_error,
    }
    return render(request, "gapanalysis/chapter_export.html", context, status=status)


def _chapter_post(request: HttpRequest, run: AnalysisRun) -> HttpResponse:
    try:
        if request.POST.get("action") == "save":
            introduction = request.POST.get("introduction", "")
            error = exports.introduction_problem(introduction)
            if error:
                return _chapter_page(request, run, introduction_error=error, status=400)
            order = sorted(
                request.POST.getlist("sections"),
                key=lambda key: _position(request.POST.get(f"position-{key}")),
            )
            exports.chapter_template_save(
                run=run, sections=order, introduction=introduction, user=request.user
            )
            messages.success(request, "Saved the chapter template for this area.")
        else:
            if request.POST.get("fmt") not in ExportFormat.values:
                raise BadRequest(exports.UNKNOWN_FORMAT)
            export = exports.export_start(
                run=run, fmt=request.POST.get("fmt", ""), user=request.user
            )
            export.refresh_from_db(fields=["status", "error"])
            if export.status == RunStatus.FAILED:  # e.g. the broker stopped answering
                messages.error(request, export.error)
            else:
                messages.success(request, f"Export {export.pk} started.")
    except exports.ExportRefused as error:
        messages.error(request, str(error))
    return redirect("gapanalysis:chapter", pk=run.pk)


def _position(text: str | None) -> int:
    return int(text) if text and text.strip().isdigit() else 999


@require_GET
@permission_required("gapanalysis.export_chapter", raise_exception=True)
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    export = get_object_or_404(ChapterExport, pk=pk, status="succeeded")
    return FileResponse(
        export.file.open("rb"), as_attachment=True, filename=export.file.name.split("/")[-1]
    )
