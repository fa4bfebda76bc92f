from __future__ import annotations

from fractions import Fraction
from typing import Literal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from productops import InvalidInputError
from productops.scoring._ahp import SAATY_RANDOM_INDEX, ahp, pairwise_matrix

Method = Literal["eigen", "geometric_mean", "column_average"]
METHODS: list[Method] = ["eigen", "geometric_mean", "column_average"]

# Wikipedia, "Analytic hierarchy process - leader example": the criteria and
# their pairwise comparisons.
LEADER_LABELS = ["Experience", "Education", "Charisma", "Age"]
LEADER: list[list[float]] = [
    [1, 4, 3, 7],
    [1 / 4, 1, 1 / 3, 3],
    [1 / 3, 3, 1, 5],
    [1 / 7, 1 / 3, 1 / 5, 1],
]
# Saaty's 1-9 scale and its reciprocals.
SAATY_SCALE = [*(1 / v for v in range(2, 10)), *range(1, 10)]


# -- the published worked example ---------------------------------------------------


def test_leader_example_priorities():
    # Wikipedia prints the weights .547, .127, .270, .056; the exact
    # eigenvector gives 0.5476, 0.1266, 0.2699, 0.0559 (Wikipedia truncates
    # Experience), hence the 1e-3 tolerance.
    result = ahp(LEADER, labels=LEADER_LABELS)
    assert list(result.priorities) == LEADER_LABELS
    expected = {
        "Experience": 0.547,
        "Education": 0.127,
        "Charisma": 0.270,
        "Age": 0.056,
    }
    for label, weight in expected.items():
        assert result.priorities[label] == pytest.approx(weight, abs=1e-3)


def test_leader_example_consistency():
    # docs scoring.md §9 [D]: lambda_max 4.1184, CI 0.0395, CR 0.0439 (RI 0.90).
    result = ahp(LEADER, labels=LEADER_LABELS)
    assert result.lambda_max == pytest.approx(4.1184, abs=5e-5)
    assert result.ci == pytest.approx(0.0395, abs=5e-5)
    assert result.cr == pytest.approx(0.0439, abs=5e-5)
    assert result.random_index == 0.90
    assert result.consistent is True
    assert result.method == "eigen"


def test_leader_example_from_labelled_judgements():
    judgements = {
        ("Experience", "Education"): 4,
        ("Experience", "Charisma"): 3,
        ("Experience", "Age"): 7,
        ("Education", "Charisma"): 1 / 3,
        ("Education", "Age"): 3,
        ("Charisma", "Age"): 5,
    }
    from_judgements = ahp(judgements)
    from_matrix = ahp(LEADER, labels=LEADER_LABELS)
    assert from_judgements.priorities == pytest.approx(from_matrix.priorities)
    assert from_judgements.cr == pytest.approx(from_matrix.cr)


def test_without_labels_priorities_are_an_array_in_matrix_order():
    result = ahp(LEADER)
    assert isinstance(result.priorities, np.ndarray)
    assert result.priorities.round(3).tolist() == [0.548, 0.127, 0.27, 0.056]


def test_repr_lists_priorities_and_consistency():
    text = repr(ahp(LEADER, labels=LEADER_LABELS))
    assert text == (
        "<AHPResult eigen: Experience 0.548, Education 0.127, Charisma 0.270, "
        "Age 0.056; lambda_max 4.118, CR 0.044 (consistent)>"
    )


# -- approximations, by hand --------------------------------------------------------

# An inconsistent 3 x 3 matrix: a/b 2, b/c 2 but a/c 8 (consistent would be 4).
SKEWED: list[list[float]] = [[1, 2, 8], [1 / 2, 1, 2], [1 / 8, 1 / 2, 1]]


def test_geometric_mean_by_hand():
    rows = [(1 * 2 * 8) ** (1 / 3), 1.0, (1 / 8 * 1 / 2) ** (1 / 3)]
    expected = [r / sum(rows) for r in rows]
    result = ahp(SKEWED, method="geometric_mean", on_inconsistent="flag")
    assert result.priorities == pytest.approx(expected)


def test_column_average_by_hand():
    matrix = [
        [Fraction(1), Fraction(2), Fraction(8)],
        [Fraction(1, 2), Fraction(1), Fraction(2)],
        [Fraction(1, 8), Fraction(1, 2), Fraction(1)],
    ]
    sums = [sum(row[j] for row in matrix) for j in range(3)]  # 13/8, 7/2, 11
    expected = [sum(row[j] / sums[j] for j in range(3)) / 3 for row in matrix]
    result = ahp(SKEWED, method="column_average", on_inconsistent="flag")
    assert result.priorities == pytest.approx([float(x) for x in expected])


@pytest.mark.parametrize("method", METHODS)
def test_lambda_max_of_the_approximations_is_estimated_from_their_weights(method):
    result = ahp(SKEWED, method=method, on_inconsistent="flag")
    weights = np.asarray(result.priorities)
    estimate = float(np.mean(np.asarray(SKEWED) @ weights / weights))
    assert result.lambda_max == pytest.approx(estimate)
    assert result.ci == pytest.approx((result.lambda_max - 3) / 2)
    assert result.cr == pytest.approx(result.ci / 0.58)


def test_consistent_matrix_gives_exact_weights_by_every_method():
    # a_ij = w_i / w_j with w = (4, 2, 1): priorities 4/7, 2/7, 1/7, CR 0.
    matrix: list[list[float]] = [[1, 2, 4], [1 / 2, 1, 2], [1 / 4, 1 / 2, 1]]
    for method in METHODS:
        result = ahp(matrix, method=method)
        assert result.priorities == pytest.approx([4 / 7, 2 / 7, 1 / 7])
        assert result.lambda_max == pytest.approx(3)
        assert result.cr == pytest.approx(0, abs=1e-12)


# -- small matrices -----------------------------------------------------------------


def test_two_criteria_are_always_consistent():
    result = ahp([[1, 3], [1 / 3, 1]], labels=["speed", "cost"])
    assert result.priorities == pytest.approx({"speed": 0.75, "cost": 0.25})
    assert (result.ci, result.cr, result.random_index) == (0.0, 0.0, 0.0)
    assert result.consistent is True


def test_one_criterion_has_all_the_weight():
    result = ahp([[1]], labels=["only"])
    assert result.priorities == {"only": 1.0}
    assert result.lambda_max == pytest.approx(1)
    assert result.cr == 0


@pytest.mark.parametrize("matrix", [[], [[]], np.zeros((0, 0))])
def test_empty_matrix_gives_empty_priorities(matrix):
    result = ahp(matrix)
    assert isinstance(result.priorities, np.ndarray)
    assert result.priorities.size == 0
    assert result.cr == 0
    assert "no criteria" in repr(result)


def test_empty_judgements_give_an_empty_dict():
    assert ahp({}).priorities == {}


# -- consistency ratio --------------------------------------------------------------

# a > b 2, b > c 2, but c > a 4: a cycle, badly inconsistent.
CYCLE = {("a", "b"): 2, ("b", "c"): 2, ("a", "c"): 1 / 4}


def test_inconsistent_judgements_raise_naming_the_worst():
    with pytest.raises(InvalidInputError) as info:
        ahp(CYCLE)
    message = str(info.value)
    assert "CR 0.790 > max_cr 0.1" in message
    assert "judgement furthest from the priorities is ('a', 'b') = 2" in message
    assert "on_inconsistent='flag'" in message


def test_inconsistent_judgements_can_be_flagged():
    result = ahp(CYCLE, on_inconsistent="flag")
    assert result.consistent is False
    assert result.cr == pytest.approx(0.790, abs=5e-4)
    assert sum(result.priorities.values()) == pytest.approx(1)
    assert "(inconsistent)" in repr(result)


def test_max_cr_sets_the_threshold():
    # The leader example's CR is 0.0439.
    assert ahp(LEADER, max_cr=0.0439 + 1e-6).consistent is True
    with pytest.raises(InvalidInputError, match=r"CR 0\.044 > max_cr 0\.04"):
        ahp(LEADER, max_cr=0.04)


def test_random_index_overrides_saatys():
    result = ahp(LEADER, random_index=0.882)
    assert result.random_index == 0.882
    assert result.cr == pytest.approx(result.ci / 0.882)


def test_saatys_table():
    assert dict(SAATY_RANDOM_INDEX) == {
        1: 0.0,
        2: 0.0,
        3: 0.58,
        4: 0.90,
        5: 1.12,
        6: 1.24,
        7: 1.32,
        8: 1.41,
        9: 1.45,
        10: 1.49,
    }
    with pytest.raises(TypeError):
        SAATY_RANDOM_INDEX[11] = 1.51  # type: ignore[index]


def test_more_than_ten_criteria_need_a_random_index():
    matrix = np.ones((11, 11))
    with pytest.raises(InvalidInputError, match="stops at n = 10"):
        ahp(matrix)
    assert ahp(matrix, random_index=1.51).cr == pytest.approx(0, abs=1e-12)


# -- validation ---------------------------------------------------------------------


def test_non_reciprocal_cells_are_named_by_label():
    matrix: list[list[float]] = [[1, 2, 3], [2, 1, 1], [1 / 3, 1, 1]]
    with pytest.raises(InvalidInputError) as info:
        ahp(matrix, labels=["a", "b", "c"])
    message = str(info.value)
    assert "('a', 'b') = 2 but ('b', 'a') = 2 (should be 0.5)" in message
    assert "('a', 'c')" not in message


def test_diagonal_must_be_one():
    with pytest.raises(InvalidInputError, match=r"\(1, 1\) = 2 \(must be 1\)"):
        ahp([[1, 2], [1 / 2, 2]])


def test_every_bad_cell_is_named():
    matrix: list[list[float]] = [
        [1, float("nan"), 2],
        [1, 1, -3],
        [0.5, float("inf"), 1],
    ]
    with pytest.raises(InvalidInputError) as info:
        ahp(matrix)
    message = str(info.value)
    assert "3 bad cells: (0, 1) (nan), (1, 2) (-3), (2, 1) (inf)" in message
    assert "finite number > 0" in message


def test_zero_cell_is_an_error():
    with pytest.raises(InvalidInputError, match=r"\(0, 1\) \(0\)"):
        ahp([[1, 0], [1, 1]])


def test_reciprocals_typed_with_two_decimals_are_accepted():
    matrix: list[list[float]] = [[1, 7, 8], [0.14, 1, 1], [0.13, 1, 1]]
    assert ahp(matrix, on_inconsistent="flag").priorities.sum() == pytest.approx(1)


def test_tolerance_can_be_tightened():
    with pytest.raises(InvalidInputError, match=r"within 0\.001"):
        ahp([[1, 7], [0.14, 1]], tolerance=0.001)


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        ([1, 2, 3], r"square n x n matrix, got shape \(3,\)"),
        ([[1, 2, 3], [0.5, 1, 1]], r"got shape \(2, 3\)"),
        ([[1, 2], [0.5]], "rows have different lengths"),
        ([[1, "x"], [0.5, 1]], r"not a number at \(0, 1\) 'x'"),
        ([[True, True], [True, True]], "booleans"),
        ("matrix", "expected a square n x n matrix of numbers"),
    ],
)
def test_malformed_matrices(matrix, message):
    with pytest.raises(InvalidInputError, match=message):
        ahp(matrix)


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (["a"], "got 1 for a matrix of 2 criteria"),
        (["a", "a"], "duplicated 'a'"),
        ("ab", "the string 'ab'"),
    ],
)
def test_labels_must_match_the_matrix(labels, message):
    with pytest.raises(InvalidInputError, match=message):
        ahp([[1, 2], [0.5, 1]], labels=labels)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"method": "power"}, "method: expected one of"),
        ({"on_inconsistent": "warn"}, "on_inconsistent: expected one of"),
        ({"max_cr": -0.1}, "max_cr"),
        ({"max_cr": [0.1]}, "max_cr: expected one number"),
        ({"random_index": 0}, "random_index"),
        ({"tolerance": float("nan")}, "tolerance"),
    ],
)
def test_bad_options(options, message):
    with pytest.raises(InvalidInputError, match=message):
        ahp(LEADER, **options)


# -- building the matrix from judgements ----------------------------------------------


def test_pairwise_matrix_fills_reciprocals_in_first_seen_order():
    labels, matrix = pairwise_matrix(
        {("speed", "cost"): 3, ("risk", "speed"): 1 / 5, ("cost", "risk"): 2}
    )
    assert labels == ("speed", "cost", "risk")
    assert matrix == pytest.approx(
        np.array([[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]])
    )


def test_pairwise_matrix_follows_given_labels():
    labels, matrix = pairwise_matrix({("a", "b"): 3}, labels=["b", "a"])
    assert labels == ("b", "a")
    assert matrix == pytest.approx(np.array([[1, 1 / 3], [3, 1]]))


def test_pairwise_matrix_accepts_both_directions_when_reciprocal():
    _, matrix = pairwise_matrix({("a", "b"): 3, ("b", "a"): 0.33, ("a", "a"): 1})
    assert matrix == pytest.approx(np.array([[1, 3], [0.33, 1]]))


def test_pairwise_matrix_names_every_missing_pair():
    with pytest.raises(InvalidInputError) as info:
        pairwise_matrix({("a", "b"): 2, ("c", "d"): 3})
    message = str(info.value)
    assert "no judgement for ('a', 'c'), ('a', 'd'), ('b', 'c'), ('b', 'd')" in message


def test_pairwise_matrix_names_every_bad_judgement():
    with pytest.raises(InvalidInputError) as info:
        pairwise_matrix(
            {
                ("a", "b"): 2,
                ("b", "a"): 2,
                ("a", "a"): 3,
                ("x",): 1,  # type: ignore[dict-item]
                ("a", "c"): -1,
                ("b", "c"): "high",  # type: ignore[dict-item]
            }
        )
    message = str(info.value)
    assert "('x',) is not a (criterion, criterion) pair" in message
    assert "('a', 'c') = -1 is not a finite number > 0" in message
    assert "('b', 'c') = 'high' is not a finite number > 0" in message
    assert "('a', 'b') = 2 but ('b', 'a') = 2 (should be 0.5)" in message
    assert "('a', 'a') = 3 (must be 1)" in message


def test_pairwise_matrix_names_unknown_criteria():
    with pytest.raises(InvalidInputError, match="unknown criteria 'b'"):
        pairwise_matrix({("a", "b"): 2}, labels=["a", "c"])


def test_pairwise_matrix_with_labels_and_no_judgements_needs_them_all():
    labels, matrix = pairwise_matrix({}, labels=["only"])
    assert labels == ("only",)
    assert matrix.tolist() == [[1.0]]
    with pytest.raises(InvalidInputError, match=r"no judgement for \('a', 'b'\)"):
        pairwise_matrix({}, labels=["a", "b"])


# -- properties ---------------------------------------------------------------------


@st.composite
def reciprocal_matrices(draw: st.DrawFn) -> np.ndarray:
    n = draw(st.integers(min_value=1, max_value=10))
    matrix = np.ones((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            value = draw(st.sampled_from(SAATY_SCALE))
            matrix[i, j], matrix[j, i] = value, 1 / value
    return matrix


weights = st.lists(
    st.floats(min_value=0.01, max_value=100), min_size=1, max_size=10
).map(np.asarray)


@given(reciprocal_matrices(), st.sampled_from(METHODS))
def test_priorities_are_positive_and_sum_to_one(matrix, method):
    result = ahp(matrix, method=method, on_inconsistent="flag")
    assert result.priorities.sum() == pytest.approx(1)
    assert (result.priorities > 0).all()
    assert result.lambda_max >= matrix.shape[0] - 1e-9
    assert result.cr >= 0


@given(weights, st.sampled_from(METHODS))
def test_consistent_matrix_has_zero_cr_and_recovers_the_weights(w, method):
    matrix = w[:, None] / w[None, :]
    result = ahp(matrix, method=method)
    assert result.cr == pytest.approx(0, abs=1e-9)
    assert result.consistent is True
    assert result.priorities == pytest.approx(w / w.sum(), rel=1e-6)


@given(reciprocal_matrices(), st.randoms(use_true_random=False))
def test_reordering_criteria_reorders_priorities(matrix, random):
    order = list(range(matrix.shape[0]))
    random.shuffle(order)
    original = ahp(matrix, on_inconsistent="flag")
    shuffled = ahp(matrix[np.ix_(order, order)], on_inconsistent="flag")
    assert shuffled.priorities == pytest.approx(original.priorities[order], abs=1e-9)
    assert shuffled.cr == pytest.approx(original.cr, abs=1e-9)
