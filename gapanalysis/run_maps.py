"""The need and coverage maps of a run: titles, tooltips and captions. Pure: no Django."""

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from gapanalysis import compute
from needs import columns as c
from needs import maps, need_maps, rounding
from needs.rounding import people


@dataclass(frozen=True)
class MapContext:
    condition_name: str
    year: int
    norm_name: str
    norm_share: float
    sources: str
    synthetic_label: str = ""
    sites: pd.DataFrame | None = None  # lon, lat, label of the services counted by the norm


def _caption(context: MapContext, extra: str) -> str:
    prefix = f"{context.synthetic_label}. " if context.synthetic_label else ""
    return f"{prefix}{extra} Sources: {context.sources}."


def need_map(units: gpd.GeoDataFrame, *, context: MapContext, assets: maps.MapAssets) -> dict:
    title = f"Estimated {context.condition_name.lower()} per 1,000 people at risk, {context.year}"
    document = need_maps.need_map(
        units,
        title=title,
        unit_label="Locality",
        caption=_caption(
            context,
            "Classes are at least as wide as the uncertainty of the estimates or the rounding, "
            "whichever is larger.",
        ),
        assets=assets,
        place_names=True,
        value_column=c.RATE_PER_1000,
    )
    return {"title": title, "html": document.html, "alt_text": document.alt_text}


def provision_map(units: gpd.GeoDataFrame, *, context: MapContext, assets: maps.MapAssets) -> dict:
    title = f"Provision per 1,000 people at risk: {context.norm_name}"
    per_1000 = 1000 * units[c.CAPACITY] / units[c.POPULATION].where(units[c.POPULATION] > 0)
    shown = units.assign(
        provision_per_1000=per_1000,
        capacity_text=units[c.CAPACITY].map(people),
        per_1000_text=per_1000.map(rounding.per_1000),
    )
    document = maps.choropleth(
        shown,
        value_column="provision_per_1000",
        classes=maps.step_classes(
            per_1000.to_numpy(float),
            unit="per 1,000",
            rounding=rounding.PER_1000_STEP,
            colours=maps.GREENS_5,
            differs_through="provision per 1,000 is the same everywhere to the rounding shown",
        ),
        title=title,
        tooltip=[
            (maps.NAME_COLUMN, "Locality"),
            ("capacity_text", "Capacity a year"),
            ("per_1000_text", "Capacity per 1,000 people at risk"),
        ],
        assets=assets,
        place_names=True,
        caption=_caption(
            context,
            "Capacity of the services this ambition counts, per 1,000 people of the ages the "
            "rates apply to. Classes are equal steps of round numbers.",
        ),
        sites=context.sites,
    )
    return {"title": title, "html": document.html, "alt_text": document.alt_text}


def coverage_map(units: gpd.GeoDataFrame, *, context: MapContext, assets: maps.MapAssets) -> dict:
    title = f"Provision against the ambition: {context.norm_name}"
    order = {code: float(i) for i, code in enumerate(maps.GAP_CLASS_ORDER)}
    shown = units.assign(
        gap_class=units[compute.CLASSIFICATION].map(order).astype(float),
        capacity_text=units[c.CAPACITY].map(people),
        coverage_text=units[compute.COVERAGE_RATIO].map(rounding.share),
        ambition_text=f"{context.norm_share:.0%}",
        gap_text=units[compute.GAP_PEOPLE].map(people),
    )
    document = maps.choropleth(
        shown,
        value_column="gap_class",
        classes=maps.gap_classes(),
        title=title,
        tooltip=[
            (maps.NAME_COLUMN, "Locality"),
            ("capacity_text", "Capacity a year"),
            ("coverage_text", "Share of people in need reached"),
            ("ambition_text", "Ambition"),
            ("gap_text", "More people a year to meet it"),
        ],
        assets=assets,
        place_names=True,
        caption=_caption(
            context,
            "Coverage is capacity divided by estimated people in need. A locality is called "
            "below the ambition only if it is below even at the lower bound of need.",
        ),
        sites=context.sites,
    )
    return {"title": title, "html": document.html, "alt_text": document.alt_text}


def bivariate_map(units: gpd.GeoDataFrame, *, context: MapContext, assets: maps.MapAssets) -> dict:
    title = f"Need against provision: {context.condition_name.lower()}"
    shown = units.assign(
        rate_text=units[c.RATE_PER_1000].map(rounding.per_1000),
        coverage_text=units[compute.COVERAGE_RATIO].map(rounding.share),
    )
    document = maps.bivariate(
        shown,
        need_column=c.RATE_PER_1000,
        provision_column=compute.COVERAGE_RATIO,
        title=title,
        tooltip=[
            (maps.NAME_COLUMN, "Locality"),
            ("rate_text", "Need per 1,000 at risk"),
            ("coverage_text", "Share of people in need reached"),
        ],
        assets=assets,
        place_names=True,
        caption=_caption(
            context,
            "Lower, similar or higher on each measure only where the difference is larger than "
            "its uncertainty or the rounding.",
        ),
    )
    return {"title": title, "html": document.html, "alt_text": document.alt_text}


RENDERERS = {
    "need": need_map,
    "provision": provision_map,
    "coverage": coverage_map,
    "bivariate": bivariate_map,
}
