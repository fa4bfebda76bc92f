"""Slack: post messages through the Web API or an incoming webhook.

`SlackAdapter` satisfies `Notifier`. It sends a Markdown string, a
`productops.people.Message`, or any result `productops.people.message_from`
accepts (a KPI status or a list of them, a flow report, a release readiness
verdict) to Slack:

- **Web API** (a bot token ``xoxb-...``): ``POST {base_url}/chat.postMessage``
  with a JSON body ``{"channel", "text", "blocks"}`` and
  ``Authorization: Bearer <token>``. Slack answers most errors with HTTP 200 and
  ``{"ok": false, "error": "<code>"}``; the adapter checks ``ok`` and raises an
  error naming the code and what to do (`SLACK_ERRORS`).
- **Incoming webhook** (a ``webhook_url``): ``POST`` the same payload, without
  ``channel``, to the webhook URL. Slack answers the plain text ``ok``, or a
  4xx status with a plain-text code (``invalid_payload``,
  ``channel_is_archived``, ``no_service``...). The webhook fixes the channel.

``chat.postMessage`` is not idempotent: a 5xx answer is never retried (the
message may have been posted), a 429 is retried after ``Retry-After`` by the
HTTP core. The token and the webhook URL (which is itself the credential) are
redacted from reprs, logs and error messages.

References
----------
Slack, docs.slack.dev (read 2026): chat.postMessage
(https://docs.slack.dev/reference/methods/chat.postMessage), Web API basics
(``ok``/``error``, JSON bodies with ``Authorization: Bearer``), Sending
messages using incoming webhooks
(https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks,
plain-text error codes), Rate limits (429 with ``Retry-After``). Official
OpenAPI description: slackapi/slack-api-specs
``web-api/slack_web_openapi_v2.json`` (``POST /chat.postMessage``).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Final, Literal, Self
from urllib.parse import urlsplit

import httpx
from pydantic import Field, SecretStr, model_validator

from .._tabular import Tabular
from .._version import __version__
from ..errors import (
    AdapterConfigError,
    APIError,
    AuthenticationError,
    InvalidInputError,
    NotFoundError,
    RateLimitedError,
    ResponseFormatError,
)
from ._config import AdapterSettings
from ._http import HttpAdapter, HttpCore, RetryPolicy, is_loopback

if TYPE_CHECKING:
    from ..flow._metrics import FlowReport
    from ..kpi._status import KpiStatus
    from ..people._messages import Message, ReadinessResult

__all__ = [
    "SLACK_ERRORS",
    "SlackAdapter",
    "SlackPost",
    "SlackSettings",
    "markdown_to_mrkdwn",
]

_NAME: Final = "slack"
_MAX_TEXT: Final = 40_000
"""Slack truncates ``text`` beyond 40,000 characters; we refuse instead."""

_AUTH: Final = "auth"
_NOT_FOUND: Final = "not_found"
_RATE: Final = "rate"

SLACK_ERRORS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "channel_not_found": (
            _NOT_FOUND,
            "no such channel, or the app cannot see it; give the channel ID "
            "(C...) and invite the app to private channels",
        ),
        "not_in_channel": (
            "",
            "the app is not a member of the channel; invite it with "
            "/invite @<app name> (or grant chat:write.public for public channels)",
        ),
        "is_archived": ("", "the channel is archived; unarchive it or pick another"),
        "channel_is_archived": (
            "",
            "the channel is archived; unarchive it or pick another",
        ),
        "invalid_blocks": ("", "Slack rejected the blocks"),
        "invalid_blocks_format": ("", "the blocks are not a JSON array of blocks"),
        "invalid_payload": ("", "Slack could not read the payload as a message"),
        "no_text": ("", "the message has neither text nor blocks"),
        "msg_too_long": ("", "the text is too long"),
        "too_many_attachments": ("", "too many attachments"),
        "not_authed": (_AUTH, "no token was sent"),
        "invalid_auth": (_AUTH, "the token is not valid; check it is the bot token"),
        "account_inactive": (_AUTH, "the token belongs to a deleted user or app"),
        "token_revoked": (_AUTH, "the token was revoked; reinstall the app"),
        "token_expired": (_AUTH, "the token expired; refresh or reinstall"),
        "no_permission": (_AUTH, "the token lacks a permission for this channel"),
        "missing_scope": (_AUTH, "the token lacks a scope (chat:write)"),
        "not_allowed_token_type": (_AUTH, "use a bot token (xoxb-)"),
        "no_service": (
            _AUTH,
            "the incoming webhook is disabled, removed or invalid; create a new one",
        ),
        "invalid_token": (_AUTH, "the incoming webhook's token is not valid"),
        "action_prohibited": (
            _AUTH,
            "a workspace admin restricted posting to this channel",
        ),
        "team_disabled": (_AUTH, "the workspace is disabled"),
        "ratelimited": (_RATE, "too many messages; slow down"),
        "rate_limited": (_RATE, "too many messages; slow down"),
    }
)
"""Slack error codes → (kind, what to do). Kind ``"auth"`` raises
`AuthenticationError`, ``"not_found"`` `NotFoundError`, ``"rate"``
`RateLimitedError`, ``""`` `APIError`; unknown codes raise `APIError` too."""

_SLACK_TOKEN = re.compile(r"<(?:https?://|mailto:|[@#!])[^<>\s][^<>]*>")
_ENTITY = re.compile(r"&(?:amp|lt|gt);")
_MD_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+|mailto:[^)\s]+)\)")
_MD_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_MD_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)
_MD_BULLET = re.compile(r"^([ \t]*)[-*+][ \t]+", re.MULTILINE)


def _escape_plain(text: str) -> str:
    text = _ENTITY.sub(lambda m: "\x00" + m.group(0)[1:], text)
    text = text.replace("&", "&amp;").replace("\x00", "&")
    return text.replace("<", "&lt;").replace(">", "&gt;")


def markdown_to_mrkdwn(text: str) -> str:
    r"""Turn common Markdown into Slack mrkdwn, escaping ``&``, ``<`` and ``>``.

    ``**bold**``/``__bold__`` → ``*bold*``, ``~~strike~~`` → ``~strike~``,
    ``[label](https://...)`` → ``<https://...|label>``, ``# Heading`` lines →
    ``*Heading*``, ``-``/``*``/``+`` bullets → ``•``. Text that is already
    mrkdwn passes through: Slack's own ``<https://...|label>``, ``<@U123>``,
    ``<#C123>`` and ``<!here>`` tokens and existing ``&amp;``-style entities are
    kept; every other ``&``, ``<`` and ``>`` is escaped, as Slack asks. Single
    ``*x*`` and ``_x_`` are left as they are (bold and italic in mrkdwn).
    Code spans are not treated specially.

    Parameters
    ----------
    text : str
        Markdown or mrkdwn.

    Returns
    -------
    str
        mrkdwn.

    References
    ----------
    Slack, "Formatting message text",
    https://docs.slack.dev/messaging/formatting-message-text (read 2026).

    Examples
    --------
    >>> markdown_to_mrkdwn("## Release 2.3\n- **2 blockers** & [board](https://x.invalid)")
    '*Release 2.3*\n• *2 blockers* &amp; <https://x.invalid|board>'
    >>> markdown_to_mrkdwn("a < b, ask <@U024BE7LH>")
    'a &lt; b, ask <@U024BE7LH>'
    """
    parts: list[str] = []
    position = 0
    for match in _SLACK_TOKEN.finditer(text):
        parts.append(_markdown_piece(text[position : match.start()]))
        parts.append(match.group(0))
        position = match.end()
    parts.append(_markdown_piece(text[position:]))
    return "".join(parts)


def _markdown_piece(text: str) -> str:
    links: list[str] = []

    def keep_link(match: re.Match[str]) -> str:
        label = _escape_plain(match.group(1)).replace("|", "¦")
        links.append(f"<{match.group(2)}|{label}>")
        return f"\x01{len(links) - 1}\x01"

    text = _MD_LINK.sub(keep_link, text)
    text = _escape_plain(text)
    text = _MD_HEADING.sub(r"*\1*", text)
    text = _MD_BOLD.sub(r"*\2*", text)
    text = _MD_STRIKE.sub(r"~\1~", text)
    text = _MD_BULLET.sub(r"\1• ", text)
    return re.sub("\x01([0-9]+)\x01", lambda m: links[int(m.group(1))], text)


def _webhook_problem(url: str) -> str | None:
    """Why `url` cannot be a webhook URL, without repeating it (it is secret)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an absolute https:// URL"
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        return "must use https:// (only loopback hosts may use http)"
    if not parts.path.strip("/"):
        return "has no path; copy the whole URL Slack gave for the webhook"
    return None


class SlackSettings(AdapterSettings):
    """Settings of `SlackAdapter`: a bot token or an incoming-webhook URL.

    Give exactly one of `token` (Web API) and `webhook_url` (incoming webhook).
    Every setting can come from an argument, ``PRODUCTOPS_SLACK_<SETTING>`` or
    the ``[<profile>.slack]`` table of the profile file.

    Attributes
    ----------
    base_url : str
        The Web API root, ``https://slack.com/api``.
    token : SecretStr or None
        A bot token (``xoxb-...``), sent as ``Authorization: Bearer``; needs
        the ``chat:write`` scope.
    webhook_url : SecretStr or None
        An incoming-webhook URL; it is a credential and is never shown.
    channel : str or None
        The default channel for the Web API: an ID (``C0123456789``, best) or a
        name (``#product-ops``). Not allowed with a webhook, whose channel is
        fixed when the webhook is created.
    timeout : float
        Seconds to wait for an answer.

    Examples
    --------
    >>> settings = SlackSettings(token="xoxb-1-2-abc", channel="#product-ops")
    >>> settings.mode, settings.token
    ('web_api', SecretStr('**********'))
    >>> SlackSettings(webhook_url="https://example.invalid/services/T/B/x").mode
    'webhook'
    """

    adapter: ClassVar[str] = _NAME

    base_url: str = "https://slack.com/api"
    """The Web API root (``https://slack.com/api``)."""
    token: SecretStr | None = None
    """A bot token (``xoxb-...``) for the Web API."""
    webhook_url: SecretStr | None = None
    """An incoming-webhook URL (a secret: whoever has it can post)."""
    channel: str | None = None
    """The default Web API channel: an ID or ``#name``."""
    timeout: float = Field(30.0, gt=0)
    """Seconds to wait for an answer."""

    @model_validator(mode="after")
    def _check(self) -> Self:
        problems: list[str] = []
        if (self.token is None) == (self.webhook_url is None):
            problems.append(
                "give exactly one of token (Web API, xoxb-...) and webhook_url "
                "(incoming webhook)"
            )
        if self.token is not None:
            value = self.token.get_secret_value().strip()
            if value.startswith(("http://", "https://")):
                problems.append("token: looks like a URL; pass it as webhook_url")
            elif not value.startswith("xox"):
                problems.append("token: must be a Slack token (xoxb-...)")
        if self.webhook_url is not None:
            problem = _webhook_problem(self.webhook_url.get_secret_value().strip())
            if problem:
                problems.append(f"webhook_url: {problem}")
            if self.channel is not None:
                problems.append(
                    "channel: an incoming webhook posts to the channel it was "
                    "created for; leave channel unset"
                )
        if self.channel is not None and not self.channel.strip():
            problems.append("channel: must not be empty")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def mode(self) -> Literal["web_api", "webhook"]:
        """``"web_api"`` with a token, ``"webhook"`` with a webhook URL."""
        return "web_api" if self.token is not None else "webhook"


@dataclass(frozen=True, slots=True)
class SlackPost(Tabular):
    """Where a Web API message landed: its channel ID and timestamp.

    ``ts`` identifies the message within the channel (reply in a thread with
    it, or update it with ``chat.update``).

    Attributes
    ----------
    channel : str
        The channel ID Slack posted to (``C0123456789``), even when a name
        was given.
    ts : str
        The message timestamp, ``"1503435956.000247"``.

    Examples
    --------
    >>> post = SlackPost(channel="C1H9RESGL", ts="1503435956.000247")
    >>> post
    SlackPost(channel='C1H9RESGL', ts='1503435956.000247')
    >>> post.at.isoformat()
    '2017-08-22T21:05:56.000247+00:00'
    >>> post.to_records()
    [{'channel': 'C1H9RESGL', 'ts': '1503435956.000247', 'at': datetime.datetime(2017, 8, 22, 21, 5, 56, 247, tzinfo=datetime.timezone.utc)}]
    """  # noqa: E501

    channel: str
    ts: str

    @property
    def at(self) -> datetime:
        """When Slack stored the message (UTC), from `ts`."""
        seconds, _, micro = self.ts.partition(".")
        moment = datetime.fromtimestamp(int(seconds), tz=UTC)
        return moment.replace(microsecond=int((micro or "0")[:6].ljust(6, "0")))

    def to_records(self) -> list[dict[str, Any]]:
        """Return one dict (channel, ts, at) for a DataFrame."""
        return [{"channel": self.channel, "ts": self.ts, "at": self.at}]


class SlackAdapter(HttpAdapter):
    """Sends messages to Slack through the Web API or an incoming webhook.

    Satisfies `Notifier`. Build it with settings (see `SlackSettings`) as
    keyword arguments, from the environment or the profile file, or with
    ``po.adapters.get("slack", ...)``.

    Parameters
    ----------
    settings : SlackSettings, optional
        Ready settings; otherwise they are resolved from ``**values``, the
        environment and the profile file.
    profile : str, optional
        The profile-file table to read.
    client : httpx.Client, optional
        Your own client (proxies, certificates); it is not closed here.
    transport : httpx.BaseTransport, optional
        A transport for a new client, such as `FakeSlack`'s.
    retry : RetryPolicy, optional
        Retries (429 only: a post is never repeated after a 5xx) and the total
        time a request may take.
    sleep : callable, default time.sleep
        How to wait before a retry.
    **values
        Settings, as in `SlackSettings`.

    Attributes
    ----------
    settings : SlackSettings
        The resolved settings (secrets hidden).

    Examples
    --------
    >>> from productops.testing import FakeSlack
    >>> fake = FakeSlack()
    >>> slack = SlackAdapter(token=fake.token, base_url=fake.api_url,
    ...                      channel="#product-ops", transport=fake.transport())
    >>> slack
    <SlackAdapter Web API http://localhost/api, channel #product-ops>
    >>> slack.notify("**Release 2.3** is *go*")
    SlackPost(channel='C0PRODOPS1', ts='1767225601.000001')
    >>> fake.posted[0].text
    '*Release 2.3* is *go*'
    """

    name: ClassVar[str] = _NAME

    def __init__(
        self,
        *,
        settings: SlackSettings | None = None,
        profile: str | None = None,
        client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        **values: Any,
    ) -> None:
        if settings is not None and values:
            msg = (
                f"slack: pass settings= or setting values, not both ({sorted(values)})"
            )
            raise AdapterConfigError(msg, adapter=_NAME)
        self.settings = settings or SlackSettings.resolve(values, profile=profile)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": f"productops/{__version__}",
        }
        if self.settings.token is not None:
            token = self.settings.secret("token").strip()
            source = self.settings.sources.get("token", "the settings")
            headers["Authorization"] = f"Bearer {token}"
            base_url = self.settings.base_url
            secrets = [token]
            credential = f"token from {source}"
            self._webhook: str | None = None
        else:
            url = self.settings.secret("webhook_url").strip()
            source = self.settings.sources.get("webhook_url", "the settings")
            parts = urlsplit(url)
            base_url = f"{parts.scheme}://{parts.netloc}"
            last = parts.path.rstrip("/").rsplit("/", 1)[-1]
            secrets = [url, parts.path, last]
            credential = f"webhook URL from {source}"
            self._webhook = url
        self._http = HttpCore(
            adapter=_NAME,
            base_url=base_url,
            headers=headers,
            timeout=self.settings.timeout,
            retry=retry,
            secrets=secrets,
            credential=credential,
            client=client,
            transport=transport,
            sleep=sleep,
        )

    def __repr__(self) -> str:
        if self._webhook is not None:
            return "<SlackAdapter incoming webhook (URL hidden)>"
        channel = self.settings.channel
        where = f", channel {channel}" if channel else ""
        return f"<SlackAdapter Web API {self._http.base_url}{where}>"

    # -- sending -----------------------------------------------------------------

    def payload(
        self,
        message: str
        | Message
        | KpiStatus
        | Sequence[KpiStatus]
        | FlowReport
        | ReadinessResult,
    ) -> dict[str, Any]:
        """Return the JSON payload `notify` sends (without ``channel``).

        A string is Markdown or mrkdwn (`markdown_to_mrkdwn`) and becomes the
        ``text``; anything else goes through
        `productops.people.slack_blocks`, giving ``text`` (the notification
        fallback, always set) and ``blocks``.

        Raises
        ------
        InvalidInputError
            If a string is empty or longer than 40,000 characters, or the
            result is of a kind `productops.people.message_from` does not
            take.

        Examples
        --------
        >>> slack = SlackAdapter(token="xoxb-1", channel="C0PRODOPS1")
        >>> slack.payload("Deploy & **verify**")
        {'text': 'Deploy &amp; *verify*'}
        """
        if isinstance(message, str):
            if not message.strip():
                msg = "message: must not be empty"
                raise InvalidInputError(msg)
            text = markdown_to_mrkdwn(message)
            if len(text) > _MAX_TEXT:
                msg = (
                    f"message: {len(text)} characters after escaping; Slack takes "
                    f"at most {_MAX_TEXT}; shorten it or send a Message"
                )
                raise InvalidInputError(msg)
            return {"text": text}
        from ..people._messages import slack_blocks

        return slack_blocks(message)

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
    ) -> SlackPost | None:
        """Post `message` to Slack.

        Parameters
        ----------
        message : str, Message, or anything `message_from` accepts
            A Markdown/mrkdwn string, or a result shown as Block Kit blocks
            (see `payload`).
        channel : str, optional
            Web API only: a channel ID or ``#name``; default the `channel`
            setting. An incoming webhook always posts to its own channel, so
            giving one there is an error.

        Returns
        -------
        SlackPost or None
            Web API: the channel ID and the message ``ts``. Webhook: ``None``
            (Slack answers only ``ok``).

        Raises
        ------
        InvalidInputError
            Bad `message`; no channel for the Web API; a channel for a webhook.
        AuthenticationError
            ``invalid_auth``, ``not_authed``, ``missing_scope``, a revoked
            token; a webhook's ``no_service``, ``invalid_token``,
            ``action_prohibited``.
        NotFoundError
            ``channel_not_found``.
        RateLimitedError
            Still rate limited after the retries (``ratelimited``).
        APIError
            Any other error code (``not_in_channel``, ``invalid_blocks``,
            ``is_archived``, ``channel_is_archived``, ``invalid_payload``...)
            or a 5xx, which is not retried: the message may have been posted.
        ResponseFormatError
            An answer that is not Slack's.
        ConnectionFailedError
            Slack could not be reached.

        Examples
        --------
        >>> from productops.testing import FakeSlack
        >>> fake = FakeSlack()
        >>> hook = SlackAdapter(webhook_url=fake.webhook_url("C0RELEASES"),
        ...                     transport=fake.transport())
        >>> hook
        <SlackAdapter incoming webhook (URL hidden)>
        >>> hook.notify("Release 2.3 shipped") is None
        True
        >>> fake.posted[0].channel, fake.posted[0].via
        ('C0RELEASES', 'webhook')
        """
        payload = self.payload(message)
        if self._webhook is not None:
            if channel is not None:
                msg = (
                    f"channel: an incoming webhook posts to its own channel; "
                    f"got channel={channel!r}. Use a bot token to choose channels"
                )
                raise InvalidInputError(msg)
            self._post_webhook(self._webhook, payload)
            return None
        target = channel if channel is not None else self.settings.channel
        if target is None or not target.strip():
            msg = (
                "channel: no channel given; pass channel=... or set the channel "
                f"setting ({SlackSettings.env_var('channel')})"
            )
            raise InvalidInputError(msg)
        return self._post_api(target.strip(), payload)

    def _post_api(self, channel: str, payload: dict[str, Any]) -> SlackPost:
        response = self._http.request(
            "POST", "chat.postMessage", json={"channel": channel, **payload}
        )
        body = self._http.parse_json(response)
        what = self._http.redact(f"POST {response.request.url}")
        if not isinstance(body, dict) or not isinstance(body.get("ok"), bool):
            msg = f"slack: the answer to {what} has no 'ok' field; nothing was read"
            raise ResponseFormatError(msg, adapter=_NAME, request=what)
        if not body["ok"]:
            raise self._error(
                str(body.get("error") or "unknown_error"),
                where=f"chat.postMessage to {channel}",
                status=response.status_code,
                request_id=response.headers.get("x-slack-req-id"),
                body=body,
            )
        posted_channel, ts = body.get("channel"), body.get("ts")
        if not isinstance(posted_channel, str) or not isinstance(ts, str):
            msg = f"slack: the answer to {what} lacks 'channel' or 'ts'"
            raise ResponseFormatError(msg, adapter=_NAME, request=what)
        return SlackPost(channel=posted_channel, ts=ts)

    def _post_webhook(self, url: str, payload: dict[str, Any]) -> None:
        try:
            response = self._http.request("POST", url, json=payload)
        except RateLimitedError:
            raise
        except APIError as exc:
            code = exc.body.strip().splitlines()[0][:100] if exc.body.strip() else ""
            raise self._error(
                code or "unknown_error",
                where="incoming webhook (URL hidden)",
                status=exc.status_code,
                request_id=exc.request_id,
                body=exc.body,
            ) from None
        text = response.text.strip()
        if text != "ok":
            what = "POST to the incoming webhook (URL hidden)"
            msg = (
                f"slack: the incoming webhook answered {response.status_code} "
                f"{self._http.redact(text[:100])!r}, not 'ok'"
            )
            raise ResponseFormatError(msg, adapter=_NAME, request=what)

    def _error(
        self,
        code: str,
        *,
        where: str,
        status: int,
        request_id: str | None,
        body: Any,
    ) -> APIError:
        redact = self._http.redact
        kind, hint = SLACK_ERRORS.get(code, ("", "see the Slack method's error list"))
        if not kind:
            if status in (401, 403):
                kind = _AUTH
            elif status == 404:
                kind = _NOT_FOUND
        details: list[str] = []
        if isinstance(body, dict):
            meta = body.get("response_metadata")
            if isinstance(meta, dict) and isinstance(meta.get("messages"), list):
                details += [str(m) for m in meta["messages"]][:10]
            if code == "missing_scope" and body.get("needed"):
                details.append(f"needed: {body.get('needed')}")
            text = json.dumps(body, ensure_ascii=False)
        else:
            text = str(body)
        message = f"slack: {where} failed with {code} ({status}): {hint}"
        if details:
            message += " [" + "; ".join(details) + "]"
        message = redact(message)
        options: dict[str, Any] = {
            "adapter": _NAME,
            "status_code": status,
            "request_id": request_id,
            "body": redact(text[:2000]),
        }
        if kind == _AUTH:
            return AuthenticationError(message, **options)
        if kind == _NOT_FOUND:
            return NotFoundError(message, **options)
        if kind == _RATE:
            return RateLimitedError(message, retry_after=None, **options)
        return APIError(message, **options)
