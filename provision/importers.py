"""Services files: a CSV, or the "Services" sheet of an .xlsx, one row per service per year.

Pure: no Django. The caller passes in what the database allows (the choices, the condition
codes, the area codes), and the whole file is checked before anything is written. The frame
returned is exactly what `provision.services.services_upsert` takes; its sites carry no area
yet (the caller places them by point in polygon).

A service with several sites has one *main row* per financial year, which fills the service's
columns and its first site, and one *site row* per further site, which repeats service_code
and financial_year and fills only the site columns. A row is a site row when every column
other than those is blank, so a site row can never change a service by accident.
"""

import re
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from needs.importers.tables import XLSX_SUFFIXES, Parsed
from provision.importer_file import REQUIRED, formula_cells, known_columns, read_cells
from provision.importer_mapping import mapped_frame, read_source, service_targets
from provision.importer_messages import (
    AGES_REVERSED,
    BAD_YEAR,
    BLANK,
    BLANK_KEY,
    COLUMN_NAMES,
    DUPLICATE,
    NEGATIVE,
    NO_COORDINATES,
    NO_MAIN_ROW,
    NO_ROWS,
    NOT_A_NUMBER,
    NOT_AN_AGE,
    NOT_WHOLE,
    OFF_THE_GLOBE,
    ONLY_THE_KEY,
    OUTSIDE_GB,
    SHARE_OVER_100,
    SHARES_DO_NOT_ADD_UP,
    TOO_LONG,
    TYPE_OUTSIDE_CATEGORY,
    UNKNOWN_AREA,
    UNKNOWN_CHOICE,
    UNKNOWN_CONDITIONS,
    Report,
)
from provision.template import ServiceChoices

KEY_COLUMNS = ["service_code", "financial_year"]
FUNDING_COLUMNS = {  # column → funder (provision.models.Funder)
    "funding_nhs_percent": "nhs",
    "funding_local_authority_percent": "local_authority",
    "funding_pooled_percent": "pooled",
    "funding_other_percent": "other",
}
SITE_COLUMNS = ["site_name", "site_postcode", "site_lon", "site_lat"]
DETAIL_COLUMNS = [c for c in COLUMN_NAMES if c not in KEY_COLUMNS + SITE_COLUMNS]
SERVICE_FIELDS = [  # as provision.services.SERVICE_FIELDS: the service's own columns
    column
    for column in COLUMN_NAMES[1:]
    if column not in [*FUNDING_COLUMNS, "catchment_codes", *SITE_COLUMNS]
]
FRAME_COLUMNS = ["service_code", *SERVICE_FIELDS, "catchment_codes", "funding", "sites"]
TEXT_LIMITS = {"service_code": 50, "name": 300, "provider": 300, "source": 300}  # the models'
TEXT_LIMITS |= {"site_name": 300, "site_postcode": 10}
OLDEST_AGE = 120
FUNDING_SPAN = "funding_nhs_percent … funding_other_percent"
# A rough box around Great Britain, Scilly to Shetland and St Kilda to Lowestoft (WGS84).
GB_LON = (-8.7, 1.8)
GB_LAT = (49.8, 60.9)
COORDINATE_NAMES = {"site_lon": "longitude (site_lon)", "site_lat": "latitude (site_lat)"}
FINANCIAL_YEAR = re.compile(r"^(\d{4})\s*[/-]\s*(\d{4}|\d{2})$")
CODE_SEPARATORS = re.compile(r"[;,\s]+")


def parse(
    path: Path,
    *,
    choices: ServiceChoices,
    known_conditions: set[str],
    known_areas: set[str],
    name: str | None = None,
    mapping: dict | None = None,
) -> Parsed:
    """Read and check a services file (.csv, or .xlsx with a "Services" sheet); `mapping`: how
    a file in the analyst's own layout matches the template (provision.importer_mapping)."""
    label = name or path.name
    if mapping:
        raw, where, header_row, read_errors = read_source(
            path, label, mapping.get("source_columns")
        )
    else:
        raw, where, header_row, read_errors = read_cells(path, label)
    if raw is None:
        return Parsed.of(_empty(), read_errors)
    report = Report(where)
    if mapping:
        raw = mapped_frame(raw, mapping, report, header_row, service_targets(choices))
    raw = known_columns(raw, report, header_row)
    if raw is None:
        return Parsed.of(_empty(), read_errors + report.sorted_errors())
    raw = raw[raw.ne("").any(axis=1)]
    if path.suffix.lower() in XLSX_SUFFIXES:
        report.formulas = formula_cells(raw)
    if raw.empty:
        return Parsed.of(_empty(), [*read_errors, f"{where}: {NO_ROWS}"])
    main = raw[DETAIL_COLUMNS].ne("").any(axis=1)
    keys = _keys(raw, report)
    details = _details(raw[main], report, choices, known_conditions, known_areas)
    sites = _sites(raw, main, report)
    frame = _assemble(keys, details, sites, main, report)
    errors = read_errors + report.sorted_errors()
    facts = {
        "services": len(frame),
        "financial_years": sorted(frame["financial_year"].unique()),
        "sites": int(frame["sites"].map(len).sum()),
    }
    return Parsed.of(frame, errors, warnings=report.warnings, facts=facts)


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=FRAME_COLUMNS)


def _keys(raw: pd.DataFrame, report: Report) -> pd.DataFrame:
    """service_code and financial_year ("2024/25") of every row; "" where either is unusable."""
    for column in KEY_COLUMNS:
        for row in raw.index[raw[column].eq("")]:
            report.error(row, column, BLANK_KEY)
    _too_long(raw, report)
    years = raw["financial_year"].map(_financial_year)
    for row in raw.index[years.eq("") & raw["financial_year"].ne("")]:
        report.error(row, "financial_year", BAD_YEAR.format(value=raw.loc[row, "financial_year"]))
    codes = raw["service_code"].where(
        raw["service_code"].str.len() <= TEXT_LIMITS["service_code"], ""
    )
    return pd.DataFrame({"service_code": codes, "financial_year": years})


def _financial_year(text: str) -> str:
    """'2024/25', '2024-25' or '2024/2025' → '2024/25'; "" for anything else."""
    match = FINANCIAL_YEAR.match(text)
    if not match:
        return ""
    start, end = int(match[1]), int(match[2])
    following = start + 1 if len(match[2]) == 4 else (start + 1) % 100
    return f"{start}/{(start + 1) % 100:02d}" if end == following else ""


def _too_long(raw: pd.DataFrame, report: Report) -> None:
    for column, limit in TEXT_LIMITS.items():
        lengths = raw[column].str.len()
        for row in raw.index[lengths > limit]:
            report.error(row, column, TOO_LONG.format(length=lengths[row], limit=limit))


def _details(
    rows: pd.DataFrame,
    report: Report,
    choices: ServiceChoices,
    known_conditions: set[str],
    known_areas: set[str],
) -> pd.DataFrame:
    """The typed service columns of the main rows."""
    for column in REQUIRED:
        for row in rows.index[rows[column].eq("")]:
            report.error(row, column, BLANK)
    typed = rows[["name", "provider", "source"]].copy()
    for column in ("provider_type", "category", "service_type", "capacity_unit"):
        typed[column] = _choice(rows[column], column, choices.of(column), report)
    _type_in_category(typed, choices, report)
    typed["age_min"], typed["age_max"] = _ages(rows, report)
    typed["capacity"] = _numbers(rows["capacity"], "capacity", report)
    spend = _numbers(rows["annual_spend"], "annual_spend", report, symbol="£")
    typed["annual_spend"] = spend.round(2)
    typed["conditions"] = _conditions(rows["conditions"], known_conditions, report)
    typed["catchment_codes"] = _catchments(rows["catchment_codes"], known_areas, report)
    typed["funding"] = _funding(rows, report)
    return typed


def _normal(text: str) -> str:
    return " ".join(text.lower().replace("_", " ").replace("-", " ").split())


def _choice(values: pd.Series, column: str, options: dict[str, str], report: Report) -> pd.Series:
    """Each value's code, given as the code or the name in any case ("NHS trust", "nhs_trust")."""
    lookup = {_normal(name): code for code, name in options.items()}
    lookup |= {_normal(code): code for code in options}
    codes = values.map(lambda text: lookup.get(_normal(text)))
    for row in values.index[codes.isna() & values.ne("")]:
        allowed = ", ".join(options)
        report.error(row, column, UNKNOWN_CHOICE.format(value=values[row], allowed=allowed))
    return codes


def _type_in_category(typed: pd.DataFrame, choices: ServiceChoices, report: Report) -> None:
    """A service type belongs to one category (provision.models.SERVICE_TYPES); other fits any."""
    expected = typed["service_type"].map(lambda code: choices.service_types.get(code, ("", ""))[1])
    wrong = (
        typed["category"].notna()
        & typed["service_type"].notna()
        & typed["service_type"].ne("other")
        & expected.ne(typed["category"])
    )
    for row in typed.index[wrong]:
        message = TYPE_OUTSIDE_CATEGORY.format(
            value=typed.loc[row, "service_type"],
            expected=expected[row],
            given=typed.loc[row, "category"],
        )
        report.error(row, "service_type", message)


def _numbers(
    values: pd.Series, column: str, report: Report, *, minimum: float | None = 0, symbol: str = ""
) -> pd.Series:
    """Numbers from text, with thousands commas and the column's symbol ("£1,250,000" →
    1250000, "30%" → 30); NaN where blank or wrong (reported)."""
    text = values.str.replace(r"[,\s]", "", regex=True)
    if symbol:
        text = text.str.replace(symbol, "", regex=False)
    numbers = pd.to_numeric(text, errors="coerce").astype(float)
    numbers = numbers.where(np.isfinite(numbers))
    for row in values.index[numbers.isna() & values.ne("")]:
        report.error(row, column, NOT_A_NUMBER.format(value=values[row]))
    if minimum is not None:
        negative = numbers < minimum
        for row in values.index[negative]:
            report.error(row, column, NEGATIVE.format(value=values[row]))
        numbers = numbers.mask(negative)
    return numbers


def _ages(rows: pd.DataFrame, report: Report) -> tuple[pd.Series, pd.Series]:
    """age_min (blank = 0) and age_max (blank = no upper limit: None), whole years."""
    ages = {}
    for column in ("age_min", "age_max"):
        values = _numbers(rows[column], column, report)
        fractional = values.notna() & (values % 1 != 0)
        too_old = values > OLDEST_AGE
        for row in rows.index[fractional]:
            report.error(row, column, NOT_WHOLE.format(value=rows.loc[row, column]))
        for row in rows.index[too_old & ~fractional]:
            message = NOT_AN_AGE.format(value=rows.loc[row, column], oldest=OLDEST_AGE)
            report.error(row, column, message)
        ages[column] = values.mask(fractional | too_old)
    age_min = ages["age_min"].fillna(0)
    reversed_ = ages["age_max"] < age_min
    for row in rows.index[reversed_]:
        message = AGES_REVERSED.format(value=rows.loc[row, "age_max"], age_min=int(age_min[row]))
        report.error(row, "age_max", message)
    age_max = [None if pd.isna(age) else int(age) for age in ages["age_max"]]
    return age_min.astype(int), pd.Series(age_max, index=rows.index, dtype=object)


def _codes(text: str) -> list[str]:
    """Codes separated by ";" (commas and spaces are read too), each once, in order."""
    return list(dict.fromkeys(code for code in CODE_SEPARATORS.split(text) if code))


def _conditions(values: pd.Series, known: set[str], report: Report) -> pd.Series:
    """Lists of condition codes, matched in any case to the known codes."""
    lookup = {code.lower(): code for code in known}
    conditions = values.map(lambda text: [lookup.get(code.lower(), code) for code in _codes(text)])
    for row, codes in conditions.items():
        unknown = [code for code in codes if code not in known]
        if unknown:
            message = UNKNOWN_CONDITIONS.format(
                codes=", ".join(unknown), known=", ".join(sorted(known)) or "none (load them first)"
            )
            report.error(row, "conditions", message)
    return conditions


def _catchments(values: pd.Series, known: set[str], report: Report) -> pd.Series:
    """Tuples of area codes (upper case); each unknown code reported once with its rows."""
    catchments = values.map(lambda text: tuple(code.upper() for code in _codes(text)))
    rows_of: dict[str, list[int]] = {}
    for row, codes in catchments.items():
        for code in codes:
            if code not in known:
                rows_of.setdefault(code, []).append(row)
    for code, rows in rows_of.items():
        listed = ", ".join(map(str, rows[:10])) + (
            f" and {len(rows) - 10} more" if len(rows) > 10 else ""
        )
        report.error(rows[0], "catchment_codes", UNKNOWN_AREA.format(code=code, rows=listed))
    return catchments


def _funding(rows: pd.DataFrame, report: Report) -> pd.Series:
    """((funder, percent), …) of the shares given; the shares add up to exactly 100."""
    shares = pd.DataFrame(index=rows.index)
    for column in FUNDING_COLUMNS:
        shares[column] = _numbers(rows[column], column, report, symbol="%")
        for row in rows.index[shares[column] > 100]:
            report.error(row, column, SHARE_OVER_100.format(value=rows.loc[row, column]))
    readable = (shares.notna() | rows[list(FUNDING_COLUMNS)].eq("")).all(axis=1)
    funders = list(FUNDING_COLUMNS.values())
    funding = [
        tuple((funder, float(share)) for funder, share in zip(funders, given, strict=True) if share)
        for given in shares.fillna(0).to_numpy()
    ]
    for row, given, usable in zip(rows.index, funding, readable, strict=True):
        # Added up as decimals, as services.funding_check does, so 33.33 + 33.33 + 33.34 is 100.
        total = sum((Decimal(str(share)) for _, share in given), Decimal(0))
        if usable and total != 100:
            message = SHARES_DO_NOT_ADD_UP.format(total=f"{total.normalize():f}")
            report.error(row, FUNDING_SPAN, message)
    return pd.Series(funding, index=rows.index, dtype=object)


def _sites(raw: pd.DataFrame, main: pd.Series, report: Report) -> pd.Series:
    """(name, postcode, lon, lat, None) of each row with a usable site; NaN for the others."""
    given = raw[SITE_COLUMNS].ne("").any(axis=1)
    for row in raw.index[~given & ~main]:
        report.error(row, "name", ONLY_THE_KEY)
    lon = _coordinates(raw, "site_lon", 180, report)
    lat = _coordinates(raw, "site_lat", 90, report)
    _missing_coordinates(raw, given, report)
    placed = given & lon.notna() & lat.notna()
    outside_gb = placed & ~(lon.between(*GB_LON) & lat.between(*GB_LAT))
    for row in raw.index[outside_gb]:
        message = OUTSIDE_GB.format(lon=lon[row], lat=lat[row])
        report.warnings.append(f"{report.at(row, 'site_lon')}: {message}")
    sites = zip(raw["site_name"], raw["site_postcode"], lon, lat, [None] * len(raw), strict=True)
    return pd.Series(list(sites), index=raw.index, dtype=object).where(placed)


def _coordinates(raw: pd.DataFrame, column: str, limit: float, report: Report) -> pd.Series:
    values = _numbers(raw[column], column, report, minimum=None)
    outside = values.abs() > limit
    for row in raw.index[outside]:
        message = OFF_THE_GLOBE.format(value=raw.loc[row, column], low=-limit, high=limit)
        report.error(row, column, message)
    return values.mask(outside)


def _missing_coordinates(raw: pd.DataFrame, given: pd.Series, report: Report) -> None:
    blank = raw[list(COORDINATE_NAMES)].eq("") & given.to_numpy()[:, None]
    for row, blanks in blank[blank.any(axis=1)].iterrows():
        missing = list(blanks.index[blanks])
        named = " or ".join(COORDINATE_NAMES[column] for column in missing)
        report.error(row, missing[0], NO_COORDINATES.format(missing=named))


def _assemble(
    keys: pd.DataFrame, details: pd.DataFrame, sites: pd.Series, main: pd.Series, report: Report
) -> pd.DataFrame:
    """One record per main row, with its own site and those of its site rows, in file order."""
    usable = keys.ne("").all(axis=1)
    mains = keys[main & usable]
    first = mains.reset_index().drop_duplicates(KEY_COLUMNS).set_index(KEY_COLUMNS)["row"]
    repeated = mains.index[mains.duplicated()]
    for row in repeated:
        code, year = mains.loc[row]
        report.error(
            row, "service_code", DUPLICATE.format(code=code, year=year, first=first[code, year])
        )
    further = keys[~main & usable]
    for row in further.index[~pd.MultiIndex.from_frame(further).isin(first.index)]:
        code, year = further.loc[row]
        report.error(row, "service_code", NO_MAIN_ROW.format(code=code, year=year))
    attach = sites.notna() & usable & ~keys.index.isin(repeated)
    grouped = keys[attach].assign(site=sites[attach]).groupby(KEY_COLUMNS, sort=False)["site"]
    found = grouped.agg(tuple)
    frame = details.loc[first.to_numpy()].assign(
        service_code=first.index.get_level_values("service_code").to_numpy(),
        financial_year=first.index.get_level_values("financial_year").to_numpy(),
        sites=[found.get(key, ()) for key in first.index],
    )
    return frame[FRAME_COLUMNS]
