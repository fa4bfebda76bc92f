"""GitHub: issues and pull requests with status history, releases and deployments.

`GitHubAdapter` reads GitHub's REST API (``api.github.com`` or a GitHub
Enterprise Server at ``https://{host}/api/v3``) and turns it into productops
records:

- **issues and pull requests** → `WorkItem`, with a status history rebuilt from
  each issue's timeline (``GET /repos/{owner}/{repo}/issues/{number}/timeline``):
  state changes (``closed``, ``reopened``), status-label changes (``labeled``,
  ``unlabeled``) and project-column moves (``added_to_project``,
  ``moved_columns_in_project``, ``removed_from_project``);
- **releases** → `Release`; **deployments and their statuses** → `Deployment`;
- **blocked-by relations** → `Dependency`.

Writes (`GitHubAdapter.create_item`, `GitHubAdapter.transition`,
`GitHubAdapter.comment`) go through the same mapping. `verify_webhook` checks the
``X-Hub-Signature-256`` header of webhook deliveries.

Mapping rules (`GitHubMapping`)
-------------------------------
GitHub has no workflow statuses, only ``open`` and ``closed``. The status of an
item is therefore read, in this order, from:

1. its **status label** (with ``status_source="labels"``, the default): a label
   named in ``status_labels`` (``{"in-progress": "In Progress"}``), or any label
   starting with ``status_label_prefix`` (``"status: In Review"`` →
   ``"In Review"``); when several are present, the one added last wins;
2. its **project column** (with ``status_source="project_columns"``): the
   column of its classic project card, renamed through ``column_statuses``;
3. its **state**: closed as not planned → ``not_planned_status`` (if set), other
   closed → ``closed_status`` (``"Done"``), open → ``open_status`` (``"Open"``).

Labels starting with ``type_label_prefix``, ``priority_label_prefix``,
``team_label_prefix`` and ``estimate_label_prefix`` fill `WorkItem.type`,
``priority``, ``team`` and ``estimate``; the remaining labels are
`WorkItem.labels`. The milestone is `WorkItem.releases`. Events in the same
second are applied together (an ``unlabeled`` + ``labeled`` pair is one move),
and events at the creation instant set the initial status without a change.

The default process (`GitHubAdapter.process`) is ``Open`` (backlog), then the
statuses named in ``categories`` in their order, then every other status label
found in the repository (active, ``category_guessed``), then ``Done`` (and
``not_planned_status``), done; any move is allowed.

Sync
----
`GitHubAdapter.work_items` lists issues sorted by ``updated`` ascending, with
``since`` for incremental reads. `GitHubAdapter.sync` adds a resumable,
JSON-serialisable `GitHubCursor`, saved after every page: a high-water mark
re-read with an overlap window, de-duplicated by issue number and
``updated_at``, and the ETags of the pages read. Every GET is conditional
(``If-None-Match``); a ``304 Not Modified`` reuses the body already held and
does not count against GitHub's primary rate limit.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import string
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, ClassVar, Final, Literal, Self, TypeVar
from urllib.parse import urlencode, urlsplit

import httpx
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from .._version import __version__
from ..errors import (
    AdapterConfigError,
    AdapterError,
    InvalidInputError,
    ResponseFormatError,
)
from ..model import (
    Dependency,
    DependencyStatus,
    Deployment,
    DeploymentStatus,
    Process,
    Release,
    ReleaseStatus,
    State,
    StateCategory,
    StatusChange,
    Timestamp,
    WorkItem,
)
from ._config import AdapterSettings
from ._http import GitHubRules, HttpAdapter, HttpCore, RetryPolicy
from ._paging import LinkHeader, PageRequest
from ._protocols import Progress, ProgressCallback

__all__ = [
    "API_VERSION",
    "GitHubAdapter",
    "GitHubCursor",
    "GitHubMapping",
    "GitHubSettings",
    "PageETag",
    "RateLimitStatus",
    "RepositoryCursor",
    "SyncPage",
    "verify_webhook",
]

API_VERSION: Final = "2022-11-28"
"""The REST API version sent in ``X-GitHub-Api-Version`` unless configured."""

_NAME: Final = "github"
_ACCEPT: Final = "application/vnd.github+json"
_REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_MAX_CURSOR_ETAGS: Final = 1000
# Documented filters of "List repository issues" (issues/list-for-repo) that a
# `query` may set; the adapter sets state, sort, direction, since and per_page.
_ISSUE_FILTERS: Final = frozenset(
    {"milestone", "state", "assignee", "type", "creator", "mentioned", "labels"}
)
_FINISHED: Final = frozenset({"success", "failure", "error"})


# -- mapping rules ---------------------------------------------------------------


def _format_fields(template: str) -> set[str]:
    return {
        name for _, name, _, _ in string.Formatter().parse(template) if name is not None
    }


class GitHubMapping(BaseModel):
    """How GitHub issues, labels, columns and releases map onto productops records.

    See the module documentation for the rules. The defaults read
    ``status: <name>``, ``type: <name>``, ``priority: <name>``, ``team: <name>``
    and ``estimate: <number>`` labels. `FakeGitHub` takes the same mapping, so a
    fake and an adapter built with it agree.

    Examples
    --------
    >>> mapping = GitHubMapping(status_labels={"wip": "In Progress"})
    >>> mapping.label_status("wip"), mapping.label_status("status: In Review")
    ('In Progress', 'In Review')
    >>> mapping.status_label("In Progress"), mapping.status_label("Done")
    ('wip', None)
    >>> mapping.key("octo-org", "octo-repo", 12)
    'octo-repo#12'
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", use_attribute_docstrings=True
    )

    key_format: str = "{repo}#{number}"
    """Work item keys; placeholders ``{owner}``, ``{repo}``, ``{number}``."""
    release_key_format: str = "{tag}"
    """Release keys; placeholders ``{owner}``, ``{repo}``, ``{tag}``."""
    deployment_key_format: str = "{repo}/deployments/{id}"
    """Deployment keys; placeholders ``{owner}``, ``{repo}``, ``{id}``."""
    status_source: Literal["labels", "project_columns"] = "labels"
    """Where a status comes from besides the open/closed state."""
    status_label_prefix: str | None = "status: "
    """Labels starting with this name a status (``None``: only `status_labels`)."""
    status_labels: dict[str, str] = Field(default_factory=dict)
    """Label name → status, for labels without the prefix; wins over the prefix."""
    column_statuses: dict[str, str] = Field(default_factory=dict)
    """Project column name → status; unlisted columns keep their name."""
    open_status: str = "Open"
    """The status of an open item without a status label or column."""
    closed_status: str = "Done"
    """The status of a closed item without a status label or column."""
    not_planned_status: str | None = None
    """The status of an item closed as not planned (``None``: `closed_status`)."""
    categories: dict[str, StateCategory] = Field(default_factory=dict)
    """Status → category for `GitHubAdapter.process`, in process order. Statuses
    in a ``done`` category close the issue when an item moves there."""
    type_label_prefix: str | None = "type: "
    """Labels starting with this give `WorkItem.type`."""
    default_type: str = "issue"
    """The type of an issue without a type label."""
    pull_request_type: str = "pull request"
    """The type of a pull request without a type label."""
    priority_label_prefix: str | None = "priority: "
    """Labels starting with this give `WorkItem.priority`."""
    team_label_prefix: str | None = "team: "
    """Labels starting with this give `WorkItem.team`."""
    estimate_label_prefix: str | None = "estimate: "
    """Labels starting with this and ending in a number give `WorkItem.estimate`."""

    @model_validator(mode="after")
    def _check(self) -> Self:
        problems: list[str] = []
        formats = {
            "key_format": ({"owner", "repo", "number"}, "number"),
            "release_key_format": ({"owner", "repo", "tag"}, "tag"),
            "deployment_key_format": ({"owner", "repo", "id"}, "id"),
        }
        for name, (allowed, required) in formats.items():
            template = getattr(self, name)
            try:
                fields = _format_fields(template)
            except ValueError as exc:
                problems.append(f"{name}: {exc}")
                continue
            unknown = sorted(fields - allowed)
            if unknown:
                problems.append(
                    f"{name}: unknown placeholders {unknown}; use {sorted(allowed)}"
                )
            if required not in fields:
                problems.append(f"{name}: must contain {{{required}}}")
        prefixes = (
            "status_label_prefix",
            "type_label_prefix",
            "priority_label_prefix",
            "team_label_prefix",
            "estimate_label_prefix",
        )
        problems += [
            f"{name}: must not be empty (use None to switch off)"
            for name in prefixes
            if getattr(self, name) == ""
        ]
        terminal = [self.open_status, self.closed_status, self.not_planned_status]
        named = [status for status in terminal if status is not None]
        if any(not status.strip() for status in named):
            problems.append("open_status, closed_status: must not be empty")
        if len(set(named)) != len(named):
            problems.append(
                "open_status, closed_status, not_planned_status: must differ"
            )
        for status in (self.closed_status, self.not_planned_status):
            category = self.categories.get(status or "")
            if category is not None and category is not StateCategory.DONE:
                problems.append(f"categories.{status}: a closed status must be 'done'")
        if self.categories.get(self.open_status) is StateCategory.DONE:
            problems.append(f"categories.{self.open_status}: the open status is done")
        blank = [label for label, status in self.status_labels.items() if not status]
        if blank:
            problems.append(f"status_labels: empty statuses for {blank}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    # -- keys ------------------------------------------------------------------

    def key(self, owner: str, repo: str, number: int) -> str:
        """Return the work item key of issue `number` in ``owner/repo``.

        Examples
        --------
        >>> GitHubMapping(key_format="APP-{number}").key("o", "r", 7)
        'APP-7'
        """
        return self.key_format.format(owner=owner, repo=repo, number=number)

    def parse_key(self, key: str) -> tuple[str | None, str | None, int]:
        """Return ``(owner, repo, number)`` from a key; unknown parts are ``None``.

        Raises
        ------
        InvalidInputError
            If `key` does not follow `key_format`.

        Examples
        --------
        >>> GitHubMapping().parse_key("octo-repo#12")
        (None, 'octo-repo', 12)
        """
        match = _format_regex(self.key_format, number=r"[0-9]+").fullmatch(key)
        if match is None:
            msg = f"github: key {key!r} does not follow key_format {self.key_format!r}"
            raise InvalidInputError(msg)
        parts = match.groupdict()
        return parts.get("owner"), parts.get("repo"), int(parts["number"])

    # -- statuses --------------------------------------------------------------

    def label_status(self, label: str) -> str | None:
        """Return the status a label names, or ``None`` for other labels."""
        if label in self.status_labels:
            return self.status_labels[label]
        prefix = self.status_label_prefix
        if prefix and label.startswith(prefix) and label[len(prefix) :].strip():
            return label[len(prefix) :].strip()
        return None

    def status_label(self, status: str) -> str | None:
        """Return the label that puts an item in `status`, or ``None``.

        The open, closed and not-planned statuses have no label: the issue's
        state carries them.
        """
        if status in (self.open_status, self.closed_status, self.not_planned_status):
            return None
        for label, named in self.status_labels.items():
            if named == status:
                return label
        if self.status_label_prefix is None:
            msg = (
                f"github: no label maps to status {status!r}; add it to "
                "status_labels or set status_label_prefix"
            )
            raise InvalidInputError(msg)
        return f"{self.status_label_prefix}{status}"

    def column_status(self, column: str) -> str:
        """Return the status of a project column (its name unless renamed)."""
        return self.column_statuses.get(column, column)

    def closes(self, status: str) -> bool:
        """Tell whether an item in `status` is a closed issue.

        Examples
        --------
        >>> mapping = GitHubMapping(categories={"Cancelled": "done"})
        >>> mapping.closes("Done"), mapping.closes("Cancelled"), mapping.closes("Open")
        (True, True, False)
        """
        return (
            status in (self.closed_status, self.not_planned_status)
            or self.categories.get(status) is StateCategory.DONE
        )

    def status_for(
        self,
        *,
        state: str,
        state_reason: str | None = None,
        label_status: str | None = None,
        column: str | None = None,
    ) -> str:
        """Return the status of an item from its state, status label and column.

        Examples
        --------
        >>> mapping = GitHubMapping()
        >>> mapping.status_for(state="open", label_status="In Review")
        'In Review'
        >>> mapping.status_for(state="closed"), mapping.status_for(state="open")
        ('Done', 'Open')
        """
        if self.status_source == "labels" and label_status is not None:
            return label_status
        if self.status_source == "project_columns" and column is not None:
            return self.column_status(column)
        if state == "closed":
            if state_reason == "not_planned" and self.not_planned_status:
                return self.not_planned_status
            return self.closed_status
        return self.open_status

    def process(self, statuses: Iterable[str] = (), *, name: str = "github") -> Process:
        """Return the process these rules imply, with extra `statuses` found.

        Examples
        --------
        >>> GitHubMapping().process(["status: In Progress"]).state_names
        ('Open', 'In Progress', 'Done')
        """
        order: dict[str, tuple[StateCategory, bool]] = {}

        def add(status: str, category: StateCategory, *, guessed: bool) -> None:
            order.setdefault(status, (category, guessed))

        add(
            self.open_status,
            self.categories.get(self.open_status, StateCategory.BACKLOG),
            guessed=False,
        )
        for status, category in self.categories.items():
            add(status, category, guessed=False)
        found = [*self.status_labels.values(), *self.column_statuses.values()]
        found += [
            self.label_status(label) or self.column_status(label) for label in statuses
        ]
        for status in found:
            if status not in (self.closed_status, self.not_planned_status):
                add(status, StateCategory.ACTIVE, guessed=True)
        add(self.closed_status, StateCategory.DONE, guessed=False)
        if self.not_planned_status:
            add(self.not_planned_status, StateCategory.DONE, guessed=False)
        states = tuple(
            State(name=status, category=category, category_guessed=guessed)
            for status, (category, guessed) in order.items()
        )
        return Process(name=name, states=states)

    # -- labels ----------------------------------------------------------------

    def split_labels(self, labels: Sequence[str]) -> dict[str, Any]:
        """Sort labels into type, priority, team, estimate, status and the rest.

        Examples
        --------
        >>> parts = GitHubMapping().split_labels(
        ...     ["type: bug", "estimate: 3", "status: Ready", "ux"])
        >>> parts["type"], parts["estimate"], parts["statuses"], parts["labels"]
        ('bug', 3.0, ['Ready'], ['ux'])
        """
        parts: dict[str, Any] = {
            "type": None,
            "priority": None,
            "team": None,
            "estimate": None,
            "statuses": [],
            "labels": [],
        }
        prefixes = (
            ("type", self.type_label_prefix),
            ("priority", self.priority_label_prefix),
            ("team", self.team_label_prefix),
        )
        for label in labels:
            status = self.label_status(label)
            if status is not None:
                parts["statuses"].append(status)
                continue
            for field, prefix in prefixes:
                if prefix and label.startswith(prefix) and label[len(prefix) :].strip():
                    if parts[field] is None:
                        parts[field] = label[len(prefix) :].strip()
                    break
            else:
                estimate = self._estimate(label)
                if estimate is not None and parts["estimate"] is None:
                    parts["estimate"] = estimate
                else:
                    parts["labels"].append(label)
        return parts

    def _estimate(self, label: str) -> float | None:
        prefix = self.estimate_label_prefix
        if not prefix or not label.startswith(prefix):
            return None
        try:
            value = float(label[len(prefix) :])
        except ValueError:
            return None
        if value != value or value < 0 or value in (float("inf"), float("-inf")):
            return None
        return value


def _format_regex(template: str, **patterns: str) -> re.Pattern[str]:
    regex = ""
    for literal, name, _, _ in string.Formatter().parse(template):
        regex += re.escape(literal)
        if name is not None:
            regex += f"(?P<{name}>{patterns.get(name, '.+?')})"
    return re.compile(regex)


# -- settings --------------------------------------------------------------------


class GitHubSettings(AdapterSettings):
    """Settings of `GitHubAdapter`: where GitHub is, the token, what to read.

    Every setting can come from an argument, ``PRODUCTOPS_GITHUB_<SETTING>`` or
    the ``[<profile>.github]`` table of the profile file.

    Examples
    --------
    >>> settings = GitHubSettings(token="t0ken", repositories="octo-org/octo-repo")
    >>> settings.repositories, settings.base_url, settings.page_size
    (('octo-org/octo-repo',), 'https://api.github.com', 100)
    >>> settings.token
    SecretStr('**********')
    """

    adapter: ClassVar[str] = _NAME

    base_url: str = "https://api.github.com"
    """The REST root: ``https://api.github.com``, or ``https://{host}/api/v3`` for
    GitHub Enterprise Server."""
    token: SecretStr
    """A fine-grained or classic personal access token, or an app installation
    token; sent as ``Authorization: Bearer``."""
    repositories: tuple[str, ...]
    """``owner/name`` of each repository; a string may list several, separated
    by commas or spaces."""
    api_version: str = API_VERSION
    """Sent as ``X-GitHub-Api-Version``."""
    page_size: int = Field(100, ge=1, le=100)
    """``per_page`` of every list request (GitHub's maximum is 100)."""
    pull_requests: Literal["include", "exclude", "only"] = "include"
    """Whether pull requests come with issues, are left out, or come alone."""
    history: bool = True
    """Read each issue's timeline to rebuild its status history."""
    overlap: timedelta = timedelta(minutes=5)
    """How far before the high-water mark an incremental `sync` re-reads."""
    concurrency: int = Field(4, ge=1, le=16)
    """Timelines and deployment statuses read at once (1: one after another)."""
    timeout: float = Field(30.0, gt=0)
    """Seconds to wait for an answer."""
    mapping: GitHubMapping = Field(default_factory=GitHubMapping)
    """How issues map onto work items; a table in the profile file, or JSON in
    ``PRODUCTOPS_GITHUB_MAPPING``."""

    @field_validator("repositories", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part for part in re.split(r"[,\s]+", value) if part)
        return value

    @field_validator("repositories")
    @classmethod
    def _check_repositories(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            msg = "give at least one repository as 'owner/name'"
            raise ValueError(msg)
        bad = [name for name in value if not _REPOSITORY.fullmatch(name)]
        if bad:
            msg = f"not 'owner/name': {bad}"
            raise ValueError(msg)
        return tuple(dict.fromkeys(value))

    @field_validator("overlap", mode="before")
    @classmethod
    def _seconds(cls, value: object) -> object:
        if isinstance(value, str) and re.fullmatch(r"[0-9]+(\.[0-9]+)?", value):
            return float(value)
        return value

    @field_validator("overlap")
    @classmethod
    def _non_negative(cls, value: timedelta) -> timedelta:
        if value < timedelta(0):
            msg = "must not be negative"
            raise ValueError(msg)
        return value

    @field_validator("mapping", mode="before")
    @classmethod
    def _json(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError as exc:
                msg = f"not a JSON object: {exc}"
                raise ValueError(msg) from None
        return value


# -- results and cursors ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RateLimitStatus:
    """GitHub's primary rate-limit budget, from the last ``x-ratelimit-*`` headers.

    Attributes
    ----------
    limit : int
        Requests allowed per window.
    remaining : int
        Requests left in the window.
    used : int or None
        Requests used in the window.
    reset : datetime
        When the window resets (UTC).
    resource : str or None
        The budget the requests count against (``"core"``).

    Examples
    --------
    >>> status = RateLimitStatus.from_headers(httpx.Headers({
    ...     "x-ratelimit-limit": "5000", "x-ratelimit-remaining": "4999",
    ...     "x-ratelimit-reset": "1507651200", "x-ratelimit-resource": "core"}))
    >>> status.remaining, status.reset.isoformat()
    (4999, '2017-10-10T16:00:00+00:00')
    """

    limit: int
    remaining: int
    used: int | None
    reset: datetime
    resource: str | None

    @classmethod
    def from_headers(cls, headers: httpx.Headers) -> RateLimitStatus | None:
        """Read the headers of a response; ``None`` when they are absent."""
        try:
            limit = int(headers["x-ratelimit-limit"])
            remaining = int(headers["x-ratelimit-remaining"])
            reset = datetime.fromtimestamp(int(headers["x-ratelimit-reset"]), tz=UTC)
        except (KeyError, ValueError, OverflowError, OSError):
            return None
        used_text = headers.get("x-ratelimit-used", "")
        return cls(
            limit=limit,
            remaining=remaining,
            used=int(used_text) if used_text.isdigit() else None,
            reset=reset,
            resource=headers.get("x-ratelimit-resource"),
        )


class _CursorModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PageETag(_CursorModel):
    """The ETag of a page already processed, and the page after it.

    Examples
    --------
    >>> PageETag(etag='"abc"', next=None).etag
    '"abc"'
    """

    etag: str
    next: str | None = None


class RepositoryCursor(_CursorModel):
    """Where the sync of one repository stands.

    Examples
    --------
    >>> RepositoryCursor().watermark is None
    True
    """

    watermark: Timestamp | None = None
    """The newest ``updated_at`` delivered so far."""
    since: Timestamp | None = None
    """The ``since`` of the sync in progress."""
    next: dict[str, Any] | None = None
    """The next page of the sync in progress (`PageRequest.to_dict`)."""
    seen: dict[str, Timestamp] = Field(default_factory=dict)
    """Issue number → ``updated_at`` already delivered, inside the overlap window."""


class GitHubCursor(_CursorModel):
    """A resumable sync position: plain JSON, save it after every page.

    Examples
    --------
    >>> cursor = GitHubCursor()
    >>> GitHubCursor.from_json(cursor.to_json()) == cursor
    True
    """

    version: Literal[1] = 1
    repositories: dict[str, RepositoryCursor] = Field(default_factory=dict)
    """Per ``owner/name``."""
    etags: dict[str, PageETag] = Field(default_factory=dict)
    """The ETags of the issue pages already processed, by request URL."""

    def to_json(self) -> str:
        """Return the cursor as a JSON string."""
        return self.model_dump_json()

    @classmethod
    def from_json(cls, text: str | bytes) -> GitHubCursor:
        """Read a cursor saved with `to_json`.

        Raises
        ------
        InvalidInputError
            If `text` is not a cursor.
        """
        try:
            return cls.model_validate_json(text)
        except ValidationError as exc:
            msg = f"github: not a GitHubCursor: {exc}"
            raise InvalidInputError(msg) from None


@dataclass(frozen=True, slots=True)
class SyncPage:
    """One page of a sync: its new or changed items and the cursor after it.

    Attributes
    ----------
    repository : str
        ``owner/name``.
    items : tuple of WorkItem
        Items created or changed since the cursor; never one already delivered
        unchanged.
    cursor : GitHubCursor
        Save it once the items are stored: `GitHubAdapter.sync` resumes there.
    not_modified : bool
        The page was answered ``304 Not Modified``.

    Examples
    --------
    >>> SyncPage("o/r", (), GitHubCursor()).items
    ()
    """

    repository: str
    items: tuple[WorkItem, ...]
    cursor: GitHubCursor
    not_modified: bool = False


# -- upstream payloads ----------------------------------------------------------------


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _User(_Payload):
    login: str


class _Label(_Payload):
    name: str


class _Milestone(_Payload):
    title: str


class _Issue(_Payload):
    number: int
    title: str
    state: str
    state_reason: str | None = None
    labels: list[_Label | str] = Field(default_factory=list)
    assignee: _User | None = None
    assignees: list[_User] = Field(default_factory=list)
    milestone: _Milestone | None = None
    created_at: Timestamp
    updated_at: Timestamp
    closed_at: Timestamp | None = None
    html_url: str | None = None
    repository_url: str | None = None
    pull_request: dict[str, Any] | None = None

    @property
    def label_names(self) -> list[str]:
        return [
            label if isinstance(label, str) else label.name for label in self.labels
        ]


class _Card(_Payload):
    column_name: str | None = None


class _Event(_Payload):
    event: str | None = None
    created_at: Timestamp | None = None
    actor: _User | None = None
    label: _Label | None = None
    state_reason: str | None = None
    project_card: _Card | None = None


class _Release(_Payload):
    tag_name: str
    name: str | None = None
    body: str | None = None
    draft: bool = False
    prerelease: bool = False
    created_at: Timestamp | None = None
    published_at: Timestamp | None = None


class _Deployment(_Payload):
    id: int
    sha: str | None = None
    ref: str | None = None
    environment: str | None = None
    payload: dict[str, Any] | str | None = None
    created_at: Timestamp


class _DeploymentStatus(_Payload):
    id: int
    state: str
    created_at: Timestamp


_P = TypeVar("_P", bound=_Payload)

_EVENTS: Final = frozenset(
    {
        "labeled",
        "unlabeled",
        "closed",
        "reopened",
        "added_to_project",
        "moved_columns_in_project",
        "removed_from_project",
        "converted_note_to_issue",
    }
)


def _records(
    model: type[_P], raw: Sequence[Any], *, what: str, request: str
) -> list[_P]:
    """Validate every record; one error lists every bad one, with its field."""
    records: list[_P] = []
    problems: list[str] = []
    for position, item in enumerate(raw):
        try:
            records.append(model.model_validate(item))
        except ValidationError as exc:
            name = (
                item.get("number", item.get("id")) if isinstance(item, dict) else None
            )
            label = f"{what} #{position}" + (f" ({name})" if name is not None else "")
            problems += [
                f"{label} field {'.'.join(str(p) for p in error['loc']) or '-'}: "
                f"{error['msg']}"
                for error in exc.errors(include_url=False, include_input=False)
            ]
    if problems:
        msg = (
            f"github: the answer to {request} is not in GitHub's shape "
            f"({len(problems)} problems); nothing from it was used:\n  - "
            + "\n  - ".join(problems)
        )
        raise ResponseFormatError(msg, adapter=_NAME, request=request)
    return records


# -- mapping functions ---------------------------------------------------------------


def _replay(
    issue: _Issue, events: Sequence[_Event], mapping: GitHubMapping
) -> tuple[tuple[StatusChange, ...], str | None]:
    """Rebuild the status history from timeline events; also the last column."""
    relevant = sorted(
        (e for e in events if e.event in _EVENTS and e.created_at is not None),
        key=lambda e: e.created_at or issue.created_at,
    )
    status_labels: list[str] = []
    column: str | None = None
    state, reason = "open", None
    current = mapping.status_for(state="open")
    history: list[StatusChange] = []
    index = 0
    while index < len(relevant):
        at = relevant[index].created_at or issue.created_at
        author = None
        while index < len(relevant) and relevant[index].created_at == at:
            event = relevant[index]
            index += 1
            author = event.actor.login if event.actor else None
            name = event.event
            if name in ("labeled", "unlabeled") and event.label is not None:
                label = event.label.name
                if mapping.label_status(label) is None:
                    continue
                if label in status_labels:
                    status_labels.remove(label)
                if name == "labeled":
                    status_labels.append(label)
            elif name == "closed":
                state, reason = "closed", event.state_reason
            elif name == "reopened":
                state, reason = "open", None
            elif name == "removed_from_project":
                column = None
            elif event.project_card is not None and event.project_card.column_name:
                column = event.project_card.column_name
        status = mapping.status_for(
            state=state,
            state_reason=reason,
            label_status=mapping.label_status(status_labels[-1])
            if status_labels
            else None,
            column=column,
        )
        if at <= issue.created_at:
            current = status
        elif status != current:
            history.append(
                StatusChange(
                    at=at, from_status=current, to_status=status, author=author
                )
            )
            current = status
    return tuple(history), column


def _work_item(
    issue: _Issue,
    *,
    owner: str,
    repo: str,
    mapping: GitHubMapping,
    history: tuple[StatusChange, ...] = (),
    column: str | None = None,
) -> WorkItem:
    parts = mapping.split_labels(issue.label_names)
    statuses: list[str] = parts["statuses"]
    if history and history[-1].to_status in statuses:
        label_status: str | None = history[-1].to_status
    else:
        label_status = statuses[0] if statuses else None
    status = mapping.status_for(
        state=issue.state,
        state_reason=issue.state_reason,
        label_status=label_status,
        column=column,
    )
    assignee = issue.assignee or (issue.assignees[0] if issue.assignees else None)
    kind = parts["type"] or (
        mapping.pull_request_type if issue.pull_request is not None else None
    )
    return WorkItem(
        key=mapping.key(owner, repo, issue.number),
        title=issue.title,
        type=kind or mapping.default_type,
        status=status,
        created=issue.created_at,
        updated=issue.updated_at,
        resolved=issue.closed_at,
        assignee=assignee.login if assignee else None,
        team=parts["team"],
        priority=parts["priority"],
        labels=tuple(parts["labels"]),
        estimate=parts["estimate"],
        releases=(issue.milestone.title,) if issue.milestone else (),
        url=issue.html_url,
        source=_NAME,
        history=history,
    )


def _release(
    raw: _Release, *, owner: str, repo: str, mapping: GitHubMapping
) -> Release:
    if raw.draft:
        status, released_at = ReleaseStatus.PLANNED, None
    elif raw.prerelease:
        status, released_at = ReleaseStatus.IN_PROGRESS, None
    else:
        status = ReleaseStatus.RELEASED
        released_at = raw.published_at or raw.created_at
        if released_at is None:
            status = ReleaseStatus.IN_PROGRESS
    return Release(
        key=mapping.release_key_format.format(owner=owner, repo=repo, tag=raw.tag_name),
        name=raw.name or raw.tag_name,
        version=raw.tag_name,
        status=status,
        released_at=released_at,
        description=raw.body or "",
    )


def _payload(raw: _Deployment) -> dict[str, Any]:
    payload = raw.payload
    if isinstance(payload, str):
        try:
            payload = json.loads(payload) if payload.strip() else {}
        except ValueError:
            return {}
    return payload if isinstance(payload, dict) else {}


def _deployment(
    raw: _Deployment,
    statuses: Sequence[_DeploymentStatus],
    *,
    owner: str,
    repo: str,
    mapping: GitHubMapping,
) -> Deployment | None:
    ordered = sorted(statuses, key=lambda s: (s.created_at, s.id))
    finished = [s for s in ordered if s.state in _FINISHED]
    if not finished:
        return None
    success = next((s for s in finished if s.state == "success"), None)
    if success is None:
        outcome, at = DeploymentStatus.FAILURE, finished[0].created_at
    else:
        later = [s for s in finished if s.created_at >= success.created_at]
        failed_after = any(s.state != "success" and s is not success for s in later)
        outcome = (
            DeploymentStatus.ROLLED_BACK if failed_after else DeploymentStatus.SUCCESS
        )
        at = success.created_at
    payload = _payload(raw)
    service = payload.get("service")
    release = payload.get("release")
    items = payload.get("items")
    return Deployment(
        key=mapping.deployment_key_format.format(owner=owner, repo=repo, id=raw.id),
        service=service if isinstance(service, str) and service.strip() else repo,
        environment=raw.environment or "production",
        deployed_at=at,
        status=outcome,
        version=raw.ref or raw.sha,
        release=release if isinstance(release, str) and release.strip() else None,
        items=tuple(item for item in items if isinstance(item, str) and item.strip())
        if isinstance(items, list)
        else (),
    )


# -- webhooks --------------------------------------------------------------------------


def verify_webhook(
    secret: str | bytes | SecretStr, body: bytes, signature_header: str | None
) -> bool:
    """Tell whether a webhook delivery carries GitHub's signature for `body`.

    GitHub signs each delivery with HMAC-SHA256 of the raw body under the
    webhook's secret and sends ``X-Hub-Signature-256: sha256=<hex digest>``.
    The digests are compared in constant time (`hmac.compare_digest`).

    Parameters
    ----------
    secret : str, bytes or SecretStr
        The webhook's secret; text is encoded as UTF-8.
    body : bytes
        The request body exactly as received, before any JSON parsing.
    signature_header : str or None
        The ``X-Hub-Signature-256`` header; missing means not signed.

    Returns
    -------
    bool
        ``True`` only for a well-formed header with the right digest. A
        missing header, another algorithm or a malformed digest gives
        ``False``: answer such deliveries with 401 and drop them.

    Raises
    ------
    TypeError
        If `body` is not bytes (a parsed body cannot be verified).
    AdapterConfigError
        If `secret` is empty.

    Examples
    --------
    The test values from GitHub's "Validating webhook deliveries":

    >>> verify_webhook("It's a Secret to Everybody", b"Hello, World!",
    ...     "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
    True
    >>> verify_webhook("It's a Secret to Everybody", b"Hello, World?",
    ...     "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
    False
    """
    raw: object = body
    if not isinstance(raw, bytes | bytearray | memoryview):
        msg = (
            "verify_webhook needs the raw request body as bytes, "
            f"not {type(body).__name__}"
        )
        raise TypeError(msg)
    if isinstance(secret, SecretStr):
        secret = secret.get_secret_value()
    key = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    if not key:
        msg = "github: the webhook secret is empty; set the secret the webhook uses"
        raise AdapterConfigError(msg, adapter=_NAME)
    if not signature_header:
        return False
    scheme, _, digest = signature_header.strip().partition("=")
    if scheme.strip().lower() != "sha256":
        return False
    expected = hmac.new(key, bytes(body), hashlib.sha256).hexdigest().encode("ascii")
    given = digest.strip().lower().encode("utf-8", errors="replace")
    return hmac.compare_digest(expected, given)


# -- the adapter ------------------------------------------------------------------


@dataclass(slots=True)
class _Cached:
    etag: str
    body: Any
    next: str | None


@dataclass(frozen=True, slots=True)
class _Fetched:
    request: PageRequest
    items: list[Any] | None
    """The page's records; ``None`` for a 304 whose body this run never saw."""
    next: PageRequest | None
    etag: str | None
    not_modified: bool


def _cache_key(url: str, params: Mapping[str, Any]) -> str:
    base, _, query = url.partition("?")
    pairs = list(httpx.QueryParams(query).multi_items())
    pairs += [(key, str(value)) for key, value in params.items()]
    encoded = urlencode(sorted(pairs))
    return f"{base}?{encoded}" if encoded else base


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


class GitHubAdapter(HttpAdapter):
    """Work items, releases and deployments from GitHub's REST API.

    Satisfies `WorkTracker`. Build it with settings (see `GitHubSettings`) as
    keyword arguments, from the environment or the profile file, or with
    ``po.adapters.get("github", ...)``.

    Parameters
    ----------
    settings : GitHubSettings, optional
        Ready settings; otherwise they are resolved from ``**values``, the
        environment and the profile file.
    profile : str, optional
        The profile-file table to read.
    client : httpx.Client, optional
        Your own client (proxies, certificates); it is not closed here.
    transport : httpx.BaseTransport, optional
        A transport for a new client, such as `FakeGitHub`'s.
    retry : RetryPolicy, optional
        Retries and the total time a request may take.
    sleep : callable, default time.sleep
        How to wait before a retry.
    **values
        Settings, as in `GitHubSettings`.

    Attributes
    ----------
    settings : GitHubSettings
        The resolved settings (the token hidden).
    rate_limit : RateLimitStatus or None
        The primary rate-limit budget after the last answer.

    Examples
    --------
    >>> def github(request):
    ...     return httpx.Response(200, json=[{
    ...         "tag_name": "v1.0.0", "name": "Version 1.0.0", "draft": False,
    ...         "prerelease": False, "created_at": "2017-10-10T16:00:00Z",
    ...         "published_at": "2017-10-10T16:00:00Z", "body": "Initial release"}])
    >>> adapter = GitHubAdapter(token="t0ken", repositories="octo-org/octo-repo",
    ...                         base_url="http://127.0.0.1",
    ...                         transport=httpx.MockTransport(github))
    >>> [(r.key, r.status.value) for r in adapter.releases()]
    [('v1.0.0', 'released')]
    """

    name: ClassVar[str] = _NAME

    def __init__(
        self,
        *,
        settings: GitHubSettings | None = None,
        profile: str | None = None,
        client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        **values: Any,
    ) -> None:
        if settings is not None and values:
            msg = (
                f"github: pass settings= or setting values, not both ({sorted(values)})"
            )
            raise AdapterConfigError(msg, adapter=_NAME)
        self.settings = settings or GitHubSettings.resolve(values, profile=profile)
        token = self.settings.secret("token")
        source = self.settings.sources.get("token", "the settings")
        self._http = HttpCore(
            adapter=_NAME,
            base_url=self.settings.base_url,
            headers={
                "Accept": _ACCEPT,
                "X-GitHub-Api-Version": self.settings.api_version,
                "Authorization": f"Bearer {token}",
                "User-Agent": f"productops/{__version__}",
            },
            timeout=self.settings.timeout,
            retry=retry,
            rules=GitHubRules(),
            secrets=[token],
            credential=f"token from {source}",
            client=client,
            transport=transport,
            sleep=sleep,
        )
        self.mapping = self.settings.mapping
        self.rate_limit: RateLimitStatus | None = None
        self._paging = LinkHeader(adapter=_NAME)
        self._cache: dict[str, _Cached] = {}
        self._lock = threading.Lock()
        self._not_modified = 0

    def __repr__(self) -> str:
        return (
            f"<GitHubAdapter {', '.join(self.settings.repositories)} "
            f"at {self._http.base_url}>"
        )

    # -- plumbing --------------------------------------------------------------

    @property
    def not_modified(self) -> int:
        """Answers that were ``304 Not Modified`` (free against the rate limit)."""
        return self._not_modified

    def _track(self, response: httpx.Response) -> None:
        status = RateLimitStatus.from_headers(response.headers)
        if status is not None:
            with self._lock:
                self.rate_limit = status

    def _fetch(
        self, request: PageRequest, *, known: Mapping[str, PageETag] | None = None
    ) -> _Fetched:
        key = _cache_key(self._absolute(request.url), request.params)
        with self._lock:
            cached = self._cache.get(key)
        remembered = known.get(key) if known else None
        etag = cached.etag if cached else remembered.etag if remembered else None
        response = self._http.request(
            request.method,
            request.url,
            params=request.params or None,
            headers={"If-None-Match": etag} if etag else None,
        )
        self._track(response)
        if response.status_code != 304:
            body = self._http.parse_json(response)
            page = self._paging.next(request, body, response)
            next_url = page.url if page else None
            fresh_etag = response.headers.get("etag")
            if fresh_etag:
                with self._lock:
                    self._cache[key] = _Cached(fresh_etag, body, next_url)
            return _Fetched(
                request,
                self._paging.items(body, request),
                PageRequest("GET", next_url, {}) if next_url else None,
                fresh_etag,
                not_modified=False,
            )
        with self._lock:
            self._not_modified += 1
        if cached is not None:
            return _Fetched(
                request,
                self._paging.items(cached.body, request),
                PageRequest("GET", cached.next, {}) if cached.next else None,
                cached.etag,
                not_modified=True,
            )
        if remembered is not None:
            return _Fetched(
                request,
                None,
                PageRequest("GET", remembered.next, {}) if remembered.next else None,
                remembered.etag,
                not_modified=True,
            )
        what = f"{request.method} {request.url}"
        msg = f"github: 304 Not Modified without a cached page for {what}"
        raise ResponseFormatError(msg, adapter=_NAME, request=what)

    def _absolute(self, url: str) -> str:
        if url.startswith(("http://", "https://")):
            return url
        return f"{self._http.base_url}/{url.lstrip('/')}"

    def _pages(
        self,
        first: PageRequest,
        *,
        resume: PageRequest | None = None,
        known: Mapping[str, PageETag] | None = None,
    ) -> Iterator[_Fetched]:
        request: PageRequest | None = resume or first
        seen: set[str] = set()
        while request is not None:
            key = _cache_key(self._absolute(request.url), request.params)
            if key in seen:
                msg = (
                    f"github: the Link header pointed back to a page already "
                    f"fetched ({request.describe()}); stopping instead of looping"
                )
                raise ResponseFormatError(
                    msg, adapter=_NAME, request=request.describe()
                )
            seen.add(key)
            page = self._fetch(request, known=known)
            yield page
            request = page.next

    def _all(self, first: PageRequest) -> list[Any]:
        return [item for page in self._pages(first) for item in page.items or ()]

    def _repository(self, project: str | None) -> list[tuple[str, str]]:
        names = self.settings.repositories
        if project is not None:
            matches = [
                name for name in names if project in (name, name.split("/", 1)[1])
            ]
            if not matches and _REPOSITORY.fullmatch(project):
                matches = [project]
            if len(matches) != 1:
                msg = (
                    f"github: project {project!r} names "
                    f"{'no' if not matches else 'more than one'} repository; "
                    f"configured: {list(names)}"
                )
                raise InvalidInputError(msg)
            names = (matches[0],)
        return [(name.split("/", 1)[0], name.split("/", 1)[1]) for name in names]

    def _locate(self, key: str) -> tuple[str, str, int]:
        owner, repo, number = self.mapping.parse_key(key)
        candidates = [
            (o, r)
            for o, r in self._repository(None)
            if (owner is None or o == owner) and (repo is None or r == repo)
        ]
        if owner is not None and repo is not None and not candidates:
            candidates = [(owner, repo)]
        if len(candidates) != 1:
            msg = (
                f"github: key {key!r} matches "
                f"{'no' if not candidates else 'more than one'} configured "
                f"repository ({list(self.settings.repositories)}); put {{owner}} "
                "and {repo} in key_format"
            )
            raise InvalidInputError(msg)
        return candidates[0][0], candidates[0][1], number

    def _progress(
        self, callback: ProgressCallback | None, stage: str, done: int
    ) -> None:
        if callback is not None:
            callback(Progress(_NAME, stage, done, None, self._http.requests))

    # -- work items ------------------------------------------------------------

    def _filters(self, query: str | None) -> dict[str, str]:
        if not query:
            return {}
        filters: dict[str, str] = {}
        for part in query.split("&"):
            name, sep, value = part.partition("=")
            name = name.strip()
            if not sep or not name:
                msg = f"github: query part {part!r} is not name=value"
                raise InvalidInputError(msg)
            filters[name] = value.strip()
        unknown = sorted(set(filters) - _ISSUE_FILTERS)
        if unknown:
            msg = (
                f"github: unknown issue filters {unknown} in query; GitHub's "
                f"'List repository issues' accepts {sorted(_ISSUE_FILTERS)}"
            )
            raise InvalidInputError(msg)
        return filters

    def _issues_request(
        self,
        owner: str,
        repo: str,
        *,
        since: datetime | None,
        filters: Mapping[str, str] | None = None,
    ) -> PageRequest:
        params: dict[str, Any] = {
            "state": "all",
            "sort": "updated",
            "direction": "asc",
            "per_page": self.settings.page_size,
        }
        params.update(filters or {})
        if since is not None:
            params["since"] = _iso(since)
        return PageRequest("GET", f"/repos/{owner}/{repo}/issues", params)

    def _wanted(self, issue: _Issue) -> bool:
        choice = self.settings.pull_requests
        if choice == "include":
            return True
        return (issue.pull_request is not None) == (choice == "only")

    def _issues(self, raw: Sequence[Any], request: PageRequest) -> list[_Issue]:
        issues = _records(_Issue, raw, what="issue", request=request.describe())
        return [issue for issue in issues if self._wanted(issue)]

    def _timeline(self, owner: str, repo: str, number: int) -> list[_Event]:
        request = PageRequest(
            "GET",
            f"/repos/{owner}/{repo}/issues/{number}/timeline",
            {"per_page": self.settings.page_size},
        )
        raw = self._all(request)
        return _records(_Event, raw, what="timeline event", request=request.describe())

    def _items(self, owner: str, repo: str, issues: Sequence[_Issue]) -> list[WorkItem]:
        if not self.settings.history:
            return [
                _work_item(issue, owner=owner, repo=repo, mapping=self.mapping)
                for issue in issues
            ]
        timelines = self._http.gather(
            [partial(self._timeline, owner, repo, issue.number) for issue in issues],
            concurrency=self.settings.concurrency,
        )
        items = []
        for issue, events in zip(issues, timelines, strict=True):
            history, column = _replay(issue, events, self.mapping)
            items.append(
                _work_item(
                    issue,
                    owner=owner,
                    repo=repo,
                    mapping=self.mapping,
                    history=history,
                    column=column,
                )
            )
        return items

    def work_items(
        self,
        *,
        query: str | None = None,
        updated_since: datetime | None = None,
        progress: ProgressCallback | None = None,
    ) -> Iterator[WorkItem]:
        """Yield the issues (and pull requests) of every repository, with history.

        Issues are read sorted by last update, oldest first, one page at a time;
        each page's timelines are read with up to `GitHubSettings.concurrency`
        requests at once.

        Parameters
        ----------
        query : str, optional
            Extra filters of GitHub's "List repository issues", as
            ``name=value`` pairs joined by ``&``: ``milestone``, ``state``,
            ``assignee``, ``type``, ``creator``, ``mentioned``, ``labels``
            (``"labels=bug,ui&assignee=octocat"``).
        updated_since : datetime, optional
            Only items updated at or after this moment (GitHub's ``since``).
        progress : callable, optional
            Called with a `Progress` after every page.

        Raises
        ------
        InvalidInputError
            If `query` names a filter GitHub does not document.
        AuthenticationError, NotFoundError, RateLimitedError, APIError,
        ConnectionFailedError, ResponseFormatError

        Examples
        --------
        >>> adapter = GitHubAdapter(token="t", repositories="o/r",
        ...     base_url="http://127.0.0.1", history=False,
        ...     transport=httpx.MockTransport(lambda request: httpx.Response(
        ...         200, json=[{"number": 1, "title": "Crash on save",
        ...                     "state": "open", "labels": [{"name": "type: bug"}],
        ...                     "created_at": "2026-01-05T10:00:00Z",
        ...                     "updated_at": "2026-01-06T10:00:00Z"}])))
        >>> [(i.key, i.type, i.status) for i in adapter.work_items()]
        [('r#1', 'bug', 'Open')]
        """
        filters = self._filters(query)
        done = 0
        for owner, repo in self._repository(None):
            first = self._issues_request(
                owner, repo, since=updated_since, filters=filters
            )
            for page in self._pages(first):
                issues = self._issues(page.items or [], page.request)
                for item in self._items(owner, repo, issues):
                    done += 1
                    yield item
                self._progress(progress, "issues", done)

    def sync(
        self,
        cursor: GitHubCursor | str | bytes | None = None,
        *,
        progress: ProgressCallback | None = None,
    ) -> Iterator[SyncPage]:
        """Read what changed since `cursor`, one page at a time, resumably.

        The first sync reads everything. Later ones read from the high-water
        mark minus `GitHubSettings.overlap` (GitHub's ``since`` is inclusive
        and a change can land while a sync runs) and drop issues already
        delivered with the same ``updated_at``. A sync interrupted mid-way
        (a crash, a `RateLimitedError`) resumes at the page after the last
        cursor saved. Pages whose ETag is unchanged (``304``) are skipped.

        Parameters
        ----------
        cursor : GitHubCursor or its JSON, optional
            The cursor of the last page processed; ``None`` for a first sync.
        progress : callable, optional
            Called with a `Progress` after every page.

        Yields
        ------
        SyncPage
            Each page's new and changed items with the cursor to save.

        Examples
        --------
        >>> adapter = GitHubAdapter(token="t", repositories="o/r",
        ...     base_url="http://127.0.0.1", history=False,
        ...     transport=httpx.MockTransport(lambda request: httpx.Response(
        ...         200, json=[{"number": 1, "title": "Crash on save",
        ...                     "state": "open", "created_at": "2026-01-05T10:00:00Z",
        ...                     "updated_at": "2026-01-06T10:00:00Z"}])))
        >>> pages = list(adapter.sync())
        >>> saved = pages[-1].cursor.to_json()
        >>> [len(page.items) for page in adapter.sync(saved)]  # nothing new
        [0]
        """
        if isinstance(cursor, str | bytes):
            cursor = GitHubCursor.from_json(cursor)
        cursor = cursor or GitHubCursor()
        known = dict(cursor.etags)
        done = 0
        for owner, repo in self._repository(None):
            name = f"{owner}/{repo}"
            state = cursor.repositories.get(name, RepositoryCursor())
            if state.next is not None:
                first = PageRequest.from_dict(state.next)
            else:
                since = (
                    state.watermark - self.settings.overlap if state.watermark else None
                )
                first = self._issues_request(owner, repo, since=since)
                state = RepositoryCursor(
                    watermark=state.watermark,
                    since=since,
                    next=first.to_dict(),
                    seen=state.seen,
                )
            for page in self._pages(first, known=known):
                raw = self._issues(page.items or [], page.request)
                fresh = [
                    issue
                    for issue in raw
                    if state.seen.get(str(issue.number)) != issue.updated_at
                ]
                items = tuple(self._items(owner, repo, fresh))
                state = self._advance(state, raw, page.next)
                if page.etag is not None:
                    key = _cache_key(
                        self._absolute(page.request.url), page.request.params
                    )
                    known.pop(key, None)
                    known[key] = PageETag(
                        etag=page.etag, next=page.next.url if page.next else None
                    )
                    while len(known) > _MAX_CURSOR_ETAGS:
                        known.pop(next(iter(known)))
                cursor = GitHubCursor(
                    repositories={**cursor.repositories, name: state},
                    etags=dict(known),
                )
                done += len(items)
                self._progress(progress, "sync", done)
                yield SyncPage(name, items, cursor, not_modified=page.not_modified)

    def _advance(
        self,
        state: RepositoryCursor,
        issues: Sequence[_Issue],
        next_page: PageRequest | None,
    ) -> RepositoryCursor:
        stamps = [issue.updated_at for issue in issues]
        if state.watermark is not None:
            stamps.append(state.watermark)
        watermark = max(stamps, default=None)
        seen = {**state.seen, **{str(i.number): i.updated_at for i in issues}}
        if watermark is not None:
            floor = watermark - self.settings.overlap
            seen = {number: at for number, at in seen.items() if at >= floor}
        return RepositoryCursor(
            watermark=watermark,
            since=state.since if next_page is not None else None,
            next=next_page.to_dict() if next_page is not None else None,
            seen=seen,
        )

    def work_item(self, key: str) -> WorkItem:
        """Return one work item, with its history, by key.

        Raises
        ------
        InvalidInputError
            If `key` does not follow the mapping's ``key_format``.
        NotFoundError
            If the issue does not exist.
        """
        owner, repo, number = self._locate(key)
        request = PageRequest("GET", f"/repos/{owner}/{repo}/issues/{number}")
        body = self._http.json("GET", request.url)
        return self._items(owner, repo, self._issue(body, request))[0]

    def _issue(self, body: Any, request: PageRequest) -> list[_Issue]:
        return _records(_Issue, [body], what="issue", request=request.describe())

    # -- writes ----------------------------------------------------------------

    def create_item(
        self, *, project: str, title: str, type: str = "story", **fields: object
    ) -> WorkItem:
        """Create an issue and return it as a work item.

        Parameters
        ----------
        project : str
            The repository, ``owner/name`` or its name when unambiguous.
        title : str
            The issue title.
        type : str, default "story"
            Added as a type label unless it is the mapping's default type.
        **fields
            ``body`` (or ``description``), ``labels``, ``assignee``,
            ``assignees``, ``priority``, ``team``, ``estimate``, ``milestone``
            (its number) and ``status`` (set with `transition` after creation).

        Raises
        ------
        InvalidInputError
            For an unknown field.

        Examples
        --------
        >>> sent = []
        >>> def github(request):
        ...     sent.append(json.loads(request.content))
        ...     return httpx.Response(201, json={
        ...         "number": 8, "title": "Export", "state": "open",
        ...         "labels": [{"name": "type: story"}],
        ...         "created_at": "2026-01-05T10:00:00Z",
        ...         "updated_at": "2026-01-05T10:00:00Z"})
        >>> adapter = GitHubAdapter(token="t", repositories="o/r",
        ...     base_url="http://127.0.0.1", transport=httpx.MockTransport(github))
        >>> adapter.create_item(project="o/r", title="Export").key, sent
        ('r#8', [{'title': 'Export', 'labels': ['type: story']}])
        """
        known = {
            "body",
            "description",
            "labels",
            "assignee",
            "assignees",
            "priority",
            "team",
            "estimate",
            "milestone",
            "status",
        }
        unknown = sorted(set(fields) - known)
        if unknown:
            msg = f"github: create_item does not know the fields {unknown}"
            raise InvalidInputError(msg)
        ((owner, repo),) = self._repository(project)
        mapping = self.mapping
        labels = [str(label) for label in _as_list(fields.get("labels"))]
        prefixed = (
            (mapping.type_label_prefix, type if type != mapping.default_type else None),
            (mapping.priority_label_prefix, fields.get("priority")),
            (mapping.team_label_prefix, fields.get("team")),
            (mapping.estimate_label_prefix, fields.get("estimate")),
        )
        for prefix, value in prefixed:
            if prefix and value is not None:
                labels.append(f"{prefix}{value}")
        payload: dict[str, Any] = {"title": title}
        body = fields.get("body", fields.get("description"))
        if body is not None:
            payload["body"] = str(body)
        assignees = _as_list(fields.get("assignees")) or _as_list(
            fields.get("assignee")
        )
        if assignees:
            payload["assignees"] = [str(login) for login in assignees]
        if fields.get("milestone") is not None:
            payload["milestone"] = fields["milestone"]
        if labels:
            payload["labels"] = labels
        request = PageRequest("POST", f"/repos/{owner}/{repo}/issues")
        created = self._http.json("POST", request.url, json=payload)
        (issue,) = self._issue(created, request)
        item = _work_item(issue, owner=owner, repo=repo, mapping=mapping)
        status = fields.get("status")
        if status is not None and str(status) != item.status:
            return self.transition(item.key, to_status=str(status))
        return item

    def transition(self, key: str, *, to_status: str) -> WorkItem:
        """Move a work item to `to_status` and return it.

        Replaces its status label (or removes it for the open and closed
        statuses), and closes the issue for a ``done`` status (as not planned
        for ``not_planned_status``) or reopens it otherwise, in one
        ``PATCH /repos/{owner}/{repo}/issues/{number}``.

        Raises
        ------
        AdapterError
            With ``status_source="project_columns"``: classic project cards
            cannot be moved through this API.

        Examples
        --------
        >>> sent = []
        >>> def github(request):
        ...     issue = {"number": 3, "title": "Login", "state": "open",
        ...              "labels": [{"name": "ux"}, {"name": "status: Ready"}],
        ...              "created_at": "2026-01-05T10:00:00Z",
        ...              "updated_at": "2026-01-05T10:00:00Z"}
        ...     if request.method == "PATCH":
        ...         sent.append(json.loads(request.content))
        ...         issue["labels"] = [{"name": "ux"}, {"name": "status: In Progress"}]
        ...     return httpx.Response(200, json=[] if "timeline" in str(request.url)
        ...                           else issue)
        >>> adapter = GitHubAdapter(token="t", repositories="o/r",
        ...     base_url="http://127.0.0.1", transport=httpx.MockTransport(github))
        >>> adapter.transition("r#3", to_status="In Progress").status, sent
        ('In Progress', [{'labels': ['ux', 'status: In Progress']}])
        """
        if self.mapping.status_source == "project_columns":
            msg = (
                "github: statuses come from project columns, which the REST API "
                "cannot move; use status_source='labels' to transition items"
            )
            raise AdapterError(msg, adapter=_NAME)
        owner, repo, number = self._locate(key)
        path = f"/repos/{owner}/{repo}/issues/{number}"
        request = PageRequest("GET", path)
        (issue,) = self._issue(self._http.json("GET", path), request)
        mapping = self.mapping
        labels = [
            name for name in issue.label_names if mapping.label_status(name) is None
        ]
        target = mapping.status_label(to_status)
        payload: dict[str, Any] = {"labels": [*labels, *([target] if target else [])]}
        if mapping.closes(to_status):
            reason = (
                "not_planned"
                if to_status == mapping.not_planned_status
                else "completed"
            )
            if issue.state != "closed" or issue.state_reason != reason:
                payload["state"], payload["state_reason"] = "closed", reason
        elif issue.state == "closed":
            payload["state"], payload["state_reason"] = "open", "reopened"
        updated = self._http.json("PATCH", path, json=payload)
        (issue,) = self._issue(updated, PageRequest("PATCH", path))
        return self._items(owner, repo, [issue])[0]

    def comment(self, key: str, text: str) -> None:
        """Add a comment to a work item's issue.

        Examples
        --------
        >>> sent = []
        >>> adapter = GitHubAdapter(token="t", repositories="o/r",
        ...     base_url="http://127.0.0.1", transport=httpx.MockTransport(
        ...         lambda request: sent.append(request.url.path)
        ...         or httpx.Response(201, json={"id": 1})))
        >>> adapter.comment("r#3", "Blocked on the API review")
        >>> sent
        ['/repos/o/r/issues/3/comments']
        """
        owner, repo, number = self._locate(key)
        self._http.request(
            "POST",
            f"/repos/{owner}/{repo}/issues/{number}/comments",
            json={"body": text},
        )

    # -- releases, deployments, dependencies, process -------------------------

    def releases(self, *, project: str | None = None) -> Iterator[Release]:
        """Yield the releases of every repository (or of `project`).

        Drafts are planned, prereleases in progress, published releases
        released at ``published_at``; the tag is the version. Drafts are only
        listed to tokens with push access.

        Examples
        --------
        See `GitHubAdapter`.
        """
        for owner, repo in self._repository(project):
            request = PageRequest(
                "GET",
                f"/repos/{owner}/{repo}/releases",
                {"per_page": self.settings.page_size},
            )
            for page in self._pages(request):
                for raw in _records(
                    _Release,
                    page.items or [],
                    what="release",
                    request=page.request.describe(),
                ):
                    yield _release(raw, owner=owner, repo=repo, mapping=self.mapping)

    def deployments(
        self, *, project: str | None = None, environment: str | None = None
    ) -> Iterator[Deployment]:
        """Yield the finished deployments of every repository, with their outcome.

        A deployment's statuses decide it: its first ``success`` is when it
        was deployed, a ``failure`` or ``error`` after that means it was rolled
        back, and ``failure`` or ``error`` without a success means it failed.
        Deployments with no finished status yet are left out. The payload's
        ``service``, ``release`` and ``items`` (work item keys) are read when
        present; the service defaults to the repository name, the version is
        the deployed ref.

        Parameters
        ----------
        project : str, optional
            One repository.
        environment : str, optional
            Only deployments to this environment.

        Examples
        --------
        >>> def github(request):
        ...     if request.url.path.endswith("/statuses"):
        ...         return httpx.Response(200, json=[{"id": 1, "state": "success",
        ...             "created_at": "2012-07-20T01:19:13Z"}])
        ...     return httpx.Response(200, json=[{"id": 42, "ref": "v1.2.0",
        ...         "sha": "a84d88e7", "environment": "production", "payload": {},
        ...         "created_at": "2012-07-20T01:19:13Z"}])
        >>> adapter = GitHubAdapter(token="t", repositories="octocat/example",
        ...     base_url="http://127.0.0.1", transport=httpx.MockTransport(github))
        >>> [(d.key, d.version, d.status.value) for d in adapter.deployments()]
        [('example/deployments/42', 'v1.2.0', 'success')]
        """
        for owner, repo in self._repository(project):
            params: dict[str, Any] = {"per_page": self.settings.page_size}
            if environment is not None:
                params["environment"] = environment
            first = PageRequest("GET", f"/repos/{owner}/{repo}/deployments", params)
            for page in self._pages(first):
                raws = _records(
                    _Deployment,
                    page.items or [],
                    what="deployment",
                    request=page.request.describe(),
                )
                statuses = self._http.gather(
                    [partial(self._statuses, owner, repo, raw.id) for raw in raws],
                    concurrency=self.settings.concurrency,
                )
                for raw, found in zip(raws, statuses, strict=True):
                    deployment = _deployment(
                        raw, found, owner=owner, repo=repo, mapping=self.mapping
                    )
                    if deployment is not None:
                        yield deployment

    def _statuses(self, owner: str, repo: str, ident: int) -> list[_DeploymentStatus]:
        request = PageRequest(
            "GET",
            f"/repos/{owner}/{repo}/deployments/{ident}/statuses",
            {"per_page": self.settings.page_size},
        )
        return _records(
            _DeploymentStatus,
            self._all(request),
            what="deployment status",
            request=request.describe(),
        )

    def dependencies(self, *, query: str | None = None) -> Iterator[Dependency]:
        """Yield blocked-by relations between issues (one request per issue).

        Each issue's ``GET .../issues/{number}/dependencies/blocked_by`` gives
        its blockers; a closed blocker makes the dependency resolved.

        Parameters
        ----------
        query : str, optional
            Issue filters as in `work_items`, e.g. ``"state=open"``.
        """
        filters = self._filters(query)
        for owner, repo in self._repository(None):
            first = self._issues_request(owner, repo, since=None, filters=filters)
            for page in self._pages(first):
                issues = self._issues(page.items or [], page.request)
                blockers = self._http.gather(
                    [
                        partial(self._blockers, owner, repo, issue.number)
                        for issue in issues
                    ],
                    concurrency=self.settings.concurrency,
                )
                for issue, found in zip(issues, blockers, strict=True):
                    downstream = self.mapping.key(owner, repo, issue.number)
                    for blocker in found:
                        b_owner, b_repo = _repository_of(blocker, owner, repo)
                        yield Dependency(
                            upstream=self.mapping.key(b_owner, b_repo, blocker.number),
                            downstream=downstream,
                            status=DependencyStatus.RESOLVED
                            if blocker.state == "closed"
                            else DependencyStatus.OPEN,
                        )

    def _blockers(self, owner: str, repo: str, number: int) -> list[_Issue]:
        request = PageRequest(
            "GET",
            f"/repos/{owner}/{repo}/issues/{number}/dependencies/blocked_by",
            {"per_page": self.settings.page_size},
        )
        return _records(
            _Issue,
            self._all(request),
            what="blocking issue",
            request=request.describe(),
        )

    def process(self, *, project: str) -> Process:
        """Return the process the mapping implies for a repository.

        With status labels matched by prefix, the repository's labels
        (``GET /repos/{owner}/{repo}/labels``) add the statuses in use.

        Examples
        --------
        >>> adapter = GitHubAdapter(token="t", repositories="o/r",
        ...     base_url="http://127.0.0.1", transport=httpx.MockTransport(
        ...         lambda request: httpx.Response(200, json=[
        ...             {"name": "bug"}, {"name": "status: In Review"}])))
        >>> adapter.process(project="o/r").state_names
        ('Open', 'In Review', 'Done')
        """
        ((owner, repo),) = self._repository(project)
        found: list[str] = []
        if (
            self.mapping.status_source == "labels"
            and self.mapping.status_label_prefix is not None
        ):
            request = PageRequest(
                "GET",
                f"/repos/{owner}/{repo}/labels",
                {"per_page": self.settings.page_size},
            )
            labels = _records(
                _Label, self._all(request), what="label", request=request.describe()
            )
            found = [
                label.name
                for label in labels
                if self.mapping.label_status(label.name) is not None
            ]
        return self.mapping.process(found, name=f"github {owner}/{repo}")


def _as_list(value: object) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        return [value]
    return list(value)


def _repository_of(issue: _Issue, owner: str, repo: str) -> tuple[str, str]:
    if issue.repository_url:
        parts = urlsplit(issue.repository_url).path.rstrip("/").split("/")
        if len(parts) >= 3 and parts[-3] == "repos":
            return parts[-2], parts[-1]
    return owner, repo
