r"""Read a delimited text file into columns, with numpy instead of a loop per row.

`read_csv` reads the whole file as bytes and finds every line break and
delimiter with one vectorised scan; a field is then just a (start, length)
pair into the bytes. Columns are turned into what the event log needs only
when asked for:

* `CsvColumns.codes`: int64 codes into the distinct values, in order of first
  appearance. Each field's bytes are gathered into a fixed-width matrix and
  hashed eight bytes at a time into one uint64. Columns with few distinct
  values look their hashes up in a small table; others sort them. Then every
  row is compared with the first row of its group, so a hash collision can
  never merge two values (the reader rehashes with another seed instead).
* `CsvColumns.timestamps`: parsed straight from the byte matrix by
  `productops.flow._timeparse.parse_timestamp_matrix`.
* `CsvColumns.strings`: the texts, decoded once per distinct value.

Files with a quote character ``"`` (quoted fields may hold delimiters and line
breaks) and files with bare ``\r`` line ends are read with Python's `csv`
module instead, which is slower but handles them exactly as `csv.reader`
does; the columns then work the same way.
"""

from __future__ import annotations

import codecs
import csv
import io
from datetime import tzinfo
from pathlib import Path
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from productops.errors import DataLoadError, InvalidInputError, RecordProblem
from productops.flow._timeparse import (
    MAX_LAYOUT_LENGTH,
    ParsedTimestamps,
    parse_timestamp_matrix,
)

__all__ = ["CsvColumns", "read_csv"]

Int64Array = NDArray[np.int64]
ByteArray = NDArray[np.uint8]

DELIMITERS: Final = (",", ";", "\t", "|")
"""Delimiters `read_csv` recognises in a header line, most preferred first."""

_NEWLINE = ord("\n")
_CARRIAGE_RETURN = ord("\r")
_WORD_BYTES = 8  # fields are hashed one uint64 word at a time
_SHORT_FIELD_BYTES = 64  # longer fields are interned with a Python dict instead
_PROBE_SAMPLE_ROWS = 4096  # rows sampled to decide whether a column has few values
_PROBE_MAX_VALUES = 1024  # at most this many distinct values in the sample: probe
_PROBE_MAX_BITS = 16  # the probe table has at most 2**16 slots
_HASH_SEEDS = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9)
_MIX_MULTIPLIER = np.uint64(0xFF51AFD7ED558CCD)  # MurmurHash3's 64-bit finaliser
_MIX_SHIFT = np.uint64(33)


class CsvColumns:
    r"""The columns of a delimited text file, read by `read_csv`.

    A field is held as a position and a length in the file's bytes; asking for
    a column (`codes`, `strings`, `timestamps`) converts it in one vectorised
    pass. Columns are named by their header text or by their 0-based index.

    Attributes
    ----------
    source : str
        The path the columns were read from (for messages).
    header : tuple of str
        The column names, from the first non-empty line.
    n_rows : int
        Number of good data rows (rows with as many fields as the header).
    line_numbers : numpy.ndarray of int64
        The 1-based line in the file where each good row starts.
    bad_rows : dict of int to str
        Line number to the reason a row was left out ("expected 6 fields,
        found 5").
    skipped : dict of int to str
        Line number to the reason a line was skipped ("empty line").

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "log.csv").write_text(
    ...     "item,status,at\nA-1,Open,2024-01-31T10:00Z\nA-2,Done,2024-02-01T09:00Z\n"
    ...     "A-1,Done,2024-02-02T08:00Z\n"
    ... )
    >>> log = read_csv(folder / "log.csv")
    >>> log.header, log.n_rows
    (('item', 'status', 'at'), 3)
    >>> log.codes("item")
    (array([0, 1, 0]), ('A-1', 'A-2'))
    >>> print(log.timestamps("at").as_datetime64()[0])
    2024-01-31T10:00:00.000000000
    """

    def __init__(
        self,
        *,
        source: str,
        header: tuple[str, ...],
        data: ByteArray,
        bounds: Int64Array,
        line_numbers: Int64Array,
        bad_rows: dict[int, str],
        skipped: dict[int, str],
        has_nul: bool,
    ) -> None:
        self.source = source
        self.header = header
        self.n_rows = len(line_numbers)
        self.line_numbers = line_numbers
        self.bad_rows = bad_rows
        self.skipped = skipped
        # `data` is the file's UTF-8 bytes. Field j of row i is
        # data[bounds[i, j] + 1 : bounds[i, j + 1]]: bounds holds, per row, the
        # position before the first field, each delimiter, and the end of the row.
        self._data = data
        self._bounds = bounds
        # Whether some field holds a NUL byte: then zero padding does not tell a
        # field's length, and NUL cannot separate values.
        self._has_nul = has_nul

    def __len__(self) -> int:
        return self.n_rows

    def __repr__(self) -> str:
        return (
            f"<CsvColumns {self.source!r}: {self.n_rows} rows x "
            f"{len(self.header)} columns, {len(self.bad_rows)} bad rows>"
        )

    def column_index(self, name: str | int) -> int:
        r"""Return the 0-based index of the column `name` (or check an index).

        Raises
        ------
        KeyError
            If no column has that name (the message lists the header), or
            several have it.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = path.write_text("a;b\n1;2\n")
        >>> read_csv(path).column_index("b")
        1
        """
        if isinstance(name, int):
            if not 0 <= name < len(self.header):
                msg = (
                    f"column index {name} is out of range; the header is {self.header}"
                )
                raise KeyError(msg)
            return name
        matches = [index for index, text in enumerate(self.header) if text == name]
        if not matches:
            msg = f"no column {name!r} in {self.source}; the header is {self.header}"
            raise KeyError(msg)
        if len(matches) > 1:
            msg = (
                f"column {name!r} appears {len(matches)} times in the header "
                f"(at {matches}); pass its index"
            )
            raise KeyError(msg)
        return matches[0]

    def codes(self, name: str | int) -> tuple[Int64Array, tuple[str, ...]]:
        r"""Return a column as codes into its distinct values.

        Parameters
        ----------
        name : str or int
            The column's header text, or its 0-based index.

        Returns
        -------
        codes : numpy.ndarray of int64
            For each row, the index of its value in `values`.
        values : tuple of str
            The distinct values in order of first appearance. An empty field
            is the value ``""`` like any other.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = path.write_text("team\nCirrus\nAurora\n\nCirrus\n\u00c5sa\n")
        >>> read_csv(path).codes("team")
        (array([0, 1, 0, 2]), ('Cirrus', 'Aurora', 'Åsa'))
        """
        starts, lengths = self._spans(self.column_index(name))
        codes, first_rows = _intern(
            self._data, starts, lengths, check_lengths=self._has_nul
        )
        return codes, self._decode(starts[first_rows], lengths[first_rows])

    def strings(self, name: str | int) -> NDArray[Any]:
        r"""Return a column's texts as a numpy ``str`` array.

        numpy's fixed-width ``str`` drops trailing NUL characters; in the rare
        column where a value ends in one, the array has dtype ``object``
        instead, so that no text is changed.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = path.write_text("a,b\nx,1\ny,2\n")
        >>> read_csv(path).strings("b")
        array(['1', '2'], dtype='<U1')
        """
        codes, values = self.codes(name)
        if any(value.endswith("\0") for value in values):
            return np.array(values, dtype=object)[codes]
        return np.array(values, dtype=str)[codes] if values else np.array([], str)

    def timestamps(
        self, name: str | int, *, tz: tzinfo | str | None = None
    ) -> ParsedTimestamps:
        r"""Parse a column of timestamps, as `parse_timestamps` would.

        Parameters
        ----------
        name : str or int
            The column's header text, or its 0-based index.
        tz : tzinfo or str, optional
            Zone of naive values; without it they are errors.

        Returns
        -------
        ParsedTimestamps
            One entry per good row; ``errors`` is keyed by row index (look up
            `line_numbers` for the line in the file).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = path.write_text("at\n2024-01-31T10:00:00+01:00\nsoon\n")
        >>> parsed = read_csv(path).timestamps("at")
        >>> parsed.ok.tolist(), parsed.errors
        ([True, False], {1: "'soon' is not an ISO 8601 or RFC 2822 timestamp"})
        """
        starts, lengths = self._spans(self.column_index(name))
        width = _round_up(
            min(int(lengths.max(initial=1)), MAX_LAYOUT_LENGTH), _WORD_BYTES
        )
        chars = _gather(self._data, starts, width)

        def text_of(row: int) -> str:
            start = int(starts[row])
            return self._data[start : start + int(lengths[row])].tobytes().decode()

        return parse_timestamp_matrix(chars, lengths, tz=tz, text_of=text_of)

    def _spans(self, column: int) -> tuple[Int64Array, Int64Array]:
        starts = self._bounds[:, column] + 1
        return starts, self._bounds[:, column + 1] - starts

    def _decode(self, starts: Int64Array, lengths: Int64Array) -> tuple[str, ...]:
        """Decode a few fields (the distinct values of a column) at once."""
        if len(starts) == 0:
            return ()
        if self._has_nul:
            return tuple(
                self._data[start : start + length].tobytes().decode()
                for start, length in zip(starts.tolist(), lengths.tolist(), strict=True)
            )
        # Copy the fields end to end, each followed by a NUL, and decode them in
        # one go: byte i of the copy comes from data[i - begin + start] of its
        # field, and the byte after each field is overwritten by the NUL.
        spans = lengths + 1
        ends = np.cumsum(spans)
        source = np.arange(int(ends[-1])) + np.repeat(starts - (ends - spans), spans)
        joined = self._data[np.minimum(source, len(self._data) - 1)]
        joined[ends - 1] = 0
        return tuple(joined.tobytes().decode().split("\0")[:-1])


def read_csv(
    path: str | Path, *, delimiter: str | None = None, encoding: str = "utf-8"
) -> CsvColumns:
    r"""Read a delimited text file with a header line into `CsvColumns`.

    Parameters
    ----------
    path : str or Path
        The file.
    delimiter : str, optional
        The field delimiter. By default the one of ``,`` ``;`` ``\t`` ``|``
        that the header line holds most often (``,`` if none).
    encoding : str, default "utf-8"
        The file's text encoding. A UTF-8 byte order mark is dropped.

    Returns
    -------
    CsvColumns
        The columns. Empty lines are skipped and listed in ``skipped``; rows
        with the wrong number of fields are left out and listed in
        ``bad_rows``. Line breaks may be ``\n`` or ``\r\n``, and the last line
        may lack one.

    Raises
    ------
    DataLoadError
        If the file cannot be read, cannot be decoded, or has no header line.
    InvalidInputError
        If `delimiter` is not a single character, or is a quote or line break.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "log.csv"
    >>> bom = b"\xef\xbb\xbf"
    >>> _ = path.write_bytes(bom + b"item;status\r\nA-1;Open\r\n\r\nA-2\r\nA-3;Done")
    >>> log = read_csv(path)
    >>> log.header, log.n_rows, log.line_numbers.tolist()
    (('item', 'status'), 2, [2, 5])
    >>> log.skipped, log.bad_rows
    ({3: 'empty line'}, {4: 'expected 2 fields, found 1'})
    """
    source = str(path)
    if delimiter is not None:
        _check_delimiter(delimiter)
    raw = _read_utf8(Path(path), encoding)
    if b'"' in raw or (delimiter is not None and not delimiter.isascii()):
        return _read_with_csv_module(source, raw, delimiter)
    if b"\r" in raw and not _every_carriage_return_ends_a_line(raw):
        return _read_with_csv_module(source, raw, delimiter)
    return _read_fast(source, raw, delimiter)


# --- reading --------------------------------------------------------------------------


def _read_utf8(path: Path, encoding: str) -> bytes:
    """Return the file's bytes as UTF-8 without a byte order mark, checked."""
    try:
        raw = path.read_bytes()
        if codecs.lookup(encoding).name not in {"utf-8", "utf-8-sig"}:
            raw = raw.decode(encoding).encode("utf-8")
        elif not raw.isascii():
            raw.decode("utf-8")  # only to check it decodes
    except OSError as exc:
        raise _load_error(str(path), None, f"cannot read the file: {exc}") from exc
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        message = f"line {line} is not valid {encoding}: {exc.reason}"
        raise _load_error(str(path), line, message) from exc
    except LookupError as exc:
        msg = f"unknown encoding {encoding!r}"
        raise InvalidInputError(msg) from exc
    return raw.removeprefix(codecs.BOM_UTF8)


def _every_carriage_return_ends_a_line(raw: bytes) -> bool:
    r"""Tell whether each \r is followed by \n (else `csv` must read the file)."""
    data = np.frombuffer(raw, np.uint8)
    returns = np.flatnonzero(data == _CARRIAGE_RETURN)
    return bool(returns[-1] + 1 < len(data) and (data[returns + 1] == _NEWLINE).all())


def _check_delimiter(delimiter: str) -> None:
    if len(delimiter) != 1 or delimiter in '"\r\n':
        msg = (
            "delimiter must be one character other than a quote or a line break, "
            f"got {delimiter!r}"
        )
        raise InvalidInputError(msg)


def _sniff_delimiter(header: str) -> str:
    """Return the candidate the header line holds most often (``,`` if none)."""
    counts = [header.count(candidate) for candidate in DELIMITERS]
    best = max(range(len(DELIMITERS)), key=lambda index: (counts[index], -index))
    return DELIMITERS[best] if counts[best] else ","


def _find_marks(
    data: ByteArray, delimiter: str
) -> tuple[Int64Array, NDArray[np.bool_]]:
    """Find every line break and delimiter, and tell which are line breaks.

    A last line without a line break gets one at the end of the data.
    """
    is_mark = np.equal(data, _NEWLINE)
    is_mark |= np.equal(data, ord(delimiter))
    marks = np.flatnonzero(is_mark)
    is_newline = data[marks] == _NEWLINE
    if len(data) and data[-1] != _NEWLINE:
        marks = np.append(marks, len(data))
        is_newline = np.append(is_newline, True)
    return marks, is_newline


def _read_fast(source: str, raw: bytes, delimiter: str | None) -> CsvColumns:
    """Split the file with numpy: every line break and delimiter in one scan."""
    data = np.frombuffer(raw, np.uint8)
    if not raw:
        raise _load_error(source, None, "the file has no header line")
    if delimiter is None:
        first_break = raw.find(b"\n")
        header_line = raw if first_break < 0 else raw[:first_break]
        delimiter = _sniff_delimiter(header_line.decode())
    marks, is_newline = _find_marks(data, delimiter)
    bounds = _regular_bounds(data, marks, is_newline, crlf=b"\r" in raw)
    if bounds is None:
        return _read_irregular(source, raw, delimiter, marks, is_newline)
    header_end = int(marks[np.argmax(is_newline)])
    header = raw[:header_end].removesuffix(b"\r").decode().split(delimiter)
    return CsvColumns(
        source=source,
        header=tuple(header),
        data=data,
        bounds=bounds,
        line_numbers=np.arange(2, len(bounds) + 2),
        bad_rows={},
        skipped={},
        has_nul=b"\0" in raw,
    )


def _regular_bounds(
    data: ByteArray, marks: Int64Array, is_newline: NDArray[np.bool_], *, crlf: bool
) -> Int64Array | None:
    """Return the bounds of a file whose every line has the header's field count.

    Then the marks after the header's line break repeat ``k`` delimiters and a
    line break, row after row, and the bounds of row ``i`` (the line break
    before it, its delimiters, its line break) are ``k + 2`` consecutive marks
    starting at ``i * (k + 1)``: an overlapping strided view, no copy. Returns
    None when the file is not that regular (empty lines, bad rows, a single
    column): the caller then looks at it line by line.
    """
    header_mark = int(np.argmax(is_newline))  # the header line's break
    per_row = header_mark + 1  # marks per line: k delimiters and a line break
    after_header = marks[header_mark:]
    rows, leftover = divmod(len(after_header) - 1, per_row)
    regular = (
        header_mark > 0
        and leftover == 0
        and np.count_nonzero(is_newline) == rows + 1
        and bool(is_newline[header_mark::per_row].all())
    )
    if not regular:
        return None
    bounds = np.lib.stride_tricks.as_strided(
        after_header,
        shape=(rows, per_row + 1),
        strides=(per_row * after_header.itemsize, after_header.itemsize),
        writeable=False,
    )
    if rows and crlf:
        # \r\n line breaks (every \r is in one): a row's last field ends before it.
        bounds = bounds.copy()
        bounds[:, -1] -= data[bounds[:, -1] - 1] == _CARRIAGE_RETURN
    return bounds


def _read_irregular(
    source: str,
    raw: bytes,
    delimiter: str,
    marks: Int64Array,
    is_newline: NDArray[np.bool_],
) -> CsvColumns:
    """Split a file with empty lines or rows of the wrong length, line by line."""
    data = np.frombuffer(raw, np.uint8)
    newline_marks = np.flatnonzero(is_newline)
    line_ends = marks[newline_marks]
    line_starts = np.concatenate(([0], line_ends[:-1] + 1))
    if b"\r" in raw:  # every \r is part of a \r\n here: drop it from the line
        before_end = data[np.maximum(line_ends - 1, 0)]
        line_ends = line_ends - (
            (before_end == _CARRIAGE_RETURN) & (line_ends > line_starts)
        )
    # A line's delimiters are the marks between its line break and the one before.
    delimiter_counts = np.diff(np.concatenate(([-1], newline_marks))) - 1
    empty = line_ends == line_starts

    nonempty = np.flatnonzero(~empty)
    if len(nonempty) == 0:
        raise _load_error(source, None, "the file has no header line")
    header_line = int(nonempty[0])
    header_text = raw[line_starts[header_line] : line_ends[header_line]].decode()
    header = tuple(header_text.split(delimiter))
    expected = len(header) - 1
    after_header = np.arange(len(line_ends)) > header_line
    good = after_header & ~empty & (delimiter_counts == expected)
    bad = after_header & ~empty & (delimiter_counts != expected)

    good_lines = np.flatnonzero(good)
    first_marks = np.concatenate(([0], newline_marks[:-1] + 1))[good_lines]
    bounds = np.empty((len(good_lines), len(header) + 1), np.int64)
    bounds[:, 0] = line_starts[good_lines] - 1
    bounds[:, 1:-1] = marks[first_marks[:, np.newaxis] + np.arange(expected)]
    bounds[:, -1] = line_ends[good_lines]
    return CsvColumns(
        source=source,
        header=header,
        data=data,
        bounds=bounds,
        line_numbers=good_lines + 1,
        bad_rows={
            line + 1: f"expected {len(header)} fields, found {count + 1}"
            for line, count in zip(
                np.flatnonzero(bad).tolist(),
                delimiter_counts[bad].tolist(),
                strict=True,
            )
        },
        skipped=dict.fromkeys((np.flatnonzero(empty) + 1).tolist(), "empty line"),
        has_nul=b"\0" in raw,
    )


def _read_with_csv_module(source: str, raw: bytes, delimiter: str | None) -> CsvColumns:
    """Read with `csv.reader` (quoted fields); store the fields as the fast path."""
    text = raw.decode()
    if delimiter is None:
        delimiter = _sniff_delimiter(text.partition("\n")[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    fields: list[str] = []
    line_numbers: list[int] = []
    bad_rows: dict[int, str] = {}
    skipped: dict[int, str] = {}
    line = 1  # where the next record starts
    try:
        for record in reader:
            if not record:
                skipped[line] = "empty line"
            elif header is None:
                header = record
            elif len(record) == len(header):
                fields += record
                line_numbers.append(line)
            else:
                bad_rows[line] = f"expected {len(header)} fields, found {len(record)}"
            line = reader.line_num + 1
    except csv.Error as exc:
        raise _load_error(source, line, f"line {line}: {exc}") from exc
    if header is None:
        raise _load_error(source, None, "the file has no header line")

    # Lay the fields end to end, each followed by a NUL byte: the NULs then play
    # the part of delimiters and line ends in `bounds`. (Fields holding NUL
    # themselves are measured one by one instead.)
    joined = "\0".join(fields) + "\0" if fields else ""
    data = np.frombuffer(joined.encode(), np.uint8)
    if "\0" in text:
        lengths = np.fromiter((len(field.encode()) for field in fields), np.int64)
        separators = np.cumsum(lengths + 1) - 1
    else:
        separators = np.flatnonzero(data == 0)
    ends = separators.reshape(len(line_numbers), len(header))
    bounds = np.empty((len(line_numbers), len(header) + 1), np.int64)
    bounds[:, 1:] = ends
    bounds[:, 0] = np.concatenate(([-1], ends[:-1, -1]))
    return CsvColumns(
        source=source,
        header=tuple(header),
        data=data,
        bounds=bounds,
        line_numbers=np.array(line_numbers, np.int64),
        bad_rows=bad_rows,
        skipped=skipped,
        has_nul="\0" in text,
    )


def _load_error(source: str, line: int | None, message: str) -> DataLoadError:
    position = None if line is None else line - 1
    return DataLoadError([RecordProblem(source, position, None, "", message)])


# --- columns --------------------------------------------------------------------------


def _round_up(value: int, multiple: int) -> int:
    return max(multiple, -(-value // multiple) * multiple)


def _windows(buffer: ByteArray, width: int) -> NDArray[np.void]:
    """View every `width`-byte window of `buffer` as one void item (overlapping).

    Indexing it with field starts copies each field's bytes in one fancy-index
    operation, about twice as fast as a 2-D sliding-window view.
    """
    return np.ndarray(
        (len(buffer) - width + 1,), dtype=f"V{width}", buffer=buffer, strides=(1,)
    )


def _gather(data: ByteArray, starts: Int64Array, width: int) -> ByteArray:
    """Copy the `width` bytes from each start into the rows of a new matrix.

    Bytes past the end of the data read as zeros.
    """
    last = len(data) - width  # the last start whose window fits in the data
    near_end = starts > last
    if last < 0 or near_end.any():
        # Take the windows that would run off the end from a zero-padded copy
        # of the tail, rather than padding (copying) all of the data.
        tail_start = max(last, 0)
        tail = np.zeros(len(data) - tail_start + width, np.uint8)
        tail[: len(data) - tail_start] = data[tail_start:]
        if last < 0:
            rows = _windows(tail, width)[starts]
        else:
            rows = _windows(data, width)[np.minimum(starts, last)]
            rows[near_end] = _windows(tail, width)[starts[near_end] - tail_start]
    else:
        rows = _windows(data, width)[starts]
    return rows.view(np.uint8).reshape(len(starts), width)


def _intern(
    data: ByteArray, starts: Int64Array, lengths: Int64Array, *, check_lengths: bool
) -> tuple[Int64Array, Int64Array]:
    """Return codes in order of first appearance, and each value's first row.

    `check_lengths` says whether fields may hold NUL bytes, so that two fields
    whose bytes agree up to zero padding may still differ in length.
    """
    short = lengths <= _SHORT_FIELD_BYTES
    if short.all():
        groups, first_rows = _short_groups(
            data, starts, lengths, check_lengths=check_lengths
        )
    else:
        groups, first_rows = _groups_with_long_fields(
            data, starts, lengths, short, check_lengths=check_lengths
        )
    # Renumber the groups by their first row: codes in order of first appearance.
    order = np.argsort(first_rows)
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order))
    return rank[groups], first_rows[order]


def _groups_with_long_fields(
    data: ByteArray,
    starts: Int64Array,
    lengths: Int64Array,
    short: NDArray[np.bool_],
    *,
    check_lengths: bool,
) -> tuple[Int64Array, Int64Array]:
    """Group short fields with numpy and long ones with a dict, then merge."""
    groups = np.empty(len(starts), np.int64)
    short_rows = np.flatnonzero(short)
    short_groups, short_first = _short_groups(
        data, starts[short], lengths[short], check_lengths=check_lengths
    )
    groups[short_rows] = short_groups
    first_rows: list[int] = short_rows[short_first].tolist()
    seen: dict[bytes, int] = {}
    for row in np.flatnonzero(~short).tolist():
        value = data[starts[row] : starts[row] + lengths[row]].tobytes()
        group = seen.get(value)
        if group is None:
            group = seen[value] = len(first_rows)
            first_rows.append(row)
        groups[row] = group
    return groups, np.array(first_rows, np.int64)


def _short_groups(
    data: ByteArray, starts: Int64Array, lengths: Int64Array, *, check_lengths: bool
) -> tuple[Int64Array, Int64Array]:
    """Group equal fields of up to _SHORT_FIELD_BYTES bytes.

    Returns the group of every row and the first row of every group; groups
    are numbered in no particular order.
    """
    if len(starts) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    width = _round_up(int(lengths.max()), _WORD_BYTES)
    chars = _gather(data, starts, width)
    _zero_tails(chars, lengths)
    words = chars.view("<u8")  # (rows, width / 8)
    # A field of one word, length aside, is hashed by a bijection: equal hashes
    # then mean equal fields, and a full-hash look-up needs no check.
    exact = words.shape[1] == 1 and not check_lengths
    for seed in _HASH_SEEDS:
        hashed = _hash(words, lengths if check_lengths else None, seed)
        probed = _probe_groups(hashed)
        if probed is not None and probed[2] and exact:
            return probed[0], probed[1]
        groups, first_rows = probed[:2] if probed else _sort_groups(hashed)
        # A hash collision would put two different values in one group: compare
        # every row with its group's first row, word by word.
        columns = [words[:, index] for index in range(words.shape[1])]
        if check_lengths:
            columns.append(lengths)
        if _same_as_first(columns, groups, first_rows):
            return groups, first_rows
    return _dict_groups(data, starts, lengths)


def _zero_tails(chars: ByteArray, lengths: Int64Array) -> None:
    """Zero the bytes of each row of `chars` after its first ``lengths[row]``.

    A table row per possible length (0xFF bytes, then zeros), viewed as one
    void item, is looked up by length and ANDed in: one gather, no loop.
    """
    width = chars.shape[1]
    prefixes = np.arange(width) < np.arange(width + 1)[:, np.newaxis]
    masks = np.where(prefixes, np.uint8(0xFF), np.uint8(0)).view(f"V{width}")[:, 0]
    chars &= masks[lengths].view(np.uint8).reshape(chars.shape)


def _hash(
    words: NDArray[np.uint64], lengths: Int64Array | None, seed: int
) -> NDArray[np.uint64]:
    """Hash each row's words (and length, if given) into one uint64.

    Each word is xored in and multiplied by an odd constant; the end mixes the
    high bits down (MurmurHash3's finaliser), since the top bits are the ones
    `_probe_groups` and `_sort_groups` rely on. Every step is invertible, so
    one word without lengths is hashed without collisions.
    """
    if lengths is None:
        hashed = np.full(len(words), seed, np.uint64)
    else:
        hashed = lengths.astype(np.uint64)
        hashed ^= np.uint64(seed)
    for index in range(words.shape[1]):
        hashed ^= words[:, index]
        hashed *= _MIX_MULTIPLIER
    hashed ^= hashed >> _MIX_SHIFT
    hashed *= _MIX_MULTIPLIER
    hashed ^= hashed >> _MIX_SHIFT
    return hashed


def _probe_groups(
    hashed: NDArray[np.uint64],
) -> tuple[Int64Array, Int64Array, bool] | None:
    """Group the hashes by looking them up in a small table (few distinct values).

    The distinct hashes of a sample of rows go into a table indexed by the top
    bits of the hash; every row then finds its group with two look-ups, and no
    sort. Rows whose value the sample missed are grouped by `_sort_groups`.
    Returns the groups, their first rows and whether every row was found in
    the table; or None when the sample shows many distinct values, or their
    hashes share their top bits too often to fit a table of _PROBE_MAX_BITS.
    """
    count = len(hashed)
    known = np.unique(hashed[:: max(1, count // _PROBE_SAMPLE_ROWS)])
    if len(known) > _PROBE_MAX_VALUES:
        return None
    # at least 8 slots per value; more if two values want the same slot
    bits = max(4, 3 + len(known).bit_length())
    while len(np.unique(known >> np.uint64(64 - bits))) < len(known):
        bits += 1
        if bits > _PROBE_MAX_BITS:
            return None
    shift = np.uint64(64 - bits)
    known_slots = known >> shift
    # An empty slot holds a hash that cannot land in it (its top bits differ),
    # so comparing hashes alone tells found from not found.
    table_hash = ~(np.arange(1 << bits, dtype=np.uint64) << shift)
    table_group = np.zeros(1 << bits, np.int64)
    table_hash[known_slots] = known
    table_group[known_slots] = np.arange(len(known))
    slots = hashed >> shift
    groups = table_group[slots]
    found = table_hash[slots] == hashed
    if found.all():
        return groups, _first_rows(groups, len(known)), True
    rest = np.flatnonzero(~found)
    rest_groups, rest_first = _sort_groups(hashed[rest])
    groups[rest] = len(known)  # a group of its own while the first rows are found
    first_rows = _first_rows(groups, len(known) + 1)[:-1]
    groups[rest] = rest_groups + len(known)
    return groups, np.concatenate((first_rows, rest[rest_first])), False


def _first_rows(groups: Int64Array, count: int) -> Int64Array:
    """Find the first row of each of `count` groups (every group occurs).

    With few groups, each usually occurs early: look at blocks of rows of
    doubling size until every group has been seen.
    """
    first = np.full(count, -1, np.int64)
    start, size = 0, _PROBE_SAMPLE_ROWS
    while start < len(groups):
        values, offsets = np.unique(groups[start : start + size], return_index=True)
        new = first[values] < 0
        first[values[new]] = offsets[new] + start
        if first.min() >= 0:
            break
        start, size = start + size, size * 2
    return first


def _sort_groups(hashed: NDArray[np.uint64]) -> tuple[Int64Array, Int64Array]:
    """Group equal hashes: the group of every row and the first row of every group.

    The row number is packed into the low bits of each key and the keys are
    sorted (a plain sort of uint64 is several times faster than an argsort).
    Equal hashes end up next to each other with their rows in ascending order,
    so the first key of each run holds the first row of its group. (The top
    bits of the hash make way for the row number; the caller's comparison of
    every row with the first row of its group catches any collision.)
    """
    count = len(hashed)
    row_bits = max(1, (count - 1).bit_length())
    keys = hashed << np.uint64(row_bits)
    keys |= np.arange(count, dtype=np.uint64)
    keys.sort()
    rows = (keys & np.uint64((1 << row_bits) - 1)).astype(np.int64)
    keys >>= np.uint64(row_bits)
    starts_run = np.empty(count, np.bool_)
    starts_run[:1] = True
    np.not_equal(keys[1:], keys[:-1], out=starts_run[1:])
    groups = np.empty(count, np.int64)
    groups[rows] = np.cumsum(starts_run) - 1
    return groups, rows[starts_run]


def _same_as_first(
    columns: list[NDArray[Any]], groups: Int64Array, first_rows: Int64Array
) -> bool:
    """Tell whether every row's values in `columns` equal its group's first row's."""
    # Look the first rows' values up in a small table: cheaper than gathering
    # from the full columns at random rows.
    return all(np.array_equal(column[first_rows][groups], column) for column in columns)


def _dict_groups(
    data: ByteArray, starts: Int64Array, lengths: Int64Array
) -> tuple[Int64Array, Int64Array]:
    """Group fields with a dict: the last resort, after three hash collisions."""
    seen: dict[bytes, int] = {}
    first_rows: list[int] = []
    groups = np.empty(len(starts), np.int64)
    for row, (start, length) in enumerate(
        zip(starts.tolist(), lengths.tolist(), strict=True)
    ):
        value = data[start : start + length].tobytes()
        group = seen.get(value)
        if group is None:
            group = seen[value] = len(first_rows)
            first_rows.append(row)
        groups[row] = group
    return groups, np.array(first_rows, np.int64)
