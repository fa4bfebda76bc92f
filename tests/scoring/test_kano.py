from __future__ import annotations

import math
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from productops import InvalidInputError, KanoCategory
from productops.scoring._kano import (
    KanoAnswer,
    KanoPoint,
    kano,
    kano_attributes,
    kano_categories,
    kano_category,
    kano_continuous,
)

MB, OD, AT, IN, RV, QU = (
    KanoCategory.MUST_BE,
    KanoCategory.PERFORMANCE,
    KanoCategory.ATTRACTIVE,
    KanoCategory.INDIFFERENT,
    KanoCategory.REVERSE,
    KanoCategory.QUESTIONABLE,
)
ANSWERS = ["like", "expect", "neutral", "tolerate", "dislike"]

# The evaluation table of Kano et al. (1984) as printed by Berger et al. (1993)
# and reproduced in docs/scoring.md §7 and the stp25kano README: rows are the
# functional answer, columns the dysfunctional one.
TABLE = {
    "like": "Q A A A O",
    "expect": "R I I I M",
    "neutral": "R I I I M",
    "tolerate": "R I I I M",
    "dislike": "R R R R Q",
}
LETTER = {"M": MB, "O": OD, "A": AT, "I": IN, "R": RV, "Q": QU}

# stp25kano README (Wolfgang Peter, 2024, https://github.com/stp4/stp25kano),
# five attributes, n = 296 (simulated tallies). Columns: counts M O A I R Q, the
# max category, the M>O>A>I category, total strength %, category strength %,
# CS+, CS-, and the Fong test "gap < critical" with its verdict.
STP25KANO = {
    "Service app": (
        (95, 123, 45, 33, 0, 0),
        OD,
        OD,
        89,
        9,
        0.568,
        -0.736,
        28,
        19.4,
        True,
    ),
    "Excellent service": (
        (101, 54, 54, 81, 3, 3),
        MB,
        MB,
        71,
        7,
        0.372,
        -0.534,
        20,
        18.5,
        True,
    ),
    "Hotline": ((15, 24, 121, 124, 6, 6), IN, AT, 54, 1, 0.511, -0.137, 3, 19.8, False),
    "Loan machine": (
        (65, 87, 93, 51, 0, 0),
        AT,
        OD,
        83,
        2,
        0.608,
        -0.514,
        6,
        18.5,
        False,
    ),
    "Ready-to-use return": (
        (9, 18, 83, 177, 6, 3),
        IN,
        IN,
        37,
        32,
        0.352,
        -0.094,
        94,
        19.9,
        True,
    ),
}

answers = st.sampled_from(list(KanoAnswer))
pairs = st.lists(st.tuples(answers, answers), min_size=1, max_size=60)


def counts_of(values: tuple[int, ...]) -> dict[str, int]:
    return dict(zip("MOAIRQ", values, strict=True))


# -- answers and the evaluation table --------------------------------------------


@pytest.mark.parametrize(
    ("functional", "dysfunctional"),
    [(f, d) for f in ANSWERS for d in ANSWERS],
)
def test_evaluation_table_matches_berger(functional, dysfunctional):
    expected = LETTER[TABLE[functional].split()[ANSWERS.index(dysfunctional)]]
    got = kano_category(functional=functional, dysfunctional=dysfunctional)
    assert got is expected


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("like", KanoAnswer.LIKE),
        ("LIKE", KanoAnswer.LIKE),
        ("  Dislike ", KanoAnswer.DISLIKE),
        ("must-be", KanoAnswer.EXPECT),
        ("Must Be", KanoAnswer.EXPECT),
        ("must_be", KanoAnswer.EXPECT),
        ("live-with", KanoAnswer.TOLERATE),
        ("Live with", KanoAnswer.TOLERATE),
        ("TOLERATE", KanoAnswer.TOLERATE),
    ],
)
def test_answers_accept_case_and_synonyms(text, answer):
    assert KanoAnswer(text) is answer


@pytest.mark.parametrize("text", ["maybe", "", "must", "live-with-it"])
def test_unknown_answer_is_not_a_kano_answer(text):
    with pytest.raises(ValueError, match="is not a valid KanoAnswer"):
        KanoAnswer(text)


def test_synonyms_classify_like_their_answers():
    assert kano_category(functional="must-be", dysfunctional="Dislike") is MB
    assert kano_category(functional="Like", dysfunctional="live with") is AT


def test_kano_category_names_both_bad_answers():
    with pytest.raises(InvalidInputError) as info:
        kano_category(functional="maybe", dysfunctional=3)  # type: ignore[arg-type]
    message = str(info.value)
    assert "functional: 'maybe'" in message
    assert "dysfunctional: 3" in message


def test_kano_categories_classifies_each_pair_in_order():
    got = kano_categories(
        [("like", "dislike"), ("expect", "dislike"), ("dislike", "like")]
    )
    assert got == [OD, MB, RV]


def test_kano_categories_of_no_answers_is_empty():
    assert kano_categories([]) == []


def test_kano_categories_names_every_bad_pair():
    with pytest.raises(InvalidInputError) as info:
        kano_categories(
            [("like", "x"), ("like",), ("maybe", "like"), "ab"]  # type: ignore[list-item]
        )
    message = str(info.value)
    assert "4 bad answers" in message
    assert "#0 dysfunctional 'x'" in message
    assert "#1 is not a pair" in message
    assert "#2 functional 'maybe'" in message
    assert "#3 is not a pair" in message


def test_kano_categories_rejects_a_string():
    with pytest.raises(InvalidInputError, match="pairs"):
        kano_categories("like")  # type: ignore[arg-type]


# -- the published worked example (stp25kano) ------------------------------------


@pytest.mark.parametrize("attribute", list(STP25KANO))
def test_stp25kano_worked_example(attribute):
    (
        counts,
        mode,
        category,
        total_pct,
        category_pct,
        better,
        worse,
        gap,
        critical,
        significant,
    ) = STP25KANO[attribute]
    result = kano(counts_of(counts))
    assert result.n == 296
    assert result.mode is mode
    assert result.category is category
    assert round(result.total_strength * 100) == total_pct
    assert round(result.category_strength * 100) == category_pct
    assert result.better == pytest.approx(better, abs=5e-4)
    assert result.worse == pytest.approx(worse, abs=5e-4)
    assert result.fong_gap == gap
    assert round(result.fong_critical, 1) == critical
    assert result.significant is significant


def test_hotline_tie_goes_to_the_category_with_more_impact():
    # stp25kano "Hotline": I 124 vs A 121 of 296 is a 1-point gap, inside the
    # 5-point band, so M > O > A > I picks attractive over indifferent.
    result = kano(counts_of((15, 24, 121, 124, 6, 6)))
    assert result.mode is IN
    assert result.tied == (AT, IN)
    assert result.category is AT


def test_mode_rule_keeps_the_most_frequent_category():
    result = kano(counts_of((15, 24, 121, 124, 6, 6)), tie_rule="mode")
    assert result.category is IN
    assert result.tied == (IN,)


@pytest.mark.parametrize(
    ("band", "expected"),
    [(0.0, IN), (0.01, IN), (0.0102, AT), (0.05, AT)],
)
def test_band_sets_how_close_counts_as_a_tie(band, expected):
    # The Hotline gap is 3 / 296 = 0.01014 of all answers.
    assert kano(counts_of((15, 24, 121, 124, 6, 6)), band=band).category is expected


def test_a_gap_of_exactly_the_band_is_a_tie():
    # 105 - 95 = 10 of 200 answers is exactly 5 points.
    assert kano({"I": 105, "A": 95}, band=0.05).category is AT
    assert kano({"I": 106, "A": 94}, band=0.05).category is IN


def test_exact_tie_goes_to_the_first_in_impact_order_under_both_rules():
    for rule in ("impact", "mode"):
        result = kano({"A": 10, "I": 10, "O": 10}, tie_rule=rule, band=0)
        assert result.category is OD
        assert result.mode is OD


def test_categories_without_answers_never_win_a_tie():
    result = kano({"A": 1, "I": 1}, band=1.0)
    assert result.tied == (AT, IN)
    assert result.category is AT


def test_reverse_and_questionable_rank_after_indifferent():
    # R is the mode but I is within the band: the rule prefers I.
    assert kano({"R": 50, "I": 48, "Q": 2}).category is IN
    assert kano({"Q": 60, "R": 40}).category is QU


def test_only_reverse_or_questionable_answers_leave_coefficients_undefined():
    result = kano({"R": 3, "Q": 1})
    assert result.better is None
    assert result.worse is None
    assert result.total_strength == 0
    assert result.category is RV


def test_only_questionable_answers_are_not_significant():
    result = kano({"Q": 5})
    assert result.fong_gap == 0
    assert result.significant is False


# -- coefficients and tests computed by hand ---------------------------------------


def test_coefficients_from_answers_by_hand():
    # A, A, O: better (2 + 1) / 3 = 1, worse -(1 + 0) / 3.
    result = kano([("like", "neutral"), ("like", "tolerate"), ("like", "dislike")])
    assert result.counts == {MB: 0, OD: 1, AT: 2, IN: 0, RV: 0, QU: 0}
    assert result.category is AT
    assert result.better == 1.0
    assert result.worse == pytest.approx(-1 / 3)


def test_reverse_and_questionable_are_left_out_of_the_coefficients():
    # Berger: (A + O) / (A + O + M + I), R and Q not in the denominator.
    result = kano({"A": 2, "O": 1, "M": 1, "R": 4, "Q": 2})
    assert result.better == pytest.approx(3 / 4)
    assert result.worse == pytest.approx(-2 / 4)
    assert result.total_strength == pytest.approx(4 / 10)


def test_fong_test_by_hand():
    # m1 = 30, m2 = 10, n = 50: 1.65 * sqrt(40 * 60 / 100) = 8.083.
    result = kano({"O": 30, "A": 10, "I": 5, "Q": 5})
    assert result.fong_gap == 20
    assert result.fong_critical == pytest.approx(1.65 * math.sqrt(24))
    assert result.significant is True
    assert result.category_strength == pytest.approx(20 / 50)


def test_fong_test_ignores_questionable_but_counts_it_in_n():
    # Q is the largest count, but the test compares O 8 and A 6; n = 34.
    result = kano({"Q": 20, "O": 8, "A": 6})
    assert result.fong_gap == 2
    assert result.fong_critical == pytest.approx(1.65 * math.sqrt(14 * 54 / 68))


def test_counts_take_categories_values_and_letters():
    by_enum = kano({MB: 3, OD: 2, AT: 1})
    by_value = kano({"must_be": 3, "performance": 2, "attractive": 1})
    by_letter = kano({"m": 3, "O": 2, " a ": 1})
    assert by_enum == by_value == by_letter


def test_counts_accept_a_counter_of_categories():
    categories = kano_categories([("like", "dislike"), ("expect", "dislike")] * 3)
    assert kano(Counter(categories)) == kano({"O": 3, "M": 3})


def test_counts_name_unknown_categories():
    with pytest.raises(
        InvalidInputError, match=r"unknown Kano categories 'X', 'delight'"
    ):
        kano({"M": 1, "X": 2, "delight": 3})


def test_counts_name_every_bad_count():
    with pytest.raises(InvalidInputError) as info:
        kano({"M": 1.5, "O": -1, "A": 2})
    message = str(info.value)
    assert "2 bad values" in message
    assert "'M' (1.5)" in message
    assert "'O' (-1)" in message


@pytest.mark.parametrize("data", [[], {}, {"M": 0, "A": 0}])
def test_no_answers_is_an_error(data):
    with pytest.raises(InvalidInputError, match="no answers"):
        kano(data)


@pytest.mark.parametrize("band", [-0.01, 1.5, float("nan"), [0.1]])
def test_band_must_be_a_fraction(band):
    with pytest.raises(InvalidInputError, match="band"):
        kano({"A": 1}, band=band)


def test_unknown_tie_rule_is_an_error():
    with pytest.raises(InvalidInputError, match="tie_rule"):
        kano({"A": 1}, tie_rule="MOAI")  # type: ignore[arg-type]


def test_repr_shows_category_coefficients_and_fong():
    text = repr(kano(counts_of((15, 24, 121, 124, 6, 6))))
    assert text.startswith("<KanoResult attractive (mode indifferent), n=296")
    assert "better 0.511, worse -0.137" in text
    assert "Fong 3 vs 19.8 not significant" in text


# -- many attributes --------------------------------------------------------------


def test_kano_attributes_classifies_each_in_order():
    survey = {name: counts_of(row[0]) for name, row in STP25KANO.items()}
    results = kano_attributes(survey)
    assert list(results) == list(STP25KANO)
    assert {name: r.category for name, r in results.items()} == {
        name: row[2] for name, row in STP25KANO.items()
    }


def test_kano_attributes_mixes_answers_and_counts():
    results = kano_attributes(
        {"export": [("like", "dislike")], "sso": {"M": 4}}, tie_rule="mode"
    )
    assert results["export"].category is OD
    assert results["sso"].category is MB


def test_kano_attributes_names_every_bad_attribute():
    with pytest.raises(InvalidInputError) as info:
        kano_attributes({"ok": {"A": 1}, "empty": {}, "typo": [("lik", "like")]})
    message = str(info.value)
    assert "attribute 'empty'" in message
    assert "attribute 'typo'" in message
    assert "'ok'" not in message


def test_kano_attributes_of_nothing_is_empty():
    assert kano_attributes({}) == {}


# -- continuous analysis ----------------------------------------------------------


def test_continuous_scores_by_hand():
    # DuMouchel scores: functional like 4, neutral 0, dislike -2 -> 2/3;
    # dysfunctional tolerate 2, dislike 4, like -2 -> 4/3.
    point = kano_continuous(
        [("like", "tolerate"), ("neutral", "dislike"), ("dislike", "like")]
    )
    assert point.functional == pytest.approx(2 / 3)
    assert point.dysfunctional == pytest.approx(4 / 3)
    assert point.importance is None
    assert point.n == 3


@pytest.mark.parametrize(
    ("answer", "functional", "dysfunctional"),
    [
        ("like", 4, -2),
        ("expect", 2, -1),
        ("neutral", 0, 0),
        ("tolerate", -1, 2),
        ("dislike", -2, 4),
    ],
)
def test_continuous_uses_dumouchel_scores(answer, functional, dysfunctional):
    point = kano_continuous([(answer, answer)])
    assert point == KanoPoint(
        dysfunctional=dysfunctional, functional=functional, importance=None, n=1
    )


def test_continuous_importance_is_the_mean():
    point = kano_continuous([("like", "dislike")] * 3, importance=[9, 7, 5])
    assert point.importance == 7.0


def test_continuous_importance_on_another_scale():
    point = kano_continuous(
        [("like", "dislike")] * 2, importance=[1, 5], importance_scale=(1, 5)
    )
    assert point.importance == 3.0


def test_continuous_importance_off_the_scale_names_every_value():
    with pytest.raises(InvalidInputError) as info:
        kano_continuous([("like", "dislike")] * 3, importance=[0, 5, 10])
    message = str(info.value)
    assert "importance: 2 bad values: #0 (0), #2 (10)" in message
    assert "between 1 and 9" in message


@pytest.mark.parametrize("importance", [[5, 5], 5])
def test_continuous_importance_needs_one_value_per_respondent(importance):
    with pytest.raises(InvalidInputError, match="1 respondents"):
        kano_continuous([("like", "dislike")], importance=importance)


@pytest.mark.parametrize("scale", [(9, 1), (5, 5), (1, 5, 9), (1, float("inf"))])
def test_continuous_importance_scale_must_be_increasing(scale):
    with pytest.raises(InvalidInputError, match="importance_scale"):
        kano_continuous([("like", "dislike")], importance=[5], importance_scale=scale)


def test_continuous_needs_answers():
    with pytest.raises(InvalidInputError, match="no answers"):
        kano_continuous([])


def test_continuous_names_bad_answers():
    with pytest.raises(InvalidInputError, match="#1 dysfunctional 'meh'"):
        kano_continuous([("like", "dislike"), ("like", "meh")])


# -- properties -------------------------------------------------------------------


@given(pairs)
def test_answers_and_their_counts_classify_alike(data):
    assert kano(data) == kano(Counter(kano_categories(data)))


@given(pairs, st.sampled_from(["impact", "mode"]), st.floats(0, 1))
def test_result_invariants(data, rule, band):
    result = kano(data, tie_rule=rule, band=band)
    assert result.n == len(data) == sum(result.counts.values())
    assert result.counts[result.mode] == max(result.counts.values())
    assert result.category == result.tied[0]
    assert result.mode in result.tied
    assert 0 <= result.total_strength <= 1
    assert 0 <= result.category_strength <= 1
    if result.better is not None and result.worse is not None:
        assert 0 <= result.better <= 1
        assert -1 <= result.worse <= 0


@given(pairs)
def test_the_impact_rule_only_ever_moves_the_category_up_in_impact(data):
    order = [MB, OD, AT, IN, RV, QU]
    by_impact = kano(data).category
    by_mode = kano(data, tie_rule="mode").category
    assert order.index(by_impact) <= order.index(by_mode)


@given(pairs)
def test_continuous_scores_stay_on_the_scale(data):
    point = kano_continuous(data)
    assert -2 <= point.functional <= 4
    assert -2 <= point.dysfunctional <= 4
