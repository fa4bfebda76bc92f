"""Cost of delay profiles, CD3, sequences; MoSCoW budgets and quadrants."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import productops as po
from productops import scoring


def test_cd3_reproduces_black_swan_farming() -> None:
    # Arnold, "CD3 and proportionality to outcomes": A CoD 10/wk, 2 weeks -> 5;
    # B CoD 30/wk, 4 weeks -> 7.5.
    np.testing.assert_allclose(
        scoring.cd3(cost_of_delay=[10, 30], duration=[2, 4]), [5, 7.5]
    )


def test_sequence_costs_match_black_swan_farming() -> None:
    # Same article: B before A loses 20 less than A before B (120 vs 100 of
    # outcome over six weeks); our delay costs are 200 and 180 (scoring.md [D]).
    a, b = scoring.CostOfDelay(rate=10), scoring.CostOfDelay(rate=30)
    assert scoring.sequence_delay_cost([a, b], durations=[2, 4]) == 200
    assert scoring.sequence_delay_cost([a, b], durations=[2, 4], order=[1, 0]) == 180


@given(
    st.lists(st.tuples(st.floats(0, 100), st.floats(0.1, 10)), min_size=1, max_size=5)
)
def test_highest_cd3_first_minimises_delay_cost_for_standard_urgency(
    jobs: list[tuple[float, float]],
) -> None:
    profiles = [scoring.CostOfDelay(rate=rate) for rate, _ in jobs]
    durations = [duration for _, duration in jobs]
    by_cd3 = np.argsort(
        -scoring.cd3(cost_of_delay=[r for r, _ in jobs], duration=durations),
        kind="stable",
    ).tolist()
    best = min(
        scoring.sequence_delay_cost(profiles, durations=durations, order=list(order))
        for order in itertools.permutations(range(len(jobs)))
    )
    cost = scoring.sequence_delay_cost(profiles, durations=durations, order=by_cd3)
    assert cost == pytest.approx(best, rel=1e-9, abs=1e-9)


def test_cd3_rejects_zero_duration() -> None:
    with pytest.raises(po.InvalidInputError, match="duration"):
        scoring.cd3(cost_of_delay=10, duration=0)


def test_fixed_date_costs_nothing_until_the_deadline() -> None:
    profile = scoring.CostOfDelay(
        rate=100, urgency="fixed_date", deadline=4, penalty=1000
    )
    np.testing.assert_allclose(profile.cost([0, 4, 5]), [0, 0, 1100])
    np.testing.assert_allclose(profile.rate_at([3, 4.5]), [0, 100])


def test_intangible_ramps_up() -> None:
    profile = scoring.CostOfDelay(rate=10, urgency="intangible", ramp=4)
    # integral of 10 t / 4 from 0 to 2 is 5; to 4 is 20; then 10 a week.
    np.testing.assert_allclose(profile.cost([2, 4, 6]), [5, 20, 40])
    assert profile.rate_at(8) == 10


def test_expedite_and_standard_are_linear() -> None:
    for urgency in ("expedite", "standard"):
        assert scoring.cost_of_delay(rate=50, delay=3, urgency=urgency) == 150


@given(st.sampled_from(list(scoring.Urgency)), st.floats(0, 50), st.floats(0, 50))
def test_delay_cost_never_falls_with_more_delay(
    urgency: scoring.Urgency, d1: float, d2: float
) -> None:
    extra = {
        scoring.Urgency.FIXED_DATE: {"deadline": 10.0, "penalty": 5.0},
        scoring.Urgency.INTANGIBLE: {"ramp": 7.0},
    }.get(urgency, {})
    profile = scoring.CostOfDelay(rate=3, urgency=urgency, **extra)  # type: ignore[arg-type]
    low, high = sorted((d1, d2))
    assert profile.cost(low) <= profile.cost(high) + 1e-12


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rate": 1, "urgency": "fixed_date"}, "needs a deadline"),
        ({"rate": 1, "urgency": "intangible"}, "needs a ramp"),
        ({"rate": 1, "deadline": 3}, "only a fixed-date profile"),
        ({"rate": -1}, "rate"),
        ({"rate": 1, "urgency": "someday"}, "urgency"),
    ],
)
def test_profiles_are_validated(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(po.InvalidInputError, match=message):
        scoring.CostOfDelay(**kwargs)  # type: ignore[arg-type]


def test_sequence_checks_its_order() -> None:
    a = scoring.CostOfDelay(rate=1)
    with pytest.raises(po.InvalidInputError, match="permutation"):
        scoring.sequence_delay_cost([a, a], durations=[1, 1], order=[0, 0])
    with pytest.raises(po.InvalidInputError, match="2 durations for 1"):
        scoring.sequence_delay_cost([a], durations=[1, 1])


def _item(key: str, category: str, effort: float) -> dict[str, object]:
    return {"key": key, "moscow": category, "effort": effort}


def test_moscow_flags_musts_above_sixty_percent() -> None:
    # DSDM: Must Haves above 60 % of the timebox effort put it at risk.
    budget = scoring.moscow(
        [_item("a", "must", 6.5), _item("b", "should", 2), _item("c", "could", 1.5)],
        capacity=10,
    )
    assert budget.shares[po.MoSCoW.MUST] == pytest.approx(0.65)
    assert not budget.within_limit
    assert "65% of capacity" in budget.findings[0]


def test_moscow_without_capacity_excludes_wont() -> None:
    budget = scoring.moscow(
        [
            _item("a", "must", 6),
            _item("b", "should", 2),
            _item("c", "could", 2),
            _item("d", "wont", 30),
        ]
    )
    assert budget.basis == 10
    assert budget.effort[po.MoSCoW.WONT] == 30
    assert budget.within_limit
    assert budget.findings == ()


def test_moscow_reports_over_capacity_and_thin_contingency() -> None:
    budget = scoring.moscow(
        [_item("a", "must", 5), _item("b", "should", 6)], capacity=10
    )
    assert budget.over_capacity
    assert any("below the 20%" in f for f in budget.findings)
    assert any("more than the capacity" in f for f in budget.findings)


def test_moscow_lists_every_bad_item() -> None:
    with pytest.raises(po.InvalidInputError) as info:
        scoring.moscow(
            [
                _item("a", "must", 1),
                _item("b", "maybe", 1),
                {"key": "c", "moscow": "could"},
            ]
        )
    assert "item 'b': moscow='maybe'" in str(info.value)
    assert "item 'c': effort=None" in str(info.value)


def test_moscow_reads_initiatives() -> None:
    items = [
        po.Initiative(key="I1", title="A", moscow="must", effort=3),
        po.Initiative(key="I2", title="B", moscow="could", effort=1),
    ]
    assert scoring.moscow(items).shares[po.MoSCoW.MUST] == 0.75


def test_quadrant_thresholds_count_as_high() -> None:
    assert (
        scoring.value_effort_quadrant(
            value=5, effort=5, value_threshold=5, effort_threshold=5
        )
        is scoring.Quadrant.BIG_BET
    )
    assert (
        scoring.value_effort_quadrant(
            value=4.9, effort=4.9, value_threshold=5, effort_threshold=5
        )
        is scoring.Quadrant.FILL_IN
    )


def test_quadrant_median_needs_several_items() -> None:
    with pytest.raises(po.InvalidInputError, match="median"):
        scoring.value_effort_quadrant(
            value=1,
            effort=1,
            value_threshold="median",
            effort_threshold=2,  # type: ignore[call-overload]
        )
    assert (
        scoring.value_effort_quadrant(
            value=[], effort=[], value_threshold="median", effort_threshold="median"
        )
        == []
    )
