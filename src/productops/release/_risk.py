"""The risks threatening one release, rolled up (built on `productops.scoring.risk`).

`release_risks` selects the risks linked to a release (`Risk.releases`) that are
open, sorts them by exposure and totals them with the register functions of
`productops.scoring.risk` (`rollup`, `residual`, `heatmap`); nothing here
re-implements a score.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from .._tabular import Tabular
from ..errors import InvalidInputError
from ..model import Release, Risk
from ..scoring import risk as scoring

__all__ = ["ReleaseRiskRollup", "RiskLine", "open_at", "release_risks"]

Basis = Literal["inherent", "residual"]

_DEFAULT_MATRICES = {3: scoring.MATRIX_3X3, 5: scoring.MATRIX_5X5}


def open_at(risk: Risk, as_of: datetime | None) -> bool:
    """Return whether `risk` could still hurt at `as_of` (now, without it).

    Without `as_of` this is `Risk.is_open`. With it, a risk counts as open if
    it had been raised by then (or has no `raised_at`) and is either open now
    or was closed after `as_of` (`closed_at`). A risk that is no longer open
    and has no `closed_at` counts as closed, since when it closed is unknown.

    Parameters
    ----------
    risk : Risk
        The risk.
    as_of : datetime or None
        The moment; timezone-aware.

    Returns
    -------
    bool
        Whether it was open.

    Examples
    --------
    >>> from datetime import UTC, datetime
    >>> r = Risk(key="R-1", title="t", status="closed",
    ...          raised_at="2026-01-01T00:00Z", closed_at="2026-03-01T00:00Z")
    >>> open_at(r, None), open_at(r, datetime(2026, 2, 1, tzinfo=UTC))
    (False, True)
    """
    if as_of is None:
        return risk.is_open
    if risk.raised_at is not None and risk.raised_at > as_of:
        return False
    return risk.is_open or (risk.closed_at is not None and risk.closed_at > as_of)


@dataclass(frozen=True, slots=True)
class RiskLine:
    """One open risk of a release with its sizes.

    Attributes
    ----------
    key, title : str
        The risk.
    status : str
        Its `RiskStatus` value.
    band : str or None
        Its band on the matrix (inherent likelihood x impact); ``None`` when
        it has no likelihood and impact.
    score : int or None
        Likelihood x impact on the chosen basis.
    exposure : float or None
        Probability x cost on the chosen basis.
    inherent_exposure, residual_exposure : float or None
        Probability x cost as assessed, and as left after the mitigations
        that are done (`productops.scoring.risk.residual`).

    Examples
    --------
    >>> line = RiskLine("R-1", "t", "open", "high", 12, 500.0, 500.0, 100.0)
    >>> line.band
    'high'
    """

    key: str
    title: str
    status: str
    band: str | None
    score: int | None
    exposure: float | None
    inherent_exposure: float | None
    residual_exposure: float | None


@dataclass(frozen=True, slots=True)
class ReleaseRiskRollup(Tabular):
    """The open risks of one release, largest exposure first, with totals.

    Attributes
    ----------
    release : str
        The release key.
    basis : {"inherent", "residual"}
        Which sizes order `lines` and fill `exposure` and `score`.
    as_of : datetime or None
        The moment the risks were judged open at (``None``: their status now).
    lines : tuple of RiskLine
        The open risks, by exposure (largest first; unpriced last), then
        score, then key.
    exposure : float
        Total exposure on `basis` (sum over risks with probability and cost).
    inherent_exposure, residual_exposure : float
        Total exposure as assessed and after done mitigations.
    score : int
        Total likelihood x impact on `basis`.
    bands : tuple of (str, int)
        Risks per band of the matrix, least severe band first (`basis`
        placement, `productops.scoring.risk.heatmap`).
    top : tuple of str
        Keys of the largest risks (the first `lines`).
    unpriced : tuple of str
        Open risks without probability and cost (not in the exposures).
    unscored : tuple of str
        Open risks without likelihood and impact (not in `score` or `bands`).
    unassessed : tuple of str
        Open risks with neither assessment.
    excluded : tuple of str
        Risks linked to the release that are not open (closed, occurred, or
        not yet raised at `as_of`).

    Examples
    --------
    >>> r = release_risks("2026.2", [Risk(key="R-1", title="Vendor late",
    ...     releases=["2026.2"], likelihood=4, impact=4, probability=0.5,
    ...     cost=10_000)])
    >>> r
    <ReleaseRiskRollup 2026.2: 1 open risk, exposure 5,000 (inherent), top R-1>
    """

    release: str
    basis: str
    as_of: datetime | None
    lines: tuple[RiskLine, ...]
    exposure: float
    inherent_exposure: float
    residual_exposure: float
    score: int
    bands: tuple[tuple[str, int], ...]
    top: tuple[str, ...]
    unpriced: tuple[str, ...]
    unscored: tuple[str, ...]
    unassessed: tuple[str, ...]
    excluded: tuple[str, ...]

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per open risk, in `lines` order, for a data frame.

        Examples
        --------
        >>> r = release_risks("2026.2", [Risk(key="R-1", title="t",
        ...     releases=["2026.2"], likelihood=2, impact=2)])
        >>> r.to_records()[0]["band"]
        'moderate'
        """
        return [
            {
                "release": self.release,
                "key": line.key,
                "title": line.title,
                "status": line.status,
                "band": line.band,
                "score": line.score,
                "exposure": line.exposure,
                "inherent_exposure": line.inherent_exposure,
                "residual_exposure": line.residual_exposure,
            }
            for line in self.lines
        ]

    def __repr__(self) -> str:
        count = len(self.lines)
        plural = "" if count == 1 else "s"
        top = f", top {', '.join(self.top)}" if self.top else ""
        return (
            f"<ReleaseRiskRollup {self.release}: {count} open risk{plural}, "
            f"exposure {self.exposure:,.0f} ({self.basis}){top}>"
        )


def _matrix_for(
    kept: list[Risk], matrix: scoring.RiskMatrix | None
) -> scoring.RiskMatrix | None:
    if matrix is not None:
        return matrix
    scales = sorted({r.scale for r in kept if r.likelihood is not None})
    if not scales:
        return None
    if len(scales) > 1 or scales[0] not in _DEFAULT_MATRICES:
        msg = (
            f"matrix: no default matrix for the scales {scales} of the release's "
            "risks; pass matrix=RiskMatrix(...) (and risks of one scale)"
        )
        raise InvalidInputError(msg)
    return _DEFAULT_MATRICES[scales[0]]


def release_risks(
    release: Release | str,
    risks: Iterable[Risk],
    *,
    basis: Basis = "inherent",
    as_of: datetime | None = None,
    top: int = 3,
    matrix: scoring.RiskMatrix | None = None,
) -> ReleaseRiskRollup:
    """Roll up the open risks that threaten one release.

    A risk threatens the release when the release key is in `Risk.releases`.
    It is open when `open_at` says so. Totals come from
    `productops.scoring.risk.rollup` (inherent and residual), band counts from
    `productops.scoring.risk.heatmap`, residual sizes from
    `productops.scoring.risk.residual` (done mitigations only).

    Parameters
    ----------
    release : Release or str
        The release or its key.
    risks : iterable of Risk
        The register (e.g. ``workspace.risks``); keys must be unique.
    basis : {"inherent", "residual"}, default "inherent"
        Size and order the risks as assessed, or as left after done
        mitigations.
    as_of : datetime, optional
        Judge openness at this moment (see `open_at`); default: the risks'
        status now.
    top : int, default 3
        How many keys `ReleaseRiskRollup.top` lists.
    matrix : RiskMatrix, optional
        The matrix naming the bands; default ``MATRIX_5X5`` for scale 5 and
        ``MATRIX_3X3`` for scale 3.

    Returns
    -------
    ReleaseRiskRollup
        The open risks by exposure, totals, band counts and gaps.

    Raises
    ------
    InvalidInputError
        Listing every bad argument: an unknown `basis`, a naive `as_of`, a
        negative `top`; also for duplicate risk keys, open risks on
        different scales, or a scale without a default matrix.

    Examples
    --------
    >>> from productops.datasets import load_demo
    >>> ws = load_demo()
    >>> r = release_risks("2026.2", ws.risks)
    >>> r.top, r.inherent_exposure, r.residual_exposure
    (('R-1', 'R-2', 'R-3'), 118000.0, 118000.0)
    >>> dict(r.bands), r.excluded
    ({'low': 0, 'moderate': 2, 'high': 0, 'extreme': 2}, ('R-4',))
    """
    key = release.key if isinstance(release, Release) else release
    problems = []
    if basis not in ("inherent", "residual"):
        problems.append(f"basis: expected 'inherent' or 'residual', got {basis!r}")
    if as_of is not None and as_of.tzinfo is None:
        problems.append(
            f"as_of: {as_of.isoformat()} is naive; give a timezone-aware datetime"
        )
    size: object = top
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        problems.append(f"top: expected a whole number >= 0, got {top!r}")
    if problems:
        raise InvalidInputError("; ".join(problems))
    given = list(risks)
    # rollup validates the records (types, unique keys) for the whole register.
    scoring.rollup(given, by="release", only_open=False)
    linked = [r for r in given if key in r.releases]
    kept = [r for r in linked if open_at(r, as_of)]
    excluded = tuple(r.key for r in linked if not open_at(r, as_of))
    inherent = scoring.rollup(kept, by="release", only_open=False, basis="inherent")
    residual = scoring.rollup(kept, by="release", only_open=False, basis="residual")
    chosen = inherent if basis == "inherent" else residual
    grid = _matrix_for(kept, matrix)
    bands: tuple[tuple[str, int], ...] = ()
    if grid is not None:
        heat = scoring.heatmap(kept, matrix=grid, only_open=False, basis=basis)
        bands = tuple(heat.band_counts().items())
    lines = []
    for item in kept:
        own = scoring.Assessment.of(item)
        left = scoring.residual(item)
        sized = own if basis == "inherent" else left
        lines.append(
            RiskLine(
                key=item.key,
                title=item.title,
                status=item.status.value,
                band=item.rating(matrix=grid) if grid is not None else None,
                score=sized.score,
                exposure=sized.exposure,
                inherent_exposure=own.exposure,
                residual_exposure=left.exposure,
            )
        )
    lines.sort(
        key=lambda line: (
            line.exposure is None,
            -(line.exposure or 0.0),
            -(line.score or 0),
            line.key,
        )
    )
    return ReleaseRiskRollup(
        release=key,
        basis=basis,
        as_of=as_of,
        lines=tuple(lines),
        exposure=chosen.exposure,
        inherent_exposure=inherent.exposure,
        residual_exposure=residual.exposure,
        score=chosen.score,
        bands=bands,
        top=tuple(line.key for line in lines[:top]),
        unpriced=tuple(r.key for r in kept if r.expected_cost is None),
        unscored=tuple(r.key for r in kept if r.score is None),
        unassessed=tuple(
            r.key for r in kept if r.expected_cost is None and r.score is None
        ),
        excluded=excluded,
    )
