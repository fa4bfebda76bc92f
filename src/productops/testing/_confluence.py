"""FakeConfluence: spaces and pages served in Confluence Cloud's REST v2 shapes.

The shapes follow Atlassian's OpenAPI description of the v2 API
(``openapi-v2.v3.json``: ``MultiEntityResult<Page>``, ``PageBulk``,
``PageSingle``, ``SpaceBulk``) and the recorded sample
``tests/data/api/confluence/pages-list.json``.
"""

from __future__ import annotations

import base64
import binascii
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import quote_plus, urlencode

import httpx

from productops.errors import InvalidInputError

from ._fake import FakeHTTPError, FakeRequest, FakeService, Faults, route

__all__ = ["FakeConfluence", "StoredPage"]

_API: Final = "/wiki/api/v2"
_MAX_LIMIT: Final = 250
_DEFAULT_LIMIT: Final = 25
_FIRST_SPACE: Final = 98765
_FIRST_PAGE: Final = 1001
_AUTHOR: Final = "5b10a2844c20165700ede21g"
_ROOT: Final = (
    '<root xmlns:ac="http://atlassian.com/content" '
    'xmlns:ri="http://atlassian.com/resource/identifier">'
)
_PAGE_PARAMS: Final = frozenset(
    {"id", "space-id", "sort", "status", "title", "body-format", "cursor", "limit"}
)
_SPACE_PARAMS: Final = frozenset({"ids", "keys", "type", "status", "cursor", "limit"})


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}Z"
    )


@dataclass(frozen=True, slots=True)
class StoredPage:
    """A page as `FakeConfluence` holds it, for assertions.

    Attributes
    ----------
    id : str
    space_key : str
    title : str
    parent_id : str or None
    version : int
    body : str
        The storage-format body of the current version.
    versions : tuple of str
        The body of every version, oldest first.

    Examples
    --------
    >>> StoredPage("1", "PO", "Plan", None, 1, "<p/>", ("<p/>",)).version
    1
    """

    id: str
    space_key: str
    title: str
    parent_id: str | None
    version: int
    body: str
    versions: tuple[str, ...]


@dataclass(slots=True)
class _Page:
    id: str
    space_id: str
    title: str
    parent_id: str | None
    created: datetime
    bodies: list[tuple[str, datetime]] = field(default_factory=list)

    @property
    def version(self) -> int:
        return len(self.bodies)

    @property
    def body(self) -> str:
        return self.bodies[-1][0]


@dataclass(slots=True)
class _Space:
    id: str
    key: str
    name: str
    homepage: str


def _well_formed(value: str) -> str | None:
    """Return why a storage body is not well-formed XML, or ``None``."""
    try:
        ET.fromstring(f"{_ROOT}{value}</root>")  # noqa: S314 - our own test input
    except ET.ParseError as exc:
        return str(exc)
    return None


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f'{{"offset":{offset}}}'.encode()).decode()


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        return int(text.removeprefix('{"offset":').removesuffix("}"))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        msg = "Invalid cursor"
        raise FakeHTTPError(400, msg) from None


class FakeConfluence(FakeService):
    """A Confluence Cloud site in memory: spaces and their pages, REST v2.

    Every space gets a home page (``<name> Home``, version 1) when created;
    a page created without ``parentId`` goes under it, as Confluence does.
    Ids are sequential: spaces from 98765, pages from 1001.

    Served under ``/wiki/api/v2``: ``GET /spaces`` (``keys``, ``ids``),
    ``GET /pages`` (``space-id``, ``title``, ``status``, ``body-format``,
    ``limit`` up to 250 and `Faults.page_size`, ``cursor``; the next page in
    both the ``Link`` header and ``_links.next``, each switchable off),
    ``GET /pages/{id}``, ``POST /pages`` (400 on a duplicate title in the
    space, a missing title or a body that is not well-formed storage XML) and
    ``PUT /pages/{id}`` (409 unless ``version.number`` is the current one plus
    one). Requests need HTTP Basic ``email:token`` (else 401). Errors have
    the v2 shape ``{"errors": [{"status", "code", "title", "detail"}]}``.
    Simplified: only storage bodies, no drafts, archives, labels or
    permissions; unknown query parameters answer 400.

    Parameters
    ----------
    spaces : iterable of str
        Space keys to create (named after their keys).
    email, token : str
        The accepted credentials.
    link_header, body_links : bool
        Whether list answers carry the next page in the ``Link`` header and
        in ``_links.next``.
    faults : Faults, optional
        Paging, latency, rate limits, 5xx bursts, malformed bodies, drops.
    base_url : str
        The site URL to give an httpx client with `transport`.
    clock : callable, optional
        Returns the time of writes; default a fixed 2026-03-02 09:00 UTC.

    Examples
    --------
    >>> fake = FakeConfluence(spaces=("PO",))
    >>> client = httpx.Client(transport=fake.transport(), base_url=fake.base_url,
    ...                       auth=fake.credentials)
    >>> answer = client.get("/wiki/api/v2/spaces", params={"keys": "PO"}).json()
    >>> answer["results"][0]["id"], answer["results"][0]["homepageId"]
    ('98765', '1001')
    >>> [page.title for page in fake.pages]
    ['PO Home']
    """

    name = "confluence"

    def __init__(
        self,
        *,
        spaces: Iterable[str] = ("PO",),
        email: str = "bot@example.com",
        token: str = "confluence-test-token",  # noqa: S107 - a fake's own token
        link_header: bool = True,
        body_links: bool = True,
        faults: Faults | None = None,
        base_url: str = "http://localhost",
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(faults=faults, base_url=base_url)
        self._email = email
        self._token = token
        self.link_header = link_header
        self.body_links = body_links
        self._clock = clock or (lambda: datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
        self._spaces: dict[str, _Space] = {}
        self._pages: dict[str, _Page] = {}
        self._next_space = _FIRST_SPACE
        self._next_page = _FIRST_PAGE
        self._races = 0
        for key in spaces:
            self.add_space(key)

    def __repr__(self) -> str:
        return (
            f"<FakeConfluence spaces={sorted(self._spaces)} "
            f"pages={len(self._pages)} faults={self.faults!r}>"
        )

    # -- set-up and inspection ---------------------------------------------------------

    @property
    def credentials(self) -> tuple[str, str]:
        """The accepted ``(email, token)``, for HTTP Basic."""
        return self._email, self._token

    @property
    def pages(self) -> tuple[StoredPage, ...]:
        """Every page, by id (a snapshot)."""
        with self._state_lock:
            keys = {space.id: space.key for space in self._spaces.values()}
            return tuple(
                StoredPage(
                    page.id,
                    keys[page.space_id],
                    page.title,
                    page.parent_id,
                    page.version,
                    page.body,
                    tuple(body for body, _ in page.bodies),
                )
                for page in sorted(self._pages.values(), key=lambda p: int(p.id))
            )

    def stored(self, title: str) -> StoredPage:
        """Return the page titled `title` (in any space).

        Raises
        ------
        KeyError
            If there is none.

        Examples
        --------
        >>> FakeConfluence(spaces=("PO",)).stored("PO Home").version
        1
        """
        for page in self.pages:
            if page.title == title:
                return page
        raise KeyError(title)

    def add_space(self, key: str, *, name: str | None = None) -> str:
        """Create a space with its home page; return the space id.

        Raises
        ------
        InvalidInputError
            If the key is taken.
        """
        with self._state_lock:
            if key in self._spaces:
                msg = f"FakeConfluence: the space {key!r} exists already"
                raise InvalidInputError(msg)
            space_id = str(self._next_space)
            self._next_space += 1
            label = name or key
            space = _Space(space_id, key, label, "")
            self._spaces[key] = space
            space.homepage = self._new_page(space_id, f"{label} Home", "", None)
            return space_id

    def add_page(
        self, space: str, title: str, body: str, *, parent: str | None = None
    ) -> str:
        """Create a page (version 1) in the space keyed `space`; return its id.

        Without `parent` it goes under the space's home page.
        """
        with self._state_lock:
            home = self._spaces[space]
            return self._new_page(home.id, title, body, parent or home.homepage)

    def edit(self, page_id: str, body: str) -> int:
        """Save a new version of a page, as another user would; return its number."""
        with self._state_lock:
            page = self._pages[page_id]
            page.bodies.append((body, self._clock()))
            return page.version

    def race(self, times: int = 1) -> None:
        """Make the next `times` updates lose a race: someone saves first (409)."""
        with self._state_lock:
            self._races = times

    # -- the service's dialect ---------------------------------------------------------

    def check_auth(self, request: FakeRequest) -> bool:
        """Accept HTTP Basic with the fake's email and token only."""
        header = str(request.headers.get("authorization") or "")
        expected = base64.b64encode(f"{self._email}:{self._token}".encode()).decode()
        return header == f"Basic {expected}"

    def error_body(
        self, status: int, messages: Sequence[str], errors: Mapping[str, str]
    ) -> Any:
        """Return Confluence v2's error shape."""
        codes = {
            400: "INVALID_REQUEST_PARAMETER",
            401: "UNAUTHORIZED",
            404: "NOT_FOUND",
            409: "CONFLICT",
            429: "TOO_MANY_REQUESTS",
        }
        return {
            "errors": [
                {
                    "status": status,
                    "code": codes.get(status, "INTERNAL_SERVER_ERROR"),
                    "title": "; ".join(messages),
                    "detail": None,
                }
            ]
        }

    def unauthorized(self, request: FakeRequest) -> httpx.Response:
        """Answer 401 as Confluence does to bad Basic credentials."""
        return self.error(
            401,
            "Current user not permitted to use Confluence",
            headers={"WWW-Authenticate": 'Basic realm="protected-area"'},
        )

    # -- routes ------------------------------------------------------------------------

    @route("GET", _API + "/spaces")
    def get_spaces(self, request: FakeRequest) -> httpx.Response:
        """``GET /spaces``: filter by ``keys`` and ``ids``."""
        _known_params(request, _SPACE_PARAMS)
        keys, ids = request.param_list("keys"), request.param_list("ids")
        found = [
            space
            for space in self._spaces.values()
            if (not keys or space.key in keys) and (not ids or space.id in ids)
        ]
        rows = [
            {
                "id": space.id,
                "key": space.key,
                "name": space.name,
                "type": "global",
                "status": "current",
                "homepageId": space.homepage,
                "_links": {"webui": f"/spaces/{space.key}"},
            }
            for space in found
        ]
        return self._listing(request, rows)

    @route("GET", _API + "/pages")
    def get_pages(self, request: FakeRequest) -> httpx.Response:
        """``GET /pages``: filter, page with a cursor."""
        _known_params(request, _PAGE_PARAMS)
        spaces = request.param_list("space-id")
        statuses = request.param_list("status") or ["current", "archived"]
        title = request.param("title")
        ids = request.param_list("id")
        found = [
            page
            for page in sorted(self._pages.values(), key=lambda p: int(p.id))
            if (not spaces or page.space_id in spaces)
            and "current" in statuses
            and (title is None or page.title == title)
            and (not ids or page.id in ids)
        ]
        with_body = request.param("body-format") == "storage"
        rows = [self._page_json(page, body=with_body) for page in found]
        return self._listing(request, rows)

    @route("GET", _API + "/pages/{id}")
    def get_page(self, request: FakeRequest) -> httpx.Response:
        """``GET /pages/{id}``."""
        page = self._page(request.path_params["id"])
        with_body = request.param("body-format") == "storage"
        return self.json_response(self._single(request, page, body=with_body))

    @route("POST", _API + "/pages")
    def create_page(self, request: FakeRequest) -> httpx.Response:
        """``POST /pages``: a current page with a storage body."""
        payload = request.json()
        if not isinstance(payload, dict):
            raise FakeHTTPError(400, "The request body must be a JSON object")
        space = next(
            (s for s in self._spaces.values() if s.id == str(payload.get("spaceId"))),
            None,
        )
        if space is None:
            raise FakeHTTPError(404, f"Space {payload.get('spaceId')!r} not found")
        title = payload.get("title")
        if not isinstance(title, str) or not title.strip():
            raise FakeHTTPError(400, "Title is required for a current page")
        if any(
            p.space_id == space.id and p.title == title for p in self._pages.values()
        ):
            raise FakeHTTPError(
                400, "A page with this title already exists in this space"
            )
        value = _storage_value(payload)
        parent = payload.get("parentId")
        if parent is not None:
            self._check_parent(str(parent), space.id)
        page_id = self._new_page(
            space.id, title, value, str(parent) if parent else space.homepage
        )
        return self.json_response(self._single(request, self._pages[page_id]))

    @route("PUT", _API + "/pages/{id}")
    def update_page(self, request: FakeRequest) -> httpx.Response:
        """``PUT /pages/{id}``: a new version, or 409 on a stale version number."""
        page = self._page(request.path_params["id"])
        payload = request.json()
        if not isinstance(payload, dict):
            raise FakeHTTPError(400, "The request body must be a JSON object")
        missing = [
            key
            for key in ("id", "status", "title", "body", "version")
            if key not in payload
        ]
        if missing:
            raise FakeHTTPError(400, f"Missing required fields: {', '.join(missing)}")
        if str(payload["id"]) != page.id:
            raise FakeHTTPError(400, "The id in the body does not match the path")
        if self._races > 0:
            self._races -= 1
            page.bodies.append(("<p>Edited by someone else.</p>", self._clock()))
        version = payload["version"]
        number = version.get("number") if isinstance(version, dict) else None
        if number != page.version + 1:
            raise FakeHTTPError(
                409,
                "Version must be incremented on update. Current version is: "
                f"{page.version}",
            )
        value = _storage_value(payload)
        title = payload["title"]
        if any(
            p.space_id == page.space_id and p.title == title and p.id != page.id
            for p in self._pages.values()
        ):
            raise FakeHTTPError(
                400, "A page with this title already exists in this space"
            )
        parent = payload.get("parentId")
        if parent is not None:
            self._check_parent(str(parent), page.space_id)
            page.parent_id = str(parent)
        page.title = str(title)
        page.bodies.append((value, self._clock()))
        return self.json_response(self._single(request, page))

    # -- helpers -----------------------------------------------------------------------

    def _new_page(
        self, space_id: str, title: str, body: str, parent: str | None
    ) -> str:
        page_id = str(self._next_page)
        self._next_page += 1
        moment = self._clock()
        self._pages[page_id] = _Page(
            page_id, space_id, title, parent, moment, [(body, moment)]
        )
        return page_id

    def _page(self, page_id: str) -> _Page:
        page = self._pages.get(page_id)
        if page is None:
            raise FakeHTTPError(404, "Not Found")
        return page

    def _check_parent(self, parent: str, space_id: str) -> None:
        found = self._pages.get(parent)
        if found is None or found.space_id != space_id:
            raise FakeHTTPError(400, f"Parent page {parent} not found in the space")

    def _page_json(self, page: _Page, *, body: bool) -> dict[str, Any]:
        key = next(s.key for s in self._spaces.values() if s.id == page.space_id)
        moment = page.bodies[-1][1]
        row: dict[str, Any] = {
            "id": page.id,
            "status": "current",
            "title": page.title,
            "spaceId": page.space_id,
            "parentId": page.parent_id,
            "parentType": "page" if page.parent_id else None,
            "authorId": _AUTHOR,
            "createdAt": _iso(page.created),
            "version": {
                "createdAt": _iso(moment),
                "message": "",
                "number": page.version,
                "minorEdit": False,
                "authorId": _AUTHOR,
            },
            "body": (
                {"storage": {"representation": "storage", "value": page.body}}
                if body
                else {}
            ),
            "_links": {
                "webui": f"/spaces/{key}/pages/{page.id}/{quote_plus(page.title)}",
                "editui": f"/pages/resumedraft.action?draftId={page.id}",
                "tinyui": f"/x/{page.id}",
            },
        }
        return row

    def _single(
        self, request: FakeRequest, page: _Page, *, body: bool = True
    ) -> dict[str, Any]:
        row = self._page_json(page, body=body)
        row["_links"]["base"] = f"{request.base_url}/wiki"
        return row

    def _listing(
        self, request: FakeRequest, rows: list[dict[str, Any]]
    ) -> httpx.Response:
        limit = request.int_param("limit", _DEFAULT_LIMIT)
        if not 1 <= limit <= _MAX_LIMIT:
            raise FakeHTTPError(400, f"limit must be between 1 and {_MAX_LIMIT}")
        size = self.faults.cap(limit, limit=_MAX_LIMIT)
        start = _offset(request.param("cursor"))
        chunk = rows[start : start + size]
        base = f"{request.base_url}/wiki"
        links: dict[str, str] = {"base": base}
        headers: dict[str, str] = {}
        if start + size < len(rows):
            query = [(k, v) for k, v in request.params if k != "cursor"]
            query.append(("cursor", _cursor(start + size)))
            following = f"{request.path}?{urlencode(query)}"
            if self.body_links:
                links["next"] = following
            if self.link_header:
                headers["Link"] = f'<{following}>; rel="next", <{base}>; rel="base"'
        return self.json_response({"results": chunk, "_links": links}, headers=headers)


def _known_params(request: FakeRequest, known: frozenset[str]) -> None:
    unknown = sorted({key for key, _ in request.params} - known)
    if unknown:
        raise FakeHTTPError(400, f"Unknown query parameters: {', '.join(unknown)}")


def _storage_value(payload: Mapping[str, Any]) -> str:
    body = payload.get("body")
    if not isinstance(body, dict):
        raise FakeHTTPError(400, "body is required")
    if "storage" in body and isinstance(body["storage"], dict):
        body = body["storage"]
    if body.get("representation") != "storage" or not isinstance(
        body.get("value"), str
    ):
        raise FakeHTTPError(400, "Only storage bodies are supported")
    value: str = body["value"]
    problem = _well_formed(value)
    if problem is not None:
        raise FakeHTTPError(400, f"Error parsing xhtml: {problem}")
    return value
