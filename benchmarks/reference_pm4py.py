"""Reference directly-follows numbers for the real event logs, computed with pm4py.

Dev-only. pm4py is AGPL-3.0: it is never a dependency of productops (not even a test
dependency). This script runs in its own virtualenv and writes plain JSON that the
test-suite compares against; nothing in ``src/`` or ``tests/`` imports this file.

Regenerate (from the repository root)::

    python3 -m venv /work/venv-pm4py
    /work/venv-pm4py/bin/pip install pm4py pandas
    /work/venv-pm4py/bin/python benchmarks/reference_pm4py.py

Options: ``--fixtures DIR`` (default ``../shared/fixtures/eventlogs`` next to the
repository) and ``--out DIR`` (default ``tests/data/flow``). It writes
``pm4py_receipt.json`` and ``pm4py_helpdesk.json``. The files committed were made
with pm4py 2.7.23.11, pandas 3.1.1 and numpy 2.4.6.

How the numbers are computed
----------------------------
For each log (receipt.csv: ``case:concept:name`` / ``concept:name`` /
``time:timestamp``; helpdesk.csv: ``case_id`` / ``activity`` / ``timestamp``):

1. ``pd.read_csv(path, dtype=str, keep_default_na=False)``, keeping only the case,
   activity and timestamp columns and adding ``@@row`` (the 0-based input row).
   Keeping only three columns matters: ``format_dataframe`` tries to parse *every*
   string column as a date.
2. Timestamps (ISO 8601 with offsets) are converted exactly to UTC with
   ``pd.to_datetime(col, utc=True, format="ISO8601")`` and cast to
   ``datetime64[ns, UTC]``. The script checks each value against
   ``datetime.fromisoformat`` (exact, in integer microseconds) before going on.
3. ``pm4py.format_dataframe(df, case_id=..., activity_key=..., timestamp_key=...)``.
4. ``pm4py.discover_dfg(df)`` gives the directly-follows counts and the start and end
   activity counts.
5. ``pm4py.discover_performance_dfg(df, perf_aggregation_key="all")`` gives, per edge
   (a, b), the mean, median, min, max and stdev of the seconds between an event of a
   and the directly following event of b in the same case. pm4py computes the seconds
   as ``86400 * days + seconds + 1e-6 * microseconds + 1e-9 * nanoseconds`` of the
   Timedelta; mean and median are pandas ``groupby().agg`` ("median" is the usual
   midpoint of the two middle values for an even count); ``stdev`` is pandas ``std``
   (sample, ddof=1) and is written as ``null`` for an edge seen once.
6. ``pm4py.get_all_case_durations(df)`` gives, per case, last timestamp minus first
   timestamp in seconds. The JSON holds their mean, ``numpy.median`` (midpoint for an
   even count; pm4py's own ``get_median_case_duration`` takes the upper middle
   element instead), min and max.
7. ``cases`` and ``events`` are the number of distinct case ids and of rows (pm4py
   drops nothing here). Also recorded: ``timestamp_ties_within_cases`` (adjacent
   events of a case, in time order, with equal timestamps) and ``duplicate_events``
   (rows repeating an earlier row's case, activity and timestamp). pm4py keeps
   duplicates as ordinary events: they are self-loop edges of 0 s.

Edges are sorted by (source, target); floats are written by ``json`` (shortest repr
that round-trips).

How pm4py orders events with equal timestamps (checked here on every run)
-------------------------------------------------------------------------
Read from pm4py 2.7.23.11's source and confirmed on the data:

* ``pm4py.format_dataframe`` (``pm4py/utils.py``) first inserts an ``@@index`` column
  holding the row position (``pandas_utils.insert_index``, after ``reset_index``), then
  ``df.sort_values(["case:concept:name", "time:timestamp", "@@index"])``. The index is
  an explicit tie-breaker, so events of one case with equal timestamps keep their input
  order; the result does not depend on the stability of the sort algorithm. Cases end
  up ordered by case id as a string, which does not affect any of the numbers.
* ``get_dfg_graph`` (``pm4py/algo/discovery/dfg/adapters/pandas/df_statistics.py``),
  which both DFG functions call, sorts again by ``[case, start_timestamp, timestamp]``
  without the index. A multi-column ``sort_values`` goes through pandas'
  ``lexsort_indexer`` -> ``numpy.lexsort``, which is stable, so the order from
  ``format_dataframe`` (input order within ties) is kept.
* Start and end activities are ``groupby(case, sort=False)[activity].first()`` /
  ``.last()`` on the formatted (sorted) frame; case durations use
  ``groupby(case).first()`` / ``.last()`` of the timestamp.

The script asserts, on each file as it is and again on its rows shuffled with a fixed
seed (which puts tied events in a different input order), that (a) the formatted frame
lists every case's rows in the order of a stable sort by timestamp of that input, and
(b) pm4py's DFG counts equal an independent stable-sort computation. receipt.csv has
no ties within cases; helpdesk.csv has 130 (127 of them exact duplicates of case,
activity and timestamp), so it is the log that exercises this. It also prints how
many edge counts would change if ties were broken the other way (reversed input
order): 14 of helpdesk's 55 edges, so the tie rule matters.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pm4py

REPO = Path(__file__).resolve().parents[1]
DEFAULT_FIXTURES = REPO.parent / "shared" / "fixtures" / "eventlogs"
DEFAULT_OUT = REPO / "tests" / "data" / "flow"
ROW = "@@row"


@dataclass(frozen=True)
class LogSpec:
    name: str
    case: str
    activity: str
    timestamp: str


LOGS = (
    LogSpec("receipt", "case:concept:name", "concept:name", "time:timestamp"),
    LogSpec("helpdesk", "case_id", "activity", "timestamp"),
)


def read_log(path: Path, spec: LogSpec) -> pd.DataFrame:
    """Read the three columns, parse timestamps to UTC ns exactly, add the row index."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    df = pd.DataFrame(
        {
            spec.case: raw[spec.case].to_numpy(dtype=object),
            spec.activity: raw[spec.activity].to_numpy(dtype=object),
            spec.timestamp: pd.to_datetime(
                raw[spec.timestamp], utc=True, format="ISO8601"
            ).astype("datetime64[ns, UTC]"),
            ROW: np.arange(len(raw), dtype=np.int64),
        }
    )
    check_timestamps(raw[spec.timestamp].tolist(), df[spec.timestamp])
    return df


def check_timestamps(texts: list[str], parsed: pd.Series) -> None:
    """Cross-check pandas' bulk parse against ``datetime.fromisoformat``, exactly."""
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    expected = np.array(
        [
            (dt.datetime.fromisoformat(t) - epoch) // dt.timedelta(microseconds=1)
            for t in texts
        ],
        dtype=np.int64,
    )
    got_ns = parsed.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    if np.any(got_ns % 1000) or not np.array_equal(got_ns // 1000, expected):
        bad = int(np.flatnonzero(got_ns // 1000 != expected)[0])
        msg = f"timestamp parse mismatch at row {bad}: {texts[bad]!r}"
        raise AssertionError(msg)


def stable_order(df: pd.DataFrame, spec: LogSpec) -> pd.DataFrame:
    """Independent reference order: stable sort by (case, timestamp) of the input."""
    return df.sort_values([spec.case, spec.timestamp], kind="stable")


def dfg_counts(ordered: pd.DataFrame, spec: LogSpec) -> Counter[tuple[str, str]]:
    case = ordered[spec.case].to_numpy(dtype=object)
    act = ordered[spec.activity].to_numpy(dtype=object)
    same = case[:-1] == case[1:]
    return Counter(zip(act[:-1][same].tolist(), act[1:][same].tolist(), strict=True))


def count_ties(ordered: pd.DataFrame, spec: LogSpec) -> int:
    case = ordered[spec.case].to_numpy(dtype=object)
    ts = ordered[spec.timestamp].to_numpy(dtype="datetime64[ns]")
    return int(np.count_nonzero((case[:-1] == case[1:]) & (ts[:-1] == ts[1:])))


def format_for_pm4py(frame: pd.DataFrame, spec: LogSpec) -> pd.DataFrame:
    return pm4py.format_dataframe(
        frame.copy(),
        case_id=spec.case,
        activity_key=spec.activity,
        timestamp_key=spec.timestamp,
    )


def check_pm4py_order(frame: pd.DataFrame, spec: LogSpec, label: str) -> None:
    """Assert pm4py orders ``frame`` like a stable sort by (case, timestamp)."""
    formatted = format_for_pm4py(frame, spec)
    ref = stable_order(frame, spec)
    # format_dataframe orders cases by their id as a string; compare case by case.
    pm_rows = formatted.groupby("case:concept:name", sort=True)[ROW].agg(list)
    ref_rows = ref.groupby(spec.case, sort=True)[ROW].agg(list)
    if pm_rows.to_dict() != ref_rows.to_dict():
        msg = f"{spec.name} ({label}): pm4py's event order is not a stable sort"
        raise AssertionError(msg)
    dfg, _, _ = pm4py.discover_dfg(formatted)
    if {k: int(v) for k, v in dfg.items()} != dict(dfg_counts(ref, spec)):
        msg = f"{spec.name} ({label}): pm4py DFG differs from a stable-sort DFG"
        raise AssertionError(msg)


def check_tie_order(raw: pd.DataFrame, spec: LogSpec) -> dict[str, int]:
    """Check pm4py keeps input order within timestamp ties; report tie statistics.

    Run on the file as it is and on its rows shuffled with a fixed seed (which puts
    tied events in a different input order): in both cases pm4py's per-case order
    and DFG must equal those of a stable sort of *that* input.
    """
    check_pm4py_order(raw, spec, "file order")
    shuffled = raw.iloc[np.random.default_rng(0).permutation(len(raw))]
    check_pm4py_order(shuffled, spec, "shuffled rows")

    ref = stable_order(raw, spec)
    reverse_ties = raw.iloc[::-1].sort_values(
        [spec.case, spec.timestamp], kind="stable"
    )
    stable_counts = dfg_counts(ref, spec)
    reversed_counts = dfg_counts(reverse_ties, spec)
    changed = sum(
        1
        for key in stable_counts.keys() | reversed_counts.keys()
        if stable_counts[key] != reversed_counts[key]
    )
    return {"ties": count_ties(ref, spec), "edges_changed_by_reversed_ties": changed}


def finite_or_none(value: Any) -> float | None:
    number = float(value)
    return None if math.isnan(number) else number


def reference(path: Path, spec: LogSpec) -> dict[str, Any]:
    raw = read_log(path, spec)
    ties = check_tie_order(raw, spec)
    formatted = format_for_pm4py(raw, spec)

    dfg, start_activities, end_activities = pm4py.discover_dfg(formatted)
    perf_dfg, _, _ = pm4py.discover_performance_dfg(
        formatted, perf_aggregation_key="all"
    )
    durations = np.asarray(pm4py.get_all_case_durations(formatted), dtype=np.float64)

    own = dfg_counts(stable_order(raw, spec), spec)
    if {k: int(v) for k, v in dfg.items()} != dict(own):
        msg = f"{spec.name}: pm4py DFG counts differ from a stable-sort computation"
        raise AssertionError(msg)
    if set(perf_dfg) != set(dfg):
        msg = f"{spec.name}: frequency and performance DFG have different edges"
        raise AssertionError(msg)

    edges = []
    for source, target in sorted(dfg):
        perf = perf_dfg[source, target]
        edges.append(
            {
                "source": source,
                "target": target,
                "count": int(dfg[source, target]),
                "mean_seconds": float(perf["mean"]),
                "median_seconds": float(perf["median"]),
                "min_seconds": float(perf["min"]),
                "max_seconds": float(perf["max"]),
                "stdev_seconds": finite_or_none(perf["stdev"]),
            }
        )

    n_cases = int(raw[spec.case].nunique())
    if len(durations) != n_cases:
        msg = f"{spec.name}: {len(durations)} case durations for {n_cases} cases"
        raise AssertionError(msg)
    print(
        f"{spec.name}: {n_cases} cases, {len(raw)} events, {len(edges)} edges, "
        f"{ties['ties']} within-case timestamp ties "
        f"({ties['edges_changed_by_reversed_ties']} edge counts would change "
        "if ties were broken in reverse input order)"
    )
    return {
        "source": f"shared/fixtures/eventlogs/{path.name}",
        "source_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "columns": {
            "case": spec.case,
            "activity": spec.activity,
            "timestamp": spec.timestamp,
        },
        "pm4py_version": pm4py.__version__,
        "pandas_version": pd.__version__,
        "generated_by": "benchmarks/reference_pm4py.py",
        "cases": n_cases,
        "events": len(raw),
        "timestamp_ties_within_cases": ties["ties"],
        "duplicate_events": int(
            raw.duplicated([spec.case, spec.activity, spec.timestamp]).sum()
        ),
        "start_activities": {k: int(v) for k, v in sorted(start_activities.items())},
        "end_activities": {k: int(v) for k, v in sorted(end_activities.items())},
        "edges": edges,
        "case_duration_seconds": {
            "mean": float(durations.mean()),
            "median": float(np.median(durations)),
            "min": float(durations.min()),
            "max": float(durations.max()),
        },
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    warnings.simplefilter("ignore", DeprecationWarning)
    for spec in LOGS:
        result = reference(args.fixtures / f"{spec.name}.csv", spec)
        target = args.out / f"pm4py_{spec.name}.json"
        target.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
        print(f"  wrote {target} ({target.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
