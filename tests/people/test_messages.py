"""Tests for the Slack Block Kit and Teams Adaptive Card message builders."""

from __future__ import annotations

import dataclasses
import enum
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from productops import flow, kpi
from productops.datasets import DEMO_AS_OF, load_demo
from productops.errors import InvalidInputError
from productops.model import KPI, Observation
from productops.people._messages import (
    SLACK_LIMITS,
    TEAMS_VERSIONS,
    Fact,
    Link,
    Message,
    ReadinessResult,
    Section,
    message_from,
    slack_blocks,
    teams_card,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "messages"
# Subset of microsoft/AdaptiveCards schemas/1.5.0/adaptive-card.json at commit
# a34ebda030d0f7a2f026152590964b9ffe61d4e4 (see tests/data/messages/SOURCES.md).
CARD_SCHEMA = json.loads((DATA / "adaptive-card-1.5.0-subset.json").read_text())
TEAMS_FIXTURE = json.loads(
    (DATA / "teams-workflows-webhook-adaptive-card.json").read_text()
)["request"]["json"]
SLACK_FIXTURES = [
    json.loads((DATA / name).read_text())["request"]["json"]
    for name in ("slack-incoming-webhook-post.json", "slack-chat-postMessage.json")
]


# -- a stand-in for productops.release.Readiness (interface fixed by the lead) --


class Verdict(enum.StrEnum):
    GO = "go"
    AT_RISK = "at_risk"
    NO_GO = "no_go"


@dataclasses.dataclass(frozen=True)
class Reason:
    kind: str
    severity: str
    subject: str
    message: str


@dataclasses.dataclass(frozen=True)
class Readiness:
    release: str
    name: str
    verdict: Verdict
    reasons: tuple[Reason, ...]
    as_of: datetime
    target_date: date | None
    probability: float | None


def readiness(**changes: Any) -> Readiness:
    base = Readiness(
        release="rel-2.4",
        name="2.4",
        verdict=Verdict.NO_GO,
        reasons=(
            Reason("gate", "warning", "docs", "release notes not reviewed"),
            Reason("gate", "blocker", "security", "security review failed"),
            Reason("risk", "info", "RISK-3", "vendor delay closed"),
            Reason("gate", "blocker", "compliance", "passed without evidence"),
        ),
        as_of=datetime(2026, 6, 1, 9, 30, tzinfo=UTC),
        target_date=date(2026, 6, 30),
        probability=0.42,
    )
    return dataclasses.replace(base, **changes)


# -- limit checks shared by the tests ---------------------------------------------


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def assert_escaped(text: str) -> None:
    """Only &amp; &lt; &gt; may carry the control characters (Slack formatting)."""
    assert "<" not in text
    assert ">" not in text
    rest = text.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "")
    assert "&" not in rest


def assert_within_slack_limits(payload: dict[str, Any]) -> None:
    blocks = payload["blocks"]
    assert 1 <= len(blocks) <= SLACK_LIMITS["blocks"]
    assert set(payload) <= {"text", "blocks"}
    if "text" in payload:
        assert units(payload["text"]) <= SLACK_LIMITS["fallback_text"]
        assert_escaped(payload["text"])
    for block in blocks:
        kind = block["type"]
        if kind == "header":
            assert block["text"]["type"] == "plain_text"
            assert 1 <= units(block["text"]["text"]) <= SLACK_LIMITS["header_text"]
        elif kind == "section":
            assert "text" in block or "fields" in block
            if "text" in block:
                text = block["text"]["text"]
                assert block["text"]["type"] == "mrkdwn"
                assert text.strip()
                assert 1 <= units(text) <= SLACK_LIMITS["section_text"]
                assert_escaped(text)
            if "fields" in block:
                assert 1 <= len(block["fields"]) <= SLACK_LIMITS["section_fields"]
                for field in block["fields"]:
                    assert field["type"] == "mrkdwn"
                    assert field["text"].strip()
                    assert units(field["text"]) <= SLACK_LIMITS["field_text"]
                    assert_escaped(field["text"])
        elif kind == "context":
            assert 1 <= len(block["elements"]) <= SLACK_LIMITS["context_elements"]
            for element in block["elements"]:
                assert units(element["text"]) <= SLACK_LIMITS["context_text"]
                assert_escaped(element["text"])
        elif kind == "actions":
            (button,) = block["elements"]
            assert button["type"] == "button"
            assert units(button["text"]["text"]) <= SLACK_LIMITS["button_text"]
            assert units(button["url"]) <= SLACK_LIMITS["button_url"]
        else:
            assert kind == "divider"
            assert block == {"type": "divider"}


def card_of(payload: dict[str, Any]) -> dict[str, Any]:
    assert payload["type"] == "message"
    (attachment,) = payload["attachments"]
    assert set(attachment) == {"contentType", "contentUrl", "content"}
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert attachment["contentUrl"] is None
    card: dict[str, Any] = attachment["content"]
    return card


def assert_valid_card(payload: dict[str, Any]) -> None:
    card = card_of(payload)
    jsonschema.Draft6Validator(CARD_SCHEMA).validate(card)


# -- Message ------------------------------------------------------------------------


def test_message_converts_lists_and_pairs_to_tuples():
    m = Message(
        title="T",
        status="good",
        facts=[["a", "1"]],  # type: ignore[list-item]  # runtime accepts lists
        sections=[("H", ["x", "y"])],
        link=("https://example.com", "Open"),
    )
    assert m.facts == (Fact("a", "1"),)
    assert m.sections == (Section("H", ("x", "y")),)
    assert m.link == Link("https://example.com", "Open")
    assert hash(m) == hash(dataclasses.replace(m))


def test_message_names_every_bad_field_in_one_error():
    with pytest.raises(InvalidInputError) as info:
        Message(
            title=" ",
            status="green",  # type: ignore[arg-type]
            summary=3,  # type: ignore[arg-type]
            facts=[("ok", "1"), ("bad", 2)],  # type: ignore[list-item]
            sections=[("H", 5)],  # type: ignore[list-item]
            link=("ftp://example.com", ""),
        )
    text = str(info.value)
    for part in (
        "title:",
        "status:",
        "summary:",
        "facts[1]:",
        "sections[0]:",
        "link.url:",
        "link.label:",
    ):
        assert part in text
    assert "facts[0]" not in text


def test_message_is_frozen():
    m = Message(title="T", status="neutral")
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.title = "U"  # type: ignore[misc]


def test_message_repr_and_records():
    m = Message(
        title="T",
        status="bad",
        summary="S",
        facts=(Fact("a", "1"), Fact("b", "2")),
        sections=(Section("H", ("x",)),),
        link=Link("https://example.com", "Open"),
    )
    assert repr(m) == "Message('T', bad: 2 facts, 1 section, link)"
    assert [r["part"] for r in m.to_records()] == [
        "title",
        "status",
        "summary",
        "fact",
        "fact",
        "section",
        "line",
        "link",
    ]
    assert m.to_records()[-1] == {
        "part": "link",
        "label": "Open",
        "text": "https://example.com",
    }


# -- message_from: KPIs -----------------------------------------------------------

LEAD = KPI(
    key="lead",
    name="Lead time",
    unit="days",
    direction="lower_is_better",
    target=4,
    green=5,
    red=10,
)


def lead_status(value: float | None) -> kpi.KpiStatus:
    obs = (
        []
        if value is None
        else [Observation(kpi="lead", value=value, at="2026-05-01T00:00:00Z")]
    )
    return kpi.status(LEAD, obs)


@pytest.mark.parametrize(
    ("value", "rag", "status"),
    [(4, "green", "good"), (7, "amber", "warning"), (12, "red", "bad")],
)
def test_kpi_status_maps_rag_to_status(value, rag, status):
    m = message_from(lead_status(value))
    assert m.status == status
    assert m.title == f"KPI lead: {rag}"
    assert m.summary == lead_status(value).reason


def test_kpi_status_facts_are_hand_formatted():
    m = message_from(lead_status(12))
    assert m.facts == (
        Fact("Status", "red"),
        Fact("Value", "12 days"),
        Fact("Target", "4 days"),
        Fact("Gap", "+8"),
        Fact("Direction", "lower is better"),
        Fact("Observed", "2026-05-01T00:00:00+00:00"),
    )


def test_kpi_without_data_is_neutral():
    m = message_from(lead_status(None))
    assert m.status == "neutral"
    assert Fact("Value", "no data") in m.facts


def test_kpi_list_has_one_fact_per_kpi_and_worst_status():
    statuses = [lead_status(4), lead_status(7), lead_status(None)]
    m = message_from(statuses)
    assert m.status == "warning"
    assert m.title == "KPI status: 3 KPIs"
    assert m.summary == "1 amber, 1 green, 1 grey"
    assert [f.value for f in m.facts] == [
        "green: 4 days",
        "amber: 7 days",
        "grey: no data",
    ]
    assert [s.heading for s in m.sections] == ["Amber", "Grey"]


@pytest.mark.parametrize(
    ("values", "status"),
    [((4, None), "good"), ((None,), "neutral"), ((4, 12, 7), "bad")],
)
def test_kpi_list_status(values, status):
    assert message_from([lead_status(v) for v in values]).status == status


def test_kpi_list_of_demo_kpis_reports_every_kpi():
    ws = load_demo()
    statuses = [kpi.status(k, ws.observations, as_of=DEMO_AS_OF) for k in ws.kpis]
    m = message_from(statuses)
    assert len(m.facts) == len(ws.kpis) == 8
    red = sum(s.rag == "red" for s in statuses)
    assert m.status == ("bad" if red else m.status)
    lines = [line for section in m.sections for line in section.lines]
    assert len(lines) == sum(s.rag != "green" for s in statuses)


def test_sequence_with_other_items_names_each_bad_index():
    with pytest.raises(InvalidInputError, match=r"\[1\] is str, \[2\] is int"):
        message_from([lead_status(4), "x", 3])  # type: ignore[list-item]


def test_empty_sequence_is_an_error():
    with pytest.raises(InvalidInputError, match="empty"):
        message_from([])


def test_unknown_result_type_is_an_error():
    with pytest.raises(InvalidInputError, match="cannot make a message from dict"):
        message_from({"title": "x"})  # type: ignore[arg-type]


def test_link_is_attached_and_checked():
    m = message_from(lead_status(4), link=("https://example.com/kpi", "Dashboard"))
    assert m.link == Link("https://example.com/kpi", "Dashboard")
    assert message_from(m) is m
    with pytest.raises(InvalidInputError, match=r"link\.url"):
        message_from(lead_status(4), link=("javascript:alert(1)", "x"))


# -- message_from: flow report -------------------------------------------------------


@pytest.fixture(scope="module")
def report() -> flow.FlowReport:
    ws = load_demo()
    return flow.analyze(
        flow.EventLog.from_work_items(ws.work_items), ws.process, as_of=DEMO_AS_OF
    )


def test_flow_report_message(report):
    m = message_from(report)
    facts = dict(m.facts)
    s = report.summary()
    assert m.title == "Flow as of 2026-06-01"
    # The demo's planted bottleneck is 'Ready for QA', and its queue grows
    # (see the FlowReport and Bottleneck doctests).
    assert m.status == "warning"
    assert facts["Bottleneck"] == "Ready for QA"
    assert facts["WIP"] == f"{s['in_progress']} items"
    assert facts["Delivered"] == "289 of 410 items"
    assert facts["Throughput"] == f"{s['throughput_per_week']:.1f} items/week (last 12)"
    # FlowReport doctest: cycle time p85 is 22.9 days.
    assert facts["Cycle time p50 / p85 / p95"].split(" / ")[1] == "22.9"
    (section,) = m.sections
    assert section.heading == "Bottleneck: Ready for QA"
    assert section.lines[0].startswith("holds 46% of in-cycle item-time")


def test_flow_report_builds_valid_payloads(report):
    assert_within_slack_limits(slack_blocks(report))
    assert_valid_card(teams_card(report))


# -- message_from: release readiness ---------------------------------------------


def test_stand_in_matches_the_protocol():
    assert isinstance(readiness(), ReadinessResult)


def test_readiness_message():
    m = message_from(readiness())
    assert m.title == "Release 2.4 (rel-2.4): NO GO"
    assert m.status == "bad"
    assert (
        m.summary == "2 blockers, 1 warning; 42% probability of shipping by 2026-06-30"
    )
    assert dict(m.facts)["Probability on time"] == "42%"
    assert dict(m.facts)["As of"] == "2026-06-01T09:30+00:00"
    assert [s.heading for s in m.sections] == ["Blockers", "Warnings", "Info"]
    assert m.sections[0].lines == (
        "security: security review failed (gate)",
        "compliance: passed without evidence (gate)",
    )


@pytest.mark.parametrize(
    ("verdict", "status", "label"),
    [(Verdict.GO, "good", "GO"), ("at_risk", "warning", "AT RISK")],
)
def test_readiness_verdicts(verdict, status, label):
    m = message_from(readiness(verdict=verdict, name="rel-2.4", reasons=()))
    assert m.status == status
    assert m.title == f"Release rel-2.4: {label}"
    assert m.sections == ()


def test_readiness_without_probability_or_target():
    m = message_from(readiness(probability=None, target_date=None))
    assert m.summary == "2 blockers, 1 warning"
    assert dict(m.facts)["Target date"] == "none"


def test_readiness_keeps_unknown_severities():
    m = message_from(readiness(reasons=(Reason("gate", "note", "x", "y"),)))
    assert [s.heading for s in m.sections] == ["Note"]


def test_readiness_errors_name_every_problem():
    bad = readiness(verdict="maybe", as_of=datetime(2026, 6, 1))
    with pytest.raises(InvalidInputError) as info:
        message_from(bad)
    assert "verdict" in str(info.value)
    assert "as_of" in str(info.value)


def test_readiness_payloads_are_valid():
    assert_within_slack_limits(slack_blocks(readiness()))
    assert_valid_card(teams_card(readiness()))


# -- Slack ------------------------------------------------------------------------


def test_slack_payload_has_the_shape_of_slacks_samples():
    payload = slack_blocks(
        Message(title="Release 2.3", status="good", summary="shipped")
    )
    for sample in SLACK_FIXTURES:
        # chat.postMessage also takes "channel": the adapter adds it when sending.
        assert set(payload) == set(sample) - {"channel"}
        sample_section = sample["blocks"][0]
        ours = payload["blocks"][1]
        assert set(ours) == set(sample_section)
        assert set(ours["text"]) == set(sample_section["text"])
    assert payload["blocks"][1] == {
        "type": "section",
        "text": {"type": "mrkdwn", "text": "shipped"},
    }


def test_slack_escapes_control_characters_so_mentions_are_not_triggered():
    m = Message(title="a <b> & c", status="neutral", summary="<!channel> & <@U1>")
    payload = slack_blocks(m)
    assert payload["blocks"][1]["text"]["text"] == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    # plain_text is shown literally: not escaped
    assert payload["blocks"][0]["text"]["text"] == ":white_circle: a <b> & c"


def test_slack_without_fallback_text():
    payload = slack_blocks(Message(title="T", status="good"), fallback_text=False)
    assert set(payload) == {"blocks"}


def test_slack_long_title_is_truncated_and_said_so():
    payload = slack_blocks(Message(title="x" * 500, status="good"))
    header = payload["blocks"][0]["text"]["text"]
    assert len(header) == 150
    assert header.endswith("…")
    context = payload["blocks"][-1]
    assert context["type"] == "context"
    assert "the title" in context["elements"][0]["text"]


def test_slack_truncation_never_splits_an_entity():
    payload = slack_blocks(Message(title="T", status="good", summary="&" * 2000))
    text = payload["blocks"][1]["text"]["text"]
    assert text.endswith("&amp;…")
    assert units(text) <= 3000
    assert text.count("&amp;") == (3000 - 1) // 5


def test_slack_fields_are_split_by_ten():
    facts = [(f"f{i}", str(i)) for i in range(23)]
    payload = slack_blocks(Message(title="T", status="good", facts=facts))
    field_blocks = [b for b in payload["blocks"] if "fields" in b]
    assert [len(b["fields"]) for b in field_blocks] == [10, 10, 3]
    assert field_blocks[0]["fields"][0] == {"type": "mrkdwn", "text": "*f0*\n0"}


def test_slack_drops_sections_beyond_50_blocks_and_says_how_many():
    sections = [(f"h{i}", ("line",)) for i in range(40)]
    m = Message(
        title="T",
        status="good",
        summary="s",
        sections=sections,
        link=("https://example.com", "Open"),
    )
    payload = slack_blocks(m)
    assert len(payload["blocks"]) <= 50
    # header + summary + actions + context leave 46 blocks: 23 sections.
    shown = sum(b["type"] == "divider" for b in payload["blocks"])
    assert shown == 23
    assert payload["blocks"][-2]["type"] == "actions"
    assert "17 sections left out" in payload["blocks"][-1]["elements"][0]["text"]
    assert_within_slack_limits(payload)


def test_slack_never_sends_an_empty_text():
    m = Message(title="T", status="good", facts=[(" ", "")], sections=[("", [])])
    texts = [b.get("text", {}).get("text") for b in slack_blocks(m)["blocks"]]
    fields = [f["text"] for b in slack_blocks(m)["blocks"] for f in b.get("fields", [])]
    assert fields == ["(empty)"]
    assert "(empty)" in texts


def test_slack_link_button():
    payload = slack_blocks(
        Message(title="T", status="good", link=("https://example.com/x", "Open"))
    )
    (button,) = payload["blocks"][-1]["elements"]
    assert button["url"] == "https://example.com/x"
    assert button["text"] == {"type": "plain_text", "text": "Open", "emoji": True}


def test_slack_leaves_out_a_link_too_long_for_a_button():
    url = "https://example.com/" + "a" * 3000
    payload = slack_blocks(Message(title="T", status="good", link=(url, "Open")))
    assert all(b["type"] != "actions" for b in payload["blocks"])
    assert "the link" in payload["blocks"][-1]["elements"][0]["text"]


@pytest.mark.parametrize(
    ("status", "emoji"),
    [
        ("good", ":large_green_circle:"),
        ("warning", ":large_yellow_circle:"),
        ("bad", ":red_circle:"),
        ("neutral", ":white_circle:"),
    ],
)
def test_slack_header_carries_status_emoji(status, emoji):
    payload = slack_blocks(Message(title="T", status=status))
    assert payload["blocks"][0]["text"]["text"] == f"{emoji} T"


# -- Teams ------------------------------------------------------------------------


def test_microsoft_sample_validates_against_the_transcribed_schema():
    jsonschema.Draft6Validator(CARD_SCHEMA).validate(
        TEAMS_FIXTURE["attachments"][0]["content"]
    )


def test_schema_subset_rejects_an_unknown_colour():
    card = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [{"type": "TextBlock", "text": "x", "color": "purple"}],
    }
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft6Validator(CARD_SCHEMA).validate(card)


def test_teams_envelope_matches_the_microsoft_sample():
    m = Message(
        title="Release 2.3 shipped",
        status="good",
        facts=[("Status", "Released"), ("Date", "2024-05-10")],
        link=("https://example.com/releases/2.3", "Release notes"),
    )
    payload = teams_card(m)
    sample_card = TEAMS_FIXTURE["attachments"][0]["content"]
    card = card_of(payload)
    assert set(payload) == set(TEAMS_FIXTURE)
    assert set(card) == set(sample_card)
    assert card["$schema"] == sample_card["$schema"]
    assert card["body"][1] == sample_card["body"][1]  # the same FactSet
    assert card["actions"] == sample_card["actions"]
    assert_valid_card(payload)


@pytest.mark.parametrize(
    ("status", "style", "color"),
    [
        ("good", "good", "good"),
        ("warning", "warning", "warning"),
        ("bad", "attention", "attention"),
        ("neutral", "emphasis", "default"),
    ],
)
def test_teams_container_style_and_title_colour(status, style, color):
    card = card_of(teams_card(Message(title="T", status=status, summary="s")))
    container = card["body"][0]
    assert container["style"] == style
    title, summary = container["items"]
    assert title == {
        "type": "TextBlock",
        "text": "T",
        "size": "large",
        "weight": "bolder",
        "color": color,
        "wrap": True,
    }
    assert summary == {"type": "TextBlock", "text": "s", "wrap": True}


def enum_values(name: str) -> set[str]:
    (enum_part,) = [
        part for part in CARD_SCHEMA["definitions"][name]["anyOf"] if "enum" in part
    ]
    return set(enum_part["enum"])


def test_teams_uses_canonical_enum_spellings():
    m = message_from(readiness())
    card = card_of(teams_card(m))
    elements = [card["body"][0], *card["body"][0]["items"], *card["body"][1:]]
    for element in elements:
        assert element["type"] in {"Container", "FactSet", "TextBlock"}
        if "style" in element:
            assert element["style"] in enum_values("ContainerStyle")
        for key, name in (
            ("color", "Colors"),
            ("size", "FontSize"),
            ("weight", "FontWeight"),
            ("spacing", "Spacing"),
        ):
            if key in element:
                assert element[key] in enum_values(name)


def test_teams_sections_become_headed_lines():
    m = Message(title="T", status="good", sections=[("H", ["a", "b"])])
    body = card_of(teams_card(m))["body"]
    assert [e.get("text") for e in body[1:]] == ["H", "• a", "• b"]
    assert body[1]["separator"] is True


@pytest.mark.parametrize("version", TEAMS_VERSIONS)
def test_teams_versions(version):
    assert (
        card_of(teams_card(Message(title="T", status="good"), version=version))[
            "version"
        ]
        == version
    )


def test_teams_rejects_unknown_version():
    with pytest.raises(InvalidInputError, match="version"):
        teams_card(Message(title="T", status="good"), version="2.0")


# -- properties ---------------------------------------------------------------------

tricky = st.sampled_from(["<", ">", "&", "*", "_", "~", "`", "&amp;", "😀", "é", " "])
short_text = st.lists(
    st.one_of(tricky, st.characters(exclude_categories=["Cs"])), max_size=30
).map("".join)
long_text = st.builds(
    lambda pieces, n: "".join(pieces) * n,
    st.lists(st.one_of(tricky, st.just("a")), min_size=1, max_size=4),
    st.integers(min_value=0, max_value=2500),
)
any_text = st.one_of(short_text, long_text)
titles = any_text.filter(lambda s: s.strip() != "")
urls = st.one_of(
    st.just("https://example.com/x?a=1&b=<2>"),
    st.builds(lambda n: "https://example.com/" + "a" * n, st.integers(0, 3100)),
)
messages = st.builds(
    Message,
    title=titles,
    status=st.sampled_from(["good", "warning", "bad", "neutral"]),
    summary=any_text,
    facts=st.lists(st.tuples(any_text, any_text), max_size=25),
    sections=st.lists(st.tuples(any_text, st.lists(any_text, max_size=4)), max_size=30),
    link=st.one_of(st.none(), st.tuples(urls, titles)),
)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages)
def test_any_message_gives_a_slack_payload_within_every_limit(message):
    payload = slack_blocks(message)
    assert_within_slack_limits(payload)
    assert json.loads(json.dumps(payload)) == payload
    blocks = payload["blocks"]
    if blocks[-1]["type"] != "context":  # nothing shortened or left out
        fields = [f for b in blocks for f in b.get("fields", [])]
        assert len(fields) == len(message.facts)
        assert sum(b["type"] == "divider" for b in blocks) == len(message.sections)
        assert any(b["type"] == "actions" for b in blocks) == (message.link is not None)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages)
def test_any_message_gives_a_valid_adaptive_card(message):
    payload = teams_card(message)
    assert_valid_card(payload)
    assert json.loads(json.dumps(payload)) == payload
    texts = [
        f["value"]
        for e in card_of(payload)["body"]
        if e["type"] == "FactSet"
        for f in e["facts"]
    ]
    assert texts == [f.value for f in message.facts]


@pytest.mark.parametrize("key", ["2026.1", "2026.2", "2026.3"])
def test_real_release_readiness_builds_valid_payloads(key: str) -> None:
    from productops.datasets import load_demo
    from productops.release import Readiness as RealReadiness
    from productops.release import readiness as judge

    result = judge(key, load_demo(), seed=1)
    assert isinstance(result, RealReadiness)
    message = message_from(result)
    expected = {"go": "good", "at_risk": "warning", "no_go": "bad"}
    assert message.status == expected[result.verdict.value]
    lines = [line for section in message.sections for line in section.lines]
    for reason in result.blockers:
        assert any(reason.message[:40] in line for line in lines)
    assert_within_slack_limits(slack_blocks(result))
    assert_valid_card(teams_card(result))
