"""Indicators loaded in the generic layout, each local area's latest value against England's and
against the comparator group's (recorded.comparator), as Fingertips compares a value with a
benchmark (needs.benchmarking): the benchmark against the local 95% and 99.8% intervals. The
file gives the 95% interval; the 99.8% one is derived from it (needs.prevalence_england). The
layout says nothing about which way is better, so the words are lower / similar / higher only.
"""

from dataclasses import dataclass

import pandas as pd

from needs import benchmarking as b
from needs.prevalence_england import against_from_95
from recorded import selectors
from recorded.comparator import GroupValue, group_value
from recorded.importers.indicators import HEALTH_INDEX, HEALTH_INDEX_SCORES
from recorded.models import ENGLAND_CODE

COLUMNS = ["Area", "Value (95% CI)", "England", "Against England", "Against the comparator group"]
COMPARATOR_LABEL = "the comparator group"
NOTE = (
    "Each area's value against England's and the comparator group's: similar when the "
    "benchmark lies within the area's 95% interval, otherwise lower or higher, said at 99.8% too "
    "(that interval is derived from the published 95% one). The comparator group is every area "
    "not loaded here whose rows the file carried. The layout does not say which way is better, "
    "so no value is called better or worse."
)


@dataclass(frozen=True)
class IndicatorRow:
    area_name: str
    value: float | None
    lower: float | None
    upper: float | None
    england: b.Benchmark
    england_value: float | None
    group: b.Benchmark | None

    @property
    def figure(self) -> str:
        if self.value is None:
            return "not published"
        if self.lower is None or self.upper is None:
            return f"{self.value:,.1f} (no interval)"
        return f"{self.value:,.1f} ({self.lower:,.1f} to {self.upper:,.1f})"

    @property
    def cells(self) -> list[str]:
        england = f"{self.england_value:,.1f}" if self.england_value is not None else "not loaded"
        group = self.group.words if self.group else "not compared: no group value"
        return [self.area_name, self.figure, england, _capital(self.england.words), group]


def benchmarks_context() -> dict:
    """Indicator groups (one per indicator: its latest period's local rows), or why there are
    none."""
    frame = selectors.generic_indicator_frame(exclude_sources=[HEALTH_INDEX, HEALTH_INDEX_SCORES])
    local = frame[frame["is_local"]] if not frame.empty else frame
    if local.empty:
        return {"indicators_unavailable": "No indicators in the generic layout are loaded."}
    groups = []
    for (source, indicator), rows in local.groupby(["source", "indicator"]):
        period = sorted(rows["period"])[-1]
        same = frame[
            (frame["source"] == source)
            & (frame["indicator"] == indicator)
            & (frame["period"] == period)
        ]
        groups.append(_group(str(indicator), str(period), same))
    return {
        "indicator_groups": groups,
        "comparator_label": COMPARATOR_LABEL,
        "indicator_note": NOTE,
    }


def _group(indicator: str, period: str, rows: pd.DataFrame) -> dict:
    england = rows.loc[rows["area_code"] == ENGLAND_CODE, "value"].dropna()
    england_value = float(england.iloc[0]) if len(england) else None
    comparators = rows[rows["is_comparator"].astype(bool)]
    group = group_value(comparators) if len(comparators) else None
    local = rows[rows["is_local"]].sort_values("area_name")
    return {
        "indicator": indicator,
        "period": period,
        "rows": [_row(row, england_value, group) for row in local.to_dict("records")],
        "group": group,
        "comparator_words": group.words if group else "No comparator group is loaded.",
    }


def _row(row: dict, england_value: float | None, group: GroupValue | None) -> IndicatorRow:
    value, lower, upper = (_number(row[name]) for name in ("value", "lower", "upper"))
    return IndicatorRow(
        area_name=str(row["area_name"]),
        value=value,
        lower=lower,
        upper=upper,
        england=against_from_95(value=value, lower=lower, upper=upper, comparator=england_value),
        england_value=england_value,
        group=(
            against_from_95(
                value=value,
                lower=lower,
                upper=upper,
                comparator=group.value,
                comparator_name=COMPARATOR_LABEL,
            )
            if group is not None and group.value is not None
            else None
        ),
    )


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
