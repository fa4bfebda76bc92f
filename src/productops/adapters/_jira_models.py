"""Typed shapes of the Jira REST payloads the Jira adapter reads.

These are *upstream* models: they mirror Jira's JSON, key for key (so they are
written as `TypedDict` s, which may hold keys such as ``from`` and
``statusCategory``), ignore every key they do not name, and stay separate from
the domain model in `productops.model`. They declare only what the adapter maps.
Validation goes through a `pydantic.TypeAdapter` per shape: a page of 100 issues
with their histories validates in about a millisecond, a tenth of what nested
`pydantic.BaseModel` s cost, which matters for syncs of many thousands of issues.

Timestamps (`JiraTime`) are parsed tolerantly: Jira writes
``2023-06-24T19:24:50.000+0000`` (no colon in the offset) almost everywhere, but
``POST /rest/api/3/changelog/bulkfetch`` answers epoch **seconds**, and some
examples carry epoch milliseconds. `jira_time` does the same for single values.

The shapes, by endpoint:

- ``POST /rest/api/3/search/jql``: `SearchHead` (ids and token), then
  `SearchPage`;
- ``POST /rest/api/3/search/jql``, ``GET /rest/api/{2,3}/issue/{key}``,
  ``GET /rest/api/2/search``: `Issue` (with `IssueFields`, `Status`,
  `StatusCategory`, `Named`, `User`, `VersionRef`, `IssueLink`, `LinkType`,
  `LinkedIssue`, `Changelog`);
- the same, for dependencies (``fields=status,issuelinks``): `IssueWithLinks`;
- ``POST /rest/api/3/changelog/bulkfetch``: `BulkChangelogPage` (with
  `IssueChangeLog`, `History` and `ChangeItem`);
- ``GET /rest/api/3/project/{key}/version``: `Version`;
- ``GET /rest/api/3/project/{key}/statuses``: `IssueTypeStatuses`;
- ``GET /rest/api/3/field``: `FieldInfo`;
- ``GET /rest/api/3/issue/{key}/transitions``: `Transition`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, NotRequired

from pydantic import AwareDatetime, ConfigDict, TypeAdapter, with_config
from typing_extensions import TypedDict

from ..model import parse_timestamp

__all__ = [
    "BULK_PAGES",
    "BulkChangelogPage",
    "CHANGELOGS",
    "ChangeItem",
    "Changelog",
    "FIELDS",
    "FieldInfo",
    "HISTORIES",
    "History",
    "ISSUES",
    "ISSUE_LINKS",
    "ISSUE_TYPES",
    "Issue",
    "IssueChangeLog",
    "IssueFields",
    "IssueLink",
    "IssueRef",
    "IssueTypeStatuses",
    "IssueWithLinks",
    "JiraTime",
    "LinkFields",
    "LinkType",
    "LinkedIssue",
    "Named",
    "SEARCH_HEADS",
    "SEARCH_PAGES",
    "SearchHead",
    "SearchPage",
    "Status",
    "StatusCategory",
    "TRANSITIONS",
    "Transition",
    "User",
    "VERSIONS",
    "Version",
    "VersionRef",
    "jira_time",
]

# Epoch numbers above this are milliseconds, not seconds (year 5138 in seconds).
_MILLISECONDS = 1e11
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def jira_time(value: object) -> datetime:
    """Parse a Jira timestamp into an aware UTC `datetime`.

    Accepts ISO 8601 with ``+0000``-style or ``+00:00`` offsets, epoch seconds
    (``changelog/bulkfetch``) and epoch milliseconds.

    Raises
    ------
    ValueError
        If `value` is none of these.

    Examples
    --------
    >>> jira_time("2023-06-24T19:24:50.000+0000").isoformat()
    '2023-06-24T19:24:50+00:00'
    >>> jira_time(1492070429).isoformat()
    '2017-04-13T08:00:29+00:00'
    >>> jira_time(1492070429000) == jira_time(1492070429)
    True
    """
    if isinstance(value, str):
        try:  # the usual ``2023-06-24T19:24:50.000+0000``, fast
            moment = datetime.fromisoformat(value)
        except ValueError:
            return parse_timestamp(value)
        if moment.utcoffset() is None:
            return parse_timestamp(value)  # raises: no time zone
        return moment.astimezone(UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if abs(value) > _MILLISECONDS else value
        try:
            return _EPOCH + timedelta(seconds=seconds)
        except (OverflowError, ValueError):
            msg = f"epoch time {value!r} is out of range"
            raise ValueError(msg) from None
    return parse_timestamp(value)


JiraTime = AwareDatetime
"""A Jira timestamp: ISO 8601 text (``+0000`` offsets included), epoch seconds,
or epoch milliseconds (above 2e10), parsed by pydantic-core itself (no Python
call per value, which counts at 60,000 histories); naive values are refused.
The domain model converts them to UTC."""


class StatusCategory(TypedDict):
    """``statusCategory``: ``key`` is ``new``, ``indeterminate`` or ``done``."""

    key: NotRequired[str | None]
    colorName: NotRequired[str | None]


class Status(TypedDict):
    """A status: ``fields.status``, a transition's ``to``, a project's status."""

    id: NotRequired[str | None]
    name: str
    statusCategory: NotRequired[StatusCategory | None]


class Named(TypedDict):
    """Anything sent as ``{id, name}`` or ``{id, key}``: type, priority, parent."""

    id: NotRequired[str | None]
    key: NotRequired[str | None]
    name: NotRequired[str | None]


class User(TypedDict):
    """A user: ``accountId`` on Cloud, ``name``/``key`` on Data Center."""

    accountId: NotRequired[str | None]
    displayName: NotRequired[str | None]
    name: NotRequired[str | None]
    key: NotRequired[str | None]


class VersionRef(TypedDict):
    """A ``fixVersions`` entry."""

    id: NotRequired[str]
    name: str


class LinkType(TypedDict):
    """An issue link type: ``name`` (``Blocks``), ``inward``, ``outward`` texts."""

    name: NotRequired[str | None]
    inward: NotRequired[str | None]
    outward: NotRequired[str | None]


class LinkedIssue(TypedDict):
    """The other end of an issue link (its ``fields`` hold its status)."""

    key: str
    fields: NotRequired[dict[str, Any]]


class IssueLink(TypedDict):
    """One entry of ``fields.issuelinks``: one of the two ends is set."""

    type: LinkType
    inwardIssue: NotRequired[LinkedIssue]
    outwardIssue: NotRequired[LinkedIssue]


ChangeItem = TypedDict(
    "ChangeItem",
    {
        "field": NotRequired[str | None],
        "fieldId": NotRequired[str | None],
        "from": NotRequired[str | None],
        "fromString": NotRequired[str | None],
        "to": NotRequired[str | None],
        "toString": NotRequired[str | None],
    },
)
"""One changed field of a history entry; ``from``/``to`` are ids, the
``...String`` keys names (functional syntax: ``from`` is a keyword)."""


class History(TypedDict):
    """One changelog entry: who, when, and the fields it changed."""

    id: NotRequired[str | None]
    author: NotRequired[User | None]
    created: JiraTime
    items: list[ChangeItem]


class Changelog(TypedDict):
    """An issue's ``changelog`` (``expand=changelog``); may be truncated."""

    startAt: NotRequired[int]
    maxResults: NotRequired[int | None]
    total: NotRequired[int | None]
    histories: list[History]


@with_config(ConfigDict(extra="allow"))
class IssueFields(TypedDict):
    """The system fields the adapter maps; other keys (custom fields) are kept raw."""

    summary: NotRequired[str | None]
    status: Status
    issuetype: NotRequired[Named | None]
    created: JiraTime
    updated: NotRequired[JiraTime | None]
    resolutiondate: NotRequired[JiraTime | None]
    assignee: NotRequired[User | None]
    priority: NotRequired[Named | None]
    labels: NotRequired[list[str] | None]
    fixVersions: NotRequired[list[VersionRef] | None]
    parent: NotRequired[Named | None]
    issuelinks: NotRequired[list[IssueLink] | None]


class Issue(TypedDict):
    """An issue from a search or ``GET /issue/{key}``."""

    id: str
    key: str
    fields: IssueFields
    changelog: NotRequired[Changelog | None]


class LinkFields(TypedDict):
    """The fields a dependency search asks for."""

    status: NotRequired[Status | None]
    issuelinks: NotRequired[list[IssueLink] | None]


class IssueWithLinks(TypedDict):
    """An issue from a dependency search (``fields=status,issuelinks``)."""

    key: str
    fields: LinkFields


class IssueChangeLog(TypedDict):
    """One issue's histories in a ``changelog/bulkfetch`` page."""

    issueId: str
    changeHistories: list[History]


class SearchPage(TypedDict):
    """A page of ``POST /rest/api/3/search/jql``."""

    issues: list[Issue]
    nextPageToken: NotRequired[str | None]
    isLast: NotRequired[bool]


class IssueRef(TypedDict):
    """An issue of a search page, by id and key only."""

    id: str
    key: str


class SearchHead(TypedDict):
    """What paging needs from a search page: the issues' ids, the next token.

    Read first, so that the page itself stays raw bytes (which the garbage
    collector does not track) until it is mapped.
    """

    issues: list[IssueRef]
    nextPageToken: NotRequired[str | None]
    isLast: NotRequired[bool]


class BulkChangelogPage(TypedDict):
    """A page of ``POST /rest/api/3/changelog/bulkfetch``."""

    issueChangeLogs: list[IssueChangeLog]
    nextPageToken: NotRequired[str | None]


class Version(TypedDict):
    """A project version from ``GET /project/{key}/version``."""

    id: str
    name: str
    description: NotRequired[str | None]
    released: NotRequired[bool]
    archived: NotRequired[bool]
    releaseDate: NotRequired[date | None]
    startDate: NotRequired[date | None]


class FieldInfo(TypedDict):
    """One field from ``GET /rest/api/3/field``."""

    id: str
    name: str
    custom: NotRequired[bool]
    schema: NotRequired[dict[str, Any] | None]


class Transition(TypedDict):
    """One transition from ``GET /issue/{key}/transitions``."""

    id: str
    name: NotRequired[str]
    to: Status


class IssueTypeStatuses(TypedDict):
    """One issue type with its statuses (``GET /project/{key}/statuses``)."""

    name: NotRequired[str]
    statuses: list[Status]


SEARCH_HEADS: TypeAdapter[SearchHead] = TypeAdapter(SearchHead)
"""Reads the ids and the next-page token of a search page, from its bytes."""
SEARCH_PAGES: TypeAdapter[SearchPage] = TypeAdapter(SearchPage)
"""Parses and validates a search page straight from its bytes."""
BULK_PAGES: TypeAdapter[BulkChangelogPage] = TypeAdapter(BulkChangelogPage)
"""Parses and validates a bulk changelog page straight from its bytes."""
ISSUES: TypeAdapter[list[Issue]] = TypeAdapter(list[Issue])
"""Validates a page of issues."""
CHANGELOGS: TypeAdapter[list[IssueChangeLog]] = TypeAdapter(list[IssueChangeLog])
"""Validates the ``issueChangeLogs`` of a bulk changelog page."""
ISSUE_LINKS: TypeAdapter[list[IssueWithLinks]] = TypeAdapter(list[IssueWithLinks])
"""Validates a page of a dependency search."""
HISTORIES: TypeAdapter[list[History]] = TypeAdapter(list[History])
"""Validates changelog histories."""
VERSIONS: TypeAdapter[list[Version]] = TypeAdapter(list[Version])
"""Validates a page of versions."""
FIELDS: TypeAdapter[list[FieldInfo]] = TypeAdapter(list[FieldInfo])
"""Validates the field list."""
TRANSITIONS: TypeAdapter[list[Transition]] = TypeAdapter(list[Transition])
"""Validates an issue's transitions."""
ISSUE_TYPES: TypeAdapter[list[IssueTypeStatuses]] = TypeAdapter(list[IssueTypeStatuses])
"""Validates a project's statuses per issue type."""
