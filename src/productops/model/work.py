"""Work items and their status history."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, JsonValue, field_validator

from ._base import Key, NonEmptyStr, ProductOpsModel, Timestamp

__all__ = ["Link", "StatusChange", "WorkItem"]


class StatusChange(ProductOpsModel):
    """One move of a work item from one status to another.

    Examples
    --------
    >>> StatusChange(at="2024-01-31T10:00:00.000+0000", from_status="Ready",
    ...              to_status="In Progress").at.isoformat()
    '2024-01-31T10:00:00+00:00'
    """

    at: Timestamp
    """When the item entered `to_status`."""
    from_status: NonEmptyStr | None = None
    """The status it left; ``None`` when the source does not say."""
    to_status: NonEmptyStr
    """The status it entered."""
    author: str | None = None
    """Who made the change, as the source names them."""


class Link(ProductOpsModel):
    """A typed link from one work item to another.

    Examples
    --------
    >>> Link(kind="blocks", target="APP-7")
    Link(kind='blocks', target='APP-7')
    """

    kind: NonEmptyStr
    """The relation as the tool names it from this item's side: ``"blocks"``,
    ``"is blocked by"``, ``"relates to"``, ``"duplicates"``."""
    target: Key
    """Key of the linked item."""


class WorkItem(ProductOpsModel):
    """A unit of work (story, bug, task, epic) with its status history.

    Collections are tuples; lists are accepted and converted. `history` is kept in
    time order: changes given out of order are sorted, stably, so changes with
    equal timestamps keep the order they were given in.

    Examples
    --------
    >>> from datetime import datetime, UTC
    >>> item = WorkItem(
    ...     key="APP-1", title="Export to CSV", type="story", status="Done",
    ...     created=datetime(2024, 1, 2, 9, tzinfo=UTC),
    ...     history=[
    ...         {"at": "2024-01-03T09:00:00Z", "from_status": "Backlog",
    ...          "to_status": "In Progress"},
    ...         {"at": "2024-01-05T17:00:00Z", "from_status": "In Progress",
    ...          "to_status": "Done"},
    ...     ],
    ... )
    >>> [(status, at.day) for status, at in item.timeline()]
    [('Backlog', 2), ('In Progress', 3), ('Done', 5)]
    """

    key: Key
    """The tool's identifier, e.g. ``"APP-123"``."""
    title: str
    """One-line summary."""
    type: NonEmptyStr = "story"
    """Kind of work as the tool names it: ``"story"``, ``"bug"``, ``"task"``, ..."""
    status: NonEmptyStr
    """The current status, in the tool's vocabulary."""
    created: Timestamp
    """When the item was created."""
    updated: Timestamp | None = None
    """When the item last changed."""
    resolved: Timestamp | None = None
    """When the tool marked the item resolved, if it did."""
    assignee: str | None = None
    """Who works on it."""
    team: str | None = None
    """Key of the owning team."""
    priority: str | None = None
    """Priority in the tool's vocabulary (``"High"``, ``"P2"``)."""
    labels: tuple[NonEmptyStr, ...] = ()
    """Free-form labels or tags."""
    estimate: Annotated[float, Field(ge=0)] | None = None
    """Size estimate (story points, hours, ...); never negative."""
    parent: Key | None = None
    """Key of the parent item (epic, initiative)."""
    releases: tuple[Key, ...] = ()
    """Keys of the releases this item ships in (Jira's fix versions)."""
    links: tuple[Link, ...] = ()
    """Links to other items."""
    url: str | None = None
    """Where a human can open it."""
    source: str | None = None
    """The system it came from (``"jira"``, ``"github"``)."""
    custom_fields: dict[str, JsonValue] = Field(default_factory=dict)
    """Tool-specific fields, kept verbatim."""
    history: tuple[StatusChange, ...] = ()
    """Status changes in time order."""

    @field_validator("history")
    @classmethod
    def _sort_history(
        cls, history: tuple[StatusChange, ...]
    ) -> tuple[StatusChange, ...]:
        return tuple(sorted(history, key=lambda change: change.at))

    def __hash__(self) -> int:
        # custom_fields is a dict; equal items share a key, so hashing it is enough.
        return hash((type(self), self.key))

    def timeline(self) -> tuple[tuple[str, datetime], ...]:
        """Return ``(status, entered_at)`` pairs from creation on, in time order.

        The item starts, at `created`, in the `from_status` of its first change
        (or in its current `status` when it has no history). When the first
        change does not name the status it left, the timeline starts at that
        change: where the item was before it is unknown.

        Returns
        -------
        tuple of (str, datetime)
            The statuses the item was in, each with the moment it entered it.
        """
        if not self.history:
            return ((self.status, self.created),)
        changes = tuple((change.to_status, change.at) for change in self.history)
        first = self.history[0].from_status
        if first is None:
            return changes
        return ((first, self.created), *changes)

    def status_at(self, at: datetime) -> str | None:
        """Return the status the item was in at `at`, or ``None`` before creation.

        Parameters
        ----------
        at : datetime
            A timezone-aware moment.

        Returns
        -------
        str or None
            The status held at that moment.
        """
        current: str | None = None
        for status, entered in self.timeline():
            if entered > at:
                break
            current = status
        return current
