"""A matplotlib Figure that shows itself in a notebook without pyplot.

Charts are drawn on figures made without pyplot (nothing global changes, no
window opens). IPython shows such a figure only if an inline backend was
activated first; `ChartFigure` shows itself anyway, through `_repr_png_`.
Importing this module imports matplotlib, so only chart code imports it.
"""

from __future__ import annotations

import io

from matplotlib.figure import Figure

__all__ = ["ChartFigure"]


class ChartFigure(Figure):
    """A `matplotlib.figure.Figure` with a PNG representation for notebooks.

    Examples
    --------
    >>> figure = ChartFigure(figsize=(2, 1))
    >>> figure._repr_png_()[1:4]
    b'PNG'
    """

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", bbox_inches="tight")
        return buffer.getvalue()
