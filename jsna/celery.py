"""The Celery app: configured from Django settings (CELERY_*), tasks found in each app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jsna.settings")

app = Celery("jsna")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def schedule_upload_cleanup(sender: Celery, **kwargs: object) -> None:
    """Uploads: interrupted, refused and never-confirmed uploads are cleaned on a schedule
    (this needs a beat process: `celery -A jsna beat`, or a worker started with `-B`)."""
    from django.conf import settings

    sender.add_periodic_task(
        60.0 * settings.UPLOAD_CLEAN_EVERY_MINUTES,
        sender.signature("uploads.tasks.clean_uploads"),
        name="clean-uploads",
    )
