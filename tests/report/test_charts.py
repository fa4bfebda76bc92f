"""Forecast, control, heat-map, grid and sensitivity charts: structure, not pixels."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from matplotlib.patches import Rectangle

from productops import Risk, datasets, forecast, kpi, people, report, scoring
from productops.errors import InvalidInputError
from productops.scoring import risk


def test_forecast_chart_bars_are_the_trial_shares() -> None:
    f = forecast.when(
        remaining=30,
        throughput=[0, 1, 2, 3, 1, 0, 2],
        trials=3000,
        start=date(2024, 3, 4),
        seed=3,
    )
    ax = report.forecast_chart(f, target=date(2024, 3, 25)).axes[0]
    heights = [bar.get_height() for bar in ax.patches]
    assert sum(heights) == pytest.approx(100)
    assert len(heights) == len(f.to_records())
    labels = [line.get_label() for line in ax.lines]
    assert labels[:3] == [
        f"{level}%: {day:%d %b %Y}"
        for level, day in f.percentiles((50, 85, 95)).items()
    ]
    chance = f.probability_by(date(2024, 3, 25))
    assert labels[3] == f"target 25 Mar 2024: {chance:.0%}"
    assert ax.get_ylabel() == "% of 3,000 trials"


def test_control_chart_rings_every_signalled_point() -> None:
    values = [5, 6, 5, 7, 6, 5, 6, 20, 6, 5]
    chart = kpi.xmr(values)
    ax = report.control_chart(chart, unit="tickets").axes[0]
    value_line, centre, upper, lower = ax.lines
    assert list(value_line.get_ydata()) == values
    assert centre.get_ydata()[0] == pytest.approx(chart.centre)
    assert upper.get_ydata()[0] == pytest.approx(chart.ucl)
    assert lower.get_ydata()[0] == pytest.approx(chart.lcl)
    ringed = np.asarray(ax.collections[0].get_offsets())
    flagged = sorted({p for s in chart.signals for p in s.points})
    assert list(ringed[:, 0]) == flagged
    assert ax.get_ylabel() == "tickets"


def test_control_chart_without_signals_has_no_rings() -> None:
    ax = report.control_chart(kpi.xmr([3, 4, 3, 5, 4])).axes[0]
    assert ax.collections == [] or len(ax.collections) == 0


def test_control_chart_dates_must_match_the_values() -> None:
    with pytest.raises(InvalidInputError, match="2 dates for 5 values"):
        report.control_chart(
            kpi.xmr([3, 4, 3, 5, 4]), dates=[date(2024, 1, 1), date(2024, 1, 8)]
        )


def test_heatmap_writes_each_cells_count_and_keys() -> None:
    risks = [
        Risk(key="R-1", title="a", likelihood=4, impact=2),
        Risk(key="R-2", title="b", likelihood=4, impact=2),
        Risk(key="R-3", title="c", likelihood=1, impact=5),
        Risk(key="R-4", title="d"),  # unassessed: listed, not placed
    ]
    ax = report.risk_heatmap(risks).axes[0]
    cells = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(cells) == 25
    texts = {(t.get_position()): t.get_text() for t in ax.texts}
    assert texts[(2, 4)] == "2\nR-1, R-2"
    assert texts[(5, 1)] == "1\nR-3"
    assert texts[(1, 1)] == "0"
    notes = [c.get_text() for c in ax.texts if c.get_text().startswith("not placed")]
    assert notes == ["not placed: R-4"]


def test_heatmap_colours_cells_by_the_matrix_band() -> None:
    ws = datasets.load_demo()
    grid = risk.heatmap(ws.risks, matrix=risk.MATRIX_5X5)
    ax = report.risk_heatmap(grid).axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == list(risk.MATRIX_5X5.impacts)
    cells = [p for p in ax.patches if isinstance(p, Rectangle)]
    # the lowest and the highest band differ in colour
    assert cells[0].get_facecolor()[:3] != cells[-1].get_facecolor()[:3]


def test_stakeholder_grid_places_everyone() -> None:
    g = people.grid(datasets.load_demo().stakeholders)
    ax = report.stakeholder_grid_chart(g).axes[0]
    names = {t.get_text() for t in ax.texts}
    assert {p.name for p in g.placements} <= names
    assert {"manage closely", "keep satisfied", "keep informed", "monitor"} <= names
    points = np.asarray(ax.collections[0].get_offsets())
    assert len(points) == len(g.placements)
    assert ax.get_xlabel() == "interest"


def test_sensitivity_chart_orders_by_probability() -> None:
    backlog = {
        "key": ["A", "B", "C", "D"],
        "value": [8, 7, 5, 2],
        "effort": [5, 3, 2, 1],
    }
    s = scoring.sensitivity(
        backlog,
        score="value / effort",
        top=2,
        vary_inputs={"effort": (0.7, 1.5)},
        trials=2000,
        seed=7,
    )
    ax = report.sensitivity_chart(s, top=3).axes[0]
    widths = [bar.get_width() for bar in ax.patches]
    assert widths == sorted(widths, reverse=True)
    assert len(widths) == 3
    assert widths[0] == pytest.approx(100 * float(s.probabilities.max()))
    with pytest.raises(InvalidInputError, match="top"):
        report.sensitivity_chart(s, top=0)
