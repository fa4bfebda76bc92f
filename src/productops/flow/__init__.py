"""The workflow-graph engine: event logs, process graphs, flow metrics, bottlenecks.

Turn status histories into the numbers a product-ops manager acts on::

    import productops as po
    from productops import flow

    log = flow.EventLog.from_work_items(items)
    report = flow.analyze(log, process)
    report.cycle_time.percentiles()     # {50: ..., 70: ..., 85: ..., 95: ...} days
    report.bottlenecks()[0]             # the state holding work back, with evidence

Every metric follows the definitions in the docs page *Flow metrics*.
"""

from __future__ import annotations

from ._eventlog import EventLog, LogProblem, ProblemAction
from ._graphs import dfg, discover
from ._metrics import Bottleneck, FlowReport, LittlesLaw, analyze
from ._tables import DurationSample, Table
from .dependencies import (
    DEFAULT_LINK_KINDS,
    BlockedChain,
    Blocker,
    CriticalPath,
    NodeSchedule,
    blocked_chains,
    blockers,
    critical_path,
    dependency_graph,
)

__all__ = [
    "BlockedChain",
    "Blocker",
    "Bottleneck",
    "CriticalPath",
    "DEFAULT_LINK_KINDS",
    "DurationSample",
    "EventLog",
    "FlowReport",
    "LittlesLaw",
    "LogProblem",
    "NodeSchedule",
    "ProblemAction",
    "Table",
    "analyze",
    "blocked_chains",
    "blockers",
    "critical_path",
    "dependency_graph",
    "dfg",
    "discover",
]
