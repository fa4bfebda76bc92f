"""Tests of productops.release._calendar (release calendar conflicts, timeline).

No published worked example exists; every case is built by hand with dates
checked against a calendar (2024-03-30 is a Saturday, 2024-04-01 Easter Monday).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from productops import InvalidInputError
from productops.datasets import load_demo
from productops.model import Dependency, Release, WorkItem
from productops.model.delivery import DependencyStatus
from productops.model.release import ReleaseStatus
from productops.release._calendar import (
    CalendarCheck,
    Conflict,
    ConflictKind,
    calendar_conflicts,
    timeline,
)

CREATED = datetime(2024, 1, 1, tzinfo=UTC)


def rel(
    key: str,
    target: date | None,
    freeze: date | None = None,
    *,
    teams: tuple[str, ...] = (),
    scope: tuple[str, ...] = (),
    status: ReleaseStatus = ReleaseStatus.PLANNED,
) -> Release:
    return Release(
        key=key,
        name=key.upper(),
        target_date=target,
        code_freeze=freeze,
        teams=teams,
        scope=scope,
        status=status,
        released_at=CREATED if status is ReleaseStatus.RELEASED else None,
    )


def kinds(check: CalendarCheck) -> list[ConflictKind]:
    return [c.kind for c in check.conflicts]


def test_overlapping_freeze_windows_conflict():
    a = rel("a", date(2024, 3, 28), date(2024, 3, 20))
    b = rel("b", date(2024, 4, 4), date(2024, 3, 27))
    check = calendar_conflicts([a, b])
    assert check.conflicts == (
        Conflict(
            ConflictKind.FREEZE_OVERLAP,
            ("a", "b"),
            (date(2024, 3, 27), date(2024, 3, 28)),
            (),
            "freeze windows of a (2024-03-20 to 2024-03-28) and b "
            "(2024-03-27 to 2024-04-04) overlap on 2 day(s), 2024-03-27 to 2024-03-28",
        ),
    )


def test_adjacent_freeze_windows_do_not_conflict():
    a = rel("a", date(2024, 3, 26), date(2024, 3, 20))
    b = rel("b", date(2024, 4, 4), date(2024, 3, 27))
    assert calendar_conflicts([a, b]).ok


def test_freeze_starting_on_other_target_day_overlaps_one_day():
    a = rel("a", date(2024, 3, 26), date(2024, 3, 20))
    b = rel("b", date(2024, 4, 4), date(2024, 3, 26))
    (conflict,) = calendar_conflicts([a, b]).conflicts
    assert conflict.dates == (date(2024, 3, 26), date(2024, 3, 26))


def test_freeze_days_fill_a_missing_code_freeze():
    a = rel("a", date(2024, 3, 28))
    b = rel("b", date(2024, 4, 4), date(2024, 4, 2))
    assert calendar_conflicts([a, b]).ok  # no window for a without freeze_days
    # a's window with freeze_days=7 is 2024-03-21 .. 2024-03-28: still clear of b.
    assert calendar_conflicts([a, b], freeze_days=7).ok
    # with 2024-03-28 as b's freeze start, the windows share one day.
    b2 = rel("b", date(2024, 4, 4), date(2024, 3, 28))
    check = calendar_conflicts([a, b2], freeze_days=7)
    assert kinds(check) == [ConflictKind.FREEZE_OVERLAP]


def test_missing_window_is_noted():
    check = calendar_conflicts([rel("a", date(2024, 3, 28))])
    assert check.skipped == (("a", "no code_freeze and no freeze_days: no window"),)


def test_target_on_named_holiday():
    easter = date(2024, 4, 1)
    check = calendar_conflicts(
        [rel("a", easter)], holidays=[(easter, "Easter Monday"), easter]
    )
    assert check.conflicts == (
        Conflict(
            ConflictKind.HOLIDAY,
            ("a",),
            (easter,),
            ("Easter Monday",),
            "a targets 2024-04-01, a holiday (Easter Monday)",
        ),
    )


def test_target_on_unnamed_holiday():
    day = date(2024, 4, 2)
    (conflict,) = calendar_conflicts([rel("a", day)], holidays=[day]).conflicts
    assert conflict.message == "a targets 2024-04-02, a holiday"


@pytest.mark.parametrize(
    ("day", "weekend"),
    [
        (date(2024, 3, 29), False),  # Friday
        (date(2024, 3, 30), True),  # Saturday
        (date(2024, 3, 31), True),  # Sunday
        (date(2024, 4, 1), False),  # Monday
    ],
)
def test_weekend_targets(day, weekend):
    check = calendar_conflicts([rel("a", day)])
    assert kinds(check) == ([ConflictKind.WEEKEND] if weekend else [])


def test_weekend_message_names_the_day():
    (conflict,) = calendar_conflicts([rel("a", date(2024, 3, 30))]).conflicts
    assert conflict.message == "a targets Saturday 2024-03-30"


def test_item_in_two_scopes():
    a = rel("a", date(2024, 3, 1), scope=("X-1", "X-2"))
    b = rel("b", date(2024, 6, 3), scope=("X-2",))
    item = WorkItem(
        key="X-3", title="t", status="Done", created=CREATED, releases=("a", "b")
    )
    check = calendar_conflicts([a, b], work_items=[item])
    assert [(c.kind, c.releases, c.subjects) for c in check.conflicts] == [
        (ConflictKind.SHARED_ITEM, ("a", "b"), ("X-2",)),
        (ConflictKind.SHARED_ITEM, ("a", "b"), ("X-3",)),
    ]
    assert check.conflicts[0].message == "X-2 is in the scope of a, b"


def test_dependency_across_releases():
    a = rel("a", date(2024, 3, 1), scope=("X-1",))
    b = rel("b", date(2024, 6, 3), scope=("X-2",))
    dep = Dependency(upstream="X-2", downstream="X-1")
    (conflict,) = calendar_conflicts([a, b], dependencies=[dep]).conflicts
    assert conflict == Conflict(
        ConflictKind.SHARED_DEPENDENCY,
        ("a", "b"),
        (date(2024, 3, 1), date(2024, 6, 3)),
        ("X-2", "X-1"),
        "X-1 (a) depends on X-2 (b) across releases",
    )


def test_dependency_within_one_release_or_resolved_is_fine():
    a = rel("a", date(2024, 3, 1), scope=("X-1", "X-2"))
    b = rel("b", date(2024, 6, 3), scope=("X-3",))
    inside = Dependency(upstream="X-1", downstream="X-2")
    resolved = Dependency(
        upstream="X-3", downstream="X-1", status=DependencyStatus.RESOLVED
    )
    outside = Dependency(upstream="X-9", downstream="X-1")
    assert calendar_conflicts([a, b], dependencies=[inside, resolved, outside]).ok


def test_dependency_between_parents_of_scope_items():
    a = rel("a", date(2024, 3, 1), scope=("X-1",))
    b = rel("b", date(2024, 6, 3), scope=("X-2",))
    items = [
        WorkItem(key="X-1", title="t", status="Done", created=CREATED, parent="I-1"),
        WorkItem(key="X-2", title="t", status="Done", created=CREATED, parent="I-2"),
    ]
    dep = Dependency(upstream="I-2", downstream="I-1")
    check = calendar_conflicts([a, b], dependencies=[dep], work_items=items)
    assert kinds(check) == [ConflictKind.SHARED_DEPENDENCY]
    assert calendar_conflicts([a, b], dependencies=[dep]).ok  # parents unknown


def test_same_team_two_launches_within_window():
    a = rel("a", date(2024, 3, 4), teams=("core", "web"))
    b = rel("b", date(2024, 3, 11), teams=("web", "core", "ios"))
    (conflict,) = calendar_conflicts([a, b]).conflicts
    assert conflict == Conflict(
        ConflictKind.TEAM_LAUNCHES,
        ("a", "b"),
        (date(2024, 3, 4), date(2024, 3, 11)),
        ("core", "web"),
        "core, web launch a (2024-03-04) and b (2024-03-11) 7 day(s) apart (window 7)",
    )


def test_launches_just_outside_window_or_other_teams_are_fine():
    a = rel("a", date(2024, 3, 4), teams=("core",))
    b = rel("b", date(2024, 3, 12), teams=("core",))
    c = rel("c", date(2024, 3, 5), teams=("web",))
    assert calendar_conflicts([a, b, c]).ok
    assert not calendar_conflicts([a, b], launch_window_days=8).ok
    assert calendar_conflicts([a, b], launch_window_days=0).ok


def test_released_and_cancelled_releases_are_ignored():
    done = rel(
        "old",
        date(2024, 3, 30),
        date(2024, 3, 1),
        teams=("core",),
        status=ReleaseStatus.RELEASED,
    )
    gone = rel(
        "gone",
        date(2024, 3, 30),
        date(2024, 3, 1),
        teams=("core",),
        status=ReleaseStatus.CANCELLED,
    )
    live = rel("new", date(2024, 3, 29), date(2024, 3, 1), teams=("core",))
    check = calendar_conflicts([done, gone, live])
    assert check.ok
    assert check.skipped == (
        ("old", "released: not checked"),
        ("gone", "cancelled: not checked"),
    )


def test_undated_release_skips_date_checks_but_not_scope():
    a = rel("a", None, scope=("X-1",), teams=("core",))
    b = rel("b", date(2024, 3, 4), scope=("X-1",), teams=("core",))
    check = calendar_conflicts([a, b], freeze_days=3)
    assert kinds(check) == [ConflictKind.SHARED_ITEM]
    assert ("a", "no target_date: date checks skipped") in check.skipped


def test_conflicts_sorted_by_kind_and_counted():
    a = rel("a", date(2024, 3, 30), date(2024, 3, 20), teams=("core",))
    b = rel("b", date(2024, 3, 29), date(2024, 3, 25), teams=("core",))
    check = calendar_conflicts([a, b], holidays=[date(2024, 3, 29)])
    assert kinds(check) == [
        ConflictKind.FREEZE_OVERLAP,
        ConflictKind.HOLIDAY,
        ConflictKind.WEEKEND,
        ConflictKind.TEAM_LAUNCHES,
    ]
    assert repr(check) == (
        "CalendarCheck(4 conflicts: freeze_overlap 1, holiday 1, weekend 1, "
        "team_launches 1; 0 skipped)"
    )
    records = check.to_records()
    assert records[0] == {
        "kind": "freeze_overlap",
        "releases": "a, b",
        "dates": "2024-03-25, 2024-03-29",
        "subjects": "",
        "message": check.conflicts[0].message,
    }


def test_bad_arguments_are_all_named():
    a = rel("a", date(2024, 3, 1))
    with pytest.raises(InvalidInputError) as info:
        calendar_conflicts([a, a], freeze_days=-1, launch_window_days=-2)
    text = str(info.value)
    assert "releases: keys given twice ['a']" in text
    assert "freeze_days: must be >= 0, got -1" in text
    assert "launch_window_days: must be >= 0, got -2" in text


def test_bad_holidays_are_all_named():
    bad = [
        date(2024, 1, 1),
        "2024-12-25",
        datetime(2024, 5, 1, tzinfo=UTC),
        (date(2024, 1, 1),),
    ]
    with pytest.raises(InvalidInputError) as info:
        calendar_conflicts([], holidays=bad)  # type: ignore[arg-type]
    text = str(info.value)
    assert "holidays[1]: '2024-12-25' is not a date" in text
    assert "holidays[2]: datetime.datetime(2024, 5, 1" in text
    assert "holidays[3]: (datetime.date(2024, 1, 1),) is not (date, name)" in text
    assert "holidays[0]" not in text


@given(
    start_a=st.dates(date(2024, 1, 1), date(2024, 12, 31)),
    len_a=st.integers(0, 20),
    start_b=st.dates(date(2024, 1, 1), date(2024, 12, 31)),
    len_b=st.integers(0, 20),
)
def test_freeze_overlap_matches_day_sets(start_a, len_a, start_b, len_b):
    a = rel("a", start_a + timedelta(days=len_a), start_a)
    b = rel("b", start_b + timedelta(days=len_b), start_b)
    days_a = {start_a + timedelta(days=i) for i in range(len_a + 1)}
    days_b = {start_b + timedelta(days=i) for i in range(len_b + 1)}
    check = calendar_conflicts([a, b], launch_window_days=0)
    overlaps = [c for c in check.conflicts if c.kind is ConflictKind.FREEZE_OVERLAP]
    shared = days_a & days_b
    assert bool(overlaps) == bool(shared)
    if shared:
        assert overlaps[0].dates == (min(shared), max(shared))


def test_timeline_sorted_by_date_undated_last():
    rows = timeline(
        [
            rel("c", None),
            rel("b", date(2024, 6, 3), date(2024, 5, 27)),
            rel("a", date(2024, 6, 3)),
            rel("z", date(2024, 3, 1), status=ReleaseStatus.RELEASED),
        ]
    )
    assert [r.key for r in rows.rows] == ["z", "b", "a", "c"]
    assert rows.to_records()[1] == {
        "key": "b",
        "name": "B",
        "freeze": date(2024, 5, 27),
        "target": date(2024, 6, 3),
        "status": "planned",
    }
    assert repr(rows) == "Timeline(4 releases)"


def test_demo_calendar():
    ws = load_demo()
    check = calendar_conflicts(
        ws.releases, dependencies=ws.dependencies, work_items=ws.work_items
    )
    # 2026.1 is released; 2026.2 (freeze 2026-05-25 .. 2026-06-10, Wednesday)
    # and 2026.3 (2026-09-07 .. 2026-09-16, Wednesday) are far apart, share no
    # scope item, and no open dependency joins their initiatives.
    assert check.ok
    assert check.skipped == (("2026.1", "released: not checked"),)
    # Their launches are 98 days apart, so a 98-day window joins the teams
    # both list: payments, platform and mobile.
    wide = calendar_conflicts(ws.releases, launch_window_days=98)
    assert [(c.kind, c.releases, c.subjects) for c in wide.conflicts] == [
        (
            ConflictKind.TEAM_LAUNCHES,
            ("2026.2", "2026.3"),
            ("mobile", "payments", "platform"),
        )
    ]


def test_demo_timeline():
    rows = timeline(load_demo().releases).to_records()
    assert [(r["key"], r["target"], r["status"]) for r in rows] == [
        ("2026.1", date(2026, 3, 11), "released"),
        ("2026.2", date(2026, 6, 10), "frozen"),
        ("2026.3", date(2026, 9, 16), "planned"),
    ]
