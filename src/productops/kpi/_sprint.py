"""Sprint metrics: commitment, velocity, say/do, scope change, carry-over, burn-up."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import pairwise
from typing import Any, Literal

from .._tabular import Tabular
from ..errors import InvalidInputError
from ..model.delivery import Sprint
from ..model.process import Process, StateCategory
from ..model.work import WorkItem

__all__ = [
    "DEFAULT_BAND",
    "BurnUp",
    "BurnUpDay",
    "SprintHistory",
    "SprintReport",
    "burn_up",
    "sprint_history",
    "sprint_report",
]

DEFAULT_BAND = (0.8, 1.2)
"""Say/do ratios inside this band (inclusive) count as a predictable sprint."""

Basis = Literal["points", "items"]


# -- shared helpers ---------------------------------------------------------------


def _check_tz(tz: object) -> tzinfo:
    if not isinstance(tz, tzinfo):
        msg = (
            f"tz: {tz!r} is not a tzinfo (e.g. datetime.UTC, ZoneInfo('Europe/Paris'))"
        )
        raise InvalidInputError(msg)
    return tz


def _index(work_items: Iterable[WorkItem]) -> dict[str, WorkItem]:
    index: dict[str, WorkItem] = {}
    twice: list[str] = []
    for item in work_items:
        if item.key in index and item.key not in twice:
            twice.append(item.key)
        index[item.key] = item
    if twice:
        msg = f"work_items: keys given more than once {sorted(twice)}; keep one of each"
        raise InvalidInputError(msg)
    return index


def _done_states(process: Process | None) -> tuple[frozenset[str], frozenset[str]]:
    chosen = Process.kanban_default() if process is None else process
    done = frozenset(s.name for s in chosen.states if s.category is StateCategory.DONE)
    return done, frozenset(chosen.state_names)


def _end_of(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time.max, tzinfo=tz)


def _points(keys: Iterable[str], items: Mapping[str, WorkItem]) -> float:
    return float(
        sum(estimate for key in keys if (estimate := items[key].estimate) is not None)
    )


def _reopened(
    item: WorkItem, begin: datetime, end: datetime, done: frozenset[str]
) -> bool:
    """Tell whether `item` left a done state for a not-done one in ``[begin, end]``."""
    timeline = item.timeline()
    return any(
        begin <= at <= end and before in done and after not in done
        for (before, _), (after, at) in pairwise(timeline)
    )


def _ratio(part: float, whole: float) -> float | None:
    return None if whole == 0 else part / whole


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f}"


# -- one sprint ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SprintReport(Tabular):
    """What one sprint committed to, took on, delivered and carried over.

    Item keys in `committed`, `added`, `done` and `carry_over` are those of
    known work items only; keys the sprint lists but no work item has are in
    `unknown_keys` and counted nowhere else. Points are sums of
    `WorkItem.estimate` over the *estimated* items; unestimated ones count as
    items but add no points, and are listed in `unestimated`.

    Attributes
    ----------
    sprint : str
        Key of the sprint.
    team : str
        Key of the team.
    start, end : date
        First and last day (inclusive).
    committed : tuple of str
        Items committed at the start.
    added : tuple of str
        Items added after the start (scope added).
    done : tuple of str
        Committed or added items in a done state at the end of the last day.
    carry_over : tuple of str
        Committed or added items not done at the end of the last day.
    committed_points, added_points, carry_over_points : float
        Estimated points of those items.
    velocity_points : float
        Points of the done items.
    committed_done : tuple of str
        Committed items that are done (the "did" of say/do).
    committed_done_points : float
        Their points.
    say_do_items : float or None
        ``len(committed_done) / len(committed)``; ``None`` when nothing known
        was committed (see `notes`).
    say_do_points : float or None
        ``committed_done_points / committed_points``; ``None`` when no
        committed point was estimated (see `notes`).
    scope_added_share_items : float or None
        ``len(added) / len(committed)``; ``None`` with nothing committed.
    scope_added_share_points : float or None
        ``added_points / committed_points``; ``None`` with no committed points.
    reopened : tuple of str
        Items that moved from a done state back to a not-done one during the
        sprint (whether or not they were done again by its end).
    unknown_keys : tuple of str
        Keys the sprint lists that no work item has.
    unestimated : tuple of str
        Committed or added items without an estimate.
    unknown_statuses : tuple of str
        Statuses held at the sprint end that the process does not know; such
        items count as not done.
    notes : tuple of str
        Why a ratio is ``None``, and other caveats, in words.

    Examples
    --------
    >>> from productops.datasets import load_demo
    >>> ws = load_demo()
    >>> report = sprint_report(ws.sprints[1], ws.work_items, process=ws.process)
    >>> report.velocity_items, report.say_do_items
    (4, 1.0)
    """

    sprint: str
    team: str
    start: date
    end: date
    committed: tuple[str, ...]
    added: tuple[str, ...]
    done: tuple[str, ...]
    carry_over: tuple[str, ...]
    committed_points: float
    added_points: float
    velocity_points: float
    carry_over_points: float
    committed_done: tuple[str, ...]
    committed_done_points: float
    say_do_items: float | None
    say_do_points: float | None
    scope_added_share_items: float | None
    scope_added_share_points: float | None
    reopened: tuple[str, ...]
    unknown_keys: tuple[str, ...]
    unestimated: tuple[str, ...]
    unknown_statuses: tuple[str, ...]
    notes: tuple[str, ...]

    @property
    def velocity_items(self) -> int:
        """Number of done items."""
        return len(self.done)

    def __repr__(self) -> str:
        return (
            f"SprintReport({self.sprint!r}, committed {len(self.committed)} items/"
            f"{self.committed_points:g} pts, added {len(self.added)}/"
            f"{self.added_points:g}, done {len(self.done)}/{self.velocity_points:g}, "
            f"say/do {_fmt(self.say_do_items)} items {_fmt(self.say_do_points)} pts, "
            f"carry-over {len(self.carry_over)})"
        )

    def to_records(self) -> list[dict[str, Any]]:
        """Return one dict with plain values (counts, points, ratios, key lists).

        Examples
        --------
        >>> from productops.datasets import load_demo
        >>> ws = load_demo()
        >>> row = sprint_report(ws.sprints[1], ws.work_items).to_records()[0]
        >>> row["sprint"], row["velocity_items"]
        ('payments-S2', 4)
        """
        return [
            {
                "sprint": self.sprint,
                "team": self.team,
                "start": self.start,
                "end": self.end,
                "committed_items": len(self.committed),
                "committed_points": self.committed_points,
                "added_items": len(self.added),
                "added_points": self.added_points,
                "velocity_items": len(self.done),
                "velocity_points": self.velocity_points,
                "committed_done_items": len(self.committed_done),
                "committed_done_points": self.committed_done_points,
                "say_do_items": self.say_do_items,
                "say_do_points": self.say_do_points,
                "scope_added_share_items": self.scope_added_share_items,
                "scope_added_share_points": self.scope_added_share_points,
                "carry_over_items": len(self.carry_over),
                "carry_over_points": self.carry_over_points,
                "reopened": list(self.reopened),
                "unknown_keys": list(self.unknown_keys),
                "unestimated": list(self.unestimated),
                "unknown_statuses": list(self.unknown_statuses),
                "notes": "; ".join(self.notes),
            }
        ]


def _report(
    sprint: Sprint,
    items: Mapping[str, WorkItem],
    done_states: frozenset[str],
    known_states: frozenset[str],
    tz: tzinfo,
) -> SprintReport:
    committed = tuple(k for k in sprint.committed if k in items)
    added = tuple(k for k in sprint.added if k in items)
    scope = committed + added
    unknown = tuple(k for k in sprint.committed + sprint.added if k not in items)
    begin = datetime.combine(sprint.start, time.min, tzinfo=tz)
    finish = _end_of(sprint.end, tz)
    final = {k: items[k].status_at(finish) for k in scope}
    done = tuple(k for k in scope if final[k] in done_states)
    carry = tuple(k for k in scope if final[k] not in done_states)
    committed_done = tuple(k for k in committed if k in done)
    committed_points = _points(committed, items)
    added_points = _points(added, items)
    committed_done_points = _points(committed_done, items)
    notes: list[str] = []
    if not sprint.committed:
        notes.append(
            "nothing was committed at the start (only added items): say/do and "
            "scope-added share are undefined"
        )
    elif not committed:
        notes.append(
            "none of the committed keys is a known work item: say/do and "
            "scope-added share are undefined"
        )
    elif committed_points == 0:
        notes.append(
            "the committed items carry no estimated points: say/do and "
            "scope-added share in points are undefined"
        )
    unestimated = tuple(k for k in scope if items[k].estimate is None)
    if unestimated:
        notes.append(
            f"{len(unestimated)} unestimated items count as items but add no points"
        )
    if unknown:
        notes.append(f"{len(unknown)} keys match no work item and are left out")
    unknown_statuses = sorted(
        {s for s in final.values() if s is not None and s not in known_states}
    )
    return SprintReport(
        sprint=sprint.key,
        team=sprint.team,
        start=sprint.start,
        end=sprint.end,
        committed=committed,
        added=added,
        done=done,
        carry_over=carry,
        committed_points=committed_points,
        added_points=added_points,
        velocity_points=_points(done, items),
        carry_over_points=_points(carry, items),
        committed_done=committed_done,
        committed_done_points=committed_done_points,
        say_do_items=_ratio(len(committed_done), len(committed)),
        say_do_points=_ratio(committed_done_points, committed_points),
        scope_added_share_items=_ratio(len(added), len(committed)),
        scope_added_share_points=_ratio(added_points, committed_points),
        reopened=tuple(
            k for k in scope if _reopened(items[k], begin, finish, done_states)
        ),
        unknown_keys=unknown,
        unestimated=unestimated,
        unknown_statuses=tuple(unknown_statuses),
        notes=tuple(notes),
    )


def sprint_report(
    sprint: Sprint,
    work_items: Iterable[WorkItem],
    *,
    process: Process | None = None,
    tz: tzinfo = UTC,
) -> SprintReport:
    """Return what `sprint` committed to, delivered and carried over.

    An item is *done* when, at the end of the sprint's last day in `tz`
    (23:59:59.999999), its status is a ``done`` state of `process`. So an item
    done after the end is carry-over, and one reopened before the end and not
    done again is carry-over too (and listed in `SprintReport.reopened`). An
    item that was already done when the sprint started counts as done.

    - velocity: the done items (committed or added) and their points;
    - say/do: committed-and-done over committed, in items and in points. By
      this definition it never exceeds 1;
    - scope added: the sprint's `added` items, and their share of the
      committed items and points;
    - carry-over: committed or added items not done at the end.

    Parameters
    ----------
    sprint : Sprint
        The sprint, with its `committed` and `added` keys.
    work_items : iterable of WorkItem
        Work items with status histories; items not in the sprint are ignored.
        Keys must be unique.
    process : Process, optional
        Which statuses are done (a workspace's `process`). Default:
        `Process.kanban_default`, whose only done state is ``"Done"``.
        Statuses it does not know count as not done and are reported.
    tz : tzinfo
        The time zone in which sprint dates are read. Default UTC.

    Returns
    -------
    SprintReport

    Raises
    ------
    InvalidInputError
        If two work items share a key (naming all), or `tz` is not a tzinfo.

    Notes
    -----
    A `Sprint` record lists only the items committed at the start and those
    added later, so items *removed* from a sprint cannot be told apart: an
    item removed mid-sprint still listed in `committed` counts as carry-over.
    Tools that track removal (Jira's sprint report "Issues Removed From
    Sprint") should drop removed keys from the record before calling this.

    Examples
    --------
    >>> from datetime import UTC, datetime
    >>> from productops import Sprint, StatusChange, WorkItem
    >>> def item(key, points, done_day=None):
    ...     history = [] if done_day is None else [StatusChange(
    ...         at=datetime(2024, 3, done_day, 12, tzinfo=UTC),
    ...         from_status="In Progress", to_status="Done")]
    ...     return WorkItem(key=key, title="", status="In Progress",
    ...                     created=datetime(2024, 3, 1, tzinfo=UTC),
    ...                     estimate=points, history=history)
    >>> items = [item("A-1", 3, 5), item("A-2", 5), item("A-3", 2, 8)]
    >>> s = Sprint(key="S1", team="core", start="2024-03-04", end="2024-03-15",
    ...            committed=["A-1", "A-2"], added=["A-3"])
    >>> r = sprint_report(s, items)
    >>> r.done, r.carry_over, r.velocity_points, r.say_do_points
    (('A-1', 'A-3'), ('A-2',), 5.0, 0.375)
    >>> r
    SprintReport('S1', committed 2 items/8 pts, added 1/2, done 2/5,
                 say/do 0.50 items 0.38 pts, carry-over 1)
    """
    zone = _check_tz(tz)
    done_states, known_states = _done_states(process)
    return _report(sprint, _index(work_items), done_states, known_states, zone)


# -- a run of sprints -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SprintHistory(Tabular):
    """A team's sprints in date order, with velocity and predictability.

    Attributes
    ----------
    team : str or None
        The team the sprints belong to (``None`` when no sprint was given).
    reports : tuple of SprintReport
        One per sprint, ordered by start date, then end date, then key.
    window : tuple of str
        Keys of the sprints the statistics use: the last `last` ones, or all.
    velocity_mean_points, velocity_median_points : float or None
        Mean and median velocity in points over the window.
    velocity_sd_points : float or None
        Sample standard deviation (n - 1) of velocity in points; ``None`` with
        fewer than two sprints.
    velocity_mean_items, velocity_median_items, velocity_sd_items : float or None
        The same in items.
    basis : {"points", "items"}
        Which say/do ratio predictability judges.
    band : tuple of float
        The inclusive say/do band counted as predictable.
    predictable : tuple of str
        Window sprints whose say/do lies inside `band`.
    not_judged : tuple of str
        Window sprints without a say/do ratio (nothing committed or estimated);
        left out of the denominator.
    predictability : float or None
        ``len(predictable) / (len(window) - len(not_judged))``; ``None`` when
        no sprint could be judged.

    Examples
    --------
    >>> from productops.datasets import load_demo
    >>> ws = load_demo()
    >>> h = sprint_history(ws.sprints, ws.work_items, team="payments", last=6)
    >>> len(h.reports), len(h.window)
    (20, 6)
    """

    team: str | None
    reports: tuple[SprintReport, ...]
    window: tuple[str, ...]
    velocity_mean_points: float | None
    velocity_median_points: float | None
    velocity_sd_points: float | None
    velocity_mean_items: float | None
    velocity_median_items: float | None
    velocity_sd_items: float | None
    basis: Basis
    band: tuple[float, float]
    predictable: tuple[str, ...]
    not_judged: tuple[str, ...]
    predictability: float | None

    def __repr__(self) -> str:
        judged = len(self.window) - len(self.not_judged)
        return (
            f"SprintHistory(team={self.team!r}, {len(self.reports)} sprints, "
            f"window {len(self.window)}: velocity mean "
            f"{_fmt(self.velocity_mean_points)} pts sd "
            f"{_fmt(self.velocity_sd_points)}, predictability "
            f"{_fmt(self.predictability)} ({len(self.predictable)}/{judged} "
            f"in [{self.band[0]:g}, {self.band[1]:g}] by {self.basis})"
        )

    def to_records(self) -> list[dict[str, Any]]:
        """Return one dict per sprint: its report, plus window and band flags.

        ``in_window`` tells whether the sprint is in the statistics window;
        ``within_band`` whether its say/do is inside the band (``None`` when
        it has no say/do).

        Examples
        --------
        >>> from productops.datasets import load_demo
        >>> ws = load_demo()
        >>> rows = sprint_history(ws.sprints, ws.work_items, team="growth",
        ...                       last=3).to_records()
        >>> [row["in_window"] for row in rows].count(True)
        3
        """
        window = set(self.window)
        judged_out = set(self.not_judged)
        good = set(self.predictable)
        rows = []
        for report in self.reports:
            (row,) = report.to_records()
            row["in_window"] = report.sprint in window
            row["within_band"] = (
                None
                if report.sprint in judged_out or report.sprint not in window
                else report.sprint in good
            )
            rows.append(row)
        return rows


def _stats(values: list[float]) -> tuple[float | None, float | None, float | None]:
    if not values:
        return None, None, None
    sd = statistics.stdev(values) if len(values) > 1 else None
    return statistics.fmean(values), float(statistics.median(values)), sd


def sprint_history(
    sprints: Iterable[Sprint],
    work_items: Iterable[WorkItem],
    *,
    team: str | None = None,
    last: int | None = None,
    process: Process | None = None,
    band: tuple[float, float] = DEFAULT_BAND,
    basis: Basis = "points",
    tz: tzinfo = UTC,
) -> SprintHistory:
    """Return one report per sprint of a team, with velocity and predictability.

    Predictability is the share of sprints, over the last `last` ones, whose
    say/do ratio (committed-and-done over committed, in `basis`) lies inside
    `band`, both ends included. Sprints with no say/do ratio (nothing
    committed, or in points nothing estimated) are listed in `not_judged` and
    left out of the share.

    Parameters
    ----------
    sprints : iterable of Sprint
        Sprints, of one team unless `team` picks one.
    work_items : iterable of WorkItem
        Work items with status histories; keys must be unique.
    team : str, optional
        Keep only this team's sprints. Required when the sprints belong to
        several teams: velocities of different teams do not mix.
    last : int, optional
        Compute velocity statistics and predictability over the last `last`
        sprints only (all reports are kept). Default: all.
    process : Process, optional
        Which statuses are done; see `sprint_report`.
    band : tuple of float
        Inclusive say/do band counted as predictable; default ``(0.8, 1.2)``.
    basis : {"points", "items"}
        Which say/do ratio to judge; default points.
    tz : tzinfo
        Time zone of sprint dates; default UTC.

    Returns
    -------
    SprintHistory

    Raises
    ------
    InvalidInputError
        If the sprints span several teams and `team` is not given, sprint keys
        repeat, `last` is below 1, `band` is not ``0 <= low <= high``, `basis`
        is unknown, or work item keys repeat.

    Notes
    -----
    SAFe's *program (ART) predictability measure* divides actual by planned
    business value per increment; a train or team is considered predictable
    when it lands in the 80-100 % range (Scaled Agile, "Inspect and Adapt" and
    "Metrics"; restated by piplanning.io, "Metrics: Flow Predictability
    Graph"). Here the same idea is applied to each sprint's say/do ratio,
    the share of the sprint forecast that got done (the measure of forecast
    accuracy worked on the Scrum.org forum, "Variability in forecasting",
    2020: 3 of 5 forecast items done is 60 %), with a default band of
    0.8-1.2. Since say/do as defined never exceeds 1, the upper bound only
    matters for a custom band; ``band=(0.8, 1.0)`` gives SAFe's range exactly.
    Beware that a high say/do can be gamed by committing less.

    Velocity standard deviation is the sample one (n - 1).

    Examples
    --------
    >>> from productops.datasets import load_demo
    >>> ws = load_demo()
    >>> h = sprint_history(ws.sprints, ws.work_items, team="payments",
    ...                    process=ws.process)
    >>> [r.sprint for r in h.reports[:3]]
    ['payments-S1', 'payments-S2', 'payments-S3']
    >>> h.not_judged
    ('payments-S1', 'payments-S8')
    """
    problems: list[str] = []
    if last is not None and last < 1:
        problems.append(f"last: must be at least 1, got {last!r}")
    low, high = band
    if not 0 <= low <= high:
        problems.append(f"band: need 0 <= low <= high, got {band!r}")
    if basis not in ("points", "items"):
        problems.append(f"basis: must be 'points' or 'items', got {basis!r}")
    chosen = [s for s in sprints if team is None or s.team == team]
    teams = sorted({s.team for s in chosen})
    if team is None and len(teams) > 1:
        problems.append(
            f"sprints: they belong to several teams {teams}; pass team= to pick one"
        )
    keys = [s.key for s in chosen]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        problems.append(f"sprints: keys given more than once {twice}")
    if problems:
        msg = "; ".join(problems)
        raise InvalidInputError(msg)
    zone = _check_tz(tz)
    done_states, known_states = _done_states(process)
    items = _index(work_items)
    chosen.sort(key=lambda s: (s.start, s.end, s.key))
    reports = tuple(_report(s, items, done_states, known_states, zone) for s in chosen)
    window = reports if last is None else reports[-last:]
    mean_p, median_p, sd_p = _stats([r.velocity_points for r in window])
    mean_i, median_i, sd_i = _stats([float(r.velocity_items) for r in window])
    predictable: list[str] = []
    not_judged: list[str] = []
    for report in window:
        ratio = report.say_do_points if basis == "points" else report.say_do_items
        if ratio is None:
            not_judged.append(report.sprint)
        elif low <= ratio <= high:
            predictable.append(report.sprint)
    judged = len(window) - len(not_judged)
    return SprintHistory(
        team=team if team is not None else (teams[0] if teams else None),
        reports=reports,
        window=tuple(r.sprint for r in window),
        velocity_mean_points=mean_p,
        velocity_median_points=median_p,
        velocity_sd_points=sd_p,
        velocity_mean_items=mean_i,
        velocity_median_items=median_i,
        velocity_sd_items=sd_i,
        basis=basis,
        band=(low, high),
        predictable=tuple(predictable),
        not_judged=tuple(not_judged),
        predictability=None if judged == 0 else len(predictable) / judged,
    )


# -- burn-up ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BurnUpDay:
    """Scope and done work at the end of one sprint day.

    Attributes
    ----------
    day : date
        The day.
    scope_items, scope_points : int, float
        Committed items plus items added by that day, and their points.
    done_items, done_points : int, float
        Items in scope that are done at the end of the day, and their points.

    Examples
    --------
    >>> BurnUpDay(date(2024, 3, 4), 3, 8.0, 1, 3.0)
    BurnUpDay(2024-03-04: scope 3 items/8 pts, done 1/3)
    """

    day: date
    scope_items: int
    scope_points: float
    done_items: int
    done_points: float

    def __repr__(self) -> str:
        return (
            f"BurnUpDay({self.day.isoformat()}: scope {self.scope_items} items/"
            f"{self.scope_points:g} pts, done {self.done_items}/{self.done_points:g})"
        )


@dataclass(frozen=True, slots=True)
class BurnUp(Tabular):
    """A sprint's burn-up: total scope and done work, day by day.

    Attributes
    ----------
    sprint : str
        Key of the sprint.
    days : tuple of BurnUpDay
        One per calendar day from start to end, both included.
    added_on : tuple of (str, date)
        Each added item with the day it entered the scope.
    added_day_assumed : tuple of str
        Added items whose day of addition was not known, placed on the first
        day.
    reopened : tuple of str
        Items that left a done state during the sprint; the done line drops
        when they do.
    unknown_keys : tuple of str
        Keys the sprint lists that no work item has; left out.
    unestimated : tuple of str
        Items without an estimate: counted as items, no points.
    unknown_statuses : tuple of str
        Statuses held at the end of some day that the process does not know;
        such items count as not done that day.

    Examples
    --------
    >>> from productops.datasets import load_demo
    >>> ws = load_demo()
    >>> b = burn_up(ws.sprints[1], ws.work_items, process=ws.process)
    >>> len(b.days), b.days[-1].done_items
    (12, 4)
    """

    sprint: str
    days: tuple[BurnUpDay, ...]
    added_on: tuple[tuple[str, date], ...]
    added_day_assumed: tuple[str, ...]
    reopened: tuple[str, ...]
    unknown_keys: tuple[str, ...]
    unestimated: tuple[str, ...]
    unknown_statuses: tuple[str, ...] = ()

    def __repr__(self) -> str:
        last = self.days[-1]
        return (
            f"BurnUp({self.sprint!r}, {len(self.days)} days, final scope "
            f"{last.scope_items} items/{last.scope_points:g} pts, done "
            f"{last.done_items}/{last.done_points:g})"
        )

    def to_records(self) -> list[dict[str, Any]]:
        """Return one dict per day, for a data frame or a chart.

        Examples
        --------
        >>> from productops.datasets import load_demo
        >>> ws = load_demo()
        >>> burn_up(ws.sprints[1], ws.work_items).to_records()[0]["day"]
        datetime.date(2025, 9, 15)
        """
        return [
            {
                "sprint": self.sprint,
                "day": d.day,
                "scope_items": d.scope_items,
                "scope_points": d.scope_points,
                "done_items": d.done_items,
                "done_points": d.done_points,
            }
            for d in self.days
        ]


def burn_up(
    sprint: Sprint,
    work_items: Iterable[WorkItem],
    *,
    process: Process | None = None,
    tz: tzinfo = UTC,
    added_on: Mapping[str, date] | None = None,
) -> BurnUp:
    """Return the day-by-day burn-up of `sprint`: total scope and done work.

    For each day from start to end, *scope* is the committed items plus the
    added items that entered by that day, and *done* is the items in scope
    whose status is a done state at the end of the day (in `tz`). An added
    item enters on:

    1. its day in `added_on`, when given;
    2. else the day it was created, when that falls inside the sprint after
       the first day (it cannot have been added before it existed);
    3. else the first day, and it is listed in `BurnUp.added_day_assumed`.

    Scope never shrinks. Done never drops **unless an item is reopened**: an
    item that leaves a done state leaves the done line on that day (and is
    listed in `BurnUp.reopened`). Items done before they entered the scope
    count from the day they enter it.

    Parameters
    ----------
    sprint : Sprint
        The sprint.
    work_items : iterable of WorkItem
        Work items with status histories; keys must be unique.
    process : Process, optional
        Which statuses are done; see `sprint_report`.
    tz : tzinfo
        Time zone of sprint days; default UTC.
    added_on : mapping of str to date, optional
        The day each added item entered the sprint, when the tool records it.

    Returns
    -------
    BurnUp

    Raises
    ------
    InvalidInputError
        If an `added_on` key is not among the sprint's added items or its day
        is outside the sprint (naming every one), work item keys repeat, or
        `tz` is not a tzinfo.

    Examples
    --------
    >>> from datetime import UTC, date, datetime
    >>> from productops import Sprint, StatusChange, WorkItem
    >>> done = lambda day: [StatusChange(at=datetime(2024, 3, day, 12, tzinfo=UTC),
    ...                                  from_status="Ready", to_status="Done")]
    >>> items = [
    ...     WorkItem(key="A-1", title="", status="Done", estimate=3,
    ...              created=datetime(2024, 3, 1, tzinfo=UTC), history=done(2)),
    ...     WorkItem(key="A-2", title="", status="Done", estimate=2,
    ...              created=datetime(2024, 3, 1, tzinfo=UTC), history=done(3)),
    ... ]
    >>> s = Sprint(key="S1", team="core", start="2024-03-01", end="2024-03-03",
    ...            committed=["A-1"], added=["A-2"])
    >>> for day in burn_up(s, items, added_on={"A-2": date(2024, 3, 2)}).days:
    ...     print(day)
    BurnUpDay(2024-03-01: scope 1 items/3 pts, done 0/0)
    BurnUpDay(2024-03-02: scope 2 items/5 pts, done 1/3)
    BurnUpDay(2024-03-03: scope 2 items/5 pts, done 2/5)
    """
    zone = _check_tz(tz)
    given = dict(added_on or {})
    problems = [
        f"added_on[{key!r}]: not an added item of sprint {sprint.key!r}"
        for key in given
        if key not in sprint.added
    ]
    problems += [
        f"added_on[{key!r}]: {day} is outside the sprint {sprint.start}..{sprint.end}"
        for key, day in given.items()
        if not sprint.start <= day <= sprint.end
    ]
    if problems:
        msg = "; ".join(problems)
        raise InvalidInputError(msg)
    done_states, known_states = _done_states(process)
    items = _index(work_items)
    committed = [k for k in sprint.committed if k in items]
    entry: dict[str, date] = {}
    assumed: list[str] = []
    for key in sprint.added:
        if key not in items:
            continue
        created = items[key].created.astimezone(zone).date()
        if key in given:
            entry[key] = given[key]
        elif sprint.start < created <= sprint.end:
            entry[key] = created
        else:
            entry[key] = sprint.start
            assumed.append(key)
    scope_all = committed + list(entry)
    days: list[BurnUpDay] = []
    strange: set[str] = set()
    for offset in range(sprint.length_days):
        day = sprint.start + timedelta(days=offset)
        at = _end_of(day, zone)
        scope = committed + [k for k, d in entry.items() if d <= day]
        held = {k: items[k].status_at(at) for k in scope}
        strange.update(
            s for s in held.values() if s is not None and s not in known_states
        )
        done = [k for k in scope if held[k] in done_states]
        days.append(
            BurnUpDay(
                day=day,
                scope_items=len(scope),
                scope_points=_points(scope, items),
                done_items=len(done),
                done_points=_points(done, items),
            )
        )
    begin = datetime.combine(sprint.start, time.min, tzinfo=zone)
    finish = _end_of(sprint.end, zone)
    return BurnUp(
        sprint=sprint.key,
        days=tuple(days),
        added_on=tuple(entry.items()),
        added_day_assumed=tuple(assumed),
        reopened=tuple(
            k for k in scope_all if _reopened(items[k], begin, finish, done_states)
        ),
        unknown_keys=tuple(
            k for k in sprint.committed + sprint.added if k not in items
        ),
        unestimated=tuple(k for k in scope_all if items[k].estimate is None),
        unknown_statuses=tuple(sorted(strange)),
    )
