"""Risk scoring: matrices, exposure, EMV, decision trees and FMEA.

Two ways to size a risk live side by side here:

- **Ordinal**: likelihood and impact as ranks on a small scale (3 x 3, 5 x 5).
  A `RiskMatrix` names the band of every cell ("low" ... "extreme", or RAG
  colours). Its lookup table is the authority: the product ``l x i`` is a
  convenient sort key, not arithmetic on risk (see `RiskMatrix`).
- **Cardinal**: a probability and a money value. `exposure` is
  ``probability x cost``; `emv` adds ``p x value`` over outcomes, threats
  negative and opportunities positive; `evaluate` rolls expected values back
  through a decision tree (`Decision`, `Chance`, `Outcome`, `Branch`).

FMEA sits apart: `rpn` is ``severity x occurrence x detection`` on 1-10
ratings, and `action_priority` looks the three ratings up in the AIAG & VDA
(2019) Action Priority table.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias, overload

import numpy as np
import numpy.typing as npt

from .._tabular import Tabular
from ..errors import InvalidInputError
from . import _validate as v
from ._validate import FloatArray

__all__ = [
    "MATRIX_3X3",
    "MATRIX_5X5",
    "Branch",
    "Chance",
    "Decision",
    "DecisionAnalysis",
    "NodeValue",
    "Outcome",
    "RiskMatrix",
    "action_priority",
    "emv",
    "evaluate",
    "exposure",
    "rpn",
]

StrArray = npt.NDArray[np.str_]
IntArray = npt.NDArray[np.intp]


# -- risk matrices ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RiskMatrix:
    """A likelihood x impact matrix that names the band of every cell.

    Rows are likelihood ranks and columns impact ranks, both from the lowest
    (rank 1) to the highest; ``bands[l - 1][i - 1]`` is the band of a risk with
    likelihood ``l`` and impact ``i``. `classify` looks the band up in this
    table; `score` gives the product ``l x i``.

    The table, not the product, is authoritative. Likelihood and impact ranks
    are ordinal: "likely" (4) is not twice "unlikely" (2), so ``l x i`` is a
    sort key, not a measure of risk. Products tie across very different cells
    (1 x 4 and 4 x 1, or 2 x 2) and compress ranges, which can even rank risks
    the wrong way round (Cox 2008; IEC 31010:2019). A matrix built
    from score thresholds is one choice of table among many; any other can be
    given cell by cell.

    Sequences given to the constructor are stored as tuples, so matrices are
    hashable values.

    Attributes
    ----------
    likelihoods : tuple of str
        Likelihood labels, lowest first (rank 1 is ``likelihoods[0]``).
    impacts : tuple of str
        Impact labels, lowest first.
    bands : tuple of tuple of str
        One row per likelihood (lowest first), one band name per impact.
    order : tuple of str
        Band names from the least to the most severe. When not given, bands
        are ordered by the smallest product ``l x i`` at which they appear.
    name : str
        What the matrix is, for display.

    Raises
    ------
    InvalidInputError
        If a label list is empty or repeats a label, the table is not
        ``len(likelihoods)`` x ``len(impacts)``, a cell has no band name, or
        `order` misses a band or repeats one; every problem is listed.

    References
    ----------
    L. A. (Tony) Cox Jr., "What's Wrong with Risk Matrices?", Risk Analysis
    28(2), 2008. https://doi.org/10.1111/j.1539-6924.2008.01030.x

    IEC 31010:2019, Risk management - Risk assessment techniques, annex B
    (consequence/likelihood matrix). https://www.iso.org/standard/72140.html

    Examples
    --------
    >>> from productops.scoring import risk
    >>> matrix = risk.RiskMatrix(
    ...     likelihoods=("unlikely", "likely"),
    ...     impacts=("minor", "major"),
    ...     bands=(("green", "amber"),
    ...            ("amber", "red")),
    ... )
    >>> matrix.classify(likelihood="likely", impact="major")
    'red'
    >>> matrix.order
    ('green', 'amber', 'red')
    """

    likelihoods: Sequence[str]
    impacts: Sequence[str]
    bands: Sequence[Sequence[str]]
    order: Sequence[str] = ()
    name: str = ""

    def __post_init__(self) -> None:
        labels: tuple[object, ...] = (self.likelihoods, self.impacts, self.order)
        if any(isinstance(value, str) for value in labels):
            msg = "likelihoods, impacts and order are sequences of labels, not a string"
            raise InvalidInputError(msg)
        likelihoods = tuple(self.likelihoods)
        impacts = tuple(self.impacts)
        bands: tuple[tuple[Any, ...], ...] = tuple(tuple(row) for row in self.bands)
        problems = _label_problems("likelihoods", likelihoods)
        problems += _label_problems("impacts", impacts)
        if len(bands) != len(likelihoods):
            problems.append(
                f"bands: {len(bands)} rows for {len(likelihoods)} likelihoods"
            )
        for number, row in enumerate(bands):
            if len(row) != len(impacts):
                problems.append(
                    f"bands: row {number + 1} has {len(row)} cells "
                    f"for {len(impacts)} impacts"
                )
        unnamed = [
            f"({number + 1}, {column + 1})"
            for number, row in enumerate(bands)
            for column, cell in enumerate(row)
            if not isinstance(cell, str) or not cell.strip()
        ]
        if unnamed:
            problems.append(
                "bands: cells without a band name at (likelihood, impact) "
                + ", ".join(unnamed)
            )
        if problems:
            raise InvalidInputError("; ".join(problems))
        order = tuple(self.order) if self.order else _order_by_product(bands)
        used = {cell for row in bands for cell in row}
        repeated = sorted({band for band in order if order.count(band) > 1})
        missing = sorted(used - set(order))
        if repeated:
            problems.append(f"order: bands listed more than once: {repeated}")
        if missing:
            problems.append(
                f"order: bands used in the table but not ordered: {missing}"
            )
        if problems:
            raise InvalidInputError("; ".join(problems))
        object.__setattr__(self, "likelihoods", likelihoods)
        object.__setattr__(self, "impacts", impacts)
        object.__setattr__(self, "bands", bands)
        object.__setattr__(self, "order", order)

    @classmethod
    def from_thresholds(
        cls,
        *,
        likelihoods: Sequence[str],
        impacts: Sequence[str],
        thresholds: Mapping[str, float],
        name: str = "",
    ) -> RiskMatrix:
        """Build a matrix whose bands follow the product ``l x i``.

        Parameters
        ----------
        likelihoods, impacts : sequence of str
            Labels, lowest first.
        thresholds : mapping of str to float
            Band name -> the smallest product that falls in it, from the
            least severe band to the most severe. The first must be at most 1
            so that every cell has a band; the rest must increase.
        name : str, optional
            What the matrix is, for display.

        Returns
        -------
        RiskMatrix
            With `order` the order of `thresholds`.

        Raises
        ------
        InvalidInputError
            If `thresholds` is empty, does not increase, starts above 1, or a
            label list is bad.

        Examples
        --------
        >>> from productops.scoring import risk
        >>> m = risk.RiskMatrix.from_thresholds(
        ...     likelihoods=("low", "medium", "high"),
        ...     impacts=("low", "medium", "high"),
        ...     thresholds={"green": 1, "amber": 3, "red": 6},
        ... )
        >>> m.classify(likelihood=[1, 2, 3], impact=[2, 2, 2]).tolist()
        ['green', 'amber', 'red']
        """
        names = list(thresholds)
        if not names:
            msg = "thresholds: give at least one band, e.g. {'low': 1, 'high': 10}"
            raise InvalidInputError(msg)
        values = v.numbers("thresholds", [thresholds[n] for n in names], labels=names)
        problems = []
        if values[0] > 1:
            problems.append(
                f"thresholds: the first band {names[0]!r} starts at {values[0]:g}; "
                "it must start at 1 or below so that every cell has a band"
            )
        falling = [
            f"{names[k]!r} ({values[k]:g})"
            for k in range(1, len(names))
            if values[k] <= values[k - 1]
        ]
        if falling:
            problems.append(
                "thresholds: each band must start above the previous one; not so "
                "for " + ", ".join(falling)
            )
        if problems:
            raise InvalidInputError("; ".join(problems))
        rows = []
        for likelihood in range(1, len(likelihoods) + 1):
            row = []
            for impact in range(1, len(impacts) + 1):
                position = int(np.searchsorted(values, likelihood * impact, "right"))
                row.append(names[position - 1])
            rows.append(tuple(row))
        return cls(
            likelihoods=tuple(likelihoods),
            impacts=tuple(impacts),
            bands=tuple(rows),
            order=tuple(names),
            name=name,
        )

    @property
    def shape(self) -> tuple[int, int]:
        """Number of likelihood ranks and of impact ranks."""
        return len(self.likelihoods), len(self.impacts)

    def renamed(self, names: Mapping[str, str]) -> RiskMatrix:
        """Return a copy with bands renamed, e.g. to RAG colours.

        Bands missing from `names` keep their name. Several bands may get the
        same name (merging them); the merged band takes the place of the
        least severe of them in `order`.

        Examples
        --------
        >>> from productops.scoring import risk
        >>> rag = risk.MATRIX_5X5.renamed(
        ...     {"low": "green", "moderate": "amber", "high": "amber",
        ...      "extreme": "red"})
        >>> rag.order
        ('green', 'amber', 'red')
        """
        unknown = sorted(set(names) - set(self.order))
        if unknown:
            msg = f"names: no such band {unknown}; bands are {list(self.order)}"
            raise InvalidInputError(msg)
        order = tuple(dict.fromkeys(names.get(band, band) for band in self.order))
        bands = tuple(
            tuple(names.get(cell, cell) for cell in row) for row in self.bands
        )
        return RiskMatrix(
            likelihoods=self.likelihoods,
            impacts=self.impacts,
            bands=bands,
            order=order,
            name=self.name,
        )

    @overload
    def classify(  # type: ignore[overload-overlap]  # str is array-like too
        self, *, likelihood: float | str, impact: float | str
    ) -> str: ...
    @overload
    def classify(
        self, *, likelihood: npt.ArrayLike, impact: npt.ArrayLike
    ) -> StrArray: ...
    def classify(
        self, *, likelihood: npt.ArrayLike, impact: npt.ArrayLike
    ) -> str | StrArray:
        """Return the band of each (likelihood, impact) pair from the table.

        Parameters
        ----------
        likelihood, impact : int, str or array-like
            Ranks from 1 to the number of labels, or the labels themselves
            (case does not matter). Arrays must have equal lengths.

        Returns
        -------
        str or numpy.ndarray
            A band name, or an array of them.

        Raises
        ------
        InvalidInputError
            If a rank is not a whole number in range or a label is unknown;
            every bad value is listed.

        Examples
        --------
        The NPSA matrix: "likely" x "catastrophic" is extreme.

        >>> from productops.scoring import risk
        >>> risk.MATRIX_5X5.classify(likelihood=4, impact=5)
        'extreme'
        >>> risk.MATRIX_5X5.classify(likelihood=["rare", "likely"],
        ...                          impact=["minor", "moderate"]).tolist()
        ['low', 'high']
        """
        scalar = v.is_scalar(likelihood, impact)
        rows = _ranks("likelihood", likelihood, self.likelihoods)
        columns = _ranks("impact", impact, self.impacts)
        rows, columns = _broadcast_ranks(rows, columns)
        table = np.array(self.bands, dtype=np.str_)
        found = table[rows, columns]
        if scalar:
            return str(found)
        return found

    @overload
    def score(  # type: ignore[overload-overlap]  # str is array-like too
        self, *, likelihood: float | str, impact: float | str
    ) -> float: ...
    @overload
    def score(
        self, *, likelihood: npt.ArrayLike, impact: npt.ArrayLike
    ) -> FloatArray: ...
    def score(
        self, *, likelihood: npt.ArrayLike, impact: npt.ArrayLike
    ) -> float | FloatArray:
        """Return the product of the ranks, ``likelihood x impact``.

        A sort key for ordinal ranks, not a quantity: see the class notes.
        Labels are accepted as in `classify`.

        Examples
        --------
        Probable (4) x catastrophic (5) on a 5 x 5 matrix scores 20 (the
        matrix published at https://html.scirp.org/file/_15-7201262_8.htm).

        >>> from productops.scoring import risk
        >>> risk.MATRIX_5X5.score(likelihood=4, impact=5)
        20.0
        >>> risk.MATRIX_3X3.score(likelihood=[1, 2, 3], impact=[3, 2, 1])
        array([3., 4., 3.])
        """
        scalar = v.is_scalar(likelihood, impact)
        rows = _ranks("likelihood", likelihood, self.likelihoods)
        columns = _ranks("impact", impact, self.impacts)
        rows, columns = _broadcast_ranks(rows, columns)
        product = ((rows + 1) * (columns + 1)).astype(np.float64)
        out: float | FloatArray = v.result(product, scalar=scalar)
        return out

    def rank(self, band: str) -> int:
        """Return the position of `band` in `order`, 0 for the least severe.

        Examples
        --------
        >>> from productops.scoring import risk
        >>> risk.MATRIX_5X5.rank("high")
        2
        """
        if band not in self.order:
            msg = f"band: no band {band!r}; bands are {list(self.order)}"
            raise InvalidInputError(msg)
        return self.order.index(band)

    def is_monotone(self) -> bool:
        """Whether no band gets milder as likelihood or impact grows.

        A table that breaks this is allowed (it is the authority), but it is
        usually a typing mistake.

        Examples
        --------
        >>> from productops.scoring import risk
        >>> risk.MATRIX_5X5.is_monotone()
        True
        """
        ranks = np.array([[self.order.index(c) for c in row] for row in self.bands])
        return bool(
            (np.diff(ranks, axis=0) >= 0).all() and (np.diff(ranks, axis=1) >= 0).all()
        )

    def __repr__(self) -> str:
        rows, columns = self.shape
        name = f"{self.name!r}, " if self.name else ""
        return f"RiskMatrix({name}{rows}x{columns}, order={self.order!r})"

    def __str__(self) -> str:
        title = self.name or "likelihood \\ impact"
        rows = [
            (label, list(self.bands[number]))
            for number, label in reversed(list(enumerate(self.likelihoods)))
        ]
        return grid(title, list(self.impacts), rows)


def grid(title: str, columns: list[str], rows: list[tuple[str, list[str]]]) -> str:
    """Lay out a labelled table in aligned, space-separated columns."""
    table = [[title, *columns], *[[label, *cells] for label, cells in rows]]
    widths = [max(len(line[k]) for line in table) for k in range(len(table[0]))]
    return "\n".join(
        "  ".join(
            cell.ljust(width) for cell, width in zip(line, widths, strict=True)
        ).rstrip()
        for line in table
    )


def _label_problems(name: str, labels: tuple[str, ...]) -> list[str]:
    if not labels:
        return [f"{name}: give at least one label"]
    problems = []
    blank = [n for n, label in enumerate(labels) if not str(label).strip()]
    if blank:
        problems.append(f"{name}: empty labels at positions {blank}")
    folded = [str(label).casefold() for label in labels]
    twice = sorted({label for label in labels if folded.count(label.casefold()) > 1})
    if twice:
        problems.append(f"{name}: labels listed more than once: {twice}")
    return problems


def _order_by_product(bands: tuple[tuple[str, ...], ...]) -> tuple[str, ...]:
    smallest: dict[str, int] = {}
    for number, row in enumerate(bands):
        for column, band in enumerate(row):
            product = (number + 1) * (column + 1)
            smallest[band] = min(smallest.get(band, product), product)
    return tuple(sorted(smallest, key=lambda band: smallest[band]))


def _ranks(name: str, value: Any, labels: Sequence[str]) -> IntArray:
    """Zero-based ranks from 1-based ranks or labels; every bad value listed."""
    is_label = isinstance(value, str) or (
        np.ndim(value) == 1 and any(isinstance(item, str) for item in value)
    )
    if not is_label:
        ranks = v.between(name, value, 1, len(labels), integer=True)
        return (ranks - 1).astype(np.intp)
    items = [value] if isinstance(value, str) else list(value)
    lookup = {label.casefold(): number for number, label in enumerate(labels)}
    found: list[int] = []
    bad = []
    for position, item in enumerate(items):
        if isinstance(item, str) and item.strip().casefold() in lookup:
            found.append(lookup[item.strip().casefold()])
        elif (
            not isinstance(item, str | bool)
            and isinstance(item, int | float | np.integer | np.floating)
            and float(item).is_integer()
            and 1 <= item <= len(labels)
        ):
            found.append(int(item) - 1)
        else:
            bad.append(f"#{position} ({item!r})" if len(items) > 1 else repr(item))
    if bad:
        msg = (
            f"{name}: unknown label or rank {', '.join(bad)}; give a rank from 1 "
            f"to {len(labels)} or one of {list(labels)}"
        )
        raise InvalidInputError(msg)
    positions = np.array(found, dtype=np.intp)
    return positions.reshape(()) if isinstance(value, str) else positions


def _broadcast_ranks(rows: IntArray, columns: IntArray) -> tuple[IntArray, IntArray]:
    try:
        a, b = np.broadcast_arrays(rows, columns)
    except ValueError:
        msg = (
            f"inputs have different lengths: likelihood has {rows.size}, "
            f"impact has {columns.size}"
        )
        raise InvalidInputError(msg) from None
    return np.asarray(a), np.asarray(b)


MATRIX_5X5 = RiskMatrix.from_thresholds(
    likelihoods=("rare", "unlikely", "possible", "likely", "almost certain"),
    impacts=("negligible", "minor", "moderate", "major", "catastrophic"),
    thresholds={"low": 1, "moderate": 4, "high": 8, "extreme": 15},
    name="NPSA 5x5",
)
"""The NHS National Patient Safety Agency 5 x 5 matrix (2008).

Likelihood rare (1) ... almost certain (5), consequence negligible (1) ...
catastrophic (5); graded by the product: 1-3 low, 4-6 moderate, 8-12 high,
15-25 extreme. A widely copied convention, not a standard: ISO 31000 and
IEC 31010 leave the bands to each organisation.

Source: National Patient Safety Agency, "A risk matrix for risk managers",
January 2008 (NHS); a copy is at
https://studylib.net/doc/26079562/0676-risk-matrix-for-risk-managers-v9
"""

MATRIX_3X3 = RiskMatrix.from_thresholds(
    likelihoods=("low", "medium", "high"),
    impacts=("low", "medium", "high"),
    thresholds={"low": 1, "medium": 3, "high": 6},
    name="3x3",
)
"""A common 3 x 3 matrix: products 1-2 low, 3-4 medium, 6-9 high.

A template convention with no standard behind it (PMBOK 6th ed. 11.3 and
IEC 31010 describe the matrix, not its bands); adjust it to your risk
appetite with `RiskMatrix.from_thresholds` or a table of your own.
"""


# -- exposure and expected monetary value ---------------------------------------


@overload
def exposure(*, probability: float, cost: float, percent: bool = ...) -> float: ...
@overload
def exposure(
    *, probability: npt.ArrayLike, cost: npt.ArrayLike, percent: bool = ...
) -> FloatArray: ...
def exposure(
    *, probability: npt.ArrayLike, cost: npt.ArrayLike, percent: bool = False
) -> float | FloatArray:
    """Return the risk exposure ``probability x cost`` (expected cost).

    Parameters
    ----------
    probability : float or array-like
        Chance that the risk happens, in ``[0, 1]``.
    cost : float or array-like
        What it costs if it happens; ``>= 0``. For signed values (threats
        and opportunities together) use `emv`.
    percent : bool, default False
        Read probability as a percentage (35 for 35 %).

    Returns
    -------
    float or numpy.ndarray
        The expected cost, in the unit of `cost`.

    Raises
    ------
    InvalidInputError
        If a probability is outside ``[0, 1]``, a cost is negative, or a value
        is NaN or infinite; every bad value is listed.

    See Also
    --------
    emv : Expected monetary value of signed outcomes.

    References
    ----------
    Project Management Institute, "A Guide to the Project Management Body of
    Knowledge (PMBOK Guide)", 6th ed., 2017, section 11.4 (Perform
    Quantitative Risk Analysis: expected monetary value).
    https://www.pmi.org/pmbok-guide-standards

    Examples
    --------
    The "strong demand" branch of PMBOK's build-or-upgrade tree: 60 % of
    US$200M.

    >>> from productops.scoring import risk
    >>> risk.exposure(probability=0.6, cost=200)
    120.0
    >>> risk.exposure(probability=[0.35, 0.1], cost=[120_000, 250_000])
    array([42000., 25000.])
    """
    scalar = v.is_scalar(probability, cost)
    p = v.fraction("probability", probability, percent=percent)
    c = v.nonnegative("cost", cost)
    p, c = v.broadcast(probability=p, cost=c)
    out: float | FloatArray = v.result(p * c, scalar=scalar)
    return out


Outcomes: TypeAlias = Iterable[tuple[float, float]] | Mapping[str, tuple[float, float]]


def emv(
    outcomes: Outcomes,
    *,
    exhaustive: bool = False,
    tolerance: float = 1e-6,
) -> float:
    """Return the expected monetary value ``sum(p x value)`` of outcomes.

    Threats are negative values and opportunities positive ones, as in PMBOK.

    Parameters
    ----------
    outcomes : iterable of (probability, value), or mapping of name to it
        Each probability in ``[0, 1]``; values in money, signed. With a
        mapping, errors name the outcomes.
    exhaustive : bool, default False
        The outcomes are mutually exclusive and cover every case (the branches
        of a chance node): their probabilities must add up to 1. Leave it
        off for independent risks of a register, whose probabilities need
        not add up to anything.
    tolerance : float, default 1e-6
        Allowed gap between the sum of probabilities and 1 when `exhaustive`.

    Returns
    -------
    float
        The EMV; 0.0 for no outcomes (when not `exhaustive`).

    Raises
    ------
    InvalidInputError
        If an outcome is not a (probability, value) pair, a probability is
        outside ``[0, 1]``, a value is not finite, or, with `exhaustive`, the
        probabilities do not add up to 1.

    See Also
    --------
    exposure, evaluate

    References
    ----------
    Project Management Institute, "A Guide to the Project Management Body of
    Knowledge (PMBOK Guide)", 6th ed., 2017, section 11.4 (Perform
    Quantitative Risk Analysis: expected monetary value).
    https://www.pmi.org/pmbok-guide-standards

    Examples
    --------
    The demand node of PMBOK's "build" branch: 60 % of US$200M and 40 % of
    US$90M.

    >>> from productops.scoring import risk
    >>> risk.emv([(0.6, 200), (0.4, 90)], exhaustive=True)
    156.0

    A threat and an opportunity together:

    >>> risk.emv({"vendor late": (0.3, -40_000), "grant": (0.5, 10_000)})
    -7000.0
    """
    labels, pairs = _pairs(outcomes)
    if not pairs:
        if exhaustive:
            msg = "outcomes: exhaustive outcomes need at least one outcome"
            raise InvalidInputError(msg)
        return 0.0
    p = v.fraction("probability", [pair[0] for pair in pairs], labels=labels)
    values = v.numbers("value", [pair[1] for pair in pairs], labels=labels)
    tol = float(v.nonnegative("tolerance", tolerance))
    if exhaustive and not math.isclose(float(p.sum()), 1.0, abs_tol=tol):
        msg = (
            f"outcomes: probabilities add up to {float(p.sum()):g}, not 1; "
            "exhaustive outcomes must cover every case (or pass exhaustive=False)"
        )
        raise InvalidInputError(msg)
    return float(p @ values)


def _pairs(outcomes: Outcomes) -> tuple[list[str] | None, list[tuple[Any, Any]]]:
    if isinstance(outcomes, Mapping):
        labels: list[str] | None = [str(key) for key in outcomes]
        raw = list(outcomes.values())
    else:
        labels = None
        raw = list(outcomes)
    bad = [
        f"{labels[n]!r}" if labels is not None else f"#{n}"
        for n, pair in enumerate(raw)
        if isinstance(pair, str | bytes) or np.ndim(pair) != 1 or len(pair) != 2
    ]
    if bad:
        msg = (
            "outcomes: expected (probability, value) pairs; not a pair at "
            + ", ".join(bad)
        )
        raise InvalidInputError(msg)
    return labels, [(pair[0], pair[1]) for pair in raw]


# -- decision trees --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """A leaf of a decision tree: what you end up with.

    Attributes
    ----------
    value : float
        The payoff, in money; negative for a loss.
    name : str
        Optional label, for display.

    Examples
    --------
    >>> from productops.scoring import risk
    >>> risk.Outcome(200).value
    200.0
    """

    value: float
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", float(v.numbers("value", self.value)))


@dataclass(frozen=True, slots=True)
class Branch:
    """An edge of a decision tree: an option of a decision or a chance outcome.

    Attributes
    ----------
    name : str
        Its label, unique among its siblings ("build", "strong demand").
    node : Decision, Chance or Outcome
        Where it leads.
    probability : float or None
        For a branch of a `Chance` node, its probability in ``[0, 1]``; for an
        option of a `Decision`, ``None``.
    cost : float
        Money spent on taking the branch (an investment, a fee); subtracted
        from the value of `node`. Default 0.

    Examples
    --------
    >>> from productops.scoring import risk
    >>> risk.Branch("strong demand", risk.Outcome(200), probability=0.6)
    Branch(name='strong demand', node=Outcome(value=200.0, name=''), probability=0.6, cost=0.0)
    """  # noqa: E501  (doctest output is one line)

    name: str
    node: Node
    probability: float | None = field(default=None, kw_only=True)
    cost: float = field(default=0.0, kw_only=True)

    def __post_init__(self) -> None:
        if not _is_text(self.name):
            msg = f"name: a branch needs a non-empty name, got {self.name!r}"
            raise InvalidInputError(msg)
        node: object = self.node
        if not isinstance(node, Decision | Chance | Outcome):
            msg = (
                f"node: branch {self.name!r} leads to {type(node).__name__}; "
                "expected a Decision, Chance or Outcome (wrap a payoff in Outcome)"
            )
            raise InvalidInputError(msg)
        if self.probability is not None:
            where = f"probability of branch {self.name!r}"
            p = float(v.fraction(where, self.probability))
            object.__setattr__(self, "probability", p)
        cost = float(v.numbers(f"cost of branch {self.name!r}", self.cost))
        object.__setattr__(self, "cost", cost)


@dataclass(frozen=True, slots=True)
class Chance:
    """A chance node: one of its branches happens, with the given probabilities.

    The probabilities must add up to 1; `evaluate` checks it.

    Attributes
    ----------
    name : str
        What is uncertain ("demand").
    branches : tuple of Branch
        The outcomes, each with a `probability` (any sequence is accepted and
        stored as a tuple).

    Examples
    --------
    >>> from productops.scoring import risk
    >>> demand = risk.Chance("demand", [
    ...     risk.Branch("strong", risk.Outcome(200), probability=0.6),
    ...     risk.Branch("weak", risk.Outcome(90), probability=0.4),
    ... ])
    >>> risk.evaluate(demand).expected_value
    156.0
    """

    name: str
    branches: Sequence[Branch]

    def __post_init__(self) -> None:
        branches = _children(self.name, self.branches, "branches")
        missing = [b.name for b in branches if b.probability is None]
        if missing:
            msg = f"branches: chance node {self.name!r} has branches without a "
            msg += f"probability: {missing}"
            raise InvalidInputError(msg)
        object.__setattr__(self, "branches", branches)


@dataclass(frozen=True, slots=True)
class Decision:
    """A decision node: you pick one of its options.

    Attributes
    ----------
    name : str
        What is decided ("build or upgrade").
    options : tuple of Branch
        The choices, without probabilities; each may carry a `cost` (any
        sequence is accepted and stored as a tuple).

    Examples
    --------
    >>> from productops.scoring import risk
    >>> choice = risk.Decision("vendor", [
    ...     risk.Branch("cheap", risk.Outcome(-30)),
    ...     risk.Branch("reliable", risk.Outcome(-10), cost=15),
    ... ])
    >>> risk.evaluate(choice).choice
    'reliable'
    """

    name: str
    options: Sequence[Branch]

    def __post_init__(self) -> None:
        options = _children(self.name, self.options, "options")
        chance = [b.name for b in options if b.probability is not None]
        if chance:
            msg = f"options: options of decision {self.name!r} have probabilities "
            msg += f"{chance}; decisions are chosen, not drawn (use a Chance node)"
            raise InvalidInputError(msg)
        object.__setattr__(self, "options", options)


Node: TypeAlias = "Decision | Chance | Outcome"


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _children(
    name: object, children: Iterable[object], kind: str
) -> tuple[Branch, ...]:
    items = tuple(children)
    branches = tuple(b for b in items if isinstance(b, Branch))
    problems = []
    if not _is_text(name):
        problems.append(f"name: a node needs a non-empty name, got {name!r}")
    if not items:
        problems.append(f"{kind}: node {name!r} has none; give at least one")
    not_branches = [n for n, b in enumerate(items) if not isinstance(b, Branch)]
    if not_branches:
        problems.append(
            f"{kind}: node {name!r} has non-Branch children at positions {not_branches}"
        )
    else:
        names = [b.name for b in branches]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            problems.append(f"{kind}: node {name!r} repeats branch names {twice}")
    if problems:
        raise InvalidInputError("; ".join(problems))
    return branches


@dataclass(frozen=True, slots=True)
class NodeValue:
    """The expected value of one node of an evaluated decision tree.

    Attributes
    ----------
    path : tuple of str
        Branch names from the root to the node; ``()`` for the root.
    name : str
        The node's name (an outcome's name, or ``""``).
    kind : {"decision", "chance", "outcome"}
        What the node is.
    expected_value : float
        Its expected value, before the cost of the branch that leads to it.
    branches : tuple of (str, float)
        For decisions and chance nodes, each branch's net value: the expected
        value of where it leads minus its cost.
    choice : str or None
        For a decision, the option taken; else ``None``.

    Examples
    --------
    >>> from productops.scoring import risk
    >>> tree = risk.Decision("d", [risk.Branch("a", risk.Outcome(5), cost=2)])
    >>> risk.evaluate(tree).node().branches
    (('a', 3.0),)
    """

    path: tuple[str, ...]
    name: str
    kind: Literal["decision", "chance", "outcome"]
    expected_value: float
    branches: tuple[tuple[str, float], ...] = ()
    choice: str | None = None


@dataclass(frozen=True, slots=True)
class DecisionAnalysis(Tabular):
    """A decision tree rolled back: every node's expected value and every choice.

    Attributes
    ----------
    expected_value : float
        The expected value of the root, taking the best option everywhere.
    nodes : tuple of NodeValue
        Every node, root first, depth first in branch order.

    Examples
    --------
    >>> from productops.scoring import risk
    >>> result = risk.evaluate(risk.Decision("d", [
    ...     risk.Branch("a", risk.Outcome(1)), risk.Branch("b", risk.Outcome(2))]))
    >>> result
    DecisionAnalysis(expected_value=2.0, choice='b', nodes=3)
    """

    expected_value: float
    nodes: tuple[NodeValue, ...]

    @property
    def choice(self) -> str | None:
        """The option taken at the root, when the root is a decision."""
        return self.nodes[0].choice

    def node(self, *path: str) -> NodeValue:
        """Return the node reached by following the branch names in `path`.

        Raises
        ------
        InvalidInputError
            If no node has that path.
        """
        for node in self.nodes:
            if node.path == path:
                return node
        msg = f"path: no node at {' -> '.join(path) or '(root)'}"
        raise InvalidInputError(msg)

    def policy(self) -> dict[tuple[str, ...], str]:
        """Return the option taken at every decision node, by its path.

        Examples
        --------
        >>> from productops.scoring import risk
        >>> tree = risk.Decision("d", [risk.Branch("a", risk.Outcome(1))])
        >>> risk.evaluate(tree).policy()
        {(): 'a'}
        """
        return {
            node.path: node.choice for node in self.nodes if node.choice is not None
        }

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per node: path (joined with ``" / "``), name, kind, value, choice.

        Examples
        --------
        >>> from productops.scoring import risk
        >>> tree = risk.Decision("d", [risk.Branch("a", risk.Outcome(1))])
        >>> risk.evaluate(tree).to_records()[1]
        {'path': 'a', 'name': '', 'kind': 'outcome', 'expected_value': 1.0, 'choice': None}
        """  # noqa: E501  (doctest output is one line)
        return [
            {
                "path": " / ".join(node.path),
                "name": node.name,
                "kind": node.kind,
                "expected_value": node.expected_value,
                "choice": node.choice,
            }
            for node in self.nodes
        ]

    def __repr__(self) -> str:
        return (
            f"DecisionAnalysis(expected_value={self.expected_value!r}, "
            f"choice={self.choice!r}, nodes={len(self.nodes)})"
        )


def evaluate(
    tree: Decision | Chance | Outcome,
    *,
    objective: Literal["max", "min"] = "max",
    tolerance: float = 1e-6,
) -> DecisionAnalysis:
    """Roll a decision tree back: expected values and the best option everywhere.

    A chance node is worth the probability-weighted sum of its branches; a
    decision node is worth its best option; a branch is worth the value of
    where it leads minus its `cost` (PMBOK's "net path value").

    Parameters
    ----------
    tree : Decision, Chance or Outcome
        The root.
    objective : {"max", "min"}, default "max"
        Take the option with the highest value (payoffs) or the lowest (when
        every value is a cost). Ties go to the first option listed.
    tolerance : float, default 1e-6
        Allowed gap between 1 and the sum of a chance node's probabilities.

    Returns
    -------
    DecisionAnalysis
        The root's expected value and, for every node, its value and choice.

    Raises
    ------
    InvalidInputError
        If the probabilities of a chance node do not add up to 1, listing
        every such node by its path, or `objective` is unknown.

    References
    ----------
    Project Management Institute, "A Guide to the Project Management Body of
    Knowledge (PMBOK Guide)", 6th ed., 2017, section 11.4 (Perform
    Quantitative Risk Analysis: decision tree analysis), build-or-upgrade
    example; worked at
    https://www.scribd.com/document/433147254/PMP-PMBOK6-Decision-Tree-Analysis

    Examples
    --------
    PMBOK's build-or-upgrade decision (US$M): build costs 120 and pays 200 or
    90; upgrade costs 50 and pays 120 or 60; demand is strong with
    probability 0.6.

    >>> from productops.scoring import risk
    >>> def demand(strong, weak):
    ...     return risk.Chance("demand", [
    ...         risk.Branch("strong", risk.Outcome(strong), probability=0.6),
    ...         risk.Branch("weak", risk.Outcome(weak), probability=0.4)])
    >>> tree = risk.Decision("new plant", [
    ...     risk.Branch("build", demand(200, 90), cost=120),
    ...     risk.Branch("upgrade", demand(120, 60), cost=50)])
    >>> result = risk.evaluate(tree)
    >>> result.choice, result.expected_value
    ('upgrade', 46.0)
    >>> result.node().branches
    (('build', 36.0), ('upgrade', 46.0))
    """
    if objective not in ("max", "min"):
        msg = f"objective: expected 'max' or 'min', got {objective!r}"
        raise InvalidInputError(msg)
    tol = float(v.nonnegative("tolerance", tolerance))
    root: object = tree
    if not isinstance(root, Decision | Chance | Outcome):
        msg = f"tree: expected a Decision, Chance or Outcome, got {type(root).__name__}"
        raise InvalidInputError(msg)
    bad = [
        f"{' -> '.join(path) or '(root)'} ({total:g})"
        for path, total in _probability_sums(tree, ())
        if not math.isclose(total, 1.0, abs_tol=tol)
    ]
    if bad:
        msg = (
            "tree: chance probabilities must add up to 1; they do not at "
            + ", ".join(bad)
        )
        raise InvalidInputError(msg)
    nodes: list[NodeValue] = []
    value = _roll_back(tree, (), objective, nodes)
    return DecisionAnalysis(expected_value=value, nodes=tuple(nodes))


def _probability_sums(
    node: Decision | Chance | Outcome, path: tuple[str, ...]
) -> list[tuple[tuple[str, ...], float]]:
    if isinstance(node, Outcome):
        return []
    branches = node.branches if isinstance(node, Chance) else node.options
    sums = []
    if isinstance(node, Chance):
        sums.append((path, math.fsum(b.probability or 0.0 for b in branches)))
    for branch in branches:
        sums += _probability_sums(branch.node, (*path, branch.name))
    return sums


def _roll_back(
    node: Decision | Chance | Outcome,
    path: tuple[str, ...],
    objective: str,
    nodes: list[NodeValue],
) -> float:
    if isinstance(node, Outcome):
        nodes.append(NodeValue(path, node.name, "outcome", node.value))
        return node.value
    position = len(nodes)
    nodes.append(NodeValue(path, node.name, "outcome", 0.0))  # placeholder
    branches = node.branches if isinstance(node, Chance) else node.options
    net = [
        (b.name, _roll_back(b.node, (*path, b.name), objective, nodes) - b.cost)
        for b in branches
    ]
    if isinstance(node, Chance):
        value = math.fsum(
            (b.probability or 0.0) * worth
            for b, (_, worth) in zip(branches, net, strict=True)
        )
        nodes[position] = NodeValue(path, node.name, "chance", value, tuple(net))
        return value
    pick = max if objective == "max" else min
    choice, value = pick(net, key=lambda item: item[1])
    nodes[position] = NodeValue(path, node.name, "decision", value, tuple(net), choice)
    return value


# -- FMEA ------------------------------------------------------------------------


@overload
def rpn(*, severity: float, occurrence: float, detection: float) -> float: ...
@overload
def rpn(
    *, severity: npt.ArrayLike, occurrence: npt.ArrayLike, detection: npt.ArrayLike
) -> FloatArray: ...
def rpn(
    *, severity: npt.ArrayLike, occurrence: npt.ArrayLike, detection: npt.ArrayLike
) -> float | FloatArray:
    """Return the FMEA risk priority number ``severity x occurrence x detection``.

    Parameters
    ----------
    severity, occurrence, detection : int or array-like
        Whole-number ratings from 1 to 10. Higher is worse for all three:
        detection 10 means the failure cannot be caught.

    Returns
    -------
    float or numpy.ndarray
        From 1 to 1000. Like any product of ordinal ratings, it ties very
        different failures (see the example); thresholds such as 100 or 125
        are company conventions. AIAG & VDA (2019) replaced it with
        `action_priority`.

    Raises
    ------
    InvalidInputError
        If a rating is not a whole number from 1 to 10; every bad value is
        listed.

    See Also
    --------
    action_priority

    References
    ----------
    AIAG, "Potential Failure Mode and Effects Analysis (FMEA) Reference
    Manual", 4th ed., 2008. https://www.aiag.org/

    Examples
    --------
    Severity 10, occurrence 2, detection 5 and severity 2, occurrence 10,
    detection 5 both give 100 (the RPN's known flaw, as shown at
    https://learn.nextedy.com/automotive/concepts/aiag-vda-fmea):

    >>> from productops.scoring import risk
    >>> risk.rpn(severity=[10, 2], occurrence=[2, 10], detection=5)
    array([100., 100.])
    >>> risk.rpn(severity=8, occurrence=6, detection=2)
    96.0
    """
    scalar = v.is_scalar(severity, occurrence, detection)
    s, o, d = _ratings(severity, occurrence, detection)
    out: float | FloatArray = v.result(s * o * d, scalar=scalar)
    return out


def _ratings(
    severity: npt.ArrayLike, occurrence: npt.ArrayLike, detection: npt.ArrayLike
) -> list[FloatArray]:
    checked = {}
    problems = []
    for name, value in (
        ("severity", severity),
        ("occurrence", occurrence),
        ("detection", detection),
    ):
        try:
            checked[name] = v.between(name, value, 1, 10, integer=True)
        except InvalidInputError as exc:
            problems.append(str(exc))
    if problems:
        raise InvalidInputError("; ".join(problems))
    return v.broadcast(**checked)


# Action Priority for DFMEA and PFMEA, AIAG & VDA FMEA Handbook (2019):
# _AP[severity band][occurrence band][detection band], each band 0 = best.
# Severity bands 1 | 2-3 | 4-6 | 7-8 | 9-10; occurrence bands 1 | 2-3 | 4-5 |
# 6-7 | 8-10; detection bands 1 | 2-4 | 5-6 | 7-10. Each string lists the
# detection bands from D 7-10 down to D 1, as the handbook prints them.
_AP_ROWS = {
    # severity band: occurrence rows from O 8-10 down to O 1
    4: ("HHHH", "HHHH", "HHHM", "HMLL", "LLLL"),  # S 9-10
    3: ("HHHH", "HHHM", "HMMM", "MMLL", "LLLL"),  # S 7-8
    2: ("HHMM", "MMML", "MLLL", "LLLL", "LLLL"),  # S 4-6
    1: ("MMLL", "LLLL", "LLLL", "LLLL", "LLLL"),  # S 2-3
    0: ("LLLL", "LLLL", "LLLL", "LLLL", "LLLL"),  # S 1
}
_AP = np.array(
    [[list(reversed(row)) for row in reversed(_AP_ROWS[band])] for band in range(5)],
    dtype=np.str_,
)
_S_BAND = np.array([0, 0, 1, 1, 2, 2, 2, 3, 3, 4, 4], dtype=np.intp)
_O_BAND = np.array([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 4], dtype=np.intp)
_D_BAND = np.array([0, 0, 1, 1, 1, 2, 2, 3, 3, 3, 3], dtype=np.intp)


@overload
def action_priority(*, severity: float, occurrence: float, detection: float) -> str: ...
@overload
def action_priority(
    *, severity: npt.ArrayLike, occurrence: npt.ArrayLike, detection: npt.ArrayLike
) -> StrArray: ...
def action_priority(
    *, severity: npt.ArrayLike, occurrence: npt.ArrayLike, detection: npt.ArrayLike
) -> str | StrArray:
    """Return the AIAG & VDA (2019) FMEA action priority: "H", "M" or "L".

    The handbook replaced the RPN with a lookup on bands of the three
    ratings, weighing severity first, then occurrence, then detection:

    ========  ========  =======  =======  =======  =======
    S         O         D 7-10   D 5-6    D 2-4    D 1
    ========  ========  =======  =======  =======  =======
    9-10      8-10      H        H        H        H
    9-10      6-7       H        H        H        H
    9-10      4-5       H        H        H        M
    9-10      2-3       H        M        L        L
    9-10      1         L        L        L        L
    7-8       8-10      H        H        H        H
    7-8       6-7       H        H        H        M
    7-8       4-5       H        M        M        M
    7-8       2-3       M        M        L        L
    7-8       1         L        L        L        L
    4-6       8-10      H        H        M        M
    4-6       6-7       M        M        M        L
    4-6       4-5       M        L        L        L
    4-6       1-3       L        L        L        L
    2-3       8-10      M        M        L        L
    2-3       1-7       L        L        L        L
    1         1-10      L        L        L        L
    ========  ========  =======  =======  =======  =======

    H: the team must act (or justify not acting); M: it should; L: it may.
    The table is the same for DFMEA and PFMEA; FMEA-MSR has its own.

    Parameters
    ----------
    severity, occurrence, detection : int or array-like
        Whole-number ratings from 1 to 10 (higher is worse for all three).

    Returns
    -------
    str or numpy.ndarray
        ``"H"``, ``"M"`` or ``"L"``, or an array of them.

    Raises
    ------
    InvalidInputError
        If a rating is not a whole number from 1 to 10; every bad value is
        listed.

    See Also
    --------
    rpn

    Notes
    -----
    The handbook is licensed, so the table was checked against two
    independent public transcriptions, which agree on all 1000 combinations:
    Siddardth7/quality-platform, ``apps/fmea/tests/test_ap_engine.py``
    (transcribed from the handbook's DFMEA and PFMEA copies,
    https://github.com/Siddardth7/quality-platform) and
    facussc24/tiempos-y-balanceos, ``modules/amfe/apTable.ts`` at commit
    d83454b ("exact reproduction ... PFMEA Action Priority table",
    https://github.com/facussc24/tiempos-y-balanceos). Some public tools
    differ (severity 9-10 always "H"; RPN thresholds; a 4-6 / 8-10 / 5-6
    cell of "M"); they do not match these transcriptions.

    References
    ----------
    AIAG & VDA, "Failure Mode and Effects Analysis - FMEA Handbook", 1st ed.,
    2019, Action Priority (AP) table for DFMEA and PFMEA.
    https://www.aiag.org/quality/automotive-core-tools/fmea

    Examples
    --------
    Severity 8, occurrence 6, detection 2 is high priority; severity 2,
    occurrence 6, detection 8 is low, though both have RPN 96 (the pair is
    the example of https://www.biz-pi.com/product/fmea-action-priority-ap-lookup-tables/).

    >>> from productops.scoring import risk
    >>> risk.action_priority(severity=8, occurrence=6, detection=2)
    'H'
    >>> risk.action_priority(severity=[2, 10, 10], occurrence=[6, 1, 2],
    ...                      detection=[8, 10, 10]).tolist()
    ['L', 'L', 'H']
    """
    scalar = v.is_scalar(severity, occurrence, detection)
    s, o, d = (a.astype(np.intp) for a in _ratings(severity, occurrence, detection))
    found = _AP[_S_BAND[s], _O_BAND[o], _D_BAND[d]]
    if scalar:
        return str(found)
    return np.asarray(found, dtype=np.str_)
