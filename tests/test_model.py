"""Behaviour of the domain model records."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from pydantic import BaseModel, ValidationError

import productops as po
from productops.model import parse_timestamp

from . import strategies

T0 = datetime(2024, 1, 2, 9, 0, tzinfo=UTC)


def locs(error: ValidationError) -> list[tuple[int | str, ...]]:
    return [tuple(detail["loc"]) for detail in error.errors()]


def item(**changes: object) -> po.WorkItem:
    fields: dict[str, object] = {
        "key": "APP-1",
        "title": "Export",
        "status": "Done",
        "created": T0,
    }
    return po.WorkItem.model_validate(fields | changes)


# -- timestamps ---------------------------------------------------------------


def test_naive_datetime_is_rejected_naming_the_field() -> None:
    with pytest.raises(ValidationError) as caught:
        item(created=datetime(2024, 1, 2, 9))
    assert locs(caught.value) == [("created",)]
    assert "no timezone" in str(caught.value)


def test_naive_datetime_in_history_names_the_nested_field() -> None:
    with pytest.raises(ValidationError) as caught:
        item(history=[{"at": "2024-01-03T10:00:00", "to_status": "Done"}])
    assert locs(caught.value) == [("history", 0, "at")]


def test_naive_datetime_accepted_with_explicit_tz_context() -> None:
    zone = timezone(timedelta(hours=2))
    record = po.WorkItem.model_validate(
        {"key": "A-1", "title": "", "status": "x", "created": "2024-01-02 09:00"},
        context={"tz": zone},
    )
    assert record.created == datetime(2024, 1, 2, 7, tzinfo=UTC)
    assert record.created.tzinfo is UTC


def test_iana_zone_name_in_context_is_resolved() -> None:
    record = po.StatusChange.model_validate(
        {"at": "2024-07-01 12:00", "to_status": "x"}, context={"tz": "Europe/Berlin"}
    )
    assert record.at == datetime(2024, 7, 1, 10, tzinfo=UTC)


def test_timestamps_are_stored_in_utc_so_durations_cross_dst_exactly() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    incident = po.Incident(
        key="i",
        title="t",
        started_at=datetime(2024, 3, 31, 1, 0, tzinfo=berlin),
        resolved_at=datetime(2024, 3, 31, 4, 0, tzinfo=berlin),
    )
    assert incident.time_to_restore == timedelta(hours=2)
    assert incident.started_at.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-31T10:00:00.000+0000", datetime(2024, 1, 31, 10, tzinfo=UTC)),
        ("2024-01-31T10:00:00Z", datetime(2024, 1, 31, 10, tzinfo=UTC)),
        ("2024-01-31T11:00:00+01:00", datetime(2024, 1, 31, 10, tzinfo=UTC)),
        (
            "2024-01-31T10:00:00.123456+00:00",
            datetime(2024, 1, 31, 10, 0, 0, 123456, tzinfo=UTC),
        ),
        ("20240131T100000Z", datetime(2024, 1, 31, 10, tzinfo=UTC)),
        ("Wed, 31 Jan 2024 10:00:00 +0000", datetime(2024, 1, 31, 10, tzinfo=UTC)),
    ],
)
def test_common_tool_timestamp_formats_parse(text: str, expected: datetime) -> None:
    assert parse_timestamp(text) == expected
    assert item(created=text).created == expected


def test_unix_seconds_parse_as_utc() -> None:
    assert parse_timestamp(1706695200) == datetime(2024, 1, 31, 10, tzinfo=UTC)
    assert parse_timestamp(1706695200.5).microsecond == 500000


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (1706695200000, "milliseconds"),
        (True, "boolean"),
        ("yesterday", "not an ISO 8601"),
        ("", "empty"),
        ([2024, 1, 1], "got list"),
        ("2024-01-31", "no timezone"),
    ],
)
def test_bad_timestamps_are_rejected_with_a_reason(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_timestamp(value)


# -- work items ---------------------------------------------------------------


def test_negative_estimate_is_rejected_naming_the_field() -> None:
    with pytest.raises(ValidationError) as caught:
        item(estimate=-1)
    assert locs(caught.value) == [("estimate",)]


def test_unknown_fields_are_rejected() -> None:
    with pytest.raises(ValidationError) as caught:
        item(story_points=3)
    assert locs(caught.value) == [("story_points",)]
    assert caught.value.errors()[0]["type"] == "extra_forbidden"


def test_records_are_frozen_and_evolve_revalidates() -> None:
    record = item(estimate=3)
    with pytest.raises(ValidationError):
        record.estimate = 5  # type: ignore[misc]
    assert record.evolve(estimate=5).estimate == 5
    with pytest.raises(ValidationError):
        record.evolve(estimate=-5)
    assert record.estimate == 3


def test_history_is_sorted_stably_by_time() -> None:
    later = T0 + timedelta(days=2)
    record = item(
        history=[
            {"at": later, "from_status": "B", "to_status": "C"},
            {"at": T0 + timedelta(days=1), "from_status": "A", "to_status": "B"},
            {"at": later, "from_status": "C", "to_status": "D"},
        ]
    )
    assert [c.to_status for c in record.history] == ["B", "C", "D"]


def test_timeline_starts_in_the_first_from_status_at_creation() -> None:
    record = item(
        status="Done",
        history=[
            {
                "at": T0 + timedelta(days=1),
                "from_status": "Backlog",
                "to_status": "Doing",
            },
            {"at": T0 + timedelta(days=3), "from_status": "Doing", "to_status": "Done"},
        ],
    )
    assert record.timeline() == (
        ("Backlog", T0),
        ("Doing", T0 + timedelta(days=1)),
        ("Done", T0 + timedelta(days=3)),
    )
    assert record.status_at(T0 - timedelta(seconds=1)) is None
    assert record.status_at(T0 + timedelta(days=2)) == "Doing"
    assert record.status_at(T0 + timedelta(days=3)) == "Done"


def test_timeline_without_history_is_the_current_status() -> None:
    assert item(status="Backlog").timeline() == (("Backlog", T0),)


def test_timeline_skips_the_unknown_start_when_first_change_has_no_source() -> None:
    record = item(history=[{"at": T0 + timedelta(hours=1), "to_status": "Done"}])
    assert record.timeline() == (("Done", T0 + timedelta(hours=1)),)


def test_work_items_are_hashable_despite_custom_fields() -> None:
    a = item(custom_fields={"sla": {"breached": False}})
    b = item(custom_fields={"sla": {"breached": False}})
    assert a == b
    assert len({a, b}) == 1


def test_lists_are_converted_to_tuples() -> None:
    record = item(labels=["a", "b"], releases=["R1"])
    assert record.labels == ("a", "b")
    assert record.releases == ("R1",)


def test_whitespace_only_key_is_rejected() -> None:
    with pytest.raises(ValidationError) as caught:
        item(key="   ")
    assert locs(caught.value) == [("key",)]


# -- process --------------------------------------------------------------------


def three_states(**changes: object) -> dict[str, object]:
    return {
        "states": [
            {"name": "To Do", "category": "backlog"},
            {"name": "Doing", "category": "active"},
            {"name": "Done", "category": "done"},
        ]
    } | changes


def test_unknown_state_in_a_transition_names_the_field() -> None:
    with pytest.raises(ValidationError) as caught:
        po.Process.model_validate(
            three_states(transitions=[("To Do", "Doing"), ("Doing", "Shipped")])
        )
    assert locs(caught.value) == [("transitions", 1, "target")]
    assert "'Shipped'" in str(caught.value)


def test_process_without_a_done_state_is_rejected() -> None:
    with pytest.raises(ValidationError) as caught:
        po.Process(
            states=[
                po.State(name="To Do", category=po.StateCategory.BACKLOG),
                po.State(name="Doing", category=po.StateCategory.ACTIVE),
            ]
        )
    assert locs(caught.value) == [("states",)]
    assert "done" in str(caught.value)


def test_all_process_problems_are_reported_together() -> None:
    data = {
        "states": [
            {"name": "A", "category": "backlog"},
            {"name": "A", "category": "active"},
        ],
        "transitions": [("A", "X"), ("Y", "A")],
        "commitment_point": "Z",
    }
    with pytest.raises(ValidationError) as caught:
        po.Process.model_validate(data)
    assert sorted(locs(caught.value), key=str) == sorted(
        [
            ("states",),
            ("transitions", 0, "target"),
            ("transitions", 1, "source"),
            ("commitment_point",),
            ("states",),
        ],
        key=str,
    )


def test_unreachable_states_are_listed() -> None:
    with pytest.raises(
        ValidationError, match=r"\['Blocked', 'Done'\] cannot be reached"
    ):
        po.Process.model_validate(
            {
                "states": [
                    {"name": "To Do", "category": "backlog"},
                    {"name": "Doing", "category": "active"},
                    {"name": "Blocked", "category": "queue"},
                    {"name": "Done", "category": "done"},
                ],
                "transitions": [("To Do", "Doing"), ("Blocked", "Done")],
            }
        )


def test_start_states_make_states_reachable() -> None:
    process = po.Process.model_validate(
        three_states(transitions=[("Doing", "Done")], start_states=["To Do", "Doing"])
    )
    assert process.starts == ("To Do", "Doing")


def test_delivery_point_must_be_done_and_after_commitment() -> None:
    with pytest.raises(ValidationError) as caught:
        po.Process.model_validate(
            three_states(commitment_point="Done", delivery_point="Doing")
        )
    assert sorted(locs(caught.value)) == [("commitment_point",), ("delivery_point",)]


def test_orders_default_to_position_and_states_sort_by_order() -> None:
    process = po.Process.model_validate(
        {
            "states": [
                {"name": "Done", "category": "done", "order": 30},
                {"name": "To Do", "category": "backlog", "order": 10},
                {"name": "Review", "category": "active", "order": 20},
                {"name": "Build", "category": "active", "order": 20},
            ]
        }
    )
    assert process.state_names == ("To Do", "Review", "Build", "Done")
    assert not process.is_rework("Review", "Build")
    assert not process.is_rework("Build", "Review")
    assert process.is_rework("Done", "Build")
    implicit = po.Process.model_validate(three_states())
    assert [s.order for s in implicit.states] == [0, 1, 2]


def test_partial_orders_are_rejected() -> None:
    data = three_states()
    data["states"][0]["order"] = 5  # type: ignore[index]
    with pytest.raises(ValidationError, match="give every state an order, or none"):
        po.Process.model_validate(data)


def test_kanban_default_is_valid_and_consistent() -> None:
    process = po.Process.kanban_default()
    assert process.commitment_state == "Ready"
    assert process.delivery_state == "Done"
    assert process.category_of("Waiting for Review") is po.StateCategory.QUEUE
    assert process.is_allowed("In Review", "In Progress")
    assert not process.is_allowed("Backlog", "Done")
    assert process.is_rework("In Review", "In Progress")
    with pytest.raises(KeyError, match="no state 'Shipped'"):
        process.is_allowed("Done", "Shipped")


def test_process_without_transitions_allows_every_move() -> None:
    process = po.Process.model_validate(three_states())
    assert process.is_allowed("Done", "To Do")


# -- releases -------------------------------------------------------------------


def test_waived_gate_needs_an_approver() -> None:
    with pytest.raises(ValidationError) as caught:
        po.ReleaseGate(
            name="Pen test", kind=po.GateKind.SECURITY, status=po.GateStatus.WAIVED
        )
    assert locs(caught.value) == [("approver",)]


def test_passed_approval_gate_needs_an_approver() -> None:
    with pytest.raises(ValidationError, match="approval gate"):
        po.ReleaseGate(
            name="Go", kind=po.GateKind.APPROVAL, status=po.GateStatus.PASSED
        )


def test_release_status_and_released_at_must_agree() -> None:
    with pytest.raises(ValidationError) as caught:
        po.Release(key="R1", name="R1", status=po.ReleaseStatus.RELEASED)
    assert locs(caught.value) == [("released_at",)]
    with pytest.raises(ValidationError) as caught:
        po.Release(key="R1", name="R1", released_at=T0)
    assert locs(caught.value) == [("status",)]


def test_release_lists_every_problem() -> None:
    with pytest.raises(ValidationError) as caught:
        po.Release.model_validate(
            {
                "key": "R1",
                "name": "R1",
                "scope": ["A-1", "A-1"],
                "gates": [
                    {"name": "QA", "kind": "qa"},
                    {"name": "QA", "kind": "docs"},
                ],
                "target_date": "2024-03-01",
                "code_freeze": "2024-03-05",
            }
        )
    assert sorted(locs(caught.value)) == [("code_freeze",), ("gates",), ("scope",)]


def test_deployment_failure_counts_incidents() -> None:
    deployment = po.Deployment(key="d1", service="api", deployed_at=T0)
    assert not deployment.failed
    assert deployment.evolve(caused_incidents=["INC-1"]).failed


# -- risks ----------------------------------------------------------------------


def test_risk_pairs_are_all_or_nothing() -> None:
    with pytest.raises(ValidationError) as caught:
        po.Risk(key="R", title="t", likelihood=3, probability=0.2)
    assert sorted(locs(caught.value)) == [("cost",), ("impact",)]


def test_risk_values_stay_on_their_scale() -> None:
    with pytest.raises(ValidationError) as caught:
        po.Risk(key="R", title="t", scale=5, likelihood=6, impact=0)
    assert sorted(locs(caught.value)) == [("impact",), ("likelihood",)]


def test_mitigation_residuals_cannot_exceed_the_risk() -> None:
    with pytest.raises(ValidationError) as caught:
        po.Risk.model_validate(
            {
                "key": "R",
                "title": "t",
                "likelihood": 3,
                "impact": 4,
                "mitigations": [
                    {"description": "a", "residual_likelihood": 2},
                    {"description": "b", "residual_impact": 5, "residual_cost": 10},
                ],
            }
        )
    assert sorted(locs(caught.value)) == [
        ("mitigations", 1, "residual_cost"),
        ("mitigations", 1, "residual_impact"),
    ]


def test_risk_score_and_expected_cost() -> None:
    risk = po.Risk(
        key="R", title="t", likelihood=2, impact=5, probability=0.1, cost=5000
    )
    assert risk.score == 10
    assert risk.expected_cost == pytest.approx(500.0)
    assert po.Risk(key="R", title="t").score is None
    assert not risk.evolve(status="closed").is_open


# -- KPIs -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "green", "red", "ok"),
    [
        ("higher_is_better", 40, 30, True),
        ("higher_is_better", 30, 40, False),
        ("lower_is_better", 2, 5, True),
        ("lower_is_better", 5, 2, False),
    ],
)
def test_kpi_thresholds_follow_the_direction(
    direction: str, green: float, red: float, ok: bool
) -> None:
    data = {"key": "k", "name": "K", "direction": direction, "green": green, "red": red}
    if ok:
        assert po.KPI.model_validate(data).green == green
    else:
        with pytest.raises(ValidationError) as caught:
            po.KPI.model_validate(data)
        assert locs(caught.value) == [("green",)]


def test_target_band_needs_an_ordered_band() -> None:
    with pytest.raises(ValidationError) as caught:
        po.KPI(
            key="k",
            name="K",
            direction=po.Direction.TARGET_BAND,
            band_low=5,
            band_high=1,
        )
    assert locs(caught.value) == [("band_low",)]
    with pytest.raises(ValidationError) as caught:
        po.KPI(key="k", name="K", direction=po.Direction.TARGET_BAND, band_low=1)
    assert locs(caught.value) == [("band_high",)]


def test_observation_is_an_instant_or_a_period() -> None:
    with pytest.raises(ValidationError) as caught:
        po.Observation(kpi="k", value=1, at=T0, period_start=date(2024, 1, 1))
    assert locs(caught.value) == [("at",)]
    with pytest.raises(ValidationError) as caught:
        po.Observation(kpi="k", value=1)
    assert locs(caught.value) == [("period_end",)]
    with pytest.raises(ValidationError) as caught:
        po.Observation(
            kpi="k", value=1, period_start=date(2024, 1, 8), period_end=date(2024, 1, 1)
        )
    assert locs(caught.value) == [("period_start",)]
    period = po.Observation(
        kpi="k", value=1, period_start=date(2024, 1, 1), period_end=date(2024, 1, 7)
    )
    assert period.when == date(2024, 1, 7)


def test_observation_value_must_be_finite() -> None:
    with pytest.raises(ValidationError) as caught:
        po.Observation(kpi="k", value=float("nan"), at=T0)
    assert locs(caught.value) == [("value",)]


# -- people, feedback, delivery -------------------------------------------------------


@pytest.mark.parametrize("value", [0, 6])
def test_stakeholder_ratings_are_one_to_five(value: int) -> None:
    with pytest.raises(ValidationError) as caught:
        po.Stakeholder(key="s", name="S", influence=value)
    assert locs(caught.value) == [("influence",)]


def test_stakeholder_email_must_look_like_one() -> None:
    with pytest.raises(ValidationError) as caught:
        po.Stakeholder(key="s", name="S", email="not-an-email")
    assert locs(caught.value) == [("email",)]


@pytest.mark.parametrize(
    ("kind", "rating", "ok"),
    [
        ("nps", 0, True),
        ("nps", 10, True),
        ("nps", 11, False),
        ("nps", 7.5, False),
        ("nps", None, False),
        ("csat", 0, False),
        ("csat", 5, True),
        ("ces", 7, True),
        ("comment", 42.5, True),
    ],
)
def test_feedback_ratings_follow_the_survey_scale(
    kind: str, rating: float | None, ok: bool
) -> None:
    data = {
        "key": "f",
        "source": "survey",
        "kind": kind,
        "rating": rating,
        "created": T0,
    }
    if ok:
        assert po.Feedback.model_validate(data).rating == rating
    else:
        with pytest.raises(ValidationError) as caught:
            po.Feedback.model_validate(data)
        assert locs(caught.value) == [("rating",)]


def test_initiative_confidence_is_a_fraction_and_quarter_has_a_format() -> None:
    with pytest.raises(ValidationError) as caught:
        po.Initiative(key="i", title="t", confidence=80, target_quarter="Q3 2024")
    assert sorted(locs(caught.value)) == [("confidence",), ("target_quarter",)]


def test_sprint_item_lists_are_disjoint_and_dates_ordered() -> None:
    with pytest.raises(ValidationError) as caught:
        po.Sprint(
            key="s",
            team="t",
            start=date(2024, 1, 14),
            end=date(2024, 1, 1),
            committed=["A-1", "A-2"],
            added=["A-2"],
        )
    assert sorted(locs(caught.value)) == [("added",), ("end",)]


def test_dependency_on_itself_is_rejected() -> None:
    with pytest.raises(ValidationError) as caught:
        po.Dependency(upstream="A", downstream="A")
    assert locs(caught.value) == [("downstream",)]


def test_incident_cannot_resolve_before_it_starts() -> None:
    with pytest.raises(ValidationError) as caught:
        po.Incident(
            key="i", title="t", started_at=T0, resolved_at=T0 - timedelta(hours=1)
        )
    assert locs(caught.value) == [("resolved_at",)]
    restored = po.Incident(
        key="i", title="t", started_at=T0, resolved_at=T0 + timedelta(hours=2)
    )
    assert restored.time_to_restore == timedelta(hours=2)


def test_nested_record_errors_carry_the_full_path() -> None:
    with pytest.raises(ValidationError) as caught:
        po.Workspace.model_validate(
            {"process": three_states(transitions=[("To Do", "Nowhere")])}
        )
    assert locs(caught.value) == [("process", "transitions", 0, "target")]


# -- round trips ------------------------------------------------------------------


def roundtrip(record: BaseModel) -> BaseModel:
    text = json.dumps(record.model_dump(mode="json"))
    return type(record).model_validate(json.loads(text))


@given(strategies.work_items())
def test_work_item_json_round_trip(record: po.WorkItem) -> None:
    again = roundtrip(record)
    assert again == record
    assert again.model_dump(mode="json") == record.model_dump(mode="json")


@given(strategies.processes())
def test_process_json_round_trip(record: po.Process) -> None:
    assert roundtrip(record) == record


@given(strategies.releases())
def test_release_json_round_trip(record: po.Release) -> None:
    assert roundtrip(record) == record


@given(strategies.risks())
def test_risk_json_round_trip(record: po.Risk) -> None:
    assert roundtrip(record) == record


@given(strategies.kpis(), strategies.observations("k"))
def test_kpi_and_observation_json_round_trip(
    kpi: po.KPI, observation: po.Observation
) -> None:
    assert roundtrip(kpi) == kpi
    assert roundtrip(observation) == observation


@given(strategies.feedback(), strategies.initiatives())
def test_feedback_and_initiative_json_round_trip(
    feedback: po.Feedback, initiative: po.Initiative
) -> None:
    assert roundtrip(feedback) == feedback
    assert roundtrip(initiative) == initiative


@given(strategies.work_items())
def test_timeline_is_in_time_order_and_ends_in_the_current_status(
    record: po.WorkItem,
) -> None:
    timeline = record.timeline()
    moments = [at for _, at in timeline]
    assert moments == sorted(moments)
    assert timeline[-1][0] == record.status
    assert len(timeline) == len(record.history) + 1


@given(strategies.work_items())
def test_evolve_without_changes_is_identity(record: po.WorkItem) -> None:
    assert record.evolve() == record


def test_json_schema_documents_every_field() -> None:
    for name, model in po.model.RECORD_TYPES.items():
        schema = po.model.json_schema(model)
        assert schema["title"] == name
        missing = [
            field
            for field, prop in schema["properties"].items()
            if not prop.get("description")
        ]
        assert not missing, f"{name} fields without docs: {missing}"


def test_json_schema_of_timestamps_is_date_time() -> None:
    schema = po.model.json_schema(po.StatusChange)
    assert schema["properties"]["at"]["format"] == "date-time"
    assert schema["additionalProperties"] is False
