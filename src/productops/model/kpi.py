"""KPIs and their observations."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Self, cast

from pydantic import model_validator

from ._base import Key, NonEmptyStr, ProductOpsModel, Timestamp, field_error

__all__ = ["KPI", "Cadence", "Direction", "Observation"]


class Direction(enum.StrEnum):
    """Which values of a KPI are good."""

    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"
    TARGET_BAND = "target_band"
    """Good between `KPI.band_low` and `KPI.band_high`."""


class Cadence(enum.StrEnum):
    """How often a KPI is measured."""

    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


class KPI(ProductOpsModel):
    """A key performance indicator with its target and RAG thresholds.

    Thresholds by direction:

    - ``higher_is_better``: green at or above `green`, red below `red`, amber
      between; so ``green >= red``.
    - ``lower_is_better``: green at or below `green`, red above `red`; so
      ``green <= red``.
    - ``target_band``: green inside ``[band_low, band_high]``; amber within
      `tolerance` outside the band; red beyond.

    Examples
    --------
    >>> kpi = KPI(key="activation", name="Activation rate", unit="%",
    ...           direction="higher_is_better", target=45, green=40, red=30)
    >>> kpi.direction
    <Direction.HIGHER_IS_BETTER: 'higher_is_better'>
    """

    key: Key
    """Unique identifier, used by observations."""
    name: NonEmptyStr
    """Human name."""
    unit: str = ""
    """Unit of the values (``"%"``, ``"days"``, ``"EUR"``)."""
    direction: Direction = Direction.HIGHER_IS_BETTER
    """Which values are good."""
    target: float | None = None
    """The value aimed for."""
    green: float | None = None
    """Boundary of green (higher/lower is better)."""
    red: float | None = None
    """Boundary of red (higher/lower is better)."""
    band_low: float | None = None
    """Lower end of the target band."""
    band_high: float | None = None
    """Upper end of the target band."""
    tolerance: float | None = None
    """Width of amber outside the band; ``None`` means no amber."""
    owner: str | None = None
    """Key of the stakeholder who owns it."""
    cadence: Cadence = Cadence.WEEKLY
    """How often it is measured."""
    description: str = ""
    """What it measures and how."""

    @model_validator(mode="after")
    def _check(self) -> Self:
        problems = []
        if self.direction is Direction.TARGET_BAND:
            if self.band_low is None or self.band_high is None:
                problems.append("band_high: a target band needs band_low and band_high")
            elif self.band_low > self.band_high:
                problems.append(
                    f"band_low: {self.band_low} is above band_high {self.band_high}"
                )
            if self.tolerance is not None and self.tolerance < 0:
                problems.append("tolerance: must be >= 0")
            if self.green is not None or self.red is not None:
                problems.append(
                    "green: a target band uses band_low and band_high, not green/red"
                )
        else:
            if self.band_low is not None or self.band_high is not None:
                problems.append(
                    f"band_low: a band is only for target_band, not {self.direction}"
                )
            if self.green is not None and self.red is not None:
                higher = self.direction is Direction.HIGHER_IS_BETTER
                if (higher and self.green < self.red) or (
                    not higher and self.green > self.red
                ):
                    relation = ">=" if higher else "<="
                    problems.append(
                        f"green: {self.direction} needs green {relation} red "
                        f"(got green={self.green}, red={self.red})"
                    )
        if problems:
            raise field_error(self, problems)
        return self


class Observation(ProductOpsModel):
    """One measured value of a KPI, at an instant or over a period.

    Give either `at`, or `period_start` and `period_end` (inclusive dates).

    Examples
    --------
    >>> Observation(kpi="activation", period_start="2024-01-01",
    ...             period_end="2024-01-07", value=41.5).period_end
    datetime.date(2024, 1, 7)
    """

    kpi: Key
    """Key of the KPI measured."""
    value: float
    """The measured value (finite)."""
    at: Timestamp | None = None
    """The instant measured."""
    period_start: date | None = None
    """First day of the period measured."""
    period_end: date | None = None
    """Last day of the period measured (inclusive)."""
    segment: str | None = None
    """A slice such as a region or plan; ``None`` is the whole."""

    @model_validator(mode="after")
    def _check(self) -> Self:
        has_period = self.period_start is not None or self.period_end is not None
        if self.at is not None and has_period:
            msg = "at: give an instant or a period, not both"
            raise field_error(self, [msg])
        if self.at is None:
            if self.period_start is None or self.period_end is None:
                msg = "period_end: give period_start and period_end, or 'at'"
                raise field_error(self, [msg])
            if self.period_start > self.period_end:
                msg = (
                    f"period_start: {self.period_start} is after period_end "
                    f"{self.period_end}"
                )
                raise field_error(self, [msg])
        return self

    @property
    def when(self) -> date | datetime:
        """The instant, or the last day of the period: what to plot it at."""
        if self.at is not None:
            return self.at
        return cast(date, self.period_end)  # validation guarantees a period here
