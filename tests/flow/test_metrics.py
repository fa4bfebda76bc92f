"""Flow metrics on hand-checked logs, and their invariants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import productops as po
from productops.flow import EventLog, analyze
from productops.flow._metrics import NONE

T0 = datetime(2024, 1, 1, tzinfo=UTC)  # a Monday
DAY = timedelta(days=1)

PROCESS = po.Process(
    states=[
        po.State(name="Backlog", category=po.StateCategory.BACKLOG),
        po.State(name="Ready", category=po.StateCategory.QUEUE),
        po.State(name="Doing", category=po.StateCategory.ACTIVE),
        po.State(name="Review", category=po.StateCategory.QUEUE),
        po.State(name="Done", category=po.StateCategory.DONE),
    ]
)


def work_item(key: str, path: list[tuple[str, float]]) -> po.WorkItem:
    """An item created in path[0] at day path[0][1], moving through the rest."""
    (first, start), *moves = path
    history = []
    previous = first
    for status, day in moves:
        history.append(
            po.StatusChange(at=T0 + day * DAY, from_status=previous, to_status=status)
        )
        previous = status
    return po.WorkItem(
        key=key,
        title=key,
        status=previous,
        created=T0 + start * DAY,
        history=history,
        team="red" if key in "ABC" else "blue",
        type="bug" if key == "B" else "story",
    )


ITEMS = [
    # delivered straight through
    work_item(
        "A", [("Backlog", 0), ("Ready", 1), ("Doing", 2), ("Review", 4), ("Done", 5)]
    ),
    # delivered, reopened, delivered again
    work_item(
        "B",
        [
            ("Backlog", 0),
            ("Ready", 1),
            ("Doing", 2),
            ("Done", 3),
            ("Doing", 5),
            ("Done", 6),
        ],
    ),
    # skips every state between backlog and done
    work_item("C", [("Backlog", 0), ("Done", 2)]),
    # never leaves the backlog
    work_item("D", [("Backlog", 0)]),
    # in progress at as_of
    work_item("E", [("Backlog", 0), ("Ready", 3), ("Doing", 4)]),
    # committed, then sent back to the backlog
    work_item("F", [("Backlog", 0), ("Ready", 1), ("Backlog", 2)]),
]
AS_OF = T0 + 10 * DAY


@pytest.fixture(scope="module")
def report() -> po.flow.FlowReport:
    log = EventLog.from_work_items(ITEMS, process=PROCESS)
    return analyze(log, PROCESS, as_of=AS_OF)


def by_item(table: po.flow.Table, column: str) -> dict[str, float]:
    return dict(zip(table["item"], table[column], strict=True))


def test_commitment_and_delivery_follow_the_definitions(
    report: po.flow.FlowReport,
) -> None:
    def day(ns: int) -> float | None:
        return None if ns == NONE else (ns - po.flow._eventlog.to_ns(T0)) / 86_400e9

    committed = {
        k: day(v) for k, v in zip(report.items, report.committed_at, strict=True)
    }
    delivered = {
        k: day(v) for k, v in zip(report.items, report.delivered_at, strict=True)
    }
    assert committed == {"A": 1, "B": 1, "C": 2, "D": None, "E": 3, "F": 1}
    assert delivered == {"A": 5, "B": 6, "C": 2, "D": None, "E": None, "F": None}


def test_cycle_and_lead_time(report: po.flow.FlowReport) -> None:
    assert by_item(report.cycle_time, "days") == {"A": 4.0, "B": 5.0, "C": 0.0}
    assert by_item(report.lead_time, "days") == {"A": 5.0, "B": 6.0, "C": 2.0}


def test_time_in_state_per_item(report: po.flow.FlowReport) -> None:
    seconds = report.time_in_state_seconds / 86_400
    states = report.log.states
    row = dict(zip(states, seconds[report.items.index("A")], strict=True))
    assert row == {"Backlog": 1, "Ready": 1, "Doing": 2, "Review": 1, "Done": 0}
    row_b = dict(zip(states, seconds[report.items.index("B")], strict=True))
    assert row_b == {"Backlog": 1, "Ready": 1, "Doing": 2, "Review": 0, "Done": 2}
    row_e = dict(zip(states, seconds[report.items.index("E")], strict=True))
    assert row_e == {"Backlog": 3, "Ready": 1, "Doing": 6, "Review": 0, "Done": 0}
    row_f = dict(zip(states, seconds[report.items.index("F")], strict=True))
    assert row_f == {"Backlog": 1 + 8, "Ready": 1, "Doing": 0, "Review": 0, "Done": 0}


def test_in_cycle_time_skips_backlog_after_commitment(
    report: po.flow.FlowReport,
) -> None:
    seconds = report.in_cycle_seconds / 86_400
    states = report.log.states
    row_f = dict(zip(states, seconds[report.items.index("F")], strict=True))
    assert row_f == {"Backlog": 0, "Ready": 1, "Doing": 0, "Review": 0, "Done": 0}
    row_b = dict(zip(states, seconds[report.items.index("B")], strict=True))
    assert row_b == {"Backlog": 0, "Ready": 1, "Doing": 2, "Review": 0, "Done": 2}


def test_aggregated_time_in_state(report: po.flow.FlowReport) -> None:
    table = {row["state"]: row for row in report.time_in_state().to_records()}
    assert table["Doing"]["items"] == 3
    assert table["Doing"]["mean_days"] == pytest.approx((2 + 2 + 6) / 3)
    assert table["Doing"]["median_days"] == 2
    assert table["Review"]["total_days"] == 1
    total = sum(row["total_days"] for row in table.values())
    assert table["Backlog"]["share"] == pytest.approx(
        table["Backlog"]["total_days"] / total
    )
    assert sum(row["share"] for row in table.values()) == pytest.approx(1)


def test_flow_efficiency(report: po.flow.FlowReport) -> None:
    # Delivered items A, B, C: active (Doing) 2 + 2, queue (Ready, Review) 2 + 1.
    assert report.flow_efficiency() == pytest.approx(4 / 7)
    per_item = by_item(report.flow_efficiency_per_item(), "efficiency")
    assert per_item["A"] == pytest.approx(0.5)
    assert per_item["E"] == pytest.approx(6 / 7)
    assert np.isnan(per_item["C"])


def test_throughput_per_day_and_week(report: po.flow.FlowReport) -> None:
    daily = dict(
        zip(
            report.throughput()["date"].astype(str),
            report.throughput()["delivered"],
            strict=True,
        )
    )
    assert {day: n for day, n in daily.items() if n} == {
        "2024-01-03": 1,
        "2024-01-06": 1,
        "2024-01-07": 1,
    }
    assert len(daily) == 11  # 1 to 11 January
    weekly = report.throughput(freq="W").to_records()
    assert weekly == [
        {"week": datetime(2024, 1, 1).date(), "delivered": 3},
        {"week": datetime(2024, 1, 8).date(), "delivered": 0},
    ]
    assert report.daily_throughput(last_days=3) == [0, 0, 0]


def test_wip_per_day(report: po.flow.FlowReport) -> None:
    wip = [int(n) for n in report.wip()["wip"]]
    # End of day k (k = 0 is 1 January): A 1-4, B 1-5, C none (delivered at
    # commitment), E from 3 on, F on day 1 only (back in the backlog on day 2).
    assert wip == [0, 3, 2, 3, 3, 2, 1, 1, 1, 1, 1]


def test_aging_wip(report: po.flow.FlowReport) -> None:
    assert report.aging_wip().to_records() == [
        {"item": "E", "state": "Doing", "age_days": 7.0, "in_state_days": 6.0}
    ]


def test_cfd(report: po.flow.FlowReport) -> None:
    cfd = report.cfd()
    last = cfd.to_records()[-1]
    assert last == {
        "date": datetime(2024, 1, 11).date(),
        "Backlog": 6,
        "Ready": 5,  # A, B, C (via Done), E, F
        "Doing": 4,  # A, B, C, E
        "Review": 3,  # A, B and C passed it by reaching Done
        "Done": 3,
    }
    day_2 = cfd.to_records()[2]
    assert (day_2["Ready"], day_2["Doing"], day_2["Done"]) == (4, 3, 1)


def test_rework(report: po.flow.FlowReport) -> None:
    assert report.rework().to_records() == [  # ties in the order of the source state
        {"source": "Ready", "target": "Backlog", "count": 1, "items": 1},
        {"source": "Done", "target": "Doing", "count": 1, "items": 1},
    ]
    # B and F moved back; A, B, C, E, F moved at all.
    assert report.rework_rate() == pytest.approx(2 / 5)


def test_variants(report: po.flow.FlowReport) -> None:
    variants = report.variants().to_records()
    assert len(variants) == 6
    assert variants[0]["items"] == 1
    assert {v["variant"] for v in variants} >= {"Backlog", "Backlog > Done"}
    assert sum(v["share"] for v in variants) == pytest.approx(1)


def test_net_flow(report: po.flow.FlowReport) -> None:
    assert report.net_flow().to_records() == [
        {"week": datetime(2024, 1, 1).date(), "arrivals": 5, "departures": 3, "net": 2},
        {"week": datetime(2024, 1, 8).date(), "arrivals": 0, "departures": 0, "net": 0},
    ]


def test_littles_law_is_reported_not_assumed(report: po.flow.FlowReport) -> None:
    check = report.littles_law()
    assert check.throughput_per_day == pytest.approx(3 / 10)
    assert check.average_cycle_time_days == pytest.approx(3.0)
    assert check.predicted_wip == pytest.approx(0.9)
    assert check.average_wip == pytest.approx(
        np.mean([0, 3, 2, 3, 3, 2, 1, 1, 1, 1, 1])
    )
    assert check.deviation == pytest.approx((check.average_wip - 0.9) / 0.9)


def test_events_after_as_of_are_ignored() -> None:
    log = EventLog.from_work_items(ITEMS, process=PROCESS)
    early = analyze(log, PROCESS, as_of=T0 + 4.5 * DAY)
    assert by_item(early.cycle_time, "days") == {
        "B": 2.0,
        "C": 0.0,
    }  # B not yet reopened
    assert sorted(early.aging_wip()["item"]) == ["A", "E"]


def test_filters_by_team_type_and_window() -> None:
    log = EventLog.from_work_items(ITEMS, process=PROCESS)
    red = analyze(log, PROCESS, as_of=AS_OF, team="red")
    assert red.items == ("A", "B", "C")
    bugs = analyze(log, PROCESS, as_of=AS_OF, type=["bug"])
    assert bugs.items == ("B",)
    window = analyze(log, PROCESS, window=(T0 + 4 * DAY, T0 + 6.5 * DAY))
    assert by_item(window.cycle_time, "days") == {"A": 4.0, "B": 5.0}
    assert window.as_of == T0 + 6.5 * DAY
    with pytest.raises(po.InvalidInputError, match="empty after filtering"):
        analyze(log, PROCESS, team="green")


def test_states_outside_the_process_are_an_error() -> None:
    log = EventLog.from_work_items([work_item("X", [("Backlog", 0), ("Parked", 1)])])
    with pytest.raises(po.InvalidInputError, match=r"\['Parked'\] are not in process"):
        analyze(log, PROCESS)


def test_bottleneck_ranking_and_evidence(report: po.flow.FlowReport) -> None:
    ranked = report.bottlenecks(recent_weeks=1)
    assert [b.state for b in ranked] == ["Doing", "Ready", "Review"]
    doing = ranked[0]
    in_cycle = report.in_cycle_seconds.sum()
    assert doing.share == pytest.approx(10 * 86_400 / in_cycle)
    assert doing.items_now == 1
    assert doing.median_age_days == pytest.approx(6.0)
    assert doing.rework_share == pytest.approx(1 / 4)  # B's Done -> Doing
    assert doing.repeat_share == pytest.approx(1 / 4)
    assert "'Doing' (active) holds" in doing.reason


def test_demo_names_the_planted_bottleneck() -> None:
    demo = po.datasets.load_demo()
    log = EventLog.from_work_items(demo.work_items, process=demo.process)
    report = analyze(log, demo.process, as_of=po.datasets.DEMO_AS_OF)
    top = report.bottlenecks()[0]
    assert top.state == po.datasets.DEMO_BOTTLENECK
    assert top.share > 0.4
    assert top.growing


def test_discovered_process_is_marked_as_guessed() -> None:
    log = EventLog.from_work_items(ITEMS)
    found = analyze(log, as_of=AS_OF)
    assert found.process_guessed
    assert all(state.category_guessed for state in found.process.states)
    assert found.process.category_of("Done") is po.StateCategory.DONE


# -- properties ---------------------------------------------------------------

LINEAR = ["Backlog", "Ready", "Doing", "Review", "Done"]


@st.composite
def random_items(draw: st.DrawFn) -> list[po.WorkItem]:
    items = []
    for index in range(draw(st.integers(1, 12))):
        position = 0
        moment = draw(st.integers(0, 20 * 24)) / 24
        path = [(LINEAR[0], moment)]
        for _ in range(draw(st.integers(0, 8))):
            step = draw(st.sampled_from([-2, -1, 1, 1, 2, 4]))
            position = min(max(position + step, 0), len(LINEAR) - 1)
            moment += draw(st.integers(1, 72)) / 24
            if LINEAR[position] != path[-1][0]:
                path.append((LINEAR[position], moment))
        items.append(work_item(f"I-{index}", path))
    return items


@settings(max_examples=60, deadline=None)
@given(random_items(), st.integers(0, 60))
def test_time_in_states_sums_to_lead_time_for_delivered_items(
    items: list[po.WorkItem], as_of_days: int
) -> None:
    log = EventLog.from_work_items(items, process=PROCESS)
    as_of = T0 + as_of_days * DAY
    if log.start is not None and as_of < log.start:
        return
    report = analyze(log, PROCESS, as_of=as_of)
    delivered = report.delivered_at != NONE
    totals = report.time_in_state_seconds.sum(axis=1)[delivered]
    lead = (report.delivered_at - report.log.created)[delivered] / 1e9
    np.testing.assert_allclose(totals, lead, rtol=0, atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(random_items())
def test_cfd_lines_never_decrease_and_never_cross(items: list[po.WorkItem]) -> None:
    report = analyze(EventLog.from_work_items(items, process=PROCESS), PROCESS)
    cfd = report.cfd()
    lines = np.vstack([cfd[name] for name in LINEAR])
    assert (np.diff(lines, axis=1) >= 0).all()
    assert (np.diff(lines, axis=0) <= 0).all()
    assert lines[0, -1] == len(report.items)


@settings(max_examples=60, deadline=None)
@given(random_items())
def test_percentiles_are_monotone_and_wip_matches_aging(
    items: list[po.WorkItem],
) -> None:
    report = analyze(EventLog.from_work_items(items, process=PROCESS), PROCESS)
    for sample in (report.cycle_time, report.lead_time):
        values = list(sample.percentiles([5, 25, 50, 70, 85, 95, 100]).values())
        if len(sample):
            assert values == sorted(values)
            assert values[-1] == pytest.approx(sample.days.max())
    assert int(report.wip()["wip"][-1]) == len(report.aging_wip())
    efficiency = report.flow_efficiency()
    assert np.isnan(efficiency) or 0 <= efficiency <= 1


def test_a_workspace_can_be_analysed_directly() -> None:
    demo = po.datasets.load_demo()
    direct = analyze(demo, as_of=po.datasets.DEMO_AS_OF)
    via_log = analyze(
        EventLog.from_work_items(demo.work_items, process=demo.process),
        demo.process,
        as_of=po.datasets.DEMO_AS_OF,
    )
    assert not direct.process_guessed
    assert direct.cycle_time.percentiles() == via_log.cycle_time.percentiles()
