"""Services funded by the NHS, the local authority and the third sector."""

from django.core.validators import MaxValueValidator, MinValueValidator
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


# Finer service types within the categories: slug → (label, category).
SERVICE_TYPES: dict[str, tuple[str, str]] = {
    "talking_therapies": ("NHS Talking Therapies", "therapy"),
    "cyp_counselling": ("Counselling for children and young people", "therapy"),
    "eip": ("Early intervention in psychosis", "clinical"),
    "crisis_home_treatment": ("Crisis resolution and home treatment", "clinical"),
    "perinatal": ("Specialist perinatal mental health", "clinical"),
    "memory_assessment": ("Memory assessment", "clinical"),
    "camhs": ("Children and young people's mental health service (CAMHS)", "clinical"),
    "eating_disorders": ("Eating disorders", "clinical"),
    "psychiatric_inpatient": ("Acute psychiatric inpatient care", "clinical"),
    "cmht_adult": ("Adult community mental health team", "cmht"),
    "cmht_older": ("Older adults' community mental health team", "cmht"),
    "single_point_of_access": ("Single point of access", "access"),
    "primary_care_mh": ("Primary care mental health practitioners", "access"),
    "crisis_cafe": ("Crisis café or safe haven", "access"),
    "supported_housing": ("Supported housing", "accommodation"),
    "housing_support": ("Floating housing support", "support"),
    "ips": ("Individual placement and support (employment)", "support"),
    "peer_support": ("Peer support", "support"),
    "carers_support": ("Carers' support", "carers"),
    "day_centre": ("Day centre", "day_services"),
    "home_support": ("Home support", "home_care"),
    "liaison_diversion": ("Liaison and diversion", "offenders"),
    "secure_unit": ("Secure unit", "secure"),
    "mh_nursing_home": ("Mental health nursing or continuing care", "continuing_care"),
    "recovery_college": ("Recovery college", "other"),
    "other": ("Other", "other"),
}
AGE_GROUPS = {  # label → (first age, last age); a service serves a group if the ranges overlap
    "children": (0, 17),
    "adults": (18, 64),
    "older_people": (65, None),
}


class Service(models.Model):
    """One service in one financial year; the same code in another year is its other record."""

    code = models.CharField(max_length=50)
    name = models.CharField(max_length=300)
    provider = models.CharField(max_length=300)
    provider_type = models.CharField(max_length=20, choices=ProviderType.choices)
    category = models.CharField(max_length=20, choices=ServiceCategory.choices)
    service_type = models.SlugField(
        max_length=60, choices=[(k, v[0]) for k, v in SERVICE_TYPES.items()]
    )
    conditions = models.JSONField(
        default=list, blank=True, help_text='Condition codes served, e.g. ["cmd"]'
    )
    age_min = models.PositiveSmallIntegerField(default=0)
    age_max = models.PositiveSmallIntegerField(null=True, blank=True)
    catchment = models.ManyToManyField(
        "needs.Area",
        blank=True,
        related_name="+",
        help_text="Areas served; empty means where its sites are, or else the whole area.",
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
        ordering = ["name", "financial_year"]
        constraints = [
            models.UniqueConstraint(fields=["code", "financial_year"], name="service_year_unique"),
            models.CheckConstraint(condition=Q(capacity__gte=0), name="capacity_not_negative"),
            models.CheckConstraint(condition=Q(annual_spend__gte=0), name="spend_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.financial_year})"


class ServiceFunding(models.Model):
    """A funder's share of a service's spend; a service's shares add up to 100%."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="funding")
    funder = models.CharField(max_length=20, choices=Funder.choices)
    share_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "funder"], name="funding_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_funder_display()} {self.share_percent}%"


class ServiceSite(models.Model):
    """Where a service is delivered from: a postcode or coordinates, and the area it lies in."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    lon = models.FloatField(validators=[MinValueValidator(-180), MaxValueValidator(180)])
    lat = models.FloatField(validators=[MinValueValidator(-90), MaxValueValidator(90)])
    area = models.ForeignKey(
        "needs.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return self.name or self.postcode or f"{self.lat:.4f}, {self.lon:.4f}"
