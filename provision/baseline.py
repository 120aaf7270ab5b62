"""The provision baseline for a financial year: every service attributed to small areas and
summed by locality and category. Reads through selectors; computes with the pure modules."""

from dataclasses import dataclass

import pandas as pd

from needs import columns as c
from needs import selectors as needs_selectors
from needs.demography.geography import ANCESTOR_CODE
from provision import attribution
from provision import selectors as provision_selectors
from provision.models import AGE_GROUPS, Service

RULE_OF_SERVICE = "rule"


@dataclass(frozen=True)
class Filters:
    financial_year: str
    category: str = ""
    funder: str = ""
    provider_type: str = ""
    condition: str = ""
    age_group: str = ""


def filtered_services(filters: Filters) -> list[Service]:
    services = provision_selectors.service_list(financial_year=filters.financial_year)
    if filters.category:
        services = services.filter(category=filters.category)
    if filters.provider_type:
        services = services.filter(provider_type=filters.provider_type)
    if filters.funder:
        services = services.filter(funding__funder=filters.funder, funding__share_percent__gt=0)
    chosen = list(services.distinct())
    if filters.condition:
        chosen = [s for s in chosen if filters.condition in s.conditions or "any" in s.conditions]
    if filters.age_group:
        first, last = AGE_GROUPS[filters.age_group]
        chosen = [s for s in chosen if _overlaps(s, first, last)]
    return chosen


def _overlaps(service: Service, first: int, last: int | None) -> bool:
    service_last = service.age_max if service.age_max is not None else 200
    return service.age_min <= (last if last is not None else 200) and service_last >= first


def attributed(services: list[Service], financial_year: str) -> pd.DataFrame:
    """service_code, area_code, share, capacity, spend, rule for the given services."""
    if not services:
        return pd.DataFrame(columns=[c.SERVICE_CODE, c.AREA_CODE, c.SHARE, c.CAPACITY, c.SPEND])
    frame = pd.DataFrame(
        {
            c.SERVICE_CODE: [s.code for s in services],
            c.CAPACITY: [s.capacity for s in services],
            c.SPEND: [float(s.annual_spend) for s in services],
            c.AGE_MIN: [s.age_min for s in services],
            c.AGE_MAX: [s.age_max if s.age_max is not None else float("nan") for s in services],
        }
    )
    population = needs_selectors.latest_population_frame()
    return attribute(frame, financial_year=financial_year, population=population)


def attribute(
    services: pd.DataFrame, *, financial_year: str, population: pd.DataFrame
) -> pd.DataFrame:
    """Attribute services of one financial year to small areas, by the rules of
    `provision.attribution`: catchment, else sites, else the whole area, shared by the people
    each serves. `services`: service_code, capacity, spend, age_min, age_max.
    Returns service_code, area_code, share, capacity, spend, rule; raises AttributionError.
    """
    codes = list(services[c.SERVICE_CODE])
    catchment = provision_selectors.catchment_frame(
        service_codes=codes, financial_year=financial_year
    )
    small_catchment = _to_small_areas(catchment)
    sites = _to_small_areas(
        provision_selectors.site_areas_frame(service_codes=codes, financial_year=financial_year)
    )
    services = services[
        ~services[c.SERVICE_CODE].isin(elsewhere(small_catchment, sites, population))
    ]
    pairs = attribution.candidate_pairs(
        services, small_catchment, sites, pd.Index(population[c.AREA_CODE].unique())
    )
    served = attribution.served_population(population, services, pairs)
    return attribution.attribute_services(services, small_catchment, served, sites)


def elsewhere(catchment: pd.DataFrame, sites: pd.DataFrame, population: pd.DataFrame) -> list[str]:
    """Services placed (by catchment or site) only outside the area whose population is given:
    another area's services (a second county loaded beside this one), left out of its figures."""
    placed = pd.concat([catchment, sites], ignore_index=True)
    inside = placed[c.AREA_CODE].isin(population[c.AREA_CODE])
    return sorted(set(placed[c.SERVICE_CODE]) - set(placed.loc[inside, c.SERVICE_CODE]))


def _to_small_areas(frame: pd.DataFrame) -> pd.DataFrame:
    """service_code, area_id (any level, either vintage) → service_code, area_code of each 2021
    LSOA those areas cover (the analysis geography)."""
    expansion = needs_selectors.small_area_expansion(
        area_ids=frame[provision_selectors.AREA_ID].unique().tolist()
    )
    joined = frame.rename(columns={provision_selectors.AREA_ID: ANCESTOR_CODE}).merge(
        expansion, on=ANCESTOR_CODE
    )
    return joined[[c.SERVICE_CODE, c.AREA_CODE]].drop_duplicates().reset_index(drop=True)


def locality_category_table(services: list[Service], shares: pd.DataFrame) -> pd.DataFrame:
    """Locality × category: services reaching it, spend, and capacity by unit (as text)."""
    scheme = needs_selectors.default_locality_scheme()
    membership = needs_selectors.locality_membership_frame(scheme=scheme) if scheme else None
    if membership is None or shares.empty:
        return pd.DataFrame()
    meta = pd.DataFrame(
        {
            c.SERVICE_CODE: [s.code for s in services],
            "category": [s.get_category_display() for s in services],
            "unit": [s.get_capacity_unit_display() for s in services],
        }
    )
    joined = shares.merge(membership, on=c.AREA_CODE).merge(meta, on=c.SERVICE_CODE)
    keys = [c.LOCALITY_NAME, "category"]
    counts = joined[joined[c.SHARE] > 0].groupby(keys)[c.SERVICE_CODE].nunique().rename("services")
    spend = joined.groupby(keys)[c.SPEND].sum()
    capacity = joined.groupby([*keys, "unit"])[c.CAPACITY].sum().reset_index()
    capacity["text"] = capacity.apply(lambda r: f"{r[c.CAPACITY]:,.0f} {r['unit']}", axis=1)
    described = capacity.groupby(keys)["text"].agg("; ".join).rename("capacity")
    return pd.concat([counts, spend, described], axis=1).reset_index()
