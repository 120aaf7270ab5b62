"""Norms say what they measure; a caseload counts only through a turnover; groups show need only.

Existing norms get a measure from the unit they counted (courses → people entering treatment,
caseload → people seen a year, referrals → new cases a year) and that unit as their one accepted
unit; `load_catalogue` then rewrites the shipped ones. Group results lose the capacity shared by
population and the coverage made from it (docs/methods/norms.md). Self-contained on purpose.
"""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MEASURE_OF_UNIT = {
    "courses_per_year": "entering_treatment_per_year",
    "caseload_places": "seen_per_year",
    "referrals_per_year": "new_cases_per_year",
}
MEASURE_CHOICES = [
    ("entering_treatment_per_year", "people entering treatment a year as a share of prevalence"),
    ("seen_per_year", "people seen a year as a share of prevalence"),
    ("diagnosed_share", "people with a diagnosis as a share of prevalence"),
    ("new_cases_per_year", "assessments a year as a share of expected new cases a year"),
]


def measures_from_units(apps, schema_editor) -> None:
    Norm = apps.get_model("gapanalysis", "Norm")
    for norm in Norm.objects.all():
        norm.measure = MEASURE_OF_UNIT.get(norm.capacity_unit, "seen_per_year")
        norm.capacity_units = [norm.capacity_unit]
        norm.save(update_fields=["measure", "capacity_units"])


def units_from_lists(apps, schema_editor) -> None:
    Norm = apps.get_model("gapanalysis", "Norm")
    for norm in Norm.objects.all():
        norm.capacity_unit = (norm.capacity_units or ["courses_per_year"])[0]
        norm.save(update_fields=["capacity_unit"])


class Migration(migrations.Migration):
    dependencies = [
        ("gapanalysis", "0005_heartbeat"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="norm",
            name="measure",
            field=models.CharField(
                choices=MEASURE_CHOICES,
                default="seen_per_year",
                help_text="What the norm counts, as a share of the estimated people in need.",
                max_length=40,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="norm",
            name="age_min",
            field=models.PositiveSmallIntegerField(default=0, help_text="Youngest age counted."),
        ),
        migrations.AddField(
            model_name="norm",
            name="age_max",
            field=models.PositiveSmallIntegerField(
                blank=True, help_text="Oldest age counted; empty for no upper limit.", null=True
            ),
        ),
        migrations.AddField(
            model_name="norm",
            name="capacity_units",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Capacity units read as the measure (a caseload only through a "
                "turnover).",
            ),
        ),
        migrations.AddField(
            model_name="norm",
            name="measure_source",
            field=models.TextField(
                blank=True, help_text="Who defined the measure, and on what prevalence."
            ),
        ),
        migrations.RunPython(measures_from_units, units_from_lists),
        migrations.RemoveField(model_name="norm", name="capacity_unit"),
        migrations.RemoveField(model_name="groupresult", name="capacity"),
        migrations.RemoveField(model_name="groupresult", name="coverage_ratio"),
        migrations.AddField(
            model_name="groupresult",
            name="population",
            field=models.FloatField(default=0.0, help_text="People at risk in the norm's ages."),
        ),
        migrations.CreateModel(
            name="ServiceTurnover",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("service_type", models.SlugField(max_length=60, unique=True)),
                (
                    "people_per_place",
                    models.FloatField(
                        help_text="People seen in a year for each caseload place.",
                        validators=[
                            django.core.validators.MinValueValidator(0.01),
                            django.core.validators.MaxValueValidator(100),
                        ],
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        help_text="Where the figure comes from: a publication, or the local "
                        "activity data it was worked out from (e.g. people seen in 2024/25 ÷ "
                        "average caseload).",
                        max_length=600,
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "set_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ["service_type"]},
        ),
    ]
