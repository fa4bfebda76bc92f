"""Tests of productops.release release_risks (the risk roll-up of one release).

Exposure is PMBOK's expected monetary value, probability x cost; bands are the
NPSA 5 x 5 matrix (2008): products 1-3 low, 4-6 moderate, 8-12 high, 15-25
extreme. Expected numbers below are worked out by hand from the records.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from productops import InvalidInputError
from productops.datasets import load_demo
from productops.model import Mitigation, Risk
from productops.release._risk import ReleaseRiskRollup, open_at, release_risks
from productops.scoring import risk as scoring


@pytest.fixture(scope="module")
def demo():
    return load_demo()


def test_demo_summer_release(demo):
    result = release_risks("2026.2", demo.risks)
    # Linked to 2026.2: R-1 (open), R-2 (mitigating), R-3 (open), R-4 (occurred),
    # R-9 (mitigating). Exposures: R-1 0.6 x 80,000 = 48,000; R-2 0.3 x 150,000
    # = 45,000; R-3 0.1 x 250,000 = 25,000; R-9 unpriced.
    assert [line.key for line in result.lines] == ["R-1", "R-2", "R-3", "R-9"]
    assert result.inherent_exposure == 48_000 + 45_000 + 25_000
    # No done mitigation lowers a probability or cost, so residual = inherent.
    assert result.residual_exposure == result.inherent_exposure
    assert result.excluded == ("R-4",)
    assert result.unpriced == ("R-9",)
    assert result.unscored == ()
    assert result.unassessed == ()
    # Scores 3x5=15, 3x5=15 (extreme), 1x5=5, 1x5=5 (moderate).
    assert dict(result.bands) == {"low": 0, "moderate": 2, "high": 0, "extreme": 2}
    assert result.score == 15 + 15 + 5 + 5
    assert result.top == ("R-1", "R-2", "R-3")


def test_demo_residual_basis_lowers_scores_by_done_mitigations(demo):
    result = release_risks("2026.2", demo.risks, basis="residual")
    # R-9's done mitigation lowers likelihood 1 -> 1: nothing changes in score;
    # others' mitigations are not done.
    assert result.score == 40
    assert result.exposure == result.residual_exposure


def test_demo_released_and_autumn_release(demo):
    spring = release_risks(demo.releases[0], demo.risks)
    assert spring.lines == ()
    assert spring.excluded == ("R-12",)  # closed
    autumn = release_risks("2026.3", demo.risks)
    assert [line.key for line in autumn.lines] == ["R-7"]
    assert autumn.lines[0].band == "moderate"  # 2 x 3 = 6
    assert autumn.unpriced == ("R-7",)
    assert autumn.exposure == 0.0


def test_residual_basis_uses_done_mitigations():
    risks = [
        Risk(
            key="K-1",
            title="a",
            releases=["R1"],
            probability=0.4,
            cost=100_000,
            likelihood=4,
            impact=4,
            mitigations=[
                Mitigation(
                    description="m",
                    status="done",
                    residual_probability=0.1,
                    residual_likelihood=2,
                ),
            ],
        ),
        Risk(key="K-2", title="b", releases=["R1"], probability=0.5, cost=60_000),
    ]
    inherent = release_risks("R1", risks)
    residual = release_risks("R1", risks, basis="residual")
    assert inherent.exposure == 40_000 + 30_000
    assert residual.exposure == 10_000 + 30_000
    assert [line.key for line in inherent.lines] == ["K-1", "K-2"]
    assert [line.key for line in residual.lines] == ["K-2", "K-1"]
    assert residual.score == 2 * 4
    assert dict(residual.bands)["high"] == 1  # 2 x 4 = 8 is NPSA high
    assert dict(inherent.bands)["extreme"] == 1  # 4 x 4 = 16


def test_unassessed_risks_are_listed():
    risks = [Risk(key="K-1", title="a", releases=["R1"])]
    result = release_risks("R1", risks)
    assert result.unassessed == ("K-1",)
    assert result.bands == ()
    assert result.lines[0].band is None


def test_as_of_judges_openness_at_that_time():
    risks = [
        Risk(
            key="K-1",
            title="closed later",
            releases=["R1"],
            status="closed",
            raised_at="2026-01-01T00:00Z",
            closed_at="2026-04-01T00:00Z",
        ),
        Risk(
            key="K-2",
            title="raised later",
            releases=["R1"],
            raised_at="2026-05-01T00:00Z",
        ),
        Risk(key="K-3", title="closed, no date", releases=["R1"], status="closed"),
    ]
    at = datetime(2026, 3, 1, tzinfo=UTC)
    result = release_risks("R1", risks, as_of=at)
    assert [line.key for line in result.lines] == ["K-1"]
    assert result.excluded == ("K-2", "K-3")
    assert [line.key for line in release_risks("R1", risks).lines] == ["K-2"]


def test_open_at_without_as_of_is_is_open():
    assert open_at(Risk(key="K-1", title="t", status="accepted"), None)
    assert not open_at(Risk(key="K-1", title="t", status="occurred"), None)


def test_bad_arguments_are_listed_together():
    with pytest.raises(InvalidInputError) as caught:
        release_risks(
            "R1",
            [],
            basis="worst",  # type: ignore[arg-type]
            as_of=datetime(2026, 1, 1),
            top=-1,
        )
    message = str(caught.value)
    assert "basis" in message
    assert "as_of" in message
    assert "top" in message


def test_duplicate_keys_are_rejected():
    risk = Risk(key="K-1", title="t", releases=["R1"])
    with pytest.raises(InvalidInputError, match="more than once"):
        release_risks("R1", [risk, risk])


def test_scale_without_default_matrix_needs_one():
    risks = [
        Risk(key="K-1", title="t", releases=["R1"], scale=4, likelihood=2, impact=2)
    ]
    with pytest.raises(InvalidInputError, match="matrix"):
        release_risks("R1", risks)
    matrix = scoring.RiskMatrix.from_thresholds(
        likelihoods=("a", "b", "c", "d"),
        impacts=("a", "b", "c", "d"),
        thresholds={"ok": 1, "bad": 4},
    )
    result = release_risks("R1", risks, matrix=matrix)
    assert dict(result.bands) == {"ok": 0, "bad": 1}


def test_to_records_and_repr():
    risks = [Risk(key="K-1", title="t", releases=["R1"], probability=0.5, cost=2_000)]
    result = release_risks("R1", risks)
    assert result.to_records() == [
        {
            "release": "R1",
            "key": "K-1",
            "title": "t",
            "status": "open",
            "band": None,
            "score": None,
            "exposure": 1000.0,
            "inherent_exposure": 1000.0,
            "residual_exposure": 1000.0,
        }
    ]
    assert repr(result) == (
        "<ReleaseRiskRollup R1: 1 open risk, exposure 1,000 (inherent), top K-1>"
    )
    assert isinstance(result, ReleaseRiskRollup)


@st.composite
def registers(draw):
    count = draw(st.integers(0, 6))
    out = []
    for n in range(count):
        probability = draw(st.floats(0, 1))
        cost = draw(st.floats(0, 1e6))
        done = draw(st.booleans())
        lower = draw(st.floats(0, 1)) * probability
        out.append(
            Risk(
                key=f"K-{n}",
                title="t",
                releases=draw(st.sampled_from([["R1"], ["R2"], ["R1", "R2"]])),
                status=draw(st.sampled_from(["open", "mitigating", "closed"])),
                probability=probability,
                cost=cost,
                mitigations=[
                    Mitigation(
                        description="m",
                        status="done" if done else "planned",
                        residual_probability=lower,
                    )
                ],
            )
        )
    return out


@settings(max_examples=100, deadline=None)
@given(registers())
def test_residual_exposure_never_exceeds_inherent(register):
    result = release_risks("R1", register)
    assert result.residual_exposure <= result.inherent_exposure + 1e-6
    exposures = [line.exposure for line in result.lines]
    assert exposures == sorted(exposures, reverse=True)
    expected = [r.key for r in register if "R1" in r.releases and r.is_open]
    assert sorted(line.key for line in result.lines) == sorted(expected)
