"""One look for every chart: colour-blind-safe colours, readable type, no chartjunk.

Charts are drawn on `matplotlib.figure.Figure` objects made without pyplot, so
nothing global changes and no window opens; notebooks show the returned
figure (a `ChartFigure`, which has a PNG representation). matplotlib is
imported only when a chart is drawn (extra ``plot``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

from ..errors import InvalidInputError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "OKABE_ITO",
    "RAG_COLOURS",
    "STYLE",
    "axes",
    "palette",
    "sequential",
]

OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)
"""The Okabe & Ito (2008) palette, distinguishable with every common colour-vision
deficiency ("Color Universal Design", https://jfly.uni-koeln.de/color/)."""

RAG_COLOURS: Mapping[str, str] = {
    "green": "#009E73",
    "amber": "#E69F00",
    "red": "#D55E00",
    "grey": "#999999",
}
"""Status colours from the Okabe-Ito palette: told apart by lightness as well as hue."""

STYLE: Mapping[str, Any] = {
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "legend.frameon": False,
    "legend.fontsize": 9,
    "svg.fonttype": "none",
}
"""matplotlib rc settings applied while a chart is drawn (and only then)."""


def palette(n: int) -> list[str]:
    """Return `n` distinct categorical colours, cycling Okabe-Ito beyond eight."""
    return [OKABE_ITO[i % len(OKABE_ITO)] for i in range(n)]


def sequential(n: int) -> list[str]:
    """Return `n` colours from cividis, the colour-vision-deficiency-safe ramp.

    Used for ordered categories such as the states of a process.
    """
    import matplotlib as mpl
    from matplotlib.colors import to_hex

    cmap = mpl.colormaps["cividis"]
    if n == 1:
        return [to_hex(cmap(0.5))]
    return [to_hex(cmap(0.1 + 0.8 * i / (n - 1))) for i in range(n)]


def _import_matplotlib() -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError as error:  # pragma: no cover - depends on the install
        msg = (
            "charts need matplotlib: pip install 'productops[plot]' "
            "(or pip install matplotlib)"
        )
        raise ImportError(msg) from error


@contextmanager
def axes(
    ax: Axes | None, *, size: tuple[float, float] = (8.0, 4.5)
) -> Iterator[tuple[Figure, Axes]]:
    """Yield the figure and axes to draw on, with the house style applied.

    With `ax` given, draw there (its figure is returned to the caller);
    otherwise make a new pyplot-free figure of `size` inches.
    """
    _import_matplotlib()
    import matplotlib as mpl
    from matplotlib.figure import Figure

    from ._figure import ChartFigure

    with mpl.rc_context(cast("Any", dict(STYLE))):
        figure: Figure
        if ax is None:
            figure = ChartFigure(figsize=size, layout="constrained")
            target = figure.add_subplot()
        else:
            parent = ax.get_figure()
            if not isinstance(parent, Figure):
                msg = "ax: the axes must belong to a figure"
                raise InvalidInputError(msg)
            figure, target = parent, ax
        yield figure, target
