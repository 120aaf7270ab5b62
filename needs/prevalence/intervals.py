"""Confidence intervals for proportions, counts, crude rates and directly standardised rates.

Pure computation: standard library and numpy only, no Django. Every function is vectorised:
scalar or array inputs broadcast together and the results are float arrays of that shape.

The methods follow the R package PHEindicatormethods (Public Health England, now UKHSA;
github.com/ukhsa-collaboration/PHEindicatormethods, R/utils.R, R/Rates.R, R/DSR.R), which is
what English public-health teams use for Fingertips indicators, so figures agree with theirs:

- ``wilson``: Wilson score interval (Wilson 1927; Newcombe 1998; as ``phe_proportion``).
- ``byar``: Byar's approximation to the exact Poisson interval (Breslow & Day 1987, vol. II;
  as PHEindicatormethods' internal ``byars_lower`` / ``byars_upper``).
- ``byar_rate``: a crude rate with Byar limits (as ``phe_rate`` for counts of 10 or more).
- ``dobson``: directly standardised rate with Dobson et al. (1991) limits (as ``calculate_dsr``).
- ``exact_poisson``: the exact (Garwood 1936) interval for a count, i.e. the chi-square limits
  ``qchisq(α/2, 2O)/2`` and ``qchisq(1 − α/2, 2O + 2)/2`` that ``phe_rate`` uses below 10 events
  and the funnel functions use throughout; ``poisson`` switches between the two as they do.

``byar_rate`` always uses Byar's limits, where ``phe_rate`` uses the exact interval below 10 events;
``poisson`` is the switching interval. scipy is not installed, so the chi-square quantiles are
found here from the regularised incomplete gamma function (standard library ``math.lgamma``).
"""

import math
from statistics import NormalDist

import numpy as np
from numpy.typing import ArrayLike

Interval = tuple[np.ndarray, np.ndarray]


# --- shared helpers -----------------------------------------------------------------------------


def _z(confidence: float) -> float:
    """Two-sided standard normal critical value, e.g. 1.959964 for 0.95 and 3.090232 for 0.998.

    ``statistics.NormalDist.inv_cdf`` implements Wichura's algorithm AS241 (Applied Statistics
    1988, 37:477-484), accurate to about 1e-16, as R's ``qnorm`` does.
    """
    if not 0 < confidence < 1:
        raise ValueError(
            f"confidence must be a fraction strictly between 0 and 1, not {confidence}"
        )
    return NormalDist().inv_cdf(confidence + (1 - confidence) / 2)


def _as_float(values: ArrayLike) -> np.ndarray:
    return np.asarray(values, dtype=float)


def _refuse_negative(values: np.ndarray, *, what: str) -> None:
    # NaN compares false, so missing values pass through to NaN results (as R's na.rm=TRUE).
    if np.any(values < 0):
        raise ValueError(f"{what} must all be greater than or equal to zero")


def _refuse_non_positive(values: np.ndarray, *, what: str) -> None:
    if np.any(values <= 0):
        raise ValueError(f"{what} must all be greater than zero")


def _refuse_non_positive_multiplier(multiplier: float) -> None:
    if not multiplier > 0:
        raise ValueError(f"multiplier must be greater than zero, not {multiplier}")


# --- Wilson score interval for a proportion -----------------------------------------------------


def wilson(*, numerator: ArrayLike, denominator: ArrayLike, confidence: float = 0.95) -> Interval:
    """Wilson score interval for numerator / denominator, as proportions in [0, 1].

    Wilson EB (1927) J Am Stat Assoc 22:209-212; Newcombe RG (1998) Stat Med 17:857-872,
    method 3; formula as PHEindicatormethods ``wilson_lower`` / ``wilson_upper`` (R/utils.R):
    (2x + z² ∓ z·sqrt(z² + 4x(1 − x/n))) / (2(n + z²)).
    """
    x, n = np.broadcast_arrays(_as_float(numerator), _as_float(denominator))
    _refuse_negative(x, what="numerators")
    _refuse_non_positive(n, what="denominators")
    if np.any(x > n):
        raise ValueError("numerators must be less than or equal to their denominators")
    z = _z(confidence)
    centre = 2 * x + z**2
    half_width = z * np.sqrt(z**2 + 4 * x * (1 - x / n))
    scale = 2 * (n + z**2)
    # At x = 0 the lower limit is exactly 0 and at x = n the upper is exactly 1 (the square root
    # is then z); set them so that rounding cannot leave the proportion outside its interval.
    lower = np.where(x == 0, 0.0, np.clip((centre - half_width) / scale, 0.0, 1.0))
    upper = np.where(x == n, 1.0, np.clip((centre + half_width) / scale, 0.0, 1.0))
    return lower, upper


# --- Byar's approximation to the Poisson interval for a count -----------------------------------


def _byar_lower(x: np.ndarray, z: float) -> np.ndarray:
    # Breslow & Day (1987) vol. II: O·(1 − 1/(9O) − z/(3√O))³, as ``byars_lower``.
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3
    # The formula is undefined at O = 0 and turns negative for O = 1 at 99.8%, where
    # PHEindicatormethods gives NA; the true (exact) lower limit there is 0 or just above, so
    # 0 is the conservative answer. NaN counts stay NaN.
    lower = np.where(x == 0, 0.0, lower)
    return np.where(lower < 0, 0.0, lower)


def _byar_upper(x: np.ndarray, z: float) -> np.ndarray:
    # Breslow & Day (1987): (O + 1)·(1 − 1/(9(O + 1)) + z/(3√(O + 1)))³, as ``byars_upper``.
    return (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * np.sqrt(x + 1))) ** 3


def byar(*, count: ArrayLike, confidence: float = 0.95) -> Interval:
    """Byar's confidence interval for an observed count of events (Poisson).

    Breslow NE, Day NE (1987) Statistical methods in cancer research, vol. II. IARC: Lyon;
    as PHEindicatormethods ``byars_lower`` / ``byars_upper`` (R/utils.R). The lower limit of a
    zero count is 0.
    """
    x = _as_float(count)
    _refuse_negative(x, what="counts")
    z = _z(confidence)
    return _byar_lower(x, z), _byar_upper(x, z)


def byar_rate(
    *,
    count: ArrayLike,
    denominator: ArrayLike,
    multiplier: float = 100_000,
    confidence: float = 0.95,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Crude rate count / denominator × multiplier with Byar limits: (value, lower, upper).

    As PHEindicatormethods ``phe_rate`` (R/Rates.R) for counts of 10 or more; ``phe_rate``
    uses the exact Poisson interval below 10, which this module cannot compute without scipy.
    """
    x, n = np.broadcast_arrays(_as_float(count), _as_float(denominator))
    _refuse_non_positive(n, what="denominators")
    _refuse_non_positive_multiplier(multiplier)
    lower, upper = byar(count=x, confidence=confidence)
    scale = multiplier / n
    return x * scale, lower * scale, upper * scale


# --- Directly standardised rate with Dobson limits ----------------------------------------------


def _dobson_inputs(
    counts: ArrayLike, populations: ArrayLike, standard: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate and broadcast to (groups, age bands); a 1-D input is a single group."""
    o, n, w = (_as_float(values) for values in (counts, populations, standard))
    if np.any(np.isnan(n)) or np.any(np.isnan(w)):
        raise ValueError("populations and standard populations cannot have missing values")
    _refuse_negative(o, what="counts")
    _refuse_non_positive(n, what="populations")
    _refuse_negative(w, what="standard populations")
    # A missing count in an age band counts as zero, as PHEindicatormethods' na.zero.
    return np.broadcast_arrays(np.nan_to_num(o, nan=0.0), n, w)


def dobson(
    *,
    counts: ArrayLike,
    populations: ArrayLike,
    standard: ArrayLike,
    multiplier: float = 100_000,
    confidence: float = 0.95,
    min_total_count: int = 10,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Directly standardised rate per group with Dobson limits: (dsr, lower, upper).

    ``counts``, ``populations`` and ``standard`` are shaped (groups, age bands), or (age bands,)
    for one group; a 1-D ``standard`` applies to every group. Results are shaped (groups,).

    Dobson AJ, Kuulasmaa K, Eberle E, Scherer J (1991) Confidence intervals for weighted sums
    of Poisson parameters. Stat Med 10:457-462. As PHEindicatormethods ``calculate_dsr``
    (R/DSR.R, ``dsr_inner``): with O the total count, DSR = Σ wᵢ·Oᵢ/nᵢ / Σ wᵢ and
    var(DSR) = Σ wᵢ²·Oᵢ/nᵢ² / (Σ wᵢ)², each limit is DSR + sqrt(var(DSR)/O)·(Byar(O) − O).
    Like ``calculate_dsr``, groups whose total count is below ``min_total_count`` (10) get NaN
    for the rate and both limits.
    """
    if min_total_count < 1:
        raise ValueError("min_total_count must be at least 1: Dobson limits need events")
    _refuse_non_positive_multiplier(multiplier)
    o, n, w = _dobson_inputs(counts, populations, standard)
    z = _z(confidence)
    total = o.sum(axis=-1)
    dsr = (w * o / n).sum(axis=-1) / w.sum(axis=-1)
    var_dsr = (w**2 * o / n**2).sum(axis=-1) / w.sum(axis=-1) ** 2
    too_few = total < min_total_count
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.sqrt(var_dsr / total)
    lower = dsr + spread * (_byar_lower(total, z) - total)
    upper = dsr + spread * (_byar_upper(total, z) - total)
    dsr, lower, upper = (np.where(too_few, np.nan, v * multiplier) for v in (dsr, lower, upper))
    return dsr, lower, upper


# --- Exact (Garwood) Poisson interval for a count -----------------------------------------------

_EPSILON = 1e-15
_TINY = 1e-300
EXACT_BELOW = 10  # PHEindicatormethods' rule: exact limits for counts below 10, Byar's from 10


def _gamma_p(a: float, x: float) -> float:
    """Regularised lower incomplete gamma P(a, x) for a > 0, x ≥ 0.

    The power series below x < a + 1 and Legendre's continued fraction (modified Lentz) above;
    Abramowitz & Stegun 6.5.29 and 6.5.31. P(O, μ) is the chance of at least O Poisson events
    when μ are expected.
    """
    if x <= 0:
        return 0.0
    log_front = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1:
        term = total = 1.0 / a
        shape = a
        while abs(term) > abs(total) * _EPSILON:
            shape += 1
            term *= x / shape
            total += term
        return total * math.exp(log_front)
    b = x + 1 - a
    c = 1 / _TINY
    d = 1 / b
    fraction = d
    i = 0
    while True:
        i += 1
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = d if abs(d) > _TINY else _TINY
        c = b + an / c
        c = c if abs(c) > _TINY else _TINY
        d = 1 / d
        fraction *= d * c
        if abs(d * c - 1) < _EPSILON:
            return 1.0 - math.exp(log_front) * fraction


def _gamma_quantile(a: float, probability: float) -> float:
    """The μ with P(a, μ) = probability: Newton's method from the Wilson–Hilferty start, kept
    inside a bracket that bisection narrows whenever a Newton step would leave it."""
    z = NormalDist().inv_cdf(probability)
    guess = a * (1 - 1 / (9 * a) + z / (3 * math.sqrt(a))) ** 3
    low, high = 0.0, max(guess, 1.0)
    while _gamma_p(a, high) < probability:
        low, high = high, high * 2
    mu = guess if low < guess < high else (low + high) / 2
    for _ in range(200):
        gap = _gamma_p(a, mu) - probability
        if gap > 0:
            high = mu
        else:
            low = mu
        density = math.exp((a - 1) * math.log(mu) - mu - math.lgamma(a))
        # Newton's step only when it stays in the bracket (checked before dividing: no overflow).
        newton = abs(gap) < density * (high - low)
        after = mu - gap / density if newton else (low + high) / 2
        if not low < after < high:
            after = (low + high) / 2
        if abs(after - mu) <= 4 * _EPSILON * mu:
            return after
        mu = after
    return mu


def _exact_limits(count: float, z_tail: float) -> tuple[float, float]:
    count, z_tail = float(count), float(z_tail)  # Python floats: no numpy overflow warnings
    if math.isnan(count):
        return math.nan, math.nan
    lower = 0.0 if count == 0 else _gamma_quantile(count, z_tail)
    return lower, _gamma_quantile(count + 1, 1 - z_tail)


def exact_poisson(*, count: ArrayLike, confidence: float = 0.95) -> Interval:
    """Exact Poisson confidence interval for an observed count (Garwood 1936).

    Garwood F (1936) Biometrika 28:437-442: the lower limit is the mean whose chance of at least
    O events is α/2, the upper the mean whose chance of at most O events is α/2, equal to
    ``qchisq(α/2, 2O)/2`` and ``qchisq(1 − α/2, 2O + 2)/2`` as PHEindicatormethods computes them
    (R/utils.R, ``funnel_ratio_significance``; R/Rates.R for counts below 10). A zero count has
    lower limit 0.
    """
    x = _as_float(count)
    _refuse_negative(x, what="counts")
    tail = (1 - confidence) / 2
    _z(confidence)  # refuses a confidence outside (0, 1)
    with np.errstate(under="ignore"):  # far tails of the gamma density underflow to 0: harmless
        limits = np.vectorize(_exact_limits, otypes=[float, float])(x, tail)
    return limits[0], limits[1]


def poisson(*, count: ArrayLike, confidence: float = 0.95) -> Interval:
    """A count's Poisson interval as PHEindicatormethods chooses it: exact below 10, Byar's from 10.

    The rule of ``phe_rate`` (R/Rates.R) and of the funnel significance for ratios and rates
    (R/utils.R ``funnel_ratio_significance``).
    """
    x = _as_float(count)
    exact_lower, exact_upper = exact_poisson(
        count=np.where(x < EXACT_BELOW, x, 0), confidence=confidence
    )
    byar_lower, byar_upper = byar(
        count=np.where(x < EXACT_BELOW, EXACT_BELOW, x), confidence=confidence
    )
    small = x < EXACT_BELOW
    return np.where(small, exact_lower, byar_lower), np.where(small, exact_upper, byar_upper)
