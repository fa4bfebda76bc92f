"""The ``productops`` command line.

Commands
--------
``productops demo [--out DIR] [--seed N]``
    Run everything on the demo workspace and print a summary; with ``--out``,
    also write ``report.html``, ``report.md`` and the workspace there.
``productops report (--workspace DIR | --events FILE.csv) [--out DIR]``
    Build the one-file HTML report and its Markdown twin for your own data.
``productops schema [TYPE] [--out DIR]``
    List the record types, print the JSON Schema of one, or write them all.
``productops validate FOLDER [--tz ZONE]``
    Load a workspace folder and report every bad record.
``productops sync ADAPTER --out FOLDER [--query Q] [--project KEY] [--set K=V]``
    Fetch work items (and releases and dependencies) from a tool into a workspace
    folder, with a progress bar; later runs fetch only what changed.
``productops flow|forecast|score|risk|kpi (--workspace DIR | --demo) [--format F]``
    One engine's answer for a workspace (or, for flow and forecast, an event-log
    CSV) as a table, JSON or CSV; ``--help`` on each shows examples.

The demo summary is built from a list of sections (`DEMO_SECTIONS`), each a
function from a workspace to something rich can print; later features add
sections there.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, cast

import click
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from ._version import __version__
from .errors import ProductOpsError

if TYPE_CHECKING:
    from rich.progress import TaskID

    from .flow import EventLog, FlowReport

from .model import (
    RECORD_TYPES,
    GateStatus,
    Release,
    ReleaseStatus,
    Workspace,
    json_schema,
)

__all__ = ["DEMO_SECTIONS", "main"]

Section = Callable[[Workspace], RenderableType | None]


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold")
    for index, column in enumerate(columns):
        table.add_column(column, justify="left" if index == 0 else "right")
    return table


def _records_section(workspace: Workspace) -> RenderableType:
    table = _table("Records", "collection", "count")
    for name, count in workspace.counts().items():
        table.add_row(name, str(count))
    return table


def _work_section(workspace: Workspace) -> RenderableType | None:
    if not workspace.work_items:
        return None
    by_status = Counter(item.status for item in workspace.work_items)
    order = workspace.process.state_names if workspace.process else ()
    statuses = [s for s in order if s in by_status] + sorted(
        s for s in by_status if s not in order
    )
    table = _table("Work items by status", "status", "category", "items")
    for status in statuses:
        category = ""
        if workspace.process is not None and status in order:
            category = workspace.process.category_of(status).value
        table.add_row(status, category, str(by_status[status]))
    kinds = Counter(item.type for item in workspace.work_items)
    teams = Counter(item.team or "(none)" for item in workspace.work_items)
    mix = Text.assemble(
        ("types: ", "bold"),
        ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items())),
        ("   teams: ", "bold"),
        ", ".join(f"{team} {count}" for team, count in sorted(teams.items())),
    )
    return Group(table, mix)


def _release_section(workspace: Workspace) -> RenderableType | None:
    from . import release as releases

    if not workspace.releases:
        return None
    table = _table(
        "Releases: readiness",
        "release",
        "status",
        "target",
        "scope",
        "gates",
        "on time",
        "verdict",
    )
    colours = {"go": "green", "at_risk": "yellow", "no_go": "red"}
    notes: list[str] = []
    report = _flow_report(workspace)
    for release in workspace.releases:
        passed = sum(
            gate.status in (GateStatus.PASSED, GateStatus.WAIVED)
            for gate in release.gates
        )
        ready = releases.readiness(release, workspace, report=report, seed=1)
        chance = "-" if ready.probability is None else f"{ready.probability:.0%}"
        table.add_row(
            release.key,
            release.status.value,
            release.target_date.isoformat() if release.target_date else "-",
            str(len(release.scope)),
            f"{passed}/{len(release.gates)}",
            chance,
            Text(ready.verdict.value.replace("_", " "), style=colours[ready.verdict]),
        )
        worst = ready.blockers or ready.warnings
        if worst and release.status not in (ReleaseStatus.RELEASED,):
            kind = "blockers" if ready.blockers else "warnings"
            shown = "; ".join(reason.message for reason in worst[:3])
            more = f" (+{len(worst) - 3} more)" if len(worst) > 3 else ""
            notes.append(f"{release.key} {kind}: {shown}{more}.")
    notes.append(
        "On time: Monte Carlo probability that the open scope is done by the "
        "target date, after the open work of releases due earlier (10,000 trials)."
    )
    return Group(table, Text("\n".join(notes)))


def _risk_section(workspace: Workspace) -> RenderableType | None:
    from .scoring import risk

    open_risks = [r for r in workspace.risks if r.is_open]
    if not open_risks:
        return None
    ranked = sorted(
        open_risks, key=lambda r: (-(r.score or 0), -(r.expected_cost or 0))
    )
    table = _table(
        f"Top open risks ({len(open_risks)} open)",
        "risk",
        "L x I",
        "rating",
        "expected cost",
    )
    for item in ranked[:5]:
        score = "-" if item.score is None else f"{item.likelihood}x{item.impact}"
        rating = "-" if item.score is None or item.scale != 5 else str(item.rating())
        cost = "-" if item.expected_cost is None else f"{item.expected_cost:,.0f}"
        table.add_row(
            f"{item.key} {item.title}", score, rating, cost, item.owner or "-"
        )
    totals = risk.rollup(open_risks, by="category")
    now = risk.residual_report(open_risks)
    note = Text(
        f"Open exposure {totals.exposure:,.0f} (probability x cost) and score "
        f"{totals.score} (L x I); after finished mitigations: "
        f"{now.residual_exposure:,.0f} and {now.residual_score}. Ratings from the "
        "NHS NPSA 5 x 5 matrix."
    )
    return Group(table, note)


def _backlog_section(workspace: Workspace) -> RenderableType | None:
    from .scoring import ESTIMATE_SPREADS, rank, sensitivity

    backlog = [
        initiative for initiative in workspace.initiatives if initiative.is_backlog
    ]
    if not backlog:
        return None
    ranking = rank(backlog, by="rice", missing="last")
    scored = [entry.item for entry in ranking if entry.score is not None]
    top = min(5, len(scored))
    if not top:
        return None
    robust = sensitivity(
        scored,
        score="reach * impact * confidence / effort",
        top=top,
        vary_inputs={k: ESTIMATE_SPREADS[k] for k in ("effort", "reach")},
        trials=5_000,
        seed=1,
    )
    chance = dict(zip(robust.labels, robust.probabilities.tolist(), strict=True))
    table = _table(
        f"Backlog by RICE ({len(backlog)} open initiatives)",
        "rank",
        "initiative",
        "RICE",
        f"P(top {top})",
    )
    for entry in ranking.top(top + 2):
        if entry.score is None or entry.item is None:
            continue
        table.add_row(
            str(entry.rank),
            f"{entry.label} {entry.item.title}",
            f"{entry.score:,.0f}",
            f"{chance[entry.label]:.0%}",
        )
    note = Text(
        f"P(top {top}): share of 5,000 trials in which the initiative stays in the top "
        f"{top} when effort is off by -30 % to +50 % and reach by +-20 %."
    )
    return Group(table, note)


def _number(value: float) -> str:
    """Format a KPI value for a table: thousands separated, three digits otherwise."""
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


_RECENT = 4
"""Weeks back that a KPI signal must reach to show in the demo."""


def _kpi_section(workspace: Workspace) -> RenderableType | None:
    from . import kpi as kpis

    if not workspace.kpis:
        return None
    table = _table(
        "KPIs: status and signals", "kpi", "latest", "target", "status", "signals"
    )
    colours = {"green": "green", "amber": "yellow", "red": "red", "grey": "dim"}
    for kpi in workspace.kpis:
        mine = [o for o in workspace.observations if o.kpi == kpi.key]
        state = kpis.status(kpi, mine)
        whole = [o for o in mine if o.segment is None]
        fired = kpis.xmr(whole).signals if len(whole) >= 2 else ()
        recent = [sig for sig in fired if max(sig.points) >= len(whole) - _RECENT]
        target = "-" if kpi.target is None else _number(kpi.target)
        if kpi.band_low is not None and kpi.band_high is not None:
            target = f"{_number(kpi.band_low)}-{_number(kpi.band_high)}"
        latest = "-" if state.value is None else _number(state.value)
        table.add_row(
            kpi.name,
            f"{latest} {kpi.unit}".strip(),
            target,
            Text(state.rag, style=colours[state.rag]),
            ", ".join(sorted({signal.name for signal in recent})) or "-",
        )
    note = Text(
        "Status: the latest value against the KPI's target and thresholds. "
        f"Signals: Western Electric rules on an XmR chart of the weekly values "
        f"that fired in the last {_RECENT} weeks."
    )
    return Group(table, note)


def _dora_note(year: int) -> str:
    """Say where the DORA levels come from and how far to trust them."""
    return (
        f"Levels from the {year} Accelerate State of DevOps report "
        "(clusters, not thresholds: read them as a rough guide)."
    )


def _dora_section(workspace: Workspace) -> RenderableType | None:
    from . import kpi

    deployments = [d for r in workspace.releases for d in r.deployments]
    if not deployments:
        return None
    metrics = kpi.dora(
        deployments, incidents=workspace.incidents, work_items=workspace.work_items
    )
    table = _table("Delivery: DORA four keys", "key", "value", "n", "level")
    colours = {"elite": "green", "high": "green", "medium": "yellow", "low": "red"}
    for key, shown, n, level in metrics.summary_rows():
        band = level or "-"
        table.add_row(key, shown, str(n), Text(band, style=colours.get(band, "dim")))
    return Group(table, Text(_dora_note(metrics.year)))


def _people_section(workspace: Workspace) -> RenderableType | None:
    from . import people

    if not workspace.stakeholders:
        return None
    plan = people.communication_plan(workspace.stakeholders)
    table = _table(
        "Stakeholders: communication plan", "quadrant", "who", "channel", "how often"
    )
    table.columns[1].justify = "left"
    for quadrant, channel, cadence, names in plan.groups():
        table.add_row(
            quadrant.value.replace("_", " "),
            ", ".join(names),
            channel.value,
            cadence.value,
        )
    check = people.check_raci(workspace.raci, stakeholders=workspace.stakeholders)
    verdict = (
        "RACI: every deliverable has one Accountable and a Responsible."
        if check.ok
        else f"RACI: {len(check.problems)} problems, e.g. {check.problems[0].message}"
    )
    return Group(table, Text(f"Power/interest grid (Mendelow). {verdict}"))


@functools.cache
def _flow_report(workspace: Workspace) -> FlowReport:
    """Analyse a workspace once for all the sections that need its flow."""
    from .flow import analyze

    return analyze(workspace)


def _flow_section(workspace: Workspace) -> RenderableType | None:
    if not workspace.work_items or workspace.process is None:
        return None
    report = _flow_report(workspace)
    summary = report.summary()
    table = _table(
        f"Flow as of {report.as_of:%Y-%m-%d}", "metric", "50 %", "70 %", "85 %", "95 %"
    )
    for name, sample in (
        ("cycle time (days)", report.cycle_time),
        ("lead time (days)", report.lead_time),
    ):
        values = sample.percentiles()
        table.add_row(name, *(f"{values[level]:.1f}" for level in (50, 70, 85, 95)))
    facts = Text.assemble(
        ("throughput: ", "bold"),
        f"{summary['throughput_per_week']:.1f} items/week (last 12 weeks)   ",
        ("WIP now: ", "bold"),
        f"{summary['in_progress']}   ",
        ("flow efficiency: ", "bold"),
        f"{summary['flow_efficiency']:.0%}   ",
        ("rework rate: ", "bold"),
        f"{summary['rework_rate']:.0%}",
    )
    parts: list[RenderableType] = [table, facts]
    top = summary["bottleneck"]
    if top is not None:
        parts.append(Text.assemble(("Bottleneck: ", "bold red"), top.reason))
    return Group(*parts)


def _forecast_section(workspace: Workspace) -> RenderableType | None:
    upcoming = sorted(
        (
            r
            for r in workspace.releases
            if r.target_date is not None
            and r.status not in (ReleaseStatus.RELEASED, ReleaseStatus.CANCELLED)
        ),
        key=lambda r: (r.target_date, r.key),
    )
    if not upcoming or not workspace.work_items or workspace.process is None:
        return None
    from .forecast import release_confidence

    release = upcoming[0]
    confidence = release_confidence(release, _flow_report(workspace), seed=0)
    dates = confidence.forecast.percentiles()
    table = _table(f"When will {release.key} be done?", "confidence", "done by")
    for level, day in dates.items():
        table.add_row(f"{level:g} %", day.isoformat())
    verdict = Text.assemble(
        f"{len(confidence.open_items)} open items; Monte Carlo, "
        f"{confidence.forecast.trials:,} trials on 12 weeks of throughput.\n",
        ("Target ", "bold"),
        f"{release.target_date}: ",
        (f"{confidence.probability:.0%}", "bold"),
        " chance that the open scope is done by then",
    )
    return Group(table, verdict)


def _what_if_section(workspace: Workspace) -> RenderableType | None:
    if not workspace.work_items or workspace.process is None:
        return None
    from .forecast import Scenario, learn, simulate

    report = _flow_report(workspace)
    ranked = report.bottlenecks()
    if not ranked:
        return None
    model = learn(report.log, workspace.process, as_of=report.as_of)
    bottleneck = ranked[0].state
    names = model.state_names
    limited = [
        name
        for name in names[names.index(bottleneck) :]
        if model.state(name).capacity is not None
    ]
    if not limited:
        return None
    target = limited[0]
    servers = model.state(target).capacity or 0
    baseline = simulate(model, seed=0)
    scenario = simulate(model, Scenario(capacity={target: servers + 1}), seed=0)
    comparison = scenario.compare(baseline)
    table = _table(
        f"What if {target!r} had {servers + 1} servers instead of {servers}?",
        "next 12 weeks",
        "now",
        "+1",
        "change (95 % CI)",
    )
    for metric, label in (
        ("cycle_time.p50", "cycle time p50 (days)"),
        ("cycle_time.p85", "cycle time p85 (days)"),
        ("throughput", "throughput (items/week)"),
        (f"wip.{bottleneck}", f"WIP in {bottleneck}"),
    ):
        delta = comparison[metric]
        change = delta.change
        table.add_row(
            label,
            f"{delta.baseline:.1f}",
            f"{delta.scenario:.1f}",
            f"{change.mean:+.1f} [{change.low:+.1f}, {change.high:+.1f}]",
        )
    note = Text(
        f"Simulated from a model learnt on the last 12 weeks ({baseline.replications} "
        "replications each, common random numbers)."
    )
    return Group(table, note)


DEMO_SECTIONS: list[Section] = [
    _records_section,
    _work_section,
    _flow_section,
    _forecast_section,
    _what_if_section,
    _backlog_section,
    _release_section,
    _risk_section,
    _kpi_section,
    _dora_section,
    _people_section,
]
"""The sections `productops demo` prints, in order."""


def _print_summary(console: Console, workspace: Workspace) -> None:
    console.print(Text(f"productops {__version__} · {workspace.name}", style="bold"))
    if workspace.description:
        console.print(workspace.description)
    for section in DEMO_SECTIONS:
        rendered = section(workspace)
        if rendered is not None:
            console.print()
            console.print(rendered)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="productops")
def main() -> None:
    """Product operations from the command line."""


_DEMO_EPILOG = """\b
Examples:
  productops demo                 # the summary in the terminal
  productops demo --out demo-out  # also the HTML and Markdown report
"""

_REPORT_EPILOG = """\b
Examples:
  productops report --workspace my-workspace --out weekly
  productops report --events jira-export.csv --tz Europe/Berlin
"""


@main.command(epilog=_DEMO_EPILOG)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help=(
        "Write report.html, report.md and playbook.md here, and the workspace "
        "under workspace/."
    ),
)
@click.option("--seed", type=int, default=None, help="Generate with another seed.")
def demo(out: Path | None, seed: int | None) -> None:
    """Run everything on the bundled demo workspace and summarise it."""
    from . import datasets

    workspace = datasets.load_demo() if seed is None else datasets.load_demo(seed=seed)
    console = Console()
    _print_summary(console, workspace)
    if out is not None:
        console.print()
        html, markdown = _write_report(workspace, out, console)
        workspace.save(out / "workspace")
        console.print(f"Wrote {html} and {markdown}")
        console.print(f"Saved the workspace to {out / 'workspace'}")


def _write_report(
    workspace: Workspace, out: Path, console: Console
) -> tuple[Path, Path]:
    """Build the report with a progress spinner and save it in `out`."""
    from rich.progress import Progress, SpinnerColumn, TextColumn

    from . import report

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task("Building the report", total=None)

        def step(what: str) -> None:
            progress.update(task, description=f"Building the report: {what}")

        built = report.build(workspace, progress=step)
        written = built.save(out)
    if workspace.process is not None:
        teams = workspace.teams
        page = report.playbook(workspace.process, teams=teams)
        (out / "playbook.md").write_text(page, encoding="utf-8")
    return written


def _workspace_from_events(log: EventLog) -> Workspace:
    """Work items with status histories from an event log, for a report."""
    from .model import StatusChange, WorkItem

    items = []
    for key in log.items:
        history = log.history(key)
        changes = tuple(
            StatusChange(
                at=at,
                from_status=None if i == 0 else history[i - 1][0],
                to_status=state,
            )
            for i, (state, at) in enumerate(history)
        )
        items.append(
            WorkItem(
                key=key,
                title=key,
                status=history[-1][0],
                created=history[0][1],
                history=changes,
            )
        )
    return Workspace(name="event log", work_items=tuple(items))


@main.command(name="report", epilog=_REPORT_EPILOG)
@click.option(
    "--workspace",
    "folder",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A workspace folder (as written by Workspace.save or productops sync).",
)
@click.option(
    "--events",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="An event log CSV: one row per state entered (item, status, timestamp).",
)
@click.option("--tz", default=None, help="Time zone for timestamps without an offset.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("report"),
    show_default=True,
    help="Folder for report.html, report.md (and its images) and playbook.md.",
)
def report_command(
    folder: Path | None, events: Path | None, tz: str | None, out: Path
) -> None:
    """Build the one-file HTML report (and its Markdown twin) for your data.

    Give a workspace folder or an event log CSV.
    """
    if (folder is None) == (events is None):
        msg = "give exactly one of --workspace DIR or --events FILE.csv"
        raise click.UsageError(msg)
    console = Console()
    try:
        if folder is not None:
            workspace = Workspace.load(folder, tz=tz)
        else:
            from .flow import EventLog as Log

            log = Log.from_csv(cast("Path", events), tz=tz)
            for problem in log.problems[:10]:
                console.print(f"[yellow]skipped[/yellow] {problem}")
            if len(log.problems) > 10:
                console.print(f"... and {len(log.problems) - 10} more skipped rows")
            workspace = _workspace_from_events(log)
        html, markdown = _write_report(workspace, out, console)
    except ProductOpsError as error:
        raise click.ClickException(str(error)) from error
    console.print(f"Wrote {html} and {markdown}")


@main.command()
@click.argument("type_name", metavar="[TYPE]", required=False)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write every schema to <out>/<Type>.schema.json instead of printing.",
)
def schema(type_name: str | None, out: Path | None) -> None:
    """Print the JSON Schema of a record TYPE, or list the types."""
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for name, model in RECORD_TYPES.items():
            text = json.dumps(json_schema(model), indent=2) + "\n"
            (out / f"{name}.schema.json").write_text(text, encoding="utf-8")
        click.echo(f"Wrote {len(RECORD_TYPES)} schemas to {out}")
        return
    if type_name is None:
        for name, model in RECORD_TYPES.items():
            summary = (model.__doc__ or "").strip().splitlines()[0]
            click.echo(f"{name:16} {summary}")
        return
    matches = [name for name in RECORD_TYPES if name.lower() == type_name.lower()]
    if not matches:
        known = ", ".join(RECORD_TYPES)
        msg = f"unknown type {type_name!r}; choose one of: {known}"
        raise click.BadParameter(msg, param_hint="TYPE")
    click.echo(json.dumps(json_schema(RECORD_TYPES[matches[0]]), indent=2))


@main.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--tz", default=None, help="Time zone for timestamps without an offset.")
@click.option(
    "--strict",
    is_flag=True,
    help="Also fail (exit 1) on references to keys that are not in the workspace.",
)
def validate(folder: Path, tz: str | None, *, strict: bool) -> None:
    """Load a workspace FOLDER and report every bad record.

    Then list every reference between collections that points at nothing (a
    release's scope item that is not a work item, a risk's unknown release...):
    warnings, or errors with --strict.
    """
    try:
        workspace = Workspace.load(folder, tz=tz)
    except ProductOpsError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(1) from None
    dangling = workspace.check_references()
    for problem in dangling:
        click.echo(f"{'error' if strict else 'warning'}: {problem}", err=True)
    counts = ", ".join(f"{n} {name}" for name, n in workspace.counts().items() if n)
    if dangling and strict:
        click.echo(f"{len(dangling)} dangling references in {folder}", err=True)
        raise SystemExit(1)
    note = f"; {len(dangling)} dangling references" if dangling else ""
    click.echo(f"OK: {folder} ({counts or 'empty'}){note}")


SYNC_STATE = ".productops-sync.json"
"""File in a synced folder that remembers, per adapter and query, how far it got."""


def _settings(pairs: tuple[str, ...]) -> dict[str, str]:
    settings = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals or not name.strip():
            msg = f"expected KEY=VALUE, got {pair!r}"
            raise click.BadParameter(msg, param_hint="--set")
        settings[name.strip()] = value
    return settings


@main.command()
@click.argument("adapter_name", metavar="ADAPTER")
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Workspace folder to create or update.",
)
@click.option("--query", default=None, help="The tool's own query (JQL for Jira).")
@click.option(
    "--project", default=None, help="Also read this project's workflow as the process."
)
@click.option("--profile", default=None, help="Settings profile in the config file.")
@click.option(
    "--set",
    "pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="An adapter setting, e.g. --set base_url=https://acme.atlassian.net.",
)
@click.option("--full", is_flag=True, help="Fetch everything, not only changes.")
def sync(
    adapter_name: str,
    out: Path,
    query: str | None,
    project: str | None,
    profile: str | None,
    pairs: tuple[str, ...],
    full: bool,
) -> None:
    """Fetch work items from ADAPTER into the workspace folder --out.

    Settings not given with --set come from PRODUCTOPS_<ADAPTER>_<SETTING>
    environment variables and the profile file. The first run fetches
    everything the query matches; later runs fetch only items updated since
    the last one and merge them in.
    """
    from datetime import datetime

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from . import adapters

    console = Console(stderr=True)
    try:
        tracker = adapters.get(adapter_name, profile=profile, **_settings(pairs))
        if not isinstance(tracker, adapters.WorkTracker):
            msg = f"the {adapter_name} adapter cannot list work items"
            raise click.UsageError(msg)
        state_file = out / SYNC_STATE
        state = (
            json.loads(state_file.read_text(encoding="utf-8"))
            if state_file.is_file()
            else {}
        )
        slot = f"{adapter_name}:{query or ''}"
        since = (
            None if full or slot not in state else datetime.fromisoformat(state[slot])
        )
        workspace = (
            Workspace.load(out)
            if (out / "workspace.json").is_file()
            else Workspace(name=f"{adapter_name} sync")
        )
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[requests]} requests"),
            console=console,
            transient=False,
        ) as bar:
            tasks: dict[str, TaskID] = {}

            def report(progress: adapters.Progress) -> None:
                if progress.stage not in tasks:
                    tasks[progress.stage] = bar.add_task(
                        progress.stage, total=progress.total, requests=0
                    )
                bar.update(
                    tasks[progress.stage],
                    completed=progress.done,
                    total=progress.total,
                    requests=progress.requests,
                )

            fetched = list(
                tracker.work_items(query=query, updated_since=since, progress=report)
            )
        releases = list(tracker.releases(project=project))
        dependencies = list(tracker.dependencies(query=query))
        process = tracker.process(project=project) if project else workspace.process
    except ProductOpsError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise SystemExit(1) from None
    merged = {item.key: item for item in workspace.work_items}
    merged.update((item.key, item) for item in fetched)
    workspace = workspace.evolve(
        work_items=tuple(merged.values()),
        releases=_upsert(workspace.releases, releases),
        dependencies=tuple(dict.fromkeys((*workspace.dependencies, *dependencies))),
        process=process,
    )
    workspace.save(out)
    newest = max(
        (item.updated or item.created for item in fetched),
        default=None,
    )
    if newest is not None:
        state[slot] = newest.isoformat()
    state_file.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    click.echo(
        f"Fetched {len(fetched)} work items ({len(merged)} in {out}), "
        f"{len(releases)} releases, {len(dependencies)} dependencies"
    )


def _upsert(old: tuple[Release, ...], new: list[Release]) -> tuple[Release, ...]:
    merged = {record.key: record for record in old}
    merged.update((record.key, record) for record in new)
    return tuple(merged.values())


def _register_data_commands() -> None:
    """Add ``flow``, ``forecast``, ``score``, ``risk`` and ``kpi`` to `main`."""
    from ._commands import COMMANDS

    for command in COMMANDS:
        main.add_command(command)


_register_data_commands()
