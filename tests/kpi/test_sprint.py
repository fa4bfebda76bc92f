"""Tests of productops.kpi sprint metrics (report, history, burn-up).

There is no published worked example of sprint say/do or burn-up with exact
numbers; every expected value below is computed by hand from the definitions in
`productops.kpi._sprint` (done = a done state at the end of the last day).
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from productops import InvalidInputError, Sprint, StatusChange, WorkItem
from productops.datasets import load_demo
from productops.kpi._sprint import (
    BurnUp,
    SprintHistory,
    SprintReport,
    burn_up,
    sprint_history,
    sprint_report,
)
from productops.model import Process, State


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2024, 3, day, hour, tzinfo=UTC)


def item(key, estimate, *moves, created=None):
    """A work item; `moves` are (datetime, to_status) pairs, starting in Ready."""
    history = []
    previous = "Ready"
    for when, status in moves:
        history.append(StatusChange(at=when, from_status=previous, to_status=status))
        previous = status
    return WorkItem(
        key=key,
        title=key,
        status=previous,
        created=created or datetime(2024, 3, 1, tzinfo=UTC),
        estimate=estimate,
        history=history,
    )


# Sprint Mon 4 - Fri 8 March 2024.
ITEMS = [
    item("A-1", 3, (at(5), "Done")),
    item("A-2", 5, (at(9, 10), "Done")),  # done the day after the end
    item("A-3", None, (at(6), "Done")),  # unestimated
    item("A-4", 2, (at(5), "Done"), (at(7), "In Progress")),  # reopened
    item("B-1", 1, (at(7), "Done"), created=at(6, 10)),  # added, created on day 3
    item("B-2", 4),  # added, never done
    item("C-9", 8, (at(5), "Done")),  # not in the sprint
]
SPRINT = Sprint(
    key="S1",
    team="core",
    start=date(2024, 3, 4),
    end=date(2024, 3, 8),
    committed=["A-1", "A-2", "A-3", "A-4", "X-9"],
    added=["B-1", "B-2"],
)


@pytest.fixture
def report() -> SprintReport:
    return sprint_report(SPRINT, ITEMS)


def test_report_membership(report):
    assert report.sprint == "S1"
    assert report.team == "core"
    assert (report.start, report.end) == (date(2024, 3, 4), date(2024, 3, 8))
    assert report.committed == ("A-1", "A-2", "A-3", "A-4")
    assert report.added == ("B-1", "B-2")
    assert report.done == ("A-1", "A-3", "B-1")
    assert report.carry_over == ("A-2", "A-4", "B-2")
    assert report.committed_done == ("A-1", "A-3")


def test_report_points(report):
    assert report.committed_points == 10.0  # 3 + 5 + 2 (A-3 unestimated)
    assert report.added_points == 5.0
    assert report.velocity_points == 4.0  # A-1 3 + A-3 0 + B-1 1
    assert report.velocity_items == 3
    assert report.carry_over_points == 11.0  # 5 + 2 + 4
    assert report.committed_done_points == 3.0


def test_report_ratios(report):
    assert report.say_do_items == 0.5  # 2 of 4
    assert report.say_do_points == pytest.approx(0.3)  # 3 of 10
    assert report.scope_added_share_items == 0.5  # 2 / 4
    assert report.scope_added_share_points == 0.5  # 5 / 10


def test_report_lists_what_it_cannot_use(report):
    assert report.unknown_keys == ("X-9",)
    assert report.unestimated == ("A-3",)
    assert report.unknown_statuses == ()
    assert report.notes == (
        "1 unestimated items count as items but add no points",
        "1 keys match no work item and are left out",
    )


def test_item_done_after_the_end_is_carry_over(report):
    assert "A-2" in report.carry_over
    assert "A-2" not in report.done


def test_item_reopened_before_the_end_is_carry_over(report):
    assert report.reopened == ("A-4",)
    assert "A-4" in report.carry_over


def test_item_reopened_after_the_end_counts_as_done():
    late = item("A-1", 3, (at(5), "Done"), (at(11), "In Progress"))
    sprint = Sprint(
        key="S", team="t", start="2024-03-04", end="2024-03-08", committed=["A-1"]
    )
    report = sprint_report(sprint, [late])
    assert report.done == ("A-1",)
    assert report.reopened == ()


def test_item_done_before_the_start_counts_as_done():
    early = item("A-1", 3, (at(1), "Done"))
    sprint = Sprint(
        key="S", team="t", start="2024-03-04", end="2024-03-08", committed=["A-1"]
    )
    assert sprint_report(sprint, [early]).say_do_items == 1.0


def test_sprint_end_is_read_in_tz():
    # 03:00 UTC on 9 March is 22:00 on 8 March in UTC-5.
    late = item("A-1", 3, (datetime(2024, 3, 9, 3, tzinfo=UTC), "Done"))
    sprint = Sprint(
        key="S", team="t", start="2024-03-04", end="2024-03-08", committed=["A-1"]
    )
    assert sprint_report(sprint, [late]).done == ()
    eastern = timezone(timedelta(hours=-5))
    assert sprint_report(sprint, [late], tz=eastern).done == ("A-1",)


def test_process_decides_which_statuses_are_done():
    process = Process(
        states=[
            State(name="Open", category="backlog"),
            State(name="Closed", category="done"),
            State(name="Won't do", category="done"),
        ]
    )
    items = [
        item("A-1", 1, (at(5), "Closed")),
        item("A-2", 1, (at(5), "Won't do")),
        item("A-3", 1, (at(5), "Done")),
    ]
    sprint = Sprint(
        key="S",
        team="t",
        start="2024-03-04",
        end="2024-03-08",
        committed=["A-1", "A-2", "A-3"],
    )
    report = sprint_report(sprint, items, process=process)
    assert report.done == ("A-1", "A-2")
    assert report.unknown_statuses == ("Done",)
    # Without a process the kanban default applies: only "Done" is done.
    default = sprint_report(sprint, items)
    assert default.done == ("A-3",)
    assert default.unknown_statuses == ("Closed", "Won't do")


def test_nothing_committed_gives_no_say_do_with_a_reason():
    sprint = Sprint(
        key="S", team="t", start="2024-03-04", end="2024-03-08", added=["A-1"]
    )
    report = sprint_report(sprint, [item("A-1", 2, (at(5), "Done"))])
    assert report.say_do_items is None
    assert report.say_do_points is None
    assert report.scope_added_share_items is None
    assert report.velocity_points == 2.0
    assert report.notes[0].startswith("nothing was committed")


def test_unestimated_commitment_gives_no_say_do_in_points():
    sprint = Sprint(
        key="S", team="t", start="2024-03-04", end="2024-03-08", committed=["A-1"]
    )
    report = sprint_report(sprint, [item("A-1", None, (at(5), "Done"))])
    assert report.say_do_items == 1.0
    assert report.say_do_points is None
    assert "no estimated points" in report.notes[0]


def test_only_unknown_committed_keys_gives_no_say_do():
    sprint = Sprint(
        key="S", team="t", start="2024-03-04", end="2024-03-08", committed=["Z-1"]
    )
    report = sprint_report(sprint, [])
    assert report.say_do_items is None
    assert report.unknown_keys == ("Z-1",)
    assert report.notes[0].startswith("none of the committed keys")


def test_repr_and_records(report):
    assert repr(report) == (
        "SprintReport('S1', committed 4 items/10 pts, added 2/5, done 3/4, "
        "say/do 0.50 items 0.30 pts, carry-over 3)"
    )
    (row,) = report.to_records()
    assert row["committed_items"] == 4
    assert row["carry_over_points"] == 11.0
    assert row["unknown_keys"] == ["X-9"]


def test_duplicate_work_item_keys_are_named():
    with pytest.raises(InvalidInputError, match=r"\['A-1', 'B-2'\]"):
        sprint_report(SPRINT, [*ITEMS, ITEMS[0], ITEMS[5], ITEMS[0]])


def test_tz_must_be_a_tzinfo():
    with pytest.raises(InvalidInputError, match="tz:"):
        sprint_report(SPRINT, ITEMS, tz="UTC")  # type: ignore[arg-type]


# -- burn-up ------------------------------------------------------------------------


def test_burn_up_day_by_day():
    burn = burn_up(SPRINT, ITEMS)
    assert [
        (d.day.day, d.scope_items, d.scope_points, d.done_items, d.done_points)
        for d in burn.days
    ] == [
        (4, 5, 14.0, 0, 0.0),  # B-2 assumed added on day 1
        (5, 5, 14.0, 2, 5.0),  # done
        (6, 6, 15.0, 3, 5.0),  # B-1 created (so added) today; A-3 done, no points
        (7, 6, 15.0, 3, 4.0),  # A-4 reopened, B-1 done
        (8, 6, 15.0, 3, 4.0),
    ]
    assert burn.added_on == (("B-1", date(2024, 3, 6)), ("B-2", date(2024, 3, 4)))
    assert burn.added_day_assumed == ("B-2",)
    assert burn.reopened == ("A-4",)
    assert burn.unknown_keys == ("X-9",)
    assert burn.unestimated == ("A-3",)


def test_burn_up_uses_given_added_days():
    burn = burn_up(SPRINT, ITEMS, added_on={"B-2": date(2024, 3, 8)})
    assert [d.scope_items for d in burn.days] == [4, 4, 5, 5, 6]
    assert burn.added_day_assumed == ()


def test_burn_up_rejects_bad_added_days_naming_all():
    with pytest.raises(InvalidInputError) as caught:
        burn_up(
            SPRINT, ITEMS, added_on={"A-1": date(2024, 3, 5), "B-1": date(2024, 4, 1)}
        )
    message = str(caught.value)
    assert "added_on['A-1']: not an added item" in message
    assert "added_on['B-1']: 2024-04-01 is outside the sprint" in message


def test_burn_up_repr_and_records():
    burn = burn_up(SPRINT, ITEMS)
    assert repr(burn) == "BurnUp('S1', 5 days, final scope 6 items/15 pts, done 3/4)"
    rows = burn.to_records()
    assert len(rows) == 5
    assert rows[1] == {
        "sprint": "S1",
        "day": date(2024, 3, 5),
        "scope_items": 5,
        "scope_points": 14.0,
        "done_items": 2,
        "done_points": 5.0,
    }


# -- history ------------------------------------------------------------------------


def history_fixture():
    items = [
        item("A-1", 2, (at(5), "Done")),
        item("A-2", 3),
        item("B-1", 5, (at(12), "Done")),
        item("B-2", 1, (at(13), "Done")),
        item("C-1", 4, (at(19), "Done")),
    ]
    sprints = [
        Sprint(
            key="S3", team="core", start="2024-03-18", end="2024-03-22", added=["C-1"]
        ),
        Sprint(
            key="S2",
            team="core",
            start="2024-03-11",
            end="2024-03-15",
            committed=["B-1"],
            added=["B-2"],
        ),
        Sprint(
            key="S1",
            team="core",
            start="2024-03-04",
            end="2024-03-08",
            committed=["A-1", "A-2"],
        ),
        Sprint(
            key="O1",
            team="other",
            start="2024-03-04",
            end="2024-03-08",
            committed=["A-1"],
        ),
    ]
    return sprints, items


def test_history_orders_sprints_and_computes_statistics():
    sprints, items = history_fixture()
    h = sprint_history(sprints, items, team="core")
    assert isinstance(h, SprintHistory)
    assert [r.sprint for r in h.reports] == ["S1", "S2", "S3"]
    assert h.window == ("S1", "S2", "S3")
    # velocity points 2, 6, 4; items 1, 2, 1
    assert h.velocity_mean_points == 4.0
    assert h.velocity_median_points == 4.0
    assert h.velocity_sd_points == pytest.approx(2.0)
    assert h.velocity_mean_items == pytest.approx(4 / 3)
    assert h.velocity_median_items == 1.0
    assert h.velocity_sd_items == pytest.approx(math.sqrt(1 / 3))
    # say/do points: S1 2/5 = 0.4 (out), S2 1.0 (in), S3 not judged
    assert h.predictable == ("S2",)
    assert h.not_judged == ("S3",)
    assert h.predictability == 0.5


def test_history_last_n_window():
    sprints, items = history_fixture()
    h = sprint_history(sprints, items, team="core", last=2)
    assert len(h.reports) == 3
    assert h.window == ("S2", "S3")
    assert h.velocity_mean_points == 5.0
    assert h.velocity_sd_points == pytest.approx(math.sqrt(2))
    assert h.predictability == 1.0
    rows = h.to_records()
    assert [(r["sprint"], r["in_window"], r["within_band"]) for r in rows] == [
        ("S1", False, None),
        ("S2", True, True),
        ("S3", True, None),
    ]


def test_history_band_and_basis():
    sprints, items = history_fixture()
    h = sprint_history(sprints, items, team="core", band=(0.4, 1.0))
    assert h.predictable == ("S1", "S2")
    items_basis = sprint_history(sprints, items, team="core", basis="items")
    assert items_basis.predictable == ("S2",)  # S1 is 1/2 = 0.5 of its items


def test_history_repr():
    sprints, items = history_fixture()
    h = sprint_history(sprints, items, team="core")
    assert repr(h) == (
        "SprintHistory(team='core', 3 sprints, window 3: velocity mean 4.00 pts "
        "sd 2.00, predictability 0.50 (1/2 in [0.8, 1.2] by points)"
    )


def test_history_of_one_sprint_has_no_sd():
    sprints, items = history_fixture()
    h = sprint_history(sprints, items, team="core", last=1)
    assert h.velocity_sd_points is None
    assert h.predictability is None  # S3 committed nothing


def test_history_without_sprints_is_empty():
    h = sprint_history([], [])
    assert h.reports == ()
    assert h.team is None
    assert h.velocity_mean_points is None
    assert h.predictability is None


def test_history_refuses_mixed_teams_and_bad_options_in_one_error():
    sprints, items = history_fixture()
    with pytest.raises(InvalidInputError) as caught:
        sprint_history(
            sprints,
            items,
            last=0,
            band=(1.2, 0.8),
            basis="hours",  # type: ignore[arg-type]
        )
    message = str(caught.value)
    assert "basis: must be 'points' or 'items'" in message
    assert "last: must be at least 1" in message
    assert "band: need 0 <= low <= high" in message
    assert "several teams ['core', 'other']" in message


def test_history_refuses_repeated_sprint_keys():
    sprints, items = history_fixture()
    with pytest.raises(InvalidInputError, match=r"more than once \['S1'\]"):
        sprint_history([*sprints, sprints[2]], items, team="core")


# -- demo ---------------------------------------------------------------------------


def test_demo_sprints_without_commitment_are_reported():
    ws = load_demo()
    reports = [sprint_report(s, ws.work_items, process=ws.process) for s in ws.sprints]
    empty = [r for r in reports if not r.committed]
    assert len(empty) == 10
    assert all(r.say_do_items is None and r.notes for r in empty)
    assert all(r.unknown_keys == () for r in reports)
    assert all(
        len(r.done) + len(r.carry_over) == len(r.committed) + len(r.added)
        for r in reports
    )


def test_demo_history_per_team():
    ws = load_demo()
    h = sprint_history(ws.sprints, ws.work_items, team="payments", process=ws.process)
    assert len(h.reports) == 20
    assert h.not_judged == ("payments-S1", "payments-S8")


# -- properties ---------------------------------------------------------------------

STATUSES = ["Backlog", "Ready", "In Progress", "Done"]


@st.composite
def sprint_cases(draw):
    count = draw(st.integers(1, 6))
    items = []
    roles = []
    for index in range(count):
        moves = draw(
            st.lists(
                st.tuples(st.integers(0, 20 * 24), st.sampled_from(STATUSES)),
                max_size=5,
            )
        )
        start = datetime(2024, 3, 1, tzinfo=UTC)
        items.append(
            item(
                f"K-{index + 1}",
                draw(st.none() | st.integers(0, 8)),
                *[(start + timedelta(hours=h), s) for h, s in moves],
            )
        )
        roles.append(draw(st.sampled_from(["committed", "added", "neither"])))
    sprint = Sprint(
        key="S",
        team="t",
        start="2024-03-04",
        end="2024-03-15",
        committed=[
            i.key for i, r in zip(items, roles, strict=True) if r == "committed"
        ],
        added=[i.key for i, r in zip(items, roles, strict=True) if r == "added"],
    )
    return sprint, items


@given(sprint_cases())
def test_done_never_exceeds_committed_plus_added(case):
    sprint, items = case
    report = sprint_report(sprint, items)
    assert report.velocity_items <= len(report.committed) + len(report.added)
    assert set(report.done) | set(report.carry_over) == set(
        report.committed + report.added
    )
    assert report.say_do_items is None or 0 <= report.say_do_items <= 1


@given(sprint_cases())
def test_burn_up_done_only_drops_when_items_are_reopened(case):
    sprint, items = case
    burn: BurnUp = burn_up(sprint, items)
    report = sprint_report(sprint, items)
    scope = [d.scope_items for d in burn.days]
    done = [d.done_items for d in burn.days]
    assert scope == sorted(scope)
    assert all(d.done_items <= d.scope_items for d in burn.days)
    if not burn.reopened:
        assert done == sorted(done)
    assert burn.days[-1].done_items == report.velocity_items
    assert burn.days[-1].done_points == report.velocity_points


def test_scrum_org_forecast_accuracy_example():
    # Scrum.org forum, "Variability in forecasting" (2020): forecast #110, #111,
    # #113, #115, #118; done #110, #111, #120, #115, #122, #114 -> "60% of its
    # forecast".
    done = ["110", "111", "120", "115", "122", "114"]
    items = [
        item(f"T-{n}", 1, *([(at(5), "Done")] if n in done else []))
        for n in ["110", "111", "113", "115", "118", "120", "122", "114"]
    ]
    sprint = Sprint(
        key="S",
        team="t",
        start="2024-03-04",
        end="2024-03-08",
        committed=["T-110", "T-111", "T-113", "T-115", "T-118"],
        added=["T-120", "T-122", "T-114"],
    )
    report = sprint_report(sprint, items)
    assert report.say_do_items == pytest.approx(0.6)
    assert report.velocity_items == 6
    assert report.carry_over == ("T-113", "T-118")


def test_burn_up_reports_unknown_statuses():
    sprint = Sprint(
        key="S", team="t", start="2024-03-04", end="2024-03-05", committed=["A-1"]
    )
    burn = burn_up(sprint, [item("A-1", 1, (at(4), "Closed"))])
    assert burn.unknown_statuses == ("Closed",)
    assert [d.done_items for d in burn.days] == [0, 0]


def test_burn_up_leaves_out_unknown_added_keys():
    sprint = Sprint(
        key="S",
        team="t",
        start="2024-03-04",
        end="2024-03-05",
        committed=["A-1"],
        added=["Z-1"],
    )
    burn = burn_up(sprint, [item("A-1", 1, (at(4), "Done"))])
    assert burn.unknown_keys == ("Z-1",)
    assert [d.scope_items for d in burn.days] == [1, 1]
    assert burn.added_on == ()
