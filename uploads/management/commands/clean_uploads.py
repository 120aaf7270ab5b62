"""Delete what interrupted uploads left, refused uploads and uploads never confirmed.

Imported (and any confirmed) uploads are kept. Run it at start-up and on a schedule; Celery beat
runs the same clean-up (uploads.tasks.clean_uploads) every JSNA_UPLOAD_CLEAN_EVERY_MINUTES.
"""

from django.core.management.base import BaseCommand

from uploads.cleanup import uploads_clean

LABELS = {
    "temporary_files": "temporary files left by interrupted uploads",
    "orphan_files": "stored files with no upload record",
    "refused_uploads": "refused uploads (record and file)",
    "stale_uploads": "uploads never confirmed (record and file)",
    "missing_files_marked": "uploads whose file is missing, marked so",
}


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args: object, **options: object) -> None:
        cleaned = uploads_clean().as_dict()
        for key, label in LABELS.items():
            self.stdout.write(f"{cleaned[key]:>6}  {label}")
