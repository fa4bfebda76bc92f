"""Processes: the states work moves through and the moves allowed between them."""

from __future__ import annotations

import enum
from collections import deque
from typing import TYPE_CHECKING, Any, Self

from pydantic import Field, PositiveInt, field_validator, model_validator

if TYPE_CHECKING:
    import networkx as nx

    from productops.flow import EventLog

from ._base import NonEmptyStr, ProductOpsModel, duplicates, field_error

__all__ = ["Process", "State", "StateCategory", "Transition"]


class StateCategory(enum.StrEnum):
    """What a state means for flow: not started, waiting, worked on, or finished."""

    BACKLOG = "backlog"
    """Not started; before the commitment point."""
    QUEUE = "queue"
    """Committed but waiting (for review, for QA, for a release)."""
    ACTIVE = "active"
    """Someone is working on it."""
    DONE = "done"
    """Finished (delivered, or closed without delivery)."""


class State(ProductOpsModel):
    """A state of a process.

    Examples
    --------
    >>> State(name="In Review", category="active", wip_limit=4).category
    <StateCategory.ACTIVE: 'active'>
    """

    name: NonEmptyStr
    """The status name, exactly as the tool writes it."""
    category: StateCategory
    """What the state means for flow metrics."""
    order: int | None = None
    """Position in the process; earlier states have smaller numbers. When no state
    of a process gives one, the position in `Process.states` is used. States may
    share an order (parallel steps); moving between them is not rework."""
    wip_limit: PositiveInt | None = None
    """Most items allowed in the state at once."""
    owner_team: str | None = None
    """Key of the team that works items in this state."""
    category_guessed: bool = False
    """Whether `category` was guessed (by `Process.discover`) rather than given."""


class Transition(ProductOpsModel):
    """An allowed move from one state to another.

    Examples
    --------
    >>> Transition(source="Ready", target="In Progress")
    Transition(source='Ready', target='In Progress')
    """

    source: NonEmptyStr
    """The state left."""
    target: NonEmptyStr
    """The state entered."""

    @model_validator(mode="before")
    @classmethod
    def _from_pair(cls, data: Any) -> Any:
        if isinstance(data, list | tuple) and len(data) == 2:
            return {"source": data[0], "target": data[1]}
        return data


class Process(ProductOpsModel):
    """A workflow: ordered states, allowed transitions, commitment and delivery.

    Validation checks that state names are unique, that every transition and point
    names a known state, that there is at least one ``done`` state, and that every
    state can be reached from a start state. All problems are reported together.

    States are kept sorted by `State.order` (stable), and every state gets its
    order filled in. An empty `transitions` means any move is allowed.

    Examples
    --------
    >>> p = Process(
    ...     states=[
    ...         State(name="To Do", category="backlog"),
    ...         State(name="Doing", category="active"),
    ...         State(name="Done", category="done"),
    ...     ],
    ...     transitions=[("To Do", "Doing"), ("Doing", "Done"), ("Done", "Doing")],
    ... )
    >>> p.commitment_state, p.delivery_state
    ('Doing', 'Done')
    >>> p.is_rework("Done", "Doing")
    True
    """

    name: NonEmptyStr = "default"
    """A label for the process."""
    states: tuple[State, ...] = Field(min_length=1)
    """The states, in process order."""
    transitions: tuple[Transition, ...] = ()
    """Allowed moves; empty means every move is allowed."""
    start_states: tuple[NonEmptyStr, ...] = ()
    """Where items begin. Default: the first state in order."""
    commitment_point: NonEmptyStr | None = None
    """The state where work is committed to. Default: the first state that is
    not ``backlog``."""
    delivery_point: NonEmptyStr | None = None
    """The state where work counts as delivered. Default: the first ``done``
    state."""

    @model_validator(mode="before")
    @classmethod
    def _fill_orders(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(
            data.get("states"), list | tuple
        ):
            return data
        raw = list(data["states"])

        def order_of(state: object) -> object:
            if isinstance(state, State):
                return state.order
            if isinstance(state, dict):
                return state.get("order")
            return None

        if all(order_of(state) is None for state in raw):
            filled: list[object] = []
            for position, state in enumerate(raw):
                if isinstance(state, State):
                    filled.append(state.evolve(order=position))
                elif isinstance(state, dict):
                    filled.append({**state, "order": position})
                else:
                    filled.append(state)
            data = {**data, "states": filled}
        return data

    @field_validator("states")
    @classmethod
    def _sort_states(cls, states: tuple[State, ...]) -> tuple[State, ...]:
        missing = [state.name for state in states if state.order is None]
        if missing:
            msg = f"give every state an order, or none (missing on {missing})"
            raise ValueError(msg)
        return tuple(sorted(states, key=lambda state: state.order or 0))

    @model_validator(mode="after")
    def _check(self) -> Self:
        problems: list[str] = []
        names = [state.name for state in self.states]
        state_dupes = duplicates(names)
        if state_dupes:
            problems.append(f"states: duplicate state names {state_dupes}")
        known = set(names)
        for index, transition in enumerate(self.transitions):
            for end in ("source", "target"):
                name = getattr(transition, end)
                if name not in known:
                    problems.append(
                        f"transitions.{index}.{end}: unknown state {name!r}"
                    )
        for index, name in enumerate(self.start_states):
            if name not in known:
                problems.append(f"start_states.{index}: unknown state {name!r}")
        for point in ("commitment_point", "delivery_point"):
            name = getattr(self, point)
            if name is not None and name not in known:
                problems.append(f"{point}: unknown state {name!r}")
        if not any(state.category is StateCategory.DONE for state in self.states):
            problems.append("states: no state has category 'done'")
        if not problems:
            problems += self._check_points() + self._check_reachable()
        if problems:
            raise field_error(self, problems)
        return self

    def _check_points(self) -> list[str]:
        problems = []
        commitment = self.state(self.commitment_state)
        delivery = self.state(self.delivery_state)
        if delivery.category is not StateCategory.DONE:
            problems.append(
                f"delivery_point: {delivery.name!r} is a {delivery.category.value!r} "
                "state, not 'done'"
            )
        if (commitment.order or 0) > (delivery.order or 0):
            problems.append(
                f"commitment_point: {commitment.name!r} comes after the delivery point "
                f"{delivery.name!r}"
            )
        return problems

    def _check_reachable(self) -> list[str]:
        if not self.transitions:
            return []
        successors: dict[str, list[str]] = {state.name: [] for state in self.states}
        for transition in self.transitions:
            successors[transition.source].append(transition.target)
        starts = self.starts
        reached = set(starts)
        queue = deque(starts)
        while queue:
            for target in successors[queue.popleft()]:
                if target not in reached:
                    reached.add(target)
                    queue.append(target)
        unreachable = [state.name for state in self.states if state.name not in reached]
        if unreachable:
            return [
                f"transitions: states {unreachable} cannot be reached from the start "
                f"states {list(starts)}"
            ]
        return []

    # -- lookups ---------------------------------------------------------------

    @property
    def state_names(self) -> tuple[str, ...]:
        """The state names in process order."""
        return tuple(state.name for state in self.states)

    @property
    def starts(self) -> tuple[str, ...]:
        """The start states: `start_states`, or the first state in order."""
        return self.start_states or (self.states[0].name,)

    @property
    def commitment_state(self) -> str:
        """The commitment point, defaulted to the first non-backlog state."""
        if self.commitment_point is not None:
            return self.commitment_point
        for state in self.states:
            if state.category is not StateCategory.BACKLOG:
                return state.name
        return self.states[-1].name  # unreachable: validation demands a done state

    @property
    def delivery_state(self) -> str:
        """The delivery point, defaulted to the first ``done`` state."""
        if self.delivery_point is not None:
            return self.delivery_point
        return next(s.name for s in self.states if s.category is StateCategory.DONE)

    def state(self, name: str) -> State:
        """Return the state called `name`.

        Raises
        ------
        KeyError
            If the process has no such state.
        """
        for state in self.states:
            if state.name == name:
                return state
        msg = f"process {self.name!r} has no state {name!r}; it has {self.state_names}"
        raise KeyError(msg)

    def category_of(self, name: str) -> StateCategory:
        """Return the category of the state called `name`."""
        return self.state(name).category

    def is_allowed(self, source: str, target: str) -> bool:
        """Tell whether moving from `source` to `target` is an allowed transition."""
        self.state(source)
        self.state(target)
        if not self.transitions:
            return True
        return any(t.source == source and t.target == target for t in self.transitions)

    def is_rework(self, source: str, target: str) -> bool:
        """Tell whether a move goes back to a state earlier in the process order."""
        return (self.state(target).order or 0) < (self.state(source).order or 0)

    # -- graphs ------------------------------------------------------------------

    def to_networkx(self) -> nx.DiGraph[str]:
        """Return the process as a `networkx.DiGraph` of its allowed transitions.

        Nodes carry ``category`` (its string value), ``order``, ``wip_limit``
        and ``owner_team``; graph attributes ``commitment_point`` and
        ``delivery_point``. With no transitions declared (every move allowed),
        the graph has no edges.

        Examples
        --------
        >>> g = Process.kanban_default().to_networkx()
        >>> g.nodes["Ready"]["category"], g.has_edge("In Review", "In Progress")
        ('queue', True)
        """
        import networkx as nx

        graph: nx.DiGraph[str] = nx.DiGraph(
            name=self.name,
            commitment_point=self.commitment_state,
            delivery_point=self.delivery_state,
        )
        for state in self.states:
            graph.add_node(
                state.name,
                category=state.category.value,
                order=state.order,
                wip_limit=state.wip_limit,
                owner_team=state.owner_team,
            )
        graph.add_edges_from((t.source, t.target) for t in self.transitions)
        return graph

    def to_mermaid(self) -> str:
        """Return a Mermaid flowchart of the process (left to right).

        Queue states are drawn with rounded edges, done states as stadiums,
        backlog states as plain boxes; rework edges are dotted.

        Examples
        --------
        >>> print(Process.kanban_default().to_mermaid().splitlines()[1])
            s0["Backlog"]
        """
        shapes = {
            StateCategory.BACKLOG: ('["', '"]'),
            StateCategory.QUEUE: ('("', '")'),
            StateCategory.ACTIVE: ('["', '"]'),
            StateCategory.DONE: ('(["', '"])'),
        }
        ids = {state.name: f"s{index}" for index, state in enumerate(self.states)}
        lines = ["flowchart LR"]
        for state in self.states:
            left, right = shapes[state.category]
            label = state.name.replace('"', "#quot;")
            lines.append(f"    {ids[state.name]}{left}{label}{right}")
        for t in self.transitions:
            arrow = "-.->" if self.is_rework(t.source, t.target) else "-->"
            lines.append(f"    {ids[t.source]} {arrow} {ids[t.target]}")
        return "\n".join(lines) + "\n"

    def to_dot(self) -> str:
        """Return the process in Graphviz DOT (left to right).

        Examples
        --------
        >>> print(Process.kanban_default().to_dot().splitlines()[0])
        digraph "kanban" {
        """

        def quote(text: str) -> str:
            return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

        styles = {
            StateCategory.BACKLOG: "shape=box, style=dashed",
            StateCategory.QUEUE: "shape=box, style=rounded",
            StateCategory.ACTIVE: "shape=box, style=filled, fillcolor=lightblue",
            StateCategory.DONE: "shape=doublecircle",
        }
        lines = [f"digraph {quote(self.name)} {{", "    rankdir=LR;"]
        lines += [
            f"    {quote(state.name)} [{styles[state.category]}];"
            for state in self.states
        ]
        for t in self.transitions:
            style = " [style=dotted]" if self.is_rework(t.source, t.target) else ""
            lines.append(f"    {quote(t.source)} -> {quote(t.target)}{style};")
        lines.append("}")
        return "\n".join(lines) + "\n"

    @classmethod
    def discover(cls, log: EventLog, *, name: str = "discovered") -> Process:
        """Propose a process from an event log; see `productops.flow.discover`.

        Categories are guesses, marked with ``category_guessed=True``.
        """
        from productops.flow import discover

        return discover(log, name=name)

    # -- presets ---------------------------------------------------------------

    @classmethod
    def kanban_default(cls) -> Process:
        """Return a common software kanban: backlog, ready, build, review, done.

        The states are ``Backlog`` (backlog), ``Ready`` (queue, the commitment
        point), ``In Progress`` (active), ``Waiting for Review`` (queue),
        ``In Review`` (active) and ``Done`` (done). Review can send work back to
        In Progress, and Done can be reopened.

        Examples
        --------
        >>> Process.kanban_default().state_names
        ('Backlog', 'Ready', 'In Progress', 'Waiting for Review', 'In Review', 'Done')
        """
        return cls(
            name="kanban",
            states=(
                State(name="Backlog", category=StateCategory.BACKLOG),
                State(name="Ready", category=StateCategory.QUEUE),
                State(name="In Progress", category=StateCategory.ACTIVE),
                State(name="Waiting for Review", category=StateCategory.QUEUE),
                State(name="In Review", category=StateCategory.ACTIVE),
                State(name="Done", category=StateCategory.DONE),
            ),
            transitions=tuple(
                Transition(source=a, target=b)
                for a, b in (
                    ("Backlog", "Ready"),
                    ("Ready", "Backlog"),
                    ("Ready", "In Progress"),
                    ("In Progress", "Waiting for Review"),
                    ("Waiting for Review", "In Review"),
                    ("In Review", "In Progress"),
                    ("In Review", "Done"),
                    ("Done", "In Progress"),
                )
            ),
        )
