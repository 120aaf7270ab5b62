"""Services funded by the NHS, the local authority and the third sector."""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q


class ProviderType(models.TextChoices):
    NHS_TRUST = "nhs_trust", "NHS trust"
    PRIMARY_CARE = "primary_care", "Primary care"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    THIRD_SECTOR = "third_sector", "Third sector"
    INDEPENDENT = "independent", "Independent sector"


class Funder(models.TextChoices):
    NHS = "nhs", "NHS"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    POOLED = "pooled", "Pooled budget (section 75)"
    OTHER = "other", "Other"


class ServiceCategory(models.TextChoices):
    """The 12 mental-health service-mapping categories, plus other."""

    ACCESS = "access", "Access"
    ACCOMMODATION = "accommodation", "Accommodation"
    CARERS = "carers", "Carers"
    CLINICAL = "clinical", "Clinical"
    CMHT = "cmht", "Community mental health teams"
    CONTINUING_CARE = "continuing_care", "Continuing care"
    DAY_SERVICES = "day_services", "Day services"
    HOME_CARE = "home_care", "Home care"
    OFFENDERS = "offenders", "Mentally ill offenders"
    SECURE = "secure", "Secure"
    SUPPORT = "support", "Support"
    THERAPY = "therapy", "Therapy"
    OTHER = "other", "Other"


class CapacityUnit(models.TextChoices):
    CASELOAD_PLACES = "caseload_places", "caseload places"
    REFERRALS_PER_YEAR = "referrals_per_year", "referrals a year"
    COURSES_PER_YEAR = "courses_per_year", "courses of treatment a year"
    BEDS = "beds", "beds"
    HOURS_PER_WEEK = "hours_per_week", "hours a week"


class Service(models.Model):
    code = models.CharField(max_length=50, unique=True)
    name = models.CharField(max_length=300)
    provider = models.CharField(max_length=300)
    provider_type = models.CharField(max_length=20, choices=ProviderType.choices)
    funder = models.CharField(max_length=20, choices=Funder.choices)
    category = models.CharField(max_length=20, choices=ServiceCategory.choices)
    service_type = models.SlugField(
        max_length=60, help_text="Finer type within the category, e.g. talking_therapies"
    )
    conditions = models.JSONField(
        default=list, blank=True, help_text='Condition codes served, e.g. ["cmd"]'
    )
    age_min = models.PositiveSmallIntegerField(default=0)
    age_max = models.PositiveSmallIntegerField(null=True, blank=True)
    site_lon = models.FloatField(null=True, blank=True)
    site_lat = models.FloatField(null=True, blank=True)
    site_area = models.ForeignKey(
        "needs.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    catchment = models.ManyToManyField(
        "needs.Area",
        blank=True,
        related_name="+",
        help_text="Areas served; empty means the whole area, shared out by population.",
    )
    capacity = models.FloatField(validators=[MinValueValidator(0)])
    capacity_unit = models.CharField(max_length=20, choices=CapacityUnit.choices)
    annual_spend = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    financial_year = models.CharField(max_length=7, help_text="e.g. 2024/25")
    source = models.CharField(max_length=300)
    is_synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=0), name="capacity_not_negative"),
            models.CheckConstraint(condition=Q(annual_spend__gte=0), name="spend_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name
