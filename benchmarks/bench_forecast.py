"""Monte Carlo `when`: 10,000 trials over a two-year horizon, against a baseline.

Run by hand (not a test)::

    python benchmarks/bench_forecast.py

The work is sized so that trials finish after about two years of daily
throughput. The baseline, measured in the same run on the same history, is the
straightforward numpy version: draw the whole two-year horizon for every trial at
once, take the cumulative sum and find the first day at or past the goal.
"""

from __future__ import annotations

import time
from datetime import date

import numpy as np

from productops.forecast import when

HISTORY = [0, 1, 2, 1, 0, 3, 1, 2, 0, 1, 4, 0, 2, 1] * 6  # 12 weeks, mean 1.29 a day
TRIALS = 10_000
HORIZON_DAYS = 2 * 365
REMAINING = int(np.mean(HISTORY) * HORIZON_DAYS * 0.9)  # ~90 % of trials need 2 years
START = date(2025, 1, 6)


def baseline(remaining: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    values = np.asarray(HISTORY)
    draws = values[rng.integers(0, values.size, size=(TRIALS, HORIZON_DAYS + 200))]
    running = np.cumsum(draws, axis=1)
    return np.argmax(running >= remaining, axis=1) + 1


def best_of(function, repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    ours = best_of(lambda: when(REMAINING, HISTORY, start=START, trials=TRIALS, seed=1))
    theirs = best_of(lambda: baseline(REMAINING, 1))
    forecast = when(REMAINING, HISTORY, start=START, trials=TRIALS, seed=1)
    p95 = forecast.percentiles([95])[95]
    print(f"remaining {REMAINING} items, {TRIALS:,} trials, 95 % done by {p95}")
    print(f"productops when: {ours * 1000:7.1f} ms (best of 7)")
    print(f"baseline:        {theirs * 1000:7.1f} ms (best of 7)")
    print(f"ratio baseline / productops: {theirs / ours:.2f}")


if __name__ == "__main__":
    main()
