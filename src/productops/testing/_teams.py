"""FakeTeams: a Teams Workflows webhook that checks and keeps what it is sent.

A Teams Workflows webhook (the "Post to a channel when a webhook request is
received" template) is one URL: ``POST /workflows/{id}/triggers/manual/paths/
invoke?api-version=...&sp=...&sv=1.0&sig=...``, whose ``sig`` query parameter is
the credential. It answers **202 Accepted with an empty body**: the request is
queued, and a card the flow cannot post fails later, visible only in the flow's
run history. `FakeTeams` answers the same way, but checks the envelope first so
that tests catch a malformed card at once.

Sources: the envelope and the 202 answer follow the project fixture
``api/teams/workflows-webhook-adaptive-card.json`` (Microsoft Learn, "Send
Adaptive Cards using an Incoming Webhook" and the Workflows template); the
size limit follows Microsoft Learn, "Create Incoming Webhooks" ("The message
size limit is 28 KB") and the Microsoft Teams connector reference, "Known
issues and limitations" (about 28 KB, failing with "Request Entity too
large"). Error bodies use Azure's ``{"error": {"code", "message"}}`` shape;
their codes are illustrative, not recorded.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Final

import httpx

from productops.errors import InvalidInputError

from ._fake import (
    FakeHTTPError,
    FakeRequest,
    FakeService,
    Faults,
    RecordedRequest,
    route,
)

__all__ = ["FakeTeams"]

ADAPTIVE: Final = "application/vnd.microsoft.card.adaptive"
_CODES: Final = {
    400: "InvalidRequestContent",
    401: "DirectApiInvalidAuthorizationSignature",
    404: "WorkflowNotFound",
    405: "MethodNotAllowed",
    413: "RequestEntityTooLarge",
    429: "TooManyRequests",
    502: "BadGateway",
}
_VERSION = re.compile(r"1\.[0-9]")
_WORKFLOW = re.compile(r"[A-Za-z0-9-]+")


class FakeTeams(FakeService):
    """A Teams Workflows webhook: checks each card, answers 202, keeps the cards.

    Routes: ``POST /workflows/{workflow}/triggers/manual/paths/invoke``. A
    request is answered, in this order:

    - **401** when the ``sig`` query parameter is missing or wrong;
    - **404** for another workflow id;
    - **413** when the body is larger than `max_bytes`;
    - **400** with every problem of the envelope in one message: not JSON,
      ``type`` not ``"message"``, ``attachments`` not a non-empty list, an
      attachment whose ``contentType`` is not
      ``application/vnd.microsoft.card.adaptive`` or whose ``content`` is not
      a card with ``type: "AdaptiveCard"``, a ``version`` from ``"1.0"`` to
      `max_version`, and a ``body`` list of elements with a ``type``;
    - **202** with an empty body otherwise; the cards are kept in `posted`.

    `Faults` apply as to every fake (429 with ``Retry-After``, 502 bursts,
    dropped connections). The request log hides ``sig``.

    Parameters
    ----------
    sig : str, default "fake-sig"
        The signature the webhook URL must carry.
    workflow : str, default "a1b2c3d4"
        The workflow id in the path.
    max_bytes : int, default 28000
        Largest body accepted; larger ones get 413.
    max_version : str, default "1.5"
        Newest Adaptive Card version accepted.
    faults : Faults, optional
    base_url : str, default "http://127.0.0.1"

    Attributes
    ----------
    sig : str
        The expected signature.
    workflow : str
        The workflow id.
    posted : tuple of dict
        The Adaptive Cards accepted so far (each attachment's ``content``).

    Examples
    --------
    >>> fake = FakeTeams()
    >>> card = {"type": "AdaptiveCard", "version": "1.5",
    ...         "body": [{"type": "TextBlock", "text": "Hi"}]}
    >>> envelope = {"type": "message", "attachments": [
    ...     {"contentType": "application/vnd.microsoft.card.adaptive",
    ...      "content": card}]}
    >>> with httpx.Client(transport=fake.transport()) as client:
    ...     answer = client.post(fake.webhook_url(), json=envelope)
    >>> answer.status_code, answer.content
    (202, b'')
    >>> fake.posted[0]["body"][0]["text"]
    'Hi'
    >>> fake.requests[0].query["sig"]
    '***'
    """

    name: ClassVar[str] = "teams"

    def __init__(
        self,
        *,
        sig: str = "fake-sig",
        workflow: str = "a1b2c3d4",
        max_bytes: int = 28_000,
        max_version: str = "1.5",
        faults: Faults | None = None,
        base_url: str = "http://127.0.0.1",
    ) -> None:
        problems = []
        if not sig or "&" in sig or "#" in sig:
            problems.append("sig: must be a non-empty string without '&' or '#'")
        if not _WORKFLOW.fullmatch(workflow):
            problems.append(f"workflow: letters, digits and '-' only, got {workflow!r}")
        if max_bytes < 1:
            problems.append(
                f"max_bytes: must be a whole number >= 1, got {max_bytes!r}"
            )
        if not _VERSION.fullmatch(max_version):
            problems.append(f"max_version: must look like '1.5', got {max_version!r}")
        if problems:
            msg = "FakeTeams: " + "; ".join(problems)
            raise InvalidInputError(msg)
        super().__init__(faults=faults, base_url=base_url)
        self.sig = sig
        self.workflow = workflow
        self.max_bytes = max_bytes
        self.max_version = max_version
        self._posted: list[dict[str, Any]] = []

    def __repr__(self) -> str:
        return (
            f"<FakeTeams workflow={self.workflow} posted={len(self._posted)} "
            f"faults={self.faults!r}>"
        )

    def webhook_url(self, base_url: str | None = None) -> str:
        """Return the webhook URL, with its ``sig``, at `base_url` (default ours).

        Pass the URL `serve` yields to reach the fake over real HTTP.

        Examples
        --------
        >>> url = FakeTeams(sig="s", workflow="w1").webhook_url("http://127.0.0.1:80")
        >>> url.split("?")[0]
        'http://127.0.0.1:80/workflows/w1/triggers/manual/paths/invoke'
        >>> url.split("&")[-1]
        'sig=s'
        """
        base = (base_url or self.base_url).rstrip("/")
        return (
            f"{base}/workflows/{self.workflow}/triggers/manual/paths/invoke"
            f"?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={self.sig}"
        )

    @property
    def posted(self) -> tuple[dict[str, Any], ...]:
        """The Adaptive Cards accepted so far, oldest first."""
        with self._state_lock:
            return tuple(self._posted)

    @property
    def requests(self) -> tuple[RecordedRequest, ...]:
        """Every request received so far, with ``sig`` shown as ``***``."""
        return tuple(
            dataclasses.replace(record, query={**record.query, "sig": "***"})
            if "sig" in record.query
            else record
            for record in super().requests
        )

    # -- the dialect ---------------------------------------------------------------

    def check_auth(self, request: FakeRequest) -> bool:
        """Accept a request whose ``sig`` query parameter is the expected one."""
        return request.param("sig") == self.sig

    def error_body(
        self, status: int, messages: Sequence[str], errors: Mapping[str, str]
    ) -> Any:
        """Azure's error shape: ``{"error": {"code": ..., "message": ...}}``."""
        return {
            "error": {
                "code": _CODES.get(status, f"Http{status}"),
                "message": "; ".join(messages),
            }
        }

    def unauthorized(self, request: FakeRequest) -> httpx.Response:
        """Answer a missing or wrong ``sig`` (401)."""
        return self.error(
            401,
            "The provided authorization signature is not valid for this workflow.",
        )

    # -- the route ---------------------------------------------------------------------

    @route("POST", "/workflows/{workflow}/triggers/manual/paths/invoke")
    def invoke(self, request: FakeRequest) -> httpx.Response:
        """Check the envelope; keep its cards and answer 202, or answer 4xx."""
        if request.path_params["workflow"] != self.workflow:
            raise FakeHTTPError(
                404, f"The workflow '{request.path_params['workflow']}' was not found."
            )
        if len(request.body) > self.max_bytes:
            raise FakeHTTPError(
                413,
                f"Request Entity too large: {len(request.body)} bytes; "
                f"the limit is {self.max_bytes}.",
            )
        cards = _cards(request.json(), max_version=self.max_version)
        self._posted.extend(cards)
        return self.empty_response(202)


def _cards(envelope: Any, *, max_version: str) -> list[dict[str, Any]]:
    """Return the cards of a valid envelope; 400 naming every problem otherwise."""
    problems: list[str] = []
    cards: list[dict[str, Any]] = []
    if not isinstance(envelope, dict):
        raise FakeHTTPError(400, "The request body must be a JSON object.")
    if envelope.get("type") != "message":
        problems.append(f"type: must be 'message', got {envelope.get('type')!r}")
    attachments = envelope.get("attachments")
    if not isinstance(attachments, list) or not attachments:
        problems.append("attachments: must be a non-empty list")
        attachments = []
    for i, attachment in enumerate(attachments):
        where = f"attachments[{i}]"
        if not isinstance(attachment, dict):
            problems.append(f"{where}: must be an object")
            continue
        if attachment.get("contentType") != ADAPTIVE:
            problems.append(
                f"{where}.contentType: must be '{ADAPTIVE}', "
                f"got {attachment.get('contentType')!r}"
            )
        card = attachment.get("content")
        if not isinstance(card, dict):
            problems.append(f"{where}.content: must be an Adaptive Card object")
            continue
        found = len(problems)
        if card.get("type") != "AdaptiveCard":
            problems.append(
                f"{where}.content.type: must be 'AdaptiveCard', "
                f"got {card.get('type')!r}"
            )
        version = card.get("version")
        if not (
            isinstance(version, str)
            and _VERSION.fullmatch(version)
            and float(version) <= float(max_version)
        ):
            problems.append(
                f"{where}.content.version: must be '1.0' to '{max_version}', "
                f"got {version!r}"
            )
        body = card.get("body")
        if not isinstance(body, list):
            problems.append(f"{where}.content.body: must be a list of elements")
        else:
            problems += [
                f"{where}.content.body[{j}]: must be an element with a 'type'"
                for j, element in enumerate(body)
                if not (
                    isinstance(element, dict) and isinstance(element.get("type"), str)
                )
            ]
        if len(problems) == found:
            cards.append(card)
    if problems:
        raise FakeHTTPError(400, *problems)
    return cards
