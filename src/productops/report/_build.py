"""The report builder: one self-contained HTML page and its Markdown twin.

`build` turns a `Workspace` into a `Report`: a list of sections (flow, release
forecasts, readiness, risks, KPIs, backlog, feedback, delivery, stakeholders),
each rendered both as HTML (tables, inline SVG charts) and as GitHub-flavoured
Markdown (tables, SVG images saved next to the file). Sections come from the
list `SECTIONS`; a section builder takes a `ReportContext` and returns a
`ReportSection`, or None when the workspace lacks its data.
"""

from __future__ import annotations

import functools
import html
import operator
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._tabular import Tabular
from .._version import __version__
from ..errors import InvalidInputError
from ..model import ReleaseStatus, Workspace

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..flow import FlowReport
    from ..people import Message

__all__ = [
    "SECTIONS",
    "Report",
    "ReportChart",
    "ReportContext",
    "ReportSection",
    "SectionBuilder",
    "build",
    "render_section",
    "summary_messages",
]

FILES_FOLDER = "report_files"
"""Folder, next to ``report.md``, that holds the Markdown's SVG charts."""


# --------------------------------------------------------------------------
# Results


@dataclass(frozen=True, slots=True)
class ReportChart:
    """One chart of a report, as SVG text.

    Attributes
    ----------
    name : str
        File stem, unique in the report (``"flow-cfd"``); the Markdown links
        ``report_files/<name>.svg``.
    title : str
        What the chart shows; its ``<title>`` and ``aria-label``.
    svg : str
        The ``<svg>`` element, without XML prolog or DOCTYPE.

    Examples
    --------
    >>> ReportChart("x", "A chart", "<svg></svg>")
    ReportChart('x', 'A chart', 11 chars of SVG)
    """

    name: str
    title: str
    svg: str

    def __repr__(self) -> str:
        return (
            f"ReportChart({self.name!r}, {self.title!r}, {len(self.svg)} chars of SVG)"
        )


@dataclass(frozen=True, slots=True)
class ReportSection:
    """One section of a report, in both formats.

    Attributes
    ----------
    key : str
        Anchor and identifier (``"flow"``, ``"release-2026.2"``).
    title : str
        The heading.
    html : str
        The ``<section>`` element, text escaped, charts inline.
    markdown : str
        The same content in GitHub-flavoured Markdown, charts as images under
        ``report_files/``.
    charts : tuple of ReportChart
        The charts, in the order they appear.
    message : Message or None
        A chat headline for `summary_messages` (flow, readiness, KPIs).

    Examples
    --------
    >>> s = render_section("notes", "Notes", ["All quiet."])
    >>> s
    ReportSection('notes', 'Notes', 0 charts)
    >>> print(s.markdown)
    ## Notes
    <BLANKLINE>
    All quiet.
    <BLANKLINE>
    """

    key: str
    title: str
    html: str
    markdown: str
    charts: tuple[ReportChart, ...] = ()
    message: Message | None = None

    def __repr__(self) -> str:
        return f"ReportSection({self.key!r}, {self.title!r}, {len(self.charts)} charts)"


@dataclass(frozen=True, slots=True)
class Report(Tabular):
    """A built report: sections, and the HTML page and Markdown made of them.

    Attributes
    ----------
    title : str
        The page title.
    as_of : datetime
        The moment the numbers describe (from the data, never the clock).
    sections : tuple of ReportSection
        In page order; only sections the workspace has data for.
    skipped : tuple of str
        Section builders that found no data, by name.
    generated_at : datetime or None
        Shown as a "generated" stamp when set (`build` never reads the clock;
        use ``dataclasses.replace(report, generated_at=...)``).
    html : str
        One self-contained HTML document (property).
    markdown : str
        The Markdown twin (property).

    Examples
    --------
    >>> from datetime import UTC, datetime, time, timedelta
    >>> r = Report("Demo", datetime(2026, 5, 29, tzinfo=UTC), ())
    >>> r
    <Report 'Demo' as of 2026-05-29: 0 sections, 0 charts>
    >>> "<svg" in r.html, r.markdown.splitlines()[0]
    (False, '# Demo')
    """

    title: str
    as_of: datetime
    sections: tuple[ReportSection, ...]
    skipped: tuple[str, ...] = ()
    generated_at: datetime | None = None

    def __repr__(self) -> str:
        charts = sum(len(s.charts) for s in self.sections)
        return (
            f"<Report {self.title!r} as of {self.as_of:%Y-%m-%d}: "
            f"{len(self.sections)} sections, {charts} charts>"
        )

    @property
    def charts(self) -> tuple[ReportChart, ...]:
        """Every chart of the report, in page order."""
        return tuple(chart for s in self.sections for chart in s.charts)

    def _stamp(self) -> str:
        text = f"Data as of {self.as_of:%Y-%m-%d %H:%M %Z}".strip()
        if self.generated_at is not None:
            text += f" · generated {self.generated_at:%Y-%m-%d %H:%M %Z}".rstrip()
        return f"{text} · productops {__version__}"

    @property
    def html(self) -> str:
        """The report as one HTML document: inline CSS and SVG, no scripts."""
        toc = "".join(
            f'<li><a href="#{_esc(s.key)}">{_esc(s.title)}</a></li>'
            for s in self.sections
        )
        nav = (
            f'<nav class="toc"><h2>Contents</h2><ol>{toc}</ol></nav>\n'
            if self.sections
            else '<p class="empty">The workspace has no data to report.</p>\n'
        )
        body = "\n".join(s.html for s in self.sections)
        return (
            "<!DOCTYPE html>\n"
            '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_esc(self.title)}</title>\n<style>{_CSS}</style>\n</head>\n"
            f"<body>\n<header><h1>{_esc(self.title)}</h1>"
            f'<p class="stamp">{_esc(self._stamp())}</p></header>\n'
            f"{nav}<main>\n{body}\n</main>\n</body>\n</html>\n"
        )

    @property
    def markdown(self) -> str:
        """The report as GitHub-flavoured Markdown; charts under ``report_files/``."""
        lines = [f"# {_md(self.title)}", "", f"_{_md(self._stamp())}_", ""]
        if self.sections:
            lines += ["## Contents", ""]
            lines += [
                f"{n}. [{_md(s.title)}](#{_slug(s.title)})"
                for n, s in enumerate(self.sections, 1)
            ]
            lines.append("")
        else:
            lines += ["The workspace has no data to report.", ""]
        return "\n".join(lines) + "\n" + "\n".join(s.markdown for s in self.sections)

    def save(self, folder: str | Path) -> tuple[Path, Path]:
        """Write ``report.html``, ``report.md`` and the Markdown's SVG charts.

        Parameters
        ----------
        folder : str or Path
            Created if missing; existing files of the same names are replaced.

        Returns
        -------
        tuple of Path
            The HTML and Markdown files; the charts are in
            ``folder/report_files/<name>.svg``.

        Examples
        --------
        >>> import tempfile
        >>> from datetime import UTC, datetime, time, timedelta
        >>> r = Report("Demo", datetime(2026, 5, 29, tzinfo=UTC), ())
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     [p.name for p in r.save(tmp)]
        ['report.html', 'report.md']
        """
        target = Path(folder)
        target.mkdir(parents=True, exist_ok=True)
        charts = self.charts
        if charts:
            files = target / FILES_FOLDER
            files.mkdir(exist_ok=True)
            for chart in charts:
                (files / f"{chart.name}.svg").write_text(
                    _SVG_PROLOG + chart.svg + "\n", encoding="utf-8"
                )
        page = target / "report.html"
        page.write_text(self.html, encoding="utf-8")
        twin = target / "report.md"
        twin.write_text(self.markdown, encoding="utf-8")
        return page, twin

    def to_records(self) -> list[dict[str, Any]]:
        """Return one row per section: key, title and chart count.

        Examples
        --------
        >>> from datetime import UTC, datetime, time, timedelta
        >>> Report("Demo", datetime(2026, 5, 29, tzinfo=UTC), ()).to_records()
        []
        """
        return [
            {
                "key": s.key,
                "title": s.title,
                "charts": len(s.charts),
                "has_message": s.message is not None,
            }
            for s in self.sections
        ]


# --------------------------------------------------------------------------
# Rendering helpers

_SVG_PROLOG = '<?xml version="1.0" encoding="utf-8" standalone="no"?>\n'

_CSS = """
:root{--ink:#222;--muted:#666;--rule:#ddd;--accent:#0072B2}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:var(--ink);max-width:62rem;margin:0 auto;padding:1rem 1.5rem}
h1{font-size:1.8rem;margin:.5rem 0 0}h2{font-size:1.35rem;
border-bottom:2px solid var(--accent);padding-bottom:.2rem;margin-top:2rem}
.stamp,.note{color:var(--muted);font-size:.9rem}
table{border-collapse:collapse;margin:.6rem 0 1rem;font-size:.9rem}
th,td{border-bottom:1px solid var(--rule);padding:.25rem .6rem;text-align:left;
vertical-align:top}th{background:#f4f6f8}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1rem 0}figure svg{max-width:100%;height:auto}
figcaption{color:var(--muted);font-size:.85rem}
.toc ol{columns:2}
@media print{body{max-width:none;font-size:11pt}nav.toc{page-break-after:always}
section{page-break-before:always;break-before:page}
section:first-of-type{page-break-before:avoid;break-before:auto}
figure,table{page-break-inside:avoid;break-inside:avoid}a{color:inherit}}
"""


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _md(text: object) -> str:
    """Escape text for Markdown: no raw HTML tags, no table breaks, one line."""
    value = str(text).replace("\\", "&#92;").replace("|", "\\|")
    value = value.replace("<", "&lt;")
    return " ".join(value.splitlines())


def _slug(title: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces to -."""
    text = re.sub(r"[^\w\- ]", "", title.strip().lower())
    return text.replace(" ", "-")


@dataclass(frozen=True, slots=True)
class _Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...] = ()


@dataclass(frozen=True, slots=True)
class _Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Note:
    text: str


Block = str | _Table | _Bullets | _Note | ReportChart


def _table(
    headers: Sequence[str], rows: Iterable[Sequence[object]], *, numeric: str = ""
) -> _Table:
    """Make a table; `numeric` marks right-aligned columns: ``"n"`` (``"-nn"``)."""
    width = len(headers)
    cells = tuple(tuple(str(c) for c in row) for row in rows)
    bad = [n for n, row in enumerate(cells) if len(row) != width]
    if bad:  # pragma: no cover - a programming error in a section builder
        msg = f"table rows {bad} do not have {width} cells"
        raise InvalidInputError(msg)
    flags = tuple(numeric[i : i + 1] == "n" for i in range(width))
    return _Table(tuple(headers), cells, flags)


def _block_html(block: Block) -> str:
    if isinstance(block, str):
        return f"<p>{_esc(block)}</p>"
    if isinstance(block, _Note):
        return f'<p class="note">{_esc(block.text)}</p>'
    if isinstance(block, _Bullets):
        return "<ul>" + "".join(f"<li>{_esc(i)}</li>" for i in block.items) + "</ul>"
    if isinstance(block, _Table):
        flags = block.numeric or (False,) * len(block.headers)

        def cls(i: int) -> str:
            return ' class="num"' if flags[i] else ""

        head = "".join(
            f"<th{cls(i)}>{_esc(h)}</th>" for i, h in enumerate(block.headers)
        )
        body = "".join(
            "<tr>"
            + "".join(f"<td{cls(i)}>{_esc(c)}</td>" for i, c in enumerate(row))
            + "</tr>"
            for row in block.rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return (
        f'<figure id="fig-{_esc(block.name)}">{block.svg}'
        f"<figcaption>{_esc(block.title)}</figcaption></figure>"
    )


def _block_markdown(block: Block) -> str:
    if isinstance(block, str):
        return _md(block)
    if isinstance(block, _Note):
        return f"_{_md(block.text)}_"
    if isinstance(block, _Bullets):
        return "\n".join(f"- {_md(i)}" for i in block.items)
    if isinstance(block, _Table):
        flags = block.numeric or (False,) * len(block.headers)
        lines = [
            "| " + " | ".join(_md(h) or " " for h in block.headers) + " |",
            "| " + " | ".join("---:" if f else "---" for f in flags) + " |",
        ]
        lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in block.rows]
        return "\n".join(lines)
    return f"![{_md(block.title)}]({FILES_FOLDER}/{block.name}.svg)"


def render_section(
    key: str,
    title: str,
    blocks: Iterable[str | ReportChart | Any],
    *,
    message: Message | None = None,
) -> ReportSection:
    """Render content blocks as a `ReportSection` in HTML and Markdown.

    Parameters
    ----------
    key : str
        Anchor; letters, digits, ``.``, ``-`` and ``_``.
    title : str
        The heading.
    blocks : iterable
        Paragraphs (str), charts (`ReportChart`) and the builder's own tables,
        lists and notes, in order. Text is escaped in both formats.
    message : Message, optional
        A chat headline for `summary_messages`.

    Returns
    -------
    ReportSection

    Raises
    ------
    InvalidInputError
        If `key` has other characters.

    Examples
    --------
    >>> s = render_section("a", "<b>Bold</b> claims", ["1 < 2"])
    >>> print(s.html)
    <section id="a">
    <h2>&lt;b&gt;Bold&lt;/b&gt; claims</h2>
    <p>1 &lt; 2</p>
    </section>
    """
    if not re.fullmatch(r"[A-Za-z0-9._-]+", key):
        msg = f"key: {key!r} must be letters, digits, '.', '-' or '_'"
        raise InvalidInputError(msg)
    items: list[Block] = list(blocks)
    charts = tuple(b for b in items if isinstance(b, ReportChart))
    inner = "\n".join(_block_html(b) for b in items)
    page = f'<section id="{_esc(key)}">\n<h2>{_esc(title)}</h2>\n{inner}\n</section>'
    parts = [f"## {_md(title)}", *(_block_markdown(b) for b in items)]
    text = "\n\n".join(parts) + "\n"
    return ReportSection(key, title, page, text, charts, message)


def _svg(figure: Figure, name: str, title: str) -> ReportChart:
    """Serialise a figure as accessible, deterministic, self-contained SVG."""
    import io

    import matplotlib as mpl

    buffer = io.StringIO()
    with mpl.rc_context({"svg.hashsalt": f"productops-{name}", "svg.fonttype": "none"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.DOTALL)
    # Prefix every id with the chart's name so that charts inlined in one page
    # do not collide; make ids valid (artists' gids may hold spaces or ">") and
    # unique (several artists may share a gid). References follow the first.
    used: set[str] = set()
    first: dict[str, str] = {}

    def fresh(found: str) -> str:
        base = f"{name}-" + re.sub(r"[^A-Za-z0-9_.:-]", "-", found)
        candidate, k = base, 1
        while candidate in used:
            k += 1
            candidate = f"{base}-{k}"
        used.add(candidate)
        return candidate

    def define(match: re.Match[str]) -> str:
        found = match.group(2)
        new = fresh(found)
        first.setdefault(found, new)
        return f"{match.group(1)}{new}"

    def refer(match: re.Match[str]) -> str:
        found = match.group(2)
        return f"{match.group(1)}{first[found]}" if found in first else match.group(0)

    text = re.sub(r'(\bid=")([^"]+)(?=")', define, text)
    text = re.sub(r"(url\(#)([^)]+)(?=\))", refer, text)
    text = re.sub(r'(href="#)([^"]+)(?=")', refer, text)
    label = _esc(title)
    text = text.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)
    opening_end = text.index(">") + 1
    text = f"{text[:opening_end]}\n <title>{label}</title>{text[opening_end:]}"
    return ReportChart(name, title, text.strip())


# --------------------------------------------------------------------------
# Context


class ReportContext:
    """What section builders share: the workspace, options and the flow report.

    The flow report (`productops.flow.analyze`) is computed once, on first use.

    Attributes
    ----------
    workspace : Workspace
        The data.
    as_of : datetime
        The report's moment.
    seed : int
        Seed for every Monte Carlo run.
    trials : int
        Monte Carlo trials for forecasts and readiness.
    flow : FlowReport or None
        The flow report, or None without work items.

    Examples
    --------
    >>> from datetime import UTC, datetime, time, timedelta
    >>> from productops.model import Workspace
    >>> ctx = ReportContext(Workspace(), as_of=datetime(2026, 1, 1, tzinfo=UTC))
    >>> ctx.flow is None
    True
    """

    def __init__(
        self,
        workspace: Workspace,
        *,
        as_of: datetime,
        seed: int = 1,
        trials: int = 10_000,
        flow: FlowReport | None = None,
    ) -> None:
        self.workspace = workspace
        self.as_of = as_of
        self.seed = seed
        self.trials = trials
        self._flow = flow
        self._names: set[str] = set()

    @functools.cached_property
    def flow(self) -> FlowReport | None:
        """The flow report as of `as_of`, computed once (None without items)."""
        if self._flow is not None:
            return self._flow
        if not self.workspace.work_items:
            return None
        from ..flow import analyze

        return analyze(self.workspace, as_of=self.as_of)

    def chart(self, figure: Figure, name: str, title: str) -> ReportChart:
        """Serialise a figure as a chart with a unique, file-safe name.

        Parameters
        ----------
        figure : matplotlib.figure.Figure
            The drawn chart.
        name : str
            Wanted file stem; other characters become ``-`` and a repeated
            name gets a number.
        title : str
            The chart's accessible title and caption.

        Returns
        -------
        ReportChart
        """
        stem = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-") or "chart"
        unique, n = stem, 1
        while unique in self._names:
            n += 1
            unique = f"{stem}-{n}"
        self._names.add(unique)
        return _svg(figure, unique, title)

    def open_releases(self) -> list[Any]:
        """Releases neither released nor cancelled, by target date then key."""
        done = (ReleaseStatus.RELEASED, ReleaseStatus.CANCELLED)
        return sorted(
            (r for r in self.workspace.releases if r.status not in done),
            key=lambda r: (r.target_date is None, r.target_date, r.key),
        )


SectionBuilder = Callable[
    [ReportContext], ReportSection | Sequence[ReportSection] | None
]
"""A section builder: the context in, a section (or several, or None) out."""


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _num(value: float | None) -> str:
    if value is None or value != value:
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


# --------------------------------------------------------------------------
# Sections


def flow_section(ctx: ReportContext) -> ReportSection | None:
    """Flow health: headline numbers, the bottleneck, CFD, scatter, aging WIP."""
    report = ctx.flow
    if report is None:
        return None
    from ..people import message_from
    from ._flow_charts import aging_wip_chart, cfd_chart, cycle_time_scatter
    from ._graph_charts import process_chart

    summary = report.summary()
    levels = (50, 70, 85, 95)
    rows = []
    for name, sample in (
        ("cycle time (days)", report.cycle_time),
        ("lead time (days)", report.lead_time),
    ):
        values = sample.percentiles()
        rows.append([name, *(f"{values[level]:.1f}" for level in levels)])
    blocks: list[Block] = [
        _table(["metric", "50 %", "70 %", "85 %", "95 %"], rows, numeric="-nnnn"),
        _table(
            ["headline", "value"],
            [
                ["items", str(summary["items"])],
                ["delivered", str(summary["delivered"])],
                ["WIP now", str(summary["in_progress"])],
                [
                    "throughput (items/week, last 12 weeks)",
                    _num(summary["throughput_per_week"]),
                ],
                ["flow efficiency", _pct(summary["flow_efficiency"])],
                ["rework rate", _pct(summary["rework_rate"])],
            ],
            numeric="-n",
        ),
    ]
    top = summary["bottleneck"]
    if top is not None:
        blocks.append(f"Bottleneck: {top.state}.")
        blocks.append(
            _Bullets(
                (
                    top.reason,
                    f"arrivals {top.arrivals_per_week:.1f}/week, departures "
                    f"{top.departures_per_week:.1f}/week over the last "
                    f"{top.recent_weeks} weeks; median age there "
                    f"{top.median_age_days:.1f} d",
                )
            )
        )
    else:
        blocks.append("No bottleneck stands out.")
    if report.process_guessed:
        blocks.append(
            _Note("The process was discovered from the histories (none was given).")
        )
    blocks.append(
        ctx.chart(process_chart(report), "flow-process", "Process: where work waits")
    )
    blocks.append(ctx.chart(cfd_chart(report), "flow-cfd", "Cumulative flow"))
    blocks.append(
        ctx.chart(cycle_time_scatter(report), "flow-cycle-time", "Cycle time scatter")
    )
    if summary["in_progress"]:
        blocks.append(ctx.chart(aging_wip_chart(report), "flow-aging-wip", "Aging WIP"))
    return render_section(
        "flow",
        f"Flow health as of {report.as_of:%Y-%m-%d}",
        blocks,
        message=message_from(report),
    )


def forecast_section(ctx: ReportContext) -> ReportSection | None:
    """Monte Carlo completion forecast for each open release."""
    report = ctx.flow
    releases = ctx.open_releases()
    if report is None or not releases:
        return None
    from ..forecast import release_confidence, releases_ahead
    from ._charts import forecast_chart

    blocks: list[Block] = [
        _Note(
            f"Monte Carlo: {ctx.trials:,} trials resampling the daily throughput "
            "of the flow report. Releases share it in order of their target "
            "dates: the open items of releases due earlier are done first."
        )
    ]
    not_forecast: list[str] = []
    for release in releases:
        head = f"{release.key} {release.name}".strip()
        if release.target_date is None:
            not_forecast.append(f"{release.key} (no target date)")
            continue
        try:
            ahead = releases_ahead(release, ctx.workspace.releases)
            confidence = release_confidence(
                release, report, ahead=ahead, trials=ctx.trials, seed=ctx.seed
            )
        except InvalidInputError as error:  # e.g. no throughput to resample
            not_forecast.append(f"{release.key} ({error})")
            continue
        forecast = confidence.forecast
        if not confidence.open_items:
            blocks.append(f"{head}: no open items; done as far as the data shows.")
            continue
        dates = forecast.percentiles()
        chance = (
            "no target date"
            if release.target_date is None or confidence.probability is None
            else f"{confidence.probability:.0%} chance of being done by the target "
            f"{release.target_date:%Y-%m-%d}"
        )
        first = (
            f" after {len(confidence.ahead_items)} open items of "
            f"{', '.join(r.key for r in ahead)}"
            if confidence.ahead_items
            else ""
        )
        blocks.append(
            f"{head}: {len(confidence.open_items)} open items{first}; {chance}."
        )
        blocks.append(
            _table(
                ["confidence", "done by"],
                [[f"{level:g} %", f"{day:%Y-%m-%d}"] for level, day in dates.items()],
                numeric="-n",
            )
        )
        title = f"When will {release.key} be done?"
        blocks.append(
            ctx.chart(
                forecast_chart(forecast, target=release.target_date, title=title),
                f"forecast-{release.key}",
                title,
            )
        )
    if not_forecast:
        blocks.append(_Note(f"Not forecast: {'; '.join(not_forecast)}."))
    return render_section("forecast", "Release forecasts", blocks)


def readiness_section(ctx: ReportContext) -> ReportSection | None:
    """Readiness of each open release: verdict and every reason."""
    releases = ctx.open_releases()
    if not releases:
        return None
    from ..people import message_from
    from ..release import readiness

    blocks: list[Block] = []
    worst: tuple[int, Any] | None = None
    rank = {"go": 0, "at_risk": 1, "no_go": 2}
    for release in releases:
        result = readiness(
            release,
            ctx.workspace,
            as_of=ctx.as_of,
            report=ctx.flow,
            trials=ctx.trials,
            seed=ctx.seed,
        )
        verdict = str(result.verdict.value)
        on_time = "-" if result.probability is None else f"{result.probability:.0%}"
        blocks.append(
            f"{release.key} {release.name}: {verdict.replace('_', ' ').upper()} "
            f"(on time {on_time}; {len(result.blockers)} blockers, "
            f"{len(result.warnings)} warnings)."
        )
        if result.reasons:
            blocks.append(
                _table(
                    ["severity", "kind", "subject", "reason"],
                    [
                        [
                            str(r.severity),
                            str(r.kind.value).replace("_", " "),
                            r.subject or "-",
                            r.message,
                        ]
                        for r in result.reasons
                    ],
                )
            )
        score = rank.get(verdict, 0)
        if worst is None or score > worst[0]:
            worst = (score, result)
    skipped = [r.key for r in ctx.workspace.releases if r not in releases]
    if skipped:
        blocks.append(
            _Note(f"Released or cancelled, not judged: {', '.join(skipped)}.")
        )
    message = message_from(worst[1]) if worst is not None else None
    return render_section("readiness", "Release readiness", blocks, message=message)


def risks_section(ctx: ReportContext) -> ReportSection | None:
    """Top open risks, the heat map and each open release's exposure."""
    open_risks = [r for r in ctx.workspace.risks if r.is_open]
    if not open_risks:
        return None
    from ..release import release_risks
    from ..scoring import risk
    from ._charts import risk_heatmap

    ranked = sorted(
        open_risks, key=lambda r: (-(r.score or 0), -(r.expected_cost or 0), r.key)
    )
    rows = [
        [
            r.key,
            r.title,
            "-" if r.score is None else f"{r.likelihood}x{r.impact}",
            "-" if r.score is None or r.scale != 5 else str(r.rating()),
            _num(r.expected_cost),
            r.owner or "-",
        ]
        for r in ranked[:5]
    ]
    totals = risk.rollup(open_risks, by="category")
    now = risk.residual_report(open_risks)
    blocks: list[Block] = [
        _table(
            ["risk", "title", "L x I", "rating", "expected cost", "owner"],
            rows,
            numeric="--nnn-",
        ),
        f"{len(open_risks)} open risks. Exposure {_num(totals.exposure)} "
        f"(probability x cost) and score {totals.score} (L x I); after finished "
        f"mitigations {_num(now.residual_exposure)} and {now.residual_score}.",
    ]
    lines = []
    for release in ctx.open_releases():
        rollup = release_risks(release, ctx.workspace.risks, as_of=ctx.as_of)
        if rollup.lines:
            top = ", ".join(rollup.top) or "-"
            lines.append(
                f"{release.key}: {_count(len(rollup.lines), 'open risk')}, exposure "
                f"{_num(rollup.exposure)}; top {top}"
            )
    if lines:
        blocks.append(_Bullets(tuple(lines)))
    heat = risk.heatmap(open_risks)
    blocks.append(
        ctx.chart(risk_heatmap(heat), "risk-heatmap", "Risks by likelihood and impact")
    )
    blocks.append(_Note("Ratings from the NHS NPSA 5 x 5 matrix."))
    return render_section("risks", "Top risks", blocks)


def _measured(observation: Any) -> datetime:
    """When an observation was known: its instant, or the end of its period (UTC)."""
    when = observation.when
    if isinstance(when, datetime):
        return when
    return datetime.combine(when + timedelta(days=1), time(), tzinfo=UTC)


_RECENT = 4
"""Points back that a KPI signal must reach to count as recent."""

_CHARTED = 2
"""KPIs drawn as control charts."""


def kpis_section(ctx: ReportContext) -> ReportSection | None:
    """KPI status, recent XmR signals, control charts of the worst KPIs."""
    workspace = ctx.workspace
    if not workspace.kpis:
        return None
    from .. import kpi as kpis
    from ..people import message_from
    from ._charts import control_chart

    statuses = []
    rows = []
    scored: list[tuple[int, int, int, Any, Any, list[Any]]] = []
    order = {"red": 0, "amber": 1, "grey": 2, "green": 3}
    for position, kpi in enumerate(workspace.kpis):
        mine = [o for o in workspace.observations if o.kpi == kpi.key]
        state = kpis.status(kpi, mine, as_of=ctx.as_of)
        statuses.append(state)
        whole = sorted(
            (o for o in mine if o.segment is None and _measured(o) <= ctx.as_of),
            key=_measured,
        )
        chart = kpis.xmr(whole) if len(whole) >= 2 else None
        fired = chart.signals if chart is not None else ()
        recent = sorted(
            {s.name for s in fired if max(s.points) >= len(whole) - _RECENT}
        )
        target = _num(kpi.target)
        if kpi.band_low is not None and kpi.band_high is not None:
            target = f"{_num(kpi.band_low)}-{_num(kpi.band_high)}"
        rows.append(
            [
                kpi.name,
                f"{_num(state.value)} {kpi.unit}".strip(),
                target,
                str(state.rag),
                ", ".join(recent) or "-",
            ]
        )
        if chart is not None:
            scored.append(
                (
                    order.get(str(state.rag), 2),
                    -len(recent),
                    position,
                    kpi,
                    chart,
                    whole,
                )
            )
    blocks: list[Block] = [
        _table(["kpi", "latest", "target", "status", "signals"], rows, numeric="-nn--"),
        _Note(
            "Status: the latest value against the KPI's target and thresholds. "
            "Signals: Western Electric rules on an XmR chart of the values "
            f"that fired in the last {_RECENT} points."
        ),
    ]
    worst = sorted(scored, key=lambda s: s[:3])[:_CHARTED]
    if worst:
        blocks.append(
            _Note(
                f"Control charts of the {len(worst)} worst KPIs: red before amber, "
                "then most recent signals."
            )
        )
    for _, _, _, kpi, chart, whole in worst:
        title = f"{kpi.name}: control chart"
        blocks.append(
            ctx.chart(
                control_chart(
                    chart, dates=[o.when for o in whole], title=title, unit=kpi.unit
                ),
                f"kpi-{kpi.key}",
                title,
            )
        )
    return render_section(
        "kpis", "KPI status and signals", blocks, message=message_from(statuses)
    )


def backlog_section(ctx: ReportContext) -> ReportSection | None:
    """Rank the open backlog by RICE and show how robust its top is."""
    from ..scoring import ESTIMATE_SPREADS, rank, sensitivity
    from ._charts import sensitivity_chart

    backlog = [i for i in ctx.workspace.initiatives if i.is_backlog]
    if not backlog:
        return None
    ranking = rank(backlog, by="rice", missing="last")
    scored = [entry.item for entry in ranking if entry.score is not None]
    top = min(5, len(scored))
    unscored = [entry.label for entry in ranking if entry.score is None]
    blocks: list[Block] = []
    chance: dict[str, float] = {}
    robust = None
    if top:
        robust = sensitivity(
            scored,
            score="reach * impact * confidence / effort",
            top=top,
            vary_inputs={k: ESTIMATE_SPREADS[k] for k in ("effort", "reach")},
            trials=5_000,
            seed=ctx.seed,
        )
        chance = dict(zip(robust.labels, robust.probabilities.tolist(), strict=True))
    rows = [
        [
            str(entry.rank),
            entry.label,
            entry.item.title if entry.item is not None else "-",
            _num(entry.score),
            _pct(chance.get(entry.label)),
        ]
        for entry in ranking.top(top + 5)
        if entry.score is not None
    ]
    blocks.append(
        _table(
            ["rank", "key", "initiative", "RICE", f"P(top {top})"],
            rows,
            numeric="n--nn",
        )
    )
    blocks.append(
        _Note(
            f"{len(backlog)} open initiatives (idea or planned). P(top {top}): share "
            f"of 5,000 trials in which the initiative stays in the top {top} when "
            "effort is off by -30 % to +50 % and reach by +-20 %."
        )
    )
    if unscored:
        blocks.append(_Note(f"Not scored (inputs missing): {', '.join(unscored)}."))
    if robust is not None:
        blocks.append(
            ctx.chart(
                sensitivity_chart(robust, top=10),
                "backlog-sensitivity",
                f"Chance of making the top {top}",
            )
        )
    return render_section("backlog", "Prioritised backlog", blocks)


def roadmap_section(ctx: ReportContext) -> ReportSection | None:
    """Show the Now / Next / Later board and the timeline with the releases."""
    initiatives = ctx.workspace.initiatives
    if not initiatives:
        return None
    from ._roadmap import roadmap_board, roadmap_timeline

    today = ctx.as_of.date()
    blocks: list[Block] = [
        ctx.chart(roadmap_board(initiatives), "roadmap-board", "Roadmap"),
    ]
    if any(initiative.target_quarter for initiative in initiatives):
        timeline = roadmap_timeline(initiatives, ctx.workspace.releases, as_of=today)
        blocks.append(ctx.chart(timeline, "roadmap-timeline", "Roadmap timeline"))
    return render_section("roadmap", "Roadmap", blocks)


def feedback_section(ctx: ReportContext) -> ReportSection | None:
    """Feedback themes by tag and the Net Promoter Score."""
    feedback = ctx.workspace.feedback
    if not feedback:
        return None
    from .. import kpi

    themes = kpi.themes(feedback)
    records = themes.to_records()
    rows = [[r["theme"], str(r["count"]), _pct(r["share"])] for r in records[:10]]
    blocks: list[Block] = [
        _table(["theme", "feedback", "share"], rows, numeric="-nn"),
    ]
    kinds = Counter(str(f.kind) for f in feedback)
    if kinds.get("nps"):
        score = kpi.nps(feedback)
        blocks.append(
            f"NPS {float(score.score):+.1f} from {score.n} answers ({score.promoters} "
            f"promoters, {score.passives} passives, {score.detractors} detractors); "
            f"{score.confidence:.0%} interval {float(score.low):+.1f} to "
            f"{float(score.high):+.1f}."
        )
    blocks.append(
        _Note(
            f"Top {len(rows)} of {len(records)} themes. Each feedback counts once "
            f"per distinct tag; shares are of all {len(feedback)} feedback items."
        )
    )
    return render_section("feedback", "Feedback themes", blocks)


def dora_section(ctx: ReportContext) -> ReportSection | None:
    """Measure the DORA four keys from deployments, incidents and work items."""
    deployments = [d for r in ctx.workspace.releases for d in r.deployments]
    if not deployments:
        return None
    from .. import kpi

    metrics = kpi.dora(
        deployments,
        incidents=ctx.workspace.incidents,
        work_items=ctx.workspace.work_items,
    )
    rows = [
        [key, shown, str(n), level or "-"]
        for key, shown, n, level in metrics.summary_rows()
    ]
    blocks: list[Block] = [
        _table(["key", "value", "n", "level"], rows, numeric="-nn-"),
        _Note(
            f"Levels from the {metrics.year} Accelerate State of DevOps report "
            "(clusters, not thresholds: read them as a rough guide)."
        ),
    ]
    return render_section("dora", "Delivery: DORA four keys", blocks)


def stakeholders_section(ctx: ReportContext) -> ReportSection | None:
    """Show the stakeholder communication plan and the RACI check."""
    stakeholders = ctx.workspace.stakeholders
    if not stakeholders:
        return None
    from .. import people

    plan = people.communication_plan(stakeholders)
    rows = [
        [
            quadrant.value.replace("_", " "),
            ", ".join(names),
            channel.value,
            cadence.value,
        ]
        for quadrant, channel, cadence, names in plan.groups()
    ]
    blocks: list[Block] = [
        _table(["quadrant", "who", "channel", "how often"], rows),
    ]
    if ctx.workspace.raci:
        check = people.check_raci(ctx.workspace.raci, stakeholders=stakeholders)
        blocks.append(
            "RACI: every deliverable has one Accountable and a Responsible."
            if check.ok
            else f"RACI: {len(check.problems)} problems, e.g. "
            f"{check.problems[0].message}"
        )
    blocks.append(
        _Note(
            "Quadrants of the power/interest grid after Mendelow (1991); "
            "channels are the stakeholders' own where given."
        )
    )
    return render_section("stakeholders", "Stakeholder plan", blocks)


SECTIONS: list[SectionBuilder] = [
    flow_section,
    forecast_section,
    readiness_section,
    risks_section,
    kpis_section,
    backlog_section,
    roadmap_section,
    feedback_section,
    dora_section,
    stakeholders_section,
]
"""The section builders `build` runs, in page order; extend it to add sections.

A builder takes a `ReportContext` and returns a `ReportSection` (made with
`render_section`), a sequence of them, or None when the workspace lacks its
data. Keys must be unique within a report.
"""


# --------------------------------------------------------------------------
# build


def build(
    workspace: Workspace,
    *,
    as_of: datetime | None = None,
    seed: int = 1,
    title: str | None = None,
    trials: int = 10_000,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Build a report of a workspace: flow, releases, risks, KPIs, people.

    Each builder of `SECTIONS` runs in turn; sections without data are left
    out and named in `Report.skipped`. The flow report is computed once and
    shared (`ReportContext.flow`).

    Parameters
    ----------
    workspace : Workspace
        The data.
    as_of : datetime, optional
        Timezone-aware moment of the report. Default: the flow report's
        ``as_of`` (the last status change) when there are work items,
        otherwise the latest timestamp in the workspace; the Unix epoch for
        an empty workspace.
    seed : int, default 1
        Seed of every Monte Carlo run; same seed, same report.
    title : str, optional
        Default ``"<workspace name>: product operations report"``.
    trials : int, default 10_000
        Monte Carlo trials for release forecasts and readiness.
    progress : callable, optional
        Called with a short label before each section is built.

    Returns
    -------
    Report

    Raises
    ------
    InvalidInputError
        If `as_of` is naive or `trials` is below 1 (all problems in one
        message).

    Examples
    --------
    >>> from productops.datasets import load_demo
    >>> report = build(load_demo(), trials=2_000)
    >>> [s.key for s in report.sections]  # doctest: +NORMALIZE_WHITESPACE
    ['flow', 'forecast', 'readiness', 'risks', 'kpis', 'backlog', 'roadmap',
     'feedback', 'dora', 'stakeholders']
    >>> report.as_of.date()
    datetime.date(2026, 5, 29)
    """
    problems = []
    if as_of is not None and (as_of.tzinfo is None or as_of.utcoffset() is None):
        problems.append("as_of: must be timezone-aware (e.g. tzinfo=datetime.UTC)")
    if isinstance(trials, bool) or operator.index(trials) < 1:
        problems.append(f"trials: must be a positive integer, got {trials!r}")
    if problems:
        msg = "; ".join(problems)
        raise InvalidInputError(msg)
    flow = None
    if as_of is None:
        if workspace.work_items:
            from ..flow import analyze

            flow = analyze(workspace)
            as_of = flow.as_of
        else:
            from ..release._readiness import latest_event

            try:
                as_of = latest_event(workspace)
            except InvalidInputError:  # no timestamped record at all
                as_of = datetime(1970, 1, 1, tzinfo=UTC)
    ctx = ReportContext(workspace, as_of=as_of, seed=seed, trials=trials, flow=flow)
    sections: list[ReportSection] = []
    skipped: list[str] = []
    for builder in SECTIONS:
        name = getattr(builder, "__name__", "section").removesuffix("_section")
        if progress is not None:
            progress(name)
        made = builder(ctx)
        if made is None:
            skipped.append(name)
        elif isinstance(made, ReportSection):
            sections.append(made)
        else:
            sections.extend(made)
    keys = Counter(s.key for s in sections)
    twice = sorted(k for k, n in keys.items() if n > 1)
    if twice:
        msg = f"SECTIONS: section keys used twice: {', '.join(twice)}"
        raise InvalidInputError(msg)
    heading = title or f"{workspace.name}: product operations report"
    return Report(heading, as_of, tuple(sections), tuple(skipped))


# --------------------------------------------------------------------------
# Chat summaries

_SEVERITY = {"bad": 3, "warning": 2, "good": 1, "neutral": 0}


def summary_messages(report: Report) -> dict[str, dict[str, Any]]:
    """Return a Slack and a Teams payload summarising the report.

    One headline `productops.people.Message` is made from the sections'
    messages (flow, readiness, KPIs): its status is the worst of theirs, each
    becomes a section with its summary and first facts.

    Parameters
    ----------
    report : Report
        From `build`.

    Returns
    -------
    dict
        ``{"slack": slack_blocks(message), "teams": teams_card(message)}``.

    Examples
    --------
    >>> from datetime import UTC, datetime, time, timedelta
    >>> empty = Report("Weekly", datetime(2026, 5, 29, tzinfo=UTC), ())
    >>> payloads = summary_messages(empty)
    >>> sorted(payloads), payloads["slack"]["blocks"][0]["type"]
    (['slack', 'teams'], 'header')
    """
    from ..people import Message, slack_blocks, teams_card

    messages = [s.message for s in report.sections if s.message is not None]
    status = "neutral"
    for message in messages:
        if _SEVERITY[str(message.status)] > _SEVERITY[status]:
            status = str(message.status)
    parts = []
    for message in messages:
        lines = [message.summary] if message.summary else []
        lines += [f"{fact.label}: {fact.value}" for fact in message.facts[:4]]
        parts.append((message.title, lines or ["-"]))
    headline = Message(
        title=report.title,
        status=status,  # type: ignore[arg-type]
        summary=f"As of {report.as_of:%Y-%m-%d}: "
        + (
            "; ".join(f"{m.title} {m.status}" for m in messages)
            if messages
            else "no flow, readiness or KPI data"
        ),
        sections=parts,
    )
    return {"slack": slack_blocks(headline), "teams": teams_card(headline)}
