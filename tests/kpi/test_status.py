"""Tests of productops.kpi.status (red/amber/green).

There is no published worked example for RAG thresholds; the cases follow the
threshold rules documented on `productops.model.KPI` (green at or beyond
`green`, red strictly beyond `red`, amber between; band +/- tolerance).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from productops import InvalidInputError
from productops.kpi import KpiStatus, status
from productops.model import KPI, Direction, Observation

SEVERITY = {"green": 0, "amber": 1, "red": 2}


def at(day: int, value: float, *, kpi: str = "k", segment: str | None = None):
    return Observation(
        kpi=kpi, value=value, at=datetime(2024, 3, day, tzinfo=UTC), segment=segment
    )


def rag(kpi: KPI, value: float) -> str:
    return status(kpi, [at(1, value)]).rag


HIGHER = KPI(key="k", name="K", unit="%", target=45, green=40, red=30)
LOWER = KPI(key="k", name="K", direction="lower_is_better", green=2, red=5)
BAND = KPI(
    key="k", name="K", direction="target_band", band_low=10, band_high=20, tolerance=2
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(50, "green"), (40, "green"), (39.9, "amber"), (30, "amber"), (29.9, "red")],
)
def test_higher_is_better_boundaries(value, expected):
    assert rag(HIGHER, value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1, "green"), (2, "green"), (2.1, "amber"), (5, "amber"), (5.1, "red")],
)
def test_lower_is_better_boundaries(value, expected):
    assert rag(LOWER, value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(10, "green"), (20, "green"), (8, "amber"), (22, "amber"), (7.9, "red")],
)
def test_target_band_boundaries(value, expected):
    assert rag(BAND, value) == expected


def test_band_without_tolerance_has_no_amber():
    kpi = KPI(key="k", name="K", direction="target_band", band_low=1, band_high=2)
    assert rag(kpi, 2.01) == "red"
    assert (
        "2.01 is 0.01 above the target band [1, 2]" in status(kpi, [at(1, 2.01)]).reason
    )


def test_reasons_in_words():
    assert status(HIGHER, [at(1, 41)]).reason == (
        "41% is at or above the green threshold 40%"
    )
    assert status(HIGHER, [at(1, 20)]).reason == "20% is below the red threshold 30%"
    assert status(LOWER, [at(1, 3)]).reason == (
        "3 is above the green threshold 2 but not above the red threshold 5"
    )
    assert status(BAND, [at(1, 21)]).reason == (
        "21 is 1 above the target band [10, 20], within the tolerance 2"
    )


def test_target_stands_in_for_green():
    kpi = KPI(key="k", name="K", target=10)
    assert rag(kpi, 10) == "green"
    result = status(kpi, [at(1, 9)])
    assert result.rag == "amber"
    assert "below the target 10" in result.reason


def test_grey_without_data_or_thresholds():
    none = status(HIGHER, [])
    assert (none.rag, none.value, none.gap) == ("grey", None, None)
    assert "no observation" in none.reason
    bare = KPI(key="k", name="K")
    assert rag(bare, 3) == "grey"


def test_latest_observation_of_this_kpi_and_segment_as_of():
    obs = [
        at(1, 45),
        at(8, 20),
        at(9, 50, kpi="other"),
        at(10, 50, segment="EU"),
    ]
    latest = status(HIGHER, obs)
    assert isinstance(latest, KpiStatus)
    assert (latest.value, latest.rag, latest.gap) == (20, "red", -25)
    assert latest.observed_at == datetime(2024, 3, 8, tzinfo=UTC)
    assert status(HIGHER, obs, as_of=date(2024, 3, 7)).value == 45
    assert status(HIGHER, obs, as_of=datetime(2024, 3, 8, tzinfo=UTC)).value == 20
    assert status(HIGHER, obs, segment="EU").rag == "green"
    assert status(HIGHER, obs, as_of=date(2024, 2, 1)).rag == "grey"
    record = latest.to_records()[0]
    assert (record["direction"], record["rag"], record["value"]) == (
        "higher_is_better",
        "red",
        20,
    )


def test_periods_and_instants_order_by_end_of_day():
    obs = [
        Observation(
            kpi="k",
            value=35,
            period_start=date(2024, 3, 1),
            period_end=date(2024, 3, 7),
        ),
        at(7, 50),  # midnight of the 7th: before the period ends
    ]
    assert status(HIGHER, obs).value == 35


def test_conflicting_latest_values_are_named():
    with pytest.raises(InvalidInputError) as info:
        status(HIGHER, [at(1, 3), at(2, 10), at(2, 11)])
    assert "observations[1] = 10" in str(info.value)
    assert "observations[2] = 11" in str(info.value)
    assert status(HIGHER, [at(2, 10), at(2, 10)]).value == 10


def test_naive_as_of_is_rejected():
    with pytest.raises(InvalidInputError, match="naive"):
        status(HIGHER, [at(1, 3)], as_of=datetime(2024, 3, 1))


values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@given(
    st.sampled_from(["higher_is_better", "lower_is_better"]),
    values,
    values,
    values,
    values,
)
def test_rag_is_monotone_in_the_value(direction, a, b, t1, t2):
    higher = direction == "higher_is_better"
    green, red = (max(t1, t2), min(t1, t2)) if higher else (min(t1, t2), max(t1, t2))
    kpi = KPI(key="k", name="K", direction=direction, green=green, red=red)
    worse, better = (min(a, b), max(a, b)) if higher else (max(a, b), min(a, b))
    assert SEVERITY[rag(kpi, worse)] >= SEVERITY[rag(kpi, better)]


@given(values, values, st.floats(0, 1e3), values, values)
def test_band_rag_is_monotone_in_distance(low, width_seed, tolerance, a, b):
    high = low + abs(width_seed) % 1e3
    kpi = KPI(
        key="k",
        name="K",
        direction=Direction.TARGET_BAND,
        band_low=low,
        band_high=high,
        tolerance=tolerance,
    )

    def distance(x: float) -> float:
        return max(low - x, x - high, 0.0)

    near, far = sorted([a, b], key=distance)
    assert SEVERITY[rag(kpi, near)] <= SEVERITY[rag(kpi, far)]
