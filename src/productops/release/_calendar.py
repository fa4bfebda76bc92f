"""Release calendar: a timeline of releases and the conflicts between them."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import combinations
from typing import Any

from .._tabular import Tabular
from ..errors import InvalidInputError
from ..model.delivery import Dependency, DependencyStatus
from ..model.release import Release, ReleaseStatus
from ..model.work import WorkItem

__all__ = [
    "CalendarCheck",
    "Conflict",
    "ConflictKind",
    "Timeline",
    "TimelineRow",
    "calendar_conflicts",
    "timeline",
]

_CLOSED = (ReleaseStatus.RELEASED, ReleaseStatus.CANCELLED)
_SATURDAY = 5

Holiday = date | tuple[date, str]
"""A holiday: a date, or a date with its name."""


class ConflictKind(enum.StrEnum):
    """What clashes on the release calendar.

    Examples
    --------
    >>> ConflictKind.FREEZE_OVERLAP.value
    'freeze_overlap'
    """

    FREEZE_OVERLAP = "freeze_overlap"
    """Two releases are frozen on the same days."""
    HOLIDAY = "holiday"
    """A target date falls on a holiday."""
    WEEKEND = "weekend"
    """A target date falls on a Saturday or Sunday."""
    SHARED_DEPENDENCY = "shared_dependency"
    """A dependency links work in two different releases."""
    SHARED_ITEM = "shared_item"
    """One work item is in the scope of two releases."""
    TEAM_LAUNCHES = "team_launches"
    """A team launches two releases within the launch window."""


@dataclass(frozen=True, slots=True)
class Conflict:
    """One clash on the release calendar.

    Attributes
    ----------
    kind : ConflictKind
        What clashes.
    releases : tuple of str
        Keys of the releases involved, sorted.
    dates : tuple of date
        The dates concerned: the overlapping days (first, last) of two freeze
        windows, or the target dates involved.
    subjects : tuple of str
        What else is involved: work item or dependency keys, team keys, the
        holiday's name; sorted.
    message : str
        The conflict in words.

    Examples
    --------
    >>> c = Conflict(ConflictKind.WEEKEND, ("1.0",), (date(2024, 3, 30),), (),
    ...              "1.0 targets Saturday 2024-03-30")
    >>> c
    Conflict(weekend ('1.0',): 1.0 targets Saturday 2024-03-30)
    """

    kind: ConflictKind
    releases: tuple[str, ...]
    dates: tuple[date, ...]
    subjects: tuple[str, ...]
    message: str

    def __repr__(self) -> str:
        return f"Conflict({self.kind.value} {self.releases}: {self.message})"


@dataclass(frozen=True, slots=True)
class CalendarCheck(Tabular):
    """Every conflict found on a release calendar, and what was not checked.

    Attributes
    ----------
    conflicts : tuple of Conflict
        Sorted by kind (in `ConflictKind` order), then releases, then dates.
    skipped : tuple of (str, str)
        ``(release key, reason)`` for each release left out of a check:
        released or cancelled ones (out of every check), ones without a target
        date (out of the date checks), ones without a freeze window (out of the
        freeze-overlap check).
    launch_window_days : int
        The launch window used.

    Examples
    --------
    >>> check = calendar_conflicts([
    ...     Release(key="a", name="A", target_date="2024-03-29"),
    ...     Release(key="b", name="B", target_date="2024-04-02"),
    ... ])
    >>> check
    CalendarCheck(0 conflicts; 2 skipped)
    >>> check.ok
    True
    """

    conflicts: tuple[Conflict, ...]
    skipped: tuple[tuple[str, str], ...]
    launch_window_days: int

    def __repr__(self) -> str:
        counts = ", ".join(
            f"{kind.value} {n}" for kind, n in self.counts().items() if n
        )
        detail = f": {counts}" if counts else ""
        return (
            f"CalendarCheck({len(self.conflicts)} conflicts{detail}; "
            f"{len(self.skipped)} skipped)"
        )

    @property
    def ok(self) -> bool:
        """Whether no conflict was found."""
        return not self.conflicts

    def counts(self) -> dict[ConflictKind, int]:
        """Return the number of conflicts of each kind (every kind, in order).

        Examples
        --------
        >>> calendar_conflicts([]).counts()[ConflictKind.HOLIDAY]
        0
        """
        return {
            kind: sum(1 for c in self.conflicts if c.kind is kind)
            for kind in ConflictKind
        }

    def to_records(self) -> list[dict[str, Any]]:
        """Return one dict per conflict with plain values.

        Examples
        --------
        >>> check = calendar_conflicts(
        ...     [Release(key="a", name="A", target_date="2024-03-30")])
        >>> check.to_records()[0]["kind"]
        'weekend'
        """
        return [
            {
                "kind": c.kind.value,
                "releases": ", ".join(c.releases),
                "dates": ", ".join(d.isoformat() for d in c.dates),
                "subjects": ", ".join(c.subjects),
                "message": c.message,
            }
            for c in self.conflicts
        ]


def _holidays(holidays: Iterable[Holiday]) -> dict[date, list[str]]:
    named: dict[date, list[str]] = {}
    bad: list[str] = []
    entries: Iterable[object] = holidays  # checked at run time, not trusted
    for i, entry in enumerate(entries):
        day: object = entry
        name: object = ""
        if isinstance(entry, tuple):
            if len(entry) != 2 or not isinstance(entry[1], str):
                bad.append(f"holidays[{i}]: {entry!r} is not (date, name)")
                continue
            day, name = entry
        if isinstance(day, datetime) or not isinstance(day, date):
            bad.append(f"holidays[{i}]: {day!r} is not a date")
            continue
        names = named.setdefault(day, [])
        if isinstance(name, str) and name and name not in names:
            names.append(name)
    if bad:
        msg = "; ".join(bad)
        raise InvalidInputError(msg)
    return named


def _check_arguments(
    releases: Sequence[Release], freeze_days: int | None, launch_window_days: int
) -> None:
    problems = []
    keys = [r.key for r in releases]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        problems.append(f"releases: keys given twice {twice}")
    if freeze_days is not None and freeze_days < 0:
        problems.append(f"freeze_days: must be >= 0, got {freeze_days}")
    if launch_window_days < 0:
        problems.append(f"launch_window_days: must be >= 0, got {launch_window_days}")
    if problems:
        msg = "; ".join(problems)
        raise InvalidInputError(msg)


def _window(release: Release, freeze_days: int | None) -> tuple[date, date] | None:
    if release.target_date is None:
        return None
    if release.code_freeze is not None:
        return release.code_freeze, release.target_date
    if freeze_days is None:
        return None
    return release.target_date - timedelta(days=freeze_days), release.target_date


def _freeze_overlaps(
    open_releases: Sequence[Release], freeze_days: int | None
) -> tuple[list[Conflict], list[tuple[str, str]]]:
    windows: list[tuple[Release, date, date]] = []
    notes: list[tuple[str, str]] = []
    for r in open_releases:
        window = _window(r, freeze_days)
        if window is None:
            if r.target_date is not None:
                notes.append((r.key, "no code_freeze and no freeze_days: no window"))
            continue
        windows.append((r, *window))
    found = []
    for (a, a_start, a_end), (b, b_start, b_end) in combinations(windows, 2):
        first, last = max(a_start, b_start), min(a_end, b_end)
        if first > last:
            continue
        days = (last - first).days + 1
        found.append(
            Conflict(
                ConflictKind.FREEZE_OVERLAP,
                tuple(sorted((a.key, b.key))),
                (first, last),
                (),
                f"freeze windows of {a.key} ({a_start} to {a_end}) and {b.key} "
                f"({b_start} to {b_end}) overlap on {days} day(s), {first} to {last}",
            )
        )
    return found, notes


def _bad_days(
    open_releases: Sequence[Release], holidays: dict[date, list[str]]
) -> list[Conflict]:
    found = []
    for r in open_releases:
        day = r.target_date
        if day is None:
            continue
        if day in holidays:
            names = tuple(holidays[day])
            what = f" ({', '.join(names)})" if names else ""
            found.append(
                Conflict(
                    ConflictKind.HOLIDAY,
                    (r.key,),
                    (day,),
                    tuple(sorted(names)),
                    f"{r.key} targets {day}, a holiday{what}",
                )
            )
        if day.weekday() >= _SATURDAY:
            found.append(
                Conflict(
                    ConflictKind.WEEKEND,
                    (r.key,),
                    (day,),
                    (),
                    f"{r.key} targets {day:%A} {day}",
                )
            )
    return found


def _scopes(
    open_releases: Sequence[Release], work_items: Sequence[WorkItem]
) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Return, per open release, its item keys and the records it covers."""
    items: dict[str, set[str]] = {r.key: set(r.scope) for r in open_releases}
    for item in work_items:
        for key in item.releases:
            if key in items:
                items[key].add(item.key)
    parents = {item.key: item.parent for item in work_items if item.parent}
    covers = {
        key: keys | {p for k in keys if (p := parents.get(k)) is not None}
        for key, keys in items.items()
    }
    return items, covers


def _shared_items(
    open_releases: Sequence[Release], items: dict[str, set[str]]
) -> list[Conflict]:
    holders: dict[str, list[str]] = {}
    for r in open_releases:
        for key in sorted(items[r.key]):
            holders.setdefault(key, []).append(r.key)
    return [
        Conflict(
            ConflictKind.SHARED_ITEM,
            tuple(sorted(keys)),
            (),
            (item,),
            f"{item} is in the scope of {', '.join(sorted(keys))}",
        )
        for item, keys in sorted(holders.items())
        if len(keys) > 1
    ]


def _shared_dependencies(
    open_releases: Sequence[Release],
    dependencies: Iterable[Dependency],
    covers: dict[str, set[str]],
) -> list[Conflict]:
    found = []
    targets = {r.key: r.target_date for r in open_releases}
    for dep in dependencies:
        if dep.status is DependencyStatus.RESOLVED:
            continue
        up = sorted(k for k, keys in covers.items() if dep.upstream in keys)
        down = sorted(k for k, keys in covers.items() if dep.downstream in keys)
        involved = sorted(set(up) | set(down))
        if not up or not down or len(involved) < 2:
            continue
        dates = tuple(d for k in involved if (d := targets[k]) is not None)
        found.append(
            Conflict(
                ConflictKind.SHARED_DEPENDENCY,
                tuple(involved),
                dates,
                (dep.upstream, dep.downstream),
                f"{dep.downstream} ({', '.join(down)}) depends on {dep.upstream} "
                f"({', '.join(up)}) across releases",
            )
        )
    return found


def _team_launches(open_releases: Sequence[Release], window: int) -> list[Conflict]:
    found = []
    dated = [r for r in open_releases if r.target_date is not None]
    for a, b in combinations(dated, 2):
        assert a.target_date is not None  # noqa: S101 - filtered above
        assert b.target_date is not None  # noqa: S101
        gap = abs((a.target_date - b.target_date).days)
        teams = sorted(set(a.teams) & set(b.teams))
        if not teams or gap > window:
            continue
        found.append(
            Conflict(
                ConflictKind.TEAM_LAUNCHES,
                tuple(sorted((a.key, b.key))),
                tuple(sorted((a.target_date, b.target_date))),
                tuple(teams),
                f"{', '.join(teams)} launch {a.key} ({a.target_date}) and {b.key} "
                f"({b.target_date}) {gap} day(s) apart (window {window})",
            )
        )
    return found


def calendar_conflicts(
    releases: Iterable[Release],
    *,
    holidays: Iterable[Holiday] = (),
    dependencies: Iterable[Dependency] = (),
    work_items: Iterable[WorkItem] = (),
    freeze_days: int | None = None,
    launch_window_days: int = 7,
) -> CalendarCheck:
    """Return every conflict between the open releases on the calendar.

    Only open releases are checked: released and cancelled ones are past or
    gone, so they cannot clash any more, and are listed in
    `CalendarCheck.skipped`. The checks:

    - **freeze_overlap**: two freeze windows share a day. A window runs from
      `Release.code_freeze` to `Release.target_date`, both days included; when
      `code_freeze` is missing, from `freeze_days` days before the target; when
      `freeze_days` is ``None`` too, the release has no window (noted in
      `skipped`). A window ending the day before another starts does not
      overlap.
    - **holiday** / **weekend**: a target date is one of `holidays`, or a
      Saturday or Sunday.
    - **shared_item**: a work item is in the scope of two open releases (its
      `Release.scope`, or its `WorkItem.releases`).
    - **shared_dependency**: an unresolved `Dependency` whose upstream is
      covered by one open release and whose downstream by another. A release
      covers its scope items and, from `work_items`, their parents, so a
      dependency between initiatives or epics counts too.
    - **team_launches**: a team in `Release.teams` of two open releases whose
      target dates are at most `launch_window_days` days apart.

    Parameters
    ----------
    releases : iterable of Release
        The releases on the calendar.
    holidays : iterable of date or (date, str), optional
        Non-working days, each optionally with its name.
    dependencies : iterable of Dependency, optional
        Dependencies between work items, initiatives or epics.
    work_items : iterable of WorkItem, optional
        Items, for their `WorkItem.releases` (fix versions) and parents.
    freeze_days : int, optional
        Length of the freeze, in days before the target, of a release without a
        `code_freeze`; ``>= 0``.
    launch_window_days : int, default 7
        Two launches of one team this many days apart or closer conflict;
        ``0`` means the same day only.

    Returns
    -------
    CalendarCheck

    Raises
    ------
    InvalidInputError
        Naming every problem: two releases with one key, a holiday that is not a
        date or ``(date, name)``, a negative `freeze_days` or
        `launch_window_days`.

    Examples
    --------
    >>> a = Release(key="a", name="A", target_date="2024-03-29",
    ...             code_freeze="2024-03-20", teams=["core"])
    >>> b = Release(key="b", name="B", target_date="2024-04-01",
    ...             code_freeze="2024-03-28", teams=["core"])
    >>> check = calendar_conflicts([a, b], holidays=[(date(2024, 4, 1), "Easter")])
    >>> for conflict in check.conflicts:
    ...     print(conflict.kind.value, "-", conflict.message)
    freeze_overlap - freeze windows of a (2024-03-20 to 2024-03-29) and b
        (2024-03-28 to 2024-04-01) overlap on 2 day(s), 2024-03-28 to 2024-03-29
    holiday - b targets 2024-04-01, a holiday (Easter)
    team_launches - core launch a (2024-03-29) and b (2024-04-01) 3 day(s) apart
        (window 7)
    """
    releases = list(releases)
    work_items = list(work_items)
    _check_arguments(releases, freeze_days, launch_window_days)
    named = _holidays(holidays)

    ignored: list[tuple[str, str]] = []
    open_releases = []
    for r in releases:
        if r.status in _CLOSED:
            ignored.append((r.key, f"{r.status.value}: not checked"))
            continue
        open_releases.append(r)
        if r.target_date is None:
            ignored.append((r.key, "no target_date: date checks skipped"))

    freeze, notes = _freeze_overlaps(open_releases, freeze_days)
    ignored += notes
    items, covers = _scopes(open_releases, work_items)
    conflicts = [
        *freeze,
        *_bad_days(open_releases, named),
        *_shared_dependencies(open_releases, dependencies, covers),
        *_shared_items(open_releases, items),
        *_team_launches(open_releases, launch_window_days),
    ]
    order = {kind: i for i, kind in enumerate(ConflictKind)}
    conflicts.sort(key=lambda c: (order[c.kind], c.releases, c.dates, c.subjects))
    return CalendarCheck(
        conflicts=tuple(conflicts),
        skipped=tuple(ignored),
        launch_window_days=launch_window_days,
    )


@dataclass(frozen=True, slots=True)
class TimelineRow:
    """One release on the timeline.

    Attributes
    ----------
    key : str
        Key of the release.
    name : str
        Its name.
    freeze : date or None
        First day of its code freeze (`Release.code_freeze`).
    target : date or None
        Its target date.
    status : ReleaseStatus
        Where it stands.

    Examples
    --------
    >>> timeline([Release(key="a", name="A", target_date="2024-03-29")]).rows[0]
    TimelineRow('a' 'A': freeze None, target 2024-03-29, planned)
    """

    key: str
    name: str
    freeze: date | None
    target: date | None
    status: ReleaseStatus

    def __repr__(self) -> str:
        return (
            f"TimelineRow({self.key!r} {self.name!r}: freeze {self.freeze}, "
            f"target {self.target}, {self.status.value})"
        )


@dataclass(frozen=True, slots=True)
class Timeline(Tabular):
    """Releases in date order.

    Attributes
    ----------
    rows : tuple of TimelineRow
        Sorted by target date (undated releases last), then freeze date, then key.

    Examples
    --------
    >>> timeline([])
    Timeline(0 releases)
    """

    rows: tuple[TimelineRow, ...]

    def __repr__(self) -> str:
        return f"Timeline({len(self.rows)} releases)"

    def to_records(self) -> list[dict[str, Any]]:
        """Return one dict per release with plain values.

        Examples
        --------
        >>> timeline([Release(key="a", name="A")]).to_records()
        [{'key': 'a', 'name': 'A', 'freeze': None, 'target': None, 'status': 'planned'}]
        """
        return [
            {
                "key": r.key,
                "name": r.name,
                "freeze": r.freeze,
                "target": r.target,
                "status": r.status.value,
            }
            for r in self.rows
        ]


def timeline(releases: Iterable[Release]) -> Timeline:
    """Return the releases as timeline rows, sorted by date.

    Parameters
    ----------
    releases : iterable of Release
        Releases of any status.

    Returns
    -------
    Timeline
        Rows sorted by target date, releases without one last; ties by freeze
        date (undated last), then key.

    Examples
    --------
    >>> rows = timeline([
    ...     Release(key="late", name="Late", target_date="2024-09-01"),
    ...     Release(key="tbd", name="TBD"),
    ...     Release(key="early", name="Early", target_date="2024-03-01"),
    ... ]).rows
    >>> [row.key for row in rows]
    ['early', 'late', 'tbd']
    """
    rows = [
        TimelineRow(r.key, r.name, r.code_freeze, r.target_date, r.status)
        for r in releases
    ]
    rows.sort(
        key=lambda row: (
            row.target is None,
            row.target or date.min,
            row.freeze is None,
            row.freeze or date.min,
            row.key,
        )
    )
    return Timeline(tuple(rows))
