"""Analysis subcommands of the ``productops`` command line.

Commands
--------
``productops flow``
    Headline flow numbers, the bottleneck with its evidence, or one flow table.
``productops forecast``
    When will N items be done, how many by a date, will a release make it.
``productops score``
    Rank initiatives by RICE, WSJF or a formula; optionally how robust the top is.
``productops risk``
    The risk register with ratings, exposure and residual; or one release's risks.
``productops kpi``
    Status and recent signals of every KPI; one KPI's trend; the DORA four keys.

Every command reads ``--workspace DIR`` (a folder written by `Workspace.save`) or
``--demo`` (the bundled demo); ``flow`` and ``forecast`` also read an event log
with ``--events FILE.csv``. Output is a rich table (default), ``--format json``
(a list of plain records) or ``--format csv``, to stdout or ``--out FILE``.

The commands are registered on the ``productops`` group by `productops.cli`
(`COMMANDS`).
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from .errors import ProductOpsError

if TYPE_CHECKING:
    from rich.console import RenderableType

    from .flow import EventLog, FlowReport
    from .kpi import Signal
    from .model import Workspace

__all__ = [
    "COMMANDS",
    "flow_command",
    "forecast_command",
    "kpi_command",
    "risk_command",
    "score_command",
]

Record = dict[str, Any]
Decorator = Callable[[Callable[..., None]], Callable[..., None]]

_LEVELS = (50, 70, 85, 95)
"""Percentile levels the forecasts print."""


_FORMULAS = {
    "rice": "reach * impact * confidence / effort",
    "wsjf": "(business_value + time_criticality + risk_reduction) / job_size",
}


# -- output -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Output:
    """What a command prints: one table of records, with a title and notes."""

    title: str
    records: list[Record]
    notes: list[str] = field(default_factory=list)
    hide: tuple[str, ...] = ()
    """Columns left out of the rich table (long texts); json and csv keep them."""


def _plain(value: Any) -> Any:
    """Turn a value into something `json` and `csv` write as users expect."""
    if hasattr(value, "value") and not isinstance(value, int | float):
        return value.value  # enums
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and callable(value.item):
        return value.item()  # numpy scalars
    if isinstance(value, float) and value != value:
        return None
    return value


def _cell(value: Any) -> str:
    """Format a plain value for a rich table cell."""
    from .cli import _number

    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "-"
    return str(value)


def _render(output: _Output, fmt: str) -> str | RenderableType:
    records = [{k: _plain(v) for k, v in row.items()} for row in output.records]
    if fmt == "json":
        return json.dumps(records, default=str, indent=2) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        names = list(records[0]) if records else []
        writer = csv.DictWriter(buffer, fieldnames=names, lineterminator="\n")
        writer.writeheader()
        for row in records:
            writer.writerow(
                {
                    k: "; ".join(str(x) for x in v) if isinstance(v, list) else v
                    for k, v in row.items()
                }
            )
        return buffer.getvalue()
    from rich.console import Group
    from rich.text import Text

    from .cli import _table

    shown = [{k: v for k, v in row.items() if k not in output.hide} for row in records]
    if len(shown) == 1:
        table = _table(output.title, "field", "value")
        for name, value in shown[0].items():
            table.add_row(name, Text(_cell(value)))
    else:
        table = _table(output.title, *(shown[0] if shown else ("(no rows)",)))
        for row in shown:
            table.add_row(*(Text(_cell(value)) for value in row.values()))
    parts: list[RenderableType] = [table]
    parts += [Text(note) for note in output.notes]
    return Group(*parts)


def _emit(output: _Output, fmt: str, out: Path | None) -> None:
    from rich.console import Console

    rendered = _render(output, fmt)
    if isinstance(rendered, str):
        if out is None:
            click.echo(rendered, nl=False)
        else:
            out.write_text(rendered, encoding="utf-8")
        return
    if out is None:
        Console().print(rendered)
        return
    buffer = io.StringIO()
    Console(file=buffer, width=120, no_color=True).print(rendered)
    out.write_text(buffer.getvalue(), encoding="utf-8")


@contextlib.contextmanager
def _busy(message: str) -> Iterator[None]:
    """Show a spinner on stderr while long work runs, only on a terminal."""
    if not sys.stderr.isatty():
        yield
        return
    from rich.console import Console

    with Console(stderr=True).status(message):
        yield


def _warn(message: str) -> None:
    click.echo(message, err=True)


def _fail(exc: ProductOpsError) -> NoReturn:
    """Report a data error cleanly and exit with code 1."""
    click.echo(f"error: {exc}", err=True)
    raise SystemExit(1) from None


def _unknown(what: str, key: str, known: Sequence[str], hint: str) -> NoReturn:
    choices = ", ".join(known) or "(none)"
    msg = f"unknown {what} {key!r}; known {what}s: {choices}"
    raise click.BadParameter(msg, param_hint=hint)


# -- options and loading ------------------------------------------------------------


def _compose(*decorators: Decorator) -> Decorator:
    def apply(function: Callable[..., None]) -> Callable[..., None]:
        for decorator in reversed(decorators):
            function = decorator(function)
        return function

    return apply


_data_options = _compose(
    click.option(
        "--workspace",
        "workspace_dir",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        help="Workspace folder (written by `productops demo --out` or Workspace.save).",
    ),
    click.option("--demo", is_flag=True, help="Use the bundled demo workspace."),
    click.option(
        "--tz",
        default=None,
        help="Time zone for timestamps (and --as-of) written without an offset.",
    ),
)

_output_options = _compose(
    click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "json", "csv"]),
        default="table",
        show_default=True,
        help="Output format: a rich table, JSON records or CSV rows.",
    ),
    click.option(
        "--out",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Write the output to this file instead of stdout.",
    ),
)

_log_options = _compose(
    click.option(
        "--events",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        default=None,
        help="Event log CSV, one row per state entered (item, status, timestamp).",
    ),
    click.option("--item-col", default=None, help="Item key column of --events."),
    click.option("--status-col", default=None, help="Status column of --events."),
    click.option("--time-col", default=None, help="Timestamp column of --events."),
    click.option(
        "--as-of",
        default=None,
        metavar="DATETIME",
        help="Analysis time (ISO 8601 with offset); default: the last event.",
    ),
    click.option("--team", default=None, help="Keep only this team's items."),
    click.option("--type", "kind", default=None, help="Keep only items of this type."),
)


@functools.cache
def _demo() -> Workspace:
    from .datasets import load_demo

    return load_demo()


def _workspace(workspace_dir: Path | None, *, demo: bool, tz: str | None) -> Workspace:
    """Load the workspace the options name, or exit with the problems listed."""
    from .model import Workspace

    if workspace_dir is not None and demo:
        msg = "give --workspace DIR or --demo, not both"
        raise click.UsageError(msg)
    if demo:
        return _demo()
    if workspace_dir is None:
        msg = "give --workspace DIR or --demo"
        raise click.UsageError(msg)
    try:
        with _busy(f"Loading {workspace_dir}"):
            return Workspace.load(workspace_dir, tz=tz)
    except ProductOpsError as exc:
        _fail(exc)


def _as_of(text: str | None, tz: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        msg = f"{text!r} is not an ISO 8601 date-time (e.g. 2026-05-01T00:00Z)"
        raise click.BadParameter(msg, param_hint="--as-of") from None
    if moment.tzinfo is None:
        if tz is None:
            msg = (
                f"{text!r} has no time zone; add an offset (e.g. {text}+00:00) "
                "or give --tz"
            )
            raise click.BadParameter(msg, param_hint="--as-of")
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            moment = moment.replace(tzinfo=ZoneInfo(tz))
        except (ZoneInfoNotFoundError, ValueError):
            msg = f"{tz!r} is not a known IANA time zone"
            raise click.BadParameter(msg, param_hint="--tz") from None
    return moment


@dataclass(frozen=True, slots=True)
class _LogArgs:
    events: Path | None
    item_col: str | None
    status_col: str | None
    time_col: str | None
    as_of: str | None
    team: str | None
    kind: str | None


def _read_events(
    args: _LogArgs, workspace: Workspace | None, tz: str | None
) -> EventLog:
    from .flow import EventLog

    assert args.events is not None  # noqa: S101 - only called with --events
    attributes: dict[str, Any] = {
        name: name
        for name, wanted in (("team", args.team), ("type", args.kind))
        if wanted is not None
    }
    try:
        with _busy(f"Reading {args.events}"):
            log = EventLog.from_csv(
                args.events,
                item=args.item_col,
                status=args.status_col,
                timestamp=args.time_col,
                tz=tz,
                process=None if workspace is None else workspace.process,
                **attributes,
            )
    except KeyError as exc:
        msg = str(exc.args[0]) if exc.args else str(exc)
        raise click.BadParameter(msg, param_hint="--events") from None
    if log.problems:
        shown = "; ".join(str(p) for p in log.problems[:5])
        more = f" (+{len(log.problems) - 5} more)" if len(log.problems) > 5 else ""
        _warn(
            f"{args.events}: {len(log.problems)} rows dropped or repaired: "
            f"{shown}{more}"
        )
    return log


def _report(
    args: _LogArgs, workspace_dir: Path | None, *, demo: bool, tz: str | None
) -> tuple[FlowReport, Workspace | None]:
    """Analyse the event log or workspace the options name."""
    from .flow import analyze

    workspace = (
        _workspace(workspace_dir, demo=demo, tz=tz)
        if args.events is None or workspace_dir is not None or demo
        else None
    )
    as_of = _as_of(args.as_of, tz)
    try:
        if args.events is not None:
            source: EventLog | Workspace = _read_events(args, workspace, tz)
            process = None if workspace is None else workspace.process
        else:
            assert workspace is not None  # noqa: S101 - loaded above
            source, process = workspace, None
        with _busy("Analysing flow"):
            report = analyze(
                source, process, as_of=as_of, team=args.team, type=args.kind
            )
    except KeyError as exc:
        msg = str(exc.args[0]) if exc.args else str(exc)
        raise click.BadParameter(msg, param_hint="--team/--type") from None
    except ProductOpsError as exc:
        _fail(exc)
    if report.process_guessed:
        _warn("No process given: discovered one from the event log.")
    return report, workspace


# -- flow ---------------------------------------------------------------------------

_FLOW_TABLES = (
    "summary",
    "cycle-time",
    "aging",
    "throughput",
    "bottlenecks",
    "time-in-state",
)


def _summary_records(report: FlowReport) -> list[Record]:
    summary = report.summary()
    rows: list[Record] = [
        {"metric": "as_of", "value": summary["as_of"]},
        {"metric": "items", "value": summary["items"]},
        {"metric": "delivered", "value": summary["delivered"]},
        {"metric": "in_progress", "value": summary["in_progress"]},
    ]
    for name in ("cycle_time_days", "lead_time_days"):
        for level, days in summary[name].items():
            rows.append({"metric": f"{name}_p{level:g}", "value": days})
    rows.extend(
        {"metric": name, "value": float(summary[name])}
        for name in ("throughput_per_week", "flow_efficiency", "rework_rate")
    )
    top = summary["bottleneck"]
    rows.append({"metric": "bottleneck", "value": None if top is None else top.state})
    rows.append(
        {"metric": "bottleneck_reason", "value": None if top is None else top.reason}
    )
    return rows


def _flow_output(report: FlowReport, table: str) -> _Output:
    when = f"as of {report.as_of:%Y-%m-%d %H:%M %Z}"
    if table == "summary":
        top = report.summary()["bottleneck"]
        notes = [] if top is None else [f"Bottleneck: {top.reason}"]
        notes.append(
            "Times in days of 86,400 s; throughput is the mean of the last 12 weeks."
        )
        return _Output(f"Flow {when}", _summary_records(report), notes)
    if table == "cycle-time":
        return _Output(
            f"Cycle time per delivered item (days), {when}",
            report.cycle_time.to_records(),
        )
    if table == "aging":
        return _Output(
            f"Work in progress by age (days), {when}", report.aging_wip().to_records()
        )
    if table == "throughput":
        return _Output(
            f"Items delivered per week, {when}",
            report.throughput(freq="W").to_records(),
            ["Weeks start on Monday; the first and last may be partial."],
        )
    if table == "time-in-state":
        return _Output(
            f"Time in state (days), {when}", report.time_in_state().to_records()
        )
    rows = []
    for bottleneck in report.bottlenecks():
        row = {
            name: getattr(bottleneck, name) for name in bottleneck.__dataclass_fields__
        }
        row["growing"] = bottleneck.growing
        rows.append(row)
    return _Output(f"In-cycle states by share of item-time, {when}", rows)


_FLOW_EPILOG = """\b
Examples:
  productops flow --demo
  productops flow --workspace ws --team payments --table aging --format csv
  productops flow --events log.csv --tz Europe/Berlin --table bottlenecks
"""


@click.command("flow", epilog=_FLOW_EPILOG)
@_data_options
@_log_options
@click.option(
    "--table",
    "table",
    type=click.Choice(_FLOW_TABLES),
    default="summary",
    show_default=True,
    help="Which table to print.",
)
@_output_options
def flow_command(
    *,
    workspace_dir: Path | None,
    demo: bool,
    tz: str | None,
    events: Path | None,
    item_col: str | None,
    status_col: str | None,
    time_col: str | None,
    as_of: str | None,
    team: str | None,
    kind: str | None,
    table: str,
    fmt: str,
    out: Path | None,
) -> None:
    """Flow metrics: headline numbers, the bottleneck, or one flow table.

    Reads the work items of --workspace or --demo, or an event log --events
    (with a workspace too, its process gives the states' categories; without,
    a process is discovered from the log).
    """
    args = _LogArgs(events, item_col, status_col, time_col, as_of, team, kind)
    report, _ = _report(args, workspace_dir, demo=demo, tz=tz)
    _emit(_flow_output(report, table), fmt, out)


# -- forecast -----------------------------------------------------------------------

_FORECAST_EPILOG = """\b
Examples:
  productops forecast --demo --items 30 --seed 1
  productops forecast --demo --until 2026-07-31 --format json
  productops forecast --workspace ws --release 2026.2 --trials 20000
"""


@click.command("forecast", epilog=_FORECAST_EPILOG)
@_data_options
@_log_options
@click.option(
    "--items",
    type=click.IntRange(min=0),
    default=None,
    help="When will N items be done?",
)
@click.option(
    "--until",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="How many items will be done by this date (included)?",
)
@click.option(
    "--release",
    "release_key",
    default=None,
    help="Will this release make its target date?",
)
@click.option(
    "--trials",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="Monte Carlo trials.",
)
@click.option("--seed", type=int, default=None, help="Seed for repeatable results.")
@click.option(
    "--window-days",
    type=click.IntRange(min=1),
    default=None,
    help="Days of throughput history to resample  [default: 84]",
)
@_output_options
def forecast_command(
    *,
    workspace_dir: Path | None,
    demo: bool,
    tz: str | None,
    events: Path | None,
    item_col: str | None,
    status_col: str | None,
    time_col: str | None,
    as_of: str | None,
    team: str | None,
    kind: str | None,
    items: int | None,
    until: datetime | None,
    release_key: str | None,
    trials: int,
    seed: int | None,
    window_days: int | None,
    fmt: str,
    out: Path | None,
) -> None:
    """Monte Carlo forecasts from past daily throughput.

    Give exactly one question: --items N (when will N items be done),
    --until DATE (how many by then) or --release KEY (the chance that the
    release's open scope is done by its target date). Day 1 is the day after
    the analysis time; each trial resamples days of the last --window-days.
    """
    from . import forecast

    asked = [
        name
        for name, value in (
            ("--items", items),
            ("--until", until),
            ("--release", release_key),
        )
        if value is not None
    ]
    if len(asked) != 1:
        msg = "give exactly one of --items N, --until DATE or --release KEY"
        raise click.UsageError(msg)
    args = _LogArgs(events, item_col, status_col, time_col, as_of, team, kind)
    report, workspace = _report(args, workspace_dir, demo=demo, tz=tz)
    method = f"{trials:,} trials on {window_days or 84} days of throughput"
    try:
        if items is not None:
            with _busy("Forecasting"):
                when = forecast.when(
                    items, report, trials=trials, seed=seed, window_days=window_days
                )
            dates = when.percentiles(_LEVELS)
            output = _Output(
                f"When will {items} items be done?",
                [{"confidence": level, "done_by": day} for level, day in dates.items()],
                [f"Monte Carlo from {when.start}: {method}."],
            )
        elif until is not None:
            with _busy("Forecasting"):
                many = forecast.how_many(
                    until.date(),
                    report,
                    trials=trials,
                    seed=seed,
                    window_days=window_days,
                )
            counts = many.percentiles(_LEVELS)
            output = _Output(
                f"How many items will be done from {many.start} to {many.until}?",
                [{"confidence": level, "at_least": n} for level, n in counts.items()],
                [f"At least that many items in that share of trials; {method}."],
            )
        else:
            if workspace is None:
                msg = "--release needs --workspace DIR or --demo (releases live there)"
                raise click.UsageError(msg)
            known = [r.key for r in workspace.releases]
            if release_key not in known:
                _unknown("release", str(release_key), known, "--release")
            release = workspace.releases[known.index(str(release_key))]
            with _busy("Forecasting"):
                confidence = forecast.release_confidence(
                    release,
                    report,
                    ahead=forecast.releases_ahead(release, workspace.releases),
                    trials=trials,
                    seed=seed,
                    window_days=window_days,
                )
            dates = confidence.forecast.percentiles(_LEVELS)
            row: Record = {
                "release": confidence.release,
                "target_date": confidence.target_date,
                "open_items": len(confidence.open_items),
                "ahead_items": len(confidence.ahead_items),
                "unknown_items": len(confidence.unknown_items),
                "probability": confidence.probability,
            }
            row.update({f"p{level}": day for level, day in dates.items()})
            notes = [
                f"Chance that the {len(confidence.open_items)} open items are done by "
                f"{confidence.target_date}: {confidence.probability:.0%} ({method}); "
                "p50-p95: done-by dates. Assumes all throughput goes to this scope."
            ]
            if confidence.unknown_items:
                notes.append(
                    "Scope items unknown to the log, counted as open: "
                    + ", ".join(confidence.unknown_items)
                )
            output = _Output(
                f"Will {release.key} make {confidence.target_date}?", [row], notes
            )
    except ProductOpsError as exc:
        _fail(exc)
    _emit(output, fmt, out)


# -- score --------------------------------------------------------------------------

_SCORE_EPILOG = """\b
Examples:
  productops score --demo --top 5
  productops score --demo --by wsjf --sensitivity --seed 1
  productops score --workspace ws --by "reach * impact / effort" --format csv
"""


@click.command("score", epilog=_SCORE_EPILOG)
@_data_options
@click.option(
    "--by",
    default="rice",
    show_default=True,
    help='rice, wsjf, or a formula over initiative fields ("reach * impact / effort").',
)
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="How many to list.",
)
@click.option(
    "--all",
    "every",
    is_flag=True,
    help="Rank every initiative, not only ideas and planned ones.",
)
@click.option(
    "--sensitivity",
    is_flag=True,
    help="Add P(top N): the share of trials in which each stays in the top N.",
)
@click.option(
    "--trials",
    type=click.IntRange(min=1),
    default=5_000,
    show_default=True,
    help="Trials for --sensitivity.",
)
@click.option(
    "--seed", type=int, default=1, show_default=True, help="Seed for --sensitivity."
)
@_output_options
def score_command(
    *,
    workspace_dir: Path | None,
    demo: bool,
    tz: str | None,
    by: str,
    top: int,
    every: bool,
    sensitivity: bool,
    trials: int,
    seed: int,
    fmt: str,
    out: Path | None,
) -> None:
    """Rank the open initiatives (ideas and planned) by a score.

    Initiatives missing an input of the score are listed last, unscored.
    ICE is not offered: it needs 1-10 ratings of impact, confidence and ease,
    and initiatives carry RICE inputs and no ease.
    """
    from . import scoring
    from .scoring import ESTIMATE_SPREADS

    if by.strip().lower() == "ice":
        msg = (
            "ICE needs 1-10 ratings of impact, confidence and ease; initiatives "
            "carry RICE inputs (impact 0.25-3, confidence 0-1) and no ease, so "
            "they cannot be ICE-scored; use rice, wsjf or a formula"
        )
        raise click.BadParameter(msg, param_hint="--by")
    workspace = _workspace(workspace_dir, demo=demo, tz=tz)
    method = by.strip().lower() if by.strip().lower() in _FORMULAS else by
    backlog = [i for i in workspace.initiatives if every or i.is_backlog]
    which = "initiatives" if every else "open initiatives"
    if not backlog:
        _emit(_Output(f"No {which} to rank", []), fmt, out)
        return
    try:
        ranking = scoring.rank(backlog, by=method, missing="last")
        scored = [e.item for e in ranking if e.score is not None]
        chance: dict[str, float] = {}
        k = min(top, len(scored))
        notes = []
        if sensitivity and k:
            formula = _FORMULAS.get(method, method)
            names = scoring.formula(formula).names
            spreads = {n: s for n, s in ESTIMATE_SPREADS.items() if n in names}
            if not spreads:
                msg = (
                    f"--sensitivity: the score {by!r} uses none of "
                    f"{', '.join(ESTIMATE_SPREADS)}, so there is nothing uncertain "
                    "to vary"
                )
                raise click.UsageError(msg)
            with _busy("Simulating"):
                robust = scoring.sensitivity(
                    scored,
                    score=formula,
                    top=k,
                    vary_inputs=spreads,
                    trials=trials,
                    seed=seed,
                )
            chance = dict(
                zip(robust.labels, robust.probabilities.tolist(), strict=True)
            )
            varied = ", ".join(f"{n} x{lo:g}-{hi:g}" for n, (lo, hi) in spreads.items())
            notes.append(
                f"P(top {k}): share of {trials:,} trials in which the initiative "
                f"stays in the top {k} when each estimate is off by a uniform "
                f"factor ({varied})."
            )
    except ProductOpsError as exc:
        _fail(exc)
    rows = []
    for entry in ranking.top(top):
        row: Record = {
            "rank": entry.rank,
            "key": entry.label,
            "title": entry.item.title if entry.item is not None else None,
            "score": entry.score,
            "tied": entry.tied,
        }
        if chance:
            row[f"p_top_{k}"] = chance.get(entry.label)
        rows.append(row)
    if ranking.unscored:
        notes.append(f"Unscored (missing inputs): {', '.join(ranking.unscored)}.")
    title = f"{len(backlog)} {which} by {by}"
    _emit(_Output(title, rows, notes), fmt, out)


# -- risk ---------------------------------------------------------------------------

_RISK_EPILOG = """\b
Examples:
  productops risk --demo
  productops risk --demo --all --format csv --out risks.csv
  productops risk --workspace ws --release 2026.2
"""


@click.command("risk", epilog=_RISK_EPILOG)
@_data_options
@click.option(
    "--release",
    "release_key",
    default=None,
    help="Roll up the open risks of this release.",
)
@click.option(
    "--open/--all",
    "only_open",
    default=True,
    show_default=True,
    help="Only open risks, or every risk.",
)
@_output_options
def risk_command(
    *,
    workspace_dir: Path | None,
    demo: bool,
    tz: str | None,
    release_key: str | None,
    only_open: bool,
    fmt: str,
    out: Path | None,
) -> None:
    """List the risk register: rating, exposure, and residual after mitigations.

    Ratings place likelihood x impact on the NHS NPSA 5 x 5 matrix (3 x 3
    for scale-3 risks); exposure is probability x cost. Risks are listed by
    score, then exposure, largest first. With --release, the open risks that
    threaten that release are rolled up.
    """
    from . import release as releases
    from .scoring import risk

    workspace = _workspace(workspace_dir, demo=demo, tz=tz)
    try:
        if release_key is not None:
            known = [r.key for r in workspace.releases]
            if release_key not in known:
                _unknown("release", release_key, known, "--release")
            rollup = releases.release_risks(release_key, workspace.risks)
            notes = [
                f"Open exposure {rollup.inherent_exposure:,.0f} inherent, "
                f"{rollup.residual_exposure:,.0f} after done mitigations; "
                f"score {rollup.score}."
            ]
            if rollup.excluded:
                notes.append(f"Not open: {', '.join(rollup.excluded)}.")
            if rollup.unassessed:
                notes.append(f"Not assessed: {', '.join(rollup.unassessed)}.")
            _emit(
                _Output(f"Open risks of {release_key}", rollup.to_records(), notes),
                fmt,
                out,
            )
            return
        chosen = [r for r in workspace.risks if r.is_open or not only_open]
        report = risk.residual_report(chosen, only_open=False)
        left = {row.key: row.residual for row in report.rows}
        ordered = sorted(
            chosen, key=lambda r: (-(r.score or 0), -(r.expected_cost or 0))
        )
        rows = [
            {
                "key": r.key,
                "title": r.title,
                "category": r.category,
                "status": r.status,
                "owner": r.owner,
                "likelihood": r.likelihood,
                "impact": r.impact,
                "score": r.score,
                "rating": r.rating(),
                "exposure": r.expected_cost,
                "residual_score": left[r.key].score,
                "residual_exposure": left[r.key].exposure,
            }
            for r in ordered
        ]
    except ProductOpsError as exc:
        _fail(exc)
    which = "open risks" if only_open else "risks"
    notes = [
        f"Exposure {report.inherent_exposure:,.0f} (probability x cost), score "
        f"{report.inherent_score} (L x I); after done mitigations "
        f"{report.residual_exposure:,.0f} and {report.residual_score}."
    ]
    hide = ("category", "owner", "likelihood", "impact")
    _emit(_Output(f"{len(rows)} {which}", rows, notes, hide=hide), fmt, out)


# -- kpi ----------------------------------------------------------------------------

_KPI_EPILOG = """\b
Examples:
  productops kpi --demo
  productops kpi --demo --kpi activation-rate --format json
  productops kpi --workspace ws --dora
"""


def _kpi_rows(workspace: Workspace) -> list[Record]:
    from . import kpi as kpis
    from .cli import _RECENT

    rows = []
    for kpi in workspace.kpis:
        mine = [o for o in workspace.observations if o.kpi == kpi.key]
        state = kpis.status(kpi, mine)
        whole = [o for o in mine if o.segment is None]
        fired = kpis.xmr(whole).signals if len(whole) >= 2 else ()
        recent = [s for s in fired if max(s.points) >= len(whole) - _RECENT]
        rows.append(
            {
                "kpi": kpi.key,
                "name": kpi.name,
                "value": state.value,
                "unit": kpi.unit,
                "target": state.target,
                "rag": state.rag,
                "observed_at": state.observed_at,
                "signals": sorted({s.name for s in recent}),
                "reason": state.reason,
            }
        )
    return rows


def _points(signal: Signal) -> str:
    """Name a signal with the span of points that fired it: ``run 3-10``."""
    first, last = signal.points[0], signal.points[-1]
    return (
        f"{signal.name} {first}" if first == last else f"{signal.name} {first}-{last}"
    )


def _one_kpi(workspace: Workspace, key: str) -> _Output:
    from . import kpi as kpis

    known = [k.key for k in workspace.kpis]
    if key not in known:
        _unknown("KPI", key, known, "--kpi")
    kpi = workspace.kpis[known.index(key)]
    whole = [o for o in workspace.observations if o.kpi == key and o.segment is None]
    state = kpis.status(kpi, whole)
    slope = kpis.trend(whole)
    delta = kpis.change(whole)
    chart = kpis.xmr(whole)
    row: Record = {
        "kpi": key,
        "name": kpi.name,
        "unit": kpi.unit,
        "n": slope.n,
        "latest": delta.latest,
        "latest_at": delta.latest_at,
        "previous": delta.previous,
        "change": delta.absolute,
        "change_relative": delta.relative,
        "rag": state.rag,
        "trend": slope.direction,
        "p_value": slope.p_value,
        "slope": slope.slope,
        "slope_low": slope.slope_low,
        "slope_high": slope.slope_high,
        "slope_per": slope.unit,
        "centre": chart.centre,
        "lcl": chart.lcl,
        "ucl": chart.ucl,
        "signals": [_points(signal) for signal in chart.signals],
    }
    notes = [
        state.reason,
        "Trend: Mann-Kendall test and Theil-Sen slope (with its 95 % interval). "
        "Change: latest against the previous value. XmR limits: Wheeler's 2.66 "
        "x mean moving range; signals: Western Electric rules, by point index "
        "(0 = oldest).",
    ]
    return _Output(f"{kpi.name}: trend, change and signals", [row], notes)


def _dora_output(workspace: Workspace) -> _Output:
    from . import kpi

    deployments = [d for r in workspace.releases for d in r.deployments]
    metrics = kpi.dora(
        deployments, incidents=workspace.incidents, work_items=workspace.work_items
    )
    rows = [
        {k: row[k] for k in ("metric", "value", "unit", "n", "band")}
        for row in metrics.to_records()
    ]
    from .cli import _dora_note

    return _Output("Delivery: DORA four keys", rows, [_dora_note(metrics.year)])


@click.command("kpi", epilog=_KPI_EPILOG)
@_data_options
@click.option(
    "--kpi", "kpi_key", default=None, help="One KPI's trend, change and signals."
)
@click.option("--dora", is_flag=True, help="The DORA four keys from deployments.")
@_output_options
def kpi_command(
    *,
    workspace_dir: Path | None,
    demo: bool,
    tz: str | None,
    kpi_key: str | None,
    dora: bool,
    fmt: str,
    out: Path | None,
) -> None:
    """KPI status and recent control-chart signals, one KPI's trend, or DORA.

    Status judges each KPI's latest value against its target and thresholds.
    Signals are Western Electric rules that fired on an XmR chart of the
    KPI's whole-population values in the last 4 periods.
    """
    from .cli import _RECENT

    if kpi_key is not None and dora:
        msg = "give --kpi KEY or --dora, not both"
        raise click.UsageError(msg)
    workspace = _workspace(workspace_dir, demo=demo, tz=tz)
    try:
        if dora:
            output = _dora_output(workspace)
        elif kpi_key is not None:
            output = _one_kpi(workspace, kpi_key)
        else:
            note = (
                "Status: the latest value against the KPI's target and thresholds. "
                "Signals: Western Electric rules on an XmR chart that fired in the "
                f"last {_RECENT} periods."
            )
            output = _Output(
                "KPIs: status and signals",
                _kpi_rows(workspace),
                [note],
                hide=("kpi", "observed_at", "reason"),
            )
    except ProductOpsError as exc:
        _fail(exc)
    _emit(output, fmt, out)


COMMANDS: tuple[click.Command, ...] = (
    flow_command,
    forecast_command,
    score_command,
    risk_command,
    kpi_command,
)
"""The analysis commands, for ``main.add_command`` in `productops.cli`."""
