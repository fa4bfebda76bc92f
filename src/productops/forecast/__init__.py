"""Forecasting: Monte Carlo delivery forecasts and what-if simulation of the process.

"When will it be done?" (`when`), "how many by then?" (`how_many`) and "will the
release make its date?" (`release_confidence`) resample past daily throughput.
"What if we add a tester or cap WIP?" is answered by simulating the process:
`learn` a `ProcessModel` from history, check it with `backtest`, and `simulate`
it under a `Scenario`.
"""

from __future__ import annotations

from ._montecarlo import (
    HowManyForecast,
    ReleaseConfidence,
    WhenForecast,
    WorkCalendar,
    how_many,
    release_confidence,
    releases_ahead,
    when,
)
from ._simulation import (
    Backtest,
    Comparison,
    Delta,
    Distribution,
    Estimate,
    ProcessModel,
    Scenario,
    SimulationResult,
    StateModel,
    WipItem,
    backtest,
    learn,
    simulate,
)

__all__ = [
    "Backtest",
    "Comparison",
    "Delta",
    "Distribution",
    "Estimate",
    "HowManyForecast",
    "ProcessModel",
    "ReleaseConfidence",
    "Scenario",
    "SimulationResult",
    "StateModel",
    "WhenForecast",
    "WipItem",
    "WorkCalendar",
    "backtest",
    "how_many",
    "learn",
    "release_confidence",
    "releases_ahead",
    "simulate",
    "when",
]
