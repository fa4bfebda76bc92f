"""The analytic hierarchy process (Saaty): priorities from pairwise comparisons.

Comparing every pair of n criteria ("experience is 4 times as important as
education") gives a positive reciprocal matrix ``a[i][j] = 1 / a[j][i]``. Its
normalised principal eigenvector holds the priorities, and its principal
eigenvalue measures how consistent the judgements are: ``lambda_max = n`` for a
perfectly consistent matrix, more otherwise. Saaty's consistency ratio compares
that excess with what random judgements give; above 0.1 the judgements should
be revised.

- `ahp` computes priorities, ``lambda_max``, CI and CR from a matrix or from
  labelled judgements;
- `pairwise_matrix` builds the full reciprocal matrix from labelled judgements;
- `SAATY_RANDOM_INDEX` is Saaty's random index table, n = 1..10.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Generic, Literal, TypeVar, overload

import numpy as np
import numpy.typing as npt

from ..errors import InvalidInputError
from ._validate import is_scalar, nonnegative, positive

__all__ = ["AHPResult", "SAATY_RANDOM_INDEX", "ahp", "pairwise_matrix"]

FloatArray = npt.NDArray[np.float64]
Method = Literal["eigen", "geometric_mean", "column_average"]
OnInconsistent = Literal["raise", "flag"]
Priorities = TypeVar("Priorities", dict[str, float], npt.NDArray[np.float64])

_METHODS: tuple[Method, ...] = ("eigen", "geometric_mean", "column_average")

SAATY_RANDOM_INDEX: Mapping[int, float] = MappingProxyType(
    {
        1: 0.0,
        2: 0.0,
        3: 0.58,
        4: 0.90,
        5: 1.12,
        6: 1.24,
        7: 1.32,
        8: 1.41,
        9: 1.45,
        10: 1.49,
    }
)
"""Saaty's random index RI(n): the mean consistency index of random reciprocal
matrices of size n on the 1-9 scale (Saaty 1980). Other simulation studies give
slightly different values; pass ``random_index=`` to `ahp` to use one of them,
and for n > 10."""


@dataclass(frozen=True, slots=True)
class AHPResult(Generic[Priorities]):
    """Priorities and consistency of a pairwise comparison matrix.

    Attributes
    ----------
    priorities : dict of str to float, or ndarray of float64
        The weight of each criterion, positive and summing to 1: a dict by
        label when there are labels, else an array in matrix order.
    lambda_max : float
        The principal eigenvalue (``method="eigen"``), or its usual estimate
        ``mean((A @ w) / w)`` from the weights of the other methods. At least n
        for an exactly reciprocal matrix.
    ci : float
        Consistency index ``(lambda_max - n) / (n - 1)``, never negative
        (rounding just below n counts as 0); 0 for n <= 2.
    cr : float
        Consistency ratio ``ci / random_index``; 0 for n <= 2.
    consistent : bool
        Whether ``cr <= max_cr``.
    method : {"eigen", "geometric_mean", "column_average"}
        How the priorities were computed.
    random_index : float
        The random index used (0 for n <= 2).

    References
    ----------
    Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill.

    Saaty, T. L. (1990). "How to make a decision: the analytic hierarchy
    process". *European Journal of Operational Research* 48(1), 9-26.
    https://doi.org/10.1016/0377-2217(90)90057-I

    Examples
    --------
    >>> from productops import scoring
    >>> scoring.ahp([[1, 3], [1 / 3, 1]], labels=["speed", "cost"])
    <AHPResult eigen: speed 0.750, cost 0.250; lambda_max 2.000, CR 0.000 (consistent)>
    """

    priorities: Priorities
    lambda_max: float
    ci: float
    cr: float
    consistent: bool
    method: Method
    random_index: float

    def __repr__(self) -> str:
        if isinstance(self.priorities, dict):
            items = self.priorities.items()
        else:
            items = ((f"#{i}", w) for i, w in enumerate(self.priorities.tolist()))
        weights = ", ".join(f"{label} {weight:.3f}" for label, weight in items)
        weights = weights or "no criteria"
        verdict = "consistent" if self.consistent else "inconsistent"
        return (
            f"<AHPResult {self.method}: {weights}; lambda_max {self.lambda_max:.3f}, "
            f"CR {self.cr:.3f} ({verdict})>"
        )


def pairwise_matrix(
    judgements: Mapping[tuple[str, str], float],
    *,
    labels: Sequence[str] | None = None,
    tolerance: float = 0.05,
) -> tuple[tuple[str, ...], FloatArray]:
    """Build the full reciprocal comparison matrix from labelled judgements.

    ``{("A", "B"): 3}`` reads "A is 3 times as important as B" and fills
    ``a[A][B] = 3`` and ``a[B][A] = 1/3``. Give each pair once, in either
    order; a pair given both ways must be reciprocal (within `tolerance`), and
    a criterion compared with itself must be 1.

    Parameters
    ----------
    judgements : mapping of (str, str) to float
        Positive judgements, conventionally on Saaty's 1-9 scale and its
        reciprocals.
    labels : sequence of str, optional
        The criteria, in the order of the matrix. Default: in the order they
        first appear in `judgements`.
    tolerance : float, default 0.05
        How far ``a[i][j] * a[j][i]`` may be from 1 for a pair given both ways.

    Returns
    -------
    labels : tuple of str
        The criteria, in matrix order.
    matrix : ndarray of float64
        The n x n reciprocal matrix, with ones on the diagonal.

    Raises
    ------
    InvalidInputError
        Naming every missing pair, every judgement that is not a positive
        finite number or names an unknown criterion, and every pair given both
        ways that is not reciprocal.

    See Also
    --------
    ahp : Priorities and consistency of the matrix.

    References
    ----------
    Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill.

    Examples
    --------
    >>> from productops import scoring
    >>> labels, matrix = scoring.pairwise_matrix(
    ...     {("speed", "cost"): 3, ("speed", "risk"): 5, ("cost", "risk"): 2})
    >>> labels
    ('speed', 'cost', 'risk')
    >>> matrix.round(3).tolist()
    [[1.0, 3.0, 5.0], [0.333, 1.0, 2.0], [0.2, 0.5, 1.0]]
    """
    slack = _tolerance(tolerance)
    problems: list[str] = []
    pairs: dict[tuple[str, str], float] = {}
    given: Mapping[Any, Any] = judgements  # checked at run time
    for key, value in given.items():
        if not (isinstance(key, tuple) and len(key) == 2):
            problems.append(f"{key!r} is not a (criterion, criterion) pair")
        elif not _is_positive_number(value):
            problems.append(f"{key!r} = {value!r} is not a finite number > 0")
        else:
            pairs[key[0], key[1]] = float(value)
    names = _judgement_labels(pairs, labels, problems)
    index = {name: position for position, name in enumerate(names)}
    n = len(names)
    matrix = np.full((n, n), np.nan)
    np.fill_diagonal(matrix, 1.0)
    for (row, column), value in pairs.items():
        if row not in index or column not in index:
            continue  # reported by _judgement_labels
        i, j = index[row], index[column]
        if i == j:
            if abs(value - 1) > slack:
                problems.append(f"{(row, column)!r} = {value:g} (must be 1)")
            continue
        back = pairs.get((column, row))
        if back is not None and abs(value * back - 1) > slack and i < j:
            problems.append(
                f"{(row, column)!r} = {value:g} but {(column, row)!r} = {back:g} "
                f"(should be {1 / value:.3g})"
            )
        matrix[i, j] = value
        if back is None:
            matrix[j, i] = 1 / value
    missing = [
        f"{(names[i], names[j])!r}"
        for i in range(n)
        for j in range(i + 1, n)
        if np.isnan(matrix[i, j])
    ]
    if missing:
        problems.append(f"no judgement for {', '.join(missing)}")
    if problems:
        msg = "judgements: " + "; ".join(problems)
        raise InvalidInputError(msg)
    return names, matrix


@overload
def ahp(
    matrix: Mapping[tuple[str, str], float],
    *,
    labels: Sequence[str] | None = None,
    method: Method = "eigen",
    random_index: float | None = None,
    max_cr: float = 0.1,
    on_inconsistent: OnInconsistent = "raise",
    tolerance: float = 0.05,
) -> AHPResult[dict[str, float]]: ...


@overload
def ahp(
    matrix: Sequence[Sequence[float]] | npt.NDArray[Any],
    *,
    labels: None = None,
    method: Method = "eigen",
    random_index: float | None = None,
    max_cr: float = 0.1,
    on_inconsistent: OnInconsistent = "raise",
    tolerance: float = 0.05,
) -> AHPResult[FloatArray]: ...


@overload
def ahp(
    matrix: Sequence[Sequence[float]] | npt.NDArray[Any],
    *,
    labels: Sequence[str],
    method: Method = "eigen",
    random_index: float | None = None,
    max_cr: float = 0.1,
    on_inconsistent: OnInconsistent = "raise",
    tolerance: float = 0.05,
) -> AHPResult[dict[str, float]]: ...


def ahp(
    matrix: Sequence[Sequence[float]]
    | npt.NDArray[Any]
    | Mapping[tuple[str, str], float],
    *,
    labels: Sequence[str] | None = None,
    method: Method = "eigen",
    random_index: float | None = None,
    max_cr: float = 0.1,
    on_inconsistent: OnInconsistent = "raise",
    tolerance: float = 0.05,
) -> AHPResult[dict[str, float]] | AHPResult[FloatArray]:
    """Return the AHP priorities of a pairwise comparison matrix and its consistency.

    ``matrix[i][j]`` says how many times more important criterion i is than
    criterion j, conventionally on Saaty's 1-9 scale (1 equal, 3 moderately,
    5 strongly, 7 very strongly, 9 extremely more important) and its
    reciprocals.

    The priorities are, with ``method="eigen"``, the principal eigenvector of
    the matrix, normalised to sum to 1 (Saaty 1980). Two common
    approximations are offered: ``"geometric_mean"`` (normalised geometric
    means of the rows; Crawford & Williams 1985) and ``"column_average"``
    (normalise each column to sum 1, then average the rows; the spreadsheet
    method). For a consistent matrix all three agree.

    Consistency: ``CI = (lambda_max - n) / (n - 1)`` and ``CR = CI / RI(n)``,
    with Saaty's random index RI (`SAATY_RANDOM_INDEX`) unless `random_index`
    is given. Judgements with ``CR <= max_cr`` (Saaty's 0.1) are acceptable.
    Any 1 x 1 or 2 x 2 reciprocal matrix is consistent: for n <= 2, CI and CR
    are 0.

    Parameters
    ----------
    matrix : array_like or mapping of (str, str) to float
        The n x n matrix: positive and finite, ones on the diagonal, reciprocal
        (``a[j][i] * a[i][j]`` within `tolerance` of 1). Or labelled
        judgements ``{("A", "B"): 3, ...}``, built into a matrix by
        `pairwise_matrix` (then `labels` gives the order). An empty matrix
        gives empty priorities.
    labels : sequence of str, optional
        The criteria, in matrix order: the priorities become a dict by label
        and error messages name cells by label.
    method : {"eigen", "geometric_mean", "column_average"}, default "eigen"
        How priorities are computed; see above.
    random_index : float, optional
        RI(n) to divide CI by, for n >= 3. Default: Saaty's table, which stops
        at n = 10; for larger matrices it must be given.
    max_cr : float, default 0.1
        The largest acceptable consistency ratio.
    on_inconsistent : {"raise", "flag"}, default "raise"
        With ``"raise"``, a CR above `max_cr` raises `InvalidInputError`
        naming the judgement that disagrees most with the priorities; with
        ``"flag"``, the result is returned with ``consistent=False``.
    tolerance : float, default 0.05
        How far ``a[i][j] * a[j][i]`` and the diagonal may be from 1. The
        default accepts reciprocals typed with two decimals (``0.14`` for 1/7,
        ``0.13`` for 1/8) but not a wrong judgement: the closest two judgements
        on Saaty's scale differ by 1/9.

    Returns
    -------
    AHPResult
        With priorities as a dict by label (with `labels`, or judgements) or
        else as an array in matrix order.

    Raises
    ------
    InvalidInputError
        If the matrix is not square, a cell is not a finite positive number,
        a diagonal cell is not 1 or a pair is not reciprocal (naming every bad
        cell as ``(row, column)``, by label when there are labels); if the
        labels do not match the matrix; if n > 10 without `random_index`; if an
        option is invalid; or if ``CR > max_cr`` with ``on_inconsistent="raise"``.

    See Also
    --------
    pairwise_matrix : Build the matrix from labelled judgements.

    References
    ----------
    Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill.

    Saaty, T. L. (1990). "How to make a decision: the analytic hierarchy
    process". *European Journal of Operational Research* 48(1), 9-26.
    https://doi.org/10.1016/0377-2217(90)90057-I

    Crawford, G. and Williams, C. (1985). "A note on the analysis of subjective
    judgment matrices". *Journal of Mathematical Psychology* 29(4), 387-405.

    Wikipedia, "Analytic hierarchy process - leader example" (the worked
    example below).
    https://en.wikipedia.org/wiki/Analytic_hierarchy_process_%E2%80%93_leader_example

    Examples
    --------
    Wikipedia's leader example ranks four criteria:

    >>> from productops import scoring
    >>> result = scoring.ahp(
    ...     [[1, 4, 3, 7], [1/4, 1, 1/3, 3], [1/3, 3, 1, 5], [1/7, 1/3, 1/5, 1]],
    ...     labels=["Experience", "Education", "Charisma", "Age"],
    ... )
    >>> {k: round(v, 3) for k, v in result.priorities.items()}
    {'Experience': 0.548, 'Education': 0.127, 'Charisma': 0.27, 'Age': 0.056}
    >>> round(result.lambda_max, 4), round(result.ci, 4), round(result.cr, 4)
    (4.1184, 0.0395, 0.0439)

    From labelled judgements, with inconsistent ones flagged instead of raised:

    >>> scoring.ahp({("a", "b"): 2, ("b", "c"): 2, ("a", "c"): 1/4},
    ...             on_inconsistent="flag").consistent
    False
    """
    how = _choice("method", method, _METHODS)
    policy = _choice("on_inconsistent", on_inconsistent, ("raise", "flag"))
    limit = _scalar("max_cr", max_cr, nonnegative)
    slack = _tolerance(tolerance)
    names: tuple[str, ...] | None
    if isinstance(matrix, Mapping):
        names, values = pairwise_matrix(matrix, labels=labels, tolerance=slack)
    else:
        values = _square(matrix)
        names = _labels(labels, values.shape[0])
        _check_cells(values, names, slack)
    n = values.shape[0]
    ri = _random_index(random_index, n)
    if n == 0:
        weights, lambda_max = np.zeros(0), 0.0
    else:
        weights, lambda_max = _priorities(values, how)
    ci = max((lambda_max - n) / (n - 1), 0.0) if n > 2 else 0.0
    cr = ci / ri if n > 2 else 0.0
    consistent = cr <= limit
    if not consistent and policy == "raise":
        msg = (
            f"matrix: inconsistent judgements: CR {cr:.3f} > max_cr {limit:g}; "
            f"{_worst(values, weights, names)}; revise it, or pass "
            "on_inconsistent='flag' to get the priorities anyway"
        )
        raise InvalidInputError(msg)
    stats = (lambda_max, ci, cr, consistent, how, ri)
    if names is None:
        return AHPResult(weights, *stats)
    return AHPResult(dict(zip(names, weights.tolist(), strict=True)), *stats)


# -- helpers ---------------------------------------------------------------------


def _priorities(values: FloatArray, method: Method) -> tuple[FloatArray, float]:
    """Normalised weights and lambda_max of a validated, non-empty matrix."""
    if method == "eigen":
        eigenvalues, eigenvectors = np.linalg.eig(values)
        principal = int(np.argmax(eigenvalues.real))
        vector = eigenvectors[:, principal].real
        return vector / vector.sum(), float(eigenvalues[principal].real)
    if method == "geometric_mean":
        vector = np.exp(np.log(values).mean(axis=1))
    else:
        vector = (values / values.sum(axis=0)).mean(axis=1)
    weights = vector / vector.sum()
    return weights, float(np.mean(values @ weights / weights))


def _square(matrix: Any) -> FloatArray:
    try:
        raw = np.asarray(matrix)
        values = raw.astype(np.float64)
    except (TypeError, ValueError):
        msg = f"matrix: {_not_numeric(matrix)}"
        raise InvalidInputError(msg) from None
    if raw.dtype == np.bool_:
        msg = "matrix: expected numbers, got booleans"
        raise InvalidInputError(msg)
    if values.size == 0:
        return np.zeros((0, 0))
    if values.ndim != 2 or values.shape[0] != values.shape[1]:
        msg = f"matrix: expected a square n x n matrix, got shape {values.shape}"
        raise InvalidInputError(msg)
    return values


def _not_numeric(matrix: Any) -> str:
    """Describe why `matrix` is not a table of numbers, naming bad cells."""
    try:
        if isinstance(matrix, str | bytes):
            raise TypeError  # noqa: TRY301 - same message as other non-tables
        rows = [list(row) for row in matrix]
    except TypeError:
        return f"expected a square n x n matrix of numbers, got {matrix!r}"
    lengths = {len(row) for row in rows}
    if len(lengths) > 1:
        return f"rows have different lengths {sorted(lengths)}; expected n x n"
    bad = [
        f"({i}, {j}) {value!r}"
        for i, row in enumerate(rows)
        for j, value in enumerate(row)
        if not _is_number(value)
    ]
    return "not a number at " + ", ".join(bad)


def _labels(labels: Sequence[str] | None, n: int) -> tuple[str, ...] | None:
    if labels is None:
        return None
    names = _unique(labels)
    if len(names) != n:
        msg = f"labels: got {len(names)} for a matrix of {n} criteria"
        raise InvalidInputError(msg)
    return names


def _unique(labels: Sequence[str]) -> tuple[str, ...]:
    if isinstance(labels, str):
        msg = f"labels: expected a sequence of names, got the string {labels!r}"
        raise InvalidInputError(msg)
    names = tuple(labels)
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        msg = f"labels: duplicated {', '.join(map(repr, duplicates))}"
        raise InvalidInputError(msg)
    return names


def _judgement_labels(
    pairs: Mapping[tuple[str, str], float],
    labels: Sequence[str] | None,
    problems: list[str],
) -> tuple[str, ...]:
    """Return the criteria in matrix order; report unknown ones in `problems`."""
    named = list(dict.fromkeys(name for pair in pairs for name in pair))
    if labels is None:
        return tuple(named)
    names = _unique(labels)
    unknown = [name for name in named if name not in names]
    if unknown:
        problems.append(
            f"unknown criteria {', '.join(map(repr, unknown))} (labels are {names!r})"
        )
    return names


def _cell(i: int, j: int, labels: tuple[str, ...] | None) -> str:
    return f"({i}, {j})" if labels is None else repr((labels[i], labels[j]))


def _check_cells(
    values: FloatArray, labels: tuple[str, ...] | None, tolerance: float
) -> None:
    """Raise naming every cell that is not finite and positive.

    Then, naming every diagonal cell that is not 1 and every pair that is not
    reciprocal.
    """
    bad = ~np.isfinite(values) | ~(values > 0)
    if bad.any():
        cells = [
            f"{_cell(i, j, labels)} ({values[i, j]:g})"
            for i, j in np.argwhere(bad).tolist()
        ]
        noun = "cell" if len(cells) == 1 else "cells"
        msg = (
            f"matrix: {len(cells)} bad {noun}: {', '.join(cells)} "
            "(must be a finite number > 0)"
        )
        raise InvalidInputError(msg)
    problems = [
        f"{_cell(i, i, labels)} = {values[i, i]:g} (must be 1)"
        for i in range(values.shape[0])
        if abs(values[i, i] - 1) > tolerance
    ]
    n = values.shape[0]
    problems += [
        f"{_cell(i, j, labels)} = {values[i, j]:g} but "
        f"{_cell(j, i, labels)} = {values[j, i]:g} (should be {1 / values[i, j]:.3g})"
        for i in range(n)
        for j in range(i + 1, n)
        if abs(values[i, j] * values[j, i] - 1) > tolerance
    ]
    if problems:
        noun = "cell is" if len(problems) == 1 else "cells are"
        msg = (
            f"matrix: {len(problems)} {noun} wrong: {'; '.join(problems)} "
            f"(a[j][i] must be 1 / a[i][j] and a[i][i] 1, within {tolerance:g})"
        )
        raise InvalidInputError(msg)


def _worst(
    values: FloatArray, weights: FloatArray, labels: tuple[str, ...] | None
) -> str:
    """Describe the judgement furthest from what the priorities imply."""
    implied = weights[:, None] / weights[None, :]
    error = np.abs(np.log(values / implied))
    row, column = np.unravel_index(int(np.argmax(np.triu(error, k=1))), values.shape)
    i, j = int(row), int(column)
    return (
        f"the judgement furthest from the priorities is {_cell(i, j, labels)} = "
        f"{values[i, j]:.3g} (the priorities imply {implied[i, j]:.3g})"
    )


def _random_index(value: float | None, n: int) -> float:
    if value is not None:
        given = _scalar("random_index", value, positive)
        return given if n > 2 else 0.0
    if n <= 2:
        return 0.0
    if n in SAATY_RANDOM_INDEX:
        return SAATY_RANDOM_INDEX[n]
    msg = f"random_index: Saaty's table stops at n = 10; give random_index= for n = {n}"
    raise InvalidInputError(msg)


def _choice(name: str, value: Any, allowed: tuple[Any, ...]) -> Any:
    if value not in allowed:
        shown = ", ".join(map(repr, allowed))
        msg = f"{name}: expected one of {shown}, got {value!r}"
        raise InvalidInputError(msg)
    return value


def _scalar(name: str, value: Any, check: Any) -> float:
    if not is_scalar(value):
        msg = f"{name}: expected one number, got {value!r}"
        raise InvalidInputError(msg)
    return float(check(name, value))


def _tolerance(value: Any) -> float:
    return _scalar("tolerance", value, nonnegative)


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _is_positive_number(value: Any) -> bool:
    return _is_number(value) and math.isfinite(float(value)) and float(value) > 0
