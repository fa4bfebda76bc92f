"""The demo workspace: sizes, determinism, a valid flow, integrity, the bottleneck."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import productops as po
from productops.datasets import (
    DEMO_AS_OF,
    DEMO_BOTTLENECK,
    DEMO_SEED,
    DEMO_START,
    _demo,
    load_demo,
)

SRC = Path(po.__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo() -> po.Workspace:
    return load_demo()


@pytest.fixture(scope="module")
def other() -> po.Workspace:
    return load_demo(seed=DEMO_SEED + 1)


def files_of(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def digest(folder: Path) -> str:
    sha = hashlib.sha256()
    for name, data in files_of(folder).items():
        sha.update(name.encode() + b"\0" + data)
    return sha.hexdigest()


def datetimes_in(value: object) -> list[datetime]:
    if isinstance(value, datetime):
        return [value]
    if isinstance(value, dict):
        return [d for v in value.values() for d in datetimes_in(v)]
    if isinstance(value, list | tuple):
        return [d for v in value for d in datetimes_in(v)]
    return []


def time_in_states(ws: po.Workspace) -> Counter[str]:
    """Seconds spent in each committed, unfinished state, summed over all items."""
    assert ws.process is not None
    in_cycle = {po.StateCategory.QUEUE, po.StateCategory.ACTIVE}
    categories = {state.name: state.category for state in ws.process.states}
    totals: Counter[str] = Counter()
    for item in ws.work_items:
        timeline = item.timeline()
        left_at = [entered for _, entered in timeline[1:]] + [DEMO_AS_OF]
        for (status, entered), left in zip(timeline, left_at, strict=True):
            if categories[status] in in_cycle:
                totals[status] += (left - entered).total_seconds()
    return totals


def mean_waiting(ws: po.Workspace, state: str, start: datetime, end: datetime) -> float:
    """Time-weighted mean number of items in `state` between `start` and `end`."""
    seconds = 0.0
    for item in ws.work_items:
        timeline = item.timeline()
        left_at = [entered for _, entered in timeline[1:]] + [DEMO_AS_OF]
        for (status, entered), left in zip(timeline, left_at, strict=True):
            overlap = min(left, end) - max(entered, start)
            if status == state and overlap > timedelta(0):
                seconds += overlap.total_seconds()
    return seconds / (end - start).total_seconds()


# -- shape -----------------------------------------------------------------------


def test_collections_have_the_promised_sizes(demo: po.Workspace) -> None:
    counts = demo.counts()
    assert 300 <= counts["work_items"] <= 420
    assert counts["releases"] == 3
    assert counts["risks"] == 12
    assert counts["kpis"] == 8
    assert counts["stakeholders"] == 15
    assert counts["teams"] == 4
    assert counts["feedback"] == 200
    assert counts["initiatives"] == 40
    assert 15 <= counts["dependencies"] <= 25
    assert 8 <= counts["incidents"] <= 12
    assert counts["sprints"] == 4 * 20
    per_kpi = Counter(o.kpi for o in demo.observations)
    assert sorted(per_kpi) == sorted(k.key for k in demo.kpis)
    assert min(per_kpi.values()) >= 26


def test_process_is_the_seven_state_workflow(demo: po.Workspace) -> None:
    assert demo.process is not None
    assert [(s.name, s.category.value) for s in demo.process.states] == [
        ("Backlog", "backlog"),
        ("Ready", "queue"),
        ("In Progress", "active"),
        ("In Review", "active"),
        ("Ready for QA", "queue"),
        ("In QA", "active"),
        ("Done", "done"),
    ]
    assert demo.process.commitment_state == "Ready"
    assert demo.process.is_allowed("In Review", "In Progress")
    assert demo.process.is_allowed("In QA", "In Progress")
    assert demo.process.is_allowed("Done", "In Progress")
    assert demo.process.is_allowed("Ready", "Backlog")
    assert not demo.process.is_allowed("Backlog", "Done")


def test_item_types_priorities_and_estimates_are_mixed(demo: po.Workspace) -> None:
    types = Counter(item.type for item in demo.work_items)
    total = len(demo.work_items)
    assert 0.5 <= types["story"] / total <= 0.7
    assert 0.2 <= types["bug"] / total <= 0.4
    assert 0.05 <= types["task"] / total <= 0.15
    assert {item.priority for item in demo.work_items} >= {"Highest", "High", "Low"}
    estimates = {item.estimate for item in demo.work_items}
    assert estimates - {None} <= {1.0, 2.0, 3.0, 5.0, 8.0, 13.0}
    assert None in estimates
    assert all(i.estimate is not None for i in demo.work_items if i.type == "story")
    assert all(i.source == "demo" for i in demo.work_items)
    assert all(i.url and i.url.endswith(f"/browse/{i.key}") for i in demo.work_items)


# -- determinism -----------------------------------------------------------------


def test_default_demo_is_generated_once_and_shared(demo: po.Workspace) -> None:
    assert load_demo() is demo
    assert load_demo(seed=DEMO_SEED) is demo


def test_same_seed_gives_an_equal_workspace_and_identical_files(
    demo: po.Workspace, tmp_path: Path
) -> None:
    fresh = _demo.generate(DEMO_SEED)
    assert fresh is not demo
    assert fresh == demo
    assert files_of(demo.save(tmp_path / "a")) == files_of(fresh.save(tmp_path / "b"))


def test_output_does_not_depend_on_hash_randomisation(
    demo: po.Workspace, tmp_path: Path
) -> None:
    script = (
        "import sys, productops.datasets as d\n"
        "assert 'numpy' not in sys.modules, 'importing datasets pulled in numpy'\n"
        "d.load_demo().save(sys.argv[1])\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(SRC)}
    subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "child")], check=True, env=env
    )
    assert digest(tmp_path / "child") == digest(demo.save(tmp_path / "parent"))


def test_another_seed_gives_another_history(
    demo: po.Workspace, other: po.Workspace
) -> None:
    assert other != demo
    assert [i.history for i in other.work_items] != [i.history for i in demo.work_items]
    assert len(other.work_items) == len(demo.work_items)


@pytest.mark.parametrize("seed", ["1", 1.0, True, None])
def test_seed_must_be_an_integer(seed: object) -> None:
    with pytest.raises(po.InvalidInputError, match="seed"):
        load_demo(seed=seed)  # type: ignore[arg-type]


# -- the flow --------------------------------------------------------------------


def test_every_history_step_is_an_allowed_transition(demo: po.Workspace) -> None:
    assert demo.process is not None
    for item in demo.work_items:
        status = "Backlog"
        for change in item.history:
            assert change.from_status == status, item.key
            assert demo.process.is_allowed(status, change.to_status), item.key
            assert change.author, item.key
            status = change.to_status
        assert item.status == status, item.key
        assert item.created <= (item.history[0].at if item.history else item.created)
        assert item.updated == (item.history[-1].at if item.history else item.created)
        if item.status == "Done":
            assert item.resolved == item.history[-1].at
        else:
            assert item.resolved is None


def test_nothing_is_timestamped_after_as_of(demo: po.Workspace) -> None:
    stamps = datetimes_in(demo.model_dump())
    assert len(stamps) > 3000
    assert all(DEMO_START <= stamp < DEMO_AS_OF for stamp in stamps)
    assert all(stamp.second == 0 and stamp.microsecond == 0 for stamp in stamps)
    for observation in demo.observations:
        assert observation.period_start is not None
        assert observation.period_end is not None
        assert observation.period_start.weekday() == 0
        assert observation.period_end == observation.period_start + timedelta(days=6)
        assert DEMO_START.date() <= observation.period_start
        assert observation.period_end < DEMO_AS_OF.date()
    assert all(sprint.start < DEMO_AS_OF.date() for sprint in demo.sprints)


def test_items_are_reworked_reopened_in_flight_and_never_committed(
    demo: po.Workspace,
) -> None:
    moves = [
        {(c.from_status, c.to_status) for c in item.history} for item in demo.work_items
    ]
    statuses = Counter(item.status for item in demo.work_items)
    assert sum(("In Review", "In Progress") in m for m in moves) >= 20
    assert sum(("In QA", "In Progress") in m for m in moves) >= 20
    assert sum(("Done", "In Progress") in m for m in moves) >= 3
    assert sum(("Ready", "Backlog") in m for m in moves) >= 5
    assert sum(not item.history for item in demo.work_items) >= 10
    assert statuses["Done"] >= 200
    in_flight = sum(statuses[s] for s in ("In Progress", "In Review", "In QA"))
    assert in_flight >= 3
    assert statuses["Ready for QA"] >= 10


def test_planted_bottleneck_holds_the_largest_share_of_in_cycle_time(
    demo: po.Workspace,
) -> None:
    totals = time_in_states(demo)
    assert set(totals) == {"Ready", "In Progress", "In Review", "Ready for QA", "In QA"}
    (first, first_time), (_, second_time) = totals.most_common(2)
    assert first == DEMO_BOTTLENECK == "Ready for QA"
    assert first_time / sum(totals.values()) > 0.4
    assert first_time > 1.5 * second_time


def test_bottleneck_queue_grows_over_the_period(demo: po.Workspace) -> None:
    third = (DEMO_AS_OF - DEMO_START) / 3
    early = mean_waiting(demo, DEMO_BOTTLENECK, DEMO_START, DEMO_START + third)
    late = mean_waiting(demo, DEMO_BOTTLENECK, DEMO_AS_OF - third, DEMO_AS_OF)
    assert late > 2 * early
    waiting_at_end = sum(i.status == DEMO_BOTTLENECK for i in demo.work_items)
    assert waiting_at_end > sum(i.status == "In QA" for i in demo.work_items)


def test_bottleneck_does_not_hinge_on_the_default_seed(other: po.Workspace) -> None:
    totals = time_in_states(other)
    assert totals.most_common(1)[0][0] == DEMO_BOTTLENECK


# -- integrity -------------------------------------------------------------------


def test_items_reference_existing_records(demo: po.Workspace) -> None:
    items = {item.key: item for item in demo.work_items}
    teams = {team.key: team for team in demo.teams}
    releases = {release.key: release for release in demo.releases}
    initiatives = {i.key: i for i in demo.initiatives}
    inverse = {"blocks": "is blocked by", "is blocked by": "blocks"}
    inverse["relates to"] = "relates to"
    for item in demo.work_items:
        assert item.team in teams
        assert item.assignee is None or item.assignee in teams[item.team].members
        assert set(item.releases) <= set(releases)
        for release in item.releases:
            assert item.key in releases[release].scope
        if item.parent is not None:
            assert item.key in initiatives[item.parent].items
        for link in item.links:
            back = {(lk.kind, lk.target) for lk in items[link.target].links}
            assert (inverse[link.kind], item.key) in back
    assert sum(bool(item.links) for item in demo.work_items) >= 20
    assert sum(item.parent is not None for item in demo.work_items) >= 100
    for release in demo.releases:
        assert all(release.key in items[key].releases for key in release.scope)
    for initiative in demo.initiatives:
        assert all(items[key].parent == initiative.key for key in initiative.items)


def test_people_and_teams_reference_existing_records(demo: po.Workspace) -> None:
    people = {s.key for s in demo.stakeholders}
    teams = {team.key: team for team in demo.teams}
    members = {m for team in demo.teams for m in team.members}
    for team in demo.teams:
        assert team.lead in people
        assert team.lead in team.members
    for stakeholder in demo.stakeholders:
        assert stakeholder.email
        assert stakeholder.email.endswith("@example.com")
        assert stakeholder.team is None or stakeholder.team in teams
    assert len({(s.influence, s.interest) for s in demo.stakeholders}) >= 6
    assert {s.influence for s in demo.stakeholders} >= {1, 5}
    assert {s.interest for s in demo.stakeholders} >= {1, 5}
    authors = {c.author for item in demo.work_items for c in item.history}
    assert authors <= members
    assert demo.process is not None
    owners = {s.owner_team for s in demo.process.states} - {None}
    assert owners
    assert owners <= set(teams)
    for kpi in demo.kpis:
        assert kpi.owner in people
    for initiative in demo.initiatives:
        assert initiative.owner in people
        assert initiative.team in teams
    for risk in demo.risks:
        assert risk.owner in people
        assert all(m.owner in people for m in risk.mitigations)


def test_raci_has_one_accountable_and_a_responsible_per_deliverable(
    demo: po.Workspace,
) -> None:
    people = {s.key for s in demo.stakeholders}
    deliverables = {r.key for r in demo.releases} | {i.key for i in demo.initiatives}
    roles: dict[str, Counter[po.RaciRole]] = {}
    for assignment in demo.raci:
        assert assignment.stakeholder in people
        assert assignment.deliverable in deliverables
        roles.setdefault(assignment.deliverable, Counter())[assignment.role] += 1
    assert {r.key for r in demo.releases} <= set(roles)
    assert len(roles) > len(demo.releases)
    for counts in roles.values():
        assert counts[po.RaciRole.ACCOUNTABLE] == 1
        assert counts[po.RaciRole.RESPONSIBLE] >= 1
    pairs = [(a.deliverable, a.stakeholder) for a in demo.raci]
    assert len(pairs) == len(set(pairs))


def test_releases_have_the_three_stages_and_sound_gates(demo: po.Workspace) -> None:
    people = {s.key for s in demo.stakeholders}
    teams = {t.key for t in demo.teams}
    by_status = {r.status: r for r in demo.releases}
    assert set(by_status) == {
        po.ReleaseStatus.RELEASED,
        po.ReleaseStatus.FROZEN,
        po.ReleaseStatus.PLANNED,
    }
    for release in demo.releases:
        assert release.owner in people
        assert release.teams
        assert set(release.teams) <= teams
        assert release.scope
        assert release.target_date
        assert release.code_freeze
        assert all(g.approver in people for g in release.gates if g.approver)
    released = by_status[po.ReleaseStatus.RELEASED]
    assert released.released_at is not None
    assert released.deployments
    for gate in released.gates:
        assert gate.status in (po.GateStatus.PASSED, po.GateStatus.WAIVED)
        assert gate.approver or gate.status is po.GateStatus.PASSED
    frozen = by_status[po.ReleaseStatus.FROZEN]
    statuses = Counter(gate.status for gate in frozen.gates)
    assert statuses[po.GateStatus.FAILED] == 1
    assert statuses[po.GateStatus.PENDING] >= 1
    assert any(
        g.kind is po.GateKind.COMPLIANCE and not g.evidence for g in frozen.gates
    )
    assert not by_status[po.ReleaseStatus.PLANNED].deployments


def test_deployments_and_incidents_point_at_each_other(demo: po.Workspace) -> None:
    items = {item.key for item in demo.work_items}
    deployments = {d.key: d for r in demo.releases for d in r.deployments}
    incidents = {i.key: i for i in demo.incidents}
    assert len(deployments) >= 4 * 30
    for release in demo.releases:
        assert all(d.release == release.key for d in release.deployments)
    for deployment in deployments.values():
        assert set(deployment.items) <= items
        for key in deployment.caused_incidents:
            assert incidents[key].caused_by == deployment.key
    for incident in incidents.values():
        assert set(incident.items) <= items
        if incident.caused_by is not None:
            cause = deployments[incident.caused_by]
            assert incident.key in cause.caused_incidents
            assert incident.started_at > cause.deployed_at
    assert sum(i.caused_by is not None for i in incidents.values()) >= 4
    statuses = Counter(d.status for d in deployments.values())
    assert statuses[po.DeploymentStatus.FAILURE] >= 1
    assert statuses[po.DeploymentStatus.ROLLED_BACK] >= 1
    services = Counter(d.service for d in deployments.values())
    assert len(services) == 4
    assert min(services.values()) >= 30


def test_sprints_hold_their_teams_items_once(demo: po.Workspace) -> None:
    team_of = {item.key: item.team for item in demo.work_items}
    teams = {t.key for t in demo.teams}
    for sprint in demo.sprints:
        assert sprint.team in teams
        assert sprint.start.weekday() == 0
        assert sprint.length_days == 12
        assert sprint.goal
        assert all(team_of[k] == sprint.team for k in sprint.committed + sprint.added)
        assert not set(sprint.committed) & set(sprint.added)
    assert sum(len(s.committed) for s in demo.sprints) >= 100
    assert sum(len(s.added) for s in demo.sprints) >= 100


def test_feedback_and_initiatives_link_both_ways(demo: po.Workspace) -> None:
    feedback = {f.key: f for f in demo.feedback}
    initiatives = {i.key: i for i in demo.initiatives}
    for entry in demo.feedback:
        for key in entry.initiatives:
            assert entry.key in initiatives[key].feedback
    for initiative in demo.initiatives:
        for key in initiative.feedback:
            assert initiative.key in feedback[key].initiatives
    assert {f.source for f in demo.feedback} == {
        "zendesk",
        "productboard",
        "survey",
        "salesforce",
    }
    kinds = {f.kind for f in demo.feedback}
    assert kinds >= {po.FeedbackKind.NPS, po.FeedbackKind.CSAT}
    assert kinds >= {po.FeedbackKind.FEATURE_REQUEST, po.FeedbackKind.BUG_REPORT}
    assert sum(bool(f.initiatives) for f in demo.feedback) >= 80
    assert all(f.account_value and f.tags and f.text for f in demo.feedback)
    statuses = {i.status for i in demo.initiatives}
    assert statuses == set(po.InitiativeStatus)
    for initiative in demo.initiatives:
        if initiative.status is po.InitiativeStatus.DONE:
            assert initiative.items
        assert initiative.reach is not None
        assert initiative.effort is not None


def test_dependencies_join_initiatives_without_cycles(demo: po.Workspace) -> None:
    keys = {i.key for i in demo.initiatives}
    edges = [(d.upstream, d.downstream) for d in demo.dependencies]
    assert len(edges) == len(set(edges))
    assert all(up in keys and down in keys for up, down in edges)
    remaining = set(edges)
    nodes = {node for edge in edges for node in edge}
    while nodes:  # Kahn: repeatedly remove nodes with no incoming edge
        sources = {n for n in nodes if not any(down == n for _, down in remaining)}
        assert sources, f"cycle among {sorted(nodes)}"
        nodes -= sources
        remaining = {(u, d) for u, d in remaining if u not in sources}


def test_risks_use_the_five_point_scale_and_link_releases(demo: po.Workspace) -> None:
    releases = {r.key for r in demo.releases}
    targets = {i.key for i in demo.work_items} | {i.key for i in demo.initiatives}
    for risk in demo.risks:
        assert risk.scale == 5
        assert risk.likelihood is not None
        assert risk.impact is not None
        assert set(risk.releases) <= releases
        assert set(risk.items) <= targets
        assert risk.mitigations
        assert risk.review_date is not None
    assert sum(r.expected_cost is not None for r in demo.risks) >= 4
    assert sum(r.detection is not None for r in demo.risks) >= 2
    assert len({r.category for r in demo.risks}) >= 6
    assert len({r.status for r in demo.risks}) >= 4


def test_some_kpis_drift_out_of_green(demo: po.Workspace) -> None:
    last: dict[str, float] = {}
    for observation in sorted(demo.observations, key=lambda o: o.when):
        last[observation.kpi] = observation.value
    out_of_green = []
    for kpi in demo.kpis:
        value = last[kpi.key]
        if kpi.direction is po.Direction.TARGET_BAND:
            assert kpi.band_low is not None
            assert kpi.band_high is not None
            outside = not kpi.band_low <= value <= kpi.band_high
        elif kpi.direction is po.Direction.HIGHER_IS_BETTER:
            assert kpi.green is not None
            outside = value < kpi.green
        else:
            assert kpi.green is not None
            outside = value > kpi.green
        if outside:
            out_of_green.append(kpi.key)
    assert len(out_of_green) >= 2
    assert "cycle-time-p85" in out_of_green


def test_demo_period_is_fixed_to_nine_months_from_a_monday() -> None:
    expected = (datetime(2025, 9, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC))
    assert expected == (DEMO_START, DEMO_AS_OF)
    assert DEMO_START.weekday() == 0
