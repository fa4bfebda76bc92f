"""Flow-metrics baselines: productops vs pm4py vs a plain pandas groupby version.

Run by hand (this is not a test), from the repository root::

    /work/venv/bin/python benchmarks/bench_flow.py

Options: ``--items`` (100000), ``--seed`` (0), ``--csv`` (/tmp/jira-like.csv;
generated with ``benchmarks/jira_like_log.py`` unless a file made by the same
generator with the same items, seed and ``as_of`` is already there), ``--repeat`` (1;
with more, each contender is run that many times in fresh processes and the fastest
run is reported), ``--analyze-repeat`` (3), ``--pm4py-python``
(/work/venv-pm4py/bin/python; pm4py is AGPL and lives only in that separate venv),
``--json PATH`` (also write the raw results).

What is measured
----------------
All three contenders read the same CSV in the same run, each in a fresh process
(``python benchmarks/bench_flow.py --worker NAME``), so that its peak memory
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``, which includes the interpreter and the
imported libraries) is its own. Wall time is measured inside the worker with
``time.perf_counter``, from the start of reading the CSV to the last result; the
interpreter start and the imports are not included. The two pandas-based contenders
read only the columns they use (``usecols=["item", "status", "timestamp",
"created"]``) and parse timestamps in bulk with ``pd.to_datetime(..., utc=True,
format="ISO8601")`` (pm4py's ``format_dataframe`` would otherwise try
``format="mixed"`` on every string column, which is much slower). Both choices make
the baselines faster, never slower.

* **pm4py** (``run_pm4py``, in the pm4py venv): ``pd.read_csv``; parse ``timestamp``
  and ``created``; ``pm4py.format_dataframe(df, case_id="item", activity_key="status",
  timestamp_key="timestamp")``; ``pm4py.discover_dfg`` (counts, start and end
  activities); ``pm4py.discover_performance_dfg(df, perf_aggregation_key="all")``
  (mean, median, min, max, sum, stdev of the seconds per edge); time in state with
  ``pm4py.get_service_time(df, start_timestamp_key="time:timestamp",
  timestamp_key="@@state_end", aggregation_measure=m)`` for m in mean, median and sum;
  and ``pm4py.get_all_case_durations``. pm4py's sojourn/service time is
  ``complete - start`` of one event (``pm4py.statistics.sojourn_time`` is an alias of
  ``service_time``); a status log has one timestamp per event, so we give each event
  an end, ``@@state_end`` = the next event's timestamp in the same case
  (``groupby(case).shift(-1)``, counted in pm4py's time), or ``as_of`` for an item's
  last event (0 s for a last event in Done).
* **pandas** (``run_pandas``): a straightforward groupby implementation of the
  DESIGN.md definitions, with two everyday idioms (``pd.factorize`` for the item key,
  a categorical status): read_csv; parse timestamps; stable sort by item and time;
  ``groupby(item).shift(-1)`` for the next status and time; the DFG with count, mean,
  median and p85 seconds and a rework flag per edge; time in state per item and state
  (the last visit of an item not in Done runs to ``as_of``) and per state (mean,
  median, p85, p95, share); committed_at (first entry at or past Ready), delivered_at
  (last arrival in Done, for items that end in Done), cycle and lead time per item
  and their 50/70/85/95 percentiles; throughput per week; WIP per day.
* **productops** (``run_productops``): ``productops.EventLog.from_csv(path,
  item="item", status="status", timestamp="timestamp")``, then
  ``productops.flow.analyze(log, process, as_of=as_of)`` with the log's seven-state
  process and ``productops.flow.dfg(log)``. Inside the timed region every result the
  issue lists is computed (results are lazy): cycle and lead time percentiles, time in
  state (all and in-cycle), weekly throughput, WIP, aging WIP, CFD, rework and
  bottlenecks. ``analyze`` is then run ``--analyze-repeat`` more times on the loaded
  log; the fastest is reported as "analyze alone".

After the table the script reports whether the contenders agree: the same edges with
the same counts, and mean seconds per edge within 1e-6 relative (pm4py, pandas and,
when available, productops' DFG); and the same total time in each state other than
Done (pm4py vs pandas).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from jira_like_log import AS_OF, STATES, ensure_csv

HERE = Path(__file__).resolve()
DEFAULT_PM4PY_PYTHON = Path("/work/venv-pm4py/bin/python")
COLUMNS = {"item": "item", "status": "status", "timestamp": "timestamp"}
USECOLS = ["item", "status", "timestamp", "created"]  # type and team are not needed


class Timer:
    """Laps of ``time.perf_counter`` since construction."""

    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = now - self.last
        self.last = now

    def total(self) -> float:
        return self.last - self.start


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def edge_key(source: str, target: str) -> str:
    return f"{source} -> {target}"


# --------------------------------------------------------------------------- pm4py


def run_pm4py(csv: Path, as_of: dt.datetime) -> dict[str, Any]:
    import warnings

    import pandas as pd
    import pm4py

    warnings.simplefilter("ignore")
    timer = Timer()
    df = pd.read_csv(csv, usecols=USECOLS)
    timer.lap("read_csv")
    df["timestamp"] = pd.to_datetime(df["timestamp"], utc=True, format="ISO8601")
    df["created"] = pd.to_datetime(df["created"], utc=True, format="ISO8601")
    timer.lap("to_datetime")
    df = pm4py.format_dataframe(
        df, case_id="item", activity_key="status", timestamp_key="timestamp"
    )
    timer.lap("format_dataframe")
    dfg, start_activities, end_activities = pm4py.discover_dfg(df)
    perf, _, _ = pm4py.discover_performance_dfg(df, perf_aggregation_key="all")
    timer.lap("dfg + performance dfg")

    case = "case:concept:name"
    ts = "time:timestamp"
    state_end = df.groupby(case, sort=False)[ts].shift(-1)
    last_in_done = state_end.isna() & (df["concept:name"] == "Done")
    state_end = state_end.fillna(pd.Timestamp(as_of))
    df["@@state_end"] = state_end.where(~last_in_done, df[ts])
    time_in_state = {
        measure: pm4py.get_service_time(
            df,
            aggregation_measure=measure,
            start_timestamp_key=ts,
            timestamp_key="@@state_end",
        )
        for measure in ("mean", "median", "sum")
    }
    timer.lap("time in state (service time)")
    durations = pm4py.get_all_case_durations(df)
    timer.lap("case durations")
    return {
        "available": True,
        "version": pm4py.__version__,
        "seconds": timer.total(),
        "laps": timer.laps,
        "peak_rss_mb": peak_rss_mb(),
        "edges": {
            edge_key(a, b): [int(n), float(perf[a, b]["mean"])]
            for (a, b), n in dfg.items()
        },
        "state_seconds_total": time_in_state["sum"],
        "sizes": {
            "edges": len(dfg),
            "start_activities": len(start_activities),
            "end_activities": len(end_activities),
            "cases": len(durations),
        },
    }


# -------------------------------------------------------------------------- pandas


def run_pandas(csv: Path, as_of: dt.datetime) -> dict[str, Any]:
    import numpy as np
    import pandas as pd

    as_of_ts = pd.Timestamp(as_of)
    order = {name: i for i, name in enumerate(STATES)}
    timer = Timer()
    df = pd.read_csv(csv, usecols=USECOLS)
    timer.lap("read_csv")
    df["timestamp"] = pd.to_datetime(df["timestamp"], utc=True, format="ISO8601")
    df["created"] = pd.to_datetime(df["created"], utc=True, format="ISO8601")
    timer.lap("to_datetime")
    # Two everyday pandas idioms: integer item codes and a categorical status.
    df["item_id"], item_names = pd.factorize(df["item"])
    df["status"] = df["status"].astype("category")
    df["position"] = df["status"].map(order).astype(np.int64)
    df = df.sort_values(["item_id", "timestamp"], kind="stable", ignore_index=True)
    timer.lap("factorize + sort")
    by_item = df.groupby("item_id", sort=False)
    df["next_status"] = by_item["status"].shift(-1)
    df["next_timestamp"] = by_item["timestamp"].shift(-1)
    df["next_position"] = by_item["position"].shift(-1)
    timer.lap("shift")

    # Directly-follows graph: count, mean / median / p85 seconds, rework flag.
    steps = df[df["next_timestamp"].notna()]
    seconds = (steps["next_timestamp"] - steps["timestamp"]).dt.total_seconds()
    per_edge = seconds.groupby(
        [steps["status"], steps["next_status"]], observed=True, sort=True
    )
    dfg = per_edge.agg(["count", "mean", "median"])
    dfg["p85"] = per_edge.quantile(0.85)
    dfg["rework"] = [order[b] < order[a] for a, b in dfg.index]
    is_rework = steps["next_position"] < steps["position"]
    rework_items = steps.loc[is_rework, "item_id"].nunique()
    timer.lap("dfg")

    # Time in state: each visit runs to the next event, or to as_of for the last
    # visit of an item that is not in Done.
    end = df["next_timestamp"].fillna(as_of_ts)
    end = end.where(df["next_timestamp"].notna() | (df["status"] != "Done"))
    df["visit_seconds"] = (end - df["timestamp"]).dt.total_seconds()
    per_item_state = df.groupby(["item_id", "status"], observed=True, sort=False)[
        "visit_seconds"
    ].sum()
    by_state = per_item_state.groupby(level="status", observed=True)
    per_state = by_state.agg(["mean", "median", "sum"])
    per_state["p85"] = by_state.quantile(0.85)
    per_state["p95"] = by_state.quantile(0.95)
    per_state["share"] = per_state["sum"] / per_state["sum"].sum()
    timer.lap("time in state")

    # Cycle and lead time.
    committed = (
        df[df["position"] >= order["Ready"]].groupby("item_id")["timestamp"].first()
    )
    final_status = by_item["status"].last()
    created = by_item["created"].first()
    done_arrivals = df[df["status"] == "Done"].groupby("item_id")["timestamp"].last()
    delivered = done_arrivals[final_status.reindex(done_arrivals.index) == "Done"]
    cycle_days = (delivered - committed.reindex(delivered.index)).dt.total_seconds()
    cycle_days /= 86_400
    lead_days = (delivered - created.reindex(delivered.index)).dt.total_seconds()
    lead_days /= 86_400
    percentiles = {
        "cycle": cycle_days.quantile([0.5, 0.7, 0.85, 0.95]).to_dict(),
        "lead": lead_days.quantile([0.5, 0.7, 0.85, 0.95]).to_dict(),
    }
    cycle_per_item = pd.Series(
        cycle_days.to_numpy(), index=item_names[delivered.index], name="cycle_days"
    )
    timer.lap("cycle + lead time")

    # Throughput per week (weeks start on Monday) and WIP at the end of each day.
    weekly = (
        pd.Series(1, index=pd.DatetimeIndex(delivered.to_numpy()))
        .resample("W-MON", label="left", closed="left")
        .sum()
    )
    days = pd.date_range(
        committed.min().floor("D"), as_of_ts.floor("D"), freq="D", name="day"
    )
    entered = committed.dt.floor("D").value_counts().reindex(days, fill_value=0)
    left = delivered.dt.floor("D").value_counts().reindex(days, fill_value=0)
    wip = (entered - left).cumsum()
    timer.lap("throughput + WIP")

    return {
        "available": True,
        "version": pd.__version__,
        "seconds": timer.total(),
        "laps": timer.laps,
        "peak_rss_mb": peak_rss_mb(),
        "edges": {
            edge_key(a, b): [int(row["count"]), float(row["mean"])]
            for (a, b), row in dfg.iterrows()
        },
        "state_seconds_total": {str(k): v for k, v in per_state["sum"].items()},
        "sizes": {
            "edges": len(dfg),
            "rework_edges": int(dfg["rework"].sum()),
            "items_with_rework": int(rework_items),
            "delivered": len(cycle_per_item),
            "weeks": len(weekly),
            "days": len(wip),
            "wip_at_as_of": int(wip.iloc[-1]),
            "cycle_p85_days": round(float(percentiles["cycle"][0.85]), 3),
        },
    }


# ---------------------------------------------------------------------- productops


def _materialise(report: Any) -> None:
    """Compute every result the issue lists (results are computed lazily)."""
    report.cycle_time.percentiles()
    report.lead_time.percentiles()
    report.time_in_state()
    report.time_in_state(in_cycle=True)
    report.throughput(freq="W")
    report.wip()
    report.aging_wip()
    report.cfd()
    report.rework()
    report.rework_rate()
    report.bottlenecks()


def _process() -> Any:
    import productops as po

    categories = {
        "Backlog": "backlog",
        "Ready": "queue",
        "In Progress": "active",
        "In Review": "active",
        "Ready for QA": "queue",
        "In QA": "active",
        "Done": "done",
    }
    return po.Process(
        states=[po.State(name=n, category=c) for n, c in categories.items()]
    )


def run_productops(
    csv: Path, as_of: dt.datetime, analyze_repeat: int = 3
) -> dict[str, Any]:
    try:
        import productops
        from productops import flow

        event_log = getattr(productops, "EventLog", None) or flow.EventLog
        from_csv = event_log.from_csv
        analyze = flow.analyze
        dfg = flow.dfg
    except (ImportError, AttributeError) as exc:
        return {"available": False, "reason": f"{type(exc).__name__}: {exc}"}

    process = _process()
    timer = Timer()
    log = from_csv(csv, **COLUMNS)
    timer.lap("EventLog.from_csv")
    report = analyze(log, process, as_of=as_of)
    _materialise(report)
    timer.lap("analyze")
    graph = dfg(log)
    timer.lap("dfg")
    seconds = timer.total()
    rss = peak_rss_mb()

    alone = []
    for _ in range(analyze_repeat):
        t0 = time.perf_counter()
        _materialise(analyze(log, process, as_of=as_of))
        alone.append(time.perf_counter() - t0)
    return {
        "available": True,
        "version": getattr(productops, "__version__", "?"),
        "seconds": seconds,
        "laps": timer.laps,
        "analyze_alone_seconds": min(alone, default=timer.laps["analyze"]),
        "peak_rss_mb": rss,
        "peak_rss_mb_after_repeats": peak_rss_mb(),
        "edges": {
            edge_key(a, b): [int(data["count"]), float(data["mean_seconds"])]
            for a, b, data in graph.edges(data=True)
        },
        "sizes": {"edges": graph.number_of_edges()},
    }


WORKERS = {"pm4py": run_pm4py, "pandas": run_pandas, "productops": run_productops}


# ------------------------------------------------------------------------- driver


def run_worker(
    name: str, python: Path, csv: Path, as_of: dt.datetime, analyze_repeat: int
) -> dict[str, Any]:
    if not python.exists():
        return {"available": False, "reason": f"{python} not found"}
    command = [
        str(python),
        str(HERE),
        "--worker",
        name,
        "--csv",
        str(csv),
        "--as-of",
        as_of.isoformat(),
        "--analyze-repeat",
        str(analyze_repeat),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        return {"available": False, "reason": f"worker failed:\n{tail}"}
    return json.loads(lines[-1])


def best_of(
    name: str, python: Path, args: argparse.Namespace, csv: Path
) -> dict[str, Any]:
    runs = [
        run_worker(name, python, csv, args.as_of, args.analyze_repeat)
        for _ in range(args.repeat)
    ]
    if not runs[0]["available"]:
        return runs[0]
    best = min(runs, key=lambda r: r["seconds"])
    best["all_seconds"] = [r["seconds"] for r in runs]
    best["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
    return best


def compare_edges(
    name: str, ref: dict[str, list[float]], other: dict[str, list[float]]
) -> str:
    if ref.keys() != other.keys():
        return f"{name}: DIFFERENT EDGES ({len(ref)} vs {len(other)})"
    bad_counts = [k for k in ref if ref[k][0] != other[k][0]]
    bad_means = [
        k for k in ref if not math.isclose(ref[k][1], other[k][1], rel_tol=1e-6)
    ]
    if bad_counts or bad_means:
        return (
            f"{name}: {len(bad_counts)} counts and {len(bad_means)} means differ, "
            f"e.g. {(bad_counts + bad_means)[0]}"
        )
    return f"{name}: same {len(ref)} edges, counts equal, means within 1e-6"


def compare_states(ref: dict[str, float], other: dict[str, float]) -> str:
    names = sorted((ref.keys() & other.keys()) - {"Done"})
    bad = [s for s in names if not math.isclose(ref[s], other[s], rel_tol=1e-6)]
    if bad or not names:
        return f"time in state pandas vs pm4py: DIFFERENT for {bad or 'all'}"
    return f"time in state pandas vs pm4py: totals within 1e-6 for {len(names)} states"


def print_report(results: dict[str, dict[str, Any]], meta: dict[str, Any]) -> None:
    print(
        f"\nlog: {meta['items']:,} items, {meta['rows']:,} rows, "
        f"as_of {meta['as_of']}, seed {meta['seed']}"
    )
    ours = results["productops"]
    ours_s = ours["seconds"] if ours["available"] else None
    print(f"\n{'contender':<12}{'wall s':>9}{'x productops':>14}{'peak RSS MB':>13}")
    for name, res in results.items():
        if not res["available"]:
            reason = res["reason"].splitlines()[-1]
            print(f"{name:<12}{'-':>9}{'-':>14}{'-':>13}   not available ({reason})")
            continue
        ratio = f"{res['seconds'] / ours_s:.2f}" if ours_s else "-"
        print(
            f"{name:<12}{res['seconds']:>9.2f}{ratio:>14}{res['peak_rss_mb']:>13.0f}"
            f"   ({res['version']})"
        )
    if ours["available"]:
        alone = ours["analyze_alone_seconds"]
        print(f"\nproductops analyze alone (loaded log): {alone:.3f} s")
    else:
        print("\nproductops: not available yet")

    print("\nsteps (s):")
    for name, res in results.items():
        if res["available"]:
            laps = ", ".join(f"{k} {v:.2f}" for k, v in res["laps"].items())
            print(f"  {name}: {laps}")
            if len(res.get("all_seconds", ())) > 1:
                runs = ", ".join(f"{s:.2f}" for s in res["all_seconds"])
                print(f"    runs: {runs}")

    print("\nagreement:")
    pandas_res, pm4py_res = results["pandas"], results["pm4py"]
    if pandas_res["available"] and pm4py_res["available"]:
        print(
            "  "
            + compare_edges("pandas vs pm4py", pm4py_res["edges"], pandas_res["edges"])
        )
        print(
            "  "
            + compare_states(
                pm4py_res["state_seconds_total"], pandas_res["state_seconds_total"]
            )
        )
    if ours["available"]:
        ref = pandas_res if pandas_res["available"] else pm4py_res
        if ref["available"]:
            print(
                "  "
                + compare_edges("productops vs reference", ref["edges"], ours["edges"])
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--csv", type=Path, default=Path("/tmp/jira-like.csv"))
    parser.add_argument("--as-of", type=dt.datetime.fromisoformat, default=AS_OF)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--analyze-repeat", type=int, default=3)
    parser.add_argument("--pm4py-python", type=Path, default=DEFAULT_PM4PY_PYTHON)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker == "productops":
        print(json.dumps(run_productops(args.csv, args.as_of, args.analyze_repeat)))
        return
    if args.worker:
        print(json.dumps(WORKERS[args.worker](args.csv, args.as_of)))
        return

    t0 = time.perf_counter()
    csv, meta = ensure_csv(args.csv, args.items, seed=args.seed, as_of=args.as_of)
    print(f"log ready in {time.perf_counter() - t0:.1f} s: {csv}")
    pythons = {
        "pm4py": args.pm4py_python,
        "pandas": Path(sys.executable),
        "productops": Path(sys.executable),
    }
    results = {}
    for name, python in pythons.items():
        print(f"running {name} ...", flush=True)
        results[name] = best_of(name, python, args, csv)
    print_report(results, meta)
    if args.json:
        args.json.write_text(json.dumps({"log": meta, "results": results}, indent=1))


if __name__ == "__main__":
    main()
