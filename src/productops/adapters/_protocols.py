"""What an adapter can do, as Protocols: implement the ones your tool supports.

The protocols are structural (`typing.Protocol`): a class satisfies one by
having its methods, without importing or subclassing anything from
productops. `isinstance(adapter, WorkTracker)` checks that the methods exist.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, Protocol, runtime_checkable

if TYPE_CHECKING:
    from ..model import (
        Dependency,
        Feedback,
        Observation,
        Process,
        Release,
        WorkItem,
    )

__all__ = [
    "DocumentSink",
    "FeedbackSource",
    "MetricsSource",
    "Notifier",
    "Progress",
    "ProgressCallback",
    "WorkTracker",
]


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a long sync has got; passed to a progress callback.

    Attributes
    ----------
    adapter : str
        The adapter's name (``"jira"``).
    stage : str
        What is being fetched (``"issues"``, ``"changelogs"``).
    done : int
        Records fetched so far in this stage.
    total : int or None
        Records expected, when the tool says.
    requests : int
        HTTP requests sent so far, retries included.

    Examples
    --------
    >>> Progress("jira", "issues", 150, None, 4).fraction is None
    True
    """

    adapter: str
    stage: str
    done: int
    total: int | None
    requests: int

    @property
    def fraction(self) -> float | None:
        """``done / total``, or ``None`` when the total is unknown."""
        if not self.total:
            return None
        return min(self.done / self.total, 1.0)


ProgressCallback = Callable[[Progress], None]
"""A function that receives `Progress` reports (a progress bar, a log line)."""


@runtime_checkable
class WorkTracker(Protocol):
    """**Protocol**: a tool that holds work items with their status history.

    Jira, GitHub Issues, Linear, Asana, Trello, Azure Boards... Every method
    returns productops records; timestamps are UTC.

    Examples
    --------
    >>> class Minimal:
    ...     name = "minimal"
    ...     def work_items(self, *, query=None, updated_since=None, progress=None):
    ...         return iter(())
    ...     def releases(self, *, project=None):
    ...         return iter(())
    ...     def dependencies(self, *, query=None):
    ...         return iter(())
    ...     def process(self, *, project):
    ...         raise NotImplementedError
    ...     def create_item(self, *, project, title, type="story", **fields):
    ...         raise NotImplementedError
    ...     def transition(self, key, *, to_status):
    ...         raise NotImplementedError
    ...     def comment(self, key, text):
    ...         raise NotImplementedError
    >>> isinstance(Minimal(), WorkTracker)
    True
    """

    name: ClassVar[str]

    def work_items(
        self,
        *,
        query: str | None = None,
        updated_since: datetime | None = None,
        progress: ProgressCallback | None = None,
    ) -> Iterator[WorkItem]:
        """Yield work items with their full status history."""
        ...

    def releases(self, *, project: str | None = None) -> Iterator[Release]:
        """Yield releases (Jira versions, GitHub releases, milestones)."""
        ...

    def dependencies(self, *, query: str | None = None) -> Iterator[Dependency]:
        """Yield dependencies between work items (blocks / is blocked by)."""
        ...

    def process(self, *, project: str) -> Process:
        """Return the project's workflow as a `Process`."""
        ...

    def create_item(
        self, *, project: str, title: str, type: str = "story", **fields: object
    ) -> WorkItem:
        """Create a work item and return it as the tool now holds it."""
        ...

    def transition(self, key: str, *, to_status: str) -> WorkItem:
        """Move a work item to another status and return it."""
        ...

    def comment(self, key: str, text: str) -> None:
        """Add a comment to a work item."""
        ...


@runtime_checkable
class FeedbackSource(Protocol):
    """**Protocol**: a tool that holds customer feedback (Zendesk, Productboard).

    Examples
    --------
    >>> class Survey:
    ...     name = "survey"
    ...     def feedback(self, *, updated_since=None, progress=None):
    ...         return iter(())
    >>> isinstance(Survey(), FeedbackSource)
    True
    """

    name: ClassVar[str]

    def feedback(
        self,
        *,
        updated_since: datetime | None = None,
        progress: ProgressCallback | None = None,
    ) -> Iterator[Feedback]:
        """Yield feedback records."""
        ...


@runtime_checkable
class Notifier(Protocol):
    """**Protocol**: a tool that delivers messages (Slack, Microsoft Teams).

    Examples
    --------
    >>> class Log:
    ...     name = "log"
    ...     def notify(self, message, *, channel=None):
    ...         pass
    >>> isinstance(Log(), Notifier)
    True
    """

    name: ClassVar[str]

    def notify(self, message: str, *, channel: str | None = None) -> object:
        """Send `message` (Markdown) to `channel`, or the configured default.

        Returns what the tool says about the delivery (Slack: the channel and
        timestamp of the post), or None when it says nothing.
        """
        ...


@runtime_checkable
class DocumentSink(Protocol):
    """**Protocol**: a tool that stores documents (Confluence, Notion).

    Examples
    --------
    >>> class Folder:
    ...     name = "folder"
    ...     def publish(self, title, body, *, parent=None):
    ...         return title
    >>> isinstance(Folder(), DocumentSink)
    True
    """

    name: ClassVar[str]

    def publish(self, title: str, body: str, *, parent: str | None = None) -> str:
        """Create or update the page `title` with `body` (Markdown); return its URL."""
        ...


@runtime_checkable
class MetricsSource(Protocol):
    """**Protocol**: a tool that holds product metrics (Mixpanel, Amplitude, GA).

    Examples
    --------
    >>> class Fixed:
    ...     name = "fixed"
    ...     def observations(self, metrics, *, start=None, end=None):
    ...         return iter(())
    >>> isinstance(Fixed(), MetricsSource)
    True
    """

    name: ClassVar[str]

    def observations(
        self,
        metrics: Sequence[str],
        *,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> Iterator[Observation]:
        """Yield observations of the named metrics between `start` and `end`."""
        ...
