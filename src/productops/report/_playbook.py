"""A process rendered as a Markdown onboarding page: the team's playbook."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..model import StateCategory

if TYPE_CHECKING:
    from ..model import Process, Team

__all__ = ["playbook"]

_MEANING = {
    StateCategory.BACKLOG: "Not started: an option, not a promise.",
    StateCategory.QUEUE: "Committed but waiting: nobody works on it here.",
    StateCategory.ACTIVE: "Someone is working on it.",
    StateCategory.DONE: "Finished: delivered, or closed without delivery.",
}
"""What each state category means for someone new to the team."""


def _cell(text: object) -> str:
    """Escape text for a Markdown table cell (no pipes, no tags, one line)."""
    value = str(text).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")
    return " ".join(value.splitlines())


def _names(names: Iterable[str]) -> str:
    return ", ".join(names) or "-"


def playbook(
    process: Process, *, teams: Iterable[Team] = (), title: str | None = None
) -> str:
    """Render a process as a Markdown onboarding page.

    The page has a table of the states in process order (category and what
    it means, WIP limit, where items may come from and go to, who owns the
    state), the commitment and delivery points, a plain-text diagram of the
    flow (no Mermaid needed), the moves that go backwards (rework), and a
    list of what the process record does not say.

    Entry and exit rules are the allowed transitions (`Process.transitions`;
    when there are none, every move is allowed). The `Process` model has no
    per-state description, definition of ready/done or entry criteria, so the
    meaning column is the category's generic meaning; the page says so.

    Parameters
    ----------
    process : Process
        The workflow.
    teams : iterable of Team, optional
        Teams to name the owners (`State.owner_team` is a team key); an owner
        without a matching team is shown by its key.
    title : str, optional
        Default ``"Playbook: <process name>"``.

    Returns
    -------
    str
        GitHub-flavoured Markdown, ending with a newline.

    Examples
    --------
    >>> from productops.model import Process, State
    >>> p = Process(
    ...     states=[
    ...         State(name="To Do", category="backlog"),
    ...         State(name="Doing", category="active", wip_limit=3),
    ...         State(name="Done", category="done"),
    ...     ],
    ...     transitions=[("To Do", "Doing"), ("Doing", "Done"), ("Done", "Doing")],
    ... )
    >>> page = playbook(p, title="Our board")
    >>> print(page.split("## ")[0].strip())
    # Our board
    <BLANKLINE>
    Work moves through 3 states. It is committed to when it enters **Doing**
    and counts as delivered when it enters **Done**.
    >>> row = next(line for line in page.splitlines() if line.startswith("| 2 |"))
    >>> row.split(" | ")[1:5]
    ['Doing', 'active', 'Someone is working on it. Commitment point.', '3']
    """
    known = {team.key: team for team in teams}
    names = process.state_names
    commitment = process.commitment_state
    delivery = process.delivery_state
    starts = process.starts
    heading = title or f"Playbook: {process.name}"
    free = not process.transitions
    incoming: dict[str, list[str]] = {name: [] for name in names}
    outgoing: dict[str, list[str]] = {name: [] for name in names}
    for move in process.transitions:
        incoming[move.target].append(move.source)
        outgoing[move.source].append(move.target)

    def owner(key: str | None) -> str:
        if key is None:
            return "-"
        team = known.get(key)
        if team is None:
            return key
        extra = [f"lead {team.lead}"] if team.lead else []
        extra += [team.channel] if team.channel else []
        return f"{team.name} ({', '.join(extra)})" if extra else team.name

    lines = [
        f"# {_cell(heading)}",
        "",
        f"Work moves through {len(names)} states. It is committed to when it "
        f"enters **{_cell(commitment)}**",
        f"and counts as delivered when it enters **{_cell(delivery)}**.",
        "",
        "## States",
        "",
        "| # | State | Category | Meaning | WIP limit | Comes from | Goes to | Owner |",
        "| ---: | --- | --- | --- | ---: | --- | --- | --- |",
    ]
    for position, state in enumerate(process.states, 1):
        meaning = _MEANING[state.category]
        if state.name == commitment:
            meaning += " Commitment point."
        if state.name == delivery:
            meaning += " Delivery point."
        if state.category_guessed:
            meaning += " (Category guessed.)"
        if free:
            came = "any state"
            goes = "any state"
        else:
            came = _names(incoming[state.name])
            goes = _names(outgoing[state.name])
        if state.name in starts:
            came = "start" if came == "-" else f"start; {came}"
        limit = "-" if state.wip_limit is None else str(state.wip_limit)
        row = (
            str(position),
            state.name,
            state.category.value,
            meaning,
            limit,
            came,
            goes,
            owner(state.owner_team),
        )
        lines.append("| " + " | ".join(_cell(c) for c in row) + " |")

    committed = [
        s.name
        for s in process.states
        if s.category in (StateCategory.QUEUE, StateCategory.ACTIVE)
    ]
    limited = [s for s in process.states if s.wip_limit is not None]
    lines += [
        "",
        "## Commitment and delivery",
        "",
        f"- **Commitment point: {_cell(commitment)}.** Moving an item here is a "
        "promise to finish it; cycle time starts here.",
        f"- **Delivery point: {_cell(delivery)}.** Cycle time and lead time stop "
        "here; throughput counts items that reach it.",
        f"- Between them ({_cell(_names(committed))}) items count as work in progress.",
    ]
    if limited:
        total = sum(s.wip_limit or 0 for s in limited)
        lines.append(
            f"- WIP limits: {len(limited)} states, {total} items in all. Pull a "
            "new item only when the state has room."
        )
    lines += ["", "## The flow", "", "```text", *_diagram(process), "```", ""]
    backwards = [
        (m.source, m.target)
        for m in process.transitions
        if process.is_rework(m.source, m.target)
    ]
    if backwards:
        lines += ["Moves back (rework):", ""]
        lines += [f"- {_cell(a)} -> {_cell(b)}" for a, b in backwards]
        lines.append("")
    skips = _skips(process)
    if skips:
        lines += ["Moves that skip ahead:", ""]
        lines += [f"- {_cell(a)} -> {_cell(b)}" for a, b in skips]
        lines.append("")
    missing = [
        "what each state means in this team's own words (no state descriptions)",
        "entry and exit criteria (definition of ready, definition of done)",
    ]
    if not any(s.owner_team for s in process.states):
        missing.append("who owns each state (no `owner_team` on any state)")
    if not limited:
        missing.append("WIP limits (none set)")
    if free:
        missing.append("which moves are allowed (no transitions: every move is)")
    lines += ["## Not in the process record", "", "Ask the team about:", ""]
    lines += [f"- {item}" for item in missing]
    return "\n".join(lines) + "\n"


def _diagram(process: Process) -> list[str]:
    """Draw the states top to bottom; states sharing an order share a row."""
    rows: dict[int, list[str]] = {}
    for state in process.states:
        rows.setdefault(state.order or 0, []).append(state.name)
    marks = {
        process.commitment_state: "  <- commitment point",
        process.delivery_state: "  <- delivery point",
    }
    out: list[str] = []
    for index, order in enumerate(sorted(rows)):
        names = rows[order]
        if index:
            out += ["    |", "    v"]
        labels = []
        for name in names:
            state = process.state(name)
            extra = f", WIP {state.wip_limit}" if state.wip_limit else ""
            labels.append(f"[{name}] ({state.category.value}{extra})")
        mark = "".join(marks.get(name, "") for name in names)
        out.append("  " + "  |  ".join(labels) + mark)
    return out


def _skips(process: Process) -> list[tuple[str, str]]:
    """Return the allowed forward moves that jump over a state in order."""
    orders = sorted({s.order or 0 for s in process.states})
    rank = {s.name: orders.index(s.order or 0) for s in process.states}
    return [
        (m.source, m.target)
        for m in process.transitions
        if rank[m.target] - rank[m.source] > 1
    ]
