"""Jira Cloud (REST v3) and Jira Data Center (REST v2): work items with full histories.

`JiraAdapter` is a `WorkTracker`. What it does on the wire, and why:

- **Search** uses the enhanced search, ``POST /rest/api/3/search/jql``, paged
  with ``nextPageToken``, always with an explicit ``fields`` list (the endpoint
  returns ids only by default). The legacy ``/rest/api/{2,3}/search`` answers
  410 on Cloud and is never called in cloud mode.
- **Status histories** come from ``POST /rest/api/3/changelog/bulkfetch``, one
  request per page of issues (``fieldIds: ["status"]``), following its
  ``nextPageToken``: the changelog that ``expand=changelog`` embeds in a search
  is truncated. The bulk requests run on a few threads while the search moves
  on to the next page, so fetching and mapping overlap.
- **Data Center** (``mode="datacenter"``) uses REST v2, a personal access token
  (bearer), ``GET /rest/api/2/search`` with ``startAt`` paging and
  ``expand=changelog``; an issue whose embedded changelog is incomplete is
  fetched again with ``GET /rest/api/2/issue/{key}?expand=changelog``, on a few
  threads.
- **Incremental sync** (`JiraAdapter.sync`) keeps a `JiraCursor`: the
  ``updated`` high-water mark, the ``(key, updated)`` pairs of the overlap
  window, and the next page's request, handed out after every page.
- **Fields** are found by name through ``GET /rest/api/3/field``: story points
  (``Story point estimate``, then ``Story Points``), the team (``Team``) and
  every other custom field, which lands in ``WorkItem.custom_fields`` under its
  *name*.

Timestamps become aware UTC datetimes. Bulk changelogs give history times in
whole seconds (epoch seconds, as the API specifies); the rest of the API has
milliseconds (``2023-06-24T19:24:50.000+0000``).
"""

from __future__ import annotations

import base64
import json
import logging
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import Any, ClassVar, Literal, TypeVar
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    SecretStr,
    TypeAdapter,
    ValidationError,
    field_validator,
)

from .._gc import gc_paused
from ..errors import (
    AdapterConfigError,
    AdapterError,
    APIError,
    InvalidInputError,
    ResponseFormatError,
)
from ..model import (
    Dependency,
    DependencyStatus,
    Process,
    Release,
    ReleaseStatus,
    State,
    StateCategory,
    Transition,
    WorkItem,
)
from . import _jira_models as jm
from ._config import AdapterSettings
from ._http import HttpAdapter, HttpCore, JiraRules, RetryPolicy
from ._paging import BodyToken, Offset, Page, PageRequest, Paginator, paginate
from ._protocols import Progress, ProgressCallback

__all__ = [
    "Checkpoint",
    "JiraAdapter",
    "JiraCursor",
    "JiraSettings",
    "JiraSync",
    "SEARCH_ORDER",
    "STORY_POINT_NAMES",
    "SYSTEM_FIELDS",
    "TEAM_NAMES",
    "adf",
    "status_category",
]

logger = logging.getLogger("productops.adapters")

T = TypeVar("T")

_NAME = "jira"

SYSTEM_FIELDS: tuple[str, ...] = (
    "summary",
    "status",
    "issuetype",
    "created",
    "updated",
    "resolutiondate",
    "assignee",
    "priority",
    "labels",
    "fixVersions",
    "parent",
    "issuelinks",
)
"""The issue fields every search asks for; story points, team and custom fields
are added by id."""

STORY_POINT_NAMES: tuple[str, ...] = ("Story point estimate", "Story Points")
"""Field names searched for story points, in order of preference."""

TEAM_NAMES: tuple[str, ...] = ("Team",)
"""Field names searched for the owning team."""

SEARCH_ORDER = "ORDER BY updated ASC, key ASC"
"""The order of syncs: oldest change first, so the high-water mark is safe."""

_QUEUE_NAMES = re.compile(
    r"^\s*(ready|waiting|awaiting|queued?|pending|blocked|on\s+hold)\b", re.IGNORECASE
)
_DONE_NAMES = re.compile(
    r"^\s*(done|closed|resolved|released|complete|completed|cancell?ed|won'?t\s+do)\b",
    re.IGNORECASE,
)
_BACKLOG_NAMES = re.compile(r"^\s*(backlog|to\s*do|open|new|selected)\b", re.IGNORECASE)
_ORDER_BY = re.compile(r"\border\s+by\b", re.IGNORECASE)
_JQL_WORDS = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|[^\s()\"',]+")
_BULK_ISSUES = 1000  # issues per changelog/bulkfetch request (the spec's maxItems)
_BULK_RESULTS = 10000  # histories per changelog/bulkfetch page (the spec's maximum)
_VERSION_PAGE = 50
_MAX_SLICES = 256
_RANK = {
    StateCategory.BACKLOG: 0,
    StateCategory.QUEUE: 1,
    StateCategory.ACTIVE: 1,
    StateCategory.DONE: 2,
}


# -- settings --------------------------------------------------------------------


class JiraSettings(AdapterSettings):
    """Settings of the Jira adapter.

    Each comes from an argument, an environment variable
    ``PRODUCTOPS_JIRA_<SETTING>`` or the profile file, in that order.

    Examples
    --------
    >>> settings = JiraSettings.resolve(
    ...     {"base_url": "https://127.0.0.1:8443", "email": "bot@example.com",
    ...      "token": "t0k3n-value"}, env={}, config_file=None)
    >>> settings.mode, settings.page_size, settings.token
    ('cloud', 100, SecretStr('**********'))
    """

    adapter = _NAME

    base_url: str
    """The address of the Jira site (https; plain http only on loopback)."""
    token: SecretStr
    """Cloud: an API token (Basic auth with `email`). Data Center: a personal
    access token (sent as a bearer token)."""
    email: str | None = None
    """The account the API token belongs to; required in cloud mode."""
    mode: Literal["cloud", "datacenter"] = "cloud"
    """``"cloud"`` (REST v3, enhanced search, bulk changelogs) or
    ``"datacenter"`` (REST v2, ``startAt`` search, embedded changelogs)."""
    project: str | None = None
    """Default project key for calls that take ``project=``."""
    page_size: int = Field(default=100, ge=1, le=1000)
    """Issues asked for per search page (Jira Cloud sends at most 100 with
    fields)."""
    concurrency: int = Field(default=4, ge=1, le=16)
    """Requests in flight at once during a search (searches of time slices and
    bulk changelog requests share them); 429s are honoured per request."""
    story_points_field: str | None = None
    """Field id (``customfield_10016``) or name that holds story points; found
    by name (``Story point estimate``, then ``Story Points``) when not set."""
    team_field: str | None = None
    """Field id or name that holds the team; found by the name ``Team`` (an
    Atlassian team field first) when not set."""
    custom_fields: tuple[str, ...] | None = None
    """Custom fields (ids or names) copied into ``WorkItem.custom_fields``;
    ``None`` copies every custom field the site has, ``()`` none. A string is
    split at commas (``PRODUCTOPS_JIRA_CUSTOM_FIELDS="Severity,Budget"``)."""
    timezone: str | None = None
    """The zone Jira reads JQL dates in (the account's profile zone); asked from
    ``/myself`` when not set."""
    overlap: float = Field(default=120.0, ge=0)
    """Seconds re-read before the high-water mark by each incremental sync."""
    timeout: float = Field(default=30.0, gt=0)
    """Seconds per request (connecting is capped at 10 s)."""

    @field_validator("custom_fields", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value


# -- the cursor ------------------------------------------------------------------


class JiraCursor(BaseModel):
    """Where an incremental sync stands: save it, pass it back to `JiraAdapter.sync`.

    A cursor is plain JSON (``cursor.model_dump_json()``, then
    ``JiraCursor.model_validate_json(text)``). What it holds:

    - `high_water`: the greatest ``updated`` delivered so far. A sync searches
      in ``ORDER BY updated ASC, key ASC`` order, so every matching issue
      updated before it has been delivered, even by a sync that was killed.
    - The next sync searches ``updated >= high_water - overlap``, rounded down to
      the minute (the precision of JQL dates, read in the account's time zone):
      the overlap also catches edits Jira's search index had not seen yet.
    - `seen`: the ``(key, updated)`` pairs delivered inside that window; an issue
      found again with the same ``updated`` is not delivered again.
    - `pending`: the request of the next page of an unfinished sync
      (`PageRequest.to_dict`). A sync given such a cursor carries on from that
      page. Jira's page tokens expire (after 7 days); if Jira rejects the saved
      one, the sync starts again from `high_water`, which loses nothing.

    Examples
    --------
    >>> cursor = JiraCursor(query='project = "APP"')
    >>> JiraCursor.model_validate_json(cursor.model_dump_json()) == cursor
    True
    >>> cursor.finished, cursor.high_water is None
    (True, True)
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    query: str
    """The JQL restriction the cursor belongs to (without ``ORDER BY``)."""
    high_water: AwareDatetime | None = None
    """The greatest ``updated`` delivered so far."""
    seen: tuple[tuple[str, AwareDatetime], ...] = ()
    """``(key, updated)`` of the issues delivered inside the overlap window."""
    pending: dict[str, JsonValue] | None = None
    """The next page's request of an unfinished sync; ``None`` once finished."""

    @property
    def finished(self) -> bool:
        """Whether the sync that saved this cursor ran to its end.

        Examples
        --------
        >>> JiraCursor(query="project = APP", pending={"method": "POST"}).finished
        False
        """
        return self.pending is None


@dataclass(frozen=True)
class JiraSync:
    """What `JiraAdapter.sync` returns: the items it fetched and the new cursor.

    Attributes
    ----------
    items : tuple of WorkItem
        Each issue once, in the order first delivered, at its latest version.
    cursor : JiraCursor
        Save it and pass it to the next `JiraAdapter.sync`.
    requests : int
        HTTP requests this sync sent, retries included.

    Examples
    --------
    >>> JiraSync((), JiraCursor(query="project = APP")).cursor.finished
    True
    """

    items: tuple[WorkItem, ...]
    cursor: JiraCursor
    requests: int = 0


Checkpoint = Callable[[tuple[WorkItem, ...], JiraCursor], None]
"""Called after each page with that page's new items and the cursor to save."""


# -- pure helpers ----------------------------------------------------------------


def adf(text: str) -> dict[str, Any]:
    r"""Return plain `text` as an Atlassian Document Format document.

    Blank lines separate paragraphs; single line breaks become ``hardBreak``
    nodes. Jira Cloud's v3 API takes descriptions and comments as ADF.

    Examples
    --------
    >>> adf("Shipped.\n\nSee the notes.")["content"][1]
    {'type': 'paragraph', 'content': [{'type': 'text', 'text': 'See the notes.'}]}
    >>> [node["type"] for node in adf("a\nb")["content"][0]["content"]]
    ['text', 'hardBreak', 'text']
    """
    paragraphs = [p for p in re.split(r"\n[ \t]*\n", text.strip("\n")) if p.strip()]
    content: list[dict[str, Any]] = []
    for paragraph in paragraphs:
        nodes: list[dict[str, Any]] = []
        for index, line in enumerate(paragraph.split("\n")):
            if index:
                nodes.append({"type": "hardBreak"})
            if line:
                nodes.append({"type": "text", "text": line})
        content.append({"type": "paragraph", "content": nodes})
    return {"type": "doc", "version": 1, "content": content}


def status_category(
    name: str,
    category_key: str | None,
    *,
    color: str | None = None,
    overrides: Mapping[str, StateCategory | str] | None = None,
) -> tuple[StateCategory, bool]:
    """Map a Jira status onto a flow category; say whether it was guessed.

    The rule, in order:

    1. `overrides` (status name → category) wins;
    2. ``statusCategory.key``: ``new`` → backlog, ``done`` → done,
       ``indeterminate`` → active, or queue when the name starts with Ready,
       Waiting, Awaiting, Queue(d), Pending, Blocked or On hold;
    3. another key (or none) falls back to the category colour (``blue-gray``
       → backlog, ``yellow`` → active or queue as above, ``green`` → done),
       then to the name (Done, Closed, Resolved... → done; Backlog, To Do,
       Open... → backlog; queue names as above; anything else → active).
       Only these fallbacks count as guesses.

    Parameters
    ----------
    name : str
        The status name.
    category_key : str or None
        Its ``statusCategory.key``.
    color : str, optional
        Its ``statusCategory.colorName``.
    overrides : mapping, optional
        Status name → category (`StateCategory` or its value).

    Returns
    -------
    tuple of (StateCategory, bool)
        The category, and whether it was guessed.

    Examples
    --------
    >>> status_category("Ready for QA", "indeterminate")
    (<StateCategory.QUEUE: 'queue'>, False)
    >>> status_category("In Progress", "in-flight", color="yellow")
    (<StateCategory.ACTIVE: 'active'>, True)
    >>> status_category("Triage", "new", overrides={"Triage": "queue"})
    (<StateCategory.QUEUE: 'queue'>, False)
    """
    if overrides and name in overrides:
        return StateCategory(overrides[name]), False
    waiting = StateCategory.QUEUE if _QUEUE_NAMES.match(name) else StateCategory.ACTIVE
    known = {
        "new": StateCategory.BACKLOG,
        "done": StateCategory.DONE,
        "indeterminate": waiting,
    }
    if category_key in known:
        return known[category_key], False
    colours = {
        "blue-gray": StateCategory.BACKLOG,
        "green": StateCategory.DONE,
        "yellow": waiting,
    }
    if color in colours:
        return colours[color], True
    if _DONE_NAMES.match(name):
        return StateCategory.DONE, True
    if _BACKLOG_NAMES.match(name):
        return StateCategory.BACKLOG, True
    return waiting, True


def _quote(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _has_or(where: str) -> bool:
    """Whether a JQL restriction has an ``OR`` outside quotes (needs parentheses)."""
    return any(
        word.casefold() == "or" or word == "||" for word in _JQL_WORDS.findall(where)
    )


def _split_order(query: str) -> tuple[str, str]:
    """Return ``(restriction, "ORDER BY ...")`` of a JQL query."""
    match = _ORDER_BY.search(query)
    if match is None:
        return query.strip(), ""
    return query[: match.start()].strip(), query[match.start() :].strip()


def _segment(value: str) -> str:
    """Quote a key for a URL path: ``/`` and ``..`` cannot reach another resource."""
    return quote(value, safe="")


def _and(where: str, clause: str) -> str:
    return f"{where} AND {clause}" if where else clause


def _floor_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        msg = f"{_NAME}: {name} must be timezone-aware (e.g. datetime(..., tzinfo=UTC))"
        raise InvalidInputError(msg)
    return moment.astimezone(UTC)


def _display(user: jm.User | None) -> str | None:
    if not user:
        return None
    return (
        user.get("displayName")
        or user.get("name")
        or user.get("accountId")
        or user.get("key")
    )


def _category_key(status: jm.Status | Mapping[str, Any] | None) -> str | None:
    if not isinstance(status, Mapping):
        return None
    category = status.get("statusCategory")
    return category.get("key") if isinstance(category, Mapping) else None


_CREATED = itemgetter("created")


def _number(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        msg = f"story points must be a number, got {type(value).__name__}"
        raise ValueError(msg)  # noqa: TRY004 - reported as a record problem
    return float(value)


def _team(value: object) -> str | None:
    """Return the team key: an Atlassian team's ``id``, a select option's ``value``."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        for attribute in ("id", "value", "name", "title"):
            if isinstance(value.get(attribute), str):
                return str(value[attribute])
        return None
    return str(value)


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):
        return [str(v) for v in value]
    return [str(value)]


def _format_error(what: str, *problems: str) -> ResponseFormatError:
    """Return a `ResponseFormatError` naming the request (`what`) and every problem."""
    listed = "\n  - ".join(problems)
    msg = (
        f"{_NAME}: the answer to {what} is not in Jira's shape; nothing from it "
        f"was used:\n  - {listed}"
    )
    return ResponseFormatError(msg, adapter=_NAME, request=what)


def _messages(exc: ValidationError, *, skip: int = 0) -> list[tuple[Any, str]]:
    found = []
    for error in exc.errors(include_url=False, include_input=False):
        loc = error["loc"]
        head = loc[0] if skip and loc else None
        path = ".".join(str(part) for part in loc[skip:]) or "(record)"
        found.append((head, f"field {path!r}: {error['msg']}"))
    return found


def _validate(
    adapter: TypeAdapter[list[T]],
    raw: object,
    where: str,
    *,
    what: str,
    name_key: str,
) -> list[T]:
    """Validate a page's records at once; one error listing every bad record."""
    try:
        return adapter.validate_python(raw)
    except ValidationError as exc:
        grouped: dict[Any, list[str]] = {}
        for index, message in _messages(exc, skip=1):
            grouped.setdefault(index, []).append(message)
        lines = []
        for index, messages in grouped.items():
            record = (
                raw[index]
                if isinstance(raw, list) and isinstance(index, int) and index < len(raw)
                else None
            )
            label = record.get(name_key) if isinstance(record, dict) else None
            name = f"{what} {label}" if isinstance(label, str) else f"{what} #{index}"
            lines.append(f"{name}: " + "; ".join(messages))
        raise _format_error(where, *lines) from None


def _release(version: jm.Version) -> Release:
    """Map a version onto a release; see `JiraAdapter.releases`."""
    day = version.get("releaseDate") or version.get("startDate")
    released_at: datetime | None = None
    if version.get("released") and day is not None:
        status = ReleaseStatus.RELEASED
        released_at = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    elif version.get("released"):
        status = ReleaseStatus.IN_PROGRESS
    elif version.get("archived"):
        status = ReleaseStatus.CANCELLED
    else:
        status = ReleaseStatus.PLANNED
    return Release(
        key=version["name"],
        name=version["name"],
        status=status,
        target_date=version.get("releaseDate"),
        released_at=released_at,
        description=version.get("description") or "",
    )


def _dependency(key: str, status: object, link: jm.IssueLink) -> Dependency | None:
    """Map a ``Blocks`` link onto ``Dependency(upstream=blocker, downstream=...)``."""
    kind = link["type"]
    if (kind.get("name") or "").casefold() != "blocks" and (
        kind.get("outward") or ""
    ).casefold() != "blocks":
        return None
    outward, inward = link.get("outwardIssue"), link.get("inwardIssue")
    if outward is not None:
        upstream, downstream, upstream_status = key, outward["key"], status
    elif inward is not None:
        upstream, downstream = inward["key"], key
        upstream_status = (inward.get("fields") or {}).get("status")
    else:
        return None
    if upstream == downstream:
        return None
    done = _category_key(upstream_status) == "done"  # type: ignore[arg-type]
    return Dependency(
        upstream=upstream,
        downstream=downstream,
        status=DependencyStatus.RESOLVED if done else DependencyStatus.OPEN,
    )


# -- field metadata --------------------------------------------------------------


@dataclass(frozen=True)
class _Fields:
    """What ``GET /field`` told us: which ids to ask for, and their names."""

    story_points: tuple[str, ...] = ()
    team: tuple[str, ...] = ()
    custom: dict[str, str] = field(default_factory=dict)  # id -> name in the item
    ids: frozenset[str] = frozenset()
    by_name: dict[str, str] = field(default_factory=dict)  # casefolded name -> id

    @property
    def request(self) -> list[str]:
        extra = [*self.story_points, *self.team, *self.custom]
        return [*SYSTEM_FIELDS, *dict.fromkeys(extra)]

    def id_of(self, name: str) -> str | None:
        if name in self.ids:
            return name
        return self.by_name.get(name.casefold())


def _fields_from(known: list[jm.FieldInfo], settings: JiraSettings) -> _Fields:
    by_id = {info["id"]: info for info in known}
    by_name: dict[str, str] = {}
    for info in known:
        by_name.setdefault(info["name"].casefold(), info["id"])

    def schema(info: jm.FieldInfo) -> Mapping[str, Any]:
        return info.get("schema") or {}

    def resolve(
        setting: str | None,
        names: tuple[str, ...],
        what: str,
        typed: Callable[[jm.FieldInfo], bool],
    ) -> tuple[str, ...]:
        if setting is not None:
            chosen = setting if setting in by_id else by_name.get(setting.casefold())
            if chosen is None:
                msg = (
                    f"{_NAME}: the {what} field {setting!r} is neither a field id nor "
                    "a field name this site has"
                )
                raise AdapterConfigError(msg, adapter=_NAME)
            return (chosen,)
        named = [
            info
            for name in names
            for info in known
            if info.get("custom") and info["name"].casefold() == name.casefold()
        ]
        return tuple(info["id"] for info in [i for i in named if typed(i)] or named)

    points = resolve(
        settings.story_points_field,
        STORY_POINT_NAMES,
        "story points",
        lambda info: schema(info).get("type") == "number",
    )
    team = resolve(
        settings.team_field,
        TEAM_NAMES,
        "team",
        lambda info: str(schema(info).get("custom", "")).endswith(":atlassian-team"),
    )
    taken = set(points) | set(team)
    wanted = settings.custom_fields
    if wanted is None:
        chosen = [i for i in known if i.get("custom") and i["id"] not in taken]
    else:
        unknown = [
            name
            for name in wanted
            if name not in by_id and name.casefold() not in by_name
        ]
        if unknown:
            msg = f"{_NAME}: custom_fields {unknown} are not fields this site has"
            raise AdapterConfigError(msg, adapter=_NAME)
        ids = [name if name in by_id else by_name[name.casefold()] for name in wanted]
        chosen = [by_id[i] for i in dict.fromkeys(ids) if i not in taken]
    custom: dict[str, str] = {}
    names: set[str] = set()
    for info in chosen:
        name = info["name"]
        if name in names:
            name = f"{name} [{info['id']}]"
        names.add(name)
        custom[info["id"]] = name
    return _Fields(points, team, custom, frozenset(by_id), by_name)


# -- the adapter -----------------------------------------------------------------


@dataclass
class _Batch:
    """One search page, mapped: its items and the request of the page after it."""

    items: list[WorkItem]
    request: PageRequest
    next: PageRequest | None
    total: int | None = None


_Fetched = tuple[
    PageRequest, PageRequest | None, "Future[list[WorkItem]]", "Future[_Fetched] | None"
]


@dataclass(frozen=True)
class _Shape:
    """How to read one kind of page.

    `head` is what `_fetch` validates (ids and paging, for a search page whose
    bytes are kept for later: `lazy`); `page` validates the whole page;
    `records` validates record by record, for an error naming each bad one.
    """

    head: TypeAdapter[Any]
    page: TypeAdapter[Any]
    records: TypeAdapter[Any]
    items: str
    what: str
    name_key: str
    lazy: bool = False


_SEARCH = _Shape(
    jm.SEARCH_HEADS, jm.SEARCH_PAGES, jm.ISSUES, "issues", "issue", "key", lazy=True
)
_BULK = _Shape(
    jm.BULK_PAGES,
    jm.BULK_PAGES,
    jm.CHANGELOGS,
    "issueChangeLogs",
    "changelog",
    "issueId",
)


_Parsed = list[tuple[jm.Issue, Mapping[str, object]]]


class JiraAdapter(HttpAdapter):
    """Work items, releases, dependencies and workflow from Jira; writes issues too.

    Parameters
    ----------
    profile : str, optional
        The profile-file table to read settings from.
    client : httpx.Client, optional
        Bring your own client (proxies, certificates); it is not closed here.
    transport : httpx.BaseTransport, optional
        A test transport, such as ``FakeJira(...).transport()``.
    sleep : callable, default time.sleep
        How to wait before a retry (tests pass a recorder).
    **settings
        Any `JiraSettings` field: ``base_url``, ``email``, ``token``, ``mode``,
        ``project``, ``page_size``, ``concurrency``, ``story_points_field``,
        ``team_field``, ``custom_fields``, ``timezone``, ``overlap``,
        ``timeout``.

    Attributes
    ----------
    settings : JiraSettings
        The resolved settings (the token shows as ``'**********'``).

    Raises
    ------
    AdapterConfigError
        If a setting is missing or invalid (the message says where to set it).

    Examples
    --------
    >>> import productops as po
    >>> from productops.testing import FakeJira
    >>> fake = FakeJira(po.datasets.load_demo())
    >>> email, token = fake.credentials
    >>> jira = JiraAdapter(base_url=fake.base_url, email=email, token=token,
    ...                    transport=fake.transport())
    >>> item = jira.item("APP-1")
    >>> item.source, item.history[0].at.tzinfo
    ('jira', datetime.timezone.utc)
    """

    name: ClassVar[str] = _NAME

    def __init__(
        self,
        *,
        profile: str | None = None,
        client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        **settings: Any,
    ) -> None:
        self.settings = JiraSettings.resolve(settings, profile=profile)
        s = self.settings
        token = s.secret("token")
        source = s.sources.get("token", "argument")
        headers = {"Accept": "application/json"}
        auth: httpx.Auth | None = None
        secrets = [token]
        if s.mode == "cloud":
            if not s.email:
                msg = (
                    f"{_NAME} settings: email: missing (cloud mode signs in with the "
                    "account's email and an API token); pass email=..., set "
                    f"{JiraSettings.env_var('email')}, or add email to "
                    f"[{profile or 'default'}.{_NAME}] in the profile file"
                )
                raise AdapterConfigError(msg, adapter=_NAME)
            auth = httpx.BasicAuth(s.email, token)
            secrets.append(base64.b64encode(f"{s.email}:{token}".encode()).decode())
            credential = f"API token from {source} for {s.email}"
        else:
            headers["Authorization"] = f"Bearer {token}"
            credential = f"personal access token from {source}"
        self._cloud = s.mode == "cloud"
        self._api = "/rest/api/3" if self._cloud else "/rest/api/2"
        self._http = HttpCore(
            adapter=_NAME,
            base_url=s.base_url,
            headers=headers,
            auth=auth,
            timeout=s.timeout,
            retry=RetryPolicy(),
            rules=JiraRules(),
            secrets=secrets,
            credential=credential,
            client=client,
            transport=transport,
            sleep=sleep,
        )
        self._lock = threading.Lock()
        self._fields: _Fields | None = None
        self._zone: ZoneInfo | None = None

    def __repr__(self) -> str:
        return f"<JiraAdapter {self.settings.mode} {self._http.base_url}>"

    # -- reading work items ------------------------------------------------------

    def work_items(
        self,
        *,
        query: str | None = None,
        project: str | None = None,
        updated_since: datetime | None = None,
        progress: ProgressCallback | None = None,
    ) -> Iterator[WorkItem]:
        """Yield the issues a JQL query finds, each with its complete status history.

        Parameters
        ----------
        query : str, optional
            JQL, e.g. ``'project = APP AND status != Done'``. Its ``ORDER BY`` is
            kept unless `updated_since` is given.
        project : str, optional
            A project key, ANDed with `query`. Default: the ``project`` setting,
            when `query` is not given either.
        updated_since : datetime, optional
            Only issues updated at or after this aware moment; the search then
            runs in ``ORDER BY updated ASC, key ASC`` order.
        progress : callable, optional
            Receives a `Progress` after each page (stage ``"issues"``).

        Yields
        ------
        WorkItem
            In search order. An issue edited while the iteration runs can come
            twice, the newer version last.

        Raises
        ------
        InvalidInputError
            If the query has no restriction (Jira rejects unbounded searches) or
            `updated_since` is naive.
        ResponseFormatError
            If a page is not JSON or not in Jira's shape: never a silently
            partial result. The message names the request and every bad issue.
        APIError
            As mapped by the HTTP core; `AuthenticationError` names the
            credential, never its value.

        Examples
        --------
        >>> import productops as po
        >>> from productops.testing import FakeJira
        >>> fake = FakeJira(po.datasets.load_demo())
        >>> email, token = fake.credentials
        >>> jira = JiraAdapter(base_url=fake.base_url, email=email, token=token,
        ...                    transport=fake.transport())
        >>> [item.key for item in jira.work_items(query="key in (APP-2, APP-1)")]
        ['APP-1', 'APP-2']
        """
        where, order = self._restriction(query, project)
        since = (
            None if updated_since is None else _aware(updated_since, "updated_since")
        )
        if since is not None:
            bound = self._jql_time(_floor_minute(since))
            where, order = _and(where, f"updated >= {bound}"), SEARCH_ORDER
        seen: set[tuple[str, datetime | None]] = set()
        done = 0
        for batch in self._stream(where, order=order or SEARCH_ORDER):
            for item in batch.items:
                if (item.key, item.updated) in seen:
                    continue
                seen.add((item.key, item.updated))
                if since is None or (item.updated or item.created) >= since:
                    yield item
            done += len(batch.items)
            self._report(progress, done, batch.total)

    def sync(
        self,
        query: str | None = None,
        *,
        project: str | None = None,
        cursor: JiraCursor | None = None,
        checkpoint: Checkpoint | None = None,
        progress: ProgressCallback | None = None,
    ) -> JiraSync:
        """Fetch what changed since `cursor`; return the items and the new cursor.

        Without a cursor, everything the query finds is fetched. Pass the
        returned cursor next time to fetch only what changed since. The search
        runs in ``ORDER BY updated ASC, key ASC`` order (a query's own ``ORDER
        BY`` is ignored), and after every page `checkpoint` receives that page's
        new items and the cursor: store both (items first), and a sync killed
        half-way resumes from the stored cursor with nothing lost and nothing
        delivered twice. `JiraCursor` explains the semantics.

        Python's cyclic garbage collector is paused while the sync runs
        (`checkpoint` and `progress` calls included): the sync keeps every
        record it builds, so full collections would only cost time. Its
        previous state is restored at the end.

        Parameters
        ----------
        query : str, optional
            JQL restriction; see `work_items`.
        project : str, optional
            A project key, ANDed with `query`.
        cursor : JiraCursor, optional
            From an earlier sync of the same query.
        checkpoint : callable, optional
            ``checkpoint(items, cursor)``, after each page.
        progress : callable, optional
            Receives a `Progress` after each page.

        Returns
        -------
        JiraSync
            The issues this call fetched (each once, at its latest version) and
            the cursor to save.

        Raises
        ------
        InvalidInputError
            If `cursor` belongs to another query, or the query is unbounded.
        ResponseFormatError, APIError
            As in `work_items`; the last cursor handed to `checkpoint` stays
            valid.

        Examples
        --------
        >>> import productops as po
        >>> from productops.testing import FakeJira
        >>> fake = FakeJira(po.datasets.load_demo())
        >>> email, token = fake.credentials
        >>> jira = JiraAdapter(base_url=fake.base_url, email=email, token=token,
        ...                    transport=fake.transport())
        >>> first = jira.sync(project="APP")
        >>> again = jira.sync(project="APP", cursor=first.cursor)
        >>> len(first.items), len(again.items), again.cursor.finished
        (410, 0, True)
        """
        with gc_paused():
            return self._sync(
                query,
                project=project,
                cursor=cursor,
                checkpoint=checkpoint,
                progress=progress,
            )

    def _sync(
        self,
        query: str | None,
        *,
        project: str | None,
        cursor: JiraCursor | None,
        checkpoint: Checkpoint | None,
        progress: ProgressCallback | None,
    ) -> JiraSync:
        # Pausing the cyclic collector (see `sync`) matters: the sync builds
        # thousands of records and keeps them all, so full collections find
        # no garbage and only cost time.
        where, _ = self._restriction(query, project)
        if cursor is not None and cursor.query != where:
            msg = (
                f"{_NAME}: the cursor belongs to the query {cursor.query!r}, not "
                f"{where!r}; start without a cursor to sync another query"
            )
            raise InvalidInputError(msg)
        state = cursor or JiraCursor(query=where)
        overlap = timedelta(seconds=self.settings.overlap)
        started = self.requests
        delivered: dict[str, WorkItem] = {}
        seen = set(state.seen)
        high = state.high_water
        resume = None if state.pending is None else PageRequest.from_dict(state.pending)
        done = 0
        while True:
            search = where
            if high is not None and resume is None:
                bound = self._jql_time(_floor_minute(high - overlap))
                search = _and(where, f"updated >= {bound}")
            try:
                for batch in self._stream(search, resume=resume):
                    fresh = []
                    for item in batch.items:
                        updated = item.updated or item.created
                        if (item.key, updated) in seen:
                            continue
                        seen.add((item.key, updated))
                        fresh.append(item)
                        delivered[item.key] = item
                        high = updated if high is None else max(high, updated)
                    if high is not None:
                        window = _floor_minute(high - overlap)
                        seen = {pair for pair in seen if pair[1] >= window}
                    state = JiraCursor(
                        query=where,
                        high_water=high,
                        seen=tuple(sorted(seen, key=lambda pair: (pair[1], pair[0]))),
                        pending=None if batch.next is None else batch.next.to_dict(),
                    )
                    if checkpoint is not None:
                        checkpoint(tuple(fresh), state)
                    done += len(batch.items)
                    self._report(progress, done, batch.total)
            except APIError as exc:
                if resume is None or exc.status_code != 400:
                    raise
                logger.info(
                    "%s: the saved page request was refused (%s); syncing again "
                    "from the high-water mark",
                    _NAME,
                    exc,
                )
            if resume is not None:  # the interrupted search is done: catch up
                resume = None
                continue
            return JiraSync(tuple(delivered.values()), state, self.requests - started)

    def item(self, key: str) -> WorkItem:
        """Return one issue with its complete status history.

        Raises
        ------
        NotFoundError
            If there is no such issue, or it is invisible to these credentials.

        Examples
        --------
        >>> import productops as po
        >>> from productops.testing import FakeJira
        >>> fake = FakeJira(po.datasets.load_demo())
        >>> email, token = fake.credentials
        >>> jira = JiraAdapter(base_url=fake.base_url, email=email, token=token,
        ...                    transport=fake.transport())
        >>> jira.item("APP-1").key
        'APP-1'
        """
        fields = self._field_map()
        params: dict[str, Any] = {"fields": ",".join(fields.request)}
        if not self._cloud:
            params["expand"] = "changelog"
        request = PageRequest("GET", f"{self._api}/issue/{_segment(key)}", params)
        body = self._http.json("GET", request.url, params=params)
        issues = self._parse_issues([body], request)
        return self._complete(issues, request)[0]

    # -- releases, dependencies, process -----------------------------------------

    def releases(self, *, project: str | None = None) -> Iterator[Release]:
        """Yield the project's versions as releases.

        A version becomes ``Release(key=name, name=name, description=...)``:
        released, with ``released_at`` at 00:00 UTC of its release date (or
        start date); released without any date, ``in_progress``; archived and
        not released, ``cancelled``; otherwise ``planned``. ``target_date`` is
        the release date. Work items name their releases the same way (fix
        version names).

        Examples
        --------
        >>> import productops as po
        >>> from productops.testing import FakeJira
        >>> fake = FakeJira(po.datasets.load_demo())
        >>> email, token = fake.credentials
        >>> jira = JiraAdapter(base_url=fake.base_url, email=email, token=token,
        ...                    transport=fake.transport())
        >>> [(r.key, r.status.value) for r in jira.releases(project="APP")]
        [('2026.1', 'released'), ('2026.2', 'planned'), ('2026.3', 'planned')]
        """
        key = self._project(project)
        first = PageRequest(
            "GET",
            f"{self._api}/project/{_segment(key)}/version",
            {"startAt": 0, "maxResults": _VERSION_PAGE},
        )
        for page in paginate(self._http, Offset(("values",), adapter=_NAME), first):
            versions = _validate(
                jm.VERSIONS,
                page.items,
                self._describe(page.request),
                what="version",
                name_key="name",
            )
            yield from (_release(version) for version in versions)

    def dependencies(
        self, *, query: str | None = None, project: str | None = None
    ) -> Iterator[Dependency]:
        """Yield the "blocks" links of the issues a query finds, once each.

        An issue link of type ``Blocks`` becomes ``Dependency(upstream=blocker,
        downstream=blocked)``: ``resolved`` when the blocker's status is in the
        ``done`` category, ``open`` otherwise.

        Examples
        --------
        >>> import productops as po
        >>> from productops.testing import FakeJira
        >>> fake = FakeJira(po.datasets.load_demo())
        >>> email, token = fake.credentials
        >>> jira = JiraAdapter(base_url=fake.base_url, email=email, token=token,
        ...                    transport=fake.transport())
        >>> deps = list(jira.dependencies(project="APP"))
        >>> len(deps), deps[0].kind.value
        (24, 'finish_to_start')
        """
        where, order = self._restriction(query, project)
        paginator, first = self._search(
            f"{where} {order or 'ORDER BY key ASC'}", ["status", "issuelinks"]
        )
        found: set[tuple[str, str]] = set()
        for page in self._pages(paginator, first):
            issues = _validate(
                jm.ISSUE_LINKS,
                page.items,
                self._describe(page.request),
                what="issue",
                name_key="key",
            )
            for issue in issues:
                fields = issue["fields"]
                for link in fields.get("issuelinks") or ():
                    dependency = _dependency(issue["key"], fields.get("status"), link)
                    if dependency is None:
                        continue
                    pair = (dependency.upstream, dependency.downstream)
                    if pair not in found:
                        found.add(pair)
                        yield dependency

    def process(
        self,
        *,
        project: str | None = None,
        categories: Mapping[str, StateCategory | str] | None = None,
        items: Iterable[WorkItem] | None = None,
    ) -> Process:
        """Return the project's workflow as a `Process`.

        States are the project's statuses (``GET /project/{key}/statuses``),
        with categories from `status_category` (`categories` overrides them by
        status name), in the order Jira lists them, sorted stably by category:
        backlog first, done last (queue and active keep Jira's order).
        Transitions are the moves observed in status histories: those of
        `items` when given, otherwise those of every issue of the project (a
        full read: pass the items of a recent sync to avoid it). Start states
        are the statuses issues were created in; a status no observed move
        reaches is a start state too, so that the process is valid.

        Raises
        ------
        AdapterError
            If no status is in the ``done`` category (pass `categories`).

        Examples
        --------
        >>> import productops as po
        >>> from productops.testing import FakeJira
        >>> demo = po.datasets.load_demo()
        >>> fake = FakeJira(demo)
        >>> email, token = fake.credentials
        >>> jira = JiraAdapter(base_url=fake.base_url, email=email, token=token,
        ...                    transport=fake.transport())
        >>> process = jira.process(project="APP", items=demo.work_items)
        >>> process.state_names == demo.process.state_names
        True
        >>> process.category_of("Ready for QA")
        <StateCategory.QUEUE: 'queue'>
        """
        key = self._project(project)
        request = PageRequest("GET", f"{self._api}/project/{_segment(key)}/statuses")
        types = _validate(
            jm.ISSUE_TYPES,
            self._http.json("GET", request.url),
            self._describe(request),
            what="issue type",
            name_key="name",
        )
        states: dict[str, State] = {}
        for issue_type in types:
            for status in issue_type["statuses"]:
                if status["name"] in states:
                    continue
                category = status.get("statusCategory") or {}
                value, guessed = status_category(
                    status["name"],
                    category.get("key"),
                    color=category.get("colorName"),
                    overrides=categories,
                )
                states[status["name"]] = State(
                    name=status["name"], category=value, category_guessed=guessed
                )
        if not any(s.category is StateCategory.DONE for s in states.values()):
            msg = (
                f"{_NAME}: project {key} has no status in the 'done' category "
                f"(statuses: {list(states)}); pass categories={{name: 'done'}}"
            )
            raise AdapterError(msg, adapter=_NAME)
        observed = items if items is not None else self.work_items(project=key)
        moves: dict[tuple[str, str], None] = {}
        starts: set[str] = set()
        for item in observed:
            first = item.timeline()[0][0]
            if first in states:
                starts.add(first)
            for change in item.history:
                source, target = change.from_status, change.to_status
                if source in states and target in states and source != target:
                    moves[(source, target)] = None
        order = sorted(states, key=lambda name: _RANK[states[name].category])
        starts = {name for name in order if name in starts} or {order[0]}
        reached = set(starts)
        frontier = list(reached)
        while frontier:
            current = frontier.pop()
            for source, target in moves:
                if source == current and target not in reached:
                    reached.add(target)
                    frontier.append(target)
        start_states = [n for n in order if n in starts or n not in reached]
        return Process(
            name=key,
            states=tuple(states[name] for name in order),
            transitions=tuple(Transition(source=a, target=b) for a, b in moves),
            start_states=tuple(start_states) if moves else (),
        )

    # -- writes ------------------------------------------------------------------

    def create_item(
        self, *, project: str, title: str, type: str = "story", **fields: object
    ) -> WorkItem:
        """Create an issue and return it as Jira now holds it.

        Parameters
        ----------
        project : str
            The project key.
        title : str
            The summary.
        type : str, default "story"
            The issue type's name as the site spells it (``"Story"``, ``"Bug"``).
        **fields
            ``description`` (plain text; sent as ADF on Cloud), ``labels``,
            ``priority`` (name), ``assignee`` (account id on Cloud, user name on
            Data Center), ``parent`` (key), ``estimate`` (story points),
            ``releases`` (version names), ``team`` (team id), ``custom_fields``
            (field name or id → value), or any field id or name the site has.

        Raises
        ------
        InvalidInputError
            If a field is unknown; the message lists the accepted names.
        APIError
            If Jira refuses the issue (a 400 lists Jira's field errors). A create
            is retried after a 429 (nothing was created), never after a 5xx (it
            may have been).

        Examples
        --------
        >>> import productops as po
        >>> from productops.testing import FakeJira
        >>> fake = FakeJira(po.datasets.load_demo())
        >>> email, token = fake.credentials
        >>> jira = JiraAdapter(base_url=fake.base_url, email=email, token=token,
        ...                    transport=fake.transport())
        >>> item = jira.create_item(project="APP", title="Export to CSV",
        ...                         type="story", labels=["csv"], estimate=3)
        >>> item.title, item.labels, item.estimate, item.status
        ('Export to CSV', ('csv',), 3.0, 'Backlog')
        """
        payload = {
            "project": {"key": project},
            "summary": title,
            "issuetype": {"name": type},
            **self._write_fields(fields),
        }
        url = f"{self._api}/issue"
        body = self._http.json("POST", url, json={"fields": payload})
        key = body.get("key") if isinstance(body, dict) else None
        if not isinstance(key, str):
            raise _format_error(
                self._describe(PageRequest("POST", url)), "the answer has no issue key"
            )
        return self.item(key)

    def transition(self, key: str, *, to_status: str) -> WorkItem:
        """Move an issue to the status `to_status`; return it as Jira now holds it.

        The transition is looked up by its target status name (ignoring case),
        then by the transition's own name. Moving an issue to the status it is
        in already changes nothing.

        Raises
        ------
        AdapterError
            If no transition available to the issue leads to `to_status`; the
            message lists where it can move.

        Examples
        --------
        >>> import productops as po
        >>> from productops.testing import FakeJira
        >>> fake = FakeJira(po.datasets.load_demo())
        >>> email, token = fake.credentials
        >>> jira = JiraAdapter(base_url=fake.base_url, email=email, token=token,
        ...                    transport=fake.transport())
        >>> jira.item("APP-6").status
        'Backlog'
        >>> jira.transition("APP-6", to_status="ready").status
        'Ready'
        """
        url = f"{self._api}/issue/{_segment(key)}/transitions"
        request = PageRequest("GET", url)
        body = self._http.json("GET", url)
        raw = body.get("transitions") if isinstance(body, dict) else None
        if not isinstance(raw, list):
            what = self._describe(request)
            raise _format_error(what, "there is no list at 'transitions'")
        options = _validate(
            jm.TRANSITIONS,
            raw,
            self._describe(request),
            what="transition",
            name_key="name",
        )
        wanted = to_status.casefold()
        chosen = next(
            (t for t in options if t["to"]["name"].casefold() == wanted), None
        ) or next((t for t in options if t.get("name", "").casefold() == wanted), None)
        if chosen is None:
            current = self.item(key)
            if current.status.casefold() == wanted:
                return current
            available = ", ".join(
                f"{t['to']['name']!r} (via {t.get('name', t['id'])!r})" for t in options
            )
            msg = (
                f"{_NAME}: {key} cannot move to {to_status!r} from "
                f"{current.status!r}; it can move to: {available or 'nothing'}"
            )
            raise AdapterError(msg, adapter=_NAME)
        self._http.request("POST", url, json={"transition": {"id": chosen["id"]}})
        return self.item(key)

    def comment(self, key: str, text: str) -> None:
        """Add a comment to an issue (plain text; sent as ADF on Cloud).

        Raises
        ------
        InvalidInputError
            If `text` is blank.

        Examples
        --------
        >>> import productops as po
        >>> from productops.testing import FakeJira
        >>> fake = FakeJira(po.datasets.load_demo())
        >>> email, token = fake.credentials
        >>> jira = JiraAdapter(base_url=fake.base_url, email=email, token=token,
        ...                    transport=fake.transport())
        >>> jira.comment("APP-1", "Shipped in 2026.1.")
        >>> fake.requests[-1].json["body"]["content"][0]["content"][0]["text"]
        'Shipped in 2026.1.'
        """
        if not text.strip():
            msg = f"{_NAME}: a comment on {key} needs some text"
            raise InvalidInputError(msg)
        body: object = adf(text) if self._cloud else text
        self._http.request(
            "POST", f"{self._api}/issue/{_segment(key)}/comment", json={"body": body}
        )

    # -- internals: search and pages ---------------------------------------------

    def _restriction(self, query: str | None, project: str | None) -> tuple[str, str]:
        where, order = _split_order(query or "")
        project = project or (self.settings.project if query is None else None)
        parts = []
        if project:
            parts.append(f"project = {_quote(project)}")
        if where:
            parts.append(f"({where})" if parts and _has_or(where) else where)
        restriction = " AND ".join(parts)
        if not restriction:
            msg = (
                f"{_NAME}: the search has no restriction, and Jira rejects unbounded "
                "queries; pass project=..., a JQL query=..., or set the project "
                "setting"
            )
            raise InvalidInputError(msg)
        return restriction, order

    def _describe(self, request: PageRequest) -> str:
        """Name a request ``METHOD absolute-url``, as the HTTP core does in errors."""
        url = request.url
        if not url.startswith(("http://", "https://")):
            url = f"{self._http.base_url}{url}"
        return f"{request.method} {url}"

    def _project(self, project: str | None) -> str:
        key = project or self.settings.project
        if not key:
            msg = f"{_NAME}: pass project=... or set the project setting"
            raise InvalidInputError(msg)
        return key

    def _search(
        self, jql: str, fields: Sequence[str], *, changelog: bool = False
    ) -> tuple[Paginator, PageRequest]:
        size = self.settings.page_size
        if self._cloud:
            body = {"jql": jql, "fields": list(fields), "maxResults": size}
            paging = BodyToken(
                ("issues",),
                ("nextPageToken",),
                "nextPageToken",
                in_body=True,
                adapter=_NAME,
            )
            return paging, PageRequest("POST", f"{self._api}/search/jql", {}, body)
        params: dict[str, Any] = {
            "jql": jql,
            "fields": ",".join(fields),
            "startAt": 0,
            "maxResults": size,
        }
        if changelog:
            params["expand"] = "changelog"
        return Offset(("issues",), adapter=_NAME), PageRequest(
            "GET", f"{self._api}/search", params
        )

    def _pages(
        self,
        paginator: Paginator,
        first: PageRequest,
        *,
        resume: PageRequest | None = None,
    ) -> Iterator[Page]:
        _check_resume(resume, first)
        try:
            yield from paginate(self._http, paginator, first, resume=resume)
        except APIError as exc:
            if exc.status_code != 410:
                raise
            msg = (
                f"{exc}. Jira Cloud removed this search endpoint (410 Gone, "
                "CHANGE-2046); with mode='cloud' the adapter uses "
                "/rest/api/3/search/jql instead, so set mode='cloud' for an "
                "Atlassian Cloud site"
            )
            raise APIError(
                msg,
                adapter=_NAME,
                status_code=410,
                request_id=exc.request_id,
                body=exc.body,
            ) from exc

    def _stream(
        self,
        where: str,
        *,
        order: str = SEARCH_ORDER,
        resume: PageRequest | None = None,
    ) -> Iterator[_Batch]:
        """Search `where`; complete each page's histories; pages come out in order.

        Data Center: one page after the other. Cloud: each page's bulk
        changelogs and mapping run on a thread pool while the search goes on,
        and a search in `SEARCH_ORDER` that has more than one page is split
        into time slices searched side by side (`_sliced`).
        """
        fields = self._field_map()
        paginator, first = self._search(
            f"{where} {order}", fields.request, changelog=not self._cloud
        )
        if not self._cloud:
            for page in self._pages(paginator, first, resume=resume):
                issues = self._parse_issues(page.items, page.request)
                items = self._complete(issues, page.request)
                yield _Batch(items, page.request, page.next)
            return
        pool = ThreadPoolExecutor(
            max_workers=self.settings.concurrency, thread_name_prefix="jira"
        )
        try:
            if resume is not None or order != SEARCH_ORDER:
                yield from self._chain(pool, paginator, first, resume)
            else:
                yield from self._sliced(pool, paginator, where, first)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _chain(
        self,
        pool: ThreadPoolExecutor,
        paginator: Paginator,
        first: PageRequest,
        resume: PageRequest | None,
    ) -> Iterator[_Batch]:
        """One search, page after page; changelogs of `concurrency` pages at once."""
        window: deque[tuple[Page, Future[list[WorkItem]]]] = deque()
        limit = self.settings.concurrency
        for page in self._walk(paginator, first, resume=resume):
            window.append((page, pool.submit(self._complete_page, page)))
            while window and (window[0][1].done() or len(window) > limit):
                ready, future = window.popleft()
                yield _Batch(future.result(), ready.request, ready.next)
        while window:
            ready, future = window.popleft()
            yield _Batch(future.result(), ready.request, ready.next)

    def _walk(
        self,
        paginator: Paginator,
        first: PageRequest,
        *,
        resume: PageRequest | None = None,
        shape: _Shape = _SEARCH,
    ) -> Iterator[Page]:
        """Fetch a chain of pages, like `paginate`, parsing and validating at once."""
        _check_resume(resume, first)
        guard: set[str] = set()
        request: PageRequest | None = resume or first
        while request is not None:
            page = self._fetch(paginator, request, guard, shape)
            yield page
            request = page.next

    def _sliced(
        self,
        pool: ThreadPoolExecutor,
        paginator: Paginator,
        where: str,
        first: PageRequest,
    ) -> Iterator[_Batch]:
        """Search in time slices side by side; deliver in ``updated`` order.

        The first page comes from the whole search. When there are more, the
        rest of the ``updated`` range (from the minute of the first page's last
        issue to the newest issue) is cut into slices, ``updated >= A AND
        updated < B``, the last one open-ended, so that issues edited during
        the sync are still found. At most `concurrency` slices are searched at
        once; their pages are delivered slice after slice, each in order, so
        delivery stays in ``updated`` order and the cursor's high-water mark
        stays safe. Issues of the first page found again are dropped by the
        callers' ``(key, updated)`` check.
        """
        page = self._fetch(paginator, first, set())
        head = pool.submit(self._complete_page, page)
        plan, remaining = ([], None) if page.next is None else self._plan(where, page)
        total = None if remaining is None else len(page.items) + remaining
        if not plan:
            yield _Batch(head.result(), page.request, page.next)
            if page.next is not None:
                yield from self._chain(pool, paginator, first, page.next)
            return
        slices = [
            PageRequest(
                first.method,
                first.url,
                dict(first.params),
                {**(first.json or {}), "jql": f"{jql} {SEARCH_ORDER}"},
            )
            for jql in plan
        ]
        yield _Batch(head.result(), page.request, slices[0], total)

        def fetch(request: PageRequest, guard: set[str]) -> _Fetched:
            page = self._fetch(paginator, request, guard)
            done = pool.submit(self._complete_page, page)
            later = None if page.next is None else pool.submit(fetch, page.next, guard)
            return page.request, page.next, done, later  # not the page: let it go

        started: list[Future[_Fetched] | None] = []
        limit = self.settings.concurrency
        for index in range(len(slices)):
            while len(started) < min(index + limit, len(slices)):
                started.append(pool.submit(fetch, slices[len(started)], set()))
            following = slices[index + 1] if index + 1 < len(slices) else None
            future, started[index] = started[index], None  # delivered pages go
            while future is not None:
                request, after, done, future = future.result()
                yield _Batch(done.result(), request, after or following, total)

    def _plan(self, where: str, page: Page) -> tuple[list[str], int | None]:
        """Cut the rest of a search into time slices; ``[]`` if not worth it.

        Returns the slices' JQL and Jira's approximate count of the issues left.
        """
        issues = self._read(page)["issues"] if page.items else []
        updated = issues[-1]["fields"].get("updated") if issues else None
        newest = PageRequest(
            "POST",
            f"{self._api}/search/jql",
            {},
            {
                "jql": f"{where} ORDER BY updated DESC, key DESC",
                "fields": ["updated"],
                "maxResults": 1,
            },
        )
        try:
            start = _floor_minute(jm.jira_time(updated))
            bound = self._jql_time(start)
            count = PageRequest(
                "POST",
                f"{self._api}/search/approximate-count",
                {},
                {"jql": _and(where, f"updated >= {bound}")},
            )
            answers = self._http.gather(
                [lambda: self._json(newest), lambda: self._json(count)], concurrency=2
            )
            top = answers[0]["issues"][0]["fields"]["updated"]
            end = _floor_minute(jm.jira_time(top))
            remaining = answers[1].get("count")
        except (AdapterError, ValueError, KeyError, IndexError, TypeError) as exc:
            logger.debug("%s: not slicing the search (%s)", _NAME, exc)
            return [], None
        minutes = int((end - start) / timedelta(minutes=1)) + 1
        wanted = 4 * self.settings.concurrency
        if isinstance(remaining, int):
            per_slice = 8 * self.settings.page_size
            wanted = max(self.settings.concurrency, -(-remaining // per_slice))
        count_of_slices = min(wanted, minutes, _MAX_SLICES)
        total = remaining if isinstance(remaining, int) else None
        if count_of_slices < 2:
            return [], total
        cuts = sorted(
            {
                start + timedelta(minutes=(i * minutes) // count_of_slices)
                for i in range(count_of_slices)
            }
        )
        plan = []
        for index, lower in enumerate(cuts):
            jql = _and(where, f"updated >= {self._jql_time(lower)}")
            if index + 1 < len(cuts):
                jql += f" AND updated < {self._jql_time(cuts[index + 1])}"
            plan.append(jql)
        return plan, total

    def _fetch(
        self,
        paginator: Paginator,
        request: PageRequest,
        guard: set[str],
        shape: _Shape = _SEARCH,
    ) -> Page:
        """Fetch one page and validate it as it is parsed.

        `guard` holds the chain's earlier requests: a page pointing back to one
        of them is an error, not a loop. A page that does not validate is read
        again record by record, for a message naming every bad record.
        """
        key = json.dumps(request.to_dict(), sort_keys=True, default=str)
        if key in guard:
            msg = (
                f"{_NAME}: Jira pointed back to a page already fetched "
                f"({self._describe(request)}); stopping instead of looping"
            )
            raise ResponseFormatError(
                msg, adapter=_NAME, request=self._describe(request)
            )
        guard.add(key)
        response = self._http.request(
            request.method,
            request.url,
            params=request.params or None,
            json=request.json,
            idempotent=True,
        )
        content = response.content
        try:
            body = shape.head.validate_json(content)
        except ValidationError as exc:
            raise self._explain(request, content, shape, exc) from None
        return Page(
            body[shape.items],
            request,
            paginator.next(request, body, response),
            content if shape.lazy else body,
        )

    def _explain(
        self, request: PageRequest, content: bytes, shape: _Shape, exc: ValidationError
    ) -> ResponseFormatError:
        """Say what is wrong with a page: not JSON, no records, or which records."""
        what = self._describe(request)
        try:
            raw = json.loads(content)
        except ValueError as error:
            msg = (
                f"{_NAME}: the answer to {what} is not valid JSON ({error}); "
                "nothing from it was used"
            )
            return ResponseFormatError(msg, adapter=_NAME, request=what)
        records = raw.get(shape.items) if isinstance(raw, dict) else None
        if not isinstance(records, list):
            return _format_error(what, f"there is no list at {shape.items!r}")
        try:
            _validate(
                shape.records, records, what, what=shape.what, name_key=shape.name_key
            )
        except ResponseFormatError as detailed:
            return detailed
        return _format_error(what, *(message for _, message in _messages(exc)))

    def _read(self, page: Page, shape: _Shape = _SEARCH) -> Any:
        """Validate the whole of a page whose bytes `_fetch` kept (else: its body)."""
        if not isinstance(page.body, bytes):
            return page.body
        try:
            return shape.page.validate_json(page.body)
        except ValidationError as exc:
            raise self._explain(page.request, page.body, shape, exc) from None

    def _json(self, request: PageRequest) -> Any:
        """Send a read-only request; return its JSON body (a dict, or raise)."""
        body = self._http.json(
            request.method,
            request.url,
            params=request.params or None,
            json=request.json,
            idempotent=True,
        )
        if not isinstance(body, dict):
            raise _format_error(
                self._describe(request), "the answer is not a JSON object"
            )
        return body

    def _report(
        self, progress: ProgressCallback | None, done: int, total: int | None
    ) -> None:
        if progress is not None:
            progress(Progress(_NAME, "issues", done, total, self.requests))

    # -- internals: mapping ------------------------------------------------------

    def _parse_issues(self, raw: object, request: PageRequest) -> _Parsed:
        issues = _validate(
            jm.ISSUES, raw, self._describe(request), what="issue", name_key="key"
        )
        return [(issue, issue["fields"]) for issue in issues]

    def _complete_page(self, page: Page) -> list[WorkItem]:
        """Fetch a page's histories, then parse the page and map it at once.

        The page is parsed only now, so that its many small objects live for
        a moment rather than across the bulk request (fewer garbage
        collections in long syncs).
        """
        if not page.items:
            return []
        histories = self._bulk_histories([issue["id"] for issue in page.items])
        issues: _Parsed = [
            (issue, issue["fields"]) for issue in self._read(page)["issues"]
        ]
        return self._map(issues, histories, page.request)

    def _complete(self, issues: _Parsed, request: PageRequest) -> list[WorkItem]:
        """Attach complete status histories to parsed issues and map them."""
        if not issues:
            return []
        if self._cloud:
            histories = self._bulk_histories([issue["id"] for issue, _ in issues])
        else:
            histories = self._embedded_histories([issue for issue, _ in issues])
        return self._map(issues, histories, request)

    def _map(
        self,
        issues: _Parsed,
        histories: Mapping[str, list[jm.History]],
        request: PageRequest,
    ) -> list[WorkItem]:
        """Map issues with their histories; one error naming every bad issue."""
        fields = self._field_map()
        problems: list[str] = []
        items: list[WorkItem] = []
        for issue, raw in issues:
            try:
                items.append(
                    self._to_item(issue, raw, histories.get(issue["id"], []), fields)
                )
            except ValidationError as exc:
                problems.append(
                    f"issue {issue['key']}: "
                    + "; ".join(message for _, message in _messages(exc))
                )
            except ValueError as exc:
                problems.append(f"issue {issue['key']}: {exc}")
        if problems:
            raise _format_error(self._describe(request), *problems)
        return items

    def _bulk_histories(self, ids: list[str]) -> dict[str, list[jm.History]]:
        found: dict[str, list[jm.History]] = {}
        paging = BodyToken(
            ("issueChangeLogs",),
            ("nextPageToken",),
            "nextPageToken",
            in_body=True,
            last_path=(),
            adapter=_NAME,
        )
        for start in range(0, len(ids), _BULK_ISSUES):
            first = PageRequest(
                "POST",
                f"{self._api}/changelog/bulkfetch",
                {},
                {
                    "issueIdsOrKeys": ids[start : start + _BULK_ISSUES],
                    "fieldIds": ["status"],
                    "maxResults": _BULK_RESULTS,
                },
            )
            for page in self._walk(paging, first, shape=_BULK):
                logs: list[jm.IssueChangeLog] = page.items
                for log in logs:
                    found.setdefault(log["issueId"], []).extend(log["changeHistories"])
        return found

    def _embedded_histories(
        self, issues: list[jm.Issue]
    ) -> dict[str, list[jm.History]]:
        """Return the search's changelogs (Data Center), completed where truncated."""
        found: dict[str, list[jm.History]] = {}
        missing: list[jm.Issue] = []
        for issue in issues:
            log = issue.get("changelog")
            if log is not None and _complete_log(log):
                found[issue["id"]] = list(log["histories"])
            else:
                missing.append(issue)
        if missing:
            calls = [lambda key=issue["key"]: self._changelog(key) for issue in missing]
            tails = self._http.gather(calls, concurrency=self.settings.concurrency)
            for issue, tail in zip(missing, tails, strict=True):
                found[issue["id"]] = tail
        return found

    def _changelog(self, key: str) -> list[jm.History]:
        """Return one issue's complete changelog (Data Center, ``expand=changelog``)."""
        url = f"{self._api}/issue/{_segment(key)}"
        params = {"fields": "status,created", "expand": "changelog"}
        request = PageRequest("GET", url, params)
        body = self._http.json("GET", url, params=params)
        log = self._parse_issues([body], request)[0][0].get("changelog")
        if log is None or not _complete_log(log):
            count = 0 if log is None else len(log["histories"])
            total = "?" if log is None else log.get("total")
            raise _format_error(
                self._describe(request),
                f"issue {key}: changelog incomplete ({count} of {total})",
            )
        return list(log["histories"])

    def _to_item(
        self,
        issue: jm.Issue,
        raw: Mapping[str, object],
        histories: list[jm.History],
        fields: _Fields,
    ) -> WorkItem:
        f = issue["fields"]
        histories = sorted(histories, key=_CREATED)  # stable: ties keep Jira's order
        history = []
        for entry in histories:
            author: str | None = None
            for change in entry["items"]:
                if (change.get("fieldId") or change.get("field")) != "status":
                    continue
                target = change.get("toString") or change.get("to")
                if target:
                    if author is None:
                        author = _display(entry.get("author"))
                    history.append(
                        {
                            "at": entry["created"],
                            "from_status": change.get("fromString") or None,
                            "to_status": target,
                            "author": author,
                        }
                    )
        links = []
        for link in f.get("issuelinks") or ():
            kind = link["type"]
            outward, inward = link.get("outwardIssue"), link.get("inwardIssue")
            if outward is not None:
                text, other = kind.get("outward") or kind.get("name"), outward["key"]
            elif inward is not None:
                text, other = kind.get("inward") or kind.get("name"), inward["key"]
            else:
                continue
            links.append({"kind": text or "relates to", "target": other})
        issuetype, priority = f.get("issuetype") or {}, f.get("priority") or {}
        parent = f.get("parent") or {}
        points = (raw[i] for i in fields.story_points if raw.get(i) is not None)
        return WorkItem.model_validate(
            {
                "key": issue["key"],
                "title": f.get("summary") or "",
                "type": issuetype.get("name") or "task",
                "status": f["status"]["name"],
                "created": f["created"],
                "updated": f.get("updated"),
                "resolved": f.get("resolutiondate"),
                "assignee": _display(f.get("assignee")),
                "team": _team(next((raw[i] for i in fields.team if raw.get(i)), None)),
                "priority": priority.get("name"),
                "labels": f.get("labels") or (),
                "estimate": _number(next(points, None)),
                "parent": parent.get("key"),
                "releases": [version["name"] for version in f.get("fixVersions") or ()],
                "links": links,
                "url": f"{self._http.base_url}/browse/{issue['key']}",
                "source": _NAME,
                "custom_fields": {
                    name: raw[field_id]
                    for field_id, name in fields.custom.items()
                    if raw.get(field_id) is not None
                },
                "history": history,
            }
        )

    # -- internals: fields, time zone, writes ------------------------------------

    def _field_map(self) -> _Fields:
        with self._lock:
            if self._fields is None:
                request = PageRequest("GET", f"{self._api}/field")
                known = _validate(
                    jm.FIELDS,
                    self._http.json("GET", request.url),
                    self._describe(request),
                    what="field",
                    name_key="id",
                )
                self._fields = _fields_from(known, self.settings)
            return self._fields

    def _jql_time(self, moment: datetime) -> str:
        """Write `moment` as a JQL date: a minute of wall-clock time in Jira's zone.

        On the night clocks go back, a wall-clock minute happens twice and Jira
        may read it as the later one; the minute is then moved back an hour, so
        that a lower bound is never later than meant (re-reading is harmless,
        skipping is not). Slices share their boundary texts, so they still tile.
        """
        zone = self._time_zone()
        local = moment.astimezone(zone)
        while True:
            wall = local.replace(tzinfo=None)
            latest = max(
                wall.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1)
            )
            if latest <= moment:
                return _quote(wall.strftime("%Y-%m-%d %H:%M"))
            local = (local.astimezone(UTC) - timedelta(hours=1)).astimezone(zone)

    def _time_zone(self) -> ZoneInfo:
        with self._lock:
            if self._zone is None:
                name = self.settings.timezone
                if name is None:
                    body = self._http.json("GET", f"{self._api}/myself")
                    found = body.get("timeZone") if isinstance(body, dict) else None
                    name = found if isinstance(found, str) and found else "UTC"
                try:
                    self._zone = ZoneInfo(name)
                except (ZoneInfoNotFoundError, ValueError):
                    msg = (
                        f"{_NAME}: the time zone {name!r} is unknown; set the "
                        "timezone setting to the zone of the account's Jira "
                        "profile (e.g. 'Europe/Berlin')"
                    )
                    raise AdapterConfigError(msg, adapter=_NAME) from None
            return self._zone

    def _write_fields(self, given: Mapping[str, object]) -> dict[str, Any]:
        fields = self._field_map()
        out: dict[str, Any] = {}
        unknown: list[str] = []
        for name, value in given.items():
            if name == "description":
                out["description"] = adf(str(value)) if self._cloud else str(value)
            elif name == "labels":
                out["labels"] = _strings(value)
            elif name == "priority":
                out["priority"] = {"name": value}
            elif name == "assignee":
                out["assignee"] = {"accountId" if self._cloud else "name": value}
            elif name == "parent":
                out["parent"] = {"key": value}
            elif name == "releases":
                out["fixVersions"] = [{"name": v} for v in _strings(value)]
            elif name in ("estimate", "team"):
                ids = fields.story_points if name == "estimate" else fields.team
                if not ids:
                    setting = (
                        "story_points_field" if name == "estimate" else "team_field"
                    )
                    unknown.append(
                        f"{name} (no such field on this site; set {setting})"
                    )
                else:
                    out[ids[0]] = value
            elif name == "custom_fields" and isinstance(value, Mapping):
                for field_name, field_value in value.items():
                    field_id = fields.id_of(str(field_name))
                    if field_id is None:
                        unknown.append(f"custom_fields[{field_name!r}]")
                    else:
                        out[field_id] = field_value
            elif (field_id := fields.id_of(name)) is not None:
                out[field_id] = value
            else:
                unknown.append(name)
        if unknown:
            msg = (
                f"{_NAME}: unknown fields {unknown}; use description, labels, "
                "priority, assignee, parent, estimate, releases, team, "
                "custom_fields, or a field id or name this site has"
            )
            raise InvalidInputError(msg)
        return out


def _check_resume(resume: PageRequest | None, first: PageRequest) -> None:
    if resume is not None and (
        resume.method != first.method or resume.url != first.url
    ):
        msg = (
            f"{_NAME}: the cursor's pending request ({resume.describe()}) is not "
            f"this adapter's search ({first.describe()}); was it saved in another "
            "mode?"
        )
        raise InvalidInputError(msg)


def _complete_log(log: jm.Changelog) -> bool:
    total = log.get("total")
    return log.get("startAt", 0) == 0 and (
        total is None or total <= len(log["histories"])
    )
