"""Fakes of the tools productops talks to, for testing integrations.

`FakeJira` and `FakeGitHub` serve a `productops.Workspace` in the tools' real
REST shapes; `FakeSlack` and `FakeTeams` take posts and `FakeConfluence` pages
the way those tools do; build fakes of other tools on `FakeService`. Every fake
works two ways, with the same handlers behind both:

- in process, as an httpx transport:
  ``httpx.Client(transport=fake.transport(), base_url=fake.base_url)``;
- as a real threaded HTTP server on ``127.0.0.1``, for any client in any
  language: ``with fake.serve() as base_url: ...``.

`Faults` make a fake slow, paged, rate limited or broken on chosen request
numbers, and ``fake.requests`` logs what it received (never the credentials).

Examples
--------
>>> import httpx
>>> import productops as po
>>> from productops.testing import FakeJira, Faults
>>> fake = FakeJira(po.datasets.load_demo(), faults=Faults(rate_limit_every=2))
>>> with httpx.Client(transport=fake.transport(), base_url=fake.base_url,
...                   auth=fake.credentials) as client:
...     [client.get("/rest/api/3/myself").status_code for _ in range(2)]
[200, 429]
"""

from __future__ import annotations

from ._confluence import FakeConfluence, StoredPage
from ._fake import (
    FakeHTTPError,
    FakeRequest,
    FakeService,
    FakeTransport,
    Fault,
    Faults,
    RecordedRequest,
    route,
)
from ._github import FakeGitHub
from ._jira import FakeJira
from ._slack import FakeSlack, SlackPosted
from ._teams import FakeTeams

__all__ = [
    "FakeConfluence",
    "FakeGitHub",
    "FakeHTTPError",
    "FakeJira",
    "FakeRequest",
    "FakeService",
    "FakeSlack",
    "FakeTeams",
    "FakeTransport",
    "Fault",
    "Faults",
    "RecordedRequest",
    "SlackPosted",
    "StoredPage",
    "route",
]
