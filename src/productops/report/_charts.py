"""Charts of forecasts, KPIs, risks, stakeholders and rankings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, cast

import numpy as np

from ..errors import InvalidInputError
from ._style import OKABE_ITO, RAG_COLOURS, axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    from ..forecast import WhenForecast
    from ..kpi import XmRChart
    from ..model import Risk
    from ..people import StakeholderGrid
    from ..scoring import Sensitivity
    from ..scoring.risk import HeatMap, RiskMatrix

__all__ = [
    "control_chart",
    "forecast_chart",
    "risk_heatmap",
    "sensitivity_chart",
    "stakeholder_grid_chart",
]


def _on_date_axis(day: date) -> float:
    """Return a date as an x value (matplotlib converts datetime64 itself)."""
    return cast("float", np.datetime64(day, "D"))


def forecast_chart(
    forecast: WhenForecast,
    *,
    levels: Sequence[float] = (50, 85, 95),
    target: date | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Draw the Monte Carlo completion dates as a histogram with percentile lines.

    Each bar is the share of trials that finish on that day; the dashed lines
    are the dates by which 50, 85 and 95 % of trials are done, and the optional
    target date is a solid line.

    Parameters
    ----------
    forecast : WhenForecast
        From `productops.forecast.when` (or ``release_confidence(...).forecast``).
    levels : sequence of float, default (50, 85, 95)
        Percentile lines.
    target : date, optional
        A target date to mark.
    ax : matplotlib Axes, optional
        Draw here; by default on a new figure.
    title : str, optional
        Default ``"When will N items be done?"``.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from datetime import date
    >>> from productops import forecast, report
    >>> f = forecast.when(remaining=20, throughput=[1, 2, 0, 3, 1], trials=2000,
    ...                   start=date(2024, 3, 4), seed=1)
    >>> ax = report.forecast_chart(f).axes[0]
    >>> [line.get_label()[:3] for line in ax.lines]
    ['50%', '85%', '95%']
    """
    records = forecast.to_records()
    with axes(ax) as (figure, target_ax):
        dates = np.array([r["date"] for r in records], dtype="datetime64[D]")
        shares = np.array([100 * r["share"] for r in records])
        target_ax.bar(dates, shares, width=0.9, color=OKABE_ITO[0], alpha=0.8)
        for index, (level, day) in enumerate(forecast.percentiles(levels).items()):
            style = (":", "--", "-.")[index % 3]
            target_ax.axvline(
                _on_date_axis(day),
                color=OKABE_ITO[3],
                linestyle=style,
                label=f"{level:g}%: {day:%d %b %Y}",
            )
        if target is not None:
            chance = forecast.probability_by(target)
            target_ax.axvline(
                _on_date_axis(target),
                color=OKABE_ITO[7],
                label=f"target {target:%d %b %Y}: {chance:.0%}",
            )
        default = f"When will {forecast.remaining} items be done?"
        target_ax.set_title(title or default)
        target_ax.set_ylabel(f"% of {forecast.trials:,} trials")
        target_ax.legend(loc="upper right")
        figure.autofmt_xdate()
    return figure


def control_chart(
    chart: XmRChart,
    *,
    dates: Sequence[object] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    unit: str = "",
) -> Figure:
    """Draw an XmR (individuals) chart: values, centre line, limits and signals.

    Points where a run rule fired are ringed; the legend names the rules.

    Parameters
    ----------
    chart : XmRChart
        From `productops.kpi.xmr`.
    dates : sequence, optional
        x positions (dates) of the values; by default their index.
    ax : matplotlib Axes, optional
        Draw here; by default on a new figure.
    title : str, optional
        Default ``"Control chart"``.
    unit : str, optional
        Label of the y axis.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    InvalidInputError
        If `dates` does not have one entry per value.

    Examples
    --------
    >>> from productops import kpi, report
    >>> ax = report.control_chart(kpi.xmr([5, 6, 5, 7, 6, 5, 6, 20])).axes[0]
    >>> [line.get_label() for line in ax.lines][:4]
    ['value', 'centre 7.5', 'upper limit 15.5', 'lower limit -0.48']
    """
    values = np.asarray(chart.values)
    if dates is not None and len(dates) != values.size:
        msg = f"dates: {len(dates)} dates for {values.size} values"
        raise InvalidInputError(msg)
    x = np.arange(values.size) if dates is None else np.asarray(dates)
    with axes(ax) as (figure, target):
        target.plot(
            x, values, marker="o", markersize=3, color=OKABE_ITO[0], label="value"
        )
        target.axhline(
            chart.centre,
            color=OKABE_ITO[7],
            linewidth=1,
            label=f"centre {chart.centre:.3g}",
        )
        for bound, name in ((chart.ucl, "upper"), (chart.lcl, "lower")):
            target.axhline(
                bound,
                color=OKABE_ITO[3],
                linestyle="--",
                linewidth=1,
                label=f"{name} limit {bound:.3g}",
            )
        flagged = sorted({p for signal in chart.signals for p in signal.points})
        if flagged:
            names = ", ".join(sorted({s.name for s in chart.signals}))
            target.scatter(
                x[flagged],
                values[flagged],
                s=70,
                facecolors="none",
                edgecolors=OKABE_ITO[3],
                linewidths=1.5,
                zorder=3,
                label=f"signal: {names}",
            )
        target.set_title(title or "Control chart")
        if unit:
            target.set_ylabel(unit)
        target.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        if dates is not None:
            figure.autofmt_xdate()
    return figure


def risk_heatmap(
    risks: HeatMap | Iterable[Risk],
    *,
    matrix: RiskMatrix | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Draw the likelihood x impact heat map with the count (and keys) per cell.

    Cells are coloured by their band in `matrix` (low to high severity on the
    colour-blind-safe green, yellow, orange, vermillion ramp) or, without one, by
    the product ``likelihood x impact``.

    Parameters
    ----------
    risks : HeatMap or iterable of Risk
        A heat map from `productops.scoring.risk.heatmap`, or risks to place
        with it (open ones, inherent ratings).
    matrix : RiskMatrix, optional
        Names the bands; default the heat map's own matrix.
    ax : matplotlib Axes, optional
        Draw here; by default on a new figure.
    title : str, optional
        Default ``"Risks by likelihood and impact"``.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from productops import Risk, report
    >>> ax = report.risk_heatmap([Risk(key="R-1", title="t", likelihood=4,
    ...                                impact=2)]).axes[0]
    >>> print(*[t.get_text() for t in ax.texts if t.get_text() != "0"])
    1
    R-1
    """
    from ..scoring.risk import HeatMap, heatmap

    grid = risks if isinstance(risks, HeatMap) else heatmap(list(risks))
    table = matrix or grid.matrix
    n = grid.scale
    counts = np.array(grid.counts, dtype=np.int64)
    ramp = ["#009E73", "#F0E442", "#E69F00", "#D55E00"]
    if table is not None and len(table.likelihoods) == n and len(table.impacts) == n:
        order = list(table.order)
        level = np.array(
            [[order.index(band) for band in row] for row in table.bands], dtype=float
        )
        level /= max(len(order) - 1, 1)
    else:
        product = np.outer(np.arange(1, n + 1), np.arange(1, n + 1)).astype(float)
        level = (product - 1) / (n * n - 1)
    with axes(ax, size=(6.0, 5.0)) as (figure, target):
        for l_rank in range(n):
            for i_rank in range(n):
                colour = ramp[min(int(level[l_rank, i_rank] * len(ramp)), 3)]
                target.add_patch(
                    _cell(
                        i_rank,
                        l_rank,
                        colour,
                        alpha=0.35 + 0.5 * (counts[l_rank, i_rank] > 0),
                    )
                )
                keys = grid.keys[l_rank][i_rank]
                text = str(counts[l_rank, i_rank])
                if keys:
                    shown = ", ".join(keys[:3]) + ("…" if len(keys) > 3 else "")
                    text += "\n" + shown
                target.text(
                    i_rank + 1, l_rank + 1, text, ha="center", va="center", fontsize=8
                )
        target.set_xlim(0.5, n + 0.5)
        target.set_ylim(0.5, n + 0.5)
        ticks = list(range(1, n + 1))
        x_labels = list(table.impacts) if table is not None else ticks
        y_labels = list(table.likelihoods) if table is not None else ticks
        target.set_xticks(ticks, [str(v) for v in x_labels])
        target.set_yticks(ticks, [str(v) for v in y_labels])
        target.set_xlabel("impact")
        target.set_ylabel("likelihood")
        target.grid(visible=False)
        target.set_title(title or "Risks by likelihood and impact")
        if grid.skipped:
            target.annotate(
                f"not placed: {', '.join(grid.skipped)}",
                xy=(0, -0.15),
                xycoords="axes fraction",
                fontsize=8,
            )
    return figure


def _cell(x: int, y: int, colour: str, *, alpha: float) -> Rectangle:
    from matplotlib.patches import Rectangle

    return Rectangle(
        (x + 0.5, y + 0.5),
        1,
        1,
        facecolor=colour,
        alpha=alpha,
        edgecolor="white",
        linewidth=2,
    )


def stakeholder_grid_chart(
    grid: StakeholderGrid, *, ax: Axes | None = None, title: str | None = None
) -> Figure:
    """Draw the power/interest grid with every stakeholder in their cell.

    Parameters
    ----------
    grid : StakeholderGrid
        From `productops.people.grid`.
    ax : matplotlib Axes, optional
        Draw here; by default on a new figure.
    title : str, optional
        Default ``"Stakeholders: power and interest"``.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from productops import datasets, people, report
    >>> g = people.grid(datasets.load_demo().stakeholders)
    >>> ax = report.stakeholder_grid_chart(g).axes[0]
    >>> len(ax.collections[0].get_offsets()) == len(g.placements)
    True
    """
    from ..people import Quadrant

    colours = {
        Quadrant.MANAGE_CLOSELY: OKABE_ITO[3],
        Quadrant.KEEP_SATISFIED: OKABE_ITO[1],
        Quadrant.KEEP_INFORMED: OKABE_ITO[0],
        Quadrant.MONITOR: OKABE_ITO[7],
    }
    with axes(ax, size=(7.0, 6.0)) as (figure, target):
        # Stack people who share a cell so their names stay readable.
        sharing: dict[tuple[int, int], int] = {}
        for placement in grid.placements:
            cell = (placement.interest, placement.influence)
            sharing[cell] = sharing.get(cell, 0) + 1
        seen: dict[tuple[int, int], int] = {}
        x, y, colour = [], [], []
        for placement in grid.placements:
            cell = (placement.interest, placement.influence)
            k = seen.get(cell, 0)
            seen[cell] = k + 1
            step = min(0.2, 0.8 / sharing[cell])
            x.append(placement.interest - 0.3)
            y.append(placement.influence + step * ((sharing[cell] - 1) / 2 - k))
            colour.append(colours[placement.quadrant])
            target.annotate(
                placement.name,
                (x[-1], y[-1]),
                fontsize=7,
                xytext=(5, 0),
                textcoords="offset points",
                ha="left",
                va="center",
            )
        target.scatter(x, y, c=colour, s=30, zorder=3)
        split = grid.threshold - 0.5
        target.axvline(split, color="#777777", linewidth=1)
        target.axhline(split, color="#777777", linewidth=1)
        corners = {
            Quadrant.MANAGE_CLOSELY: (5.4, 5.4, "right", "top"),
            Quadrant.KEEP_SATISFIED: (0.6, 5.4, "left", "top"),
            Quadrant.KEEP_INFORMED: (5.4, 0.6, "right", "bottom"),
            Quadrant.MONITOR: (0.6, 0.6, "left", "bottom"),
        }
        for quadrant, (cx, cy, ha, va) in corners.items():
            target.text(
                cx,
                cy,
                quadrant.value.replace("_", " "),
                ha=ha,
                va=va,
                color=colours[quadrant],
                fontweight="bold",
                fontsize=9,
            )
        target.set_xlim(0.5, 5.5)
        target.set_ylim(0.5, 5.5)
        target.set_xlabel("interest")
        target.set_ylabel("power (influence)")
        target.grid(visible=False)
        target.set_title(title or "Stakeholders: power and interest")
    return figure


def sensitivity_chart(
    result: Sensitivity,
    *,
    top: int | None = 15,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Draw each item's probability of making the top k as horizontal bars.

    Items certainly in (100 %) or certainly out (0 %) are stable; the ones in
    between are where the ranking depends on the uncertain inputs.

    Parameters
    ----------
    result : Sensitivity
        From `productops.scoring.sensitivity`.
    top : int or None, default 15
        Show this many items, most likely first; None for all.
    ax : matplotlib Axes, optional
        Draw here; by default on a new figure.
    title : str, optional
        Default ``"Chance of making the top k"``.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    InvalidInputError
        If `top` is not a positive integer.

    Examples
    --------
    >>> from productops import report, scoring
    >>> backlog = {"key": ["A", "B", "C", "D"], "value": [8, 7, 5, 2],
    ...            "effort": [5, 3, 2, 1]}
    >>> s = scoring.sensitivity(backlog, score="value / effort", top=2,
    ...                         vary_inputs={"effort": (0.7, 1.5)}, trials=2_000,
    ...                         seed=7)
    >>> ax = report.sensitivity_chart(s).axes[0]
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['C', 'B', 'D', 'A']
    """
    if top is not None and (isinstance(top, bool) or top < 1):
        msg = f"top: {top!r} is not a positive integer"
        raise InvalidInputError(msg)
    order = np.argsort(-result.probabilities, kind="stable")
    if top is not None:
        order = order[:top]
    labels = [result.labels[i] for i in order]
    shares = [100 * float(result.probabilities[i]) for i in order]
    colours = [
        RAG_COLOURS["green"]
        if p >= 95
        else RAG_COLOURS["grey"]
        if p <= 5
        else RAG_COLOURS["amber"]
        for p in shares
    ]
    with axes(ax, size=(7.0, 0.35 * len(labels) + 1.2)) as (figure, target):
        positions = np.arange(len(labels))
        target.barh(positions, shares, color=colours)
        target.set_yticks(positions, labels)
        target.invert_yaxis()
        target.set_xlim(0, 100)
        target.set_xlabel(f"% of {result.trials:,} trials in the top {result.k}")
        target.set_title(title or f"Chance of making the top {result.k}")
    return figure
