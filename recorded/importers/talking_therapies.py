"""NHS Talking Therapies (formerly IAPT) monthly activity by area, as published. Pure.

A long file: one row per area, month and measure. Columns: the area's code (sicbl22_code,
sub_icb_code, area_code or org_code; England is E92000001), the month (date, month or
reporting_period: "July 2022", "2022-07" or "2022-07-01"), the measure (name, measure or
measure_name, e.g. Count_ReferralsReceived, Percentage_Recovery) and its value. A suppressed
value (*) is kept as suppressed. England's rows are kept with the area's.
"""

import re
from pathlib import Path

import pandas as pd

from needs.importers.tables import Parsed
from recorded.importers.cells import Table, columns, table

ENGLAND_CODE = "E92000001"
OUTPUT = [
    "area_code",
    "area_name",
    "is_england",
    "month",
    "measure",
    "label",
    "published_name",
    "unit",
    "value",
]
WANTED = {
    "area": ("sicbl22_code", "sicbl24_code", "sub_icb_code", "area_code", "org_code", "ccg_code"),
    "month": ("date", "month", "reporting_period", "period"),
    "measure": ("measure", "measure_name", "name"),
    "value": ("value", "measure_value"),
}
AREA_NAMES = ("sicbl22_name", "sicbl24_name", "sub_icb_name", "area_name", "org_name")
# The measures as the publisher names them → (plain key, what it counts, unit).
MEASURES = {
    "Count_ReferralsReceived": ("referrals_received", "Referrals received", "count"),
    "Count_AccessingServices": (
        "entered_treatment",
        "Referrals entering treatment (first treatment appointment)",
        "count",
    ),
    "Count_EndedReferrals": ("ended_referrals", "Referrals ended", "count"),
    "Count_FinishedCourseTreatment": (
        "finished_course",
        "Referrals finishing a course of treatment (two or more sessions)",
        "count",
    ),
    "Count_Deterioration": (
        "deterioration_count",
        "Finished courses with reliable deterioration",
        "count",
    ),
    "Count_Recovery": ("recovery_count", "Finished courses moving to recovery", "count"),
    "Count_ReliableImprovement": (
        "improvement_count",
        "Finished courses with reliable improvement",
        "count",
    ),
    "Percentage_Recovery": ("recovery_rate", "Recovery rate (%)", "percent"),
    "Percentage_ReliableRecovery": (
        "reliable_recovery_rate",
        "Reliable recovery rate (%)",
        "percent",
    ),
    "Percentage_Improvement": (
        "reliable_improvement_rate",
        "Reliable improvement rate (%)",
        "percent",
    ),
    "Percentage_Deterioration": (
        "deterioration_rate",
        "Reliable deterioration rate (%)",
        "percent",
    ),
    "Percentage_AccessingServices6WeeksFinishedCourseTreatment": (
        "waited_6_weeks",
        "Finished courses that entered treatment within 6 weeks of referral (%)",
        "percent",
    ),
    "Percentage_AccessingServices18WeeksFinishedCourseTreatment": (
        "waited_18_weeks",
        "Finished courses that entered treatment within 18 weeks of referral (%)",
        "percent",
    ),
}
MONTH_FORMATS = ("%B %Y", "%b %Y", "%Y-%m", "%Y-%m-%d", "%d/%m/%Y", "%b-%y", "%B-%y")


def measure_of(published: str) -> tuple[str, str, str]:
    """(plain key, label, unit) of a measure; one not known here keeps its published name."""
    if published in MEASURES:
        return MEASURES[published]
    key = re.sub(r"[^a-z0-9]+", "_", published.lower()).strip("_")[:60]
    unit = "percent" if published.lower().startswith(("percentage", "pct", "%")) else "count"
    return key, published, unit


def parse(path: Path, *, name: str | None = None) -> Parsed:
    label = name or path.name
    cells, refused = table(path, label)
    if refused:
        return refused
    found = columns(cells, WANTED, "NHS Talking Therapies monthly activity in long layout")
    if found is None:
        return cells.result(pd.DataFrame(columns=OUTPUT), warnings=[], facts={})
    cells.required([found["area"], found["month"], found["measure"]])
    codes = cells.text(found["area"]).str.upper()
    published = cells.text(found["measure"])
    described = published.map(measure_of)
    units = described.map(lambda item: item[2])
    values = cells.number(found["value"], suppressed_ok=True)
    _check_values(cells, found["value"], values, units)
    area_name = cells.find(*AREA_NAMES)
    frame = pd.DataFrame(
        {
            "area_code": codes,
            "area_name": cells.text(area_name) if area_name else "",
            "is_england": codes == ENGLAND_CODE,
            "month": cells.dates(
                found["month"],
                MONTH_FORMATS,
                what="a month",
                example="July 2022 or 2022-07",
                monthly=True,
            ),
            "measure": described.map(lambda item: item[0]),
            "label": described.map(lambda item: item[1]),
            "published_name": published,
            "unit": units,
            "value": values,
        }
    )
    keys = frame[["area_code", "month", "published_name"]]
    cells.duplicates(keys, found["measure"], "area, month and measure")
    warnings = []
    unknown = sorted(set(published) - set(MEASURES) - {""})
    if unknown:
        warnings.append(
            "Measure(s) not described here, kept under their published names: "
            f"{', '.join(unknown[:10])}."
        )
    facts: dict[str, object] = {
        "layout": "NHS Talking Therapies, long (area, month, measure, value)"
    }
    if not cells.total:
        months = sorted(frame["month"].unique())
        facts |= {
            "areas": ", ".join(sorted(set(codes))),
            "months": f"{months[0]:%B %Y} to {months[-1]:%B %Y} ({len(months)})",
            "England's rows": "yes" if frame["is_england"].any() else "none in the file",
            "suppressed values": int(frame["value"].isna().sum()),
        }
    return cells.result(frame[OUTPUT], warnings=warnings, facts=facts)


def _check_values(cells: Table, column: str, values: pd.Series, units: pd.Series) -> None:
    counts = (units == "count") & values.notna() & ((values < 0) | (values % 1 != 0))
    for row, value in values[counts].items():
        cells.cell_error(row, column, f"{value:g} is not a count (a whole number, 0 or more).")
    shares = (units == "percent") & values.notna() & ((values < 0) | (values > 100))
    for row, value in values[shares].items():
        cells.cell_error(row, column, f"{value:g} is not a percentage (0 to 100).")
