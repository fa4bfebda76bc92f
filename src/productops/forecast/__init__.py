"""Forecasting: Monte Carlo delivery forecasts and what-if simulation of the process.

"When will it be done?" (`when`), "how many by then?" (`how_many`) and "will the
release make its date?" (`release_confidence`) resample past daily throughput.
"""

from __future__ import annotations

from ._montecarlo import (
    HowManyForecast,
    ReleaseConfidence,
    WhenForecast,
    WorkCalendar,
    how_many,
    release_confidence,
    when,
)

__all__ = [
    "HowManyForecast",
    "ReleaseConfidence",
    "WhenForecast",
    "WorkCalendar",
    "how_many",
    "release_confidence",
    "when",
]
