"""productops: product operations in Python.

A typed domain model of product work (work items with status history, processes,
releases, risks, KPIs, stakeholders, feedback, initiatives), the engines that turn
it into decisions, and adapters for the tools where that data lives.

>>> import productops as po
>>> ws = po.datasets.load_demo()
>>> len(ws.work_items) >= 300
True

The model types and the submodules load on first use (``po.WorkItem``,
``po.datasets``, ...), so ``import productops`` stays fast in scripts and
command-line tools that need little of it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import errors
from ._version import __version__
from .errors import (
    AdapterError,
    ConfigurationError,
    DataLoadError,
    DataRepairWarning,
    InvalidInputError,
    ProductOpsError,
    ProductOpsWarning,
    RecordProblem,
)

if TYPE_CHECKING:
    from . import (
        adapters,
        datasets,
        flow,
        forecast,
        kpi,
        model,
        people,
        release,
        report,
        scoring,
    )
    from .model import (
        KPI,
        Cadence,
        Channel,
        Dependency,
        DependencyKind,
        DependencyStatus,
        Deployment,
        DeploymentStatus,
        Direction,
        Feedback,
        FeedbackKind,
        GateKind,
        GateStatus,
        Horizon,
        Incident,
        Initiative,
        InitiativeStatus,
        KanoCategory,
        Link,
        Mitigation,
        MitigationStatus,
        MoSCoW,
        Observation,
        Process,
        ProductOpsModel,
        RaciAssignment,
        RaciRole,
        Release,
        ReleaseGate,
        ReleaseStatus,
        Risk,
        RiskCategory,
        RiskStatus,
        Severity,
        Sprint,
        Stakeholder,
        State,
        StateCategory,
        StatusChange,
        Team,
        Transition,
        WorkItem,
        Workspace,
        load_records,
    )

__all__ = [
    "AdapterError",
    "Cadence",
    "Channel",
    "ConfigurationError",
    "DataLoadError",
    "DataRepairWarning",
    "Dependency",
    "DependencyKind",
    "DependencyStatus",
    "Deployment",
    "DeploymentStatus",
    "Direction",
    "Feedback",
    "FeedbackKind",
    "GateKind",
    "GateStatus",
    "Horizon",
    "Incident",
    "Initiative",
    "InitiativeStatus",
    "InvalidInputError",
    "KPI",
    "KanoCategory",
    "Link",
    "Mitigation",
    "MitigationStatus",
    "MoSCoW",
    "Observation",
    "Process",
    "ProductOpsError",
    "ProductOpsModel",
    "ProductOpsWarning",
    "RaciAssignment",
    "RaciRole",
    "RecordProblem",
    "Release",
    "ReleaseGate",
    "ReleaseStatus",
    "Risk",
    "RiskCategory",
    "RiskStatus",
    "Severity",
    "Sprint",
    "Stakeholder",
    "State",
    "StateCategory",
    "StatusChange",
    "Team",
    "Transition",
    "WorkItem",
    "Workspace",
    "__version__",
    "adapters",
    "datasets",
    "errors",
    "flow",
    "forecast",
    "kpi",
    "load_records",
    "model",
    "people",
    "release",
    "report",
    "scoring",
]

# The domain model needs pydantic, whose import alone takes most of a fast
# start-up budget; these names and submodules load on first access (PEP 562).
_LAZY_SUBMODULES = frozenset(
    {
        "adapters",
        "datasets",
        "flow",
        "forecast",
        "kpi",
        "model",
        "people",
        "release",
        "report",
        "scoring",
    }
)
# Every exported name not bound above is a model name, imported under TYPE_CHECKING.
_LAZY_MODEL_NAMES = frozenset(__all__) - set(globals()) - _LAZY_SUBMODULES


def __getattr__(name: str) -> Any:
    if name in _LAZY_SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    if name in _LAZY_MODEL_NAMES:
        value = getattr(importlib.import_module(f"{__name__}.model"), name)
        globals()[name] = value
        return value
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted(__all__)
