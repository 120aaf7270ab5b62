"""Need set against provision for units (small areas, localities, the whole area) and norms.

Pure: no Django, no I/O. For each unit and norm: the provision the norm expects (its share of the
estimated people in need), the coverage (capacity ÷ people in need), coverage as a fraction of
the norm's share (the "ambition ratio"), the gap in people a year, and a class decided with the
uncertainty of the need estimate taken into account.
"""

import numpy as np
import pandas as pd

from needs.columns import (
    CAPACITY,
    EXPECTED_CASES,
    EXPECTED_LOWER,
    EXPECTED_UPPER,
    SERVICE_CODE,
    SPEND,
)
from needs.prevalence import intervals

UNIT_CODE = "unit_code"
NORM_CODE = "norm_code"
NORM_SHARE = "norm_share"
SERVICES_COUNT = "services_count"
CAPACITY_FACTOR = "capacity_factor"
EXPECTED_PROVISION = "expected_provision"
COVERAGE_RATIO = "coverage_ratio"
AMBITION_RATIO = "ambition_ratio"
GAP_PEOPLE = "gap_people"
CLASSIFICATION = "classification"
CLASS_RULE = "class_rule"
PEER_COMPARISON = "peer_comparison"
FUNNEL_CONFIDENCE = 0.998  # three-sigma limits: a unit is flagged only when clearly apart

# Class boundaries on the ambition ratio (capacity ÷ the norm's expected provision). A shortfall
# is called only if it holds even at the LOWER bound of need (the kindest reading for provision);
# a surplus only if it holds at the UPPER bound. An interval that reaches past both edges of the
# in-line band (under 90% at one end, over 110% at the other) is too uncertain to class. Else: in
# line.
WELL_BELOW_UNDER = 0.5
BELOW_UNDER = 0.9
ABOVE_OVER = 1.1


def provision_by_unit(
    attributed: pd.DataFrame, service_norms: pd.DataFrame, unit_of_area: pd.DataFrame
) -> pd.DataFrame:
    """Capacity (in the norm's measure) and spend per unit × norm, and the services reaching each.

    `attributed`: service_code, area_code, capacity, spend (from provision.attribution).
    `service_norms`: service_code, norm_code (the norms each service counts towards) and
    optionally capacity_factor: what one unit of the service's capacity counts as in the norm's
    measure (a turnover for a caseload; 1 where the unit is the measure itself).
    `unit_of_area`: area_code, unit_code.
    """
    joined = attributed.merge(service_norms, on=SERVICE_CODE).merge(unit_of_area, on="area_code")
    if CAPACITY_FACTOR in joined:
        joined = joined.assign(**{CAPACITY: joined[CAPACITY] * joined[CAPACITY_FACTOR]})
    keys = [UNIT_CODE, NORM_CODE]
    sums = joined.groupby(keys)[[CAPACITY, SPEND]].sum().reset_index()
    reaching = joined[joined[CAPACITY] > 0].groupby(keys)[SERVICE_CODE].nunique()
    counts = pd.MultiIndex.from_frame(sums[keys]).map(reaching.to_dict().get)
    return sums.assign(**{SERVICES_COUNT: pd.Series(counts).fillna(0).astype(int).to_numpy()})


def need_against_provision(
    need: pd.DataFrame, norms: pd.DataFrame, provision: pd.DataFrame
) -> pd.DataFrame:
    """One row per unit × norm: need (in the norm's ages), provision, coverage, gap, class.

    `need`: unit_code, norm_code, expected_cases (lower, upper) and anything else, kept: need is
    per norm because each norm counts its own ages of its condition. `norms`: norm_code,
    norm_share. `provision`: unit_code, norm_code, capacity, spend, services_count. Units with no
    provision get zeros, not blanks.
    """
    rows = need.merge(norms[[NORM_CODE, NORM_SHARE]], on=NORM_CODE).merge(
        provision, on=[UNIT_CODE, NORM_CODE], how="left"
    )
    rows = rows.fillna({CAPACITY: 0.0, SPEND: 0.0, SERVICES_COUNT: 0})
    cases, capacity, share = (
        _floats(rows, name) for name in (EXPECTED_CASES, CAPACITY, NORM_SHARE)
    )
    expected = share * cases
    coverage = _ratio(capacity, cases)
    rows = rows.assign(
        **{
            SERVICES_COUNT: rows[SERVICES_COUNT].astype(int),
            EXPECTED_PROVISION: expected,
            COVERAGE_RATIO: coverage,
            AMBITION_RATIO: _ratio(capacity, expected),
            GAP_PEOPLE: np.clip(expected - capacity, 0.0, None),
        }
    )
    return compare_with_peers(classify(rows))


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / denominator, np.nan)


def _floats(rows: pd.DataFrame, name: str) -> np.ndarray:
    """A column as floats (None → NaN); a column that is not there is all NaN."""
    if name not in rows:
        return np.full(len(rows), np.nan)
    return rows[name].to_numpy(dtype=float)


def classify(rows: pd.DataFrame) -> pd.DataFrame:
    """Add the class and the rule that decided it, using need's interval where one exists."""
    cases, lower, upper = (
        _floats(rows, n) for n in (EXPECTED_CASES, EXPECTED_LOWER, EXPECTED_UPPER)
    )
    has_interval = np.isfinite(lower) & np.isfinite(upper)
    low_need = np.where(has_interval, lower, cases)
    high_need = np.where(has_interval, upper, cases)
    capacity, share = _floats(rows, CAPACITY), _floats(rows, NORM_SHARE)
    kindest = _ratio(capacity, share * low_need)  # provision judged against the least need
    harshest = _ratio(capacity, share * high_need)
    classes = np.select(
        [
            ~(cases > 0),
            kindest < WELL_BELOW_UNDER,
            kindest < BELOW_UNDER,
            harshest > ABOVE_OVER,
            has_interval & (harshest < BELOW_UNDER) & (kindest > ABOVE_OVER),
        ],
        ["no_need", "well_below", "below", "above", "uncertain"],
        default="in_line",
    )
    basis = np.where(
        has_interval, "at the bound of the need interval", "on the point estimate (no interval)"
    )
    rule = list(map(_rule, classes, basis, kindest, harshest))
    return rows.assign(**{CLASSIFICATION: classes, CLASS_RULE: rule})


def _rule(cls: str, basis: str, kindest: float, harshest: float) -> str:
    if cls == "no_need":
        return "no estimated need"
    if cls == "well_below":
        return f"under {WELL_BELOW_UNDER:.0%} of the ambition {basis} ({kindest:.0%})"
    if cls == "below":
        return f"under {BELOW_UNDER:.0%} of the ambition {basis} ({kindest:.0%})"
    if cls == "above":
        return f"over {ABOVE_OVER:.0%} of the ambition {basis} ({harshest:.0%})"
    if cls == "uncertain":
        return (
            f"too uncertain to class: from {harshest:.0%} to {kindest:.0%} of the ambition "
            "across the need interval, past both edges of the in-line band"
        )
    return f"between {BELOW_UNDER:.0%} and {ABOVE_OVER:.0%} of the ambition {basis}"


def compare_with_peers(rows: pd.DataFrame) -> pd.DataFrame:
    """Compare units with each other by provision per estimated person in need (a funnel).

    For each norm, the area's own rate (all capacity ÷ all need) gives each unit an expected
    capacity for its need; a unit is called higher or lower only when its capacity falls outside
    the 99.8% Poisson (Byar) limits around that expectation. Used with or without a norm: it never
    ranks units on differences that chance alone would produce.
    """
    totals = rows.groupby(NORM_CODE)[[CAPACITY, EXPECTED_CASES]].transform("sum")
    area_rate = _ratio(_floats(totals, CAPACITY), _floats(totals, EXPECTED_CASES))
    expected = np.nan_to_num(area_rate * _floats(rows, EXPECTED_CASES))
    lower, upper = intervals.byar(count=expected, confidence=FUNNEL_CONFIDENCE)
    observed = _floats(rows, CAPACITY)
    verdict = np.select(
        [observed < lower, observed > upper],
        ["lower than the area's own average", "higher than the area's own average"],
        default="within the range expected from the area's own average",
    )
    return rows.assign(**{PEER_COMPARISON: verdict})
