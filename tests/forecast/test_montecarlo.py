"""Monte Carlo forecasts: day counting, monotonicity, calendars and errors."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import productops as po
from productops.flow import EventLog, analyze
from productops.forecast import WorkCalendar, how_many, release_confidence, when

MONDAY = date(2024, 3, 4)


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 500), st.integers(1, 9), st.sampled_from([5, 20, 60, 300]))
def test_constant_throughput_finishes_on_the_exact_day(
    remaining: int, k: int, history_days: int
) -> None:
    # History lengths cover every way days are drawn (in groups of 3, 2 or 1).
    forecast = when(remaining, [k] * history_days, start=MONDAY, trials=50, seed=0)
    expected = MONDAY + timedelta(days=math.ceil(remaining / k) - 1)
    assert set(forecast.percentiles([1, 50, 70, 85, 95, 100]).values()) == {expected}
    assert forecast.probability_by(expected) == 1.0
    if remaining:  # with nothing to do, it was done before start
        assert forecast.probability_by(expected - timedelta(days=1)) == 0.0


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 200), st.integers(1, 5))
def test_constant_throughput_counts_working_days_with_a_calendar(
    remaining: int, k: int
) -> None:
    calendar = WorkCalendar(holidays={date(2024, 3, 29), date(2024, 4, 1)})
    forecast = when(
        remaining, [k] * 20, start=MONDAY, trials=20, seed=0, calendar=calendar
    )
    expected = calendar.working_days(MONDAY, math.ceil(remaining / k))[-1]
    assert set(forecast.percentiles().values()) == {expected}


def test_start_day_deliveries_count() -> None:
    forecast = when(3, [3] * 10, start=MONDAY, trials=10)
    assert forecast.percentiles([50])[50] == MONDAY


def test_nothing_remaining_is_done_the_day_before_start() -> None:
    forecast = when(0, [1, 2, 3, 1, 0], start=MONDAY, trials=10)
    assert forecast.percentiles([95])[95] == MONDAY - timedelta(days=1)
    assert forecast.probability_by(MONDAY - timedelta(days=1)) == 1.0


HISTORY = [0, 1, 2, 0, 3, 1, 0, 0, 2, 1, 4, 0, 1, 2]


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 300), st.integers(1, 50), st.integers(0, 2**32 - 1))
def test_more_remaining_work_never_finishes_earlier(
    remaining: int, extra: int, seed: int
) -> None:
    fewer = when(remaining, HISTORY, start=MONDAY, trials=200, seed=seed)
    more = when(remaining + extra, HISTORY, start=MONDAY, trials=200, seed=seed)
    assert (more.days >= fewer.days).all()
    for level, day in fewer.percentiles().items():
        assert more.percentiles()[level] >= day


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 300), st.integers(0, 2**32 - 1))
def test_percentiles_are_monotone_and_match_probability(
    remaining: int, seed: int
) -> None:
    forecast = when(remaining, HISTORY, start=MONDAY, trials=500, seed=seed)
    levels = [5, 25, 50, 70, 85, 95, 99]
    dates = list(forecast.percentiles(levels).values())
    assert dates == sorted(dates)
    for level, day in zip(levels, dates, strict=True):
        assert forecast.probability_by(day) >= level / 100
        assert forecast.probability_by(day - timedelta(days=1)) < level / 100


def test_same_seed_same_forecast() -> None:
    a = when(120, HISTORY, start=MONDAY, seed=42)
    b = when(120, HISTORY, start=MONDAY, seed=np.random.default_rng(42))
    assert np.array_equal(a.days, b.days)
    assert not np.array_equal(a.days, when(120, HISTORY, start=MONDAY, seed=43).days)


@pytest.mark.parametrize("copies", [1, 30])  # 14 days: drawn in threes; 420: one by one
def test_grouped_and_single_day_draws_agree_in_distribution(copies: int) -> None:
    forecast = when(300, HISTORY * copies, start=MONDAY, seed=11)
    mean_days = float(forecast.days.mean())
    # The completion day of 300 items at 17/14 a day has a mean near 247.5 and a
    # standard deviation near 6.5 days; the mean of 10,000 trials is within 0.2.
    assert mean_days == pytest.approx(300 / (17 / 14) + 0.5, abs=1.0)


def test_forecast_matches_the_expected_mean_rate() -> None:
    # Mean throughput 17/14 a day: 1,000 items take about 824 days; the spread of
    # the completion day across 10,000 trials puts the median within a few days.
    forecast = when(1000, HISTORY, start=MONDAY, seed=3)
    median_days = (forecast.percentiles([50])[50] - MONDAY).days + 1
    assert median_days == pytest.approx(1000 / (17 / 14), rel=0.02)


def test_to_records_is_a_cumulative_distribution() -> None:
    records = when(30, HISTORY, start=MONDAY, trials=1000, seed=1).to_records()
    cumulative = [r["cumulative"] for r in records]
    assert cumulative == sorted(cumulative)
    assert cumulative[-1] == pytest.approx(1.0)
    assert sum(r["share"] for r in records) == pytest.approx(1.0)


def test_how_many_with_constant_throughput() -> None:
    forecast = how_many(MONDAY + timedelta(days=9), [3] * 10, start=MONDAY, trials=100)
    assert forecast.at_least(0.85) == 30
    with_calendar = how_many(
        MONDAY + timedelta(days=13),
        [3] * 10,
        start=MONDAY,
        trials=10,
        calendar=WorkCalendar(),
    )
    assert with_calendar.at_least(0.5) == 30  # ten working days in two weeks


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 60), st.floats(0.05, 1.0), st.integers(0, 2**32 - 1))
def test_at_least_means_at_least_with_that_confidence(
    days: int, confidence: float, seed: int
) -> None:
    forecast = how_many(
        MONDAY + timedelta(days=days - 1), HISTORY, start=MONDAY, trials=400, seed=seed
    )
    n = forecast.at_least(confidence)
    assert np.mean(forecast.totals >= n) >= confidence - 1e-9
    assert np.mean(forecast.totals >= n + 1) < confidence or n == forecast.totals.max()


def test_how_many_before_start_is_zero() -> None:
    forecast = how_many(MONDAY - timedelta(days=1), HISTORY, start=MONDAY, trials=5)
    assert forecast.at_least(0.5) == 0


@pytest.mark.parametrize(
    ("history", "message"),
    [
        ([0] * 30, "no item was delivered"),
        ([1, 2], "too short"),
        ([1, 2, -1, 3, 4], "negative"),
        ([1, 2, 1.5, 3, 4], "whole numbers"),
    ],
)
def test_unusable_history_is_a_clear_error(history: list[float], message: str) -> None:
    with pytest.raises(po.InvalidInputError, match=message):
        when(10, history, start=MONDAY)


def test_bad_arguments_are_clear_errors() -> None:
    with pytest.raises(po.InvalidInputError, match="remaining"):
        when(-1, HISTORY, start=MONDAY)
    with pytest.raises(po.InvalidInputError, match="trials"):
        when(1, HISTORY, start=MONDAY, trials=0)
    with pytest.raises(po.InvalidInputError, match="start"):
        when(1, HISTORY)
    with pytest.raises(po.InvalidInputError, match="levels"):
        when(1, HISTORY, start=MONDAY).percentiles([0])
    with pytest.raises(po.InvalidInputError, match="weekdays"):
        WorkCalendar(weekdays=frozenset({7}))


# -- from a FlowReport ------------------------------------------------------------


@pytest.fixture(scope="module")
def report() -> po.flow.FlowReport:
    demo = po.datasets.load_demo()
    return analyze(
        EventLog.from_work_items(demo.work_items),
        demo.process,
        as_of=po.datasets.DEMO_AS_OF,
    )


def test_report_throughput_uses_the_last_twelve_weeks(
    report: po.flow.FlowReport,
) -> None:
    recent = report.daily_throughput(last_days=84)
    a = when(50, report, seed=5)
    b = when(50, recent, start=report.as_of.date() + timedelta(days=1), seed=5)
    assert np.array_equal(a.days, b.days)
    assert a.start == date(2026, 6, 2)
    widest = when(50, report, seed=5, window_days=0)  # the whole history
    assert not np.array_equal(a.days, widest.days)


def test_calendar_resamples_only_working_days_of_the_report(
    report: po.flow.FlowReport,
) -> None:
    calendar = WorkCalendar()
    days = report.days[-84:]
    working = np.asarray(report.daily_throughput(last_days=84))[
        calendar.working_mask(days)
    ]
    a = when(40, report, seed=9, calendar=calendar)
    b = when(40, working.tolist(), start=a.start, seed=9, calendar=calendar)
    assert np.array_equal(a.days, b.days)


def test_release_confidence_on_the_demo(report: po.flow.FlowReport) -> None:
    demo = po.datasets.load_demo()
    summer = next(r for r in demo.releases if r.status == "frozen")
    confidence = release_confidence(summer, report, seed=2)
    delivered = set(
        np.asarray(report.items)[report.delivered_at != po.flow._metrics.NONE]
    )
    assert set(confidence.open_items) == set(summer.scope) - delivered
    assert confidence.unknown_items == ()
    assert confidence.probability == confidence.forecast.probability_by(
        summer.target_date
    )
    later = summer.evolve(target_date=summer.target_date + timedelta(days=365))
    assert release_confidence(later, report, seed=2).probability == 1.0
    shipped = next(r for r in demo.releases if r.status == "released")
    done = release_confidence(shipped, report, seed=2)
    assert done.open_items == ()
    assert done.probability == 1.0


def test_release_confidence_needs_a_target_date(report: po.flow.FlowReport) -> None:
    release = po.Release(key="R", name="R", scope=["NOPE-1"])
    with pytest.raises(po.InvalidInputError, match="no target_date"):
        release_confidence(release, report)
    unknown = release_confidence(release.evolve(target_date=date(2027, 1, 1)), report)
    assert unknown.unknown_items == ("NOPE-1",)
    assert unknown.open_items == ("NOPE-1",)
