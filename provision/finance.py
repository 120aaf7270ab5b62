"""Financial mapping: spend by category × funder, shares, and change between years. Pure."""

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
