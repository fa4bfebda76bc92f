"""Notebook helpers: ``to_pandas()`` and HTML reprs for result objects.

`Tabular` is the mixin every result with ``to_records()`` inherits: it adds
``to_pandas()`` and a default ``_repr_html_`` (Jupyter shows it instead of the
plain ``repr``). The helpers `html_table`, `rag_badge` and `inline_bar` build
the custom HTML reprs of the bigger results. Everything here is plain HTML with
inline styles: no JavaScript, no external assets, and every piece of text is
escaped with `html.escape`.
"""

from __future__ import annotations

import builtins
import enum
import html
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from numbers import Integral, Real
from typing import Any

__all__ = [
    "RAG_HEX",
    "Markup",
    "Tabular",
    "escape",
    "format_value",
    "html_table",
    "inline_bar",
    "rag_badge",
    "section",
]

MAX_ROWS = 20
"""Rows shown by default before "… N more rows"."""

# A copy of `productops.report._style.RAG_COLOURS` (Okabe-Ito status colours):
# that module is not imported here so that nothing pulls in matplotlib.
RAG_HEX: Mapping[str, str] = {
    "green": "#009E73",
    "amber": "#E69F00",
    "red": "#D55E00",
    "grey": "#999999",
}

# C0 controls (but tab, newline, carriage return) and DEL are not allowed in
# HTML or XML text: shown as U+FFFD, the replacement character.
_CONTROLS = {c: "\ufffd" for c in [*range(0x20), 0x7F] if chr(c) not in "\t\n\r"}

_TABLE_STYLE = "border-collapse:collapse;font-size:0.9em"
_CELL_STYLE = "padding:2px 8px;border-bottom:1px solid #ddd"
_CAPTION_STYLE = "caption-side:top;text-align:left;font-weight:bold;padding:4px 0"


class Markup(str):
    """Text that is already safe HTML: `html_table` puts it in a cell unescaped.

    Only the helpers of this module make it; wrap nothing that holds user text.

    Examples
    --------
    >>> html_table([{"status": rag_badge("green"), "name": "<b>"}]).count("&lt;b&gt;")
    1
    """

    __slots__ = ()


def escape(text: str) -> str:
    """Return `text` escaped for HTML text or attributes (quotes included).

    Control characters that HTML and XML forbid become U+FFFD.

    Examples
    --------
    >>> escape('<a href="x">')
    '&lt;a href=&quot;x&quot;&gt;'
    >>> escape(chr(8)) == chr(0xFFFD)
    True
    """
    return html.escape(text).translate(_CONTROLS)


def format_value(value: Any) -> str:
    """Return `value` as readable text for a table cell (not yet escaped).

    Integers get thousands separators; floats four significant digits (whole
    numbers from 10,000 up with separators); missing numbers (None, NaN) an
    empty string; dates ISO 8601; enums their value.

    Parameters
    ----------
    value : object
        Any cell value.

    Returns
    -------
    str
        The text to show.

    Examples
    --------
    >>> [format_value(v) for v in (1234567, 0.123456, 12345.6, None, float("nan"))]
    ['1,234,567', '0.1235', '12,346', '', '']
    >>> format_value(True), format_value(date(2026, 6, 1))
    ('True', '2026-06-01')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, Integral):
        return f"{int(value):,}"
    if isinstance(value, Real):
        x = float(value)
        if math.isnan(x):
            return ""
        if math.isinf(x) or abs(x) < 1e4:
            return f"{x:.4g}"
        return f"{x:,.0f}"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(format_value(v) for v in value)
    return str(value)


def _cell(value: Any, tag: str = "td") -> str:
    if isinstance(value, Markup):
        return f'<{tag} style="{_CELL_STYLE}">{value}</{tag}>'
    numeric = isinstance(value, Real) and not isinstance(value, bool)
    align = ";text-align:right" if numeric else ";text-align:left"
    text = escape(format_value(value))
    return f'<{tag} style="{_CELL_STYLE}{align}">{text}</{tag}>'


def html_table(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str] | None = None,
    caption: str | None = None,
    max_rows: int = MAX_ROWS,
) -> str:
    """Return `rows` as an HTML table, every value escaped.

    Parameters
    ----------
    rows : iterable of mapping
        The records (as from ``to_records()``).
    columns : sequence of str, optional
        Columns to show, in order; default: every key, in first-seen order.
    caption : str, optional
        Table caption (escaped).
    max_rows : int
        Rows shown; the rest are counted in a last row "… N more rows".

    Returns
    -------
    str
        The ``<table>`` element. Cells holding `Markup` (badges, bars) are
        inserted as they are; everything else is formatted with
        `format_value` and escaped.

    Examples
    --------
    >>> print(html_table([{"kpi": "<script>", "value": 1500}], caption="KPIs"))
    ... # doctest: +NORMALIZE_WHITESPACE
    <table ...><caption ...>KPIs</caption><thead><tr><th ...>kpi</th><th
    ...>value</th></tr></thead><tbody><tr><td ...>&lt;script&gt;</td><td
    ...>1,500</td></tr></tbody></table>
    """
    rows = list(rows)
    if columns is None:
        seen: dict[str, None] = {}
        for row in rows:
            seen.update(dict.fromkeys(row))
        columns = list(seen)
    parts = [f'<table style="{_TABLE_STYLE}">']
    if caption is not None:
        parts.append(f'<caption style="{_CAPTION_STYLE}">{escape(caption)}</caption>')
    head = "".join(
        f'<th style="{_CELL_STYLE};text-align:left">{escape(str(c))}</th>'
        for c in columns
    )
    parts.append(f"<thead><tr>{head}</tr></thead><tbody>")
    shown = rows[: max(max_rows, 0)]
    parts.extend(
        "<tr>" + "".join(_cell(row.get(c)) for c in columns) + "</tr>" for row in shown
    )
    hidden = len(rows) - len(shown)
    if hidden:
        noun = "row" if hidden == 1 else "rows"
        parts.append(
            f'<tr><td colspan="{max(len(columns), 1)}" style="{_CELL_STYLE};'
            f'font-style:italic">… {hidden:,} more {noun}</td></tr>'
        )
    parts.append("</tbody></table>")
    return "".join(parts)


def rag_badge(colour: str, *, label: str | None = None) -> Markup:
    """Return a small coloured badge for a red/amber/green/grey status.

    The colours are the Okabe-Ito status colours of
    `productops.report._style.RAG_COLOURS` (told apart by colour-blind
    readers too), and the badge always carries its text, so colour is never
    the only signal.

    Parameters
    ----------
    colour : {"green", "amber", "red", "grey"}
        The status; anything else is shown grey.
    label : str, optional
        The text on the badge (escaped); default: `colour`.

    Returns
    -------
    Markup
        A ``<span>`` element.

    Examples
    --------
    >>> rag_badge("red")
    '<span style="background:#D55E00;color:#000;...">red</span>'
    >>> "&lt;" in rag_badge("green", label="<go>")
    True
    """
    background = RAG_HEX.get(colour, RAG_HEX["grey"])
    text = escape(colour if label is None else label)
    return Markup(
        f'<span style="background:{background};color:#000;padding:0 0.5em;'
        f'border-radius:0.6em;font-weight:bold;white-space:nowrap">{text}</span>'
    )


def inline_bar(
    value: float, max: float, *, width: int = 80, colour: str = "#0072B2"
) -> Markup:
    """Return a tiny horizontal CSS bar showing ``value / max``.

    Parameters
    ----------
    value : float
        The length to show; clipped to ``[0, max]``; NaN shows empty.
    max : float
        The value of a full bar; zero or less shows an empty bar.
    width : int
        Width of the full bar in pixels.
    colour : str
        CSS colour of the filled part (default Okabe-Ito blue).

    Returns
    -------
    Markup
        Nested ``<span>`` elements (no JavaScript, no images).

    Examples
    --------
    >>> 'width:50.0%' in inline_bar(5, 10)
    True
    >>> 'width:0.0%' in inline_bar(float("nan"), 10)
    True
    """
    share = 0.0
    if max > 0 and not math.isnan(value):
        share = min(1.0, builtins.max(0.0, float(value) / float(max)))
    return Markup(
        f'<span style="display:inline-block;width:{int(width)}px;height:0.8em;'
        f'background:#eee;vertical-align:middle">'
        f'<span style="display:block;width:{share * 100:.1f}%;height:100%;'
        f'background:{escape(colour)}"></span></span>'
    )


def section(title: str, body: str) -> str:
    """Return `body` (HTML) under a small heading `title` (escaped).

    Examples
    --------
    >>> section("Top", "<p>x</p>")
    '<div><div style="font-weight:bold;margin:4px 0">Top</div><p>x</p></div>'
    """
    return (
        f'<div><div style="font-weight:bold;margin:4px 0">{escape(title)}'
        f"</div>{body}</div>"
    )


class Tabular:
    """Mixin for results with ``to_records()``: ``to_pandas()`` and an HTML repr.

    It has no state (``__slots__ = ()``), so frozen slotted dataclasses can
    inherit it. Subclasses define `to_records`; they may override
    ``_repr_html_`` for a richer view.

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True, slots=True)
    ... class Pair(Tabular):
    ...     a: int
    ...     def to_records(self):
    ...         return [{"a": self.a}, {"a": -self.a}]
    >>> Pair(3).to_pandas()["a"].tolist()
    [3, -3]
    >>> "<td" in Pair(3)._repr_html_()
    True
    """

    __slots__ = ()

    def to_records(self) -> list[dict[str, Any]]:
        """Return the result as a list of dicts (one per row)."""
        raise NotImplementedError

    def to_pandas(self) -> Any:
        """Return ``to_records()`` as a pandas DataFrame.

        Returns
        -------
        pandas.DataFrame
            One row per record, the records' keys as columns.

        Raises
        ------
        ImportError
            If pandas is not installed (``pip install 'productops[pandas]'``).
        """
        pd = _pandas()
        records = self.to_records()
        columns: dict[str, None] = {}
        for record in records:
            columns.update(dict.fromkeys(record))
        return pd.DataFrame.from_records(records, columns=list(columns))

    def _caption(self) -> str:
        text = repr(self)
        if len(text) > 200:
            text = f"{type(self).__name__}"
        return text

    def _repr_html_(self) -> str:
        return html_table(self.to_records(), caption=self._caption())


def _pandas() -> Any:
    try:
        import pandas as pd
    except ImportError as error:  # pragma: no cover - pandas is a test dependency
        msg = "to_pandas needs pandas: pip install 'productops[pandas]'"
        raise ImportError(msg) from error
    return pd
