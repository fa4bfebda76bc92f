"""`read_csv` reads what `csv.reader` reads, and says what it skipped."""

from __future__ import annotations

import csv
import gzip
import io
import shutil
from pathlib import Path
from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from productops.errors import DataLoadError, InvalidInputError
from productops.flow import _csv
from productops.flow._csv import CsvColumns, read_csv
from productops.model._base import parse_timestamp

# gzip copies of the public logs in shared/fixtures/eventlogs/ (see SOURCES.md there)
DATA = Path(__file__).parent.parent / "data" / "flow"
EPOCH_NS = np.datetime64("1970-01-01T00:00:00", "ns")


def write(folder: Path, content: str | bytes, name: str = "log.csv") -> Path:
    path = folder / name
    if isinstance(content, str):
        path.write_bytes(content.encode())
    else:
        path.write_bytes(content)
    return path


def interned(values: list[str]) -> tuple[list[int], tuple[str, ...]]:
    """Codes and distinct values in order of first appearance, the slow way."""
    table: dict[str, int] = {}
    codes = [table.setdefault(value, len(table)) for value in values]
    return codes, tuple(table)


def assert_columns_equal(columns: CsvColumns, rows: list[list[str]]) -> None:
    """Every column of `columns` holds what `rows` (from csv.reader) holds."""
    assert columns.n_rows == len(rows)
    for index in range(len(columns.header)):
        values = [row[index] for row in rows]
        codes, distinct = columns.codes(index)
        assert (codes.tolist(), distinct) == interned(values)
        assert codes.dtype == np.int64
        assert columns.strings(index).tolist() == values


# --- round trips against the csv module -----------------------------------------------

plain_text = st.text(
    alphabet=st.characters(
        codec="utf-8", exclude_categories=("Cs",), exclude_characters='",;\t|\r\n\x00'
    ),
    max_size=12,
)
any_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
    max_size=12,
)


@st.composite
def tables(draw: st.DrawFn, cells: st.SearchStrategy[str]) -> list[list[str]]:
    width = draw(st.integers(min_value=1, max_value=5))
    header = [f"column {index}" for index in range(width)]
    # few distinct values, so that codes repeat
    pool = draw(st.lists(cells, min_size=1, max_size=6))
    choice = st.sampled_from(pool) | cells
    rows = draw(st.lists(st.lists(choice, min_size=width, max_size=width), max_size=25))
    return [header, *rows]


def written(table: list[list[str]], delimiter: str, line_end: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=line_end).writerows(table)
    return buffer.getvalue()


def read_back(text: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


@settings(
    max_examples=40,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    table=tables(plain_text),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    line_end=st.sampled_from(["\n", "\r\n"]),
)
def test_unquoted_tables_round_trip(
    tmp_path: Path, table: list[list[str]], delimiter: str, line_end: str
) -> None:
    text = written(table, delimiter, line_end)
    expected = [row for row in read_back(text, delimiter) if row]
    path = write(tmp_path, text)
    if '"' in text:  # csv.writer quotes a row holding one empty field
        columns = read_csv(path, delimiter=delimiter)
    else:
        with patch.object(_csv, "_read_with_csv_module", side_effect=AssertionError):
            columns = read_csv(path, delimiter=delimiter)  # the numpy path
    assert columns.header == tuple(expected[0])
    assert_columns_equal(columns, expected[1:])


@settings(
    max_examples=40,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    table=tables(any_text),
    delimiter=st.sampled_from([",", ";"]),
    line_end=st.sampled_from(["\n", "\r\n"]),
)
def test_quoted_tables_round_trip(
    tmp_path: Path, table: list[list[str]], delimiter: str, line_end: str
) -> None:
    text = written(table, delimiter, line_end)
    expected = [row for row in read_back(text, delimiter) if row]
    columns = read_csv(write(tmp_path, text), delimiter=delimiter)
    assert columns.header == tuple(expected[0])
    # (a bare \r in a field is not quoted by csv.writer, and csv.reader then
    # takes it for a line break: such rows come back with the wrong length)
    rows = [row for row in expected[1:] if len(row) == len(expected[0])]
    assert_columns_equal(columns, rows)


def test_quoted_fields_with_delimiters_and_line_breaks(tmp_path: Path) -> None:
    text = 'item,note\r\nA-1,"one, two"\r\nA-2,"line\nbreak"\r\nA-3,"say ""hi"""\r\n'
    columns = read_csv(write(tmp_path, text))
    assert columns.strings("note").tolist() == ["one, two", "line\nbreak", 'say "hi"']
    assert columns.line_numbers.tolist() == [2, 3, 5]


def test_non_ascii_values_round_trip(tmp_path: Path) -> None:
    text = "team,who\nÅsa,Zoë\n東京,Zoë\nÅsa,😀\n"
    columns = read_csv(write(tmp_path, text))
    codes, values = columns.codes("team")
    assert (codes.tolist(), values) == ([0, 1, 0], ("Åsa", "東京"))
    assert columns.strings("who").tolist() == ["Zoë", "Zoë", "😀"]


# --- codes ----------------------------------------------------------------------------


def test_codes_follow_first_appearance_and_empty_is_a_value(tmp_path: Path) -> None:
    columns = read_csv(write(tmp_path, "a,b\nz,\ny,1\nz,\n,2\ny,1\n"))
    codes, values = columns.codes("a")
    assert (codes.tolist(), values) == ([0, 1, 0, 2, 1], ("z", "y", ""))
    codes, values = columns.codes("b")
    assert (codes.tolist(), values) == ([0, 1, 0, 2, 1], ("", "1", "2"))


def test_values_differing_after_eight_bytes_or_in_length_are_distinct(
    tmp_path: Path,
) -> None:
    values = ["abcdefgh", "abcdefghi", "abcdefghj", "abcdefgh ", "abc", "abcdefghi"]
    columns = read_csv(write(tmp_path, "v\n" + "\n".join(values) + "\n"))
    assert columns.codes("v")[0].tolist() == [0, 1, 2, 3, 4, 1]


def test_long_fields_are_interned_too(tmp_path: Path) -> None:
    long_a, long_b = "a" * 100, "a" * 99 + "b"
    values = ["x", long_a, "y", long_b, long_a, "x", long_b]
    columns = read_csv(write(tmp_path, "v,w\n" + "".join(f"{v},1\n" for v in values)))
    codes, distinct = columns.codes("v")
    assert (codes.tolist(), distinct) == interned(values)


def test_nul_bytes_are_data(tmp_path: Path) -> None:
    values = ["a\0", "a", "a\0\0", "a\0", "\0b"]
    columns = read_csv(write(tmp_path, "v\n" + "".join(f"{v}\n" for v in values)))
    codes, distinct = columns.codes("v")
    assert (codes.tolist(), distinct) == interned(values)
    strings = columns.strings("v")
    assert strings.dtype == object
    assert strings.tolist() == values


def test_a_value_the_sample_missed_gets_its_own_code(tmp_path: Path) -> None:
    # 20,000 rows of two values: the sample of every 4th row misses row 10,001
    values = ["open", "done"] * 10_000
    values[10_001] = "lost"
    columns = read_csv(write(tmp_path, "status\n" + "\n".join(values) + "\n"))
    codes, distinct = columns.codes("status")
    assert (codes.tolist(), distinct) == interned(values)


def test_many_distinct_values_are_grouped_by_sorting(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    values = [f"APP-{number}" for number in rng.integers(0, 3000, 12_000).tolist()]
    columns = read_csv(write(tmp_path, "item\n" + "\n".join(values) + "\n"))
    codes, distinct = columns.codes("item")
    assert (codes.tolist(), distinct) == interned(values)


def test_hash_collisions_never_merge_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def colliding(words: np.ndarray, lengths: object, seed: int) -> np.ndarray:
        return np.zeros(len(words), np.uint64)  # every row collides

    monkeypatch.setattr(_csv, "_hash", colliding)
    # (values of more than 8 bytes: one-word values are hashed without collisions)
    values = ["status a!", "status b!", "status a!", "status c!", "status b!"]
    columns = read_csv(write(tmp_path, "v\n" + "\n".join(values) + "\n"))
    codes, distinct = columns.codes("v")
    assert (codes.tolist(), distinct) == interned(values)


def test_a_table_collision_falls_back_to_sorting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def same_top_bits(words: np.ndarray, lengths: object, seed: int) -> np.ndarray:
        return words[:, 0] & np.uint64(0xFFFF)  # distinct, but all in slot 0

    monkeypatch.setattr(_csv, "_hash", same_top_bits)
    values = ["a", "b", "a", "c", "b"]
    columns = read_csv(write(tmp_path, "v\n" + "\n".join(values) + "\n"))
    assert columns.codes("v")[0].tolist() == [0, 1, 0, 2, 1]


def test_columns_by_index_and_unknown_names(tmp_path: Path) -> None:
    columns = read_csv(write(tmp_path, "a,b,a\n1,2,3\n"))
    assert columns.strings(1).tolist() == ["2"]
    assert columns.strings(2).tolist() == ["3"]
    with pytest.raises(KeyError, match=r"no column 'c'.*\('a', 'b', 'a'\)"):
        columns.codes("c")
    with pytest.raises(KeyError, match="appears 2 times"):
        columns.codes("a")
    with pytest.raises(KeyError, match="out of range"):
        columns.timestamps(3)


@pytest.mark.parametrize("header", ["a,b\n", '"a",b\n'])
def test_empty_columns(tmp_path: Path, header: str) -> None:
    columns = read_csv(write(tmp_path, header))
    assert (columns.n_rows, len(columns)) == (0, 0)
    codes, values = columns.codes("a")
    assert (codes.tolist(), values) == ([], ())
    assert columns.strings("b").tolist() == []
    assert columns.timestamps("a").ok.tolist() == []


# --- lines ----------------------------------------------------------------------------


def test_crlf_bom_and_no_final_line_break(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xef\xbb\xbfitem,status\r\nA-1,Open\r\nA-2,Done")
    columns = read_csv(path)
    assert columns.header == ("item", "status")
    assert columns.strings("status").tolist() == ["Open", "Done"]
    assert columns.strings("item").tolist() == ["A-1", "A-2"]
    assert columns.line_numbers.tolist() == [2, 3]


def test_empty_last_field_before_crlf(tmp_path: Path) -> None:
    columns = read_csv(write(tmp_path, "a,b\r\n1,\r\n,2\r\n"))
    assert columns.strings("b").tolist() == ["", "2"]
    assert columns.strings("a").tolist() == ["1", ""]


@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
def test_empty_lines_are_skipped_and_reported(tmp_path: Path, line_end: str) -> None:
    lines = ["", "a,b", "1,2", "", "", "3,4", ""]
    columns = read_csv(write(tmp_path, line_end.join(lines) + line_end))
    assert columns.header == ("a", "b")
    assert columns.strings("a").tolist() == ["1", "3"]
    assert columns.line_numbers.tolist() == [3, 6]
    assert columns.skipped == {
        1: "empty line",
        4: "empty line",
        5: "empty line",
        7: "empty line",
    }


@pytest.mark.parametrize("quoted", [False, True])
def test_rows_with_the_wrong_field_count_are_reported(
    tmp_path: Path, quoted: bool
) -> None:
    note = '"x"' if quoted else "x"
    text = f"a,b,c\n1,2,3\n4,5\n6,7,8,9\n{note},y,z\n\n10,11,12\n"
    columns = read_csv(write(tmp_path, text))
    assert columns.bad_rows == {
        3: "expected 3 fields, found 2",
        4: "expected 3 fields, found 4",
    }
    assert columns.skipped == {6: "empty line"}
    assert columns.strings("a").tolist() == ["1", "x", "10"]
    assert columns.line_numbers.tolist() == [2, 5, 7]


def test_a_single_column_file(tmp_path: Path) -> None:
    columns = read_csv(write(tmp_path, "v\nx\n\ny\n"))
    assert columns.strings("v").tolist() == ["x", "y"]
    assert columns.skipped == {3: "empty line"}


def test_a_tiny_file_without_line_break(tmp_path: Path) -> None:
    columns = read_csv(write(tmp_path, "v\nx"))
    assert columns.codes("v")[1] == ("x",)


def test_a_bare_carriage_return_ends_a_line_as_in_csv(tmp_path: Path) -> None:
    columns = read_csv(write(tmp_path, "a,b\r1,2\r3,4\r"))
    assert columns.strings("b").tolist() == ["2", "4"]


@pytest.mark.parametrize(
    ("header", "delimiter"),
    [
        ("a,b", ","),
        ("a;b", ";"),
        ("a\tb", "\t"),
        ("a|b", "|"),
        ("a;b;c,d", ";"),
        ("ab", ","),
    ],
)
def test_the_delimiter_is_sniffed_from_the_header(
    tmp_path: Path, header: str, delimiter: str
) -> None:
    columns = read_csv(write(tmp_path, f"{header}\n"))
    assert columns.header == tuple(header.split(delimiter))


def test_an_explicit_delimiter_wins(tmp_path: Path) -> None:
    columns = read_csv(write(tmp_path, "a;b,c\n1;2,3\n"), delimiter=",")
    assert columns.header == ("a;b", "c")


@pytest.mark.parametrize("delimiter", ["", ";;", '"', "\n"])
def test_a_bad_delimiter_is_refused(tmp_path: Path, delimiter: str) -> None:
    with pytest.raises(InvalidInputError, match="delimiter"):
        read_csv(write(tmp_path, "a\n"), delimiter=delimiter)


def test_a_non_ascii_delimiter(tmp_path: Path) -> None:
    columns = read_csv(write(tmp_path, "a§b\n1§2\n"), delimiter="§")
    assert columns.strings("b").tolist() == ["2"]


@pytest.mark.parametrize("content", [b"", b"\n\n", b"\xef\xbb\xbf"])
def test_a_file_without_header_is_an_error(tmp_path: Path, content: bytes) -> None:
    with pytest.raises(DataLoadError, match="no header line"):
        read_csv(write(tmp_path, content))


def test_a_missing_file_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(DataLoadError, match="cannot read"):
        read_csv(tmp_path / "missing.csv")


def test_undecodable_bytes_name_their_line(tmp_path: Path) -> None:
    with pytest.raises(DataLoadError, match="line 3 is not valid utf-8") as caught:
        read_csv(write(tmp_path, b"a\nok\nbad \xff\n"))
    assert caught.value.problems[0].position == 2


def test_other_encodings_are_decoded(tmp_path: Path) -> None:
    path = write(tmp_path, "name;city\nJosé;Zürich\n".encode("latin-1"))
    assert read_csv(path, encoding="latin-1").strings("city").tolist() == ["Zürich"]
    with pytest.raises(InvalidInputError, match="unknown encoding"):
        read_csv(path, encoding="no-such-codec")


def test_repr_names_the_file_and_counts(tmp_path: Path) -> None:
    columns = read_csv(write(tmp_path, "a,b\n1,2\n3\n"))
    assert repr(columns).endswith("log.csv': 1 rows x 2 columns, 1 bad rows>")


# --- timestamps -----------------------------------------------------------------------


def test_timestamps_come_straight_from_the_bytes(tmp_path: Path) -> None:
    text = (
        "item,at\n"
        "A,2024-01-31T10:00:00.123+01:00\n"
        "B,   2024-01-31T10:00:00.000000000+00:00   \n"
        "C,\n"
        "D,2024-02-30T10:00Z\n"
        "E,2024-01-31 10:00\n"
    )
    columns = read_csv(write(tmp_path, text))
    parsed = columns.timestamps("at")
    assert parsed.ok.tolist() == [True, True, False, False, False]
    assert parsed.as_datetime64()[:2].tolist() == [
        np.datetime64("2024-01-31T09:00:00.123", "ns").astype(int),
        np.datetime64("2024-01-31T10:00:00", "ns").astype(int),
    ]
    assert parsed.errors[2] == "empty timestamp"
    assert parsed.errors[3].startswith("'2024-02-30T10:00Z' is not an ISO 8601")
    assert parsed.errors[4].startswith("timestamp has no timezone")
    naive = columns.timestamps("at", tz="Europe/Berlin")
    assert naive.ok[4]
    assert naive.as_datetime64()[4] == np.datetime64("2024-01-31T09:00")


# --- the real logs --------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_logs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("eventlogs")
    paths = {}
    for name in ("receipt.csv", "helpdesk.csv"):
        with (
            gzip.open(DATA / f"{name}.gz") as packed,
            (folder / name).open("wb") as out,
        ):
            shutil.copyfileobj(packed, out)
        paths[name] = folder / name
    return paths


def csv_module_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def expected_ns(text: str) -> int:
    moment = parse_timestamp(text)
    return int(
        (np.datetime64(moment.replace(tzinfo=None), "ns") - EPOCH_NS).astype(int)
    )


@pytest.mark.parametrize(
    ("name", "timestamp_columns"),
    [
        ("receipt.csv", ["time:timestamp", "case:startdate", "case:deadline"]),
        ("helpdesk.csv", ["timestamp"]),
    ],
)
def test_real_logs_match_csv_and_parse_timestamp(
    real_logs: dict[str, Path], name: str, timestamp_columns: list[str]
) -> None:
    path = real_logs[name]
    columns = read_csv(path)
    rows = csv_module_rows(path)
    assert (columns.n_rows, columns.bad_rows, columns.skipped) == (len(rows), {}, {})
    assert columns.header == tuple(rows[0])
    for column in columns.header:
        values = [row[column] for row in rows]
        codes, distinct = columns.codes(column)
        assert (codes.tolist(), distinct) == interned(values), column
    for column in timestamp_columns:
        parsed = columns.timestamps(column)
        assert parsed.ok.all(), list(parsed.errors.items())[:3]
        for row in range(0, len(rows), 97):
            assert parsed.ns[row] == expected_ns(rows[row][column]), (column, row)


def test_receipt_offsets_and_fractions(real_logs: dict[str, Path]) -> None:
    columns = read_csv(real_logs["receipt.csv"])
    parsed = columns.timestamps("time:timestamp")
    # first row: 2011-10-11 13:45:40.276000+02:00
    assert parsed.as_datetime64()[0] == np.datetime64("2011-10-11T11:45:40.276")
    # the empty end dates are reported, not invented
    enddates = columns.timestamps("case:enddate")
    empty = columns.strings("case:enddate") == ""
    assert np.array_equal(~enddates.ok, empty)
    assert {enddates.errors[row] for row in np.flatnonzero(empty).tolist()} == {
        "empty timestamp"
    }
