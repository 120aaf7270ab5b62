"""What the provision pages show: the service mapping and the financial mapping."""

import geopandas as gpd
import pandas as pd

from needs import columns as c
from needs import data_generation, map_documents, rounding
from needs import selectors as needs_selectors
from needs.labels import data_label
from needs.maps import CATEGORY_COLOURS, NAME_COLUMN, MapDocument, points_map
from needs.prevalence.estimates import NeedUnavailable, need_estimates
from provision import attribution, baseline, finance
from provision import selectors as provision_selectors
from provision.models import SERVICE_TYPES, Funder, ServiceCategory

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


def financial_mapping_context(*, year: str) -> dict:
    """Computed once per change of the data (`needs.data_generation`), not per view."""
    return data_generation.cached(
        "spending", (year,), lambda: _financial_mapping_context(year=year)
    )


def _financial_mapping_context(*, year: str) -> dict:
    years = provision_selectors.financial_years()
    previous = next((y for y in years if y < year), None)
    funding = provision_selectors.funding_frame(financial_years=[y for y in (year, previous) if y])
    table = finance.spend_by_category_and_funder(funding, year=year)
    total = float(table.loc["Total", "Total"]) if not table.empty else 0.0
    context = {
        "year": year,
        "previous": previous,
        "funders": [FUNDER_LABELS.get(f, f) for f in table.columns if f != "Total"],
        "rows": _rows(table),
        "funder_shares": _funder_shares(table),
        "total": total,
        "synthetic_label": synthetic_label(),
    }
    context |= _against_need(year=year, total=total)
    if previous:
        change = finance.change_by_category(funding, year=year, previous=previous)
        context["changes"] = [
            {
                "category": CATEGORY_LABELS.get(category, category),
                "before": rounding.pounds(row[previous]),
                "after": rounding.pounds(row[year]),
                "change": _change_text(row["change"], row["change_share"]),
            }
            for category, row in change.to_dict("index").items()
        ]
    return context


def _change_text(change: float, share: float) -> str:
    """ "+£254,634 (+17%)", "−£45,951 (−6%)", or "(new)" where there was no spend before."""
    text = rounding.pounds(change, signed=True)
    if share != share:  # NaN: nothing was spent in the earlier year
        return f"{text} (new)"
    return f"{text} ({rounding.signed_share(share)})"


def _rows(table: pd.DataFrame) -> list[dict]:
    """Category rows then the Total row: pounds under each funder and in total, and each
    category's share of all spend (rounded together, so the shares add up to 100%)."""
    categories = [k for k in table.index if k != "Total"]
    shares = dict(zip(categories, _shares(table.loc[categories, "Total"]), strict=True))
    shares["Total"] = "100%" if table.loc["Total", "Total"] > 0 else rounding.NOT_AVAILABLE
    return [
        {
            "category": CATEGORY_LABELS.get(category, category),
            "is_total": category == "Total",
            "cells": [rounding.pounds(v) for v in table.loc[category]],
            "share": shares[category],
        }
        for category in [*categories, "Total"]
    ]


def _funder_shares(table: pd.DataFrame) -> list[str]:
    """Each funder's share of all spend (rounded together, so they add up to 100%)."""
    funders = [f for f in table.columns if f != "Total"]
    return _shares(table.loc["Total", funders])


def _shares(amounts: pd.Series) -> list[str]:
    return rounding.shares_adding_up(amounts.to_list())


def _against_need(*, year: str, total: float) -> dict:
    """Spend per resident, and each category's and type of service's spend per estimated
    person with the one condition it serves (`finance.spend_per_person`)."""
    residents = float(needs_selectors.latest_population_frame()[c.COUNT].sum())
    services = provision_selectors.spend_conditions_frame(financial_year=year)
    served = {code for codes in services["conditions"] for code in codes}
    names = {x.code: x.name for x in needs_selectors.conditions_with_rates()}
    people, base_year = _people_with(sorted(served & set(names)))
    return {
        "residents": residents,
        "per_resident": rounding.pounds(total / residents) if residents else None,
        "need_year": base_year,
        "by_category": _per_person_rows(services, "category", people, names, CATEGORY_LABELS),
        "by_service_type": _per_person_rows(
            services, "service_type", people, names, {k: v[0] for k, v in SERVICE_TYPES.items()}
        ),
    }


def _people_with(codes: list[str]) -> tuple[dict[str, float], int | None]:
    """Estimated people with each condition in the whole area (the default scheme's base year)."""
    scheme = needs_selectors.default_locality_scheme()
    chosen = [x for x in needs_selectors.conditions_with_rates() if x.code in codes]
    if not (scheme and chosen):
        return {}, None
    try:
        need = need_estimates(year=None, scheme=scheme, conditions=chosen)
    except NeedUnavailable:
        return {}, None
    whole = need.whole_area.set_index(c.CONDITION_CODE)[c.EXPECTED_CASES]
    return {code: float(v) for code, v in whole.items() if v == v}, need.year


def _per_person_rows(
    services: pd.DataFrame,
    by: str,
    people: dict[str, float],
    names: dict[str, str],
    labels: dict[str, str],
) -> list[dict]:
    rows = []
    for result in finance.spend_per_person(services, by=by, people=people):
        served = [_name(code, names) for code in result.conditions]
        rows.append(
            {
                "group": labels.get(result.group, result.group),
                "spend": rounding.pounds(result.spend),
                "conditions": ", ".join(served) or "none recorded",
                "people": rounding.people(result.people) if result.people else "",
                "per_person": rounding.pounds(result.per_person) if result.per_person else "",
                "reason": _reason(result, names),
            }
        )
    return rows


def _name(code: str, names: dict[str, str]) -> str:
    """A condition's name; a code with no condition loaded, in words ("eating disorder")."""
    return names.get(code) or code.replace("_", " ")


def _reason(result: finance.PerPerson, names: dict[str, str]) -> str:
    """Why a group has no spend per person, in plain words (empty when it has one)."""
    if result.reason == finance.NO_CONDITIONS:
        return "Not given: its services record no condition."
    if result.reason == finance.NOT_ESTIMATED:
        return (
            "Not given: no estimate of people with "
            + ", ".join(f"“{_name(code, names)}”" for code in result.not_estimated)
            + "."
        )
    if result.reason == finance.SEVERAL:
        return (
            "Not given: it serves several conditions, and people with more than one would be "
            "counted twice."
        )
    return ""
