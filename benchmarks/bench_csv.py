"""Time reading an event-log CSV: `csv` + `parse_timestamp` vs `read_csv` (+ pandas).

Generates a synthetic log of ``--rows`` rows (default 850,000: 100,000 items,
7 statuses, ISO timestamps with milliseconds and ``+00:00``, a type and a team
column) in a temporary folder, or reads the file given with ``--csv``, and
times in the same run:

(a) baseline: `csv.reader`, a dict interning each text column, and
    `parse_timestamp` on every row;
(b) `productops.flow._csv.read_csv` + `codes` for the text columns +
    `timestamps` for the timestamp column;
(b') the same, with the columns converted by 2 threads (numpy releases the GIL
    in the heavy steps, so a caller can convert columns concurrently);
(c) if pandas is installed: ``pandas.read_csv`` + ``pd.to_datetime(...,
    format="ISO8601", utc=True)``.

Command::

    python benchmarks/bench_csv.py                 # synthetic, 850,000 rows
    python benchmarks/bench_csv.py --csv /tmp/jira-like.csv --timestamp timestamp

Each variant runs ``--repeat`` times (default 3); the best time is printed.
The target for (b) is 0.4 s on the 2-core reference machine.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import numpy as np

from productops.flow._csv import read_csv
from productops.model._base import parse_timestamp

STATUSES = (
    "Backlog",
    "Ready",
    "In Progress",
    "In Review",
    "Ready for QA",
    "In QA",
    "Done",
)
TYPES = ("Story", "Bug", "Task", "Spike")
TEAMS = ("Aurora", "Borealis", "Cirrus", "Dynamo", "Equinox")
START = np.datetime64("2024-01-01T00:00:00", "ms")


def generate(path: Path, rows: int, items: int, seed: int = 0) -> None:
    """Write a synthetic log: item,status,timestamp,type,team in time order."""
    rng = np.random.default_rng(seed)
    item = rng.integers(1, items + 1, rows)
    offsets_ms = np.sort(rng.integers(0, 300 * 86_400_000, rows))
    stamps = np.datetime_as_string(START + offsets_ms.astype("timedelta64[ms]"))
    status = rng.integers(0, len(STATUSES), rows)
    kind = item % len(TYPES)
    team = item % len(TEAMS)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("item,status,timestamp,type,team\n")
        out.writelines(
            f"APP-{i},{STATUSES[s]},{t}+00:00,{TYPES[k]},{TEAMS[m]}\n"
            for i, s, t, k, m in zip(
                item.tolist(),
                status.tolist(),
                stamps.tolist(),
                kind.tolist(),
                team.tolist(),
                strict=True,
            )
        )


def baseline(path: Path, text_columns: list[str], timestamp: str) -> int:
    with path.open(encoding="utf-8", newline="") as file:
        reader = csv.reader(file)
        header = next(reader)
        text_index = [header.index(name) for name in text_columns]
        time_index = header.index(timestamp)
        interned: list[dict[str, int]] = [{} for _ in text_columns]
        codes: list[list[int]] = [[] for _ in text_columns]
        moments = []
        for record in reader:
            for column, index in enumerate(text_index):
                table = interned[column]
                codes[column].append(table.setdefault(record[index], len(table)))
            moments.append(parse_timestamp(record[time_index]))
    return len(moments)


def vectorised(path: Path, text_columns: list[str], timestamp: str) -> int:
    columns = read_csv(path)
    for name in text_columns:
        columns.codes(name)
    parsed = columns.timestamps(timestamp)
    assert parsed.ok.all(), list(parsed.errors.items())[:3]
    return columns.n_rows


def vectorised_threads(path: Path, text_columns: list[str], timestamp: str) -> int:
    columns = read_csv(path)
    with ThreadPoolExecutor(max_workers=2) as pool:
        parsed = pool.submit(columns.timestamps, timestamp)
        list(pool.map(columns.codes, text_columns))
    assert parsed.result().ok.all()
    return columns.n_rows


def with_pandas(path: Path, text_columns: list[str], timestamp: str) -> int:
    import pandas as pd

    frame = pd.read_csv(path, dtype=dict.fromkeys(text_columns, "string"))
    pd.to_datetime(frame[timestamp], format="ISO8601", utc=True)
    return len(frame)


def best_time(run: Callable[[], int], repeat: int) -> tuple[float, int]:
    best = float("inf")
    rows = 0
    for _ in range(repeat):
        start = time.perf_counter()
        rows = run()
        best = min(best, time.perf_counter() - start)
    return best, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=850_000)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--csv", type=Path, help="time this file instead")
    parser.add_argument("--timestamp", default="timestamp", help="timestamp column")
    parser.add_argument("--text", nargs="*", help="text columns (default: all others)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        path = args.csv
        if path is None:
            path = Path(folder) / "log.csv"
            start = time.perf_counter()
            generate(path, args.rows, args.items)
            print(f"generated {path} in {time.perf_counter() - start:.1f} s")
        with path.open(encoding="utf-8") as file:
            header = file.readline().rstrip("\r\n").split(",")
        text_columns = args.text or [name for name in header if name != args.timestamp]
        print(f"{path.stat().st_size / 1e6:.1f} MB; text columns {text_columns}")

        results: dict[str, float] = {}
        variants: dict[str, Callable[[Path, list[str], str], int]] = {
            "read_csv + codes + timestamps": vectorised,
            "the same, columns in 2 threads": vectorised_threads,
        }
        if not args.skip_baseline:
            variants["csv.reader + dict + parse_timestamp"] = baseline
        try:
            import pandas  # noqa: F401
        except ImportError:
            print("pandas is not installed: skipped")
        else:
            variants["pandas.read_csv + to_datetime"] = with_pandas
        for label, function in variants.items():
            repeat = 1 if function is baseline else args.repeat
            run = partial(function, path, text_columns, args.timestamp)
            results[label], rows = best_time(run, repeat)
            print(f"{label:40} {results[label]:6.3f} s  ({rows:,} rows)")
        ours = results["read_csv + codes + timestamps"]
        print(
            f"target for read_csv + codes + timestamps: 0.400 s; reached {ours:.3f} s"
        )
        for label, seconds in results.items():
            print(f"{label:40} {seconds / ours:5.2f}x the time of read_csv")


if __name__ == "__main__":
    main()
