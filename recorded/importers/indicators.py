"""Local-authority indicator files, as published. Pure.

Three layouts:
- generic (Fingertips-style): area_code, period, indicator, value, and optionally lower, upper,
  numerator, denominator (blank where not published) and source;
- the ONS Health Index long layout: <area>_code, year, indicator, value;
- the ONS Health Index scores, wide: <area>_code, year, then one column per score (overall,
  domains, subdomains such as "Mental health").

England's own value comes from its row (E92000001) where the file has one. The Health Index
scores are scaled so that England in 2015 = 100 (ONS's definition), so that row is added for
2015 where the file lacks it. Computing England from the areas' numerators and denominators is
done against the database (recorded.imports), where it is known whether the file is national.
"""

import re
from pathlib import Path

import pandas as pd

from needs.importers.tables import Parsed
from recorded.importers.cells import Table, columns, refuse, table

ENGLAND_CODE = "E92000001"
HEALTH_INDEX = "ONS Health Index (indicators)"
HEALTH_INDEX_SCORES = "ONS Health Index (scores)"
HEALTH_INDEX_BASE_YEAR = 2015
GENERIC_SOURCE = "Local authority indicators"
OUTPUT = [
    "source",
    "indicator",
    "area_code",
    "period",
    "year",
    "value",
    "lower",
    "upper",
    "numerator",
    "denominator",
    "england_source",
]
CODE_HEADER = re.compile(r"(area|ltla\d\d|utla\d\d|lad\d\d|la|geography)_?code", re.IGNORECASE)
AREA_CODE = re.compile(r"[EWSN]\d{8}")
OPTIONAL = ("lower", "upper", "numerator", "denominator")
SCORE_NAMES = {
    "overall_score": "Overall score",
    "healthy_people_domain_score": "Healthy People domain",
    "healthy_lives_domain_score": "Healthy Lives domain",
    "healthy_places_domain_score": "Healthy Places domain",
}


def parse(path: Path, *, name: str | None = None) -> Parsed:
    label = name or path.name
    cells, refused = table(path, label)
    if refused:
        return refused
    code = next((column for column in cells.frame.columns if CODE_HEADER.fullmatch(column)), None)
    if code is None:
        return refuse(
            label,
            "has no area code column (area_code, or e.g. ltla21_code). It needs area_code, "
            "period, indicator, value (and optionally lower, upper, numerator, denominator), "
            "or the ONS Health Index layout.",
        )
    if cells.find("indicator") and cells.find("period"):
        frame, layout = _generic(cells, code), "Indicators (area_code, period, indicator, value …)"
    elif cells.find("indicator"):
        frame, layout = _health_index_long(cells, code), "ONS Health Index indicators, long"
    elif cells.find("year"):
        frame, layout = _health_index_wide(cells, code), "ONS Health Index scores, wide"
    else:
        return refuse(label, "has neither an indicator column nor a year column to read it by.")
    facts: dict[str, object] = {"layout": layout}
    warnings: list[str] = []
    if frame is None or cells.total:
        return cells.result(pd.DataFrame(columns=OUTPUT), warnings=warnings, facts=facts)
    cells.duplicates(
        frame[["source", "indicator", "area_code", "period"]], code, "area, indicator and period"
    )
    facts |= {
        "indicators": int(frame["indicator"].nunique()),
        "areas": int(frame["area_code"].nunique()),
        "periods": ", ".join(sorted(frame["period"].unique())),
        "England's rows in the file": int((frame["area_code"] == ENGLAND_CODE).sum()),
    }
    if frame["source"].eq(HEALTH_INDEX_SCORES).all():
        frame = _england_base(frame)
    frame["england_source"] = frame["england_source"].where(
        frame["area_code"] != ENGLAND_CODE, frame["england_source"].replace("", "file")
    )
    return cells.result(frame[OUTPUT], warnings=warnings, facts=facts)


def _codes(cells: Table, column: str) -> pd.Series:
    codes = cells.text(column).str.upper()
    for row, text in codes[~codes.str.fullmatch(AREA_CODE.pattern)].items():
        cells.cell_error(row, column, f"{text!r} is not an area code (e.g. E07000234, E92000001).")
    return codes


def _years(cells: Table, column: str) -> pd.Series:
    texts = cells.text(column)
    years = pd.to_numeric(texts.str[:4], errors="coerce")
    for row, text in texts[years.isna() | (years < 1900) | (years > 2100)].items():
        cells.cell_error(row, column, f"{text!r} is not a year or a period starting with one.")
    return years


def _generic(cells: Table, code: str) -> pd.DataFrame:
    found = columns(
        cells,
        {"period": ("period", "time_period"), "indicator": ("indicator",), "value": ("value",)},
        "an indicator file",
    )
    cells.required([code, found["period"], found["indicator"]])
    frame = pd.DataFrame(
        {
            "indicator": cells.text(found["indicator"]),
            "area_code": _codes(cells, code),
            "period": cells.text(found["period"]),
            "year": _years(cells, found["period"]),
            "value": cells.number(found["value"], suppressed_ok=True),
        }
    )
    for optional in OPTIONAL:
        column = cells.find(optional, f"{optional}_ci95", f"{optional}_ci")
        frame[optional] = cells.number(column, suppressed_ok=True) if column else float("nan")
    source = cells.find("source")
    frame["source"] = cells.text(source).replace("", GENERIC_SOURCE) if source else GENERIC_SOURCE
    _check_counts(cells, frame)
    return frame.assign(england_source="")


def _check_counts(cells: Table, frame: pd.DataFrame) -> None:
    for column in ("numerator", "denominator"):
        values = frame[column]
        for row, value in values[values < 0].items():
            cells.cell_error(row, cells.find(column), f"{value:g} is below 0.")
    upside = frame["lower"] > frame["upper"]
    for row in frame.index[upside]:
        cells.cell_error(row, cells.find("lower"), "the lower limit is above the upper limit.")


def _health_index_long(cells: Table, code: str) -> pd.DataFrame | None:
    found = columns(
        cells, {"year": ("year",), "value": ("value",)}, "the ONS Health Index long layout"
    )
    if found is None:
        return None
    cells.required([code, found["year"], cells.find("indicator")])
    years = _years(cells, found["year"])
    return pd.DataFrame(
        {
            "source": HEALTH_INDEX,
            "indicator": cells.text(cells.find("indicator")),
            "area_code": _codes(cells, code),
            "period": cells.text(found["year"]),
            "year": years,
            "value": cells.number(found["value"], suppressed_ok=True),
            **{optional: float("nan") for optional in OPTIONAL},
            "england_source": "",
        }
    )


def _health_index_wide(cells: Table, code: str) -> pd.DataFrame:
    year = cells.find("year")
    cells.required([code, year])
    codes, years = _codes(cells, code), _years(cells, year)
    parts = []
    for column in [c for c in cells.frame.columns if c not in (code, year)]:
        parts.append(
            pd.DataFrame(
                {
                    "source": HEALTH_INDEX_SCORES,
                    "indicator": SCORE_NAMES.get(column, column),
                    "area_code": codes,
                    "period": cells.text(year),
                    "year": years,
                    "value": cells.number(column, suppressed_ok=True),
                    **{optional: float("nan") for optional in OPTIONAL},
                    "england_source": "",
                }
            )
        )
    return pd.concat(parts)


def _england_base(frame: pd.DataFrame) -> pd.DataFrame:
    """England 2015 = 100 for every score: ONS's definition of the index."""
    held = set(frame.loc[frame["area_code"] == ENGLAND_CODE, "indicator"])
    base = pd.DataFrame(
        {
            "source": HEALTH_INDEX_SCORES,
            "indicator": sorted(set(frame["indicator"]) - held),
            "area_code": ENGLAND_CODE,
            "period": str(HEALTH_INDEX_BASE_YEAR),
            "year": HEALTH_INDEX_BASE_YEAR,
            "value": 100.0,
            **{optional: float("nan") for optional in OPTIONAL},
            "england_source": "definition",
        }
    )
    return pd.concat([frame, base], ignore_index=False)
