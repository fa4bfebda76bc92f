"""Errors and warnings raised by productops.

Every exception productops raises on purpose derives from `ProductOpsError`, so one
``except productops.ProductOpsError`` catches them all:

```text
ProductOpsError                         base; catch-all for callers
├── InvalidInputError(ValueError)       bad arguments to a pure function
├── DataLoadError                       a file or workspace holds bad records;
│                                       .problems lists every one of them
├── ConfigurationError                  a setting is missing or contradictory
└── AdapterError                        .adapter: the tool's name
    ├── AdapterNotFoundError(LookupError)   names the extra to install
    ├── AdapterConfigError(ConfigurationError)  missing token, bad base_url
    ├── ConnectionFailedError           the tool could not be reached
    ├── ResponseFormatError             the tool answered, but not in its API's shape
    └── APIError                        .status_code, .request_id, .body
        ├── AuthenticationError         401 / 403
        ├── NotFoundError               404
        └── RateLimitedError            429; .retry_after in seconds

ProductOpsWarning(UserWarning)          base of our warnings
├── DataRepairWarning                   input was repaired; the result says how
└── PluginLoadWarning                   a third-party adapter failed to load
```

Bad *record data* passed straight to a model raises `pydantic.ValidationError`
unchanged: it already names every bad field. Loading records from a file or a
workspace folder raises `DataLoadError` instead, which adds the file and the
position of each bad record and lists all of them, not only the first.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "APIError",
    "AdapterConfigError",
    "AdapterError",
    "AdapterNotFoundError",
    "AuthenticationError",
    "ConfigurationError",
    "ConnectionFailedError",
    "DataLoadError",
    "DataRepairWarning",
    "DeprecatedAPIWarning",
    "InvalidInputError",
    "NotFoundError",
    "PluginLoadWarning",
    "ProductOpsError",
    "ProductOpsWarning",
    "RateLimitedError",
    "RecordProblem",
    "ResponseFormatError",
]


class ProductOpsError(Exception):
    """Base class of every error productops raises on purpose.

    Examples
    --------
    >>> import productops as po
    >>> try:
    ...     po.Workspace.load("/nonexistent")
    ... except po.ProductOpsError as exc:
    ...     print(type(exc).__name__)
    DataLoadError
    """


class InvalidInputError(ProductOpsError, ValueError):
    """An argument to a function is out of its domain (``effort <= 0``, ...).

    Examples
    --------
    >>> issubclass(InvalidInputError, ValueError)
    True
    """


class ConfigurationError(ProductOpsError):
    """A setting is missing, malformed or contradicts another one.

    Examples
    --------
    >>> import productops as po
    >>> try:
    ...     po.Workspace.load(".", tz="Mars/Olympus")
    ... except po.ConfigurationError as exc:
    ...     print(exc)
    tz: 'Mars/Olympus' is not a known IANA time zone (e.g. 'Europe/Berlin', 'UTC')
    """


@dataclass(frozen=True, slots=True)
class RecordProblem:
    """One bad record found while loading data.

    Attributes
    ----------
    source : str
        Where the record came from: a file path, or a description such as
        ``"<records>"``.
    position : int | None
        Zero-based index of the record in its file (the line number minus one
        for JSON Lines); ``None`` when the whole file is unreadable.
    key : str | None
        The record's key, when it could be read.
    field : str
        Dotted path of the offending field (``"history.2.at"``), or ``""`` when
        the problem concerns the record as a whole.
    message : str
        What is wrong, in words.

    Examples
    --------
    >>> print(RecordProblem("teams.json", 1, "core", "capacity", "must be >= 0"))
    teams.json record #1 (key='core') field 'capacity': must be >= 0
    """

    source: str
    position: int | None
    key: str | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.source
        if self.position is not None:
            where += f" record #{self.position}"
        if self.key is not None:
            where += f" (key={self.key!r})"
        field = f" field {self.field!r}" if self.field else ""
        return f"{where}{field}: {self.message}"


class DataLoadError(ProductOpsError):
    """Records read from a file or folder failed validation.

    The message lists every problem, one per line.

    Attributes
    ----------
    problems : tuple of RecordProblem
        Every problem found, in file and record order.

    Examples
    --------
    >>> err = DataLoadError(
    ...     [RecordProblem("items.json", 2, "APP-3", "estimate", "must be >= 0")]
    ... )
    >>> print(err)
    1 problem while loading data:
      - items.json record #2 (key='APP-3') field 'estimate': must be >= 0
    """

    def __init__(self, problems: list[RecordProblem] | tuple[RecordProblem, ...]):
        self.problems: tuple[RecordProblem, ...] = tuple(problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"{count} {noun} while loading data:"]
        lines += [f"  - {problem}" for problem in self.problems]
        super().__init__("\n".join(lines))


class AdapterError(ProductOpsError):
    """A tool adapter failed.

    Attributes
    ----------
    adapter : str
        The tool's adapter name (``"jira"``).

    Examples
    --------
    >>> AdapterError("unexpected payload", adapter="trello").adapter
    'trello'
    """

    def __init__(self, message: str, *, adapter: str) -> None:
        super().__init__(message)
        self.adapter = adapter


class AdapterNotFoundError(AdapterError, LookupError):
    """No adapter is registered under the requested name.

    Examples
    --------
    >>> issubclass(AdapterNotFoundError, LookupError)
    True
    """


class AdapterConfigError(AdapterError, ConfigurationError):
    """An adapter was configured wrongly (missing token, non-https base URL).

    Examples
    --------
    >>> issubclass(AdapterConfigError, ConfigurationError)
    True
    """


class ConnectionFailedError(AdapterError):
    """The tool could not be reached (DNS, TLS, timeout, connection reset).

    Examples
    --------
    >>> str(ConnectionFailedError("timed out after 30 s", adapter="jira"))
    'timed out after 30 s'
    """


class ResponseFormatError(AdapterError):
    """The tool answered, but the body is not what its API promises.

    A truncated or invalid JSON page, or a page without the field that holds
    the records. Never turned into a silently partial result.

    Attributes
    ----------
    request : str
        The request that got the answer (method and URL, secrets redacted).

    Examples
    --------
    >>> err = ResponseFormatError("not JSON", adapter="jira", request="GET /x")
    >>> err.request
    'GET /x'
    """

    def __init__(self, message: str, *, adapter: str, request: str) -> None:
        super().__init__(message, adapter=adapter)
        self.request = request


class APIError(AdapterError):
    """The tool answered with an error status.

    Attributes
    ----------
    status_code : int
        The HTTP status code.
    request_id : str | None
        The tool's request id header, when it sent one (quote it to support).
    body : str
        The start of the response body, for diagnosis; never holds our secrets.

    Examples
    --------
    >>> err = APIError("server error", adapter="jira", status_code=503)
    >>> err.status_code, err.request_id
    (503, None)
    """

    def __init__(
        self,
        message: str,
        *,
        adapter: str,
        status_code: int,
        request_id: str | None = None,
        body: str = "",
    ) -> None:
        super().__init__(message, adapter=adapter)
        self.status_code = status_code
        self.request_id = request_id
        self.body = body


class AuthenticationError(APIError):
    """The credentials were refused (401) or lack a permission (403).

    Examples
    --------
    >>> AuthenticationError("refused", adapter="github", status_code=401).status_code
    401
    """


class NotFoundError(APIError):
    """The requested resource does not exist, or is invisible to these credentials.

    Examples
    --------
    >>> issubclass(NotFoundError, APIError)
    True
    """


class RateLimitedError(APIError):
    """The tool kept answering 429 after the retries allowed.

    Attributes
    ----------
    retry_after : float or None
        The wait the tool asked for, in seconds, when it said.

    Examples
    --------
    >>> RateLimitedError("slow down", adapter="slack", retry_after=30.0).retry_after
    30.0
    """

    def __init__(
        self,
        message: str,
        *,
        adapter: str,
        status_code: int = 429,
        request_id: str | None = None,
        body: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(
            message,
            adapter=adapter,
            status_code=status_code,
            request_id=request_id,
            body=body,
        )
        self.retry_after = retry_after


class ProductOpsWarning(UserWarning):
    """Base class of productops warnings.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warnings.warn("2 duplicate events dropped", DataRepairWarning, stacklevel=1)
    >>> issubclass(caught[0].category, ProductOpsWarning)
    True
    """


class DataRepairWarning(ProductOpsWarning):
    """Input was repaired on the way in; the result records what was changed.

    Examples
    --------
    >>> issubclass(DataRepairWarning, UserWarning)
    True
    """


class DeprecatedAPIWarning(ProductOpsWarning):
    """A tool's API answered that the endpoint used is deprecated or going away.

    Raised once per endpoint and client from the ``Deprecation`` (RFC 9745) and
    ``Sunset`` (RFC 8594) response headers; the message names the endpoint,
    the dates and the notice the server links to.

    Examples
    --------
    >>> issubclass(DeprecatedAPIWarning, ProductOpsWarning)
    True
    """


class PluginLoadWarning(ProductOpsWarning):
    """A third-party adapter plugin could not be loaded and was skipped.

    Examples
    --------
    >>> issubclass(PluginLoadWarning, ProductOpsWarning)
    True
    """
