"""Customer metrics from feedback: NPS, CSAT, CES, themes and initiative demand."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from statistics import NormalDist
from typing import Any, Literal

from .._tabular import Tabular
from ..errors import InvalidInputError
from ..model.feedback import Feedback, FeedbackKind, Initiative

__all__ = [
    "Ces",
    "Csat",
    "Demand",
    "InitiativeDemand",
    "Nps",
    "ThemeCount",
    "Themes",
    "ces",
    "csat",
    "demand",
    "nps",
    "themes",
]

NpsMethod = Literal["wald", "adjusted_wald"]
"""How `nps` builds its confidence interval."""

_NPS_METHODS = ("wald", "adjusted_wald")
_PROMOTER_MIN = 9
_DETRACTOR_MAX = 6
_PSEUDO = Fraction(3, 4)
"""Pseudo-observations added to promoters and detractors by the adjusted Wald."""


# --------------------------------------------------------------------------- scores


def _read_scores(
    scores_or_feedback: Iterable[float | Feedback],
    *,
    kind: FeedbackKind,
    low: int,
    high: int,
    argument: str,
) -> tuple[list[int], tuple[str, ...]]:
    """Return the whole-number scores and the keys of the feedback skipped.

    Raises one `InvalidInputError` naming every bad score.
    """
    scores: list[int] = []
    skipped: list[str] = []
    bad: list[str] = []
    for i, item in enumerate(scores_or_feedback):
        if isinstance(item, Feedback):
            if item.kind != kind or item.rating is None:
                skipped.append(item.key)
                continue
            value: object = item.rating
            where = f"feedback {item.key!r} rating"
        else:
            value = item
            where = f"{argument}[{i}]"
        score = _whole(value, low, high)
        if score is None:
            bad.append(f"{where} = {value!r}")
        else:
            scores.append(score)
    if bad:
        msg = (
            f"{argument}: scores must be whole numbers from {low} to {high}; "
            f"bad: {', '.join(bad)}"
        )
        raise InvalidInputError(msg)
    return scores, tuple(skipped)


def _whole(value: object, low: int, high: int) -> int | None:
    """Return `value` as an int on ``[low, high]``, or ``None`` when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        return None
    return number if low <= number <= high else None


def _no_scores(what: str, skipped: tuple[str, ...]) -> str:
    extra = f" ({len(skipped)} feedback of other kinds skipped)" if skipped else ""
    return f"{what}: no scores to compute it from (n = 0){extra}"


def _pct(x: Fraction | float) -> str:
    return f"{float(x):.1f}"


@dataclass(frozen=True, slots=True)
class Nps(Tabular):
    """A Net Promoter Score with its counts and confidence interval.

    Attributes
    ----------
    score : Fraction
        ``100 * (promoters - detractors) / n``, exact, in ``[-100, 100]``.
    promoters, passives, detractors : int
        Answers of 9-10, 7-8 and 0-6.
    n : int
        Answers counted.
    low, high : float
        The confidence interval, on the same -100..100 scale, clipped to it.
    confidence : float
        The interval's confidence level (``0.95``).
    method : {"wald", "adjusted_wald"}
        How the interval was built (see `nps`).
    skipped : tuple of str
        Keys of feedback skipped: other kinds, or no rating.

    Examples
    --------
    >>> r = nps([10, 9, 9, 8, 7, 7, 7, 6, 3, 8])
    >>> r
    Nps(+10, n=10: 3 promoters, 5 passives, 2 detractors; 95% CI [-33.4, 53.4] wald)
    >>> r.promoter_share, r.detractor_share
    (Fraction(3, 10), Fraction(1, 5))
    """

    score: Fraction
    promoters: int
    passives: int
    detractors: int
    n: int
    low: float
    high: float
    confidence: float
    method: NpsMethod
    skipped: tuple[str, ...] = ()

    def __repr__(self) -> str:
        score = (
            f"{float(self.score):+g}"
            if self.score.denominator == 1
            else f"{float(self.score):+.1f}"
        )
        return (
            f"Nps({score}, n={self.n}: {self.promoters} promoters, "
            f"{self.passives} passives, {self.detractors} detractors; "
            f"{self.confidence:.0%} CI [{_pct(self.low)}, {_pct(self.high)}] "
            f"{self.method})"
        )

    @property
    def promoter_share(self) -> Fraction:
        """Share of promoters, exact, in ``[0, 1]``."""
        return Fraction(self.promoters, self.n)

    @property
    def passive_share(self) -> Fraction:
        """Share of passives, exact, in ``[0, 1]``."""
        return Fraction(self.passives, self.n)

    @property
    def detractor_share(self) -> Fraction:
        """Share of detractors, exact, in ``[0, 1]``."""
        return Fraction(self.detractors, self.n)

    def to_records(self) -> list[dict[str, Any]]:
        """Return one dict with plain values (floats for fractions).

        Examples
        --------
        >>> nps([9, 0]).to_records()[0]["nps"]
        0.0
        """
        return [
            {
                "nps": float(self.score),
                "n": self.n,
                "promoters": self.promoters,
                "passives": self.passives,
                "detractors": self.detractors,
                "promoter_share": float(self.promoter_share),
                "passive_share": float(self.passive_share),
                "detractor_share": float(self.detractor_share),
                "low": self.low,
                "high": self.high,
                "confidence": self.confidence,
                "method": self.method,
                "skipped": len(self.skipped),
            }
        ]


def _z(confidence: float) -> float:
    level: object = confidence
    if not (isinstance(level, float | int) and 0 < level < 1):
        msg = f"confidence must lie strictly between 0 and 1, got {confidence!r}"
        raise InvalidInputError(msg)
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def _trinomial_interval(
    promoters: Fraction, detractors: Fraction, n: Fraction, z: float
) -> tuple[float, float]:
    """Wald interval of ``p+ - p-`` on the -100..100 scale, clipped."""
    p_plus, p_minus = promoters / n, detractors / n
    centre = p_plus - p_minus
    variance = (p_plus + p_minus - centre**2) / n
    half = z * math.sqrt(variance)
    low = max(-100.0, 100 * (float(centre) - half))
    high = min(100.0, 100 * (float(centre) + half))
    return low, high


def nps(
    scores_or_feedback: Iterable[float | Feedback],
    *,
    confidence: float = 0.95,
    method: NpsMethod = "wald",
) -> Nps:
    """Return the Net Promoter Score of 0-10 answers, with a confidence interval.

    Promoters answer 9-10, passives 7-8, detractors 0-6, and
    ``NPS = 100 * (promoters - detractors) / n``, computed exactly. Feedback
    records count when their kind is ``nps``; others are skipped and their keys
    listed in `Nps.skipped`.

    The interval treats the NPS as the difference of two trinomial shares,
    ``var = (p+ + p- - (p+ - p-)**2) / n``, and is ``centre +/- z * sqrt(var)``
    clipped to ``[-100, 100]``:

    - ``"wald"``: the shares as observed; the interval is centred on the score.
    - ``"adjusted_wald"``: first adds 3/4 of a pseudo-answer to promoters and to
      detractors (and 3/2 to passives, so ``n + 3``), as Rocks (2016)
      recommends for small samples. The interval is centred on the shrunk
      ``(promoters - detractors) / (n + 3)``, so for very small `n` it may not
      contain the (unadjusted) `Nps.score`.

    Parameters
    ----------
    scores_or_feedback : iterable of int or Feedback
        Whole-number answers 0-10 (``9.0`` is accepted), or feedback records.
    confidence : float, default 0.95
        Confidence level of the interval, strictly between 0 and 1.
    method : {"wald", "adjusted_wald"}, default "wald"
        How the interval is built.

    Returns
    -------
    Nps

    Raises
    ------
    InvalidInputError
        If any score is not a whole number 0-10 (all are named, by position or
        feedback key), if nothing is left to count, or if `confidence` or
        `method` is invalid.

    Notes
    -----
    Promoter/detractor bands: Reichheld (2003), "The One Number You Need to
    Grow", Harvard Business Review. The adjusted Wald follows the description
    by Lewis and Sauro (MeasuringU, "Evaluating NPS Confidence Intervals with
    Real-World Data", 2021: add 3 to n and 3/4 to promoters and detractors) and
    the defaults of Rocks's R package ``NPS`` (``nps_test``,
    ``pseudo_observations = c(0.75, 1.5, 0.75)``).

    References
    ----------
    .. [1] B. Rocks, "Interval Estimation for the 'Net Promoter Score'",
       The American Statistician 70(4), 365-372, 2016.

    Examples
    --------
    30 % promoters and 20 % detractors give +10 (DELA annual report 2018):

    >>> r = nps([9] * 3 + [7] * 5 + [0] * 2)
    >>> r.score
    Fraction(10, 1)
    >>> round(r.low, 2), round(r.high, 2)
    (-33.39, 53.39)
    >>> a = nps([9] * 3 + [7] * 5 + [0] * 2, method="adjusted_wald")
    >>> round(a.low, 2), round(a.high, 2)
    (-30.52, 45.9)
    """
    if method not in _NPS_METHODS:
        msg = f"method must be one of {', '.join(_NPS_METHODS)}, not {method!r}"
        raise InvalidInputError(msg)
    z = _z(confidence)
    scores, skipped = _read_scores(
        scores_or_feedback,
        kind=FeedbackKind.NPS,
        low=0,
        high=10,
        argument="scores_or_feedback",
    )
    if not scores:
        msg = _no_scores("nps", skipped)
        raise InvalidInputError(msg)
    n = len(scores)
    promoters = sum(1 for s in scores if s >= _PROMOTER_MIN)
    detractors = sum(1 for s in scores if s <= _DETRACTOR_MAX)
    extra = _PSEUDO if method == "adjusted_wald" else Fraction(0)
    low, high = _trinomial_interval(
        promoters + extra, detractors + extra, Fraction(n) + 4 * extra, z
    )
    return Nps(
        score=Fraction(100 * (promoters - detractors), n),
        promoters=promoters,
        passives=n - promoters - detractors,
        detractors=detractors,
        n=n,
        low=low,
        high=high,
        confidence=float(confidence),
        method=method,
        skipped=skipped,
    )


@dataclass(frozen=True, slots=True)
class Csat(Tabular):
    """Customer satisfaction: the top-box share, with the mean reported apart.

    Attributes
    ----------
    score : Fraction
        Percentage of answers in the top box, exact, in ``[0, 100]``.
    satisfied : int
        Answers in the top box (4-5 on the default 1-5 scale).
    n : int
        Answers counted.
    mean : Fraction
        The mean answer, exact; some vendors call *this* CSAT.
    scale : tuple of int
        The answer scale ``(lowest, highest)``.
    top : int
        How many of the highest answers form the top box.
    skipped : tuple of str
        Keys of feedback skipped: other kinds, or no rating.

    Examples
    --------
    >>> csat([5, 4, 3, 2, 4])
    Csat(60.0% top-2 box, n=5, mean 3.6 on 1-5)
    """

    score: Fraction
    satisfied: int
    n: int
    mean: Fraction
    scale: tuple[int, int]
    top: int
    skipped: tuple[str, ...] = ()

    def __repr__(self) -> str:
        low, high = self.scale
        return (
            f"Csat({_pct(self.score)}% top-{self.top} box, n={self.n}, "
            f"mean {float(self.mean):.3g} on {low}-{high})"
        )

    def to_records(self) -> list[dict[str, Any]]:
        """Return one dict with plain values (floats for fractions).

        Examples
        --------
        >>> csat([5, 1]).to_records()[0]["csat"]
        50.0
        """
        return [
            {
                "csat": float(self.score),
                "satisfied": self.satisfied,
                "n": self.n,
                "mean": float(self.mean),
                "scale_low": self.scale[0],
                "scale_high": self.scale[1],
                "top": self.top,
                "skipped": len(self.skipped),
            }
        ]


def _check_scale(scale: tuple[int, int]) -> tuple[int, int]:
    given: object = scale
    ok = (
        isinstance(given, tuple)
        and len(given) == 2
        and all(_whole(x, -(10**9), 10**9) is not None for x in given)
        and given[0] < given[1]
    )
    if not ok:
        msg = f"scale must be (lowest, highest) whole numbers, lowest first: {scale!r}"
        raise InvalidInputError(msg)
    return int(scale[0]), int(scale[1])


def csat(
    scores_or_feedback: Iterable[float | Feedback],
    *,
    scale: tuple[int, int] = (1, 5),
    top: int = 2,
) -> Csat:
    """Return CSAT: the percentage of answers in the top `top` points of `scale`.

    On the usual 1-5 scale with ``top=2`` that is the share of 4s and 5s. The
    mean answer is reported too, as `Csat.mean`, because some tools call the
    mean "CSAT"; the two are never mixed. Feedback records count when their
    kind is ``csat``; others are skipped and listed in `Csat.skipped`.

    Parameters
    ----------
    scores_or_feedback : iterable of int or Feedback
        Whole-number answers on `scale`, or feedback records.
    scale : tuple of int, default (1, 5)
        Lowest and highest answer.
    top : int, default 2
        Size of the top box, from 1 to the number of scale points.

    Returns
    -------
    Csat

    Raises
    ------
    InvalidInputError
        If any answer is off the scale (all are named), nothing is left to
        count, or `scale` / `top` is invalid.

    Examples
    --------
    >>> r = csat([5, 4, 4, 3, 1])
    >>> r.score, r.mean
    (Fraction(60, 1), Fraction(17, 5))
    >>> csat([7, 6, 2], scale=(1, 7), top=1).satisfied
    1
    """
    low, high = _check_scale(scale)
    points = high - low + 1
    if _whole(top, 1, points) is None or isinstance(top, float):
        msg = f"top must be a whole number from 1 to {points}, not {top!r}"
        raise InvalidInputError(msg)
    scores, skipped = _read_scores(
        scores_or_feedback,
        kind=FeedbackKind.CSAT,
        low=low,
        high=high,
        argument="scores_or_feedback",
    )
    if not scores:
        msg = _no_scores("csat", skipped)
        raise InvalidInputError(msg)
    n = len(scores)
    satisfied = sum(1 for s in scores if s > high - top)
    return Csat(
        score=Fraction(100 * satisfied, n),
        satisfied=satisfied,
        n=n,
        mean=Fraction(sum(scores), n),
        scale=(low, high),
        top=top,
        skipped=skipped,
    )


@dataclass(frozen=True, slots=True)
class Ces(Tabular):
    """Customer effort score: the mean answer, with its scale and direction.

    Attributes
    ----------
    score : Fraction
        The mean answer, exact.
    n : int
        Answers counted.
    version : {1, 2}
        CES 2.0 (agreement, 1-7, higher is better) or CES 1.0 (effort, 1-5,
        lower is better).
    scale : tuple of int
        The answer scale ``(lowest, highest)``.
    higher_is_better : bool
        The direction of `score`.
    skipped : tuple of str
        Keys of feedback skipped: other kinds, or no rating.

    Examples
    --------
    >>> ces([7, 6, 5, 6])
    Ces(6 on 1-7, higher is better (CES 2.0), n=4)
    """

    score: Fraction
    n: int
    version: Literal[1, 2]
    scale: tuple[int, int]
    higher_is_better: bool
    skipped: tuple[str, ...] = ()

    def __repr__(self) -> str:
        low, high = self.scale
        direction = "higher" if self.higher_is_better else "lower"
        return (
            f"Ces({float(self.score):.3g} on {low}-{high}, {direction} is better "
            f"(CES {self.version}.0), n={self.n})"
        )

    def to_records(self) -> list[dict[str, Any]]:
        """Return one dict with plain values.

        Examples
        --------
        >>> ces([2, 3], version=1).to_records()[0]["higher_is_better"]
        False
        """
        return [
            {
                "ces": float(self.score),
                "n": self.n,
                "version": self.version,
                "scale_low": self.scale[0],
                "scale_high": self.scale[1],
                "higher_is_better": self.higher_is_better,
                "skipped": len(self.skipped),
            }
        ]


def ces(
    scores_or_feedback: Iterable[float | Feedback],
    *,
    version: Literal[1, 2] = 2,
) -> Ces:
    """Return the customer effort score: the mean answer.

    CES 2.0 (default) asks how far customers agree that the company made their
    issue easy to handle, on 1-7: higher is better. The older CES 1.0 asked how
    much effort it took, on 1-5: lower is better. The result states which, so
    the two are never compared by mistake. Feedback records count when their
    kind is ``ces``; others are skipped and listed in `Ces.skipped`.

    Parameters
    ----------
    scores_or_feedback : iterable of int or Feedback
        Whole-number answers on the version's scale, or feedback records.
    version : {1, 2}, default 2
        Which CES.

    Returns
    -------
    Ces

    Raises
    ------
    InvalidInputError
        If any answer is off the scale (all are named), nothing is left to
        count, or `version` is not 1 or 2.

    Examples
    --------
    >>> ces([7, 6, 5, 6]).score
    Fraction(6, 1)
    >>> ces([1, 2, 2], version=1)
    Ces(1.67 on 1-5, lower is better (CES 1.0), n=3)
    """
    if version not in (1, 2) or isinstance(version, bool):
        msg = f"version must be 1 or 2, not {version!r}"
        raise InvalidInputError(msg)
    low, high = (1, 7) if version == 2 else (1, 5)
    scores, skipped = _read_scores(
        scores_or_feedback,
        kind=FeedbackKind.CES,
        low=low,
        high=high,
        argument="scores_or_feedback",
    )
    if not scores:
        msg = _no_scores("ces", skipped)
        raise InvalidInputError(msg)
    return Ces(
        score=Fraction(sum(scores), len(scores)),
        n=len(scores),
        version=version,
        scale=(low, high),
        higher_is_better=version == 2,
        skipped=skipped,
    )


# --------------------------------------------------------------------------- themes

ThemeBy = Literal["tag", "initiative"]
"""What `themes` groups feedback by."""
Weight = Literal["account_value"]
"""A feedback field to weight by."""


def _aware(name: str, value: datetime | None) -> datetime | None:
    if value is None:
        return None
    given: object = value
    if not isinstance(given, datetime):
        msg = f"{name}: expected a timezone-aware datetime, got {value!r}"
        raise InvalidInputError(msg)
    if value.tzinfo is None or value.utcoffset() is None:
        msg = f"{name}: {value.isoformat()} is naive; give a timezone-aware datetime"
        raise InvalidInputError(msg)
    return value


def _inside(at: datetime, start: datetime | None, end: datetime | None) -> bool:
    return (start is None or at >= start) and (end is None or at < end)


@dataclass(frozen=True, slots=True)
class ThemeCount:
    """One theme's feedback in a window, and in the comparison window.

    Attributes
    ----------
    theme : str or None
        The tag (or initiative key); ``None`` for feedback without any.
    count : int
        Feedback items carrying it.
    weight : float or None
        Sum of their `Feedback.account_value` (missing values count 0);
        ``None`` when unweighted.
    share : float
        `count` (or `weight`, when weighted) over the window's total. A
        feedback item with several tags counts in each, so shares may sum
        above 1.
    previous_count : int or None
        `count` in the comparison window; ``None`` without one.
    previous_weight : float or None
        `weight` in the comparison window.
    previous_share : float or None
        `share` in the comparison window.
    change : float or None
        ``share - previous_share``: the change in share, comparable across
        windows of different sizes.

    Examples
    --------
    >>> from productops.datasets import load_demo
    >>> row = themes(load_demo().feedback).rows[0]
    >>> row.theme, row.count
    ('enterprise', 49)
    """

    theme: str | None
    count: int
    weight: float | None
    share: float
    previous_count: int | None = None
    previous_weight: float | None = None
    previous_share: float | None = None
    change: float | None = None

    def __repr__(self) -> str:
        label = "(none)" if self.theme is None else self.theme
        text = f"ThemeCount({label!r}, {self.count}"
        if self.weight is not None:
            text += f", weight {self.weight:,.0f}"
        text += f", share {self.share:.1%}"
        if self.change is not None:
            points = round(100 * self.change, 1) + 0.0  # no "-0.0"
            text += f", change {points:+.1f} pts"
        return text + ")"


@dataclass(frozen=True, slots=True)
class Themes(Tabular):
    """Feedback counted per theme in a window.

    Attributes
    ----------
    rows : tuple of ThemeCount
        One per theme seen in either window, largest share first (then by
        name); the ``None`` (untagged) row last, always present.
    by : {"tag", "initiative"}
        What was counted.
    weight : {"account_value"} or None
        The weighting, if any.
    start, end : datetime or None
        The window ``[start, end)``; ``None`` is unbounded.
    compare_to : tuple of datetime or None
        The comparison window ``[start, end)``.
    total : int
        Feedback items in the window.
    total_weight : float or None
        Their summed account value, when weighted.
    previous_total : int or None
        Feedback items in the comparison window.
    outside : int
        Feedback items in neither window (not counted anywhere).
    missing_weight : tuple of str
        Keys of counted feedback without an `account_value` (weighted as 0).

    Examples
    --------
    >>> from productops.datasets import load_demo
    >>> t = themes(load_demo().feedback)
    >>> t.total, t.untagged.count
    (200, 0)
    """

    rows: tuple[ThemeCount, ...]
    by: ThemeBy
    weight: Weight | None
    start: datetime | None
    end: datetime | None
    compare_to: tuple[datetime, datetime] | None
    total: int
    total_weight: float | None
    previous_total: int | None
    outside: int
    missing_weight: tuple[str, ...] = ()

    def __repr__(self) -> str:
        top = ", ".join(
            f"{r.theme} {r.count}" for r in self.rows[:3] if r.theme is not None
        )
        return (
            f"Themes(by {self.by}, {self.total} feedback, {len(self.rows) - 1} "
            f"themes: {top}{', ...' if len(self.rows) > 4 else ''})"
        )

    @property
    def untagged(self) -> ThemeCount:
        """The row of feedback with no theme."""
        return self.rows[-1]

    def to_records(self) -> list[dict[str, Any]]:
        """Return one dict per theme with plain values.

        Examples
        --------
        >>> from productops.datasets import load_demo
        >>> themes(load_demo().feedback).to_records()[0]["share"]
        0.245
        """
        return [
            {
                "theme": r.theme,
                "count": r.count,
                "weight": r.weight,
                "share": r.share,
                "previous_count": r.previous_count,
                "previous_weight": r.previous_weight,
                "previous_share": r.previous_share,
                "change": r.change,
            }
            for r in self.rows
        ]


def _labels(item: Feedback, by: ThemeBy) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item.tags if by == "tag" else item.initiatives))


def _tally(
    items: list[Feedback], by: ThemeBy, *, weighted: bool
) -> tuple[Counter[str | None], dict[str | None, float], float]:
    counts: Counter[str | None] = Counter()
    weights: dict[str | None, float] = {}
    total_weight = 0.0
    for item in items:
        value = item.account_value or 0.0
        total_weight += value
        labels: tuple[str | None, ...] = _labels(item, by) or (None,)
        for label in labels:
            counts[label] += 1
            if weighted:
                weights[label] = weights.get(label, 0.0) + value
    return counts, weights, total_weight


def themes(
    feedback: Iterable[Feedback],
    *,
    by: ThemeBy = "tag",
    start: datetime | None = None,
    end: datetime | None = None,
    weight: Weight | None = None,
    compare_to: tuple[datetime, datetime] | None = None,
) -> Themes:
    """Count feedback per tag (or initiative) in a window, optionally weighted.

    Feedback created in ``[start, end)`` counts once for each distinct tag it
    carries; feedback without any counts in the untagged row. With
    ``weight="account_value"`` each item also adds its account's value, and
    shares are of the value rather than of the count. With `compare_to`, the
    same is counted in that window and each row gets the change in share.

    Parameters
    ----------
    feedback : iterable of Feedback
        The feedback, of any kinds.
    by : {"tag", "initiative"}, default "tag"
        Count tags, or the initiatives feedback supports.
    start, end : datetime, optional
        The window, start inclusive, end exclusive; timezone-aware. Unbounded
        when omitted.
    weight : {"account_value"}, optional
        Weight each item by its `Feedback.account_value`; missing values weigh
        0 and are listed in `Themes.missing_weight`.
    compare_to : tuple of datetime, optional
        A previous window ``(start, end)``, end exclusive.

    Returns
    -------
    Themes

    Raises
    ------
    InvalidInputError
        If a datetime is naive (naming the argument), a window ends before it
        starts, or `by` / `weight` is unknown.

    Examples
    --------
    >>> from datetime import UTC, datetime
    >>> from productops.datasets import load_demo
    >>> fb = load_demo().feedback
    >>> t = themes(fb, start=datetime(2026, 3, 1, tzinfo=UTC),
    ...            compare_to=(datetime(2025, 12, 1, tzinfo=UTC),
    ...                        datetime(2026, 3, 1, tzinfo=UTC)))
    >>> t.rows[0]
    ThemeCount('enterprise', 17, share 23.3%, change +0.0 pts)
    >>> t.rows[1]
    ThemeCount('pricing', 12, share 16.4%, change +3.1 pts)
    """
    if by not in ("tag", "initiative"):
        msg = f"by must be 'tag' or 'initiative', not {by!r}"
        raise InvalidInputError(msg)
    if weight not in (None, "account_value"):
        msg = f"weight must be None or 'account_value', not {weight!r}"
        raise InvalidInputError(msg)
    start, end = _aware("start", start), _aware("end", end)
    if start is not None and end is not None and end < start:
        msg = f"end {end.isoformat()} is before start {start.isoformat()}"
        raise InvalidInputError(msg)
    previous: tuple[datetime, datetime] | None = None
    if compare_to is not None:
        window: object = compare_to
        if not isinstance(window, tuple) or len(window) != 2:
            msg = f"compare_to must be a (start, end) tuple, not {compare_to!r}"
            raise InvalidInputError(msg)
        p_start = _aware("compare_to[0]", compare_to[0])
        p_end = _aware("compare_to[1]", compare_to[1])
        assert p_start is not None  # noqa: S101 - checked by _aware
        assert p_end is not None  # noqa: S101
        if p_end < p_start:
            msg = f"compare_to ends ({p_end.isoformat()}) before it starts"
            raise InvalidInputError(msg)
        previous = (p_start, p_end)

    current: list[Feedback] = []
    before: list[Feedback] = []
    outside = 0
    for item in feedback:
        now = _inside(item.created, start, end)
        then = previous is not None and _inside(item.created, *previous)
        if now:
            current.append(item)
        if then:
            before.append(item)
        if not (now or then):
            outside += 1

    weighted = weight is not None
    counts, weights, total_weight = _tally(current, by, weighted=weighted)
    p_counts, p_weights, p_total_weight = _tally(before, by, weighted=weighted)

    def share(
        label: str | None,
        c: Counter[str | None],
        w: dict[str | None, float],
        n: int,
        tw: float,
    ) -> float:
        if weighted:
            return w.get(label, 0.0) / tw if tw else 0.0
        return c[label] / n if n else 0.0

    labels = {label for label in (*counts, *p_counts) if label is not None}
    rows: list[ThemeCount] = []
    for label in [*labels, None]:
        cur = share(label, counts, weights, len(current), total_weight)
        row = ThemeCount(
            theme=label,
            count=counts[label],
            weight=weights.get(label, 0.0) if weighted else None,
            share=cur,
        )
        if previous is not None:
            prev = share(label, p_counts, p_weights, len(before), p_total_weight)
            row = ThemeCount(
                theme=row.theme,
                count=row.count,
                weight=row.weight,
                share=row.share,
                previous_count=p_counts[label],
                previous_weight=p_weights.get(label, 0.0) if weighted else None,
                previous_share=prev,
                change=cur - prev,
            )
        rows.append(row)
    untagged = rows.pop()
    rows.sort(key=lambda r: (-r.share, -r.count, r.theme or ""))
    rows.append(untagged)
    missing = tuple(
        dict.fromkeys(
            item.key for item in (*current, *before) if item.account_value is None
        )
    )
    return Themes(
        rows=tuple(rows),
        by=by,
        weight=weight,
        start=start,
        end=end,
        compare_to=previous,
        total=len(current),
        total_weight=total_weight if weighted else None,
        previous_total=len(before) if previous is not None else None,
        outside=outside,
        missing_weight=missing if weighted else (),
    )


# --------------------------------------------------------------------------- demand

Dedupe = Literal["account"]
"""How `demand` avoids counting one customer's value several times."""


@dataclass(frozen=True, slots=True)
class InitiativeDemand:
    """The customer demand behind one initiative.

    Attributes
    ----------
    initiative : str
        The initiative's key.
    title : str
        Its title.
    feedback : tuple of str
        Keys of the feedback asking for it, in input order.
    accounts : tuple of str
        The distinct accounts behind that feedback, sorted.
    value : float or None
        Account value asking for it (see `demand`); ``None`` when unweighted.

    Examples
    --------
    >>> from productops.datasets import load_demo
    >>> ws = load_demo()
    >>> row = demand(ws.feedback, ws.initiatives).ranked()[0]
    >>> row.count >= len(row.accounts)
    True
    """

    initiative: str
    title: str
    feedback: tuple[str, ...]
    accounts: tuple[str, ...]
    value: float | None

    def __repr__(self) -> str:
        value = "" if self.value is None else f", value {self.value:,.0f}"
        return (
            f"InitiativeDemand({self.initiative!r}, {self.count} feedback, "
            f"{len(self.accounts)} accounts{value})"
        )

    @property
    def count(self) -> int:
        """Number of feedback items asking for it."""
        return len(self.feedback)


@dataclass(frozen=True, slots=True)
class Demand(Tabular):
    """Customer demand per initiative.

    Attributes
    ----------
    rows : tuple of InitiativeDemand
        One per initiative, in input order; those nobody asked for have zeros.
    weight : {"account_value"} or None
        The weighting used.
    dedupe : {"account"} or None
        Whether each account's value counts once per initiative.
    unknown : tuple of (str, str)
        ``(feedback key, initiative key)`` for feedback pointing at an
        initiative not given.
    unknown_feedback : tuple of (str, str)
        ``(initiative key, feedback key)`` for initiatives listing feedback not
        given.
    no_account : tuple of str
        Keys of linked feedback without an account; each counts as its own
        account when deduplicating.
    missing_value : tuple of str
        Keys of linked feedback without an `account_value` (worth 0).

    Examples
    --------
    >>> from productops.datasets import load_demo
    >>> ws = load_demo()
    >>> d = demand(ws.feedback, ws.initiatives)
    >>> len(d.rows), d.unknown
    (40, ())
    """

    rows: tuple[InitiativeDemand, ...]
    weight: Weight | None
    dedupe: Dedupe | None
    unknown: tuple[tuple[str, str], ...] = ()
    unknown_feedback: tuple[tuple[str, str], ...] = ()
    no_account: tuple[str, ...] = ()
    missing_value: tuple[str, ...] = ()

    def __repr__(self) -> str:
        asked = sum(1 for r in self.rows if r.count)
        return (
            f"Demand({len(self.rows)} initiatives, {asked} with feedback, "
            f"{len(self.unknown)} unknown links)"
        )

    def ranked(self) -> tuple[InitiativeDemand, ...]:
        """Return the rows by value (or count, when unweighted), largest first.

        Ties are broken by count, then distinct accounts, then key.
        """
        return tuple(
            sorted(
                self.rows,
                key=lambda r: (
                    -(r.value or 0.0),
                    -r.count,
                    -len(r.accounts),
                    r.initiative,
                ),
            )
        )

    def to_records(self) -> list[dict[str, Any]]:
        """Return one dict per initiative with plain values.

        Examples
        --------
        >>> from productops.datasets import load_demo
        >>> ws = load_demo()
        >>> sorted(demand(ws.feedback, ws.initiatives).to_records()[0])
        ['accounts', 'feedback', 'feedback_keys', 'initiative', 'title', 'value']
        """
        return [
            {
                "initiative": r.initiative,
                "title": r.title,
                "feedback": r.count,
                "accounts": len(r.accounts),
                "value": r.value,
                "feedback_keys": list(r.feedback),
            }
            for r in self.rows
        ]


def _duplicates(keys: list[str], what: str) -> str | None:
    repeated = sorted(k for k, c in Counter(keys).items() if c > 1)
    if not repeated:
        return None
    return f"{what}: duplicate keys {', '.join(map(repr, repeated))}"


def _value(items: list[Feedback], *, dedupe: Dedupe | None) -> float:
    if dedupe is None:
        return sum(item.account_value or 0.0 for item in items)
    best: dict[str, float] = {}
    total = 0.0
    for item in items:
        value = item.account_value or 0.0
        if item.account is None:
            total += value
        else:
            best[item.account] = max(best.get(item.account, 0.0), value)
    return total + sum(best.values())


def demand(
    feedback: Iterable[Feedback],
    initiatives: Iterable[Initiative],
    *,
    weight: Weight | None = "account_value",
    dedupe: Dedupe | None = "account",
) -> Demand:
    """Return how many customers, and how much account value, ask for each initiative.

    Feedback asks for an initiative when it lists the initiative's key in
    `Feedback.initiatives`, or the initiative lists the feedback's key in
    `Initiative.feedback` (either side is enough; a link is counted once).

    With ``dedupe="account"`` (default) an account asking several times for
    the same initiative adds its value once, the largest `account_value`
    stated on those feedback items: account value measures who asks, not how
    often. Feedback without an account counts as an account of its own. With
    ``dedupe=None`` every feedback item adds its account value.

    Parameters
    ----------
    feedback : iterable of Feedback
        The feedback, of any kinds.
    initiatives : iterable of Initiative
        The initiatives; every one gets a row, with zeros when nobody asked.
    weight : {"account_value"} or None, default "account_value"
        Sum account value per initiative; ``None`` counts only.
    dedupe : {"account"} or None, default "account"
        Count each account's value once per initiative.

    Returns
    -------
    Demand
        Links to initiatives not given are listed in `Demand.unknown`, links
        to feedback not given in `Demand.unknown_feedback`.

    Raises
    ------
    InvalidInputError
        If feedback or initiative keys repeat (all repeats named), or `weight`
        / `dedupe` is unknown.

    Examples
    --------
    >>> from datetime import UTC, datetime
    >>> from productops.model import Feedback, Initiative
    >>> at = datetime(2024, 1, 1, tzinfo=UTC)
    >>> fb = [
    ...     Feedback(key="f1", source="crm", created=at, account="acme",
    ...              account_value=50_000, initiatives=("SSO",)),
    ...     Feedback(key="f2", source="crm", created=at, account="acme",
    ...              account_value=60_000, initiatives=("SSO",)),
    ...     Feedback(key="f3", source="crm", created=at, account="zed",
    ...              account_value=5_000, initiatives=("SSO", "API")),
    ... ]
    >>> d = demand(fb, [Initiative(key="SSO", title="Single sign-on"),
    ...                 Initiative(key="DARK", title="Dark mode")])
    >>> d.rows
    (InitiativeDemand('SSO', 3 feedback, 2 accounts, value 65,000),
     InitiativeDemand('DARK', 0 feedback, 0 accounts, value 0))
    >>> d.unknown
    (('f3', 'API'),)
    """
    if weight not in (None, "account_value"):
        msg = f"weight must be None or 'account_value', not {weight!r}"
        raise InvalidInputError(msg)
    if dedupe not in (None, "account"):
        msg = f"dedupe must be None or 'account', not {dedupe!r}"
        raise InvalidInputError(msg)
    items = list(feedback)
    plans = list(initiatives)
    problems = [
        p
        for p in (
            _duplicates([f.key for f in items], "feedback"),
            _duplicates([i.key for i in plans], "initiatives"),
        )
        if p is not None
    ]
    if problems:
        msg = "; ".join(problems)
        raise InvalidInputError(msg)

    by_key = {f.key: f for f in items}
    position = {f.key: i for i, f in enumerate(items)}
    links: dict[str, dict[str, None]] = {i.key: {} for i in plans}
    unknown: list[tuple[str, str]] = []
    for item in items:
        for target in dict.fromkeys(item.initiatives):
            if target in links:
                links[target][item.key] = None
            else:
                unknown.append((item.key, target))
    unknown_feedback: list[tuple[str, str]] = []
    for plan in plans:
        for key in dict.fromkeys(plan.feedback):
            if key in by_key:
                links[plan.key][key] = None
            else:
                unknown_feedback.append((plan.key, key))

    rows: list[InitiativeDemand] = []
    linked: dict[str, None] = {}
    for plan in plans:
        keys = sorted(links[plan.key], key=position.__getitem__)
        asking = [by_key[k] for k in keys]
        linked.update(dict.fromkeys(keys))
        rows.append(
            InitiativeDemand(
                initiative=plan.key,
                title=plan.title,
                feedback=tuple(keys),
                accounts=tuple(
                    sorted({f.account for f in asking if f.account is not None})
                ),
                value=None if weight is None else _value(asking, dedupe=dedupe),
            )
        )
    ordered = sorted(linked, key=position.__getitem__)
    return Demand(
        rows=tuple(rows),
        weight=weight,
        dedupe=dedupe,
        unknown=tuple(unknown),
        unknown_feedback=tuple(unknown_feedback),
        no_account=tuple(k for k in ordered if by_key[k].account is None),
        missing_value=tuple(k for k in ordered if by_key[k].account_value is None)
        if weight is not None
        else (),
    )
