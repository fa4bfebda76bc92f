"""Risks and their mitigations."""

from __future__ import annotations

import enum
from datetime import date
from typing import Annotated, Self

from pydantic import Field, model_validator

from ._base import (
    Key,
    NonEmptyStr,
    Probability,
    ProductOpsModel,
    Timestamp,
    field_error,
)

__all__ = ["Mitigation", "MitigationStatus", "Risk", "RiskCategory", "RiskStatus"]

Money = Annotated[float, Field(ge=0)]


class RiskCategory(enum.StrEnum):
    """The kind of risk."""

    TECHNICAL = "technical"
    SCHEDULE = "schedule"
    RESOURCE = "resource"
    DEPENDENCY = "dependency"
    SECURITY = "security"
    COMPLIANCE = "compliance"
    OPERATIONAL = "operational"
    MARKET = "market"
    FINANCIAL = "financial"
    OTHER = "other"


class RiskStatus(enum.StrEnum):
    """Where a risk stands."""

    OPEN = "open"
    MITIGATING = "mitigating"
    ACCEPTED = "accepted"
    """Consciously left as it is."""
    OCCURRED = "occurred"
    """It happened: it is now an issue."""
    CLOSED = "closed"
    """It can no longer happen."""


class MitigationStatus(enum.StrEnum):
    """Progress of a mitigation."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


class Mitigation(ProductOpsModel):
    """An action that lowers a risk, with the risk left once it is done.

    Residual values use the same scale as their risk and must not exceed the
    risk's own values.

    Examples
    --------
    >>> Mitigation(description="Second vendor", residual_likelihood=2).status
    <MitigationStatus.PLANNED: 'planned'>
    """

    description: NonEmptyStr
    """What will be done."""
    owner: str | None = None
    """Key of the stakeholder who does it."""
    status: MitigationStatus = MitigationStatus.PLANNED
    """Its progress."""
    due: date | None = None
    """When it should be done."""
    cost: Money | None = None
    """What it costs, in the risk's currency."""
    residual_likelihood: int | None = None
    """Likelihood on the risk's scale once done."""
    residual_impact: int | None = None
    """Impact on the risk's scale once done."""
    residual_probability: Probability | None = None
    """Probability once done."""
    residual_cost: Money | None = None
    """Cost if it happens anyway, once done."""


class Risk(ProductOpsModel):
    """A risk to a release, an initiative or the business.

    Assess it on an ordinal scale (`likelihood` and `impact` from 1 to `scale`,
    as in a 5 x 5 matrix), as a `probability` and a `cost` (for expected monetary
    value), or both; each pair is all or nothing. `detection` (1-10, higher means
    harder to detect) adds what FMEA needs; with ``scale=10``, `likelihood` and
    `impact` read as FMEA's occurrence and severity.

    Examples
    --------
    >>> r = Risk(key="R-1", title="Payment vendor late", category="dependency",
    ...          likelihood=4, impact=5, probability=0.35, cost=120_000)
    >>> r.score, r.expected_cost
    (20, 42000.0)
    """

    key: Key
    """Unique identifier."""
    title: NonEmptyStr
    """One-line description."""
    description: str = ""
    """Cause, event and effect, in words."""
    category: RiskCategory = RiskCategory.OTHER
    """The kind of risk."""
    status: RiskStatus = RiskStatus.OPEN
    """Where it stands."""
    scale: Annotated[int, Field(ge=2, le=10)] = 5
    """Points on the likelihood and impact scales (5 for a 5 x 5 matrix)."""
    likelihood: int | None = None
    """Likelihood on 1..`scale`."""
    impact: int | None = None
    """Impact on 1..`scale`."""
    probability: Probability | None = None
    """Probability that it happens, in ``[0, 1]``."""
    cost: Money | None = None
    """What it costs if it happens."""
    detection: Annotated[int, Field(ge=1, le=10)] | None = None
    """FMEA detection rating: 1 = certain to be caught, 10 = cannot be caught."""
    owner: str | None = None
    """Key of the stakeholder who owns it."""
    raised_at: Timestamp | None = None
    """When it was raised."""
    review_date: date | None = None
    """When it must be looked at again."""
    mitigations: tuple[Mitigation, ...] = ()
    """Actions that lower it."""
    releases: tuple[Key, ...] = ()
    """Keys of the releases it threatens."""
    items: tuple[Key, ...] = ()
    """Keys of the work items or initiatives it concerns."""

    @model_validator(mode="after")
    def _check(self) -> Self:
        problems = []
        if (self.likelihood is None) != (self.impact is None):
            problems.append("impact: give likelihood and impact together, or neither")
        if (self.probability is None) != (self.cost is None):
            problems.append("cost: give probability and cost together, or neither")
        for name in ("likelihood", "impact"):
            value = getattr(self, name)
            if value is not None and not 1 <= value <= self.scale:
                problems.append(f"{name}: {value} is outside the scale 1..{self.scale}")
        for index, mitigation in enumerate(self.mitigations):
            problems += self._check_residuals(index, mitigation)
        if problems:
            raise field_error(self, problems)
        return self

    def _check_residuals(self, index: int, mitigation: Mitigation) -> list[str]:
        problems = []
        for name, limit in (
            ("likelihood", self.likelihood),
            ("impact", self.impact),
            ("probability", self.probability),
            ("cost", self.cost),
        ):
            residual = getattr(mitigation, f"residual_{name}")
            if residual is None:
                continue
            field = f"mitigations.{index}.residual_{name}"
            if limit is None:
                problems.append(f"{field}: the risk itself has no {name}")
            elif residual > limit:
                problems.append(f"{field}: {residual} exceeds the risk's {limit}")
            elif name in ("likelihood", "impact") and residual < 1:
                problems.append(f"{field}: {residual} is below the scale's 1")
        return problems

    @property
    def score(self) -> int | None:
        """Likelihood x impact on the ordinal scale, or ``None`` if unassessed."""
        if self.likelihood is None or self.impact is None:
            return None
        return self.likelihood * self.impact

    @property
    def expected_cost(self) -> float | None:
        """Probability x cost (expected monetary value), or ``None``."""
        if self.probability is None or self.cost is None:
            return None
        return self.probability * self.cost

    @property
    def is_open(self) -> bool:
        """Whether the risk can still hurt (open, mitigating or accepted)."""
        return self.status in (
            RiskStatus.OPEN,
            RiskStatus.MITIGATING,
            RiskStatus.ACCEPTED,
        )
