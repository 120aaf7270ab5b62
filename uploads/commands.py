"""What every import_* management command does: check, show, import (or not, with --dry-run)."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from needs.plans import ImportOptions, Plan
from needs.services import ImportRefused
from uploads.kinds import KINDS
from uploads.services import dataset_check, dataset_import

BAR_WIDTH = 30


class ProgressBar:
    """A one-line bar on a terminal (standard error); nothing when output is not a terminal."""

    def __init__(self, stream: object) -> None:
        self.stream = stream
        self.shown = stream.isatty() if hasattr(stream, "isatty") else False

    def __call__(self, share: float, step: str) -> None:
        if not self.shown:
            return
        done = round(BAR_WIDTH * share)
        self.stream.write(
            f"\r[{'#' * done}{'.' * (BAR_WIDTH - done)}] {share:4.0%} {step[:50]:<50}"
        )
        self.stream.flush()
        if share >= 1:
            self.stream.write("\n")


class ImportCommand(BaseCommand):
    kind = ""

    @property
    def help(self) -> str:  # type: ignore[override]
        return KINDS[self.kind].help

    def add_arguments(self, parser: CommandParser) -> None:
        kind = KINDS[self.kind]
        parser.add_argument("files", nargs="+", type=Path, help="the file(s) to import")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and show what would change; write nothing"
        )
        if kind.takes_year:
            parser.add_argument("--year", type=int, help="the year, where the file does not say")
        if kind.takes_year:
            parser.add_argument(
                "--incomplete",
                action="store_true",
                help="import a year that leaves some of the area's 2021 LSOAs out (marked so)",
            )
        if kind.takes_scheme_name:
            parser.add_argument(
                "--name", help="the scheme's name (default: the file's name without its suffix)"
            )
        if kind.national_files:
            parser.add_argument(
                "--only-loaded-areas",
                action="store_true",
                help="keep the areas loaded here and skip the rest (national files)",
            )

    def handle(self, *args: object, **options: object) -> None:
        settings = ImportOptions(
            year=options.get("year"),
            only_loaded_areas=bool(options.get("only_loaded_areas")),
            allow_incomplete=bool(options.get("incomplete")),
            scheme_name=options.get("name") or "",
        )
        if options.get("name") and len(options["files"]) > 1:
            raise CommandError("--name names one scheme: give one file with it.")
        failed = 0
        for path in options["files"]:
            if not path.is_file():
                raise CommandError(f"{path}: no such file.")
            failed += self._one(path, settings, dry_run=bool(options["dry_run"]))
        if failed:
            raise CommandError(f"{failed} file(s) refused; nothing was written from them.")

    def _one(self, path: Path, settings: ImportOptions, *, dry_run: bool) -> int:
        self.stdout.write(f"{KINDS[self.kind].label}: {path}")
        try:
            if dry_run:
                plan = dataset_check(kind=self.kind, path=path, name=path.name, options=settings)
                self._report(plan)
                if not plan.ok:
                    raise ImportRefused(plan.errors, plan.total_errors)
                self.stdout.write(self.style.SUCCESS("Dry run: the file passed; nothing written."))
                return 0
            plan, version = dataset_import(
                kind=self.kind,
                path=path,
                name=path.name,
                options=settings,
                progress=ProgressBar(
                    self.stderr._out if hasattr(self.stderr, "_out") else sys.stderr
                ),
            )
        except ImportRefused as refused:
            for error in refused.errors:
                self.stderr.write(f"  ✗ {error}")
            more = (
                f" (the first {len(refused.errors)} shown)"
                if refused.total > len(refused.errors)
                else ""
            )
            self.stderr.write(self.style.ERROR(f"{path.name}: {refused.total} problem(s){more}."))
            return 1
        except Exception as error:  # the write failed: the transaction rolled back
            self.stderr.write(
                self.style.ERROR(
                    f"{path.name}: the import stopped ({type(error).__name__}: {error}); "
                    "nothing was written from it."
                )
            )
            return 1
        self._report(plan)
        self.stdout.write(
            self.style.SUCCESS(f"Imported {version.rows:,} rows as dataset version {version.pk}.")
        )
        return 0

    def _report(self, plan: Plan) -> None:
        if plan.same_file:
            self.stdout.write(f"  ! {plan.same_file}")
        for check in plan.checks:
            self.stdout.write(f"  {'✓' if check.passed else '✗'} {check.name}: {check.detail}")
        for warning in plan.warnings:
            self.stdout.write(f"  ! {warning}")
        for change in plan.changes:
            self.stdout.write(f"  → {change}")
