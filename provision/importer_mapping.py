"""A services spreadsheet in the analyst's own layout, read through their matching of columns
and values to the template's (needs.column_mapping guesses it; the upload page confirms it).

`mapping` is a dict, as stored with the upload: {"source_columns": [their header, in order],
"columns": {template column: their column}, "fixed": {template column: one value for every
row}, "values": {template column: {their value: code}}}. The extra target "funder" takes one
funder per service (a name such as "Worcestershire County Council", matched to a funder type)
and gives it 100% of the spend, for lists that name the funder instead of the four shares.

Pure: pandas, no Django.
"""

from pathlib import Path

import pandas as pd

from needs.column_mapping import Target, squash
from needs.importers.tables import XLSX_SUFFIXES, read_csv, read_sheet, workbook_sheets
from provision.importer_file import REQUIRED, _header
from provision.importer_messages import COLUMN_NAMES, Report
from provision.template import COLUMNS, SHEET, ServiceChoices

FUNDER = "funder"
FUNDER_SHARE = {  # funder code → its share column
    "nhs": "funding_nhs_percent",
    "local_authority": "funding_local_authority_percent",
    "pooled": "funding_pooled_percent",
    "other": "funding_other_percent",
}
FUNDER_NAMES = {  # plain names for the matching step (provision.models.Funder's codes)
    "nhs": "NHS",
    "local_authority": "Local authority",
    "pooled": "Pooled budget (section 75)",
    "other": "Other (charity, third sector, anyone else)",
}
LABELS = {
    "service_code": "Service code",
    "name": "Service name",
    "provider": "Provider",
    "provider_type": "Provider type",
    "category": "Category",
    "service_type": "Service type",
    "conditions": "Conditions served",
    "age_min": "Youngest age served",
    "age_max": "Oldest age served",
    "capacity": "Capacity (how many)",
    "capacity_unit": "What capacity counts",
    "annual_spend": "Annual spend (£)",
    "financial_year": "Financial year",
    "source": "Source of the figures",
    "funding_nhs_percent": "NHS share of the spend (%)",
    "funding_local_authority_percent": "Local authority share of the spend (%)",
    "funding_pooled_percent": "Pooled budget share of the spend (%)",
    "funding_other_percent": "Other funders' share of the spend (%)",
    FUNDER: "Funder (one funder pays all the spend)",
    "catchment_codes": "Catchment (area codes)",
    "site_name": "Site name",
    "site_postcode": "Site postcode",
    "site_lon": "Site longitude",
    "site_lat": "Site latitude",
}
SYNONYMS = {
    "service_code": ("code", "service id", "id", "ref", "reference", "service ref"),
    "name": ("service", "service title", "title"),
    "provider": ("organisation", "provider name", "run by", "delivered by", "organisation name"),
    "provider_type": ("type of provider", "sector", "provider sector", "organisation type"),
    "category": ("service category", "mapping category"),
    "service_type": ("type", "type of service"),
    "conditions": ("condition", "condition codes", "conditions codes"),
    "age_min": ("min age", "minimum age", "age from", "lower age", "youngest"),
    "age_max": ("max age", "maximum age", "age to", "upper age", "oldest"),
    "capacity": ("places", "capacity number", "caseload", "slots", "volume"),
    "capacity_unit": ("unit", "units", "capacity units", "measure", "counted in", "per"),
    "annual_spend": ("spend", "budget", "annual budget", "cost", "annual cost", "contract value"),
    "financial_year": ("year", "fy", "fin year"),
    "source": ("data source", "source of figures", "where from"),
    FUNDER: ("funder", "funded by", "commissioner", "commissioned by", "funding body"),
    "catchment_codes": ("catchment", "areas served", "area codes", "catchment areas"),
    "site_name": ("site", "venue", "location", "base", "address"),
    "site_postcode": ("postcode", "post code", "site post code"),
    "site_lon": ("longitude", "lon", "long", "lng", "x"),
    "site_lat": ("latitude", "lat", "y"),
}
KEYWORDS = {  # (word or words found in a value, code), first found wins
    "capacity_unit": (
        ("places", "caseload_places"), ("place", "caseload_places"),
        ("caseload", "caseload_places"), ("referrals", "referrals_per_year"),
        ("referral", "referrals_per_year"), ("people a year", "courses_per_year"),
        ("people per year", "courses_per_year"), ("courses", "courses_per_year"),
        ("treatments", "courses_per_year"), ("beds", "beds"), ("bed", "beds"),
        ("hours", "hours_per_week"), ("hour", "hours_per_week"),
    ),
    FUNDER: (
        ("nhs", "nhs"), ("icb", "nhs"), ("ccg", "nhs"), ("integrated care board", "nhs"),
        ("pooled", "pooled"), ("section 75", "pooled"), ("s75", "pooled"),
        ("better care fund", "pooled"), ("bcf", "pooled"),
        ("council", "local_authority"), ("local authority", "local_authority"),
        ("public health", "local_authority"),
        ("charity", "other"), ("charitable", "other"), ("lottery", "other"),
        ("foundation", "other"), ("voluntary", "other"), ("third sector", "other"),
    ),
    "provider_type": (
        ("nhs", "nhs_trust"), ("gp", "primary_care"), ("surgery", "primary_care"),
        ("practice", "primary_care"), ("pcn", "primary_care"), ("primary care", "primary_care"),
        ("council", "local_authority"), ("local authority", "local_authority"),
        ("charity", "third_sector"), ("cic", "third_sector"), ("mind", "third_sector"),
        ("voluntary", "third_sector"), ("third sector", "third_sector"),
        ("trust", "third_sector"), ("ltd", "independent"), ("limited", "independent"),
        ("plc", "independent"), ("independent", "independent"), ("private", "independent"),
    ),
}  # fmt: skip
WHOLE_FILE = {"service_code", "financial_year"}  # a site row repeats them
DETAIL_TARGETS = [c for c in [*COLUMN_NAMES, FUNDER] if c not in [*WHOLE_FILE, "site_name"]]
DETAIL_TARGETS = [c for c in DETAIL_TARGETS if not c.startswith("site_")]
NOT_IN_FILE = "was chosen for the template's column {target!r} but is not in the header row."
NOT_MATCHED = (
    "is not matched to any template column and is ignored (match it on the upload's page if "
    "it should be read)."
)
UNMATCHED_FUNDER = (
    "{value!r} is not matched to a funder: match it on the upload's page to one of {allowed}."
)
UNMAPPED = (
    "the template's column {target!r} ({label}) is required but no column of the file is matched "
    "to it: choose the column that holds it on the upload's page, or give one value for every row."
)
TWICE = "appears more than once in the header row: rename one of them so each can be matched."


def service_targets(choices: ServiceChoices) -> list[Target]:
    """The template's columns in its order, with the funder target after the four shares."""
    meanings = {column: (required, meaning) for column, required, meaning, _ in COLUMNS}
    meanings[FUNDER] = (False, "A funder's name; it pays 100% (instead of the four shares).")
    order = [*COLUMN_NAMES]
    order.insert(order.index("funding_other_percent") + 1, FUNDER)
    targets = []
    for column in order:
        required, meaning = meanings[column]
        if column == FUNDER:
            allowed = FUNDER_NAMES
        elif column in ("provider_type", "category", "service_type", "capacity_unit"):
            allowed = choices.of(column)
        else:
            allowed = {}
        targets.append(
            Target(
                column=column,
                label=LABELS[column],
                required=required,
                help=meaning,
                synonyms=SYNONYMS.get(column, ()),
                choices=tuple(allowed.items()),
                keywords=KEYWORDS.get(column, ()),
                whole_file=column in WHOLE_FILE,
            )
        )
    return targets


def matches_template(header: list[str]) -> bool:
    """Whether the file already has the template's required columns (read in any case)."""
    return set(REQUIRED) <= {_header(column) for column in header}


def read_source(
    path: Path, label: str, header: list[str] | None = None
) -> tuple[pd.DataFrame | None, str, int, list[str]]:
    """The cells as text indexed by the row the spreadsheet shows, where, and the header row.

    A workbook is read from its "Services" sheet if it has one, else its first sheet; its header
    is the row holding `header` (the columns matched before), else the first row with at least
    two cells filled."""
    if path.suffix.lower() not in XLSX_SUFFIXES:
        raw, errors = read_csv(path, label, [])
        if errors:
            return None, label, 1, errors
        raw.index = pd.Index(raw.index + 2, name="row")
        return raw, label, 1, []
    try:
        sheet = SHEET if SHEET in workbook_sheets(path, label) else None
    except ValueError as error:
        return None, label, 0, [str(error)]
    wanted = {column for column in header or [] if column}
    found, errors = read_sheet(
        path,
        label,
        sheet=sheet,
        is_header=lambda cells: wanted <= set(cells) if wanted else sum(map(bool, cells)) >= 2,
    )
    if found is None:
        return None, label, 0, errors
    return found.frame, f"{label}, sheet {found.name!r}", found.header_row, errors


def source_header(path: Path, label: str) -> tuple[list[str], list[str]]:
    """The file's own column names, in order (blank ones left out), or the reasons it cannot
    be read."""
    raw, where, header_row, errors = read_source(path, label)
    if raw is None:
        return [], errors
    columns = [str(column) for column in raw.columns if str(column).strip()]
    repeated = sorted({column for column in columns if columns.count(column) > 1})
    if repeated:
        at = Report(where)
        return [], [f"{at.at(header_row, column)}: {TWICE}" for column in repeated]
    return columns, []


def source_values(
    path: Path, label: str, header: list[str], columns: list[str]
) -> dict[str, list[str]]:
    """The distinct values of some of the file's columns, each in the order first met."""
    raw, *_ = read_source(path, label, header)
    if raw is None:
        return {}
    return {
        column: list(dict.fromkeys(value for value in raw[column] if value))
        for column in columns
        if column in raw.columns
    }


def mapped_frame(
    raw: pd.DataFrame, mapping: dict, report: Report, header_row: int, targets: list[Target]
) -> pd.DataFrame:
    """The file's cells under the template's column names, their values translated, fixed
    values filled in and the funder's share set; errors and warnings go to `report`, each
    naming the analyst's column and the template's."""
    columns = {t: s for t, s in (mapping.get("columns") or {}).items() if s}
    fixed = {t: str(v).strip() for t, v in (mapping.get("fixed") or {}).items() if str(v).strip()}
    report.sources = {target: source for target, source in columns.items()}
    report.sources |= {target: None for target in fixed if target not in columns}
    for target in targets:
        if target.required and target.column not in columns and target.column not in fixed:
            message = UNMAPPED.format(target=target.column, label=target.label)
            report.errors.append((header_row, -1, f"{report.where}: {message}"))
    frame = pd.DataFrame(index=raw.index)
    for target in [*COLUMN_NAMES, FUNDER]:
        source = columns.get(target)
        frame[target] = raw[source] if source in raw.columns else ""
        if source and source not in raw.columns:
            report.error(header_row, target, NOT_IN_FILE.format(target=target))
    used = set(columns.values())
    for position, column in enumerate(raw.columns):
        if column and column not in used and raw.iloc[:, position].ne("").any():
            report.warnings.append(f"{report.where}, column {column!r}: {NOT_MATCHED}")
    main = frame[DETAIL_TARGETS].ne("").any(axis=1)
    by_target = {target.column: target for target in targets}
    for target, value in fixed.items():
        if target in columns or target not in frame.columns:
            continue
        rows = frame.index if by_target[target].whole_file else frame.index[main]
        frame.loc[rows, target] = value
    for target, table in (mapping.get("values") or {}).items():
        if target in frame.columns:
            frame[target] = _translated(frame[target], table)
    _funder_shares(frame, report, by_target[FUNDER])
    return frame[COLUMN_NAMES]


def _translated(values: pd.Series, table: dict[str, str]) -> pd.Series:
    """Each value as the code it was matched to; values without a match are kept as given."""
    lookup = {squash(given): code for given, code in table.items() if code}
    return values.map(lambda text: lookup.get(squash(text), text))


def _funder_shares(frame: pd.DataFrame, report: Report, target: Target) -> None:
    """A funder named on a row whose four shares are blank pays 100% of its spend."""
    codes = {squash(code): code for code, _ in target.choices}
    codes |= {squash(name): code for code, name in target.choices}
    shares = list(FUNDER_SHARE.values())
    for row, value in frame[FUNDER].items():
        if not value:
            continue
        code = codes.get(squash(value))
        if code is None:
            allowed = ", ".join(name for _, name in target.choices)
            report.error(row, FUNDER, UNMATCHED_FUNDER.format(value=value, allowed=allowed))
        elif frame.loc[row, shares].eq("").all():
            frame.loc[row, FUNDER_SHARE[code]] = "100"
