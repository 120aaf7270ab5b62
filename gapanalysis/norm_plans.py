"""How each norm of a run reads the capacity loaded: the services it counts, the factor that
turns each unit into its measure (a turnover for a caseload, else 1), what it leaves out, and
why it cannot be computed; and what the run pins about it (docs/methods/norms.md)."""

from dataclasses import dataclass

import pandas as pd

from gapanalysis import compute, norm_measures
from gapanalysis import selectors as gap_selectors
from gapanalysis.models import Norm, ServiceTurnover
from needs import columns as c
from provision import selectors as provision_selectors
from provision.models import SERVICE_TYPES, CapacityUnit


@dataclass
class NormPlan:
    """How one norm reads the capacity loaded: the services it counts, each unit's factor (a
    turnover for a caseload, else 1), the services of its types left out, and why it cannot be
    computed ("" when it can)."""

    tagged: pd.DataFrame
    turnovers: dict[str, ServiceTurnover]
    left_out: list[str]
    reason: str


def norm_plans(norms: list[Norm], financial_year: str) -> dict[str, NormPlan]:
    turnovers = gap_selectors.turnovers()
    return {norm.code: _norm_plan(norm, financial_year, turnovers) for norm in norms}


def _norm_plan(norm: Norm, financial_year: str, turnovers: dict[str, ServiceTurnover]) -> NormPlan:
    frames, used, lacking, left_out = [], {}, [], []
    for service_type in norm.service_types:  # a handful of types and units per norm
        label = SERVICE_TYPES.get(service_type, (service_type,))[0]
        counted = 0
        for unit in norm.capacity_units:
            found = provision_selectors.services_frame(
                financial_year=financial_year, service_type=service_type, capacity_unit=unit
            )
            counted += len(found)
            factor = 1.0
            if norm_measures.needs_turnover(measure=norm.measure, unit=unit) and len(found):
                turnover = turnovers.get(service_type)
                if turnover is None:
                    lacking.append(label)
                    continue
                used[service_type], factor = turnover, turnover.people_per_place
            frames.append(found.assign(capacity_unit=unit, **{compute.CAPACITY_FACTOR: factor}))
        every = provision_selectors.services_frame(
            financial_year=financial_year, service_type=service_type
        )
        if len(every) > counted:
            left_out.append(
                f"{len(every) - counted} {label} service(s) in other capacity units were not "
                f"counted: this norm reads only {units_text(norm.capacity_units)}"
            )
    reason = norm_measures.reason_not_computed(
        measure=norm.measure, condition_name=norm.condition.name, types_without_turnover=lacking
    )
    frames = [frame for frame in frames if not frame.empty]
    tagged = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return NormPlan(tagged=tagged, turnovers=used, left_out=left_out, reason=reason)


def units_text(units: list[str]) -> str:
    labels = dict(CapacityUnit.choices)
    return " or ".join(labels.get(unit, unit) for unit in units) or "no capacity unit"


def measures_pinned(norms: list[Norm], plans: dict[str, NormPlan], services: pd.DataFrame) -> dict:
    """Per norm: what it measures, its ages, and each caseload turned into people seen a year."""
    counted = set(services[c.SERVICE_CODE]) if not services.empty else set()
    pinned = {}
    for norm in norms:
        plan = plans[norm.code]
        pinned[norm.code] = {
            "name": norm.name,
            "measure": norm.measure_label,
            "ages": norm.ages_label,
            "units": units_text(norm.capacity_units),
            "conversions": _conversions(norm, plan, counted),
            "left_out": plan.left_out,
        }
    return pinned


def _conversions(norm: Norm, plan: NormPlan, counted: set[str]) -> list[str]:
    if plan.tagged.empty:
        return []
    tagged = plan.tagged[plan.tagged[c.SERVICE_CODE].isin(counted)]
    sentences = []
    for service_type, turnover in sorted(plan.turnovers.items()):
        own = tagged[
            (tagged["service_type"] == service_type)
            & (tagged["capacity_unit"] == norm_measures.CASELOAD)
        ]
        who = turnover.set_by.get_username() if turnover.set_by else "an analyst"
        sentences.append(
            norm_measures.conversion_sentence(
                places=float(own[c.CAPACITY].sum()),
                turnover=turnover.people_per_place,
                counted_as=norm.counted_as,
                service_label=SERVICE_TYPES.get(service_type, (service_type,))[0],
                who=f"set by {who} on {turnover.updated_at:%-d %B %Y}: {turnover.source}",
            )
        )
    return sentences
