"""Need set against provision for a set of units (small areas, localities, the whole area).

Pure: no Django, no I/O. For each unit: the provision a norm expects (its share of the estimated
people in need), the coverage (capacity ÷ people in need), coverage as a fraction of the norm's
share (the "ambition ratio"), and the gap in people a year needed to meet the norm.
"""

import numpy as np
import pandas as pd

from needs.columns import CAPACITY, EXPECTED_CASES, SERVICE_CODE, SPEND

UNIT_CODE = "unit_code"
SERVICES_COUNT = "services_count"
EXPECTED_PROVISION = "expected_provision"
COVERAGE_RATIO = "coverage_ratio"
AMBITION_RATIO = "ambition_ratio"
GAP_PEOPLE = "gap_people"


def provision_by_unit(attributed: pd.DataFrame, unit_of_area: pd.DataFrame) -> pd.DataFrame:
    """Sum attributed capacity and spend into units; count the distinct services reaching each.

    `attributed`: service_code, area_code, capacity, spend (from provision.attribution).
    `unit_of_area`: area_code, unit_code.
    """
    joined = attributed.merge(unit_of_area, on="area_code", how="inner")
    sums = joined.groupby(UNIT_CODE, as_index=False)[[CAPACITY, SPEND]].sum()
    reaching = joined[joined[CAPACITY] > 0].groupby(UNIT_CODE)[SERVICE_CODE].nunique()
    return sums.assign(**{SERVICES_COUNT: sums[UNIT_CODE].map(reaching).fillna(0).astype(int)})


def need_against_provision(
    need: pd.DataFrame, provision: pd.DataFrame, *, norm_share: float
) -> pd.DataFrame:
    """Add provision, expected provision, coverage, ambition ratio and gap to `need`.

    `need`: unit_code, expected_cases (and anything else, kept). `provision`: unit_code,
    capacity, spend, services_count. Units with no provision get zeros, not blanks.
    """
    merged = need.merge(provision, on=UNIT_CODE, how="left").fillna(
        {CAPACITY: 0.0, SPEND: 0.0, SERVICES_COUNT: 0}
    )
    cases = merged[EXPECTED_CASES].to_numpy(dtype=float)
    capacity = merged[CAPACITY].to_numpy(dtype=float)
    expected_provision = norm_share * cases
    with np.errstate(invalid="ignore", divide="ignore"):
        coverage = np.where(cases > 0, capacity / cases, np.nan)
    return merged.assign(
        **{
            SERVICES_COUNT: merged[SERVICES_COUNT].astype(int),
            EXPECTED_PROVISION: expected_provision,
            COVERAGE_RATIO: coverage,
            AMBITION_RATIO: coverage / norm_share if norm_share > 0 else np.nan,
            GAP_PEOPLE: np.clip(expected_provision - capacity, 0.0, None),
        }
    )
