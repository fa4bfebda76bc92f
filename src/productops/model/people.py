"""Teams, stakeholders and RACI assignments."""

from __future__ import annotations

import enum
from typing import Annotated

from pydantic import Field

from ._base import Key, NonEmptyStr, ProductOpsModel

__all__ = ["Channel", "RaciAssignment", "RaciRole", "Stakeholder", "Team"]

Rating = Annotated[int, Field(ge=1, le=5)]
Email = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]


class Channel(enum.StrEnum):
    """How a stakeholder prefers to hear from product ops."""

    SLACK = "slack"
    TEAMS = "teams"
    EMAIL = "email"
    MEETING = "meeting"
    DOCUMENT = "document"


class Team(ProductOpsModel):
    """A team that delivers work.

    Examples
    --------
    >>> Team(key="payments", name="Payments", members=["ann", "bo"]).members
    ('ann', 'bo')
    """

    key: Key
    """Unique identifier, used by work items and states."""
    name: NonEmptyStr
    """Human name."""
    lead: str | None = None
    """Key of the stakeholder who leads it."""
    members: tuple[Key, ...] = ()
    """Keys of its members."""
    capacity: Annotated[float, Field(ge=0)] | None = None
    """What it can take on per sprint, in its estimate unit."""
    channel: str | None = None
    """Where to reach it (``"#team-payments"``)."""


class Stakeholder(ProductOpsModel):
    """A person product ops keeps informed or involved.

    Examples
    --------
    >>> s = Stakeholder(key="cfo", name="Dana Cruz", role="CFO",
    ...                 influence=5, interest=2)
    >>> (s.influence, s.interest)
    (5, 2)
    """

    key: Key
    """Unique identifier."""
    name: NonEmptyStr
    """Full name."""
    email: Email | None = None
    """Work email address."""
    role: str = ""
    """Job title or role (``"VP Engineering"``)."""
    team: str | None = None
    """Key of their team or department."""
    influence: Rating = 3
    """Power over the outcome, 1 (little) to 5 (decisive)."""
    interest: Rating = 3
    """How much the outcome concerns them, 1 to 5."""
    channel: Channel = Channel.EMAIL
    """How they prefer to hear from product ops."""


class RaciRole(enum.StrEnum):
    """A RACI role."""

    RESPONSIBLE = "responsible"
    """Does the work."""
    ACCOUNTABLE = "accountable"
    """Owns the outcome; exactly one per deliverable."""
    CONSULTED = "consulted"
    """Asked before decisions."""
    INFORMED = "informed"
    """Told after decisions."""


class RaciAssignment(ProductOpsModel):
    """One person's RACI role on one deliverable.

    Examples
    --------
    >>> RaciAssignment(deliverable="2024.3", stakeholder="ann", role="accountable")
    RaciAssignment(deliverable='2024.3', stakeholder='ann', role=<RaciRole.ACCOUNTABLE: 'accountable'>)
    """  # noqa: E501

    deliverable: Key
    """Key of the release, initiative or other deliverable."""
    stakeholder: Key
    """Key of the stakeholder."""
    role: RaciRole
    """Their role on it."""
