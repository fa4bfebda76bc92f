"""What-if simulation: productops' own event loop against the same model in SimPy.

Run by hand (this is not a test), from the repository root::

    /work/venv/bin/python benchmarks/bench_simulation.py

Options: ``--items`` (10000), ``--replications`` (20), ``--repeat`` (3; the fastest
run of each contender is reported), ``--seed`` (1), ``--no-simpy``.

The workload (issue #4): 10,000 items through a 7-state process with rework, 20
replications. The model is learnt from the demo workspace (``Backlog``, ``Ready``,
``In Progress``, ``In Review``, ``Ready for QA``, ``In QA``, ``Done``; review and QA
send work back, done items are reopened, ready items are de-prioritised), with three
testers instead of two so that the process is stable: 10,000 committed items, each
followed until it is delivered, while new work keeps arriving.

* **productops**: ``simulate(model, items=10_000, replications=20, seed=...,
  start="empty", warmup_days=0)`` -- the whole call, results included.
* **SimPy** (``pip install simpy``): the same model written the usual SimPy way, one
  process (generator) per item, a ``simpy.Resource`` per limited state, ``timeout``
  for every service, hand-off, pickup and delay, the same inverse-transform draws
  from the same kind of per-item random rows; the run stops when the 10,000 items are
  delivered. It reports the same mean cycle time, as a check that both simulate the
  same thing (they use different random numbers, so they agree within noise).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Generator
from typing import Any

import numpy as np

from productops import datasets
from productops.flow import EventLog
from productops.forecast import (
    ProcessModel,
    Scenario,
    learn,
    simulate,
)
from productops.model import StateCategory


def workload() -> ProcessModel:
    ws = datasets.load_demo()
    log = EventLog.from_work_items(ws.work_items)
    model = learn(log, ws.process, as_of=datasets.DEMO_AS_OF)
    return model.with_(Scenario(capacity={"In QA": 3}, name="+1 tester"))


def run_productops(model: ProcessModel, items: int, replications: int, seed: int):
    result = simulate(
        model,
        items=items,
        replications=replications,
        seed=seed,
        start="empty",
        warmup_days=0,
    )
    return result.mean_cycle_time.mean, float(result.samples["items"].sum())


def pick(route: list[tuple[float, str | None]], u: float) -> str | None:
    for cumulative, target in route:
        if u < cumulative:
            return target
    return route[-1][1]


def run_simpy_once(model: ProcessModel, items: int, seed: int) -> list[float]:
    import simpy

    env = simpy.Environment()
    states = {s.name: s for s in model.states}
    routes: dict[str, list[tuple[float, str | None]]] = {}
    for s in model.states:
        total, route = 0.0, []
        for target, p in s.routing:
            total += p
            route.append((total, target))
        route[-1] = (2.0, route[-1][1])
        routes[s.name] = route
    samplers: dict[str, Callable[[float], float]] = {
        s.name: s.service._sampler() for s in model.states if s.service is not None
    }
    delays = {(s.name, t): d._sampler() for s in model.states for t, d in s.delays}
    pickups = {
        s.name: s.pickup._sampler()
        for s in model.states
        if s.pickup is not None and s.capacity is not None
    }
    resources = {
        s.name: simpy.Resource(env, capacity=s.capacity)
        for s in model.states
        if s.capacity is not None
    }
    arrival = model.arrivals._sampler()
    entry = model.entry[0][0]
    rng = np.random.default_rng(seed)
    cycle_times: list[float] = []
    finished = env.event()
    remaining = [items]

    def item(number: int) -> Generator[Any, Any, None]:
        row = iter(rng.random(40).tolist() + [0.5] * 400)
        committed = env.now
        state = entry
        while True:
            spec = states[state]
            nxt = pick(routes[state], next(row))
            if spec.category is StateCategory.ACTIVE:
                if state in resources:
                    with resources[state].request() as server:
                        yield server
                        if state in pickups:
                            yield env.timeout(pickups[state](next(row)))
                        yield env.timeout(samplers[state](next(row)))
                else:
                    yield env.timeout(samplers[state](next(row)))
            elif nxt is None:  # delivered, or abandoned in the backlog
                if number < items:
                    if spec.category is StateCategory.DONE:
                        cycle_times.append(env.now - committed)
                    remaining[0] -= 1
                    if remaining[0] == 0:
                        finished.succeed()
                return
            elif (state, nxt) in delays:
                yield env.timeout(delays[state, nxt](next(row)))
            state = nxt

    def source() -> Generator[Any, Any, None]:
        number = 0
        while True:
            env.process(item(number))
            number += 1
            yield env.timeout(arrival(float(rng.random())))

    env.process(source())
    env.run(until=finished)
    return cycle_times


def run_simpy(model: ProcessModel, items: int, replications: int, seed: int):
    means, delivered = [], 0
    for r in range(replications):
        cycle = run_simpy_once(model, items, seed * 1000 + r)
        means.append(statistics.fmean(cycle))
        delivered += len(cycle)
    return statistics.fmean(means), float(delivered)


def best_of(repeat: int, job: Callable[[], tuple[float, float]]):
    times, result = [], (0.0, 0.0)
    for _ in range(repeat):
        start = time.perf_counter()
        result = job()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--replications", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-simpy", action="store_true")
    args = parser.parse_args()

    model = workload()
    print(model.describe())
    print()
    label = f"{args.items:,} items x {args.replications} replications"
    ours, (mean, delivered) = best_of(
        args.repeat,
        lambda: run_productops(model, args.items, args.replications, args.seed),
    )
    print(
        f"productops own loop: {ours:6.2f} s  ({label}; mean cycle time "
        f"{mean:.2f} d, {delivered:,.0f} items delivered)"
    )
    if args.no_simpy:
        return
    try:
        import simpy
    except ImportError:
        print("SimPy: not installed (pip install simpy)")
        return
    theirs, (mean, delivered) = best_of(
        args.repeat,
        lambda: run_simpy(model, args.items, args.replications, args.seed),
    )
    print(
        f"SimPy {simpy.__version__}:         {theirs:6.2f} s  ({label}; mean cycle "
        f"time {mean:.2f} d, {delivered:,.0f} items delivered)"
    )
    print(f"SimPy / own loop: {theirs / ours:.1f}x")


if __name__ == "__main__":
    main()
