"""Three-point estimates (beta-PERT, triangular) and Monte Carlo schedule risk.

A three-point estimate gives a task's optimistic (``low``), most likely
(``mode``) and pessimistic (``high``) duration. `ThreePoint` turns one into a
distribution: beta-PERT (the classic PERT assumption) or triangular, with its
mean, standard deviation, CDF, quantiles and samples. `pert_mean`, `pert_sd`,
`triangular_mean` and `triangular_sd` compute the summary numbers for whole
columns of estimates at once.

`schedule_risk` runs a Monte Carlo simulation over a dependency graph of such
tasks (edges point upstream -> downstream, as `productops.flow.dependency_graph`
builds them): the distribution of the project's duration, the probability of
finishing by a deadline, and each task's criticality index. It also reports the
classic PERT analysis (the critical path of mean durations and a normal
approximation), which ignores merge bias and is optimistic when paths run
in parallel.

No scipy: the beta CDF is the regularized incomplete beta function, computed
with its continued fraction (Numerical Recipes, section 6.4), and its inverse
by safeguarded Newton steps inside a bracket that bisection keeps.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from statistics import NormalDist
from typing import Any, Literal, overload

import networkx as nx
import numpy as np
import numpy.typing as npt

from .._tabular import Tabular
from ..errors import InvalidInputError
from ..flow.dependencies import _check_acyclic, critical_path
from ..forecast import WorkCalendar
from . import _validate as v
from ._validate import FloatArray

__all__ = [
    "PertPath",
    "ScheduleRisk",
    "ThreePoint",
    "pert_mean",
    "pert_sd",
    "schedule_risk",
    "triangular_mean",
    "triangular_sd",
]

Distribution = Literal["pert", "triangular"]
Method = Literal["monte_carlo", "pert"]
Seed = int | np.random.Generator | None

DEFAULT_LAMBDA = 4.0
"""Weight of the mode in beta-PERT: 4 gives the classic ``(a + 4m + b) / 6``."""
DEFAULT_LEVELS = (50, 80, 95)
"""Percentiles `ScheduleRisk.percentiles` reports by default."""
_CHUNK_CELLS = 1_000_000  # tasks x trials simulated at once: about 8 MB per array
_TIE = 1e-9  # relative tolerance: a task with less float than this is critical
_FPMIN = 1e-300
_EPS = 1e-15


# -- the beta function, without scipy ---------------------------------------------


def _log_beta(a: float, b: float) -> float:
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def _fix_tiny(values: FloatArray) -> FloatArray:
    return np.where(np.abs(values) < _FPMIN, _FPMIN, values)


def _beta_fraction(a: float, b: float, x: FloatArray) -> FloatArray:
    """Continued fraction of the incomplete beta (modified Lentz's method)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = np.ones_like(x)
    d = 1.0 / _fix_tiny(1.0 - qab * x / qap)
    h = d.copy()
    for m in range(1, 10_001):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 / _fix_tiny(1.0 + aa * d)
        c = _fix_tiny(1.0 + aa / c)
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 / _fix_tiny(1.0 + aa * d)
        c = _fix_tiny(1.0 + aa / c)
        step = d * c
        h *= step
        if np.all(np.abs(step - 1.0) < _EPS):
            break
    return h


def _betainc(a: float, b: float, x: FloatArray) -> FloatArray:
    """Return the regularized incomplete beta function ``I_x(a, b)``, ``a, b > 0``."""
    x = np.clip(np.asarray(x, dtype=np.float64), 0.0, 1.0)
    out = np.empty_like(x)
    with np.errstate(divide="ignore"):
        front = np.exp(a * np.log(x) + b * np.log1p(-x) - _log_beta(a, b))
    # The fraction converges fast below the mean; above, I_x(a,b) = 1 - I_1-x(b,a).
    upper = x > (a + 1.0) / (a + b + 2.0)
    lower = ~upper
    out[lower] = front[lower] * _beta_fraction(a, b, x[lower]) / a
    out[upper] = 1.0 - front[upper] * _beta_fraction(b, a, 1.0 - x[upper]) / b
    out[x <= 0.0] = 0.0
    out[x >= 1.0] = 1.0
    return np.clip(out, 0.0, 1.0)


def _betaincinv(a: float, b: float, p: FloatArray) -> FloatArray:
    """Invert `_betainc` in `x`, for ``a, b >= 1`` and ``p`` in ``[0, 1]``.

    A table of the CDF brackets each root (the tails start from their
    asymptotes, ``I_x ~ x^a / (a B(a, b))`` near 0 and likewise near 1);
    Newton steps refine it, and bisection (geometric near 0) takes over
    whenever a step would leave the bracket.
    """
    p = np.asarray(p, dtype=np.float64)
    flat = p.reshape(-1)
    grid = np.linspace(0.0, 1.0, 65)
    table = _betainc(a, b, grid)
    right = np.clip(np.searchsorted(table, flat, side="left"), 1, grid.size - 1)
    lo, hi = grid[right - 1], grid[right]
    log_b = _log_beta(a, b)
    with np.errstate(divide="ignore"):
        near_0 = np.exp((np.log(flat) + math.log(a) + log_b) / a)
        near_1 = -np.expm1((np.log1p(-flat) + math.log(b) + log_b) / b)
    x = np.interp(flat, table, grid)
    x = np.where(right == 1, np.clip(near_0, lo, hi), x)
    x = np.where(right == grid.size - 1, np.clip(near_1, lo, hi), x)
    active = np.flatnonzero((flat > 0) & (flat < 1))
    for _ in range(100):
        if active.size == 0:
            break
        xa, pa, la, ha = x[active], flat[active], lo[active], hi[active]
        error = _betainc(a, b, xa) - pa
        la = np.where(error < 0, xa, la)
        ha = np.where(error > 0, xa, ha)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            log_density = np.full_like(xa, -log_b)
            if a != 1:  # (a - 1) log x is 0 for a == 1, even at x == 0
                log_density += (a - 1.0) * np.log(xa)
            if b != 1:
                log_density += (b - 1.0) * np.log1p(-xa)
            guess = xa - error / np.exp(log_density)
        inside = np.isfinite(guess) & (guess >= la) & (guess <= ha)
        halfway = np.where((la > 0) & (ha > 4 * la), np.sqrt(la * ha), 0.5 * (la + ha))
        new = np.where(inside, guess, halfway)
        new = np.where(error == 0, xa, new)
        x[active], lo[active], hi[active] = new, la, ha
        moving = (np.abs(new - xa) > 1e-14 * new) & (ha - la > 1e-14 * ha)
        active = active[moving]
    x = np.where(flat <= 0.0, 0.0, x)
    return np.where(flat >= 1.0, 1.0, x).reshape(p.shape)


# -- the triangular distribution, on the unit interval ------------------------------


def _triangular_cdf_unit(x: FloatArray, peak: FloatArray) -> FloatArray:
    """CDF of the triangular distribution on [0, 1] with its mode at `peak`."""
    x = np.clip(x, 0.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        rising = np.where(peak > 0, x * x / peak, 0.0)
        falling = np.where(peak < 1, 1.0 - (1.0 - x) ** 2 / (1.0 - peak), 1.0)
    return np.asarray(np.where(x <= peak, rising, falling), dtype=np.float64)


def _triangular_ppf_unit(p: FloatArray, peak: FloatArray) -> FloatArray:
    """Inverse of `_triangular_cdf_unit`."""
    rising = np.sqrt(p * peak)
    falling = 1.0 - np.sqrt((1.0 - p) * (1.0 - peak))
    return np.asarray(np.where(p < peak, rising, falling), dtype=np.float64)


# -- checks -----------------------------------------------------------------------


def _distribution(value: object, name: str = "distribution") -> Distribution:
    if value == "pert":
        return "pert"
    if value == "triangular":
        return "triangular"
    msg = f"{name}: expected 'pert' or 'triangular', got {value!r}"
    raise InvalidInputError(msg)


def _is_finite_number(value: object) -> bool:
    return (
        isinstance(value, int | float | np.integer | np.floating)
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def _lam(value: object) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float | np.integer | np.floating)
        or not math.isfinite(value)
        or value <= 0
    ):
        msg = f"lam: must be a finite number > 0, got {value!r}"
        raise InvalidInputError(msg)
    return float(value)


def _whole(value: object, name: str, *, minimum: int) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | np.integer)
        or value < minimum
    ):
        msg = f"{name}: expected a whole number >= {minimum}, got {value!r}"
        raise InvalidInputError(msg)
    return int(value)


def _rng(seed: Seed) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        msg = f"seed: expected an int, a numpy Generator or None, got {seed!r}"
        raise InvalidInputError(msg)
    return np.random.default_rng(seed)


def _triples(
    low: npt.ArrayLike, mode: npt.ArrayLike, high: npt.ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Return validated, broadcast ``low <= mode <= high`` columns."""
    a = v.numbers("low", low)
    m = v.numbers("mode", mode)
    b = v.numbers("high", high)
    a, m, b = v.broadcast(low=a, mode=m, high=b)
    bad = ~((a <= m) & (m <= b))
    if bad.any():
        if a.ndim == 0:
            where = f"got low={a:g}, mode={m:g}, high={b:g}"
        else:
            parts = [
                f"#{i} (low={a[i]:g}, mode={m[i]:g}, high={b[i]:g})"
                for i in np.flatnonzero(bad).tolist()
            ]
            noun = "estimate" if len(parts) == 1 else "estimates"
            where = f"{len(parts)} bad {noun}: " + ", ".join(parts)
        msg = f"need low <= mode <= high; {where}"
        raise InvalidInputError(msg)
    return a, m, b


# -- one estimate -----------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ThreePoint:
    """A three-point estimate and the distribution it stands for.

    ``"pert"`` is the beta-PERT distribution on ``[low, high]`` with shape
    parameters ``alpha = 1 + lam (mode - low) / (high - low)`` and
    ``beta = 1 + lam (high - mode) / (high - low)``: its mean is
    ``(low + lam mode + high) / (lam + 2)``, which for the classic
    ``lam = 4`` is PERT's ``(a + 4m + b) / 6``. ``"triangular"`` is the
    triangular distribution, mean ``(a + m + b) / 3``. When ``low == high``
    the estimate is a fixed value.

    Attributes
    ----------
    low : float
        Optimistic value (``a``).
    mode : float
        Most likely value (``m``); ``low <= mode <= high``.
    high : float
        Pessimistic value (``b``).
    distribution : {"pert", "triangular"}, default "pert"
        The distribution assumed between `low` and `high`.
    lam : float, default 4.0
        Beta-PERT only: the weight of the mode (the "modified PERT" of Vose
        allows other values; larger is more peaked). Must be ``> 0``.

    Raises
    ------
    InvalidInputError
        If a value is not a finite number, ``low <= mode <= high`` fails,
        `distribution` is unknown or `lam` is not positive.

    References
    ----------
    D. G. Malcolm, J. H. Roseboom, C. E. Clark, W. Fazar, "Application of a
    Technique for Research and Development Program Evaluation", Operations
    Research 7(5), 1959, https://doi.org/10.1287/opre.7.5.646.
    Project Management Institute, *PMBOK Guide*, 6th ed., 2017, section
    6.4.2.4 (three-point estimating: triangular and beta).
    D. Vose, *Risk Analysis: A Quantitative Guide*, 3rd ed., Wiley, 2008
    (modified PERT). Wikipedia, "PERT distribution",
    https://en.wikipedia.org/wiki/PERT_distribution and "Triangular
    distribution", https://en.wikipedia.org/wiki/Triangular_distribution.

    Examples
    --------
    Activity A of Wikipedia's PERT example: 2, 4 and 6 weeks.

    >>> from productops.scoring import risk
    >>> a = risk.ThreePoint(low=2, mode=4, high=6)
    >>> a.mean, round(a.classic_sd, 4), round(a.sd, 4)
    (4.0, 0.6667, 0.7559)
    >>> round(a.cdf(4), 12), round(a.percentile(80), 3)
    (0.5, 4.694)
    >>> risk.ThreePoint(low=3, mode=5, high=9, distribution="triangular").mean
    5.666666666666667
    """

    low: float
    mode: float
    high: float
    distribution: Distribution = "pert"
    lam: float = DEFAULT_LAMBDA

    def __post_init__(self) -> None:
        values = (self.low, self.mode, self.high)
        if (
            all(_is_finite_number(x) for x in values)
            and values[0] <= values[1] <= values[2]
        ):
            a, m, b = (float(x) for x in values)  # the fast path, for big projects
        else:
            a, m, b = (float(x) for x in _triples(*values))
        object.__setattr__(self, "low", a)
        object.__setattr__(self, "mode", m)
        object.__setattr__(self, "high", b)
        object.__setattr__(self, "distribution", _distribution(self.distribution))
        object.__setattr__(self, "lam", _lam(self.lam))

    @property
    def width(self) -> float:
        """The range of the estimate, ``high - low``.

        Examples
        --------
        >>> from productops.scoring import risk
        >>> risk.ThreePoint(low=3, mode=5, high=9).width
        6.0
        """
        return self.high - self.low

    @property
    def _shape(self) -> tuple[float, float]:
        """Beta-PERT shape parameters ``(alpha, beta)``; ``(1, 1)`` when fixed."""
        if self.width == 0:
            return 1.0, 1.0
        return (
            1.0 + self.lam * (self.mode - self.low) / self.width,
            1.0 + self.lam * (self.high - self.mode) / self.width,
        )

    @property
    def mean(self) -> float:
        """The mean of the distribution.

        Examples
        --------
        >>> from productops.scoring import risk
        >>> risk.ThreePoint(low=3, mode=5, high=9).mean  # (3 + 4*5 + 9) / 6
        5.333333333333333
        """
        if self.distribution == "triangular":
            return (self.low + self.mode + self.high) / 3
        return (self.low + self.lam * self.mode + self.high) / (self.lam + 2)

    @property
    def sd(self) -> float:
        """The true standard deviation of the distribution.

        Beta-PERT: ``(high - low) * sqrt(alpha beta / ((alpha + beta)^2
        (alpha + beta + 1)))``; triangular: ``sqrt((a^2 + b^2 + m^2 - ab - am
        - bm) / 18)``. Compare `classic_sd`.

        Examples
        --------
        >>> from productops.scoring import risk
        >>> round(risk.ThreePoint(low=2, mode=4, high=6).sd, 4)  # 4 / sqrt(28)
        0.7559
        """
        if self.distribution == "triangular":
            a, m, b = self.low, self.mode, self.high
            return math.sqrt(max(a * a + b * b + m * m - a * b - a * m - b * m, 0) / 18)
        alpha, beta = self._shape
        total = alpha + beta
        return self.width * math.sqrt(alpha * beta / (total * total * (total + 1)))

    @property
    def classic_mean(self) -> float:
        """PERT's expected time ``te = (low + 4 mode + high) / 6``.

        The same whatever `distribution` and `lam` are: the classic PERT
        analysis of `schedule_risk` uses it.

        Examples
        --------
        >>> from productops.scoring import risk
        >>> estimate = risk.ThreePoint(low=2, mode=4, high=6, distribution="triangular")
        >>> estimate.classic_mean
        4.0
        """
        return (self.low + 4 * self.mode + self.high) / 6

    @property
    def classic_sd(self) -> float:
        """PERT's rule-of-thumb standard deviation ``(high - low) / 6``.

        Examples
        --------
        >>> from productops.scoring import risk
        >>> risk.ThreePoint(low=4, mode=6, high=10).classic_sd
        1.0
        """
        return self.width / 6

    @overload
    def cdf(self, x: float) -> float: ...
    @overload
    def cdf(self, x: npt.ArrayLike) -> FloatArray: ...
    def cdf(self, x: npt.ArrayLike) -> float | FloatArray:
        """Return ``P(X <= x)``.

        Parameters
        ----------
        x : float or array-like
            Values; anything below `low` gives 0, at or above `high` 1.

        Returns
        -------
        float or numpy.ndarray

        Raises
        ------
        InvalidInputError
            If a value is not a finite number.

        Examples
        --------
        >>> from productops.scoring import risk
        >>> risk.ThreePoint(low=2, mode=4, high=6).cdf([1, 3, 4, 7]).round(6)
        array([0.      , 0.103516, 0.5     , 1.      ])
        """
        values = v.numbers("x", x)
        if self.width == 0:
            probabilities = np.where(values >= self.low, 1.0, 0.0)
        else:
            with np.errstate(over="ignore"):  # a tiny width: far values go to +-inf
                unit = (values - self.low) / self.width
            if self.distribution == "triangular":
                peak = np.asarray((self.mode - self.low) / self.width)
                probabilities = _triangular_cdf_unit(unit, peak)
            else:
                probabilities = _betainc(*self._shape, unit)
        return v.result(np.asarray(probabilities, np.float64), scalar=v.is_scalar(x))

    @overload
    def ppf(self, p: float) -> float: ...
    @overload
    def ppf(self, p: npt.ArrayLike) -> FloatArray: ...
    def ppf(self, p: npt.ArrayLike) -> float | FloatArray:
        """Return the quantile function: the value `x` with ``P(X <= x) = p``.

        Triangular in closed form; beta-PERT by inverting the regularized
        incomplete beta function (accurate to about 1e-12 of the width).

        Parameters
        ----------
        p : float or array-like
            Probabilities in ``[0, 1]``; 0 gives `low`, 1 gives `high`.

        Returns
        -------
        float or numpy.ndarray

        Raises
        ------
        InvalidInputError
            If a probability is outside ``[0, 1]`` or not a number.

        Examples
        --------
        >>> from productops.scoring import risk
        >>> risk.ThreePoint(low=2, mode=4, high=6, distribution="triangular").ppf(
        ...     [0, 0.125, 0.5, 1])
        array([2., 3., 4., 6.])
        """
        probabilities = v.fraction("p", p)
        return v.result(self._ppf(probabilities), scalar=v.is_scalar(p))

    def _ppf(self, p: FloatArray) -> FloatArray:
        if self.width == 0:
            return np.full_like(p, self.low)
        if self.distribution == "triangular":
            peak = np.asarray((self.mode - self.low) / self.width)
            unit = _triangular_ppf_unit(p, peak)
        else:
            unit = _betaincinv(*self._shape, p)
        # low + width * 1 can round past high: keep quantiles inside the range.
        values = np.clip(self.low + self.width * unit, self.low, self.high)
        return np.asarray(values, dtype=np.float64)

    @overload
    def percentile(self, q: float) -> float: ...
    @overload
    def percentile(self, q: npt.ArrayLike) -> FloatArray: ...
    def percentile(self, q: npt.ArrayLike) -> float | FloatArray:
        """Return the `q`-th percentile: ``ppf(q / 100)``.

        Parameters
        ----------
        q : float or array-like
            Percentiles in ``[0, 100]`` (P80 is ``q=80``).

        Returns
        -------
        float or numpy.ndarray

        Raises
        ------
        InvalidInputError
            If a percentile is outside ``[0, 100]`` or not a number.

        Examples
        --------
        >>> from productops.scoring import risk
        >>> risk.ThreePoint(low=2, mode=4, high=6).percentile([50, 80, 95]).round(3)
        array([4.   , 4.694, 5.243])
        """
        probabilities = v.fraction("q", q, percent=True)
        return v.result(self._ppf(probabilities), scalar=v.is_scalar(q))

    def sample(self, size: int, *, seed: Seed = None) -> FloatArray:
        """Return `size` random draws; the same `seed` gives the same draws.

        Parameters
        ----------
        size : int
            Number of draws, ``>= 0``.
        seed : int or numpy.random.Generator, optional
            Seed of ``numpy.random.default_rng``, or a generator to draw from.

        Returns
        -------
        numpy.ndarray
            Float array of shape ``(size,)``.

        Raises
        ------
        InvalidInputError
            If `size` is not a whole number ``>= 0``.

        Examples
        --------
        >>> from productops.scoring import risk
        >>> draws = risk.ThreePoint(low=2, mode=4, high=6).sample(10_000, seed=1)
        >>> bool(draws.min() >= 2 and draws.max() <= 6), round(float(draws.mean()), 1)
        (True, 4.0)
        """
        count = _whole(size, "size", minimum=0)
        rng = _rng(seed)
        if self.width == 0:
            return np.full(count, self.low)
        if self.distribution == "triangular":
            peak = np.asarray((self.mode - self.low) / self.width)
            unit = _triangular_ppf_unit(rng.random(count), peak)
        else:
            unit = rng.beta(*self._shape, size=count)
        return np.asarray(self.low + self.width * unit, dtype=np.float64)


# -- columns of estimates ---------------------------------------------------------


@overload
def pert_mean(*, low: float, mode: float, high: float, lam: float = ...) -> float: ...
@overload
def pert_mean(
    *, low: npt.ArrayLike, mode: npt.ArrayLike, high: npt.ArrayLike, lam: float = ...
) -> FloatArray: ...
def pert_mean(
    *,
    low: npt.ArrayLike,
    mode: npt.ArrayLike,
    high: npt.ArrayLike,
    lam: float = DEFAULT_LAMBDA,
) -> float | FloatArray:
    """Return the beta-PERT mean ``(low + lam mode + high) / (lam + 2)``.

    With the default ``lam=4``, PERT's expected time ``te = (a + 4m + b) / 6``.

    Parameters
    ----------
    low, mode, high : float or array-like
        Optimistic, most likely and pessimistic values, ``low <= mode <=
        high``; arrays of equal length (or scalars) are taken row by row.
    lam : float, default 4.0
        Weight of the mode, ``> 0``.

    Returns
    -------
    float or numpy.ndarray
        A float for scalar inputs, else one mean per row.

    Raises
    ------
    InvalidInputError
        If a value is not a finite number or a row breaks ``low <= mode <=
        high`` (every bad row is listed).

    References
    ----------
    Malcolm et al., "Application of a Technique for Research and Development
    Program Evaluation", Operations Research 7(5), 1959,
    https://doi.org/10.1287/opre.7.5.646; PMBOK Guide 6th ed., 2017,
    section 6.4.2.4.

    Examples
    --------
    Activities A to G of Wikipedia's PERT example
    (https://en.wikipedia.org/wiki/Program_evaluation_and_review_technique):

    >>> from productops.scoring import risk
    >>> risk.pert_mean(low=[2, 3, 4, 4, 4, 3, 3], mode=[4, 5, 5, 6, 5, 4, 5],
    ...                high=[6, 9, 7, 10, 7, 8, 8]).round(2)
    array([4.  , 5.33, 5.17, 6.33, 5.17, 4.5 , 5.17])
    """
    scalar = v.is_scalar(low, mode, high)
    weight = _lam(lam)
    a, m, b = _triples(low, mode, high)
    return v.result((a + weight * m + b) / (weight + 2), scalar=scalar)


@overload
def pert_sd(
    *,
    low: float,
    mode: float,
    high: float,
    lam: float = ...,
    classic: bool = ...,
) -> float: ...
@overload
def pert_sd(
    *,
    low: npt.ArrayLike,
    mode: npt.ArrayLike,
    high: npt.ArrayLike,
    lam: float = ...,
    classic: bool = ...,
) -> FloatArray: ...
def pert_sd(
    *,
    low: npt.ArrayLike,
    mode: npt.ArrayLike,
    high: npt.ArrayLike,
    lam: float = DEFAULT_LAMBDA,
    classic: bool = False,
) -> float | FloatArray:
    """Return the standard deviation of beta-PERT estimates.

    By default the true standard deviation of the beta-PERT distribution,
    ``(high - low) sqrt(alpha beta / ((alpha + beta)^2 (alpha + beta + 1)))``
    with ``alpha = 1 + lam (mode - low) / (high - low)`` and ``beta = 1 + lam
    (high - mode) / (high - low)``. With ``classic=True``, PERT's rule of
    thumb ``(high - low) / 6``, which textbooks and PMBOK call the PERT
    standard deviation; it is smaller than the true value except for very
    skewed estimates.

    Parameters
    ----------
    low, mode, high : float or array-like
        Optimistic, most likely and pessimistic values, ``low <= mode <=
        high``.
    lam : float, default 4.0
        Weight of the mode, ``> 0`` (ignored when `classic`).
    classic : bool, default False
        Return ``(high - low) / 6`` instead of the true value.

    Returns
    -------
    float or numpy.ndarray
        A float for scalar inputs, else one value per row.

    Raises
    ------
    InvalidInputError
        If a value is not a finite number or a row breaks ``low <= mode <=
        high``.

    References
    ----------
    C. E. Clark, "The PERT model for the distribution of an activity time",
    Operations Research 10(3), 1962, https://doi.org/10.1287/opre.10.3.405;
    Wikipedia, "PERT distribution",
    https://en.wikipedia.org/wiki/PERT_distribution.

    Examples
    --------
    >>> from productops.scoring import risk
    >>> risk.pert_sd(low=[2, 4], mode=[4, 6], high=[6, 10], classic=True)
    array([0.66666667, 1.        ])
    >>> round(risk.pert_sd(low=2, mode=4, high=6), 4)  # Beta(3, 3) on [2, 6]
    0.7559
    """
    scalar = v.is_scalar(low, mode, high)
    weight = _lam(lam)
    a, m, b = _triples(low, mode, high)
    width = b - a
    if classic:
        return v.result(width / 6, scalar=scalar)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(width > 0, 1 + weight * (m - a) / width, 1.0)
        beta = np.where(width > 0, 1 + weight * (b - m) / width, 1.0)
    total = alpha + beta
    sd = width * np.sqrt(alpha * beta / (total * total * (total + 1)))
    return v.result(np.asarray(sd, dtype=np.float64), scalar=scalar)


@overload
def triangular_mean(*, low: float, mode: float, high: float) -> float: ...
@overload
def triangular_mean(
    *, low: npt.ArrayLike, mode: npt.ArrayLike, high: npt.ArrayLike
) -> FloatArray: ...
def triangular_mean(
    *, low: npt.ArrayLike, mode: npt.ArrayLike, high: npt.ArrayLike
) -> float | FloatArray:
    """Return the triangular mean ``(low + mode + high) / 3``.

    Parameters
    ----------
    low, mode, high : float or array-like
        Optimistic, most likely and pessimistic values, ``low <= mode <=
        high``.

    Returns
    -------
    float or numpy.ndarray

    Raises
    ------
    InvalidInputError
        If a value is not a finite number or a row breaks ``low <= mode <=
        high``.

    References
    ----------
    PMBOK Guide 6th ed., 2017, section 6.4.2.4; Wikipedia, "Triangular
    distribution", https://en.wikipedia.org/wiki/Triangular_distribution.

    Examples
    --------
    >>> from productops.scoring import risk
    >>> risk.triangular_mean(low=[2, 3], mode=[4, 5], high=[6, 10])
    array([4., 6.])
    """
    scalar = v.is_scalar(low, mode, high)
    a, m, b = _triples(low, mode, high)
    return v.result((a + m + b) / 3, scalar=scalar)


@overload
def triangular_sd(*, low: float, mode: float, high: float) -> float: ...
@overload
def triangular_sd(
    *, low: npt.ArrayLike, mode: npt.ArrayLike, high: npt.ArrayLike
) -> FloatArray: ...
def triangular_sd(
    *, low: npt.ArrayLike, mode: npt.ArrayLike, high: npt.ArrayLike
) -> float | FloatArray:
    """Return the triangular standard deviation.

    ``sqrt((a^2 + b^2 + m^2 - ab - am - bm) / 18)`` for ``a = low``, ``m =
    mode``, ``b = high``.

    Parameters
    ----------
    low, mode, high : float or array-like
        Optimistic, most likely and pessimistic values, ``low <= mode <=
        high``.

    Returns
    -------
    float or numpy.ndarray

    Raises
    ------
    InvalidInputError
        If a value is not a finite number or a row breaks ``low <= mode <=
        high``.

    References
    ----------
    Wikipedia, "Triangular distribution",
    https://en.wikipedia.org/wiki/Triangular_distribution.

    Examples
    --------
    >>> from productops.scoring import risk
    >>> round(risk.triangular_sd(low=2, mode=4, high=6), 4)  # sqrt(12 / 18)
    0.8165
    """
    scalar = v.is_scalar(low, mode, high)
    a, m, b = _triples(low, mode, high)
    variance = np.maximum(a * a + b * b + m * m - a * b - a * m - b * m, 0.0) / 18
    return v.result(np.sqrt(variance), scalar=scalar)


# -- results ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PertPath:
    """The classic PERT analysis: critical path of mean durations, normal total.

    Each task counts PERT's expected time ``te = (a + 4m + b) / 6`` and
    variance ``((b - a) / 6)^2``; the project's duration is taken as normal,
    with the length of the critical path as its mean and the sum of the
    variances along that path as its variance. This ignores every other
    path, so when near-critical paths merge it is optimistic (merge bias):
    prefer the Monte Carlo figures of `ScheduleRisk`.

    Attributes
    ----------
    nodes : tuple of str
        The critical path of expected times, upstream first. When several
        paths are equally long, the one with the largest variance (then the
        first by key); empty for an empty project.
    mean : float
        Its length: the sum of the expected times along it.
    sd : float
        Square root of the sum of the variances along it.

    References
    ----------
    Wikipedia, "Program evaluation and review technique",
    https://en.wikipedia.org/wiki/Program_evaluation_and_review_technique;
    K. R. MacCrimmon, C. A. Ryavec, "An Analytical Study of the PERT
    Assumptions", Operations Research 12(1), 1964,
    https://doi.org/10.1287/opre.12.1.16 (merge bias).

    Examples
    --------
    >>> from productops.scoring import risk
    >>> path = risk.PertPath(nodes=("A", "C", "E", "G"), mean=19.5, sd=1.2802)
    >>> round(path.probability(21), 4)
    0.8793
    """

    nodes: tuple[str, ...]
    mean: float
    sd: float

    def probability(self, by: float) -> float:
        """Return the normal approximation of ``P(T <= by)``.

        Parameters
        ----------
        by : float
            A duration, in the unit of the estimates.

        Returns
        -------
        float
            ``Phi((by - mean) / sd)``; a step at `mean` when ``sd == 0``.

        Raises
        ------
        InvalidInputError
            If `by` is not a finite number.

        Examples
        --------
        >>> from productops.scoring import risk
        >>> risk.PertPath(nodes=("A",), mean=4.0, sd=0.0).probability(4)
        1.0
        """
        days = float(v.numbers("by", by))
        if self.sd == 0:
            return 1.0 if days >= self.mean - _TIE * max(1.0, abs(self.mean)) else 0.0
        return NormalDist(self.mean, self.sd).cdf(days)

    def percentile(self, q: float) -> float:
        """Return the normal approximation's `q`-th percentile.

        Parameters
        ----------
        q : float
            Strictly between 0 and 100.

        Returns
        -------
        float
            ``mean + sd * Phi^-1(q / 100)``.

        Raises
        ------
        InvalidInputError
            If `q` is not strictly between 0 and 100.

        Examples
        --------
        >>> from productops.scoring import risk
        >>> risk.PertPath(nodes=("A",), mean=10.0, sd=2.0).percentile(50)
        10.0
        """
        level = float(v.numbers("q", q))
        if not 0 < level < 100:
            msg = f"q: must be strictly between 0 and 100, got {level:g}"
            raise InvalidInputError(msg)
        return self.mean + self.sd * NormalDist().inv_cdf(level / 100)


@dataclass(frozen=True, slots=True, eq=False)
class ScheduleRisk(Tabular):
    """The result of `schedule_risk`: the simulated project durations.

    Durations are in the unit of the estimates: days, or working days when a
    `calendar` is given. With a `start` date, day 1 of the project is
    `start` (the first working day on or after it, with a calendar), and a
    duration ``t`` finishes on day ``ceil(t)``.

    Attributes
    ----------
    tasks : tuple of str
        The simulated tasks, in topological order (ties by key).
    estimates : tuple of ThreePoint
        Their estimates as simulated (after a `distribution` override).
    durations : numpy.ndarray
        The project's duration in each trial.
    critical_share : numpy.ndarray
        Per task (in `tasks` order), the share of trials in which it was
        critical; `criticality` gives the same by key.
    pert : PertPath
        The classic PERT analysis of the same graph.
    start : date or None
        Day 1 of the project, if given.
    deadline : date, float or None
        The deadline `probability` uses by default, if given.
    calendar : WorkCalendar or None
        The working-day calendar, if given.

    Examples
    --------
    >>> from productops.scoring import risk
    >>> result = risk.schedule_risk(
    ...     {"design": (2, 3, 6), "build": (4, 6, 12), "docs": (1, 2, 3)},
    ...     dependencies=[("design", "build"), ("design", "docs")], seed=7)
    >>> result.criticality["build"], round(result.criticality["docs"], 3)
    (1.0, 0.0)
    """

    tasks: tuple[str, ...]
    estimates: tuple[ThreePoint, ...]
    durations: FloatArray
    critical_share: FloatArray
    pert: PertPath
    start: date | None = None
    deadline: date | float | None = None
    calendar: WorkCalendar | None = None

    @property
    def trials(self) -> int:
        """Number of trials."""
        return int(self.durations.size)

    @property
    def mean(self) -> float:
        """Mean project duration over the trials.

        Examples
        --------
        >>> from productops.scoring import risk
        >>> risk.schedule_risk({"A": (1, 1, 1), "B": (2, 2, 2)},
        ...                    dependencies=[("A", "B")], trials=5).mean
        3.0
        """
        return float(np.mean(self.durations))

    @property
    def sd(self) -> float:
        """Standard deviation of the project duration (``ddof=1``; 0 for one trial)."""
        if self.durations.size < 2:
            return 0.0
        return float(np.std(self.durations, ddof=1))

    @property
    def criticality(self) -> dict[str, float]:
        """Criticality index of every task, by key, in `tasks` order.

        The share of trials in which the task lies on a longest path (has no
        float). When paths tie for longest, every task on every tied path
        counts, so the indices of parallel tasks can add up to more than 1.

        Examples
        --------
        >>> from productops.scoring import risk
        >>> risk.schedule_risk({"A": (4, 4, 4), "B": (4, 4, 4), "C": (1, 2, 3)},
        ...                    trials=100).criticality
        {'A': 1.0, 'B': 1.0, 'C': 0.0}
        """
        return dict(zip(self.tasks, self.critical_share.tolist(), strict=True))

    @overload
    def percentile(self, q: float) -> float: ...
    @overload
    def percentile(self, q: npt.ArrayLike) -> FloatArray: ...
    def percentile(self, q: npt.ArrayLike) -> float | FloatArray:
        """Return the duration within which `q` % of the trials finish.

        The smallest simulated duration ``d`` with at least `q` % of the
        trials at or below it (numpy's ``"inverted_cdf"`` method), so
        ``probability(by=percentile(q)) >= q / 100``.

        Parameters
        ----------
        q : float or array-like
            Percentiles in ``[0, 100]``.

        Returns
        -------
        float or numpy.ndarray

        Raises
        ------
        InvalidInputError
            If a percentile is outside ``[0, 100]``.

        Examples
        --------
        >>> from productops.scoring import risk
        >>> risk.schedule_risk({"A": (5, 5, 5)}, trials=10).percentile(95)
        5.0
        """
        levels = v.between("q", q, 0, 100)
        values = np.asarray(
            np.percentile(self.durations, levels, method="inverted_cdf"),
            dtype=np.float64,
        )
        return v.result(values, scalar=v.is_scalar(q))

    def percentiles(
        self, levels: Iterable[float] = DEFAULT_LEVELS
    ) -> dict[float, float]:
        """Return ``{level: percentile(level)}``, by default P50, P80 and P95.

        Parameters
        ----------
        levels : iterable of float, default (50, 80, 95)
            Percentiles in ``[0, 100]``.

        Returns
        -------
        dict of float to float

        Examples
        --------
        >>> from productops.scoring import risk
        >>> risk.schedule_risk({"A": (5, 5, 5)}, trials=10).percentiles()
        {50: 5.0, 80: 5.0, 95: 5.0}
        """
        return {level: self.percentile(level) for level in levels}

    def percentile_date(self, q: float) -> date:
        """Return the date by which `q` % of the trials finish.

        Parameters
        ----------
        q : float
            A percentile in ``[0, 100]``.

        Returns
        -------
        date
            The day on which the `q`-th percentile duration ends (see the
            class docstring for how days are counted).

        Raises
        ------
        InvalidInputError
            Without a `start` date, or for `q` outside ``[0, 100]``.

        Examples
        --------
        >>> from datetime import date
        >>> from productops.scoring import risk
        >>> result = risk.schedule_risk({"A": (3, 5, 5)}, start=date(2025, 3, 3),
        ...                             trials=10)
        >>> result.percentile_date(100)
        datetime.date(2025, 3, 7)
        """
        start = self._start()
        return _date_of(start, _whole_days(self.percentile(q)), self.calendar)

    def probability(
        self, by: date | float | None = None, *, method: Method = "monte_carlo"
    ) -> float:
        """Return the probability that the project finishes by `by`.

        Parameters
        ----------
        by : date or float, optional
            A deadline: a date (on that day or earlier; needs `start`) or a
            duration. Default: the `deadline` given to `schedule_risk`.
        method : {"monte_carlo", "pert"}, default "monte_carlo"
            ``"monte_carlo"``: the share of trials done by then.
            ``"pert"``: the classic normal approximation of `pert`, which
            ignores merge bias.

        Returns
        -------
        float

        Raises
        ------
        InvalidInputError
            Without a deadline, for a date without `start`, or an unknown
            `method`.

        Examples
        --------
        >>> from productops.scoring import risk
        >>> result = risk.schedule_risk({"A": (2, 4, 6)}, seed=1)
        >>> result.probability(by=6), result.probability(by=2)
        (1.0, 0.0)
        """
        if method not in ("monte_carlo", "pert"):
            msg = f"method: expected 'monte_carlo' or 'pert', got {method!r}"
            raise InvalidInputError(msg)
        deadline = self.deadline if by is None else by
        if deadline is None:
            msg = "by: give a deadline (a date or a duration), or pass deadline= first"
            raise InvalidInputError(msg)
        if isinstance(deadline, date):
            days = _days_until(self._start(), _day(deadline), self.calendar)
            if method == "pert":
                return self.pert.probability(days)
            return float(np.mean(_whole_days(self.durations) <= days))
        limit = float(v.numbers("by", deadline))
        if method == "pert":
            return self.pert.probability(limit)
        return float(np.mean(self.durations <= limit))

    def to_records(self) -> list[dict[str, Any]]:
        """Return one dict per task, in `tasks` order.

        Returns
        -------
        list of dict
            Keys ``key``, ``low``, ``mode``, ``high``, ``distribution``,
            ``mean``, ``sd`` (of the task's distribution), ``criticality``
            and ``on_pert_path`` (whether the task is on `pert`'s path).

        Examples
        --------
        >>> from productops.scoring import risk
        >>> risk.schedule_risk({"A": (2, 4, 6)}, trials=100).to_records()
        ... # doctest: +NORMALIZE_WHITESPACE
        [{'key': 'A', 'low': 2.0, 'mode': 4.0, 'high': 6.0, 'distribution': 'pert',
          'mean': 4.0, 'sd': 0.7559289460184544, 'criticality': 1.0,
          'on_pert_path': True}]
        """
        on_path = set(self.pert.nodes)
        return [
            {
                "key": key,
                "low": estimate.low,
                "mode": estimate.mode,
                "high": estimate.high,
                "distribution": estimate.distribution,
                "mean": estimate.mean,
                "sd": estimate.sd,
                "criticality": share,
                "on_pert_path": key in on_path,
            }
            for key, estimate, share in zip(
                self.tasks, self.estimates, self.critical_share.tolist(), strict=True
            )
        ]

    def _start(self) -> date:
        if self.start is None:
            msg = "start: dates need the start date; pass start= to schedule_risk"
            raise InvalidInputError(msg)
        return self.start

    def __repr__(self) -> str:
        p = self.percentiles()
        shown = ", ".join(f"P{level} {value:.4g}" for level, value in p.items())
        text = f"<ScheduleRisk: {len(self.tasks)} tasks, {self.trials} trials; {shown}"
        if self.deadline is not None:
            text += f"; P(by {self.deadline}) = {self.probability():.3f}"
        return text + ">"


# -- dates ------------------------------------------------------------------------


def _day(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


@overload
def _whole_days(duration: float) -> int: ...
@overload
def _whole_days(duration: FloatArray) -> npt.NDArray[np.int64]: ...
def _whole_days(duration: float | FloatArray) -> int | npt.NDArray[np.int64]:
    """Return the day a duration ends on: ``ceil(t)``, forgiving rounding noise."""
    t = np.asarray(duration, dtype=np.float64)
    days = np.ceil(t - _TIE * np.maximum(1.0, t)).astype(np.int64)
    days = np.maximum(days, 0)
    if days.ndim == 0:
        return int(days)
    return days


def _days_until(start: date, deadline: date, calendar: WorkCalendar | None) -> int:
    """Count the (working) days from `start` to `deadline`, both included."""
    if deadline < start:
        return 0
    if calendar is None:
        return (deadline - start).days + 1
    days = np.datetime64(start, "D") + np.arange((deadline - start).days + 1)
    return int(np.count_nonzero(calendar.working_mask(days)))


def _date_of(start: date, day: int, calendar: WorkCalendar | None) -> date:
    """Return the date of project day `day` (1-based); 0 is the day before `start`."""
    if day <= 0:
        return start - timedelta(days=1)
    if calendar is None:
        return start + timedelta(days=day - 1)
    return calendar.working_days(start, day)[-1]


# -- reading the tasks ------------------------------------------------------------


def _estimate(value: Any) -> ThreePoint:
    """Turn a ThreePoint, a ``(low, mode, high)`` or a mapping into a ThreePoint."""
    if isinstance(value, ThreePoint):
        return value
    if isinstance(value, Mapping):
        unknown = set(value) - {"low", "mode", "high", "distribution", "lam"}
        absent = {"low", "mode", "high"} - set(value)
        if unknown or absent:
            msg = (
                "expected the fields low, mode, high (and optionally "
                f"distribution, lam), got {sorted(value)}"
            )
            raise InvalidInputError(msg)
        return ThreePoint(**value)
    if (
        isinstance(value, Sequence)
        and not isinstance(value, str | bytes)
        and len(value) == 3
    ):
        empty = [
            name
            for name, part in zip(("low", "mode", "high"), value, strict=True)
            if part is None
        ]
        if empty:
            msg = f"no {', '.join(empty)} value"
            raise InvalidInputError(msg)
        low, mode, high = value
        return ThreePoint(low=low, mode=mode, high=high)
    msg = f"expected a ThreePoint or (low, mode, high), got {value!r}"
    raise InvalidInputError(msg)


EstimateSpec = str | tuple[str, str, str] | Mapping[str, Any]


def _task_graph(
    tasks: nx.DiGraph[str] | Mapping[str, Any],
    *,
    dependencies: Iterable[tuple[str, str]],
    estimates: EstimateSpec | None,
    default: Any,
    include_done: bool,
) -> tuple[nx.DiGraph[str], dict[str, Any]]:
    """Return the graph to simulate and the raw estimate of each of its nodes."""
    if isinstance(tasks, nx.DiGraph):
        edges = list(dependencies)
        if edges:
            msg = "dependencies: with a graph, give the dependencies as its edges"
            raise InvalidInputError(msg)
        if estimates is None:
            msg = (
                "estimates: say where the graph keeps its estimates: a node "
                "attribute name, three attribute names (low, mode, high), or a "
                "mapping of node -> estimate"
            )
            raise InvalidInputError(msg)
        estimates = _estimate_spec(estimates)
        _check_acyclic(tasks)
        done = {
            node
            for node, data in tasks.nodes(data=True)
            if data.get("done") and not include_done
        }
        graph: nx.DiGraph[str] = nx.DiGraph()
        graph.add_nodes_from(node for node in tasks if node not in done)
        graph.add_edges_from(
            (u, w) for u, w in tasks.edges if u not in done and w not in done
        )
        raw = {node: _raw_estimate(tasks, node, estimates) for node in graph}
        source = (
            f"node attribute {estimates!r}"
            if isinstance(estimates, str | tuple)
            else "estimates"
        )
    elif isinstance(tasks, Mapping):
        if estimates is not None:
            msg = "estimates: the mapping of tasks already gives the estimates"
            raise InvalidInputError(msg)
        graph = nx.DiGraph()
        graph.add_nodes_from(tasks)
        edges = [_edge(edge) for edge in dependencies]
        unknown = sorted({n for edge in edges for n in edge} - set(tasks), key=str)
        if unknown:
            msg = (
                f"dependencies: name tasks without an estimate: {unknown}; "
                "add them to the tasks"
            )
            raise InvalidInputError(msg)
        graph.add_edges_from(edges)
        _check_acyclic(graph)
        raw = dict(tasks)
        source = "tasks"
    else:
        raise _not_tasks(tasks)
    missing = sorted((n for n, value in raw.items() if value is None), key=str)
    if missing and default is None:
        noun = "task" if len(missing) == 1 else "tasks"
        msg = (
            f"no estimate for {len(missing)} {noun}: {missing} (from {source}); "
            "give them one, or pass default="
        )
        raise InvalidInputError(msg)
    for node in missing:
        raw[node] = default
    return graph, raw


def _estimate_spec(estimates: object) -> EstimateSpec:
    if isinstance(estimates, str | Mapping):
        return estimates
    if (
        isinstance(estimates, Sequence)
        and len(estimates) == 3
        and all(isinstance(name, str) for name in estimates)
    ):
        return (estimates[0], estimates[1], estimates[2])
    msg = (
        "estimates: expected a node attribute name, three attribute names "
        f"(low, mode, high) or a mapping of node -> estimate, got {estimates!r}"
    )
    raise InvalidInputError(msg)


def _not_tasks(tasks: object) -> InvalidInputError:
    msg = (
        "tasks: expected a networkx.DiGraph or a mapping of task -> estimate, "
        f"got {type(tasks).__name__}"
    )
    return InvalidInputError(msg)


def _edge(edge: Any) -> tuple[str, str]:
    if (
        isinstance(edge, Sequence)
        and not isinstance(edge, str | bytes)
        and len(edge) == 2
    ):
        return edge[0], edge[1]
    msg = f"dependencies: expected (upstream, downstream) pairs, got {edge!r}"
    raise InvalidInputError(msg)


def _raw_estimate(graph: nx.DiGraph[str], node: str, estimates: EstimateSpec) -> Any:
    data = graph.nodes[node]
    if isinstance(estimates, str):
        return data.get(estimates)
    if isinstance(estimates, tuple):
        values = [data.get(name) for name in estimates]
        return None if all(value is None for value in values) else tuple(values)
    return estimates.get(node)


def _estimates(
    raw: Mapping[str, Any], order: Sequence[str], distribution: Distribution | None
) -> tuple[ThreePoint, ...]:
    """Validate every task's estimate, listing every bad one."""
    result = []
    problems = []
    for node in order:
        try:
            estimate = _estimate(raw[node])
        except InvalidInputError as exc:
            problems.append(f"{node!r}: {exc}")
            continue
        if estimate.low < 0:
            problems.append(
                f"{node!r}: a duration must be >= 0, got low={estimate.low:g}"
            )
        if distribution is not None:
            estimate = replace(estimate, distribution=distribution)
        result.append(estimate)
    if problems:
        noun = "estimate" if len(problems) == 1 else "estimates"
        msg = f"{len(problems)} bad {noun}: " + "; ".join(problems)
        raise InvalidInputError(msg)
    return tuple(result)


# -- simulation -------------------------------------------------------------------


def _simulate(
    estimates: Sequence[ThreePoint],
    predecessors: Sequence[npt.NDArray[np.intp]],
    successors: Sequence[npt.NDArray[np.intp]],
    *,
    trials: int,
    rng: np.random.Generator,
) -> tuple[FloatArray, FloatArray]:
    """Project duration per trial and critical count per task, chunk by chunk."""
    n = len(estimates)
    totals = np.zeros(trials)
    counts = np.zeros(n)
    if n == 0:
        return totals, counts
    low = np.array([e.low for e in estimates])[:, None]
    width = np.array([e.width for e in estimates])[:, None]
    pert = np.array([e.distribution == "pert" for e in estimates])
    rows = np.flatnonzero(pert)
    shapes = np.array([e._shape for e in estimates])
    alpha, beta = shapes[rows, 0, None], shapes[rows, 1, None]
    tri_rows = np.flatnonzero(~pert)
    peaks = np.array(
        [(e.mode - e.low) / e.width if e.width > 0 else 0.0 for e in estimates]
    )[tri_rows, None]
    sinks = np.array([j for j in range(n) if successors[j].size == 0], dtype=np.intp)
    chunk = max(1, min(trials, _CHUNK_CELLS // n))
    for begin in range(0, trials, chunk):
        size = min(chunk, trials - begin)
        # Every task's duration in every trial of the chunk: beta or triangular
        # draws on [0, 1], then scaled (width 0 gives the fixed value).
        unit = np.empty((n, size))
        if rows.size:
            unit[rows] = rng.beta(alpha, beta, size=(rows.size, size))
        if tri_rows.size:
            unit[tri_rows] = _triangular_ppf_unit(
                rng.random((tri_rows.size, size)), peaks
            )
        duration = low + width * unit
        # Forward pass in topological order: earliest finish of every task.
        finish = np.empty_like(duration)
        for j in range(n):
            before = predecessors[j]
            if before.size == 0:
                finish[j] = duration[j]
            elif before.size == 1:
                np.add(finish[before[0]], duration[j], out=finish[j])
            else:
                np.add(finish[before].max(axis=0), duration[j], out=finish[j])
        total = finish[sinks].max(axis=0)
        # Backward pass: the longest path from the start of each task to the end.
        onward = np.empty_like(duration)
        for j in range(n - 1, -1, -1):
            after = successors[j]
            if after.size == 0:
                onward[j] = duration[j]
            elif after.size == 1:
                np.add(onward[after[0]], duration[j], out=onward[j])
            else:
                np.add(onward[after].max(axis=0), duration[j], out=onward[j])
        # A task is critical when the longest path through it is the longest of all.
        through = finish - duration + onward
        tolerance = _TIE * np.maximum(1.0, total)
        counts += np.count_nonzero(through >= total - tolerance, axis=1)
        totals[begin : begin + size] = total
    return totals, counts


def _pert_path(graph: nx.DiGraph[str], estimates: Mapping[str, ThreePoint]) -> PertPath:
    """Classic PERT: the critical path of expected times, largest variance on ties."""
    means = {node: estimate.classic_mean for node, estimate in estimates.items()}
    variances = {node: estimate.classic_sd**2 for node, estimate in estimates.items()}
    cpm = critical_path(graph, duration=means)
    if not cpm.nodes:
        return PertPath(nodes=(), mean=0.0, sd=0.0)
    tolerance = _TIE * max(1.0, cpm.length)
    schedule = {entry.key: entry for entry in cpm.schedule}
    # Among the zero-slack chains from time 0 to the end, keep the one with the
    # largest variance (then the smallest keys).
    best: dict[str, tuple[float, tuple[str, ...]]] = {}
    for entry in cpm.schedule:
        if not entry.critical:
            continue
        node = entry.key
        candidates = [
            best[u]
            for u in graph.predecessors(node)
            if u in best
            and abs(schedule[u].earliest_finish - entry.earliest_start) <= tolerance
        ]
        if entry.earliest_start <= tolerance:
            candidates.append((0.0, ()))
        if candidates:
            variance, chain = _most_variable(candidates)
            best[node] = (variance + variances[node], (*chain, node))
    ends = [
        best[node]
        for node in best
        if schedule[node].earliest_finish >= cpm.length - tolerance
    ]
    if not ends:  # rounding broke every chain: fall back on the CPM path
        ends = [(sum(variances[node] for node in cpm.nodes), cpm.nodes)]
    variance, chain = _most_variable(ends)
    return PertPath(nodes=chain, mean=cpm.length, sd=math.sqrt(variance))


def _most_variable(
    candidates: Sequence[tuple[float, tuple[str, ...]]],
) -> tuple[float, tuple[str, ...]]:
    top = max(variance for variance, _ in candidates)
    close = [c for c in candidates if c[0] >= top - 1e-12 * max(1.0, top)]
    return min(close, key=lambda c: [str(node) for node in c[1]])


def schedule_risk(
    tasks: nx.DiGraph[str] | Mapping[str, Any],
    *,
    dependencies: Iterable[tuple[str, str]] = (),
    estimates: EstimateSpec | None = None,
    default: Any = None,
    distribution: Distribution | None = None,
    trials: int = 10_000,
    seed: Seed = None,
    start: date | None = None,
    deadline: date | float | None = None,
    calendar: WorkCalendar | None = None,
    include_done: bool = False,
) -> ScheduleRisk:
    """Simulate a project of three-point tasks: duration, deadline odds, criticality.

    Every trial draws each task's duration from its estimate (independently)
    and schedules the graph with the critical path method: a task starts
    when all its upstream tasks have finished (finish-to-start, no lags, no
    resource limits), and the project lasts until its last task finishes.
    Across trials this gives the distribution of the project's duration and,
    for each task, its criticality index: the share of trials in which it
    has no float, i.e. lies on a longest path. When paths tie for longest
    (fixed estimates, say), every task on every tied path counts as
    critical. The result also holds the classic PERT analysis (`PertPath`).

    Parameters
    ----------
    tasks : networkx.DiGraph or mapping
        Either a graph whose edges point upstream -> downstream (as
        `productops.flow.dependency_graph` builds them), with `estimates`
        saying where each node's estimate is; or a mapping of task key ->
        estimate, with the edges in `dependencies`. An estimate is a
        `ThreePoint`, a ``(low, mode, high)`` sequence (beta-PERT) or a
        mapping with those keys (and optionally ``distribution``, ``lam``).
        Durations must be ``>= 0``, in any unit (days when dates are used).
    dependencies : iterable of (str, str)
        With a mapping of tasks: the ``(upstream, downstream)`` pairs.
    estimates : str, tuple of three str, or mapping
        With a graph: the node attribute holding each estimate; three
        attribute names holding ``low``, ``mode`` and ``high`` numbers; or a
        mapping of node -> estimate.
    default : estimate, optional
        The estimate of tasks that have none; without it they are an error.
    distribution : {"pert", "triangular"}, optional
        Use this distribution for every task instead of each estimate's own.
    trials : int, default 10_000
        Number of Monte Carlo trials.
    seed : int or numpy.random.Generator, optional
        Same seed, same result.
    start : date, optional
        Day 1 of the project, for dates.
    deadline : date or float, optional
        The default deadline of `ScheduleRisk.probability`: a date (needs
        `start`) or a duration.
    calendar : WorkCalendar, optional
        Count durations in working days (needs `start`): day 1 is the first
        working day on or after `start`, and a deadline date counts the
        working days up to it.
    include_done : bool, default False
        With a graph, nodes whose ``done`` attribute is true are finished and
        left out (with their edges), as in `productops.flow.critical_path`.
        Pass True to simulate them too (a plan of the whole work).

    Returns
    -------
    ScheduleRisk
        Percentiles and moments of the duration, ``probability(by=...)``,
        ``criticality`` per task, the classic PERT path and ``to_records()``.
        An empty project lasts 0 in every trial.

    Raises
    ------
    InvalidInputError
        If the graph has a cycle (the message names it: ``"dependency cycle:
        A -> B -> A; ..."``), tasks lack an estimate (every one is listed),
        an estimate is malformed or negative (every one is listed), a
        dependency names an unknown task, `trials` is not a whole number
        ``>= 1``, or dates are asked for without `start`.

    See Also
    --------
    productops.flow.critical_path : The deterministic schedule.
    productops.forecast.when : Forecasts from throughput instead of estimates.

    Notes
    -----
    The classic PERT probability uses only the critical path of expected
    times; it ignores the chance that another path runs longer (merge
    bias), so it overstates the chance of finishing on time wherever paths
    merge. The Monte Carlo figures do not have that bias, but they assume
    the tasks' durations are independent.

    References
    ----------
    R. M. Van Slyke, "Monte Carlo Methods and the PERT Problem", Operations
    Research 11(5), 1963, https://doi.org/10.1287/opre.11.5.839 (simulation,
    criticality index). K. R. MacCrimmon, C. A. Ryavec, "An Analytical Study
    of the PERT Assumptions", Operations Research 12(1), 1964,
    https://doi.org/10.1287/opre.12.1.16 (merge bias). Wikipedia, "Program
    evaluation and review technique",
    https://en.wikipedia.org/wiki/Program_evaluation_and_review_technique.

    Examples
    --------
    Wikipedia's PERT example, in weeks:

    >>> from productops.scoring import risk
    >>> estimates = {"A": (2, 4, 6), "B": (3, 5, 9), "C": (4, 5, 7),
    ...              "D": (4, 6, 10), "E": (4, 5, 7), "F": (3, 4, 8),
    ...              "G": (3, 5, 8)}
    >>> after = [("A", "C"), ("A", "D"), ("B", "E"), ("C", "E"), ("D", "F"),
    ...          ("E", "G")]
    >>> result = risk.schedule_risk(estimates, dependencies=after, seed=42)
    >>> result.pert.nodes, round(result.pert.mean, 9), round(result.pert.sd, 4)
    (('A', 'C', 'E', 'G'), 19.5, 1.2802)
    >>> round(result.probability(by=21, method="pert"), 4)
    0.8793
    >>> 0.8 < result.probability(by=21) < 0.88
    True
    >>> sorted(k for k, share in result.criticality.items() if share > 0.9)
    ['A', 'C', 'E', 'G']
    """
    count = _whole(trials, "trials", minimum=1)
    rng = _rng(seed)
    override = None if distribution is None else _distribution(distribution)
    first_day = None if start is None else _day(start)
    if calendar is not None and first_day is None:
        msg = "calendar: working days need the project's start date; pass start="
        raise InvalidInputError(msg)
    if isinstance(deadline, date):
        if first_day is None:
            msg = "deadline: a deadline date needs the start date; pass start="
            raise InvalidInputError(msg)
        deadline = _day(deadline)
    elif deadline is not None:
        deadline = float(v.numbers("deadline", deadline))
    graph, raw = _task_graph(
        tasks,
        dependencies=dependencies,
        estimates=estimates,
        default=default,
        include_done=include_done,
    )
    order = list(nx.lexicographical_topological_sort(graph, key=str))
    checked = _estimates(raw, order, override)
    index = {node: position for position, node in enumerate(order)}
    predecessors = [
        np.array(sorted(index[u] for u in graph.predecessors(node)), dtype=np.intp)
        for node in order
    ]
    successors = [
        np.array(sorted(index[w] for w in graph.successors(node)), dtype=np.intp)
        for node in order
    ]
    totals, counts = _simulate(checked, predecessors, successors, trials=count, rng=rng)
    return ScheduleRisk(
        tasks=tuple(order),
        estimates=checked,
        durations=totals,
        critical_share=counts / count,
        pert=_pert_path(graph, dict(zip(order, checked, strict=True))),
        start=first_day,
        deadline=deadline,
        calendar=calendar,
    )
