"""Risks and their mitigations."""

from __future__ import annotations

import enum
from datetime import date
from typing import TYPE_CHECKING, Annotated, Literal, Self

from pydantic import Field, model_validator

from ._base import (
    Key,
    NonEmptyStr,
    Probability,
    ProductOpsModel,
    Timestamp,
    field_error,
)

if TYPE_CHECKING:
    from productops.scoring._register import Assessment
    from productops.scoring._risk import RiskMatrix

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

    The methods `rating`, `residual`, `rpn` and `action_priority` call the
    functions of `productops.scoring.risk` on this record.

    Examples
    --------
    >>> r = Risk(key="R-1", title="Payment vendor late", category="dependency",
    ...          likelihood=4, impact=5, probability=0.35, cost=120_000)
    >>> r.score, r.expected_cost
    (20, 42000.0)
    >>> r.rating()
    'extreme'
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
    closed_at: Timestamp | None = None
    """When it stopped being open (closed, or occurred and became an issue);
    ``None`` while it is open. Risk burndowns need it for closed risks."""
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
        if self.closed_at is not None:
            if self.is_open:
                problems.append(
                    f"closed_at: a risk with status {self.status.value!r} is still "
                    "open; set status to closed or occurred, or leave closed_at empty"
                )
            elif self.raised_at is not None and self.closed_at < self.raised_at:
                problems.append(
                    f"closed_at: {self.closed_at.isoformat()} is before raised_at "
                    f"{self.raised_at.isoformat()}"
                )
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

    def rating(self, *, matrix: RiskMatrix | None = None) -> str | None:
        """Return the band of the risk's likelihood and impact on a matrix.

        Parameters
        ----------
        matrix : RiskMatrix, optional
            A `scale` x `scale` matrix. Defaults to ``MATRIX_5X5`` (NPSA) for
            ``scale=5`` and ``MATRIX_3X3`` for ``scale=3``.

        Returns
        -------
        str or None
            The band, or ``None`` when likelihood and impact are not given.

        Raises
        ------
        InvalidInputError
            If the matrix's size differs from `scale`, or no matrix is given
            for a scale without a default.

        Examples
        --------
        >>> Risk(key="R-1", title="t", likelihood=2, impact=3).rating()
        'moderate'
        """
        from productops.errors import InvalidInputError
        from productops.scoring import _risk

        if matrix is None:
            defaults = {3: _risk.MATRIX_3X3, 5: _risk.MATRIX_5X5}
            if self.scale not in defaults:
                msg = (
                    f"matrix: no default matrix for scale {self.scale}; "
                    "pass matrix=RiskMatrix(...)"
                )
                raise InvalidInputError(msg)
            matrix = defaults[self.scale]
        if matrix.shape != (self.scale, self.scale):
            rows, columns = matrix.shape
            msg = (
                f"matrix: {rows}x{columns} does not fit risk {self.key!r} on "
                f"scale {self.scale}"
            )
            raise InvalidInputError(msg)
        if self.likelihood is None or self.impact is None:
            return None
        return matrix.classify(likelihood=self.likelihood, impact=self.impact)

    def residual(
        self, *, include: Literal["done", "not_dropped"] = "done"
    ) -> Assessment:
        """Return what is left of the risk once its mitigations have worked.

        For each of likelihood, impact, probability and cost: the lowest
        ``residual_*`` value among the counted mitigations, or the risk's
        own value when none lowers it (see
        ``productops.scoring.risk.residual``).

        Parameters
        ----------
        include : {"done", "not_dropped"}, default "done"
            Count only finished mitigations, or every one not dropped.

        Returns
        -------
        Assessment
            With `score` and `exposure` properties.

        Examples
        --------
        >>> r = Risk(key="R-1", title="t", probability=0.4, cost=100_000,
        ...          mitigations=[Mitigation(description="m", status="done",
        ...                                  residual_probability=0.1)])
        >>> r.residual().exposure
        10000.0
        """
        from productops.scoring._register import residual

        return residual(self, include=include)

    def rpn(self) -> int | None:
        """Return the FMEA risk priority number ``impact x likelihood x detection``.

        On ``scale=10``, `impact` is FMEA's severity and `likelihood` its
        occurrence.

        Returns
        -------
        int or None
            From 1 to 1000, or ``None`` when a rating is missing.

        Raises
        ------
        InvalidInputError
            If the risk is not on FMEA's 1-10 scale.

        Examples
        --------
        >>> Risk(key="F-1", title="Seal leaks", scale=10, impact=8,
        ...      likelihood=6, detection=2).rpn()
        96
        """
        ratings = self._fmea_ratings()
        if ratings is None:
            return None
        from productops.scoring._risk import rpn

        severity, occurrence, detection = ratings
        return int(rpn(severity=severity, occurrence=occurrence, detection=detection))

    def action_priority(self) -> Literal["H", "M", "L"] | None:
        """Return the AIAG & VDA (2019) FMEA action priority, "H", "M" or "L".

        Severity is `impact` and occurrence `likelihood`, on ``scale=10``
        (see ``productops.scoring.risk.action_priority``).

        Returns
        -------
        str or None
            ``None`` when a rating is missing.

        Raises
        ------
        InvalidInputError
            If the risk is not on FMEA's 1-10 scale.

        Examples
        --------
        >>> Risk(key="F-1", title="Seal leaks", scale=10, impact=8,
        ...      likelihood=6, detection=2).action_priority()
        'H'
        """
        ratings = self._fmea_ratings()
        if ratings is None:
            return None
        from productops.scoring._risk import action_priority

        severity, occurrence, detection = ratings
        found = action_priority(
            severity=severity, occurrence=occurrence, detection=detection
        )
        return "H" if found == "H" else "M" if found == "M" else "L"

    def _fmea_ratings(self) -> tuple[int, int, int] | None:
        if self.impact is None or self.likelihood is None or self.detection is None:
            return None
        if self.scale != 10:
            from productops.errors import InvalidInputError

            msg = (
                f"scale: risk {self.key!r} is rated on 1..{self.scale}; FMEA needs "
                "severity (impact) and occurrence (likelihood) on scale=10"
            )
            raise InvalidInputError(msg)
        return self.impact, self.likelihood, self.detection
