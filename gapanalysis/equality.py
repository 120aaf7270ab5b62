"""Need by group for one norm: by sex, by age band and by deprivation fifth. Pure: no Django.

Each breakdown splits the same whole (the people the norm counts, in its ages), so every table
adds up to the whole-area figures. Coverage by group is not computed here: sharing capacity
between groups by their population would make a group with more need look worse served by
construction. Coverage by group needs service-use data by group (people seen, by sex, age and
deprivation), and none is loaded.
"""

import numpy as np
import pandas as pd

from needs.columns import EXPECTED_CASES, POPULATION

GROUP_TYPE = "group_type"
GROUP = "group"
SEX = "sex"
AGE_BAND = "age band"
DEPRIVATION = "deprivation fifth"
GROUP_TYPES = (SEX, AGE_BAND, DEPRIVATION)
SEX_NAMES = ("Women and girls", "Men and boys")
# Bands that keep children's services' own ages (under 5, 5–10, 11–15, 16–17) apart from adults'.
AGE_BANDS = (
    (0, 4), (5, 10), (11, 15), (16, 17), (18, 24), (25, 34), (35, 44), (45, 54), (55, 64),
    (65, 74), (75, 84), (85, 90),
)  # fmt: skip
OLDEST = 90  # single years of age run 0..90, 90 standing for "90 and over"
QUINTILE_NAMES = {
    1: "Most deprived fifth",
    2: "Second fifth",
    3: "Middle fifth",
    4: "Fourth fifth",
    5: "Least deprived fifth",
}
NO_RANK = "Small areas with no deprivation rank"
COLUMNS = [GROUP_TYPE, GROUP, POPULATION, EXPECTED_CASES]


def by_sex_and_age(
    people: np.ndarray, rate: np.ndarray, covered: np.ndarray, *, age_min: int, age_max: int | None
) -> pd.DataFrame:
    """People at risk and estimated need by sex, then by age band, for the whole area.

    `people`: population (sex, single age). `rate`, `covered`: the norm's rate and where it
    applies (sex, single age), already limited to the norm's ages. Bands are cut at the norm's
    ages ("16 to 17" for a norm of under-18s) and named by what they hold.
    """
    at_risk = people * covered
    need = people * np.nan_to_num(rate) * covered
    rows = [(SEX, name, at_risk[s].sum(), need[s].sum()) for s, name in enumerate(SEX_NAMES)]
    top = OLDEST if age_max is None else min(age_max, OLDEST)
    for lo, hi in AGE_BANDS:
        lo, hi = max(lo, age_min), min(hi, top)
        if lo <= hi and at_risk[:, lo : hi + 1].sum() > 0:
            band = (AGE_BAND, band_name(lo, hi), at_risk[:, lo : hi + 1].sum(),
                    need[:, lo : hi + 1].sum())  # fmt: skip
            rows.append(band)
    return pd.DataFrame(rows, columns=COLUMNS)


def band_name(lo: int, hi: int) -> str:
    if hi >= OLDEST:
        return f"{lo} and over"
    return f"{lo}" if lo == hi else f"{lo} to {hi}"


def by_deprivation_fifth(small: pd.DataFrame, quintile_of_area: pd.Series) -> pd.DataFrame:
    """People at risk and need summed over small areas by national IMD fifth, most deprived first.

    `small`: unit_code, population, expected_cases of every small area. `quintile_of_area`:
    1 (most deprived) to 5 by area code; areas without one form their own row, so the table
    still adds up to the whole.
    """
    quintile = small["unit_code"].map(quintile_of_area).fillna(0).astype(int)
    sums = small.groupby(quintile.to_numpy())[[POPULATION, EXPECTED_CASES]].sum()
    rows = [
        (DEPRIVATION, QUINTILE_NAMES.get(q, NO_RANK), row[POPULATION], row[EXPECTED_CASES])
        for q, row in sorted(sums.iterrows(), key=lambda item: item[0] or 99)
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def breakdowns_not_adding_up(groups: pd.DataFrame, *, whole: float) -> dict[str, float]:
    """Each group type whose need does not add up to the whole (within 0.5 of a person)."""
    sums = groups.groupby(GROUP_TYPE)[EXPECTED_CASES].sum()
    return {kind: float(total) for kind, total in sums.items() if abs(total - whole) >= 0.5}
