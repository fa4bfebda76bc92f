"""Categorical prioritisation: MoSCoW's effort budget, value-effort quadrants."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, overload

import numpy as np
import numpy.typing as npt

from ..errors import InvalidInputError
from ..model import MoSCoW
from . import _validate as v
from ._data import field_of

__all__ = ["MoscowBudget", "Quadrant", "moscow", "value_effort_quadrant"]


@dataclass(frozen=True, slots=True)
class MoscowBudget:
    """How a timebox's effort splits across MoSCoW categories.

    Attributes
    ----------
    effort : dict[MoSCoW, float]
        Total effort per category (every category present, 0 when empty).
    basis : float
        What shares are taken of: the capacity when given, else the effort of
        Must, Should and Could together (Won't is outside the timebox).
    shares : dict[MoSCoW, float]
        ``effort / basis`` for Must, Should and Could.
    must_limit : float
        The largest acceptable Must share (DSDM: 0.6).
    within_limit : bool
        Whether the Must share is at most `must_limit`.
    over_capacity : bool
        With a capacity: whether Must + Should + Could exceed it.
    findings : tuple[str, ...]
        What a facilitator should hear, in words.

    Examples
    --------
    >>> from productops import scoring
    >>> budget = scoring.moscow(
    ...     [{"key": "A", "moscow": "must", "effort": 7},
    ...      {"key": "B", "moscow": "should", "effort": 2},
    ...      {"key": "C", "moscow": "could", "effort": 1}], capacity=10)
    >>> budget.within_limit
    False
    >>> print(budget.findings[0])  # doctest: +NORMALIZE_WHITESPACE
    Must is 70% of capacity, above the 60% limit: the timebox has too little
    contingency.
    """

    effort: dict[MoSCoW, float]
    basis: float
    shares: dict[MoSCoW, float]
    must_limit: float
    within_limit: bool
    over_capacity: bool
    findings: tuple[str, ...]


def moscow(
    items: Iterable[Any],
    *,
    capacity: float | None = None,
    must_limit: float = 0.6,
    could_target: float = 0.2,
) -> MoscowBudget:
    """Check a MoSCoW split against DSDM's effort rules.

    DSDM prioritises on effort: Must Haves above 60 % of the timebox's effort
    put it at risk, and about 20 % of the effort in Could Haves gives the
    contingency that protects the Musts.

    Parameters
    ----------
    items : iterable of records or mappings
        Each with a ``moscow`` category (``"must"``, ``"should"``, ``"could"``,
        ``"wont"``) and an ``effort``, such as `productops.Initiative`.
    capacity : float, optional
        The effort the timebox can hold. Without it, shares are of the total
        effort of Must, Should and Could.
    must_limit : float, default 0.6
        The largest acceptable Must share.
    could_target : float, default 0.2
        The Could share below which a finding warns of thin contingency.

    Returns
    -------
    MoscowBudget

    Raises
    ------
    InvalidInputError
        If an item has no category or no effort, or a bad one (every such item
        is listed), or `capacity` is not positive.

    References
    ----------
    Agile Business Consortium, *DSDM Agile Project Framework*, chapter 10,
    "MoSCoW Prioritisation".
    https://www.agilebusiness.org/dsdm-project-framework/moscow-prioririsation.html

    Examples
    --------
    >>> from productops import scoring
    >>> budget = scoring.moscow(
    ...     [{"key": "A", "moscow": "must", "effort": 5},
    ...      {"key": "B", "moscow": "should", "effort": 3},
    ...      {"key": "C", "moscow": "could", "effort": 2},
    ...      {"key": "D", "moscow": "wont", "effort": 8}])
    >>> budget.shares[scoring.MoSCoW.MUST], budget.within_limit
    (0.5, True)
    """
    effort = dict.fromkeys(MoSCoW, 0.0)
    problems = []
    for position, item in enumerate(items):
        key = field_of(item, "key")
        label = repr(key) if key is not None else f"#{position}"
        raw_category, raw_effort = field_of(item, "moscow"), field_of(item, "effort")
        try:
            category = MoSCoW(raw_category)
        except ValueError:
            problems.append(f"item {label}: moscow={raw_category!r}")
            continue
        try:
            amount = float(v.nonnegative("effort", raw_effort))
        except (InvalidInputError, TypeError):
            problems.append(f"item {label}: effort={raw_effort!r}")
            continue
        effort[category] += amount
    if problems:
        msg = "moscow: items need a category (must, should, could, wont) and an " + (
            "effort >= 0: " + "; ".join(problems)
        )
        raise InvalidInputError(msg)
    if capacity is not None:
        basis = float(v.positive("capacity", capacity))
    else:
        basis = effort[MoSCoW.MUST] + effort[MoSCoW.SHOULD] + effort[MoSCoW.COULD]
    in_box = (MoSCoW.MUST, MoSCoW.SHOULD, MoSCoW.COULD)
    shares = {c: (effort[c] / basis if basis else 0.0) for c in in_box}
    planned = sum(effort[c] for c in in_box)
    over = capacity is not None and planned > basis
    within = shares[MoSCoW.MUST] <= must_limit
    of = "capacity" if capacity is not None else "the planned effort"
    findings = []
    if not within:
        findings.append(
            f"Must is {shares[MoSCoW.MUST]:.0%} of {of}, above the "
            f"{must_limit:.0%} limit: the timebox has too little contingency."
        )
    if basis and shares[MoSCoW.COULD] < could_target:
        findings.append(
            f"Could is {shares[MoSCoW.COULD]:.0%} of {of}, below the "
            f"{could_target:.0%} that protects the Musts."
        )
    if over:
        findings.append(
            f"Must, Should and Could need {planned:g}, more than the capacity "
            f"of {basis:g}."
        )
    return MoscowBudget(
        effort=effort,
        basis=basis,
        shares=shares,
        must_limit=must_limit,
        within_limit=within,
        over_capacity=over,
        findings=tuple(findings),
    )


class Quadrant(enum.StrEnum):
    """A cell of the value-effort 2 x 2.

    Examples
    --------
    >>> from productops import scoring
    >>> scoring.Quadrant.QUICK_WIN.value
    'quick_win'
    """

    QUICK_WIN = "quick_win"
    """High value, low effort: do first."""
    BIG_BET = "big_bet"
    """High value, high effort: plan deliberately."""
    FILL_IN = "fill_in"
    """Low value, low effort: do when there is slack."""
    MONEY_PIT = "money_pit"
    """Low value, high effort: avoid."""


@overload
def value_effort_quadrant(
    *,
    value: float,
    effort: float,
    value_threshold: float,
    effort_threshold: float,
) -> Quadrant: ...
@overload
def value_effort_quadrant(
    *,
    value: npt.ArrayLike,
    effort: npt.ArrayLike,
    value_threshold: float | Literal["median"],
    effort_threshold: float | Literal["median"],
) -> list[Quadrant]: ...
def value_effort_quadrant(
    *,
    value: npt.ArrayLike,
    effort: npt.ArrayLike,
    value_threshold: float | Literal["median"],
    effort_threshold: float | Literal["median"],
) -> Quadrant | list[Quadrant]:
    """Place items on the value-effort 2 x 2 (quick wins, big bets, ...).

    A value at or above its threshold counts as high (``>=``), for value and
    effort alike. Thresholds have no default because no source agrees on one;
    ``"median"`` takes the median of the given items.

    Parameters
    ----------
    value, effort : float or array-like
        One value and one effort per item.
    value_threshold, effort_threshold : float or "median"
        Where "high" starts.

    Returns
    -------
    Quadrant or list of Quadrant

    Raises
    ------
    InvalidInputError
        If a value is NaN, or ``"median"`` is asked of a single scalar.

    References
    ----------
    Productboard, "Prioritization matrix".
    https://support.productboard.com/hc/en-us/articles/360056350174

    Examples
    --------
    >>> from productops import scoring
    >>> scoring.value_effort_quadrant(value=8, effort=2, value_threshold=5,
    ...                               effort_threshold=5)
    <Quadrant.QUICK_WIN: 'quick_win'>
    >>> [q.value for q in scoring.value_effort_quadrant(
    ...     value=[8, 8, 1, 1], effort=[1, 9, 1, 9],
    ...     value_threshold="median", effort_threshold="median")]
    ['quick_win', 'big_bet', 'fill_in', 'money_pit']
    """
    scalar = v.is_scalar(value, effort)
    values = v.numbers("value", value)
    efforts = v.numbers("effort", effort)
    values, efforts = v.broadcast(value=values, effort=efforts)
    high_value = values >= _threshold(
        "value_threshold", value_threshold, values, scalar=scalar
    )
    high_effort = efforts >= _threshold(
        "effort_threshold", effort_threshold, efforts, scalar=scalar
    )
    cells = [
        _QUADRANTS[(bool(hv), bool(he))]
        for hv, he in zip(
            np.atleast_1d(high_value).tolist(),
            np.atleast_1d(high_effort).tolist(),
            strict=True,
        )
    ]
    return cells[0] if scalar else cells


_QUADRANTS = {
    (True, False): Quadrant.QUICK_WIN,
    (True, True): Quadrant.BIG_BET,
    (False, False): Quadrant.FILL_IN,
    (False, True): Quadrant.MONEY_PIT,
}


def _threshold(
    name: str, threshold: float | str, values: npt.NDArray[np.float64], *, scalar: bool
) -> float:
    if threshold == "median":
        if scalar:
            msg = f"{name}: 'median' needs several items; give a number"
            raise InvalidInputError(msg)
        return float(np.median(values)) if values.size else 0.0
    return float(v.numbers(name, threshold))
