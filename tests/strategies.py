"""Hypothesis strategies that build valid productops records."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

import productops as po

ZONES = st.sampled_from(
    [
        UTC,
        timezone(timedelta(hours=5, minutes=30)),
        timezone(timedelta(hours=-8)),
        ZoneInfo("Europe/Berlin"),
    ]
)

timestamps = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=ZONES
)
dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1))
words = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
    min_size=1,
    max_size=20,
).filter(lambda text: text.strip() == text and text != "")
keys = st.from_regex(r"[A-Z]{2,4}-[1-9][0-9]{0,4}", fullmatch=True)
numbers = st.floats(allow_nan=False, allow_infinity=False, width=64)
non_negative = st.floats(min_value=0, max_value=1e12, allow_nan=False)
positive = st.floats(min_value=1e-6, max_value=1e6, allow_nan=False)
fractions = st.floats(min_value=0, max_value=1)
json_values = st.recursive(
    st.none() | st.booleans() | numbers | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def work_items(draw: st.DrawFn, key: str | None = None) -> po.WorkItem:
    created = draw(timestamps)
    statuses = draw(st.lists(words, min_size=1, max_size=6))
    gaps = draw(
        st.lists(
            st.integers(min_value=0, max_value=10**7),
            min_size=len(statuses) - 1,
            max_size=len(statuses) - 1,
        )
    )
    history = []
    # Step in UTC: wall-clock arithmetic on a zoned time can go backwards
    # across a daylight-saving change.
    at = created.astimezone(UTC)
    for previous, status, gap in zip(statuses, statuses[1:], gaps, strict=False):
        at = at + timedelta(seconds=gap)
        history.append(
            po.StatusChange(
                at=at,
                from_status=previous,
                to_status=status,
                author=draw(st.none() | words),
            )
        )
    return po.WorkItem(
        key=key or draw(keys),
        title=draw(st.text(max_size=40)),
        type=draw(st.sampled_from(["story", "bug", "task", "epic"])),
        status=statuses[-1],
        created=created,
        updated=draw(st.none() | timestamps),
        assignee=draw(st.none() | words),
        team=draw(st.none() | words),
        priority=draw(st.none() | st.sampled_from(["High", "Low", "P2"])),
        labels=draw(st.lists(words, max_size=3)),
        estimate=draw(st.none() | non_negative),
        parent=draw(st.none() | keys),
        releases=draw(st.lists(keys, max_size=2)),
        links=[
            po.Link(kind=kind, target=target)
            for kind, target in draw(
                st.lists(
                    st.tuples(st.sampled_from(["blocks", "relates to"]), keys),
                    max_size=2,
                )
            )
        ],
        custom_fields=draw(
            st.dictionaries(st.text(max_size=8), json_values, max_size=3)
        ),
        history=history,
    )


@st.composite
def processes(draw: st.DrawFn) -> po.Process:
    names = draw(st.lists(words, min_size=2, max_size=7, unique=True))
    categories = [draw(st.sampled_from(list(po.StateCategory))) for _ in names[:-1]] + [
        po.StateCategory.DONE
    ]
    states = [
        po.State(
            name=name, category=category, wip_limit=draw(st.none() | st.integers(1, 9))
        )
        for name, category in zip(names, categories, strict=True)
    ]
    chain = list(pairwise(names))
    back = draw(st.lists(st.sampled_from(chain), max_size=2))
    transitions = chain + [(target, source) for source, target in back]
    first_committed = next(
        i for i, c in enumerate(categories) if c is not po.StateCategory.BACKLOG
    )
    delivery = names[-1]
    return po.Process(
        name=draw(words),
        states=states,
        transitions=draw(st.sampled_from([[], transitions])),
        commitment_point=draw(st.sampled_from([None, names[first_committed]])),
        delivery_point=draw(st.sampled_from([None, delivery])),
    )


@st.composite
def releases(draw: st.DrawFn, key: str | None = None) -> po.Release:
    status = draw(st.sampled_from(list(po.ReleaseStatus)))
    gates = []
    for index in range(draw(st.integers(0, 4))):
        gate_status = draw(st.sampled_from(list(po.GateStatus)))
        gates.append(
            po.ReleaseGate(
                name=f"gate {index}",
                kind=draw(st.sampled_from(list(po.GateKind))),
                status=gate_status,
                required=draw(st.booleans()),
                evidence=draw(st.lists(words, max_size=2)),
                approver=draw(words),
                decided_at=draw(st.none() | timestamps),
            )
        )
    target = draw(st.none() | dates)
    return po.Release(
        key=key or draw(keys),
        name=draw(words),
        status=status,
        target_date=target,
        code_freeze=None
        if target is None
        else target - timedelta(days=draw(st.integers(0, 30))),
        released_at=draw(timestamps) if status is po.ReleaseStatus.RELEASED else None,
        scope=draw(st.lists(keys, unique=True, max_size=5)),
        gates=gates,
        deployments=[
            po.Deployment(
                key=f"dep-{index}",
                service=draw(words),
                deployed_at=draw(timestamps),
                status=draw(st.sampled_from(list(po.DeploymentStatus))),
            )
            for index in range(draw(st.integers(0, 3)))
        ],
    )


@st.composite
def risks(draw: st.DrawFn, key: str | None = None) -> po.Risk:
    scale = draw(st.integers(2, 10))
    likelihood = draw(st.none() | st.integers(1, scale))
    impact = None if likelihood is None else draw(st.integers(1, scale))
    probability = draw(st.none() | fractions)
    cost = None if probability is None else draw(non_negative)
    mitigations = [
        po.Mitigation(
            description=draw(words),
            status=draw(st.sampled_from(list(po.MitigationStatus))),
            residual_likelihood=None
            if likelihood is None
            else draw(st.integers(1, likelihood)),
            residual_cost=None if cost is None else draw(st.floats(0, cost)),
        )
        for _ in range(draw(st.integers(0, 2)))
    ]
    return po.Risk(
        key=key or draw(keys),
        title=draw(words),
        category=draw(st.sampled_from(list(po.RiskCategory))),
        status=draw(st.sampled_from(list(po.RiskStatus))),
        scale=scale,
        likelihood=likelihood,
        impact=impact,
        probability=probability,
        cost=cost,
        detection=draw(st.none() | st.integers(1, 10)),
        raised_at=draw(st.none() | timestamps),
        review_date=draw(st.none() | dates),
        mitigations=mitigations,
    )


@st.composite
def kpis(draw: st.DrawFn, key: str | None = None) -> po.KPI:
    direction = draw(st.sampled_from(list(po.Direction)))
    a, b = sorted(draw(st.tuples(numbers, numbers)))
    if direction is po.Direction.TARGET_BAND:
        bounds = {
            "band_low": a,
            "band_high": b,
            "tolerance": draw(st.none() | non_negative),
        }
    elif direction is po.Direction.HIGHER_IS_BETTER:
        bounds = {"green": b, "red": a}
    else:
        bounds = {"green": a, "red": b}
    return po.KPI(
        key=key or draw(keys),
        name=draw(words),
        unit=draw(st.sampled_from(["", "%", "days"])),
        direction=direction,
        target=draw(st.none() | numbers),
        cadence=draw(st.sampled_from(list(po.Cadence))),
        **bounds,
    )


@st.composite
def observations(draw: st.DrawFn, kpi: str) -> po.Observation:
    if draw(st.booleans()):
        return po.Observation(kpi=kpi, value=draw(numbers), at=draw(timestamps))
    start = draw(dates)
    return po.Observation(
        kpi=kpi,
        value=draw(numbers),
        period_start=start,
        period_end=start + timedelta(days=draw(st.integers(0, 31))),
        segment=draw(st.none() | words),
    )


@st.composite
def feedback(draw: st.DrawFn, key: str | None = None) -> po.Feedback:
    kind = draw(st.sampled_from(list(po.FeedbackKind)))
    ranges = {
        po.FeedbackKind.NPS: (0, 10),
        po.FeedbackKind.CSAT: (1, 5),
        po.FeedbackKind.CES: (1, 7),
    }
    if kind in ranges:
        rating: float | None = float(draw(st.integers(*ranges[kind])))
    else:
        rating = draw(st.none() | numbers)
    return po.Feedback(
        key=key or draw(keys),
        source=draw(st.sampled_from(["zendesk", "survey"])),
        kind=kind,
        text=draw(st.text(max_size=60)),
        created=draw(timestamps),
        account_value=draw(st.none() | non_negative),
        rating=rating,
        tags=draw(st.lists(words, max_size=3)),
    )


@st.composite
def initiatives(draw: st.DrawFn, key: str | None = None) -> po.Initiative:
    return po.Initiative(
        key=key or draw(keys),
        title=draw(words),
        reach=draw(st.none() | non_negative),
        impact=draw(st.none() | non_negative),
        confidence=draw(st.none() | fractions),
        effort=draw(st.none() | positive),
        business_value=draw(st.none() | non_negative),
        job_size=draw(st.none() | positive),
        moscow=draw(st.none() | st.sampled_from(list(po.MoSCoW))),
        kano=draw(st.none() | st.sampled_from(list(po.KanoCategory))),
        target_quarter=draw(
            st.none() | st.from_regex(r"20[0-9]{2}-Q[1-4]", fullmatch=True)
        ),
        horizon=draw(st.none() | st.sampled_from(list(po.Horizon))),
    )


@st.composite
def workspaces(draw: st.DrawFn) -> po.Workspace:
    def unique_keys(prefix: str, max_size: int) -> list[str]:
        count = draw(st.integers(0, max_size))
        return [f"{prefix}-{index}" for index in range(count)]

    kpi_list = [draw(kpis(key=k)) for k in unique_keys("KPI", 2)]
    observation_list = []
    for kpi in kpi_list:
        candidates = draw(st.lists(observations(kpi.key), max_size=3))
        seen = set()
        for observation in candidates:
            identity = (
                observation.at,
                observation.period_start,
                observation.period_end,
                observation.segment,
            )
            if identity not in seen:
                seen.add(identity)
                observation_list.append(observation)
    return po.Workspace(
        name=draw(words),
        description=draw(st.text(max_size=30)),
        process=draw(st.none() | processes()),
        work_items=[draw(work_items(key=k)) for k in unique_keys("APP", 3)],
        releases=[draw(releases(key=k)) for k in unique_keys("REL", 2)],
        risks=[draw(risks(key=k)) for k in unique_keys("RISK", 2)],
        kpis=kpi_list,
        observations=observation_list,
        stakeholders=[
            po.Stakeholder(key=k, name=draw(words), influence=draw(st.integers(1, 5)))
            for k in unique_keys("person", 2)
        ],
        teams=[po.Team(key=k, name=draw(words)) for k in unique_keys("team", 2)],
        feedback=[draw(feedback(key=k)) for k in unique_keys("FB", 2)],
        initiatives=[draw(initiatives(key=k)) for k in unique_keys("INIT", 2)],
        sprints=[
            po.Sprint(
                key=k, team="team-0", start=date(2024, 1, 1), end=date(2024, 1, 14)
            )
            for k in unique_keys("S", 1)
        ],
        incidents=[
            po.Incident(key=k, title=draw(words), started_at=draw(timestamps))
            for k in unique_keys("INC", 1)
        ],
        dependencies=[
            po.Dependency(upstream=f"INIT-{i}", downstream=f"INIT-{i + 1}")
            for i in range(draw(st.integers(0, 2)))
        ],
    )
