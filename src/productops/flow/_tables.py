"""Table-like results: named columns with ``to_records`` and ``to_pandas``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from productops._tabular import Tabular

__all__ = ["DurationSample", "Table"]

SECONDS_PER_DAY = 86_400.0
NS_PER_DAY = 86_400 * 1_000_000_000


def ns_to_days(ns: NDArray[np.int64] | int) -> Any:
    """Convert nanoseconds (an array or an int) to fractional days of 86,400 s."""
    return np.asarray(ns, dtype=np.float64) / NS_PER_DAY


DEFAULT_LEVELS = (50, 70, 85, 95)


def _plain(value: Any) -> Any:
    """Turn numpy scalars and datetime64 values into plain Python values."""
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            return None
        unit = np.datetime_data(value.dtype)[0]
        if unit == "D":
            return date.fromisoformat(str(value))
        ns = int(value.astype("datetime64[ns]").astype(np.int64))
        return datetime.fromtimestamp(ns // 1000 / 1e6, tz=UTC)
    if isinstance(value, np.generic):
        item = value.item()
        if isinstance(item, float) and item != item:
            return None
        return item
    if isinstance(value, float) and value != value:
        return None
    return value


class Table(Tabular):
    """Named, equal-length columns: the shape of every table-like flow result.

    Columns are numpy arrays. `to_records` gives plain Python values (``None``
    for missing numbers); `to_pandas` gives a DataFrame when pandas is
    installed.

    Attributes
    ----------
    columns : dict of str to ndarray
        The data, in column order.

    Examples
    --------
    >>> t = Table({"state": np.array(["Ready", "Done"]), "items": np.array([3, 5])})
    >>> t.to_records()
    [{'state': 'Ready', 'items': 3}, {'state': 'Done', 'items': 5}]
    >>> len(t), t["items"].sum()
    (2, np.int64(8))
    """

    def __init__(self, columns: Mapping[str, Sequence[Any] | NDArray[Any]]) -> None:
        self.columns: dict[str, NDArray[Any]] = {
            name: np.asarray(values) for name, values in columns.items()
        }
        lengths = {name: len(values) for name, values in self.columns.items()}
        if len(set(lengths.values())) > 1:
            msg = f"columns differ in length: {lengths}"
            raise ValueError(msg)

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0

    def __getitem__(self, name: str) -> NDArray[Any]:
        return self.columns[name]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.to_records())

    def __repr__(self) -> str:
        names = ", ".join(self.columns)
        return f"<{type(self).__name__}: {len(self)} rows; {names}>"

    def to_records(self) -> list[dict[str, Any]]:
        """Return the rows as dicts of plain Python values."""
        names = list(self.columns)
        return [
            {name: _plain(value) for name, value in zip(names, row, strict=True)}
            for row in zip(*self.columns.values(), strict=True)
        ]

    def to_pandas(self) -> Any:
        """Return a pandas DataFrame (needs ``productops[pandas]``)."""
        import pandas as pd

        return pd.DataFrame(dict(self.columns))


class DurationSample(Table):
    """Durations per item (cycle time, lead time, age), in fractional days.

    Columns ``item`` and ``days``. Days are calendar days of 86,400 s.

    Examples
    --------
    >>> sample = DurationSample(np.array(list("ABCD")), np.array([1.0, 2.0, 3.0, 10.0]))
    >>> {level: round(days, 2) for level, days in sample.percentiles().items()}
    {50: 2.5, 70: 3.7, 85: 6.85, 95: 8.95}
    >>> sample.percentiles([50], method="inverted_cdf")
    {50: 2.0}
    """

    def __init__(self, items: NDArray[Any], days: NDArray[np.float64]) -> None:
        super().__init__({"item": items, "days": np.asarray(days, dtype=np.float64)})

    @property
    def days(self) -> NDArray[np.float64]:
        """The durations in days."""
        return self.columns["days"]

    def percentiles(
        self, levels: Sequence[float] = DEFAULT_LEVELS, *, method: str = "linear"
    ) -> dict[float, float]:
        """Return the given percentiles in days (NaN for an empty sample).

        Parameters
        ----------
        levels : sequence of float
            Percentile levels in ``[0, 100]``.
        method : str
            Any method `numpy.percentile` knows; the default interpolates
            linearly (Hyndman and Fan type 7), ``"inverted_cdf"`` gives the
            nearest-rank percentile some flow tools report.
        """
        if not len(self):
            return {level: float("nan") for level in levels}
        values = np.percentile(self.days, list(levels), method=method)  # type: ignore[call-overload]
        return {
            level: float(value) for level, value in zip(levels, values, strict=True)
        }

    def mean(self) -> float:
        """Return the mean in days (NaN for an empty sample)."""
        return float(self.days.mean()) if len(self) else float("nan")

    def median(self) -> float:
        """Return the median in days (NaN for an empty sample)."""
        return float(np.median(self.days)) if len(self) else float("nan")
