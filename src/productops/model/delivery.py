"""Delivery records: dependencies, incidents and sprints."""

from __future__ import annotations

import enum
from datetime import date, timedelta
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
    "Dependency",
    "DependencyKind",
    "DependencyStatus",
    "Incident",
    "Severity",
    "Sprint",
]


class DependencyKind(enum.StrEnum):
    """How the downstream record depends on the upstream one."""

    FINISH_TO_START = "finish_to_start"
    """Downstream cannot start before upstream finishes (the usual "blocks")."""
    START_TO_START = "start_to_start"
    FINISH_TO_FINISH = "finish_to_finish"


class DependencyStatus(enum.StrEnum):
    """Whether a dependency still binds."""

    OPEN = "open"
    AT_RISK = "at_risk"
    RESOLVED = "resolved"


class Dependency(ProductOpsModel):
    """A dependency between two records (items, initiatives, releases, teams).

    Examples
    --------
    >>> Dependency(upstream="INIT-2", downstream="INIT-7").kind
    <DependencyKind.FINISH_TO_START: 'finish_to_start'>
    """

    upstream: Key
    """Key of the record that must act first."""
    downstream: Key
    """Key of the record that waits for it."""
    kind: DependencyKind = DependencyKind.FINISH_TO_START
    """How they depend."""
    status: DependencyStatus = DependencyStatus.OPEN
    """Whether it still binds."""
    needed_by: date | None = None
    """When downstream needs upstream done."""
    note: str = ""
    """Context, in words."""

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.upstream == self.downstream:
            msg = f"downstream: {self.downstream!r} cannot depend on itself"
            raise field_error(self, [msg])
        return self


class Severity(enum.StrEnum):
    """Incident severity; ``sev1`` is the worst."""

    SEV1 = "sev1"
    SEV2 = "sev2"
    SEV3 = "sev3"
    SEV4 = "sev4"


class Incident(ProductOpsModel):
    """A production incident.

    Examples
    --------
    >>> i = Incident(key="INC-9", title="Checkout 500s", severity="sev2",
    ...              started_at="2024-03-01T10:00:00Z",
    ...              resolved_at="2024-03-01T11:30:00Z")
    >>> i.time_to_restore.total_seconds()
    5400.0
    """

    key: Key
    """Unique identifier."""
    title: NonEmptyStr
    """One-line description."""
    severity: Severity = Severity.SEV3
    """How bad it is."""
    service: str | None = None
    """The service affected."""
    started_at: Timestamp
    """When impact began."""
    detected_at: Timestamp | None = None
    """When it was noticed."""
    resolved_at: Timestamp | None = None
    """When service was restored."""
    caused_by: Key | None = None
    """Key of the deployment that caused it."""
    items: tuple[Key, ...] = ()
    """Keys of follow-up work items."""

    @model_validator(mode="after")
    def _check(self) -> Self:
        for name in ("detected_at", "resolved_at"):
            value = getattr(self, name)
            if value is not None and value < self.started_at:
                msg = f"{name}: {value.isoformat()} is before started_at"
                raise field_error(self, [msg])
        return self

    @property
    def time_to_restore(self) -> timedelta | None:
        """``resolved_at - started_at``, or ``None`` while unresolved."""
        if self.resolved_at is None:
            return None
        return self.resolved_at - self.started_at


class Sprint(ProductOpsModel):
    """A time-boxed iteration of one team.

    `committed` holds the items planned at sprint start; `added` the items pulled
    in after it started. An item cannot be both.

    Examples
    --------
    >>> s = Sprint(key="PAY-S12", team="payments", start="2024-03-04",
    ...            end="2024-03-15", committed=["APP-1", "APP-2"], added=["APP-9"])
    >>> s.length_days
    12
    """

    key: Key
    """Unique identifier."""
    name: str = ""
    """Human name (``"Sprint 12"``)."""
    team: Key
    """Key of the team."""
    start: date
    """First day."""
    end: date
    """Last day (inclusive)."""
    goal: str = ""
    """The sprint goal."""
    committed: tuple[Key, ...] = ()
    """Keys of the items committed at the start."""
    added: tuple[Key, ...] = ()
    """Keys of the items added after the start."""

    @model_validator(mode="after")
    def _check(self) -> Self:
        problems = []
        if self.end < self.start:
            problems.append(f"end: {self.end} is before start {self.start}")
        both = sorted(set(self.committed) & set(self.added))
        if both:
            problems.append(f"added: items also in committed {both}")
        twice = duplicates(self.committed) + duplicates(self.added)
        if twice:
            problems.append(f"committed: keys listed twice {twice}")
        if problems:
            raise field_error(self, problems)
        return self

    @property
    def length_days(self) -> int:
        """Calendar days from start to end, both included."""
        return (self.end - self.start).days + 1
