"""People: stakeholder grid, communication plan and RACI checks.

Grid and plan
    `grid` places stakeholders on Mendelow's (1991) power/interest grid
    (`Quadrant`); `communication_plan` says who hears what, through which
    channel and how often (`COMMUNICATION_DEFAULTS`).
Messages
    `message_from` turns a KPI status, a flow report or a release readiness
    result into a neutral `Message`; `slack_blocks` and `teams_card` render it
    as a Slack Block Kit payload or a Microsoft Teams Adaptive Card, within
    each tool's documented limits. Sending is the adapters' job.
RACI
    `check_raci` lists every problem in a RACI matrix: deliverables without
    exactly one Accountable or without a Responsible, duplicate rows, unknown
    people, and overloaded people.

Examples
--------
>>> from productops import people
>>> from productops.datasets import load_demo
>>> ws = load_demo()
>>> people.grid(ws.stakeholders).quadrant_of("nadia.okafor")
<Quadrant.MANAGE_CLOSELY: 'manage_closely'>
>>> people.check_raci(ws.raci, stakeholders=ws.stakeholders).ok
True
"""

from __future__ import annotations

from ._grid import (
    COMMUNICATION_DEFAULTS,
    CommunicationPlan,
    CommunicationRow,
    GridPlacement,
    Quadrant,
    StakeholderGrid,
    communication_plan,
    grid,
)
from ._messages import (
    SLACK_LIMITS,
    TEAMS_VERSIONS,
    Fact,
    Link,
    Message,
    MessageStatus,
    ReadinessReasonLike,
    ReadinessResult,
    Section,
    message_from,
    slack_blocks,
    teams_card,
)
from ._raci import RaciCheck, RaciProblem, RaciProblemKind, check_raci

__all__ = [
    "COMMUNICATION_DEFAULTS",
    "CommunicationPlan",
    "CommunicationRow",
    "Fact",
    "GridPlacement",
    "Link",
    "Message",
    "MessageStatus",
    "Quadrant",
    "RaciCheck",
    "RaciProblem",
    "RaciProblemKind",
    "ReadinessReasonLike",
    "ReadinessResult",
    "SLACK_LIMITS",
    "Section",
    "StakeholderGrid",
    "TEAMS_VERSIONS",
    "check_raci",
    "communication_plan",
    "grid",
    "message_from",
    "slack_blocks",
    "teams_card",
]
