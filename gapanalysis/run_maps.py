"""The need and coverage maps of a run: titles, tooltips and captions. Pure: no Django."""

from dataclasses import dataclass

import geopandas as gpd
import numpy as np

from gapanalysis import compute, maps
from needs import columns as c


@dataclass(frozen=True)
class MapContext:
    condition_name: str
    year: int
    norm_name: str
    norm_share: float
    sources: str
    synthetic_label: str = ""


def people(value: float) -> str:
    """Counts of people rounded to the nearest 10: estimates are not precise to the person."""
    return "not available" if not np.isfinite(value) else f"{round(value, -1):,.0f}"


def _caption(context: MapContext, extra: str) -> str:
    prefix = f"{context.synthetic_label}. " if context.synthetic_label else ""
    return f"{prefix}{extra} Sources: {context.sources}."


def need_map(units: gpd.GeoDataFrame, *, context: MapContext, assets: maps.MapAssets) -> dict:
    title = f"Estimated {context.condition_name.lower()} per 1,000 people at risk, {context.year}"
    shown = units.assign(
        cases_text=units[c.EXPECTED_CASES].map(people),
        rate_text=units[c.RATE_PER_1000].map(lambda v: f"{v:,.1f}"),
        interval_text=[
            _interval(lo, hi)
            for lo, hi in zip(units[c.EXPECTED_LOWER], units[c.EXPECTED_UPPER], strict=True)
        ],
    )
    document = maps.choropleth(
        shown,
        value_column=c.RATE_PER_1000,
        classes=maps.quantile_classes(shown[c.RATE_PER_1000].to_numpy(float), unit="per 1,000"),
        title=title,
        tooltip=[
            (maps.NAME_COLUMN, "Locality"),
            ("cases_text", "Estimated people"),
            ("interval_text", "Interval"),
            ("rate_text", "Per 1,000 people at risk"),
        ],
        assets=assets,
        caption=_caption(context, "Classes hold similar numbers of localities."),
    )
    return {"title": title, "html": document.html, "alt_text": document.alt_text}


def coverage_map(units: gpd.GeoDataFrame, *, context: MapContext, assets: maps.MapAssets) -> dict:
    title = f"Provision against the ambition: {context.norm_name}"
    shown = units.assign(
        capacity_text=units[c.CAPACITY].map(people),
        coverage_text=units[compute.COVERAGE_RATIO].map(_percent),
        ambition_text=f"{context.norm_share:.0%}",
        gap_text=units[compute.GAP_PEOPLE].map(people),
    )
    document = maps.choropleth(
        shown,
        value_column=compute.AMBITION_RATIO,
        classes=maps.ambition_classes(),
        title=title,
        tooltip=[
            (maps.NAME_COLUMN, "Locality"),
            ("capacity_text", "Capacity a year"),
            ("coverage_text", "Share of people in need reached"),
            ("ambition_text", "Ambition"),
            ("gap_text", "More people a year to meet it"),
        ],
        assets=assets,
        caption=_caption(context, "Coverage is capacity divided by estimated people in need."),
    )
    return {"title": title, "html": document.html, "alt_text": document.alt_text}


def _percent(value: float) -> str:
    return "not available" if not np.isfinite(value) else f"{value:.0%}"


def _interval(lower: float, upper: float) -> str:
    if lower is None or upper is None or not (np.isfinite(lower) and np.isfinite(upper)):
        return "not published with the rates used"
    return f"{people(lower)} to {people(upper)}"
