"""Practices to places: GP registers attributed to small areas. Pure: pandas, no Django, no I/O.

A practice's register is shared among the LSOAs its registered patients live in, in proportion to
those patients (NHS Digital's patients-by-LSOA file), when that file has the practice; otherwise it
is put wholly in the LSOA the practice's site lies in. Patients living outside the loaded small
areas take their share of the register with them: it is counted nowhere locally, never pushed back
onto the local areas. A practice with neither (no patients-by-LSOA rows and a site outside the
loaded areas) is left out and named.
"""

from dataclasses import dataclass

import pandas as pd

RULE_PATIENTS = "registered patients' home LSOA"
RULE_SITE = "practice site's LSOA"

PRACTICE_CODE, AREA_CODE, PATIENTS = "practice_code", "area_code", "patients"
REGISTER, LIST_SIZE, SHARE, RULE = "register", "list_size", "share", "rule"


@dataclass(frozen=True)
class Attributed:
    """Registers (and list sizes) per small area and condition, with the rule behind each row."""

    registers: pd.DataFrame  # practice_code, area_code, condition, register, list_size, share, rule
    left_out: list[str]  # practices with neither patients by LSOA nor a site in the loaded areas

    @property
    def rule(self) -> str:
        """The rule in one sentence, saying how many practices each half of it covers."""
        return attribution_rule(self.registers, self.left_out)


def practice_shares(patients: pd.DataFrame, sites: pd.DataFrame) -> pd.DataFrame:
    """Each practice's share in each small area, and the rule that gave it.

    `patients`: practice_code, area_code (empty where the patient lives outside the loaded areas),
    patients. `sites`: practice_code, area_code (empty when the site is outside them).
    Returns practice_code, area_code, share, rule; a practice's shares sum to 1 less the share of
    its patients living outside the loaded areas.
    """
    counted = patients.groupby(PRACTICE_CODE)[PATIENTS].transform("sum")
    by_patients = patients.assign(**{SHARE: patients[PATIENTS] / counted})
    by_patients = by_patients[by_patients[AREA_CODE].notna() & (by_patients[AREA_CODE] != "")]
    by_patients = by_patients.groupby([PRACTICE_CODE, AREA_CODE], as_index=False)[SHARE].sum()
    with_patients = set(patients.loc[counted > 0, PRACTICE_CODE])
    by_site = sites[~sites[PRACTICE_CODE].isin(with_patients)]
    by_site = by_site[by_site[AREA_CODE].notna() & (by_site[AREA_CODE] != "")]
    by_site = by_site[[PRACTICE_CODE, AREA_CODE]].assign(**{SHARE: 1.0})
    return pd.concat(
        [by_patients.assign(**{RULE: RULE_PATIENTS}), by_site.assign(**{RULE: RULE_SITE})],
        ignore_index=True,
    )


def attribute_registers(
    registers: pd.DataFrame, patients: pd.DataFrame, sites: pd.DataFrame
) -> Attributed:
    """Registers shared to small areas by `practice_shares`.

    `registers`: practice_code, condition, register, list_size. Returns the registers per
    practice × small area × condition (fractions of people: sum them before rounding).
    """
    shares = practice_shares(patients, sites)
    joined = registers.merge(shares, on=PRACTICE_CODE, how="inner")
    for column in (REGISTER, LIST_SIZE):
        joined[column] = joined[column].astype(float) * joined[SHARE]
    left_out = sorted(set(registers[PRACTICE_CODE]) - set(shares[PRACTICE_CODE]))
    return Attributed(registers=joined.reset_index(drop=True), left_out=left_out)


def attribution_rule(registers: pd.DataFrame, left_out: list[str]) -> str:
    """ "GP registers placed by registered patients' home LSOA (58 practices), else by the
    practice site's LSOA (2 practices)…": said on every output that uses the registers."""
    counts = registers.groupby(RULE)[PRACTICE_CODE].nunique().to_dict()
    parts = [
        f"{rule} ({counts[rule]:,} practice{'s' if counts[rule] != 1 else ''})"
        for rule in (RULE_PATIENTS, RULE_SITE)
        if counts.get(rule)
    ]
    if not parts:
        return "No GP register could be placed in the loaded small areas."
    text = "GP registers placed by " + ", else by ".join(parts)
    if RULE_PATIENTS not in counts:
        text += ": no patients-by-LSOA file is loaded, so each practice counts where its site is"
    text += "."
    if left_out:
        shown = ", ".join(left_out[:5]) + (" …" if len(left_out) > 5 else "")
        text += f" {len(left_out):,} practice(s) with neither, left out: {shown}."
    return text
