"""What the provision pages show: the service mapping and the financial mapping."""

import geopandas as gpd
import pandas as pd

from needs import columns as c
from needs import data_generation, map_documents
from needs import selectors as needs_selectors
from needs.labels import data_label
from needs.maps import CATEGORY_COLOURS, NAME_COLUMN, MapDocument, points_map
from needs.prevalence.estimates import NeedUnavailable, need_estimates
from provision import attribution, baseline, finance
from provision import selectors as provision_selectors
from provision.models import Funder, ServiceCategory

FUNDER_LABELS = dict(Funder.choices)
CATEGORY_LABELS = dict(ServiceCategory.choices)


def synthetic_label() -> str:
    """Synthetic (the demo county) or illustrative (invented services on a real county)."""
    scheme = needs_selectors.default_locality_scheme()
    return data_label(
        synthetic=bool(scheme and scheme.is_synthetic),
        illustrative=provision_selectors.illustrative_services_loaded(),
    )


def service_mapping_context(filters: baseline.Filters) -> dict:
    """Computed once per change of the data (`needs.data_generation`), not per view; the
    template caches its rendered tables under `fragment_key`."""
    token = data_generation.current()
    context = data_generation.cached(
        "services", filters, lambda: _service_mapping_context(filters), token=token
    )
    return context | {"fragment_key": f"{token}:{filters}"}  # checked filters, not the raw query


def _service_mapping_context(filters: baseline.Filters) -> dict:
    services = baseline.filtered_services(filters)
    problem = ""
    try:
        shares = baseline.attributed(services, filters.financial_year)
    except attribution.AttributionError as error:  # say which service and why, not a 500
        problem = f"Provision cannot be shared out by locality: {error}"
        shares = pd.DataFrame(columns=[c.SERVICE_CODE, c.AREA_CODE, c.SHARE, c.RULE])
    rules = shares.groupby(c.SERVICE_CODE)[c.RULE].first() if not shares.empty else pd.Series()
    table = baseline.locality_category_table(services, shares)
    return {
        "services": [(service, rules.get(service.code, "")) for service in services],
        "table": table.to_dict("records"),
        "synthetic_label": synthetic_label(),
        "attribution_problem": problem,
    }


def sites_map(filters: baseline.Filters) -> MapDocument:
    return data_generation.cached("sites-map", filters, lambda: _sites_map(filters))


def _sites_map(filters: baseline.Filters) -> MapDocument:
    services = {s.code for s in baseline.filtered_services(filters)}
    sites = provision_selectors.sites_frame(financial_year=filters.financial_year)
    sites = sites[sites[c.SERVICE_CODE].isin(services)]
    labels = sites["category"].map(CATEGORY_LABELS)
    points = sites.assign(
        group=labels,
        popup=sites["service_name"] + " — " + sites["provider"] + " (" + labels + ")",
    )
    colours = dict(zip(CATEGORY_LABELS.values(), CATEGORY_COLOURS, strict=True))
    shown = {label: colours[label] for label in sorted(set(labels))} or colours
    return points_map(
        points,
        outline=_outline(),
        colours=shown,
        title=f"Service sites, {filters.financial_year}",
        caption=" ".join(filter(None, [synthetic_label(), "Circles group when sites are close."])),
        assets=map_documents.map_assets(),
        place_names=True,
    )


def _outline() -> gpd.GeoDataFrame:
    scheme = needs_selectors.default_locality_scheme()
    membership = needs_selectors.locality_membership_frame(scheme=scheme)
    outlines = needs_selectors.locality_outlines(membership=membership)
    return outlines.rename(columns={c.LOCALITY_NAME: NAME_COLUMN})


def financial_mapping_context(*, year: str, condition_code: str) -> dict:
    """Computed once per change of the data (`needs.data_generation`), not per view."""
    return data_generation.cached(
        "spending",
        (year, condition_code),
        lambda: _financial_mapping_context(year=year, condition_code=condition_code),
    )


def _financial_mapping_context(*, year: str, condition_code: str) -> dict:
    years = provision_selectors.financial_years()
    previous = next((y for y in years if y < year), None)
    funding = provision_selectors.funding_frame(financial_years=[y for y in (year, previous) if y])
    table = finance.spend_by_category_and_funder(funding, year=year)
    shares = finance.shares_of_total(table)
    total = float(table.loc["Total", "Total"]) if not table.empty else 0.0
    context = {
        "year": year,
        "previous": previous,
        "funders": [FUNDER_LABELS.get(f, f) for f in table.columns if f != "Total"] + ["Total"],
        "rows": _rows(table, shares),
        "total": total,
        "synthetic_label": synthetic_label(),
    }
    context |= _per_head(total, condition_code)
    if previous:
        change = finance.change_by_category(funding, year=year, previous=previous)
        context["changes"] = [
            {
                "category": CATEGORY_LABELS.get(category, category),
                "before": row[previous],
                "after": row[year],
                "change": _change_text(row["change"], row["change_share"]),
            }
            for category, row in change.to_dict("index").items()
        ]
    return context


def _change_text(change: float, share: float) -> str:
    """ "+£254,634 (17%)", "−£45,951 (−6%)", or "new" where there was no spend before."""
    sign = "+" if change >= 0 else "−"
    text = f"{sign}£{abs(change):,.0f}"
    if share != share:  # NaN: nothing was spent in the earlier year
        return f"{text} (new)"
    return f"{text} ({'+' if share >= 0 else chr(0x2212)}{abs(share):.0%})"


def _rows(table: pd.DataFrame, shares: pd.DataFrame) -> list[dict]:
    return [
        {
            "category": CATEGORY_LABELS.get(category, category),
            "cells": [(table.loc[category, f], shares.loc[category, f]) for f in table.columns],
        }
        for category in table.index
    ]


def _per_head(total: float, condition_code: str) -> dict:
    residents = float(needs_selectors.latest_population_frame()[c.COUNT].sum())
    if not residents:
        return {}
    context = {"residents": residents, "per_head": total / residents if residents else None}
    condition = next(
        (x for x in needs_selectors.conditions_with_rates() if x.code == condition_code), None
    )
    scheme = needs_selectors.default_locality_scheme()
    if condition and scheme:
        try:
            need = need_estimates(year=None, scheme=scheme, conditions=[condition])
        except NeedUnavailable:
            return context
        people = float(need.whole_area[c.EXPECTED_CASES].iloc[0])
        context |= {"condition": condition, "people_in_need": people, "per_person": total / people}
    return context
