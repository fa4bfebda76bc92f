"""RICE, ICE, WSJF, opportunity and weighted scores."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import productops as po
from productops import scoring

positive = st.floats(min_value=0.01, max_value=1e6, allow_nan=False)
nonneg = st.floats(min_value=0, max_value=1e6, allow_nan=False)
fraction = st.floats(min_value=0, max_value=1)


# Intercom, "RICE: Simple prioritization for product managers" (McBride, 2016):
# project 1 reach 500/month x 30% x 3 months = 450, impact 3, confidence 100%,
# effort 2; project 2: 2000, 1, 80%, 4; project 3: 800, 2, 50%, 1. The article
# shows the scores only in a screenshot; 675 / 400 / 800 follow from the formula
# (scoring.md section 1).
INTERCOM = {
    "reach": [450, 2000, 800],
    "impact": [3, 1, 2],
    "confidence": [1.0, 0.8, 0.5],
    "effort": [2, 4, 1],
}


def test_rice_reproduces_the_intercom_projects() -> None:
    scores = scoring.rice(**INTERCOM)
    np.testing.assert_allclose(scores, [675, 400, 800])


def test_rice_of_scalars_is_a_float() -> None:
    score = scoring.rice(reach=450, impact=3, confidence=1.0, effort=2)
    assert type(score) is float
    assert score == 675.0


def test_rice_named_scales_are_floats() -> None:
    assert scoring.RiceImpact.MASSIVE == 3
    assert scoring.RiceConfidence.MEDIUM == 0.8
    assert (
        scoring.rice(
            reach=100,
            impact=scoring.RiceImpact.LOW,
            confidence=scoring.RiceConfidence.LOW,
            effort=1,
        )
        == 25.0
    )


@pytest.mark.parametrize("effort", [0, -1, -0.5])
def test_rice_rejects_non_positive_effort(effort: float) -> None:
    with pytest.raises(po.InvalidInputError, match="effort"):
        scoring.rice(reach=10, impact=1, confidence=1, effort=effort)


def test_rice_zero_confidence_is_legal_and_zero() -> None:
    assert scoring.rice(reach=10, impact=1, confidence=0, effort=1) == 0.0


@pytest.mark.parametrize(
    ("field", "value"),
    [("reach", -1), ("impact", -0.5), ("confidence", 1.2), ("reach", math.nan)],
)
def test_rice_rejects_out_of_domain_values(field: str, value: float) -> None:
    inputs = {"reach": 10.0, "impact": 1.0, "confidence": 0.5, "effort": 1.0}
    inputs[field] = value
    with pytest.raises(po.InvalidInputError, match=field):
        scoring.rice(**inputs)


def test_rice_lists_every_bad_effort() -> None:
    with pytest.raises(po.InvalidInputError) as info:
        scoring.rice(reach=[1, 2, 3], impact=1, confidence=1, effort=[0, 1, -2])
    assert "#0 (0)" in str(info.value)
    assert "#2 (-2)" in str(info.value)
    assert "#1" not in str(info.value)


def test_rice_percent_confidence() -> None:
    assert scoring.rice(reach=10, impact=1, confidence=80, effort=1, percent=True) == 8


def test_rice_strict_scales() -> None:
    assert scoring.rice(reach=10, impact=2, confidence=0.8, effort=0.5, strict=True)
    with pytest.raises(po.InvalidInputError, match=r"impact.*one of"):
        scoring.rice(reach=10, impact=1.5, confidence=0.8, effort=1, strict=True)
    with pytest.raises(po.InvalidInputError, match="confidence"):
        scoring.rice(reach=10, impact=1, confidence=0.7, effort=1, strict=True)
    with pytest.raises(po.InvalidInputError, match="effort"):
        scoring.rice(reach=10, impact=1, confidence=0.5, effort=1.25, strict=True)


def test_empty_inputs_give_an_empty_result() -> None:
    scores = scoring.rice(reach=[], impact=[], confidence=[], effort=[])
    assert scores.shape == (0,)


def test_mismatched_lengths_are_named() -> None:
    with pytest.raises(po.InvalidInputError, match="different lengths"):
        scoring.rice(reach=[1, 2], impact=[1, 2, 3], confidence=1, effort=1)


def test_booleans_and_text_are_not_numbers() -> None:
    with pytest.raises(po.InvalidInputError, match="boolean"):
        scoring.rice(reach=True, impact=1, confidence=1, effort=1)
    with pytest.raises(po.InvalidInputError, match="reach"):
        scoring.rice(reach="many", impact=1, confidence=1, effort=1)  # type: ignore[call-overload]


@given(
    reach=nonneg,
    impact=nonneg,
    confidence=fraction,
    effort=positive,
    factor=st.floats(min_value=1.0, max_value=10.0),
)
def test_rice_grows_with_reach_impact_confidence_and_falls_with_effort(
    reach: float, impact: float, confidence: float, effort: float, factor: float
) -> None:
    base = scoring.rice(
        reach=reach, impact=impact, confidence=confidence, effort=effort
    )
    bigger = {
        "reach": reach,
        "impact": impact,
        "confidence": confidence,
        "effort": effort,
    }
    for field in ("reach", "impact"):
        grown = scoring.rice(**{**bigger, field: bigger[field] * factor})
        assert grown >= base
    more_sure = scoring.rice(**{**bigger, "confidence": min(1.0, confidence * factor)})
    assert more_sure >= base
    harder = scoring.rice(**{**bigger, "effort": effort * factor})
    assert harder <= base


def test_ice_combiners() -> None:
    # Gilad's product, Ellis & Brown's mean, the blogs' sum (scoring.md section 2).
    assert scoring.ice(impact=8, confidence=5, ease=6, combine="product") == 240
    assert scoring.ice(impact=8, confidence=5, ease=6, combine="sum") == 19
    assert scoring.ice(impact=9, confidence=6, ease=3, combine="mean") == 6


def test_ice_combiners_rank_differently() -> None:
    # An easy, low-confidence idea against a researched medium one.
    easy = {"impact": 6, "confidence": 1, "ease": 10}
    researched = {"impact": 4, "confidence": 6, "ease": 4}
    assert scoring.ice(**easy, combine="mean") > scoring.ice(
        **researched, combine="mean"
    )
    assert scoring.ice(**easy, combine="product") < scoring.ice(
        **researched, combine="product"
    )


def test_ice_rejects_off_scale_and_unknown_combiner() -> None:
    with pytest.raises(po.InvalidInputError, match="ease"):
        scoring.ice(impact=5, confidence=5, ease=11, combine="product")
    with pytest.raises(po.InvalidInputError, match="combine"):
        scoring.ice(impact=5, confidence=5, ease=5, combine="median")  # type: ignore[call-overload]
    assert (
        scoring.ice(impact=50, confidence=1, ease=1, combine="sum", strict=False) == 52
    )


def test_wsjf_formula_and_fibonacci() -> None:
    assert scoring.wsjf(
        business_value=8, time_criticality=5, risk_reduction=3, job_size=5
    ) == pytest.approx(3.2)
    with pytest.raises(po.InvalidInputError, match=r"time_criticality.*one of"):
        scoring.wsjf(
            business_value=8,
            time_criticality=4,
            risk_reduction=3,
            job_size=5,
            strict=True,
        )
    with pytest.raises(po.InvalidInputError, match="job_size"):
        scoring.wsjf(business_value=8, time_criticality=5, risk_reduction=3, job_size=0)


def test_wsjf_normalised_columns_start_at_one() -> None:
    scores = scoring.wsjf(
        business_value=[10, 20, 40],
        time_criticality=[2, 2, 4],
        risk_reduction=[5, 10, 5],
        job_size=[3, 6, 9],
        normalise=True,
    )
    # Columns become [1,2,4], [1,1,2], [1,2,1], [1,2,3] -> CoD 3, 5, 7.
    np.testing.assert_allclose(scores, [3 / 1, 5 / 2, 7 / 3])
    with pytest.raises(po.InvalidInputError, match="arrays"):
        scoring.wsjf(
            business_value=1,
            time_criticality=1,
            risk_reduction=1,
            job_size=1,
            normalise=True,
        )


@given(
    st.lists(st.floats(min_value=0.1, max_value=100), min_size=2, max_size=8),
    st.floats(min_value=0.1, max_value=50),
)
def test_scaling_the_job_size_column_keeps_the_normalised_wsjf(
    sizes: list[float], factor: float
) -> None:
    n = len(sizes)
    common = {
        "business_value": [1.0 + i for i in range(n)],
        "time_criticality": [2.0] * n,
        "risk_reduction": [1.0 + (i % 3) for i in range(n)],
    }
    a = scoring.wsjf(**common, job_size=sizes, normalise=True)
    b = scoring.wsjf(**common, job_size=[s * factor for s in sizes], normalise=True)
    np.testing.assert_allclose(a, b, rtol=1e-9)


@given(
    value=nonneg,
    size=positive,
    factor=st.floats(min_value=1.0, max_value=10.0),
)
def test_wsjf_grows_with_value_and_falls_with_size(
    value: float, size: float, factor: float
) -> None:
    base = scoring.wsjf(
        business_value=value, time_criticality=1, risk_reduction=1, job_size=size
    )
    assert (
        scoring.wsjf(
            business_value=value * factor,
            time_criticality=1,
            risk_reduction=1,
            job_size=size,
        )
        >= base
    )
    assert (
        scoring.wsjf(
            business_value=value,
            time_criticality=1,
            risk_reduction=1,
            job_size=size * factor,
        )
        <= base
    )


def test_relative_divides_by_the_smallest() -> None:
    np.testing.assert_allclose(scoring.relative([3, 6, 7.5]), [1, 2, 2.5])
    assert scoring.relative([]).shape == (0,)
    with pytest.raises(po.InvalidInputError, match="#1"):
        scoring.relative([2, 0])


def test_opportunity_score_published_examples() -> None:
    # decikit.com "Opportunity scoring": I=9, S=3 -> 15; I=9, S=9 -> 9.
    assert scoring.opportunity_score(importance=9, satisfaction=3) == 15
    assert scoring.opportunity_score(importance=9, satisfaction=9) == 9
    np.testing.assert_allclose(
        scoring.opportunity_score(importance=[9, 5], satisfaction=[3, 8]), [15, 5]
    )


def test_opportunity_scales() -> None:
    with pytest.raises(po.InvalidInputError, match="importance"):
        scoring.opportunity_score(importance=11, satisfaction=3)
    assert scoring.opportunity_score(
        importance=4.7, satisfaction=2.6, scale="raw"
    ) == pytest.approx(6.8)
    with pytest.raises(po.InvalidInputError, match="importance"):
        scoring.opportunity_score(importance=0.5, satisfaction=2, scale="raw")


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (15.1, "extreme"),
        (15.0, "high"),
        (12.0, "high"),
        (11.9, "worth considering"),
        (10.0, "worth considering"),
        (9.99, "unattractive"),
        (0, "unattractive"),
    ],
)
def test_opportunity_bands_at_their_boundaries(score: float, band: str) -> None:
    assert scoring.opportunity_band(score) == band


def test_top_two_box() -> None:
    assert scoring.top_two_box([5, 4, 3, 2, 1]) == pytest.approx(4.0)
    with pytest.raises(po.InvalidInputError, match="ratings"):
        scoring.top_two_box([])
    with pytest.raises(po.InvalidInputError, match="#1"):
        scoring.top_two_box([5, 4.5])


def test_weighted_score_min_max_by_hand() -> None:
    items = [
        {"key": "a", "value": 10, "cost": 4},
        {"key": "b", "value": 20, "cost": 8},
        {"key": "c", "value": 30, "cost": 6},
    ]
    # value -> 0, .5, 1; cost -> 0, 1, .5; weights 2, -2 -> .5, -.5
    scores = scoring.weighted_score(items, weights={"value": 2, "cost": -2})
    np.testing.assert_allclose(scores, [0.0, -0.25, 0.25])


def test_weighted_score_normalisations() -> None:
    table = {"x": [2.0, 4.0, 6.0]}
    np.testing.assert_allclose(
        scoring.weighted_score(table, weights={"x": 1}, normalise="max"),
        [1 / 3, 2 / 3, 1],
    )
    z = scoring.weighted_score(table, weights={"x": 1}, normalise="z-score")
    np.testing.assert_allclose(z, [-1.224744871, 0, 1.224744871])
    np.testing.assert_allclose(
        scoring.weighted_score(table, weights={"x": 4}, normalise="none"), [2, 4, 6]
    )


def test_a_constant_criterion_contributes_nothing() -> None:
    table = {"x": [1.0, 2.0], "same": [5.0, 5.0]}
    for how, alone in (("min-max", [0.0, 0.5]), ("z-score", [-0.5, 0.5])):
        scores = scoring.weighted_score(
            table, weights={"x": 1, "same": 1}, normalise=how
        )
        np.testing.assert_allclose(scores, alone)


def test_weighted_score_checks_weights_and_inputs() -> None:
    table = {"x": [1.0, 2.0]}
    with pytest.raises(po.InvalidInputError, match="all weights are zero"):
        scoring.weighted_score(table, weights={"x": 0})
    with pytest.raises(po.InvalidInputError, match="'x'"):
        scoring.weighted_score(table, weights={"x": math.nan})
    with pytest.raises(po.InvalidInputError, match="no column 'y'"):
        scoring.weighted_score(table, weights={"y": 1})
    with pytest.raises(po.InvalidInputError, match="item 'b': no x"):
        scoring.weighted_score(
            [{"key": "a", "x": 1}, {"key": "b"}, {"key": "c", "x": 3}], weights={"x": 1}
        )
    assert scoring.weighted_score([], weights={"x": 1}).shape == (0,)


@given(
    st.lists(
        st.tuples(
            st.floats(min_value=-100, max_value=100),
            st.floats(min_value=-100, max_value=100),
        ),
        min_size=1,
        max_size=10,
    ),
    st.floats(min_value=0.1, max_value=10),
    st.floats(min_value=-10, max_value=10).filter(lambda w: abs(w) > 1e-3),
    st.floats(min_value=1e-3, max_value=1e3),
    st.sampled_from(["min-max", "max", "z-score", "none"]),
)
def test_weighted_score_is_invariant_to_scaling_all_weights(
    rows: list[tuple[float, float]], w1: float, w2: float, factor: float, how: str
) -> None:
    table = {"a": [r[0] for r in rows], "b": [r[1] for r in rows]}
    base = scoring.weighted_score(table, weights={"a": w1, "b": w2}, normalise=how)  # type: ignore[arg-type]
    scaled = scoring.weighted_score(
        table,
        weights={"a": w1 * factor, "b": w2 * factor},
        normalise=how,  # type: ignore[arg-type]
    )
    np.testing.assert_allclose(base, scaled, rtol=1e-9, atol=1e-12)


def test_weighted_score_reads_records_and_dataframes_alike() -> None:
    pd = pytest.importorskip("pandas")
    rows = [{"key": "a", "x": 1.0, "y": 3.0}, {"key": "b", "x": 2.0, "y": 1.0}]
    frame = pd.DataFrame(rows)
    weights = {"x": 1.0, "y": 0.5}
    np.testing.assert_allclose(
        scoring.weighted_score(rows, weights=weights),
        scoring.weighted_score(frame, weights=weights),
    )


def test_initiative_methods_call_the_scoring_functions() -> None:
    initiative = po.Initiative(
        key="P1",
        title="Onboarding",
        reach=450,
        impact=3,
        confidence=1.0,
        effort=2,
        business_value=8,
        time_criticality=5,
        risk_reduction=3,
        job_size=5,
    )
    assert initiative.rice() == 675
    assert initiative.cost_of_delay() == 16
    assert initiative.wsjf() == pytest.approx(3.2)
    assert initiative.wsjf(strict=True) == pytest.approx(3.2)


def test_initiative_names_every_missing_input() -> None:
    initiative = po.Initiative(key="P9", title="Idea", reach=10)
    with pytest.raises(
        po.InvalidInputError, match="'P9': RICE needs impact, confidence, effort"
    ):
        initiative.rice()
    with pytest.raises(po.InvalidInputError, match="WSJF needs business_value"):
        initiative.wsjf()
