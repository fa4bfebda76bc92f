"""Tests of productops.kpi driver trees: build, evaluate, contribution, sensitivity.

Expected values are computed by hand in the comments. Shapley (1953): for a
node f(x_1..x_n), child i gets sum over S not containing i of
|S|! (n - |S| - 1)! / n! * (f(S + i after) - f(S after)), the others before.
LMDI-I (Ang 2005, "The LMDI approach to decomposition analysis: a practical
guide", Energy Policy 33, 867-871, eq. for V = prod x_i):
dV_i = L(V1, V0) * ln(x_i1 / x_i0), L(a, b) = (a - b) / (ln a - ln b).
"""

from __future__ import annotations

import math
from typing import Any

import networkx as nx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from productops import InvalidInputError
from productops.kpi._drivers import (
    Contribution,
    DriverSensitivity,
    DriverTree,
    contribution,
    driver_sensitivity,
    driver_tree,
)

METHODS = ["shapley", "lmdi", "sequential"]

REVENUE = driver_tree({"revenue": ("product", ["users", "conversion", "arpu"])})
# revenue 1000 * 0.05 * 20 = 1000 before; 1200 * 0.055 * 25 = 1650 after.
BEFORE = {"users": 1000, "conversion": 0.05, "arpu": 20}
AFTER = {"users": 1200, "conversion": 0.055, "arpu": 25}

# A mixed tree: sum, product, ratio and a formula node.
MIXED = driver_tree(
    {
        "revenue": ("product", ["users", "conversion", "arpu"]),
        "users": ("sum", ["new", "returning"]),
        "conversion": ("orders / visits", ["orders", "visits"]),
        "arpu": ("ratio", ["billings", "buyers"]),
    }
)


# -- building and validating ------------------------------------------------------


def test_driver_tree_root_leaves_and_order():
    assert MIXED.root == "revenue"
    assert MIXED.leaves == (
        "new",
        "returning",
        "orders",
        "visits",
        "billings",
        "buyers",
    )
    assert MIXED.nodes[0] == "revenue"
    assert MIXED.children["arpu"] == ("billings", "buyers")


def test_from_edges_equals_driver_tree():
    tree = DriverTree.from_edges(
        [("revenue", "users"), ("revenue", "conversion"), ("revenue", "arpu")],
        rules={"revenue": "product"},
    )
    assert tree == REVENUE


def test_graph_is_a_copy_with_rules_and_positions():
    graph = MIXED.graph
    assert isinstance(graph, nx.DiGraph)
    assert graph.nodes["arpu"]["rule"] == "ratio"
    assert graph.edges["arpu", "buyers"]["position"] == 1
    graph.add_edge("new", "x")
    assert "x" not in MIXED.graph


def test_every_problem_listed_in_one_error():
    with pytest.raises(InvalidInputError) as info:
        DriverTree.from_edges(
            [
                ("a", "b"),
                ("b", "c"),
                ("c", "b"),
                ("r", "x"),
                ("r", "y"),
                ("r", "z"),
                ("f", "p"),
                ("f", "q"),
            ],
            rules={"a": "sum", "b": "sum", "c": "sum", "r": "ratio", "f": "p * w"},
        )
    text = str(info.value)
    assert "cycle: 'b' -> 'c' -> 'b'" in text
    assert "3 roots, expected one: 'a', 'r', 'f'" in text
    assert "a ratio needs exactly 2 children" in text
    assert "reads 'w', not children of 'f'" in text
    assert "does not use 'q'" in text


def test_missing_rule_and_rule_on_leaf_and_bad_formula():
    with pytest.raises(InvalidInputError) as info:
        DriverTree.from_edges(
            [("r", "a"), ("r", "m"), ("m", "b")],
            rules={"a": "sum", "m": "b +", "ghost": "sum"},
        )
    text = str(info.value)
    assert "node 'r' has children but no rule" in text
    assert "node 'a' has a rule but no children" in text
    assert "node 'm': formula does not compile" in text
    assert "rules for nodes not in any edge: 'ghost'" in text


def test_driver_tree_rejects_malformed_entries():
    with pytest.raises(InvalidInputError) as info:
        driver_tree({"r": ("sum", "ab"), "s": ("sum", [])})
    assert "node 'r': expected (rule, [children...])" in str(info.value)
    assert "node 's': no children" in str(info.value)


def test_no_edges_is_an_error():
    with pytest.raises(InvalidInputError, match="no edges"):
        DriverTree.from_edges([], rules={})


def test_repeated_edge_is_an_error():
    with pytest.raises(InvalidInputError, match="'r' -> 'a' is given twice"):
        DriverTree.from_edges([("r", "a"), ("r", "a")], rules={"r": "sum"})


def test_bad_edges_and_rules_are_listed():
    edges: list[Any] = [("r", "a"), ("r",), ("r", ""), ["r", "b"], ("s", "c")]
    rules: dict[str, Any] = {"r": "sum", "s": 3}
    with pytest.raises(InvalidInputError) as info:
        DriverTree.from_edges(edges, rules=rules)
    text = str(info.value)
    assert "edge #1: expected (parent, child), got ('r',)" in text
    assert "edge #2: node names must be non-empty strings, got ''" in text
    assert "node 's': rule must be a non-empty string, got 3" in text


def test_list_edges_are_accepted():
    tree = DriverTree.from_edges([["r", "a"], ["r", "b"]], rules={"r": "sum"})
    assert tree.leaves == ("a", "b")


# -- evaluate --------------------------------------------------------------------


def test_evaluate_mixed_tree():
    values = MIXED.evaluate(
        {
            "new": 400,
            "returning": 600,
            "orders": 50,
            "visits": 1000,
            "billings": 2000,
            "buyers": 100,
        }
    )
    # users 1000, conversion 0.05, arpu 20 -> revenue 1000
    assert values["users"] == 1000
    assert values["conversion"] == pytest.approx(0.05)
    assert values["arpu"] == 20
    assert values["revenue"] == pytest.approx(1000)
    assert set(values) == set(MIXED.nodes)


def test_evaluate_lists_every_bad_value():
    with pytest.raises(InvalidInputError) as info:
        REVENUE.evaluate({"users": float("nan"), "revenue": 3, "zzz": 1})
    text = str(info.value)
    assert "missing leaves: 'conversion', 'arpu'" in text
    assert "not leaves (computed by the tree): 'revenue'" in text
    assert "not nodes of the tree: 'zzz'" in text
    assert "not finite numbers: users=nan" in text


def test_evaluate_ratio_over_zero_names_node():
    tree = driver_tree({"arpu": ("ratio", ["billings", "buyers"])})
    with pytest.raises(InvalidInputError, match="node 'arpu': ratio over zero"):
        tree.evaluate({"billings": 1, "buyers": 0})


def test_evaluate_formula_error_names_node():
    tree = driver_tree({"x": ("log(a)", ["a"])})
    with pytest.raises(InvalidInputError, match="node 'x': formula 'log"):
        tree.evaluate({"a": -1})


def test_evaluate_overflow_names_node():
    tree = driver_tree({"y": ("product", ["a", "b"])})
    with pytest.raises(InvalidInputError, match="node 'y': product overflows"):
        tree.evaluate({"a": 1e200, "b": 1e200})


def test_evaluate_needs_a_mapping():
    with pytest.raises(InvalidInputError, match="leaf_values: expected a mapping"):
        REVENUE.evaluate([1, 2, 3])  # type: ignore[arg-type]


# -- contribution: hand-computed cases ---------------------------------------------


def test_two_factor_shapley_is_average_of_the_other_factor():
    # a*b: a 100 -> 120, b 10 -> 11. Shapley: da * (b0 + b1) / 2 = 20 * 10.5 = 210,
    # db * (a0 + a1) / 2 = 1 * 110 = 110; total 1320 - 1000 = 320.
    tree = driver_tree({"revenue": ("product", ["a", "b"])})
    c = contribution(tree, {"a": 100, "b": 10}, {"a": 120, "b": 11})
    assert c.leaves == {"a": pytest.approx(210), "b": pytest.approx(110)}
    assert c.change == pytest.approx(320)


def test_three_factor_shapley_by_hand():
    # n = 3: weights 1/3 (|S| = 0), 1/6 (|S| = 1), 1/3 (|S| = 2).
    # users: 200 * [1/3 * 0.05*20 + 1/6 * (0.055*20 + 0.05*25) + 1/3 * 0.055*25]
    #      = 200 * (2 + 2.35 + 2.75) / 6 = 1420 / 6 = 236.667
    # conversion: 0.005 * [20000/3 + (24000 + 25000)/6 + 30000/3] = 745 / 6
    # arpu: 5 * [50/3 + (60 + 55)/6 + 66/3] = 5 * 347 / 6 = 1735 / 6
    # sum = 3900 / 6 = 650 = 1650 - 1000.
    c = contribution(REVENUE, BEFORE, AFTER)
    assert c.leaves["users"] == pytest.approx(1420 / 6)
    assert c.leaves["conversion"] == pytest.approx(745 / 6)
    assert c.leaves["arpu"] == pytest.approx(1735 / 6)
    assert c.change == pytest.approx(650)
    assert [leaf for leaf, _ in c.largest()] == ["arpu", "users", "conversion"]


def test_three_factor_lmdi_by_hand():
    # L(1650, 1000) = 650 / ln 1.65; part_i = L * ln(x_i1 / x_i0):
    # users 650 ln1.2 / ln1.65 = 236.66, conversion 650 ln1.1 / ln1.65 = 123.71,
    # arpu 650 ln1.25 / ln1.65 = 289.63 (Ang 2005, LMDI-I additive).
    c = contribution(REVENUE, BEFORE, AFTER, method="lmdi")
    weight = 650 / math.log(1.65)
    assert c.leaves["users"] == pytest.approx(weight * math.log(1.2))
    assert c.leaves["conversion"] == pytest.approx(weight * math.log(1.1))
    assert c.leaves["arpu"] == pytest.approx(weight * math.log(1.25))
    assert c.leaves["users"] == pytest.approx(236.66, abs=0.01)
    assert c.leaves["conversion"] == pytest.approx(123.71, abs=0.01)
    assert c.leaves["arpu"] == pytest.approx(289.63, abs=0.01)


def test_sequential_by_hand_and_order_dependence():
    # users first: 200 * 0.05 * 20 = 200; then conversion: 1200 * 0.005 * 20 = 120;
    # then arpu: 1200 * 0.055 * 5 = 330. Sum 650.
    c = contribution(REVENUE, BEFORE, AFTER, method="sequential")
    assert c.leaves == {
        "users": pytest.approx(200),
        "conversion": pytest.approx(120),
        "arpu": pytest.approx(330),
    }
    # arpu first: 1000 * 0.05 * 5 = 250; then users: 200 * 0.05 * 25 = 250;
    # then conversion: 1200 * 0.005 * 25 = 150.
    c = contribution(REVENUE, BEFORE, AFTER, method="sequential", order=["arpu"])
    assert c.leaves == {
        "users": pytest.approx(250),
        "conversion": pytest.approx(150),
        "arpu": pytest.approx(250),
    }


def test_ratio_lmdi_gives_divisor_the_negative():
    # arpu = billings / buyers: 2000/100 = 20 -> 3000/120 = 25.
    # L(25, 20) = 5 / ln 1.25; billings L ln 1.5, buyers -L ln 1.2.
    tree = driver_tree({"arpu": ("ratio", ["billings", "buyers"])})
    c = contribution(
        tree,
        {"billings": 2000, "buyers": 100},
        {"billings": 3000, "buyers": 120},
        method="lmdi",
    )
    weight = 5 / math.log(1.25)
    assert c.leaves["billings"] == pytest.approx(weight * math.log(1.5))
    assert c.leaves["buyers"] == pytest.approx(-weight * math.log(1.2))


def test_sum_decomposes_exactly_per_child():
    # users = new + returning: 400 + 600 -> 500 + 700, d = 100 each.
    before = {"new": 400, "returning": 600, "conversion": 0.05, "arpu": 20}
    after = {"new": 500, "returning": 700, "conversion": 0.05, "arpu": 20}
    tree = driver_tree(
        {
            "revenue": ("product", ["users", "conversion", "arpu"]),
            "users": ("sum", ["new", "returning"]),
        }
    )
    for method in METHODS:
        c = contribution(tree, before, after, method=method)  # type: ignore[arg-type]
        locals_ = {s.child: s.local for s in c.splits if s.parent == "users"}
        assert locals_ == {"new": 100, "returning": 100}
        # revenue change = 200 * 0.05 * 20 = 200, all through users, half each.
        assert c.leaves["new"] == pytest.approx(100)
        assert c.leaves["returning"] == pytest.approx(100)
        assert c.nodes["users"] == pytest.approx(200)


def test_lmdi_is_consistent_in_aggregation():
    # (a * b) * c split top down equals the flat product a * b * c (Ang 2005).
    nested = driver_tree({"y": ("product", ["ab", "c"]), "ab": ("product", ["a", "b"])})
    flat = driver_tree({"y": ("product", ["a", "b", "c"])})
    before, after = {"a": 2, "b": 3, "c": 5}, {"a": 3, "b": 2.5, "c": 7}
    deep = contribution(nested, before, after, method="lmdi").leaves
    wide = contribution(flat, before, after, method="lmdi").leaves
    assert dict(deep) == pytest.approx(dict(wide))


def test_lmdi_rejects_non_positive_values_naming_each_node():
    tree = driver_tree(
        {"y": ("product", ["a", "m"]), "m": ("ratio", ["p", "q"])},
    )
    with pytest.raises(InvalidInputError) as info:
        contribution(
            tree,
            {"a": -1, "p": 1, "q": 2},
            {"a": 1, "p": 0, "q": 2},
            method="lmdi",
        )
    text = str(info.value)
    assert "node 'y': 'a' is -1 before" in text
    assert "node 'm': 'p' is 0 after" in text


def test_lmdi_falls_back_to_shapley_for_formulas_and_says_so():
    tree = driver_tree({"y": ("a * a + b", ["a", "b"])})
    c = contribution(tree, {"a": 1, "b": 1}, {"a": 2, "b": 3}, method="lmdi")
    assert c.notes == (
        "node 'y': formula rule, split by Shapley (LMDI has a form only for "
        "products and ratios)",
    )
    assert c.splits[0].method == "shapley"
    assert c.leaves == {"a": pytest.approx(3), "b": pytest.approx(2)}


def test_unchanged_node_passes_nothing_down():
    # users = new + returning stays 1000 (new +100, returning -100): revenue moves
    # only through arpu, and new/returning get 0 at the root.
    tree = driver_tree(
        {"revenue": ("product", ["users", "arpu"]), "users": ("sum", ["n", "r"])}
    )
    c = contribution(
        tree, {"n": 400, "r": 600, "arpu": 2}, {"n": 500, "r": 500, "arpu": 3}
    )
    assert c.leaves == {"n": 0, "r": 0, "arpu": pytest.approx(1000)}
    assert [s.local for s in c.splits if s.parent == "users"] == [100, -100]


def test_shared_leaf_collects_parts_over_every_path():
    # y = a + m, m = a * b: a 1 -> 2, b 3 -> 3: y = 4 -> 8; a gets 1 + 3 = 4.
    tree = driver_tree({"y": ("sum", ["a", "m"]), "m": ("product", ["a", "b"])})
    c = contribution(tree, {"a": 1, "b": 3}, {"a": 2, "b": 3})
    assert c.leaves == {"a": pytest.approx(4), "b": 0}


def test_contribution_records_and_repr():
    c = contribution(REVENUE, BEFORE, AFTER)
    rows = c.to_records()
    assert [r["child"] for r in rows] == ["users", "conversion", "arpu"]
    assert rows[0]["depth"] == 1
    assert rows[0]["leaf"] is True
    assert rows[0]["change"] == 200
    assert sum(r["share"] for r in rows) == pytest.approx(1)
    assert repr(c).startswith("Contribution(revenue: 1000 -> 1650 (+650), shapley;")
    assert isinstance(c, Contribution)


def test_contribution_option_errors():
    with pytest.raises(InvalidInputError, match="method: expected"):
        contribution(REVENUE, BEFORE, AFTER, method="mean")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="order: only used"):
        contribution(REVENUE, BEFORE, AFTER, order=["users"])
    with pytest.raises(InvalidInputError, match="order: not nodes of the tree: 'x'"):
        contribution(REVENUE, BEFORE, AFTER, method="sequential", order=["x"])
    with pytest.raises(InvalidInputError, match="problem with after"):
        contribution(REVENUE, BEFORE, {"users": 1})


def test_shapley_refuses_too_many_children():
    kids = [f"x{i}" for i in range(17)]
    tree = driver_tree({"y": ("product", kids)})
    ones = dict.fromkeys(kids, 1.0)
    with pytest.raises(InvalidInputError, match="17 children is too many"):
        contribution(tree, ones, ones)
    # a sum needs no enumeration
    wide = driver_tree({"y": ("sum", kids)})
    assert contribution(wide, ones, dict.fromkeys(kids, 2.0)).change == 17


# -- contribution: properties -------------------------------------------------------

positive = st.floats(min_value=0.1, max_value=1000, allow_nan=False)
LEAVES = MIXED.leaves
states = st.fixed_dictionaries(dict.fromkeys(LEAVES, positive))


@pytest.mark.parametrize("method", METHODS)
@given(before=states, after=states)
def test_contributions_sum_to_root_change(method, before, after):
    c = contribution(MIXED, before, after, method=method)
    scale = max(abs(c.before), abs(c.after), 1.0)
    assert math.fsum(c.leaves.values()) == pytest.approx(
        c.change, rel=1e-9, abs=1e-9 * scale
    )
    for node, kids in MIXED.children.items():
        local = math.fsum(s.local for s in c.splits if s.parent == node)
        node_change = c.values_after[node] - c.values_before[node]
        node_scale = max(abs(c.values_before[node]), abs(c.values_after[node]), 1.0)
        assert local == pytest.approx(node_change, rel=1e-9, abs=1e-9 * node_scale)
        assert len(kids) == sum(1 for s in c.splits if s.parent == node)


@given(a0=positive, a1=positive, c0=positive, c1=positive)
def test_shapley_symmetric_for_symmetric_inputs(a0, a1, c0, c1):
    # a and b play the same role in a * b * c and in a*b + a + b: equal parts.
    for rule in ("product", "a * b * c + a + b + c"):
        tree = driver_tree({"y": (rule, ["a", "b", "c"])})
        c = contribution(tree, {"a": a0, "b": a0, "c": c0}, {"a": a1, "b": a1, "c": c1})
        assert c.leaves["a"] == pytest.approx(c.leaves["b"], rel=1e-12, abs=1e-9)


@pytest.mark.parametrize("method", ["shapley", "lmdi"])
@given(still=st.sampled_from(LEAVES), before=states, after=states)
def test_unchanged_leaf_gets_zero(method, still, before, after):
    after = {**after, still: before[still]}
    c = contribution(MIXED, before, after, method=method)
    assert c.leaves[still] == 0


# -- sensitivity ---------------------------------------------------------------------


def test_sensitivity_product_and_sum_by_hand():
    # revenue = (new + returning) * conversion * arpu at 400, 600, 0.05, 20:
    # d/d new = 0.05 * 20 = 1; d/d conversion = 1000 * 20 = 20000;
    # elasticity of new = 1 * 400 / 1000 = 0.4, of conversion 1.
    tree = driver_tree(
        {
            "revenue": ("product", ["users", "conversion", "arpu"]),
            "users": ("sum", ["new", "returning"]),
        }
    )
    s = driver_sensitivity(
        tree, {"new": 400, "returning": 600, "conversion": 0.05, "arpu": 20}
    )
    assert s.value == pytest.approx(1000)
    assert s.derivatives["new"] == pytest.approx(1)
    assert s.derivatives["conversion"] == pytest.approx(20000)
    assert s.elasticities["new"] == pytest.approx(0.4)
    assert s.elasticities["conversion"] == pytest.approx(1)
    assert s.numeric == ()
    assert isinstance(s, DriverSensitivity)


def test_sensitivity_ratio_elasticities_are_plus_and_minus_one():
    tree = driver_tree({"arpu": ("ratio", ["billings", "buyers"])})
    s = driver_sensitivity(tree, {"billings": 2000, "buyers": 100})
    # d/d billings = 1 / 100; d/d buyers = -2000 / 100**2 = -0.2
    assert s.derivatives == {"billings": 0.01, "buyers": pytest.approx(-0.2)}
    assert s.elasticities == {"billings": pytest.approx(1), "buyers": pytest.approx(-1)}


def test_sensitivity_formula_by_finite_difference_matches_analytic():
    # conversion = orders / visits as a formula: same derivatives as a ratio.
    values = {
        "new": 400,
        "returning": 600,
        "orders": 50,
        "visits": 1000,
        "billings": 2000,
        "buyers": 100,
    }
    exact_tree = driver_tree(
        {
            "revenue": ("product", ["users", "conversion", "arpu"]),
            "users": ("sum", ["new", "returning"]),
            "conversion": ("ratio", ["orders", "visits"]),
            "arpu": ("ratio", ["billings", "buyers"]),
        }
    )
    numeric = driver_sensitivity(MIXED, values)
    exact = driver_sensitivity(exact_tree, values)
    assert numeric.numeric == ("conversion",)
    for leaf in MIXED.leaves:
        assert numeric.derivatives[leaf] == pytest.approx(
            exact.derivatives[leaf], rel=1e-6
        )


def test_sensitivity_zero_root_has_no_elasticity():
    tree = driver_tree({"y": ("product", ["a", "b"])})
    s = driver_sensitivity(tree, {"a": 0, "b": 3})
    assert s.derivatives == {"a": 3, "b": 0}
    assert s.elasticities == {"a": None, "b": None}
    assert s.to_records()[0] == {
        "leaf": "a",
        "value": 0.0,
        "derivative": 3.0,
        "elasticity": None,
    }
    assert "e=n/a" in repr(s)


@given(values=states)
def test_sensitivity_matches_finite_differences(values):
    s = driver_sensitivity(MIXED, values)
    for leaf in MIXED.leaves:
        h = 1e-6 * values[leaf]
        up = MIXED.evaluate({**values, leaf: values[leaf] + h})["revenue"]
        down = MIXED.evaluate({**values, leaf: values[leaf] - h})["revenue"]
        numeric = (up - down) / (2 * h)
        assert s.derivatives[leaf] == pytest.approx(
            numeric, rel=1e-4, abs=1e-6 * max(1.0, abs(s.value) / values[leaf])
        )
