"""Geography, population, deprivation and the prevalence-rate catalogue."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

MAX_AGE = 90  # ONS single-year tables close with an open "90 and over" band, stored as age 90.


class AreaLevel(models.TextChoices):
    REGION = "region", "Region"
    COUNTY = "county", "County"
    LAD = "lad", "Local authority district"
    WARD = "ward", "Electoral ward"
    MSOA11 = "msoa11", "MSOA (2011)"
    MSOA21 = "msoa21", "MSOA (2021)"
    LSOA11 = "lsoa11", "LSOA (2011)"
    LSOA21 = "lsoa21", "LSOA (2021)"


SMALL_AREA_LEVELS = (AreaLevel.LSOA11, AreaLevel.LSOA21)
# The one small-area geography analyses run on: figures published on 2011 LSOAs are converted
# to it on import through the ONS best-fit lookup; 2011 areas stay loaded for reference and maps.
ANALYSIS_LEVEL = AreaLevel.LSOA21


class Sex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"


class RateSex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    PERSONS = "P", "Persons"


class Area(models.Model):
    """An ONS statistical or administrative area; the level records the code's vintage."""

    code = models.CharField("GSS code", max_length=9)
    name = models.CharField(max_length=200)
    level = models.CharField(max_length=10, choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    geometry = models.JSONField("boundary (GeoJSON, WGS84)", null=True, blank=True)
    geometry_simplified = models.JSONField("simplified boundary for maps", null=True, blank=True)
    valid_from = models.PositiveSmallIntegerField(null=True, blank=True)
    is_synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["level", "code"]
        constraints = [
            models.UniqueConstraint(fields=["code", "level"], name="area_code_level_unique")
        ]
        indexes = [models.Index(fields=["level"])]

    def __str__(self) -> str:
        # The level too: most LSOA and MSOA codes are the same in 2011 and 2021.
        return f"{self.name} ({self.code}, {self.get_level_display()})"


class LocalitySchemeKind(models.TextChoices):
    LOOKUP = "lookup", "From the ONS lookup"
    CUSTOM = "custom", "The analyst's own"
    SYNTHETIC = "synthetic", "Synthetic (demo)"


class LocalityScheme(models.Model):
    """A user's grouping of small areas into named localities (districts, PCN neighbourhoods)."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    is_synthetic = models.BooleanField(default=False)
    kind = models.CharField(
        max_length=10, choices=LocalitySchemeKind.choices, default=LocalitySchemeKind.CUSTOM
    )
    source = models.CharField(max_length=300, blank=True, help_text="The file it was made from.")

    def __str__(self) -> str:
        return self.name


class Locality(models.Model):
    scheme = models.ForeignKey(LocalityScheme, on_delete=models.CASCADE, related_name="localities")
    code = models.CharField(max_length=50)
    name = models.CharField(max_length=200)
    areas = models.ManyToManyField(Area, through="LocalityArea", related_name="localities")

    class Meta:
        ordering = ["scheme", "name"]
        verbose_name_plural = "localities"
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="locality_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class LocalityArea(models.Model):
    locality = models.ForeignKey(Locality, on_delete=models.CASCADE)
    area = models.ForeignKey(Area, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["locality", "area"], name="locality_area_unique")
        ]

    def __str__(self) -> str:
        return f"{self.area_id} in {self.locality_id}"


class PopulationEstimate(models.Model):
    """Mid-year population of a small area by sex and single year of age (90 = 90 and over)."""

    # The unique constraint's index starts with the area, so no separate index on it: large
    # imports rebuild every index of this table (needs.bulk), and each one costs seconds.
    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, related_name="population", db_index=False
    )
    year = models.PositiveSmallIntegerField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    age = models.PositiveSmallIntegerField(validators=[MaxValueValidator(MAX_AGE)])
    count = models.FloatField(validators=[MinValueValidator(0)])
    is_modelled = models.BooleanField(
        default=False, help_text="Rests on a modelled split (e.g. persons split by sex)."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["area", "year", "sex", "age"], name="population_cell_unique"
            ),
            models.CheckConstraint(condition=Q(count__gte=0), name="population_not_negative"),
            models.CheckConstraint(condition=Q(age__lte=MAX_AGE), name="population_age_range"),
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.year} {self.sex} {self.age}: {self.count:g}"


class Deprivation(models.Model):
    """English Indices of Deprivation for one small area (rank 1 = most deprived in England)."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="deprivation")
    edition = models.CharField(max_length=40, help_text="e.g. IMD2019")
    score = models.FloatField(null=True, blank=True, help_text="Not in every published file.")
    rank = models.PositiveIntegerField()
    decile = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(10)]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["area", "edition"], name="deprivation_unique"),
            models.CheckConstraint(
                condition=Q(decile__gte=1, decile__lte=10), name="deprivation_decile_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.edition} decile {self.decile}"


class SexTotal(models.Model):
    """Usual residents of an area by sex (Census 2021 TS008): the margins a persons-only
    population is raked to when it is split by sex (see docs/methods/sex-split.md)."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="sex_totals")
    year = models.PositiveSmallIntegerField()
    female = models.PositiveIntegerField()
    male = models.PositiveIntegerField()
    source = models.CharField(max_length=300)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["area", "year"], name="sex_total_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.year}: {self.female} F, {self.male} M"


class LsoaBestFit(models.Model):
    """One pair of the ONS LSOA 2011 → LSOA 2021 best-fit lookup (by code, never by name)."""

    lsoa11_code = models.CharField(max_length=9)
    lsoa21_code = models.CharField(max_length=9)
    change = models.CharField(max_length=1, help_text="U unchanged, S split, M merged, X complex")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lsoa11_code", "lsoa21_code"], name="best_fit_unique")
        ]

    def __str__(self) -> str:
        return f"{self.lsoa11_code} → {self.lsoa21_code} ({self.change})"


class Denominator(models.TextChoices):
    POPULATION = "population", "Population"
    MATERNITIES = "maternities", "Maternities"


class RateStatus(models.TextChoices):
    CONFIRMED = "CONFIRMED", "Confirmed in the publisher's own table"
    SECONDARY = "SECONDARY", "Read in a secondary copy"


class RateRole(models.TextChoices):
    APPLIED = "applied", "Applied to the population"
    REFERENCE = "reference", "Published all-ages figure, shown for reference"


class Condition(models.Model):
    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    group = models.CharField(max_length=40, blank=True, help_text="e.g. adults, older people")
    denominator = models.CharField(
        max_length=12, choices=Denominator.choices, default=Denominator.POPULATION
    )

    class Meta:
        ordering = ["group", "name"]

    def __str__(self) -> str:
        return self.name


class PrevalenceRate(models.Model):
    """A published prevalence rate (a proportion) for one sex and age band, with its source."""

    condition = models.ForeignKey(Condition, on_delete=models.CASCADE, related_name="rates")
    sex = models.CharField(max_length=1, choices=RateSex.choices)
    age_min = models.PositiveSmallIntegerField()
    age_max = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Inclusive; empty for an open band such as 75+."
    )
    rate = models.FloatField(validators=[MinValueValidator(0), MaxValueValidator(1)])
    lower = models.FloatField(null=True, blank=True)
    upper = models.FloatField(null=True, blank=True)
    source = models.CharField(max_length=300, help_text="Publication, e.g. APMS 2014")
    source_table = models.CharField(max_length=200, blank=True)
    source_year = models.PositiveSmallIntegerField()
    source_url = models.URLField(max_length=500, blank=True)
    source_cell = models.CharField(
        max_length=300, blank=True, help_text="Where in the table, e.g. a workbook sheet and cell."
    )
    status = models.CharField(max_length=10, choices=RateStatus.choices, blank=True)
    interval_method = models.CharField(
        max_length=400, blank=True, help_text="Published 95% CI, or how the interval was derived."
    )
    role = models.CharField(max_length=10, choices=RateRole.choices, default=RateRole.APPLIED)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["condition", "role", "sex", "age_min"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rate__gte=0, rate__lte=1), name="rate_is_proportion"
            ),
            models.UniqueConstraint(
                fields=["condition", "role", "sex", "age_min", "source"], name="rate_band_unique"
            ),
        ]

    def __str__(self) -> str:
        upper = self.age_max if self.age_max is not None else "+"
        return f"{self.condition.code} {self.sex} {self.age_min}-{upper}: {self.rate:.3f}"


class PopulationProjection(models.Model):
    """Projected population of a local authority by sex and single year of age (ONS SNPP)."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="projections")
    year = models.PositiveSmallIntegerField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    age = models.PositiveSmallIntegerField(validators=[MaxValueValidator(MAX_AGE)])
    count = models.FloatField(validators=[MinValueValidator(0)])
    source = models.CharField(max_length=300)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["area", "year", "sex", "age"], name="projection_cell_unique"
            ),
            models.CheckConstraint(condition=Q(count__gte=0), name="projection_not_negative"),
        ]
        indexes = [models.Index(fields=["year"])]

    def __str__(self) -> str:
        return f"{self.area_id} {self.year} {self.sex} {self.age}: {self.count:g}"


class RelativeRisk(models.Model):
    """Relative risk of a condition by IMD quintile (1 = most deprived), with its source."""

    condition = models.ForeignKey(Condition, on_delete=models.CASCADE, related_name="risks")
    imd_quintile = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    relative_risk = models.FloatField(validators=[MinValueValidator(0)])
    source = models.CharField(max_length=300)
    source_year = models.PositiveSmallIntegerField()
    source_url = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["condition", "imd_quintile"]
        constraints = [
            models.UniqueConstraint(
                fields=["condition", "imd_quintile"], name="relative_risk_unique"
            ),
            models.CheckConstraint(
                condition=Q(imd_quintile__gte=1, imd_quintile__lte=5), name="risk_quintile_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.condition.code} IMD quintile {self.imd_quintile}: {self.relative_risk:g}"


class AreaIndicator(models.Model):
    """An observed indicator for one small area, e.g. IoD2025's mental health indicator.

    Observed context for the modelled need (`needs.importers.iod_indicators`), not prevalence.
    """

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="indicators")
    indicator = models.CharField(max_length=40, help_text="e.g. iod2025_mental_health")
    value = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["area", "indicator"], name="area_indicator_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.value:g}"


class DatasetKind(models.TextChoices):
    POPULATION = "population", "Population estimates"
    PROJECTIONS = "projections", "Population projections"
    DEPRIVATION = "deprivation", "Indices of Deprivation"
    BOUNDARIES = "boundaries", "Boundaries"
    LOOKUP = "lookup", "Area lookup"
    SEX_TOTALS = "sex_totals", "Census sex totals"
    RATES = "rates", "Prevalence rates"
    RELATIVE_RISKS = "relative_risks", "Relative risks by deprivation"
    SERVICES = "services", "Services"
    LOCALITIES = "localities", "Localities"
    IOD_INDICATORS = "iod_indicators", "Deprivation mental-health indicators"
    QOF = "qof", "QOF registers by practice"
    GP_PRACTICES = "gp_practices", "GP practice sites"
    PRACTICE_LSOA = "practice_lsoa", "Registered patients by practice and LSOA"
    TALKING_THERAPIES = "talking_therapies", "NHS Talking Therapies activity"
    INDICATORS = "indicators", "Local-authority indicators"


class DatasetVersion(models.Model):
    """One loaded file: who loaded it, when, from what, and what it held. Runs pin these."""

    kind = models.CharField(max_length=20, choices=DatasetKind.choices)
    original_name = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64, db_index=True)
    rows = models.PositiveIntegerField()
    warnings = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    is_synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name} ({self.created_at:%Y-%m-%d})"


class DataGeneration(models.Model):
    """One row whose token a database trigger changes on every write to the tables of the
    watched apps (`needs.data_generation`): what a page computes from them is cached under it."""

    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return self.token
