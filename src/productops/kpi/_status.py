"""KPI status: red/amber/green against target and thresholds."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, Literal

from .._tabular import Tabular, html_table, rag_badge
from ..errors import InvalidInputError
from ..model.kpi import KPI, Direction, Observation

__all__ = ["KpiStatus", "RAG", "instant", "status"]

RAG = Literal["green", "amber", "red", "grey"]
"""A KPI status colour; ``"grey"`` when there is no data or nothing to judge by."""


@dataclass(frozen=True, slots=True)
class KpiStatus(Tabular):
    """The status of one KPI at one time.

    Attributes
    ----------
    kpi : str
        Key of the KPI.
    value : float or None
        The latest observed value, ``None`` when there is none.
    rag : {"green", "amber", "red", "grey"}
        The status colour.
    reason : str
        Why, in words.
    target : float or None
        The KPI's target.
    direction : Direction
        Which values are good.
    observed_at : date, datetime or None
        When the value was measured (`Observation.when`).
    gap : float or None
        ``value - target`` when both are known; its sign is not "good" or "bad"
        by itself, read it with `direction`.
    unit : str
        The KPI's unit.

    Examples
    --------
    >>> kpi = KPI(key="lead", name="Lead time", unit="days",
    ...           direction="lower_is_better", green=5, red=10)
    >>> s = status(kpi, [Observation(kpi="lead", value=12, at="2024-03-01T00:00Z")])
    >>> s.rag, s.reason
    ('red', '12 days is above the red threshold 10 days')
    """

    kpi: str
    value: float | None
    rag: RAG
    reason: str
    target: float | None
    direction: Direction
    observed_at: date | datetime | None
    gap: float | None
    unit: str = ""

    def to_records(self) -> list[dict[str, Any]]:
        """One dict with every field, for a data frame.

        Examples
        --------
        >>> kpi = KPI(key="nps", name="NPS", green=30, red=10)
        >>> obs = Observation(kpi="nps", value=35, at="2024-03-01T00:00:00Z")
        >>> status(kpi, [obs]).to_records()[0]["rag"]
        'green'
        """
        return [
            {
                "kpi": self.kpi,
                "value": self.value,
                "rag": self.rag,
                "reason": self.reason,
                "target": self.target,
                "direction": self.direction.value,
                "observed_at": self.observed_at,
                "gap": self.gap,
                "unit": self.unit,
            }
        ]

    def _repr_html_(self) -> str:
        row = {
            "status": rag_badge(self.rag),
            "value": self.value,
            "target": self.target,
            "unit": self.unit,
            "observed_at": self.observed_at,
            "reason": self.reason,
        }
        return html_table([row], caption=f"KPI {self.kpi}")


def instant(when: date | datetime) -> datetime:
    """Return `when` as an aware instant; a date stands for the end of that day (UTC).

    Raises
    ------
    InvalidInputError
        If `when` is a naive datetime.

    Examples
    --------
    >>> instant(date(2024, 1, 7))
    datetime.datetime(2024, 1, 7, 23, 59, 59, 999999, tzinfo=datetime.timezone.utc)
    """
    if isinstance(when, datetime):
        if when.tzinfo is None:
            msg = f"as_of: {when.isoformat()} is naive; give a timezone-aware datetime"
            raise InvalidInputError(msg)
        return when
    return datetime.combine(when, time.max, tzinfo=UTC)


def _fmt(x: float, unit: str) -> str:
    text = f"{x:g}"
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def _judge(kpi: KPI, value: float) -> tuple[RAG, str]:
    """Return the colour of `value` for `kpi` and the reason in words."""
    v = _fmt(value, kpi.unit)
    if kpi.direction is Direction.TARGET_BAND:
        low, high = kpi.band_low, kpi.band_high
        assert low is not None  # noqa: S101 - the model validates a band
        assert high is not None  # noqa: S101
        band = f"[{_fmt(low, kpi.unit)}, {_fmt(high, kpi.unit)}]"
        if low <= value <= high:
            return "green", f"{v} is inside the target band {band}"
        side = "below" if value < low else "above"
        distance = low - value if value < low else value - high
        d = _fmt(distance, kpi.unit)
        if kpi.tolerance is not None and distance <= kpi.tolerance:
            tol = _fmt(kpi.tolerance, kpi.unit)
            return "amber", (
                f"{v} is {d} {side} the target band {band}, within the tolerance {tol}"
            )
        extra = (
            ""
            if kpi.tolerance is None
            else (f", beyond the tolerance {_fmt(kpi.tolerance, kpi.unit)}")
        )
        return "red", f"{v} is {d} {side} the target band {band}{extra}"

    higher = kpi.direction is Direction.HIGHER_IS_BETTER
    green = kpi.green if kpi.green is not None else kpi.target
    green_name = "green threshold" if kpi.green is not None else "target"
    red = kpi.red
    if green is None and red is None:
        return "grey", f"{v} has no target or thresholds to be judged against"
    worse = "below" if higher else "above"
    better = "at or above" if higher else "at or below"

    def is_worse(x: float, bound: float) -> bool:
        return x < bound if higher else x > bound

    if red is not None and is_worse(value, red):
        return "red", f"{v} is {worse} the red threshold {_fmt(red, kpi.unit)}"
    if green is not None and is_worse(value, green):
        g = _fmt(green, kpi.unit)
        if red is None:
            return "amber", f"{v} is {worse} the {green_name} {g} (no red threshold)"
        return "amber", (
            f"{v} is {worse} the {green_name} {g} but not {worse} the red "
            f"threshold {_fmt(red, kpi.unit)}"
        )
    if green is not None:
        return "green", f"{v} is {better} the {green_name} {_fmt(green, kpi.unit)}"
    assert red is not None  # noqa: S101 - both None returned above
    return "green", (
        f"{v} is not {worse} the red threshold {_fmt(red, kpi.unit)} "
        "(no green threshold or target)"
    )


def status(
    kpi: KPI,
    observations: Iterable[Observation],
    *,
    as_of: date | datetime | None = None,
    segment: str | None = None,
) -> KpiStatus:
    """Return the red/amber/green status of `kpi` from its latest observation.

    Only observations of `kpi` (by key) and of `segment` are used; with `as_of`,
    only those measured by then (a period counts from the end of its last day,
    UTC). The latest of them is judged:

    - ``higher_is_better``: green at or above `KPI.green` (the `KPI.target` when
      `green` is unset), red below `KPI.red`, amber between.
    - ``lower_is_better``: the mirror image.
    - ``target_band``: green inside the band, amber up to `KPI.tolerance`
      outside it, red beyond (no tolerance means no amber).

    The status is ``"grey"`` when there is no observation, or when a
    higher/lower KPI has neither target nor thresholds.

    Parameters
    ----------
    kpi : KPI
        The KPI with its direction, target and thresholds.
    observations : iterable of Observation
        Observations, of any KPIs; others are ignored.
    as_of : date or datetime, optional
        Judge the status as it was then. A datetime must be timezone-aware.
    segment : str, optional
        The slice to judge; ``None`` (default) is the whole.

    Returns
    -------
    KpiStatus

    Raises
    ------
    InvalidInputError
        If `as_of` is naive, or two latest observations are measured at the
        same time with different values (naming both).

    Examples
    --------
    >>> kpi = KPI(key="activation", name="Activation rate", unit="%",
    ...           direction="higher_is_better", target=45, green=40, red=30)
    >>> obs = [
    ...     Observation(kpi="activation", value=42.0, at="2024-03-01T00:00:00Z"),
    ...     Observation(kpi="activation", value=35.5, at="2024-03-08T00:00:00Z"),
    ... ]
    >>> s = status(kpi, obs)
    >>> s.rag, s.value, s.gap
    ('amber', 35.5, -9.5)
    >>> s.reason
    '35.5% is below the green threshold 40% but not below the red threshold 30%'
    >>> status(kpi, obs, as_of=date(2024, 3, 5)).rag
    'green'
    >>> status(kpi, []).rag
    'grey'
    """
    cutoff = None if as_of is None else instant(as_of)
    latest: list[tuple[int, Observation]] = []
    latest_at: datetime | None = None
    for i, obs in enumerate(observations):
        if obs.kpi != kpi.key or obs.segment != segment:
            continue
        at = instant(obs.when)
        if cutoff is not None and at > cutoff:
            continue
        if latest_at is None or at > latest_at:
            latest, latest_at = [(i, obs)], at
        elif at == latest_at:
            latest.append((i, obs))
    if not latest:
        when = "" if as_of is None else f" as of {as_of.isoformat()}"
        where = "" if segment is None else f" for segment {segment!r}"
        return KpiStatus(
            kpi=kpi.key,
            target=kpi.target,
            direction=kpi.direction,
            value=None,
            rag="grey",
            reason=f"no observation of {kpi.key!r}{where}{when}",
            observed_at=None,
            gap=None,
            unit=kpi.unit,
        )
    values = {obs.value for _, obs in latest}
    if len(values) > 1:
        where = ", ".join(f"observations[{i}] = {obs.value:g}" for i, obs in latest)
        msg = (
            f"observations: the latest values of {kpi.key!r} disagree ({where}), "
            f"all measured at {latest[0][1].when}; drop all but one"
        )
        raise InvalidInputError(msg)
    obs = latest[-1][1]
    rag, reason = _judge(kpi, obs.value)
    gap = None if kpi.target is None else obs.value - kpi.target
    return KpiStatus(
        kpi=kpi.key,
        target=kpi.target,
        direction=kpi.direction,
        value=obs.value,
        rag=rag,
        reason=reason,
        observed_at=obs.when,
        gap=gap,
        unit=kpi.unit,
    )
