"""Read and write records as CSV, Excel and JSON files, and read Jira's CSV export.

Each collection of a `Workspace` (``work_items``, ``risks``, ``kpis``,
``observations``, ``initiatives``, ...) is a *table*: one row per record, one
column per field, named and ordered as the record type declares its fields
(`table_layout` lists them). Two nested collections get tables of their own, so
that they stay editable in a spreadsheet:

* a work item's status ``history`` is the long table ``history``: the columns
  ``key, at, from_status, to_status, author``, one row per status change;
* a risk's ``mitigations`` are the table ``mitigations``, whose first column
  ``risk`` names the risk.

In CSV each table is a file of its own; in an Excel workbook each is a sheet
named after the table. An event log is the table ``events`` (``item, status,
timestamp`` and one column per item attribute); JSON goes through
`productops.model.load_records` and `Workspace.save` / `Workspace.load`.

Cells
-----
An empty cell is a missing value: the field takes its default (``None``, ``()``,
``""``). Lists of keys or labels are written ``a; b; c``; a list holding a value
with a ``;`` (or starting with ``[``) is written as a JSON array instead, and
both forms are read. Links are written ``blocks: APP-7; relates to: APP-9``.
Nested records (a release's gates, a work item's ``custom_fields``) are JSON.
Timestamps are ISO 8601 in UTC (``2024-03-04T09:00:00Z``), dates
``2024-03-29``, enums their lowercase value (read case-insensitively, with
spaces for underscores: ``In Progress`` is ``in_progress``).

Reading
-------
Headers are matched case-insensitively, with punctuation and spaces treated
alike (``Created At`` is ``created_at``), and common aliases are understood
(``Summary`` is ``title``, ``Story Points`` is ``estimate``, ...). Pass
``columns={"Issue key": "key", "Notes": None}`` to rename columns (or ignore
them, with ``None``). Other unknown columns are ignored with one
`DataRepairWarning` naming them. Every record is validated; if any is bad, one
`DataLoadError` lists every problem with its file, its row number as a
spreadsheet shows it (the header is row 1) and its column.

Timestamps without an offset need ``tz=``, as everywhere in productops. Excel
stores date-times without a zone: `write_excel` writes them in UTC and records
that in the workbook, so `read_excel` needs no ``tz=`` for its own workbooks.

Excel support needs openpyxl (``pip install 'productops[excel]'``), imported
only when an Excel function runs.
"""

from __future__ import annotations

import csv
import enum
import functools
import importlib
import io
import json
import re
import sys
import types
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from operator import itemgetter
from pathlib import Path
from typing import (
    TYPE_CHECKING,
    Annotated,
    Any,
    Final,
    Literal,
    TypeGuard,
    TypeVar,
    Union,
    cast,
    get_args,
    get_origin,
    overload,
)

from pydantic import AwareDatetime, ValidationError

from productops._gc import gc_paused
from productops.errors import (
    AdapterNotFoundError,
    ConfigurationError,
    DataLoadError,
    DataRepairWarning,
    InvalidInputError,
    RecordProblem,
)
from productops.model import (
    KPI,
    Dependency,
    Feedback,
    Incident,
    Initiative,
    Link,
    Mitigation,
    Observation,
    Process,
    ProductOpsModel,
    RaciAssignment,
    Release,
    Risk,
    Sprint,
    Stakeholder,
    StatusChange,
    Team,
    WorkItem,
    Workspace,
    load_records,
)
from productops.model._base import parse_timestamp, resolve_tz
from productops.model._io import (
    problems_from,
    read_json_file,
    record_identity,
    write_json_file,
)
from productops.model.workspace import FORMAT, FORMAT_VERSION

if TYPE_CHECKING:
    from productops.flow import EventLog

__all__ = [
    "JIRA_KEEP",
    "read_csv",
    "read_excel",
    "read_jira_csv",
    "read_json",
    "table_layout",
    "write_csv",
    "write_excel",
    "write_json",
]

CollectionName = Literal[
    "work_items",
    "releases",
    "risks",
    "kpis",
    "observations",
    "stakeholders",
    "teams",
    "raci",
    "feedback",
    "initiatives",
    "dependencies",
    "sprints",
    "incidents",
]
"""Names of the `Workspace` collections, each readable as one table."""

Record = TypeVar(
    "Record",
    WorkItem,
    Release,
    Risk,
    KPI,
    Observation,
    Stakeholder,
    Team,
    RaciAssignment,
    Feedback,
    Initiative,
    Dependency,
    Sprint,
    Incident,
)

Columns = Mapping[str, str | None]
"""A header rename: file header -> field name, or ``None`` to ignore it."""

ChildPath = str | Path | Literal[False] | None

JIRA_KEEP: Final = (
    "Issue id",
    "Project key",
    "Reporter",
    "Resolution",
    "Due date",
    "Status Category",
    "Sprint",
    "Components",
    "Component/s",
)
"""Jira CSV columns `read_jira_csv` keeps in ``custom_fields`` by default."""

_EVENTS: Final = "events"
_WORKSPACE: Final = "workspace"
_TZ_PROPERTY: Final = "productops.tz"
_EXCEL_MAX_CHARS: Final = 32_767  # Excel's limit on the text of one cell
_EXCEL_MAX_INT: Final = 2**53  # integers above lose digits in a double
_DATETIME_FORMAT: Final = "yyyy-mm-dd hh:mm:ss"
_DATE_FORMAT: Final = "yyyy-mm-dd"
_EXCEL_FIRST_YEAR: Final = 1900  # Excel has no dates before 1900
_MISSING: Final = object()
# Codecs whose text conversion cannot fail (validation comes later).
_SAFE_TEXT_CODECS: Final = frozenset(
    {"text", "enum", "int", "number", "bool", "date", "timestamp"}
)
# What pydantic strips (Unicode White_Space); Python's str.strip() also strips
# the separators U+001C..U+001F, which records may hold.
_WHITESPACE: Final = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)

# Child tables: the collection -> (the field and table name, the parent column).
_CHILDREN: Final[Mapping[str, tuple[str, str, type[ProductOpsModel]]]] = {
    "work_items": ("history", "key", StatusChange),
    "risks": ("mitigations", "risk", Mitigation),
}

# Header aliases per table, by normalised header (see `_norm`).
_ID_ALIASES: Final = {"id": "key"}
_ALIASES: Final[Mapping[str, Mapping[str, str]]] = {
    "work_items": {
        "id": "key",
        "issue_key": "key",
        "work_item_key": "key",
        "summary": "title",
        "name": "title",
        "issue_type": "type",
        "work_type": "type",
        "work_item_type": "type",
        "state": "status",
        "created_at": "created",
        "creation_date": "created",
        "updated_at": "updated",
        "resolved_at": "resolved",
        "resolution_date": "resolved",
        "assigned_to": "assignee",
        "label": "labels",
        "tags": "labels",
        "story_points": "estimate",
        "story_point_estimate": "estimate",
        "points": "estimate",
        "parent_key": "parent",
        "epic_link": "parent",
        "fix_version": "releases",
        "fix_versions": "releases",
        "fix_version_s": "releases",
        "release": "releases",
    },
    "history": {
        "id": "key",
        "issue_key": "key",
        "work_item_key": "key",
        "item": "key",
        "timestamp": "at",
        "time": "at",
        "date": "at",
        "changed": "at",
        "changed_at": "at",
        "from": "from_status",
        "old_status": "from_status",
        "previous_status": "from_status",
        "to": "to_status",
        "status": "to_status",
        "new_status": "to_status",
        "changed_by": "author",
        "by": "author",
    },
    "risks": {
        "id": "key",
        "risk_id": "key",
        "name": "title",
        "summary": "title",
        "raised": "raised_at",
        "raised_on": "raised_at",
        "closed": "closed_at",
        "closed_on": "closed_at",
        "review": "review_date",
    },
    "mitigations": {
        "key": "risk",
        "risk_key": "risk",
        "risk_id": "risk",
        "action": "description",
        "mitigation": "description",
    },
    "kpis": {"id": "key", "kpi": "key", "title": "name", "metric": "name"},
    "observations": {
        "kpi_key": "kpi",
        "metric": "kpi",
        "key": "kpi",
        "timestamp": "at",
        "start": "period_start",
        "end": "period_end",
    },
    "initiatives": {"id": "key", "name": "title", "summary": "title"},
    _EVENTS: {
        "key": "item",
        "case": "item",
        "case_id": "item",
        "case_concept_name": "item",
        "issue_key": "item",
        "work_item": "item",
        "state": "status",
        "activity": "status",
        "to_status": "status",
        "concept_name": "status",
        "at": "timestamp",
        "time": "timestamp",
        "time_timestamp": "timestamp",
        "date": "timestamp",
        "from": "from_status",
    },
}
_EVENT_ROLES: Final = ("item", "status", "timestamp", "from_status")
# EventLog.from_csv / from_records keywords an attribute column must not shadow.
_EVENT_RESERVED: Final = frozenset(
    {"path", "records", "delimiter", "tz", "process", "duplicates", *_EVENT_ROLES}
)

# Excel's escape of characters XML cannot hold (OOXML ST_Xstring): _xHHHH_. A
# carriage return is escaped too: XML parsers read it as a line feed.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")
_ESCAPE_LIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


# -- public API ------------------------------------------------------------------------


def table_layout(kind: type[Any] | str) -> dict[str, tuple[str, ...]]:
    """Return the tables a kind of record is written as, with their columns.

    Parameters
    ----------
    kind : type or str
        A record type (`WorkItem`), a collection name (``"risks"``),
        ``"events"`` (an `EventLog`) or ``"workspace"``.

    Returns
    -------
    dict of str to tuple of str
        Table (sheet) name -> column names, in the order they are written.
        Event logs add one column per item attribute after the three shown.

    Raises
    ------
    InvalidInputError
        If `kind` names nothing readable.

    Examples
    --------
    >>> from productops import Risk
    >>> layout = table_layout(Risk)
    >>> list(layout), layout["mitigations"][:3]
    (['risks', 'mitigations'], ('risk', 'description', 'owner'))
    >>> table_layout("work_items")["history"]
    ('key', 'at', 'from_status', 'to_status', 'author')
    """
    name = _kind_name(kind)
    if name == _EVENTS:
        return {_EVENTS: ("item", "status", "timestamp")}
    if name == _WORKSPACE:
        layout: dict[str, tuple[str, ...]] = {_WORKSPACE: ("field", "value")}
        for collection in Workspace.COLLECTIONS:
            layout |= table_layout(collection)
        return layout
    table = _table(name)
    layout = {table.name: table.column_names}
    if table.child is not None:
        layout[table.child.name] = table.child.column_names
    return layout


@overload
def read_csv(
    path: str | Path,
    kind: type[Record],
    *,
    tz: tzinfo | str | None = ...,
    columns: Columns | None = ...,
    history: str | Path | None = ...,
    mitigations: str | Path | None = ...,
    delimiter: str | None = ...,
    encoding: str = ...,
) -> tuple[Record, ...]: ...
@overload
def read_csv(
    path: str | Path,
    kind: CollectionName,
    *,
    tz: tzinfo | str | None = ...,
    columns: Columns | None = ...,
    history: str | Path | None = ...,
    mitigations: str | Path | None = ...,
    delimiter: str | None = ...,
    encoding: str = ...,
) -> tuple[ProductOpsModel, ...]: ...
@overload
def read_csv(
    path: str | Path,
    kind: type[EventLog] | Literal["events"],
    *,
    tz: tzinfo | str | None = ...,
    columns: Columns | None = ...,
    history: str | Path | None = ...,
    mitigations: str | Path | None = ...,
    delimiter: str | None = ...,
    encoding: str = ...,
) -> EventLog: ...
@overload
def read_csv(
    path: str | Path,
    kind: type[Any] | str,
    *,
    tz: tzinfo | str | None = ...,
    columns: Columns | None = ...,
    history: str | Path | None = ...,
    mitigations: str | Path | None = ...,
    delimiter: str | None = ...,
    encoding: str = ...,
) -> tuple[ProductOpsModel, ...] | EventLog: ...
def read_csv(
    path: str | Path,
    kind: type[Any] | str,
    *,
    tz: tzinfo | str | None = None,
    columns: Columns | None = None,
    history: str | Path | None = None,
    mitigations: str | Path | None = None,
    delimiter: str | None = None,
    encoding: str = "utf-8-sig",
) -> tuple[ProductOpsModel, ...] | EventLog:
    r"""Read records of one kind from a CSV file.

    Parameters
    ----------
    path : str or Path
        The file; its first row is the header.
    kind : type or str
        A record type (`WorkItem`, `Risk`, ...) or collection name
        (``"work_items"``), or `EventLog` / ``"events"`` for an event log.
    tz : tzinfo or str, optional
        Zone of timestamps written without an offset (an IANA name such as
        ``"Europe/Berlin"``). Without it, such timestamps are errors.
    columns : mapping, optional
        Header -> field renames, applied to every table read (``None`` ignores
        a column). For an event log, the fields are ``item``, ``status``,
        ``timestamp`` and ``from_status``; other names become item attributes.
    history : str or Path, optional
        For work items: the file of their status history (table ``history``).
    mitigations : str or Path, optional
        For risks: the file of their mitigations (table ``mitigations``).
    delimiter : str, optional
        The field delimiter; by default the one of ``,`` ``;`` ``\t`` ``|``
        the header holds most often.
    encoding : str, default "utf-8-sig"
        The text encoding; the default reads UTF-8 with or without a byte
        order mark (as Excel writes it). Event logs must be UTF-8.

    Returns
    -------
    tuple of records, or EventLog
        The records in file order. An event log is read by
        `EventLog.from_csv <productops.flow.EventLog.from_csv>`: rows it drops
        are listed in its ``problems`` (call ``raise_problems()`` to make them
        an error) rather than raised.

    Raises
    ------
    DataLoadError
        Listing every unreadable file, missing required column and bad row,
        with its row number (the header is row 1) and column.
    InvalidInputError
        If `kind` is unknown, or `history` / `mitigations` / `columns` do not
        fit it.
    ConfigurationError
        If `tz` names no known time zone.

    Warns
    -----
    DataRepairWarning
        Naming the columns that were ignored because no field has that name.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from productops import Risk
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "risks.csv"
    >>> _ = path.write_text(
    ...     "Risk ID,Title,Likelihood,Impact,Status\n"
    ...     "R-1,Vendor late,4,5,Open\n"
    ...     "R-2,Key person leaves,2,4,mitigating\n"
    ... )
    >>> risks = read_csv(path, Risk, columns={"Risk ID": "key"})
    >>> [(r.key, r.score, r.status.value) for r in risks]
    [('R-1', 20, 'open'), ('R-2', 8, 'mitigating')]
    """
    name = _kind_name(kind)
    zone = resolve_tz(tz)
    path = Path(path)
    _check_children(name, history=history, mitigations=mitigations)
    if name == _WORKSPACE:
        msg = "read a workspace with read_excel or read_json; CSV holds one table"
        raise InvalidInputError(msg)
    if name == _EVENTS:
        log, notes = _read_csv_events(
            path, tz=zone, columns=columns, delimiter=delimiter, encoding=encoding
        )
        _warn(notes)
        return log
    table = _table(name)
    _check_columns(columns, table)
    main = _csv_sheet(path, delimiter=delimiter, encoding=encoding)
    child_path = history if name == "work_items" else mitigations
    child = (
        None
        if child_path is None
        else _csv_sheet(Path(child_path), delimiter=delimiter, encoding=encoding)
    )
    records, problems, notes = _load_table(
        table, main, child, zone=zone, columns=columns
    )
    if problems:
        raise DataLoadError(problems)
    _warn(notes)
    return tuple(records)


def write_csv(
    data: Iterable[ProductOpsModel] | EventLog,
    path: str | Path,
    *,
    kind: type[Any] | str | None = None,
    history: ChildPath = None,
    mitigations: ChildPath = None,
    delimiter: str = ",",
    encoding: str = "utf-8",
    escape_formulas: bool = False,
) -> Path:
    r"""Write records of one kind, or an event log, to a CSV file.

    Columns follow `table_layout`; rows keep the order of `data`. Lines end
    in ``\r\n`` (RFC 4180, as Excel writes CSV); cells are quoted only when
    needed.

    Parameters
    ----------
    data : iterable of records, or EventLog
        Records of one type (any `Workspace` collection type), or an event log.
    path : str or Path
        The file to write (replaced if it exists).
    kind : type or str, optional
        The record type, needed only when `data` is empty (to write the
        header).
    history : str, Path or False, optional
        For work items: where to write their status history, or ``False`` to
        leave it out. Required when any item has a history, so that none is
        lost unnoticed.
    mitigations : str, Path or False, optional
        The same for the mitigations of risks.
    delimiter : str, default ","
        The field delimiter (``";"`` suits Excel in many European locales).
    encoding : str, default "utf-8"
        ``"utf-8-sig"`` adds the byte order mark Excel needs to recognise
        UTF-8 when it opens the file.
    escape_formulas : bool, default False
        Prefix with ``'`` every cell that a spreadsheet would run as a formula
        (text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
        return, that is not a number), as OWASP's "CSV Injection" advice says.
        Turn it on for files people open in Excel or Sheets; leave it off for
        files read back by programs (`read_csv` keeps the ``'``, so the round
        trip is no longer exact).

    Returns
    -------
    Path
        The path of the main file.

    Raises
    ------
    InvalidInputError
        If the records are of mixed or unknown types, or a history or
        mitigations would be dropped without ``False``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from productops import WorkItem
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> items = [WorkItem(key="APP-1", title="Export", status="Done",
    ...                   created="2024-01-02T09:00:00Z", labels=["ui", "csv"],
    ...                   history=[{"at": "2024-01-03T10:00:00+01:00",
    ...                             "from_status": "To Do", "to_status": "Done"}])]
    >>> path = write_csv(items, folder / "items.csv", history=folder / "history.csv")
    >>> print(path.read_text().splitlines()[1][:48])
    APP-1,Export,story,Done,2024-01-02T09:00:00Z,,,,
    >>> print((folder / "history.csv").read_text().splitlines()[1])
    APP-1,2024-01-03T09:00:00Z,To Do,Done,
    >>> read_csv(path, WorkItem, history=folder / "history.csv") == tuple(items)
    True
    >>> risky = [WorkItem(key="APP-2", title="=HYPERLINK(1)", status="Done",
    ...                   created="2024-01-02T09:00:00Z")]
    >>> path = write_csv(risky, folder / "safe.csv", escape_formulas=True)
    >>> print(path.read_text().splitlines()[1][:20])
    APP-2,'=HYPERLINK(1)
    """
    path = Path(path)
    if _is_workspace(data):
        msg = "write a workspace with write_excel or write_json; CSV holds one table"
        raise InvalidInputError(msg)
    if _is_event_log(data):
        _check_children(_EVENTS, history=history, mitigations=mitigations)
        header, rows = _event_rows(data)
        _write_csv_rows(
            path,
            header,
            ([_csv_cell(value) for value in row] for row in rows),
            delimiter=delimiter,
            encoding=encoding,
            escape_formulas=escape_formulas,
        )
        return path
    records = _as_records(data)
    table = _table(_records_kind(records, kind))
    _check_children(table.name, history=history, mitigations=mitigations)
    child_path = history if table.name == "work_items" else mitigations
    if table.child is not None and child_path is None:
        holding = sum(1 for record in records if getattr(record, table.child.name))
        if holding:
            option = table.child.name
            msg = (
                f"{holding} of {len(records)} {table.name} hold {option}, which a "
                f"CSV file of {table.name} cannot: pass {option}='<file>.csv' to "
                f"write them as a second table, or {option}=False to leave them out"
            )
            raise InvalidInputError(msg)
    main_rows, child_rows = _text_rows(records, table)
    _write_csv_rows(
        path,
        table.column_names,
        main_rows,
        delimiter=delimiter,
        encoding=encoding,
        escape_formulas=escape_formulas,
    )
    if table.child is not None and child_path:
        _write_csv_rows(
            Path(child_path),
            table.child.column_names,
            child_rows,
            delimiter=delimiter,
            encoding=encoding,
            escape_formulas=escape_formulas,
        )
    return path


@overload
def read_excel(
    path: str | Path,
    kind: type[Record],
    *,
    sheet: str | None = ...,
    tz: tzinfo | str | None = ...,
    columns: Columns | None = ...,
) -> tuple[Record, ...]: ...
@overload
def read_excel(
    path: str | Path,
    kind: CollectionName,
    *,
    sheet: str | None = ...,
    tz: tzinfo | str | None = ...,
    columns: Columns | None = ...,
) -> tuple[ProductOpsModel, ...]: ...
@overload
def read_excel(
    path: str | Path,
    kind: type[EventLog] | Literal["events"],
    *,
    sheet: str | None = ...,
    tz: tzinfo | str | None = ...,
    columns: Columns | None = ...,
) -> EventLog: ...
@overload
def read_excel(
    path: str | Path,
    kind: type[Workspace] | Literal["workspace"],
    *,
    sheet: str | None = ...,
    tz: tzinfo | str | None = ...,
    columns: Columns | None = ...,
) -> Workspace: ...
@overload
def read_excel(
    path: str | Path,
    kind: type[Any] | str,
    *,
    sheet: str | None = ...,
    tz: tzinfo | str | None = ...,
    columns: Columns | None = ...,
) -> tuple[ProductOpsModel, ...] | EventLog | Workspace: ...
def read_excel(
    path: str | Path,
    kind: type[Any] | str,
    *,
    sheet: str | None = None,
    tz: tzinfo | str | None = None,
    columns: Columns | None = None,
) -> tuple[ProductOpsModel, ...] | EventLog | Workspace:
    """Read records of one kind, an event log or a workspace from an Excel file.

    The sheet is the one named after the table (``work_items``, ``risks``,
    ``events``), else the only sheet of the workbook; a work item sheet takes
    its status history from the sheet ``history``, a risk sheet its
    mitigations from ``mitigations``, when the workbook has one. A workspace
    is read from the sheets `write_excel` writes; collections without a sheet
    are empty.

    Cells keep their types: numbers, booleans, dates and date-times are used
    as they are (a number in a date column is an Excel serial date), text is
    read as in `read_csv`, and a formula gives the value Excel last computed
    (none in a workbook no spreadsheet program has saved). Excel date-times
    carry no zone: they are read in `tz`, or, for a workbook written by
    `write_excel`, in the UTC it records.

    Parameters
    ----------
    path : str or Path
        An ``.xlsx`` workbook.
    kind : type or str
        A record type or collection name, `EventLog` / ``"events"``, or
        `Workspace` / ``"workspace"``.
    sheet : str, optional
        The sheet to read instead of the default one.
    tz : tzinfo or str, optional
        Zone of date-times without one. A workbook written by `write_excel`
        holds UTC date-times; a `tz` other than UTC is an error for it.
    columns : mapping, optional
        Header -> field renames, as in `read_csv`.

    Returns
    -------
    tuple of records, EventLog or Workspace
        What `kind` asks for.

    Raises
    ------
    DataLoadError
        Listing every bad row with its sheet, row number and column, and every
        missing sheet or required column.
    AdapterNotFoundError
        If openpyxl is not installed (``pip install 'productops[excel]'``).
    ConfigurationError
        If `tz` is unknown, or contradicts the zone the workbook records.

    Warns
    -----
    DataRepairWarning
        Naming ignored columns, and sheets a workspace does not know.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from productops import KPI
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "kpis.xlsx"
    >>> kpis = [KPI(key="nps", name="NPS", green=40, red=20)]
    >>> read_excel(write_excel(kpis, path), KPI) == tuple(kpis)
    True
    """
    name = _kind_name(kind)
    path = Path(path)
    zone = resolve_tz(tz)
    if name == _WORKSPACE and sheet is not None:
        msg = "sheet= selects one table; a workspace is read from all its sheets"
        raise InvalidInputError(msg)
    with _open_workbook(path) as (book, recorded):
        zone = _excel_zone(recorded, zone, source=str(path))
        if name == _WORKSPACE:
            workspace, notes = _read_excel_workspace(book, path, zone, columns)
            _warn(notes)
            return workspace
        if name == _EVENTS:
            main = _excel_sheet(book, path, sheet or _EVENTS)
            log, notes = _events_from_sheet(main, zone, columns)
            _warn(notes)
            return log
        table = _table(name)
        _check_columns(columns, table)
        main = _excel_sheet(book, path, sheet or table.name)
        child = None
        if table.child is not None and table.child.name in book.sheetnames:
            child = _excel_sheet(book, path, table.child.name)
        records, problems, notes = _load_table(
            table, main, child, zone=zone, columns=columns
        )
    if problems:
        raise DataLoadError(problems)
    _warn(notes)
    return tuple(records)


def write_excel(
    data: Workspace | Iterable[ProductOpsModel] | EventLog,
    path: str | Path,
    *,
    kind: type[Any] | str | None = None,
) -> Path:
    """Write a workspace, records of one kind, or an event log to an Excel file.

    A workspace becomes one sheet per collection, in `Workspace.COLLECTIONS`
    order (``history`` after ``work_items``, ``mitigations`` after ``risks``),
    after a sheet ``workspace`` holding its name, description and process;
    records become their table's sheet (and its child sheet); an event log the
    sheet ``events``. Header rows are bold and frozen.

    Values keep their types. Date-times are Excel date-times in UTC (the
    workbook records the zone, so `read_excel` reads them back exactly);
    a value Excel cannot hold exactly is written as text instead: a
    date-time with sub-millisecond digits (ISO 8601, with its offset) or
    before 1900, and a number that needs 17 significant digits. Control
    characters are escaped as Excel does (``_x000B_``).

    Parameters
    ----------
    data : Workspace, iterable of records, or EventLog
        What to write.
    path : str or Path
        The ``.xlsx`` file to write (replaced if it exists).
    kind : type or str, optional
        The record type, needed only when `data` is an empty iterable.

    Returns
    -------
    Path
        `path`.

    Raises
    ------
    InvalidInputError
        If records are of mixed or unknown types, or a text is longer than
        the 32,767 characters an Excel cell holds (every such cell is listed).
    AdapterNotFoundError
        If openpyxl is not installed (``pip install 'productops[excel]'``).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from productops import Process, Team, Workspace
    >>> ws = Workspace(name="acme", process=Process.kanban_default(),
    ...                teams=[Team(key="core", name="Core", members=["ann", "bo"])])
    >>> path = write_excel(ws, pathlib.Path(tempfile.mkdtemp()) / "acme.xlsx")
    >>> read_excel(path, "workspace") == ws
    True
    """
    path = Path(path)
    openpyxl = _import("openpyxl")
    writer = _ExcelWriter()
    if _is_workspace(data):
        writer.workspace_sheet(data)
        for name in Workspace.COLLECTIONS:
            writer.table(_table(name), getattr(data, name))
    elif _is_event_log(data):
        header, rows = _event_rows(data)
        writer.sheet(_EVENTS, header, rows)
    else:
        records = _as_records(data)
        writer.table(_table(_records_kind(records, kind)), records)
    if writer.problems:
        count = len(writer.problems)
        lines = [f"{count} cell(s) cannot be written to Excel:"]
        lines += [f"  - {problem}" for problem in writer.problems]
        raise InvalidInputError("\n".join(lines))
    book = openpyxl.Workbook(write_only=True)
    writer.fill(book)
    custom = _import("openpyxl.packaging.custom")
    book.custom_doc_props.append(custom.StringProperty(name=_TZ_PROPERTY, value="UTC"))
    book.save(path)
    return path


@overload
def read_json(
    path: str | Path, kind: type[Record], *, tz: tzinfo | str | None = ...
) -> tuple[Record, ...]: ...
@overload
def read_json(
    path: str | Path, kind: CollectionName, *, tz: tzinfo | str | None = ...
) -> tuple[ProductOpsModel, ...]: ...
@overload
def read_json(
    path: str | Path,
    kind: type[EventLog] | Literal["events"],
    *,
    tz: tzinfo | str | None = ...,
) -> EventLog: ...
@overload
def read_json(
    path: str | Path,
    kind: type[Workspace] | Literal["workspace"],
    *,
    tz: tzinfo | str | None = ...,
) -> Workspace: ...
@overload
def read_json(
    path: str | Path, kind: type[Any] | str, *, tz: tzinfo | str | None = ...
) -> tuple[ProductOpsModel, ...] | EventLog | Workspace: ...
def read_json(
    path: str | Path, kind: type[Any] | str, *, tz: tzinfo | str | None = None
) -> tuple[ProductOpsModel, ...] | EventLog | Workspace:
    """Read records from a JSON or JSON Lines file, or a workspace folder.

    Records go through `productops.model.load_records` and a workspace through
    `Workspace.load`, so the format is the workspace folder's. An event log is
    a JSON array (or JSON Lines) of objects with ``item``, ``status`` and
    ``timestamp`` (and optionally ``from_status``); every other key is an item
    attribute, as `write_json` writes it.

    Parameters
    ----------
    path : str or Path
        A ``.json`` or ``.jsonl`` file, or a workspace folder.
    kind : type or str
        A record type or collection name, `EventLog` / ``"events"``, or
        `Workspace` / ``"workspace"``.
    tz : tzinfo or str, optional
        Zone of timestamps written without an offset.

    Returns
    -------
    tuple of records, EventLog or Workspace
        What `kind` asks for.

    Raises
    ------
    DataLoadError
        If the file cannot be read or any record is invalid (all are listed).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from productops import Initiative
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "bets.jsonl"
    >>> bets = [Initiative(key="I-1", title="SSO", reach=900, effort=3)]
    >>> print(write_json(bets, path).read_text()[:46])
    {"key": "I-1", "title": "SSO", "description":
    >>> read_json(path, Initiative) == tuple(bets)
    True
    """
    name = _kind_name(kind)
    if name == _WORKSPACE:
        return Workspace.load(path, tz=tz)
    if name == _EVENTS:
        return _read_json_events(Path(path), tz=resolve_tz(tz))
    return load_records(path, _table(name).model, tz=tz)


def write_json(
    data: Workspace | Iterable[ProductOpsModel] | EventLog,
    path: str | Path,
    *,
    kind: type[Any] | str | None = None,
) -> Path:
    """Write records to a JSON or JSON Lines file, or a workspace to a folder.

    Records are written as a workspace folder writes them (every field, two-
    space indentation, UTF-8); a path ending in ``.jsonl`` gets one record per
    line instead. A workspace is saved with `Workspace.save` into the folder
    `path`. An event log is an array of ``{"item", "status", "timestamp",
    <attributes>}`` objects.

    Parameters
    ----------
    data : Workspace, iterable of records, or EventLog
        What to write.
    path : str or Path
        The file, or the folder for a workspace.
    kind : type or str, optional
        Accepted for symmetry with the other writers; JSON needs no header,
        so an empty iterable is written as ``[]`` whatever it is.

    Returns
    -------
    Path
        `path`.

    Raises
    ------
    InvalidInputError
        If the records are of mixed or unknown types.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from productops import Team
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "teams.json"
    >>> print(write_json([Team(key="core", name="Core")], path).read_text()[:26])
    [
      {
        "key": "core",
    """
    path = Path(path)
    if _is_workspace(data):
        return data.save(path)
    if _is_event_log(data):
        header, rows = _event_rows(data)
        objects: list[dict[str, object]] = [
            {
                name: value.isoformat().replace("+00:00", "Z")
                if isinstance(value, datetime)
                else value
                for name, value in zip(header, row, strict=True)
            }
            for row in rows
        ]
    else:
        records = _as_records(data)
        if records or kind is not None:
            _records_kind(records, kind)
        objects = [record.model_dump(mode="json") for record in records]
    if path.suffix == ".jsonl":
        text = "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in objects)
        path.write_text(text, encoding="utf-8", newline="\n")
    else:
        write_json_file(path, objects)
    return path


def read_jira_csv(
    path: str | Path,
    *,
    tz: tzinfo | str,
    process: Process | None = None,
    story_points: str | None = "Custom field (Story point estimate)",
    keep: Sequence[str] = JIRA_KEEP,
    delimiter: str | None = None,
    encoding: str = "utf-8-sig",
) -> tuple[WorkItem, ...]:
    r"""Read work items from Jira's CSV export ("Export Excel CSV (all fields)").

    Jira writes one column per value of a multi-value field, all with the same
    header (``Labels``, ``Sprint``, ``Fix versions``, ``Outward issue link
    (Blocks)``), and dates such as ``01/Feb/24 8:00 AM`` in the exporting
    user's time zone, without an offset: hence the required `tz`. Mapped:

    ============================================  ===================================
    Jira column                                   WorkItem field
    ============================================  ===================================
    Issue key (Work item key)                     key
    Summary                                       title
    Issue Type                                    type
    Status                                        status (as Jira names it)
    Created, Updated, Resolved                    created, updated, resolved
    Assignee, Priority                            assignee, priority
    Labels (each column, space-separated)         labels
    Fix Version/s, Fix versions                   releases
    Parent key, Custom field (Epic Link),         parent (a numeric Parent id is
    Parent                                        looked up in the Issue id column)
    Outward / Inward issue link (<type>)          links: ``blocks`` / ``is blocked
                                                  by``, ``clones`` / ``is cloned
                                                  by``, ``duplicates`` / ``is
                                                  duplicated by``, ``relates to``;
                                                  other types: the type in lower
                                                  case, inward ones ``(inward)``
    `story_points`                                estimate
    the columns named in `keep`                   custom_fields (``Sprint`` and
                                                  ``Components`` as lists)
    ============================================  ===================================

    The export holds no status history: each item's history is empty, so flow
    metrics see it only in its current status. Read items with their
    changelog through the Jira adapter (the REST API) for flow analysis.

    Parameters
    ----------
    path : str or Path
        The exported file.
    tz : tzinfo or str
        The time zone of the user who exported it (Jira profile setting).
    process : Process, optional
        When given, every status must be one of its states; others are
        reported as bad rows.
    story_points : str or None, default "Custom field (Story point estimate)"
        The column of the estimate: team-managed projects use the default,
        company-managed ones usually ``"Custom field (Story Points)"``
        (used when the default column is absent). ``None``: no estimates.
    keep : sequence of str, default JIRA_KEEP
        Further columns to keep, verbatim, in ``custom_fields``; absent ones
        are skipped.
    delimiter : str, optional
        The field delimiter; sniffed from the header by default.
    encoding : str, default "utf-8-sig"
        The text encoding.

    Returns
    -------
    tuple of WorkItem
        In file order, with ``source="jira"``.

    Raises
    ------
    DataLoadError
        Listing every bad row (unreadable date, missing key, status unknown
        to `process`, duplicate key, ...) and missing required column.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "jira.csv"
    >>> _ = path.write_text(
    ...     "Summary,Issue key,Issue id,Issue Type,Status,Created,Labels,Labels,"
    ...     "Outward issue link (Blocks),Custom field (Story point estimate)\n"
    ...     "Export to CSV,APP-1,10001,Story,In Progress,01/Feb/24 8:00 AM,"
    ...     "ui,csv,APP-2,3.0\n"
    ... )
    >>> item, = read_jira_csv(path, tz="Europe/Berlin")
    >>> item.created.isoformat(), item.labels, item.links[0].kind, item.estimate
    ('2024-02-01T07:00:00+00:00', ('ui', 'csv'), 'blocks', 3.0)
    """
    zone = resolve_tz(tz)
    if zone is None:
        msg = (
            "tz: Jira writes dates without a zone, in the exporting user's time "
            "zone; give it, e.g. tz='Europe/Berlin'"
        )
        raise InvalidInputError(msg)
    with gc_paused():
        sheet = _csv_sheet(Path(path), delimiter=delimiter, encoding=encoding)
        reader = _JiraReader(sheet, zone, story_points=story_points, keep=keep)
        return reader.read(process)


# -- kinds and tables ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Column:
    name: str
    codec: str
    """How cells are read and written: text, list, links, json, enum, bool,
    int, number, date or timestamp."""
    required: bool


@dataclass(frozen=True, slots=True)
class _Table:
    name: str
    model: type[ProductOpsModel]
    columns: tuple[_Column, ...]
    label: str
    """The field that names a row in messages (its key, when it has one)."""
    aliases: Mapping[str, str]
    child: _Table | None = None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def column(self, name: str) -> _Column:
        return next(column for column in self.columns if column.name == name)


def _kind_name(kind: object) -> str:
    """Return the table name a kind of record is read as, or raise."""
    if isinstance(kind, str):
        if kind in Workspace.COLLECTIONS or kind in (_EVENTS, _WORKSPACE):
            return kind
    elif isinstance(kind, type):
        if issubclass(kind, Workspace):
            return _WORKSPACE
        for name, model in Workspace.COLLECTIONS.items():
            if issubclass(kind, model):
                return name
        if kind.__name__ == "EventLog" and kind.__module__.startswith(
            "productops.flow"
        ):
            return _EVENTS
    known = [*Workspace.COLLECTIONS, _EVENTS, _WORKSPACE]
    msg = (
        f"kind: {kind!r} is not a kind of record; give a record type such as "
        f"WorkItem, EventLog or Workspace, or one of {known}"
    )
    raise InvalidInputError(msg)


@functools.cache
def _table(name: str) -> _Table:
    model = Workspace.COLLECTIONS[name]
    child_spec = _CHILDREN.get(name)
    child = None
    exclude: set[str] = set()
    if child_spec is not None:
        field_name, parent, child_model = child_spec
        exclude.add(field_name)
        child = _Table(
            name=field_name,
            model=child_model,
            columns=(_Column(parent, "text", required=True), *_columns(child_model)),
            label=parent,
            aliases=_ALIASES[field_name],
        )
    label = "key" if "key" in model.model_fields else next(iter(model.model_fields))
    return _Table(
        name=name,
        model=model,
        columns=_columns(model, exclude=exclude),
        label=label,
        aliases=_ALIASES.get(name, _ID_ALIASES),
        child=child,
    )


def _columns(
    model: type[ProductOpsModel], *, exclude: set[str] | None = None
) -> tuple[_Column, ...]:
    return tuple(
        _Column(name, _codec(info.annotation), info.is_required())
        for name, info in model.model_fields.items()
        if name not in (exclude or set())
    )


def _unwrap(annotation: object) -> object:
    """Strip ``Annotated`` and ``Optional`` from a field annotation."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
            continue
        if origin is Union or origin is types.UnionType:
            args = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(args) == 1:
                annotation = args[0]
                continue
        return annotation


def _codec(annotation: object) -> str:
    inner = _unwrap(annotation)
    origin = get_origin(inner)
    if origin is tuple:
        item = _unwrap(get_args(inner)[0])
        if item is str:
            return "list"
        return "links" if item is Link else "json"
    if not isinstance(inner, type) or origin is not None:
        return "json"
    if inner is AwareDatetime or issubclass(inner, datetime):
        return "timestamp"
    if issubclass(inner, enum.Enum):
        return "enum"
    scalars = {bool: "bool", int: "int", float: "number", str: "text", date: "date"}
    return scalars.get(inner, "json")


def _records_kind(records: Sequence[ProductOpsModel], kind: object) -> str:
    """Return the table name of `records`, checking they are of one type."""
    if kind is not None:
        name = _kind_name(kind)
    elif records:
        name = _kind_name(type(records[0]))
    else:
        msg = "cannot tell the kind of an empty sequence of records; pass kind="
        raise InvalidInputError(msg)
    if name in (_EVENTS, _WORKSPACE):
        msg = f"kind: {name!r} is not a kind of record in a sequence"
        raise InvalidInputError(msg)
    model = Workspace.COLLECTIONS[name]
    wrong = sorted(
        {type(record).__name__ for record in records if not isinstance(record, model)}
    )
    if wrong:
        msg = f"records of one type expected ({model.__name__}); also got {wrong}"
        raise InvalidInputError(msg)
    return name


def _check_children(
    name: str, *, history: ChildPath | None, mitigations: ChildPath | None
) -> None:
    for option, value, owner in (
        ("history", history, "work_items"),
        ("mitigations", mitigations, "risks"),
    ):
        if value is not None and name != owner:
            msg = f"{option}= is for {owner}, not {name}"
            raise InvalidInputError(msg)


def _check_columns(columns: Columns | None, table: _Table) -> None:
    if not columns:
        return
    known = set(table.column_names)
    if table.child is not None:
        known |= set(table.child.column_names)
    bad = sorted(
        str(target)
        for target in columns.values()
        if target is not None and target not in known
    )
    if bad:
        msg = (
            f"columns: {bad} name no field of {table.name}; the fields are "
            f"{sorted(known)} (or None to ignore a column)"
        )
        raise InvalidInputError(msg)


def _as_records(data: object) -> list[ProductOpsModel]:
    """Return `data` (neither a workspace nor an event log) as a list."""
    return list(cast("Iterable[ProductOpsModel]", data))


def _is_workspace(data: object) -> TypeGuard[Workspace]:
    return isinstance(data, Workspace)


def _is_event_log(data: object) -> TypeGuard[EventLog]:
    # An EventLog exists only once its module is imported: no need to import it.
    module = sys.modules.get("productops.flow._eventlog")
    return module is not None and isinstance(data, module.EventLog)


def _import(name: str) -> Any:
    """Import an optional module (openpyxl), naming the extra when it is missing."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        msg = (
            "Excel files need openpyxl, which is not installed: "
            "pip install 'productops[excel]'"
        )
        raise AdapterNotFoundError(msg, adapter="files") from exc


def _warn(notes: Sequence[str]) -> None:
    for note in notes:
        warnings.warn(note, DataRepairWarning, stacklevel=3)


# -- problems --------------------------------------------------------------------------


class _RowProblem(RecordProblem):
    """A `RecordProblem` of a table: `position` is the row a spreadsheet shows."""

    __slots__ = ()

    def __str__(self) -> str:
        where = self.source
        if self.position is not None:
            where += f" row {self.position}"
        if self.key is not None:
            where += f" (key={self.key!r})"
        column = f" column {self.field!r}" if self.field else ""
        return f"{where}{column}: {self.message}"


def _file_problem(source: str, message: str) -> _RowProblem:
    return _RowProblem(source, None, None, "", message)


# -- reading tables --------------------------------------------------------------------


@dataclass(slots=True)
class _Sheet:
    """A table as read: its header and its rows, numbered as a spreadsheet does."""

    source: str
    header: list[str]
    rows: list[tuple[int, list[object]]]
    excel: bool


@dataclass(slots=True)
class _Resolution:
    fields: dict[str, list[int]] = field(default_factory=dict)
    header_of: dict[str, str] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    problems: list[RecordProblem] = field(default_factory=list)


@dataclass(slots=True)
class _Row:
    number: int
    raw: dict[str, object]
    key: str | None
    children: list[int] = field(default_factory=list)
    """Row numbers of the child rows, in the order of `child_raw`."""
    child_raw: list[dict[str, object]] = field(default_factory=list)
    failed: AbstractSet[str] = frozenset()
    """Fields whose cells could not be converted (already reported)."""


def _norm(text: str) -> str:
    """Normalise a header: case-folded, runs of punctuation and spaces as ``_``."""
    return re.sub(r"[\W_]+", "_", text.casefold()).strip("_")


def _resolve(
    sheet: _Sheet,
    fields: Sequence[str],
    aliases: Mapping[str, str],
    columns: Columns | None,
    *,
    list_fields: Iterable[str] = (),
    required: Iterable[str] = (),
) -> _Resolution:
    """Match a header to fields: explicit renames, then names, then aliases."""
    result = _Resolution()
    explicit = dict(columns or {})
    explicit_norm = {_norm(name): target for name, target in explicit.items()}
    by_name = {_norm(name): name for name in fields}
    ranked: dict[str, list[tuple[int, int]]] = {}
    for index, text in enumerate(sheet.header):
        if not text:
            continue
        norm = _norm(text)
        if text in explicit or norm in explicit_norm:
            target = explicit[text] if text in explicit else explicit_norm[norm]
            if target is None:
                continue
            if target not in fields:  # a rename meant for another table
                result.unknown.append(text)
                continue
            rank = 0
        elif norm in by_name:
            target, rank = by_name[norm], 1
        elif norm in aliases and aliases[norm] in fields:
            target, rank = aliases[norm], 2
        else:
            result.unknown.append(text)
            continue
        ranked.setdefault(target, []).append((rank, index))
    lists = set(list_fields)
    for target, candidates in ranked.items():
        best = min(rank for rank, _ in candidates)
        chosen = [index for rank, index in candidates if rank == best]
        result.unknown += [
            sheet.header[index] for rank, index in candidates if rank != best
        ]
        if len(chosen) > 1 and target not in lists:
            names = [sheet.header[index] for index in chosen]
            result.problems.append(
                _file_problem(
                    sheet.source, f"columns {names} all give the field {target!r}"
                )
            )
            continue
        result.fields[target] = chosen
        result.header_of[target] = sheet.header[chosen[0]]
    missing = [name for name in required if name not in result.fields]
    if missing:
        message = (
            f"no column for the required field(s) {missing}; the header is "
            f"{[text for text in sheet.header if text]} (rename with columns=)"
        )
        result.problems.append(_file_problem(sheet.source, message))
    return result


def _table_resolution(
    sheet: _Sheet, table: _Table, columns: Columns | None
) -> _Resolution:
    return _resolve(
        sheet,
        table.column_names,
        table.aliases,
        columns,
        list_fields=[c.name for c in table.columns if c.codec in ("list", "links")],
        required=[c.name for c in table.columns if c.required],
    )


def _unknown_note(sheet: _Sheet, unknown: Sequence[str]) -> list[str]:
    if not unknown:
        return []
    return [
        f"{sheet.source}: ignored {len(unknown)} unknown column(s) {list(unknown)}; "
        "name their field with columns={...}, or None to ignore them quietly"
    ]


def _load_table(
    table: _Table,
    main: _Sheet,
    child: _Sheet | None,
    *,
    zone: tzinfo | None,
    columns: Columns | None,
) -> tuple[list[ProductOpsModel], list[RecordProblem], list[str]]:
    """Read, convert and validate a table and its child table."""
    with gc_paused():
        return _load_table_unpaused(table, main, child, zone=zone, columns=columns)


def _load_table_unpaused(
    table: _Table,
    main: _Sheet,
    child: _Sheet | None,
    *,
    zone: tzinfo | None,
    columns: Columns | None,
) -> tuple[list[ProductOpsModel], list[RecordProblem], list[str]]:
    resolution = _table_resolution(main, table, columns)
    problems = list(resolution.problems)
    notes = _unknown_note(main, resolution.unknown)
    child_resolution = None
    if child is not None and table.child is not None:
        child_resolution = _table_resolution(child, table.child, columns)
        problems += child_resolution.problems
        notes += _unknown_note(child, child_resolution.unknown)
    if problems:
        return [], problems, notes
    rows = _raw_rows(main, table, resolution, problems)
    if child is not None and table.child is not None and child_resolution is not None:
        _attach_children(rows, child, table.child, child_resolution, problems, main)
    records: list[ProductOpsModel] = []
    # Keys are compared as written, valid or not; records without a key by
    # their contents, once valid (as Workspace.load does).
    keyed = table.label == "key"
    first_row: dict[object, int] = {}
    if keyed:
        for row in rows:
            first = first_row.setdefault(row.key, row.number)
            if row.key is not None and first != row.number:
                header = resolution.header_of[table.label]
                message = f"duplicate of row {first}"
                problems.append(
                    _RowProblem(main.source, row.number, row.key, header, message)
                )
    context = {"tz": zone}
    child_header = {} if child_resolution is None else child_resolution.header_of
    for row in rows:
        if row.child_raw and table.child is not None:
            row.raw[table.child.name] = row.child_raw
        try:
            record = table.model.model_validate(row.raw, context=context)
        except ValidationError as exc:
            problems += [
                _validation_problem(
                    detail,
                    row=row,
                    table=table,
                    source=main.source,
                    header_of=resolution.header_of,
                    child_source=None if child is None else child.source,
                    child_header_of=child_header,
                )
                for detail in exc.errors(include_url=False, include_input=False)
                if not detail["loc"] or detail["loc"][0] not in row.failed
            ]
            continue
        if not keyed:
            identity = record_identity(record)
            if identity in first_row:
                message = f"duplicate of row {first_row[identity]}"
                problems.append(
                    _RowProblem(main.source, row.number, row.key, "", message)
                )
                continue
            first_row[identity] = row.number
        records.append(record)
    # In file order: the main table's rows, then the child table's.
    problems.sort(key=lambda p: (p.source != main.source, p.position or 0))
    return records, problems, notes


def _raw_rows(
    sheet: _Sheet, table: _Table, resolution: _Resolution, problems: list[RecordProblem]
) -> list[_Row]:
    """Turn cells into the dicts the record type validates, a column at a time."""
    width = len(sheet.header)
    padded: list[Sequence[object]] = [cells for _, cells in sheet.rows]
    if any(len(cells) < width for cells in padded):
        padded = [
            cells if len(cells) >= width else [*cells, *([None] * (width - len(cells)))]
            for cells in padded
        ]
    numbers = [number for number, _ in sheet.rows]
    keys: list[str | None] = [None] * len(padded)
    failed: dict[int, set[str]] = {}
    names: list[str] = []
    columns: list[list[object]] = []
    # The label (key) column first, so that messages about the others name it.
    for name in sorted(resolution.fields, key=lambda name: name != table.label):
        column = table.column(name)
        indices = resolution.fields[name]
        values, errors = _convert_column(padded, indices, column, excel=sheet.excel)
        header = resolution.header_of[name]
        for position, message in errors:
            problems.append(
                _RowProblem(
                    sheet.source, numbers[position], keys[position], header, message
                )
            )
            failed.setdefault(position, set()).add(name)
        if name == table.label:
            keys = [
                value.strip(_WHITESPACE) or None if isinstance(value, str) else None
                for value in values
            ]
        names.append(name)
        columns.append(values)
    rows = []
    value_rows: Iterable[Sequence[object]] = (
        zip(*columns, strict=True) if columns else ([] for _ in padded)
    )
    for position, row_values in enumerate(value_rows):
        raw = {
            name: value
            for name, value in zip(names, row_values, strict=True)
            if value is not _MISSING
        }
        cells = sheet.rows[position][1]
        if len(cells) > width and any(not _is_blank(cell) for cell in cells[width:]):
            message = f"the row has {len(cells)} cells but the header only {width}"
            problems.append(
                _RowProblem(
                    sheet.source, numbers[position], keys[position], "", message
                )
            )
        rows.append(
            _Row(
                numbers[position],
                raw,
                keys[position],
                failed=failed.get(position, frozenset()),
            )
        )
    return rows


def _convert_column(
    rows: Sequence[Sequence[object]],
    indices: Sequence[int],
    column: _Column,
    *,
    excel: bool,
) -> tuple[list[object], list[tuple[int, str]]]:
    """Return a field's values for every row, and the (row, message) errors."""
    codec = column.codec
    empty = "" if codec == "text" and column.required else _MISSING
    if len(indices) == 1 and not excel and codec in _SAFE_TEXT_CODECS:
        # CSV cells are text: the codecs that cannot fail run as one comprehension.
        cells = list(map(itemgetter(indices[0]), rows))
        if codec == "text":
            return [
                cell if isinstance(cell, str) and cell.strip(_WHITESPACE) else empty
                for cell in cells
            ], []
        if codec == "enum":
            return [
                _read_text(cell, codec)
                if isinstance(cell, str) and cell.strip(_WHITESPACE)
                else empty
                for cell in cells
            ], []
        return [
            cell.strip(_WHITESPACE) or empty if isinstance(cell, str) else empty
            for cell in cells
        ], []
    values: list[object] = []
    errors: list[tuple[int, str]] = []
    if len(indices) == 1 and not excel:
        index = indices[0]
        parse = _TEXT_PARSERS[codec]
        for position, row in enumerate(rows):
            cell = row[index]
            if not isinstance(cell, str) or not cell.strip(_WHITESPACE):
                values.append(empty)
                continue
            try:
                values.append(parse(cell))
            except ValueError as exc:
                values.append(_MISSING)
                errors.append((position, str(exc)))
        return values, errors
    for position, row in enumerate(rows):
        try:
            values.append(_read_cells(row, indices, column, excel=excel))
        except ValueError as exc:
            values.append(_MISSING)
            errors.append((position, str(exc)))
    return values, errors


def _attach_children(
    rows: list[_Row],
    child: _Sheet,
    table: _Table,
    resolution: _Resolution,
    problems: list[RecordProblem],
    parents: _Sheet,
) -> None:
    """Give each parent row its child rows, matched by the parent column."""
    by_key: dict[str, _Row] = {}
    for row in rows:
        if row.key is not None:
            by_key.setdefault(row.key, row)
    header = resolution.header_of[table.label]
    for child_row in _raw_rows(child, table, resolution, problems):
        child_row.raw.pop(table.label, None)
        key = child_row.key
        parent = None if key is None else by_key.get(key)
        if parent is None:
            message = (
                f"empty; give the key of a row of {parents.source}"
                if key is None
                else f"no row with key {key!r} in {parents.source}"
            )
            problems.append(
                _RowProblem(child.source, child_row.number, key, header, message)
            )
            continue
        parent.child_raw.append(child_row.raw)
        parent.children.append(child_row.number)


def _validation_problem(
    detail: Mapping[str, Any],
    *,
    row: _Row,
    table: _Table,
    source: str,
    header_of: Mapping[str, str],
    child_source: str | None,
    child_header_of: Mapping[str, str],
) -> RecordProblem:
    loc = tuple(detail["loc"])
    message = str(detail["msg"]).removeprefix("Value error, ")
    if (
        table.child is not None
        and child_source is not None
        and len(loc) >= 2
        and loc[0] == table.child.name
        and isinstance(loc[1], int)
        and loc[1] < len(row.children)
    ):
        column = _column_path(loc[2:], child_header_of)
        return _RowProblem(child_source, row.children[loc[1]], row.key, column, message)
    return _RowProblem(
        source, row.number, row.key, _column_path(loc, header_of), message
    )


def _column_path(loc: Sequence[object], header_of: Mapping[str, str]) -> str:
    if not loc:
        return ""
    head = header_of.get(str(loc[0]), str(loc[0]))
    return ".".join([head, *(str(part) for part in loc[1:])])


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip(_WHITESPACE))


# -- cells -----------------------------------------------------------------------------


def _read_cells(
    cells: Sequence[object], indices: Sequence[int], column: _Column, *, excel: bool
) -> object:
    """Return the value for `column` from its cells, or `_MISSING`; ValueError."""
    values = [
        _read_cell(cells[index] if index < len(cells) else None, column, excel=excel)
        for index in indices
    ]
    if len(values) == 1:
        return values[0]
    merged: list[object] = []
    for value in values:
        if value is not _MISSING:
            merged += value if isinstance(value, list) else [value]
    return merged or _MISSING


def _read_cell(value: object, column: _Column, *, excel: bool) -> object:
    codec = column.codec
    if value is None:
        return "" if codec == "text" and column.required else _MISSING
    if isinstance(value, str):
        text = _unescape(value) if excel else value
        if not text.strip(_WHITESPACE):
            return "" if codec == "text" and column.required else _MISSING
        return text if codec == "text" else _read_text(text, codec)
    if isinstance(value, bool):
        return value if codec == "bool" else _read_text(str(value).lower(), codec)
    if isinstance(value, int | float):
        if codec in ("date", "timestamp"):
            value = _from_excel_serial(value)
        elif codec not in ("int", "number", "bool"):
            return _read_text(_number_text(value), codec)
        else:
            return value
    if isinstance(value, datetime):
        if codec == "date":
            return value.date() if value.time() == datetime.min.time() else value
        if codec == "timestamp":
            return value
        return _read_text(value.isoformat(), codec)
    if isinstance(value, date):
        return value if codec in ("date", "timestamp") else value.isoformat()
    return _read_text(str(value), codec)


def _read_text(text: str, codec: str) -> object:
    if codec == "text":
        return text
    if codec == "list":
        return _parse_list(text)
    if codec == "links":
        return _parse_links(text)
    if codec == "json":
        return _parse_json(text)
    if codec == "enum":
        return re.sub(r"[\s\-]+", "_", re.sub("['\u2019]", "", text.strip().casefold()))
    return text.strip()


def _parse_json(text: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        msg = f"not valid JSON: {exc.msg} at column {exc.colno}"
        raise ValueError(msg) from None


def _parse_list(text: str) -> object:
    text = text.strip(_WHITESPACE)
    if text.startswith("["):
        value = _parse_json(text)
        if not isinstance(value, list):
            msg = "expected a JSON array or values separated by ';'"
            raise ValueError(msg)
        return value
    parts = (part.strip(_WHITESPACE) for part in text.split(";"))
    return [part for part in parts if part]


def _parse_links(text: str) -> object:
    text = text.strip(_WHITESPACE)
    if text.startswith("["):
        return _parse_list(text)
    links = []
    for part in text.split(";"):
        if not part.strip(_WHITESPACE):
            continue
        kind, colon, target = part.partition(":")
        if not colon:
            msg = f"link {part.strip()!r} should read 'kind: KEY', e.g. 'blocks: APP-7'"
            raise ValueError(msg)
        links.append(
            {"kind": kind.strip(_WHITESPACE), "target": target.strip(_WHITESPACE)}
        )
    return links


_TEXT_PARSERS: Final[Mapping[str, Callable[[str], object]]] = {
    "list": _parse_list,
    "links": _parse_links,
    "json": _parse_json,
}


def _number_text(value: object) -> str:
    """Return a number as text: whole floats without ``.0`` (Excel's 3 is 3.0)."""
    if not isinstance(value, float):
        return str(value)
    if value.is_integer() and abs(value) < _EXCEL_MAX_INT:
        return str(int(value))
    return repr(value)


def _from_excel_serial(value: float) -> datetime:
    """Return an Excel serial date (days since 1899-12-30) as a naive datetime."""
    utils = _import("openpyxl.utils.datetime")
    try:
        moment = utils.from_excel(value)
    except (OverflowError, ValueError) as exc:
        msg = f"{value!r} is no Excel serial date"
        raise ValueError(msg) from exc
    if not isinstance(moment, datetime):
        msg = f"{value!r} is a time of day, not a date"
        raise ValueError(msg)  # noqa: TRY004  (becomes a row problem)
    return moment


def _format_list(values: Sequence[str]) -> str:
    if not values:
        return ""
    if values[0].startswith("[") or any(";" in value for value in values):
        return json.dumps(list(values), ensure_ascii=False)
    return "; ".join(values)


def _format_links(links: Sequence[Mapping[str, str]]) -> str:
    if not links:
        return ""
    readable = not links[0]["kind"].startswith("[") and all(
        ":" not in link["kind"] and ";" not in link["kind"] + link["target"]
        for link in links
    )
    if readable:
        return "; ".join(f"{link['kind']}: {link['target']}" for link in links)
    return json.dumps(list(links), ensure_ascii=False)


def _format_value(value: object, codec: str) -> object:
    """Return a JSON-mode field value as text, or as a number/bool to format."""
    if value is None:
        return None
    if codec == "list":
        return _format_list(value) if isinstance(value, list) else str(value)
    if codec == "links":
        return _format_links(value) if isinstance(value, list) else str(value)
    if codec == "json":
        return json.dumps(value, ensure_ascii=False) if value else None
    return value


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime):
        return _iso(value)
    return str(value)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _text_rows(
    records: Sequence[ProductOpsModel], table: _Table
) -> tuple[list[list[str]], list[list[str]]]:
    """Return the CSV rows of records and of their child table."""
    rows = []
    child_rows: list[list[str]] = []
    for record in records:
        dumped = record.model_dump(mode="json")
        rows.append(
            [
                _csv_cell(_format_value(dumped[column.name], column.codec))
                for column in table.columns
            ]
        )
        if table.child is not None:
            label = dumped[table.label]
            for child in dumped[table.child.name]:
                cells = [_csv_cell(label)]
                cells += [
                    _csv_cell(_format_value(child[column.name], column.codec))
                    for column in table.child.columns[1:]
                ]
                child_rows.append(cells)
    return rows, child_rows


# -- CSV files -------------------------------------------------------------------------


def _sniff_delimiter(line: str) -> str:
    candidates = (",", ";", "\t", "|")
    counts = [line.count(candidate) for candidate in candidates]
    best = max(range(len(candidates)), key=lambda index: (counts[index], -index))
    return candidates[best] if counts[best] else ","


def _csv_text(path: Path, encoding: str, *, first_line: bool = False) -> str:
    """Return a file's text (or first line) with its line ends kept."""
    try:
        with path.open(encoding=encoding, newline="") as handle:
            return handle.readline() if first_line else handle.read()
    except OSError as exc:
        raise DataLoadError([_file_problem(str(path), f"cannot read: {exc}")]) from None
    except UnicodeDecodeError as exc:
        message = f"byte {exc.start} is not valid {encoding}: {exc.reason}"
        raise DataLoadError([_file_problem(str(path), message)]) from None
    except LookupError:
        msg = f"encoding: unknown encoding {encoding!r}"
        raise InvalidInputError(msg) from None


def _csv_sheet(path: Path, *, delimiter: str | None, encoding: str) -> _Sheet:
    source = str(path)
    text = _csv_text(path, encoding).removeprefix("\ufeff")
    if delimiter is None:
        delimiter = _sniff_delimiter(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, list[object]]] = []
    try:
        for number, cells in enumerate(reader, start=1):
            if not "".join(cells).strip(_WHITESPACE):
                continue
            if header is None:
                header = [cell.strip() for cell in cells]
            else:
                rows.append((number, list(cells)))
    except csv.Error as exc:
        message = f"line {reader.line_num}: {exc}"
        raise DataLoadError([_file_problem(source, message)]) from None
    if header is None:
        raise DataLoadError(
            [_file_problem(source, "empty file; expected a header row")]
        )
    return _Sheet(source, header, rows, excel=False)


def _write_csv_rows(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    delimiter: str,
    encoding: str,
    escape_formulas: bool = False,
) -> None:
    if escape_formulas:
        rows = ([_defuse(cell) for cell in row] for row in rows)
    with path.open("w", encoding=encoding, newline="") as handle:
        # CRLF, as RFC 4180 and Excel have it; it also makes the writer quote
        # every cell holding a bare CR, which readers would take for a line end.
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet run a cell (OWASP, "CSV Injection")."""


def _defuse(cell: str) -> str:
    """Prefix a cell a spreadsheet would run as a formula with ``'``."""
    if not cell.startswith(_FORMULA_START):
        return cell
    try:
        float(cell)
    except ValueError:
        return "'" + cell
    return cell  # a number such as -5 or +1.5 is data, not a formula


# -- event logs -----------------------------------------------------------------


def _event_rows(log: EventLog) -> tuple[list[str], list[list[object]]]:
    """Return the header and rows of an event log: one row per event."""
    from productops.flow._eventlog import from_ns

    attributes = list(log.attributes)
    header = ["item", "status", "timestamp", *attributes]
    rows: list[list[object]] = []
    values = [log.attributes[name] for name in attributes]
    for item, state, moment in zip(
        log.item.tolist(), log.state.tolist(), log.time.tolist(), strict=True
    ):
        row: list[object] = [log.items[item], log.states[state], from_ns(moment)]
        row += [_plain(column[item]) for column in values]
        rows.append(row)
    return header, rows


def _plain(value: object) -> object:
    """Return numpy scalars as Python values (for CSV, JSON and Excel)."""
    item = getattr(value, "item", None)
    return item() if callable(item) and not isinstance(value, str) else value


def _event_roles(
    sheet: _Sheet, columns: Columns | None
) -> tuple[dict[str, str], dict[str, int], list[str], list[RecordProblem]]:
    """Resolve the roles (item, status, ...) and attribute columns of a log."""
    renames = dict(columns or {})
    roles_only = {
        name: target
        for name, target in renames.items()
        if target is None or target in _EVENT_ROLES
    }
    resolution = _resolve(
        sheet,
        _EVENT_ROLES,
        _ALIASES[_EVENTS],
        roles_only,
        required=("item", "status", "timestamp"),
    )
    roles = {
        role: sheet.header[indices[0]] for role, indices in resolution.fields.items()
    }
    attributes: dict[str, int] = {}
    ignored = []
    used = {indices[0] for indices in resolution.fields.values()}
    norm_renames = {_norm(name): target for name, target in renames.items()}
    for index, text in enumerate(sheet.header):
        if index in used or not text:
            continue
        target = renames.get(text, norm_renames.get(_norm(text), text))
        if target is None or target in _EVENT_ROLES:
            continue
        if target in _EVENT_RESERVED or target in attributes:
            ignored.append(text)
            continue
        attributes[target] = index
    return roles, attributes, ignored, resolution.problems


def _read_csv_events(
    path: Path,
    *,
    tz: tzinfo | None,
    columns: Columns | None,
    delimiter: str | None,
    encoding: str,
) -> tuple[EventLog, list[str]]:
    from productops.flow import EventLog

    first = _csv_text(path, encoding, first_line=True).removeprefix("\ufeff")
    delimiter = delimiter or _sniff_delimiter(first)
    header = next(csv.reader(io.StringIO(first), delimiter=delimiter), [])
    sheet = _Sheet(str(path), [cell.strip() for cell in header], [], excel=False)
    roles, attributes, ignored, problems = _event_roles(sheet, columns)
    if problems:
        raise DataLoadError(problems)
    attribute_columns: dict[str, Any] = {
        name: sheet.header[index] for name, index in attributes.items()
    }
    log = EventLog.from_csv(
        path,
        item=roles["item"],
        status=roles["status"],
        timestamp=roles["timestamp"],
        from_status=roles.get("from_status"),
        delimiter=delimiter,
        tz=tz,
        **attribute_columns,
    )
    return log, _unknown_note(sheet, ignored)


def _events_from_sheet(
    sheet: _Sheet, zone: tzinfo | None, columns: Columns | None
) -> tuple[EventLog, list[str]]:
    from productops.flow import EventLog

    roles, attributes, ignored, problems = _event_roles(sheet, columns)
    if problems:
        raise DataLoadError(problems)
    indices = {role: sheet.header.index(name) for role, name in roles.items()}
    records: list[dict[str, object]] = []
    for _, cells in sheet.rows:
        record: dict[str, object] = {}
        for role, index in indices.items():
            record[role] = _event_cell(
                cells[index] if index < len(cells) else None, role
            )
        for name, index in attributes.items():
            value = cells[index] if index < len(cells) else None
            record[name] = _unescape(value) if isinstance(value, str) else value
        records.append(record)
    attribute_fields: dict[str, Any] = {name: name for name in attributes}
    log = EventLog.from_records(
        records,
        item="item",
        status="status",
        timestamp="timestamp",
        from_status="from_status" if "from_status" in roles else None,
        tz=zone,
        **attribute_fields,
    )
    numbers = [number for number, _ in sheet.rows]
    problems_at_rows = tuple(
        problem
        if problem.row is None or not 0 <= problem.row < len(numbers)
        else replace(problem, row=numbers[problem.row])
        for problem in log.problems
    )
    return replace(log, problems=problems_at_rows), _unknown_note(sheet, ignored)


def _event_cell(value: object, role: str) -> object:
    if value is None:
        return None
    if role == "timestamp":
        if isinstance(value, int | float) and not isinstance(value, bool):
            try:
                return _from_excel_serial(value)
            except ValueError:
                return value
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number_text(value)
    return _unescape(value) if isinstance(value, str) else str(value)


def _read_json_events(path: Path, *, tz: tzinfo | None) -> EventLog:
    from productops.flow import EventLog

    raw, problems = read_json_file(path)
    if not problems and not (
        isinstance(raw, list) and all(isinstance(row, dict) for row in raw)
    ):
        problems = [_file_problem(str(path), "expected a JSON array of event objects")]
    if problems:
        raise DataLoadError(problems)
    rows: list[dict[str, object]] = raw
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    xes = {"case:concept:name", "concept:name", "time:timestamp"}
    attributes: dict[str, Any] = {
        name: name for name in names if name not in _EVENT_RESERVED | xes
    }
    return EventLog.from_records(
        rows,
        tz=tz,
        from_status="from_status" if "from_status" in names else None,
        **attributes,
    )


# -- Excel -----------------------------------------------------------------------------


def _escape(text: str) -> str:
    """Escape text for an Excel cell as Excel does (``_xHHHH_``)."""
    if "_x" in text:
        text = _ESCAPE_LIKE.sub(r"_x005F_\1", text)
    return _XML_ILLEGAL.sub(lambda match: f"_x{ord(match.group()):04X}_", text)


def _unescape(text: str) -> str:
    if "_x" not in text:
        return text
    return _ESCAPED.sub(lambda match: chr(int(match.group(1), 16)), text)


@contextmanager
def _open_workbook(path: Path) -> Iterator[tuple[Any, str | None]]:
    """Open a workbook read-only; yield it with the zone it records, if any."""
    openpyxl = _import("openpyxl")
    exceptions = _import("openpyxl.utils.exceptions")
    source = str(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except OSError as exc:
        raise DataLoadError([_file_problem(source, f"cannot read: {exc}")]) from None
    except (zipfile.BadZipFile, KeyError, ValueError, exceptions.InvalidFileException):
        message = "not an Excel workbook (.xlsx); open it in Excel and save as .xlsx"
        raise DataLoadError([_file_problem(source, message)]) from None
    try:
        recorded = None
        for prop in getattr(getattr(book, "custom_doc_props", None), "props", ()):
            if prop.name == _TZ_PROPERTY:
                recorded = str(prop.value)
        yield book, recorded
    finally:
        book.close()


def _excel_zone(
    recorded: str | None, zone: tzinfo | None, *, source: str
) -> tzinfo | None:
    if recorded is None:
        return zone
    written = resolve_tz(recorded)
    if zone is None:
        return written
    probes = (datetime(2001, 1, 15), datetime(2001, 7, 15))  # noqa: DTZ001  (wall times)
    if all(zone.utcoffset(probe) == timedelta(0) for probe in probes):
        return zone
    msg = (
        f"tz: {source} holds its date-times in {recorded} (written by productops); "
        f"reading them in {zone} would shift them. Leave tz= out for this workbook"
    )
    raise ConfigurationError(msg)


def _excel_sheet(book: Any, path: Path, name: str) -> _Sheet:
    names = list(book.sheetnames)
    if name not in names:
        if len(names) == 1:
            name = names[0]
        else:
            message = f"no sheet {name!r}; the sheets are {names} (choose with sheet=)"
            raise DataLoadError([_file_problem(str(path), message)])
    worksheet = book[name]
    if hasattr(worksheet, "reset_dimensions"):
        worksheet.reset_dimensions()
    source = f"{path} sheet {name!r}"
    header: list[str] | None = None
    rows: list[tuple[int, list[object]]] = []
    for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
        cells = list(values)
        if header is None:
            header = [
                "" if cell is None else _unescape(str(cell)).strip() for cell in cells
            ]
            while header and not header[-1]:
                header.pop()
        elif not all(_is_blank(cell) for cell in cells):
            rows.append((number, cells))
    if not header:
        raise DataLoadError(
            [_file_problem(source, "empty sheet; expected a header row")]
        )
    return _Sheet(source, header, rows, excel=True)


def _read_excel_workspace(
    book: Any, path: Path, zone: tzinfo | None, columns: Columns | None
) -> tuple[Workspace, list[str]]:
    problems: list[RecordProblem] = []
    notes: list[str] = []
    data: dict[str, object] = {}
    known = {_WORKSPACE} | set(table_layout(_WORKSPACE))
    unknown = [name for name in book.sheetnames if name not in known]
    if unknown:
        notes.append(f"{path}: ignored sheet(s) {unknown}, which no collection has")
    if _WORKSPACE in book.sheetnames:
        sheet = _excel_sheet(book, path, _WORKSPACE)
        header_data, header_problems = _workspace_header(sheet, zone)
        data |= header_data
        problems += header_problems
    for name in Workspace.COLLECTIONS:
        if name not in book.sheetnames:
            continue
        table = _table(name)
        main = _excel_sheet(book, path, name)
        child = None
        if table.child is not None and table.child.name in book.sheetnames:
            child = _excel_sheet(book, path, table.child.name)
        records, table_problems, table_notes = _load_table(
            table, main, child, zone=zone, columns=columns
        )
        data[name] = records
        problems += table_problems
        notes += table_notes
    if problems:
        raise DataLoadError(problems)
    try:
        return Workspace.model_validate(data), notes
    except ValidationError as exc:
        raise DataLoadError(
            problems_from(exc, source=str(path), position=None, key=None)
        ) from None


def _workspace_header(
    sheet: _Sheet, zone: tzinfo | None
) -> tuple[dict[str, object], list[RecordProblem]]:
    data: dict[str, object] = {}
    problems: list[RecordProblem] = []
    for number, cells in sheet.rows:
        name = "" if not cells or cells[0] is None else str(cells[0]).strip()
        value = cells[1] if len(cells) > 1 else None
        text = "" if value is None else _unescape(str(value))
        if name in ("name", "description"):
            data[name] = text
        elif name == "process" and text.strip():
            try:
                data["process"] = Process.model_validate(
                    _parse_json(text), context={"tz": zone}
                )
            except ValueError as exc:  # ValidationError is a ValueError
                message = str(exc).replace("\n", " ")
                problems.append(
                    _RowProblem(sheet.source, number, None, "value", message)
                )
        elif name == "format" and text != FORMAT:
            message = f"expected {FORMAT!r}"
            problems.append(_RowProblem(sheet.source, number, None, "value", message))
        elif name == "version" and text not in ("", str(FORMAT_VERSION)):
            message = (
                f"format version {text!r} is not supported (this is {FORMAT_VERSION})"
            )
            problems.append(_RowProblem(sheet.source, number, None, "value", message))
        elif name not in ("format", "version", "process", ""):
            problems.append(
                _RowProblem(sheet.source, number, None, "field", "unknown field")
            )
    return data, problems


@dataclass(frozen=True, slots=True)
class _Styled:
    """A cell value that needs a number format, or must stay text."""

    value: object
    number_format: str | None = None


class _ExcelWriter:
    """Converts tables to Excel cell values, then fills a write-only workbook.

    Converting everything first lets all problems be reported before a sheet
    is created.
    """

    def __init__(self) -> None:
        self.sheets: list[tuple[str, Sequence[str], list[list[object]]]] = []
        self.problems: list[str] = []

    def workspace_sheet(self, workspace: Workspace) -> None:
        process = workspace.process
        rows: list[list[object]] = [
            ["format", FORMAT],
            ["version", FORMAT_VERSION],
            ["name", workspace.name],
            ["description", workspace.description],
            [
                "process",
                None
                if process is None
                else json.dumps(process.model_dump(mode="json"), ensure_ascii=False),
            ],
        ]
        self.sheet(_WORKSPACE, ["field", "value"], rows)

    def table(self, table: _Table, records: Sequence[ProductOpsModel]) -> None:
        rows: list[list[object]] = []
        child_rows: list[list[object]] = []
        for record in records:
            dumped = record.model_dump(mode="json")
            rows.append(
                [
                    _excel_value(
                        getattr(record, column.name), dumped[column.name], column.codec
                    )
                    for column in table.columns
                ]
            )
            if table.child is None:
                continue
            nested = getattr(record, table.child.name)
            for child, child_dumped in zip(
                nested, dumped[table.child.name], strict=True
            ):
                child_rows.append(
                    [
                        dumped[table.label],
                        *(
                            _excel_value(
                                getattr(child, column.name),
                                child_dumped[column.name],
                                column.codec,
                            )
                            for column in table.child.columns[1:]
                        ),
                    ]
                )
        self.sheet(table.name, table.column_names, rows)
        if table.child is not None:
            self.sheet(table.child.name, table.child.column_names, child_rows)

    def sheet(
        self, name: str, header: Sequence[str], rows: Iterable[Sequence[object]]
    ) -> None:
        cells = []
        for number, row in enumerate(rows, start=2):
            converted = []
            for column, value in zip(header, row, strict=True):
                cell = _excel_cell(value)
                text = cell.value if isinstance(cell, _Styled) else cell
                if isinstance(text, str):
                    size = len(text)
                    if size > _EXCEL_MAX_CHARS:
                        self.problems.append(
                            f"sheet {name!r} row {number} column {column!r}: "
                            f"{size:,} characters; an Excel cell holds at most "
                            f"{_EXCEL_MAX_CHARS:,}"
                        )
                        cell = None
                converted.append(cell)
            cells.append(converted)
        self.sheets.append((name, header, cells))

    def fill(self, book: Any) -> None:
        """Add the sheets to `book`: a bold, frozen header, then the rows."""
        cell_type = _import("openpyxl.cell").WriteOnlyCell
        bold = _import("openpyxl.styles").Font(bold=True)
        for name, header, rows in self.sheets:
            worksheet = book.create_sheet(name)
            worksheet.freeze_panes = "A2"
            header_cells = []
            for text in header:
                cell = cell_type(worksheet, value=text)
                cell.font = bold
                header_cells.append(cell)
            worksheet.append(header_cells)
            for row in rows:
                worksheet.append(
                    [_styled_cell(cell_type, worksheet, value) for value in row]
                )


def _styled_cell(cell_type: Any, worksheet: Any, value: object) -> object:
    if not isinstance(value, _Styled):
        return value
    cell = cell_type(worksheet, value=value.value)
    if value.number_format is not None:
        cell.number_format = value.number_format
    else:
        cell.data_type = "s"  # text, even when it starts with "="
    return cell


def _excel_value(value: object, dumped: object, codec: str) -> object:
    """Return a field's value for a cell: native values Excel holds exactly."""
    if value is None:
        return None
    if codec in ("list", "links", "json"):
        return _format_value(dumped, codec)
    if codec == "enum":
        return dumped
    return value


def _excel_cell(value: object) -> object:
    """Return what openpyxl should write: a number, a bool, or a `_Styled`."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, datetime):
        moment = value.astimezone(UTC) if value.tzinfo else value
        if moment.microsecond % 1000 or moment.year < _EXCEL_FIRST_YEAR:
            return _excel_text(_iso(value))
        return _Styled(moment.replace(tzinfo=None), _DATETIME_FORMAT)
    if isinstance(value, date):
        if value.year < _EXCEL_FIRST_YEAR:
            return _excel_text(value.isoformat())
        return _Styled(value, _DATE_FORMAT)
    if isinstance(value, int):
        return value if abs(value) < _EXCEL_MAX_INT else _excel_text(str(value))
    if isinstance(value, float):
        exact = float(f"{value:.16g}") == value  # what openpyxl writes
        return value if exact else _excel_text(repr(value))
    if isinstance(value, enum.Enum):
        return _excel_text(str(value.value))
    return _excel_text(str(value))


def _excel_text(text: str) -> _Styled | str | None:
    if not text:
        return None
    escaped = _escape(text)
    return _Styled(escaped) if escaped.startswith("=") else escaped


# -- Jira CSV export -------------------------------------------------------------------

_MONTH_NAMES: Final = "jan feb mar apr may jun jul aug sep oct nov dec"
_MONTHS: Final = {
    name: _MONTH_NAMES.index(name) // 4 + 1 for name in _MONTH_NAMES.split()
}
_JIRA_DATE = re.compile(
    r"(\d{1,2})/([^\W\d_]+\.?)/(\d{4}|\d{2})"
    r"(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?"
)
_JIRA_LINK = re.compile(
    r"(outward|inward) (?:issue|work item) link \((.+)\)", re.IGNORECASE
)
_JIRA_LINK_KINDS: Final = {
    "blocks": ("blocks", "is blocked by"),
    "cloners": ("clones", "is cloned by"),
    "duplicate": ("duplicates", "is duplicated by"),
    "relates": ("relates to", "relates to"),
}
_JIRA_LIST_COLUMNS: Final = frozenset({"sprint", "components", "component_s"})
_JIRA_DEFAULT_POINTS: Final = "Custom field (Story point estimate)"
_JIRA_FIELDS: Final[Mapping[str, tuple[str, ...]]] = {
    "key": ("issue_key", "work_item_key", "key"),
    "title": ("summary",),
    "type": ("issue_type", "work_type", "work_item_type"),
    "status": ("status",),
    "priority": ("priority",),
    "assignee": ("assignee",),
    "created": ("created",),
    "updated": ("updated",),
    "resolved": ("resolved",),
    "labels": ("labels",),
    "releases": ("fix_version_s", "fix_versions"),
    "parent_key": ("parent_key",),
    "epic_link": ("custom_field_epic_link",),
    "parent": ("parent", "parent_id"),
    "id": ("issue_id", "work_item_id"),
}
_JIRA_REQUIRED: Final = ("key", "title", "status", "created")


def _jira_date(text: str, zone: tzinfo) -> datetime:
    """Parse a Jira export date (``01/Feb/24 8:00 AM``) or ISO 8601 text, in `zone`."""
    match = _JIRA_DATE.fullmatch(text.strip())
    if match is None:
        try:
            return parse_timestamp(text, tz=zone)
        except ValueError:
            msg = (
                f"{text.strip()[:40]!r} is neither Jira's date format "
                "('01/Feb/24 8:00 AM') nor ISO 8601; export with Jira's language "
                "set to English"
            )
            raise ValueError(msg) from None
    day, month_name, year_text, hour, minute, second, half = match.groups()
    month = _MONTHS.get(month_name.casefold().rstrip("."))
    if month is None:
        msg = f"{month_name!r} in {text.strip()!r} is not an English month abbreviation"
        raise ValueError(msg)
    year = int(year_text)
    if len(year_text) == 2:  # as strptime's %y: 69-99 -> 19xx
        year += 1900 if year >= 69 else 2000
    hours = int(hour or 0)
    if half is not None:
        if not 1 <= hours <= 12:
            msg = f"hour {hours} in {text.strip()!r} is not on a 12-hour clock"
            raise ValueError(msg)
        hours = hours % 12 + (12 if half.casefold() == "pm" else 0)
    try:
        wall = datetime(  # noqa: DTZ001  (a wall time in `zone`, attached below)
            year, month, int(day), hours, int(minute or 0), int(second or 0)
        )
    except ValueError as exc:
        msg = f"{text.strip()!r}: {exc}"
        raise ValueError(msg) from None
    return wall.replace(tzinfo=zone).astimezone(UTC)


class _JiraReader:
    """Turns the rows of a Jira CSV export into work items."""

    def __init__(
        self,
        sheet: _Sheet,
        zone: tzinfo,
        *,
        story_points: str | None,
        keep: Sequence[str],
    ) -> None:
        self.sheet = sheet
        self.zone = zone
        self.problems: list[RecordProblem] = []
        by_norm: dict[str, list[int]] = {}
        for index, text in enumerate(sheet.header):
            if text:
                by_norm.setdefault(_norm(text), []).append(index)
        self.columns = {
            name: [
                index
                for candidate in candidates
                for index in by_norm.get(candidate, [])
            ]
            for name, candidates in _JIRA_FIELDS.items()
        }
        self.header_of = {
            name: sheet.header[indices[0]]
            for name, indices in self.columns.items()
            if indices
        }
        self.header_of["parent"] = self.header_of.get(
            "parent_key",
            self.header_of.get("epic_link", self.header_of.get("parent", "Parent")),
        )
        missing = [name for name in _JIRA_REQUIRED if not self.columns[name]]
        if missing:
            wanted = {
                "key": "Issue key",
                "title": "Summary",
                "status": "Status",
                "created": "Created",
            }
            names = [wanted[name] for name in missing]
            message = (
                f"not a Jira CSV export: no column {names}; the header starts "
                f"{[text for text in sheet.header[:12] if text]}"
            )
            self.problems.append(_file_problem(sheet.source, message))
        self.links: list[tuple[int, str]] = []
        for index, text in enumerate(sheet.header):
            match = _JIRA_LINK.fullmatch(text)
            if match is not None:
                direction, link_type = match.groups()
                self.links.append((index, _jira_link_kind(direction, link_type)))
        self.points: list[int] = []
        if story_points is not None:
            self.points = by_norm.get(_norm(story_points), [])[:1]
            if not self.points and story_points == _JIRA_DEFAULT_POINTS:
                self.points = by_norm.get("custom_field_story_points", [])[:1]
            elif not self.points:
                message = f"no column {story_points!r} for story_points"
                self.problems.append(_file_problem(sheet.source, message))
            if self.points:
                self.header_of["estimate"] = sheet.header[self.points[0]]
        self.keep = [
            (name, by_norm[_norm(name)])
            for name in dict.fromkeys(keep)
            if _norm(name) in by_norm
        ]

    def read(self, process: Process | None) -> tuple[WorkItem, ...]:
        if self.problems:
            raise DataLoadError(self.problems)
        rows: list[tuple[_Row, str, dict[str, object]]] = []
        key_of_id: dict[str, str] = {}
        for number, cells in self.sheet.rows:
            text_cells = [str(cell) for cell in cells]
            rows.append(self._row(number, text_cells))
            issue_id = self._first(text_cells, "id")
            key = rows[-1][0].key
            if issue_id and key:
                key_of_id.setdefault(issue_id, key)
        # Newer exports give the parent as an issue id: find its key in the file.
        for row, parent_id, custom in rows:
            if parent_id in key_of_id:
                row.raw["parent"] = key_of_id[parent_id]
            elif parent_id:
                custom["Parent id"] = parent_id
        items: list[WorkItem] = []
        first_row: dict[str, int] = {}
        source = self.sheet.source
        for row, _, _ in rows:
            if row.key is None:
                message = "empty; every row needs the issue's key"
                self.problems.append(
                    _RowProblem(
                        source, row.number, None, self.header_of["key"], message
                    )
                )
                row.failed = {*row.failed, "key"}
            elif first_row.setdefault(row.key, row.number) != row.number:
                message = f"duplicate of row {first_row[row.key]}"
                self.problems.append(
                    _RowProblem(
                        source, row.number, row.key, self.header_of["key"], message
                    )
                )
                row.failed = {*row.failed, "key"}
            try:
                item = WorkItem.model_validate(row.raw, context={"tz": self.zone})
            except ValidationError as exc:
                self.problems += [
                    _RowProblem(
                        source,
                        row.number,
                        row.key,
                        _column_path(tuple(detail["loc"]), self.header_of),
                        str(detail["msg"]).removeprefix("Value error, "),
                    )
                    for detail in exc.errors(include_url=False, include_input=False)
                    if not detail["loc"] or detail["loc"][0] not in row.failed
                ]
                continue
            if process is not None and item.status not in process.state_names:
                message = (
                    f"{item.status!r} is not a state of process {process.name!r} "
                    f"(its states: {list(process.state_names)})"
                )
                self.problems.append(
                    _RowProblem(
                        source, row.number, row.key, self.header_of["status"], message
                    )
                )
            items.append(item)
        if self.problems:
            self.problems.sort(key=lambda problem: problem.position or 0)
            raise DataLoadError(self.problems)
        return tuple(items)

    def _first(self, cells: Sequence[object], name: str) -> str:
        for index in self.columns[name]:
            if index < len(cells):
                text = str(cells[index]).strip()
                if text:
                    return text
        return ""

    def _all(self, cells: Sequence[str], indices: Sequence[int]) -> list[str]:
        return [
            cells[index].strip()
            for index in indices
            if index < len(cells) and cells[index].strip()
        ]

    def _row(
        self, number: int, cells: list[str]
    ) -> tuple[_Row, str, dict[str, object]]:
        """Return a row's raw item, the parent's issue id and its custom fields."""
        key = self._first(cells, "key") or None
        raw: dict[str, object] = {"key": key or "", "source": "jira"}
        failed: set[str] = set()
        for name in ("title", "type", "status", "priority", "assignee"):
            value = self._first(cells, name)
            if value or name in ("title", "status"):
                raw[name] = value
        for name in ("created", "updated", "resolved"):
            text = self._first(cells, name)
            if not text:
                continue
            try:
                raw[name] = _jira_date(text, self.zone)
            except ValueError as exc:
                self.problems.append(
                    _RowProblem(
                        self.sheet.source, number, key, self.header_of[name], str(exc)
                    )
                )
                failed.add(name)
        raw["labels"] = list(
            dict.fromkeys(
                label
                for cell in self._all(cells, self.columns["labels"])
                for label in cell.split()
            )
        )
        raw["releases"] = list(
            dict.fromkeys(self._all(cells, self.columns["releases"]))
        )
        raw["links"] = [
            {"kind": kind, "target": target}
            for index, kind in self.links
            for target in self._all(cells, [index])
        ]
        if self.points:
            text = self._first_at(cells, self.points[0])
            if text:
                try:
                    raw["estimate"] = float(text.replace(",", "."))
                except ValueError:
                    message = f"{text!r} is not a number"
                    failed.add("estimate")
                    self.problems.append(
                        _RowProblem(
                            self.sheet.source,
                            number,
                            key,
                            self.header_of["estimate"],
                            message,
                        )
                    )
        parent = self._first(cells, "parent_key") or self._first(cells, "epic_link")
        parent_id = ""
        if not parent:
            candidate = self._first(cells, "parent")
            if candidate.isdigit():
                parent_id = candidate
            else:
                parent = candidate
        if parent:
            raw["parent"] = parent
        custom: dict[str, object] = {}
        for name, indices in self.keep:
            values = self._all(cells, indices)
            if not values:
                continue
            if _norm(name) in _JIRA_LIST_COLUMNS or len(indices) > 1:
                custom[name] = values
            else:
                custom[name] = values[0]
        raw["custom_fields"] = custom
        return _Row(number, raw, key, failed=failed), parent_id, custom

    def _first_at(self, cells: Sequence[str], index: int) -> str:
        return cells[index].strip() if index < len(cells) else ""


def _jira_link_kind(direction: str, link_type: str) -> str:
    outward, inward = _JIRA_LINK_KINDS.get(
        link_type.strip().casefold(),
        (link_type.strip().casefold(), f"{link_type.strip().casefold()} (inward)"),
    )
    return outward if direction.casefold() == "outward" else inward
