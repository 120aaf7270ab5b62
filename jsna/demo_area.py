"""A deterministic, clearly labelled SYNTHETIC county for demos, tests and training.

``generate_demo_area()`` builds "Wyvern Vale (synthetic)": nested areas with GeoJSON
geometry, a single-year-of-age population, a synthetic IMD and a catalogue of mental
health services. Nothing here is real data; every figure comes from seeded parametric
models shaped to look plausible for an English county. Pure: no Django, no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import shape

from jsna.demo_geography import DISTRICT_NAMES, DemoGeography, build_geography
from needs.labels import SYNTHETIC_LABEL

DEMO_SEED: int = 20261123

POPULATION_YEAR = 2023
FINANCIAL_YEAR = "2024/25"
AGES = np.arange(91)  # single years; 90 stands for "90 and over", as in ONS mid-year estimates
SEXES = ("F", "M")
ENGLAND_LSOAS = 33_755  # England's LSOAs (2021 boundaries): national IMD ranks run 1..33,755

# A smooth age profile in the shape of England's pyramid (relative people per year of age),
# not copied from any published table: flat childhood, a post-18 dip, a broad 30-60 bulge
# peaking in the late 50s, and a steady fall from 70.
_AGE_KNOTS = (0, 4, 10, 15, 18, 21, 25, 30, 35, 45, 50, 57, 62, 67, 72, 77, 82, 86, 89)
_AGE_WEIGHTS = (1.05, 1.13, 1.22, 1.22, 1.16, 1.14, 1.22, 1.32, 1.34, 1.24, 1.34, 1.40, 1.23,
                0.98, 0.91, 0.79, 0.55, 0.37, 0.25)  # fmt: skip
_SHARE_90_PLUS = 0.008
# Share of each single year of age that is male: ~105 boys per 100 girls at birth,
# parity through middle age, then women's longer lives: about 2 to 1 at 90+.
_MALE_KNOTS = (0, 20, 40, 60, 70, 80, 85, 89, 90)
_MALE_SHARE = (0.512, 0.506, 0.497, 0.492, 0.478, 0.445, 0.415, 0.375, 0.335)

NHS_TRUST = "Wyvern Vale Health and Care NHS Foundation Trust"
COUNCIL = "Wyvern Vale County Council"
PCN_ALLIANCE = "Wyvern Vale Primary Care Networks Alliance"
VALE_MIND = "Vale Mind"
RECOVERY_TRUST = "Open Door Recovery Trust"
HOUSING_ASSOCIATION = "Severn Harbour Housing Association"
CARERS_CHARITY = "Carers Together Wyvern"
YOUTH_CHARITY = "Wyvern Youth Counselling Trust"
CARE_GROUP = "Hartwell Care Group"
SECURE_PROVIDER = "Redstone Healthcare"


@dataclass(frozen=True)
class DemoArea:
    """The synthetic county's tables; every row is demo data (see ``SYNTHETIC_LABEL``)."""

    areas: pd.DataFrame  # area_code, name, level, parent_code, geometry
    population: pd.DataFrame  # area_code, year, sex, age, count
    deprivation: pd.DataFrame  # area_code, imd_score, imd_rank, imd_decile
    services: pd.DataFrame  # see _SERVICE_COLUMNS


def generate_demo_area(*, seed: int = DEMO_SEED) -> DemoArea:
    """Generate the synthetic demo county; the same seed always gives the same tables."""
    # Independent streams, so that changing one model leaves the others' draws untouched.
    streams = np.random.SeedSequence(seed).spawn(4)
    geo_rng, pop_rng, imd_rng, service_rng = (np.random.default_rng(s) for s in streams)
    geography = build_geography(geo_rng)
    counts = _population_counts(pop_rng, geography)
    return DemoArea(
        areas=geography.areas,
        population=_population_frame(geography.lsoa_codes, counts),
        deprivation=_deprivation(imd_rng, geography),
        services=_services(service_rng, geography, counts),
    )


# --- Population ------------------------------------------------------------------------


def _england_like_profile() -> np.ndarray:
    """Share of the population at each single year of age, 90+ last."""
    weights = np.interp(AGES, _AGE_KNOTS, _AGE_WEIGHTS)
    # A 5-year moving average rounds off the corners of the linear interpolation.
    weights = np.convolve(np.pad(weights, 2, mode="edge"), np.ones(5) / 5, mode="valid")
    weights[90] = 0.0
    weights[90] = _SHARE_90_PLUS * weights.sum() / (1 - _SHARE_90_PLUS)
    return weights / weights.sum()


def _population_counts(rng: np.random.Generator, geography: DemoGeography) -> np.ndarray:
    """Integer counts shaped (LSOA, sex F/M, age 0..90)."""
    n = len(geography.lsoa_codes)
    urban = geography.urbanity
    # Towns draw students and young workers (bulge at ~22) and have fewer retirees;
    # villages lose their young adults and age. Noise keeps neighbours from being clones.
    young_adults = -0.30 + 0.85 * urban + rng.normal(0, 0.05, n)
    older = 0.30 * (0.35 - urban) + rng.normal(0, 0.06, n)
    children = rng.normal(0, 0.05, n)
    bump = np.exp(-0.5 * ((AGES - 22) / 3.5) ** 2)
    ramp = np.clip((AGES - 45) / 30, 0, 1)
    log_tilt = (
        np.outer(young_adults, bump)
        + np.outer(older, ramp)
        + np.outer(children, AGES < 18)
        + rng.normal(0, 0.04, (n, AGES.size))
    )
    profile = _england_like_profile() * np.exp(log_tilt)
    profile /= profile.sum(axis=1, keepdims=True)
    # Real LSOAs hold ~1,000-3,000 people; aim for a county of about 475,000.
    totals = np.clip(475_000 / n * rng.lognormal(0, 0.15, n), 1_100, 2_900)
    male = np.clip(np.interp(AGES, _MALE_KNOTS, _MALE_SHARE) + rng.normal(0, 0.01, (n, 1)), 0, 1)
    people = (totals[:, None] * profile)[:, None, :] * np.stack([1 - male, male], axis=1)
    return np.rint(people).astype(np.int64)


def _population_frame(codes: tuple[str, ...], counts: np.ndarray) -> pd.DataFrame:
    n_lsoa, n_sex, n_age = counts.shape
    return pd.DataFrame(
        {
            "area_code": np.repeat(codes, n_sex * n_age),
            "year": POPULATION_YEAR,
            "sex": np.tile(np.repeat(SEXES, n_age), n_lsoa),
            "age": np.tile(AGES, n_lsoa * n_sex),
            "count": counts.ravel(),
        }
    )


# --- Deprivation -----------------------------------------------------------------------


def _deprivation(rng: np.random.Generator, geography: DemoGeography) -> pd.DataFrame:
    """A synthetic IMD: deprived town centres, affluent countryside, patchy in between."""
    n = len(geography.lsoa_codes)
    latent = 1.4 * geography.town_core + 0.5 * _smooth_field(rng, geography.xy_km)
    latent = latent + rng.normal(0, 0.45, n)
    # Standardised, the county spans England's range, so every national decile occurs.
    z = (latent - latent.mean()) / latent.std() - 0.1
    score = np.exp(math.log(17.0) + _log_score_offset(z)).round(3)
    # The score is a monotone transform of z, so z ranks the LSOA among England's; the
    # jitter stands in for the rest of England's scores, which are not modelled.
    national_z = z + rng.normal(0, 0.08, n)
    share_more_deprived = np.array([0.5 * math.erfc(v / math.sqrt(2)) for v in national_z])
    rank = np.clip(np.ceil(ENGLAND_LSOAS * share_more_deprived), 1, ENGLAND_LSOAS).astype(int)
    return pd.DataFrame(
        {
            "area_code": geography.lsoa_codes,
            "imd_score": score,
            "imd_rank": rank,
            "imd_decile": np.ceil(rank / (ENGLAND_LSOAS / 10)).astype(int),
        }
    )


def _log_score_offset(z: np.ndarray) -> np.ndarray:
    """England's IMD scores as a transform of a standard normal: median 17, a long
    low tail down to ~2 and an eased high tail, so scores stay within the real ~2-80."""
    return np.where(z < 0, 0.75 * z, 0.62 * 2.8 * np.tanh(z / 2.8))


def _smooth_field(rng: np.random.Generator, xy_km: np.ndarray) -> np.ndarray:
    """A few random plane waves 12-30 km long: broad patches of better- and worse-off places."""
    angle = rng.uniform(0, np.pi, 3)
    wavenumber = 2 * np.pi / rng.uniform(12.0, 30.0, 3)
    direction = np.column_stack([np.cos(angle), np.sin(angle)]) * wavenumber[:, None]
    phase = rng.uniform(0, 2 * np.pi, 3)
    return np.sin(xy_km @ direction.T + phase).sum(axis=1) / math.sqrt(1.5)


# --- Services --------------------------------------------------------------------------


class _ServiceSpec(NamedTuple):
    service_type: str
    category: str
    title: str
    provider: str
    provider_type: str
    funder: str
    conditions: tuple[str, ...]
    ages: tuple[int, int | None]
    unit: str
    sites: int  # 5 = one per district, 1 = one county-wide service, else districts shared
    per_1000: bool  # capacity scales with the eligible population, else a fixed size
    capacity: tuple[float, float]  # per 1,000 eligible residents, or absolute
    unit_cost: tuple[float, float]  # pounds per capacity unit a year (per hour if hourly)
    sexes: tuple[str, ...] = SEXES


_NHS_SPECS = (
    _ServiceSpec("talking_therapies", "therapy", "NHS Talking Therapies", NHS_TRUST, "nhs_trust",
                 "nhs", ("cmd",), (16, None), "courses_per_year", 5, True, (18, 45), (250, 400)),
    _ServiceSpec("cmht_adult", "cmht", "Adult Community Mental Health Team", NHS_TRUST,
                 "nhs_trust", "nhs", ("psychosis", "cmd"), (18, 64), "caseload_places", 5, True,
                 (4, 7), (2_500, 4_000)),
    _ServiceSpec("cmht_older", "cmht", "Older Adults' Community Mental Health Team", NHS_TRUST,
                 "nhs_trust", "nhs", ("dementia", "any"), (65, None), "caseload_places", 2, True,
                 (8, 14), (2_500, 3_500)),
    _ServiceSpec("memory_assessment", "clinical", "Memory Assessment Service", NHS_TRUST,
                 "nhs_trust", "nhs", ("dementia",), (18, None), "referrals_per_year", 2, True,
                 (2.5, 4.5), (700, 1_100)),
    _ServiceSpec("eip", "clinical", "Early Intervention in Psychosis", NHS_TRUST, "nhs_trust",
                 "nhs", ("psychosis",), (14, 65), "caseload_places", 1, True, (0.6, 1.0),
                 (7_000, 10_000)),
    _ServiceSpec("crisis_home_treatment", "clinical", "Crisis Resolution and Home Treatment",
                 NHS_TRUST, "nhs_trust", "nhs", ("any",), (18, None), "referrals_per_year", 1,
                 True, (5, 8), (1_200, 2_000)),
    _ServiceSpec("single_point_of_access", "access", "Mental Health Single Point of Access",
                 NHS_TRUST, "nhs_trust", "nhs", ("any",), (0, None), "referrals_per_year", 1,
                 True, (25, 40), (40, 70)),
    _ServiceSpec("primary_care_mh", "access", "Primary Care Mental Health Practitioners",
                 PCN_ALLIANCE, "primary_care", "nhs", ("cmd", "any"), (18, None),
                 "referrals_per_year", 1, True, (8, 14), (90, 150)),
    _ServiceSpec("perinatal", "clinical", "Specialist Perinatal Mental Health", NHS_TRUST,
                 "nhs_trust", "nhs", ("perinatal",), (16, 45), "caseload_places", 1, True,
                 (2, 4), (4_000, 6_000), ("F",)),
    _ServiceSpec("camhs", "clinical", "Children and Young People's Mental Health Service",
                 NHS_TRUST, "nhs_trust", "nhs", ("cyp_any",), (0, 17), "caseload_places", 2, True,
                 (8, 14), (2_500, 4_000)),
    _ServiceSpec("eating_disorders", "clinical", "Adult Eating Disorders Service", NHS_TRUST,
                 "nhs_trust", "nhs", ("eating_disorder",), (16, None), "caseload_places", 1,
                 True, (0.3, 0.6), (5_000, 8_000)),
    _ServiceSpec("psychiatric_inpatient", "clinical", "Acute Adult Inpatient Wards", NHS_TRUST,
                 "nhs_trust", "nhs", ("psychosis", "any"), (18, None), "beds", 1, True,
                 (0.17, 0.25), (150_000, 250_000)),
    _ServiceSpec("liaison_diversion", "offenders", "Liaison and Diversion Service", NHS_TRUST,
                 "nhs_trust", "nhs", ("any",), (10, None), "referrals_per_year", 1, False,
                 (800, 1_500), (300, 500)),
)  # fmt: skip

_COMMUNITY_SPECS = (
    _ServiceSpec("secure_unit", "secure", "Low Secure Recovery Unit", SECURE_PROVIDER,
                 "independent", "nhs", ("psychosis",), (18, None), "beds", 1, False, (12, 24),
                 (180_000, 250_000)),
    _ServiceSpec("mh_nursing_home", "continuing_care", "Mental Health Nursing Home Placements",
                 CARE_GROUP, "independent", "nhs", ("dementia", "psychosis"), (18, None), "beds",
                 2, False, (20, 40), (45_000, 75_000)),
    _ServiceSpec("supported_housing", "accommodation", "Mental Health Supported Accommodation",
                 HOUSING_ASSOCIATION, "third_sector", "local_authority", ("any",), (18, None),
                 "beds", 2, False, (12, 30), (12_000, 25_000)),
    _ServiceSpec("housing_support", "support", "Floating Housing Support", HOUSING_ASSOCIATION,
                 "third_sector", "local_authority", ("any",), (18, None), "hours_per_week", 2,
                 False, (150, 400), (18, 25)),
    _ServiceSpec("ips", "support", "Individual Placement and Support (employment)",
                 RECOVERY_TRUST, "third_sector", "pooled", ("psychosis", "any"), (18, 64),
                 "caseload_places", 2, False, (60, 150), (1_500, 2_500)),
    _ServiceSpec("peer_support", "support", "Peer Support Network", VALE_MIND, "third_sector",
                 "other", ("any",), (16, None), "hours_per_week", 1, False, (40, 100), (18, 26)),
    _ServiceSpec("crisis_cafe", "access", "Crisis Café", VALE_MIND, "third_sector", "pooled",
                 ("any",), (16, None), "hours_per_week", 2, False, (20, 42), (70, 120)),
    _ServiceSpec("cyp_counselling", "therapy", "Young People's Counselling", YOUTH_CHARITY,
                 "third_sector", "local_authority", ("cyp_any", "cmd"), (11, 25),
                 "courses_per_year", 1, True, (4, 8), (300, 500)),
    _ServiceSpec("carers_support", "carers", "Mental Health Carers Support", CARERS_CHARITY,
                 "third_sector", "local_authority", ("any",), (18, None), "caseload_places", 2,
                 False, (300, 800), (150, 300)),
    _ServiceSpec("day_centre", "day_services", "Wellbeing Day Centre", COUNCIL,
                 "local_authority", "local_authority", ("any",), (18, None), "caseload_places",
                 2, False, (30, 60), (3_000, 6_000)),
    _ServiceSpec("home_support", "home_care", "Dementia Home Support", CARE_GROUP, "independent",
                 "local_authority", ("dementia",), (18, None), "hours_per_week", 2, False,
                 (400, 1_200), (20, 25)),
    _ServiceSpec("recovery_college", "other", "Recovery College", RECOVERY_TRUST,
                 "third_sector", "pooled", ("any",), (16, None), "courses_per_year", 1, False,
                 (60, 120), (1_500, 3_000)),
)  # fmt: skip

_SERVICE_COLUMNS = (
    "service_code", "name", "provider", "provider_type", "funder", "category", "service_type",
    "conditions", "age_min", "age_max", "lon", "lat", "site_area_code", "catchment_codes",
    "capacity", "capacity_unit", "annual_spend", "financial_year", "source",
)  # fmt: skip


def _services(
    rng: np.random.Generator, geography: DemoGeography, counts: np.ndarray
) -> pd.DataFrame:
    """One row per service site, built from the specs above."""
    polygons = _lsoa_polygons(geography)
    n_districts = len(geography.district_codes)
    # People by district, sex and age: the base for population-scaled capacities.
    by_district = np.zeros((n_districts, *counts.shape[1:]), dtype=np.int64)
    np.add.at(by_district, geography.lsoa_district, counts)
    rows: list[dict[str, object]] = []
    for spec in _NHS_SPECS + _COMMUNITY_SPECS:
        for districts in np.array_split(np.arange(n_districts), spec.sites):
            site = _site_lsoa(rng, geography, districts)
            row = {
                "service_code": f"DEMO-SVC-{len(rows) + 1:03d}",
                "name": _service_name(spec, districts),
                "site_area_code": geography.lsoa_codes[site],
                "catchment_codes": _catchment(spec, geography, districts),
            }
            row["lon"], row["lat"] = _point_inside(rng, polygons[site])
            row |= _provision(rng, spec, by_district[districts])
            rows.append(row | _spec_fields(spec))
    frame = pd.DataFrame(rows, columns=list(_SERVICE_COLUMNS))
    frame["age_max"] = pd.Series([row["age_max"] for row in rows], dtype=object)  # int or None
    return frame


def _spec_fields(spec: _ServiceSpec) -> dict[str, object]:
    return {
        "provider": spec.provider,
        "provider_type": spec.provider_type,
        "funder": spec.funder,
        "category": spec.category,
        "service_type": spec.service_type,
        "conditions": spec.conditions,
        "age_min": spec.ages[0],
        "age_max": spec.ages[1],
        "financial_year": FINANCIAL_YEAR,
        "source": SYNTHETIC_LABEL,
    }


def _provision(
    rng: np.random.Generator, spec: _ServiceSpec, people: np.ndarray
) -> dict[str, object]:
    """Capacity and the year's spend at a seeded unit cost from the spec's plausible range."""
    capacity = _capacity(rng, spec, people)
    weeks = 52 if spec.unit == "hours_per_week" else 1  # hourly costs, weekly hours
    spend = capacity * weeks * rng.uniform(*spec.unit_cost)
    return {"capacity": capacity, "capacity_unit": spec.unit, "annual_spend": int(round(spend, -3))}


def _capacity(rng: np.random.Generator, spec: _ServiceSpec, people: np.ndarray) -> float:
    """Population-scaled services get a seeded rate per 1,000 eligible; others a fixed size."""
    if not spec.per_1000:
        return float(rng.integers(int(spec.capacity[0]), int(spec.capacity[1]) + 1))
    sexes = [SEXES.index(sex) for sex in spec.sexes]
    oldest = AGES[-1] if spec.ages[1] is None else spec.ages[1]
    eligible = people[:, sexes, spec.ages[0] : oldest + 1].sum()
    value = eligible * rng.uniform(*spec.capacity) / 1000
    # Round as a commissioner would quote it: to the nearest 10 once it is in the hundreds.
    return float(round(value, -1) if value >= 100 else max(round(value), 1))


def _site_lsoa(rng: np.random.Generator, geography: DemoGeography, districts: np.ndarray) -> int:
    """Services cluster in towns: pick an LSOA in the catchment weighted towards urban ones."""
    candidates = np.flatnonzero(np.isin(geography.lsoa_district, districts))
    weights = (geography.urbanity[candidates] + 0.05) ** 2
    return int(rng.choice(candidates, p=weights / weights.sum()))


def _point_inside(rng: np.random.Generator, polygon: shapely.Geometry) -> tuple[float, float]:
    """A random point of the polygon, rounded to 6 decimals and re-checked after rounding."""
    minx, miny, maxx, maxy = polygon.bounds
    for _ in range(200):
        lon, lat = (round(float(v), 6) for v in rng.uniform((minx, miny), (maxx, maxy)))
        if polygon.contains(shapely.Point(lon, lat)):
            return lon, lat
    point = polygon.representative_point()  # only for slivers that random tries keep missing
    return round(point.x, 6), round(point.y, 6)


def _lsoa_polygons(geography: DemoGeography) -> list[shapely.Geometry]:
    """Shapes rebuilt from the published GeoJSON, so site checks match what callers see."""
    lsoas = geography.areas[geography.areas["level"] == "lsoa21"]
    return [shape(geometry) for geometry in lsoas["geometry"]]


def _catchment(
    spec: _ServiceSpec, geography: DemoGeography, districts: np.ndarray
) -> tuple[str, ...]:
    """An empty tuple means the whole county, as the column contract says."""
    if spec.sites == 1:
        return ()
    return tuple(geography.district_codes[d] for d in districts)


def _service_name(spec: _ServiceSpec, districts: np.ndarray) -> str:
    """ "Crisis Café, Corvedon and Hallowmere"; county-wide services name the county."""
    if spec.sites == 1:
        return f"{spec.title}, Wyvern Vale"
    names = [DISTRICT_NAMES[d] for d in districts]
    places = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"{spec.title}, {places}"
