"""The generic fake service: routing, fault injection, request log, two front ends.

A `FakeService` subclass declares its endpoints with `route` and answers them from
in-memory state. The same handlers serve an in-process httpx transport
(`FakeService.transport`) and a real threaded HTTP server on the loopback
interface (`FakeService.serve`). `Faults` make the service misbehave on chosen
request numbers, deterministically, so that tests of retries, resumable paging and
error handling are reproducible.
"""

from __future__ import annotations

import contextlib
import enum
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Final, TypeVar

import anyio
import httpx

from productops.errors import InvalidInputError

__all__ = [
    "FakeHTTPError",
    "FakeRequest",
    "FakeService",
    "FakeTransport",
    "Fault",
    "Faults",
    "RecordedRequest",
    "route",
]

_ROUTES_ATTR: Final = "_fake_service_routes"
_PARAM = re.compile(r"\{(\w+)(?::([^}]+))?\}")
_DROPPED_MESSAGE: Final = "Server disconnected without sending a response."
_LOOPBACK: Final = "127.0.0.1"

F = TypeVar("F", bound=Callable[..., httpx.Response])


def _whole(value: object, *, minimum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def _burst(value: object) -> bool:
    return (
        isinstance(value, tuple)
        and len(value) == 2
        and all(_whole(part, minimum=1) for part in value)
    )


class Fault(enum.StrEnum):
    """A way `Faults` can make one request fail."""

    DROP = "drop"
    """The connection is closed before any response is sent."""
    SERVER_ERROR = "server_error"
    """A 5xx answer (the service decides which status: 502 by default)."""
    RATE_LIMITED = "rate_limited"
    """A 429 answer with ``Retry-After`` and the tool's rate-limit headers."""
    MALFORMED = "malformed"
    """A 200 whose body is the first half of the real body: invalid JSON."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Faults:
    """Knobs that make a fake service slow, paged, rate limited or broken.

    Faults are chosen by request number: every request a fake receives gets the
    next number, starting at 1, whatever its outcome, so the same test makes the
    same requests fail on every run. Nothing here is random. When several faults
    pick the same request, the first of drop, server error, rate limit and
    malformed body applies. A dropped, rate-limited or server-error request has
    no effect on the fake's data; a malformed one is handled normally (writes
    happen) and only its response body is mangled.

    Attributes
    ----------
    page_size : int or None
        The most records one page may hold, whatever the client asks for.
    latency : float
        Seconds each request waits before it is handled (``time.sleep`` in the
        sync transport and the server, ``anyio.sleep`` in the async transport).
    rate_limit_every : int or None
        Every Nth request (N, 2N, 3N, ...) answers 429.
    retry_after : int
        The ``Retry-After`` seconds sent with 429 and 5xx answers.
    error_burst : tuple of (int, int) or None
        ``(n, k)``: requests ``n`` to ``n + k - 1`` answer 5xx.
    malformed_every : int or None
        Every Nth request answers 200 with a truncated, invalid JSON body.
    malformed_at : tuple of int
        Request numbers that answer a truncated body.
    drop_at : tuple of int
        Request numbers whose connection is closed without a response: the
        transport raises `httpx.RemoteProtocolError`, the server closes the
        socket.

    Examples
    --------
    >>> faults = Faults(rate_limit_every=7, error_burst=(3, 2))
    >>> [faults.fault_for(n) for n in range(1, 8)]  # doctest: +NORMALIZE_WHITESPACE
    [None, None, <Fault.SERVER_ERROR: 'server_error'>,
     <Fault.SERVER_ERROR: 'server_error'>, None, None,
     <Fault.RATE_LIMITED: 'rate_limited'>]
    """

    page_size: int | None = None
    latency: float = 0.0
    rate_limit_every: int | None = None
    retry_after: int = 1
    error_burst: tuple[int, int] | None = None
    malformed_every: int | None = None
    malformed_at: tuple[int, ...] = ()
    drop_at: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        # Lists are accepted at run time and kept as tuples, so Faults stay hashable.
        for name in ("malformed_at", "drop_at"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if self.error_burst is not None:
            object.__setattr__(self, "error_burst", tuple(self.error_burst))
        problems = []
        for name in ("page_size", "rate_limit_every", "malformed_every"):
            value = getattr(self, name)
            if value is not None and not _whole(value, minimum=1):
                problems.append(f"{name}: must be a whole number >= 1, got {value!r}")
        if not self.latency >= 0:
            problems.append(f"latency: must be >= 0 seconds, got {self.latency!r}")
        if not _whole(self.retry_after, minimum=0):
            problems.append(
                f"retry_after: must be whole seconds >= 0, got {self.retry_after!r}"
            )
        if self.error_burst is not None and not _burst(self.error_burst):
            problems.append(
                "error_burst: must be (first request, count), both >= 1, "
                f"got {self.error_burst!r}"
            )
        for name in ("malformed_at", "drop_at"):
            bad = [n for n in getattr(self, name) if not _whole(n, minimum=1)]
            if bad:
                problems.append(f"{name}: request numbers start at 1, got {bad!r}")
        if problems:
            msg = "invalid Faults:\n  - " + "\n  - ".join(problems)
            raise InvalidInputError(msg)

    def fault_for(self, number: int) -> Fault | None:
        """Return the fault request `number` gets, or ``None`` for a normal answer.

        Parameters
        ----------
        number : int
            The request's number at the fake, counting from 1.

        Returns
        -------
        Fault or None
            Drop, server error, rate limit or malformed body, in that priority.

        Examples
        --------
        >>> Faults(drop_at=(2,), malformed_every=2).fault_for(2)
        <Fault.DROP: 'drop'>
        """
        if number in self.drop_at:
            return Fault.DROP
        if self.error_burst is not None:
            first, count = self.error_burst
            if first <= number < first + count:
                return Fault.SERVER_ERROR
        if self.rate_limit_every is not None and number % self.rate_limit_every == 0:
            return Fault.RATE_LIMITED
        if number in self.malformed_at or (
            self.malformed_every is not None and number % self.malformed_every == 0
        ):
            return Fault.MALFORMED
        return None

    def cap(self, requested: int, *, limit: int) -> int:
        """Return the page size to serve: `requested` capped by `limit`, `page_size`.

        Examples
        --------
        >>> Faults(page_size=3).cap(50, limit=100)
        3
        """
        size = min(requested, limit)
        if self.page_size is not None:
            size = min(size, self.page_size)
        return max(size, 1)


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request a fake received, as kept in `FakeService.requests`.

    The ``Authorization`` header is never kept: only its scheme is.

    Attributes
    ----------
    number : int
        The request's number at the fake, counting from 1.
    method : str
        ``"GET"``, ``"POST"``, ...
    path : str
        The URL path, without the query.
    query : dict of str to str
        The query parameters; a parameter given several times keeps its values
        joined by commas (``fields=a&fields=b`` reads ``"a,b"``).
    json : object
        The decoded JSON body, or ``None`` without one (or when it is invalid).
    status : int or None
        The status answered; ``None`` when the connection was dropped.
    fault : Fault or None
        The fault injected into this request, if any.
    auth_scheme : str or None
        ``"Basic"``, ``"Bearer"``, ... when the request carried credentials.

    Examples
    --------
    >>> RecordedRequest(1, "GET", "/x", {}, None, 200, None, None).status
    200
    """

    number: int
    method: str
    path: str
    query: dict[str, str]
    json: Any
    status: int | None
    fault: Fault | None
    auth_scheme: str | None


@dataclass(frozen=True, slots=True)
class FakeRequest:
    """A request as a handler of a `FakeService` sees it.

    Attributes
    ----------
    number : int
        The request's number at the fake, counting from 1.
    method : str
        Upper-case HTTP method.
    path : str
        The URL path, without a trailing slash.
    params : tuple of (str, str)
        Every query parameter, in order, repeated ones included.
    base_url : str
        Scheme, host and port the client addressed, e.g.
        ``"http://127.0.0.1:50123"``; use it to build ``self`` links.
    path_params : dict of str to str
        The values of the ``{name}`` placeholders of the matched route.

    Examples
    --------
    >>> request = FakeRequest(1, "GET", "/items", (("fields", "a,b"), ("fields", "c")))
    >>> request.param("fields"), request.param_list("fields")
    ('c', ['a', 'b', 'c'])
    """

    number: int
    method: str
    path: str
    params: tuple[tuple[str, str], ...] = ()
    base_url: str = "http://localhost"
    path_params: dict[str, str] = field(default_factory=dict)
    headers: httpx.Headers = field(default_factory=httpx.Headers, repr=False)
    """The request headers, credentials included: never log or repr them."""
    body: bytes = field(default=b"", repr=False)
    """The raw request body."""

    def param(self, name: str, default: str | None = None) -> str | None:
        """Return the last value of query parameter `name`, or `default`."""
        value = default
        for key, given in self.params:
            if key == name:
                value = given
        return value

    def param_list(self, name: str) -> list[str]:
        """Return every value of query parameter `name`, comma-separated ones split.

        Empty items are dropped, so ``a,,b`` gives ``["a", "b"]``.
        """
        return [
            part.strip()
            for key, given in self.params
            if key == name
            for part in given.split(",")
            if part.strip()
        ]

    def int_param(self, name: str, default: int) -> int:
        """Return query parameter `name` as an integer, or `default` when absent.

        Raises
        ------
        FakeHTTPError
            400 when the value is not a whole number.
        """
        value = self.param(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except ValueError:
            msg = f"The '{name}' parameter must be a whole number, got {value!r}."
            raise FakeHTTPError(400, msg) from None

    def json(self) -> Any:
        """Return the decoded JSON body, or ``None`` when there is no body.

        Raises
        ------
        FakeHTTPError
            400 when the body is not valid JSON.
        """
        if not self.body.strip():
            return None
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            msg = f"The request body is not valid JSON: {exc}"
            raise FakeHTTPError(400, msg) from None

    @property
    def auth_scheme(self) -> str | None:
        """The scheme of the ``Authorization`` header (``"Basic"``), if any."""
        value = str(self.headers.get("authorization") or "")
        if not value:
            return None
        return value.split(" ", 1)[0]


class FakeHTTPError(Exception):
    """Raised by a handler to answer an error in the service's error shape.

    Attributes
    ----------
    status : int
        The HTTP status to answer.
    messages : tuple of str
        Messages for the error body.
    errors : dict of str to str
        Per-field errors, for services whose error bodies have them.
    headers : dict of str to str
        Extra response headers.

    Examples
    --------
    >>> FakeHTTPError(404, "Issue does not exist").status
    404
    """

    def __init__(
        self,
        status: int,
        *messages: str,
        errors: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status}: " + "; ".join(messages))
        self.status = status
        self.messages = messages
        self.errors = dict(errors or {})
        self.headers = dict(headers or {})


class _DroppedError(Exception):
    """Internal signal: close the connection without answering."""


@dataclass(frozen=True, slots=True)
class _Route:
    method: str
    pattern: str
    regex: re.Pattern[str]
    attribute: str


def route(method: str, pattern: str) -> Callable[[F], F]:
    """Declare a `FakeService` method as the handler of `method` on `pattern`.

    ``{name}`` in `pattern` matches one path segment and is passed to the handler
    in `FakeRequest.path_params`; ``{name:regex}`` matches `regex` instead. A
    handler may carry several ``@route`` decorators.

    Parameters
    ----------
    method : str
        The HTTP method, e.g. ``"GET"``.
    pattern : str
        The path, e.g. ``"/repos/{owner}/{repo}/issues"``.

    Returns
    -------
    callable
        A decorator that returns the handler unchanged.

    Examples
    --------
    >>> class Hello(FakeService):
    ...     @route("GET", "/hello/{name}")
    ...     def hello(self, request):
    ...         return self.json_response({"hello": request.path_params["name"]})
    >>> with httpx.Client(transport=Hello().transport(),
    ...                   base_url="http://localhost") as client:
    ...     client.get("/hello/ann").json()
    {'hello': 'ann'}
    """

    def decorate(function: F) -> F:
        routes = (*getattr(function, _ROUTES_ATTR, ()), (method.upper(), pattern))
        setattr(function, _ROUTES_ATTR, routes)
        return function

    return decorate


def _compile(pattern: str) -> re.Pattern[str]:
    regex, position = "", 0
    for match in _PARAM.finditer(pattern):
        regex += re.escape(pattern[position : match.start()])
        regex += f"(?P<{match.group(1)}>{match.group(2) or '[^/]+'})"
        position = match.end()
    return re.compile(regex + re.escape(pattern[position:]))


class FakeService:
    """Base of the in-process fakes: routing, faults, request log, transport, server.

    Subclasses declare handlers with `route`; each takes a `FakeRequest` and
    returns an `httpx.Response` (build it with `json_response` or `error`) or
    raises `FakeHTTPError`. Handlers run one at a time under a lock, so they may
    change the fake's data freely. Override the hooks `check_auth`, `error_body`,
    `rate_limited`, `server_error` and `extra_headers` to speak the tool's
    dialect.

    Attributes
    ----------
    faults : Faults
        The fault knobs; assign a new `Faults` to change them mid-test.
    base_url : str
        The URL to give an httpx client together with `transport`.

    Examples
    --------
    >>> class Ping(FakeService):
    ...     @route("GET", "/ping")
    ...     def ping(self, request):
    ...         return self.json_response({"ok": True})
    >>> fake = Ping(faults=Faults(rate_limit_every=2, retry_after=0))
    >>> with httpx.Client(transport=fake.transport(), base_url=fake.base_url) as c:
    ...     [c.get("/ping").status_code for _ in range(3)]
    [200, 429, 200]
    >>> [(r.number, r.path, r.fault) for r in fake.requests][1]
    (2, '/ping', <Fault.RATE_LIMITED: 'rate_limited'>)
    """

    name: ClassVar[str] = "fake"
    """The tool's name, used in messages."""
    _routes: ClassVar[tuple[_Route, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        routes: list[_Route] = []
        seen: set[tuple[str, str]] = set()
        for klass in cls.__mro__:
            for attribute, value in vars(klass).items():
                for method, pattern in getattr(value, _ROUTES_ATTR, ()):
                    if (method, pattern) not in seen:
                        seen.add((method, pattern))
                        routes.append(
                            _Route(method, pattern, _compile(pattern), attribute)
                        )
        cls._routes = tuple(routes)

    def __init__(
        self, *, faults: Faults | None = None, base_url: str = "http://localhost"
    ) -> None:
        self.faults = faults if faults is not None else Faults()
        self.base_url = base_url.rstrip("/")
        self._state_lock = threading.RLock()
        self._log_lock = threading.Lock()
        self._count = 0
        self._log: list[RecordedRequest] = []

    def __repr__(self) -> str:
        return f"<{type(self).__name__} faults={self.faults!r}>"

    # -- the request log ---------------------------------------------------------

    @property
    def requests(self) -> tuple[RecordedRequest, ...]:
        """Every request received so far, by request number (a snapshot)."""
        with self._log_lock:
            return tuple(sorted(self._log, key=lambda record: record.number))

    @property
    def request_count(self) -> int:
        """How many requests the fake has received; faults count on from here."""
        with self._log_lock:
            return self._count

    def clear_requests(self) -> None:
        """Forget the logged requests; the request count (and so faults) goes on."""
        with self._log_lock:
            self._log.clear()

    # -- hooks for subclasses ------------------------------------------------------

    def check_auth(self, request: FakeRequest) -> bool:
        """Tell whether `request` carries accepted credentials (default: always)."""
        return True

    def error_body(
        self, status: int, messages: Sequence[str], errors: Mapping[str, str]
    ) -> Any:
        """Return the JSON body of an error answer in the tool's shape."""
        body: dict[str, Any] = {"message": "; ".join(messages)}
        if errors:
            body["errors"] = dict(errors)
        return body

    def extra_headers(self, request: FakeRequest, status: int) -> dict[str, str]:
        """Return headers added to every answer (rate-limit budget, request id)."""
        return {}

    def unauthorized(self, request: FakeRequest) -> httpx.Response:
        """Answer a request whose credentials `check_auth` refused (401)."""
        return self.error(401, "Bad credentials")

    def rate_limited(self, request: FakeRequest) -> httpx.Response:
        """Answer a request picked by `Faults.rate_limit_every` (429)."""
        return self.error(
            429,
            "Rate limit exceeded",
            headers={"Retry-After": str(self.faults.retry_after)},
        )

    def server_error(self, request: FakeRequest) -> httpx.Response:
        """Answer a request inside `Faults.error_burst` (502 by default)."""
        return self.error(502, "Bad Gateway")

    def not_found(self, request: FakeRequest) -> httpx.Response:
        """Answer a request no route matches (404)."""
        return self.error(404, f"{type(self).__name__} has no route for {request.path}")

    # -- response helpers ------------------------------------------------------------

    def json_response(
        self,
        body: Any,
        *,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Return an `httpx.Response` with `body` as compact UTF-8 JSON."""
        try:
            text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
            content = text.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates in the data
            content = json.dumps(body, separators=(",", ":")).encode("ascii")
        merged = {"Content-Type": "application/json;charset=UTF-8", **(headers or {})}
        return httpx.Response(status, content=content, headers=merged)

    def empty_response(
        self, status: int = 204, *, headers: Mapping[str, str] | None = None
    ) -> httpx.Response:
        """Return an answer without a body (``204 No Content`` by default)."""
        return httpx.Response(status, content=b"", headers=dict(headers or {}))

    def error(
        self,
        status: int,
        *messages: str,
        errors: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Return an error answer whose body `error_body` shapes."""
        body = self.error_body(status, messages, dict(errors or {}))
        return self.json_response(body, status=status, headers=headers)

    # -- the core ----------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one `httpx.Request`: latency, faults, auth, routing, logging.

        This is the handler of the sync transport; `serve` and the async
        transport do the same, sleeping their own way.

        Raises
        ------
        httpx.RemoteProtocolError
            When `Faults.drop_at` picks the request.
        """
        if self.faults.latency:
            time.sleep(self.faults.latency)
        try:
            return self._dispatch(request)
        except _DroppedError:
            raise httpx.RemoteProtocolError(_DROPPED_MESSAGE, request=request) from None

    def transport(self) -> FakeTransport:
        """Return an httpx transport, sync and async, answering from this fake.

        Examples
        --------
        >>> class Empty(FakeService):
        ...     pass
        >>> fake = Empty()
        >>> with httpx.Client(transport=fake.transport(),
        ...                   base_url=fake.base_url) as client:
        ...     client.get("/nothing").status_code
        404
        """
        return FakeTransport(self)

    @contextlib.contextmanager
    def serve(self, *, port: int = 0) -> Iterator[str]:
        """Serve this fake over real HTTP on ``127.0.0.1`` while the block runs.

        A threaded `http.server` answers with the same handlers as `transport`,
        keeps connections alive (HTTP/1.1) and is shut down, with every open
        connection, when the block ends. It listens on the loopback interface
        only.

        Parameters
        ----------
        port : int
            The port; ``0`` (the default) picks a free one.

        Yields
        ------
        str
            The base URL, e.g. ``"http://127.0.0.1:50123"``.

        Examples
        --------
        >>> class Ping(FakeService):
        ...     @route("GET", "/ping")
        ...     def ping(self, request):
        ...         return self.json_response({"ok": True})
        >>> with Ping().serve() as base_url, httpx.Client(base_url=base_url) as c:
        ...     c.get("/ping").json()
        {'ok': True}
        """
        server = _Server((_LOOPBACK, port), _Handler, self)
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{type(self).__name__}-server",
            daemon=True,
        )
        thread.start()
        try:
            yield f"http://{_LOOPBACK}:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.close_connections()
            server.server_close()
            thread.join()

    def _next_number(self) -> int:
        with self._log_lock:
            self._count += 1
            return self._count

    def _record(
        self,
        request: FakeRequest,
        *,
        status: int | None,
        fault: Fault | None,
    ) -> None:
        try:
            body = request.json()
        except FakeHTTPError:
            body = None
        query: dict[str, str] = {}
        for key, value in request.params:
            query[key] = f"{query[key]},{value}" if key in query else value
        record = RecordedRequest(
            number=request.number,
            method=request.method,
            path=request.path,
            query=query,
            json=body,
            status=status,
            fault=fault,
            auth_scheme=request.auth_scheme,
        )
        with self._log_lock:
            self._log.append(record)

    def _dispatch(self, raw: httpx.Request) -> httpx.Response:
        number = self._next_number()
        path = raw.url.path
        if len(path) > 1:
            path = path.rstrip("/")
        request = FakeRequest(
            number=number,
            method=raw.method.upper(),
            path=path,
            params=tuple(raw.url.params.multi_items()),
            base_url=f"{raw.url.scheme}://{raw.url.netloc.decode('ascii')}",
            headers=raw.headers,
            body=raw.content,
        )
        fault = self.faults.fault_for(number)
        if fault is Fault.DROP:
            self._record(request, status=None, fault=fault)
            raise _DroppedError
        if fault is Fault.SERVER_ERROR:
            response = self.server_error(request)
        elif fault is Fault.RATE_LIMITED:
            response = self.rate_limited(request)
        elif not self.check_auth(request):
            response = self.unauthorized(request)
        else:
            response = self._route(request)
        if fault is Fault.MALFORMED:
            response = _mangle(response)
        for key, value in self.extra_headers(request, response.status_code).items():
            response.headers.setdefault(key, value)
        self._record(request, status=response.status_code, fault=fault)
        return response

    def _route(self, request: FakeRequest) -> httpx.Response:
        allowed: list[str] = []
        for candidate in self._routes:
            match = candidate.regex.fullmatch(request.path)
            if match is None:
                continue
            if candidate.method != request.method:
                allowed.append(candidate.method)
                continue
            matched = FakeRequest(
                number=request.number,
                method=request.method,
                path=request.path,
                params=request.params,
                base_url=request.base_url,
                path_params=match.groupdict(),
                headers=request.headers,
                body=request.body,
            )
            handler = getattr(self, candidate.attribute)
            try:
                with self._state_lock:
                    response: httpx.Response = handler(matched)
            except FakeHTTPError as exc:
                return self.error(
                    exc.status, *exc.messages, errors=exc.errors, headers=exc.headers
                )
            return response
        if allowed:
            return self.error(
                405,
                f"{request.method} is not allowed on {request.path}",
                headers={"Allow": ", ".join(sorted(set(allowed)))},
            )
        return self.not_found(request)


def _mangle(response: httpx.Response) -> httpx.Response:
    body = response.content
    cut = body[: len(body) // 2] if len(body) >= 2 else b'{"'
    try:
        json.loads(cut)
    except ValueError:
        pass
    else:  # a scalar whose first half still parses: break it for sure
        cut += b"{"
    headers = {
        key: value
        for key, value in response.headers.items()
        if key.lower() not in {"content-length", "content-type"}
    }
    headers["Content-Type"] = "application/json;charset=UTF-8"
    return httpx.Response(200, content=cut, headers=headers)


class FakeTransport(httpx.MockTransport):
    """An `httpx.MockTransport` answering from a `FakeService`, sync and async.

    In an `httpx.AsyncClient`, the latency fault waits with ``anyio.sleep`` so
    the event loop keeps running.

    Examples
    --------
    >>> import asyncio
    >>> class Ping(FakeService):
    ...     @route("GET", "/ping")
    ...     def ping(self, request):
    ...         return self.json_response({"ok": True})
    >>> async def main():
    ...     async with httpx.AsyncClient(transport=Ping().transport(),
    ...                                  base_url="http://localhost") as client:
    ...         return (await client.get("/ping")).json()
    >>> asyncio.run(main())
    {'ok': True}
    """

    def __init__(self, service: FakeService) -> None:
        super().__init__(service.handle)
        self.service = service

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Answer `request` synchronously."""
        request.read()
        return self.service.handle(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer `request` in an async client."""
        await request.aread()
        if self.service.faults.latency:
            await anyio.sleep(self.service.faults.latency)
        try:
            return self.service._dispatch(request)
        except _DroppedError:
            raise httpx.RemoteProtocolError(_DROPPED_MESSAGE, request=request) from None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        service: FakeService,
    ) -> None:
        self.service = service
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, handler)

    def track(self, connection: socket.socket, *, open_: bool) -> None:
        with self._connections_lock:
            if open_:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # One buffered write per answer, sent at once: no Nagle/delayed-ACK stalls.
    wbufsize = -1
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, open_=True)

    def finish(self) -> None:
        self.server.track(self.connection, open_=False)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _answer(self) -> None:
        service = self.server.service
        body = self._read_body()
        host = (
            self.headers.get("Host") or f"{_LOOPBACK}:{self.server.server_address[1]}"
        )
        request = httpx.Request(
            self.command,
            f"http://{host}{self.path}",
            headers=[
                (key, value)
                for key, value in self.headers.items()
                if key.lower() not in {"content-length", "transfer-encoding"}
            ],
            content=body,
        )
        if service.faults.latency:
            time.sleep(service.faults.latency)
        try:
            response = service._dispatch(request)
        except _DroppedError:
            self.close_connection = True
            return
        except Exception as exc:  # a handler bug becomes a 500 answer
            response = service.error(500, f"{type(exc).__name__}: {exc}")
        content = response.content
        self.send_response(response.status_code)
        for key, value in response.headers.multi_items():
            if key.lower() not in {"content-length", "transfer-encoding", "connection"}:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    # http.server dispatches on these names.
    do_GET = _answer  # noqa: N815
    do_POST = _answer  # noqa: N815
    do_PUT = _answer  # noqa: N815
    do_PATCH = _answer  # noqa: N815
    do_DELETE = _answer  # noqa: N815
