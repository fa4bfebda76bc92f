"""Microsoft Teams: post Adaptive Cards to a channel through a Workflows webhook.

`TeamsAdapter` satisfies `Notifier`. It posts to a Teams **Workflows** webhook:
the URL of a workflow built from the template "Post to a channel when a
webhook request is received" (Power Automate). That URL is on
``*.logic.azure.com`` or ``*.api.powerplatform.com`` and carries its
credential in the ``sig=`` query parameter, so the whole query is a secret: it
is redacted from reprs, logs and error messages. The channel is fixed by the
workflow; there is no ``channel=``.

What it sends
-------------
``{"type": "message", "attachments": [{"contentType":
"application/vnd.microsoft.card.adaptive", "contentUrl": null, "content":
<AdaptiveCard>}]}``, built by `productops.people.teams_card` from a
`productops.people.Message` or any result `productops.people.message_from`
accepts (a KPI status or a list of them, a flow report, a release readiness
verdict). A plain ``str`` becomes a card with one wrapped ``TextBlock``.
``TextBlock`` text supports only a Markdown subset: ``**bold**``,
``_italic_``, bulleted (``- item``) and numbered (``1. item``) lists, and
links ``[title](https://...)``; headings, tables, images, code and HTML are
shown as plain text.

What the answer means
---------------------
A Workflows webhook answers **202 Accepted with an empty body**: the flow has
*queued* the message, not posted it. A card the flow then fails to post shows
up only in the flow's run history in Power Automate. `TeamsAdapter.notify`
therefore returns nothing, and a success means "accepted". 401/403, 404, 429
after the retries and other errors raise the `productops.errors` errors of the
HTTP core; a POST is retried on 429 only (Teams did not act on it), never on a
5xx (it might have been posted).

Legacy Office 365 connector webhooks (``*.webhook.office.com``) are retired by
Microsoft; they still work here with a `DeprecatedAPIWarning` (they answer 200
with the body ``1``, and 200 with an error text when they fail).

Size
----
Teams refuses messages larger than about 28 KB ("Request Entity too large").
The adapter measures the JSON body exactly as it is sent (compact UTF-8) and
refuses one over `MAX_PAYLOAD_BYTES` before sending anything.
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Final, Self
from urllib.parse import parse_qs, urlsplit

import httpx
from pydantic import ConfigDict, Field, SecretStr, field_validator

from ..errors import (
    AdapterConfigError,
    APIError,
    DeprecatedAPIWarning,
    InvalidInputError,
)
from ..people._messages import TEAMS_VERSIONS, Message, teams_card
from ._config import AdapterSettings
from ._http import HttpAdapter, HttpCore, RetryPolicy, is_loopback

if TYPE_CHECKING:
    from ..flow._metrics import FlowReport
    from ..kpi._status import KpiStatus
    from ..people._messages import ReadinessResult

__all__ = [
    "MAX_PAYLOAD_BYTES",
    "TeamsAdapter",
    "TeamsSettings",
]

_NAME: Final = "teams"
_ADAPTIVE_CARD: Final = "application/vnd.microsoft.card.adaptive"

MAX_PAYLOAD_BYTES: Final = 28_000
"""Largest JSON body `TeamsAdapter.notify` sends, in bytes (compact UTF-8).

Microsoft documents the limit as "28 KB" without saying whether a KB is 1000
or 1024 bytes, and as "about 28 KB" for Workflows; 28,000 is the smaller
reading. Sources: Microsoft Learn, "Create Incoming Webhooks" (note: "The
message size limit is 28 KB"); Microsoft Learn, Microsoft Teams connector
reference, "Known issues and limitations" ("the message size limit is about
28 KB ... the action fails with ... 'Request Entity too large'")."""

_WORKFLOW_HOSTS: Final = ("logic.azure.com", "api.powerplatform.com")
_LEGACY_HOSTS: Final = ("webhook.office.com",)


def _under(host: str, domains: Sequence[str]) -> bool:
    return any(host == d or host.endswith(f".{d}") for d in domains)


class TeamsSettings(AdapterSettings):
    """Settings of `TeamsAdapter`: the webhook URL and how cards are built.

    Every setting can come from an argument, ``PRODUCTOPS_TEAMS_<SETTING>`` or
    the ``[<profile>.teams]`` table of the profile file. The URL must be https
    (plain http only on loopback, for tests) on ``*.logic.azure.com`` or
    ``*.api.powerplatform.com`` with a ``sig=`` parameter, or a legacy
    ``*.webhook.office.com`` connector URL (accepted; the adapter warns).
    Errors never show the URL.

    Attributes
    ----------
    webhook_url : SecretStr
        The Workflows webhook URL, ``sig=`` included.
    card_version : str
        Adaptive Card version of the cards sent, one of
        `productops.people.TEAMS_VERSIONS`; Teams renders up to 1.5.
    timeout : float
        Seconds to wait for an answer.

    Examples
    --------
    >>> settings = TeamsSettings(
    ...     webhook_url="https://127.0.0.1/workflows/abc"
    ...                 "/triggers/manual/paths/invoke?sv=1.0&sig=s3cr3t")
    >>> settings
    TeamsSettings(webhook_url=SecretStr('**********'), card_version='1.5', timeout=30.0)
    >>> settings.is_legacy
    False
    """

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    adapter: ClassVar[str] = _NAME

    webhook_url: SecretStr
    """The Workflows webhook URL; its ``sig=`` query is the credential."""
    card_version: str = "1.5"
    """Adaptive Card schema version of the cards sent."""
    timeout: float = Field(30.0, gt=0)
    """Seconds to wait for an answer."""

    @field_validator("webhook_url")
    @classmethod
    def _check_url(cls, value: SecretStr) -> SecretStr:
        parts = urlsplit(value.get_secret_value().strip())
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or not host:
            msg = "must be an absolute https:// URL"
            raise ValueError(msg)
        if parts.scheme == "http" and not is_loopback(host):
            msg = "must use https:// (only loopback hosts may use http)"
            raise ValueError(msg)
        if _under(host, _LEGACY_HOSTS):
            return value
        if not (is_loopback(host) or _under(host, _WORKFLOW_HOSTS)):
            msg = (
                f"host {host!r} is not a Teams Workflows webhook host "
                "(*.logic.azure.com or *.api.powerplatform.com)"
            )
            raise ValueError(msg)
        if not parse_qs(parts.query).get("sig"):
            msg = "has no sig= query parameter (copy the whole URL from the workflow)"
            raise ValueError(msg)
        return value

    @field_validator("card_version")
    @classmethod
    def _check_version(cls, value: str) -> str:
        if value not in TEAMS_VERSIONS:
            msg = f"must be one of {', '.join(TEAMS_VERSIONS)}"
            raise ValueError(msg)
        return value

    @property
    def is_legacy(self) -> bool:
        """Whether the URL is a retired Office 365 connector webhook."""
        host = urlsplit(self.webhook_url.get_secret_value()).hostname or ""
        return _under(host.lower(), _LEGACY_HOSTS)


class TeamsAdapter(HttpAdapter):
    """Posts messages and results to a Teams channel as Adaptive Cards.

    Satisfies `Notifier`. Build it with settings (see `TeamsSettings`) as
    keyword arguments, from the environment or the profile file, or with
    `from_settings`.

    Parameters
    ----------
    settings : TeamsSettings, optional
        Ready settings; otherwise they are resolved from ``**values``, the
        environment and the profile file.
    profile : str, optional
        The profile-file table to read.
    client : httpx.Client, optional
        Your own client (proxies, certificates); it is not closed here.
    transport : httpx.BaseTransport, optional
        A transport for a new client, such as `FakeTeams`'s.
    retry : RetryPolicy, optional
        Retries (of 429 answers) and the total time a post may take.
    sleep : callable, default time.sleep
        How to wait before a retry.
    **values
        Settings, as in `TeamsSettings`.

    Attributes
    ----------
    settings : TeamsSettings
        The resolved settings (the URL hidden).

    Warns
    -----
    DeprecatedAPIWarning
        For a legacy ``*.webhook.office.com`` connector URL.

    Examples
    --------
    >>> from productops.testing import FakeTeams
    >>> fake = FakeTeams()
    >>> teams = TeamsAdapter(webhook_url=fake.webhook_url(),
    ...                      transport=fake.transport())
    >>> teams
    <TeamsAdapter workflow at 127.0.0.1>
    >>> teams.notify("**Release 2.3** is out")
    >>> fake.posted[0]["body"]
    [{'type': 'TextBlock', 'text': '**Release 2.3** is out', 'wrap': True}]
    """

    name: ClassVar[str] = _NAME

    def __init__(
        self,
        *,
        settings: TeamsSettings | None = None,
        profile: str | None = None,
        client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        **values: Any,
    ) -> None:
        if settings is not None and values:
            msg = (
                f"teams: pass settings= or setting values, not both ({sorted(values)})"
            )
            raise AdapterConfigError(msg, adapter=_NAME)
        self.settings = settings or TeamsSettings.resolve(values, profile=profile)
        url = self.settings.secret("webhook_url").strip()
        parts = urlsplit(url)
        self._host = parts.hostname or ""
        self._legacy = self.settings.is_legacy
        if self._legacy:
            warnings.warn(
                f"teams: {self._host} is a legacy Office 365 connector webhook, "
                "which Microsoft is retiring; create a Teams Workflows webhook "
                "('Post to a channel when a webhook request is received') instead",
                DeprecatedAPIWarning,
                stacklevel=2,
            )
        self._target = parts.path + (f"?{parts.query}" if parts.query else "")
        secrets = [parts.query, httpx.URL(url).query.decode("ascii", "replace")]
        secrets += parse_qs(parts.query).get("sig", [])
        if self._legacy:  # connector URLs carry their credential in the path
            secrets.append(parts.path)
        source = self.settings.sources.get("webhook_url", "the settings")
        self._http = HttpCore(
            adapter=_NAME,
            base_url=f"{parts.scheme}://{parts.netloc}",
            headers={"Accept": "application/json"},
            timeout=self.settings.timeout,
            retry=retry,
            secrets=secrets,
            credential=f"webhook URL sig from {source}",
            client=client,
            transport=transport,
            sleep=sleep,
        )

    @classmethod
    def from_settings(
        cls,
        settings: TeamsSettings,
        *,
        client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> Self:
        """Build the adapter from ready `TeamsSettings`.

        Examples
        --------
        >>> from productops.testing import FakeTeams
        >>> fake = FakeTeams()
        >>> settings = TeamsSettings(webhook_url=fake.webhook_url())
        >>> TeamsAdapter.from_settings(settings, transport=fake.transport()).name
        'teams'
        """
        return cls(
            settings=settings,
            client=client,
            transport=transport,
            retry=retry,
            sleep=sleep,
        )

    def __repr__(self) -> str:
        kind = "legacy connector" if self._legacy else "workflow"
        return f"<TeamsAdapter {kind} at {self._host}>"

    def payload(
        self,
        message: str
        | Message
        | KpiStatus
        | Sequence[KpiStatus]
        | FlowReport
        | ReadinessResult,
    ) -> dict[str, Any]:
        """Return the JSON envelope `notify` would send for `message`.

        Parameters
        ----------
        message : str, Message or anything `message_from` accepts
            A ``str`` is Markdown (the Adaptive Card subset) shown in one
            wrapped ``TextBlock``; anything else goes through `teams_card`.

        Returns
        -------
        dict
            ``{"type": "message", "attachments": [...]}``.

        Raises
        ------
        InvalidInputError
            For an empty string, or as `teams_card`.

        Examples
        --------
        >>> from productops.testing import FakeTeams
        >>> teams = TeamsAdapter(webhook_url=FakeTeams().webhook_url())
        >>> card = teams.payload("Deploy done")["attachments"][0]["content"]
        >>> card["type"], card["version"], card["body"][0]["wrap"]
        ('AdaptiveCard', '1.5', True)
        """
        version = self.settings.card_version
        if not isinstance(message, str):
            return teams_card(message, version=version)
        if not message.strip():
            msg = "teams: message: must not be empty"
            raise InvalidInputError(msg)
        card = {
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard",
            "version": version,
            "body": [{"type": "TextBlock", "text": message, "wrap": True}],
        }
        return {
            "type": "message",
            "attachments": [
                {"contentType": _ADAPTIVE_CARD, "contentUrl": None, "content": card}
            ],
        }

    def notify(
        self,
        message: str
        | Message
        | KpiStatus
        | Sequence[KpiStatus]
        | FlowReport
        | ReadinessResult,
        *,
        channel: str | None = None,
    ) -> None:
        """Post `message` to the workflow's channel as an Adaptive Card.

        Success means Teams **accepted** the message (202, empty body), not
        that it was posted: a flow that fails afterwards shows it only in its
        run history.

        Parameters
        ----------
        message : str, Message or anything `message_from` accepts
            What to post (see `payload`).
        channel : None
            Must be left out: the workflow fixes the channel. Create one
            adapter per webhook URL to post to several channels.

        Raises
        ------
        InvalidInputError
            If `channel` is given, `message` is empty or not a kind
            `message_from` accepts, or the body exceeds `MAX_PAYLOAD_BYTES`
            (nothing is sent).
        AuthenticationError
            If the ``sig`` is refused (401/403).
        NotFoundError
            If the workflow does not exist (deleted, or the URL regenerated).
        RateLimitedError
            If Teams still answers 429 after the retries.
        APIError
            For other error answers (400 for a card the workflow rejects,
            413, 5xx), or a legacy connector's 200 with an error text.
        ConnectionFailedError
            If Teams cannot be reached.

        Examples
        --------
        >>> from productops.people import Message
        >>> from productops.testing import FakeTeams
        >>> fake = FakeTeams()
        >>> teams = TeamsAdapter(webhook_url=fake.webhook_url(),
        ...                      transport=fake.transport())
        >>> teams.notify(Message(title="Sprint 14 closed", status="good",
        ...                      facts=[("Done", "21 points")]))
        >>> fake.posted[0]["body"][1]["facts"]
        [{'title': 'Done', 'value': '21 points'}]
        """
        if channel is not None:
            msg = (
                f"teams: channel={channel!r} cannot be chosen: a Workflows webhook "
                "posts to the channel set in its workflow; use one adapter (one "
                "webhook URL) per channel"
            )
            raise InvalidInputError(msg)
        payload = self.payload(message)
        size = len(
            json.dumps(
                payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False
            ).encode("utf-8")
        )
        if size > MAX_PAYLOAD_BYTES:
            msg = (
                f"teams: the message is {size:,} bytes as JSON; Teams refuses "
                f"messages over about 28 KB (limit here {MAX_PAYLOAD_BYTES:,} "
                "bytes). Nothing was sent: shorten it (fewer facts, sections or "
                "lines) or split it into several messages"
            )
            raise InvalidInputError(msg)
        try:
            response = self._http.request("POST", self._target, json=payload)
        except APIError as exc:
            detail = _azure_detail(exc.body)
            if detail:
                detail = self._http.redact(detail)
                if detail not in str(exc):
                    exc.args = (f"{exc.args[0]}: {detail}", *exc.args[1:])
            raise
        if self._legacy:
            text = response.text.strip()
            if text not in ("", "1"):
                what = self._http.redact(f"POST {response.request.url}")
                msg = (
                    f"teams: the connector answered {response.status_code} on {what} "
                    f"but reported an error: {self._http.redact(text[:500])}"
                )
                raise APIError(
                    msg,
                    adapter=_NAME,
                    status_code=response.status_code,
                    body=self._http.redact(text[:2000]),
                )


def _azure_detail(body: str) -> str:
    """Return the message of an Azure error body ``{"error": {"message"}}``."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return ""
    error = parsed.get("error") if isinstance(parsed, dict) else None
    if not isinstance(error, dict):
        return ""
    parts = [
        str(error[key])
        for key in ("code", "message")
        if isinstance(error.get(key), str)
    ]
    return ": ".join(parts)[:500]
