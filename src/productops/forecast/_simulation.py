"""What-if simulation of the process graph: `learn`, `simulate`, `backtest`.

The process is simulated as a queueing network. Items arrive at the commitment
point, move from state to state with the routing probabilities learnt from the
log (rework loops included), spend a resampled service time in each *active*
state, and wait in *queue* states until the next active state has a free server.
Waiting is therefore *emergent*: it comes out of capacity and load, so adding a
server shortens it, as it would in reality. The docs page *What if? Simulate the
process* explains every modelling choice and its limits.

The simulation is an own discrete-event loop over a binary heap (`heapq`); the
benchmark ``benchmarks/bench_simulation.py`` measured it against SimPy on the
target workload (see the docs page for the numbers).
"""

from __future__ import annotations

import heapq
import itertools
import math
import statistics
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Literal, NoReturn

import numpy as np
from numpy.typing import NDArray

from productops._tabular import Tabular
from productops.errors import InvalidInputError
from productops.flow import EventLog, analyze
from productops.flow._eventlog import to_ns
from productops.flow._tables import NS_PER_DAY, ns_to_days
from productops.model import Process, StateCategory

__all__ = [
    "Backtest",
    "Comparison",
    "Delta",
    "Distribution",
    "Estimate",
    "ProcessModel",
    "Scenario",
    "SimulationResult",
    "StateModel",
    "WipItem",
    "backtest",
    "learn",
    "simulate",
]

DEFAULT_WINDOW_DAYS = 84
"""Default learning window: the last 12 weeks before `as_of`."""
DEFAULT_DAYS = 84.0
"""Default simulated period when neither `days` nor `items` is given."""
DEFAULT_WARMUP_DAYS = 28.0
"""Default warm-up when a simulation starts from an empty process."""
LEVELS = (50, 70, 85, 95)
"""The cycle-time percentiles reported."""
CAPACITY_PERCENTILE = 90.0
"""Capacity estimate: this time-weighted percentile of the items in an active state
while work waited in front of it."""
MIN_SATURATION = 0.5
"""An active state counts as capacity-limited when, while work waited in front of
it, it held at least its estimated capacity for at least this share of the time."""
MIN_BUFFERED_SHARE = 0.05
"""... and work waited in front of it for at least this share of the window."""
MIN_SAMPLES = 5
"""Fewer observations than this in the window: fall back to the whole history."""

_NONE = np.iinfo(np.int64).min
_BIG = 1 << 62
_VISITS_PER_ROW = 16  # random numbers per item: 16 visits in its first row
_LATER_BLOCK = 16  # items per block of the rare rows for visits 17, 18, ...
_ROW_BLOCK = 256
_ARRIVAL_BLOCK = 1024

_ACTIVE, _QUEUE, _DONE, _BACKLOG = 0, 1, 2, 3
_KIND = {
    StateCategory.ACTIVE: _ACTIVE,
    StateCategory.QUEUE: _QUEUE,
    StateCategory.DONE: _DONE,
    StateCategory.BACKLOG: _BACKLOG,
}


def _raise_problems(what: str, problems: Sequence[str]) -> NoReturn:
    """Raise one `InvalidInputError` that lists every problem."""
    if len(problems) == 1:
        msg = f"{what}: {problems[0]}"
    else:
        listed = "".join(f"\n  - {p}" for p in problems)
        msg = f"{what}: {len(problems)} problems:{listed}"
    raise InvalidInputError(msg)


# -- distributions --------------------------------------------------------------


@dataclass(frozen=True)
class Distribution:
    """A distribution of durations in days: empirical, exponential or fixed.

    The simulation draws from it by inverse transform: one uniform number per
    draw, so two runs that share their random numbers (common random numbers)
    draw matching durations. An empirical distribution is resampled: every draw
    is one of the observed values, each equally likely.

    Attributes
    ----------
    kind : {"empirical", "exponential", "fixed"}
        The family.
    values : tuple of float
        ``empirical``: the sorted sample; ``exponential``: ``(mean,)``;
        ``fixed``: ``(value,)``.

    Examples
    --------
    >>> d = Distribution.empirical([3.0, 1.0, 2.0])
    >>> d, d.mean(), d.percentile(50)
    (Distribution.empirical(n=3, mean=2), 2.0, 2.0)
    >>> Distribution.exponential(0.5).mean()
    0.5
    """

    kind: Literal["empirical", "exponential", "fixed"]
    values: tuple[float, ...]

    def __post_init__(self) -> None:
        values = tuple(float(v) for v in self.values)
        if self.kind not in ("empirical", "exponential", "fixed"):
            msg = (
                f"kind must be 'empirical', 'exponential' or 'fixed', not {self.kind!r}"
            )
            raise InvalidInputError(msg)
        if not values:
            msg = f"an {self.kind} distribution needs at least one value"
            raise InvalidInputError(msg)
        if self.kind != "empirical" and len(values) != 1:
            msg = f"an {self.kind} distribution has one parameter, got {len(values)}"
            raise InvalidInputError(msg)
        bad = [v for v in values if not math.isfinite(v) or v < 0]
        if bad:
            msg = f"durations must be finite and >= 0; got {bad[:5]}"
            raise InvalidInputError(msg)
        if self.kind == "exponential" and values[0] <= 0:
            msg = f"an exponential distribution needs a mean > 0, got {values[0]}"
            raise InvalidInputError(msg)
        if self.kind == "empirical":
            values = tuple(sorted(values))
        object.__setattr__(self, "values", values)

    @classmethod
    def empirical(cls, values: Iterable[float]) -> Distribution:
        """Return the distribution that resamples `values` (days, ``>= 0``)."""
        return cls("empirical", tuple(values))

    @classmethod
    def exponential(cls, mean: float) -> Distribution:
        """Return an exponential distribution with `mean` days (rate ``1/mean``)."""
        return cls("exponential", (mean,))

    @classmethod
    def fixed(cls, value: float) -> Distribution:
        """Return the distribution that is always `value` days."""
        return cls("fixed", (value,))

    @property
    def size(self) -> int:
        """Number of observations behind an empirical distribution, else 0."""
        return len(self.values) if self.kind == "empirical" else 0

    def mean(self) -> float:
        """Return the mean in days."""
        return float(np.mean(self.values))

    def percentile(self, level: float) -> float:
        """Return the `level` percentile in days (``0 <= level <= 100``)."""
        if self.kind == "exponential":
            if level >= 100:
                return math.inf
            return -self.values[0] * math.log1p(-level / 100)
        return float(np.percentile(self.values, level))

    def scaled(self, factor: float) -> Distribution:
        """Return the distribution of ``factor * X`` (``factor > 0``)."""
        return Distribution(self.kind, tuple(v * factor for v in self.values))

    def __repr__(self) -> str:
        if self.kind == "empirical":
            return f"Distribution.empirical(n={self.size}, mean={self.mean():.3g})"
        return f"Distribution.{self.kind}({self.values[0]:.4g})"

    # -- sampling by inverse transform ----------------------------------------

    def _sampler(self) -> Callable[[float], float]:
        """Return ``u -> duration`` for ``u`` uniform in ``[0, 1)``."""
        if self.kind == "exponential":
            mean = self.values[0]
            return lambda u: -mean * math.log1p(-u)
        if self.kind == "fixed":
            value = self.values[0]
            return lambda u: value
        values = list(self.values)
        n = len(values)
        return lambda u: values[int(u * n)]

    def _residual(self, u: float, age: float) -> float:
        """Draw the rest of a duration already `age` days old (its residual)."""
        if self.kind == "exponential":
            return -self.values[0] * math.log1p(-u)
        if self.kind == "fixed":
            return max(self.values[0] - age, 0.0)
        start = int(np.searchsorted(self.values, age, side="right"))
        longer = len(self.values) - start
        if longer == 0:  # older than anything seen: draw afresh
            return self.values[int(u * len(self.values))]
        return self.values[start + int(u * longer)] - age


def _as_distribution(value: object, where: str) -> Distribution:
    """Read a mean (exponential), a sample (empirical) or a `Distribution`."""
    if isinstance(value, Distribution):
        return value
    if isinstance(value, bool):
        msg = f"{where}: expected a mean in days, a sample or a Distribution"
        raise InvalidInputError(msg)
    if isinstance(value, int | float):
        if not value > 0 or not math.isfinite(value):
            msg = f"{where}: a mean must be a finite number > 0, got {value}"
            raise InvalidInputError(msg)
        return Distribution.exponential(float(value))
    if isinstance(value, Sequence | np.ndarray) and not isinstance(value, str):
        return Distribution.empirical([float(v) for v in value])
    msg = f"{where}: expected a mean in days, a sample or a Distribution, got {value!r}"
    raise InvalidInputError(msg)


# -- the model ------------------------------------------------------------------


@dataclass(frozen=True)
class WipItem:
    """An item in progress when a simulation starts.

    Attributes
    ----------
    state : str
        Its state.
    in_state_days : float
        How long it has been in that state.
    age_days : float
        How long since it was committed (its cycle time so far).

    Examples
    --------
    >>> WipItem("In QA", in_state_days=0.5, age_days=12.0)
    WipItem(state='In QA', in_state_days=0.5, age_days=12.0)
    """

    state: str
    in_state_days: float
    age_days: float


@dataclass(frozen=True)
class StateModel:
    """How one state behaves in the simulation.

    Attributes
    ----------
    name : str
        The state.
    category : StateCategory
        ``active`` states serve items (with `service` times, on `capacity`
        servers); ``queue`` states hold items until the next state takes them;
        ``done`` and ``backlog`` states either let an item leave the system (a
        delivery, or work abandoned) or send it back after a delay (a reopened
        item, work picked up again).
    routing : tuple of (str or None, float)
        Next states with their probabilities, summing to 1; ``None`` means the
        item leaves the system (only from done and backlog states).
    service : Distribution or None
        Service time per visit of an active state.
    delays : tuple of (str or None, Distribution)
        For queue, done and backlog states: the delay before moving on to each
        next state. A queue state in front of a capacity-limited state has no
        delay there: its waiting time comes out of the simulation.
    capacity : int or None
        Servers (people) of an active state; ``None`` is unlimited.
    pickup : Distribution or None
        For a capacity-limited active state: the time a free server takes to
        start the next waiting item (nights, meetings, hand-over). The server
        is taken meanwhile and the item still waits in its queue state.
    wip_limit : int or None
        Most items allowed in the state at once; ``None`` is no limit.
    note : str
        How `capacity` (or its absence) was decided.

    Examples
    --------
    >>> s = StateModel("Test", StateCategory.ACTIVE, (("Done", 1.0),),
    ...                service=Distribution.exponential(1.0), capacity=2)
    >>> s.next_states
    {'Done': 1.0}
    """

    name: str
    category: StateCategory
    routing: tuple[tuple[str | None, float], ...]
    service: Distribution | None = None
    delays: tuple[tuple[str | None, Distribution], ...] = ()
    capacity: int | None = None
    pickup: Distribution | None = None
    wip_limit: int | None = None
    note: str = ""

    @property
    def next_states(self) -> dict[str | None, float]:
        """The routing as a dict (``None``: leaves the system)."""
        return dict(self.routing)

    def delay_to(self, target: str | None) -> Distribution | None:
        """Return the delay before moving on to `target`, if any."""
        return dict(self.delays).get(target)


def _freeze(mapping: Mapping[Any, Any] | None) -> Mapping[Any, Any]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class Scenario:
    """Changes to a process model: capacity, WIP limits, rework, arrivals.

    Apply one with ``simulate(model, scenario)`` or ``model.with_(scenario)``.
    State names are checked against the model when the scenario is applied.

    Attributes
    ----------
    capacity : mapping of str to int or None
        New number of servers of active states; ``None`` makes a state
        unlimited. A queue state in front keeps its learnt hand-off delay, if
        it had one, and items wait for a server on top of it; in front of a
        state made unlimited, the wait disappears.
    wip_limits : mapping of str to int or None
        WIP limits of queue or active states; ``None`` removes a limit. A full
        state takes no new item: the item waits in the state it is in (an
        active state's server is freed meanwhile), first come first served.
    rework : mapping of (str, str) to float
        New probability of a move ``(source, target)``, usually a loop back
        (``("In QA", "In Progress"): 0.05``). The other moves out of `source`
        are rescaled proportionally so that they sum to one.
    arrival_rate : float
        Multiplier of the arrival rate: ``1.2`` is 20 % more work committed per
        day (inter-arrival times divided by 1.2).
    name : str
        A label for reports.

    Examples
    --------
    >>> s = Scenario(capacity={"In QA": 3}, name="+1 tester")
    >>> s.capacity["In QA"], s.arrival_rate
    (3, 1.0)
    >>> Scenario(rework={("In QA", "In Progress"): 1.5})
    Traceback (most recent call last):
    ...
    productops.errors.InvalidInputError: scenario: rework ('In QA', 'In Progress'): a probability must be in [0, 1], got 1.5
    """  # noqa: E501

    capacity: Mapping[str, int | None] = field(default_factory=dict)
    wip_limits: Mapping[str, int | None] = field(default_factory=dict)
    rework: Mapping[tuple[str, str], float] = field(default_factory=dict)
    arrival_rate: float = 1.0
    name: str = ""

    def __post_init__(self) -> None:
        problems: list[str] = []
        for label, mapping in (
            ("capacity", self.capacity),
            ("wip_limits", self.wip_limits),
        ):
            raw_items: dict[str, object] = dict(mapping)
            for state, value in raw_items.items():
                if value is None:
                    continue
                if isinstance(value, bool) or not isinstance(value, int | np.integer):
                    problems.append(
                        f"{label} {state!r}: expected a whole number or None, "
                        f"got {value!r}"
                    )
                elif value < 1:
                    problems.append(
                        f"{label} {state!r}: must be at least 1 (None for "
                        f"unlimited), got {value}"
                    )
        raw_rework: dict[object, object] = dict(self.rework)
        for edge, probability in raw_rework.items():
            if not (isinstance(edge, tuple) and len(edge) == 2):
                problems.append(
                    f"rework {edge!r}: keys are (source, target) pairs of states"
                )
            elif not isinstance(probability, int | float) or not (
                0.0 <= float(probability) <= 1.0
            ):
                problems.append(
                    f"rework {edge!r}: a probability must be in [0, 1], "
                    f"got {probability}"
                )
        rate: object = self.arrival_rate
        if isinstance(rate, bool) or not isinstance(rate, int | float):
            problems.append(f"arrival_rate: expected a number, got {rate!r}")
        elif not (rate > 0 and math.isfinite(rate)):
            problems.append(
                f"arrival_rate: a multiplier must be a finite number > 0, got {rate}"
            )
        if problems:
            _raise_problems("scenario", problems)
        object.__setattr__(
            self,
            "capacity",
            _freeze(
                {k: None if v is None else int(v) for k, v in self.capacity.items()}
            ),
        )
        object.__setattr__(
            self,
            "wip_limits",
            _freeze(
                {k: None if v is None else int(v) for k, v in self.wip_limits.items()}
            ),
        )
        object.__setattr__(
            self, "rework", _freeze({k: float(v) for k, v in self.rework.items()})
        )
        object.__setattr__(self, "arrival_rate", float(self.arrival_rate))

    def __hash__(self) -> int:
        return hash(
            (
                tuple(sorted(self.capacity.items(), key=str)),
                tuple(sorted(self.wip_limits.items(), key=str)),
                tuple(sorted(self.rework.items())),
                self.arrival_rate,
                self.name,
            )
        )

    def __repr__(self) -> str:
        parts = [f"name={self.name!r}"] if self.name else []
        for label in ("capacity", "wip_limits", "rework"):
            value = getattr(self, label)
            if value:
                parts.append(f"{label}={dict(value)!r}")
        if self.arrival_rate != 1.0:
            parts.append(f"arrival_rate={self.arrival_rate!r}")
        return f"Scenario({', '.join(parts)})"

    @property
    def label(self) -> str:
        """`name`, or a short description of the changes."""
        if self.name:
            return self.name
        parts = [f"capacity {k}={v}" for k, v in self.capacity.items()]
        parts += [f"WIP limit {k}={v}" for k, v in self.wip_limits.items()]
        parts += [f"P({a} -> {b})={p:g}" for (a, b), p in self.rework.items()]
        if self.arrival_rate != 1.0:
            parts.append(f"arrivals x{self.arrival_rate:g}")
        return ", ".join(parts) or "no change"


@dataclass(frozen=True)
class ProcessModel(Tabular):
    """A process as a queueing network: arrivals, routing, service, capacity.

    Learn one from history with `learn`, or build one from parameters with
    `from_parameters`; change it with `with_`. Frozen: every change returns a
    new model.

    Attributes
    ----------
    process : Process
        The process the model is of (names, categories, order).
    states : tuple of StateModel
        The states items can be in after commitment, in process order.
    arrivals : Distribution
        Time between two commitments, in days.
    entry : tuple of (str, float)
        The states items are committed into, with probabilities.
    wip : tuple of WipItem
        The items in progress at the end of the learning window, oldest in
        state first: where a simulation starts by default. Empty for a model
        built from parameters.
    window : (datetime, datetime) or None
        The learning window.
    notes : tuple of str
        What learning had to decide or repair (fallbacks, ignored WIP limits).
    scenarios : tuple of Scenario
        The scenarios applied, in order.

    Examples
    --------
    >>> from productops import Process, State
    >>> process = Process(states=[State(name="Doing", category="active"),
    ...                           State(name="Done", category="done")])
    >>> model = ProcessModel.from_parameters(
    ...     process, arrival_rate=0.8, service={"Doing": 1.0}, capacity={"Doing": 1})
    >>> model
    <ProcessModel 'default': 2 states, 0.8 arrivals/day, 0 items in progress>
    >>> model.with_(capacity={"Doing": 2}).state("Doing").capacity
    2
    """

    process: Process
    states: tuple[StateModel, ...]
    arrivals: Distribution
    entry: tuple[tuple[str, float], ...]
    wip: tuple[WipItem, ...] = ()
    window: tuple[datetime, datetime] | None = None
    notes: tuple[str, ...] = ()
    scenarios: tuple[Scenario, ...] = ()

    def __post_init__(self) -> None:
        problems: list[str] = []
        names = [s.name for s in self.states]
        if len(set(names)) != len(names):
            problems.append(f"states: duplicate names in {names}")
        known = set(names)
        for s in self.states:
            if s.name not in self.process.state_names:
                problems.append(f"{s.name!r}: not a state of the process")
            if not s.routing:
                problems.append(f"{s.name!r}: no routing (where do items go next?)")
            total = 0.0
            for target, p in s.routing:
                total += p
                if not 0.0 <= p <= 1.0:
                    problems.append(
                        f"{s.name!r} -> {target!r}: probability {p} is outside [0, 1]"
                    )
                if target is None:
                    if s.category in (StateCategory.ACTIVE, StateCategory.QUEUE):
                        problems.append(
                            f"{s.name!r}: items can leave the system only from done "
                            "or backlog states"
                        )
                elif target not in known:
                    problems.append(f"{s.name!r} -> {target!r}: unknown next state")
            if s.routing and abs(total - 1.0) > 1e-6:
                problems.append(
                    f"{s.name!r}: routing probabilities sum to {total:.6g}, not 1"
                )
            if s.category is StateCategory.ACTIVE and s.service is None:
                problems.append(f"{s.name!r}: an active state needs a service time")
            if s.category is not StateCategory.ACTIVE and s.capacity is not None:
                problems.append(
                    f"{s.name!r}: capacity applies to active states only; "
                    f"this is a {s.category.value} state"
                )
            for label in ("capacity", "wip_limit"):
                value = getattr(s, label)
                if value is not None and value < 1:
                    problems.append(f"{s.name!r}: {label} must be >= 1, got {value}")
            if s.wip_limit is not None and s.category not in (
                StateCategory.ACTIVE,
                StateCategory.QUEUE,
            ):
                problems.append(
                    f"{s.name!r}: WIP limits apply to queue and active states; this "
                    f"is a {s.category.value} state"
                )
        if not self.entry:
            problems.append("entry: no entry state (where do new items start?)")
        for state, _ in self.entry:
            if state not in known:
                problems.append(f"entry: unknown state {state!r}")
        if self.entry and abs(sum(p for _, p in self.entry) - 1.0) > 1e-6:
            problems.append("entry: probabilities do not sum to 1")
        arrivals: object = self.arrivals
        if not isinstance(arrivals, Distribution) or arrivals.mean() <= 0:
            problems.append(
                "arrivals: the model has no arrivals (mean time between "
                "commitments must be > 0)"
            )
        problems += [
            f"wip: item in unknown state {item.state!r}"
            for item in self.wip
            if item.state not in known
        ]
        if problems:
            _raise_problems("process model", problems)

    # -- lookups -------------------------------------------------------------

    @property
    def state_names(self) -> tuple[str, ...]:
        """The modelled states, in process order."""
        return tuple(s.name for s in self.states)

    @property
    def arrival_rate(self) -> float:
        """Mean commitments per day."""
        return 1.0 / self.arrivals.mean()

    def state(self, name: str) -> StateModel:
        """Return the model of the state called `name`.

        Raises
        ------
        KeyError
            If the model has no such state.
        """
        for s in self.states:
            if s.name == name:
                return s
        msg = f"the model has no state {name!r}; it has {list(self.state_names)}"
        raise KeyError(msg)

    def __repr__(self) -> str:
        applied = (
            f"; scenario {' + '.join(s.label for s in self.scenarios)}"
            if self.scenarios
            else ""
        )
        return (
            f"<ProcessModel {self.process.name!r}: {len(self.states)} states, "
            f"{self.arrival_rate:.3g} arrivals/day, {len(self.wip)} items in "
            f"progress{applied}>"
        )

    # -- inspection ----------------------------------------------------------

    def to_records(self) -> list[dict[str, Any]]:
        """Return one dict per state with its parameters.

        Keys: ``state``, ``category``, ``capacity``, ``wip_limit``, ``time``
        (what the durations are: ``service``, ``hand-off``, ``emergent`` wait,
        ``delay`` before leaving done or backlog), ``samples`` (observations
        behind an empirical distribution, 0 otherwise), ``mean_days``,
        ``median_days``, ``p85_days``, ``pickup_days`` (mean pickup of a
        limited state), ``next`` (routing as text), ``wip_now`` (items there at
        the start) and ``note``.

        Examples
        --------
        >>> from productops import Process, State
        >>> process = Process(states=[State(name="Doing", category="active"),
        ...                           State(name="Done", category="done")])
        >>> model = ProcessModel.from_parameters(
        ...     process, arrival_rate=0.8, service={"Doing": 1.0})
        >>> model.to_records()[0]["next"], model.to_records()[0]["capacity"]
        ('Done 1.00', None)
        """
        wip_now: dict[str, int] = {}
        for item in self.wip:
            wip_now[item.state] = wip_now.get(item.state, 0) + 1
        rows = []
        for s in self.states:
            pooled: list[Distribution] = []
            if s.service is not None:
                time, pooled = "service", [s.service]
            else:
                pooled = [d for _, d in s.delays]
                if s.category is StateCategory.QUEUE:
                    time = "hand-off" if pooled else "emergent"
                    if pooled and len(pooled) < len(s.routing):
                        time = "hand-off/emergent"
                else:
                    time = "delay" if pooled else "none"
            values = _pooled_values(pooled)
            rows.append(
                {
                    "state": s.name,
                    "category": s.category.value,
                    "capacity": s.capacity,
                    "wip_limit": s.wip_limit,
                    "time": time,
                    "samples": sum(d.size for d in pooled),
                    "mean_days": _describe_number(values, "mean"),
                    "median_days": _describe_number(values, 50),
                    "p85_days": _describe_number(values, 85),
                    "pickup_days": None if s.pickup is None else s.pickup.mean(),
                    "next": ", ".join(
                        f"{'(leaves)' if t is None else t} {p:.2f}"
                        for t, p in s.routing
                    ),
                    "wip_now": wip_now.get(s.name, 0),
                    "note": s.note,
                }
            )
        return rows

    def describe(self) -> str:
        """Return the model as a text table, one line per state.

        Examples
        --------
        >>> from productops import Process, State
        >>> process = Process(states=[State(name="Doing", category="active"),
        ...                           State(name="Done", category="done")])
        >>> model = ProcessModel.from_parameters(
        ...     process, arrival_rate=0.8, service={"Doing": 1.0},
        ...     capacity={"Doing": 1})
        >>> print(model.describe())
        process model 'default'
        arrivals: 0.800 per day (exponential); entry: Doing
        state  category  capacity  WIP limit  time     median  p85   next
        Doing  active    1         -          service  0.69    1.90  Done 1.00
        Done   done      -         -          none     -       -     (leaves) 1.00
        """
        head = f"process model {self.process.name!r}"
        if self.window is not None:
            head += (
                f", learnt from {self.window[0]:%Y-%m-%d} to {self.window[1]:%Y-%m-%d}"
            )
        if self.scenarios:
            head += f"; scenario {' + '.join(s.label for s in self.scenarios)}"
        source = (
            f"empirical, {self.arrivals.size} gaps"
            if self.arrivals.kind == "empirical"
            else self.arrivals.kind
        )
        entry = ", ".join(
            name if p == 1.0 else f"{name} {p:.2f}" for name, p in self.entry
        )
        lines = [
            head,
            f"arrivals: {self.arrival_rate:.3f} per day ({source}); entry: {entry}",
        ]
        records = self.to_records()
        show_wip = bool(self.wip)
        header = [
            "state",
            "category",
            "capacity",
            "WIP limit",
            "time",
            "median",
            "p85",
        ]
        header += ["now", "next"] if show_wip else ["next"]
        table = [header]
        for r in records:
            row = [
                r["state"],
                r["category"],
                "-" if r["capacity"] is None else str(r["capacity"]),
                "-" if r["wip_limit"] is None else str(r["wip_limit"]),
                r["time"],
                _fmt_days(r["median_days"]),
                _fmt_days(r["p85_days"]),
            ]
            if show_wip:
                row.append(str(r["wip_now"]))
            row.append(r["next"])
            table.append(row)
        widths = [max(len(row[i]) for row in table) for i in range(len(header))]
        for row in table:
            cells = [c.ljust(w) for c, w in zip(row, widths, strict=True)]
            lines.append("  ".join(cells).rstrip())
        lines += [f"note: {r['state']}: {r['note']}" for r in records if r["note"]]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    # -- changes ---------------------------------------------------------------

    def with_(
        self,
        scenario: Scenario | None = None,
        /,
        **changes: Any,
    ) -> ProcessModel:
        """Return the model with a scenario applied.

        Parameters
        ----------
        scenario : Scenario, optional
            The changes; or give `Scenario` fields as keywords.
        **changes
            ``capacity=``, ``wip_limits=``, ``rework=``, ``arrival_rate=``,
            ``name=``, as in `Scenario`.

        Raises
        ------
        InvalidInputError
            If a state is unknown, a capacity is set on a state that is not
            active, or a rework move cannot be rescaled; all problems are
            listed.

        Examples
        --------
        >>> from productops import Process, State
        >>> process = Process(states=[State(name="Doing", category="active"),
        ...                           State(name="Done", category="done")])
        >>> model = ProcessModel.from_parameters(
        ...     process, arrival_rate=0.8, service={"Doing": 1.0})
        >>> round(model.with_(arrival_rate=1.5).arrival_rate, 2)
        1.2
        """
        if scenario is None:
            scenario = Scenario(**changes)
        elif changes:
            msg = "give a Scenario or keyword changes, not both"
            raise InvalidInputError(msg)
        return _apply(self, scenario)

    # -- building from parameters ----------------------------------------------

    @classmethod
    def from_parameters(
        cls,
        process: Process,
        *,
        arrival_rate: float | Distribution,
        service: Mapping[str, float | Sequence[float] | Distribution],
        capacity: Mapping[str, int | None] | None = None,
        routing: Mapping[str, Mapping[str | None, float]] | None = None,
        delays: Mapping[str, float | Sequence[float] | Distribution] | None = None,
        wip_limits: Mapping[str, int | None] | None = None,
        entry: str | None = None,
    ) -> ProcessModel:
        """Build a model from parameters, to study a process from scratch.

        The model holds the states of `process` from the commitment point on
        (backlog states only when `routing` sends items there). By default,
        every state leads to the next one in process order, and done states let
        items leave.

        Parameters
        ----------
        process : Process
            States, categories and order.
        arrival_rate : float or Distribution
            Commitments per day, as a Poisson process (exponential gaps); or the
            distribution of the time between two commitments, in days.
        service : mapping of str to float, sequence or Distribution
            Service time of every active state: a mean in days (exponential), a
            sample of observed days (resampled), or a `Distribution`.
        capacity : mapping of str to int or None, optional
            Servers of active states; missing or ``None``: unlimited.
        routing : mapping of str to mapping of (str or None) to float, optional
            Next-state probabilities of the states that do not simply go on to
            the next state (``None``: the item leaves the system). Each must sum
            to 1.
        delays : mapping of str to float, sequence or Distribution, optional
            A delay spent in queue, done or backlog states before moving on
            (hand-off time, time before a reopen), whatever the next state.
            Queue states without one hold items exactly until the next state
            takes them.
        wip_limits : mapping of str to int or None, optional
            WIP limits.
        entry : str, optional
            Where new items start; default the commitment point.

        Returns
        -------
        ProcessModel
            The model.

        Raises
        ------
        InvalidInputError
            If a state is unknown or of the wrong kind, an active state has no
            service time, or probabilities do not sum to 1.

        Examples
        --------
        M/M/2: Poisson arrivals, exponential service, two servers.

        >>> from productops import Process, State
        >>> process = Process(states=[
        ...     State(name="Waiting", category="queue"),
        ...     State(name="Serving", category="active"),
        ...     State(name="Done", category="done")])
        >>> model = ProcessModel.from_parameters(
        ...     process, arrival_rate=1.5, service={"Serving": 1.0},
        ...     capacity={"Serving": 2})
        >>> model.state("Waiting").next_states, model.state("Serving").capacity
        ({'Serving': 1.0}, 2)
        """
        names = process.state_names
        problems: list[str] = []
        arrivals = (
            arrival_rate
            if isinstance(arrival_rate, Distribution)
            else _rate_to_gaps(arrival_rate)
        )
        routing = dict(routing or {})
        for label, mapping in (
            ("service", service),
            ("capacity", capacity or {}),
            ("routing", routing),
            ("delays", delays or {}),
            ("wip_limits", wip_limits or {}),
        ):
            problems += [
                f"{label}: unknown state {name!r}; the process has {list(names)}"
                for name in mapping
                if name not in names
            ]
        entry_state = entry if entry is not None else process.commitment_state
        if entry_state not in names:
            problems.append(f"entry: unknown state {entry_state!r}")
        if problems:
            _raise_problems("from_parameters", problems)

        commit_order = process.state(process.commitment_state).order or 0
        in_model = [
            s.name
            for s in process.states
            if (s.order or 0) >= commit_order
            and s.category is not StateCategory.BACKLOG
        ]
        if entry_state not in in_model:
            in_model.append(entry_state)
        for targets in routing.values():
            for target in targets:
                if target is not None and target not in in_model:
                    if target not in names:
                        problems.append(f"routing: unknown next state {target!r}")
                    else:
                        in_model.append(target)
        if problems:
            _raise_problems("from_parameters", problems)
        in_model.sort(key=names.index)

        states: list[StateModel] = []
        for position, name in enumerate(in_model):
            category = process.category_of(name)
            if name in routing:
                route = tuple((t, float(p)) for t, p in routing[name].items())
            elif category in (StateCategory.DONE, StateCategory.BACKLOG):
                route = ((None, 1.0),)
            else:
                following = in_model[position + 1 :]
                if not following:
                    problems.append(
                        f"routing: {name!r} is the last state; say where items go"
                    )
                    continue
                route = ((following[0], 1.0),)
            service_time = None
            if category is StateCategory.ACTIVE:
                if name not in service:
                    problems.append(f"service: active state {name!r} needs a time")
                    continue
                service_time = _as_distribution(service[name], f"service {name!r}")
            elif name in service:
                problems.append(
                    f"service: {name!r} is a {category.value} state; give its time "
                    "in delays="
                )
            state_delays: tuple[tuple[str | None, Distribution], ...] = ()
            if delays and name in delays:
                if category is StateCategory.ACTIVE:
                    problems.append(f"delays: {name!r} is active; use service=")
                else:
                    d = _as_distribution(delays[name], f"delays {name!r}")
                    state_delays = tuple((t, d) for t, _ in route if t is not None)
            cap = (capacity or {}).get(name)
            if cap is not None and category is not StateCategory.ACTIVE:
                problems.append(
                    f"capacity: {name!r} is a {category.value} state; capacity "
                    "applies to active states"
                )
                cap = None
            states.append(
                StateModel(
                    name=name,
                    category=category,
                    routing=route,
                    service=service_time,
                    delays=state_delays,
                    capacity=cap,
                    wip_limit=(wip_limits or {}).get(name),
                )
            )
        if problems:
            _raise_problems("from_parameters", problems)
        return cls(
            process=process,
            states=tuple(states),
            arrivals=arrivals,
            entry=((entry_state, 1.0),),
        )


def _rate_to_gaps(rate: object) -> Distribution:
    if isinstance(rate, bool) or not isinstance(rate, int | float):
        msg = f"arrival_rate: expected items per day or a Distribution, got {rate!r}"
        raise InvalidInputError(msg)
    if not (rate > 0 and math.isfinite(rate)):
        msg = (
            f"arrival_rate: the model has no arrivals; give a rate > 0 items per "
            f"day, got {rate}"
        )
        raise InvalidInputError(msg)
    return Distribution.exponential(1.0 / float(rate))


def _pooled_values(pooled: Sequence[Distribution]) -> Distribution | None:
    if not pooled:
        return None
    if len(pooled) == 1:
        return pooled[0]
    if all(d.kind == "empirical" for d in pooled):
        return Distribution.empirical([v for d in pooled for v in d.values])
    return pooled[0]


def _describe_number(d: Distribution | None, what: str | int) -> float | None:
    if d is None:
        return None
    return d.mean() if what == "mean" else d.percentile(float(what))


def _fmt_days(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _apply(model: ProcessModel, scenario: Scenario) -> ProcessModel:
    """Return `model` with `scenario` applied (validated against the model)."""
    problems: list[str] = []
    by_name = {s.name: s for s in model.states}
    known = list(by_name)

    def check(name: str, label: str) -> StateModel | None:
        if name not in by_name:
            problems.append(f"{label}: unknown state {name!r}; the model has {known}")
            return None
        return by_name[name]

    updated = dict(by_name)
    for name, servers in scenario.capacity.items():
        state = check(name, "capacity")
        if state is None:
            continue
        if state.category is not StateCategory.ACTIVE:
            feeds = [t for t, _ in state.routing if t is not None]
            hint = f"; set it on {feeds[0]!r}" if feeds else ""
            problems.append(
                f"capacity: {name!r} is a {state.category.value} state, capacity "
                f"applies to active states{hint}"
            )
            continue
        before = "unlimited" if state.capacity is None else state.capacity
        updated[name] = replace(
            updated[name],
            capacity=servers,
            note=f"capacity set by a scenario (before: {before})",
        )
    for name, limit in scenario.wip_limits.items():
        state = check(name, "wip_limits")
        if state is None:
            continue
        if state.category not in (StateCategory.ACTIVE, StateCategory.QUEUE):
            problems.append(
                f"wip_limits: {name!r} is a {state.category.value} state; WIP limits "
                "apply to queue and active states"
            )
            continue
        updated[name] = replace(updated[name], wip_limit=limit)
    new_probabilities: dict[str, dict[str, float]] = {}
    for (source, target), probability in scenario.rework.items():
        state = check(source, "rework source")
        if check(target, "rework target") is None or state is None:
            continue
        new_probabilities.setdefault(source, {})[target] = probability
    for source, fixed in new_probabilities.items():
        state = updated[source]
        given = sum(fixed.values())
        others = [(t, p) for t, p in state.routing if t not in fixed]
        rest = sum(p for _, p in others)
        if given > 1.0 + 1e-9:
            problems.append(
                f"rework: the probabilities out of {source!r} add up to {given:g} > 1"
            )
            continue
        if rest <= 0.0 and abs(given - 1.0) > 1e-9:
            problems.append(
                f"rework: no other move out of {source!r} to rescale; give "
                "probabilities that sum to 1"
            )
            continue
        scale = (1.0 - given) / rest if rest > 0 else 0.0
        route = [(t, p * scale) for t, p in others] + list(fixed.items())
        order = model.process.state_names
        route.sort(key=lambda tp: len(order) if tp[0] is None else order.index(tp[0]))
        delays = dict(state.delays)
        if state.category is not StateCategory.ACTIVE:
            # A new move out of a delay state borrows the state's pooled delay.
            pooled = _pooled_values(list(delays.values()))
            for t in fixed:
                if t not in delays and pooled is not None:
                    delays[t] = pooled
        updated[source] = replace(
            state,
            routing=tuple(route),
            delays=tuple((t, d) for t, d in delays.items() if t in dict(route)),
        )
    if problems:
        _raise_problems("scenario", problems)
    arrivals = model.arrivals
    if scenario.arrival_rate != 1.0:
        arrivals = arrivals.scaled(1.0 / scenario.arrival_rate)
    return replace(
        model,
        states=tuple(updated[s.name] for s in model.states),
        arrivals=arrivals,
        scenarios=(*model.scenarios, scenario),
    )


# -- learning from history --------------------------------------------------------


@dataclass
class _History:
    """The in-cycle visits of a log, as columns (one row per event)."""

    log: EventLog
    process: Process
    as_of: int
    category: list[StateCategory]
    item: NDArray[np.int64]
    state: NDArray[np.int64]
    time: NDArray[np.int64]
    leave: NDArray[np.int64]  # next event's time; _NONE for an item's last event
    next_state: NDArray[np.int64]  # -1 for an item's last event
    in_cycle: NDArray[np.bool_]
    committed: NDArray[np.int64]  # per item; _NONE if never
    commit_index: NDArray[np.int64]  # per item: index of the commitment event; -1


def _history(log: EventLog, process: Process, as_of: datetime | None) -> _History:
    report = analyze(log, process, as_of=as_of)
    lg = report.log
    n = len(lg)
    last = np.zeros(n, dtype=bool)
    if n:
        last[lg.item_starts[1:] - 1] = True
    leave = np.full(n, _NONE, dtype=np.int64)
    next_state = np.full(n, -1, dtype=np.int64)
    if n > 1:
        leave[:-1] = lg.time[1:]
        next_state[:-1] = lg.state[1:]
    leave[last] = _NONE
    next_state[last] = -1
    orders = np.asarray([process.state(s).order or 0 for s in lg.states])
    commit_order = process.state(process.commitment_state).order or 0
    reached = orders[lg.state] >= commit_order
    commit_index = np.full(len(lg.items), -1, dtype=np.int64)
    hits = np.flatnonzero(reached)
    if hits.size:
        owners = lg.item[hits]
        first = np.concatenate(([True], owners[1:] != owners[:-1]))
        commit_index[owners[first]] = hits[first]
    in_cycle = (commit_index[lg.item] >= 0) & (np.arange(n) >= commit_index[lg.item])
    return _History(
        log=lg,
        process=process,
        as_of=to_ns(report.as_of),
        category=[process.category_of(s) for s in lg.states],
        item=lg.item,
        state=lg.state,
        time=lg.time,
        leave=leave,
        next_state=next_state,
        in_cycle=in_cycle,
        committed=np.asarray(report.committed_at, dtype=np.int64),
        commit_index=commit_index,
    )


def _snapshot(h: _History, at: int) -> tuple[WipItem, ...]:
    """Return the items in a queue or active state at `at` (ns), oldest first."""
    before = h.time <= at
    index = np.flatnonzero(before)
    if not index.size:
        return ()
    owners = h.item[index]
    is_last = np.concatenate((owners[1:] != owners[:-1], [True]))
    current = index[is_last]
    in_flow = np.asarray(
        [
            h.category[int(s)] in (StateCategory.QUEUE, StateCategory.ACTIVE)
            for s in h.state[current]
        ],
        dtype=bool,
    )
    current = current[in_flow & h.in_cycle[current]]
    current = current[np.lexsort((current, h.time[current]))]
    names = h.log.states
    return tuple(
        WipItem(
            state=names[int(h.state[e])],
            in_state_days=float(ns_to_days(at - int(h.time[e]))),
            age_days=float(ns_to_days(at - int(h.committed[int(h.item[e])]))),
        )
        for e in current
    )


def _occupancy(
    h: _History, states: Sequence[int], moments: NDArray[np.int64]
) -> NDArray[np.int64]:
    """Count the items in any of `states` (in-cycle visits) at each moment."""
    mask = h.in_cycle & np.isin(h.state, np.asarray(states, dtype=np.int64))
    entered = np.sort(h.time[mask])
    left = h.leave[mask]
    left = np.sort(np.where(left == _NONE, np.iinfo(np.int64).max, left))
    return (
        np.searchsorted(entered, moments, side="right")
        - np.searchsorted(left, moments, side="right")
    ).astype(np.int64)


def _segments(
    h: _History, states: Sequence[int], lo: int, hi: int
) -> NDArray[np.int64]:
    """Breakpoints in ``[lo, hi)`` where the occupancy of `states` may change."""
    mask = h.in_cycle & np.isin(h.state, np.asarray(states, dtype=np.int64))
    points = np.concatenate((h.time[mask], h.leave[mask], [lo]))
    points = points[(points >= lo) & (points < hi)]
    return np.unique(points)


def _capacity_estimate(
    h: _History, active: int, buffers: Sequence[int], lo: int, hi: int
) -> tuple[int | None, str]:
    """Estimate the servers of an active state from the waiting in front of it."""
    names = h.log.states
    name = names[active]
    if not buffers:
        return None, (
            "no queue state in front: waiting cannot be told from work, so the "
            "state is unlimited (set capacity= to change that)"
        )
    points = np.unique(
        np.concatenate(
            (_segments(h, [active], lo, hi), _segments(h, list(buffers), lo, hi))
        )
    )
    if not points.size:
        return None, "no visits in the window: unlimited"
    spans = np.diff(np.concatenate((points, [hi]))).astype(np.float64)
    in_state = _occupancy(h, [active], points)
    waiting = _occupancy(h, list(buffers), points)
    buffered = waiting > 0
    buffered_time = float(spans[buffered].sum())
    share = buffered_time / float(hi - lo)
    buffer_names = " / ".join(repr(names[b]) for b in buffers)
    if share < MIN_BUFFERED_SHARE or not buffered.any():
        return None, (
            f"work waited in {buffer_names} only {share:.0%} of the window: "
            "no sign of a capacity limit, unlimited"
        )
    counts = in_state[buffered]
    weights = spans[buffered]
    order = np.argsort(counts, kind="stable")
    cumulative = np.cumsum(weights[order]) / weights.sum()
    position = int(np.searchsorted(cumulative, CAPACITY_PERCENTILE / 100))
    servers = int(counts[order][min(position, counts.size - 1)])
    if servers < 1:
        return None, (
            f"nothing was in {name!r} while work waited in {buffer_names}: unlimited"
        )
    saturation = float(weights[counts >= servers].sum() / weights.sum())
    evidence = (
        f"while work waited in {buffer_names} ({share:.0%} of the window), "
        f"{servers} or more items were in the state {saturation:.0%} of that time"
    )
    if saturation < MIN_SATURATION:
        return None, f"{evidence}: not saturated, unlimited"
    return servers, f"estimated {servers} servers: {evidence}"


def _pickup_delays(
    h: _History, active: int, buffers: Sequence[int], servers: int, lo: int, hi: int
) -> Distribution | None:
    """How long a free server took to start the next item waiting in front.

    Departures from the state free servers; each entry takes the oldest free
    server (first come, first served). An entry from a buffer waited for its
    pickup from the later of the moment it reached the buffer and the moment its
    server was freed. Only entries in the window count.
    """
    visits = h.in_cycle & (h.state == active)
    departures = h.leave[visits & (h.leave != _NONE)]
    entries = np.flatnonzero(visits)
    previous = entries - 1
    from_buffer = (
        (previous >= 0)
        & (h.item[np.maximum(previous, 0)] == h.item[entries])
        & np.isin(h.state[np.maximum(previous, 0)], np.asarray(buffers, np.int64))
    )
    events = sorted(
        [(int(t), 0, -1) for t in departures]
        + [
            (int(h.time[e]), 1, int(h.time[e - 1]) if buffered else -1)
            for e, buffered in zip(entries, from_buffer, strict=True)
        ]
    )
    free: deque[int] = deque(maxlen=servers)
    gaps: list[float] = []
    for moment, is_entry, reached_buffer in events:
        if not is_entry:
            free.append(moment)
            continue
        freed = free.popleft() if free else _NONE
        if reached_buffer >= 0 and lo <= moment <= hi:
            gaps.append(float(ns_to_days(moment - max(reached_buffer, freed))))
    if len(gaps) < MIN_SAMPLES:
        return None
    return Distribution.empirical(gaps)


def _next_in_order(process: Process, name: str, among: Iterable[str]) -> str:
    """Return the first state of `among` after `name` in order, not backlog."""
    order = process.state(name).order or 0
    allowed = set(among)
    for state in process.states:
        if (
            state.name in allowed
            and (state.order or 0) > order
            and state.category is not StateCategory.BACKLOG
        ):
            return state.name
    return process.delivery_state


def learn(
    log: EventLog,
    process: Process,
    *,
    as_of: datetime | None = None,
    window: tuple[datetime, datetime] | None = None,
    capacity: Mapping[str, int | None] | None = None,
) -> ProcessModel:
    """Learn a process model (arrivals, routing, service, capacity) from history.

    Everything is estimated from the learning window, by default the last 12
    weeks before `as_of` (`DEFAULT_WINDOW_DAYS`), so that a trend in the
    arrivals weighs less than a year-long average would:

    - **arrivals**: the times between consecutive commitments (items crossing
      the commitment point) in the window, with the time from the window's
      start to the first and from the last to its end, resampled;
    - **routing**: for every state after commitment, the share of moves out of
      it to each next state (rework loops included) among the moves made in
      the window; from done and backlog states, the share of visits that were
      left again (a reopen, work picked up again) or never left;
    - **service times** of active states: the durations of the visits that
      ended in the window, resampled as they are (no fitted family: flow data is
      skewed and multi-modal, and resampling keeps its tail);
    - **capacity** of active states with a queue state in front: the 90th
      percentile (time-weighted) of the items in the state while work waited
      in front of it; a state counts as limited only if it held that many
      items at least half of that time, otherwise it is unlimited;
    - **pickup** of limited states: how long a freed server took to start
      the next waiting item (the server is taken meanwhile);
    - **queue states** hold items until the next state takes them: in front
      of a limited state the wait comes out of the simulation, in front of an
      unlimited state the observed hand-off time is resampled;
    - the **items in progress** at the end of the window, where simulations
      start.

    Declared WIP limits of the process are not applied (history may not have
    respected them); apply them with a `Scenario`.

    Parameters
    ----------
    log : EventLog
        Status histories.
    process : Process
        Categories, order and commitment point.
    as_of : datetime, optional
        Ignore events after it; default the last event.
    window : (datetime, datetime), optional
        The learning window; default the 12 weeks before `as_of`.
    capacity : mapping of str to int or None, optional
        Servers of active states, instead of the estimate (``None``:
        unlimited).

    Returns
    -------
    ProcessModel
        The learnt model; `ProcessModel.describe` shows it.

    Raises
    ------
    InvalidInputError
        If no item was committed in the window (a model without arrivals), the
        window is empty, or `capacity` names an unknown or non-active state.

    Examples
    --------
    >>> from productops import datasets
    >>> ws = datasets.load_demo()
    >>> log = EventLog.from_work_items(ws.work_items)
    >>> model = learn(log, ws.process, as_of=datasets.DEMO_AS_OF)
    >>> model.state("In QA").capacity, model.state("In Progress").capacity
    (2, None)
    >>> {name: round(p, 2) for name, p in model.state("In Review").routing}
    {'In Progress': 0.22, 'Ready for QA': 0.78}
    """
    h = _history(log, process, as_of)
    hi = h.as_of if window is None else to_ns(window[1])
    lo = hi - DEFAULT_WINDOW_DAYS * NS_PER_DAY if window is None else to_ns(window[0])
    if lo >= hi:
        msg = f"window: start {window[0] if window else lo} is not before its end"
        raise InvalidInputError(msg)
    if window is not None and hi > h.as_of:
        hi = h.as_of
    names = h.log.states
    notes: list[str] = []
    overrides = dict(capacity or {})
    problems = []
    for name, servers in overrides.items():
        if name not in process.state_names:
            problems.append(f"capacity: unknown state {name!r}")
        elif process.category_of(name) is not StateCategory.ACTIVE:
            problems.append(
                f"capacity: {name!r} is a {process.category_of(name).value} state; "
                "capacity applies to active states"
            )
        elif servers is not None and (isinstance(servers, bool) or servers < 1):
            problems.append(f"capacity {name!r}: must be at least 1, got {servers}")
    if problems:
        _raise_problems("learn", problems)

    # Arrivals: commitments in the window.
    committed = h.committed
    arrived = np.flatnonzero(
        (committed != _NONE) & (committed >= lo) & (committed <= hi)
    )
    window_text = (
        f"{datetime.fromtimestamp(lo / 1e9, tz=UTC):%Y-%m-%d} to "
        f"{datetime.fromtimestamp(hi / 1e9, tz=UTC):%Y-%m-%d}"
    )
    if arrived.size < 2:
        msg = (
            f"a model without arrivals: {arrived.size} item(s) crossed the "
            f"commitment point {process.commitment_state!r} in the window "
            f"{window_text}; widen the window"
        )
        raise InvalidInputError(msg)
    times = np.sort(committed[arrived])
    # The quiet time before the first and after the last commitment is data
    # too: without it, a burst would pass for the rate of the whole window.
    gaps = ns_to_days(np.diff(np.concatenate(([lo], times, [hi]))))
    arrivals = Distribution.empirical(gaps.tolist())
    entry_codes = h.state[h.commit_index[arrived]]
    entry_counts = np.bincount(entry_codes, minlength=len(names))
    entry = tuple(
        (names[i], float(entry_counts[i] / arrived.size))
        for i in np.flatnonzero(entry_counts)
    )

    # Visits after commitment.
    visit = h.in_cycle
    was_left = h.leave != _NONE
    left_in_window = visit & was_left & (h.leave >= lo) & (h.leave <= hi)
    entered_in_window = visit & (h.time >= lo) & (h.time <= hi)
    modelled = sorted(
        {int(s) for s in h.state[visit]}
        | {int(s) for s in h.next_state[visit & was_left]},
        key=lambda s: process.state_names.index(names[s]),
    )

    def fallback(
        mask_window: NDArray[np.bool_], mask_all: NDArray[np.bool_], what: str
    ) -> NDArray[np.bool_]:
        if np.count_nonzero(mask_window) >= MIN_SAMPLES or not mask_all.any():
            return mask_window
        if np.count_nonzero(mask_all) > np.count_nonzero(mask_window):
            notes.append(
                f"{what}: {np.count_nonzero(mask_window)} observations in the "
                f"window; used the whole history ({np.count_nonzero(mask_all)})"
            )
            return mask_all
        return mask_window

    routing: dict[int, tuple[tuple[str | None, float], ...]] = {}
    services: dict[int, Distribution] = {}
    edge_delays: dict[int, dict[str | None, Distribution]] = {}
    for s in modelled:
        name = names[s]
        category = h.category[s]
        of_state = h.state == s
        if category in (StateCategory.DONE, StateCategory.BACKLOG):
            chosen = fallback(
                entered_in_window & of_state, visit & of_state, f"routing of {name!r}"
            )
            targets = h.next_state[chosen]
        else:
            chosen = fallback(
                left_in_window & of_state,
                visit & was_left & of_state,
                f"routing of {name!r}",
            )
            targets = h.next_state[chosen]
        if not targets.size and category in (
            StateCategory.DONE,
            StateCategory.BACKLOG,
        ):
            routing[s] = ((None, 1.0),)
            continue
        if targets.size:
            codes, counts = np.unique(targets, return_counts=True)
            total = counts.sum()
            route = [
                (None if c < 0 else names[int(c)], float(k / total))
                for c, k in zip(codes, counts, strict=True)
            ]
        else:  # entered, never left (a new status): assume it leads on
            onward = _next_in_order(process, name, [names[m] for m in modelled])
            notes.append(
                f"{name!r}: never left in the history; assumed to lead to "
                f"{onward!r}, with the ages of its visits as durations"
            )
            route = [(onward, 1.0)]
        route.sort(
            key=lambda tp: (
                len(names) if tp[0] is None else process.state_names.index(tp[0])
            )
        )
        routing[s] = tuple(route)
        durations_mask = fallback(
            left_in_window & of_state,
            visit & was_left & of_state,
            f"times in {name!r}",
        )
        ages = ns_to_days(h.as_of - h.time[visit & of_state & ~was_left])
        if category is StateCategory.ACTIVE:
            sample = ns_to_days(h.leave[durations_mask] - h.time[durations_mask])
            services[s] = Distribution.empirical(
                (sample if sample.size else ages).tolist()
            )
        else:
            per_edge: dict[str | None, Distribution] = {}
            for target, _ in route:
                if target is None:
                    continue
                code = names.index(target)
                edge = durations_mask & (h.next_state == code)
                if not edge.any():
                    edge = visit & was_left & of_state & (h.next_state == code)
                if not edge.any():
                    edge = durations_mask
                sample = ns_to_days(h.leave[edge] - h.time[edge])
                if not sample.size:
                    sample = ages
                per_edge[target] = (
                    Distribution.empirical(sample.tolist())
                    if sample.size
                    else Distribution.fixed(0.0)
                )
            edge_delays[s] = per_edge

    # Capacity: from the waiting in front of each active state.
    capacities: dict[int, int | None] = {}
    capacity_notes: dict[int, str] = {}
    pickups: dict[int, Distribution | None] = {}
    for s in routing:
        if h.category[s] is not StateCategory.ACTIVE:
            continue
        name = names[s]
        buffers = [
            q
            for q, route in routing.items()
            if h.category[q] is StateCategory.QUEUE
            and max(route, key=lambda tp: tp[1])[0] == name
        ]
        if name in overrides:
            capacities[s] = overrides[name]
            capacity_notes[s] = "capacity given"
        else:
            capacities[s], capacity_notes[s] = _capacity_estimate(h, s, buffers, lo, hi)
        servers = capacities[s]
        if servers is not None and buffers:
            pickups[s] = found = _pickup_delays(h, s, buffers, servers, lo, hi)
            if found is not None:
                capacity_notes[s] += (
                    f"; a free server took {found.mean():.2f} d on average to "
                    "start the next waiting item (pickup)"
                )

    states: list[StateModel] = []
    for s in routing:
        category = h.category[s]
        name = names[s]
        delays: tuple[tuple[str | None, Distribution], ...] = ()
        if category is not StateCategory.ACTIVE:
            delays = tuple(
                (target, d)
                for target, d in edge_delays[s].items()
                if category is not StateCategory.QUEUE
                or capacities.get(names.index(target) if target else -1) is None
            )
        states.append(
            StateModel(
                name=name,
                category=category,
                routing=routing[s],
                service=services.get(s),
                delays=delays,
                capacity=capacities.get(s),
                pickup=pickups.get(s),
                note=capacity_notes.get(s, ""),
            )
        )
    # Routes into states that never left are dropped with them.
    kept = {st.name for st in states}
    cleaned: list[StateModel] = []
    for st in states:
        route = [(t, p) for t, p in st.routing if t is None or t in kept]
        total = sum(p for _, p in route)
        if len(route) < len(st.routing) and total > 0:
            st = replace(st, routing=tuple((t, p / total) for t, p in route))
        cleaned.append(st)
    declared = [
        f"{st.name!r} {st.wip_limit}"
        for st in process.states
        if st.wip_limit is not None and st.name in kept
    ]
    if declared:
        notes.append(
            "declared WIP limits are not applied (history decides): "
            + ", ".join(declared)
        )
    return ProcessModel(
        process=process,
        states=tuple(cleaned),
        arrivals=arrivals,
        entry=entry,
        wip=tuple(w for w in _snapshot(h, hi) if w.state in kept),
        window=(
            datetime.fromtimestamp(lo // 1000 / 1e6, tz=UTC),
            datetime.fromtimestamp(hi // 1000 / 1e6, tz=UTC),
        ),
        notes=tuple(notes),
    )


# -- the discrete-event engine ----------------------------------------------------


@dataclass(frozen=True)
class _Compiled:
    """A model turned into lists indexed by state, for the event loop."""

    names: tuple[str, ...]
    kind: list[int]
    cap: list[int]
    lim: list[int]
    fast: list[bool]  # no capacity and no WIP limit: enter at once
    routes: list[list[tuple[float, int]]]  # cumulative probability, next (-1 leaves)
    service: list[Callable[[float], float] | None]
    service_dist: list[Distribution | None]
    delay: list[dict[int, Callable[[float], float]]]
    delay_dist: list[dict[int, Distribution]]
    pickup: list[Callable[[float], float] | None]
    entry: list[tuple[float, int]]
    arrivals: Distribution
    index: dict[str, int]
    visits_per_row: int  # random numbers kept per item (two per visit)


def _cumulative(pairs: Iterable[tuple[int, float]]) -> list[tuple[float, int]]:
    route: list[tuple[float, int]] = []
    total = 0.0
    for target, probability in pairs:
        if probability <= 0.0:
            continue
        total += probability
        route.append((total, target))
    if route:  # guard against rounding: the last branch takes everything left
        route[-1] = (2.0, route[-1][1])
    return route


def _compile(model: ProcessModel) -> _Compiled:
    names = model.state_names
    index = {name: i for i, name in enumerate(names)}
    kind, cap, lim, fast = [], [], [], []
    routes, service, service_dist, delay, delay_dist = [], [], [], [], []
    pickup: list[Callable[[float], float] | None] = []
    for s in model.states:
        k = _KIND[s.category]
        kind.append(k)
        servers = s.capacity if k == _ACTIVE and s.capacity is not None else _BIG
        limit = s.wip_limit if s.wip_limit is not None else _BIG
        cap.append(servers)
        lim.append(limit)
        fast.append(servers == _BIG and limit == _BIG)
        routes.append(
            _cumulative((-1 if t is None else index[t], p) for t, p in s.routing)
        )
        service.append(s.service._sampler() if s.service is not None else None)
        service_dist.append(s.service)
        delays = {index[t]: d for t, d in s.delays if t is not None}
        delay_dist.append(delays)
        delay.append({t: d._sampler() for t, d in delays.items()})
        limited = servers != _BIG and s.pickup is not None
        pickup.append(s.pickup._sampler() if limited and s.pickup else None)
    return _Compiled(
        names=names,
        kind=kind,
        cap=cap,
        lim=lim,
        fast=fast,
        routes=routes,
        service=service,
        service_dist=service_dist,
        delay=delay,
        delay_dist=delay_dist,
        pickup=pickup,
        entry=_cumulative((index[name], p) for name, p in model.entry),
        arrivals=model.arrivals,
        index=index,
        visits_per_row=_visits_per_row(model),
    )


def _visits_per_row(model: ProcessModel) -> int:
    """Visits an item can make without loops (all states), or `_VISITS_PER_ROW`.

    Depends on which moves exist, not on their probabilities, so that a scenario
    changing a probability (even to 0) keeps every item's random numbers.
    """
    successors = {
        s.name: [t for t, _ in s.routing if t is not None] for s in model.states
    }
    visiting: set[str] = set()
    finished: set[str] = set()

    def has_cycle(name: str) -> bool:
        if name in finished:
            return False
        if name in visiting:
            return True
        visiting.add(name)
        found = any(has_cycle(t) for t in successors[name])
        visiting.discard(name)
        finished.add(name)
        return found

    if any(has_cycle(name) for name in successors):
        return _VISITS_PER_ROW
    return len(successors)


def _pick(route: list[tuple[float, int]], u: float) -> int:
    for cumulative, target in route:
        if u < cumulative:
            return target
    return route[-1][1]


def _draw_many(d: Distribution, u: NDArray[np.float64]) -> NDArray[np.float64]:
    if d.kind == "exponential":
        return -d.values[0] * np.log1p(-u)
    if d.kind == "fixed":
        return np.full(u.shape, d.values[0])
    values = np.asarray(d.values)
    return values[(u * values.size).astype(np.int64)]


@dataclass(frozen=True)
class _Plan:
    """What one replication simulates and measures."""

    wip: tuple[WipItem, ...]
    warmup: float
    days: float  # throughput and WIP over [warmup, warmup + days]
    items: int | None  # the cohort: these many arrivals after the warm-up, or
    #                    (None) the arrivals in the period
    follow_cohort: bool  # run on until the cohort is delivered
    arrival_times: tuple[float, ...] | None = None  # replay these instead


@dataclass
class _RunStats:
    cohort_cycle: NDArray[np.float64]
    cohort_size: int
    unfinished: int
    delivered_at: NDArray[np.float64]
    delivered_cycle: NDArray[np.float64]
    start: float
    end: float
    wip: NDArray[np.float64]  # mean items per state over [start, end]
    time_in_state: NDArray[np.float64]  # days per cohort item
    visits: NDArray[np.float64]  # visits per cohort item


_SERVICE_END, _DELAY_END, _PICKUP_END, _REQUEST = 0, 1, 2, 3
_SEVERAL = -9  # a state with more than one next state


def _run(c: _Compiled, plan: _Plan, seeds: np.random.SeedSequence) -> _RunStats:
    """Simulate one replication; the event loop of the module.

    Random numbers: visit ``v`` of the ``i``-th item to arrive uses two numbers
    of the item's own row (a routing draw and a duration draw). A scenario
    changes what happens to an item, never which numbers it gets: that is what
    makes common random numbers work.

    States without capacity and WIP limit ("free" states) do not interact: an
    item's path through consecutive free states is computed at once, and only
    the moment it asks to enter a limited state goes through the event heap.
    Limited states (servers, WIP limits) are simulated event by event.
    """
    entropy, key = seeds.entropy, tuple(seeds.spawn_key)
    arrival_rng = np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(entropy, spawn_key=(*key, 0)))
    )
    block, per_row = _ROW_BLOCK, c.visits_per_row
    width = 1 + 2 * per_row

    def block_rows(level: int, number: int, size: int) -> list[list[float]]:
        """Random rows of items ``number * size ...``, visits ``level * per_row ...``.

        Every block has its own seed, so an item's numbers depend only on its
        position in arrival order, never on how the simulation went.
        """
        seq_ = np.random.SeedSequence(entropy, spawn_key=(*key, 1, level, number))
        rng = np.random.Generator(np.random.PCG64(seq_))
        rows_: list[list[float]] = rng.random((size, width)).tolist()
        return rows_

    n = len(c.names)
    kind, cap, lim, fast = c.kind, c.cap, c.lim, c.fast
    routes, service, delay, pickup, entry = (
        c.routes,
        c.service,
        c.delay,
        c.pickup,
        c.entry,
    )
    active, queue, done = _ACTIVE, _QUEUE, _DONE
    single = [route[0][1] if len(route) == 1 else _SEVERAL for route in routes]
    heap: list[tuple[float, int, int]] = []
    push, pop = heapq.heappush, heapq.heappop
    tick = itertools.count().__next__  # breaks ties in scheduling order

    count = [0] * n  # items in a limited state
    busy = [0] * n  # servers taken (serving or picking up)
    incoming = [0] * n  # items being picked up: a server and a place are theirs
    area = [0.0] * n  # integral of the items in the state over the period
    inside: list[deque[int]] = [deque() for _ in range(n)]  # in, waiting for a server
    # Waiting to get in, as (order asked, item): from a queue state, for a server
    # (and room); from anywhere else, for room only.
    for_server: list[deque[tuple[int, int]]] = [deque() for _ in range(n)]
    for_room: list[deque[tuple[int, int]]] = [deque() for _ in range(n)]
    time_in = [0.0] * n
    visits = [0] * n

    # Per item (lists grown a block at a time).
    st: list[int] = []  # current state; -1 not yet in, -2 left
    commit: list[float] = []
    entered: list[float] = []
    nvisit: list[int] = []
    nxt: list[int] = []  # next state chosen
    action: list[int] = []  # what the item's pending event is
    route_u: list[float] = []  # routing draw of a limited active state's visit
    pending_u: list[float] = []  # service (or pickup) draw of a waiting item
    picking: list[int] = []  # the state an item is being picked up by
    rows: list[list[float]] = []
    cohort: list[bool] = []
    later_rows: dict[tuple[int, int], list[list[float]]] = {}
    delivered_at: list[float] = []
    delivered_cycle: list[float] = []
    delivered_cohort: list[bool] = []
    n_items = 0
    cohort_left = 0
    cohort_size = 0
    w0 = plan.warmup
    w1 = w0 + plan.days

    def new_item(in_cohort: bool) -> int:  # noqa: FBT001
        nonlocal n_items
        i = n_items
        if i == len(st):
            rows.extend(block_rows(0, i // block, block))
            st.extend([-1] * block)
            commit.extend([0.0] * block)
            entered.extend([0.0] * block)
            nvisit.extend([0] * block)
            nxt.extend([-1] * block)
            action.extend([0] * block)
            route_u.extend([0.0] * block)
            pending_u.extend([0.0] * block)
            picking.extend([-1] * block)
            cohort.extend([False] * block)
        n_items = i + 1
        cohort[i] = in_cohort
        return i

    def later_draws(i: int, v: int) -> tuple[float, float]:
        level, v = divmod(v, per_row)
        number = i // _LATER_BLOCK
        rows_ = later_rows.get((level, number))
        if rows_ is None:
            rows_ = block_rows(level, number, _LATER_BLOCK)
            later_rows[level, number] = rows_
        row = rows_[i % _LATER_BLOCK]
        return row[2 * v + 1], row[2 * v + 2]

    def draws(i: int) -> tuple[float, float]:
        v = nvisit[i]
        nvisit[i] = v + 1
        if v < per_row:
            row = rows[i]
            return row[2 * v + 1], row[2 * v + 2]
        return later_draws(i, v)

    def schedule(i: int, at: float, what: int) -> None:
        action[i] = what
        push(heap, (at, tick(), i))

    def chain(i: int, t: int, at: float, now: float) -> None:
        """Item `i` enters free state `t` at `at` (>= now): follow it through."""
        nonlocal cohort_left
        in_cohort = cohort[i]
        row = rows[i]
        v = nvisit[i]
        while True:
            if v < per_row:
                ur = row[2 * v + 1]
                ud = row[2 * v + 2]
            else:
                ur, ud = later_draws(i, v)
            v += 1
            if in_cohort:
                visits[t] += 1
            nt = single[t]
            if nt == _SEVERAL:
                for cumulative, nt in routes[t]:  # noqa: B007  (the last ends at 2)
                    if ur < cumulative:
                        break
            serve = service[t]
            if serve is not None:
                leave = at + serve(ud)
            elif nt < 0:
                nvisit[i] = v
                st[i] = -2
                if kind[t] == done:
                    delivered_at.append(at)
                    delivered_cycle.append(at - commit[i])
                    delivered_cohort.append(in_cohort)
                if in_cohort:
                    cohort_left -= 1
                return
            else:
                d = delay[t].get(nt)
                leave = at if d is None else at + d(ud)
                pending_u[i] = ud
            if fast[nt]:  # a visit nobody else can see: account for it now
                if leave > w0 and at < w1:
                    area[t] += (leave if leave < w1 else w1) - (at if at > w0 else w0)
                if in_cohort:
                    time_in[t] += leave - at
                t = nt
                at = leave
                continue
            nvisit[i] = v
            st[i] = t
            entered[i] = at
            nxt[i] = nt
            if leave <= now:
                count[t] += 1
                request(i, nt, now)
            else:
                schedule(i, leave, _REQUEST)
            return

    def settle(i: int, t: int, now: float, reserved: bool) -> None:  # noqa: FBT001
        """Item `i` enters limited state `t` now."""
        v = nvisit[i]
        nvisit[i] = v + 1
        if v < per_row:
            row = rows[i]
            ur = row[2 * v + 1]
            ud = row[2 * v + 2]
        else:
            ur, ud = later_draws(i, v)
        if cohort[i]:
            visits[t] += 1
        count[t] += 1
        st[i] = t
        entered[i] = now
        if kind[t] == active:
            route_u[i] = ur
            if reserved or busy[t] < cap[t]:
                if not reserved:
                    busy[t] += 1
                action[i] = _SERVICE_END
                push(heap, (now + service[t](ud), tick(), i))  # type: ignore[misc]
            else:
                pending_u[i] = ud
                inside[t].append(i)
            return
        route = routes[t]  # a queue with a WIP limit
        nt = route[0][1] if len(route) == 1 else _pick(route, ur)
        nxt[i] = nt
        d = delay[t].get(nt)
        if d is None:
            pending_u[i] = ud
            request(i, nt, now)
        else:
            schedule(i, now + d(ud), _DELAY_END)

    def go(i: int, t: int, now: float, reserved: bool = False) -> None:  # noqa: FBT001, FBT002
        """Item `i` leaves its state (if any) and enters `t` now."""
        s = st[i]
        if s >= 0:
            count[s] -= 1
            since = entered[i]
            if now > w0 and since < w1:
                area[s] += (now if now < w1 else w1) - (since if since > w0 else w0)
            if cohort[i]:
                time_in[s] += now - since
        else:
            commit[i] = now
        if fast[t]:
            chain(i, t, now, now)
        else:
            settle(i, t, now, reserved)
        if s >= 0 and (for_room[s] or for_server[s]):
            pull(s, now)

    def admit(i: int, t: int, now: float) -> None:
        """Let a server of `t` take item `i` from its queue (after a pickup)."""
        p = pickup[t]
        if p is None:
            go(i, t, now)
            return
        busy[t] += 1
        incoming[t] += 1
        picking[i] = t
        schedule(i, now + p(pending_u[i]), _PICKUP_END)

    def request(i: int, t: int, now: float) -> None:
        """Item `i` asks to enter `t`: it does, or it waits in line.

        An item in a queue state needs a free server of `t` and room in `t`;
        any other item needs room only, and waits for a server inside `t`.
        """
        if fast[t]:
            go(i, t, now)
            return
        room = count[t] + incoming[t] < lim[t]
        s = st[i]
        if s >= 0 and kind[s] == queue:
            line = for_server[t]
            if room and not line and busy[t] < cap[t] and not inside[t]:
                admit(i, t, now)
            else:
                line.append((tick(), i))
            return
        line = for_room[t]
        if room and not line:
            go(i, t, now)
        else:
            line.append((tick(), i))

    def pull(t: int, now: float) -> None:
        """Let waiting items into `t` and start serving, first come first served.

        Items already in `t` get a free server first; then whoever asked first
        among the items waiting for room and those waiting in a queue state.
        """
        in_state, servers, rooms = inside[t], for_server[t], for_room[t]
        while True:
            if in_state and busy[t] < cap[t]:
                j = in_state.popleft()
                busy[t] += 1
                action[j] = _SERVICE_END
                push(heap, (now + service[t](pending_u[j]), tick(), j))  # type: ignore[misc]
                continue
            if count[t] + incoming[t] >= lim[t]:
                break
            server_ready = bool(servers) and busy[t] < cap[t] and not in_state
            if server_ready and (not rooms or servers[0][0] < rooms[0][0]):
                admit(servers.popleft()[1], t, now)
            elif rooms:
                go(rooms.popleft()[1], t, now)
            else:
                break

    # Items in progress at the start, oldest in state first: servers go to the
    # items already being served, then the queues line up in order. Each
    # current visit lasts its residual time given how long it has lasted.
    started: list[tuple[int, int, float, float]] = []
    for w in plan.wip:
        s = c.index[w.state]
        i = new_item(False)  # noqa: FBT003
        st[i] = s
        commit[i] = -w.age_days
        entered[i] = -w.in_state_days
        ur, ud = draws(i)
        started.append((i, s, ur, ud))
    for i, s, ur, ud in started:
        if kind[s] != active:
            continue
        dist = c.service_dist[s]
        assert dist is not None  # noqa: S101  (validated: active states have one)
        if not fast[s]:
            count[s] += 1
            route_u[i] = ur
            if busy[s] < cap[s]:
                busy[s] += 1
                schedule(i, dist._residual(ud, -entered[i]), _SERVICE_END)
            else:
                pending_u[i] = ud
                inside[s].append(i)
            continue
        nt = _pick(routes[s], ur)
        leave = dist._residual(ud, -entered[i])
        if fast[nt]:
            if leave > w0:
                area[s] += min(leave, w1) - max(entered[i], w0)
            chain(i, nt, leave, 0.0)
        else:
            nxt[i] = nt
            schedule(i, leave, _REQUEST)
    for i, s, ur, ud in started:
        if kind[s] == active:
            continue
        nt = _pick(routes[s], ur)
        if nt < 0:  # leaving from a done or backlog state; not in a snapshot
            continue
        nxt[i] = nt
        d = c.delay_dist[s].get(nt)
        if d is None:
            count[s] += 1
            pending_u[i] = ud
            request(i, nt, 0.0)
            continue
        leave = d._residual(ud, -entered[i])
        if fast[s] and fast[nt]:
            if leave > w0:
                area[s] += min(leave, w1) - max(entered[i], w0)
            chain(i, nt, leave, 0.0)
        elif fast[s]:
            schedule(i, leave, _REQUEST)
        else:
            count[s] += 1
            schedule(i, leave, _DELAY_END)

    gaps: list[float] = []
    replay = plan.arrival_times is not None
    if plan.arrival_times is not None:
        times = sorted(plan.arrival_times, reverse=True)
        gaps.extend(b - a for a, b in zip([*times[1:], 0.0], times, strict=True))

    def next_gap() -> float:
        if not gaps:
            if replay:
                return math.inf
            u = arrival_rng.random(_ARRIVAL_BLOCK)
            gaps.extend(reversed(_draw_many(c.arrivals, u).tolist()))
        return gaps.pop()

    closed = False  # no more items join the cohort
    stop = math.inf
    arrival_at = next_gap()
    now = 0.0
    while True:
        item_next = bool(heap) and heap[0][0] <= arrival_at
        now = heap[0][0] if item_next else arrival_at
        if now >= w1:
            if not plan.follow_cohort:
                break
            if plan.items is None and not closed:
                closed = True
                stop = w1 + max(4.0 * plan.days, 365.0)
            if closed and cohort_left == 0:
                break
        if now > stop or now == math.inf:  # math.inf: replayed arrivals ran out
            break
        if item_next:
            _, _, i = pop(heap)
            what = action[i]
            if what == _REQUEST:
                count[st[i]] += 1
                request(i, nxt[i], now)
            elif what == _SERVICE_END:
                s = st[i]
                busy[s] -= 1
                route = routes[s]
                nt = route[0][1] if len(route) == 1 else _pick(route, route_u[i])
                request(i, nt, now)
                if inside[s] or for_server[s]:
                    pull(s, now)
            elif what == _PICKUP_END:
                p = picking[i]
                picking[i] = -1
                incoming[p] -= 1
                go(i, p, now, True)  # noqa: FBT003
            else:
                request(i, nxt[i], now)
            continue
        in_cohort = not closed and now >= w0
        i = new_item(in_cohort)
        if in_cohort:
            cohort_left += 1
            cohort_size += 1
            if plan.items is not None and cohort_size >= plan.items:
                closed = True
                stop = max(now, w1) + max(4.0 * plan.days, 365.0)
        request(i, entry[0][1] if len(entry) == 1 else _pick(entry, rows[i][0]), now)
        arrival_at = now + next_gap()

    end = min(now, w1) if plan.follow_cohort else w1
    end = max(end, w0)
    for i in range(n_items):  # visits still going on when the run stopped
        s = st[i]
        if s >= 0 and entered[i] < end:
            area[s] += end - max(entered[i], w0)
    span = max(end - w0, 1e-12)
    at = np.asarray(delivered_at, dtype=np.float64)
    cycle = np.asarray(delivered_cycle, dtype=np.float64)
    in_cohort_mask = np.asarray(delivered_cohort, dtype=bool)
    per_item = max(cohort_size, 1)
    return _RunStats(
        cohort_cycle=cycle[in_cohort_mask] if cycle.size else np.zeros(0),
        cohort_size=cohort_size,
        unfinished=cohort_left,
        delivered_at=at,
        delivered_cycle=cycle,
        start=w0,
        end=end,
        wip=np.asarray(area) / span,
        time_in_state=np.asarray(time_in) / per_item,
        visits=np.asarray(visits, dtype=np.float64) / per_item,
    )


# -- estimates across replications ------------------------------------------------


def _t_quantile(p: float, df: int) -> float:
    """Quantile `p` of Student's t with `df` degrees of freedom.

    Exact for 1 and 2 degrees of freedom; above, the Cornish-Fisher expansion
    around the normal quantile (error below 1e-3 from 3 degrees of freedom).
    """
    if df == 1:
        return math.tan(math.pi * (p - 0.5))
    if df == 2:
        return (2 * p - 1) / math.sqrt(2 * p * (1 - p))
    z = statistics.NormalDist().inv_cdf(p)
    z2 = z * z
    terms = (
        z,
        z * (z2 + 1) / 4,
        z * ((5 * z2 + 16) * z2 + 3) / 96,
        z * (((3 * z2 + 19) * z2 + 17) * z2 - 15) / 384,
        z * ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) / 92160,
    )
    return float(sum(term / df**power for power, term in enumerate(terms)))


@dataclass(frozen=True)
class Estimate:
    """A simulated quantity: its mean over replications and a confidence interval.

    The interval is ``mean ± t(1 - (1 - confidence)/2, n - 1) · s / √n`` over the
    ``n`` independent replications (Student's t); NaN bounds with one
    replication.

    Attributes
    ----------
    mean : float
        The point estimate: the mean over the replications.
    low, high : float
        The confidence interval.
    replications : int
        Replications behind it (those where the quantity is defined).

    Examples
    --------
    >>> e = Estimate(12.0, 11.5, 12.5, 20)
    >>> print(e), f"{e:.0f}", e.half_width
    12.00 [11.50, 12.50]
    (None, '12 [12, 12]', 0.5)
    """

    mean: float
    low: float
    high: float
    replications: int

    @property
    def half_width(self) -> float:
        """Half the width of the interval."""
        return (self.high - self.low) / 2

    def __format__(self, spec: str) -> str:
        spec = spec or ".2f"
        return f"{self.mean:{spec}} [{self.low:{spec}}, {self.high:{spec}}]"

    def __str__(self) -> str:
        return format(self, ".2f")


def _estimate(values: NDArray[np.float64], confidence: float) -> Estimate:
    finite = values[np.isfinite(values)]
    n = int(finite.size)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    mean = float(finite.mean())
    if n < 2:
        return Estimate(mean, math.nan, math.nan, n)
    half = (
        _t_quantile(1 - (1 - confidence) / 2, n - 1)
        * float(finite.std(ddof=1))
        / math.sqrt(n)
    )
    return Estimate(mean, mean - half, mean + half, n)


def _welch(
    a: NDArray[np.float64], b: NDArray[np.float64], confidence: float
) -> Estimate:
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if a.size < 2 or b.size < 2:
        mean = float(a.mean() - b.mean()) if a.size and b.size else math.nan
        return Estimate(mean, math.nan, math.nan, int(min(a.size, b.size)))
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    mean = float(a.mean() - b.mean())
    se = math.sqrt(va + vb)
    if se == 0:
        return Estimate(mean, mean, mean, int(min(a.size, b.size)))
    df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    half = _t_quantile(1 - (1 - confidence) / 2, max(int(df), 1)) * se
    return Estimate(mean, mean - half, mean + half, int(min(a.size, b.size)))


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]


@dataclass(frozen=True)
class Delta:
    """The change of one metric from a baseline to a scenario.

    Attributes
    ----------
    metric : str
        The metric (``"cycle_time.p85"``, ``"wip.Ready for QA"``, ...).
    baseline, scenario : float
        Its mean in each run.
    change : Estimate
        ``scenario - baseline`` with its confidence interval (paired per
        replication when both runs shared their random numbers).
    relative : float
        ``change.mean / baseline`` (NaN when the baseline is 0).

    Examples
    --------
    >>> d = Delta("throughput", 8.0, 10.0, Estimate(2.0, 1.5, 2.5, 20), 0.25)
    >>> f"{d.relative:+.0%}"
    '+25%'
    """

    metric: str
    baseline: float
    scenario: float
    change: Estimate
    relative: float


@dataclass(frozen=True, eq=False)
class SimulationResult(Tabular):
    """What `simulate` measured, with confidence intervals across replications.

    Cycle times are those of the items committed in the measured period (after
    the warm-up), each followed until it is delivered: a *cohort*, so that a
    scenario that clears old work faster does not look slower because the old
    work it delivers counts. Throughput and WIP are measured over the period.

    Metric names (keys of `samples`): ``cycle_time.mean``, ``cycle_time.p50``,
    ``.p70``, ``.p85``, ``.p95`` (days); ``throughput`` (items per week);
    ``wip.total`` and ``wip.<state>`` (mean items); ``time_in_state.<state>``
    (mean days per item); ``visits.<state>`` (mean visits per item);
    ``items`` (items measured and delivered); ``unfinished`` (share of the
    measured items not delivered when the run stopped).

    Attributes
    ----------
    model : ProcessModel
        The model simulated (with the scenario applied).
    samples : mapping of str to ndarray
        Each metric per replication.
    replications : int
        Independent replications.
    seed : int
        The seed; the same seed gives the same result on every machine.
    days, items : float or int or None
        What was measured: a period of `days`, or `items` arrivals.
    warmup_days : float
        Simulated time discarded before measuring.
    start : str
        ``"current"`` (from the model's items in progress) or ``"empty"``.
    confidence : float
        Level of the confidence intervals.

    Examples
    --------
    >>> from productops import Process, State
    >>> process = Process(states=[State(name="Doing", category="active"),
    ...                           State(name="Done", category="done")])
    >>> model = ProcessModel.from_parameters(
    ...     process, arrival_rate=0.5, service={"Doing": 1.0}, capacity={"Doing": 1})
    >>> result = simulate(model, items=500, replications=5, seed=1)
    >>> result
    <SimulationResult: 5 replications of 500 items; mean cycle time 1.87 [1.53, 2.20] d>
    >>> sorted(result.cycle_time)
    [50, 70, 85, 95]
    """

    model: ProcessModel
    samples: Mapping[str, NDArray[np.float64]]
    replications: int
    seed: int
    days: float | None
    items: int | None
    warmup_days: float
    start: str
    confidence: float

    def estimate(self, metric: str) -> Estimate:
        """Return the estimate of `metric` (see the class for the names).

        Raises
        ------
        KeyError
            If there is no such metric.
        """
        if metric not in self.samples:
            msg = f"no metric {metric!r}; the result has {list(self.samples)}"
            raise KeyError(msg)
        return _estimate(np.asarray(self.samples[metric]), self.confidence)

    @property
    def metrics(self) -> tuple[str, ...]:
        """The metric names."""
        return tuple(self.samples)

    @property
    def cycle_time(self) -> dict[int, Estimate]:
        """Cycle-time percentiles (50, 70, 85, 95) in days."""
        return {level: self.estimate(f"cycle_time.p{level}") for level in LEVELS}

    @property
    def mean_cycle_time(self) -> Estimate:
        """Mean cycle time in days."""
        return self.estimate("cycle_time.mean")

    @property
    def throughput(self) -> Estimate:
        """Items delivered per week in the measured period."""
        return self.estimate("throughput")

    @property
    def total_wip(self) -> Estimate:
        """Mean items in progress (queue and active states)."""
        return self.estimate("wip.total")

    def _per_state(self, prefix: str) -> dict[str, Estimate]:
        return {
            name[len(prefix) :]: self.estimate(name)
            for name in self.samples
            if name.startswith(prefix) and name != "wip.total"
        }

    @property
    def wip(self) -> dict[str, Estimate]:
        """Mean items per queue or active state."""
        return self._per_state("wip.")

    @property
    def time_in_state(self) -> dict[str, Estimate]:
        """Mean days per item in each queue or active state."""
        return self._per_state("time_in_state.")

    @property
    def visits(self) -> dict[str, Estimate]:
        """Mean visits per item to each queue or active state."""
        return self._per_state("visits.")

    @property
    def unfinished(self) -> float:
        """Share of the measured items not delivered when the runs stopped."""
        return float(np.mean(self.samples["unfinished"]))

    def to_records(self) -> list[dict[str, Any]]:
        """Return one dict per metric: ``metric``, ``mean``, ``low``, ``high``."""
        rows = []
        for metric in self.samples:
            e = self.estimate(metric)
            rows.append(
                {"metric": metric, "mean": e.mean, "low": e.low, "high": e.high}
            )
        return rows

    def compare(self, baseline: SimulationResult) -> Comparison:
        """Return the change of every metric from `baseline` to this result.

        When both runs used the same seed, replications and measurement (the
        way to run a scenario), replication ``r`` of one used the same random
        numbers as replication ``r`` of the other (common random numbers); the
        interval of each change is then computed from the paired differences,
        which removes the noise both runs share. Otherwise the runs are
        compared as independent samples (Welch).

        Examples
        --------
        >>> from productops import Process, State
        >>> process = Process(states=[State(name="Doing", category="active"),
        ...                           State(name="Done", category="done")])
        >>> model = ProcessModel.from_parameters(
        ...     process, arrival_rate=0.8, service={"Doing": 1.0},
        ...     capacity={"Doing": 1})
        >>> base = simulate(model, items=300, replications=5, seed=7)
        >>> more = simulate(model, Scenario(capacity={"Doing": 2}), items=300,
        ...                 replications=5, seed=7)
        >>> change = more.compare(base)
        >>> change.paired, change["cycle_time.mean"].change.mean < 0
        (True, True)
        """
        paired = (
            self.seed == baseline.seed
            and self.replications == baseline.replications
            and self.days == baseline.days
            and self.items == baseline.items
            and self.warmup_days == baseline.warmup_days
            and self.start == baseline.start
        )
        deltas = []
        for metric in self.samples:
            if metric not in baseline.samples:
                continue
            mine = np.asarray(self.samples[metric], dtype=np.float64)
            theirs = np.asarray(baseline.samples[metric], dtype=np.float64)
            change = (
                _estimate(mine - theirs, self.confidence)
                if paired
                else _welch(mine, theirs, self.confidence)
            )
            base_mean = _estimate(theirs, self.confidence).mean
            mean = _estimate(mine, self.confidence).mean
            deltas.append(
                Delta(
                    metric=metric,
                    baseline=base_mean,
                    scenario=mean,
                    change=change,
                    relative=change.mean / base_mean if base_mean else math.nan,
                )
            )
        return Comparison(
            baseline_label=baseline.label,
            scenario_label=self.label,
            paired=paired,
            deltas=tuple(deltas),
        )

    @property
    def label(self) -> str:
        """The scenario applied, or ``"baseline"``."""
        scenarios = self.model.scenarios
        return " + ".join(s.label for s in scenarios) if scenarios else "baseline"

    def __repr__(self) -> str:
        what = (
            f"{self.items} items" if self.items is not None else f"{self.days:g} days"
        )
        return (
            f"<SimulationResult: {self.replications} replications of {what}; "
            f"mean cycle time {self.mean_cycle_time} d>"
        )

    def __str__(self) -> str:
        rows = [["metric", "mean", f"{self.confidence:.0%} CI"]]
        for metric in self.samples:
            if metric.startswith(("visits.", "time_in_state.")):
                continue
            e = self.estimate(metric)
            rows.append([metric, f"{e.mean:.2f}", f"[{e.low:.2f}, {e.high:.2f}]"])
        return "\n".join([f"simulation: {self.label}", *_table(rows)])


@dataclass(frozen=True)
class Comparison(Tabular):
    """Every metric of a scenario against its baseline.

    Attributes
    ----------
    baseline_label, scenario_label : str
        What was compared.
    paired : bool
        Whether the intervals come from paired replications (common random
        numbers) rather than from two independent samples.
    deltas : tuple of Delta
        One per metric.

    Examples
    --------
    >>> c = Comparison("baseline", "+1", True,
    ...                (Delta("throughput", 8.0, 10.0, Estimate(2.0, 1.5, 2.5, 20), 0.25),))
    >>> c["throughput"].change.mean
    2.0
    >>> print(c)
    +1 vs baseline (paired, common random numbers)
    metric      baseline  scenario  change  95% CI          relative
    throughput      8.00     10.00   +2.00  [+1.50, +2.50]      +25%
    """  # noqa: E501

    baseline_label: str
    scenario_label: str
    paired: bool
    deltas: tuple[Delta, ...]

    def __getitem__(self, metric: str) -> Delta:
        for d in self.deltas:
            if d.metric == metric:
                return d
        msg = f"no metric {metric!r}; compared {[d.metric for d in self.deltas]}"
        raise KeyError(msg)

    def to_records(self) -> list[dict[str, Any]]:
        """Return one dict per metric: baseline, scenario, change, low, high."""
        return [
            {
                "metric": d.metric,
                "baseline": d.baseline,
                "scenario": d.scenario,
                "change": d.change.mean,
                "low": d.change.low,
                "high": d.change.high,
                "relative": d.relative,
            }
            for d in self.deltas
        ]

    def __repr__(self) -> str:
        kind = "paired" if self.paired else "independent"
        return (
            f"<Comparison {self.scenario_label!r} vs {self.baseline_label!r} "
            f"({kind}): {len(self.deltas)} metrics>"
        )

    def __str__(self) -> str:
        how = "paired, common random numbers" if self.paired else "independent runs"
        rows = [["metric", "baseline", "scenario", "change", "95% CI", "relative"]]
        for d in self.deltas:
            if d.metric.startswith(("visits.", "time_in_state.")) or d.metric in (
                "items",
                "unfinished",
            ):
                continue
            rows.append(
                [
                    d.metric,
                    f"{d.baseline:.2f}",
                    f"{d.scenario:.2f}",
                    f"{d.change.mean:+.2f}",
                    f"[{d.change.low:+.2f}, {d.change.high:+.2f}]",
                    "-" if math.isnan(d.relative) else f"{d.relative:+.0%}",
                ]
            )
        return "\n".join(
            [f"{self.scenario_label} vs {self.baseline_label} ({how})", *_table(rows)]
        )


# -- simulate ---------------------------------------------------------------------


def _seed_of(seed: object) -> int:
    if seed is None:
        return int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(2**63))
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        msg = f"seed: expected a whole number >= 0 or a Generator, got {seed!r}"
        raise InvalidInputError(msg)
    return int(seed)


def _positive(value: object, name: str, *, whole: bool = False) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        msg = f"{name}: expected a number, got {value!r}"
        raise InvalidInputError(msg)
    if whole and int(value) != value:
        msg = f"{name}: expected a whole number, got {value}"
        raise InvalidInputError(msg)
    if not (value > 0 and math.isfinite(value)):
        msg = f"{name}: must be > 0, got {value}"
        raise InvalidInputError(msg)


def _check_confidence(confidence: object) -> None:
    if (
        isinstance(confidence, bool)
        or not isinstance(confidence, int | float)
        or not 0 < confidence < 1
    ):
        msg = f"confidence: must be between 0 and 1, got {confidence!r}"
        raise InvalidInputError(msg)


def _metric_samples(
    model: ProcessModel, runs: Sequence[_RunStats]
) -> dict[str, NDArray[np.float64]]:
    flow_states = [
        (i, s.name)
        for i, s in enumerate(model.states)
        if s.category in (StateCategory.QUEUE, StateCategory.ACTIVE)
    ]
    samples: dict[str, list[float]] = {"cycle_time.mean": []}
    samples |= {f"cycle_time.p{level}": [] for level in LEVELS}
    samples["throughput"] = []
    samples["wip.total"] = []
    for prefix in ("wip.", "time_in_state.", "visits."):
        samples |= {prefix + name: [] for _, name in flow_states}
    samples["items"] = []
    samples["unfinished"] = []
    for run in runs:
        cycle = run.cohort_cycle
        if cycle.size:
            samples["cycle_time.mean"].append(float(cycle.mean()))
            values = np.percentile(cycle, LEVELS)
        else:
            samples["cycle_time.mean"].append(math.nan)
            values = np.full(len(LEVELS), math.nan)
        for level, value in zip(LEVELS, values, strict=True):
            samples[f"cycle_time.p{level}"].append(float(value))
        span = run.end - run.start
        in_period = (run.delivered_at >= run.start) & (run.delivered_at < run.end)
        samples["throughput"].append(
            float(np.count_nonzero(in_period)) / span * 7 if span > 0 else math.nan
        )
        samples["wip.total"].append(float(sum(run.wip[i] for i, _ in flow_states)))
        for i, name in flow_states:
            samples["wip." + name].append(float(run.wip[i]))
            samples["time_in_state." + name].append(float(run.time_in_state[i]))
            samples["visits." + name].append(float(run.visits[i]))
        samples["items"].append(float(cycle.size))
        samples["unfinished"].append(run.unfinished / max(run.cohort_size, 1))
    return {k: np.asarray(v, dtype=np.float64) for k, v in samples.items()}


def simulate(
    model: ProcessModel,
    scenario: Scenario | None = None,
    *,
    items: int | None = None,
    days: float | None = None,
    replications: int = 20,
    seed: int | np.random.Generator | None = None,
    warmup_days: float | None = None,
    start: Literal["current", "empty"] = "current",
    confidence: float = 0.95,
) -> SimulationResult:
    """Simulate a process model, optionally changed by a scenario.

    Each replication is an independent discrete-event simulation. Items arrive
    at the commitment point (the model's inter-arrival times, resampled or
    exponential), move by the routing probabilities, are served in active
    states on the state's servers (first come, first served) and wait in the
    queue state in front when all servers are busy (an item sent back from
    another state waits inside the state instead); WIP limits hold items in the
    state they are in until the next has room. The measured items (a cohort)
    are followed until they are delivered, while new work keeps arriving; those
    still open four periods (at least a year) after the period are counted in
    ``unfinished``.

    Parameters
    ----------
    model : ProcessModel
        From `learn` or `ProcessModel.from_parameters`.
    scenario : Scenario, optional
        Changes to apply first.
    items : int, optional
        Measure the first `items` items committed after the warm-up;
        throughput and WIP are measured over the time they are expected to
        take to arrive (``items`` / arrival rate).
    days : float, optional
        Or measure the items committed during `days` after the warm-up, and
        throughput and WIP over those days (the default, `DEFAULT_DAYS`, when
        neither is given).
    replications : int
        Independent replications; intervals are Student-t across them.
    seed : int or numpy.random.Generator, optional
        The same seed gives the same result on every machine. Replication
        ``r`` draws from ``SeedSequence(seed).spawn(replications)[r]`` and, in
        it, every item its own stream: a baseline and a scenario run with the
        same seed share their random numbers (common random numbers).
    warmup_days : float, optional
        Simulated days discarded before measuring. Default: 0 when starting
        from the model's items in progress, `DEFAULT_WARMUP_DAYS` from empty.
    start : {"current", "empty"}
        Start from the items in progress at the end of the learning window
        (what happens from now on) or from an empty process (a steady state,
        with a warm-up).
    confidence : float
        Level of the confidence intervals.

    Returns
    -------
    SimulationResult
        Cycle-time percentiles, throughput, WIP, time in state and visits, each
        with a confidence interval; `SimulationResult.compare` gives deltas.

    Raises
    ------
    InvalidInputError
        If both `items` and `days` are given, a number is out of range, or the
        scenario does not fit the model.

    Examples
    --------
    M/M/1 with λ = 0.5 and μ = 1 per day: the mean time in system is
    1/(μ - λ) = 2 days.

    >>> from productops import Process, State
    >>> process = Process(states=[State(name="Doing", category="active"),
    ...                           State(name="Done", category="done")])
    >>> model = ProcessModel.from_parameters(
    ...     process, arrival_rate=0.5, service={"Doing": 1.0}, capacity={"Doing": 1})
    >>> result = simulate(model, items=2_000, replications=10, seed=3)
    >>> 1.8 < result.mean_cycle_time.mean < 2.2
    True
    """
    if items is not None and days is not None:
        msg = "give items= or days=, not both"
        raise InvalidInputError(msg)
    _positive(items, "items", whole=True)
    _positive(days, "days")
    _positive(replications, "replications", whole=True)
    raw_warmup: object = warmup_days
    if raw_warmup is not None and (
        isinstance(raw_warmup, bool)
        or not isinstance(raw_warmup, int | float)
        or not (raw_warmup >= 0 and math.isfinite(raw_warmup))
    ):
        msg = f"warmup_days: must be a number >= 0, got {raw_warmup!r}"
        raise InvalidInputError(msg)
    if start not in ("current", "empty"):
        msg = f"start: 'current' or 'empty', not {start!r}"
        raise InvalidInputError(msg)
    _check_confidence(confidence)
    raw_model: object = model
    if not isinstance(raw_model, ProcessModel):
        msg = f"model: expected a ProcessModel, got {type(raw_model).__name__}"
        raise InvalidInputError(msg)
    if scenario is not None:
        model = model.with_(scenario)
    wip = model.wip if start == "current" else ()
    warmup = (
        float(warmup_days)
        if warmup_days is not None
        else (0.0 if wip else DEFAULT_WARMUP_DAYS)
    )
    if items is None and days is None:
        days = DEFAULT_DAYS
    mean_gap = model.arrivals.mean()
    period = float(days) if days is not None else int(items or 0) * mean_gap
    plan = _Plan(
        wip=wip,
        warmup=warmup,
        days=period,
        items=None if items is None else int(items),
        follow_cohort=True,
    )
    seed_value = _seed_of(seed)
    compiled = _compile(model)
    children = np.random.SeedSequence(seed_value).spawn(int(replications))
    runs = [_run(compiled, plan, child) for child in children]
    return SimulationResult(
        model=model,
        samples=MappingProxyType(_metric_samples(model, runs)),
        replications=int(replications),
        seed=seed_value,
        days=None if items is not None else plan.days,
        items=plan.items,
        warmup_days=warmup,
        start=start,
        confidence=confidence,
    )


# -- backtest ---------------------------------------------------------------------


@dataclass(frozen=True)
class Backtest(Tabular):
    """A learnt model simulated over its own history, against what happened.

    The simulation starts from the items that were in progress at the start of
    the window and runs to its end; like the flow report, it counts the items
    delivered inside the window.

    Attributes
    ----------
    window : (datetime, datetime)
        The history replayed.
    observed : mapping of str to float
        ``cycle_time.p50`` ... ``cycle_time.p95``, ``cycle_time.mean`` (days)
        and ``throughput`` (items per week) of the items delivered in the
        window.
    simulated : mapping of str to Estimate
        The same, simulated (mean over the replications, with its interval).
    rank : mapping of str to float
        Where the observed value falls among the replications: the share of
        replications below it. One window is one draw from a noisy process; a
        rank near 0 or 1 means the history is unusual for the model, a rank
        in the middle means the error is within the process's own noise.
    delivered : int
        Items delivered in the window (observed).
    replications : int
        Simulation replications.
    seed : int
        The seed used.

    Examples
    --------
    >>> b = Backtest(window=(datetime(2026, 1, 1, tzinfo=UTC),
    ...                      datetime(2026, 3, 1, tzinfo=UTC)),
    ...              observed={"cycle_time.p50": 10.0},
    ...              simulated={"cycle_time.p50": Estimate(11.0, 10.5, 11.5, 20)},
    ...              delivered=80, replications=20, seed=1)
    >>> b.error("cycle_time.p50"), b.relative_error("cycle_time.p50")
    (1.0, 0.1)
    >>> b.within(0.15, metrics=["cycle_time.p50"])
    True
    """

    window: tuple[datetime, datetime]
    observed: Mapping[str, float]
    simulated: Mapping[str, Estimate]
    delivered: int
    replications: int
    seed: int
    rank: Mapping[str, float] = field(default_factory=dict)

    def error(self, metric: str) -> float:
        """Return simulated minus observed."""
        return self.simulated[metric].mean - self.observed[metric]

    def relative_error(self, metric: str) -> float:
        """Return ``error / observed``."""
        observed = self.observed[metric]
        return self.error(metric) / observed if observed else math.nan

    def within(
        self,
        tolerance: float = 0.15,
        *,
        metrics: Iterable[str] = ("cycle_time.p50", "cycle_time.p85"),
    ) -> bool:
        """Tell whether every relative error of `metrics` is within `tolerance`."""
        return all(abs(self.relative_error(m)) <= tolerance for m in metrics)

    def to_records(self) -> list[dict[str, Any]]:
        """Return one dict per metric with the observed and simulated values.

        Keys ``metric``, ``observed``, ``simulated``, ``low``, ``high``,
        ``error``, ``relative_error`` and ``rank``.
        """
        return [
            {
                "metric": metric,
                "observed": observed,
                "simulated": self.simulated[metric].mean,
                "low": self.simulated[metric].low,
                "high": self.simulated[metric].high,
                "error": self.error(metric),
                "relative_error": self.relative_error(metric),
                "rank": self.rank.get(metric, math.nan),
            }
            for metric, observed in self.observed.items()
        ]

    def __str__(self) -> str:
        rows = [["metric", "observed", "simulated", "95% CI", "error", "rank"]]
        rows += [
            [
                r["metric"],
                f"{r['observed']:.2f}",
                f"{r['simulated']:.2f}",
                f"[{r['low']:.2f}, {r['high']:.2f}]",
                f"{r['relative_error']:+.1%}",
                "-" if math.isnan(r["rank"]) else f"{r['rank']:.2f}",
            ]
            for r in self.to_records()
        ]
        head = (
            f"backtest {self.window[0]:%Y-%m-%d} to {self.window[1]:%Y-%m-%d}: "
            f"{self.delivered} items delivered, {self.replications} replications"
        )
        return "\n".join([head, *_table(rows)])

    def __repr__(self) -> str:
        return (
            f"<Backtest {self.window[0]:%Y-%m-%d}..{self.window[1]:%Y-%m-%d}: "
            f"{len(self.observed)} metrics, {self.delivered} delivered, "
            f"{self.replications} replications, seed {self.seed}>"
        )


def backtest(
    model: ProcessModel,
    log: EventLog,
    *,
    window: tuple[datetime, datetime] | None = None,
    replications: int = 100,
    seed: int | np.random.Generator | None = None,
    arrivals: Literal["model", "observed"] = "model",
    confidence: float = 0.95,
) -> Backtest:
    """Replay the learning window in simulation and compare with what happened.

    The simulation starts at the window's start with the items then in
    progress, each in its state, with its age (its residual service or hand-off
    time is drawn given how long it had already been there), so no warm-up is
    needed and a queue that was already long counts. It runs until the window's
    end with the model's arrivals. The cycle times of the items delivered in
    the window, simulated and observed (`productops.flow.analyze` with the same
    window), are then compared.

    Parameters
    ----------
    model : ProcessModel
        A model from `learn`.
    log : EventLog
        The log it was learnt from.
    window : (datetime, datetime), optional
        The period to replay; default the model's learning window.
    replications : int
        Independent replications.
    seed : int or numpy.random.Generator, optional
        Seed for identical results on every machine.
    confidence : float
        Level of the confidence intervals.

    Returns
    -------
    Backtest
        Observed against simulated cycle-time percentiles, mean and throughput,
        with absolute and relative errors.

    Raises
    ------
    InvalidInputError
        If the model has no learning window and none is given, or nothing was
        delivered in the window.

    Examples
    --------
    >>> from productops import datasets
    >>> ws = datasets.load_demo()
    >>> log = EventLog.from_work_items(ws.work_items)
    >>> model = learn(log, ws.process, as_of=datasets.DEMO_AS_OF)
    >>> check = backtest(model, log, seed=1)
    >>> check.within(0.15), check.delivered
    (True, 109)
    """
    window = window or model.window
    if window is None:
        msg = (
            "backtest needs a window: the model was not learnt from a log "
            "(pass window=)"
        )
        raise InvalidInputError(msg)
    _positive(replications, "replications", whole=True)
    _check_confidence(confidence)
    lo, hi = to_ns(window[0]), to_ns(window[1])
    if lo >= hi:
        msg = f"window: start {window[0]} is not before its end {window[1]}"
        raise InvalidInputError(msg)
    report = analyze(log, model.process, as_of=window[1], window=window)
    observed_cycle = report.cycle_time
    if not len(observed_cycle):
        msg = "nothing was delivered in the window; there is nothing to compare"
        raise InvalidInputError(msg)
    span_days = (hi - lo) / NS_PER_DAY
    observed: dict[str, float] = {
        f"cycle_time.p{k:g}": v for k, v in observed_cycle.percentiles(LEVELS).items()
    }
    observed["cycle_time.mean"] = observed_cycle.mean()
    observed["throughput"] = len(observed_cycle) / span_days * 7
    h = _history(log, model.process, window[1])
    known = set(model.state_names)
    wip = tuple(w for w in _snapshot(h, lo) if w.state in known)
    if arrivals not in ("model", "observed"):
        msg = f"arrivals: 'model' or 'observed', not {arrivals!r}"
        raise InvalidInputError(msg)
    replayed = None
    if arrivals == "observed":
        committed = h.committed[(h.committed != _NONE) & (h.committed > lo)]
        replayed = tuple(ns_to_days(np.sort(committed[committed <= hi]) - lo).tolist())
    plan = _Plan(
        wip=wip,
        warmup=0.0,
        days=span_days,
        items=None,
        follow_cohort=False,
        arrival_times=replayed,
    )
    seed_value = _seed_of(seed)
    compiled = _compile(model)
    children = np.random.SeedSequence(seed_value).spawn(int(replications))
    per_metric: dict[str, list[float]] = {name: [] for name in observed}
    for child in children:
        run = _run(compiled, plan, child)
        inside = (run.delivered_at >= 0) & (run.delivered_at <= span_days)
        cycle = run.delivered_cycle[inside]
        if cycle.size:
            values = np.percentile(cycle, LEVELS)
            mean = float(cycle.mean())
        else:
            values = np.full(len(LEVELS), math.nan)
            mean = math.nan
        for level, value in zip(LEVELS, values, strict=True):
            per_metric[f"cycle_time.p{level}"].append(float(value))
        per_metric["cycle_time.mean"].append(mean)
        per_metric["throughput"].append(cycle.size / span_days * 7)
    return Backtest(
        window=window,
        observed=MappingProxyType(observed),
        simulated=MappingProxyType(
            {
                name: _estimate(np.asarray(values), confidence)
                for name, values in per_metric.items()
            }
        ),
        delivered=len(observed_cycle),
        replications=int(replications),
        seed=seed_value,
        rank=MappingProxyType(
            {
                name: _rank(np.asarray(values), observed[name])
                for name, values in per_metric.items()
            }
        ),
    )


def _rank(values: NDArray[np.float64], observed: float) -> float:
    finite = values[np.isfinite(values)]
    if not finite.size:
        return math.nan
    below = np.count_nonzero(finite < observed)
    ties = np.count_nonzero(finite == observed)
    return float((below + ties / 2) / finite.size)
