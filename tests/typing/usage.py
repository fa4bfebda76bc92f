"""How the public API types read from a user's code; checked by mypy --strict in CI.

Each `assert_type` states what a caller's type checker infers. The module also runs
(`tests/test_typing_usage.py` imports it), so every line is real, working code.
"""

from __future__ import annotations

from datetime import date
from typing import Any, assert_type

import numpy as np
import numpy.typing as npt

import productops as po
from productops import flow, forecast, kpi, people, release, scoring
from productops.scoring import risk


def scoring_overloads() -> None:
    # Scalars in, float out; arrays in, arrays out.
    assert_type(scoring.rice(reach=100, impact=2, confidence=0.8, effort=4), float)
    many = scoring.rice(
        reach=[100, 50], impact=[2, 1], confidence=[0.8, 1], effort=[4, 2]
    )
    assert_type(many, npt.NDArray[np.float64])
    assert_type(
        scoring.wsjf(
            business_value=8, time_criticality=5, risk_reduction=3, job_size=5
        ),
        float,
    )
    assert_type(risk.emv([(0.2, -10_000.0), (0.8, 0.0)]), float)
    ranking = scoring.rank([{"key": "A", "value": 3}], by="value")
    assert_type(ranking, scoring.Ranking[Any])


def workspace_and_flow() -> None:
    ws = po.datasets.load_demo()
    assert_type(ws, po.Workspace)
    assert_type(ws.check_references(), list[po.RecordProblem])
    report = flow.analyze(ws)
    assert_type(report, flow.FlowReport)
    assert_type(report.cycle_time.percentiles(), dict[float, float])
    assert_type(report.bottlenecks(), list[flow.Bottleneck])
    when = forecast.when(10, report, seed=1)
    assert_type(when, forecast.WhenForecast)
    assert_type(when.percentiles(), dict[float, date])


def ops_layer() -> None:
    ws = po.datasets.load_demo()
    status = kpi.status(ws.kpis[0], ws.observations)
    assert_type(status, kpi.KpiStatus)
    assert_type(status.rag, kpi.RAG)
    assert_type(kpi.xmr([1.0, 2.0, 3.0]), kpi.XmRChart)
    ready = release.readiness("2026.2", ws, seed=1)
    assert_type(ready, release.Readiness)
    assert_type(ready.verdict, release.Verdict)
    assert_type(people.slack_blocks(status), dict[str, Any])


if __name__ == "__main__":
    scoring_overloads()
    workspace_and_flow()
    ops_layer()
