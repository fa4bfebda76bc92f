"""Parse many timestamp texts at once into UTC nanoseconds, without a loop per row.

`parse_timestamps` accepts what `productops.model.parse_timestamp` accepts and
gives the same instants, but reads the common ISO 8601 layouts with integer
arithmetic on whole columns of digits:

``YYYY-MM-DD``, ``YYYY-MM-DD[T ]hh:mm``, ``YYYY-MM-DD[T ]hh:mm:ss`` and
``YYYY-MM-DD[T ]hh:mm:ss.f`` (1 to 9 fraction digits), the ones with a time
followed by ``Z``, ``±HH:MM``, ``±HHMM``, ``±HH`` or nothing (naive values,
which need ``tz=``).

How: the texts are laid out as a 2-D ``uint8`` matrix, one row per text. Rows
are grouped by length; each length has a few candidate layouts (`_Layout`),
told apart by their punctuation columns. For the rows of one layout each field
(year, month, ...) is read from its digit columns with whole-column arithmetic,
range-checked, and turned into seconds since the epoch (days-from-civil for
the date). The work goes in chunks of rows small enough to stay in the CPU
cache. A text that fits no layout (RFC 2822, week dates, a ``t`` separator,
surrounding blanks, ...) goes through `parse_timestamp`, once per distinct
text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any, Final
from zoneinfo import ZoneInfo

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

from productops.model._base import parse_timestamp, resolve_tz

__all__ = ["ParsedTimestamps", "parse_timestamp_matrix", "parse_timestamps"]

Int64Array = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
ByteMatrix = NDArray[np.uint8]

NS_PER_SECOND: Final = 1_000_000_000
SECONDS_PER_DAY: Final = 86_400
EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)

NAIVE_MESSAGE: Final = (
    "timestamp has no timezone; give an offset (e.g. 'Z' or '+01:00') "
    "or load with an explicit tz="
)
"""What `parse_timestamp` says about a naive value when no ``tz`` is given."""

MAX_LAYOUT_LENGTH: Final = len("YYYY-MM-DDThh:mm:ss.fffffffff+HH:MM")
"""Longest text a vectorised layout matches (35); longer ones take the slow path."""

_CHUNK_ROWS = 65_536  # rows parsed together: 64 Ki rows of <= 35 bytes stay in cache
_MAX_FRACTION_DIGITS = 9  # nanoseconds
_MICROSECOND_DIGITS = 6  # what `datetime` keeps
_MESSAGE_TEXT_CHARS = 40  # parse_timestamp quotes at most this much of a bad text
_ZERO = np.uint8(ord("0"))
_NINE = np.uint8(9)
_MICROSECOND = timedelta(microseconds=1)
_NAIVE_EPOCH = EPOCH.replace(tzinfo=None)

# int64 nanoseconds span 1677-09-21T00:12:43.145224192 .. 2262-04-11T23:47:16.854775807
_MIN_SECOND, _MIN_FRACTION = divmod(int(np.iinfo(np.int64).min), NS_PER_SECOND)
_MAX_SECOND, _MAX_FRACTION = divmod(int(np.iinfo(np.int64).max), NS_PER_SECOND)
_RANGE_MESSAGE = "is outside the nanosecond timestamp range (1677-09-21 to 2262-04-11)"

# More than 9 fraction digits after the seconds: finer than a nanosecond.
_TOO_FINE = re.compile(r"\d:\d\d[.,]\d{10}")
# 7 to 9 fraction digits: `datetime` keeps 6 of them; we keep the rest.
_SUB_MICROSECOND = re.compile(r"\d:\d\d[.,](\d{7,9})(?!\d)")

# See http://howardhinnant.github.io/date_algorithms.html (days_from_civil).
_DAYS_0000_03_01_TO_EPOCH = 719_468
_DAYS_PER_400_YEARS = 146_097


@dataclass(frozen=True, slots=True, eq=False)
class ParsedTimestamps:
    """Timestamps parsed in bulk: UTC nanoseconds, a validity mask and the errors.

    Attributes
    ----------
    ns : numpy.ndarray of int64
        Nanoseconds since 1970-01-01T00:00:00Z for each row; 0 where the row
        did not parse.
    ok : numpy.ndarray of bool
        True where the row parsed.
    errors : dict of int to str
        Row index to the reason the row did not parse, in row order; only bad
        rows appear. The words are those of `parse_timestamp`.

    Examples
    --------
    >>> parsed = parse_timestamps(["2024-01-31T10:00:00Z", "2024-13-01T00:00Z"])
    >>> parsed.ns.tolist(), parsed.ok.tolist()
    ([1706695200000000000, 0], [True, False])
    >>> print(parsed.errors[1])
    '2024-13-01T00:00Z' is not an ISO 8601 or RFC 2822 timestamp (month 13 is out of range)
    """  # noqa: E501  (a doctest output line cannot be wrapped)

    ns: Int64Array
    ok: BoolArray
    errors: dict[int, str]

    def __len__(self) -> int:
        return len(self.ns)

    def as_datetime64(self) -> NDArray[np.datetime64]:
        """Return the instants as ``datetime64[ns]`` in UTC, with NaT for bad rows.

        Examples
        --------
        >>> parse_timestamps(["2024-01-31T10:00:00+01:00", ""]).as_datetime64()
        array(['2024-01-31T09:00:00.000000000', 'NaT'], dtype='datetime64[ns]')
        """
        result = self.ns.astype("datetime64[ns]")
        result[~self.ok] = np.datetime64("NaT")
        return result


def parse_timestamps(
    values: Iterable[object] | NDArray[Any], *, tz: tzinfo | str | None = None
) -> ParsedTimestamps:
    """Parse timestamp texts (or anything `parse_timestamp` takes) in bulk.

    Parameters
    ----------
    values : iterable of str, or 1-D numpy array of str
        The timestamps, one per row. Items that are not ``str`` (aware
        `datetime` objects, Unix seconds) go to `parse_timestamp` one by one.
    tz : tzinfo or str, optional
        Zone of naive values; an IANA name such as ``"Europe/Berlin"`` is
        looked up. Without it, naive values are errors. A wall time that does
        not exist in the zone, or occurs twice, is read as
        ``datetime.replace(tzinfo=tz)`` reads it (``fold=0``).

    Returns
    -------
    ParsedTimestamps
        One entry per row, in input order.

    Raises
    ------
    ConfigurationError
        If `tz` is a name no time zone database knows.

    Notes
    -----
    The instants equal those of `parse_timestamp`, except that fraction digits
    7 to 9 are kept (`datetime` truncates to microseconds); and these are
    errors: more than 9 fraction digits and instants outside 1677-09-21 ..
    2262-04-11 (what int64 nanoseconds hold). Both read ``24:00:00`` as the
    next day's midnight and reject any later time in hour 24.

    Examples
    --------
    >>> parsed = parse_timestamps(
    ...     ["2024-01-31 10:00", "Wed, 31 Jan 2024 10:00:00 +0000"], tz="Europe/Berlin"
    ... )
    >>> parsed.as_datetime64()
    array(['2024-01-31T09:00:00.000000000', '2024-01-31T10:00:00.000000000'],
          dtype='datetime64[ns]')
    >>> print(parse_timestamps(["2024-01-31T10:00:00"]).errors[0])
    timestamp has no timezone; give an offset (e.g. 'Z' or '+01:00') or load with an explicit tz=
    """  # noqa: E501  (a doctest output line cannot be wrapped)
    zone = resolve_tz(tz)
    if isinstance(values, np.ndarray):
        if values.ndim != 1:
            msg = f"expected a 1-D array of timestamps, got shape {values.shape}"
            raise ValueError(msg)
        items: list[Any] = values.tolist()
    else:
        items = list(values)
    chars, lengths = _text_matrix(items)
    return _parse(chars, lengths, items.__getitem__, zone)


def parse_timestamp_matrix(
    chars: ByteMatrix,
    lengths: NDArray[np.integer[Any]],
    *,
    tz: tzinfo | str | None = None,
    text_of: Callable[[int], str] | None = None,
) -> ParsedTimestamps:
    """Parse timestamps stored as rows of UTF-8 bytes, as `read_csv` holds them.

    Parameters
    ----------
    chars : numpy.ndarray of uint8, shape (n, width)
        Row ``i`` holds the bytes of timestamp ``i`` in its first
        ``lengths[i]`` columns; the bytes after them are ignored.
    lengths : numpy.ndarray of int, shape (n,)
        Byte length of each timestamp. A length above ``width`` means the text
        did not fit in the matrix; `text_of` must then supply it.
    tz : tzinfo or str, optional
        Zone of naive values, as in `parse_timestamps`.
    text_of : callable, optional
        ``text_of(i)`` returns the whole text of row ``i``: used for rows no
        vectorised layout fits and for error messages. By default the row's
        bytes are decoded.

    Returns
    -------
    ParsedTimestamps
        One entry per row.

    Raises
    ------
    ValueError
        If the shapes of `chars` and `lengths` do not match.
    ConfigurationError
        If `tz` is a name no time zone database knows.

    Examples
    --------
    >>> raw = np.array([b"2024-01-31T10:00:00.5Z", b"2024-01-31T10:00+0100"])
    >>> chars = raw.view(np.uint8).reshape(2, -1)
    >>> parse_timestamp_matrix(chars, np.array([22, 21])).as_datetime64()
    array(['2024-01-31T10:00:00.500000000', '2024-01-31T09:00:00.000000000'],
          dtype='datetime64[ns]')
    """
    if chars.ndim != 2 or lengths.shape != chars.shape[:1]:
        msg = (
            "expected chars of shape (n, width) and lengths of shape (n,), "
            f"got {chars.shape} and {lengths.shape}"
        )
        raise ValueError(msg)
    if text_of is None:
        text_of = _MatrixText(chars, lengths)
    return _parse(chars, lengths.astype(np.int64, copy=False), text_of, resolve_tz(tz))


@dataclass(frozen=True, slots=True)
class _MatrixText:
    """The text of one row of a byte matrix (the default ``text_of``)."""

    chars: ByteMatrix
    lengths: NDArray[np.integer[Any]]

    def __call__(self, row: int) -> str:
        length = int(self.lengths[row])
        if length > self.chars.shape[1]:
            msg = f"timestamp {row} is longer than the matrix; pass text_of="
            raise ValueError(msg)
        return self.chars[row, :length].tobytes().decode("utf-8", "replace")


# --- layouts --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Layout:
    """One vectorised text layout and the columns of its fields.

    `pattern` spells the layout with one letter per field: ``YYYY-MM-DD`` the
    date, ``T`` the separator (``T`` or a blank), ``hh:mm:ss`` the time, ``f``
    the fraction digits, ``±`` the offset sign, ``HH`` and ``NN`` the offset
    hours and minutes, ``Z`` a literal ``Z``.
    """

    pattern: str
    punctuation: tuple[tuple[int, bytes], ...]
    digits: tuple[int, ...]
    fields: dict[str, tuple[int, ...]]
    sign_column: int | None

    @classmethod
    def from_pattern(cls, pattern: str) -> _Layout:
        allowed = {"T": b"T ", "±": b"+-", "-": b"-", ":": b":", ".": b".", "Z": b"Z"}
        punctuation = tuple(
            (column, allowed[char])
            for column, char in enumerate(pattern)
            if char in allowed
        )
        digits = tuple(
            column for column, char in enumerate(pattern) if char not in allowed
        )
        fields = {
            letter: tuple(
                column for column, char in enumerate(pattern) if char == letter
            )
            for letter in "YMDhmsfHN"
        }
        sign_column = pattern.find("±")
        return cls(
            pattern,
            punctuation,
            digits,
            fields,
            sign_column if sign_column >= 0 else None,
        )

    @property
    def naive(self) -> bool:
        """Whether the layout has no UTC offset (it needs ``tz=``)."""
        return "Z" not in self.pattern and self.sign_column is None


def _layouts_by_length() -> dict[int, tuple[_Layout, ...]]:
    times = ["Thh:mm", "Thh:mm:ss"]
    times += [
        "Thh:mm:ss." + "f" * count for count in range(1, _MAX_FRACTION_DIGITS + 1)
    ]
    patterns = ["YYYY-MM-DD"]  # a date alone: naive midnight
    patterns += [
        f"YYYY-MM-DD{time}{offset}"
        for time in times
        for offset in ("±HH:NN", "Z", "", "±HHNN", "±HH")
    ]
    by_length: dict[int, list[_Layout]] = {}
    for pattern in patterns:
        by_length.setdefault(len(pattern), []).append(_Layout.from_pattern(pattern))
    return {length: tuple(layouts) for length, layouts in by_length.items()}


_LAYOUTS_BY_LENGTH: Final = _layouts_by_length()


# --- the parse ------------------------------------------------------------------------


class _Results:
    """What a parse has found so far, row by row.

    A row parsed by a vectorised layout has ``parsed`` set and its instant in
    ``seconds`` + ``fraction`` (ns); ``naive`` rows hold their wall time there
    until `_attach_zone` subtracts the zone's offset. Rows no layout fits are
    collected in ``slow_rows``; rows that fail get an ``errors`` entry.
    """

    def __init__(self, size: int) -> None:
        self.seconds = np.zeros(size, np.int64)
        self.fraction = np.zeros(size, np.int64)
        self.parsed = np.zeros(size, np.bool_)
        self.naive = np.zeros(size, np.bool_)
        self.slow_rows: list[Int64Array] = []
        self.errors: dict[int, str] = {}

    def store(
        self,
        rows: Int64Array,
        seconds: Int64Array,
        fraction: NDArray[np.integer[Any]],
        *,
        naive: bool,
    ) -> None:
        """Record parsed rows (a slice when they are contiguous, the usual case)."""
        where: Int64Array | slice = rows
        if len(rows) and rows[-1] - rows[0] == len(rows) - 1:
            where = slice(int(rows[0]), int(rows[-1]) + 1)
        self.seconds[where] = seconds
        self.fraction[where] = fraction
        self.parsed[where] = True
        self.naive[where] = naive


def _parse(
    chars: ByteMatrix,
    lengths: Int64Array,
    value_of: Callable[[int], object],
    zone: tzinfo | None,
) -> ParsedTimestamps:
    results = _Results(len(lengths))
    for begin in range(0, len(lengths), _CHUNK_ROWS):
        end = begin + _CHUNK_ROWS
        _parse_chunk(chars[begin:end], lengths[begin:end], begin, results, value_of)
    _attach_zone(results, zone)
    _parse_slow_rows(results, value_of, zone)
    return _finish(results, value_of)


def _parse_chunk(
    chars: ByteMatrix,
    lengths: Int64Array,
    first_row: int,
    results: _Results,
    value_of: Callable[[int], object],
) -> None:
    """Parse the rows of one chunk that fit a layout; queue the others."""
    # Count the rows of each length; -1 (not a short text) and long rows share the
    # last bin, which no layout has.
    no_layout = MAX_LAYOUT_LENGTH + 1
    binned = np.where((lengths >= 0) & (lengths <= chars.shape[1]), lengths, no_layout)
    for length in np.flatnonzero(np.bincount(binned)).tolist():
        rows = np.flatnonzero(binned == length)
        for layout in _LAYOUTS_BY_LENGTH.get(length, ()):
            block = chars if len(rows) == len(chars) else chars[rows]
            digits = block[:, :length] - _ZERO  # wraps: non-digits land above 9
            fits = _fits(block, digits, layout)
            if fits.all():
                _read_layout(block, digits, layout, first_row + rows, results, value_of)
                rows = rows[:0]
                break
            if fits.any():
                _read_layout(
                    block[fits],
                    digits[fits],
                    layout,
                    first_row + rows[fits],
                    results,
                    value_of,
                )
                rows = rows[~fits]
        if len(rows):
            results.slow_rows.append(first_row + rows)


def _fits(block: ByteMatrix, digits: ByteMatrix, layout: _Layout) -> BoolArray:
    """Which rows have the layout's punctuation and digits where it has them."""
    fits = np.ones(len(block), np.bool_)
    for column, allowed in layout.punctuation:
        found = block[:, column]
        match = found == allowed[0]
        for other in allowed[1:]:
            match |= found == other
        fits &= match
    largest = np.zeros(len(block), np.uint8)
    for column in layout.digits:
        np.maximum(largest, digits[:, column], out=largest)
    fits &= largest <= _NINE
    return fits


def _number(digits: ByteMatrix, columns: Sequence[int]) -> NDArray[np.integer[Any]]:
    """Read the decimal number written in `columns` (zeros when there are none).

    Digits are combined two at a time in uint8 (at most 99), then the pairs in
    the smallest dtype that holds the number: few passes over small integers
    is what makes the parse fast.
    """
    if not columns:
        return np.zeros(len(digits), np.uint8)
    dtype = _NUMBER_DTYPES[len(columns)]
    value: NDArray[np.integer[Any]] | None = None
    for start in range(0, len(columns), 2):
        group = columns[start : start + 2]
        part = digits[:, group[0]]
        if len(group) == 2:
            part = part * np.uint8(10) + digits[:, group[1]]
        if value is None:
            value = part
        else:
            value = np.multiply(value, 10 ** len(group), dtype=dtype)
            value += part
    assert value is not None  # noqa: S101  (columns is not empty)
    return value


def _read_layout(
    block: ByteMatrix,
    digits: ByteMatrix,
    layout: _Layout,
    rows: Int64Array,
    results: _Results,
    value_of: Callable[[int], object],
) -> None:
    """Turn rows that fit `layout` into seconds and nanoseconds, checking ranges."""
    field = {
        letter: _number(digits, columns) for letter, columns in layout.fields.items()
    }
    year, month, day = field["Y"], field["M"], field["D"]
    year_month = np.multiply(year, _MONTHS_PER_YEAR_SLOT, dtype=np.int32)
    year_month += month
    # (unsigned arithmetic wraps: month 0 becomes 255 and fails "month - 1 > 11")
    checks = (
        ("year", year, year == 0),
        ("month", month, month - np.uint8(1) > 11),
        ("day", day, day - np.uint8(1) >= _MONTH_LENGTH[year_month]),
        # 24:00:00 is the end of a day, the next day's midnight (ISO 8601:2004
        # 4.2.3; `parse_timestamp` reads it so too); any later time is not.
        (
            "hour",
            field["h"],
            (field["h"] > 24)
            | ((field["h"] == 24) & ((field["m"] | field["s"] | field["f"]) != 0)),
        ),
        ("minute", field["m"], field["m"] > 59),
        ("second", field["s"], field["s"] > 59),
        ("offset hour", field["H"], field["H"] > 23),
        ("offset minute", field["N"], field["N"] > 59),
    )
    good = _report_out_of_range(checks, rows, results, value_of)

    days = _DAYS_BEFORE_MONTH[year_month] + day
    days -= 1
    clock = np.multiply(field["h"], 3600, dtype=np.int32)
    clock += np.multiply(field["m"], 60, dtype=np.int32)
    clock += field["s"]
    if layout.sign_column is not None:
        offset = np.multiply(field["H"], 3600, dtype=np.int32)
        offset += np.multiply(field["N"], 60, dtype=np.int32)
        # "+" is byte 43 and "-" byte 45, so 44 - byte is the sign as +1 / -1
        offset *= np.subtract(44, block[:, layout.sign_column], dtype=np.int32)
        clock -= offset
    seconds = np.multiply(days, SECONDS_PER_DAY, dtype=np.int64)
    seconds += clock
    fraction_digits = len(layout.fields["f"])
    scale = 10 ** (_MAX_FRACTION_DIGITS - fraction_digits)
    fraction = np.multiply(field["f"], scale, dtype=np.int32)
    if good is not None:
        rows, seconds, fraction = rows[good], seconds[good], fraction[good]
    results.store(rows, seconds, fraction, naive=layout.naive)


def _report_out_of_range(
    checks: Sequence[tuple[str, NDArray[Any], BoolArray]],
    rows: Int64Array,
    results: _Results,
    value_of: Callable[[int], object],
) -> BoolArray | None:
    """Report rows with a field out of range; return the good rows (None: all)."""
    if not any(out.any() for _, _, out in checks):
        return None
    good = np.ones(len(rows), np.bool_)
    for name, values, out in checks:  # the first failing field names the problem
        for index in np.flatnonzero(out & good).tolist():
            text = str(value_of(int(rows[index])))[:_MESSAGE_TEXT_CHARS]
            results.errors[int(rows[index])] = (
                f"{text!r} is not an ISO 8601 or RFC 2822 timestamp "
                f"({name} {values[index]} is out of range)"
            )
        good &= ~out
    return good


def _days_from_civil(
    year: Int64Array, month: Int64Array, day: Int64Array
) -> Int64Array:
    """Count days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's way).

    Years are counted from 1 March, so that the leap day ends its year.
    """
    march_year = year - (month <= 2)
    era = march_year // 400
    year_of_era = march_year - era * 400  # 0 .. 399
    month_from_march = (month + 9) % 12  # March = 0 .. February = 11
    day_of_year = (153 * month_from_march + 2) // 5 + day - 1  # 0 .. 365
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    days: Int64Array = (
        era * _DAYS_PER_400_YEARS + day_of_era - _DAYS_0000_03_01_TO_EPOCH
    )
    return days


def _calendar_tables() -> tuple[NDArray[np.int32], NDArray[np.uint8]]:
    """Tabulate each month's first day (days since the epoch) and its length.

    Both are indexed by ``year * 16 + month`` as parsed (a 4-digit year is
    0..9999, a 2-digit month 0..99), so a date costs one look-up and no
    division. Entries for month 0 or 13..15 have length 0, so every day fails
    there; months above 15 spill into the next year's entries, but those rows
    fail the month check first.
    """
    size = 10_000 * _MONTHS_PER_YEAR_SLOT + 100
    index = np.arange(size, dtype=np.int64)
    year, month = np.divmod(index, _MONTHS_PER_YEAR_SLOT)
    real = (month >= 1) & (month <= 12) & (year <= 9999)
    first = _days_from_civil(year, np.clip(month, 1, 12), np.ones_like(year))
    following = _days_from_civil(
        year + (month == 12), np.clip(month, 1, 12) % 12 + 1, np.ones_like(year)
    )
    days_before = np.where(real, first, 0).astype(np.int32)
    length = np.where(real, following - first, 0).astype(np.uint8)
    return days_before, length


_MONTHS_PER_YEAR_SLOT = 16  # a power of two above 12
_DAYS_BEFORE_MONTH, _MONTH_LENGTH = _calendar_tables()
# Smallest dtype that holds a number of n decimal digits.
_NUMBER_DTYPES: Final = [np.uint8] * 3 + [np.int16] * 2 + [np.int32] * 5


# --- naive values ---------------------------------------------------------------------


def _attach_zone(results: _Results, zone: tzinfo | None) -> None:
    """Turn the wall times of naive rows into instants, or report them."""
    rows = np.flatnonzero(results.naive)
    if len(rows) == 0:
        return
    if zone is None:
        results.parsed[rows] = False
        results.errors.update(dict.fromkeys(rows.tolist(), NAIVE_MESSAGE))
        return
    wall = results.seconds[rows]
    # Wall times far outside the nanosecond range stay out of it whatever the zone
    # (offsets are under a day); leave them for the range check in `_finish`.
    near = (wall > _MIN_SECOND - 2 * SECONDS_PER_DAY) & (
        wall < _MAX_SECOND + 2 * SECONDS_PER_DAY
    )
    offsets_ns = np.zeros(len(rows), np.int64)
    offsets_ns[near] = _utc_offsets_ns(zone, wall[near])
    offset_seconds, offset_fraction = np.divmod(offsets_ns, NS_PER_SECOND)
    fraction = results.fraction[rows] - offset_fraction
    borrow = fraction < 0
    results.fraction[rows] = fraction + borrow * NS_PER_SECOND
    results.seconds[rows] = wall - offset_seconds - borrow


def _utc_offsets_ns(zone: tzinfo, wall: Int64Array) -> Int64Array:
    """UTC offset in ns of each naive wall time (seconds since 1970) in `zone`."""
    if isinstance(zone, timezone):
        fixed = zone.utcoffset(None) // _MICROSECOND * 1000
        return np.full(len(wall), fixed, np.int64)
    if isinstance(zone, ZoneInfo):
        return _zoneinfo_offsets(zone, wall) * NS_PER_SECOND
    # Another tzinfo implementation: ask it once per distinct wall second.
    distinct, inverse = np.unique(wall, return_inverse=True)
    offsets = [_wall_offset_ns(zone, second) for second in distinct.tolist()]
    return np.array(offsets, np.int64)[inverse.ravel()]


def _wall_offset_ns(zone: tzinfo, wall_second: int) -> int:
    moment = (_NAIVE_EPOCH + timedelta(seconds=wall_second)).replace(tzinfo=zone)
    offset = moment.utcoffset()
    return 0 if offset is None else offset // _MICROSECOND * 1000


def _zoneinfo_offsets(zone: ZoneInfo, wall: Int64Array) -> Int64Array:
    """UTC offsets (seconds) of wall times, as ``replace(tzinfo=zone)`` gives them.

    `zoneinfo` keeps its transitions private, so they are found here: the
    offset is sampled once a day around every day the data touches, and each
    change between two samples is narrowed to its exact second by bisection.
    With ``fold=0`` a wall time keeps the offset in force before a transition
    until the wall clock reaches ``instant + max(offset before, offset after)``:
    in a gap that is the end of the gap, in a fold the end of the fold. (Two
    changes within one day that cancel out would be missed; none of the 599
    zones of the tz database 2024 has such a pair.)
    """
    days = _distinct(wall // SECONDS_PER_DAY)
    sample_days = np.unique((days[:, np.newaxis] + np.arange(-2, 3)).ravel())
    instants, before, after = _zone_transitions(zone, sample_days * SECONDS_PER_DAY)
    switch_at_wall = instants + np.maximum(before, after)
    index = np.searchsorted(switch_at_wall, wall, side="right") - 1
    return after[index]


def _distinct(values: Int64Array) -> Int64Array:
    """Return the sorted distinct values: a mark per value when their span is small."""
    low, high = int(values.min()), int(values.max())
    if high - low > 4 * len(values):
        return np.unique(values)
    seen = np.zeros(high - low + 1, np.bool_)
    seen[values - low] = True
    return np.flatnonzero(seen) + low


def _zone_transitions(
    zone: ZoneInfo, samples: Int64Array
) -> tuple[Int64Array, Int64Array, Int64Array]:
    """Offset changes near the sampled instants: (instant, before, after) arrays.

    Each run of consecutive daily samples starts with a pseudo-transition that
    states the offset in force there, so that changes outside the sampled days
    never matter.
    """
    entries: list[tuple[int, int, int]] = []
    previous: tuple[int, int] | None = None
    for sample in samples.tolist():
        offset = _offset_at(zone, sample)
        if previous is None or sample - previous[0] != SECONDS_PER_DAY:
            entries.append((sample, offset, offset))
        elif offset != previous[1]:
            entries += _changes_between(zone, previous[0], previous[1], sample)
        previous = (sample, offset)
    instants, before, after = (
        np.array(column, np.int64) for column in zip(*entries, strict=True)
    )
    return instants, before, after


def _changes_between(
    zone: ZoneInfo, start: int, start_offset: int, end: int
) -> list[tuple[int, int, int]]:
    """Every offset change in ``(start, end]``, found by bisection."""
    changes = []
    end_offset = _offset_at(zone, end)
    while start_offset != end_offset:
        low, high = start, end  # offset(low) == start_offset != offset(high)
        while high - low > 1:
            middle = (low + high) // 2
            if _offset_at(zone, middle) == start_offset:
                low = middle
            else:
                high = middle
        new_offset = _offset_at(zone, high)
        changes.append((high, start_offset, new_offset))
        start, start_offset = high, new_offset
    return changes


def _offset_at(zone: ZoneInfo, instant: int) -> int:
    """UTC offset in seconds in force at `instant` (seconds since the epoch)."""
    offset = datetime.fromtimestamp(instant, tz=zone).utcoffset()
    return 0 if offset is None else offset // timedelta(seconds=1)


# --- the slow path and the end --------------------------------------------------------


def _parse_slow_rows(
    results: _Results, value_of: Callable[[int], object], zone: tzinfo | None
) -> None:
    """Parse the rows no layout fits with `parse_timestamp`, once per distinct value."""
    if not results.slow_rows:
        return
    cache: dict[tuple[type, object], tuple[int, int] | str] = {}
    for row in np.concatenate(results.slow_rows).tolist():
        value = value_of(row)
        try:
            key = (type(value), value)
            outcome = cache.get(key)
            if outcome is None:
                outcome = cache[key] = _parse_one(value, zone)
        except TypeError:  # unhashable: parse it, do not cache it
            outcome = _parse_one(value, zone)
        if isinstance(outcome, str):
            results.errors[row] = outcome
        else:
            results.seconds[row], results.fraction[row] = outcome
            results.parsed[row] = True


def _parse_one(value: object, zone: tzinfo | None) -> tuple[int, int] | str:
    """``(seconds, nanoseconds)`` since the epoch, or the reason `value` is bad."""
    if isinstance(value, str) and _TOO_FINE.search(value):
        return (
            f"{value.strip()[:_MESSAGE_TEXT_CHARS]!r} has more than "
            f"{_MAX_FRACTION_DIGITS} fraction digits; nanoseconds are the finest unit"
        )
    try:
        moment = parse_timestamp(value, tz=zone)
    except ValueError as exc:
        return str(exc)
    seconds, microseconds = divmod((moment - EPOCH) // _MICROSECOND, 1_000_000)
    fraction = microseconds * 1000
    fine = _SUB_MICROSECOND.search(value) if isinstance(value, str) else None
    if fine and int(fine[1][:_MICROSECOND_DIGITS]) == moment.microsecond:
        fraction += int(fine[1][_MICROSECOND_DIGITS:].ljust(3, "0"))
    return seconds, fraction


def _finish(results: _Results, value_of: Callable[[int], object]) -> ParsedTimestamps:
    seconds, fraction, ok = results.seconds, results.fraction, results.parsed
    if not (
        seconds.min(initial=0) > _MIN_SECOND and seconds.max(initial=0) < _MAX_SECOND
    ):
        in_range = (
            ((seconds > _MIN_SECOND) & (seconds < _MAX_SECOND))
            | ((seconds == _MIN_SECOND) & (fraction >= _MIN_FRACTION))
            | ((seconds == _MAX_SECOND) & (fraction <= _MAX_FRACTION))
        )
        for row in np.flatnonzero(ok & ~in_range).tolist():
            text = str(value_of(row))[:_MESSAGE_TEXT_CHARS]
            results.errors[row] = f"{text!r} {_RANGE_MESSAGE}"
        ok = ok & in_range
        # int64 arithmetic wraps: at the ends of the range seconds * 1e9 overflows
        # and adding the fraction brings it back, so keep that order.
        seconds = np.where(ok, seconds, 0)
    ns = seconds * NS_PER_SECOND
    ns += fraction
    if not ok.all():
        ns[~ok] = 0
    return ParsedTimestamps(ns, ok, _in_row_order(results.errors))


def _in_row_order(errors: dict[int, str]) -> dict[int, str]:
    """Return `errors` with its rows in ascending order (often already so)."""
    rows = np.fromiter(errors, np.int64, count=len(errors))
    if np.all(rows[1:] > rows[:-1]):
        return errors
    return {row: errors[row] for row in np.sort(rows).tolist()}


def _text_matrix(items: list[Any]) -> tuple[ByteMatrix, Int64Array]:
    """Lay out the short ASCII texts among `items` as rows of a byte matrix.

    Every other item (a long or non-ASCII text, a non-text) gets length -1,
    which no layout has: it takes the slow path.
    """
    size = len(items)
    texts: list[str] = items
    all_texts = set(map(type, items)) <= {str}
    if not all_texts:
        texts = [item if type(item) is str else "" for item in items]
    lengths = np.fromiter(map(len, texts), np.int64, count=size)
    fast = lengths <= MAX_LAYOUT_LENGTH
    if not all_texts:
        fast &= np.fromiter((type(item) is str for item in items), np.bool_, size)
    joined = "".join(texts)
    if not joined.isascii():
        fast &= np.fromiter(map(str.isascii, texts), np.bool_, count=size)
    if not fast.all():
        texts = [
            text if keep else ""
            for text, keep in zip(texts, fast.tolist(), strict=True)
        ]
        joined = "".join(texts)
        lengths[~fast] = -1
    stored = np.maximum(lengths, 0)
    starts = np.cumsum(stored) - stored
    width = max(1, int(stored.max(initial=0)))
    data = np.frombuffer(joined.encode("ascii") + bytes(width), np.uint8)
    return sliding_window_view(data, width)[starts], lengths
