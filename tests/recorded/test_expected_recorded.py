"""Practices to places, and expected against recorded: the attribution rule on hand-worked
values, then the per-locality dementia diagnosis rate on the real Worcestershire files loaded
with the commands."""

import pandas as pd
import pytest

from recorded import attribution as a


def frame(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records(rows, columns=columns)


REGISTERS = frame(
    [("P1", "dementia", 100, 10_000), ("P2", "dementia", 30, 3_000), ("P3", "dementia", 7, 900)],
    [a.PRACTICE_CODE, "condition", a.REGISTER, a.LIST_SIZE],
)
SITES = frame([("P1", "L1"), ("P2", "L3"), ("P3", "")], [a.PRACTICE_CODE, a.AREA_CODE])
NO_PATIENTS = frame([], [a.PRACTICE_CODE, a.AREA_CODE, a.PATIENTS])


def by_area(attributed: a.Attributed) -> dict[str, float]:
    return attributed.registers.groupby(a.AREA_CODE)[a.REGISTER].sum().round(6).to_dict()


def test_without_patients_by_lsoa_each_practice_counts_where_its_site_is():
    attributed = a.attribute_registers(REGISTERS, NO_PATIENTS, SITES)
    assert by_area(attributed) == {"L1": 100.0, "L3": 30.0}
    assert set(attributed.registers[a.RULE]) == {a.RULE_SITE}
    assert attributed.left_out == ["P3"]  # its site is outside the loaded areas
    assert attributed.rule == (
        "GP registers placed by practice site's LSOA (2 practices): no patients-by-LSOA file is "
        "loaded, so each practice counts where its site is. 1 practice(s) with neither, left "
        "out: P3."
    )


def test_patients_by_lsoa_share_a_register_and_people_outside_take_their_share_away():
    # P1: 600 patients in L1, 300 in L2, 100 outside the loaded areas (""): shares .6/.3/.1.
    patients = frame(
        [("P1", "L1", 600), ("P1", "L2", 300), ("P1", "", 100)],
        [a.PRACTICE_CODE, a.AREA_CODE, a.PATIENTS],
    )
    attributed = a.attribute_registers(REGISTERS, patients, SITES)
    # P1's 100: 60 to L1, 30 to L2, 10 outside (counted nowhere); P2 by its site (L3).
    assert by_area(attributed) == {"L1": 60.0, "L2": 30.0, "L3": 30.0}
    lists = attributed.registers.groupby(a.AREA_CODE)[a.LIST_SIZE].sum().to_dict()
    assert lists["L1"] == pytest.approx(6_000) and lists["L2"] == pytest.approx(3_000)
    rules = attributed.registers.groupby(a.PRACTICE_CODE)[a.RULE].first().to_dict()
    assert rules == {"P1": a.RULE_PATIENTS, "P2": a.RULE_SITE}
    assert attributed.rule.startswith(
        "GP registers placed by registered patients' home LSOA (1 practice), else by practice "
        "site's LSOA (1 practice)."
    )


def test_nothing_placed_says_so():
    attributed = a.attribute_registers(
        REGISTERS, NO_PATIENTS, frame([], [a.PRACTICE_CODE, a.AREA_CODE])
    )
    assert attributed.registers.empty
    assert attributed.rule.startswith("No GP register could be placed")
