"""What the need pages show: estimates for one condition, year and level, as table, map or file."""

from urllib.parse import urlencode

import pandas as pd
from django.urls import reverse

from needs import columns as c
from needs import data_generation, exports, map_documents, need_maps
from needs import selectors as needs_selectors
from needs.demography import geography
from needs.labels import SYNTHETIC_LABEL
from needs.maps import MapDocument
from needs.prevalence.estimates import NeedEstimates, NeedUnavailable, need_estimates

DOWNLOAD_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
COLUMNS = {
    "unit_code": "Code",
    "unit_name": "Name",
    c.POPULATION: "Population at risk",
    c.EXPECTED_CASES: "Estimated people",
    c.EXPECTED_LOWER: "Lower bound",
    c.EXPECTED_UPPER: "Upper bound",
    c.RATE_PER_1000: "Per 1,000 at risk",
    c.RESIDENTS: "Residents (all ages)",
    c.PER_1000_RESIDENTS: "Per 1,000 residents",
}


def _estimates(query: dict) -> NeedEstimates:
    scheme = needs_selectors.default_locality_scheme()
    if scheme is None:
        raise NeedUnavailable("No locality scheme exists yet: load the demo or create one.")
    return need_estimates(
        year=query["year"],
        scheme=scheme,
        conditions=[query["condition"]],
        adjust_for_deprivation=query.get("adjust_for_deprivation", False),
    )


def _table(estimates: NeedEstimates, level: str) -> pd.DataFrame:
    if level == "small_area":
        table = estimates.small_areas.rename(columns={c.AREA_CODE: "unit_code"})
    else:
        table = estimates.localities.rename(
            columns={c.LOCALITY_CODE: "unit_code", c.LOCALITY_NAME: "unit_name"}
        )
    return table.sort_values("unit_name")[list(COLUMNS)].round(2)


def notes(query: dict, estimates: NeedEstimates) -> list[str]:
    condition = query["condition"]
    lines = [
        f"{condition.name}, {estimates.year}"
        + (f" (projected from {estimates.base_year})" if estimates.projected else ""),
        "Estimated people = population by sex and single year of age x published prevalence "
        "rates; bounds use the published interval of each rate where one exists.",
        *(f"Rates: {source}" for source in needs_selectors.rate_sources(condition=condition)),
        estimates.deprivation_note or "Not adjusted for deprivation.",
    ]
    scheme = needs_selectors.default_locality_scheme()
    if scheme and scheme.is_synthetic:
        lines.insert(0, SYNTHETIC_LABEL)
    return lines


def _query_key(query: dict) -> tuple:
    return (
        query["condition"].code,
        query["year"],
        query["level"],
        bool(query.get("adjust_for_deprivation")),
    )


def page_context(*, query: dict, querystring: dict) -> dict:
    """Computed once per change of the data (`needs.data_generation`), not per view."""
    return data_generation.cached("need", _query_key(query), lambda: _page_context(query))


def _page_context(query: dict) -> dict:
    try:
        estimates = _estimates(query)
    except NeedUnavailable as error:
        return {"unavailable": str(error)}
    params = urlencode(
        {
            "condition": query["condition"].code,
            "year": query["year"],
            "level": query["level"],
            **({"adjust_for_deprivation": "on"} if query.get("adjust_for_deprivation") else {}),
        }
    )
    scheme = needs_selectors.default_locality_scheme()
    return {
        "estimates": estimates,
        "rows": _table(estimates, query["level"]).to_dict("records"),
        "whole": estimates.whole_area.iloc[0].to_dict() if len(estimates.whole_area) else None,
        "condition": query["condition"],
        "level": query["level"],
        "sources": needs_selectors.rate_sources(condition=query["condition"]),
        "map_url": f"{reverse('needs:need_map')}?{params}",
        "csv_url": f"{reverse('needs:need_download', args=['csv'])}?{params}",
        "xlsx_url": f"{reverse('needs:need_download', args=['xlsx'])}?{params}",
        "synthetic_label": SYNTHETIC_LABEL if scheme and scheme.is_synthetic else "",
    }


def map_document(*, query: dict) -> MapDocument:
    return data_generation.cached("need-map", _query_key(query), lambda: _map_document(query))


def _map_document(query: dict) -> MapDocument:
    estimates = _estimates(query)
    table = _table(estimates, query["level"])
    scheme = needs_selectors.default_locality_scheme()
    membership = needs_selectors.locality_membership_frame(scheme=scheme)
    if query["level"] == "small_area":
        small = needs_selectors.small_area_shapes(codes=list(membership[c.AREA_CODE]))
        units = geography.simplified(small).rename(columns={c.AREA_CODE: "unit_code"})
    else:
        units = needs_selectors.locality_outlines(membership=membership)
        units = units.rename(columns={c.LOCALITY_CODE: "unit_code"})[["unit_code", "geometry"]]
    units = units.merge(table, on="unit_code")
    label = "Small area" if query["level"] == "small_area" else "Locality"
    return need_maps.need_map(
        units,
        title=f"Estimated {query['condition'].name.lower()} per 1,000 residents, {estimates.year}",
        unit_label=label,
        caption=_caption(query, estimates),
        assets=map_documents.map_assets(),
    )


def _caption(query: dict, estimates: NeedEstimates) -> str:
    scheme = needs_selectors.default_locality_scheme()
    parts = [SYNTHETIC_LABEL + "." if scheme and scheme.is_synthetic else ""]
    if estimates.projected:
        parts.append(f"Projected from {estimates.base_year}.")
    parts.append(estimates.deprivation_note or "Not adjusted for deprivation.")
    publications = needs_selectors.rate_publications(condition=query["condition"])
    parts.append(f"Rates: {'; '.join(publications)}.")
    return " ".join(part for part in parts if part)


def download(*, query: dict, fmt: str) -> tuple[bytes, str]:
    estimates = _estimates(query)
    table = _table(estimates, query["level"]).rename(columns=COLUMNS)
    lines = notes(query, estimates)
    name = f"need-{query['condition'].code}-{estimates.year}-{query['level']}.{fmt}"
    if fmt == "csv":
        return exports.to_csv_bytes(table, notes=lines), name
    return exports.to_xlsx_bytes(table, title=lines[0], notes=lines[1:]), name
