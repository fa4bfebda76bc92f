"""Power/interest grid (Mendelow 1991) and a communication plan built on it."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from .._tabular import Tabular
from ..errors import InvalidInputError
from ..model import Cadence, Channel, Stakeholder

__all__ = [
    "COMMUNICATION_DEFAULTS",
    "CommunicationPlan",
    "CommunicationRow",
    "GridPlacement",
    "Quadrant",
    "StakeholderGrid",
    "communication_plan",
    "grid",
]

RATING_MIN = 1
RATING_MAX = 5


class Quadrant(enum.StrEnum):
    """A cell of the power/interest grid (Mendelow 1991).

    Examples
    --------
    >>> from productops import people
    >>> people.Quadrant.MANAGE_CLOSELY.value
    'manage_closely'
    """

    MANAGE_CLOSELY = "manage_closely"
    """High power, high interest: involve them and consult before deciding."""
    KEEP_SATISFIED = "keep_satisfied"
    """High power, low interest: keep content with concise updates."""
    KEEP_INFORMED = "keep_informed"
    """Low power, high interest: tell them regularly and in detail."""
    MONITOR = "monitor"
    """Low power, low interest: watch, with minimal effort."""


COMMUNICATION_DEFAULTS: Mapping[Quadrant, tuple[str, Channel, Cadence]] = (
    MappingProxyType(
        {
            Quadrant.MANAGE_CLOSELY: (
                "progress, risks and upcoming decisions; consulted before deciding",
                Channel.MEETING,
                Cadence.WEEKLY,
            ),
            Quadrant.KEEP_SATISFIED: (
                "executive summary: milestones, major risks, decisions needing them",
                Channel.EMAIL,
                Cadence.MONTHLY,
            ),
            Quadrant.KEEP_INFORMED: (
                "detailed progress, release notes and changes that affect them",
                Channel.SLACK,
                Cadence.WEEKLY,
            ),
            Quadrant.MONITOR: (
                "general newsletter or roadmap update",
                Channel.DOCUMENT,
                Cadence.QUARTERLY,
            ),
        }
    )
)
"""What each quadrant hears, through which channel and how often, by default.

``manage_closely``: progress, risks and decisions in a weekly meeting;
``keep_satisfied``: an executive summary by monthly email; ``keep_informed``:
detailed progress on Slack weekly; ``monitor``: a quarterly document.
"""


def _quadrant(*, influence: float, interest: float, threshold: float) -> Quadrant:
    high_power = influence >= threshold
    high_interest = interest >= threshold
    if high_power:
        return Quadrant.MANAGE_CLOSELY if high_interest else Quadrant.KEEP_SATISFIED
    return Quadrant.KEEP_INFORMED if high_interest else Quadrant.MONITOR


@dataclass(frozen=True, slots=True)
class GridPlacement:
    """Where one stakeholder sits on the power/interest grid.

    Attributes
    ----------
    stakeholder : str
        The stakeholder's key.
    name : str
        Their name.
    influence : int
        Power over the outcome, 1-5 (`Stakeholder.influence`).
    interest : int
        Interest in the outcome, 1-5 (`Stakeholder.interest`).
    quadrant : Quadrant
        Their cell.

    Examples
    --------
    >>> import productops as po
    >>> placement = po.people.grid(po.datasets.load_demo().stakeholders).placements[0]
    >>> isinstance(placement.quadrant, po.people.Quadrant)
    True
    """

    stakeholder: str
    name: str
    influence: int
    interest: int
    quadrant: Quadrant

    def __repr__(self) -> str:
        return (
            f"GridPlacement({self.stakeholder!r}, influence={self.influence}, "
            f"interest={self.interest}, {self.quadrant.value})"
        )


@dataclass(frozen=True, slots=True)
class StakeholderGrid(Tabular):
    """Every stakeholder's place on the power/interest grid.

    Attributes
    ----------
    placements : tuple of GridPlacement
        One per stakeholder, in input order.
    threshold : float
        Ratings at or above it count as high.

    Examples
    --------
    >>> import productops as po
    >>> board = po.people.grid(po.datasets.load_demo().stakeholders)
    >>> groups = board.by_quadrant().values()
    >>> sum(len(group) for group in groups) == len(board.placements)
    True
    """

    placements: tuple[GridPlacement, ...]
    threshold: float

    def __repr__(self) -> str:
        counts = ", ".join(
            f"{q.value} {len(keys)}" for q, keys in self.by_quadrant().items()
        )
        return f"StakeholderGrid(threshold={self.threshold:g}: {counts})"

    def quadrant_of(self, stakeholder: str) -> Quadrant:
        """Return the quadrant of the stakeholder with key `stakeholder`.

        Raises
        ------
        KeyError
            If no placement has that key.
        """
        for placement in self.placements:
            if placement.stakeholder == stakeholder:
                return placement.quadrant
        raise KeyError(stakeholder)

    def by_quadrant(self) -> dict[Quadrant, tuple[str, ...]]:
        """Return the stakeholder keys in each quadrant (all four, in enum order)."""
        return {
            q: tuple(p.stakeholder for p in self.placements if p.quadrant is q)
            for q in Quadrant
        }

    def to_records(self) -> list[dict[str, Any]]:
        """Return one dict per stakeholder with plain values."""
        return [
            {
                "stakeholder": p.stakeholder,
                "name": p.name,
                "influence": p.influence,
                "interest": p.interest,
                "quadrant": p.quadrant.value,
            }
            for p in self.placements
        ]


def _check_threshold(threshold: float) -> None:
    if not RATING_MIN <= threshold <= RATING_MAX:
        msg = (
            f"threshold must lie on the 1-5 rating scale (inclusive), got {threshold!r}"
        )
        raise InvalidInputError(msg)


def _check_unique(stakeholders: Iterable[Stakeholder], where: str) -> list[Stakeholder]:
    listed = list(stakeholders)
    seen: set[str] = set()
    duplicates: list[str] = []
    for s in listed:
        if s.key in seen and s.key not in duplicates:
            duplicates.append(s.key)
        seen.add(s.key)
    if duplicates:
        msg = f"{where}: stakeholder keys must be unique; repeated: " + ", ".join(
            duplicates
        )
        raise InvalidInputError(msg)
    return listed


def grid(
    stakeholders: Iterable[Stakeholder], *, threshold: float = 3
) -> StakeholderGrid:
    """Place stakeholders on Mendelow's power/interest grid.

    Power is `Stakeholder.influence` and interest is `Stakeholder.interest`,
    both rated 1 (low) to 5 (high). A rating counts as *high* when it is at or
    above `threshold`; the default 3 is the midpoint of the scale, so a
    stakeholder rated exactly on the boundary counts as high.

    ============  ===============  ================
    power         high interest    low interest
    ============  ===============  ================
    high          manage_closely   keep_satisfied
    low           keep_informed    monitor
    ============  ===============  ================

    Parameters
    ----------
    stakeholders : iterable of Stakeholder
        Keys must be unique.
    threshold : float, default 3
        Lowest rating that counts as high, within ``[1, 5]``.

    Returns
    -------
    StakeholderGrid
        One placement per stakeholder, in input order.

    Raises
    ------
    InvalidInputError
        If `threshold` is outside ``[1, 5]`` or a key repeats.

    References
    ----------
    Mendelow, A. (1991). "Environmental Scanning: The Impact of the Stakeholder
    Concept". Proceedings of the 2nd International Conference on Information
    Systems, Cambridge, MA.

    Examples
    --------
    >>> from productops import people
    >>> from productops.datasets import load_demo
    >>> result = people.grid(load_demo().stakeholders)
    >>> result.quadrant_of("helen.brandt")  # CFO: influence 5, interest 2
    <Quadrant.KEEP_SATISFIED: 'keep_satisfied'>
    >>> result.by_quadrant()[people.Quadrant.KEEP_INFORMED]
    ('lena.vogel', 'priya.nair', 'tomasz.nowak')
    >>> people.grid(load_demo().stakeholders, threshold=4).quadrant_of("mei.chen")
    <Quadrant.MONITOR: 'monitor'>
    """
    _check_threshold(threshold)
    listed = _check_unique(stakeholders, "grid")
    return StakeholderGrid(
        placements=tuple(
            GridPlacement(
                stakeholder=s.key,
                name=s.name,
                influence=s.influence,
                interest=s.interest,
                quadrant=_quadrant(
                    influence=s.influence, interest=s.interest, threshold=threshold
                ),
            )
            for s in listed
        ),
        threshold=threshold,
    )


@dataclass(frozen=True, slots=True)
class CommunicationRow:
    """Who hears what, through which channel, how often.

    Attributes
    ----------
    stakeholder : str
        The stakeholder's key.
    name : str
        Their name.
    quadrant : Quadrant
        Their grid cell.
    message : str
        What they hear.
    channel : Channel
        Through which channel.
    cadence : Cadence
        How often.
    channel_source : str
        ``"stakeholder"`` when the channel is the stakeholder's own preference,
        ``"default"`` when it is the quadrant's default.

    Examples
    --------
    >>> import productops as po
    >>> plan = po.people.communication_plan(po.datasets.load_demo().stakeholders)
    >>> plan.rows[0].channel_source in ("stakeholder", "default")
    True
    """

    stakeholder: str
    name: str
    quadrant: Quadrant
    message: str
    channel: Channel
    cadence: Cadence
    channel_source: str

    def __repr__(self) -> str:
        return (
            f"CommunicationRow({self.stakeholder!r}, {self.quadrant.value}, "
            f"{self.channel.value} {self.cadence.value})"
        )


@dataclass(frozen=True, slots=True)
class CommunicationPlan(Tabular):
    """A communication plan: one row per stakeholder.

    Attributes
    ----------
    rows : tuple of CommunicationRow
        In input order.

    Examples
    --------
    >>> import productops as po
    >>> plan = po.people.communication_plan(po.datasets.load_demo().stakeholders)
    >>> len(plan.to_records()) == len(plan.rows)
    True
    """

    rows: tuple[CommunicationRow, ...]

    def __repr__(self) -> str:
        return f"CommunicationPlan({len(self.rows)} stakeholders)"

    def groups(self) -> list[tuple[Quadrant, Channel, Cadence, tuple[str, ...]]]:
        """Group the stakeholders who hear the same way.

        One row per quadrant, channel and cadence, with the names in plan
        order; rows come in grid order (manage closely first), then by channel and
        cadence.

        Examples
        --------
        >>> import productops as po
        >>> plan = po.people.communication_plan(po.datasets.load_demo().stakeholders)
        >>> quadrant, channel, cadence, names = plan.groups()[0]
        >>> quadrant.value, len(names) >= 1
        ('manage_closely', True)
        """
        found: dict[tuple[Quadrant, Channel, Cadence], list[str]] = {}
        for row in self.rows:
            found.setdefault((row.quadrant, row.channel, row.cadence), []).append(
                row.name
            )
        order = list(Quadrant)
        cells = sorted(
            found,
            key=lambda c: (order.index(c[0]), c[1].value, c[2].value),
        )
        return [(*cell, tuple(found[cell])) for cell in cells]

    def to_records(self) -> list[dict[str, Any]]:
        """Return one dict per stakeholder with plain values."""
        return [
            {
                "stakeholder": r.stakeholder,
                "name": r.name,
                "quadrant": r.quadrant.value,
                "message": r.message,
                "channel": r.channel.value,
                "cadence": r.cadence.value,
                "channel_source": r.channel_source,
            }
            for r in self.rows
        ]


def communication_plan(
    stakeholders: Iterable[Stakeholder],
    *,
    threshold: float = 3,
    messages: Mapping[Quadrant, str] | None = None,
    channels: Mapping[Quadrant, Channel] | None = None,
    cadences: Mapping[Quadrant, Cadence] | None = None,
    use_preferences: bool = True,
) -> CommunicationPlan:
    """Plan who hears what, through which channel, how often.

    Each stakeholder is placed with `grid` and gets their quadrant's message and
    cadence. The channel is the stakeholder's own `Stakeholder.channel` when
    it was set on the record (and `use_preferences` is true); otherwise the
    quadrant's channel. Defaults per quadrant (`COMMUNICATION_DEFAULTS`):

    - ``manage_closely``: progress, risks and upcoming decisions; meeting, weekly.
    - ``keep_satisfied``: executive summary; email, monthly.
    - ``keep_informed``: detailed progress and release notes; slack, weekly.
    - ``monitor``: general newsletter or roadmap update; document, quarterly.

    Parameters
    ----------
    stakeholders : iterable of Stakeholder
        Keys must be unique.
    threshold : float, default 3
        Lowest rating that counts as high; see `grid`.
    messages, channels, cadences : mapping of Quadrant, optional
        Override the defaults for some quadrants; the others keep theirs.
    use_preferences : bool, default True
        Use each stakeholder's own channel when it is set on the record.

    Returns
    -------
    CommunicationPlan
        One row per stakeholder, in input order.

    Raises
    ------
    InvalidInputError
        If `threshold` is outside ``[1, 5]`` or a key repeats.

    See Also
    --------
    grid : the power/interest grid (Mendelow 1991).

    Examples
    --------
    >>> from productops import people
    >>> from productops.datasets import load_demo
    >>> plan = people.communication_plan(load_demo().stakeholders)
    >>> row = plan.rows[2]  # the CFO
    >>> (row.stakeholder, row.quadrant.value, row.channel.value, row.cadence.value)
    ('helen.brandt', 'keep_satisfied', 'email', 'monthly')
    >>> from productops.model import Stakeholder
    >>> new = Stakeholder(key="cto", name="Ana Lima", influence=5, interest=5)
    >>> people.communication_plan([new]).rows[0]
    CommunicationRow('cto', manage_closely, meeting weekly)
    """
    listed = _check_unique(stakeholders, "communication_plan")
    placed = grid(listed, threshold=threshold)
    rows: list[CommunicationRow] = []
    for s, placement in zip(listed, placed.placements, strict=True):
        quadrant = placement.quadrant
        default_message, default_channel, default_cadence = COMMUNICATION_DEFAULTS[
            quadrant
        ]
        own = use_preferences and "channel" in s.model_fields_set
        fallback = (channels or {}).get(quadrant, default_channel)
        channel = s.channel if own else fallback
        rows.append(
            CommunicationRow(
                stakeholder=s.key,
                name=s.name,
                quadrant=quadrant,
                message=(messages or {}).get(quadrant, default_message),
                channel=channel,
                cadence=(cadences or {}).get(quadrant, default_cadence),
                channel_source="stakeholder" if own else "default",
            )
        )
    return CommunicationPlan(rows=tuple(rows))
