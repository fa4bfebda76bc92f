"""Cost of delay over time (urgency profiles), CD3, and the cost of a sequence."""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from ..errors import InvalidInputError
from . import _validate as v
from ._validate import FloatArray

__all__ = [
    "CostOfDelay",
    "Urgency",
    "cd3",
    "cost_of_delay",
    "sequence_delay_cost",
]


class Urgency(enum.StrEnum):
    """How cost of delay grows with delay: the Kanban classes of service.

    Examples
    --------
    >>> from productops import scoring
    >>> scoring.Urgency("fixed_date")
    <Urgency.FIXED_DATE: 'fixed_date'>
    """

    EXPEDITE = "expedite"
    """Costly from the first day: the full rate applies at once, and the rate
    dwarfs the others. Same shape as standard; teams pull these first."""
    FIXED_DATE = "fixed_date"
    """Nothing is lost until a deadline; then a one-off penalty and,
    optionally, a rate."""
    STANDARD = "standard"
    """A constant rate: cost grows linearly with delay."""
    INTANGIBLE = "intangible"
    """Cheap to delay now, costly later: the rate rises linearly from 0 to its
    full value over a ramp."""


@dataclass(frozen=True, slots=True)
class CostOfDelay:
    """Cost of delay as a function of time, for one urgency profile.

    Time is in any unit (weeks, say) as long as `rate`, `deadline`, `ramp`
    and the durations you pass use the same one.

    Attributes
    ----------
    rate : float
        Value lost per unit of time once the cost applies in full
        (money per week, or relative points); ``>= 0``.
    urgency : Urgency
        The profile's shape.
    deadline : float or None
        Fixed date only: time from now after which delay costs.
    penalty : float
        Fixed date only: the one-off loss when the deadline is missed.
    ramp : float or None
        Intangible only: time over which the rate rises from 0 to `rate`.

    Examples
    --------
    >>> from productops import scoring
    >>> trade_show = scoring.CostOfDelay(
    ...     rate=2_000, urgency="fixed_date", deadline=6, penalty=50_000)
    >>> trade_show.cost(5), trade_show.cost(8)
    (0.0, 54000.0)
    """

    rate: float
    urgency: Urgency = Urgency.STANDARD
    deadline: float | None = None
    penalty: float = 0.0
    ramp: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "urgency", _urgency(self.urgency))
        problems = []
        if not (math.isfinite(self.rate) and self.rate >= 0):
            problems.append(f"rate: must be a finite number >= 0, got {self.rate}")
        if not (math.isfinite(self.penalty) and self.penalty >= 0):
            problems.append(
                f"penalty: must be a finite number >= 0, got {self.penalty}"
            )
        fixed = self.urgency is Urgency.FIXED_DATE
        intangible = self.urgency is Urgency.INTANGIBLE
        if fixed and (self.deadline is None or not self.deadline >= 0):
            problems.append("deadline: a fixed-date profile needs a deadline >= 0")
        if not fixed and self.deadline is not None:
            problems.append(
                f"deadline: only a fixed-date profile has one, not {self.urgency.value}"
            )
        if not fixed and self.penalty:
            problems.append(
                f"penalty: only a fixed-date profile has one, not {self.urgency.value}"
            )
        if intangible and (self.ramp is None or not self.ramp > 0):
            problems.append("ramp: an intangible profile needs a ramp > 0")
        if not intangible and self.ramp is not None:
            problems.append(
                f"ramp: only an intangible profile has one, not {self.urgency.value}"
            )
        if problems:
            msg = "CostOfDelay: " + "; ".join(problems)
            raise InvalidInputError(msg)

    @property
    def _deadline(self) -> float:
        return 0.0 if self.deadline is None else self.deadline

    @property
    def _ramp(self) -> float:
        return 1.0 if self.ramp is None else self.ramp

    @overload
    def rate_at(self, time: float) -> float: ...
    @overload
    def rate_at(self, time: npt.ArrayLike) -> FloatArray: ...
    def rate_at(self, time: npt.ArrayLike) -> float | FloatArray:
        """Return the cost per unit of time at `time` units from now (``>= 0``).

        Examples
        --------
        >>> from productops import scoring
        >>> scoring.CostOfDelay(rate=10, urgency="intangible", ramp=4).rate_at(1)
        2.5
        """
        t = v.nonnegative("time", time)
        if self.urgency is Urgency.FIXED_DATE:
            rates = np.where(t > self._deadline, self.rate, 0.0)
        elif self.urgency is Urgency.INTANGIBLE:
            rates = self.rate * np.minimum(t / self._ramp, 1.0)
        else:
            rates = np.full_like(t, self.rate)
        return v.result(rates, scalar=v.is_scalar(time))

    @overload
    def cost(self, delay: float) -> float: ...
    @overload
    def cost(self, delay: npt.ArrayLike) -> FloatArray: ...
    def cost(self, delay: npt.ArrayLike) -> float | FloatArray:
        """Return the cost of delivering after `delay` units of time.

        That is the integral of `rate_at` from 0 to `delay`, plus any penalty.

        Examples
        --------
        >>> from productops import scoring
        >>> scoring.CostOfDelay(rate=10).cost([0, 2, 6])
        array([ 0., 20., 60.])
        """
        d = v.nonnegative("delay", delay)
        if self.urgency is Urgency.FIXED_DATE:
            late = d - self._deadline
            costs = np.where(late > 0, self.penalty + self.rate * late, 0.0)
        elif self.urgency is Urgency.INTANGIBLE:
            ramp = self._ramp
            costs = np.where(
                d <= ramp,
                self.rate * d * d / (2 * ramp),
                self.rate * (ramp / 2 + d - ramp),
            )
        else:
            costs = self.rate * d
        return v.result(np.asarray(costs, dtype=np.float64), scalar=v.is_scalar(delay))


def _urgency(value: Any) -> Urgency:
    try:
        return Urgency(value)
    except ValueError:
        choices = ", ".join(repr(u.value) for u in Urgency)
        msg = f"urgency: expected one of {choices}, got {value!r}"
        raise InvalidInputError(msg) from None


@overload
def cost_of_delay(
    *,
    rate: float,
    delay: float,
    urgency: Urgency | str = ...,
    deadline: float | None = ...,
    penalty: float = ...,
    ramp: float | None = ...,
) -> float: ...
@overload
def cost_of_delay(
    *,
    rate: float,
    delay: npt.ArrayLike,
    urgency: Urgency | str = ...,
    deadline: float | None = ...,
    penalty: float = ...,
    ramp: float | None = ...,
) -> FloatArray: ...
def cost_of_delay(
    *,
    rate: float,
    delay: npt.ArrayLike,
    urgency: Urgency | str = Urgency.STANDARD,
    deadline: float | None = None,
    penalty: float = 0.0,
    ramp: float | None = None,
) -> float | FloatArray:
    """Return what delaying by `delay` costs, for an urgency profile.

    A shortcut for ``CostOfDelay(rate=..., urgency=..., ...).cost(delay)``;
    see `CostOfDelay` for the profiles.

    Parameters
    ----------
    rate : float
        Value lost per unit of time at full urgency.
    delay : float or array-like
        Time from now until delivery, in the same unit as `rate`.
    urgency : Urgency or str, default "standard"
        ``"expedite"``, ``"fixed_date"``, ``"standard"`` or ``"intangible"``.
    deadline, penalty : float
        For ``"fixed_date"``: when the cost starts, and the one-off loss then.
    ramp : float
        For ``"intangible"``: time over which the rate reaches `rate`.

    Returns
    -------
    float or numpy.ndarray

    Raises
    ------
    InvalidInputError
        If the profile is incomplete or a value is negative or NaN.

    References
    ----------
    Joshua Arnold, "Cost of Delay", Black Swan Farming,
    http://blackswanfarming.com/cost-of-delay/ (urgency profiles);
    David J. Anderson, *Kanban*, 2010 (classes of service).

    Examples
    --------
    >>> from productops import scoring
    >>> scoring.cost_of_delay(rate=10, delay=3)
    30.0
    >>> scoring.cost_of_delay(rate=10, delay=[2, 4, 8], urgency="intangible", ramp=4)
    array([ 5., 20., 60.])
    """
    profile = CostOfDelay(
        rate=float(rate),
        urgency=_urgency(urgency),
        deadline=deadline,
        penalty=penalty,
        ramp=ramp,
    )
    return profile.cost(delay)


@overload
def cd3(*, cost_of_delay: float, duration: float) -> float: ...
@overload
def cd3(*, cost_of_delay: npt.ArrayLike, duration: npt.ArrayLike) -> FloatArray: ...
def cd3(*, cost_of_delay: npt.ArrayLike, duration: npt.ArrayLike) -> float | FloatArray:
    """Return CD3, cost of delay divided by duration.

    Doing the highest CD3 first minimises the total cost of delay of a
    sequence when every item's cost of delay is a constant rate (standard
    urgency). With other profiles use `sequence_delay_cost` to compare
    orders directly: CD3 assumes the constant rate.

    Parameters
    ----------
    cost_of_delay : float or array-like
        Cost of delay as a rate (money per unit of time); ``>= 0``.
    duration : float or array-like
        How long the item takes, in the same time unit; ``> 0``.

    Returns
    -------
    float or numpy.ndarray

    Raises
    ------
    InvalidInputError
        If a duration is not positive or a cost of delay negative.

    References
    ----------
    Joshua Arnold, "CD3 and proportionality to outcomes", Black Swan
    Farming. http://blackswanfarming.com/cd3-and-proportionality-to-outcomes/
    Donald Reinertsen, *The Principles of Product Development Flow*, 2009.

    Examples
    --------
    Arnold's example: A loses 10 a week and takes 2 weeks; B loses 30 and
    takes 4.

    >>> from productops import scoring
    >>> scoring.cd3(cost_of_delay=[10, 30], duration=[2, 4])
    array([5. , 7.5])
    """
    scalar = v.is_scalar(cost_of_delay, duration)
    cod = v.nonnegative("cost_of_delay", cost_of_delay)
    size = v.positive("duration", duration)
    cod, size = v.broadcast(cost_of_delay=cod, duration=size)
    return v.result(cod / size, scalar=scalar)


def sequence_delay_cost(
    profiles: Sequence[CostOfDelay],
    *,
    durations: npt.ArrayLike,
    order: Sequence[int] | None = None,
) -> float:
    """Return the total cost of delay of doing items one after another.

    Item ``k`` in `order` finishes at the sum of the durations up to and
    including it, and costs ``profiles[k].cost(finish)``.

    Parameters
    ----------
    profiles : sequence of CostOfDelay
        One profile per item.
    durations : array-like
        One duration per item, ``> 0``.
    order : sequence of int, optional
        Positions of the items in the order they are done; by default the
        given order. Must be a permutation of the positions.

    Returns
    -------
    float

    Raises
    ------
    InvalidInputError
        If lengths differ, a duration is not positive, or `order` is not a
        permutation.

    References
    ----------
    Joshua Arnold, "CD3 and proportionality to outcomes", Black Swan
    Farming. http://blackswanfarming.com/cd3-and-proportionality-to-outcomes/

    Examples
    --------
    Arnold's A (10/week, 2 weeks) and B (30/week, 4 weeks): B first costs 20
    less, as CD3 predicts.

    >>> from productops import scoring
    >>> a, b = scoring.CostOfDelay(rate=10), scoring.CostOfDelay(rate=30)
    >>> scoring.sequence_delay_cost([a, b], durations=[2, 4])
    200.0
    >>> scoring.sequence_delay_cost([a, b], durations=[2, 4], order=[1, 0])
    180.0
    """
    sizes = np.atleast_1d(v.positive("durations", durations))
    if len(sizes) != len(profiles):
        msg = f"durations: {len(sizes)} durations for {len(profiles)} profiles"
        raise InvalidInputError(msg)
    sequence = list(range(len(profiles))) if order is None else list(order)
    if sorted(sequence) != list(range(len(profiles))):
        msg = f"order: must be a permutation of 0..{len(profiles) - 1}, got {sequence}"
        raise InvalidInputError(msg)
    finish = 0.0
    total = 0.0
    for position in sequence:
        finish += float(sizes[position])
        total += profiles[position].cost(finish)
    return total
