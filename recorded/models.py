"""What services and publishers record, as published: GP registers (QOF), GP practice sites,
patients registered at each practice by LSOA, NHS Talking Therapies activity and local-authority
indicators with England's own value.

Every row points to the dataset version (the file) it came from. A later file with the same keys
replaces the rows (and the new rows point to the new version); the earlier version stays on record.
"""

from django.db import models

from needs.models import Area, DatasetVersion

ENGLAND_CODE = "E92000001"


class Practice(models.Model):
    """A GP practice site (NHS ODS epraccur), placed in a 2021 LSOA by point in polygon."""

    code = models.CharField("ODS code", max_length=10, unique=True)
    name = models.CharField(max_length=200)
    postcode = models.CharField(max_length=10, blank=True)
    status = models.CharField(
        max_length=1, blank=True, help_text="ODS status: A active, C closed, D dormant, P proposed"
    )
    open_date = models.DateField(null=True, blank=True)
    close_date = models.DateField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    area = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="practices",
        help_text="The loaded 2021 LSOA the site lies in (point in polygon), if any.",
    )
    commissioner = models.CharField(max_length=10, blank=True)
    pcn_code = models.CharField("PCN code", max_length=10, blank=True)
    pcn_name = models.CharField("PCN name", max_length=200, blank=True)
    dataset_version = models.ForeignKey(
        DatasetVersion, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_open(self) -> bool:
        return self.status in ("A", "") and self.close_date is None


class QofRegister(models.Model):
    """One practice's QOF register for one condition group and year, with the list size it
    is a share of. `list_type` and the ages are what the file says the list covers (blank:
    the file does not say)."""

    practice_code = models.CharField(max_length=10, db_index=True)
    year = models.PositiveSmallIntegerField(help_text="QOF year by its first year: 2019 = 2019-20")
    group_code = models.CharField(max_length=10, help_text="QOF group code as published, e.g. DEM")
    condition = models.CharField(max_length=40, help_text="plain name, e.g. dementia, smi")
    register = models.PositiveIntegerField()
    list_size = models.PositiveIntegerField()
    list_type = models.CharField(max_length=10, blank=True, help_text="e.g. TOTAL, 18OV")
    age_min = models.PositiveSmallIntegerField(null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(null=True, blank=True)
    dataset_version = models.ForeignKey(
        DatasetVersion, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["year", "practice_code", "group_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice_code", "year", "group_code"], name="qof_register_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.practice_code} {self.group_code} {self.period}: {self.register}"

    @property
    def period(self) -> str:
        return f"{self.year}-{(self.year + 1) % 100:02d}"


class PracticeLsoaPatients(models.Model):
    """Patients registered at a practice who live in one LSOA, on one extract date (NHS
    Digital's quarterly file), as published: 2011 or 2021 LSOA codes (`vintage`). `area` is the
    loaded LSOA of that vintage, if any (patients living outside the area have none)."""

    practice_code = models.CharField(max_length=10, db_index=True)
    lsoa_code = models.CharField(max_length=12)
    vintage = models.CharField(max_length=10, help_text="lsoa11 or lsoa21")
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    extract_date = models.DateField()
    sex = models.CharField(max_length=3, default="ALL", help_text="ALL, F or M")
    patients = models.PositiveIntegerField()
    dataset_version = models.ForeignKey(
        DatasetVersion, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["extract_date", "practice_code", "lsoa_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice_code", "lsoa_code", "extract_date", "sex"],
                name="practice_lsoa_patients_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.practice_code} {self.lsoa_code} {self.extract_date}: {self.patients}"


class TalkingTherapiesActivity(models.Model):
    """One NHS Talking Therapies measure for one area (a sub-ICB location, or England) and
    month. `value` is empty where the publisher suppressed it."""

    area_code = models.CharField(max_length=12, db_index=True)
    area_name = models.CharField(max_length=200, blank=True)
    is_england = models.BooleanField(default=False)
    month = models.DateField(help_text="the first day of the month reported")
    measure = models.CharField(max_length=60, help_text="plain key, e.g. recovery_rate")
    label = models.CharField(max_length=200)
    published_name = models.CharField(max_length=120, help_text="the measure as the file names it")
    unit = models.CharField(max_length=10, help_text="count or percent")
    value = models.FloatField(null=True, blank=True)
    dataset_version = models.ForeignKey(
        DatasetVersion, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["area_code", "month", "measure"]
        constraints = [
            models.UniqueConstraint(
                fields=["area_code", "month", "published_name"], name="talking_therapies_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.area_code} {self.month:%b %Y} {self.measure}: {self.value}"


class EnglandSource(models.TextChoices):
    NONE = "", "Not England"
    FILE = "file", "England's row in the file"
    COMPUTED = "computed", "Computed from every area's numerator and denominator in the file"
    DEFINITION = "definition", "The publisher's definition (e.g. England 2015 = 100)"


class IndicatorValue(models.Model):
    """One local-authority (or England) value of a published indicator for one period, with
    its interval and counts where the file has them. England's rows (`area_code` E92000001)
    say where the value came from (`england_source`); rows of areas not loaded here, kept from a
    file in the generic layout, are the comparator group's (`is_comparator`)."""

    source = models.CharField(max_length=120, help_text="e.g. ONS Health Index")
    indicator = models.CharField(max_length=200)
    area_code = models.CharField(max_length=12, db_index=True)
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    period = models.CharField(max_length=20, help_text="as published, e.g. 2021 or 2019/20")
    year = models.PositiveSmallIntegerField(null=True, blank=True, help_text="first year")
    value = models.FloatField(null=True, blank=True)
    lower = models.FloatField(null=True, blank=True)
    upper = models.FloatField(null=True, blank=True)
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    england_source = models.CharField(
        max_length=12, choices=EnglandSource.choices, blank=True, default=EnglandSource.NONE
    )
    is_comparator = models.BooleanField(
        default=False,
        help_text="A comparator-group area's value (an area not loaded here), not the area's own.",
    )
    dataset_version = models.ForeignKey(
        DatasetVersion, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["source", "indicator", "area_code", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "indicator", "area_code", "period"],
                name="indicator_value_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.area_code} {self.period}: {self.value}"

    @property
    def is_england(self) -> bool:
        return self.area_code == ENGLAND_CODE
