"""Practices to places, and expected against recorded: the attribution rule on hand-worked
values, then the per-locality dementia diagnosis rate on the real Worcestershire files loaded
with the commands."""

import io

import pandas as pd
import pytest
from django.core.management import call_command

from needs import selectors as needs_selectors
from needs.locality_imports import DISTRICTS
from recorded import attribution as a
from recorded.comparisons import expected_against_recorded
from tests.recorded.test_recorded_imports import LSOA_HEADER, PRACTICES, QOF_LONG, rows_of
from tests.uploads.conftest import csv_bytes

LOOKUP = "lookup_lsoa21_msoa21_ward24_lad_icb.csv"


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


# --- the real county ---------------------------------------------------------------------------


def published_dementia_by_district() -> dict[str, int]:
    """The QOF 2019-20 dementia registers summed by the district of each practice's site, read
    from the published files with the csv module (the site's LSOA as the publisher placed it)."""
    practices = {row["org_code"]: row["lsoa21_code_pip"] for row in rows_of(PRACTICES)}
    district = {row["lsoa21_code"]: row["ltla24_name"] for row in rows_of(LOOKUP)}
    totals: dict[str, int] = {}
    for row in rows_of(QOF_LONG):
        lsoa = practices.get(row["PRACTICE_CODE"])
        if row["GROUP_CODE"] == "DEM" and lsoa in district:
            totals[district[lsoa]] = totals.get(district[lsoa], 0) + int(row["REGISTER"])
    return totals


@pytest.fixture
def districts(worcestershire, db):
    scheme = needs_selectors.default_locality_scheme()
    assert scheme.name == DISTRICTS
    return expected_against_recorded(scheme=scheme)


def test_the_dementia_register_per_district_is_the_published_registers_placed_by_site(districts):
    dementia = {row.unit_name: row for row in districts.rows if row.pairing.register == "dementia"}
    published = published_dementia_by_district()
    assert len(published) == 6
    for name, register in published.items():
        assert dementia[name].result.recorded == register, name
    assert dementia["Whole area"].result.recorded == sum(published.values())
    assert districts.rule.startswith("GP registers placed by practice site's LSOA (")
    assert "no patients-by-LSOA file is loaded" in districts.rule
    assert districts.year == 2019


def test_each_district_has_a_diagnosis_rate_with_its_interval_against_the_ambition(districts):
    dementia = [row for row in districts.rows if row.pairing.register == "dementia"]
    assert [row.unit_name for row in dementia][-1] == "Whole area"
    assert len(dementia) == 7
    for row in dementia:
        result = row.result
        assert result.rate == pytest.approx(result.recorded / result.expected)
        assert 0.3 < result.rate < 1.0  # registers are a share of those expected, not all
        assert result.lower < result.rate < result.upper and result.method == "Wilson"
        assert result.ambition == pytest.approx(0.667)
        below = result.upper < 0.667
        above = result.lower > 0.667
        assert result.verdict == ("below" if below else "above" if above else "in line")
        place = row.unit_name if row.unit_code else "the whole area"
        assert row.statement.startswith(f"In {place} an estimated")
        assert "are on GP dementia registers" in row.statement
    whole = dementia[-1].result
    assert whole.expected == pytest.approx(sum(row.result.expected for row in dementia[:-1]))


def test_smi_and_depression_registers_are_set_against_their_estimates(districts):
    kinds = {row.pairing.register for row in districts.rows}
    assert kinds == {"dementia", "smi", "depression"}
    assert any("learning disability" in note for note in districts.not_compared)
    smi = next(r for r in districts.rows if r.pairing.register == "smi" and not r.unit_code)
    assert smi.pairing.condition_code == "psychosis"
    assert smi.result.ambition is None and smi.result.verdict is None
    for row in districts.rows:  # registers above the estimate: a ratio with a Poisson interval
        if row.result.recorded > row.result.expected:
            assert row.result.method == "Poisson"
            assert "more than the estimate expects" in row.statement
    assert smi.result.rate > 1 and "can exceed 100%" in smi.pairing.caveat


def dementia_by_place(compared) -> dict[str, float]:
    rows = compared.rows
    return {r.unit_name: r.result.recorded for r in rows if r.pairing.register == "dementia"}


def test_a_patients_by_lsoa_file_moves_a_practice_register_to_where_its_patients_live(
    districts, tmp_path
):
    """M81001's site is in Redditch. Its patients: 600 in Redditch (E01032224), 300 in
    Bromsgrove (E01032122), 100 outside the county (E01009999): its dementia register is then
    shared .6 / .3 / .1, and the tenth outside is counted nowhere."""
    before = dementia_by_place(districts)
    register = next(
        int(row["REGISTER"])
        for row in rows_of(QOF_LONG)
        if row["PRACTICE_CODE"] == "M81001" and row["GROUP_CODE"] == "DEM"
    )
    rows = [LSOA_HEADER] + [
        ["Patients Registered at a GP Practice", "01OCT2023", "M81001", "PRACTICE", lsoa, "ALL", n]
        for lsoa, n in (("E01032224", 600), ("E01032122", 300), ("E01009999", 100))
    ]
    path = tmp_path / "gp-reg-pat-prac-lsoa-all.csv"
    path.write_bytes(csv_bytes(rows))
    call_command("import_practice_lsoa", str(path), stdout=io.StringIO())
    after = expected_against_recorded(scheme=needs_selectors.default_locality_scheme())
    moved = dementia_by_place(after)
    assert moved["Redditch"] == before["Redditch"] - round(0.4 * register)
    assert moved["Bromsgrove"] == before["Bromsgrove"] + round(0.3 * register)
    assert moved["Worcester"] == before["Worcester"]
    assert after.rule.startswith(
        "GP registers placed by registered patients' home LSOA (1 practice), else by practice "
        "site's LSOA ("
    )
