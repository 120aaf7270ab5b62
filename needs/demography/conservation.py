"""Nobody is lost: residents counted in small areas, localities and the whole area agree.

Pure: no Django, no I/O. A run (and the need page) calls `residents_check` before it sums to
localities; a small area with residents that no locality holds, or one held by two, would make
the localities' figures disagree with the whole area's, so the run stops and says which.
"""

from dataclasses import dataclass

import pandas as pd

from needs.columns import AREA_CODE, COUNT, LOCALITY_CODE

# Residents are counts (some modelled, so fractional): totals agree to well under one person.
TOLERANCE = 0.5
MAX_LISTED = 20


class ResidentsLost(ValueError):
    """Residents would be lost or counted twice; the message names the small areas."""


@dataclass(frozen=True)
class Residents:
    total: float
    small_areas: int
    localities: int
    in_localities: float

    def sentence(self) -> str:
        """ "465,866 residents in 268 small areas, every one in a locality" (rounded)."""
        return (
            f"{self.total:,.0f} residents in {self.small_areas:,} small areas, every one in a "
            f"locality ({self.localities:,} localities)"
        )

    def as_dict(self) -> dict[str, float | int | str]:
        return vars(self) | {"sentence": self.sentence()}


def _listed(codes: list[str]) -> str:
    more = f" and {len(codes) - MAX_LISTED:,} more" if len(codes) > MAX_LISTED else ""
    return ", ".join(codes[:MAX_LISTED]) + more


def residents_check(
    population: pd.DataFrame, membership: pd.DataFrame, *, scheme: str
) -> Residents:
    """`population`: area_code, count (any breakdown: rows are summed per small area).
    `membership`: area_code, locality_code. Returns the counts at each level; raises
    ResidentsLost if a small area with residents is in no locality or in more than one."""
    by_area = population.groupby(AREA_CODE)[COUNT].sum()
    homes = membership.groupby(AREA_CODE)[LOCALITY_CODE].nunique()
    twice = sorted(homes[homes > 1].index.intersection(by_area.index))
    if twice:
        raise ResidentsLost(
            f"{len(twice):,} small area(s) are in more than one locality of {scheme!r}, so their "
            f"residents would be counted twice: {_listed(twice)}. Fix the scheme and run again."
        )
    outside = by_area[~by_area.index.isin(homes.index) & (by_area > 0)]
    if len(outside):
        raise ResidentsLost(
            f"{outside.sum():,.0f} residents in {len(outside):,} small area(s) are in no "
            f"locality of {scheme!r}: {_listed(sorted(outside.index))}. Choose a scheme that "
            "covers every small area, or upload one that does, and run again."
        )
    # After the two checks above every resident is in exactly one locality: the sums agree.
    in_localities = float(by_area[by_area.index.isin(homes.index)].sum())
    total = float(by_area.sum())
    localities = int(
        membership.loc[membership[AREA_CODE].isin(by_area.index), LOCALITY_CODE].nunique()
    )
    return Residents(
        total=total,
        small_areas=len(by_area),
        localities=localities,
        in_localities=in_localities,
    )


def totals_agree(small: float, localities: float, whole: float) -> bool:
    """The same people counted three ways agree (to TOLERANCE)."""
    return abs(small - localities) <= TOLERANCE and abs(small - whole) <= TOLERANCE
