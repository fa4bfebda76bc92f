"""Seeded generator of large Jira-like status logs, for the flow benchmarks.

Writes one CSV row per state entered, with the columns
``item,status,timestamp,type,team,created``::

    item,status,timestamp,type,team,created
    PO-51,Backlog,2024-09-04T00:00:17.800Z,Task,Dynamo,2024-09-04T00:00:17.800Z
    PO-88150,Backlog,2024-09-04T00:01:44.936+00:00,Task,Cirrus,2024-09-04T00:01:44.936+00:00

Command (797,236 rows for 100,000 items with seed 0; about 2.5 s)::

    python benchmarks/jira_like_log.py --items 100000 --out /tmp/jira-like.csv

Options: ``--seed`` (default 0) and ``--as-of`` (default 2025-07-01T00:00:00Z). The
same seed, item count and ``as_of`` give a byte-identical file (with the same numpy
version: numpy does not promise the same random streams across its releases).
``ensure_csv`` (used by ``bench_flow.py``) reuses a file whose ``.meta.json`` sidecar
matches.

What the log looks like
-----------------------
* 7 states, in process order: Backlog, Ready, In Progress, In Review, Ready for QA,
  In QA, Done. The first row of each item is its creation, in Backlog, at ``created``.
* Each item walks a Markov chain (``TRANSITIONS``) with rework loops: In Review -> In
  Progress, In QA -> In Progress, In Progress -> Ready, and Done -> In Progress (a
  reopened item). Some transitions skip states (Backlog -> In Progress, In Progress ->
  Done). About 4 % of items are parked and never leave Backlog.
* Time in each state is log-normal (``DWELL_MEDIAN_DAYS`` / ``DWELL_SIGMA``), scaled by
  item type (bugs are worked faster) and team (team Cirrus reviews slowly). Ready for
  QA is the planted bottleneck: a queue with the longest visits (median 6.5 days) and
  the largest share of item-time between commitment and delivery.
* Items are created uniformly over the 300 days before ``as_of``; the walk stops at
  ``as_of``, so the items created last are still in Backlog or in progress.
* Timestamps are UTC with millisecond fractions, written with ``Z`` (even-numbered
  items) or ``+00:00`` (odd-numbered items).
* A handful of transitions (probability ``TIE_RATE``) take exactly 0 ms, so an item
  has two rows with the same timestamp; the row that comes first in the file is the
  state entered first.
* Rows are written in global time order (ties: item number, then step), not grouped
  by item.

Generation is vectorised with numpy: one step of the chain for all live items at once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

STATES = (
    "Backlog",
    "Ready",
    "In Progress",
    "In Review",
    "Ready for QA",
    "In QA",
    "Done",
)
BACKLOG, READY, IN_PROGRESS, IN_REVIEW, READY_FOR_QA, IN_QA, DONE = range(7)
TYPES = ("Story", "Bug", "Task", "Spike")
TYPE_WEIGHTS = (0.5, 0.25, 0.2, 0.05)
TYPE_WORK_SCALE = (1.2, 0.6, 0.9, 0.8)  # multiplies time In Progress
TEAMS = ("Aurora", "Borealis", "Cirrus", "Dynamo", "Ember")
TEAM_REVIEW_SCALE = (1.0, 1.0, 2.5, 1.0, 0.8)  # multiplies time In Review

# TRANSITIONS[s, t]: probability that an item leaving s enters t. For Done, "leaving"
# means being reopened; the Done -> Done entry is the probability it stays done.
TRANSITIONS = np.array(
    [
        # Bl    Rdy   InPr  InRev RfQA  InQA  Done
        [0.00, 0.90, 0.10, 0.00, 0.00, 0.00, 0.00],  # Backlog
        [0.00, 0.00, 1.00, 0.00, 0.00, 0.00, 0.00],  # Ready
        [0.00, 0.05, 0.00, 0.90, 0.00, 0.00, 0.05],  # In Progress
        [0.00, 0.00, 0.28, 0.00, 0.72, 0.00, 0.00],  # In Review
        [0.00, 0.00, 0.00, 0.00, 0.00, 1.00, 0.00],  # Ready for QA
        [0.00, 0.00, 0.20, 0.00, 0.00, 0.00, 0.80],  # In QA
        [0.00, 0.00, 0.05, 0.00, 0.00, 0.00, 0.95],  # Done (reopen or stay)
    ]
)
DWELL_MEDIAN_DAYS = np.array([6.0, 1.5, 3.0, 0.8, 6.5, 1.0, 6.0])
DWELL_SIGMA = np.array([1.2, 0.9, 0.8, 0.9, 0.7, 0.8, 0.8])
PARKED_RATE = 0.04  # items that never leave Backlog
TIE_RATE = 0.0002  # transitions that take exactly 0 ms
CREATION_WINDOW_DAYS = 300
MAX_STEPS = 200

AS_OF = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)
MS_PER_DAY = 86_400_000
NS_PER_MS = 1_000_000


@dataclass(frozen=True)
class JiraLikeLog:
    """A generated log as columns.

    ``item``, ``state`` and ``timestamp_ms`` have one entry per row, in file order:
    ``item`` indexes ``item_keys()`` and ``state`` indexes ``STATES``. The ``item_*``
    arrays have one entry per item: ``item_type`` indexes ``TYPES``, ``item_team``
    indexes ``TEAMS``. Times are UTC epoch milliseconds.
    """

    item: npt.NDArray[np.int64]
    state: npt.NDArray[np.int64]
    timestamp_ms: npt.NDArray[np.int64]
    item_type: npt.NDArray[np.int64]  # per item
    item_team: npt.NDArray[np.int64]  # per item
    item_created_ms: npt.NDArray[np.int64]  # per item
    as_of: dt.datetime
    seed: int

    @property
    def n_items(self) -> int:
        return len(self.item_type)

    @property
    def n_rows(self) -> int:
        return len(self.item)

    def item_keys(self) -> npt.NDArray[np.str_]:
        return np.char.add("PO-", np.arange(1, self.n_items + 1).astype(str))

    def timestamp_ns(self) -> npt.NDArray[np.int64]:
        return self.timestamp_ms * NS_PER_MS


def _epoch_ms(moment: dt.datetime) -> int:
    if moment.tzinfo is None:
        msg = "as_of must be timezone-aware"
        raise ValueError(msg)
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (moment - epoch) // dt.timedelta(milliseconds=1)


def generate(
    n_items: int = 100_000, *, seed: int = 0, as_of: dt.datetime = AS_OF
) -> JiraLikeLog:
    """Generate a log of ``n_items`` items; deterministic for a given seed."""
    rng = np.random.default_rng(seed)
    as_of_ms = _epoch_ms(as_of)
    item_type = rng.choice(len(TYPES), size=n_items, p=TYPE_WEIGHTS).astype(np.int64)
    item_team = rng.integers(0, len(TEAMS), size=n_items, dtype=np.int64)
    window_ms = CREATION_WINDOW_DAYS * MS_PER_DAY
    created = as_of_ms - window_ms + rng.integers(0, window_ms, size=n_items)
    created = created.astype(np.int64)
    parked = rng.random(n_items) < PARKED_RATE

    cumulative = np.cumsum(TRANSITIONS, axis=1)
    cumulative[:, -1] = 1.0
    mu = np.log(DWELL_MEDIAN_DAYS)
    type_scale = np.asarray(TYPE_WORK_SCALE)
    team_scale = np.asarray(TEAM_REVIEW_SCALE)

    items = [np.arange(n_items, dtype=np.int64)]
    states = [np.zeros(n_items, dtype=np.int64)]
    times = [created]
    steps = [np.zeros(n_items, dtype=np.int64)]

    live = np.flatnonzero(~parked)
    state = np.zeros(n_items, dtype=np.int64)
    now = created.copy()
    for step in range(1, MAX_STEPS + 1):
        if live.size == 0:
            break
        s = state[live]
        days = np.exp(mu[s] + DWELL_SIGMA[s] * rng.standard_normal(live.size))
        days = np.where(s == IN_PROGRESS, days * type_scale[item_type[live]], days)
        days = np.where(s == IN_REVIEW, days * team_scale[item_team[live]], days)
        dwell_ms = np.maximum(np.rint(days * MS_PER_DAY).astype(np.int64), 1)
        dwell_ms[rng.random(live.size) < TIE_RATE] = 0
        u = rng.random(live.size)
        nxt = (u[:, None] >= cumulative[s]).sum(axis=1).astype(np.int64)
        at = now[live] + dwell_ms

        stays_done = (s == DONE) & (nxt == DONE)
        moves = ~stays_done & (at < as_of_ms)
        moved = live[moves]
        items.append(moved)
        states.append(nxt[moves])
        times.append(at[moves])
        steps.append(np.full(moved.size, step, dtype=np.int64))
        state[moved] = nxt[moves]
        now[moved] = at[moves]
        live = moved

    item = np.concatenate(items)
    ts = np.concatenate(times)
    order = np.lexsort((np.concatenate(steps), item, ts))
    return JiraLikeLog(
        item=item[order],
        state=np.concatenate(states)[order],
        timestamp_ms=ts[order],
        item_type=item_type,
        item_team=item_team,
        item_created_ms=created,
        as_of=as_of,
        seed=seed,
    )


def _iso(ms: npt.NDArray[np.int64]) -> npt.NDArray[np.str_]:
    return np.datetime_as_string(ms.astype("datetime64[ms]"), unit="ms")


def write_csv(log: JiraLikeLog, path: Path) -> Path:
    """Write ``log`` as CSV (see the module docstring for the format)."""
    suffixes = np.where(np.arange(log.n_items) % 2 == 0, "Z", "+00:00").tolist()
    created = _iso(log.item_created_ms).tolist()
    types = [TYPES[t] for t in log.item_type.tolist()]
    teams = [TEAMS[t] for t in log.item_team.tolist()]
    # Each row is: item head + status + timestamp + the item's tail, joined in bulk.
    heads = np.array([f"{key}," for key in log.item_keys().tolist()], dtype=object)
    tails = np.array(
        [
            f"{sfx},{ty},{team},{cr}{sfx}\n"
            for sfx, ty, team, cr in zip(suffixes, types, teams, created, strict=True)
        ],
        dtype=object,
    )
    statuses = np.array([f"{name}," for name in STATES], dtype=object)
    pieces = np.empty((log.n_rows, 4), dtype=object)
    pieces[:, 0] = heads[log.item]
    pieces[:, 1] = statuses[log.state]
    pieces[:, 2] = _iso(log.timestamp_ms).astype(object)
    pieces[:, 3] = tails[log.item]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write("item,status,timestamp,type,team,created\n")
        fh.write("".join(pieces.ravel().tolist()))
    return path


def generator_digest() -> str:
    """Short hash of this file, so a CSV from an older generator is not reused."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def summary(log: JiraLikeLog) -> dict[str, object]:
    """Counts that describe a generated log (stored next to the CSV)."""
    order = np.lexsort((log.timestamp_ms, log.item))  # by item, then time (stable)
    item, state, ts = log.item[order], log.state[order], log.timestamp_ms[order]
    same = item[:-1] == item[1:]
    is_last = np.append(~same, True)
    last = state[is_last]  # final state of each item, in item order
    return {
        "items": log.n_items,
        "rows": log.n_rows,
        "seed": log.seed,
        "as_of": log.as_of.isoformat(),
        "generator": generator_digest(),
        "done_at_as_of": int(np.count_nonzero(last == DONE)),
        "backlog_at_as_of": int(np.count_nonzero(last == BACKLOG)),
        "in_progress_at_as_of": int(np.count_nonzero((last > BACKLOG) & (last < DONE))),
        "rework_transitions": int(np.count_nonzero(same & (state[1:] < state[:-1]))),
        "timestamp_ties_within_items": int(
            np.count_nonzero(same & (ts[1:] == ts[:-1]))
        ),
        "rows_next_to_a_row_of_the_same_item": int(
            np.count_nonzero(log.item[:-1] == log.item[1:])
        ),
    }


def ensure_csv(
    path: Path, n_items: int = 100_000, *, seed: int = 0, as_of: dt.datetime = AS_OF
) -> tuple[Path, dict[str, object]]:
    """Return ``path``, generating it unless a matching file is already there."""
    meta_path = path.with_name(path.name + ".meta.json")
    wanted = {
        "items": n_items,
        "seed": seed,
        "as_of": as_of.isoformat(),
        "generator": generator_digest(),
    }
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if all(meta.get(k) == v for k, v in wanted.items()):
            return path, meta
    log = generate(n_items, seed=seed, as_of=as_of)
    write_csv(log, path)
    meta = summary(log)
    meta_path.write_text(json.dumps(meta, indent=1) + "\n")
    return path, meta


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--as-of",
        type=dt.datetime.fromisoformat,
        default=AS_OF,
        help="timezone-aware ISO 8601 instant (default %(default)s)",
    )
    parser.add_argument("--out", type=Path, default=Path("/tmp/jira-like.csv"))
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    log = generate(args.items, seed=args.seed, as_of=args.as_of)
    t1 = time.perf_counter()
    write_csv(log, args.out)
    t2 = time.perf_counter()
    meta = summary(log)
    args.out.with_name(args.out.name + ".meta.json").write_text(
        json.dumps(meta, indent=1) + "\n"
    )
    print(json.dumps(meta, indent=1))
    print(
        f"generated in {t1 - t0:.2f} s, wrote {args.out} in {t2 - t1:.2f} s "
        f"({args.out.stat().st_size / 1e6:.1f} MB)"
    )


if __name__ == "__main__":
    main()
