"""Customer feedback and the initiatives it argues for."""

from __future__ import annotations

import enum
from typing import Annotated, Self

from pydantic import Field, model_validator

from ..errors import InvalidInputError
from ._base import (
    Key,
    NonEmptyStr,
    Probability,
    ProductOpsModel,
    Timestamp,
    field_error,
)

__all__ = [
    "Feedback",
    "FeedbackKind",
    "Horizon",
    "Initiative",
    "InitiativeStatus",
    "KanoCategory",
    "MoSCoW",
]

NonNegative = Annotated[float, Field(ge=0)]
Positive = Annotated[float, Field(gt=0)]


class FeedbackKind(enum.StrEnum):
    """What a piece of feedback is; survey kinds fix the rating scale."""

    COMMENT = "comment"
    FEATURE_REQUEST = "feature_request"
    BUG_REPORT = "bug_report"
    NPS = "nps"
    """Net Promoter Score answer: rating 0-10."""
    CSAT = "csat"
    """Customer satisfaction answer: rating 1-5."""
    CES = "ces"
    """Customer effort score answer: rating 1-7."""


_RATING_RANGE = {
    FeedbackKind.NPS: (0, 10),
    FeedbackKind.CSAT: (1, 5),
    FeedbackKind.CES: (1, 7),
}


class Feedback(ProductOpsModel):
    """A piece of customer feedback: a ticket, a note, a survey answer.

    Survey answers (``nps``, ``csat``, ``ces``) need a whole-number `rating` on
    their scale: 0-10, 1-5 and 1-7.

    Examples
    --------
    >>> f = Feedback(key="zd-101", source="zendesk", kind="nps", rating=9,
    ...              text="Love the new export", created="2024-02-01T08:00:00Z",
    ...              account="acme", account_value=48_000)
    >>> f.rating
    9.0
    """

    key: Key
    """Unique identifier (the tool's id)."""
    source: NonEmptyStr
    """The tool it came from (``"zendesk"``, ``"productboard"``, ``"survey"``)."""
    kind: FeedbackKind = FeedbackKind.COMMENT
    """What it is."""
    text: str = ""
    """What the customer said."""
    created: Timestamp
    """When it was given."""
    customer: str | None = None
    """The person who gave it."""
    account: str | None = None
    """The customer account (company)."""
    account_value: NonNegative | None = None
    """Yearly revenue of the account, for weighting demand."""
    rating: float | None = None
    """A score, on the scale its `kind` implies."""
    tags: tuple[NonEmptyStr, ...] = ()
    """Themes."""
    initiatives: tuple[Key, ...] = ()
    """Keys of the initiatives it supports."""
    url: str | None = None
    """Where a human can read it."""

    @model_validator(mode="after")
    def _check_rating(self) -> Self:
        bounds = _RATING_RANGE.get(self.kind)
        if bounds is None:
            return self
        low, high = bounds
        if self.rating is None:
            msg = f"rating: a {self.kind.value} answer needs a rating {low}-{high}"
            raise field_error(self, [msg])
        if not (low <= self.rating <= high and self.rating.is_integer()):
            msg = (
                f"rating: a {self.kind.value} rating must be a whole number from "
                f"{low} to {high}, not {self.rating:g}"
            )
            raise field_error(self, [msg])
        return self


class MoSCoW(enum.StrEnum):
    """MoSCoW priority (DSDM)."""

    MUST = "must"
    SHOULD = "should"
    COULD = "could"
    WONT = "wont"


class KanoCategory(enum.StrEnum):
    """Kano category of a feature."""

    MUST_BE = "must_be"
    PERFORMANCE = "performance"
    """One-dimensional: more is better."""
    ATTRACTIVE = "attractive"
    INDIFFERENT = "indifferent"
    REVERSE = "reverse"
    QUESTIONABLE = "questionable"


class Horizon(enum.StrEnum):
    """Roadmap horizon."""

    NOW = "now"
    NEXT = "next"
    LATER = "later"


class InitiativeStatus(enum.StrEnum):
    """Where an initiative stands."""

    IDEA = "idea"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


class Initiative(ProductOpsModel):
    """Something being prioritised: a feature, an epic, a bet.

    It carries the inputs the scoring methods need: RICE (`reach`, `impact`,
    `confidence`, `effort`), WSJF (`business_value`, `time_criticality`,
    `risk_reduction`, `job_size`), MoSCoW and Kano.

    Examples
    --------
    >>> i = Initiative(key="INIT-1", title="SSO for teams", reach=1200, impact=2,
    ...                confidence=0.8, effort=3, target_quarter="2024-Q3")
    >>> i.horizon is None, i.target_quarter
    (True, '2024-Q3')
    """

    key: Key
    """Unique identifier."""
    title: NonEmptyStr
    """One-line description."""
    description: str = ""
    """The problem and the bet, in words."""
    status: InitiativeStatus = InitiativeStatus.IDEA
    """Where it stands."""
    owner: str | None = None
    """Key of the stakeholder who owns it."""
    team: str | None = None
    """Key of the team that would build it."""
    reach: NonNegative | None = None
    """People or events affected per period (RICE)."""
    impact: NonNegative | None = None
    """Impact per person, conventionally 0.25-3 (RICE)."""
    confidence: Probability | None = None
    """Confidence in the estimates, as a fraction (0.8, not 80)."""
    effort: Positive | None = None
    """Person-months (RICE, ICE)."""
    business_value: NonNegative | None = None
    """User-business value (WSJF)."""
    time_criticality: NonNegative | None = None
    """Time criticality (WSJF)."""
    risk_reduction: NonNegative | None = None
    """Risk reduction / opportunity enablement (WSJF)."""
    job_size: Positive | None = None
    """Job size (WSJF)."""
    moscow: MoSCoW | None = None
    """MoSCoW priority."""
    kano: KanoCategory | None = None
    """Kano category."""
    target_quarter: Annotated[str, Field(pattern=r"^\d{4}-Q[1-4]$")] | None = None
    """Quarter it is aimed at, ``"YYYY-Qn"``."""
    horizon: Horizon | None = None
    """Roadmap horizon."""
    feedback: tuple[Key, ...] = ()
    """Keys of the feedback that asks for it."""
    items: tuple[Key, ...] = ()
    """Keys of the work items that deliver it."""
    tags: tuple[NonEmptyStr, ...] = ()
    """Themes."""

    @property
    def is_backlog(self) -> bool:
        """Whether it is still to prioritise: an idea or planned, not yet started.

        Examples
        --------
        >>> Initiative(key="I-1", title="Dark mode", status="planned").is_backlog
        True
        >>> Initiative(key="I-2", title="SSO", status="in_progress").is_backlog
        False
        """
        return self.status in (InitiativeStatus.IDEA, InitiativeStatus.PLANNED)

    def _inputs(self, method: str, names: tuple[str, ...]) -> dict[str, float]:
        values = {name: getattr(self, name) for name in names}
        missing = [name for name, value in values.items() if value is None]
        if missing:
            msg = f"initiative {self.key!r}: {method} needs {', '.join(missing)}"
            raise InvalidInputError(msg)
        return values

    def rice(self, *, strict: bool = False) -> float:
        """Return the RICE score from `reach`, `impact`, `confidence` and `effort`.

        Calls `productops.scoring.rice`; see there for the formula and scales.

        Raises
        ------
        InvalidInputError
            If any of the four fields is unset (all missing ones are named).

        Examples
        --------
        >>> Initiative(key="P1", title="Onboarding", reach=450, impact=3,
        ...            confidence=1.0, effort=2).rice()
        675.0
        """
        from productops.scoring import rice

        inputs = self._inputs("RICE", ("reach", "impact", "confidence", "effort"))
        return rice(
            reach=inputs["reach"],
            impact=inputs["impact"],
            confidence=inputs["confidence"],
            effort=inputs["effort"],
            strict=strict,
        )

    def cost_of_delay(self) -> float:
        """Return SAFe's cost of delay, the sum of the three WSJF value fields.

        Business value + time criticality + risk reduction.

        Raises
        ------
        InvalidInputError
            If any of the three fields is unset.

        Examples
        --------
        >>> Initiative(key="I", title="SSO", business_value=8, time_criticality=5,
        ...            risk_reduction=3, job_size=5).cost_of_delay()
        16.0
        """
        inputs = self._inputs(
            "cost of delay", ("business_value", "time_criticality", "risk_reduction")
        )
        return float(sum(inputs.values()))

    def wsjf(self, *, strict: bool = False) -> float:
        """Return WSJF: `cost_of_delay` divided by `job_size`.

        Calls `productops.scoring.wsjf`; with `strict`, every estimate must be
        on the modified Fibonacci scale.

        Raises
        ------
        InvalidInputError
            If any of the four fields is unset.

        Examples
        --------
        >>> Initiative(key="I", title="SSO", business_value=8, time_criticality=5,
        ...            risk_reduction=3, job_size=5).wsjf()
        3.2
        """
        from productops.scoring import wsjf

        inputs = self._inputs(
            "WSJF",
            ("business_value", "time_criticality", "risk_reduction", "job_size"),
        )
        return wsjf(
            business_value=inputs["business_value"],
            time_criticality=inputs["time_criticality"],
            risk_reduction=inputs["risk_reduction"],
            job_size=inputs["job_size"],
            strict=strict,
        )
