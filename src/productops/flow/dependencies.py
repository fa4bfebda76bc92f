"""Dependency graphs: who blocks whom, the critical path, and chains of blockers.

`dependency_graph` turns work items (their ``blocks`` / ``is blocked by`` links)
and `Dependency` records into a `networkx.DiGraph` whose edges point
**upstream -> downstream**: from the blocker to what it blocks. The other
functions take any such graph plus attribute *names*, so a graph built by hand
works as well:

- `critical_path` schedules the graph with the critical path method (CPM) and
  returns the longest chain of remaining work, with every node's slack;
- `blocked_chains` lists, for every open node held up by open blockers, the
  chains of blockers leading to it;
- `blockers` ranks open nodes by how much open work they hold up.

A cycle is a deadlock: every function that needs an acyclic graph raises
`InvalidInputError` naming the cycle (``A -> B -> C -> A``).

Examples
--------
>>> import networkx as nx
>>> graph = nx.DiGraph([("A", "B"), ("B", "C"), ("A", "C")])
>>> nx.set_node_attributes(graph, {"A": 2.0, "B": 3.0, "C": 1.0}, "remaining_days")
>>> critical_path(graph).nodes
('A', 'B', 'C')
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date
from types import MappingProxyType
from typing import Any, Literal

import networkx as nx

from productops._tabular import Tabular
from productops.errors import InvalidInputError
from productops.model import Dependency, Process, StateCategory, WorkItem

__all__ = [
    "BlockedChain",
    "Blocker",
    "CriticalPath",
    "DEFAULT_LINK_KINDS",
    "NodeSchedule",
    "blocked_chains",
    "blockers",
    "critical_path",
    "dependency_graph",
]

LinkDirection = Literal["forward", "backward"]

DEFAULT_LINK_KINDS: Mapping[str, LinkDirection] = MappingProxyType(
    {"blocks": "forward", "is blocked by": "backward"}
)
"""Link kinds `dependency_graph` follows by default, and their direction.

``"forward"``: the item holding the link is upstream (``A blocks B`` gives
``A -> B``). ``"backward"``: the link's target is upstream (``B is blocked by A``
gives ``A -> B``)."""

_RESOLVED = "resolved"
_FINISH_TO_START = "finish_to_start"
# When several records give one edge, the most urgent status wins.
_STATUS_URGENCY = {"at_risk": 2, "open": 1, _RESOLVED: 0}


# -- building the graph ----------------------------------------------------------


def dependency_graph(
    items: Iterable[WorkItem] = (),
    *,
    dependencies: Iterable[Dependency] = (),
    process: Process | None = None,
    link_kinds: Mapping[str, LinkDirection] | None = None,
) -> nx.DiGraph[str]:
    """Return the dependency graph of work items and dependency records.

    Every edge points **upstream -> downstream**: from the blocker to the record
    it blocks. ``A blocks B`` and ``B is blocked by A`` both give the edge
    ``A -> B``; when both links are present (tools write them on both sides)
    the graph holds one edge whose ``sources`` lists both.

    Parameters
    ----------
    items : iterable of WorkItem
        Work items; each becomes a node (``kind="item"``) and their links of the
        kinds in `link_kinds` become edges. Keys must be unique.
    dependencies : iterable of Dependency
        Dependency records; each becomes an edge between the keys it names
        (initiatives, releases, items...). Resolved ones are kept, with their
        ``status``, so callers can filter them.
    process : Process, optional
        The workflow of the items. When given, an item is done when its status
        is a ``done`` state of the process; an item whose status the process
        does not know falls back to the rule below and is listed in the graph
        attribute ``unknown_statuses``. Without a process, an item is done when
        the tool resolved it (``item.resolved is not None``).
    link_kinds : mapping of str to {"forward", "backward"}, optional
        The link kinds to follow and their direction; replaces
        `DEFAULT_LINK_KINDS` (``"blocks"`` forward, ``"is blocked by"``
        backward). Kinds are compared case-insensitively with runs of
        whitespace collapsed. Links of other kinds (``"relates to"``) make no
        edge and are counted in the graph attribute ``ignored_links``.

    Returns
    -------
    networkx.DiGraph
        Nodes are record keys. Node attributes of items: ``kind="item"``,
        ``title``, ``status``, ``type``, ``team``, ``estimate`` and ``done``
        (bool). Keys named only by a link or a dependency are
        ``kind="external"`` nodes with ``done=False`` (nothing says they are
        finished; set the attribute when you know better).

        Edge attributes: ``sources``, a tuple of the records that gave the edge
        in words (``"APP-1 blocks APP-2"``,
        ``"dependency INIT-2 -> INIT-7 (finish_to_start)"``); ``kind``, a
        `DependencyKind` value (links count as ``"finish_to_start"``);
        ``status``, ``"open"``, ``"at_risk"`` or ``"resolved"`` (a link is
        resolved once its blocking item is done); ``needed_by``, a `date` or
        ``None``. When several records give one edge, ``status`` is the most
        urgent (``at_risk``, then ``open``, then ``resolved``), ``needed_by`` the
        earliest, and ``kind`` that of the first record.

        Graph attributes: ``ignored_links``, a dict of ignored link kind
        (normalised) -> number of links; ``unknown_targets``, a sorted tuple of
        link targets that are not among `items`; ``unknown_statuses``, a dict of
        status -> keys of the items in it, for statuses `process` lacks.

    Raises
    ------
    InvalidInputError
        If two items share a key, or `link_kinds` has a direction other than
        ``"forward"`` or ``"backward"``.

    See Also
    --------
    critical_path, blocked_chains, blockers

    Examples
    --------
    >>> from datetime import UTC, datetime
    >>> from productops import Link, WorkItem
    >>> def item(key, status, *links):
    ...     return WorkItem(key=key, title=key, status=status,
    ...                     created=datetime(2025, 1, 6, tzinfo=UTC),
    ...                     links=[Link(kind=k, target=t) for k, t in links])
    >>> graph = dependency_graph([
    ...     item("APP-1", "In Progress", ("blocks", "APP-2")),
    ...     item("APP-2", "Ready", ("is blocked by", "APP-1"),
    ...          ("Is  Blocked By", "OPS-9"), ("relates to", "APP-1")),
    ... ])
    >>> sorted(graph.edges)
    [('APP-1', 'APP-2'), ('OPS-9', 'APP-2')]
    >>> graph.edges["APP-1", "APP-2"]["sources"]
    ('APP-1 blocks APP-2', 'APP-2 is blocked by APP-1')
    >>> graph.nodes["OPS-9"]["kind"], graph.graph["unknown_targets"]
    ('external', ('OPS-9',))
    >>> graph.graph["ignored_links"]
    {'relates to': 1}
    """
    kinds = _link_kinds(link_kinds)
    items = tuple(items)
    twice = sorted(key for key, n in Counter(i.key for i in items).items() if n > 1)
    if twice:
        msg = f"items: keys listed more than once: {twice}; keys must be unique"
        raise InvalidInputError(msg)

    graph: nx.DiGraph[str] = nx.DiGraph()
    unknown_statuses: dict[str, list[str]] = {}
    for item in items:
        graph.add_node(
            item.key,
            kind="item",
            title=item.title,
            status=item.status,
            type=item.type,
            team=item.team,
            estimate=item.estimate,
            done=_is_done(item, process, unknown_statuses),
        )

    done = {key: bool(data["done"]) for key, data in graph.nodes(data=True)}
    ignored: Counter[str] = Counter()
    unknown_targets: set[str] = set()
    for item in items:
        for link in item.links:
            kind = _normalise(link.kind)
            direction = kinds.get(kind)
            if direction is None:
                ignored[kind] += 1
                continue
            if link.target not in done:
                unknown_targets.add(link.target)
            upstream, downstream = (
                (item.key, link.target)
                if direction == "forward"
                else (link.target, item.key)
            )
            _add_edge(
                graph,
                upstream,
                downstream,
                source=f"{item.key} {link.kind} {link.target}",
                kind=_FINISH_TO_START,
                status=_RESOLVED if done.get(upstream, False) else "open",
                needed_by=None,
            )

    for dependency in dependencies:
        _add_edge(
            graph,
            dependency.upstream,
            dependency.downstream,
            source=(
                f"dependency {dependency.upstream} -> {dependency.downstream} "
                f"({dependency.kind.value})"
            ),
            kind=dependency.kind.value,
            status=dependency.status.value,
            needed_by=dependency.needed_by,
        )

    for node, data in graph.nodes(data=True):
        if "kind" not in data:
            graph.nodes[node].update(kind="external", done=False)
    graph.graph["ignored_links"] = dict(sorted(ignored.items()))
    graph.graph["unknown_targets"] = tuple(sorted(unknown_targets))
    graph.graph["unknown_statuses"] = {
        status: tuple(keys) for status, keys in sorted(unknown_statuses.items())
    }
    return graph


def _normalise(kind: str) -> str:
    return " ".join(kind.split()).casefold()


def _link_kinds(
    link_kinds: Mapping[str, LinkDirection] | None,
) -> dict[str, LinkDirection]:
    if link_kinds is None:
        return dict(DEFAULT_LINK_KINDS)
    bad = {
        kind: direction
        for kind, direction in link_kinds.items()
        if direction not in ("forward", "backward")
    }
    if bad:
        msg = f"link_kinds: directions must be 'forward' or 'backward', got {bad}"
        raise InvalidInputError(msg)
    return {_normalise(kind): direction for kind, direction in link_kinds.items()}


def _is_done(
    item: WorkItem, process: Process | None, unknown: dict[str, list[str]]
) -> bool:
    if process is not None:
        if item.status in process.state_names:
            return process.category_of(item.status) is StateCategory.DONE
        unknown.setdefault(item.status, []).append(item.key)
    return item.resolved is not None


def _add_edge(
    graph: nx.DiGraph[str],
    upstream: str,
    downstream: str,
    *,
    source: str,
    kind: str,
    status: str,
    needed_by: date | None,
) -> None:
    if not graph.has_edge(upstream, downstream):
        graph.add_edge(
            upstream,
            downstream,
            sources=(source,),
            kind=kind,
            status=status,
            needed_by=needed_by,
        )
        return
    data = graph.edges[upstream, downstream]
    data["sources"] = (*data["sources"], source)
    if _STATUS_URGENCY.get(status, 1) > _STATUS_URGENCY.get(data["status"], 1):
        data["status"] = status
    if needed_by is not None and (
        data["needed_by"] is None or needed_by < data["needed_by"]
    ):
        data["needed_by"] = needed_by


# -- cycles ----------------------------------------------------------------------


def _check_acyclic(graph: nx.DiGraph[str]) -> None:
    """Raise `InvalidInputError` naming a cycle of `graph`, if it has one."""
    try:
        edges = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        return
    cycle = [edge[0] for edge in edges]
    start = cycle.index(min(cycle, key=str))
    cycle = cycle[start:] + cycle[:start]
    path = " -> ".join(str(node) for node in [*cycle, cycle[0]])
    msg = (
        f"dependency cycle: {path}; a cycle is a deadlock, so nothing in it can "
        "be scheduled: remove or reverse one of its links"
    )
    raise InvalidInputError(msg)


# -- critical path ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NodeSchedule:
    """The critical-path schedule of one node, in the units of its duration.

    Times count from the start of the remaining work (time 0).

    Attributes
    ----------
    key : str
        The node.
    duration : float
        Its remaining duration as scheduled (0 for a done node, unless
        ``include_done``).
    earliest_start, earliest_finish : float
        The earliest it can start and finish, once all its upstream nodes
        finish as early as they can.
    latest_start, latest_finish : float
        The latest it can start and finish without delaying the whole.
    slack : float
        ``latest_start - earliest_start``: how far it can slip without
        delaying the end; never negative.
    critical : bool
        Whether its slack is zero.

    Examples
    --------
    >>> NodeSchedule("A", 2.0, 0.0, 2.0, 1.0, 3.0, 1.0, False).latest_finish
    3.0
    """

    key: str
    duration: float
    earliest_start: float
    earliest_finish: float
    latest_start: float
    latest_finish: float
    slack: float
    critical: bool


@dataclass(frozen=True, slots=True)
class CriticalPath(Tabular):
    """The result of `critical_path`: the longest path and every node's slack.

    Attributes
    ----------
    nodes : tuple of str
        The critical path, upstream first: a longest chain of remaining work
        from a node with no upstream to one with no downstream (edges into
        done nodes do not count, see `critical_path`). Among equally long
        chains, the first in the sorted order of keys. Empty when no work
        remains (the length is 0).
    length : float
        Its total duration: when the last remaining work can finish, counting
        from 0.
    schedule : tuple of NodeSchedule
        Every node of the graph, in topological order (ties by key).

    Examples
    --------
    >>> import networkx as nx
    >>> graph = nx.DiGraph([("A", "B"), ("A", "C")])
    >>> path = critical_path(graph, duration={"A": 1, "B": 4, "C": 2})
    >>> path.nodes, path.length, path.slack["C"]
    (('A', 'B'), 5.0, 2.0)
    """

    nodes: tuple[str, ...]
    length: float
    schedule: tuple[NodeSchedule, ...]

    @property
    def slack(self) -> dict[str, float]:
        """Slack of every node, by key, in schedule order."""
        return {entry.key: entry.slack for entry in self.schedule}

    def to_records(self) -> list[dict[str, Any]]:
        """Return the schedule as one dict per node, in schedule order.

        Returns
        -------
        list of dict
            Keys ``key``, ``duration``, ``earliest_start``, ``earliest_finish``,
            ``latest_start``, ``latest_finish``, ``slack`` and ``critical``.

        Examples
        --------
        >>> import networkx as nx
        >>> graph = nx.DiGraph([("A", "B")])
        >>> critical_path(graph, duration={"A": 1, "B": 2}).to_records()[1]
        ... # doctest: +NORMALIZE_WHITESPACE
        {'key': 'B', 'duration': 2.0, 'earliest_start': 1.0, 'earliest_finish': 3.0,
         'latest_start': 1.0, 'latest_finish': 3.0, 'slack': 0.0, 'critical': True}
        """
        return [asdict(entry) for entry in self.schedule]

    def __repr__(self) -> str:
        path = " -> ".join(self.nodes[:6]) + (" -> ..." if len(self.nodes) > 6 else "")
        return (
            f"<CriticalPath: length {self.length:g} over {len(self.nodes)} nodes "
            f"({path}); {len(self.schedule)} scheduled>"
        )


DurationSpec = (
    str | Mapping[str, float | None] | Callable[[str, dict[str, Any]], float | None]
)


def critical_path(
    graph: nx.DiGraph[str],
    *,
    duration: DurationSpec = "remaining_days",
    default: float | None = None,
    include_done: bool = False,
) -> CriticalPath:
    """Return the critical path of a dependency graph, with every node's slack.

    The classic critical path method: a forward pass gives each node's earliest
    start (the latest earliest finish among its upstream nodes, 0 without any)
    and earliest finish (start + duration); the length is the largest earliest
    finish; a backward pass from the length gives latest finish and start;
    slack is latest start minus earliest start, and the critical path is a
    chain of zero-slack nodes. Every edge is taken as finish-to-start, whatever
    its ``kind``; filter the graph first to leave some edges out (e.g. resolved
    dependencies).

    Parameters
    ----------
    graph : networkx.DiGraph
        Edges point upstream -> downstream, as `dependency_graph` builds them.
        A node whose ``done`` attribute is true counts as done.
    duration : str, mapping or callable, default "remaining_days"
        Each node's remaining duration, in any unit (the result is in the same
        unit): the name of a node attribute; a mapping of key -> duration; or a
        callable ``(key, node_attributes) -> duration``. A missing attribute or
        key, or ``None``, means the node has no duration.
    default : float, optional
        The duration of nodes that have none. Without it, such nodes are an
        error.
    include_done : bool, default False
        Whether done nodes keep their duration and their upstream edges, as in
        a plan of the whole work. By default the schedule is of the remaining
        work: a done node counts 0 and needs no duration, and the edges into
        it are ignored (it finished, so its blockers no longer hold up what
        comes after it).

    Returns
    -------
    CriticalPath
        The path, its length and the schedule of every node. When no work
        remains (an empty graph, everything done) the path is empty and its
        length 0.

    Raises
    ------
    InvalidInputError
        If the graph has a cycle (the message names it, e.g.
        ``"dependency cycle: A -> B -> C -> A; ..."``), or nodes lack a
        duration and no `default` is given (the message lists every such
        node), or a duration is negative or not a finite number.

    See Also
    --------
    networkx.dag_longest_path : The path alone, with weights on edges.

    Examples
    --------
    >>> import networkx as nx
    >>> graph = nx.DiGraph([("design", "build"), ("build", "test"),
    ...                     ("design", "docs"), ("docs", "test")])
    >>> days = {"design": 2, "build": 5, "docs": 1, "test": 2}
    >>> path = critical_path(graph, duration=days)
    >>> path.nodes, path.length
    (('design', 'build', 'test'), 9.0)
    >>> sorted(path.slack.items())
    [('build', 0.0), ('design', 0.0), ('docs', 4.0), ('test', 0.0)]

    Done nodes count 0, and nothing upstream of them holds up what follows
    them; a node without a duration is an error unless a `default` is given:

    >>> graph.nodes["build"]["done"] = True
    >>> critical_path(graph, duration=days).nodes
    ('design', 'docs', 'test')
    >>> critical_path(graph, duration={"design": 2})
    Traceback (most recent call last):
    ...
    productops.errors.InvalidInputError: no duration for 2 nodes: ['docs', 'test'] ...
    """
    _check_acyclic(graph)
    durations = _durations(
        graph, duration=duration, default=default, include_done=include_done
    )
    # A done node is finished: what was upstream of it no longer holds it up.
    schedulable: nx.DiGraph[str] = nx.DiGraph()
    schedulable.add_nodes_from(graph)
    schedulable.add_edges_from(
        (u, v) for u, v in graph.edges if include_done or not graph.nodes[v].get("done")
    )
    order = list(nx.lexicographical_topological_sort(schedulable, key=str))
    earliest_start: dict[str, float] = {}
    earliest_finish: dict[str, float] = {}
    for node in order:
        start = max(
            (earliest_finish[p] for p in schedulable.predecessors(node)), default=0.0
        )
        earliest_start[node] = start
        earliest_finish[node] = start + durations[node]
    length = max(earliest_finish.values(), default=0.0)
    latest_start: dict[str, float] = {}
    latest_finish: dict[str, float] = {}
    for node in reversed(order):
        finish = min(
            (latest_start[s] for s in schedulable.successors(node)), default=length
        )
        latest_finish[node] = finish
        latest_start[node] = finish - durations[node]
    tolerance = 1e-9 * max(1.0, length)
    slack: dict[str, float] = {}
    for node in order:
        value = latest_start[node] - earliest_start[node]
        slack[node] = 0.0 if value <= tolerance else value
    schedule = tuple(
        NodeSchedule(
            key=node,
            duration=durations[node],
            earliest_start=earliest_start[node],
            earliest_finish=earliest_finish[node],
            latest_start=latest_start[node],
            latest_finish=latest_finish[node],
            slack=slack[node],
            critical=slack[node] == 0.0,
        )
        for node in order
    )
    return CriticalPath(
        nodes=_longest_chain(
            schedulable, earliest_start, earliest_finish, slack, tolerance
        ),
        length=length,
        schedule=schedule,
    )


def _durations(
    graph: nx.DiGraph[str],
    *,
    duration: DurationSpec,
    default: float | None,
    include_done: bool,
) -> dict[str, float]:
    durations: dict[str, float] = {}
    missing: list[str] = []
    invalid: list[str] = []
    for node, data in graph.nodes(data=True):
        if data.get("done") and not include_done:
            durations[node] = 0.0
            continue
        if isinstance(duration, str):
            value = data.get(duration)
        elif isinstance(duration, Mapping):
            value = duration.get(node)
        else:
            value = duration(node, data)
        if value is None:
            if default is None:
                missing.append(node)
                continue
            value = default
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value < 0
        ):
            invalid.append(f"{node}={value!r}")
            continue
        durations[node] = float(value)
    problems = []
    if missing:
        source = (
            f"node attribute {duration!r}"
            if isinstance(duration, str)
            else "the duration given"
        )
        problems.append(
            f"no duration for {len(missing)} node{'s' if len(missing) > 1 else ''}: "
            f"{sorted(missing, key=str)} (from {source}); give them one, "
            "or pass default="
        )
    if invalid:
        problems.append(
            "durations must be finite numbers >= 0, got " + ", ".join(sorted(invalid))
        )
    if problems:
        raise InvalidInputError("; ".join(problems))
    return durations


def _longest_chain(
    graph: nx.DiGraph[str],
    earliest_start: Mapping[str, float],
    earliest_finish: Mapping[str, float],
    slack: Mapping[str, float],
    tolerance: float,
) -> tuple[str, ...]:
    """Walk zero-slack nodes from a source to a sink, smallest key first."""
    sources = [n for n in graph if graph.in_degree(n) == 0 and slack[n] == 0.0]
    if not sources or max(earliest_finish.values()) <= 0:
        return ()
    node = min(sources, key=str)
    chain = [node]
    while True:
        following = [
            s
            for s in graph.successors(node)
            if slack[s] == 0.0
            and abs(earliest_start[s] - earliest_finish[node]) <= tolerance
        ]
        if not following:
            return tuple(chain)
        node = min(following, key=str)
        chain.append(node)


# -- blocked chains --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BlockedChain:
    """A chain of open blockers ending at the open node they hold up.

    Attributes
    ----------
    keys : tuple of str
        From the root blocker (an open node nothing open blocks) to the
        blocked node; at least two keys.

    Examples
    --------
    >>> chain = BlockedChain(("APP-1", "APP-4", "APP-9"))
    >>> chain.root, chain.blocked, chain.blockers
    ('APP-1', 'APP-9', ('APP-1', 'APP-4'))
    """

    keys: tuple[str, ...]

    @property
    def root(self) -> str:
        """The first blocker: an open node with no open upstream."""
        return self.keys[0]

    @property
    def blocked(self) -> str:
        """The node held up by the chain: its last key."""
        return self.keys[-1]

    @property
    def blockers(self) -> tuple[str, ...]:
        """Every key but the last, upstream first."""
        return self.keys[:-1]


@dataclass(frozen=True, slots=True)
class Blocker:
    """An open node and the open work it holds up.

    Attributes
    ----------
    key : str
        The blocking node.
    blocked : tuple of str
        Every open node it blocks, directly or through other open nodes, sorted.
    directly_blocked : tuple of str
        The open nodes it blocks directly, sorted.

    Examples
    --------
    >>> Blocker("APP-1", ("APP-2", "APP-3"), ("APP-2",)).count
    2
    """

    key: str
    blocked: tuple[str, ...]
    directly_blocked: tuple[str, ...]

    @property
    def count(self) -> int:
        """How many open nodes it blocks, transitively."""
        return len(self.blocked)


def _open_graph(graph: nx.DiGraph[str], *, include_resolved: bool) -> nx.DiGraph[str]:
    """Return the open nodes and the edges that still bind between them."""
    _check_acyclic(graph)
    is_open = {node: not data.get("done") for node, data in graph.nodes(data=True)}
    binding: nx.DiGraph[str] = nx.DiGraph()
    binding.add_nodes_from(node for node, flag in is_open.items() if flag)
    binding.add_edges_from(
        (u, v)
        for u, v, data in graph.edges(data=True)
        if is_open[u]
        and is_open[v]
        and (include_resolved or data.get("status") != _RESOLVED)
    )
    return binding


def blocked_chains(
    graph: nx.DiGraph[str], *, include_resolved: bool = False
) -> list[BlockedChain]:
    """Return the chains of open blockers that hold up open nodes.

    A node is open unless its ``done`` attribute is true. An edge binds when
    both its ends are open and, unless `include_resolved`, its ``status`` is
    not ``"resolved"``. For every open node with at least one binding upstream
    edge, each chain of binding edges reaching it from a root blocker (an open
    node with no binding upstream edge) is reported. A node in the middle of a
    chain is held up too, so its shorter chains appear as well.

    Parameters
    ----------
    graph : networkx.DiGraph
        Edges point upstream -> downstream, as `dependency_graph` builds them.
    include_resolved : bool, default False
        Whether edges whose ``status`` is ``"resolved"`` still bind.

    Returns
    -------
    list of BlockedChain
        Longest first, then by keys. The number of chains grows with the
        number of distinct routes, which is small in real backlogs but can be
        exponential in dense graphs.

    Raises
    ------
    InvalidInputError
        If the graph has a cycle anywhere; the message names it.

    See Also
    --------
    blockers : Open nodes ranked by how much open work they hold up.

    Examples
    --------
    >>> import networkx as nx
    >>> graph = nx.DiGraph([("A", "B"), ("B", "C"), ("X", "C"), ("D", "E")])
    >>> graph.nodes["D"]["done"] = True
    >>> [chain.keys for chain in blocked_chains(graph)]
    [('A', 'B', 'C'), ('A', 'B'), ('X', 'C')]
    """
    binding = _open_graph(graph, include_resolved=include_resolved)
    routes: dict[str, list[tuple[str, ...]]] = {}
    for node in nx.lexicographical_topological_sort(binding, key=str):
        upstream = list(binding.predecessors(node))
        routes[node] = (
            [(*route, node) for pred in upstream for route in routes[pred]]
            if upstream
            else [(node,)]
        )
    chains = [
        BlockedChain(route)
        for node in binding
        if binding.in_degree(node) > 0
        for route in routes[node]
    ]
    return sorted(chains, key=lambda chain: (-len(chain.keys), chain.keys))


def blockers(
    graph: nx.DiGraph[str], *, include_resolved: bool = False
) -> list[Blocker]:
    """Rank open nodes by how many open nodes they block, directly or not.

    Openness and binding edges are as in `blocked_chains`.

    Parameters
    ----------
    graph : networkx.DiGraph
        Edges point upstream -> downstream, as `dependency_graph` builds them.
    include_resolved : bool, default False
        Whether edges whose ``status`` is ``"resolved"`` still bind.

    Returns
    -------
    list of Blocker
        Open nodes that block at least one open node, most blocked nodes
        first, then by key.

    Raises
    ------
    InvalidInputError
        If the graph has a cycle anywhere; the message names it.

    See Also
    --------
    blocked_chains : The chains themselves.

    Examples
    --------
    >>> import networkx as nx
    >>> graph = nx.DiGraph([("A", "B"), ("B", "C"), ("X", "C")])
    >>> [(b.key, b.count) for b in blockers(graph)]
    [('A', 2), ('B', 1), ('X', 1)]
    """
    binding = _open_graph(graph, include_resolved=include_resolved)
    ranked = [
        Blocker(
            key=node,
            blocked=tuple(sorted(nx.descendants(binding, node), key=str)),
            directly_blocked=tuple(sorted(binding.successors(node), key=str)),
        )
        for node in binding
        if binding.out_degree(node) > 0
    ]
    return sorted(ranked, key=lambda blocker: (-blocker.count, blocker.key))
