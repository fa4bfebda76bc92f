"""Risk register roll-ups over `productops.Risk` records.

- `residual` and `residual_report`: what is left of each risk once its
  mitigations are done, against what it was;
- `rollup`: exposure and ordinal scores by category, owner, release or status;
- `heatmap`: how many risks sit in each likelihood x impact cell;
- `burndown` and `snapshot_burndown`: open exposure and score over time.

Risks are sized two ways (see `Risk`): an ordinal likelihood x impact on the
risk's `scale`, and a probability x cost. Totals use whichever a risk has and
count the risks that lack it, so a partly assessed register is visible as
such. Ordinal scores are only added up within one scale.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from .._tabular import RAG_HEX, Tabular, escape, html_table, inline_bar
from ..errors import InvalidInputError
from ..model import MitigationStatus, Risk
from ._risk import RiskMatrix, grid

__all__ = [
    "Assessment",
    "Burndown",
    "BurndownPoint",
    "GroupTotal",
    "HeatMap",
    "ResidualReport",
    "ResidualRow",
    "Rollup",
    "burndown",
    "heatmap",
    "residual",
    "residual_report",
    "rollup",
    "snapshot_burndown",
]

Include = Literal["done", "not_dropped"]
Basis = Literal["inherent", "residual"]
GroupBy = Literal["category", "owner", "release", "status"]

_COUNTED = {
    "done": frozenset({MitigationStatus.DONE}),
    "not_dropped": frozenset(
        {MitigationStatus.PLANNED, MitigationStatus.IN_PROGRESS, MitigationStatus.DONE}
    ),
}


# -- residual risk ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Assessment:
    """How big a risk is: ordinal likelihood x impact and/or probability x cost.

    Attributes
    ----------
    likelihood, impact : int or None
        Ranks on the risk's scale, or ``None`` when not assessed.
    probability : float or None
        Chance it happens, in ``[0, 1]``.
    cost : float or None
        What it costs if it happens.

    Examples
    --------
    >>> from productops.scoring import risk
    >>> a = risk.Assessment(likelihood=2, impact=4, probability=0.3, cost=90_000)
    >>> a.score, a.exposure
    (8, 27000.0)
    """

    likelihood: int | None
    impact: int | None
    probability: float | None
    cost: float | None

    @property
    def score(self) -> int | None:
        """Likelihood x impact, or ``None`` without both."""
        if self.likelihood is None or self.impact is None:
            return None
        return self.likelihood * self.impact

    @property
    def exposure(self) -> float | None:
        """Probability x cost (expected cost), or ``None`` without both."""
        if self.probability is None or self.cost is None:
            return None
        return self.probability * self.cost

    @classmethod
    def of(cls, risk: Risk) -> Assessment:
        """Return the risk's own (inherent) assessment.

        Examples
        --------
        >>> from productops import Risk
        >>> from productops.scoring import risk
        >>> risk.Assessment.of(Risk(key="R-1", title="t", likelihood=3, impact=2))
        Assessment(likelihood=3, impact=2, probability=None, cost=None)
        """
        return cls(risk.likelihood, risk.impact, risk.probability, risk.cost)


def residual(risk: Risk, *, include: Include = "done") -> Assessment:
    """Return what is left of `risk` once its mitigations have worked.

    For each of likelihood, impact, probability and cost, the residual is
    the lowest ``residual_*`` value among the counted mitigations that give
    one; a field no counted mitigation lowers keeps the risk's own value.
    Taking the lowest per field assumes the mitigations' effects combine (one
    action lowers likelihood, another impact), which is how registers are
    usually read; record a single mitigation with both values when they do
    not.

    Parameters
    ----------
    risk : Risk
        The risk.
    include : {"done", "not_dropped"}, default "done"
        Which mitigations count: only those whose status is ``done`` (the
        risk as it stands), or every one not ``dropped`` (the risk as planned
        once the work is finished).

    Returns
    -------
    Assessment
        The residual assessment; equal to the inherent one when nothing
        counts.

    Raises
    ------
    InvalidInputError
        If `include` is unknown.

    Examples
    --------
    >>> from productops import Mitigation, Risk
    >>> from productops.scoring import risk
    >>> r = Risk(key="R-1", title="Vendor late", likelihood=4, impact=5,
    ...          mitigations=[
    ...              Mitigation(description="Second vendor", status="done",
    ...                         residual_likelihood=2),
    ...              Mitigation(description="Buffer stock", status="planned",
    ...                         residual_impact=3)])
    >>> risk.residual(r).score, risk.residual(r, include="not_dropped").score
    (10, 6)
    """
    counted = _counted(include)
    mitigations = [m for m in risk.mitigations if m.status in counted]

    def lowest(name: str) -> Any:
        own = getattr(risk, name)
        values = [getattr(m, f"residual_{name}") for m in mitigations]
        values = [value for value in values if value is not None]
        return min(values) if values and own is not None else own

    return Assessment(
        lowest("likelihood"), lowest("impact"), lowest("probability"), lowest("cost")
    )


def _counted(include: str) -> frozenset[MitigationStatus]:
    if include not in _COUNTED:
        msg = f"include: expected 'done' or 'not_dropped', got {include!r}"
        raise InvalidInputError(msg)
    return _COUNTED[include]


def _assess(risk: Risk, basis: str, include: Include) -> Assessment:
    if basis == "inherent":
        return Assessment.of(risk)
    if basis == "residual":
        return residual(risk, include=include)
    msg = f"basis: expected 'inherent' or 'residual', got {basis!r}"
    raise InvalidInputError(msg)


@dataclass(frozen=True, slots=True)
class ResidualRow:
    """One risk before and after its mitigations.

    Attributes
    ----------
    key : str
        The risk's key.
    inherent : Assessment
        The risk as assessed, without mitigations.
    residual : Assessment
        What is left once the counted mitigations have worked.
    mitigations : int
        How many mitigations were counted.
    mitigation_cost : float
        Their total cost (mitigations without a cost count 0).

    Examples
    --------
    >>> from productops import Risk
    >>> from productops.scoring import risk
    >>> report = risk.residual_report([Risk(key="R-1", title="t")])
    >>> report.rows[0].mitigations
    0
    """

    key: str
    inherent: Assessment
    residual: Assessment
    mitigations: int
    mitigation_cost: float


@dataclass(frozen=True, slots=True)
class ResidualReport(Tabular):
    """Inherent against residual risk, risk by risk and in total.

    Attributes
    ----------
    include : {"done", "not_dropped"}
        Which mitigations were counted.
    rows : tuple of ResidualRow
        One per risk, in input order.

    Examples
    --------
    >>> from productops import Mitigation, Risk
    >>> from productops.scoring import risk
    >>> r = Risk(key="R-1", title="t", probability=0.4, cost=100_000,
    ...          mitigations=[Mitigation(description="m", status="done",
    ...                                  residual_probability=0.1, cost=5_000)])
    >>> report = risk.residual_report([r])
    >>> report.inherent_exposure, report.residual_exposure, report.mitigation_cost
    (40000.0, 10000.0, 5000.0)
    """

    include: str
    rows: tuple[ResidualRow, ...]

    @property
    def inherent_exposure(self) -> float:
        """Total inherent expected cost (risks without one count 0)."""
        return math.fsum(row.inherent.exposure or 0.0 for row in self.rows)

    @property
    def residual_exposure(self) -> float:
        """Total residual expected cost (risks without one count 0)."""
        return math.fsum(row.residual.exposure or 0.0 for row in self.rows)

    @property
    def inherent_score(self) -> int:
        """Total inherent likelihood x impact (unscored risks count 0)."""
        return sum(row.inherent.score or 0 for row in self.rows)

    @property
    def residual_score(self) -> int:
        """Total residual likelihood x impact (unscored risks count 0)."""
        return sum(row.residual.score or 0 for row in self.rows)

    @property
    def mitigation_cost(self) -> float:
        """Total cost of the counted mitigations."""
        return math.fsum(row.mitigation_cost for row in self.rows)

    def to_records(self) -> list[dict[str, Any]]:
        """One flat dict per risk, for ``pandas.DataFrame(report.to_records())``.

        Examples
        --------
        >>> from productops import Risk
        >>> from productops.scoring import risk
        >>> risk.residual_report([Risk(key="R-1", title="t", likelihood=2,
        ...                            impact=3)]).to_records()[0]["residual_score"]
        6
        """
        return [
            {
                "key": row.key,
                "inherent_likelihood": row.inherent.likelihood,
                "inherent_impact": row.inherent.impact,
                "inherent_score": row.inherent.score,
                "residual_likelihood": row.residual.likelihood,
                "residual_impact": row.residual.impact,
                "residual_score": row.residual.score,
                "inherent_exposure": row.inherent.exposure,
                "residual_exposure": row.residual.exposure,
                "exposure_reduction": _difference(
                    row.inherent.exposure, row.residual.exposure
                ),
                "mitigations": row.mitigations,
                "mitigation_cost": row.mitigation_cost,
            }
            for row in self.rows
        ]

    def __repr__(self) -> str:
        return (
            f"ResidualReport(risks={len(self.rows)}, "
            f"inherent_exposure={self.inherent_exposure!r}, "
            f"residual_exposure={self.residual_exposure!r}, "
            f"inherent_score={self.inherent_score!r}, "
            f"residual_score={self.residual_score!r})"
        )

    def _repr_html_(self) -> str:
        records = self.to_records()
        top = max((r["inherent_exposure"] or 0.0 for r in records), default=0.0)
        rows = [
            {
                "key": r["key"],
                "inherent_score": r["inherent_score"],
                "residual_score": r["residual_score"],
                "inherent_exposure": r["inherent_exposure"],
                "residual_exposure": r["residual_exposure"],
                "": inline_bar(r["residual_exposure"] or 0.0, top),
                "mitigations": r["mitigations"],
                "mitigation_cost": r["mitigation_cost"],
            }
            for r in records
        ]
        total = {
            "key": "total",
            "inherent_score": self.inherent_score,
            "residual_score": self.residual_score,
            "inherent_exposure": self.inherent_exposure,
            "residual_exposure": self.residual_exposure,
            "mitigation_cost": self.mitigation_cost,
        }
        caption = f"Residual risk ({self.include} mitigations counted)"
        return html_table(rows, caption=caption) + html_table(
            [total], columns=list(rows[0]) if rows else None
        )


def _difference(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else before - after


def residual_report(
    risks: Iterable[Risk],
    *,
    include: Include = "done",
    only_open: bool = True,
) -> ResidualReport:
    """Compare every risk's inherent and residual size (see `residual`).

    Parameters
    ----------
    risks : iterable of Risk
        The register.
    include : {"done", "not_dropped"}, default "done"
        Which mitigations count.
    only_open : bool, default True
        Keep only risks that can still hurt (`Risk.is_open`).

    Returns
    -------
    ResidualReport
        One row per risk kept, in input order, and the totals.

    Raises
    ------
    InvalidInputError
        If `include` is unknown, or scored risks use different scales.

    Examples
    --------
    >>> import productops as po
    >>> from productops.scoring import risk
    >>> report = risk.residual_report(po.datasets.load_demo().risks)
    >>> len(report.rows), report.inherent_score > report.residual_score
    (9, True)
    """
    counted = _counted(include)
    kept = _select(risks, only_open=only_open)
    _one_scale(kept)
    rows = []
    for item in kept:
        mitigations = [m for m in item.mitigations if m.status in counted]
        rows.append(
            ResidualRow(
                key=item.key,
                inherent=Assessment.of(item),
                residual=residual(item, include=include),
                mitigations=len(mitigations),
                mitigation_cost=math.fsum(m.cost or 0.0 for m in mitigations),
            )
        )
    return ResidualReport(include=include, rows=tuple(rows))


def _select(risks: Iterable[object], *, only_open: bool) -> list[Risk]:
    given = list(risks)
    items = [item for item in given if isinstance(item, Risk)]
    wrong = [
        f"#{n} ({type(item).__name__})"
        for n, item in enumerate(given)
        if not isinstance(item, Risk)
    ]
    if wrong:
        msg = "risks: expected Risk records; got " + ", ".join(wrong)
        raise InvalidInputError(msg)
    keys = [item.key for item in items]
    twice = sorted({key for key in keys if keys.count(key) > 1})
    if twice:
        msg = f"risks: keys listed more than once: {twice}; keys must be unique"
        raise InvalidInputError(msg)
    return [item for item in items if item.is_open or not only_open]


def _one_scale(risks: Sequence[Risk]) -> None:
    """Ordinal scores add up only on one scale: name the keys per scale if not."""
    scales: dict[int, list[str]] = {}
    for item in risks:
        if item.likelihood is not None:
            scales.setdefault(item.scale, []).append(item.key)
    if len(scales) > 1:
        listed = "; ".join(
            f"scale {scale}: {', '.join(keys)}"
            for scale, keys in sorted(scales.items())
        )
        msg = (
            "risks: ordinal scores on different scales cannot be added "
            f"({listed}); pass the risks of one scale at a time"
        )
        raise InvalidInputError(msg)


# -- roll-ups --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GroupTotal:
    """The risks of one group and their totals.

    Attributes
    ----------
    key : str or None
        The group: a category, owner, release key or status; ``None`` for
        risks without an owner or release.
    risks : int
        How many risks are in the group.
    exposure : float
        Sum of probability x cost over the risks that have both.
    score : int
        Sum of likelihood x impact over the risks that have both.
    unpriced : int
        Risks without probability and cost (not in `exposure`).
    unscored : int
        Risks without likelihood and impact (not in `score`).
    keys : tuple of str
        The risks' keys, in input order.

    Examples
    --------
    >>> from productops import Risk
    >>> from productops.scoring import risk
    >>> table = risk.rollup([Risk(key="R-1", title="t", category="market",
    ...                           probability=0.5, cost=10)], by="category")
    >>> table.groups[0]
    GroupTotal(key='market', risks=1, exposure=5.0, score=0, unpriced=0, unscored=1, keys=('R-1',))
    """  # noqa: E501  (doctest output is one line)

    key: str | None
    risks: int
    exposure: float
    score: int
    unpriced: int
    unscored: int
    keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Rollup(Tabular):
    """Register totals grouped by one field.

    Attributes
    ----------
    by : {"category", "owner", "release", "status"}
        The field the risks were grouped by.
    basis : {"inherent", "residual"}
        Whether the sizes are the risks' own or what is left after
        mitigations.
    groups : tuple of GroupTotal
        Largest exposure first, then largest score, then by key.
    risks : int
        Distinct risks rolled up.
    exposure : float
        Total exposure, each risk counted once (with ``by="release"`` the
        groups can add up to more: a risk threatening two releases is in
        both).
    score : int
        Total likelihood x impact, each risk counted once.

    Examples
    --------
    >>> import productops as po
    >>> from productops.scoring import risk
    >>> table = risk.rollup(po.datasets.load_demo().risks, by="category")
    >>> table.groups[0].key, table.groups[0].exposure
    ('market', 70000.0)
    """

    by: str
    basis: str
    groups: tuple[GroupTotal, ...]
    risks: int
    exposure: float
    score: int

    def group(self, key: str | None) -> GroupTotal:
        """Return the totals of one group.

        Raises
        ------
        InvalidInputError
            If no risk is in that group.
        """
        for group in self.groups:
            if group.key == key:
                return group
        msg = f"key: no {self.by} {key!r} among {[g.key for g in self.groups]}"
        raise InvalidInputError(msg)

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per group, keyed by the grouping field's name.

        Examples
        --------
        >>> from productops import Risk
        >>> from productops.scoring import risk
        >>> risk.rollup([Risk(key="R-1", title="t", owner="ann", likelihood=2,
        ...                   impact=2)], by="owner").to_records()
        [{'owner': 'ann', 'risks': 1, 'exposure': 0.0, 'score': 4, 'unpriced': 1, 'unscored': 0, 'keys': 'R-1'}]
        """  # noqa: E501  (doctest output is one line)
        return [
            {
                self.by: group.key,
                "risks": group.risks,
                "exposure": group.exposure,
                "score": group.score,
                "unpriced": group.unpriced,
                "unscored": group.unscored,
                "keys": ", ".join(group.keys),
            }
            for group in self.groups
        ]

    def __str__(self) -> str:
        rows = [
            (
                "(none)" if g.key is None else g.key,
                [str(g.risks), f"{g.exposure:,.0f}", str(g.score)],
            )
            for g in self.groups
        ]
        rows.append(
            ("total", [str(self.risks), f"{self.exposure:,.0f}", str(self.score)])
        )
        return grid(self.by, ["risks", "exposure", "score"], rows)

    def __repr__(self) -> str:
        return (
            f"<Rollup by {self.by} ({self.basis}): {len(self.groups)} groups, "
            f"{self.risks} risks, exposure {self.exposure:,.0f}, score {self.score}>"
        )

    def _repr_html_(self) -> str:
        top = max((g.exposure for g in self.groups), default=0.0)
        rows = [{**r, "": inline_bar(r["exposure"], top)} for r in self.to_records()]
        columns = [self.by, "risks", "exposure", "", "score", "unpriced", "unscored"]
        total = {
            self.by: "total",
            "risks": self.risks,
            "exposure": self.exposure,
            "score": self.score,
        }
        return html_table(
            [*rows, total],
            columns=[*columns, "keys"],
            caption=repr(self),
            max_rows=len(rows) + 1,
        )


def rollup(
    risks: Iterable[Risk],
    *,
    by: GroupBy = "category",
    only_open: bool = True,
    basis: Basis = "inherent",
    include: Include = "done",
) -> Rollup:
    """Total exposure and ordinal score of a register, grouped by one field.

    Parameters
    ----------
    risks : iterable of Risk
        The register; keys must be unique.
    by : {"category", "owner", "release", "status"}, default "category"
        The field to group by. A risk threatening several releases counts in
        each of their groups (so release groups can add up to more than the
        total); one threatening none, like one without an owner, is in the
        group ``None``.
    only_open : bool, default True
        Keep only risks that can still hurt (`Risk.is_open`: open,
        mitigating or accepted).
    basis : {"inherent", "residual"}, default "inherent"
        Size risks as assessed, or by what is left after mitigations (see
        `residual`).
    include : {"done", "not_dropped"}, default "done"
        With ``basis="residual"``, which mitigations count.

    Returns
    -------
    Rollup
        One `GroupTotal` per group and the register totals.

    Raises
    ------
    InvalidInputError
        If an argument is unknown, an item is not a `Risk`, two risks share a
        key, or scored risks use different scales.

    Examples
    --------
    >>> from productops import Risk
    >>> from productops.scoring import risk
    >>> register = [
    ...     Risk(key="R-1", title="QA late", releases=["2026.1", "2026.2"],
    ...          likelihood=4, impact=4, probability=0.6, cost=80_000),
    ...     Risk(key="R-2", title="API sunset", releases=["2026.2"],
    ...          likelihood=3, impact=5, probability=0.3, cost=150_000)]
    >>> table = risk.rollup(register, by="release")
    >>> [(g.key, g.exposure, g.score) for g in table.groups]
    [('2026.2', 93000.0, 31), ('2026.1', 48000.0, 16)]
    >>> table.exposure
    93000.0
    """
    if by not in ("category", "owner", "release", "status"):
        msg = f"by: expected 'category', 'owner', 'release' or 'status', got {by!r}"
        raise InvalidInputError(msg)
    _counted(include)
    kept = _select(risks, only_open=only_open)
    _one_scale(kept)
    sized = [(item, _assess(item, basis, include)) for item in kept]
    members: dict[str | None, list[tuple[Risk, Assessment]]] = {}
    for item, assessment in sized:
        for key in _group_keys(item, by):
            members.setdefault(key, []).append((item, assessment))
    groups = [_total(key, rows) for key, rows in members.items()]
    groups.sort(key=lambda g: (-g.exposure, -g.score, g.key is None, g.key or ""))
    everything = _total(None, sized)
    return Rollup(
        by=by,
        basis=basis,
        groups=tuple(groups),
        risks=len(kept),
        exposure=everything.exposure,
        score=everything.score,
    )


def _group_keys(item: Risk, by: str) -> tuple[str | None, ...]:
    if by == "release":
        return item.releases or (None,)
    if by == "owner":
        return (item.owner,)
    return (str(getattr(item, by).value),)


def _total(key: str | None, rows: Sequence[tuple[Risk, Assessment]]) -> GroupTotal:
    exposures = [a.exposure for _, a in rows]
    scores = [a.score for _, a in rows]
    return GroupTotal(
        key=key,
        risks=len(rows),
        exposure=math.fsum(e for e in exposures if e is not None),
        score=sum(s for s in scores if s is not None),
        unpriced=sum(e is None for e in exposures),
        unscored=sum(s is None for s in scores),
        keys=tuple(item.key for item, _ in rows),
    )


# -- heat maps -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HeatMap(Tabular):
    """How many risks sit in each likelihood x impact cell.

    Attributes
    ----------
    scale : int
        Ranks on each axis.
    counts : tuple of tuple of int
        ``counts[l - 1][i - 1]``: risks with likelihood ``l`` and impact ``i``.
    keys : tuple of tuple of tuple of str
        The keys of those risks, cell by cell.
    skipped : tuple of str
        Keys of the risks not placed: unassessed, or on another scale.
    matrix : RiskMatrix or None
        The matrix that names the cells' bands, when one was given.

    Examples
    --------
    >>> from productops import Risk
    >>> from productops.scoring import risk
    >>> hm = risk.heatmap([Risk(key="R-1", title="t", scale=3, likelihood=3,
    ...                         impact=1)])
    >>> hm.count(likelihood=3, impact=1), hm.total
    (1, 1)
    """

    scale: int
    counts: tuple[tuple[int, ...], ...]
    keys: tuple[tuple[tuple[str, ...], ...], ...]
    skipped: tuple[str, ...] = ()
    matrix: RiskMatrix | None = None

    @property
    def total(self) -> int:
        """Risks placed on the map."""
        return sum(sum(row) for row in self.counts)

    def count(self, *, likelihood: int, impact: int) -> int:
        """Risks in one cell (ranks from 1).

        Raises
        ------
        InvalidInputError
            If a rank is outside ``1..scale``.
        """
        given: tuple[tuple[str, object], ...] = (
            ("likelihood", likelihood),
            ("impact", impact),
        )
        bad = [
            f"{name}: {value!r} is outside 1..{self.scale}"
            for name, value in given
            if not isinstance(value, int) or not 1 <= value <= self.scale
        ]
        if bad:
            raise InvalidInputError("; ".join(bad))
        return self.counts[likelihood - 1][impact - 1]

    def array(self) -> npt.NDArray[np.int64]:
        """Return the counts as a ``scale x scale`` array (row 0 = likelihood 1)."""
        return np.array(self.counts, dtype=np.int64)

    def band_counts(self) -> dict[str, int]:
        """Risks per band of `matrix`, from the least severe band.

        Raises
        ------
        InvalidInputError
            If the map was made without a matrix.

        Examples
        --------
        >>> import productops as po
        >>> from productops.scoring import risk
        >>> hm = risk.heatmap(po.datasets.load_demo().risks, matrix=risk.MATRIX_5X5)
        >>> hm.band_counts()
        {'low': 0, 'moderate': 4, 'high': 3, 'extreme': 2}
        """
        if self.matrix is None:
            msg = "band_counts: this heat map has no matrix; pass matrix= to heatmap"
            raise InvalidInputError(msg)
        totals = dict.fromkeys(self.matrix.order, 0)
        for row, bands in zip(self.counts, self.matrix.bands, strict=True):
            for count, band in zip(row, bands, strict=True):
                totals[band] += count
        return totals

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per cell: likelihood, impact, count, band (or None), keys.

        Examples
        --------
        >>> from productops import Risk
        >>> from productops.scoring import risk
        >>> hm = risk.heatmap([Risk(key="R-1", title="t", scale=3, likelihood=3,
        ...                         impact=1)], matrix=risk.MATRIX_3X3)
        >>> [r for r in hm.to_records() if r["count"]]
        [{'likelihood': 3, 'impact': 1, 'count': 1, 'band': 'medium', 'keys': 'R-1'}]
        """
        records = []
        for l_rank in range(1, self.scale + 1):
            for i_rank in range(1, self.scale + 1):
                band = (
                    None
                    if self.matrix is None
                    else self.matrix.bands[l_rank - 1][i_rank - 1]
                )
                records.append(
                    {
                        "likelihood": l_rank,
                        "impact": i_rank,
                        "count": self.counts[l_rank - 1][i_rank - 1],
                        "band": band,
                        "keys": ", ".join(self.keys[l_rank - 1][i_rank - 1]),
                    }
                )
        return records

    def __repr__(self) -> str:
        name = f", matrix={self.matrix.name!r}" if self.matrix is not None else ""
        return (
            f"HeatMap(scale={self.scale}, total={self.total}, "
            f"skipped={len(self.skipped)}{name})"
        )

    def __str__(self) -> str:
        if self.matrix is not None:
            rows_labels = list(self.matrix.likelihoods)
            columns = list(self.matrix.impacts)
        else:
            rows_labels = [str(n) for n in range(1, self.scale + 1)]
            columns = [str(n) for n in range(1, self.scale + 1)]
        rows = [
            (rows_labels[n], [str(c) if c else "." for c in self.counts[n]])
            for n in reversed(range(self.scale))
        ]
        return grid("likelihood \\ impact", columns, rows)

    def _repr_html_(self) -> str:
        if self.matrix is not None:
            likelihoods = list(self.matrix.likelihoods)
            impacts = list(self.matrix.impacts)
            order = list(self.matrix.order)
        else:
            likelihoods = impacts = [str(n) for n in range(1, self.scale + 1)]
            order = []
        cell = "padding:4px 10px;border:1px solid #fff;text-align:center"
        most = max((max(row) for row in self.counts), default=0)
        lines = [
            '<table style="border-collapse:collapse;font-size:0.9em">',
            f'<caption style="text-align:left;font-weight:bold">'
            f"{escape(repr(self))}</caption>",
        ]
        for n in reversed(range(self.scale)):
            cells = [
                f'<th style="{cell};text-align:right">{escape(likelihoods[n])}</th>'
            ]
            for m in range(self.scale):
                count = self.counts[n][m]
                if self.matrix is not None:
                    band = self.matrix.bands[n][m]
                    colour = _band_colour(order.index(band), len(order))
                    title = f"{band}: {', '.join(self.keys[n][m])}"
                else:
                    alpha = 0.15 + 0.6 * count / most if most and count else 0.05
                    colour = f"rgba(0,114,178,{alpha:.2f})"
                    title = ", ".join(self.keys[n][m])
                text = str(count) if count else ""
                cells.append(
                    f'<td style="{cell};background:{colour};font-weight:bold" '
                    f'title="{escape(title)}">{text}</td>'
                )
            lines.append("<tr>" + "".join(cells) + "</tr>")
        heads = "".join(f'<th style="{cell}">{escape(name)}</th>' for name in impacts)
        lines.append(f'<tr><th style="{cell}">likelihood / impact</th>{heads}</tr>')
        lines.append("</table>")
        if self.skipped:
            skipped = escape(", ".join(self.skipped))
            lines.append(f"<div>{len(self.skipped)} risks not placed: {skipped}</div>")
        return "".join(lines)


def _band_colour(index: int, bands: int) -> str:
    """Return a light status colour for band `index` of `bands` (least severe 0)."""
    if bands <= 1:
        return RAG_HEX["grey"] + "66"
    names = ("green", "amber", "red")
    step = round(index * (len(names) - 1) / (bands - 1))
    return RAG_HEX[names[step]] + "66"


def heatmap(
    risks: Iterable[Risk],
    *,
    scale: int | None = None,
    matrix: RiskMatrix | None = None,
    only_open: bool = True,
    basis: Basis = "inherent",
    include: Include = "done",
) -> HeatMap:
    """Count the risks in each likelihood x impact cell.

    Parameters
    ----------
    risks : iterable of Risk
        The register; keys must be unique.
    scale : int, optional
        Ranks per axis. Defaults to the matrix's size, else to the scale the
        assessed risks share.
    matrix : RiskMatrix, optional
        A square matrix whose bands name the cells (`HeatMap.band_counts`).
    only_open : bool, default True
        Keep only risks that can still hurt (`Risk.is_open`).
    basis : {"inherent", "residual"}, default "inherent"
        Place risks as assessed or as left after mitigations (`residual`).
    include : {"done", "not_dropped"}, default "done"
        With ``basis="residual"``, which mitigations count.

    Returns
    -------
    HeatMap
        Risks without likelihood and impact, or on another scale, are not
        placed but listed in `HeatMap.skipped`.

    Raises
    ------
    InvalidInputError
        If the matrix is not square or disagrees with `scale`, or no scale is
        given and the risks use several.

    Examples
    --------
    >>> import productops as po
    >>> from productops.scoring import risk
    >>> hm = risk.heatmap(po.datasets.load_demo().risks)
    >>> hm.total, hm.count(likelihood=3, impact=5)
    (9, 2)
    """
    _counted(include)
    if matrix is not None:
        rows, columns = matrix.shape
        if rows != columns:
            msg = f"matrix: a heat map needs a square matrix, got {rows}x{columns}"
            raise InvalidInputError(msg)
        if scale is not None and scale != rows:
            msg = f"scale: {scale} disagrees with the {rows}x{rows} matrix"
            raise InvalidInputError(msg)
        scale = rows
    kept = _select(risks, only_open=only_open)
    if scale is None:
        scales = sorted({r.scale for r in kept if r.likelihood is not None})
        if len(scales) > 1:
            msg = f"scale: the risks use scales {scales}; say which to map with scale="
            raise InvalidInputError(msg)
        scale = scales[0] if scales else 5
    size: object = scale
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        msg = f"scale: expected a whole number >= 1, got {size!r}"
        raise InvalidInputError(msg)
    cells: list[list[list[str]]] = [[[] for _ in range(scale)] for _ in range(scale)]
    skipped = []
    for item in kept:
        assessment = _assess(item, basis, include)
        if (
            item.scale != scale
            or assessment.likelihood is None
            or assessment.impact is None
        ):
            skipped.append(item.key)
            continue
        cells[assessment.likelihood - 1][assessment.impact - 1].append(item.key)
    return HeatMap(
        scale=scale,
        counts=tuple(tuple(len(cell) for cell in row) for row in cells),
        keys=tuple(tuple(tuple(cell) for cell in row) for row in cells),
        skipped=tuple(skipped),
        matrix=matrix,
    )


# -- burndown --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BurndownPoint:
    """The open risks at one moment.

    Attributes
    ----------
    as_of : datetime
        The moment.
    open : int
        Risks open then.
    exposure : float
        Their total probability x cost (risks without one count 0).
    score : int
        Their total likelihood x impact (unscored risks count 0).
    keys : tuple of str
        Their keys.

    Examples
    --------
    >>> from datetime import UTC, datetime
    >>> from productops.scoring import risk
    >>> risk.BurndownPoint(datetime(2026, 1, 1, tzinfo=UTC), 0, 0.0, 0, ()).open
    0
    """

    as_of: datetime
    open: int
    exposure: float
    score: int
    keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Burndown(Tabular):
    """Open exposure and score over time.

    Attributes
    ----------
    basis : {"inherent", "residual"}
        How risks were sized.
    points : tuple of BurndownPoint
        One per moment, oldest first.

    Examples
    --------
    >>> from datetime import UTC, datetime
    >>> from productops import Risk
    >>> from productops.scoring import risk
    >>> r = Risk(key="R-1", title="t", probability=0.5, cost=100,
    ...          raised_at="2026-01-05T00:00Z", status="closed",
    ...          closed_at="2026-02-01T00:00Z")
    >>> days = [datetime(2026, m, 15, tzinfo=UTC) for m in (1, 2)]
    >>> [p.exposure for p in risk.burndown([r], as_of=days).points]
    [50.0, 0.0]
    """

    basis: str
    points: tuple[BurndownPoint, ...]

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per moment: as_of, open, exposure, score, keys.

        Examples
        --------
        >>> from datetime import UTC, datetime
        >>> from productops.scoring import risk
        >>> risk.burndown([], as_of=[datetime(2026, 1, 1, tzinfo=UTC)]).to_records()
        [{'as_of': datetime.datetime(2026, 1, 1, 0, 0, tzinfo=datetime.timezone.utc), 'open': 0, 'exposure': 0.0, 'score': 0, 'keys': ''}]
        """  # noqa: E501  (doctest output is one line)
        return [
            {
                "as_of": p.as_of,
                "open": p.open,
                "exposure": p.exposure,
                "score": p.score,
                "keys": ", ".join(p.keys),
            }
            for p in self.points
        ]

    def __repr__(self) -> str:
        if not self.points:
            return f"<Burndown ({self.basis}): no points>"
        first, last = self.points[0], self.points[-1]
        return (
            f"<Burndown ({self.basis}): {len(self.points)} points "
            f"{first.as_of:%Y-%m-%d}..{last.as_of:%Y-%m-%d}; open {first.open} -> "
            f"{last.open}, exposure {first.exposure:,.0f} -> {last.exposure:,.0f}>"
        )

    def __str__(self) -> str:
        rows = [
            (
                p.as_of.date().isoformat(),
                [str(p.open), f"{p.exposure:,.0f}", str(p.score)],
            )
            for p in self.points
        ]
        return grid("as of", ["open", "exposure", "score"], rows)


def burndown(
    risks: Iterable[Risk],
    *,
    as_of: Sequence[datetime],
    basis: Basis = "inherent",
    include: Include = "done",
    undated: Literal["raise", "exclude"] = "raise",
) -> Burndown:
    """Total open exposure and score at each moment, from when risks opened and closed.

    A risk is open at ``t`` when it was raised at or before ``t``
    (`Risk.raised_at`; a risk without one counts as raised from the start)
    and had not yet closed (`Risk.closed_at`; an open risk has none). Each
    risk keeps its current size throughout: this shows risks coming and
    going, not their sizes changing. For that, keep a copy of the register
    per period and use `snapshot_burndown`.

    Parameters
    ----------
    risks : iterable of Risk
        The register, closed risks included; keys must be unique.
    as_of : sequence of datetime
        The moments, timezone-aware and strictly increasing (e.g. every
        Monday of the quarter).
    basis : {"inherent", "residual"}, default "inherent"
        Size risks as assessed or as left after mitigations (`residual`).
    include : {"done", "not_dropped"}, default "done"
        With ``basis="residual"``, which mitigations count.
    undated : {"raise", "exclude"}, default "raise"
        What to do with risks that are no longer open but have no
        `closed_at`, so nobody knows until when they counted: raise, naming
        them all, or leave them out of every point.

    Returns
    -------
    Burndown
        One `BurndownPoint` per moment, in order.

    Raises
    ------
    InvalidInputError
        If a moment is naive or out of order, a closed risk has no
        `closed_at` and `undated` is ``"raise"``, or scored risks use
        different scales.

    Examples
    --------
    >>> from datetime import UTC, datetime
    >>> from productops import Risk
    >>> from productops.scoring import risk
    >>> register = [
    ...     Risk(key="R-1", title="a", likelihood=4, impact=4,
    ...          raised_at="2026-01-02T09:00Z"),
    ...     Risk(key="R-2", title="b", likelihood=2, impact=5,
    ...          raised_at="2026-01-20T09:00Z", status="closed",
    ...          closed_at="2026-02-10T09:00Z")]
    >>> months = [datetime(2026, m, 1, tzinfo=UTC) for m in (1, 2, 3)]
    >>> [(p.open, p.score) for p in risk.burndown(register, as_of=months).points]
    [(0, 0), (2, 26), (1, 16)]
    """
    moments = _moments("as_of", as_of)
    if undated not in ("raise", "exclude"):
        msg = f"undated: expected 'raise' or 'exclude', got {undated!r}"
        raise InvalidInputError(msg)
    _counted(include)
    kept = _select(risks, only_open=False)
    _one_scale(kept)
    unknown = [r.key for r in kept if not r.is_open and r.closed_at is None]
    if unknown and undated == "raise":
        msg = (
            f"risks: {', '.join(unknown)} no longer open but without closed_at, so "
            "their end is unknown; set closed_at, or pass undated='exclude' to "
            "leave them out"
        )
        raise InvalidInputError(msg)
    undated_keys = set(unknown)
    dated = [r for r in kept if r.key not in undated_keys]
    sized = [(r, _assess(r, basis, include)) for r in dated]
    points = []
    for moment in moments:
        live = [
            (r, a)
            for r, a in sized
            if (r.raised_at is None or r.raised_at <= moment)
            and (r.closed_at is None or moment < r.closed_at)
        ]
        points.append(_point(moment, live))
    return Burndown(basis=basis, points=tuple(points))


def snapshot_burndown(
    snapshots: Mapping[datetime, Iterable[Risk]],
    *,
    basis: Basis = "inherent",
    include: Include = "done",
) -> Burndown:
    """Total open exposure and score per saved copy of the register.

    Use it when sizes change over time: keep the register as it stood at
    each review (a file per week, say) and pass them here. Each point adds up
    the risks open (`Risk.is_open`) in its copy.

    Parameters
    ----------
    snapshots : mapping of datetime to iterable of Risk
        Moment (timezone-aware) -> the register then. Sorted by moment.
    basis : {"inherent", "residual"}, default "inherent"
        Size risks as assessed or as left after mitigations (`residual`).
    include : {"done", "not_dropped"}, default "done"
        With ``basis="residual"``, which mitigations count.

    Returns
    -------
    Burndown
        One point per snapshot, oldest first.

    Raises
    ------
    InvalidInputError
        If a moment is naive, a snapshot repeats a key, or scored risks use
        different scales.

    Examples
    --------
    >>> from datetime import UTC, datetime
    >>> from productops import Risk
    >>> from productops.scoring import risk
    >>> week1 = [Risk(key="R-1", title="t", likelihood=4, impact=5)]
    >>> week2 = [Risk(key="R-1", title="t", likelihood=2, impact=5)]
    >>> result = risk.snapshot_burndown({
    ...     datetime(2026, 1, 5, tzinfo=UTC): week1,
    ...     datetime(2026, 1, 12, tzinfo=UTC): week2})
    >>> [p.score for p in result.points]
    [20, 10]
    """
    moments = _moments("snapshots", sorted(snapshots, key=_sort_key))
    _counted(include)
    points = []
    every: list[Risk] = []
    for moment in moments:
        kept = _select(snapshots[moment], only_open=True)
        every += kept
        points.append(_point(moment, [(r, _assess(r, basis, include)) for r in kept]))
    _one_scale(every)
    return Burndown(basis=basis, points=tuple(points))


def _sort_key(moment: Any) -> Any:
    # Naive or non-datetime keys must reach _moments, which names them.
    if isinstance(moment, datetime) and moment.utcoffset() is not None:
        return (0, moment.timestamp())
    return (1, 0.0)


def _moments(name: str, values: Sequence[Any]) -> list[datetime]:
    items = list(values)
    naive = [
        f"#{n} ({item!r})"
        for n, item in enumerate(items)
        if not isinstance(item, datetime) or item.utcoffset() is None
    ]
    if naive:
        msg = f"{name}: expected timezone-aware datetimes; not so at " + ", ".join(
            naive
        )
        raise InvalidInputError(msg)
    backwards = [
        f"#{n} ({items[n].isoformat()})"
        for n in range(1, len(items))
        if items[n] <= items[n - 1]
    ]
    if backwards:
        msg = f"{name}: moments must strictly increase; not so at " + ", ".join(
            backwards
        )
        raise InvalidInputError(msg)
    return items


def _point(moment: datetime, live: Sequence[tuple[Risk, Assessment]]) -> BurndownPoint:
    total = _total(None, live)
    return BurndownPoint(
        as_of=moment,
        open=total.risks,
        exposure=total.exposure,
        score=total.score,
        keys=total.keys,
    )
