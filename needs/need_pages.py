"""What the need pages show: estimates for one condition, year and level, as table, map or file."""

import re
from urllib.parse import urlencode

import pandas as pd
from django.urls import reverse

from needs import columns as c
from needs import data_generation, exports, map_documents, need_maps
from needs import selectors as needs_selectors
from needs.demography import geography
from needs.importers import iod_indicators
from needs.labels import SYNTHETIC_LABEL
from needs.maps import MapDocument
from needs.models import Condition, Denominator, LocalityScheme, RateRole
from needs.prevalence.estimates import NeedEstimates, NeedUnavailable, need_estimates
from needs.prevalence_england import PrevalenceAgainstEngland, prevalence_against_england

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


MATERNITY_PROXY = (
    "Maternities are not loaded: the population aged 0 (both sexes) stands in for them, about one "
    "maternity per live birth."
)
CARE_HOMES = (
    "Survey rates describe the population they sampled. APMS and the children's survey sampled "
    "private households, so people in care homes, hospitals and prisons were outside them; the "
    "rates are applied here to all residents, which matters most at the oldest ages. Dementia "
    "rates (CFAS II) sampled people aged 65 and over including care-home residents, where much "
    "of the dementia in an area is."
)
CELL = re.compile(r"^(?P<prefix>.*?)(?P<sheet>[\w.]+)!(?P<column>[A-Z]+)(?P<row>\d+)$")


def cell_ranges(cells: list[str]) -> str:
    """Workbook cells, compactly: 'book 2.3!B13', 'book 2.3!C13' … → 'book 2.3!B13:H13'.

    Cells in one row of one sheet that run left to right make one range; text that is not a
    cell reference (a page or abstract) is kept as written.
    """
    parts: dict[tuple[str, str, int], list[str]] = {}
    other: list[str] = []
    for cell in dict.fromkeys(cells):
        match = CELL.match(cell or "")
        if match is None:
            other += [cell] if cell else []
            continue
        key = (match["prefix"], match["sheet"], int(match["row"]))
        parts.setdefault(key, []).append(match["column"])
    shown: list[str] = []
    last_book = None
    for (prefix, sheet, row), columns in sorted(parts.items()):
        columns = sorted(columns, key=lambda col: (len(col), col))
        span = columns[0] + str(row) + (f":{columns[-1]}{row}" if len(columns) > 1 else "")
        shown.append((prefix if prefix != last_book else "") + f"{sheet}!{span}")
        last_book = prefix
    return "; ".join(shown + other)


def interval_kind(methods: list[str]) -> str:
    """How a measure's intervals were made, in a few words: each method's text before its colon."""
    kinds = [method.split(":")[0].strip() for method in methods if method]
    if len(kinds) < len(methods) or not kinds:
        kinds.append("none published for some cells")
    return "; ".join(dict.fromkeys(kinds))


def measures(*, year: int | None, scheme: LocalityScheme) -> list[dict]:
    """Every measure with rates, whole area: estimate, interval and where each rate was read."""
    conditions = needs_selectors.conditions_with_rates()
    if not conditions:
        return []
    estimates = need_estimates(year=year, scheme=scheme, conditions=conditions)
    whole = estimates.whole_area.set_index(c.CONDITION_CODE)
    provenance = needs_selectors.rate_provenance_frame(conditions=conditions)
    rows = []
    for condition in conditions:
        if condition.code not in whole.index:
            continue
        rates = provenance[provenance[c.CONDITION_CODE] == condition.code]
        applied = rates[rates["role"] == RateRole.APPLIED]
        reference = rates[(rates["role"] == RateRole.REFERENCE) & (rates[c.SEX] == "P")]
        estimate = whole.loc[condition.code]
        lower, upper = estimate[c.EXPECTED_LOWER], estimate[c.EXPECTED_UPPER]
        rows.append(
            {
                "condition": condition,
                "expected_cases": estimate[c.EXPECTED_CASES],
                "expected_lower": None if pd.isna(lower) else lower,
                "expected_upper": None if pd.isna(upper) else upper,
                "population": estimate[c.POPULATION],
                "rate_per_1000": estimate[c.RATE_PER_1000],
                "maternities": condition.denominator == Denominator.MATERNITIES,
                "source": "; ".join(dict.fromkeys(applied["source"])),
                "tables": "; ".join(dict.fromkeys(applied["source_table"])),
                "cells": cell_ranges(list(applied["source_cell"])),
                "status": "; ".join(sorted(set(applied["status"]) - {""})) or "not stated",
                "interval": interval_kind(list(applied["interval_method"])),
                "reference": (
                    reference.iloc[0].to_dict() | _percents(reference.iloc[0].to_dict())
                    if len(reference)
                    else None
                ),
                "england": _against_england(estimate, reference),
            }
        )
    return rows


def _against_england(estimate: pd.Series, reference: pd.DataFrame) -> PrevalenceAgainstEngland:
    """The measure's local prevalence against England's published all-ages value (the
    catalogue's reference row for persons), or saying that none is published."""
    return prevalence_against_england(
        expected=float(estimate[c.EXPECTED_CASES]),
        lower=estimate[c.EXPECTED_LOWER],
        upper=estimate[c.EXPECTED_UPPER],
        population=float(estimate[c.POPULATION]),
        england=float(reference.iloc[0][c.RATE]) if len(reference) else None,
    )


def rate_rows(*, condition: Condition) -> list[dict]:
    """The rates behind one condition, each with its cell and interval method."""
    frame = needs_selectors.rate_provenance_frame(conditions=[condition])
    frame = frame.sort_values(["role", c.SEX, c.AGE_MIN])
    return [
        row | {"age_max": None if pd.isna(row[c.AGE_MAX]) else int(row[c.AGE_MAX])} | _percents(row)
        for row in frame.to_dict("records")
    ]


def _percents(row: dict) -> dict:
    """The rate and its bounds as percentages, for display (None where a bound is missing)."""
    return {
        f"{name}_percent": None if pd.isna(row[name]) else 100 * float(row[name])
        for name in (c.RATE, c.LOWER, c.UPPER)
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
    """The figures shown; for small areas, with the observed IoD mental-health indicators."""
    if level == "small_area":
        table = estimates.small_areas.rename(columns={c.AREA_CODE: "unit_code"})
    else:
        table = estimates.localities.rename(
            columns={c.LOCALITY_CODE: "unit_code", c.LOCALITY_NAME: "unit_name"}
        )
    table = table.sort_values("unit_name")[list(COLUMNS)].round(2)
    if level != "small_area":
        return table
    observed = needs_selectors.area_indicators(codes=list(table["unit_code"]))
    observed = observed.rename(columns={c.AREA_CODE: "unit_code"})
    return table.merge(observed, on="unit_code", how="left")


def indicator_columns(table: pd.DataFrame) -> list[tuple[str, str]]:
    """(column, heading) for each observed indicator in the table, oldest edition first."""
    return [
        (indicator.code, indicator.name)
        for indicator in iod_indicators.INDICATORS
        if indicator.code in table
    ]


INDICATOR_NOTE = (
    "Observed context: the Indices of Deprivation's mental-health indicators (IoD2019 mood and "
    "anxiety disorders; IoD2025 mental health) are standardised scores from prescribing, hospital "
    "episodes, suicides and benefit claims, where 0 is England's average and higher means more "
    "mental ill health recorded. They are not prevalence and do not enter the estimates."
)


def notes(query: dict, estimates: NeedEstimates) -> list[str]:
    condition = query["condition"]
    lines = [
        f"{condition.name}, {estimates.year}"
        + (f" (projected from {estimates.base_year})" if estimates.projected else ""),
        "Estimated people = population by sex and single year of age x published prevalence "
        "rates; bounds apply each rate's 95% interval: published where it exists, else derived "
        "(see each rate's interval method).",
        *(f"Rates: {source}" for source in needs_selectors.rate_sources(condition=condition)),
        *(
            f"Rate {row['sex']} {row['age_min']}-{row['age_max'] or '+'} ({row['role']}): "
            f"{row['rate']:g}, read at {row['source_cell']} "
            f"[{row['status'] or 'status not stated'}]; "
            f"interval: {row['interval_method'] or 'none'}"
            for row in rate_rows(condition=condition)
        ),
        *([MATERNITY_PROXY] if condition.denominator == Denominator.MATERNITIES else []),
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
    table = _table(estimates, query["level"])
    indicators = indicator_columns(table)
    rows = table.to_dict("records")
    for row in rows:  # each row's observed indicators in heading order, for the template
        row["observed"] = [row[column] for column, _ in indicators]
    return {
        "estimates": estimates,
        "rows": rows,
        "indicator_headings": [heading for _, heading in indicators],
        "indicator_note": INDICATOR_NOTE if indicators else "",
        "whole": estimates.whole_area.iloc[0].to_dict() if len(estimates.whole_area) else None,
        "condition": query["condition"],
        "level": query["level"],
        "sources": needs_selectors.rate_sources(condition=query["condition"]),
        "rate_rows": rate_rows(condition=query["condition"]),
        "measures": measures(year=query["year"], scheme=scheme),
        "maternity_proxy": MATERNITY_PROXY,
        "care_homes": CARE_HOMES,
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
        context=indicator_columns(units),
        title=f"Estimated {query['condition'].name.lower()} per 1,000 residents, {estimates.year}",
        unit_label=label,
        caption=_caption(query, estimates),
        assets=map_documents.map_assets(),
        place_names=query["level"] != "small_area",
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
    table = _table(estimates, query["level"])
    observed = {column: f"Observed: {heading}" for column, heading in indicator_columns(table)}
    table = table.rename(columns=COLUMNS | observed)
    lines = notes(query, estimates)
    name = f"need-{query['condition'].code}-{estimates.year}-{query['level']}.{fmt}"
    if fmt == "csv":
        return exports.to_csv_bytes(table, notes=lines), name
    return exports.to_xlsx_bytes(table, title=lines[0], notes=lines[1:]), name
