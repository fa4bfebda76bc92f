"""Monte Carlo delivery forecasts from daily throughput (Vacanti / Magennis style).

"When will these N items be done?" and "how many items will be done by then?" are
answered by resampling past daily throughput: each trial draws one historical day
at random for every future day and counts deliveries until the work is done (or the
date is reached). Thousands of trials give a distribution of dates or counts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from productops._tabular import Tabular, html_table, inline_bar, rag_badge, section
from productops.errors import InvalidInputError

if TYPE_CHECKING:
    from productops.flow import FlowReport
    from productops.model import Release

__all__ = [
    "HowManyForecast",
    "ReleaseConfidence",
    "WhenForecast",
    "WorkCalendar",
    "how_many",
    "release_confidence",
    "when",
]

DEFAULT_LEVELS = (50, 70, 85, 95)
DEFAULT_WINDOW_DAYS = 84
"""Default history: the last 12 weeks of a FlowReport."""
MIN_HISTORY_DAYS = 5
MAX_HORIZON_DAYS = 20 * 366
"""Trials unfinished after about 20 years: the history cannot finish the work."""
_BLOCK_DAYS = 96  # divisible by every group size (1, 2, 3)
_MAX_GROUP_TABLE = 1 << 16  # small enough to stay in the CPU cache


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days: weekdays minus holidays.

    Attributes
    ----------
    weekdays : frozenset of int
        Working weekdays, Monday = 0 ... Sunday = 6. Default Monday to Friday.
    holidays : frozenset of date
        Days off on top of the weekend.

    Examples
    --------
    >>> cal = WorkCalendar(holidays={date(2024, 12, 25)})
    >>> [d.isoformat() for d in cal.working_days(date(2024, 12, 23), 4)]
    ['2024-12-23', '2024-12-24', '2024-12-26', '2024-12-27']
    """

    weekdays: frozenset[int] = frozenset(range(5))
    holidays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        object.__setattr__(self, "weekdays", frozenset(self.weekdays))
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        if not self.weekdays or not self.weekdays <= set(range(7)):
            got = sorted(self.weekdays)
            msg = f"weekdays: expected a non-empty subset of 0..6, got {got}"
            raise InvalidInputError(msg)

    def is_working(self, day: date) -> bool:
        """Tell whether `day` is a working day."""
        return day.weekday() in self.weekdays and day not in self.holidays

    def working_mask(self, days: NDArray[np.datetime64]) -> NDArray[np.bool_]:
        """Return, for an array of ``datetime64[D]`` days, which are working days."""
        weekday = (
            days.astype("datetime64[D]").astype(np.int64) - 4
        ) % 7  # 1970-01-01: Thu
        mask = np.isin(weekday, sorted(self.weekdays))
        if self.holidays:
            off = np.asarray(sorted(self.holidays), dtype="datetime64[D]")
            mask &= ~np.isin(days.astype("datetime64[D]"), off)
        return mask

    def working_days(self, start: date, count: int) -> list[date]:
        """Return the first `count` working days on or after `start`."""
        days: list[date] = []
        day = start
        while len(days) < count:
            if self.is_working(day):
                days.append(day)
            day += timedelta(days=1)
        return days


def _day_axis(
    start: date, count: int, calendar: WorkCalendar | None
) -> NDArray[np.datetime64]:
    """Dates of forecast days 1..count (working days only with a calendar)."""
    first = np.datetime64(start, "D")
    if calendar is None:
        return first + np.arange(count)
    span = int(count * 7 / len(calendar.weekdays)) + len(calendar.holidays) + 14
    candidates = first + np.arange(span)
    working = candidates[calendar.working_mask(candidates)]
    while working.size < count:  # many holidays: widen the search
        span *= 2
        candidates = first + np.arange(span)
        working = candidates[calendar.working_mask(candidates)]
    return working[:count]


def _history(
    throughput: FlowReport | Sequence[int] | NDArray[Any],
    *,
    window_days: int | None,
    calendar: WorkCalendar | None,
) -> NDArray[np.int64]:
    """Daily delivery counts to resample, validated."""
    from productops.flow import FlowReport

    if isinstance(throughput, FlowReport):
        window = DEFAULT_WINDOW_DAYS if window_days is None else window_days
        counts = np.asarray(throughput.daily_throughput(), dtype=np.int64)
        days = throughput.days
        if window:
            counts, days = counts[-window:], days[-window:]
        if calendar is not None:
            counts = counts[calendar.working_mask(days)]
    else:
        counts = np.asarray(list(throughput), dtype=np.float64)
        if counts.ndim != 1:
            msg = "throughput: expected a flat list of daily counts"
            raise InvalidInputError(msg)
        if counts.size and (
            not np.isfinite(counts).all() or (counts != np.round(counts)).any()
        ):
            msg = "throughput: daily counts must be whole numbers"
            raise InvalidInputError(msg)
        counts = counts.astype(np.int64)
        if window_days:
            counts = counts[-window_days:]
    if (counts < 0).any():
        bad = np.flatnonzero(counts < 0).tolist()[:5]
        msg = f"throughput: negative daily counts at positions {bad}"
        raise InvalidInputError(msg)
    if counts.size < MIN_HISTORY_DAYS:
        msg = (
            f"throughput: {counts.size} days of history is too short to resample; "
            f"give at least {MIN_HISTORY_DAYS} (12 weeks is usual)"
        )
        raise InvalidInputError(msg)
    if not counts.any():
        msg = (
            f"throughput: no item was delivered in the {counts.size} days of history, "
            "so no completion date can be forecast; widen the window"
        )
        raise InvalidInputError(msg)
    return counts


def _start_of(throughput: object, start: date | datetime | None) -> date:
    from productops.flow import FlowReport

    if start is not None:
        return start.date() if isinstance(start, datetime) else start
    if isinstance(throughput, FlowReport):
        return throughput.as_of.date() + timedelta(days=1)
    msg = "start: give the first forecast day when throughput is a list of counts"
    raise InvalidInputError(msg)


def _rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    return (
        seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    )


def _whole(value: object, name: str, *, minimum: int) -> int:
    """Return `value` as an int if it is a whole number >= `minimum`, else raise."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | np.integer)
        or value < minimum
    ):
        msg = f"{name}: expected a whole number >= {minimum}, got {value!r}"
        raise InvalidInputError(msg)
    return int(value)


def _day_groups(values: NDArray[np.int32]) -> tuple[NDArray[np.int32], int]:
    """Return running totals within every combination of `group` days of history.

    Row ``c`` holds, for the days ``c`` encodes (base ``len(values)``, first day
    most significant), the deliveries after its first, second, ... day. Groups of
    up to three days are used while the table stays small enough to be cached
    (random lookups into a large table cost more than the draws they save).
    """
    n = values.size
    group = 3 if n**3 <= _MAX_GROUP_TABLE else 2 if n**2 <= _MAX_GROUP_TABLE else 1
    codes = np.arange(n**group)
    digits = [(codes // n ** (group - 1 - j)) % n for j in range(group)]
    per_day = np.stack([values[d] for d in digits], axis=1)
    return np.cumsum(per_day, axis=1, dtype=np.int32), group


@dataclass(frozen=True)
class WhenForecast(Tabular):
    """Completion dates of Monte Carlo trials for a fixed amount of work.

    Attributes
    ----------
    remaining : int
        Items to finish.
    start : date
        Day 1 of the forecast: its deliveries count.
    days : ndarray of int64
        Per trial, the forecast day (1-based, working days with a calendar) on
        which the last item is done; 0 when nothing remains.
    calendar : WorkCalendar or None
        The working-day calendar, if any.

    Examples
    --------
    >>> f = when(remaining=10, throughput=[1, 2, 0, 3, 1, 2, 1], start=date(2024, 3, 4),
    ...          trials=2000, seed=1)
    >>> f.percentiles()[85] >= f.percentiles()[50]
    True
    >>> round(f.probability_by(f.percentiles()[85]), 2) >= 0.85
    True
    """

    remaining: int
    start: date
    days: NDArray[np.int64]
    calendar: WorkCalendar | None = None

    @property
    def trials(self) -> int:
        """Number of trials."""
        return int(self.days.size)

    def date_of(self, day: int) -> date:
        """Return the date of forecast day `day` (1-based; 0 is the day before)."""
        if day <= 0:
            return self.start - timedelta(days=1)
        return _day_axis(self.start, day, self.calendar)[-1].astype(date)  # type: ignore[no-any-return]

    def percentiles(
        self, levels: Iterable[float] = DEFAULT_LEVELS
    ) -> dict[float, date]:
        """Return, per level P, the earliest date by which P % of trials are done."""
        ordered = np.sort(self.days)
        result = {}
        for level in levels:
            if not 0 < level <= 100:
                msg = f"levels: {level} is outside (0, 100]"
                raise InvalidInputError(msg)
            rank = max(math.ceil(level / 100 * self.trials) - 1, 0)
            result[level] = self.date_of(int(ordered[rank]))
        return result

    def probability_by(self, when: date | datetime) -> float:
        """Return the share of trials done on or before `when`."""
        day = when.date() if isinstance(when, datetime) else when
        if day < self.start:
            return float(np.mean(self.days <= 0))
        axis = _day_axis(self.start, int(self.days.max(initial=0)) or 1, self.calendar)
        done_by = int(np.searchsorted(axis, np.datetime64(day, "D"), side="right"))
        return float(np.mean(self.days <= done_by))

    def to_records(self) -> list[dict[str, Any]]:
        """Return each completion date with its share and cumulative share."""
        values, counts = np.unique(self.days, return_counts=True)
        cumulative = np.cumsum(counts) / self.trials
        return [
            {
                "date": self.date_of(int(day)),
                "share": float(count / self.trials),
                "cumulative": float(total),
            }
            for day, count, total in zip(values, counts, cumulative, strict=True)
        ]

    def __repr__(self) -> str:
        p = self.percentiles()
        dates = ", ".join(f"{int(k)} %: {v.isoformat()}" for k, v in p.items())
        return f"<WhenForecast: {self.remaining} items from {self.start}; {dates}>"

    def _percentile_rows(self) -> list[dict[str, Any]]:
        ordered = np.sort(self.days)
        longest = int(ordered[-1]) if ordered.size else 0
        rows: list[dict[str, Any]] = []
        for level in DEFAULT_LEVELS:
            rank = max(math.ceil(level / 100 * self.trials) - 1, 0)
            day = int(ordered[rank]) if ordered.size else 0
            rows.append(
                {
                    "confidence": f"{level} %",
                    "done by": self.date_of(day),
                    "days": day,
                    "": inline_bar(day, longest),
                }
            )
        return rows

    def _repr_html_(self) -> str:
        return html_table(self._percentile_rows(), caption=repr(self))


@dataclass(frozen=True)
class HowManyForecast(Tabular):
    """Items done by a date, across Monte Carlo trials.

    Attributes
    ----------
    start, until : date
        The forecast period, both days included.
    totals : ndarray of int64
        Items done per trial.

    Examples
    --------
    >>> f = how_many(date(2024, 3, 8), [2, 2, 2, 2, 2], start=date(2024, 3, 4), seed=0)
    >>> f.at_least(0.85)
    10
    """

    start: date
    until: date
    totals: NDArray[np.int64]

    def at_least(self, confidence: float = 0.85) -> int:
        """Return N such that at least N items are done in `confidence` of trials."""
        if not 0 < confidence <= 1:
            msg = f"confidence: {confidence} is outside (0, 1]"
            raise InvalidInputError(msg)
        ordered = np.sort(self.totals)
        rank = math.floor((1 - confidence) * ordered.size + 1e-9)
        return int(ordered[min(rank, ordered.size - 1)])

    def percentiles(self, levels: Iterable[float] = DEFAULT_LEVELS) -> dict[float, int]:
        """Return, per level P %, the count done in at least P % of trials."""
        return {level: self.at_least(level / 100) for level in levels}

    def __repr__(self) -> str:
        return (
            f"<HowManyForecast {self.start}..{self.until}: at least "
            f"{self.at_least(0.85)} items with 85 % confidence>"
        )

    def to_records(self) -> list[dict[str, Any]]:
        """Return each total with its share of trials and the share at least that.

        Examples
        --------
        >>> f = how_many(date(2024, 3, 8), [1, 0, 2, 1, 3], start=date(2024, 3, 4),
        ...              trials=500, seed=2)
        >>> round(sum(row["share"] for row in f.to_records()), 6)
        1.0
        """
        values, counts = np.unique(self.totals, return_counts=True)
        trials = self.totals.size
        at_least = np.cumsum(counts[::-1])[::-1] / trials
        return [
            {"items": int(v), "share": float(c / trials), "at_least": float(a)}
            for v, c, a in zip(values, counts, at_least, strict=True)
        ]

    def _repr_html_(self) -> str:
        most = int(self.totals.max(initial=0))
        rows = [
            {
                "confidence": f"{level} %",
                "at least": count,
                "": inline_bar(count, most),
            }
            for level, count in self.percentiles().items()
        ]
        return html_table(rows, caption=repr(self))


def when(
    remaining: int,
    throughput: FlowReport | Sequence[int] | NDArray[Any],
    *,
    trials: int = 10_000,
    start: date | datetime | None = None,
    seed: int | np.random.Generator | None = None,
    calendar: WorkCalendar | None = None,
    window_days: int | None = None,
) -> WhenForecast:
    """Forecast when `remaining` items will be done, by Monte Carlo.

    Each trial resamples one historical day's deliveries for every forecast day
    (day 1 is `start`, and its deliveries count) until `remaining` items are done.

    Parameters
    ----------
    remaining : int
        Items still to deliver; ``0`` means done already.
    throughput : FlowReport or sequence of int
        History to resample: a FlowReport (its last `window_days`, default 84
        = 12 weeks) or daily delivery counts, oldest first.
    trials : int
        Number of trials.
    start : date, optional
        First forecast day. Default with a FlowReport: the day after its
        `as_of`; required with a list.
    seed : int or numpy.random.Generator, optional
        Same seed, same forecast, on every machine.
    calendar : WorkCalendar, optional
        Count working days only: forecast days skip weekends and holidays, and
        only working days of a FlowReport's history are resampled. A list of
        counts is taken as counts per working day.
    window_days : int, optional
        How much history to use (latest days).

    Returns
    -------
    WhenForecast
        The distribution of completion dates.

    Raises
    ------
    InvalidInputError
        For a history that is too short or has no delivery, negative or
        fractional counts, a negative `remaining`, or no `start` with a list.

    Examples
    --------
    >>> f = when(remaining=6, throughput=[2] * 10, start=date(2024, 1, 1))
    >>> f.percentiles()
    {50: datetime.date(2024, 1, 3), 70: datetime.date(2024, 1, 3), 85: datetime.date(2024, 1, 3), 95: datetime.date(2024, 1, 3)}
    """  # noqa: E501
    remaining = _whole(remaining, "remaining", minimum=0)
    trials = _whole(trials, "trials", minimum=1)
    history = _history(throughput, window_days=window_days, calendar=calendar)
    first_day = _start_of(throughput, start)
    rng = _rng(seed)
    finish = np.zeros(trials, dtype=np.int64)
    if remaining == 0:
        return WhenForecast(remaining, first_day, finish, calendar)
    # Days are drawn in fixed blocks for every trial, so each trial sees the same
    # day-by-day sequence whatever `remaining` is (common random numbers): with one
    # seed, more work never finishes earlier. Blocks small enough to stay in cache
    # are also the fastest. One random index picks `group` consecutive days at once
    # (uniform over all n**group combinations, i.e. independent uniform days).
    if int(history.max()) * _BLOCK_DAYS >= 2**31:
        msg = "throughput: daily counts above 30 million are not supported"
        raise InvalidInputError(msg)
    prefix, group = _day_groups(history.astype(np.int32))
    groups_per_block = _BLOCK_DAYS // group
    group_total = np.ascontiguousarray(prefix[:, -1])
    done = np.zeros(trials, dtype=np.int64)
    pending = np.ones(trials, dtype=bool)
    offset = 0
    while pending.any():
        if offset >= MAX_HORIZON_DAYS:
            msg = (
                f"{int(pending.sum())} of {trials} trials were not done after "
                f"{MAX_HORIZON_DAYS} days; the history delivers too little for "
                f"{remaining} items"
            )
            raise InvalidInputError(msg)
        picks = rng.integers(0, prefix.shape[0], size=(trials, groups_per_block))
        rows = np.flatnonzero(pending)
        if rows.size < trials:
            picks = picks[rows]
        running = np.cumsum(group_total[picks], axis=1, dtype=np.int32)
        need = remaining - done[rows]
        finished = running[:, -1] >= need
        hit_rows = np.flatnonzero(finished)
        first_group = np.argmax(running[hit_rows] >= need[hit_rows, None], axis=1)
        before = np.where(
            first_group > 0, running[hit_rows, np.maximum(first_group - 1, 0)], 0
        )
        within = prefix[picks[hit_rows, first_group]]  # running total inside the group
        day_in_group = np.argmax(
            before[:, None] + within >= need[hit_rows, None], axis=1
        )
        finish[rows[hit_rows]] = offset + first_group * group + day_in_group + 1
        done[rows] += running[:, -1]
        pending[rows[hit_rows]] = False
        offset += groups_per_block * group
    return WhenForecast(remaining, first_day, finish, calendar)


def how_many(
    until: date | datetime,
    throughput: FlowReport | Sequence[int] | NDArray[Any],
    *,
    trials: int = 10_000,
    start: date | datetime | None = None,
    seed: int | np.random.Generator | None = None,
    calendar: WorkCalendar | None = None,
    window_days: int | None = None,
) -> HowManyForecast:
    """Forecast how many items will be done from `start` to `until`, by Monte Carlo.

    Parameters are as for `when`; `until` is included.

    Returns
    -------
    HowManyForecast
        Use ``at_least(0.85)`` for "at least N items with 85 % confidence".

    Examples
    --------
    >>> f = how_many(date(2024, 1, 31), [0, 1, 2, 3, 1, 0, 2], start=date(2024, 1, 1),
    ...              seed=7)
    >>> f.at_least(0.95) <= f.at_least(0.5)
    True
    """
    trials = _whole(trials, "trials", minimum=1)
    history = _history(throughput, window_days=window_days, calendar=calendar)
    first_day = _start_of(throughput, start)
    last_day = until.date() if isinstance(until, datetime) else until
    if last_day < first_day:
        return HowManyForecast(first_day, last_day, np.zeros(trials, dtype=np.int64))
    n_days = (last_day - first_day).days + 1
    if calendar is not None:
        days = np.datetime64(first_day, "D") + np.arange(n_days)
        n_days = int(np.count_nonzero(calendar.working_mask(days)))
    rng = _rng(seed)
    totals = np.zeros(trials, dtype=np.int64)
    step = max(1, 4_000_000 // max(trials, 1))
    for begin in range(0, n_days, step):
        width = min(step, n_days - begin)
        draws = history[rng.integers(0, history.size, size=(trials, width))]
        totals += draws.sum(axis=1)
    return HowManyForecast(first_day, last_day, totals)


@dataclass(frozen=True)
class ReleaseConfidence(Tabular):
    """How likely a release's open scope is done by its target date.

    Attributes
    ----------
    release : str
        The release key.
    target_date : date
        The date it is meant to ship.
    probability : float
        Share of trials in which the open scope is done on or before the
        target date.
    open_items : tuple of str
        Scope items not delivered as of the report (including unknown ones).
    unknown_items : tuple of str
        Scope items the report does not know; counted as open.
    forecast : WhenForecast
        The completion-date forecast of the open items (and of the work ahead).
    ahead_items : tuple of str
        Open items of the releases done first (see `release_confidence`'s
        `ahead`), forecast before this release's own.

    Examples
    --------
    >>> from productops import datasets
    >>> from productops.flow import EventLog, analyze
    >>> ws = datasets.load_demo()
    >>> report = analyze(EventLog.from_work_items(ws.work_items), ws.process,
    ...                  as_of=datasets.DEMO_AS_OF)
    >>> summer = next(r for r in ws.releases if r.status == "frozen")
    >>> c = release_confidence(summer, report, seed=1)
    >>> 0 <= c.probability <= 1 and len(c.open_items) > 0
    True
    """

    release: str
    target_date: date
    probability: float
    open_items: tuple[str, ...]
    unknown_items: tuple[str, ...]
    forecast: WhenForecast
    ahead_items: tuple[str, ...] = ()

    def __repr__(self) -> str:
        after = f" after {len(self.ahead_items)} ahead" if self.ahead_items else ""
        return (
            f"<ReleaseConfidence {self.release}: {self.probability:.0%} chance of "
            f"{len(self.open_items)} open items{after} done by {self.target_date}>"
        )

    def to_records(self) -> list[dict[str, Any]]:
        """Return one row: the release, its target, the probability and the counts.

        Examples
        --------
        >>> from productops import datasets, flow
        >>> ws = datasets.load_demo()
        >>> release = next(r for r in ws.releases if r.key == "2026.3")
        >>> row = release_confidence(release, flow.analyze(ws), seed=1).to_records()[0]
        >>> row["release"], row["open_items"]
        ('2026.3', 13)
        """
        dates = self.forecast.percentiles()
        return [
            {
                "release": self.release,
                "target_date": self.target_date,
                "probability": self.probability,
                "open_items": len(self.open_items),
                "ahead_items": len(self.ahead_items),
                "unknown_items": len(self.unknown_items),
                **{f"p{int(level)}": day for level, day in dates.items()},
            }
        ]

    def _repr_html_(self) -> str:
        chance = self.probability
        colour = "green" if chance >= 0.85 else "amber" if chance >= 0.5 else "red"
        head = {
            "release": self.release,
            "target_date": self.target_date,
            "chance": rag_badge(colour, label=f"{chance:.0%}"),
            "": inline_bar(chance, 1.0),
            "open_items": len(self.open_items),
            "unknown_items": len(self.unknown_items),
        }
        return html_table([head], caption=repr(self)) + section(
            "Completion forecast of the open items",
            html_table(self.forecast._percentile_rows()),
        )


def releases_ahead(release: Release, releases: Iterable[Release]) -> list[Release]:
    """Return the open releases due before `release`: their work comes first.

    Open means not released and not cancelled; "before" means an earlier
    target date. Releases without a target date are never ahead. This is the
    earliest-due-date order most teams follow; pass your own list to
    `release_confidence` when yours differs.

    Examples
    --------
    >>> from productops import datasets
    >>> ws = datasets.load_demo()
    >>> autumn = next(r for r in ws.releases if r.key == "2026.3")
    >>> [r.key for r in releases_ahead(autumn, ws.releases)]
    ['2026.2']
    """
    from productops.model import ReleaseStatus

    if release.target_date is None:
        return []
    done = (ReleaseStatus.RELEASED, ReleaseStatus.CANCELLED)
    return sorted(
        (
            other
            for other in releases
            if other.key != release.key
            and other.status not in done
            and other.target_date is not None
            and other.target_date < release.target_date
        ),
        key=lambda other: (other.target_date, other.key),
    )


def release_confidence(
    release: Release,
    report: FlowReport,
    *,
    ahead: Iterable[Release] = (),
    trials: int = 10_000,
    seed: int | np.random.Generator | None = None,
    calendar: WorkCalendar | None = None,
    window_days: int | None = None,
) -> ReleaseConfidence:
    """Return the probability that `release`'s open scope is done by its target date.

    Open scope: the release's `scope` items not delivered as of ``report.as_of``
    (items the report does not know count as open and are listed). Their
    completion is forecast with `when` from the report's throughput, starting
    the day after ``report.as_of``.

    The team's throughput is shared: work that comes first delays this release.
    Give the releases whose open scope is done first in `ahead` (for the usual
    earliest-due-date order, ``releases_ahead(release, workspace.releases)``);
    their open items not in this release are added to the work to finish
    (`ahead_items`). Without `ahead`, all throughput goes to this release, and
    with other work in flight the probability is an upper bound.

    Parameters
    ----------
    release : Release
        Needs a target date.
    report : FlowReport
        Throughput history and what is delivered as of ``report.as_of``.
    ahead : iterable of Release, optional
        Releases whose open scope is finished first.
    trials, seed, calendar, window_days
        As for `when`.

    Raises
    ------
    InvalidInputError
        If the release has no target date, or the history is unusable.

    Examples
    --------
    >>> from productops import datasets, flow
    >>> ws = datasets.load_demo()
    >>> report = flow.analyze(ws)
    >>> autumn = next(r for r in ws.releases if r.key == "2026.3")
    >>> alone = release_confidence(autumn, report, seed=1)
    >>> shared = release_confidence(autumn, report, seed=1,
    ...                             ahead=releases_ahead(autumn, ws.releases))
    >>> len(alone.open_items), len(shared.ahead_items)
    (13, 60)
    >>> shared.probability <= alone.probability
    True
    """
    from productops.flow._metrics import NONE

    if release.target_date is None:
        msg = f"release {release.key!r} has no target_date"
        raise InvalidInputError(msg)
    index = {key: i for i, key in enumerate(report.items)}

    def still_open(key: str) -> bool:
        return key not in index or report.delivered_at[index[key]] == NONE

    unknown = tuple(key for key in release.scope if key not in index)
    open_items = tuple(key for key in release.scope if still_open(key))
    mine = set(release.scope)
    first: dict[str, None] = {}
    for other in ahead:
        for key in other.scope:
            if key not in mine and still_open(key):
                first.setdefault(key)
    ahead_items = tuple(first)
    forecast = when(
        len(open_items) + len(ahead_items),
        report,
        trials=trials,
        seed=seed,
        calendar=calendar,
        window_days=window_days,
    )
    return ReleaseConfidence(
        release=release.key,
        target_date=release.target_date,
        probability=forecast.probability_by(release.target_date),
        open_items=open_items,
        unknown_items=unknown,
        forecast=forecast,
        ahead_items=ahead_items,
    )
