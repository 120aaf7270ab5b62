"""Expected against recorded, per locality and for the whole area: GP registers (placed in small
areas by recorded.attribution) against the need estimates for the same places
(needs.prevalence.estimates), through needs.recorded.recorded_against_expected."""

from dataclasses import dataclass, field

import pandas as pd

from needs import columns as c
from needs import recorded as r
from needs import selectors as needs_selectors
from needs.models import Condition, LocalityScheme
from needs.prevalence.estimates import NeedEstimates, NeedUnavailable, need_estimates
from recorded import attribution as a
from recorded import selectors

WHOLE_AREA = "Whole area"


@dataclass(frozen=True)
class Pairing:
    """A GP register and the estimate it is set against, with what the reader must know."""

    register: str  # QofRegister.condition
    condition_code: str  # Condition.code of the estimate
    title: str
    words: r.RegisterWords
    ambition: float | None
    caveat: str


PAIRINGS = (
    Pairing(
        "dementia",
        "dementia",
        "Dementia diagnosis rate",
        r.DEMENTIA,
        r.DEMENTIA_AMBITION,
        "QOF dementia registers count people of all ages, and do not say how many are aged 65 "
        "and over; the estimate is of people aged 65 and over. The rate here is therefore a "
        "little higher than NHS England's diagnosis rate, which counts people aged 65 and over "
        "only.",
    ),
    Pairing(
        "smi",
        "psychosis",
        "Serious mental illness register against expected psychosis",
        r.PSYCHOSIS,
        None,
        "The register counts people of all ages ever diagnosed with schizophrenia, bipolar "
        "disorder or another psychosis (unless in remission); the estimate is adults with a "
        "psychotic disorder in the past year. They measure different things, so the share can "
        "exceed 100%.",
    ),
    Pairing(
        "depression",
        "cmd_depression",
        "Depression register against expected depressive episode",
        r.DEPRESSION,
        None,
        "The register counts adults with depression recorded at any time since April 2006; the "
        "estimate is adults with a depressive episode in the past week. The register is "
        "expected to be larger.",
    ),
    Pairing(
        "learning_disability",
        "learning_disability",
        "Learning disability register against expected learning disability",
        r.LEARNING_DISABILITY,
        None,
        "",
    ),
)


@dataclass(frozen=True)
class RecordedRow:
    pairing: Pairing
    unit_code: str
    unit_name: str
    result: r.RecordedAgainstExpected
    statement: str


@dataclass(frozen=True)
class ExpectedAgainstRecorded:
    year: int  # the QOF year (2019 = 2019-20)
    population_year: int
    rows: list[RecordedRow]
    rule: str  # the practices-to-places rule, said wherever the rows are shown
    not_compared: list[str] = field(default_factory=list)  # pairings without an estimate


def expected_against_recorded(
    *, scheme: LocalityScheme, year: int | None = None
) -> ExpectedAgainstRecorded | None:
    """Each register against its estimate, per locality of `scheme` then the whole area, for one
    QOF year (the latest when None). None when no register is loaded."""
    years = selectors.qof_years()
    if not years:
        return None
    year = year or years[-1]
    conditions, usable = _usable()
    not_compared = [
        f"{p.words.register.removeprefix('are on ')}: no prevalence rate for this condition is "
        "loaded, so there is no expected number to set the register against."
        for p in PAIRINGS
        if p not in usable
    ]
    attributed = selectors.attributed_registers(year=year, conditions=[p.register for p in usable])
    estimates = need_estimates(
        year=None, scheme=scheme, conditions=[conditions[p.condition_code] for p in usable]
    )
    membership = needs_selectors.locality_membership_frame(scheme=scheme)
    placed = attributed.registers.merge(membership, on=c.AREA_CODE, how="inner")
    rows = []
    for pairing in usable:
        rows += _rows(pairing, placed, estimates)
    return ExpectedAgainstRecorded(
        year=year,
        population_year=estimates.year,
        rows=rows,
        rule=attributed.rule,
        not_compared=not_compared,
    )


def _usable() -> tuple[dict[str, Condition], list[Pairing]]:
    """The catalogue's conditions by code, and the pairings whose condition has rates."""
    conditions = {
        condition.code: condition
        for condition in Condition.objects.filter(
            code__in=[pairing.condition_code for pairing in PAIRINGS]
        )
    }
    usable = [p for p in PAIRINGS if p.condition_code in conditions]
    with_rates = _with_rates([conditions[p.condition_code] for p in usable])
    return conditions, [p for p in usable if p.condition_code in with_rates]


NO_REGISTERS = "No GP registers (QOF) are loaded, so no register is placed in small areas."


def register_rule(*, year: int | None = None) -> str:
    """The practices-to-places sentence the registers are placed by now (as the outcomes page
    and the chapter say it), for an analysis run to record: patients' home LSOA where the
    patients-by-LSOA file is loaded, else the practice's site."""
    years = selectors.qof_years()
    if not years:
        return NO_REGISTERS
    _, usable = _usable()
    registers = [p.register for p in usable]
    return selectors.attributed_registers(year=year or years[-1], conditions=registers).rule


def _with_rates(conditions: list[Condition]) -> set[str]:
    loaded = {condition.code for condition in needs_selectors.conditions_with_rates()}
    return loaded & {condition.code for condition in conditions}


def _rows(pairing: Pairing, placed: pd.DataFrame, estimates: NeedEstimates) -> list[RecordedRow]:
    ours = placed[placed["condition"] == pairing.register]
    by_locality = ours.groupby([c.LOCALITY_CODE, c.LOCALITY_NAME])[a.REGISTER].sum()
    localities = estimates.localities
    localities = localities[localities[c.CONDITION_CODE] == pairing.condition_code]
    rows = []
    for estimate in localities.sort_values(c.LOCALITY_NAME).to_dict("records"):
        key = (estimate[c.LOCALITY_CODE], estimate[c.LOCALITY_NAME])
        recorded = float(by_locality.get(key, 0.0))
        rows.append(_row(pairing, key[0], key[1], recorded, estimate))
    whole = estimates.whole_area
    whole = whole[whole[c.CONDITION_CODE] == pairing.condition_code].to_dict("records")
    if whole:
        rows.append(_row(pairing, "", WHOLE_AREA, float(ours[a.REGISTER].sum()), whole[0]))
    return rows


def _bound(value: object) -> float | None:
    return None if pd.isna(value) else float(value)


def _row(pairing: Pairing, code: str, name: str, recorded: float, estimate: dict) -> RecordedRow:
    result = r.recorded_against_expected(
        recorded=round(recorded),
        expected=float(estimate[c.EXPECTED_CASES]),
        expected_lower=_bound(estimate[c.EXPECTED_LOWER]),
        expected_upper=_bound(estimate[c.EXPECTED_UPPER]),
        ambition=pairing.ambition,
    )
    place = "the whole area" if name == WHOLE_AREA else name
    return RecordedRow(
        pairing=pairing,
        unit_code=code,
        unit_name=name,
        result=result,
        statement=r.statement(result, pairing.words, place=place),
    )


__all__ = ["ExpectedAgainstRecorded", "NeedUnavailable", "RecordedRow", "expected_against_recorded"]
