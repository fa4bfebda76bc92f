"""The process graph of a `FlowReport`, with its bottleneck marked.

States sit left to right in process order, coloured by their share of in-cycle
item-time; edges are the directly-follows moves, as wide as their volume, with
rework (moves back to an earlier state) curved and in a warning colour.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from ..errors import InvalidInputError
from ._style import OKABE_ITO, axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..flow import FlowReport

__all__ = ["process_chart"]

REWORK_COLOUR = OKABE_ITO[3]
"""Colour of backward (rework) edges: vermillion."""
FORWARD_COLOUR = "#555555"
"""Colour of forward edges."""
OUT_OF_CYCLE_COLOUR = "#E0E0E0"
"""Fill of states that are not bottleneck candidates (backlog, done, pre-commitment);
lighter than any colour of the ramp, so it is never mistaken for a share."""
LABEL_SHARE = 0.05
"""Edges carrying at least this share of all moves get a count label."""
_MIN_WIDTH, _MAX_WIDTH = 0.6, 7.0
_NODE_SIZE = 1400.0


def _edge_width(count: int, largest: int) -> float:
    """Line width growing linearly with `count` (monotone by construction)."""
    return _MIN_WIDTH + (_MAX_WIDTH - _MIN_WIDTH) * count / largest


def process_chart(
    report: FlowReport,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    min_share: float = 0.0,
) -> Figure:
    """Draw the process graph: states in order, the bottleneck, flow and rework.

    Nodes are the states of ``report.process`` laid out left to right in
    process order (states sharing an order are stacked in one column). Each
    in-cycle state (a `Bottleneck` candidate) is filled by its share of all
    in-cycle item-time on the colour-blind-safe ``cividis`` ramp, reversed so
    that the larger share is darker, with a colour bar; the other states
    (backlog, done, before commitment) are light grey. The top bottleneck is outlined
    in black and annotated with its ``reason``.

    Edges are the directly-follows graph (`productops.flow.dfg`): width grows
    linearly with the number of moves; moves back to an earlier state (rework,
    `Process.is_rework`) are curved and drawn in vermillion. Edges carrying at
    least 5 % of all moves are labelled with their count.

    Parameters
    ----------
    report : FlowReport
        From `productops.flow.analyze`.
    ax : matplotlib Axes, optional
        Draw here; by default on a new figure.
    title : str, optional
        Default ``"Process: where work waits"``.
    min_share : float, default 0.0
        Hide edges carrying less than this share of all moves, in ``[0, 1)``.
        A note under the graph says how many edges (and moves) were hidden.
        Self-loops (a state entered twice in a row) are never drawn; the note
        counts them too.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    InvalidInputError
        If `min_share` is outside ``[0, 1)``.

    Notes
    -----
    The bottleneck score is `FlowReport.bottlenecks`' ``share``: the state's
    share of all in-cycle item-time (DESIGN.md, "Bottleneck"). The graph is
    built and laid out with networkx (``multipartite_layout``) and drawn with
    matplotlib patches, not ``networkx.draw``, which imports pyplot.

    Examples
    --------
    >>> from productops import datasets, flow
    >>> from productops.report._graph_charts import process_chart
    >>> r = flow.analyze(datasets.load_demo())
    >>> fig = process_chart(r, min_share=0.01)
    >>> len(fig.axes[0].collections[0].get_offsets()) == len(r.process.state_names)
    True
    >>> [t.get_text() for t in fig.axes[0].texts if "hidden" in t.get_text()]
    ['2 edges under 1% of moves hidden (33 moves)']
    """
    if not 0.0 <= min_share < 1.0:
        msg = f"min_share: {min_share!r} is not a share in [0, 1)"
        raise InvalidInputError(msg)

    import matplotlib as mpl
    import networkx as nx
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize, to_hex, to_rgba
    from matplotlib.patches import FancyArrowPatch

    from ..flow import dfg

    process = report.process
    names = list(process.state_names)
    moves = dfg(report.log)
    ranked = report.bottlenecks()
    share = {b.state: b.share for b in ranked}
    top = ranked[0] if ranked else None

    # Layout: one column per distinct order, left to right.
    graph: nx.DiGraph[str] = nx.DiGraph()
    levels = sorted({process.state(name).order or 0 for name in names})
    for name in names:
        graph.add_node(name, layer=levels.index(process.state(name).order or 0))
    layout = nx.multipartite_layout(graph, subset_key="layer", align="vertical")
    column = {
        name: float(levels.index(process.state(name).order or 0)) for name in names
    }
    stacked = {name: float(layout[name][1]) for name in names}
    # multipartite_layout centres and scales; keep its vertical spread only.
    position = {
        name: (column[name], stacked[name] if len(levels) < len(names) else 0.0)
        for name in names
    }

    edges = [(a, b, int(d["count"])) for a, b, d in moves.edges(data=True)]
    total = sum(count for _, _, count in edges)
    loops = [(a, b, c) for a, b, c in edges if a == b]
    shown = [
        (a, b, c)
        for a, b, c in edges
        if a != b and (total == 0 or c / total >= min_share)
    ]
    hidden = [(a, b, c) for a, b, c in edges if a != b and (a, b, c) not in shown]

    cmap = mpl.colormaps["cividis_r"]
    norm = Normalize(vmin=0.0, vmax=max(share.values(), default=0.0) or 1.0)
    fill = [
        to_hex(cmap(norm(share[name]))) if name in share else OUT_OF_CYCLE_COLOUR
        for name in names
    ]

    with axes(ax, size=(11.0, 4.5)) as (figure, target):
        largest = max((c for _, _, c in shown), default=1)
        for a, b, count in shown:
            rework = process.is_rework(a, b)
            span = abs(column[b] - column[a])
            if rework:
                style = "arc3,rad=0.35"
            elif span != 1:
                style = "arc3,rad=-0.25"
            else:
                style = "arc3,rad=0.0"
            arrow = FancyArrowPatch(
                position[a],
                position[b],
                arrowstyle="-|>",
                mutation_scale=12,
                connectionstyle=style,
                linewidth=_edge_width(count, largest),
                color=REWORK_COLOUR if rework else FORWARD_COLOUR,
                alpha=0.85,
                shrinkA=22,
                shrinkB=22,
                zorder=1,
            )
            arrow.set_gid(f"{a} -> {b}")
            arrow.set_label("rework" if rework else "forward")
            target.add_patch(arrow)
            if total and count / total >= LABEL_SHARE:
                (xa, ya), (xb, yb) = position[a], position[b]
                bend = 0.35 if rework else (-0.25 if span != 1 else 0.0)
                # Midpoint of the arc3 curve: offset perpendicular to the chord.
                mx = (xa + xb) / 2 + bend * (yb - ya) / 2
                my = (ya + yb) / 2 - bend * (xb - xa) / 2
                target.text(
                    mx,
                    my,
                    f"{count}",
                    fontsize=8,
                    ha="center",
                    va="center",
                    color=REWORK_COLOUR if rework else "#333333",
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"},
                    zorder=4,
                )

        xs = [position[name][0] for name in names]
        ys = [position[name][1] for name in names]
        edge_colours = [
            OKABE_ITO[7] if top is not None and name == top.state else "white"
            for name in names
        ]
        widths = [
            3.0 if top is not None and name == top.state else 1.0 for name in names
        ]
        nodes = target.scatter(
            xs,
            ys,
            s=_NODE_SIZE,
            c=fill,
            edgecolors=edge_colours,
            linewidths=widths,
            zorder=2,
            label="states",
        )
        nodes.set_gid("states")
        for name, colour in zip(names, fill, strict=True):
            red, green, blue, _ = to_rgba(colour)
            dark = 0.299 * red + 0.587 * green + 0.114 * blue < 0.5
            target.text(
                *position[name],
                "\n".join(textwrap.wrap(name, 10)),
                ha="center",
                va="center",
                fontsize=7.5,
                color="white" if dark else "black",
                zorder=3,
            )
        if top is not None:
            x, y = position[top.state]
            target.annotate(
                "Bottleneck: " + textwrap.fill(top.reason, 60),
                (x, y),
                xytext=(0, -34),
                textcoords="offset points",
                ha="center",
                va="top",
                fontsize=7.5,
                bbox={"boxstyle": "round", "fc": "#F5F5F5", "ec": OKABE_ITO[7]},
                zorder=5,
            )
        figure.colorbar(
            ScalarMappable(norm=norm, cmap=cmap),
            ax=target,
            label="share of in-cycle time",
            shrink=0.8,
        )
        notes = []
        if hidden:
            hidden_moves = sum(c for _, _, c in hidden)
            plural = "s" if len(hidden) != 1 else ""
            notes.append(
                f"{len(hidden)} edge{plural} under {min_share:.0%} of moves hidden "
                f"({hidden_moves} moves)"
            )
        if loops:
            plural = "s" if len(loops) != 1 else ""
            notes.append(
                f"{len(loops)} self-loop{plural} not drawn "
                f"({sum(c for _, _, c in loops)} repeat entries)"
            )
        for index, note in enumerate(notes):
            target.text(
                0.0,
                -0.04 - 0.06 * index,
                note,
                transform=target.transAxes,
                fontsize=8,
                color="#555555",
                va="top",
            )
        target.set_xlim(-0.6, len(levels) - 0.4)
        spread = max((abs(y) for y in ys), default=0.0)
        target.set_ylim(-spread - 1.0, spread + 0.7)
        target.set_axis_off()
        target.set_title(title or "Process: where work waits")
    return figure
