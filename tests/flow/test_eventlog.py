"""Loading event logs: constructors, sorting, and problems reported row by row."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import productops as po
from productops.flow import EventLog, ProblemAction, analyze, dfg

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def events(log: EventLog) -> list[tuple[str, str, datetime]]:
    return [(key, state, at) for key in log.items for state, at in log.history(key)]


def test_rows_in_any_order_are_sorted_per_item_by_time() -> None:
    log = EventLog.from_records(
        [
            {"item": "B", "status": "Done", "timestamp": "2024-01-03T00:00:00Z"},
            {"item": "A", "status": "Doing", "timestamp": "2024-01-02T00:00:00Z"},
            {"item": "B", "status": "To Do", "timestamp": "2024-01-01T00:00:00Z"},
            {"item": "A", "status": "To Do", "timestamp": "2024-01-01T00:00:00Z"},
        ]
    )
    assert log.items == ("B", "A")  # first appearance
    assert [s for s, _ in log.history("A")] == ["To Do", "Doing"]
    assert [s for s, _ in log.history("B")] == ["To Do", "Done"]
    assert log.problems == ()
    assert log.item_starts.tolist() == [0, 2, 4]


def test_equal_timestamps_keep_their_input_order() -> None:
    rows = [
        {"item": "A", "status": s, "timestamp": "2024-01-01T10:00:00Z"}
        for s in ("Open", "Triage", "Open again")
    ]
    log = EventLog.from_records(rows)
    assert [s for s, _ in log.history("A")] == ["Open", "Triage", "Open again"]
    flipped = EventLog.from_records(rows[::-1])
    assert [s for s, _ in flipped.history("A")] == ["Open again", "Triage", "Open"]


def test_bad_rows_are_dropped_and_reported_row_by_row() -> None:
    log = EventLog.from_records(
        [
            {"item": "A", "status": "To Do", "timestamp": "2024-01-01T00:00:00Z"},
            {"item": "A", "status": "Doing", "timestamp": "2024-01-02T00:00:00"},
            {"item": "A", "status": "Doing", "timestamp": "yesterday"},
            {"item": "", "status": "Doing", "timestamp": "2024-01-02T00:00:00Z"},
            {"item": "A", "status": None, "timestamp": "2024-01-02T00:00:00Z"},
            {"item": "A", "status": "Done", "timestamp": "2024-01-03T00:00:00Z"},
        ]
    )
    assert len(log) == 2
    found = [(p.row, p.item, p.field, p.action) for p in log.problems]
    assert found == [
        (1, "A", "timestamp", ProblemAction.DROPPED),
        (2, "A", "timestamp", ProblemAction.DROPPED),
        (3, None, "item", ProblemAction.DROPPED),
        (4, "A", "status", ProblemAction.DROPPED),
    ]
    assert "no timezone" in log.problems[0].message
    assert "not an ISO 8601" in log.problems[1].message
    with pytest.raises(po.DataLoadError) as caught:
        log.raise_problems()
    assert len(caught.value.problems) == 4


def test_naive_timestamps_load_with_tz() -> None:
    log = EventLog.from_records(
        [{"item": "A", "status": "To Do", "timestamp": "2024-07-01 12:00"}],
        tz="Europe/Berlin",
    )
    assert log.problems == ()
    assert log.history("A")[0][1] == datetime(2024, 7, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize("mode", ["drop", "keep"])
def test_exact_duplicates_are_reported_and_dropped_or_kept(mode: str) -> None:
    rows = [
        {"item": "A", "status": "To Do", "timestamp": "2024-01-01T00:00:00Z"},
        {"item": "A", "status": "Doing", "timestamp": "2024-01-02T00:00:00Z"},
        {"item": "A", "status": "Review", "timestamp": "2024-01-02T00:00:00Z"},
        {"item": "A", "status": "Doing", "timestamp": "2024-01-02T00:00:00Z"},
        {"item": "A", "status": "To Do", "timestamp": "2024-01-01T00:00:00Z"},
    ]
    log = EventLog.from_records(rows, duplicates=mode)  # type: ignore[arg-type]
    action = "dropped" if mode == "drop" else "kept"
    assert [(p.row, p.action.value) for p in log.problems] == [(3, action), (4, action)]
    states = [s for s, _ in log.history("A")]
    if mode == "drop":
        assert states == ["To Do", "Doing", "Review"]
    else:
        assert states == ["To Do", "To Do", "Doing", "Review", "Doing"]


def test_transition_style_logs_report_contradicting_from_status() -> None:
    log = EventLog.from_records(
        [
            {"key": "A", "from": "To Do", "to": "Doing", "at": "2024-01-02T00:00:00Z"},
            {"key": "A", "from": "Doing", "to": "Review", "at": "2024-01-03T00:00:00Z"},
            {"key": "A", "from": "Doing", "to": "Done", "at": "2024-01-04T00:00:00Z"},
        ],
        item="key",
        status="to",
        timestamp="at",
        from_status="from",
    )
    assert [s for s, _ in log.history("A")] == ["Doing", "Review", "Done"]
    assert len(log.problems) == 1
    problem = log.problems[0]
    assert (problem.row, problem.field, problem.action) == (
        2,
        "from_status",
        ProblemAction.KEPT,
    )
    assert "'Doing'" in problem.message
    assert "'Review'" in problem.message


def test_unknown_states_are_dropped_when_a_process_is_given() -> None:
    process = po.Process.kanban_default()
    log = EventLog.from_records(
        [
            {"item": "A", "status": "Backlog", "timestamp": "2024-01-01T00:00:00Z"},
            {"item": "A", "status": "Parked", "timestamp": "2024-01-02T00:00:00Z"},
            {"item": "A", "status": "Ready", "timestamp": "2024-01-03T00:00:00Z"},
        ],
        process=process,
    )
    assert log.states == process.state_names
    assert [s for s, _ in log.history("A")] == ["Backlog", "Ready"]
    assert [(p.row, p.field, p.action) for p in log.problems] == [
        (1, "status", ProblemAction.DROPPED)
    ]
    assert "unknown state" in log.problems[0].message


def test_work_item_histories_are_checked() -> None:
    item = po.WorkItem(
        key="A-1",
        title="",
        status="Done",
        created=T0 + timedelta(days=1),
        history=[
            {"at": T0, "from_status": "To Do", "to_status": "Doing"},
            {
                "at": T0 + timedelta(days=2),
                "from_status": "Review",
                "to_status": "Done",
            },
        ],
    )
    log = EventLog.from_work_items([item])
    messages = sorted(p.message for p in log.problems)
    assert len(messages) == 2
    assert "before the item was created" in messages[0]
    assert "says it left 'Review'" in messages[1]
    assert all(p.action is ProblemAction.KEPT for p in log.problems)
    assert log.attributes["type"].tolist() == ["story"]


def test_xes_column_names_are_recognised(tmp_path: Path) -> None:
    path = write(
        tmp_path / "log.csv",
        "case:concept:name,concept:name,time:timestamp,org:resource\n"
        "c1,register,2024-01-01T09:00:00+01:00,ann\n"
        "c1,approve,2024-01-03T09:00:00+01:00,bo\n",
    )
    log = EventLog.from_csv(path, resource="org:resource")
    assert log.history("c1")[0] == ("register", datetime(2024, 1, 1, 8, tzinfo=UTC))
    assert log.attributes["resource"].tolist() == ["bo"]  # the latest value


def test_csv_problems_carry_line_numbers(tmp_path: Path) -> None:
    path = write(
        tmp_path / "log.csv",
        "item,status,timestamp\n"
        "A,To Do,2024-01-01T00:00:00Z\n"
        "A,Doing,not a time\n"
        "A,Doing\n"
        ",Doing,2024-01-02T00:00:00Z\n"
        "\n"
        "A,Done,2024-01-03T00:00:00Z\n",
    )
    log = EventLog.from_csv(path)
    assert sorted((p.row, p.field) for p in log.problems) == [
        (3, "timestamp"),
        (4, ""),
        (5, "item"),
        (6, ""),
    ]
    assert [s for s, _ in log.history("A")] == ["To Do", "Done"]


def test_missing_columns_are_named(tmp_path: Path) -> None:
    path = write(tmp_path / "log.csv", "id,state,when\nA,x,2024-01-01T00:00:00Z\n")
    with pytest.raises(KeyError, match=r"item='item'.*\['id', 'state', 'when'\]"):
        EventLog.from_csv(path)
    log = EventLog.from_csv(path, item="id", status="state", timestamp="when")
    assert log.items == ("A",)


def test_from_dataframe_matches_from_records() -> None:
    pd = pytest.importorskip("pandas")
    rows = [
        {
            "item": "A",
            "status": "To Do",
            "timestamp": "2024-01-01T00:00:00Z",
            "team": "t",
        },
        {
            "item": "A",
            "status": "Done",
            "timestamp": "2024-01-02T00:00:00Z",
            "team": "t",
        },
    ]
    frame = pd.DataFrame(rows)
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    from_frame = EventLog.from_dataframe(frame, team="team")
    from_rows = EventLog.from_records(rows, team="team")
    assert events(from_frame) == events(from_rows)
    assert from_frame.attributes["team"].tolist() == ["t"]


def test_where_and_select_filter_items() -> None:
    demo = po.datasets.load_demo()
    log = EventLog.from_work_items(demo.work_items)
    bugs = log.where(type="bug")
    assert set(bugs.attributes["type"]) == {"bug"}
    assert len(bugs.items) == sum(1 for i in demo.work_items if i.type == "bug")
    assert bugs.history(bugs.items[0]) == log.history(bugs.items[0])
    with pytest.raises(KeyError, match="no item attribute 'colour'"):
        log.where(colour="red")


def test_repr_summarises_the_log() -> None:
    log = EventLog.from_records([])
    assert repr(log) == "<EventLog: 0 events, 0 items, 0 states, 0 problems>"
    assert log.start is None


# -- shuffling ------------------------------------------------------------------


@st.composite
def untied_rows(draw: st.DrawFn) -> list[dict[str, str]]:
    moments = draw(
        st.lists(st.integers(0, 10**6), min_size=1, max_size=60, unique=True)
    )
    return [
        {
            "item": f"I-{draw(st.integers(0, 6))}",
            "status": draw(st.sampled_from(["To Do", "Doing", "Review", "Done"])),
            "timestamp": (T0 + timedelta(seconds=m)).isoformat(),
        }
        for m in moments
    ]


@settings(max_examples=60, deadline=None)
@given(untied_rows(), st.randoms(use_true_random=False))
def test_shuffling_rows_without_ties_changes_nothing(
    rows: list[dict[str, str]], rng: random.Random
) -> None:
    shuffled = rows[:]
    rng.shuffle(shuffled)
    a, b = EventLog.from_records(rows), EventLog.from_records(shuffled)
    assert sorted(events(a)) == sorted(events(b))
    for key in a.items:
        assert a.history(key) == b.history(key)
    graph_a, graph_b = dfg(a), dfg(b)
    assert sorted(graph_a.edges(data="count")) == sorted(graph_b.edges(data="count"))
    process = po.Process.model_validate(
        {
            "states": [
                {"name": "To Do", "category": "backlog"},
                {"name": "Doing", "category": "active"},
                {"name": "Review", "category": "queue"},
                {"name": "Done", "category": "done"},
            ]
        }
    )
    ra, rb = analyze(a, process), analyze(b, process)
    assert (
        ra.cycle_time.percentiles() == rb.cycle_time.percentiles()
        or np.isnan(list(ra.cycle_time.percentiles().values())).all()
    )
    assert ra.wip()["wip"].tolist() == rb.wip()["wip"].tolist()
