"""Release readiness: a go / at-risk / no-go verdict with every reason behind it.

`readiness` checks one release against its gates, its open scope and the
forecast of finishing it, the risks and dependencies that threaten it, and its
target date. Each finding is a `Reason` with a severity; the verdict is NO_GO
if any reason is a blocker, AT_RISK if any is a warning, else GO. No check
stops the others: every reason is listed.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from .._tabular import Tabular, html_table, rag_badge, section
from ..errors import InvalidInputError
from ..model import (
    DependencyStatus,
    GateKind,
    GateStatus,
    InitiativeStatus,
    Release,
    ReleaseStatus,
    Workspace,
)
from ._risk import open_at

if TYPE_CHECKING:
    from ..flow import FlowReport

__all__ = [
    "DEFAULT_HIGH_RISK",
    "Readiness",
    "Reason",
    "ReasonKind",
    "ReasonSeverity",
    "Verdict",
    "latest_event",
    "readiness",
]

ReasonSeverity = Literal["blocker", "warning", "info"]
"""How much a reason weighs: a blocker stops the release, a warning puts it at risk."""

_SEVERITIES: tuple[ReasonSeverity, ...] = ("blocker", "warning", "info")

DEFAULT_HIGH_RISK: Mapping[str, ReasonSeverity] = {
    "high": "warning",
    "extreme": "blocker",
}
"""ReasonSeverity of an open risk by its band: ``MATRIX_5X5`` (NPSA) has the bands
low, moderate, high and extreme; ``MATRIX_3X3`` low, medium and high. Bands not
listed give an ``info`` reason."""


class Verdict(enum.StrEnum):
    """The overall readiness of a release, best first.

    Examples
    --------
    >>> Verdict.AT_RISK.value
    'at_risk'
    """

    GO = "go"
    """No blocker and no warning."""
    AT_RISK = "at_risk"
    """At least one warning, no blocker."""
    NO_GO = "no_go"
    """At least one blocker."""


class ReasonKind(enum.StrEnum):
    """What a readiness reason is about.

    Examples
    --------
    >>> ReasonKind.GATE_FAILED.value
    'gate_failed'
    """

    GATE_FAILED = "gate_failed"
    """A gate failed: blocker if required, warning if optional."""
    GATE_PENDING = "gate_pending"
    """A required gate is pending: warning, blocker from the target date on;
    an optional pending gate is info."""
    GATE_WAIVED = "gate_waived"
    """A gate was waived; info naming the approver."""
    GATE_WAIVED_WITHOUT_APPROVER = "gate_waived_without_approver"
    """A gate was waived and nobody is named: warning."""
    COMPLIANCE_WITHOUT_EVIDENCE = "compliance_without_evidence"
    """A compliance gate passed without evidence: blocker."""
    OPEN_SCOPE = "open_scope"
    """Scope items not delivered yet: info with the count."""
    UNKNOWN_SCOPE = "unknown_scope"
    """Scope keys that are not work items of the workspace: warning."""
    FORECAST = "forecast"
    """Chance of finishing the open scope by the target date."""
    NO_FORECAST = "no_forecast"
    """The chance cannot be forecast (no target date, unusable history)."""
    HIGH_RISK = "high_risk"
    """An open risk in a band listed in `high_risk`."""
    OPEN_RISK = "open_risk"
    """An open risk in a band not listed in `high_risk`: info."""
    UNRATED_RISK = "unrated_risk"
    """An open risk without likelihood and impact (or no default matrix): info."""
    OPEN_DEPENDENCY = "open_dependency"
    """Scope waits for something not done: warning, blocker past `needed_by`."""
    PAST_TARGET = "past_target"
    """The target date has passed and the release has not shipped: blocker."""
    NO_TARGET = "no_target"
    """The release has no target date: warning (reported as `no_forecast`
    too when scope is open)."""
    RELEASED = "released"
    """The release has shipped: info, and nothing else is checked."""
    CANCELLED = "cancelled"
    """The release was cancelled: blocker, and nothing else is checked."""


@dataclass(frozen=True, slots=True)
class Reason:
    """One finding behind a readiness verdict.

    Attributes
    ----------
    kind : ReasonKind
        What it is about.
    severity : {"blocker", "warning", "info"}
        How much it weighs.
    subject : str
        What it names: a gate name, a risk key, ``"upstream -> downstream"``,
        or the release key.
    message : str
        The finding in words.

    Examples
    --------
    >>> Reason(ReasonKind.GATE_FAILED, "blocker", "QA", "required gate 'QA' failed")
    Reason(kind=<ReasonKind.GATE_FAILED: 'gate_failed'>, severity='blocker', subject='QA', message="required gate 'QA' failed")
    """  # noqa: E501  (doctest output is one line)

    kind: ReasonKind
    severity: ReasonSeverity
    subject: str
    message: str


@dataclass(frozen=True, slots=True)
class Readiness(Tabular):
    """Whether a release can ship, and why.

    Attributes
    ----------
    release : str
        The release key.
    name : str
        The release name.
    verdict : Verdict
        NO_GO with any blocker, AT_RISK with any warning, else GO.
    reasons : tuple of Reason
        Every finding: blockers first, then warnings, then info; within a
        severity, in check order (gates, scope, forecast, risks,
        dependencies, dates).
    as_of : datetime
        The moment the release was judged at.
    target_date : date or None
        The date it is meant to ship.
    probability : float or None
        Forecast chance of finishing the open scope by the target date
        (1.0 when nothing is open); ``None`` when it was not forecast.
    status : ReleaseStatus
        The release's status.
    open_items : tuple of str
        Scope items not delivered at the report's time (unknown ones included).
    unknown_items : tuple of str
        Scope keys that are not work items of the workspace.

    Examples
    --------
    >>> from productops.datasets import load_demo
    >>> r = readiness("2026.1", load_demo())
    >>> r.verdict, [reason.kind.value for reason in r.reasons]
    (<Verdict.GO: 'go'>, ['released'])
    """

    release: str
    name: str
    verdict: Verdict
    reasons: tuple[Reason, ...]
    as_of: datetime
    target_date: date | None
    probability: float | None
    status: ReleaseStatus = ReleaseStatus.PLANNED
    open_items: tuple[str, ...] = ()
    unknown_items: tuple[str, ...] = ()

    @property
    def blockers(self) -> tuple[Reason, ...]:
        """The reasons with severity ``"blocker"``."""
        return tuple(r for r in self.reasons if r.severity == "blocker")

    @property
    def warnings(self) -> tuple[Reason, ...]:
        """The reasons with severity ``"warning"``."""
        return tuple(r for r in self.reasons if r.severity == "warning")

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per reason, with the release and its verdict, for a data frame.

        Examples
        --------
        >>> from productops.datasets import load_demo
        >>> readiness("2026.1", load_demo()).to_records()[0]["kind"]
        'released'
        """
        return [
            {
                "release": self.release,
                "verdict": self.verdict.value,
                "kind": reason.kind.value,
                "severity": reason.severity,
                "subject": reason.subject,
                "message": reason.message,
            }
            for reason in self.reasons
        ]

    def __repr__(self) -> str:
        counts = {s: sum(r.severity == s for r in self.reasons) for s in _SEVERITIES}
        chance = (
            "" if self.probability is None else f", p={self.probability:.0%} on time"
        )
        return (
            f"<Readiness {self.release} {self.name!r}: {self.verdict.value}, "
            f"{counts['blocker']} blockers, {counts['warning']} warnings, "
            f"{counts['info']} info{chance}>"
        )

    def _repr_html_(self) -> str:
        colour = {"go": "green", "at_risk": "amber", "no_go": "red"}
        head = {
            "release": self.release,
            "name": self.name,
            "verdict": rag_badge(
                colour[self.verdict.value], label=self.verdict.value.upper()
            ),
            "status": self.status.value,
            "target_date": self.target_date,
            "on_time_chance": (
                None if self.probability is None else f"{self.probability:.0%}"
            ),
            "open_items": len(self.open_items),
            "as_of": self.as_of,
        }
        severity = {"blocker": "red", "warning": "amber", "info": "grey"}
        rows = [
            {
                "severity": rag_badge(severity[r.severity], label=r.severity),
                "kind": r.kind.value,
                "subject": r.subject,
                "message": r.message,
            }
            for r in self.reasons
        ]
        reasons = html_table(rows, columns=["severity", "kind", "subject", "message"])
        caption = f"Readiness of {self.release}"
        return html_table([head], caption=caption) + section("Reasons", reasons)


def _walk_latest(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else None
    found: list[datetime] = []
    if isinstance(value, BaseModel):
        children: Iterable[object] = (
            getattr(value, name) for name in type(value).model_fields
        )
    elif isinstance(value, tuple | list):
        children = value
    else:
        return None
    for child in children:
        latest = _walk_latest(child)
        if latest is not None:
            found.append(latest)
    return max(found, default=None)


def latest_event(workspace: Workspace) -> datetime:
    """Return the latest timestamp of any record in `workspace`.

    Every timezone-aware datetime field of every record counts (status
    changes, gate decisions, deployments, risk and incident times,
    observations, feedback). Dates (target dates, due dates) are plans, not
    events, and do not count.

    Parameters
    ----------
    workspace : Workspace
        The workspace.

    Returns
    -------
    datetime
        The latest event.

    Raises
    ------
    InvalidInputError
        If no record has a timestamp.

    Examples
    --------
    >>> from productops.datasets import load_demo
    >>> latest_event(load_demo())
    datetime.datetime(2026, 5, 31, 0, 0, tzinfo=datetime.timezone.utc)
    """
    latest = _walk_latest(workspace)
    if latest is None:
        msg = "as_of: the workspace holds no timestamped event; pass as_of="
        raise InvalidInputError(msg)
    return latest


def _resolve_release(release: Release | str, workspace: Workspace) -> Release:
    if isinstance(release, Release):
        return release
    for candidate in workspace.releases:
        if candidate.key == release:
            return candidate
    known = [r.key for r in workspace.releases]
    msg = f"release: no release {release!r} in the workspace (known: {known})"
    raise InvalidInputError(msg)


def _check_arguments(
    *,
    as_of: datetime | None,
    go_probability: float,
    no_go_probability: float,
    high_risk: Mapping[str, str],
) -> list[str]:
    problems = []
    if as_of is not None and as_of.tzinfo is None:
        problems.append(
            f"as_of: {as_of.isoformat()} is naive; give a timezone-aware datetime"
        )
    for name, value in (
        ("go_probability", go_probability),
        ("no_go_probability", no_go_probability),
    ):
        if not 0.0 <= value <= 1.0:
            problems.append(f"{name}: {value!r} is outside [0, 1]")
    if no_go_probability > go_probability:
        problems.append(
            f"no_go_probability: {no_go_probability!r} is above go_probability "
            f"{go_probability!r}"
        )
    problems += [
        f"high_risk: band {band!r} maps to {severity!r}; expected 'blocker', "
        "'warning' or 'info'"
        for band, severity in high_risk.items()
        if severity not in _SEVERITIES
    ]
    return problems


def _gate_reasons(release: Release, as_of: datetime) -> list[Reason]:
    reasons = []
    due = release.target_date is not None and as_of.date() >= release.target_date
    for gate in release.gates:
        label = "required" if gate.required else "optional"
        name = gate.name
        if gate.status is GateStatus.FAILED:
            reasons.append(
                Reason(
                    ReasonKind.GATE_FAILED,
                    "blocker" if gate.required else "warning",
                    name,
                    f"{label} {gate.kind.value} gate {name!r} failed",
                )
            )
        elif gate.status is GateStatus.PENDING:
            severity: ReasonSeverity = (
                ("blocker" if due else "warning") if gate.required else "info"
            )
            when = " and the target date has come" if due and gate.required else ""
            reasons.append(
                Reason(
                    ReasonKind.GATE_PENDING,
                    severity,
                    name,
                    f"{label} {gate.kind.value} gate {name!r} is pending{when}",
                )
            )
        elif gate.status is GateStatus.WAIVED:
            if gate.approver:
                reasons.append(
                    Reason(
                        ReasonKind.GATE_WAIVED,
                        "info",
                        name,
                        f"{label} gate {name!r} was waived by {gate.approver}",
                    )
                )
            else:
                reasons.append(
                    Reason(
                        ReasonKind.GATE_WAIVED_WITHOUT_APPROVER,
                        "warning",
                        name,
                        f"{label} gate {name!r} was waived, but nobody is named "
                        "as approver",
                    )
                )
        if (
            gate.kind is GateKind.COMPLIANCE
            and gate.status is GateStatus.PASSED
            and not gate.evidence
        ):
            reasons.append(
                Reason(
                    ReasonKind.COMPLIANCE_WITHOUT_EVIDENCE,
                    "blocker",
                    name,
                    f"compliance gate {name!r} passed without evidence; attach "
                    "the proof (a signed form, an audit report)",
                )
            )
    return reasons


def _delivered(report: FlowReport | None) -> set[str]:
    if report is None:
        return set()
    from ..flow._metrics import NONE

    return {
        key
        for key, at in zip(report.items, report.delivered_at.tolist(), strict=True)
        if at != NONE
    }


def _scope_reasons(
    release: Release,
    workspace: Workspace,
    report: FlowReport | None,
    *,
    trials: int,
    seed: int | None,
    go_probability: float,
    no_go_probability: float,
    ahead: Sequence[Release],
) -> tuple[list[Reason], float | None, tuple[str, ...], tuple[str, ...]]:
    from ..forecast import release_confidence

    reasons = []
    known = {item.key for item in workspace.work_items}
    delivered = _delivered(report)
    unknown = tuple(key for key in release.scope if key not in known)
    open_items = tuple(key for key in release.scope if key not in delivered)
    key = release.key
    if unknown:
        reasons.append(
            Reason(
                ReasonKind.UNKNOWN_SCOPE,
                "warning",
                key,
                f"{len(unknown)} scope key(s) are not work items of the workspace: "
                + ", ".join(unknown),
            )
        )
    if open_items:
        reasons.append(
            Reason(
                ReasonKind.OPEN_SCOPE,
                "info",
                key,
                f"{len(open_items)} of {len(release.scope)} scope items are not "
                "delivered",
            )
        )
    if release.target_date is None:
        reasons.append(
            Reason(
                ReasonKind.NO_TARGET,
                "warning",
                key,
                "the release has no target date",
            )
        )
    if not open_items:
        probability = None if release.target_date is None else 1.0
        return reasons, probability, open_items, unknown
    if release.target_date is None or report is None:
        why = (
            "no target date"
            if release.target_date is None
            else "no work item history to forecast from"
        )
        reasons.append(
            Reason(
                ReasonKind.NO_FORECAST,
                "warning",
                key,
                f"cannot forecast the open scope: {why}",
            )
        )
        return reasons, None, open_items, unknown
    try:
        confidence = release_confidence(
            release, report, ahead=ahead, trials=trials, seed=seed
        )
    except InvalidInputError as exc:
        reasons.append(
            Reason(
                ReasonKind.NO_FORECAST,
                "warning",
                key,
                f"cannot forecast the open scope: {exc}",
            )
        )
        return reasons, None, open_items, unknown
    probability = confidence.probability
    severity: ReasonSeverity = (
        "blocker"
        if probability < no_go_probability
        else "warning"
        if probability < go_probability
        else "info"
    )
    after = ""
    if confidence.ahead_items:
        names = ", ".join(r.key for r in ahead)
        after = f" after the {len(confidence.ahead_items)} open items of {names}"
    reasons.append(
        Reason(
            ReasonKind.FORECAST,
            severity,
            key,
            f"{probability:.0%} chance of delivering the {len(open_items)} open "
            f"items{after} by {release.target_date.isoformat()} (go at "
            f"{go_probability:.0%}, no-go below {no_go_probability:.0%})",
        )
    )
    return reasons, probability, open_items, unknown


def _risk_reasons(
    release: Release,
    workspace: Workspace,
    as_of: datetime,
    high_risk: Mapping[str, ReasonSeverity],
) -> list[Reason]:
    reasons = []
    for risk in workspace.risks:
        if release.key not in risk.releases or not open_at(risk, as_of):
            continue
        try:
            band = risk.rating()
        except InvalidInputError:
            band = None
        if band is None:
            reasons.append(
                Reason(
                    ReasonKind.UNRATED_RISK,
                    "info",
                    risk.key,
                    f"open risk {risk.key} {risk.title!r} has no rating on a "
                    "default matrix",
                )
            )
            continue
        severity = high_risk.get(band)
        reasons.append(
            Reason(
                ReasonKind.OPEN_RISK if severity is None else ReasonKind.HIGH_RISK,
                severity or "info",
                risk.key,
                f"open risk {risk.key} {risk.title!r} is rated {band}",
            )
        )
    return reasons


def _dependency_reasons(
    release: Release,
    workspace: Workspace,
    report: FlowReport | None,
    as_of: datetime,
) -> list[Reason]:
    items = {item.key: item for item in workspace.work_items}
    in_scope = {release.key, *release.scope}
    in_scope |= {
        parent
        for key in release.scope
        if key in items and (parent := items[key].parent) is not None
    }
    delivered = _delivered(report)
    initiatives = {i.key: i.status for i in workspace.initiatives}
    releases = {r.key: r.status for r in workspace.releases}

    def not_done(key: str) -> str | None:
        if key in items:
            return None if key in delivered else "is not delivered"
        if key in initiatives:
            stage = initiatives[key]
            return None if stage is InitiativeStatus.DONE else f"is {stage.value}"
        if key in releases:
            state = releases[key]
            return None if state is ReleaseStatus.RELEASED else f"is {state.value}"
        return "is unknown to the workspace"

    reasons = []
    for dep in workspace.dependencies:
        if dep.status is DependencyStatus.RESOLVED or dep.downstream not in in_scope:
            continue
        why = not_done(dep.upstream)
        if why is None:
            continue
        late = dep.needed_by is not None and as_of.date() > dep.needed_by
        needed = (
            "" if dep.needed_by is None else f", needed by {dep.needed_by.isoformat()}"
        )
        reasons.append(
            Reason(
                ReasonKind.OPEN_DEPENDENCY,
                "blocker" if late else "warning",
                f"{dep.upstream} -> {dep.downstream}",
                f"{dep.downstream} waits for {dep.upstream}, which {why}"
                f"{needed}{' (passed)' if late else ''}",
            )
        )
    return reasons


def _ahead(
    release: Release, workspace: Workspace, ahead: Iterable[Release | str] | None
) -> list[Release]:
    """Return the releases done first: as given, or the open ones due earlier."""
    from ..forecast import releases_ahead

    if ahead is None:
        return releases_ahead(release, workspace.releases)
    by_key = {r.key: r for r in workspace.releases}
    chosen, unknown = [], []
    for entry in ahead:
        if isinstance(entry, str):
            if entry in by_key:
                chosen.append(by_key[entry])
            else:
                unknown.append(entry)
        else:
            chosen.append(entry)
    if unknown:
        msg = f"ahead: {unknown} are not releases of the workspace"
        raise InvalidInputError(msg)
    return chosen


def _verdict(reasons: Iterable[Reason]) -> Verdict:
    severities = {r.severity for r in reasons}
    if "blocker" in severities:
        return Verdict.NO_GO
    if "warning" in severities:
        return Verdict.AT_RISK
    return Verdict.GO


def readiness(
    release: Release | str,
    workspace: Workspace,
    *,
    as_of: datetime | None = None,
    report: FlowReport | None = None,
    trials: int = 10_000,
    seed: int | None = None,
    go_probability: float = 0.85,
    no_go_probability: float = 0.5,
    high_risk: Mapping[str, ReasonSeverity] = DEFAULT_HIGH_RISK,
    ahead: Iterable[Release | str] | None = None,
) -> Readiness:
    """Judge whether a release can ship: GO, AT_RISK or NO_GO, with every reason.

    The verdict is NO_GO if any reason is a blocker, AT_RISK if any is a
    warning, else GO. The rules, all applied (none stops the others):

    - **Gates.** A failed gate is a blocker if required, a warning if
      optional. A pending required gate is a warning, and a blocker once
      `as_of` is on or after the target date; a pending optional gate is
      info. A waived gate is info naming its approver, a warning without one.
      A passed COMPLIANCE gate without evidence is a blocker.
    - **Scope.** Items of `Release.scope` not delivered in `report` are open
      (info, with the count). Scope keys that are not work items of the
      workspace are a warning and count as open.
    - **Forecast.** With open scope, the chance of finishing it by the target
      date (`productops.forecast.release_confidence`), after the open scope
      of the releases in `ahead` (by default the open releases due earlier,
      `productops.forecast.releases_ahead`: the team's throughput is shared):
      a blocker below `no_go_probability`, a warning below `go_probability`,
      else info. No
      target date, no history, or a history the forecast rejects gives a
      ``no_forecast`` warning. A release without a target date is also a
      ``no_target`` warning.
    - **Risks.** Each open risk linked to the release (`Risk.releases`,
      open at `as_of`) is rated with `Risk.rating` (NPSA 5 x 5 or 3 x 3
      matrix); its band is looked up in `high_risk` (default: high is a
      warning, extreme a blocker). Other bands, and risks without a
      rating, are info.
    - **Dependencies.** An open or at-risk `Dependency` whose downstream is
      the release, a scope item, or the parent initiative of a scope item,
      and whose upstream is not done (a work item not delivered, an
      initiative not ``done``, a release not released, or a key the
      workspace does not know) is a warning; a blocker once its
      `needed_by` date has passed.
    - **Dates.** `as_of` after the target date is a ``past_target`` blocker.

    A RELEASED release gets verdict GO with one ``released`` info reason; a
    CANCELLED one NO_GO with one ``cancelled`` blocker. Nothing else is
    checked for them. Dates are compared with `as_of`'s calendar date in its
    own time zone.

    Parameters
    ----------
    release : Release or str
        The release, or its key in `workspace`.
    workspace : Workspace
        Work items, risks, initiatives, releases and dependencies to judge by.
    as_of : datetime, optional
        The moment to judge at; timezone-aware. Default: ``report.as_of``
        when a report is given, else the latest event in the workspace
        (`latest_event`); never the clock.
    report : FlowReport, optional
        Flow metrics to read delivery and throughput from. Default:
        ``productops.flow.analyze(workspace, as_of=as_of)`` (none when the
        workspace has no work items).
    trials : int, default 10_000
        Monte Carlo trials of the forecast.
    seed : int, optional
        Seed of the forecast; same seed, same probability.
    go_probability : float, default 0.85
        Below this chance of finishing on time, the forecast is a warning.
    no_go_probability : float, default 0.5
        Below this chance, the forecast is a blocker.
    high_risk : mapping of str to {"blocker", "warning", "info"}
        ReasonSeverity of an open risk by its band (`DEFAULT_HIGH_RISK`).
    ahead : iterable of Release or str, optional
        Releases (or keys in `workspace`) whose open scope is done before this
        release's. Default: the open releases of the workspace with an earlier
        target date; ``()`` gives this release all the throughput.

    Returns
    -------
    Readiness
        The verdict, the reasons, the probability and the open scope.

    Raises
    ------
    InvalidInputError
        Listing every bad argument: an unknown release key, a naive `as_of`,
        probabilities outside ``[0, 1]`` or in the wrong order, unknown
        severities in `high_risk`; also when no `as_of` can be derived.

    Notes
    -----
    The 85 % threshold follows the common Monte Carlo forecasting practice
    of committing to the 85th percentile (Vacanti, *When Will It Be Done?*,
    2015); the 50 % no-go line means the release is more likely late than
    not. Both are defaults to tune.

    Examples
    --------
    >>> from productops.datasets import load_demo
    >>> r = readiness("2026.2", load_demo(), seed=1, trials=2000)
    >>> r.verdict
    <Verdict.NO_GO: 'no_go'>
    >>> sorted({b.kind.value for b in r.blockers})
    ['compliance_without_evidence', 'forecast', 'gate_failed', 'high_risk']
    """
    problems = _check_arguments(
        as_of=as_of,
        go_probability=go_probability,
        no_go_probability=no_go_probability,
        high_risk=high_risk,
    )
    found: Release | None = None
    try:
        found = _resolve_release(release, workspace)
    except InvalidInputError as exc:
        problems.append(str(exc))
    if problems:
        raise InvalidInputError("; ".join(problems))
    assert found is not None  # noqa: S101 - an unresolved release raised above
    rel = found
    if as_of is None:
        as_of = report.as_of if report is not None else latest_event(workspace)

    def result(reasons: list[Reason], **extra: Any) -> Readiness:
        order = {s: n for n, s in enumerate(_SEVERITIES)}
        ranked = tuple(sorted(reasons, key=lambda r: order[r.severity]))
        return Readiness(
            release=rel.key,
            name=rel.name,
            verdict=_verdict(ranked),
            reasons=ranked,
            as_of=as_of,
            target_date=rel.target_date,
            status=rel.status,
            **extra,
        )

    if rel.status is ReleaseStatus.RELEASED:
        shipped = "" if rel.released_at is None else f" {rel.released_at.isoformat()}"
        return result(
            [
                Reason(
                    ReasonKind.RELEASED,
                    "info",
                    rel.key,
                    f"released{shipped}; nothing left to judge",
                )
            ],
            probability=None,
        )
    if rel.status is ReleaseStatus.CANCELLED:
        return result(
            [
                Reason(
                    ReasonKind.CANCELLED, "blocker", rel.key, "the release is cancelled"
                )
            ],
            probability=None,
        )
    if report is None and workspace.work_items:
        from ..flow import analyze

        report = analyze(workspace, as_of=as_of)
    reasons = _gate_reasons(rel, as_of)
    scope, probability, open_items, unknown = _scope_reasons(
        rel,
        workspace,
        report,
        trials=trials,
        seed=seed,
        go_probability=go_probability,
        no_go_probability=no_go_probability,
        ahead=_ahead(rel, workspace, ahead),
    )
    reasons += scope
    reasons += _risk_reasons(rel, workspace, as_of, high_risk)
    reasons += _dependency_reasons(rel, workspace, report, as_of)
    if rel.target_date is not None and as_of.date() > rel.target_date:
        reasons.append(
            Reason(
                ReasonKind.PAST_TARGET,
                "blocker",
                rel.key,
                f"the target date {rel.target_date.isoformat()} has passed and the "
                f"release is still {rel.status.value}",
            )
        )
    return result(
        reasons,
        probability=probability,
        open_items=open_items,
        unknown_items=unknown,
    )
