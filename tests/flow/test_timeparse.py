"""`parse_timestamps` gives exactly the instants `parse_timestamp` gives, in bulk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from productops.errors import ConfigurationError
from productops.flow import _timeparse
from productops.flow._timeparse import (
    NAIVE_MESSAGE,
    ParsedTimestamps,
    parse_timestamp_matrix,
    parse_timestamps,
)
from productops.model._base import parse_timestamp

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
NOT_A_TIMESTAMP = "is not an ISO 8601 or RFC 2822 timestamp"


def expected_ns(text: str, tz: tzinfo | None = None) -> int:
    """What `parse_timestamp` says, in ns, exactly (no float on the way)."""
    return (parse_timestamp(text, tz=tz) - EPOCH) // MICROSECOND * 1000


def assert_matches_parse_timestamp(
    texts: list[str], parsed: ParsedTimestamps, tz: tzinfo | None = None
) -> None:
    assert len(parsed) == len(texts)
    for row, text in enumerate(texts):
        assert parsed.ok[row], (text, parsed.errors.get(row))
        assert parsed.ns[row] == expected_ns(text, tz), text
    assert parsed.errors == {}


# --- every vectorised layout against parse_timestamp ----------------------------------

moments = st.datetimes(
    min_value=datetime(1678, 1, 1), max_value=datetime(2261, 12, 31)
).map(lambda moment: moment.replace(tzinfo=UTC))
offsets_minutes = st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59)


@st.composite
def iso_texts(draw: st.DrawFn) -> str:
    """An instant written in one of the vectorised layouts, offset and all."""
    offset_style = draw(st.sampled_from(["Z", "+HH:MM", "+HHMM", "+HH"]))
    minutes = 0 if offset_style == "Z" else draw(offsets_minutes)
    if offset_style == "+HH":
        minutes -= minutes % 60 if minutes >= 0 else -((-minutes) % 60)
    local = draw(moments) + timedelta(minutes=minutes)
    time_style = draw(st.sampled_from(["hh:mm", "hh:mm:ss", "fraction"]))
    text = local.strftime("%Y-%m-%d") + draw(st.sampled_from("T "))
    text += local.strftime("%H:%M")
    if time_style != "hh:mm":
        text += local.strftime(":%S")
    if time_style == "fraction":
        digits = draw(st.integers(min_value=1, max_value=6))
        text += "." + f"{local.microsecond:06d}"[:digits]
    if offset_style == "Z":
        return text + "Z"
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return (
        text
        + {
            "+HH:MM": f"{sign}{hours:02d}:{rest:02d}",
            "+HHMM": f"{sign}{hours:02d}{rest:02d}",
            "+HH": f"{sign}{hours:02d}",
        }[offset_style]
    )


@settings(max_examples=60)
@given(st.lists(iso_texts(), min_size=1, max_size=30))
def test_vectorised_layouts_give_the_instants_parse_timestamp_gives(
    texts: list[str],
) -> None:
    assert_matches_parse_timestamp(texts, parse_timestamps(texts))


@pytest.mark.parametrize(
    "text",
    [
        "2024-01-31T10:00Z",
        "2024-01-31 10:00:00Z",
        "2024-01-31T10:00:00.5+01:00",
        "2024-01-31T10:00:00.788000+01:00",
        "2011-10-11 13:45:40.276000+02:00",
        "2012-10-09T14:50:17+00:00",
        "2024-02-29T23:59:59.999999-0530",
        "2024-12-31T23:59:59+14",
        "2000-03-01T00:00:00-00:00",
        "1970-01-01T00:00:00Z",
        "1969-12-31T23:59:59.999999Z",
    ],
)
def test_common_texts_match_parse_timestamp(text: str) -> None:
    assert_matches_parse_timestamp([text], parse_timestamps([text]))


@pytest.mark.parametrize(
    ("text", "ns_in_second"),
    [
        ("2024-01-31T10:00:00.1234567Z", 123_456_700),
        ("2024-01-31T10:00:00.12345678Z", 123_456_780),
        ("2024-01-31T10:00:00.123456789Z", 123_456_789),
        ("2024-01-31T10:00:00.000000001+01:00", 1),
    ],
)
def test_fractions_keep_nanoseconds(text: str, ns_in_second: int) -> None:
    parsed = parse_timestamps([text])
    second = expected_ns(text) // 1_000_000_000 * 1_000_000_000
    assert parsed.ns[0] == second + ns_in_second


def test_nanoseconds_are_kept_on_the_slow_path_too() -> None:
    # a lowercase separator is not vectorised; parse_timestamp truncates to µs
    parsed = parse_timestamps(["2024-01-31t10:00:00.123456789Z"])
    assert parsed.ns[0] % 1_000_000_000 == 123_456_789


def test_more_than_nine_fraction_digits_is_an_error() -> None:
    parsed = parse_timestamps(["2024-01-31T10:00:00.1234567891Z"])
    assert not parsed.ok[0]
    assert parsed.ns[0] == 0
    assert "more than 9 fraction digits" in parsed.errors[0]


def test_a_date_alone_is_naive_midnight() -> None:
    parsed = parse_timestamps(["2024-01-31"], tz=timezone(timedelta(hours=2)))
    assert parsed.as_datetime64()[0] == np.datetime64("2024-01-30T22:00")


# --- naive values ---------------------------------------------------------------------

naive_texts = st.datetimes(
    min_value=datetime(1678, 1, 1), max_value=datetime(2261, 12, 31)
).map(lambda moment: moment.isoformat(sep=" " if moment.second % 2 else "T"))


def test_naive_values_without_tz_are_errors_in_parse_timestamp_words() -> None:
    texts = ["2024-01-31T10:00:00", "2024-01-31T10:00:00Z", "2024-01-31 10:00"]
    parsed = parse_timestamps(texts)
    assert parsed.ok.tolist() == [False, True, False]
    assert parsed.errors == {0: NAIVE_MESSAGE, 2: NAIVE_MESSAGE}
    with pytest.raises(ValueError, match="no timezone") as caught:
        parse_timestamp(texts[0])
    assert str(caught.value) == NAIVE_MESSAGE


fixed_zones = st.sampled_from(
    [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]
)


@settings(max_examples=50)
@given(zone=fixed_zones, texts=st.lists(naive_texts, min_size=1, max_size=20))
def test_naive_values_with_a_fixed_offset_tz(zone: tzinfo, texts: list[str]) -> None:
    assert_matches_parse_timestamp(texts, parse_timestamps(texts, tz=zone), zone)


def test_sub_second_fixed_offsets_borrow_from_the_seconds() -> None:
    zone = timezone(timedelta(seconds=1, microseconds=500_000))
    texts = ["2024-01-31T10:00:00", "2024-01-31T10:00:00.75"]
    assert_matches_parse_timestamp(texts, parse_timestamps(texts, tz=zone), zone)


BERLIN = ZoneInfo("Europe/Berlin")
# Wall times within 3 hours of each daylight-saving change in Berlin, 1916-2100:
# the gap (spring) and the fold (autumn), where fold=0 decides.
berlin_changes = st.integers(min_value=1916, max_value=2100).flatmap(
    lambda year: st.sampled_from(
        [datetime(year, 3, 31, 2, 0), datetime(year, 10, 27, 2, 0)]
        + [datetime(year, 3, day, 2, 0) for day in range(25, 32)]
        + [datetime(year, 10, day, 2, 0) for day in range(25, 32)]
    )
)
near_berlin_changes = st.builds(
    lambda base, seconds: (base + timedelta(seconds=seconds)).isoformat(),
    berlin_changes,
    st.integers(min_value=-3 * 3600, max_value=3 * 3600),
)


@settings(max_examples=60)
@given(st.lists(near_berlin_changes, min_size=1, max_size=20))
def test_naive_values_around_berlin_dst_changes_match_parse_timestamp(
    texts: list[str],
) -> None:
    assert_matches_parse_timestamp(texts, parse_timestamps(texts, tz=BERLIN), BERLIN)


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2024-03-31T01:59:59", "2024-03-31T00:59:59"),  # before the gap
        ("2024-03-31T02:30:00", "2024-03-31T01:30:00"),  # in the gap: fold=0, +01:00
        ("2024-03-31T03:00:00", "2024-03-31T01:00:00"),  # after the gap
        ("2024-10-27T02:30:00", "2024-10-27T00:30:00"),  # in the fold: first, +02:00
        ("2024-10-27T03:00:00", "2024-10-27T02:00:00"),  # after the fold
    ],
)
def test_berlin_gap_and_fold_follow_fold_zero(text: str, utc: str) -> None:
    parsed = parse_timestamps([text], tz="Europe/Berlin")
    assert parsed.as_datetime64()[0] == np.datetime64(utc)


OTHER_ZONES = [
    ("America/New_York", 2024),
    ("Australia/Lord_Howe", 2024),  # 30-minute daylight saving
    ("Pacific/Apia", 2011),  # skipped 2011-12-30 entirely
    ("Europe/Dublin", 2024),  # negative daylight saving in the database
    ("America/Sitka", 1867),  # moved across the date line
    ("Europe/Berlin", 1893),  # from local mean time (+00:53:28) to CET
    ("Asia/Kolkata", 1942),
]


def offset_changes(zone: ZoneInfo, year: int) -> list[datetime]:
    """The UTC instants in `year` when the zone's offset changes (hourly scan)."""
    start = int(datetime(year, 1, 1, tzinfo=UTC).timestamp())
    changes = []
    previous = datetime.fromtimestamp(start, zone).utcoffset()
    for hour in range(1, 366 * 24):
        moment = datetime.fromtimestamp(start + hour * 3600, zone)
        if moment.utcoffset() != previous:
            changes.append(moment.astimezone(UTC))
            previous = moment.utcoffset()
    return changes


@pytest.mark.parametrize(("zone", "year"), OTHER_ZONES)
def test_naive_values_around_changes_in_other_zones_match_parse_timestamp(
    zone: str, year: int
) -> None:
    info = ZoneInfo(zone)
    changes = offset_changes(info, year)
    assert changes
    texts = []
    for change in changes:
        # wall times around the change, read with the offsets before and after
        for offset in {
            (change - timedelta(hours=1)).astimezone(info).utcoffset(),
            change.astimezone(info).utcoffset(),
        }:
            assert offset is not None
            wall = (change + offset).replace(tzinfo=None)
            texts += [
                (wall + timedelta(seconds=step * 421)).isoformat()
                for step in range(-60, 61)
            ]
    assert_matches_parse_timestamp(texts, parse_timestamps(texts, tz=zone), info)


@settings(max_examples=25)
@given(
    zone=st.sampled_from([name for name, _ in OTHER_ZONES]),
    texts=st.lists(naive_texts, min_size=1, max_size=20),
)
def test_naive_values_in_other_zones_match_parse_timestamp(
    zone: str, texts: list[str]
) -> None:
    info = ZoneInfo(zone)
    assert_matches_parse_timestamp(texts, parse_timestamps(texts, tz=zone), info)


def test_a_tzinfo_of_another_kind_is_asked_per_distinct_wall_time() -> None:
    from dateutil import tz as dateutil_tz

    zone = dateutil_tz.gettz("Europe/Berlin")
    assert zone is not None
    texts = ["2024-03-31T02:30:00", "2024-07-01T12:00:00", "2024-07-01T12:00:00"]
    assert_matches_parse_timestamp(texts, parse_timestamps(texts, tz=zone), zone)


def test_an_unknown_zone_name_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="Mars/Olympus"):
        parse_timestamps(["2024-01-31T10:00"], tz="Mars/Olympus")


# --- invalid values -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2024-13-01T00:00Z", "month 13 is out of range"),
        ("2024-00-10T00:00Z", "month 0 is out of range"),
        ("2024-02-30T00:00Z", "day 30 is out of range"),
        ("2023-02-29T00:00:00+01:00", "day 29 is out of range"),
        ("2024-04-31 10:00:00Z", "day 31 is out of range"),
        ("2024-01-01T24:00:01Z", "hour 24 is out of range"),
        ("2024-01-01T24:01:00Z", "hour 24 is out of range"),
        ("2024-01-01T24:00:00.5Z", "hour 24 is out of range"),
        ("2024-01-01T25:00:00Z", "hour 25 is out of range"),
        ("2024-01-01T23:60:00Z", "minute 60 is out of range"),
        ("2024-01-01T23:59:60Z", "second 60 is out of range"),
        ("2024-01-01T10:00:00+24:00", "offset hour 24 is out of range"),
        ("2024-01-01T10:00:00+0160", "offset minute 60 is out of range"),
        ("0000-01-01T10:00:00Z", "year 0 is out of range"),
    ],
)
def test_out_of_range_fields_are_reported_not_turned_into_numbers(
    text: str, reason: str
) -> None:
    parsed = parse_timestamps(["2024-01-31T10:00Z", text])
    assert parsed.ok.tolist() == [True, False]
    assert parsed.ns[1] == 0
    assert parsed.errors == {1: f"{text!r} {NOT_A_TIMESTAMP} ({reason})"}


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("2024-01-31T24:00:00Z", datetime(2024, 2, 1, tzinfo=UTC)),
        ("2024-12-31T24:00Z", datetime(2025, 1, 1, tzinfo=UTC)),
        ("2024-02-28T24:00:00.000+01:00", datetime(2024, 2, 28, 23, tzinfo=UTC)),
    ],
)
def test_hour_24_is_the_next_midnight_in_both_parsers(
    text: str, instant: datetime
) -> None:
    # ISO 8601:2004 4.2.3: 24:00:00 is the end of a day.
    assert parse_timestamp(text) == instant
    assert parse_timestamps([text]).as_datetime64()[0] == np.datetime64(
        instant.replace(tzinfo=None), "ns"
    )


def test_hour_24_past_midnight_is_rejected_by_both_parsers() -> None:
    text = "2024-01-31T24:00:01Z"
    with pytest.raises(ValueError, match="not an ISO 8601"):
        parse_timestamp(text)
    assert not parse_timestamps([text]).ok[0]


def test_leap_days_are_valid_in_leap_years_only() -> None:
    texts = ["2024-02-29T00:00Z", "2000-02-29T00:00Z", "1900-02-29T00:00Z"]
    assert parse_timestamps(texts).ok.tolist() == [True, True, False]


@pytest.mark.parametrize(
    "text",
    ["", "   ", "soon", "2024-1-31T10:00Z", "2024-01-31T10:0OZ", "31/01/2024 10:00"],
)
def test_garbage_gets_parse_timestamps_message(text: str) -> None:
    parsed = parse_timestamps(["2024-01-31T10:00Z", text])
    assert parsed.ok.tolist() == [True, False]
    assert parsed.ns[1] == 0
    with pytest.raises(ValueError, match=r".") as caught:
        parse_timestamp(text)
    assert parsed.errors == {1: str(caught.value)}


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("1677-09-21T00:12:43.145224192Z", True),
        ("1677-09-21T00:12:43.145224191Z", False),
        ("2262-04-11T23:47:16.854775807Z", True),
        ("2262-04-11T23:47:16.854775808Z", False),
        ("1600-01-01T00:00Z", False),
        ("9999-12-31T23:59:59Z", False),
        ("2262-04-12T01:00:00+02:00", True),
    ],
)
def test_instants_beyond_int64_nanoseconds_are_errors(text: str, ok: bool) -> None:
    parsed = parse_timestamps([text])
    assert parsed.ok[0] == ok
    if not ok:
        assert parsed.errors[0].endswith("(1677-09-21 to 2262-04-11)")


def test_naive_values_beyond_the_range_are_errors_with_a_zone() -> None:
    parsed = parse_timestamps(["0001-01-01T00:00", "2262-04-12T02:00"], tz=BERLIN)
    assert parsed.ok.tolist() == [False, False]
    assert set(parsed.errors) == {0, 1}


# --- mixtures, inputs, order ----------------------------------------------------------

MIXTURE = [
    "2024-01-31T10:00:00Z",
    "Wed, 31 Jan 2024 10:00:00 +0000",
    "2024-13-01T00:00Z",
    "2024-01-31 10:00:00.5+01:00",
    "",
    " 2024-01-31T10:00Z ",
    "2024-01-31T10:00:00+0100",
    "2024-01-31t10:00z",
    "2024-W05-3T10:00Z",
    "2024-01-31T10:00:00.123+05:30",
    "2024-01-31T10:00:00",
    "2024-01-31T10+01",
    "2024-01-31T10:00:00.123456789-02",
]


def expected_outcome(text: str) -> int | str:
    try:
        return expected_ns(text)
    except ValueError as exc:
        return str(exc)


@pytest.mark.parametrize("chunk_rows", [1, 3, 65_536])
def test_mixed_layouts_keep_row_order(
    chunk_rows: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_timeparse, "_CHUNK_ROWS", chunk_rows)
    texts = MIXTURE * 3
    parsed = parse_timestamps(texts)
    for row, text in enumerate(texts):
        expected = expected_outcome(text)
        if text.endswith("123456789-02"):
            assert parsed.ns[row] == 1706702400_123456789
        elif isinstance(expected, int):
            assert (parsed.ok[row], parsed.ns[row]) == (True, expected), text
        elif text == "2024-13-01T00:00Z":
            assert parsed.errors[row].startswith(f"{text!r} {NOT_A_TIMESTAMP}")
        else:
            assert (parsed.ok[row], parsed.errors[row]) == (False, expected), text
    assert list(parsed.errors) == sorted(parsed.errors)


def test_each_distinct_slow_value_is_parsed_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[object] = []

    def counting(value: object, *, tz: tzinfo | None = None) -> datetime:
        calls.append(value)
        return parse_timestamp(value, tz=tz)

    monkeypatch.setattr(_timeparse, "parse_timestamp", counting)
    rfc = "Wed, 31 Jan 2024 10:00:00 +0000"
    parsed = parse_timestamps([rfc, "2024-01-31T10:00Z", rfc, rfc, "x", "x"])
    assert parsed.ok.tolist() == [True, True, True, True, False, False]
    assert sorted(map(str, calls)) == sorted([rfc, "x"])


def test_non_text_items_go_to_parse_timestamp() -> None:
    moment = datetime(2024, 1, 31, 10, 0, tzinfo=UTC)
    values: list[object] = [moment, 1706695200, 1706695200.5, "2024-01-31T10:00Z", True]
    parsed = parse_timestamps(values)
    assert parsed.ok.tolist() == [True, True, True, True, False]
    base = 1706695200_000_000_000
    assert parsed.ns[:4].tolist() == [base, base, base + 500_000_000, base]
    assert parsed.errors == {4: "expected a timestamp, got a boolean"}


def test_non_ascii_texts_go_to_parse_timestamp() -> None:
    fullwidth_year = "\uff12\uff10\uff12\uff14"  # "2024" in fullwidth digits
    texts = [
        "2024-01-31T10:00Z",
        "2024-01-31T10:00:00\u00a0Z",
        f"{fullwidth_year}-01-31T10:00Z",
    ]
    parsed = parse_timestamps(texts)
    for row, text in enumerate(texts):
        expected = expected_outcome(text)
        if isinstance(expected, int):
            assert parsed.ns[row] == expected
        else:
            assert parsed.errors[row] == expected


def test_numpy_string_arrays_are_accepted() -> None:
    texts = np.array(["2024-01-31T10:00Z", "2024-01-31T11:00Z"])
    parsed = parse_timestamps(texts)
    assert np.diff(parsed.ns).tolist() == [3600 * 1_000_000_000]
    with pytest.raises(ValueError, match="1-D"):
        parse_timestamps(texts.reshape(1, 2))


def test_empty_input() -> None:
    parsed = parse_timestamps([])
    assert (len(parsed), parsed.ns.dtype, parsed.ok.dtype, parsed.errors) == (
        0,
        np.dtype(np.int64),
        np.dtype(np.bool_),
        {},
    )


def test_as_datetime64_marks_bad_rows_not_a_time() -> None:
    parsed = parse_timestamps(["2024-01-31T10:00Z", "nope"])
    stamps = parsed.as_datetime64()
    assert stamps[0] == np.datetime64("2024-01-31T10:00")
    assert np.isnat(stamps[1])


def test_a_large_column_crosses_chunks() -> None:
    rng = np.random.default_rng(7)
    ns = rng.integers(0, 2_000_000_000_000_000_000, 70_000)
    texts = [text + "+00:00" for text in np.datetime_as_string(ns.astype("M8[ns]"))]
    parsed = parse_timestamps(texts)
    assert parsed.ok.all()
    assert np.array_equal(parsed.ns, ns)


# --- the byte-matrix entry point ------------------------------------------------------


def matrix(texts: list[bytes], width: int) -> tuple[np.ndarray, np.ndarray]:
    chars = np.zeros((len(texts), width), np.uint8)
    for row, text in enumerate(texts):
        chars[row, : min(width, len(text))] = list(text[:width])
    return chars, np.array([len(text) for text in texts])


def test_matrix_rows_are_read_up_to_their_length() -> None:
    chars, lengths = matrix([b"2024-01-31T10:00Z", b"2024-01-31T10:00:00+01:00"], 32)
    chars[0, 17:] = ord("9")  # garbage after the end of row 0 is ignored
    parsed = parse_timestamp_matrix(chars, lengths)
    expected = np.array(["2024-01-31T10:00", "2024-01-31T09:00"], "M8[ns]")
    assert np.array_equal(parsed.as_datetime64(), expected)


def test_matrix_rows_longer_than_the_matrix_use_text_of() -> None:
    texts = [b"2024-01-31T10:00Z", b"Wed, 31 Jan 2024 10:00:00 +0000"]
    chars, lengths = matrix(texts, 17)
    parsed = parse_timestamp_matrix(
        chars, lengths, text_of=lambda row: texts[row].decode()
    )
    assert parsed.ok.all()
    assert parsed.ns[0] == parsed.ns[1]
    with pytest.raises(ValueError, match="pass text_of"):
        parse_timestamp_matrix(chars, lengths)


def test_matrix_shapes_are_checked() -> None:
    with pytest.raises(ValueError, match="shape"):
        parse_timestamp_matrix(np.zeros((2, 8), np.uint8), np.zeros(3, np.int64))
