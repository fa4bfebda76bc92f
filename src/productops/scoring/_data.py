"""Turn what users hold (records, dicts, columns, DataFrames) into float columns.

Scoring a backlog needs a few numeric fields from each item. Items may be
`Initiative` records or any objects with attributes, mappings (JSON rows), a
mapping of columns (``{"reach": [...], ...}``) or a pandas DataFrame. `columns`
reads the named fields from all of them the same way and reports every
missing or non-numeric value at once, naming the item by its key.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InvalidInputError
from ._validate import FloatArray, is_number


@dataclass(frozen=True, slots=True)
class Columns:
    """Numeric columns read from a collection of items.

    Attributes
    ----------
    labels : tuple[str, ...]
        One name per item: its ``key`` when it has one, else ``"#<position>"``.
    values : dict[str, FloatArray]
        One float array per field; NaN where the item has no value.
    missing : dict[str, numpy.ndarray]
        Per field, a boolean mask of the items without a value.
    """

    labels: tuple[str, ...]
    values: dict[str, FloatArray]
    missing: dict[str, np.ndarray[Any, np.dtype[np.bool_]]]

    def __len__(self) -> int:
        return len(self.labels)

    def incomplete(self) -> np.ndarray[Any, np.dtype[np.bool_]]:
        """Mask of the items missing at least one field."""
        mask = np.zeros(len(self.labels), dtype=bool)
        for column in self.missing.values():
            mask |= column
        return mask

    def missing_message(self) -> str:
        """Every missing value, item by item, for an error message."""
        lines = []
        for position in np.flatnonzero(self.incomplete()).tolist():
            fields = [name for name, m in self.missing.items() if m[position]]
            lines.append(f"item {self.labels[position]!r}: no {', '.join(fields)}")
        return "; ".join(lines)


def is_columnar(items: Any) -> bool:
    """Whether `items` is a mapping of columns or a DataFrame, not rows."""
    return isinstance(items, Mapping) or hasattr(items, "columns")


def columns(items: Any, names: Iterable[str]) -> Columns:
    """Read the numeric fields `names` from every item.

    Clean fields (plain ints and floats in every item, numeric columns) take a
    fast path; the rest is read value by value, so that every missing or bad
    value can be reported by item.

    Raises
    ------
    InvalidInputError
        If a field holds something that is not a number (listing every such
        item), or a column is absent from columnar input.
    """
    names = list(dict.fromkeys(names))
    if is_columnar(items):
        return _from_columns(items, names)
    rows = items if isinstance(items, Sequence) else list(items)
    labels = _labels(rows)
    values: dict[str, FloatArray] = {}
    missing = {}
    problems = []
    for name in names:
        fast = _clean(_plain_field(rows, name))
        if fast is not None:
            values[name] = fast
            missing[name] = np.zeros(len(rows), dtype=bool)
            continue
        raw = [field_of(row, name) for row in rows]
        column = np.full(len(rows), np.nan)
        absent = np.zeros(len(rows), dtype=bool)
        for position, value in enumerate(raw):
            if value is None:
                absent[position] = True
            elif not is_number(value) or not np.isfinite(float(value)):
                problems.append(f"item {labels[position]!r}: {name}={value!r}")
            else:
                column[position] = float(value)
        values[name] = column
        missing[name] = absent
    if problems:
        msg = "not a finite number: " + "; ".join(problems)
        raise InvalidInputError(msg)
    return Columns(labels, values, missing)


_PLAIN = frozenset({float, int, np.float64, np.int64})


def _clean(raw: Any) -> FloatArray | None:
    """`raw` as a float array when it holds only finite plain numbers, else None."""
    if raw is None:
        return None
    dtype = getattr(raw, "dtype", None)
    if dtype is not None:
        if getattr(dtype, "kind", None) not in ("f", "i", "u"):
            return None  # object, text, or a pandas extension type such as Int64
    elif not set(map(type, raw)) <= _PLAIN:
        return None
    try:
        array = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        return None
    if array.ndim != 1 or not np.isfinite(array).all():
        return None
    return array


def _plain_field(rows: Sequence[Any], name: str) -> list[Any] | None:
    """Every row's `name`, read the quick way; None if some row lacks it."""
    if not rows:
        return []
    getter = (
        operator.itemgetter(name)
        if isinstance(rows[0], Mapping)
        else operator.attrgetter(name)
    )
    try:
        return list(map(getter, rows))
    except (AttributeError, KeyError, TypeError):
        return None


def _labels(rows: Sequence[Any]) -> tuple[str, ...]:
    keys = _plain_field(rows, "key")
    if keys is not None and None not in keys:
        return tuple(map(str, keys))
    return tuple(_label(row, position) for position, row in enumerate(rows))


def _from_columns(table: Any, names: list[str]) -> Columns:
    available = (
        list(table.keys()) if isinstance(table, Mapping) else list(table.columns)
    )
    absent = [name for name in names if name not in available]
    if absent:
        msg = f"no column {', '.join(map(repr, absent))}; columns are {available!r}"
        raise InvalidInputError(msg)
    lengths = {name: len(table[name]) for name in names}
    if "key" in available:
        labels = tuple(map(str, table["key"]))
    else:
        size = len(table[available[0]]) if available else 0
        labels = tuple(f"#{i}" for i in range(size))
    if len(set(lengths.values()) | {len(labels)}) > 1:
        msg = f"columns have different lengths: {lengths}"
        raise InvalidInputError(msg)
    values = {}
    missing = {}
    problems = []
    for name in names:
        raw = table[name]
        fast = _clean(raw)
        if fast is not None:
            values[name] = fast
            missing[name] = np.zeros(len(fast), dtype=bool)
            continue
        try:
            column = np.asarray(raw, dtype=np.float64)
        except (TypeError, ValueError, OverflowError):
            column = np.array([_to_float(v) for v in raw], dtype=np.float64)
            problems += [
                f"item {labels[p]!r}: {name}={v!r}"
                for p, v in enumerate(raw)
                if v is not None and not is_number(v)
            ]
        nan = np.isnan(column)
        problems += [
            f"item {labels[p]!r}: {name}={column[p]:g}"
            for p in np.flatnonzero(np.isinf(column)).tolist()
        ]
        values[name] = column
        missing[name] = nan
    if problems:
        msg = "not a finite number: " + "; ".join(problems)
        raise InvalidInputError(msg)
    return Columns(labels, values, missing)


def _to_float(value: Any) -> float:
    return float(value) if is_number(value) else np.nan


def field_of(row: Any, name: str) -> Any:
    """Return a record's attribute or a mapping's key `name`, or None."""
    if isinstance(row, Mapping):
        return row.get(name)
    return getattr(row, name, None)


def _label(row: Any, position: int) -> str:
    key = field_of(row, "key")
    return str(key) if key is not None else f"#{position}"
