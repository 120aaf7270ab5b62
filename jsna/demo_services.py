"""The demo county's services as records: funding shares, sites and two financial years.

Pure: no Django. Built from the generator's one-row-per-service table (`jsna.demo_area`). Some
council services are jointly funded with the NHS; the pooled-budget services stay 100% pooled.
The previous financial year differs by seeded changes in capacity and spend, and the crisis cafés
are new in the current year, so the financial mapping has investment and disinvestment to show.
"""

import numpy as np
import pandas as pd

CURRENT_YEAR = "2024/25"
PREVIOUS_YEAR = "2023/24"
JOINT_FUNDING = {  # service type → (funder, percent) shares, instead of a single funder
    "day_centre": (("local_authority", 70), ("nhs", 30)),
    "carers_support": (("local_authority", 80), ("nhs", 20)),
    "home_support": (("local_authority", 60), ("nhs", 40)),
}
NEW_THIS_YEAR = ("crisis_cafe",)


def demo_service_records(services: pd.DataFrame, *, seed: int, county_code: str) -> pd.DataFrame:
    """`services` from the generator, where an empty catchment means the whole county: that is
    written as the county itself, so the catchment rule (not the site) attributes the service."""
    services = services.assign(
        catchment_codes=[codes or (county_code,) for codes in services["catchment_codes"]]
    )
    current = services.assign(
        funding=[
            JOINT_FUNDING.get(t, ((f, 100),))
            for t, f in zip(services["service_type"], services["funder"], strict=True)
        ],
        sites=[
            ((f"{name} base", "", lon, lat, area),)
            for name, lon, lat, area in services[
                ["name", "lon", "lat", "site_area_code"]
            ].itertuples(index=False)
        ],
    )
    return pd.concat([_previous_year(current, seed=seed), current], ignore_index=True)


def _previous_year(current: pd.DataFrame, *, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    previous = current[~current["service_type"].isin(NEW_THIS_YEAR)].copy()
    # Spend a year earlier: mostly a little lower (inflation, growth), a few services cut since.
    change = rng.uniform(0.88, 1.06, len(previous))
    previous["annual_spend"] = np.round(previous["annual_spend"].to_numpy(float) / change, 0)
    previous["capacity"] = np.round(previous["capacity"].to_numpy(float) / change, 0)
    previous["financial_year"] = PREVIOUS_YEAR
    return previous
