"""The need map: estimated people per 1,000 at risk for one condition. Pure: no Django."""

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from needs import columns as c
from needs import rounding
from needs.maps import (
    NAME_COLUMN,
    MapAssets,
    MapDocument,
    choropleth,
    step_classes,
    value_bounds,
)


def interval_text(lower: float, upper: float) -> str:
    if lower is None or upper is None or not (np.isfinite(lower) and np.isfinite(upper)):
        return "not published with the rates used"
    return f"{rounding.people(lower)} to {rounding.people(upper)}"


def need_map(
    units: gpd.GeoDataFrame,
    *,
    title: str,
    unit_label: str,
    caption: str,
    assets: MapAssets,
    value_column: str = c.PER_1000_RESIDENTS,
    context: Sequence[tuple[str, str]] = (),
    place_names: bool = False,
) -> MapDocument:
    """`units`: unit_name, expected_cases, expected_lower/upper, the per-1,000 columns, geometry.

    Shaded by people in need per 1,000 residents by default: it shows where need concentrates
    once age and sex structure is applied, which a per-1,000-at-risk rate (flat for a flat
    rate) cannot.
    """
    shown = units.assign(
        cases_text=units[c.EXPECTED_CASES].map(rounding.people),
        rate_text=units[c.RATE_PER_1000].map(rounding.per_1000),
        interval_text=[
            interval_text(lo, hi)
            for lo, hi in zip(units[c.EXPECTED_LOWER], units[c.EXPECTED_UPPER], strict=True)
        ],
    )
    if c.PER_1000_RESIDENTS in units:
        shown["residents_text"] = units[c.PER_1000_RESIDENTS].map(rounding.per_1000)
    for column, _ in context:  # observed indicators: shown as they are, never classed
        shown[f"{column}_text"] = units[column].map(
            lambda v: "not loaded" if pd.isna(v) else f"{v:+.2f}"
        )
    return choropleth(
        shown,
        value_column=value_column,
        classes=step_classes(
            shown[value_column].to_numpy(float),
            unit="per 1,000",
            rounding=rounding.PER_1000_STEP,
            **value_bounds(units, value_column),
        ),
        title=title,
        tooltip=[
            (NAME_COLUMN, unit_label),
            ("cases_text", "Estimated people"),
            ("interval_text", "Interval"),
            ("rate_text", "Per 1,000 people at risk"),
            *_residents_tooltip(units),
            *((f"{column}_text", f"Observed: {heading}") for column, heading in context),
        ],
        assets=assets,
        caption=caption,
        place_names=place_names,
    )


def _residents_tooltip(units: gpd.GeoDataFrame) -> list[tuple[str, str]]:
    return [("residents_text", "Per 1,000 residents")] if c.PER_1000_RESIDENTS in units else []
