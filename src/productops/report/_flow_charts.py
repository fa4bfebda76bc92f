"""Flow charts from a `FlowReport`.

Cumulative flow, cycle-time scatter and histogram, throughput run chart, aging WIP.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from ..errors import InvalidInputError
from ._style import OKABE_ITO, axes, sequential

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..flow import FlowReport

__all__ = [
    "aging_wip_chart",
    "cfd_chart",
    "cycle_time_histogram",
    "cycle_time_scatter",
    "throughput_chart",
]

_LEVELS = (50, 85, 95)
_LINE_STYLES = (":", "--", "-.")


def _check_levels(levels: Sequence[float]) -> tuple[float, ...]:
    bad = [level for level in levels if not 0 < level < 100]
    if bad:
        msg = f"levels: {bad} are not percentiles strictly between 0 and 100"
        raise InvalidInputError(msg)
    return tuple(sorted(levels))


def _percentile_lines(
    ax: Axes, values: dict[float, float], *, vertical: bool = False
) -> None:
    for index, (level, days) in enumerate(values.items()):
        if not np.isfinite(days):
            continue
        style = _LINE_STYLES[index % len(_LINE_STYLES)]
        label = f"{level:g}%: {days:.1f} d"
        if vertical:
            ax.axvline(days, color=OKABE_ITO[3], linestyle=style, label=label)
        else:
            ax.axhline(days, color=OKABE_ITO[3], linestyle=style, label=label)


def cfd_chart(
    report: FlowReport, *, ax: Axes | None = None, title: str | None = None
) -> Figure:
    """Draw the cumulative flow diagram: one band per state, in process order.

    Each band's height on a day is the number of items that have reached that
    state but not a later one, so the top edge is everything that arrived and
    the bottom band is everything delivered (`FlowReport.cfd`).

    Parameters
    ----------
    report : FlowReport
        From `productops.flow.analyze`.
    ax : matplotlib Axes, optional
        Draw here; by default on a new figure.
    title : str, optional
        Default ``"Cumulative flow"``.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from productops import datasets, flow, report
    >>> fig = report.cfd_chart(flow.analyze(datasets.load_demo()))
    >>> len(fig.axes[0].collections) == len(fig.axes[0].get_legend().texts)
    True
    """
    table = report.cfd()
    states = [name for name in table.columns if name != "date"]
    days = table["date"]
    with axes(ax) as (figure, target):
        cumulative = np.array([table[name] for name in states], dtype=np.float64)
        # Band i: reached state i but not state i+1; the last state's band is itself.
        bands = cumulative.copy()
        bands[:-1] -= cumulative[1:]
        colours = sequential(len(states))
        target.stackplot(
            days,
            bands[::-1],
            labels=states[::-1],
            colors=colours[::-1],
            linewidth=0,
        )
        target.set_title(title or "Cumulative flow")
        target.set_ylabel("items")
        target.margins(x=0)
        handles, labels = target.get_legend_handles_labels()
        target.legend(handles[::-1], labels[::-1], loc="upper left", ncols=1)
        figure.autofmt_xdate()
    return figure


def _delivered_days(
    report: FlowReport,
) -> tuple[NDArray[np.datetime64], NDArray[np.float64]]:
    """Delivery dates and cycle times (days) of the items in `cycle_time`."""
    sample = report.cycle_time
    index = {key: i for i, key in enumerate(report.items)}
    positions = np.fromiter(
        (index[key] for key in sample["item"]), dtype=np.int64, count=len(sample)
    )
    delivered = report.delivered_at[positions].astype("datetime64[ns]")
    return delivered, sample.days


def cycle_time_scatter(
    report: FlowReport,
    *,
    levels: Sequence[float] = _LEVELS,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Draw each delivered item's cycle time against its delivery date.

    Horizontal lines mark the cycle-time percentiles (by default 50, 85 and 95):
    "85 % of items finished within N days".

    Parameters
    ----------
    report : FlowReport
        From `productops.flow.analyze`.
    levels : sequence of float, default (50, 85, 95)
        Percentile lines to draw.
    ax : matplotlib Axes, optional
        Draw here; by default on a new figure.
    title : str, optional
        Default ``"Cycle time"``.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    InvalidInputError
        If a level is not strictly between 0 and 100.

    Examples
    --------
    >>> from productops import datasets, flow, report
    >>> fig = report.cycle_time_scatter(flow.analyze(datasets.load_demo()))
    >>> len(fig.axes[0].lines)  # the three percentile lines
    3
    """
    wanted = _check_levels(levels)
    delivered, days = _delivered_days(report)
    with axes(ax) as (figure, target):
        target.scatter(
            delivered, days, s=14, alpha=0.6, color=OKABE_ITO[0], label="item"
        )
        _percentile_lines(target, report.cycle_time.percentiles(wanted))
        target.set_title(title or "Cycle time")
        target.set_ylabel("days from commitment to delivery")
        target.set_ylim(bottom=0)
        target.legend(loc="upper left")
        figure.autofmt_xdate()
    return figure


def cycle_time_histogram(
    report: FlowReport,
    *,
    levels: Sequence[float] = _LEVELS,
    bins: int | str = "auto",
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Draw the distribution of cycle times with percentile lines.

    Parameters
    ----------
    report : FlowReport
        From `productops.flow.analyze`.
    levels : sequence of float, default (50, 85, 95)
        Percentile lines to draw.
    bins : int or str, default "auto"
        As for `numpy.histogram_bin_edges`.
    ax : matplotlib Axes, optional
        Draw here; by default on a new figure.
    title : str, optional
        Default ``"Cycle time distribution"``.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from productops import datasets, flow, report
    >>> fig = report.cycle_time_histogram(flow.analyze(datasets.load_demo()))
    >>> fig.axes[0].get_xlabel()
    'cycle time (days)'
    """
    wanted = _check_levels(levels)
    days = report.cycle_time.days
    with axes(ax) as (figure, target):
        edges: int | list[float] = (
            np.histogram_bin_edges(days, bins=bins).tolist() if days.size else 10
        )
        target.hist(days, bins=edges, color=OKABE_ITO[0], alpha=0.8, label="items")
        _percentile_lines(target, report.cycle_time.percentiles(wanted), vertical=True)
        target.set_title(title or "Cycle time distribution")
        target.set_xlabel("cycle time (days)")
        target.set_ylabel("items")
        target.legend(loc="upper right")
    return figure


def throughput_chart(
    report: FlowReport,
    *,
    freq: str = "W",
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Draw a run chart of items delivered per week (or day), with its median.

    Parameters
    ----------
    report : FlowReport
        From `productops.flow.analyze`.
    freq : {"W", "D"}, default "W"
        Per ISO week (labelled by its Monday; the first and last may be partial)
        or per day.
    ax : matplotlib Axes, optional
        Draw here; by default on a new figure.
    title : str, optional
        Default ``"Throughput"``.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from productops import datasets, flow, report
    >>> fig = report.throughput_chart(flow.analyze(datasets.load_demo()))
    >>> [line.get_label() for line in fig.axes[0].lines][:1]
    ['delivered']
    """
    table = report.throughput(freq=freq)
    when = table["week" if freq == "W" else "date"]
    counts = table["delivered"]
    unit = "week" if freq == "W" else "day"
    with axes(ax) as (figure, target):
        target.plot(
            when,
            counts,
            marker="o",
            markersize=3,
            color=OKABE_ITO[0],
            label="delivered",
        )
        if counts.size:
            median = float(np.median(counts))
            target.axhline(
                median,
                color=OKABE_ITO[1],
                linestyle="--",
                label=f"median {median:g} per {unit}",
            )
        target.set_title(title or "Throughput")
        target.set_ylabel(f"items per {unit}")
        target.set_ylim(bottom=0)
        target.legend(loc="upper left")
        figure.autofmt_xdate()
    return figure


def aging_wip_chart(
    report: FlowReport,
    *,
    levels: Sequence[float] = (50, 70, 85, 95),
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Draw work in progress by state and age against cycle-time percentile bands.

    One dot per item in progress (x: its current state, in process order; y: its
    age since commitment). The shaded bands are the cycle-time percentiles of
    delivered items (Vacanti, *Actionable Agile Metrics for Predictability*,
    2015, ch. 9): an item above the 85th-percentile band is older than 85 % of
    the items that finished, and needs attention.

    Parameters
    ----------
    report : FlowReport
        From `productops.flow.analyze`.
    levels : sequence of float, default (50, 70, 85, 95)
        The percentile bands.
    ax : matplotlib Axes, optional
        Draw here; by default on a new figure.
    title : str, optional
        Default ``"Aging work in progress"``.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from productops import datasets, flow, report
    >>> r = flow.analyze(datasets.load_demo())
    >>> fig = report.aging_wip_chart(r)
    >>> len(fig.axes[0].collections[-1].get_offsets()) == len(r.aging_wip())
    True
    """
    wanted = _check_levels(levels)
    aging = report.aging_wip()
    order = [s for s in report.process.state_names if s in set(aging["state"])]
    order += sorted(set(aging["state"]) - set(order))
    position = {state: i for i, state in enumerate(order)}
    bands = report.cycle_time.percentiles(wanted)
    with axes(ax) as (figure, target):
        lower = 0.0
        shades = sequential(len(bands) + 1)[::-1]
        for index, (level, days) in enumerate(bands.items()):
            if not np.isfinite(days):
                continue
            target.axhspan(
                lower,
                days,
                color=shades[index],
                alpha=0.18,
                label=f"≤ {level:g}%: {days:.1f} d",
            )
            lower = days
        rng = np.random.default_rng(0)  # fixed jitter: same picture every time
        x = np.array([position[s] for s in aging["state"]], dtype=np.float64)
        x += rng.uniform(-0.15, 0.15, size=x.size)
        target.scatter(
            x,
            aging["age_days"],
            s=18,
            color=OKABE_ITO[3],
            zorder=3,
            label="item in progress",
        )
        target.set_xticks(range(len(order)), order, rotation=20, ha="right")
        target.set_title(title or "Aging work in progress")
        target.set_ylabel("age since commitment (days)")
        target.set_ylim(bottom=0)
        target.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return figure
