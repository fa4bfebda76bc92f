"""XmR (individuals and moving range) control charts and run rules."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from .._tabular import Tabular
from ..errors import InvalidInputError
from ..model.kpi import Observation
from ._status import instant

__all__ = [
    "NIST_SCALE",
    "RULE_SETS",
    "RuleSet",
    "Signal",
    "WHEELER_SCALE",
    "XmRChart",
    "signals",
    "xmr",
]

RuleSet = Literal["western_electric", "nelson"]
"""The named run-rule sets: Western Electric (1956) and Nelson (1984)."""

RULE_SETS: tuple[RuleSet, ...] = ("nelson", "western_electric")
"""Every rule-set name `xmr` accepts."""

WHEELER_SCALE = 2.66
"""Wheeler's natural-process-limit factor: limits are mean ± 2.66 x mean MR."""

NIST_SCALE = 3 / 1.128
"""NIST e-Handbook 6.3.2.2 factor: 3 / d2 with d2 = 1.128 for ranges of two."""

_MR_UCL = {"wheeler": 3.268, "nist": 3.267}
"""Upper range limit factor (D4 for ranges of two): Wheeler rounds to 3.268."""

_DEFAULT_RUN = {"western_electric": 8, "nelson": 9}

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Signal:
    """One run rule firing: a KPI anomaly.

    Attributes
    ----------
    rule_set : {"western_electric", "nelson"}
        The rule set the rule belongs to.
    rule : int
        The rule's number in its set (Western Electric 1-4, Nelson 1-8).
    name : str
        A short name, such as ``"beyond_limits"`` or ``"run"``.
    points : tuple of int
        0-based indices of the points that make the pattern, in order.
    description : str
        The rule and where it fired, in words.

    Examples
    --------
    >>> (signal,) = signals([5, 6, 5, 6, 5, 6, 5, 30])
    >>> signal.rule, signal.name, signal.points
    (1, 'beyond_limits', (7,))
    """

    rule_set: RuleSet
    rule: int
    name: str
    points: tuple[int, ...]
    description: str


@dataclass(frozen=True, slots=True)
class XmRChart(Tabular):
    """An XmR chart: individuals with natural process limits, and moving ranges.

    Attributes
    ----------
    values : tuple of float
        The individual values, in time order.
    moving_ranges : tuple of float
        ``|x[i] - x[i-1]|``; one fewer than `values`.
    centre : float
        Mean of the values.
    mean_moving_range : float
        Mean of the moving ranges.
    sigma : float
        The estimated standard deviation, ``(ucl - centre) / 3``.
    ucl, lcl : float
        Upper and lower natural process limits, ``centre ± scale x mean MR``.
    mr_ucl : float
        Upper range limit, ``3.268 x mean MR`` (Wheeler; NIST's D4 is 3.267).
    scale : float
        The factor used: `WHEELER_SCALE` or `NIST_SCALE`.
    rule_set : {"western_electric", "nelson"}
        The run rules checked.
    run_length : int
        Points in a row on one side that make a run.
    signals : tuple of Signal
        Every rule firing, ordered by first point, then rule.

    Examples
    --------
    >>> chart = xmr([3, 4, 3, 5, 4])
    >>> chart.centre, chart.moving_ranges, round(chart.ucl, 3)
    (3.8, (1.0, 1.0, 2.0, 1.0), 7.125)
    >>> chart
    XmRChart(5 points, centre 3.8, limits 0.475..7.125, 0 signals)
    """

    values: tuple[float, ...]
    moving_ranges: tuple[float, ...]
    centre: float
    mean_moving_range: float
    sigma: float
    ucl: float
    lcl: float
    mr_ucl: float
    scale: float
    rule_set: RuleSet
    run_length: int
    signals: tuple[Signal, ...]

    def __repr__(self) -> str:
        rules = sorted({s.name for s in self.signals})
        return (
            f"XmRChart({len(self.values)} points, centre {self.centre:.4g}, "
            f"limits {self.lcl:.4g}..{self.ucl:.4g}, {len(self.signals)} signals"
            + (f": {', '.join(rules)})" if rules else ")")
        )

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per point: index, value, moving range, limits and rules fired.

        Examples
        --------
        >>> chart = xmr([10, 12, 11, 30])
        >>> chart.to_records()[3]["rules"]
        []
        >>> chart.to_records()[1]["moving_range"]
        2.0
        """
        fired: dict[int, list[str]] = {}
        for s in self.signals:
            for p in s.points:
                fired.setdefault(p, []).append(f"{s.rule_set}_{s.rule}")
        return [
            {
                "index": i,
                "value": x,
                "moving_range": None if i == 0 else self.moving_ranges[i - 1],
                "centre": self.centre,
                "ucl": self.ucl,
                "lcl": self.lcl,
                "rules": fired.get(i, []),
            }
            for i, x in enumerate(self.values)
        ]


def _as_values(data: Iterable[float] | Iterable[Observation]) -> FloatArray:
    items = list(data)
    if any(isinstance(x, Observation) for x in items):
        bad = [i for i, x in enumerate(items) if not isinstance(x, Observation)]
        if bad:
            msg = f"data: mix of observations and numbers at {bad}; give one kind"
            raise InvalidInputError(msg)
        obs = [x for x in items if isinstance(x, Observation)]
        keys = sorted({o.kpi for o in obs})
        if len(keys) > 1:
            msg = f"data: observations of several KPIs {keys}; filter to one KPI"
            raise InvalidInputError(msg)
        obs.sort(key=lambda o: instant(o.when))
        return np.array([o.value for o in obs], dtype=np.float64)
    problems = []
    out = []
    for i, x in enumerate(items):
        if isinstance(x, bool) or not isinstance(x, (int, float, np.number)):
            problems.append(f"data[{i}] = {x!r} is not a number")
            continue
        value = float(x)
        if not math.isfinite(value):
            problems.append(f"data[{i}] = {value} is not finite")
        out.append(value)
    if problems:
        msg = "data: " + "; ".join(problems)
        raise InvalidInputError(msg)
    return np.array(out, dtype=np.float64)


Window = tuple[int, int, tuple[int, ...]]
"""Start, end (inclusive) and the points that make the pattern."""


def _merge(windows: list[Window]) -> list[Window]:
    """Merge overlapping windows into one pattern each."""
    merged: list[Window] = []
    for start, end, points in windows:
        if merged and start <= merged[-1][1]:
            s0, e0, p0 = merged[-1]
            merged[-1] = (s0, max(e0, end), tuple(sorted({*p0, *points})))
        else:
            merged.append((start, end, points))
    return merged


def _m_of_n(side: BoolArray, m: int, n: int) -> list[Window]:
    """Windows of `n` with at least `m` points flagged in `side`."""
    out: list[Window] = []
    for start in range(len(side) - n + 1):
        flagged = [start + j for j in range(n) if side[start + j]]
        if len(flagged) >= m:
            out.append((start, start + n - 1, tuple(flagged)))
    return _merge(out)


def _every(flags: BoolArray, n: int) -> list[Window]:
    """Windows of `n` consecutive flagged points."""
    return _m_of_n(flags, n, n)


def _sided(
    z: FloatArray, test: Callable[[FloatArray], list[Window]]
) -> list[tuple[str, Window]]:
    """Apply a one-sided window test above and below the centre."""
    found = [("above", w) for w in test(z)] + [("below", w) for w in test(-z)]
    return sorted(found, key=lambda f: f[1])


def _trend(x: FloatArray, n: int) -> list[tuple[str, Window]]:
    d = np.diff(x)
    found = [("increasing", w) for w in _every(d > 0, n - 1)]
    found += [("decreasing", w) for w in _every(d < 0, n - 1)]
    return sorted(
        ((k, (s, e + 1, tuple(range(s, e + 2)))) for k, (s, e, _) in found),
        key=lambda f: f[1],
    )


def _alternating(x: FloatArray, n: int) -> list[tuple[str, Window]]:
    d = np.sign(np.diff(x))
    flips = (d[1:] * d[:-1]) < 0  # flips[i]: direction changes at point i + 1
    return [
        ("alternating", (s, e + 2, tuple(range(s, e + 3))))
        for s, e, _ in _every(flips, n - 2)
    ]


def _rules(
    x: FloatArray, centre: float, sigma: float, rule_set: RuleSet, run_length: int
) -> list[tuple[int, str, str, list[tuple[str, Window]]]]:
    """Return ``(rule, name, template, findings)`` for each rule of the set."""
    z = (x - centre) / sigma if sigma > 0 else np.zeros_like(x)

    beyond3 = _sided(z, lambda zz: _every(zz > 3, 1))
    two_of_3 = _sided(z, lambda zz: _m_of_n(zz > 2, 2, 3))
    four_of_5 = _sided(z, lambda zz: _m_of_n(zz > 1, 4, 5))
    run = _sided(z, lambda zz: _every(zz > 0, run_length))
    table: dict[str, tuple[str, str, list[tuple[str, Window]]]] = {
        "beyond": ("beyond_limits", "{n} point(s) {side} the 3-sigma limit", beyond3),
        "2of3": (
            "two_of_three",
            "2 of 3 points {side} 2 sigma on the same side, {n} points flagged",
            two_of_3,
        ),
        "4of5": (
            "four_of_five",
            "4 of 5 points {side} 1 sigma on the same side, {n} points flagged",
            four_of_5,
        ),
        "run": ("run", "{n} points in a row {side} the centre line", run),
    }
    if rule_set == "western_electric":
        order = ["beyond", "2of3", "4of5", "run"]
        return [(i + 1, *table[k]) for i, k in enumerate(order)]
    within = np.abs(z) < 1
    outside = np.abs(z) > 1
    mixed = [
        ("on both sides", w)
        for w in _every(outside, 8)
        if (z[list(w[2])] > 0).any() and (z[list(w[2])] < 0).any()
    ]
    return [
        (1, *table["beyond"]),
        (2, *table["run"]),
        (3, "trend", "{n} points in a row steadily {side}", _trend(x, 6)),
        (
            4,
            "alternating",
            "{n} points in a row alternating up and down",
            _alternating(x, 14),
        ),
        (5, *table["2of3"]),
        (6, *table["4of5"]),
        (
            7,
            "stratification",
            "{n} points in a row within 1 sigma of the centre",
            [("within", w) for w in _every(within, 15)],
        ),
        (8, "mixture", "{n} points in a row beyond 1 sigma {side}", mixed),
    ]


def _check_options(rules: str, run_length: object, limits: str) -> int:
    problems = []
    if rules not in RULE_SETS:
        problems.append(f"rules: {rules!r} is not one of {list(RULE_SETS)}")
    if limits not in _MR_UCL:
        problems.append(f"limits: {limits!r} is not one of {sorted(_MR_UCL)}")
    ok_run = run_length is None or (
        isinstance(run_length, int)
        and not isinstance(run_length, bool)
        and run_length >= 2
    )
    if not ok_run:
        problems.append(f"run_length: {run_length!r} is not an integer >= 2")
    if problems:
        msg = "; ".join(problems)
        raise InvalidInputError(msg)
    if isinstance(run_length, int):
        return run_length
    return _DEFAULT_RUN[rules]


def xmr(
    data: Iterable[float] | Iterable[Observation],
    *,
    rules: RuleSet = "western_electric",
    run_length: int | None = None,
    limits: Literal["wheeler", "nist"] = "wheeler",
) -> XmRChart:
    """Build an XmR (individuals and moving range) chart and check its run rules.

    The centre line is the mean ``x̄``, the moving ranges are
    ``|x[i] - x[i-1]|`` with mean ``MR̄``, and the natural process limits are
    ``x̄ ± 2.66 MR̄`` (Wheeler, *Understanding Variation*), or with
    ``limits="nist"`` ``x̄ ± 3 MR̄ / 1.128`` (NIST e-Handbook 6.3.2.2); the two
    differ in the fourth significant digit. The upper range limit is
    ``3.268 MR̄`` (NIST: 3.267). Sigma is a third of the distance to a limit.

    Run rules, by `rules`:

    - ``"western_electric"`` (1956): 1 one point beyond 3 sigma; 2 two of
      three beyond 2 sigma on one side; 3 four of five beyond 1 sigma on one
      side; 4 a run of **8** on one side of the centre.
    - ``"nelson"`` (1984): 1 beyond 3 sigma; 2 a run of **9** on one side;
      3 six points steadily increasing or decreasing; 4 fourteen alternating up
      and down; 5 two of three beyond 2 sigma; 6 four of five beyond 1 sigma;
      7 fifteen within 1 sigma; 8 eight beyond 1 sigma with none within and
      some on each side.

    The two sets disagree on the run length; `run_length` overrides it.
    Overlapping firings of one rule on one side merge into one `Signal`.
    "Beyond" is strict: a point exactly on a limit does not fire.

    Parameters
    ----------
    data : iterable of float, or of Observation
        The values in time order; observations (of one KPI) are put in time
        order by `Observation.when`.
    rules : {"western_electric", "nelson"}
        The run-rule set to check.
    run_length : int, optional
        Points in a row on one side that make a run; default 8 (Western
        Electric) or 9 (Nelson).
    limits : {"wheeler", "nist"}
        The limit factor: 2.66 or 3 / 1.128.

    Returns
    -------
    XmRChart

    Raises
    ------
    InvalidInputError
        If there are fewer than two values, a value is not a finite number,
        observations are of several KPIs, or an option is unknown.

    See Also
    --------
    signals : Only the rule firings.

    Examples
    --------
    The NIST e-Handbook 6.3.2.2 flow-rate example:

    >>> flow = [49.6, 47.6, 49.9, 51.3, 47.8, 51.2, 52.6, 52.4, 53.6, 52.1]
    >>> chart = xmr(flow, limits="nist")
    >>> round(chart.centre, 2), round(chart.mean_moving_range, 4)
    (50.81, 1.8778)
    >>> round(chart.ucl, 4), round(chart.lcl, 4)
    (55.8041, 45.8159)
    >>> round(xmr(flow).ucl, 4)  # Wheeler's 2.66
    55.8049
    >>> chart.signals
    ()
    """
    run = _check_options(rules, run_length, limits)
    x = _as_values(data)
    if x.size < 2:
        msg = f"data: an XmR chart needs at least 2 values, got {x.size}"
        raise InvalidInputError(msg)
    mr = np.abs(np.diff(x))
    centre = float(x.mean())
    mr_bar = float(mr.mean())
    scale = WHEELER_SCALE if limits == "wheeler" else NIST_SCALE
    half = scale * mr_bar
    sigma = half / 3
    found: list[Signal] = []
    for rule, name, template, windows in _rules(x, centre, sigma, rules, run):
        for side, (start, end, points) in windows:
            text = template.format(n=len(points), side=side)
            span = f"point {start}" if start == end else f"points {start}-{end}"
            description = f"{rules} rule {rule}: {text} ({span})"
            found.append(Signal(rules, rule, name, points, description))
    found.sort(key=lambda s: (s.points[0], s.rule))
    return XmRChart(
        values=tuple(float(v) for v in x),
        moving_ranges=tuple(float(v) for v in mr),
        centre=centre,
        mean_moving_range=mr_bar,
        sigma=sigma,
        ucl=centre + half,
        lcl=centre - half,
        mr_ucl=_MR_UCL[limits] * mr_bar,
        scale=scale,
        rule_set=rules,
        run_length=run,
        signals=tuple(found),
    )


def signals(
    data: Iterable[float] | Iterable[Observation],
    *,
    rules: RuleSet = "western_electric",
    run_length: int | None = None,
    limits: Literal["wheeler", "nist"] = "wheeler",
) -> tuple[Signal, ...]:
    """Return the run-rule firings (KPI anomalies) of an XmR chart of `data`.

    Same as ``xmr(data, ...).signals``; see `xmr` for the rules and options.

    Examples
    --------
    >>> values = [10, 11, 10, 11, 10, 11, 10, 11, 10, 40]
    >>> [(s.rule, s.name, s.points) for s in signals(values)]
    [(4, 'run', (0, 1, 2, 3, 4, 5, 6, 7, 8)), (1, 'beyond_limits', (9,))]
    >>> print(signals(values)[0].description)
    western_electric rule 4: 9 points in a row below the centre line (points 0-8)
    >>> signals(values, rules="nelson")[0].rule  # Nelson's run is 9 long
    2
    """
    return xmr(data, rules=rules, run_length=run_length, limits=limits).signals
