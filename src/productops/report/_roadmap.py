"""Roadmap pictures: a Now / Next / Later board and a quarter timeline.

Both read `Initiative` records (``horizon``, ``target_quarter``, ``status``,
``team``) and, for the timeline, `Release` records. Initiatives that cannot be
placed are shown in an "Unplanned" column or listed in a note, never dropped.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal, cast

from ..errors import InvalidInputError
from ..model import Horizon, Initiative, InitiativeStatus, Release
from ._style import OKABE_ITO, axes, palette

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["STATUS_COLOURS", "roadmap_board", "roadmap_timeline"]

COLUMNS: tuple[str, ...] = ("Now", "Next", "Later", "Unplanned")
"""The board's columns, left to right."""

STATUS_COLOURS: Mapping[InitiativeStatus, str] = {
    InitiativeStatus.IDEA: "#999999",
    InitiativeStatus.PLANNED: OKABE_ITO[5],
    InitiativeStatus.IN_PROGRESS: OKABE_ITO[1],
    InitiativeStatus.DONE: OKABE_ITO[2],
    InitiativeStatus.DROPPED: "#CCCCCC",
}
"""Card colour per initiative status (Okabe-Ito, greys for idea and dropped)."""

_HORIZON_COLUMN = {Horizon.NOW: "Now", Horizon.NEXT: "Next", Horizon.LATER: "Later"}
_OPEN = (InitiativeStatus.IDEA, InitiativeStatus.PLANNED, InitiativeStatus.IN_PROGRESS)
_CARD_WIDTH = 22
_CARD_LINES = 3
_ROW_LABEL = 34


def _quarter_index(quarter: str) -> int:
    """``"2026-Q3"`` -> a running quarter number (year * 4 + quarter - 1)."""
    year, number = quarter.split("-Q")
    return int(year) * 4 + int(number) - 1


def _quarter_of(day: date) -> int:
    return day.year * 4 + (day.month - 1) // 3


def _quarter_start(index: int) -> date:
    return date(index // 4, 3 * (index % 4) + 1, 1)


def _quarter_name(index: int) -> str:
    return f"{index // 4}-Q{index % 4 + 1}"


def _shorten(text: str, width: int) -> str:
    """`text` cut to `width` characters, ending in "…" when cut."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _card_text(
    title: str, *, width: int = _CARD_WIDTH, lines: int = _CARD_LINES
) -> str:
    """Wrap `title` to `lines` lines of `width`; the last one ends in "…" if cut.

    Examples
    --------
    >>> print(_card_text("Strong Customer Authentication (PSD2 SCA) for every "
    ...                  "card payment in the EU", width=20, lines=2))
    Strong Customer
    Authentication (PSD…
    """
    wrapped = textwrap.wrap(title, width) or [""]
    if len(wrapped) <= lines:
        return "\n".join(wrapped)
    kept = wrapped[: lines - 1]
    rest = " ".join(wrapped[lines - 1 :])
    return "\n".join([*kept, _shorten(rest + " ", width).rstrip()])


def _check_as_of(as_of: date | None, problems: list[str]) -> None:
    if isinstance(as_of, datetime) and as_of.tzinfo is None:
        problems.append(
            f"as_of: {as_of.isoformat()} is a naive datetime; give a time zone "
            "(e.g. tzinfo=datetime.UTC) or pass a date"
        )


def _check_keys(records: Sequence[Initiative], problems: list[str]) -> None:
    seen: set[str] = set()
    twice: list[str] = []
    for record in records:
        if record.key in seen and record.key not in twice:
            twice.append(record.key)
        seen.add(record.key)
    if twice:
        problems.append(f"initiatives: keys listed twice {twice}")


def _raise(problems: list[str]) -> None:
    if problems:
        msg = "; ".join(problems)
        raise InvalidInputError(msg)


def _ranked(
    records: Sequence[Initiative],
    order: Sequence[str] | Mapping[str, float] | None,
    problems: list[str],
) -> list[Initiative]:
    """Sort `records` by `order`; unranked ones after, in input order."""
    if order is None:
        return list(records)
    keys = {record.key for record in records}
    if isinstance(order, Mapping):
        unknown = [key for key in order if key not in keys]
        score = {key: -float(value) for key, value in order.items()}
    elif isinstance(order, str):
        problems.append("order: give a list of keys or a mapping, not one string")
        return list(records)
    else:
        unknown = [key for key in order if key not in keys]
        score = {key: float(rank) for rank, key in reversed(list(enumerate(order)))}
    if unknown:
        problems.append(f"order: keys {unknown} are not initiatives")
    position = {record.key: i for i, record in enumerate(records)}
    return sorted(
        records,
        key=lambda r: (r.key not in score, score.get(r.key, 0.0), position[r.key]),
    )


def _columns(
    records: Sequence[Initiative],
    by: str,
    as_of: date | None,
    problems: list[str],
) -> tuple[dict[str, list[Initiative]], str | None]:
    """Group `records` into the board columns; also the reference quarter."""
    columns: dict[str, list[Initiative]] = {name: [] for name in COLUMNS}
    if by == "horizon":
        for record in records:
            name = _HORIZON_COLUMN[record.horizon] if record.horizon else "Unplanned"
            columns[name].append(record)
        return columns, None
    if as_of is not None:
        current = _quarter_of(as_of)
    else:
        open_quarters = [
            _quarter_index(r.target_quarter)
            for r in records
            if r.target_quarter is not None and r.status in _OPEN
        ]
        if not open_quarters:
            problems.append(
                "as_of: no open initiative has a target_quarter to derive the "
                "current quarter from; pass as_of"
            )
            return columns, None
        current = min(open_quarters)
    for record in records:
        if record.target_quarter is None:
            columns["Unplanned"].append(record)
            continue
        ahead = _quarter_index(record.target_quarter) - current
        columns["Now" if ahead <= 0 else "Next" if ahead == 1 else "Later"].append(
            record
        )
    return columns, _quarter_name(current)


def roadmap_board(
    initiatives: Iterable[Initiative],
    *,
    ax: Axes | None = None,
    title: str | None = None,
    by: Literal["horizon", "quarter"] = "horizon",
    as_of: date | None = None,
    order: Sequence[str] | Mapping[str, float] | None = None,
    max_cards: int = 8,
) -> Figure:
    """Draw a Now / Next / Later board with one card per initiative.

    Columns, left to right: Now, Next, Later and Unplanned, each headed with its
    count. With ``by="horizon"`` the column is `Initiative.horizon`, and
    initiatives without one go to Unplanned. With ``by="quarter"`` it is the
    `Initiative.target_quarter` relative to the quarter of `as_of`: that
    quarter or earlier (overdue or already done) is Now, the next quarter is
    Next, anything later is Later, and no target quarter is Unplanned.

    Each card shows the title (wrapped to three lines, cut with "…") on its
    status colour (`STATUS_COLOURS`, with a legend). A column shows at most
    `max_cards` cards and then "+N more".

    Parameters
    ----------
    initiatives : iterable of Initiative
        Every initiative is counted in exactly one column.
    ax : matplotlib Axes, optional
        Draw here; by default on a new figure.
    title : str, optional
        Default ``"Roadmap"`` (``"Roadmap from 2026-Q2"`` by quarter).
    by : {"horizon", "quarter"}, default "horizon"
        Where the columns come from.
    as_of : date or aware datetime, optional
        Only for ``by="quarter"``: its quarter is "Now". Default: the earliest
        target quarter of an open (idea, planned, in-progress) initiative.
    order : sequence of keys or mapping of key to score, optional
        Card order within a column: the list's order, or the score, highest
        first (e.g. ``{i.key: i.rice() for i in ...}``). Initiatives not in
        `order` follow, in input order. Default: input order.
    max_cards : int, default 8
        Cards per column before "+N more".

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    InvalidInputError
        Naming every problem: `by` unknown, `max_cards` below 1, a naive
        `as_of`, keys in `order` that are not initiatives, duplicate
        initiative keys, or no quarter to derive `as_of` from.

    Examples
    --------
    >>> from productops import datasets
    >>> from productops.report._roadmap import roadmap_board
    >>> ws = datasets.load_demo()
    >>> ax = roadmap_board(ws.initiatives, max_cards=6).axes[0]
    >>> [t.get_text() for t in ax.texts if t.get_gid() == "header"]
    ['Now (5)', 'Next (8)', 'Later (8)', 'Unplanned (19)']
    >>> [t.get_text() for t in ax.texts if t.get_gid() == "more"]
    ['+2 more', '+2 more', '+13 more']
    """
    records = list(initiatives)
    problems: list[str] = []
    if by not in ("horizon", "quarter"):
        problems.append(f"by: {by!r} is not 'horizon' or 'quarter'")
    if max_cards < 1:
        problems.append(f"max_cards: {max_cards} is below 1")
    _check_as_of(as_of, problems)
    _check_keys(records, problems)
    ranked = _ranked(records, order, problems)
    _raise(problems)
    columns, current = _columns(ranked, by, as_of, problems)
    _raise(problems)

    from matplotlib.patches import FancyBboxPatch, Patch

    rows = min(max_cards, max(len(cards) for cards in columns.values()))
    overflow = any(len(cards) > max_cards for cards in columns.values())
    height = rows + (1 if overflow else 0)
    pitch = 1.1
    with axes(ax, size=(12.0, 1.4 + 0.62 * height)) as (figure, target):
        for c, name in enumerate(COLUMNS):
            cards = columns[name]
            x = c * pitch
            header = target.text(
                x + 0.5,
                0.25,
                f"{name} ({len(cards)})",
                ha="center",
                va="center",
                fontsize=11,
                fontweight="bold",
            )
            header.set_gid("header")
            for j, record in enumerate(cards[:max_cards]):
                top = -j - 0.1
                colour = STATUS_COLOURS[record.status]
                card = FancyBboxPatch(
                    (x + 0.03, top - 0.85),
                    0.94,
                    0.85,
                    boxstyle="round,pad=0,rounding_size=0.06",
                    facecolor=colour,
                    edgecolor=colour,
                    alpha=0.45,
                    linewidth=1.2,
                )
                card.set_gid(f"card:{record.key}")
                target.add_patch(card)
                text = target.text(
                    x + 0.5,
                    top - 0.425,
                    _card_text(record.title),
                    ha="center",
                    va="center",
                    fontsize=7.5,
                    linespacing=1.1,
                )
                text.set_gid(f"title:{record.key}")
            if len(cards) > max_cards:
                more = target.text(
                    x + 0.5,
                    -max_cards - 0.45,
                    f"+{len(cards) - max_cards} more",
                    ha="center",
                    va="center",
                    fontsize=9,
                    color="#555555",
                )
                more.set_gid("more")
        shown = [s for s in InitiativeStatus if any(r.status is s for r in records)]
        target.legend(
            handles=[
                Patch(
                    facecolor=STATUS_COLOURS[s],
                    alpha=0.45,
                    label=s.value.replace("_", " "),
                )
                for s in shown
            ],
            loc="upper center",
            bbox_to_anchor=(0.5, 0.0),
            ncols=max(len(shown), 1),
        )
        target.set_xlim(-0.05, len(COLUMNS) * pitch)
        target.set_ylim(-height - 0.1, 0.6)
        target.set_axis_off()
        default = "Roadmap" if current is None else f"Roadmap from {current}"
        target.set_title(title or default)
    return figure


def roadmap_timeline(
    initiatives: Iterable[Initiative],
    releases: Iterable[Release] = (),
    *,
    as_of: date | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Draw initiatives as bars across their target quarters, with releases.

    One bar per initiative with a `Initiative.target_quarter`, from the first
    day of the quarter to the first day of the next, one row each, grouped by
    team (teams alphabetically, no team last; one colour per team, within a
    team by quarter then input order). Each release with a `Release.target_date`
    is a vertical line labelled with its name, its code freeze (from
    `Release.code_freeze` to the target date) shaded. A dashed line marks
    `as_of`. Initiatives without a target quarter and releases without a
    target date are listed in a note under the chart.

    Parameters
    ----------
    initiatives : iterable of Initiative
        What to draw.
    releases : iterable of Release, optional
        Release markers.
    as_of : date or aware datetime, optional
        Where to draw the "today" line. Default: no line (initiatives and
        planned releases carry no clock to derive one from).
    ax : matplotlib Axes, optional
        Draw here; by default on a new figure.
    title : str, optional
        Default ``"Roadmap timeline"``.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    InvalidInputError
        If `as_of` is a naive datetime or initiative keys repeat (all named).

    Examples
    --------
    >>> from productops import datasets
    >>> from productops.report._roadmap import roadmap_timeline
    >>> ws = datasets.load_demo()
    >>> ax = roadmap_timeline(ws.initiatives, ws.releases,
    ...                       as_of=datasets.DEMO_AS_OF).axes[0]
    >>> sum(len(bars) for bars in ax.containers)
    31
    >>> [t.get_text() for t in ax.texts if t.get_gid() == "release"]
    ['Spring release', 'Summer release', 'Autumn release']
    """
    records = list(initiatives)
    marks = list(releases)
    problems: list[str] = []
    _check_as_of(as_of, problems)
    _check_keys(records, problems)
    _raise(problems)

    import numpy as np
    from matplotlib import dates

    # matplotlib's date2num is untyped; it maps a datetime64 to days since its epoch.
    date2num = cast("Callable[[object], float]", dates.date2num)

    def x_of(day: date) -> float:
        if isinstance(day, datetime):
            return float(date2num(day))
        return float(date2num(np.datetime64(day, "D")))

    timed = [r for r in records if r.target_quarter is not None]
    untimed = [r for r in records if r.target_quarter is None]
    undated = [r for r in marks if r.target_date is None]
    teams = sorted({r.team for r in timed if r.team is not None})
    if any(r.team is None for r in timed):
        teams_or_none: list[str | None] = [*teams, None]
    else:
        teams_or_none = list(teams)
    colours = dict(zip(teams_or_none, palette(len(teams_or_none)), strict=True))
    position = {r.key: i for i, r in enumerate(records)}
    rows = sorted(
        timed,
        key=lambda r: (
            teams_or_none.index(r.team),
            _quarter_index(r.target_quarter or ""),
            position[r.key],
        ),
    )
    quarters = [_quarter_index(r.target_quarter or "") for r in rows]
    quarters += [_quarter_of(r.target_date) for r in marks if r.target_date]
    quarters += [_quarter_of(r.code_freeze) for r in marks if r.code_freeze]
    if as_of is not None:
        quarters.append(_quarter_of(as_of))

    with axes(ax, size=(11.0, 1.6 + 0.28 * max(len(rows), 4))) as (figure, target):
        for team in teams_or_none:
            members = [(y, r) for y, r in enumerate(rows) if r.team == team]
            starts = [
                x_of(_quarter_start(_quarter_index(r.target_quarter or "")))
                for _, r in members
            ]
            ends = [
                x_of(_quarter_start(_quarter_index(r.target_quarter or "") + 1))
                for _, r in members
            ]
            bars = target.barh(
                [y for y, _ in members],
                [end - start for start, end in zip(starts, ends, strict=True)],
                left=starts,
                height=0.7,
                color=colours[team],
                alpha=0.85,
                label=team or "no team",
            )
            for bar, (_, record) in zip(bars, members, strict=True):
                bar.set_gid(f"bar:{record.key}")
        for y in range(1, len(rows)):
            if rows[y].team != rows[y - 1].team:
                target.axhline(y - 0.5, color="#777777", linewidth=0.8)
        frozen = False
        for release in marks:
            if release.target_date is None:
                continue
            x = x_of(release.target_date)
            target.axvline(x, color=OKABE_ITO[7], linewidth=1.2)
            label = target.text(
                x,
                1.0,
                release.name,
                transform=target.get_xaxis_transform(),
                ha="center",
                va="bottom",
                fontsize=8,
            )
            label.set_gid("release")
            if release.code_freeze is not None:
                target.axvspan(
                    x_of(release.code_freeze),
                    x,
                    color="#999999",
                    alpha=0.25,
                    linewidth=0,
                    label=None if frozen else "code freeze",
                )
                frozen = True
        if as_of is not None:
            day = as_of.date() if isinstance(as_of, datetime) else as_of
            target.axvline(
                x_of(as_of),
                color=OKABE_ITO[3],
                linestyle="--",
                linewidth=1.5,
                label=f"today ({day.isoformat()})",
            )
        if quarters:
            first, last = min(quarters), max(quarters)
            ticks = range(first, last + 2)
            target.set_xticks(
                [x_of(_quarter_start(q)) for q in ticks],
                [_quarter_name(q) if q <= last else "" for q in ticks],
                ha="left",
            )
            target.set_xlim(x_of(_quarter_start(first)), x_of(_quarter_start(last + 1)))
        target.set_yticks(
            range(len(rows)), [_shorten(r.title, _ROW_LABEL) for r in rows], fontsize=8
        )
        target.set_ylim(len(rows) - 0.5, -0.5)
        target.grid(axis="y", visible=False)
        notes = []
        if untimed:
            keys = ", ".join(r.key for r in untimed)
            notes.append(f"Not drawn, no target quarter ({len(untimed)}): {keys}")
        if undated:
            keys = ", ".join(r.key for r in undated)
            notes.append(f"Releases without a target date ({len(undated)}): {keys}")
        if notes:
            note = target.text(
                0.0,
                -0.08,
                "\n".join(textwrap.fill(n, 110) for n in notes),
                transform=target.transAxes,
                fontsize=8,
                color="#555555",
                va="top",
            )
            note.set_gid("untimed")
        if rows or frozen or as_of is not None:
            target.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        target.set_title(title or "Roadmap timeline", pad=16)
    return figure
