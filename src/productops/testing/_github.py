"""FakeGitHub: a Workspace served in GitHub's REST shapes.

The shapes follow GitHub's OpenAPI description (``github/rest-api-description``,
``api.github.com.2022-11-28``) and the recorded fixtures in ``shared/fixtures``
(octokit's normalised recordings); `FakeGitHub` lists the mapping from
productops records to GitHub's JSON and where the fake simplifies.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal
from urllib.parse import urlencode

import httpx

from productops.adapters.github import GitHubMapping
from productops.errors import InvalidInputError
from productops.model import (
    Deployment,
    DeploymentStatus,
    Process,
    Release,
    ReleaseStatus,
    StateCategory,
    WorkItem,
    Workspace,
)

from ._fake import FakeHTTPError, FakeRequest, FakeService, Faults, route

__all__ = ["FakeGitHub"]

RateLimitKind = Literal["primary", "secondary", "429"]

_API: Final = "{api:(?:/api/v3)?}"
_REPO: Final = _API + "/repos/{owner}/{repo}"
_BY_ID: Final = _API + "/repositories/{repository_id:[0-9]+}"
_DOCS: Final = "https://docs.github.com/rest"
# Bodies of GitHub's rate-limit answers, from shared/fixtures/api/github.
_PRIMARY: Final = "API rate limit exceeded for user ID 1."
_SECONDARY: Final = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you "
    "try again."
)
_LIMITS_DOCS: Final = (
    "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
)
_MAX_PER_PAGE: Final = 100
_DEFAULT_PER_PAGE: Final = 30
_TRAILING_NUMBER = re.compile(r"([0-9]+)$")
_EPOCH: Final = datetime(2020, 1, 1, tzinfo=UTC)


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _second(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(microsecond=0)


def _stable(*parts: object, digits: int = 9) -> int:
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()
    value: int = int(digest[:12], 16) % 10**digits
    return value + 1


def _node_id(kind: str, ident: int) -> str:
    return hashlib.sha256(f"{kind}{ident}".encode()).hexdigest()[:20]


def _color(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:6]


@dataclass(slots=True)
class _Event:
    id: int
    event: str
    at: datetime
    actor: str | None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class _Issue:
    number: int
    title: str
    state: str
    state_reason: str | None
    labels: list[str]
    assignee: str | None
    milestone: int | None
    created: datetime
    updated: datetime
    closed: datetime | None
    author: str
    html_url: str | None = None
    pull_request: bool = False
    body: str | None = None
    events: list[_Event] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)
    blocked_by: list[int] = field(default_factory=list)


@dataclass(slots=True)
class _Release:
    id: int
    tag: str
    name: str
    body: str
    draft: bool
    prerelease: bool
    created: datetime
    published: datetime | None


@dataclass(slots=True)
class _Deployment:
    id: int
    sha: str
    ref: str
    environment: str
    payload: dict[str, Any]
    created: datetime
    statuses: list[tuple[int, str, datetime, str]]


@dataclass(frozen=True, slots=True)
class _Parts:
    state: str
    reason: str | None
    label: str | None
    column: str | None


class FakeGitHub(FakeService):
    """A GitHub repository in memory: issues, timelines, releases, deployments.

    Work items become issues (pull requests when their type is the mapping's
    ``pull_request_type``) numbered by the digits that end their keys
    (``APP-17`` → ``#17``), or in order when keys have none. Their status
    history becomes timeline events under the same `GitHubMapping` the adapter
    uses: ``labeled``/``unlabeled`` status labels, or
    ``added_to_project``/``moved_columns_in_project`` with
    ``status_source="project_columns"``, plus ``closed``/``reopened`` for the
    statuses that close an issue (the mapping's closed statuses, its ``done``
    categories, and the workspace process's ``done`` states). Type, priority,
    team and estimate become prefixed labels, the first release the
    milestone, ``url`` the ``html_url``, ``links`` of kind ``"is blocked by"``
    the blocked-by dependencies. Releases become GitHub releases (drafts when
    planned, frozen or cancelled, prereleases when in progress) and their
    deployments become deployments with statuses (``payload`` holds
    ``service``, ``release`` and ``items``).

    Served, under ``/api/v3`` as well for GitHub Enterprise Server:
    list/get/create/update issues, issue comments, issue timelines,
    blocked-by dependencies, labels, releases, deployments and deployment
    statuses, with ``Link`` paging that switches to
    ``/repositories/{id}/...`` as api.github.com does, ``per_page`` capped at
    100 (and at `Faults.page_size`), the ``since``/``state``/``sort``/
    ``direction``/``labels``/``milestone``/``assignee``/``creator`` filters,
    ``ETag``/``If-None-Match`` (a ``304`` does not count against the budget),
    ``x-ratelimit-*`` headers, and GitHub's 401, 403/429 rate-limit and 404
    bodies. Simplified: users are bare logins, milestones and labels carry
    only the fields the adapter reads besides ids and URLs, timestamps are
    whole seconds.

    Parameters
    ----------
    workspace : Workspace, optional
        The records to serve.
    owner, repo : str
        The repository's ``owner/name``.
    token : str, optional
        The only token accepted (``Bearer`` or ``token``); ``None`` accepts
        any request, as a public repository does for reads.
    mapping : GitHubMapping, optional
        How work items become issues; the adapter must use the same.
    faults : Faults, optional
        Paging, latency, rate limits, 5xx bursts, malformed bodies, drops.
    rate_limit : {"secondary", "primary", "429"}
        How a `Faults.rate_limit_every` request is refused: 403 with
        ``retry-after`` (secondary limit), 403 with no requests left until
        ``x-ratelimit-reset`` (primary), or 429 with ``retry-after``.
    limit : int
        The primary budget reported in ``x-ratelimit-limit``.
    clock : callable
        Seconds since the epoch, for writes and rate-limit resets.

    Examples
    --------
    >>> from productops import WorkItem, Workspace
    >>> item = WorkItem(key="APP-7", title="Export", type="bug",
    ...                 status="In Review", created="2026-01-05T10:00:00Z")
    >>> fake = FakeGitHub(Workspace(work_items=[item]))
    >>> with httpx.Client(transport=fake.transport(), base_url=fake.base_url) as c:
    ...     issue = c.get("/repos/octo-org/octo-repo/issues/7").json()
    >>> issue["number"], [label["name"] for label in issue["labels"]]
    (7, ['type: bug', 'status: In Review'])
    """

    name = "github"

    def __init__(
        self,
        workspace: Workspace | None = None,
        *,
        owner: str = "octo-org",
        repo: str = "octo-repo",
        token: str | None = None,
        mapping: GitHubMapping | None = None,
        faults: Faults | None = None,
        base_url: str = "http://localhost",
        rate_limit: RateLimitKind = "secondary",
        limit: int = 5000,
        repository_id: int = 1000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(faults=faults, base_url=base_url)
        if rate_limit not in ("secondary", "primary", "429"):
            msg = f"rate_limit: 'secondary', 'primary' or '429', not {rate_limit!r}"
            raise InvalidInputError(msg)
        self.owner = owner
        self.repo = repo
        self.mapping = mapping or GitHubMapping()
        self.rate_limit_kind: RateLimitKind = rate_limit
        self.limit = limit
        self.repository_id = repository_id
        self._token = token
        self._clock = clock
        self._budget_lock = threading.Lock()
        self._used = 0
        self._reset = int(clock()) + 3600
        self._ids = 0
        self._issues: dict[int, _Issue] = {}
        self._milestones: dict[str, int] = {}
        self._releases: list[_Release] = []
        self._deployments: dict[int, _Deployment] = {}
        workspace = workspace or Workspace()
        self._process = workspace.process
        self._load(workspace)

    def __repr__(self) -> str:
        return (
            f"<FakeGitHub {self.owner}/{self.repo} issues={len(self._issues)} "
            f"faults={self.faults!r}>"
        )

    # -- loading -------------------------------------------------------------------

    def _next_id(self) -> int:
        self._ids += 1
        return self._ids

    def _closes(self, status: str) -> bool:
        if self.mapping.closes(status):
            return True
        process: Process | None = self._process
        if process is not None and status in process.state_names:
            return process.category_of(status) is StateCategory.DONE
        return False

    def _parts(self, status: str) -> _Parts:
        mapping = self.mapping
        closed = self._closes(status)
        reason = None
        if closed:
            reason = (
                "not_planned" if status == mapping.not_planned_status else "completed"
            )
        if mapping.status_source == "project_columns":
            columns = {
                named: column for column, named in mapping.column_statuses.items()
            }
            return _Parts(
                "closed" if closed else "open",
                reason,
                None,
                columns.get(status, status),
            )
        return _Parts(
            "closed" if closed else "open", reason, mapping.status_label(status), None
        )

    def number_of(self, key: str) -> int:
        """Return the issue number a work item key was given.

        Raises
        ------
        KeyError
            If no issue came from `key`.
        """
        return self._numbers[key]

    def _load(self, workspace: Workspace) -> None:
        items = list(workspace.work_items)
        numbers: dict[str, int] = {}
        taken: set[int] = set()
        for item in items:
            match = _TRAILING_NUMBER.search(item.key)
            number = int(match.group(1)) if match else 0
            if number > 0 and number not in taken:
                numbers[item.key] = number
                taken.add(number)
        for item in items:
            if item.key not in numbers:
                number = max(taken, default=0) + 1
                numbers[item.key] = number
                taken.add(number)
        self._numbers = numbers
        for release in workspace.releases:
            self._add_release(release)
        for item in items:
            self._issues[numbers[item.key]] = self._issue_from(item)
        for item in items:
            for link in item.links:
                blocker = numbers.get(link.target)
                if blocker is None:
                    continue
                if link.kind == "is blocked by":
                    self._block(numbers[item.key], blocker)
                elif link.kind == "blocks":
                    self._block(blocker, numbers[item.key])

    def _block(self, blocked: int, blocker: int) -> None:
        blockers = self._issues[blocked].blocked_by
        if blocker not in blockers and blocker != blocked:
            blockers.append(blocker)

    def _milestone(self, title: str) -> int:
        return self._milestones.setdefault(title, len(self._milestones) + 1)

    def _issue_from(self, item: WorkItem) -> _Issue:
        mapping = self.mapping
        created = _second(item.created)
        timeline = item.timeline()
        initial = timeline[0][0] if item.history and timeline else item.status
        now = self._parts(item.status)
        last = item.history[-1].at if item.history else item.created
        labels = list(item.labels)
        kind = None
        if item.type not in (mapping.default_type, mapping.pull_request_type):
            kind = item.type
        estimate = repr(item.estimate) if item.estimate is not None else None
        prefixed = (
            (mapping.type_label_prefix, kind),
            (mapping.priority_label_prefix, item.priority),
            (mapping.team_label_prefix, item.team),
            (mapping.estimate_label_prefix, estimate),
        )
        labels += [f"{prefix}{value}" for prefix, value in prefixed if prefix and value]
        if now.label:
            labels.append(now.label)
        issue = _Issue(
            number=self._numbers[item.key],
            title=item.title,
            state=now.state,
            state_reason=now.reason,
            labels=labels,
            assignee=item.assignee,
            milestone=self._milestone(item.releases[0]) if item.releases else None,
            created=created,
            updated=_second(item.updated or last),
            closed=_second(item.resolved) if item.resolved else None,
            author=item.assignee or "octocat",
            html_url=item.url,
            pull_request=item.type == mapping.pull_request_type,
        )
        self._transition(issue, None, self._parts(initial), created, actor=None)
        previous = initial
        for change in item.history:
            self._transition(
                issue,
                self._parts(previous),
                self._parts(change.to_status),
                _second(change.at),
                actor=change.author,
            )
            previous = change.to_status
        return issue

    def _transition(
        self,
        issue: _Issue,
        old: _Parts | None,
        new: _Parts,
        at: datetime,
        *,
        actor: str | None,
    ) -> None:
        start = old or _Parts("open", None, None, None)
        if new.label != start.label:
            if start.label:
                self._event(issue, "unlabeled", at, actor, label=start.label)
            if new.label:
                self._event(issue, "labeled", at, actor, label=new.label)
        if new.column != start.column:
            if new.column is None:
                self._event(issue, "removed_from_project", at, actor, column=None)
            elif start.column is None:
                self._event(issue, "added_to_project", at, actor, column=new.column)
            else:
                self._event(
                    issue,
                    "moved_columns_in_project",
                    at,
                    actor,
                    column=new.column,
                    previous=start.column,
                )
        if new.state != start.state or (
            new.state == "closed" and new.reason != start.reason
        ):
            if new.state == "closed":
                self._event(issue, "closed", at, actor, reason=new.reason)
            else:
                self._event(issue, "reopened", at, actor, reason="reopened")

    def _event(
        self,
        issue: _Issue,
        name: str,
        at: datetime,
        actor: str | None,
        *,
        label: str | None = None,
        column: str | None = None,
        previous: str | None = None,
        reason: str | None = None,
    ) -> None:
        extra: dict[str, Any] = {}
        if label is not None:
            extra["label"] = {"name": label, "color": _color(label)}
        if name in ("added_to_project", "moved_columns_in_project"):
            card: dict[str, Any] = {"column_name": column}
            if previous is not None:
                card["previous_column_name"] = previous
            extra["project_card"] = card
        if name in ("closed", "reopened"):
            extra["state_reason"] = reason
        issue.events.append(_Event(self._next_id(), name, at, actor, extra))

    def _add_release(self, release: Release) -> None:
        published = None
        if release.status is ReleaseStatus.RELEASED:
            published = _second(release.released_at or _EPOCH)
        created = published or (
            datetime.combine(release.target_date, datetime.min.time(), tzinfo=UTC)
            if release.target_date
            else _EPOCH
        )
        ident = len(self._releases) + 1
        self._releases.append(
            _Release(
                id=ident,
                tag=release.key,
                name=release.name,
                body=release.description,
                draft=release.status
                in (
                    ReleaseStatus.PLANNED,
                    ReleaseStatus.FROZEN,
                    ReleaseStatus.CANCELLED,
                ),
                prerelease=release.status is ReleaseStatus.IN_PROGRESS,
                created=created,
                published=published,
            )
        )
        for deployment in release.deployments:
            self._add_deployment(deployment)

    def _add_deployment(self, deployment: Deployment) -> None:
        match = _TRAILING_NUMBER.search(deployment.key)
        ident = int(match.group(1)) if match else 0
        if ident <= 0 or ident in self._deployments:
            ident = max(self._deployments, default=0) + 1
        at = _second(deployment.deployed_at)
        sha = hashlib.sha1(deployment.key.encode(), usedforsecurity=False).hexdigest()
        payload: dict[str, Any] = {"service": deployment.service}
        if deployment.release:
            payload["release"] = deployment.release
        if deployment.items:
            payload["items"] = list(deployment.items)
        statuses = [(self._next_id(), "in_progress", at - timedelta(minutes=5), "")]
        if deployment.status is DeploymentStatus.FAILURE:
            statuses.append((self._next_id(), "failure", at, "Deployment failed."))
        else:
            statuses.append((self._next_id(), "success", at, "Deployment finished."))
        if deployment.status is DeploymentStatus.ROLLED_BACK:
            statuses.append(
                (self._next_id(), "failure", at + timedelta(minutes=1), "Rolled back.")
            )
        self._deployments[ident] = _Deployment(
            id=ident,
            sha=sha,
            ref=deployment.version or sha,
            environment=deployment.environment,
            payload=payload,
            created=at - timedelta(minutes=10),
            statuses=statuses,
        )

    # -- hooks -----------------------------------------------------------------------

    def check_auth(self, request: FakeRequest) -> bool:
        """Accept the configured token as ``Bearer`` or ``token`` (any without one)."""
        if self._token is None:
            return True
        given = request.headers.get("authorization", "")
        return given in (f"Bearer {self._token}", f"token {self._token}")

    def error_body(
        self, status: int, messages: Sequence[str], errors: Mapping[str, str]
    ) -> Any:
        """GitHub's error shape: ``message``, ``documentation_url``, ``status``."""
        body: dict[str, Any] = {
            "message": "; ".join(messages),
            "documentation_url": _DOCS,
            "status": str(status),
        }
        if errors:
            body["errors"] = [
                {"resource": "Issue", "field": name, "code": code}
                for name, code in errors.items()
            ]
        return body

    def unauthorized(self, request: FakeRequest) -> httpx.Response:
        """Answer 401 ``Bad credentials``, as GitHub does for a refused token."""
        return self.error(401, "Bad credentials")

    def not_found(self, request: FakeRequest) -> httpx.Response:
        """Answer 404 ``Not Found``."""
        return self.error(404, "Not Found")

    def _budget(self) -> dict[str, str]:
        with self._budget_lock:
            used = self._used
        return {
            "x-ratelimit-limit": str(self.limit),
            "x-ratelimit-remaining": str(max(self.limit - used, 0)),
            "x-ratelimit-used": str(used),
            "x-ratelimit-reset": str(self._reset),
            "x-ratelimit-resource": "core",
        }

    def extra_headers(self, request: FakeRequest, status: int) -> dict[str, str]:
        """Count the request against the budget (not a 304) and report it."""
        if status != 304:
            with self._budget_lock:
                self._used += 1
        headers = self._budget()
        headers["x-github-request-id"] = f"FAKE:{request.number}"
        headers["x-github-media-type"] = "github.v3; format=json"
        return headers

    @property
    def rate_limit_remaining(self) -> int:
        """Requests left in the primary budget."""
        with self._budget_lock:
            return max(self.limit - self._used, 0)

    def rate_limited(self, request: FakeRequest) -> httpx.Response:
        """Refuse as GitHub's primary or secondary limit does (see ``rate_limit``)."""
        retry = self.faults.retry_after
        if self.rate_limit_kind == "primary":
            headers = self._budget()
            headers["x-ratelimit-remaining"] = "0"
            headers["x-ratelimit-used"] = str(self.limit)
            headers["x-ratelimit-reset"] = str(int(self._clock()) + retry)
            body = {"message": _PRIMARY, "documentation_url": _LIMITS_DOCS}
            return self.json_response(body, status=403, headers=headers)
        body = {
            "message": _SECONDARY,
            "documentation_url": f"{_LIMITS_DOCS}#about-secondary-rate-limits",
        }
        status = 429 if self.rate_limit_kind == "429" else 403
        return self.json_response(
            body, status=status, headers={"retry-after": str(retry)}
        )

    # -- helpers ---------------------------------------------------------------------

    def _now(self) -> datetime:
        return datetime.fromtimestamp(int(self._clock()), tz=UTC)

    def _check_repo(self, request: FakeRequest) -> None:
        params = request.path_params
        if "repository_id" in params:
            if int(params["repository_id"]) != self.repository_id:
                raise FakeHTTPError(404, "Not Found")
            return
        if (params.get("owner"), params.get("repo")) != (self.owner, self.repo):
            raise FakeHTTPError(404, "Not Found")

    def _roots(self, request: FakeRequest) -> tuple[str, str]:
        api = request.base_url + request.path_params.get("api", "")
        return api, f"{api}/repos/{self.owner}/{self.repo}"

    def _answer(
        self,
        request: FakeRequest,
        body: Any,
        *,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        response = self.json_response(body, status=status, headers=headers)
        if request.method != "GET":
            return response
        digest = hashlib.sha256(response.content)
        digest.update(str(sorted((headers or {}).items())).encode())
        etag = f'"{digest.hexdigest()[:32]}"'
        response.headers["etag"] = etag
        given = request.headers.get("if-none-match", "")
        tags = {tag.strip().removeprefix("W/") for tag in given.split(",")}
        if etag in tags:
            return self.empty_response(304, headers={"etag": etag})
        return response

    def _page(
        self,
        request: FakeRequest,
        records: Sequence[Any],
        *,
        link_path: str,
    ) -> httpx.Response:
        per_page = request.int_param("per_page", _DEFAULT_PER_PAGE)
        page = request.int_param("page", 1)
        if per_page < 1 or page < 1:
            raise FakeHTTPError(
                422, "per_page and page must be >= 1", errors={"per_page": "invalid"}
            )
        size = self.faults.cap(per_page, limit=_MAX_PER_PAGE)
        last = max((len(records) + size - 1) // size, 1)
        chunk = list(records[(page - 1) * size : page * size])
        api = request.base_url + request.path_params.get("api", "")
        kept = [(key, value) for key, value in request.params if key != "page"]

        def link(number: int, rel: str) -> str:
            query = urlencode([*kept, ("page", str(number))])
            return f'<{api}{link_path}?{query}>; rel="{rel}"'

        links = []
        if page < last:
            links += [link(page + 1, "next"), link(last, "last")]
        if page > 1:
            links += [link(page - 1, "prev"), link(1, "first")]
        headers = {"link": ", ".join(links)} if links else {}
        return self._answer(request, chunk, headers=headers)

    def _user(self, api: str, login: str | None) -> dict[str, Any] | None:
        if login is None:
            return None
        ident = _stable("user", login)
        return {
            "login": login,
            "id": ident,
            "node_id": _node_id("U", ident),
            "url": f"{api}/users/{login}",
            "type": "User",
            "site_admin": False,
        }

    def _label(self, repo_api: str, name: str) -> dict[str, Any]:
        ident = _stable("label", name)
        return {
            "id": ident,
            "node_id": _node_id("LA", ident),
            "url": f"{repo_api}/labels/{name}",
            "name": name,
            "description": None,
            "color": _color(name),
            "default": False,
        }

    def _issue_json(self, request: FakeRequest, issue: _Issue) -> dict[str, Any]:
        api, repo_api = self._roots(request)
        n = issue.number
        kind = "pull" if issue.pull_request else "issues"
        html = (
            issue.html_url or f"{request.base_url}/{self.owner}/{self.repo}/{kind}/{n}"
        )
        milestone = None
        if issue.milestone is not None:
            title = next(t for t, m in self._milestones.items() if m == issue.milestone)
            milestone = {
                "url": f"{repo_api}/milestones/{issue.milestone}",
                "id": issue.milestone,
                "node_id": _node_id("MI", issue.milestone),
                "number": issue.milestone,
                "title": title,
                "state": "open",
            }
        body: dict[str, Any] = {
            "url": f"{repo_api}/issues/{n}",
            "repository_url": repo_api,
            "html_url": html,
            "id": 1000 + n,
            "node_id": _node_id("I", n),
            "number": n,
            "title": issue.title,
            "user": self._user(api, issue.author),
            "labels": [self._label(repo_api, name) for name in issue.labels],
            "state": issue.state,
            "locked": False,
            "assignee": self._user(api, issue.assignee),
            "assignees": [self._user(api, issue.assignee)] if issue.assignee else [],
            "milestone": milestone,
            "comments": len(issue.comments),
            "created_at": _iso(issue.created),
            "updated_at": _iso(issue.updated),
            "closed_at": _iso(issue.closed),
            "author_association": "MEMBER",
            "body": issue.body,
            "timeline_url": f"{repo_api}/issues/{n}/timeline",
            "state_reason": issue.state_reason,
        }
        if issue.pull_request:
            body["pull_request"] = {
                "url": f"{repo_api}/pulls/{n}",
                "html_url": html,
                "diff_url": f"{html}.diff",
                "patch_url": f"{html}.patch",
                "merged_at": None,
            }
        return body

    def _issue(self, request: FakeRequest) -> _Issue:
        self._check_repo(request)
        issue = self._issues.get(int(request.path_params["number"]))
        if issue is None:
            raise FakeHTTPError(404, "Not Found")
        return issue

    # -- issues ----------------------------------------------------------------------

    @route("GET", _REPO + "/issues")
    @route("GET", _BY_ID + "/issues")
    def list_issues(self, request: FakeRequest) -> httpx.Response:
        """``GET /repos/{owner}/{repo}/issues``: filtered, sorted, paged."""
        self._check_repo(request)
        state = request.param("state", "open")
        sort = request.param("sort", "created")
        direction = request.param("direction", "desc")
        problems = {}
        if state not in ("open", "closed", "all"):
            problems["state"] = "invalid"
        if sort not in ("created", "updated", "comments"):
            problems["sort"] = "invalid"
        if direction not in ("asc", "desc"):
            problems["direction"] = "invalid"
        since = None
        if request.param("since"):
            try:
                since = datetime.fromisoformat(
                    str(request.param("since")).replace("Z", "+00:00")
                )
            except ValueError:
                problems["since"] = "invalid"
            else:
                if since.tzinfo is None:
                    since = since.replace(tzinfo=UTC)
        if problems:
            raise FakeHTTPError(422, "Validation Failed", errors=problems)
        issues = [
            issue
            for issue in self._issues.values()
            if (state == "all" or issue.state == state)
            and (since is None or issue.updated >= since)
            and self._matches(issue, request)
        ]

        def order(issue: _Issue) -> tuple[Any, int]:
            if sort == "updated":
                return issue.updated, issue.number
            if sort == "comments":
                return len(issue.comments), issue.number
            return issue.created, issue.number

        issues.sort(key=order, reverse=direction == "desc")
        records = [self._issue_json(request, issue) for issue in issues]
        return self._page(
            request, records, link_path=f"/repositories/{self.repository_id}/issues"
        )

    def _matches(self, issue: _Issue, request: FakeRequest) -> bool:
        wanted = request.param_list("labels")
        if wanted and not set(wanted) <= set(issue.labels):
            return False
        milestone = request.param("milestone")
        if milestone == "*" and issue.milestone is None:
            return False
        if milestone == "none" and issue.milestone is not None:
            return False
        if milestone not in (None, "*", "none") and str(issue.milestone) != milestone:
            return False
        assignee = request.param("assignee")
        if assignee == "*" and issue.assignee is None:
            return False
        if assignee == "none" and issue.assignee is not None:
            return False
        if assignee not in (None, "*", "none") and issue.assignee != assignee:
            return False
        creator = request.param("creator")
        return creator is None or issue.author == creator

    @route("GET", _REPO + "/issues/{number:[0-9]+}")
    def get_issue(self, request: FakeRequest) -> httpx.Response:
        """``GET /repos/{owner}/{repo}/issues/{issue_number}``."""
        return self._answer(request, self._issue_json(request, self._issue(request)))

    def _labels_of(self, value: Any) -> list[str]:
        if not isinstance(value, list):
            raise FakeHTTPError(422, "Validation Failed", errors={"labels": "invalid"})
        names = []
        for label in value:
            name = label.get("name") if isinstance(label, dict) else label
            if not isinstance(name, str) or not name.strip():
                raise FakeHTTPError(
                    422, "Validation Failed", errors={"labels": "invalid"}
                )
            names.append(name)
        return list(dict.fromkeys(names))

    def _login(self, request: FakeRequest) -> str:
        return "octocat" if request.auth_scheme else "ghost"

    @route("POST", _REPO + "/issues")
    def create_issue(self, request: FakeRequest) -> httpx.Response:
        """``POST /repos/{owner}/{repo}/issues``: title required; 201."""
        self._check_repo(request)
        payload = request.json()
        if not isinstance(payload, dict):
            raise FakeHTTPError(400, "Problems parsing JSON")
        title = payload.get("title")
        if not isinstance(title, str | int) or not str(title).strip():
            raise FakeHTTPError(
                422, "Validation Failed", errors={"title": "missing_field"}
            )
        now = self._now()
        number = max(self._issues, default=0) + 1
        assignees = payload.get("assignees") or (
            [payload["assignee"]] if payload.get("assignee") else []
        )
        milestone = payload.get("milestone")
        issue = _Issue(
            number=number,
            title=str(title),
            state="open",
            state_reason=None,
            labels=[],
            assignee=str(assignees[0]) if assignees else None,
            milestone=milestone if isinstance(milestone, int) else None,
            created=now,
            updated=now,
            closed=None,
            author=self._login(request),
            body=payload.get("body"),
        )
        self._issues[number] = issue
        self._relabel(issue, self._labels_of(payload.get("labels", [])), now, request)
        body = self._issue_json(request, issue)
        return self.json_response(body, status=201, headers={"Location": body["url"]})

    def _relabel(
        self, issue: _Issue, labels: Iterable[str], at: datetime, request: FakeRequest
    ) -> None:
        wanted = list(labels)
        actor = self._login(request)
        for name in [label for label in issue.labels if label not in wanted]:
            issue.labels.remove(name)
            self._event(issue, "unlabeled", at, actor, label=name)
        for name in wanted:
            if name not in issue.labels:
                issue.labels.append(name)
                self._event(issue, "labeled", at, actor, label=name)

    @route("PATCH", _REPO + "/issues/{number:[0-9]+}")
    def update_issue(self, request: FakeRequest) -> httpx.Response:
        """``PATCH /repos/{owner}/{repo}/issues/{issue_number}``."""
        issue = self._issue(request)
        payload = request.json()
        if not isinstance(payload, dict):
            raise FakeHTTPError(400, "Problems parsing JSON")
        state = payload.get("state")
        if state is not None and state not in ("open", "closed"):
            raise FakeHTTPError(422, "Validation Failed", errors={"state": "invalid"})
        reason = payload.get("state_reason")
        if reason not in (None, "completed", "not_planned", "duplicate", "reopened"):
            raise FakeHTTPError(
                422, "Validation Failed", errors={"state_reason": "invalid"}
            )
        now = self._now()
        actor = self._login(request)
        if "title" in payload:
            issue.title = str(payload["title"])
        if "body" in payload:
            issue.body = payload["body"]
        if "assignees" in payload:
            logins = payload["assignees"] or []
            issue.assignee = str(logins[0]) if logins else None
        if "labels" in payload:
            self._relabel(issue, self._labels_of(payload["labels"]), now, request)
        if state == "closed" and (
            issue.state != "closed" or issue.state_reason != (reason or "completed")
        ):
            issue.state, issue.state_reason = "closed", reason or "completed"
            issue.closed = now
            self._event(issue, "closed", now, actor, reason=issue.state_reason)
        elif state == "open" and issue.state == "closed":
            issue.state, issue.state_reason, issue.closed = "open", "reopened", None
            self._event(issue, "reopened", now, actor, reason="reopened")
        issue.updated = now
        return self.json_response(self._issue_json(request, issue))

    @route("POST", _REPO + "/issues/{number:[0-9]+}/comments")
    def create_comment(self, request: FakeRequest) -> httpx.Response:
        """``POST /repos/{owner}/{repo}/issues/{issue_number}/comments``."""
        issue = self._issue(request)
        payload = request.json()
        text = payload.get("body") if isinstance(payload, dict) else None
        if not isinstance(text, str) or not text:
            raise FakeHTTPError(422, "Validation Failed", errors={"body": "missing"})
        now = self._now()
        comment = {"id": self._next_id(), "body": text, "at": now}
        comment["user"] = self._login(request)
        issue.comments.append(comment)
        issue.updated = now
        api, repo_api = self._roots(request)
        body = self._comment_json(api, repo_api, issue, comment)
        return self.json_response(body, status=201, headers={"Location": body["url"]})

    def _comment_json(
        self, api: str, repo_api: str, issue: _Issue, comment: Mapping[str, Any]
    ) -> dict[str, Any]:
        return {
            "url": f"{repo_api}/issues/comments/{comment['id']}",
            "issue_url": f"{repo_api}/issues/{issue.number}",
            "id": comment["id"],
            "node_id": _node_id("IC", comment["id"]),
            "user": self._user(api, comment["user"]),
            "created_at": _iso(comment["at"]),
            "updated_at": _iso(comment["at"]),
            "author_association": "MEMBER",
            "body": comment["body"],
        }

    @route("GET", _REPO + "/issues/{number:[0-9]+}/timeline")
    @route("GET", _BY_ID + "/issues/{number:[0-9]+}/timeline")
    def timeline(self, request: FakeRequest) -> httpx.Response:
        """``GET /repos/{owner}/{repo}/issues/{issue_number}/timeline``."""
        issue = self._issue(request)
        api, repo_api = self._roots(request)
        entries: list[tuple[datetime, int, dict[str, Any]]] = [
            (
                event.at,
                event.id,
                {
                    "id": event.id,
                    "node_id": _node_id("E", event.id),
                    "url": f"{repo_api}/issues/events/{event.id}",
                    "actor": self._user(api, event.actor),
                    "event": event.event,
                    "commit_id": None,
                    "commit_url": None,
                    "created_at": _iso(event.at),
                    "performed_via_github_app": None,
                    **event.extra,
                },
            )
            for event in issue.events
        ]
        for comment in issue.comments:
            body = self._comment_json(api, repo_api, issue, comment)
            body["event"] = "commented"
            body["actor"] = body["user"]
            entries.append((comment["at"], comment["id"], body))
        entries.sort(key=lambda entry: (entry[0], entry[1]))
        return self._page(
            request,
            [entry[2] for entry in entries],
            link_path=f"/repositories/{self.repository_id}/issues/{issue.number}"
            "/timeline",
        )

    @route("GET", _REPO + "/issues/{number:[0-9]+}/dependencies/blocked_by")
    def blocked_by(self, request: FakeRequest) -> httpx.Response:
        """``GET .../issues/{issue_number}/dependencies/blocked_by``."""
        issue = self._issue(request)
        records = [
            self._issue_json(request, self._issues[number])
            for number in issue.blocked_by
            if number in self._issues
        ]
        return self._page(
            request,
            records,
            link_path=f"/repos/{self.owner}/{self.repo}/issues/{issue.number}"
            "/dependencies/blocked_by",
        )

    @route("GET", _REPO + "/labels")
    def labels(self, request: FakeRequest) -> httpx.Response:
        """``GET /repos/{owner}/{repo}/labels``: every label ever applied, by name."""
        self._check_repo(request)
        _, repo_api = self._roots(request)
        names = sorted(
            {name for issue in self._issues.values() for name in issue.labels}
            | {
                event.extra["label"]["name"]
                for issue in self._issues.values()
                for event in issue.events
                if "label" in event.extra
            }
        )
        records = [self._label(repo_api, name) for name in names]
        return self._page(
            request, records, link_path=f"/repos/{self.owner}/{self.repo}/labels"
        )

    # -- releases and deployments ------------------------------------------------------

    @route("GET", _REPO + "/releases")
    @route("GET", _BY_ID + "/releases")
    def releases(self, request: FakeRequest) -> httpx.Response:
        """``GET /repos/{owner}/{repo}/releases``: newest first."""
        self._check_repo(request)
        api, repo_api = self._roots(request)
        ordered = sorted(self._releases, key=lambda r: (r.created, r.id), reverse=True)
        records: list[dict[str, Any]] = [
            {
                "url": f"{repo_api}/releases/{release.id}",
                "html_url": f"{request.base_url}/{self.owner}/{self.repo}/releases/tag/"
                f"{release.tag}",
                "id": release.id,
                "node_id": _node_id("RE", release.id),
                "tag_name": release.tag,
                "target_commitish": "main",
                "name": release.name,
                "draft": release.draft,
                "prerelease": release.prerelease,
                "created_at": _iso(release.created),
                "published_at": _iso(release.published),
                "body": release.body,
                "assets": [],
                "author": self._user(api, "octocat"),
            }
            for release in ordered
        ]
        return self._page(
            request, records, link_path=f"/repositories/{self.repository_id}/releases"
        )

    @route("GET", _REPO + "/deployments")
    def deployments(self, request: FakeRequest) -> httpx.Response:
        """``GET /repos/{owner}/{repo}/deployments``: filtered, newest first."""
        self._check_repo(request)
        api, repo_api = self._roots(request)
        wanted = {
            name: request.param(name)
            for name in ("sha", "ref", "task", "environment")
            if request.param(name) is not None
        }
        found = [
            deployment
            for deployment in self._deployments.values()
            if all(
                {
                    "sha": deployment.sha,
                    "ref": deployment.ref,
                    "task": "deploy",
                    "environment": deployment.environment,
                }[name]
                == value
                for name, value in wanted.items()
            )
        ]
        found.sort(key=lambda d: (d.created, d.id), reverse=True)
        records = [
            {
                "url": f"{repo_api}/deployments/{d.id}",
                "id": d.id,
                "node_id": _node_id("DE", d.id),
                "sha": d.sha,
                "ref": d.ref,
                "task": "deploy",
                "payload": d.payload,
                "original_environment": d.environment,
                "environment": d.environment,
                "description": None,
                "creator": self._user(api, "octocat"),
                "created_at": _iso(d.created),
                "updated_at": _iso(d.statuses[-1][2] if d.statuses else d.created),
                "statuses_url": f"{repo_api}/deployments/{d.id}/statuses",
                "repository_url": repo_api,
                "transient_environment": False,
                "production_environment": d.environment == "production",
            }
            for d in found
        ]
        return self._page(
            request, records, link_path=f"/repos/{self.owner}/{self.repo}/deployments"
        )

    @route("GET", _REPO + "/deployments/{deployment_id:[0-9]+}/statuses")
    def deployment_statuses(self, request: FakeRequest) -> httpx.Response:
        """``GET .../deployments/{deployment_id}/statuses``: oldest first."""
        self._check_repo(request)
        api, repo_api = self._roots(request)
        ident = int(request.path_params["deployment_id"])
        deployment = self._deployments.get(ident)
        if deployment is None:
            raise FakeHTTPError(404, "Not Found")
        records = [
            {
                "url": f"{repo_api}/deployments/{ident}/statuses/{status_id}",
                "id": status_id,
                "node_id": _node_id("DES", status_id),
                "state": state,
                "creator": self._user(api, "octocat"),
                "description": description,
                "environment": deployment.environment,
                "target_url": "",
                "created_at": _iso(at),
                "updated_at": _iso(at),
                "deployment_url": f"{repo_api}/deployments/{ident}",
                "repository_url": repo_api,
                "environment_url": "",
                "log_url": "",
            }
            for status_id, state, at, description in deployment.statuses
        ]
        return self._page(
            request,
            records,
            link_path=f"/repos/{self.owner}/{self.repo}/deployments/{ident}/statuses",
        )
