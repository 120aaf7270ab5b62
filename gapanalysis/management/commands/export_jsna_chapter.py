from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gapanalysis.exports import ExportRefused, chapter_template_for, render_chapter
from gapanalysis.models import AnalysisRun, ExportFormat


class Command(BaseCommand):
    help = "Export a succeeded run's JSNA chapter as Word, HTML or PDF, with the area's template."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("run_id", type=int)
        parser.add_argument("--format", dest="fmt", choices=ExportFormat.values, required=True)
        parser.add_argument("--output", type=Path, required=True)
        parser.add_argument("--author", default="JSNA team")

    def handle(self, *args: object, run_id: int, fmt: str, output: Path, author: str,
               **options: object) -> None:  # fmt: skip
        run = AnalysisRun.objects.filter(pk=run_id).first()
        if run is None:
            raise CommandError(f"No analysis run {run_id}.")
        template = chapter_template_for(run=run)
        try:
            content = render_chapter(
                run=run, fmt=fmt, sections=template.sections,
                introduction=template.introduction, author=author,
            )  # fmt: skip
        except ExportRefused as error:
            raise CommandError(str(error)) from error
        output.write_bytes(content)
        self.stdout.write(self.style.SUCCESS(f"Wrote {output} ({len(content):,} bytes)."))
