"""SlackAdapter: Web API and webhook posting, error mapping, retries, redaction.

Request and response shapes are checked against the samples in
``tests/data/api/slack/`` (copied from shared/fixtures: ``chat-postMessage.json``
is verbatim from Slack's OpenAPI description) and against the official Web API
description (``tests/data/specs/slack-web.subset.json``, cut from
slackapi/slack-api-specs ``web-api/slack_web_openapi_v2.json`` by
``make_slack_subset.py``).
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import httpx
import jsonschema  # type: ignore[import-untyped]
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from productops import kpi, release
from productops.adapters._http import RetryPolicy
from productops.adapters._protocols import Notifier
from productops.adapters.slack import (
    SLACK_ERRORS,
    SlackAdapter,
    SlackPost,
    SlackSettings,
    markdown_to_mrkdwn,
)
from productops.datasets import load_demo
from productops.errors import (
    AdapterConfigError,
    APIError,
    AuthenticationError,
    ConnectionFailedError,
    InvalidInputError,
    NotFoundError,
    RateLimitedError,
    ResponseFormatError,
)
from productops.people import Message, slack_blocks
from productops.testing import FakeSlack, Faults

DATA = Path(__file__).resolve().parents[1] / "data"
SPEC = DATA / "specs" / "slack-web.subset.json"
TOKEN = "xoxb-123456789012-abcdefSECRET"


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (DATA / "api" / "slack" / name).read_text(encoding="utf-8")
    )
    return data


class Recorder:
    """An httpx handler answering canned responses and keeping the requests."""

    def __init__(self, *responses: httpx.Response) -> None:
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if len(self.responses) > 1:
            return self.responses.pop(0)
        return self.responses[0]


def api_adapter(handler: Any, **options: Any) -> SlackAdapter:
    return SlackAdapter(
        token=TOKEN,
        channel="C1H9RESGL",
        base_url="http://127.0.0.1/api",
        transport=httpx.MockTransport(handler),
        sleep=options.pop("sleep", lambda _: None),
        **options,
    )


@pytest.fixture
def fake() -> FakeSlack:
    return FakeSlack(token=TOKEN, not_member=["C0RELEASES"])


@pytest.fixture
def slack(fake: FakeSlack) -> SlackAdapter:
    return SlackAdapter(
        token=TOKEN,
        base_url=fake.api_url,
        channel="#product-ops",
        transport=fake.transport(),
        sleep=lambda _: None,
    )


# -- settings -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({}, "exactly one of token"),
        (
            {"token": TOKEN, "webhook_url": "https://example.invalid/services/T/B/x"},
            "exactly one of token",
        ),
        ({"token": "https://example.invalid/services/T/B/x"}, "looks like a URL"),
        ({"token": "abc-SECRET"}, "must be a Slack token"),
        ({"webhook_url": "http://example.invalid/services/T/B/SECRET"}, "https://"),
        ({"webhook_url": "https://example.invalid"}, "has no path"),
        (
            {
                "webhook_url": "https://example.invalid/services/T/B/SECRET",
                "channel": "C1",
            },
            "leave channel unset",
        ),
    ],
)
def test_bad_settings_are_named_without_their_values(values, expected):
    with pytest.raises(AdapterConfigError) as info:
        SlackSettings.resolve(values, env={}, config_file=None)
    assert expected in str(info.value)
    assert "SECRET" not in str(info.value)


def test_settings_come_from_the_environment():
    settings = SlackSettings.resolve(
        {},
        env={"PRODUCTOPS_SLACK_TOKEN": TOKEN, "PRODUCTOPS_SLACK_CHANNEL": "C0X"},
        config_file=None,
    )
    assert settings.mode == "web_api"
    assert settings.channel == "C0X"
    assert settings.sources["token"] == "environment variable PRODUCTOPS_SLACK_TOKEN"
    assert TOKEN not in repr(settings)


def test_settings_and_values_together_are_refused():
    with pytest.raises(AdapterConfigError, match="not both"):
        SlackAdapter(settings=SlackSettings(token=SecretStr(TOKEN)), channel="C1")


def test_adapter_is_a_notifier(slack):
    assert isinstance(slack, Notifier)
    assert slack.name == "slack"


# -- Web API: requests ----------------------------------------------------------


def test_post_message_request_matches_the_fixture():
    sample = fixture("chat-postMessage.json")
    handler = Recorder(httpx.Response(200, json=sample["response"]["body"]))
    post = api_adapter(handler).notify(Message(title="Release 2.3", status="good"))
    (request,) = handler.requests
    assert request.method == sample["request"]["method"]
    assert request.url.path == "/api/chat.postMessage"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["content-type"].startswith("application/json")
    body = json.loads(request.content)
    assert set(body) == set(sample["request"]["json"])
    assert body["channel"] == "C1H9RESGL"
    assert all(set(block) >= {"type"} for block in body["blocks"])
    # The verbatim success response gives the channel and ts back.
    assert post == SlackPost(channel="C1H9RESGL", ts="1503435956.000247")


def test_post_message_request_matches_the_official_spec(slack, fake):
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    operation = spec["paths"]["/chat.postMessage"]["post"]
    slack.notify(Message(title="Release 2.3", status="warning", summary="1 blocker"))
    (recorded,) = fake.requests
    assert recorded.method == "POST"
    assert recorded.path == spec["basePath"] + "/chat.postMessage"
    assert "application/json" in operation["consumes"]
    params = {p["name"]: p for p in operation["parameters"] if p["in"] == "formData"}
    assert set(recorded.json) <= set(params)
    required = {name for name, p in params.items() if p.get("required")}
    assert required <= set(recorded.json)
    # The token travels in the Authorization header, not in the body.
    assert recorded.auth_scheme == "Bearer"
    assert "token" not in recorded.json


def test_fake_answer_validates_against_the_spec_schema():
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    schema = spec["paths"]["/chat.postMessage"]["post"]["responses"]["200"]["schema"]
    handler_answers: list[Any] = []
    fake = FakeSlack(token=TOKEN)
    transport = fake.transport()

    def spy(request: httpx.Request) -> httpx.Response:
        response = transport.handle_request(request)
        handler_answers.append(response.json())
        return response

    api_adapter(spy).notify("hi", channel="C0PRODOPS1")
    # Swagger 2.0 schemas are JSON Schema draft 4.
    validator = jsonschema.Draft4Validator(
        {**schema, "definitions": spec["definitions"]}
    )
    validator.validate(handler_answers[0])


def test_string_is_sent_as_mrkdwn_text(slack, fake):
    post = slack.notify("# Release 2.3\n- **go** <@U024BE7LH> & done")
    assert post == SlackPost(channel="C0PRODOPS1", ts="1767225601.000001")
    (posted,) = fake.posted
    assert posted.text == "*Release 2.3*\n• *go* <@U024BE7LH> &amp; done"
    assert posted.blocks == ()


def test_channel_argument_wins_and_names_resolve(slack, fake):
    fake_post = slack.notify("hi", channel="C0PRODOPS1")
    assert fake_post is not None
    assert fake.requests[0].json["channel"] == "C0PRODOPS1"


def test_text_fallback_is_always_set_for_results(slack, fake):
    slack.notify(Message(title="Weekly", status="neutral"))
    body = fake.requests[0].json
    assert body["text"] == "Weekly"
    assert (
        body["blocks"]
        == slack_blocks(Message(title="Weekly", status="neutral"))["blocks"]
    )


def test_real_kpi_status_goes_through(slack, fake):
    workspace = load_demo()
    statuses = [
        kpi.status(k, workspace.observations, as_of=None) for k in workspace.kpis
    ]
    post = slack.notify(statuses)
    assert isinstance(post, SlackPost)
    (posted,) = fake.posted
    assert posted.text
    assert posted.blocks == tuple(slack_blocks(statuses)["blocks"])


def test_real_release_readiness_goes_through(slack, fake):
    verdict = release.readiness("2026.2", load_demo(), seed=1, trials=500)
    slack.notify(verdict, channel="C0PRODOPS1")
    (posted,) = fake.posted
    assert posted.blocks[0]["type"] == "header"
    assert posted.blocks == tuple(slack_blocks(verdict)["blocks"])


@pytest.mark.parametrize(
    ("message", "match"),
    [("", "must not be empty"), ("  \n", "must not be empty"), ("x" * 40_001, "40000")],
)
def test_bad_strings_are_refused_before_sending(slack, fake, message, match):
    with pytest.raises(InvalidInputError, match=match):
        slack.notify(message)
    assert fake.requests == ()


def test_unsupported_results_are_refused(slack):
    with pytest.raises(InvalidInputError, match="cannot make a message"):
        slack.notify(42)


def test_missing_channel_is_an_error(fake):
    adapter = SlackAdapter(
        token=TOKEN, base_url=fake.api_url, transport=fake.transport()
    )
    with pytest.raises(InvalidInputError, match="PRODUCTOPS_SLACK_CHANNEL"):
        adapter.notify("hi")
    assert fake.requests == ()


# -- Web API: errors ------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("channel_not_found", NotFoundError),
        ("not_in_channel", APIError),
        ("is_archived", APIError),
        ("invalid_blocks", APIError),
        ("msg_too_long", APIError),
        ("no_text", APIError),
        ("invalid_auth", AuthenticationError),
        ("not_authed", AuthenticationError),
        ("token_revoked", AuthenticationError),
        ("missing_scope", AuthenticationError),
        ("ratelimited", RateLimitedError),
        ("some_new_error", APIError),
    ],
)
def test_ok_false_maps_to_an_error_naming_the_code(code, error):
    handler = Recorder(httpx.Response(200, json={"ok": False, "error": code}))
    with pytest.raises(APIError) as info:
        api_adapter(handler).notify("hi")
    assert type(info.value) is error
    assert code in str(info.value)
    assert info.value.status_code == 200
    assert info.value.adapter == "slack"
    assert len(handler.requests) == 1  # an ok:false answer is never retried


def test_every_known_code_has_a_hint():
    assert all(hint for _, hint in SLACK_ERRORS.values())


def test_invalid_blocks_lists_slacks_messages():
    body = {
        "ok": False,
        "error": "invalid_blocks",
        "response_metadata": {"messages": ["[ERROR] no more than 50 items allowed"]},
    }
    with pytest.raises(APIError, match=r"no more than 50 items allowed"):
        api_adapter(Recorder(httpx.Response(200, json=body))).notify("hi")


def test_missing_scope_names_the_needed_scope():
    body = {"ok": False, "error": "missing_scope", "needed": "chat:write"}
    with pytest.raises(AuthenticationError, match="needed: chat:write"):
        api_adapter(Recorder(httpx.Response(200, json=body))).notify("hi")


def test_fake_not_in_channel(slack):
    with pytest.raises(APIError, match=r"not_in_channel.*invite"):
        slack.notify("hi", channel="C0RELEASES")


def test_fake_channel_not_found(slack):
    with pytest.raises(NotFoundError, match="channel_not_found"):
        slack.notify("hi", channel="#nowhere")


def test_fake_invalid_auth(fake):
    other = "xoxb-999-WRONGTOKEN"
    adapter = SlackAdapter(
        token=other,
        base_url=fake.api_url,
        channel="C0PRODOPS1",
        transport=fake.transport(),
    )
    with pytest.raises(AuthenticationError, match="invalid_auth") as info:
        adapter.notify("hi")
    assert other not in str(info.value)
    assert other not in info.value.body


def test_answer_without_ok_is_a_format_error():
    handler = Recorder(httpx.Response(200, json={"channel": "C1"}))
    with pytest.raises(ResponseFormatError, match="no 'ok' field"):
        api_adapter(handler).notify("hi")


def test_success_without_ts_is_a_format_error():
    handler = Recorder(httpx.Response(200, json={"ok": True, "channel": "C1"}))
    with pytest.raises(ResponseFormatError, match="lacks"):
        api_adapter(handler).notify("hi")


def test_malformed_body_is_a_format_error(fake, slack):
    fake.faults = Faults(malformed_at=(1,))
    with pytest.raises(ResponseFormatError):
        slack.notify("hi")


# -- retries --------------------------------------------------------------------


def test_429_is_retried_after_retry_after():
    limited = fixture("rate-limited-429.json")["response"]
    ok = fixture("chat-postMessage.json")["response"]["body"]
    sleeps: list[float] = []
    handler = Recorder(
        httpx.Response(429, headers=limited["headers"], json=limited["body"]),
        httpx.Response(200, json=ok),
    )
    post = api_adapter(handler, sleep=sleeps.append).notify("hi")
    assert post is not None
    assert post.ts == "1503435956.000247"
    assert sleeps == [30.0]
    assert len(handler.requests) == 2


def test_429_from_the_fake_is_retried(fake, slack):
    sleeps: list[float] = []
    fake.faults = Faults(rate_limit_every=2, retry_after=3)
    adapter = SlackAdapter(
        token=TOKEN,
        base_url=fake.api_url,
        channel="C0PRODOPS1",
        transport=fake.transport(),
        sleep=sleeps.append,
    )
    adapter.notify("one")
    adapter.notify("two")
    assert sleeps == [3.0]
    assert [p.text for p in fake.posted] == ["one", "two"]
    assert [r.status for r in fake.requests] == [200, 429, 200]
    assert adapter.requests == 3


def test_429_after_the_last_attempt_raises_rate_limited(fake):
    fake.faults = Faults(rate_limit_every=1, retry_after=7)
    adapter = SlackAdapter(
        token=TOKEN,
        base_url=fake.api_url,
        channel="C0PRODOPS1",
        transport=fake.transport(),
        retry=RetryPolicy(attempts=3),
        sleep=lambda _: None,
    )
    with pytest.raises(RateLimitedError) as info:
        adapter.notify("hi")
    assert info.value.retry_after == 7.0
    assert len(fake.requests) == 3
    assert fake.posted == []


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_never_retried(status):
    handler = Recorder(httpx.Response(status, json={"ok": False, "error": "fatal"}))
    with pytest.raises(APIError) as info:
        api_adapter(handler).notify("hi")
    assert info.value.status_code == status
    assert len(handler.requests) == 1


def test_5xx_burst_from_the_fake_posts_nothing(fake, slack):
    fake.faults = Faults(error_burst=(1, 1))
    with pytest.raises(APIError):
        slack.notify("hi")
    assert len(fake.requests) == 1
    assert fake.posted == []


def test_dropped_connection_is_not_retried(fake, slack):
    fake.faults = Faults(drop_at=(1,))
    with pytest.raises(ConnectionFailedError) as info:
        slack.notify("hi")
    assert len(fake.requests) == 1
    assert TOKEN not in str(info.value)


# -- webhooks -------------------------------------------------------------------


@pytest.fixture
def hook_url(fake: FakeSlack) -> str:
    return fake.webhook_url("C0PRODOPS1")


def webhook_adapter(url: str, fake: FakeSlack) -> SlackAdapter:
    return SlackAdapter(
        webhook_url=url, transport=fake.transport(), sleep=lambda _: None
    )


def test_webhook_posts_the_payload_without_channel(fake, hook_url):
    sample = fixture("incoming-webhook-post.json")
    adapter = webhook_adapter(hook_url, fake)
    assert adapter.notify(Message(title="Release 2.3 shipped", status="good")) is None
    (recorded,) = fake.requests
    assert recorded.method == sample["request"]["method"]
    assert recorded.path.startswith("/services/")
    assert set(recorded.json) == set(sample["request"]["json"])
    assert recorded.auth_scheme is None
    (posted,) = fake.posted
    assert (posted.channel, posted.via) == ("C0PRODOPS1", "webhook")


def test_webhook_refuses_a_channel_argument(fake, hook_url):
    with pytest.raises(InvalidInputError, match="its own channel"):
        webhook_adapter(hook_url, fake).notify("hi", channel="C0RELEASES")
    assert fake.requests == ()


def test_webhook_answer_that_is_not_ok_is_a_format_error():
    url = "http://127.0.0.1/services/T0/B0/SECRETPART"
    handler = Recorder(httpx.Response(200, text="<html>proxy</html>"))
    adapter = SlackAdapter(webhook_url=url, transport=httpx.MockTransport(handler))
    with pytest.raises(ResponseFormatError, match="not 'ok'"):
        adapter.notify("hi")


@pytest.mark.parametrize(
    ("status", "code", "error"),
    [
        (400, "invalid_payload", APIError),
        (400, "no_text", APIError),
        (403, "action_prohibited", AuthenticationError),
        (403, "invalid_token", AuthenticationError),
        (404, "channel_not_found", NotFoundError),
        (404, "no_service", AuthenticationError),
        (410, "channel_is_archived", APIError),
        (500, "rollup_error", APIError),
    ],
)
def test_webhook_plain_text_errors_are_mapped(status, code, error, caplog):
    url = "http://127.0.0.1/services/T0/B0/SECRETPART"
    handler = Recorder(httpx.Response(status, text=code))
    adapter = SlackAdapter(
        webhook_url=url, transport=httpx.MockTransport(handler), sleep=lambda _: None
    )
    with (
        caplog.at_level(logging.DEBUG, logger="productops.adapters"),
        pytest.raises(APIError) as info,
    ):
        adapter.notify("hi")
    assert type(info.value) is error
    assert code in str(info.value)
    assert info.value.status_code == status
    assert len(handler.requests) == 1
    for text in (str(info.value), info.value.body, caplog.text, repr(adapter)):
        assert "SECRETPART" not in text


def test_webhook_errors_from_the_fake(fake):
    archived = FakeSlack(token=TOKEN, archived=["C0RELEASES"])
    with pytest.raises(APIError, match="channel_is_archived"):
        webhook_adapter(archived.webhook_url("C0RELEASES"), archived).notify("hi")
    unknown = fake.webhook_url("C0PRODOPS1").rsplit("/", 1)[0] + "/nosuchsecret000"
    with pytest.raises(AuthenticationError, match="no_service"):
        webhook_adapter(unknown, fake).notify("hi")


def test_webhook_429_is_retried(fake, hook_url):
    sleeps: list[float] = []
    fake.faults = Faults(rate_limit_every=1, retry_after=2)
    adapter = SlackAdapter(
        webhook_url=hook_url,
        transport=fake.transport(),
        retry=RetryPolicy(attempts=2),
        sleep=sleeps.append,
    )
    with pytest.raises(RateLimitedError) as info:
        adapter.notify("hi")
    assert sleeps == [2.0]
    assert "nosuch" not in str(info.value)
    assert hook_url.rsplit("/", 1)[1] not in str(info.value)


# -- redaction ------------------------------------------------------------------


def test_token_is_never_shown(fake, caplog):
    adapter = SlackAdapter(
        token=TOKEN,
        base_url=fake.api_url,
        channel="C0RELEASES",
        transport=fake.transport(),
    )
    with caplog.at_level(logging.DEBUG, logger="productops.adapters"):
        with pytest.raises(APIError) as info:
            adapter.notify("hi")
        adapter.notify("hi", channel="C0PRODOPS1")
    texts = [
        repr(adapter),
        repr(adapter.settings),
        str(info.value),
        info.value.body,
        caplog.text,
        repr(fake.requests),
    ]
    assert all(TOKEN not in text for text in texts)
    assert "C0RELEASES" in str(info.value)


def test_webhook_url_is_never_shown(fake, hook_url, caplog):
    secret = hook_url.rsplit("/", 1)[1]
    fake.faults = Faults(drop_at=(1,))
    adapter = webhook_adapter(hook_url, fake)
    with caplog.at_level(logging.DEBUG, logger="productops.adapters"):
        with pytest.raises(ConnectionFailedError) as info:
            adapter.notify("hi")
        adapter.notify("hi")
    texts = [repr(adapter), repr(adapter.settings), str(info.value), caplog.text]
    assert all(secret not in text and hook_url not in text for text in texts)


# -- over a real loopback server ------------------------------------------------


def test_adapter_against_the_served_fake(fake):
    with fake.serve() as base_url:
        with SlackAdapter(
            token=TOKEN, base_url=f"{base_url}/api", channel="#product-ops"
        ) as adapter:
            post = adapter.notify("served")
        with SlackAdapter(
            webhook_url=fake.webhook_url("C0PRODOPS1", base_url=base_url)
        ) as hook:
            assert hook.notify("served too") is None
    assert post is not None
    assert post.channel == "C0PRODOPS1"
    assert [(p.text, p.via) for p in fake.posted] == [
        ("served", "api"),
        ("served too", "webhook"),
    ]


# -- mrkdwn ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markdown", "mrkdwn"),
    [
        ("**bold** and __bold__", "*bold* and *bold*"),
        ("~~gone~~", "~gone~"),
        (
            "[a & b](https://example.invalid/x?a=1&b=2)",
            "<https://example.invalid/x?a=1&b=2|a &amp; b>",
        ),
        ("<https://example.invalid|kept>", "<https://example.invalid|kept>"),
        ("<!here> 1 < 2 > 0", "<!here> 1 &lt; 2 &gt; 0"),
        ("&amp; stays, & escapes", "&amp; stays, &amp; escapes"),
        ("  * nested", "  • nested"),
        ("### Title ###", "*Title*"),
    ],
)
def test_markdown_to_mrkdwn(markdown, mrkdwn):
    assert markdown_to_mrkdwn(markdown) == mrkdwn


@given(st.text(alphabet="ab &<>*_~#-[]()|\n@!:/", max_size=60))
def test_mrkdwn_never_has_bare_control_characters(text):
    result = markdown_to_mrkdwn(text)
    outside = re.sub(r"<(?:https?://|mailto:|[@#!])[^<>\s][^<>]*>", "", result)
    assert "<" not in outside
    assert ">" not in outside
    assert all(
        outside.startswith(("&amp;", "&lt;", "&gt;"), i)
        for i, ch in enumerate(outside)
        if ch == "&"
    )


def test_post_records():
    post = SlackPost(channel="C1H9RESGL", ts="1503435956.000247")
    (record,) = post.to_records()
    assert record["at"].isoformat() == "2017-08-22T21:05:56.000247+00:00"
