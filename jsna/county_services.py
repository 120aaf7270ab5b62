"""Illustrative services for the real county: real sites, invented capacity and spend.

Worcestershire's population, boundaries and deprivation are published data; its services are
not (no open dataset gives a service's capacity or spend). So that the service mapping and the
gap analysis have something to show, this module invents a modest set of services across the
ambitions' service types, each placed at a real mental-health site of the NHS ODS file shipped
in fixtures/worcestershire (its published name, postcode and coordinates) or given a catchment
of real district codes. Capacity and spend are drawn from a fixed seed, scaled to the real
population; every service's name, provider and source say "Illustrative", and the loader flags
them as synthetic. Pure: no Django.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from needs import columns as c

ILLUSTRATIVE_SEED = 20250601
CODE_PREFIX = "ILLUS-WOR-"
CURRENT_YEAR = "2024/25"
PREVIOUS_YEAR = "2023/24"
SOURCE = "Illustrative figures, not real provision data: capacity and spend invented (seeded)"
SITE_SOURCE = f"{SOURCE}; site name and place from NHS ODS (OGL v3.0)"
NHS_PROVIDER = "Illustrative NHS mental health provider"
VOLUNTARY_PROVIDER = "Illustrative voluntary-sector provider"
NEW_THIS_YEAR = ("crisis_cafe",)  # no record a year earlier: the financial mapping's investment
MISSING_SITE = "{path}: no row for the ODS site {code} that an illustrative service is placed at."

BROMSGROVE, MALVERN_HILLS, REDDITCH = "E07000234", "E07000235", "E07000236"
WORCESTER, WYCHAVON, WYRE_FOREST = "E07000237", "E07000238", "E07000239"
DISTRICT_NAMES = {
    BROMSGROVE: "Bromsgrove",
    MALVERN_HILLS: "Malvern Hills",
    REDDITCH: "Redditch",
    WORCESTER: "Worcester",
    WYCHAVON: "Wychavon",
    WYRE_FOREST: "Wyre Forest",
}
COUNTY = tuple(DISTRICT_NAMES)
NORTH = (BROMSGROVE, REDDITCH, WYRE_FOREST)
SOUTH = (MALVERN_HILLS, WORCESTER, WYCHAVON)
ADULT = 18
OLDEST = 90  # single years of age run 0..90, 90 standing for "90 and over"


@dataclass(frozen=True)
class Kind:
    """How one type of service is sized: per 1,000 eligible residents, or a fixed size."""

    service_type: str
    category: str
    title: str
    conditions: tuple[str, ...]
    ages: tuple[int, int | None]
    unit: str
    capacity: tuple[float, float]  # per 1,000 eligible residents, or absolute if not per_1000
    unit_cost: tuple[float, float]  # pounds per capacity unit a year (per hour if hourly)
    per_1000: bool = True
    sexes: tuple[str, ...] = ("F", "M")
    provider: str = NHS_PROVIDER
    provider_type: str = "nhs_trust"
    funding: tuple[tuple[str, int], ...] = (("nhs", 100),)


# Plausible ranges of the same order as the synthetic demo's (jsna.demo_area): invented.
KINDS = {
    kind.service_type: kind
    for kind in (
        Kind("talking_therapies", "therapy", "NHS Talking Therapies", ("cmd",), (16, None),
             "courses_per_year", (18, 45), (250, 400)),
        Kind("cmht_adult", "cmht", "Adult community mental health team", ("psychosis", "cmd"),
             (18, 64), "caseload_places", (4, 7), (2_500, 4_000)),
        Kind("cmht_older", "cmht", "Older adults' community mental health team",
             ("dementia", "any"), (65, None), "caseload_places", (8, 14), (2_500, 3_500)),
        Kind("crisis_home_treatment", "clinical", "Crisis resolution and home treatment",
             ("any",), (18, None), "referrals_per_year", (5, 8), (1_200, 2_000)),
        Kind("eip", "clinical", "Early intervention in psychosis", ("psychosis",), (14, 65),
             "caseload_places", (0.6, 1.0), (7_000, 10_000)),
        Kind("camhs", "clinical", "Children and young people's mental health service",
             ("cyp_any",), (0, 17), "caseload_places", (8, 14), (2_500, 4_000)),
        Kind("memory_assessment", "clinical", "Memory assessment service", ("dementia",),
             (18, None), "referrals_per_year", (2.5, 4.5), (700, 1_100)),
        Kind("perinatal", "clinical", "Specialist perinatal mental health", ("perinatal",),
             (16, 45), "caseload_places", (2, 4), (4_000, 6_000), sexes=("F",)),
        Kind("eating_disorders", "clinical", "Adult eating disorders service",
             ("eating_disorder",), (16, None), "caseload_places", (0.3, 0.6), (5_000, 8_000)),
        Kind("psychiatric_inpatient", "clinical", "Acute adult inpatient beds",
             ("psychosis", "any"), (18, None), "beds", (0.17, 0.25), (150_000, 250_000)),
        Kind("crisis_cafe", "access", "Crisis café", ("any",), (16, None), "hours_per_week",
             (20, 42), (70, 120), per_1000=False, provider=VOLUNTARY_PROVIDER,
             provider_type="third_sector", funding=(("pooled", 100),)),
        Kind("carers_support", "carers", "Mental health carers' support", ("any",), (18, None),
             "caseload_places", (300, 800), (150, 300), per_1000=False,
             provider=VOLUNTARY_PROVIDER, provider_type="third_sector",
             funding=(("local_authority", 80), ("nhs", 20))),
    )
}  # fmt: skip

# (service type, ODS code of the real site or "" for none, the districts it serves). The sites
# are NHS ODS prescribing cost centres whose published names mark them as mental-health teams.
PLACEMENTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("cmht_adult", "Y04525", (BROMSGROVE,)),  # BROMSGROVE CMHT
    ("cmht_adult", "Y04530", (MALVERN_HILLS,)),  # MALVERN CMHT
    ("cmht_adult", "Y04536", (REDDITCH,)),  # REDDITCH CMHT
    ("cmht_adult", "Y04537", (WORCESTER,)),  # WORCESTER CMHT
    ("cmht_adult", "Y04527", (WYCHAVON,)),  # EVESHAM CMHT
    ("cmht_adult", "Y04514", (WYRE_FOREST,)),  # WF CMHT
    ("cmht_older", "Y04523", (BROMSGROVE, REDDITCH)),  # R&B OA CMHT
    ("cmht_older", "Y04524", (MALVERN_HILLS,)),  # MALV OA CMHT
    ("cmht_older", "Y04447", (WORCESTER,)),  # WORC OA CMHT
    ("cmht_older", "Y04528", (WYCHAVON,)),  # WA OA CMHT
    ("cmht_older", "Y04519", (WYRE_FOREST,)),  # WF OA CMHT
    ("crisis_home_treatment", "Y04448", (BROMSGROVE, REDDITCH)),  # REDDITCH & BROMSGROVE HTT
    ("crisis_home_treatment", "Y04451", (MALVERN_HILLS, WORCESTER)),  # WORC MALV HTT
    ("crisis_home_treatment", "Y04444", (WYCHAVON,)),  # WYCHAVON HOME TREATMENT TEAM
    ("crisis_home_treatment", "Y04418", (WYRE_FOREST,)),  # WF HTT
    ("eip", "Y04565", NORTH),  # EARLY INTERVENTION NORTH SERVICE
    ("eip", "Y04562", SOUTH),  # EI SOUTH SERVICE
    ("camhs", "Y04638", (BROMSGROVE, REDDITCH)),  # CAMHS - R&B
    ("camhs", "Y04639", (WYRE_FOREST,)),  # CAMHS - WF
    ("camhs", "Y04641", SOUTH),  # CAMHS - WORCESTER
    ("memory_assessment", "Y07187", NORTH),  # OAMH INPATIENTS & HHT
    ("memory_assessment", "Y07342", SOUTH),  # WORCESTERSHIRE COMMUNITY OAMH
    ("perinatal", "Y04542", COUNTY),  # PERINATAL PSYCHIATRY
    ("eating_disorders", "Y06576", COUNTY),  # WORCESTERSHIRE ADULT EATING DISORDERS
    ("psychiatric_inpatient", "Y05674", COUNTY),  # WORCESTER CITY INPATIENT UNIT
    ("talking_therapies", "", NORTH),
    ("talking_therapies", "", SOUTH),
    ("crisis_cafe", "", COUNTY),
    ("carers_support", "", COUNTY),
)


def read_sites(path: Path) -> pd.DataFrame:
    """The ODS sites the placements name: org_code, name, postcode, longitude, latitude and
    lsoa21_code_pip (the 2021 LSOA the point lies in). Raises ValueError naming a missing one."""
    sites = pd.read_csv(path, dtype={"org_code": str, "postcode": str, "lsoa21_code_pip": str})
    wanted = {code for _, code, _ in PLACEMENTS if code}
    missing = sorted(wanted - set(sites["org_code"]))
    if missing:
        raise ValueError(MISSING_SITE.format(path=path.name, code=", ".join(missing)))
    columns = ["org_code", "name", "postcode", "longitude", "latitude", "lsoa21_code_pip"]
    return sites.loc[sites["org_code"].isin(wanted), columns].set_index("org_code")


def district_population(population: pd.DataFrame, districts: pd.DataFrame) -> pd.DataFrame:
    """People by district, sex and single year of age: district_code, sex, age, count.

    `population`: area_code, sex, age, count of 2021 LSOAs; `districts`: area_code,
    district_code of each 2021 LSOA."""
    joined = population.merge(districts, on=c.AREA_CODE)
    return joined.groupby(["district_code", c.SEX, c.AGE], as_index=False)[c.COUNT].sum()


def illustrative_service_records(
    sites: pd.DataFrame, people: pd.DataFrame, *, seed: int = ILLUSTRATIVE_SEED
) -> pd.DataFrame:
    """One record per service and financial year, in provision.services.services_upsert's
    layout. `sites` from read_sites; `people` from district_population."""
    rng = np.random.default_rng(seed)
    rows = []
    for number, (service_type, code, districts) in enumerate(PLACEMENTS, start=1):
        kind = KINDS[service_type]
        eligible = _eligible(people, kind, districts)
        rows.append(_record(number, kind, _site(sites, code), districts, eligible, rng))
    current = pd.DataFrame(rows)
    return pd.concat([_previous_year(current, rng), current], ignore_index=True)


def _eligible(people: pd.DataFrame, kind: Kind, districts: tuple[str, ...]) -> float:
    oldest = OLDEST if kind.ages[1] is None else kind.ages[1]
    chosen = (
        people["district_code"].isin(districts)
        & people[c.SEX].isin(kind.sexes)
        & people[c.AGE].between(kind.ages[0], oldest)
    )
    return float(people.loc[chosen, c.COUNT].sum())


def _record(
    number: int,
    kind: Kind,
    site: tuple[tuple[str, str, float, float, str], ...],
    districts: tuple[str, ...],
    eligible: float,
    rng: np.random.Generator,
) -> dict[str, object]:
    capacity = _capacity(kind, eligible, rng)
    weeks = 52 if kind.unit == "hours_per_week" else 1  # hourly costs, weekly hours
    spend = round(capacity * weeks * rng.uniform(*kind.unit_cost), -3)
    return {
        c.SERVICE_CODE: f"{CODE_PREFIX}{number:03d}",
        "name": f"Illustrative: {kind.title}, {_places(districts)}",
        "provider": kind.provider,
        "provider_type": kind.provider_type,
        "category": kind.category,
        "service_type": kind.service_type,
        "conditions": kind.conditions,
        "age_min": kind.ages[0],
        "age_max": kind.ages[1],
        "capacity": capacity,
        "capacity_unit": kind.unit,
        "annual_spend": spend,
        "financial_year": CURRENT_YEAR,
        "source": SITE_SOURCE if site else SOURCE,
        "catchment_codes": districts,
        "funding": kind.funding,
        "sites": site,
    }


def _capacity(kind: Kind, eligible: float, rng: np.random.Generator) -> float:
    """Population-scaled kinds get a seeded rate per 1,000 eligible; others a fixed size."""
    if not kind.per_1000:
        return float(rng.integers(int(kind.capacity[0]), int(kind.capacity[1]) + 1))
    value = eligible * rng.uniform(*kind.capacity) / 1000
    # Round as a commissioner would quote it: to the nearest 10 once it is in the hundreds.
    return float(round(value, -1) if value >= 100 else max(round(value), 1))


def _site(sites: pd.DataFrame, code: str) -> tuple[tuple[str, str, float, float, str], ...]:
    if not code:
        return ()
    site = sites.loc[code]
    name = f"{site['name']} (NHS ODS {code})"
    return ((name, site["postcode"], site["longitude"], site["latitude"], site["lsoa21_code_pip"]),)


def _places(districts: tuple[str, ...]) -> str:
    if districts == COUNTY:
        return "Worcestershire"
    names = [DISTRICT_NAMES[code] for code in districts]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _previous_year(current: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """A year earlier: spend and capacity mostly a little lower, a few services cut since."""
    previous = current[~current["service_type"].isin(NEW_THIS_YEAR)].copy()
    change = rng.uniform(0.88, 1.06, len(previous))
    previous["annual_spend"] = np.round(previous["annual_spend"].to_numpy(float) / change, -3)
    previous["capacity"] = np.round(previous["capacity"].to_numpy(float) / change, 0)
    previous["financial_year"] = PREVIOUS_YEAR
    return previous
