"""Tests of productops.kpi XmR charts and run rules.

Published worked example: NIST/SEMATECH e-Handbook of Statistical Methods,
section 6.3.2.2 (individuals control chart, flow-rate data), as quoted in
/work/shared/reference/scoring.md section 13: mean 50.81, mean MR 1.8778,
UCL 55.8041, LCL 45.8159 with 3 MR/1.128, and 55.8049 with Wheeler's 2.66.
The run-rule cases below are hand-computed (the arithmetic is in comments).
"""

from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from productops import InvalidInputError
from productops.kpi import NIST_SCALE, WHEELER_SCALE, signals, xmr
from productops.model import Observation

NIST_FLOW = [49.6, 47.6, 49.9, 51.3, 47.8, 51.2, 52.6, 52.4, 53.6, 52.1]


def fired(values, **options):
    return [(s.rule, s.name, s.points) for s in signals(values, **options)]


class TestLimits:
    def test_nist_worked_example(self):
        chart = xmr(NIST_FLOW, limits="nist")
        assert chart.centre == pytest.approx(50.81)
        assert chart.mean_moving_range == pytest.approx(16.9 / 9)
        assert round(chart.mean_moving_range, 4) == 1.8778
        assert round(chart.ucl, 4) == 55.8041
        assert round(chart.lcl, 4) == 45.8159
        assert chart.moving_ranges == pytest.approx(
            [2.0, 2.3, 1.4, 3.5, 3.4, 1.4, 0.2, 1.2, 1.5]
        )
        assert chart.signals == ()
        assert chart.scale == NIST_SCALE

    def test_wheeler_factor_on_nist_data(self):
        chart = xmr(NIST_FLOW)
        assert chart.scale == WHEELER_SCALE == 2.66
        assert round(chart.ucl, 4) == 55.8049
        assert round(chart.lcl, 4) == 45.8151
        # URL = 3.268 x 1.87778 = 6.1366
        assert chart.mr_ucl == pytest.approx(3.268 * 16.9 / 9)
        assert chart.sigma == pytest.approx((chart.ucl - chart.centre) / 3)

    def test_observations_are_put_in_time_order(self):
        days = [date(2024, 1, d) for d in range(1, 11)]
        obs = [
            Observation(kpi="flow", value=v, period_start=d, period_end=d)
            for v, d in zip(NIST_FLOW, days, strict=True)
        ]
        chart = xmr(list(reversed(obs)), limits="nist")
        assert chart.values == tuple(NIST_FLOW)
        assert round(chart.ucl, 4) == 55.8041

    def test_records(self):
        records = xmr([1, 3, 2]).to_records()
        assert [r["moving_range"] for r in records] == [None, 2.0, 1.0]
        assert {r["centre"] for r in records} == {2.0}


class TestWesternElectric:
    def test_rule_1_beyond_limits(self):
        # mean 9.33, MR mean (7 + 34) / 8 = 5.125, UCL 9.33 + 13.63 = 22.97 < 40;
        # the spike also puts the eight points before it below the centre.
        assert fired([5, 6, 5, 6, 5, 6, 5, 6, 40]) == [
            (4, "run", tuple(range(8))),
            (1, "beyond_limits", (8,)),
        ]

    def test_rule_3_four_of_five(self):
        # 25 points: mean 16.7/25 = 0.668; MR sum 19 + 2.6 = 21.6 over 24 -> 0.9;
        # sigma = 2.66 * 0.9 / 3 = 0.798; 1 sigma line 1.466 < 1.6, 1.7, 1.8, 1.6;
        # 2 sigma line 2.264 is never crossed.
        values = [0, 1] * 10 + [1.6, 1.7, 1.8, 1.6, 0]
        assert fired(values) == [(3, "four_of_five", (20, 21, 22, 23))]

    def test_rules_2_and_4(self):
        # mean 33/18 = 1.833, MR mean 1.2, sigma 1.064: 6 and 7 are beyond 3
        # sigma (5.03), 5, 6, 7 beyond 2 sigma (3.96); the tail 0,1,... is 8 below.
        values = [0, 1, 0, 1, 2, 3, 4, 5, 6, 7] + [0, 1] * 4
        result = fired(values)
        assert (2, "two_of_three", (7, 8, 9)) in result
        assert (1, "beyond_limits", (8,)) in result
        assert (1, "beyond_limits", (9,)) in result
        assert (4, "run", tuple(range(10, 18))) in result

    def test_signal_names_the_rule_and_points(self):
        (_, signal) = signals([5, 6, 5, 6, 5, 6, 5, 6, 40])
        assert signal.rule_set == "western_electric"
        assert signal.description == (
            "western_electric rule 1: 1 point(s) above the 3-sigma limit (point 8)"
        )


class TestNelson:
    def test_rule_3_trend(self):
        values = [0, 1, 0, 1, 2, 3, 4, 5, 6, 7] + [0, 1] * 4
        assert (3, "trend", tuple(range(2, 10))) in fired(values, rules="nelson")

    def test_rules_4_and_7_alternating_and_hugging(self):
        # mean 0.55, MR 0.1, sigma 0.0887: every point is 0.56 sigma from centre
        result = fired([0.5, 0.6] * 8, rules="nelson")
        assert result == [
            (4, "alternating", tuple(range(16))),
            (7, "stratification", tuple(range(16))),
        ]

    def test_rule_8_mixture(self):
        # 3 jumps of 10 over 15 ranges: MR 2, sigma 1.773, every point 2.82 sigma
        values = [0] * 4 + [10] * 4 + [0] * 4 + [10] * 4
        assert (8, "mixture", tuple(range(16))) in fired(values, rules="nelson")
        assert all(r != 8 for r, _, _ in fired([0] * 4 + [10] * 3, rules="nelson"))

    def test_run_of_8_is_a_western_electric_run_but_not_a_nelson_run(self):
        # mean 6.8 / 20 = 0.34: points 6-13 (0.1) are below, 5 and 14 (1) above
        values = [0, 1] * 3 + [0.1] * 8 + [1, 0] * 3
        run = (4, "run", tuple(range(6, 14)))
        assert fired(values) == [run]
        assert fired(values, rules="nelson") == []
        assert fired(values, rules="nelson", run_length=8) == [
            (2, "run", tuple(range(6, 14)))
        ]
        assert fired(values, run_length=9) == []


class TestErrors:
    def test_too_few(self):
        with pytest.raises(InvalidInputError, match="at least 2"):
            xmr([1.0])

    def test_names_every_bad_value(self):
        with pytest.raises(InvalidInputError) as info:
            xmr([1.0, math.nan, "x", math.inf])  # type: ignore[list-item]
        message = str(info.value)
        assert "data[1]" in message
        assert "data[2]" in message
        assert "data[3]" in message

    def test_bad_options(self):
        with pytest.raises(InvalidInputError) as info:
            xmr([1, 2], rules="iso", run_length=1, limits="x")  # type: ignore[arg-type]
        message = str(info.value)
        assert "rules" in message
        assert "run_length" in message
        assert "limits" in message

    def test_several_kpis(self):
        obs = [Observation(kpi=k, value=1, at="2024-01-01T00:00:00Z") for k in "ab"]
        with pytest.raises(InvalidInputError, match="several KPIs"):
            xmr(obs)


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@given(st.lists(finite, min_size=2, max_size=40))
def test_limits_bracket_the_centre_symmetrically(values):
    chart = xmr(values)
    assert chart.lcl <= chart.centre <= chart.ucl
    assert chart.ucl - chart.centre == pytest.approx(chart.centre - chart.lcl)
    assert len(chart.moving_ranges) == len(values) - 1


@given(
    st.lists(st.integers(-1000, 1000), min_size=2, max_size=40),
    st.integers(-1000, 1000),
    st.sampled_from(["western_electric", "nelson"]),
)
def test_signals_do_not_change_with_a_shift(values, shift, rules):
    # integers keep the arithmetic exact enough that no point moves across a line
    base = fired([v * 8 for v in values], rules=rules)
    moved = fired([v * 8 + shift * 8 for v in values], rules=rules)
    assert base == moved


@given(st.lists(finite, min_size=2, max_size=40))
def test_every_signal_point_is_on_the_chart(values):
    chart = xmr(values, rules="nelson")
    for signal in chart.signals:
        assert signal.points == tuple(sorted(signal.points))
        assert all(0 <= p < len(values) for p in signal.points)
        assert signal.rule in range(1, 9)
