"""How fragile is a ranking? Top-k probabilities and the weight change that flips it.

A ranking built on estimates inherits their uncertainty. `sensitivity` answers
two questions a prioritisation review should ask and rarely does:

- if the weights or the inputs are off by the amounts we believe, how likely
  is each item to make the top k? (seeded Monte Carlo);
- how far must a single weight move, with everything else as estimated,
  before the top k changes? (exact for scores linear in the weight, such as
  weighted scores; a bracketing search otherwise).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from .._tabular import Tabular
from ..errors import InvalidInputError
from . import _validate as v
from ._data import columns
from ._estimate import _triangular_ppf_unit
from ._formula import Formula, formula
from ._prioritise import _NORMALISERS
from ._validate import FloatArray

__all__ = ["ESTIMATE_SPREADS", "Sampler", "Sensitivity", "WeightChange", "sensitivity"]

_CELLS_PER_CHUNK = 2_000_000


@runtime_checkable
class Sampler(Protocol):
    """Anything that draws numbers: ``sample(size, rng) -> array``.

    Examples
    --------
    >>> import numpy as np
    >>> from productops import scoring
    >>> class Fixed:
    ...     def sample(self, size, rng):
    ...         return np.full(size, 2.0)
    >>> isinstance(Fixed(), scoring.Sampler)
    True
    """

    def sample(self, size: int, rng: np.random.Generator) -> npt.ArrayLike:
        """Draw `size` values using `rng`."""
        ...


Spread = (
    tuple[float, float]
    | tuple[float, float, float]
    | tuple[str, str]
    | tuple[str, str, str]
    | Sampler
)
"""An uncertainty: ``(low, high)`` uniform, ``(low, mode, high)`` triangular,
field names for per-item ranges, or a `Sampler`."""


@dataclass(frozen=True, slots=True)
class WeightChange:
    """How far one weight can move before the top k changes.

    Attributes
    ----------
    weight : str
        The weight's name.
    value : float
        Its value as given.
    down, up : float or None
        The nearest values below and above `value` at which the top k
        changes (items tie there; one step further they swap). ``None`` when
        no value in that direction changes it.
    down_swap, up_swap : tuple[str, str] or None
        ``(enters, leaves)``: the item that enters the top k there and the
        one it pushes out.

    Examples
    --------
    >>> from productops import scoring
    >>> change = scoring.WeightChange("cost", -1.0, -2.5, None, ("B", "A"), None)
    >>> change.smallest
    1.5
    """

    weight: str
    value: float
    down: float | None
    up: float | None
    down_swap: tuple[str, str] | None
    up_swap: tuple[str, str] | None

    @property
    def smallest(self) -> float | None:
        """The smallest absolute change that alters the top k, or ``None``."""
        moves = [abs(x - self.value) for x in (self.down, self.up) if x is not None]
        return min(moves) if moves else None


@dataclass(frozen=True, eq=False)
class Sensitivity(Tabular):
    """The result of `sensitivity`: how robust a top-k selection is.

    Attributes
    ----------
    labels : tuple[str, ...]
        Item labels (keys), by input position.
    k : int
        Size of the selection.
    trials : int
        Monte Carlo trials run (0 when nothing varied).
    top : tuple[str, ...]
        The top k with every estimate as given, best first.
    probabilities : numpy.ndarray
        By input position: the share of trials in which the item made the top k.
    weight_changes : tuple[WeightChange, ...]
        One per weight.

    Examples
    --------
    >>> from productops import scoring
    >>> result = scoring.sensitivity(
    ...     {"key": ["A", "B", "C"], "value": [9, 6, 2], "cost": [8, 2, 1]},
    ...     weights={"value": 1, "cost": -1}, top=1)
    >>> result.top, result.smallest_change.weight
    (('B',), 'cost')
    """

    labels: tuple[str, ...]
    k: int
    trials: int
    top: tuple[str, ...]
    probabilities: FloatArray
    weight_changes: tuple[WeightChange, ...]

    def probability(self, label: str) -> float:
        """Return the probability that the item with this label makes the top k.

        Examples
        --------
        >>> from productops import scoring
        >>> scoring.sensitivity({"key": ["A", "B"], "x": [2, 1]},
        ...                     score="x", top=1).probability("A")
        1.0
        """
        try:
            return float(self.probabilities[self.labels.index(label)])
        except ValueError:
            msg = f"label: no item {label!r}"
            raise InvalidInputError(msg) from None

    @property
    def smallest_change(self) -> WeightChange | None:
        """The weight that needs the smallest move to change the top k."""
        movable = [c for c in self.weight_changes if c.smallest is not None]
        return min(movable, key=lambda c: c.smallest or 0.0) if movable else None

    def fragile(self, *, below: float = 0.8) -> tuple[str, ...]:
        """Items in the top k whose probability of staying there is under `below`.

        Examples
        --------
        >>> from productops import scoring
        >>> scoring.sensitivity({"key": ["A", "B"], "x": [2, 1]}, score="x",
        ...                     top=1).fragile()
        ()
        """
        chance = dict(zip(self.labels, self.probabilities.tolist(), strict=True))
        return tuple(label for label in self.top if chance[label] < below)

    def contenders(self, *, above: float = 0.2) -> tuple[str, ...]:
        """Items outside the top k with at least `above` chance of being in it.

        Examples
        --------
        >>> from productops import scoring
        >>> scoring.sensitivity({"key": ["A", "B"], "x": [2, 1]}, score="x",
        ...                     top=1).contenders()
        ()
        """
        inside = set(self.top)
        return tuple(
            label
            for label, p in zip(self.labels, self.probabilities.tolist(), strict=True)
            if label not in inside and p >= above
        )

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per item: key, whether it is in the top k, and its probability.

        Examples
        --------
        >>> from productops import scoring
        >>> scoring.sensitivity({"key": ["A", "B"], "x": [2, 1]}, score="x",
        ...                     top=1).to_records()[0]
        {'key': 'A', 'in_top': True, 'probability': 1.0}
        """
        inside = set(self.top)
        return [
            {"key": label, "in_top": label in inside, "probability": p}
            for label, p in zip(self.labels, self.probabilities.tolist(), strict=True)
        ]

    def __repr__(self) -> str:
        change = self.smallest_change
        moved = (
            f"; smallest weight change {change.weight} by {change.smallest:.3g}"
            if change is not None and change.smallest is not None
            else ""
        )
        return (
            f"<Sensitivity top {self.k} of {len(self.labels)} over {self.trials} "
            f"trials: {len(self.fragile())} fragile, {len(self.contenders())} "
            f"contenders{moved}>"
        )


ESTIMATE_SPREADS: Mapping[str, tuple[float, float]] = MappingProxyType(
    {"effort": (0.7, 1.5), "job_size": (0.7, 1.5), "reach": (0.8, 1.2)}
)
"""Typical uncertainty of backlog estimates, as multipliers for `vary_inputs`.

Effort (and WSJF job size) from -30 % to +50 % (estimates run optimistic: work
overruns more often and further than it underruns), reach +-20 %. What
``productops demo``, the report and ``productops score --sensitivity`` use;
pass your own where you know your estimates better.
"""


def sensitivity(
    items: Any,
    *,
    top: int,
    score: str | Formula | None = None,
    weights: Mapping[str, float] | None = None,
    vary_weights: Mapping[str, Spread] | None = None,
    vary_inputs: Mapping[str, Spread] | None = None,
    normalise: Literal["min-max", "max", "z-score", "none"] = "min-max",
    trials: int = 10_000,
    seed: int | None = None,
) -> Sensitivity:
    """Measure how robust the top `top` items of a ranking are.

    The score is either a weighted score over criteria (``score=None``: the
    keys of `weights` are item fields, combined as in `weighted_score`) or a
    formula (a string or `Formula`) in which the names in `weights` are
    parameters and the other names item fields.

    Parameters
    ----------
    items : records, mappings, a mapping of columns, or a DataFrame
        The backlog.
    top : int
        How many items are selected (k).
    score : str, Formula or None
        The formula; ``None`` for a weighted score over `weights`.
    weights : mapping of str to float, optional
        Weight values as estimated. Required for a weighted score.
    vary_weights : mapping of str to spread, optional
        Uncertainty on weights, as absolute values: ``(low, high)`` uniform,
        ``(low, mode, high)`` triangular, or a `Sampler`.
    vary_inputs : mapping of str to spread, optional
        Uncertainty on item fields. Numbers are *multipliers* of each item's
        estimate, drawn independently per item and trial: ``(0.8, 1.5)``
        means the true effort lies between 80 % and 150 % of the estimate.
        Field names give per-item absolute ranges:
        ``("effort_low", "effort_high")`` or ``(low, mode, high)`` fields. A
        `Sampler` draws multipliers.
    normalise : {"min-max", "max", "z-score", "none"}, default "min-max"
        For a weighted score: how criteria are normalised (recomputed in
        every trial, as a relative score would be).
    trials : int, default 10000
        Monte Carlo trials; ignored when nothing varies.
    seed : int, optional
        Seed for reproducible draws.

    Returns
    -------
    Sensitivity

    Raises
    ------
    InvalidInputError
        If `top` is not between 1 and the number of items, a weight or field
        is unknown, a spread is malformed, or a score cannot be computed.

    Notes
    -----
    Ties in a trial go to the item that comes first in the input, as in
    `rank`. The weight changes are found with every other value at its
    estimate. For a score linear in the weight (a weighted score, or a
    formula such as ``w * value - cost``) they are exact: the first crossing
    of an item inside the top k by one outside. For other formulas a
    geometric scan (steps from 0.1 % to 10,000 x the weight) brackets the
    first change and bisection refines it, so a change that appears and
    disappears between two scan steps can be missed.

    Examples
    --------
    >>> from productops import scoring
    >>> backlog = {"key": ["A", "B", "C", "D"], "value": [8, 7, 5, 2],
    ...            "effort": [5, 3, 2, 1]}
    >>> result = scoring.sensitivity(
    ...     backlog, score="value / effort", top=2,
    ...     vary_inputs={"effort": (0.7, 1.5)}, trials=2_000, seed=7)
    >>> result.top
    ('C', 'B')
    >>> [round(p, 2) for p in result.probabilities.tolist()]
    [0.11, 0.67, 0.81, 0.41]
    """
    weights = dict(weights or {})
    vary_weights = dict(vary_weights or {})
    vary_inputs = dict(vary_inputs or {})
    model = _Model.build(items, score, weights, normalise)
    n = len(model.labels)
    if not 1 <= top <= max(n, 1) or isinstance(top, bool):
        msg = f"top: must be between 1 and the number of items ({n}), got {top}"
        raise InvalidInputError(msg)
    unknown = sorted(set(vary_weights) - set(weights))
    if unknown:
        msg = f"vary_weights: {unknown} are not weights; weights are {sorted(weights)}"
        raise InvalidInputError(msg)
    unknown = sorted(set(vary_inputs) - set(model.fields))
    if unknown:
        msg = f"vary_inputs: {unknown} are not inputs; inputs are {list(model.fields)}"
        raise InvalidInputError(msg)
    if trials < 1:
        msg = f"trials: must be >= 1, got {trials}"
        raise InvalidInputError(msg)
    base_scores = model.scores(model.inputs, weights)
    order = np.argsort(-base_scores, kind="stable")
    baseline = tuple(model.labels[p] for p in order[:top].tolist())
    changes = tuple(_weight_change(model, weights, name, top) for name in weights)
    if not vary_weights and not vary_inputs:
        probabilities = np.zeros(n)
        probabilities[order[:top]] = 1.0
        return Sensitivity(model.labels, top, 0, baseline, probabilities, changes)
    input_draws = {
        name: _InputSpread.build(name, spec, items, model)
        for name, spec in vary_inputs.items()
    }
    rng = np.random.default_rng(seed)
    counts = np.zeros(n, dtype=np.int64)
    chunk = max(1, _CELLS_PER_CHUNK // max(n, 1))
    done = 0
    while done < trials:
        size = min(chunk, trials - done)
        drawn_inputs = dict(model.inputs)
        for name in sorted(input_draws):
            drawn_inputs[name] = input_draws[name].draw(size, rng)
        drawn_weights: dict[str, Any] = dict(weights)
        for name in sorted(vary_weights):
            drawn_weights[name] = _draw_weight(name, vary_weights[name], size, rng)
        scores = model.scores(drawn_inputs, drawn_weights, trials=size)
        counts += _in_top(scores, top).sum(axis=0)
        done += size
    return Sensitivity(model.labels, top, trials, baseline, counts / trials, changes)


@dataclass(frozen=True)
class _Model:
    labels: tuple[str, ...]
    fields: tuple[str, ...]
    inputs: dict[str, FloatArray]
    formula: Formula | None
    normalise: str

    @classmethod
    def build(
        cls,
        items: Any,
        score: str | Formula | None,
        weights: Mapping[str, float],
        normalise: str,
    ) -> _Model:
        if normalise not in _NORMALISERS:
            msg = (
                f"normalise: expected one of {sorted(_NORMALISERS)}, got {normalise!r}"
            )
            raise InvalidInputError(msg)
        v.numbers("weights", list(weights.values()), labels=list(weights))
        if score is None:
            if not weights:
                msg = "weights: a weighted score needs at least one weight"
                raise InvalidInputError(msg)
            fields = tuple(weights)
            compiled = None
        else:
            compiled = formula(score) if isinstance(score, str) else score
            fields = tuple(n for n in compiled.names if n not in weights)
        table = columns(items, fields)
        if table.incomplete().any():
            msg = f"sensitivity: {table.missing_message()}"
            raise InvalidInputError(msg)
        return cls(table.labels, fields, table.values, compiled, normalise)

    def scores(
        self,
        inputs: Mapping[str, FloatArray],
        weights: Mapping[str, Any],
        *,
        trials: int | None = None,
    ) -> FloatArray:
        """Scores, shaped (items,) or (trials, items) when anything was drawn."""
        if self.formula is None:
            return self._weighted(inputs, weights, trials)
        values: dict[str, Any] = {}
        for name in self.formula.names:
            if name in self.fields:
                values[name] = inputs[name]
            else:
                weight = np.asarray(weights[name], dtype=np.float64)
                values[name] = weight.reshape(-1, 1) if weight.ndim else weight
        result = np.asarray(
            self.formula.evaluate_arrays(values, labels=self.labels), dtype=np.float64
        )
        if trials is not None:
            result = np.broadcast_to(result, (trials, len(self.labels)))
        return result

    def _weighted(
        self,
        inputs: Mapping[str, FloatArray],
        weights: Mapping[str, Any],
        trials: int | None,
    ) -> FloatArray:
        normalise = _NORMALISERS[self.normalise]
        arrays = [np.asarray(inputs[name], dtype=np.float64) for name in self.fields]
        if trials is None:
            w = np.array([float(weights[name]) for name in self.fields])
            return np.asarray(
                normalise(np.stack(arrays, axis=-1)) @ w, dtype=np.float64
            )
        w = np.stack(
            [
                np.broadcast_to(np.asarray(weights[name], dtype=np.float64), (trials,))
                for name in self.fields
            ],
            axis=-1,
        )
        if all(a.ndim == 1 for a in arrays):
            fixed = normalise(np.stack(arrays, axis=-1))
            return np.asarray((fixed @ w.T).T, dtype=np.float64)
        n = len(self.labels)
        stacked = np.stack([np.broadcast_to(a, (trials, n)) for a in arrays], axis=-1)
        return np.asarray(
            np.einsum("tnm,tm->tn", normalise(stacked), w), dtype=np.float64
        )


def _in_top(scores: FloatArray, k: int) -> npt.NDArray[np.bool_]:
    """Per trial, which items are in the top k; ties go to the earlier item."""
    n = scores.shape[-1]
    if k >= n:
        return np.ones(scores.shape, dtype=bool)
    kth = -np.partition(-scores, k - 1, axis=-1)[..., k - 1 : k]
    above = scores > kth
    need = k - above.sum(axis=-1, keepdims=True)
    equal = scores == kth
    chosen = above | (equal & (np.cumsum(equal, axis=-1) <= need))
    return np.asarray(chosen, dtype=np.bool_)


def _spread_numbers(name: str, spec: Any) -> tuple[float, ...]:
    values = tuple(float(x) for x in v.numbers(name, list(spec)))
    ordered = list(values) == sorted(values)
    if len(values) not in (2, 3) or not ordered:
        msg = (
            f"{name}: a spread is (low, high) or (low, mode, high) in increasing "
            f"order, got {spec!r}"
        )
        raise InvalidInputError(msg)
    return values


def _triangular(
    u: FloatArray, low: npt.ArrayLike, mode: npt.ArrayLike, high: npt.ArrayLike
) -> FloatArray:
    """Inverse CDF of the triangular distribution; handles low == high."""
    a, c, b = (np.asarray(x, dtype=np.float64) for x in (low, mode, high))
    width = b - a
    peak = np.where(width > 0, (c - a) / np.where(width > 0, width, 1.0), 0.5)
    return np.asarray(a + width * _triangular_ppf_unit(u, peak), dtype=np.float64)


def _draw(
    spec: tuple[float, ...], shape: tuple[int, ...], rng: np.random.Generator
) -> FloatArray:
    u = rng.random(shape)
    if len(spec) == 2:
        low, high = spec
        return low + (high - low) * u
    return _triangular(u, *spec)


def _draw_weight(
    name: str, spec: Spread, size: int, rng: np.random.Generator
) -> FloatArray:
    if isinstance(spec, Sampler):
        drawn = np.asarray(spec.sample(size, rng), dtype=np.float64).reshape(size)
        return v.numbers(f"vary_weights[{name!r}]", drawn)
    numbers = _spread_numbers(f"vary_weights[{name!r}]", spec)
    return _draw(numbers, (size,), rng)


@dataclass(frozen=True)
class _InputSpread:
    name: str
    base: FloatArray
    multiplier: tuple[float, ...] | None
    sampler: Sampler | None
    bounds: tuple[FloatArray, ...] | None

    @classmethod
    def build(cls, name: str, spec: Spread, items: Any, model: _Model) -> _InputSpread:
        base = model.inputs[name]
        what = f"vary_inputs[{name!r}]"
        if isinstance(spec, Sampler):
            return cls(name, base, None, spec, None)
        fields = [s for s in spec if isinstance(s, str)]
        if fields and len(fields) == len(spec):
            if len(fields) not in (2, 3):
                msg = f"{what}: give (low, high) or (low, mode, high) field names"
                raise InvalidInputError(msg)
            table = columns(items, fields)
            if table.incomplete().any():
                msg = f"{what}: {table.missing_message()}"
                raise InvalidInputError(msg)
            bounds = tuple(table.values[field] for field in fields)
            bad = np.zeros(len(base), dtype=bool)
            for lower, upper in itertools.pairwise(bounds):
                bad |= lower > upper
            if bad.any():
                where = ", ".join(repr(model.labels[p]) for p in np.flatnonzero(bad))
                msg = f"{what}: {' <= '.join(fields)} does not hold for {where}"
                raise InvalidInputError(msg)
            return cls(name, base, None, None, bounds)
        return cls(name, base, _spread_numbers(what, spec), None, None)

    def draw(self, size: int, rng: np.random.Generator) -> FloatArray:
        shape = (size, len(self.base))
        if self.bounds is not None:
            u = rng.random(shape)
            if len(self.bounds) == 2:
                low, high = self.bounds
                return low + (high - low) * u
            return _triangular(u, *self.bounds)
        if self.sampler is not None:
            drawn = self.sampler.sample(shape[0] * shape[1], rng)
            flat = v.numbers(f"vary_inputs[{self.name!r}]", np.ravel(drawn))
            factors = flat.reshape(shape)
        else:
            factors = _draw(self.multiplier or (1.0, 1.0), shape, rng)
        return self.base * factors


def _weight_change(
    model: _Model, weights: Mapping[str, float], name: str, k: int
) -> WeightChange:
    value = float(weights[name])
    n = len(model.labels)
    if k >= n:
        return WeightChange(name, value, None, None, None, None)

    def at(w: float) -> FloatArray:
        return model.scores(model.inputs, {**weights, name: w})

    s0 = at(value)
    if model.formula is None:
        # A weighted score is linear in each weight; its slope is the
        # criterion's normalised column, known exactly.
        normalised = _NORMALISERS[model.normalise](
            np.stack([model.inputs[f] for f in model.fields], axis=-1)
        )
        slope = normalised[:, model.fields.index(name)]
        return _linear_change(model.labels, name, value, s0, slope, k)
    step = max(abs(value), 1.0)
    s1, s2 = at(value + step), at(value + 2 * step)
    scale = max(float(np.abs(np.concatenate([s0, s1, s2])).max()), 1.0)
    if np.allclose(s2 - 2 * s1 + s0, 0.0, atol=1e-12 * scale):
        slope = (s1 - s0) / step
        return _linear_change(model.labels, name, value, s0, slope, k)
    return _searched_change(model.labels, name, value, at, k)


def _linear_change(
    labels: tuple[str, ...],
    name: str,
    value: float,
    scores: FloatArray,
    slope: FloatArray,
    k: int,
) -> WeightChange:
    order = np.argsort(-scores, kind="stable")
    inside, outside = order[:k], order[k:]
    gap = scores[inside][:, None] - scores[outside][None, :]
    rise = slope[outside][None, :] - slope[inside][:, None]
    found: dict[int, tuple[float, tuple[str, str]] | None] = {}
    for direction in (1, -1):
        closing = rise * direction > 1e-12 * max(float(np.abs(slope).max()), 1e-300)
        if not closing.any():
            found[direction] = None
            continue
        distance = np.where(closing, gap / np.where(closing, np.abs(rise), 1.0), np.inf)
        flat = int(np.argmin(distance))
        a, b = np.unravel_index(flat, distance.shape)
        swap = (labels[int(outside[b])], labels[int(inside[a])])
        found[direction] = (value + direction * float(distance[a, b]), swap)
    up, down = found[1], found[-1]
    return WeightChange(
        name,
        value,
        None if down is None else down[0],
        None if up is None else up[0],
        None if down is None else down[1],
        None if up is None else up[1],
    )


def _searched_change(
    labels: tuple[str, ...],
    name: str,
    value: float,
    at: Any,
    k: int,
) -> WeightChange:
    def selection(w: float) -> frozenset[int] | None:
        try:
            scores = at(w)
        except InvalidInputError:
            return None
        return frozenset(np.argsort(-scores, kind="stable")[:k].tolist())

    base = selection(value)
    if base is None:
        msg = f"weights: the score cannot be computed at {name}={value}"
        raise InvalidInputError(msg)
    found: dict[int, tuple[float, tuple[str, str]] | None] = {}
    unit = max(abs(value), 1e-3)
    for direction in (1, -1):
        found[direction] = None
        inner = value
        for power in range(-10, 14):
            outer = value + direction * unit * 2.0**power
            chosen = selection(outer)
            if chosen is None:
                break
            if chosen != base:
                for _ in range(60):
                    middle = (inner + outer) / 2
                    picked = selection(middle)
                    if picked is not None and picked != base:
                        outer, chosen = middle, picked
                    else:
                        inner = middle
                enters = sorted(chosen - base)
                leaves = sorted(base - chosen)
                swap = (labels[enters[0]], labels[leaves[0]])
                found[direction] = (outer, swap)
                break
            inner = outer
    up, down = found[1], found[-1]
    return WeightChange(
        name,
        value,
        None if down is None else down[0],
        None if up is None else up[0],
        None if down is None else down[1],
        None if up is None else up[1],
    )
