"""FakeTeams behaves like a Teams Workflows webhook: 202 + empty body, checks, faults.

The accepted envelope and the 202/empty answer come from the recorded fixture
``tests/data/api/teams/workflows-webhook-adaptive-card.json`` (Microsoft Learn,
"Send Adaptive Cards using an Incoming Webhook" / the Workflows template).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import pytest

from productops.errors import InvalidInputError
from productops.testing import FakeTeams
from productops.testing._fake import Fault, Faults
from tests.fixtures import API

FIXTURE = json.loads(
    (API / "teams" / "workflows-webhook-adaptive-card.json").read_text()
)
ENVELOPE: dict[str, Any] = FIXTURE["request"]["json"]


def post(fake: FakeTeams, body: Any, *, url: str | None = None) -> httpx.Response:
    with httpx.Client(transport=fake.transport()) as client:
        if isinstance(body, bytes):
            return client.post(url or fake.webhook_url(), content=body)
        return client.post(url or fake.webhook_url(), json=body)


def test_fixture_envelope_is_accepted_like_the_recording() -> None:
    fake = FakeTeams()
    response = post(fake, ENVELOPE)
    assert response.status_code == FIXTURE["response"]["status"] == 202
    assert response.content == b""
    assert fake.posted == (ENVELOPE["attachments"][0]["content"],)


def test_url_has_the_workflows_shape() -> None:
    fake = FakeTeams(sig="abc", workflow="wf-1")
    url = httpx.URL(fake.webhook_url())
    assert url.path == "/workflows/wf-1/triggers/manual/paths/invoke"
    assert dict(url.params) == {
        "api-version": "2016-06-01",
        "sp": "/triggers/manual/run",
        "sv": "1.0",
        "sig": "abc",
    }


@pytest.mark.parametrize("sig", [None, "wrong"])
def test_bad_or_missing_sig_is_401(sig: str | None) -> None:
    fake = FakeTeams(sig="right")
    url = fake.webhook_url().replace("&sig=right", "" if sig is None else f"&sig={sig}")
    response = post(fake, ENVELOPE, url=url)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "DirectApiInvalidAuthorizationSignature"
    assert fake.posted == ()


def test_unknown_workflow_is_404() -> None:
    fake = FakeTeams(workflow="mine")
    url = fake.webhook_url().replace("/mine/", "/other/")
    response = post(fake, ENVELOPE, url=url)
    assert response.status_code == 404
    assert "other" in response.json()["error"]["message"]


def test_other_method_is_405() -> None:
    fake = FakeTeams()
    with httpx.Client(transport=fake.transport()) as client:
        response = client.get(fake.webhook_url())
    assert response.status_code == 405


def broken(**changes: Any) -> dict[str, Any]:
    envelope = copy.deepcopy(ENVELOPE)
    card = envelope["attachments"][0]["content"]
    for key, value in changes.items():
        if key.startswith("card_"):
            card[key[5:]] = value
        elif key == "contentType":
            envelope["attachments"][0]["contentType"] = value
        else:
            envelope[key] = value
    return envelope


@pytest.mark.parametrize(
    ("envelope", "problem"),
    [
        (broken(type="MessageCard"), "type: must be 'message'"),
        (broken(attachments=[]), "attachments: must be a non-empty list"),
        (broken(contentType="application/json"), "attachments[0].contentType"),
        (broken(card_type="Card"), "attachments[0].content.type"),
        (broken(card_version="2.0"), "attachments[0].content.version"),
        (broken(card_version=1.4), "attachments[0].content.version"),
        (broken(card_body="text"), "attachments[0].content.body: must be a list"),
        (broken(card_body=[{"text": "x"}]), "content.body[0]: must be an element"),
        (broken(attachments=["x"]), "attachments[0]: must be an object"),
        ([1, 2], "must be a JSON object"),
    ],
)
def test_malformed_envelopes_are_400_with_a_json_error(
    envelope: Any, problem: str
) -> None:
    fake = FakeTeams()
    response = post(fake, envelope)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "InvalidRequestContent"
    assert problem in error["message"]
    assert fake.posted == ()


def test_every_problem_is_named_at_once() -> None:
    fake = FakeTeams()
    response = post(fake, broken(type="x", card_type="y", card_version="9"))
    message = response.json()["error"]["message"]
    assert message.count("; ") == 2


def test_body_that_is_not_json_is_400() -> None:
    response = post(FakeTeams(), b"{not json")
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["error"]["message"]


def test_version_newer_than_max_is_refused() -> None:
    assert post(FakeTeams(), broken(card_version="1.6")).status_code == 400
    fake = FakeTeams(max_version="1.6")
    assert post(fake, broken(card_version="1.6")).status_code == 202


def test_oversized_body_is_413() -> None:
    fake = FakeTeams(max_bytes=100)
    response = post(fake, ENVELOPE)
    assert response.status_code == 413
    assert "Request Entity too large" in response.json()["error"]["message"]


def test_request_log_hides_sig() -> None:
    fake = FakeTeams(sig="very-secret-sig")
    post(fake, ENVELOPE)
    (record,) = fake.requests
    assert record.query["sig"] == "***"
    assert "very-secret-sig" not in repr(fake.requests)
    assert record.json == ENVELOPE
    assert record.status == 202


def test_faults_apply() -> None:
    fake = FakeTeams(
        faults=Faults(rate_limit_every=2, retry_after=3, error_burst=(3, 1))
    )
    statuses = [post(fake, ENVELOPE) for _ in range(3)]
    assert [r.status_code for r in statuses] == [202, 429, 502]
    assert statuses[1].headers["Retry-After"] == "3"
    assert [r.fault for r in fake.requests] == [
        None,
        Fault.RATE_LIMITED,
        Fault.SERVER_ERROR,
    ]
    assert len(fake.posted) == 1


def test_dropped_connection() -> None:
    fake = FakeTeams(faults=Faults(drop_at=(1,)))
    with pytest.raises(httpx.RemoteProtocolError):
        post(fake, ENVELOPE)
    assert fake.posted == ()


def test_served_over_real_http() -> None:
    fake = FakeTeams()
    with fake.serve() as base_url, httpx.Client() as client:
        response = client.post(fake.webhook_url(base_url), json=ENVELOPE)
    assert (response.status_code, response.content) == (202, b"")
    assert len(fake.posted) == 1


def test_bad_constructor_arguments_are_named_together() -> None:
    with pytest.raises(InvalidInputError) as info:
        FakeTeams(sig="", workflow="a/b", max_bytes=0, max_version="2")
    text = str(info.value)
    for name in ("sig", "workflow", "max_bytes", "max_version"):
        assert f"{name}:" in text
