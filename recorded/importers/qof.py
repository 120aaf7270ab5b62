"""QOF registers and list sizes by practice (NHS Digital's Quality and Outcomes Framework), as
published. Pure.

Two layouts: NHS Digital's long prevalence file (PRACTICE_CODE, GROUP_CODE, REGISTER,
PATIENT_LIST_TYPE, PATIENT_LIST_SIZE: one row per practice and condition group), and a wide one
with a row per practice and, per group, `<group>_register` and `<group>_patient_list_size` (and
optionally `<group>_prevalence_pct`, checked against them, and `<group>_patient_list_type`).
The long file says which ages each list covers (TOTAL all ages, 18OV 18 and over, 30_74 ...);
the wide one does only if it has the list-type columns, otherwise the ages are left unstated.
"""

import re
from pathlib import Path

import pandas as pd

from needs.importers.tables import Parsed
from recorded.importers.cells import columns, refuse, table, year_in_name

OUTPUT = [
    "practice_code",
    "group_code",
    "condition",
    "register",
    "list_size",
    "list_type",
    "age_min",
    "age_max",
]
# QOF group code → (plain key, plain name). The four mental-health registers first.
GROUPS = {
    "DEM": ("dementia", "Dementia"),
    "DEP": ("depression", "Depression"),
    "MH": ("smi", "Serious mental illness (schizophrenia, bipolar disorder, other psychoses)"),
    "LD": ("learning_disability", "Learning disability"),
    "AF": ("atrial_fibrillation", "Atrial fibrillation"),
    "AST": ("asthma", "Asthma"),
    "CAN": ("cancer", "Cancer"),
    "CHD": ("coronary_heart_disease", "Coronary heart disease"),
    "CKD": ("chronic_kidney_disease", "Chronic kidney disease"),
    "COPD": ("copd", "Chronic obstructive pulmonary disease"),
    "CVDPP": ("cvd_primary_prevention", "Cardiovascular disease primary prevention"),
    "DM": ("diabetes", "Diabetes mellitus"),
    "EP": ("epilepsy", "Epilepsy"),
    "HF": ("heart_failure", "Heart failure"),
    "HYP": ("hypertension", "Hypertension"),
    "NDH": ("non_diabetic_hyperglycaemia", "Non-diabetic hyperglycaemia"),
    "OB": ("obesity", "Obesity"),
    "OST": ("osteoporosis", "Osteoporosis"),
    "PAD": ("peripheral_arterial_disease", "Peripheral arterial disease"),
    "PC": ("palliative_care", "Palliative care"),
    "RA": ("rheumatoid_arthritis", "Rheumatoid arthritis"),
    "SMOK": ("smoking", "Smoking"),
    "STIA": ("stroke_tia", "Stroke and transient ischaemic attack"),
}
LONG = {
    "practice": ("PRACTICE_CODE", "practice_code"),
    "group": ("GROUP_CODE", "INDICATOR_GROUP_CODE", "group_code"),
    "register": ("REGISTER", "register"),
    "list_type": ("PATIENT_LIST_TYPE", "list_type"),
    "list_size": ("PATIENT_LIST_SIZE", "list_size"),
}
WIDE_REGISTER = re.compile(r"([a-z]+)_register", re.IGNORECASE)
LIST_TYPE = re.compile(r"TOTAL|(\d{1,2})OV|(\d{1,2})_(\d{1,2})")
PERCENT_TOLERANCE = 0.001  # the wide file's percentages are rounded to 3 decimals


def condition_of(group: str) -> str:
    return GROUPS.get(group, (group.lower(), group))[0]


def ages_of(list_type: str) -> tuple[int | None, int | None]:
    """The ages a QOF list type covers: TOTAL (0, None), 18OV (18, None), 30_74 (30, 74)."""
    match = LIST_TYPE.fullmatch(list_type)
    if not match or not list_type:
        return None, None
    if list_type == "TOTAL":
        return 0, None
    if match.group(1):
        return int(match.group(1)), None
    return int(match.group(2)), int(match.group(3))


def parse(path: Path, *, name: str | None = None, year: int | None = None) -> Parsed:
    """Both layouts; `year` (the QOF year's first year) where the file's name does not say."""
    label = name or path.name
    cells, refused = table(path, label)
    if refused:
        return refused
    qof_year = year or year_in_name(label)
    if qof_year is None:
        return refuse(
            label,
            "its name does not say which QOF year it holds (e.g. 2019_20); give the year "
            "(2019 for 2019-20).",
        )
    is_long = cells.find(*LONG["group"]) is not None
    frame = _long(cells) if is_long else _wide(cells)
    layout = (
        "QOF prevalence, long (one row per practice and group)"
        if is_long
        else ("QOF registers, wide (one row per practice)")
    )
    facts = {"layout": layout, "year": f"{qof_year}-{(qof_year + 1) % 100:02d}"}
    warnings = []
    if frame is not None and not cells.total:
        if frame["list_type"].eq("").any():
            warnings.append(
                "The file does not say which ages each list size covers (no list type): the "
                "registers are kept with their ages unstated."
            )
        unknown = sorted(set(frame["group_code"]) - set(GROUPS))
        if unknown:
            warnings.append(
                f"Group code(s) not known here, kept as published: {', '.join(unknown)}."
            )
        facts["practices"] = int(frame["practice_code"].nunique())
        facts["groups"] = ", ".join(sorted(frame["group_code"].unique()))
        frame = frame.assign(year=qof_year)
    if frame is None:
        frame = pd.DataFrame(columns=[*OUTPUT, "year"])
    return cells.result(frame, warnings=warnings, facts=facts)


def _long(cells) -> pd.DataFrame | None:
    found = columns(cells, LONG, "a QOF prevalence file in NHS Digital's long layout")
    if found is None:
        return None
    cells.required(found.values())
    codes = cells.practice_codes(found["practice"])
    groups = cells.text(found["group"]).str.upper()
    list_types = cells.text(found["list_type"]).str.upper()
    for row, text in list_types[~list_types.str.fullmatch(LIST_TYPE.pattern)].items():
        cells.cell_error(
            row, found["list_type"], f"{text!r} is not a QOF list type (e.g. TOTAL, 18OV)."
        )
    frame = pd.DataFrame(
        {
            "practice_code": codes,
            "group_code": groups,
            "register": cells.whole(found["register"]),
            "list_size": cells.whole(found["list_size"]),
            "list_type": list_types,
        }
    )
    return _finish(cells, frame, found["register"], found["practice"])


def _wide(cells) -> pd.DataFrame | None:
    practice = cells.find("practice_code", "PRACTICE_CODE", "org_code")
    groups = [
        match.group(1)
        for column in cells.frame.columns
        if (match := WIDE_REGISTER.fullmatch(column))
    ]
    if practice is None or not groups:
        cells.error(
            f"{cells.label}: is not a QOF register file. It needs either NHS Digital's long layout "
            "(PRACTICE_CODE, GROUP_CODE, REGISTER, PATIENT_LIST_TYPE, PATIENT_LIST_SIZE) or a "
            "wide one (practice_code, then <group>_register and <group>_patient_list_size per "
            "group, e.g. dem_register, dem_patient_list_size)."
        )
        return None
    codes = cells.practice_codes(practice)
    parts = []
    for group in groups:
        register = cells.find(f"{group}_register")
        size = cells.find(f"{group}_patient_list_size", f"{group}_list_size")
        if size is None:
            cells.error(
                f"{cells.label}: missing column '{group}_patient_list_size' (beside {register!r})."
            )
            continue
        kind = cells.find(f"{group}_patient_list_type", f"{group}_list_type")
        part = pd.DataFrame(
            {
                "practice_code": codes,
                "group_code": group.upper(),
                "register": cells.whole(register),
                "list_size": cells.whole(size),
                "list_type": cells.text(kind).str.upper() if kind else "",
            }
        )
        _check_percent(cells, part, cells.find(f"{group}_prevalence_pct"))
        parts.append(part.assign(_column=register))
    if not parts:
        return None
    frame = pd.concat(parts)
    return _finish(cells, frame, "_column", practice, wide=True)


def _check_percent(cells, part: pd.DataFrame, column: str | None) -> None:
    if column is None:
        return
    stated = cells.number(column)
    shares = 100 * part["register"] / part["list_size"].where(part["list_size"] > 0)
    wrong = (stated - shares).abs() > PERCENT_TOLERANCE
    for row in part.index[wrong.fillna(False)]:
        cells.cell_error(
            row,
            column,
            f"{stated[row]} is not 100 × register ÷ list size ({shares[row]:.3f}); the columns "
            "do not belong together.",
        )


def _finish(
    cells, frame: pd.DataFrame, register_column: str, practice_column: str, *, wide: bool = False
) -> pd.DataFrame:
    over = frame["register"] > frame["list_size"]
    for row, part in frame[over].iterrows():
        column = part["_column"] if register_column == "_column" else register_column
        cells.cell_error(
            row,
            column,
            f"the register ({part['register']:.0f}) is larger than the list size "
            f"({part['list_size']:.0f}).",
        )
    if wide:  # one row per practice: a practice twice is one problem, not one per group
        first = frame[frame["group_code"] == frame["group_code"].iloc[0]]
        cells.duplicates(first[["practice_code"]], practice_column, "practice")
    else:
        keys = frame[["practice_code", "group_code"]]
        cells.duplicates(keys, practice_column, "practice and group")
    frame = frame.drop(columns=["_column"], errors="ignore")
    ages = frame["list_type"].map(ages_of)
    frame = frame.assign(
        condition=frame["group_code"].map(condition_of),
        age_min=ages.map(lambda pair: pair[0]),
        age_max=ages.map(lambda pair: pair[1]),
    )
    return frame[OUTPUT]
