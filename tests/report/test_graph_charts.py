"""Process-graph chart: structure (nodes, colours, edges, notes), not pixels."""

from __future__ import annotations

import functools

import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("matplotlib")

import itertools

import matplotlib as mpl
from matplotlib.collections import PathCollection
from matplotlib.colors import Normalize, to_hex, to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch

from productops import datasets, flow
from productops.errors import InvalidInputError
from productops.model import Process, State
from productops.report._graph_charts import (
    FORWARD_COLOUR,
    OUT_OF_CYCLE_COLOUR,
    REWORK_COLOUR,
    _edge_width,
    process_chart,
)


@functools.cache
def demo_report() -> flow.FlowReport:
    return flow.analyze(datasets.load_demo())


def small_report() -> flow.FlowReport:
    """Hand-made: 3 items through To Do -> Doing -> Review -> Done.

    B goes back from Review to Doing once (rework); C skips Review.
    Doing time: A 1 d, B 1 d + 1 d, C 2 d = 5 d; Review: A 1 d, B 2 d = 3 d;
    so Doing holds 5/8 of in-cycle time and is the bottleneck.
    """
    process = Process(
        states=[
            State(name="To Do", category="backlog"),
            State(name="Doing", category="active"),
            State(name="Review", category="queue"),
            State(name="Done", category="done"),
        ]
    )
    rows = []
    for item, path in {
        "A": [("To Do", 1), ("Doing", 2), ("Review", 3), ("Done", 4)],
        "B": [
            ("To Do", 1),
            ("Doing", 2),
            ("Review", 3),
            ("Doing", 4),
            ("Review", 5),
            ("Done", 6),
        ],
        "C": [("To Do", 1), ("Doing", 2), ("Done", 4)],
    }.items():
        rows += [
            {"item": item, "status": s, "timestamp": f"2024-01-0{d}T00:00:00Z"}
            for s, d in path
        ]
    return flow.analyze(flow.EventLog.from_records(rows), process)


def nodes(figure: Figure) -> PathCollection:
    ax = figure.axes[0]
    found = [c for c in ax.collections if c.get_gid() == "states"]
    assert len(found) == 1
    collection = found[0]
    assert isinstance(collection, PathCollection)
    return collection


def arrows(figure: Figure) -> dict[str, FancyArrowPatch]:
    return {
        str(p.get_gid()): p
        for p in figure.axes[0].patches
        if isinstance(p, FancyArrowPatch)
    }


def hex_of(colour: object) -> str:
    return to_hex(to_rgba(colour))  # type: ignore[arg-type]


def test_one_node_per_state_left_to_right_in_process_order() -> None:
    r = demo_report()
    offsets = nodes(process_chart(r)).get_offsets()
    assert len(offsets) == len(r.process.state_names) == 7
    xs = [float(x) for x, _ in offsets]
    assert xs == sorted(xs)
    assert len(set(xs)) == len(xs)


def test_state_names_are_written_on_the_nodes() -> None:
    r = demo_report()
    ax = process_chart(r).axes[0]
    texts = {t.get_text().replace("\n", " ") for t in ax.texts}
    assert set(r.process.state_names) <= texts


def test_node_colours_follow_the_bottleneck_shares() -> None:
    r = demo_report()
    figure = process_chart(r)
    colours = [hex_of(c) for c in nodes(figure).get_facecolors()]
    by_state = dict(zip(r.process.state_names, colours, strict=True))
    shares = {b.state: b.share for b in r.bottlenecks()}
    # Backlog and Done are not candidates: light grey.
    assert by_state["Backlog"] == by_state["Done"] == OUT_OF_CYCLE_COLOUR.lower()
    # The colour bar shows the ramp from 0 to the top share; each node has its
    # share's colour on it.
    bar = figure.axes[1]
    assert bar.get_ylabel() == "share of in-cycle time"
    assert bar.get_ylim() == pytest.approx((0, max(shares.values())))
    norm = Normalize(0, max(shares.values()))
    for state, share in shares.items():
        assert by_state[state] == to_hex(mpl.colormaps["cividis_r"](norm(share)))

    def luminance(colour: str) -> float:
        red, green, blue, _ = to_rgba(colour)
        return 0.299 * red + 0.587 * green + 0.114 * blue

    darkest = min(shares, key=lambda state: luminance(by_state[state]))
    assert darkest == r.bottlenecks()[0].state == "Ready for QA"
    # Darker means a larger share, for every pair of candidates.
    ordered = sorted(shares, key=shares.__getitem__)
    lum = [luminance(by_state[s]) for s in ordered]
    assert lum == sorted(lum, reverse=True)


def test_bottleneck_is_outlined_and_annotated_with_its_reason() -> None:
    r = demo_report()
    figure = process_chart(r)
    collection = nodes(figure)
    index = r.process.state_names.index("Ready for QA")
    widths = list(collection.get_linewidths())
    assert widths[index] == max(widths) > widths[0]
    assert hex_of(collection.get_edgecolors()[index]) == "#000000"
    notes = [t.get_text() for t in figure.axes[0].texts if "Bottleneck" in t.get_text()]
    assert len(notes) == 1
    assert (
        notes[0]
        .replace("\n", " ")
        .startswith(
            "Bottleneck: 'Ready for QA' (queue) holds 45% of in-cycle item-time"
        )
    )


def test_small_case_bottleneck_and_edges() -> None:
    r = small_report()
    assert [b.state for b in r.bottlenecks()] == ["Doing", "Review"]
    assert r.bottlenecks()[0].share == pytest.approx(5 / 8)
    figure = process_chart(r)
    drawn = arrows(figure)
    assert set(drawn) == {
        "To Do -> Doing",
        "Doing -> Review",
        "Review -> Doing",
        "Review -> Done",
        "Doing -> Done",
    }
    assert {gid for gid, p in drawn.items() if p.get_label() == "rework"} == {
        "Review -> Doing"
    }
    # counts: To Do->Doing 3, Doing->Review 3, Review->Done 2, Doing->Done 1,
    # Review->Doing 1; width = 0.6 + 6.4 * count / 3.
    assert drawn["To Do -> Doing"].get_linewidth() == pytest.approx(7.0)
    assert drawn["Doing -> Done"].get_linewidth() == pytest.approx(0.6 + 6.4 / 3)


def test_rework_edges_are_exactly_those_to_an_earlier_state() -> None:
    r = demo_report()
    order = {name: i for i, name in enumerate(r.process.state_names)}
    drawn = arrows(process_chart(r))
    expected = set()
    for gid in drawn:
        a, b = gid.split(" -> ")
        if order[b] < order[a]:
            expected.add(gid)
    assert expected == {
        "Ready -> Backlog",
        "In Review -> In Progress",
        "In QA -> In Progress",
        "Done -> In Progress",
    }
    for gid, patch in drawn.items():
        rework = gid in expected
        assert (
            hex_of(patch.get_edgecolor()).upper()
            == (REWORK_COLOUR if rework else FORWARD_COLOUR).upper()
        )
        rad = patch.get_connectionstyle().rad  # type: ignore[attr-defined]
        assert (rad != 0) if rework else True


def test_edge_widths_grow_with_count() -> None:
    r = demo_report()
    counts = {f"{a} -> {b}": d["count"] for a, b, d in flow.dfg(r.log).edges(data=True)}
    drawn = arrows(process_chart(r))
    pairs = sorted((counts[gid], patch.get_linewidth()) for gid, patch in drawn.items())
    for (c1, w1), (c2, w2) in itertools.pairwise(pairs):
        assert w1 <= w2
        if c1 < c2:
            assert w1 < w2


def test_big_edges_carry_count_labels() -> None:
    r = demo_report()
    texts = {t.get_text() for t in process_chart(r).axes[0].texts}
    # Edges with at least 5 % of the 2,436 moves are labelled; rare ones are not.
    assert {"371", "341", "496", "395", "351", "300"} <= texts
    assert "11" not in texts


def test_min_share_hides_rare_edges_and_says_so() -> None:
    r = demo_report()
    counts = [d["count"] for _, _, d in flow.dfg(r.log).edges(data=True)]
    total = sum(counts)
    rare = [c for c in counts if c / total < 0.05]
    figure = process_chart(r, min_share=0.05)
    assert len(arrows(figure)) == len(counts) - len(rare) == 6
    notes = [t.get_text() for t in figure.axes[0].texts if "hidden" in t.get_text()]
    assert notes == [f"4 edges under 5% of moves hidden ({sum(rare)} moves)"]


def test_no_note_when_nothing_is_hidden() -> None:
    texts = [t.get_text() for t in process_chart(demo_report()).axes[0].texts]
    assert not [t for t in texts if "hidden" in t or "self-loop" in t]
    assert len(arrows(process_chart(demo_report()))) == 10


def test_self_loops_are_counted_in_the_note() -> None:
    process = Process(
        states=[
            State(name="To Do", category="backlog"),
            State(name="Doing", category="active"),
            State(name="Done", category="done"),
        ]
    )
    rows = [
        {"item": "A", "status": s, "timestamp": f"2024-01-0{d}T00:00:00Z"}
        for s, d in [("To Do", 1), ("Doing", 2), ("Doing", 3), ("Done", 4)]
    ]
    r = flow.analyze(flow.EventLog.from_records(rows), process)
    figure = process_chart(r)
    assert "Doing -> Doing" not in arrows(figure)
    texts = [t.get_text() for t in figure.axes[0].texts]
    assert "1 self-loop not drawn (1 repeat entries)" in texts


@pytest.mark.parametrize("bad", [-0.1, 1.0, 2.0])
def test_bad_min_share_is_rejected(bad: float) -> None:
    with pytest.raises(InvalidInputError, match="min_share"):
        process_chart(demo_report(), min_share=bad)


def test_draws_on_given_axes_with_title() -> None:
    figure = Figure()
    ax = figure.add_subplot()
    assert process_chart(demo_report(), ax=ax, title="Flow") is figure
    assert ax.get_title(loc="left") == "Flow"
    assert process_chart(demo_report()).axes[0].get_title(loc="left") == (
        "Process: where work waits"
    )


@given(
    st.integers(min_value=1, max_value=10_000),
    st.integers(min_value=1, max_value=10_000),
    st.integers(min_value=1, max_value=10_000),
)
def test_edge_width_is_monotone_and_bounded(a: int, b: int, extra: int) -> None:
    largest = max(a, b) + extra
    low, high = sorted((a, b))
    assert 0.6 <= _edge_width(low, largest) <= _edge_width(high, largest) <= 7.0


def test_parallel_states_share_a_column_and_moving_between_them_is_not_rework() -> None:
    process = Process(
        states=[
            State(name="To Do", category="backlog", order=0),
            State(name="Build", category="active", order=1),
            State(name="Docs", category="active", order=1),
            State(name="Done", category="done", order=2),
        ]
    )
    rows = []
    for item, path in {
        "A": ["To Do", "Build", "Docs", "Done"],
        "B": ["To Do", "Docs", "Build", "Done"],
    }.items():
        rows += [
            {"item": item, "status": s, "timestamp": f"2024-01-0{d + 1}T00:00:00Z"}
            for d, s in enumerate(path)
        ]
    r = flow.analyze(flow.EventLog.from_records(rows), process)
    figure = process_chart(r)
    xs = [float(x) for x, _ in nodes(figure).get_offsets()]
    assert xs == [0.0, 1.0, 1.0, 2.0]
    drawn = arrows(figure)
    assert all(p.get_label() == "forward" for p in drawn.values())
    # The two moves inside the column curve, so they do not overlap.
    for gid in ("Build -> Docs", "Docs -> Build"):
        assert drawn[gid].get_connectionstyle().rad != 0  # type: ignore[attr-defined]
