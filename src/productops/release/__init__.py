"""Releases: readiness, risk roll-up, release notes and the release calendar.

Readiness
    `readiness` says go / at risk / no-go for a release with every reason
    (`Reason`, `ReasonKind`): gates failed, pending or waived, compliance
    without evidence, open and unknown scope, the forecast probability of
    meeting the target date, open high risks, open dependencies, a missed date.
Risk
    `release_risks` rolls up the open risks of one release with the risk engine
    (`productops.scoring.risk`): exposure inherent and residual, bands, top risks.
Release notes
    `release_notes` writes customer-facing or internal release notes in
    Markdown or Confluence storage format, grouped by work item type.
Calendar
    `calendar_conflicts` finds overlapping freeze windows, launches on holidays
    or weekends, shared dependencies and items, and teams with two launches in a
    week; `timeline` lists releases by date.

Examples
--------
>>> from productops import release
>>> from productops.datasets import load_demo
>>> ws = load_demo()
>>> release.readiness("2026.2", ws, seed=1).verdict
<Verdict.NO_GO: 'no_go'>
"""

from __future__ import annotations

from ._calendar import (
    CalendarCheck,
    Conflict,
    ConflictKind,
    Timeline,
    TimelineRow,
    calendar_conflicts,
    timeline,
)
from ._notes import (
    DEFAULT_DONE_STATUSES,
    DEFAULT_GROUPS,
    DEFAULT_INTERNAL_GROUPS,
    ReleaseNotes,
    SkippedItem,
    release_notes,
)
from ._readiness import (
    DEFAULT_HIGH_RISK,
    Readiness,
    Reason,
    ReasonKind,
    ReasonSeverity,
    Verdict,
    readiness,
)
from ._risk import ReleaseRiskRollup, RiskLine, release_risks

__all__ = [
    "CalendarCheck",
    "Conflict",
    "ConflictKind",
    "DEFAULT_DONE_STATUSES",
    "DEFAULT_GROUPS",
    "DEFAULT_HIGH_RISK",
    "DEFAULT_INTERNAL_GROUPS",
    "Readiness",
    "Reason",
    "ReasonKind",
    "ReasonSeverity",
    "ReleaseNotes",
    "ReleaseRiskRollup",
    "RiskLine",
    "SkippedItem",
    "Timeline",
    "TimelineRow",
    "Verdict",
    "calendar_conflicts",
    "readiness",
    "release_notes",
    "release_risks",
    "timeline",
]
