"""The Teams adapter against FakeTeams, the recorded fixture and the card schema.

Sources:

- ``tests/data/api/teams/workflows-webhook-adaptive-card.json``: the envelope a
  Workflows webhook takes and its answer (202, empty body), from Microsoft Learn
  "Send Adaptive Cards using an Incoming Webhook" / the Workflows template;
- ``tests/data/messages/adaptive-card-1.5.0-subset.json``: subset of
  microsoft/AdaptiveCards ``schemas/1.5.0/adaptive-card.json`` at commit
  a34ebda030d0f7a2f026152590964b9ffe61d4e4 (see tests/data/messages/SOURCES.md);
- the ~28 KB limit: Microsoft Learn, "Create Incoming Webhooks" and the Microsoft
  Teams connector reference, "Known issues and limitations".
"""

from __future__ import annotations

import json
import logging
import warnings
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from productops import adapters, flow, kpi, release
from productops.adapters.teams import MAX_PAYLOAD_BYTES, TeamsAdapter, TeamsSettings
from productops.datasets import DEMO_AS_OF, load_demo
from productops.errors import (
    AdapterConfigError,
    APIError,
    AuthenticationError,
    ConnectionFailedError,
    DeprecatedAPIWarning,
    InvalidInputError,
    NotFoundError,
    RateLimitedError,
)
from productops.people import Message
from productops.testing import FakeTeams
from productops.testing._fake import Faults
from tests.fixtures import API

SIG = "sig-value-that-must-never-leak"
FIXTURE = json.loads(
    (API / "teams" / "workflows-webhook-adaptive-card.json").read_text()
)
MESSAGES = Path(__file__).resolve().parents[1] / "data" / "messages"
CARD_SCHEMA = json.loads((MESSAGES / "adaptive-card-1.5.0-subset.json").read_text())
LEGACY = (
    "https://contoso.webhook.office.com/webhookb2/1111-2222@3333/IncomingWebhook/"
    "legacy-path-secret/4444"
)


@pytest.fixture(autouse=True)
def _no_profile(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PRODUCTOPS_CONFIG", str(tmp_path / "absent.toml"))
    for name in ("WEBHOOK_URL", "CARD_VERSION", "TIMEOUT"):
        monkeypatch.delenv(f"PRODUCTOPS_TEAMS_{name}", raising=False)


def make(
    fake: FakeTeams,
    *,
    sleeps: list[float] | None = None,
    retry: adapters.RetryPolicy | None = None,
    **values: Any,
) -> TeamsAdapter:
    recorded = sleeps if sleeps is not None else []
    return TeamsAdapter(
        webhook_url=fake.webhook_url(),
        transport=fake.transport(),
        sleep=recorded.append,
        retry=retry,
        **values,
    )


def assert_valid_card(card: dict[str, Any]) -> None:
    jsonschema.Draft6Validator(CARD_SCHEMA).validate(card)


# -- the envelope ------------------------------------------------------------------


def test_envelope_has_the_fixture_shape() -> None:
    fake = FakeTeams(sig=SIG)
    teams = make(fake)
    recorded = FIXTURE["request"]["json"]
    m = Message(
        title="Release 2.3 shipped",
        status="good",
        facts=[("Status", "Released"), ("Date", "2024-05-10")],
        link=("https://example.com/releases/2.3", "Release notes"),
    )
    payload = teams.payload(m)
    assert payload.keys() == recorded.keys()
    assert payload["type"] == recorded["type"] == "message"
    (attachment,) = payload["attachments"]
    (expected,) = recorded["attachments"]
    assert attachment.keys() == expected.keys()
    assert attachment["contentType"] == expected["contentType"]
    assert attachment["contentUrl"] is None
    card = attachment["content"]
    for key in ("$schema", "type"):
        assert card[key] == expected["content"][key]
    assert card["body"][1] == expected["content"]["body"][1]  # the FactSet
    assert card["actions"] == expected["content"]["actions"]
    assert_valid_card(card)
    assert teams.notify(m) is None
    assert fake.posted == (card,)
    assert fake.requests[0].json == payload


def test_text_becomes_one_wrapped_text_block() -> None:
    fake = FakeTeams()
    make(fake).notify("**Deploy** done: [run](https://example.com/run/1)")
    (card,) = fake.posted
    assert card["body"] == [
        {
            "type": "TextBlock",
            "text": "**Deploy** done: [run](https://example.com/run/1)",
            "wrap": True,
        }
    ]
    assert card["version"] == "1.5"
    assert_valid_card(card)


@given(st.text(min_size=1, max_size=300).filter(str.strip))
def test_any_text_round_trips_through_the_webhook(text: str) -> None:
    fake = FakeTeams()
    make(fake).notify(text)
    (card,) = fake.posted
    assert card["body"][0]["text"] == text
    assert_valid_card(card)


def test_card_version_setting() -> None:
    fake = FakeTeams()
    make(fake, card_version="1.4").notify(Message(title="x", status="neutral"))
    assert fake.posted[0]["version"] == "1.4"


@pytest.mark.parametrize("text", ["", "  \n"])
def test_empty_text_is_refused_before_sending(text: str) -> None:
    fake = FakeTeams()
    with pytest.raises(InvalidInputError, match="must not be empty"):
        make(fake).notify(text)
    assert fake.request_count == 0


def test_unknown_result_kind_is_refused() -> None:
    fake = FakeTeams()
    with pytest.raises(InvalidInputError, match="cannot make a message"):
        make(fake).notify(42)  # type: ignore[arg-type]
    assert fake.request_count == 0


def test_channel_is_an_error() -> None:
    fake = FakeTeams()
    with pytest.raises(InvalidInputError, match=r"one adapter .* per channel"):
        make(fake).notify("hi", channel="#releases")
    assert fake.request_count == 0


def test_satisfies_notifier() -> None:
    assert isinstance(make(FakeTeams()), adapters.Notifier)


# -- real results -------------------------------------------------------------------


@pytest.fixture(scope="module")
def workspace() -> Any:
    return load_demo()


def test_kpi_statuses_go_through(workspace: Any) -> None:
    fake = FakeTeams()
    teams = make(fake)
    statuses = [
        kpi.status(k, workspace.observations, as_of=DEMO_AS_OF) for k in workspace.kpis
    ]
    teams.notify(statuses[0])
    teams.notify(statuses)
    single, many = fake.posted
    assert single["body"][0]["items"][0]["text"].startswith(f"KPI {statuses[0].kpi}")
    assert len(many["body"][1]["facts"]) == len(workspace.kpis) == 8
    for card in fake.posted:
        assert_valid_card(card)


def test_flow_report_goes_through(workspace: Any) -> None:
    fake = FakeTeams()
    report = flow.analyze(
        flow.EventLog.from_work_items(workspace.work_items),
        workspace.process,
        as_of=DEMO_AS_OF,
    )
    make(fake).notify(report)
    (card,) = fake.posted
    assert card["body"][0]["items"][0]["text"] == "Flow as of 2026-06-01"
    assert card["body"][0]["style"] == "warning"  # the growing 'Ready for QA' queue
    assert_valid_card(card)


@pytest.mark.parametrize("key", ["2026.1", "2026.2", "2026.3"])
def test_release_readiness_goes_through(workspace: Any, key: str) -> None:
    fake = FakeTeams()
    result = release.readiness(key, workspace, seed=1)
    make(fake).notify(result)
    (card,) = fake.posted
    style = {"go": "good", "at_risk": "warning", "no_go": "attention"}
    assert card["body"][0]["style"] == style[result.verdict.value]
    assert_valid_card(card)


# -- the size limit ---------------------------------------------------------------


def text_payload_size(text: str) -> int:
    teams = TeamsAdapter(webhook_url=FakeTeams().webhook_url())
    body = json.dumps(teams.payload(text), ensure_ascii=False, separators=(",", ":"))
    return len(body.encode("utf-8"))


def test_size_limit_is_exact_in_utf8_bytes() -> None:
    overhead = text_payload_size("a") - 1
    # 'é' is two bytes in UTF-8: fill the body to exactly the limit.
    room = MAX_PAYLOAD_BYTES - overhead
    fits = "é" * (room // 2) + "a" * (room % 2)
    assert text_payload_size(fits) == MAX_PAYLOAD_BYTES == 28_000
    fake = FakeTeams()
    teams = make(fake)
    teams.notify(fits)
    assert len(fake.posted) == 1
    with pytest.raises(InvalidInputError) as info:
        teams.notify(fits + "a")
    assert "28,001 bytes" in str(info.value)
    assert "Nothing was sent" in str(info.value)
    assert fake.request_count == 1


def test_oversized_result_is_refused_before_sending() -> None:
    fake = FakeTeams()
    big = Message(
        title="Big",
        status="bad",
        sections=[("Reasons", [f"reason {i}: " + "x" * 200 for i in range(200)])],
    )
    with pytest.raises(InvalidInputError, match="about 28 KB"):
        make(fake).notify(big)
    assert fake.request_count == 0


# -- errors ---------------------------------------------------------------------------


def test_bad_sig_is_an_authentication_error_naming_the_source() -> None:
    fake = FakeTeams(sig="right-sig")
    url = fake.webhook_url().replace("right-sig", SIG)
    teams = TeamsAdapter(webhook_url=url, transport=fake.transport())
    with pytest.raises(AuthenticationError) as info:
        teams.notify("hi")
    error = info.value
    assert error.status_code == 401
    assert "webhook URL sig from argument" in str(error)
    assert SIG not in str(error)
    assert SIG not in error.body
    assert "sig=***" in str(error) or "?***" in str(error)


def test_credential_source_is_the_environment_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = FakeTeams(sig="right-sig")
    url = fake.webhook_url().replace("right-sig", SIG)
    monkeypatch.setenv("PRODUCTOPS_TEAMS_WEBHOOK_URL", url)
    teams = TeamsAdapter(transport=fake.transport())
    with pytest.raises(AuthenticationError, match="PRODUCTOPS_TEAMS_WEBHOOK_URL"):
        teams.notify("hi")


def test_unknown_workflow_is_not_found() -> None:
    fake = FakeTeams(workflow="mine")
    url = fake.webhook_url().replace("/mine/", "/gone/")
    teams = TeamsAdapter(webhook_url=url, transport=fake.transport())
    with pytest.raises(NotFoundError, match="WorkflowNotFound"):
        teams.notify("hi")


def test_rejected_card_is_an_api_error_with_the_reason() -> None:
    fake = FakeTeams(max_version="1.4")
    teams = make(fake)  # sends version 1.5 cards
    with pytest.raises(APIError) as info:
        teams.notify("hi")
    assert type(info.value) is APIError
    assert info.value.status_code == 400
    assert "content.version: must be '1.0' to '1.4'" in str(info.value)
    assert fake.request_count == 1


def test_too_large_for_the_service_is_413() -> None:
    fake = FakeTeams(max_bytes=200)
    with pytest.raises(APIError, match="Request Entity too large") as info:
        make(fake).notify("x" * 300)
    assert info.value.status_code == 413


def test_server_error_on_post_is_not_retried() -> None:
    fake = FakeTeams(faults=Faults(error_burst=(1, 3)))
    sleeps: list[float] = []
    with pytest.raises(APIError) as info:
        make(fake, sleeps=sleeps).notify("hi")
    assert info.value.status_code == 502
    assert fake.request_count == 1
    assert sleeps == []
    assert fake.posted == ()


def test_dropped_connection_on_post_is_not_retried() -> None:
    fake = FakeTeams(faults=Faults(drop_at=(1,)))
    with pytest.raises(ConnectionFailedError):
        make(fake).notify("hi")
    assert fake.request_count == 1


def test_429_is_retried_after_retry_after() -> None:
    fake = FakeTeams(faults=Faults(rate_limit_every=2, retry_after=7))
    sleeps: list[float] = []
    teams = make(fake, sleeps=sleeps)
    teams.notify("one")  # request 1
    teams.notify("two")  # request 2 is a 429, request 3 is accepted
    assert sleeps == [7.0]
    assert [r.status for r in fake.requests] == [202, 429, 202]
    assert [card["body"][0]["text"] for card in fake.posted] == ["one", "two"]
    assert teams.requests == 3


def test_429_until_the_retries_run_out() -> None:
    fake = FakeTeams(faults=Faults(rate_limit_every=1, retry_after=2))
    sleeps: list[float] = []
    teams = make(fake, sleeps=sleeps, retry=adapters.RetryPolicy(attempts=3))
    with pytest.raises(RateLimitedError) as info:
        teams.notify("hi")
    assert info.value.retry_after == 2.0
    assert sleeps == [2.0, 2.0]
    assert fake.request_count == 3


# -- settings, legacy URLs, redaction ----------------------------------------------


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://prod-00.westus.logic.azure.com/workflows/x?sig=s", "https://"),
        ("https://evil.example.com/workflows/x?sig=s", "not a Teams Workflows"),
        ("https://prod-00.westus.logic.azure.com/workflows/x?sv=1.0", "no sig="),
        ("not a url", "absolute https:// URL"),
    ],
)
def test_bad_urls_are_refused_without_showing_them(url: str, problem: str) -> None:
    with pytest.raises(AdapterConfigError) as info:
        TeamsAdapter(webhook_url=url)
    text = str(info.value)
    assert problem in text
    assert "webhook_url (from argument)" in text
    assert "workflows/x" not in text


def test_direct_settings_errors_hide_the_url() -> None:
    url = "https://evil.example.com/workflows/x?sig=" + SIG
    with pytest.raises(ValidationError) as info:
        TeamsSettings(webhook_url=url)
    assert SIG not in str(info.value)


def test_bad_card_version_and_both_kinds_of_settings() -> None:
    url = FakeTeams().webhook_url()
    with pytest.raises(AdapterConfigError, match="card_version"):
        TeamsAdapter(webhook_url=url, card_version="2.0")
    with pytest.raises(AdapterConfigError, match="not both"):
        TeamsAdapter(settings=TeamsSettings(webhook_url=url), webhook_url=url)


def test_power_platform_hosts_are_accepted() -> None:
    url = (
        "https://default0123.45.environment.api.powerplatform.com:443/powerautomate/"
        "automations/direct/workflows/abc/triggers/manual/paths/invoke?sig=s"
    )
    teams = TeamsAdapter(webhook_url=url)
    assert repr(teams) == (
        "<TeamsAdapter workflow at default0123.45.environment.api.powerplatform.com>"
    )


def legacy_transport(answer: str, calls: list[httpx.Request]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200, text=answer)

    return httpx.MockTransport(handler)


def test_legacy_connector_url_warns_and_still_posts() -> None:
    calls: list[httpx.Request] = []
    with pytest.warns(DeprecatedAPIWarning, match="legacy Office 365 connector"):
        teams = TeamsAdapter(webhook_url=LEGACY, transport=legacy_transport("1", calls))
    assert (
        repr(teams) == "<TeamsAdapter legacy connector at contoso.webhook.office.com>"
    )
    teams.notify("hi")
    assert calls[0].url.path.endswith("/legacy-path-secret/4444")


def test_legacy_connector_error_in_a_200_is_raised_redacted() -> None:
    calls: list[httpx.Request] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecatedAPIWarning)
        teams = TeamsAdapter(
            webhook_url=LEGACY,
            transport=legacy_transport(
                "Webhook message delivery failed with error: Microsoft Teams "
                "endpoint returned HTTP error 413",
                calls,
            ),
        )
    with pytest.raises(APIError, match="HTTP error 413") as info:
        teams.notify("hi")
    assert "legacy-path-secret" not in str(info.value)


def test_secrets_never_in_repr_logs_or_errors(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeTeams(sig=SIG, faults=Faults(rate_limit_every=2, error_burst=(4, 1)))
    teams = make(fake)
    query = httpx.URL(fake.webhook_url()).query.decode()
    texts = [repr(teams), repr(teams.settings), str(teams.settings)]
    with caplog.at_level(logging.DEBUG, logger="productops.adapters"):
        teams.notify("one")  # 1: 202
        teams.notify("two")  # 2: 429 (logged retry), 3: 202
        with pytest.raises(APIError) as info:
            teams.notify("three")  # 4: 502
    texts += [caplog.text, str(info.value), info.value.body]
    texts += [str(getattr(record, "url", "")) for record in caplog.records]
    assert "retrying" in caplog.text
    for text in texts:
        assert SIG not in text
        assert query not in text
    assert any("invoke?***" in record.getMessage() for record in caplog.records)
