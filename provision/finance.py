"""Financial mapping: spend by category × funder, shares, change between years, and spend per
person with the condition it serves. Pure."""

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

SPEND = "spend"


def spend_by_category_and_funder(funding: pd.DataFrame, *, year: str) -> pd.DataFrame:
    """Category rows × funder columns of pounds, with a Total column and a Total row."""
    rows = funding[funding["financial_year"] == year]
    table = rows.pivot_table(
        index="category", columns="funder", values=SPEND, aggfunc="sum", fill_value=0.0
    )
    table["Total"] = table.sum(axis=1)
    table.loc["Total"] = table.sum(axis=0)
    return table


def shares_of_total(table: pd.DataFrame) -> pd.DataFrame:
    """Each cell as a share of all mental-health spend in the year."""
    total = table.loc["Total", "Total"]
    return table / total if total else table * np.nan


def change_by_category(funding: pd.DataFrame, *, year: str, previous: str) -> pd.DataFrame:
    """Spend by category in both years, the change in pounds and as a share of the earlier year.

    A positive change is investment, a negative one disinvestment.
    """
    by_year = funding.pivot_table(
        index="category", columns="financial_year", values=SPEND, aggfunc="sum", fill_value=0.0
    ).reindex(columns=[previous, year], fill_value=0.0)
    by_year.loc["Total"] = by_year.sum(axis=0)
    change = by_year[year] - by_year[previous]
    with np.errstate(invalid="ignore", divide="ignore"):
        relative = np.where(by_year[previous] > 0, change / by_year[previous], np.nan)
    return by_year.assign(change=change, change_share=relative)


# Why a group of services has no spend per person (`PerPerson.reason`).
NO_CONDITIONS = "no_conditions"  # its services name no condition
NOT_ESTIMATED = "not_estimated"  # a condition it serves has no estimate of people
SEVERAL = "several"  # people with two of its conditions would be counted twice


@dataclass(frozen=True)
class PerPerson:
    """A group's spend against the estimated people with the one condition its services serve."""

    group: str
    spend: float
    conditions: tuple[str, ...]  # condition codes its services serve, in order of first mention
    people: float | None = None  # estimated people with its condition
    per_person: float | None = None
    reason: str = ""  # why there is no per-person figure; empty when there is one
    not_estimated: tuple[str, ...] = ()  # the codes with no estimate of people


def spend_per_person(
    services: pd.DataFrame, *, by: str, people: Mapping[str, float]
) -> list[PerPerson]:
    """Each group's spend divided by the estimated people with the condition it serves.

    `services`: one row per service with `by`, `conditions` (a list of codes) and `spend`;
    `people`: estimated people for each condition that has an estimate. A figure is given only
    when a group's services together serve exactly one condition with an estimate: spend on
    several conditions cannot be set against people with any of them (people with two would be
    counted twice), and spend on one condition never against people with another.
    """
    results = []
    for group, rows in services.groupby(by, sort=True):
        spend = float(rows[SPEND].sum())
        served = tuple(dict.fromkeys(code for codes in rows["conditions"] for code in codes))
        missing = tuple(code for code in served if code not in people)
        base = PerPerson(group=str(group), spend=spend, conditions=served, not_estimated=missing)
        if not served:
            results.append(replace(base, reason=NO_CONDITIONS))
        elif missing:
            results.append(replace(base, reason=NOT_ESTIMATED))
        elif len(served) > 1:
            results.append(replace(base, reason=SEVERAL))
        else:
            count = float(people[served[0]])
            if count > 0:
                results.append(replace(base, people=count, per_person=spend / count))
            else:  # nobody expected: no figure to divide by
                results.append(replace(base, reason=NOT_ESTIMATED, not_estimated=served))
    return results
