"""A comparator group's value for one indicator and period. Pure: pandas and numpy, no Django.

The group's aggregate is its areas' counts added up, as Fingertips aggregates a group of areas:
Σ numerators ÷ Σ denominators × the indicator's multiplier (per cent, per 100,000 …), read from
the rows themselves (every value the same multiple of numerator ÷ denominator, within 1%). An
indicator whose values are not such a ratio (age-standardised, modelled, scores) or an area
without counts cannot be aggregated: the group's range is given instead, and nothing is judged
against it.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

RATIO_TOLERANCE = 0.01


@dataclass(frozen=True)
class GroupValue:
    """The comparator group's value, or why there is none, with the group's range."""

    areas: tuple[str, ...]
    value: float | None  # the aggregate, None when the group cannot be aggregated
    lowest: float | None
    highest: float | None
    reason: str  # why there is no aggregate ("" when there is one)

    @property
    def words(self) -> str:
        count = f"{len(self.areas):,} area{'s' if len(self.areas) != 1 else ''}"
        listed = ", ".join(self.areas)
        if self.value is not None:
            return (
                f"Comparator group ({count}: {listed}): {self.value:,.1f}, the areas' numerators "
                "added up ÷ their denominators added up."
            )
        span = (
            f"its values range from {self.lowest:,.1f} to {self.highest:,.1f}"
            if self.lowest is not None
            else "it has no values"
        )
        return f"Comparator group ({count}: {listed}) cannot be aggregated ({self.reason}); {span}."


def group_value(rows: pd.DataFrame) -> GroupValue:
    """`rows`: area_code, value, numerator, denominator, one per comparator area."""
    areas = tuple(sorted(rows["area_code"]))
    values = rows["value"].dropna()
    lowest = float(values.min()) if len(values) else None
    highest = float(values.max()) if len(values) else None

    def cannot(reason: str) -> GroupValue:
        return GroupValue(areas, None, lowest, highest, reason)

    counts = rows[["value", "numerator", "denominator"]].astype(float)
    if counts.empty or counts.isna().any().any() or (counts["denominator"] <= 0).any():
        return cannot("not every area has a value, a numerator and a denominator")
    with_events = counts[counts["numerator"] > 0]
    ratio = with_events["value"] / (with_events["numerator"] / with_events["denominator"])
    if ratio.empty or not np.allclose(ratio, ratio.median(), rtol=RATIO_TOLERANCE):
        return cannot("the values are not one multiple of numerator ÷ denominator")
    multiplier = _neat(float(ratio.median()), ratio)
    value = multiplier * counts["numerator"].sum() / counts["denominator"].sum()
    return GroupValue(areas, float(value), lowest, highest, "")


def _neat(multiplier: float, ratio: pd.Series) -> float:
    """100 rather than 99.7 when every row allows it (a per cent, per 100,000 …)."""
    power = 10.0 ** round(np.log10(multiplier)) if multiplier > 0 else multiplier
    return power if np.allclose(ratio, power, rtol=RATIO_TOLERANCE) else multiplier
