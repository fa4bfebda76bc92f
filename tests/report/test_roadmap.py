"""Roadmap board and timeline: structure (columns, cards, bars, markers, notes)."""

from __future__ import annotations

import functools
from collections import Counter
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("matplotlib")

from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from productops import datasets
from productops.errors import InvalidInputError
from productops.model import Initiative, Release, Workspace
from productops.report._roadmap import (
    STATUS_COLOURS,
    _card_text,
    roadmap_board,
    roadmap_timeline,
)


@functools.cache
def demo() -> Workspace:
    return datasets.load_demo()


def texts(ax: Axes, gid: str) -> list[str]:
    return [t.get_text() for t in ax.texts if t.get_gid() == gid]


def cards(ax: Axes) -> list[str]:
    return [
        str(p.get_gid()).removeprefix("card:")
        for p in ax.patches
        if isinstance(p, FancyBboxPatch) and str(p.get_gid()).startswith("card:")
    ]


def test_board_counts_per_column_equal_the_horizons() -> None:
    initiatives = demo().initiatives
    assert len(initiatives) == 40
    counted = Counter(i.horizon.value if i.horizon else None for i in initiatives)
    ax = roadmap_board(initiatives, max_cards=40).axes[0]
    assert texts(ax, "header") == [
        f"Now ({counted['now']})",
        f"Next ({counted['next']})",
        f"Later ({counted['later']})",
        f"Unplanned ({counted[None]})",
    ]
    assert texts(ax, "header") == ["Now (5)", "Next (8)", "Later (8)", "Unplanned (19)"]
    # Every initiative has exactly one card when nothing overflows.
    assert sorted(cards(ax)) == sorted(i.key for i in initiatives)
    assert texts(ax, "more") == []


def test_board_caps_columns_with_more_note() -> None:
    ax = roadmap_board(demo().initiatives).axes[0]  # max_cards=8
    assert texts(ax, "more") == ["+11 more"]  # only Unplanned (19) overflows
    shown = Counter(key for key in cards(ax))
    assert len(shown) == 5 + 8 + 8 + 8


def test_card_texts_and_status_colours() -> None:
    initiatives = demo().initiatives
    ax = roadmap_board(initiatives).axes[0]
    by_key = {i.key: i for i in initiatives}
    # Now column, in input order: INIT-5, -15, -25, -34, -35.
    now = [
        t.get_text()
        for t in ax.texts
        if t.get_gid()
        in {
            f"title:{k}" for k in ("INIT-5", "INIT-15", "INIT-25", "INIT-34", "INIT-35")
        }
    ]
    assert now == [
        "Multi-currency pricing",
        "Lifecycle email\njourneys",
        "Public REST API v2",
        "Biometric login",
        "Tablet layout",
    ]
    for patch in ax.patches:
        key = str(patch.get_gid()).removeprefix("card:")
        colour = STATUS_COLOURS[by_key[key].status]
        assert to_hex(patch.get_facecolor(), keep_alpha=False) == colour.lower()


def test_long_titles_are_wrapped_and_cut_with_ellipsis() -> None:
    long = Initiative(
        key="L-1",
        title="A very long initiative title that keeps going well past three "
        "lines of a small card on the board",
    )
    ax = roadmap_board([long]).axes[0]
    (text,) = texts(ax, "title:L-1")
    lines = text.split("\n")
    assert len(lines) == 3
    assert all(len(line) <= 22 for line in lines)
    assert lines[-1].endswith("…")
    assert text.replace("\n", " ").removesuffix("…").rstrip() in long.title


@given(st.text(alphabet="abc de", min_size=1, max_size=200))
def test_card_text_fits_its_box(title: str) -> None:
    text = _card_text(title, width=10, lines=2)
    lines = text.split("\n")
    assert len(lines) <= 2
    assert all(len(line) <= 10 for line in lines)


def test_order_by_list_and_by_score() -> None:
    initiatives = demo().initiatives
    ax = roadmap_board(initiatives, order=["INIT-35", "INIT-25"]).axes[0]
    now = [
        k
        for k in cards(ax)
        if k in {"INIT-5", "INIT-15", "INIT-25", "INIT-34", "INIT-35"}
    ]
    assert now == ["INIT-35", "INIT-25", "INIT-5", "INIT-15", "INIT-34"]
    scores = {"INIT-5": 1.0, "INIT-15": 3.0, "INIT-34": 2.0}
    ax = roadmap_board(initiatives, order=scores).axes[0]
    now = [
        k
        for k in cards(ax)
        if k in {"INIT-5", "INIT-15", "INIT-25", "INIT-34", "INIT-35"}
    ]
    assert now == ["INIT-15", "INIT-34", "INIT-5", "INIT-25", "INIT-35"]


def test_order_cuts_which_cards_show_before_more() -> None:
    initiatives = demo().initiatives
    last = [i.key for i in initiatives if i.horizon is None][-1]
    ax = roadmap_board(initiatives, order=[last], max_cards=1).axes[0]
    assert last in cards(ax)


def test_board_by_quarter_relative_to_as_of() -> None:
    initiatives = demo().initiatives
    quarters = Counter(i.target_quarter for i in initiatives)
    ax = roadmap_board(
        initiatives, by="quarter", as_of=date(2026, 7, 15), max_cards=40
    ).axes[0]
    now = quarters["2025-Q4"] + quarters["2026-Q1"] + quarters["2026-Q2"]
    now += quarters["2026-Q3"]
    assert texts(ax, "header") == [
        f"Now ({now})",
        f"Next ({quarters['2026-Q4']})",
        f"Later ({quarters['2027-Q1']})",
        f"Unplanned ({quarters[None]})",
    ]
    assert ax.get_title(loc="left") == "Roadmap from 2026-Q3"


def test_board_by_quarter_derives_as_of_from_open_initiatives() -> None:
    # The earliest target quarter of an open initiative is INIT-25's 2026-Q2:
    # Now = 2025-Q4 (4) + 2026-Q1 (6) + 2026-Q2 (6); Next = Q3 (9);
    # Later = 2026-Q4 (3) + 2027-Q1 (3).
    ax = roadmap_board(demo().initiatives, by="quarter", max_cards=40).axes[0]
    assert ax.get_title(loc="left") == "Roadmap from 2026-Q2"
    assert texts(ax, "header") == ["Now (16)", "Next (9)", "Later (6)", "Unplanned (9)"]


def test_board_rejects_every_bad_argument_at_once() -> None:
    twice = [Initiative(key="A", title="a"), Initiative(key="A", title="b")]
    with pytest.raises(InvalidInputError) as caught:
        roadmap_board(
            twice,
            by="month",  # type: ignore[arg-type]
            max_cards=0,
            as_of=datetime(2026, 1, 1),
            order=["B"],
        )
    message = str(caught.value)
    for part in (
        "by: 'month'",
        "max_cards: 0",
        "as_of:",
        "keys listed twice ['A']",
        "order: keys ['B']",
    ):
        assert part in message


def test_board_by_quarter_without_any_quarter_needs_as_of() -> None:
    with pytest.raises(InvalidInputError, match="as_of: no open initiative"):
        roadmap_board([Initiative(key="A", title="a")], by="quarter")


def test_order_must_not_be_a_string() -> None:
    with pytest.raises(InvalidInputError, match="order: give a list"):
        roadmap_board(demo().initiatives, order="INIT-1")


def test_timeline_draws_one_bar_per_quarter_planned_initiative() -> None:
    ws = demo()
    ax = roadmap_timeline(ws.initiatives, ws.releases).axes[0]
    timed = [i for i in ws.initiatives if i.target_quarter]
    assert sum(len(bars) for bars in ax.containers) == len(timed) == 31
    # Grouped by team, one legend entry (and colour) per team.
    assert [c.get_label() for c in ax.containers] == [
        "growth",
        "mobile",
        "payments",
        "platform",
    ]
    for container in ax.containers:
        assert len({to_hex(bar.get_facecolor()) for bar in container}) == 1


def test_timeline_bar_spans_its_quarter() -> None:
    one = Initiative(key="Q", title="Quarter", target_quarter="2026-Q3", team="a")
    ax = roadmap_timeline([one]).axes[0]
    (bar,) = ax.containers[0]
    import matplotlib.dates as mdates

    start = mdates.num2date(bar.get_x()).date()
    end = mdates.num2date(bar.get_x() + bar.get_width()).date()
    assert (start, end) == (date(2026, 7, 1), date(2026, 10, 1))
    assert [t.get_text() for t in ax.get_xticklabels()][:1] == ["2026-Q3"]


def test_timeline_marks_releases_freezes_and_today() -> None:
    ws = demo()
    figure = roadmap_timeline(ws.initiatives, ws.releases, as_of=datasets.DEMO_AS_OF)
    ax = figure.axes[0]
    assert texts(ax, "release") == [
        "Spring release",
        "Summer release",
        "Autumn release",
    ]
    labels = [h.get_label() for h in ax.get_legend_handles_labels()[0]]
    assert "today (2026-06-01)" in labels
    assert "code freeze" in labels
    import matplotlib.dates as mdates

    today = [line for line in ax.lines if line.get_label().startswith("today")]
    assert len(today) == 1
    xdata = today[0].get_xdata()
    assert mdates.num2date(xdata[0]).date() == date(2026, 6, 1)  # type: ignore[index]


def test_timeline_lists_untimed_items_in_a_note() -> None:
    ws = demo()
    undated = Release(key="r-x", name="Someday")
    ax = roadmap_timeline(ws.initiatives, [*ws.releases, undated]).axes[0]
    (note,) = texts(ax, "untimed")
    missing = [i.key for i in ws.initiatives if i.target_quarter is None]
    assert len(missing) == 9
    flat = note.replace("\n", " ")
    assert flat.startswith("Not drawn, no target quarter (9): ")
    for key in missing:
        assert key in flat
    assert "Releases without a target date (1): r-x" in flat


def test_timeline_without_untimed_items_has_no_note() -> None:
    one = Initiative(key="Q", title="Quarter", target_quarter="2026-Q3")
    ax = roadmap_timeline([one]).axes[0]
    assert texts(ax, "untimed") == []
    assert [c.get_label() for c in ax.containers] == ["no team"]


def test_timeline_rejects_naive_as_of_and_draws_on_given_axes() -> None:
    with pytest.raises(InvalidInputError, match=r"as_of: .* naive"):
        roadmap_timeline(demo().initiatives, as_of=datetime(2026, 1, 1))
    figure = Figure()
    ax = figure.add_subplot()
    out = roadmap_timeline(
        demo().initiatives, as_of=datetime(2026, 6, 1, tzinfo=UTC), ax=ax, title="Plan"
    )
    assert out is figure
    assert ax.get_title(loc="left") == "Plan"
