"""The real county `make run` loads: Worcestershire's published open data, then the shipped
catalogue, then illustrative services (the only invented data).

Every file in fixtures/worcestershire goes through uploads.services.dataset_import, the path an
analyst's upload and the import_* commands take: the same checks, the same importers, the same
dataset version. The importers replace by key, so a second load replaces and never duplicates.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.db import transaction

from jsna import county_services
from jsna.services import catalogue_load
from needs import selectors as needs_selectors
from needs.models import Area, AreaLevel, DatasetKind
from needs.plans import ImportOptions
from needs.services import ImportRefused
from provision.models import Service
from provision.services import services_upsert
from uploads.kinds import KINDS
from uploads.services import dataset_import

COUNTY_FOLDER = Path(settings.BASE_DIR) / "fixtures" / "worcestershire"
SITES_FILE = "nhs_ods_non_gp_prescribing_cost_centres_geocoded.csv"
REFUSED = "{name} was refused ({total:,} problem(s)); nothing from this load was kept."
NO_POPULATION = "No population is loaded: the illustrative services are sized from it."
MISSING_DISTRICTS = "The district(s) {codes} are not loaded: load the county's boundaries first."


@dataclass(frozen=True)
class CountyFile:
    kind: str
    name: str
    year: int | None = None


# The load order of fixtures/worcestershire/README.md: outlines, then the hierarchy that links
# them, then the figures that hang off the small areas.
COUNTY_FILES = (
    CountyFile(DatasetKind.BOUNDARIES, "lsoa11_boundaries_bgc.geojson"),
    CountyFile(DatasetKind.BOUNDARIES, "lsoa21_boundaries_bgc.geojson"),
    CountyFile(DatasetKind.BOUNDARIES, "msoa11_boundaries_bgc.geojson"),
    CountyFile(DatasetKind.BOUNDARIES, "msoa21_boundaries_bgc.geojson"),
    CountyFile(DatasetKind.BOUNDARIES, "ward25_boundaries_bgc.geojson"),
    CountyFile(DatasetKind.BOUNDARIES, "lad_boundaries_from_lsoa21_bgc.geojson"),
    CountyFile(DatasetKind.LOOKUP, "lookup_lsoa11_msoa11_lad_icb.csv"),
    CountyFile(DatasetKind.LOOKUP, "lookup_lsoa21_msoa21_ward24_lad_icb.csv"),
    CountyFile(DatasetKind.LOOKUP, "lookup_lsoa11_to_lsoa21.csv"),
    CountyFile(DatasetKind.SEX_TOTALS, "census2021_ts008_sex_lsoa21.csv"),
    CountyFile(
        DatasetKind.POPULATION, "population_mid2019_lsoa11_single_year_of_age_persons.csv", 2019
    ),
    CountyFile(
        DatasetKind.POPULATION, "population_mid2020_lsoa11_single_year_of_age_persons.csv", 2020
    ),
    CountyFile(DatasetKind.DEPRIVATION, "imd2019_lsoa11_ranks_deciles_denominators.csv"),
    CountyFile(DatasetKind.DEPRIVATION, "imd2025_lsoa21_scores_ranks_deciles.csv"),
    CountyFile(DatasetKind.IOD_INDICATORS, "imd2019_lsoa11_underlying_indicators.csv"),
    CountyFile(DatasetKind.IOD_INDICATORS, "imd2025_lsoa21_underlying_indicators.csv"),
    CountyFile(DatasetKind.GP_PRACTICES, "gp_practices_ods_epraccur_geocoded.csv"),
    CountyFile(DatasetKind.QOF, "qof_prevalence_2019_20_practice_long.csv"),
    CountyFile(DatasetKind.QOF, "qof_mental_health_registers_2019_20_practice_wide.csv"),
    CountyFile(DatasetKind.TALKING_THERAPIES, "nhs_talking_therapies_iapt_monthly_sub_icb.csv"),
    CountyFile(DatasetKind.INDICATORS, "ons_health_index_ltla_indicators_long.csv"),
    CountyFile(DatasetKind.INDICATORS, "ons_health_index_ltla_scores_subdomains.csv"),
)


class CountyLoadRefused(Exception):
    """A shipped file failed its checks (or a step could not run); the load was rolled back."""

    def __init__(self, message: str, errors: list[str]) -> None:
        self.errors = errors
        super().__init__(message)


@dataclass(frozen=True)
class FileImported:
    """One file's outcome, as an import_* command reports it."""

    label: str
    name: str
    rows: int
    version_id: int
    same_file: str
    warnings: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CountySummary:
    files: list[FileImported]
    rates: int
    norms: int
    services: int  # illustrative services (each has a record for one or two financial years)


@transaction.atomic
def county_load(
    *, folder: Path = COUNTY_FOLDER, report: Callable[[FileImported], None] | None = None
) -> CountySummary:
    """Import the county's files in order, the catalogue, then the illustrative services.

    One transaction: a refused file raises CountyLoadRefused and leaves the database as it was.
    `report` is called after each file, for progress."""
    files = []
    for county_file in COUNTY_FILES:
        imported = _import(folder / county_file.name, county_file)
        files.append(imported)
        if report:
            report(imported)
    rates, norms = catalogue_load()
    services = illustrative_services_load(sites_path=folder / SITES_FILE)
    return CountySummary(files=files, rates=rates, norms=norms, services=services)


def _import(path: Path, county_file: CountyFile) -> FileImported:
    try:
        plan, version = dataset_import(
            kind=county_file.kind,
            path=path,
            name=path.name,
            options=ImportOptions(year=county_file.year),
        )
    except ImportRefused as refused:
        message = REFUSED.format(name=path.name, total=refused.total)
        raise CountyLoadRefused(message, refused.errors) from refused
    return FileImported(
        label=KINDS[county_file.kind].label,
        name=path.name,
        rows=version.rows,
        version_id=version.pk,
        same_file=plan.same_file,
        warnings=list(plan.warnings),
        changes=list(plan.changes),
    )


def illustrative_services_load(*, sites_path: Path) -> int:
    """Write the illustrative services (flagged synthetic), sized from the latest population;
    services of an earlier load that are no longer generated are removed."""
    year = needs_selectors.latest_population_year()
    if year is None:
        raise CountyLoadRefused(NO_POPULATION, [NO_POPULATION])
    people = county_services.district_population(
        needs_selectors.population_frame(year=year), _lsoa_districts()
    )
    try:
        sites = county_services.read_sites(sites_path)
    except ValueError as error:
        raise CountyLoadRefused(str(error), [str(error)]) from error
    records = county_services.illustrative_service_records(sites, people)
    services_upsert(services=records, area_ids=_area_ids(records), is_synthetic=True)
    codes = set(records["service_code"])
    Service.objects.filter(code__startswith=county_services.CODE_PREFIX).exclude(
        code__in=codes
    ).delete()
    return len(codes)


def _lsoa_districts() -> pd.DataFrame:
    """Each 2021 LSOA with its district (LSOA → MSOA → district, as the lookup set them)."""
    rows = Area.objects.filter(level=AreaLevel.LSOA21, parent__parent__level=AreaLevel.LAD)
    return pd.DataFrame.from_records(
        list(rows.values_list("code", "parent__parent__code")),
        columns=["area_code", "district_code"],
    )


def _area_ids(records: pd.DataFrame) -> dict[str, int]:
    """Districts (catchments) and the 2021 LSOAs the sites lie in, by code."""
    districts = {code for codes in records["catchment_codes"] for code in codes}
    site_areas = {site[4] for sites in records["sites"] for site in sites}
    ids = dict(
        Area.objects.filter(level=AreaLevel.LAD, code__in=districts).values_list("code", "id")
    )
    missing = sorted(districts - set(ids))
    if missing:
        message = MISSING_DISTRICTS.format(codes=", ".join(missing))
        raise CountyLoadRefused(message, [message])
    lsoas = Area.objects.filter(level=AreaLevel.LSOA21, code__in=site_areas)
    return ids | dict(lsoas.values_list("code", "id"))
