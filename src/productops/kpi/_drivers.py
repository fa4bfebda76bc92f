"""KPI driver trees: a north-star metric, its inputs, and who moved it.

A driver tree is a directed acyclic graph from one root metric (the north
star) down to its inputs. Every node with children combines them by a rule:
``"sum"``, ``"product"``, ``"ratio"`` (first child over second) or a formula
over the children's names, compiled with `productops.scoring.formula`. The
reference on KPI driver trees calls them "a DAG of metrics with multiplicative
or additive decomposition (e.g. revenue = users x conversion x ARPU)" whose
sensitivities are partial derivatives (``shared/reference/scoring.md`` s. 13).

`contribution` splits a change of the root between two states over the leaves
(exactly: the parts add up to the change); `driver_sensitivity` gives the partial
derivative and the elasticity of the root with respect to every leaf.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final, Literal

import networkx as nx
import numpy as np

from .._tabular import Tabular
from ..errors import InvalidInputError
from ..scoring import Formula, formula

__all__ = [
    "Contribution",
    "DriverSensitivity",
    "DriverTree",
    "Split",
    "contribution",
    "driver_tree",
    "driver_sensitivity",
]

RULES: Final = ("sum", "product", "ratio")
"""The built-in rules; any other rule text is compiled as a formula."""
SHAPLEY_LIMIT: Final = 16
"""The most children a non-sum node may have under ``method="shapley"``."""
_CYCLES_SHOWN: Final = 10
_STEP: Final = 6.0554544523933395e-06
"""Relative step of the central difference: the cube root of float64's epsilon."""

Method = Literal["shapley", "lmdi", "sequential"]
_Array = Any  # numpy float arrays; numpy's stubs lose the dtype through stack/prod


def _problems(what: str, problems: Sequence[str]) -> InvalidInputError:
    noun = "problem" if len(problems) == 1 else "problems"
    lines = [f"{len(problems)} {noun} with {what}:"]
    lines += [f"  - {problem}" for problem in problems]
    return InvalidInputError("\n".join(lines))


def _names(items: Iterable[str]) -> str:
    return ", ".join(repr(item) for item in items)


@dataclass(frozen=True, slots=True)
class DriverTree:
    """A validated KPI driver tree (a DAG from one root metric to its inputs).

    Build one with `DriverTree.from_edges` or `driver_tree`, which check it;
    the fields are read-only views.

    Attributes
    ----------
    root : str
        The north-star metric: the one node without a parent.
    leaves : tuple of str
        The inputs (nodes without children), in the order first met.
    nodes : tuple of str
        Every node in a topological order, root first.
    rules : mapping of str to str
        The rule of every node with children: ``"sum"``, ``"product"``,
        ``"ratio"`` or a formula's source.
    children : mapping of str to tuple of str
        The children of every node with children, in the order given.

    Examples
    --------
    >>> tree = driver_tree({"revenue": ("product", ["users", "conversion", "arpu"])})
    >>> tree
    DriverTree(root='revenue', 4 nodes, leaves: 'users', 'conversion', 'arpu')
    >>> tree.evaluate({"users": 1000, "conversion": 0.05, "arpu": 20.0})["revenue"]
    1000.0
    """

    root: str
    leaves: tuple[str, ...]
    nodes: tuple[str, ...]
    rules: Mapping[str, str]
    children: Mapping[str, tuple[str, ...]]
    _formulas: Mapping[str, Formula] = field(repr=False, compare=False)

    def __repr__(self) -> str:
        return (
            f"DriverTree(root={self.root!r}, {len(self.nodes)} nodes, "
            f"leaves: {_names(self.leaves)})"
        )

    @classmethod
    def from_edges(
        cls, edges: Iterable[Sequence[str]], *, rules: Mapping[str, str]
    ) -> DriverTree:
        """Build and check a driver tree from ``(parent, child)`` edges.

        Parameters
        ----------
        edges : iterable of (str, str)
            ``(parent, child)`` pairs (tuples or lists). A parent's children
            keep the order of their edges: it matters for ``"ratio"`` (first
            over second) and for ``method="sequential"``. A child may have
            several parents (a DAG).
        rules : mapping of str to str
            The rule of every node with children: ``"sum"``, ``"product"``,
            ``"ratio"``, or a formula over the children's names (see
            `productops.scoring.formula`), e.g. ``"visits * (1 - bounce)"``;
            a formula can only name children whose names are identifiers.

        Returns
        -------
        DriverTree

        Raises
        ------
        InvalidInputError
            Listing every problem at once: names that are not non-empty
            strings, repeated edges, cycles (each listed), no root or several
            roots, a node with children but no rule or a rule for a node
            without children, a ratio without exactly two children, a formula
            that does not compile, reads a name that is not a child, or leaves
            a child unused.

        Examples
        --------
        >>> tree = DriverTree.from_edges(
        ...     [("profit", "revenue"), ("profit", "cost"),
        ...      ("revenue", "units"), ("revenue", "price")],
        ...     rules={"profit": "revenue - cost", "revenue": "product"},
        ... )
        >>> tree.root, tree.leaves
        ('profit', ('cost', 'units', 'price'))
        >>> DriverTree.from_edges([("a", "b"), ("b", "a")], rules={"a": "sum"})
        Traceback (most recent call last):
        ...
        productops.errors.InvalidInputError: 3 problems with the driver tree:
          - cycle: 'a' -> 'b' -> 'a'
          - no root: every node has a parent
          - node 'b' has children but no rule
        """
        problems: list[str] = []
        graph: nx.DiGraph[str] = nx.DiGraph()
        children: dict[str, list[str]] = {}
        given: Iterable[Any] = edges
        for position, edge in enumerate(given):
            if not (isinstance(edge, tuple | list) and len(edge) == 2):
                problems.append(
                    f"edge #{position}: expected (parent, child), got {edge!r}"
                )
                continue
            parent, child = edge
            bad = [n for n in (parent, child) if not isinstance(n, str) or not n]
            if bad:
                problems.append(
                    f"edge #{position}: node names must be non-empty strings, "
                    f"got {_names(bad)}"
                )
                continue
            if graph.has_edge(parent, child):
                problems.append(f"edge {parent!r} -> {child!r} is given twice")
                continue
            graph.add_edge(parent, child)
            children.setdefault(parent, []).append(child)
            children.setdefault(child, [])
        if graph.number_of_nodes() == 0:
            problems.append("no edges: a tree needs a root and at least one input")
            error = _problems("the driver tree", problems)
            raise error
        seen = {node: i for i, node in enumerate(children)}
        cycles = []
        for cycle in itertools.islice(nx.simple_cycles(graph), _CYCLES_SHOWN):
            start = min(range(len(cycle)), key=lambda i: seen[cycle[i]])
            cycles.append(cycle[start:] + cycle[:start])
        problems += [
            "cycle: " + " -> ".join(repr(n) for n in [*cycle, cycle[0]])
            for cycle in cycles
        ]
        roots = [n for n in children if graph.in_degree(n) == 0]
        if not roots:
            problems.append("no root: every node has a parent")
        elif len(roots) > 1:
            problems.append(f"{len(roots)} roots, expected one: {_names(roots)}")
        formulas: dict[str, Formula] = {}
        for node, kids in children.items():
            rule = rules.get(node)
            if not kids:
                if node in rules:
                    problems.append(f"node {node!r} has a rule but no children")
                continue
            if rule is None:
                problems.append(f"node {node!r} has children but no rule")
                continue
            problems += _check_rule(node, rule, kids, formulas)
        unknown = [n for n in rules if n not in children]
        if unknown:
            problems.append(f"rules for nodes not in any edge: {_names(unknown)}")
        if problems:
            error = _problems("the driver tree", problems)
            raise error
        order = tuple(nx.topological_sort(graph))
        leaves = tuple(n for n, kids in children.items() if not kids)
        inner = {n: tuple(kids) for n, kids in children.items() if kids}
        return cls(
            root=roots[0],
            leaves=leaves,
            nodes=order,
            rules=MappingProxyType({n: rules[n] for n in inner}),
            children=MappingProxyType(inner),
            _formulas=MappingProxyType(formulas),
        )

    @property
    def graph(self) -> nx.DiGraph[str]:
        """A new networkx graph of the tree, edges from parent to child.

        Nodes with children carry a ``rule`` attribute, edges a ``position``
        (the child's place among its parent's children).

        Examples
        --------
        >>> tree = driver_tree({"conv": ("ratio", ["orders", "visits"])})
        >>> sorted(tree.graph.edges(data="position"))
        [('conv', 'orders', 0), ('conv', 'visits', 1)]
        """
        graph: nx.DiGraph[str] = nx.DiGraph()
        graph.add_nodes_from(self.nodes)
        for node, kids in self.children.items():
            graph.nodes[node]["rule"] = self.rules[node]
            for position, kid in enumerate(kids):
                graph.add_edge(node, kid, position=position)
        return graph

    def evaluate(self, leaf_values: Mapping[str, float]) -> dict[str, float]:
        """Compute every node's value from the leaves' values.

        Parameters
        ----------
        leaf_values : mapping of str to float
            A finite number for every leaf, and nothing else.

        Returns
        -------
        dict of str to float
            Every node's value, in topological order (root first).

        Raises
        ------
        InvalidInputError
            Listing missing leaves, keys that are not leaves, values that are
            not finite numbers, and every node whose rule fails (a ratio over
            zero, a formula error, an overflow).

        Examples
        --------
        >>> tree = driver_tree({"conv": ("ratio", ["orders", "visits"])})
        >>> tree.evaluate({"orders": 30, "visits": 600})
        {'conv': 0.05, 'orders': 30.0, 'visits': 600.0}
        >>> tree.evaluate({"orders": 30})
        Traceback (most recent call last):
        ...
        productops.errors.InvalidInputError: 1 problem with leaf_values:
          - missing leaves: 'visits'
        """
        return self._evaluate(leaf_values, "leaf_values")

    # -- internals

    def _evaluate(
        self, leaf_values: Mapping[str, float], what: str
    ) -> dict[str, float]:
        values = _leaf_values(self, leaf_values, what)
        problems: list[str] = []
        for node in reversed(self.nodes):
            kids = self.children.get(node)
            if kids is None or not all(k in values for k in kids):
                continue
            try:
                result = self._combine(node, [np.float64(values[k]) for k in kids])
            except InvalidInputError as exc:
                problems.append(str(exc))
                continue
            values[node] = float(result)
        if problems:
            error = _problems(what, problems)
            raise error
        return {node: values[node] for node in self.nodes}

    def _combine(self, node: str, arrays: Sequence[_Array]) -> _Array:
        """Apply `node`'s rule to its children's values (arrays broadcast)."""
        rule = self.rules[node]
        with np.errstate(all="ignore"):
            if rule == "sum":
                result = np.sum(np.stack(np.broadcast_arrays(*arrays)), axis=0)
            elif rule == "product":
                result = np.prod(np.stack(np.broadcast_arrays(*arrays)), axis=0)
            elif rule == "ratio":
                if np.any(arrays[1] == 0):
                    kid = self.children[node][1]
                    msg = f"node {node!r}: ratio over zero (the divisor {kid!r} is 0)"
                    raise InvalidInputError(msg)
                result = np.asarray(arrays[0] / arrays[1])
            else:
                kids = self.children[node]
                try:
                    result = self._formulas[node].evaluate_arrays(
                        dict(zip(kids, arrays, strict=True))
                    )
                except InvalidInputError as exc:
                    msg = f"node {node!r}: formula {rule!r} fails: {exc}"
                    raise InvalidInputError(msg) from None
        if not np.all(np.isfinite(result)):
            msg = f"node {node!r}: {rule} overflows (the result is not finite)"
            raise InvalidInputError(msg)
        return result


def _check_rule(
    node: str, rule: Any, kids: Sequence[str], formulas: dict[str, Formula]
) -> list[str]:
    """Problems with `node`'s rule; compiles and stores a formula rule."""
    if not isinstance(rule, str) or not rule.strip():
        return [f"node {node!r}: rule must be a non-empty string, got {rule!r}"]
    if rule == "ratio" and len(kids) != 2:
        return [
            f"node {node!r}: a ratio needs exactly 2 children (numerator, "
            f"denominator), got {len(kids)}: {_names(kids)}"
        ]
    if rule in RULES:
        return []
    try:
        compiled = formula(rule)
    except InvalidInputError as exc:
        return [f"node {node!r}: formula does not compile: {exc}"]
    problems = []
    strangers = [n for n in compiled.names if n not in kids]
    if strangers:
        problems.append(
            f"node {node!r}: formula {rule!r} reads {_names(strangers)}, "
            f"not children of {node!r} (children: {_names(kids)})"
        )
    unused = [k for k in kids if k not in compiled.names]
    if unused:
        problems.append(
            f"node {node!r}: formula {rule!r} does not use {_names(unused)}"
        )
    formulas[node] = compiled
    return problems


def _leaf_values(
    tree: DriverTree, given: Mapping[str, float], what: str
) -> dict[str, float]:
    """Check a mapping of leaf values; return it as floats."""
    values: Any = given
    if not isinstance(values, Mapping):
        msg = f"{what}: expected a mapping of leaf names to numbers"
        raise InvalidInputError(msg)
    problems = []
    missing = [leaf for leaf in tree.leaves if leaf not in values]
    if missing:
        problems.append(f"missing leaves: {_names(missing)}")
    inner = [k for k in values if k in tree.children]
    if inner:
        problems.append(f"not leaves (computed by the tree): {_names(inner)}")
    unknown = [k for k in values if k not in tree.children and k not in tree.leaves]
    if unknown:
        problems.append(f"not nodes of the tree: {_names(unknown)}")
    out: dict[str, float] = {}
    bad = []
    for leaf in tree.leaves:
        if leaf not in values:
            continue
        value = values[leaf]
        number = isinstance(value, int | float | np.integer | np.floating)
        if isinstance(value, bool | np.bool_) or not number or not math.isfinite(value):
            bad.append(f"{leaf}={value!r}")
        else:
            out[leaf] = float(value)
    if bad:
        problems.append(f"not finite numbers: {', '.join(bad)}")
    if problems:
        error = _problems(what, problems)
        raise error
    return out


def driver_tree(spec: Mapping[str, tuple[str, Sequence[str]]]) -> DriverTree:
    """Build and check a driver tree from ``{node: (rule, children)}``.

    Parameters
    ----------
    spec : mapping of str to (str, sequence of str)
        Every node with children, mapped to its rule (``"sum"``,
        ``"product"``, ``"ratio"`` or a formula over the children's names) and
        its children in order. Leaves need no entry.

    Returns
    -------
    DriverTree

    Raises
    ------
    InvalidInputError
        Listing every problem, as `DriverTree.from_edges` does, plus entries
        that are not ``(rule, children)`` pairs or have no children.

    Examples
    --------
    >>> tree = driver_tree({
    ...     "revenue": ("product", ["users", "conversion", "arpu"]),
    ...     "users": ("sum", ["new", "returning"]),
    ... })
    >>> tree.leaves
    ('conversion', 'arpu', 'new', 'returning')
    >>> values = tree.evaluate(
    ...     {"new": 400, "returning": 600, "conversion": 0.05, "arpu": 20})
    >>> values["users"], values["revenue"]
    (1000.0, 1000.0)
    """
    problems = []
    edges: list[tuple[str, str]] = []
    rules: dict[str, str] = {}
    entries: Mapping[str, Any] = spec
    for node, entry in entries.items():
        ok = isinstance(entry, tuple | list) and len(entry) == 2
        if not ok or isinstance(entry[1], str):
            problems.append(
                f"node {node!r}: expected (rule, [children...]), got {entry!r}"
            )
            continue
        rule, kids = entry
        kids = list(kids)
        if not kids:
            problems.append(f"node {node!r}: no children")
            continue
        rules[node] = rule
        edges += [(node, kid) for kid in kids]
    if problems:
        error = _problems("the driver tree", problems)
        raise error
    return DriverTree.from_edges(edges, rules=rules)


# -- contribution -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Split:
    """The part of one parent's change attributed to one of its children.

    Attributes
    ----------
    parent : str
        The node whose change is split.
    child : str
        The input it is attributed to.
    depth : int
        The child's depth: the number of edges on the shortest path from the
        root (the root's children are at depth 1).
    local : float
        The child's part of the parent's change; a parent's parts add up to its
        change.
    total : float
        The child's part of the ROOT's change through this parent: ``local``
        scaled by the parent's own part of the root change over the parent's
        change (0 when the parent did not change).
    method : str
        How the parent's change was split (``"shapley"``, ``"lmdi"``,
        ``"sequential"`` or ``"additive"`` for sums).

    Examples
    --------
    >>> Split("revenue", "users", 1, 150.0, 150.0, "shapley")
    Split('revenue' -> 'users': local +150, total +150, shapley)
    """

    parent: str
    child: str
    depth: int
    local: float
    total: float
    method: str

    def __repr__(self) -> str:
        return (
            f"Split({self.parent!r} -> {self.child!r}: local {self.local:+.6g}, "
            f"total {self.total:+.6g}, {self.method})"
        )


@dataclass(frozen=True, slots=True)
class Contribution(Tabular):
    """The change of a driver tree's root between two states, split over inputs.

    Attributes
    ----------
    root : str
        The root metric.
    method : {"shapley", "lmdi", "sequential"}
        The method asked for.
    before : float
        The root's value before.
    after : float
        The root's value after.
    change : float
        ``after - before``; `leaves` add up to it (up to float rounding).
    leaves : mapping of str to float
        Every leaf's part of the root change, in the tree's leaf order.
    nodes : mapping of str to float
        Every non-root node's part of the root change (the sum of its `splits`
        totals); in a tree, a node's children add up to it.
    splits : tuple of Split
        The split at every node: one per edge, parents in topological order.
    values_before : mapping of str to float
        Every node's value before.
    values_after : mapping of str to float
        Every node's value after.
    notes : tuple of str
        Where the method asked for was not used, and why.

    Examples
    --------
    >>> tree = driver_tree({"revenue": ("product", ["users", "arpu"])})
    >>> c = contribution(tree, {"users": 100, "arpu": 10}, {"users": 120, "arpu": 11})
    >>> c
    Contribution(revenue: 1000 -> 1320 (+320), shapley; 'users' +210, 'arpu' +110)
    """

    root: str
    method: Method
    before: float
    after: float
    change: float
    leaves: Mapping[str, float]
    nodes: Mapping[str, float]
    splits: tuple[Split, ...]
    values_before: Mapping[str, float]
    values_after: Mapping[str, float]
    notes: tuple[str, ...] = ()

    def __repr__(self) -> str:
        parts = ", ".join(f"{leaf!r} {value:+.6g}" for leaf, value in self.largest())
        return (
            f"Contribution({self.root}: {self.before:.6g} -> {self.after:.6g} "
            f"({self.change:+.6g}), {self.method}; {parts})"
        )

    def largest(self, n: int | None = None) -> list[tuple[str, float]]:
        """Return the `n` leaves with the largest contributions by size.

        Parameters
        ----------
        n : int, optional
            How many; all leaves by default.

        Returns
        -------
        list of (str, float)
            ``(leaf, contribution)``, largest absolute value first; ties keep
            the tree's leaf order.

        Examples
        --------
        >>> tree = driver_tree({"total": ("sum", ["a", "b", "c"])})
        >>> c = contribution(tree, {"a": 1, "b": 1, "c": 1}, {"a": 2, "b": -4, "c": 1})
        >>> c.largest(2)
        [('b', -5.0), ('a', 1.0)]
        """
        ranked = sorted(self.leaves.items(), key=lambda item: -abs(item[1]))
        return ranked if n is None else ranked[:n]

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per edge (split), for a data frame.

        Returns
        -------
        list of dict
            Keys ``parent``, ``child``, ``depth``, ``leaf`` (whether the child
            is a leaf), ``before``, ``after`` and ``change`` (the child's
            values), ``local``, ``total``, ``share`` (``total`` over the root
            change; ``None`` when the root did not change) and ``method``.

        Examples
        --------
        >>> tree = driver_tree({"total": ("sum", ["a", "b"])})
        >>> rows = contribution(tree, {"a": 1, "b": 1}, {"a": 4, "b": 2}).to_records()
        >>> [(r["child"], r["total"], r["share"]) for r in rows]
        [('a', 3.0, 0.75), ('b', 1.0, 0.25)]
        """
        return [
            {
                "parent": s.parent,
                "child": s.child,
                "depth": s.depth,
                "leaf": s.child in self.leaves,
                "before": self.values_before[s.child],
                "after": self.values_after[s.child],
                "change": self.values_after[s.child] - self.values_before[s.child],
                "local": s.local,
                "total": s.total,
                "share": None if self.change == 0 else s.total / self.change,
                "method": s.method,
            }
            for s in self.splits
        ]


def _shapley(
    tree: DriverTree, node: str, x0: Sequence[float], x1: Sequence[float]
) -> list[float]:
    """Shapley values of the children of `node` for the game v(S) = f(S after)."""
    n = len(x0)
    if n > SHAPLEY_LIMIT:
        msg = (
            f"node {node!r}: {n} children is too many for an exact Shapley split "
            f"(at most {SHAPLEY_LIMIT}); use method='lmdi' or 'sequential'"
        )
        raise InvalidInputError(msg)
    masks = np.arange(1 << n)
    bits = ((masks[:, None] >> np.arange(n)) & 1).astype(bool)
    arrays = [np.where(bits[:, i], x1[i], x0[i]) for i in range(n)]
    v = tree._combine(node, arrays)
    size = bits.sum(axis=1)
    weight = np.array(
        [
            math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n)
            for s in range(n)
        ]
    )
    out = []
    for i in range(n):
        without = masks[~bits[:, i]]
        gains = v[without | (1 << i)] - v[without]
        out.append(float(np.sum(weight[size[without]] * gains)))
    return out


def _log_mean(a: float, b: float) -> float:
    """Return the logarithmic mean L(a, b) = (a - b) / (ln a - ln b), L(a, a) = a."""
    # Near a == b the quotient loses every digit (and the logs can be equal);
    # there L(a, b) = (a + b) / 2 to within a relative (a - b)^2 / 12ab.
    if abs(a - b) <= 1e-9 * max(abs(a), abs(b)):
        return (a + b) / 2
    return (a - b) / (math.log(a) - math.log(b))


def _lmdi(
    node: str, rule: str, x0: Sequence[float], x1: Sequence[float], y0: float, y1: float
) -> list[float]:
    """LMDI-I split of a product or ratio node (Ang 2004, 2005)."""
    weight = _log_mean(y1, y0)
    parts = [weight * math.log(b / a) for a, b in zip(x0, x1, strict=True)]
    if rule == "ratio":
        parts[1] = -parts[1]
    return parts


def _sequential(
    tree: DriverTree,
    node: str,
    x0: Sequence[float],
    x1: Sequence[float],
    order: Sequence[int],
) -> list[float]:
    """Change the children one at a time in `order`; each gets its step's change."""
    n = len(x0)
    states = np.array([list(x0)] * (n + 1), dtype=np.float64)
    for step, i in enumerate(order, start=1):
        states[step:, i] = x1[i]
    v = tree._combine(node, [states[:, i] for i in range(n)])
    out = [0.0] * n
    for step, i in enumerate(order, start=1):
        out[i] = float(v[step] - v[step - 1])
    return out


def _depths(tree: DriverTree) -> dict[str, int]:
    depth = {tree.root: 0}
    for node in tree.nodes:
        for kid in tree.children.get(node, ()):
            depth[kid] = min(depth.get(kid, depth[node] + 1), depth[node] + 1)
    return depth


def _check_lmdi(
    tree: DriverTree, before: Mapping[str, float], after: Mapping[str, float]
) -> None:
    bad = []
    for node, rule in tree.rules.items():
        if rule not in ("product", "ratio"):
            continue
        for name in (node, *tree.children[node]):
            for label, values in (("before", before), ("after", after)):
                if values[name] <= 0:
                    bad.append(
                        f"node {node!r}: {name!r} is {values[name]:g} {label} "
                        "(LMDI takes logarithms: values must be > 0)"
                    )
    if bad:
        error = _problems("the values for method='lmdi'", list(dict.fromkeys(bad)))
        raise error


def contribution(
    tree: DriverTree,
    before: Mapping[str, float],
    after: Mapping[str, float],
    *,
    method: Method = "shapley",
    order: Sequence[str] | None = None,
) -> Contribution:
    """Split the change of the root between two states over the inputs.

    The split is done node by node, top down. At each node with children,
    the node's change is split over its children by `method` applied to the
    node's own rule, so the parts add up exactly to the node's change. Then
    each child's part is passed down: a grandchild gets the child's part
    times its own share of the child's change (nothing when the child did
    not change, since its inputs' moves cancel there). The leaves' parts
    therefore add up to the root's change, up to float rounding. A leaf with
    several parents collects its parts over every path.

    The methods:

    - ``"shapley"``: each child gets its Shapley value in the game "which
      children are at their after value": the average, over every order of
      switching the children from before to after, of the change when it is
      switched (Shapley 1953). Exact and symmetric for any rule; needs
      ``2**k`` evaluations of a node with ``k`` children, so a non-sum node
      may have at most 16. For two factors ``a * b`` it gives
      ``da * (b0 + b1) / 2``.
    - ``"lmdi"``: the logarithmic mean Divisia index, LMDI-I (Ang 2004,
      2005): for a product ``y = x1 * ... * xk`` child ``i`` gets
      ``L(y1, y0) * ln(xi1 / xi0)`` with ``L(a, b) = (a - b) / ln(a / b)``;
      a ratio's divisor gets the negative. Exact for products and ratios;
      every value involved must be positive. Formula nodes, for which LMDI
      has no form, are split by Shapley instead, and `Contribution.notes`
      says so.
    - ``"sequential"``: switch the children from before to after one at a
      time and give each the change its switch makes (the "chain
      substitution" of variance analysis). Exact, but the result depends on
      the order: a child switched later is measured at the others' after
      values.

    Sums are always split additively (each child gets its own change), which
    is what all three methods give.

    Parameters
    ----------
    tree : DriverTree
        The tree.
    before : mapping of str to float
        Every leaf's value in the first state.
    after : mapping of str to float
        Every leaf's value in the second state.
    method : {"shapley", "lmdi", "sequential"}, default "shapley"
        How to split each node's change over its children.
    order : sequence of str, optional
        For ``"sequential"`` only: the order in which to switch nodes; at each
        node, children named here go first in this order, the others after
        them in the tree's order. Default: the tree's order.

    Returns
    -------
    Contribution

    Raises
    ------
    InvalidInputError
        If `before` or `after` is not a valid set of leaf values (listing every
        problem), a node's rule fails on them, `method` is unknown, `order`
        names unknown nodes or is given with another method, a Shapley node has
        more than 16 children, or, for LMDI, a product or ratio node or one of
        its children is not positive (naming every such node).

    Notes
    -----
    The top-down, proportional passing-down is a choice. For a tree of one
    level it IS the Shapley value over the leaves; for deeper trees it
    generally differs from a Shapley value over all leaves of the composed
    root function (e.g. a product of sums), which would cost ``2**leaves``
    evaluations and hide the per-node splits that `Contribution.splits`
    shows. LMDI on a product of products is consistent in aggregation (Ang
    2005): passing down gives the same leaf parts as flattening the product.

    References
    ----------
    .. [1] L. S. Shapley, "A value for n-person games", in *Contributions to
       the Theory of Games II*, Annals of Mathematics Studies 28, Princeton
       University Press, 1953, pp. 307-317.
    .. [2] B. W. Ang, "Decomposition analysis for policymaking in energy:
       which is the preferred method?", *Energy Policy* 32 (2004) 1131-1139.
    .. [3] B. W. Ang, "The LMDI approach to decomposition analysis: a
       practical guide", *Energy Policy* 33 (2005) 867-871.

    Examples
    --------
    Revenue = users x ARPU: users rise 100 -> 120, ARPU 10 -> 11. Shapley
    gives users ``20 * (10 + 11) / 2 = 210`` and ARPU ``1 * (100 + 120) / 2 =
    110``, adding up to the change 1320 - 1000 = 320:

    >>> tree = driver_tree({"revenue": ("product", ["users", "arpu"])})
    >>> before, after = {"users": 100, "arpu": 10}, {"users": 120, "arpu": 11}
    >>> contribution(tree, before, after).largest()
    [('users', 210.0), ('arpu', 110.0)]
    >>> c = contribution(tree, before, after, method="sequential")
    >>> c.largest()
    [('users', 200.0), ('arpu', 120.0)]
    >>> c = contribution(tree, before, after, method="lmdi")
    >>> [(leaf, round(v, 2)) for leaf, v in c.largest()]
    [('users', 210.14), ('arpu', 109.86)]
    """
    if method not in ("shapley", "lmdi", "sequential"):
        msg = f"method: expected 'shapley', 'lmdi' or 'sequential', got {method!r}"
        raise InvalidInputError(msg)
    rank: dict[str, int] = {}
    if order is not None:
        if method != "sequential":
            msg = f"order: only used by method='sequential', not {method!r}"
            raise InvalidInputError(msg)
        unknown = [n for n in order if n not in tree.nodes]
        if unknown:
            msg = f"order: not nodes of the tree: {_names(unknown)}"
            raise InvalidInputError(msg)
        rank = {name: i for i, name in enumerate(order)}
    values0 = tree._evaluate(before, "before")
    values1 = tree._evaluate(after, "after")
    if method == "lmdi":
        _check_lmdi(tree, values0, values1)
    depth = _depths(tree)
    total: dict[str, float] = {tree.root: values1[tree.root] - values0[tree.root]}
    splits: list[Split] = []
    notes: list[str] = []
    for node in tree.nodes:
        kids = tree.children.get(node)
        if kids is None:
            continue
        rule = tree.rules[node]
        x0 = [values0[k] for k in kids]
        x1 = [values1[k] for k in kids]
        used: str = method
        if rule == "sum":
            used = "additive"
            local = [b - a for a, b in zip(x0, x1, strict=True)]
        elif method == "sequential":
            sequence = sorted(
                range(len(kids)), key=lambda i: (rank.get(kids[i], len(rank)), i)
            )
            local = _sequential(tree, node, x0, x1, sequence)
        elif method == "lmdi" and rule in ("product", "ratio"):
            local = _lmdi(node, rule, x0, x1, values0[node], values1[node])
        else:
            if method == "lmdi":
                used = "shapley"
                notes.append(
                    f"node {node!r}: formula rule, split by Shapley (LMDI has a "
                    "form only for products and ratios)"
                )
            local = _shapley(tree, node, x0, x1)
        change = values1[node] - values0[node]
        scale = 0.0 if change == 0 else total.get(node, 0.0) / change
        for kid, part in zip(kids, local, strict=True):
            share = part * scale
            total[kid] = total.get(kid, 0.0) + share
            splits.append(Split(node, kid, depth[kid], part, share, used))
    return Contribution(
        root=tree.root,
        method=method,
        before=values0[tree.root],
        after=values1[tree.root],
        change=values1[tree.root] - values0[tree.root],
        leaves=MappingProxyType({leaf: total[leaf] for leaf in tree.leaves}),
        nodes=MappingProxyType({n: total[n] for n in tree.nodes if n != tree.root}),
        splits=tuple(splits),
        values_before=MappingProxyType(values0),
        values_after=MappingProxyType(values1),
        notes=tuple(notes),
    )


# -- sensitivity ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DriverSensitivity(Tabular):
    """How sensitive a driver tree's root is to each leaf at one point.

    Attributes
    ----------
    root : str
        The root metric.
    value : float
        The root's value at the point.
    values : mapping of str to float
        Every node's value at the point.
    derivatives : mapping of str to float
        ``d root / d leaf`` for every leaf.
    elasticities : mapping of str to float or None
        ``d ln root / d ln leaf = derivative * leaf / root``: the percentage
        change of the root per 1 % change of the leaf; ``None`` when the root
        is 0.
    numeric : tuple of str
        Formula nodes whose partial derivatives were taken by central finite
        differences (all others are exact).

    Examples
    --------
    >>> tree = driver_tree({"revenue": ("product", ["users", "arpu"])})
    >>> driver_sensitivity(tree, {"users": 100, "arpu": 10})
    DriverSensitivity(revenue=1000: 'users' d=10 e=1, 'arpu' d=100 e=1)
    """

    root: str
    value: float
    values: Mapping[str, float]
    derivatives: Mapping[str, float]
    elasticities: Mapping[str, float | None]
    numeric: tuple[str, ...] = ()

    def __repr__(self) -> str:
        parts = ", ".join(
            f"{leaf!r} d={d:.6g} e="
            + ("n/a" if (e := self.elasticities[leaf]) is None else f"{e:.6g}")
            for leaf, d in self.derivatives.items()
        )
        return f"DriverSensitivity({self.root}={self.value:.6g}: {parts})"

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per leaf: ``leaf``, ``value``, ``derivative``, ``elasticity``.

        Examples
        --------
        >>> tree = driver_tree({"revenue": ("product", ["users", "arpu"])})
        >>> driver_sensitivity(tree, {"users": 100, "arpu": 10}).to_records()[0]
        {'leaf': 'users', 'value': 100.0, 'derivative': 10.0, 'elasticity': 1.0}
        """
        return [
            {
                "leaf": leaf,
                "value": self.values[leaf],
                "derivative": d,
                "elasticity": self.elasticities[leaf],
            }
            for leaf, d in self.derivatives.items()
        ]


def _partials(tree: DriverTree, node: str, x: Sequence[float]) -> list[float]:
    """Return the partial derivatives of `node`'s rule with respect to its children."""
    rule = tree.rules[node]
    if rule == "sum":
        return [1.0] * len(x)
    if rule == "product":
        return [math.prod(v for j, v in enumerate(x) if j != i) for i in range(len(x))]
    if rule == "ratio":
        return [1.0 / x[1], -x[0] / (x[1] * x[1])]
    n = len(x)
    steps = [_STEP * max(1.0, abs(v)) for v in x]
    points = np.array([list(x)] * (2 * n), dtype=np.float64)
    for i, h in enumerate(steps):
        points[2 * i, i] += h
        points[2 * i + 1, i] -= h
    v = tree._combine(node, [points[:, i] for i in range(n)])
    return [
        float((v[2 * i] - v[2 * i + 1]) / (points[2 * i, i] - points[2 * i + 1, i]))
        for i in range(n)
    ]


def driver_sensitivity(
    tree: DriverTree, values: Mapping[str, float]
) -> DriverSensitivity:
    """Return the partial derivative and elasticity of the root for every leaf.

    Derivatives are propagated down the tree by the chain rule (summed over
    every path when a leaf has several parents). The local partials are exact
    for sums (1), products (the product of the other children) and ratios
    (``1 / b`` and ``-a / b**2``); for a formula node they are central finite
    differences with step ``eps**(1/3) * max(1, |x|)`` (error of order
    ``h**2``).

    Parameters
    ----------
    tree : DriverTree
        The tree.
    values : mapping of str to float
        Every leaf's value: the point where the derivatives are taken.

    Returns
    -------
    DriverSensitivity

    Raises
    ------
    InvalidInputError
        If `values` is not a valid set of leaf values (listing every problem)
        or a rule fails at the point (or, for a formula, one step away).

    Notes
    -----
    The reference on KPI driver trees asks for "sensitivities as partial
    derivatives" (``shared/reference/scoring.md`` s. 13). The elasticity is
    the log-log derivative ``d ln root / d ln leaf``; for a pure product every
    factor has elasticity 1, for a ratio's divisor -1.

    Examples
    --------
    >>> tree = driver_tree({
    ...     "revenue": ("product", ["users", "conversion", "arpu"]),
    ...     "users": ("sum", ["new", "returning"]),
    ... })
    >>> s = driver_sensitivity(tree, {"new": 400, "returning": 600,
    ...                        "conversion": 0.05, "arpu": 20})
    >>> s.derivatives["conversion"], s.elasticities["new"]
    (20000.0, 0.4)
    """
    point = tree._evaluate(values, "values")
    adjoint: dict[str, float] = {tree.root: 1.0}
    numeric = []
    for node in tree.nodes:
        kids = tree.children.get(node)
        if kids is None:
            continue
        if tree.rules[node] not in RULES:
            numeric.append(node)
        partials = _partials(tree, node, [point[k] for k in kids])
        for kid, partial in zip(kids, partials, strict=True):
            adjoint[kid] = adjoint.get(kid, 0.0) + adjoint.get(node, 0.0) * partial
    root = point[tree.root]
    derivatives = {leaf: adjoint[leaf] for leaf in tree.leaves}
    elasticities = {
        leaf: None if root == 0 else d * point[leaf] / root
        for leaf, d in derivatives.items()
    }
    return DriverSensitivity(
        root=tree.root,
        value=root,
        values=MappingProxyType(point),
        derivatives=MappingProxyType(derivatives),
        elasticities=MappingProxyType(elasticities),
        numeric=tuple(numeric),
    )
