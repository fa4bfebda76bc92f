"""KPI trends: Mann-Kendall with Theil-Sen, change, and the seasonal naive."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from statistics import NormalDist
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from .._tabular import Tabular
from ..errors import InvalidInputError
from ..model.kpi import Observation
from ._status import instant

__all__ = ["Change", "SeasonalNaive", "Trend", "change", "seasonal_naive", "trend"]

FloatArray = npt.NDArray[np.float64]
Direction = Literal["increasing", "decreasing", "no trend"]
"""The verdict of a two-sided Mann-Kendall test at a significance level."""

_SECONDS_PER_DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class _Series:
    """Values in time order, with their times when they came from observations."""

    values: FloatArray
    when: tuple[date | datetime, ...] | None
    kpi: str | None
    segment: str | None
    ignored: int


def _series(
    data: Iterable[float] | Iterable[Observation],
    *,
    kpi: str | None,
    segment: str | None,
) -> _Series:
    """Validate `data` and return it as a series in time order."""
    items = list(data)
    if any(isinstance(x, Observation) for x in items):
        return _observation_series(items, kpi=kpi, segment=segment)
    problems = []
    out = []
    for i, x in enumerate(items):
        if isinstance(x, bool) or not isinstance(x, (int, float, np.number)):
            problems.append(f"values[{i}] = {x!r} is not a number")
            continue
        value = float(x)
        if not math.isfinite(value):
            problems.append(f"values[{i}] = {value} is not finite")
        out.append(value)
    if problems:
        msg = "values: " + "; ".join(problems)
        raise InvalidInputError(msg)
    if kpi is not None or segment is not None:
        msg = "kpi, segment: only observations can be filtered; plain numbers have none"
        raise InvalidInputError(msg)
    return _Series(np.array(out, dtype=np.float64), None, None, None, 0)


def _observation_series(
    items: list[Any], *, kpi: str | None, segment: str | None
) -> _Series:
    bad = [i for i, x in enumerate(items) if not isinstance(x, Observation)]
    if bad:
        msg = f"values: a mix of observations and numbers; not observations at {bad}"
        raise InvalidInputError(msg)
    indexed = [
        (i, o)
        for i, o in enumerate(items)
        if (kpi is None or o.kpi == kpi) and (segment is None or o.segment == segment)
    ]
    ignored = len(items) - len(indexed)
    keys = sorted({o.kpi for _, o in indexed})
    if len(keys) > 1:
        msg = f"values: observations of several KPIs {keys}; pass kpi= to pick one"
        raise InvalidInputError(msg)
    segments = sorted({o.segment for _, o in indexed}, key=lambda s: (s is not None, s))
    if len(segments) > 1:
        msg = (
            f"values: observations of several segments {segments} (None is the "
            "whole); pass segment= to pick one"
        )
        raise InvalidInputError(msg)
    problems = [
        f"values[{i}] = {o.value} is not finite"
        for i, o in indexed
        if not math.isfinite(o.value)
    ]
    indexed.sort(key=lambda pair: instant(pair[1].when))
    seen: dict[datetime, int] = {}
    for i, o in indexed:
        at = instant(o.when)
        if at in seen:
            problems.append(
                f"values[{seen[at]}] and values[{i}] are both measured at {o.when}"
            )
        else:
            seen[at] = i
    if problems:
        msg = "values: " + "; ".join(problems)
        raise InvalidInputError(msg)
    return _Series(
        values=np.array([o.value for _, o in indexed], dtype=np.float64),
        when=tuple(o.when for _, o in indexed),
        kpi=keys[0] if keys else kpi,
        segment=segments[0] if segments else segment,
        ignored=ignored,
    )


def _need(series: _Series, minimum: int, what: str) -> None:
    n = series.values.size
    if n < minimum:
        where = "" if series.ignored == 0 else f" ({series.ignored} ignored by filter)"
        msg = f"values: {what} needs at least {minimum} values, got {n}{where}"
        raise InvalidInputError(msg)


def _positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        msg = f"{name}: must be a whole number, got {value!r}"
        raise InvalidInputError(msg)
    if value < 1:
        msg = f"{name}: must be >= 1, got {value}"
        raise InvalidInputError(msg)
    return int(value)


def _alpha(value: object) -> float:
    msg = f"alpha: must be a number between 0 and 1 (exclusive), got {value!r}"
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
        raise InvalidInputError(msg)
    if not 0 < float(value) < 1:
        raise InvalidInputError(msg)
    return float(value)


# ---------------------------------------------------------------------------
# Mann-Kendall and Theil-Sen


@dataclass(frozen=True, slots=True)
class Trend(Tabular):
    """A Mann-Kendall trend test with the Theil-Sen slope.

    Attributes
    ----------
    n : int
        Number of values tested.
    s : int
        Mann-Kendall S: later-higher pairs minus later-lower pairs.
    var_s : float
        Variance of S under no trend, corrected for tied values.
    z : float
        Standard normal score of S with the continuity correction.
    p_value : float
        Two-sided p-value of `z` (normal approximation).
    alpha : float
        Significance level of `direction` and of the slope interval.
    direction : {"increasing", "decreasing", "no trend"}
        ``"no trend"`` unless ``p_value < alpha``; then the sign of S.
    tau : float
        Kendall's tau, ``S / (n (n - 1) / 2)`` (tau-a).
    slope : float
        Theil-Sen slope: median of the pairwise slopes, per `unit`.
    slope_low, slope_high : float or None
        Rank-based ``1 - alpha`` confidence interval of the slope (Sen 1968;
        Gilbert 1987, ch. 16); ``None`` when too few pairs reach that rank.
    intercept : float
        Value of the line at x = 0 (the first value's period or time):
        ``median(y) - slope * median(x)`` (Conover).
    unit : {"period", "day"}
        Unit of x: periods for plain values, days for observations.
    start : date, datetime or None
        The time of x = 0 for observations; ``None`` for plain values.
    kpi : str or None
        The KPI tested, for observations.
    segment : str or None
        The segment tested, for observations.
    ignored : int
        Observations left out by the `kpi` and `segment` filters.

    Examples
    --------
    >>> t = trend([1, 3, 2, 5, 4, 6, 8, 7])
    >>> t.s, t.direction, t.slope
    (22, 'increasing', 1.0)
    >>> t
    Trend(n=8, S=22, p=0.0094, increasing, slope=1 [0.5, 1.487] per period)
    """

    n: int
    s: int
    var_s: float
    z: float
    p_value: float
    alpha: float
    direction: Direction
    tau: float
    slope: float
    slope_low: float | None
    slope_high: float | None
    intercept: float
    unit: Literal["period", "day"]
    start: date | datetime | None = None
    kpi: str | None = None
    segment: str | None = None
    ignored: int = 0

    def __repr__(self) -> str:
        low = "-inf" if self.slope_low is None else f"{self.slope_low:.4g}"
        high = "inf" if self.slope_high is None else f"{self.slope_high:.4g}"
        what = "" if self.kpi is None else f"{self.kpi!r}, "
        return (
            f"Trend({what}n={self.n}, S={self.s}, p={self.p_value:.2g}, "
            f"{self.direction}, slope={self.slope:.4g} [{low}, {high}] per "
            f"{self.unit})"
        )

    def to_records(self) -> list[dict[str, Any]]:
        """One dict with every field, for a data frame.

        Examples
        --------
        >>> trend([3, 1, 2, 0]).to_records()[0]["s"]
        -4
        """
        return [
            {
                "kpi": self.kpi,
                "segment": self.segment,
                "n": self.n,
                "s": self.s,
                "var_s": self.var_s,
                "z": self.z,
                "p_value": self.p_value,
                "alpha": self.alpha,
                "direction": self.direction,
                "tau": self.tau,
                "slope": self.slope,
                "slope_low": self.slope_low,
                "slope_high": self.slope_high,
                "intercept": self.intercept,
                "unit": self.unit,
                "start": self.start,
                "ignored": self.ignored,
            }
        ]


def _order_statistic(ordered: FloatArray, rank: float) -> float | None:
    """Return the `rank`-th smallest (1-based), interpolating between ranks."""
    if rank < 1 or rank > ordered.size:
        return None
    low = math.floor(rank)
    frac = rank - low
    value = float(ordered[low - 1])
    if frac > 0:
        value += frac * (float(ordered[low]) - value)
    return value


def trend(
    values_or_observations: Iterable[float] | Iterable[Observation],
    *,
    alpha: float = 0.05,
    kpi: str | None = None,
    segment: str | None = None,
) -> Trend:
    """Test a KPI series for a monotonic trend and estimate its slope.

    The Mann-Kendall test (Mann 1945; Kendall 1975; as in Gilbert 1987,
    ch. 16, and Helsel et al. 2020, ch. 12):

    - ``S = sum over i < j of sign(y[j] - y[i])``;
    - ``var(S) = [n(n-1)(2n+5) - sum t(t-1)(2t+5)] / 18``, the sum over
      groups of `t` tied values;
    - ``Z = (S - 1) / sqrt(var S)`` for S > 0, ``(S + 1) / sqrt(var S)``
      for S < 0, 0 for S = 0 (continuity correction);
    - two-sided ``p = erfc(|Z| / sqrt 2)``.

    The Theil-Sen slope is the median of the ``N = n(n-1)/2`` pairwise slopes
    ``(y[j] - y[i]) / (x[j] - x[i])``. Its ``1 - alpha`` interval (Sen 1968;
    Gilbert 1987, section 16.5) takes ``C = z(1 - alpha/2) sqrt(var S)`` and
    the ordered slopes of ranks ``(N - C) / 2`` and ``(N + C) / 2 + 1``,
    interpolated linearly when the ranks are not whole.

    Parameters
    ----------
    values_or_observations : iterable of float, or of Observation
        Plain values in time order, one per period (x = 0, 1, 2, ...), or
        observations, put in time order by `Observation.when` (a date counts
        as the end of that day, UTC) with x in days since the first.
    alpha : float
        Significance level, in ``(0, 1)``; the interval is ``1 - alpha``.
    kpi : str, optional
        Use only observations of this KPI.
    segment : str, optional
        Use only observations of this segment.

    Returns
    -------
    Trend

    Raises
    ------
    InvalidInputError
        If fewer than 3 values remain, a value is not a finite number (naming
        every position), the observations are of several KPIs or segments and
        no filter picks one, two observations share a time, `kpi`/`segment`
        are given for plain numbers, or `alpha` is outside ``(0, 1)``.

    Notes
    -----
    The p-value uses the normal approximation at every n. Below about
    n = 10 it is rough (Gilbert 1987 tabulates exact probabilities for
    n <= 10, not used here): treat small-n verdicts as indicative. The test
    assumes independent values; autocorrelated KPIs look more significant
    than they are. Pairwise slopes take O(n^2) memory.

    References
    ----------
    .. [1] Gilbert, R. O. (1987). *Statistical Methods for Environmental
       Pollution Monitoring*, ch. 16. Van Nostrand Reinhold.
    .. [2] Sen, P. K. (1968). Estimates of the regression coefficient based
       on Kendall's tau. *JASA* 63(324), 1379-1389.
    .. [3] Helsel, D. R., Hirsch, R. M., et al. (2020). *Statistical Methods
       in Water Resources*, USGS TM 4-A3, ch. 8 and 12.

    Examples
    --------
    Sen (1968)'s data, times 1, 2, 3, 4, 10, 12, 18:

    >>> from datetime import date
    >>> from productops.model import Observation
    >>> days = [1, 2, 3, 4, 10, 12, 18]
    >>> obs = [Observation(kpi="k", value=v, period_start=date(2024, 1, d),
    ...                    period_end=date(2024, 1, d))
    ...        for v, d in zip([9, 15, 19, 20, 45, 55, 78], days)]
    >>> t = trend(obs)
    >>> t.slope, t.unit, t.s, round(t.p_value, 4)
    (4.0, 'day', 21, 0.0027)
    >>> trend([5, 5, 5, 5]).direction
    'no trend'
    """
    alpha = _alpha(alpha)
    series = _series(values_or_observations, kpi=kpi, segment=segment)
    _need(series, 3, "a trend test")
    y = series.values
    n = int(y.size)
    if series.when is None:
        x = np.arange(n, dtype=np.float64)
        unit: Literal["period", "day"] = "period"
        start = None
    else:
        origin = instant(series.when[0])
        x = np.array(
            [
                (instant(w) - origin).total_seconds() / _SECONDS_PER_DAY
                for w in series.when
            ],
            dtype=np.float64,
        )
        unit = "day"
        start = series.when[0]

    i, j = np.triu_indices(n, k=1)
    dy = y[j] - y[i]
    s = int(np.sign(dy).sum())
    _, counts = np.unique(y, return_counts=True)
    t = counts.astype(np.float64)
    var_s = float(n * (n - 1) * (2 * n + 5) - (t * (t - 1) * (2 * t + 5)).sum()) / 18
    # var(S) is 0 only when every value ties, and then S = 0 too.
    z = 0.0 if s == 0 else (s - math.copysign(1, s)) / math.sqrt(var_s)
    p_value = math.erfc(abs(z) / math.sqrt(2))
    direction: Direction = "no trend"
    if p_value < alpha:
        direction = "increasing" if s > 0 else "decreasing"
    pairs = n * (n - 1) // 2

    slopes = np.sort(dy / (x[j] - x[i]))
    slope = float(np.median(slopes))
    c = NormalDist().inv_cdf(1 - alpha / 2) * math.sqrt(var_s)
    slope_low = _order_statistic(slopes, (pairs - c) / 2)
    slope_high = _order_statistic(slopes, (pairs + c) / 2 + 1)
    intercept = float(np.median(y)) - slope * float(np.median(x))
    return Trend(
        n=n,
        s=s,
        var_s=var_s,
        z=z,
        p_value=p_value,
        alpha=float(alpha),
        direction=direction,
        tau=s / pairs,
        slope=slope,
        slope_low=slope_low,
        slope_high=slope_high,
        intercept=intercept,
        unit=unit,
        start=start,
        kpi=series.kpi,
        segment=series.segment,
        ignored=series.ignored,
    )


# ---------------------------------------------------------------------------
# Period-over-period change


@dataclass(frozen=True, slots=True)
class Change(Tabular):
    """The change of the latest value against one `periods` earlier.

    Attributes
    ----------
    latest : float
        The latest value.
    previous : float
        The value `periods` points before it.
    absolute : float
        ``latest - previous``.
    relative : float or None
        ``(latest - previous) / |previous|``, a fraction (0.1 is +10 %); its
        sign is the direction of the change even when `previous` is negative.
        ``None`` when `previous` is 0.
    reason : str or None
        Why `relative` is ``None``; ``None`` when it is known.
    periods : int
        How many points back `previous` is.
    latest_at, previous_at : date, datetime or None
        When the two values were measured (observations only).
    kpi : str or None
        The KPI, for observations.
    segment : str or None
        The segment, for observations.
    ignored : int
        Observations left out by the `kpi` and `segment` filters.

    Examples
    --------
    >>> change([80, 100, 110])
    Change(110 vs 100: +10 (+10%))
    >>> change([0, 5]).reason
    'previous value is 0; a relative change is undefined'
    """

    latest: float
    previous: float
    absolute: float
    relative: float | None
    reason: str | None
    periods: int
    latest_at: date | datetime | None = None
    previous_at: date | datetime | None = None
    kpi: str | None = None
    segment: str | None = None
    ignored: int = 0

    def __repr__(self) -> str:
        rel = "n/a" if self.relative is None else f"{100 * self.relative:+.4g}%"
        what = "" if self.kpi is None else f"{self.kpi!r}: "
        return (
            f"Change({what}{self.latest:.6g} vs {self.previous:.6g}: "
            f"{self.absolute:+.6g} ({rel}))"
        )

    def to_records(self) -> list[dict[str, Any]]:
        """One dict with every field, for a data frame.

        Examples
        --------
        >>> change([4, 5]).to_records()[0]["relative"]
        0.25
        """
        return [
            {
                "kpi": self.kpi,
                "segment": self.segment,
                "latest": self.latest,
                "previous": self.previous,
                "absolute": self.absolute,
                "relative": self.relative,
                "reason": self.reason,
                "periods": self.periods,
                "latest_at": self.latest_at,
                "previous_at": self.previous_at,
                "ignored": self.ignored,
            }
        ]


def _change(series: _Series, periods: int) -> Change:
    y = series.values
    latest = float(y[-1])
    previous = float(y[-1 - periods])
    absolute = latest - previous
    relative: float | None = None
    reason: str | None = None
    if previous == 0:
        reason = "previous value is 0; a relative change is undefined"
    else:
        relative = absolute / abs(previous)
    when = series.when
    return Change(
        latest=latest,
        previous=previous,
        absolute=absolute,
        relative=relative,
        reason=reason,
        periods=periods,
        latest_at=None if when is None else when[-1],
        previous_at=None if when is None else when[-1 - periods],
        kpi=series.kpi,
        segment=series.segment,
        ignored=series.ignored,
    )


def change(
    values_or_observations: Iterable[float] | Iterable[Observation],
    *,
    periods: int = 1,
    kpi: str | None = None,
    segment: str | None = None,
) -> Change:
    """Return the period-over-period change of the latest value.

    Compares the latest value with the one `periods` points before it in time
    order: ``periods=1`` is week over week for a weekly KPI, ``periods=52``
    year over year.

    Parameters
    ----------
    values_or_observations : iterable of float, or of Observation
        Plain values in time order, or observations (put in time order by
        `Observation.when`).
    periods : int
        How many points back to compare with; ``>= 1``.
    kpi : str, optional
        Use only observations of this KPI.
    segment : str, optional
        Use only observations of this segment.

    Returns
    -------
    Change

    Raises
    ------
    InvalidInputError
        If there are not more than `periods` values, a value is not a finite
        number, `periods` is not a positive whole number, or the observations
        are of several KPIs or segments and no filter picks one.

    Notes
    -----
    The relative change divides by ``|previous|`` so that a rise from -10 to
    -5 is +50 %, not -50 %; with a positive previous value this is the usual
    ``latest / previous - 1``. It is ``None``, with the reason, when the
    previous value is 0.

    Examples
    --------
    >>> c = change([120, 100, 90, 99])
    >>> c.absolute, round(c.relative, 4)
    (9.0, 0.1)
    >>> change([120, 100, 90, 99], periods=3).relative
    -0.175
    """
    periods = _positive_int("periods", periods)
    series = _series(values_or_observations, kpi=kpi, segment=segment)
    _need(series, periods + 1, f"a change over {periods} periods")
    return _change(series, periods)


# ---------------------------------------------------------------------------
# Seasonal naive


@dataclass(frozen=True, slots=True)
class SeasonalNaive(Tabular):
    """A seasonal naive forecast, with the same-period-last-season change.

    Attributes
    ----------
    season : int
        Points per season (52 for weekly data with a yearly pattern).
    forecast : tuple of float
        ``forecast[h - 1]`` is the forecast `h` points after the latest:
        the last observed value of the same season position.
    source : tuple of int
        For each forecast, the 0-based index of the value it repeats.
    vs_last_season : Change or None
        The latest value against the one a season earlier; ``None`` when
        there are only `season` values.
    mase : float or None
        Mean absolute scaled error of the in-sample seasonal naive fit
        (Hyndman & Koehler 2006): ``mean |y[t] - y[t - season]|`` over
        ``mean |y[t] - y[t - 1]|``. Below 1 the seasonal naive beats the plain
        naive forecast in sample. ``None`` when undefined, see `mase_reason`.
    mase_reason : str or None
        Why `mase` is ``None``.
    n : int
        Number of values used.
    kpi : str or None
        The KPI, for observations.
    segment : str or None
        The segment, for observations.
    ignored : int
        Observations left out by the `kpi` and `segment` filters.

    Examples
    --------
    >>> f = seasonal_naive([10, 20, 30, 12, 22, 33], season=3, horizon=4)
    >>> f.forecast, f.source
    ((12.0, 22.0, 33.0, 12.0), (3, 4, 5, 3))
    >>> f
    SeasonalNaive(season=3, n=6, forecast=(12, 22, 33, 12), MASE=0.1977)
    """

    season: int
    forecast: tuple[float, ...]
    source: tuple[int, ...]
    vs_last_season: Change | None
    mase: float | None
    mase_reason: str | None
    n: int
    kpi: str | None = None
    segment: str | None = None
    ignored: int = 0

    def __repr__(self) -> str:
        what = "" if self.kpi is None else f"{self.kpi!r}, "
        values = ", ".join(f"{v:.6g}" for v in self.forecast)
        if len(self.forecast) == 1:
            values += ","
        mase = "n/a" if self.mase is None else f"{self.mase:.4g}"
        return (
            f"SeasonalNaive({what}season={self.season}, n={self.n}, "
            f"forecast=({values}), MASE={mase})"
        )

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per forecast step: step, forecast and the index it repeats.

        Examples
        --------
        >>> seasonal_naive([1, 2, 3, 4], season=2).to_records()
        [{'step': 1, 'forecast': 3.0, 'source': 2, 'season': 2}]
        """
        return [
            {"step": h, "forecast": value, "source": source, "season": self.season}
            for h, (value, source) in enumerate(
                zip(self.forecast, self.source, strict=True), start=1
            )
        ]


def seasonal_naive(
    values_or_observations: Iterable[float] | Iterable[Observation],
    *,
    season: int,
    horizon: int = 1,
    kpi: str | None = None,
    segment: str | None = None,
) -> SeasonalNaive:
    """Forecast with the seasonal naive method and compare with last season.

    With `n` values and `m` = `season`, the forecast `h` points ahead repeats
    the last value at the same position in the season:
    ``y[n - 1 + h - m * k]`` with ``k = ceil(h / m)`` (Hyndman &
    Athanasopoulos, *Forecasting: Principles and Practice*, 5.2).

    Parameters
    ----------
    values_or_observations : iterable of float, or of Observation
        Plain values in time order, one per period, or observations (put in
        time order by `Observation.when`; they should be equally spaced).
    season : int
        Points per season, ``>= 1``; 1 gives the plain naive forecast.
    horizon : int
        How many points ahead to forecast, ``>= 1``.
    kpi : str, optional
        Use only observations of this KPI.
    segment : str, optional
        Use only observations of this segment.

    Returns
    -------
    SeasonalNaive

    Raises
    ------
    InvalidInputError
        If there are fewer than `season` values (or fewer than 2), a value is
        not a finite number, `season` or `horizon` is not a positive whole
        number, or the observations are of several KPIs or segments and no
        filter picks one.

    Notes
    -----
    MASE follows Hyndman & Koehler (2006): the in-sample errors of the
    seasonal naive fit, ``y[t] - y[t - m]``, scaled by the in-sample mean
    absolute error of the one-step naive forecast. (Hyndman &
    Athanasopoulos scale seasonal data by the seasonal naive error instead,
    which makes this ratio 1 by construction.) It is undefined, with the
    reason in `mase_reason`, when there are only `season` values or the
    series never changes.

    References
    ----------
    .. [1] Hyndman, R. J., & Koehler, A. B. (2006). Another look at measures
       of forecast accuracy. *International Journal of Forecasting* 22(4),
       679-688.

    Examples
    --------
    Two weeks of daily values, weekly season:

    >>> daily = [5, 9, 9, 8, 9, 3, 2, 6, 10, 9, 9, 10, 4, 2]
    >>> f = seasonal_naive(daily, season=7, horizon=2)
    >>> f.forecast, f.vs_last_season.absolute
    ((6.0, 10.0), 0.0)
    """
    season = _positive_int("season", season)
    horizon = _positive_int("horizon", horizon)
    series = _series(values_or_observations, kpi=kpi, segment=segment)
    _need(series, max(season, 2), f"a seasonal naive forecast with season={season}")
    y = series.values
    n = int(y.size)
    source = tuple(
        n - 1 + h - season * math.ceil(h / season) for h in range(1, horizon + 1)
    )
    forecast = tuple(float(y[i]) for i in source)
    vs_last_season = None if n <= season else _change(series, season)
    mase: float | None = None
    mase_reason: str | None = None
    if n <= season:
        mase_reason = f"only {n} values: no in-sample fit for season={season}"
    else:
        naive_mae = float(np.abs(np.diff(y)).mean())
        if naive_mae == 0:
            mase_reason = "the series never changes: the naive scale is 0"
        else:
            mase = float(np.abs(y[season:] - y[:-season]).mean()) / naive_mae
    return SeasonalNaive(
        season=season,
        forecast=forecast,
        source=source,
        vs_last_season=vs_last_season,
        mase=mase,
        mase_reason=mase_reason,
        n=n,
        kpi=series.kpi,
        segment=series.segment,
        ignored=series.ignored,
    )
