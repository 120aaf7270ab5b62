"""An analyst's uploaded file on its way to becoming a dataset version."""

from django.conf import settings
from django.db import models

from needs.models import DatasetKind, DatasetVersion


class UploadStatus(models.TextChoices):
    REFUSED = "refused", "Refused: the file has errors"
    MAPPING = "mapping", "Waiting for its columns to be matched to the template"
    CHECKED = "checked", "Checked: waiting for confirmation"
    QUEUED = "queued", "Queued"
    IMPORTING = "importing", "Importing"
    IMPORTED = "imported", "Imported"
    FAILED = "failed", "Failed"


UPLOAD_FINISHED = (UploadStatus.REFUSED, UploadStatus.IMPORTED, UploadStatus.FAILED)


class Upload(models.Model):
    """The file is kept (under MEDIA_ROOT/uploads) whatever happens to the import, so an
    analyst's data is never lost; `plan` holds what the checks found, for the preview page.
    Only uploads the analyst could not use are deleted, with their files, by `clean_uploads`:
    refused ones and checked ones never confirmed (uploads.cleanup). `file_missing`: the
    clean-up found no file for this row (removed outside the application)."""

    kind = models.CharField(max_length=20, choices=DatasetKind.choices)
    file = models.FileField(upload_to="uploads/%Y/%m/")
    original_name = models.CharField(max_length=300)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=12, choices=UploadStatus.choices)
    plan = models.JSONField(default=dict, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=200, blank=True)
    task_id = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    dataset_version = models.ForeignKey(
        DatasetVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file_missing = models.BooleanField(default=False)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="Last sign of life, or when it was last sent."
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"


class ColumnMapping(models.Model):
    """How an analyst's own spreadsheet layout matches a kind's template, remembered so the
    next file with the same columns is offered the same matching. Keyed by the area it is for
    (the code of the whole area loaded, "" before one is), the kind and the file's set of
    column names (`columns_key`: their digest, uploads.mapping_services)."""

    area_code = models.CharField(max_length=20, blank=True)
    kind = models.CharField(max_length=20, choices=DatasetKind.choices)
    columns_key = models.CharField(max_length=64)
    source_columns = models.JSONField(default=list)
    columns = models.JSONField(default=dict, blank=True, help_text="template column → theirs")
    fixed = models.JSONField(default=dict, blank=True, help_text="template column → one value")
    values = models.JSONField(
        default=dict, blank=True, help_text="template column → {their value: code}"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["area_code", "kind", "columns_key"], name="column_mapping_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {', '.join(self.source_columns)[:80]}"
