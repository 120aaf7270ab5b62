"""Provision norms, analysis runs and their results and maps."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from gapanalysis.norm_measures import MEASURE_CHOICES, MEASURES
from needs.labels import data_label
from provision.models import SERVICE_TYPES


class Norm(models.Model):
    """An evidence-based provision norm: the share of people in need a service type should reach."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=300)
    condition = models.ForeignKey("needs.Condition", on_delete=models.PROTECT, related_name="+")
    service_types = models.JSONField(help_text="Service types whose capacity meets this norm.")
    measure = models.CharField(
        max_length=40,
        choices=MEASURE_CHOICES,
        help_text="What the norm counts, as a share of the estimated people in need.",
    )
    age_min = models.PositiveSmallIntegerField(default=0, help_text="Youngest age counted.")
    age_max = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Oldest age counted; empty for no upper limit."
    )
    capacity_units = models.JSONField(
        default=list,
        blank=True,
        help_text="Capacity units read as the measure (a caseload only through a turnover).",
    )
    measure_source = models.TextField(
        blank=True, help_text="Who defined the measure, and on what prevalence."
    )
    share = models.FloatField(
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Share of the estimated people in need to be reached each year.",
    )
    people_label = models.CharField(max_length=100, default="people")
    capacity_label = models.CharField(max_length=200, default="Capacity")
    action = models.CharField(max_length=100, default="would need to be seen")
    source = models.CharField(max_length=600)
    source_url = models.URLField(max_length=500, blank=True)
    is_local = models.BooleanField(default=False, help_text="Added by an analyst, not shipped.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def ages_label(self) -> str:
        """'18 and over', 'under 18', '65 and over', '16 to 64', 'all ages'."""
        if self.age_max is None:
            return f"{self.age_min} and over" if self.age_min else "all ages"
        if not self.age_min:
            return f"under {self.age_max + 1}"
        return f"{self.age_min} to {self.age_max}"

    @property
    def measure_label(self) -> str:
        known = MEASURES.get(self.measure)
        return known.label if known else self.measure

    @property
    def counted_as(self) -> str:
        known = MEASURES.get(self.measure)
        return known.counted_as if known else "capacity"

    @property
    def service_type_names(self) -> list[str]:
        """The service types counted, as the services list names them."""
        names = {code: label for code, (label, _) in SERVICE_TYPES.items()}
        return [names.get(code, code.replace("_", " ")) for code in self.service_types]


class ServiceTurnover(models.Model):
    """People seen a year per caseload place, for one service type: the only way a caseload
    (places held at one time) becomes people seen a year. Set by an analyst, with its source;
    none is shipped, since no published figure fits every service."""

    service_type = models.SlugField(max_length=60, unique=True)
    people_per_place = models.FloatField(
        validators=[MinValueValidator(0.01), MaxValueValidator(100)],
        help_text="People seen in a year for each caseload place.",
    )
    source = models.CharField(
        max_length=600,
        help_text="Where the figure comes from: a publication, or the local activity data "
        "it was worked out from (e.g. people seen in 2024/25 ÷ average caseload).",
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["service_type"]

    def __str__(self) -> str:
        return f"{self.service_type}: {self.people_per_place:g} a year per place"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


FINISHED = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED)


class AnalysisRun(models.Model):
    """One analysis: its pinned inputs, state and author. A finished run never changes."""

    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    year = models.PositiveSmallIntegerField()
    norms = models.ManyToManyField(Norm, related_name="runs")
    adjust_for_deprivation = models.BooleanField(
        default=False, help_text="Re-weight small areas by relative risk for their IMD quintile."
    )
    locality_scheme = models.ForeignKey(
        "needs.LocalityScheme", on_delete=models.PROTECT, related_name="+"
    )
    inputs = models.JSONField(default=dict, blank=True, help_text="What the run used, pinned.")
    is_synthetic = models.BooleanField(default=False)
    task_id = models.CharField(max_length=64, blank=True, help_text="The task that claimed it.")
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="Last sign of life.")

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("export_chapter", "Can export the JSNA chapter")]

    def __str__(self) -> str:
        return f"Run {self.pk} ({self.get_status_display()})"

    @property
    def data_label(self) -> str:
        """Synthetic or illustrative, as its pages, maps and chapter must say; else empty."""
        return data_label(
            synthetic=self.is_synthetic,
            illustrative=bool((self.inputs or {}).get("illustrative_services")),
        )


class GapClass(models.TextChoices):
    WELL_BELOW = "well_below", "Provision well below need"
    BELOW = "below", "Provision below need"
    IN_LINE = "in_line", "Provision in line with need"
    ABOVE = "above", "Provision above need"
    UNCERTAIN = "uncertain", "Too uncertain to class"
    NO_NEED = "no_need", "No estimated need"


class ResultLevel(models.TextChoices):
    SMALL_AREA = "small_area", "Small area"
    LOCALITY = "locality", "Locality"
    WHOLE_AREA = "whole_area", "Whole area"


class GapResult(models.Model):
    """Need against provision for one unit (small area, locality or whole area) and condition."""

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="results")
    level = models.CharField(max_length=10, choices=ResultLevel.choices)
    unit_code = models.CharField(max_length=50)
    unit_name = models.CharField(max_length=200)
    condition_code = models.SlugField(max_length=50)
    norm_code = models.SlugField(max_length=50)
    population = models.FloatField(help_text="Population in the age range the rates cover.")
    expected_cases = models.FloatField()
    expected_lower = models.FloatField(null=True, blank=True)
    expected_upper = models.FloatField(null=True, blank=True)
    rate_per_1000 = models.FloatField()
    capacity = models.FloatField()
    services_count = models.PositiveIntegerField()
    spend = models.FloatField()
    expected_provision = models.FloatField()
    coverage_ratio = models.FloatField(help_text="Capacity ÷ estimated people in need.")
    ambition_ratio = models.FloatField(help_text="Coverage ÷ the norm's share.")
    gap_people = models.FloatField(help_text="More people a year to reach the norm (0 if met).")
    classification = models.CharField(max_length=20, choices=GapClass.choices)
    class_rule = models.CharField(max_length=300)
    peer_comparison = models.CharField(
        max_length=100, help_text="Capacity per person in need against the area's own average."
    )
    provision_rule = models.CharField(max_length=200)

    class Meta:
        ordering = ["run", "level", "unit_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "level", "unit_code", "norm_code"], name="gap_result_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_name} ({self.get_level_display()})"


class MapKind(models.TextChoices):
    NEED = "need", "Estimated need"
    PROVISION = "provision", "Provision"
    COVERAGE = "coverage", "Coverage against the ambition"
    BIVARIATE = "bivariate", "Need against provision"


class RunMap(models.Model):
    """A rendered, self-contained map document (its scripts served from this site's static/)."""

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="maps")
    kind = models.CharField(max_length=10, choices=MapKind.choices)
    norm_code = models.SlugField(max_length=50)
    title = models.CharField(max_length=300)
    html = models.TextField()
    alt_text = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "kind", "norm_code"], name="run_map_unique")
        ]

    def __str__(self) -> str:
        return self.title


class UnmetNeedStatement(models.Model):
    """A plain-English statement of unmet need, ready to paste into the JSNA."""

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="statements")
    norm_code = models.SlugField(max_length=50)
    unit_code = models.CharField(max_length=50)
    unit_name = models.CharField(max_length=200)
    rank = models.PositiveIntegerField(help_text="1 = the sharpest gap.")
    text = models.TextField()

    class Meta:
        ordering = ["run", "rank"]

    def __str__(self) -> str:
        return self.text[:80]


class GroupResult(models.Model):
    """Need for one group (a sex, an age band, a deprivation fifth) across the whole area.

    No coverage: that needs service use by group, which is not loaded (docs/methods/norms.md)."""

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="groups")
    norm_code = models.SlugField(max_length=50)
    group_type = models.CharField(max_length=20)
    group = models.CharField(max_length=50)
    population = models.FloatField(default=0.0, help_text="People at risk in the norm's ages.")
    expected_cases = models.FloatField()

    class Meta:
        ordering = ["run", "norm_code", "group_type", "pk"]

    def __str__(self) -> str:
        return f"{self.norm_code} {self.group}"


def default_sections() -> list[str]:
    from gapanalysis.chapter import SECTIONS

    return [key for key, _ in SECTIONS]


# A longer introduction is refused: a chapter is a summary, and its PDF renders in seconds.
INTRODUCTION_MAX_CHARS = 20_000


class ChapterTemplate(models.Model):
    """An area's chapter layout, set by its JSNA manager: which sections, in what order."""

    locality_scheme = models.OneToOneField(
        "needs.LocalityScheme", on_delete=models.CASCADE, related_name="chapter_template"
    )
    sections = models.JSONField(default=default_sections)
    introduction = models.TextField(blank=True, max_length=INTRODUCTION_MAX_CHARS)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Chapter template for {self.locality_scheme}"


class ExportFormat(models.TextChoices):
    DOCX = "docx", "Word (.docx)"
    HTML = "html", "Web page (.html)"
    PDF = "pdf", "PDF"


class ChapterExport(models.Model):
    """One export of a run's chapter, made by a task and kept as a file attached to the run."""

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="exports")
    fmt = models.CharField(max_length=4, choices=ExportFormat.choices)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    sections = models.JSONField(default=list)
    introduction = models.TextField(blank=True)
    file = models.FileField(upload_to="exports/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="Last sign of life, or when it was last sent."
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Run {self.run_id} chapter ({self.get_fmt_display()})"
