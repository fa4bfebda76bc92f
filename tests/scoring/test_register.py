"""Register roll-ups: residual risk, totals by group, heat maps, burndown."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

import productops as po
from productops.errors import InvalidInputError
from productops.scoring._register import (
    Assessment,
    burndown,
    heatmap,
    residual,
    residual_report,
    rollup,
    snapshot_burndown,
)
from productops.scoring._risk import MATRIX_3X3, MATRIX_5X5, RiskMatrix

from .. import strategies


def at(day: int, month: int = 1) -> datetime:
    return datetime(2026, month, day, tzinfo=UTC)


def make(key: str, **fields: Any) -> po.Risk:
    return po.Risk(key=key, title=f"risk {key}", **fields)


def mitigation(status: str, **residuals: Any) -> po.Mitigation:
    return po.Mitigation(
        description="action", status=po.MitigationStatus(status), **residuals
    )


# -- residual --------------------------------------------------------------------


def test_residual_takes_the_lowest_value_of_done_mitigations_per_field() -> None:
    risk = make(
        "R-1",
        likelihood=4,
        impact=5,
        probability=0.6,
        cost=100_000,
        mitigations=[
            mitigation("done", residual_likelihood=3, residual_probability=0.3),
            mitigation("done", residual_likelihood=2),
            mitigation("planned", residual_impact=1, residual_cost=10_000),
            mitigation("dropped", residual_likelihood=1),
        ],
    )
    assert residual(risk) == Assessment(2, 5, 0.3, 100_000)
    assert residual(risk, include="not_dropped") == Assessment(2, 1, 0.3, 10_000)


def test_residual_without_counted_mitigations_is_the_risk_itself() -> None:
    risk = make("R-1", likelihood=3, impact=3, mitigations=[mitigation("planned")])
    assert residual(risk) == Assessment.of(risk) == Assessment(3, 3, None, None)


def test_residual_rejects_an_unknown_include() -> None:
    with pytest.raises(InvalidInputError, match="include: expected 'done'"):
        residual(make("R-1"), include="all")  # type: ignore[arg-type]


def test_assessment_score_and_exposure_need_both_parts() -> None:
    assert Assessment(2, None, 0.5, None).score is None
    assert Assessment(2, None, 0.5, None).exposure is None
    assert Assessment(2, 3, 0.5, 10).score == 6
    assert Assessment(2, 3, 0.5, 10).exposure == 5.0


def demo_register() -> tuple[po.Risk, ...]:
    return po.datasets.load_demo().risks


def test_residual_report_totals_hand_computed() -> None:
    risks = [
        make(
            "R-1",
            likelihood=4,
            impact=4,
            probability=0.5,
            cost=80_000,
            mitigations=[
                po.Mitigation(
                    description="m",
                    status=po.MitigationStatus.DONE,
                    cost=5_000,
                    residual_likelihood=2,
                    residual_probability=0.25,
                )
            ],
        ),
        make("R-2", likelihood=3, impact=5, probability=0.2, cost=50_000),
        make("R-3", likelihood=5, impact=5, status="closed"),
    ]
    report = residual_report(risks)
    assert [row.key for row in report.rows] == ["R-1", "R-2"]
    # Inherent 16 + 15 = 31, residual 8 + 15 = 23; exposure 40 000 + 10 000 against
    # 20 000 + 10 000.
    assert (report.inherent_score, report.residual_score) == (31, 23)
    assert (report.inherent_exposure, report.residual_exposure) == (50_000, 30_000)
    assert report.mitigation_cost == 5_000
    first = report.to_records()[0]
    assert first["exposure_reduction"] == 20_000
    assert first["mitigations"] == 1
    assert len(residual_report(risks, only_open=False).rows) == 3


def test_residual_report_of_the_demo_matches_the_records() -> None:
    register = demo_register()
    report = residual_report(register)
    open_risks = [r for r in register if r.is_open]
    assert report.inherent_exposure == pytest.approx(
        sum(r.expected_cost or 0 for r in open_risks)
    )
    assert report.residual_score == sum(r.residual().score or 0 for r in open_risks)
    assert "ResidualReport(risks=9" in repr(report)


# -- roll-ups --------------------------------------------------------------------


def small_register() -> list[po.Risk]:
    return [
        make(
            "R-1",
            category="resource",
            owner="ann",
            releases=["2026.1", "2026.2"],
            likelihood=4,
            impact=4,
            probability=0.5,
            cost=80_000,
        ),
        make(
            "R-2",
            category="dependency",
            owner="ann",
            releases=["2026.2"],
            likelihood=3,
            impact=5,
            probability=0.3,
            cost=150_000,
        ),
        make("R-3", category="resource", likelihood=2, impact=2),
        make(
            "R-4",
            category="market",
            owner="bob",
            status="closed",
            probability=0.9,
            cost=1_000_000,
        ),
    ]


def test_rollup_by_category_hand_computed() -> None:
    table = rollup(small_register(), by="category")
    assert [
        (g.key, g.risks, g.exposure, g.score, g.unpriced, g.unscored)
        for g in table.groups
    ] == [
        ("dependency", 1, 45_000.0, 15, 0, 0),
        ("resource", 2, 40_000.0, 20, 1, 0),
    ]
    assert (table.risks, table.exposure, table.score) == (3, 85_000.0, 35)


def test_rollup_by_release_counts_a_risk_in_each_release() -> None:
    table = rollup(small_register(), by="release")
    assert [(g.key, g.keys) for g in table.groups] == [
        ("2026.2", ("R-1", "R-2")),
        ("2026.1", ("R-1",)),
        (None, ("R-3",)),
    ]
    # The groups add up to 125 000, but each risk counts once in the total.
    assert sum(g.exposure for g in table.groups) == 125_000.0
    assert table.exposure == 85_000.0


def test_rollup_by_owner_puts_unowned_risks_under_none() -> None:
    table = rollup(small_register(), by="owner")
    assert table.group(None).keys == ("R-3",)
    assert table.group("ann").score == 31
    with pytest.raises(InvalidInputError, match="no owner 'zoe'"):
        table.group("zoe")


def test_rollup_can_include_closed_risks() -> None:
    table = rollup(small_register(), by="status", only_open=False)
    assert table.group("closed").exposure == 900_000.0
    assert table.group("open").risks == 3


def test_rollup_on_residual_basis() -> None:
    risks = [
        make(
            "R-1",
            probability=0.5,
            cost=100,
            likelihood=4,
            impact=4,
            mitigations=[mitigation("done", residual_probability=0.1)],
        )
    ]
    assert rollup(risks, basis="residual").exposure == pytest.approx(10.0)
    assert rollup(risks).exposure == 50.0


def test_rollup_records_are_keyed_by_the_grouping_field() -> None:
    records = rollup(small_register(), by="release").to_records()
    assert records[0] == {
        "release": "2026.2",
        "risks": 2,
        "exposure": 85_000.0,
        "score": 31,
        "unpriced": 0,
        "unscored": 0,
        "keys": "R-1, R-2",
    }


def test_rollup_prints_a_table_with_a_total() -> None:
    lines = str(rollup(small_register(), by="category")).splitlines()
    assert lines[0].split() == ["category", "risks", "exposure", "score"]
    assert lines[-1].split() == ["total", "3", "85,000", "35"]


def test_rollup_of_nothing_is_empty() -> None:
    table = rollup([])
    assert (table.groups, table.risks, table.exposure, table.score) == ((), 0, 0.0, 0)


def test_rollup_of_the_demo_adds_up_to_the_open_risks() -> None:
    register = demo_register()
    table = rollup(register, by="owner")
    open_risks = [r for r in register if r.is_open]
    assert table.risks == len(open_risks) == 9
    assert table.exposure == pytest.approx(
        sum(r.expected_cost or 0 for r in open_risks)
    )
    assert sum(g.risks for g in table.groups) == 9


def test_scores_on_different_scales_are_not_added() -> None:
    risks = [
        make("R-1", scale=3, likelihood=1, impact=1),
        make("R-2", likelihood=1, impact=1),
    ]
    with pytest.raises(InvalidInputError, match="scale 3: R-1; scale 5: R-2"):
        rollup(risks)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"by": "team"}, "by: expected"),
        ({"basis": "planned"}, "basis: expected"),
        ({"include": "all"}, "include: expected"),
    ],
)
def test_rollup_rejects_unknown_options(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        rollup([make("R-1", probability=0.1, cost=1)], **kwargs)


def test_register_functions_reject_duplicate_keys_and_other_records() -> None:
    with pytest.raises(InvalidInputError, match=r"more than once: \['R-1'\]"):
        rollup([make("R-1"), make("R-1")])
    with pytest.raises(InvalidInputError, match=r"#1 \(dict\)"):
        heatmap([make("R-1"), {"key": "R-2"}])  # type: ignore[list-item]


@given(st.lists(strategies.risks(), max_size=6, unique_by=lambda r: r.key))
def test_category_groups_add_up_to_the_total(risks: list[po.Risk]) -> None:
    risks = [
        r.evolve(scale=10, likelihood=None, impact=None, mitigations=()) for r in risks
    ]
    table = rollup(risks, by="category", only_open=False)
    assert sum(g.risks for g in table.groups) == table.risks == len(risks)
    assert math.isclose(
        sum(g.exposure for g in table.groups), table.exposure, rel_tol=1e-9
    )


@given(strategies.risks())
def test_residual_is_never_worse_than_inherent(risk: po.Risk) -> None:
    includes: tuple[Literal["done", "not_dropped"], ...] = ("done", "not_dropped")
    for include in includes:
        after = residual(risk, include=include)
        if risk.score is not None:
            assert after.score is not None
            assert after.score <= risk.score
        if risk.expected_cost is not None:
            assert after.exposure is not None
            assert after.exposure <= risk.expected_cost


# -- heat maps -------------------------------------------------------------------


def test_heatmap_counts_cells_and_lists_what_it_skips() -> None:
    risks = [
        make("R-1", likelihood=3, impact=5),
        make("R-2", likelihood=3, impact=5),
        make("R-3", likelihood=1, impact=2),
        make("R-4", probability=0.5, cost=10),  # not on the ordinal scale
        make("R-5", scale=3, likelihood=3, impact=3),  # another scale
        make("R-6", likelihood=5, impact=5, status="closed"),
    ]
    hm = heatmap(risks, scale=5)
    assert hm.count(likelihood=3, impact=5) == 2
    assert hm.count(likelihood=1, impact=2) == 1
    assert hm.total == 3
    assert hm.skipped == ("R-4", "R-5")
    assert hm.keys[2][4] == ("R-1", "R-2")
    assert hm.array().sum() == 3
    assert heatmap(risks, scale=5, only_open=False).count(likelihood=5, impact=5) == 1


def test_heatmap_band_counts_follow_the_matrix() -> None:
    risks = [
        make("R-1", likelihood=3, impact=5),  # 15: extreme
        make("R-2", likelihood=2, impact=2),  # 4: moderate
        make("R-3", likelihood=1, impact=3),  # 3: low
    ]
    hm = heatmap(risks, matrix=MATRIX_5X5)
    assert hm.band_counts() == {"low": 1, "moderate": 1, "high": 0, "extreme": 1}
    record = next(r for r in hm.to_records() if r["count"])
    assert record == {
        "likelihood": 1,
        "impact": 3,
        "count": 1,
        "band": "low",
        "keys": "R-3",
    }
    assert len(hm.to_records()) == 25


def test_heatmap_of_the_demo() -> None:
    # The demo's open risks: at (3, 5); at (1, 5); R-5 at
    # (2, 4); at (2, 3); R-8 at (3, 3); R-11 at (3, 4).
    hm = heatmap(demo_register(), matrix=MATRIX_5X5)
    assert hm.count(likelihood=3, impact=5) == 2
    assert hm.count(likelihood=1, impact=5) == 2
    assert hm.band_counts() == {"low": 0, "moderate": 4, "high": 3, "extreme": 2}


def test_heatmap_on_residual_basis_moves_mitigated_risks() -> None:
    risks = [
        make(
            "R-1",
            likelihood=4,
            impact=4,
            mitigations=[mitigation("done", residual_likelihood=1)],
        )
    ]
    assert heatmap(risks, basis="residual").count(likelihood=1, impact=4) == 1


def test_heatmap_prints_the_highest_likelihood_on_top() -> None:
    hm = heatmap([make("R-1", scale=3, likelihood=3, impact=1)], matrix=MATRIX_3X3)
    lines = str(hm).splitlines()
    assert lines[1].split() == ["high", "1", ".", "."]
    assert repr(hm) == "HeatMap(scale=3, total=1, skipped=0, matrix='3x3')"


def test_heatmap_without_a_matrix_has_no_bands() -> None:
    hm = heatmap([make("R-1", likelihood=1, impact=1)])
    assert str(hm).splitlines()[-1].split() == ["1", "1", ".", ".", ".", "."]
    assert hm.to_records()[0]["band"] is None
    with pytest.raises(InvalidInputError, match="no matrix"):
        hm.band_counts()


def test_heatmap_needs_one_scale() -> None:
    risks = [
        make("R-1", scale=3, likelihood=1, impact=1),
        make("R-2", likelihood=1, impact=1),
    ]
    with pytest.raises(InvalidInputError, match=r"scales \[3, 5\]"):
        heatmap(risks)
    assert heatmap(risks, scale=3).skipped == ("R-2",)


def test_heatmap_checks_its_matrix_and_scale() -> None:
    wide = RiskMatrix(likelihoods=("a",), impacts=("x", "y"), bands=(("l", "h"),))
    with pytest.raises(InvalidInputError, match="square matrix, got 1x2"):
        heatmap([], matrix=wide)
    with pytest.raises(InvalidInputError, match="disagrees with the 5x5 matrix"):
        heatmap([], matrix=MATRIX_5X5, scale=3)
    with pytest.raises(InvalidInputError, match="whole number >= 1"):
        heatmap([], scale=0)
    with pytest.raises(InvalidInputError, match=r"impact: 6 is outside 1\.\.5"):
        heatmap([]).count(likelihood=1, impact=6)


@given(st.lists(strategies.risks(), max_size=6, unique_by=lambda r: r.key))
def test_every_open_risk_is_placed_or_skipped(risks: list[po.Risk]) -> None:
    hm = heatmap(risks, scale=5)
    assert hm.total + len(hm.skipped) == sum(r.is_open for r in risks)


# -- burndown --------------------------------------------------------------------


def timeline() -> list[po.Risk]:
    return [
        make("R-1", likelihood=4, impact=4, probability=0.5, cost=100, raised_at=at(2)),
        make(
            "R-2",
            likelihood=2,
            impact=5,
            probability=0.1,
            cost=1000,
            raised_at=at(20),
            status="closed",
            closed_at=at(10, 2),
        ),
        make("R-3", likelihood=1, impact=1, status="occurred", closed_at=at(1, 3)),
    ]


def test_burndown_hand_computed() -> None:
    months = [at(1), at(1, 2), at(1, 3), at(1, 4)]
    result = burndown(timeline(), as_of=months)
    assert [(p.open, p.score, p.exposure, p.keys) for p in result.points] == [
        (1, 1, 0.0, ("R-3",)),  # R-3 has no raised_at: open from the start
        (3, 27, 150.0, ("R-1", "R-2", "R-3")),
        (1, 16, 50.0, ("R-1",)),  # R-3 closed exactly then: no longer counted
        (1, 16, 50.0, ("R-1",)),
    ]


def test_a_risk_counts_from_the_moment_it_is_raised() -> None:
    result = burndown(timeline(), as_of=[at(2) - timedelta(seconds=1), at(2)])
    assert [p.keys for p in result.points] == [("R-3",), ("R-1", "R-3")]


def test_burndown_refuses_closed_risks_without_a_closing_date() -> None:
    risks = [*timeline(), make("R-9", status="closed"), make("R-8", status="occurred")]
    with pytest.raises(InvalidInputError, match="R-9, R-8 no longer open"):
        burndown(risks, as_of=[at(5)])
    result = burndown(risks, as_of=[at(5)], undated="exclude")
    assert result.points[0].keys == ("R-1", "R-3")


def test_burndown_of_the_demo_counts_closed_risks_until_they_closed() -> None:
    register = demo_register()
    closed = [r for r in register if not r.is_open]
    assert closed
    assert all(r.closed_at is not None for r in closed)
    first = min(r.closed_at for r in closed if r.closed_at is not None)
    before, after = at_moment(first, -1), at_moment(first, 1)
    points = burndown(register, as_of=[before, after]).points
    assert points[0].open - points[1].open >= 1


def test_burndown_names_every_closed_risk_without_a_date() -> None:
    register = [
        r.evolve(closed_at=None) if r.key in ("R-4", "R-12") else r
        for r in demo_register()
    ]
    with pytest.raises(InvalidInputError, match="R-4, R-12 no longer open"):
        burndown(register, as_of=[at(1)])


def test_burndown_on_residual_basis() -> None:
    risks = [
        make(
            "R-1",
            probability=0.5,
            cost=100,
            mitigations=[mitigation("in_progress", residual_cost=40)],
        )
    ]
    assert burndown(risks, as_of=[at(1)], basis="residual").points[0].exposure == 50.0
    result = burndown(risks, as_of=[at(1)], basis="residual", include="not_dropped")
    assert result.points[0].exposure == 20.0


def test_burndown_needs_aware_increasing_moments() -> None:
    with pytest.raises(InvalidInputError, match="#1"):
        burndown([], as_of=[at(1), datetime(2026, 1, 2)])
    with pytest.raises(InvalidInputError, match="strictly increase; not so at #1"):
        burndown([], as_of=[at(2), at(1)])
    with pytest.raises(InvalidInputError, match="undated"):
        burndown([], as_of=[at(1)], undated="guess")  # type: ignore[arg-type]


def test_burndown_records_and_text() -> None:
    result = burndown(timeline(), as_of=[at(1, 2)])
    assert result.to_records() == [
        {
            "as_of": at(1, 2),
            "open": 3,
            "exposure": 150.0,
            "score": 27,
            "keys": "R-1, R-2, R-3",
        }
    ]
    assert str(result).splitlines()[1].split() == ["2026-02-01", "3", "150", "27"]


def test_snapshot_burndown_sorts_and_adds_up_each_copy() -> None:
    week1 = [make("R-1", likelihood=4, impact=5), make("R-2", likelihood=2, impact=2)]
    week2 = [
        make("R-1", likelihood=2, impact=5),
        make("R-2", likelihood=2, impact=2, status="closed"),
    ]
    result = snapshot_burndown({at(12): week2, at(5): week1})
    assert [(p.as_of, p.open, p.score) for p in result.points] == [
        (at(5), 2, 24),
        (at(12), 1, 10),
    ]


def test_snapshot_burndown_needs_aware_moments() -> None:
    with pytest.raises(InvalidInputError, match="timezone-aware"):
        snapshot_burndown({datetime(2026, 1, 5): []})


# -- the Risk record -------------------------------------------------------------


def test_closed_at_is_only_for_risks_that_are_no_longer_open() -> None:
    with pytest.raises(ValidationError, match="still open"):
        make("R-1", closed_at=at(3))
    assert make("R-1", status="occurred", closed_at=at(3)).closed_at == at(3)


def test_closed_at_cannot_precede_raised_at() -> None:
    with pytest.raises(ValidationError, match="is before raised_at"):
        make("R-1", status="closed", raised_at=at(5), closed_at=at(4))


def test_rating_uses_the_preset_of_the_risk_scale() -> None:
    assert make("R-1", likelihood=4, impact=5).rating() == "extreme"
    assert make("R-1", scale=3, likelihood=2, impact=2).rating() == "medium"
    assert make("R-1").rating() is None


def test_rating_checks_the_matrix_fits_the_scale() -> None:
    with pytest.raises(
        InvalidInputError, match="3x3 does not fit risk 'R-1' on scale 5"
    ):
        make("R-1", likelihood=1, impact=1).rating(matrix=MATRIX_3X3)
    with pytest.raises(InvalidInputError, match="no default matrix for scale 4"):
        make("R-1", scale=4, likelihood=1, impact=1).rating()
    custom = RiskMatrix(
        likelihoods=("a", "b", "c", "d"),
        impacts=("w", "x", "y", "z"),
        bands=(("ok",) * 4,) * 4,
    )
    assert make("R-1", scale=4, likelihood=1, impact=1).rating(matrix=custom) == "ok"


def test_fmea_methods_read_impact_as_severity_and_likelihood_as_occurrence() -> None:
    # biz-pi's pair: severity 8 / occurrence 6 / detection 2 is High; 2 / 6 / 8 Low.
    high = make("F-1", scale=10, impact=8, likelihood=6, detection=2)
    low = make("F-2", scale=10, impact=2, likelihood=6, detection=8)
    assert (high.rpn(), high.action_priority()) == (96, "H")
    assert (low.rpn(), low.action_priority()) == (96, "L")
    assert (
        make("F-3", scale=10, impact=5, likelihood=5, detection=7).action_priority()
        == "M"
    )


def test_fmea_methods_need_every_rating_and_the_10_point_scale() -> None:
    assert make("F-1", scale=10, impact=8, likelihood=6).rpn() is None
    assert make("F-1", scale=10, impact=8, likelihood=6).action_priority() is None
    with pytest.raises(InvalidInputError, match="FMEA needs"):
        make("R-1", likelihood=2, impact=3, detection=4).rpn()


def test_risk_residual_method_calls_the_register_function() -> None:
    risk = make(
        "R-1",
        likelihood=4,
        impact=4,
        mitigations=[mitigation("planned", residual_impact=2)],
    )
    assert risk.residual().score == 16
    assert risk.residual(include="not_dropped").score == 8


def at_moment(moment: datetime, days: int) -> datetime:
    return moment + timedelta(days=days)
