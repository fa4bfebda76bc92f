"""The HTTP core every adapter shares: retries, rate limits, errors, redaction.

`HttpCore` (sync) and `AsyncHttpCore` wrap an `httpx.Client` /
`httpx.AsyncClient` and add what each adapter would otherwise get wrong on its
own:

- **timeouts** on connect and read, always;
- **retries** with exponential backoff and full jitter (tenacity), for
  idempotent requests only, honouring ``Retry-After`` and the tool's own
  rate-limit headers (`RateLimitRules`), within a bounded total time;
- **errors** mapped onto `productops.errors`: 401/403 → `AuthenticationError`
  naming which credential was refused (not its value), 404 →
  `NotFoundError`, 429 after the last retry → `RateLimitedError`, a body that
  is not JSON → `ResponseFormatError`, transport failures →
  `ConnectionFailedError`; raw ``httpx`` exceptions never escape;
- **https only**, except on loopback (tests, local fakes);
- **structured logging** on the ``productops.adapters`` logger, with every
  secret redacted;
- **injection**: pass your own client, or a transport such as
  ``httpx.MockTransport`` or a `productops.testing` fake.

The retry decision is a pure function of the response (`RateLimitRules`),
shared by the sync and async cores.
"""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import json
import logging
import math
import random
import re
import threading
import time
import warnings
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Self, TypeVar
from urllib.parse import urlsplit

import httpx
import tenacity

from ..errors import (
    AdapterConfigError,
    APIError,
    AuthenticationError,
    ConnectionFailedError,
    DeprecatedAPIWarning,
    NotFoundError,
    RateLimitedError,
    ResponseFormatError,
)

__all__ = [
    "AsyncHttpCore",
    "GitHubRules",
    "HttpCore",
    "JiraRules",
    "RateLimitRules",
    "Redactor",
    "RetryPolicy",
    "check_base_url",
]

logger = logging.getLogger("productops.adapters")

T = TypeVar("T")

_REQUEST_ID_HEADERS = (
    "x-request-id",
    "x-arequestid",
    "x-github-request-id",
    "request-id",
)
_SECRET_PARAMS = re.compile(
    r"(?i)([?&](?:token|key|sig|secret|password|access_token|api_key|apikey)=)[^&#\s]+"
)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When and how long to retry a failed request.

    Attributes
    ----------
    attempts : int
        Tries per request, the first included.
    total : float
        Seconds a request may take in all, waits included. A wait that would
        overrun it is not taken: the error is raised at once (for a 429, a
        `RateLimitedError` saying when to try again).
    backoff : float
        Base of the exponential backoff in seconds: the n-th wait is drawn
        uniformly from ``[0, backoff * 2**n]`` (full jitter)...
    max_backoff : float
        ...capped at this many seconds.
    statuses : frozenset[int]
        Statuses retried for idempotent requests (429 is always retried: the
        tool did not act on the request).

    Examples
    --------
    >>> sorted(RetryPolicy(attempts=3).statuses)
    [429, 502, 503, 504]
    """

    attempts: int = 6
    total: float = 300.0
    backoff: float = 0.5
    max_backoff: float = 60.0
    statuses: frozenset[int] = frozenset({429, 502, 503, 504})


class RateLimitRules:
    """How a tool signals rate limiting, and how long it asks us to wait.

    The base class reads the standard signals: status 429 and a
    ``Retry-After`` header in seconds or as an HTTP date. Subclasses add a
    tool's own headers.

    Examples
    --------
    >>> rules = RateLimitRules()
    >>> response = httpx.Response(429, headers={"Retry-After": "7"})
    >>> rules.is_rate_limited(response), rules.wait(response, now=0.0)
    (True, 7.0)
    """

    def is_rate_limited(self, response: httpx.Response) -> bool:
        """Whether the response means "too many requests"."""
        return response.status_code == 429

    def wait(self, response: httpx.Response, *, now: float) -> float | None:
        """Seconds the tool asks us to wait, or ``None`` when it does not say."""
        return retry_after(response.headers.get("retry-after"), now=now)


class JiraRules(RateLimitRules):
    """Jira Cloud: 429 (and some 503) with ``Retry-After`` and ``X-RateLimit-Reset``.

    ``X-RateLimit-Reset`` is an ISO-8601 timestamp (``2026-01-01T10:00Z``).

    Examples
    --------
    >>> response = httpx.Response(
    ...     429, headers={"X-RateLimit-Reset": "2026-01-01T10:00Z"})
    >>> start = datetime(2026, 1, 1, 9, 59, 30, tzinfo=UTC).timestamp()
    >>> JiraRules().wait(response, now=start)
    30.0
    """

    def wait(self, response: httpx.Response, *, now: float) -> float | None:
        """Seconds from ``Retry-After``, else until ``X-RateLimit-Reset``."""
        seconds = super().wait(response, now=now)
        if seconds is not None:
            return seconds
        reset = response.headers.get("x-ratelimit-reset")
        if not reset:
            return None
        try:
            moment = datetime.fromisoformat(reset.replace("Z", "+00:00"))
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return max(moment.timestamp() - now, 0.0)


class GitHubRules(RateLimitRules):
    """GitHub: primary and secondary rate limits, on 403 as well as 429.

    A 403 is a rate limit only when GitHub says so: ``retry-after`` is set,
    ``x-ratelimit-remaining`` is 0, or the message mentions a rate limit.
    Otherwise it is a permission error and is not retried. Waits: the
    ``retry-after`` seconds; else, with no requests left, until
    ``x-ratelimit-reset`` (epoch seconds); else at least 60 s for a secondary
    limit, as GitHub asks.

    Examples
    --------
    >>> rules = GitHubRules()
    >>> rules.is_rate_limited(httpx.Response(403, json={"message": "Not allowed"}))
    False
    >>> limited = httpx.Response(403, headers={"x-ratelimit-remaining": "0",
    ...                                        "x-ratelimit-reset": "1000"})
    >>> rules.is_rate_limited(limited), rules.wait(limited, now=940.0)
    (True, 60.0)
    """

    secondary_wait: float = 60.0

    def is_rate_limited(self, response: httpx.Response) -> bool:
        """429, or a 403 with a rate-limit signal."""
        if response.status_code == 429:
            return True
        if response.status_code != 403:
            return False
        headers = response.headers
        if "retry-after" in headers or headers.get("x-ratelimit-remaining") == "0":
            return True
        return "rate limit" in response.text[:2000].lower()

    def wait(self, response: httpx.Response, *, now: float) -> float | None:
        """Seconds to wait, in GitHub's documented order of signals."""
        seconds = super().wait(response, now=now)
        if seconds is not None:
            return seconds
        headers = response.headers
        if (
            headers.get("x-ratelimit-remaining") == "0"
            and headers.get("x-ratelimit-reset", "").isdigit()
        ):
            return max(float(headers["x-ratelimit-reset"]) - now, 0.0)
        return self.secondary_wait


def retry_after(value: str | None, *, now: float) -> float | None:
    """Parse a ``Retry-After`` value: seconds, or an HTTP date.

    Examples
    --------
    >>> retry_after("3", now=0), retry_after(None, now=0)
    (3.0, None)
    >>> retry_after("Thu, 01 Jan 1970 00:01:40 GMT", now=40.0)
    60.0
    """
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = moment.timestamp() - now
    if not math.isfinite(seconds):
        return None
    return max(seconds, 0.0)


class Redactor:
    """Replaces secrets in text with ``***``: for logs and error messages.

    Secret-looking query parameters (``token=``, ``key=``, ``sig=`` ...) are
    redacted too, whatever their value.

    Examples
    --------
    >>> redact = Redactor(["s3cr3t-token"])
    >>> redact("GET https://h/x?sig=abc&page=2 failed for s3cr3t-token")
    'GET https://h/x?sig=***&page=2 failed for ***'
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len)[::-1]

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return _SECRET_PARAMS.sub(r"\1***", text)

    def __repr__(self) -> str:
        return f"Redactor({len(self._secrets)} secrets)"


def check_base_url(base_url: str, *, adapter: str) -> str:
    """Return `base_url` without a trailing slash; https only, except on loopback.

    Raises
    ------
    AdapterConfigError
        If the URL is not absolute, or is plain http to a host that is not
        loopback (a token would travel in clear).

    Examples
    --------
    >>> check_base_url("http://127.0.0.1:8080/", adapter="jira")
    'http://127.0.0.1:8080'
    >>> try:
    ...     check_base_url("http://jira.invalid", adapter="jira")
    ... except AdapterConfigError as exc:
    ...     print(exc)
    jira: base_url must use https://, not http:// (only loopback hosts may use http)
    """
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        msg = f"{adapter}: base_url must be an absolute http(s) URL, got {base_url!r}"
        raise AdapterConfigError(msg, adapter=adapter)
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        msg = (
            f"{adapter}: base_url must use https://, not http:// "
            "(only loopback hosts may use http)"
        )
        raise AdapterConfigError(msg, adapter=adapter)
    return base_url.rstrip("/")


def is_loopback(host: str) -> bool:
    """Whether `host` is this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class _Retry(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Internal: the response (or failure) may succeed if the request is repeated."""

    def __init__(self, error: Exception, wait: float | None) -> None:
        super().__init__(str(error))
        self.error = error
        self.wait = wait


@dataclass
class _Policy:
    """What the sync and async cores share: the decisions, not the I/O."""

    adapter: str
    retry: RetryPolicy
    rules: RateLimitRules
    redact: Redactor
    credential: str
    clock: Callable[[], float] = time.time
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    deprecated: set[str] = field(default_factory=set)

    def describe(self, request: httpx.Request) -> str:
        return self.redact(f"{request.method} {request.url}")

    def count(self) -> None:
        with self.lock:
            self.requests += 1

    def notice_deprecation(self, response: httpx.Response) -> None:
        """Warn once per endpoint that answers with ``Deprecation`` or ``Sunset``.

        ``Deprecation`` (RFC 9745: ``@<unix time>``; older servers send an
        HTTP date or ``true``) says the endpoint is deprecated; ``Sunset``
        (RFC 8594, an HTTP date) when it stops working; ``Link`` headers with
        ``rel="deprecation"`` or ``rel="sunset"`` point at the notice.
        """
        deprecation = response.headers.get("Deprecation")
        sunset = response.headers.get("Sunset")
        if deprecation is None and sunset is None:
            return
        request = response.request
        endpoint = f"{request.method} {request.url.path}"
        with self.lock:
            if endpoint in self.deprecated:
                return
            self.deprecated.add(endpoint)
        parts = [f"{self.adapter}: {self.redact(endpoint)} is deprecated"]
        if deprecation is not None and deprecation.strip().lower() != "true":
            parts.append(f"since {_http_moment(deprecation)}")
        if sunset is not None:
            parts.append(f"and stops working on {_http_moment(sunset)}")
        notices = [
            link["url"]
            for rel, link in response.links.items()
            if rel in ("deprecation", "sunset") and "url" in link
        ]
        message = " ".join(parts)
        if notices:
            message += f"; see {', '.join(self.redact(url) for url in notices)}"
        warnings.warn(message, DeprecatedAPIWarning, stacklevel=2)

    def outcome(self, response: httpx.Response, *, idempotent: bool) -> None:
        """Raise the mapped error, or `_Retry`, unless the response is a success."""
        self.notice_deprecation(response)
        status = response.status_code
        if status < 400:
            return
        what = self.describe(response.request)
        request_id = next(
            (response.headers[h] for h in _REQUEST_ID_HEADERS if h in response.headers),
            None,
        )
        body = self.redact(_body_text(response))
        if self.rules.is_rate_limited(response):
            wait = self.rules.wait(response, now=self.clock())
            error: APIError = RateLimitedError(
                f"{self.adapter}: rate limited on {what}"
                + (f"; retry after {wait:.0f} s" if wait is not None else ""),
                adapter=self.adapter,
                retry_after=wait,
                status_code=status,
                request_id=request_id,
                body=body,
            )
            raise _Retry(error, wait)
        message = f"{self.adapter}: {status} {response.reason_phrase} on {what}"
        detail = _error_detail(response)
        if detail:
            message += f": {self.redact(detail)}"
        if status in (401, 403):
            verb = "refused" if status == 401 else "lack permission for this request"
            message = (
                f"{self.adapter}: the credentials ({self.credential}) were {verb}"
                if status == 401
                else f"{self.adapter}: the credentials ({self.credential}) {verb}"
            ) + f" ({status} on {what})"
            raise AuthenticationError(
                message,
                adapter=self.adapter,
                status_code=status,
                request_id=request_id,
                body=body,
            )
        if status == 404:
            raise NotFoundError(
                message,
                adapter=self.adapter,
                status_code=status,
                request_id=request_id,
                body=body,
            )
        error = APIError(
            message,
            adapter=self.adapter,
            status_code=status,
            request_id=request_id,
            body=body,
        )
        if idempotent and status in self.retry.statuses:
            raise _Retry(error, self.rules.wait(response, now=self.clock()))
        raise error

    def failed(
        self, exc: httpx.HTTPError, request: httpx.Request, *, idempotent: bool
    ) -> None:
        what = self.describe(request)
        error = ConnectionFailedError(
            f"{self.adapter}: {type(exc).__name__} on {what}: {self.redact(str(exc))}",
            adapter=self.adapter,
        )
        error.__cause__ = exc
        if idempotent and isinstance(exc, httpx.TransportError):
            raise _Retry(error, None) from exc
        raise error from exc

    def wait_for(self, state: tenacity.RetryCallState) -> float:
        outcome = state.outcome
        hint = None
        if outcome is not None and isinstance(outcome.exception(), _Retry):
            hint = outcome.exception().wait  # type: ignore[union-attr]
        jitter = random.uniform(  # noqa: S311 - jitter, not cryptography
            0,
            min(
                self.retry.max_backoff,
                self.retry.backoff * 2 ** (state.attempt_number - 1),
            ),
        )
        wait = jitter if hint is None else max(hint, 0.0)
        elapsed = state.seconds_since_start or 0.0
        if elapsed + wait > self.retry.total and outcome is not None:
            raise _GiveUp(_final(outcome.exception() or RuntimeError("retry")))
        return wait

    def retrying(self) -> dict[str, Any]:
        """Return the tenacity settings both cores use (all but `sleep`)."""
        return {
            "stop": tenacity.stop_after_attempt(self.retry.attempts)
            | tenacity.stop_after_delay(self.retry.total),
            "wait": self.wait_for,
            "retry": tenacity.retry_if_exception_type(_Retry),
            "before_sleep": self.log_retry,
            "reraise": True,
        }

    def log_retry(self, state: tenacity.RetryCallState) -> None:
        outcome = state.outcome
        if outcome is None:
            return
        error = outcome.exception()
        cause = error.error if isinstance(error, _Retry) else error
        logger.warning(
            "%s: retrying after %s (attempt %d, waiting %.2f s)",
            self.adapter,
            cause,
            state.attempt_number,
            state.upcoming_sleep,
            extra={
                "adapter": self.adapter,
                "attempt": state.attempt_number,
                "wait": state.upcoming_sleep,
            },
        )


class _GiveUp(Exception):  # noqa: N818 - a control-flow signal
    """Internal: the next wait would overrun the total time budget."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


def _body_text(response: httpx.Response) -> str:
    try:
        return response.text[:2000]
    except (UnicodeDecodeError, httpx.ResponseNotRead):
        return ""


def _error_detail(response: httpx.Response) -> str:
    """Return the tool's own error message from a JSON error body, if any."""
    try:
        body = response.json()
    except (ValueError, httpx.ResponseNotRead):
        return ""
    if not isinstance(body, dict):
        return ""
    parts: list[str] = []
    for key in ("message", "errorMessage", "error", "detail"):
        value = body.get(key)
        if isinstance(value, str) and value:
            parts.append(value)
    messages = body.get("errorMessages")
    if isinstance(messages, list):
        parts += [m for m in messages if isinstance(m, str)]
    errors = body.get("errors")
    if isinstance(errors, dict):
        parts += [f"{k}: {v}" for k, v in errors.items()]
    return "; ".join(parts)[:500]


def _final(error: BaseException) -> BaseException:
    return error.error if isinstance(error, _Retry) else error


class _CoreBase:
    """Settings and helpers shared by the sync and async cores."""

    def __init__(
        self,
        *,
        adapter: str,
        base_url: str,
        headers: Mapping[str, str] | None,
        auth: httpx.Auth | None,
        timeout: httpx.Timeout | float,
        retry: RetryPolicy | None,
        rules: RateLimitRules | None,
        secrets: Iterable[str],
        credential: str,
    ) -> None:
        self.adapter = adapter
        self.base_url = check_base_url(base_url, adapter=adapter)
        self._headers = dict(headers or {})
        self._auth = auth
        self._timeout = (
            timeout
            if isinstance(timeout, httpx.Timeout)
            else httpx.Timeout(timeout, connect=min(timeout, 10.0))
        )
        self._policy = _Policy(
            adapter=adapter,
            retry=retry or RetryPolicy(),
            rules=rules or RateLimitRules(),
            redact=Redactor(secrets),
            credential=credential,
        )

    @property
    def requests(self) -> int:
        """HTTP requests sent so far, retries included."""
        return self._policy.requests

    @property
    def redact(self) -> Redactor:
        """The redactor that hides this core's secrets."""
        return self._policy.redact

    def _options(
        self,
        params: Mapping[str, Any] | None,
        json: Any,
        headers: Mapping[str, str] | None,
    ) -> dict[str, Any]:
        """Keyword arguments for ``build_request``: ours merged with the call's."""
        return {
            "params": params,
            "json": json,
            "headers": {**self._headers, **(headers or {})},
            "timeout": self._timeout,
        }

    def _idempotent(self, method: str, *, idempotent: bool | None) -> bool:
        if idempotent is not None:
            return idempotent
        return method.upper() in ("GET", "HEAD", "OPTIONS", "PUT", "DELETE")

    def parse_json(self, response: httpx.Response) -> Any:
        """Parse a response body as JSON; `ResponseFormatError` if it is not."""
        if response.status_code == 204 or not response.content:
            return None
        try:
            return json.loads(response.content)
        except ValueError as exc:
            what = self._policy.describe(response.request)
            msg = (
                f"{self.adapter}: the answer to {what} is not valid JSON "
                f"({exc}); nothing from it was used"
            )
            raise ResponseFormatError(msg, adapter=self.adapter, request=what) from None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.adapter} {self.base_url}>"


class HttpCore(_CoreBase):
    """The synchronous HTTP core: one per adapter instance.

    Parameters
    ----------
    adapter : str
        The adapter's name, for messages and logs.
    base_url : str
        The tool's root URL; https unless loopback.
    headers : mapping, optional
        Headers sent with every request (``Accept``, API version).
    auth : httpx.Auth, optional
        Authentication (``httpx.BasicAuth``, a bearer-token auth).
    timeout : float or httpx.Timeout, default 30
        Seconds; connect is capped at 10 s when a float is given.
    retry : RetryPolicy, optional
    rules : RateLimitRules, optional
        The tool's rate-limit signals (`JiraRules`, `GitHubRules`).
    secrets : iterable of str
        Values to redact from logs and messages (tokens, passwords).
    credential : str
        How to name the credential in an authentication error, e.g.
        ``"token from PRODUCTOPS_JIRA_TOKEN for bot@example.com"``.
    client : httpx.Client, optional
        Bring your own client (proxies, certificates); it is not closed here.
    transport : httpx.BaseTransport, optional
        For a new client: a test transport or a `productops.testing` fake.
    sleep : callable, default time.sleep
        How to wait between retries (tests pass a recorder).

    Examples
    --------
    >>> def handler(request):
    ...     return httpx.Response(200, json={"ok": True})
    >>> core = HttpCore(adapter="demo", base_url="https://127.0.0.1",
    ...                 transport=httpx.MockTransport(handler))
    >>> core.json("GET", "/status")
    {'ok': True}
    >>> core.requests
    1
    """

    def __init__(
        self,
        *,
        adapter: str,
        base_url: str,
        headers: Mapping[str, str] | None = None,
        auth: httpx.Auth | None = None,
        timeout: httpx.Timeout | float = 30.0,
        retry: RetryPolicy | None = None,
        rules: RateLimitRules | None = None,
        secrets: Iterable[str] = (),
        credential: str = "the configured credentials",
        client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(
            adapter=adapter,
            base_url=base_url,
            headers=headers,
            auth=auth,
            timeout=timeout,
            retry=retry,
            rules=rules,
            secrets=secrets,
            credential=credential,
        )
        self._owns_client = client is None
        self._client = client or httpx.Client(transport=transport)
        self._sleep = sleep

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> httpx.Response:
        """Send a request with retries; return the successful response.

        `url` is a path under `base_url`, or an absolute URL (as a ``Link``
        header gives). `idempotent` says whether a failed request may be
        repeated; by default GET, HEAD, OPTIONS, PUT and DELETE may, POST
        may not (pass ``idempotent=True`` for read-only POSTs such as a
        search).

        Raises
        ------
        AuthenticationError, NotFoundError, RateLimitedError, APIError,
        ConnectionFailedError
        """
        policy = self._policy
        again = self._idempotent(method, idempotent=idempotent)
        request = self._client.build_request(
            method, _join(self.base_url, url), **self._options(params, json, headers)
        )

        def attempt() -> httpx.Response:
            policy.count()
            started = time.perf_counter()
            try:
                response = self._client.send(request, auth=self._auth)
            except httpx.HTTPError as exc:
                policy.failed(exc, request, idempotent=again)
                raise  # pragma: no cover - failed() always raises
            response.read()
            _log(policy, response, time.perf_counter() - started)
            policy.outcome(response, idempotent=again)
            return response

        retrying = tenacity.Retrying(sleep=self._sleep, **policy.retrying())
        try:
            return retrying(attempt)
        except (_Retry, _GiveUp) as exc:
            raise exc.error from exc.error.__cause__

    def json(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> Any:
        """Like `request`, and parse the JSON body.

        Raises
        ------
        ResponseFormatError
            If the body is not valid JSON (a truncated page, an HTML error
            page from a proxy).
        """
        response = self.request(
            method,
            url,
            params=params,
            json=json,
            headers=headers,
            idempotent=idempotent,
        )
        return self.parse_json(response)

    def gather(
        self, calls: Sequence[Callable[[], T]], *, concurrency: int = 4
    ) -> list[T]:
        """Run independent calls on a few threads; results in the calls' order.

        For fan-out such as one changelog request per issue. Each call still
        goes through `request`, so retries and rate limits apply to each.
        The first error is raised after the other calls have finished.

        Examples
        --------
        >>> core = HttpCore(adapter="demo", base_url="https://127.0.0.1",
        ...                 transport=httpx.MockTransport(
        ...                     lambda r: httpx.Response(200, json=r.url.path)))
        >>> core.gather([lambda n=n: core.json("GET", f"/{n}") for n in range(3)])
        ['/0', '/1', '/2']
        """
        if concurrency <= 1 or len(calls) <= 1:
            return [call() for call in calls]
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            futures = [pool.submit(call) for call in calls]
            return [future.result() for future in futures]

    def close(self) -> None:
        """Close the client, if this core created it."""
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncHttpCore(_CoreBase):
    """The asynchronous twin of `HttpCore`, on `httpx.AsyncClient`.

    Same parameters; `sleep` is a coroutine function (default
    `asyncio.sleep`), `client` an `httpx.AsyncClient`, `transport` an
    `httpx.AsyncBaseTransport` (``httpx.MockTransport`` works for both).

    Examples
    --------
    >>> import asyncio
    >>> async def main():
    ...     core = AsyncHttpCore(adapter="demo", base_url="https://127.0.0.1",
    ...                          transport=httpx.MockTransport(
    ...                              lambda r: httpx.Response(200, json=[1, 2])))
    ...     async with core:
    ...         return await core.json("GET", "/numbers")
    >>> asyncio.run(main())
    [1, 2]
    """

    def __init__(
        self,
        *,
        adapter: str,
        base_url: str,
        headers: Mapping[str, str] | None = None,
        auth: httpx.Auth | None = None,
        timeout: httpx.Timeout | float = 30.0,
        retry: RetryPolicy | None = None,
        rules: RateLimitRules | None = None,
        secrets: Iterable[str] = (),
        credential: str = "the configured credentials",
        client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(
            adapter=adapter,
            base_url=base_url,
            headers=headers,
            auth=auth,
            timeout=timeout,
            retry=retry,
            rules=rules,
            secrets=secrets,
            credential=credential,
        )
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient(transport=transport)
        self._sleep = sleep

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> httpx.Response:
        """Send a request with retries; see `HttpCore.request`."""
        policy = self._policy
        again = self._idempotent(method, idempotent=idempotent)
        request = self._client.build_request(
            method, _join(self.base_url, url), **self._options(params, json, headers)
        )
        retrying = tenacity.AsyncRetrying(sleep=self._sleep, **policy.retrying())
        try:
            async for attempt in retrying:
                with attempt:
                    policy.count()
                    started = time.perf_counter()
                    try:
                        response = await self._client.send(request, auth=self._auth)
                    except httpx.HTTPError as exc:
                        policy.failed(exc, request, idempotent=again)
                        raise  # pragma: no cover - failed() always raises
                    await response.aread()
                    _log(policy, response, time.perf_counter() - started)
                    policy.outcome(response, idempotent=again)
                    return response
        except (_Retry, _GiveUp) as exc:
            raise exc.error from exc.error.__cause__
        msg = "unreachable: tenacity stopped without an outcome"  # pragma: no cover
        raise AssertionError(msg)  # pragma: no cover

    async def json(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> Any:
        """Like `request`, and parse the JSON body; see `HttpCore.json`."""
        response = await self.request(
            method,
            url,
            params=params,
            json=json,
            headers=headers,
            idempotent=idempotent,
        )
        return self.parse_json(response)

    async def aclose(self) -> None:
        """Close the client, if this core created it."""
        if self._owns_client:
            await self._client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class HttpAdapter:
    """What every HTTP adapter shares: its `HttpCore`, a request count, closing.

    Subclasses set ``self._http`` in ``__init__``; a client passed in by the
    caller is not closed (the core knows which it created).

    Examples
    --------
    >>> import httpx
    >>> class Ping(HttpAdapter):
    ...     def __init__(self):
    ...         handler = lambda request: httpx.Response(200, json={})
    ...         self._http = HttpCore(adapter="ping", base_url="http://127.0.0.1",
    ...                               transport=httpx.MockTransport(handler))
    >>> with Ping() as ping:
    ...     _ = ping._http.request("GET", "/")
    ...     ping.requests
    1
    """

    _http: HttpCore

    @property
    def requests(self) -> int:
        """HTTP requests sent so far, retries included."""
        return self._http.requests

    def close(self) -> None:
        """Close the HTTP client, if the adapter created it."""
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _http_moment(value: str) -> str:
    """Show a ``Deprecation``/``Sunset`` value as an ISO date-time when it is one."""
    text = value.strip()
    if text.startswith("@") and text[1:].lstrip("-").isdigit():
        return datetime.fromtimestamp(int(text[1:]), tz=UTC).isoformat()
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return text
    return moment.astimezone(UTC).isoformat() if moment.tzinfo else text


def _join(base_url: str, url: str) -> str:
    if url.startswith(("http://", "https://")):
        return url
    return f"{base_url}/{url.lstrip('/')}"


def _log(policy: _Policy, response: httpx.Response, elapsed: float) -> None:
    if not logger.isEnabledFor(logging.DEBUG):
        return
    logger.debug(
        "%s %s -> %d in %.3f s",
        policy.adapter,
        policy.describe(response.request),
        response.status_code,
        elapsed,
        extra={
            "adapter": policy.adapter,
            "method": response.request.method,
            "url": policy.redact(str(response.request.url)),
            "status": response.status_code,
            "elapsed": elapsed,
        },
    )
