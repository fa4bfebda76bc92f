"""FakeJira: a Workspace served in Jira Cloud (or Data Center) REST shapes.

The shapes follow Atlassian's OpenAPI description of the Jira Cloud platform REST
API (v3, with v2 alongside) and the recorded fixtures in ``shared/fixtures``; the
docstring of `FakeJira` lists the mapping from productops records to
Jira's JSON and every place where the fake simplifies.
"""

from __future__ import annotations

import base64
import bisect
import functools
import hashlib
import hmac
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar, Final, Literal

import httpx

from productops.errors import InvalidInputError
from productops.model import (
    Link,
    Release,
    ReleaseStatus,
    StateCategory,
    StatusChange,
    WorkItem,
    Workspace,
)

from ._fake import FakeHTTPError, FakeRequest, FakeService, Faults, route

__all__ = ["FakeJira"]

Mode = Literal["cloud", "datacenter"]

_API: Final = "/rest/api/{version:[0-9a-z]+}"
_KEY = re.compile(r"(?P<project>[A-Z][A-Z0-9_]*)-(?P<number>0|[1-9][0-9]*)")
_CUSTOM_ID = re.compile(r"customfield_(?P<number>[0-9]+)")
_SEARCH_CHANGELOG_LIMIT: Final = 40
_ISSUE_CHANGELOG_LIMIT: Final = 100
_MAX_RESULTS_FIELDS: Final = 100
_MAX_RESULTS_IDS: Final = 5000
_FIRST_CUSTOM_NUMBER: Final = 20000
_ISSUE_EXPAND: Final = (
    "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations"
)
_LEGACY_SEARCH_REMOVED: Final = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql"
    " API. A full migration guideline is available at "
    "https://developer.atlassian.com/changelog/#CHANGE-2046"
)
_UNBOUNDED: Final = (
    "Unbounded JQL queries are not allowed here. Please add a search restriction "
    "to your query."
)
_NOT_AUTHENTICATED: Final = "Client must be authenticated to access this resource."
_NO_ISSUE: Final = "Issue does not exist or you do not have permission to see it."
_DATE_FORMATS: Final = ("%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d")
_RELATIVE = re.compile(r"(?P<sign>[-+]?)(?P<amount>[0-9]+)(?P<unit>[wdhm])")
_JQL_HELP: Final = (
    "FakeJira supports AND-joined clauses on project, key, status, created and "
    "updated (=, !=, in, not in, >, >=, <, <=) and ORDER BY created, updated, key, id"
)


# -- vocabulary -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Category:
    id: int
    key: str
    color: str
    name: str
    search: str


_NEW = _Category(2, "new", "blue-gray", "To Do", "TODO")
_INDETERMINATE = _Category(4, "indeterminate", "yellow", "In Progress", "IN_PROGRESS")
_DONE = _Category(3, "done", "green", "Done", "DONE")
_UNDEFINED = _Category(1, "undefined", "medium-gray", "No Category", "UNDEFINED")
_CATEGORY_OF = {
    StateCategory.BACKLOG: _NEW,
    StateCategory.QUEUE: _INDETERMINATE,
    StateCategory.ACTIVE: _INDETERMINATE,
    StateCategory.DONE: _DONE,
}
_STANDARD_PRIORITIES = {
    "Highest": "1",
    "High": "2",
    "Medium": "3",
    "Low": "4",
    "Lowest": "5",
}
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class _Status:
    id: str
    name: str
    category: _Category


@dataclass(frozen=True, slots=True)
class _LinkType:
    id: str
    name: str
    inward: str
    outward: str

    @property
    def symmetric(self) -> bool:
        return self.inward == self.outward


_BUILTIN_LINK_TYPES = (
    _LinkType("10000", "Blocks", "is blocked by", "blocks"),
    _LinkType("10001", "Cloners", "is cloned by", "clones"),
    _LinkType("10002", "Duplicate", "is duplicated by", "duplicates"),
    _LinkType("10003", "Relates", "relates to", "relates to"),
)


@dataclass(frozen=True, slots=True)
class _IssueLink:
    id: str
    type: _LinkType
    source: str
    """Key of the issue on the outward side ("A blocks B": A)."""
    target: str


@dataclass(frozen=True, slots=True)
class _Change:
    field: str
    field_id: str
    from_: str | None
    from_string: str | None
    to: str | None
    to_string: str | None


@dataclass(slots=True)
class _History:
    id: str
    created: datetime
    author: str | None
    items: list[_Change]


@dataclass(slots=True)
class _Version:
    id: str
    name: str
    project: str
    project_id: int
    release: Release | None


@dataclass(slots=True)
class _Issue:
    id: str
    key: str
    project: str
    number: int
    summary: str
    type: str
    status: str
    created: datetime
    updated: datetime
    resolved: datetime | None
    assignee: str | None
    team: str | None
    priority: str | None
    labels: list[str]
    estimate: float | None
    parent: str | None
    releases: list[str]
    custom: dict[str, Any]
    histories: list[_History] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)
    description: Any = None


@dataclass(frozen=True, slots=True)
class _Ctx:
    """Per-request rendering context: where the client is and which API it uses."""

    base: str
    version: str

    @property
    def api(self) -> str:
        return f"{self.base}/rest/api/{self.version}"

    @property
    def adf(self) -> bool:
        return self.version != "2"


class _SortKey:
    """Orders issues by the ORDER BY fields, then by key; compares with `<` only."""

    __slots__ = ("descending", "values")

    def __init__(self, values: tuple[Any, ...], descending: tuple[bool, ...]) -> None:
        self.values = values
        self.descending = descending

    def __lt__(self, other: _SortKey) -> bool:
        for mine, theirs, descending in zip(
            self.values, other.values, self.descending, strict=True
        ):
            if mine != theirs:
                return bool(mine > theirs) if descending else bool(mine < theirs)
        return False


@dataclass(frozen=True, slots=True)
class _Query:
    predicates: tuple[Callable[[_Issue], bool], ...]
    order: tuple[tuple[str, bool], ...]
    """(field, descending) pairs; ``key`` ascending is appended as tiebreaker."""
    relative: bool = False
    """Whether a date is relative to now (``-5d``): its matches change with time."""


# -- small helpers ------------------------------------------------------------------


def _ms(moment: datetime) -> datetime:
    """Return `moment` in UTC, truncated to whole milliseconds."""
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    extra = moment.microsecond % 1000
    return moment.replace(microsecond=moment.microsecond - extra) if extra else moment


@functools.lru_cache(maxsize=65536)
def _jira_time(moment: datetime) -> str:
    """Return `moment` as Jira writes it: ``2024-02-01T08:00:00.000+0000``."""
    m = moment.astimezone(UTC)
    return (
        f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:"
        f"{m.second:02d}.{m.microsecond // 1000:03d}+0000"
    )


def _epoch_ms(moment: datetime) -> int:
    return int((moment - _EPOCH) // timedelta(milliseconds=1))


def _stable_number(text: str) -> int:
    """Return a 15-digit number derived from `text` (the same on every run)."""
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return 100_000_000_000_000 + int.from_bytes(digest, "big") % 900_000_000_000_000


def _account_id(name: str) -> str:
    return hashlib.blake2b(name.encode("utf-8"), digest_size=12).hexdigest()


def _key_order(key: str) -> tuple[str, int]:
    match = _KEY.fullmatch(key)
    if match is None:
        return (key, -1)
    return (match["project"], int(match["number"]))


def _token(payload: Mapping[str, Any]) -> str:
    raw = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _untoken(token: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = json.loads(raw)
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        msg = f"The nextPageToken {token!r} is invalid or has expired."
        raise FakeHTTPError(400, msg)
    return payload


def _digest(*parts: object) -> str:
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _adf(text: str) -> dict[str, Any]:
    return {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}],
    }


def _adf_text(document: Any) -> str:
    """Return the plain text of an ADF document (what v2 shows instead of ADF)."""
    if isinstance(document, str):
        return document
    if not isinstance(document, dict):
        return ""
    if document.get("type") == "text":
        return str(document.get("text", ""))
    parts = [_adf_text(child) for child in document.get("content") or ()]
    joiner = "\n" if document.get("type") == "doc" else ""
    return joiner.join(parts)


def _is_adf(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and value.get("type") == "doc"
        and isinstance(value.get("content"), list)
    )


# -- the fake -------------------------------------------------------------------


class FakeJira(FakeService):
    """A `Workspace` served in Jira Cloud's REST shapes, for testing integrations.

    Its work items become issues (and its releases fix versions) that any Jira
    client can read and change, through `transport` (in process) or `serve`
    (real HTTP on ``127.0.0.1``). Faults (`Faults`) add paging limits, latency,
    429s, 503 bursts, truncated bodies and dropped connections.

    Mapping from the workspace (what `workspace_view` maps back):

    - ``WorkItem.key`` is the issue key; its project is the part before the dash.
      Keys must look like ``APP-12``. Issue ids are numbers derived from the key
      (a hash), so they are the same in every fake of the same workspace.
    - ``title`` -> ``summary``; ``type`` -> ``issuetype.name`` (verbatim);
      ``status`` -> ``status`` with ``statusCategory.key`` ``new`` (backlog
      states), ``indeterminate`` (queue and active states, and statuses the
      process does not name) or ``done``. Status ids follow the process order.
    - ``created``, ``updated``, ``resolved`` -> ``created``, ``updated``,
      ``resolutiondate`` as ``2024-02-01T08:00:00.000+0000``: UTC, whole
      milliseconds (finer parts are dropped). A missing ``updated`` is served as
      the latest of ``created`` and the history.
    - ``assignee`` and history authors -> users whose ``displayName`` is the
      name and whose ``accountId`` is derived from it; e-mail addresses are
      hidden, except the authenticated user's.
    - ``priority`` -> ``priority.name``; ``labels`` as given (in order);
      ``estimate`` -> the story points field (default ``customfield_10016``,
      "Story point estimate"); ``team`` -> the Atlassian team field
      ``customfield_10001`` whose value's ``id`` is the team key; ``parent`` ->
      ``parent.key``; ``custom_fields`` -> one custom field each, named by the
      dictionary key in ``GET /field`` and served verbatim.
    - ``releases`` -> ``fixVersions`` by name. Every workspace release is a
      version of every project (name = release key, description = release
      description or name, ``released``, ``archived`` for cancelled releases,
      ``releaseDate`` = release day or target date).
    - ``links`` -> ``issuelinks``: ``blocks``/``is blocked by`` are the Blocks
      type, ``clones``, ``duplicates`` and ``relates to`` their built-in types,
      any other kind a link type of that name. A link appears on both issues
      (with the inward text on the other one), once. Dependencies whose
      upstream and downstream are both issues become Blocks links too.
    - ``history`` -> changelog histories with one ``status`` item each
      (``from``/``to`` status ids, ``fromString``/``toString`` names).

    ``workspace_view()`` gives the issues back as work items (``source="jira"``,
    ``url`` ``<base_url>/browse/<key>``); a workspace already in that form
    (millisecond times, ``updated`` set, both sides of each link present, and so
    on) comes back equal.

    Parameters
    ----------
    workspace : Workspace
        What to serve.
    email, token : str
        The accepted credentials: HTTP Basic ``email:token`` (and, in Data
        Center mode, also ``Bearer token``). Anything else gets 401.
    faults : Faults, optional
        Fault knobs; none by default.
    story_points_field : str
        The custom field id that holds ``estimate``.
    team_field : str
        The custom field id that holds ``team``.
    mode : {"cloud", "datacenter"}
        Cloud serves ``/rest/api/3`` and ``/rest/api/2``, the enhanced search,
        and 410 for the removed ``/search``. Data Center serves ``/rest/api/2``
        only, with the old ``/search`` (``startAt``/``total``), user names
        instead of account ids, and no changelog truncation.
    projects : sequence of str
        Extra project keys to serve, e.g. for creating issues in an empty fake.
    clock : callable, optional
        Returns the current time for writes, relative JQL dates and
        ``overdue``; defaults to the system clock (UTC).
    base_url : str
        The base URL to use with `transport`.

    Attributes
    ----------
    mode : str
        ``"cloud"`` or ``"datacenter"``.
    email : str
        The accepted user's e-mail address.

    Examples
    --------
    >>> import httpx
    >>> import productops as po
    >>> fake = FakeJira(po.datasets.load_demo())
    >>> client = httpx.Client(transport=fake.transport(), base_url=fake.base_url,
    ...                       auth=fake.credentials)
    >>> page = client.get("/rest/api/3/search/jql", params={
    ...     "jql": "project = APP ORDER BY key ASC", "fields": "summary,status",
    ...     "maxResults": 2}).json()
    >>> [issue["key"] for issue in page["issues"]], page["isLast"]
    (['APP-1', 'APP-2'], False)
    >>> client.close()
    """

    name: ClassVar[str] = "jira"

    def __init__(
        self,
        workspace: Workspace,
        *,
        email: str = "bot@example.com",
        token: str = "secret-token",  # noqa: S107 - a fake's default, documented
        faults: Faults | None = None,
        story_points_field: str = "customfield_10016",
        team_field: str = "customfield_10001",
        mode: Mode = "cloud",
        projects: Sequence[str] = (),
        clock: Callable[[], datetime] | None = None,
        base_url: str = "http://localhost",
    ) -> None:
        super().__init__(faults=faults, base_url=base_url)
        problems = []
        if mode not in ("cloud", "datacenter"):
            problems.append(f"mode: must be 'cloud' or 'datacenter', got {mode!r}")
        for name, value in (
            ("story_points_field", story_points_field),
            ("team_field", team_field),
        ):
            if _CUSTOM_ID.fullmatch(value) is None:
                problems.append(f"{name}: must look like 'customfield_10016'")
        if story_points_field == team_field:
            problems.append("team_field: must differ from story_points_field")
        bad_projects = [
            p for p in projects if re.fullmatch(r"[A-Z][A-Z0-9_]*", p) is None
        ]
        if bad_projects:
            problems.append(f"projects: not Jira project keys: {bad_projects}")
        if problems:
            msg = "invalid FakeJira settings:\n  - " + "\n  - ".join(problems)
            raise InvalidInputError(msg)
        self.mode: Mode = mode
        self.email = email
        self._display_name = email.split("@", 1)[0]
        self._user_cache: dict[tuple[str, str], dict[str, Any]] = {}
        self._token = token
        self._story_points = story_points_field
        self._team_field = team_field
        self._clock = clock if clock is not None else (lambda: datetime.now(UTC))
        self._workspace = workspace
        self._version = 0
        self._search_cache: dict[str, tuple[int, list[_Issue], list[_SortKey]]] = {}
        self._next_history = 10000
        self._next_comment = 10000
        self._load(workspace, extra_projects=projects)

    def __repr__(self) -> str:
        return (
            f"<FakeJira mode={self.mode!r} issues={len(self._issues)} "
            f"projects={list(self._projects)} faults={self.faults!r}>"
        )

    @property
    def credentials(self) -> tuple[str, str]:
        """``(email, token)``: pass it as ``auth=`` to httpx or ``basic_auth=``."""
        return (self.email, self._token)

    @property
    def display_name(self) -> str:
        """The authenticated user's display name: the e-mail's local part."""
        return self._display_name

    # -- loading the workspace --------------------------------------------------

    def _load(self, workspace: Workspace, *, extra_projects: Sequence[str]) -> None:
        problems: list[str] = []
        reserved = {self._story_points, self._team_field}
        ids: dict[str, str] = {}
        for position, item in enumerate(workspace.work_items):
            where = f"work_items[{position}] (key={item.key!r})"
            if _KEY.fullmatch(item.key) is None:
                problems.append(
                    f"{where} field 'key': must look like APP-12 (an upper-case "
                    "project key, a dash, a number without leading zeros)"
                )
            issue_id = str(_stable_number(item.key))
            if issue_id in ids:
                problems.append(
                    f"{where} field 'key': its derived issue id clashes with "
                    f"{ids[issue_id]!r}; rename one of them"
                )
            ids[issue_id] = item.key
            problems += [
                f"{where} field 'custom_fields': {name!r} is the fake's "
                f"{'story points' if name == self._story_points else 'team'} field"
                for name in item.custom_fields
                if name in reserved
            ]
        if problems:
            msg = "FakeJira cannot serve this workspace:\n  - " + "\n  - ".join(
                problems
            )
            raise InvalidInputError(msg)

        items = workspace.work_items
        self._projects: dict[str, int] = {
            key: 10000 + index
            for index, key in enumerate(
                sorted(
                    {_key_order(item.key)[0] for item in items} | set(extra_projects)
                )
            )
        }
        self._statuses: dict[str, _Status] = {}
        process = workspace.process
        if process is not None:
            for state in process.states:
                self._add_status(state.name, _CATEGORY_OF[state.category])
        for item in items:
            for change in item.history:
                for name in (change.from_status, change.to_status):
                    if name is not None:
                        self._add_status(name, _INDETERMINATE)
            self._add_status(item.status, _INDETERMINATE)
        self._types: dict[str, str] = {}
        for item in items:
            self._types.setdefault(item.type, str(10000 + len(self._types)))
        self._priorities: dict[str, str] = {}
        for item in items:
            if item.priority is not None:
                self._add_priority(item.priority)
        self._users: dict[str, str] = {}
        self._add_user(self.display_name)
        for item in items:
            if item.assignee is not None:
                self._add_user(item.assignee)
            for change in item.history:
                if change.author is not None:
                    self._add_user(change.author)
        self._team_names = {team.key: team.name for team in workspace.teams}
        self._load_custom_fields(items)
        self._load_versions(workspace)
        self._issues: dict[str, _Issue] = {}
        for item in items:
            issue = self._issue_from(item)
            self._issues[issue.key] = issue
        self._by_id = {issue.id: issue for issue in self._issues.values()}
        self._load_links(workspace)

    def _add_status(self, name: str, category: _Category) -> _Status:
        status = self._statuses.get(name)
        if status is None:
            status = _Status(str(10000 + len(self._statuses)), name, category)
            self._statuses[name] = status
        return status

    def _add_priority(self, name: str) -> str:
        if name not in self._priorities:
            self._priorities[name] = _STANDARD_PRIORITIES.get(
                name, str(10000 + len(self._priorities))
            )
        return self._priorities[name]

    def _add_user(self, name: str) -> str:
        if name not in self._users:
            self._users[name] = _account_id(name)
        return self._users[name]

    def _load_custom_fields(self, items: Sequence[WorkItem]) -> None:
        names: list[str] = []
        for item in items:
            names += [name for name in item.custom_fields if name not in names]
        used = {name for name in names if _CUSTOM_ID.fullmatch(name)}
        used |= {self._story_points, self._team_field}
        self._custom_ids: dict[str, str] = {}
        number = _FIRST_CUSTOM_NUMBER
        for name in names:
            if _CUSTOM_ID.fullmatch(name):
                self._custom_ids[name] = name
                continue
            while f"customfield_{number}" in used:
                number += 1
            self._custom_ids[name] = f"customfield_{number}"
            used.add(self._custom_ids[name])
        self._custom_names = {cid: name for name, cid in self._custom_ids.items()}

    def _load_versions(self, workspace: Workspace) -> None:
        releases = {release.key: release for release in workspace.releases}
        names = list(releases)
        for item in workspace.work_items:
            names += [name for name in item.releases if name not in names]
        self._versions: dict[str, dict[str, _Version]] = {}
        self._version_by_id: dict[str, _Version] = {}
        for project, project_id in self._projects.items():
            per_project = {}
            for name in names:
                version = _Version(
                    str(10000 + len(self._version_by_id)),
                    name,
                    project,
                    project_id,
                    releases.get(name),
                )
                per_project[name] = version
                self._version_by_id[version.id] = version
            self._versions[project] = per_project

    def _issue_from(self, item: WorkItem) -> _Issue:
        match = _KEY.fullmatch(item.key)
        assert match is not None  # noqa: S101 - checked in _load
        created = _ms(item.created)
        moments = [created, *(_ms(change.at) for change in item.history)]
        issue = _Issue(
            id=str(_stable_number(item.key)),
            key=item.key,
            project=match["project"],
            number=int(match["number"]),
            summary=item.title,
            type=item.type,
            status=item.status,
            created=created,
            updated=_ms(item.updated) if item.updated is not None else max(moments),
            resolved=_ms(item.resolved) if item.resolved is not None else None,
            assignee=item.assignee,
            team=item.team,
            priority=item.priority,
            labels=list(item.labels),
            estimate=item.estimate,
            parent=item.parent,
            releases=list(item.releases),
            custom={self._custom_ids[k]: v for k, v in item.custom_fields.items()},
        )
        for change in item.history:
            issue.histories.append(
                _History(
                    id=self._history_id(),
                    created=_ms(change.at),
                    author=change.author,
                    items=[self._status_change(change.from_status, change.to_status)],
                )
            )
        return issue

    def _history_id(self) -> str:
        self._next_history += 1
        return str(self._next_history)

    def _status_change(self, source: str | None, target: str) -> _Change:
        return _Change(
            field="status",
            field_id="status",
            from_=None if source is None else self._statuses[source].id,
            from_string=source,
            to=self._statuses[target].id,
            to_string=target,
        )

    def _link_type(self, kind: str) -> tuple[_LinkType, bool]:
        """Return the link type of `kind` and whether `kind` is its outward text."""
        for link_type in self._link_types.values():
            if kind == link_type.outward:
                return link_type, True
            if kind == link_type.inward:
                return link_type, False
        link_type = _LinkType(str(10000 + len(self._link_types)), kind, kind, kind)
        self._link_types[kind] = link_type
        return link_type, True

    def _load_links(self, workspace: Workspace) -> None:
        self._link_types: dict[str, _LinkType] = {
            t.name: t for t in _BUILTIN_LINK_TYPES
        }
        self._links: list[_IssueLink] = []
        self._issue_links: dict[str, list[_IssueLink]] = {
            key: [] for key in self._issues
        }
        seen: dict[tuple[str, str, str], _IssueLink] = {}

        def add(link_type: _LinkType, source: str, target: str) -> _IssueLink:
            ends = sorted((source, target)) if link_type.symmetric else [source, target]
            identity = (link_type.name, ends[0], ends[1])
            if identity not in seen:
                link = _IssueLink(str(10000 + len(seen)), link_type, source, target)
                seen[identity] = link
                self._links.append(link)
            return seen[identity]

        for item in workspace.work_items:
            own = self._issue_links[item.key]
            for declared in item.links:
                link_type, outward = self._link_type(declared.kind)
                if outward:
                    link = add(link_type, item.key, declared.target)
                else:
                    link = add(link_type, declared.target, item.key)
                if link not in own:
                    own.append(link)
        blocks = self._link_types["Blocks"]
        for dependency in workspace.dependencies:
            if dependency.upstream in self._issues and (
                dependency.downstream in self._issues
            ):
                add(blocks, dependency.upstream, dependency.downstream)
        for link in self._links:
            for end in (link.source, link.target):
                if end in self._issue_links and link not in self._issue_links[end]:
                    self._issue_links[end].append(link)

    # -- the view back ------------------------------------------------------------

    def workspace_view(self, *, base_url: str | None = None) -> Workspace:
        """Return what the fake holds now, as productops records.

        The work items are rebuilt from the fake's Jira data (created issues
        included, after the original ones); the other collections are the
        workspace's, unchanged: Jira does not hold them.

        Parameters
        ----------
        base_url : str, optional
            The base of each item's ``url`` (``<base_url>/browse/<key>``);
            `base_url` of the fake by default.

        Returns
        -------
        Workspace
            The workspace with its work items as Jira has them now.

        Examples
        --------
        >>> import productops as po
        >>> demo = po.datasets.load_demo()
        >>> view = FakeJira(demo).workspace_view()
        >>> item = view.work_items[0]
        >>> item.source, item.url
        ('jira', 'http://localhost/browse/APP-1')
        >>> item.history == demo.work_items[0].history
        True
        """
        base = (base_url or self.base_url).rstrip("/")
        with self._state_lock:
            items = [self._work_item(issue, base) for issue in self._issues.values()]
        workspace = self._workspace
        return Workspace(
            name=workspace.name,
            description=workspace.description,
            process=workspace.process,
            work_items=tuple(items),
            **{
                name: getattr(workspace, name)
                for name in Workspace.COLLECTIONS
                if name != "work_items"
            },
        )

    def _work_item(self, issue: _Issue, base: str) -> WorkItem:
        links = []
        for link in self._issue_links.get(issue.key, ()):
            if link.source == issue.key:
                links.append(Link(kind=link.type.outward, target=link.target))
            else:
                links.append(Link(kind=link.type.inward, target=link.source))
        history = [
            StatusChange(
                at=entry.created,
                from_status=change.from_string,
                to_status=change.to_string or "",
                author=entry.author,
            )
            for entry in issue.histories
            for change in entry.items
            if change.field == "status"
        ]
        return WorkItem(
            key=issue.key,
            title=issue.summary,
            type=issue.type,
            status=issue.status,
            created=issue.created,
            updated=issue.updated,
            resolved=issue.resolved,
            assignee=issue.assignee,
            team=issue.team,
            priority=issue.priority,
            labels=tuple(issue.labels),
            estimate=issue.estimate,
            parent=issue.parent,
            releases=tuple(issue.releases),
            links=tuple(links),
            url=f"{base}/browse/{issue.key}",
            source="jira",
            custom_fields={
                self._custom_names[cid]: value
                for cid, value in issue.custom.items()
                if value is not None
            },
            history=tuple(history),
        )

    # -- service hooks -------------------------------------------------------------

    def check_auth(self, request: FakeRequest) -> bool:
        """Accept Basic ``email:token`` (and ``Bearer token`` in Data Center mode)."""
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(value, validate=True).decode("utf-8")
            except ValueError:
                return False
            expected = f"{self.email}:{self._token}"
            return hmac.compare_digest(decoded.encode(), expected.encode())
        if scheme.lower() == "bearer" and self.mode == "datacenter":
            return hmac.compare_digest(value.encode(), self._token.encode())
        return False

    def error_body(
        self, status: int, messages: Sequence[str], errors: Mapping[str, str]
    ) -> Any:
        """Jira's ErrorCollection: ``{"errorMessages": [...], "errors": {...}}``."""
        return {"errorMessages": list(messages), "errors": dict(errors)}

    def unauthorized(self, request: FakeRequest) -> httpx.Response:
        """401 with Jira's message and ``X-Seraph-LoginReason``."""
        return self.error(
            401,
            _NOT_AUTHENTICATED,
            headers={"X-Seraph-LoginReason": "AUTHENTICATED_FAILED"},
        )

    def _rate_headers(self, number: int) -> tuple[int, int]:
        every = self.faults.rate_limit_every
        if every is None:
            return 350, 349
        return max(every - 1, 0), max(every - 1 - number % every, 0)

    def extra_headers(self, request: FakeRequest, status: int) -> dict[str, str]:
        """Add the rate-limit budget and a request id to every answer."""
        limit, remaining = self._rate_headers(request.number)
        headers = {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-AREQUESTID": f"fake-{request.number}",
        }
        if remaining < 0.2 * limit:
            headers["X-RateLimit-NearLimit"] = "true"
        return headers

    def _retry_headers(self) -> dict[str, str]:
        wait = self.faults.retry_after
        reset = self._clock().astimezone(UTC) + timedelta(seconds=wait)
        if reset.second or reset.microsecond:
            reset = reset.replace(second=0, microsecond=0) + timedelta(minutes=1)
        return {
            "Retry-After": str(wait),
            "X-RateLimit-Reset": reset.strftime("%Y-%m-%dT%H:%MZ"),
        }

    def rate_limited(self, request: FakeRequest) -> httpx.Response:
        """429 as Jira Cloud sends it: Retry-After, reset time, reason."""
        headers = {
            **self._retry_headers(),
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-NearLimit": "true",
            "RateLimit-Reason": "jira-burst-based",
        }
        return self.error(429, "Rate limit exceeded.", headers=headers)

    def server_error(self, request: FakeRequest) -> httpx.Response:
        """503 with Retry-After, as Jira sends under load."""
        return self.error(
            503,
            "The service is temporarily unavailable. Try again later.",
            headers=self._retry_headers(),
        )

    def not_found(self, request: FakeRequest) -> httpx.Response:
        """404 in Jira's error shape, naming the unknown route."""
        return self.error(
            404,
            f"FakeJira ({self.mode}) has no resource {request.method} {request.path}",
        )

    # -- context and rendering ----------------------------------------------------

    def _ctx(self, request: FakeRequest, *, cloud_only: bool = False) -> _Ctx:
        version = request.path_params.get("version", "3")
        served = ("2", "3") if self.mode == "cloud" else ("2", "latest")
        if version not in served or (cloud_only and self.mode != "cloud"):
            raise FakeHTTPError(
                404,
                f"FakeJira ({self.mode}) has no resource "
                f"{request.method} {request.path}",
            )
        return _Ctx(request.base_url, "2" if version == "latest" else version)

    def _user(self, ctx: _Ctx, name: str) -> dict[str, Any]:
        """Return the user object (shared between calls: copy it to change it)."""
        cached = self._user_cache.get((ctx.api, name))
        if cached is None:
            cached = self._user_cache[(ctx.api, name)] = self._new_user(ctx, name)
        return cached

    def _new_user(self, ctx: _Ctx, name: str) -> dict[str, Any]:
        account = self._add_user(name)
        if self.mode == "datacenter":
            user: dict[str, Any] = {
                "self": f"{ctx.api}/user?username={name}",
                "name": name,
                "key": f"JIRAUSER{10000 + list(self._users).index(name)}",
                "displayName": name,
                "active": True,
                "timeZone": "UTC",
            }
        else:
            user = {
                "self": f"{ctx.api}/user?accountId={account}",
                "accountId": account,
                "displayName": name,
                "active": True,
                "timeZone": "UTC",
            }
        if name == self.display_name:
            user["emailAddress"] = self.email
        return user

    def _status(self, ctx: _Ctx, name: str) -> dict[str, Any]:
        status = self._statuses[name]
        category = status.category
        return {
            "self": f"{ctx.api}/status/{status.id}",
            "description": "",
            "iconUrl": f"{ctx.base}/images/icons/statuses/generic.png",
            "name": status.name,
            "id": status.id,
            "statusCategory": self._category(ctx, category),
        }

    def _category(self, ctx: _Ctx, category: _Category) -> dict[str, Any]:
        return {
            "self": f"{ctx.api}/statuscategory/{category.id}",
            "id": category.id,
            "key": category.key,
            "colorName": category.color,
            "name": category.name,
        }

    def _issue_type(self, ctx: _Ctx, name: str) -> dict[str, Any]:
        type_id = self._types[name]
        lowered = name.lower()
        return {
            "self": f"{ctx.api}/issuetype/{type_id}",
            "id": type_id,
            "description": "",
            "iconUrl": f"{ctx.base}/images/icons/issuetypes/{lowered}.png",
            "name": name,
            "subtask": lowered in ("sub-task", "subtask"),
            "avatarId": 10300,
            "hierarchyLevel": (
                1 if lowered == "epic" else -1 if "sub" in lowered else 0
            ),
        }

    def _priority(self, ctx: _Ctx, name: str) -> dict[str, Any]:
        priority_id = self._add_priority(name)
        return {
            "self": f"{ctx.api}/priority/{priority_id}",
            "iconUrl": f"{ctx.base}/images/icons/priorities/{priority_id}.svg",
            "name": name,
            "id": priority_id,
        }

    def _project(self, ctx: _Ctx, key: str) -> dict[str, Any]:
        return {
            "self": f"{ctx.api}/project/{self._projects[key]}",
            "id": str(self._projects[key]),
            "key": key,
            "name": key,
        }

    def _version_json(
        self, ctx: _Ctx, version: _Version, *, expand: Iterable[str] = ()
    ) -> dict[str, Any]:
        release = version.release
        body: dict[str, Any] = {
            "self": f"{ctx.api}/version/{version.id}",
            "id": version.id,
            "description": "",
            "name": version.name,
            "archived": False,
            "released": False,
            "overdue": False,
            "projectId": version.project_id,
        }
        if release is not None:
            body["description"] = release.description or release.name
            body["archived"] = release.status is ReleaseStatus.CANCELLED
            body["released"] = release.status is ReleaseStatus.RELEASED
            day: date | None = (
                release.released_at.date()
                if release.released_at is not None
                else release.target_date
            )
            if day is not None:
                body["releaseDate"] = day.isoformat()
                body["userReleaseDate"] = f"{day.day}/{day:%b/%Y}"
                body["overdue"] = not body["released"] and (
                    day < self._clock().astimezone(UTC).date()
                )
        if "issuesstatus" in expand:
            counts = {"done": 0, "inProgress": 0, "toDo": 0, "unmapped": 0}
            slot = {_NEW: "toDo", _INDETERMINATE: "inProgress", _DONE: "done"}
            for issue in self._issues.values():
                if issue.project == version.project and version.name in issue.releases:
                    counts[slot[self._statuses[issue.status].category]] += 1
            body["issuesStatusForFixVersion"] = counts
        return body

    def _linked(self, ctx: _Ctx, key: str) -> dict[str, Any]:
        issue = self._issues.get(key)
        issue_id = issue.id if issue is not None else str(_stable_number(key))
        body: dict[str, Any] = {
            "id": issue_id,
            "key": key,
            "self": f"{ctx.api}/issue/{issue_id}",
        }
        if issue is not None:
            fields: dict[str, Any] = {
                "summary": issue.summary,
                "status": self._status(ctx, issue.status),
                "issuetype": self._issue_type(ctx, issue.type),
            }
            if issue.priority is not None:
                fields["priority"] = self._priority(ctx, issue.priority)
            body["fields"] = fields
        return body

    def _issue_links_json(self, ctx: _Ctx, issue: _Issue) -> list[dict[str, Any]]:
        rendered = []
        for link in self._issue_links.get(issue.key, ()):
            link_type = link.type
            body: dict[str, Any] = {
                "id": link.id,
                "self": f"{ctx.api}/issueLink/{link.id}",
                "type": {
                    "id": link_type.id,
                    "name": link_type.name,
                    "inward": link_type.inward,
                    "outward": link_type.outward,
                    "self": f"{ctx.api}/issueLinkType/{link_type.id}",
                },
            }
            if link.source == issue.key:
                body["outwardIssue"] = self._linked(ctx, link.target)
            else:
                body["inwardIssue"] = self._linked(ctx, link.source)
            rendered.append(body)
        return rendered

    def _team(self, key: str) -> dict[str, Any]:
        name = self._team_names.get(key, key)
        return {
            "id": key,
            "name": name,
            "title": name,
            "isVisible": True,
            "isVerified": False,
            "isShared": True,
        }

    def _comment_json(self, ctx: _Ctx, issue: _Issue, comment: dict[str, Any]) -> Any:
        author = self._user(ctx, comment["author"])
        body = comment["body"] if ctx.adf else _adf_text(comment["body"])
        return {
            "self": f"{ctx.api}/issue/{issue.id}/comment/{comment['id']}",
            "id": comment["id"],
            "author": author,
            "body": body,
            "updateAuthor": author,
            "created": _jira_time(comment["created"]),
            "updated": _jira_time(comment["created"]),
            "jsdPublic": True,
        }

    def _field_renderers(
        self, ctx: _Ctx, issue: _Issue
    ) -> dict[str, Callable[[], Any]]:
        renderers: dict[str, Callable[[], Any]] = {
            "summary": lambda: issue.summary,
            "status": lambda: self._status(ctx, issue.status),
            "issuetype": lambda: self._issue_type(ctx, issue.type),
            "project": lambda: self._project(ctx, issue.project),
            "assignee": lambda: (
                None if issue.assignee is None else self._user(ctx, issue.assignee)
            ),
            "created": lambda: _jira_time(issue.created),
            "updated": lambda: _jira_time(issue.updated),
            "resolutiondate": lambda: (
                None if issue.resolved is None else _jira_time(issue.resolved)
            ),
            "resolution": lambda: (
                None
                if issue.resolved is None
                else {
                    "self": f"{ctx.api}/resolution/10000",
                    "id": "10000",
                    "description": "Work has been completed on this issue.",
                    "name": "Done",
                }
            ),
            "priority": lambda: (
                None if issue.priority is None else self._priority(ctx, issue.priority)
            ),
            "labels": lambda: list(issue.labels),
            "fixVersions": lambda: [
                self._version_json(ctx, self._versions[issue.project][name])
                for name in issue.releases
            ],
            "issuelinks": lambda: self._issue_links_json(ctx, issue),
            "parent": lambda: (
                None if issue.parent is None else self._linked(ctx, issue.parent)
            ),
            "description": lambda: (
                issue.description
                if ctx.adf or issue.description is None
                else _adf_text(issue.description)
            ),
            "comment": lambda: {
                "comments": [self._comment_json(ctx, issue, c) for c in issue.comments],
                "self": f"{ctx.api}/issue/{issue.id}/comment",
                "maxResults": len(issue.comments),
                "total": len(issue.comments),
                "startAt": 0,
            },
            self._story_points: lambda: issue.estimate,
            self._team_field: lambda: (
                None if issue.team is None else self._team(issue.team)
            ),
        }

        def custom_value(custom_id: str) -> Callable[[], Any]:
            return lambda: issue.custom.get(custom_id)

        for custom_id in self._custom_names:
            renderers[custom_id] = custom_value(custom_id)
        return renderers

    def _field_catalogue(self) -> list[dict[str, Any]]:
        def system(
            field_id: str,
            name: str,
            schema: dict[str, Any] | None,
            *clauses: str,
            navigable: bool = True,
        ) -> dict[str, Any]:
            body: dict[str, Any] = {
                "id": field_id,
                "key": field_id,
                "name": name,
                "custom": False,
                "orderable": field_id not in ("issuekey", "created", "updated"),
                "navigable": navigable,
                "searchable": True,
                "clauseNames": list(clauses or (field_id,)),
            }
            if schema is not None:
                body["schema"] = schema
            return body

        def custom(field_id: str, name: str, schema: dict[str, Any]) -> dict[str, Any]:
            match = _CUSTOM_ID.fullmatch(field_id)
            assert match is not None  # noqa: S101 - ids are checked on the way in
            number = int(match["number"])
            return {
                "id": field_id,
                "key": field_id,
                "name": name,
                "custom": True,
                "orderable": True,
                "navigable": True,
                "searchable": True,
                "clauseNames": [f"cf[{number}]", name],
                "schema": {**schema, "customId": number},
            }

        def sys_schema(kind: str, field_id: str, items: str | None = None) -> Any:
            body = {"type": kind, "system": field_id}
            if items is not None:
                body["items"] = items
            return body

        sp_name = (
            "Story point estimate"
            if self._story_points == "customfield_10016"
            else "Story Points"
        )
        sp_plugin = (
            "com.pyxis.greenhopper.jira:jsw-story-points"
            if self._story_points == "customfield_10016"
            else "com.atlassian.jira.plugin.system.customfieldtypes:float"
        )
        team_plugin = "com.atlassian.jira.plugin.system.customfieldtypes:atlassian-team"
        fields = [
            system("issuekey", "Key", None, "id", "issue", "issuekey", "key"),
            system("summary", "Summary", sys_schema("string", "summary")),
            system("status", "Status", sys_schema("status", "status")),
            system(
                "issuetype",
                "Issue Type",
                sys_schema("issuetype", "issuetype"),
                "issuetype",
                "type",
            ),
            system("project", "Project", sys_schema("project", "project")),
            system("assignee", "Assignee", sys_schema("user", "assignee")),
            system(
                "created",
                "Created",
                sys_schema("datetime", "created"),
                "created",
                "createdDate",
            ),
            system(
                "updated",
                "Updated",
                sys_schema("datetime", "updated"),
                "updated",
                "updatedDate",
            ),
            system(
                "resolutiondate",
                "Resolved",
                sys_schema("datetime", "resolutiondate"),
                "resolutiondate",
                "resolved",
            ),
            system("resolution", "Resolution", sys_schema("resolution", "resolution")),
            system("priority", "Priority", sys_schema("priority", "priority")),
            system("labels", "Labels", sys_schema("array", "labels", "string")),
            system(
                "fixVersions",
                "Fix versions",
                sys_schema("array", "fixVersions", "version"),
                "fixVersion",
            ),
            system(
                "issuelinks",
                "Linked Issues",
                sys_schema("array", "issuelinks", "issuelinks"),
                "issueLink",
            ),
            system("parent", "Parent", sys_schema("issuelink", "parent")),
            system("description", "Description", sys_schema("string", "description")),
            system(
                "comment",
                "Comment",
                sys_schema("comments-page", "comment"),
                navigable=False,
            ),
            custom(
                self._story_points, sp_name, {"type": "number", "custom": sp_plugin}
            ),
            custom(
                self._team_field,
                "Team",
                {
                    "type": "team",
                    "custom": team_plugin,
                    "configuration": {team_plugin: True},
                },
            ),
        ]
        fields += [
            custom(
                cid,
                name,
                {
                    "type": "any",
                    "custom": "com.atlassian.jira.plugin.system.customfieldtypes:"
                    "readonlyfield",
                },
            )
            for cid, name in self._custom_names.items()
        ]
        return fields

    def _selected_fields(
        self, specs: Sequence[str], *, default: str
    ) -> tuple[list[str], bool]:
        """Return the field ids to render and whether the key was asked for."""
        catalogue = self._field_catalogue()
        every = [f["id"] for f in catalogue if f["id"] != "issuekey"]
        navigable = [
            f["id"] for f in catalogue if f["navigable"] and f["id"] != "issuekey"
        ]
        parts = [part for spec in specs for part in spec.split(",") if part.strip()]
        parts = [part.strip() for part in parts] or [default]
        chosen: list[str] = []
        excluded: set[str] = set()
        with_key = False
        for part in parts:
            if part.startswith("-"):
                excluded.add(part[1:])
            elif part == "*all":
                chosen += every
            elif part == "*navigable":
                chosen += navigable
            elif part in ("key", "issuekey"):
                with_key = True
            elif part in every:
                chosen.append(part)
        selected = list(dict.fromkeys(f for f in chosen if f not in excluded))
        return selected, with_key

    def _changelog(self, ctx: _Ctx, issue: _Issue, *, limit: int) -> dict[str, Any]:
        if self.mode == "cloud":
            histories = list(reversed(issue.histories))[:limit]
        else:
            histories = list(issue.histories)
        return {
            "startAt": 0,
            "maxResults": len(histories),
            "total": len(issue.histories),
            "histories": [self._history_json(ctx, entry) for entry in histories],
        }

    def _history_json(
        self,
        ctx: _Ctx,
        entry: _History,
        *,
        epoch: bool = False,
        fields: Sequence[str] = (),
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"id": entry.id}
        if entry.author is not None:
            body["author"] = self._user(ctx, entry.author)
        body["created"] = (
            int(entry.created.timestamp()) if epoch else _jira_time(entry.created)
        )
        body["items"] = [
            {
                "field": change.field,
                "fieldtype": "jira",
                "fieldId": change.field_id,
                "from": change.from_,
                "fromString": change.from_string,
                "to": change.to,
                "toString": change.to_string,
            }
            for change in entry.items
            if not fields or change.field_id in fields
        ]
        return body

    def _issue_json(
        self,
        ctx: _Ctx,
        issue: _Issue,
        *,
        fields: Sequence[str],
        with_key: bool,
        expand: Sequence[str],
        changelog_limit: int,
    ) -> dict[str, Any]:
        if not fields:
            body: dict[str, Any] = {"id": issue.id}
            if with_key:
                body["key"] = issue.key
        else:
            renderers = self._field_renderers(ctx, issue)
            body = {
                "expand": _ISSUE_EXPAND,
                "id": issue.id,
                "self": f"{ctx.api}/issue/{issue.id}",
                "key": issue.key,
                "fields": {name: renderers[name]() for name in fields},
            }
        if "changelog" in expand:
            body["changelog"] = self._changelog(ctx, issue, limit=changelog_limit)
        return body

    def _find(self, key_or_id: str) -> _Issue:
        issue = self._issues.get(key_or_id) or self._by_id.get(key_or_id)
        if issue is None:
            issue = self._issues.get(key_or_id.upper())
        if issue is None:
            raise FakeHTTPError(404, _NO_ISSUE)
        return issue

    def _touch(self, issue: _Issue) -> datetime:
        now = _ms(self._clock())
        issue.updated = now
        self._version += 1
        return now

    # -- JQL ------------------------------------------------------------------------

    def _jql_error(self, message: str, position: int | None = None) -> FakeHTTPError:
        where = "" if position is None else f" (line 1, character {position + 1})"
        return FakeHTTPError(
            400, f"Error in the JQL Query: {message}{where}. {_JQL_HELP}."
        )

    def _tokens(self, jql: str) -> list[tuple[str, str, int]]:
        pattern = re.compile(
            r"\s*(?:(?P<string>\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')"
            r"|(?P<op>>=|<=|!=|!~|=|>|<|~)|(?P<punct>[(),])"
            r"|(?P<word>[^\s(),=<>!~\"']+))"
        )
        tokens: list[tuple[str, str, int]] = []
        position = 0
        while position < len(jql):
            if not jql[position:].strip():
                break
            match = pattern.match(jql, position)
            if match is None or match.lastgroup is None:
                start = len(jql) - len(jql[position:].lstrip())
                message = f"The character {jql[start]!r} is not valid here"
                raise self._jql_error(message, start)
            kind = match.lastgroup
            text = match.group(kind)
            if kind == "string":
                text = re.sub(r"\\(.)", r"\1", text[1:-1])
            tokens.append((kind, text, match.start(kind)))
            position = match.end()
        return tokens

    def _parse_jql(self, jql: str, *, bounded: bool) -> _Query:
        tokens = self._tokens(jql)
        predicates: list[Callable[[_Issue], bool]] = []
        order: list[tuple[str, bool]] = []
        index = 0

        def peek(offset: int = 0) -> tuple[str, str, int] | None:
            spot = index + offset
            return tokens[spot] if spot < len(tokens) else None

        def is_word(token: tuple[str, str, int] | None, *words: str) -> bool:
            return (
                token is not None and token[0] == "word" and token[1].lower() in words
            )

        while index < len(tokens):
            if is_word(peek(), "order") and is_word(peek(1), "by"):
                index += 2
                order, index = self._parse_order(tokens, index)
                break
            if predicates:
                token = peek()
                if not is_word(token, "and"):
                    assert token is not None  # noqa: S101 - loop condition
                    message = f"FakeJira does not support {token[1]!r} here"
                    raise self._jql_error(message, token[2])
                index += 1
            predicate, index = self._parse_clause(tokens, index)
            predicates.append(predicate)
        if bounded and not predicates:
            raise FakeHTTPError(400, _UNBOUNDED)
        relative = any(
            kind in ("word", "string") and _RELATIVE.fullmatch(text.strip())
            for kind, text, _position in tokens
        )
        return _Query(tuple(predicates), tuple(order), relative=relative)

    def _parse_order(
        self, tokens: list[tuple[str, str, int]], index: int
    ) -> tuple[list[tuple[str, bool]], int]:
        order: list[tuple[str, bool]] = []
        aliases = {
            "created": "created",
            "createddate": "created",
            "updated": "updated",
            "updateddate": "updated",
            "key": "key",
            "issuekey": "key",
            "id": "id",
        }
        while index < len(tokens):
            kind, text, position = tokens[index]
            name = aliases.get(text.lower()) if kind in ("word", "string") else None
            if name is None:
                message = f"Not able to sort using field {text!r}"
                raise self._jql_error(message, position)
            index += 1
            descending = False
            if index < len(tokens) and tokens[index][1].lower() in ("asc", "desc"):
                descending = tokens[index][1].lower() == "desc"
                index += 1
            order.append((name, descending))
            if index < len(tokens):
                if tokens[index][1] != ",":
                    message = f"Expecting ',' but got {tokens[index][1]!r}"
                    raise self._jql_error(message, tokens[index][2])
                index += 1
        if not order or len(order) > 7:
            message = "The ORDER BY clause needs 1 to 7 fields"
            raise self._jql_error(message, tokens[-1][2] if tokens else 0)
        return order, index

    def _values(
        self, tokens: list[tuple[str, str, int]], index: int, *, many: bool
    ) -> tuple[list[str], int]:
        if not many:
            if index >= len(tokens) or tokens[index][0] not in ("word", "string"):
                message = "Expecting a value"
                raise self._jql_error(message, self._position(tokens, index))
            return [tokens[index][1]], index + 1
        if index >= len(tokens) or tokens[index][1] != "(":
            message = "Expecting '('"
            raise self._jql_error(message, self._position(tokens, index))
        values: list[str] = []
        index += 1
        while True:
            if index >= len(tokens) or tokens[index][0] not in ("word", "string"):
                message = "Expecting a value"
                raise self._jql_error(message, self._position(tokens, index))
            values.append(tokens[index][1])
            index += 1
            if index < len(tokens) and tokens[index][1] == ",":
                index += 1
                continue
            if index < len(tokens) and tokens[index][1] == ")":
                return values, index + 1
            message = "Expecting ')' or ','"
            raise self._jql_error(message, self._position(tokens, index))

    @staticmethod
    def _position(tokens: list[tuple[str, str, int]], index: int) -> int:
        if index < len(tokens):
            return tokens[index][2]
        return tokens[-1][2] + len(tokens[-1][1]) if tokens else 0

    def _parse_clause(
        self, tokens: list[tuple[str, str, int]], index: int
    ) -> tuple[Callable[[_Issue], bool], int]:
        kind, name, position = tokens[index]
        if kind not in ("word", "string"):
            message = f"Expecting a field name but got {name!r}"
            raise self._jql_error(message, position)
        field_name = name.lower()
        index += 1
        if index >= len(tokens):
            message = "Expecting an operator"
            raise self._jql_error(message, self._position(tokens, index))
        op_kind, operator, op_position = tokens[index]
        operator = operator.lower()
        if (
            operator == "not"
            and index + 1 < len(tokens)
            and (tokens[index + 1][1].lower() == "in")
        ):
            operator, index = "not in", index + 2
        elif op_kind == "op" or operator == "in":
            index += 1
        else:
            message = f"Expecting an operator but got {tokens[index][1]!r}"
            raise self._jql_error(message, op_position)
        many = operator in ("in", "not in")
        values, index = self._values(tokens, index, many=many)
        negate = operator in ("!=", "not in")
        if field_name in ("project", "key", "issuekey", "status"):
            if operator not in ("=", "!=", "in", "not in"):
                message = f"The operator {operator!r} is not supported for {name!r}"
                raise self._jql_error(message, op_position)
            return self._membership(field_name, values, negate=negate), index
        if field_name in ("created", "createddate", "updated", "updateddate"):
            if many or operator in ("~", "!~"):
                message = f"The operator {operator!r} is not supported for {name!r}"
                raise self._jql_error(message, op_position)
            attribute = "created" if field_name.startswith("created") else "updated"
            moment = self._jql_date(values[0], attribute)
            return self._comparison(attribute, operator, moment), index
        known = {f["id"].lower() for f in self._field_catalogue()}
        known |= {name.lower() for name in self._custom_ids}
        if field_name in known:
            message = f"FakeJira does not support searching on {name!r}"
            raise self._jql_error(message, position)
        message = (
            f"Field '{name}' does not exist or you do not have permission to view it."
        )
        raise FakeHTTPError(400, message)

    def _membership(
        self, field_name: str, values: list[str], *, negate: bool
    ) -> Callable[[_Issue], bool]:
        attribute = field_name if field_name in ("project", "status") else "key"
        if attribute == "key":  # key or issuekey
            wanted: set[str] = set()
            for value in values:
                try:
                    wanted.add(self._find(value).key)
                except FakeHTTPError:
                    message = (
                        f"An issue with key '{value}' does not exist for field 'key'."
                    )
                    raise FakeHTTPError(400, message) from None
        else:
            # Projects and statuses are named case-insensitively, or by id.
            if field_name == "project":
                names = {key.upper(): key for key in self._projects}
                ids = {str(pid): key for key, pid in self._projects.items()}
            else:
                names = {name.upper(): name for name in self._statuses}
                ids = {s.id: s.name for s in self._statuses.values()}
            wanted = set()
            for value in values:
                found = names.get(value.upper()) or ids.get(value)
                if found is None:
                    message = (
                        f"The value '{value}' does not exist for the field "
                        f"'{field_name}'."
                    )
                    raise FakeHTTPError(400, message)
                wanted.add(found)

        def matches(issue: _Issue) -> bool:
            return (getattr(issue, attribute) in wanted) != negate

        return matches

    def _jql_date(self, value: str, field_name: str) -> datetime:
        text = value.strip()
        for form in _DATE_FORMATS:
            try:
                return datetime.strptime(text, form).replace(tzinfo=UTC)
            except ValueError:
                continue
        relative = _RELATIVE.fullmatch(text)
        if relative is not None:
            amount = int(relative["amount"]) * (-1 if relative["sign"] == "-" else 1)
            unit = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}
            delta = timedelta(**{unit[relative["unit"]]: amount})
            return _ms(self._clock()) + delta
        message = (
            f"Date value '{value}' for field '{field_name}' is invalid. Valid formats "
            "include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', "
            "'yyyy-MM-dd', or a period format e.g. '-5d', '4w'."
        )
        raise FakeHTTPError(400, message)

    @staticmethod
    def _comparison(
        attribute: str, operator: str, moment: datetime
    ) -> Callable[[_Issue], bool]:
        tests: dict[str, Callable[[datetime], bool]] = {
            "=": lambda value: value == moment,
            "!=": lambda value: value != moment,
            ">": lambda value: value > moment,
            ">=": lambda value: value >= moment,
            "<": lambda value: value < moment,
            "<=": lambda value: value <= moment,
        }
        test = tests[operator]

        def compare(issue: _Issue) -> bool:
            value: datetime = getattr(issue, attribute)
            return test(value)

        return compare

    @staticmethod
    def _sort_key(issue: _Issue, order: Sequence[tuple[str, bool]]) -> _SortKey:
        values: list[Any] = []
        for name, _descending in order:
            if name == "key":
                values.append((issue.project, issue.number))
            elif name == "id":
                values.append(int(issue.id))
            else:
                values.append(_epoch_ms(getattr(issue, name)))
        values.append((issue.project, issue.number))
        return _SortKey(tuple(values), (*(d for _n, d in order), False))

    def _ordered(
        self, jql: str, *, bounded: bool
    ) -> tuple[list[_Issue], list[_SortKey], _Query]:
        query = self._parse_jql(jql, bounded=bounded)
        cached = self._search_cache.get(jql)
        if cached is not None and cached[0] == self._version and not query.relative:
            return cached[1], cached[2], query
        matching = [
            issue
            for issue in self._issues.values()
            if all(predicate(issue) for predicate in query.predicates)
        ]
        keyed = sorted(
            ((self._sort_key(issue, query.order), issue) for issue in matching),
            key=lambda pair: pair[0],
        )
        issues = [issue for _key, issue in keyed]
        keys = [key for key, _issue in keyed]
        if len(self._search_cache) > 32:
            self._search_cache.clear()
        self._search_cache[jql] = (self._version, issues, keys)
        return issues, keys, query

    # -- search ---------------------------------------------------------------------

    def _search_args(self, request: FakeRequest) -> dict[str, Any]:
        if request.method == "GET":
            expand = request.param_list("expand")
            return {
                "jql": request.param("jql", "") or "",
                "fields": request.param_list("fields"),
                "expand": expand,
                "maxResults": request.param("maxResults"),
                "nextPageToken": request.param("nextPageToken"),
                "startAt": request.param("startAt"),
            }
        body = request.json()
        if not isinstance(body, dict):
            raise FakeHTTPError(400, "The request body must be a JSON object.")
        fields = body.get("fields") or []
        if isinstance(fields, str):
            fields = [fields]
        expand = body.get("expand") or []
        if isinstance(expand, str):
            expand = expand.split(",")
        return {
            "jql": body.get("jql") or "",
            "fields": [str(f) for f in fields],
            "expand": [str(e).strip() for e in expand],
            "maxResults": body.get("maxResults"),
            "nextPageToken": body.get("nextPageToken"),
            "startAt": body.get("startAt"),
        }

    @staticmethod
    def _int(value: Any, name: str, default: int) -> int:
        if value is None or value == "":
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            message = f"The '{name}' parameter must be a whole number, got {value!r}."
            raise FakeHTTPError(400, message) from None

    @route("GET", _API + "/search/jql")
    @route("POST", _API + "/search/jql")
    def search_jql(self, request: FakeRequest) -> httpx.Response:
        """Enhanced search: ``{issues, nextPageToken?, isLast}`` with keyset tokens."""
        ctx = self._ctx(request, cloud_only=True)
        args = self._search_args(request)
        requested = self._int(args["maxResults"], "maxResults", 50)
        if not 1 <= requested <= _MAX_RESULTS_IDS:
            message = f"maxResults must be between 1 and {_MAX_RESULTS_IDS}."
            raise FakeHTTPError(400, message)
        jql = str(args["jql"]).strip()
        fields, with_key = self._selected_fields(args["fields"], default="id")
        issues, keys, query = self._ordered(jql, bounded=True)
        limit = _MAX_RESULTS_FIELDS if fields else _MAX_RESULTS_IDS
        size = self.faults.cap(requested, limit=limit)
        digest = _digest(jql)
        start = 0
        token = args["nextPageToken"]
        if token:
            payload = _untoken(str(token))
            if payload.get("q") != digest or not isinstance(payload.get("s"), list):
                message = f"The nextPageToken {token!r} does not belong to this query."
                raise FakeHTTPError(400, message)
            after = _SortKey(
                tuple(tuple(v) if isinstance(v, list) else v for v in payload["s"]),
                (*(d for _n, d in query.order), False),
            )
            start = bisect.bisect_right(keys, after)
        page = issues[start : start + size]
        body: dict[str, Any] = {
            "issues": [
                self._issue_json(
                    ctx,
                    issue,
                    fields=fields,
                    with_key=with_key,
                    expand=args["expand"],
                    changelog_limit=_SEARCH_CHANGELOG_LIMIT,
                )
                for issue in page
            ]
        }
        is_last = start + size >= len(issues)
        if not is_last:
            body["nextPageToken"] = _token(
                {"q": digest, "s": list(keys[start + size - 1].values)}
            )
        body["isLast"] = is_last
        return self.json_response(body)

    @route("GET", _API + "/search")
    @route("POST", _API + "/search")
    def search_legacy(self, request: FakeRequest) -> httpx.Response:
        """410 in Cloud (removed in 2025); offset search in Data Center."""
        ctx = self._ctx(request)
        if self.mode == "cloud":
            raise FakeHTTPError(410, _LEGACY_SEARCH_REMOVED)
        args = self._search_args(request)
        start = self._int(args["startAt"], "startAt", 0)
        requested = self._int(args["maxResults"], "maxResults", 50)
        fields, with_key = self._selected_fields(args["fields"], default="*navigable")
        issues, _keys, _query = self._ordered(str(args["jql"]).strip(), bounded=False)
        size = 0 if requested <= 0 else self.faults.cap(requested, limit=1000)
        page = issues[max(start, 0) : max(start, 0) + size]
        return self.json_response(
            {
                "expand": "schema,names",
                "startAt": start,
                "maxResults": size,
                "total": len(issues),
                "issues": [
                    self._issue_json(
                        ctx,
                        issue,
                        fields=fields or ["summary"],
                        with_key=with_key,
                        expand=args["expand"],
                        changelog_limit=len(issue.histories),
                    )
                    for issue in page
                ],
            }
        )

    @route("POST", _API + "/search/approximate-count")
    def approximate_count(self, request: FakeRequest) -> httpx.Response:
        """``{"count": n}`` for a bounded JQL query."""
        self._ctx(request, cloud_only=True)
        body = request.json()
        jql = str(body.get("jql", "")) if isinstance(body, dict) else ""
        issues, _keys, _query = self._ordered(jql.strip(), bounded=True)
        return self.json_response({"count": len(issues)})

    # -- issues ---------------------------------------------------------------------

    @route("GET", _API + "/issue/{key}")
    def get_issue(self, request: FakeRequest) -> httpx.Response:
        """One issue; all fields by default; ``expand=changelog`` (100 newest)."""
        ctx = self._ctx(request)
        issue = self._find(request.path_params["key"])
        fields, _with_key = self._selected_fields(
            request.param_list("fields"), default="*all"
        )
        return self.json_response(
            self._issue_json(
                ctx,
                issue,
                fields=fields or ["summary"],
                with_key=True,
                expand=request.param_list("expand"),
                changelog_limit=_ISSUE_CHANGELOG_LIMIT,
            )
        )

    @route("GET", _API + "/issue/{key}/changelog")
    def get_changelog(self, request: FakeRequest) -> httpx.Response:
        """All histories of one issue, oldest first, paged by ``startAt``."""
        ctx = self._ctx(request, cloud_only=True)
        issue = self._find(request.path_params["key"])
        start = max(request.int_param("startAt", 0), 0)
        size = self.faults.cap(max(request.int_param("maxResults", 100), 1), limit=100)
        values = issue.histories[start : start + size]
        link = f"{ctx.api}/issue/{issue.key}/changelog"
        body: dict[str, Any] = {
            "self": f"{link}?startAt={start}&maxResults={size}",
            "maxResults": size,
            "startAt": start,
            "total": len(issue.histories),
            "isLast": start + size >= len(issue.histories),
            "values": [self._history_json(ctx, entry) for entry in values],
        }
        if not body["isLast"]:
            body["nextPage"] = f"{link}?startAt={start + size}&maxResults={size}"
        return self.json_response(body)

    @route("POST", _API + "/changelog/bulkfetch")
    def bulk_changelog(self, request: FakeRequest) -> httpx.Response:
        """Histories of up to 1000 issues; ``created`` in epoch seconds."""
        ctx = self._ctx(request, cloud_only=True)
        body = request.json()
        if not isinstance(body, dict):
            raise FakeHTTPError(400, "The request body must be a JSON object.")
        wanted = body.get("issueIdsOrKeys")
        field_ids = body.get("fieldIds") or []
        errors = {}
        if not isinstance(wanted, list) or not 1 <= len(wanted) <= 1000:
            errors["issueIdsOrKeys"] = "Provide between 1 and 1000 issue IDs or keys."
        if not isinstance(field_ids, list) or len(field_ids) > 10:
            errors["fieldIds"] = "Provide at most 10 field IDs."
        requested = self._int(body.get("maxResults"), "maxResults", 1000)
        if not 1 <= requested <= 10000:
            errors["maxResults"] = "maxResults must be between 1 and 10000."
        if errors:
            raise FakeHTTPError(400, errors=errors)
        assert isinstance(wanted, list)  # noqa: S101 - checked above
        found: dict[str, _Issue] = {}
        for value in wanted:
            try:
                issue = self._find(str(value))
            except FakeHTTPError:
                continue
            found[issue.id] = issue
        ordered = sorted(found.values(), key=lambda issue: int(issue.id))
        entries = [
            (issue, entry)
            for issue in ordered
            for entry in issue.histories
            if not field_ids
            or any(change.field_id in field_ids for change in entry.items)
        ]
        digest = _digest(sorted(found), sorted(map(str, field_ids)))
        start = 0
        token = body.get("nextPageToken")
        if token:
            payload = _untoken(str(token))
            if payload.get("q") != digest or not isinstance(payload.get("o"), int):
                message = (
                    f"The nextPageToken {token!r} does not belong to this request."
                )
                raise FakeHTTPError(400, message)
            start = payload["o"]
        size = self.faults.cap(requested, limit=10000)
        logs: list[dict[str, Any]] = []
        for issue, entry in entries[start : start + size]:
            if not logs or logs[-1]["issueId"] != issue.id:
                logs.append({"issueId": issue.id, "changeHistories": []})
            logs[-1]["changeHistories"].append(
                self._history_json(
                    ctx, entry, epoch=True, fields=[str(f) for f in field_ids]
                )
            )
        answer: dict[str, Any] = {"issueChangeLogs": logs}
        if start + size < len(entries):
            answer["nextPageToken"] = _token({"q": digest, "o": start + size})
        return self.json_response(answer)

    @route("POST", _API + "/issue")
    def create_issue(self, request: FakeRequest) -> httpx.Response:
        """Create an issue in the process's first state; 201 ``{id, key, self}``."""
        ctx = self._ctx(request)
        body = request.json()
        fields = body.get("fields") if isinstance(body, dict) else None
        if not isinstance(fields, dict):
            raise FakeHTTPError(400, "The request body needs a 'fields' object.")
        errors: dict[str, str] = {}
        project = self._pick_project(fields.get("project"), errors)
        summary = fields.get("summary")
        if not isinstance(summary, str) or not summary.strip():
            errors["summary"] = "You must specify a summary of the issue."
        issue_type = self._pick_type(fields.get("issuetype"), errors)
        values = self._writable_fields(ctx, fields, project, errors)
        if errors or project is None or issue_type is None:
            raise FakeHTTPError(400, errors=errors)
        numbers = [i.number for i in self._issues.values() if i.project == project]
        number = max(numbers, default=0) + 1
        key = f"{project}-{number}"
        if not self._statuses:
            self._add_status("To Do", _NEW)
        process = self._workspace.process
        first = process.starts[0] if process is not None else next(iter(self._statuses))
        now = _ms(self._clock())
        issue = _Issue(
            id=str(_stable_number(key)),
            key=key,
            project=project,
            number=number,
            summary=str(summary).strip(),
            type=issue_type,
            status=first,
            created=now,
            updated=now,
            resolved=None,
            assignee=values.get("assignee"),
            team=values.get("team"),
            priority=values.get("priority"),
            labels=values.get("labels", []),
            estimate=values.get("estimate"),
            parent=values.get("parent"),
            releases=values.get("releases", []),
            custom=values.get("custom", {}),
            description=values.get("description"),
        )
        self._issues[key] = issue
        self._by_id[issue.id] = issue
        self._issue_links[key] = []
        self._version += 1
        return self.json_response(
            {"id": issue.id, "key": key, "self": f"{ctx.api}/issue/{issue.id}"},
            status=201,
        )

    def _pick_project(self, value: Any, errors: dict[str, str]) -> str | None:
        if isinstance(value, dict):
            key = value.get("key")
            if isinstance(key, str) and key.upper() in self._projects:
                return key.upper()
            by_id = {str(pid): k for k, pid in self._projects.items()}
            if str(value.get("id")) in by_id:
                return by_id[str(value.get("id"))]
        errors["project"] = "Specify a valid project ID or key"
        return None

    def _pick_type(self, value: Any, errors: dict[str, str]) -> str | None:
        if isinstance(value, dict):
            name = value.get("name")
            if isinstance(name, str) and name.strip():
                self._types.setdefault(name.strip(), str(10000 + len(self._types)))
                return name.strip()
            by_id = {type_id: n for n, type_id in self._types.items()}
            if str(value.get("id")) in by_id:
                return by_id[str(value.get("id"))]
            if value.get("id") is not None:
                known = ", ".join(f"{n} ({i})" for n, i in self._types.items())
                errors["issuetype"] = (
                    f"The issue type selected is invalid (known: {known or 'none'})."
                )
                return None
        errors["issuetype"] = "Specify an issue type"
        return None

    def _writable_fields(
        self,
        ctx: _Ctx,
        fields: Mapping[str, Any],
        project: str | None,
        errors: dict[str, str],
    ) -> dict[str, Any]:
        values: dict[str, Any] = {}
        accounts = {account: name for name, account in self._users.items()}
        for name, value in fields.items():
            if name in ("project", "summary", "issuetype"):
                continue
            if name == "assignee":
                account = value.get("accountId") if isinstance(value, dict) else None
                user_name = value.get("name") if isinstance(value, dict) else None
                if value is None:
                    continue
                if account in accounts:
                    values["assignee"] = accounts[account]
                elif self.mode == "datacenter" and user_name in self._users:
                    values["assignee"] = user_name
                else:
                    errors["assignee"] = (
                        f"User '{account or user_name}' does not exist."
                    )
            elif name == "priority":
                by_id = {pid: n for n, pid in self._priorities.items()}
                chosen = None
                if isinstance(value, dict):
                    chosen = (
                        value.get("name")
                        if value.get("name") in self._priorities
                        else by_id.get(str(value.get("id")))
                    )
                if chosen is None:
                    errors["priority"] = "The priority selected is invalid."
                else:
                    values["priority"] = chosen
            elif name == "labels":
                if not isinstance(value, list) or not all(
                    isinstance(label, str) and label.strip() for label in value
                ):
                    errors["labels"] = "Labels must be a list of non-empty strings."
                else:
                    values["labels"] = [label.strip() for label in value]
            elif name == "parent":
                key = value.get("key") if isinstance(value, dict) else None
                parent_id = value.get("id") if isinstance(value, dict) else None
                target = self._issues.get(str(key)) or self._by_id.get(str(parent_id))
                if target is None:
                    errors["parent"] = "Could not find the parent issue."
                else:
                    values["parent"] = target.key
            elif name == "fixVersions":
                versions = self._versions.get(project or "", {})
                by_id = {v.id: v.name for v in versions.values()}
                chosen_names = []
                for entry in value if isinstance(value, list) else [None]:
                    picked = None
                    if isinstance(entry, dict):
                        picked = (
                            entry.get("name")
                            if entry.get("name") in versions
                            else by_id.get(str(entry.get("id")))
                        )
                    if picked is None:
                        errors["fixVersions"] = f"Version {entry!r} is not valid."
                    else:
                        chosen_names.append(picked)
                values["releases"] = chosen_names
            elif name == self._story_points:
                if value is not None and (
                    isinstance(value, bool)
                    or not isinstance(value, int | float)
                    or value < 0
                ):
                    errors[name] = "Story points must be a number >= 0."
                else:
                    values["estimate"] = None if value is None else float(value)
            elif name == self._team_field:
                team = value.get("id") if isinstance(value, dict) else value
                if team is not None and not isinstance(team, str):
                    errors[name] = "Specify the team by its id."
                else:
                    values["team"] = team
            elif name == "description":
                if value is None:
                    continue
                if ctx.adf and not _is_adf(value):
                    errors[name] = (
                        "Operation value must be an Atlassian Document (see the "
                        "Atlassian Document Format)"
                    )
                else:
                    values["description"] = value if ctx.adf else _adf(str(value))
            elif name in self._custom_names:
                values.setdefault("custom", {})[name] = value
            else:
                errors[name] = (
                    f"Field '{name}' cannot be set. It is not on the appropriate "
                    "screen, or unknown."
                )
        return values

    def _transitions(self, issue: _Issue) -> list[str]:
        process = self._workspace.process
        known = list(self._statuses)
        if process is None or not process.transitions:
            return [name for name in known if name != issue.status]
        targets = {t.target for t in process.transitions if t.source == issue.status}
        return [name for name in known if name in targets]

    def _transition_json(self, ctx: _Ctx, target: str) -> dict[str, Any]:
        index = list(self._statuses).index(target)
        process = self._workspace.process
        return {
            "id": str(10 * (index + 1) + 1),
            "name": target,
            "to": self._status(ctx, target),
            "hasScreen": False,
            "isGlobal": process is None or not process.transitions,
            "isInitial": False,
            "isAvailable": True,
            "isConditional": False,
            "isLooped": False,
        }

    @route("GET", _API + "/issue/{key}/transitions")
    def get_transitions(self, request: FakeRequest) -> httpx.Response:
        """List the moves the process allows from the issue's status."""
        ctx = self._ctx(request)
        issue = self._find(request.path_params["key"])
        return self.json_response(
            {
                "expand": "transitions",
                "transitions": [
                    self._transition_json(ctx, target)
                    for target in self._transitions(issue)
                ],
            }
        )

    @route("POST", _API + "/issue/{key}/transitions")
    def do_transition(self, request: FakeRequest) -> httpx.Response:
        """Move the issue; records a history, sets ``updated`` and the resolution."""
        self._ctx(request)
        issue = self._find(request.path_params["key"])
        body = request.json()
        transition = body.get("transition") if isinstance(body, dict) else None
        transition_id = (
            str(transition.get("id")) if isinstance(transition, dict) else None
        )
        allowed = {
            str(10 * (list(self._statuses).index(target) + 1) + 1): target
            for target in self._transitions(issue)
        }
        target = allowed.get(transition_id or "")
        if target is None:
            message = f"Transition id '{transition_id}' is not valid for this issue."
            raise FakeHTTPError(400, message)
        now = self._touch(issue)
        changes = [self._status_change(issue.status, target)]
        was_done = self._statuses[issue.status].category is _DONE
        is_done = self._statuses[target].category is _DONE
        if is_done and issue.resolved is None:
            issue.resolved = now
            changes.insert(
                0, _Change("resolution", "resolution", None, None, "10000", "Done")
            )
        elif was_done and not is_done and issue.resolved is not None:
            issue.resolved = None
            changes.insert(
                0, _Change("resolution", "resolution", "10000", "Done", None, None)
            )
        issue.histories.append(
            _History(self._history_id(), now, self.display_name, changes)
        )
        issue.status = target
        return self.empty_response(204)

    @route("GET", _API + "/issue/{key}/comment")
    def get_comments(self, request: FakeRequest) -> httpx.Response:
        """List the issue's comments, oldest first, paged by ``startAt``."""
        ctx = self._ctx(request)
        issue = self._find(request.path_params["key"])
        start = max(request.int_param("startAt", 0), 0)
        size = self.faults.cap(max(request.int_param("maxResults", 100), 1), limit=5000)
        return self.json_response(
            {
                "startAt": start,
                "maxResults": size,
                "total": len(issue.comments),
                "comments": [
                    self._comment_json(ctx, issue, comment)
                    for comment in issue.comments[start : start + size]
                ],
            }
        )

    @route("POST", _API + "/issue/{key}/comment")
    def add_comment(self, request: FakeRequest) -> httpx.Response:
        """Add a comment (ADF in v3, text in v2); sets ``updated``."""
        ctx = self._ctx(request)
        issue = self._find(request.path_params["key"])
        body = request.json()
        text = body.get("body") if isinstance(body, dict) else None
        if ctx.adf and not _is_adf(text):
            raise FakeHTTPError(
                400,
                errors={
                    "comment": "Operation value must be an Atlassian Document (see "
                    "the Atlassian Document Format)"
                },
            )
        if not ctx.adf and not isinstance(text, str):
            raise FakeHTTPError(
                400, errors={"comment": "Comment body can not be empty!"}
            )
        now = self._touch(issue)
        self._next_comment += 1
        comment = {
            "id": str(self._next_comment),
            "author": self.display_name,
            "body": text if ctx.adf else _adf(str(text)),
            "created": now,
        }
        issue.comments.append(comment)
        return self.json_response(self._comment_json(ctx, issue, comment), status=201)

    # -- metadata ---------------------------------------------------------------------

    @route("GET", _API + "/field")
    def fields(self, request: FakeRequest) -> httpx.Response:
        """Every field, the story points, team and workspace custom fields included."""
        self._ctx(request)
        return self.json_response(self._field_catalogue())

    @route("GET", _API + "/myself")
    def myself(self, request: FakeRequest) -> httpx.Response:
        """Describe the authenticated user."""
        ctx = self._ctx(request)
        user = dict(self._user(ctx, self.display_name))
        user.update(
            {
                "accountType": "atlassian",
                "locale": "en_US",
                "groups": {"size": 0, "items": []},
                "applicationRoles": {"size": 0, "items": []},
                "expand": "groups,applicationRoles",
            }
        )
        if self.mode == "datacenter":
            del user["accountType"]
        return self.json_response(user)

    @route("GET", _API + "/serverInfo")
    def server_info(self, request: FakeRequest) -> httpx.Response:
        """Version and deployment type (``Cloud`` or ``Server``)."""
        ctx = self._ctx(request)
        cloud = self.mode == "cloud"
        version = [1001, 0, 0] if cloud else [9, 12, 0]
        return self.json_response(
            {
                "baseUrl": ctx.base,
                "displayUrl": ctx.base,
                "version": "1001.0.0-SNAPSHOT" if cloud else "9.12.0",
                "versionNumbers": version,
                "deploymentType": "Cloud" if cloud else "Server",
                "buildNumber": 100289 if cloud else 9120000,
                "buildDate": "2025-01-01T00:00:00.000+0000",
                "serverTime": _jira_time(self._clock()),
                "scmInfo": "fake",
                "serverTitle": "FakeJira",
            }
        )

    def _project_key(self, request: FakeRequest) -> str:
        value = request.path_params["project"]
        by_id = {str(pid): key for key, pid in self._projects.items()}
        key = value.upper() if value.upper() in self._projects else by_id.get(value)
        if key is None:
            message = f"No project could be found with key '{value}'."
            raise FakeHTTPError(404, message)
        return key

    @route("GET", _API + "/project/{project}")
    def get_project(self, request: FakeRequest) -> httpx.Response:
        """One project with its issue types."""
        ctx = self._ctx(request)
        key = self._project_key(request)
        body = self._project(ctx, key)
        body.update(
            {
                "projectTypeKey": "software",
                "simplified": False,
                "style": "classic",
                "isPrivate": False,
                "issueTypes": [self._issue_type(ctx, name) for name in self._types],
            }
        )
        return self.json_response(body)

    @route("GET", _API + "/project/{project}/statuses")
    def project_statuses(self, request: FakeRequest) -> httpx.Response:
        """Statuses per issue type, in process order (then unknown statuses)."""
        ctx = self._ctx(request)
        self._project_key(request)
        statuses = [self._status(ctx, name) for name in self._statuses]
        return self.json_response(
            [
                {
                    "self": f"{ctx.api}/issuetype/{type_id}",
                    "id": type_id,
                    "name": name,
                    "subtask": name.lower() in ("sub-task", "subtask"),
                    "statuses": statuses,
                }
                for name, type_id in self._types.items()
            ]
        )

    @route("GET", _API + "/project/{project}/version")
    def project_versions(self, request: FakeRequest) -> httpx.Response:
        """List the project's versions, paged by ``startAt``, filtered and ordered."""
        ctx = self._ctx(request)
        key = self._project_key(request)
        versions = list(self._versions[key].values())
        statuses = set(request.param_list("status"))
        if statuses:

            def status_of(version: _Version) -> str:
                body = self._version_json(ctx, version)
                if body["archived"]:
                    return "archived"
                return "released" if body["released"] else "unreleased"

            versions = [v for v in versions if status_of(v) in statuses]
        text = (request.param("query") or "").lower()
        if text:
            versions = [
                v
                for v in versions
                if text in v.name.lower()
                or text in str(self._version_json(ctx, v)["description"]).lower()
            ]
        order = request.param("orderBy") or "sequence"
        descending = order.startswith("-")
        order = order.lstrip("+-")
        if order == "name":
            versions.sort(key=lambda v: v.name, reverse=descending)
        elif order == "releaseDate":
            versions.sort(
                key=lambda v: str(self._version_json(ctx, v).get("releaseDate", "~")),
                reverse=descending,
            )
        elif descending:
            versions.reverse()
        start = max(request.int_param("startAt", 0), 0)
        size = self.faults.cap(max(request.int_param("maxResults", 50), 1), limit=50)
        expand = request.param_list("expand")
        link = f"{ctx.api}/project/{key}/version"
        body: dict[str, Any] = {
            "self": f"{link}?startAt={start}&maxResults={size}",
            "maxResults": size,
            "startAt": start,
            "total": len(versions),
            "isLast": start + size >= len(versions),
            "values": [
                self._version_json(ctx, v, expand=expand)
                for v in versions[start : start + size]
            ],
        }
        if not body["isLast"]:
            body["nextPage"] = f"{link}?startAt={start + size}&maxResults={size}"
        return self.json_response(body)

    @route("GET", _API + "/status")
    def statuses(self, request: FakeRequest) -> httpx.Response:
        """Every status, in process order."""
        ctx = self._ctx(request)
        return self.json_response([self._status(ctx, name) for name in self._statuses])

    @route("GET", _API + "/statuses/search")
    def search_statuses(self, request: FakeRequest) -> httpx.Response:
        """Statuses paged by ``startAt``; ``searchString`` and ``statusCategory``."""
        ctx = self._ctx(request, cloud_only=True)
        text = (request.param("searchString") or "").lower()
        category = request.param("statusCategory")
        found = [
            status
            for status in self._statuses.values()
            if text in status.name.lower()
            and (category is None or status.category.search == category)
        ]
        start = max(request.int_param("startAt", 0), 0)
        size = self.faults.cap(max(request.int_param("maxResults", 200), 1), limit=200)
        link = f"{ctx.api}/statuses/search"
        body: dict[str, Any] = {
            "self": f"{link}?startAt={start}&maxResults={size}",
            "maxResults": size,
            "startAt": start,
            "total": len(found),
            "isLast": start + size >= len(found),
            "values": [
                {
                    "id": status.id,
                    "name": status.name,
                    "description": "",
                    "statusCategory": status.category.search,
                    "scope": {"type": "GLOBAL"},
                }
                for status in found[start : start + size]
            ],
        }
        if not body["isLast"]:
            body["nextPage"] = f"{link}?startAt={start + size}&maxResults={size}"
        return self.json_response(body)

    @route("GET", _API + "/statuscategory")
    def status_categories(self, request: FakeRequest) -> httpx.Response:
        """Jira's four status categories."""
        ctx = self._ctx(request)
        return self.json_response(
            [
                self._category(ctx, category)
                for category in (_UNDEFINED, _NEW, _DONE, _INDETERMINATE)
            ]
        )

    @route("GET", _API + "/issuetype")
    def issue_types(self, request: FakeRequest) -> httpx.Response:
        """Every issue type in use."""
        ctx = self._ctx(request)
        return self.json_response([self._issue_type(ctx, name) for name in self._types])

    @route("GET", _API + "/priority")
    def priorities(self, request: FakeRequest) -> httpx.Response:
        """Every priority in use."""
        ctx = self._ctx(request)
        return self.json_response(
            [self._priority(ctx, name) for name in self._priorities]
        )

    @route("GET", _API + "/issueLinkType")
    def link_types(self, request: FakeRequest) -> httpx.Response:
        """List the link types: Blocks, Cloners, Duplicate, Relates, custom kinds."""
        ctx = self._ctx(request)
        return self.json_response(
            {
                "issueLinkTypes": [
                    {
                        "id": t.id,
                        "name": t.name,
                        "inward": t.inward,
                        "outward": t.outward,
                        "self": f"{ctx.api}/issueLinkType/{t.id}",
                    }
                    for t in self._link_types.values()
                ]
            }
        )
