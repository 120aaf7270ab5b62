"""What each norm measures, which capacity units can stand for it, and when it cannot be computed.

Pure: no Django. A norm compares a count of people a year (or a count of people diagnosed) with
the estimated prevalence in the ages it counts. Capacity is read as that count only where its unit
means the same thing; a caseload (places held at one time) becomes people seen a year only
through a turnover per service type that an analyst has set and can see. Anything else is not
computed, and the norm says why (docs/methods/norms.md).
"""

from dataclasses import dataclass

ENTERING_TREATMENT = "entering_treatment_per_year"
SEEN = "seen_per_year"
DIAGNOSED_SHARE = "diagnosed_share"
NEW_CASES = "new_cases_per_year"
CASELOAD = "caseload_places"


@dataclass(frozen=True)
class Measure:
    """One kind of norm: what it counts, and the capacity units that can be read as that count."""

    label: str  # what the norm measures, as the norms page says it
    counted_as: str  # what accepted capacity becomes: "people seen a year"
    direct_units: tuple[str, ...]  # units that are this count already
    turnover_units: tuple[str, ...] = ()  # units that become it through a service's turnover
    missing: str = ""  # data no capacity can give: the norm is not computed without it


MEASURES: dict[str, Measure] = {
    ENTERING_TREATMENT: Measure(
        label="people entering treatment a year as a share of prevalence",
        counted_as="people entering treatment a year",
        direct_units=("courses_per_year",),
    ),
    SEEN: Measure(
        label="people seen a year as a share of prevalence",
        counted_as="people seen a year",
        # A course of treatment started in the year is a person seen in the year.
        direct_units=("courses_per_year",),
        turnover_units=(CASELOAD,),
    ),
    DIAGNOSED_SHARE: Measure(
        label="people with a diagnosis as a share of prevalence",
        counted_as="people with a diagnosis",
        direct_units=(),
        missing=(
            "needs the number of people with a diagnosis on GP registers (QOF), which is not "
            "loaded: the diagnosis rate is people on the registers ÷ estimated prevalence, and "
            "no service's capacity measures it"
        ),
    ),
    NEW_CASES: Measure(
        label="assessments a year as a share of expected new cases a year",
        counted_as="assessments a year",
        direct_units=("referrals_per_year",),
        missing=(
            "needs incidence rates (new cases a year) by age and sex for {condition} (for "
            "dementia e.g. CFAS II incidence, Matthews et al. 2016): load them as a rates file "
            "with measure incidence. Only prevalence rates can be loaded today, and prevalence "
            "(everyone living with the condition) is not the number of new cases a year"
        ),
    ),
}
MEASURE_CHOICES = [(code, measure.label) for code, measure in MEASURES.items()]


def accepted_units(measure: str) -> tuple[str, ...]:
    """Every capacity unit the measure can read, directly or through a turnover."""
    known = MEASURES[measure]
    return known.direct_units + known.turnover_units


def units_refused(*, measure: str, units: list[str]) -> list[str]:
    """The units among `units` that cannot be read as this measure (to refuse a norm)."""
    return [unit for unit in units if unit not in accepted_units(measure)]


def needs_turnover(*, measure: str, unit: str) -> bool:
    return unit in MEASURES[measure].turnover_units


def reason_not_computed(
    *, measure: str, condition_name: str, types_without_turnover: list[str]
) -> str:
    """Why a norm cannot be computed from what is loaded, or "" when it can.

    `types_without_turnover`: the service types (labels) whose caseload the norm would count but
    that have no turnover set.
    """
    missing = MEASURES[measure].missing
    if missing:
        return "Not computed: it " + missing.format(condition=condition_name.lower()) + "."
    if types_without_turnover:
        return (
            "Not computed: its capacity includes caseload places of "
            + ", ".join(types_without_turnover)
            + ", and no turnover (people seen a year per caseload place) is set for "
            + ("that service type" if len(types_without_turnover) == 1 else "those service types")
            + ". Set it on the Turnover page, with its source, and run the analysis again."
        )
    return ""


def conversion_sentence(
    *, places: float, turnover: float, counted_as: str, service_label: str, who: str
) -> str:
    """'Caseload 120 places × turnover 2.0 a year = 240 people seen a year (…, set by …)'."""
    return (
        f"{service_label}: caseload {places:,.0f} places × turnover {turnover:g} a year = "
        f"{places * turnover:,.0f} {counted_as} (turnover {who})"
    )
