"""Ranking: order, ties, unscored items, and ranking sensitivity."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import productops as po
from productops import scoring


def _intercom() -> list[po.Initiative]:
    # McBride, "RICE: Simple prioritization for product managers" (Intercom, 2016).
    return [
        po.Initiative(
            key="P1", title="One", reach=450, impact=3, confidence=1.0, effort=2
        ),
        po.Initiative(
            key="P2", title="Two", reach=2000, impact=1, confidence=0.8, effort=4
        ),
        po.Initiative(
            key="P3", title="Three", reach=800, impact=2, confidence=0.5, effort=1
        ),
    ]


def test_rank_by_rice_orders_the_intercom_projects() -> None:
    ranking = scoring.rank(_intercom(), by="rice")
    assert [(e.rank, e.label, e.score) for e in ranking] == [
        (1, "P3", 800.0),
        (2, "P1", 675.0),
        (3, "P2", 400.0),
    ]
    assert ranking[0].item is _intercom_first(ranking)


def _intercom_first(ranking: scoring.Ranking[po.Initiative]) -> po.Initiative | None:
    return ranking[0].item


def test_rank_by_wsjf_and_by_formula_agree_with_the_functions() -> None:
    items = [
        {
            "key": "a",
            "business_value": 8,
            "time_criticality": 5,
            "risk_reduction": 3,
            "job_size": 5,
        },
        {
            "key": "b",
            "business_value": 3,
            "time_criticality": 1,
            "risk_reduction": 1,
            "job_size": 1,
        },
    ]
    by_name = scoring.rank(items, by="wsjf")
    by_formula = scoring.rank(
        items, by="(business_value + time_criticality + risk_reduction) / job_size"
    )
    assert [e.label for e in by_name] == ["b", "a"]
    np.testing.assert_allclose(by_name.scores, by_formula.scores)


def test_ties_share_the_better_rank_and_keep_input_order() -> None:
    items = [
        {"key": k, "x": x}
        for k, x in [("a", 1), ("b", 3), ("c", 2), ("d", 3), ("e", 2)]
    ]
    ranking = scoring.rank(items, by="x")
    assert [(e.label, e.rank, e.tied) for e in ranking] == [
        ("b", 1, True),
        ("d", 1, True),
        ("c", 3, True),
        ("e", 3, True),
        ("a", 5, False),
    ]
    assert ranking.ties == (("b", "d"), ("c", "e"))


def test_tie_break_fields_and_callables() -> None:
    items = [
        {"key": "a", "x": 3, "size": 5, "cod": 1},
        {"key": "b", "x": 3, "size": 2, "cod": 1},
        {"key": "c", "x": 3, "size": 2, "cod": 9},
    ]
    assert [e.label for e in scoring.rank(items, by="x", tie_break="size")] == [
        "b",
        "c",
        "a",
    ]
    assert [
        e.label for e in scoring.rank(items, by="x", tie_break=["-cod", "size"])
    ] == [
        "c",
        "b",
        "a",
    ]
    assert [
        e.label for e in scoring.rank(items, by="x", tie_break=lambda i: -i["size"])
    ] == ["a", "b", "c"]
    # Still reported as a tie: the tie-break orders, it does not separate scores.
    assert scoring.rank(items, by="x", tie_break="size").ties == (("b", "c", "a"),)


def test_tolerance_groups_near_equal_scores() -> None:
    ranking = scoring.rank(
        {"key": ["a", "b", "c"], "x": [1.0, 1.0005, 3.0]}, by="x", tolerance=0.001
    )
    assert ranking.ties == (("b", "a"),)
    assert [e.rank for e in ranking] == [1, 2, 2]


def test_ascending_order() -> None:
    ranking = scoring.rank({"x": [3, 1, 2]}, by="x", descending=False)
    assert [e.label for e in ranking] == ["#1", "#2", "#0"]


def test_missing_inputs_raise_naming_every_item() -> None:
    items = [*_intercom(), po.Initiative(key="P4", title="Four", reach=10)]
    items.append(po.Initiative(key="P5", title="Five", reach=10, impact=1))
    with pytest.raises(po.InvalidInputError) as info:
        scoring.rank(items, by="rice")
    message = str(info.value)
    assert "item 'P4': no impact, confidence, effort" in message
    assert "item 'P5': no confidence, effort" in message


def test_missing_inputs_can_rank_last() -> None:
    items = [*_intercom(), po.Initiative(key="P4", title="Four", reach=10)]
    ranking = scoring.rank(items, by="rice", missing="last")
    assert [e.label for e in ranking][-1] == "P4"
    assert ranking[-1].rank is None
    assert ranking[-1].score is None
    assert ranking.unscored == ("P4",)
    assert len(ranking) == 4


def test_bad_values_are_named_by_key() -> None:
    items = [
        {"key": "ok", "reach": 1, "impact": 1, "confidence": 1, "effort": 1},
        {"key": "zero", "reach": 1, "impact": 1, "confidence": 1, "effort": 0},
    ]
    with pytest.raises(po.InvalidInputError, match=r"'zero' \(0\)"):
        scoring.rank(items, by="rice")


def test_callables_and_precomputed_scores() -> None:
    items = [{"key": "a", "x": 1}, {"key": "b", "x": 2}, {"key": "c", "x": None}]
    ranking = scoring.rank(
        items, by=lambda i: None if i["x"] is None else -i["x"], missing="last"
    )
    assert [e.label for e in ranking] == ["a", "b", "c"]
    with pytest.raises(po.InvalidInputError, match="returned None for 'c'"):
        scoring.rank(items, by=lambda i: i["x"])
    assert [e.label for e in scoring.rank(items, by=[3, 1, 2])] == ["a", "c", "b"]
    with pytest.raises(po.InvalidInputError, match="2 scores for 3 items"):
        scoring.rank(items, by=[1, 2])


def test_columnar_input_and_dataframes() -> None:
    pd = pytest.importorskip("pandas")
    table = {"key": ["a", "b"], "value": [1.0, 5.0], "effort": [1.0, 2.0]}
    from_dict = scoring.rank(table, by="value / effort")
    from_frame = scoring.rank(pd.DataFrame(table), by="value / effort")
    assert [e.label for e in from_dict] == [e.label for e in from_frame] == ["b", "a"]
    assert from_dict[0].item is None


def test_empty_backlog() -> None:
    ranking = scoring.rank([], by="rice")
    assert len(ranking) == 0
    assert ranking.ties == ()
    assert ranking.to_records() == []


def test_records_and_repr() -> None:
    ranking = scoring.rank(_intercom(), by="rice")
    assert ranking.to_records()[0] == {
        "rank": 1,
        "key": "P3",
        "score": 800.0,
        "tied": False,
    }
    assert "P3 (800)" in repr(ranking)


@given(st.lists(st.integers(0, 5), min_size=0, max_size=30))
def test_rank_is_a_stable_sort_with_competition_ranks(values: list[int]) -> None:
    ranking = scoring.rank({"x": values}, by="x")
    expected = sorted(range(len(values)), key=lambda p: (-values[p], p))
    assert ranking.order.tolist() == expected
    for entry in ranking:
        assert entry.rank == 1 + sum(v > values[entry.position] for v in values)


# Ranking sensitivity -------------------------------------------------------------

HAND = {"key": ["A", "B", "C"], "value": [9.0, 6.0, 2.0], "cost": [8.0, 2.0, 1.0]}


def test_weight_changes_by_hand() -> None:
    # Raw weighted sum, value=1, cost=-1: A 1, B 4, C 1 -> top 1 is B.
    # Moving the value weight w: A = 9w - 8 passes B = 6w - 2 at w = 2 (up);
    # C = 2w - 1 passes B at w = 0.25 (down).
    # Moving the cost weight c: A = 9 + 8c passes B = 6 + 2c at c = -0.5 (up);
    # C = 2 + c passes B at c = -4 (down).
    result = scoring.sensitivity(
        HAND, weights={"value": 1, "cost": -1}, top=1, normalise="none"
    )
    value, cost = result.weight_changes
    assert (value.down, value.up) == pytest.approx((0.25, 2.0))
    assert value.up_swap == ("A", "B")
    assert value.down_swap == ("C", "B")
    assert (cost.down, cost.up) == pytest.approx((-4.0, -0.5))
    assert result.smallest_change is cost
    assert cost.smallest == pytest.approx(0.5)


def test_formula_weights_linear_and_searched_agree() -> None:
    # The same model as a formula (linear in w) and with w entering non-linearly
    # through exp(log(w)) -- the bracketing search must find the same values.
    linear = scoring.sensitivity(
        HAND, score="w * value - cost", weights={"w": 1.0}, top=1
    )
    curved = scoring.sensitivity(
        HAND, score="(w ** 3) ** (1 / 3) * value - cost", weights={"w": 1.0}, top=1
    )
    (a,), (b,) = linear.weight_changes, curved.weight_changes
    assert (a.down, a.up) == pytest.approx((0.25, 2.0))
    assert b.down == pytest.approx(0.25, rel=1e-6)
    assert b.up == pytest.approx(2.0, rel=1e-6)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 20), st.integers(0, 20)),
        min_size=3,
        max_size=8,
        unique=True,
    ),
    st.integers(1, 2),
    st.sampled_from([0.5, 1.0, 2.0]),
)
def test_the_reported_change_is_where_the_top_k_first_changes(
    rows: list[tuple[int, int]], k: int, w: float
) -> None:
    table = {"a": [float(r[0]) for r in rows], "b": [float(r[1]) for r in rows]}
    result = scoring.sensitivity(
        table, weights={"a": w, "b": 1.0}, top=k, normalise="none"
    )
    change = result.weight_changes[0]

    def top(weight: float) -> set[int]:
        scores = weight * np.array(table["a"]) + np.array(table["b"])
        return set(np.argsort(-scores, kind="stable")[:k].tolist())

    base = top(w)
    for bound, sign in ((change.up, 1), (change.down, -1)):
        if bound is None:
            assert top(w + sign * 1e6) == base
            continue
        gap = abs(bound - w)
        if gap > 1e-9:
            assert top(w + sign * gap * 0.999) == base
        assert top(w + sign * (gap + 1e-6)) != base


def test_monte_carlo_probabilities_sum_to_k_and_are_seeded() -> None:
    table = {
        "key": list("ABCDEF"),
        "value": [9, 8, 7, 6, 5, 4],
        "effort": [3, 3, 3, 3, 3, 3],
    }
    run = {
        "score": "value / effort",
        "top": 3,
        "vary_inputs": {"effort": (0.5, 2.0)},
        "trials": 3_000,
        "seed": 11,
    }
    first = scoring.sensitivity(table, **run)  # type: ignore[arg-type]
    again = scoring.sensitivity(table, **run)  # type: ignore[arg-type]
    np.testing.assert_array_equal(first.probabilities, again.probabilities)
    assert first.probabilities.sum() == pytest.approx(3.0)
    assert first.top == ("A", "B", "C")
    # A is the most likely to stay; F the least likely to enter.
    assert first.probability("A") == first.probabilities.max()
    assert first.probability("F") == first.probabilities.min()
    assert first.fragile(below=0.99)
    assert "D" in first.contenders(above=0.05)


def test_nothing_varied_gives_certainty() -> None:
    result = scoring.sensitivity(HAND, weights={"value": 1, "cost": -1}, top=2)
    assert result.trials == 0
    assert sorted(result.probabilities.tolist()) == [0.0, 1.0, 1.0]


def test_weight_uncertainty_moves_probabilities() -> None:
    # With the value weight anywhere in (0.5, 3), A wins the top spot whenever
    # w > 2, i.e. 40 % of the range; C never wins (it only wins below 0.25).
    result = scoring.sensitivity(
        HAND,
        weights={"value": 1, "cost": -1},
        vary_weights={"value": (0.5, 3.0)},
        top=1,
        normalise="none",
        trials=20_000,
        seed=3,
    )
    assert result.probability("A") == pytest.approx(0.4, abs=0.02)
    assert result.probability("C") == 0.0


def test_per_item_ranges_and_samplers() -> None:
    table = {
        "key": ["A", "B"],
        "value": [10.0, 9.0],
        "low": [9.0, 5.0],
        "high": [11.0, 20.0],
    }
    ranged = scoring.sensitivity(
        table,
        score="value",
        top=1,
        vary_inputs={"value": ("low", "high")},
        trials=20_000,
        seed=1,
    )
    # B ~ U(5, 20) beats A ~ U(9, 11) with probability ~ 0.6 (9/15 above 11, plus
    # the overlap 9..11 where each wins half) = 0.6 + 0.5 * 2/15 * ... ; just
    # check it is neither certain nor negligible and the draws respect bounds.
    assert 0.4 < ranged.probability("B") < 0.8

    class Doubler:
        def sample(self, size: int, rng: np.random.Generator) -> np.ndarray:
            return np.where(rng.random(size) < 0.5, 1.0, 0.1)

    sampled = scoring.sensitivity(
        table,
        score="value",
        top=1,
        vary_inputs={"value": Doubler()},
        trials=4_000,
        seed=2,
    )
    # B wins when A is shrunk and B is not: 1/4 of the time.
    assert sampled.probability("B") == pytest.approx(0.25, abs=0.03)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"top": 0}, "top"),
        ({"top": 4}, "top"),
        ({"vary_weights": {"speed": (0, 1)}}, "not weights"),
        ({"vary_inputs": {"speed": (0, 1)}}, "not inputs"),
        ({"vary_inputs": {"value": (2, 1)}}, "increasing"),
        ({"vary_inputs": {"value": ("value", "cost")}}, "does not hold for 'A'"),
        ({"normalise": "log"}, "normalise"),
        ({"trials": 0, "vary_inputs": {"value": (1, 2)}}, "trials"),
    ],
)
def test_sensitivity_rejects_bad_arguments(
    kwargs: dict[str, object], message: str
) -> None:
    arguments: dict[str, object] = {"weights": {"value": 1, "cost": -1}, "top": 1}
    arguments.update(kwargs)
    with pytest.raises(po.InvalidInputError, match=message):
        scoring.sensitivity(HAND, **arguments)  # type: ignore[arg-type]


def test_sensitivity_records() -> None:
    result = scoring.sensitivity(HAND, weights={"value": 1, "cost": -1}, top=1)
    assert result.to_records()[1] == {"key": "B", "in_top": True, "probability": 1.0}
    assert "top 1 of 3" in repr(result)
