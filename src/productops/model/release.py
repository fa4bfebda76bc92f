"""Releases, their gates and their deployments."""

from __future__ import annotations

import enum
from datetime import date
from typing import Self

from pydantic import model_validator

from ._base import (
    Key,
    NonEmptyStr,
    ProductOpsModel,
    Timestamp,
    duplicates,
    field_error,
)

__all__ = [
    "Deployment",
    "DeploymentStatus",
    "GateKind",
    "GateStatus",
    "Release",
    "ReleaseGate",
    "ReleaseStatus",
]


class ReleaseStatus(enum.StrEnum):
    """Where a release stands."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    FROZEN = "frozen"
    """Code freeze: only fixes go in."""
    RELEASED = "released"
    CANCELLED = "cancelled"


class GateKind(enum.StrEnum):
    """What a release gate checks."""

    QA = "qa"
    SECURITY = "security"
    COMPLIANCE = "compliance"
    DOCS = "docs"
    APPROVAL = "approval"


class GateStatus(enum.StrEnum):
    """The outcome of a gate so far."""

    PENDING = "pending"
    PASSED = "passed"
    FAILED = "failed"
    WAIVED = "waived"
    """Skipped on purpose; needs an approver."""


class ReleaseGate(ProductOpsModel):
    """A check a release must pass (or have waived) before it ships.

    A waived gate, and a passed approval gate, must name their approver.

    Examples
    --------
    >>> ReleaseGate(name="Pen test", kind="security", status="waived")
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for ReleaseGate
    ...
    """

    name: NonEmptyStr
    """Unique within its release."""
    kind: GateKind
    """What the gate checks."""
    status: GateStatus = GateStatus.PENDING
    """Its outcome so far."""
    required: bool = True
    """Whether the release may ship without it."""
    evidence: tuple[NonEmptyStr, ...] = ()
    """Links or notes that prove the outcome (a test run, a signed form)."""
    approver: str | None = None
    """Key of the stakeholder who approved or waived it."""
    decided_at: Timestamp | None = None
    """When it passed, failed or was waived."""

    @model_validator(mode="after")
    def _check_approver(self) -> Self:
        if self.status is GateStatus.WAIVED and not self.approver:
            msg = "approver: a waived gate must name who waived it"
            raise field_error(self, [msg])
        if (
            self.kind is GateKind.APPROVAL
            and self.status is GateStatus.PASSED
            and not self.approver
        ):
            msg = "approver: a passed approval gate must name the approver"
            raise field_error(self, [msg])
        return self


class DeploymentStatus(enum.StrEnum):
    """How a deployment ended."""

    SUCCESS = "success"
    FAILURE = "failure"
    """It failed to deploy."""
    ROLLED_BACK = "rolled_back"
    """It deployed, then was rolled back."""


class Deployment(ProductOpsModel):
    """One deployment of a service to an environment.

    A deployment that caused an incident, failed or was rolled back counts as a
    failed change for DORA's change failure rate.

    Examples
    --------
    >>> d = Deployment(key="dep-1", service="api", environment="production",
    ...                deployed_at="2024-03-01T12:00:00Z", status="rolled_back")
    >>> d.failed
    True
    """

    key: Key
    """Unique identifier of the deployment."""
    service: NonEmptyStr
    """What was deployed."""
    environment: NonEmptyStr = "production"
    """Where it was deployed."""
    deployed_at: Timestamp
    """When it finished deploying."""
    status: DeploymentStatus = DeploymentStatus.SUCCESS
    """How it ended."""
    version: str | None = None
    """Version or commit deployed."""
    release: Key | None = None
    """Key of the release it belongs to."""
    items: tuple[Key, ...] = ()
    """Keys of the work items it shipped (for lead time for changes)."""
    caused_incidents: tuple[Key, ...] = ()
    """Keys of incidents it caused."""

    @property
    def failed(self) -> bool:
        """Whether this deployment counts as a failed change."""
        return self.status is not DeploymentStatus.SUCCESS or bool(
            self.caused_incidents
        )


class Release(ProductOpsModel):
    """A planned or shipped release: scope, gates and deployments.

    Examples
    --------
    >>> r = Release(key="2024.3", name="Spring release", target_date="2024-03-29",
    ...             scope=["APP-1", "APP-2"],
    ...             gates=[{"name": "QA sign-off", "kind": "qa", "status": "passed"}])
    >>> r.target_date, len(r.scope), r.gates[0].status
    (datetime.date(2024, 3, 29), 2, <GateStatus.PASSED: 'passed'>)
    """

    key: Key
    """Unique identifier (Jira's version id or name)."""
    name: NonEmptyStr
    """Human name."""
    version: str | None = None
    """Version string, e.g. ``"4.2.0"``."""
    status: ReleaseStatus = ReleaseStatus.PLANNED
    """Where it stands."""
    target_date: date | None = None
    """The date it is meant to ship."""
    code_freeze: date | None = None
    """First day of the code freeze, if there is one."""
    released_at: Timestamp | None = None
    """When it shipped."""
    owner: str | None = None
    """Key of the accountable stakeholder."""
    teams: tuple[Key, ...] = ()
    """Keys of the teams delivering it."""
    scope: tuple[Key, ...] = ()
    """Keys of the work items it ships."""
    gates: tuple[ReleaseGate, ...] = ()
    """Checks it must pass."""
    deployments: tuple[Deployment, ...] = ()
    """Deployments made for it."""
    description: str = ""
    """Notes for humans."""

    @model_validator(mode="after")
    def _check(self) -> Self:
        problems = []
        if self.status is ReleaseStatus.RELEASED and self.released_at is None:
            problems.append("released_at: a released release needs released_at")
        if self.released_at is not None and self.status is not ReleaseStatus.RELEASED:
            problems.append(
                f"status: released_at is set but status is {self.status.value!r}"
            )
        gate_dupes = duplicates(gate.name for gate in self.gates)
        if gate_dupes:
            problems.append(f"gates: duplicate gate names {gate_dupes}")
        scope_dupes = duplicates(self.scope)
        if scope_dupes:
            problems.append(f"scope: keys listed twice {scope_dupes}")
        if (
            self.code_freeze is not None
            and self.target_date is not None
            and self.code_freeze > self.target_date
        ):
            problems.append("code_freeze: the freeze starts after the target date")
        if problems:
            raise field_error(self, problems)
        return self
