"""Adapters: the seam between productops and the tools where the data lives.

- **Capabilities** are Protocols (`WorkTracker`, `FeedbackSource`, `Notifier`,
  `DocumentSink`, `MetricsSource`): an adapter implements those its tool
  supports, without subclassing anything.
- **Registry**: ``po.adapters.get("jira", ...)`` builds an adapter by name;
  `available` lists them; third-party packages add their own through the
  entry-point group ``productops.adapters``; `register` adds a class in code.
- **Settings** come from arguments, ``PRODUCTOPS_<ADAPTER>_<SETTING>``
  environment variables and a TOML profile file, in that order
  (`AdapterSettings`); secrets never show in reprs, logs or errors.
- **The HTTP core** (`HttpCore`, `AsyncHttpCore`) gives every adapter the same
  timeouts, retries with backoff, rate-limit handling, error mapping, https
  enforcement and redacted logging; the paginators (`BodyToken`, `LinkHeader`,
  `Offset`, `GraphQLCursor`) make long syncs resumable.

Examples
--------
>>> from productops import adapters
>>> sorted(adapters.available()) == sorted(adapters.available().keys())
True
"""

from ..errors import (
    AdapterConfigError,
    AdapterError,
    AdapterNotFoundError,
    APIError,
    AuthenticationError,
    ConnectionFailedError,
    NotFoundError,
    RateLimitedError,
    ResponseFormatError,
)
from ._config import AdapterSettings, config_path
from ._http import (
    AsyncHttpCore,
    GitHubRules,
    HttpCore,
    JiraRules,
    RateLimitRules,
    Redactor,
    RetryPolicy,
    check_base_url,
)
from ._paging import (
    BodyToken,
    GraphQLCursor,
    LinkHeader,
    Offset,
    Page,
    PageRequest,
    Paginator,
    apaginate,
    paginate,
)
from ._protocols import (
    DocumentSink,
    FeedbackSource,
    MetricsSource,
    Notifier,
    Progress,
    ProgressCallback,
    WorkTracker,
)
from ._registry import (
    ENTRY_POINT_GROUP,
    AdapterInfo,
    adapter_class,
    available,
    get,
    register,
    registry,
)

__all__ = [
    "APIError",
    "AdapterConfigError",
    "AdapterError",
    "AdapterInfo",
    "AdapterNotFoundError",
    "AdapterSettings",
    "AsyncHttpCore",
    "AuthenticationError",
    "BodyToken",
    "ConnectionFailedError",
    "DocumentSink",
    "ENTRY_POINT_GROUP",
    "FeedbackSource",
    "GitHubRules",
    "GraphQLCursor",
    "HttpCore",
    "JiraRules",
    "LinkHeader",
    "MetricsSource",
    "NotFoundError",
    "Notifier",
    "Offset",
    "Page",
    "PageRequest",
    "Paginator",
    "Progress",
    "ProgressCallback",
    "RateLimitRules",
    "RateLimitedError",
    "Redactor",
    "ResponseFormatError",
    "RetryPolicy",
    "WorkTracker",
    "adapter_class",
    "apaginate",
    "available",
    "check_base_url",
    "config_path",
    "get",
    "paginate",
    "register",
    "registry",
]
