"""Three-point estimates (beta-PERT, triangular) and Monte Carlo schedule risk."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from datetime import date, timedelta
from fractions import Fraction
from itertools import pairwise
from typing import Literal

import networkx as nx
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from productops.errors import InvalidInputError
from productops.flow.dependencies import critical_path
from productops.forecast import WorkCalendar
from productops.scoring._estimate import (
    PertPath,
    ScheduleRisk,
    ThreePoint,
    pert_mean,
    pert_sd,
    schedule_risk,
    triangular_mean,
    triangular_sd,
)

MONDAY = date(2024, 3, 4)
Distribution = Literal["pert", "triangular"]

# -- the published example ------------------------------------------------------
#
# Wikipedia, "Program evaluation and review technique", section "Example"
# (https://en.wikipedia.org/wiki/Program_evaluation_and_review_technique):
# activities with (optimistic, most likely, pessimistic) weeks and predecessors,
# expected times te = 4.00, 5.33, 5.17, 6.33, 5.17, 4.50, 5.17 and the critical
# path A-C-E-G. Wikipedia prints its length as 19.51 because it adds the rounded
# te values; the exact length is 4 + 31/6 + 31/6 + 31/6 = 19.5. Classic PERT:
# variance along A-C-E-G = (4/6)^2 + (3/6)^2 + (3/6)^2 + (5/6)^2 = 59/36, so
# sd = 1.2802 and P(T <= 21) = Phi(1.5 / 1.2802) = 0.8793 (also in
# /work/shared/reference/scoring.md, section 12).

WIKIPEDIA = {
    "A": (2, 4, 6),
    "B": (3, 5, 9),
    "C": (4, 5, 7),
    "D": (4, 6, 10),
    "E": (4, 5, 7),
    "F": (3, 4, 8),
    "G": (3, 5, 8),
}
WIKIPEDIA_AFTER = [
    ("A", "C"),
    ("A", "D"),
    ("B", "E"),
    ("C", "E"),
    ("D", "F"),
    ("E", "G"),
]
WIKIPEDIA_TE = {
    "A": 4.00,
    "B": 5.33,
    "C": 5.17,
    "D": 6.33,
    "E": 5.17,
    "F": 4.50,
    "G": 5.17,
}


def binomial_sigma(p: float, n: int) -> float:
    return math.sqrt(p * (1 - p) / n)


def test_wikipedia_expected_times() -> None:
    low, mode, high = (list(column) for column in zip(*WIKIPEDIA.values(), strict=True))
    te = pert_mean(low=low, mode=mode, high=high)
    assert te.round(2).tolist() == list(WIKIPEDIA_TE.values())
    # exact fractions: B = (3 + 20 + 9) / 6 = 16/3, D = 38/6, C = E = G = 31/6
    assert te[1] == pytest.approx(16 / 3, abs=1e-15)
    assert te[3] == pytest.approx(19 / 3, abs=1e-15)


def test_wikipedia_classic_pert_path_and_probability() -> None:
    result = schedule_risk(WIKIPEDIA, dependencies=WIKIPEDIA_AFTER, seed=0, trials=10)
    assert result.pert.nodes == ("A", "C", "E", "G")
    assert result.pert.mean == pytest.approx(19.5, abs=1e-12)  # not Wikipedia's 19.51
    assert result.pert.sd == pytest.approx(math.sqrt(59 / 36), abs=1e-12)
    assert round(result.pert.sd, 4) == 1.2802
    assert round(result.probability(by=21, method="pert"), 4) == 0.8793
    assert round(result.pert.probability(21), 4) == 0.8793


def test_wikipedia_monte_carlo_matches_brute_force_over_paths() -> None:
    # An independent simulation: the project lasts as long as its longest
    # source-to-sink path, each task drawn with ThreePoint.sample.
    n = 20_000
    result = schedule_risk(WIKIPEDIA, dependencies=WIKIPEDIA_AFTER, seed=1, trials=n)
    draws = {
        key: ThreePoint(low=a, mode=m, high=b).sample(n, seed=100 + i)
        for i, (key, (a, m, b)) in enumerate(WIKIPEDIA.items())
    }
    paths = [("A", "C", "E", "G"), ("B", "E", "G"), ("A", "D", "F")]
    brute = np.max([np.sum([draws[k] for k in path], axis=0) for path in paths], axis=0)
    p_sim, p_brute = result.probability(by=21), float(np.mean(brute <= 21))
    assert abs(p_sim - p_brute) < 5 * math.sqrt(2) * binomial_sigma(0.85, n)
    assert result.mean == pytest.approx(float(brute.mean()), abs=0.06)
    # Merge bias and the wider true spread: the classic figure is optimistic.
    assert p_sim < result.probability(by=21, method="pert") - 0.01


def test_wikipedia_criticality() -> None:
    result = schedule_risk(WIKIPEDIA, dependencies=WIKIPEDIA_AFTER, seed=2)
    share = result.criticality
    assert {k for k, v in share.items() if v > 0.95} == {"A", "C", "E", "G"}
    assert all(share[k] < 0.05 for k in "BDF")
    # Exact per trial with continuous durations: one source, one sink and one
    # branch after A are critical in each trial.
    assert share["A"] + share["B"] == pytest.approx(1.0, abs=1e-12)
    assert share["F"] + share["G"] == pytest.approx(1.0, abs=1e-12)
    assert share["C"] + share["D"] == pytest.approx(share["A"], abs=1e-12)


# -- ThreePoint: summary numbers -----------------------------------------------------


def test_three_point_fields_are_floats_and_keyword_only() -> None:
    estimate = ThreePoint(low=2, mode=4, high=6)
    assert (estimate.low, estimate.mode, estimate.high) == (2.0, 4.0, 6.0)
    assert isinstance(estimate.low, float)
    assert estimate.distribution == "pert"
    assert estimate.lam == 4.0
    with pytest.raises(TypeError):
        ThreePoint(2, 4, 6)  # type: ignore[call-arg]
    with pytest.raises(dataclasses.FrozenInstanceError):
        estimate.low = 1.0  # type: ignore[misc]


def test_symmetric_pert_sd_is_width_over_sqrt_28() -> None:
    # alpha = beta = 3: variance 9 / (36 * 7) of width^2 = width^2 / 28.
    estimate = ThreePoint(low=2, mode=4, high=6)
    assert estimate.mean == 4.0
    assert estimate.classic_mean == 4.0
    assert estimate.classic_sd == pytest.approx(4 / 6)
    assert estimate.sd == pytest.approx(4 / math.sqrt(28))


def test_skewed_pert_moments_by_hand() -> None:
    # (0, 1, 4): alpha = 1 + 4 * 1/4 = 2, beta = 1 + 4 * 3/4 = 4. Beta(2, 4) has
    # mean 2/6 and variance 8 / (36 * 7); on a width of 4: mean 4/3, sd
    # 4 * sqrt(8/252).
    estimate = ThreePoint(low=0, mode=1, high=4)
    assert estimate.mean == pytest.approx(4 / 3)
    assert estimate.sd == pytest.approx(4 * math.sqrt(8 / 252))
    assert estimate.sd > estimate.classic_sd  # the rule of thumb understates
    # (0, 0, 6): Beta(1, 5), variance 5 / (36 * 7); only very skewed estimates
    # have a true sd below the rule of thumb.
    extreme = ThreePoint(low=0, mode=0, high=6)
    assert extreme.mean == pytest.approx(1.0)
    assert extreme.sd == pytest.approx(6 * math.sqrt(5 / 252))
    assert extreme.sd < extreme.classic_sd


def test_modified_pert_lambda_moves_the_mean_to_the_mode() -> None:
    # Vose's modified PERT: mean (a + lam m + b) / (lam + 2).
    assert ThreePoint(low=0, mode=1, high=4, lam=2).mean == pytest.approx(6 / 4)
    assert ThreePoint(low=0, mode=1, high=4, lam=10).mean == pytest.approx(14 / 12)
    # classic_mean keeps lam = 4: (0 + 4 + 4) / 6
    assert ThreePoint(low=0, mode=1, high=4, lam=10).classic_mean == pytest.approx(
        4 / 3
    )


def test_triangular_moments_by_hand() -> None:
    # (2, 4, 6): variance (4 + 36 + 16 - 12 - 8 - 24) / 18 = 2/3.
    estimate = ThreePoint(low=2, mode=4, high=6, distribution="triangular")
    assert estimate.mean == 4.0
    assert estimate.sd == pytest.approx(math.sqrt(2 / 3))
    # (3, 5, 9): mean 17/3, variance (9 + 81 + 25 - 27 - 15 - 45) / 18 = 28/18.
    skewed = ThreePoint(low=3, mode=5, high=9, distribution="triangular")
    assert skewed.mean == pytest.approx(17 / 3)
    assert skewed.sd == pytest.approx(math.sqrt(28 / 18))
    assert skewed.classic_mean == pytest.approx(16 / 3)


def test_fixed_estimate_is_a_point_mass() -> None:
    for distribution in ("pert", "triangular"):
        estimate = ThreePoint(low=5, mode=5, high=5, distribution=distribution)
        assert (estimate.mean, estimate.sd, estimate.classic_sd) == (5.0, 0.0, 0.0)
        assert estimate.cdf([4.999, 5, 6]).tolist() == [0.0, 1.0, 1.0]
        assert estimate.ppf([0, 0.5, 1]).tolist() == [5.0, 5.0, 5.0]
        assert estimate.sample(4, seed=0).tolist() == [5.0] * 4


# -- ThreePoint: CDF and quantiles ----------------------------------------------------


def exact_beta_cdf(a: int, b: int, x: Fraction) -> float:
    """I_x(a, b) for whole a, b: P(Binomial(a + b - 1, x) >= a), DLMF 8.17.5."""
    n = a + b - 1
    return float(
        sum(math.comb(n, j) * x**j * (1 - x) ** (n - j) for j in range(a, n + 1))
    )


@pytest.mark.parametrize(
    ("estimate", "a", "b"),
    [
        ((2, 4, 6), 3, 3),  # symmetric
        ((0, 1, 4), 2, 4),  # skewed right
        ((0, 3, 4), 4, 2),  # skewed left
        ((0, 0, 1), 1, 5),  # mode at low
        ((0, 1, 1), 5, 1),  # mode at high
    ],
)
def test_pert_cdf_matches_binomial_sums(
    estimate: tuple[float, float, float], a: int, b: int
) -> None:
    low, mode, high = estimate
    three = ThreePoint(low=low, mode=mode, high=high)
    for k in range(33):
        x = Fraction(k, 32)
        value = low + (high - low) * x
        assert three.cdf(float(value)) == pytest.approx(
            exact_beta_cdf(a, b, x), abs=1e-14
        )


def test_pert_cdf_at_three_is_106_over_1024() -> None:
    # Beta(3, 3) at x = 1/4: 10 (1/4)^3 (3/4)^2 + 5 (1/4)^4 (3/4) + (1/4)^5.
    assert ThreePoint(low=2, mode=4, high=6).cdf(3) == pytest.approx(
        106 / 1024, abs=1e-15
    )


def test_pert_cdf_with_non_integer_shapes_has_closed_forms() -> None:
    # Mode at high: beta = 1, so I_x(alpha, 1) = x^alpha with alpha = 1 + lam.
    at_high = ThreePoint(low=0, mode=1, high=1, lam=2.5)
    x = np.linspace(0, 1, 41)
    assert at_high.cdf(x) == pytest.approx(x**3.5, abs=1e-14)
    # Mode at low: I_x(1, beta) = 1 - (1 - x)^beta.
    at_low = ThreePoint(low=0, mode=0, high=1, lam=1.7)
    assert at_low.cdf(x) == pytest.approx(1 - (1 - x) ** 2.7, abs=1e-14)
    # and their quantiles invert them
    p = np.linspace(0, 1, 41)
    assert at_high.ppf(p) == pytest.approx(p ** (1 / 3.5), abs=1e-12)
    assert at_low.ppf(p) == pytest.approx(1 - (1 - p) ** (1 / 2.7), abs=1e-12)


def test_pert_cdf_integrates_its_density() -> None:
    # (3, 5, 9): alpha = 7/3, beta = 11/3; Simpson's rule on the beta density.
    alpha, beta = 7 / 3, 11 / 3
    x = np.linspace(0, 1, 20_001)
    log_b = math.lgamma(alpha) + math.lgamma(beta) - math.lgamma(alpha + beta)
    density = np.exp((alpha - 1) * np.log(x[1:-1]) + (beta - 1) * np.log1p(-x[1:-1]))
    density = np.concatenate([[0.0], density / math.exp(log_b), [0.0]])
    h = x[1] - x[0]
    estimate = ThreePoint(low=3, mode=5, high=9)
    for stop in (2_000, 7_500, 10_000, 16_000):
        part = density[: stop + 1]
        simpson = (
            h
            / 3
            * (part[0] + part[-1] + 4 * part[1:-1:2].sum() + 2 * part[2:-1:2].sum())
        )
        assert estimate.cdf(3 + 6 * x[stop]) == pytest.approx(simpson, abs=1e-9)


def beta_pert(a: float, b: float) -> ThreePoint:
    """The beta-PERT estimate on [0, 1] whose shape parameters are (a, b)."""
    lam = a + b - 2
    return ThreePoint(low=0, mode=min((a - 1) / lam, 1.0), high=1, lam=lam)


@settings(max_examples=150, deadline=None)
@given(st.floats(1, 30), st.floats(1, 30), st.floats(0, 1))
def test_beta_cdf_satisfies_its_recurrence(a: float, b: float, x: float) -> None:
    # DLMF 8.17.20: I_x(a, b) - I_x(a + 1, b) = x^a (1 - x)^b / (a B(a, b)),
    # an exact identity for non-whole shapes too.
    assume(a + b > 2.01)
    log_b = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    expected = (
        math.exp(a * math.log(x) + b * math.log1p(-x) - math.log(a) - log_b)
        if 0 < x < 1
        else 0.0
    )
    difference = beta_pert(a, b).cdf(x) - beta_pert(a + 1, b).cdf(x)
    assert difference == pytest.approx(expected, abs=1e-11)


def test_symmetric_triangular_cdf_at_the_mode_is_exactly_one_half() -> None:
    triangle = ThreePoint(low=2, mode=4, high=6, distribution="triangular")
    assert triangle.cdf(4) == 0.5
    # rising side (x - a)^2 / ((b - a)(m - a)), falling side 1 - (b - x)^2 / ...
    assert triangle.cdf([1, 3, 5, 6, 7]).tolist() == [0.0, 0.125, 0.875, 1.0, 1.0]
    assert triangle.ppf([0, 0.125, 0.5, 0.875, 1]).tolist() == [2, 3, 4, 5, 6]
    assert ThreePoint(low=2, mode=4, high=6).cdf(4) == pytest.approx(0.5, abs=1e-14)


def test_triangular_with_mode_at_an_end() -> None:
    at_low = ThreePoint(low=0, mode=0, high=2, distribution="triangular")
    assert at_low.cdf(1) == pytest.approx(0.75)  # 1 - (2 - 1)^2 / (2 * 2)
    assert at_low.ppf(0.75) == pytest.approx(1.0)
    at_high = ThreePoint(low=0, mode=2, high=2, distribution="triangular")
    assert at_high.cdf(1) == pytest.approx(0.25)  # 1^2 / (2 * 2)
    assert at_high.ppf(0.25) == pytest.approx(1.0)


def test_percentile_is_ppf_of_a_fraction() -> None:
    estimate = ThreePoint(low=3, mode=5, high=9)
    assert estimate.percentile(80) == estimate.ppf(0.8)
    assert estimate.percentile([0, 100]).tolist() == [3.0, 9.0]
    assert estimate.percentile(50) == pytest.approx(estimate.ppf(0.5))


def test_scalar_in_float_out_and_list_in_array_out() -> None:
    estimate = ThreePoint(low=3, mode=5, high=9)
    assert type(estimate.cdf(5)) is float
    assert type(estimate.ppf(0.5)) is float
    assert isinstance(estimate.cdf([5]), np.ndarray)
    assert estimate.cdf([]).shape == (0,)
    assert estimate.ppf([]).shape == (0,)


estimates = st.tuples(
    st.floats(-1e3, 1e3), st.floats(0, 1e3), st.floats(0, 1e3), st.floats(0.05, 20)
).map(lambda t: (t[0], t[0] + t[1], t[0] + t[1] + t[2], t[3]))


@settings(max_examples=150, deadline=None)
@given(estimates, st.sampled_from(["pert", "triangular"]), st.floats(0, 1))
def test_cdf_inverts_ppf(
    estimate: tuple[float, float, float, float], distribution: Distribution, p: float
) -> None:
    low, mode, high, lam = estimate
    assume(high - low > 1e-6 * max(1.0, abs(low)))
    three = ThreePoint(
        low=low, mode=mode, high=high, distribution=distribution, lam=lam
    )
    x = three.ppf(p)
    assert low <= x <= high
    # x is rounded to a float: at most a few ulps, times the density (< lam + 2)
    ulps = 4 * np.finfo(float).eps * max(1.0, abs(low), abs(high)) / (high - low)
    assert three.cdf(x) == pytest.approx(p, abs=1e-9 + (lam + 2) * ulps)


@settings(max_examples=100, deadline=None)
@given(estimates, st.sampled_from(["pert", "triangular"]))
def test_cdf_and_ppf_are_monotone(
    estimate: tuple[float, float, float, float], distribution: Distribution
) -> None:
    low, mode, high, lam = estimate
    three = ThreePoint(
        low=low, mode=mode, high=high, distribution=distribution, lam=lam
    )
    x = np.linspace(low - 1, high + 1, 60)
    assert np.all(np.diff(three.cdf(x)) >= 0)
    assert np.all(np.diff(three.ppf(np.linspace(0, 1, 60))) >= 0)


@pytest.mark.parametrize("distribution", ["pert", "triangular"])
def test_samples_follow_the_quantiles(distribution: Distribution) -> None:
    # Ties sampling (numpy's beta generator) to the CDF inversion: the share of
    # draws below the q-quantile is q, within five binomial standard errors.
    n = 200_000
    estimate = ThreePoint(low=3, mode=5, high=9, distribution=distribution)
    draws = estimate.sample(n, seed=3)
    for q in (0.05, 0.25, 0.5, 0.8, 0.95):
        share = float(np.mean(draws <= estimate.ppf(q)))
        assert abs(share - q) < 5 * binomial_sigma(q, n)
    assert float(draws.mean()) == pytest.approx(
        estimate.mean, abs=5 * estimate.sd / math.sqrt(n)
    )
    assert float(draws.std()) == pytest.approx(estimate.sd, rel=0.01)


def test_sample_is_reproducible() -> None:
    estimate = ThreePoint(low=1, mode=2, high=5)
    assert np.array_equal(estimate.sample(50, seed=9), estimate.sample(50, seed=9))
    assert not np.array_equal(estimate.sample(50, seed=9), estimate.sample(50, seed=10))
    rng = np.random.default_rng(9)
    assert np.array_equal(estimate.sample(50, seed=rng), estimate.sample(50, seed=9))
    assert estimate.sample(0).shape == (0,)


# -- ThreePoint: bad input --------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"low": 5, "mode": 3, "high": 9},
            "need low <= mode <= high; got low=5, mode=3",
        ),
        ({"low": 1, "mode": 3, "high": 2}, "need low <= mode <= high"),
        ({"low": 1, "mode": math.nan, "high": 2}, "mode: got NaN"),
        ({"low": 1, "mode": 1, "high": math.inf}, "high: got inf"),
        ({"low": True, "mode": 1, "high": 2}, "low: expected a number, got a boolean"),
        ({"low": "one", "mode": 1, "high": 2}, "low: expected a number, got 'one'"),
        ({"low": 1, "mode": 1, "high": 2, "distribution": "normal"}, "distribution:"),
        (
            {"low": 1, "mode": 1, "high": 2, "lam": 0},
            "lam: must be a finite number > 0",
        ),
        ({"low": 1, "mode": 1, "high": 2, "lam": math.nan}, "lam:"),
    ],
)
def test_bad_three_point_is_rejected(fields: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message.replace("(", r"\(")):
        ThreePoint(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda e: e.ppf(1.5), "p: got 1.5"),
        (lambda e: e.ppf([0.5, -0.1]), r"p: 1 bad value: #1 \(-0.1\)"),
        (lambda e: e.percentile(101), "q: got 101"),
        (lambda e: e.cdf(math.nan), "x: got NaN"),
        (lambda e: e.sample(-1), "size: expected a whole number >= 0"),
        (lambda e: e.sample(2.5), "size:"),
        (lambda e: e.sample(2, seed="x"), "seed:"),
    ],
)
def test_bad_arguments_to_three_point_methods(
    call: Callable[[ThreePoint], object], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        call(ThreePoint(low=1, mode=2, high=4))


# -- columns of estimates ---------------------------------------------------------


def test_column_functions_by_hand() -> None:
    low, mode, high = [2, 0, 5], [4, 1, 5], [6, 4, 5]
    assert pert_mean(low=low, mode=mode, high=high).tolist() == pytest.approx(
        [4, 4 / 3, 5]
    )
    assert pert_sd(low=low, mode=mode, high=high).tolist() == pytest.approx(
        [4 / math.sqrt(28), 4 * math.sqrt(8 / 252), 0]
    )
    assert pert_sd(
        low=low, mode=mode, high=high, classic=True
    ).tolist() == pytest.approx([4 / 6, 4 / 6, 0])
    assert triangular_mean(low=low, mode=mode, high=high).tolist() == pytest.approx(
        [4, 5 / 3, 5]
    )
    # (0, 1, 4): (0 + 16 + 1 - 0 - 0 - 4) / 18 = 13/18
    assert triangular_sd(low=low, mode=mode, high=high).tolist() == pytest.approx(
        [math.sqrt(2 / 3), math.sqrt(13 / 18), 0]
    )
    assert pert_mean(low=0, mode=1, high=4, lam=2) == pytest.approx(1.5)


def test_column_functions_agree_with_three_point() -> None:
    three = ThreePoint(low=3, mode=5, high=9, lam=3)
    assert pert_mean(low=3, mode=5, high=9, lam=3) == pytest.approx(three.mean)
    assert pert_sd(low=3, mode=5, high=9, lam=3) == pytest.approx(three.sd)


def test_column_functions_return_float_for_scalars_and_empty_for_empty() -> None:
    assert type(pert_mean(low=1, mode=2, high=3)) is float
    assert type(triangular_sd(low=1, mode=2, high=3)) is float
    for function in (pert_mean, pert_sd, triangular_mean, triangular_sd):
        assert function(low=[], mode=[], high=[]).shape == (0,)


def test_column_functions_list_every_bad_row() -> None:
    with pytest.raises(InvalidInputError) as caught:
        pert_mean(low=[1, 5, 1, 2], mode=[2, 2, 2, 2], high=[3, 3, 1, 3])
    assert str(caught.value) == (
        "need low <= mode <= high; 2 bad estimates: #1 (low=5, mode=2, high=3), "
        "#2 (low=1, mode=2, high=1)"
    )
    with pytest.raises(InvalidInputError, match="inputs have different lengths"):
        triangular_mean(low=[1, 2], mode=[2, 2, 2], high=[3, 3, 3])
    with pytest.raises(InvalidInputError, match=r"high: 1 bad value: #0 \(NaN\)"):
        pert_sd(low=[1], mode=[2], high=[math.nan])
    with pytest.raises(InvalidInputError, match="lam:"):
        pert_mean(low=1, mode=2, high=3, lam=-1)


@settings(max_examples=100)
@given(estimates, st.floats(-100, 100), st.floats(0.01, 100))
def test_pert_mean_is_halfway_between_mode_and_triangular_mean(
    estimate: tuple[float, float, float, float], shift: float, scale: float
) -> None:
    low, mode, high, _ = estimate
    te = pert_mean(low=low, mode=mode, high=high)
    tri = triangular_mean(low=low, mode=mode, high=high)
    tolerance = 1e-9 * max(1.0, abs(low), abs(high))
    # (a + 4m + b)/6 - m = ((a + m + b)/3 - m) / 2
    assert te - mode == pytest.approx((tri - mode) / 2, abs=tolerance)
    assert low - tolerance <= te <= high + tolerance
    # shift and scale equivariance of the mean, scale equivariance of the sd
    moved = pert_mean(
        low=scale * low + shift, mode=scale * mode + shift, high=scale * high + shift
    )
    assert moved == pytest.approx(scale * te + shift, abs=1e-6 * max(1.0, abs(moved)))
    sd = pert_sd(low=low, mode=mode, high=high)
    scaled = pert_sd(low=scale * low, mode=scale * mode, high=scale * high)
    assert scaled == pytest.approx(scale * sd, rel=1e-6, abs=1e-9)


# -- schedule_risk: anchors ---------------------------------------------------------


def test_symmetric_triangle_finishes_by_its_mode_half_the_time() -> None:
    # Exact anchor: for triangular(2, 4, 6), P(T <= 4) = 0.5.
    n = 40_000
    result = schedule_risk(
        {"A": (2, 4, 6)}, distribution="triangular", seed=11, trials=n
    )
    assert result.estimates[0].cdf(4) == 0.5
    assert abs(result.probability(by=4) - 0.5) < 5 * binomial_sigma(0.5, n)
    assert result.percentile(50) == pytest.approx(4, abs=0.05)


def test_every_task_of_a_chain_is_always_critical() -> None:
    chain = dict.fromkeys("PQRST", (1, 2, 6))
    result = schedule_risk(chain, dependencies=list(pairwise("PQRST")), seed=0)
    assert result.criticality == dict.fromkeys("PQRST", 1.0)
    assert result.tasks == tuple("PQRST")


def test_two_parallel_identical_tasks_are_each_critical_half_the_time() -> None:
    n = 20_000
    result = schedule_risk({"X": (2, 4, 9), "Y": (2, 4, 9)}, seed=5, trials=n)
    share = result.criticality
    for key in "XY":
        assert abs(share[key] - 0.5) < 5 * binomial_sigma(0.5, n)
    assert share["X"] + share["Y"] == pytest.approx(1.0)  # continuous: no ties


def test_tied_paths_are_all_critical() -> None:
    # Documented rule: after S, the branches L (3 days) and R-R2 (2 + 1 days) tie
    # in every trial, and both count; M (at most 2 days) never does.
    result = schedule_risk(
        {
            "S": (1, 2, 3),
            "L": (3, 3, 3),
            "R": (2, 2, 2),
            "R2": (1, 1, 1),
            "M": (0, 1, 2),
        },
        dependencies=[("S", "L"), ("S", "R"), ("R", "R2"), ("S", "M")],
        seed=0,
        trials=1000,
    )
    assert result.criticality == {"S": 1.0, "L": 1.0, "M": 0.0, "R": 1.0, "R2": 1.0}
    fixed = schedule_risk({"X": (5, 5, 5), "Y": (5, 5, 5)}, trials=10)
    assert fixed.criticality == {"X": 1.0, "Y": 1.0}


def test_same_seed_same_result() -> None:
    first = schedule_risk(WIKIPEDIA, dependencies=WIKIPEDIA_AFTER, seed=123, trials=500)
    second = schedule_risk(
        WIKIPEDIA, dependencies=WIKIPEDIA_AFTER, seed=123, trials=500
    )
    other = schedule_risk(WIKIPEDIA, dependencies=WIKIPEDIA_AFTER, seed=124, trials=500)
    assert np.array_equal(first.durations, second.durations)
    assert np.array_equal(first.critical_share, second.critical_share)
    assert not np.array_equal(first.durations, other.durations)
    generator = schedule_risk(
        WIKIPEDIA,
        dependencies=WIKIPEDIA_AFTER,
        seed=np.random.default_rng(123),
        trials=500,
    )
    assert np.array_equal(first.durations, generator.durations)


def test_distribution_override_applies_to_every_task() -> None:
    tasks = {"A": ThreePoint(low=0, mode=1, high=10), "B": (0, 1, 10)}
    result = schedule_risk(tasks, distribution="triangular", seed=0, trials=2000)
    assert {e.distribution for e in result.estimates} == {"triangular"}
    # right-skewed: the triangular mean 11/3 exceeds the PERT mean 14/6
    assert result.estimates[0].mean == pytest.approx(11 / 3)
    own = schedule_risk(
        {
            "A": ThreePoint(low=0, mode=1, high=10, distribution="triangular"),
            "B": (0, 1, 10),
        },
        seed=0,
        trials=10,
    )
    assert [e.distribution for e in own.estimates] == ["triangular", "pert"]


def test_empty_project_takes_no_time() -> None:
    result = schedule_risk({}, trials=20)
    assert result.tasks == ()
    assert result.durations.tolist() == [0.0] * 20
    assert result.criticality == {}
    assert result.pert == PertPath(nodes=(), mean=0.0, sd=0.0)
    assert result.probability(by=0) == 1.0
    assert result.to_records() == []


# -- schedule_risk: exact schedules and bounds ------------------------------------


@st.composite
def dags(draw: st.DrawFn) -> tuple[list[str], list[tuple[str, str]]]:
    n = draw(st.integers(1, 8))
    keys = [f"K{i}" for i in range(n)]
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True)) if pairs else []
    return keys, [(keys[i], keys[j]) for i, j in chosen]


@settings(max_examples=60, deadline=None)
@given(dags(), st.data())
def test_fixed_durations_reproduce_the_critical_path_method(
    dag: tuple[list[str], list[tuple[str, str]]], data: st.DataObject
) -> None:
    keys, edges = dag
    days = {k: data.draw(st.integers(0, 5), label=k) for k in keys}
    result = schedule_risk(
        {k: (d, d, d) for k, d in days.items()}, dependencies=edges, trials=3
    )
    graph = _nodes(keys)
    graph.add_edges_from(edges)
    cpm = critical_path(graph, duration=days)
    assert result.durations.tolist() == [cpm.length] * 3
    # every zero-slack node is critical in every trial, ties included
    assert result.criticality == {e.key: float(e.critical) for e in cpm.schedule}
    assert result.pert.mean == cpm.length


def _nodes(keys: list[str]) -> nx.DiGraph[str]:
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(keys)
    return graph


@settings(max_examples=40, deadline=None)
@given(dags(), st.data(), st.sampled_from(["pert", "triangular"]))
def test_durations_lie_between_the_optimistic_and_pessimistic_schedules(
    dag: tuple[list[str], list[tuple[str, str]]],
    data: st.DataObject,
    distribution: Distribution,
) -> None:
    keys, edges = dag
    tasks = {}
    for k in keys:
        low, up, more = data.draw(
            st.tuples(st.integers(0, 5), st.integers(0, 5), st.integers(0, 5)), label=k
        )
        tasks[k] = (low, low + up, low + up + more)
    graph = _nodes(keys)
    graph.add_edges_from(edges)
    shortest = critical_path(graph, duration={k: t[0] for k, t in tasks.items()}).length
    longest = critical_path(graph, duration={k: t[2] for k, t in tasks.items()}).length
    result = schedule_risk(
        tasks, dependencies=edges, distribution=distribution, trials=200, seed=0
    )
    assert result.durations.min() >= shortest - 1e-9
    assert result.durations.max() <= longest + 1e-9
    assert result.percentile(0) >= shortest - 1e-9
    assert all(0 <= share <= 1 for share in result.criticality.values())
    # at least one source and one sink is critical in every trial
    sinks = [k for k in keys if graph.out_degree(k) == 0]
    assert sum(result.criticality[k] for k in sinks) >= 1 - 1e-12


@settings(max_examples=50, deadline=None)
@given(st.floats(0, 100))
def test_probability_at_a_percentile_is_at_least_its_level(q: float) -> None:
    result = schedule_risk(WIKIPEDIA, dependencies=WIKIPEDIA_AFTER, seed=4, trials=999)
    assert result.probability(by=result.percentile(q)) >= q / 100 - 1e-12


def test_percentiles_and_moments() -> None:
    result = schedule_risk({"A": (2, 4, 6)}, seed=8, trials=50_000)
    assert list(result.percentiles()) == [50, 80, 95]
    p = result.percentiles([50, 80, 95])
    estimate = ThreePoint(low=2, mode=4, high=6)
    for level, value in p.items():
        assert value == pytest.approx(estimate.percentile(level), abs=0.03)
    assert result.percentile([50, 95]).tolist() == [p[50], p[95]]
    assert result.mean == pytest.approx(4, abs=0.02)
    assert result.sd == pytest.approx(4 / math.sqrt(28), rel=0.02)
    assert result.trials == 50_000
    assert schedule_risk({"A": (2, 4, 6)}, trials=1).sd == 0.0


def test_pert_path_prefers_the_more_variable_of_tied_paths() -> None:
    # Both branches have te = 5; the textbook rule takes the larger variance.
    result = schedule_risk({"X": (4, 5, 6), "Y": (1, 5, 9)}, trials=10)
    assert result.pert.nodes == ("Y",)
    assert result.pert.sd == pytest.approx(8 / 6)
    fixed = schedule_risk({"Y": (5, 5, 5), "X": (5, 5, 5)}, trials=10)
    assert fixed.pert.nodes == ("X",)  # equal variance too: the first key


def test_pert_path_probability_and_percentile() -> None:
    path = PertPath(nodes=("A",), mean=10.0, sd=2.0)
    assert path.probability(10) == 0.5
    assert path.percentile(50) == 10.0
    assert path.percentile(84.13447460685429) == pytest.approx(12.0)
    point = PertPath(nodes=("A",), mean=4.0, sd=0.0)
    assert (point.probability(3.9), point.probability(4.0)) == (0.0, 1.0)
    with pytest.raises(
        InvalidInputError, match="q: must be strictly between 0 and 100"
    ):
        path.percentile(100)
    with pytest.raises(InvalidInputError, match="by:"):
        path.probability(math.nan)


# -- schedule_risk: graph input ---------------------------------------------------


def wikipedia_graph() -> nx.DiGraph[str]:
    graph: nx.DiGraph[str] = nx.DiGraph(WIKIPEDIA_AFTER)
    for key, (a, m, b) in WIKIPEDIA.items():
        graph.nodes[key].update(optimistic=a, likely=m, pessimistic=b)
        graph.nodes[key]["estimate"] = ThreePoint(low=a, mode=m, high=b)
    return graph


def test_graph_input_gives_the_same_result_as_the_mapping() -> None:
    expected = schedule_risk(
        WIKIPEDIA, dependencies=WIKIPEDIA_AFTER, seed=6, trials=300
    )
    graph = wikipedia_graph()
    by_attribute = schedule_risk(graph, estimates="estimate", seed=6, trials=300)
    by_three = schedule_risk(
        graph, estimates=("optimistic", "likely", "pessimistic"), seed=6, trials=300
    )
    by_mapping = schedule_risk(graph, estimates=WIKIPEDIA, seed=6, trials=300)
    by_list = schedule_risk(
        graph,
        estimates=["optimistic", "likely", "pessimistic"],  # type: ignore[arg-type]
        seed=6,
        trials=300,
    )
    for result in (by_attribute, by_three, by_mapping, by_list):
        assert result.tasks == expected.tasks
        assert np.array_equal(result.durations, expected.durations)
        assert result.criticality == expected.criticality
        assert result.pert == expected.pert


def test_estimates_may_be_mappings_of_fields() -> None:
    result = schedule_risk(
        {"A": {"low": 1, "mode": 2, "high": 4, "distribution": "triangular"}}, trials=5
    )
    assert result.estimates == (
        ThreePoint(low=1, mode=2, high=4, distribution="triangular"),
    )


def test_done_nodes_are_left_out() -> None:
    graph = wikipedia_graph()
    graph.nodes["A"]["done"] = True
    del graph.nodes["A"]["estimate"]
    result = schedule_risk(graph, estimates="estimate", seed=0, trials=200)
    assert "A" not in result.tasks
    # without A, B-E-G (16/3 + 31/6 + 31/6 = 47/3) beats C-E-G (15.5)
    assert result.pert.nodes == ("B", "E", "G")
    assert result.pert.mean == pytest.approx(47 / 3)
    graph.nodes["A"]["estimate"] = ThreePoint(low=2, mode=4, high=6)
    whole = schedule_risk(graph, estimates="estimate", include_done=True, trials=10)
    assert "A" in whole.tasks
    assert whole.pert.mean == pytest.approx(19.5)


def test_default_estimate_fills_the_gaps() -> None:
    graph: nx.DiGraph[str] = nx.DiGraph([("A", "B")])
    graph.nodes["A"]["estimate"] = (1, 2, 3)
    result = schedule_risk(graph, estimates="estimate", default=(5, 5, 5), trials=10)
    assert result.estimates[1] == ThreePoint(low=5, mode=5, high=5)
    assert result.pert.mean == pytest.approx(7)


# -- schedule_risk: errors --------------------------------------------------------


def test_cycle_is_named() -> None:
    tasks = dict.fromkeys("ABC", (1, 2, 3))
    with pytest.raises(InvalidInputError) as caught:
        schedule_risk(tasks, dependencies=[("A", "B"), ("B", "C"), ("C", "A")])
    assert str(caught.value).startswith("dependency cycle: A -> B -> C -> A; ")
    graph = wikipedia_graph()
    graph.add_edge("G", "A")
    with pytest.raises(InvalidInputError, match="dependency cycle: A -> "):
        schedule_risk(graph, estimates="estimate")
    with pytest.raises(InvalidInputError, match="dependency cycle: A -> A"):
        schedule_risk({"A": (1, 2, 3)}, dependencies=[("A", "A")])


def test_every_missing_estimate_is_listed() -> None:
    graph: nx.DiGraph[str] = nx.DiGraph([("A", "B"), ("B", "C")])
    graph.nodes["B"]["estimate"] = (1, 2, 3)
    with pytest.raises(InvalidInputError) as caught:
        schedule_risk(graph, estimates="estimate")
    assert str(caught.value) == (
        "no estimate for 2 tasks: ['A', 'C'] (from node attribute 'estimate'); "
        "give them one, or pass default="
    )


def test_every_bad_estimate_is_listed() -> None:
    tasks = {
        "ok": (1, 2, 3),
        "reversed": (3, 2, 1),
        "negative": (-1, 0, 1),
        "number": 5,
        "fields": {"low": 1},
        "gap": (1, None, 3),
        "text": "1-2-3",
    }
    with pytest.raises(InvalidInputError) as caught:
        schedule_risk(tasks)
    message = str(caught.value)
    assert message.startswith("6 bad estimates: ")
    for part in (
        "'reversed': need low <= mode <= high; got low=3, mode=2, high=1",
        "'negative': a duration must be >= 0, got low=-1",
        "'number': expected a ThreePoint or (low, mode, high), got 5",
        "'fields': expected the fields low, mode, high",
        "'gap': no mode value",
        "'text': expected a ThreePoint or (low, mode, high), got '1-2-3'",
    ):
        assert part in message


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: schedule_risk(
                {"A": (1, 2, 3)}, dependencies=[("A", "X"), ("Y", "A")]
            ),
            r"dependencies: name tasks without an estimate: \['X', 'Y'\]",
        ),
        (
            lambda: schedule_risk({"A": (1, 2, 3)}, dependencies=[("A",)]),  # type: ignore[list-item]
            "dependencies: expected",
        ),
        (
            lambda: schedule_risk(nx.DiGraph([("A", "B")])),
            "estimates: say where the graph keeps its estimates",
        ),
        (
            lambda: schedule_risk(
                nx.DiGraph([("A", "B")]), estimates="e", dependencies=[("A", "B")]
            ),
            "dependencies: with a graph",
        ),
        (
            lambda: schedule_risk(nx.DiGraph([("A", "B")]), estimates=["lo", "hi"]),  # type: ignore[arg-type]
            r"estimates: expected a node attribute name, three attribute names",
        ),
        (
            lambda: schedule_risk({"A": (1, 2, 3)}, estimates="e"),
            "estimates: the mapping of tasks already gives the estimates",
        ),
        (
            lambda: schedule_risk([("A", (1, 2, 3))]),  # type: ignore[arg-type]
            "tasks: expected a networkx.DiGraph",
        ),
        (lambda: schedule_risk({}, trials=0), "trials: expected a whole number >= 1"),
        (lambda: schedule_risk({}, trials=True), "trials:"),
        (lambda: schedule_risk({}, seed=1.5), "seed:"),  # type: ignore[arg-type]
        (lambda: schedule_risk({}, distribution="normal"), "distribution:"),  # type: ignore[arg-type]
        (
            lambda: schedule_risk({}, deadline=date(2025, 1, 1)),
            "deadline: a deadline date needs the start date",
        ),
        (lambda: schedule_risk({}, deadline=math.inf), "deadline: got inf"),
        (
            lambda: schedule_risk({}, calendar=WorkCalendar()),
            "calendar: working days need the project's start date",
        ),
        (lambda: schedule_risk({}).probability(), "by: give a deadline"),
        (lambda: schedule_risk({}).probability(date(2025, 1, 1)), "start: dates need"),
        (lambda: schedule_risk({}).percentile_date(50), "start: dates need"),
        (lambda: schedule_risk({}).probability(1, method="normal"), "method:"),  # type: ignore[arg-type]
        (lambda: schedule_risk({}).percentile(120), "q: got 120"),
    ],
)
def test_bad_schedule_arguments(call: Callable[[], object], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        call()


# -- schedule_risk: dates ---------------------------------------------------------


def test_fixed_work_finishes_on_the_day_its_duration_ends() -> None:
    result = schedule_risk({"A": (5, 5, 5)}, start=MONDAY, trials=10)
    friday = MONDAY + timedelta(days=4)
    assert result.percentile_date(50) == friday
    assert result.probability(by=friday) == 1.0
    assert result.probability(by=friday - timedelta(days=1)) == 0.0
    partial = schedule_risk({"A": (2.3, 2.3, 2.3)}, start=MONDAY, trials=10)
    assert partial.percentile_date(100) == MONDAY + timedelta(days=2)


def test_rounding_noise_does_not_add_a_day() -> None:
    # 0.1 + 0.2 + 2.7 is 3.0000000000000004 in floating point.
    result = schedule_risk(
        {"a": (0.1, 0.1, 0.1), "b": (0.2, 0.2, 0.2), "c": (2.7, 2.7, 2.7)},
        dependencies=[("a", "b"), ("b", "c")],
        start=MONDAY,
        trials=5,
    )
    assert result.percentile_date(100) == MONDAY + timedelta(days=2)
    assert result.probability(by=MONDAY + timedelta(days=2)) == 1.0


def test_nothing_to_do_is_done_the_day_before_start() -> None:
    result = schedule_risk({"A": (0, 0, 0)}, start=MONDAY, trials=5)
    assert result.percentile_date(50) == MONDAY - timedelta(days=1)
    assert result.probability(by=MONDAY - timedelta(days=3)) == 1.0


def test_working_days_skip_weekends_and_holidays() -> None:
    calendar = WorkCalendar(holidays=frozenset({date(2024, 3, 12)}))
    result = schedule_risk(
        {"A": (6, 6, 6)},
        start=MONDAY,
        calendar=calendar,
        trials=5,
        deadline=date(2024, 3, 12),
    )
    # Mon 4 .. Fri 8 are days 1-5, Mon 11 is day 6.
    assert result.percentile_date(50) == date(2024, 3, 11)
    assert result.probability() == 1.0
    assert result.probability(by=date(2024, 3, 10)) == 0.0
    longer = schedule_risk({"A": (7, 7, 7)}, start=MONDAY, calendar=calendar, trials=5)
    assert longer.percentile_date(50) == date(2024, 3, 13)  # Tue 12 is a holiday
    # a start on a Saturday counts from the Monday
    weekend = schedule_risk(
        {"A": (1, 1, 1)}, start=date(2024, 3, 9), calendar=WorkCalendar(), trials=5
    )
    assert weekend.percentile_date(50) == date(2024, 3, 11)


def test_deadline_as_a_duration_or_a_date() -> None:
    result = schedule_risk(WIKIPEDIA, dependencies=WIKIPEDIA_AFTER, seed=0, deadline=21)
    assert result.probability() == result.probability(by=21)
    assert result.deadline == 21.0
    dated = schedule_risk(
        WIKIPEDIA,
        dependencies=WIKIPEDIA_AFTER,
        seed=0,
        start=MONDAY,
        deadline=MONDAY + timedelta(days=20),
    )
    # a date counts whole days: done by day 21 means T <= 21
    assert dated.probability() == result.probability(by=21)
    assert dated.probability(method="pert") == pytest.approx(
        result.probability(by=21, method="pert")
    )


# -- results ----------------------------------------------------------------------


def test_to_records_has_one_row_per_task() -> None:
    result = schedule_risk(WIKIPEDIA, dependencies=WIKIPEDIA_AFTER, seed=0, trials=100)
    records = result.to_records()
    assert [r["key"] for r in records] == list(result.tasks) == list("ABCDEFG")
    first = records[0]
    assert set(first) == {
        "key",
        "low",
        "mode",
        "high",
        "distribution",
        "mean",
        "sd",
        "criticality",
        "on_pert_path",
    }
    assert (first["low"], first["mode"], first["high"]) == (2.0, 4.0, 6.0)
    assert [r["on_pert_path"] for r in records] == [k in "ACEG" for k in "ABCDEFG"]
    assert [round(r["mean"], 2) for r in records] == list(WIKIPEDIA_TE.values())


def test_repr_shows_percentiles_and_the_deadline() -> None:
    result = schedule_risk({"A": (5, 5, 5)}, trials=10, deadline=4)
    assert repr(result) == (
        "<ScheduleRisk: 1 tasks, 10 trials; P50 5, P80 5, P95 5; P(by 4.0) = 0.000>"
    )
    assert isinstance(result, ScheduleRisk)
