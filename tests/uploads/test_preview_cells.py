"""The upload preview shows each value as people read it (needs.plans.preview_cell)."""

import numpy as np
import pandas as pd
import pytest

from needs.plans import Plan, preview_cell


@pytest.mark.parametrize(
    ("value", "column", "shown"),
    [
        (1_250_000.0, "annual_spend", "1,250,000"),
        (1_250_000.4, "annual_spend", "1,250,000"),  # whole pounds
        (np.float64(98_765.5), "cost_pounds", "98,766"),
        (4200.0, "capacity", "4,200"),
        (np.int64(12_345), "count", "12,345"),
        (2024, "year", "2024"),
        (np.float64(2024.0), "financial_year_start", "2024"),
        (-2.2216, "site_lon", "-2.2216"),
        (52.192, "site_lat", "52.192"),
        (0.000012, "rate", "0.000012"),
        (1234.5678, "rate_per_1000", "1,234.57"),
        (None, "age_max", ""),
        (float("nan"), "age_max", ""),
        (np.nan, "capacity", ""),
        (True, "is_modelled", "yes"),
        ("E01032179", "area_code", "E01032179"),
        ([("nhs", 100.0)], "funding", "nhs, 100"),
        (
            [
                ("Riverside Hub", "WR1 3AB", -2.2216, 52.192, None),
                ("Market St", "", 1.0, 2.0, None),
            ],
            "sites",
            "Riverside Hub, WR1 3AB, -2.2216, 52.192; Market St, 1, 2",
        ),
        ([], "catchment_codes", ""),
    ],
)
def test_a_previewed_value_reads_as_people_write_it(value, column, shown):
    assert preview_cell(value, column) == shown


def test_the_preview_has_no_scientific_notation_and_no_none():
    frame = pd.DataFrame(
        {"annual_spend": [1_250_000.0, 3.5e7], "age_max": [None, 64.0], "name": ["a", None]}
    )
    plan = Plan(kind="services", name="services.csv", preview=frame)
    assert plan.as_dict()["preview_rows"] == [["1,250,000", "", "a"], ["35,000,000", "64", ""]]
