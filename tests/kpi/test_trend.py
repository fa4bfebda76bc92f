"""Tests of productops.kpi trends: Mann-Kendall, Theil-Sen, change, seasonal naive.

Published worked examples:

- Mann-Kendall "by hand" (J. Little, College of the Holy Cross,
  https://mathcs.holycross.edu/~little/Montserrat/MannKendallByHand.txt):
  14 values, S = 54, V = 14*13*33/18 - 2*1*9/18 (one pair of tied values),
  Z = (S - 1)/sqrt(V) = 2.9058, one-sided p about .0018.
- Sen (1968, JASA 63, p. 1379) data t = 1, 2, 3, 4, 10, 12, 18 and
  y = 9, 15, 19, 20, 45, 55, 78: slope 4 (also the R package deming's test,
  which quotes Sen's 93 % interval as [26/7, 35/8], the 4th and 18th of the
  21 ordered slopes, from Kendall's exact table).

Other cases are hand-computed; the arithmetic is in comments.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from productops import InvalidInputError
from productops.datasets import load_demo
from productops.kpi._trend import (
    Change,
    SeasonalNaive,
    Trend,
    change,
    seasonal_naive,
    trend,
)
from productops.model import Observation

HOLY_CROSS = [12.9, 14.8, 13.2, 15.7, 13.8, 15.6, 12.9, 11.0, 17.3, 15.9, 19.0]
HOLY_CROSS += [18.3, 20.1, 21.7]

SEN_T = [1, 2, 3, 4, 10, 12, 18]
SEN_Y = [9, 15, 19, 20, 45, 55, 78]
# The 21 pairwise slopes of Sen's data, ordered (computed by hand):
# 1, 5/2, 11/3, 26/7, 30/8, 23/6, 59/15, 63/16, 4, 4, 4, 4, 69/17, 33/8,
# 58/14, 25/6, 46/11, 35/8, 5, 5, 6
SEN_SLOPES = [1, 5 / 2, 11 / 3, 26 / 7, 30 / 8, 23 / 6, 59 / 15, 63 / 16, 4, 4, 4]
SEN_SLOPES += [4, 69 / 17, 33 / 8, 58 / 14, 25 / 6, 46 / 11, 35 / 8, 5, 5, 6]


def day_obs(
    values: list[float] | list[int],
    days: list[int],
    *,
    kpi: str = "k",
    segment: str | None = None,
) -> list[Observation]:
    return [
        Observation(
            kpi=kpi,
            value=v,
            period_start=date(2024, 1, d),
            period_end=date(2024, 1, d),
            segment=segment,
        )
        for v, d in zip(values, days, strict=True)
    ]


def weekly(values: list[float] | list[int], *, kpi: str = "k") -> list[Observation]:
    start = datetime(2024, 1, 1, 9, tzinfo=UTC)
    return [
        Observation(kpi=kpi, value=v, at=start + timedelta(weeks=i))
        for i, v in enumerate(values)
    ]


class TestMannKendall:
    def test_holy_cross_worked_example(self):
        t = trend(HOLY_CROSS)
        assert t.n == 14
        # 72 concordant, 18 discordant, 1 tie among the 91 pairs
        assert t.s == 54
        assert t.var_s == pytest.approx(14 * 13 * 33 / 18 - 2 * 1 * 9 / 18)
        assert round(t.z, 4) == 2.9058
        # the page quotes the one-sided p "about .0018"
        assert round(t.p_value / 2, 4) == 0.0018
        assert t.direction == "increasing"
        assert t.tau == pytest.approx(54 / 91)

    def test_sen_1968_data_is_strictly_increasing(self):
        t = trend(day_obs(SEN_Y, SEN_T))
        # 21 pairs, all concordant; var = 7*6*19/18 = 44.333
        assert t.s == 21
        assert t.var_s == pytest.approx(7 * 6 * 19 / 18)
        assert t.z == pytest.approx(20 / math.sqrt(7 * 6 * 19 / 18))
        assert t.tau == 1.0

    def test_four_values_by_hand(self):
        # [3, 1, 2, 0]: pairs (3,1)- (3,2)- (3,0)- (1,2)+ (1,0)- (2,0)-  → S = -4
        # var = 4*3*13/18 = 8.667; Z = (-4 + 1)/2.944 = -1.0190; p = 0.3082
        t = trend([3, 1, 2, 0])
        assert t.s == -4
        assert t.var_s == pytest.approx(26 / 3)
        assert t.z == pytest.approx(-3 / math.sqrt(26 / 3))
        assert round(t.p_value, 4) == 0.3082
        assert t.direction == "no trend"
        assert t.tau == pytest.approx(-4 / 6)

    def test_tie_correction_by_hand(self):
        # [1, 2, 2, 3, 3, 3]: from 1: +5; from each 2: +3 (0 with the other 2);
        # 3s tie → S = 11. Ties: one group of 2, one of 3:
        # var = (6*5*17 - 2*1*9 - 3*2*11)/18 = 426/18 = 23.667
        # Z = 10/sqrt(23.667) = 2.0556; p = 0.0398 < 0.05
        t = trend([1, 2, 2, 3, 3, 3])
        assert t.s == 11
        assert t.var_s == pytest.approx(426 / 18)
        assert round(t.z, 4) == 2.0556
        assert round(t.p_value, 4) == 0.0398
        assert t.direction == "increasing"
        assert trend([1, 2, 2, 3, 3, 3], alpha=0.01).direction == "no trend"

    def test_decreasing(self):
        t = trend([10, 9, 7, 8, 5, 4, 2, 1])
        assert t.direction == "decreasing"
        assert t.s < 0
        assert t.slope < 0

    def test_constant_series_has_no_trend(self):
        t = trend([5, 5, 5, 5, 5])
        assert (t.s, t.var_s, t.z, t.p_value) == (0, 0.0, 0.0, 1.0)
        assert t.direction == "no trend"
        assert t.slope == 0.0
        assert t.intercept == 5.0


class TestTheilSen:
    def test_sen_1968_slope_and_interval(self):
        t = trend(day_obs(SEN_Y, SEN_T))
        assert t.slope == 4.0
        assert t.unit == "day"
        assert t.start == date(2024, 1, 1)
        # C = 1.95996 * sqrt(44.333) = 13.0500; ranks (21 - C)/2 = 3.975 and
        # (21 + C)/2 + 1 = 18.025, interpolated between neighbours.
        c = 1.959963984540054 * math.sqrt(7 * 6 * 19 / 18)
        low_rank, high_rank = (21 - c) / 2, (21 + c) / 2 + 1
        assert round(low_rank, 3) == 3.975
        assert round(high_rank, 3) == 18.025
        low = SEN_SLOPES[2] + (low_rank - 3) * (SEN_SLOPES[3] - SEN_SLOPES[2])
        high = SEN_SLOPES[17] + (high_rank - 18) * (SEN_SLOPES[18] - SEN_SLOPES[17])
        assert t.slope_low == pytest.approx(low)
        assert t.slope_high == pytest.approx(high)
        # rounding the ranks gives Sen's published 93 % interval [26/7, 35/8]
        assert SEN_SLOPES[round(low_rank) - 1] == 26 / 7
        assert SEN_SLOPES[round(high_rank) - 1] == 35 / 8

    def test_sen_intercept_is_conover(self):
        # x in days since the first time: 0, 1, 2, 3, 9, 11, 17 (median 3);
        # median y = 20 → intercept 20 - 4 * 3 = 8.
        t = trend(day_obs(SEN_Y, SEN_T))
        assert t.intercept == 8.0

    def test_four_values_by_hand(self):
        # slopes of [3, 1, 2, 0]: -2, -1/2, -1, 1, -1/2, -2 → sorted
        # -2, -2, -1, -0.5, -0.5, 1 → median -0.75; intercept median(y) 1.5 -
        # (-0.75) * median(x) 1.5 = 2.625. C = 1.96*2.944 = 5.77 → ranks 0.115
        # and 6.885 fall outside 1..6, so neither bound exists at 95 %.
        t = trend([3, 1, 2, 0])
        assert t.slope == -0.75
        assert t.intercept == 2.625
        assert t.slope_low is None
        assert t.slope_high is None
        assert t.unit == "period"
        assert t.start is None

    def test_slope_is_per_day_for_weekly_observations(self):
        t = trend(weekly([10, 17, 24, 31, 38]))
        assert t.slope == pytest.approx(1.0)
        assert t.unit == "day"
        assert t.intercept == pytest.approx(10.0)
        assert trend([10, 17, 24, 31, 38]).slope == 7.0

    def test_interval_contains_slope(self):
        t = trend([2, 4, 3, 6, 5, 8, 9, 7, 11, 12, 10, 14])
        assert t.slope_low is not None
        assert t.slope_high is not None
        assert t.slope_low <= t.slope <= t.slope_high


class TestObservations:
    def test_unordered_observations_are_sorted_by_time(self):
        obs = day_obs(SEN_Y, SEN_T)
        assert trend(list(reversed(obs))) == trend(obs)

    def test_mixed_kpis_need_kpi(self):
        obs = day_obs([1, 2, 3], [1, 2, 3], kpi="b") + day_obs(
            [1, 2, 3], [1, 2, 3], kpi="a"
        )
        with pytest.raises(InvalidInputError, match=r"several KPIs \['a', 'b'\]"):
            trend(obs)
        t = trend(obs, kpi="a")
        assert t.kpi == "a"
        assert t.n == 3
        assert t.ignored == 3

    def test_mixed_segments_need_segment(self):
        obs = day_obs([1, 2, 3], [1, 2, 3]) + day_obs(
            [3, 2, 1], [1, 2, 3], segment="eu"
        )
        with pytest.raises(InvalidInputError, match=r"several segments \[None, 'eu'\]"):
            trend(obs)
        t = trend(obs, segment="eu")
        assert (t.segment, t.s, t.ignored) == ("eu", -3, 3)

    def test_duplicate_times_are_named(self):
        obs = day_obs([1, 2, 3, 4], [1, 2, 3, 3])
        with pytest.raises(InvalidInputError, match=r"values\[2\] and values\[3\]"):
            trend(obs)

    def test_too_few_after_filter_says_how_many_were_ignored(self):
        obs = day_obs([1, 2, 3], [1, 2, 3], kpi="a") + day_obs([1], [1], kpi="b")
        with pytest.raises(InvalidInputError, match=r"got 1 \(3 ignored by filter\)"):
            trend(obs, kpi="b")

    def test_demo_workspace(self):
        ws = load_demo()
        t = trend(ws.observations, kpi="activation-rate")
        assert t.n == 39
        assert t.ignored == len(ws.observations) - 39
        assert t.unit == "day"
        assert t.to_records()[0]["kpi"] == "activation-rate"


class TestTrendErrors:
    @pytest.mark.parametrize("values", [[], [1.0], [1.0, 2.0]])
    def test_fewer_than_three_values(self, values):
        with pytest.raises(InvalidInputError, match="at least 3 values"):
            trend(values)

    def test_every_non_finite_position_is_named(self):
        with pytest.raises(InvalidInputError) as info:
            trend([1.0, math.nan, 2.0, math.inf, -math.inf])
        message = str(info.value)
        for i in (1, 3, 4):
            assert f"values[{i}]" in message
        assert "values[0]" not in message

    def test_non_numbers_are_named(self):
        with pytest.raises(InvalidInputError, match=r"values\[1\] = 'x'.*values\[2\]"):
            trend([1, "x", True, 4])  # type: ignore[arg-type]

    def test_mix_of_numbers_and_observations(self):
        with pytest.raises(InvalidInputError, match=r"not observations at \[0\]"):
            trend([1.0, *day_obs([1, 2, 3], [1, 2, 3])])  # type: ignore[arg-type]

    def test_filters_on_plain_numbers(self):
        with pytest.raises(InvalidInputError, match="only observations"):
            trend([1, 2, 3], kpi="a")

    @pytest.mark.parametrize("alpha", [0, 1, -0.1, 1.5, math.nan, True, "0.05"])
    def test_bad_alpha(self, alpha):
        with pytest.raises(InvalidInputError, match="alpha"):
            trend([1, 2, 3], alpha=alpha)


class TestTrendOutput:
    def test_repr(self):
        t = trend([1, 3, 2, 5, 4, 6, 8, 7])
        assert repr(t) == (
            "Trend(n=8, S=22, p=0.0094, increasing, slope=1 [0.5, 1.487] per period)"
        )
        assert repr(trend([3, 1, 2, 0])).endswith("slope=-0.75 [-inf, inf] per period)")

    def test_repr_names_the_kpi(self):
        assert repr(trend(weekly([1, 2, 3], kpi="nps"))).startswith("Trend('nps', ")

    def test_to_records_has_every_field(self):
        t = trend([1, 3, 2, 5, 4, 6, 8, 7])
        (record,) = t.to_records()
        assert set(record) == set(Trend.__dataclass_fields__)
        assert record["direction"] == "increasing"

    def test_result_is_frozen(self):
        t = trend([1, 2, 3])
        with pytest.raises(AttributeError):
            t.s = 0  # type: ignore[misc]


series = st.lists(
    st.integers(min_value=-1000, max_value=1000).map(float), min_size=3, max_size=25
)


class TestTrendProperties:
    @given(series, st.integers(min_value=-10_000, max_value=10_000))
    def test_adding_a_constant_changes_nothing_but_the_intercept(self, ys, c):
        a, b = trend(ys), trend([y + c for y in ys])
        assert (a.s, a.var_s, a.z, a.p_value) == (b.s, b.var_s, b.z, b.p_value)
        assert b.slope == pytest.approx(a.slope, abs=1e-9)
        assert b.intercept == pytest.approx(a.intercept + c, abs=1e-6)

    @given(series, st.sampled_from([0.5, 2.0, 3.0, 10.0]))
    def test_scaling_scales_the_slope(self, ys, c):
        a, b = trend(ys), trend([y * c for y in ys])
        assert (a.s, a.p_value) == (b.s, b.p_value)
        assert b.slope == pytest.approx(c * a.slope, abs=1e-9)
        if a.slope_low is not None:
            assert b.slope_low == pytest.approx(c * a.slope_low, abs=1e-9)

    @given(series)
    def test_reversing_flips_s_and_slope(self, ys):
        a, b = trend(ys), trend(ys[::-1])
        assert b.s == -a.s
        assert b.slope == -a.slope
        assert b.p_value == a.p_value

    @given(st.lists(st.integers(-1000, 1000), min_size=3, max_size=25, unique=True))
    def test_strictly_increasing_series_has_maximal_s(self, ys):
        n = len(ys)
        t = trend(sorted(ys))
        assert t.s == n * (n - 1) // 2
        assert t.tau == 1.0
        assert t.slope > 0

    @given(series)
    def test_p_value_is_a_probability(self, ys):
        t = trend(ys)
        assert 0.0 <= t.p_value <= 1.0
        assert -1.0 <= t.tau <= 1.0


class TestChange:
    def test_period_over_period_by_hand(self):
        # 90 → 99: +9, 9/90 = +10 %
        c = change([120, 100, 90, 99])
        assert (c.latest, c.previous, c.absolute) == (99.0, 90.0, 9.0)
        assert c.relative == pytest.approx(0.1)
        assert c.reason is None
        assert c.periods == 1

    def test_several_periods_back(self):
        # 120 → 99: -21, -21/120 = -17.5 %
        c = change([120, 100, 90, 99], periods=3)
        assert c.absolute == -21.0
        assert c.relative == pytest.approx(-0.175)

    def test_previous_zero_gives_no_relative_change_with_reason(self):
        c = change([3, 0, 5])
        assert c.absolute == 5.0
        assert c.relative is None
        assert c.reason == "previous value is 0; a relative change is undefined"

    def test_negative_previous_keeps_the_sign_of_the_change(self):
        # NPS -10 → -5 is a rise: +5 / |-10| = +50 %
        assert change([-10, -5]).relative == pytest.approx(0.5)

    def test_observations_carry_their_times(self):
        c = change(weekly([40, 42, 45], kpi="nps"))
        assert c.kpi == "nps"
        assert c.latest_at == datetime(2024, 1, 15, 9, tzinfo=UTC)
        assert c.previous_at == datetime(2024, 1, 8, 9, tzinfo=UTC)

    def test_too_few_values(self):
        with pytest.raises(InvalidInputError, match="at least 3 values, got 2"):
            change([1, 2], periods=2)

    @pytest.mark.parametrize("periods", [0, -1, 1.5, True])
    def test_bad_periods(self, periods):
        with pytest.raises(InvalidInputError, match="periods"):
            change([1, 2, 3], periods=periods)

    def test_repr_and_records(self):
        assert repr(change([80, 100, 110])) == "Change(110 vs 100: +10 (+10%))"
        assert repr(change([0, 5])) == "Change(5 vs 0: +5 (n/a))"
        (record,) = change([4, 5]).to_records()
        assert set(record) == set(Change.__dataclass_fields__)
        assert record["relative"] == 0.25


class TestSeasonalNaive:
    def test_forecast_repeats_the_last_season(self):
        # season 3, n = 6: h = 1, 2, 3 repeat indices 3, 4, 5; h = 4 wraps to 3
        f = seasonal_naive([10, 20, 30, 12, 22, 33], season=3, horizon=4)
        assert f.forecast == (12.0, 22.0, 33.0, 12.0)
        assert f.source == (3, 4, 5, 3)
        assert f.n == 6

    def test_mase_by_hand(self):
        # seasonal errors |12-10|, |22-20|, |33-30| → mean 7/3;
        # naive |diffs| 10, 10, 18, 10, 11 → mean 59/5; MASE = 35/177 = 0.1977
        f = seasonal_naive([10, 20, 30, 12, 22, 33], season=3)
        assert f.mase == pytest.approx((7 / 3) / (59 / 5))
        assert f.mase_reason is None

    def test_vs_last_season(self):
        # latest 33 vs 30 a season earlier: +3, +10 %
        f = seasonal_naive([10, 20, 30, 12, 22, 33], season=3)
        assert isinstance(f.vs_last_season, Change)
        assert f.vs_last_season.absolute == 3.0
        assert f.vs_last_season.relative == pytest.approx(0.1)
        assert f.vs_last_season.periods == 3

    def test_season_one_is_the_naive_forecast_with_mase_one(self):
        f = seasonal_naive([3, 5, 4, 8], season=1, horizon=3)
        assert f.forecast == (8.0, 8.0, 8.0)
        assert f.mase == pytest.approx(1.0)

    def test_exactly_one_season_has_no_comparison(self):
        f = seasonal_naive([1, 2, 3], season=3, horizon=2)
        assert f.forecast == (1.0, 2.0)
        assert f.vs_last_season is None
        assert f.mase is None
        assert f.mase_reason == "only 3 values: no in-sample fit for season=3"

    def test_constant_series_has_undefined_mase(self):
        f = seasonal_naive([4, 4, 4, 4], season=2)
        assert f.mase is None
        assert f.mase_reason == "the series never changes: the naive scale is 0"

    def test_observations(self):
        f = seasonal_naive(weekly([1, 2, 1, 2, 1, 3], kpi="wau"), season=2)
        assert f.kpi == "wau"
        assert f.forecast == (1.0,)

    def test_fewer_values_than_a_season(self):
        with pytest.raises(InvalidInputError, match="at least 4 values, got 3"):
            seasonal_naive([1, 2, 3], season=4)

    @pytest.mark.parametrize(("season", "horizon"), [(0, 1), (2, 0), (2.0, 1)])
    def test_bad_options(self, season, horizon):
        with pytest.raises(InvalidInputError, match=r"season|horizon"):
            seasonal_naive([1, 2, 3, 4], season=season, horizon=horizon)

    def test_repr_and_records(self):
        f = seasonal_naive([1, 2, 3, 4], season=2)
        assert repr(f) == "SeasonalNaive(season=2, n=4, forecast=(3,), MASE=2)"
        assert f.to_records() == [
            {"step": 1, "forecast": 3.0, "source": 2, "season": 2}
        ]
        assert isinstance(f, SeasonalNaive)

    @given(
        st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=30),
        st.integers(1, 6),
        st.integers(1, 15),
    )
    def test_forecast_values_come_from_the_last_season(self, ys, season, horizon):
        assume(len(ys) >= season)
        f = seasonal_naive(ys, season=season, horizon=horizon)
        n = len(ys)
        assert len(f.forecast) == horizon
        for h, (value, source) in enumerate(zip(f.forecast, f.source, strict=True), 1):
            assert n - season <= source < n
            assert (n - 1 + h - source) % season == 0
            assert value == ys[source]
