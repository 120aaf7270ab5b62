"""Deprivation adjustment of small-area estimates. Pure: no Django.

Survey rates describe England as a whole; people in more deprived areas are more likely to have
most mental disorders. Given relative risks by IMD quintile (quintile 1 = most deprived 20% of
England), the risks are first normalised to England's quintile mix — divided by their average over
England, where each quintile holds a fifth of the small areas by construction — so that England as
a whole keeps the survey's rate. Each small area's estimate is then multiplied by its quintile's
normalised risk, with no rescaling to the local total: an area more deprived than England gets more
need than the flat rates give, a less deprived one less.
"""

import numpy as np

QUINTILES = 5


def quintile_of_decile(deciles: np.ndarray) -> np.ndarray:
    """IMD decile 1..10 → quintile 1..5 (0 where unknown)."""
    deciles = np.nan_to_num(np.asarray(deciles, dtype=float), nan=0.0).astype(int)
    return np.where(deciles > 0, (deciles + 1) // 2, 0)


# IMD quintiles are fifths of England's LSOAs, which hold similar numbers of people (about 1,500
# to 1,700 each): England's population is spread about evenly across them.
ENGLAND_QUINTILE_SHARES = np.full(QUINTILES, 1.0 / QUINTILES)


def normalised_risks(
    relative_risk: np.ndarray, shares: np.ndarray = ENGLAND_QUINTILE_SHARES
) -> np.ndarray:
    """(condition, 5) risks ÷ their England average Σ share × risk: England's mean weight is 1."""
    average = relative_risk @ shares
    with np.errstate(invalid="ignore", divide="ignore"):
        return relative_risk / average[:, None]


def weights(quintiles: np.ndarray, relative_risk: np.ndarray) -> np.ndarray:
    """(area, condition): each area's normalised relative risk for each condition.

    `quintiles`: (area,) 1..5, 0 where unknown (weight 1). `relative_risk`: (condition, 5);
    rows of NaN (no published risks for a condition) weigh 1.
    """
    risks = normalised_risks(relative_risk)
    risks = np.where(np.isnan(risks), 1.0, risks)
    result = np.ones((len(quintiles), risks.shape[0]))
    known = quintiles > 0
    result[known] = risks[:, quintiles[known] - 1].T
    return result


def adjust(estimates: np.ndarray, quintiles: np.ndarray, relative_risk: np.ndarray) -> np.ndarray:
    """Weight (area, condition, year) estimates by their quintile's normalised relative risk.

    The local total is not held fixed: it rises where the area is more deprived than England.
    """
    return estimates * weights(quintiles, relative_risk)[:, :, None]
