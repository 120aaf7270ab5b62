"""Exporting the JSNA chapter: render a run's chapter as Word, HTML or PDF, as a task or at once."""

import logging

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from gapanalysis import report_docx
from gapanalysis.chapter import SECTIONS
from gapanalysis.chapter_builder import build_chapter
from gapanalysis.models import (
    INTRODUCTION_MAX_CHARS,
    AnalysisRun,
    ChapterExport,
    ChapterTemplate,
    ExportFormat,
    RunStatus,
)
from gapanalysis.report_html import chapter_html, chapter_pdf
from taskqueue.dispatch import BROKER_DOWN, BrokerUnavailable, broker_check, task_send

log = logging.getLogger(__name__)
NOT_FINISHED = "Run {pk} has not finished successfully: only a succeeded run can be exported."
NOT_SENT = (
    "This export could not be sent to the workers (the task queue stopped answering), so "
    "nothing was made. Start it again in a few minutes."
)
INTRODUCTION_TOO_LONG = (
    "The introduction is {length:,} characters long; the limit is {limit:,}. Shorten it, or put "
    "the longer text in the JSNA document itself."
)
INTRODUCTION_NUL = (
    "The introduction contains a NUL character (it can come with text pasted from another "
    "program); remove it and save again."
)
UNKNOWN_FORMAT = "Choose the export's format: docx, html or pdf."
UNKNOWN_SECTIONS = "Unknown chapter section(s): {keys}. Choose from: {known}."


class ExportRefused(ValueError):
    """The export cannot be made as asked; the message says why."""


def chapter_template_for(*, run: AnalysisRun) -> ChapterTemplate:
    template, _ = ChapterTemplate.objects.get_or_create(locality_scheme=run.locality_scheme)
    return template


def chapter_template_save(
    *, run: AnalysisRun, sections: list[str], introduction: str, user: AbstractBaseUser | None
) -> ChapterTemplate:
    _check_sections(sections)
    problem = introduction_problem(introduction)
    if problem:
        raise ExportRefused(problem)
    template = chapter_template_for(run=run)
    template.sections = sections
    template.introduction = introduction
    template.updated_by = user if user is not None and user.is_authenticated else None
    template.save()
    return template


def introduction_problem(introduction: str) -> str:
    """Why this introduction cannot be saved, or "" when it can."""
    if len(introduction) > INTRODUCTION_MAX_CHARS:
        return INTRODUCTION_TOO_LONG.format(length=len(introduction), limit=INTRODUCTION_MAX_CHARS)
    if "\x00" in introduction:
        return INTRODUCTION_NUL
    return ""


def _check_sections(sections: list[str]) -> None:
    known = [key for key, _ in SECTIONS]
    unknown = [key for key in sections if key not in known]
    if unknown or not sections:
        raise ExportRefused(
            UNKNOWN_SECTIONS.format(keys=", ".join(unknown) or "none", known=", ".join(known))
        )


def render_chapter(
    *, run: AnalysisRun, fmt: str, sections: list[str], introduction: str, author: str
) -> bytes:
    """The chapter as the bytes of a .docx, .html or .pdf file."""
    if run.status != RunStatus.SUCCEEDED:
        raise ExportRefused(NOT_FINISHED.format(pk=run.pk))
    _check_sections(sections)
    chapter = build_chapter(run=run, sections=sections, introduction=introduction, author=author)
    if fmt == ExportFormat.DOCX:
        return report_docx.chapter_docx(chapter)
    if fmt == ExportFormat.HTML:
        return chapter_html(chapter).encode("utf-8")
    if fmt == ExportFormat.PDF:
        return chapter_pdf(chapter)
    raise ExportRefused(UNKNOWN_FORMAT)


def export_start(*, run: AnalysisRun, fmt: str, user: AbstractBaseUser | None) -> ChapterExport:
    """Queue an export with the area's saved chapter template; the task runs after commit.

    Refused at once, with nothing created, if the task queue is not answering."""
    if fmt not in ExportFormat.values:
        raise ExportRefused(UNKNOWN_FORMAT)  # before any row is made
    if run.status != RunStatus.SUCCEEDED:
        raise ExportRefused(NOT_FINISHED.format(pk=run.pk))
    try:
        broker_check()
    except BrokerUnavailable as error:
        raise ExportRefused(BROKER_DOWN.format(what="Exports")) from error
    template = chapter_template_for(run=run)
    with transaction.atomic():
        export = ChapterExport.objects.create(
            run=run,
            fmt=fmt,
            sections=template.sections,
            introduction=template.introduction,
            created_by=user if user is not None and user.is_authenticated else None,
        )
        transaction.on_commit(lambda: export_dispatch(export_id=export.pk))
    return export


def export_dispatch(*, export_id: int) -> None:
    """Send an export's task; if the broker stopped answering, fail it with the reason."""
    from gapanalysis.tasks import export_chapter  # tasks import this module

    try:
        task_send(export_chapter, export_id)
    except BrokerUnavailable:
        log.warning("Export %s could not be sent: the broker is not answering.", export_id)
        export_fail(export_id=export_id, reason=NOT_SENT)


def export_beat(*, export_id: int) -> None:
    """The running task's heartbeat (written by a thread beside it: taskqueue.heartbeat)."""
    ChapterExport.objects.filter(pk=export_id, status=RunStatus.RUNNING).update(
        heartbeat_at=timezone.now()
    )


def export_requeue(*, export_id: int) -> None:
    """Hand a running export back to the queue (before a retry after a transient error)."""
    ChapterExport.objects.filter(pk=export_id, status=RunStatus.RUNNING).update(
        status=RunStatus.QUEUED, step="Waiting to retry"
    )


def export_execute(*, export_id: int) -> None:
    claimed = ChapterExport.objects.filter(pk=export_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING,
        progress=10,
        step="Building the chapter",
        heartbeat_at=timezone.now(),
    )
    if not claimed:
        return
    export = ChapterExport.objects.select_related("run", "created_by").get(pk=export_id)
    user = export.created_by
    author = (user.get_full_name() or user.get_username()) if user else "JSNA team"
    try:
        content = render_chapter(
            run=export.run,
            fmt=export.fmt,
            sections=export.sections,
            introduction=export.introduction,
            author=author,
        )
    except ExportRefused as error:
        _finish(export, status=RunStatus.FAILED, error=str(error))
        return
    name = f"jsna-mental-health-run-{export.run_id}-{export.pk}.{export.fmt}"
    export.file.save(name, ContentFile(content), save=False)
    _finish(export, status=RunStatus.SUCCEEDED)


def _finish(export: ChapterExport, *, status: str, error: str = "") -> None:
    export.status = status
    export.error = error
    export.progress = 100
    export.step = "Finished" if status == RunStatus.SUCCEEDED else "Failed"
    export.finished_at = timezone.now()
    export.save()


def export_fail(*, export_id: int, reason: str) -> None:
    ChapterExport.objects.filter(pk=export_id).exclude(status=RunStatus.SUCCEEDED).update(
        status=RunStatus.FAILED, error=reason, finished_at=timezone.now(), step="Failed"
    )
