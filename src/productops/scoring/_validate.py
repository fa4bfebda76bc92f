"""Input checks shared by every scoring function.

Scoring functions take scalars or array-likes. Each input goes through
`numbers`, which turns it into a float array and rejects what is not a finite
number, then through `require`, which checks a domain rule. Both list *every*
bad position in one `InvalidInputError`, named by the caller's labels (item
keys) when there are some, so a backlog with three bad rows reports three.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import InvalidInputError

FloatArray = npt.NDArray[np.float64]
Labels = Sequence[str] | None

_LABELS: ContextVar[Sequence[str] | None] = ContextVar("labels", default=None)


@contextmanager
def labelled(labels: Sequence[str]) -> Iterator[None]:
    """Name positions by these labels (item keys) in errors raised inside."""
    token = _LABELS.set(labels)
    try:
        yield
    finally:
        _LABELS.reset(token)


def is_scalar(*values: Any) -> bool:
    """Whether every value is a plain number (not a list, tuple or array)."""
    return all(np.ndim(value) == 0 for value in values)


def _where(
    name: str, bad: npt.NDArray[np.bool_], values: FloatArray, labels: Labels
) -> str:
    positions = np.flatnonzero(bad)
    flat = values.reshape(-1)
    if values.ndim == 0:
        return f"{name}: got {_fmt(float(values))}"
    if labels is None:
        labels = _LABELS.get()
    if labels is not None and len(labels) != flat.size:
        labels = None
    parts = []
    for position in positions.tolist():
        label = f"{labels[position]!r}" if labels is not None else f"#{position}"
        parts.append(f"{label} ({_fmt(float(flat[position]))})")
    noun = "value" if len(parts) == 1 else "values"
    return f"{name}: {len(parts)} bad {noun}: " + ", ".join(parts)


def _fmt(value: float) -> str:
    if np.isnan(value):
        return "NaN"
    return f"{value:g}"


def numbers(name: str, value: Any, *, labels: Labels = None) -> FloatArray:
    """Return `value` as a float array; reject non-numbers, NaN and infinity.

    Raises
    ------
    InvalidInputError
        Naming `name` and every offending position.
    """
    if isinstance(value, bool) or (
        isinstance(value, np.ndarray) and value.dtype == np.bool_
    ):
        msg = f"{name}: expected a number, got a boolean"
        raise InvalidInputError(msg)
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        if np.ndim(value) == 0:
            msg = f"{name}: expected a number, got {value!r}"
            raise InvalidInputError(msg) from None
        labels = labels if labels is not None else _LABELS.get()
        if labels is not None and len(labels) != len(value):
            labels = None
        bad = [
            f"{labels[i]!r}" if labels is not None else f"#{i}"
            for i, v in enumerate(value)
            if not is_number(v)
        ]
        msg = f"{name}: expected numbers; not a number at " + ", ".join(bad)
        raise InvalidInputError(msg) from None
    if array.ndim > 1:
        msg = f"{name}: expected a number or a flat sequence, got shape {array.shape}"
        raise InvalidInputError(msg)
    bad_mask = ~np.isfinite(array)
    if bad_mask.any():
        msg = _where(name, bad_mask, array, labels) + " (must be a finite number)"
        raise InvalidInputError(msg)
    return array


def is_number(value: Any) -> bool:
    """Whether `value` converts to a float (booleans do not count)."""
    if isinstance(value, bool):
        return False
    try:
        float(value)
    except (TypeError, ValueError, OverflowError):
        return False
    return True


def require(
    name: str,
    values: FloatArray,
    ok: Callable[[FloatArray], Any],
    rule: str,
    *,
    labels: Labels = None,
) -> FloatArray:
    """Check ``ok(values)`` holds everywhere, else raise naming every bad value.

    `rule` says what is required, e.g. ``"must be > 0"``.
    """
    bad = ~np.asarray(ok(values), dtype=bool)
    if bad.any():
        msg = f"{_where(name, bad, values, labels)} ({rule})"
        raise InvalidInputError(msg)
    return values


def positive(name: str, value: Any, *, labels: Labels = None) -> FloatArray:
    """Return finite numbers ``> 0`` (effort, job size, duration)."""
    return require(
        name,
        numbers(name, value, labels=labels),
        lambda v: v > 0,
        "must be > 0",
        labels=labels,
    )


def nonnegative(name: str, value: Any, *, labels: Labels = None) -> FloatArray:
    """Return finite numbers ``>= 0`` (reach, impact, value)."""
    return require(
        name,
        numbers(name, value, labels=labels),
        lambda v: v >= 0,
        "must be >= 0",
        labels=labels,
    )


def between(
    name: str,
    value: Any,
    low: float,
    high: float,
    *,
    integer: bool = False,
    labels: Labels = None,
) -> FloatArray:
    """Return finite numbers in ``[low, high]``, optionally whole."""
    array = numbers(name, value, labels=labels)
    if integer:
        return require(
            name,
            array,
            lambda v: (v >= low) & (v <= high) & (v == np.round(v)),
            f"must be a whole number from {low:g} to {high:g}",
            labels=labels,
        )
    return require(
        name,
        array,
        lambda v: (v >= low) & (v <= high),
        f"must be between {low:g} and {high:g}",
        labels=labels,
    )


def one_of(
    name: str, values: FloatArray, allowed: Collection[float], *, labels: Labels = None
) -> FloatArray:
    """Every value is on a fixed scale (RICE impact, modified Fibonacci, ...)."""
    scale = np.array(sorted(allowed), dtype=np.float64)
    shown = ", ".join(f"{v:g}" for v in scale)
    return require(
        name,
        values,
        lambda v: np.isclose(v[..., None], scale).any(axis=-1),
        f"must be one of {shown}; pass strict=False to allow other values",
        labels=labels,
    )


def fraction(
    name: str, value: Any, *, percent: bool = False, labels: Labels = None
) -> FloatArray:
    """Return fractions in ``[0, 1]``; with `percent`, read ``[0, 100]`` and scale."""
    array = numbers(name, value, labels=labels)
    if percent:
        array = between(name, array, 0, 100, labels=labels) / 100.0
        return array
    return require(
        name,
        array,
        lambda v: (v >= 0) & (v <= 1),
        "must be a fraction in [0, 1]; pass percent=True for 0-100",
        labels=labels,
    )


def broadcast(**arrays: FloatArray) -> list[FloatArray]:
    """Broadcast inputs of equal length (or scalars) together, naming a mismatch."""
    try:
        return [np.asarray(a) for a in np.broadcast_arrays(*arrays.values())]
    except ValueError:
        shapes = ", ".join(f"{k} has {np.size(v)}" for k, v in arrays.items())
        msg = f"inputs have different lengths: {shapes}"
        raise InvalidInputError(msg) from None


def result(values: FloatArray, *, scalar: bool) -> float | FloatArray:
    """Return a float for scalar inputs, else the float array."""
    if scalar:
        return float(values)
    return values
