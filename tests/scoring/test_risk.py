"""Risk matrices, exposure, EMV, decision trees and FMEA."""

from __future__ import annotations

from itertools import product

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from productops.errors import InvalidInputError
from productops.scoring._risk import (
    MATRIX_3X3,
    MATRIX_5X5,
    Branch,
    Chance,
    Decision,
    Outcome,
    RiskMatrix,
    action_priority,
    emv,
    evaluate,
    exposure,
    rpn,
)

ratings = st.integers(1, 10)

# -- risk matrices ---------------------------------------------------------------

# NPSA, "A risk matrix for risk managers" (2008): risk score = consequence x
# likelihood, graded 1-3 low, 4-6 moderate, 8-12 high, 15-25 extreme.
NPSA_GRADES = {
    range(1, 4): "low",
    range(4, 7): "moderate",
    range(8, 13): "high",
    range(15, 26): "extreme",
}


def npsa_grade(score: int) -> str:
    return next(grade for scores, grade in NPSA_GRADES.items() if score in scores)


@pytest.mark.parametrize(
    ("likelihood", "impact"), list(product(range(1, 6), range(1, 6)))
)
def test_5x5_preset_grades_every_cell_as_npsa(likelihood: int, impact: int) -> None:
    band = MATRIX_5X5.classify(likelihood=likelihood, impact=impact)
    assert band == npsa_grade(likelihood * impact)


def test_5x5_scores_match_the_published_matrix() -> None:
    # The 5 x 5 score matrix printed at https://html.scirp.org/file/_15-7201262_8.htm
    # (rows rare..certain, columns insignificant..catastrophic); e.g. probable (4)
    # x catastrophic (5) = 20.
    published = [
        [1, 2, 3, 4, 5],
        [2, 4, 6, 8, 10],
        [3, 6, 9, 12, 15],
        [4, 8, 12, 16, 20],
        [5, 10, 15, 20, 25],
    ]
    l_ranks, i_ranks = np.meshgrid(range(1, 6), range(1, 6), indexing="ij")
    scores = MATRIX_5X5.score(likelihood=l_ranks.ravel(), impact=i_ranks.ravel())
    assert scores.reshape(5, 5).tolist() == published
    assert MATRIX_5X5.score(likelihood="likely", impact="catastrophic") == 20.0


def test_3x3_preset_bands_hand_computed() -> None:
    grid = [
        [MATRIX_3X3.classify(likelihood=l_rank, impact=i_rank) for i_rank in (1, 2, 3)]
        for l_rank in (1, 2, 3)
    ]
    assert grid == [
        ["low", "low", "medium"],
        ["low", "medium", "high"],
        ["medium", "high", "high"],
    ]


def test_classify_reads_labels_whatever_their_case() -> None:
    band = MATRIX_5X5.classify(likelihood="Almost Certain", impact=" minor ")
    assert band == "high"  # 5 x 2 = 10


def test_classify_mixes_labels_and_ranks_in_a_list() -> None:
    bands = MATRIX_5X5.classify(
        likelihood=["rare", 5],  # type: ignore[arg-type]
        impact=[1, "major"],  # type: ignore[arg-type]
    )
    assert bands.tolist() == ["low", "extreme"]


def test_classify_vectorises_and_broadcasts_a_scalar() -> None:
    bands = MATRIX_3X3.classify(likelihood=[1, 2, 3], impact=3)
    assert isinstance(bands, np.ndarray)
    assert bands.tolist() == ["medium", "high", "high"]


def test_classify_of_empty_lists_is_empty() -> None:
    assert MATRIX_5X5.classify(likelihood=[], impact=[]).tolist() == []
    assert MATRIX_5X5.score(likelihood=[], impact=[]).tolist() == []


def test_classify_names_every_rank_out_of_range() -> None:
    with pytest.raises(InvalidInputError) as caught:
        MATRIX_5X5.classify(likelihood=[0, 3, 6, 2.5], impact=1)
    message = str(caught.value)
    assert "likelihood: 3 bad values" in message
    assert "#0 (0)" in message
    assert "#2 (6)" in message
    assert "#3 (2.5)" in message


def test_classify_rejects_an_unknown_label_and_lists_the_labels() -> None:
    with pytest.raises(InvalidInputError, match=r"'sometimes'.*almost certain"):
        MATRIX_5X5.classify(likelihood="sometimes", impact=2)


def test_classify_rejects_lists_of_different_lengths() -> None:
    with pytest.raises(InvalidInputError, match="likelihood has 2, impact has 3"):
        MATRIX_5X5.classify(likelihood=[1, 2], impact=[1, 2, 3])


def test_matrix_lists_every_problem_of_its_table() -> None:
    with pytest.raises(InvalidInputError) as caught:
        RiskMatrix(
            likelihoods=("low", "LOW"),
            impacts=("minor", "major"),
            bands=(("green", " "), ("amber", "red", "red"), ("red", "red")),
        )
    message = str(caught.value)
    assert "likelihoods: labels listed more than once" in message
    assert "3 rows for 2 likelihoods" in message
    assert "row 2 has 3 cells for 2 impacts" in message
    assert "cells without a band name at (likelihood, impact) (1, 2)" in message


def test_matrix_needs_labels() -> None:
    with pytest.raises(InvalidInputError, match="likelihoods: give at least one"):
        RiskMatrix(likelihoods=(), impacts=("x",), bands=())
    with pytest.raises(InvalidInputError, match=r"empty labels at positions \[1\]"):
        RiskMatrix(likelihoods=("a", " "), impacts=("x",), bands=(("l",), ("l",)))
    with pytest.raises(InvalidInputError, match="not a string"):
        RiskMatrix(likelihoods="abc", impacts=("x",), bands=(("a",),) * 3)


def test_order_defaults_to_the_smallest_product_of_each_band() -> None:
    matrix = RiskMatrix(
        likelihoods=("a", "b"),
        impacts=("x", "y"),
        bands=(("calm", "watch"), ("watch", "act")),
    )
    assert matrix.order == ("calm", "watch", "act")


def test_order_must_name_every_band_once() -> None:
    with pytest.raises(InvalidInputError) as caught:
        RiskMatrix(
            likelihoods=("a",),
            impacts=("x", "y"),
            bands=(("green", "red"),),
            order=("green", "green"),
        )
    assert "listed more than once: ['green']" in str(caught.value)
    assert "not ordered: ['red']" in str(caught.value)


def test_lists_become_tuples_so_matrices_hash() -> None:
    matrix = RiskMatrix(likelihoods=["a"], impacts=["x"], bands=[["ok"]])
    assert matrix.bands == (("ok",),)
    assert hash(matrix) == hash(
        RiskMatrix(likelihoods=("a",), impacts=("x",), bands=(("ok",),))
    )


def test_from_thresholds_bands_by_minimum_product() -> None:
    matrix = RiskMatrix.from_thresholds(
        likelihoods=("1", "2", "3", "4"),
        impacts=("1", "2", "3", "4"),
        thresholds={"low": 0, "mid": 4, "top": 12},
    )
    assert matrix.classify(
        likelihood=[1, 2, 2, 3, 4, 3], impact=[3, 2, 1, 4, 3, 3]
    ).tolist() == [
        "low",
        "mid",
        "low",
        "top",
        "top",
        "mid",
    ]
    assert matrix.order == ("low", "mid", "top")


@pytest.mark.parametrize(
    ("thresholds", "message"),
    [
        ({}, "give at least one band"),
        ({"low": 2, "high": 9}, "starts at 2"),
        ({"low": 1, "mid": 6, "high": 6}, "not so for 'high' \\(6\\)"),
        ({"low": 1, "high": float("nan")}, "thresholds: 1 bad value: 'high' \\(NaN\\)"),
    ],
)
def test_from_thresholds_rejects_bad_thresholds(
    thresholds: dict[str, float], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        RiskMatrix.from_thresholds(
            likelihoods=("a", "b"), impacts=("x", "y"), thresholds=thresholds
        )


def test_renamed_to_rag_merges_adjacent_bands() -> None:
    rag = MATRIX_5X5.renamed(
        {"low": "green", "moderate": "amber", "high": "amber", "extreme": "red"}
    )
    assert rag.order == ("green", "amber", "red")
    assert rag.classify(likelihood=[1, 2, 3, 5], impact=[1, 3, 4, 4]).tolist() == [
        "green",
        "amber",
        "amber",
        "red",
    ]


def test_renamed_rejects_an_unknown_band() -> None:
    with pytest.raises(InvalidInputError, match="no such band \\['severe'\\]"):
        MATRIX_5X5.renamed({"severe": "red"})


def test_rank_orders_bands_from_the_mildest() -> None:
    assert [MATRIX_5X5.rank(b) for b in ("low", "extreme")] == [0, 3]
    with pytest.raises(InvalidInputError, match="no band 'red'"):
        MATRIX_5X5.rank("red")


def test_is_monotone_spots_a_band_that_gets_milder() -> None:
    matrix = RiskMatrix(
        likelihoods=("a", "b"),
        impacts=("x", "y"),
        bands=(("low", "high"), ("high", "low")),
        order=("low", "high"),
    )
    assert not matrix.is_monotone()
    assert MATRIX_3X3.is_monotone()


def test_str_puts_the_highest_likelihood_on_top() -> None:
    lines = str(MATRIX_3X3).splitlines()
    assert lines[0].split() == ["3x3", "low", "medium", "high"]
    assert lines[1].split() == ["high", "medium", "high", "high"]
    assert lines[3].split() == ["low", "low", "low", "medium"]


def test_repr_is_short() -> None:
    assert repr(MATRIX_3X3) == "RiskMatrix('3x3', 3x3, order=('low', 'medium', 'high'))"


@given(
    st.integers(1, 6),
    st.integers(1, 6),
    st.lists(st.integers(1, 36), min_size=1, max_size=4, unique=True),
)
def test_threshold_matrices_never_get_milder(
    rows: int, columns: int, starts: list[int]
) -> None:
    starts = sorted(starts)
    starts[0] = 1
    matrix = RiskMatrix.from_thresholds(
        likelihoods=[f"l{n}" for n in range(rows)],
        impacts=[f"i{n}" for n in range(columns)],
        thresholds={f"b{n}": s for n, s in enumerate(starts)},
    )
    assert matrix.is_monotone()


@given(st.integers(1, 5), st.integers(1, 5))
def test_score_is_the_product_of_the_ranks(likelihood: int, impact: int) -> None:
    assert MATRIX_5X5.score(likelihood=likelihood, impact=impact) == likelihood * impact


# -- exposure and EMV ------------------------------------------------------------


def test_exposure_of_the_pmbok_strong_demand_branch() -> None:
    # PMBOK 6th ed. 11.4, build-or-upgrade tree: strong demand (60 %) pays US$200M.
    assert exposure(probability=0.6, cost=200) == pytest.approx(120.0)


def test_exposure_vectorises() -> None:
    result = exposure(probability=[0.35, 0.1, 0.0], cost=[120_000, 250_000, 9])
    assert result.tolist() == pytest.approx([42_000.0, 25_000.0, 0.0])


def test_exposure_reads_percentages() -> None:
    assert exposure(probability=35, cost=1000, percent=True) == pytest.approx(350.0)


def test_exposure_of_empty_lists_is_empty() -> None:
    assert exposure(probability=[], cost=[]).tolist() == []


def test_exposure_names_every_bad_value() -> None:
    with pytest.raises(InvalidInputError) as caught:
        exposure(probability=[0.2, 1.5], cost=[-1, 5])
    assert "probability: 1 bad value: #1 (1.5)" in str(caught.value)
    with pytest.raises(InvalidInputError, match="cost: 1 bad value: #0 \\(-1\\)"):
        exposure(probability=[0.2, 0.5], cost=[-1, 5])


@given(st.floats(0, 1), st.floats(0, 1e9))
def test_exposure_never_exceeds_the_cost(probability: float, cost: float) -> None:
    assert 0 <= exposure(probability=probability, cost=cost) <= cost


def test_emv_of_the_pmbok_build_demand_node() -> None:
    # PMBOK 6th ed. 11.4, build-or-upgrade tree: 0.6 x 200 + 0.4 x 90 = 156 (US$M).
    assert emv([(0.6, 200), (0.4, 90)], exhaustive=True) == pytest.approx(156.0)


def test_emv_counts_threats_negative_and_opportunities_positive() -> None:
    # Hand-computed: 0.3 x -40 000 + 0.5 x 10 000 = -7 000.
    outcomes = {"vendor late": (0.3, -40_000), "grant": (0.5, 10_000)}
    assert emv(outcomes) == pytest.approx(-7_000.0)


def test_emv_of_independent_risks_needs_no_sum_of_one() -> None:
    assert emv([(0.9, -10), (0.8, -10)]) == pytest.approx(-17.0)


def test_exhaustive_outcomes_must_add_up_to_one() -> None:
    with pytest.raises(InvalidInputError, match=r"add up to 0\.9, not 1"):
        emv([(0.5, 1), (0.4, 2)], exhaustive=True)


def test_exhaustive_tolerance_allows_rounded_probabilities() -> None:
    thirds = [(0.333, 3), (0.333, 3), (0.333, 3)]
    assert emv(thirds, exhaustive=True, tolerance=0.01) == pytest.approx(2.997)
    with pytest.raises(InvalidInputError):
        emv(thirds, exhaustive=True)


def test_emv_of_nothing_is_zero_unless_exhaustive() -> None:
    assert emv([]) == 0.0
    with pytest.raises(InvalidInputError, match="at least one outcome"):
        emv([], exhaustive=True)


def test_emv_names_bad_outcomes_by_key() -> None:
    with pytest.raises(InvalidInputError, match=r"'fine' \(1\.2\)"):
        emv({"ok": (0.1, 5), "fine": (1.2, 5)})
    with pytest.raises(InvalidInputError, match="not a pair at 'bad'"):
        emv({"ok": (0.1, 5), "bad": (0.2,)})  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="not a pair at #1"):
        emv([(0.1, 5), "p"])  # type: ignore[list-item]


@given(
    st.lists(
        st.tuples(st.floats(0.01, 1), st.floats(-1e6, 1e6)), min_size=1, max_size=6
    )
)
def test_exhaustive_emv_lies_between_the_extreme_values(
    raw: list[tuple[float, float]],
) -> None:
    total = sum(p for p, _ in raw)
    outcomes = [(p / total, value) for p, value in raw]
    values = [value for _, value in raw]
    result = emv(outcomes, exhaustive=True)
    assert min(values) - 1e-6 <= result <= max(values) + 1e-6


# -- decision trees --------------------------------------------------------------


def pmbok_tree() -> Decision:
    """PMBOK 6th ed. 11.4 build-or-upgrade tree (US$M).

    Worked at https://www.scribd.com/document/433147254/PMP-PMBOK6-Decision-Tree-Analysis
    and in the project's scoring reference, section 10.
    """

    def demand(strong: float, weak: float) -> Chance:
        return Chance(
            "demand",
            [
                Branch("strong", Outcome(strong), probability=0.6),
                Branch("weak", Outcome(weak), probability=0.4),
            ],
        )

    return Decision(
        "new plant",
        [
            Branch("build", demand(200, 90), cost=120),
            Branch("upgrade", demand(120, 60), cost=50),
        ],
    )


def test_pmbok_decision_tree_chooses_upgrade() -> None:
    # Build: -120 + 0.6 x 200 + 0.4 x 90 = 36; upgrade: -50 + 0.6 x 120 + 0.4 x 60
    # = 46, so upgrade (PMBOK 6th ed. 11.4).
    result = evaluate(pmbok_tree())
    assert result.choice == "upgrade"
    assert result.expected_value == pytest.approx(46.0)
    names, values = zip(*result.node().branches, strict=True)
    assert names == ("build", "upgrade")
    assert values == pytest.approx((36.0, 46.0))
    assert result.node("build").expected_value == pytest.approx(156.0)
    assert result.node("upgrade").expected_value == pytest.approx(96.0)
    assert result.node("build", "weak").expected_value == 90.0


def test_nodes_are_listed_root_first_depth_first() -> None:
    paths = [node.path for node in evaluate(pmbok_tree()).nodes]
    assert paths == [
        (),
        ("build",),
        ("build", "strong"),
        ("build", "weak"),
        ("upgrade",),
        ("upgrade", "strong"),
        ("upgrade", "weak"),
    ]


def test_policy_gives_the_choice_at_every_decision() -> None:
    later = Decision(
        "expand",
        [Branch("yes", Outcome(50), cost=30), Branch("no", Outcome(10))],
    )
    tree = Chance(
        "market",
        [
            Branch("boom", later, probability=0.5),
            Branch("bust", Outcome(-20), probability=0.5),
        ],
    )
    result = evaluate(tree)
    assert result.policy() == {("boom",): "yes"}
    assert result.choice is None
    assert result.expected_value == pytest.approx(0.5 * 20 + 0.5 * -20)


def test_objective_min_picks_the_cheapest_option() -> None:
    tree = Decision(
        "supplier",
        [Branch("a", Outcome(10)), Branch("b", Outcome(7), cost=-1)],
    )
    # b is worth 7 - (-1) = 8, a is worth 10
    assert evaluate(tree, objective="min").choice == "b"
    assert evaluate(tree).choice == "a"


def test_ties_go_to_the_first_option() -> None:
    tree = Decision("d", [Branch("first", Outcome(1)), Branch("second", Outcome(1))])
    assert evaluate(tree).choice == "first"


def test_an_outcome_alone_is_its_value() -> None:
    result = evaluate(Outcome(-3, name="loss"))
    assert (result.expected_value, result.choice) == (-3.0, None)


def test_chance_probabilities_must_add_up_at_every_node() -> None:
    bad = Chance(
        "inner",
        [
            Branch("x", Outcome(1), probability=0.5),
            Branch("y", Outcome(1), probability=0.2),
        ],
    )
    tree = Chance(
        "outer",
        [
            Branch("p", bad, probability=0.7),
            Branch("q", Outcome(0), probability=0.7),
        ],
    )
    with pytest.raises(InvalidInputError) as caught:
        evaluate(tree)
    assert "(root) (1.4)" in str(caught.value)
    assert "p (0.7)" in str(caught.value)


def test_tolerance_accepts_rounded_chance_probabilities() -> None:
    tree = Chance(
        "c",
        [Branch(n, Outcome(3), probability=0.333) for n in ("a", "b", "c")],
    )
    assert evaluate(tree, tolerance=0.01).expected_value == pytest.approx(2.997)


def test_chance_branches_need_probabilities() -> None:
    with pytest.raises(InvalidInputError, match="without a probability: \\['b'\\]"):
        Chance("c", [Branch("a", Outcome(1), probability=1.0), Branch("b", Outcome(2))])


def test_decision_options_take_no_probability() -> None:
    with pytest.raises(InvalidInputError, match="decisions are chosen, not drawn"):
        Decision("d", [Branch("a", Outcome(1), probability=0.5)])


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Decision("d", []), "has none"),
        (lambda: Decision("", [Branch("a", Outcome(1))]), "non-empty name"),
        (
            lambda: Decision("d", [Branch("a", Outcome(1)), Branch("a", Outcome(2))]),
            "repeats branch names \\['a'\\]",
        ),
        (
            lambda: Decision("d", [Outcome(1)]),  # type: ignore[list-item]
            "non-Branch children at positions \\[0\\]",
        ),
        (
            lambda: Branch("a", 5),  # type: ignore[arg-type]
            "leads to int; expected a Decision",
        ),
        (lambda: Branch(" ", Outcome(1)), "non-empty name"),
        (lambda: Branch("a", Outcome(1), probability=1.5), "must be a fraction"),
        (lambda: Branch("a", Outcome(1), cost=float("inf")), "finite"),
        (lambda: Outcome(float("nan")), "value: got NaN"),
    ],
)
def test_tree_nodes_reject_bad_parts(build: object, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        build()  # type: ignore[operator]


def test_evaluate_rejects_what_is_not_a_tree() -> None:
    with pytest.raises(InvalidInputError, match="got dict"):
        evaluate({})  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="objective"):
        evaluate(Outcome(1), objective="best")  # type: ignore[arg-type]


def test_node_lookup_names_a_missing_path() -> None:
    with pytest.raises(InvalidInputError, match="no node at build -> average"):
        evaluate(pmbok_tree()).node("build", "average")


def test_to_records_flattens_the_tree() -> None:
    records = evaluate(pmbok_tree()).to_records()
    assert records[0] == {
        "path": "",
        "name": "new plant",
        "kind": "decision",
        "expected_value": pytest.approx(46.0),
        "choice": "upgrade",
    }
    assert records[2]["path"] == "build / strong"


def test_analysis_repr_is_short() -> None:
    expected = "DecisionAnalysis(expected_value=46.0, choice='upgrade', nodes=7)"
    assert repr(evaluate(pmbok_tree())) == expected


def test_trees_are_hashable_values() -> None:
    assert pmbok_tree() == pmbok_tree()
    assert len({pmbok_tree(), pmbok_tree()}) == 1


# -- FMEA ------------------------------------------------------------------------


def test_rpn_ties_very_different_failures() -> None:
    # The RPN flaw shown at https://learn.nextedy.com/automotive/concepts/aiag-vda-fmea:
    # S10 O2 D5 and S2 O10 D5 both give 100.
    result = rpn(severity=[10, 2], occurrence=[2, 10], detection=5)
    assert result.tolist() == [100.0, 100.0]


def test_rpn_of_the_biz_pi_pair_is_96() -> None:
    # https://www.biz-pi.com/product/fmea-action-priority-ap-lookup-tables/:
    # 8 x 6 x 2 and 2 x 6 x 8 both give 96.
    assert rpn(severity=8, occurrence=6, detection=2) == 96.0
    assert rpn(severity=2, occurrence=6, detection=8) == 96.0


def test_rpn_range_is_1_to_1000() -> None:
    assert rpn(severity=[1, 10], occurrence=[1, 10], detection=[1, 10]).tolist() == [
        1.0,
        1000.0,
    ]


def test_rpn_names_every_bad_rating_of_every_argument() -> None:
    with pytest.raises(InvalidInputError) as caught:
        rpn(severity=[0, 5], occurrence=11, detection=2.5)
    message = str(caught.value)
    assert "severity: 1 bad value: #0 (0)" in message
    assert "occurrence: got 11" in message
    assert "detection: got 2.5" in message
    assert "whole number from 1 to 10" in message


def test_fmea_functions_of_empty_lists_are_empty() -> None:
    assert rpn(severity=[], occurrence=[], detection=[]).tolist() == []
    assert action_priority(severity=[], occurrence=[], detection=[]).tolist() == []


# The AIAG & VDA (2019) Action Priority table for DFMEA and PFMEA, typed out
# again here, independently of the module, from the two public transcriptions
# that agree cell by cell: Siddardth7/quality-platform
# apps/fmea/tests/test_ap_engine.py and facussc24/tiempos-y-balanceos
# modules/amfe/apTable.ts (commit d83454b). Keys are (S band, O band); values
# list D 7-10, D 5-6, D 2-4, D 1.
PUBLISHED_AP = {
    ("9-10", "8-10"): "HHHH",
    ("9-10", "6-7"): "HHHH",
    ("9-10", "4-5"): "HHHM",
    ("9-10", "2-3"): "HMLL",
    ("9-10", "1"): "LLLL",
    ("7-8", "8-10"): "HHHH",
    ("7-8", "6-7"): "HHHM",
    ("7-8", "4-5"): "HMMM",
    ("7-8", "2-3"): "MMLL",
    ("7-8", "1"): "LLLL",
    ("4-6", "8-10"): "HHMM",
    ("4-6", "6-7"): "MMML",
    ("4-6", "4-5"): "MLLL",
    ("4-6", "2-3"): "LLLL",
    ("4-6", "1"): "LLLL",
    ("2-3", "8-10"): "MMLL",
    ("2-3", "6-7"): "LLLL",
    ("2-3", "4-5"): "LLLL",
    ("2-3", "2-3"): "LLLL",
    ("2-3", "1"): "LLLL",
}


def band_of(value: int, bands: list[str]) -> str:
    for band in bands:
        low, _, high = band.partition("-")
        if int(low) <= value <= int(high or low):
            return band
    raise AssertionError(value)


def published_ap(severity: int, occurrence: int, detection: int) -> str:
    if severity == 1:
        return "L"
    s = band_of(severity, ["9-10", "7-8", "4-6", "2-3"])
    o = band_of(occurrence, ["8-10", "6-7", "4-5", "2-3", "1"])
    d = ["7-10", "5-6", "2-4", "1"].index(
        band_of(detection, ["7-10", "5-6", "2-4", "1"])
    )
    return PUBLISHED_AP[s, o][d]


def test_action_priority_matches_the_published_table_everywhere() -> None:
    combos = list(product(range(1, 11), repeat=3))
    s, o, d = (np.array(column) for column in zip(*combos, strict=True))
    found = action_priority(severity=s, occurrence=o, detection=d).tolist()
    expected = [published_ap(*combo) for combo in combos]
    wrong = [
        (combo, got, want)
        for combo, got, want in zip(combos, found, expected, strict=True)
        if got != want
    ]
    assert not wrong


def test_action_priority_of_the_biz_pi_pair() -> None:
    # https://www.biz-pi.com/product/fmea-action-priority-ap-lookup-tables/: both
    # have RPN 96, but 8/6/2 is High and 2/6/8 is Low.
    assert action_priority(severity=8, occurrence=6, detection=2) == "H"
    assert action_priority(severity=2, occurrence=6, detection=8) == "L"


@pytest.mark.parametrize(
    ("severity", "occurrence", "detection", "expected"),
    [
        # PFMEA rows of Pop et al., "An Intelligent Framework for Implementing
        # AIAG-VDA FMEA and Action Priority (AP) Assessment", Applied Sciences
        # 16(5):2591 (2026), tables 2-3, as quoted in Siddardth7/quality-platform
        # apps/fmea/tests/test_ap_engine.py (AP-12).
        (6, 6, 4, "M"),
        (6, 4, 4, "L"),
        (6, 6, 2, "M"),
        (6, 4, 2, "L"),
        (6, 4, 6, "L"),
        (7, 6, 6, "H"),
        (7, 3, 6, "M"),
        (7, 3, 4, "L"),
    ],
)
def test_action_priority_of_published_case_study_rows(
    severity: int, occurrence: int, detection: int, expected: str
) -> None:
    found = action_priority(
        severity=severity, occurrence=occurrence, detection=detection
    )
    assert found == expected


@pytest.mark.parametrize(
    ("severity", "occurrence", "detection", "expected"),
    [
        (10, 1, 10, "L"),  # very rare: low even when undetectable
        (10, 2, 2, "L"),  # rare and well detected
        (10, 2, 7, "H"),  # the same, poorly detected
        (9, 5, 1, "M"),
        (5, 10, 5, "H"),
        (5, 10, 4, "M"),
        (3, 8, 5, "M"),
        (3, 7, 10, "L"),
    ],
)
def test_action_priority_at_band_edges(
    severity: int, occurrence: int, detection: int, expected: str
) -> None:
    found = action_priority(
        severity=severity, occurrence=occurrence, detection=detection
    )
    assert found == expected


def test_action_priority_rejects_bad_ratings() -> None:
    with pytest.raises(InvalidInputError, match="detection: got 0"):
        action_priority(severity=5, occurrence=5, detection=0)
    with pytest.raises(InvalidInputError, match="expected a number, got a boolean"):
        action_priority(severity=True, occurrence=5, detection=5)


def test_action_priority_returns_plain_strings_for_scalars() -> None:
    found = action_priority(severity=5, occurrence=5, detection=5)
    assert type(found) is str


ORDER = {"L": 0, "M": 1, "H": 2}


@given(ratings, ratings, ratings)
def test_action_priority_never_drops_when_a_rating_worsens(
    severity: int, occurrence: int, detection: int
) -> None:
    base = ORDER[
        action_priority(severity=severity, occurrence=occurrence, detection=detection)
    ]
    for s, o, d in (
        (severity + 1, occurrence, detection),
        (severity, occurrence + 1, detection),
        (severity, occurrence, detection + 1),
    ):
        if max(s, o, d) <= 10:
            assert ORDER[action_priority(severity=s, occurrence=o, detection=d)] >= base


@given(ratings, ratings)
def test_severity_one_is_always_low(occurrence: int, detection: int) -> None:
    assert (
        action_priority(severity=1, occurrence=occurrence, detection=detection) == "L"
    )


@given(ratings, ratings, ratings)
def test_rpn_is_the_product(severity: int, occurrence: int, detection: int) -> None:
    found = rpn(severity=severity, occurrence=occurrence, detection=detection)
    assert found == severity * occurrence * detection
