"""Process graphs: the directly-follows graph and process discovery."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from productops.errors import InvalidInputError
from productops.model import Process, State, StateCategory, Transition

from ._eventlog import EventLog

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["dfg", "discover"]

_DONE_WORDS = re.compile(
    r"\b(done|closed?|resolved?|released?|complete[d]?|finished|shipped|deployed|"
    r"cancel+ed|rejected|won'?t ?(do|fix)|archived)\b",
    re.IGNORECASE,
)
_QUEUE_WORDS = re.compile(
    r"\b(ready|waiting|await\w*|queued?|pending|blocked|on hold|selected|to ?do|"
    r"todo|open|new|triage\w*|backlog)\b",
    re.IGNORECASE,
)


def _group_stats(
    codes: NDArray[np.int64], seconds: NDArray[np.float64], size: int
) -> tuple[
    NDArray[np.int64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]
]:
    """Count, mean, median and 85th percentile of `seconds` per code."""
    counts = np.bincount(codes, minlength=size).astype(np.int64)
    means = np.full(size, np.nan)
    medians = np.full(size, np.nan)
    p85 = np.full(size, np.nan)
    if codes.size:
        order = np.argsort(codes, kind="stable")
        grouped = seconds[order]
        bounds = np.concatenate(([0], np.cumsum(counts)))
        for code in np.flatnonzero(counts):
            values = grouped[bounds[code] : bounds[code + 1]]
            means[code] = values.mean()
            medians[code], p85[code] = np.percentile(values, [50, 85])
    return counts, means, medians, p85


def dfg(log: EventLog) -> nx.DiGraph[str]:
    """Return the directly-follows graph of `log` as a `networkx.DiGraph`.

    An edge ``a -> b`` means some item entered ``b`` right after ``a`` (its next
    event). Self-loops appear when a state is entered twice in a row.

    Node attributes: ``count`` (times the state was entered), ``starts`` and
    ``ends`` (items whose first / last event it is), and ``mean_seconds``,
    ``median_seconds``, ``p85_seconds`` of the visits that ended (time until
    the item's next event). Edge attributes: ``count``, ``mean_seconds``,
    ``median_seconds``, ``p85_seconds`` of the time between the two events.
    Percentiles interpolate linearly. Graph attributes ``start_activities`` and
    ``end_activities`` hold the start and end counts as dicts.

    Examples
    --------
    >>> log = EventLog.from_records([
    ...     {"item": "A", "status": "To Do", "timestamp": "2024-01-01T00:00:00Z"},
    ...     {"item": "A", "status": "Doing", "timestamp": "2024-01-01T06:00:00Z"},
    ...     {"item": "A", "status": "Done", "timestamp": "2024-01-02T00:00:00Z"},
    ...     {"item": "B", "status": "To Do", "timestamp": "2024-01-01T00:00:00Z"},
    ...     {"item": "B", "status": "Done", "timestamp": "2024-01-01T12:00:00Z"},
    ... ])
    >>> graph = dfg(log)
    >>> for a, b, data in sorted(graph.edges(data=True)):
    ...     print(a, "->", b, data["count"], data["mean_seconds"])
    Doing -> Done 1 64800.0
    To Do -> Doing 1 21600.0
    To Do -> Done 1 43200.0
    """
    import networkx as nx

    n_states = len(log.states)
    graph: nx.DiGraph[str] = nx.DiGraph()
    same = log.item[1:] == log.item[:-1] if len(log) else np.zeros(0, dtype=bool)
    index = np.flatnonzero(same)
    source, target = log.state[index], log.state[index + 1]
    gaps = (log.time[index + 1] - log.time[index]).astype(np.float64) / 1e9
    counts, means, medians, p85 = _group_stats(source, gaps, n_states)
    entered = np.bincount(log.state, minlength=n_states)
    first = log.item_starts[:-1]
    last = log.item_starts[1:] - 1
    starts = (
        np.bincount(log.state[first], minlength=n_states)
        if first.size
        else np.zeros(n_states, np.int64)
    )
    ends = (
        np.bincount(log.state[last], minlength=n_states)
        if last.size
        else np.zeros(n_states, np.int64)
    )
    del counts
    for i, name in enumerate(log.states):
        graph.add_node(
            name,
            count=int(entered[i]),
            starts=int(starts[i]),
            ends=int(ends[i]),
            mean_seconds=float(means[i]),
            median_seconds=float(medians[i]),
            p85_seconds=float(p85[i]),
        )
    edge_codes = source * n_states + target
    edge_counts, edge_means, edge_medians, edge_p85 = _group_stats(
        edge_codes, gaps, n_states * n_states
    )
    for code in np.flatnonzero(edge_counts):
        graph.add_edge(
            log.states[code // n_states],
            log.states[code % n_states],
            count=int(edge_counts[code]),
            mean_seconds=float(edge_means[code]),
            median_seconds=float(edge_medians[code]),
            p85_seconds=float(edge_p85[code]),
        )
    graph.graph["start_activities"] = {
        log.states[i]: int(c) for i, c in enumerate(starts) if c
    }
    graph.graph["end_activities"] = {
        log.states[i]: int(c) for i, c in enumerate(ends) if c
    }
    return graph


def _guess_category(name: str, *, position: float, end_share: float) -> StateCategory:
    if _DONE_WORDS.search(name) or end_share >= 0.5:
        return StateCategory.DONE
    if position == 0 or re.search(
        r"backlog|\bnew\b|\bopen\b|funnel|idea", name, re.IGNORECASE
    ):
        return StateCategory.BACKLOG
    if _QUEUE_WORDS.search(name):
        return StateCategory.QUEUE
    return StateCategory.ACTIVE


def discover(log: EventLog, *, name: str = "discovered") -> Process:
    """Propose a `Process` from the states and moves seen in `log`.

    States are ordered by their typical position: the median, over the items
    that visit a state, of the position of the first visit in the item's
    sequence, normalised to ``[0, 1]`` (ties by name). Categories are guessed
    from names (``"Done"``, ``"Closed"`` -> done; ``"Ready"``, ``"Waiting ..."``
    -> queue) and from where items end: a state where at least half of its
    visits end an item's history is done. The first state is backlog. Every
    guessed state has ``category_guessed=True``; check them before trusting
    the metrics. Transitions are the directly-follows edges seen.

    Raises
    ------
    InvalidInputError
        If the log is empty.

    Examples
    --------
    >>> log = EventLog.from_records([
    ...     {"item": "A", "status": "Open", "timestamp": "2024-01-01T00:00:00Z"},
    ...     {"item": "A", "status": "In Progress", "timestamp": "2024-01-02T00:00:00Z"},
    ...     {"item": "A", "status": "Closed", "timestamp": "2024-01-03T00:00:00Z"},
    ... ])
    >>> [(s.name, s.category.value) for s in discover(log).states]
    [('Open', 'backlog'), ('In Progress', 'active'), ('Closed', 'done')]
    """
    if not len(log):
        msg = "cannot discover a process from an empty log"
        raise InvalidInputError(msg)
    n_states = len(log.states)
    position = np.arange(len(log)) - log.item_starts[log.item]
    length = np.diff(log.item_starts)[log.item]
    relative = np.where(length > 1, position / np.maximum(length - 1, 1), 0.0)
    # First visit of each (item, state): the smallest event index of the pair.
    key = log.item * n_states + log.state
    _, first_visit = np.unique(key, return_index=True)
    typical = np.full(n_states, np.inf)
    for state in range(n_states):
        visits = first_visit[log.state[first_visit] == state]
        if visits.size:
            typical[state] = float(np.median(relative[visits]))
    ends = np.bincount(log.state[log.item_starts[1:] - 1], minlength=n_states)
    entered = np.bincount(log.state, minlength=n_states)
    order = sorted(range(n_states), key=lambda s: (typical[s], log.states[s]))
    states = []
    for rank, s in enumerate(order):
        category = _guess_category(
            log.states[s], position=rank, end_share=ends[s] / max(entered[s], 1)
        )
        if rank == 0 and category is StateCategory.DONE and n_states > 1:
            category = StateCategory.BACKLOG
        states.append(
            State(
                name=log.states[s], category=category, order=rank, category_guessed=True
            )
        )
    if not any(state.category is StateCategory.DONE for state in states):
        states[-1] = states[-1].evolve(category=StateCategory.DONE)
    graph = dfg(log)
    return Process(
        name=name,
        states=tuple(states),
        transitions=tuple(
            Transition(source=a, target=b) for a, b in sorted(graph.edges) if a != b
        ),
        start_states=tuple(sorted(graph.graph["start_activities"])),
    )
