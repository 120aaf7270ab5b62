"""The kinds of file an analyst can import, and how each is checked and written."""

from collections.abc import Callable
from dataclasses import dataclass

from needs import geography_imports, locality_imports
from needs import imports as needs_imports
from needs.column_mapping import MappingSupport
from needs.models import DatasetKind
from needs.plans import Plan
from provision.imports import SERVICES_MAPPING, plan_services
from recorded import imports as recorded_imports


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    command: str
    suffixes: tuple[str, ...]
    help: str
    plan: Callable[..., Plan]
    takes_year: bool = False
    national_files: bool = False
    takes_scheme_name: bool = False
    example: str = ""  # the first line of a file in the expected layout, shown on the Data page
    # a file in the analyst's own layout: its columns and values matched to the template's
    mapping: MappingSupport | None = None


KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (
        Kind(
            DatasetKind.BOUNDARIES,
            "Boundaries",
            "import_boundaries",
            (".geojson", ".json", ".gpkg", ".zip"),
            "GeoJSON, GeoPackage or a zipped shapefile, in any coordinate system, with an ONS code "
            "column such as LSOA21CD, MSOA11CD, WD25CD or LAD24CD.",
            geography_imports.plan_boundaries,
        ),
        Kind(
            DatasetKind.LOOKUP,
            "Area lookup",
            "import_lookup",
            (".csv",),
            "An ONS LSOA → MSOA → local authority (and ward) lookup, 2011 or 2021 LSOAs, or the "
            "LSOA 2011 → 2021 best-fit lookup (with its change code).",
            geography_imports.plan_lookup,
        ),
        Kind(
            DatasetKind.POPULATION,
            "Population estimates",
            "import_population",
            (".csv", ".xlsx"),
            "ONS small-area population estimates by single year of age: the published workbook "
            "(a sheet per sex), the persons-only CSV, or a long CSV (area_code, year, sex, age, "
            "count). Persons-only figures are split by sex and flagged as modelled.",
            needs_imports.plan_population,
            takes_year=True,
            national_files=True,
        ),
        Kind(
            DatasetKind.SEX_TOTALS,
            "Census sex totals",
            "import_sex_totals",
            (".csv",),
            "Census 2021 TS008 (sex) for small areas, as ONS's bulk download gives it: the "
            "totals a persons-only population is raked to when it is split by sex.",
            needs_imports.plan_sex_totals,
            national_files=True,
        ),
        Kind(
            DatasetKind.PROJECTIONS,
            "Population projections",
            "import_projections",
            (".csv", ".xlsx", ".zip"),
            "ONS subnational population projections (local authority × sex × age × year): the "
            "ZIP as published (its males and females files), or one file holding both sexes.",
            needs_imports.plan_projections,
            national_files=True,
        ),
        Kind(
            DatasetKind.DEPRIVATION,
            "Indices of Deprivation",
            "import_deprivation",
            (".csv",),
            "English Indices of Deprivation 2019 or 2025 per LSOA (MHCLG's files with ranks and "
            "deciles, with or without scores).",
            geography_imports.plan_deprivation,
            national_files=True,
        ),
        Kind(
            DatasetKind.IOD_INDICATORS,
            "Deprivation mental-health indicators",
            "import_iod_indicators",
            (".csv",),
            "The Indices of Deprivation's observed mental-health indicator per LSOA, from File 8 "
            "(underlying indicators): IoD2019's mood and anxiety disorders indicator, or "
            "IoD2025's mental health indicator. Shown beside the estimated need as context.",
            geography_imports.plan_iod_indicators,
            national_files=True,
        ),
        Kind(
            DatasetKind.RATES,
            "Prevalence rates",
            "import_rates",
            (".csv",),
            "Local or published prevalence rates by sex and age band, each with its source.",
            needs_imports.plan_rates,
        ),
        Kind(
            DatasetKind.RELATIVE_RISKS,
            "Relative risks by deprivation",
            "import_relative_risks",
            (".csv",),
            "Relative risks of each condition by IMD quintile (condition_code, imd_quintile, "
            "relative_risk, source, source_year, source_url), each with its source: the "
            "optional deprivation adjustment of need.",
            needs_imports.plan_relative_risks,
        ),
        Kind(
            DatasetKind.SERVICES,
            "Services",
            "import_services",
            (".csv", ".xlsx"),
            "Services in the template's layout (download it from the upload page): one row per "
            "service and financial year, with funding shares, catchment and sites. Your own "
            "list with other column names works too: you match its columns to the template's.",
            plan_services,
            mapping=SERVICES_MAPPING,
        ),
        Kind(
            DatasetKind.LOCALITIES,
            "Localities",
            "import_localities",
            (".csv",),
            "Your own localities: one row per LSOA (lsoa21_code or LSOA21CD; 2011 codes are "
            "carried to 2021 through the best-fit lookup) with its locality_name, and optionally "
            "a locality_code. Every LSOA with population must be in exactly one locality. The "
            "scheme is named after the file unless you give a name.",
            locality_imports.plan_localities,
            takes_scheme_name=True,
            mapping=locality_imports.LOCALITIES_MAPPING,
        ),
        Kind(
            DatasetKind.QOF,
            "QOF registers by practice",
            "import_qof",
            (".csv",),
            "NHS Digital's Quality and Outcomes Framework registers and list sizes by GP practice "
            "(dementia, depression, serious mental illness, learning disability and the other "
            "groups), in its long layout or a wide one (practice_code, dem_register, "
            "dem_patient_list_size, …). The QOF year is read from the file's name (2019_20) "
            "unless you give it (2019 for 2019-20). The ages each list covers are kept as the "
            "file states them (TOTAL all ages, 18OV 18 and over).",
            recorded_imports.plan_qof,
            takes_year=True,
            example="PRACTICE_CODE,GROUP_CODE,REGISTER,PATIENT_LIST_TYPE,PATIENT_LIST_SIZE",
        ),
        Kind(
            DatasetKind.GP_PRACTICES,
            "GP practice sites",
            "import_gp_practices",
            (".csv",),
            "GP practices from NHS ODS (epraccur as published, or with headers): code, name, "
            "postcode, status, open and close dates, and the site's longitude and latitude (or "
            "easting and northing). Each site is placed in the loaded 2021 LSOA it lies in.",
            recorded_imports.plan_gp_practices,
            national_files=True,
            example="org_code,name,postcode,open_date,close_date,status_code,longitude,latitude",
        ),
        Kind(
            DatasetKind.PRACTICE_LSOA,
            "Registered patients by practice and LSOA",
            "import_practice_lsoa",
            (".csv",),
            'NHS Digital\'s quarterly "Patients registered at a GP practice" file by LSOA '
            "(gp-reg-pat-prac-lsoa-all.csv): how many of each practice's patients live in each "
            "LSOA. Load the GP practice sites first. With it, registers are shared out to small "
            "areas by where patients live instead of where the practice is.",
            recorded_imports.plan_practice_lsoa,
            national_files=True,
            example="PUBLICATION,EXTRACT_DATE,PRACTICE_CODE,PRACTICE_NAME,LSOA_CODE,SEX,"
            "NUMBER_OF_PATIENTS",
        ),
        Kind(
            DatasetKind.TALKING_THERAPIES,
            "NHS Talking Therapies activity",
            "import_talking_therapies",
            (".csv",),
            "NHS Talking Therapies (IAPT) monthly activity by sub-ICB area, one row per area, "
            "month and measure: referrals, entering treatment, finished courses, recovery, "
            "reliable improvement, waits within 6 and 18 weeks. England's rows (E92000001) are "
            "kept as the comparator.",
            recorded_imports.plan_talking_therapies,
            example="sicbl22_code,date,name,value",
        ),
        Kind(
            DatasetKind.INDICATORS,
            "Local-authority indicators",
            "import_indicators",
            (".csv",),
            "Indicators by local authority: the ONS Health Index (its indicators in long layout, "
            "or its scores with one column per domain), or any indicator in the layout area_code, "
            "period, indicator, value, lower, upper, numerator, denominator (e.g. from "
            "Fingertips). England's value is kept from its row (E92000001); for a national file "
            "of crude rates it is computed from every area's counts before the file is cut to "
            "the areas loaded here. In the generic layout, rows for areas not loaded here are "
            "kept as the comparator group (unless the file is cut to the areas loaded here).",
            recorded_imports.plan_indicators,
            national_files=True,
            example="area_code,period,indicator,value,lower,upper,numerator,denominator",
        ),
    )
}
