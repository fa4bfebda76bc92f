"""FakeSlack: Slack's ``chat.postMessage``, ``conversations.history`` and webhooks.

Shapes follow Slack's Web API description (slackapi/slack-api-specs
``web-api/slack_web_openapi_v2.json``) and the samples in ``shared/fixtures``
(``slack/chat-postMessage.json``, ``conversations-history.json``,
``incoming-webhook-post.json``, ``rate-limited-429.json``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, NoReturn

import httpx

from productops._tabular import Tabular
from productops.errors import InvalidInputError
from productops.people import SLACK_LIMITS

from ._fake import FakeHTTPError, FakeRequest, FakeService, Faults, route

__all__ = ["FakeSlack", "SlackPosted"]

_TEAM: Final = "T0FAKE0001"
_BOT: Final = "B0FAKE0001"
_BOT_NAME: Final = "productops"
_EPOCH: Final = 1_767_225_600  # 2026-01-01T00:00:00Z
_MAX_TEXT: Final = 40_000
_MAX_HISTORY: Final = 999
_BLOCK_TYPES: Final = frozenset(
    {
        "actions",
        "context",
        "divider",
        "file",
        "header",
        "image",
        "input",
        "rich_text",
        "section",
        "video",
    }
)


@dataclass(frozen=True, slots=True)
class SlackPosted(Tabular):
    """One message `FakeSlack` accepted, as kept in `FakeSlack.posted`.

    Attributes
    ----------
    channel : str
        The channel ID.
    ts : str
        The message timestamp Slack would give it.
    text : str or None
        The top-level ``text``.
    blocks : tuple of dict
        The Block Kit blocks, as sent.
    via : {"api", "webhook"}
        ``chat.postMessage`` or an incoming webhook.

    Examples
    --------
    >>> SlackPosted("C0PRODOPS1", "1767225601.000001", "hi", (), "api").via
    'api'
    """

    channel: str
    ts: str
    text: str | None
    blocks: tuple[dict[str, Any], ...]
    via: Literal["api", "webhook"]

    def to_records(self) -> list[dict[str, Any]]:
        """Return one dict per message for a DataFrame (blocks counted)."""
        return [
            {
                "channel": self.channel,
                "ts": self.ts,
                "text": self.text,
                "blocks": len(self.blocks),
                "via": self.via,
            }
        ]


def _fail(code: str, messages: Sequence[str] = ()) -> NoReturn:
    raise _SlackError(code, messages)


class _SlackError(Exception):
    """Internal: answer with Slack's ``{"ok": false, "error": code}``."""

    def __init__(self, code: str, messages: Sequence[str] = ()) -> None:
        super().__init__(code)
        self.code = code
        self.messages = list(messages)


def _text_of(obj: object) -> str | None:
    if isinstance(obj, dict) and isinstance(obj.get("text"), str):
        return str(obj["text"])
    return None


def _check_text(
    obj: object, where: str, limit: int, problems: list[str], *, plain: bool = False
) -> None:
    text = _text_of(obj)
    if not isinstance(obj, dict) or text is None:
        problems.append(f"[ERROR] {where} must be a text object [json-pointer:{where}]")
        return
    kind = obj.get("type")
    allowed = ("plain_text",) if plain else ("plain_text", "mrkdwn")
    if kind not in allowed:
        problems.append(
            f"[ERROR] {where}.type must be one of {list(allowed)} "
            f"[json-pointer:{where}/type]"
        )
    if not text.strip():
        problems.append(
            f"[ERROR] must be more than 0 characters [json-pointer:{where}/text]"
        )
    if len(text.encode("utf-16-le")) // 2 > limit:
        problems.append(
            f"[ERROR] must be less than {limit + 1} characters "
            f"[json-pointer:{where}/text]"
        )


def block_problems(blocks: object) -> list[str]:
    """Return Slack-style messages for every Block Kit limit `blocks` breaks."""
    limits = SLACK_LIMITS
    if not isinstance(blocks, list):
        return ["[ERROR] blocks must be an array [json-pointer:/blocks]"]
    problems: list[str] = []
    if len(blocks) > limits["blocks"]:
        problems.append(
            f"[ERROR] no more than {limits['blocks']} items allowed "
            "[json-pointer:/blocks]"
        )
    for i, block in enumerate(blocks):
        where = f"/blocks/{i}"
        kind = block.get("type") if isinstance(block, dict) else None
        if not isinstance(block, dict) or kind not in _BLOCK_TYPES:
            problems.append(f"[ERROR] unsupported type [json-pointer:{where}/type]")
            continue
        if kind == "header":
            _check_text(
                block.get("text"),
                f"{where}/text",
                limits["header_text"],
                problems,
                plain=True,
            )
        elif kind == "section":
            fields = block.get("fields")
            if "text" not in block and not fields:
                problems.append(
                    f"[ERROR] must provide text or fields [json-pointer:{where}]"
                )
            if "text" in block:
                _check_text(
                    block["text"], f"{where}/text", limits["section_text"], problems
                )
            if fields is not None:
                if not isinstance(fields, list) or not fields:
                    problems.append(
                        f"[ERROR] fields must be a non-empty array "
                        f"[json-pointer:{where}/fields]"
                    )
                else:
                    if len(fields) > limits["section_fields"]:
                        problems.append(
                            f"[ERROR] no more than {limits['section_fields']} items "
                            f"allowed [json-pointer:{where}/fields]"
                        )
                    for j, item in enumerate(fields):
                        _check_text(
                            item, f"{where}/fields/{j}", limits["field_text"], problems
                        )
        elif kind == "context":
            elements = block.get("elements")
            if not isinstance(elements, list) or not elements:
                problems.append(
                    f"[ERROR] elements must be a non-empty array "
                    f"[json-pointer:{where}/elements]"
                )
            else:
                if len(elements) > limits["context_elements"]:
                    problems.append(
                        f"[ERROR] no more than {limits['context_elements']} items "
                        f"allowed [json-pointer:{where}/elements]"
                    )
                for j, item in enumerate(elements):
                    _check_text(
                        item, f"{where}/elements/{j}", limits["context_text"], problems
                    )
        elif kind == "actions":
            for j, element in enumerate(block.get("elements") or []):
                at = f"{where}/elements/{j}"
                if not isinstance(element, dict) or element.get("type") != "button":
                    continue
                _check_text(
                    element.get("text"),
                    f"{at}/text",
                    limits["button_text"],
                    problems,
                    plain=True,
                )
                url = element.get("url")
                if url is not None and (
                    not isinstance(url, str) or len(url) > limits["button_url"]
                ):
                    problems.append(
                        f"[ERROR] must be less than {limits['button_url'] + 1} "
                        f"characters [json-pointer:{at}/url]"
                    )
    return problems


class FakeSlack(FakeService):
    """A Slack workspace in memory: channels, a bot token, incoming webhooks.

    Served, in Slack's shapes:

    - ``POST /api/chat.postMessage`` (JSON body): checks the bearer token
      (``not_authed``, ``invalid_auth``), the channel by ID or ``#name``
      (``channel_not_found``; ``not_in_channel`` for `not_member` channels,
      ``is_archived`` for `archived` ones), that ``text`` or ``blocks`` is
      given (``no_text``), ``text`` length (``msg_too_long``) and the Block Kit
      limits of `productops.people.SLACK_LIMITS` (``invalid_blocks`` with
      ``response_metadata.messages``); answers
      ``{"ok", "channel", "ts", "message"}``.
    - ``GET /api/conversations.history`` (``channel``, ``limit``, ``cursor``,
      ``oldest``, ``latest``, ``inclusive``): the posted messages, newest
      first as Slack returns them, with cursor paging through
      ``response_metadata.next_cursor`` (``""`` on the last page).
    - ``POST /services/{team}/{bot}/{secret}``: an incoming webhook made with
      `webhook_url`; answers the plain text ``ok``, or ``400 invalid_payload``,
      ``400 no_text``, ``400 invalid_blocks``, ``404 no_service``,
      ``410 channel_is_archived`` as plain text.

    Errors are HTTP 200 with ``{"ok": false, "error": ...}`` on the Web API,
    as on Slack; a `Faults` rate limit is ``429`` with ``Retry-After`` and
    ``{"ok": false, "error": "ratelimited"}``, a 5xx burst ``503``. Message
    timestamps are deterministic: the n-th message posted gets
    ``"<1767225600 + n>.<n:06d>"``. Simplified: no threads, edits or users;
    form-encoded bodies are not accepted.

    Parameters
    ----------
    channels : mapping of str to str, optional
        Channel ID → name; default ``C0PRODOPS1`` ``product-ops`` and
        ``C0RELEASES`` ``releases``.
    token : str
        The bot token accepted as ``Authorization: Bearer``.
    not_member : iterable of str
        Channel IDs the bot has not joined.
    archived : iterable of str
        Channel IDs that are archived.
    faults : Faults, optional
        Rate limits, 5xx bursts, malformed bodies, drops, page size.
    base_url : str
        The URL to give a client with `transport`.

    Attributes
    ----------
    token : str
        The accepted bot token.
    channels : dict of str to str
        Channel ID → name.

    Examples
    --------
    >>> fake = FakeSlack()
    >>> with httpx.Client(transport=fake.transport(), base_url=fake.api_url,
    ...                   headers={"Authorization": f"Bearer {fake.token}"}) as c:
    ...     c.post("/chat.postMessage",
    ...            json={"channel": "#releases", "text": "2.3 shipped"}).json()["ts"]
    ...     c.post("/chat.postMessage", json={"channel": "C0NOPE0001",
    ...                                       "text": "hi"}).json()
    '1767225601.000001'
    {'ok': False, 'error': 'channel_not_found'}
    >>> [(p.channel, p.text) for p in fake.posted]
    [('C0RELEASES', '2.3 shipped')]
    """

    name = "slack"

    def __init__(
        self,
        *,
        channels: Mapping[str, str] | None = None,
        token: str = "xoxb-0000000001-fake-productops",  # noqa: S107 - the fake's own
        not_member: Iterable[str] = (),
        archived: Iterable[str] = (),
        faults: Faults | None = None,
        base_url: str = "http://localhost",
    ) -> None:
        super().__init__(faults=faults, base_url=base_url)
        self.channels = dict(
            channels
            if channels is not None
            else {"C0PRODOPS1": "product-ops", "C0RELEASES": "releases"}
        )
        self.token = token
        self._not_member = frozenset(not_member)
        self._archived = frozenset(archived)
        unknown = sorted((self._not_member | self._archived) - set(self.channels))
        problems = [f"not_member/archived: unknown channel IDs {unknown}"] * bool(
            unknown
        )
        if not token.startswith("xox"):
            problems.append("token: must start with 'xox' (a Slack token)")
        if problems:
            msg = "FakeSlack: " + "; ".join(problems)
            raise InvalidInputError(msg)
        self._webhooks: dict[str, str] = {}
        self._posted: list[SlackPosted] = []
        self._history: dict[str, list[dict[str, Any]]] = {c: [] for c in self.channels}

    def __repr__(self) -> str:
        return f"<FakeSlack {len(self.channels)} channels, {len(self._posted)} posted>"

    # -- helpers for tests ----------------------------------------------------------

    @property
    def api_url(self) -> str:
        """The Web API root to give `SlackAdapter` as ``base_url``."""
        return f"{self.base_url}/api"

    @property
    def posted(self) -> list[SlackPosted]:
        """Every message accepted so far, in order (a copy)."""
        with self._state_lock:
            return list(self._posted)

    def webhook_url(self, channel: str, *, base_url: str | None = None) -> str:
        """Return (creating it on first use) an incoming-webhook URL for `channel`.

        Parameters
        ----------
        channel : str
            A channel ID of this fake.
        base_url : str, optional
            The root to use, such as the URL `serve` yields; default
            `base_url`.

        Raises
        ------
        InvalidInputError
            If `channel` is not a channel ID of this fake.
        """
        if channel not in self.channels:
            msg = f"channel: {channel!r} is not one of {sorted(self.channels)}"
            raise InvalidInputError(msg)
        secret = hashlib.sha256(f"webhook:{channel}".encode()).hexdigest()[:24]
        with self._state_lock:
            self._webhooks[secret] = channel
        root = (base_url or self.base_url).rstrip("/")
        return f"{root}/services/{_TEAM}/{_BOT}/{secret}"

    # -- hooks ----------------------------------------------------------------------

    def check_auth(self, request: FakeRequest) -> bool:
        """Web API calls need the bot token; webhooks carry theirs in the URL."""
        if request.path.startswith("/services/"):
            return True
        scheme, _, value = str(request.headers.get("authorization", "")).partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            value.strip().encode(), self.token.encode()
        )

    def unauthorized(self, request: FakeRequest) -> httpx.Response:
        """HTTP 200 with ``not_authed`` (no token) or ``invalid_auth``."""
        code = "not_authed" if request.auth_scheme is None else "invalid_auth"
        return self.json_response({"ok": False, "error": code})

    def error_body(
        self, status: int, messages: Sequence[str], errors: Mapping[str, str]
    ) -> Any:
        """Slack's error shape: ``{"ok": false, "error": "<code>"}``."""
        return {"ok": False, "error": "; ".join(messages)}

    def rate_limited(self, request: FakeRequest) -> httpx.Response:
        """429 with ``Retry-After`` and ``error: ratelimited``."""
        headers = {"Retry-After": str(self.faults.retry_after)}
        if request.path.startswith("/services/"):
            return httpx.Response(
                429,
                text="rate_limited",
                headers={**headers, "Content-Type": "text/plain"},
            )
        return self.error(429, "ratelimited", headers=headers)

    def server_error(self, request: FakeRequest) -> httpx.Response:
        """503, as Slack answers when it is briefly unavailable."""
        return self.error(503, "service_unavailable")

    # -- the Web API ------------------------------------------------------------------

    def _resolve(self, channel: object) -> str:
        if not isinstance(channel, str) or not channel.strip():
            _fail("channel_not_found")
        channel = channel.strip()
        if channel in self.channels:
            return channel
        name = channel.removeprefix("#")
        for ident, known in self.channels.items():
            if known == name:
                return ident
        _fail("channel_not_found")

    def _accept(
        self, body: object, channel: str, via: Literal["api", "webhook"]
    ) -> dict[str, Any]:
        if not isinstance(body, dict):
            _fail("invalid_payload" if via == "webhook" else "invalid_json")
        text = body.get("text")
        blocks = body.get("blocks")
        if text is not None and not isinstance(text, str):
            _fail("invalid_payload" if via == "webhook" else "invalid_arg_name")
        if not (text or "").strip() and not blocks:
            _fail("no_text")
        if text is not None and len(text) > _MAX_TEXT:
            _fail("msg_too_long")
        if blocks is not None:
            problems = block_problems(blocks)
            if problems:
                _fail("invalid_blocks", problems)
        if channel in self._archived:
            _fail("channel_is_archived" if via == "webhook" else "is_archived")
        number = len(self._posted) + 1
        ts = f"{_EPOCH + number}.{number:06d}"
        message: dict[str, Any] = {
            "bot_id": _BOT,
            "subtype": "bot_message",
            "text": text or "",
            "ts": ts,
            "type": "message",
            "username": _BOT_NAME,
        }
        if blocks:
            message["blocks"] = blocks
        self._posted.append(SlackPosted(channel, ts, text, tuple(blocks or ()), via))
        self._history[channel].append(message)
        return message

    @route("POST", "/api/chat.postMessage")
    def post_message(self, request: FakeRequest) -> httpx.Response:
        """``chat.postMessage``: validate, store, answer the posted message."""
        try:
            try:
                body = request.json()
            except FakeHTTPError:
                _fail("invalid_json")
            if not isinstance(body, dict):
                _fail("json_not_object")
            channel = self._resolve(body.get("channel"))
            if channel in self._not_member:
                _fail("not_in_channel")
            message = self._accept(body, channel, "api")
        except _SlackError as exc:
            answer: dict[str, Any] = {"ok": False, "error": exc.code}
            if exc.messages:
                answer["response_metadata"] = {"messages": exc.messages}
            return self.json_response(answer)
        return self.json_response(
            {"ok": True, "channel": channel, "ts": message["ts"], "message": message}
        )

    @route("GET", "/api/conversations.history")
    def history(self, request: FakeRequest) -> httpx.Response:
        """``conversations.history``: newest first, cursor paging."""
        try:
            channel = self._resolve(request.param("channel"))
            if channel in self._not_member:
                _fail("not_in_channel")
            limit = request.int_param("limit", 100)
            limit = self.faults.cap(limit if limit > 0 else 100, limit=_MAX_HISTORY)
            oldest = _float(request.param("oldest"), "invalid_ts_oldest")
            latest = _float(request.param("latest"), "invalid_ts_latest")
            inclusive = request.param("inclusive") in ("true", "1")
            start = _offset(request.param("cursor"))
        except _SlackError as exc:
            return self.json_response({"ok": False, "error": exc.code})
        messages = [
            m
            for m in reversed(self._history[channel])
            if _within(float(m["ts"]), oldest, latest, inclusive=inclusive)
        ]
        page = messages[start : start + limit]
        more = start + limit < len(messages)
        cursor = (
            base64.b64encode(f"next_ts:{start + limit}".encode()).decode()
            if more
            else ""
        )
        return self.json_response(
            {
                "ok": True,
                "messages": page,
                "has_more": more,
                "pin_count": 0,
                "channel_actions_ts": None,
                "channel_actions_count": 0,
                "response_metadata": {"next_cursor": cursor},
            }
        )

    # -- incoming webhooks ----------------------------------------------------------

    @route("POST", "/services/{team}/{bot}/{secret}")
    def webhook(self, request: FakeRequest) -> httpx.Response:
        """Answer an incoming webhook: plain-text ``ok`` or a plain-text error code."""
        channel = self._webhooks.get(request.path_params["secret"])
        status = {"no_service": 404, "channel_is_archived": 410}
        try:
            if channel is None or request.path_params["team"] != _TEAM:
                _fail("no_service")
            try:
                body = request.json()
            except FakeHTTPError:
                _fail("invalid_payload")
            self._accept(body, channel, "webhook")
        except _SlackError as exc:
            return httpx.Response(
                status.get(exc.code, 400),
                text=exc.code,
                headers={"Content-Type": "text/plain"},
            )
        return httpx.Response(200, text="ok", headers={"Content-Type": "text/html"})


def _float(value: str | None, code: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except ValueError:
        _fail(code)


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        decoded = base64.b64decode(cursor, validate=True).decode()
        return int(decoded.removeprefix("next_ts:"))
    except ValueError:
        _fail("invalid_cursor")


def _within(
    ts: float, oldest: float | None, latest: float | None, *, inclusive: bool
) -> bool:
    if oldest is not None and (ts < oldest or (ts == oldest and not inclusive)):
        return False
    return latest is None or ts < latest or (ts == latest and inclusive)
