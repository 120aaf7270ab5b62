"""GP practice sites from NHS ODS (epraccur), as published. Pure.

Either epraccur as NHS ODS publishes it (no header row: 27 columns, the code first) or a CSV with
headers: an ODS code (org_code, Organisation Code or practice_code), name and postcode, and
optionally the status code (A active, C closed, D dormant, P proposed), open and close dates
(YYYYMMDD), the prescribing setting (4 = GP practice; other settings are left out), the
commissioner, the PCN, and the site's coordinates: longitude and latitude (WGS84), or easting and
northing (British National Grid, converted here).
"""

import io
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from needs.importers.tables import Parsed, TableError, decode
from recorded.importers.cells import PRACTICE_CODE, Table, columns, table

OUTPUT = [
    "code",
    "name",
    "postcode",
    "status",
    "open_date",
    "close_date",
    "longitude",
    "latitude",
    "commissioner",
    "pcn_code",
    "pcn_name",
]
# epraccur's 27 columns, as the ODS specification names them (blank: not used).
EPRACCUR = [
    "org_code", "name", "national_grouping", "high_level_health_geography", "address_line_1",
    "address_line_2", "address_line_3", "address_line_4", "address_line_5", "postcode",
    "open_date", "close_date", "status_code", "org_sub_type", "commissioner",
    "join_provider_date", "left_provider_date", "contact_telephone", "null_1", "null_2",
    "null_3", "amended_record_indicator", "null_4", "provider_purchaser", "null_5",
    "prescribing_setting", "null_6",
]  # fmt: skip
WANTED = {
    "code": ("org_code", "Organisation Code", "practice_code", "code"),
    "name": ("name", "practice_name", "Organisation Name"),
    "postcode": ("postcode", "Postcode"),
}
STATUSES = {"A", "C", "D", "P"}
GP_SETTING = "4"


def parse(path: Path, *, name: str | None = None) -> Parsed:
    label = name or path.name
    if _headerless(path, label):
        frame = pd.read_csv(
            io.StringIO(decode(path.read_bytes(), label)),
            header=None,
            names=EPRACCUR,
            dtype=str,
            keep_default_na=False,
            index_col=False,
        )
        frame.index = frame.index + 1  # no header: the first row is row 1
        cells = Table(label, frame.apply(lambda column: column.str.strip()))
        layout = "NHS ODS epraccur (no header row)"
    else:
        cells, refused = table(path, label)
        if refused:
            return refused
        layout = "GP practices with headers"
    found = columns(cells, WANTED, "a GP practice list such as NHS ODS epraccur")
    if found is None:
        return cells.result(pd.DataFrame(columns=OUTPUT), warnings=[], facts={})
    cells.required(found.values())
    warnings: list[str] = []
    frame = pd.DataFrame(
        {
            "code": cells.practice_codes(found["code"]),
            "name": cells.text(found["name"]),
            "postcode": cells.text(found["postcode"]).str.upper(),
        }
    )
    frame["status"] = _statuses(cells)
    frame["open_date"] = _dates(cells, "open_date", "Open Date")
    frame["close_date"] = _dates(cells, "close_date", "Close Date")
    for role, names in {
        "commissioner": ("commissioner", "Commissioner"),
        "pcn_code": ("pcn_code", "qof2324_pcn_ods_code", "qof1920_pcn_ods_code"),
        "pcn_name": ("pcn_name", "qof2324_pcn_name", "qof1920_pcn_name"),
    }.items():
        column = cells.find(*names)
        frame[role] = cells.text(column) if column else ""
    frame["longitude"], frame["latitude"] = _coordinates(cells)
    cells.duplicates(frame[["code"]], found["code"], "practice")
    setting = cells.find("prescribing_setting", "Prescribing Setting")
    if setting is not None and not cells.total:
        gp = cells.text(setting) == GP_SETTING
        if not gp.all():
            warnings.append(
                f"{int((~gp).sum()):,} row(s) are not GP practices (prescribing setting other than "
                "4) and were left out."
            )
        frame = frame[gp]
    if not cells.total and frame["longitude"].isna().any():
        warnings.append(
            f"{int(frame['longitude'].isna().sum()):,} practice(s) have no coordinates; they are "
            "kept but cannot be placed in a small area."
        )
    facts = {
        "layout": layout,
        "practices": len(frame),
        "open": int((frame["status"].isin(["A", ""]) & frame["close_date"].isna()).sum()),
    }
    return cells.result(frame[OUTPUT], warnings=warnings, facts=facts)


def _headerless(path: Path, label: str) -> bool:
    """epraccur as published: the first cell is a practice code, not a header."""
    try:
        first = decode(path.read_bytes()[:4096], label).split("\n", 1)[0]
    except TableError:
        return False
    return bool(PRACTICE_CODE.fullmatch(first.split(",", 1)[0].strip().strip('"').upper()))


def _statuses(cells: Table) -> pd.Series:
    column = cells.find("status_code", "Status Code", "status")
    if column is None:
        return pd.Series("", index=cells.frame.index)
    codes = cells.text(column).str.upper()
    for row, code in codes[~codes.isin(STATUSES | {""})].items():
        cells.cell_error(row, column, f"{code!r} is not an ODS status (A, C, D or P).")
    return codes


def _dates(cells: Table, *names: str) -> pd.Series:
    column = cells.find(*names)
    if column is None:
        return pd.Series(None, index=cells.frame.index, dtype=object)
    return cells.text(column).map(lambda text, c=column: _date(cells, c, text))


def _date(cells: Table, column: str, text: str) -> date | None:
    if not text:
        return None
    for pattern in ("%Y%m%d", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    rows = cells.text(column)
    cells.cell_error(
        int(rows[rows == text].index[0]), column, f"{text!r} is not a date (YYYYMMDD)."
    )
    return None


def _coordinates(cells: Table) -> tuple[pd.Series, pd.Series]:
    lon, lat = cells.find("longitude", "lon", "long"), cells.find("latitude", "lat")
    if lon and lat:
        return cells.number(lon), cells.number(lat)
    east, north = cells.find("easting", "oseast1m"), cells.find("northing", "osnrth1m")
    if not (east and north):
        nothing = pd.Series(float("nan"), index=cells.frame.index)
        return nothing, nothing
    from pyproj import Transformer  # only files with grid references need it

    eastings, northings = cells.number(east), cells.number(north)
    to_wgs84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    x, y = to_wgs84.transform(eastings.to_numpy(), northings.to_numpy())
    return pd.Series(x, index=eastings.index), pd.Series(y, index=northings.index)
