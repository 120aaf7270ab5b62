"""Unmet-need statements in plain English, ready to paste into the JSNA. Pure: no Django.

One statement per locality × norm where provision is below need, sharpest gaps first. Numbers are
rounded to the precision an estimate can bear, small numbers are suppressed, and every statement
carries its interval (or says none was published) and its sources.
"""

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

UNMET = ("well_below", "below")


@dataclass(frozen=True)
class NormWords:
    """How a norm is spoken of: 'adults', 'NHS Talking Therapies capacity', 'seen', …"""

    condition_name: str
    people_label: str
    capacity_label: str
    unit_label: str
    action: str
    share: float
    sources: str


def rounded(value: float) -> str:
    """Round as a JSNA would: nearest 10 under 1,000, nearest 50 under 10,000, else 100."""
    step = 10 if value < 1_000 else 50 if value < 10_000 else 100
    return f"{round(value / step) * step:,.0f}"


def people(value: float, *, suppress_below: int) -> str:
    if not np.isfinite(value):
        return "an unknown number of"
    if value < suppress_below:
        return f"fewer than {suppress_below}"
    return rounded(value)


def statement(row: pd.Series, words: NormWords, *, suppress_below: int) -> str:
    cases = people(row["expected_cases"], suppress_below=suppress_below)
    interval = _interval(row, suppress_below)
    reach = "none of them" if row["capacity"] <= 0 else f"{row['coverage_ratio']:.0%} of them"
    gap = people(row["gap_people"], suppress_below=suppress_below)
    return (
        f"In {row['unit_name']} an estimated {cases} {words.people_label} ({interval}) have "
        f"{_condition(words.condition_name)}. {words.capacity_label} of "
        f"{people(row['capacity'], suppress_below=suppress_below)} {words.unit_label} reaches "
        f"{reach} against an ambition of {words.share:.0%}: about {gap} more a year "
        f"{words.action}. (Sources: {words.sources}.)"
    )


def _condition(name: str) -> str:
    # "Dementia (65 and over)" → "dementia": the people label already says who.
    name = re.sub(r"\s*\([^)]*\)$", "", name)
    lowered = name[0].lower() + name[1:]
    return f"a {lowered}" if not lowered.startswith(("any", "dementia", "early")) else lowered


def _interval(row: pd.Series, suppress_below: int) -> str:
    lower, upper = row.get("expected_lower"), row.get("expected_upper")
    if lower is None or upper is None or not (np.isfinite(lower) and np.isfinite(upper)):
        return "no interval was published with the rates used"
    low = people(lower, suppress_below=suppress_below)
    high = people(upper, suppress_below=suppress_below)
    return f"95% interval {low} to {high}"


def unmet_need_statements(
    table: pd.DataFrame, words: dict[str, NormWords], *, suppress_below: int
) -> pd.DataFrame:
    """norm_code, unit_code, unit_name, rank, text for every unit whose provision is below need.

    `table`: locality rows of the gap table (with classification, ambition_ratio, gap_people).
    Ranked sharpest first: the lowest share of the ambition, then the largest gap.
    """
    unmet = table[table["classification"].isin(UNMET)].sort_values(
        ["ambition_ratio", "gap_people"], ascending=[True, False]
    )
    texts = [
        statement(row, words[row["norm_code"]], suppress_below=suppress_below)
        for _, row in unmet.iterrows()
    ]
    return unmet[["norm_code", "unit_code", "unit_name"]].assign(
        rank=np.arange(1, len(unmet) + 1), text=texts
    )
