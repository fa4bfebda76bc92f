"""Flow metrics: `analyze` and the `FlowReport` it returns.

Every definition follows DESIGN.md "Flow metrics — exact meanings"; the docs
page *Flow metrics* repeats them with examples.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise
from typing import Any

import numpy as np
from numpy.typing import NDArray

from productops._tabular import html_table, inline_bar, section
from productops.errors import InvalidInputError
from productops.model import Process, StateCategory, Workspace

from ._eventlog import EventLog, from_ns, to_ns
from ._tables import NS_PER_DAY, SECONDS_PER_DAY, DurationSample, Table, ns_to_days

__all__ = ["Bottleneck", "FlowReport", "LittlesLaw", "analyze"]

NONE = np.iinfo(np.int64).min
"""Marks a missing moment in int64 nanosecond arrays."""


def _day_index(ns: NDArray[np.int64], first_day: int) -> NDArray[np.int64]:
    return np.floor_divide(ns, NS_PER_DAY) - first_day


def _first_per_item(
    mask: NDArray[np.bool_], item: NDArray[np.int64], n_items: int
) -> NDArray[np.int64]:
    """Index of each item's first event where `mask` holds; -1 where none."""
    result = np.full(n_items, -1, dtype=np.int64)
    hits = np.flatnonzero(mask)
    if hits.size:
        owners = item[hits]
        first = np.concatenate(([True], owners[1:] != owners[:-1]))
        result[owners[first]] = hits[first]
    return result


@dataclass(frozen=True)
class LittlesLaw:
    """Little's law over a window: average WIP against throughput x cycle time.

    Attributes
    ----------
    start, end : date
        The window (both days included).
    average_wip : float
        Mean of the daily WIP (end of day).
    throughput_per_day : float
        Items delivered in the window per day.
    average_cycle_time_days : float
        Mean cycle time of the items delivered in the window.
    predicted_wip : float
        ``throughput_per_day * average_cycle_time_days``.
    deviation : float
        ``(average_wip - predicted_wip) / predicted_wip``; near 0 when the
        process was stable in the window, NaN when nothing was delivered.

    Examples
    --------
    >>> from productops import datasets
    >>> from productops.flow import EventLog, analyze
    >>> ws = datasets.load_demo()
    >>> check = analyze(EventLog.from_work_items(ws.work_items), process=ws.process,
    ...                 as_of=datasets.DEMO_AS_OF).littles_law()
    >>> check.predicted_wip > 0
    True
    """

    start: date
    end: date
    average_wip: float
    throughput_per_day: float
    average_cycle_time_days: float
    predicted_wip: float
    deviation: float


@dataclass(frozen=True)
class Bottleneck:
    """A state that holds work back, with the evidence for naming it.

    Attributes
    ----------
    state : str
        The state.
    category : StateCategory
        Its category (``queue`` states are waiting time).
    share : float
        Its share of all in-cycle item-time, in ``[0, 1]``: the ranking key.
    mean_wip : float
        Average number of items in the state at the end of each day.
    median_days, p85_days : float
        Median and 85th percentile of the time items spent in the state
        (in-cycle, per item that spent time there).
    arrivals_per_week, departures_per_week : float
        Entries into and exits from the state per week over the last
        `recent_weeks`; arrivals above departures mean a growing queue.
    wip_start, wip_end : int
        Items in the state at the start and at the end of that recent window.
    rework_share : float
        Share of entries into the state that come back from a later state.
    repeat_share : float
        Share of entries that are an item's second or later visit.
    median_age_days : float
        Median time the items in the state at `as_of` have been there (NaN if
        empty).
    items_now : int
        Items in the state at `as_of`.
    reason : str
        The evidence in one sentence.

    Examples
    --------
    >>> from productops import datasets
    >>> from productops.flow import EventLog, analyze
    >>> ws = datasets.load_demo()
    >>> report = analyze(EventLog.from_work_items(ws.work_items), ws.process,
    ...                  as_of=datasets.DEMO_AS_OF)
    >>> top = report.bottlenecks()[0]
    >>> top.state, top.category.value, top.growing
    ('Ready for QA', 'queue', True)
    """

    state: str
    category: StateCategory
    share: float
    mean_wip: float
    median_days: float
    p85_days: float
    arrivals_per_week: float
    departures_per_week: float
    wip_start: int
    wip_end: int
    rework_share: float
    repeat_share: float
    median_age_days: float
    items_now: int
    recent_weeks: int
    reason: str

    @property
    def growing(self) -> bool:
        """Whether its queue grew over the recent window."""
        return (
            self.wip_end > self.wip_start
            and self.arrivals_per_week > self.departures_per_week
        )


class FlowReport:
    """Flow metrics of an event log at a moment (`as_of`), per DESIGN.md.

    Built by `analyze`. Per-item facts are arrays aligned with `items`; the
    table-like results are `Table` objects with ``to_records()`` and
    ``to_pandas()``. Expensive parts are computed on first access.

    Attributes
    ----------
    log : EventLog
        The (filtered) log analysed.
    process : Process
        The process used for categories and order.
    process_guessed : bool
        Whether `process` was discovered from the log rather than given.
    as_of : datetime
        The analysis time; later events are ignored.
    start : datetime
        Start of the analysis window (first day of the time series).
    items : tuple of str
        Item keys.
    committed_at, delivered_at : ndarray of int64
        Per item, ns since the epoch; `NONE` (int64 min) where it never
        happened.

    Examples
    --------
    >>> from productops import datasets
    >>> from productops.flow import EventLog, analyze
    >>> ws = datasets.load_demo()
    >>> report = analyze(EventLog.from_work_items(ws.work_items), ws.process,
    ...                  as_of=datasets.DEMO_AS_OF)
    >>> report
    <FlowReport as of 2026-06-01: 410 items, 289 delivered>
    >>> round(report.cycle_time.percentiles()[85], 1)
    22.9
    """

    def __init__(
        self,
        log: EventLog,
        process: Process,
        *,
        as_of: datetime,
        start: datetime,
        process_guessed: bool,
        window: tuple[datetime, datetime] | None,
    ) -> None:
        self.log = log
        self.process = process
        self.process_guessed = process_guessed
        self.as_of = as_of
        self.start = start
        self.window = window
        self.items = log.items
        self._as_of = to_ns(as_of)
        self._start = to_ns(start)
        self._compute_core()

    # -- core arrays ------------------------------------------------------------

    def _compute_core(self) -> None:
        log, process = self.log, self.process
        n_items = len(log.items)
        categories = [process.category_of(name) for name in log.states]
        self.state_category = tuple(categories)
        orders = np.asarray(
            [process.state(name).order or 0 for name in log.states], dtype=np.int64
        )
        self._order = orders
        commit_order = process.state(process.commitment_state).order or 0
        is_done_state = np.asarray(
            [c is StateCategory.DONE for c in categories], dtype=bool
        )
        item, state, time = log.item, log.state, log.time
        starts = log.item_starts
        n = time.size
        last = starts[1:] - 1 if n_items else np.zeros(0, np.int64)

        # Each visit lasts until the item's next event, or until as_of.
        next_time = np.empty(n, dtype=np.int64)
        if n:
            next_time[:-1] = time[1:]
            next_time[last] = self._as_of
        duration = next_time - time

        ev_order = orders[state]
        ev_done = is_done_state[state]
        first_commit = _first_per_item(ev_order >= commit_order, item, n_items)
        committed = np.where(
            first_commit >= 0, time[np.maximum(first_commit, 0)] if n else 0, NONE
        )

        # Delivered: the item ends in done; delivery is the start of that final run.
        delivered = np.full(n_items, NONE, dtype=np.int64)
        run_start = np.full(n_items, -1, dtype=np.int64)
        if n:
            not_done_index = np.where(~ev_done, np.arange(n), -1)
            not_done_index[starts[:-1]] = np.maximum(
                not_done_index[starts[:-1]], starts[:-1] - 1
            )
            last_not_done = np.maximum.accumulate(not_done_index)
            ends_done = ev_done[last]
            run_start = np.where(ends_done, last_not_done[last] + 1, -1)
            delivered = np.where(ends_done, time[np.maximum(run_start, 0)], NONE)
            # The visit that is never left (a delivered item's last event) counts 0.
            duration[last[ends_done]] = 0

        self.committed_at = committed
        self.delivered_at = delivered
        self._duration = duration
        self._run_start = run_start
        self._is_done_state = is_done_state
        self._ev_order = ev_order

        # In-cycle part of every visit: clipped to [committed, delivered or as_of].
        # Visits to backlog states after commitment (work sent back) are out of
        # the system: they count neither as cycle time of a state nor as WIP.
        never = np.iinfo(np.int64).max
        is_committed = committed != NONE
        cycle_end = np.where(delivered != NONE, delivered, self._as_of)
        lo = np.maximum(time, np.where(is_committed, committed, never)[item])
        hi = np.minimum(time + duration, cycle_end[item])
        is_backlog = np.asarray(
            [c is StateCategory.BACKLOG for c in categories], dtype=bool
        )
        self._in_cycle = np.where(~is_backlog[state] & (hi > lo), hi - lo, 0)
        # The same intervals, open-ended where the item never left, give WIP.
        visit_end = time + duration
        visit_end[last] = never
        wip_end = np.minimum(
            visit_end, np.where(delivered != NONE, delivered, never)[item]
        )
        in_wip = ~is_backlog[state] & (wip_end > lo)
        self._wip_from = np.sort(lo[in_wip])
        self._wip_to = np.sort(wip_end[in_wip])

    # -- per-item durations -----------------------------------------------------

    def _delivered_mask(self) -> NDArray[np.bool_]:
        mask = self.delivered_at != NONE
        if self.window is not None:
            lo, hi = (to_ns(moment) for moment in self.window)
            mask &= (self.delivered_at >= lo) & (self.delivered_at <= hi)
        return np.asarray(mask, dtype=bool)

    @functools.cached_property
    def cycle_time(self) -> DurationSample:
        """Cycle time (delivered_at - committed_at) of each delivered item."""
        mask = self._delivered_mask() & (self.committed_at != NONE)
        keys = np.asarray(self.items, dtype=object)[mask]
        return DurationSample(
            keys, ns_to_days(self.delivered_at[mask] - self.committed_at[mask])
        )

    @functools.cached_property
    def lead_time(self) -> DurationSample:
        """Lead time (delivered_at - created) of each delivered item."""
        mask = self._delivered_mask()
        keys = np.asarray(self.items, dtype=object)[mask]
        return DurationSample(
            keys, ns_to_days(self.delivered_at[mask] - self.log.created[mask])
        )

    # -- time in state ------------------------------------------------------------

    def _per_item_state(self, weights: NDArray[np.int64]) -> NDArray[np.float64]:
        n_items, n_states = len(self.items), len(self.log.states)
        flat = self.log.item * n_states + self.log.state
        total = np.bincount(
            flat, weights=weights.astype(np.float64), minlength=n_items * n_states
        )
        return total.reshape(n_items, n_states) / 1e9

    @functools.cached_property
    def time_in_state_seconds(self) -> NDArray[np.float64]:
        """Seconds each item spent in each state: shape ``(items, states)``.

        All visits count; a visit not yet left runs to `as_of`, and the final
        visit of a delivered item (which is never left) counts 0.
        """
        return self._per_item_state(self._duration)

    @functools.cached_property
    def in_cycle_seconds(self) -> NDArray[np.float64]:
        """Seconds each item spent in each state between commitment and delivery.

        Undelivered items count up to `as_of`; uncommitted items count 0.
        """
        return self._per_item_state(self._in_cycle)

    def time_in_state(self, *, in_cycle: bool = False) -> Table:
        """Return time in state aggregated per state, in days.

        Columns: ``state``, ``category``, ``items`` (that spent time there),
        ``mean_days``, ``median_days``, ``p85_days``, ``p95_days`` (over those
        items), ``total_days`` and ``share`` of all the time counted.

        Parameters
        ----------
        in_cycle : bool
            Count only time between commitment and delivery.
        """
        matrix = self.in_cycle_seconds if in_cycle else self.time_in_state_seconds
        totals = matrix.sum(axis=0)
        grand = totals.sum()
        rows: dict[str, list[Any]] = {
            key: []
            for key in (
                "state",
                "category",
                "items",
                "mean_days",
                "median_days",
                "p85_days",
                "p95_days",
                "total_days",
                "share",
            )
        }
        for index, name in enumerate(self.log.states):
            column = matrix[:, index]
            spent = column[column > 0] / SECONDS_PER_DAY
            rows["state"].append(name)
            rows["category"].append(self.state_category[index].value)
            rows["items"].append(int(spent.size))
            if spent.size:
                p50, p85, p95 = np.percentile(spent, [50, 85, 95])
                rows["mean_days"].append(float(spent.mean()))
            else:
                p50 = p85 = p95 = float("nan")
                rows["mean_days"].append(float("nan"))
            rows["median_days"].append(float(p50))
            rows["p85_days"].append(float(p85))
            rows["p95_days"].append(float(p95))
            rows["total_days"].append(float(totals[index] / SECONDS_PER_DAY))
            rows["share"].append(
                float(totals[index] / grand) if grand else float("nan")
            )
        return Table(rows)

    def _category_seconds(self, category: StateCategory) -> NDArray[np.float64]:
        columns = [i for i, c in enumerate(self.state_category) if c is category]
        return np.asarray(
            self.in_cycle_seconds[:, columns].sum(axis=1), dtype=np.float64
        )

    def flow_efficiency(self) -> float:
        """Active time / (active + queue time) within the cycle of delivered items.

        Backlog and done time inside the cycle (work sent back to the backlog,
        reopened items) count as neither. NaN when nothing was delivered.
        """
        mask = self._delivered_mask()
        active = self._category_seconds(StateCategory.ACTIVE)[mask].sum()
        queue = self._category_seconds(StateCategory.QUEUE)[mask].sum()
        return float(active / (active + queue)) if active + queue else float("nan")

    def flow_efficiency_per_item(self) -> Table:
        """Flow efficiency of each committed item (NaN where no time was counted)."""
        committed = self.committed_at != NONE
        active = self._category_seconds(StateCategory.ACTIVE)[committed]
        queue = self._category_seconds(StateCategory.QUEUE)[committed]
        with np.errstate(invalid="ignore", divide="ignore"):
            efficiency = active / (active + queue)
        return Table(
            {
                "item": np.asarray(self.items, dtype=object)[committed],
                "active_days": active / SECONDS_PER_DAY,
                "queue_days": queue / SECONDS_PER_DAY,
                "efficiency": efficiency,
            }
        )

    # -- time series ----------------------------------------------------------------

    @functools.cached_property
    def days(self) -> NDArray[np.datetime64]:
        """The days of the time series, from `start` to `as_of` (UTC)."""
        first, last = self._start // NS_PER_DAY, self._as_of // NS_PER_DAY
        return np.arange(first, last + 1).astype("datetime64[D]")

    def _day_counts(self, moments: NDArray[np.int64]) -> NDArray[np.int64]:
        first = self._start // NS_PER_DAY
        index = _day_index(
            moments[
                (moments != NONE) & (moments >= self._start) & (moments <= self._as_of)
            ],
            first,
        )
        return np.bincount(index, minlength=self.days.size)[: self.days.size].astype(
            np.int64
        )

    def throughput(self, *, freq: str = "D") -> Table:
        """Items delivered per day (``freq="D"``) or per ISO week (``"W"``).

        Weeks start on Monday and are labelled by that Monday; the first and
        last week may be partial.
        """
        daily = self._day_counts(self.delivered_at)
        return self._resample(daily, freq=freq, name="delivered")

    def daily_throughput(self, *, last_days: int | None = None) -> list[int]:
        """Items delivered on each day, oldest first: input for `forecast`.

        Parameters
        ----------
        last_days : int, optional
            Keep only the most recent days (e.g. ``84`` for 12 weeks).
        """
        daily = [int(count) for count in self._day_counts(self.delivered_at)]
        return daily[-last_days:] if last_days else daily

    def _resample(self, daily: NDArray[np.int64], *, freq: str, name: str) -> Table:
        if freq == "D":
            return Table({"date": self.days, name: daily})
        if freq != "W":
            msg = f"freq must be 'D' or 'W', not {freq!r}"
            raise InvalidInputError(msg)
        weekday = (self.days.astype(np.int64) - 4) % 7  # 1970-01-01 was a Thursday
        monday = self.days - weekday.astype("timedelta64[D]")
        weeks, index = np.unique(monday, return_inverse=True)
        return Table(
            {"week": weeks, name: np.bincount(index, weights=daily).astype(np.int64)}
        )

    def _wip_at(self, moments: NDArray[np.int64]) -> NDArray[np.int64]:
        started = np.searchsorted(self._wip_from, moments, side="right")
        finished = np.searchsorted(self._wip_to, moments, side="right")
        return (started - finished).astype(np.int64)

    def _day_ends(self) -> NDArray[np.int64]:
        ends = (self.days.astype(np.int64) + 1) * NS_PER_DAY - 1
        return np.minimum(ends, self._as_of)

    def wip(self) -> Table:
        """Work in progress at the end of each day (the last day: at `as_of`).

        WIP at instant t counts items with committed_at <= t < delivered_at,
        except those sent back to a backlog state at t (they re-enter WIP when
        they leave the backlog again).
        """
        return Table({"date": self.days, "wip": self._wip_at(self._day_ends())})

    def aging_wip(self) -> Table:
        """Items in progress at `as_of` with their age, current state and time there.

        Items sent back to a backlog state are not in progress. Columns:
        ``item``, ``state``, ``age_days`` (since commitment), ``in_state_days``
        (since entering the current state), oldest first.
        """
        last_events = self.log.item_starts[1:] - 1
        in_backlog = (
            np.asarray(
                [c is StateCategory.BACKLOG for c in self.state_category], dtype=bool
            )[self.log.state[last_events]]
            if len(self.items)
            else np.zeros(0, dtype=bool)
        )
        in_progress = (
            (self.committed_at != NONE) & (self.delivered_at == NONE) & ~in_backlog
        )
        index = np.flatnonzero(in_progress)
        last = last_events[index]
        age = ns_to_days(self._as_of - self.committed_at[index])
        order = np.argsort(-age, kind="stable")
        states = np.asarray(self.log.states, dtype=object)
        return Table(
            {
                "item": np.asarray(self.items, dtype=object)[index][order],
                "state": states[self.log.state[last]][order],
                "age_days": age[order],
                "in_state_days": ns_to_days(self._as_of - self.log.time[last])[order],
            }
        )

    def cfd(self) -> Table:
        """Cumulative flow: per day, items that entered each state or a later one.

        Columns ``date`` and one per state in process order. Counted at the end
        of each day; a line never decreases, and a later state's line never
        exceeds an earlier one's.
        """
        log = self.log
        levels = np.unique(self._order)
        level_of_state = np.searchsorted(levels, self._order)
        ev_level = level_of_state[log.state]
        n = ev_level.size
        columns: dict[str, Any] = {"date": self.days}
        if n == 0:
            for name in self._ordered_states():
                columns[name] = np.zeros(self.days.size, dtype=np.int64)
            return Table(columns)
        # Highest level reached so far, per item (segmented running maximum).
        stride = int(levels.size) + 1
        running = (
            np.maximum.accumulate(log.item * stride + ev_level) - log.item * stride
        )
        previous = np.empty(n, dtype=np.int64)
        previous[1:] = running[:-1]
        previous[log.item_starts[:-1]] = -1
        first_day = self._start // NS_PER_DAY
        reached: dict[int, NDArray[np.int64]] = {}
        for level in range(levels.size):
            moments = log.time[(previous < level) & (running >= level)]
            before = int(np.count_nonzero(moments < self._start))
            daily = self._day_counts(moments)
            reached[level] = np.cumsum(daily) + before
        for name in self._ordered_states():
            columns[name] = reached[int(level_of_state[log.states.index(name)])]
        del first_day
        return Table(columns)

    def _ordered_states(self) -> list[str]:
        order = np.argsort(self._order, kind="stable")
        return [self.log.states[int(i)] for i in order]

    def net_flow(self, *, freq: str = "W") -> Table:
        """Arrivals (commitments) minus departures (deliveries) per period."""
        arrivals = self._resample(
            self._day_counts(self.committed_at), freq=freq, name="arrivals"
        )
        departures = self._resample(
            self._day_counts(self.delivered_at), freq=freq, name="departures"
        )
        key = "date" if freq == "D" else "week"
        return Table(
            {
                key: arrivals[key],
                "arrivals": arrivals["arrivals"],
                "departures": departures["departures"],
                "net": arrivals["arrivals"] - departures["departures"],
            }
        )

    # -- transitions -----------------------------------------------------------------

    @functools.cached_property
    def _moves(self) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
        log = self.log
        if log.time.size < 2:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        same = log.item[1:] == log.item[:-1]
        index = np.flatnonzero(same)
        return log.state[index], log.state[index + 1], index

    def rework(self) -> Table:
        """Count moves back to a state earlier in the process order, per edge.

        Columns ``source``, ``target``, ``count``, ``items`` (distinct items),
        most frequent first; ties in the log's state order.
        """
        source, target, index = self._moves
        back = self._order[target] < self._order[source]
        n_states = len(self.log.states)
        code = source[back] * n_states + target[back]
        items = self.log.item[index[back]]
        names = np.asarray(self.log.states, dtype=object)
        edges, counts = np.unique(code, return_counts=True)
        pairs = np.unique(items * (n_states * n_states) + code)
        distinct = np.bincount(
            np.searchsorted(edges, pairs % (n_states * n_states)), minlength=edges.size
        ).astype(np.int64)
        order = np.lexsort((edges, -counts))
        return Table(
            {
                "source": names[edges // n_states][order]
                if edges.size
                else np.zeros(0, object),
                "target": names[edges % n_states][order]
                if edges.size
                else np.zeros(0, object),
                "count": counts[order],
                "items": distinct[order],
            }
        )

    def rework_rate(self) -> float:
        """Share of items with at least one move that made at least one rework move."""
        source, target, index = self._moves
        n_items = len(self.items)
        moved = np.count_nonzero(np.bincount(self.log.item[index], minlength=n_items))
        if not moved:
            return float("nan")
        back = self._order[target] < self._order[source]
        reworked = np.bincount(self.log.item[index[back]], minlength=n_items)
        return np.count_nonzero(reworked) / moved

    def variants(self, *, top: int | None = None) -> Table:
        """Distinct state sequences with how many items followed each.

        Columns ``variant`` (states joined with ``" > "``), ``items`` and
        ``share``, most common first (ties by variant text).
        """
        codes = self.log.state.astype(np.uint16).tobytes()
        starts = self.log.item_starts * 2
        counter = Counter(codes[a:b] for a, b in pairwise(starts))
        names = self.log.states
        ranked = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
        if top is not None:
            ranked = ranked[:top]
        labels = [
            " > ".join(names[c] for c in np.frombuffer(key, dtype=np.uint16))
            for key, _ in ranked
        ]
        counts = np.asarray([count for _, count in ranked], dtype=np.int64)
        total = max(len(self.items), 1)
        return Table(
            {
                "variant": np.asarray(labels, dtype=object),
                "items": counts,
                "share": counts / total,
            }
        )

    # -- checks and bottlenecks -------------------------------------------------

    def littles_law(
        self, *, start: datetime | None = None, end: datetime | None = None
    ) -> LittlesLaw:
        """Compare average WIP with throughput x average cycle time over a window.

        The window defaults to the whole analysis window. Items count towards
        throughput and cycle time when delivered inside it.
        """
        lo = to_ns(start) if start is not None else self._start
        hi = to_ns(end) if end is not None else self._as_of
        day_ends = self._day_ends()
        in_window = (day_ends >= lo) & (day_ends <= hi + NS_PER_DAY)
        wip = self._wip_at(day_ends[in_window])
        delivered = (
            (self.delivered_at != NONE)
            & (self.delivered_at >= lo)
            & (self.delivered_at <= hi)
        )
        cycle = delivered & (self.committed_at != NONE)
        span_days = max((hi - lo) / NS_PER_DAY, 1e-9)
        rate = float(np.count_nonzero(delivered)) / span_days
        mean_cycle = (
            float(
                ns_to_days(self.delivered_at[cycle] - self.committed_at[cycle]).mean()
            )
            if cycle.any()
            else float("nan")
        )
        average_wip = float(wip.mean()) if wip.size else float("nan")
        predicted = rate * mean_cycle
        deviation = (average_wip - predicted) / predicted if predicted else float("nan")
        return LittlesLaw(
            start=from_ns(lo).date(),
            end=from_ns(hi).date(),
            average_wip=average_wip,
            throughput_per_day=rate,
            average_cycle_time_days=mean_cycle,
            predicted_wip=predicted,
            deviation=deviation,
        )

    def state_wip(self) -> Table:
        """Return the items in each state at the end of each day.

        Columns ``date`` and one per state.
        """
        log = self.log
        leave = log.time + self._duration
        never_left = np.zeros(log.time.size, dtype=bool)
        if log.time.size:
            last = log.item_starts[1:] - 1
            never_left[last] = True
        leave = np.where(never_left, np.iinfo(np.int64).max, leave)
        moments = self._day_ends()
        columns: dict[str, Any] = {"date": self.days}
        for index, name in enumerate(log.states):
            mask = log.state == index
            entered = np.sort(log.time[mask])
            left = np.sort(leave[mask])
            columns[name] = (
                np.searchsorted(entered, moments, side="right")
                - np.searchsorted(left, moments, side="right")
            ).astype(np.int64)
        return Table(columns)

    def bottlenecks(self, *, recent_weeks: int = 6) -> list[Bottleneck]:
        """Rank the in-cycle states by how much they hold work back.

        States between the commitment point and delivery (not backlog, not
        done) are ranked by their share of all in-cycle item-time; each comes
        with the evidence DESIGN.md asks for. The first is the bottleneck.

        Parameters
        ----------
        recent_weeks : int
            Length of the window for arrival and departure rates and the
            queue trend, ending at `as_of`.
        """
        log = self.log
        matrix = self.in_cycle_seconds
        totals = matrix.sum(axis=0)
        grand = float(totals.sum())
        commit_order = self.process.state(self.process.commitment_state).order or 0
        candidates = [
            i
            for i, category in enumerate(self.state_category)
            if category in (StateCategory.QUEUE, StateCategory.ACTIVE)
            and self._order[i] >= commit_order
        ]
        state_wip = self.state_wip()
        recent_lo = self._as_of - recent_weeks * 7 * NS_PER_DAY
        source, target, index = self._moves
        entry_time = log.time[index + 1]
        back = self._order[target] < self._order[source]
        n_states = len(log.states)
        recent = entry_time > recent_lo
        arrivals = np.bincount(target[recent], minlength=n_states)
        departures = np.bincount(source[recent], minlength=n_states)
        entries = np.bincount(target, minlength=n_states)
        rework_entries = np.bincount(target[back], minlength=n_states)
        # Repeat visits: visits to a state beyond the first of each item.
        visits = np.bincount(log.state, minlength=n_states)
        visited = np.zeros((len(self.items), n_states), dtype=bool)
        visited[log.item, log.state] = True
        first_visits = visited.sum(axis=0)
        last_events = (
            log.item_starts[1:] - 1 if len(self.items) else np.zeros(0, np.int64)
        )
        current_state = log.state[last_events]
        open_items = (self.committed_at != NONE) & (self.delivered_at == NONE)

        results = []
        for i in candidates:
            name = log.states[i]
            column = matrix[:, i]
            spent = column[column > 0] / SECONDS_PER_DAY
            rework_share = float(rework_entries[i] / entries[i]) if entries[i] else 0.0
            repeat_share = (
                float((visits[i] - first_visits[i]) / visits[i]) if visits[i] else 0.0
            )
            here = open_items & (current_state == i)
            ages = ns_to_days(self._as_of - log.time[last_events[here]])
            wip_series = state_wip[name]
            recent_days = max(int(recent_weeks * 7), 1)
            share = float(totals[i] / grand) if grand else 0.0
            bottleneck = Bottleneck(
                state=name,
                category=self.state_category[i],
                share=share,
                mean_wip=float(wip_series.mean()) if wip_series.size else 0.0,
                median_days=float(np.median(spent)) if spent.size else float("nan"),
                p85_days=float(np.percentile(spent, 85))
                if spent.size
                else float("nan"),
                arrivals_per_week=float(arrivals[i]) / recent_weeks,
                departures_per_week=float(departures[i]) / recent_weeks,
                wip_start=int(wip_series[-recent_days - 1])
                if wip_series.size > recent_days
                else int(wip_series[0])
                if wip_series.size
                else 0,
                wip_end=int(wip_series[-1]) if wip_series.size else 0,
                rework_share=rework_share,
                repeat_share=repeat_share,
                median_age_days=float(np.median(ages)) if ages.size else float("nan"),
                items_now=int(np.count_nonzero(here)),
                recent_weeks=recent_weeks,
                reason="",
            )
            results.append(bottleneck)
        results.sort(key=lambda b: (-b.share, b.state))
        return [_with_reason(b) for b in results]

    def summary(self) -> dict[str, Any]:
        """Return the headline numbers as plain values (for reports and the CLI)."""
        cycle = self.cycle_time.percentiles()
        top = self.bottlenecks()
        weekly = self.throughput(freq="W")["delivered"]
        return {
            "as_of": self.as_of,
            "items": len(self.items),
            "delivered": int(np.count_nonzero(self._delivered_mask())),
            "in_progress": len(self.aging_wip()),
            "cycle_time_days": cycle,
            "lead_time_days": self.lead_time.percentiles(),
            "throughput_per_week": float(weekly[-12:].mean())
            if weekly.size
            else float("nan"),
            "flow_efficiency": self.flow_efficiency(),
            "rework_rate": self.rework_rate(),
            "bottleneck": top[0] if top else None,
        }

    def __repr__(self) -> str:
        delivered = int(np.count_nonzero(self.delivered_at != NONE))
        return (
            f"<FlowReport as of {self.as_of:%Y-%m-%d}: {len(self.items)} items, "
            f"{delivered} delivered>"
        )

    def _repr_html_(self) -> str:
        summary = self.summary()
        cycle, lead = summary["cycle_time_days"], summary["lead_time_days"]
        rows: list[dict[str, Any]] = [
            {"metric": "items", "value": summary["items"]},
            {"metric": "delivered", "value": summary["delivered"]},
            {"metric": "in progress", "value": summary["in_progress"]},
            *(
                {"metric": f"cycle time p{level} (days)", "value": days}
                for level, days in cycle.items()
            ),
            *(
                {"metric": f"lead time p{level} (days)", "value": days}
                for level, days in lead.items()
            ),
            {"metric": "throughput per week", "value": summary["throughput_per_week"]},
            {
                "metric": "flow efficiency",
                "value": f"{summary['flow_efficiency']:.1%}",
                "": inline_bar(summary["flow_efficiency"], 1.0),
            },
            {
                "metric": "rework rate",
                "value": f"{summary['rework_rate']:.1%}",
                "": inline_bar(summary["rework_rate"], 1.0, colour="#D55E00"),
            },
        ]
        body = html_table(rows, columns=["metric", "value", ""], caption=repr(self))
        top: Bottleneck | None = summary["bottleneck"]
        if top is not None:
            body += section(
                "Bottleneck",
                html_table(
                    [
                        {
                            "state": top.state,
                            "category": top.category.value,
                            "share": f"{top.share:.0%}",
                            "": inline_bar(top.share, 1.0, colour="#E69F00"),
                            "reason": top.reason,
                        }
                    ]
                ),
            )
        return body


def _with_reason(b: Bottleneck) -> Bottleneck:
    rates = (
        f"{b.arrivals_per_week:.1f} in vs {b.departures_per_week:.1f} out per week "
        f"over the last {b.recent_weeks} weeks"
    )
    if b.growing:
        rates = f"its queue grew from {b.wip_start} to {b.wip_end} items ({rates})"
    reason = (
        f"{b.state!r} ({b.category.value}) holds {b.share:.0%} of in-cycle item-time; "
        f"{b.mean_wip:.1f} items there on average, median {b.median_days:.1f} d, "
        f"p85 {b.p85_days:.1f} d; {rates}; {b.items_now} there now"
    )
    return Bottleneck(**{**b.__dict__, "reason": reason})


def analyze(
    log: EventLog | Workspace,
    process: Process | None = None,
    *,
    as_of: datetime | None = None,
    window: tuple[datetime, datetime] | None = None,
    team: str | Sequence[str] | None = None,
    type: str | Sequence[str] | None = None,
) -> FlowReport:
    """Compute flow metrics of `log` as of a moment.

    Parameters
    ----------
    log : EventLog or Workspace
        The status histories; a workspace's work items are read with
        `EventLog.from_work_items`, and its process is the default `process`.
    process : Process, optional
        Categories, order, commitment and delivery points. Without it, a
        process is discovered from the log (`Process.discover`) and the report
        says so (`process_guessed`).
    as_of : datetime, optional
        Analysis time; events after it are ignored. Default: the last event.
    window : (datetime, datetime), optional
        Restrict per-item durations and throughput to items delivered in the
        window, and the time series to its days. `as_of` defaults to its end.
    team, type : str or sequence of str, optional
        Keep only the items with these attribute values.

    Returns
    -------
    FlowReport
        The metrics.

    Raises
    ------
    InvalidInputError
        If the log is empty after filtering, or a state is unknown to `process`.

    Examples
    --------
    >>> from productops import datasets
    >>> from productops.flow import EventLog
    >>> ws = datasets.load_demo()
    >>> report = analyze(EventLog.from_work_items(ws.work_items), ws.process,
    ...                  as_of=datasets.DEMO_AS_OF)
    >>> report.bottlenecks()[0].state
    'Ready for QA'
    >>> sorted(report.cycle_time.percentiles())
    [50, 70, 85, 95]
    """
    if isinstance(log, Workspace):
        process = process or log.process
        log = EventLog.from_work_items(log.work_items, process=process)
    filters = {k: v for k, v in (("team", team), ("type", type)) if v is not None}
    if filters:
        log = log.where(**filters)
    if window is not None:
        if window[0] >= window[1]:
            msg = f"window: start {window[0]} is not before end {window[1]}"
            raise InvalidInputError(msg)
        if as_of is None:
            as_of = window[1]
    if not len(log):
        msg = "the event log is empty" + (
            f" after filtering by {filters}" if filters else ""
        )
        raise InvalidInputError(msg)
    guessed = process is None
    if process is None:
        from ._graphs import discover

        process = discover(log)
    unknown = [name for name in log.states if name not in process.state_names]
    if unknown:
        msg = (
            f"states {unknown} are not in process {process.name!r}; load the log with "
            "process= to drop and report those events, or extend the process"
        )
        raise InvalidInputError(msg)
    as_of_ns = to_ns(as_of) if as_of is not None else int(log.time.max())
    log = _until(log, as_of_ns)
    if not len(log):
        msg = f"no events at or before as_of={from_ns(as_of_ns).isoformat()}"
        raise InvalidInputError(msg)
    start_ns = to_ns(window[0]) if window is not None else int(log.time.min())
    return FlowReport(
        log,
        process,
        as_of=from_ns(as_of_ns),
        start=from_ns(start_ns),
        process_guessed=guessed,
        window=window,
    )


def _until(log: EventLog, as_of_ns: int) -> EventLog:
    """Drop events after `as_of` (and items created after it)."""
    if int(log.time.max()) <= as_of_ns:
        return log
    keep_events = log.time <= as_of_ns
    items_with_events = np.bincount(log.item[keep_events], minlength=len(log.items)) > 0
    trimmed = EventLog(
        items=log.items,
        states=log.states,
        item=log.item[keep_events],
        state=log.state[keep_events],
        time=log.time[keep_events],
        item_starts=np.searchsorted(
            log.item[keep_events], np.arange(len(log.items) + 1)
        ).astype(np.int64),
        created=log.created,
        attributes=log.attributes,
        problems=log.problems,
    )
    return trimmed.select(items_with_events)
