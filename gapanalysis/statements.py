"""Unmet-need statements in plain English, ready to paste into the JSNA. Pure: no Django.

One statement per locality × norm where provision is below need, grouped by ambition and sharpest
first within each. Each gives the figure, its interval in words, the measure, the ambition and the
gap, rounded by the one rule every output uses (`needs.rounding`), with small numbers suppressed.
Sources are numbered references listed once, not repeated inline. Each ambition has a one-line
headline, and the summary leads with the whole area and the largest gaps — in people and in share.
"""

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from needs import rounding

UNMET = ("well_below", "below")
SUMMARY_TOP = 3  # the largest gaps in people and the sharpest in share the summary names


@dataclass(frozen=True)
class NormWords:
    """How a norm is spoken of: 'adults', 'NHS Talking Therapies capacity', 'seen', …"""

    condition_name: str
    people_label: str
    capacity_label: str
    unit_label: str
    action: str
    share: float
    sources: str  # "; "-separated: each becomes one numbered reference
    name: str = ""  # the ambition's name, for headlines and the summary


def people(value: float, *, suppress_below: int) -> str:
    return rounding.people_or_fewer(value, suppress_below=suppress_below)


def references(words: dict[str, NormWords]) -> list[str]:
    """Every source once, in the order the ambitions first cite them: reference 1, 2, …"""
    seen: dict[str, None] = {}
    for word in words.values():
        for source in _sources(word):
            seen.setdefault(source, None)
    return list(seen)


def _sources(words: NormWords) -> list[str]:
    return [part.strip() for part in words.sources.split(";") if part.strip()]


def _cite(words: NormWords, numbered: list[str]) -> str:
    numbers = sorted({numbered.index(source) + 1 for source in _sources(words)})
    return f"[{', '.join(map(str, numbers))}]" if numbers else ""


def statement(
    row: pd.Series, words: NormWords, *, suppress_below: int, numbered: list[str] | None = None
) -> str:
    cases = people(row["expected_cases"], suppress_below=suppress_below)
    interval = _interval(row, suppress_below)
    reach = (
        "none of them"
        if row["capacity"] <= 0
        else f"{rounding.share(row['coverage_ratio'])} of them"
    )
    gap = people(row["gap_people"], suppress_below=suppress_below)
    cite = _cite(words, numbered if numbered is not None else references({"": words}))
    return (
        f"In {row['unit_name']} an estimated {cases} {words.people_label} ({interval}) have "
        f"{_condition(words.condition_name)}. {words.capacity_label} of "
        f"{people(row['capacity'], suppress_below=suppress_below)} {words.unit_label} reaches "
        f"{reach} against an ambition of {rounding.share(words.share)}: about {gap} more a year "
        f"{words.action}." + (f" {cite}" if cite else "")
    )


def _condition(name: str) -> str:
    # "Dementia (65 and over)" → "dementia": the people label already says who.
    name = re.sub(r"\s*\([^)]*\)$", "", name)
    lowered = name[0].lower() + name[1:]
    return f"a {lowered}" if not lowered.startswith(("any", "dementia", "early")) else lowered


def _interval(row: pd.Series, suppress_below: int) -> str:
    text = rounding.between(
        row.get("expected_lower"), row.get("expected_upper"), suppress_below=suppress_below
    )
    return f"95% interval: {text}" if text else "no interval could be given for the rates used"


def _ranked(unmet: pd.DataFrame) -> pd.DataFrame:
    """Sharpest first within each ambition; units the figures cannot tell apart share a rank."""
    keyed = unmet.assign(
        _share=np.round(unmet["ambition_ratio"].to_numpy(float), 2),
        _gap=[-rounding.people_value(v) for v in unmet["gap_people"].to_numpy(float)],
    ).sort_values(["norm_code", "_share", "_gap", "unit_name"], kind="stable")
    ranks: list[int] = []
    previous: tuple | None = None
    for position, key in enumerate(
        zip(keyed["norm_code"], keyed["_share"], keyed["_gap"], strict=True)
    ):
        same_norm = previous is not None and previous[0] == key[0]
        if not same_norm:
            first = position
        ranks.append(ranks[-1] if same_norm and previous == key else position - first + 1)
        previous = key
    return keyed.assign(rank=ranks).drop(columns=["_share", "_gap"])


def unmet_need_statements(
    table: pd.DataFrame,
    words: dict[str, NormWords],
    *,
    suppress_below: int,
    numbered: list[str] | None = None,
) -> pd.DataFrame:
    """norm_code, unit_code, unit_name, rank, text for every unit whose provision is below need.

    `table`: locality rows of the gap table (with classification, ambition_ratio, gap_people).
    Grouped by ambition in the order of `words`; within each, the lowest share of the ambition
    first, then the largest gap; ties (the same shown share and gap) share a rank.
    """
    numbered = numbered if numbered is not None else references(words)
    unmet = table[table["classification"].isin(UNMET)]
    order = {code: i for i, code in enumerate(words)}
    ranked = _ranked(unmet)
    ranked = ranked.iloc[
        np.lexsort((ranked["rank"].to_numpy(), ranked["norm_code"].map(order).to_numpy()))
    ]
    texts = [
        statement(row, words[row["norm_code"]], suppress_below=suppress_below, numbered=numbered)
        for _, row in ranked.iterrows()
    ]
    return ranked[["norm_code", "unit_code", "unit_name", "rank"]].assign(text=texts)


def headlines(
    table: pd.DataFrame, words: dict[str, NormWords], *, suppress_below: int
) -> dict[str, str]:
    """One line per ambition: how many localities fall short, and where the gap is largest."""
    lines = {}
    for code, word in words.items():
        rows = table[table["norm_code"] == code]
        unmet = rows[rows["classification"].isin(UNMET)]
        name = word.name or word.capacity_label
        if unmet.empty:
            lines[code] = f"{name}: no locality is below the ambition."
            continue
        largest = unmet.loc[unmet["gap_people"].idxmax()]
        gap = people(largest["gap_people"], suppress_below=suppress_below)
        lines[code] = (
            f"{name}: provision is below the ambition in {len(unmet)} of {len(rows)} "
            f"localit{'y' if len(rows) == 1 else 'ies'}; the largest gap is about {gap} "
            f"{word.people_label} a year, in {largest['unit_name']}."
        )
    return lines


def summary(
    localities: pd.DataFrame,
    whole: pd.DataFrame,
    words: dict[str, NormWords],
    *,
    place: str,
    suppress_below: int,
) -> list[str]:
    """The chapter's opening: the whole area per ambition, then the largest and sharpest gaps.

    `whole`: whole-area rows of the gap table (one per norm). Each line says something the
    statements do not repeat word for word.
    """
    lines = []
    for code, word in words.items():
        rows = whole[whole["norm_code"] == code]
        if rows.empty:
            continue
        row = rows.iloc[0]
        reach = (
            "none of them"
            if row["capacity"] <= 0
            else f"{rounding.share(row['coverage_ratio'])} of them"
        )
        lines.append(
            f"{word.name or word.capacity_label}: across {place}, an estimated "
            f"{people(row['expected_cases'], suppress_below=suppress_below)} "
            f"{word.people_label} have {_condition(word.condition_name)}; provision reaches "
            f"{reach} against an ambition of {rounding.share(word.share)}"
            + (
                f", about {people(row['gap_people'], suppress_below=suppress_below)} a year short."
                if row["gap_people"] > 0
                else "."
            )
        )
    unmet = localities[localities["classification"].isin(UNMET)]
    if unmet.empty:
        return [*lines, "No locality has provision below need for any ambition."]
    largest = unmet.sort_values("gap_people", ascending=False).head(SUMMARY_TOP)
    sharpest = unmet.sort_values("ambition_ratio").head(SUMMARY_TOP)
    lines.append(
        "Largest gaps in people: "
        + "; ".join(
            f"{r['unit_name']}, {_short(words, r)}: about "
            f"{people(r['gap_people'], suppress_below=suppress_below)} a year"
            for _, r in largest.iterrows()
        )
        + "."
    )
    lines.append(
        "Sharpest gaps in share of the ambition: "
        + "; ".join(
            f"{r['unit_name']}, {_short(words, r)}: {rounding.share(r['ambition_ratio'])} of it"
            for _, r in sharpest.iterrows()
        )
        + "."
    )
    return lines


def _short(words: dict[str, NormWords], row: pd.Series) -> str:
    word = words[row["norm_code"]]
    return (word.name or word.capacity_label).split(":")[0]
