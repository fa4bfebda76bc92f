"""Process graphs: the directly-follows graph, discovery and process drawings."""

from __future__ import annotations

import networkx as nx
import pytest

import productops as po
from productops.flow import EventLog, dfg, discover


def log_of(*paths: tuple[str, ...]) -> EventLog:
    rows = []
    for number, path in enumerate(paths):
        for hour, status in enumerate(path):
            rows.append(
                {
                    "item": f"I-{number}",
                    "status": status,
                    "timestamp": f"2024-01-01T{hour * 2 + number % 2:02d}:00:00Z",
                }
            )
    return EventLog.from_records(rows)


def test_dfg_counts_durations_and_start_end_activities() -> None:
    log = log_of(("New", "Doing", "Done"), ("New", "Doing", "Doing", "Done"), ("New",))
    graph = dfg(log)
    assert sorted(graph.edges(data="count")) == [
        ("Doing", "Doing", 1),
        ("Doing", "Done", 2),
        ("New", "Doing", 2),
    ]
    assert graph.edges["New", "Doing"]["mean_seconds"] == 7200.0
    assert graph.edges["Doing", "Done"]["median_seconds"] == 7200.0
    assert graph.nodes["Doing"]["count"] == 3
    assert graph.graph["start_activities"] == {"New": 3}
    assert graph.graph["end_activities"] == {"Done": 2, "New": 1}


def test_dfg_of_an_empty_log_is_empty() -> None:
    graph = dfg(EventLog.from_records([]))
    assert graph.number_of_nodes() == 0


def test_discover_orders_states_and_guesses_categories() -> None:
    log = log_of(
        ("Open", "In Progress", "Waiting for Review", "In Review", "Closed"),
        ("Open", "In Progress", "In Review", "In Progress", "In Review", "Closed"),
    )
    process = discover(log)
    assert process.state_names == (
        "Open",
        "In Progress",
        "Waiting for Review",
        "In Review",
        "Closed",
    )
    categories = {s.name: s.category.value for s in process.states}
    assert categories == {
        "Open": "backlog",
        "In Progress": "active",
        "Waiting for Review": "queue",
        "In Review": "active",
        "Closed": "done",
    }
    assert all(s.category_guessed for s in process.states)
    assert process.is_allowed("In Review", "In Progress")
    assert po.Process.discover(log) == process


def test_discover_on_the_demo_recovers_its_process_order() -> None:
    demo = po.datasets.load_demo()
    found = discover(EventLog.from_work_items(demo.work_items))
    assert found.state_names == demo.process.state_names
    assert found.category_of("Done") is po.StateCategory.DONE
    assert found.category_of("Ready for QA") is po.StateCategory.QUEUE


def test_discover_needs_events() -> None:
    with pytest.raises(po.InvalidInputError, match="empty log"):
        discover(EventLog.from_records([]))


def test_process_to_networkx_keeps_attributes() -> None:
    graph = po.Process.kanban_default().to_networkx()
    assert isinstance(graph, nx.DiGraph)
    assert graph.graph["commitment_point"] == "Ready"
    assert graph.nodes["Done"]["category"] == "done"
    assert graph.number_of_edges() == len(po.Process.kanban_default().transitions)
    assert nx.has_path(graph, "Backlog", "Done")


def test_process_to_mermaid_and_dot() -> None:
    process = po.Process.kanban_default()
    mermaid = process.to_mermaid()
    assert mermaid.startswith("flowchart LR\n")
    assert '    s5(["Done"])' in mermaid
    assert "    s4 -.-> s2" in mermaid  # rework is dotted
    assert mermaid.count("-->") + mermaid.count("-.->") == len(process.transitions)
    dot = process.to_dot()
    assert dot.startswith('digraph "kanban" {\n')
    assert '"In Review" -> "In Progress" [style=dotted];' in dot
    assert dot.rstrip().endswith("}")


def test_dot_and_mermaid_escape_quotes() -> None:
    process = po.Process.model_validate(
        {"name": 'say "hi"', "states": [{"name": 'A "x"', "category": "done"}]}
    )
    assert 'digraph "say \\"hi\\"" {' in process.to_dot()
    assert '"A \\"x\\""' in process.to_dot()
    assert "A #quot;x#quot;" in process.to_mermaid()


def test_tables_convert_to_pandas() -> None:
    pd = pytest.importorskip("pandas")
    demo = po.datasets.load_demo()
    log = EventLog.from_work_items(demo.work_items, process=demo.process)
    report = po.flow.analyze(log, demo.process, as_of=po.datasets.DEMO_AS_OF)
    frame = report.cfd().to_pandas()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["date", *demo.process.state_names]
    assert len(frame) == len(report.days)
    records = report.time_in_state().to_records()
    assert (
        report.time_in_state().to_pandas().to_dict("records")[0]["state"]
        == records[0]["state"]
    )
