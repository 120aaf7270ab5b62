"""Names never become script in a map: they travel as JSON, never in the maps' JavaScript source.

Service names, providers, locality and condition names reach every map document; folium writes a
`tooltip=` text into a template literal, where `${…}` runs. Each map is rendered twice, with
plain names and with hostile ones: once the JSON strings are emptied, its code must be the same.
"""

import html
import importlib

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from django.apps import apps
from shapely.geometry import box

from gapanalysis import compute, run_maps
from gapanalysis.models import RunMap
from needs import columns as c
from needs import maps, need_maps
from tests.hostile_text import HOSTILE, code_of, json_strings, leaks

ASSETS = maps.MapAssets(
    scripts=(("leaflet", "/static/vendor/leaflet/leaflet.js"),),
    stylesheets=(("leaflet_css", "/static/vendor/leaflet/leaflet.css"),),
    cluster_scripts=(("markerclusterjs", "/static/vendor/leaflet.markercluster/x.js"),),
)
PLAIN = tuple(f"Plain name {i}" for i in range(len(HOSTILE)))
migration = importlib.import_module("gapanalysis.migrations.0003_rerender_stored_maps")


def localities(names: tuple[str, ...]) -> gpd.GeoDataFrame:
    n = len(names)
    cases = np.linspace(50.0, 400.0, n)
    capacity = np.linspace(10.0, 300.0, n)
    return gpd.GeoDataFrame(
        {
            maps.NAME_COLUMN: list(names),
            c.POPULATION: np.full(n, 10_000.0),
            c.EXPECTED_CASES: cases,
            c.EXPECTED_LOWER: cases * 0.9,
            c.EXPECTED_UPPER: cases * 1.1,
            c.RATE_PER_1000: cases / 10,
            c.PER_1000_RESIDENTS: cases / 12,
            c.CAPACITY: capacity,
            compute.COVERAGE_RATIO: capacity / cases,
            compute.AMBITION_RATIO: capacity / cases / 0.25,
            compute.GAP_PEOPLE: np.maximum(cases * 0.25 - capacity, 0),
            # The class the run calls at the bounds of need, as the coverage map colours it.
            compute.CLASSIFICATION: compute.classify(
                pd.DataFrame(
                    {
                        c.EXPECTED_CASES: cases,
                        c.EXPECTED_LOWER: cases * 0.9,
                        c.EXPECTED_UPPER: cases * 1.1,
                        c.CAPACITY: capacity,
                        compute.NORM_SHARE: np.full(n, 0.25),
                    }
                )
            )[compute.CLASSIFICATION].to_numpy(),
        },
        geometry=[box(-2.0 + i / 10, 52.0, -1.9 + i / 10, 52.1) for i in range(n)],
        crs="EPSG:4326",
    )


def sites(names: tuple[str, ...]) -> pd.DataFrame:
    """One site per name; its provider is the next name, as the run's maps label them."""
    providers = names[1:] + names[:1]
    return pd.DataFrame(
        {
            "lon": [-1.95 + i / 10 for i in range(len(names))],
            "lat": [52.05] * len(names),
            "label": [f"{n} ({p})" for n, p in zip(names, providers, strict=True)],
        }
    )


def run_map_documents(names: tuple[str, ...]) -> dict[str, str]:
    context = run_maps.MapContext(
        condition_name=names[0],
        year=2023,
        norm_name=names[1],
        norm_share=0.25,
        sources=names[2],
        synthetic_label=names[3],
        sites=sites(names),
    )
    units = localities(names)
    return {
        kind: render(units, context=context, assets=ASSETS)["html"]
        for kind, render in run_maps.RENDERERS.items()
    }


def sites_map_document(names: tuple[str, ...]) -> str:
    """The service sites map, its tooltips built as provision.pages builds them."""
    providers = names[1:] + names[:1]
    points = pd.DataFrame(
        {
            "lon": [-1.95 + i / 10 for i in range(len(names))],
            "lat": [52.05] * len(names),
            "group": ["Crisis"] * len(names),
            "popup": [f"{n} — {p} (Crisis)" for n, p in zip(names, providers, strict=True)],
        }
    )
    return maps.points_map(
        points,
        outline=localities(names),
        colours={"Crisis": maps.CATEGORY_COLOURS[0]},
        title=f"Service sites, {names[4]}",
        caption=names[5],
        assets=ASSETS,
    ).html


def need_map_document(names: tuple[str, ...]) -> str:
    return need_maps.need_map(
        localities(names), title=names[0], unit_label=names[1], caption=names[2], assets=ASSETS
    ).html


def all_documents(names: tuple[str, ...]) -> dict[str, str]:
    return {
        **run_map_documents(names),
        "sites": sites_map_document(names),
        "need": need_map_document(names),
    }


HOSTILE_DOCUMENTS = all_documents(HOSTILE)
PLAIN_DOCUMENTS = all_documents(PLAIN)


@pytest.mark.parametrize("kind", sorted(HOSTILE_DOCUMENTS))
def test_no_hostile_name_reaches_a_maps_code(kind):
    assert leaks(HOSTILE_DOCUMENTS[kind]) == []


@pytest.mark.parametrize("kind", sorted(HOSTILE_DOCUMENTS))
def test_a_maps_code_is_the_same_whatever_names_it_shows(kind):
    assert code_of(HOSTILE_DOCUMENTS[kind]) == code_of(PLAIN_DOCUMENTS[kind])


@pytest.mark.parametrize("text", HOSTILE)
def test_each_hostile_name_travels_as_escaped_json(text):
    document = sites_map_document((text, *PLAIN[1:]))
    # HTML-escaped for the tooltip, then JSON-escaped for the script it sits in.
    assert migration.script_string(html.escape(text))[1:-1] in document


def test_site_tooltips_are_bound_from_feature_properties_not_written_as_text():
    document = HOSTILE_DOCUMENTS["coverage"]
    assert "bindTooltip(feature.properties.tooltip" in document
    assert "`<div>" not in document  # folium's Tooltip: its text in a template literal


def legacy_document(names: tuple[str, ...]) -> str:
    """A map as stored before this release: each site's text in folium's `tooltip=`."""
    fmap = folium.Map(location=[52.05, -1.5], tiles=None)
    fmap.default_js = list(ASSETS.scripts)
    fmap.default_css = list(ASSETS.stylesheets)
    for lon, lat, label in sites(names)[["lon", "lat", "label"]].itertuples(index=False):
        folium.CircleMarker(location=[lat, lon], radius=5, tooltip=html.escape(label)).add_to(fmap)
    return fmap.get_root().render()


def test_a_stored_map_leaks_until_the_migration_rewrites_it():
    old = legacy_document(HOSTILE)
    assert leaks(old) != []
    safe = migration.made_safe(old)
    assert leaks(safe) == []
    assert code_of(safe) == code_of(migration.made_safe(legacy_document(PLAIN)))
    # Each tooltip keeps its HTML (the HTML-escaped label), now as a JSON string.
    shown = {" ".join(text.split()) for text in json_strings(safe)}
    for label in sites(HOSTILE)["label"]:
        assert f"<div> {' '.join(html.escape(label).split())} </div>" in shown
    assert migration.made_safe(safe) == safe


@pytest.mark.parametrize("kind", sorted(HOSTILE_DOCUMENTS))
def test_the_migration_leaves_maps_of_this_release_alone(kind):
    assert migration.made_safe(HOSTILE_DOCUMENTS[kind]) == HOSTILE_DOCUMENTS[kind]


@pytest.mark.django_db
def test_the_migration_rewrites_nothing_in_a_run_of_this_release(finished_run):
    before = {m.pk: m.html for m in RunMap.objects.all()}
    migration.rewrite_stored_maps(apps, None)
    assert {m.pk: m.html for m in RunMap.objects.all()} == before
