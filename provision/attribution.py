"""Attribution of services to small areas. Pure: no Django, no I/O.

A service reaches the small areas of its catchment; without a catchment, the small areas its
sites lie in (point in polygon); with neither, the whole area. Either way its capacity and spend
are shared out by the population it serves in those small areas, so a service spanning several
localities is split between them, never counted twice.
"""

import numpy as np
import pandas as pd

from needs.columns import (
    AGE,
    AGE_MAX,
    AGE_MIN,
    AREA_CODE,
    CAPACITY,
    COUNT,
    POPULATION,
    RULE,
    SERVICE_CODE,
    SHARE,
    SPEND,
)

RULE_CATCHMENT = "catchment, shared by population"
RULE_SITE = "site area, shared by population"
RULE_WHOLE_AREA = "whole area, shared by population"


class AttributionError(ValueError):
    """A service that cannot be attributed (the message names it)."""


def candidate_pairs(
    services: pd.DataFrame, catchments: pd.DataFrame, sites: pd.DataFrame, areas: pd.Index
) -> pd.DataFrame:
    """The (service, small area) pairs attribution can use: catchments, sites, else everywhere.

    Keeps `served_population` to the pairs that matter: at England scale most services reach a
    few hundred of 33,755 small areas, and a full services × areas table wastes gigabytes.
    """
    known = pd.concat([catchments, sites])[[SERVICE_CODE, AREA_CODE]]
    elsewhere = services.loc[~services[SERVICE_CODE].isin(known[SERVICE_CODE]), [SERVICE_CODE]]
    everywhere = elsewhere.merge(pd.DataFrame({AREA_CODE: areas}), how="cross")
    return pd.concat([known, everywhere], ignore_index=True).drop_duplicates()


def served_population(
    population: pd.DataFrame, services: pd.DataFrame, pairs: pd.DataFrame | None = None
) -> pd.DataFrame:
    """People of the ages each service is for, per small area.

    `population`: area_code, age, count (any sexes, summed here). `services`: service_code,
    age_min, age_max (missing: no upper limit). `pairs` (service_code, area_code): only these
    pairs; all services × areas without it. Returns service_code, area_code, population.
    """
    by_age = population.pivot_table(index=AREA_CODE, columns=AGE, values=COUNT, aggfunc="sum")
    by_age = by_age.fillna(0.0)
    ages = by_age.columns.to_numpy()
    top = services[AGE_MAX].astype(float).fillna(np.inf).to_numpy()
    bottom = services[AGE_MIN].astype(float).to_numpy()
    mask = (ages[None, :] >= bottom[:, None]) & (ages[None, :] <= top[:, None])
    if pairs is not None:
        return _pair_population(by_age, mask, services, pairs)
    people = mask.astype(float) @ by_age.to_numpy().T  # services × areas
    frame = pd.DataFrame(people, columns=by_age.index).assign(
        **{SERVICE_CODE: services[SERVICE_CODE].to_numpy()}
    )
    return frame.melt(id_vars=SERVICE_CODE, value_name=POPULATION)  # columns named area_code


def _pair_population(
    by_age: pd.DataFrame, mask: np.ndarray, services: pd.DataFrame, pairs: pd.DataFrame
) -> pd.DataFrame:
    area = by_age.index.get_indexer(pairs[AREA_CODE])
    service = pd.Index(services[SERVICE_CODE]).get_indexer(pairs[SERVICE_CODE])
    keep = (area >= 0) & (service >= 0)
    people = np.einsum("ij,ij->i", by_age.to_numpy()[area[keep]], mask[service[keep]])
    return pairs[keep].assign(**{POPULATION: people}).reset_index(drop=True)


def attribute_services(
    services: pd.DataFrame,
    catchments: pd.DataFrame,
    population: pd.DataFrame,
    sites: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Share each service's capacity and spend over the small areas it serves.

    `services`: service_code, capacity, spend. `catchments`: service_code, area_code (small
    areas, already expanded from any level). `population`: service_code, area_code, population
    (the people each service is for, from `served_population`). `sites`: service_code,
    area_code of the small area each site lies in. Returns service_code, area_code, share,
    capacity, spend, rule.
    """
    covered = catchments.merge(services[[SERVICE_CODE]], on=SERVICE_CODE).assign(
        **{RULE: RULE_CATCHMENT}
    )
    if sites is not None and not sites.empty:
        at_sites = sites.merge(services[[SERVICE_CODE]], on=SERVICE_CODE)
        at_sites = at_sites[~at_sites[SERVICE_CODE].isin(covered[SERVICE_CODE])]
        covered = pd.concat([covered, at_sites.assign(**{RULE: RULE_SITE})])
    whole = population.loc[
        ~population[SERVICE_CODE].isin(covered[SERVICE_CODE])
        & population[SERVICE_CODE].isin(services[SERVICE_CODE]),
        [SERVICE_CODE, AREA_CODE],
    ].assign(**{RULE: RULE_WHOLE_AREA})
    reach = pd.concat([covered, whole]).drop_duplicates([SERVICE_CODE, AREA_CODE])
    reach = reach.merge(population, on=[SERVICE_CODE, AREA_CODE], how="left")
    reach = reach.fillna({POPULATION: 0.0})
    reach[SHARE] = _population_shares(reach)
    reach = reach.merge(services[[SERVICE_CODE, CAPACITY, SPEND]], on=SERVICE_CODE)
    reach[CAPACITY] = reach[CAPACITY] * reach[SHARE]
    reach[SPEND] = reach[SPEND] * reach[SHARE]
    return reach[[SERVICE_CODE, AREA_CODE, SHARE, CAPACITY, SPEND, RULE]]


def _population_shares(reach: pd.DataFrame) -> np.ndarray:
    totals = reach.groupby(SERVICE_CODE)[POPULATION].transform("sum")
    empty = reach.loc[totals <= 0, SERVICE_CODE].unique()
    if len(empty):
        raise AttributionError(
            "No population lives in the catchment of service(s) "
            f"{', '.join(map(str, empty[:10]))} (no residents of the ages they serve live in the "
            "small areas they reach): check their catchment areas, sites and ages, and the "
            "population year."
        )
    return (reach[POPULATION] / totals).to_numpy()
