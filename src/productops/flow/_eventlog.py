"""EventLog: the flow engine's columnar input."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

from productops.errors import DataLoadError, RecordProblem
from productops.model import Process, WorkItem

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["EventLog", "LogProblem", "ProblemAction"]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NS_PER_SECOND = 1_000_000_000
_MICROSECOND = timedelta(microseconds=1)

# Column names process-mining tools write (pm4py, XES); recognised without arguments.
XES_ITEM = "case:concept:name"
XES_STATUS = "concept:name"
XES_TIMESTAMP = "time:timestamp"

Int64Array = NDArray[np.int64]


def to_ns(moment: datetime) -> int:
    """Return an aware datetime as integer nanoseconds since the Unix epoch (UTC).

    Exact to the microsecond (a float timestamp is not).

    Examples
    --------
    >>> to_ns(datetime(1970, 1, 1, 0, 0, 1, 5, tzinfo=UTC))
    1000005000
    """
    return (moment - EPOCH) // _MICROSECOND * 1000


def from_ns(ns: int) -> datetime:
    """Return integer nanoseconds since the epoch as an aware UTC datetime.

    Sub-microsecond digits are truncated.

    Examples
    --------
    >>> from_ns(1_000_005_000)
    datetime.datetime(1970, 1, 1, 0, 0, 1, 5, tzinfo=datetime.timezone.utc)
    """
    return EPOCH + timedelta(microseconds=int(ns) // 1000)


class ProblemAction(enum.StrEnum):
    """What loading did about a problem row."""

    DROPPED = "dropped"
    """The row is not in the log."""
    KEPT = "kept"
    """The row is in the log as given; the problem is a warning."""


@dataclass(frozen=True, slots=True)
class LogProblem:
    """One input row the event log repaired or rejected.

    Attributes
    ----------
    row : int or None
        Where the row came from: the 1-based line of a CSV file, or the 0-based
        position among the records given; ``None`` for whole-item problems.
    item : str or None
        The item the row belongs to, when known.
    field : str
        The column (or record field) at fault, ``""`` for the row as a whole.
    message : str
        What is wrong.
    action : ProblemAction
        Whether the row was dropped or kept.

    Examples
    --------
    >>> print(LogProblem(7, "APP-1", "timestamp", "no timezone", ProblemAction.DROPPED))
    row 7 (item 'APP-1') timestamp: no timezone [dropped]
    """

    row: int | None
    item: str | None
    field: str
    message: str
    action: ProblemAction

    def __str__(self) -> str:
        where = "item" if self.row is None else f"row {self.row}"
        if self.item is not None:
            where += (
                f" (item {self.item!r})" if self.row is not None else f" {self.item!r}"
            )
        field = f" {self.field}" if self.field else ""
        return f"{where}{field}: {self.message} [{self.action.value}]"


@dataclass(frozen=True, eq=False)
class EventLog:
    """Status histories as columns: which item entered which state when.

    Events are sorted by item, then by time; events of one item with equal
    timestamps keep their input order (a stable sort, as process-mining tools
    do). Item ``i``'s events are ``item_starts[i]:item_starts[i + 1]``.

    Build one with `from_work_items`, `from_records`, `from_csv` or
    `from_dataframe`; do not fill the arrays by hand. Loading never drops a row
    silently: `problems` lists every row that was repaired or rejected.

    Attributes
    ----------
    items : tuple of str
        Item keys; an item's index is its position here.
    states : tuple of str
        State names; a state's index is its position here.
    item : ndarray of int64
        Item index of each event.
    state : ndarray of int64
        State index of each event (the state entered).
    time : ndarray of int64
        When each event happened, in nanoseconds since the Unix epoch, UTC.
    item_starts : ndarray of int64
        Offsets of each item's first event; length ``len(items) + 1``.
    created : ndarray of int64
        When each item was created (ns); its first event when the source does
        not say.
    attributes : dict of str to ndarray
        Item attributes (``type``, ``team``, ...), one value per item; ``None``
        where unknown.
    problems : tuple of LogProblem
        Rows repaired or rejected while loading.

    Examples
    --------
    >>> from productops import datasets
    >>> log = EventLog.from_work_items(datasets.load_demo().work_items)
    >>> len(log.items), log.states[:3]
    (410, ('Backlog', 'Ready', 'In Progress'))
    """

    items: tuple[str, ...]
    states: tuple[str, ...]
    item: Int64Array
    state: Int64Array
    time: Int64Array
    item_starts: Int64Array
    created: Int64Array
    attributes: dict[str, NDArray[Any]] = field(default_factory=dict)
    problems: tuple[LogProblem, ...] = ()

    # -- basic facts ------------------------------------------------------------

    def __len__(self) -> int:
        return int(self.time.size)

    def __repr__(self) -> str:
        span = ""
        if len(self):
            first, last = from_ns(int(self.time.min())), from_ns(int(self.time.max()))
            span = f", {first:%Y-%m-%d} to {last:%Y-%m-%d}"
        return (
            f"<EventLog: {len(self)} events, {len(self.items)} items, "
            f"{len(self.states)} states{span}, {len(self.problems)} problems>"
        )

    @property
    def start(self) -> datetime | None:
        """The first event's time, or ``None`` for an empty log."""
        return from_ns(int(self.time.min())) if len(self) else None

    @property
    def end(self) -> datetime | None:
        """The last event's time, or ``None`` for an empty log."""
        return from_ns(int(self.time.max())) if len(self) else None

    def history(self, key: str) -> list[tuple[str, datetime]]:
        """Return one item's ``(state, entered_at)`` pairs, in order.

        Raises
        ------
        KeyError
            If the log has no such item.
        """
        try:
            index = self.items.index(key)
        except ValueError:
            msg = f"no item {key!r} in the log"
            raise KeyError(msg) from None
        lo, hi = int(self.item_starts[index]), int(self.item_starts[index + 1])
        return [
            (self.states[int(s)], from_ns(int(t)))
            for s, t in zip(self.state[lo:hi], self.time[lo:hi], strict=True)
        ]

    def raise_problems(self) -> None:
        """Raise `DataLoadError` listing every problem, if there is any."""
        if self.problems:
            raise DataLoadError(
                [
                    RecordProblem(
                        "event log", p.row, p.item, p.field, f"{p.message} [{p.action}]"
                    )
                    for p in self.problems
                ]
            )

    # -- filtering --------------------------------------------------------------

    def select(self, mask: NDArray[np.bool_]) -> EventLog:
        """Return the log of the items where `mask` (one bool per item) is true.

        Problems of the dropped items are dropped too; state names are kept.
        """
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != (len(self.items),):
            msg = f"mask has shape {mask.shape}; expected ({len(self.items)},)"
            raise ValueError(msg)
        keep_items = np.flatnonzero(mask)
        remap = np.full(len(self.items), -1, dtype=np.int64)
        remap[keep_items] = np.arange(keep_items.size)
        event_mask = mask[self.item]
        counts = np.diff(self.item_starts)[keep_items]
        starts = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        kept_keys = {self.items[i] for i in keep_items}
        return EventLog(
            items=tuple(self.items[i] for i in keep_items),
            states=self.states,
            item=remap[self.item[event_mask]],
            state=self.state[event_mask],
            time=self.time[event_mask],
            item_starts=starts,
            created=self.created[keep_items],
            attributes={k: v[keep_items] for k, v in self.attributes.items()},
            problems=tuple(
                p for p in self.problems if p.item is None or p.item in kept_keys
            ),
        )

    def where(self, **attributes: object) -> EventLog:
        """Return the log of the items whose attributes equal the given values.

        A value may be a single value or a list/tuple/set of accepted values.

        Examples
        --------
        >>> from productops import datasets
        >>> log = EventLog.from_work_items(datasets.load_demo().work_items)
        >>> bugs = log.where(type="bug", team=["payments", "growth"])
        >>> sorted(set(bugs.attributes["team"]))
        ['growth', 'payments']
        """
        mask = np.ones(len(self.items), dtype=bool)
        for name, wanted in attributes.items():
            if name not in self.attributes:
                known = sorted(self.attributes)
                msg = f"no item attribute {name!r}; the log has {known}"
                raise KeyError(msg)
            values = self.attributes[name]
            accepted = (
                list(wanted)
                if isinstance(wanted, list | tuple | set | frozenset)
                else [wanted]
            )
            mask &= np.isin(values, np.asarray(accepted, dtype=object))
        return self.select(mask)

    # -- constructors -----------------------------------------------------------

    @classmethod
    def from_work_items(
        cls,
        items: Iterable[WorkItem],
        *,
        process: Process | None = None,
        duplicates: Literal["drop", "keep"] = "drop",
    ) -> EventLog:
        """Build a log from work items and their status histories.

        Each item contributes its `WorkItem.timeline`: the state it was created
        in, at `created`, then every status change. The item attributes
        ``type``, ``team``, ``priority``, ``assignee`` and ``estimate`` are kept.

        Parameters
        ----------
        items : iterable of WorkItem
            The items.
        process : Process, optional
            When given, events in states the process does not know are dropped
            and reported.
        duplicates : {"drop", "keep"}
            What to do with exact duplicate events (same item, state and time);
            either way they are reported.

        Returns
        -------
        EventLog
            The log. `problems` reports status changes whose from-status
            contradicts the previous status, events before creation, duplicates
            and unknown states.

        Examples
        --------
        >>> from productops import WorkItem
        >>> item = WorkItem(key="A-1", title="", status="Done",
        ...                 created="2024-01-01T09:00:00Z",
        ...                 history=[{"at": "2024-01-02T09:00:00Z",
        ...                           "from_status": "To Do", "to_status": "Done"}])
        >>> EventLog.from_work_items([item]).history("A-1")[1][0]
        'Done'
        """
        columns = _Collector()
        names = ("type", "team", "priority", "assignee", "estimate")
        item_attributes: dict[str, list[object]] = {name: [] for name in names}
        created: list[int] = []
        for work_item in items:
            code = columns.item_code(work_item.key)
            if code < len(created):
                msg = f"item {work_item.key!r} appears twice"
                raise ValueError(msg)
            created.append(to_ns(work_item.created))
            for name in names:
                item_attributes[name].append(getattr(work_item, name))
            timeline = work_item.timeline()
            skipped = len(timeline) - len(work_item.history)
            for position, (status, entered) in enumerate(timeline):
                change = position - skipped
                given_from = (
                    work_item.history[change].from_status if change >= 0 else None
                )
                columns.add(code, status, to_ns(entered), given_from)
        return _from_columns(
            columns.events(),
            created=np.asarray(created, dtype=np.int64),
            item_attributes=item_attributes,
            process=process,
            duplicates=duplicates,
            check_created=True,
        )

    @classmethod
    def from_records(
        cls,
        records: Iterable[Mapping[str, object]],
        *,
        item: str | None = None,
        status: str | None = None,
        timestamp: str | None = None,
        from_status: str | None = None,
        tz: tzinfo | str | None = None,
        process: Process | None = None,
        duplicates: Literal["drop", "keep"] = "drop",
        **attribute_fields: str,
    ) -> EventLog:
        """Build a log from dicts, one per event.

        Field names default to ``item`` / ``status`` / ``timestamp``, or to the
        XES names (``case:concept:name``, ``concept:name``, ``time:timestamp``)
        when those are present. With `from_status`, the records are
        transition-style (item, from, to, at): the to-status is the state
        entered, and a from-status that contradicts the item's previous status
        is reported. Rows are reported by their 0-based position.

        Parameters
        ----------
        records : iterable of mapping
            The events.
        item, status, timestamp, from_status : str, optional
            Field names.
        tz : tzinfo or str, optional
            Zone of timestamps written without an offset.
        process : Process, optional
            Events in states it does not know are dropped and reported.
        duplicates : {"drop", "keep"}
            What to do with exact duplicate events; either way they are reported.
        **attribute_fields : str
            Item attributes to keep, as ``attribute_name="field name"``; an item
            takes the value of its latest event that has one.

        Examples
        --------
        >>> log = EventLog.from_records([
        ...     {"item": "A", "status": "Doing", "timestamp": "2024-01-02T10:00:00Z"},
        ...     {"item": "A", "status": "To Do", "timestamp": "2024-01-01T09:00:00Z"},
        ... ])
        >>> [state for state, _ in log.history("A")]
        ['To Do', 'Doing']
        """
        from ._timeparse import parse_timestamps

        rows = list(records)
        fields: set[str] = set()
        for record in rows:
            fields.update(record.keys())
        item_field, status_field, time_field = _resolve_columns(
            fields, item=item, status=status, timestamp=timestamp
        )
        parsed = parse_timestamps(
            [_time_text(record.get(time_field)) for record in rows], tz=tz
        )
        columns = _Collector()
        bad: list[LogProblem] = []
        event_attributes: dict[str, list[object]] = {
            name: [] for name in attribute_fields
        }
        for position, record in enumerate(rows):
            key = _text(record.get(item_field))
            state = _text(record.get(status_field))
            message = _row_message(
                key,
                state,
                parsed.errors.get(position),
                item_field,
                status_field,
                time_field,
            )
            if message is not None:
                field_name, text = message
                bad.append(
                    LogProblem(
                        position, key or None, field_name, text, ProblemAction.DROPPED
                    )
                )
                continue
            given_from = _text(record.get(from_status)) or None if from_status else None
            columns.add(
                columns.item_code(key),
                state,
                int(parsed.ns[position]),
                given_from,
                row=position,
            )
            for name, field_name in attribute_fields.items():
                event_attributes[name].append(record.get(field_name))
        return _from_columns(
            columns.events(),
            event_attributes={
                name: np.asarray(values, dtype=object)
                for name, values in event_attributes.items()
            },
            process=process,
            duplicates=duplicates,
            problems=bad,
            check_from=from_status is not None,
        )

    @classmethod
    def from_csv(
        cls,
        path: str | Path,
        *,
        item: str | None = None,
        status: str | None = None,
        timestamp: str | None = None,
        from_status: str | None = None,
        delimiter: str | None = None,
        tz: tzinfo | str | None = None,
        process: Process | None = None,
        duplicates: Literal["drop", "keep"] = "drop",
        **attribute_columns: str,
    ) -> EventLog:
        r"""Read a log from a CSV file with one row per state entered.

        See `from_records` for the column defaults and options; XES / pm4py
        column names are recognised without arguments. Rows with the wrong
        number of fields, unparseable or naive timestamps, a missing key or
        status are dropped and reported in `problems` with their line number.
        Timestamps are parsed in bulk.

        Examples
        --------
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "log.csv"
        >>> _ = path.write_text(
        ...     "case:concept:name,concept:name,time:timestamp\n"
        ...     "c1,register,2024-01-01T09:00:00+01:00\n"
        ...     "c1,approve,2024-01-03T09:00:00+01:00\n"
        ... )
        >>> EventLog.from_csv(path)
        <EventLog: 2 events, 1 items, 2 states, 2024-01-01 to 2024-01-03, 0 problems>
        """
        from ._csv import read_csv

        table = read_csv(path, delimiter=delimiter)
        item_col, status_col, time_col = _resolve_columns(
            set(table.header), item=item, status=status, timestamp=timestamp
        )
        # The column conversions release the GIL for most of their work: two
        # threads use both cores of a small machine.
        with ThreadPoolExecutor(max_workers=2) as pool:
            items_future = pool.submit(table.codes, item_col)
            states_future = pool.submit(table.codes, status_col)
            parsed = table.timestamps(time_col, tz=tz)
            item_codes, item_names = items_future.result()
            state_codes, state_names = states_future.result()
        lines = np.asarray(table.line_numbers, dtype=np.int64)
        problems = [
            LogProblem(line, None, "", message, ProblemAction.DROPPED)
            for line, message in sorted({**table.bad_rows, **table.skipped}.items())
        ]
        valid = np.ones(table.n_rows, dtype=bool)
        empty_item = _empty_code(item_names)
        empty_state = _empty_code(state_names)
        for position, message in sorted(parsed.errors.items()):
            valid[position] = False
            problems.append(
                LogProblem(
                    int(lines[position]),
                    item_names[int(item_codes[position])] or None,
                    time_col,
                    message,
                    ProblemAction.DROPPED,
                )
            )
        for code, column, what in (
            (empty_item, item_codes, f"{item_col}: missing item key"),
            (empty_state, state_codes, f"{status_col}: missing status"),
        ):
            if code is None:
                continue
            for bad in np.flatnonzero((column == code) & valid):
                valid[bad] = False
                field_name, _, text = what.partition(": ")
                key = item_names[int(item_codes[bad])] or None
                problems.append(
                    LogProblem(
                        int(lines[bad]),
                        key,
                        field_name,
                        text,
                        ProblemAction.DROPPED,
                    )
                )
        from_codes: NDArray[np.int64] | None = None
        from_names: tuple[str, ...] = ()
        if from_status is not None:
            from_codes, from_names = table.codes(from_status)
        event_attributes: dict[str, NDArray[Any]] = {}
        for name, column_name in attribute_columns.items():
            codes, values = table.codes(column_name)
            event_attributes[name] = np.asarray(
                [v or None for v in values], dtype=object
            )[codes]
        columns = _Events(
            item=item_codes[valid],
            item_names=item_names,
            state=state_codes[valid],
            state_names=state_names,
            time=parsed.ns[valid],
            rows=lines[valid],
            given_from=None if from_codes is None else from_codes[valid],
            from_names=from_names,
        )
        return _from_columns(
            columns,
            event_attributes={k: v[valid] for k, v in event_attributes.items()},
            process=process,
            duplicates=duplicates,
            problems=problems,
            check_from=from_status is not None,
        )

    @classmethod
    def from_dataframe(
        cls,
        frame: Any,
        *,
        item: str | None = None,
        status: str | None = None,
        timestamp: str | None = None,
        from_status: str | None = None,
        tz: tzinfo | str | None = None,
        process: Process | None = None,
        duplicates: Literal["drop", "keep"] = "drop",
        **attribute_columns: str,
    ) -> EventLog:
        """Build a log from a pandas DataFrame with one row per event.

        Same columns and options as `from_records`; rows are reported by their
        0-based position. Timestamp columns of dtype ``datetime64[ns, tz]`` are
        used as they are. Needs pandas (``pip install "productops[pandas]"``).
        """
        import pandas as pd

        if not isinstance(frame, pd.DataFrame):
            msg = f"expected a pandas DataFrame, got {type(frame).__name__}"
            raise TypeError(msg)
        records: list[dict[str, object]] = [
            {str(k): v for k, v in row.items()} for row in frame.to_dict("records")
        ]
        return cls.from_records(
            records,
            item=item,
            status=status,
            timestamp=timestamp,
            from_status=from_status,
            tz=tz,
            process=process,
            duplicates=duplicates,
            **attribute_columns,
        )


# -- building -------------------------------------------------------------------


@dataclass(frozen=True)
class _Events:
    """Events as coded columns, in input order, before validation and sorting."""

    item: Int64Array
    item_names: Sequence[str]
    state: Int64Array
    state_names: Sequence[str]
    time: Int64Array
    rows: Int64Array | None = None
    """Row id of each event for messages (line or position); None: no rows."""
    given_from: Int64Array | None = None
    """Code into `from_names` of each event's stated from-status; -1: none."""
    from_names: Sequence[str] = ()


class _Collector:
    """Collects events one by one (from Python objects) into `_Events`."""

    def __init__(self) -> None:
        self._items: dict[str, int] = {}
        self._states: dict[str, int] = {}
        self._froms: dict[str, int] = {}
        self._item: list[int] = []
        self._state: list[int] = []
        self._time: list[int] = []
        self._from: list[int] = []
        self._rows: list[int] = []

    def item_code(self, key: str) -> int:
        return self._items.setdefault(key, len(self._items))

    def add(
        self, item: int, state: str, time: int, given_from: str | None, row: int = -1
    ) -> None:
        self._item.append(item)
        self._state.append(self._states.setdefault(state, len(self._states)))
        self._time.append(time)
        self._from.append(
            -1
            if given_from is None
            else self._froms.setdefault(given_from, len(self._froms))
        )
        self._rows.append(row)

    def events(self) -> _Events:
        rows = np.asarray(self._rows, dtype=np.int64)
        return _Events(
            item=np.asarray(self._item, dtype=np.int64),
            item_names=tuple(self._items),
            state=np.asarray(self._state, dtype=np.int64),
            state_names=tuple(self._states),
            time=np.asarray(self._time, dtype=np.int64),
            rows=None if rows.size == 0 or bool((rows < 0).all()) else rows,
            given_from=np.asarray(self._from, dtype=np.int64),
            from_names=tuple(self._froms),
        )


def _from_columns(
    events: _Events,
    *,
    created: Int64Array | None = None,
    item_attributes: Mapping[str, Sequence[object]] | None = None,
    event_attributes: Mapping[str, NDArray[Any]] | None = None,
    process: Process | None = None,
    duplicates: Literal["drop", "keep"] = "drop",
    problems: Sequence[LogProblem] = (),
    check_from: bool = True,
    check_created: bool = False,
) -> EventLog:
    """Validate, de-duplicate and sort coded events into an `EventLog`."""
    if duplicates not in ("drop", "keep"):
        msg = f"duplicates must be 'drop' or 'keep', not {duplicates!r}"
        raise ValueError(msg)
    found = list(problems)
    n = int(events.item.size)
    position = np.arange(n, dtype=np.int64)
    item_names = events.item_names
    state_names = tuple(events.state_names)

    def row_of(index: int) -> int | None:
        return None if events.rows is None else int(events.rows[index])

    def describe(index: int) -> str:
        moment = from_ns(int(events.time[index])).isoformat()
        return f"{state_names[int(events.state[index])]!r} at {moment}"

    keep = np.ones(n, dtype=bool)
    if process is not None:
        known = np.asarray(
            [name in process.state_names for name in state_names], dtype=bool
        )
        for raw_index in np.flatnonzero(~known[events.state]) if n else ():
            index = int(raw_index)
            keep[index] = False
            found.append(
                LogProblem(
                    row_of(index),
                    item_names[int(events.item[index])],
                    "status",
                    f"{describe(index)}: unknown state; the process has "
                    f"{list(process.state_names)}",
                    ProblemAction.DROPPED,
                )
            )

    # Sort by item, then time; equal times keep their input order.
    order = np.lexsort((position, events.time, events.item))
    order = order[keep[order]]

    # Exact duplicates (equal item, time and state) can only sit inside a run of
    # events of one item at one instant; the first in input order stays.
    action = ProblemAction.DROPPED if duplicates == "drop" else ProblemAction.KEPT
    duplicate_positions = _duplicates_in_ties(
        events.item[order], events.time[order], events.state[order]
    )
    found.extend(
        LogProblem(
            row_of(int(index)),
            item_names[int(events.item[index])],
            "",
            f"{describe(int(index))}: exact duplicate of an earlier event",
            action,
        )
        for index in np.sort(order[duplicate_positions])
    )
    if duplicates == "drop" and duplicate_positions.size:
        order = np.delete(order, duplicate_positions)

    item_codes = events.item[order]
    present = np.flatnonzero(np.bincount(item_codes, minlength=len(item_names)))
    item_remap = np.full(len(item_names), -1, dtype=np.int64)
    item_remap[present] = np.arange(present.size)
    item = item_remap[item_codes]
    time = events.time[order]

    if process is not None:
        names = process.state_names
        index_of = {name: i for i, name in enumerate(names)}
        state_remap = np.asarray(
            [index_of.get(s, -1) for s in state_names], dtype=np.int64
        )
    else:
        used = np.flatnonzero(
            np.bincount(events.state[order], minlength=len(state_names))
        )
        names = tuple(state_names[int(i)] for i in used)
        state_remap = np.full(len(state_names), -1, dtype=np.int64)
        state_remap[used] = np.arange(used.size)
    state = state_remap[events.state[order]] if order.size else np.zeros(0, np.int64)
    starts = np.searchsorted(item, np.arange(present.size + 1)).astype(np.int64)
    first = starts[:-1]

    if created is not None:
        item_created = np.asarray(created, dtype=np.int64)[present]
    else:
        item_created = time[first] if present.size else np.zeros(0, np.int64)

    if check_created and created is not None and order.size:
        early = np.flatnonzero(time < item_created[item])
        found += [
            LogProblem(
                row_of(int(order[i])),
                item_names[int(item_codes[i])],
                "",
                f"{describe(int(order[i]))}: before the item was created",
                ProblemAction.KEPT,
            )
            for i in early
        ]

    if check_from and events.given_from is not None and order.size > 1:
        from_to_state = np.asarray(
            [_index_of_name(state_names, name) for name in events.from_names] or [0],
            dtype=np.int64,
        )
        given = events.given_from[order]
        has_previous = np.concatenate(([False], item[1:] == item[:-1]))
        checked = np.flatnonzero((given >= 0) & has_previous)
        previous = events.state[order][checked - 1]
        stated = from_to_state[given[checked]]
        for i in checked[stated != previous]:
            stated_name = events.from_names[int(given[i])]
            previous_name = state_names[int(events.state[order][i - 1])]
            found.append(
                LogProblem(
                    row_of(int(order[i])),
                    item_names[int(item_codes[i])],
                    "from_status",
                    f"{describe(int(order[i]))}: says it left {stated_name!r}, but the "
                    f"previous status was {previous_name!r}",
                    ProblemAction.KEPT,
                )
            )

    attributes: dict[str, NDArray[Any]] = {}
    for name, item_values in (item_attributes or {}).items():
        attributes[name] = np.asarray(list(item_values), dtype=object)[present]
    for name, event_values in (event_attributes or {}).items():
        sorted_values = np.asarray(event_values, dtype=object)[order]
        has_value = np.flatnonzero(
            np.asarray([v is not None and v != "" for v in sorted_values], dtype=bool)
        )
        per_item = np.full(present.size, None, dtype=object)
        if has_value.size:
            owners = item[has_value]
            last = np.concatenate((owners[1:] != owners[:-1], [True]))
            per_item[owners[last]] = sorted_values[has_value[last]]
        attributes[name] = per_item

    return EventLog(
        items=(
            tuple(item_names)
            if present.size == len(item_names)
            else tuple(item_names[int(code)] for code in present)
        ),
        states=tuple(names),
        item=item,
        state=state,
        time=time,
        item_starts=starts,
        created=item_created,
        attributes=attributes,
        problems=tuple(found),
    )


def _duplicates_in_ties(
    item: Int64Array, time: Int64Array, state: Int64Array
) -> Int64Array:
    """Positions of repeated (item, time, state) events in a sorted log.

    The log is sorted by item, time and input order, so duplicates sit inside runs
    of equal (item, time); each repeat after the first occurrence is returned.
    """
    tie = (item[1:] == item[:-1]) & (time[1:] == time[:-1])
    if not tie.any():
        return np.zeros(0, dtype=np.int64)
    in_run = np.zeros(item.size, dtype=bool)
    in_run[1:] |= tie
    in_run[:-1] |= tie
    rows = np.flatnonzero(in_run)
    run = np.cumsum(np.concatenate(([True], ~tie)))[rows]
    by_state = rows[np.lexsort((rows, state[rows], run))]
    run_sorted = np.cumsum(np.concatenate(([True], ~tie)))[by_state]
    repeat = (run_sorted[1:] == run_sorted[:-1]) & (
        state[by_state][1:] == state[by_state][:-1]
    )
    return np.sort(by_state[1:][repeat])


def _index_of_name(names: Sequence[str], name: str) -> int:
    """Return the position of `name` in `names`, or -2 when absent."""
    try:
        return list(names).index(name)
    except ValueError:
        return -2


def _resolve_columns(
    available: set[str], *, item: str | None, status: str | None, timestamp: str | None
) -> tuple[str, str, str]:
    defaults = (
        ("item", XES_ITEM, item),
        ("status", XES_STATUS, status),
        ("timestamp", XES_TIMESTAMP, timestamp),
    )
    chosen = []
    missing = []
    for plain, xes, given in defaults:
        if given is not None:
            name = given
        elif plain in available:
            name = plain
        elif xes in available:
            name = xes
        else:
            name = plain
        if name not in available:
            missing.append(f"{plain}={name!r}")
        chosen.append(name)
    if missing and available:
        msg = (
            f"columns not found: {', '.join(missing)}; the input has "
            f"{sorted(available)} (name them with item=, status=, timestamp=)"
        )
        raise KeyError(msg)
    return chosen[0], chosen[1], chosen[2]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN from pandas
        return ""
    return str(value).strip()


def _time_text(value: object) -> str | None:
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None:
        return None
    return str(value)


def _row_message(
    key: str,
    state: str,
    time_error: str | None,
    item_field: str,
    status_field: str,
    time_field: str,
) -> tuple[str, str] | None:
    if not key:
        return item_field, "missing item key"
    if not state:
        return status_field, "missing status"
    if time_error is not None:
        return time_field, time_error
    return None


def _empty_code(names: Sequence[str]) -> int | None:
    try:
        return list(names).index("")
    except ValueError:
        return None
