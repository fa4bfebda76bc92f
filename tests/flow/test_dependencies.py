"""Dependency graphs: building them from links, the critical path, blocked chains."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime
from itertools import pairwise

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import productops as po
from productops.errors import InvalidInputError
from productops.flow.dependencies import (
    DEFAULT_LINK_KINDS,
    BlockedChain,
    Blocker,
    CriticalPath,
    NodeSchedule,
    blocked_chains,
    blockers,
    critical_path,
    dependency_graph,
)

CREATED = datetime(2025, 1, 6, 9, tzinfo=UTC)


def item(key, *links, status="Ready", resolved=None, estimate=None, **fields):
    return po.WorkItem(
        key=key,
        title=f"Title of {key}",
        status=status,
        created=CREATED,
        resolved=resolved,
        estimate=estimate,
        links=[po.Link(kind=kind, target=target) for kind, target in links],
        **fields,
    )


def chain_graph(*edges, done=()):
    graph = nx.DiGraph(edges)
    for node in done:
        graph.nodes[node]["done"] = True
    return graph


# -- the textbook example --------------------------------------------------------
#
# The Reliable Construction Co. project from Hillier & Lieberman, "Introduction to
# Operations Research", chapter "Project Management with PERT/CPM": 14 activities,
# durations in weeks. The book finds a project duration of 44 weeks, the critical
# path A-B-C-E-F-J-L-N, and slacks D=4, G=4, H=4, I=2, K=1, M=4 (0 elsewhere).
# Recomputed by hand below:
#
#   act  dur  preds   ES  EF  LS  LF  slack
#   A     2   -        0   2   0   2    0
#   B     4   A        2   6   2   6    0
#   C    10   B        6  16   6  16    0
#   D     6   C       16  22  20  26    4
#   E     4   C       16  20  16  20    0
#   F     5   E       20  25  20  25    0
#   G     7   D       22  29  26  33    4
#   H     9   E,G     29  38  33  42    4
#   I     7   C       16  23  18  25    2
#   J     8   F,I     25  33  25  33    0
#   K     4   J       33  37  34  38    1
#   L     5   J       33  38  33  38    0
#   M     2   H       38  40  42  44    4
#   N     6   K,L     38  44  38  44    0

RELIABLE = {
    # activity: (duration, predecessors, ES, EF, LS, LF, slack)
    "A": (2, "", 0, 2, 0, 2, 0),
    "B": (4, "A", 2, 6, 2, 6, 0),
    "C": (10, "B", 6, 16, 6, 16, 0),
    "D": (6, "C", 16, 22, 20, 26, 4),
    "E": (4, "C", 16, 20, 16, 20, 0),
    "F": (5, "E", 20, 25, 20, 25, 0),
    "G": (7, "D", 22, 29, 26, 33, 4),
    "H": (9, "EG", 29, 38, 33, 42, 4),
    "I": (7, "C", 16, 23, 18, 25, 2),
    "J": (8, "FI", 25, 33, 25, 33, 0),
    "K": (4, "J", 33, 37, 34, 38, 1),
    "L": (5, "J", 33, 38, 33, 38, 0),
    "M": (2, "H", 38, 40, 42, 44, 4),
    "N": (6, "KL", 38, 44, 38, 44, 0),
}


@pytest.fixture
def reliable() -> nx.DiGraph:
    graph = nx.DiGraph()
    for activity, (weeks, preds, *_) in RELIABLE.items():
        graph.add_node(activity, remaining_days=float(weeks))
        graph.add_edges_from((pred, activity) for pred in preds)
    return graph


def test_textbook_project_length_and_critical_path(reliable):
    path = critical_path(reliable)
    assert path.length == 44.0
    assert path.nodes == tuple("ABCEFJLN")


def test_textbook_schedule_matches_the_hand_computed_table(reliable):
    path = critical_path(reliable)
    got = {
        entry.key: (
            entry.earliest_start,
            entry.earliest_finish,
            entry.latest_start,
            entry.latest_finish,
            entry.slack,
        )
        for entry in path.schedule
    }
    expected = {key: tuple(map(float, row[2:])) for key, row in RELIABLE.items()}
    assert got == expected


def test_textbook_critical_flags_are_the_zero_slack_activities(reliable):
    path = critical_path(reliable)
    critical = {entry.key for entry in path.schedule if entry.critical}
    assert critical == set("ABCEFJLN")


def test_schedule_is_in_topological_order_with_key_ties(reliable):
    order = [entry.key for entry in critical_path(reliable).schedule]
    assert order == list(nx.lexicographical_topological_sort(reliable))
    assert order[:4] == ["A", "B", "C", "D"]


def test_to_records_has_one_dict_per_node_with_the_schedule_fields(reliable):
    records = critical_path(reliable).to_records()
    assert len(records) == 14
    assert records[0] == {
        "key": "A",
        "duration": 2.0,
        "earliest_start": 0.0,
        "earliest_finish": 2.0,
        "latest_start": 0.0,
        "latest_finish": 2.0,
        "slack": 0.0,
        "critical": True,
    }


def test_slack_property_maps_keys_to_slack(reliable):
    slack = critical_path(reliable).slack
    assert {k: v for k, v in slack.items() if v} == {
        "D": 4.0,
        "G": 4.0,
        "H": 4.0,
        "I": 2.0,
        "K": 1.0,
        "M": 4.0,
    }


# -- critical path: durations ----------------------------------------------------


def test_duration_from_a_mapping():
    graph = chain_graph(("A", "B"), ("A", "C"))
    path = critical_path(graph, duration={"A": 1, "B": 4, "C": 2})
    assert (path.nodes, path.length) == (("A", "B"), 5.0)


def test_duration_from_a_callable_gets_key_and_attributes():
    graph = chain_graph(("A", "B"))
    graph.nodes["A"]["points"] = 3
    graph.nodes["B"]["points"] = 5
    seen = []

    def days(key, data):
        seen.append(key)
        return data["points"] * 0.5

    assert critical_path(graph, duration=days).length == 4.0
    assert sorted(seen) == ["A", "B"]


def test_duration_from_a_named_attribute():
    graph = chain_graph(("A", "B"))
    nx.set_node_attributes(graph, {"A": 1.5, "B": 2.5}, "hours")
    assert critical_path(graph, duration="hours").length == 4.0


def test_missing_durations_are_an_error_listing_every_such_node():
    graph = chain_graph(("A", "B"), ("B", "C"), ("X", "C"))
    graph.nodes["B"]["remaining_days"] = 1.0
    with pytest.raises(InvalidInputError) as caught:
        critical_path(graph)
    message = str(caught.value)
    assert "no duration for 3 nodes: ['A', 'C', 'X']" in message
    assert "'remaining_days'" in message
    assert "default=" in message


def test_callable_returning_none_counts_as_missing():
    graph = chain_graph(("A", "B"))
    with pytest.raises(InvalidInputError, match=r"no duration for 2 nodes"):
        critical_path(graph, duration=lambda key, data: None)


def test_default_fills_missing_durations():
    graph = chain_graph(("A", "B"), ("B", "C"))
    graph.nodes["B"]["remaining_days"] = 5.0
    assert critical_path(graph, default=1.0).length == 7.0


@pytest.mark.parametrize("bad", [-1.0, math.nan, math.inf, "3 days", True])
def test_invalid_durations_are_an_error_naming_the_node(bad):
    graph = chain_graph(("A", "B"))
    with pytest.raises(InvalidInputError, match=r"finite numbers >= 0, got A="):
        critical_path(graph, duration={"A": bad, "B": 1.0})


def test_done_nodes_count_zero_and_need_no_duration():
    graph = chain_graph(("A", "B"), done=["A"])
    path = critical_path(graph, duration={"B": 2.0})
    assert path.length == 2.0
    assert path.schedule[0].duration == 0.0


def test_include_done_keeps_the_duration_of_done_nodes():
    graph = chain_graph(("A", "B"), done=["A"])
    assert (
        critical_path(graph, duration={"A": 3, "B": 2}, include_done=True).length == 5
    )


def test_edges_into_done_nodes_no_longer_hold_up_what_follows():
    # "slow" blocks "shipped", which is done: "next" waits for "shipped" only.
    graph = chain_graph(("slow", "shipped"), ("shipped", "next"), done=["shipped"])
    path = critical_path(graph, duration={"slow": 6, "next": 4})
    assert (path.nodes, path.length) == (("slow",), 6.0)
    next_start = {e.key: e.earliest_start for e in path.schedule}["next"]
    assert next_start == 0.0
    assert path.slack == {"shipped": 2.0, "slow": 0.0, "next": 2.0}


def test_include_done_keeps_edges_into_done_nodes():
    graph = chain_graph(("slow", "shipped"), ("shipped", "next"), done=["shipped"])
    durations = {"slow": 6, "shipped": 1, "next": 4}
    path = critical_path(graph, duration=durations, include_done=True)
    assert (path.nodes, path.length) == (("slow", "shipped", "next"), 11.0)


def test_empty_graph_has_an_empty_path_of_length_zero():
    path = critical_path(nx.DiGraph())
    assert path == CriticalPath(nodes=(), length=0.0, schedule=())


def test_no_remaining_work_gives_an_empty_path():
    graph = chain_graph(("A", "B"), done=["A", "B"])
    path = critical_path(graph)
    assert (path.nodes, path.length) == ((), 0.0)
    assert path.slack == {"A": 0.0, "B": 0.0}


def test_equal_paths_tie_break_on_sorted_keys():
    graph = chain_graph(("S", "B"), ("S", "A"), ("B", "T"), ("A", "T"))
    durations = {"S": 1, "A": 2, "B": 2, "T": 1}
    assert critical_path(graph, duration=durations).nodes == ("S", "A", "T")


def test_tie_between_sources_picks_the_smallest_key():
    graph = chain_graph(("Y", "Z"), ("X", "Z"))
    path = critical_path(graph, duration={"X": 2, "Y": 2, "Z": 1})
    assert path.nodes == ("X", "Z")


def test_zero_duration_nodes_extend_the_path_to_a_sink():
    graph = chain_graph(("A", "B"), ("B", "milestone"))
    path = critical_path(graph, duration={"A": 2, "B": 3, "milestone": 0})
    assert path.nodes == ("A", "B", "milestone")


def test_isolated_node_can_be_the_critical_path():
    graph = chain_graph(("A", "B"))
    graph.add_node("big")
    path = critical_path(graph, duration={"A": 1, "B": 1, "big": 5})
    assert (path.nodes, path.length) == (("big",), 5.0)
    assert path.slack == {"A": 3.0, "B": 3.0, "big": 0.0}


def test_float_durations_give_exact_zero_slack_on_the_path():
    graph = chain_graph(("A", "C"), ("B", "C"))
    path = critical_path(graph, duration={"A": 0.1 + 0.2, "B": 0.3, "C": 0.7})
    assert path.slack == {"A": 0.0, "B": 0.0, "C": 0.0}


# -- cycles ----------------------------------------------------------------------


def test_cycle_error_lists_the_exact_cycle_starting_at_its_smallest_key():
    graph = chain_graph(("start", "B"), ("B", "C"), ("C", "D"), ("D", "B"))
    with pytest.raises(InvalidInputError) as caught:
        critical_path(graph, default=1.0)
    assert str(caught.value).startswith("dependency cycle: B -> C -> D -> B; ")


def test_self_loop_is_a_cycle():
    graph = chain_graph(("A", "A"))
    with pytest.raises(InvalidInputError, match=r"dependency cycle: A -> A;"):
        critical_path(graph, default=1.0)


def test_cycle_is_reported_before_missing_durations():
    graph = chain_graph(("A", "B"), ("B", "A"))
    with pytest.raises(InvalidInputError, match=r"^dependency cycle: A -> B -> A;"):
        critical_path(graph)


@pytest.mark.parametrize("function", [blocked_chains, blockers])
def test_blocking_cycle_is_an_error_naming_it(function):
    graph = chain_graph(("X", "C"), ("C", "A"), ("A", "B"), ("B", "C"))
    with pytest.raises(
        InvalidInputError, match=r"^dependency cycle: A -> B -> C -> A;"
    ):
        function(graph)


def test_cycle_through_links_from_items_is_named():
    graph = dependency_graph(
        [
            item("APP-1", ("blocks", "APP-2")),
            item("APP-2", ("blocks", "APP-3")),
            item("APP-3", ("is blocked by", "APP-2"), ("blocks", "APP-1")),
        ]
    )
    message = re.escape("dependency cycle: APP-1 -> APP-2 -> APP-3 -> APP-1;")
    with pytest.raises(InvalidInputError, match=message):
        critical_path(graph, default=1.0)


# -- building the graph: links -----------------------------------------------------


def test_blocks_points_from_the_linking_item_to_its_target():
    graph = dependency_graph([item("A", ("blocks", "B")), item("B")])
    assert list(graph.edges) == [("A", "B")]


def test_is_blocked_by_points_from_the_target_to_the_linking_item():
    graph = dependency_graph([item("A"), item("B", ("is blocked by", "A"))])
    assert list(graph.edges) == [("A", "B")]


def test_links_from_both_sides_give_one_edge_listing_both_sources():
    graph = dependency_graph(
        [item("A", ("blocks", "B")), item("B", ("is blocked by", "A"))]
    )
    assert list(graph.edges) == [("A", "B")]
    assert graph.edges["A", "B"]["sources"] == ("A blocks B", "B is blocked by A")


def test_link_kinds_match_case_insensitively_with_whitespace_collapsed():
    graph = dependency_graph(
        [item("A", (" BLOCKS ", "B")), item("C", ("Is\tBlocked  by", "A"))]
    )
    assert sorted(graph.edges) == [("A", "B"), ("A", "C")]
    assert graph.edges["A", "C"]["sources"] == ("C Is\tBlocked  by A",)


def test_custom_link_kinds_replace_the_defaults():
    graph = dependency_graph(
        [item("A", ("depends on", "B"), ("blocks", "C"))],
        link_kinds={"Depends On": "backward"},
    )
    assert list(graph.edges) == [("B", "A")]
    assert graph.graph["ignored_links"] == {"blocks": 1}


def test_default_link_kinds_are_blocks_forward_and_is_blocked_by_backward():
    assert dict(DEFAULT_LINK_KINDS) == {
        "blocks": "forward",
        "is blocked by": "backward",
    }
    with pytest.raises(TypeError):
        DEFAULT_LINK_KINDS["relates to"] = "forward"  # type: ignore[index]


def test_module_all_is_sorted():
    from productops.flow import dependencies

    assert list(dependencies.__all__) == sorted(dependencies.__all__)


def test_bad_link_direction_is_an_error():
    with pytest.raises(InvalidInputError, match=r"'forward' or 'backward'.*'sideways'"):
        dependency_graph([], link_kinds={"blocks": "sideways"})  # type: ignore[dict-item]


def test_ignored_links_are_counted_by_normalised_kind():
    graph = dependency_graph(
        [
            item("A", ("relates to", "B"), ("Duplicates", "B")),
            item("B", ("Relates  To", "A")),
        ]
    )
    assert graph.number_of_edges() == 0
    assert graph.graph["ignored_links"] == {"duplicates": 1, "relates to": 2}


def test_no_ignored_links_gives_an_empty_report():
    graph = dependency_graph([item("A", ("blocks", "B")), item("B")])
    assert graph.graph["ignored_links"] == {}
    assert graph.graph["unknown_targets"] == ()


def test_unknown_link_targets_become_external_nodes_and_are_listed():
    graph = dependency_graph(
        [item("A", ("blocks", "OPS-2"), ("is blocked by", "OPS-1")), item("B")]
    )
    assert graph.graph["unknown_targets"] == ("OPS-1", "OPS-2")
    assert graph.nodes["OPS-1"] == {"kind": "external", "done": False}
    assert sorted(graph.edges) == [("A", "OPS-2"), ("OPS-1", "A")]


def test_ignored_links_to_unknown_targets_add_no_node():
    graph = dependency_graph([item("A", ("relates to", "OPS-1"))])
    assert list(graph.nodes) == ["A"]
    assert graph.graph["unknown_targets"] == ()


def test_item_nodes_carry_their_attributes():
    graph = dependency_graph(
        [item("A", status="In Progress", estimate=3.0, team="core", type="bug")]
    )
    assert graph.nodes["A"] == {
        "kind": "item",
        "title": "Title of A",
        "status": "In Progress",
        "type": "bug",
        "team": "core",
        "estimate": 3.0,
        "done": False,
    }


def test_duplicate_item_keys_are_an_error_listing_them():
    with pytest.raises(InvalidInputError, match=r"more than once: \['A', 'B'\]"):
        dependency_graph([item("B"), item("A"), item("A"), item("B"), item("C")])


def test_without_a_process_an_item_is_done_when_resolved():
    graph = dependency_graph(
        [item("A", status="Closed", resolved=CREATED), item("B", status="Done")]
    )
    assert graph.nodes["A"]["done"] is True
    assert graph.nodes["B"]["done"] is False


def test_with_a_process_an_item_is_done_in_a_done_state():
    graph = dependency_graph(
        [item("A", status="Done"), item("B", status="In Review", resolved=CREATED)],
        process=po.Process.kanban_default(),
    )
    assert graph.nodes["A"]["done"] is True
    assert graph.nodes["B"]["done"] is False
    assert graph.graph["unknown_statuses"] == {}


def test_statuses_unknown_to_the_process_fall_back_to_resolved_and_are_reported():
    graph = dependency_graph(
        [
            item("A", status="Closed", resolved=CREATED),
            item("B", status="Closed"),
            item("C", status="Wontfix"),
        ],
        process=po.Process.kanban_default(),
    )
    assert [graph.nodes[k]["done"] for k in "ABC"] == [True, False, False]
    assert graph.graph["unknown_statuses"] == {"Closed": ("A", "B"), "Wontfix": ("C",)}


def test_link_from_a_done_blocker_is_resolved():
    graph = dependency_graph(
        [
            item("A", ("blocks", "B"), resolved=CREATED),
            item("B", ("blocks", "C")),
            item("C"),
        ]
    )
    assert graph.edges["A", "B"]["status"] == "resolved"
    assert graph.edges["B", "C"]["status"] == "open"
    assert graph.edges["B", "C"]["kind"] == "finish_to_start"
    assert graph.edges["B", "C"]["needed_by"] is None


# -- building the graph: dependency records --------------------------------------


def test_dependencies_add_edges_between_external_keys_with_their_fields():
    graph = dependency_graph(
        dependencies=[
            po.Dependency(
                upstream="INIT-1",
                downstream="INIT-2",
                kind="start_to_start",
                status="at_risk",
                needed_by=date(2026, 3, 1),
            ),
            po.Dependency(upstream="INIT-2", downstream="REL-1", status="resolved"),
        ]
    )
    assert graph.edges["INIT-1", "INIT-2"] == {
        "sources": ("dependency INIT-1 -> INIT-2 (start_to_start)",),
        "kind": "start_to_start",
        "status": "at_risk",
        "needed_by": date(2026, 3, 1),
    }
    assert graph.edges["INIT-2", "REL-1"]["status"] == "resolved"
    assert {graph.nodes[n]["kind"] for n in graph} == {"external"}
    assert graph.graph["unknown_targets"] == ()


def test_dependency_on_an_item_keeps_the_item_node():
    graph = dependency_graph(
        [item("APP-1")],
        dependencies=[po.Dependency(upstream="INIT-1", downstream="APP-1")],
    )
    assert graph.nodes["APP-1"]["kind"] == "item"
    assert graph.nodes["INIT-1"]["kind"] == "external"


def test_records_giving_one_edge_merge_to_the_most_urgent_status_and_earliest_date():
    graph = dependency_graph(
        [item("A", ("blocks", "B"), resolved=CREATED), item("B")],
        dependencies=[
            po.Dependency(upstream="A", downstream="B", needed_by=date(2026, 5, 1)),
            po.Dependency(
                upstream="A",
                downstream="B",
                kind="finish_to_finish",
                status="at_risk",
                needed_by=date(2026, 4, 1),
            ),
            po.Dependency(
                upstream="A",
                downstream="B",
                kind="start_to_start",
                status="resolved",
                needed_by=date(2026, 6, 1),
            ),
        ],
    )
    edge = graph.edges["A", "B"]
    assert len(edge["sources"]) == 4
    assert edge["status"] == "at_risk"
    assert edge["needed_by"] == date(2026, 4, 1)
    assert edge["kind"] == "finish_to_start"


# -- blocked chains and blockers ---------------------------------------------------


def test_blocked_chains_run_from_root_blockers_longest_first():
    graph = chain_graph(("A", "B"), ("B", "C"), ("X", "C"), ("D", "E"), done=["D"])
    assert blocked_chains(graph) == [
        BlockedChain(("A", "B", "C")),
        BlockedChain(("A", "B")),
        BlockedChain(("X", "C")),
    ]


def test_blocked_chain_properties():
    chain = BlockedChain(("R", "M", "Z"))
    assert (chain.root, chain.blocked, chain.blockers) == ("R", "Z", ("R", "M"))


def test_done_blockers_cut_chains():
    graph = chain_graph(("A", "B"), ("B", "C"), done=["B"])
    assert blocked_chains(graph) == []


def test_done_blocked_nodes_are_not_reported():
    graph = chain_graph(("A", "B"), ("B", "C"), done=["C"])
    assert blocked_chains(graph) == [BlockedChain(("A", "B"))]


def test_a_done_node_upstream_makes_the_next_open_node_a_root():
    graph = chain_graph(("A", "B"), ("B", "C"), ("C", "D"), done=["A"])
    assert [c.keys for c in blocked_chains(graph)] == [("B", "C", "D"), ("B", "C")]


def test_diamond_gives_one_chain_per_route():
    graph = chain_graph(("R", "A"), ("R", "B"), ("A", "Z"), ("B", "Z"))
    assert [c.keys for c in blocked_chains(graph)] == [
        ("R", "A", "Z"),
        ("R", "B", "Z"),
        ("R", "A"),
        ("R", "B"),
    ]


def test_resolved_edges_do_not_bind_unless_asked():
    graph = chain_graph(("A", "B"), ("B", "C"))
    graph.edges["A", "B"]["status"] = "resolved"
    assert [c.keys for c in blocked_chains(graph)] == [("B", "C")]
    assert [c.keys for c in blocked_chains(graph, include_resolved=True)] == [
        ("A", "B", "C"),
        ("A", "B"),
    ]


def test_no_edges_no_chains():
    graph = nx.DiGraph()
    graph.add_nodes_from("ABC")
    assert blocked_chains(graph) == []
    assert blockers(graph) == []


def test_blockers_rank_by_transitively_blocked_open_nodes():
    graph = chain_graph(
        ("A", "B"),
        ("B", "C"),
        ("X", "C"),
        ("C", "D"),
        ("Y", "Z"),
        ("Q", "W"),
        done=["W"],
    )
    assert blockers(graph) == [
        Blocker("A", ("B", "C", "D"), ("B",)),
        Blocker("B", ("C", "D"), ("C",)),
        Blocker("X", ("C", "D"), ("C",)),
        Blocker("C", ("D",), ("D",)),
        Blocker("Y", ("Z",), ("Z",)),
    ]


def test_blockers_respect_include_resolved():
    graph = chain_graph(("A", "B"))
    graph.edges["A", "B"]["status"] = "resolved"
    assert blockers(graph) == []
    assert [b.count for b in blockers(graph, include_resolved=True)] == [1]


def test_chains_from_work_item_links_end_to_end():
    graph = dependency_graph(
        [
            item("APP-1", ("blocks", "APP-2"), status="Done"),
            item("APP-2", ("blocks", "APP-3"), status="Ready"),
            item("APP-3", ("is blocked by", "OPS-7"), status="Backlog"),
        ],
        process=po.Process.kanban_default(),
    )
    assert [c.keys for c in blocked_chains(graph)] == [
        ("APP-2", "APP-3"),
        ("OPS-7", "APP-3"),
    ]


# -- properties --------------------------------------------------------------------


# Small graphs cover the cases; more examples mostly cost time.
PROPERTY = settings(max_examples=40)


@st.composite
def dags(draw, min_nodes=1, max_nodes=9):
    """A random DAG (edges go from lower to higher index) with durations."""
    n = draw(st.integers(min_nodes, max_nodes))
    keys = [f"N{i}" for i in range(n)]
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True)) if pairs else []
    graph = nx.DiGraph()
    for key in keys:
        graph.add_node(key, remaining_days=float(draw(st.integers(0, 20))))
    graph.add_edges_from((keys[i], keys[j]) for i, j in chosen)
    return graph


def durations_of(graph):
    return {n: d["remaining_days"] for n, d in graph.nodes(data=True)}


@PROPERTY
@given(dags())
def test_length_is_at_least_every_single_duration(graph):
    length = critical_path(graph).length
    assert all(length >= d for d in durations_of(graph).values())


@PROPERTY
@given(dags(), st.randoms(use_true_random=False))
def test_length_is_at_least_any_sampled_path(graph, rng):
    durations = durations_of(graph)
    node = rng.choice(sorted(graph))
    total = durations[node]
    while list(graph.successors(node)):
        node = rng.choice(sorted(graph.successors(node)))
        total += durations[node]
    assert critical_path(graph).length >= total


@PROPERTY
@given(dags(min_nodes=2), st.data())
def test_adding_an_edge_never_shortens_the_critical_path(graph, data):
    keys = sorted(graph, key=lambda k: int(k[1:]))
    i = data.draw(st.integers(0, len(keys) - 2))
    j = data.draw(st.integers(i + 1, len(keys) - 1))
    before = critical_path(graph).length
    graph.add_edge(keys[i], keys[j])
    assert critical_path(graph).length >= before


@PROPERTY
@given(dags())
def test_slack_is_never_negative_and_zero_on_the_path(graph):
    path = critical_path(graph)
    assert all(entry.slack >= 0 for entry in path.schedule)
    assert all(path.slack[node] == 0 for node in path.nodes)


@PROPERTY
@given(dags())
def test_length_is_the_latest_earliest_finish_of_a_sink(graph):
    path = critical_path(graph)
    sinks = {n for n in graph if graph.out_degree(n) == 0}
    finish = {e.key: e.earliest_finish for e in path.schedule}
    assert path.length == max(finish[n] for n in sinks)


@PROPERTY
@given(dags())
def test_path_is_a_chain_from_source_to_sink_summing_to_the_length(graph):
    path = critical_path(graph)
    durations = durations_of(graph)
    if path.length == 0:
        assert path.nodes == ()
        return
    assert graph.in_degree(path.nodes[0]) == 0
    assert graph.out_degree(path.nodes[-1]) == 0
    assert all(graph.has_edge(u, v) for u, v in pairwise(path.nodes))
    assert sum(durations[n] for n in path.nodes) == path.length


@PROPERTY
@given(dags())
def test_length_agrees_with_networkx_longest_path(graph):
    durations = durations_of(graph)
    # Put each node's duration on its out-edges, and give every node an edge to
    # a sink, so that networkx's edge-weighted longest path is our node-weighted one.
    weighted = nx.DiGraph()
    weighted.add_weighted_edges_from((u, v, durations[u]) for u, v in graph.edges)
    weighted.add_weighted_edges_from((n, "END", durations[n]) for n in graph)
    assert critical_path(graph).length == nx.dag_longest_path_length(weighted)


@PROPERTY
@given(dags())
def test_schedule_is_consistent(graph):
    for entry in critical_path(graph).schedule:
        assert entry.earliest_finish == entry.earliest_start + entry.duration
        assert entry.latest_finish == entry.latest_start + entry.duration
        assert entry.latest_start >= entry.earliest_start
        assert entry.critical == (entry.slack == 0)


@PROPERTY
@given(dags(), st.data())
def test_blocked_chains_are_open_paths_from_roots(graph, data):
    done = data.draw(st.sets(st.sampled_from(sorted(graph))))
    for node in done:
        graph.nodes[node]["done"] = True
    chains = blocked_chains(graph)
    for chain in chains:
        assert len(chain.keys) >= 2
        assert not done & set(chain.keys)
        assert all(graph.has_edge(u, v) for u, v in pairwise(chain.keys))
        assert not [p for p in graph.predecessors(chain.root) if p not in done]
    assert chains == sorted(chains, key=lambda c: (-len(c.keys), c.keys))
    blocked = {chain.blocked for chain in chains}
    counted = {n for b in blockers(graph) for n in b.blocked}
    assert blocked == counted


# -- the demo workspace ------------------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> po.Workspace:
    return po.datasets.load_demo()


@pytest.fixture(scope="module")
def demo_graph(demo) -> nx.DiGraph:
    return dependency_graph(demo.work_items, process=demo.process)


def test_demo_links_build_an_acyclic_graph_of_every_item(demo, demo_graph):
    assert nx.is_directed_acyclic_graph(demo_graph)
    assert demo_graph.number_of_nodes() == len(demo.work_items)
    assert demo_graph.number_of_edges() > 0
    assert demo_graph.graph["unknown_targets"] == ()
    assert demo_graph.graph["unknown_statuses"] == {}
    assert set(demo_graph.graph["ignored_links"]) == {"relates to"}


def test_demo_blocking_links_are_written_on_both_sides(demo_graph):
    assert all(len(d["sources"]) == 2 for *_, d in demo_graph.edges(data=True))


def test_demo_blocked_chains_hold_only_open_items(demo_graph):
    chains = blocked_chains(demo_graph)
    assert chains
    for chain in chains:
        assert all(not demo_graph.nodes[key]["done"] for key in chain.keys)
        assert all(demo_graph.has_edge(u, v) for u, v in pairwise(chain.keys))


def test_demo_critical_path_of_estimates(demo_graph):
    path = critical_path(
        demo_graph, duration=lambda key, data: data["estimate"], default=3.0
    )
    assert path.length == max(e.duration for e in path.schedule)


def test_demo_initiative_dependencies_are_acyclic_and_chain(demo):
    graph = dependency_graph(dependencies=demo.dependencies)
    assert graph.number_of_edges() == len(demo.dependencies)
    assert nx.is_directed_acyclic_graph(graph)
    for initiative in demo.initiatives:
        if initiative.key in graph:
            graph.nodes[initiative.key]["done"] = initiative.status in (
                "done",
                "dropped",
            )
    for chain in blocked_chains(graph):
        assert all(not graph.nodes[key]["done"] for key in chain.keys)


def test_result_types_are_frozen():
    entry = NodeSchedule("A", 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, True)
    with pytest.raises(AttributeError):
        entry.slack = 2.0  # type: ignore[misc]
