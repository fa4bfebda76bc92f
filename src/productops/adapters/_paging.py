"""Pagination strategies, resumable: every page says how to fetch the next one.

A `Paginator` reads a page's records and works out the request for the next
page; `paginate` drives it over an `HttpCore`. Each `Page` carries `next`,
the next page's `PageRequest`, which is plain JSON (`PageRequest.to_dict`):
save it after processing a page and pass it back as `resume=` to carry on
where a killed sync stopped. Retries happen per request inside the core, so a
429 in the middle never restarts the iteration.

The families, as the tools use them:

- `BodyToken`: an opaque token in the body, sent back as a parameter (Jira's
  ``nextPageToken``, Slack, Notion, Asana);
- `LinkHeader`: the ``Link: <url>; rel="next"`` header, followed verbatim
  (GitHub, Confluence);
- `Offset`: ``startAt`` / ``maxResults`` with ``isLast`` or ``total`` (Jira
  changelogs and versions, Jira Data Center search);
- `GraphQLCursor`: Relay ``pageInfo { hasNextPage endCursor }`` (Linear,
  GitHub GraphQL).

Every paginator guards against a cycle: a next request equal to one already
made is a `ResponseFormatError`, not an endless loop.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import httpx

from ..errors import ResponseFormatError

if TYPE_CHECKING:
    from ._http import AsyncHttpCore, HttpCore

__all__ = [
    "BodyToken",
    "GraphQLCursor",
    "LinkHeader",
    "Offset",
    "Page",
    "PageRequest",
    "Paginator",
    "apaginate",
    "paginate",
]


@dataclass(frozen=True)
class PageRequest:
    """The request for one page: what to save to resume a sync.

    Attributes
    ----------
    method : str
    url : str
        Path under the adapter's base URL, or an absolute URL.
    params : dict
        Query parameters.
    json : object
        JSON body, for POST searches.

    Examples
    --------
    >>> request = PageRequest("GET", "/rest/api/3/search/jql",
    ...                       {"jql": "project = APP", "nextPageToken": "abc"})
    >>> PageRequest.from_dict(request.to_dict()) == request
    True
    """

    method: str
    url: str
    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None

    def to_dict(self) -> dict[str, Any]:
        """Return plain JSON, to save in a cursor file."""
        return {
            "method": self.method,
            "url": self.url,
            "params": dict(self.params),
            "json": self.json,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PageRequest:
        """Rebuild a request saved with `to_dict`."""
        return cls(
            str(data["method"]),
            str(data["url"]),
            dict(data.get("params") or {}),
            data.get("json"),
        )

    def describe(self) -> str:
        """Return ``METHOD url``, for messages."""
        return f"{self.method} {self.url}"


@dataclass(frozen=True)
class Page:
    """One page: its records, the request that got it, and the next request.

    Attributes
    ----------
    items : list
        The page's records, as JSON.
    request : PageRequest
        The request that returned this page.
    next : PageRequest or None
        The request for the following page; ``None`` on the last page.
    body : object
        The whole parsed body, for fields beside the records.

    Examples
    --------
    >>> Page([1, 2], PageRequest("GET", "/x"), None, [1, 2]).next is None
    True
    """

    items: list[Any]
    request: PageRequest
    next: PageRequest | None
    body: Any


class Paginator(Protocol):
    """**Protocol**: how a tool's pages hold records and point to the next page.

    Write one for a tool whose paging none of the built-ins fits: two
    methods, no base class.

    Examples
    --------
    >>> class Numbered:
    ...     def items(self, body, request):
    ...         return body["rows"]
    ...     def next(self, request, body, response):
    ...         if not body["more"]:
    ...             return None
    ...         page = request.params.get("page", 1) + 1
    ...         return PageRequest(request.method, request.url, {"page": page})
    >>> Numbered().next(PageRequest("GET", "/rows"), {"rows": [], "more": True},
    ...                 httpx.Response(200)).params
    {'page': 2}
    """

    def items(self, body: Any, request: PageRequest) -> list[Any]:
        """Return the records of a page; raise `ResponseFormatError` if absent."""
        ...

    def next(
        self, request: PageRequest, body: Any, response: httpx.Response
    ) -> PageRequest | None:
        """Return the request for the next page, or ``None`` after the last."""
        ...


def _dig(body: Any, path: Sequence[str]) -> Any:
    for part in path:
        if not isinstance(body, Mapping) or part not in body:
            return _MISSING
        body = body[part]
    return body


_MISSING = object()


def _records(
    body: Any, path: Sequence[str], request: PageRequest, adapter: str
) -> list[Any]:
    found = _dig(body, path) if path else body
    if not isinstance(found, list):
        where = ".".join(path) or "the body"
        msg = (
            f"{adapter}: the answer to {request.describe()} has no list at {where!r}; "
            "nothing from it was used"
        )
        raise ResponseFormatError(msg, adapter=adapter, request=request.describe())
    return found


@dataclass(frozen=True)
class BodyToken:
    """An opaque next-page token in the body, sent back as a parameter.

    Jira Cloud search: records under ``issues``, ``nextPageToken`` present
    until the last page (which also says ``isLast: true``); the token goes
    back as a query parameter for GET or a body field for POST.

    Attributes
    ----------
    items_path : tuple[str, ...]
        Where the records are (``("issues",)``).
    token_path : tuple[str, ...]
        Where the next token is (``("nextPageToken",)``).
    param : str
        The name to send it back under.
    in_body : bool
        Send it in the JSON body rather than the query.
    last_path : tuple[str, ...]
        A flag that marks the last page, when the tool has one.
    adapter : str
        For messages.

    Examples
    --------
    >>> jira = BodyToken(("issues",), ("nextPageToken",), "nextPageToken")
    >>> first = PageRequest("GET", "/rest/api/3/search/jql", {"jql": "project = A"})
    >>> jira.next(first, {"issues": [], "nextPageToken": "t2"},
    ...           httpx.Response(200)).params["nextPageToken"]
    't2'
    >>> jira.next(first, {"issues": [], "isLast": True}, httpx.Response(200)) is None
    True
    """

    items_path: tuple[str, ...]
    token_path: tuple[str, ...]
    param: str
    in_body: bool = False
    last_path: tuple[str, ...] = ("isLast",)
    adapter: str = "adapter"

    def items(self, body: Any, request: PageRequest) -> list[Any]:
        """Return the records under `items_path`."""
        return _records(body, self.items_path, request, self.adapter)

    def next(
        self, request: PageRequest, body: Any, response: httpx.Response
    ) -> PageRequest | None:
        """Return the same request with the new token, until there is none."""
        token = _dig(body, self.token_path)
        last = _dig(body, self.last_path) if self.last_path else _MISSING
        if token is _MISSING or token in (None, "") or last is True:
            return None
        if self.in_body:
            return PageRequest(
                request.method,
                request.url,
                request.params,
                {**(request.json or {}), self.param: token},
            )
        return PageRequest(
            request.method,
            request.url,
            {**request.params, self.param: token},
            request.json,
        )


@dataclass(frozen=True)
class LinkHeader:
    """The ``Link`` header's ``rel="next"`` URL, followed verbatim (GitHub).

    Attributes
    ----------
    items_path : tuple[str, ...]
        Where the records are; empty when the body is the list itself.
    adapter : str
        For messages.

    Examples
    --------
    >>> link = '<https://127.0.0.1/repositories/1/issues?page=2>; rel="next"'
    >>> LinkHeader().next(PageRequest("GET", "/repos/o/r/issues", {"per_page": 100}),
    ...                   [], httpx.Response(200, headers={"Link": link})).url
    'https://127.0.0.1/repositories/1/issues?page=2'
    """

    items_path: tuple[str, ...] = ()
    adapter: str = "adapter"

    def items(self, body: Any, request: PageRequest) -> list[Any]:
        """Return the records (the body itself by default)."""
        return _records(body, self.items_path, request, self.adapter)

    def next(
        self, request: PageRequest, body: Any, response: httpx.Response
    ) -> PageRequest | None:
        """Return the next URL from the header; its query replaces ours."""
        url = response.links.get("next", {}).get("url")
        if not url:
            return None
        return PageRequest(request.method, url, {}, request.json)


@dataclass(frozen=True)
class Offset:
    """``startAt`` / ``maxResults`` paging, stopping on ``isLast`` or ``total``.

    The next offset is the current one plus the number of records received
    (servers may return fewer than asked). An empty page ends the iteration.

    Attributes
    ----------
    items_path : tuple[str, ...]
    start : str
        The offset parameter.
    last_path : tuple[str, ...]
        The last-page flag, if the tool sends one.
    total_path : tuple[str, ...]
        The total count, if the tool sends one.
    adapter : str

    Examples
    --------
    >>> paging = Offset(("values",))
    >>> request = PageRequest("GET", "/rest/api/3/project/A/version",
    ...                       {"startAt": 0, "maxResults": 2})
    >>> paging.next(request, {"values": [1, 2], "total": 5},
    ...             httpx.Response(200)).params["startAt"]
    2
    >>> paging.next(request, {"values": [1, 2], "isLast": True},
    ...             httpx.Response(200)) is None
    True
    """

    items_path: tuple[str, ...]
    start: str = "startAt"
    last_path: tuple[str, ...] = ("isLast",)
    total_path: tuple[str, ...] = ("total",)
    adapter: str = "adapter"

    def items(self, body: Any, request: PageRequest) -> list[Any]:
        """Return the records under `items_path`."""
        return _records(body, self.items_path, request, self.adapter)

    def next(
        self, request: PageRequest, body: Any, response: httpx.Response
    ) -> PageRequest | None:
        """Return the request for the following offset, until the last page."""
        received = len(self.items(body, request))
        if received == 0 or _dig(body, self.last_path) is True:
            return None
        offset = int(request.params.get(self.start, 0)) + received
        total = _dig(body, self.total_path)
        if isinstance(total, int) and offset >= total:
            return None
        return PageRequest(
            request.method,
            request.url,
            {**request.params, self.start: offset},
            request.json,
        )


@dataclass(frozen=True)
class GraphQLCursor:
    """Relay-style ``pageInfo { hasNextPage endCursor }`` paging over POST.

    Attributes
    ----------
    connection_path : tuple[str, ...]
        Path to the connection (``("data", "issues")``); records are its
        ``nodes`` (or ``edges[].node``).
    variable : str
        The query variable that takes the cursor (``"after"``).
    adapter : str

    Examples
    --------
    >>> paging = GraphQLCursor(("data", "issues"))
    >>> body = {"data": {"issues": {"nodes": [{"id": 1}],
    ...         "pageInfo": {"hasNextPage": True, "endCursor": "c1"}}}}
    >>> request = PageRequest("POST", "/graphql", {}, {"query": "q", "variables": {}})
    >>> paging.next(request, body, httpx.Response(200)).json["variables"]
    {'after': 'c1'}
    """

    connection_path: tuple[str, ...]
    variable: str = "after"
    adapter: str = "adapter"

    def items(self, body: Any, request: PageRequest) -> list[Any]:
        """Return the connection's nodes."""
        connection = _dig(body, self.connection_path)
        if isinstance(connection, Mapping) and "edges" in connection:
            edges = _records(connection, ("edges",), request, self.adapter)
            return [edge.get("node") for edge in edges]
        return _records(body, (*self.connection_path, "nodes"), request, self.adapter)

    def next(
        self, request: PageRequest, body: Any, response: httpx.Response
    ) -> PageRequest | None:
        """Return the query with ``after`` at the end cursor, while there is more."""
        info = _dig(body, (*self.connection_path, "pageInfo"))
        if not isinstance(info, Mapping) or not info.get("hasNextPage"):
            return None
        payload = dict(request.json or {})
        payload["variables"] = {
            **(payload.get("variables") or {}),
            self.variable: info.get("endCursor"),
        }
        return PageRequest(request.method, request.url, request.params, payload)


class _Walk:
    """The bookkeeping `paginate` and `apaginate` share: cycles and pages."""

    def __init__(self, adapter: str, paginator: Paginator) -> None:
        self.adapter = adapter
        self.paginator = paginator
        self.seen: set[str] = set()

    def check(self, request: PageRequest) -> None:
        key = json.dumps(request.to_dict(), sort_keys=True, default=str)
        if key in self.seen:
            msg = (
                f"{self.adapter}: the tool pointed back to a page already fetched "
                f"({request.describe()}); stopping instead of looping"
            )
            raise ResponseFormatError(
                msg, adapter=self.adapter, request=request.describe()
            )
        self.seen.add(key)

    def page(self, request: PageRequest, response: httpx.Response, body: Any) -> Page:
        items = self.paginator.items(body, request)
        return Page(items, request, self.paginator.next(request, body, response), body)


def paginate(
    core: HttpCore,
    paginator: Paginator,
    first: PageRequest,
    *,
    resume: PageRequest | None = None,
    idempotent: bool = True,
) -> Iterator[Page]:
    """Fetch pages one after another; each `Page` says how to fetch the next.

    Parameters
    ----------
    core : HttpCore
    paginator : Paginator
    first : PageRequest
        The first page's request.
    resume : PageRequest, optional
        A `Page.next` saved by an earlier run: start there instead.
    idempotent : bool, default True
        Whether a page request may be retried (reads may, even over POST).

    Raises
    ------
    ResponseFormatError
        If a page is not JSON, lacks its records, or points back to a page
        already fetched.

    Examples
    --------
    >>> from productops.adapters import HttpCore
    >>> pages = {None: {"items": [1, 2], "next": "b"}, "b": {"items": [3]}}
    >>> core = HttpCore(adapter="demo", base_url="https://127.0.0.1",
    ...                 transport=httpx.MockTransport(lambda r: httpx.Response(
    ...                     200, json=pages[r.url.params.get("cursor")])))
    >>> paging = BodyToken(("items",), ("next",), "cursor")
    >>> [page.items for page in paginate(core, paging, PageRequest("GET", "/list"))]
    [[1, 2], [3]]
    """
    walk = _Walk(core.adapter, paginator)
    request: PageRequest | None = resume or first
    while request is not None:
        walk.check(request)
        response = core.request(
            request.method,
            request.url,
            params=request.params or None,
            json=request.json,
            idempotent=idempotent,
        )
        page = walk.page(request, response, core.parse_json(response))
        yield page
        request = page.next


async def apaginate(
    core: AsyncHttpCore,
    paginator: Paginator,
    first: PageRequest,
    *,
    resume: PageRequest | None = None,
    idempotent: bool = True,
) -> AsyncIterator[Page]:
    """Fetch pages like `paginate`, over an `AsyncHttpCore`.

    Examples
    --------
    >>> import asyncio
    >>> from productops.adapters import AsyncHttpCore
    >>> async def main():
    ...     core = AsyncHttpCore(adapter="demo", base_url="https://127.0.0.1",
    ...                          transport=httpx.MockTransport(
    ...                              lambda r: httpx.Response(200, json=[1, 2])))
    ...     return [page.items async for page in apaginate(
    ...         core, LinkHeader(), PageRequest("GET", "/list"))]
    >>> asyncio.run(main())
    [[1, 2]]
    """
    walk = _Walk(core.adapter, paginator)
    request: PageRequest | None = resume or first
    while request is not None:
        walk.check(request)
        response = await core.request(
            request.method,
            request.url,
            params=request.params or None,
            json=request.json,
            idempotent=idempotent,
        )
        page = walk.page(request, response, core.parse_json(response))
        yield page
        request = page.next
