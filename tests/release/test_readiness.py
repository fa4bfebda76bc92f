"""Tests of productops.release readiness (go / at-risk / no-go).

There is no published worked example of a release go/no-go rule; the rules are
the ones documented on `readiness`, and each reason kind has a hand-built case.
Demo facts are recomputed here from the raw records (status histories, gates,
risk ratings), not read back from the function under test.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from productops import InvalidInputError
from productops.datasets import load_demo
from productops.flow import analyze
from productops.forecast import release_confidence
from productops.model import (
    Dependency,
    GateKind,
    GateStatus,
    Initiative,
    Release,
    ReleaseGate,
    Risk,
    StatusChange,
    WorkItem,
    Workspace,
)
from productops.release._readiness import (
    Readiness,
    Reason,
    ReasonKind,
    Verdict,
    latest_event,
    readiness,
)

AS_OF = datetime(2026, 6, 1, 12, tzinfo=UTC)
TARGET = date(2026, 6, 30)
RANK = {Verdict.GO: 0, Verdict.AT_RISK: 1, Verdict.NO_GO: 2}


@pytest.fixture(scope="module")
def demo() -> Workspace:
    return load_demo()


def gate(name: str = "QA", **fields) -> ReleaseGate:
    fields.setdefault("kind", "qa")
    return ReleaseGate(name=name, **fields)


def release(**fields) -> Release:
    fields.setdefault("key", "R1")
    fields.setdefault("name", "Release one")
    fields.setdefault("status", "in_progress")
    fields.setdefault("target_date", TARGET)
    return Release(**fields)


def judge(rel: Release, ws: Workspace | None = None, **options) -> Readiness:
    ws = ws if ws is not None else Workspace(releases=[rel])
    options.setdefault("as_of", AS_OF)
    return readiness(rel, ws, **options)


def kinds(result: Readiness) -> list[tuple[str, str]]:
    return [(r.kind.value, r.severity) for r in result.reasons]


# -- gates --


def test_no_findings_is_go():
    result = judge(release(gates=[gate(status="passed", evidence=["run-1"])]))
    assert result.verdict is Verdict.GO
    assert result.reasons == ()
    assert result.probability == 1.0  # no open scope: done already


def test_required_gate_failed_is_a_blocker():
    result = judge(release(gates=[gate(status="failed")]))
    assert kinds(result) == [("gate_failed", "blocker")]
    assert result.verdict is Verdict.NO_GO
    assert result.blockers[0].subject == "QA"


def test_optional_gate_failed_is_a_warning():
    result = judge(release(gates=[gate(status="failed", required=False)]))
    assert kinds(result) == [("gate_failed", "warning")]
    assert result.verdict is Verdict.AT_RISK


def test_required_gate_pending_is_a_warning_before_the_target_date():
    result = judge(release(gates=[gate()]))
    assert kinds(result) == [("gate_pending", "warning")]


@pytest.mark.parametrize(
    "as_of",
    [datetime(2026, 6, 30, 0, tzinfo=UTC), datetime(2026, 6, 30, 23, tzinfo=UTC)],
)
def test_required_gate_pending_is_a_blocker_on_the_target_date(as_of):
    result = judge(release(gates=[gate()]), as_of=as_of)
    assert kinds(result) == [("gate_pending", "blocker")]


def test_optional_gate_pending_is_info():
    result = judge(release(gates=[gate(required=False)]))
    assert kinds(result) == [("gate_pending", "info")]
    assert result.verdict is Verdict.GO


def test_waived_gate_is_info_naming_the_approver():
    result = judge(release(gates=[gate(status="waived", approver="kofi")]))
    assert kinds(result) == [("gate_waived", "info")]
    assert "kofi" in result.reasons[0].message


def test_waived_gate_without_approver_is_a_warning():
    # The model forbids this; records built with model_construct can still hold it.
    bad = ReleaseGate.model_construct(
        name="Docs",
        kind=GateKind.DOCS,
        status=GateStatus.WAIVED,
        required=True,
        evidence=(),
        approver=None,
        decided_at=None,
    )
    rel = Release.model_construct(
        **{**release().__dict__, "gates": (bad,)},
    )
    result = judge(rel)
    assert kinds(result) == [("gate_waived_without_approver", "warning")]


def test_compliance_gate_passed_without_evidence_is_a_blocker():
    result = judge(release(gates=[gate("GDPR", kind="compliance", status="passed")]))
    assert kinds(result) == [("compliance_without_evidence", "blocker")]


def test_compliance_gate_passed_with_evidence_is_fine():
    rel = release(
        gates=[gate("GDPR", kind="compliance", status="passed", evidence=["x"])]
    )
    assert judge(rel).verdict is Verdict.GO


# -- scope and forecast --


def test_unknown_scope_keys_are_a_warning_and_count_as_open():
    result = judge(release(scope=["APP-1", "APP-2"]))
    assert ("unknown_scope", "warning") in kinds(result)
    assert ("open_scope", "info") in kinds(result)
    assert result.unknown_items == ("APP-1", "APP-2")
    assert result.open_items == ("APP-1", "APP-2")
    unknown = next(r for r in result.reasons if r.kind is ReasonKind.UNKNOWN_SCOPE)
    assert "APP-1, APP-2" in unknown.message


def test_open_scope_without_history_gives_no_forecast(demo):
    result = judge(release(scope=["APP-1"]))
    assert ("no_forecast", "warning") in kinds(result)
    assert result.probability is None


def test_no_target_date_is_a_warning_and_no_forecast(demo):
    undelivered = _undelivered(demo, demo.releases[1])[:3]
    rel = release(target_date=None, scope=undelivered)
    result = judge(rel, demo, as_of=demo_as_of(demo))
    assert ("no_target", "warning") in kinds(result)
    assert ("no_forecast", "warning") in kinds(result)
    assert result.probability is None


def test_short_history_gives_no_forecast():
    start = datetime(2026, 5, 29, tzinfo=UTC)  # 4 days of history: too short
    items = [
        WorkItem(
            key=f"APP-{n}",
            title="t",
            status="Done" if n == 1 else "Doing",
            created=start,
            history=[
                StatusChange(at=start, to_status="Doing"),
                *(
                    [StatusChange(at=start + timedelta(days=2), to_status="Done")]
                    if n == 1
                    else []
                ),
            ],
        )
        for n in (1, 2)
    ]
    rel = release(scope=["APP-2"])
    ws = Workspace(work_items=items, releases=[rel])
    result = judge(rel, ws)
    reason = next(r for r in result.reasons if r.kind is ReasonKind.NO_FORECAST)
    assert reason.severity == "warning"
    assert "too short" in reason.message
    assert result.open_items == ("APP-2",)


def demo_as_of(ws: Workspace) -> datetime:
    return latest_event(ws)


def _undelivered(ws: Workspace, rel: Release) -> list[str]:
    """Scope items whose last status by as_of is Done-category, computed by hand."""
    as_of = demo_as_of(ws)
    assert ws.process is not None
    done = {s.name for s in ws.process.states if s.category == "done"}
    items = {w.key: w for w in ws.work_items}
    out = []
    for key in rel.scope:
        seen = [h for h in items[key].history if h.at <= as_of]
        if not seen or seen[-1].to_status not in done:
            out.append(key)
    return out


def _probability(ws: Workspace, rel: Release, seed: int) -> float:
    report = analyze(ws, as_of=demo_as_of(ws))
    return release_confidence(rel, report, trials=2000, seed=seed).probability


@pytest.mark.parametrize(
    ("go", "no_go", "severity"),
    [(0.0, 0.0, "info"), (1.0, 0.0, "warning"), (1.0, 1.0, "blocker")],
)
def test_forecast_severity_follows_the_thresholds(demo, go, no_go, severity):
    rel = release(
        scope=_undelivered(demo, demo.releases[1])[:20], target_date=date(2026, 6, 20)
    )
    p = _probability(demo, rel, seed=3)
    assert 0.0 < p < 1.0  # a real uncertain forecast, so every band is reachable
    result = readiness(
        rel,
        demo,
        seed=3,
        trials=2000,
        go_probability=go,
        no_go_probability=no_go,
        ahead=(),
    )
    forecast = next(r for r in result.reasons if r.kind is ReasonKind.FORECAST)
    assert forecast.severity == severity
    assert result.probability == p


def test_forecast_counts_the_open_releases_due_earlier_first(demo):
    autumn = next(r for r in demo.releases if r.key == "2026.3")
    summer = next(r for r in demo.releases if r.key == "2026.2")
    report = analyze(demo, as_of=demo_as_of(demo))
    shared = release_confidence(autumn, report, ahead=[summer], trials=2000, seed=5)
    alone = release_confidence(autumn, report, trials=2000, seed=5)
    assert shared.ahead_items == tuple(
        k for k in _undelivered(demo, summer) if k not in autumn.scope
    )
    assert shared.forecast.remaining == len(shared.ahead_items) + len(alone.open_items)
    assert shared.forecast.percentiles()[85] > alone.forecast.percentiles()[85]
    assert shared.probability <= alone.probability

    result = readiness(autumn, demo, seed=5, trials=2000)
    assert result.probability == shared.probability
    forecast = next(r for r in result.reasons if r.kind is ReasonKind.FORECAST)
    assert f"after the {len(shared.ahead_items)} open items of 2026.2" in (
        forecast.message
    )
    by_key = readiness(autumn, demo, seed=5, trials=2000, ahead=["2026.2"])
    assert by_key.probability == shared.probability
    assert readiness(autumn, demo, seed=5, trials=2000, ahead=()).probability == (
        alone.probability
    )
    with pytest.raises(InvalidInputError, match=r"ahead: \['nope'\]"):
        readiness(autumn, demo, seed=5, trials=2000, ahead=["nope"])


def test_same_seed_same_probability(demo):
    a = readiness("2026.3", demo, seed=5, trials=500)
    b = readiness("2026.3", demo, seed=5, trials=500)
    assert a.probability == b.probability


# -- risks --


@pytest.mark.parametrize(
    ("likelihood", "impact", "kind", "severity"),
    [
        (3, 3, "high_risk", "warning"),  # 9: NPSA high (8-12)
        (4, 5, "high_risk", "blocker"),  # 20: NPSA extreme (15-25)
        (2, 2, "open_risk", "info"),  # 4: NPSA moderate (4-6)
    ],
)
def test_open_risk_by_band(likelihood, impact, kind, severity):
    rel = release()
    risk = Risk(
        key="K-1", title="t", releases=["R1"], likelihood=likelihood, impact=impact
    )
    result = judge(rel, Workspace(releases=[rel], risks=[risk]))
    assert kinds(result) == [(kind, severity)]
    assert result.reasons[0].subject == "K-1"


def test_unrated_and_closed_risks():
    rel = release()
    risks = [
        Risk(key="K-1", title="t", releases=["R1"], probability=0.5, cost=10),
        Risk(
            key="K-2",
            title="t",
            releases=["R1"],
            status="closed",
            likelihood=5,
            impact=5,
        ),
        Risk(key="K-3", title="t", releases=["R9"], likelihood=5, impact=5),
    ]
    result = judge(rel, Workspace(releases=[rel], risks=risks))
    assert kinds(result) == [("unrated_risk", "info")]


def test_high_risk_mapping_is_configurable():
    rel = release()
    risk = Risk(key="K-1", title="t", releases=["R1"], likelihood=3, impact=3)
    ws = Workspace(releases=[rel], risks=[risk])
    result = judge(rel, ws, high_risk={"high": "blocker"})
    assert kinds(result) == [("high_risk", "blocker")]


# -- dependencies --


def _dep_workspace(rel: Release, **dep) -> Workspace:
    initiatives = [
        Initiative(key="INIT-1", title="a", status="planned"),
        Initiative(key="INIT-2", title="b", status="done"),
    ]
    return Workspace(
        releases=[rel],
        initiatives=initiatives,
        dependencies=[Dependency(**dep)],
    )


def test_open_dependency_on_the_release_is_a_warning():
    rel = release()
    result = judge(rel, _dep_workspace(rel, upstream="INIT-1", downstream="R1"))
    assert kinds(result) == [("open_dependency", "warning")]
    assert result.reasons[0].subject == "INIT-1 -> R1"


def test_open_dependency_past_needed_by_is_a_blocker():
    rel = release()
    ws = _dep_workspace(
        rel, upstream="INIT-1", downstream="R1", needed_by=date(2026, 5, 31)
    )
    assert kinds(judge(rel, ws)) == [("open_dependency", "blocker")]


@pytest.mark.parametrize(
    "dep",
    [
        {"upstream": "INIT-2", "downstream": "R1"},  # upstream done
        {"upstream": "INIT-1", "downstream": "R1", "status": "resolved"},
        {"upstream": "INIT-1", "downstream": "R7"},  # not in scope
    ],
)
def test_dependencies_that_do_not_bind(dep):
    rel = release()
    assert judge(rel, _dep_workspace(rel, **dep)).reasons == ()


def test_dependency_of_a_scope_items_initiative(demo):
    # Independently: the demo's open dependencies whose downstream initiative is a
    # parent of a 2026.2 scope item and whose upstream initiative is not done.
    rel = next(r for r in demo.releases if r.key == "2026.2")
    items = {w.key: w for w in demo.work_items}
    parents = {items[k].parent for k in rel.scope} - {None}
    status = {i.key: i.status for i in demo.initiatives}
    expected = {
        f"{d.upstream} -> {d.downstream}"
        for d in demo.dependencies
        if d.status != "resolved"
        and d.downstream in parents
        and status[d.upstream] != "done"
    }
    result = readiness(rel, demo, seed=1, trials=200)
    found = {r.subject for r in result.reasons if r.kind is ReasonKind.OPEN_DEPENDENCY}
    assert found == expected
    assert len(expected) == 4


# -- dates and status --


def test_past_target_is_a_blocker():
    result = judge(release(), as_of=datetime(2026, 7, 1, tzinfo=UTC))
    assert kinds(result) == [("past_target", "blocker")]


def test_released_release_is_go_with_one_reason():
    rel = release(status="released", released_at="2026-06-01T10:00Z", gates=[gate()])
    result = judge(rel)
    assert result.verdict is Verdict.GO
    assert kinds(result) == [("released", "info")]


def test_cancelled_release_is_no_go():
    result = judge(release(status="cancelled"))
    assert kinds(result) == [("cancelled", "blocker")]


def test_every_reason_is_listed_blockers_first():
    rel = release(
        gates=[
            gate("A", required=False),
            gate("B"),
            gate("C", status="failed"),
        ]
    )
    result = judge(rel, as_of=datetime(2026, 6, 10, tzinfo=UTC))
    assert kinds(result) == [
        ("gate_failed", "blocker"),
        ("gate_pending", "warning"),
        ("gate_pending", "info"),
    ]
    assert len(result.blockers) == 1
    assert len(result.warnings) == 1


# -- arguments --


def test_as_of_defaults_to_the_latest_event():
    rel = release()
    risk = Risk(key="K-1", title="t", raised_at="2026-07-05T08:00Z")
    result = readiness(rel, Workspace(releases=[rel], risks=[risk]))
    assert result.as_of == datetime(2026, 7, 5, 8, tzinfo=UTC)
    assert ("past_target", "blocker") in kinds(result)


def test_as_of_defaults_to_the_reports_time(demo):
    report = analyze(demo, as_of=datetime(2026, 5, 1, tzinfo=UTC))
    result = readiness("2026.3", demo, report=report, trials=100, seed=1)
    assert result.as_of == datetime(2026, 5, 1, tzinfo=UTC)


def test_no_event_and_no_as_of_raises():
    rel = release()
    with pytest.raises(InvalidInputError, match="as_of"):
        readiness(rel, Workspace(releases=[rel]))


def test_bad_arguments_are_listed_together():
    with pytest.raises(InvalidInputError) as caught:
        readiness(
            "nope",
            Workspace(),
            as_of=datetime(2026, 1, 1),
            go_probability=1.5,
            no_go_probability=-0.1,
            high_risk={"high": "fatal"},  # type: ignore[dict-item]
        )
    message = str(caught.value)
    for part in ("as_of", "go_probability", "no_go_probability", "high_risk", "nope"):
        assert part in message


def test_no_go_above_go_is_rejected():
    with pytest.raises(InvalidInputError, match="no_go_probability"):
        judge(release(), go_probability=0.4, no_go_probability=0.6)


# -- results --


def test_to_records_and_repr():
    result = judge(release(gates=[gate(status="failed")]))
    assert result.to_records() == [
        {
            "release": "R1",
            "verdict": "no_go",
            "kind": "gate_failed",
            "severity": "blocker",
            "subject": "QA",
            "message": "required qa gate 'QA' failed",
        }
    ]
    assert repr(result) == (
        "<Readiness R1 'Release one': no_go, 1 blockers, 0 warnings, 0 info, "
        "p=100% on time>"
    )


# -- the demo --


def test_demo_released_release_is_go(demo):
    result = readiness("2026.1", demo)
    assert result.verdict is Verdict.GO
    assert result.as_of == datetime(2026, 5, 31, tzinfo=UTC)


def test_demo_summer_release_is_no_go(demo):
    rel = next(r for r in demo.releases if r.key == "2026.2")
    result = readiness(rel, demo, seed=1, trials=2000)
    assert result.verdict is Verdict.NO_GO
    blockers = {(r.kind, r.subject) for r in result.blockers}
    # From the raw gates: the failed required pen test and the compliance gate
    # passed without evidence.
    failed = {g.name for g in rel.gates if g.status == "failed" and g.required}
    bare = {g.name for g in rel.gates if g.kind == "compliance" and not g.evidence}
    assert failed == {"Penetration test"}
    assert bare == {"PSD2 SCA compliance"}
    assert (ReasonKind.GATE_FAILED, "Penetration test") in blockers
    assert (ReasonKind.COMPLIANCE_WITHOUT_EVIDENCE, "PSD2 SCA compliance") in blockers
    # Extreme open risks by hand: likelihood x impact >= 15 on NPSA 5x5.
    extreme = {
        k.key
        for k in demo.risks
        if "2026.2" in k.releases
        and k.status in ("open", "mitigating", "accepted")
        and (k.likelihood or 0) * (k.impact or 0) >= 15
    }
    assert extreme == {"R-1", "R-2"}
    assert {s for kind, s in blockers if kind is ReasonKind.HIGH_RISK} == extreme
    open_items = _undelivered(demo, rel)
    assert result.open_items == tuple(open_items)
    assert len(open_items) == 60
    pending = {g.name for g in rel.gates if g.status == "pending"}
    assert {
        r.subject for r in result.warnings if r.kind is ReasonKind.GATE_PENDING
    } == (pending)


def test_demo_autumn_release_is_at_risk_for_pending_gates(demo):
    result = readiness("2026.3", demo, seed=1, trials=2000)
    assert result.verdict is Verdict.AT_RISK
    assert result.blockers == ()
    assert {r.kind for r in result.warnings} == {
        ReasonKind.GATE_PENDING,
        ReasonKind.OPEN_DEPENDENCY,
    }


# -- properties --

gate_specs = st.lists(
    st.tuples(
        st.sampled_from(list(GateKind)),
        st.sampled_from(
            [
                GateStatus.PENDING,
                GateStatus.PASSED,
                GateStatus.FAILED,
                GateStatus.WAIVED,
            ]
        ),
        st.booleans(),
        st.booleans(),
    ),
    max_size=5,
)
risk_specs = st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5)), max_size=3)
as_of_days = st.integers(min_value=-10, max_value=10)


def _build(specs, risks, day) -> tuple[Release, Workspace, datetime]:
    gates = [
        ReleaseGate(
            name=f"G{n}",
            kind=kind,
            status=status,
            required=required,
            evidence=["proof"] if evidence else [],
            approver="amy",
        )
        for n, (kind, status, required, evidence) in enumerate(specs)
    ]
    rel = release(gates=gates)
    register = [
        Risk(key=f"K-{n}", title="t", releases=["R1"], likelihood=lk, impact=im)
        for n, (lk, im) in enumerate(risks)
    ]
    as_of = datetime.combine(TARGET, datetime.min.time(), tzinfo=UTC) + timedelta(
        days=day
    )
    return rel, Workspace(releases=[rel], risks=register), as_of


@settings(max_examples=150, deadline=None)
@given(gate_specs, risk_specs, as_of_days, st.sampled_from(list(GateKind)))
def test_adding_a_passed_gate_never_makes_a_release_less_ready(specs, risks, day, kind):
    rel, ws, as_of = _build(specs, risks, day)
    before = readiness(rel, ws, as_of=as_of)
    extra = ReleaseGate(
        name="extra", kind=kind, status="passed", evidence=["proof"], approver="amy"
    )
    more = rel.evolve(gates=[*rel.gates, extra])
    after = readiness(more, ws, as_of=as_of)
    assert RANK[after.verdict] <= RANK[before.verdict]


@settings(max_examples=150, deadline=None)
@given(gate_specs, risk_specs, as_of_days, st.data())
def test_removing_a_blocker_never_makes_a_release_worse(specs, risks, day, data):
    rel, ws, as_of = _build(specs, risks, day)
    before = readiness(rel, ws, as_of=as_of)
    gate_blockers = {r.subject for r in before.blockers if r.subject.startswith("G")}
    risk_blockers = {r.subject for r in before.blockers if r.subject.startswith("K-")}
    choices = sorted(gate_blockers | risk_blockers)
    if not choices:
        return
    gone = data.draw(st.sampled_from(choices))
    rel2 = rel.evolve(gates=[g for g in rel.gates if g.name != gone])
    ws2 = ws.evolve(releases=[rel2], risks=[k for k in ws.risks if k.key != gone])
    after = readiness(rel2, ws2, as_of=as_of)
    assert RANK[after.verdict] <= RANK[before.verdict]
    assert len(after.blockers) < len(before.blockers)


def test_reason_is_a_frozen_value():
    reason = Reason(ReasonKind.PAST_TARGET, "blocker", "R1", "late")
    with pytest.raises(AttributeError):
        reason.subject = "R2"  # type: ignore[misc]
