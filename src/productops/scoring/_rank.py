"""Ranking a backlog by any score: stable order, reported ties, unscored items."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Generic, Literal, TypeVar

import numpy as np
import numpy.typing as npt

from .._tabular import Tabular, html_table, inline_bar
from ..errors import InvalidInputError
from . import _validate as v
from ._data import columns, is_columnar
from ._formula import Formula, formula
from ._prioritise import rice, wsjf
from ._validate import FloatArray

__all__ = ["Ranked", "Ranking", "rank"]

T = TypeVar("T")

Scorer = str | Formula | Callable[[Any], float | None] | npt.ArrayLike
"""What `rank` accepts as `by`."""

TieBreak = str | Callable[[Any], Any]

METHODS: dict[str, tuple[tuple[str, ...], Callable[..., FloatArray]]] = {
    "rice": (("reach", "impact", "confidence", "effort"), rice),
    "wsjf": (
        ("business_value", "time_criticality", "risk_reduction", "job_size"),
        wsjf,
    ),
}
"""Scoring methods `rank` knows by name, with the item fields they read."""


@dataclass(frozen=True, slots=True)
class Ranked(Generic[T]):
    """One item's place in a `Ranking`.

    Attributes
    ----------
    rank : int or None
        Competition rank (1, 2, 2, 4): tied items share the better rank.
        ``None`` for an item that could not be scored.
    label : str
        The item's key, or ``"#<position>"``.
    score : float or None
        Its score; ``None`` when unscored.
    tied : bool
        Whether another item has the same score.
    position : int
        Where the item was in the input.
    item : object or None
        The item itself (``None`` for columnar input: a mapping of columns or
        a DataFrame).

    Examples
    --------
    >>> from productops import scoring
    >>> scoring.rank([{"key": "A", "x": 2}], by="x")[0]  # doctest: +ELLIPSIS
    Ranked(rank=1, label='A', score=2.0, tied=False, position=0, item={...})
    """

    rank: int | None
    label: str
    score: float | None
    tied: bool
    position: int
    item: T | None


@dataclass(frozen=True, eq=False)
class Ranking(Tabular, Generic[T]):
    """Items in order of their score, with ties and unscored items reported.

    Iterate it for `Ranked` entries, best first; index it like a list.

    Attributes
    ----------
    order : numpy.ndarray
        Input positions in ranked order (unscored items last).
    scores : numpy.ndarray
        Each item's score by input position; NaN when unscored.
    ranks : numpy.ndarray
        Each item's competition rank by input position; 0 when unscored.
    labels : tuple[str, ...]
        Each item's label by input position.
    unscored : tuple[str, ...]
        Labels of the items that lacked an input (with ``missing="last"``).

    Examples
    --------
    >>> from productops import scoring
    >>> ranking = scoring.rank(
    ...     [{"key": "A", "x": 1}, {"key": "B", "x": 3}, {"key": "C", "x": 3}],
    ...     by="x")
    >>> [entry.label for entry in ranking], ranking.ties
    (['B', 'C', 'A'], (('B', 'C'),))
    """

    order: npt.NDArray[np.intp]
    scores: FloatArray
    ranks: npt.NDArray[np.intp]
    labels: tuple[str, ...]
    unscored: tuple[str, ...]
    _items: Sequence[T] | None

    @cached_property
    def ties(self) -> tuple[tuple[str, ...], ...]:
        """Groups of labels that share a score, best group first."""
        scored = self.order[: len(self.order) - len(self.unscored)]
        if not len(scored):
            return ()
        ranks = self.ranks[scored]
        starts = np.flatnonzero(np.concatenate([[True], np.diff(ranks) != 0]))
        sizes = np.diff(np.concatenate([starts, [len(scored)]]))
        return tuple(
            tuple(self.labels[p] for p in scored[start : start + size].tolist())
            for start, size in zip(starts.tolist(), sizes.tolist(), strict=True)
            if size > 1
        )

    def __len__(self) -> int:
        return len(self.order)

    def __getitem__(self, index: int) -> Ranked[T]:
        return self._entry(int(self.order[index]))

    def __iter__(self) -> Iterator[Ranked[T]]:
        return (self._entry(int(p)) for p in self.order)

    def _entry(self, position: int) -> Ranked[T]:
        score = float(self.scores[position])
        scored = not np.isnan(score)
        rank = int(self.ranks[position]) if scored else None
        return Ranked(
            rank=rank,
            label=self.labels[position],
            score=score if scored else None,
            tied=bool(scored and self._tie_sizes[position] > 1),
            position=position,
            item=None if self._items is None else self._items[position],
        )

    @cached_property
    def _tie_sizes(self) -> npt.NDArray[np.intp]:
        scored = self.ranks > 0
        counts = np.bincount(self.ranks[scored], minlength=1)
        sizes = np.zeros(len(self.ranks), dtype=np.intp)
        sizes[scored] = counts[self.ranks[scored]]
        return sizes

    def top(self, k: int) -> list[Ranked[T]]:
        """Return the first `k` entries (fewer if there are fewer items).

        Examples
        --------
        >>> from productops import scoring
        >>> [e.label for e in scoring.rank({"key": ["a", "b"], "x": [1, 2]},
        ...                                by="x").top(1)]
        ['b']
        """
        return [self._entry(int(p)) for p in self.order[: max(k, 0)]]

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per item, best first: rank, key, score and tied.

        Examples
        --------
        >>> from productops import scoring
        >>> scoring.rank({"x": [5, 7]}, by="x").to_records()[0]
        {'rank': 1, 'key': '#1', 'score': 7.0, 'tied': False}
        """
        return [
            {"rank": e.rank, "key": e.label, "score": e.score, "tied": e.tied}
            for e in self
        ]

    def __repr__(self) -> str:
        head = ", ".join(
            f"{e.label} ({e.score:.4g})" for e in self.top(3) if e.score is not None
        )
        more = "" if len(self) <= 3 else ", ..."
        return (
            f"<Ranking of {len(self)} items, {len(self.ties)} ties, "
            f"{len(self.unscored)} unscored: {head}{more}>"
        )

    def _repr_html_(self) -> str:
        records = self.to_records()
        scores = [abs(r["score"]) for r in records if r["score"] is not None]
        top = max(scores, default=0.0)
        rows = [{**r, "": inline_bar(abs(r["score"] or 0.0), top)} for r in records]
        return html_table(
            rows, columns=["rank", "key", "score", "", "tied"], caption=repr(self)
        )


def rank(
    items: Any,
    *,
    by: Scorer,
    descending: bool = True,
    tie_break: TieBreak | Sequence[TieBreak] = (),
    tolerance: float = 0.0,
    missing: Literal["raise", "last"] = "raise",
) -> Ranking[Any]:
    """Order items by a score: stable, with ties and unscored items reported.

    Parameters
    ----------
    items : records, mappings, a mapping of columns, or a DataFrame
        The backlog; `productops.Initiative` records work directly.
    by : str, Formula, callable or array-like
        The score: ``"rice"`` or ``"wsjf"`` (read from the items' fields, as
        on `productops.Initiative`); any other string is compiled with
        `formula` (``"value / effort"``, or just a field name); a `Formula`;
        a function from item to number (``None`` = cannot score); or one
        precomputed score per item.
    descending : bool, default True
        Highest score first.
    tie_break : str, callable, or a sequence of them
        How to order equal scores before falling back on input order. A
        string names a field, ascending; prefix ``"-"`` for descending
        (SAFe suggests ``"-business_value"`` then ``"job_size"`` for WSJF). A
        callable maps an item to a sort key.
    tolerance : float, default 0.0
        Scores that differ by at most this much count as tied (consecutive
        scores chain into one group).
    missing : {"raise", "last"}, default "raise"
        What to do with an item that lacks an input: raise (naming every
        such item and field), or rank it last, unscored, listed in
        `Ranking.unscored`.

    Returns
    -------
    Ranking

    Raises
    ------
    InvalidInputError
        If a score cannot be computed (missing or bad inputs, division by
        zero in a formula), naming every offending item.

    Examples
    --------
    >>> import productops as po
    >>> from productops import scoring
    >>> backlog = [
    ...     po.Initiative(key="P1", title="Onboarding", reach=450, impact=3,
    ...                   confidence=1.0, effort=2),
    ...     po.Initiative(key="P2", title="Search", reach=2000, impact=1,
    ...                   confidence=0.8, effort=4),
    ...     po.Initiative(key="P3", title="Exports", reach=800, impact=2,
    ...                   confidence=0.5, effort=1),
    ... ]
    >>> [(e.rank, e.label, e.score) for e in scoring.rank(backlog, by="rice")]
    [(1, 'P3', 800.0), (2, 'P1', 675.0), (3, 'P2', 400.0)]
    """
    if missing not in ("raise", "last"):
        msg = f"missing: expected 'raise' or 'last', got {missing!r}"
        raise InvalidInputError(msg)
    if not (np.isfinite(tolerance) and tolerance >= 0):
        msg = f"tolerance: must be a finite number >= 0, got {tolerance}"
        raise InvalidInputError(msg)
    rows = None if is_columnar(items) else _as_sequence(items)
    labels, scores = score_items(items if rows is None else rows, by, missing=missing)
    scored = ~np.isnan(scores)
    keyed = -scores if descending else scores
    positions = np.arange(len(scores))
    breaks = _tie_break_keys(items if rows is None else rows, tie_break, scored)
    if breaks:
        ordered = sorted(
            positions[scored].tolist(),
            key=lambda p: (keyed[p], *(key[p] for key in breaks), p),
        )
        order_scored = np.asarray(ordered, dtype=np.intp)
    else:
        order_scored = positions[scored][
            np.argsort(keyed[scored], kind="stable")
        ].astype(np.intp)
    order = np.concatenate([order_scored, positions[~scored]]).astype(np.intp)
    ranks = _ranks(scores, order_scored, tolerance)
    return Ranking(
        order=order,
        scores=scores,
        ranks=ranks,
        labels=labels,
        unscored=tuple(labels[p] for p in positions[~scored].tolist()),
        _items=rows,
    )


def _as_sequence(items: Any) -> Sequence[Any]:
    return items if isinstance(items, Sequence) else list(items)


def score_items(
    items: Any, by: Scorer, *, missing: Literal["raise", "last"] = "raise"
) -> tuple[tuple[str, ...], FloatArray]:
    """Labels and one score per item (NaN where unscored)."""
    if isinstance(by, str) and by in METHODS:
        fields, method = METHODS[by]
        table = columns(items, fields)
        incomplete = _check_missing(table.incomplete(), table, missing, by)
        scores = np.full(len(table), np.nan)
        keep = ~incomplete
        kept = _kept(table.labels, keep)
        with v.labelled(kept):
            scores[keep] = method(**{f: table.values[f][keep] for f in fields})
        return table.labels, scores
    if isinstance(by, str):
        by = formula(by)
    if isinstance(by, Formula):
        table = columns(items, by.names)
        incomplete = _check_missing(table.incomplete(), table, missing, by.source)
        scores = np.full(len(table), np.nan)
        keep = ~incomplete
        kept = _kept(table.labels, keep)
        scores[keep] = by.evaluate_arrays(
            {name: table.values[name][keep] for name in by.names}, labels=kept
        )
        return table.labels, scores
    if callable(by):
        rows = _as_sequence(items)
        labels = columns(rows, ()).labels
        raw = [by(row) for row in rows]
        absent = np.array([value is None for value in raw], dtype=bool)
        if absent.any() and missing == "raise":
            names = ", ".join(repr(labels[p]) for p in np.flatnonzero(absent))
            msg = f"by: the scoring function returned None for {names}"
            raise InvalidInputError(msg)
        values = [np.nan if value is None else value for value in raw]
        with v.labelled(labels):
            scores = np.atleast_1d(v.numbers("score", np.where(absent, 0.0, values)))
        scores[absent] = np.nan
        return labels, scores
    labels = (
        columns(items, ()).labels
        if not is_columnar(items)
        else _column_labels(items, np.size(by))
    )
    with v.labelled(labels):
        scores = np.atleast_1d(v.numbers("by", by)).copy()
    if len(scores) != len(labels):
        msg = f"by: {len(scores)} scores for {len(labels)} items"
        raise InvalidInputError(msg)
    return labels, scores


def _kept(labels: tuple[str, ...], keep: npt.NDArray[np.bool_]) -> Sequence[str]:
    if keep.all():
        return labels
    return [label for label, k in zip(labels, keep.tolist(), strict=True) if k]


def _column_labels(table: Any, size: int) -> tuple[str, ...]:
    keys = list(table.keys()) if isinstance(table, Mapping) else list(table.columns)
    if "key" in keys:
        return tuple(str(k) for k in table["key"])
    first = keys[0] if keys else None
    count = len(table[first]) if first is not None else size
    return tuple(f"#{i}" for i in range(count))


def _check_missing(
    incomplete: npt.NDArray[np.bool_],
    table: Any,
    missing: str,
    what: str,
) -> npt.NDArray[np.bool_]:
    if incomplete.any() and missing == "raise":
        msg = (
            f"cannot score by {what!r}: {table.missing_message()} "
            "(pass missing='last' to rank them last, unscored)"
        )
        raise InvalidInputError(msg)
    return incomplete


def _tie_break_keys(
    items: Any, tie_break: TieBreak | Sequence[TieBreak], scored: npt.NDArray[np.bool_]
) -> list[list[Any]]:
    """One sort key per item for each tie-break (None for unscored items)."""
    specs: Sequence[TieBreak] = (
        [tie_break] if isinstance(tie_break, str) or callable(tie_break) else tie_break
    )
    keys: list[list[Any]] = []
    for spec in specs:
        if callable(spec):
            keys.append(
                [
                    spec(row) if is_scored else None
                    for row, is_scored in zip(
                        _as_sequence(items), scored.tolist(), strict=True
                    )
                ]
            )
            continue
        name = spec.removeprefix("-")
        table = columns(items, [name])
        lacking = table.missing[name] & scored
        if lacking.any():
            where = ", ".join(repr(table.labels[p]) for p in np.flatnonzero(lacking))
            msg = f"tie_break: no {name} for {where}"
            raise InvalidInputError(msg)
        values = table.values[name]
        keys.append((-values if spec.startswith("-") else values).tolist())
    return keys


def _ranks(
    scores: FloatArray, order: npt.NDArray[np.intp], tolerance: float
) -> npt.NDArray[np.intp]:
    """Competition ranks by input position (0 for unscored items)."""
    ranks = np.zeros(len(scores), dtype=np.intp)
    if not len(order):
        return ranks
    ordered = scores[order]
    if tolerance:
        new_group = np.abs(np.diff(ordered)) > tolerance
    else:
        new_group = np.diff(ordered) != 0
    starts = np.flatnonzero(np.concatenate([[True], new_group]))
    group = np.cumsum(np.concatenate([[True], new_group])) - 1
    ranks[order] = starts[group] + 1
    return ranks
