"""The productops domain model: pydantic v2 records for product operations.

Every record is immutable (change it with ``evolve``), rejects unknown fields, and
accepts only timezone-aware datetimes. All types are re-exported at the top level
(``productops.WorkItem``).
"""

from __future__ import annotations

from ._base import (
    Key,
    NonEmptyStr,
    Probability,
    ProductOpsModel,
    Timestamp,
    parse_timestamp,
)
from ._schema import json_schema
from .delivery import (
    Dependency,
    DependencyKind,
    DependencyStatus,
    Incident,
    Severity,
    Sprint,
)
from .feedback import (
    Feedback,
    FeedbackKind,
    Horizon,
    Initiative,
    InitiativeStatus,
    KanoCategory,
    MoSCoW,
)
from .kpi import KPI, Cadence, Direction, Observation
from .people import Channel, RaciAssignment, RaciRole, Stakeholder, Team
from .process import Process, State, StateCategory, Transition
from .release import (
    Deployment,
    DeploymentStatus,
    GateKind,
    GateStatus,
    Release,
    ReleaseGate,
    ReleaseStatus,
)
from .risk import Mitigation, MitigationStatus, Risk, RiskCategory, RiskStatus
from .work import Link, StatusChange, WorkItem
from .workspace import Workspace, load_records

__all__ = [
    "Cadence",
    "Channel",
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
    "KPI",
    "KanoCategory",
    "Key",
    "Link",
    "Mitigation",
    "MitigationStatus",
    "MoSCoW",
    "NonEmptyStr",
    "Observation",
    "Probability",
    "Process",
    "ProductOpsModel",
    "RECORD_TYPES",
    "RaciAssignment",
    "RaciRole",
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
    "Timestamp",
    "Transition",
    "WorkItem",
    "Workspace",
    "json_schema",
    "load_records",
    "parse_timestamp",
]

RECORD_TYPES: dict[str, type[ProductOpsModel]] = {
    cls.__name__: cls
    for cls in (
        WorkItem,
        StatusChange,
        Link,
        Process,
        State,
        Transition,
        Release,
        ReleaseGate,
        Deployment,
        Risk,
        Mitigation,
        KPI,
        Observation,
        Stakeholder,
        Team,
        RaciAssignment,
        Feedback,
        Initiative,
        Dependency,
        Incident,
        Sprint,
        Workspace,
    )
}
"""Every record type by name, in the order ``productops schema`` lists them."""
