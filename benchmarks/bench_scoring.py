"""Scoring and ranking speed, against baselines measured in the same run.

Run by hand (not a test)::

    python benchmarks/bench_scoring.py

1. Score and rank 100,000 initiatives with a custom formula
   (``reach * impact * confidence / effort``). Three inputs: `Initiative`
   records, dict rows and a mapping of columns. Target: at most 200 ms. The
   baseline is plain Python over the same rows: a comprehension computing the
   same arithmetic, then ``sorted`` by score.
2. Ranking sensitivity of 1,000 items over 10,000 trials, with the effort of
   every item uncertain (x0.7 to x1.5) and one weight uncertain. Target: at
   most 2 s. The baseline is the bare numpy work any such Monte Carlo needs:
   draw the 10,000 x 1,000 multipliers, compute the scores and take the top k
   of every trial with ``argpartition``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

import productops as po
from productops import scoring

N_ITEMS = 100_000
N_SENS = 1_000
TRIALS = 10_000
TOP = 20


def best_of(function: Callable[[], Any], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def backlog(n: int, seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "reach": rng.integers(10, 10_000, n).astype(float),
        "impact": rng.choice([0.25, 0.5, 1.0, 2.0, 3.0], n),
        "confidence": rng.choice([0.5, 0.8, 1.0], n),
        "effort": rng.choice([0.5, 1, 2, 3, 5, 8], n).astype(float),
        "value": rng.integers(1, 100, n).astype(float),
    }


def main() -> None:
    columns = backlog(N_ITEMS)
    keys = [f"I-{i}" for i in range(N_ITEMS)]
    rows = [
        {"key": key, **{name: float(values[i]) for name, values in columns.items()}}
        for i, key in enumerate(keys)
    ]
    records = [
        po.Initiative.model_construct(
            key=row["key"],
            title=row["key"],
            reach=row["reach"],
            impact=row["impact"],
            confidence=row["confidence"],
            effort=row["effort"],
        )
        for row in rows
    ]
    table = {"key": keys, **columns}
    rice = scoring.formula("reach * impact * confidence / effort")

    def plain_python() -> list[dict[str, Any]]:
        scored = [
            (r["reach"] * r["impact"] * r["confidence"] / r["effort"], r) for r in rows
        ]
        return [r for _, r in sorted(scored, key=lambda pair: -pair[0])]

    baseline = best_of(plain_python)
    print(f"score + rank {N_ITEMS:,} items with a formula (target <= 200 ms)")
    print(f"  baseline, plain Python sort of dict rows: {baseline * 1000:7.1f} ms")
    for label, items in (
        ("Initiative records", records),
        ("dict rows", rows),
        ("mapping of columns", table),
    ):
        took = best_of(lambda items=items: scoring.rank(items, by=rice))
        print(
            f"  productops, {label:<20} {took * 1000:7.1f} ms"
            f"   ratio baseline / productops {baseline / took:5.2f}"
        )

    small = {"key": keys[:N_SENS], **{k: v[:N_SENS] for k, v in columns.items()}}

    def bare_numpy() -> np.ndarray:
        rng = np.random.default_rng(5)
        factors = 0.7 + 0.8 * rng.random((TRIALS, N_SENS))
        weight = rng.uniform(0.5, 2.0, (TRIALS, 1))
        scores = small["value"] * weight - small["effort"] * factors
        top = np.argpartition(-scores, TOP - 1, axis=1)[:, :TOP]
        return np.bincount(top.ravel(), minlength=N_SENS) / TRIALS

    def ours() -> scoring.Sensitivity:
        return scoring.sensitivity(
            small,
            score="w * value - effort",
            weights={"w": 1.0},
            vary_weights={"w": (0.5, 2.0)},
            vary_inputs={"effort": (0.7, 1.5)},
            top=TOP,
            trials=TRIALS,
            seed=5,
        )

    base = best_of(bare_numpy, repeat=3)
    took = best_of(ours, repeat=3)
    print(f"ranking sensitivity, {N_SENS:,} items x {TRIALS:,} trials (target <= 2 s)")
    print(f"  baseline, bare numpy Monte Carlo:  {base * 1000:7.1f} ms")
    print(
        f"  productops sensitivity:            {took * 1000:7.1f} ms"
        f"   ratio baseline / productops {base / took:5.2f}"
    )


if __name__ == "__main__":
    main()
