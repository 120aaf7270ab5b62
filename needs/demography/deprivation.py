"""Deprivation adjustment of small-area estimates. Pure: no Django.

Survey rates describe the country as a whole; people in more deprived areas are more likely to
have most mental disorders. Given relative risks by IMD quintile (quintile 1 = most deprived 20%
of England), each small area's estimate is multiplied by the relative risk of its quintile, then
all areas are scaled together so that the whole area's total stays equal to the unadjusted total.
The adjustment moves need between small areas; it does not change how much need there is.
"""

import numpy as np

QUINTILES = 5


def quintile_of_decile(deciles: np.ndarray) -> np.ndarray:
    """IMD decile 1..10 → quintile 1..5 (0 where unknown)."""
    deciles = np.nan_to_num(np.asarray(deciles, dtype=float), nan=0.0).astype(int)
    return np.where(deciles > 0, (deciles + 1) // 2, 0)


def adjust(estimates: np.ndarray, quintiles: np.ndarray, relative_risk: np.ndarray) -> np.ndarray:
    """Re-weight (area, condition, year) estimates by quintile, keeping each total.

    `quintiles`: (area,) 1..5, 0 where unknown (weight 1). `relative_risk`: (condition, 5);
    rows of NaN (no published risks for a condition) leave that condition unchanged.
    """
    risks = np.where(np.isnan(relative_risk), 1.0, relative_risk)
    weights = np.ones((len(quintiles), risks.shape[0]))
    known = quintiles > 0
    weights[known] = risks[:, quintiles[known] - 1].T
    weighted = estimates * weights[:, :, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(
            weighted.sum(axis=0) > 0, estimates.sum(axis=0) / weighted.sum(axis=0), 1.0
        )
    return weighted * scale[None, :, :]
