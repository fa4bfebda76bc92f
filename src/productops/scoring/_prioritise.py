"""Prioritisation scores: RICE, ICE, WSJF, opportunity, weighted scorecards.

Every function takes scalars or array-likes of equal length. Scalars give a
``float``; arrays give a ``numpy`` float array, one score per item. Inputs are
checked first, and one `InvalidInputError` names every bad value.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, Literal, overload

import numpy as np
import numpy.typing as npt

from ..errors import InvalidInputError
from . import _validate as v
from ._data import columns
from ._validate import FloatArray

__all__ = [
    "FIBONACCI",
    "RiceConfidence",
    "RiceImpact",
    "ice",
    "opportunity_band",
    "opportunity_score",
    "relative",
    "rice",
    "top_two_box",
    "weighted_score",
    "wsjf",
]


class RiceImpact(float, enum.Enum):
    """Intercom's RICE impact scale; members are plain floats.

    Examples
    --------
    >>> from productops import scoring
    >>> scoring.RiceImpact.HIGH * 2
    4.0
    """

    MASSIVE = 3.0
    HIGH = 2.0
    MEDIUM = 1.0
    LOW = 0.5
    MINIMAL = 0.25


class RiceConfidence(float, enum.Enum):
    """Intercom's RICE confidence scale, as fractions.

    Examples
    --------
    >>> from productops import scoring
    >>> float(scoring.RiceConfidence.MEDIUM)
    0.8
    """

    HIGH = 1.0
    MEDIUM = 0.8
    LOW = 0.5


FIBONACCI: tuple[int, ...] = (1, 2, 3, 5, 8, 13, 20)
"""SAFe's modified Fibonacci scale for WSJF estimates."""

_RICE_IMPACTS = tuple(float(m) for m in RiceImpact)
_RICE_CONFIDENCES = tuple(float(m) for m in RiceConfidence)


@overload
def rice(
    *,
    reach: float,
    impact: float,
    confidence: float,
    effort: float,
    strict: bool = ...,
    percent: bool = ...,
) -> float: ...
@overload
def rice(
    *,
    reach: npt.ArrayLike,
    impact: npt.ArrayLike,
    confidence: npt.ArrayLike,
    effort: npt.ArrayLike,
    strict: bool = ...,
    percent: bool = ...,
) -> FloatArray: ...
def rice(
    *,
    reach: npt.ArrayLike,
    impact: npt.ArrayLike,
    confidence: npt.ArrayLike,
    effort: npt.ArrayLike,
    strict: bool = False,
    percent: bool = False,
) -> float | FloatArray:
    """Return the RICE score ``reach * impact * confidence / effort``.

    "Total impact per time worked": how many people a change helps, how much,
    how sure we are, divided by what it costs.

    Parameters
    ----------
    reach : float or array-like
        People or events affected per period (Intercom used customers per
        quarter); ``>= 0``.
    impact : float or array-like
        Impact per person: 3 massive, 2 high, 1 medium, 0.5 low, 0.25 minimal
        (`RiceImpact`); ``>= 0``.
    confidence : float or array-like
        How sure the estimates are, as a fraction in ``[0, 1]``: 1.0 high, 0.8
        medium, 0.5 low (`RiceConfidence`).
    effort : float or array-like
        Person-months; must be ``> 0``.
    strict : bool, default False
        Require impact and confidence to be on Intercom's scales and effort to
        be 0.5 or a whole number of months.
    percent : bool, default False
        Read confidence as a percentage (80 for 80 %).

    Returns
    -------
    float or numpy.ndarray
        The score; unbounded, so compare ranks rather than thresholds.

    Raises
    ------
    InvalidInputError
        If effort is not positive, reach or impact is negative, confidence is
        outside ``[0, 1]``, or any value is NaN; every bad value is listed.

    See Also
    --------
    ice, wsjf, rank

    References
    ----------
    Sean McBride, "RICE: Simple prioritization for product managers",
    Intercom blog, 2016.
    https://www.intercom.com/blog/rice-simple-prioritization-for-product-managers/

    Examples
    --------
    Project 1 of Intercom's article: 450 customers a quarter, massive impact,
    full confidence, two person-months.

    >>> from productops import scoring
    >>> scoring.rice(reach=450, impact=scoring.RiceImpact.MASSIVE,
    ...              confidence=1.0, effort=2)
    675.0
    >>> scoring.rice(reach=[450, 2000, 800], impact=[3, 1, 2],
    ...              confidence=[1.0, 0.8, 0.5], effort=[2, 4, 1])
    array([675., 400., 800.])
    """
    scalar = v.is_scalar(reach, impact, confidence, effort)
    r = v.nonnegative("reach", reach)
    i = v.nonnegative("impact", impact)
    c = v.fraction("confidence", confidence, percent=percent)
    e = v.positive("effort", effort)
    if strict:
        v.one_of("impact", i, _RICE_IMPACTS)
        v.one_of("confidence", c, _RICE_CONFIDENCES)
        v.require(
            "effort",
            e,
            lambda x: (x == 0.5) | (x == np.round(x)),
            "must be 0.5 or a whole number of person-months",
        )
    r, i, c, e = v.broadcast(reach=r, impact=i, confidence=c, effort=e)
    return v.result(r * i * c / e, scalar=scalar)


@overload
def ice(
    *,
    impact: float,
    confidence: float,
    ease: float,
    combine: Literal["product", "mean", "sum"],
    strict: bool = ...,
) -> float: ...
@overload
def ice(
    *,
    impact: npt.ArrayLike,
    confidence: npt.ArrayLike,
    ease: npt.ArrayLike,
    combine: Literal["product", "mean", "sum"],
    strict: bool = ...,
) -> FloatArray: ...
def ice(
    *,
    impact: npt.ArrayLike,
    confidence: npt.ArrayLike,
    ease: npt.ArrayLike,
    combine: Literal["product", "mean", "sum"],
    strict: bool = True,
) -> float | FloatArray:
    """Return the ICE score of impact, confidence and ease, each rated 1-10.

    Sources disagree on how to combine the three ratings, and the choice
    changes rankings: the mean lets an easy, low-confidence idea beat a
    well-researched medium one. So `combine` has no default.

    Parameters
    ----------
    impact, confidence, ease : float or array-like
        Ratings from 1 to 10; ease is effort inverted (10 = trivial).
    combine : {"product", "mean", "sum"}
        ``"product"`` (Gilad: 1-1000), ``"mean"`` (Ellis & Brown: 1-10) or
        ``"sum"`` (3-30).
    strict : bool, default True
        Require every rating to lie in ``[1, 10]``; with ``False`` any
        non-negative rating is accepted.

    Returns
    -------
    float or numpy.ndarray

    Raises
    ------
    InvalidInputError
        If a rating is off the scale, negative or NaN, or `combine` is
        unknown.

    References
    ----------
    Sean Ellis and Morgan Brown, *Hacking Growth*, 2017 (mean).
    Itamar Gilad, *Evidence Guided*, 2023 (product, with the Confidence Meter).
    Summary of the variants: https://votito.com/methods/ice-score

    Examples
    --------
    >>> from productops import scoring
    >>> scoring.ice(impact=8, confidence=5, ease=6, combine="product")
    240.0
    >>> round(scoring.ice(impact=8, confidence=5, ease=6, combine="mean"), 3)
    6.333
    """
    if combine not in ("product", "mean", "sum"):
        msg = f"combine: expected 'product', 'mean' or 'sum', got {combine!r}"
        raise InvalidInputError(msg)
    scalar = v.is_scalar(impact, confidence, ease)
    ratings = {}
    for name, value in (("impact", impact), ("confidence", confidence), ("ease", ease)):
        if strict:
            ratings[name] = v.between(name, value, 1, 10)
        else:
            ratings[name] = v.nonnegative(name, value)
    i, c, e = v.broadcast(**ratings)
    if combine == "product":
        score = i * c * e
    elif combine == "sum":
        score = i + c + e
    else:
        score = (i + c + e) / 3.0
    return v.result(score, scalar=scalar)


def relative(values: npt.ArrayLike, *, name: str = "values") -> FloatArray:
    """Divide a column of estimates by its smallest value, so the smallest is 1.

    SAFe estimates each WSJF column relative to its smallest item. When a team
    estimated on an arbitrary scale, this rescales a column to that form. It is
    a convenience: SAFe intends re-estimation, and division can produce
    off-scale values such as 2.5.

    Parameters
    ----------
    values : array-like
        One estimate per item, all ``> 0``.
    name : str, default "values"
        What the column is, for error messages.

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    InvalidInputError
        If a value is not positive or not finite.

    Examples
    --------
    >>> from productops import scoring
    >>> scoring.relative([4, 8, 10])
    array([1. , 2. , 2.5])
    """
    array = np.atleast_1d(v.positive(name, values))
    if array.size == 0:
        return array
    return np.asarray(array / array.min(), dtype=np.float64)


@overload
def wsjf(
    *,
    business_value: float,
    time_criticality: float,
    risk_reduction: float,
    job_size: float,
    strict: bool = ...,
    normalise: bool = ...,
) -> float: ...
@overload
def wsjf(
    *,
    business_value: npt.ArrayLike,
    time_criticality: npt.ArrayLike,
    risk_reduction: npt.ArrayLike,
    job_size: npt.ArrayLike,
    strict: bool = ...,
    normalise: bool = ...,
) -> FloatArray: ...
def wsjf(
    *,
    business_value: npt.ArrayLike,
    time_criticality: npt.ArrayLike,
    risk_reduction: npt.ArrayLike,
    job_size: npt.ArrayLike,
    strict: bool = False,
    normalise: bool = False,
) -> float | FloatArray:
    """Return SAFe's Weighted Shortest Job First: cost of delay / job size.

    Cost of delay is user-business value + time criticality + risk reduction
    / opportunity enablement. Because SAFe estimates each column relative to
    its smallest item, WSJF numbers compare only within one estimation
    session.

    Parameters
    ----------
    business_value, time_criticality, risk_reduction : float or array-like
        The three cost-of-delay components; ``>= 0``.
    job_size : float or array-like
        A proxy for duration; ``> 0``.
    strict : bool, default False
        Require every estimate to be on the modified Fibonacci scale
        (`FIBONACCI`: 1, 2, 3, 5, 8, 13, 20).
    normalise : bool, default False
        First divide each column by its smallest value (`relative`), the
        column-normalised form in which the smallest item of each column is
        1. Needs arrays whose values are all ``> 0``.

    Returns
    -------
    float or numpy.ndarray
        Higher goes first.

    Raises
    ------
    InvalidInputError
        If job size is not positive, a component is negative, or a value is
        off the scale with `strict`; every bad value is listed.

    See Also
    --------
    cd3 : the same idea with cost of delay in money per unit of time.

    References
    ----------
    Scaled Agile, "WSJF", SAFe 6.0. https://scaledagileframework.com/wsjf/
    Donald Reinertsen, *The Principles of Product Development Flow*, 2009.

    Examples
    --------
    >>> from productops import scoring
    >>> scoring.wsjf(business_value=8, time_criticality=5, risk_reduction=3,
    ...              job_size=5)
    3.2
    >>> scoring.wsjf(business_value=[2, 4], time_criticality=[1, 3],
    ...              risk_reduction=[1, 1], job_size=[2, 8], normalise=True)
    array([3. , 1.5])
    """
    scalar = v.is_scalar(business_value, time_criticality, risk_reduction, job_size)
    parts = {
        "business_value": v.nonnegative("business_value", business_value),
        "time_criticality": v.nonnegative("time_criticality", time_criticality),
        "risk_reduction": v.nonnegative("risk_reduction", risk_reduction),
        "job_size": v.positive("job_size", job_size),
    }
    if strict:
        for name, values in parts.items():
            v.one_of(name, values, FIBONACCI)
    if normalise:
        if scalar:
            msg = "normalise: needs one value per item (arrays), not scalars"
            raise InvalidInputError(msg)
        parts = {name: relative(values, name=name) for name, values in parts.items()}
    bv, tc, rr, size = v.broadcast(**parts)
    return v.result((bv + tc + rr) / size, scalar=scalar)


@overload
def opportunity_score(
    *,
    importance: float,
    satisfaction: float,
    scale: Literal["top2box_10", "raw"] = ...,
) -> float: ...
@overload
def opportunity_score(
    *,
    importance: npt.ArrayLike,
    satisfaction: npt.ArrayLike,
    scale: Literal["top2box_10", "raw"] = ...,
) -> FloatArray: ...
def opportunity_score(
    *,
    importance: npt.ArrayLike,
    satisfaction: npt.ArrayLike,
    scale: Literal["top2box_10", "raw"] = "top2box_10",
) -> float | FloatArray:
    """Return Ulwick's opportunity score, ``imp + max(imp - sat, 0)``.

    Parameters
    ----------
    importance, satisfaction : float or array-like
        With ``scale="top2box_10"`` (Ulwick's definition), the share of
        respondents answering 4 or 5 on a 1-5 scale, divided by 10: ``0-10``
        each, so the score runs from 0 to 20 (`top_two_box` computes them).
        With ``scale="raw"``, plain mean ratings on 1-5; the score then runs
        from 1 to 9 and `opportunity_band` does not apply.
    scale : {"top2box_10", "raw"}, default "top2box_10"

    Returns
    -------
    float or numpy.ndarray

    Raises
    ------
    InvalidInputError
        If a value is off its scale or NaN.

    References
    ----------
    Anthony Ulwick, *Jobs to be Done: Theory to Practice*, 2016, p. 109;
    Ulwick, "Turn customer input into innovation", Harvard Business Review,
    2002.

    Examples
    --------
    >>> from productops import scoring
    >>> scoring.opportunity_score(importance=9, satisfaction=3)
    15.0
    >>> scoring.opportunity_score(importance=9, satisfaction=9)
    9.0
    """
    scalar = v.is_scalar(importance, satisfaction)
    bounds = _OPPORTUNITY_SCALES.get(scale)
    if bounds is None:
        msg = f"scale: expected 'top2box_10' or 'raw', got {scale!r}"
        raise InvalidInputError(msg)
    low, high = bounds
    imp = v.between("importance", importance, low, high)
    sat = v.between("satisfaction", satisfaction, low, high)
    imp, sat = v.broadcast(importance=imp, satisfaction=sat)
    return v.result(imp + np.maximum(imp - sat, 0.0), scalar=scalar)


_OPPORTUNITY_SCALES = {"top2box_10": (0.0, 10.0), "raw": (1.0, 5.0)}


def opportunity_band(score: float) -> str:
    """Name Strategyn's band for an opportunity score on the 0-20 scale.

    Bands: above 15 ``"extreme"``, 12 to 15 ``"high"`` ("low-hanging
    fruit"), 10 to 12 ``"worth considering"``, below 10 ``"unattractive"``.
    The source leaves the boundaries open; here a boundary value belongs to
    the higher band (15 is ``"high"``, 12 is ``"high"``, 10 is ``"worth
    considering"``), except that "extreme" needs strictly more than 15.

    Parameters
    ----------
    score : float
        An `opportunity_score` on the ``"top2box_10"`` scale.

    Returns
    -------
    str

    Raises
    ------
    InvalidInputError
        If the score is outside ``[0, 20]``.

    References
    ----------
    Strategyn's bands as published at
    https://innovatenow.app/prioritize-unmet-customer-needs/

    Examples
    --------
    >>> from productops import scoring
    >>> scoring.opportunity_band(15.0), scoring.opportunity_band(9.5)
    ('high', 'unattractive')
    """
    value = float(v.between("score", score, 0, 20))
    if value > 15:
        return "extreme"
    if value >= 12:
        return "high"
    if value >= 10:
        return "worth considering"
    return "unattractive"


def top_two_box(ratings: npt.ArrayLike) -> float:
    """Return the share of 1-5 ratings that are 4 or 5, divided by 10 (0-10).

    This is the form `opportunity_score` expects for importance and
    satisfaction.

    Parameters
    ----------
    ratings : array-like
        Whole-number answers on a 1-5 scale; at least one.

    Returns
    -------
    float

    Raises
    ------
    InvalidInputError
        If there are no ratings or one is not a whole number from 1 to 5.

    Examples
    --------
    >>> from productops import scoring
    >>> scoring.top_two_box([5, 4, 4, 2, 5, 3, 5, 4, 1, 5])
    7.0
    """
    values = np.atleast_1d(v.between("ratings", ratings, 1, 5, integer=True))
    if values.size == 0:
        msg = "ratings: need at least one rating"
        raise InvalidInputError(msg)
    return float((values >= 4).mean() * 10.0)


def weighted_score(
    items: Any,
    *,
    weights: Mapping[str, float],
    normalise: Literal["min-max", "max", "z-score", "none"] = "min-max",
) -> FloatArray:
    """Score items on several criteria: normalise each, then take a weighted sum.

    Each criterion's column is normalised across the items (so criteria on
    different scales can be combined), the weights are divided by the sum of
    their absolute values, and the score is ``sum(w_i * x_i)``. Scaling every
    weight by the same positive number therefore leaves the scores unchanged.
    A negative weight marks a criterion where more is worse (cost, risk).

    Normalisations, per criterion column:

    - ``"min-max"``: ``(x - min) / (max - min)`` in ``[0, 1]``; a column with
      one value everywhere gives 0 (it cannot separate items);
    - ``"max"``: ``x / max(|x|)``; an all-zero column gives 0;
    - ``"z-score"``: ``(x - mean) / std`` (population std); a constant column
      gives 0;
    - ``"none"``: the raw values.

    All but ``"none"`` are *relative*: a score changes when another item is
    added, as in Jira Product Discovery's weighted score.

    Parameters
    ----------
    items : records, mappings, a mapping of columns, or a DataFrame
        Anything that carries one numeric field per criterion.
    weights : mapping of str to float
        Criterion name to weight. Weights must be finite and not all zero.
    normalise : {"min-max", "max", "z-score", "none"}, default "min-max"

    Returns
    -------
    numpy.ndarray
        One score per item, in input order; empty for no items.

    Raises
    ------
    InvalidInputError
        If a weight is not finite, all weights are zero, `normalise` is
        unknown, or an item lacks a criterion (every such item is listed).

    References
    ----------
    Atlassian, "Expression-based formulas" (weighted score), Jira Product
    Discovery documentation.
    https://support.atlassian.com/jira-product-discovery/docs/expression-based-formulas/

    Examples
    --------
    >>> from productops import scoring
    >>> backlog = {"value": [8, 5, 2], "cost": [3, 1, 2]}
    >>> scoring.weighted_score(backlog, weights={"value": 3, "cost": -1})
    array([ 0.5  ,  0.375, -0.125])
    """
    if normalise not in _NORMALISERS:
        msg = f"normalise: expected one of {sorted(_NORMALISERS)}, got {normalise!r}"
        raise InvalidInputError(msg)
    names = list(weights)
    w = check_weights(weights)
    table = columns(items, names)
    if table.incomplete().any():
        msg = f"weighted_score: {table.missing_message()}"
        raise InvalidInputError(msg)
    if not len(table):
        return np.zeros(0)
    matrix = np.column_stack([table.values[name] for name in names])
    return _NORMALISERS[normalise](matrix) @ w


def check_weights(weights: Mapping[str, float]) -> FloatArray:
    """Validate weights and scale them so their absolute values sum to 1."""
    if not weights:
        msg = "weights: give at least one criterion"
        raise InvalidInputError(msg)
    names = list(weights)
    w = v.numbers("weights", [weights[n] for n in names], labels=names)
    total = np.abs(w).sum()
    if total == 0:
        msg = "weights: all weights are zero, so every score would be 0"
        raise InvalidInputError(msg)
    return np.asarray(w / total, dtype=np.float64)


def _min_max(matrix: FloatArray) -> FloatArray:
    low = matrix.min(axis=-2, keepdims=True)
    span = matrix.max(axis=-2, keepdims=True) - low
    safe = np.where(span > 0, span, 1.0)
    return np.where(span > 0, (matrix - low) / safe, 0.0)


def _max(matrix: FloatArray) -> FloatArray:
    top = np.abs(matrix).max(axis=-2, keepdims=True)
    safe = np.where(top > 0, top, 1.0)
    return np.where(top > 0, matrix / safe, 0.0)


def _z_score(matrix: FloatArray) -> FloatArray:
    std = matrix.std(axis=-2, keepdims=True)
    safe = np.where(std > 0, std, 1.0)
    centred = matrix - matrix.mean(axis=-2, keepdims=True)
    return np.where(std > 0, centred / safe, 0.0)


def _none(matrix: FloatArray) -> FloatArray:
    return matrix


_NORMALISERS = {
    "min-max": _min_max,
    "max": _max,
    "z-score": _z_score,
    "none": _none,
}
