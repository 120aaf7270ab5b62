"""Financial mapping arithmetic on a hand-made table."""

import numpy as np
import pandas as pd
import pytest

from provision.finance import change_by_category, shares_of_total, spend_by_category_and_funder

FUNDING = pd.DataFrame(
    {
        "financial_year": ["2024/25", "2024/25", "2024/25", "2023/24", "2024/25"],
        "category": ["therapy", "therapy", "carers", "therapy", "access"],
        "funder": ["nhs", "local_authority", "local_authority", "nhs", "pooled"],
        "spend": [700.0, 100.0, 200.0, 1000.0, 0.0],
    }
)


def test_spend_is_tabulated_by_category_and_funder_with_totals():
    table = spend_by_category_and_funder(FUNDING, year="2024/25")
    assert table.loc["therapy", "nhs"] == 700
    assert table.loc["therapy", "Total"] == 800
    assert table.loc["Total", "local_authority"] == 300
    assert table.loc["Total", "Total"] == 1000
    assert shares_of_total(table).loc["carers", "Total"] == pytest.approx(0.2)


def test_change_shows_investment_and_disinvestment():
    change = change_by_category(FUNDING, year="2024/25", previous="2023/24")
    assert change.loc["therapy", "change"] == -200  # disinvestment
    assert change.loc["therapy", "change_share"] == pytest.approx(-0.2)
    assert change.loc["carers", "change"] == 200 and np.isnan(change.loc["carers", "change_share"])
    assert change.loc["Total", "change"] == 0
